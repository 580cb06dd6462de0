//! The anslagstavla (KL 8 kap. 9–12 §§), public, no login: the notices up today,
//! the archive of those taken down, each notice with the paragraphs it announces,
//! and an Atom feed. It stands apart from the rest of the site on its own pages.
//! Every text passes the publication guard (personnummer masked), and a secret
//! remiss shows only its dnr and outcome.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use uuid::Uuid;

use super::ids::Id;
use super::views::{Layout, page};
use super::{AppError, AppState};
use crate::db;
use crate::db::notices::{Notice, Paragraph};
use crate::domain::dates::format_stockholm;
use crate::domain::personal_data::mask;
use crate::domain::report::genitive;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/anslagstavla", get(board))
        .route("/anslagstavla/arkiv", get(archive))
        .route("/anslagstavla/atom", get(feed))
        .route("/anslagstavla/{id}", get(notice))
}

/// How many notices a page of the board or its archive shows.
const BOARD_SIZE: i64 = 200;

/// A notice as the board shows it.
pub struct NoticeView {
    pub id: Uuid,
    /// "Protokoll från Arbetsmarknadsnämndens sammanträde 2026-04-21" or
    /// "Delegationsbeslut i Arbetsmarknadsnämnden".
    pub heading: String,
    pub organ_name: String,
    pub meeting: Option<String>,
    pub adjusted_label: &'static str,
    pub adjusted_on: NaiveDate,
    pub posted_on: NaiveDate,
    pub appeal_last_day: NaiveDate,
    pub take_down_on: NaiveDate,
    pub kept_at: String,
    pub updated_iso: String,
}

impl NoticeView {
    fn from(notice: Notice) -> Self {
        let meeting = notice.meeting_starts_at.map(format_stockholm);
        let meeting_day = notice
            .meeting_starts_at
            .map(crate::domain::dates::stockholm_date);
        let (heading, adjusted_label) = match (notice.meeting_id, meeting_day) {
            (Some(_), Some(day)) => (
                format!(
                    "Protokoll från {} sammanträde {day}",
                    genitive(&notice.organ_name)
                ),
                "Justerat",
            ),
            (None, Some(day)) => (
                format!(
                    "Paragraf justerad omedelbart vid {} sammanträde {day}",
                    genitive(&notice.organ_name)
                ),
                "Justerat",
            ),
            _ => (
                format!("Delegationsbeslut i {}", notice.organ_name),
                "Beslutat",
            ),
        };
        NoticeView {
            id: notice.id,
            heading,
            organ_name: notice.organ_name,
            meeting,
            adjusted_label,
            adjusted_on: notice.adjusted_on,
            posted_on: notice.posted_on,
            appeal_last_day: notice.appeal_last_day,
            take_down_on: notice.take_down_on,
            kept_at: notice.kept_at,
            updated_iso: notice.created_at.to_rfc3339(),
        }
    }
}

/// A paragraph as the public reads it: masked, and a secret remiss by its dnr only.
pub struct ParagraphView {
    pub case_id: Uuid,
    pub label: String,
    pub dnr: String,
    pub title: Option<String>,
    pub outcome: &'static str,
    pub decision_text: Option<String>,
    pub delegation_reference: Option<String>,
}

impl ParagraphView {
    fn from(paragraph: Paragraph) -> Self {
        let masked = |text: Option<String>| {
            text.filter(|t| !t.trim().is_empty())
                .map(|t| mask(&t).0)
                .filter(|_| !paragraph.secret)
        };
        ParagraphView {
            case_id: paragraph.case_id,
            label: paragraph
                .paragraph
                .map(crate::domain::meeting::paragraph_label)
                .unwrap_or_default(),
            dnr: paragraph.dnr,
            title: masked(paragraph.title),
            outcome: paragraph.outcome.label_sv(),
            decision_text: masked(paragraph.decision_text),
            delegation_reference: masked(paragraph.delegation_reference),
        }
    }
}

fn board_layout(title: impl Into<String>) -> Layout {
    let mut layout = Layout::anonymous(title);
    layout.section = "anslagstavla";
    layout
}

#[derive(Template)]
#[template(path = "notice_board/board.html")]
struct BoardPage {
    layout: Layout,
    archived: bool,
    today: NaiveDate,
    notices: Vec<NoticeView>,
}

async fn listing(state: &AppState, archived: bool) -> Result<Vec<NoticeView>, AppError> {
    let mut conn = state.public_reads.acquire().await?;
    let today = state.ctx.clock.today();
    Ok(db::notices::board(&mut conn, today, archived, BOARD_SIZE)
        .await?
        .into_iter()
        .map(NoticeView::from)
        .collect())
}

async fn board(State(state): State<AppState>) -> Result<Response, AppError> {
    page(&BoardPage {
        layout: board_layout("Anslagstavla"),
        archived: false,
        today: state.ctx.clock.today(),
        notices: listing(&state, false).await?,
    })
}

async fn archive(State(state): State<AppState>) -> Result<Response, AppError> {
    page(&BoardPage {
        layout: board_layout("Anslagstavlans arkiv").crumb("Anslagstavla", "/anslagstavla"),
        archived: true,
        today: state.ctx.clock.today(),
        notices: listing(&state, true).await?,
    })
}

#[derive(Template)]
#[template(path = "notice_board/notice.html")]
struct NoticePage {
    layout: Layout,
    notice: NoticeView,
    on_board: bool,
    paragraphs: Vec<ParagraphView>,
}

/// One notice with the paragraphs it announces (the published protocol).
async fn notice(State(state): State<AppState>, Id(id): Id) -> Result<Response, AppError> {
    let mut conn = state.public_reads.acquire().await?;
    let today = state.ctx.clock.today();
    let notice = db::notices::get_posted(&mut conn, id, today)
        .await?
        .ok_or(AppError::NotFound)?;
    let paragraphs = db::notices::paragraphs(&mut conn, id)
        .await?
        .into_iter()
        .map(ParagraphView::from)
        .collect();
    let notice = NoticeView::from(notice);
    page(&NoticePage {
        layout: board_layout(notice.heading.clone()).crumb("Anslagstavla", "/anslagstavla"),
        on_board: today < notice.take_down_on,
        notice,
        paragraphs,
    })
}

#[derive(Template)]
#[template(path = "notice_board/atom.xml")]
struct Feed {
    updated: String,
    notices: Vec<NoticeView>,
}

/// The notices on the board today, as Atom.
async fn feed(State(state): State<AppState>) -> Result<Response, AppError> {
    let notices = listing(&state, false).await?;
    let updated = notices
        .iter()
        .map(|n| n.updated_iso.clone())
        .max()
        .unwrap_or_else(|| state.ctx.clock.now().to_rfc3339());
    let body = Feed { updated, notices }.render()?;
    let body = crate::domain::text::xml_safe(&body).into_owned();
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response())
}
