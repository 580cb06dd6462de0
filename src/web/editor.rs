//! The handläggare's editor of the tjänsteutlåtande, its revisions and their diffs.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use tower_sessions::Session;
use uuid::Uuid;

use super::form::CsrfForm;
use super::ids::Id;
use super::query::Query;
use super::refusal::refused;
use super::session::CurrentUser;
use super::views::{FormErrors, Layout, case_href, page, page_with_status};
use super::{AppError, AppState};
use crate::app;
use crate::app::reports::{DraftEdit, DraftSaved, may_edit};
use crate::db;
use crate::db::cases::{CaseDetail, EditorFacts};
use crate::db::reports::{Revision, RevisionSummary};
use crate::db::reviews::ReviewRow;
use crate::db::users::Colleague;
use crate::domain::dates::format_stockholm;
use crate::domain::diff::{Change, Piece, diff_words, has_changes};
use crate::domain::report::{self, ReportContent, ReportInput, Signatory};

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

/// A save of a draft that arrived after its session had ended: its form rides in
/// the login page's form (nothing is stored for a visitor not signed in), then
/// in the new session, and the editor shows it after the login, unsaved, for
/// the officer to save again. Only a save sent from this site's own page is
/// kept, so that another site cannot put words into someone's editor.
#[derive(Debug, Serialize, Deserialize)]
pub struct KeptDraft {
    /// The editor's address, `/arenden/{id}/utkast`.
    path: String,
    /// The form as posted, url-encoded.
    form: String,
}

const KEPT_DRAFT_KEY: &str = "kept_draft";

impl KeptDraft {
    /// The case of an editor's address, `/arenden/{id}/utkast`.
    fn case_of(path: &str) -> Option<Uuid> {
        let id = path.strip_prefix("/arenden/")?.strip_suffix("/utkast")?;
        Uuid::parse_str(id).ok()
    }

    /// A save of a draft, sent by a page of this site.
    pub fn may_keep(request: &axum::extract::Request) -> bool {
        let headers = request.headers();
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let same_site = match header("sec-fetch-site") {
            Some(site) => site == "same-origin",
            // Browsers before Fetch Metadata still send Origin with a POST.
            None => header("origin")
                .and_then(|origin| origin.split_once("://"))
                .is_some_and(|(_, host)| Some(host) == header("host")),
        };
        request.method() == axum::http::Method::POST
            && same_site
            && Self::case_of(request.uri().path()).is_some()
    }

    /// After a login whose form carried a draft for the editor at `path`.
    pub async fn keep_after_login(
        session: &Session,
        path: &str,
        form: String,
    ) -> Result<(), AppError> {
        if Self::case_of(path).is_some() && !form.is_empty() {
            let kept = KeptDraft {
                path: path.to_string(),
                form,
            };
            session.insert(KEPT_DRAFT_KEY, kept).await?;
        }
        Ok(())
    }

    /// The draft kept for this case's editor, taken out of the session.
    async fn take(session: &Session, case: Uuid) -> Result<Option<EditorForm>, AppError> {
        let Some(kept) = session.get::<KeptDraft>(KEPT_DRAFT_KEY).await? else {
            return Ok(None);
        };
        if Self::case_of(&kept.path) != Some(case) {
            return Ok(None);
        }
        session.remove::<KeptDraft>(KEPT_DRAFT_KEY).await?;
        Ok(serde_html_form::from_str(&kept.form).ok())
    }
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

    /// The text as typed with a blank row added, when the form's button asked
    /// for one rather than a save.
    fn with_added_row(&self) -> Option<ReportContent> {
        let mut content = self.as_typed();
        match self.action.as_str() {
            "add_proposal" => content.proposals.push(String::new()),
            "add_signatory" => content.signatories.push(Signatory::default()),
            _ => return None,
        }
        Some(content)
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
    /// The text comes from a save that arrived after the session had ended.
    kept: bool,
    /// The case's documents (the remiss's first), beside the editor.
    documents: Vec<super::document_register::DocumentView>,
}

struct Conflict {
    number: i32,
    author: String,
    at: String,
    sections: Vec<(String, String, String)>,
}

impl Conflict {
    /// The newer revision beside this user's text, section by section.
    fn between(newer: &Revision, yours: &ReportContent, administration: &str) -> Conflict {
        let theirs = report::sections(&newer.content, administration);
        let yours = report::sections(yours, administration);
        Conflict {
            number: newer.number,
            author: newer.author_name.clone(),
            at: format_stockholm(newer.created_at),
            sections: theirs
                .into_iter()
                .zip(yours)
                .map(|((heading, theirs), (_, yours))| (heading, theirs, yours))
                .collect(),
        }
    }
}

impl EditorPage {
    fn administration_genitive(&self) -> String {
        report::genitive(&self.case.administration)
    }
}

/// The case with what its editor shows beside the text.
async fn load(conn: &mut PgConnection, id: Uuid) -> Result<EditorFacts, AppError> {
    db::cases::editor_facts(conn, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The editor's page, its documents read on the connection `facts` came from.
async fn editor_page(
    conn: &mut PgConnection,
    user: &CurrentUser,
    facts: EditorFacts,
    base: i32,
    content: ReportContent,
    errors: FormErrors,
    conflict: Option<Conflict>,
) -> Result<EditorPage, AppError> {
    let EditorFacts {
        case,
        last_review,
        colleagues,
        ..
    } = facts;
    let returned = last_review.filter(|r| !r.approved).map(|r| {
        let at = format_stockholm(r.created_at);
        (r, at)
    });
    let actor = user.actor();
    let documents = super::document_register::views(
        &crate::app::documents::of_case_in(conn, &actor, case.id)
            .await
            .map_err(|refusal| super::refusal::refused(refusal, "/"))?,
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
        kept: false,
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

pub async fn edit_form(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    Id(id): Id,
    Query(query): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let mut facts = load(&mut conn, id).await?;
    may_edit(&facts.case, &user.actor()).map_err(|e| refused(e, case_href(id)))?;
    // A save that came after the session had ended shows its text, unsaved.
    let kept = KeptDraft::take(&session, id).await?;
    let (base, content) = match &kept {
        Some(form) => (
            form.base,
            form.with_added_row().unwrap_or_else(|| form.as_typed()),
        ),
        None => match facts.latest.take() {
            Some(revision) => (revision.number, with_blank_rows(revision.content)),
            None => (
                0,
                with_blank_rows(report::first_draft(
                    &facts.case.referral_title,
                    &facts.case.organ_name,
                    &facts.case.administration,
                )),
            ),
        },
    };
    let mut page = editor_page(
        &mut conn,
        &user,
        facts,
        base,
        content,
        FormErrors::none(),
        None,
    )
    .await?;
    drop(conn);
    page.kept = kept.is_some();
    page.saved = query.sparat.is_some();
    super::views::page(&page)
}

pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<EditorForm>,
) -> Result<Response, AppError> {
    // Adding a row shows the form again with what was typed, and saves nothing.
    if let Some(content) = form.with_added_row() {
        let mut conn = state.pool.acquire().await?;
        let facts = load(&mut conn, id).await?;
        may_edit(&facts.case, &user.actor()).map_err(|e| refused(e, case_href(id)))?;
        let page = editor_page(
            &mut conn,
            &user,
            facts,
            form.base,
            content,
            FormErrors::none(),
            None,
        );
        return super::views::page(&page.await?);
    }
    let edit = DraftEdit {
        base: form.base,
        input: form.input(),
    };
    let saved = app::reports::save_draft(&state.ctx, &user.actor(), id, &edit).await;
    match saved {
        Ok(DraftSaved::Saved { .. }) => {
            Ok(Redirect::to(&format!("/arenden/{id}/utkast?sparat=1")).into_response())
        }
        Ok(DraftSaved::Stale { newer, yours }) => {
            let mut conn = state.pool.acquire().await?;
            let facts = load(&mut conn, id).await?;
            let conflict = Conflict::between(&newer, &yours, &facts.case.administration);
            let content = with_blank_rows(*yours);
            let page = editor_page(
                &mut conn,
                &user,
                facts,
                newer.number,
                content,
                FormErrors::none(),
                Some(conflict),
            );
            page_with_status(StatusCode::CONFLICT, &page.await?)
        }
        Err(app::Error::Invalid(errors)) => {
            let mut conn = state.pool.acquire().await?;
            let facts = load(&mut conn, id).await?;
            let typed = form.as_typed();
            let page = editor_page(
                &mut conn,
                &user,
                facts,
                form.base,
                typed,
                errors.into(),
                None,
            );
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page.await?)
        }
        Err(refusal) => Err(refused(refusal, case_href(id))),
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

pub async fn revisions(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(query): Query<CompareQuery>,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let case = db::cases::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    user.require(user.works_in(case.organ_id))?;
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
