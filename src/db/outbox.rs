//! The outbox: messages written in the transaction of the change that causes
//! them, claimed by the sender task of any instance (`FOR UPDATE SKIP LOCKED`),
//! and the deadline reminders already given.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::Role;
use crate::domain::message::{MessageKind, MessageState, ReminderKind};

/// A message to be sent.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub kind: MessageKind,
    /// The case it is about; none for a kallelse, which is about its mailing.
    pub case_id: Option<Uuid>,
    pub agenda_mailing_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub link: Option<&'a str>,
    pub attachments: &'a [Uuid],
    pub at: DateTime<Utc>,
}

/// Writes a message, due at once, in the caller's transaction; its id.
pub async fn insert(conn: &mut PgConnection, message: &NewMessage<'_>) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO outbox (id, kind, case_id, user_id, recipient, subject, body, link, attachments,
                             next_attempt_at, created_at, agenda_mailing_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)",
        id,
        message.kind.as_str(),
        message.case_id,
        message.user_id,
        message.recipient,
        message.subject,
        message.body,
        message.link,
        message.attachments,
        message.at,
        message.agenda_mailing_id,
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// A message claimed for sending.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: Uuid,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
    pub attachments: Vec<Uuid>,
    /// The kallelse sent: its PDF is attached.
    pub agenda_mailing_id: Option<Uuid>,
    /// Counting this one.
    pub attempts: i32,
}

/// Claims up to `limit` messages due at `now` until `claimed_until`: rows
/// another instance is claiming are skipped, not waited for.
pub async fn claim_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    claimed_until: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<Claimed>> {
    sqlx::query_as!(
        Claimed,
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2
         WHERE id IN (SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= $1
                      ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING id, recipient, subject, body, link, attachments, agenda_mailing_id, attempts",
        now,
        claimed_until,
        limit
    )
    .fetch_all(conn)
    .await
}

pub async fn mark_sent(
    conn: &mut PgConnection,
    id: Uuid,
    at: DateTime<Utc>,
    answer: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE outbox SET state = 'sent', sent_at = $2, last_error = NULLIF($3, '') WHERE id = $1",
        id,
        at,
        answer
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a failed try: due again at `retry_at`, or failed for good without it.
pub async fn mark_failed_try(
    conn: &mut PgConnection,
    id: Uuid,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE outbox SET last_error = $2,
                state = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'queued' END,
                next_attempt_at = coalesce($3, next_attempt_at)
         WHERE id = $1 AND state = 'queued'",
        id,
        error,
        retry_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A message as the admin page lists it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: Uuid,
    pub kind: MessageKind,
    /// The case it is about, or else the meeting whose kallelse it carries.
    pub case_id: Option<Uuid>,
    pub dnr: Option<String>,
    pub meeting_id: Option<Uuid>,
    pub recipient: String,
    pub subject: String,
    pub state: MessageState,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
}

/// The messages not sent (failed first, then queued), oldest first; at most `limit`.
pub async fn unsent(conn: &mut PgConnection, limit: i64) -> sqlx::Result<Vec<Listed>> {
    sqlx::query_as!(
        Listed,
        r#"SELECT m.id, m.kind AS "kind: MessageKind", m.case_id, c.dnr_text AS "dnr?",
                  am.meeting_id AS "meeting_id?", m.recipient,
                  m.subject, m.state AS "state: MessageState", m.attempts, m.last_error,
                  m.created_at, m.next_attempt_at
           FROM outbox m LEFT JOIN cases c ON c.id = m.case_id
           LEFT JOIN agenda_mailings am ON am.id = m.agenda_mailing_id
           WHERE m.state <> 'sent'
           ORDER BY m.state = 'queued', m.created_at
           LIMIT $1"#,
        limit
    )
    .fetch_all(conn)
    .await
}

/// One message, locked, for the admin's retry.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Listed>> {
    sqlx::query_as!(
        Listed,
        r#"SELECT m.id, m.kind AS "kind: MessageKind", m.case_id, c.dnr_text AS "dnr?",
                  am.meeting_id AS "meeting_id?", m.recipient,
                  m.subject, m.state AS "state: MessageState", m.attempts, m.last_error,
                  m.created_at, m.next_attempt_at
           FROM outbox m LEFT JOIN cases c ON c.id = m.case_id
           LEFT JOIN agenda_mailings am ON am.id = m.agenda_mailing_id
           WHERE m.id = $1
           FOR UPDATE OF m"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Queues a failed message again, due at `at`, its tries counted afresh.
pub async fn requeue(conn: &mut PgConnection, id: Uuid, at: DateTime<Utc>) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = $2
         WHERE id = $1 AND state = 'failed'",
        id,
        at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How the yttrande's e-mail went: its state, when (sent, or created), its address.
#[derive(Debug, Clone, Deserialize)]
pub struct Status {
    pub state: MessageState,
    pub at: DateTime<Utc>,
    pub recipient: String,
    pub last_error: Option<String>,
}

/// Deletes messages sent before `before`.
pub async fn purge_sent(conn: &mut PgConnection, before: DateTime<Utc>) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "DELETE FROM outbox WHERE state = 'sent' AND sent_at < $1",
        before
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// A user who takes notifications by e-mail.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub user_id: Uuid,
    pub email: String,
}

/// The user, when active, with an address and notifications on.
pub async fn notified_user(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> sqlx::Result<Option<Recipient>> {
    sqlx::query_as!(
        Recipient,
        r#"SELECT id AS user_id, email AS "email!" FROM users
           WHERE id = $1 AND active AND notify_by_email AND email IS NOT NULL"#,
        user_id
    )
    .fetch_optional(conn)
    .await
}

/// The active users holding `role` in an organ, with an address and
/// notifications on.
pub async fn notified_with_role(
    conn: &mut PgConnection,
    organ_id: Uuid,
    role: Role,
) -> sqlx::Result<Vec<Recipient>> {
    sqlx::query_as!(
        Recipient,
        r#"SELECT u.id AS user_id, u.email AS "email!" FROM users u
           JOIN user_roles r ON r.user_id = u.id
           WHERE r.organ_id = $1 AND r.role = $2
             AND u.active AND u.notify_by_email AND u.email IS NOT NULL
           ORDER BY u.username"#,
        organ_id,
        role.as_str(),
    )
    .fetch_all(conn)
    .await
}

/// Records that a reminder is given: false when another transaction (of this or
/// another instance) already gave it.
pub async fn take_reminder(
    conn: &mut PgConnection,
    case_id: Uuid,
    kind: ReminderKind,
    due_on: NaiveDate,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "INSERT INTO deadline_reminders (case_id, kind, due_on) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        case_id,
        kind.as_str(),
        due_on
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether a user takes notifications by e-mail, and at which address.
#[derive(Debug, Clone)]
pub struct NotificationSetting {
    pub enabled: bool,
    pub email: Option<String>,
}

pub async fn notification_setting(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> sqlx::Result<Option<NotificationSetting>> {
    sqlx::query_as!(
        NotificationSetting,
        "SELECT notify_by_email AS enabled, email FROM users WHERE id = $1",
        user_id
    )
    .fetch_optional(conn)
    .await
}

pub async fn set_notifications(
    conn: &mut PgConnection,
    user_id: Uuid,
    on: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE users SET notify_by_email = $2 WHERE id = $1",
        user_id,
        on
    )
    .execute(conn)
    .await?;
    Ok(())
}
