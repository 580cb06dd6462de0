//! The printable documents: the tjänsteutlåtande, the protokollsutdrag of one §,
//! and the yttrande. Laid out like the reference document, A4 print styles.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use super::ids::{Id, TwoIds};
use super::session::CurrentUser;
use super::views::{case_href, page};
use super::{AppError, AppState};
use crate::db;
use crate::db::cases::CaseDetail;
use crate::db::decisions::Decision;
use crate::db::reports::Revision;
use crate::domain::dates::{format_stockholm, stockholm_date};
use crate::domain::meeting::MemberStatement;
use crate::domain::report::{self, genitive, paragraphs, referral_line};
use crate::domain::workflow::DecisionOutcome;

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
            referral_line: referral_line(&case.sender_name, case.sender_is_organ, &case.sender_dnr),
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
fn final_decision(decisions: &[Decision]) -> Option<&Decision> {
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
}

/// Outsiders read the report once it is decided (the decided version) and only
/// when the remiss is not secret; the organ's own users read the latest draft too.
pub async fn report_document(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let case = db::cases::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let insider = user.works_in(case.organ_id);
    let decisions = db::decisions::for_case(&mut conn, case.id).await?;
    let (revision, status) = match final_decision(&decisions) {
        Some(decision) => {
            user.require(insider || !case.secret)?;
            (
                db::reports::get_by_id(&mut conn, decision.revision_id)
                    .await?
                    .ok_or(AppError::NotFound)?,
                "Beslutad version",
            )
        }
        None => {
            user.require(insider)?;
            (
                db::reports::latest(&mut conn, case.id)
                    .await?
                    .ok_or(AppError::NotFound)?,
                "Utkast – arbetsmaterial",
            )
        }
    };
    page(&ReportDocument {
        title: format!("Tjänsteutlåtande {}", case.dnr),
        back: case_href(case.id),
        report: ReportView::new(&case, &revision),
        status,
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
}

/// The lines of what the board decided: the report's proposals, or the amended text.
fn decision_lines(decision: &Decision, revision: &Revision) -> Vec<String> {
    match decision.outcome {
        DecisionOutcome::Amended => paragraphs(&decision.decision_text),
        _ => revision.content.proposals.clone(),
    }
}

pub async fn reply_document(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let case = db::cases::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    user.require(user.works_in(case.organ_id) || !case.secret)?;
    let document = reply_view(&mut conn, case.id, case_href(case.id))
        .await?
        .ok_or(AppError::NotFound)?;
    page(&document)
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
    let decisions = db::decisions::for_case(&mut *conn, case.id).await?;
    let Some(decision) = final_decision(&decisions).cloned() else {
        return Ok(None);
    };
    let revision = db::reports::get_by_id(&mut *conn, decision.revision_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reply = db::decisions::reply(conn, case.id).await?;
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
    }))
}

fn masked(text: &str) -> String {
    crate::domain::personal_data::mask(text).0
}

fn masked_all(texts: &[String]) -> Vec<String> {
    texts.iter().map(|t| masked(t)).collect()
}

impl ReplyDocument {
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
}

pub async fn minutes_extract(
    State(state): State<AppState>,
    user: CurrentUser,
    TwoIds(id, decision_id): TwoIds,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let case = db::cases::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let decisions = db::decisions::for_case(&mut conn, case.id).await?;
    let decision = decisions
        .into_iter()
        .find(|d| d.id == decision_id && d.paragraph.is_some())
        .ok_or(AppError::NotFound)?;
    // Minutes are public once adjusted (and not secret); before that, working material.
    let insider = user.works_in(case.organ_id);
    user.require(insider || (decision.adjusted_on.is_some() && !case.secret))?;
    let revision = db::reports::get_by_id(&mut conn, decision.revision_id)
        .await?
        .ok_or(AppError::NotFound)?;
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
        decision,
        case,
    })
}
