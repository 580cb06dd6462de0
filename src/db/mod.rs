//! The only place with SQL. Functions take `&mut PgConnection` so that the caller
//! owns the transaction: a change and its audit event commit together.

pub mod audit;
pub mod blobs;
pub mod cases;
pub mod decisions;
pub mod diarium;
pub mod documents;
pub mod login_failures;
pub mod meetings;
pub mod organs;
pub mod referrals;
pub mod reports;
pub mod reviews;
pub mod search;
pub mod sessions;
mod types;
pub mod users;
pub mod work;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::time::Duration;

use sqlx::{Connection, PgConnection, PgPool, Postgres, Transaction};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A connection idle for longer than this is pinged before it is handed out.
const TEST_IF_IDLE_FOR: Duration = Duration::from_secs(30);

pub async fn connect(options: PgConnectOptions, max_connections: u32) -> sqlx::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        // sqlx pings every connection it hands out: a round trip per acquire, and a
        // request acquires two or three times (BENCHMARKS.md). Only a connection
        // that sat idle is tested; a busy one that broke fails its next statement
        // and is closed.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > TEST_IF_IDLE_FOR {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .connect_with(options)
        .await
}

/// Starts a transaction that a cancelled request cannot leave half-begun.
///
/// In sqlx 0.8.6 a future dropped while its `BEGIN` is in flight (a client that
/// disconnects, and axum drops the handler) returns the connection to the pool
/// inside a transaction the pool does not know of; its next user then works in
/// that stale transaction (launchbadge/sqlx#2805). Begun in a task of its own, the
/// `BEGIN` always completes, and a transaction nobody awaits any more is dropped
/// there, which rolls it back before the connection is used again.
pub async fn begin(pool: &PgPool) -> sqlx::Result<Transaction<'static, Postgres>> {
    let pool = pool.clone();
    match tokio::spawn(async move { pool.begin().await }).await {
        Ok(begun) => begun,
        Err(failed) if failed.is_panic() => std::panic::resume_unwind(failed.into_panic()),
        // The runtime is shutting down.
        Err(_) => Err(sqlx::Error::PoolClosed),
    }
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

/// Lets one demo loader at a time through, until its transaction ends, so that
/// two instances starting together do not both load the demo city.
pub async fn lock_demo_loader(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(7001)")
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether the database holds any organ yet (the demo goes only into an empty one).
pub async fn is_empty(conn: &mut PgConnection) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT NOT EXISTS (SELECT 1 FROM organs) AS "empty!""#)
        .fetch_one(conn)
        .await
}
