//! Search over remisser and cases: PostgreSQL full-text search with the Swedish
//! configuration, and diarienummer looked up exactly or by prefix. Visibility is
//! part of every query, exactly as the pages apply it.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Postgres, Transaction};
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
    /// Part of the sender's name, its wildcards escaped (`domain::search::like_part`).
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
    /// The organ whose case it is (None for a remiss).
    pub organ_id: Option<Uuid>,
    /// With ⟦ ⟧ around the matched words.
    pub snippet: String,
    pub rank: f32,
    /// When the remiss or case was registered: of equal rank, the newest first.
    pub registered_at: DateTime<Utc>,
}

/// One page of hits, best first, and whether a kind of hit had more matches than
/// were ranked.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub hits: Vec<Hit>,
    /// Only the newest `cap` matches of some kind (remisser or cases by their words,
    /// by number) were ranked: older ones need more words or filters.
    pub capped: bool,
}

/// Where a page of hits ends: the last hit's rank, registration and id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct After {
    pub rank: f32,
    pub registered_at: DateTime<Utc>,
    pub id: Uuid,
}

/// One page of hits, best first and, of equal rank, newest first. `after` is the
/// last hit of the previous page: the page continues below it without counting
/// what came before.
/// Each kind of match ranks only its newest `cap` matches, so that a common word
/// costs no more than a rare one. It runs in a transaction from
/// [`super::begin_search`], which plans it for its parameters.
#[allow(clippy::too_many_arguments)]
pub async fn search(
    tx: &mut Transaction<'_, Postgres>,
    // A `to_tsquery` expression (see `domain::search::tsquery`); empty for none.
    words: &str,
    dnr: Option<&DnrQuery>,
    filters: &Filters,
    viewer: &Viewer,
    after: Option<After>,
    limit: i64,
    cap: i64,
) -> sqlx::Result<Found> {
    let after = after.unwrap_or(After {
        rank: f32::MAX,
        registered_at: DateTime::<Utc>::MAX_UTC,
        id: Uuid::max(),
    });
    let dnr_prefix = dnr.and_then(DnrQuery::text_prefix);
    let dnr_exact = match dnr {
        Some(DnrQuery::Full { .. }) => dnr_prefix.clone(),
        _ => None,
    };
    let (year, seq) = match dnr {
        Some(DnrQuery::YearSeq { year, seq, .. }) => (Some(*year), Some(*seq)),
        _ => (None, None),
    };
    let sender_key = dnr.and_then(DnrQuery::year_seq);
    // Words with digits must not find text where a personnummer is masked for
    // this viewer, or a search would confirm a number the page hides.
    let has_digits = dnr.is_none() && words.chars().any(|c| c.is_ascii_digit());
    // A diarienummer is looked up by number only; its words would match any case
    // of that year. The words still mark the snippets.
    let text_words = if dnr.is_some() { "" } else { words };
    let rows = sqlx::query!(
        r#"WITH referral_hits AS (
            -- Remisser by their words, the description only where the viewer may read
            -- it, or by the sender's number (`2019/1939`). Each kind of hit takes only
            -- its newest $18 matches, numbered `n`, and one more, which tells that there
            -- were more. Planned for the parameters, only one way of matching remains.
            SELECT 'referral' AS kind, m.id, m.id AS referral_id, m.created_at,
                   CASE WHEN $11::text IS NOT NULL THEN 50
                        ELSE ts_rank_cd(CASE WHEN m.visible THEN m.search_all ELSE m.search_public END,
                                        to_tsquery('swedish', $1)) END AS rank,
                   row_number() OVER (ORDER BY m.created_at DESC, m.id DESC) AS n
            FROM (SELECT r.id, r.created_at, r.search_public, r.search_all, v.visible
                  FROM referrals r
                  -- (OFFSET 0: probed per secret remiss, not hashed over all of an organ's cases.)
                  CROSS JOIN LATERAL (SELECT NOT r.secret OR $4 OR EXISTS (
                      SELECT 1 FROM cases c WHERE c.referral_id = r.id AND c.organ_id = ANY($5) OFFSET 0) AS visible) v
                  WHERE NOT ($20 AND r.personal_data_found AND NOT ($10 OR EXISTS (
                            SELECT 1 FROM users ru WHERE ru.id = r.registered_by AND ru.organ_id = ANY($5))))
                    AND (($1 <> ''
                          AND r.search_all @@ to_tsquery('swedish', $1)
                          AND (v.visible OR r.search_public @@ to_tsquery('swedish', $1)))
                         -- A range, which the text_pattern_ops index serves in any plan.
                         OR ($11::text IS NOT NULL
                             AND r.sender_dnr_key ~>=~ $11 AND r.sender_dnr_key ~<~ ($11 || chr(1114111))))
                    AND ($12::uuid IS NULL OR EXISTS (SELECT 1 FROM cases x WHERE x.referral_id = r.id AND x.organ_id = $12))
                    AND ($13::text IS NULL OR EXISTS (SELECT 1 FROM cases x WHERE x.referral_id = r.id AND x.state = $13))
                    AND ($14::text IS NULL OR r.sender_name ILIKE '%' || $14 || '%')
                    AND ($15::date IS NULL OR r.received_on >= $15)
                    AND ($16::date IS NULL OR r.received_on <= $16)
                  ORDER BY r.created_at DESC, r.id DESC
                  LIMIT $18::bigint + 1) m
        ),
        case_hits AS (
            -- Cases by their report and decisions, or by diarienummer: exactly (first),
            -- by prefix, or by year and number; where the viewer may see them.
            SELECT 'case' AS kind, m.id, m.referral_id, m.created_at,
                   CASE WHEN m.dnr_text = $7 THEN 100 WHEN $8::int IS NOT NULL THEN 90 WHEN $6::text IS NOT NULL THEN 60
                        ELSE ts_rank_cd(m.search, to_tsquery('swedish', $1)) END AS rank,
                   row_number() OVER (ORDER BY m.dnr_text = $7 DESC, m.created_at DESC, m.id DESC) AS n
            FROM (SELECT c.id, c.referral_id, c.created_at, c.dnr_text, c.search
                  FROM cases c JOIN referrals r ON r.id = c.referral_id
                  WHERE (($1 <> '' AND c.search @@ to_tsquery('swedish', $1))
                         OR ($6::text IS NOT NULL AND c.dnr_text ~>=~ $6 AND c.dnr_text ~<~ ($6 || chr(1114111)))
                         OR ($8::int IS NOT NULL AND c.dnr_year = $8 AND c.dnr_seq = $9))
                    -- Found as the pages show it: by its number, as the diarium has
                    -- every case; by its text, where the viewer may read that.
                    AND (c.organ_id = ANY($5) OR $10 OR (c.state IN ('decided', 'answered') AND NOT r.secret)
                         OR $6::text IS NOT NULL OR $8::int IS NOT NULL)
                    -- Digits never confirm a personnummer that the viewer sees masked.
                    AND NOT ($20 AND c.personal_data_found AND NOT (c.organ_id = ANY($5) OR $10))
                    AND ($12::uuid IS NULL OR c.organ_id = $12)
                    AND ($13::text IS NULL OR c.state = $13)
                    AND ($14::text IS NULL OR r.sender_name ILIKE '%' || $14 || '%')
                    AND ($15::date IS NULL OR r.received_on >= $15)
                    AND ($16::date IS NULL OR r.received_on <= $16)
                  ORDER BY c.dnr_text = $7 DESC, c.created_at DESC, c.id DESC
                  LIMIT $18::bigint + 1) m
        ),
        hits AS (
            SELECT * FROM referral_hits
            UNION ALL
            SELECT * FROM case_hits
        ),
        page AS (
            -- Best first; of equal rank, the newest.
            SELECT h.kind, h.id, h.referral_id, h.rank::real AS rank, h.created_at
            FROM hits h
            WHERE h.n <= $18 AND (h.rank::real, h.created_at, h.id) < ($2, $21, $3)
            ORDER BY 4 DESC, h.created_at DESC, h.id DESC
            LIMIT $17
        )
        SELECT p.kind AS "kind!", p.id AS "id!", r.id AS "referral_id!", r.title AS "title!",
               c.dnr_text AS "dnr?", r.sender_name AS "sender_name!", r.sender_dnr AS "sender_dnr!",
               r.received_on AS "received_on!", c.state AS "state?", o.name AS "organ_name?", o.id AS "organ_id?",
               ts_headline('swedish',
                   CASE WHEN p.kind = 'case' AND (c.organ_id = ANY($5) OR $10 OR (c.state IN ('decided', 'answered') AND NOT r.secret))
                        THEN coalesce(rev.summary || ' ' || rev.considerations, r.title)
                        WHEN p.kind = 'case' THEN r.title
                        WHEN NOT r.secret OR $4 OR EXISTS (SELECT 1 FROM cases x WHERE x.referral_id = r.id AND x.organ_id = ANY($5))
                        THEN r.title || '. ' || r.description
                        ELSE r.title END,
                   to_tsquery('swedish', $19), 'StartSel=⟦, StopSel=⟧, MaxFragments=2, MaxWords=25, MinWords=8, FragmentDelimiter=" … "') AS "snippet!",
               p.rank AS "rank!", p.created_at AS "registered_at!",
               EXISTS (SELECT 1 FROM hits WHERE n > $18) AS "capped!"
        FROM page p
        JOIN referrals r ON r.id = p.referral_id
        LEFT JOIN cases c ON p.kind = 'case' AND c.id = p.id
        LEFT JOIN organs o ON o.id = c.organ_id
        LEFT JOIN LATERAL (
            SELECT summary, considerations FROM report_revisions WHERE case_id = c.id ORDER BY number DESC LIMIT 1
        ) rev ON p.kind = 'case'
        ORDER BY p.rank DESC, p.created_at DESC, p.id DESC"#,
        text_words,
        after.rank,
        after.id,
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
        cap,
        words,
        has_digits,
        after.registered_at,
    )
    .fetch_all(&mut **tx)
    .await?;
    let capped = rows.first().is_some_and(|r| r.capped);
    let hits = rows
        .into_iter()
        .map(|r| Hit {
            kind: r.kind,
            id: r.id,
            referral_id: r.referral_id,
            title: r.title,
            dnr: r.dnr,
            sender_name: r.sender_name,
            sender_dnr: r.sender_dnr,
            received_on: r.received_on,
            state: r.state,
            organ_name: r.organ_name,
            organ_id: r.organ_id,
            snippet: r.snippet,
            rank: r.rank,
            registered_at: r.registered_at,
        })
        .collect();
    Ok(Found { hits, capped })
}
