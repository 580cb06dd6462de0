//! Remiss: a Swedish municipality's handling of remisser, from registration to the
//! board's formal answer.
//!
//! Layers point one way: `domain` (pure rules) ← `db` (all SQL) ← `app` (the use
//! cases, each the owner of its transaction) ← `web` (all HTTP), and `startup`
//! (the command line) beside it; `render` (documents to PDF and DOCX) depends on
//! `domain` only. No two modules import each other (`tests/app/architecture.rs`
//! checks).

pub mod app;
pub mod config;
pub mod db;
pub mod domain;
pub mod embedded_pg;
pub mod files;
pub mod mail;
pub mod oidc;
pub mod password;
pub mod render;
pub mod startup;
pub mod web;
