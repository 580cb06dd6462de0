//! Who is signed in: the session's login record, checked on every request.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use uuid::Uuid;

use super::{ABSOLUTE_TIMEOUT, AppError, AppState, IDLE_TIMEOUT};
use crate::db::sessions::USER_KEY;
use crate::db::users::{SessionUser, SessionUserRow};
use crate::domain::Role;

const LOGIN_KEY: &str = "login";
const CSRF_KEY: &str = "csrf";

/// What the session remembers of a login.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Login {
    pub user_id: Uuid,
    /// The user's session epoch at login; a newer one in the database (password
    /// changed, account deactivated) ends this session.
    pub epoch: i32,
    pub at: DateTime<Utc>,
}

pub async fn set_login(session: &Session, login: &Login) -> Result<(), AppError> {
    session.insert(LOGIN_KEY, login).await?;
    Ok(())
}

/// The session's CSRF token, made on first use. Every state-changing form sends
/// it back and [`super::form::CsrfForm`] compares.
pub async fn csrf_token(session: &Session) -> Result<String, AppError> {
    if let Some(token) = session.get::<String>(CSRF_KEY).await? {
        return Ok(token);
    }
    let token = new_token();
    session.insert(CSRF_KEY, &token).await?;
    Ok(token)
}

pub async fn stored_csrf_token(session: &Session) -> Result<Option<String>, AppError> {
    Ok(session.get::<String>(CSRF_KEY).await?)
}

/// A fresh token after login, so that one seen before login is useless after it.
pub async fn renew_csrf_token(session: &Session) -> Result<String, AppError> {
    let token = new_token();
    session.insert(CSRF_KEY, &token).await?;
    Ok(token)
}

pub(super) fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The signed-in user of this request, put there by [`require_login`].
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: SessionUser,
    pub csrf_token: String,
}

impl CurrentUser {
    pub fn id(&self) -> Uuid {
        self.user.id
    }

    /// Roles in one organ, for the workflow's checks.
    pub fn roles_in(&self, organ_id: Uuid) -> Vec<Role> {
        self.user
            .roles
            .iter()
            .filter(|r| r.organ_id == organ_id)
            .map(|r| r.role)
            .collect()
    }

    /// Registrars register remisser for the whole municipality.
    pub fn is_registrar(&self) -> bool {
        self.user.roles.iter().any(|r| r.role == Role::Registrar)
    }

    pub fn is_admin(&self) -> bool {
        self.user.is_admin
    }

    pub fn require(&self, allowed: bool) -> Result<(), AppError> {
        if allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!(
                    "CurrentUser used on a route without require_login"
                ))
            })
    }
}

/// The signed-in user of this session, when its login is still valid; an
/// invalid one ends the session.
pub(super) async fn current_user(session: &Session) -> Result<Option<CurrentUser>, AppError> {
    let Some(login) = session.get::<Login>(LOGIN_KEY).await? else {
        return Ok(None);
    };
    // Loaded with the session (`db::sessions`), for the login's user id.
    let user = session
        .get::<SessionUserRow>(USER_KEY)
        .await?
        .map(SessionUser::from);
    let valid = user.filter(|user| {
        user.id == login.user_id
            && user.active
            && user.session_epoch == login.epoch
            && Utc::now() - login.at < ABSOLUTE_TIMEOUT
    });
    match valid {
        Some(user) => {
            keep_alive(session).await?;
            let csrf_token = csrf_token(session).await?;
            Ok(Some(CurrentUser { user, csrf_token }))
        }
        None => {
            session.flush().await?;
            Ok(None)
        }
    }
}

/// How often a session in use has its expiry moved on, which is a write: it then
/// ends between `IDLE_TIMEOUT` less this and `IDLE_TIMEOUT` after its last request.
const KEEP_ALIVE_EVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
const SEEN_KEY: &str = "seen";

/// A session is stored again only when it changes, so its expiry in the database
/// would otherwise run from the last change, not the last request.
async fn keep_alive(session: &Session) -> Result<(), AppError> {
    let now = Utc::now();
    let seen = session.get::<DateTime<Utc>>(SEEN_KEY).await?;
    if seen.is_none_or(|at| now - at >= KEEP_ALIVE_EVERY) {
        session.insert(SEEN_KEY, now).await?;
    }
    Ok(())
}

/// When a page warns that its session is about to end (WCAG 2.2.1): ten minutes
/// before the earliest the session can end after the page's request, which is
/// `IDLE_TIMEOUT` less `KEEP_ALIVE_EVERY` (see [`keep_alive`]).
pub const WARNING_AFTER: chrono::TimeDelta = chrono::TimeDelta::seconds(
    IDLE_TIMEOUT.whole_seconds() - KEEP_ALIVE_EVERY.num_seconds() - 10 * 60,
);

/// Moves the session's expiry on now, whenever it was last moved.
pub async fn renew(session: &Session) -> Result<(), AppError> {
    session.insert(SEEN_KEY, Utc::now()).await?;
    Ok(())
}

/// Percent-encodes a value for a query string.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Where to go after login: only a clean path on this site, never another host.
///
/// Browsers drop tabs and line breaks from a URL and read `\` as `/`, so
/// `/\t/evil.example` would become `//evil.example`, another host: a path with
/// any control character, a backslash or a leading `//` is refused (the start
/// page instead). What remains is printable ASCII, with anything else
/// (spaces, letters such as å) percent-encoded, so that it is also a valid
/// `Location` header.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(path) = next else {
        return "/".to_string();
    };
    let clean = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control);
    if !clean {
        return "/".to_string();
    }
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii_graphic() {
            out.push(c);
        } else {
            let mut buffer = [0u8; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next(Some("/remisser?sort=deadline")),
            "/remisser?sort=deadline"
        );
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn next_with_characters_a_browser_drops_or_a_header_cannot_hold_is_refused() {
        for hostile in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/\x0b/evil.example",
            "/\x0c/evil.example",
            "/\0/evil.example",
            "/\x7f/evil.example",
            "/\u{85}/evil.example",
            "/remisser\r\nSet-Cookie: a=b",
            "\t//evil.example",
            " /evil",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
    }

    #[test]
    fn next_keeps_a_search_with_spaces_and_swedish_letters_encoded() {
        assert_eq!(
            safe_next(Some("/sok?q=trygghet för unga")),
            "/sok?q=trygghet%20f%C3%B6r%20unga"
        );
        assert_eq!(safe_next(Some("/a\u{2028}b")), "/a%E2%80%A8b");
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            encode_query_value("/remisser?a=1&b=å"),
            "/remisser%3Fa%3D1%26b%3D%C3%A5"
        );
    }
}
