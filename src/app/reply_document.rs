//! The yttrande as a document: its data for rendering (the print view's files
//! and the public diarium's read it here too), and at dispatch the yttrande
//! frozen: rendered once as PDF and DOCX and registered as the case's outgoing
//! handlingar, whose stored bytes are what the e-mail to the sender carries.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::documents::{InMemory, register_bytes_in};
use super::{Error, Result};
use crate::db;
use crate::db::cases::CaseDetail;
use crate::db::decisions::Decision;
use crate::db::documents::Belongs;
use crate::db::reports::Revision;
use crate::domain::dates::format_stockholm;
use crate::domain::document::{Direction, DocumentDetails};
use crate::domain::file_check::MediaType;
use crate::domain::meeting::{MemberStatement, paragraph_label};
use crate::domain::report::paragraphs;
use crate::domain::workflow::DecisionOutcome;
use crate::render::{self, RenderError};

/// A decision is public once the minutes that hold it are adjusted (justering),
/// or at once when taken by delegation, outside a meeting. Until then outsiders
/// read it neither in the yttrande, nor in the protokollsutdrag, nor as the
/// decided version of the report.
pub fn is_public(decision: &Decision) -> bool {
    decision.meeting_id.is_none() || decision.adjusted_on.is_some()
}

/// The decision that stands: adopted, amended or by delegation.
pub fn final_decision(decisions: &[Decision]) -> Option<&Decision> {
    decisions.iter().rfind(|d| {
        matches!(
            d.outcome,
            DecisionOutcome::Adopted | DecisionOutcome::Amended | DecisionOutcome::Delegation
        )
    })
}

/// The decision points: the report's proposals, or the amended text.
pub fn decision_lines(decision: &Decision, revision: &Revision) -> Vec<String> {
    match decision.outcome {
        DecisionOutcome::Amended => paragraphs(&decision.decision_text),
        _ => revision.content.proposals.clone(),
    }
}

/// What a yttrande is made of: the standing decision, the report it was taken on,
/// and the dispatch once done.
pub struct ReplyParts {
    pub decision: Decision,
    pub revision: Revision,
    pub reply: Option<db::decisions::Reply>,
}

/// The parts of a decided case's yttrande (None before a decision stands).
pub async fn reply_parts(
    conn: &mut PgConnection,
    case_id: Uuid,
) -> sqlx::Result<Option<ReplyParts>> {
    let decisions = db::decisions::for_case(&mut *conn, case_id).await?;
    let Some(decision) = final_decision(&decisions).cloned() else {
        return Ok(None);
    };
    let revision = db::reports::get_by_id(&mut *conn, decision.revision_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let reply = db::decisions::reply(conn, case_id).await?;
    Ok(Some(ReplyParts {
        decision,
        revision,
        reply,
    }))
}

pub fn header(case: &CaseDetail, date: NaiveDate) -> render::Header {
    render::Header {
        organ: case.organ_name.clone(),
        administration: case.administration.clone(),
        dnr: case.dnr.to_string(),
        date,
        officer: case.officer_name.as_ref().map(|name| render::Person {
            name: name.clone(),
            title: case.officer_title.clone().unwrap_or_default(),
        }),
    }
}

pub fn report_body(case: &CaseDetail, revision: &Revision) -> render::ReportBody {
    let content = &revision.content;
    render::ReportBody {
        title: content.title.clone(),
        sender: render::Sender {
            name: case.sender_name.clone(),
            reference: case.sender_dnr.clone(),
            municipal: case.sender_is_organ,
        },
        proposals: content.proposals.clone(),
        summary: paragraphs(&content.summary),
        preparation: paragraphs(&content.preparation),
        background: paragraphs(&content.background),
        considerations: paragraphs(&content.considerations),
        signatories: content
            .signatories
            .iter()
            .map(|s| render::Person {
                name: s.name.clone(),
                title: s.title.clone(),
            })
            .collect(),
        // The case's handlingar are not registered yet (the document store):
        // a report lists no bilagor of its own until they are.
        attachments: Vec::new(),
    }
}

pub fn statements(list: &[MemberStatement]) -> Vec<render::Statement> {
    list.iter()
        .map(|s| render::Statement {
            member: s.member.clone(),
            party: s.party.clone(),
            text: s.text.clone(),
        })
        .collect()
}

/// The yttrande's data, and whether its decision is public yet (None before a
/// decision stands).
pub async fn reply_data(
    conn: &mut PgConnection,
    case: &CaseDetail,
) -> sqlx::Result<Option<(render::Reply, bool)>> {
    let Some(ReplyParts {
        decision,
        revision,
        reply,
    }) = reply_parts(&mut *conn, case.id).await?
    else {
        return Ok(None);
    };
    let public = is_public(&decision);
    let decided_at = match &decision.delegation_reference {
        Some(reference) => render::DecidedAt::Delegation {
            reference: reference.clone(),
            by: decision.decided_by_name.clone(),
            on: decision.decided_on,
        },
        None => render::DecidedAt::Meeting {
            when: decision
                .meeting_starts_at
                .map(format_stockholm)
                .unwrap_or_else(|| decision.decided_on.to_string()),
            paragraph: decision.paragraph.map(paragraph_label).unwrap_or_default(),
        },
    };
    let signatures = match &decided_at {
        render::DecidedAt::Delegation { by, .. } => vec![render::Person {
            name: by.clone(),
            title: "Beslutande på delegation".into(),
        }],
        // The chair signs by hand; the secretary is who dispatched the yttrande,
        // or else who recorded the decision.
        render::DecidedAt::Meeting { .. } => vec![
            render::Person {
                name: String::new(),
                title: "Ordförande".into(),
            },
            render::Person {
                name: reply
                    .as_ref()
                    .map_or(&decision.decided_by_name, |r| &r.dispatched_by_name)
                    .clone(),
                title: "Sekreterare".into(),
            },
        ],
    };
    let reply = render::Reply {
        header: header(case, decision.decided_on),
        referral_title: case.referral_title.clone(),
        recipient: reply
            .as_ref()
            .map_or(&case.sender_name, |r| &r.recipient)
            .clone(),
        decided_at,
        decision: decision_lines(&decision, &revision),
        reservations: statements(&decision.reservations),
        dispatched_on: reply.as_ref().map(|r| r.dispatched_on),
        signatures,
        report: report_body(case, &revision),
    };
    Ok(Some((reply, public)))
}

/// The yttrande's two files, as registered at dispatch.
#[derive(Debug, Clone, Copy)]
pub struct Frozen {
    pub pdf: Uuid,
    pub docx: Uuid,
}

/// Freezes the dispatched yttrande in the dispatch's transaction: rendered once
/// (PDF and DOCX, off the async threads) from what the dispatch just wrote, and
/// registered as the case's outgoing handlingar, dated `on` and addressed to
/// `recipient`. `text` is its text, for the personnummer guard.
pub async fn freeze_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor_id: Uuid,
    case: &CaseDetail,
    on: NaiveDate,
    text: &str,
) -> Result<Frozen> {
    let (reply, _) = reply_data(&mut *conn, case)
        .await?
        .ok_or_else(Error::raced)?;
    let recipient = reply.recipient.clone();
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
            file_name: &reply_file_name(case, media_type.extensions()[0]),
            media_type,
            bytes,
            text: Some(text),
            published: true,
        };
        register_bytes_in(&mut *conn, at, actor_id, Belongs::Case(case.id), file)
            .await
            .map(|registered| registered.id)
    };
    Ok(Frozen {
        pdf: register(MediaType::Pdf, &pdf).await?,
        docx: register(MediaType::Docx, &docx).await?,
    })
}

/// `Yttrande AMN 2026-3 över LI2025-01842.pdf`; without the sender's reference,
/// `Yttrande AMN 2026-3.pdf`.
pub fn reply_file_name(case: &CaseDetail, extension: &str) -> String {
    let dnr = case.dnr.to_string();
    let sender_reference = case.sender_dnr.trim();
    if sender_reference.is_empty() {
        render::file_name(&["Yttrande", &dnr], extension)
    } else {
        render::file_name(&["Yttrande", &dnr, "över", sender_reference], extension)
    }
}
