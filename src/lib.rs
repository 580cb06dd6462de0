//! Remiss: a Swedish municipality's handling of remisser, from registration to the
//! board's formal answer.
//!
//! Layers point one way: `domain` (pure rules) ← `db` (all SQL) ← `web` (all HTTP);
//! `render` (documents to PDF and DOCX) depends on `domain` only.

pub mod config;
pub mod db;
pub mod domain;
pub mod embedded_pg;
pub mod password;
pub mod render;
pub mod startup;
pub mod web;
