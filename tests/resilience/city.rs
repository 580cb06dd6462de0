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

/// A digest of every table that holds what people did (all but the sessions,
/// the login throttle and the migrations' own), table by table: the same
/// fingerprint before and after a request means it changed nothing.
pub async fn fingerprint(pool: &PgPool) -> Vec<(String, String)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
           AND table_name NOT IN ('sessions', 'login_failures', '_sqlx_migrations')
         ORDER BY table_name",
    )
    .fetch_all(pool)
    .await
    .expect("the tables");
    let mut digests = Vec::new();
    for table in tables {
        let digest: String = sqlx::query_scalar(&format!(
            "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
        ))
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("the digest of {table}: {e}"));
        digests.push((table, digest));
    }
    digests
}

/// The tables whose digest differs between two fingerprints.
pub fn changed(before: &[(String, String)], after: &[(String, String)]) -> Vec<String> {
    after
        .iter()
        .filter(|(table, digest)| {
            before
                .iter()
                .find(|(t, _)| t == table)
                .is_none_or(|(_, d)| d != digest)
        })
        .map(|(table, _)| table.clone())
        .collect()
}
