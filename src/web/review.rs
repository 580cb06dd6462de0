//! Granskning: the reviewer sees what changed since they last reviewed, and
//! approves the draft or returns it with a comment.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::confirmation::redirect_confirming;
use super::editor::{SectionDiff, section_diffs};
use super::form::CsrfForm;
use super::ids::Id;
use super::refusal::refused;
use super::session::CurrentUser;
use super::views::{FormErrors, Layout, case_href, page, page_with_status};
use super::{AppError, AppState};
use crate::app::reviews::Review;
use crate::app::{self, step};
use crate::db;
use crate::db::cases::CaseDetail;
use crate::db::reports::Revision;
use crate::db::reviews::ReviewRow;
use crate::domain::CaseState;
use crate::domain::confirmation::Confirmation;
use crate::domain::dates::format_stockholm;
use crate::domain::diff::Change;
use crate::domain::workflow::Transition;

#[derive(Template)]
#[template(path = "cases/review.html")]
struct ReviewPage {
    layout: Layout,
    case: CaseDetail,
    revision: Revision,
    revision_at: String,
    /// The revision last reviewed, when there was one: the diff is against it.
    compared_with: Option<i32>,
    sections: Vec<SectionDiff>,
    reviews: Vec<(ReviewRow, String)>,
    can_review: bool,
    comment: String,
    errors: FormErrors,
}

async fn review_view(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    comment: String,
    errors: FormErrors,
) -> Result<ReviewPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let case = db::cases::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    user.require(user.works_in(case.organ_id))?;
    let revision = db::reports::latest(&mut conn, case.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reviews = db::reviews::for_case(&mut conn, case.id).await?;
    // Against the revision reviewed last, even when it is this one (a draft sent
    // back unchanged then shows no changes rather than looking new).
    let compared_with = reviews.last().map(|r| r.revision_number);
    let base = match compared_with {
        Some(number) => db::reports::get(&mut conn, case.id, number)
            .await?
            .map(|r| r.content),
        None => None,
    };
    let sections = section_diffs(base.as_ref(), &revision.content, &case.administration);
    Ok(ReviewPage {
        layout: Layout::new(format!("Granska {}", case.dnr), user, "remisser")
            .crumb("Remisser", "/remisser")
            .crumb(format!("Ärende {}", case.dnr), case_href(case.id)),
        can_review: case.state == CaseState::InReview
            && step::check(&case, &user.actor(), Transition::Approve).is_ok(),
        revision_at: format_stockholm(revision.created_at),
        revision,
        compared_with,
        sections,
        reviews: reviews
            .into_iter()
            .map(|r| {
                let at = format_stockholm(r.created_at);
                (r, at)
            })
            .collect(),
        comment,
        errors,
        case,
    })
}

pub async fn review_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    page(&review_view(&state, &user, id, String::new(), FormErrors::none()).await?)
}

#[derive(Deserialize)]
pub struct ReviewForm {
    /// The revision the reviewer looked at.
    #[serde(default)]
    revision: i32,
    #[serde(default)]
    comment: String,
}

async fn review(
    state: AppState,
    user: CurrentUser,
    id: Uuid,
    form: ReviewForm,
    approve: bool,
) -> Result<Response, AppError> {
    let review = Review {
        approve,
        revision: form.revision,
        comment: form.comment,
    };
    match app::reviews::review(&state.ctx, &user.actor(), id, &review).await {
        Ok(()) => {
            let done = if approve {
                Confirmation::Approved
            } else {
                Confirmation::Returned
            };
            Ok(redirect_confirming(&case_href(id), done))
        }
        Err(app::Error::Invalid(errors)) => {
            let page = review_view(&state, &user, id, review.comment, errors.into()).await?;
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, case_href(id))),
    }
}

pub async fn approve(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Response, AppError> {
    review(state, user, id, form, true).await
}

pub async fn return_draft(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Response, AppError> {
    review(state, user, id, form, false).await
}
