//! Documents (handlingar): registering them with their files, the registrar's
//! decisions about them (publication, annulment), and opening a file.
//!
//! An upload is taken in before its use case runs (`files`: streamed into chunks,
//! scanned, looked inside) and handed here; nothing of it is registered until the
//! use case's transaction commits, and its chunks are left to housekeeping when
//! it does not. A document held in memory (a rendered tjänsteutlåtande,
//! protokollsutdrag or yttrande) is registered in the caller's transaction by
//! [`register_bytes_in`].

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::referrals::{self, Registered as ReferralRegistered};
use super::{Actor, Context, Error, Result, commit, transaction};
use crate::db;
use crate::db::audit::{NewEvent, details};
use crate::db::documents::{Belongs, Document, NewDocument};
use crate::domain::FieldErrors;
use crate::domain::audit::{self, AuditAction};
use crate::domain::dates::stockholm_date;
use crate::domain::document::{
    self, DocumentDetails, DocumentFacts, DocumentFields, DocumentInput, Owner, PersonalData,
    PublicationFacts, Reader,
};
use crate::domain::file_check::{FileRefusal, MediaType, safe_file_name};
use crate::domain::referral::ReferralInput;
use crate::files::inspect::{InspectError, inspect};
use crate::files::store::{Ingested, ScanResult, hex, store_bytes};

/// The actor as the document rules see them.
fn reader(actor: &Actor) -> Reader<'_> {
    Reader {
        is_admin: actor.is_admin,
        roles: &actor.roles,
    }
}

/// A file taken in and looked at.
#[derive(Debug, Clone)]
pub struct Taken {
    pub ingested: Ingested,
    pub media_type: MediaType,
    /// Its text, when it could be read.
    pub text: Option<String>,
    pub scanned: bool,
}

/// A file as the form sent it: the name the browser gave, and what taking it in
/// found.
#[derive(Debug, Clone)]
pub struct FileIn {
    pub claimed_name: String,
    pub taken: std::result::Result<Taken, FileRefusal>,
}

/// Judges a file that was taken in: the virus scan's verdict first, then what it
/// is and its text.
pub async fn check_file(pool: &PgPool, ingested: Ingested) -> sqlx::Result<FileInChecked> {
    let scanned = match &ingested.scan {
        ScanResult::Clean => true,
        ScanResult::NotScanned => false,
        ScanResult::Infected(signature) => {
            return Ok(Err(FileRefusal::Infected {
                signature: signature.clone(),
            }));
        }
        ScanResult::Failed(reason) => {
            tracing::error!("virus scan failed, upload refused: {reason}");
            return Ok(Err(FileRefusal::ScannerUnavailable));
        }
    };
    match inspect(pool, &ingested).await {
        Ok(inspected) => Ok(Ok(Taken {
            ingested,
            media_type: inspected.media_type,
            text: inspected.text,
            scanned,
        })),
        Err(InspectError::Refused(refusal)) => Ok(Err(refusal)),
        Err(InspectError::Database(error)) => Err(error),
    }
}

pub type FileInChecked = std::result::Result<Taken, FileRefusal>;

/// One document of a form: its fields as typed and its file, if one was chosen.
#[derive(Debug, Clone)]
pub struct DocumentIn {
    pub fields: DocumentFields,
    pub input: DocumentInput,
    pub file: Option<FileIn>,
}

/// A document ready to be registered.
#[derive(Debug, Clone)]
struct Ready {
    fields: DocumentFields,
    details: DocumentDetails,
    file_name: String,
    taken: Taken,
}

/// Checks the documents of a form, recording each problem beside its field.
fn prepare(errors: &mut FieldErrors, documents: &[DocumentIn], today: NaiveDate) -> Vec<Ready> {
    let mut ready: Vec<Ready> = Vec::new();
    for doc in documents {
        let details = document::validate(errors, &doc.fields, &doc.input, today);
        let taken = match &doc.file {
            None => {
                errors.add(doc.fields.file, "Välj filen som ska registreras.");
                None
            }
            Some(FileIn {
                taken: Err(refusal),
                ..
            }) => {
                errors.add(doc.fields.file, refusal.to_string());
                None
            }
            Some(FileIn {
                claimed_name,
                taken: Ok(taken),
            }) => Some((safe_file_name(claimed_name, taken.media_type), taken)),
        };
        if let Some((file_name, _)) = &taken
            && ready
                .iter()
                .any(|r| r.file_name.eq_ignore_ascii_case(file_name))
        {
            errors.add(doc.fields.file, document::duplicate_name_message(file_name));
            continue;
        }
        if let (Some(details), Some((file_name, taken))) = (details, taken) {
            ready.push(Ready {
                fields: doc.fields,
                details,
                file_name,
                taken: taken.clone(),
            });
        }
    }
    ready
}

/// What was registered: each document and its numbers (`AMN 2026/3-2`).
#[derive(Debug, Clone)]
pub struct Registered {
    pub id: Uuid,
    pub numbers: Vec<String>,
}

/// Registers documents in a remiss (the registrar) or a case (its organ, or the
/// registrar).
pub async fn register(
    ctx: &Context,
    actor: &Actor,
    belongs: Belongs,
    documents: &[DocumentIn],
) -> Result<Vec<Registered>> {
    record_refusals(ctx, actor, Some(belongs), documents).await?;
    let (mut tx, now) = ctx.begin().await?;
    let registered = register_in(&mut tx, now, actor, belongs, documents).await?;
    commit(tx, registered).await
}

pub async fn register_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    belongs: Belongs,
    documents: &[DocumentIn],
) -> Result<Vec<Registered>> {
    let owner = owner(&mut *conn, belongs).await?;
    if !document::may_register(&owner, &reader(actor)) {
        return Err(Error::Forbidden(None));
    }
    let mut errors = FieldErrors::new();
    let ready = prepare(&mut errors, documents, stockholm_date(at));
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    register_ready(conn, at, actor, belongs, &ready).await
}

/// A registered remiss with its documents.
#[derive(Debug, Clone)]
pub struct RegisteredWithDocuments {
    pub referral_id: Uuid,
    pub cases: Vec<db::referrals::OpenedCase>,
    pub documents: Vec<Registered>,
}

/// Registers a remiss, its cases and its incoming documents in one transaction:
/// nothing of it stands unless all of it does. The form's problems come back
/// together, the remiss's and its documents'.
pub async fn register_referral(
    ctx: &Context,
    actor: &Actor,
    input: &ReferralInput,
    documents: &[DocumentIn],
) -> Result<RegisteredWithDocuments> {
    actor.require(actor.is_registrar())?;
    record_refusals(ctx, actor, None, documents).await?;
    let (mut tx, now) = ctx.begin().await?;
    let known = ctx.organs.ids(&mut tx).await?;
    let registered = register_referral_in(&mut tx, now, actor, &known, input, documents).await?;
    commit(tx, registered).await
}

pub async fn register_referral_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    known_organs: &[Uuid],
    input: &ReferralInput,
    documents: &[DocumentIn],
) -> Result<RegisteredWithDocuments> {
    let mut errors = FieldErrors::new();
    let ready = prepare(&mut errors, documents, stockholm_date(at));
    let ReferralRegistered { referral_id, cases } =
        match referrals::register_in(&mut *conn, at, actor, known_organs, input).await {
            Ok(registered) if errors.is_empty() => registered,
            Ok(_) => return Err(Error::Invalid(errors)),
            Err(Error::Invalid(found)) => {
                let mut all = found;
                for (field, message) in errors.iter() {
                    all.add(field, message);
                }
                return Err(Error::Invalid(all));
            }
            Err(other) => return Err(other),
        };
    let documents = register_ready(conn, at, actor, Belongs::Referral(referral_id), &ready).await?;
    Ok(RegisteredWithDocuments {
        referral_id,
        cases,
        documents,
    })
}

/// Where a document would belong, as the access rules see it.
async fn owner(conn: &mut PgConnection, belongs: Belongs) -> Result<Owner> {
    match belongs {
        Belongs::Referral(id) => {
            db::referrals::get(&mut *conn, id)
                .await?
                .ok_or(Error::NotFound)?;
            let respondents = db::referrals::cases(conn, id)
                .await?
                .into_iter()
                .map(|c| c.organ_id)
                .collect();
            Ok(Owner::Referral { respondents })
        }
        Belongs::Case(id) => {
            let case = db::cases::get(conn, id).await?.ok_or(Error::NotFound)?;
            Ok(Owner::Case {
                organ: case.organ_id,
                state: case.state,
            })
        }
    }
}

async fn register_ready(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    belongs: Belongs,
    ready: &[Ready],
) -> Result<Vec<Registered>> {
    let mut taken_names = FieldErrors::new();
    for doc in ready {
        if db::documents::file_name_taken(&mut *conn, belongs, &doc.file_name).await? {
            taken_names.add(
                doc.fields.file,
                document::duplicate_name_message(&doc.file_name),
            );
        }
    }
    if !taken_names.is_empty() {
        return Err(Error::Invalid(taken_names));
    }
    let mut registered = Vec::new();
    for doc in ready {
        let file = &doc.taken.ingested;
        db::blobs::record(&mut *conn, &file.sha256, file.size as i64, &file.parts).await?;
        let new = NewDocument {
            id: Uuid::new_v4(),
            belongs,
            details: &doc.details,
            file_name: &doc.file_name,
            media_type: doc.taken.media_type.mime(),
            size: file.size as i64,
            sha256: &file.sha256,
            virus_scan: if doc.taken.scanned {
                "clean"
            } else {
                "not_scanned"
            },
            personal_data: PersonalData::of(&doc.details.title, doc.taken.text.as_deref()),
            published: false,
            registered_by: actor.user_id,
            registered_at: at,
        };
        registered.push(insert(conn, actor.user_id, &new).await?);
    }
    Ok(registered)
}

/// Inserts a document, numbers it in its cases, and records the event.
async fn insert(
    conn: &mut PgConnection,
    actor_id: Uuid,
    new: &NewDocument<'_>,
) -> Result<Registered> {
    db::documents::insert(&mut *conn, new).await?;
    let cases = db::documents::cases_to_number(&mut *conn, new.belongs).await?;
    db::documents::number(&mut *conn, new.id, &cases).await?;
    let document = db::documents::get(&mut *conn, new.id)
        .await?
        .ok_or(Error::NotFound)?;
    let numbers: Vec<String> = document.numbers.iter().map(|(_, n)| n.clone()).collect();
    let event = audit::DocumentRegistered {
        title: new.details.title.clone(),
        numbers: numbers.join(", "),
        direction: new.details.direction.as_str(),
        dated_on: new.details.dated_on,
        file_name: new.file_name.to_string(),
        media_type: new.media_type,
        size: new.size,
        sha256: hex(new.sha256),
        secrecy: new.details.secrecy_provision.clone(),
        virus_scan: new.virus_scan,
        personal_data: new.personal_data.as_str(),
        published: new.published,
    };
    record(
        conn,
        actor_id,
        AuditAction::DocumentRegistered,
        &document,
        &event,
        new.registered_at,
    )
    .await?;
    Ok(Registered {
        id: new.id,
        numbers,
    })
}

/// A file held in memory, to be registered as a document.
#[derive(Debug, Clone, Copy)]
pub struct InMemory<'a> {
    pub details: &'a DocumentDetails,
    pub file_name: &'a str,
    pub media_type: MediaType,
    pub bytes: &'a [u8],
    /// Its text, for the personnummer guard (None: not read).
    pub text: Option<&'a str>,
    /// Mark it *får publiceras* at once (a decided yttrande of a public case);
    /// left unpublished all the same when secret or when the guard finds
    /// something or could not read it.
    pub published: bool,
}

/// Registers a document held in memory (a rendered tjänsteutlåtande,
/// protokollsutdrag or yttrande; the demo city's files) in the caller's
/// transaction: its file stored, the document numbered in its cases, its event
/// recorded as `actor_id`'s at `at`. The caller has checked that the actor may.
pub async fn register_bytes_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor_id: Uuid,
    belongs: Belongs,
    file: InMemory<'_>,
) -> Result<Registered> {
    if file.bytes.is_empty() {
        return Err(Error::Conflict(FileRefusal::Empty.to_string()));
    }
    let sha256 = store_bytes(&mut *conn, file.bytes).await?;
    let personal_data = PersonalData::of(&file.details.title, file.text);
    let new = NewDocument {
        id: Uuid::new_v4(),
        belongs,
        details: file.details,
        file_name: &safe_file_name(file.file_name, file.media_type),
        media_type: file.media_type.mime(),
        size: file.bytes.len() as i64,
        sha256: &sha256,
        // Made by the system, never uploaded.
        virus_scan: "clean",
        personal_data,
        published: file.published
            && file.details.secrecy_provision.is_none()
            && personal_data == PersonalData::NoneFound,
        registered_by: actor_id,
        registered_at: at,
    };
    insert(conn, actor_id, &new).await
}

/// The reference remiss's incoming documents: title, file name, paragraphs.
const DEMO_REFERENCE_DOCUMENTS: [(&str, &str, &[&str]); 2] = [
    (
        "Missiv – remiss av förslag till Stockholms stads trygghetsprogram 2020–2023",
        "Missiv KS 2019-1939.pdf",
        &[
            "Kommunstyrelsen, dnr KS 2019/1939. Remiss av förslag till Stockholms stads trygghetsprogram 2020–2023.",
            "Kommunstyrelsen remitterar härmed förslaget till Stockholms stads trygghetsprogram 2020–2023 till arbetsmarknadsnämnden, socialnämnden och utbildningsnämnden för yttrande.",
            "Programmet ersätter tillsammans med Stockholms stads säkerhetsprogram 2020–2023 det tidigare För ett tryggare och säkrare Stockholm – Stockholms stads trygghets- och säkerhetsprogram 2018–2021.",
            "Remissvaren ska ha kommit in till kommunstyrelsen senast den 30 april 2020. Svaren skickas till kommunstyrelsens registratur med angivande av diarienummer KS 2019/1939.",
            "Frågor om remissen besvaras av stadsledningskontorets säkerhetsavdelning.",
        ],
    ),
    (
        "Förslag till Stockholms stads trygghetsprogram 2020–2023",
        "Trygghetsprogram 2020-2023 forslag.pdf",
        &[
            "Stockholms stads trygghetsprogram 2020–2023. Förslag, remissversion.",
            "1. Inledning. Stockholm ska vara en trygg, säker och välskött stad att vistas och bo i. Programmet beskriver hur staden arbetar brottsförebyggande och trygghetsskapande, ger exempel på arbetet och beskriver de verktyg och det stöd som finns.",
            "2. Uppdrag och ansvar. Stadens nämnder och bolagsstyrelser ansvarar för det brottsförebyggande och trygghetsskapande arbetet inom sina områden och ska utifrån programmet ta fram mål, indikatorer och aktiviteter.",
            "3. Samverkan. Arbetet sker i samverkan inom stadens nämnder och bolag och med Polisregion Stockholm, Region Stockholm, näringslivet och civilsamhällets aktörer.",
            "4. Fyra perspektiv. Stadens arbete beskrivs utifrån arbetet i den offentliga miljön, det förebyggande arbetet, riktade sociala insatser och arbetet inom stadsutveckling.",
            "5. Verktyg och stöd. Information och kommunikation, stödmaterial, relevanta program och hur staden mäter brottslighet och otrygghet.",
        ],
    ),
];

/// The demo city's reference remiss (KS 2019/1939) gets its missive and
/// betänkande as PDFs, received with it and published: generated here (see
/// `files::pdf`), registered as the registrar did.
pub async fn load_demo_documents_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    registrar: &Actor,
    referral_id: Uuid,
    received_on: NaiveDate,
    sender: &str,
) -> Result<()> {
    for (title, file_name, paragraphs) in DEMO_REFERENCE_DOCUMENTS {
        let bytes = crate::files::pdf::text_document(title, paragraphs);
        let text = paragraphs.join("\n");
        let details = DocumentDetails {
            title: title.to_string(),
            direction: document::Direction::Incoming,
            dated_on: received_on,
            counterpart: sender.into(),
            secrecy_provision: None,
        };
        register_bytes_in(
            &mut *conn,
            at,
            registrar.user_id,
            Belongs::Referral(referral_id),
            InMemory {
                details: &details,
                file_name,
                media_type: MediaType::Pdf,
                bytes: &bytes,
                text: Some(&text),
                published: true,
            },
        )
        .await?;
    }
    Ok(())
}

/// Records, in a transaction of its own, every file of a form that the virus scan
/// refused: the event stands even though nothing is registered.
async fn record_refusals(
    ctx: &Context,
    actor: &Actor,
    belongs: Option<Belongs>,
    documents: &[DocumentIn],
) -> Result<()> {
    let infected: Vec<(&str, &str)> = documents
        .iter()
        .filter_map(|doc| match &doc.file {
            Some(FileIn {
                claimed_name,
                taken: Err(FileRefusal::Infected { signature }),
            }) => Some((claimed_name.as_str(), signature.as_str())),
            _ => None,
        })
        .collect();
    if infected.is_empty() {
        return Ok(());
    }
    let (mut tx, now) = ctx.begin().await?;
    let (referral_id, case_id) = match belongs {
        Some(Belongs::Referral(id)) => (Some(id), None),
        Some(Belongs::Case(id)) => (
            db::cases::get(&mut tx, id).await?.map(|c| c.referral_id),
            Some(id),
        ),
        None => (None, None),
    };
    for (file_name, signature) in infected {
        tracing::warn!(file = file_name, signature, "upload refused: malware found");
        let event = audit::VirusFound {
            file_name: file_name.to_string(),
            signature: signature.to_string(),
        };
        db::audit::record(
            &mut tx,
            NewEvent {
                referral_id,
                case_id,
                after: Some(details(&event)),
                at: Some(now),
                // The refused upload's own id: it never became a document.
                ..NewEvent::new(
                    Some(actor.user_id),
                    AuditAction::DocumentVirusFound,
                    Uuid::new_v4(),
                )
            },
        )
        .await?;
    }
    commit(tx, ()).await
}

async fn record(
    conn: &mut PgConnection,
    actor_id: Uuid,
    action: AuditAction,
    document: &Document,
    event: &impl serde::Serialize,
    at: DateTime<Utc>,
) -> Result<()> {
    db::audit::record(
        conn,
        NewEvent {
            referral_id: Some(document.referral_id),
            case_id: document.case_id,
            after: Some(details(event)),
            at: Some(at),
            ..NewEvent::new(Some(actor_id), action, document.id)
        },
    )
    .await?;
    Ok(())
}

/// The event of a decision about `document`.
fn decision(document: &Document) -> audit::DocumentDecision {
    audit::DocumentDecision {
        title: document.title.clone(),
        numbers: document.numbers_text(),
        personal_data: None,
        personal_data_checked: None,
        reason: None,
    }
}

/// What decides who may read a document.
pub fn facts(document: &Document) -> DocumentFacts {
    let owner = match (document.case_organ, document.case_state) {
        (Some(organ), Some(state)) => Owner::Case { organ, state },
        _ => Owner::Referral {
            respondents: document.respondents.clone(),
        },
    };
    DocumentFacts {
        owner,
        direction: document.direction,
        secret: is_secret(document),
    }
}

/// Secret by its own provision or its remiss's.
pub fn is_secret(document: &Document) -> bool {
    document.secrecy_provision.is_some() || document.referral_secrecy.is_some()
}

/// The provision that makes it secret, its own first.
pub fn provision(document: &Document) -> Option<&str> {
    document
        .secrecy_provision
        .as_deref()
        .or(document.referral_secrecy.as_deref())
}

/// A document for its page: found, and listed for this reader.
pub async fn show(ctx: &Context, actor: &Actor, id: Uuid) -> Result<Document> {
    let mut conn = ctx.pool.acquire().await?;
    let document = db::documents::get(&mut conn, id)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(facts(&document).may_list(&reader(actor)))?;
    Ok(document)
}

/// Whether the actor may open the document's file.
pub fn may_read(actor: &Actor, document: &Document) -> bool {
    facts(document).may_read(&reader(actor))
}

/// Opens a document's file for `actor`: refused unless they may read it; a secret
/// document's opening is recorded (who read it, when) before a byte is sent.
pub async fn open(ctx: &Context, actor: &Actor, id: Uuid) -> Result<Document> {
    transaction!(ctx, open_in, actor, id)
}

pub async fn open_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    id: Uuid,
) -> Result<Document> {
    let document = db::documents::get(&mut *conn, id)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(may_read(actor, &document))?;
    if is_secret(&document) {
        let event = decision(&document);
        record(
            conn,
            actor.user_id,
            AuditAction::DocumentSecretRead,
            &document,
            &event,
            at,
        )
        .await?;
    }
    Ok(document)
}

/// The document numbered `number` in a case, if the public may download it.
pub async fn open_published(ctx: &Context, case_id: Uuid, number: i32) -> Result<Document> {
    let mut conn = ctx.pool.acquire().await?;
    let id = db::documents::published_in_case(&mut conn, case_id, number)
        .await?
        .ok_or(Error::NotFound)?;
    db::documents::get(&mut conn, id)
        .await?
        .ok_or(Error::NotFound)
}

/// The registrar's decision that a document may, or may no longer, be published.
/// Publishing a document whose personal data needs a look requires `confirmed`
/// (the registrar has looked), which is recorded.
pub async fn decide_publication(
    ctx: &Context,
    actor: &Actor,
    id: Uuid,
    publish: bool,
    confirmed: bool,
) -> Result<()> {
    transaction!(ctx, decide_publication_in, actor, id, publish, confirmed)
}

pub async fn decide_publication_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    id: Uuid,
    publish: bool,
    confirmed: bool,
) -> Result<()> {
    let document = db::documents::lock(&mut *conn, id)
        .await?
        .ok_or(Error::NotFound)?;
    let reader = reader(actor);
    actor.require(facts(&document).may_list(&reader))?;
    let published = document.published_at.is_some();
    if !publish {
        if !reader.is_registrar() {
            return Err(Error::Forbidden(Some(
                document::PublicationRefusal::NotRegistrar.message_sv(),
            )));
        }
        if published {
            db::documents::unpublish(&mut *conn, id).await?;
            let event = decision(&document);
            record(
                conn,
                actor.user_id,
                AuditAction::DocumentUnpublished,
                &document,
                &event,
                at,
            )
            .await?;
        }
        return Ok(());
    }
    let standing = PublicationFacts {
        facts: facts(&document),
        annulled: document.annulled_at.is_some(),
        personal_data: document.personal_data,
        checked: document.checked_at.is_some(),
    };
    document::may_publish(&standing, &reader, confirmed).map_err(|refusal| match refusal {
        document::PublicationRefusal::NotRegistrar => Error::Forbidden(Some(refusal.message_sv())),
        document::PublicationRefusal::NeedsCheck(_) => {
            Error::invalid("confirmed", refusal.message_sv())
        }
        _ => Error::Conflict(refusal.message_sv()),
    })?;
    if published {
        return Ok(());
    }
    let checked_now =
        confirmed && document.personal_data.needs_check() && document.checked_at.is_none();
    db::documents::publish(&mut *conn, id, actor.user_id, at, checked_now).await?;
    let event = audit::DocumentDecision {
        personal_data: Some(document.personal_data.as_str()),
        personal_data_checked: Some(checked_now),
        ..decision(&document)
    };
    record(
        conn,
        actor.user_id,
        AuditAction::DocumentPublished,
        &document,
        &event,
        at,
    )
    .await
}

/// Annuls a document (makulering) with its reason: it stays, marked, with its
/// numbers; it is no longer published.
pub async fn annul(ctx: &Context, actor: &Actor, id: Uuid, reason: &str) -> Result<()> {
    transaction!(ctx, annul_in, actor, id, reason)
}

pub async fn annul_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    id: Uuid,
    reason: &str,
) -> Result<()> {
    let document = db::documents::lock(&mut *conn, id)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(facts(&document).may_list(&reader(actor)))?;
    if !actor.is_registrar() {
        return Err(Error::Forbidden(Some(
            "Bara en registrator kan makulera en handling.".into(),
        )));
    }
    if document.annulled_at.is_some() {
        return Err(Error::Conflict("Handlingen är redan makulerad.".into()));
    }
    let mut errors = FieldErrors::new();
    let reason = document::validate_reason(&mut errors, "reason", reason);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    db::documents::annul(&mut *conn, id, actor.user_id, at, &reason).await?;
    let event = audit::DocumentDecision {
        reason: Some(reason),
        ..decision(&document)
    };
    record(
        conn,
        actor.user_id,
        AuditAction::DocumentAnnulled,
        &document,
        &event,
        at,
    )
    .await
}

/// Documents of a remiss, as `actor` may see them listed; on the connection the
/// page reads the rest with.
pub async fn of_referral_in(
    conn: &mut PgConnection,
    actor: &Actor,
    referral_id: Uuid,
) -> Result<Vec<Document>> {
    let documents = db::documents::of_referral(conn, referral_id).await?;
    Ok(listed(actor, documents))
}

/// Documents numbered in a case, as `actor` may see them listed; on the
/// connection the page reads the rest with.
pub async fn of_case_in(
    conn: &mut PgConnection,
    actor: &Actor,
    case_id: Uuid,
) -> Result<Vec<Document>> {
    let documents = db::documents::of_case(conn, case_id).await?;
    Ok(listed(actor, documents))
}

fn listed(actor: &Actor, documents: Vec<Document>) -> Vec<Document> {
    let reader = reader(actor);
    documents
        .into_iter()
        .filter(|d| facts(d).may_list(&reader))
        .collect()
}
