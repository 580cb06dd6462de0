//! Search over remisser and cases: PostgreSQL full-text search with the Swedish
//! configuration, and diarienummer looked up exactly or by prefix. Visibility is
//! part of every query, exactly as the pages apply it.

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::CaseState;
use crate::domain::search::DnrQuery;

/// Who is searching: what they may see decides what they find.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    /// Organs where the viewer holds a role: their drafts are visible.
    pub organs: Vec<Uuid>,
    /// Administrators and registrars see every remiss's description, secret or not.
    pub sees_secret_descriptions: bool,
    /// Administrators see every case's working material.
    pub sees_all_cases: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub organ: Option<Uuid>,
    pub state: Option<CaseState>,
    /// Part of the sender's name.
    pub sender: Option<String>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct Hit {
    /// `referral` or `case`.
    pub kind: String,
    pub id: Uuid,
    pub referral_id: Uuid,
    pub title: String,
    pub dnr: Option<String>,
    pub sender_name: String,
    pub sender_dnr: String,
    pub received_on: NaiveDate,
    pub state: Option<String>,
    pub organ_name: Option<String>,
    /// With ⟦ ⟧ around the matched words.
    pub snippet: String,
    pub rank: f32,
}

/// One page of hits, best first. `after` is the last hit of the previous page
/// (rank, id): the page continues below it without counting what came before.
pub async fn search(
    conn: &mut PgConnection,
    // A `to_tsquery` expression (see `domain::search::tsquery`); empty for none.
    words: &str,
    dnr: Option<&DnrQuery>,
    filters: &Filters,
    viewer: &Viewer,
    after: Option<(f32, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<Hit>> {
    let (after_rank, after_id) = after.unwrap_or((f32::MAX, Uuid::max()));
    let dnr_prefix = dnr.and_then(DnrQuery::text_prefix);
    let dnr_exact = match dnr {
        Some(DnrQuery::Full { .. }) => dnr_prefix.clone(),
        _ => None,
    };
    let (year, seq) = match dnr {
        Some(DnrQuery::YearSeq { year, seq }) => (Some(*year), Some(*seq)),
        _ => (None, None),
    };
    let sender_key = dnr.and_then(DnrQuery::year_seq);
    sqlx::query_as!(
        Hit,
        r#"WITH q AS (SELECT to_tsquery('swedish', $1) AS query),
        hits AS (
            -- Remisser by their words; the description only where the viewer may read it.
            SELECT 'referral' AS kind, r.id,
                   ts_rank_cd(r.search_public || CASE WHEN v.visible THEN r.search_description ELSE ''::tsvector END, q.query) AS rank
            FROM referrals r CROSS JOIN q
            CROSS JOIN LATERAL (SELECT NOT r.secret OR $4 OR EXISTS (
                SELECT 1 FROM cases c WHERE c.referral_id = r.id AND c.organ_id = ANY($5)) AS visible) v
            WHERE $1 <> '' AND (r.search_public @@ q.query OR (v.visible AND r.search_description @@ q.query))
            UNION ALL
            -- Remisser by the sender's number (`2019/1939`).
            SELECT 'referral', r.id, 50 FROM referrals r
            WHERE $11::text IS NOT NULL AND r.sender_dnr_key LIKE $11 || '%'
            UNION ALL
            -- Cases by their report and decisions, where the viewer may see them.
            SELECT 'case', c.id, ts_rank_cd(c.search, q.query)
            FROM cases c CROSS JOIN q
            WHERE $1 <> '' AND c.search @@ q.query
            UNION ALL
            -- Cases by diarienummer: exactly (first), by prefix, or by year and number.
            SELECT 'case', c.id, CASE WHEN c.dnr_text = $7 THEN 100 ELSE 60 END FROM cases c
            WHERE $6::text IS NOT NULL AND c.dnr_text LIKE $6 || '%'
            UNION ALL
            SELECT 'case', c.id, 90 FROM cases c
            WHERE $8::int IS NOT NULL AND c.dnr_year = $8 AND c.dnr_seq = $9
        ),
        page AS (
            SELECT h.kind, h.id, max(h.rank)::real AS rank
            FROM hits h
            LEFT JOIN cases c ON h.kind = 'case' AND c.id = h.id
            JOIN referrals r ON r.id = coalesce(c.referral_id, h.id)
            WHERE (h.kind = 'referral' OR c.organ_id = ANY($5) OR $10
                   OR (c.state IN ('decided', 'answered') AND NOT r.secret))
              AND ($12::uuid IS NULL OR c.organ_id = $12
                   OR (h.kind = 'referral' AND EXISTS (SELECT 1 FROM cases x WHERE x.referral_id = r.id AND x.organ_id = $12)))
              AND ($13::text IS NULL OR c.state = $13
                   OR (h.kind = 'referral' AND EXISTS (SELECT 1 FROM cases x WHERE x.referral_id = r.id AND x.state = $13)))
              AND ($14::text IS NULL OR r.sender_name ILIKE '%' || $14 || '%')
              AND ($15::date IS NULL OR r.received_on >= $15)
              AND ($16::date IS NULL OR r.received_on <= $16)
            GROUP BY h.kind, h.id
            HAVING (max(h.rank)::real, h.id) < ($2, $3)
            ORDER BY rank DESC, h.id DESC
            LIMIT $17
        )
        SELECT p.kind AS "kind!", p.id AS "id!", r.id AS "referral_id!", r.title AS "title!",
               c.dnr_text AS "dnr?", r.sender_name AS "sender_name!", r.sender_dnr AS "sender_dnr!",
               r.received_on AS "received_on!", c.state AS "state?", o.name AS "organ_name?",
               ts_headline('swedish',
                   CASE WHEN p.kind = 'case' THEN coalesce(rev.summary || ' ' || rev.considerations, r.title)
                        WHEN NOT r.secret OR $4 OR EXISTS (SELECT 1 FROM cases x WHERE x.referral_id = r.id AND x.organ_id = ANY($5))
                        THEN r.title || '. ' || r.description
                        ELSE r.title END,
                   q.query, 'StartSel=⟦, StopSel=⟧, MaxFragments=2, MaxWords=25, MinWords=8, FragmentDelimiter=" … "') AS "snippet!",
               p.rank AS "rank!"
        FROM page p CROSS JOIN q
        LEFT JOIN cases c ON p.kind = 'case' AND c.id = p.id
        JOIN referrals r ON r.id = coalesce(c.referral_id, p.id)
        LEFT JOIN organs o ON o.id = c.organ_id
        LEFT JOIN LATERAL (
            SELECT summary, considerations FROM report_revisions WHERE case_id = c.id ORDER BY number DESC LIMIT 1
        ) rev ON p.kind = 'case'
        ORDER BY p.rank DESC, p.id DESC"#,
        words,
        after_rank,
        after_id,
        viewer.sees_secret_descriptions,
        &viewer.organs,
        dnr_prefix,
        dnr_exact,
        year,
        seq,
        viewer.sees_all_cases,
        sender_key,
        filters.organ,
        filters.state.map(CaseState::as_str),
        filters.sender,
        filters.received_from,
        filters.received_to,
        limit,
    )
    .fetch_all(conn)
    .await
}
