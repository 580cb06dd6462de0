//! Forms that change state: the body is parsed only after its CSRF token matched
//! the session's.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use tower_sessions::Session;

use super::{AppError, AppState, session};

/// Largest form body accepted (a report with long sections fits easily).
const MAX_FORM_BYTES: usize = 512 * 1024;

/// A url-encoded form whose `csrf_token` field equals the session's token.
/// Repeated fields (`respondents=a&respondents=b`) fill a `Vec`.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, _state: &AppState) -> Result<Self, Self::Rejection> {
        let session = request
            .extensions()
            .get::<Session>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no session layer")))?;
        let bytes = axum::body::to_bytes(request.into_body(), MAX_FORM_BYTES)
            .await
            .map_err(|_| AppError::BadRequest("form body too large or unreadable"))?;
        let fields: Vec<(String, String)> = serde_html_form::from_bytes(&bytes)
            .map_err(|_| AppError::BadRequest("malformed form"))?;
        let sent = fields
            .iter()
            .find(|(name, _)| name == "csrf_token")
            .map(|(_, v)| v.as_str());
        let expected = session::stored_csrf_token(&session).await?;
        match (sent, expected) {
            (Some(sent), Some(expected))
                if constant_time_eq(sent.as_bytes(), expected.as_bytes()) => {}
            _ => return Err(AppError::Csrf),
        }
        let value = serde_html_form::from_bytes(&bytes)
            .map_err(|_| AppError::BadRequest("malformed form"))?;
        Ok(CsrfForm(value))
    }
}

/// Compares without stopping at the first difference, so timing tells nothing.
pub(super) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn equal_only_when_every_byte_is() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
