//! Administration: accounts, their roles, organs. Administrators only, except
//! where an account or organ is made before any administrator exists (the
//! command line, the demo city).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Actor, Context, Error, Result, commit, transaction};
use crate::db;
use crate::db::audit::{self, NewEvent};
use crate::db::organs::Organ;
use crate::domain::audit::{AuditAction, OrganFields, RoleChanged, UserCreated};
use crate::domain::organ::{self, OrganDetails, OrganInput};
use crate::domain::user::{self, NewUser, UserInput};
use crate::domain::{FieldErrors, Role};

/// Who makes an account or an organ.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// An administrator, on the admin pages.
    Admin(&'a Actor),
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
            Origin::Admin(actor) => actor.require(actor.is_admin),
            Origin::CommandLine | Origin::Demo => Ok(()),
        }
    }

    fn actor_id(self) -> Option<Uuid> {
        match self {
            Origin::Admin(actor) => Some(actor.user_id),
            Origin::CommandLine | Origin::Demo => None,
        }
    }
}

/// The roles an administrator can give: the workflow's roles in an organ.
pub const GRANTABLE: [Role; 4] = [
    Role::Registrar,
    Role::Officer,
    Role::Reviewer,
    Role::Secretary,
];

#[derive(Debug, Clone)]
pub struct CreatedUser {
    pub id: Uuid,
    /// As stored: trimmed, lower case.
    pub username: String,
}

/// Creates an account. The password is hashed before the transaction begins, so
/// no connection is held through the hashing.
pub async fn create_user(ctx: &Context, by: Origin<'_>, input: &UserInput) -> Result<CreatedUser> {
    let new = {
        let mut conn = ctx.pool.acquire().await?;
        validate_user(&mut conn, by, input).await?
    };
    let hash = crate::password::hash(new.password.clone()).await?;
    transaction!(ctx, create_user_in, by, &new, &hash)
}

/// The account as it will be stored, or why not.
pub async fn validate_user(
    conn: &mut PgConnection,
    by: Origin<'_>,
    input: &UserInput,
) -> Result<NewUser> {
    by.require_admin()?;
    let known: Vec<Uuid> = db::organs::list(conn)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    Ok(match by {
        Origin::CommandLine => user::validate_first_admin(input, &known)?,
        Origin::Admin(_) | Origin::Demo => user::validate_new(input, &known)?,
    })
}

/// Stores a validated account with the hash of its password.
pub async fn create_user_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    by: Origin<'_>,
    new: &NewUser,
    password_hash: &str,
) -> Result<CreatedUser> {
    by.require_admin()?;
    let id = Uuid::new_v4();
    let demo = matches!(by, Origin::Demo);
    if let Err(error) = db::users::insert(conn, id, new, password_hash, demo).await {
        return Err(match db::violated_constraint(&error) {
            Some("users_username_key") => Error::invalid("username", "Användarnamnet är upptaget."),
            _ => error.into(),
        });
    }
    let created = UserCreated {
        username: new.username.clone(),
        display_name: new.display_name.clone(),
        title: new.title.clone(),
        organ_id: new.organ_id,
        admin: new.is_admin,
        via: match by {
            Origin::Admin(_) => None,
            Origin::CommandLine => Some("command line"),
            Origin::Demo => Some("demo"),
        },
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
    if !GRANTABLE.contains(&role) || db::organs::get(conn, organ_id).await?.is_none() {
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
    transaction!(ctx, create_organ_in, by, input)
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
    commit(tx, OrganUpdated::Saved).await
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
