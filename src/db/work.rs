//! What is waiting for whom: the open cases behind each person's start page and
//! the organ's planning view.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

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

/// Which open cases to list (a makulerad remiss's cases are never listed: nothing
/// more is done in them).
#[derive(Debug, Clone, Copy)]
pub struct OpenCaseFilter<'a> {
    pub organs: &'a [Uuid],
    pub states: &'a [CaseState],
    /// Only the cases assigned to this handläggare.
    pub officer: Option<Uuid>,
    /// Only those after this (deadline, case id) in the order: the next page.
    pub after: Option<(NaiveDate, Uuid)>,
}

/// The open cases a filter selects, earliest deadline first, at most `limit` of
/// them, and how many there are in all.
pub async fn open_cases(
    conn: &mut PgConnection,
    filter: OpenCaseFilter<'_>,
    limit: i64,
) -> sqlx::Result<(Vec<OpenCase>, i64)> {
    let states: Vec<&str> = filter.states.iter().map(|s| s.as_str()).collect();
    // The page's cases are chosen first (an index on organ and state, then each
    // one's remiss for its deadline): the optional filters keep this statement on
    // custom plans, cheap to make for two tables. Their details, meeting and
    // latest review then follow by id on one generic plan; planned with the rest
    // for every request, the whole took 0.8 ms to plan against 0.3 to run.
    let chosen = sqlx::query!(
        r#"SELECT c.id, count(*) OVER () AS "total!"
           FROM cases c JOIN referrals r ON r.id = c.referral_id
           WHERE c.organ_id = ANY($1) AND c.state = ANY($2) AND r.annulled_at IS NULL
             AND ($3::uuid IS NULL OR c.assigned_officer_id = $3)
             AND ($5::date IS NULL OR (r.deadline, c.id) > ($5, $6::uuid))
           ORDER BY r.deadline, c.id
           LIMIT $4"#,
        filter.organs,
        &states as &[&str],
        filter.officer,
        limit,
        filter.after.map(|(deadline, _)| deadline),
        filter.after.map(|(_, id)| id),
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = chosen.first().map_or(0, |row| row.total);
    let ids: Vec<Uuid> = chosen.into_iter().map(|row| row.id).collect();
    if ids.is_empty() {
        return Ok((Vec::new(), total));
    }
    let rows = sqlx::query!(
        r#"SELECT c.id, c.referral_id, c.organ_id, o.name AS organ_name, c.dnr_prefix, c.dnr_year,
                  c.dnr_seq, r.title, r.deadline, c.state AS "state: CaseState", c.assigned_officer_id,
                  u.display_name AS "officer_name?", agenda.starts_at AS "meeting?",
                  coalesce(latest.returned, false) AS "returned!"
           FROM unnest($1::uuid[]) WITH ORDINALITY AS p(id, n)
           JOIN cases c ON c.id = p.id
           JOIN referrals r ON r.id = c.referral_id
           JOIN organs o ON o.id = c.organ_id
           LEFT JOIN users u ON u.id = c.assigned_officer_id
           LEFT JOIN LATERAL (
               SELECT m.starts_at FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id
               WHERE a.case_id = c.id AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.agenda_item_id = a.id)
               LIMIT 1
           ) agenda ON true
           LEFT JOIN LATERAL (
               SELECT v.outcome = 'returned' AS returned FROM reviews v WHERE v.case_id = c.id
               ORDER BY v.created_at DESC LIMIT 1
           ) latest ON true
           ORDER BY p.n"#,
        &ids,
    )
    .fetch_all(conn)
    .await?;
    let cases = rows
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
            state: row.state,
            officer_id: row.assigned_officer_id,
            officer_name: row.officer_name,
            meeting: row.meeting,
            returned: row.returned && row.state == CaseState::Drafting,
        })
        .collect();
    Ok((cases, total))
}

/// Open cases whose deadline has passed, across the municipality, earliest first
/// (a makulerad remiss's cases are not waited for).
pub async fn overdue(
    conn: &mut PgConnection,
    today: NaiveDate,
    limit: i64,
) -> sqlx::Result<Vec<(Uuid, Dnr, String, NaiveDate, CaseState)>> {
    let rows = sqlx::query!(
        r#"SELECT c.id, c.dnr_prefix, c.dnr_year, c.dnr_seq, r.title, r.deadline,
                  c.state AS "state: CaseState"
           FROM referrals r JOIN cases c ON c.referral_id = r.id
           WHERE r.deadline < $1 AND c.state NOT IN ('answered', 'declined') AND r.annulled_at IS NULL
           ORDER BY r.deadline, c.id
           LIMIT $2"#,
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
            (row.id, dnr, row.title, row.deadline, row.state)
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
        "SELECT organ_id, starts_at FROM meetings WHERE organ_id = ANY($1) AND starts_at >= $2 AND cancelled_at IS NULL ORDER BY starts_at",
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
