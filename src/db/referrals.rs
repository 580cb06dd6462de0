//! Remisser and the cases they open, one per respondent.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use super::audit::{self, HistoryEntry, NewEvent};
use crate::domain::audit::{AuditAction, ReferralFields};
use crate::domain::audit::{DeadlineExtended, ReferralAnnulled};
use crate::domain::referral::{Extension, ReferralDetails, Sender};
use crate::domain::{CaseState, Dnr};

/// The sender's name as shown: an organ's own name, or the outside body's.
async fn sender_name(conn: &mut PgConnection, sender: &Sender) -> sqlx::Result<String> {
    match sender {
        Sender::Outside(name) => Ok(name.clone()),
        Sender::Organ(id) => {
            sqlx::query_scalar!("SELECT name FROM organs WHERE id = $1", id)
                .fetch_one(conn)
                .await
        }
    }
}

/// Whether a field the public diarium shows holds what looks like a personnummer.
fn holds_personal_data(details: &ReferralDetails, sender_name: &str) -> bool {
    [
        details.title.as_str(),
        &details.description,
        sender_name,
        &details.sender_dnr,
    ]
    .iter()
    .any(|text| !crate::domain::personal_data::find(text).is_empty())
}

fn sender_organ_id(sender: &Sender) -> Option<Uuid> {
    match sender {
        Sender::Organ(id) => Some(*id),
        Sender::Outside(_) => None,
    }
}

pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    details: &ReferralDetails,
    sender_name: &str,
    registered_by: Uuid,
    created_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO referrals (id, title, description, sender_organ_id, sender_name, sender_dnr,
                                received_on, deadline, secret, secrecy_provision, registered_by, created_at,
                                personal_data_found, sender_email)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        id,
        details.title,
        details.description,
        sender_organ_id(&details.sender),
        sender_name,
        details.sender_dnr,
        details.received_on,
        details.deadline,
        details.secrecy.is_some(),
        details.secrecy.clone().unwrap_or_default(),
        registered_by,
        created_at,
        holds_personal_data(details, sender_name),
        details.sender_email,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Opens one case per respondent organ, each with the next number of its organ's
/// diarium series and its audit event, in one statement. The series rows are
/// taken in organ order, so concurrent registrations never deadlock; the caller
/// commits right after, so the row locks are held only that long.
async fn open_cases(
    conn: &mut PgConnection,
    actor_id: Uuid,
    referral_id: Uuid,
    organ_ids: &[Uuid],
    year: i32,
    registered_at: DateTime<Utc>,
) -> sqlx::Result<Vec<OpenedCase>> {
    let mut organ_ids = organ_ids.to_vec();
    organ_ids.sort();
    let case_ids: Vec<Uuid> = organ_ids.iter().map(|_| Uuid::new_v4()).collect();
    let rows = sqlx::query!(
        r#"WITH seq AS (
               INSERT INTO diarium_series (organ_id, year, last_seq)
               SELECT organ_id, $2, 1 FROM unnest($1::uuid[]) AS organ_id ORDER BY organ_id
               ON CONFLICT (organ_id, year) DO UPDATE SET last_seq = diarium_series.last_seq + 1
               RETURNING organ_id, last_seq
           ),
           opened AS (
               INSERT INTO cases (id, referral_id, organ_id, dnr_prefix, dnr_year, dnr_seq, created_at)
               SELECT n.case_id, $3, o.id, o.diarium_prefix, $2, seq.last_seq, $4
               FROM unnest($1::uuid[], $5::uuid[]) AS n(organ_id, case_id)
               JOIN seq ON seq.organ_id = n.organ_id
               JOIN organs o ON o.id = n.organ_id
               RETURNING id, organ_id, dnr_prefix, dnr_year, dnr_seq, dnr_text
           ),
           logged AS (
               INSERT INTO audit_events (actor_id, action, entity_type, entity_id, referral_id, case_id, after, at)
               SELECT $6, $7, $8, id, $3, id, jsonb_build_object('dnr', dnr_text, 'state', $9::text), $4
               FROM opened ORDER BY organ_id
           )
           SELECT id AS "id!", organ_id AS "organ_id!", dnr_prefix AS "prefix!", dnr_year AS "year!",
                  dnr_seq AS "seq!"
           FROM opened ORDER BY organ_id"#,
        &organ_ids,
        year,
        referral_id,
        registered_at,
        &case_ids,
        actor_id,
        AuditAction::CaseRegistered.as_str(),
        AuditAction::CaseRegistered.entity_type(),
        CaseState::Registered.as_str(),
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| OpenedCase {
            id: row.id,
            organ_id: row.organ_id,
            dnr: Dnr {
                prefix: row.prefix,
                year: row.year,
                seq: row.seq,
            },
        })
        .collect())
}

/// A case opened by a registration.
#[derive(Debug, Clone)]
pub struct OpenedCase {
    pub id: Uuid,
    pub organ_id: Uuid,
    pub dnr: Dnr,
}

/// Saves a correction made on `version`; `false` when someone else saved first.
pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    details: &ReferralDetails,
    sender_name: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE referrals SET title = $3, description = $4, sender_organ_id = $5, sender_name = $6,
                sender_dnr = $7, received_on = $8, deadline = $9, secret = $10, secrecy_provision = $11,
                personal_data_found = $12, sender_email = $13, version = version + 1
         WHERE id = $1 AND version = $2",
        id,
        version,
        details.title,
        details.description,
        sender_organ_id(&details.sender),
        sender_name,
        details.sender_dnr,
        details.received_on,
        details.deadline,
        details.secrecy.is_some(),
        details.secrecy.clone().unwrap_or_default(),
        holds_personal_data(details, sender_name),
        details.sender_email,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, Serialize)]
pub struct Referral {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub sender_organ_id: Option<Uuid>,
    pub sender_name: String,
    pub sender_dnr: String,
    pub sender_email: Option<String>,
    pub received_on: NaiveDate,
    pub deadline: NaiveDate,
    pub secret: bool,
    pub secrecy_provision: String,
    pub registered_by_name: String,
    pub created_at: DateTime<Utc>,
    pub version: i32,
    /// Set when the registration was makulerad: when, by whom, why.
    pub annulled_at: Option<DateTime<Utc>>,
    pub annulled_by_name: Option<String>,
    pub annulled_reason: Option<String>,
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Referral>> {
    sqlx::query_as!(
        Referral,
        r#"SELECT r.id, r.title, r.description, r.sender_organ_id, r.sender_name, r.sender_dnr,
                  r.sender_email, r.received_on, r.deadline, r.secret, r.secrecy_provision,
                  u.display_name AS registered_by_name, r.created_at, r.version,
                  r.annulled_at, a.display_name AS "annulled_by_name?", r.annulled_reason
           FROM referrals r JOIN users u ON u.id = r.registered_by
           LEFT JOIN users a ON a.id = r.annulled_by
           WHERE r.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct CaseRow {
    pub id: Uuid,
    pub organ_id: Uuid,
    pub organ_name: String,
    pub dnr: Dnr,
    pub state: CaseState,
    pub officer_name: Option<String>,
}

/// The respondents' cases of a remiss, in diarium order.
pub async fn cases(conn: &mut PgConnection, referral_id: Uuid) -> sqlx::Result<Vec<CaseRow>> {
    let rows = sqlx::query!(
        r#"SELECT c.id, c.organ_id, o.name AS organ_name, c.dnr_prefix, c.dnr_year, c.dnr_seq,
                  c.state AS "state: CaseState", u.display_name AS "officer_name?"
           FROM cases c JOIN organs o ON o.id = c.organ_id
           LEFT JOIN users u ON u.id = c.assigned_officer_id
           WHERE c.referral_id = $1
           ORDER BY o.name"#,
        referral_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| CaseRow {
            id: row.id,
            organ_id: row.organ_id,
            organ_name: row.organ_name,
            dnr: Dnr {
                prefix: row.dnr_prefix,
                year: row.dnr_year,
                seq: row.dnr_seq,
            },
            state: row.state,
            officer_name: row.officer_name,
        })
        .collect())
}

/// A remiss with what its page lists beside it, read in one statement.
#[derive(Debug, Clone)]
pub struct ReferralPage {
    pub referral: Referral,
    /// As [`cases`] has them.
    pub cases: Vec<CaseRow>,
    /// In the order they were recorded (each one later than the one before).
    pub extensions: Vec<ExtensionRow>,
    /// Events on the remiss itself (registration, corrections), in the order
    /// recorded.
    pub history: Vec<HistoryEntry>,
}

/// A case of [`ReferralPage`] as its statement aggregates it.
#[derive(Debug, Deserialize)]
struct CaseJson {
    id: Uuid,
    organ_id: Uuid,
    organ_name: String,
    dnr_prefix: String,
    dnr_year: i32,
    dnr_seq: i32,
    state: CaseState,
    officer_name: Option<String>,
}

impl From<CaseJson> for CaseRow {
    fn from(case: CaseJson) -> CaseRow {
        CaseRow {
            id: case.id,
            organ_id: case.organ_id,
            organ_name: case.organ_name,
            dnr: Dnr {
                prefix: case.dnr_prefix,
                year: case.dnr_year,
                seq: case.dnr_seq,
            },
            state: case.state,
            officer_name: case.officer_name,
        }
    }
}

/// The remiss, its cases, its anstånd and its history, for its page: the lists
/// aggregated as JSON.
pub async fn page(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<ReferralPage>> {
    let row = sqlx::query!(
        r#"SELECT r.id, r.title, r.description, r.sender_organ_id, r.sender_name, r.sender_dnr,
                  r.sender_email, r.received_on, r.deadline, r.secret, r.secrecy_provision,
                  u.display_name AS registered_by_name, r.created_at, r.version,
                  r.annulled_at, a.display_name AS "annulled_by_name?", r.annulled_reason,
                  (SELECT coalesce(json_agg(json_build_object(
                              'id', c.id, 'organ_id', c.organ_id, 'organ_name', o.name,
                              'dnr_prefix', c.dnr_prefix, 'dnr_year', c.dnr_year, 'dnr_seq', c.dnr_seq,
                              'state', c.state, 'officer_name', cu.display_name) ORDER BY o.name), '[]')
                   FROM cases c JOIN organs o ON o.id = c.organ_id
                   LEFT JOIN users cu ON cu.id = c.assigned_officer_id
                   WHERE c.referral_id = r.id) AS "cases!: Json<Vec<CaseJson>>",
                  (SELECT coalesce(json_agg(json_build_object(
                              'previous_deadline', x.previous_deadline, 'deadline', x.deadline,
                              'granted_on', x.granted_on, 'granted_by', x.granted_by, 'note', x.note)
                              ORDER BY x.recorded_at, x.deadline), '[]')
                   FROM deadline_extensions x
                   WHERE x.referral_id = r.id) AS "extensions!: Json<Vec<ExtensionRow>>",
                  (SELECT coalesce(json_agg(json_build_object(
                              'at', e.at, 'actor_name', eu.display_name, 'action', e.action,
                              'before', e.before, 'after', e.after) ORDER BY e.id), '[]')
                   FROM audit_events e LEFT JOIN users eu ON eu.id = e.actor_id
                   WHERE e.referral_id = r.id AND e.case_id IS NULL) AS "history!: Json<Vec<HistoryEntry>>"
           FROM referrals r JOIN users u ON u.id = r.registered_by
           LEFT JOIN users a ON a.id = r.annulled_by
           WHERE r.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| ReferralPage {
        referral: Referral {
            id: row.id,
            title: row.title,
            description: row.description,
            sender_organ_id: row.sender_organ_id,
            sender_name: row.sender_name,
            sender_dnr: row.sender_dnr,
            sender_email: row.sender_email,
            received_on: row.received_on,
            deadline: row.deadline,
            secret: row.secret,
            secrecy_provision: row.secrecy_provision,
            registered_by_name: row.registered_by_name,
            created_at: row.created_at,
            version: row.version,
            annulled_at: row.annulled_at,
            annulled_by_name: row.annulled_by_name,
            annulled_reason: row.annulled_reason,
        },
        cases: row.cases.0.into_iter().map(CaseRow::from).collect(),
        extensions: row.extensions.0,
        history: row.history.0,
    }))
}

/// Which remisser the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    #[default]
    All,
    /// Some respondent has not yet answered or declined.
    Open,
    /// Every respondent has answered or declined (besvarad).
    Answered,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Newest registration first.
    #[default]
    Registered,
    /// Earliest deadline first.
    Deadline,
}

/// Where a page of the list starts: just after this row in the chosen order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    Registered(DateTime<Utc>, Uuid),
    Deadline(NaiveDate, Uuid),
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ListQuery {
    pub sort: Sort,
    pub state: StateFilter,
    pub respondent: Option<Uuid>,
    pub after: Option<Cursor>,
}

#[derive(Debug, Clone)]
pub struct ListRow {
    pub id: Uuid,
    pub title: String,
    pub sender_name: String,
    pub sender_dnr: String,
    pub received_on: NaiveDate,
    pub deadline: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub respondents: i64,
    pub answered: i64,
    pub annulled: bool,
}

impl ListRow {
    pub fn cursor(&self, sort: Sort) -> Cursor {
        match sort {
            Sort::Registered => Cursor::Registered(self.created_at, self.id),
            Sort::Deadline => Cursor::Deadline(self.deadline, self.id),
        }
    }
}

fn state_param(state: StateFilter) -> Option<bool> {
    match state {
        StateFilter::All => None,
        StateFilter::Open => Some(true),
        StateFilter::Answered => Some(false),
    }
}

/// One page of the list, keyset-paged: the cursor is a row comparison that the
/// index answers directly, so a deep page costs what the first one does. Returns up
/// to `limit` rows.
pub async fn list(
    conn: &mut PgConnection,
    query: &ListQuery,
    limit: i64,
) -> sqlx::Result<Vec<ListRow>> {
    let open = state_param(query.state);
    match query.sort {
        Sort::Registered => {
            let (after_at, after_id) = match query.after {
                Some(Cursor::Registered(at, id)) => (at, id),
                _ => (DateTime::<Utc>::MAX_UTC, Uuid::max()),
            };
            sqlx::query_as!(
                ListRow,
                r#"SELECT r.id, r.title, r.sender_name, r.sender_dnr, r.received_on, r.deadline, r.created_at,
                          n.respondents AS "respondents!", n.answered AS "answered!",
                          r.annulled_at IS NOT NULL AS "annulled!"
                   FROM referrals r
                   CROSS JOIN LATERAL (
                       SELECT count(*) AS respondents,
                              count(*) FILTER (WHERE c.state IN ('answered', 'declined')) AS answered
                       FROM cases c WHERE c.referral_id = r.id
                   ) n
                   WHERE (r.created_at, r.id) < ($1, $2)
                     AND ($3::uuid IS NULL OR EXISTS (
                         SELECT 1 FROM cases c WHERE c.referral_id = r.id AND c.organ_id = $3))
                     AND ($4::boolean IS NULL OR $4 = (n.answered < n.respondents))
                   ORDER BY r.created_at DESC, r.id DESC
                   LIMIT $5"#,
                after_at,
                after_id,
                query.respondent,
                open,
                limit,
            )
            .fetch_all(conn)
            .await
        }
        Sort::Deadline => {
            let (after_deadline, after_id) = match query.after {
                Some(Cursor::Deadline(deadline, id)) => (deadline, id),
                // Before any date the domain accepts (and within PostgreSQL's range).
                _ => (
                    NaiveDate::from_ymd_opt(1, 1, 1).expect("valid date"),
                    Uuid::nil(),
                ),
            };
            sqlx::query_as!(
                ListRow,
                r#"SELECT r.id, r.title, r.sender_name, r.sender_dnr, r.received_on, r.deadline, r.created_at,
                          n.respondents AS "respondents!", n.answered AS "answered!",
                          r.annulled_at IS NOT NULL AS "annulled!"
                   FROM referrals r
                   CROSS JOIN LATERAL (
                       SELECT count(*) AS respondents,
                              count(*) FILTER (WHERE c.state IN ('answered', 'declined')) AS answered
                       FROM cases c WHERE c.referral_id = r.id
                   ) n
                   WHERE (r.deadline, r.id) > ($1, $2)
                     AND ($3::uuid IS NULL OR EXISTS (
                         SELECT 1 FROM cases c WHERE c.referral_id = r.id AND c.organ_id = $3))
                     AND ($4::boolean IS NULL OR $4 = (n.answered < n.respondents))
                   ORDER BY r.deadline, r.id
                   LIMIT $5"#,
                after_deadline,
                after_id,
                query.respondent,
                open,
                limit,
            )
            .fetch_all(conn)
            .await
        }
    }
}

/// Registers a remiss and opens one case per respondent, each with its diarienummer,
/// with the audit events. Runs inside the caller's transaction.
pub async fn register(
    conn: &mut PgConnection,
    actor_id: Uuid,
    referral: &crate::domain::referral::NewReferral,
    now: DateTime<Utc>,
) -> sqlx::Result<(Uuid, Vec<OpenedCase>)> {
    let id = Uuid::new_v4();
    let sender = sender_name(&mut *conn, &referral.details.sender).await?;
    insert(&mut *conn, id, &referral.details, &sender, actor_id, now).await?;
    audit::record(
        &mut *conn,
        NewEvent {
            referral_id: Some(id),
            after: Some(audit::details(&fields(&referral.details, &sender))),
            at: Some(now),
            ..NewEvent::new(Some(actor_id), AuditAction::ReferralRegistered, id)
        },
    )
    .await?;
    let year = crate::domain::dates::registration_year(now);
    let cases = open_cases(conn, actor_id, id, &referral.respondents, year, now).await?;
    Ok((id, cases))
}

/// Locks a remiss (its respondents change under the lock); `false` when there is none.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar!("SELECT id FROM referrals WHERE id = $1 FOR UPDATE", id)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

/// Opens the case of a respondent added after registration, with the next number
/// of its organ's diarium in the year it is added, and its audit event.
pub async fn add_respondent(
    conn: &mut PgConnection,
    actor_id: Uuid,
    referral_id: Uuid,
    organ_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<OpenedCase> {
    let year = crate::domain::dates::registration_year(now);
    let opened = open_cases(&mut *conn, actor_id, referral_id, &[organ_id], year, now)
        .await?
        .into_iter()
        .next()
        .ok_or(sqlx::Error::RowNotFound)?;
    let organ = sender_name(&mut *conn, &Sender::Organ(organ_id)).await?;
    audit::record(
        conn,
        NewEvent {
            referral_id: Some(referral_id),
            after: Some(serde_json::json!({ "organ": organ, "dnr": opened.dnr.to_string() })),
            at: Some(now),
            ..NewEvent::new(
                Some(actor_id),
                AuditAction::ReferralRespondentAdded,
                referral_id,
            )
        },
    )
    .await?;
    Ok(opened)
}

/// Corrects a remiss's metadata with its audit event (before and after); `false`
/// when the remiss changed since `before.version` was read.
pub async fn correct(
    conn: &mut PgConnection,
    actor_id: Uuid,
    before: &Referral,
    details: &ReferralDetails,
    at: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let sender = sender_name(&mut *conn, &details.sender).await?;
    if !update(&mut *conn, before.id, before.version, details, &sender).await? {
        return Ok(false);
    }
    let was = ReferralFields {
        title: before.title.clone(),
        description: before.description.clone(),
        sender: before.sender_name.clone(),
        sender_dnr: before.sender_dnr.clone(),
        sender_email: before.sender_email.clone(),
        received_on: before.received_on,
        deadline: before.deadline,
        secrecy: before.secret.then(|| before.secrecy_provision.clone()),
    };
    audit::record(
        conn,
        NewEvent {
            referral_id: Some(before.id),
            before: Some(audit::details(&was)),
            after: Some(audit::details(&fields(details, &sender))),
            at: Some(at),
            ..NewEvent::new(Some(actor_id), AuditAction::ReferralCorrected, before.id)
        },
    )
    .await?;
    Ok(true)
}

/// The remiss's fields as the history shows them (the same keys before and after).
fn fields(details: &ReferralDetails, sender_name: &str) -> ReferralFields {
    ReferralFields {
        title: details.title.clone(),
        description: details.description.clone(),
        sender: sender_name.to_string(),
        sender_dnr: details.sender_dnr.clone(),
        sender_email: details.sender_email.clone(),
        received_on: details.received_on,
        deadline: details.deadline,
        secrecy: details.secrecy.clone(),
    }
}

/// A registered remiss, not makulerad, that a new registration may resemble.
#[derive(Debug, Clone)]
pub struct Resembling {
    pub id: Uuid,
    pub title: String,
    pub sender: Sender,
    pub sender_dnr: String,
    /// The first of its cases' numbers.
    pub dnr: String,
}

/// The remisser, not makulerade, whose sender's dnr holds `number` (its
/// `YEAR/SEQ`, by the index) from the sender organ `organ` (None: an outside
/// body); oldest first. Whether each is the same remiss is the domain's call.
pub async fn with_sender_number(
    conn: &mut PgConnection,
    organ: Option<Uuid>,
    number: &str,
) -> sqlx::Result<Vec<Resembling>> {
    let rows = sqlx::query!(
        r#"SELECT r.id, r.title, r.sender_organ_id, r.sender_name, r.sender_dnr,
                  coalesce((SELECT c.dnr_text FROM cases c WHERE c.referral_id = r.id
                            ORDER BY c.dnr_text LIMIT 1), '') AS "dnr!"
           FROM referrals r
           WHERE r.sender_dnr_key = $1 AND r.annulled_at IS NULL
             AND r.sender_organ_id IS NOT DISTINCT FROM $2
           ORDER BY r.created_at, r.id
           LIMIT 20"#,
        number,
        organ,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Resembling {
            id: row.id,
            title: row.title,
            sender: match row.sender_organ_id {
                Some(id) => Sender::Organ(id),
                None => Sender::Outside(row.sender_name),
            },
            sender_dnr: row.sender_dnr,
            dnr: row.dnr,
        })
        .collect())
}

/// The states of a remiss's cases, each row locked: no step is taken on them
/// until the caller's transaction ends.
pub async fn lock_case_states(
    conn: &mut PgConnection,
    referral_id: Uuid,
) -> sqlx::Result<Vec<CaseState>> {
    sqlx::query_scalar!(
        r#"SELECT state AS "state: CaseState" FROM cases WHERE referral_id = $1 ORDER BY id FOR UPDATE"#,
        referral_id
    )
    .fetch_all(conn)
    .await
}

/// Makulerar a remiss with its audit event; `numbers` are its cases' dnr, which
/// stay taken. Nothing is deleted.
pub async fn annul(
    conn: &mut PgConnection,
    actor_id: Uuid,
    referral_id: Uuid,
    details: &ReferralAnnulled,
    at: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE referrals SET annulled_at = $2, annulled_by = $3, annulled_reason = $4, version = version + 1
         WHERE id = $1 AND annulled_at IS NULL",
        referral_id,
        at,
        actor_id,
        details.reason,
    )
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    audit::record(
        conn,
        NewEvent {
            referral_id: Some(referral_id),
            after: Some(audit::details(details)),
            at: Some(at),
            ..NewEvent::new(Some(actor_id), AuditAction::ReferralAnnulled, referral_id)
        },
    )
    .await?;
    Ok(true)
}

/// Records an anstånd: the remiss's deadline becomes the new one, the one it
/// replaces is kept with it, and the audit event has both.
pub async fn extend_deadline(
    conn: &mut PgConnection,
    actor_id: Uuid,
    referral_id: Uuid,
    previous: NaiveDate,
    extension: &Extension,
    at: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE referrals SET deadline = $3, version = version + 1 WHERE id = $1 AND deadline = $2",
        referral_id,
        previous,
        extension.deadline,
    )
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query!(
        "INSERT INTO deadline_extensions (id, referral_id, previous_deadline, deadline, granted_on, granted_by,
                                          note, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        Uuid::new_v4(),
        referral_id,
        previous,
        extension.deadline,
        extension.granted_on,
        extension.granted_by,
        extension.note,
        actor_id,
        at,
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        NewEvent {
            referral_id: Some(referral_id),
            before: Some(serde_json::json!({ "deadline": previous })),
            after: Some(audit::details(&DeadlineExtended {
                deadline: extension.deadline,
                granted_on: extension.granted_on,
                granted_by: extension.granted_by.clone(),
                note: extension.note.clone(),
            })),
            at: Some(at),
            ..NewEvent::new(
                Some(actor_id),
                AuditAction::ReferralDeadlineExtended,
                referral_id,
            )
        },
    )
    .await?;
    Ok(true)
}

/// An anstånd as recorded.
#[derive(Debug, Clone, Deserialize)]
pub struct ExtensionRow {
    pub previous_deadline: NaiveDate,
    pub deadline: NaiveDate,
    pub granted_on: NaiveDate,
    pub granted_by: String,
    pub note: String,
}
