//! The anslagstavla: a notice is posted by the step that makes a decision
//! appealable (justering of the protocol, omedelbar justering of a paragraph, a
//! delegation decision), in that step's transaction, never by hand.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Actor, Result};
use crate::db;
use crate::db::audit::{self, NewEvent};
use crate::db::cases::CaseDetail;
use crate::db::notices::Subject;
use crate::domain::audit::{AuditAction, NoticePosted};
use crate::domain::dates::stockholm_date;
use crate::domain::notice::{NoticeDates, notice_dates, protocol_kept_at};

/// Posts the notice of `subject` with `dates` for an organ whose protocols are
/// kept by `administration`; its id.
pub async fn post_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    organ_id: Uuid,
    administration: &str,
    subject: Subject,
    dates: &NoticeDates,
) -> Result<Uuid> {
    let id = Uuid::new_v4();
    let kept_at = protocol_kept_at(administration);
    db::notices::insert(conn, id, organ_id, subject, dates, &kept_at, at).await?;
    let (meeting_id, decision_id) = match subject {
        Subject::Meeting(id) => (Some(id), None),
        Subject::Decision(id) => (None, Some(id)),
    };
    let posted = NoticePosted {
        meeting_id,
        decision_id,
        adjusted_on: dates.adjusted_on,
        posted_on: dates.appeal.posted_on,
        appeal_last_day: dates.appeal.last_day,
        take_down_on: dates.appeal.take_down_on,
        kept_at,
    };
    audit::record(
        conn,
        NewEvent {
            after: Some(audit::details(&posted)),
            at: Some(at),
            ..NewEvent::new(Some(actor.user_id), AuditAction::NoticePosted, id)
        },
    )
    .await?;
    Ok(id)
}

/// Announces a delegation decision on the day it was taken (KL 8 kap. 12 §, for
/// decisions not reported to a nämnd for that purpose).
pub async fn post_delegation_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    case: &CaseDetail,
    decision_id: Uuid,
) -> Result<Uuid> {
    let dates = notice_dates(stockholm_date(at), None).map_err(anyhow::Error::msg)?;
    let subject = Subject::Decision(decision_id);
    post_in(
        conn,
        at,
        actor,
        case.organ_id,
        &case.administration,
        subject,
        &dates,
    )
    .await
}
