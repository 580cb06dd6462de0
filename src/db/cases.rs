//! One respondent's case.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use super::audit::{self, HistoryEntry, NewEvent};
use super::decisions::{Decision, DecisionRow, Reply};
use super::notices::Announced;
use super::outbox::Status;
use super::reports::{Revision, RevisionRow};
use super::reviews::ReviewRow;
use super::users::Colleague;
use crate::domain::audit::{CaseEvent, StateAfter, StateBefore};
use crate::domain::message::MessageKind;
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

/// The [`CaseDetail`] of a row whose statement selects the case's columns as
/// [`get`] does (the other statements that read a case with more beside it).
macro_rules! case_detail {
    ($row:ident) => {
        CaseDetail {
            id: $row.id,
            referral_id: $row.referral_id,
            referral_title: $row.referral_title,
            sender_name: $row.sender_name,
            sender_is_organ: $row.sender_is_organ,
            sender_dnr: $row.sender_dnr,
            sender_email: $row.sender_email,
            received_on: $row.received_on,
            deadline: $row.deadline,
            secret: $row.secret,
            organ_id: $row.organ_id,
            organ_name: $row.organ_name,
            administration: $row.administration,
            delegation_allowed: $row.delegation_allowed,
            dnr: Dnr {
                prefix: $row.dnr_prefix,
                year: $row.dnr_year,
                seq: $row.dnr_seq,
            },
            state: $row.state,
            officer_id: $row.assigned_officer_id,
            officer_name: $row.officer_name,
            officer_title: $row.officer_title,
            officer_email: $row.officer_email,
            declined_reason: $row.declined_reason,
            annulled_reason: $row.annulled_reason,
            version: $row.version,
        }
    };
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
    Ok(row.map(|row| case_detail!(row)))
}

/// The meeting whose agenda a case waits on for its decision.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct OnAgenda {
    pub meeting_id: Uuid,
    pub starts_at: DateTime<Utc>,
}

/// A case with what its page shows beside it, read in one statement.
#[derive(Debug, Clone)]
pub struct PageFacts {
    pub case: CaseDetail,
    /// Its own events, its remiss's as a whole, and the justering of each meeting
    /// that decided on it, in the order recorded.
    pub history: Vec<HistoryEntry>,
    /// Every decision on it, oldest first.
    pub decisions: Vec<Decision>,
    /// The newest revision of its tjänsteutlåtande: working material, read only
    /// for the organ's own users.
    pub latest: Option<Revision>,
    /// Its reviews, oldest first; working material as `latest`.
    pub reviews: Vec<ReviewRow>,
    pub reply: Option<Reply>,
    /// The newest e-mail of the yttrande.
    pub reply_mail: Option<Status>,
    /// The first notice announcing its standing decision.
    pub notice: Option<Announced>,
    pub on_agenda: Option<OnAgenda>,
}

/// The case and what its page shows beside it: the lists aggregated as JSON,
/// each one-row fact as a JSON object (none when there is none). The drafts and
/// reviews are read only for a reader who works in the case's organ (holds a
/// role in one of `reader_organs`, or `reads_every_organ`).
pub async fn page_facts(
    conn: &mut PgConnection,
    id: Uuid,
    reader_organs: &[Uuid],
    reads_every_organ: bool,
) -> sqlx::Result<Option<PageFacts>> {
    let row = sqlx::query!(
        r#"SELECT c.id, c.referral_id, r.title AS referral_title, r.sender_name,
                  r.sender_organ_id IS NOT NULL AS "sender_is_organ!", r.sender_dnr, r.sender_email,
                  r.received_on, r.deadline, r.secret, c.organ_id, o.name AS organ_name, o.administration,
                  o.delegation_allowed, c.dnr_prefix, c.dnr_year, c.dnr_seq, c.state AS "state: CaseState",
                  c.assigned_officer_id, u.display_name AS "officer_name?", u.title AS "officer_title?",
                  u.email AS "officer_email?", c.declined_reason, r.annulled_reason, c.version,
                  -- The history: parts that each read their own index (an OR of them
                  -- does not): the case's events, its remiss's, and the justering of
                  -- each meeting that decided on it.
                  (SELECT coalesce(json_agg(json_build_object(
                              'at', e.at, 'actor_name', eu.display_name, 'action', e.action,
                              'before', e.before, 'after', e.after) ORDER BY e.id), '[]')
                   FROM (SELECT id, at, actor_id, action, before, after FROM audit_events
                         WHERE case_id = c.id
                         UNION ALL
                         SELECT id, at, actor_id, action, before, after FROM audit_events
                         WHERE referral_id = c.referral_id AND case_id IS NULL
                         UNION ALL
                         SELECT id, at, actor_id, action, before, after FROM audit_events
                         WHERE entity_type = 'meeting' AND action = 'meeting.adjusted'
                           AND entity_id IN (SELECT a.meeting_id FROM decisions d
                                             JOIN agenda_items a ON a.id = d.agenda_item_id
                                             WHERE d.case_id = c.id)) e
                   LEFT JOIN users eu ON eu.id = e.actor_id) AS "history!: Json<Vec<HistoryEntry>>",
                  (SELECT coalesce(json_agg(json_build_object(
                              'id', d.id, 'case_id', d.case_id, 'agenda_item_id', d.agenda_item_id,
                              'outcome', d.outcome, 'paragraph', d.paragraph, 'decided_on', d.decided_on,
                              'decision_text', d.decision_text, 'reason', d.reason,
                              'attendance', d.attendance, 'reservations', d.reservations,
                              'statements', d.statements, 'motions', d.motions,
                              'procedure', d.procedure, 'votes', d.votes, 'absences', d.absences,
                              'delegation_reference', d.delegation_reference,
                              'adjusted_at_once', d.adjusted_at_once, 'revision_id', d.revision_id,
                              'decided_by_name', du.display_name, 'meeting_id', m.id,
                              'meeting_starts_at', m.starts_at, 'meeting_place', m.place,
                              'adjusted_on', m.adjusted_on, 'adjusted_by', m.adjusted_by)
                              ORDER BY d.created_at, d.id), '[]')
                   FROM decisions d
                   JOIN users du ON du.id = d.decided_by
                   LEFT JOIN agenda_items a ON a.id = d.agenda_item_id
                   LEFT JOIN meetings m ON m.id = a.meeting_id
                   WHERE d.case_id = c.id) AS "decisions!: Json<Vec<DecisionRow>>",
                  (SELECT json_build_object(
                              'id', v.id, 'case_id', v.case_id, 'number', v.number, 'title', v.title,
                              'proposals', v.proposals, 'summary', v.summary,
                              'preparation', v.preparation, 'background', v.background,
                              'considerations', v.considerations, 'signatories', v.signatories,
                              'author_name', vu.display_name, 'created_at', v.created_at)
                   FROM report_revisions v JOIN users vu ON vu.id = v.author_id
                   WHERE v.case_id = c.id AND (c.organ_id = ANY($3) OR $4)
                   ORDER BY v.number DESC LIMIT 1) AS "latest?: Json<RevisionRow>",
                  (SELECT coalesce(json_agg(json_build_object(
                              'revision_number', wr.number, 'reviewer_name', wu.display_name,
                              'approved', w.outcome = 'approved', 'comment', w.comment,
                              'created_at', w.created_at) ORDER BY w.created_at, w.id), '[]')
                   FROM reviews w
                   JOIN report_revisions wr ON wr.id = w.revision_id
                   JOIN users wu ON wu.id = w.reviewer_id
                   WHERE w.case_id = c.id AND (c.organ_id = ANY($3) OR $4)) AS "reviews!: Json<Vec<ReviewRow>>",
                  (SELECT json_build_object(
                              'dispatched_on', p.dispatched_on, 'recipient', p.recipient,
                              'dispatched_by_name', pu.display_name)
                   FROM replies p JOIN users pu ON pu.id = p.dispatched_by
                   WHERE p.case_id = c.id) AS "reply?: Json<Reply>",
                  (SELECT json_build_object(
                              'state', x.state, 'at', coalesce(x.sent_at, x.created_at),
                              'recipient', x.recipient, 'last_error', x.last_error)
                   FROM outbox x WHERE x.case_id = c.id AND x.kind = $2
                   ORDER BY x.created_at DESC LIMIT 1) AS "reply_mail?: Json<Status>",
                  (SELECT json_build_object(
                              'posted_on', n.posted_on, 'appeal_last_day', n.appeal_last_day,
                              'take_down_on', n.take_down_on)
                   FROM decisions d
                   LEFT JOIN agenda_items a ON a.id = d.agenda_item_id
                   JOIN notices n ON n.decision_id = d.id OR n.meeting_id = a.meeting_id
                   WHERE d.case_id = c.id AND d.outcome IN ('adopted', 'amended', 'delegation')
                   ORDER BY n.posted_on, n.created_at
                   LIMIT 1) AS "notice?: Json<Announced>",
                  (SELECT json_build_object('meeting_id', m.id, 'starts_at', m.starts_at)
                   FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id
                   WHERE a.case_id = c.id
                     AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.agenda_item_id = a.id)
                   LIMIT 1) AS "on_agenda?: Json<OnAgenda>"
           FROM cases c
           JOIN referrals r ON r.id = c.referral_id
           JOIN organs o ON o.id = c.organ_id
           LEFT JOIN users u ON u.id = c.assigned_officer_id
           WHERE c.id = $1"#,
        id,
        MessageKind::Reply.as_str(),
        reader_organs,
        reads_every_organ,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| PageFacts {
        history: row.history.0,
        decisions: row.decisions.0.into_iter().map(Decision::from).collect(),
        latest: row.latest.map(|latest| latest.0.into_revision()),
        reviews: row.reviews.0,
        reply: row.reply.map(|reply| reply.0),
        reply_mail: row.reply_mail.map(|status| status.0),
        notice: row.notice.map(|notice| notice.0),
        on_agenda: row.on_agenda.map(|on| on.0),
        case: case_detail!(row),
    }))
}

/// A case with what its editor shows beside the text, read in one statement.
#[derive(Debug, Clone)]
pub struct EditorFacts {
    pub case: CaseDetail,
    /// The newest revision of its tjänsteutlåtande.
    pub latest: Option<Revision>,
    /// Its newest review.
    pub last_review: Option<ReviewRow>,
    /// The active users with any role in its organ (the signatories to choose
    /// from), by name.
    pub colleagues: Vec<Colleague>,
}

/// The case and what its editor shows beside the text, as JSON as in
/// [`page_facts`].
pub async fn editor_facts(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<EditorFacts>> {
    let row = sqlx::query!(
        r#"SELECT c.id, c.referral_id, r.title AS referral_title, r.sender_name,
                  r.sender_organ_id IS NOT NULL AS "sender_is_organ!", r.sender_dnr, r.sender_email,
                  r.received_on, r.deadline, r.secret, c.organ_id, o.name AS organ_name, o.administration,
                  o.delegation_allowed, c.dnr_prefix, c.dnr_year, c.dnr_seq, c.state AS "state: CaseState",
                  c.assigned_officer_id, u.display_name AS "officer_name?", u.title AS "officer_title?",
                  u.email AS "officer_email?", c.declined_reason, r.annulled_reason, c.version,
                  (SELECT json_build_object(
                              'id', v.id, 'case_id', v.case_id, 'number', v.number, 'title', v.title,
                              'proposals', v.proposals, 'summary', v.summary,
                              'preparation', v.preparation, 'background', v.background,
                              'considerations', v.considerations, 'signatories', v.signatories,
                              'author_name', vu.display_name, 'created_at', v.created_at)
                   FROM report_revisions v JOIN users vu ON vu.id = v.author_id
                   WHERE v.case_id = c.id ORDER BY v.number DESC LIMIT 1) AS "latest?: Json<RevisionRow>",
                  (SELECT json_build_object(
                              'revision_number', wr.number, 'reviewer_name', wu.display_name,
                              'approved', w.outcome = 'approved', 'comment', w.comment,
                              'created_at', w.created_at)
                   FROM reviews w
                   JOIN report_revisions wr ON wr.id = w.revision_id
                   JOIN users wu ON wu.id = w.reviewer_id
                   WHERE w.case_id = c.id
                   ORDER BY w.created_at DESC, w.id DESC LIMIT 1) AS "last_review?: Json<ReviewRow>",
                  (SELECT coalesce(json_agg(json_build_object(
                              'id', cu.id, 'display_name', cu.display_name, 'title', cu.title)
                              ORDER BY cu.display_name), '[]')
                   FROM users cu
                   WHERE cu.active AND EXISTS (SELECT 1 FROM user_roles cr
                                               WHERE cr.user_id = cu.id AND cr.organ_id = c.organ_id))
                   AS "colleagues!: Json<Vec<Colleague>>"
           FROM cases c
           JOIN referrals r ON r.id = c.referral_id
           JOIN organs o ON o.id = c.organ_id
           LEFT JOIN users u ON u.id = c.assigned_officer_id
           WHERE c.id = $1"#,
        id,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| EditorFacts {
        latest: row.latest.map(|latest| latest.0.into_revision()),
        last_review: row.last_review.map(|review| review.0),
        colleagues: row.colleagues.0,
        case: case_detail!(row),
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
