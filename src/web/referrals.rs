//! Remisser: registration, the list, one remiss, corrections.

use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::confirmation::{Done, redirect_confirming};
use super::document_register::{self, DocumentView};
use super::form::CsrfForm;
use super::ids::Id;
use super::query::{Query, cursor_date, cursor_time};
use super::refusal::refused;
use super::session::CurrentUser;
use super::upload;
use super::views::{FormErrors, Layout, page, page_with_status};
use super::{AppError, AppState};
use crate::app;
use crate::app::documents::DocumentIn;
use crate::app::referrals::Corrected;
use crate::db::organs::Organ;
use crate::db::referrals::{
    CaseRow, Cursor, ExtensionRow, ListQuery, ListRow, Referral, Resembling, Sort, StateFilter,
};
use crate::db::{self, audit::HistoryEntry};
use crate::domain::CaseState;
use crate::domain::confirmation::Confirmation;
use crate::domain::dates::{days_left, days_left_sv, format_stockholm, stockholm_date};
use crate::domain::document::{Direction, DocumentFields, DocumentInput};
use crate::domain::history::{self, Reader};
use crate::domain::referral::{ExtensionInput, ReferralInput};

const PAGE_SIZE: i64 = 25;

/// The registration and correction form as posted.
#[derive(Debug, Deserialize, Default)]
pub struct ReferralForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    sender_organ: String,
    #[serde(default)]
    sender_name: String,
    #[serde(default)]
    sender_dnr: String,
    #[serde(default)]
    sender_email: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    secrecy_provision: String,
    #[serde(default)]
    respondents: Vec<String>,
    /// "Registrera ändå", offered beside the warning of a likely duplicate.
    #[serde(default)]
    duplicate_confirmed: Option<String>,
    /// The version the correction was made on.
    #[serde(default)]
    version: Option<i32>,
    // The registration form's documents (their files come apart).
    #[serde(default)]
    document_title_1: String,
    #[serde(default)]
    document_secrecy_1: String,
    #[serde(default)]
    document_title_2: String,
    #[serde(default)]
    document_secrecy_2: String,
    #[serde(default)]
    document_title_3: String,
    #[serde(default)]
    document_secrecy_3: String,
}

impl ReferralForm {
    fn input(&self) -> ReferralInput {
        ReferralInput {
            title: self.title.clone(),
            description: self.description.clone(),
            sender_organ: self.sender_organ.clone(),
            sender_name: self.sender_name.clone(),
            sender_dnr: self.sender_dnr.clone(),
            sender_email: self.sender_email.clone(),
            received_on: self.received_on.clone(),
            deadline: self.deadline.clone(),
            secret: self.secret.is_some(),
            secrecy_provision: self.secrecy_provision.clone(),
            respondents: self.respondents.clone(),
            duplicate_confirmed: self.duplicate_confirmed.is_some(),
        }
    }
}

fn input_from(referral: &Referral) -> ReferralInput {
    ReferralInput {
        title: referral.title.clone(),
        description: referral.description.clone(),
        sender_organ: referral
            .sender_organ_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        sender_name: if referral.sender_organ_id.is_some() {
            String::new()
        } else {
            referral.sender_name.clone()
        },
        sender_dnr: referral.sender_dnr.clone(),
        sender_email: referral.sender_email.clone().unwrap_or_default(),
        received_on: referral.received_on.to_string(),
        deadline: referral.deadline.to_string(),
        secret: referral.secret,
        secrecy_provision: referral.secrecy_provision.clone(),
        respondents: Vec::new(),
        duplicate_confirmed: false,
    }
}

#[derive(Template)]
#[template(path = "referrals/form.html")]
struct FormPage {
    layout: Layout,
    /// None when registering, the remiss when correcting it.
    referral_id: Option<Uuid>,
    version: i32,
    input: ReferralInput,
    organs: Vec<Organ>,
    errors: FormErrors,
    /// On a stale correction: the remiss as someone else saved it.
    conflict: Option<Vec<ConflictRow>>,
    /// The registration's document slots as typed.
    slots: Vec<SlotInput>,
    max_mb: u64,
    scanned: bool,
    /// Beside the warning of a likely duplicate: the remisser it resembles.
    resembling: Vec<Resembling>,
}

impl FormPage {
    fn organ_selected(&self, id: &Uuid) -> bool {
        self.input.sender_organ == id.to_string()
    }

    /// Each document slot: its number, its fields' names, and what was typed.
    fn slot_fields(&self) -> Vec<(usize, &'static str, &'static str, &'static str, &SlotInput)> {
        DocumentFields::SLOTS
            .iter()
            .zip(&self.slots)
            .enumerate()
            .map(|(i, (fields, slot))| {
                (
                    i + 1,
                    fields.title,
                    fields.secrecy_provision,
                    fields.file,
                    slot,
                )
            })
            .collect()
    }

    fn respondent_checked(&self, id: &Uuid) -> bool {
        self.input
            .respondents
            .iter()
            .any(|r| r.trim() == id.to_string())
    }
}

/// One field of a stale correction: what is saved now, and what this user typed.
struct ConflictRow {
    label: &'static str,
    theirs: String,
    yours: String,
}

async fn organs(state: &AppState) -> Result<Vec<Organ>, AppError> {
    let mut conn = state.pool.acquire().await?;
    Ok(state.ctx.organs.list(&mut conn).await?)
}

pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    user.require(user.is_registrar())?;
    let input = ReferralInput {
        received_on: stockholm_date(Utc::now()).to_string(),
        ..ReferralInput::default()
    };
    page(&FormPage {
        layout: Layout::new("Registrera remiss", &user, "ny").crumb("Remisser", "/remisser"),
        referral_id: None,
        version: 0,
        input,
        organs: organs(&state).await?,
        errors: FormErrors::none(),
        conflict: None,
        slots: vec![SlotInput::default(); DocumentFields::SLOTS.len()],
        max_mb: state.settings.max_upload_bytes / 1_000_000,
        scanned: state.settings.clamd.is_some(),
        resembling: Vec::new(),
    })
}

/// Registers a remiss with its incoming documents: a form with files
/// (`multipart/form-data`, as the page sends it) or without (url-encoded).
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    request: Request,
) -> Result<Response, AppError> {
    let (form, slots, too_large) = if upload::is_multipart(&request) {
        let mut upload = upload::read(&state, request).await?;
        let form: ReferralForm = upload.decode()?;
        let slots = form.document_slots(&state, &mut upload).await?;
        (form, slots, upload.too_large)
    } else {
        let CsrfForm(form) = CsrfForm::<ReferralForm>::from_request(request, &state).await?;
        (form, Vec::new(), false)
    };
    let input = form.input();
    let documents: Vec<DocumentIn> = slots.iter().filter_map(|s| s.document.clone()).collect();
    match app::documents::register_referral(&state.ctx, &user.actor(), &input, &documents).await {
        Ok(registered) => {
            let numbers: Vec<String> = registered.cases.iter().map(|c| c.dnr.to_string()).collect();
            tracing::info!(
                referral = %registered.referral_id,
                dnr = ?numbers,
                documents = registered.documents.len(),
                "remiss registered"
            );
            let to = format!("/remisser/{}", registered.referral_id);
            Ok(redirect_confirming(&to, Confirmation::Registered))
        }
        Err(app::Error::Invalid(errors)) => {
            let resembling = if errors.get("duplicate_confirmed").is_some() {
                app::referrals::resembling(&state.ctx, &user.actor(), &input)
                    .await
                    .map_err(|refusal| refused(refusal, "/remisser"))?
            } else {
                Vec::new()
            };
            let page = FormPage {
                layout: Layout::new("Registrera remiss", &user, "ny")
                    .crumb("Remisser", "/remisser"),
                referral_id: None,
                version: 0,
                input,
                organs: organs(&state).await?,
                errors: errors.into(),
                conflict: None,
                slots: slots.into_iter().map(|s| s.typed).collect(),
                max_mb: state.settings.max_upload_bytes / 1_000_000,
                scanned: state.settings.clamd.is_some(),
                resembling,
            };
            let status = if too_large {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            page_with_status(status, &page)
        }
        Err(refusal) => Err(refused(refusal, "/remisser")),
    }
}

/// One document slot of the registration form: as typed, and as a document to
/// register when anything was filled in.
struct Slot {
    typed: SlotInput,
    document: Option<DocumentIn>,
}

/// A document slot's fields as typed, to show again.
#[derive(Debug, Clone, Default)]
pub struct SlotInput {
    pub title: String,
    pub secrecy_provision: String,
}

impl ReferralForm {
    /// The form's document slots: each with a title or a file is a document of
    /// the remiss, received with it from its sender.
    async fn document_slots(
        &self,
        state: &AppState,
        upload: &mut upload::UploadForm,
    ) -> Result<Vec<Slot>, AppError> {
        let sender = match Uuid::parse_str(self.sender_organ.trim()) {
            Ok(id) => organs(state)
                .await?
                .into_iter()
                .find(|o| o.id == id)
                .map(|o| o.name)
                .unwrap_or_default(),
            Err(_) => self.sender_name.trim().to_string(),
        };
        let typed = [
            (&self.document_title_1, &self.document_secrecy_1),
            (&self.document_title_2, &self.document_secrecy_2),
            (&self.document_title_3, &self.document_secrecy_3),
        ];
        Ok(DocumentFields::SLOTS
            .iter()
            .zip(typed)
            .map(|(fields, (title, secrecy))| {
                let file = upload.take_file(fields.file);
                let filled = !title.trim().is_empty() || file.is_some();
                Slot {
                    typed: SlotInput {
                        title: title.clone(),
                        secrecy_provision: secrecy.clone(),
                    },
                    document: filled.then(|| DocumentIn {
                        fields: *fields,
                        input: DocumentInput {
                            title: title.clone(),
                            direction: Direction::Incoming.as_str().into(),
                            dated_on: self.received_on.clone(),
                            counterpart: sender.clone(),
                            secrecy_provision: secrecy.clone(),
                        },
                        file,
                    }),
                }
            })
            .collect())
    }
}

/// Whether the user may read a secret remiss's content: registrars, administrators
/// and anyone working in one of its respondent organs.
fn may_read_secret(user: &CurrentUser, cases: &[CaseRow]) -> bool {
    user.is_registrar()
        || user.is_admin()
        || cases.iter().any(|c| !user.roles_in(c.organ_id).is_empty())
}

#[derive(Template)]
#[template(path = "referrals/show.html")]
struct ShowPage {
    layout: Layout,
    referral: Referral,
    cases: Vec<CaseRow>,
    content_visible: bool,
    can_correct: bool,
    deadline_text: String,
    answered: bool,
    registered_at: String,
    history: Vec<HistoryView>,
    documents: Vec<DocumentView>,
    /// The organs a registrar may still add as respondents.
    organs_to_add: Vec<Organ>,
    /// The anstånd recorded, oldest first.
    extensions: Vec<ExtensionRow>,
    annulled_at: String,
    forms: ShowForms,
}

/// The remiss page's own forms as typed, with their errors after a refusal.
#[derive(Default)]
struct ShowForms {
    add_errors: FormErrors,
    annul_reason: String,
    annul_errors: FormErrors,
    extension: ExtensionInput,
    extension_errors: FormErrors,
}

pub struct HistoryView {
    pub at: String,
    pub actor: String,
    pub text: String,
    pub changes: Vec<(String, String, String)>,
}

/// The history's entries as `reader` may read them (see [`history::read_as`]).
pub fn history_views(entries: Vec<HistoryEntry>, reader: Reader) -> Vec<HistoryView> {
    entries
        .into_iter()
        .map(|entry| {
            let (text, changes) = history::read_as(
                reader,
                entry.action,
                entry.before.as_ref(),
                entry.after.as_ref(),
            );
            HistoryView {
                at: format_stockholm(entry.at),
                actor: entry.actor_name.unwrap_or_else(|| "Systemet".to_string()),
                text,
                changes,
            }
        })
        .collect()
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    done: Done,
) -> Result<Response, AppError> {
    let mut shown = show_page(&state, &user, id, ShowForms::default()).await?;
    if let Some(confirmation) = done.0 {
        // A registration names the cases' new numbers.
        let numbers = shown
            .cases
            .iter()
            .map(|case| case.dnr.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let detail = (confirmation == Confirmation::Registered).then_some(numbers.as_str());
        shown.layout = shown
            .layout
            .confirmed(Some(confirmation.message_sv(detail)));
    }
    Ok(done.shown(page(&shown)?, &format!("/remisser/{id}")))
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    forms: ShowForms,
) -> Result<ShowPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let db::referrals::ReferralPage {
        referral,
        cases,
        extensions,
        history,
    } = db::referrals::page(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let insider = may_read_secret(user, &cases);
    let reader = Reader {
        sees_personal_data: insider,
        sees_secret_content: !referral.secret || insider,
    };
    let history = history_views(history, reader);
    let actor = user.actor();
    let documents = document_register::views(
        &app::documents::of_referral_in(&mut conn, &actor, id)
            .await
            .map_err(|refusal| refused(refusal, "/remisser"))?,
        None,
        &actor,
    );
    drop(conn);
    let annulled = referral.annulled_at.is_some();
    let organs_to_add = if user.is_registrar() && !annulled {
        organs(state)
            .await?
            .into_iter()
            .filter(|organ| cases.iter().all(|case| case.organ_id != organ.id))
            .collect()
    } else {
        Vec::new()
    };
    let today = state.ctx.clock.today();
    let answered = cases.iter().all(|c| !c.state.is_open());
    Ok(ShowPage {
        layout: Layout::new(referral.title.clone(), user, "remisser")
            .crumb("Remisser", "/remisser"),
        content_visible: !referral.secret || insider,
        can_correct: user.is_registrar() && !annulled,
        deadline_text: days_left_sv(days_left(referral.deadline, today)),
        registered_at: format_stockholm(referral.created_at),
        annulled_at: referral
            .annulled_at
            .map(format_stockholm)
            .unwrap_or_default(),
        answered,
        referral,
        cases,
        history,
        documents,
        organs_to_add,
        extensions,
        forms,
    })
}

#[derive(Deserialize)]
pub struct AnnulForm {
    #[serde(default)]
    reason: String,
}

/// `POST /remisser/{id}/makulera`: the registration makulerad with its reason.
pub async fn annul(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<AnnulForm>,
) -> Result<Response, AppError> {
    let back = format!("/remisser/{id}");
    match app::referrals::annul(&state.ctx, &user.actor(), id, &form.reason).await {
        Ok(()) => {
            tracing::info!(referral = %id, "remiss annulled");
            Ok(Redirect::to(&back).into_response())
        }
        Err(app::Error::Invalid(errors)) => {
            let forms = ShowForms {
                annul_reason: form.reason,
                annul_errors: errors.into(),
                ..ShowForms::default()
            };
            let page = show_page(&state, &user, id, forms).await?;
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, back)),
    }
}

#[derive(Deserialize)]
pub struct ExtensionForm {
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    granted_on: String,
    #[serde(default)]
    granted_by: String,
    #[serde(default)]
    note: String,
}

/// `POST /remisser/{id}/anstand`: an anstånd agreed with the sender.
pub async fn extend_deadline(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<ExtensionForm>,
) -> Result<Response, AppError> {
    let back = format!("/remisser/{id}");
    let input = ExtensionInput {
        deadline: form.deadline,
        granted_on: form.granted_on,
        granted_by: form.granted_by,
        note: form.note,
    };
    match app::referrals::extend_deadline(&state.ctx, &user.actor(), id, &input).await {
        Ok(()) => {
            tracing::info!(referral = %id, deadline = %input.deadline, "deadline extended");
            Ok(Redirect::to(&back).into_response())
        }
        Err(app::Error::Invalid(errors)) => {
            let forms = ShowForms {
                extension: input,
                extension_errors: errors.into(),
                ..ShowForms::default()
            };
            let page = show_page(&state, &user, id, forms).await?;
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, back)),
    }
}

#[derive(Deserialize)]
pub struct AddRespondentForm {
    #[serde(default)]
    organ: String,
}

/// `POST /remisser/{id}/remissinstanser`: a respondent added after registration.
pub async fn add_respondent(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<AddRespondentForm>,
) -> Result<Response, AppError> {
    let back = format!("/remisser/{id}");
    match app::referrals::add_respondent(&state.ctx, &user.actor(), id, &form.organ).await {
        Ok(opened) => {
            tracing::info!(referral = %id, dnr = %opened.dnr, "respondent added");
            Ok(Redirect::to(&back).into_response())
        }
        Err(app::Error::Invalid(errors)) => {
            let forms = ShowForms {
                add_errors: errors.into(),
                ..ShowForms::default()
            };
            let page = show_page(&state, &user, id, forms).await?;
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, back)),
    }
}

async fn edit_page(
    state: &AppState,
    user: &CurrentUser,
    referral: &Referral,
    input: ReferralInput,
    errors: FormErrors,
    conflict: Option<Vec<ConflictRow>>,
) -> Result<FormPage, AppError> {
    Ok(FormPage {
        layout: Layout::new("Rätta remissens uppgifter", user, "remisser")
            .crumb("Remisser", "/remisser")
            .crumb(referral.title.clone(), format!("/remisser/{}", referral.id)),
        referral_id: Some(referral.id),
        version: referral.version,
        input,
        organs: organs(state).await?,
        errors,
        conflict,
        slots: Vec::new(),
        max_mb: 0,
        scanned: false,
        resembling: Vec::new(),
    })
}

pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let referral = db::referrals::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    user.require(user.is_registrar())?;
    let input = input_from(&referral);
    page(&edit_page(&state, &user, &referral, input, FormErrors::none(), None).await?)
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<ReferralForm>,
) -> Result<Response, AppError> {
    let version = form
        .version
        .ok_or(AppError::BadRequest("version missing"))?;
    let input = form.input();
    let corrected = app::referrals::correct(&state.ctx, &user.actor(), id, version, &input).await;
    let back = format!("/remisser/{id}");
    match corrected {
        Ok(Corrected::Saved) => Ok(Redirect::to(&back).into_response()),
        // Someone saved in between: nothing is overwritten; both texts are shown and
        // the form, still holding this user's text, now answers the newer version.
        Ok(Corrected::Stale { current }) => {
            let conflict = conflict_rows(&current, &input, &organs(&state).await?);
            let errors = FormErrors::none();
            let page = edit_page(&state, &user, &current, input, errors, Some(conflict)).await?;
            page_with_status(StatusCode::CONFLICT, &page)
        }
        Err(app::Error::Invalid(errors)) => {
            let mut conn = state.pool.acquire().await?;
            let current = db::referrals::get(&mut conn, id)
                .await?
                .ok_or(AppError::NotFound)?;
            drop(conn);
            let mut page = edit_page(&state, &user, &current, input, errors.into(), None).await?;
            page.version = version;
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, back)),
    }
}

fn conflict_rows(current: &Referral, yours: &ReferralInput, organs: &[Organ]) -> Vec<ConflictRow> {
    let sender = |input: &ReferralInput| {
        organs
            .iter()
            .find(|o| o.id.to_string() == input.sender_organ)
            .map(|o| o.name.clone())
            .unwrap_or_else(|| input.sender_name.trim().to_string())
    };
    let theirs = input_from(current);
    let secrecy = |input: &ReferralInput| {
        if input.secret {
            format!("Ja, {}", input.secrecy_provision.trim())
        } else {
            "Nej".to_string()
        }
    };
    vec![
        ConflictRow {
            label: "Ärendemening",
            theirs: theirs.title.clone(),
            yours: yours.title.trim().to_string(),
        },
        ConflictRow {
            label: "Beskrivning",
            theirs: theirs.description.clone(),
            yours: yours.description.trim().to_string(),
        },
        ConflictRow {
            label: "Avsändare",
            theirs: current.sender_name.clone(),
            yours: sender(yours),
        },
        ConflictRow {
            label: "Avsändarens diarienummer",
            theirs: theirs.sender_dnr.clone(),
            yours: yours.sender_dnr.trim().to_string(),
        },
        ConflictRow {
            label: "Registratorns e-post",
            theirs: theirs.sender_email.clone(),
            yours: yours.sender_email.trim().to_string(),
        },
        ConflictRow {
            label: "Inkom",
            theirs: theirs.received_on.clone(),
            yours: yours.received_on.trim().to_string(),
        },
        ConflictRow {
            label: "Sista svarsdag",
            theirs: theirs.deadline.clone(),
            yours: yours.deadline.trim().to_string(),
        },
        ConflictRow {
            label: "Sekretess",
            theirs: secrecy(&theirs),
            yours: secrecy(yours),
        },
    ]
}

#[derive(Debug, Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    sort: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    organ: String,
    #[serde(default)]
    after: String,
}

struct ListItem {
    row: ListRow,
    deadline_text: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "referrals/list.html")]
struct ListPage {
    layout: Layout,
    items: Vec<ListItem>,
    organs: Vec<Organ>,
    sort: &'static str,
    state: &'static str,
    organ: String,
    next_href: Option<String>,
    first_href: Option<String>,
}

fn encode_cursor(cursor: Cursor) -> String {
    match cursor {
        Cursor::Registered(at, id) => format!("r.{}.{id}", at.timestamp_micros()),
        Cursor::Deadline(date, id) => format!("d.{date}.{id}"),
    }
}

fn decode_cursor(text: &str) -> Option<Cursor> {
    let mut parts = text.splitn(3, '.');
    let (kind, key, id) = (parts.next()?, parts.next()?, parts.next()?);
    let id = Uuid::parse_str(id).ok()?;
    match kind {
        "r" => Some(Cursor::Registered(cursor_time(key)?, id)),
        "d" => Some(Cursor::Deadline(cursor_date(key)?, id)),
        _ => None,
    }
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let (sort, sort_name) = match params.sort.as_str() {
        "deadline" => (Sort::Deadline, "deadline"),
        _ => (Sort::Registered, "registered"),
    };
    let (state_filter, state_name) = match params.state.as_str() {
        "open" => (StateFilter::Open, "open"),
        "answered" => (StateFilter::Answered, "answered"),
        _ => (StateFilter::All, ""),
    };
    let respondent = Uuid::parse_str(params.organ.trim()).ok();
    // A cursor of the other sort order (or a mangled one) starts from the top.
    let after = decode_cursor(&params.after).filter(|c| {
        matches!(
            (c, sort),
            (Cursor::Registered(..), Sort::Registered) | (Cursor::Deadline(..), Sort::Deadline)
        )
    });
    let query = ListQuery {
        sort,
        state: state_filter,
        respondent,
        after,
    };

    let mut conn = state.pool.acquire().await?;
    let mut rows = db::referrals::list(&mut conn, &query, PAGE_SIZE + 1).await?;
    let organs = state.ctx.organs.list(&mut conn).await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);

    let filters = format!(
        "sort={sort_name}&state={state_name}&organ={}",
        respondent.map(|id| id.to_string()).unwrap_or_default()
    );
    let next_href = more
        .then(|| {
            rows.last().map(|row| {
                format!(
                    "/remisser?{filters}&after={}",
                    encode_cursor(row.cursor(sort))
                )
            })
        })
        .flatten();
    let first_href = after.map(|_| format!("/remisser?{filters}"));
    let today = stockholm_date(Utc::now());
    let items = rows
        .into_iter()
        .map(|row| {
            let days = days_left(row.deadline, today);
            ListItem {
                deadline_text: days_left_sv(days),
                overdue: days < 0 && row.answered < row.respondents && !row.annulled,
                row,
            }
        })
        .collect();
    page(&ListPage {
        layout: Layout::new("Remisser", &user, "remisser"),
        items,
        organs,
        sort: sort_name,
        state: state_name,
        organ: respondent.map(|id| id.to_string()).unwrap_or_default(),
        next_href,
        first_href,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, NaiveDate};

    #[test]
    fn cursors_round_trip() {
        let id = Uuid::from_u128(42);
        let at = DateTime::<Utc>::from_timestamp_micros(1_700_000_000_123_456).unwrap();
        for cursor in [
            Cursor::Registered(at, id),
            Cursor::Deadline(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), id),
        ] {
            assert_eq!(decode_cursor(&encode_cursor(cursor)), Some(cursor));
        }
    }

    #[test]
    fn mangled_cursors_are_ignored() {
        for bad in [
            "",
            "x",
            "r.abc.00000000-0000-0000-0000-00000000002a",
            "d.2026-13-01.00000000-0000-0000-0000-00000000002a",
            "q.1.2",
        ] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }
}
