//! One respondent's case: its page, and the workflow's transitions that are taken
//! from it (assign, submit, review, delegation, dispatch, decline).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::form::CsrfForm;
use super::referrals::{HistoryView, history_views};
use super::session::CurrentUser;
use super::views::{FormErrors, Layout, page_with_status};
use super::{AppError, AppState};
use crate::db;
use crate::db::cases::{CaseDetail, Step};
use crate::db::decisions::Decision;
use crate::db::meetings::Meeting;
use crate::db::reports::Revision;
use crate::db::reviews::ReviewRow;
use crate::db::users::Colleague;
use crate::domain::dates::{days_left, days_left_sv, format_stockholm, stockholm_date};
use crate::domain::meeting::{validate_dispatch, validate_required};
use crate::domain::report::missing_for_submission;
use crate::domain::workflow::{self, Actor, DecisionOutcome, OrganRules, Refusal, Transition};
use crate::domain::{CaseState, FieldErrors, Role};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/arenden/{id}", get(show))
        .route("/arenden/{id}/tilldela", post(assign))
        .route("/arenden/{id}/skicka", post(submit))
        .route("/arenden/{id}/granskning", get(super::review::review_page))
        .route("/arenden/{id}/godkann", post(super::review::approve))
        .route("/arenden/{id}/atersand", post(super::review::return_draft))
        .route(
            "/arenden/{id}/dagordning",
            post(super::meetings::place_on_agenda),
        )
        .route("/arenden/{id}/delegationsbeslut", post(delegation_decision))
        .route("/arenden/{id}/expediera", post(dispatch))
        .route("/arenden/{id}/avboj", post(decline))
}

pub fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

pub fn case_href(id: Uuid) -> String {
    format!("/arenden/{id}")
}

/// Working material (drafts, reviews) is for the case's own organ and admins.
pub fn works_in_organ(user: &CurrentUser, organ_id: Uuid) -> bool {
    user.is_admin() || !user.roles_in(organ_id).is_empty()
}

pub async fn load(conn: &mut PgConnection, id: &str) -> Result<CaseDetail, AppError> {
    let id = parse_id(id)?;
    db::cases::get(conn, id).await?.ok_or(AppError::NotFound)
}

/// Asks the workflow whether this user may take `transition` on the case now.
pub fn check(
    case: &CaseDetail,
    user: &CurrentUser,
    transition: Transition,
) -> Result<CaseState, AppError> {
    let roles = user.roles_in(case.organ_id);
    let actor = Actor {
        roles: &roles,
        is_assigned_officer: case.officer_id == Some(user.id()),
    };
    let rules = OrganRules {
        delegation_allowed: case.delegation_allowed,
    };
    workflow::apply(case.state, transition, &actor, &rules)
        .map_err(|refusal| refused(case.id, &refusal))
}

fn refused(case_id: Uuid, refusal: &Refusal) -> AppError {
    let status = match refusal {
        Refusal::NotInThisState { .. } => StatusCode::CONFLICT,
        _ => StatusCode::FORBIDDEN,
    };
    AppError::Refused {
        status,
        message: refusal.message_sv(),
        back: case_href(case_id),
    }
}

/// Another user's transition came first: nothing was saved.
pub fn raced(case_id: Uuid) -> AppError {
    AppError::Refused {
        status: StatusCode::CONFLICT,
        message: "Någon annan ändrade ärendet samtidigt, så ingenting har sparats. Läs in ärendet igen och se hur det står nu.".into(),
        back: case_href(case_id),
    }
}

fn step<'a>(
    user_id: Uuid,
    case: &CaseDetail,
    to: CaseState,
    action: &'a str,
    details: serde_json::Value,
    at: DateTime<Utc>,
) -> Step<'a> {
    Step {
        case_id: case.id,
        referral_id: case.referral_id,
        from: case.state,
        to,
        actor_id: user_id,
        action,
        details,
        at,
    }
}

/// Moves the case's state and records the event, in the caller's transaction.
pub async fn record_transition(
    conn: &mut PgConnection,
    user_id: Uuid,
    case: &CaseDetail,
    to: CaseState,
    action: &str,
    details: serde_json::Value,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    if !db::cases::take_step(conn, &step(user_id, case, to, action, details, at)).await? {
        return Err(raced(case.id));
    }
    Ok(())
}

/// The audit event of a step whose state change was written otherwise.
pub async fn event(
    conn: &mut PgConnection,
    user_id: Uuid,
    case: &CaseDetail,
    to: CaseState,
    action: &str,
    details: serde_json::Value,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    db::cases::record_step(conn, &step(user_id, case, to, action, details, at)).await?;
    Ok(())
}

/// History events an outsider may see: registration and the board's public acts.
const PUBLIC_ACTIONS: [&str; 8] = [
    "referral.registered",
    "referral.corrected",
    "case.registered",
    "case.placed_on_agenda",
    "case.decided",
    "case.decided_by_delegation",
    "case.dispatched",
    "case.declined",
];

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
        self.decisions.iter().map(|d| &d.decision).rfind(|d| {
            matches!(
                d.outcome,
                DecisionOutcome::Adopted | DecisionOutcome::Amended | DecisionOutcome::Delegation
            )
        })
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
    #[serde(default)]
    pub meeting: String,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let page = case_page(
        &state,
        &user,
        &id,
        FormErrors::none(),
        ActionForm::default(),
    )
    .await?;
    super::views::page(&page)
}

/// The case page with its forms, with `errors` and `form` from a refused action.
async fn case_page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    errors: FormErrors,
    form: ActionForm,
) -> Result<CasePage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let case = load(&mut conn, id).await?;
    let insider = works_in_organ(user, case.organ_id);
    let mut entries = db::audit::case_history(&mut conn, case.id, case.referral_id).await?;
    if !insider {
        // Drafting and review are working material: outsiders see the steps that
        // are public acts.
        entries.retain(|e| PUBLIC_ACTIONS.contains(&e.action.as_str()));
    }
    let history = history_views(entries);
    let today = stockholm_date(Utc::now());
    let days = days_left(case.deadline, today);

    let roles = user.roles_in(case.organ_id);
    let actor = Actor {
        roles: &roles,
        is_assigned_officer: case.officer_id == Some(user.id()),
    };
    let available = workflow::available(
        case.state,
        &actor,
        &OrganRules {
            delegation_allowed: case.delegation_allowed,
        },
    );

    let (latest, reviews) = if insider {
        (
            db::reports::latest(&mut conn, case.id).await?,
            db::reviews::for_case(&mut conn, case.id).await?,
        )
    } else {
        (None, Vec::new())
    };
    let returned = (case.state == CaseState::Drafting)
        .then(|| reviews.last().filter(|r| !r.approved).cloned())
        .flatten();
    let decisions = db::decisions::for_case(&mut conn, case.id)
        .await?
        .into_iter()
        .map(|decision| DecisionView {
            meeting_date: decision.meeting_starts_at.map(format_stockholm),
            decision,
        })
        .collect();
    let reply = db::decisions::reply(&mut conn, case.id).await?;
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
    let on_agenda = match db::meetings::open_item_for_case(&mut conn, case.id).await? {
        Some((_, meeting_id)) => db::meetings::get(&mut conn, meeting_id).await?.map(|m| {
            (
                m.id,
                format_stockholm(m.starts_at),
                stockholm_date(m.starts_at) > case.deadline,
            )
        }),
        None => None,
    };
    drop(conn);
    let actor = super::document_register::actor(user);
    let documents = super::document_register::views(
        &crate::documents::of_case(&state.pool, &actor, case.id).await?,
        Some(case.id),
        &actor,
    );
    let can_register_documents = user.is_registrar() || !user.roles_in(case.organ_id).is_empty();
    let mut form = form;
    if form.recipient.is_empty() {
        form.recipient = case.sender_name.clone();
    }
    if form.dispatched_on.is_empty() {
        form.dispatched_on = today.to_string();
    }
    Ok(CasePage {
        layout: Layout::new(format!("Ärende {}", case.dnr), user, "remisser")
            .crumb("Remisser", "/remisser")
            .crumb(
                case.referral_title.clone(),
                format!("/remisser/{}", case.referral_id),
            ),
        deadline_text: days_left_sv(days),
        overdue: days < 0 && case.state.is_open(),
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
    id: &str,
    errors: FieldErrors,
    form: ActionForm,
) -> Result<Response, AppError> {
    let page = case_page(state, user, id, errors.into(), form).await?;
    page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

fn back_to(case_id: Uuid) -> Response {
    Redirect::to(&case_href(case_id)).into_response()
}

async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let mut tx = db::begin(&state.pool).await?;
    let case = load(&mut tx, &id).await?;
    check(&case, &user, Transition::Assign)?;
    let officers = db::users::with_role(&mut tx, case.organ_id, Role::Officer).await?;
    let Some(officer) = Uuid::parse_str(&form.officer)
        .ok()
        .and_then(|id| officers.iter().find(|o| o.id == id))
    else {
        drop(tx);
        let mut errors = FieldErrors::new();
        errors.add("officer", "Välj en handläggare i nämndens förvaltning.");
        return refuse_form(&state, &user, &id, errors, form).await;
    };
    if !db::cases::assign(&mut tx, case.id, case.state, officer.id).await? {
        return Err(raced(case.id));
    }
    let now = Utc::now();
    event(
        &mut tx,
        user.id(),
        &case,
        CaseState::Drafting,
        "case.assigned",
        json!({ "officer": officer.display_name }),
        now,
    )
    .await?;
    // The first assignment opens the draft with the report's usual frame.
    if db::reports::latest(&mut tx, case.id).await?.is_none() {
        let draft = crate::domain::report::first_draft(
            &case.referral_title,
            &case.organ_name,
            &case.administration,
        );
        db::reports::save(&mut tx, case.id, 0, &draft, user.id(), now).await?;
    }
    tx.commit().await?;
    Ok(back_to(case.id))
}

async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let mut tx = db::begin(&state.pool).await?;
    let case = load(&mut tx, &id).await?;
    let to = check(&case, &user, Transition::Submit)?;
    let latest = db::reports::latest(&mut tx, case.id).await?;
    let missing = latest
        .as_ref()
        .map(|r| missing_for_submission(&r.content))
        .unwrap_or_else(|| vec!["Det finns inget utkast att skicka."]);
    if !missing.is_empty() {
        drop(tx);
        let mut errors = FieldErrors::new();
        errors.add("submit", missing.join(" "));
        return refuse_form(&state, &user, &id, errors, form).await;
    }
    let revision = latest.expect("checked above").number;
    record_transition(
        &mut tx,
        user.id(),
        &case,
        to,
        "case.submitted",
        json!({ "revision": revision }),
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(case.id))
}

async fn delegation_decision(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let mut tx = db::begin(&state.pool).await?;
    let case = load(&mut tx, &id).await?;
    let to = check(
        &case,
        &user,
        Transition::Decide(DecisionOutcome::Delegation),
    )?;
    let reference = match validate_required(
        "reference",
        &form.reference,
        "Ange delegationsbeslutets stöd i delegationsordningen, till exempel punkt 1.4.",
    ) {
        Ok(reference) => reference,
        Err(errors) => {
            drop(tx);
            return refuse_form(&state, &user, &id, errors, form).await;
        }
    };
    let revision = db::reports::latest(&mut tx, case.id)
        .await?
        .ok_or_else(|| raced(case.id))?;
    let now = Utc::now();
    db::decisions::insert(
        &mut tx,
        &db::decisions::NewDecision {
            case_id: case.id,
            agenda_item_id: None,
            paragraph: None,
            decided_on: stockholm_date(now),
            outcome: DecisionOutcome::Delegation,
            decision_text: "",
            reason: "",
            attendance: "",
            reservations: &[],
            statements: &[],
            delegation_reference: Some(&reference),
            revision_id: revision.id,
            decided_by: user.id(),
            at: now,
        },
    )
    .await?;
    record_transition(
        &mut tx,
        user.id(),
        &case,
        to,
        "case.decided_by_delegation",
        json!({ "reference": reference }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(case.id))
}

async fn dispatch(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let mut tx = db::begin(&state.pool).await?;
    let case = load(&mut tx, &id).await?;
    let to = check(&case, &user, Transition::Dispatch)?;
    let decision = db::decisions::for_case(&mut tx, case.id)
        .await?
        .into_iter()
        .rfind(|d| {
            matches!(
                d.outcome,
                DecisionOutcome::Adopted | DecisionOutcome::Amended | DecisionOutcome::Delegation
            )
        })
        .ok_or_else(|| raced(case.id))?;
    let (on, recipient) =
        match validate_dispatch(&form.dispatched_on, &form.recipient, decision.decided_on) {
            Ok(valid) => valid,
            Err(errors) => {
                drop(tx);
                return refuse_form(&state, &user, &id, errors, form).await;
            }
        };
    let now = Utc::now();
    db::decisions::dispatch(
        &mut tx,
        case.id,
        decision.id,
        on,
        &recipient,
        user.id(),
        now,
    )
    .await?;
    // From now on the yttrande is public: the diarium masks what looks like a
    // personnummer in it, and the registrar is told.
    if let Some(revision) = db::reports::get_by_id(&mut tx, decision.revision_id).await? {
        let mut public_texts: Vec<String> =
            crate::domain::report::sections(&revision.content, &case.administration)
                .into_iter()
                .map(|(_, text)| text)
                .collect();
        public_texts.push(decision.decision_text.clone());
        if public_texts
            .iter()
            .any(|text| !crate::domain::personal_data::find(text).is_empty())
        {
            db::cases::flag_personal_data(&mut tx, case.id).await?;
        }
    }
    record_transition(
        &mut tx,
        user.id(),
        &case,
        to,
        "case.dispatched",
        json!({ "dispatched_on": on, "recipient": recipient }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(case.id))
}

async fn decline(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let mut tx = db::begin(&state.pool).await?;
    let case = load(&mut tx, &id).await?;
    check(&case, &user, Transition::Decline)?;
    let reason = match validate_required(
        "reason",
        &form.reason,
        "Ange varför nämnden avstår från att svara.",
    ) {
        Ok(reason) => reason,
        Err(errors) => {
            drop(tx);
            return refuse_form(&state, &user, &id, errors, form).await;
        }
    };
    if !db::cases::decline(&mut tx, case.id, case.state, &reason).await? {
        return Err(raced(case.id));
    }
    // A case waiting on an agenda leaves it.
    if let Some((item, _)) = db::meetings::open_item_for_case(&mut tx, case.id).await? {
        db::meetings::remove_item(&mut tx, item).await?;
    }
    event(
        &mut tx,
        user.id(),
        &case,
        CaseState::Declined,
        "case.declined",
        json!({ "reason": reason }),
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(case.id))
}
