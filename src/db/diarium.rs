//! The public diarium: what offentlighetsprincipen makes public, and nothing else.
//! No drafts, reviews, comments or accounts are read here; a secret remiss shows
//! only its number, date, sender and marking.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, Postgres, Transaction};
use uuid::Uuid;

use crate::domain::audit::AuditAction;
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
    /// The latest event of the case or its remiss that the public may see.
    pub updated_at: DateTime<Utc>,
    /// Why the remiss was makulerad, when it was.
    pub annulled_reason: Option<String>,
}

/// Newest registrations first, keyset-paged on (registered at, case id).
pub async fn list(
    conn: &mut PgConnection,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<Entry>> {
    let (after_at, after_id) = after.unwrap_or((DateTime::<Utc>::MAX_UTC, Uuid::max()));
    // The page's ids alone: the keyset condition keeps this statement on custom
    // plans, which for one table cost little to make; the entries then follow by id.
    let ids = sqlx::query_scalar!(
        "SELECT id FROM cases WHERE (created_at, id) < ($1, $2)
         ORDER BY created_at DESC, id DESC LIMIT $3",
        after_at,
        after_id,
        limit
    )
    .fetch_all(&mut *conn)
    .await?;
    entries(conn, &ids).await
}

pub async fn get(conn: &mut PgConnection, case_id: Uuid) -> sqlx::Result<Option<Entry>> {
    Ok(entries(conn, &[case_id]).await?.pop())
}

/// The audit actions the public may see, by their stored names.
fn public_actions() -> Vec<String> {
    AuditAction::ALL
        .into_iter()
        .filter(|action| action.is_public())
        .map(|action| action.as_str().to_string())
        .collect()
}

/// These cases' entries, in the order given; unknown ids are left out.
pub async fn entries(conn: &mut PgConnection, case_ids: &[Uuid]) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as!(
        Entry,
        r#"SELECT c.id AS case_id, c.dnr_text AS "dnr!", c.created_at AS registered_at, o.name AS organ_name,
                  r.sender_name, r.sender_dnr, r.title, r.received_on, r.deadline, c.state, r.secret,
                  r.secrecy_provision, mo.name AS "marked_by?",
                  rep.outcome AS "outcome?", rep.decided_on AS "decided_on?", rep.paragraph AS "paragraph?",
                  rep.dispatched_on AS "dispatched_on?",
                  greatest(c.created_at, ev.case_at, ev.referral_at) AS "updated_at!",
                  r.annulled_reason
           FROM unnest($1::uuid[]) WITH ORDINALITY AS p(id, n)
           JOIN cases c ON c.id = p.id
           JOIN referrals r ON r.id = c.referral_id
           JOIN organs o ON o.id = c.organ_id
           -- Lateral subqueries (at most one row each) leave the planner four
           -- relations to order instead of seven.
           LEFT JOIN LATERAL (
               SELECT mo.name FROM users ru JOIN organs mo ON mo.id = ru.organ_id
               WHERE ru.id = r.registered_by LIMIT 1
           ) mo ON true
           LEFT JOIN LATERAL (
               SELECT d.outcome, d.decided_on, d.paragraph, rep.dispatched_on
               FROM replies rep JOIN decisions d ON d.id = rep.decision_id
               WHERE rep.case_id = c.id LIMIT 1
           ) rep ON true
           LEFT JOIN LATERAL (
               SELECT (SELECT max(e.at) FROM audit_events e
                       WHERE e.case_id = c.id AND e.action = ANY($2)) AS case_at,
                      (SELECT max(e.at) FROM audit_events e
                       WHERE e.referral_id = c.referral_id AND e.case_id IS NULL
                         AND e.action = ANY($2)) AS referral_at
           ) ev ON true
           ORDER BY p.n"#,
        case_ids,
        &public_actions(),
    )
    .fetch_all(conn)
    .await
}

/// One page of the diarium's search, best first, and whether a kind of match had
/// more than its newest `cap` ranked.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// Case ids and their rank.
    pub hits: Vec<(Uuid, f32)>,
    pub capped: bool,
}

/// Search in what the diarium shows: a remiss's title, sender and numbers (a
/// secret one only by its numbers), the text of dispatched, non-secret answers,
/// and the titles of public documents.
/// Each kind of match ranks only its newest `cap` matches. It runs in a
/// transaction (from `db::begin`) because its planner settings are local to one.
#[allow(clippy::too_many_arguments)]
pub async fn search(
    tx: &mut Transaction<'_, Postgres>,
    words: &str,
    dnr: Option<&DnrQuery>,
    // The query has digits: it must not find text where a personnummer was masked,
    // or a search would confirm a number the page hides.
    has_digits: bool,
    after: Option<(f32, Uuid)>,
    limit: i64,
    cap: i64,
) -> sqlx::Result<Found> {
    let (after_rank, after_id) = after.unwrap_or((f32::MAX, Uuid::max()));
    let dnr_prefix = dnr.and_then(DnrQuery::text_prefix);
    let sender_key = dnr.and_then(DnrQuery::year_seq);
    // A diarienummer is looked up by number only.
    let words = if dnr.is_some() { "" } else { words };
    super::search::plan_for_parameters(tx).await?;
    let rows = sqlx::query!(
        r#"WITH referral_hits AS (
            -- Non-secret remisser by their public words, or any by the sender's number
            -- (a range, which the text_pattern_ops index serves in any plan): the
            -- newest $8 matches, numbered `n`, and one more, which tells that there
            -- were more; each with all its cases.
            SELECT c.id, m.rank, m.n
            FROM (SELECT m.id,
                         CASE WHEN $5::text IS NOT NULL THEN 50
                              ELSE ts_rank_cd(m.search_public, to_tsquery('swedish', $1)) END AS rank,
                         row_number() OVER (ORDER BY m.created_at DESC, m.id DESC) AS n
                  FROM (SELECT r.id, r.created_at, r.search_public FROM referrals r
                        WHERE ($1 <> '' AND NOT r.secret AND r.search_public @@ to_tsquery('swedish', $1)
                               AND NOT ($7 AND r.personal_data_found))
                           OR ($5::text IS NOT NULL
                               AND r.sender_dnr_key ~>=~ $5 AND r.sender_dnr_key ~<~ ($5 || chr(1114111)))
                        ORDER BY r.created_at DESC, r.id DESC
                        LIMIT $8::bigint + 1) m) m
            JOIN cases c ON c.referral_id = m.id
        ),
        case_hits AS (
            -- Answered cases of non-secret remisser by their text, or any by diarienummer.
            SELECT m.id,
                   CASE WHEN $4::text IS NOT NULL THEN 100
                        ELSE ts_rank_cd(m.search, to_tsquery('swedish', $1)) END AS rank,
                   row_number() OVER (ORDER BY m.created_at DESC, m.id DESC) AS n
            FROM (SELECT c.id, c.created_at, c.search
                  FROM cases c JOIN referrals r ON r.id = c.referral_id
                  WHERE ($1 <> '' AND c.state = 'answered' AND NOT r.secret AND c.search @@ to_tsquery('swedish', $1)
                         AND NOT ($7 AND c.personal_data_found))
                     OR ($4::text IS NOT NULL AND c.dnr_text ~>=~ $4 AND c.dnr_text ~<~ ($4 || chr(1114111)))
                  ORDER BY c.created_at DESC, c.id DESC
                  LIMIT $8::bigint + 1) m
        ),
        document_hits AS (
            -- Documents by their title: those that are public (not secret, of a
            -- remiss that is not secret, and not a case's working material).
            SELECT n.case_id AS id, m.rank, m.n
            FROM (SELECT d.id, ts_rank_cd(d.search, to_tsquery('swedish', $1)) AS rank,
                         row_number() OVER (ORDER BY d.registered_at DESC, d.id DESC) AS n
                  FROM documents d
                  LEFT JOIN cases oc ON oc.id = d.case_id
                  JOIN referrals r ON r.id = coalesce(d.referral_id, oc.referral_id)
                  WHERE $1 <> '' AND d.search @@ to_tsquery('swedish', $1)
                    AND d.secrecy_provision IS NULL AND NOT r.secret
                    AND NOT (d.case_id IS NOT NULL AND d.direction = 'drawn_up'
                             AND oc.state NOT IN ('decided', 'answered', 'declined'))
                    AND NOT ($7 AND d.personal_data = 'found')
                  ORDER BY d.registered_at DESC, d.id DESC
                  LIMIT $8::bigint + 1) m
            JOIN document_numbers n ON n.document_id = m.id
        ),
        hits AS (
            SELECT * FROM referral_hits
            UNION ALL
            SELECT * FROM case_hits
            UNION ALL
            SELECT * FROM document_hits
        )
        SELECT id AS "id!", max(rank)::real AS "rank!",
               EXISTS (SELECT 1 FROM hits WHERE n > $8) AS "capped!"
        FROM hits
        WHERE n <= $8
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
        has_digits,
        cap,
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(Found {
        capped: rows.first().is_some_and(|r| r.capped),
        hits: rows.into_iter().map(|r| (r.id, r.rank)).collect(),
    })
}
