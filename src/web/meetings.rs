//! Sammanträden: the secretary plans meetings, builds the agenda, records the
//! decisions item by item and adjusts the minutes.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::auth::EmptyForm;
use super::confirmation::{Done, redirect_confirming};
use super::document_files::{PDF, download, rendered};
use super::documents::Download;
use super::form::CsrfForm;
use super::ids::{Id, TwoIds};
use super::refusal::refused;
use super::session::CurrentUser;
use super::views::{FormErrors, Layout, page, page_with_status};
use super::{AppError, AppState};
use crate::app;
use crate::app::meeting_documents::{
    self, AgendaEntry, ProtocolParts, agenda_entries, protocol_parts,
};
use crate::app::meetings::{Adjustment, secretary_organs};
use crate::db;
use crate::db::meetings::{AgendaItem, Meeting};
use crate::db::organs::Organ;
use crate::domain::Role;
use crate::domain::confirmation::Confirmation;
use crate::domain::dates::parse_date;
use crate::domain::dates::{format_stockholm, stockholm_date};
use crate::domain::meeting::{
    AbsenceReason, DecisionInput, MeetingInput, MemberStatement, VoteChoice, YearPlanInput,
    default_act_date, paragraph_label,
};
use crate::domain::report::genitive;
use crate::domain::roster::{
    AttendanceInput, Attendee, MemberInput, RosterMember, adjusted_by_text, attendance_text,
};
use crate::domain::time_limits::{adjustment_timing, late_adjustment_sv, posting_deadline};
use crate::domain::workflow::DecisionOutcome;
use crate::render;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sammantraden", get(list).post(create))
        .route("/sammantraden/planera-ar", get(year_form).post(plan_year))
        .route(
            "/sammantraden/ledamoter/{organ}",
            get(roster_page).post(add_member),
        )
        .route(
            "/sammantraden/ledamoter/{organ}/ta-bort",
            post(remove_member),
        )
        .route("/sammantraden/{id}/narvaro", post(record_attendance))
        .route("/sammantraden/{id}", get(show))
        .route("/sammantraden/{id}/andra", post(reschedule))
        .route("/sammantraden/{id}/{document}", get(document))
        .route("/sammantraden/{id}/installt", post(cancel))
        .route("/sammantraden/{id}/ordning", post(reorder))
        .route("/sammantraden/{id}/beslut", post(decide))
        .route("/sammantraden/{id}/justering", post(adjust))
        .route("/sammantraden/{id}/skicka-kallelse", post(send_agenda))
        .route(
            "/sammantraden/{id}/beslut/{item}",
            get(correction_form).post(correct),
        )
        .route("/sammantraden/{id}/beslut/{item}/ta-bort", post(remove))
}

fn member_organs(user: &CurrentUser) -> Vec<Uuid> {
    let mut organs = user.organs();
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
        .ctx
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
    adjust: AdjustForm,
    /// The last day the notice of a justering on the offered day may be posted.
    posting_deadline: String,
    change: ChangeForm,
    roster: Vec<RosterMember>,
    attendees: Vec<Attendee>,
    /// The 14 days of justering (KL 5 kap. 69 §): near or past for a protocol not
    /// yet adjusted, or missed by its justering.
    adjustment_warning: Option<String>,
    /// The kallelser sent to the members, newest first.
    mailings: Vec<db::meetings::AgendaMailing>,
}

impl MeetingPage {
    /// The meeting is held after `deadline`: a case placed on it answers late.
    fn after_deadline(&self, deadline: &chrono::NaiveDate) -> bool {
        stockholm_date(self.meeting.starts_at) > *deadline
    }

    fn attended(&self, member: &RosterMember) -> Option<&Attendee> {
        self.attendees
            .iter()
            .find(|a| a.name == member.name && a.party == member.party)
    }

    fn present(&self, member: &RosterMember) -> bool {
        self.attended(member).is_some()
    }

    fn chairs(&self, member: &RosterMember) -> bool {
        self.attended(member).is_some_and(|a| a.chair)
    }

    fn adjusts(&self, member: &RosterMember) -> bool {
        self.attended(member).is_some_and(|a| a.adjuster)
    }
}

/// The outcomes a meeting records (delegation is not one).
const MEETING_OUTCOMES: [DecisionOutcome; 4] = [
    DecisionOutcome::Adopted,
    DecisionOutcome::Amended,
    DecisionOutcome::ReferredBack,
    DecisionOutcome::Tabled,
];

impl MeetingPage {
    fn outcomes(&self) -> [DecisionOutcome; 4] {
        MEETING_OUTCOMES
    }

    /// The secretary may still change the meeting: not adjusted, not cancelled.
    fn can_change(&self) -> bool {
        self.is_secretary
            && self.meeting.adjusted_on.is_none()
            && self.meeting.cancel_reason.is_none()
    }

    fn sent_at(&self, mailing: &db::meetings::AgendaMailing) -> String {
        format_stockholm(mailing.created_at)
    }

    fn any_decided(&self) -> bool {
        self.items.iter().any(|i| i.item.outcome.is_some())
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
    adjust: AdjustForm,
    change: Option<ChangeForm>,
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
    let attendees = meeting.attendees();
    let roster = if is_secretary {
        db::meetings::roster(&mut conn, meeting.organ_id).await?
    } else {
        Vec::new()
    };
    let mut adjust = adjust;
    if adjust.adjusted_by.is_empty() {
        adjust.adjusted_by = adjusted_by_text(&attendees);
    }
    if adjust.adjusted_on.is_empty() {
        adjust.adjusted_on = default_act_date(meeting_date, state.ctx.clock.today()).to_string();
    }
    let adjustment_warning = adjustment_warning(&meeting, state.ctx.clock.today());
    let mailings = db::meetings::agenda_mailings(&mut conn, meeting.id).await?;
    let mut decision = decision;
    if decision.attendance.is_empty() {
        decision.attendance = if attendees.is_empty() {
            previous_attendance(&mut conn, id).await?
        } else {
            attendance_text(&attendees)
        };
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
        posting_deadline: parse_date(&adjust.adjusted_on)
            .map(|on| posting_deadline(on).to_string())
            .unwrap_or_default(),
        adjust,
        change: change.unwrap_or_else(|| ChangeForm::of(&meeting)),
        roster,
        attendees,
        adjustment_warning,
        mailings,
        meeting,
    })
}

/// What the meeting page says of the 14 days of justering: a reminder once the
/// meeting is held and the last day is near or past, or, once adjusted, that the
/// justering was late.
fn adjustment_warning(meeting: &Meeting, today: NaiveDate) -> Option<String> {
    let meeting_date = stockholm_date(meeting.starts_at);
    match meeting.adjusted_on {
        Some(on) => adjustment_timing(meeting_date, on)
            .missed_deadline()
            .map(late_adjustment_sv),
        None if meeting.cancel_reason.is_some() || today < meeting_date => None,
        None => adjustment_timing(meeting_date, today).reminder_sv(),
    }
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
    done: Done,
) -> Result<Response, AppError> {
    let mut page = meeting_page(
        &state,
        &user,
        id,
        DecisionForm::default(),
        FormErrors::none(),
        Default::default(),
        None,
    )
    .await?;
    page.layout = page.layout.confirmed(done.0.map(|c| c.message_sv(None)));
    Ok(done.shown(super::views::page(&page)?, &meeting_href(id)))
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
    /// "on" when the paragraph was adjusted at once.
    #[serde(default)]
    adjusted_at_once: String,
    #[serde(default)]
    motion_member: Vec<String>,
    #[serde(default)]
    motion_party: Vec<String>,
    #[serde(default)]
    motion_text: Vec<String>,
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    vote_member: Vec<String>,
    #[serde(default)]
    vote_choice: Vec<String>,
    /// Those present who took no part in the paragraph, and why ("jav", "lamnade").
    #[serde(default)]
    absent_member: Vec<String>,
    #[serde(default)]
    absent_reason: Vec<String>,
}

impl DecisionForm {
    /// The form filled with a recorded decision, for correcting it.
    fn recorded(decision: &db::decisions::Decision, item: Uuid) -> DecisionForm {
        let column = |rows: &[MemberStatement], pick: fn(&MemberStatement) -> &String| {
            rows.iter().map(|row| pick(row).clone()).collect()
        };
        DecisionForm {
            item: item.to_string(),
            outcome: decision.outcome.as_str().to_string(),
            decision_text: decision.decision_text.clone(),
            reason: decision.reason.clone(),
            attendance: decision.attendance.clone(),
            reservation_member: column(&decision.reservations, |r| &r.member),
            reservation_party: column(&decision.reservations, |r| &r.party),
            reservation_text: column(&decision.reservations, |r| &r.text),
            statement_member: column(&decision.statements, |r| &r.member),
            statement_party: column(&decision.statements, |r| &r.party),
            statement_text: column(&decision.statements, |r| &r.text),
            adjusted_at_once: String::new(),
            motion_member: column(&decision.motions, |r| &r.member),
            motion_party: column(&decision.motions, |r| &r.party),
            motion_text: column(&decision.motions, |r| &r.text),
            procedure: decision.procedure.clone(),
            vote_member: decision.votes.iter().map(|v| v.member.clone()).collect(),
            vote_choice: decision
                .votes
                .iter()
                .map(|v| v.choice.as_str().to_string())
                .collect(),
            absent_member: decision.absences.iter().map(|a| a.member.clone()).collect(),
            absent_reason: decision
                .absences
                .iter()
                .map(|a| a.reason.as_str().to_string())
                .collect(),
        }
    }

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
            adjusted_at_once: self.adjusted_at_once == "on",
            motion_members: self.motion_member.clone(),
            motion_parties: self.motion_party.clone(),
            motion_texts: self.motion_text.clone(),
            procedure: self.procedure.clone(),
            vote_members: self.vote_member.clone(),
            vote_choices: self.vote_choice.clone(),
            absent_members: self.absent_member.clone(),
            absent_reasons: self.absent_reason.clone(),
        }
    }

    /// The typed rows of those who took no part, and two blank ones.
    fn absence_rows(&self) -> Vec<(String, String)> {
        Self::pairs(&self.absent_member, &self.absent_reason, 2)
    }

    fn absence_reasons(&self) -> [AbsenceReason; 2] {
        AbsenceReason::ALL
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

    fn motion_rows(&self) -> Vec<(String, String, String)> {
        Self::rows(&self.motion_member, &self.motion_party, &self.motion_text)
    }

    /// The typed vote rows and three blank ones (a vote is added row by row
    /// without a script; more rows after saving).
    fn vote_rows(&self) -> Vec<(String, String)> {
        Self::pairs(&self.vote_member, &self.vote_choice, 3)
    }

    /// The typed (member, choice) rows, and `blank` empty ones.
    fn pairs(members: &[String], choices: &[String], blank: usize) -> Vec<(String, String)> {
        let mut rows: Vec<(String, String)> = members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.clone(), choices.get(i).cloned().unwrap_or_default()))
            .filter(|(m, c)| !(m.is_empty() && c.is_empty()))
            .collect();
        rows.extend(std::iter::repeat_n(Default::default(), blank));
        rows
    }

    fn vote_choices(&self) -> [VoteChoice; 3] {
        VoteChoice::ALL
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
        Ok(()) => Ok(redirect_confirming(
            &meeting_href(id),
            Confirmation::Decided,
        )),
        Err(app::Error::Invalid(errors)) => {
            let adjust = Default::default();
            let page = meeting_page(&state, &user, id, form, errors.into(), adjust, None).await?;
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, meeting_href(id))),
    }
}

#[derive(Debug, Default, Deserialize)]
struct AdjustForm {
    #[serde(default)]
    adjusted_on: String,
    #[serde(default)]
    adjusted_by: String,
    #[serde(default)]
    posted_on: String,
}

async fn adjust(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<AdjustForm>,
) -> Result<Response, AppError> {
    let input = Adjustment {
        adjusted_on: form.adjusted_on.clone(),
        adjusted_by: form.adjusted_by.clone(),
        posted_on: form.posted_on.clone(),
    };
    match app::meetings::adjust(&state.ctx, &user.actor(), id, &input).await {
        Ok(()) => Ok(Redirect::to(&meeting_href(id)).into_response()),
        Err(app::Error::Invalid(errors)) => {
            let decision = DecisionForm::default();
            let page = meeting_page(&state, &user, id, decision, errors.into(), form, None).await?;
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, meeting_href(id))),
    }
}

/// The secretary sends the kallelse to the members by e-mail.
async fn send_agenda(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(EmptyForm {}): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    app::meetings::send_agenda(&state.ctx, &user.actor(), id)
        .await
        .map_err(|refusal| refused(refusal, meeting_href(id)))?;
    Ok(Redirect::to(&meeting_href(id)).into_response())
}

#[derive(Template)]
#[template(path = "meetings/correct.html")]
struct CorrectionPage {
    layout: Layout,
    meeting: Meeting,
    when: String,
    item: AgendaItem,
    paragraph: String,
    decision: DecisionForm,
    errors: FormErrors,
    removal_reason: String,
}

impl CorrectionPage {
    fn outcomes(&self) -> [DecisionOutcome; 4] {
        MEETING_OUTCOMES
    }
}

/// The correction page of a recorded decision: `typed` is what was posted and
/// refused, or none to start from the decision as recorded.
async fn correction_page(
    state: &AppState,
    user: &CurrentUser,
    meeting_id: Uuid,
    item_id: Uuid,
    typed: Option<DecisionForm>,
    errors: FormErrors,
    removal_reason: String,
) -> Result<CorrectionPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let meeting = db::meetings::get(&mut conn, meeting_id)
        .await?
        .ok_or(AppError::NotFound)?;
    user.require(user.roles_in(meeting.organ_id).contains(&Role::Secretary))?;
    let item = db::meetings::agenda(&mut conn, meeting.id)
        .await?
        .into_iter()
        .find(|i| i.id == item_id)
        .ok_or(AppError::NotFound)?;
    let decision_id = db::decisions::on_item(&mut conn, item.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let recorded = db::decisions::for_case(&mut conn, item.case_id)
        .await?
        .into_iter()
        .find(|d| d.id == decision_id)
        .ok_or(AppError::NotFound)?;
    let when = format_stockholm(meeting.starts_at);
    Ok(CorrectionPage {
        layout: Layout::new(format!("Rätta beslut {}", item.dnr), user, "sammantraden")
            .crumb("Sammanträden", "/sammantraden")
            .crumb(format!("Sammanträde {when}"), meeting_href(meeting.id)),
        paragraph: recorded.paragraph.map(paragraph_label).unwrap_or_default(),
        decision: typed.unwrap_or_else(|| DecisionForm::recorded(&recorded, item.id)),
        meeting,
        when,
        item,
        errors,
        removal_reason,
    })
}

async fn correction_form(
    State(state): State<AppState>,
    user: CurrentUser,
    TwoIds(id, item): TwoIds,
) -> Result<Response, AppError> {
    let errors = FormErrors::none();
    page(&correction_page(&state, &user, id, item, None, errors, String::new()).await?)
}

async fn correct(
    State(state): State<AppState>,
    user: CurrentUser,
    TwoIds(id, item): TwoIds,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, AppError> {
    match app::meetings::correct(&state.ctx, &user.actor(), id, item, &form.input()).await {
        Ok(()) => Ok(Redirect::to(&meeting_href(id)).into_response()),
        Err(app::Error::Invalid(errors)) => {
            let errors = errors.into();
            let page =
                correction_page(&state, &user, id, item, Some(form), errors, String::new()).await?;
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, meeting_href(id))),
    }
}

#[derive(Deserialize)]
struct RemovalForm {
    #[serde(default)]
    removal_reason: String,
}

async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    TwoIds(id, item): TwoIds,
    CsrfForm(form): CsrfForm<RemovalForm>,
) -> Result<Response, AppError> {
    let reason = form.removal_reason;
    match app::meetings::remove_decision(&state.ctx, &user.actor(), id, item, &reason).await {
        Ok(()) => Ok(Redirect::to(&meeting_href(id)).into_response()),
        Err(app::Error::Invalid(errors)) => {
            let errors = errors.into();
            let page = correction_page(&state, &user, id, item, None, errors, reason).await?;
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, meeting_href(id))),
    }
}

/// The meeting's day, time and place as the change form shows them, and why.
#[derive(Debug, Default, Deserialize)]
struct ChangeForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    reschedule_reason: String,
    #[serde(default)]
    cancel_reason: String,
}

impl ChangeForm {
    fn of(meeting: &Meeting) -> ChangeForm {
        let local = meeting
            .starts_at
            .with_timezone(&chrono_tz::Europe::Stockholm);
        ChangeForm {
            date: local.date_naive().to_string(),
            time: local.format("%H:%M").to_string(),
            place: meeting.place.clone(),
            ..ChangeForm::default()
        }
    }
}

/// The meeting page again with the refused change (422), or the refusal.
async fn after_change(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    form: ChangeForm,
    done: app::Result<()>,
) -> Result<Response, AppError> {
    match done {
        Ok(()) => Ok(Redirect::to(&meeting_href(id)).into_response()),
        Err(app::Error::Invalid(errors)) => {
            let (decision, adjust) = (DecisionForm::default(), AdjustForm::default());
            let errors = errors.into();
            let page = meeting_page(state, user, id, decision, errors, adjust, Some(form)).await?;
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, meeting_href(id))),
    }
}

async fn reschedule(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<Response, AppError> {
    let input = MeetingInput {
        organ: String::new(),
        date: form.date.clone(),
        time: form.time.clone(),
        place: form.place.clone(),
    };
    let reason = &form.reschedule_reason;
    let done = app::meetings::reschedule(&state.ctx, &user.actor(), id, &input, reason).await;
    after_change(&state, &user, id, form, done).await
}

async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<Response, AppError> {
    let reason = &form.cancel_reason;
    let done = app::meetings::cancel(&state.ctx, &user.actor(), id, reason).await;
    after_change(&state, &user, id, form, done).await
}

#[derive(Template)]
#[template(path = "meetings/year.html")]
struct YearPage {
    layout: Layout,
    organs: Vec<Organ>,
    input: YearPlanInput,
    errors: FormErrors,
}

async fn year_page(
    state: &AppState,
    user: &CurrentUser,
    input: YearPlanInput,
    errors: FormErrors,
) -> Result<YearPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    let secretary_of = secretary_organs(&user.actor());
    user.require(!secretary_of.is_empty())?;
    let organs = state
        .ctx
        .organs
        .list(&mut conn)
        .await?
        .into_iter()
        .filter(|o| secretary_of.contains(&o.id))
        .collect();
    Ok(YearPage {
        layout: Layout::new("Planera ett års sammanträden", user, "sammantraden")
            .crumb("Sammanträden", "/sammantraden"),
        organs,
        input,
        errors,
    })
}

async fn year_form(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let input = YearPlanInput {
        time: "13:00".into(),
        ..YearPlanInput::default()
    };
    page(&year_page(&state, &user, input, FormErrors::none()).await?)
}

#[derive(Deserialize)]
struct YearForm {
    #[serde(default)]
    organ: String,
    #[serde(default)]
    dates: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    place: String,
}

async fn plan_year(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<YearForm>,
) -> Result<Response, AppError> {
    let input = YearPlanInput {
        organ: form.organ,
        dates: form.dates,
        time: form.time,
        place: form.place,
    };
    match app::meetings::plan_year(&state.ctx, &user.actor(), &input).await {
        Ok(_) => Ok(Redirect::to("/sammantraden").into_response()),
        Err(app::Error::Invalid(errors)) => {
            let page = year_page(&state, &user, input, errors.into()).await?;
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(refusal) => Err(refused(refusal, "/sammantraden")),
    }
}

/// A meeting of the user's own organ, for its documents (working material until
/// adjusted; the public reads the adjusted paragraphs on the anslagstavla).
async fn own_meeting(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    id: Uuid,
) -> Result<Meeting, AppError> {
    let meeting = db::meetings::get(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    user.require(user.works_in(meeting.organ_id))?;
    Ok(meeting)
}

/// What a meeting's printed document holds below its heading.
enum DocumentBody {
    Agenda(Vec<AgendaEntry>),
    Protocol(ProtocolParts),
}

/// The kallelse or the protocol of a meeting, laid out for printing.
#[derive(Template)]
#[template(path = "meetings/document.html")]
struct MeetingDocument {
    title: String,
    back: String,
    downloads: Vec<Download>,
    kind: &'static str,
    meeting: Meeting,
    organ_genitive: String,
    when: String,
    body: DocumentBody,
}

fn meeting_document(meeting: Meeting, kind: &'static str, body: DocumentBody) -> MeetingDocument {
    let when = format_stockholm(meeting.starts_at);
    let file = match body {
        DocumentBody::Agenda(_) => "kallelse",
        DocumentBody::Protocol(_) => "protokoll",
    };
    MeetingDocument {
        title: format!("{kind} {} {when}", meeting.organ_name),
        back: meeting_href(meeting.id),
        downloads: vec![Download {
            href: format!("{}/{file}.pdf", meeting_href(meeting.id)),
            label: "Ladda ned som PDF",
        }],
        kind,
        organ_genitive: genitive(&meeting.organ_name),
        meeting,
        when,
        body,
    }
}

/// The kallelse (`kallelse`) or the whole protocol (`protokoll`) of a meeting,
/// for printing, and each as PDF (`kallelse.pdf`, `protokoll.pdf`).
async fn document(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, document)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let mut conn = state.pool.acquire().await?;
    let meeting = own_meeting(&mut conn, &user, id).await?;
    let (kind, body) = match document.as_str() {
        "kallelse.pdf" => {
            let agenda = meeting_documents::agenda(&meeting, &agenda_entries(&mut conn, id).await?);
            let bytes = rendered(move || render::pdf::agenda(&agenda), meeting_href(id)).await?;
            return Ok(download(
                bytes,
                PDF,
                &meeting_documents::agenda_file_name(&meeting),
            ));
        }
        "protokoll.pdf" => {
            let parts = protocol_parts(&mut conn, &meeting).await?;
            let protocol = meeting_documents::protocol(&meeting, &parts);
            let bytes =
                rendered(move || render::pdf::protocol(&protocol), meeting_href(id)).await?;
            return Ok(download(
                bytes,
                PDF,
                &meeting_documents::protocol_file_name(&meeting),
            ));
        }
        "kallelse" => (
            "Kallelse",
            DocumentBody::Agenda(agenda_entries(&mut conn, id).await?),
        ),
        "protokoll" => (
            "Protokoll",
            DocumentBody::Protocol(protocol_parts(&mut conn, &meeting).await?),
        ),
        _ => return Err(AppError::NotFound),
    };
    page(&meeting_document(meeting, kind, body))
}

#[derive(Deserialize)]
struct AttendanceForm {
    #[serde(default)]
    present: Vec<String>,
    #[serde(default)]
    chair: String,
    #[serde(default)]
    adjusters: Vec<String>,
}

async fn record_attendance(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsrfForm(form): CsrfForm<AttendanceForm>,
) -> Result<Response, AppError> {
    let input = AttendanceInput {
        present: form.present,
        chair: form.chair,
        adjusters: form.adjusters,
    };
    let done = app::meetings::record_attendance(&state.ctx, &user.actor(), id, &input).await;
    after_change(&state, &user, id, ChangeForm::default(), done).await
}

#[derive(Template)]
#[template(path = "meetings/roster.html")]
struct RosterPage {
    layout: Layout,
    organ: Organ,
    members: Vec<RosterMember>,
    input: MemberForm,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
struct MemberForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    party: String,
    #[serde(default)]
    substitute: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    member: String,
}

async fn roster_view(
    state: &AppState,
    user: &CurrentUser,
    organ_id: Uuid,
    input: MemberForm,
    errors: FormErrors,
) -> Result<RosterPage, AppError> {
    user.require(user.roles_in(organ_id).contains(&Role::Secretary))?;
    let mut conn = state.pool.acquire().await?;
    let organ = db::organs::get(&mut conn, organ_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(RosterPage {
        layout: Layout::new(format!("Ledamöter i {}", organ.name), user, "sammantraden")
            .crumb("Sammanträden", "/sammantraden"),
        members: db::meetings::roster(&mut conn, organ_id).await?,
        organ,
        input,
        errors,
    })
}

fn roster_href(organ_id: Uuid) -> String {
    format!("/sammantraden/ledamoter/{organ_id}")
}

async fn roster_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(organ): Id,
) -> Result<Response, AppError> {
    let view = roster_view(
        &state,
        &user,
        organ,
        MemberForm::default(),
        FormErrors::none(),
    );
    page(&view.await?)
}

async fn add_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(organ): Id,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> Result<Response, AppError> {
    let input = MemberInput {
        name: form.name.clone(),
        party: form.party.clone(),
        substitute: form.substitute == "on",
        email: form.email.clone(),
    };
    match app::meetings::add_member(&state.ctx, &user.actor(), organ, &input).await {
        Ok(_) => Ok(Redirect::to(&roster_href(organ)).into_response()),
        Err(app::Error::Invalid(errors)) => {
            let view = roster_view(&state, &user, organ, form, errors.into()).await?;
            page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(refusal) => Err(refused(refusal, roster_href(organ))),
    }
}

async fn remove_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(organ): Id,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> Result<Response, AppError> {
    let member = Uuid::parse_str(&form.member).map_err(|_| AppError::NotFound)?;
    app::meetings::remove_member(&state.ctx, &user.actor(), organ, member)
        .await
        .map_err(|refusal| refused(refusal, roster_href(organ)))?;
    Ok(Redirect::to(&roster_href(organ)).into_response())
}
