//! The document register: registering a document with its file in a remiss or a
//! case, a document's page with the registrar's decisions (publication,
//! annulment), and downloads (streamed, with ranges).

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::document_files::content_disposition;
use super::form::CsrfForm;
use super::ids::Id;
use super::refusal::refused;
use super::session::CurrentUser;
use super::upload::{self, UploadForm};
use super::views::{FormErrors, Layout, page, page_with_status};
use super::{AppError, AppState};
use crate::app;
use crate::app::Actor;
use crate::app::documents::{self, DocumentIn};
use crate::db::documents::{Belongs, Document};
use crate::domain::dates::{format_stockholm, stockholm_date};
use crate::domain::document::{Direction, DocumentFields, DocumentInput, PersonalData};
use crate::domain::file_check::MediaType;
use crate::files::store::{hex, read_stream};

pub fn routes(state: &AppState) -> Router<AppState> {
    let uploads = Router::new()
        .route("/remisser/{id}/handlingar", post(register_in_referral))
        .route("/arenden/{id}/handlingar", post(register_in_case))
        .layer(upload::body_limit(state));
    Router::new()
        .merge(uploads)
        .route("/remisser/{id}/handlingar/ny", get(referral_form))
        .route("/arenden/{id}/handlingar/ny", get(case_form))
        .route("/handlingar/{id}", get(show))
        .route("/handlingar/{id}/fil", get(download))
        .route("/handlingar/{id}/publicering", post(decide_publication))
        .route("/handlingar/{id}/makulera", post(annul))
}

/// A document as a list shows it.
pub struct DocumentView {
    pub id: Uuid,
    /// Its number where it is listed (`AMN 2026/3-2`), or all its numbers.
    pub number: String,
    pub title: String,
    pub direction: &'static str,
    pub date_label: &'static str,
    pub dated_on: String,
    pub counterpart: String,
    pub file_name: String,
    pub kind: &'static str,
    pub size: String,
    pub provision: Option<String>,
    pub annulled: bool,
    pub published: bool,
    pub virus_scanned: bool,
    /// The personnummer guard found something, or could not read the text, and
    /// no registrar has looked yet.
    pub needs_check: bool,
    pub personal_data_found: bool,
    pub readable: bool,
    pub outgoing: bool,
}

impl DocumentView {
    pub fn new(document: &Document, in_case: Option<Uuid>, actor: &Actor) -> DocumentView {
        let number = in_case
            .and_then(|case| document.number_in(case))
            .map(str::to_string)
            .unwrap_or_else(|| document.numbers_text());
        DocumentView {
            id: document.id,
            number,
            title: document.title.clone(),
            direction: document.direction.label_sv(),
            date_label: document.direction.date_label_sv(),
            dated_on: document.dated_on.to_string(),
            counterpart: document.counterpart.clone(),
            file_name: document.file_name.clone(),
            kind: kind_label(&document.media_type),
            size: size_text(document.size),
            provision: documents::provision(document).map(str::to_string),
            annulled: document.annulled_at.is_some(),
            published: document.published_at.is_some(),
            virus_scanned: document.virus_scanned,
            needs_check: document.personal_data.needs_check() && document.checked_at.is_none(),
            personal_data_found: document.personal_data == PersonalData::Found,
            readable: documents::may_read(actor, document),
            outgoing: document.direction == Direction::Outgoing,
        }
    }
}

pub fn views(documents: &[Document], in_case: Option<Uuid>, actor: &Actor) -> Vec<DocumentView> {
    documents
        .iter()
        .map(|d| DocumentView::new(d, in_case, actor))
        .collect()
}

pub fn kind_label(media_type: &str) -> &'static str {
    MediaType::from_mime(media_type).map_or("Fil", MediaType::label_sv)
}

/// `1,2 MB`, `340 kB`, in Swedish.
pub fn size_text(bytes: i64) -> String {
    let bytes = bytes.max(0) as f64;
    if bytes >= 1_000_000.0 {
        format!("{:.1} MB", bytes / 1_000_000.0).replace('.', ",")
    } else if bytes >= 1_000.0 {
        format!("{:.0} kB", bytes / 1_000.0)
    } else {
        format!("{bytes} byte")
    }
}

/// The document form as posted (its file comes apart).
#[derive(Debug, Default, Deserialize)]
struct DocumentForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    dated_on: String,
    #[serde(default)]
    counterpart: String,
    #[serde(default)]
    secrecy_provision: String,
}

impl DocumentForm {
    fn input(self) -> DocumentInput {
        DocumentInput {
            title: self.title,
            direction: self.direction,
            dated_on: self.dated_on,
            counterpart: self.counterpart,
            secrecy_provision: self.secrecy_provision,
        }
    }
}

#[derive(Template)]
#[template(path = "register/form.html")]
struct FormPage {
    layout: Layout,
    /// What it is registered in: `Remiss: …` or `AMN 2026/3 …`.
    context: String,
    action: String,
    back: String,
    input: DocumentInput,
    errors: FormErrors,
    max_mb: u64,
    scanned: bool,
}

impl FormPage {
    fn directions(&self) -> Vec<(&'static str, &'static str, bool)> {
        Direction::ALL
            .into_iter()
            .map(|d| (d.as_str(), d.label_sv(), self.input.direction == d.as_str()))
            .collect()
    }
}

/// What a document is registered in, for its form.
struct Target {
    belongs: Belongs,
    context: String,
    back: String,
    action: String,
    /// What the form starts with.
    defaults: DocumentInput,
}

async fn referral_target(state: &AppState, id: Uuid) -> Result<Target, AppError> {
    let mut conn = state.pool.acquire().await?;
    let referral = crate::db::referrals::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Target {
        belongs: Belongs::Referral(id),
        context: format!("Remiss: {}", referral.title),
        back: format!("/remisser/{id}"),
        action: format!("/remisser/{id}/handlingar"),
        defaults: DocumentInput {
            direction: Direction::Incoming.as_str().into(),
            dated_on: stockholm_date(Utc::now()).to_string(),
            counterpart: referral.sender_name,
            ..DocumentInput::default()
        },
    })
}

async fn case_target(state: &AppState, id: Uuid) -> Result<Target, AppError> {
    let mut conn = state.pool.acquire().await?;
    let case = crate::db::cases::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Target {
        belongs: Belongs::Case(id),
        context: format!("{} {}", case.dnr, case.referral_title),
        back: format!("/arenden/{id}"),
        action: format!("/arenden/{id}/handlingar"),
        defaults: DocumentInput {
            direction: Direction::DrawnUp.as_str().into(),
            dated_on: stockholm_date(Utc::now()).to_string(),
            ..DocumentInput::default()
        },
    })
}

fn may_register(user: &CurrentUser, target: &Target, organ: Option<Uuid>) -> bool {
    match target.belongs {
        Belongs::Referral(_) => user.is_registrar(),
        Belongs::Case(_) => {
            user.is_registrar() || organ.is_some_and(|o| !user.roles_in(o).is_empty())
        }
    }
}

fn form_page(
    state: &AppState,
    user: &CurrentUser,
    target: &Target,
    input: DocumentInput,
    errors: FormErrors,
) -> FormPage {
    FormPage {
        layout: Layout::new("Registrera handling", user, "remisser")
            .crumb(target.context.clone(), target.back.clone()),
        context: target.context.clone(),
        action: target.action.clone(),
        back: target.back.clone(),
        input,
        errors,
        max_mb: state.settings.max_upload_bytes / 1_000_000,
        scanned: state.settings.clamd.is_some(),
    }
}

async fn case_organ(state: &AppState, target: &Target) -> Result<Option<Uuid>, AppError> {
    Ok(match target.belongs {
        Belongs::Case(id) => {
            let mut conn = state.pool.acquire().await?;
            crate::db::cases::get(&mut conn, id)
                .await?
                .map(|c| c.organ_id)
        }
        Belongs::Referral(_) => None,
    })
}

async fn referral_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let target = referral_target(&state, id).await?;
    user.require(may_register(&user, &target, None))?;
    let input = target.defaults.clone();
    page(&form_page(
        &state,
        &user,
        &target,
        input,
        FormErrors::none(),
    ))
}

async fn case_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let target = case_target(&state, id).await?;
    let organ = case_organ(&state, &target).await?;
    user.require(may_register(&user, &target, organ))?;
    let input = target.defaults.clone();
    page(&form_page(
        &state,
        &user,
        &target,
        input,
        FormErrors::none(),
    ))
}

async fn register_in_referral(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    request: Request,
) -> Result<Response, AppError> {
    let target = referral_target(&state, id).await?;
    user.require(may_register(&user, &target, None))?;
    register_from_form(&state, &user, target, request).await
}

async fn register_in_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    request: Request,
) -> Result<Response, AppError> {
    let target = case_target(&state, id).await?;
    let organ = case_organ(&state, &target).await?;
    user.require(may_register(&user, &target, organ))?;
    register_from_form(&state, &user, target, request).await
}

async fn register_from_form(
    state: &AppState,
    user: &CurrentUser,
    target: Target,
    request: Request,
) -> Result<Response, AppError> {
    if !upload::is_multipart(&request) {
        return Err(AppError::BadRequest("a document form carries its file"));
    }
    let mut form: UploadForm = upload::read(state, request).await?;
    let fields = DocumentFields::SINGLE;
    let input = form.decode::<DocumentForm>()?.input();
    let document = DocumentIn {
        fields,
        input: input.clone(),
        file: form.take_file(fields.file),
    };
    match documents::register(&state.ctx, &user.actor(), target.belongs, &[document]).await {
        Ok(registered) => {
            tracing::info!(document = ?registered.iter().map(|r| r.id).collect::<Vec<_>>(), "document registered");
            Ok(Redirect::to(&format!("{}#handlingar", target.back)).into_response())
        }
        Err(app::Error::Invalid(errors)) => {
            let status = if form.too_large {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            page_with_status(
                status,
                &form_page(state, user, &target, input, errors.into()),
            )
        }
        Err(refusal) => Err(refused(refusal, target.back.clone())),
    }
}

#[derive(Template)]
#[template(path = "register/show.html")]
struct ShowPage {
    layout: Layout,
    document: DocumentView,
    numbers: String,
    /// Where it belongs: (label, href).
    belongs: (String, String),
    registered: String,
    registered_by: String,
    sha256: String,
    counterpart_label: &'static str,
    checked: Option<String>,
    published: Option<String>,
    annulled: Option<(String, String)>,
    is_registrar: bool,
    errors: FormErrors,
    reason: String,
}

fn show_page(
    user: &CurrentUser,
    document: &Document,
    errors: FormErrors,
    reason: String,
) -> ShowPage {
    let actor = user.actor();
    let view = DocumentView::new(document, None, &actor);
    let belongs = match document.case_id {
        Some(case) => (
            format!(
                "Ärende {}",
                document
                    .numbers_text()
                    .rsplit_once('-')
                    .map_or("", |(dnr, _)| dnr)
            ),
            format!("/arenden/{case}"),
        ),
        None => (
            format!("Remiss: {}", document.referral_title),
            format!("/remisser/{}", document.referral_id),
        ),
    };
    let by_at = |by: &Option<String>, at: Option<chrono::DateTime<Utc>>| {
        at.map(|at| {
            format!(
                "{} av {}",
                format_stockholm(at),
                by.clone().unwrap_or_default()
            )
        })
    };
    ShowPage {
        layout: Layout::new(format!("Handling {}", view.number), user, "remisser")
            .crumb(belongs.0.clone(), belongs.1.clone()),
        numbers: document.numbers_text(),
        belongs,
        registered: format_stockholm(document.registered_at),
        registered_by: document.registered_by.clone(),
        sha256: hex(&document.sha256),
        counterpart_label: match document.direction {
            Direction::Outgoing => "Mottagare",
            _ => "Avsändare",
        },
        checked: by_at(&document.checked_by, document.checked_at),
        published: by_at(&document.published_by, document.published_at),
        annulled: document.annulled_at.map(|at| {
            (
                format!(
                    "{} av {}",
                    format_stockholm(at),
                    document.annulled_by.clone().unwrap_or_default()
                ),
                document.annulled_reason.clone().unwrap_or_default(),
            )
        }),
        is_registrar: user.is_registrar(),
        document: view,
        errors,
        reason,
    }
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let document = documents::show(&state.ctx, &user.actor(), id)
        .await
        .map_err(|refusal| refused(refusal, "/"))?;
    page(&show_page(
        &user,
        &document,
        FormErrors::none(),
        String::new(),
    ))
}

#[derive(Debug, Default, Deserialize)]
struct PublicationForm {
    #[serde(default)]
    publish: String,
    #[serde(default)]
    confirmed: Option<String>,
}

async fn decide_publication(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<PublicationForm>,
) -> Result<Response, AppError> {
    let actor = user.actor();
    let publish = form.publish == "yes";
    match documents::decide_publication(&state.ctx, &actor, id, publish, form.confirmed.is_some())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/handlingar/{id}")).into_response()),
        Err(app::Error::Invalid(errors)) => {
            let document = documents::show(&state.ctx, &actor, id)
                .await
                .map_err(|refusal| refused_here(refusal, id))?;
            page_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &show_page(&user, &document, errors.into(), String::new()),
            )
        }
        Err(other) => Err(refused_here(other, id)),
    }
}

#[derive(Debug, Default, Deserialize)]
struct AnnulForm {
    #[serde(default)]
    reason: String,
}

async fn annul(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<AnnulForm>,
) -> Result<Response, AppError> {
    let actor = user.actor();
    match documents::annul(&state.ctx, &actor, id, &form.reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/handlingar/{id}")).into_response()),
        Err(app::Error::Invalid(errors)) => {
            let document = documents::show(&state.ctx, &actor, id)
                .await
                .map_err(|refusal| refused_here(refusal, id))?;
            page_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &show_page(&user, &document, errors.into(), form.reason),
            )
        }
        Err(other) => Err(refused_here(other, id)),
    }
}

/// A refusal that sends the user back to the document's page.
fn refused_here(error: app::Error, id: Uuid) -> AppError {
    refused(error, format!("/handlingar/{id}"))
}

async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let document = documents::open(&state.ctx, &user.actor(), id)
        .await
        .map_err(|refusal| refused_here(refusal, id))?;
    Ok(file_response(&state, &document, &headers))
}

/// What part of a file a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    Whole,
    /// Bytes `first..=last`.
    Part(u64, u64),
    Unsatisfiable,
}

/// Reads a `Range` header for a file of `size` bytes. One range is served; a
/// header that is malformed, asks for several ranges or another unit is ignored
/// (the whole file is sent), as RFC 9110 allows.
fn wanted(range: Option<&str>, size: u64) -> Wanted {
    let Some(spec) = range.and_then(|r| r.trim().strip_prefix("bytes=")) else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Wanted::Whole;
    };
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    match (first.trim(), last.trim()) {
        ("", suffix) => match number(suffix) {
            Some(0) => Wanted::Unsatisfiable,
            Some(n) if size > 0 => Wanted::Part(size - n.min(size), size - 1),
            Some(_) => Wanted::Unsatisfiable,
            None => Wanted::Whole,
        },
        (first, "") => match number(first) {
            Some(first) if first < size => Wanted::Part(first, size - 1),
            Some(_) => Wanted::Unsatisfiable,
            None => Wanted::Whole,
        },
        (first, last) => match (number(first), number(last)) {
            (Some(first), Some(last)) if first <= last => {
                if first >= size {
                    Wanted::Unsatisfiable
                } else {
                    Wanted::Part(first, last.min(size - 1))
                }
            }
            _ => Wanted::Whole,
        },
    }
}

/// The file of a document, whole or the range asked for, streamed from its
/// chunks. Always a download (`attachment`), never shown in the page's origin.
pub fn file_response(state: &AppState, document: &Document, headers: &HeaderMap) -> Response {
    let size = document.size.max(0) as u64;
    let etag = format!("\"{}\"", hex(&document.sha256));
    // A range is served only for the same file as the client holds a part of.
    let same_file = headers
        .get(header::IF_RANGE)
        .is_none_or(|v| v.to_str().is_ok_and(|v| v == etag));
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let wanted = if same_file {
        wanted(range, size)
    } else {
        Wanted::Whole
    };
    let mut response = match wanted {
        Wanted::Unsatisfiable => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return response;
        }
        Wanted::Whole => {
            let body = Body::from_stream(read_stream(
                state.pool.clone(),
                document.sha256.clone(),
                0,
                size.saturating_sub(1),
            ));
            let mut response = Response::new(body);
            response
                .headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(size));
            response
        }
        Wanted::Part(first, last) => {
            let body = Body::from_stream(read_stream(
                state.pool.clone(),
                document.sha256.clone(),
                first,
                last,
            ));
            let mut response = Response::new(body);
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(last - first + 1));
            if let Ok(value) = HeaderValue::from_str(&format!("bytes {first}-{last}/{size}")) {
                headers.insert(header::CONTENT_RANGE, value);
            }
            response
        }
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&document.media_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(
        header::CONTENT_DISPOSITION,
        content_disposition(&document.file_name),
    );
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        let size = 1000;
        let cases = [
            (None, Wanted::Whole),
            (Some("bytes=0-99"), Wanted::Part(0, 99)),
            (Some("bytes=900-"), Wanted::Part(900, 999)),
            (Some("bytes=-100"), Wanted::Part(900, 999)),
            (Some("bytes=-5000"), Wanted::Part(0, 999)),
            (Some("bytes=990-2000"), Wanted::Part(990, 999)),
            (Some("bytes=1000-"), Wanted::Unsatisfiable),
            (Some("bytes=1000-1100"), Wanted::Unsatisfiable),
            (Some("bytes=-0"), Wanted::Unsatisfiable),
            (Some("bytes=5-1"), Wanted::Whole),
            (Some("bytes=0-1,5-9"), Wanted::Whole),
            (Some("items=0-1"), Wanted::Whole),
            (Some("bytes=a-b"), Wanted::Whole),
            (Some("bytes=+1-2"), Wanted::Whole),
            (Some("bytes=-"), Wanted::Whole),
        ];
        for (header, expected) in cases {
            assert_eq!(wanted(header, size), expected, "{header:?}");
        }
    }

    #[test]
    fn sizes_read_in_swedish() {
        assert_eq!(size_text(512), "512 byte");
        assert_eq!(size_text(34_000), "34 kB");
        assert_eq!(size_text(1_234_567), "1,2 MB");
    }
}
