//! Login, logout and the user's own password.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{TimeDelta, Utc};
use serde::Deserialize;
use tower_sessions::Session;

use super::form::CsrfForm;
use super::session::{self, CurrentUser, Login, safe_next};
use super::views::{FormErrors, Layout, page, page_with_status};
use super::{AppError, AppState};
use crate::db;
use crate::domain::FieldErrors;
use crate::domain::user::{normalize_username, password_problem};

/// Failed logins are counted over this window...
const FAILURE_WINDOW: TimeDelta = TimeDelta::minutes(15);
/// ...and past this many for one account name, or this many from one address,
/// further attempts are refused until the window has moved on.
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
                .rfind(|v| !v.is_empty());
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
    error: &'static str,
    show_demo: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

async fn login_page(
    state: &AppState,
    session: &Session,
    username: String,
    next: &str,
    error: &'static str,
) -> Result<LoginPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let show_demo = db::users::demo_accounts_present(&mut conn).await?;
    let mut layout = Layout::anonymous("Logga in");
    layout.csrf_token = session::csrf_token(session).await?;
    Ok(LoginPage {
        layout,
        username,
        next: safe_next(Some(next)).to_string(),
        error,
        show_demo,
    })
}

pub async fn login_form(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<NextQuery>,
) -> Result<Response, AppError> {
    let next = query.next.unwrap_or_default();
    page(&login_page(&state, &session, String::new(), &next, "").await?)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    session: Session,
    ClientAddr(address): ClientAddr,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, AppError> {
    let username = normalize_username(&form.username);
    let mut conn = state.pool.acquire().await?;
    let failures = db::login_failures::count_since(
        &mut conn,
        &username,
        &address,
        Utc::now() - FAILURE_WINDOW,
    )
    .await?;
    if failures.for_username >= MAX_FAILURES_PER_ACCOUNT
        || failures.for_address >= MAX_FAILURES_PER_ADDRESS
    {
        tracing::warn!(%address, "login throttled");
        let page = login_page(&state, &session, form.username, &form.next, THROTTLED).await?;
        return page_with_status(StatusCode::TOO_MANY_REQUESTS, &page);
    }

    let candidate = db::users::find_for_login(&mut conn, &username).await?;
    let stored_hash = candidate.as_ref().map(|c| c.password_hash.clone());
    let password_ok = crate::password::verify(form.password, stored_hash).await?;
    let user = candidate.filter(|c| password_ok && c.active);
    let Some(user) = user else {
        db::login_failures::record(&mut conn, &username, &address).await?;
        let page = login_page(
            &state,
            &session,
            form.username,
            &form.next,
            WRONG_CREDENTIALS,
        )
        .await?;
        return page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };

    db::login_failures::clear_for_username(&mut conn, &username).await?;
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
    Ok(Redirect::to(safe_next(Some(&form.next))).into_response())
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn logout(
    session: Session,
    CsrfForm(EmptyForm {}): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    session.flush().await?;
    Ok(Redirect::to("/login").into_response())
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
    if !crate::password::verify(form.current, stored).await? {
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
    drop(conn);
    let hash = crate::password::hash(form.new_password).await?;
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
