//! The only place with SQL. Functions take `&mut PgConnection` so that the caller
//! owns the transaction: a change and its audit event commit together.

pub mod audit;
pub mod cases;
pub mod decisions;
pub mod demo;
mod demo_reference;
pub mod diarium;
pub mod login_failures;
pub mod meetings;
pub mod organs;
pub mod referrals;
pub mod reports;
pub mod reviews;
pub mod search;
pub mod sessions;
pub mod users;
pub mod work;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgConnection, PgPool};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub async fn connect(options: PgConnectOptions, max_connections: u32) -> sqlx::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect_with(options)
        .await
}

/// Whether the database answers, for `/healthz`.
pub async fn ping(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query_scalar!("SELECT 1 AS \"one!\"")
        .fetch_one(conn)
        .await?;
    Ok(())
}

/// The name of the constraint a statement broke, if it broke one.
pub fn violated_constraint(error: &sqlx::Error) -> Option<&str> {
    match error {
        sqlx::Error::Database(db) => db.constraint(),
        _ => None,
    }
}

/// Sessions past their expiry (the store ignores them; this frees the space).
pub async fn delete_expired_sessions(conn: &mut PgConnection) -> sqlx::Result<u64> {
    let done = sqlx::query!("DELETE FROM sessions WHERE expires_at < now()")
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
