//! The use cases called directly, each test on its own fresh database
//! (`#[sqlx::test]`), and the shape of the code: no import circle in `src/`.

mod architecture;
mod cases;
mod demo_city;
mod documents;
mod mail;
mod meetings;
mod referrals;
mod setup;
mod sign_in;
