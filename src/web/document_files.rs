//! The documents as files: the tjänsteutlåtande (PDF, DOCX), the protokollsutdrag
//! (PDF) and the yttrande (PDF, DOCX), for the same readers as the print views
//! (their loading and visibility rules are shared, see `documents`), and the
//! dispatched yttrande of a public case from the public diarium.
//!
//! Rendering is CPU work: it runs on the blocking pool, at most one rendering per
//! core at a time; a request that cannot start within a while is refused (503).

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use sqlx::PgConnection;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::documents::{
    ExtractToRead, ReplyParts, ReportToRead, decision_lines, extract_to_read, is_public,
    reply_case, reply_parts, report_to_read,
};
use super::ids::Id;
use super::query::Query;
use super::session::CurrentUser;
use super::views::case_href;
use super::{AppError, AppState};
use crate::db;
use crate::db::cases::CaseDetail;
use crate::db::decisions::Decision;
use crate::db::reports::Revision;
use crate::domain::dates::{format_stockholm, stockholm_date};
use crate::domain::meeting::{MemberStatement, paragraph_label};
use crate::domain::report::paragraphs;
use crate::domain::workflow::DecisionOutcome;
use crate::render::{self, RenderError};

pub(super) const PDF: &str = "application/pdf";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Renderings at once: one per core, so that documents never starve the pages.
static RENDERINGS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Arc::new(Semaphore::new(cores))
});

/// How long a request waits for a rendering slot before it is refused.
const WAIT_FOR_SLOT: Duration = Duration::from_secs(10);

/// Runs `render` on the blocking pool once a slot is free.
pub(super) async fn rendered(
    render: impl FnOnce() -> Result<Vec<u8>, RenderError> + Send + 'static,
    back: String,
) -> Result<Vec<u8>, AppError> {
    let busy = || {
        AppError::Refused {
        status: StatusCode::SERVICE_UNAVAILABLE,
        message: "Dokumentet kunde inte skapas just nu eftersom många dokument skapas samtidigt. Försök igen om en stund.".into(),
        back: back.clone(),
    }
    };
    let slot = tokio::time::timeout(WAIT_FOR_SLOT, RENDERINGS.clone().acquire_owned())
        .await
        .map_err(|_| busy())?
        .map_err(|_| busy())?;
    // The slot goes with the work: a rendering whose client has gone away holds
    // it until the rendering ends.
    let bytes = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        render()
    })
    .await
    .map_err(|e| anyhow::anyhow!("rendering task: {e}"))?
    .map_err(anyhow::Error::from)?;
    Ok(bytes)
}

/// The file as a download under its readable name.
pub(super) fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, content_disposition(name)),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `attachment; filename="Yttrande AMN 2026-3 over LI2025-01842.pdf";
/// filename*=UTF-8''Yttrande%20AMN%202026-3%20%C3%B6ver%20LI2025-01842.pdf` (RFC 6266).
fn content_disposition(name: &str) -> HeaderValue {
    let mut encoded = String::new();
    for byte in name.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'!'
            | b'#'
            | b'$'
            | b'&'
            | b'+'
            | b'-'
            | b'.'
            | b'^'
            | b'_'
            | b'`'
            | b'|'
            | b'~' => encoded.push(byte as char),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    let value = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{encoded}",
        render::file_name::ascii_fallback(name)
    );
    // Both parts are printable ASCII by construction.
    HeaderValue::from_str(&value).expect("an ASCII header value")
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
        }),
    }
}

fn report_body(case: &CaseDetail, revision: &Revision) -> render::ReportBody {
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

/// The document for this reader: masked for anyone outside the case's organ.
fn for_reader<T: serde::Serialize + serde::de::DeserializeOwned>(document: T, insider: bool) -> T {
    if insider {
        document
    } else {
        render::masked(&document)
    }
}

/// `AMN 2026/3` → the file name's parts.
fn dnr(case: &CaseDetail) -> String {
    case.dnr.to_string()
}

async fn report_data(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> Result<(render::Report, CaseDetail), AppError> {
    let mut conn = state.pool.acquire().await?;
    let ReportToRead {
        case,
        revision,
        decided,
        insider,
    } = report_to_read(&mut conn, user, id).await?;
    let report = render::Report {
        header: header(&case, stockholm_date(revision.created_at)),
        status: (!decided).then(|| "Utkast – arbetsmaterial".to_string()),
        body: report_body(&case, &revision),
    };
    Ok((for_reader(report, insider), case))
}

pub async fn report_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let (report, case) = report_data(&state, &user, id).await?;
    let bytes = rendered(move || render::pdf::report(&report), case_href(case.id)).await?;
    let name = render::file_name(&["Tjänsteutlåtande", &dnr(&case)], "pdf");
    Ok(download(bytes, PDF, &name))
}

pub async fn report_docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let (report, case) = report_data(&state, &user, id).await?;
    let bytes = rendered(move || render::docx::report(&report), case_href(case.id)).await?;
    let name = render::file_name(&["Tjänsteutlåtande", &dnr(&case)], "docx");
    Ok(download(bytes, DOCX, &name))
}

fn statements(list: &[MemberStatement]) -> Vec<render::Statement> {
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

#[derive(Debug, Deserialize)]
pub struct ExtractParams {
    /// A decision of the case (its § of the minutes); default: the standing one.
    beslut: Option<String>,
}

pub async fn extract_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(params): Query<ExtractParams>,
) -> Result<Response, AppError> {
    let decision_id = params
        .beslut
        .as_deref()
        .map(|d| Uuid::parse_str(d).map_err(|_| AppError::NotFound))
        .transpose()?;
    let mut conn = state.pool.acquire().await?;
    let ExtractToRead {
        case,
        decision,
        revision,
        insider,
    } = extract_to_read(&mut conn, &user, id, decision_id).await?;
    drop(conn);
    let paragraph = decision.paragraph.map(paragraph_label).unwrap_or_default();
    let extract = render::Extract {
        header: render::Header {
            officer: None,
            ..header(&case, meeting_day(&decision))
        },
        meeting: decision
            .meeting_starts_at
            .map(format_stockholm)
            .unwrap_or_default(),
        place: decision.meeting_place.clone().unwrap_or_default(),
        paragraph: paragraph.clone(),
        title: case.referral_title.clone(),
        attendance: paragraphs(&decision.attendance),
        decision: match decision.outcome {
            DecisionOutcome::ReferredBack => render::ExtractDecision::ReferredBack {
                reason: paragraphs(&decision.reason),
            },
            DecisionOutcome::Tabled => render::ExtractDecision::Tabled {
                reason: paragraphs(&decision.reason),
            },
            _ => render::ExtractDecision::Decided {
                points: decision_lines(&decision, &revision),
            },
        },
        reservations: statements(&decision.reservations),
        statements: statements(&decision.statements),
        adjustment: decision.adjusted_on.map(|on| render::Adjustment {
            on,
            by: decision.adjusted_by.clone().unwrap_or_default(),
            certified_by: decision.decided_by_name.clone(),
        }),
    };
    let extract = for_reader(extract, insider);
    let bytes = rendered(move || render::pdf::extract(&extract), case_href(case.id)).await?;
    let name = render::file_name(&["Protokollsutdrag", &dnr(&case), &paragraph], "pdf");
    Ok(download(bytes, PDF, &name))
}

/// The yttrande's data, and whether its decision is public yet (None before a
/// decision stands).
async fn reply_data(
    conn: &mut PgConnection,
    case: &CaseDetail,
) -> Result<Option<(render::Reply, bool)>, AppError> {
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

/// `Yttrande AMN 2026-3 över LI2025-01842.pdf`; without the sender's reference,
/// `Yttrande AMN 2026-3.pdf`.
fn reply_file_name(case: &CaseDetail, extension: &str) -> String {
    let sender_reference = case.sender_dnr.trim();
    if sender_reference.is_empty() {
        render::file_name(&["Yttrande", &dnr(case)], extension)
    } else {
        render::file_name(
            &["Yttrande", &dnr(case), "över", sender_reference],
            extension,
        )
    }
}

async fn user_reply(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> Result<(render::Reply, CaseDetail), AppError> {
    let mut conn = state.pool.acquire().await?;
    let case = reply_case(&mut conn, user, id).await?;
    let insider = user.works_in(case.organ_id);
    let (reply, public) = reply_data(&mut conn, &case)
        .await?
        .ok_or(AppError::NotFound)?;
    user.require(insider || public)?;
    Ok((for_reader(reply, insider), case))
}

pub async fn reply_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let (reply, case) = user_reply(&state, &user, id).await?;
    let bytes = rendered(move || render::pdf::reply(&reply), case_href(case.id)).await?;
    Ok(download(bytes, PDF, &reply_file_name(&case, "pdf")))
}

pub async fn reply_docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let (reply, case) = user_reply(&state, &user, id).await?;
    let bytes = rendered(move || render::docx::reply(&reply), case_href(case.id)).await?;
    Ok(download(bytes, DOCX, &reply_file_name(&case, "docx")))
}

/// The dispatched yttrande of a case that is not secret, masked, as the public
/// diarium's page shows it.
pub async fn public_reply_pdf(
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let entry = db::diarium::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if entry.secret || entry.dispatched_on.is_none() {
        return Err(AppError::NotFound);
    }
    let case = db::cases::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (reply, public) = reply_data(&mut conn, &case)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    if !public {
        return Err(AppError::NotFound);
    }
    let reply = render::masked(&reply);
    let bytes = rendered(move || render::pdf::reply(&reply), format!("/diarium/{id}")).await?;
    let name = crate::domain::personal_data::mask(&reply_file_name(&case, "pdf")).0;
    Ok(download(bytes, PDF, &name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_travels_in_both_header_forms() {
        let value = content_disposition("Yttrande AMN 2026-3 över LI2025-01842.pdf");
        assert_eq!(
            value.to_str().unwrap(),
            "attachment; filename=\"Yttrande AMN 2026-3 over LI2025-01842.pdf\"; \
             filename*=UTF-8''Yttrande%20AMN%202026-3%20%C3%B6ver%20LI2025-01842.pdf"
        );
    }
}
