//! Documents (handlingar): registration with their numbers in each case, the
//! registrar's decisions about them, and the lists the pages show.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::CaseState;
use crate::domain::document::{Direction, DocumentDetails, PersonalData};

/// What a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Belongs {
    Referral(Uuid),
    Case(Uuid),
}

#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    pub id: Uuid,
    pub belongs: Belongs,
    pub details: &'a DocumentDetails,
    pub file_name: &'a str,
    pub media_type: &'static str,
    pub size: i64,
    pub sha256: &'a [u8],
    /// `clean` or `not_scanned`.
    pub virus_scan: &'static str,
    pub personal_data: PersonalData,
    /// Published at registration (a decided yttrande of a public case).
    pub published: bool,
    pub registered_by: Uuid,
    pub registered_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut PgConnection, doc: &NewDocument<'_>) -> sqlx::Result<()> {
    let (referral_id, case_id) = match doc.belongs {
        Belongs::Referral(id) => (Some(id), None),
        Belongs::Case(id) => (None, Some(id)),
    };
    let published_by = doc.published.then_some(doc.registered_by);
    let published_at = doc.published.then_some(doc.registered_at);
    sqlx::query!(
        "INSERT INTO documents (id, referral_id, case_id, title, direction, dated_on, counterpart,
                                file_name, media_type, size, sha256, secrecy_provision, virus_scan,
                                personal_data, published_by, published_at, registered_by, registered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        doc.id,
        referral_id,
        case_id,
        doc.details.title,
        doc.details.direction.as_str(),
        doc.details.dated_on,
        doc.details.counterpart,
        doc.file_name,
        doc.media_type,
        doc.size,
        doc.sha256,
        doc.details.secrecy_provision,
        doc.virus_scan,
        doc.personal_data.as_str(),
        published_by,
        published_at,
        doc.registered_by,
        doc.registered_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives the document the next number of each case's series, in one statement.
/// The series rows are taken in case order, so concurrent registrations wait for
/// each other instead of deadlocking; a rolled-back registration gives its
/// numbers back, so the numbers are gapless. Returns (case, number) per case.
pub async fn number(
    conn: &mut PgConnection,
    document_id: Uuid,
    case_ids: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, i32)>> {
    let mut case_ids = case_ids.to_vec();
    case_ids.sort();
    let rows = sqlx::query!(
        r#"WITH seq AS (
               INSERT INTO document_series (case_id, last_number)
               SELECT case_id, 1 FROM unnest($1::uuid[]) AS case_id ORDER BY case_id
               ON CONFLICT (case_id) DO UPDATE SET last_number = document_series.last_number + 1
               RETURNING case_id, last_number
           )
           INSERT INTO document_numbers (case_id, number, document_id)
           SELECT case_id, last_number, $2 FROM seq
           RETURNING case_id, number"#,
        &case_ids,
        document_id,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.case_id, r.number)).collect())
}

/// The cases a new document of `belongs` is numbered in: every case of a remiss,
/// or the one case.
pub async fn cases_to_number(conn: &mut PgConnection, belongs: Belongs) -> sqlx::Result<Vec<Uuid>> {
    match belongs {
        Belongs::Case(id) => Ok(vec![id]),
        Belongs::Referral(id) => {
            sqlx::query_scalar!(
                "SELECT id FROM cases WHERE referral_id = $1 ORDER BY id",
                id
            )
            .fetch_all(conn)
            .await
        }
    }
}

/// Whether a standing document of the same remiss or case has this file name.
pub async fn file_name_taken(
    conn: &mut PgConnection,
    belongs: Belongs,
    file_name: &str,
) -> sqlx::Result<bool> {
    let (referral_id, case_id) = match belongs {
        Belongs::Referral(id) => (Some(id), None),
        Belongs::Case(id) => (None, Some(id)),
    };
    sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT 1 FROM documents
               WHERE (referral_id = $1 OR case_id = $2) AND lower(file_name) = lower($3)
                 AND annulled_at IS NULL
           ) AS "taken!""#,
        referral_id,
        case_id,
        file_name,
    )
    .fetch_one(conn)
    .await
}

/// A document with what the pages and the access rules need.
#[derive(Debug, Clone)]
pub struct Document {
    pub id: Uuid,
    /// Set for a remiss's document.
    pub own_referral_id: Option<Uuid>,
    /// Set for a case's own document.
    pub case_id: Option<Uuid>,
    pub title: String,
    pub direction: Direction,
    pub dated_on: NaiveDate,
    pub counterpart: String,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: Vec<u8>,
    pub secrecy_provision: Option<String>,
    pub virus_scanned: bool,
    pub personal_data: PersonalData,
    pub checked_by: Option<String>,
    pub checked_at: Option<DateTime<Utc>>,
    pub published_by: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub annulled_by: Option<String>,
    pub annulled_at: Option<DateTime<Utc>>,
    pub annulled_reason: Option<String>,
    pub registered_by: String,
    pub registered_at: DateTime<Utc>,
    /// The remiss it belongs to, directly or through its case.
    pub referral_id: Uuid,
    pub referral_title: String,
    pub referral_secrecy: Option<String>,
    /// The organs of the remiss's cases.
    pub respondents: Vec<Uuid>,
    /// For a case's own document: the case's organ and state.
    pub case_organ: Option<Uuid>,
    pub case_state: Option<CaseState>,
    /// Its numbers: (case, `AMN 2026/3-2`), in case order.
    pub numbers: Vec<(Uuid, String)>,
}

impl Document {
    /// The number in one case, `AMN 2026/3-2`.
    pub fn number_in(&self, case_id: Uuid) -> Option<&str> {
        self.numbers
            .iter()
            .find(|(c, _)| *c == case_id)
            .map(|(_, n)| n.as_str())
    }

    /// Every number, `AMN 2026/3-1, SN 2026/7-1`.
    pub fn numbers_text(&self) -> String {
        self.numbers
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Which documents a read lists, and in what order.
#[derive(Debug, Clone, Copy)]
enum Listing<'a> {
    /// These, in the order given.
    Ids(&'a [Uuid]),
    /// Every document numbered in the case, by number.
    NumberedIn(Uuid),
    /// The remiss's own documents, in the order registered.
    OfReferral(Uuid),
}

/// These documents, in the order given; unknown ids are left out.
pub async fn by_ids(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<Vec<Document>> {
    read(conn, Listing::Ids(ids)).await
}

/// The documents of `listing` in one statement: each listing's ids come from a
/// part of the union that reads its own index (the other parts are given NULL
/// and read nothing).
async fn read(conn: &mut PgConnection, listing: Listing<'_>) -> sqlx::Result<Vec<Document>> {
    let (ids, case_id, referral_id) = match listing {
        Listing::Ids(ids) => (Some(ids), None, None),
        Listing::NumberedIn(case_id) => (None, Some(case_id), None),
        Listing::OfReferral(referral_id) => (None, None, Some(referral_id)),
    };
    let rows = sqlx::query!(
        r#"SELECT d.id, d.referral_id AS own_referral_id, d.case_id, d.title, d.direction, d.dated_on,
                  d.counterpart, d.file_name, d.media_type, d.size, d.sha256, d.secrecy_provision,
                  d.virus_scan, d.personal_data,
                  cu.display_name AS "checked_by?", d.personal_data_checked_at AS checked_at,
                  pu.display_name AS "published_by?", d.published_at,
                  au.display_name AS "annulled_by?", d.annulled_at, d.annulled_reason,
                  ru.display_name AS registered_by, d.registered_at,
                  r.id AS referral_id, r.title AS referral_title, r.secret AS referral_secret,
                  r.secrecy_provision AS referral_provision,
                  c.organ_id AS "case_organ?", c.state AS "case_state?",
                  (SELECT coalesce(array_agg(rc.organ_id ORDER BY rc.organ_id), '{}')
                   FROM cases rc WHERE rc.referral_id = r.id) AS "respondents!",
                  (SELECT coalesce(array_agg(n.case_id ORDER BY nc.dnr_prefix, n.case_id), '{}')
                   FROM document_numbers n JOIN cases nc ON nc.id = n.case_id
                   WHERE n.document_id = d.id) AS "number_cases!",
                  (SELECT coalesce(array_agg(nc.dnr_text || '-' || n.number ORDER BY nc.dnr_prefix, n.case_id), '{}')
                   FROM document_numbers n JOIN cases nc ON nc.id = n.case_id
                   WHERE n.document_id = d.id) AS "number_texts!"
           FROM (SELECT id, n FROM unnest($1::uuid[]) WITH ORDINALITY AS l(id, n)
                 UNION ALL
                 SELECT document_id, number::bigint FROM document_numbers WHERE case_id = $2
                 UNION ALL
                 SELECT id, row_number() OVER (ORDER BY registered_at, id) FROM documents
                 WHERE referral_id = $3) AS p(id, n)
           JOIN documents d ON d.id = p.id
           LEFT JOIN cases c ON c.id = d.case_id
           JOIN referrals r ON r.id = coalesce(d.referral_id, c.referral_id)
           JOIN users ru ON ru.id = d.registered_by
           LEFT JOIN users cu ON cu.id = d.personal_data_checked_by
           LEFT JOIN users pu ON pu.id = d.published_by
           LEFT JOIN users au ON au.id = d.annulled_by
           ORDER BY p.n"#,
        ids,
        case_id,
        referral_id,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Document {
            id: row.id,
            own_referral_id: row.own_referral_id,
            case_id: row.case_id,
            title: row.title,
            direction: Direction::parse(&row.direction).expect("direction CHECK-constrained"),
            dated_on: row.dated_on,
            counterpart: row.counterpart,
            file_name: row.file_name,
            media_type: row.media_type,
            size: row.size,
            sha256: row.sha256,
            secrecy_provision: row.secrecy_provision,
            virus_scanned: row.virus_scan == "clean",
            personal_data: PersonalData::parse(&row.personal_data)
                .expect("personal_data CHECK-constrained"),
            checked_by: row.checked_by,
            checked_at: row.checked_at,
            published_by: row.published_by,
            published_at: row.published_at,
            annulled_by: row.annulled_by,
            annulled_at: row.annulled_at,
            annulled_reason: row.annulled_reason,
            registered_by: row.registered_by,
            registered_at: row.registered_at,
            referral_id: row.referral_id,
            referral_title: row.referral_title,
            referral_secrecy: row.referral_secret.then_some(row.referral_provision),
            respondents: row.respondents,
            case_organ: row.case_organ,
            case_state: row
                .case_state
                .as_deref()
                .map(|state| CaseState::parse(state).expect("state CHECK-constrained")),
            numbers: row.number_cases.into_iter().zip(row.number_texts).collect(),
        })
        .collect())
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Document>> {
    Ok(by_ids(conn, &[id]).await?.pop())
}

/// Locks the document's row until the transaction ends (a decision about it).
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Document>> {
    let found = sqlx::query_scalar!("SELECT id FROM documents WHERE id = $1 FOR UPDATE", id)
        .fetch_optional(&mut *conn)
        .await?;
    match found {
        Some(id) => get(conn, id).await,
        None => Ok(None),
    }
}

/// A remiss's own documents, in the order registered.
pub async fn of_referral(
    conn: &mut PgConnection,
    referral_id: Uuid,
) -> sqlx::Result<Vec<Document>> {
    read(conn, Listing::OfReferral(referral_id)).await
}

/// Every document numbered in a case (its remiss's and its own), by number.
pub async fn of_case(conn: &mut PgConnection, case_id: Uuid) -> sqlx::Result<Vec<Document>> {
    read(conn, Listing::NumberedIn(case_id)).await
}

/// Marks the document *får publiceras*; with `checked`, also records that the
/// registrar has looked at its personal data.
pub async fn publish(
    conn: &mut PgConnection,
    id: Uuid,
    by: Uuid,
    at: DateTime<Utc>,
    checked: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE documents SET published_by = $2, published_at = $3,
                personal_data_checked_by = CASE WHEN $4 THEN $2 ELSE personal_data_checked_by END,
                personal_data_checked_at = CASE WHEN $4 THEN $3 ELSE personal_data_checked_at END
         WHERE id = $1",
        id,
        by,
        at,
        checked,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Withdraws the publication.
pub async fn unpublish(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE documents SET published_by = NULL, published_at = NULL WHERE id = $1",
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Annuls the document (makulering): it stays, marked, and is no longer published.
pub async fn annul(
    conn: &mut PgConnection,
    id: Uuid,
    by: Uuid,
    at: DateTime<Utc>,
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE documents SET annulled_by = $2, annulled_at = $3, annulled_reason = $4,
                published_by = NULL, published_at = NULL
         WHERE id = $1",
        id,
        by,
        at,
        reason,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A document as the public diarium lists it under a case.
#[derive(Debug, Clone)]
pub struct DiariumDocument {
    pub case_id: Uuid,
    pub number: i32,
    pub number_text: String,
    pub title: String,
    pub direction: Direction,
    pub dated_on: NaiveDate,
    pub secrecy_provision: Option<String>,
    pub annulled: bool,
    pub published: bool,
    pub media_type: String,
    pub size: i64,
}

/// The documents of these cases that are allmänna handlingar (everything but a
/// drawn-up document of a case not yet settled), by case and number.
pub async fn for_diarium(
    conn: &mut PgConnection,
    case_ids: &[Uuid],
) -> sqlx::Result<Vec<DiariumDocument>> {
    let rows = sqlx::query!(
        r#"SELECT n.case_id, n.number, c.dnr_text || '-' || n.number AS "number_text!", d.title,
                  d.direction, d.dated_on, d.secrecy_provision, d.annulled_at IS NOT NULL AS "annulled!",
                  d.published_at IS NOT NULL AS "published!", d.media_type, d.size
           FROM document_numbers n
           JOIN cases c ON c.id = n.case_id
           JOIN documents d ON d.id = n.document_id
           WHERE n.case_id = ANY($1)
             AND NOT (d.case_id IS NOT NULL AND d.direction = 'drawn_up'
                      AND c.state NOT IN ('decided', 'answered', 'declined'))
           ORDER BY n.case_id, n.number"#,
        case_ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| DiariumDocument {
            case_id: row.case_id,
            number: row.number,
            number_text: row.number_text,
            title: row.title,
            direction: Direction::parse(&row.direction).expect("direction CHECK-constrained"),
            dated_on: row.dated_on,
            secrecy_provision: row.secrecy_provision,
            annulled: row.annulled,
            published: row.published,
            media_type: row.media_type,
            size: row.size,
        })
        .collect())
}

/// The document numbered `number` in a case, if the public may download it: a
/// published, standing, non-secret document of a remiss that is not secret.
/// (Publication is only ever decided for an allmän handling.)
pub async fn published_in_case(
    conn: &mut PgConnection,
    case_id: Uuid,
    number: i32,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT d.id FROM document_numbers n
         JOIN documents d ON d.id = n.document_id
         JOIN cases c ON c.id = n.case_id
         JOIN referrals r ON r.id = c.referral_id
         WHERE n.case_id = $1 AND n.number = $2
           AND d.published_at IS NOT NULL AND d.annulled_at IS NULL
           AND d.secrecy_provision IS NULL AND NOT r.secret",
        case_id,
        number,
    )
    .fetch_optional(conn)
    .await
}
