//! The connection pool when a request is dropped half-way (a client that
//! disconnects makes axum drop the handler's future).

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_request_dropped_while_beginning_leaves_no_transaction_on_its_connection(pool: PgPool) {
    // One connection, handed out without a ping, so that a begin sends its BEGIN
    // at once and the next acquire gets the same connection back.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .connect_with(pool.connect_options().as_ref().clone())
        .await
        .expect("pool");
    // Dropped after one to four polls: with sqlx's own `begin` several of these
    // leave the connection inside the dropped transaction.
    let mut stale = Vec::new();
    for attempt in 0..40 {
        drop(pool.acquire().await.expect("connection"));
        while pool.num_idle() == 0 {
            tokio::task::yield_now().await;
        }
        {
            let mut begin = pin!(remiss::db::begin(&pool));
            for _ in 0..=attempt % 4 {
                let poll = begin.as_mut().poll(&mut Context::from_waker(Waker::noop()));
                if poll.is_ready() {
                    break;
                }
                tokio::task::yield_now().await;
            }
        }
        let mut conn = pool.acquire().await.expect("connection");
        // SAVEPOINT is refused outside a transaction block.
        if sqlx::raw_sql("SAVEPOINT probe")
            .execute(&mut *conn)
            .await
            .is_ok()
        {
            stale.push(attempt);
            sqlx::raw_sql("ROLLBACK")
                .execute(&mut *conn)
                .await
                .expect("rollback");
        }
    }
    assert!(
        stale.is_empty(),
        "the connection came back inside the dropped request's transaction after attempts {stale:?}"
    );
}

/// The planner settings a search begins with, on its connection and only there.
async fn planner_settings(conn: &mut sqlx::PgConnection) -> (String, String) {
    sqlx::query_as(
        "SELECT current_setting('plan_cache_mode'), current_setting('max_parallel_workers_per_gather')",
    )
    .fetch_one(conn)
    .await
    .expect("settings")
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_search_plans_for_its_parameters_and_its_connection_returns_as_it_was(pool: PgPool) {
    // One connection, so that the next acquire gets the search's back.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(pool.connect_options().as_ref().clone())
        .await
        .expect("pool");
    let before = planner_settings(&mut pool.acquire().await.expect("connection")).await;
    assert_ne!(before.0, "force_custom_plan");

    let mut search = remiss::db::begin_search(&pool).await.expect("begin");
    assert_eq!(
        planner_settings(&mut search).await,
        ("force_custom_plan".to_string(), "0".to_string())
    );
    search.commit().await.expect("commit");

    let after = planner_settings(&mut pool.acquire().await.expect("connection")).await;
    assert_eq!(
        after, before,
        "the settings end with the search's transaction"
    );
}
