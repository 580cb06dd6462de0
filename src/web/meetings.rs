//! Sammanträden: the secretary plans meetings, builds the agenda, records the
//! decisions item by item and adjusts the minutes.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::form::CsrfForm;
use super::ids::Id;
use super::refusal::refused;
use super::session::CurrentUser;
use super::views::{FormErrors, Layout, page, page_with_status};
use super::{AppError, AppState};
use crate::app;
use crate::app::meetings::{Adjustment, secretary_organs};
use crate::db;
use crate::db::meetings::{AgendaItem, Meeting};
use crate::db::organs::Organ;
use crate::domain::Role;
use crate::domain::dates::{format_stockholm, stockholm_date};
use crate::domain::meeting::{DecisionInput, MeetingInput};
use crate::domain::workflow::DecisionOutcome;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sammantraden", get(list).post(create))
        .route("/sammantraden/{id}", get(show))
        .route("/sammantraden/{id}/ordning", post(reorder))
        .route("/sammantraden/{id}/beslut", post(decide))
        .route("/sammantraden/{id}/justering", post(adjust))
}

fn member_organs(user: &CurrentUser) -> Vec<Uuid> {
    let mut organs: Vec<Uuid> = user.user.roles.iter().map(|r| r.organ_id).collect();
    organs.dedup();
    organs
}

fn meeting_href(id: Uuid) -> String {
    format!("/sammantraden/{id}")
}

#[derive(Template)]
#[template(path = "meetings/list.html")]
struct ListPage {
    layout: Layout,
    meetings: Vec<(Meeting, String)>,
    organs: Vec<Organ>,
    input: MeetingInput,
    errors: FormErrors,
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    input: MeetingInput,
    errors: FormErrors,
) -> Result<ListPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let meetings = db::meetings::for_organs(&mut conn, &member_organs(user)).await?;
    let secretary_of = secretary_organs(&user.actor());
    let organs = state
        .organs
        .list(&mut conn)
        .await?
        .into_iter()
        .filter(|o| secretary_of.contains(&o.id))
        .collect();
    Ok(ListPage {
        layout: Layout::new("Sammanträden", user, "sammantraden"),
        meetings: meetings
            .into_iter()
            .map(|m| {
                let when = format_stockholm(m.starts_at);
                (m, when)
            })
            .collect(),
        organs,
        input,
        errors,
    })
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    page(
        &list_page(
            &state,
            &user,
            MeetingInput {
                time: "13:00".into(),
                ..MeetingInput::default()
            },
            FormErrors::none(),
        )
        .await?,
    )
}

#[derive(Deserialize)]
struct MeetingForm {
    #[serde(default)]
    organ: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    place: String,
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<MeetingForm>,
) -> Result<Response, AppError> {
    let input = MeetingInput {
        organ: form.organ,
        date: form.date,
        time: form.time,
        place: form.place,
    };
    match app::meetings::plan(&state.ctx, &user.actor(), &input).await {
        Ok(id) => Ok(Redirect::to(&meeting_href(id)).into_response()),
        Err(app::Error::Invalid(errors)) => {
            let page = list_page(&state, &user, input, errors.into()).await?;
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, "/sammantraden")),
    }
}

struct ItemView {
    item: AgendaItem,
    after_deadline: bool,
    first: bool,
    last: bool,
}

#[derive(Template)]
#[template(path = "meetings/show.html")]
struct MeetingPage {
    layout: Layout,
    meeting: Meeting,
    when: String,
    items: Vec<ItemView>,
    is_secretary: bool,
    /// The item whose decision is recorded next (decisions follow the agenda).
    next_item: Option<Uuid>,
    waiting: Vec<db::cases::WaitingCase>,
    decision: DecisionForm,
    errors: FormErrors,
    adjust_on: String,
    adjust_by: String,
}

impl MeetingPage {
    fn outcomes(&self) -> [DecisionOutcome; 4] {
        [
            DecisionOutcome::Adopted,
            DecisionOutcome::Amended,
            DecisionOutcome::ReferredBack,
            DecisionOutcome::Tabled,
        ]
    }

    fn all_decided(&self) -> bool {
        self.items.iter().all(|i| i.item.outcome.is_some())
    }
}

async fn meeting_page(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    decision: DecisionForm,
    errors: FormErrors,
    adjust: (String, String),
) -> Result<MeetingPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let meeting = db::meetings::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    user.require(user.works_in(meeting.organ_id))?;
    let agenda = db::meetings::agenda(&mut conn, id).await?;
    let meeting_date = stockholm_date(meeting.starts_at);
    let count = agenda.len();
    let next_item = agenda.iter().find(|i| i.outcome.is_none()).map(|i| i.id);
    let is_secretary = user.roles_in(meeting.organ_id).contains(&Role::Secretary);
    let waiting = if is_secretary && meeting.adjusted_on.is_none() {
        db::cases::waiting_for_agenda(&mut conn, meeting.organ_id).await?
    } else {
        Vec::new()
    };
    let mut decision = decision;
    if decision.attendance.is_empty() {
        decision.attendance = previous_attendance(&mut conn, id).await?;
    }
    Ok(MeetingPage {
        layout: Layout::new(
            format!("Sammanträde {}", format_stockholm(meeting.starts_at)),
            user,
            "sammantraden",
        )
        .crumb("Sammanträden", "/sammantraden"),
        when: format_stockholm(meeting.starts_at),
        items: agenda
            .into_iter()
            .enumerate()
            .map(|(i, item)| ItemView {
                after_deadline: meeting_date > item.deadline,
                first: i == 0,
                last: i + 1 == count,
                item,
            })
            .collect(),
        is_secretary,
        next_item,
        waiting,
        decision,
        errors,
        adjust_on: if adjust.0.is_empty() {
            state.ctx.clock.today().to_string()
        } else {
            adjust.0
        },
        adjust_by: adjust.1,
        meeting,
    })
}

/// The attendance of the meeting's last recorded decision, as a starting point
/// for the next one (the same members usually take part).
async fn previous_attendance(
    conn: &mut sqlx::PgConnection,
    meeting_id: Uuid,
) -> Result<String, AppError> {
    Ok(db::meetings::last_attendance(conn, meeting_id)
        .await?
        .unwrap_or_default())
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, AppError> {
    page(
        &meeting_page(
            &state,
            &user,
            id,
            DecisionForm::default(),
            FormErrors::none(),
            Default::default(),
        )
        .await?,
    )
}

#[derive(Deserialize)]
struct ReorderForm {
    #[serde(default)]
    item: String,
    #[serde(default)]
    direction: String,
}

async fn reorder(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<ReorderForm>,
) -> Result<Response, AppError> {
    let item = Uuid::parse_str(&form.item).map_err(|_| AppError::BadRequest("unknown item"))?;
    let up = match form.direction.as_str() {
        "up" => true,
        "down" => false,
        _ => return Err(AppError::BadRequest("direction is up or down")),
    };
    app::meetings::reorder(&state.ctx, &user.actor(), id, item, up)
        .await
        .map_err(|refusal| refused(refusal, meeting_href(id)))?;
    Ok(Redirect::to(&meeting_href(id)).into_response())
}

/// The decision form as posted: one item, its outcome and the minutes' details.
#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    item: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    decision_text: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    attendance: String,
    #[serde(default)]
    reservation_member: Vec<String>,
    #[serde(default)]
    reservation_party: Vec<String>,
    #[serde(default)]
    reservation_text: Vec<String>,
    #[serde(default)]
    statement_member: Vec<String>,
    #[serde(default)]
    statement_party: Vec<String>,
    #[serde(default)]
    statement_text: Vec<String>,
}

impl DecisionForm {
    fn input(&self) -> DecisionInput {
        DecisionInput {
            outcome: self.outcome.clone(),
            decision_text: self.decision_text.clone(),
            reason: self.reason.clone(),
            attendance: self.attendance.clone(),
            reservation_members: self.reservation_member.clone(),
            reservation_parties: self.reservation_party.clone(),
            reservation_texts: self.reservation_text.clone(),
            statement_members: self.statement_member.clone(),
            statement_parties: self.statement_party.clone(),
            statement_texts: self.statement_text.clone(),
        }
    }

    /// The typed reservation rows and one blank row, for the form.
    fn rows(
        members: &[String],
        parties: &[String],
        texts: &[String],
    ) -> Vec<(String, String, String)> {
        let mut rows: Vec<(String, String, String)> = members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                (
                    m.clone(),
                    parties.get(i).cloned().unwrap_or_default(),
                    texts.get(i).cloned().unwrap_or_default(),
                )
            })
            .filter(|(m, p, t)| !(m.is_empty() && p.is_empty() && t.is_empty()))
            .collect();
        rows.push(Default::default());
        rows
    }

    fn reservation_rows(&self) -> Vec<(String, String, String)> {
        Self::rows(
            &self.reservation_member,
            &self.reservation_party,
            &self.reservation_text,
        )
    }

    fn statement_rows(&self) -> Vec<(String, String, String)> {
        Self::rows(
            &self.statement_member,
            &self.statement_party,
            &self.statement_text,
        )
    }
}

async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, AppError> {
    let item = Uuid::parse_str(&form.item).map_err(|_| AppError::BadRequest("unknown item"))?;
    let decided = app::meetings::decide(&state.ctx, &user.actor(), id, item, &form.input()).await;
    match decided {
        Ok(()) => Ok(Redirect::to(&meeting_href(id)).into_response()),
        Err(app::Error::Invalid(errors)) => {
            let adjust = Default::default();
            let page = meeting_page(&state, &user, id, form, errors.into(), adjust).await?;
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, meeting_href(id))),
    }
}

#[derive(Deserialize)]
struct AdjustForm {
    #[serde(default)]
    adjusted_on: String,
    #[serde(default)]
    adjusted_by: String,
}

async fn adjust(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<AdjustForm>,
) -> Result<Response, AppError> {
    let input = Adjustment {
        adjusted_on: form.adjusted_on,
        adjusted_by: form.adjusted_by,
    };
    match app::meetings::adjust(&state.ctx, &user.actor(), id, &input).await {
        Ok(()) => Ok(Redirect::to(&meeting_href(id)).into_response()),
        Err(app::Error::Invalid(errors)) => {
            let typed = (input.adjusted_on, input.adjusted_by);
            let decision = DecisionForm::default();
            let page = meeting_page(&state, &user, id, decision, errors.into(), typed).await?;
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, meeting_href(id))),
    }
}
