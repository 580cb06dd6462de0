//! The tjänsteutlåtande's draft: every save an immutable revision, a stale save
//! refused with both texts.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::step;
use super::{Actor, Context, Error, Result, transaction};
use crate::db;
use crate::db::cases::CaseDetail;
use crate::db::reports::Revision;
use crate::domain::audit::CaseEvent;
use crate::domain::report::{self, ReportContent, ReportInput};
use crate::domain::{CaseState, Role};

/// An edit of the draft, made on revision `base` (0 before the first).
#[derive(Debug, Clone)]
pub struct DraftEdit {
    pub base: i32,
    pub input: ReportInput,
}

#[derive(Debug, Clone)]
pub enum DraftSaved {
    Saved {
        number: i32,
    },
    /// Someone saved since this edit began: nothing was overwritten. The newer
    /// revision, and this edit as validated, to be shown side by side.
    Stale {
        newer: Box<Revision>,
        yours: Box<ReportContent>,
    },
}

/// Only the organ's handläggare edit, and only while the case is being drafted.
pub fn may_edit(case: &CaseDetail, actor: &Actor) -> Result<()> {
    if !actor.has_role(case.organ_id, Role::Officer) {
        return Err(Error::Forbidden(None));
    }
    if let Some(reason) = &case.annulled_reason {
        return Err(Error::Conflict(crate::domain::referral::annulled_message(
            reason,
        )));
    }
    if case.state != CaseState::Drafting {
        return Err(Error::Conflict(format!(
            "Utkastet kan bara ändras medan ärendet är under beredning; nu är det {}.",
            case.state.label_sv().to_lowercase()
        )));
    }
    Ok(())
}

pub async fn save_draft(
    ctx: &Context,
    actor: &Actor,
    case_id: Uuid,
    edit: &DraftEdit,
) -> Result<DraftSaved> {
    transaction!(ctx, save_draft_in, actor, case_id, edit)
}

pub async fn save_draft_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    case_id: Uuid,
    edit: &DraftEdit,
) -> Result<DraftSaved> {
    let case = step::load(conn, case_id).await?;
    may_edit(&case, actor)?;
    let content = report::validate(&edit.input)?;
    match db::reports::save(conn, case.id, edit.base, &content, actor.user_id, at).await? {
        Some((_, number)) => {
            let event = CaseEvent::ReportSaved { revision: number };
            step::record(conn, at, actor, &case, case.state, event).await?;
            Ok(DraftSaved::Saved { number })
        }
        None => {
            let newer = db::reports::latest(conn, case.id)
                .await?
                .ok_or(Error::NotFound)?;
            Ok(DraftSaved::Stale {
                newer: Box::new(newer),
                yours: Box::new(content),
            })
        }
    }
}
