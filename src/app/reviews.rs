//! Granskning: the reviewer approves the draft or returns it with a comment,
//! always the revision they read.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::outbox::{self, About, Notice};
use super::step::{self, Begun};
use super::{Actor, Context, Error, Result, transaction};
use crate::db;
use crate::domain::audit::CaseEvent;
use crate::domain::meeting::validate_required;
use crate::domain::workflow::Transition;

/// A review of the revision the reviewer read.
#[derive(Debug, Clone)]
pub struct Review {
    pub approve: bool,
    /// The revision the reviewer looked at: approving another one would approve
    /// text they have not read.
    pub revision: i32,
    /// Required when returning: what the handläggare must change.
    pub comment: String,
}

pub async fn review(ctx: &Context, actor: &Actor, case_id: Uuid, review: &Review) -> Result<()> {
    transaction!(ctx, review_in, actor, case_id, review)
}

pub async fn review_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    case_id: Uuid,
    review: &Review,
) -> Result<()> {
    let transition = if review.approve {
        Transition::Approve
    } else {
        Transition::Return
    };
    let Begun { case, to } = step::begin(conn, actor, case_id, transition).await?;
    let comment = if review.approve {
        review.comment.trim().to_string()
    } else {
        validate_required(
            "comment",
            &review.comment,
            "Skriv vad handläggaren behöver ändra.",
        )?
    };
    let revision = db::reports::latest(conn, case.id)
        .await?
        .ok_or_else(Error::raced)?;
    if revision.number != review.revision {
        return Err(Error::raced());
    }
    db::reviews::record(
        conn,
        case.id,
        revision.id,
        actor.user_id,
        review.approve,
        &comment,
        at,
    )
    .await?;
    if let Some(officer) = case.officer_id {
        let notice = if review.approve {
            Notice::Approved
        } else {
            Notice::Returned { comment: &comment }
        };
        outbox::notify_user_in(conn, at, actor, &About::from(&case), officer, notice).await?;
    }
    let revision = revision.number;
    let event = if review.approve {
        CaseEvent::Approved { revision, comment }
    } else {
        CaseEvent::Returned { revision, comment }
    };
    step::finish(conn, at, actor, &case, to, event).await
}
