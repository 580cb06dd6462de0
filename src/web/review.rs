//! Granskning: the reviewer sees what changed since they last reviewed, and
//! approves the draft or returns it with a comment.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::cases::{case_href, check, load, raced, record_transition, works_in_organ};
use super::editor::{SectionDiff, section_diffs};
use super::form::CsrfForm;
use super::session::CurrentUser;
use super::views::{FormErrors, Layout, page, page_with_status};
use super::{AppError, AppState};
use crate::db;
use crate::db::cases::CaseDetail;
use crate::db::reports::Revision;
use crate::db::reviews::ReviewRow;
use crate::domain::CaseState;
use crate::domain::dates::format_stockholm;
use crate::domain::diff::Change;
use crate::domain::meeting::validate_required;
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
    id: &str,
    comment: String,
    errors: FormErrors,
) -> Result<ReviewPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let case = load(&mut conn, id).await?;
    user.require(works_in_organ(user, case.organ_id))?;
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
            && check(&case, user, Transition::Approve).is_ok(),
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
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    page(&review_view(&state, &user, &id, String::new(), FormErrors::none()).await?)
}

#[derive(Deserialize)]
pub struct ReviewForm {
    /// The revision the reviewer looked at: approving another one would approve
    /// text they have not read.
    #[serde(default)]
    revision: i32,
    #[serde(default)]
    comment: String,
}

async fn review(
    state: AppState,
    user: CurrentUser,
    id: String,
    form: ReviewForm,
    approve: bool,
) -> Result<Response, AppError> {
    let mut tx = db::begin(&state.pool).await?;
    let case = load(&mut tx, &id).await?;
    let to = check(
        &case,
        &user,
        if approve {
            Transition::Approve
        } else {
            Transition::Return
        },
    )?;
    let comment = if approve {
        form.comment.trim().to_string()
    } else {
        match validate_required(
            "comment",
            &form.comment,
            "Skriv vad handläggaren behöver ändra.",
        ) {
            Ok(comment) => comment,
            Err(errors) => {
                drop(tx);
                let page = review_view(&state, &user, &id, form.comment, errors.into()).await?;
                return page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        }
    };
    let revision = db::reports::latest(&mut tx, case.id)
        .await?
        .ok_or_else(|| raced(case.id))?;
    if revision.number != form.revision {
        return Err(raced(case.id));
    }
    let now = Utc::now();
    db::reviews::record(
        &mut tx,
        case.id,
        revision.id,
        user.id(),
        approve,
        &comment,
        now,
    )
    .await?;
    let action = if approve {
        "case.approved"
    } else {
        "case.returned"
    };
    record_transition(
        &mut tx,
        user.id(),
        &case,
        to,
        action,
        json!({ "revision": revision.number, "comment": comment }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&case_href(case.id)).into_response())
}

pub async fn approve(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Response, AppError> {
    review(state, user, id, form, true).await
}

pub async fn return_draft(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Response, AppError> {
    review(state, user, id, form, false).await
}
