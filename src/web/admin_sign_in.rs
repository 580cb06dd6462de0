//! Administration of how accounts sign in: an account's e-mail address and its
//! subject at the identity provider, and the import of a list of accounts that
//! sign in through the provider. Administrators only.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::form::CsrfForm;
use super::ids::Id;
use super::refusal::refused;
use super::session::CurrentUser;
use super::views::{FormErrors, Layout, page, page_with_status};
use super::{AppError, AppState};
use crate::app;
use crate::app::admin::{Imported, SignInChanged};
use crate::config::LocalLogin;
use crate::db;
use crate::db::oidc::SignInDetails;
use crate::db::users::UserSummary;
use crate::domain::FieldErrors;
use crate::domain::sign_in::SignInFields;
use crate::domain::user_import::{ImportRow, LineError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/anvandare/{id}/inloggning",
            get(sign_in_form).post(change_sign_in),
        )
        .route("/admin/anvandare/import", get(import_form).post(import))
}

fn admin_only(user: &CurrentUser) -> Result<(), AppError> {
    user.require(user.is_admin())
}

/// How accounts can sign in here, for the account forms.
#[derive(Debug, Clone)]
pub struct SignInOptions {
    /// The identity provider's name, with single sign-on.
    pub sso_name: Option<String>,
    pub local_login: bool,
}

impl SignInOptions {
    pub fn of(state: &AppState) -> Self {
        SignInOptions {
            sso_name: super::oidc::provider_name(state),
            local_login: state.settings.local_login == LocalLogin::On,
        }
    }
}

/// The sign-in facts on an account's administration page.
#[derive(Debug, Clone)]
pub struct SignInSection {
    pub account_id: Uuid,
    pub details: SignInDetails,
    pub options: SignInOptions,
}

impl SignInSection {
    pub async fn load(
        state: &AppState,
        conn: &mut PgConnection,
        account_id: Uuid,
    ) -> Result<Self, AppError> {
        Ok(SignInSection {
            account_id,
            details: db::oidc::details(conn, account_id)
                .await?
                .ok_or(AppError::NotFound)?,
            options: SignInOptions::of(state),
        })
    }
}

#[derive(Template)]
#[template(path = "admin/sign_in_form.html")]
struct SignInPage {
    layout: Layout,
    account: UserSummary,
    options: SignInOptions,
    email: String,
    oidc_subject: String,
    /// What the form showed when it was opened: a save checks it is unchanged.
    seen_email: String,
    seen_subject: String,
    errors: FormErrors,
    /// On a stale save: the values as they are now.
    saved: Option<SignInDetails>,
}

fn sign_in_layout(user: &CurrentUser, account: &UserSummary) -> Layout {
    Layout::new("E-post och inloggning", user, "admin")
        .crumb("Administration", "/admin")
        .crumb("Användare", "/admin/anvandare")
        .crumb(
            account.display_name.clone(),
            format!("/admin/anvandare/{}", account.id),
        )
}

async fn sign_in_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let mut conn = state.pool.acquire().await?;
    let account = db::users::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let details = db::oidc::details(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let email = details.email.unwrap_or_default();
    let oidc_subject = details.oidc_subject.unwrap_or_default();
    page(&SignInPage {
        layout: sign_in_layout(&user, &account),
        account,
        options: SignInOptions::of(&state),
        seen_email: email.clone(),
        seen_subject: oidc_subject.clone(),
        email,
        oidc_subject,
        errors: FormErrors::none(),
        saved: None,
    })
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    oidc_subject: String,
    #[serde(default)]
    seen_email: String,
    #[serde(default)]
    seen_subject: String,
}

/// Sets an account's e-mail address and subject (see
/// [`app::admin::change_sign_in`]); a stale save shows what is saved now beside
/// what was typed.
async fn change_sign_in(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let seen = SignInFields {
        email: none_if_empty(&form.seen_email),
        oidc_subject: none_if_empty(&form.seen_subject),
    };
    let changed = app::admin::change_sign_in(
        &state.ctx,
        &user.actor(),
        id,
        &seen,
        &form.email,
        &form.oidc_subject,
    )
    .await;
    let (status, errors, saved) = match changed {
        Ok(SignInChanged::Saved) => {
            return Ok(Redirect::to(&format!("/admin/anvandare/{id}")).into_response());
        }
        Ok(SignInChanged::Stale { current }) => {
            (StatusCode::CONFLICT, FieldErrors::new(), Some(current))
        }
        Err(app::Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors, None),
        Err(refusal) => return Err(refused(refusal, format!("/admin/anvandare/{id}"))),
    };
    let mut conn = state.pool.acquire().await?;
    let account = db::users::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // After a stale save the form's next save replaces what is saved now.
    let (seen_email, seen_subject) = match &saved {
        Some(saved) => (
            saved.email.clone().unwrap_or_default(),
            saved.oidc_subject.clone().unwrap_or_default(),
        ),
        None => (form.seen_email, form.seen_subject),
    };
    page_with_status(
        status,
        &SignInPage {
            layout: sign_in_layout(&user, &account),
            account,
            options: SignInOptions::of(&state),
            email: form.email,
            oidc_subject: form.oidc_subject,
            seen_email,
            seen_subject,
            errors: errors.into(),
            saved,
        },
    )
}

/// What a form showed, as stored: empty is none.
fn none_if_empty(value: &str) -> Option<String> {
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

#[derive(Template)]
#[template(path = "admin/import.html")]
struct ImportPage {
    layout: Layout,
    options: SignInOptions,
    text: String,
    problems: Vec<LineError>,
}

#[derive(Template)]
#[template(path = "admin/imported.html")]
struct ImportedPage {
    layout: Layout,
    rows: Vec<ImportRow>,
    organ_names: HashMap<Uuid, String>,
}

fn import_layout(user: &CurrentUser, title: &str) -> Layout {
    Layout::new(title, user, "admin")
        .crumb("Administration", "/admin")
        .crumb("Användare", "/admin/anvandare")
}

async fn import_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    page(&ImportPage {
        layout: import_layout(&user, "Importera användare"),
        options: SignInOptions::of(&state),
        text: String::new(),
        problems: Vec::new(),
    })
}

#[derive(Deserialize)]
struct ImportForm {
    #[serde(default)]
    list: String,
}

/// Creates every account of the list, or none (see [`app::admin::import_users`]).
async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<ImportForm>,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let imported = app::admin::import_users(&state.ctx, &user.actor(), &form.list)
        .await
        .map_err(|refusal| refused(refusal, "/admin/anvandare/import"))?;
    match imported {
        Imported::Created(rows) => {
            tracing::info!(accounts = rows.len(), "accounts imported");
            let mut conn = state.pool.acquire().await?;
            page(&ImportedPage {
                layout: import_layout(&user, "Importerade användare"),
                organ_names: db::organs::list(&mut conn)
                    .await?
                    .into_iter()
                    .map(|o| (o.id, o.name))
                    .collect(),
                rows,
            })
        }
        Imported::Refused(problems) => page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportPage {
                layout: import_layout(&user, "Importera användare"),
                options: SignInOptions::of(&state),
                text: form.list,
                problems,
            },
        ),
    }
}
