//! Administration: users, their roles, organs. Administrators only.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::form::CsrfForm;
use super::session::CurrentUser;
use super::views::{FormErrors, Layout, page, page_with_status};
use super::{AppError, AppState};
use crate::db::audit::{self, NewEvent};
use crate::db::organs::Organ;
use crate::db::users::{OrganRole, UserSummary};
use crate::db::{self, violated_constraint};
use crate::domain::organ::{self, OrganInput};
use crate::domain::user::{self, UserInput};
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

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

/// The roles an administrator can give: the workflow's roles in an organ.
const GRANTABLE: [Role; 4] = [
    Role::Registrar,
    Role::Officer,
    Role::Reviewer,
    Role::Secretary,
];

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
    admin_only(&user)?;
    let mut conn = state.pool.acquire().await?;
    let organs = db::organs::list(&mut conn).await?;
    drop(conn);
    let known: Vec<Uuid> = organs.iter().map(|o| o.id).collect();
    let input = UserInput {
        username: form.username,
        display_name: form.display_name,
        title: form.title,
        organ: form.organ,
        is_admin: form.is_admin.is_some(),
        password: form.password,
        email: form.email,
        oidc_subject: form.oidc_subject,
    };
    let sign_in = super::admin_sign_in::SignInOptions::of(&state);
    let refuse = |errors: FieldErrors, mut input: UserInput, organs: Vec<Organ>| {
        input.password.clear();
        let page = NewUserPage {
            layout: new_user_layout(&user),
            input,
            organs,
            errors: errors.into(),
            sign_in: sign_in.clone(),
        };
        page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let new = match user::validate_new(&input, &known, sign_in.sso_name.is_some()) {
        Ok(new) => new,
        Err(errors) => return refuse(errors, input, organs),
    };
    let hash = match &new.password {
        Some(password) => Some(crate::password::hash(password.clone()).await?),
        None => None,
    };
    let id = Uuid::new_v4();
    let mut tx = db::begin(&state.pool).await?;
    if let Err(error) = db::users::insert(&mut tx, id, &new, hash.as_deref(), false).await {
        let taken = match violated_constraint(&error) {
            Some("users_username_key") => Some(("username", "Användarnamnet är upptaget.")),
            other => super::admin_sign_in::taken_message(other),
        };
        if let Some((field, message)) = taken {
            let mut errors = FieldErrors::new();
            errors.add(field, message);
            return refuse(errors, input, organs);
        }
        return Err(error.into());
    }
    audit::record(
        &mut tx,
        NewEvent {
            after: Some(json!({
                "username": new.username, "display_name": new.display_name, "title": new.title,
                "organ_id": new.organ_id, "admin": new.is_admin,
                "email": new.email, "oidc_subject": new.oidc_subject,
                "password": new.password.is_some(),
            })),
            ..NewEvent::new(Some(user.id()), "user.created", "user", id)
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/anvandare/{id}")).into_response())
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
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let id = parse_id(&id)?;
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
        grantable: GRANTABLE,
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

/// Parses a role change; an organ or role that does not exist is a bad request
/// (the form only offers real ones).
async fn role_change(state: &AppState, form: &RoleForm) -> Result<(Uuid, Role), AppError> {
    let role = Role::parse(&form.role)
        .filter(|r| GRANTABLE.contains(r))
        .ok_or(AppError::BadRequest("unknown role"))?;
    let organ_id =
        Uuid::parse_str(&form.organ).map_err(|_| AppError::BadRequest("unknown organ"))?;
    let mut conn = state.pool.acquire().await?;
    db::organs::get(&mut conn, organ_id)
        .await?
        .ok_or(AppError::BadRequest("unknown organ"))?;
    Ok((organ_id, role))
}

async fn add_role(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response, AppError> {
    change_role(state, user, id, form, true).await
}

async fn remove_role(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response, AppError> {
    change_role(state, user, id, form, false).await
}

async fn change_role(
    state: AppState,
    user: CurrentUser,
    id: String,
    form: RoleForm,
    give: bool,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let id = parse_id(&id)?;
    let (organ_id, role) = role_change(&state, &form).await?;
    let mut tx = db::begin(&state.pool).await?;
    db::users::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let changed = if give {
        db::users::add_role(&mut tx, id, organ_id, role).await?
    } else {
        db::users::remove_role(&mut tx, id, organ_id, role).await?
    };
    if changed {
        let action = if give {
            "user.role_given"
        } else {
            "user.role_taken"
        };
        audit::record(
            &mut tx,
            NewEvent {
                after: Some(json!({ "organ_id": organ_id, "role": role.as_str() })),
                ..NewEvent::new(Some(user.id()), action, "user", id)
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/anvandare/{id}")).into_response())
}

#[derive(Deserialize)]
struct ActiveForm {
    #[serde(default)]
    active: String,
}

async fn set_active(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActiveForm>,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let id = parse_id(&id)?;
    let active = match form.active.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::BadRequest("active must be true or false")),
    };
    // An administrator cannot lock themself out.
    if id == user.id() && !active {
        return Err(AppError::Forbidden);
    }
    let mut tx = db::begin(&state.pool).await?;
    db::users::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if db::users::set_active(&mut tx, id, active).await? {
        let action = if active {
            "user.activated"
        } else {
            "user.deactivated"
        };
        audit::record(&mut tx, NewEvent::new(Some(user.id()), action, "user", id)).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/anvandare/{id}")).into_response())
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
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let id = parse_id(&id)?;
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

/// A name or prefix another organ already has, as a message beside its field.
fn organ_uniqueness(error: &sqlx::Error) -> Option<FieldErrors> {
    let mut errors = FieldErrors::new();
    match violated_constraint(error)? {
        "organs_name_key" => errors.add("name", "Det finns redan ett organ med det namnet."),
        "organs_diarium_prefix_key" => errors.add(
            "diarium_prefix",
            "Ett annat organ har redan det diarieprefixet.",
        ),
        _ => return None,
    }
    Some(errors)
}

async fn create_organ(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<OrganForm>,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let input = form.input();
    let refuse = |errors: FieldErrors, input: OrganInput| {
        let page = OrganPage {
            layout: organ_layout(&user, "Nytt organ"),
            organ_id: None,
            version: 0,
            input,
            errors: errors.into(),
            saved: None,
        };
        page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let details = match organ::validate(&input) {
        Ok(details) => details,
        Err(errors) => return refuse(errors, input),
    };
    let id = Uuid::new_v4();
    let mut tx = db::begin(&state.pool).await?;
    if let Err(error) = db::organs::insert(&mut tx, id, &details).await {
        return match organ_uniqueness(&error) {
            Some(errors) => refuse(errors, input),
            None => Err(error.into()),
        };
    }
    audit::record(
        &mut tx,
        NewEvent {
            after: Some(organ_json(&details)),
            ..NewEvent::new(Some(user.id()), "organ.created", "organ", id)
        },
    )
    .await?;
    tx.commit().await?;
    state.organs.forget();
    Ok(Redirect::to("/admin/organ").into_response())
}

fn organ_json(details: &organ::OrganDetails) -> serde_json::Value {
    json!({
        "name": details.name,
        "diarium_prefix": details.diarium_prefix.as_str(),
        "administration": details.administration,
        "delegation_allowed": details.delegation_allowed,
        "review_days": details.review_days,
        "agenda_closing_days": details.agenda_closing_days,
    })
}

async fn update_organ(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<OrganForm>,
) -> Result<Response, AppError> {
    admin_only(&user)?;
    let id = parse_id(&id)?;
    let mut tx = db::begin(&state.pool).await?;
    let current = db::organs::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = form.input();
    let based_on = form.version.unwrap_or(0);
    let refuse = |status: StatusCode, errors: FieldErrors, input: OrganInput, stale: bool| {
        let page = OrganPage {
            layout: organ_layout(&user, &current.name),
            organ_id: Some(id),
            version: if stale { current.version } else { based_on },
            input,
            errors: errors.into(),
            saved: stale.then(|| input_of(&current)),
        };
        page_with_status(status, &page)
    };
    let details = match organ::validate(&input) {
        Ok(details) => details,
        Err(errors) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, errors, input, false),
    };
    match db::organs::update(&mut tx, id, based_on, &details).await {
        Ok(true) => {}
        Ok(false) => return refuse(StatusCode::CONFLICT, FieldErrors::new(), input, true),
        Err(error) => {
            return match organ_uniqueness(&error) {
                Some(errors) => refuse(StatusCode::UNPROCESSABLE_ENTITY, errors, input, false),
                None => Err(error.into()),
            };
        }
    }
    audit::record(
        &mut tx,
        NewEvent {
            before: Some(organ_json(&organ::validate(&input_of(&current)).map_err(
                |_| AppError::Internal(anyhow::anyhow!("stored organ {id} does not validate")),
            )?)),
            after: Some(organ_json(&details)),
            ..NewEvent::new(Some(user.id()), "organ.updated", "organ", id)
        },
    )
    .await?;
    tx.commit().await?;
    state.organs.forget();
    Ok(Redirect::to("/admin/organ").into_response())
}
