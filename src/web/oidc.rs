//! Single sign-on through the municipality's identity provider: the login's
//! start, the provider's answer, and the logout there.
//!
//! A sign-in that fails for any reason (a wrong `state`, a code used before, a
//! token for another audience, expired or badly signed, a provider that is down
//! or slow, a person without an account) gets a Swedish page, a log line with the
//! reason, and no login.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{TimeDelta, Utc};
use serde::Deserialize;
use tower_sessions::Session;

use super::form::constant_time_eq;
use super::refusal::refused;
use super::session::{self, Login, safe_next};
use super::views::{Layout, page_with_status};
use super::{AppError, AppState};
use crate::app;
use crate::app::sign_in::SignInOutcome;
use crate::config::LocalLogin;
use crate::domain::sign_in::Refusal;
use crate::oidc::{OidcError, PendingLogin, Provider};

/// Sign-ins started in this session and not finished (`PendingLogin`s).
const PENDING_KEY: &str = "oidc_pending";
/// The ID token of the sign-in, for the logout at the provider.
const ID_TOKEN_KEY: &str = "oidc_id_token";
/// How many sign-ins a session may have started at once (one per browser tab).
const MAX_PENDING: usize = 3;
/// How long the person may take at the provider.
const PENDING_FOR: TimeDelta = TimeDelta::minutes(10);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login/oidc", get(start))
        .route("/login/oidc/callback", get(callback))
}

/// The provider's origin for the pages' `form-action`: the logout button's form
/// continues there. Empty without single sign-on.
pub fn form_action_origin(state: &AppState) -> String {
    state
        .oidc
        .as_ref()
        .map(|provider| format!(" {}", provider.config().issuer_origin()))
        .unwrap_or_default()
}

/// The provider's name on the login page's button, when there is one.
pub fn provider_name(state: &AppState) -> Option<String> {
    state.oidc.as_ref().map(|p| p.config().name.clone())
}

#[derive(Template)]
#[template(path = "auth/sign_in_refused.html")]
struct RefusedPage {
    layout: Layout,
    heading: &'static str,
    message: String,
    /// Whether to say that password accounts can still sign in.
    local_login: bool,
}

fn refused_page(
    state: &AppState,
    status: StatusCode,
    heading: &'static str,
    message: String,
) -> Result<Response, AppError> {
    page_with_status(
        status,
        &RefusedPage {
            layout: Layout::anonymous(heading),
            heading,
            message,
            local_login: state.settings.local_login == LocalLogin::On,
        },
    )
}

const NOT_COMPLETED: &str = "Inloggningen kunde inte slutföras";

/// The answer to a fault on the provider's side (the reason is logged by the
/// caller).
fn provider_fault(state: &AppState, name: &str, error: &OidcError) -> Result<Response, AppError> {
    match error {
        OidcError::Unreachable(_) | OidcError::Timeout(_) => refused_page(
            state,
            StatusCode::SERVICE_UNAVAILABLE,
            "Inloggningen fungerar inte just nu",
            format!(
                "Remiss får inte kontakt med {name}, eller så svarar den inte i tid. Ingen har loggats in. Försök igen om en stund."
            ),
        ),
        OidcError::CodeRefused(_) => refused_page(
            state,
            StatusCode::BAD_REQUEST,
            NOT_COMPLETED,
            format!(
                "{} godtog inte inloggningen, kanske för att samma svar redan har använts eller var för gammalt. Ingen har loggats in. Börja om från inloggningssidan.",
                capitalized(name)
            ),
        ),
        OidcError::BadResponse(_) | OidcError::InvalidToken(_) => refused_page(
            state,
            StatusCode::BAD_GATEWAY,
            NOT_COMPLETED,
            format!(
                "Svaret från {name} kunde inte godtas, så ingen har loggats in. Försök igen; om felet består, kontakta kommunens IT-support."
            ),
        ),
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn provider(state: &AppState) -> Result<&Provider, AppError> {
    state.oidc.as_deref().ok_or(AppError::NotFound)
}

#[derive(Deserialize)]
struct StartQuery {
    next: Option<String>,
}

/// Sends the browser to the provider, remembering the sign-in in the session.
/// (A link, not a form: the pages' CSP lets forms go only to Remiss and the
/// provider's logout, and starting a sign-in changes nothing but this session.)
#[tracing::instrument(skip_all)]
async fn start(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<StartQuery>,
) -> Result<Response, AppError> {
    let provider = provider(&state)?;
    let next = safe_next(query.next.as_deref()).to_string();
    let (url, pending) = match provider.begin(&next).await {
        Ok(started) => started,
        Err(error) => {
            tracing::warn!("single sign-on could not start: {error}");
            return provider_fault(&state, &provider.config().name, &error);
        }
    };
    let mut started: Vec<PendingLogin> = session.get(PENDING_KEY).await?.unwrap_or_default();
    let now = Utc::now();
    started.retain(|p| now - p.started_at < PENDING_FOR);
    if started.len() >= MAX_PENDING {
        started.remove(0);
    }
    started.push(pending);
    session.insert(PENDING_KEY, started).await?;
    Ok(Redirect::to(url.as_str()).into_response())
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    /// The issuer of the answer, where the provider says (RFC 9207).
    iss: Option<String>,
}

/// The provider's answer: the code is redeemed, the ID token verified, the
/// account found (and linked at its first sign-in), and the session signed in.
#[tracing::instrument(skip_all)]
async fn callback(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, AppError> {
    let provider = provider(&state)?;
    let name = provider.config().name.clone();

    // The sign-in this answer belongs to is taken out of the session first and
    // saved so, whatever happens next: an answer is used once.
    let mut started: Vec<PendingLogin> = session.get(PENDING_KEY).await?.unwrap_or_default();
    let sent_state = query.state.as_deref().unwrap_or_default();
    let position = started
        .iter()
        .position(|p| constant_time_eq(p.state.as_bytes(), sent_state.as_bytes()));
    let pending = position.map(|i| started.remove(i));
    if pending.is_some() {
        session.insert(PENDING_KEY, started).await?;
        session.save().await?;
    }

    if let Some(iss) = &query.iss
        && *iss != provider.config().issuer
    {
        tracing::warn!("single sign-on refused: the answer names another issuer");
        return refused_page(
            &state,
            StatusCode::BAD_REQUEST,
            NOT_COMPLETED,
            format!(
                "Svaret kom inte från {name}. Ingen har loggats in. Börja om från inloggningssidan."
            ),
        );
    }
    if let Some(error) = query.error {
        tracing::warn!(error = %error.chars().take(100).collect::<String>(), "single sign-on: the provider answered with an error");
        return refused_page(
            &state,
            StatusCode::FORBIDDEN,
            "Inloggningen avbröts",
            format!(
                "Inloggningen hos {name} avbröts eller nekades, så ingen har loggats in. Börja om från inloggningssidan om du vill försöka igen."
            ),
        );
    }
    let Some(pending) = pending else {
        tracing::warn!(
            "single sign-on refused: the state matches no sign-in started in this session"
        );
        return refused_page(
            &state,
            StatusCode::BAD_REQUEST,
            NOT_COMPLETED,
            format!(
                "Svaret från {name} hör inte till någon inloggning som påbörjats i den här webbläsaren. Ingen har loggats in. Börja om från inloggningssidan."
            ),
        );
    };
    if Utc::now() - pending.started_at >= PENDING_FOR {
        tracing::warn!("single sign-on refused: the sign-in was started too long ago");
        return refused_page(
            &state,
            StatusCode::BAD_REQUEST,
            NOT_COMPLETED,
            "Inloggningen tog för lång tid, så ingen har loggats in. Börja om från inloggningssidan.".into(),
        );
    }
    let Some(code) = query.code.filter(|c| !c.is_empty()) else {
        tracing::warn!("single sign-on refused: the answer has no code");
        return Err(AppError::BadRequest("no code"));
    };

    let identity = match provider.finish(&code, &pending).await {
        Ok(identity) => identity,
        Err(error) => {
            tracing::warn!("single sign-on refused: {error}");
            return provider_fault(&state, &name, &error);
        }
    };

    let outcome = app::sign_in::sign_in(
        &state.ctx,
        &identity.key,
        identity.email.as_deref(),
        identity.email_verified,
    )
    .await
    .map_err(|error| refused(error, "/login"))?;
    let (user_id, epoch) = match outcome {
        SignInOutcome::SignedIn {
            user_id,
            session_epoch,
        } => (user_id, session_epoch),
        SignInOutcome::Refused(refusal) => {
            tracing::warn!(
                realm = %identity.key.realm,
                subject = %identity.key.subject,
                "single sign-on refused: {}",
                refusal.reason()
            );
            return refusal_page(&state, &name, refusal, identity.email.as_deref());
        }
    };

    // As for a password login: a new session id, a new CSRF token.
    session.cycle_id().await?;
    session.remove_value(PENDING_KEY).await?;
    session::set_login(
        &session,
        &Login {
            user_id,
            epoch,
            at: Utc::now(),
        },
    )
    .await?;
    session::renew_csrf_token(&session).await?;
    session.insert(ID_TOKEN_KEY, &identity.id_token).await?;
    Ok(Redirect::to(&pending.next).into_response())
}

fn refusal_page(
    state: &AppState,
    name: &str,
    refusal: Refusal,
    email: Option<&str>,
) -> Result<Response, AppError> {
    let message = match refusal {
        Refusal::Unknown => {
            let shown = email
                .map(|e| format!(" med e-postadressen {e}"))
                .unwrap_or_default();
            format!(
                "Du är inloggad hos {name}, men det finns inget konto i Remiss för dig{shown}. En administratör i Remiss måste ge dig tillgång genom att lägga upp ett konto med din e-postadress. Inget konto har skapats."
            )
        }
        Refusal::LinkedToAnother => format!(
            "Kontot i Remiss med din e-postadress är kopplat till en annan inloggning hos {name}. En administratör i Remiss måste rätta kopplingen innan du kan logga in."
        ),
        Refusal::EmailUnverified => format!(
            "{} har inte bekräftat din e-postadress, så den kan inte kopplas till ett konto i Remiss. Kontakta en administratör i Remiss.",
            capitalized(name)
        ),
        Refusal::Inactive => "Ditt konto i Remiss är inaktiverat. Kontakta en administratör i Remiss om du behöver tillgång igen.".to_string(),
    };
    refused_page(
        state,
        StatusCode::FORBIDDEN,
        "Du har inte tillgång till Remiss",
        message,
    )
}

/// With passwords turned off (`--local-login off`), a password sent anyway.
pub async fn password_login_off(State(state): State<AppState>) -> Result<Response, AppError> {
    let name = provider_name(&state).unwrap_or_default();
    tracing::info!("password login refused: local login is off");
    refused_page(
        &state,
        StatusCode::FORBIDDEN,
        "Inloggning med lösenord är avstängd",
        format!("Logga in med {name} i stället."),
    )
}

/// Where the logout continues after the Remiss session has ended: the
/// provider's end-session endpoint when the session came from it and the
/// provider offers one.
pub async fn logout_target(
    state: &AppState,
    session: &Session,
) -> Result<Option<String>, AppError> {
    let Some(provider) = state.oidc.as_deref() else {
        return Ok(None);
    };
    let Some(id_token) = session.get::<String>(ID_TOKEN_KEY).await? else {
        return Ok(None);
    };
    Ok(provider
        .logout_url(&id_token)
        .await
        .map(|url| url.to_string()))
}
