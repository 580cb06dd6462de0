//! One respondent's case.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;

use super::referrals::{HistoryView, history_views};
use super::session::CurrentUser;
use super::views::{Layout, page};
use super::{AppError, AppState};
use crate::db;
use crate::db::cases::CaseDetail;
use crate::domain::dates::{days_left, days_left_sv, stockholm_date};

#[derive(Template)]
#[template(path = "cases/show.html")]
struct CasePage {
    layout: Layout,
    case: CaseDetail,
    deadline_text: String,
    overdue: bool,
    history: Vec<HistoryView>,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let mut conn = state.pool.acquire().await?;
    let case = db::cases::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let history =
        history_views(db::audit::case_history(&mut conn, case.id, case.referral_id).await?);
    let days = days_left(case.deadline, stockholm_date(Utc::now()));
    page(&CasePage {
        layout: Layout::new(format!("Ärende {}", case.dnr), &user, "remisser")
            .crumb("Remisser", "/remisser")
            .crumb(
                case.referral_title.clone(),
                format!("/remisser/{}", case.referral_id),
            ),
        deadline_text: days_left_sv(days),
        overdue: days < 0 && case.state.is_open(),
        case,
        history,
    })
}
