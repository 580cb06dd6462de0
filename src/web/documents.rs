//! The printable documents: the tjänsteutlåtande, the protokollsutdrag of one §,
//! and the yttrande. Laid out like the reference document, A4 print styles.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use super::ids::{Id, TwoIds};
use super::refusal::refused;
use super::session::CurrentUser;
use super::views::{case_href, page};
use super::{AppError, AppState};
use crate::app::outgoing::{self, decision_lines, final_decision, is_public, reply_parts};
use crate::db;
use crate::db::cases::CaseDetail;
use crate::db::decisions::Decision;
use crate::db::reports::Revision;
use crate::domain::dates::{format_stockholm, stockholm_date};
use crate::domain::meeting::MemberStatement;
use crate::domain::report::{self, genitive, paragraphs, referral_line};
use crate::domain::workflow::DecisionOutcome;
use crate::render;

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
    /// The titles of its bilagor ([`outgoing::attachments`]).
    pub attachments: Vec<String>,
    pub date: String,
}

impl ReportView {
    fn new(case: &CaseDetail, revision: &Revision, attachments: Vec<String>) -> Self {
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
            attachments,
            date: stockholm_date(revision.created_at).to_string(),
        }
    }
}

impl ReportView {
    /// What looks like a personnummer masked in every text a person wrote.
    fn masked(mut self) -> Self {
        self.title = masked(&self.title);
        self.referral_line = masked(&self.referral_line);
        self.proposals = masked_all(&self.proposals);
        self.summary = masked_all(&self.summary);
        self.preparation = masked_all(&self.preparation);
        self.background = masked_all(&self.background);
        self.considerations = masked_all(&self.considerations);
        self.attachments = masked_all(&self.attachments);
        for signatory in self.signatories.iter_mut() {
            signatory.name = masked(&signatory.name);
            signatory.title = masked(&signatory.title);
        }
        self
    }
}

fn mask_decision(decision: &mut Decision) {
    decision.decision_text = masked(&decision.decision_text);
    decision.reason = masked(&decision.reason);
    decision.attendance = masked(&decision.attendance);
    decision.procedure = masked(&decision.procedure);
    for vote in decision.votes.iter_mut() {
        vote.member = masked(&vote.member);
    }
    for statement in decision
        .reservations
        .iter_mut()
        .chain(decision.statements.iter_mut())
        .chain(decision.motions.iter_mut())
    {
        statement.member = masked(&statement.member);
        statement.party = masked(&statement.party);
        statement.text = masked(&statement.text);
    }
}

fn mask_case(case: &mut CaseDetail) {
    case.referral_title = masked(&case.referral_title);
    case.sender_name = masked(&case.sender_name);
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

/// Outsiders read the report once its decision is public (the decided version),
/// only when the remiss is not secret, and with personnummer masked as in the
/// diarium (the caller masks: see `insider`); the organ's own users read the
/// latest draft too.
pub async fn report_to_read(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    id: Uuid,
) -> Result<ReportToRead, AppError> {
    let case = db::cases::get(&mut *conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let insider = user.works_in(case.organ_id);
    let decisions = db::decisions::for_case(&mut *conn, case.id).await?;
    let (revision, decided) = match final_decision(&decisions) {
        Some(decision) => {
            user.require(insider || (!case.secret && is_public(decision)))?;
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

pub async fn report_document(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let ReportToRead {
        mut case,
        revision,
        decided,
        insider,
    } = report_to_read(&mut conn, &user, id).await?;
    let attachments = outgoing::attachments(&mut conn, case.id)
        .await
        .map_err(|e| refused(e, case_href(case.id)))?;
    let mut report = ReportView::new(&case, &revision, attachments);
    if !insider {
        report = report.masked();
        mask_case(&mut case);
    }
    page(&ReportDocument {
        title: format!("Tjänsteutlåtande {}", case.dnr),
        back: case_href(case.id),
        report,
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
    /// Ordförande and sekreterare, or the delegate: as the files sign.
    signatures: Vec<render::Person>,
    /// `På arbetsmarknadsnämndens vägnar` above a meeting's signatures.
    on_behalf: Option<String>,
    downloads: Vec<Download>,
}

impl ReplyDocument {
    /// `Yttrande över betänkandet …`: the heading never doubles the word remiss.
    fn heading(&self) -> String {
        report::reply_heading(&self.case.referral_title)
    }
}

pub async fn reply_document(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let case = reply_case(&mut conn, &user, id).await?;
    let mut document = reply_view(&mut conn, case.id, case_href(case.id))
        .await?
        .ok_or(AppError::NotFound)?;
    if !user.works_in(case.organ_id) {
        user.require(is_public(&document.decision))?;
        document = document.masked();
    }
    document.downloads = downloads(
        &format!("/arenden/{}/yttrande", case.id),
        &[("pdf", "Ladda ned som PDF"), ("docx", "Ladda ned som Word")],
    );
    page(&document)
}

/// The case whose yttrande a user asks for: its own organ's users read it, others
/// when the remiss is not secret (and, the caller checks, once the decision is
/// public: [`is_public`]).
pub async fn reply_case(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    id: Uuid,
) -> Result<CaseDetail, AppError> {
    let case = db::cases::get(conn, id).await?.ok_or(AppError::NotFound)?;
    user.require(user.works_in(case.organ_id) || !case.secret)?;
    Ok(case)
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
    let Some(parts) = reply_parts(conn, case.id)
        .await
        .map_err(|e| refused(e, case_href(case_id)))?
    else {
        return Ok(None);
    };
    let signatures = outgoing::signatures(&parts);
    let (decision, revision, reply) = (parts.decision, parts.revision, parts.reply);
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
        report: ReportView::new(&case, &revision, parts.attachments),
        on_behalf: decision
            .delegation_reference
            .is_none()
            .then(|| report::on_behalf_of(&case.organ_name)),
        signatures,
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
        mask_decision(&mut self.decision);
        self.report = self.report.masked();
        for person in self.signatures.iter_mut() {
            person.name = masked(&person.name);
        }
        mask_case(&mut self.case);
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
    id: Uuid,
    decision_id: Option<Uuid>,
) -> Result<ExtractToRead, AppError> {
    let case = db::cases::get(&mut *conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
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
    let insider = user.works_in(case.organ_id);
    user.require(insider || (is_public(&decision) && !case.secret))?;
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

pub async fn minutes_extract(
    State(state): State<AppState>,
    user: CurrentUser,
    TwoIds(id, decision_id): TwoIds,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let ExtractToRead {
        mut case,
        mut decision,
        revision,
        insider,
    } = extract_to_read(&mut conn, &user, id, Some(decision_id)).await?;
    let mut lines = decision_lines(&decision, &revision);
    if !insider {
        lines = masked_all(&lines);
        mask_decision(&mut decision);
        mask_case(&mut case);
    }
    page(&ExtractDocument {
        title: format!("Protokollsutdrag {}", case.dnr),
        back: case_href(case.id),
        decision_lines: lines,
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
