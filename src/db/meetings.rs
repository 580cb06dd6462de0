//! Board meetings and their agendas.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::roster::{Attendee, MemberDetails, RosterMember};
use crate::domain::workflow::DecisionOutcome;
use crate::domain::{CaseState, Dnr};

pub async fn create(
    conn: &mut PgConnection,
    id: Uuid,
    organ_id: Uuid,
    starts_at: DateTime<Utc>,
    place: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO meetings (id, organ_id, starts_at, place) VALUES ($1, $2, $3, $4)",
        id,
        organ_id,
        starts_at,
        place
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Meeting {
    pub id: Uuid,
    pub organ_id: Uuid,
    pub organ_name: String,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    pub adjusted_on: Option<NaiveDate>,
    pub adjusted_by: Option<String>,
    /// Why the meeting was cancelled, when it was.
    pub cancel_reason: Option<String>,
    /// Who took part, the chair and the justerare ([`Attendee`]s), once recorded.
    pub attendees: Option<serde_json::Value>,
    pub items: i64,
}

impl Meeting {
    /// The attendance as recorded, or none yet.
    pub fn attendees(&self) -> Vec<Attendee> {
        self.attendees
            .clone()
            .and_then(|value| serde_json::from_value(value).ok())
            .unwrap_or_default()
    }
}

/// Meetings of the given organs, the coming ones first, then the past ones newest first.
pub async fn for_organs(conn: &mut PgConnection, organ_ids: &[Uuid]) -> sqlx::Result<Vec<Meeting>> {
    sqlx::query_as!(
        Meeting,
        r#"SELECT m.id, m.organ_id, o.name AS organ_name, m.starts_at, m.place, m.adjusted_on, m.adjusted_by,
                  m.cancel_reason, m.attendees, (SELECT count(*) FROM agenda_items a WHERE a.meeting_id = m.id) AS "items!"
           FROM meetings m JOIN organs o ON o.id = m.organ_id
           WHERE m.organ_id = ANY($1)
           ORDER BY m.starts_at < now(), CASE WHEN m.starts_at >= now() THEN m.starts_at END,
                    m.starts_at DESC"#,
        organ_ids
    )
    .fetch_all(conn)
    .await
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Meeting>> {
    sqlx::query_as!(
        Meeting,
        r#"SELECT m.id, m.organ_id, o.name AS organ_name, m.starts_at, m.place, m.adjusted_on, m.adjusted_by,
                  m.cancel_reason, m.attendees, (SELECT count(*) FROM agenda_items a WHERE a.meeting_id = m.id) AS "items!"
           FROM meetings m JOIN organs o ON o.id = m.organ_id
           WHERE m.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Meetings of one organ that are neither adjusted nor cancelled, for placing a case.
pub async fn upcoming(conn: &mut PgConnection, organ_id: Uuid) -> sqlx::Result<Vec<Meeting>> {
    sqlx::query_as!(
        Meeting,
        r#"SELECT m.id, m.organ_id, o.name AS organ_name, m.starts_at, m.place, m.adjusted_on, m.adjusted_by,
                  m.cancel_reason, m.attendees, (SELECT count(*) FROM agenda_items a WHERE a.meeting_id = m.id) AS "items!"
           FROM meetings m JOIN organs o ON o.id = m.organ_id
           WHERE m.organ_id = $1 AND m.adjusted_on IS NULL AND m.cancelled_at IS NULL
           ORDER BY m.starts_at"#,
        organ_id
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct AgendaItem {
    pub id: Uuid,
    pub position: i32,
    pub case_id: Uuid,
    pub dnr: Dnr,
    pub title: String,
    pub deadline: NaiveDate,
    pub state: CaseState,
    pub outcome: Option<DecisionOutcome>,
    pub paragraph: Option<i32>,
    /// The § of a decision removed before justering, for the next one.
    pub reserved_paragraph: Option<i32>,
    /// The case's handläggare, when assigned.
    pub officer_name: Option<String>,
}

/// The agenda (föredragningslista) in its order, with each item's decision if taken.
pub async fn agenda(conn: &mut PgConnection, meeting_id: Uuid) -> sqlx::Result<Vec<AgendaItem>> {
    let rows = sqlx::query!(
        r#"SELECT a.id, a.position, c.id AS case_id, c.dnr_prefix, c.dnr_year, c.dnr_seq, r.title, r.deadline,
                  c.state AS "state: CaseState", d.outcome AS "outcome?: DecisionOutcome",
                  d.paragraph AS "paragraph?", a.reserved_paragraph, u.display_name AS "officer_name?"
           FROM agenda_items a
           JOIN cases c ON c.id = a.case_id
           JOIN referrals r ON r.id = c.referral_id
           LEFT JOIN users u ON u.id = c.assigned_officer_id
           LEFT JOIN decisions d ON d.agenda_item_id = a.id
           WHERE a.meeting_id = $1
           ORDER BY a.position"#,
        meeting_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| AgendaItem {
            id: row.id,
            position: row.position,
            case_id: row.case_id,
            dnr: Dnr {
                prefix: row.dnr_prefix,
                year: row.dnr_year,
                seq: row.dnr_seq,
            },
            title: row.title,
            deadline: row.deadline,
            state: row.state,
            outcome: row.outcome,
            paragraph: row.paragraph,
            reserved_paragraph: row.reserved_paragraph,
            officer_name: row.officer_name,
        })
        .collect())
}

/// Puts a case last on a meeting's agenda.
pub async fn add_item(
    conn: &mut PgConnection,
    meeting_id: Uuid,
    case_id: Uuid,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO agenda_items (id, meeting_id, case_id, position)
         SELECT $1, $2, $3, coalesce(max(position), 0) + 1 FROM agenda_items WHERE meeting_id = $2",
        id,
        meeting_id,
        case_id
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// Takes an undecided item off the agenda (the case was tabled before the
/// meeting, or declined) and closes the gap in the order.
pub async fn remove_item(conn: &mut PgConnection, item_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "WITH gone AS (DELETE FROM agenda_items WHERE id = $1 RETURNING meeting_id, position)
         UPDATE agenda_items a SET position = a.position - 1
         FROM gone WHERE a.meeting_id = gone.meeting_id AND a.position > gone.position",
        item_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Swaps an item with its neighbour above (`up`) or below; `false` when there is
/// no neighbour.
pub async fn move_item(
    conn: &mut PgConnection,
    meeting_id: Uuid,
    item_id: Uuid,
    up: bool,
) -> sqlx::Result<bool> {
    // The unique (meeting, position) constraint is checked at commit, so the two
    // rows may pass through equal positions here.
    let done = sqlx::query!(
        "WITH this AS (SELECT position FROM agenda_items WHERE id = $2 AND meeting_id = $1),
              other AS (SELECT a.id, a.position FROM agenda_items a, this
                        WHERE a.meeting_id = $1 AND a.position = this.position + CASE WHEN $3 THEN -1 ELSE 1 END)
         UPDATE agenda_items a
         SET position = CASE WHEN a.id = $2 THEN (SELECT position FROM other) ELSE (SELECT position FROM this) END
         WHERE a.id IN ($2, (SELECT id FROM other)) AND EXISTS (SELECT 1 FROM other)",
        meeting_id,
        item_id,
        up
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 2)
}

/// The agenda item on which a case waits for its decision, with its meeting.
pub async fn open_item_for_case(
    conn: &mut PgConnection,
    case_id: Uuid,
) -> sqlx::Result<Option<(Uuid, Uuid)>> {
    let row = sqlx::query!(
        "SELECT a.id, a.meeting_id FROM agenda_items a
         WHERE a.case_id = $1 AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.agenda_item_id = a.id)",
        case_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.id, r.meeting_id)))
}

/// Records the justering; `false` when the minutes were already adjusted.
pub async fn adjust(
    conn: &mut PgConnection,
    id: Uuid,
    on: NaiveDate,
    by: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE meetings SET adjusted_on = $2, adjusted_by = $3, version = version + 1
         WHERE id = $1 AND adjusted_on IS NULL",
        id,
        on,
        by
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether a meeting can still change: its justering and cancellation.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub adjusted_on: Option<NaiveDate>,
    pub cancelled: bool,
}

/// Locks the meeting row until the transaction ends, so that a decision and a
/// justering of the same meeting cannot pass each other.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Standing>> {
    sqlx::query_as!(
        Standing,
        r#"SELECT adjusted_on, cancelled_at IS NOT NULL AS "cancelled!" FROM meetings WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Cancels a meeting with nothing on its agenda; `false` when it has items.
pub async fn cancel(
    conn: &mut PgConnection,
    id: Uuid,
    at: DateTime<Utc>,
    reason: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE meetings SET cancelled_at = $2, cancel_reason = $3, version = version + 1
         WHERE id = $1 AND cancelled_at IS NULL AND adjusted_on IS NULL
           AND NOT EXISTS (SELECT 1 FROM agenda_items a WHERE a.meeting_id = $1)",
        id,
        at,
        reason
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves a meeting to another time or place.
pub async fn reschedule(
    conn: &mut PgConnection,
    id: Uuid,
    starts_at: DateTime<Utc>,
    place: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE meetings SET starts_at = $2, place = $3, version = version + 1 WHERE id = $1",
        id,
        starts_at,
        place
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The attendance written with the meeting's most recent decision.
pub async fn last_attendance(
    conn: &mut PgConnection,
    meeting_id: Uuid,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "SELECT d.attendance FROM decisions d JOIN agenda_items a ON a.id = d.agenda_item_id
         WHERE a.meeting_id = $1 ORDER BY d.created_at DESC LIMIT 1",
        meeting_id
    )
    .fetch_optional(conn)
    .await
}

/// The organ's roster: those who have not left, members before substitutes.
pub async fn roster(conn: &mut PgConnection, organ_id: Uuid) -> sqlx::Result<Vec<RosterMember>> {
    sqlx::query_as!(
        RosterMember,
        "SELECT id, name, party, substitute, email FROM organ_members
         WHERE organ_id = $1 AND left_at IS NULL ORDER BY substitute, name, id",
        organ_id
    )
    .fetch_all(conn)
    .await
}

pub async fn add_member(
    conn: &mut PgConnection,
    id: Uuid,
    organ_id: Uuid,
    member: &MemberDetails,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO organ_members (id, organ_id, name, party, substitute, email, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        organ_id,
        member.name,
        member.party,
        member.substitute,
        member.email,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes a member off the roster; the member's name, when it was on it.
pub async fn remove_member(
    conn: &mut PgConnection,
    organ_id: Uuid,
    id: Uuid,
    at: DateTime<Utc>,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "UPDATE organ_members SET left_at = $3 WHERE id = $2 AND organ_id = $1 AND left_at IS NULL
         RETURNING name",
        organ_id,
        id,
        at
    )
    .fetch_optional(conn)
    .await
}

pub async fn set_attendees(
    conn: &mut PgConnection,
    meeting_id: Uuid,
    attendees: &[Attendee],
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE meetings SET attendees = $2, version = version + 1 WHERE id = $1",
        meeting_id,
        serde_json::to_value(attendees).expect("serialises")
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A kallelse as it is sent: its PDF stored, and to whom.
pub struct NewAgendaMailing<'a> {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub file_name: &'a str,
    pub sha256: &'a [u8],
    pub size: i64,
    pub recipients: &'a [String],
    pub without_address: &'a [String],
    pub sent_by: Uuid,
    pub at: DateTime<Utc>,
}

pub async fn insert_agenda_mailing(
    conn: &mut PgConnection,
    mailing: &NewAgendaMailing<'_>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO agenda_mailings (id, meeting_id, file_name, sha256, size, recipients,
                                      without_address, sent_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        mailing.id,
        mailing.meeting_id,
        mailing.file_name,
        mailing.sha256,
        mailing.size,
        mailing.recipients,
        mailing.without_address,
        mailing.sent_by,
        mailing.at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A kallelse sent, as the meeting page lists it.
#[derive(Debug, Clone)]
pub struct AgendaMailing {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub sent_by_name: String,
    pub recipients: Vec<String>,
    pub without_address: Vec<String>,
    /// The PDF's SHA-256: the same kallelse renders the same bytes.
    pub sha256: Vec<u8>,
}

/// The kallelser sent for a meeting, newest first.
pub async fn agenda_mailings(
    conn: &mut PgConnection,
    meeting_id: Uuid,
) -> sqlx::Result<Vec<AgendaMailing>> {
    sqlx::query_as!(
        AgendaMailing,
        "SELECT m.id, m.created_at, u.display_name AS sent_by_name, m.recipients,
                m.without_address, m.sha256
         FROM agenda_mailings m JOIN users u ON u.id = m.sent_by
         WHERE m.meeting_id = $1 ORDER BY m.created_at DESC, m.id",
        meeting_id
    )
    .fetch_all(conn)
    .await
}

/// The stored PDF of a kallelse sent.
#[derive(Debug, Clone)]
pub struct MailedFile {
    pub file_name: String,
    pub sha256: Vec<u8>,
    pub size: i64,
}

pub async fn agenda_mailing_file(
    conn: &mut PgConnection,
    id: Uuid,
) -> sqlx::Result<Option<MailedFile>> {
    sqlx::query_as!(
        MailedFile,
        "SELECT file_name, sha256, size FROM agenda_mailings WHERE id = $1",
        id
    )
    .fetch_optional(conn)
    .await
}
