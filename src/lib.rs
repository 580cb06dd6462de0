//! Remiss: a Swedish municipality's handling of remisser, from registration to the
//! board's formal answer.
//!
//! Layers point one way: `domain` (pure rules) ← `db` (all SQL) ← `web` (all HTTP).

pub mod config;
pub mod db;
pub mod documents;
pub mod domain;
pub mod embedded_pg;
pub mod files;
pub mod password;
pub mod startup;
pub mod web;
