//! Revisions of the tjänsteutlåtande: every save is a new, immutable row.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::CaseState;
use crate::domain::report::{ReportContent, Signatory};

#[derive(Debug, Clone)]
pub struct Revision {
    pub id: Uuid,
    pub case_id: Uuid,
    pub number: i32,
    pub content: ReportContent,
    pub author_name: String,
    pub created_at: DateTime<Utc>,
}

/// A revision as read, its JSON lists still JSON.
#[derive(Debug, Deserialize)]
pub(super) struct RevisionRow {
    id: Uuid,
    case_id: Uuid,
    number: i32,
    title: String,
    proposals: serde_json::Value,
    summary: String,
    preparation: String,
    background: String,
    considerations: String,
    signatories: serde_json::Value,
    author_name: String,
    created_at: DateTime<Utc>,
}

impl RevisionRow {
    pub(super) fn into_revision(self) -> Revision {
        // The JSON columns are written only by `save` from these same types.
        let proposals: Vec<String> = serde_json::from_value(self.proposals).unwrap_or_default();
        let signatories: Vec<Signatory> =
            serde_json::from_value(self.signatories).unwrap_or_default();
        Revision {
            id: self.id,
            case_id: self.case_id,
            number: self.number,
            content: ReportContent {
                title: self.title,
                proposals,
                summary: self.summary,
                preparation: self.preparation,
                background: self.background,
                considerations: self.considerations,
                signatories,
            },
            author_name: self.author_name,
            created_at: self.created_at,
        }
    }
}

/// The newest revision of a case's report, if any was saved.
pub async fn latest(conn: &mut PgConnection, case_id: Uuid) -> sqlx::Result<Option<Revision>> {
    let row = sqlx::query_as!(
        RevisionRow,
        "SELECT r.id, r.case_id, r.number, r.title, r.proposals, r.summary, r.preparation, r.background,
                r.considerations, r.signatories, u.display_name AS author_name, r.created_at
         FROM report_revisions r JOIN users u ON u.id = r.author_id
         WHERE r.case_id = $1 ORDER BY r.number DESC LIMIT 1",
        case_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(RevisionRow::into_revision))
}

pub async fn get(
    conn: &mut PgConnection,
    case_id: Uuid,
    number: i32,
) -> sqlx::Result<Option<Revision>> {
    let row = sqlx::query_as!(
        RevisionRow,
        "SELECT r.id, r.case_id, r.number, r.title, r.proposals, r.summary, r.preparation, r.background,
                r.considerations, r.signatories, u.display_name AS author_name, r.created_at
         FROM report_revisions r JOIN users u ON u.id = r.author_id
         WHERE r.case_id = $1 AND r.number = $2",
        case_id,
        number
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(RevisionRow::into_revision))
}

pub async fn get_by_id(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Revision>> {
    let row = sqlx::query_as!(
        RevisionRow,
        "SELECT r.id, r.case_id, r.number, r.title, r.proposals, r.summary, r.preparation, r.background,
                r.considerations, r.signatories, u.display_name AS author_name, r.created_at
         FROM report_revisions r JOIN users u ON u.id = r.author_id
         WHERE r.id = $1",
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(RevisionRow::into_revision))
}

/// The revisions `ids`, in no particular order.
pub async fn get_by_ids(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<Vec<Revision>> {
    let rows = sqlx::query_as!(
        RevisionRow,
        "SELECT r.id, r.case_id, r.number, r.title, r.proposals, r.summary, r.preparation, r.background,
                r.considerations, r.signatories, u.display_name AS author_name, r.created_at
         FROM report_revisions r JOIN users u ON u.id = r.author_id
         WHERE r.id = ANY($1)",
        ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(RevisionRow::into_revision).collect())
}

/// The latest revision of each case on a meeting's agenda.
pub async fn latest_on_agenda(
    conn: &mut PgConnection,
    meeting_id: Uuid,
) -> sqlx::Result<Vec<Revision>> {
    let rows = sqlx::query_as!(
        RevisionRow,
        "SELECT DISTINCT ON (r.case_id)
                r.id, r.case_id, r.number, r.title, r.proposals, r.summary, r.preparation, r.background,
                r.considerations, r.signatories, u.display_name AS author_name, r.created_at
         FROM agenda_items a
         JOIN report_revisions r ON r.case_id = a.case_id
         JOIN users u ON u.id = r.author_id
         WHERE a.meeting_id = $1
         ORDER BY r.case_id, r.number DESC",
        meeting_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(RevisionRow::into_revision).collect())
}

#[derive(Debug, Clone)]
pub struct RevisionSummary {
    pub number: i32,
    pub author_name: String,
    pub created_at: DateTime<Utc>,
}

/// Every revision of a case, newest first.
pub async fn list(conn: &mut PgConnection, case_id: Uuid) -> sqlx::Result<Vec<RevisionSummary>> {
    sqlx::query_as!(
        RevisionSummary,
        "SELECT r.number, u.display_name AS author_name, r.created_at
         FROM report_revisions r JOIN users u ON u.id = r.author_id
         WHERE r.case_id = $1 ORDER BY r.number DESC",
        case_id
    )
    .fetch_all(conn)
    .await
}

/// Saves a new revision made on revision `based_on` (0 when there was none).
/// Returns its id and number, or `None` when `based_on` is no longer the newest
/// (the number it would take exists already, so a stale save can never
/// overwrite) or the case is no longer being drafted: the same statement checks
/// both, so a draft cannot change under a submission.
pub async fn save(
    conn: &mut PgConnection,
    case_id: Uuid,
    based_on: i32,
    content: &ReportContent,
    author_id: Uuid,
    at: DateTime<Utc>,
) -> sqlx::Result<Option<(Uuid, i32)>> {
    let id = Uuid::new_v4();
    let proposals = serde_json::to_value(&content.proposals).expect("strings serialise");
    let signatories = serde_json::to_value(&content.signatories).expect("signatories serialise");
    let number = sqlx::query_scalar!(
        "INSERT INTO report_revisions (id, case_id, number, title, proposals, summary, preparation,
                                       background, considerations, signatories, author_id, created_at)
         SELECT $1, $2, $3 + 1, $4, $5, $6, $7, $8, $9, $10, $11, $12
         WHERE $3 = coalesce((SELECT max(number) FROM report_revisions WHERE case_id = $2), 0)
           AND EXISTS (SELECT 1 FROM cases WHERE id = $2 AND state = $13)
         ON CONFLICT (case_id, number) DO NOTHING
         RETURNING number",
        id,
        case_id,
        based_on,
        content.title,
        proposals,
        content.summary,
        content.preparation,
        content.background,
        content.considerations,
        signatories,
        author_id,
        at,
        CaseState::Drafting.as_str(),
    )
    .fetch_optional(&mut *conn)
    .await?;
    if number.is_some() {
        refresh_search(conn, case_id).await?;
    }
    Ok(number.map(|n| (id, n)))
}

/// Rebuilds a case's search text from its newest report and its decisions; run in
/// the transaction that changes either.
pub async fn refresh_search(conn: &mut PgConnection, case_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE cases c SET search =
             setweight(to_tsvector('swedish', coalesce(r.title, '')), 'A')
             || setweight(to_tsvector('swedish', coalesce(r.summary, '') || ' ' || coalesce(r.proposals::text, '')), 'B')
             || setweight(to_tsvector('swedish', coalesce(r.preparation, '') || ' ' || coalesce(r.background, '')
                                              || ' ' || coalesce(r.considerations, '')), 'C')
             || setweight(to_tsvector('swedish', coalesce(
                    (SELECT string_agg(d.decision_text || ' ' || d.reason, ' ') FROM decisions d WHERE d.case_id = c.id), '')), 'B')
         FROM (SELECT $1::uuid AS case_id) k
         LEFT JOIN LATERAL (
             SELECT * FROM report_revisions WHERE case_id = k.case_id ORDER BY number DESC LIMIT 1
         ) r ON true
         WHERE c.id = k.case_id",
        case_id
    )
    .execute(conn)
    .await?;
    Ok(())
}
