//! The use cases: every operation of the product, one public function each, and
//! the one owner of its transaction.
//!
//! A request flows one way. `web` (or the command line, the demo loader, a later
//! JSON API) parses its input into a `domain` input and calls one use case with
//! a [`Context`] and the [`Actor`]. The use case begins the transaction, loads
//! and locks what it changes, asks `domain` whether the step is allowed for this
//! actor now, validates the input, writes through `db` together with its typed
//! audit event, commits, and returns a typed outcome or an [`Error`]: not found,
//! forbidden, a conflict with its Swedish message, or invalid with field errors
//! (the caller shows the form again with them and what was typed). No axum here.
//!
//! Each use case comes in two forms:
//! - `name(ctx, actor, …)` begins the transaction, runs the inner form at the
//!   clock's now, and commits (the [`transaction!`] macro, so that the protocol
//!   is written once);
//! - `name_in(conn, at, actor, …)` does the work in the caller's transaction at
//!   the moment `at`. The demo city calls these to replay its history in one
//!   transaction, and a use case that needs more steps in its transaction (write
//!   an outbox row, register a rendered document) adds them to its inner form,
//!   before the outer form commits.
//!
//! Adding a transition: a rule in `domain::workflow` (and its `CaseEvent` in
//! `domain::audit`), an inner and an outer function here built on [`step`]
//! (lock and check, then move and record), and a handler in `web` that parses
//! the form, calls the outer function and renders.
//!
//! Modules: [`referrals`] registration and correction; [`cases`] the case's own
//! transitions (assign, submit, delegation, dispatch, decline); [`reports`] the
//! draft; [`reviews`] approval and return; [`meetings`] the meeting, its agenda,
//! decisions and justering; [`notices`] the anslagstavla's notices, posted by
//! the steps that make a decision appealable; [`admin`] users (how they sign in, the import of a
//! list), roles and organs; [`sign_in`] the sign-in through the identity
//! provider; [`outbox`] what each change tells whom by e-mail, the deadline
//! reminders and the failed messages; [`documents`] the handlingar and their
//! files; [`outgoing`] the record as the documents it produces; [`frozen`] those
//! documents frozen at justering, delegation and dispatch; [`organ_cache`] the organ list kept in memory;
//! [`demo`] the demo city, loaded through all of these.

pub mod admin;
pub mod cases;
pub mod demo;
pub mod documents;
pub mod frozen;
pub mod meeting_documents;
pub mod meetings;
pub mod notices;
pub mod organ_cache;
pub mod outbox;
pub mod outgoing;
pub mod referrals;
pub mod reports;
pub mod reviews;
pub mod sign_in;
pub mod step;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::db;
use crate::domain::dates::stockholm_date;
use crate::domain::{FieldErrors, Role};
use organ_cache::OrganCache;

/// What every use case runs with: the database, the clock and the organ list
/// kept in memory.
#[derive(Clone)]
pub struct Context {
    pub pool: PgPool,
    pub clock: Clock,
    pub organs: Arc<OrganCache>,
}

impl Context {
    /// The product as it runs: the system's clock.
    pub fn new(pool: PgPool) -> Context {
        Context::with_clock(pool, Clock::System)
    }

    pub fn with_clock(pool: PgPool, clock: Clock) -> Context {
        Context {
            pool,
            clock,
            organs: Arc::default(),
        }
    }

    /// Begins a use case's transaction, and the moment it takes place.
    pub async fn begin(&self) -> Result<(Transaction<'static, Postgres>, DateTime<Utc>)> {
        Ok((db::begin(&self.pool).await?, self.clock.now()))
    }
}

/// Where "now" comes from: the system, or a fixed moment (tests, and the demo
/// city, which replays its past with its own dates). Later rules need "today"
/// too: no date in the future, legal deadlines.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => *at,
        }
    }

    /// Today in Stockholm.
    pub fn today(&self) -> NaiveDate {
        stockholm_date(self.now())
    }
}

/// Who takes a step: the signed-in user as the use cases need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub is_admin: bool,
    /// Every role, with the organ it is held in.
    pub roles: Vec<(Uuid, Role)>,
}

impl Actor {
    /// The roles held in one organ, for the workflow's checks.
    pub fn roles_in(&self, organ_id: Uuid) -> Vec<Role> {
        self.roles
            .iter()
            .filter(|(organ, _)| *organ == organ_id)
            .map(|(_, role)| *role)
            .collect()
    }

    pub fn has_role(&self, organ_id: Uuid, role: Role) -> bool {
        self.roles.contains(&(organ_id, role))
    }

    /// Registrars register remisser for the whole municipality.
    pub fn is_registrar(&self) -> bool {
        self.roles.iter().any(|(_, role)| *role == Role::Registrar)
    }

    /// Working material (drafts, reviews, meetings) is for the organ's own users
    /// and administrators.
    pub fn works_in(&self, organ_id: Uuid) -> bool {
        self.is_admin || self.roles.iter().any(|(organ, _)| *organ == organ_id)
    }

    fn require(&self, allowed: bool) -> Result<()> {
        if allowed {
            Ok(())
        } else {
            Err(Error::Forbidden(None))
        }
    }
}

/// Why a use case did not do what was asked, or failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// What it names does not exist (or not where it was looked for).
    #[error("not found")]
    NotFound,
    /// The actor may not do this; with the reason in Swedish when there is one.
    #[error("forbidden: {0:?}")]
    Forbidden(Option<String>),
    /// Not now: the case is in another state, or someone else changed it first.
    /// Nothing was written. The Swedish message says what happened.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The input does not hold; the Swedish messages by field.
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Another user's change came first: nothing was saved.
    pub fn raced() -> Error {
        Error::Conflict(
            "Någon annan ändrade ärendet samtidigt, så ingenting har sparats. Läs in ärendet igen och se hur det står nu.".into(),
        )
    }

    /// One field's message.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        Error::Invalid(errors)
    }
}

impl From<FieldErrors> for Error {
    fn from(errors: FieldErrors) -> Error {
        Error::Invalid(errors)
    }
}

/// Commits a use case's transaction and hands back its outcome.
pub async fn commit<T>(tx: Transaction<'static, Postgres>, outcome: T) -> Result<T> {
    tx.commit().await?;
    Ok(outcome)
}

/// The outer form of a use case, written once: begins the transaction, runs the
/// inner form `inner(conn, now, args…)` at the clock's now, and commits when it
/// succeeds (a refusal rolls everything back).
macro_rules! transaction {
    ($ctx:expr, $inner:path, $($arg:expr),* $(,)?) => {{
        let (mut tx, now) = $ctx.begin().await?;
        let outcome = $inner(&mut tx, now, $($arg),*).await?;
        $crate::app::commit(tx, outcome).await
    }};
}
pub(crate) use transaction;
