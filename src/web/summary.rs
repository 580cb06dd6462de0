//! The sender's summary (remissammanställning): every respondent's answer side by
//! side, as a page and as CSV for the sender's own report.

use askama::Template;
use axum::extract::State;

use super::ids::Id;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::document_files::content_disposition;
use super::session::CurrentUser;
use super::views::{Layout, page};
use super::{AppError, AppState};
use crate::db;
use crate::db::decisions::Answer;
use crate::db::referrals::Referral;
use crate::domain::report::paragraphs;
use crate::domain::workflow::DecisionOutcome;
use crate::domain::{csv, personal_data};
use crate::render::file_name::file_name;

pub struct AnswerView {
    pub case_id: Uuid,
    pub organ_name: String,
    pub dnr: String,
    pub state: String,
    pub outcome: String,
    pub decided_on: String,
    pub proposals: Vec<String>,
    pub considerations: Vec<String>,
    pub has_answer: bool,
    /// Why the respondent declined to answer (empty when it did not, or when
    /// the viewer may not read it).
    pub declined_reason: String,
}

/// What the viewer may read of each answer: a secret remiss's answers only by
/// those working on it.
async fn answer_views(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
) -> Result<(Referral, Vec<AnswerView>), AppError> {
    let mut conn = state.pool.acquire().await?;
    let referral = db::referrals::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let cases = db::referrals::cases(&mut conn, id).await?;
    let may_read = !referral.secret
        || user.is_registrar()
        || user.is_admin()
        || cases.iter().any(|c| !user.roles_in(c.organ_id).is_empty());
    let answers = db::decisions::answers(&mut conn, id).await?;
    let views = answers
        .into_iter()
        .map(|a| {
            let insider = user.works_in(a.organ_id);
            view(a, may_read, insider)
        })
        .collect();
    Ok((referral, views))
}

/// An answer as `may_read` allows. Outside the answering organ (`insider`) it is
/// read only once the decision is public, and with personnummer masked, as the
/// print views and the diarium show it.
fn view(answer: Answer, may_read: bool, insider: bool) -> AnswerView {
    let outcome = answer.outcome;
    let public = answer.public.unwrap_or(false);
    let has_answer = outcome.is_some() && may_read && (insider || public);
    let mask = |texts: Vec<String>| -> Vec<String> {
        if insider {
            texts
        } else {
            texts.iter().map(|t| personal_data::mask(t).0).collect()
        }
    };
    let proposals = match (outcome, &answer.decision_text) {
        (Some(DecisionOutcome::Amended), Some(text)) => paragraphs(text),
        _ => answer
            .proposals
            .and_then(|p| serde_json::from_value(p).ok())
            .unwrap_or_default(),
    };
    AnswerView {
        case_id: answer.case_id,
        organ_name: answer.organ_name,
        dnr: answer.dnr,
        state: answer.state.label_sv().to_string(),
        outcome: outcome
            .map(|o| o.label_sv().to_string())
            .unwrap_or_default(),
        decided_on: answer.decided_on.map(|d| d.to_string()).unwrap_or_default(),
        proposals: if has_answer {
            mask(proposals)
        } else {
            Vec::new()
        },
        considerations: if has_answer {
            mask(paragraphs(
                answer.considerations.as_deref().unwrap_or_default(),
            ))
        } else {
            Vec::new()
        },
        has_answer,
        declined_reason: match answer.declined_reason {
            Some(reason) if may_read => mask(vec![reason]).concat(),
            _ => String::new(),
        },
    }
}

#[derive(Template)]
#[template(path = "referrals/summary.html")]
struct SummaryPage {
    layout: Layout,
    referral: Referral,
    answers: Vec<AnswerView>,
}

pub async fn summary(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let (referral, answers) = answer_views(&state, &user, id).await?;
    page(&SummaryPage {
        layout: Layout::new("Remissammanställning", &user, "remisser")
            .crumb("Remisser", "/remisser")
            .crumb(referral.title.clone(), format!("/remisser/{}", referral.id)),
        referral,
        answers,
    })
}

pub async fn summary_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    let (referral, answers) = answer_views(&state, &user, id).await?;
    // A byte order mark, so that Excel reads the file as UTF-8 (å, ä, ö).
    let mut body = String::from("\u{feff}");
    body.push_str(&csv::row(&[
        "Remissinstans",
        "Diarienummer",
        "Status",
        "Beslut",
        "Beslutsdatum",
        "Förslag till beslut",
        "Synpunkter",
        "Skäl att avstå",
        "Länk",
    ]));
    for a in &answers {
        let proposals = a
            .proposals
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}. {p}", i + 1))
            .collect::<Vec<_>>()
            .join("\n");
        body.push_str(&csv::row(&[
            a.organ_name.as_str(),
            &a.dnr,
            &a.state,
            &a.outcome,
            &a.decided_on,
            &proposals,
            &a.considerations.join("\n\n"),
            &a.declined_reason,
            // The public diarium's entry, which the sender can open without a login.
            &state
                .settings
                .public_link(&format!("/diarium/{}", a.case_id)),
        ]));
    }
    // Named by the sender's own number, which the sender files it under.
    let named_by = if referral.sender_dnr.trim().is_empty() {
        &referral.title
    } else {
        &referral.sender_dnr
    };
    let filename = file_name(&["Remissammanställning", named_by], "csv");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, content_disposition(&filename)),
        ],
        body,
    )
        .into_response())
}
