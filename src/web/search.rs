//! The search box on every page: words and diarienummer, ranked, with
//! highlighted snippets, filters and keyset paging.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::query::{Query, cursor_time};
use super::session::CurrentUser;
use super::views::{Layout, page};
use super::{AppError, AppState};
use crate::db;
use crate::db::organs::Organ;
use crate::db::search::{After, Filters, Hit, Viewer};
use crate::domain::CaseState;
use crate::domain::dates::parse_date;
use crate::domain::personal_data::mask;
use crate::domain::search::{
    HIGHLIGHT_END, HIGHLIGHT_START, MAX_QUERY_CHARS, MAX_SEARCH_WORDS, RANKED_MATCHES, bounded,
    dnr_query, like_part, snippet_segments, tsquery, words_left_out,
};

const PAGE_SIZE: i64 = 20;

#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    organ: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    sender: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    after: String,
}

struct HitView {
    hit: Hit,
    href: String,
    state_label: String,
    segments: Vec<(String, bool)>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    params: SearchParams,
    organs: Vec<Organ>,
    states: [CaseState; 8],
    hits: Vec<HitView>,
    searched: bool,
    /// Only the newest matches were ranked.
    capped: bool,
    ranked_matches: i64,
    /// Only the first words were searched for.
    words_left_out: bool,
    max_search_words: usize,
    max_query_chars: usize,
    next_href: Option<String>,
    first_href: Option<String>,
}

/// `rank:registered µs:id` of the last hit on a page.
fn encode_after(hit: &Hit) -> String {
    format!(
        "{}:{}:{}",
        hit.rank,
        hit.registered_at.timestamp_micros(),
        hit.id
    )
}

fn decode_after(text: &str) -> Option<After> {
    let mut parts = text.splitn(3, ':');
    Some(After {
        rank: parts.next()?.parse().ok()?,
        registered_at: cursor_time(parts.next()?)?,
        id: Uuid::parse_str(parts.next()?).ok()?,
    })
}

fn viewer(user: &CurrentUser) -> Viewer {
    Viewer {
        organs: user.organs(),
        sees_secret_descriptions: user.is_admin() || user.is_registrar(),
        sees_all_cases: user.is_admin(),
    }
}

fn query_string(params: &SearchParams) -> String {
    let enc = super::session::encode_query_value;
    format!(
        "q={}&organ={}&state={}&sender={}&from={}&to={}",
        enc(params.q.trim()),
        enc(&params.organ),
        enc(&params.state),
        enc(params.sender.trim()),
        enc(&params.from),
        enc(&params.to)
    )
}

/// A case's snippet as this user may read it: outside the case's organ (as in
/// its print views), what looks like a personnummer is masked, and then the
/// matches are no longer marked, since a mark could split a number.
fn snippet_for(user: &CurrentUser, hit: &Hit) -> String {
    let insider = hit
        .organ_id
        .is_none_or(|organ| user.is_admin() || !user.roles_in(organ).is_empty());
    if insider {
        return hit.snippet.clone();
    }
    let plain: String = hit
        .snippet
        .chars()
        .filter(|&c| c != HIGHLIGHT_START && c != HIGHLIGHT_END)
        .collect();
    let (masked, found) = mask(&plain);
    if found.is_empty() {
        hit.snippet.clone()
    } else {
        masked
    }
}

pub async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<SearchParams>,
) -> Result<Response, AppError> {
    let words = bounded(params.q.trim());
    let words_left_out = words_left_out(params.q.trim());
    let dnr = dnr_query(words);
    let filters = Filters {
        organ: Uuid::parse_str(&params.organ).ok(),
        state: CaseState::parse(&params.state),
        sender: Some(like_part(&params.sender)).filter(|s| !s.is_empty()),
        received_from: parse_date(&params.from).map(|d: NaiveDate| d),
        received_to: parse_date(&params.to),
    };
    let searched = !words.is_empty();
    let after = decode_after(&params.after);
    let searcher = viewer(&user);
    let query = tsquery(words);
    let keys = match &dnr {
        _ if !searched => db::search::Keys::default(),
        // A diarienummer is looked up by number only; its words would match any
        // case of that year. The words still mark the snippets.
        Some(dnr) => {
            let mut tx = db::begin_generic(&state.pool).await?;
            let keys =
                db::search::by_number(&mut tx, dnr, &filters, after, PAGE_SIZE + 1, RANKED_MATCHES)
                    .await?;
            tx.commit().await?;
            keys
        }
        // The search's planner settings hold for its own transaction only; a user
        // who leaves has its statement cancelled.
        None => {
            let mut tx = db::begin_search(&state.pool).await?;
            let keys = db::search::by_words(
                &mut tx,
                &query,
                &filters,
                &searcher,
                after,
                PAGE_SIZE + 1,
                RANKED_MATCHES,
            )
            .await?;
            tx.commit().await?;
            keys
        }
    };
    let mut conn = state.pool.acquire().await?;
    let organs = state.ctx.organs.list(&mut conn).await?;
    let found = db::search::shown(&mut conn, keys, &query, &searcher).await?;
    let capped = found.capped;
    let mut hits = found.hits;
    let more = hits.len() as i64 > PAGE_SIZE;
    hits.truncate(PAGE_SIZE as usize);
    let base = format!("/sok?{}", query_string(&params));
    let next_href = more
        .then(|| {
            hits.last()
                .map(|h| format!("{base}&after={}", encode_after(h)))
        })
        .flatten();
    let first_href = after.map(|_| base.clone());
    let hits = hits
        .into_iter()
        .map(|hit| HitView {
            href: if hit.kind == "case" {
                format!("/arenden/{}", hit.id)
            } else {
                format!("/remisser/{}", hit.id)
            },
            state_label: hit
                .state
                .as_deref()
                .and_then(CaseState::parse)
                .map(|s| s.label_sv().to_string())
                .unwrap_or_default(),
            segments: snippet_segments(&snippet_for(&user, &hit)),
            hit,
        })
        .collect();
    page(&SearchPage {
        layout: Layout::new(
            if searched {
                format!("Sökresultat för {words}")
            } else {
                "Sök".to_string()
            },
            &user,
            "sok",
        ),
        params,
        organs,
        states: CaseState::ALL,
        hits,
        searched,
        capped,
        ranked_matches: RANKED_MATCHES,
        words_left_out,
        max_search_words: MAX_SEARCH_WORDS,
        max_query_chars: MAX_QUERY_CHARS,
        next_href,
        first_href,
    })
}
