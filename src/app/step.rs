//! The two halves of every workflow step, shared by the use cases that move a
//! case: [`begin`] locks the case and asks the workflow whether the actor may
//! take the transition now; [`finish`] moves the case to the state the workflow
//! gave and records the typed event. What lies between (validating, writing the
//! decision, the reply, the review) is each use case's own.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Actor, Error, Result};
use crate::db;
use crate::db::cases::{CaseDetail, Step};
use crate::domain::CaseState;
use crate::domain::audit::CaseEvent;
use crate::domain::workflow::{self, OrganRules, Refusal, Transition};

/// A case about to take a step, locked until the transaction ends.
pub struct Begun {
    pub case: CaseDetail,
    /// Where the workflow says the step leads.
    pub to: CaseState,
}

/// Loads and locks the case, and asks the workflow whether `actor` may take
/// `transition` from its state now.
pub async fn begin(
    conn: &mut PgConnection,
    actor: &Actor,
    case_id: Uuid,
    transition: Transition,
) -> Result<Begun> {
    let case = load(conn, case_id).await?;
    let to = check(&case, actor, transition)?;
    Ok(Begun { case, to })
}

/// The case, locked (see [`db::cases::lock`]).
pub async fn load(conn: &mut PgConnection, case_id: Uuid) -> Result<CaseDetail> {
    db::cases::lock(conn, case_id).await?.ok_or(Error::NotFound)
}

/// Whether `actor` may take `transition` on the case now, and where it leads.
pub fn check(case: &CaseDetail, actor: &Actor, transition: Transition) -> Result<CaseState> {
    workflow::apply(
        case.state,
        transition,
        &workflow_actor(case, actor, &actor.roles_in(case.organ_id)),
        &rules(case),
    )
    .map_err(refused)
}

/// The transitions `actor` may take on the case now (for showing buttons).
pub fn available(case: &CaseDetail, actor: &Actor) -> Vec<Transition> {
    let roles = actor.roles_in(case.organ_id);
    workflow::available(
        case.state,
        &workflow_actor(case, actor, &roles),
        &rules(case),
    )
}

fn workflow_actor<'a>(
    case: &CaseDetail,
    actor: &Actor,
    roles: &'a [crate::domain::Role],
) -> workflow::Actor<'a> {
    workflow::Actor {
        roles,
        is_assigned_officer: case.officer_id == Some(actor.user_id),
    }
}

fn rules(case: &CaseDetail) -> OrganRules {
    OrganRules {
        delegation_allowed: case.delegation_allowed,
        annulled: case.annulled_reason.is_some(),
    }
}

fn refused(refusal: Refusal) -> Error {
    match refusal {
        Refusal::NotInThisState { .. } | Refusal::Annulled => Error::Conflict(refusal.message_sv()),
        _ => Error::Forbidden(Some(refusal.message_sv())),
    }
}

/// Moves the case from its state to `to` and records `event`; a conflict when
/// the state changed meanwhile (nothing is written then).
pub async fn finish(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    case: &CaseDetail,
    to: CaseState,
    event: CaseEvent,
) -> Result<()> {
    if !db::cases::set_state(conn, case.id, case.state, to).await? {
        return Err(Error::raced());
    }
    record(conn, at, actor, case, to, event).await
}

/// Records `event` for a step whose change was written otherwise.
pub async fn record(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    case: &CaseDetail,
    to: CaseState,
    event: CaseEvent,
) -> Result<()> {
    let step = Step {
        case_id: case.id,
        referral_id: case.referral_id,
        from: case.state,
        to,
        actor_id: actor.user_id,
        event: &event,
        at,
    };
    db::cases::record_step(conn, &step).await?;
    Ok(())
}
