//! Reviews of drafts: approvals and returns with their comments.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

pub async fn record(
    conn: &mut PgConnection,
    case_id: Uuid,
    revision_id: Uuid,
    reviewer_id: Uuid,
    approved: bool,
    comment: &str,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO reviews (id, case_id, revision_id, reviewer_id, outcome, comment, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        Uuid::new_v4(),
        case_id,
        revision_id,
        reviewer_id,
        if approved { "approved" } else { "returned" },
        comment,
        at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReviewRow {
    pub revision_number: i32,
    pub reviewer_name: String,
    pub approved: bool,
    pub comment: String,
    pub created_at: DateTime<Utc>,
}

/// The case's reviews, oldest first.
pub async fn for_case(conn: &mut PgConnection, case_id: Uuid) -> sqlx::Result<Vec<ReviewRow>> {
    sqlx::query_as!(
        ReviewRow,
        r#"SELECT r.number AS revision_number, u.display_name AS reviewer_name,
                  v.outcome = 'approved' AS "approved!", v.comment, v.created_at
           FROM reviews v
           JOIN report_revisions r ON r.id = v.revision_id
           JOIN users u ON u.id = v.reviewer_id
           WHERE v.case_id = $1
           ORDER BY v.created_at, v.id"#,
        case_id
    )
    .fetch_all(conn)
    .await
}
