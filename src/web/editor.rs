//! The handläggare's editor of the tjänsteutlåtande, its revisions and their diffs.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::cases::{case_href, event, load, works_in_organ};
use super::form::CsrfForm;
use super::session::CurrentUser;
use super::views::{FormErrors, Layout, page, page_with_status};
use super::{AppError, AppState};
use crate::db;
use crate::db::cases::CaseDetail;
use crate::db::reports::RevisionSummary;
use crate::db::reviews::ReviewRow;
use crate::db::users::Colleague;
use crate::domain::dates::format_stockholm;
use crate::domain::diff::{Change, Piece, diff_words, has_changes};
use crate::domain::report::{self, ReportContent, ReportInput, Signatory};
use crate::domain::{CaseState, Role};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/arenden/{id}/utkast", get(edit_form).post(save))
        .route("/arenden/{id}/versioner", get(revisions))
}

/// One section's diff, for review and revision pages.
pub struct SectionDiff {
    pub heading: String,
    pub pieces: Vec<Piece>,
    pub changed: bool,
}

/// Section by section, word level: `old` to `new`, or the whole of `new` when
/// there is nothing to compare with.
pub fn section_diffs(
    old: Option<&ReportContent>,
    new: &ReportContent,
    administration: &str,
) -> Vec<SectionDiff> {
    let new_sections = report::sections(new, administration);
    let old_sections = old.map(|old| report::sections(old, administration));
    new_sections
        .into_iter()
        .enumerate()
        .map(|(i, (heading, text))| {
            let pieces = match &old_sections {
                Some(old) => diff_words(&old[i].1, &text),
                None => vec![Piece {
                    change: Change::Same,
                    text,
                }],
            };
            SectionDiff {
                changed: has_changes(&pieces),
                heading,
                pieces,
            }
        })
        .collect()
}

/// The editor's form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct EditorForm {
    /// The revision this edit started from (0 before the first).
    #[serde(default)]
    base: i32,
    #[serde(default)]
    title: String,
    #[serde(default)]
    proposals: Vec<String>,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    preparation: String,
    #[serde(default)]
    background: String,
    #[serde(default)]
    considerations: String,
    #[serde(default)]
    signatory_name: Vec<String>,
    #[serde(default)]
    signatory_title: Vec<String>,
    /// Which button: save, or add a row without saving.
    #[serde(default)]
    action: String,
}

impl EditorForm {
    fn input(&self) -> ReportInput {
        ReportInput {
            title: self.title.clone(),
            proposals: self.proposals.clone(),
            summary: self.summary.clone(),
            preparation: self.preparation.clone(),
            background: self.background.clone(),
            considerations: self.considerations.clone(),
            signatory_names: self.signatory_name.clone(),
            signatory_titles: self.signatory_title.clone(),
        }
    }

    /// The text as typed, for showing again (nothing dropped or trimmed).
    fn as_typed(&self) -> ReportContent {
        ReportContent {
            title: self.title.clone(),
            proposals: self.proposals.clone(),
            summary: self.summary.clone(),
            preparation: self.preparation.clone(),
            background: self.background.clone(),
            considerations: self.considerations.clone(),
            signatories: self
                .signatory_name
                .iter()
                .enumerate()
                .map(|(i, name)| Signatory {
                    name: name.clone(),
                    title: self.signatory_title.get(i).cloned().unwrap_or_default(),
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "cases/editor.html")]
struct EditorPage {
    layout: Layout,
    case: CaseDetail,
    base: i32,
    content: ReportContent,
    colleagues: Vec<Colleague>,
    returned: Option<(ReviewRow, String)>,
    errors: FormErrors,
    /// On a stale save: the newer text, section by section beside this user's.
    conflict: Option<Conflict>,
    saved: bool,
    /// The case's documents (the remiss's first), beside the editor.
    documents: Vec<super::document_register::DocumentView>,
}

struct Conflict {
    number: i32,
    author: String,
    at: String,
    sections: Vec<(String, String, String)>,
}

impl EditorPage {
    fn administration_genitive(&self) -> String {
        report::genitive(&self.case.administration)
    }
}

/// Only the organ's handläggare edit, and only while the case is being drafted.
fn may_edit(case: &CaseDetail, user: &CurrentUser) -> Result<(), AppError> {
    user.require(works_in_organ(user, case.organ_id))?;
    user.require(user.roles_in(case.organ_id).contains(&Role::Officer))?;
    if case.state != CaseState::Drafting {
        return Err(AppError::Refused {
            status: StatusCode::CONFLICT,
            message: format!(
                "Utkastet kan bara ändras medan ärendet är under beredning; nu är det {}.",
                case.state.label_sv().to_lowercase()
            ),
            back: case_href(case.id),
        });
    }
    Ok(())
}

async fn editor_page(
    state: &AppState,
    user: &CurrentUser,
    case: CaseDetail,
    base: i32,
    content: ReportContent,
    errors: FormErrors,
    conflict: Option<Conflict>,
) -> Result<EditorPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let colleagues = db::users::in_organ(&mut conn, case.organ_id).await?;
    let returned = db::reviews::for_case(&mut conn, case.id)
        .await?
        .pop()
        .filter(|r| !r.approved)
        .map(|r| {
            let at = format_stockholm(r.created_at);
            (r, at)
        });
    drop(conn);
    let actor = super::document_register::actor(user);
    let documents = super::document_register::views(
        &crate::documents::of_case(&state.pool, &actor, case.id).await?,
        Some(case.id),
        &actor,
    );
    Ok(EditorPage {
        layout: Layout::new(format!("Utkast {}", case.dnr), user, "remisser")
            .crumb("Remisser", "/remisser")
            .crumb(format!("Ärende {}", case.dnr), case_href(case.id)),
        case,
        base,
        content,
        colleagues,
        returned,
        errors,
        conflict,
        saved: false,
        documents,
    })
}

/// Gives the editor at least one empty proposal and signatory row to type in.
fn with_blank_rows(mut content: ReportContent) -> ReportContent {
    if content.proposals.is_empty() {
        content.proposals.push(String::new());
    }
    content.signatories.push(Signatory::default());
    content
}

#[derive(Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    sparat: Option<String>,
}

async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let case = load(&mut conn, &id).await?;
    may_edit(&case, &user)?;
    let latest = db::reports::latest(&mut conn, case.id).await?;
    drop(conn);
    let (base, content) = match latest {
        Some(revision) => (revision.number, revision.content),
        None => (
            0,
            report::first_draft(&case.referral_title, &case.organ_name, &case.administration),
        ),
    };
    let mut page = editor_page(
        &state,
        &user,
        case,
        base,
        with_blank_rows(content),
        FormErrors::none(),
        None,
    )
    .await?;
    page.saved = query.sparat.is_some();
    super::views::page(&page)
}

async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<EditorForm>,
) -> Result<Response, AppError> {
    let mut tx = db::begin(&state.pool).await?;
    let case = load(&mut tx, &id).await?;
    may_edit(&case, &user)?;

    // Adding a row re-renders the form with what was typed, and saves nothing.
    match form.action.as_str() {
        "add_proposal" | "add_signatory" => {
            drop(tx);
            let mut content = form.as_typed();
            if form.action == "add_proposal" {
                content.proposals.push(String::new());
            } else {
                content.signatories.push(Signatory::default());
            }
            return page(
                &editor_page(
                    &state,
                    &user,
                    case,
                    form.base,
                    content,
                    FormErrors::none(),
                    None,
                )
                .await?,
            );
        }
        _ => {}
    }

    let content = match report::validate(&form.input()) {
        Ok(content) => content,
        Err(errors) => {
            drop(tx);
            let page = editor_page(
                &state,
                &user,
                case,
                form.base,
                form.as_typed(),
                errors.into(),
                None,
            )
            .await?;
            return page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let now = Utc::now();
    match db::reports::save(&mut tx, case.id, form.base, &content, user.id(), now).await? {
        Some((_, number)) => {
            event(
                &mut tx,
                user.id(),
                &case,
                case.state,
                "report.saved",
                json!({ "revision": number }),
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to(&format!("/arenden/{}/utkast?sparat=1", case.id)).into_response())
        }
        None => {
            // Someone saved since this edit began: keep both, overwrite nothing.
            let newer = db::reports::latest(&mut tx, case.id)
                .await?
                .ok_or(AppError::NotFound)?;
            drop(tx);
            let theirs = report::sections(&newer.content, &case.administration);
            let yours = report::sections(&content, &case.administration);
            let conflict = Conflict {
                number: newer.number,
                author: newer.author_name.clone(),
                at: format_stockholm(newer.created_at),
                sections: theirs
                    .into_iter()
                    .zip(yours)
                    .map(|((heading, theirs), (_, yours))| (heading, theirs, yours))
                    .collect(),
            };
            let page = editor_page(
                &state,
                &user,
                case,
                newer.number,
                with_blank_rows(content),
                FormErrors::none(),
                Some(conflict),
            )
            .await?;
            page_with_status(StatusCode::CONFLICT, &page)
        }
    }
}

#[derive(Deserialize)]
pub struct CompareQuery {
    #[serde(default)]
    fran: Option<i32>,
    #[serde(default)]
    till: Option<i32>,
}

#[derive(Template)]
#[template(path = "cases/revisions.html")]
struct RevisionsPage {
    layout: Layout,
    case: CaseDetail,
    revisions: Vec<(RevisionSummary, String)>,
    from: i32,
    to: i32,
    sections: Vec<SectionDiff>,
}

async fn revisions(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<CompareQuery>,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let case = load(&mut conn, &id).await?;
    user.require(works_in_organ(&user, case.organ_id))?;
    let list = db::reports::list(&mut conn, case.id).await?;
    let newest = list.first().map(|r| r.number).ok_or(AppError::NotFound)?;
    let to = query.till.unwrap_or(newest);
    let from = query.fran.unwrap_or(to - 1);
    let new = db::reports::get(&mut conn, case.id, to)
        .await?
        .ok_or(AppError::NotFound)?;
    let old = match from {
        0 => None,
        n => Some(
            db::reports::get(&mut conn, case.id, n)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
    };
    let sections = section_diffs(
        old.as_ref().map(|r| &r.content),
        &new.content,
        &case.administration,
    );
    page(&RevisionsPage {
        layout: Layout::new(format!("Versioner av {}", case.dnr), &user, "remisser")
            .crumb("Remisser", "/remisser")
            .crumb(format!("Ärende {}", case.dnr), case_href(case.id)),
        revisions: list
            .into_iter()
            .map(|r| {
                let at = format_stockholm(r.created_at);
                (r, at)
            })
            .collect(),
        from,
        to,
        sections,
        case,
    })
}
