//! What was decided and sent, kept as it was. When a decision becomes final — the
//! minutes that hold it adjusted, or taken by delegation — the tjänsteutlåtande as
//! decided and the protokollsutdrag of its § are rendered once and registered as
//! the case's handlingar in the same transaction; at dispatch, the yttrande as PDF
//! and DOCX, whose stored bytes are what the e-mail to the sender carries. Stored
//! by SHA-256 and never changed: a later change of code or layout alters the print
//! views and the downloads, never these.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::documents::{InMemory, register_bytes_in};
use super::outgoing::{self, final_decision, reply_parts};
use super::{Error, Result};
use crate::db;
use crate::db::cases::CaseDetail;
use crate::db::decisions::Decision;
use crate::db::documents::Belongs;
use crate::db::reports::Revision;
use crate::domain::document::{Direction, DocumentDetails};
use crate::domain::file_check::MediaType;
use crate::render::{self, RenderError};

/// The minutes of `meeting_id` have just been adjusted by `actor_id`: each § gets
/// its protokollsutdrag, and each case decided there its tjänsteutlåtande as
/// decided.
pub async fn adjusted_meeting_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor_id: Uuid,
    meeting_id: Uuid,
) -> Result<()> {
    for decision in db::decisions::for_meeting(&mut *conn, meeting_id).await? {
        if decision.paragraph.is_none() {
            continue;
        }
        let case = db::cases::get(&mut *conn, decision.case_id)
            .await?
            .ok_or(Error::NotFound)?;
        let revision = decided_revision(conn, &decision).await?;
        let kinds: &[Frozen] = if decision.outcome.stands() {
            &[Frozen::Extract, Frozen::Report]
        } else {
            &[Frozen::Extract]
        };
        for &which in kinds {
            freeze(conn, at, actor_id, &case, &decision, &revision, which).await?;
        }
    }
    Ok(())
}

/// The case has just been decided by delegation: its tjänsteutlåtande as decided.
/// (A delegation decision is no § of any minutes: there is no extract.)
pub async fn delegation_decision_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor_id: Uuid,
    case_id: Uuid,
) -> Result<()> {
    let case = db::cases::get(&mut *conn, case_id)
        .await?
        .ok_or(Error::NotFound)?;
    let decisions = db::decisions::for_case(&mut *conn, case.id).await?;
    let decision = final_decision(&decisions).ok_or_else(Error::raced)?;
    let revision = decided_revision(conn, decision).await?;
    freeze(
        conn,
        at,
        actor_id,
        &case,
        decision,
        &revision,
        Frozen::Report,
    )
    .await
}

/// The version of the report a decision was taken on.
async fn decided_revision(conn: &mut PgConnection, decision: &Decision) -> Result<Revision> {
    db::reports::get_by_id(conn, decision.revision_id)
        .await?
        .ok_or(Error::NotFound)
}

/// The two documents a decision freezes.
#[derive(Debug, Clone, Copy)]
enum Frozen {
    /// The protokollsutdrag of the decision's §.
    Extract,
    /// The tjänsteutlåtande in the version decided on.
    Report,
}

async fn freeze(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor_id: Uuid,
    case: &CaseDetail,
    decision: &Decision,
    revision: &Revision,
    which: Frozen,
) -> Result<()> {
    let (title, file_name, dated_on, text, bytes) = match which {
        Frozen::Extract => {
            let extract = outgoing::extract(case, decision, revision);
            let text = all_text(&extract);
            (
                format!(
                    "Protokollsutdrag {} {}",
                    outgoing::paragraph(decision),
                    case.dnr
                ),
                outgoing::extract_file_name(case, decision),
                decision.adjusted_on.unwrap_or(decision.decided_on),
                text,
                rendered(move || render::pdf::extract(&extract)).await?,
            )
        }
        Frozen::Report => {
            let attachments = outgoing::attachments(&mut *conn, case.id).await?;
            let report = outgoing::report(case, revision, true, &attachments);
            let text = all_text(&report);
            (
                format!("Tjänsteutlåtande {} (beslutad version)", case.dnr),
                outgoing::report_file_name(case, "pdf"),
                decision.decided_on,
                text,
                rendered(move || render::pdf::report(&report)).await?,
            )
        }
    };
    let details = DocumentDetails {
        title,
        direction: Direction::DrawnUp,
        dated_on,
        counterpart: String::new(),
        // A secret remiss's documents are secret by its provision.
        secrecy_provision: None,
    };
    register_bytes_in(
        conn,
        at,
        actor_id,
        Belongs::Case(case.id),
        InMemory {
            details: &details,
            file_name: &file_name,
            media_type: MediaType::Pdf,
            bytes: &bytes,
            text: Some(&text),
            // The decision is public now: publishable at once, unless the remiss
            // is secret or the personnummer guard finds something in the text.
            published: !case.secret,
        },
    )
    .await?;
    Ok(())
}

/// The yttrande's two files, as registered at dispatch.
#[derive(Debug, Clone, Copy)]
pub struct ReplyFiles {
    pub pdf: Uuid,
    pub docx: Uuid,
}

/// Freezes the dispatched yttrande in the dispatch's transaction: rendered once
/// (PDF and DOCX) from what the dispatch just wrote, and registered as the case's
/// outgoing handlingar, dated `on` and addressed to its recipient.
pub async fn dispatched_reply_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor_id: Uuid,
    case: &CaseDetail,
    on: NaiveDate,
) -> Result<ReplyFiles> {
    let parts = reply_parts(&mut *conn, case.id)
        .await?
        .ok_or_else(Error::raced)?;
    let reply = outgoing::reply(case, &parts);
    let recipient = reply.recipient.clone();
    let text = all_text(&reply);
    let (pdf, docx) = tokio::task::spawn_blocking(move || {
        Ok::<_, RenderError>((render::pdf::reply(&reply)?, render::docx::reply(&reply)?))
    })
    .await
    .map_err(|e| anyhow::anyhow!("rendering task: {e}"))?
    .map_err(anyhow::Error::from)?;
    let secrecy_provision = match case.secret {
        true => db::referrals::get(&mut *conn, case.referral_id)
            .await?
            .map(|r| r.secrecy_provision),
        false => None,
    };
    let details = DocumentDetails {
        title: render::reply_title(&case.referral_title),
        direction: Direction::Outgoing,
        dated_on: on,
        counterpart: recipient,
        secrecy_provision,
    };
    let mut register = async |media_type: MediaType, bytes: &[u8]| {
        let file = InMemory {
            details: &details,
            file_name: &outgoing::reply_file_name(case, media_type.extensions()[0]),
            media_type,
            bytes,
            text: Some(&text),
            published: true,
        };
        register_bytes_in(&mut *conn, at, actor_id, Belongs::Case(case.id), file)
            .await
            .map(|registered| registered.id)
    };
    Ok(ReplyFiles {
        pdf: register(MediaType::Pdf, &pdf).await?,
        docx: register(MediaType::Docx, &docx).await?,
    })
}

/// Renders off the async threads: layout is CPU work.
pub(super) async fn rendered(
    render: impl FnOnce() -> std::result::Result<Vec<u8>, RenderError> + Send + 'static,
) -> Result<Vec<u8>> {
    let bytes = tokio::task::spawn_blocking(render)
        .await
        .map_err(|e| anyhow::anyhow!("rendering task: {e}"))?
        .map_err(anyhow::Error::from)?;
    Ok(bytes)
}

/// Every text of a document, for the personnummer guard.
fn all_text<T: Serialize>(document: &T) -> String {
    fn collect(value: &serde_json::Value, out: &mut String) {
        match value {
            serde_json::Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            serde_json::Value::Object(fields) => fields.values().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    collect(
        &serde_json::to_value(document).expect("documents serialise"),
        &mut out,
    );
    out
}
