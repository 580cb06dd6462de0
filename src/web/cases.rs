//! One respondent's case: its page, and every route under `/arenden/{id}`: the
//! workflow's transitions (assign, submit, review, agenda, delegation, dispatch,
//! decline), the editor and the documents. Each transition handler parses the
//! form, calls one use case and renders its outcome.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::confirmation::{Done, redirect_confirming};
use super::form::CsrfForm;
use super::ids::Id;
use super::referrals::{HistoryView, history_views};
use super::refusal::refused;
use super::session::CurrentUser;
use super::views::{FormErrors, Layout, case_href, page_with_status};
use super::{AppError, AppState, document_files, documents, editor, review};
use crate::app::cases::{Assignment, DispatchInput};
use crate::app::{self, step};
use crate::db;
use crate::db::cases::CaseDetail;
use crate::db::decisions::Decision;
use crate::db::meetings::Meeting;
use crate::db::reports::Revision;
use crate::db::reviews::ReviewRow;
use crate::db::users::Colleague;
use crate::domain::audit::AuditAction;
use crate::domain::confirmation::Confirmation;
use crate::domain::dates::{days_left, days_left_sv, format_stockholm, stockholm_date};
use crate::domain::history::{Reader, without_outcome};
use crate::domain::meeting::default_act_date;
use crate::domain::notice::final_earliest_sv;
use crate::domain::workflow::{DecisionOutcome, Transition};
use crate::domain::{CaseState, FieldErrors, Role};

/// Every route under `/arenden/{id}`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/arenden/{id}", get(show))
        .route("/arenden/{id}/tilldela", post(assign))
        .route(
            "/arenden/{id}/utkast",
            get(editor::edit_form).post(editor::save),
        )
        .route("/arenden/{id}/versioner", get(editor::revisions))
        .route("/arenden/{id}/skicka", post(submit))
        .route("/arenden/{id}/granskning", get(review::review_page))
        .route("/arenden/{id}/godkann", post(review::approve))
        .route("/arenden/{id}/atersand", post(review::return_draft))
        .route("/arenden/{id}/dagordning", post(place_on_agenda))
        .route("/arenden/{id}/delegationsbeslut", post(delegation_decision))
        .route("/arenden/{id}/expediera", post(dispatch))
        .route("/arenden/{id}/avboj", post(decline))
        .route(
            "/arenden/{id}/tjansteutlatande",
            get(documents::report_document),
        )
        .route("/arenden/{id}/yttrande", get(documents::reply_document))
        .route(
            "/arenden/{id}/protokollsutdrag/{decision}",
            get(documents::minutes_extract),
        )
        .route(
            "/arenden/{id}/tjansteutlatande.pdf",
            get(document_files::report_pdf),
        )
        .route(
            "/arenden/{id}/tjansteutlatande.docx",
            get(document_files::report_docx),
        )
        .route(
            "/arenden/{id}/protokollsutdrag.pdf",
            get(document_files::extract_pdf),
        )
        .route("/arenden/{id}/yttrande.pdf", get(document_files::reply_pdf))
        .route(
            "/arenden/{id}/yttrande.docx",
            get(document_files::reply_docx),
        )
}

/// "skickat", "köat" or "misslyckades", when, to whom.
struct MailStatus {
    label: &'static str,
    at: String,
    recipient: String,
}

struct DecisionView {
    decision: Decision,
    meeting_date: Option<String>,
}

#[derive(Template)]
#[template(path = "cases/show.html")]
struct CasePage {
    layout: Layout,
    case: CaseDetail,
    deadline_text: String,
    overdue: bool,
    history: Vec<HistoryView>,
    /// Drafts, reviews and the actions on them are shown to the organ's own users.
    insider: bool,
    latest: Option<Revision>,
    latest_at: String,
    returned: Option<ReviewRow>,
    reviews: Vec<(ReviewRow, String)>,
    decisions: Vec<DecisionView>,
    reply: Option<db::decisions::Reply>,
    /// How the yttrande's e-mail went, if it was e-mailed.
    reply_mail: Option<MailStatus>,
    /// "Beslutet vinner laga kraft tidigast …", once the decision is announced.
    final_earliest: Option<String>,
    available: Vec<Transition>,
    officers: Vec<Colleague>,
    meetings: Vec<(Meeting, String, bool)>,
    /// The meeting the case waits on, when and whether it is after the deadline.
    on_agenda: Option<(Uuid, String, bool)>,
    errors: FormErrors,
    form: ActionForm,
    documents: Vec<super::document_register::DocumentView>,
    can_register_documents: bool,
}

impl CasePage {
    /// The documents that went out: shown apart once the case is settled.
    fn outgoing(&self) -> Vec<&super::document_register::DocumentView> {
        self.documents
            .iter()
            .filter(|d| d.outgoing && !d.annulled)
            .collect()
    }

    fn settled(&self) -> bool {
        crate::domain::document::is_settled(self.case.state)
    }

    fn can(&self, transition: Transition) -> bool {
        self.available.contains(&transition)
    }

    fn can_decide_by_delegation(&self) -> bool {
        self.can(Transition::Decide(DecisionOutcome::Delegation))
    }

    fn can_edit(&self) -> bool {
        self.case.state == CaseState::Drafting && self.available.contains(&Transition::Submit)
    }

    /// A decision that stands (not återremiss or bordläggning).
    fn final_decision(&self) -> Option<&Decision> {
        self.decisions
            .iter()
            .map(|d| &d.decision)
            .rfind(|d| d.outcome.stands())
    }
}

/// What the user typed in the case page's forms, to show again with errors.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub officer: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub dispatched_on: String,
    #[serde(default)]
    pub recipient: String,
    /// The sender's registry address the yttrande is e-mailed to.
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub meeting: String,
    /// The case's version the assignment form was made on.
    #[serde(default)]
    pub version: Option<i32>,
    /// The revision the submission form showed.
    #[serde(default)]
    pub revision: Option<i32>,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    done: Done,
) -> Result<Response, AppError> {
    let mut page = case_page(&state, &user, id, FormErrors::none(), ActionForm::default()).await?;
    if let Some(confirmation) = done.0 {
        // An assignment names the officer the case now has.
        let officer = page.case.officer_name.as_deref();
        let message =
            confirmation.message_sv(officer.filter(|_| confirmation == Confirmation::Assigned));
        page.layout = page.layout.confirmed(Some(message));
    }
    Ok(done.shown(super::views::page(&page)?, &case_href(id)))
}

/// The history's recorded decisions as outsiders read them: the outcome only of a
/// decision that is public (the case page's rule, [`app::outgoing::is_public`]);
/// one removed before justering never was.
fn mask_unpublished_decisions(entries: &mut [db::audit::HistoryEntry], decisions: &[Decision]) {
    for entry in entries
        .iter_mut()
        .filter(|e| e.action == AuditAction::CaseDecided)
    {
        let Some(after) = entry.after.as_ref() else {
            continue;
        };
        let public = after
            .get("decision_id")
            .and_then(|id| id.as_str())
            .and_then(|id| Uuid::parse_str(id).ok())
            .and_then(|id| decisions.iter().find(|d| d.id == id))
            .is_some_and(app::outgoing::is_public);
        if !public {
            entry.after = Some(without_outcome(after));
        }
    }
}

/// The case page with its forms, with `errors` and `form` from a refused action.
async fn case_page(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    errors: FormErrors,
    form: ActionForm,
) -> Result<CasePage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let db::cases::PageFacts {
        case,
        history: mut entries,
        decisions: recorded_decisions,
        latest,
        reviews,
        reply,
        reply_mail,
        notice,
        on_agenda,
    } = db::cases::page_facts(&mut conn, id, &user.organs(), user.is_admin())
        .await?
        .ok_or(AppError::NotFound)?;
    // The rule `page_facts` applies to drafts and reviews.
    let insider = user.works_in(case.organ_id);
    if !insider {
        // Drafting and review are working material: outsiders see the steps that
        // are public acts, and a meeting's decision only once it is public.
        entries.retain(|e| e.action.is_public());
        mask_unpublished_decisions(&mut entries, &recorded_decisions);
    }
    let reader = Reader {
        sees_personal_data: insider || user.is_registrar(),
        sees_secret_content: !case.secret || insider || user.is_registrar(),
    };
    let history = history_views(entries, reader);
    let today = state.ctx.clock.today();
    let days = days_left(case.deadline, today);

    let available = step::available(&case, &user.actor());

    let returned = (case.state == CaseState::Drafting)
        .then(|| reviews.last().filter(|r| !r.approved).cloned())
        .flatten();
    let decisions: Vec<DecisionView> = recorded_decisions
        .into_iter()
        // Outsiders read a decision once it is public, and a secret case's
        // reasons not at all (the same rule as the extract and the yttrande).
        .filter(|decision| insider || crate::app::outgoing::is_public(decision))
        .map(|mut decision| {
            if !insider && case.secret {
                decision.reason.clear();
            }
            decision
        })
        .map(|decision| DecisionView {
            meeting_date: decision.meeting_starts_at.map(format_stockholm),
            decision,
        })
        .collect();
    let reply_mail = reply_mail.map(|status| MailStatus {
        label: status.state.label_sv(),
        at: format_stockholm(status.at),
        recipient: status.recipient,
    });
    // Only once the decision is announced; an appeal is not recorded in Remiss.
    let final_earliest = notice
        .filter(|a| a.posted_on <= today)
        .map(|a| final_earliest_sv(a.appeal_last_day, a.take_down_on));
    let officers = if available.contains(&Transition::Assign) {
        db::users::with_role(&mut conn, case.organ_id, Role::Officer).await?
    } else {
        Vec::new()
    };
    let meetings = if available.contains(&Transition::PlaceOnAgenda) {
        db::meetings::upcoming(&mut conn, case.organ_id)
            .await?
            .into_iter()
            .map(|m| {
                let after_deadline = stockholm_date(m.starts_at) > case.deadline;
                let when = format_stockholm(m.starts_at);
                (m, when, after_deadline)
            })
            .collect()
    } else {
        Vec::new()
    };
    let on_agenda = on_agenda.map(|on| {
        (
            on.meeting_id,
            format_stockholm(on.starts_at),
            stockholm_date(on.starts_at) > case.deadline,
        )
    });
    let actor = user.actor();
    let documents = super::document_register::views(
        &crate::app::documents::of_case_in(&mut conn, &actor, case.id)
            .await
            .map_err(|refusal| super::refusal::refused(refusal, "/"))?,
        Some(case.id),
        &actor,
    );
    let can_register_documents = user.is_registrar() || !user.roles_in(case.organ_id).is_empty();
    let mut form = form;
    if form.recipient.is_empty() {
        form.recipient = case.sender_name.clone();
    }
    if form.email.is_empty() && available.contains(&Transition::Dispatch) {
        // The address registered with the remiss; else the last one used for
        // this recipient.
        form.email = match &case.sender_email {
            Some(address) => address.clone(),
            None => db::decisions::last_registry_address(&mut conn, &form.recipient)
                .await?
                .unwrap_or_default(),
        };
    }
    drop(conn);
    if form.dispatched_on.is_empty() {
        let decided_on = decisions
            .iter()
            .map(|view: &DecisionView| &view.decision)
            .rfind(|d| d.outcome.stands())
            .map_or(today, |d| d.decided_on);
        form.dispatched_on = default_act_date(decided_on, today).to_string();
    }
    Ok(CasePage {
        layout: Layout::new(format!("Ärende {}", case.dnr), user, "remisser")
            .crumb("Remisser", "/remisser")
            .crumb(
                case.referral_title.clone(),
                format!("/remisser/{}", case.referral_id),
            ),
        deadline_text: days_left_sv(days),
        overdue: days < 0 && case.state.is_open() && case.annulled_reason.is_none(),
        insider,
        latest_at: latest
            .as_ref()
            .map(|r| format_stockholm(r.created_at))
            .unwrap_or_default(),
        latest,
        returned,
        reviews: reviews
            .into_iter()
            .map(|r| {
                let at = format_stockholm(r.created_at);
                (r, at)
            })
            .collect(),
        decisions,
        reply,
        reply_mail,
        final_earliest,
        available,
        officers,
        meetings,
        on_agenda,
        errors,
        form,
        case,
        history,
        documents,
        can_register_documents,
    })
}

/// The case page again with a message beside the form that was refused (422).
async fn refuse_form(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    errors: FieldErrors,
    form: ActionForm,
) -> Result<Response, AppError> {
    let page = case_page(state, user, id, errors.into(), form).await?;
    page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// After a step: back to `to`, which confirms the step when it has words for it,
/// or the case page again with what was refused.
async fn after_step(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    form: ActionForm,
    done: app::Result<String>,
    confirmation: Option<Confirmation>,
) -> Result<Response, AppError> {
    match (done, confirmation) {
        (Ok(to), Some(confirmation)) => Ok(redirect_confirming(&to, confirmation)),
        (Ok(to), None) => Ok(Redirect::to(&to).into_response()),
        (Err(app::Error::Invalid(errors)), _) => refuse_form(state, user, id, errors, form).await,
        (Err(refusal), _) => Err(refused(refusal, case_href(id))),
    }
}

async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let input = Assignment {
        officer: Uuid::parse_str(form.officer.trim()).ok(),
        seen_version: form
            .version
            .ok_or(AppError::BadRequest("version missing"))?,
    };
    let done = app::cases::assign(&state.ctx, &user.actor(), id, input).await;
    let to = done.map(|()| case_href(id));
    after_step(&state, &user, id, form, to, Some(Confirmation::Assigned)).await
}

async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let revision = form
        .revision
        .ok_or(AppError::BadRequest("revision missing"))?;
    let done = app::cases::submit(&state.ctx, &user.actor(), id, revision).await;
    let to = done.map(|()| case_href(id));
    after_step(&state, &user, id, form, to, Some(Confirmation::Submitted)).await
}

/// Places the case on a meeting's agenda, then shows the meeting.
async fn place_on_agenda(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let meeting = Uuid::parse_str(form.meeting.trim()).map_err(|_| AppError::NotFound)?;
    let done = app::meetings::place_on_agenda(&state.ctx, &user.actor(), id, meeting).await;
    let to = format!("/sammantraden/{meeting}");
    after_step(&state, &user, id, form, done.map(|_| to), None).await
}

async fn delegation_decision(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let actor = user.actor();
    let done = app::cases::decide_by_delegation(&state.ctx, &actor, id, &form.reference).await;
    let to = done.map(|()| case_href(id));
    after_step(
        &state,
        &user,
        id,
        form,
        to,
        Some(Confirmation::DecidedByDelegation),
    )
    .await
}

async fn dispatch(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let input = DispatchInput {
        dispatched_on: form.dispatched_on.clone(),
        recipient: form.recipient.clone(),
        email: form.email.clone(),
    };
    let done = app::cases::dispatch(&state.ctx, &user.actor(), id, &input).await;
    let to = done.map(|()| case_href(id));
    after_step(&state, &user, id, form, to, Some(Confirmation::Dispatched)).await
}

async fn decline(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let done = app::cases::decline(&state.ctx, &user.actor(), id, &form.reason).await;
    after_step(&state, &user, id, form, done.map(|()| case_href(id)), None).await
}
