//! Sammanträden: the secretary plans a meeting, places approved cases on its
//! agenda and orders it, records the decisions item by item (each with the next
//! § of the organ's series) and adjusts the minutes, which freezes them.

use chrono::{DateTime, Datelike, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use sqlx::PgConnection;
use uuid::Uuid;

use super::outbox::{self, About, Notice};
use super::step::{self, Begun};
use super::{Actor, Context, Error, Result, commit, transaction};
use super::{frozen, meeting_documents};
use crate::db;
use crate::db::audit::{self, NewEvent};
use crate::db::meetings::Meeting;
use crate::db::notices::Subject;
use crate::domain::audit::{
    AgendaReordered, AgendaSent, AuditAction, CaseEvent, DecisionRecord, MeetingAdjusted,
    MeetingCancelled, MeetingChanged, MeetingPlanned, OrganMember,
};
use crate::domain::dates::{format_stockholm, stockholm_date};
use crate::domain::meeting::{
    DecisionInput, MeetingDetails, MeetingInput, YearPlanInput, check_correction,
    check_meeting_held, check_removal, paragraph_label, validate_adjustment, validate_decision,
    validate_meeting, validate_required, validate_year_plan,
};
use crate::domain::notice::notice_dates;
use crate::domain::roster::{
    AttendanceInput, Attendee, MemberInput, check_absent_were_present, validate_attendance,
    validate_member,
};
use crate::domain::workflow::Transition;
use crate::domain::{CaseState, FieldErrors, Role};
use crate::files::store::store_bytes;
use crate::render;

/// The organs in which the actor is nämndsekreterare.
pub fn secretary_organs(actor: &Actor) -> Vec<Uuid> {
    actor
        .roles
        .iter()
        .filter(|(_, role)| *role == Role::Secretary)
        .map(|(organ, _)| *organ)
        .collect()
}

/// Plans a meeting of one of the organs the actor is secretary of; its id.
pub async fn plan(ctx: &Context, actor: &Actor, input: &MeetingInput) -> Result<Uuid> {
    transaction!(ctx, plan_in, actor, input)
}

pub async fn plan_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    input: &MeetingInput,
) -> Result<Uuid> {
    let organ_id = secretary_organ(actor, &input.organ)?;
    let (organ_id, details) = match (organ_id, validate_meeting(input)) {
        (Some(organ_id), Ok(details)) => (organ_id, details),
        (organ_id, details) => return Err(refused_plan(organ_id, details.err())),
    };
    create(conn, at, actor, organ_id, &details).await
}

/// The organ a planning form names, when the actor is its secretary; forbidden
/// when the actor is secretary nowhere.
fn secretary_organ(actor: &Actor, organ: &str) -> Result<Option<Uuid>> {
    let secretary_of = secretary_organs(actor);
    actor.require(!secretary_of.is_empty())?;
    Ok(Uuid::parse_str(organ.trim())
        .ok()
        .filter(|id| secretary_of.contains(id)))
}

fn refused_plan(organ_id: Option<Uuid>, errors: Option<FieldErrors>) -> Error {
    let mut errors = errors.unwrap_or_default();
    if organ_id.is_none() {
        errors.add("organ", "Välj en nämnd där du är nämndsekreterare.");
    }
    Error::Invalid(errors)
}

/// The meeting's start in Stockholm's time.
fn starts_at(details: &MeetingDetails) -> Result<DateTime<Utc>> {
    Ok(Stockholm
        .from_local_datetime(&details.date.and_time(details.time))
        .earliest()
        .ok_or_else(|| Error::invalid("time", "Den tiden finns inte i Stockholm den dagen."))?
        .with_timezone(&Utc))
}

async fn create(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    organ_id: Uuid,
    details: &MeetingDetails,
) -> Result<Uuid> {
    let starts_at = starts_at(details)?;
    let id = Uuid::new_v4();
    db::meetings::create(conn, id, organ_id, starts_at, &details.place).await?;
    let planned = MeetingPlanned {
        organ_id,
        starts_at,
        place: details.place.clone(),
    };
    record_meeting(
        conn,
        at,
        actor,
        AuditAction::MeetingPlanned,
        id,
        None,
        &planned,
    )
    .await?;
    Ok(id)
}

/// Records an event of the meeting itself (not of a case on it).
async fn record_meeting(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    action: AuditAction,
    meeting_id: Uuid,
    before: Option<&MeetingPlanned>,
    after: &impl serde::Serialize,
) -> Result<()> {
    audit::record(
        conn,
        NewEvent {
            before: before.map(audit::details),
            after: Some(audit::details(after)),
            at: Some(at),
            ..NewEvent::new(Some(actor.user_id), action, meeting_id)
        },
    )
    .await?;
    Ok(())
}

/// Plans a year's meetings of one organ at once; their ids, in date order.
pub async fn plan_year(ctx: &Context, actor: &Actor, input: &YearPlanInput) -> Result<Vec<Uuid>> {
    transaction!(ctx, plan_year_in, actor, input)
}

pub async fn plan_year_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    input: &YearPlanInput,
) -> Result<Vec<Uuid>> {
    let organ_id = secretary_organ(actor, &input.organ)?;
    let (organ_id, meetings) = match (organ_id, validate_year_plan(input)) {
        (Some(organ_id), Ok(meetings)) => (organ_id, meetings),
        (organ_id, meetings) => return Err(refused_plan(organ_id, meetings.err())),
    };
    let mut ids = Vec::with_capacity(meetings.len());
    for details in &meetings {
        ids.push(create(conn, at, actor, organ_id, details).await?);
    }
    Ok(ids)
}

/// Moves a meeting to another day, time or place, until decisions are recorded
/// at it; the reason is kept with the change.
pub async fn reschedule(
    ctx: &Context,
    actor: &Actor,
    meeting_id: Uuid,
    input: &MeetingInput,
    reason: &str,
) -> Result<()> {
    transaction!(ctx, reschedule_in, actor, meeting_id, input, reason)
}

pub async fn reschedule_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    meeting_id: Uuid,
    input: &MeetingInput,
    reason: &str,
) -> Result<()> {
    let meeting = secretary_meeting(conn, actor, meeting_id).await?;
    let agenda = db::meetings::agenda(conn, meeting.id).await?;
    if agenda.iter().any(|item| item.outcome.is_some()) {
        return Err(Error::Conflict(
            "Beslut är redan protokollförda vid sammanträdet, så det kan inte flyttas.".into(),
        ));
    }
    let details = validate_meeting(input);
    let reason = validate_required(
        "reschedule_reason",
        reason,
        "Ange varför sammanträdet ändras.",
    );
    let (details, reason) = match (details, reason) {
        (Ok(details), Ok(reason)) => (details, reason),
        (details, reason) => {
            let mut errors = details.err().unwrap_or_default();
            for (field, message) in reason.err().unwrap_or_default().iter() {
                errors.add(field, message.to_string());
            }
            return Err(Error::Invalid(errors));
        }
    };
    let starts_at = starts_at(&details)?;
    db::meetings::reschedule(conn, meeting.id, starts_at, &details.place).await?;
    let before = MeetingPlanned {
        organ_id: meeting.organ_id,
        starts_at: meeting.starts_at,
        place: meeting.place,
    };
    let after = MeetingChanged {
        organ_id: meeting.organ_id,
        starts_at,
        place: details.place,
        reason,
    };
    let action = AuditAction::MeetingRescheduled;
    record_meeting(conn, at, actor, action, meeting.id, Some(&before), &after).await
}

/// Cancels a meeting with nothing on its agenda, with the reason; it stays in the
/// plan, marked.
pub async fn cancel(ctx: &Context, actor: &Actor, meeting_id: Uuid, reason: &str) -> Result<()> {
    transaction!(ctx, cancel_in, actor, meeting_id, reason)
}

pub async fn cancel_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    meeting_id: Uuid,
    reason: &str,
) -> Result<()> {
    let meeting = secretary_meeting(conn, actor, meeting_id).await?;
    let reason = validate_required(
        "cancel_reason",
        reason,
        "Ange varför sammanträdet ställs in.",
    )?;
    if !db::meetings::cancel(conn, meeting.id, at, &reason).await? {
        return Err(Error::Conflict(
            "Sammanträdet har ärenden på föredragningslistan. Flytta dem till ett annat sammanträde innan det ställs in.".into(),
        ));
    }
    let cancelled = MeetingCancelled { reason };
    let action = AuditAction::MeetingCancelled;
    record_meeting(conn, at, actor, action, meeting.id, None, &cancelled).await
}

/// The meeting, locked, when the actor is its organ's secretary and the minutes
/// are not yet adjusted (a decision and a justering cannot pass each other).
async fn secretary_meeting(
    conn: &mut PgConnection,
    actor: &Actor,
    meeting_id: Uuid,
) -> Result<Meeting> {
    let meeting = db::meetings::get(conn, meeting_id)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(actor.has_role(meeting.organ_id, Role::Secretary))?;
    match db::meetings::lock(conn, meeting_id).await? {
        Some(standing) if standing.cancelled => {
            Err(Error::Conflict("Sammanträdet är inställt.".into()))
        }
        Some(standing) if standing.adjusted_on.is_none() => Ok(meeting),
        _ => Err(Error::Conflict(
            "Protokollet är justerat. Besluten från sammanträdet kan inte längre ändras.".into(),
        )),
    }
}

/// Places an approved case last on a meeting's agenda; its agenda item.
pub async fn place_on_agenda(
    ctx: &Context,
    actor: &Actor,
    case_id: Uuid,
    meeting_id: Uuid,
) -> Result<Uuid> {
    transaction!(ctx, place_on_agenda_in, actor, case_id, meeting_id)
}

pub async fn place_on_agenda_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    case_id: Uuid,
    meeting_id: Uuid,
) -> Result<Uuid> {
    let Begun { case, to } = step::begin(conn, actor, case_id, Transition::PlaceOnAgenda).await?;
    let meeting = secretary_meeting(conn, actor, meeting_id).await?;
    if meeting.organ_id != case.organ_id {
        return Err(Error::invalid(
            "meeting",
            "Välj ett sammanträde i ärendets nämnd.",
        ));
    }
    let item = db::meetings::add_item(conn, meeting.id, case.id).await?;
    let when = format_stockholm(meeting.starts_at);
    if let Some(officer) = case.officer_id {
        let notice = Notice::OnAgenda { meeting: &when };
        outbox::notify_user_in(conn, at, actor, &About::from(&case), officer, notice).await?;
    }
    let event = CaseEvent::PlacedOnAgenda {
        meeting: when,
        after_deadline: stockholm_date(meeting.starts_at) > case.deadline,
    };
    step::finish(conn, at, actor, &case, to, event).await?;
    Ok(item)
}

/// Moves an undecided item one place up or down; decided items keep their place,
/// since their § follow the agenda order.
pub async fn reorder(
    ctx: &Context,
    actor: &Actor,
    meeting_id: Uuid,
    item_id: Uuid,
    up: bool,
) -> Result<()> {
    let (mut tx, now) = ctx.begin().await?;
    let meeting = secretary_meeting(&mut tx, actor, meeting_id).await?;
    let agenda = db::meetings::agenda(&mut tx, meeting.id).await?;
    let position = agenda
        .iter()
        .position(|i| i.id == item_id)
        .ok_or(Error::NotFound)?;
    let neighbour = if up {
        position.checked_sub(1)
    } else {
        Some(position + 1)
    };
    let movable = |i: usize| agenda.get(i).is_some_and(|item| item.outcome.is_none());
    if !movable(position) || !neighbour.is_some_and(movable) {
        return Err(Error::Conflict(
            "Ett beslutat ärende behåller sin plats i föredragningslistan.".into(),
        ));
    }
    if db::meetings::move_item(&mut tx, meeting.id, item_id, up).await? {
        let reordered = AgendaReordered {
            item: item_id,
            direction: if up { "up" } else { "down" },
        };
        audit::record(
            &mut tx,
            NewEvent {
                after: Some(audit::details(&reordered)),
                at: Some(now),
                ..NewEvent::new(
                    Some(actor.user_id),
                    AuditAction::MeetingAgendaReordered,
                    meeting.id,
                )
            },
        )
        .await?;
    }
    commit(tx, ()).await
}

/// Records the decision on the next undecided item of the agenda.
pub async fn decide(
    ctx: &Context,
    actor: &Actor,
    meeting_id: Uuid,
    item_id: Uuid,
    input: &DecisionInput,
) -> Result<()> {
    transaction!(ctx, decide_in, actor, meeting_id, item_id, input)
}

pub async fn decide_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    meeting_id: Uuid,
    item_id: Uuid,
    input: &DecisionInput,
) -> Result<()> {
    let meeting = secretary_meeting(conn, actor, meeting_id).await?;
    let agenda = db::meetings::agenda(conn, meeting.id).await?;
    let item = agenda
        .iter()
        .find(|i| i.id == item_id)
        .ok_or(Error::NotFound)?;
    if item.outcome.is_some() {
        return Err(Error::Conflict(
            "Beslutet i ärendet är redan protokollfört.".into(),
        ));
    }
    if agenda.iter().find(|i| i.outcome.is_none()).map(|i| i.id) != Some(item_id) {
        return Err(Error::Conflict(
            "Besluten protokollförs i föredragningslistans ordning, så att paragraferna följer den.".into(),
        ));
    }
    let meeting_date = stockholm_date(meeting.starts_at);
    check_meeting_held(meeting_date, stockholm_date(at)).map_err(Error::Conflict)?;
    let decision = validate_decision(input)?;
    check_absent_were_present(&decision.absences, &meeting.attendees())?;
    let transition = Transition::Decide(decision.outcome);
    let Begun { case, to } = step::begin(conn, actor, item.case_id, transition).await?;
    let revision = db::reports::latest(conn, case.id)
        .await?
        .ok_or_else(Error::raced)?;
    let paragraph = match item.reserved_paragraph {
        Some(reserved) => reserved,
        None => db::decisions::next_paragraph(conn, meeting.organ_id, meeting_date.year()).await?,
    };
    let decision_id = db::decisions::insert(
        conn,
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
            motions: &decision.motions,
            procedure: &decision.procedure,
            votes: &decision.votes,
            absences: &decision.absences,
            delegation_reference: None,
            adjusted_at_once: decision.adjusted_at_once,
            revision_id: revision.id,
            decided_by: actor.user_id,
            at,
        },
    )
    .await?;
    if decision.adjusted_at_once {
        // Adjusted at the meeting: announced at once, which starts its appeal period.
        let dates = notice_dates(meeting_date, None).map_err(anyhow::Error::msg)?;
        let subject = Subject::Decision(decision_id);
        let administration = &case.administration;
        super::notices::post_in(
            conn,
            at,
            actor,
            case.organ_id,
            administration,
            subject,
            &dates,
        )
        .await?;
    }
    let event = CaseEvent::Decided {
        outcome: decision.outcome,
        paragraph: paragraph_label(paragraph),
        reason: decision.reason,
        decision_id,
    };
    step::finish(conn, at, actor, &case, to, event).await
}

/// A decision recorded at a meeting that is not yet adjusted, with its case
/// locked: what a correction or a removal starts from.
struct Recorded {
    case: db::cases::CaseDetail,
    decision: db::decisions::Decision,
    paragraph: String,
    /// Who took part in the meeting, as recorded.
    attendees: Vec<Attendee>,
}

async fn recorded(
    conn: &mut PgConnection,
    actor: &Actor,
    meeting_id: Uuid,
    item_id: Uuid,
) -> Result<Recorded> {
    let meeting = secretary_meeting(conn, actor, meeting_id).await?;
    let item = db::meetings::agenda(conn, meeting.id)
        .await?
        .into_iter()
        .find(|i| i.id == item_id)
        .ok_or(Error::NotFound)?;
    let decision_id = db::decisions::on_item(conn, item.id)
        .await?
        .ok_or_else(|| Error::Conflict("Inget beslut är protokollfört i ärendet.".into()))?;
    let case = step::load(conn, item.case_id).await?;
    let decision = db::decisions::for_case(conn, case.id)
        .await?
        .into_iter()
        .find(|d| d.id == decision_id)
        .ok_or_else(Error::raced)?;
    let paragraph = decision.paragraph.map(paragraph_label).unwrap_or_default();
    Ok(Recorded {
        case,
        decision,
        paragraph,
        attendees: meeting.attendees(),
    })
}

fn record_of(decision: &db::decisions::Decision) -> DecisionRecord {
    DecisionRecord {
        outcome: decision.outcome,
        decision_text: decision.decision_text.clone(),
        reason: decision.reason.clone(),
        attendance: decision.attendance.clone(),
        reservations: decision.reservations.clone(),
        statements: decision.statements.clone(),
        motions: decision.motions.clone(),
        procedure: decision.procedure.clone(),
        votes: decision.votes.clone(),
        absences: decision.absences.clone(),
    }
}

/// Corrects a recorded decision (its outcome within the same kind, its texts,
/// attendance, reservations and statements) until the minutes are adjusted.
pub async fn correct(
    ctx: &Context,
    actor: &Actor,
    meeting_id: Uuid,
    item_id: Uuid,
    input: &DecisionInput,
) -> Result<()> {
    transaction!(ctx, correct_in, actor, meeting_id, item_id, input)
}

pub async fn correct_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    meeting_id: Uuid,
    item_id: Uuid,
    input: &DecisionInput,
) -> Result<()> {
    let Recorded {
        case,
        decision: recorded,
        paragraph,
        attendees,
    } = recorded(conn, actor, meeting_id, item_id).await?;
    let corrected = validate_decision(input)?;
    check_absent_were_present(&corrected.absences, &attendees)?;
    check_correction(recorded.outcome, recorded.adjusted_at_once, &corrected)
        .map_err(|(field, message)| Error::invalid(field, message))?;
    db::decisions::correct(conn, recorded.id, case.id, &corrected).await?;
    let event = CaseEvent::DecisionCorrected {
        paragraph,
        was: record_of(&recorded),
        now: DecisionRecord::from(corrected),
    };
    step::record(conn, at, actor, &case, case.state, event).await
}

/// Removes a recorded decision until the minutes are adjusted, with the reason;
/// the case is back on the agenda, its item keeping the §.
pub async fn remove_decision(
    ctx: &Context,
    actor: &Actor,
    meeting_id: Uuid,
    item_id: Uuid,
    reason: &str,
) -> Result<()> {
    transaction!(ctx, remove_decision_in, actor, meeting_id, item_id, reason)
}

pub async fn remove_decision_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    meeting_id: Uuid,
    item_id: Uuid,
    reason: &str,
) -> Result<()> {
    let Recorded {
        case,
        decision,
        paragraph,
        ..
    } = recorded(conn, actor, meeting_id, item_id).await?;
    check_removal(decision.outcome, decision.adjusted_at_once, case.state)
        .map_err(Error::Conflict)?;
    let reason = validate_required("removal_reason", reason, "Ange varför beslutet tas bort.")?;
    db::decisions::remove(conn, decision.id, case.id).await?;
    let event = CaseEvent::DecisionRemoved {
        paragraph,
        was: record_of(&decision),
        reason,
    };
    step::finish(conn, at, actor, &case, CaseState::OnAgenda, event).await
}

/// Justering: when and by whom the minutes were approved, and the day its notice
/// goes up on the anslagstavla (empty: the day of justering).
#[derive(Debug, Clone, Default)]
pub struct Adjustment {
    pub adjusted_on: String,
    pub adjusted_by: String,
    pub posted_on: String,
}

/// Adjusts the minutes once every item on the agenda has its decision, and posts
/// the notice of it on the anslagstavla.
pub async fn adjust(
    ctx: &Context,
    actor: &Actor,
    meeting_id: Uuid,
    input: &Adjustment,
) -> Result<()> {
    transaction!(ctx, adjust_in, actor, meeting_id, input)
}

pub async fn adjust_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    meeting_id: Uuid,
    input: &Adjustment,
) -> Result<()> {
    let meeting = secretary_meeting(conn, actor, meeting_id).await?;
    let agenda = db::meetings::agenda(conn, meeting.id).await?;
    let adjustment = validate_adjustment(
        &input.adjusted_on,
        &input.adjusted_by,
        &input.posted_on,
        stockholm_date(meeting.starts_at),
        stockholm_date(at),
    );
    let all_decided = !agenda.is_empty() && agenda.iter().all(|i| i.outcome.is_some());
    let adjustment = match adjustment {
        Ok(valid) if all_decided => valid,
        result => {
            let mut errors = result.err().unwrap_or_else(FieldErrors::new);
            if !all_decided {
                errors.add(
                    "adjusted_on",
                    "Protokollet kan justeras först när alla ärenden på föredragningslistan har beslut.",
                );
            }
            return Err(Error::Invalid(errors));
        }
    };
    let (on, by) = (adjustment.adjusted_on, adjustment.adjusted_by);
    let missed_deadline = adjustment.missed_deadline;
    if !db::meetings::adjust(conn, meeting.id, on, &by).await? {
        return Err(Error::raced());
    }
    let organ = db::organs::get(conn, meeting.organ_id)
        .await?
        .ok_or(Error::NotFound)?;
    let subject = Subject::Meeting(meeting.id);
    let notice = adjustment.notice;
    super::notices::post_in(
        conn,
        at,
        actor,
        organ.id,
        &organ.administration,
        subject,
        &notice,
    )
    .await?;
    let adjusted = MeetingAdjusted {
        adjusted_on: on,
        adjusted_by: by,
        missed_deadline,
    };
    audit::record(
        conn,
        NewEvent {
            after: Some(audit::details(&adjusted)),
            at: Some(at),
            ..NewEvent::new(
                Some(actor.user_id),
                AuditAction::MeetingAdjusted,
                meeting.id,
            )
        },
    )
    .await?;
    frozen::adjusted_meeting_in(conn, at, actor.user_id, meeting.id).await
}

/// Puts a member or substitute on the roster of an organ the actor is secretary of.
pub async fn add_member(
    ctx: &Context,
    actor: &Actor,
    organ_id: Uuid,
    input: &MemberInput,
) -> Result<Uuid> {
    transaction!(ctx, add_member_in, actor, organ_id, input)
}

pub async fn add_member_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    organ_id: Uuid,
    input: &MemberInput,
) -> Result<Uuid> {
    actor.require(actor.has_role(organ_id, Role::Secretary))?;
    let member = validate_member(input)?;
    let id = Uuid::new_v4();
    db::meetings::add_member(conn, id, organ_id, &member, at).await?;
    let added = OrganMember {
        organ_id,
        name: member.name,
        party: Some(member.party),
        substitute: Some(member.substitute),
        email: member.email,
    };
    record_meeting(
        conn,
        at,
        actor,
        AuditAction::OrganMemberAdded,
        id,
        None,
        &added,
    )
    .await?;
    Ok(id)
}

/// Takes a member off the roster (the protocols that name them keep the name).
pub async fn remove_member(
    ctx: &Context,
    actor: &Actor,
    organ_id: Uuid,
    member_id: Uuid,
) -> Result<()> {
    transaction!(ctx, remove_member_in, actor, organ_id, member_id)
}

pub async fn remove_member_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    organ_id: Uuid,
    member_id: Uuid,
) -> Result<()> {
    actor.require(actor.has_role(organ_id, Role::Secretary))?;
    let name = db::meetings::remove_member(conn, organ_id, member_id, at)
        .await?
        .ok_or(Error::NotFound)?;
    let removed = OrganMember {
        organ_id,
        name,
        party: None,
        substitute: None,
        email: None,
    };
    let action = AuditAction::OrganMemberRemoved;
    record_meeting(conn, at, actor, action, member_id, None, &removed).await
}

/// Records who took part in the meeting, its chair and its justerare, from the
/// organ's roster; until the minutes are adjusted.
pub async fn record_attendance(
    ctx: &Context,
    actor: &Actor,
    meeting_id: Uuid,
    input: &AttendanceInput,
) -> Result<()> {
    transaction!(ctx, record_attendance_in, actor, meeting_id, input)
}

pub async fn record_attendance_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    meeting_id: Uuid,
    input: &AttendanceInput,
) -> Result<()> {
    let meeting = secretary_meeting(conn, actor, meeting_id).await?;
    let roster = db::meetings::roster(conn, meeting.organ_id).await?;
    let attendees = validate_attendance(&roster, input)?;
    db::meetings::set_attendees(conn, meeting.id, &attendees).await?;
    let action = AuditAction::MeetingAttendanceRecorded;
    let before = meeting.attendees();
    audit::record(
        conn,
        NewEvent {
            before: Some(audit::details(&before)),
            after: Some(audit::details(&attendees)),
            at: Some(at),
            ..NewEvent::new(Some(actor.user_id), action, meeting.id)
        },
    )
    .await?;
    Ok(())
}

/// A kallelse sent: to whom, and who on the roster has no address and got nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaMailed {
    pub recipients: Vec<String>,
    pub without_address: Vec<String>,
}

/// Sends the kallelse with its föredragningslista to every member on the roster
/// who has an address: one message each, the PDF attached as it was stored at
/// sending. Sent again once the föredragningslista (or the roster) has changed;
/// the same kallelse to the same members twice is refused.
pub async fn send_agenda(ctx: &Context, actor: &Actor, meeting_id: Uuid) -> Result<AgendaMailed> {
    transaction!(ctx, send_agenda_in, actor, meeting_id)
}

pub async fn send_agenda_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    meeting_id: Uuid,
) -> Result<AgendaMailed> {
    let meeting = secretary_meeting(conn, actor, meeting_id).await?;
    let roster = db::meetings::roster(conn, meeting.organ_id).await?;
    let (with_address, without): (Vec<_>, Vec<_>) =
        roster.into_iter().partition(|m| m.email.is_some());
    if with_address.is_empty() {
        return Err(Error::Conflict(
            "Ingen på nämndens ledamotslista har en e-postadress. Lägg till adresser på sidan Ledamöter."
                .into(),
        ));
    }
    let entries = meeting_documents::agenda_entries(conn, meeting.id).await?;
    if entries.is_empty() {
        return Err(Error::Conflict(
            "Föredragningslistan har inga ärenden ännu.".into(),
        ));
    }
    // It leaves the municipality: through the personal data guard, as every
    // outgoing document.
    let agenda = render::masked(&meeting_documents::agenda(&meeting, &entries));
    let pdf = frozen::rendered(move || render::pdf::agenda(&agenda)).await?;
    let sha256 = store_bytes(&mut *conn, &pdf).await?;
    let recipients: Vec<(String, String)> = with_address
        .iter()
        .map(|m| (m.named(), m.email.clone().unwrap_or_default()))
        .collect();
    let listed: Vec<String> = recipients
        .iter()
        .map(|(name, email)| format!("{name} <{email}>"))
        .collect();
    let without_address: Vec<String> = without.iter().map(|m| m.named()).collect();
    let earlier = db::meetings::agenda_mailings(conn, meeting.id).await?;
    if earlier
        .first()
        .is_some_and(|last| last.sha256 == sha256 && last.recipients == listed)
    {
        return Err(Error::Conflict(
            "Kallelsen är redan skickad till samma ledamöter med samma föredragningslista. Den kan skickas igen när föredragningslistan har ändrats."
                .into(),
        ));
    }
    let mailing_id = Uuid::new_v4();
    db::meetings::insert_agenda_mailing(
        conn,
        &db::meetings::NewAgendaMailing {
            id: mailing_id,
            meeting_id: meeting.id,
            file_name: &meeting_documents::agenda_file_name(&meeting),
            sha256: &sha256,
            size: pdf.len() as i64,
            recipients: &listed,
            without_address: &without_address,
            sent_by: actor.user_id,
            at,
        },
    )
    .await?;
    let again = !earlier.is_empty();
    let addresses: Vec<&str> = recipients.iter().map(|(_, email)| email.as_str()).collect();
    outbox::queue_agenda_in(conn, at, mailing_id, &meeting, &addresses, again).await?;
    let sent = AgendaSent {
        recipients: listed.clone(),
        without_address: without_address.clone(),
        again,
    };
    let action = AuditAction::MeetingAgendaSent;
    record_meeting(conn, at, actor, action, meeting.id, None, &sent).await?;
    Ok(AgendaMailed {
        recipients: listed,
        without_address,
    })
}
