//! Organs: the nämnder and styrelser of the municipality.

use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::organ::OrganDetails;

#[derive(Debug, Clone, Serialize)]
pub struct Organ {
    pub id: Uuid,
    pub name: String,
    pub diarium_prefix: String,
    pub administration: String,
    pub delegation_allowed: bool,
    pub review_days: i32,
    pub agenda_closing_days: i32,
    pub version: i32,
}

pub async fn list(conn: &mut PgConnection) -> sqlx::Result<Vec<Organ>> {
    sqlx::query_as!(
        Organ,
        "SELECT id, name, diarium_prefix, administration, delegation_allowed, review_days, agenda_closing_days, version
         FROM organs ORDER BY name"
    )
    .fetch_all(conn)
    .await
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Organ>> {
    sqlx::query_as!(
        Organ,
        "SELECT id, name, diarium_prefix, administration, delegation_allowed, review_days, agenda_closing_days, version
         FROM organs WHERE id = $1",
        id
    )
    .fetch_optional(conn)
    .await
}

pub async fn find_by_prefix(conn: &mut PgConnection, prefix: &str) -> sqlx::Result<Option<Organ>> {
    sqlx::query_as!(
        Organ,
        "SELECT id, name, diarium_prefix, administration, delegation_allowed, review_days, agenda_closing_days, version
         FROM organs WHERE diarium_prefix = upper($1)",
        prefix
    )
    .fetch_optional(conn)
    .await
}

pub async fn insert(conn: &mut PgConnection, id: Uuid, organ: &OrganDetails) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO organs (id, name, diarium_prefix, administration, delegation_allowed, review_days, agenda_closing_days)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        organ.name,
        organ.diarium_prefix.as_str(),
        organ.administration,
        organ.delegation_allowed,
        organ.review_days,
        organ.agenda_closing_days,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Saves an edit made on `version`; `false` when someone else saved in between.
pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    organ: &OrganDetails,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE organs SET name = $3, diarium_prefix = $4, administration = $5,
                delegation_allowed = $6, review_days = $7, agenda_closing_days = $8, version = version + 1
         WHERE id = $1 AND version = $2",
        id,
        version,
        organ.name,
        organ.diarium_prefix.as_str(),
        organ.administration,
        organ.delegation_allowed,
        organ.review_days,
        organ.agenda_closing_days,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
