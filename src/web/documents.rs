//! The printable documents: the tjänsteutlåtande, the protokollsutdrag of one §,
//! and the yttrande. Laid out like the reference document, A4 print styles.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use uuid::Uuid;

use super::cases::{case_href, load, works_in_organ};
use super::session::CurrentUser;
use super::views::page;
use super::{AppError, AppState};
use crate::db;
use crate::db::cases::CaseDetail;
use crate::db::decisions::Decision;
use crate::db::reports::Revision;
use crate::domain::dates::{format_stockholm, stockholm_date};
use crate::domain::meeting::MemberStatement;
use crate::domain::report::{self, genitive, paragraphs, referral_line};
use crate::domain::workflow::DecisionOutcome;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/arenden/{id}/tjansteutlatande", get(report_document))
        .route("/arenden/{id}/yttrande", get(reply_document))
        .route(
            "/arenden/{id}/protokollsutdrag/{decision}",
            get(minutes_extract),
        )
}

/// A file of the document to download (PDF, Word), linked from its print view.
pub struct Download {
    pub href: String,
    pub label: &'static str,
}

fn downloads(base: &str, kinds: &[(&str, &'static str)]) -> Vec<Download> {
    kinds
        .iter()
        .map(|(extension, label)| Download {
            href: format!("{base}.{extension}"),
            label,
        })
        .collect()
}

/// The report's text prepared for the page: headings and paragraphs.
pub struct ReportView {
    pub title: String,
    pub referral_line: String,
    pub proposals_heading: String,
    pub proposals: Vec<String>,
    pub summary: Vec<String>,
    pub preparation: Vec<String>,
    pub background: Vec<String>,
    pub considerations_heading: String,
    pub considerations: Vec<String>,
    pub signatories: Vec<report::Signatory>,
    pub date: String,
}

impl ReportView {
    fn new(case: &CaseDetail, revision: &Revision) -> Self {
        let content = &revision.content;
        let administration = genitive(&case.administration);
        ReportView {
            title: content.title.clone(),
            referral_line: referral_line(&case.sender_name, &case.sender_dnr),
            proposals_heading: format!("{administration} förslag till beslut"),
            proposals: content.proposals.clone(),
            summary: paragraphs(&content.summary),
            preparation: paragraphs(&content.preparation),
            background: paragraphs(&content.background),
            considerations_heading: format!("{administration} synpunkter och förslag"),
            considerations: paragraphs(&content.considerations),
            signatories: content.signatories.clone(),
            date: stockholm_date(revision.created_at).to_string(),
        }
    }
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

#[derive(Template)]
#[template(path = "documents/report.html")]
struct ReportDocument {
    title: String,
    back: String,
    case: CaseDetail,
    report: ReportView,
    /// Draft, or the version that was decided on.
    status: &'static str,
    downloads: Vec<Download>,
}

/// The tjänsteutlåtande a user may read, shared by the print view and the files.
pub struct ReportToRead {
    pub case: CaseDetail,
    pub revision: Revision,
    /// The version the decision was taken on; otherwise the latest draft.
    pub decided: bool,
    /// The reader works in the case's organ.
    pub insider: bool,
}

/// Outsiders read the report once it is decided (the decided version) and only
/// when the remiss is not secret; the organ's own users read the latest draft too.
pub async fn report_to_read(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<ReportToRead, AppError> {
    let case = load(&mut *conn, id).await?;
    let insider = works_in_organ(user, case.organ_id);
    let decisions = db::decisions::for_case(&mut *conn, case.id).await?;
    let (revision, decided) = match final_decision(&decisions) {
        Some(decision) => {
            user.require(insider || !case.secret)?;
            (
                db::reports::get_by_id(conn, decision.revision_id).await?,
                true,
            )
        }
        None => {
            user.require(insider)?;
            (db::reports::latest(conn, case.id).await?, false)
        }
    };
    Ok(ReportToRead {
        revision: revision.ok_or(AppError::NotFound)?,
        decided,
        insider,
        case,
    })
}

async fn report_document(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let ReportToRead {
        case,
        revision,
        decided,
        ..
    } = report_to_read(&mut conn, &user, &id).await?;
    page(&ReportDocument {
        title: format!("Tjänsteutlåtande {}", case.dnr),
        back: case_href(case.id),
        report: ReportView::new(&case, &revision),
        status: if decided {
            "Beslutad version"
        } else {
            "Utkast – arbetsmaterial"
        },
        downloads: downloads(
            &format!("/arenden/{}/tjansteutlatande", case.id),
            &[("pdf", "Ladda ned som PDF"), ("docx", "Ladda ned som Word")],
        ),
        case,
    })
}

#[derive(Template)]
#[template(path = "documents/reply.html")]
pub struct ReplyDocument {
    title: String,
    back: String,
    case: CaseDetail,
    decision: Decision,
    decision_lines: Vec<String>,
    paragraph: String,
    meeting_date: String,
    report: ReportView,
    reply: Option<db::decisions::Reply>,
    downloads: Vec<Download>,
}

/// The lines of what the board decided: the report's proposals, or the amended text.
pub fn decision_lines(decision: &Decision, revision: &Revision) -> Vec<String> {
    match decision.outcome {
        DecisionOutcome::Amended => paragraphs(&decision.decision_text),
        _ => revision.content.proposals.clone(),
    }
}

async fn reply_document(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let case = reply_case(&mut conn, &user, &id).await?;
    let mut document = reply_view(&mut conn, case.id, case_href(case.id))
        .await?
        .ok_or(AppError::NotFound)?;
    document.downloads = downloads(
        &format!("/arenden/{}/yttrande", case.id),
        &[("pdf", "Ladda ned som PDF"), ("docx", "Ladda ned som Word")],
    );
    page(&document)
}

/// The case whose yttrande a user asks for: its own organ's users read it, others
/// when the remiss is not secret.
pub async fn reply_case(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<CaseDetail, AppError> {
    let case = load(conn, id).await?;
    user.require(works_in_organ(user, case.organ_id) || !case.secret)?;
    Ok(case)
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
    conn: &mut sqlx::PgConnection,
    case_id: Uuid,
) -> Result<Option<ReplyParts>, AppError> {
    let decisions = db::decisions::for_case(&mut *conn, case_id).await?;
    let Some(decision) = final_decision(&decisions).cloned() else {
        return Ok(None);
    };
    let revision = db::reports::get_by_id(&mut *conn, decision.revision_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reply = db::decisions::reply(conn, case_id).await?;
    Ok(Some(ReplyParts {
        decision,
        revision,
        reply,
    }))
}

/// The yttrande of a decided case (None before a decision stands).
pub async fn reply_view(
    conn: &mut sqlx::PgConnection,
    case_id: Uuid,
    back: String,
) -> Result<Option<ReplyDocument>, AppError> {
    let Some(case) = db::cases::get(&mut *conn, case_id).await? else {
        return Ok(None);
    };
    let Some(ReplyParts {
        decision,
        revision,
        reply,
    }) = reply_parts(conn, case.id).await?
    else {
        return Ok(None);
    };
    Ok(Some(ReplyDocument {
        title: format!("Yttrande {}", case.dnr),
        back,
        decision_lines: decision_lines(&decision, &revision),
        paragraph: decision
            .paragraph
            .map(crate::domain::meeting::paragraph_label)
            .unwrap_or_default(),
        meeting_date: decision
            .meeting_starts_at
            .map(format_stockholm)
            .unwrap_or_default(),
        report: ReportView::new(&case, &revision),
        decision,
        reply,
        case,
        downloads: Vec::new(),
    }))
}

fn masked(text: &str) -> String {
    crate::domain::personal_data::mask(text).0
}

fn masked_all(texts: &[String]) -> Vec<String> {
    texts.iter().map(|t| masked(t)).collect()
}

impl ReplyDocument {
    /// Links to the document's files from its print view.
    pub fn with_pdf(mut self, href: String) -> Self {
        self.downloads = vec![Download {
            href,
            label: "Ladda ned som PDF",
        }];
        self
    }

    /// The document as the public diarium shows it: what looks like a personnummer
    /// masked in every text a person wrote.
    pub fn masked(mut self) -> Self {
        self.decision_lines = masked_all(&self.decision_lines);
        for statement in self.decision.reservations.iter_mut() {
            statement.member = masked(&statement.member);
            statement.text = masked(&statement.text);
        }
        let r = &mut self.report;
        r.title = masked(&r.title);
        r.referral_line = masked(&r.referral_line);
        r.proposals = masked_all(&r.proposals);
        r.summary = masked_all(&r.summary);
        r.preparation = masked_all(&r.preparation);
        r.background = masked_all(&r.background);
        r.considerations = masked_all(&r.considerations);
        self.case.referral_title = masked(&self.case.referral_title);
        self
    }
}

#[derive(Template)]
#[template(path = "documents/extract.html")]
struct ExtractDocument {
    title: String,
    back: String,
    case: CaseDetail,
    decision: Decision,
    decision_lines: Vec<String>,
    paragraph: String,
    meeting_when: String,
    reservations: Vec<MemberStatement>,
    statements: Vec<MemberStatement>,
    downloads: Vec<Download>,
}

/// A § of the minutes a user may read, shared by the print view and the file.
pub struct ExtractToRead {
    pub case: CaseDetail,
    pub decision: Decision,
    pub revision: Revision,
    pub insider: bool,
}

/// The § of the case's decision `decision_id`; without one, the § of the decision
/// that stands, or else the latest decided at a meeting.
pub async fn extract_to_read(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    id: &str,
    decision_id: Option<Uuid>,
) -> Result<ExtractToRead, AppError> {
    let case = load(&mut *conn, id).await?;
    let decisions = db::decisions::for_case(&mut *conn, case.id).await?;
    let decision = match decision_id {
        Some(wanted) => decisions
            .iter()
            .find(|d| d.id == wanted && d.paragraph.is_some()),
        None => final_decision(&decisions)
            .filter(|d| d.paragraph.is_some())
            .or_else(|| decisions.iter().rfind(|d| d.paragraph.is_some())),
    }
    .cloned()
    .ok_or(AppError::NotFound)?;
    // Minutes are public once adjusted (and not secret); before that, working material.
    let insider = works_in_organ(user, case.organ_id);
    user.require(insider || (decision.adjusted_on.is_some() && !case.secret))?;
    let revision = db::reports::get_by_id(conn, decision.revision_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ExtractToRead {
        case,
        decision,
        revision,
        insider,
    })
}

async fn minutes_extract(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, decision_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let decision_id = Uuid::parse_str(&decision_id).map_err(|_| AppError::NotFound)?;
    let mut conn = state.pool.acquire().await?;
    let ExtractToRead {
        case,
        decision,
        revision,
        ..
    } = extract_to_read(&mut conn, &user, &id, Some(decision_id)).await?;
    page(&ExtractDocument {
        title: format!("Protokollsutdrag {}", case.dnr),
        back: case_href(case.id),
        decision_lines: decision_lines(&decision, &revision),
        paragraph: decision
            .paragraph
            .map(crate::domain::meeting::paragraph_label)
            .unwrap_or_default(),
        meeting_when: decision
            .meeting_starts_at
            .map(format_stockholm)
            .unwrap_or_default(),
        reservations: decision.reservations.clone(),
        statements: decision.statements.clone(),
        downloads: vec![Download {
            href: format!(
                "/arenden/{}/protokollsutdrag.pdf?beslut={}",
                case.id, decision.id
            ),
            label: "Ladda ned som PDF",
        }],
        decision,
        case,
    })
}
