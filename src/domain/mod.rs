//! The domain: pure types and rules of Remiss. No I/O, no HTTP, no SQL.

pub mod audit;
pub mod calendar;
pub mod confirmation;
pub mod csv;
pub mod dates;
pub mod diff;
pub mod dnr;
pub mod document;
pub mod file_check;
pub mod forms;
pub mod history;
pub mod meeting;
pub mod message;
pub mod notice;
pub mod organ;
pub mod personal_data;
pub mod planning;
pub mod referral;
pub mod report;
pub mod roster;
pub mod search;
pub mod sign_in;
pub mod text;
pub mod time_limits;
pub mod user;
pub mod user_import;
pub mod workflow;

pub use dnr::{DiariumPrefix, Dnr};
pub use forms::FieldErrors;
pub use workflow::{CaseState, Role};
