//! Search over remisser and cases: PostgreSQL full-text search with the Swedish
//! configuration, and diarienummer looked up exactly or by prefix. Visibility is
//! part of every query, exactly as the pages apply it.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, Postgres, Transaction};
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

/// The hits a search found, before they are shown ([`shown`]): what each is and
/// its place in the order.
#[derive(Debug, Default)]
pub struct Keys(Vec<KeyRow>);

/// A row of [`by_words`] or [`by_number`]: a hit, and whether some kind of match
/// had more than `cap` (the same on every row; see [`Found::capped`]).
#[derive(Debug)]
struct KeyRow {
    kind: String,
    id: Uuid,
    referral_id: Uuid,
    rank: f32,
    registered_at: DateTime<Utc>,
    capped: bool,
}

impl After {
    /// Before every hit: where the first page begins.
    const FIRST: After = After {
        rank: f32::MAX,
        registered_at: DateTime::<Utc>::MAX_UTC,
        id: Uuid::max(),
    };
}

/// One page of hits by words, best first and, of equal rank, newest first.
/// `after` is the last hit of the previous page: the page continues below it
/// without counting what came before. Each kind of match ranks only its newest
/// `cap` matches, so that a common word costs no more than a rare one. It runs in
/// a transaction from [`super::begin_search`], which plans it for its words: how
/// to find the newest matches depends on how common they are.
#[allow(clippy::too_many_arguments)]
pub async fn by_words(
    tx: &mut Transaction<'_, Postgres>,
    // A `to_tsquery` expression (see `domain::search::tsquery`), not empty.
    words: &str,
    filters: &Filters,
    viewer: &Viewer,
    after: Option<After>,
    limit: i64,
    cap: i64,
) -> sqlx::Result<Keys> {
    let after = after.unwrap_or(After::FIRST);
    // Words with digits must not find text where a personnummer is masked for
    // this viewer, or a search would confirm a number the page hides.
    let has_digits = words.chars().any(|c| c.is_ascii_digit());
    let rows = sqlx::query_as!(
        KeyRow,
        r#"WITH referral_hits AS (
            -- Remisser by their words, the description only where the viewer may read
            -- it. Each kind of hit takes only its newest $14 matches, numbered `n`,
            -- and one more, which tells that there were more.
            SELECT 'referral' AS kind, m.id, m.id AS referral_id, m.created_at,
                   ts_rank_cd(CASE WHEN m.visible THEN m.search_all ELSE m.search_public END,
                              to_tsquery('swedish', $1)) AS rank,
                   row_number() OVER (ORDER BY m.created_at DESC, m.id DESC) AS n
            FROM (SELECT r.id, r.created_at, r.search_public, r.search_all, v.visible
                  FROM referrals r
                  -- (OFFSET 0: probed per secret remiss, not hashed over all of an organ's cases.)
                  CROSS JOIN LATERAL (SELECT NOT r.secret OR $5 OR EXISTS (
                      SELECT 1 FROM cases c WHERE c.referral_id = r.id AND c.organ_id = ANY($6) OFFSET 0) AS visible) v
                  WHERE NOT ($15 AND r.personal_data_found AND NOT ($7 OR EXISTS (
                            SELECT 1 FROM users ru WHERE ru.id = r.registered_by AND ru.organ_id = ANY($6))))
                    AND r.search_all @@ to_tsquery('swedish', $1)
                    AND (v.visible OR r.search_public @@ to_tsquery('swedish', $1))
                    AND ($8::uuid IS NULL OR EXISTS (SELECT 1 FROM cases x WHERE x.referral_id = r.id AND x.organ_id = $8))
                    AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM cases x WHERE x.referral_id = r.id AND x.state = $9))
                    AND ($10::text IS NULL OR r.sender_name ILIKE '%' || $10 || '%')
                    AND ($11::date IS NULL OR r.received_on >= $11)
                    AND ($12::date IS NULL OR r.received_on <= $12)
                  ORDER BY r.created_at DESC, r.id DESC
                  LIMIT $14::bigint + 1) m
        ),
        case_hits AS (
            -- Cases by their report and decisions, where the viewer may read them.
            SELECT 'case' AS kind, m.id, m.referral_id, m.created_at,
                   ts_rank_cd(m.search, to_tsquery('swedish', $1)) AS rank,
                   row_number() OVER (ORDER BY m.created_at DESC, m.id DESC) AS n
            FROM (SELECT c.id, c.referral_id, c.created_at, c.search
                  FROM cases c
                  -- (OFFSET 0: each match's remiss probed by its key. Joined, a
                  -- rare word's matches, overestimated from the statistics, were
                  -- planned as a hash of every remiss: 65 ms instead of 0.2.)
                  CROSS JOIN LATERAL (SELECT r.secret, r.sender_name, r.received_on
                                      FROM referrals r WHERE r.id = c.referral_id OFFSET 0) r
                  WHERE c.search @@ to_tsquery('swedish', $1)
                    AND (c.organ_id = ANY($6) OR $7 OR (c.state IN ('decided', 'answered') AND NOT r.secret))
                    -- Digits never confirm a personnummer that the viewer sees masked.
                    AND NOT ($15 AND c.personal_data_found AND NOT (c.organ_id = ANY($6) OR $7))
                    AND ($8::uuid IS NULL OR c.organ_id = $8)
                    AND ($9::text IS NULL OR c.state = $9)
                    AND ($10::text IS NULL OR r.sender_name ILIKE '%' || $10 || '%')
                    AND ($11::date IS NULL OR r.received_on >= $11)
                    AND ($12::date IS NULL OR r.received_on <= $12)
                  ORDER BY c.created_at DESC, c.id DESC
                  LIMIT $14::bigint + 1) m
        ),
        hits AS (
            SELECT * FROM referral_hits
            UNION ALL
            SELECT * FROM case_hits
        )
        -- Best first; of equal rank, the newest.
        SELECT h.kind AS "kind!", h.id AS "id!", h.referral_id AS "referral_id!", h.rank::real AS "rank!",
               h.created_at AS "registered_at!", EXISTS (SELECT 1 FROM hits WHERE n > $14) AS "capped!"
        FROM hits h
        WHERE h.n <= $14 AND (h.rank::real, h.created_at, h.id) < ($2, $4, $3)
        ORDER BY h.rank::real DESC, h.created_at DESC, h.id DESC
        LIMIT $13"#,
        words,
        after.rank,
        after.id,
        after.registered_at,
        viewer.sees_secret_descriptions,
        &viewer.organs,
        viewer.sees_all_cases,
        filters.organ,
        filters.state.map(CaseState::as_str),
        filters.sender,
        filters.received_from,
        filters.received_to,
        limit,
        cap,
        has_digits,
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(Keys(rows))
}

/// One page of hits by a diarienummer, in the order of [`by_words`]: a case with
/// that number exactly first, then cases by prefix or by year and number, then
/// remisser by the sender's number. Every case and remiss is found by its
/// number, as the diarium lists them all. The statement is the same whatever the
/// number, so it runs on one generic plan (in a transaction from
/// [`super::begin_generic`]): planning it for each lookup took seven times as
/// long as the lookup (BENCHMARKS.md, 2026-11-30 17:30).
pub async fn by_number(
    tx: &mut Transaction<'_, Postgres>,
    dnr: &DnrQuery,
    filters: &Filters,
    after: Option<After>,
    limit: i64,
    cap: i64,
) -> sqlx::Result<Keys> {
    let after = after.unwrap_or(After::FIRST);
    let prefix = dnr.text_prefix();
    let exact = match dnr {
        DnrQuery::Full { .. } => prefix.clone(),
        _ => None,
    };
    let (year, seq) = match dnr {
        DnrQuery::YearSeq { year, seq, .. } => (Some(*year), Some(*seq)),
        _ => (None, None),
    };
    let rows = sqlx::query_as!(
        KeyRow,
        r#"WITH referral_hits AS (
            -- Remisser by the sender's number (`2019/1939`): a range, which the
            -- text_pattern_ops index serves. Each kind of hit takes only its newest
            -- $15 matches, numbered `n`, and one more, which tells that there were more.
            SELECT 'referral' AS kind, r.id, r.id AS referral_id, r.created_at, 50 AS rank,
                   row_number() OVER (ORDER BY r.created_at DESC, r.id DESC) AS n
            FROM referrals r
            WHERE r.sender_dnr_key ~>=~ $5 AND r.sender_dnr_key ~<~ ($5 || chr(1114111))
              AND ($9::uuid IS NULL OR EXISTS (SELECT 1 FROM cases x WHERE x.referral_id = r.id AND x.organ_id = $9))
              AND ($10::text IS NULL OR EXISTS (SELECT 1 FROM cases x WHERE x.referral_id = r.id AND x.state = $10))
              AND ($11::text IS NULL OR r.sender_name ILIKE '%' || $11 || '%')
              AND ($12::date IS NULL OR r.received_on >= $12)
              AND ($13::date IS NULL OR r.received_on <= $13)
            ORDER BY r.created_at DESC, r.id DESC
            LIMIT $15::bigint + 1
        ),
        case_hits AS (
            -- Cases by diarienummer: exactly (first), by prefix, or by year and number.
            SELECT 'case' AS kind, c.id, c.referral_id, c.created_at,
                   CASE WHEN c.dnr_text = $2 THEN 100 WHEN $3::int IS NOT NULL THEN 90 ELSE 60 END AS rank,
                   row_number() OVER (ORDER BY c.dnr_text = $2 DESC, c.created_at DESC, c.id DESC) AS n
            FROM cases c JOIN referrals r ON r.id = c.referral_id
            WHERE ((c.dnr_text ~>=~ $1 AND c.dnr_text ~<~ ($1 || chr(1114111)))
                   OR (c.dnr_year = $3 AND c.dnr_seq = $4))
              AND ($9::uuid IS NULL OR c.organ_id = $9)
              AND ($10::text IS NULL OR c.state = $10)
              AND ($11::text IS NULL OR r.sender_name ILIKE '%' || $11 || '%')
              AND ($12::date IS NULL OR r.received_on >= $12)
              AND ($13::date IS NULL OR r.received_on <= $13)
            ORDER BY c.dnr_text = $2 DESC, c.created_at DESC, c.id DESC
            LIMIT $15::bigint + 1
        ),
        hits AS (
            SELECT * FROM referral_hits
            UNION ALL
            SELECT * FROM case_hits
        )
        SELECT h.kind AS "kind!", h.id AS "id!", h.referral_id AS "referral_id!", h.rank::real AS "rank!",
               h.created_at AS "registered_at!", EXISTS (SELECT 1 FROM hits WHERE n > $15) AS "capped!"
        FROM hits h
        WHERE h.n <= $15 AND (h.rank::real, h.created_at, h.id) < ($6, $8, $7)
        ORDER BY h.rank::real DESC, h.created_at DESC, h.id DESC
        LIMIT $14"#,
        prefix,
        exact,
        year,
        seq,
        dnr.year_seq(),
        after.rank,
        after.id,
        after.registered_at,
        filters.organ,
        filters.state.map(CaseState::as_str),
        filters.sender,
        filters.received_from,
        filters.received_to,
        limit,
        cap,
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(Keys(rows))
}

/// The hits a search found, as the page shows them: titles, numbers and a
/// snippet with `words` marked, from what the viewer may read of each.
pub async fn shown(
    conn: &mut PgConnection,
    keys: Keys,
    // A `to_tsquery` expression: the words the query was written with.
    words: &str,
    viewer: &Viewer,
) -> sqlx::Result<Found> {
    let Keys(keys) = keys;
    if keys.is_empty() {
        return Ok(Found::default());
    }
    let kinds: Vec<&str> = keys.iter().map(|k| k.kind.as_str()).collect();
    let ids: Vec<Uuid> = keys.iter().map(|k| k.id).collect();
    let referral_ids: Vec<Uuid> = keys.iter().map(|k| k.referral_id).collect();
    let rows = sqlx::query!(
        r#"SELECT p.n AS "n!", c.dnr_text AS "dnr?", r.title, r.sender_name, r.sender_dnr, r.received_on,
                  c.state AS "state?", o.name AS "organ_name?", o.id AS "organ_id?",
                  ts_headline('swedish',
                      CASE WHEN p.kind = 'case' AND (c.organ_id = ANY($5) OR $6 OR (c.state IN ('decided', 'answered') AND NOT r.secret))
                           THEN coalesce(rev.summary || ' ' || rev.considerations, r.title)
                           WHEN p.kind = 'case' THEN r.title
                           WHEN NOT r.secret OR $4 OR EXISTS (SELECT 1 FROM cases x WHERE x.referral_id = r.id AND x.organ_id = ANY($5))
                           THEN r.title || '. ' || r.description
                           ELSE r.title END,
                      to_tsquery('swedish', $7), 'StartSel=⟦, StopSel=⟧, MaxFragments=2, MaxWords=25, MinWords=8, FragmentDelimiter=" … "') AS "snippet!"
           FROM unnest($1::text[], $2::uuid[], $3::uuid[]) WITH ORDINALITY AS p(kind, id, referral_id, n)
           JOIN referrals r ON r.id = p.referral_id
           LEFT JOIN cases c ON p.kind = 'case' AND c.id = p.id
           LEFT JOIN organs o ON o.id = c.organ_id
           LEFT JOIN LATERAL (
               SELECT summary, considerations FROM report_revisions WHERE case_id = c.id ORDER BY number DESC LIMIT 1
           ) rev ON p.kind = 'case'
           ORDER BY p.n"#,
        &kinds as &[&str],
        &ids,
        &referral_ids,
        viewer.sees_secret_descriptions,
        &viewer.organs,
        viewer.sees_all_cases,
        words,
    )
    .fetch_all(conn)
    .await?;
    let hits = rows
        .into_iter()
        .filter_map(|row| {
            let key = keys.get(usize::try_from(row.n).ok()?.checked_sub(1)?)?;
            Some(Hit {
                kind: key.kind.clone(),
                id: key.id,
                referral_id: key.referral_id,
                title: row.title,
                dnr: row.dnr,
                sender_name: row.sender_name,
                sender_dnr: row.sender_dnr,
                received_on: row.received_on,
                state: row.state,
                organ_name: row.organ_name,
                organ_id: row.organ_id,
                snippet: row.snippet,
                rank: key.rank,
                registered_at: key.registered_at,
            })
        })
        .collect();
    Ok(Found {
        hits,
        capped: keys.first().is_some_and(|k| k.capped),
    })
}
