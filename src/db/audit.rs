//! The audit trail: one event per change, written in the change's transaction.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::audit::AuditAction;

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub actor_id: Option<Uuid>,
    pub action: AuditAction,
    pub entity_id: Uuid,
    pub referral_id: Option<Uuid>,
    pub case_id: Option<Uuid>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// When it happened; the transaction's time if not given.
    pub at: Option<DateTime<Utc>>,
}

impl NewEvent {
    pub fn new(actor_id: Option<Uuid>, action: AuditAction, entity_id: Uuid) -> Self {
        Self {
            actor_id,
            action,
            entity_id,
            referral_id: None,
            case_id: None,
            before: None,
            after: None,
            at: None,
        }
    }
}

/// An event's typed details as the JSON stored beside it.
pub fn details(details: &impl Serialize) -> Value {
    // Plain structs of strings, numbers, dates and ids: serialising cannot fail.
    serde_json::to_value(details).expect("audit details serialise")
}

pub async fn record(conn: &mut PgConnection, event: NewEvent) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO audit_events (actor_id, action, entity_type, entity_id, referral_id, case_id, before, after, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, now()))",
        event.actor_id,
        event.action.as_str(),
        event.action.entity_type(),
        event.entity_id,
        event.referral_id,
        event.case_id,
        event.before,
        event.after,
        event.at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// An event as a history shows it.
#[derive(Debug, Clone, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub actor_name: Option<String>,
    pub action: AuditAction,
    pub before: Option<Value>,
    pub after: Option<Value>,
}
