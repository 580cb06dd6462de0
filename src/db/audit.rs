//! The audit trail: one event per change, written in the change's transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;
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

#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub actor_name: Option<String>,
    pub action: AuditAction,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// A case's history: its own events, those of its remiss as a whole, and the
/// justering of the minutes that hold its decisions.
pub async fn case_history(
    conn: &mut PgConnection,
    case_id: Uuid,
    referral_id: Uuid,
) -> sqlx::Result<Vec<HistoryEntry>> {
    sqlx::query_as!(
        HistoryEntry,
        // Parts that each read their own index (an OR of them does not): the
        // case's events, its remiss's, and the justering of each meeting that
        // decided on it.
        r#"SELECT e.at AS "at!", u.display_name AS "actor_name?", e.action AS "action!: AuditAction",
                  e.before, e.after
           FROM (SELECT id, at, actor_id, action, before, after FROM audit_events WHERE case_id = $1
                 UNION ALL
                 SELECT id, at, actor_id, action, before, after FROM audit_events
                 WHERE referral_id = $2 AND case_id IS NULL
                 UNION ALL
                 SELECT id, at, actor_id, action, before, after FROM audit_events
                 WHERE entity_type = 'meeting' AND action = 'meeting.adjusted'
                   AND entity_id IN (SELECT a.meeting_id FROM decisions d
                                     JOIN agenda_items a ON a.id = d.agenda_item_id
                                     WHERE d.case_id = $1)) e
           LEFT JOIN users u ON u.id = e.actor_id
           ORDER BY e.id"#,
        case_id,
        referral_id,
    )
    .fetch_all(conn)
    .await
}

/// A remiss's history: events on the remiss itself (registration, corrections).
pub async fn referral_history(
    conn: &mut PgConnection,
    referral_id: Uuid,
) -> sqlx::Result<Vec<HistoryEntry>> {
    sqlx::query_as!(
        HistoryEntry,
        r#"SELECT e.at, u.display_name AS "actor_name?", e.action AS "action: AuditAction", e.before, e.after
           FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id
           WHERE e.referral_id = $1 AND e.case_id IS NULL
           ORDER BY e.id"#,
        referral_id,
    )
    .fetch_all(conn)
    .await
}
