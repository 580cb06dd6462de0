//! E-mail in the pages: the administrator's view of the outbox (what has not
//! gone, with the SMTP server's answer, and a retry), and each user's account
//! page where notifications by e-mail are turned on or off.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::form::CsrfForm;
use super::ids::Id;
use super::refusal::refused;
use super::session::CurrentUser;
use super::views::{Layout, page};
use super::{AppError, AppState};
use crate::app;
use crate::db::outbox::{Listed, NotificationSetting};
use crate::domain::dates::format_stockholm;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/konto", get(account).post(set_notifications))
        .route("/admin/utskick", get(unsent))
        .route("/admin/utskick/{id}/skicka-igen", post(retry))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    setting: NotificationSetting,
}

async fn account(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let setting = app::outbox::notification_setting(&state.ctx, &user.actor())
        .await
        .map_err(|refusal| refused(refusal, "/"))?;
    page(&AccountPage {
        layout: Layout::new("Mitt konto", &user, "").crumb("Start", "/"),
        setting,
    })
}

#[derive(Debug, Deserialize)]
struct NotificationsForm {
    /// "on" when the box is ticked; absent when not.
    #[serde(default)]
    notify: Option<String>,
}

async fn set_notifications(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<NotificationsForm>,
) -> Result<Response, AppError> {
    let on = form.notify.is_some();
    app::outbox::set_notifications(&state.ctx, &user.actor(), on)
        .await
        .map_err(|refusal| refused(refusal, "/konto"))?;
    Ok(Redirect::to("/konto").into_response())
}

struct MessageView {
    message: Listed,
    created_at: String,
    next_attempt_at: String,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    layout: Layout,
    mail_configured: bool,
    messages: Vec<MessageView>,
}

async fn unsent(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let messages = app::outbox::unsent(&state.ctx, &user.actor())
        .await
        .map_err(|refusal| refused(refusal, "/"))?
        .into_iter()
        .map(|message| MessageView {
            created_at: format_stockholm(message.created_at),
            next_attempt_at: format_stockholm(message.next_attempt_at),
            message,
        })
        .collect();
    page(&OutboxPage {
        layout: Layout::new("Utgående e-post", &user, "admin").crumb("Administration", "/admin"),
        mail_configured: state.settings.mail_configured,
        messages,
    })
}

#[derive(Debug, Deserialize)]
struct RetryForm {}

async fn retry(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<RetryForm>,
) -> Result<Response, AppError> {
    app::outbox::retry(&state.ctx, &user.actor(), id)
        .await
        .map_err(|refusal| refused(refusal, "/admin/utskick"))?;
    Ok(Redirect::to("/admin/utskick").into_response())
}
