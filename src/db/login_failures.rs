//! Login attempts not yet forgiven by a successful login, counted per account name
//! and per client address.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Attempts in the window, each counted up to [`COUNTED_UP_TO`].
pub struct RecentAttempts {
    pub for_username: i64,
    pub for_address: i64,
}

/// Far above any limit: counting further would only let a flood of attempts make
/// each count slower.
pub const COUNTED_UP_TO: i64 = 100;

async fn count_since(
    conn: &mut PgConnection,
    username: &str,
    address: &str,
    since: DateTime<Utc>,
) -> sqlx::Result<RecentAttempts> {
    let row = sqlx::query!(
        r#"SELECT
             (SELECT count(*) FROM (SELECT FROM login_failures WHERE username = $1 AND at > $3 LIMIT $4) u) AS "for_username!",
             (SELECT count(*) FROM (SELECT FROM login_failures WHERE address = $2 AND at > $3 LIMIT $4) a) AS "for_address!""#,
        username,
        address,
        since,
        COUNTED_UP_TO,
    )
    .fetch_one(conn)
    .await?;
    Ok(RecentAttempts {
        for_username: row.for_username,
        for_address: row.for_address,
    })
}

/// Records an attempt, then counts the attempts since `since`, this one included.
///
/// Two statements, each committed on its own (`conn` must not be in a
/// transaction): every attempt is in the table before it is counted, so the n-th
/// of many parallel attempts counts at least n, and no more than the limit are
/// ever checked against the password.
pub async fn record_attempt(
    conn: &mut PgConnection,
    username: &str,
    address: &str,
    since: DateTime<Utc>,
) -> sqlx::Result<RecentAttempts> {
    sqlx::query!(
        "INSERT INTO login_failures (username, address) VALUES ($1, $2)",
        username,
        address
    )
    .execute(&mut *conn)
    .await?;
    count_since(conn, username, address, since).await
}

/// A successful login forgives the account's earlier failures.
pub async fn clear_for_username(conn: &mut PgConnection, username: &str) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM login_failures WHERE username = $1", username)
        .execute(conn)
        .await?;
    Ok(())
}

/// Old failures no longer count; deleted now and then to keep the table small.
pub async fn delete_before(conn: &mut PgConnection, before: DateTime<Utc>) -> sqlx::Result<u64> {
    let done = sqlx::query!("DELETE FROM login_failures WHERE at < $1", before)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
