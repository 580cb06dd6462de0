//! The anslagstavla: notices of adjusted protocols and announced decisions, and
//! the public parts of the paragraphs they announce. A secret remiss's title and
//! decision text are not read here at all.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::notice::NoticeDates;
use crate::domain::workflow::DecisionOutcome;

/// What a notice announces: a meeting's protocol, or one decision (a paragraph
/// adjusted at once, a delegation decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Meeting(Uuid),
    Decision(Uuid),
}

pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    organ_id: Uuid,
    subject: Subject,
    dates: &NoticeDates,
    kept_at: &str,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    let (meeting_id, decision_id) = match subject {
        Subject::Meeting(id) => (Some(id), None),
        Subject::Decision(id) => (None, Some(id)),
    };
    sqlx::query!(
        "INSERT INTO notices (id, organ_id, meeting_id, decision_id, adjusted_on, posted_on,
                              appeal_last_day, take_down_on, kept_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        id,
        organ_id,
        meeting_id,
        decision_id,
        dates.adjusted_on,
        dates.appeal.posted_on,
        dates.appeal.last_day,
        dates.appeal.take_down_on,
        kept_at,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Notice {
    pub id: Uuid,
    pub organ_name: String,
    pub meeting_id: Option<Uuid>,
    pub decision_id: Option<Uuid>,
    /// The meeting's start; for a delegation decision, none.
    pub meeting_starts_at: Option<DateTime<Utc>>,
    pub adjusted_on: NaiveDate,
    pub posted_on: NaiveDate,
    pub appeal_last_day: NaiveDate,
    pub take_down_on: NaiveDate,
    pub kept_at: String,
    pub created_at: DateTime<Utc>,
}

/// The notices up on `today` (posted, appeal period not run out), newest first;
/// with `archived`, those taken down, newest first.
pub async fn board(
    conn: &mut PgConnection,
    today: NaiveDate,
    archived: bool,
    limit: i64,
) -> sqlx::Result<Vec<Notice>> {
    sqlx::query_as!(
        Notice,
        r#"SELECT n.id, o.name AS organ_name, n.meeting_id, n.decision_id,
                  coalesce(m.starts_at, dm.starts_at) AS meeting_starts_at,
                  n.adjusted_on, n.posted_on, n.appeal_last_day, n.take_down_on, n.kept_at, n.created_at
           FROM notices n
           JOIN organs o ON o.id = n.organ_id
           LEFT JOIN meetings m ON m.id = n.meeting_id
           LEFT JOIN decisions d ON d.id = n.decision_id
           LEFT JOIN agenda_items a ON a.id = d.agenda_item_id
           LEFT JOIN meetings dm ON dm.id = a.meeting_id
           WHERE n.posted_on <= $1 AND (n.take_down_on <= $1) = $2
           ORDER BY n.posted_on DESC, n.created_at DESC, n.id
           LIMIT $3"#,
        today,
        archived,
        limit
    )
    .fetch_all(conn)
    .await
}

/// One notice, once it has been posted (a notice to be posted later is not yet public).
pub async fn get_posted(
    conn: &mut PgConnection,
    id: Uuid,
    today: NaiveDate,
) -> sqlx::Result<Option<Notice>> {
    sqlx::query_as!(
        Notice,
        r#"SELECT n.id, o.name AS organ_name, n.meeting_id, n.decision_id,
                  coalesce(m.starts_at, dm.starts_at) AS meeting_starts_at,
                  n.adjusted_on, n.posted_on, n.appeal_last_day, n.take_down_on, n.kept_at, n.created_at
           FROM notices n
           JOIN organs o ON o.id = n.organ_id
           LEFT JOIN meetings m ON m.id = n.meeting_id
           LEFT JOIN decisions d ON d.id = n.decision_id
           LEFT JOIN agenda_items a ON a.id = d.agenda_item_id
           LEFT JOIN meetings dm ON dm.id = a.meeting_id
           WHERE n.id = $1 AND n.posted_on <= $2"#,
        id,
        today
    )
    .fetch_optional(conn)
    .await
}

/// The appeal period a notice started.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Announced {
    pub posted_on: NaiveDate,
    pub appeal_last_day: NaiveDate,
    pub take_down_on: NaiveDate,
}

/// The first notice announcing a case's standing decision: its own (delegation,
/// omedelbar justering) or its meeting's protocol.
pub async fn for_case(conn: &mut PgConnection, case_id: Uuid) -> sqlx::Result<Option<Announced>> {
    sqlx::query_as!(
        Announced,
        r#"SELECT n.posted_on, n.appeal_last_day, n.take_down_on FROM decisions d
           LEFT JOIN agenda_items a ON a.id = d.agenda_item_id
           JOIN notices n ON n.decision_id = d.id OR n.meeting_id = a.meeting_id
           WHERE d.case_id = $1 AND d.outcome IN ('adopted', 'amended', 'delegation')
           ORDER BY n.posted_on, n.created_at
           LIMIT 1"#,
        case_id
    )
    .fetch_optional(conn)
    .await
}

/// A paragraph as the anslagstavla shows it: a secret remiss's title and
/// decision text are left out here already.
#[derive(Debug, Clone)]
pub struct Paragraph {
    pub case_id: Uuid,
    pub paragraph: Option<i32>,
    pub dnr: String,
    pub secret: bool,
    pub title: Option<String>,
    pub outcome: DecisionOutcome,
    pub decision_text: Option<String>,
    pub delegation_reference: Option<String>,
}

/// The paragraphs a notice announces, in the order of the protocol.
pub async fn paragraphs(conn: &mut PgConnection, notice_id: Uuid) -> sqlx::Result<Vec<Paragraph>> {
    sqlx::query_as!(
        Paragraph,
        r#"SELECT c.id AS case_id, d.paragraph, c.dnr_text AS "dnr!", r.secret,
                  CASE WHEN r.secret THEN NULL ELSE r.title END AS title,
                  d.outcome AS "outcome: DecisionOutcome",
                  CASE WHEN r.secret THEN NULL ELSE d.decision_text END AS decision_text,
                  CASE WHEN r.secret THEN NULL ELSE d.delegation_reference END AS delegation_reference
           FROM notices n
           JOIN decisions d ON d.id = n.decision_id
                OR d.agenda_item_id IN (SELECT a.id FROM agenda_items a WHERE a.meeting_id = n.meeting_id)
           JOIN cases c ON c.id = d.case_id
           JOIN referrals r ON r.id = c.referral_id
           WHERE n.id = $1
           ORDER BY d.paragraph NULLS FIRST, d.created_at"#,
        notice_id
    )
    .fetch_all(conn)
    .await
}
