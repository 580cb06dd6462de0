//! The domain: pure types and rules of Remiss. No I/O, no HTTP, no SQL.

pub mod dates;
pub mod dnr;
pub mod diff;
pub mod forms;
pub mod history;
pub mod meeting;
pub mod organ;
pub mod referral;
pub mod report;
pub mod user;
pub mod workflow;

pub use dnr::{DiariumPrefix, Dnr};
pub use forms::FieldErrors;
pub use workflow::{CaseState, Role};
