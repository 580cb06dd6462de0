//! Integration tests through the real router, each on its own fresh database
//! (`#[sqlx::test]` creates it and applies the migrations).

mod access;
mod admin;
mod admin_sign_in;
mod auth;
mod clamd;
mod compression;
mod document_files;
mod document_register;
mod documents;
mod helpers;
mod hostile;
mod mail;
mod meetings;
mod notice_board;
mod overview;
mod pages;
mod pool;
mod read_replica;
mod referrals;
mod senders;
mod session_expiry;
mod sso;
mod text_input;
mod workflow;

#[path = "../parts/oidc/provider.rs"]
mod oidc_provider;
