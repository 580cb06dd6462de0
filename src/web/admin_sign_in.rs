//! Administration of how accounts sign in: an account's e-mail address and its
//! subject at the identity provider, and the import of a list of accounts that
//! sign in through the provider. Administrators only.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::form::CsrfForm;
use super::session::CurrentUser;
use super::views::{FormErrors, Layout, page, page_with_status};
use super::{AppError, AppState};
use crate::config::LocalLogin;
use crate::db::audit::{self, NewEvent};
use crate::db::oidc::SignInDetails;
use crate::db::users::UserSummary;
use crate::db::{self, violated_constraint};
use crate::domain::FieldErrors;
use crate::domain::sign_in::validate_fields;
use crate::domain::user::NewUser;
use crate::domain::user_import::{self, ImportRow, LineError};

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

/// The field and message for a sign-in value another account already has.
pub fn taken_message(constraint: Option<&str>) -> Option<(&'static str, &'static str)> {
    match constraint {
        Some("users_email_key") => {
            Some(("email", "E-postadressen används redan av ett annat konto."))
        }
        Some("users_oidc_subject_key") => {
            Some(("oidc_subject", "Id:t används redan av ett annat konto."))
        }
        _ => None,
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

async fn load_account(
    conn: &mut PgConnection,
    id: &str,
) -> Result<(UserSummary, SignInDetails), AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let account = db::users::get(conn, id).await?.ok_or(AppError::NotFound)?;
    let details = db::oidc::details(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((account, details))
}

async fn sign_in_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let mut conn = state.pool.acquire().await?;
    let (account, details) = load_account(&mut conn, &id).await?;
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

fn none_if_empty(value: &str) -> Option<&str> {
    Some(value).filter(|v| !v.is_empty())
}

/// Sets an account's e-mail address and subject. A changed subject ends the
/// account's link to its identity at the provider (and its sessions): the next
/// sign-in links it again by the new subject or the e-mail address.
async fn change_sign_in(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let mut tx = db::begin(&state.pool).await?;
    let (account, before) = load_account(&mut tx, &id).await?;
    let render = |status, errors: FieldErrors, saved: Option<SignInDetails>| {
        // After a stale save the form's next save replaces what is saved now.
        let (seen_email, seen_subject) = match &saved {
            Some(saved) => (
                saved.email.clone().unwrap_or_default(),
                saved.oidc_subject.clone().unwrap_or_default(),
            ),
            None => (form.seen_email.clone(), form.seen_subject.clone()),
        };
        page_with_status(
            status,
            &SignInPage {
                layout: sign_in_layout(&user, &account),
                account: account.clone(),
                options: SignInOptions::of(&state),
                email: form.email.clone(),
                oidc_subject: form.oidc_subject.clone(),
                seen_email,
                seen_subject,
                errors: errors.into(),
                saved,
            },
        )
    };
    let mut errors = FieldErrors::new();
    let fields = validate_fields(&mut errors, &form.email, &form.oidc_subject);
    if !errors.is_empty() {
        return render(StatusCode::UNPROCESSABLE_ENTITY, errors, None);
    }
    let seen = (
        none_if_empty(form.seen_email.trim()),
        none_if_empty(form.seen_subject.trim()),
    );
    let changed = db::oidc::change(
        &mut tx,
        account.id,
        seen,
        fields.email.as_deref(),
        fields.oidc_subject.as_deref(),
    )
    .await;
    match changed {
        Ok(true) => {}
        Ok(false) => {
            // Changed meanwhile, perhaps linked by a first sign-in: both shown.
            return render(StatusCode::CONFLICT, FieldErrors::new(), Some(before));
        }
        Err(error) => {
            if let Some((field, message)) = taken_message(violated_constraint(&error)) {
                errors.add(field, message);
                return render(StatusCode::UNPROCESSABLE_ENTITY, errors, None);
            }
            return Err(error.into());
        }
    }
    if before.email != fields.email || before.oidc_subject != fields.oidc_subject {
        audit::record(
            &mut tx,
            NewEvent {
                before: Some(json!({ "email": before.email, "oidc_subject": before.oidc_subject })),
                after: Some(json!({ "email": fields.email, "oidc_subject": fields.oidc_subject })),
                ..NewEvent::new(Some(user.id()), "user.sign_in_changed", "user", account.id)
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/anvandare/{}", account.id)).into_response())
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

/// Creates every account of the list in one transaction, each with its roles
/// and its audit event, or none when any line is wrong.
async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<ImportForm>,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let refuse = |problems: Vec<LineError>| {
        page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportPage {
                layout: import_layout(&user, "Importera användare"),
                options: SignInOptions::of(&state),
                text: form.list.clone(),
                problems,
            },
        )
    };
    let mut tx = db::begin(&state.pool).await?;
    let organs = db::organs::list(&mut tx).await?;
    let prefixes: HashMap<String, Uuid> = organs
        .iter()
        .map(|o| (o.diarium_prefix.to_string(), o.id))
        .collect();
    let rows = match user_import::parse(&form.list, &prefixes) {
        Ok(rows) => rows,
        Err(problems) => return refuse(problems),
    };
    let usernames: Vec<String> = rows.iter().map(|r| r.username.clone()).collect();
    let emails: Vec<String> = rows.iter().map(|r| r.email.clone()).collect();
    let (taken_usernames, taken_emails) = db::oidc::taken(&mut tx, &usernames, &emails).await?;
    let mut problems = Vec::new();
    for row in &rows {
        if taken_usernames.contains(&row.username) {
            problems.push(LineError {
                line: row.line,
                message: format!(
                    "det finns redan ett konto med användarnamnet {}.",
                    row.username
                ),
            });
        }
        if taken_emails
            .iter()
            .any(|e| e.to_lowercase() == row.email.to_lowercase())
        {
            problems.push(LineError {
                line: row.line,
                message: format!(
                    "det finns redan ett konto med e-postadressen {}.",
                    row.email
                ),
            });
        }
    }
    if !problems.is_empty() {
        return refuse(problems);
    }
    for row in &rows {
        let id = Uuid::new_v4();
        let new = NewUser {
            username: row.username.clone(),
            display_name: row.display_name.clone(),
            title: String::new(),
            organ_id: Some(row.organ_id),
            is_admin: row.is_admin,
            password: None,
            email: Some(row.email.clone()),
            oidc_subject: None,
        };
        if let Err(error) = db::users::insert(&mut tx, id, &new, None, false).await {
            // Taken by someone else since the check above.
            if violated_constraint(&error).is_some() {
                return refuse(vec![LineError {
                    line: row.line,
                    message: "användarnamnet eller e-postadressen togs nyss av ett annat konto."
                        .into(),
                }]);
            }
            return Err(error.into());
        }
        for role in &row.roles {
            db::users::add_role(&mut tx, id, row.organ_id, *role).await?;
        }
        audit::record(
            &mut tx,
            NewEvent {
                after: Some(json!({
                    "username": new.username, "display_name": new.display_name,
                    "organ_id": new.organ_id, "admin": new.is_admin, "email": new.email,
                    "roles": row.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                    "via": "import",
                })),
                ..NewEvent::new(Some(user.id()), "user.created", "user", id)
            },
        )
        .await?;
    }
    tx.commit().await?;
    tracing::info!(accounts = rows.len(), "accounts imported");
    page(&ImportedPage {
        layout: import_layout(&user, "Importerade användare"),
        organ_names: organs.into_iter().map(|o| (o.id, o.name)).collect(),
        rows,
    })
}
