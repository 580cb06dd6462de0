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
pub mod notices;
pub mod oidc;
pub mod organs;
pub mod outbox;
pub mod referrals;
pub mod reports;
pub mod reviews;
pub mod search;
pub mod sessions;
mod types;
pub mod users;
pub mod work;

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, Postgres, Transaction};
use tokio::sync::Semaphore;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A connection idle for longer than this is pinged before it is handed out.
const TEST_IF_IDLE_FOR: Duration = Duration::from_secs(30);

/// How the pool serves requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSettings {
    pub max_connections: u32,
    /// How long a request waits for a free connection before it gives up (and is
    /// answered 503): a stalled or overloaded database is told at once.
    pub acquire_timeout: Duration,
    /// Every statement on the pool's connections is cancelled by PostgreSQL past
    /// this; jobs that need longer say so in their transaction ([`allow_long_statements`]).
    pub statement_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(3),
            statement_timeout: Duration::from_secs(5),
        }
    }
}

pub async fn connect(options: PgConnectOptions, settings: &PoolSettings) -> sqlx::Result<PgPool> {
    let options = options.options([(
        "statement_timeout",
        format!("{}ms", settings.statement_timeout.as_millis()),
    )]);
    PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
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

/// Applies the migrations on a connection of their own, outside the requests'
/// statement timeout: building an index on a large table takes longer.
pub async fn migrate(options: &PgConnectOptions) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect_with(options).await?;
    MIGRATOR.run(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// Lifts the statement timeout for the rest of this transaction, for a job (not a
/// request) that may take longer: housekeeping, loading the demo city.
pub async fn allow_long_statements(tx: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query_scalar!("SELECT set_config('statement_timeout', '10min', true)")
        .fetch_one(tx)
        .await?;
    Ok(())
}

/// Whether an error means the database cannot serve now (down, restarting,
/// overloaded, a statement past its timeout), so that trying again later may
/// work: answered 503 with Retry-After, not 500.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // Class 08: connection exceptions; 53: insufficient resources;
            // 57014: cancelled (the statement timeout); 57P01-57P03: shutting down,
            // crashed, starting up; 40001/40P01: serialisation failure, deadlock.
            code.starts_with("08")
                || code.starts_with("53")
                || code.starts_with("57")
                || code == "40001"
                || code == "40P01"
        }),
        _ => false,
    }
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
    begin_with(pool, None).await
}

/// [`begin`], with `statement` (one or more, sent at once) instead of `BEGIN`.
async fn begin_with(
    pool: &PgPool,
    statement: Option<&'static str>,
) -> sqlx::Result<Transaction<'static, Postgres>> {
    let pool = pool.clone();
    let begun = tokio::spawn(async move {
        match statement {
            Some(statement) => pool.begin_with(statement).await,
            None => pool.begin().await,
        }
    });
    match begun.await {
        Ok(begun) => begun,
        Err(failed) if failed.is_panic() => std::panic::resume_unwind(failed.into_panic()),
        // The runtime is shutting down.
        Err(_) => Err(sqlx::Error::PoolClosed),
    }
}

/// A transaction whose running statement PostgreSQL is told to cancel when the
/// request that holds it is dropped, as axum does when the client goes away.
/// Dropping the future is all sqlx does: the backend would run the statement on
/// to its end (or its timeout), and the connection would stay out of the pool
/// until then. For the statements a visitor can make expensive: searches.
pub struct CancellableTransaction {
    tx: Transaction<'static, Postgres>,
    guard: CancelOnDrop,
}

/// A [`CancellableTransaction`] for a search. Its statements are planned for
/// their parameters: how to find the newest matches depends on how common the
/// words are (walk the newest rows for a common word, the GIN index for a rare
/// one), which a generic plan cannot know; and a parallel plan's start-up costs
/// more than these statements take. The settings go with `BEGIN`, in its round
/// trip, and end with the transaction.
pub async fn begin_search(pool: &PgPool) -> sqlx::Result<CancellableTransaction> {
    let tx = begin_with(
        pool,
        Some(
            "BEGIN; SELECT set_config('plan_cache_mode', 'force_custom_plan', true), \
             set_config('max_parallel_workers_per_gather', '0', true)",
        ),
    )
    .await?;
    cancellable(pool, tx).await
}

/// A transaction whose statements keep one generic plan, for a statement whose
/// best plan does not depend on its parameters but whose optional filters keep
/// PostgreSQL planning it anew for every call (the diarienummer lookup, see
/// [`search::by_number`]). As in [`begin_search`], no parallel plan: starting
/// its workers took 3 ms, thirty times the lookup. The settings go with `BEGIN`,
/// in its round trip, and end with the transaction.
pub async fn begin_generic(pool: &PgPool) -> sqlx::Result<Transaction<'static, Postgres>> {
    begin_with(
        pool,
        Some(
            "BEGIN; SELECT set_config('plan_cache_mode', 'force_generic_plan', true), \
             set_config('max_parallel_workers_per_gather', '0', true)",
        ),
    )
    .await
}

async fn cancellable(
    pool: &PgPool,
    mut tx: Transaction<'static, Postgres>,
) -> sqlx::Result<CancellableTransaction> {
    let backend = sqlx::query!(r#"SELECT pg_backend_pid() AS "pid!", now() AS "began!""#)
        .fetch_one(&mut *tx)
        .await?;
    Ok(CancellableTransaction {
        tx,
        guard: CancelOnDrop {
            pool: pool.clone(),
            backend: Some((backend.pid, backend.began)),
        },
    })
}

impl CancellableTransaction {
    pub async fn commit(self) -> sqlx::Result<()> {
        let CancellableTransaction { tx, mut guard } = self;
        guard.backend = None;
        tx.commit().await
    }
}

impl Deref for CancellableTransaction {
    type Target = Transaction<'static, Postgres>;

    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl DerefMut for CancellableTransaction {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// At most this many cancellations are sent at once, each from a connection of its
/// own (the pool may be exhausted, which is when it matters); beyond, the
/// statement timeout ends the statement.
static CANCELLERS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(2)));

struct CancelOnDrop {
    pool: PgPool,
    /// The backend's process id and its transaction's start, which together name
    /// this transaction and no later one on the same connection.
    backend: Option<(i32, DateTime<Utc>)>,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        let Some((pid, began)) = self.backend.take() else {
            return;
        };
        let Ok(permit) = CANCELLERS.clone().try_acquire_owned() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let options = self.pool.connect_options();
        runtime.spawn(async move {
            let _permit = permit;
            let cancel = async {
                let mut conn = PgConnection::connect_with(&options).await?;
                // Only while that transaction still runs a statement.
                let cancelled = sqlx::query_scalar!(
                    r#"SELECT pg_cancel_backend(pid) AS "cancelled!" FROM pg_stat_activity
                       WHERE pid = $1 AND xact_start = $2 AND state = 'active'"#,
                    pid,
                    began
                )
                .fetch_optional(&mut conn)
                .await?;
                conn.close().await?;
                Ok::<bool, sqlx::Error>(cancelled.unwrap_or(false))
            };
            match cancel.await {
                Ok(true) => tracing::info!(pid, "cancelled the statement of a dropped request"),
                Ok(false) => {}
                Err(error) => tracing::warn!(
                    pid,
                    "could not cancel a dropped request's statement: {error}"
                ),
            }
        });
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
