//! End-to-end tests in a real browser.
//!
//! Each test gets a fresh database with the demo city, the real server on a free
//! port of 127.0.0.1, and its own ChromeDriver driving headless Chromium (Debian's
//! `chromium` and `chromium-driver`). The people of the demo city do their own
//! steps through the pages: they find fields by label, type, and press buttons.
//! axe-core checks every page a scenario reaches, in the state it reaches it, for
//! WCAG 2.0/2.1 A and AA; a test fails on any violation, naming rule, element
//! and help. Screenshots of the main pages at a phone's and a desktop's width go
//! to `target/e2e-screenshots/` (or `$REMISS_E2E_SCREENSHOTS`).
//!
//! Run with the others by `scripts/test`, or alone by `scripts/test --test e2e`;
//! they need `apt-get install chromium chromium-driver` (`.ci/run` installs them)
//! and fail, saying so, without them. Nothing is fetched while they run: axe-core
//! is vendored in `assets/`.

mod axe;
mod harness;
mod shots;
mod steps;

mod answer;
mod answer_without_javascript;
mod conflict;
mod documents;
mod errors;
mod keyboard;
mod login;
mod meeting;
mod session_expiry;
mod sso;

#[path = "../parts/oidc/provider.rs"]
mod oidc_provider;
