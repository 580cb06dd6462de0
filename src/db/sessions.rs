//! The session store of tower-sessions, on the application's own pool.
//!
//! Loading a session also reads its signed-in user with their roles, in the same
//! statement, and hands it over under [`USER_KEY`]: every signed-in request needs
//! both. The user is never written back; what is read is always current.
//!
//! Written here rather than taken from tower-sessions-sqlx-store: that crate turns
//! on sqlx's `time` feature, which makes the query macros map dates to `time`
//! instead of the `chrono` types the rest of Remiss uses.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Debug, Clone)]
pub struct PgSessionStore {
    pool: PgPool,
}

impl PgSessionStore {
    pub fn new(pool: PgPool) -> Self {
        PgSessionStore { pool }
    }
}

/// Where a loaded session carries its user (a `db::users::SessionUserRow`).
pub const USER_KEY: &str = "user";

/// The session's data as stored: without the user it was loaded with.
fn stored_data(record: &Record) -> session_store::Result<serde_json::Value> {
    let mut data = record.data.clone();
    data.remove(USER_KEY);
    serde_json::to_value(&data).map_err(|e| session_store::Error::Encode(e.to_string()))
}

fn backend(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn expiry(record: &Record) -> session_store::Result<DateTime<Utc>> {
    let nanos = record.expiry_date.unix_timestamp_nanos();
    Ok(DateTime::<Utc>::from_timestamp_nanos(
        i64::try_from(nanos).map_err(backend)?,
    ))
}

#[async_trait]
impl SessionStore for PgSessionStore {
    /// Inserts under a fresh id, drawing again in the unlikely case it is taken.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = stored_data(record)?;
        let expires_at = expiry(record)?;
        loop {
            let inserted = sqlx::query!(
                "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
                record.id.to_string(),
                data,
                expires_at,
            )
            .execute(&self.pool)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = stored_data(record)?;
        sqlx::query!(
            "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at",
            record.id.to_string(),
            data,
            expiry(record)?,
        )
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        // The login's user id is only read when it has the shape of one, so that no
        // stored text can make the cast fail.
        let row = sqlx::query!(
            r#"SELECT s.data, s.expires_at, to_jsonb(u) AS "user?"
               FROM sessions s
               LEFT JOIN LATERAL (
                   SELECT * FROM session_users v
                   WHERE v.id = CASE WHEN s.data->'login'->>'user_id' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                                     THEN (s.data->'login'->>'user_id')::uuid END
               ) u ON true
               WHERE s.id = $1 AND s.expires_at > now()"#,
            id.to_string()
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let mut data: std::collections::HashMap<String, serde_json::Value> =
            serde_json::from_value(row.data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        data.remove(USER_KEY);
        if let Some(user) = row.user {
            data.insert(USER_KEY.to_string(), user);
        }
        let expiry_date = time::OffsetDateTime::from_unix_timestamp_nanos(
            row.expires_at
                .timestamp_nanos_opt()
                .ok_or_else(|| backend("expiry out of range"))?
                .into(),
        )
        .map_err(backend)?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query!("DELETE FROM sessions WHERE id = $1", id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
