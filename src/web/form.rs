//! Forms that change state: the body is parsed only after its CSRF token matched
//! the session's.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, header};
use serde::de::DeserializeOwned;
use tower_sessions::Session;
use tower_sessions::cookie::Cookie;

use super::{AppError, AppState, Settings, cookie_name, session};

/// Largest form body accepted (a report with long sections fits easily).
const MAX_FORM_BYTES: usize = 512 * 1024;

/// A form's body: 413 past [`MAX_FORM_BYTES`] (told by its length before a byte
/// is read, when it says), 408 when it has not all come within `--body-timeout`.
pub async fn read_body(request: Request, state: &AppState) -> Result<Bytes, AppError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_FORM_BYTES as u64) {
        return Err(AppError::PayloadTooLarge);
    }
    let read = axum::body::to_bytes(request.into_body(), MAX_FORM_BYTES);
    match tokio::time::timeout(state.settings.body_timeout, read).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(error)) => {
            let too_long = std::error::Error::source(&error)
                .is_some_and(|e| e.is::<http_body_util::LengthLimitError>());
            Err(if too_long {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest("unreadable form body")
            })
        }
        Err(_) => Err(AppError::BodyTimeout),
    }
}

/// A url-encoded form whose `csrf_token` field equals the session's token.
/// Repeated fields (`respondents=a&respondents=b`) fill a `Vec`.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = request
            .extensions()
            .get::<Session>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no session layer")))?;
        let bytes = read_body(request, state).await?;
        let expected = session::stored_csrf_token(&session).await?;
        parse_checked(&bytes, expected.as_deref()).map(CsrfForm)
    }
}

/// The login form, whose token is the one in its own cookie (see
/// [`LOGIN_CSRF_COOKIE`]): before login there is no session to hold one.
pub struct LoginCsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for LoginCsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let expected = login_csrf_cookie(request.headers(), &state.settings);
        let bytes = read_body(request, state).await?;
        parse_checked(&bytes, expected.as_deref()).map(LoginCsrfForm)
    }
}

/// The form, once its `csrf_token` field is found equal to `expected`.
fn parse_checked<T: DeserializeOwned>(bytes: &[u8], expected: Option<&str>) -> Result<T, AppError> {
    let fields: Vec<(String, String)> =
        serde_html_form::from_bytes(bytes).map_err(|_| AppError::BadRequest("malformed form"))?;
    let sent = fields
        .iter()
        .find(|(name, _)| name == "csrf_token")
        .map(|(_, v)| v.as_str());
    match (sent, expected) {
        (Some(sent), Some(expected)) if constant_time_eq(sent.as_bytes(), expected.as_bytes()) => {}
        _ => return Err(AppError::Csrf),
    }
    serde_html_form::from_bytes(bytes).map_err(|_| AppError::BadRequest("malformed form"))
}

/// Compares without stopping at the first difference, so timing tells nothing.
pub(super) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The login form's CSRF token lives in a cookie of its own and comes back in the
/// form (double submit), so that showing the form stores nothing: a session is
/// written only at login, and anonymous visitors cost no rows. Another site can
/// neither read this cookie nor set it (and with `--secure-cookies` it is
/// `__Host-`, so neither can a neighbouring subdomain); signing it would add
/// nothing, since anyone may fetch a valid pair by loading the form.
pub const LOGIN_CSRF_COOKIE: &str = "remiss_login";

/// The token of the login cookie this request carries, if any.
pub fn login_csrf_cookie(headers: &HeaderMap, settings: &Settings) -> Option<String> {
    let name = cookie_name(LOGIN_CSRF_COOKIE, settings.secure_cookies);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name && cookie.value().len() == 64)
        .map(|cookie| cookie.value().to_string())
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
