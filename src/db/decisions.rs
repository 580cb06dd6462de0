//! Decisions on cases (at meetings or by delegation) and the dispatched replies.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::CaseState;
use crate::domain::meeting::{Absence, MeetingDecision, MemberStatement, Vote};
use crate::domain::workflow::DecisionOutcome;

/// The next § of an organ's minutes for a year; gapless like the diarium.
pub async fn next_paragraph(
    conn: &mut PgConnection,
    organ_id: Uuid,
    year: i32,
) -> sqlx::Result<i32> {
    sqlx::query_scalar!(
        "INSERT INTO paragraph_series (organ_id, year, last_seq) VALUES ($1, $2, 1)
         ON CONFLICT (organ_id, year) DO UPDATE SET last_seq = paragraph_series.last_seq + 1
         RETURNING last_seq",
        organ_id,
        year
    )
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct NewDecision<'a> {
    pub case_id: Uuid,
    pub agenda_item_id: Option<Uuid>,
    pub paragraph: Option<(i32, i32)>,
    pub decided_on: NaiveDate,
    pub outcome: DecisionOutcome,
    pub decision_text: &'a str,
    pub reason: &'a str,
    pub attendance: &'a str,
    pub reservations: &'a [MemberStatement],
    pub statements: &'a [MemberStatement],
    pub motions: &'a [MemberStatement],
    pub procedure: &'a str,
    pub votes: &'a [Vote],
    pub absences: &'a [Absence],
    pub delegation_reference: Option<&'a str>,
    /// Omedelbar justering of the paragraph at the meeting.
    pub adjusted_at_once: bool,
    pub revision_id: Uuid,
    pub decided_by: Uuid,
    pub at: DateTime<Utc>,
}

pub async fn insert(conn: &mut PgConnection, decision: &NewDecision<'_>) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO decisions (id, case_id, agenda_item_id, paragraph_year, paragraph, decided_on, outcome,
                                decision_text, reason, attendance, reservations, statements,
                                delegation_reference, revision_id, decided_by, created_at, adjusted_at_once,
                                motions, procedure, votes, absences)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                 $21)",
        id,
        decision.case_id,
        decision.agenda_item_id,
        decision.paragraph.map(|(year, _)| year),
        decision.paragraph.map(|(_, number)| number),
        decision.decided_on,
        decision.outcome.as_str(),
        decision.decision_text,
        decision.reason,
        decision.attendance,
        serde_json::to_value(decision.reservations).expect("serialises"),
        serde_json::to_value(decision.statements).expect("serialises"),
        decision.delegation_reference,
        decision.revision_id,
        decision.decided_by,
        decision.at,
        decision.adjusted_at_once,
        serde_json::to_value(decision.motions).expect("serialises"),
        decision.procedure,
        serde_json::to_value(decision.votes).expect("serialises"),
        serde_json::to_value(decision.absences).expect("serialises"),
    )
    .execute(&mut *conn)
    .await?;
    super::reports::refresh_search(conn, decision.case_id).await?;
    Ok(id)
}

/// The decision recorded on an agenda item, if any.
pub async fn on_item(conn: &mut PgConnection, item_id: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM decisions WHERE agenda_item_id = $1",
        item_id
    )
    .fetch_optional(conn)
    .await
}

/// Corrects a meeting's decision before justering: its outcome (of the same
/// kind) and every text of it.
pub async fn correct(
    conn: &mut PgConnection,
    id: Uuid,
    case_id: Uuid,
    decision: &MeetingDecision,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE decisions SET outcome = $2, decision_text = $3, reason = $4, attendance = $5,
                reservations = $6, statements = $7, motions = $8, procedure = $9, votes = $10,
                absences = $11
         WHERE id = $1 AND NOT adjusted_at_once",
        id,
        decision.outcome.as_str(),
        decision.decision_text,
        decision.reason,
        decision.attendance,
        serde_json::to_value(&decision.reservations).expect("serialises"),
        serde_json::to_value(&decision.statements).expect("serialises"),
        serde_json::to_value(&decision.motions).expect("serialises"),
        decision.procedure,
        serde_json::to_value(&decision.votes).expect("serialises"),
        serde_json::to_value(&decision.absences).expect("serialises"),
    )
    .execute(&mut *conn)
    .await?;
    super::reports::refresh_search(conn, case_id).await
}

/// Removes a meeting's decision before justering; its item keeps the § for the
/// decision recorded in its place.
pub async fn remove(conn: &mut PgConnection, id: Uuid, case_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "WITH gone AS (DELETE FROM decisions WHERE id = $1 AND NOT adjusted_at_once
                       RETURNING agenda_item_id, paragraph)
         UPDATE agenda_items a SET reserved_paragraph = gone.paragraph
         FROM gone WHERE a.id = gone.agenda_item_id",
        id
    )
    .execute(&mut *conn)
    .await?;
    super::reports::refresh_search(conn, case_id).await
}

#[derive(Debug, Clone)]
pub struct Decision {
    pub id: Uuid,
    pub case_id: Uuid,
    /// The agenda item it was taken on; none for a delegation decision.
    pub agenda_item_id: Option<Uuid>,
    pub outcome: DecisionOutcome,
    pub paragraph: Option<i32>,
    pub decided_on: NaiveDate,
    pub decision_text: String,
    pub reason: String,
    pub attendance: String,
    pub reservations: Vec<MemberStatement>,
    pub statements: Vec<MemberStatement>,
    pub motions: Vec<MemberStatement>,
    pub procedure: String,
    pub votes: Vec<Vote>,
    pub absences: Vec<Absence>,
    pub delegation_reference: Option<String>,
    pub adjusted_at_once: bool,
    pub revision_id: Uuid,
    pub decided_by_name: String,
    pub meeting_id: Option<Uuid>,
    pub meeting_starts_at: Option<DateTime<Utc>>,
    pub meeting_place: Option<String>,
    pub adjusted_on: Option<NaiveDate>,
    pub adjusted_by: Option<String>,
}

impl Decision {
    /// The count of its open vote in words, if one was taken.
    pub fn vote_result_sv(&self) -> Option<String> {
        crate::domain::meeting::vote_result_sv(&self.votes)
    }

    /// Those who took no part in the paragraph, in words, if any.
    pub fn absences_sv(&self) -> Option<String> {
        crate::domain::meeting::absences_sv(&self.absences)
    }
}

/// A decision as read, its JSON lists still JSON.
#[derive(Debug, Deserialize)]
pub(super) struct DecisionRow {
    id: Uuid,
    case_id: Uuid,
    agenda_item_id: Option<Uuid>,
    outcome: DecisionOutcome,
    paragraph: Option<i32>,
    decided_on: NaiveDate,
    decision_text: String,
    reason: String,
    attendance: String,
    reservations: serde_json::Value,
    statements: serde_json::Value,
    motions: serde_json::Value,
    procedure: String,
    votes: serde_json::Value,
    absences: serde_json::Value,
    delegation_reference: Option<String>,
    adjusted_at_once: bool,
    revision_id: Uuid,
    decided_by_name: String,
    meeting_id: Option<Uuid>,
    meeting_starts_at: Option<DateTime<Utc>>,
    meeting_place: Option<String>,
    adjusted_on: Option<NaiveDate>,
    adjusted_by: Option<String>,
}

impl From<DecisionRow> for Decision {
    fn from(row: DecisionRow) -> Decision {
        // The JSON columns are written only from these same types.
        Decision {
            id: row.id,
            case_id: row.case_id,
            agenda_item_id: row.agenda_item_id,
            outcome: row.outcome,
            paragraph: row.paragraph,
            decided_on: row.decided_on,
            decision_text: row.decision_text,
            reason: row.reason,
            attendance: row.attendance,
            reservations: serde_json::from_value(row.reservations).unwrap_or_default(),
            statements: serde_json::from_value(row.statements).unwrap_or_default(),
            motions: serde_json::from_value(row.motions).unwrap_or_default(),
            procedure: row.procedure,
            votes: serde_json::from_value(row.votes).unwrap_or_default(),
            absences: serde_json::from_value(row.absences).unwrap_or_default(),
            delegation_reference: row.delegation_reference,
            adjusted_at_once: row.adjusted_at_once,
            revision_id: row.revision_id,
            decided_by_name: row.decided_by_name,
            meeting_id: row.meeting_id,
            meeting_starts_at: row.meeting_starts_at,
            meeting_place: row.meeting_place,
            adjusted_on: row.adjusted_on,
            adjusted_by: row.adjusted_by,
        }
    }
}

/// Every decision on a case, oldest first (återremiss and bordläggning leave
/// theirs before the final one).
pub async fn for_case(conn: &mut PgConnection, case_id: Uuid) -> sqlx::Result<Vec<Decision>> {
    let rows = sqlx::query_as!(
        DecisionRow,
        r#"SELECT d.id, d.case_id, d.agenda_item_id, d.outcome AS "outcome: DecisionOutcome", d.paragraph,
                  d.decided_on, d.decision_text, d.reason, d.attendance,
                  d.reservations, d.statements, d.motions, d.procedure, d.votes, d.absences,
                  d.delegation_reference, d.adjusted_at_once, d.revision_id,
                  u.display_name AS decided_by_name, m.id AS "meeting_id?", m.starts_at AS "meeting_starts_at?",
                  m.place AS "meeting_place?", m.adjusted_on, m.adjusted_by
           FROM decisions d
           JOIN users u ON u.id = d.decided_by
           LEFT JOIN agenda_items a ON a.id = d.agenda_item_id
           LEFT JOIN meetings m ON m.id = a.meeting_id
           WHERE d.case_id = $1
           ORDER BY d.created_at, d.id"#,
        case_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Decision::from).collect())
}

/// The decisions taken at a meeting, one per decided agenda item.
pub async fn for_meeting(conn: &mut PgConnection, meeting_id: Uuid) -> sqlx::Result<Vec<Decision>> {
    let rows = sqlx::query_as!(
        DecisionRow,
        r#"SELECT d.id, d.case_id, d.agenda_item_id, d.outcome AS "outcome: DecisionOutcome", d.paragraph,
                  d.decided_on, d.decision_text, d.reason, d.attendance,
                  d.reservations, d.statements, d.motions, d.procedure, d.votes, d.absences,
                  d.delegation_reference, d.adjusted_at_once, d.revision_id,
                  u.display_name AS decided_by_name, m.id AS "meeting_id?", m.starts_at AS "meeting_starts_at?",
                  m.place AS "meeting_place?", m.adjusted_on, m.adjusted_by
           FROM decisions d
           JOIN users u ON u.id = d.decided_by
           JOIN agenda_items a ON a.id = d.agenda_item_id
           JOIN meetings m ON m.id = a.meeting_id
           WHERE a.meeting_id = $1
           ORDER BY a.position"#,
        meeting_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Decision::from).collect())
}

/// The yttrande as dispatched.
#[derive(Debug, Clone, Copy)]
pub struct NewReply<'a> {
    pub case_id: Uuid,
    pub decision_id: Uuid,
    pub on: NaiveDate,
    pub recipient: &'a str,
    /// The registry's address it was e-mailed to, if it was.
    pub recipient_email: Option<&'a str>,
    pub by: Uuid,
    pub at: DateTime<Utc>,
}

pub async fn dispatch(conn: &mut PgConnection, reply: &NewReply<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO replies (case_id, decision_id, dispatched_on, recipient, recipient_email, dispatched_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        reply.case_id,
        reply.decision_id,
        reply.on,
        reply.recipient,
        reply.recipient_email,
        reply.by,
        reply.at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The address the last yttrande to `recipient` was e-mailed to: the dispatch
/// form offers it again.
pub async fn last_registry_address(
    conn: &mut PgConnection,
    recipient: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        r#"SELECT recipient_email AS "email!" FROM replies
           WHERE recipient = $1 AND recipient_email IS NOT NULL
           ORDER BY created_at DESC LIMIT 1"#,
        recipient
    )
    .fetch_optional(conn)
    .await
}

#[derive(Debug, Clone, Deserialize)]
pub struct Reply {
    pub dispatched_on: NaiveDate,
    pub recipient: String,
    pub dispatched_by_name: String,
}

pub async fn reply(conn: &mut PgConnection, case_id: Uuid) -> sqlx::Result<Option<Reply>> {
    sqlx::query_as!(
        Reply,
        "SELECT r.dispatched_on, r.recipient, u.display_name AS dispatched_by_name
         FROM replies r JOIN users u ON u.id = r.dispatched_by WHERE r.case_id = $1",
        case_id
    )
    .fetch_optional(conn)
    .await
}

/// One respondent's answer for the sender's summary.
#[derive(Debug, Clone)]
pub struct Answer {
    pub case_id: Uuid,
    pub organ_id: Uuid,
    pub organ_name: String,
    pub dnr: String,
    pub state: CaseState,
    pub secret: bool,
    pub outcome: Option<DecisionOutcome>,
    pub decided_on: Option<NaiveDate>,
    pub decision_text: Option<String>,
    pub proposals: Option<serde_json::Value>,
    pub considerations: Option<String>,
    /// Whether the decision is public: taken by delegation, or its minutes (or its
    /// paragraph, at once) adjusted.
    pub public: Option<bool>,
    /// Why the respondent declined to answer, when it did.
    pub declined_reason: Option<String>,
}

/// Every respondent of a remiss with its standing decision (adopted, amended or by
/// delegation) and the report decided on, in organ order.
pub async fn answers(conn: &mut PgConnection, referral_id: Uuid) -> sqlx::Result<Vec<Answer>> {
    sqlx::query_as!(
        Answer,
        r#"SELECT c.id AS case_id, c.organ_id, o.name AS organ_name, c.dnr_text AS "dnr!",
                  c.state AS "state: CaseState", r.secret, d.outcome AS "outcome?: DecisionOutcome", d.decided_on AS "decided_on?", d.decision_text AS "decision_text?",
                  rev.proposals AS "proposals?", rev.considerations AS "considerations?",
                  (d.agenda_item_id IS NULL OR m.adjusted_on IS NOT NULL OR d.adjusted_at_once) AS "public?",
                  c.declined_reason
           FROM cases c
           JOIN organs o ON o.id = c.organ_id
           JOIN referrals r ON r.id = c.referral_id
           LEFT JOIN LATERAL (
               SELECT * FROM decisions d WHERE d.case_id = c.id AND d.outcome IN ('adopted', 'amended', 'delegation')
               ORDER BY d.created_at DESC LIMIT 1
           ) d ON c.state IN ('decided', 'answered')
           LEFT JOIN report_revisions rev ON rev.id = d.revision_id
           LEFT JOIN agenda_items a ON a.id = d.agenda_item_id
           LEFT JOIN meetings m ON m.id = a.meeting_id
           WHERE c.referral_id = $1
           ORDER BY o.name"#,
        referral_id
    )
    .fetch_all(conn)
    .await
}
