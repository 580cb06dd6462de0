//! Login, logout and the user's own password.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{TimeDelta, Utc};
use serde::Deserialize;
use tower_sessions::Session;
use tower_sessions::cookie::{Cookie, SameSite};

use super::editor::KeptDraft;
use super::form::{CsrfForm, LOGIN_CSRF_COOKIE, LoginCsrfForm, login_csrf_cookie};
use super::query::Query;
use super::session::{self, CurrentUser, Login, safe_next};
use super::views::{FormErrors, Layout, page, page_with_status};
use super::{AppError, AppState, Settings, cookie_name};
use crate::db;
use crate::domain::FieldErrors;
use crate::domain::user::{normalize_username, password_problem};

/// Login attempts not followed by a successful one are counted over this window...
const FAILURE_WINDOW: TimeDelta = TimeDelta::minutes(15);
/// ...and past this many for one account name, or this many from one address,
/// further attempts are refused (and counted) until the window has moved on.
const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
const MAX_FAILURES_PER_ADDRESS: i64 = 20;

const WRONG_CREDENTIALS: &str = "Fel användarnamn eller lösenord.";
const THROTTLED: &str = "För många misslyckade inloggningsförsök. Vänta 15 minuter och försök sedan igen, eller kontakta en administratör.";

/// The client's address: the connection's peer, or behind a load balancer the
/// address it put last in X-Forwarded-For.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.settings.behind_proxy {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty())
                // The proxy appends the address it saw; anything else is not one.
                .and_then(|v| v.parse::<std::net::IpAddr>().ok());
            if let Some(address) = forwarded {
                return Ok(ClientAddr(address.to_string()));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        Ok(ClientAddr(peer.unwrap_or_else(|| "unknown".to_string())))
    }
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    layout: Layout,
    username: String,
    next: String,
    /// A draft's form whose save came after the session had ended, carried
    /// through the login to the editor (see `editor::KeptDraft`).
    kept: String,
    error: &'static str,
    show_demo: bool,
    /// The identity provider's name, with single sign-on.
    sso_name: Option<String>,
    local_login: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Sets (or, with an empty token, removes) the login cookie on a response.
fn with_login_cookie(mut response: Response, settings: &Settings, token: &str) -> Response {
    let mut cookie = Cookie::build((
        cookie_name(LOGIN_CSRF_COOKIE, settings.secure_cookies),
        token.to_string(),
    ))
    .path("/")
    .http_only(true)
    .secure(settings.secure_cookies)
    .same_site(SameSite::Strict)
    .build();
    if token.is_empty() {
        cookie.make_removal();
    }
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// What the login form carries when shown again.
struct Carried<'a> {
    username: String,
    /// Where to go after the login.
    next: &'a str,
    /// A draft kept from an ended session, or nothing.
    kept: &'a str,
}

/// The login page with its form; `token` is the form's CSRF token.
fn login_page(
    state: &AppState,
    status: StatusCode,
    token: &str,
    carried: Carried,
    error: &'static str,
    show_demo: bool,
) -> Result<Response, AppError> {
    let mut layout = Layout::anonymous("Logga in");
    layout.csrf_token = token.to_string();
    let page = LoginPage {
        layout,
        username: carried.username,
        next: safe_next(Some(carried.next)),
        kept: carried.kept.to_string(),
        error,
        show_demo,
        sso_name: super::oidc::provider_name(state),
        local_login: state.settings.local_login == crate::config::LocalLogin::On,
    };
    Ok(with_login_cookie(
        page_with_status(status, &page)?,
        &state.settings,
        token,
    ))
}

pub async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Result<Response, AppError> {
    let next = query.next.unwrap_or_default();
    fresh_login_page(&state, &headers, &next, "").await
}

/// The login page as first shown, going to `next` after, carrying `kept`.
async fn fresh_login_page(
    state: &AppState,
    headers: &HeaderMap,
    next: &str,
    kept: &str,
) -> Result<Response, AppError> {
    // The token of a form already open in another tab stays valid.
    let token = login_csrf_cookie(headers, &state.settings).unwrap_or_else(session::new_token);
    let mut conn = state.pool.acquire().await?;
    let show_demo = db::users::demo_accounts_present(&mut conn).await?;
    drop(conn);
    let carried = Carried {
        username: String::new(),
        next,
        kept,
    };
    login_page(state, StatusCode::OK, &token, carried, "", show_demo)
}

/// The answer to a draft's save that came after the session had ended: the
/// login page, with the draft in its form and the editor as where to go after.
async fn login_keeping_draft(state: &AppState, request: Request) -> Result<Response, AppError> {
    let path = request.uri().path().to_string();
    let headers = request.headers().clone();
    let body = super::form::read_body(request, state).await?;
    let form = String::from_utf8(body.to_vec())
        .map_err(|_| AppError::BadRequest("a form that is not UTF-8"))?;
    fresh_login_page(state, &headers, &path, &form).await
}

/// Lets a request through only with a valid login; otherwise ends whatever is left
/// of the session and sends the browser to the login page, remembering where it was
/// going. A draft's save that comes after the session ended is not dropped: the
/// login page answers it with the draft in its form (see [`KeptDraft`]).
pub async fn require_login(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Result<Response, AppError> {
    match session::current_user(&session).await? {
        Some(user) => {
            request.extensions_mut().insert(user);
            Ok(next.run(request).await)
        }
        None if KeptDraft::may_keep(&request) => login_keeping_draft(&state, request).await,
        None => {
            let wanted = if request.method() == axum::http::Method::GET {
                request
                    .uri()
                    .path_and_query()
                    .map(|pq| pq.as_str())
                    .unwrap_or("/")
            } else {
                "/"
            };
            let target = if wanted == "/" {
                "/login".to_string()
            } else {
                format!("/login?next={}", session::encode_query_value(wanted))
            };
            Ok(Redirect::to(&target).into_response())
        }
    }
}

/// `POST /session`: the warning's "Fortsätt vara inloggad". Being a signed-in
/// request, it has passed [`require_login`]; the session's expiry moves on now.
pub async fn stay_signed_in(
    session: Session,
    _user: CurrentUser,
    CsrfForm(EmptyForm {}): CsrfForm<EmptyForm>,
) -> Result<StatusCode, AppError> {
    session::renew(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    kept: String,
}

/// Holds no database connection while it waits for or runs the password's
/// hashing: a burst of logins must not take the pool from every other page.
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    ClientAddr(address): ClientAddr,
    LoginCsrfForm(form): LoginCsrfForm<LoginForm>,
) -> Result<Response, AppError> {
    let username = normalize_username(&form.username);
    let mut conn = state.pool.acquire().await?;
    let attempts = db::login_failures::record_attempt(
        &mut conn,
        &username,
        &address,
        Utc::now() - FAILURE_WINDOW,
    )
    .await?;
    let candidate = db::users::find_for_login(&mut conn, &username).await?;
    let show_demo = db::users::demo_accounts_present(&mut conn).await?;
    drop(conn);
    let answer = |status, error| {
        let carried = Carried {
            username: form.username.clone(),
            next: &form.next,
            kept: &form.kept,
        };
        login_page(&state, status, &form.csrf_token, carried, error, show_demo)
    };
    // The attempt itself is counted: the sixth within the window is refused.
    if attempts.for_username > MAX_FAILURES_PER_ACCOUNT
        || attempts.for_address > MAX_FAILURES_PER_ADDRESS
    {
        tracing::warn!(%address, "login throttled");
        return answer(StatusCode::TOO_MANY_REQUESTS, THROTTLED);
    }

    let slot = state
        .hashing
        .take()
        .await
        .map_err(|_| AppError::Unavailable("every password hashing slot is taken"))?;
    let stored_hash = candidate.as_ref().map(|c| c.password_hash.clone());
    let password_ok = slot.verify(form.password.clone(), stored_hash).await?;
    let Some(user) = candidate.filter(|c| password_ok && c.active) else {
        return answer(StatusCode::UNPROCESSABLE_ENTITY, WRONG_CREDENTIALS);
    };

    let mut conn = state.pool.acquire().await?;
    db::login_failures::clear_for_username(&mut conn, &username).await?;
    drop(conn);
    // A new session id at login, so that an id planted before login is worthless.
    session.cycle_id().await?;
    session::set_login(
        &session,
        &Login {
            user_id: user.id,
            epoch: user.session_epoch,
            at: Utc::now(),
        },
    )
    .await?;
    session::renew_csrf_token(&session).await?;
    let next = safe_next(Some(&form.next));
    KeptDraft::keep_after_login(&session, &next, form.kept).await?;
    let redirect = Redirect::to(&next).into_response();
    Ok(with_login_cookie(redirect, &state.settings, ""))
}

#[derive(Deserialize)]
pub struct EmptyForm {}

#[derive(Template)]
#[template(path = "auth/logout.html")]
struct LogoutPage {
    layout: Layout,
}

/// `GET /logout` (a typed or bookmarked address): a button that logs out, since
/// no GET changes anything.
pub async fn logout_form(user: CurrentUser) -> Result<Response, AppError> {
    page(&LogoutPage {
        layout: Layout::new("Logga ut", &user, "").crumb("Start", "/"),
    })
}

/// Ends the session, and with single sign-on the one at the provider too.
pub async fn logout(
    State(state): State<AppState>,
    session: Session,
    CsrfForm(EmptyForm {}): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    let provider_logout = super::oidc::logout_target(&state, &session).await?;
    session.flush().await?;
    Ok(Redirect::to(provider_logout.as_deref().unwrap_or("/login")).into_response())
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    layout: Layout,
    errors: FormErrors,
    done: bool,
}

pub async fn password_form(user: CurrentUser) -> Result<Response, AppError> {
    page(&PasswordPage {
        layout: Layout::new("Byt lösenord", &user, "").crumb("Start", "/"),
        errors: FormErrors::none(),
        done: false,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

/// Changing the password ends every other session of the user; this one goes on
/// under a new id.
pub async fn change_password(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::new();
    let mut conn = state.pool.acquire().await?;
    let stored = db::users::password_hash(&mut conn, user.id()).await?;
    // No connection held while hashing.
    drop(conn);
    let busy = |_| AppError::Unavailable("every password hashing slot is taken");
    let slot = state.hashing.take().await.map_err(busy)?;
    if !slot.verify(form.current, stored).await? {
        errors.add("current", "Det nuvarande lösenordet stämmer inte.");
    }
    if let Some(problem) = password_problem(&form.new_password) {
        errors.add("new_password", problem);
    } else if form.new_password != form.confirm {
        errors.add("confirm", "Lösenorden är inte lika.");
    }
    if !errors.is_empty() {
        let page = PasswordPage {
            layout: Layout::new("Byt lösenord", &user, "").crumb("Start", "/"),
            errors: errors.into(),
            done: false,
        };
        return page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let slot = state.hashing.take().await.map_err(busy)?;
    let hash = slot.hash(form.new_password).await?;
    let mut tx = db::begin(&state.pool).await?;
    let epoch = db::users::set_password(&mut tx, user.id(), &hash)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::record(
        &mut tx,
        db::audit::NewEvent::new(
            Some(user.id()),
            crate::domain::audit::AuditAction::UserPasswordChanged,
            user.id(),
        ),
    )
    .await?;
    tx.commit().await?;
    session.cycle_id().await?;
    session::set_login(
        &session,
        &Login {
            user_id: user.id(),
            epoch,
            at: Utc::now(),
        },
    )
    .await?;
    page(&PasswordPage {
        layout: Layout::new("Byt lösenord", &user, "").crumb("Start", "/"),
        errors: FormErrors::none(),
        done: true,
    })
}
