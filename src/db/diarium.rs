//! The public diarium: what offentlighetsprincipen makes public, and nothing else.
//! No drafts, reviews, comments or accounts are read here; a secret remiss shows
//! only its number, date, sender and marking.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::search::DnrQuery;

#[derive(Debug, Clone)]
pub struct Entry {
    pub case_id: Uuid,
    pub dnr: String,
    pub registered_at: DateTime<Utc>,
    pub organ_name: String,
    pub sender_name: String,
    pub sender_dnr: String,
    pub title: String,
    pub received_on: NaiveDate,
    pub deadline: NaiveDate,
    pub state: String,
    pub secret: bool,
    pub secrecy_provision: String,
    /// The authority that marked it secret: the registering user's organ.
    pub marked_by: Option<String>,
    pub outcome: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub paragraph: Option<i32>,
    pub dispatched_on: Option<NaiveDate>,
}

/// Newest registrations first, keyset-paged on (registered at, case id).
pub async fn list(
    conn: &mut PgConnection,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<Entry>> {
    let (after_at, after_id) = after.unwrap_or((DateTime::<Utc>::MAX_UTC, Uuid::max()));
    sqlx::query_as!(
        Entry,
        r#"SELECT c.id AS case_id, c.dnr_text AS "dnr!", c.created_at AS registered_at, o.name AS organ_name,
                  r.sender_name, r.sender_dnr, r.title, r.received_on, r.deadline, c.state, r.secret,
                  r.secrecy_provision, mo.name AS "marked_by?",
                  d.outcome AS "outcome?", d.decided_on AS "decided_on?", d.paragraph AS "paragraph?",
                  rep.dispatched_on AS "dispatched_on?"
           FROM cases c
           JOIN referrals r ON r.id = c.referral_id
           JOIN organs o ON o.id = c.organ_id
           JOIN users ru ON ru.id = r.registered_by
           LEFT JOIN organs mo ON mo.id = ru.organ_id
           LEFT JOIN replies rep ON rep.case_id = c.id
           LEFT JOIN decisions d ON d.id = rep.decision_id
           WHERE (c.created_at, c.id) < ($1, $2)
           ORDER BY c.created_at DESC, c.id DESC
           LIMIT $3"#,
        after_at,
        after_id,
        limit
    )
    .fetch_all(conn)
    .await
}

pub async fn get(conn: &mut PgConnection, case_id: Uuid) -> sqlx::Result<Option<Entry>> {
    sqlx::query_as!(
        Entry,
        r#"SELECT c.id AS case_id, c.dnr_text AS "dnr!", c.created_at AS registered_at, o.name AS organ_name,
                  r.sender_name, r.sender_dnr, r.title, r.received_on, r.deadline, c.state, r.secret,
                  r.secrecy_provision, mo.name AS "marked_by?",
                  d.outcome AS "outcome?", d.decided_on AS "decided_on?", d.paragraph AS "paragraph?",
                  rep.dispatched_on AS "dispatched_on?"
           FROM cases c
           JOIN referrals r ON r.id = c.referral_id
           JOIN organs o ON o.id = c.organ_id
           JOIN users ru ON ru.id = r.registered_by
           LEFT JOIN organs mo ON mo.id = ru.organ_id
           LEFT JOIN replies rep ON rep.case_id = c.id
           LEFT JOIN decisions d ON d.id = rep.decision_id
           WHERE c.id = $1"#,
        case_id
    )
    .fetch_optional(conn)
    .await
}

/// Search in what the diarium shows: a remiss's title, sender and numbers (a
/// secret one only by its numbers), and the text of dispatched, non-secret answers.
pub async fn search(
    conn: &mut PgConnection,
    words: &str,
    dnr: Option<&DnrQuery>,
    // The query has digits: it must not find text where a personnummer was masked,
    // or a search would confirm a number the page hides.
    has_digits: bool,
    after: Option<(f32, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<(Uuid, f32)>> {
    let (after_rank, after_id) = after.unwrap_or((f32::MAX, Uuid::max()));
    let dnr_prefix = dnr.and_then(DnrQuery::text_prefix);
    let sender_key = dnr.and_then(DnrQuery::year_seq);
    let rows = sqlx::query!(
        r#"WITH q AS (SELECT to_tsquery('swedish', $1) AS query),
        hits AS (
            SELECT c.id, ts_rank_cd(r.search_public, q.query) AS rank
            FROM referrals r CROSS JOIN q JOIN cases c ON c.referral_id = r.id
            WHERE $1 <> '' AND NOT r.secret AND r.search_public @@ q.query AND NOT ($7 AND r.personal_data_found)
            UNION ALL
            SELECT c.id, ts_rank_cd(c.search, q.query)
            FROM cases c CROSS JOIN q JOIN referrals r ON r.id = c.referral_id
            WHERE $1 <> '' AND c.state = 'answered' AND NOT r.secret AND c.search @@ q.query
              AND NOT ($7 AND c.personal_data_found)
            UNION ALL
            SELECT c.id, 100 FROM cases c WHERE $4::text IS NOT NULL AND c.dnr_text LIKE $4 || '%'
            UNION ALL
            SELECT c.id, 50 FROM referrals r JOIN cases c ON c.referral_id = r.id
            WHERE $5::text IS NOT NULL AND r.sender_dnr_key LIKE $5 || '%'
        )
        SELECT id AS "id!", max(rank)::real AS "rank!" FROM hits
        GROUP BY id
        HAVING (max(rank)::real, id) < ($2, $3)
        ORDER BY 2 DESC, 1 DESC
        LIMIT $6"#,
        words,
        after_rank,
        after_id,
        dnr_prefix,
        sender_key,
        limit,
        has_digits
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.rank)).collect())
}
