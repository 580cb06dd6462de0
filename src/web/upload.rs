//! Forms that carry files (`multipart/form-data`), read as they stream.
//!
//! The form's fields come in document order: the CSRF token first (it is the first
//! input of every form), then the text fields, then the files. A file is taken in
//! piece by piece (`files::store::Ingest`: hashed, stored in chunks, scanned) and
//! never held whole. A part that is a file before the token has been checked is
//! refused. Over the upload limit, the rest of the files is read and dropped (up
//! to the body limit of the upload routes), so that the text fields after them are
//! still read and the form can be shown again with its message.

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request};
use std::time::Duration;

use axum::http::StatusCode;
use tower_sessions::Session;

use super::form::constant_time_eq;
use super::{AppError, AppState, session};
use crate::app::documents::{self, FileIn};
use crate::domain::file_check::FileRefusal;
use crate::files::store::Ingest;

/// The most text a form's fields may hold together.
const MAX_TEXT_BYTES: usize = 512 * 1024;

/// The slowest an upload may arrive on average (bytes per second): 50 MB may
/// take 200 s beyond `--request-timeout`. Each piece must also come within
/// `--body-timeout` of the last, so a stalled client is let go long before.
const SLOWEST_UPLOAD: u64 = 250_000;

/// How long an upload may take in all.
pub fn time_limit(settings: &super::Settings) -> Duration {
    settings.request_timeout + Duration::from_secs(settings.max_upload_bytes / SLOWEST_UPLOAD)
}

/// The body limit of the upload routes: twice the upload limit (a file over it is
/// read to its end and dropped, so the form can come back whole) and room for the
/// text fields.
pub fn body_limit(state: &AppState) -> DefaultBodyLimit {
    let limit = state
        .settings
        .max_upload_bytes
        .saturating_mul(2)
        .saturating_add(MAX_TEXT_BYTES as u64 + 64 * 1024);
    DefaultBodyLimit::max(usize::try_from(limit).unwrap_or(usize::MAX))
}

/// A form with files, as read.
#[derive(Debug, Default)]
pub struct UploadForm {
    /// The text fields, in order (repeated names repeat).
    pub fields: Vec<(String, String)>,
    /// The files chosen, by the name of their input; an input left empty is absent.
    pub files: Vec<(String, FileIn)>,
    /// The files together were over the upload limit (answer 413).
    pub too_large: bool,
}

impl UploadForm {
    pub fn take_file(&mut self, name: &str) -> Option<FileIn> {
        let at = self.files.iter().position(|(n, _)| n == name)?;
        Some(self.files.remove(at).1)
    }

    /// The text fields decoded into a form struct, as a url-encoded form would be.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, AppError> {
        let encoded = serde_html_form::to_string(&self.fields)
            .map_err(|_| AppError::BadRequest("malformed form"))?;
        serde_html_form::from_str(&encoded).map_err(|_| AppError::BadRequest("malformed form"))
    }
}

fn multipart_failed(error: axum::extract::multipart::MultipartError) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest("malformed multipart form")
    }
}

/// Whether the request is a multipart form (a form with files).
pub fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// Reads a multipart form: checks its CSRF token, takes its files in.
pub async fn read(state: &AppState, request: Request) -> Result<UploadForm, AppError> {
    let session = request
        .extensions()
        .get::<Session>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no session layer")))?;
    let expected = session::stored_csrf_token(&session).await?;
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| AppError::BadRequest("not a multipart form"))?;
    let limit = state.settings.max_upload_bytes;
    let mut form = UploadForm::default();
    let mut csrf_checked = false;
    let mut text_bytes = 0usize;
    let mut stored = 0u64;
    loop {
        let field = match in_time(state, multipart.next_field()).await? {
            Ok(Some(field)) => field,
            Ok(None) => break,
            // Over even the body limit: what was read so far is all there is.
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE && csrf_checked => {
                form.too_large = true;
                break;
            }
            Err(error) => return Err(multipart_failed(error)),
        };
        let mut field = field;
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let Some(file_name) = file_name else {
            let mut value = Vec::new();
            loop {
                match in_time(state, field.chunk()).await? {
                    Ok(Some(bytes)) => {
                        text_bytes += bytes.len();
                        if text_bytes > MAX_TEXT_BYTES {
                            return Err(AppError::PayloadTooLarge);
                        }
                        value.extend_from_slice(&bytes);
                    }
                    Ok(None) => break,
                    Err(error) => return Err(multipart_failed(error)),
                }
            }
            let value = String::from_utf8(value).map_err(|_| AppError::BadRequest("not UTF-8"))?;
            if !csrf_checked {
                // The token is the form's first field.
                match (&expected, name.as_str()) {
                    (Some(expected), "csrf_token")
                        if constant_time_eq(value.as_bytes(), expected.as_bytes()) =>
                    {
                        csrf_checked = true;
                        continue;
                    }
                    _ => return Err(AppError::Csrf),
                }
            }
            form.fields.push((name, value));
            continue;
        };
        if !csrf_checked {
            return Err(AppError::Csrf);
        }
        if form.too_large {
            drain(state, &mut field).await?;
            form.files.push((name, too_large(file_name, limit)));
            continue;
        }
        let mut ingest = Ingest::begin(state.pool.clone(), state.settings.clamd.as_ref()).await;
        let mut over = false;
        loop {
            match in_time(state, field.chunk()).await? {
                Ok(Some(bytes)) => {
                    if stored + ingest.size() + bytes.len() as u64 > limit {
                        over = true;
                        drain(state, &mut field).await?;
                        break;
                    }
                    ingest.write(&bytes).await?;
                }
                Ok(None) => break,
                Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    over = true;
                    break;
                }
                Err(error) => return Err(multipart_failed(error)),
            }
        }
        if over {
            // Its chunks are left to housekeeping.
            form.too_large = true;
            form.files.push((name, too_large(file_name, limit)));
            continue;
        }
        // An input left empty sends an empty part with no file name.
        if file_name.is_empty() && ingest.size() == 0 {
            continue;
        }
        stored += ingest.size();
        let ingested = ingest.finish().await?;
        let taken = documents::check_file(&state.pool, ingested).await?;
        form.files.push((
            name,
            FileIn {
                claimed_name: file_name,
                taken,
            },
        ));
    }
    if !csrf_checked {
        return Err(AppError::Csrf);
    }
    Ok(form)
}

/// The next piece of the body, if it comes within `--body-timeout` (408).
async fn in_time<T>(state: &AppState, next: impl Future<Output = T>) -> Result<T, AppError> {
    tokio::time::timeout(state.settings.body_timeout, next)
        .await
        .map_err(|_| AppError::BodyTimeout)
}

fn too_large(claimed_name: String, limit: u64) -> FileIn {
    FileIn {
        claimed_name,
        taken: Err(FileRefusal::TooLarge {
            limit_mb: limit / 1_000_000,
        }),
    }
}

/// Reads the rest of a file part and drops it.
async fn drain(
    state: &AppState,
    field: &mut axum::extract::multipart::Field<'_>,
) -> Result<(), AppError> {
    loop {
        match in_time(state, field.chunk()).await? {
            Ok(Some(_)) => {}
            Ok(None) => return Ok(()),
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => return Ok(()),
            Err(error) => return Err(multipart_failed(error)),
        }
    }
}
