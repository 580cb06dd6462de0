//! The public diarium: no login. Lists and searches the registered cases, with
//! the decision and the yttrande once dispatched; an Atom feed of new entries.
//! Every text passes the publication guard (personnummer masked), and a secret
//! entry shows only its number, date, sender and marking (OSL 5:5).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::query::{Query, cursor_time};
use super::views::{Layout, page};
use super::{AppError, AppState};
use crate::db;
use crate::db::diarium::{Entry, SearchHit};
use crate::db::documents::DiariumDocument;
use crate::domain::CaseState;
use crate::domain::dates::format_stockholm;
use crate::domain::notice::final_earliest_sv;
use crate::domain::personal_data::mask;
use crate::domain::search::{
    MAX_QUERY_CHARS, MAX_SEARCH_WORDS, RANKED_MATCHES, bounded, dnr_query, tsquery, words_left_out,
};
use crate::domain::workflow::DecisionOutcome;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/diarium", get(list))
        .route("/diarium/atom", get(feed))
        .route("/diarium/{id}", get(entry))
        .route("/diarium/{id}/yttrande", get(reply))
        .route(
            "/diarium/{id}/yttrande.pdf",
            get(super::document_files::public_reply_pdf),
        )
        .route("/diarium/{id}/handlingar/{number}", get(document_file))
}

/// A document as the public sees it under its case: a secret one (or any of a
/// secret remiss) only by its number, date and provision.
pub struct PublicDocument {
    pub number: String,
    /// None when it is secret.
    pub title: Option<String>,
    pub direction: &'static str,
    pub dated_on: String,
    pub provision: Option<String>,
    pub annulled: bool,
    /// Where to download it, when it may be published.
    pub href: Option<String>,
    pub kind: &'static str,
    pub size: String,
}

impl PublicDocument {
    fn from(document: DiariumDocument, referral_provision: Option<&str>) -> Self {
        let provision = document
            .secrecy_provision
            .clone()
            .or(referral_provision.map(str::to_string));
        let public = provision.is_none();
        PublicDocument {
            href: (public && document.published && !document.annulled).then(|| {
                format!(
                    "/diarium/{}/handlingar/{}",
                    document.case_id, document.number
                )
            }),
            number: document.number_text,
            title: public.then(|| masked(&document.title)),
            direction: document.direction.label_sv(),
            dated_on: document.dated_on.to_string(),
            provision,
            annulled: document.annulled,
            kind: super::document_register::kind_label(&document.media_type),
            size: super::document_register::size_text(document.size),
        }
    }
}

const PAGE_SIZE: i64 = 25;

/// An entry as the public sees it: masked, and with secret content withheld.
pub struct PublicEntry {
    pub case_id: Uuid,
    pub dnr: String,
    pub registered: String,
    pub registered_iso: String,
    pub organ_name: String,
    pub sender: String,
    pub sender_dnr: String,
    /// None when the title is covered by secrecy.
    pub title: Option<String>,
    pub received_on: String,
    pub deadline: String,
    pub state: String,
    /// `Sekretess enligt OSL 21 kap. 1 §, markerad 2026-03-02 av Kommunstyrelsen`.
    pub marking: Option<String>,
    pub decision: Option<String>,
    pub dispatched_on: Option<String>,
    /// Its documents, once looked up ([`with_documents`]).
    pub documents: Vec<PublicDocument>,
    secrecy_provision: Option<String>,
}

fn masked(text: &str) -> String {
    mask(text).0
}

impl PublicEntry {
    fn from(entry: Entry) -> Self {
        let state = match &entry.annulled_reason {
            // The registration stands in the diarium, marked with its reason (not
            // a secret remiss's: only that it is makulerad).
            Some(_) if entry.secret => "Makulerad".to_string(),
            Some(reason) => format!("Makulerad: {}", masked(reason)),
            None => CaseState::parse(&entry.state)
                .map(|s| s.label_sv())
                .unwrap_or("")
                .to_string(),
        };
        let marking = entry.secret.then(|| {
            format!(
                "Sekretess enligt {}, markerad {}{}",
                entry.secrecy_provision,
                entry
                    .registered_at
                    .with_timezone(&chrono_tz::Europe::Stockholm)
                    .date_naive(),
                entry
                    .marked_by
                    .as_deref()
                    .map(|by| format!(" av {by}"))
                    .unwrap_or_default()
            )
        });
        let decision = match (
            entry.outcome.as_deref().and_then(DecisionOutcome::parse),
            entry.decided_on,
        ) {
            (Some(outcome), Some(on)) if !entry.secret => Some(format!(
                "{} {}{}",
                outcome.label_sv(),
                on,
                entry
                    .paragraph
                    .map(|p| format!(", § {p}"))
                    .unwrap_or_default()
            )),
            _ => None,
        };
        PublicEntry {
            case_id: entry.case_id,
            dnr: entry.dnr,
            registered: format_stockholm(entry.registered_at),
            registered_iso: entry.registered_at.to_rfc3339(),
            organ_name: entry.organ_name,
            sender: masked(&entry.sender_name),
            sender_dnr: masked(&entry.sender_dnr),
            title: (!entry.secret).then(|| masked(&entry.title)),
            received_on: entry.received_on.to_string(),
            deadline: entry.deadline.to_string(),
            state,
            marking,
            decision,
            dispatched_on: entry
                .dispatched_on
                .filter(|_| !entry.secret)
                .map(|d| d.to_string()),
            documents: Vec::new(),
            secrecy_provision: entry.secret.then_some(entry.secrecy_provision),
        }
    }
}

/// Adds to each entry the documents the public may see of it.
async fn with_documents(
    conn: &mut sqlx::PgConnection,
    mut entries: Vec<PublicEntry>,
) -> Result<Vec<PublicEntry>, AppError> {
    let ids: Vec<Uuid> = entries.iter().map(|e| e.case_id).collect();
    let mut documents = db::documents::for_diarium(conn, &ids).await?;
    for entry in &mut entries {
        let (mine, rest): (Vec<_>, Vec<_>) = documents
            .into_iter()
            .partition(|d| d.case_id == entry.case_id);
        documents = rest;
        entry.documents = mine
            .into_iter()
            .map(|d| PublicDocument::from(d, entry.secrecy_provision.as_deref()))
            .collect();
    }
    Ok(entries)
}

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    after: String,
}

#[derive(Template)]
#[template(path = "diarium/list.html")]
struct ListPage {
    layout: Layout,
    q: String,
    entries: Vec<PublicEntry>,
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

fn public_layout(title: impl Into<String>) -> Layout {
    let mut layout = Layout::anonymous(title);
    layout.section = "diarium";
    layout
}

/// Where a page of the search ends: rank, the remiss's registration (µs) and id,
/// and the case's id.
fn encode_search_cursor(hit: &SearchHit) -> String {
    format!(
        "{}_{}_{}_{}",
        hit.rank,
        hit.referral_registered_at.timestamp_micros(),
        hit.referral_id,
        hit.case_id
    )
}

fn decode_search_cursor(text: &str) -> Option<SearchHit> {
    let mut parts = text.splitn(4, '_');
    Some(SearchHit {
        rank: parts.next()?.parse().ok()?,
        referral_registered_at: cursor_time(parts.next()?)?,
        referral_id: Uuid::parse_str(parts.next()?).ok()?,
        case_id: Uuid::parse_str(parts.next()?).ok()?,
    })
}

async fn list(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let q = params.q.trim().to_string();
    let mut capped = false;
    let (entries, next_after) = if q.is_empty() {
        let mut conn = state.public_reads.acquire().await?;
        let after = params
            .after
            .split_once('_')
            .and_then(|(at, id)| Some((cursor_time(at)?, Uuid::parse_str(id).ok()?)));
        let mut rows = db::diarium::list(&mut conn, after, PAGE_SIZE + 1).await?;
        let more = rows.len() as i64 > PAGE_SIZE;
        rows.truncate(PAGE_SIZE as usize);
        let next = more
            .then(|| {
                rows.last()
                    .map(|e| format!("{}_{}", e.registered_at.timestamp_micros(), e.case_id))
            })
            .flatten();
        (rows, next)
    } else {
        let after = decode_search_cursor(&params.after);
        let q = bounded(&q);
        let found = match dnr_query(q) {
            Some(dnr) => {
                let mut tx = db::begin_generic(&state.public_reads).await?;
                let found = db::diarium::by_number(
                    &mut tx,
                    &dnr,
                    after.as_ref(),
                    PAGE_SIZE + 1,
                    RANKED_MATCHES,
                )
                .await?;
                tx.commit().await?;
                found
            }
            // The search's planner settings hold for its own transaction only; a
            // visitor who leaves has its statement cancelled.
            None => {
                let mut tx = db::begin_search(&state.public_reads).await?;
                let found = db::diarium::search(
                    &mut tx,
                    &tsquery(q),
                    q.chars().any(|c| c.is_ascii_digit()),
                    after.as_ref(),
                    PAGE_SIZE + 1,
                    RANKED_MATCHES,
                )
                .await?;
                tx.commit().await?;
                found
            }
        };
        capped = found.capped;
        let mut hits = found.hits;
        let more = hits.len() as i64 > PAGE_SIZE;
        hits.truncate(PAGE_SIZE as usize);
        let next = more
            .then(|| hits.last().map(encode_search_cursor))
            .flatten();
        // Outside the search's transaction: planned once, not for each search.
        let ids: Vec<Uuid> = hits.iter().map(|hit| hit.case_id).collect();
        let mut conn = state.public_reads.acquire().await?;
        let entries = db::diarium::entries(&mut conn, &ids).await?;
        (entries, next)
    };
    let query = super::session::encode_query_value(&q);
    page(&ListPage {
        layout: public_layout("Diarium"),
        next_href: next_after.map(|after| format!("/diarium?q={query}&after={after}")),
        first_href: (!params.after.is_empty()).then(|| format!("/diarium?q={query}")),
        entries: rows_to_public(entries),
        capped,
        ranked_matches: RANKED_MATCHES,
        words_left_out: words_left_out(&q),
        max_search_words: MAX_SEARCH_WORDS,
        max_query_chars: MAX_QUERY_CHARS,
        q,
    })
}

fn rows_to_public(entries: Vec<Entry>) -> Vec<PublicEntry> {
    entries.into_iter().map(PublicEntry::from).collect()
}

#[derive(Template)]
#[template(path = "diarium/entry.html")]
struct EntryPage {
    layout: Layout,
    entry: PublicEntry,
    has_reply: bool,
    /// "Beslutet vinner laga kraft tidigast …", once the decision is announced.
    final_earliest: Option<String>,
}

async fn entry(
    State(state): State<AppState>,
    super::ids::Id(id): super::ids::Id,
) -> Result<Response, AppError> {
    let mut conn = state.public_reads.acquire().await?;
    let entry = db::diarium::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let has_reply = entry.dispatched_on.is_some() && !entry.secret;
    let today = state.ctx.clock.today();
    let final_earliest = db::notices::for_case(&mut conn, id)
        .await?
        .filter(|a| a.posted_on <= today)
        .map(|a| final_earliest_sv(a.appeal_last_day, a.take_down_on));
    let entry = with_documents(&mut conn, vec![PublicEntry::from(entry)])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    page(&EntryPage {
        layout: public_layout(format!("Diarienummer {}", entry.dnr)).crumb("Diarium", "/diarium"),
        entry,
        has_reply,
        final_earliest,
    })
}

/// The dispatched yttrande of a non-secret case, masked.
async fn reply(
    State(state): State<AppState>,
    super::ids::Id(id): super::ids::Id,
) -> Result<Response, AppError> {
    let mut conn = state.public_reads.acquire().await?;
    let entry = db::diarium::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if entry.secret || entry.dispatched_on.is_none() {
        return Err(AppError::NotFound);
    }
    let document = super::documents::reply_view(&mut conn, id, format!("/diarium/{id}"))
        .await?
        .ok_or(AppError::NotFound)?
        .masked()
        .with_pdf(format!("/diarium/{id}/yttrande.pdf"));
    page(&document)
}

/// A published document's file, for anyone.
async fn document_file(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let number: i32 = number.parse().map_err(|_| AppError::NotFound)?;
    let document = crate::app::documents::open_published(&state.ctx, id, number)
        .await
        .map_err(|refusal| super::refusal::refused(refusal, "/diarium"))?;
    Ok(super::document_register::file_response(
        &state, &document, &headers,
    ))
}

#[derive(Template)]
#[template(path = "diarium/atom.xml")]
struct Feed {
    updated: String,
    /// What the feed's links start with: the public address, so that a feed
    /// reader elsewhere can follow them.
    base: String,
    /// Each entry with when the public could last see something new of it.
    entries: Vec<(PublicEntry, String)>,
}

/// The 50 newest entries as Atom.
async fn feed(State(state): State<AppState>) -> Result<Response, AppError> {
    let mut conn = state.public_reads.acquire().await?;
    let entries = db::diarium::list(&mut conn, None, 50).await?;
    let ids: Vec<Uuid> = entries.iter().map(|e| e.case_id).collect();
    let latest = db::diarium::latest_public_events(&mut conn, &ids).await?;
    // No public event comes before the registration.
    let updated_at: Vec<_> = entries
        .iter()
        .map(|e| latest.get(&e.case_id).copied().unwrap_or(e.registered_at))
        .collect();
    let updated = updated_at
        .iter()
        .max()
        .copied()
        .unwrap_or_else(Utc::now)
        .to_rfc3339();
    let entries = with_documents(&mut conn, rows_to_public(entries)).await?;
    let body = Feed {
        updated,
        base: state.settings.public_link(""),
        entries: entries
            .into_iter()
            .zip(updated_at.iter().map(|at| at.to_rfc3339()))
            .collect(),
    }
    .render()?;
    // Text stored before the input rules, or by another way in, must not break
    // the feed for every reader.
    let body = crate::domain::text::xml_safe(&body).into_owned();
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response())
}
