//! Sammanträden: the secretary plans meetings, builds the agenda, records the
//! decisions item by item and adjusts the minutes.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Datelike, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::cases::{ActionForm, check, load, raced, record_transition, works_in_organ};
use super::form::CsrfForm;
use super::session::CurrentUser;
use super::views::{FormErrors, Layout, page, page_with_status};
use super::{AppError, AppState};
use crate::db;
use crate::db::audit::NewEvent;
use crate::db::meetings::{AgendaItem, Meeting};
use crate::db::organs::Organ;
use crate::domain::dates::{format_stockholm, stockholm_date};
use crate::domain::meeting::{
    self, DecisionInput, MeetingInput, validate_adjustment, validate_decision, validate_meeting,
};
use crate::domain::workflow::{DecisionOutcome, Transition};
use crate::domain::{FieldErrors, Role};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sammantraden", get(list).post(create))
        .route("/sammantraden/{id}", get(show))
        .route("/sammantraden/{id}/ordning", post(reorder))
        .route("/sammantraden/{id}/beslut", post(decide))
        .route("/sammantraden/{id}/justering", post(adjust))
}

fn secretary_organs(user: &CurrentUser) -> Vec<Uuid> {
    user.user
        .roles
        .iter()
        .filter(|r| r.role == Role::Secretary)
        .map(|r| r.organ_id)
        .collect()
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
    let secretary_of = secretary_organs(user);
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
    let secretary_of = secretary_organs(&user);
    user.require(!secretary_of.is_empty())?;
    let organ_id = Uuid::parse_str(input.organ.trim())
        .ok()
        .filter(|id| secretary_of.contains(id));
    let details = validate_meeting(&input);
    let (organ_id, details) = match (organ_id, details) {
        (Some(organ_id), Ok(details)) => (organ_id, details),
        (organ_id, details) => {
            let mut errors = details.err().unwrap_or_default();
            if organ_id.is_none() {
                errors.add("organ", "Välj en nämnd där du är nämndsekreterare.");
            }
            let page = list_page(&state, &user, input, errors.into()).await?;
            return page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let starts_at = Stockholm
        .from_local_datetime(&details.date.and_time(details.time))
        .earliest()
        .ok_or(AppError::BadRequest("time does not exist in Stockholm"))?
        .with_timezone(&Utc);
    let id = Uuid::new_v4();
    let mut tx = db::begin(&state.pool).await?;
    db::meetings::create(&mut tx, id, organ_id, starts_at, &details.place).await?;
    db::audit::record(
        &mut tx,
        NewEvent {
            after: Some(
                json!({ "organ_id": organ_id, "starts_at": starts_at, "place": details.place }),
            ),
            ..NewEvent::new(Some(user.id()), "meeting.planned", "meeting", id)
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&meeting_href(id)).into_response())
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
    id: &str,
    decision: DecisionForm,
    errors: FormErrors,
    adjust: (String, String),
) -> Result<MeetingPage, AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let mut conn = state.pool.acquire().await?;
    let meeting = db::meetings::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    user.require(works_in_organ(user, meeting.organ_id))?;
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
            stockholm_date(Utc::now()).to_string()
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
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    page(
        &meeting_page(
            &state,
            &user,
            &id,
            DecisionForm::default(),
            FormErrors::none(),
            Default::default(),
        )
        .await?,
    )
}

/// Only the nämnd's secretary changes its meetings; none after justering.
async fn secretary_meeting(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<Meeting, AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let meeting = db::meetings::get(&mut *conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    user.require(user.roles_in(meeting.organ_id).contains(&Role::Secretary))?;
    match db::meetings::lock(conn, id).await? {
        Some(None) => Ok(meeting),
        _ => Err(AppError::Refused {
            status: StatusCode::CONFLICT,
            message: "Protokollet är justerat. Besluten från sammanträdet kan inte längre ändras."
                .into(),
            back: meeting_href(id),
        }),
    }
}

/// Places an approved case on a meeting's agenda (from the case page or the
/// meeting page).
pub async fn place_on_agenda(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let mut tx = db::begin(&state.pool).await?;
    let case = load(&mut tx, &id).await?;
    let to = check(&case, &user, Transition::PlaceOnAgenda)?;
    let meeting = secretary_meeting(&mut tx, &user, &form.meeting).await?;
    if meeting.organ_id != case.organ_id {
        return Err(AppError::BadRequest("meeting of another organ"));
    }
    db::meetings::add_item(&mut tx, meeting.id, case.id).await?;
    let after_deadline = stockholm_date(meeting.starts_at) > case.deadline;
    record_transition(
        &mut tx,
        user.id(),
        &case,
        to,
        "case.placed_on_agenda",
        json!({ "meeting": format_stockholm(meeting.starts_at), "after_deadline": after_deadline }),
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&meeting_href(meeting.id)).into_response())
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
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReorderForm>,
) -> Result<Response, AppError> {
    let mut tx = db::begin(&state.pool).await?;
    let meeting = secretary_meeting(&mut tx, &user, &id).await?;
    let item = Uuid::parse_str(&form.item).map_err(|_| AppError::BadRequest("unknown item"))?;
    let up = match form.direction.as_str() {
        "up" => true,
        "down" => false,
        _ => return Err(AppError::BadRequest("direction is up or down")),
    };
    // Decided items keep their place: their § follow the agenda order.
    let agenda = db::meetings::agenda(&mut tx, meeting.id).await?;
    let position = agenda
        .iter()
        .position(|i| i.id == item)
        .ok_or(AppError::BadRequest("unknown item"))?;
    let neighbour = if up {
        position.checked_sub(1)
    } else {
        Some(position + 1)
    };
    let movable = |i: usize| agenda.get(i).is_some_and(|item| item.outcome.is_none());
    if !movable(position) || !neighbour.is_some_and(movable) {
        return Err(AppError::Refused {
            status: StatusCode::CONFLICT,
            message: "Ett beslutat ärende behåller sin plats i föredragningslistan.".into(),
            back: meeting_href(meeting.id),
        });
    }
    if db::meetings::move_item(&mut tx, meeting.id, item, up).await? {
        db::audit::record(
            &mut tx,
            NewEvent {
                after: Some(json!({ "item": item, "direction": form.direction })),
                ..NewEvent::new(
                    Some(user.id()),
                    "meeting.agenda_reordered",
                    "meeting",
                    meeting.id,
                )
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&meeting_href(meeting.id)).into_response())
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
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, AppError> {
    let mut tx = db::begin(&state.pool).await?;
    let meeting = secretary_meeting(&mut tx, &user, &id).await?;
    let agenda = db::meetings::agenda(&mut tx, meeting.id).await?;
    let item_id = Uuid::parse_str(&form.item).map_err(|_| AppError::BadRequest("unknown item"))?;
    let item = agenda
        .iter()
        .find(|i| i.id == item_id)
        .ok_or(AppError::BadRequest("unknown item"))?;
    if item.outcome.is_some() {
        return Err(AppError::Refused {
            status: StatusCode::CONFLICT,
            message: "Beslutet i ärendet är redan protokollfört.".into(),
            back: meeting_href(meeting.id),
        });
    }
    if agenda.iter().find(|i| i.outcome.is_none()).map(|i| i.id) != Some(item_id) {
        return Err(AppError::Refused {
            status: StatusCode::CONFLICT,
            message: "Besluten protokollförs i föredragningslistans ordning, så att paragraferna följer den.".into(),
            back: meeting_href(meeting.id),
        });
    }
    let decision = match validate_decision(&form.input()) {
        Ok(decision) => decision,
        Err(errors) => {
            drop(tx);
            let page =
                meeting_page(&state, &user, &id, form, errors.into(), Default::default()).await?;
            return page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let case = db::cases::get(&mut tx, item.case_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let to = check(&case, &user, Transition::Decide(decision.outcome))?;
    let revision = db::reports::latest(&mut tx, case.id)
        .await?
        .ok_or_else(|| raced(case.id))?;
    let meeting_date = stockholm_date(meeting.starts_at);
    let paragraph =
        db::decisions::next_paragraph(&mut tx, meeting.organ_id, meeting_date.year()).await?;
    let now = Utc::now();
    db::decisions::insert(
        &mut tx,
        &db::decisions::NewDecision {
            case_id: case.id,
            agenda_item_id: Some(item_id),
            paragraph: Some((meeting_date.year(), paragraph)),
            decided_on: meeting_date,
            outcome: decision.outcome,
            decision_text: &decision.decision_text,
            reason: &decision.reason,
            attendance: &decision.attendance,
            reservations: &decision.reservations,
            statements: &decision.statements,
            delegation_reference: None,
            revision_id: revision.id,
            decided_by: user.id(),
            at: now,
        },
    )
    .await?;
    record_transition(
        &mut tx,
        user.id(),
        &case,
        to,
        "case.decided",
        json!({ "outcome": decision.outcome.as_str(), "paragraph": meeting::paragraph_label(paragraph), "reason": decision.reason }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&meeting_href(meeting.id)).into_response())
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
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<AdjustForm>,
) -> Result<Response, AppError> {
    let mut tx = db::begin(&state.pool).await?;
    let meeting = secretary_meeting(&mut tx, &user, &id).await?;
    let agenda = db::meetings::agenda(&mut tx, meeting.id).await?;
    let mut errors = match validate_adjustment(
        &form.adjusted_on,
        &form.adjusted_by,
        stockholm_date(meeting.starts_at),
    ) {
        Ok((on, by)) if agenda.iter().all(|i| i.outcome.is_some()) && !agenda.is_empty() => {
            db::meetings::adjust(&mut tx, meeting.id, on, &by).await?;
            db::audit::record(
                &mut tx,
                NewEvent {
                    after: Some(json!({ "adjusted_on": on, "adjusted_by": by })),
                    ..NewEvent::new(Some(user.id()), "meeting.adjusted", "meeting", meeting.id)
                },
            )
            .await?;
            tx.commit().await?;
            return Ok(Redirect::to(&meeting_href(meeting.id)).into_response());
        }
        Ok(_) => FieldErrors::new(),
        Err(errors) => errors,
    };
    if agenda.is_empty() || agenda.iter().any(|i| i.outcome.is_none()) {
        errors.add(
            "adjusted_on",
            "Protokollet kan justeras först när alla ärenden på föredragningslistan har beslut.",
        );
    }
    drop(tx);
    let page = meeting_page(
        &state,
        &user,
        &id,
        DecisionForm::default(),
        errors.into(),
        (form.adjusted_on, form.adjusted_by),
    )
    .await?;
    page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
