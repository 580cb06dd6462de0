//! The demo city as the tests find it in the database.

use sqlx::PgPool;
use uuid::Uuid;

pub async fn organ_id(pool: &PgPool, prefix: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM organs WHERE diarium_prefix = $1")
        .bind(prefix)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("the organ {prefix}: {e}"))
}

pub async fn user_id(pool: &PgPool, username: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("the user {username}: {e}"))
}

pub async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}
