//! Administration: accounts (with how they sign in, and the import of a list),
//! their roles, organs. Administrators only, except where an account or organ is
//! made before any administrator exists (the command line, the demo city).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Actor, Context, Error, Result, commit, transaction};
use crate::db;
use crate::db::audit::{self, NewEvent};
use crate::db::oidc::SignInDetails;
use crate::db::organs::Organ;
use crate::domain::audit::{AuditAction, OrganFields, RoleChanged, UserCreated};
use crate::domain::organ::{self, OrganDetails, OrganInput};
use crate::domain::sign_in::{self, SignInFields};
use crate::domain::user::{self, NewUser, UserInput};
use crate::domain::user_import::{self, ImportRow, LineError};
use crate::domain::{FieldErrors, Role};

/// Who makes an account or an organ.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// An administrator, on the admin pages.
    Admin(&'a Actor),
    /// An administrator importing a list of accounts.
    Import(&'a Actor),
    /// `remiss user add`: typically the first administrator of a new database,
    /// who may have no organ (there may be none yet).
    CommandLine,
    /// The demo city's accounts, marked so that the login page shows their
    /// password while they exist.
    Demo,
}

impl Origin<'_> {
    fn require_admin(self) -> Result<()> {
        match self {
            Origin::Admin(actor) | Origin::Import(actor) => actor.require(actor.is_admin),
            Origin::CommandLine | Origin::Demo => Ok(()),
        }
    }

    fn actor_id(self) -> Option<Uuid> {
        match self {
            Origin::Admin(actor) | Origin::Import(actor) => Some(actor.user_id),
            Origin::CommandLine | Origin::Demo => None,
        }
    }

    /// How the account came to be, for its audit event.
    fn via(self) -> Option<&'static str> {
        match self {
            Origin::Admin(_) => None,
            Origin::Import(_) => Some("import"),
            Origin::CommandLine => Some("command line"),
            Origin::Demo => Some("demo"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct CreatedUser {
    pub id: Uuid,
    /// As stored: trimmed, lower case.
    pub username: String,
}

/// Creates an account. With single sign-on configured (`sso`), an account with
/// an e-mail address or a subject at the identity provider needs no password.
/// A password is hashed before the transaction begins, so no connection is held
/// through the hashing.
pub async fn create_user(
    ctx: &Context,
    by: Origin<'_>,
    input: &UserInput,
    sso: bool,
) -> Result<CreatedUser> {
    let new = {
        let mut conn = ctx.pool.acquire().await?;
        validate_user(&mut conn, by, input, sso).await?
    };
    let hash = match &new.password {
        Some(password) => Some(crate::password::hash(password.clone()).await?),
        None => None,
    };
    transaction!(ctx, create_user_in, by, &new, hash.as_deref())
}

/// The account as it will be stored, or why not.
pub async fn validate_user(
    conn: &mut PgConnection,
    by: Origin<'_>,
    input: &UserInput,
    sso: bool,
) -> Result<NewUser> {
    by.require_admin()?;
    let known: Vec<Uuid> = db::organs::list(conn)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    Ok(match by {
        Origin::CommandLine => user::validate_first_admin(input, &known)?,
        Origin::Admin(_) | Origin::Import(_) | Origin::Demo => {
            user::validate_new(input, &known, sso)?
        }
    })
}

/// Stores a validated account with the hash of its password, if it has one.
pub async fn create_user_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    by: Origin<'_>,
    new: &NewUser,
    password_hash: Option<&str>,
) -> Result<CreatedUser> {
    by.require_admin()?;
    let id = Uuid::new_v4();
    let demo = matches!(by, Origin::Demo);
    if let Err(error) = db::users::insert(conn, id, new, password_hash, demo).await {
        return Err(account_uniqueness(error));
    }
    let created = UserCreated {
        username: new.username.clone(),
        display_name: new.display_name.clone(),
        title: new.title.clone(),
        organ_id: new.organ_id,
        admin: new.is_admin,
        email: new.email.clone(),
        oidc_subject: new.oidc_subject.clone(),
        password: password_hash.is_some(),
        via: by.via(),
    };
    audit::record(
        conn,
        NewEvent {
            after: Some(audit::details(&created)),
            at: Some(at),
            ..NewEvent::new(by.actor_id(), AuditAction::UserCreated, id)
        },
    )
    .await?;
    Ok(CreatedUser {
        id,
        username: new.username.clone(),
    })
}

/// A username, e-mail address or subject another account already has, as a
/// message beside its field.
fn account_uniqueness(error: sqlx::Error) -> Error {
    match db::violated_constraint(&error) {
        Some("users_username_key") => Error::invalid("username", "Användarnamnet är upptaget."),
        Some("users_email_key") => {
            Error::invalid("email", "E-postadressen används redan av ett annat konto.")
        }
        Some("users_oidc_subject_key") => {
            Error::invalid("oidc_subject", "Id:t används redan av ett annat konto.")
        }
        _ => error.into(),
    }
}

#[derive(Debug, Clone)]
pub enum SignInChanged {
    Saved,
    /// Someone changed them in between (perhaps a first sign-in linked the
    /// account): nothing was overwritten.
    Stale {
        current: SignInDetails,
    },
}

/// Sets an account's e-mail address and its subject at the identity provider,
/// as typed, if they are still `seen` (what the administrator's form showed). A
/// changed subject ends the account's link to its identity at the provider, and
/// its sessions: the next sign-in links it again, by the new subject or the
/// e-mail address.
pub async fn change_sign_in(
    ctx: &Context,
    actor: &Actor,
    user_id: Uuid,
    seen: &SignInFields,
    email: &str,
    oidc_subject: &str,
) -> Result<SignInChanged> {
    transaction!(
        ctx,
        change_sign_in_in,
        actor,
        user_id,
        seen,
        email,
        oidc_subject
    )
}

pub async fn change_sign_in_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    user_id: Uuid,
    seen: &SignInFields,
    email: &str,
    oidc_subject: &str,
) -> Result<SignInChanged> {
    actor.require(actor.is_admin)?;
    let current = db::oidc::details(conn, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut errors = FieldErrors::new();
    let wanted = sign_in::validate_fields(&mut errors, email, oidc_subject);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let changed = db::oidc::change(
        conn,
        user_id,
        (seen.email.as_deref(), seen.oidc_subject.as_deref()),
        wanted.email.as_deref(),
        wanted.oidc_subject.as_deref(),
    )
    .await
    .map_err(account_uniqueness)?;
    if !changed {
        return Ok(SignInChanged::Stale { current });
    }
    let before = SignInFields {
        email: current.email,
        oidc_subject: current.oidc_subject,
    };
    if before != wanted {
        audit::record(
            conn,
            NewEvent {
                before: Some(audit::details(&before)),
                after: Some(audit::details(&wanted)),
                at: Some(at),
                ..NewEvent::new(Some(actor.user_id), AuditAction::UserSignInChanged, user_id)
            },
        )
        .await?;
    }
    Ok(SignInChanged::Saved)
}

#[derive(Debug, Clone)]
pub enum Imported {
    /// Every account of the list, created with its roles.
    Created(Vec<ImportRow>),
    /// Nothing was created: what is wrong, line by line.
    Refused(Vec<LineError>),
}

/// Creates every account of a list (see `domain::user_import`) in one
/// transaction, each with its roles and audit events, or none when any line is
/// wrong. The accounts get no password: they sign in through the identity
/// provider, linked by their e-mail address.
pub async fn import_users(ctx: &Context, actor: &Actor, list: &str) -> Result<Imported> {
    let (mut tx, now) = ctx.begin().await?;
    let imported = import_users_in(&mut tx, now, actor, list).await?;
    // A refusal may come after a failed insert: nothing of it is kept.
    if let Imported::Created(_) = imported {
        tx.commit().await?;
    }
    Ok(imported)
}

pub async fn import_users_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    list: &str,
) -> Result<Imported> {
    actor.require(actor.is_admin)?;
    let prefixes: HashMap<String, Uuid> = db::organs::list(conn)
        .await?
        .into_iter()
        .map(|o| (o.diarium_prefix.to_string(), o.id))
        .collect();
    let rows = match user_import::parse(list, &prefixes) {
        Ok(rows) => rows,
        Err(problems) => return Ok(Imported::Refused(problems)),
    };
    let usernames: Vec<String> = rows.iter().map(|r| r.username.clone()).collect();
    let emails: Vec<String> = rows.iter().map(|r| r.email.clone()).collect();
    let (taken_usernames, taken_emails) = db::oidc::taken(conn, &usernames, &emails).await?;
    let problems = user_import::taken(&rows, &taken_usernames, &taken_emails);
    if !problems.is_empty() {
        return Ok(Imported::Refused(problems));
    }
    for row in &rows {
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
        let created = match create_user_in(conn, at, Origin::Import(actor), &new, None).await {
            Ok(created) => created,
            // Taken by another account since the check above.
            Err(Error::Invalid(_)) => {
                return Ok(Imported::Refused(vec![LineError {
                    line: row.line,
                    message: "användarnamnet eller e-postadressen togs nyss av ett annat konto."
                        .into(),
                }]));
            }
            Err(error) => return Err(error),
        };
        for &role in &row.roles {
            change_role_in(conn, at, actor, created.id, row.organ_id, role, true).await?;
        }
    }
    Ok(Imported::Created(rows))
}

/// Gives (`give`) or takes away a role in an organ; nothing is recorded when the
/// account already had it, or did not.
pub async fn change_role(
    ctx: &Context,
    actor: &Actor,
    user_id: Uuid,
    organ_id: Uuid,
    role: Role,
    give: bool,
) -> Result<()> {
    transaction!(ctx, change_role_in, actor, user_id, organ_id, role, give)
}

pub async fn change_role_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    user_id: Uuid,
    organ_id: Uuid,
    role: Role,
    give: bool,
) -> Result<()> {
    actor.require(actor.is_admin)?;
    db::users::get(conn, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    if !Role::GRANTABLE.contains(&role) || db::organs::get(conn, organ_id).await?.is_none() {
        return Err(Error::invalid(
            "role",
            "Välj en roll och ett organ som finns.",
        ));
    }
    let changed = if give {
        db::users::add_role(conn, user_id, organ_id, role).await?
    } else {
        db::users::remove_role(conn, user_id, organ_id, role).await?
    };
    if changed {
        let action = if give {
            AuditAction::UserRoleGiven
        } else {
            AuditAction::UserRoleTaken
        };
        audit::record(
            conn,
            NewEvent {
                after: Some(audit::details(&RoleChanged { organ_id, role })),
                at: Some(at),
                ..NewEvent::new(Some(actor.user_id), action, user_id)
            },
        )
        .await?;
    }
    Ok(())
}

/// Activates or deactivates an account (which ends its sessions). An
/// administrator cannot lock themself out.
pub async fn set_active(ctx: &Context, actor: &Actor, user_id: Uuid, active: bool) -> Result<()> {
    actor.require(actor.is_admin && (active || user_id != actor.user_id))?;
    let (mut tx, now) = ctx.begin().await?;
    db::users::get(&mut tx, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    if db::users::set_active(&mut tx, user_id, active).await? {
        let action = if active {
            AuditAction::UserActivated
        } else {
            AuditAction::UserDeactivated
        };
        let event = NewEvent {
            at: Some(now),
            ..NewEvent::new(Some(actor.user_id), action, user_id)
        };
        audit::record(&mut tx, event).await?;
    }
    commit(tx, ()).await
}

pub async fn create_organ(ctx: &Context, by: Origin<'_>, input: &OrganInput) -> Result<Uuid> {
    let created = transaction!(ctx, create_organ_in, by, input);
    // This instance's pages show it at once, the others' within the cache's time.
    ctx.organs.forget();
    created
}

pub async fn create_organ_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    by: Origin<'_>,
    input: &OrganInput,
) -> Result<Uuid> {
    by.require_admin()?;
    let details = organ::validate(input)?;
    let id = Uuid::new_v4();
    if let Err(error) = db::organs::insert(conn, id, &details).await {
        return Err(organ_uniqueness(error));
    }
    audit::record(
        conn,
        NewEvent {
            after: Some(audit::details(&organ_fields(&details))),
            at: Some(at),
            ..NewEvent::new(by.actor_id(), AuditAction::OrganCreated, id)
        },
    )
    .await?;
    Ok(id)
}

#[derive(Debug, Clone)]
pub enum OrganUpdated {
    Saved,
    /// Someone saved in between: nothing was overwritten.
    Stale {
        current: Box<Organ>,
    },
}

/// Saves an edit of an organ made on `version` of it.
pub async fn update_organ(
    ctx: &Context,
    actor: &Actor,
    organ_id: Uuid,
    version: i32,
    input: &OrganInput,
) -> Result<OrganUpdated> {
    actor.require(actor.is_admin)?;
    let (mut tx, now) = ctx.begin().await?;
    let current = db::organs::get(&mut tx, organ_id)
        .await?
        .ok_or(Error::NotFound)?;
    let details = organ::validate(input)?;
    match db::organs::update(&mut tx, organ_id, version, &details).await {
        Ok(true) => {}
        Ok(false) => {
            return Ok(OrganUpdated::Stale {
                current: Box::new(current),
            });
        }
        Err(error) => return Err(organ_uniqueness(error)),
    }
    let before = OrganFields {
        name: current.name,
        diarium_prefix: current.diarium_prefix,
        administration: current.administration,
        delegation_allowed: current.delegation_allowed,
        review_days: current.review_days,
        agenda_closing_days: current.agenda_closing_days,
    };
    audit::record(
        &mut tx,
        NewEvent {
            before: Some(audit::details(&before)),
            after: Some(audit::details(&organ_fields(&details))),
            at: Some(now),
            ..NewEvent::new(Some(actor.user_id), AuditAction::OrganUpdated, organ_id)
        },
    )
    .await?;
    let saved = commit(tx, OrganUpdated::Saved).await;
    ctx.organs.forget();
    saved
}

fn organ_fields(details: &OrganDetails) -> OrganFields {
    OrganFields {
        name: details.name.clone(),
        diarium_prefix: details.diarium_prefix.as_str().to_string(),
        administration: details.administration.clone(),
        delegation_allowed: details.delegation_allowed,
        review_days: details.review_days,
        agenda_closing_days: details.agenda_closing_days,
    }
}

/// A name or prefix another organ already has, as a message beside its field.
fn organ_uniqueness(error: sqlx::Error) -> Error {
    let mut errors = FieldErrors::new();
    match db::violated_constraint(&error) {
        Some("organs_name_key") => errors.add("name", "Det finns redan ett organ med det namnet."),
        Some("organs_diarium_prefix_key") => errors.add(
            "diarium_prefix",
            "Ett annat organ har redan det diarieprefixet.",
        ),
        _ => return error.into(),
    }
    Error::Invalid(errors)
}
