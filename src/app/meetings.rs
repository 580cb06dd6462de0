//! Sammanträden: the secretary plans a meeting, places approved cases on its
//! agenda and orders it, records the decisions item by item (each with the next
//! § of the organ's series) and adjusts the minutes, which freezes them.

use chrono::{DateTime, Datelike, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use sqlx::PgConnection;
use uuid::Uuid;

use super::frozen;
use super::outbox::{self, About, Notice};
use super::step::{self, Begun};
use super::{Actor, Context, Error, Result, commit, transaction};
use crate::db;
use crate::db::audit::{self, NewEvent};
use crate::db::meetings::Meeting;
use crate::domain::audit::{
    AgendaReordered, AuditAction, CaseEvent, MeetingAdjusted, MeetingPlanned,
};
use crate::domain::dates::{format_stockholm, stockholm_date};
use crate::domain::meeting::{
    DecisionInput, MeetingInput, paragraph_label, validate_adjustment, validate_decision,
    validate_meeting,
};
use crate::domain::workflow::Transition;
use crate::domain::{FieldErrors, Role};

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
    let secretary_of = secretary_organs(actor);
    actor.require(!secretary_of.is_empty())?;
    let organ_id = Uuid::parse_str(input.organ.trim())
        .ok()
        .filter(|id| secretary_of.contains(id));
    let (organ_id, details) = match (organ_id, validate_meeting(input)) {
        (Some(organ_id), Ok(details)) => (organ_id, details),
        (organ_id, details) => {
            let mut errors = details.err().unwrap_or_default();
            if organ_id.is_none() {
                errors.add("organ", "Välj en nämnd där du är nämndsekreterare.");
            }
            return Err(Error::Invalid(errors));
        }
    };
    let starts_at = Stockholm
        .from_local_datetime(&details.date.and_time(details.time))
        .earliest()
        .ok_or_else(|| Error::invalid("time", "Den tiden finns inte i Stockholm den dagen."))?
        .with_timezone(&Utc);
    let id = Uuid::new_v4();
    db::meetings::create(conn, id, organ_id, starts_at, &details.place).await?;
    let planned = MeetingPlanned {
        organ_id,
        starts_at,
        place: details.place,
    };
    audit::record(
        conn,
        NewEvent {
            after: Some(audit::details(&planned)),
            at: Some(at),
            ..NewEvent::new(Some(actor.user_id), AuditAction::MeetingPlanned, id)
        },
    )
    .await?;
    Ok(id)
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
        Some(None) => Ok(meeting),
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
    let decision = validate_decision(input)?;
    let transition = Transition::Decide(decision.outcome);
    let Begun { case, to } = step::begin(conn, actor, item.case_id, transition).await?;
    let revision = db::reports::latest(conn, case.id)
        .await?
        .ok_or_else(Error::raced)?;
    let meeting_date = stockholm_date(meeting.starts_at);
    let paragraph =
        db::decisions::next_paragraph(conn, meeting.organ_id, meeting_date.year()).await?;
    db::decisions::insert(
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
            delegation_reference: None,
            revision_id: revision.id,
            decided_by: actor.user_id,
            at,
        },
    )
    .await?;
    let event = CaseEvent::Decided {
        outcome: decision.outcome,
        paragraph: paragraph_label(paragraph),
        reason: decision.reason,
    };
    step::finish(conn, at, actor, &case, to, event).await
}

/// Justering: when and by whom the minutes were approved.
#[derive(Debug, Clone, Default)]
pub struct Adjustment {
    pub adjusted_on: String,
    pub adjusted_by: String,
}

/// Adjusts the minutes once every item on the agenda has its decision.
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
        stockholm_date(meeting.starts_at),
    );
    let all_decided = !agenda.is_empty() && agenda.iter().all(|i| i.outcome.is_some());
    let (on, by) = match adjustment {
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
    if !db::meetings::adjust(conn, meeting.id, on, &by).await? {
        return Err(Error::raced());
    }
    let adjusted = MeetingAdjusted {
        adjusted_on: on,
        adjusted_by: by,
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
