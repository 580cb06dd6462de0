//! Administration: users, their roles, organs. Administrators only.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::form::CsrfForm;
use super::ids::Id;
use super::refusal::refused;
use super::session::CurrentUser;
use super::views::{FormErrors, Layout, page, page_with_status};
use super::{AppError, AppState};
use crate::app;
use crate::app::admin::{OrganUpdated, Origin};
use crate::db;
use crate::db::organs::Organ;
use crate::db::users::{OrganRole, UserSummary};
use crate::domain::organ::OrganInput;
use crate::domain::user::UserInput;
use crate::domain::{FieldErrors, Role};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(overview))
        .route("/admin/anvandare", get(users).post(create_user))
        .route("/admin/anvandare/ny", get(new_user_form))
        .route("/admin/anvandare/{id}", get(user_page))
        .route("/admin/anvandare/{id}/roller", post(add_role))
        .route("/admin/anvandare/{id}/roller/ta-bort", post(remove_role))
        .route("/admin/anvandare/{id}/aktiv", post(set_active))
        .route("/admin/organ", get(organs).post(create_organ))
        .route("/admin/organ/ny", get(new_organ_form))
        .route("/admin/organ/{id}", get(organ_form).post(update_organ))
}

fn admin_only(user: &CurrentUser) -> Result<(), AppError> {
    user.require(user.is_admin())
}

#[derive(Template)]
#[template(path = "admin/overview.html")]
struct OverviewPage {
    layout: Layout,
}

async fn overview(user: CurrentUser) -> Result<Response, AppError> {
    admin_only(&user)?;
    page(&OverviewPage {
        layout: Layout::new("Administration", &user, "admin"),
    })
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserSummary>,
}

async fn users(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    admin_only(&user)?;
    let mut conn = state.pool.acquire().await?;
    page(&UsersPage {
        layout: Layout::new("Användare", &user, "admin").crumb("Administration", "/admin"),
        users: db::users::list(&mut conn).await?,
    })
}

#[derive(Template)]
#[template(path = "admin/user_form.html")]
struct NewUserPage {
    layout: Layout,
    input: UserInput,
    organs: Vec<Organ>,
    errors: FormErrors,
    sign_in: super::admin_sign_in::SignInOptions,
}

fn new_user_layout(user: &CurrentUser) -> Layout {
    Layout::new("Nytt konto", user, "admin")
        .crumb("Administration", "/admin")
        .crumb("Användare", "/admin/anvandare")
}

async fn new_user_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let mut conn = state.pool.acquire().await?;
    page(&NewUserPage {
        layout: new_user_layout(&user),
        input: UserInput::default(),
        organs: db::organs::list(&mut conn).await?,
        errors: FormErrors::none(),
        sign_in: super::admin_sign_in::SignInOptions::of(&state),
    })
}

#[derive(Deserialize)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    organ: String,
    #[serde(default)]
    is_admin: Option<String>,
    #[serde(default)]
    password: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    oidc_subject: String,
}

async fn create_user(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<UserForm>,
) -> Result<Response, AppError> {
    let mut input = UserInput {
        username: form.username,
        display_name: form.display_name,
        title: form.title,
        organ: form.organ,
        is_admin: form.is_admin.is_some(),
        password: form.password,
        email: form.email,
        oidc_subject: form.oidc_subject,
    };
    let actor = user.actor();
    let sign_in = super::admin_sign_in::SignInOptions::of(&state);
    let sso = sign_in.sso_name.is_some();
    match app::admin::create_user(&state.ctx, Origin::Admin(&actor), &input, sso).await {
        Ok(created) => {
            Ok(Redirect::to(&format!("/admin/anvandare/{}", created.id)).into_response())
        }
        Err(app::Error::Invalid(errors)) => {
            input.password.clear();
            let mut conn = state.pool.acquire().await?;
            let page = NewUserPage {
                layout: new_user_layout(&user),
                input,
                organs: db::organs::list(&mut conn).await?,
                errors: errors.into(),
                sign_in,
            };
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, "/admin/anvandare")),
    }
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    layout: Layout,
    account: UserSummary,
    roles: Vec<OrganRole>,
    organs: Vec<Organ>,
    grantable: [Role; 4],
    is_self: bool,
    sign_in: super::admin_sign_in::SignInSection,
}

async fn user_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let mut conn = state.pool.acquire().await?;
    let account = db::users::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let roles = db::users::session_user(&mut conn, id)
        .await?
        .map(|u| u.roles)
        .unwrap_or_default();
    page(&UserPage {
        layout: Layout::new(account.display_name.clone(), &user, "admin")
            .crumb("Administration", "/admin")
            .crumb("Användare", "/admin/anvandare"),
        is_self: account.id == user.id(),
        account,
        roles,
        organs: db::organs::list(&mut conn).await?,
        grantable: Role::GRANTABLE,
        sign_in: super::admin_sign_in::SignInSection::load(&state, &mut conn, id).await?,
    })
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    organ: String,
    #[serde(default)]
    role: String,
}

async fn add_role(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response, AppError> {
    change_role(state, user, id, form, true).await
}

async fn remove_role(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response, AppError> {
    change_role(state, user, id, form, false).await
}

/// A role or organ that does not exist is a bad request: the form offers only
/// real ones.
async fn change_role(
    state: AppState,
    user: CurrentUser,
    id: Uuid,
    form: RoleForm,
    give: bool,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let role = Role::parse(&form.role).ok_or(AppError::BadRequest("unknown role"))?;
    let organ = Uuid::parse_str(&form.organ).map_err(|_| AppError::BadRequest("unknown organ"))?;
    let back = format!("/admin/anvandare/{id}");
    match app::admin::change_role(&state.ctx, &user.actor(), id, organ, role, give).await {
        Ok(()) => Ok(Redirect::to(&back).into_response()),
        Err(app::Error::Invalid(_)) => Err(AppError::BadRequest("unknown role or organ")),
        Err(refusal) => Err(refused(refusal, back)),
    }
}

#[derive(Deserialize)]
struct ActiveForm {
    #[serde(default)]
    active: String,
}

async fn set_active(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<ActiveForm>,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let active = match form.active.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::BadRequest("active must be true or false")),
    };
    let back = format!("/admin/anvandare/{id}");
    app::admin::set_active(&state.ctx, &user.actor(), id, active)
        .await
        .map_err(|refusal| refused(refusal, back.clone()))?;
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template)]
#[template(path = "admin/organs.html")]
struct OrgansPage {
    layout: Layout,
    organs: Vec<Organ>,
}

async fn organs(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    admin_only(&user)?;
    let mut conn = state.pool.acquire().await?;
    page(&OrgansPage {
        layout: Layout::new("Organ", &user, "admin").crumb("Administration", "/admin"),
        organs: db::organs::list(&mut conn).await?,
    })
}

#[derive(Template)]
#[template(path = "admin/organ_form.html")]
struct OrganPage {
    layout: Layout,
    organ_id: Option<Uuid>,
    version: i32,
    input: OrganInput,
    errors: FormErrors,
    /// On a stale edit: the organ as someone else saved it.
    saved: Option<OrganInput>,
}

fn organ_layout(user: &CurrentUser, title: &str) -> Layout {
    Layout::new(title, user, "admin")
        .crumb("Administration", "/admin")
        .crumb("Organ", "/admin/organ")
}

async fn new_organ_form(user: CurrentUser) -> Result<Response, AppError> {
    admin_only(&user)?;
    page(&OrganPage {
        layout: organ_layout(&user, "Nytt organ"),
        organ_id: None,
        version: 0,
        input: OrganInput {
            review_days: "7".into(),
            agenda_closing_days: "10".into(),
            ..OrganInput::default()
        },
        errors: FormErrors::none(),
        saved: None,
    })
}

async fn organ_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let mut conn = state.pool.acquire().await?;
    let organ = db::organs::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    page(&OrganPage {
        layout: organ_layout(&user, &organ.name),
        organ_id: Some(organ.id),
        version: organ.version,
        input: input_of(&organ),
        errors: FormErrors::none(),
        saved: None,
    })
}

fn input_of(organ: &Organ) -> OrganInput {
    OrganInput {
        name: organ.name.clone(),
        diarium_prefix: organ.diarium_prefix.clone(),
        administration: organ.administration.clone(),
        delegation_allowed: organ.delegation_allowed,
        review_days: organ.review_days.to_string(),
        agenda_closing_days: organ.agenda_closing_days.to_string(),
    }
}

#[derive(Deserialize)]
struct OrganForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    diarium_prefix: String,
    #[serde(default)]
    administration: String,
    #[serde(default)]
    delegation_allowed: Option<String>,
    #[serde(default)]
    review_days: String,
    #[serde(default)]
    agenda_closing_days: String,
    #[serde(default)]
    version: Option<i32>,
}

impl OrganForm {
    fn input(&self) -> OrganInput {
        OrganInput {
            name: self.name.clone(),
            diarium_prefix: self.diarium_prefix.clone(),
            administration: self.administration.clone(),
            delegation_allowed: self.delegation_allowed.is_some(),
            review_days: self.review_days.clone(),
            agenda_closing_days: self.agenda_closing_days.clone(),
        }
    }
}

async fn create_organ(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<OrganForm>,
) -> Result<Response, AppError> {
    let input = form.input();
    let actor = user.actor();
    match app::admin::create_organ(&state.ctx, Origin::Admin(&actor), &input).await {
        Ok(_) => Ok(Redirect::to("/admin/organ").into_response()),
        Err(app::Error::Invalid(errors)) => {
            let page = OrganPage {
                layout: organ_layout(&user, "Nytt organ"),
                organ_id: None,
                version: 0,
                input,
                errors: errors.into(),
                saved: None,
            };
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, "/admin/organ")),
    }
}

async fn update_organ(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<OrganForm>,
) -> Result<Response, AppError> {
    let input = form.input();
    let based_on = form.version.unwrap_or(0);
    let updated = app::admin::update_organ(&state.ctx, &user.actor(), id, based_on, &input).await;
    let (status, errors, current) = match updated {
        Ok(OrganUpdated::Saved) => return Ok(Redirect::to("/admin/organ").into_response()),
        Ok(OrganUpdated::Stale { current }) => (StatusCode::CONFLICT, FieldErrors::new(), *current),
        Err(app::Error::Invalid(errors)) => {
            let mut conn = state.pool.acquire().await?;
            let current = db::organs::get(&mut conn, id)
                .await?
                .ok_or(AppError::NotFound)?;
            (StatusCode::UNPROCESSABLE_ENTITY, errors, current)
        }
        Err(refusal) => return Err(refused(refusal, "/admin/organ")),
    };
    let stale = status == StatusCode::CONFLICT;
    let page = OrganPage {
        layout: organ_layout(&user, &current.name),
        organ_id: Some(id),
        version: if stale { current.version } else { based_on },
        saved: stale.then(|| input_of(&current)),
        input,
        errors: errors.into(),
    };
    page_with_status(status, &page)
}
