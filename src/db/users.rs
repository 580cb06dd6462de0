//! User accounts and their roles.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::Role;
use crate::domain::user::NewUser;

pub struct LoginCandidate {
    pub id: Uuid,
    pub password_hash: String,
    pub active: bool,
    pub session_epoch: i32,
}

pub async fn find_for_login(
    conn: &mut PgConnection,
    username: &str,
) -> sqlx::Result<Option<LoginCandidate>> {
    sqlx::query_as!(
        LoginCandidate,
        // An account without a password (single sign-on only) is not one here.
        r#"SELECT id, password_hash AS "password_hash!", active, session_epoch
           FROM users WHERE username = $1 AND password_hash IS NOT NULL"#,
        username
    )
    .fetch_optional(conn)
    .await
}

/// A role held in an organ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganRole {
    pub organ_id: Uuid,
    pub organ_name: String,
    pub role: Role,
}

/// The signed-in user as every request sees it.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub organ_id: Option<Uuid>,
    pub is_admin: bool,
    pub active: bool,
    pub session_epoch: i32,
    pub roles: Vec<OrganRole>,
}

/// A row of the `session_users` view: the account with its roles, as parallel
/// arrays in organ-name order.
#[derive(Debug, Deserialize)]
pub struct SessionUserRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub organ_id: Option<Uuid>,
    pub is_admin: bool,
    pub active: bool,
    pub session_epoch: i32,
    pub role_organs: Vec<Uuid>,
    pub role_organ_names: Vec<String>,
    pub roles: Vec<String>,
}

impl From<SessionUserRow> for SessionUser {
    fn from(row: SessionUserRow) -> SessionUser {
        SessionUser {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            organ_id: row.organ_id,
            is_admin: row.is_admin,
            active: row.active,
            session_epoch: row.session_epoch,
            roles: zip_roles(row.role_organs, row.role_organ_names, row.roles),
        }
    }
}

/// The user and all their roles. (A signed-in request gets this with its session:
/// see `db::sessions`.)
pub async fn session_user(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<SessionUser>> {
    let row = sqlx::query_as!(
        SessionUserRow,
        r#"SELECT id AS "id!", username AS "username!", display_name AS "display_name!", organ_id,
                  is_admin AS "is_admin!", active AS "active!", session_epoch AS "session_epoch!",
                  role_organs AS "role_organs!", role_organ_names AS "role_organ_names!", roles AS "roles!"
           FROM session_users WHERE id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(SessionUser::from))
}

fn zip_roles(organs: Vec<Uuid>, names: Vec<String>, roles: Vec<String>) -> Vec<OrganRole> {
    organs
        .into_iter()
        .zip(names)
        .zip(roles)
        .filter_map(|((organ_id, organ_name), role)| {
            Role::parse(&role).map(|role| OrganRole {
                organ_id,
                organ_name,
                role,
            })
        })
        .collect()
}

pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    user: &NewUser,
    password_hash: Option<&str>,
    demo: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO users (id, username, display_name, title, organ_id, is_admin, password_hash, demo, email, oidc_subject)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        id,
        user.username,
        user.display_name,
        user.title,
        user.organ_id,
        user.is_admin,
        password_hash,
        demo,
        user.email,
        user.oidc_subject,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct UserSummary {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub title: String,
    pub organ_name: Option<String>,
    pub is_admin: bool,
    pub active: bool,
    pub email: Option<String>,
}

pub async fn list(conn: &mut PgConnection) -> sqlx::Result<Vec<UserSummary>> {
    sqlx::query_as!(
        UserSummary,
        r#"SELECT u.id, u.username, u.display_name, u.title, o.name AS "organ_name?", u.is_admin, u.active, u.email
           FROM users u LEFT JOIN organs o ON o.id = u.organ_id
           ORDER BY u.active DESC, u.display_name"#
    )
    .fetch_all(conn)
    .await
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<UserSummary>> {
    sqlx::query_as!(
        UserSummary,
        r#"SELECT u.id, u.username, u.display_name, u.title, o.name AS "organ_name?", u.is_admin, u.active, u.email
           FROM users u LEFT JOIN organs o ON o.id = u.organ_id
           WHERE u.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Gives a role; `false` when the user already held it.
pub async fn add_role(
    conn: &mut PgConnection,
    user_id: Uuid,
    organ_id: Uuid,
    role: Role,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "INSERT INTO user_roles (user_id, organ_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        user_id,
        organ_id,
        role.as_str(),
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes a role away; `false` when the user did not hold it.
pub async fn remove_role(
    conn: &mut PgConnection,
    user_id: Uuid,
    organ_id: Uuid,
    role: Role,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "DELETE FROM user_roles WHERE user_id = $1 AND organ_id = $2 AND role = $3",
        user_id,
        organ_id,
        role.as_str(),
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Activates or deactivates; deactivation ends every session of the user by
/// moving the session epoch on. `false` when nothing changed.
pub async fn set_active(conn: &mut PgConnection, id: Uuid, active: bool) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE users SET active = $2, session_epoch = session_epoch + CASE WHEN $2 THEN 0 ELSE 1 END
         WHERE id = $1 AND active <> $2",
        id,
        active
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets a new password and ends every session made with the old one; returns the
/// new session epoch.
pub async fn set_password(
    conn: &mut PgConnection,
    id: Uuid,
    password_hash: &str,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "UPDATE users SET password_hash = $2, demo = false, session_epoch = session_epoch + 1
         WHERE id = $1 RETURNING session_epoch",
        id,
        password_hash
    )
    .fetch_optional(conn)
    .await
}

pub async fn password_hash(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        r#"SELECT password_hash AS "password_hash!" FROM users WHERE id = $1 AND password_hash IS NOT NULL"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Whether demo accounts with the published password still exist.
pub async fn demo_accounts_present(conn: &mut PgConnection) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE demo AND active) AS "present!""#
    )
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Colleague {
    pub id: Uuid,
    pub display_name: String,
    pub title: String,
}

/// Active users holding `role` in an organ.
pub async fn with_role(
    conn: &mut PgConnection,
    organ_id: Uuid,
    role: Role,
) -> sqlx::Result<Vec<Colleague>> {
    sqlx::query_as!(
        Colleague,
        "SELECT u.id, u.display_name, u.title FROM users u
         JOIN user_roles r ON r.user_id = u.id
         WHERE r.organ_id = $1 AND r.role = $2 AND u.active
         ORDER BY u.display_name",
        organ_id,
        role.as_str(),
    )
    .fetch_all(conn)
    .await
}
