//! The case's outgoing documents — the tjänsteutlåtande, the protokollsutdrag of a
//! §, the yttrande — built from the record as `render`'s documents: for the files a
//! reader downloads, and for the copies frozen as the case's handlingar
//! ([`super::frozen`]). Which decision a document shows and when it is public are
//! decided here once, for the print views too.

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use super::Result;
use crate::db;
use crate::db::cases::CaseDetail;
use crate::db::decisions::Decision;
use crate::db::reports::Revision;
use crate::domain::dates::{format_stockholm, stockholm_date};
use crate::domain::document::is_report_attachment;
use crate::domain::meeting::{MemberStatement, paragraph_label};
use crate::domain::report::paragraphs;
use crate::domain::roster::chair_name;
use crate::domain::workflow::DecisionOutcome;
use crate::render;

/// A decision is public once the minutes that hold it are adjusted (justering, or
/// omedelbar justering of its paragraph), or at once when taken by delegation,
/// outside a meeting. Until then outsiders read it neither in the yttrande, nor in
/// the protokollsutdrag, nor as the decided version of the report.
pub fn is_public(decision: &Decision) -> bool {
    decision.meeting_id.is_none() || decision.adjusted_on.is_some() || decision.adjusted_at_once
}

/// The decision that stands: adopted, amended or by delegation.
pub fn final_decision(decisions: &[Decision]) -> Option<&Decision> {
    decisions.iter().rfind(|d| d.outcome.stands())
}

/// The lines of what the board decided: the report's proposals, or the amended text.
pub fn decision_lines(decision: &Decision, revision: &Revision) -> Vec<String> {
    match decision.outcome {
        DecisionOutcome::Amended => paragraphs(&decision.decision_text),
        _ => revision.content.proposals.clone(),
    }
}

fn header(case: &CaseDetail, date: NaiveDate) -> render::Header {
    render::Header {
        organ: case.organ_name.clone(),
        administration: case.administration.clone(),
        dnr: case.dnr.to_string(),
        date,
        officer: case.officer_name.as_ref().map(|name| render::Person {
            name: name.clone(),
            title: case.officer_title.clone().unwrap_or_default(),
            email: case.officer_email.clone().unwrap_or_default(),
        }),
    }
}

/// The titles of the report's bilagor: the handlingar that came in to the case
/// (the remiss's documents and later additions), in their number order.
pub async fn attachments(conn: &mut PgConnection, case_id: Uuid) -> Result<Vec<String>> {
    Ok(db::documents::of_case(conn, case_id)
        .await?
        .into_iter()
        .filter(|d| is_report_attachment(d.direction, d.annulled_at.is_some()))
        .map(|d| d.title)
        .collect())
}

fn report_body(
    case: &CaseDetail,
    revision: &Revision,
    attachments: &[String],
) -> render::ReportBody {
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
                ..render::Person::default()
            })
            .collect(),
        attachments: attachments.to_vec(),
    }
}

/// The tjänsteutlåtande: the version decided on, or (`decided` false) a draft,
/// marked as working material; `attachments` as [`attachments`] reads them.
pub fn report(
    case: &CaseDetail,
    revision: &Revision,
    decided: bool,
    attachments: &[String],
) -> render::Report {
    render::Report {
        header: header(case, stockholm_date(revision.created_at)),
        status: (!decided).then(|| "Utkast – arbetsmaterial".to_string()),
        body: report_body(case, revision, attachments),
    }
}

/// What the paragraph decided: the decision `lines`, or the reason it went back
/// or was tabled.
pub fn decided(decision: &Decision, lines: Vec<String>) -> render::ExtractDecision {
    match decision.outcome {
        DecisionOutcome::ReferredBack => render::ExtractDecision::ReferredBack {
            reason: paragraphs(&decision.reason),
        },
        DecisionOutcome::Tabled => render::ExtractDecision::Tabled {
            reason: paragraphs(&decision.reason),
        },
        _ => render::ExtractDecision::Decided { points: lines },
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

fn meeting_day(decision: &Decision) -> NaiveDate {
    decision
        .meeting_starts_at
        .map(stockholm_date)
        .unwrap_or(decision.decided_on)
}

/// The § of the minutes that holds `decision`.
pub fn extract(case: &CaseDetail, decision: &Decision, revision: &Revision) -> render::Extract {
    render::Extract {
        header: render::Header {
            officer: None,
            ..header(case, meeting_day(decision))
        },
        meeting: decision
            .meeting_starts_at
            .map(format_stockholm)
            .unwrap_or_default(),
        place: decision.meeting_place.clone().unwrap_or_default(),
        paragraph: paragraph(decision),
        title: case.referral_title.clone(),
        attendance: paragraphs(&decision.attendance),
        decision: decided(decision, decision_lines(decision, revision)),
        reservations: statements(&decision.reservations),
        statements: statements(&decision.statements),
        adjustment: decision.adjusted_on.map(|on| render::Adjustment {
            on,
            by: decision.adjusted_by.clone().unwrap_or_default(),
            certified_by: decision.decided_by_name.clone(),
        }),
    }
}

/// `§ 12`, or empty for a decision outside a meeting.
pub fn paragraph(decision: &Decision) -> String {
    decision.paragraph.map(paragraph_label).unwrap_or_default()
}

/// What a yttrande is made of: the standing decision, the report it was taken on
/// with its bilagor, the meeting's chair, and the dispatch once done.
pub struct ReplyParts {
    pub decision: Decision,
    pub revision: Revision,
    pub attachments: Vec<String>,
    /// The chair of the meeting that decided, as its attendance names them; None
    /// for a delegation decision or an attendance not taken from the roster.
    pub chair: Option<String>,
    pub reply: Option<db::decisions::Reply>,
}

/// The parts of a decided case's yttrande (None before a decision stands).
pub async fn reply_parts(conn: &mut PgConnection, case_id: Uuid) -> Result<Option<ReplyParts>> {
    let decisions = db::decisions::for_case(&mut *conn, case_id).await?;
    let Some(decision) = final_decision(&decisions).cloned() else {
        return Ok(None);
    };
    let revision = db::reports::get_by_id(&mut *conn, decision.revision_id)
        .await?
        .ok_or(super::Error::NotFound)?;
    let chair = match decision.meeting_id {
        Some(meeting_id) => db::meetings::get(&mut *conn, meeting_id)
            .await?
            .and_then(|meeting| chair_name(&meeting.attendees())),
        None => None,
    };
    let attachments = attachments(&mut *conn, case_id).await?;
    let reply = db::decisions::reply(conn, case_id).await?;
    Ok(Some(ReplyParts {
        decision,
        revision,
        attachments,
        chair,
        reply,
    }))
}

/// Who signs the yttrande: the chair of the meeting (a line for the pen where the
/// attendance names none) and the secretary who recorded the decision in the
/// minutes; for a delegation decision, the delegate.
pub fn signatures(parts: &ReplyParts) -> Vec<render::Person> {
    let decision = &parts.decision;
    let person = |name: &str, title: &str| render::Person {
        name: name.to_string(),
        title: title.to_string(),
        ..render::Person::default()
    };
    match decision.delegation_reference {
        Some(_) => vec![person(
            &decision.decided_by_name,
            "Beslutande på delegation",
        )],
        None => vec![
            person(parts.chair.as_deref().unwrap_or_default(), "Ordförande"),
            person(&decision.decided_by_name, "Sekreterare"),
        ],
    }
}

/// The yttrande of the standing decision, as sent when it has been.
pub fn reply(case: &CaseDetail, parts: &ReplyParts) -> render::Reply {
    let ReplyParts {
        decision,
        revision,
        attachments,
        reply,
        ..
    } = parts;
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
            paragraph: paragraph(decision),
        },
    };
    render::Reply {
        header: header(case, decision.decided_on),
        referral_title: case.referral_title.clone(),
        recipient: reply
            .as_ref()
            .map_or(&case.sender_name, |r| &r.recipient)
            .clone(),
        decided_at,
        decision: decision_lines(decision, revision),
        reservations: statements(&decision.reservations),
        dispatched_on: reply.as_ref().map(|r| r.dispatched_on),
        signatures: signatures(parts),
        report: report_body(case, revision, attachments),
    }
}

/// `Tjänsteutlåtande AMN 2026-3.pdf`.
pub fn report_file_name(case: &CaseDetail, extension: &str) -> String {
    render::file_name(&["Tjänsteutlåtande", &case.dnr.to_string()], extension)
}

/// `Protokollsutdrag AMN 2026-3 § 12.pdf`.
pub fn extract_file_name(case: &CaseDetail, decision: &Decision) -> String {
    render::file_name(
        &[
            "Protokollsutdrag",
            &case.dnr.to_string(),
            &paragraph(decision),
        ],
        "pdf",
    )
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
