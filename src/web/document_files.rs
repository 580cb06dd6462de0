//! The documents as files: the tjänsteutlåtande (PDF, DOCX), the protokollsutdrag
//! (PDF) and the yttrande (PDF, DOCX), for the same readers as the print views
//! (their loading and visibility rules are shared, see `documents`), and the
//! dispatched yttrande of a public case from the public diarium.
//!
//! Rendering is CPU work: it runs on the blocking pool, at most one rendering per
//! core at a time; a request that cannot start within a while is refused (503).

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::documents::{ExtractToRead, ReportToRead, extract_to_read, reply_case, report_to_read};
use super::ids::Id;
use super::query::Query;
use super::refusal::refused;
use super::session::CurrentUser;
use super::views::case_href;
use super::{AppError, AppState};
use crate::app::outgoing;
use crate::db;
use crate::db::cases::CaseDetail;
use crate::render::{self, RenderError};

pub(super) const PDF: &str = "application/pdf";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Renderings at once: one per core, so that documents never starve the pages.
static RENDERINGS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Arc::new(Semaphore::new(cores))
});

/// How long a request waits for a rendering slot before it is refused.
const WAIT_FOR_SLOT: Duration = Duration::from_secs(10);

/// Runs `render` on the blocking pool once a slot is free.
pub(super) async fn rendered(
    render: impl FnOnce() -> Result<Vec<u8>, RenderError> + Send + 'static,
    back: String,
) -> Result<Vec<u8>, AppError> {
    let busy = || {
        AppError::Refused {
        status: StatusCode::SERVICE_UNAVAILABLE,
        message: "Dokumentet kunde inte skapas just nu eftersom många dokument skapas samtidigt. Försök igen om en stund.".into(),
        back: back.clone(),
    }
    };
    let slot = tokio::time::timeout(WAIT_FOR_SLOT, RENDERINGS.clone().acquire_owned())
        .await
        .map_err(|_| busy())?
        .map_err(|_| busy())?;
    // The slot goes with the work: a rendering whose client has gone away holds
    // it until the rendering ends.
    let bytes = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        render()
    })
    .await
    .map_err(|e| anyhow::anyhow!("rendering task: {e}"))?
    .map_err(anyhow::Error::from)?;
    Ok(bytes)
}

/// The file as a download under its readable name.
pub(super) fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, content_disposition(name)),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `attachment; filename="Yttrande AMN 2026-3 over LI2025-01842.pdf";
/// filename*=UTF-8''Yttrande%20AMN%202026-3%20%C3%B6ver%20LI2025-01842.pdf` (RFC 6266).
pub(super) fn content_disposition(name: &str) -> HeaderValue {
    let mut encoded = String::new();
    for byte in name.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'!'
            | b'#'
            | b'$'
            | b'&'
            | b'+'
            | b'-'
            | b'.'
            | b'^'
            | b'_'
            | b'`'
            | b'|'
            | b'~' => encoded.push(byte as char),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    let value = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{encoded}",
        render::file_name::ascii_fallback(name)
    );
    // Both parts are printable ASCII by construction.
    HeaderValue::from_str(&value).expect("an ASCII header value")
}

/// The document for this reader: masked for anyone outside the case's organ.
fn for_reader<T: serde::Serialize + serde::de::DeserializeOwned>(document: T, insider: bool) -> T {
    if insider {
        document
    } else {
        render::masked(&document)
    }
}

async fn report_data(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> Result<(render::Report, CaseDetail), AppError> {
    let mut conn = state.pool.acquire().await?;
    let ReportToRead {
        case,
        revision,
        decided,
        insider,
    } = report_to_read(&mut conn, user, id).await?;
    let attachments = outgoing::attachments(&mut conn, case.id)
        .await
        .map_err(|e| refused(e, case_href(case.id)))?;
    let report = outgoing::report(&case, &revision, decided, &attachments);
    Ok((for_reader(report, insider), case))
}

pub async fn report_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let (report, case) = report_data(&state, &user, id).await?;
    let bytes = rendered(move || render::pdf::report(&report), case_href(case.id)).await?;
    let name = outgoing::report_file_name(&case, "pdf");
    Ok(download(bytes, PDF, &name))
}

pub async fn report_docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let (report, case) = report_data(&state, &user, id).await?;
    let bytes = rendered(move || render::docx::report(&report), case_href(case.id)).await?;
    let name = outgoing::report_file_name(&case, "docx");
    Ok(download(bytes, DOCX, &name))
}

#[derive(Debug, Deserialize)]
pub struct ExtractParams {
    /// A decision of the case (its § of the minutes); default: the standing one.
    beslut: Option<String>,
}

pub async fn extract_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(params): Query<ExtractParams>,
) -> Result<Response, AppError> {
    let decision_id = params
        .beslut
        .as_deref()
        .map(|d| Uuid::parse_str(d).map_err(|_| AppError::NotFound))
        .transpose()?;
    let mut conn = state.pool.acquire().await?;
    let ExtractToRead {
        case,
        decision,
        revision,
        insider,
    } = extract_to_read(&mut conn, &user, id, decision_id).await?;
    drop(conn);
    let name = outgoing::extract_file_name(&case, &decision);
    let extract = outgoing::extract(&case, &decision, &revision);
    let extract = for_reader(extract, insider);
    let bytes = rendered(move || render::pdf::extract(&extract), case_href(case.id)).await?;
    Ok(download(bytes, PDF, &name))
}

async fn user_reply(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> Result<(render::Reply, CaseDetail), AppError> {
    let mut conn = state.pool.acquire().await?;
    let case = reply_case(&mut conn, user, id).await?;
    let insider = user.works_in(case.organ_id);
    let parts = outgoing::reply_parts(&mut conn, case.id)
        .await
        .map_err(|e| refused(e, case_href(case.id)))?
        .ok_or(AppError::NotFound)?;
    user.require(insider || outgoing::is_public(&parts.decision))?;
    Ok((for_reader(outgoing::reply(&case, &parts), insider), case))
}

pub async fn reply_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let (reply, case) = user_reply(&state, &user, id).await?;
    let bytes = rendered(move || render::pdf::reply(&reply), case_href(case.id)).await?;
    Ok(download(
        bytes,
        PDF,
        &outgoing::reply_file_name(&case, "pdf"),
    ))
}

pub async fn reply_docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let (reply, case) = user_reply(&state, &user, id).await?;
    let bytes = rendered(move || render::docx::reply(&reply), case_href(case.id)).await?;
    Ok(download(
        bytes,
        DOCX,
        &outgoing::reply_file_name(&case, "docx"),
    ))
}

/// The dispatched yttrande of a case that is not secret, masked, as the public
/// diarium's page shows it.
pub async fn public_reply_pdf(
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let entry = db::diarium::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if entry.secret || entry.dispatched_on.is_none() {
        return Err(AppError::NotFound);
    }
    let case = db::cases::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let parts = outgoing::reply_parts(&mut conn, case.id)
        .await
        .map_err(|e| refused(e, format!("/diarium/{id}")))?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    if !outgoing::is_public(&parts.decision) {
        return Err(AppError::NotFound);
    }
    let reply = render::masked(&outgoing::reply(&case, &parts));
    let bytes = rendered(move || render::pdf::reply(&reply), format!("/diarium/{id}")).await?;
    let name = crate::domain::personal_data::mask(&outgoing::reply_file_name(&case, "pdf")).0;
    Ok(download(bytes, PDF, &name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_never_end_the_plain_name() {
        let value = content_disposition("Betänkande \"SOU\" 2026\\a.pdf");
        assert_eq!(
            value.to_str().unwrap(),
            "attachment; filename=\"Betankande _SOU_ 2026_a.pdf\"; \
             filename*=UTF-8''Bet%C3%A4nkande%20%22SOU%22%202026%5Ca.pdf"
        );
    }

    #[test]
    fn the_file_name_travels_in_both_header_forms() {
        let value = content_disposition("Yttrande AMN 2026-3 över LI2025-01842.pdf");
        assert_eq!(
            value.to_str().unwrap(),
            "attachment; filename=\"Yttrande AMN 2026-3 over LI2025-01842.pdf\"; \
             filename*=UTF-8''Yttrande%20AMN%202026-3%20%C3%B6ver%20LI2025-01842.pdf"
        );
    }
}
