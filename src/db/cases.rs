//! One respondent's case.

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use super::audit::{self, NewEvent};
use crate::domain::audit::{CaseEvent, StateAfter, StateBefore};
use crate::domain::{CaseState, Dnr};

#[derive(Debug, Clone)]
pub struct CaseDetail {
    pub id: Uuid,
    pub referral_id: Uuid,
    pub referral_title: String,
    pub sender_name: String,
    /// The sender is one of the municipality's own organs (not an outside body).
    pub sender_is_organ: bool,
    pub sender_dnr: String,
    /// The sender's registry address, where the yttrande is e-mailed.
    pub sender_email: Option<String>,
    pub received_on: NaiveDate,
    pub deadline: NaiveDate,
    pub secret: bool,
    pub organ_id: Uuid,
    pub organ_name: String,
    pub administration: String,
    pub delegation_allowed: bool,
    pub dnr: Dnr,
    pub state: CaseState,
    pub officer_id: Option<Uuid>,
    pub officer_name: Option<String>,
    pub officer_title: Option<String>,
    /// The officer's e-mail address, for the documents' contact line.
    pub officer_email: Option<String>,
    pub declined_reason: Option<String>,
    /// Why the remiss was makulerad, when it was: no step is taken then.
    pub annulled_reason: Option<String>,
    /// Raised by every change of state or officer: a form that reassigns names the
    /// version it was made on.
    pub version: i32,
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<CaseDetail>> {
    let row = sqlx::query!(
        r#"SELECT c.id, c.referral_id, r.title AS referral_title, r.sender_name,
                  r.sender_organ_id IS NOT NULL AS "sender_is_organ!", r.sender_dnr, r.sender_email,
                  r.received_on, r.deadline, r.secret, c.organ_id, o.name AS organ_name, o.administration,
                  o.delegation_allowed, c.dnr_prefix, c.dnr_year, c.dnr_seq, c.state AS "state: CaseState",
                  c.assigned_officer_id, u.display_name AS "officer_name?", u.title AS "officer_title?",
                  u.email AS "officer_email?", c.declined_reason, r.annulled_reason, c.version
           FROM cases c
           JOIN referrals r ON r.id = c.referral_id
           JOIN organs o ON o.id = c.organ_id
           LEFT JOIN users u ON u.id = c.assigned_officer_id
           WHERE c.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| CaseDetail {
        id: row.id,
        referral_id: row.referral_id,
        referral_title: row.referral_title,
        sender_name: row.sender_name,
        sender_is_organ: row.sender_is_organ,
        sender_dnr: row.sender_dnr,
        sender_email: row.sender_email,
        received_on: row.received_on,
        deadline: row.deadline,
        secret: row.secret,
        organ_id: row.organ_id,
        organ_name: row.organ_name,
        administration: row.administration,
        delegation_allowed: row.delegation_allowed,
        dnr: Dnr {
            prefix: row.dnr_prefix,
            year: row.dnr_year,
            seq: row.dnr_seq,
        },
        state: row.state,
        officer_id: row.assigned_officer_id,
        officer_name: row.officer_name,
        officer_title: row.officer_title,
        officer_email: row.officer_email,
        declined_reason: row.declined_reason,
        annulled_reason: row.annulled_reason,
        version: row.version,
    }))
}

/// The case, its row locked until the transaction ends: a concurrent change of the
/// case waits for this one, and then reads what it left. Every change to a case
/// starts here, so that what it checks (the state, the newest revision, the
/// decision) stays true until it commits.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<CaseDetail>> {
    let found = sqlx::query_scalar!("SELECT id FROM cases WHERE id = $1 FOR UPDATE", id)
        .fetch_optional(&mut *conn)
        .await?;
    match found {
        Some(_) => get(conn, id).await,
        None => Ok(None),
    }
}

/// Moves a case from `from` to `to`; `false` when its state was no longer `from`
/// (another user's transition came first). The row lock taken here makes a
/// concurrent transition wait and then find the state changed.
pub async fn set_state(
    conn: &mut PgConnection,
    id: Uuid,
    from: CaseState,
    to: CaseState,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE cases SET state = $3, version = version + 1 WHERE id = $1 AND state = $2",
        id,
        from.as_str(),
        to.as_str(),
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Assigns the case's handläggare and moves it to `to`; `false` when the case is
/// no longer at `version` (someone changed it since the form was read).
pub async fn assign(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    to: CaseState,
    officer_id: Uuid,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE cases SET state = $3, assigned_officer_id = $4, version = version + 1
         WHERE id = $1 AND version = $2",
        id,
        version,
        to.as_str(),
        officer_id,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves the case to `to` with the reason it was declined; `false` as for
/// [`set_state`].
pub async fn decline(
    conn: &mut PgConnection,
    id: Uuid,
    from: CaseState,
    to: CaseState,
    reason: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE cases SET state = $3, declined_reason = $4, version = version + 1
         WHERE id = $1 AND state = $2",
        id,
        from.as_str(),
        to.as_str(),
        reason,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An approved case waiting for a meeting.
#[derive(Debug, Clone)]
pub struct WaitingCase {
    pub id: Uuid,
    pub dnr: Dnr,
    pub title: String,
    pub deadline: NaiveDate,
}

/// The organ's approved cases, earliest deadline first (not a makulerad remiss's).
pub async fn waiting_for_agenda(
    conn: &mut PgConnection,
    organ_id: Uuid,
) -> sqlx::Result<Vec<WaitingCase>> {
    let rows = sqlx::query!(
        "SELECT c.id, c.dnr_prefix, c.dnr_year, c.dnr_seq, r.title, r.deadline
         FROM cases c JOIN referrals r ON r.id = c.referral_id
         WHERE c.organ_id = $1 AND c.state = 'approved' AND r.annulled_at IS NULL
         ORDER BY r.deadline, c.dnr_year, c.dnr_seq",
        organ_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| WaitingCase {
            id: row.id,
            dnr: Dnr {
                prefix: row.dnr_prefix,
                year: row.dnr_year,
                seq: row.dnr_seq,
            },
            title: row.title,
            deadline: row.deadline,
        })
        .collect())
}

/// One step of a case's workflow, for its audit event.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    pub case_id: Uuid,
    pub referral_id: Uuid,
    pub from: CaseState,
    pub to: CaseState,
    pub actor_id: Uuid,
    pub event: &'a CaseEvent,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// The audit event of a step: the state before and after, and its details.
pub async fn record_step(conn: &mut PgConnection, step: &Step<'_>) -> sqlx::Result<()> {
    let after = StateAfter {
        state: step.to,
        event: step.event,
    };
    audit::record(
        conn,
        NewEvent {
            referral_id: Some(step.referral_id),
            case_id: Some(step.case_id),
            before: Some(audit::details(&StateBefore { state: step.from })),
            after: Some(audit::details(&after)),
            at: Some(step.at),
            ..NewEvent::new(Some(step.actor_id), step.event.action(), step.case_id)
        },
    )
    .await
}

/// Records that a case's public text (its dispatched yttrande) holds what looks
/// like a personnummer: the diarium masks it, and the registrar is told.
pub async fn flag_personal_data(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE cases SET personal_data_found = true WHERE id = $1",
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Cases whose dispatched yttrande holds what looks like a personnummer.
pub async fn flagged(
    conn: &mut PgConnection,
    limit: i64,
) -> sqlx::Result<Vec<(Uuid, Dnr, String)>> {
    let rows = sqlx::query!(
        "SELECT c.id, c.dnr_prefix, c.dnr_year, c.dnr_seq, r.title FROM cases c JOIN referrals r ON r.id = c.referral_id
         WHERE c.personal_data_found ORDER BY c.created_at DESC LIMIT $1",
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let dnr = Dnr {
                prefix: r.dnr_prefix,
                year: r.dnr_year,
                seq: r.dnr_seq,
            };
            (r.id, dnr, r.title)
        })
        .collect())
}
