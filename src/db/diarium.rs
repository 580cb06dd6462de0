//! The public diarium: what offentlighetsprincipen makes public, and nothing else.
//! No drafts, reviews, comments or accounts are read here; a secret remiss shows
//! only its number, date, sender and marking.

use std::collections::HashMap;

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
                  r.annulled_reason
           FROM unnest($1::uuid[]) WITH ORDINALITY AS p(id, n)
           JOIN cases c ON c.id = p.id
           JOIN referrals r ON r.id = c.referral_id
           JOIN organs o ON o.id = c.organ_id
           LEFT JOIN users ru ON ru.id = r.registered_by
           LEFT JOIN organs mo ON mo.id = ru.organ_id
           LEFT JOIN LATERAL (
               SELECT d.outcome, d.decided_on, d.paragraph, rep.dispatched_on
               FROM replies rep JOIN decisions d ON d.id = rep.decision_id
               WHERE rep.case_id = c.id LIMIT 1
           ) rep ON true
           ORDER BY p.n"#,
        case_ids,
    )
    .fetch_all(conn)
    .await
}

/// When the public could last see something new of each of these cases: the
/// latest public event of the case or of its remiss (the Atom feed's `updated`).
/// Apart from [`entries`], so that the pages, which do not show it, do not pay
/// two audit-log probes per entry.
pub async fn latest_public_events(
    conn: &mut PgConnection,
    case_ids: &[Uuid],
) -> sqlx::Result<HashMap<Uuid, DateTime<Utc>>> {
    let rows = sqlx::query!(
        r#"SELECT c.id,
                  greatest(c.created_at,
                           (SELECT max(e.at) FROM audit_events e
                            WHERE e.case_id = c.id AND e.action = ANY($2)),
                           (SELECT max(e.at) FROM audit_events e
                            WHERE e.referral_id = c.referral_id AND e.case_id IS NULL
                              AND e.action = ANY($2))) AS "at!"
           FROM cases c WHERE c.id = ANY($1)"#,
        case_ids,
        &public_actions(),
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.at)).collect())
}

/// A hit's place in the diarium search's order: best rank first, then the newest
/// remiss, then its cases by id (a remiss's cases stay together). The last hit
/// of a page is where the next one begins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchHit {
    pub rank: f32,
    pub referral_registered_at: DateTime<Utc>,
    pub referral_id: Uuid,
    pub case_id: Uuid,
}

impl SearchHit {
    /// Before every hit: where the first page begins.
    const FIRST: SearchHit = SearchHit {
        rank: f32::MAX,
        referral_registered_at: DateTime::<Utc>::MAX_UTC,
        referral_id: Uuid::max(),
        case_id: Uuid::max(),
    };
}

/// One page of the diarium's search, best first, and whether a kind of match had
/// more than its newest `cap` ranked.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub hits: Vec<SearchHit>,
    pub capped: bool,
}

/// A row of [`search`] or [`by_number`]: a hit, and whether some kind of match
/// had more than `cap` (the same on every row).
struct HitRow {
    case_id: Uuid,
    rank: f32,
    referral_at: DateTime<Utc>,
    referral_id: Uuid,
    capped: bool,
}

impl From<Vec<HitRow>> for Found {
    fn from(rows: Vec<HitRow>) -> Self {
        Found {
            capped: rows.first().is_some_and(|r| r.capped),
            hits: rows
                .into_iter()
                .map(|r| SearchHit {
                    rank: r.rank,
                    referral_registered_at: r.referral_at,
                    referral_id: r.referral_id,
                    case_id: r.case_id,
                })
                .collect(),
        }
    }
}

/// Search by words in what the diarium shows: a non-secret remiss's title and
/// sender, the text of dispatched, non-secret answers, and the titles of public
/// documents. (Numbers are looked up by [`by_number`].)
/// Each kind of match ranks only its newest `cap` matches. It runs in a
/// transaction from [`super::begin_search`], which plans it for its words.
pub async fn search(
    tx: &mut Transaction<'_, Postgres>,
    words: &str,
    // The query has digits: it must not find text where a personnummer was masked,
    // or a search would confirm a number the page hides.
    has_digits: bool,
    after: Option<&SearchHit>,
    limit: i64,
    cap: i64,
) -> sqlx::Result<Found> {
    let after = after.copied().unwrap_or(SearchHit::FIRST);
    let rows = sqlx::query_as!(
        HitRow,
        r#"WITH referral_matches AS (
            -- Non-secret remisser by their public words: the newest $6 matches,
            -- numbered `n`, and one more, which tells that there were more.
            SELECT m.id, m.created_at,
                   ts_rank_cd(m.search_public, to_tsquery('swedish', $1))::real AS rank,
                   row_number() OVER (ORDER BY m.created_at DESC, m.id DESC) AS n
            FROM (SELECT r.id, r.created_at, r.search_public FROM referrals r
                  WHERE NOT r.secret AND r.search_public @@ to_tsquery('swedish', $1)
                    AND NOT ($5 AND r.personal_data_found)
                  ORDER BY r.created_at DESC, r.id DESC
                  LIMIT $6::bigint + 1) m
        ),
        case_matches AS (
            -- Answered cases of non-secret remisser by their text.
            SELECT m.id, m.referral_id, m.referral_at,
                   ts_rank_cd(m.search, to_tsquery('swedish', $1))::real AS rank,
                   row_number() OVER (ORDER BY m.created_at DESC, m.id DESC) AS n
            FROM (SELECT c.id, c.referral_id, r.created_at AS referral_at, c.created_at, c.search
                  FROM cases c
                  -- (OFFSET 0: each match's remiss probed by its key, never a hash of
                  -- every remiss, as a rare word's overestimated matches were planned.)
                  CROSS JOIN LATERAL (SELECT r.created_at, r.secret
                                      FROM referrals r WHERE r.id = c.referral_id OFFSET 0) r
                  WHERE c.state = 'answered' AND NOT r.secret AND c.search @@ to_tsquery('swedish', $1)
                    AND NOT ($5 AND c.personal_data_found)
                  ORDER BY c.created_at DESC, c.id DESC
                  LIMIT $6::bigint + 1) m
        ),
        document_matches AS (
            -- Documents by their title: those that are public (not secret, of a
            -- remiss that is not secret, and not a case's working material).
            SELECT n.case_id AS id, m.referral_id, m.referral_at, m.rank, m.n
            FROM (SELECT d.id, r.id AS referral_id, r.created_at AS referral_at, ts_rank_cd(d.search, to_tsquery('swedish', $1))::real AS rank,
                         row_number() OVER (ORDER BY d.registered_at DESC, d.id DESC) AS n
                  FROM documents d
                  LEFT JOIN cases oc ON oc.id = d.case_id
                  JOIN referrals r ON r.id = coalesce(d.referral_id, oc.referral_id)
                  WHERE d.search @@ to_tsquery('swedish', $1)
                    AND d.secrecy_provision IS NULL AND NOT r.secret
                    AND NOT (d.case_id IS NOT NULL AND d.direction = 'drawn_up'
                             AND oc.state NOT IN ('decided', 'answered', 'declined'))
                    AND NOT ($5 AND d.personal_data = 'found')
                  ORDER BY d.registered_at DESC, d.id DESC
                  LIMIT $6::bigint + 1) m
            JOIN document_numbers n ON n.document_id = m.id
        ),
        referral_page AS (
            -- A remiss shows all its cases, in the order (rank, remiss, case). Only
            -- the first $4 + 1 remisser after the cursor can have a case on this
            -- page: each has a case, and at most one (the cursor's) is used up.
            SELECT id, created_at, rank FROM referral_matches
            WHERE n <= $6 AND (rank, created_at, id) <= ($2, $7, $8)
            ORDER BY rank DESC, created_at DESC, id DESC
            LIMIT $4::bigint + 1
        ),
        hits AS (
            -- Each hit carries its remiss's registration, the order's second key:
            -- joining the hits to the remisser instead was planned, with a few
            -- hundred hits, as a hash of every remiss.
            SELECT c.id, c.referral_id, p.created_at AS referral_at, p.rank
            FROM referral_page p JOIN cases c ON c.referral_id = p.id
            UNION ALL
            SELECT id, referral_id, referral_at, rank FROM case_matches WHERE n <= $6
            UNION ALL
            SELECT id, referral_id, referral_at, rank FROM document_matches WHERE n <= $6
        )
        SELECT h.id AS "case_id!", max(h.rank) AS "rank!", h.referral_at AS "referral_at!", h.referral_id AS "referral_id!",
               EXISTS (SELECT 1 FROM referral_matches WHERE n > $6)
               OR EXISTS (SELECT 1 FROM case_matches WHERE n > $6)
               OR EXISTS (SELECT 1 FROM document_matches WHERE n > $6) AS "capped!"
        FROM hits h
        GROUP BY h.id, h.referral_id, h.referral_at
        HAVING (max(h.rank), h.referral_at, h.referral_id, h.id) < ($2, $7, $8, $3)
        ORDER BY 2 DESC, 3 DESC, 4 DESC, 1 DESC
        LIMIT $4"#,
        words,
        after.rank,
        after.case_id,
        limit,
        has_digits,
        cap,
        after.referral_registered_at,
        after.referral_id,
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(Found::from(rows))
}

/// Look a diarienummer up in the diarium, in the order of [`search`]: a case by
/// its number (exactly or by prefix), and every case of a remiss, secret or not,
/// by the sender's number (`2019/1939`). The statement is the same whatever the
/// number, so it runs on one generic plan, in a transaction from
/// [`super::begin_generic`] (see `db::search::by_number`).
pub async fn by_number(
    tx: &mut Transaction<'_, Postgres>,
    dnr: &DnrQuery,
    after: Option<&SearchHit>,
    limit: i64,
    cap: i64,
) -> sqlx::Result<Found> {
    let after = after.copied().unwrap_or(SearchHit::FIRST);
    let rows = sqlx::query_as!(
        HitRow,
        r#"WITH referral_matches AS (
            -- Remisser by the sender's number: a range, which the text_pattern_ops
            -- index serves. The newest $4 matches, numbered `n`, and one more,
            -- which tells that there were more.
            SELECT r.id, r.created_at, row_number() OVER (ORDER BY r.created_at DESC, r.id DESC) AS n
            FROM referrals r
            WHERE r.sender_dnr_key ~>=~ $2 AND r.sender_dnr_key ~<~ ($2 || chr(1114111))
            ORDER BY r.created_at DESC, r.id DESC
            LIMIT $4::bigint + 1
        ),
        case_matches AS (
            -- Cases by diarienummer, exactly or by prefix: the range first (OFFSET 0)
            -- and each one's remiss by its key, so that the one plan neither walks
            -- every case newest first nor hashes every remiss for a few matches.
            SELECT m.id, m.referral_id,
                   (SELECT r.created_at FROM referrals r WHERE r.id = m.referral_id) AS referral_at,
                   row_number() OVER (ORDER BY m.created_at DESC, m.id DESC) AS n
            FROM (SELECT c.id, c.referral_id, c.created_at FROM cases c
                  WHERE c.dnr_text ~>=~ $1 AND c.dnr_text ~<~ ($1 || chr(1114111))
                  OFFSET 0) m
            ORDER BY m.created_at DESC, m.id DESC
            LIMIT $4::bigint + 1
        ),
        referral_page AS (
            -- As in the search by words: only the first $3 + 1 remisser after the
            -- cursor can have a case on this page.
            SELECT id, created_at FROM referral_matches
            WHERE n <= $4 AND (50::real, created_at, id) <= ($5, $7, $8)
            ORDER BY created_at DESC, id DESC
            LIMIT $3::bigint + 1
        ),
        hits AS (
            SELECT c.id, c.referral_id, p.created_at AS referral_at, 50::real AS rank
            FROM referral_page p JOIN cases c ON c.referral_id = p.id
            UNION ALL
            SELECT id, referral_id, referral_at, 100::real FROM case_matches WHERE n <= $4
        )
        SELECT h.id AS "case_id!", max(h.rank) AS "rank!", h.referral_at AS "referral_at!", h.referral_id AS "referral_id!",
               EXISTS (SELECT 1 FROM referral_matches WHERE n > $4)
               OR EXISTS (SELECT 1 FROM case_matches WHERE n > $4) AS "capped!"
        FROM hits h
        GROUP BY h.id, h.referral_id, h.referral_at
        HAVING (max(h.rank), h.referral_at, h.referral_id, h.id) < ($5, $7, $8, $6)
        ORDER BY 2 DESC, 3 DESC, 4 DESC, 1 DESC
        LIMIT $3"#,
        dnr.text_prefix(),
        dnr.year_seq(),
        limit,
        cap,
        after.rank,
        after.case_id,
        after.referral_registered_at,
        after.referral_id,
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(Found::from(rows))
}
