//! What is waiting for whom: the open cases behind each person's start page and
//! the organ's planning view.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::referrals::parse_state;
use crate::domain::{CaseState, Dnr};

#[derive(Debug, Clone)]
pub struct OpenCase {
    pub id: Uuid,
    pub referral_id: Uuid,
    pub organ_id: Uuid,
    pub organ_name: String,
    pub dnr: Dnr,
    pub title: String,
    pub deadline: NaiveDate,
    pub state: CaseState,
    pub officer_id: Option<Uuid>,
    pub officer_name: Option<String>,
    /// The date of the meeting whose agenda the case is on.
    pub meeting: Option<DateTime<Utc>>,
    /// The newest review returned the draft (and it is being drafted again).
    pub returned: bool,
}

/// Open cases (not yet decided, or decided and not dispatched) of the given organs.
pub async fn open_cases(
    conn: &mut PgConnection,
    organ_ids: &[Uuid],
) -> sqlx::Result<Vec<OpenCase>> {
    let rows = sqlx::query!(
        r#"SELECT c.id, c.referral_id, c.organ_id, o.name AS organ_name, c.dnr_prefix, c.dnr_year, c.dnr_seq,
                  r.title, r.deadline, c.state, c.assigned_officer_id, u.display_name AS "officer_name?",
                  (SELECT m.starts_at FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id
                   WHERE a.case_id = c.id AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.agenda_item_id = a.id)) AS meeting,
                  coalesce((SELECT v.outcome = 'returned' FROM reviews v WHERE v.case_id = c.id
                            ORDER BY v.created_at DESC LIMIT 1), false) AS "returned!"
           FROM cases c
           JOIN referrals r ON r.id = c.referral_id
           JOIN organs o ON o.id = c.organ_id
           LEFT JOIN users u ON u.id = c.assigned_officer_id
           WHERE c.organ_id = ANY($1) AND c.state NOT IN ('answered', 'declined')
           ORDER BY r.deadline, c.id"#,
        organ_ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| OpenCase {
            id: row.id,
            referral_id: row.referral_id,
            organ_id: row.organ_id,
            organ_name: row.organ_name,
            dnr: Dnr {
                prefix: row.dnr_prefix,
                year: row.dnr_year,
                seq: row.dnr_seq,
            },
            title: row.title,
            deadline: row.deadline,
            state: parse_state(&row.state),
            officer_id: row.assigned_officer_id,
            officer_name: row.officer_name,
            meeting: row.meeting,
            returned: row.returned && row.state == "drafting",
        })
        .collect())
}

/// Open cases whose deadline has passed, across the municipality, earliest first.
pub async fn overdue(
    conn: &mut PgConnection,
    today: NaiveDate,
    limit: i64,
) -> sqlx::Result<Vec<(Uuid, Dnr, String, NaiveDate, CaseState)>> {
    let rows = sqlx::query!(
        "SELECT c.id, c.dnr_prefix, c.dnr_year, c.dnr_seq, r.title, r.deadline, c.state
         FROM referrals r JOIN cases c ON c.referral_id = r.id
         WHERE r.deadline < $1 AND c.state NOT IN ('answered', 'declined')
         ORDER BY r.deadline, c.id
         LIMIT $2",
        today,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let dnr = Dnr {
                prefix: row.dnr_prefix,
                year: row.dnr_year,
                seq: row.dnr_seq,
            };
            (
                row.id,
                dnr,
                row.title,
                row.deadline,
                parse_state(&row.state),
            )
        })
        .collect())
}

/// Meeting dates of the given organs from `from` on, for planning.
pub async fn meeting_dates(
    conn: &mut PgConnection,
    organ_ids: &[Uuid],
    from: DateTime<Utc>,
) -> sqlx::Result<Vec<(Uuid, DateTime<Utc>)>> {
    let rows = sqlx::query!(
        "SELECT organ_id, starts_at FROM meetings WHERE organ_id = ANY($1) AND starts_at >= $2 ORDER BY starts_at",
        organ_ids,
        from
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.organ_id, r.starts_at))
        .collect())
}

#[derive(Debug, Clone)]
pub struct RecentReferral {
    pub id: Uuid,
    pub title: String,
    pub sender_name: String,
    pub deadline: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub personal_data_found: bool,
}

/// The newest registrations, and those whose public text holds what looks like a
/// personnummer (masked in the diarium; the registrar should correct them).
pub async fn recent_referrals(
    conn: &mut PgConnection,
    limit: i64,
) -> sqlx::Result<Vec<RecentReferral>> {
    sqlx::query_as!(
        RecentReferral,
        "SELECT id, title, sender_name, deadline, created_at, personal_data_found
         FROM referrals ORDER BY created_at DESC, id DESC LIMIT $1",
        limit
    )
    .fetch_all(conn)
    .await
}

pub async fn flagged_referrals(
    conn: &mut PgConnection,
    limit: i64,
) -> sqlx::Result<Vec<RecentReferral>> {
    sqlx::query_as!(
        RecentReferral,
        "SELECT id, title, sender_name, deadline, created_at, personal_data_found
         FROM referrals WHERE personal_data_found ORDER BY created_at DESC LIMIT $1",
        limit
    )
    .fetch_all(conn)
    .await
}
