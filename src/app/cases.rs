//! The case's own transitions: assigning the handläggare, submitting the draft,
//! the delegation decision, dispatching the yttrande, declining to answer.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::frozen;
use super::outbox::{self, About, Notice};
use super::step::{self, Begun};
use super::{Actor, Context, Error, Result, transaction};
use crate::db;
use crate::db::decisions::NewReply;
use crate::domain::audit::CaseEvent;
use crate::domain::dates::stockholm_date;
use crate::domain::meeting::{
    ParagraphStanding, check_dispatchable, validate_dispatch, validate_required,
};
use crate::domain::report::{first_draft, missing_for_submission, sections};
use crate::domain::sign_in::{email_problem, normalize_email};
use crate::domain::workflow::{DecisionOutcome, Transition};
use crate::domain::{Role, personal_data};

/// Who is to handle the case, on the case as the form showed it.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// `None` when the form named nobody (or nobody the form offered).
    pub officer: Option<Uuid>,
    /// The case's version the form was made on: an assignment made on an old
    /// page (someone else assigned meanwhile) is refused, not taken on top.
    pub seen_version: i32,
}

pub async fn assign(ctx: &Context, actor: &Actor, case_id: Uuid, input: Assignment) -> Result<()> {
    transaction!(ctx, assign_in, actor, case_id, input)
}

/// Assigns the handläggare; the first assignment opens the draft with the
/// report's usual frame.
pub async fn assign_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    case_id: Uuid,
    input: Assignment,
) -> Result<()> {
    let Begun { case, to } = step::begin(conn, actor, case_id, Transition::Assign).await?;
    let officers = db::users::with_role(conn, case.organ_id, Role::Officer).await?;
    let Some(officer) = input
        .officer
        .and_then(|id| officers.into_iter().find(|o| o.id == id))
    else {
        return Err(Error::invalid(
            "officer",
            "Välj en handläggare i nämndens förvaltning.",
        ));
    };
    if input.seen_version != case.version
        || !db::cases::assign(conn, case.id, case.version, to, officer.id).await?
    {
        return Err(Error::raced());
    }
    let event = CaseEvent::Assigned {
        officer: officer.display_name,
    };
    step::record(conn, at, actor, &case, to, event).await?;
    let about = About::from(&case);
    outbox::notify_user_in(conn, at, actor, &about, officer.id, Notice::Assigned).await?;
    if db::reports::latest(conn, case.id).await?.is_none() {
        // The frame is the officer's first version: whoever assigned wrote none of it.
        let draft = first_draft(&case.referral_title, &case.organ_name, &case.administration);
        db::reports::save(conn, case.id, 0, &draft, officer.id, at).await?;
    }
    Ok(())
}

/// Submits the draft for review: `revision` is the one the officer saw, and the
/// one the reviewer will read.
pub async fn submit(ctx: &Context, actor: &Actor, case_id: Uuid, revision: i32) -> Result<()> {
    transaction!(ctx, submit_in, actor, case_id, revision)
}

pub async fn submit_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    case_id: Uuid,
    revision: i32,
) -> Result<()> {
    let Begun { case, to } = step::begin(conn, actor, case_id, Transition::Submit).await?;
    let Some(latest) = db::reports::latest(conn, case.id).await? else {
        return Err(Error::invalid(
            "submit",
            "Det finns inget utkast att skicka.",
        ));
    };
    // A save made after the page was read would be submitted unseen.
    if latest.number != revision {
        return Err(Error::raced());
    }
    let missing = missing_for_submission(&latest.content);
    if !missing.is_empty() {
        return Err(Error::invalid("submit", missing.join(" ")));
    }
    // The organ's granskare are told that a draft waits for them.
    let about = About::from(&case);
    outbox::notify_role_in(
        conn,
        at,
        Some(actor),
        case.organ_id,
        Role::Reviewer,
        &about,
        Notice::Review,
    )
    .await?;
    step::finish(
        conn,
        at,
        actor,
        &case,
        to,
        CaseEvent::Submitted { revision },
    )
    .await
}

/// A reviewer's decision by delegation, on the approved report, citing the
/// point of the delegation order.
pub async fn decide_by_delegation(
    ctx: &Context,
    actor: &Actor,
    case_id: Uuid,
    reference: &str,
) -> Result<()> {
    transaction!(ctx, decide_by_delegation_in, actor, case_id, reference)
}

pub async fn decide_by_delegation_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    case_id: Uuid,
    reference: &str,
) -> Result<()> {
    let transition = Transition::Decide(DecisionOutcome::Delegation);
    let Begun { case, to } = step::begin(conn, actor, case_id, transition).await?;
    let reference = validate_required(
        "reference",
        reference,
        "Ange delegationsbeslutets stöd i delegationsordningen, till exempel punkt 1.4.",
    )?;
    let revision = db::reports::latest(conn, case.id)
        .await?
        .ok_or_else(Error::raced)?;
    let decision_id = db::decisions::insert(
        conn,
        &db::decisions::NewDecision {
            case_id: case.id,
            agenda_item_id: None,
            paragraph: None,
            decided_on: stockholm_date(at),
            outcome: DecisionOutcome::Delegation,
            decision_text: "",
            reason: "",
            attendance: "",
            reservations: &[],
            statements: &[],
            motions: &[],
            procedure: "",
            votes: &[],
            absences: &[],
            delegation_reference: Some(&reference),
            adjusted_at_once: false,
            revision_id: revision.id,
            decided_by: actor.user_id,
            at,
        },
    )
    .await?;
    super::notices::post_delegation_in(conn, at, actor, &case, decision_id).await?;
    let event = CaseEvent::DecidedByDelegation { reference };
    step::finish(conn, at, actor, &case, to, event).await?;
    frozen::delegation_decision_in(conn, at, actor.user_id, case.id).await
}

/// The yttrande as sent: when and to whom, and the address of the sender's
/// registry (registratorns e-post) to e-mail it to, if any.
#[derive(Debug, Clone, Default)]
pub struct DispatchInput {
    pub dispatched_on: String,
    pub recipient: String,
    pub email: String,
}

pub async fn dispatch(
    ctx: &Context,
    actor: &Actor,
    case_id: Uuid,
    input: &DispatchInput,
) -> Result<()> {
    transaction!(ctx, dispatch_in, actor, case_id, input)
}

/// Sends the decided yttrande. From then on it is public: the diarium masks what
/// looks like a personnummer in it, and the registrar is told. It is frozen
/// (rendered once and registered as the case's outgoing handlingar), and with a
/// registry address e-mailed through the outbox with those stored files.
pub async fn dispatch_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    case_id: Uuid,
    input: &DispatchInput,
) -> Result<()> {
    let Begun { case, to } = step::begin(conn, actor, case_id, Transition::Dispatch).await?;
    let decision = db::decisions::for_case(conn, case.id)
        .await?
        .into_iter()
        .rfind(|d| d.outcome.stands())
        .ok_or_else(Error::raced)?;
    check_dispatchable(paragraph_standing(&decision)).map_err(Error::Conflict)?;
    let dispatch = validate_dispatch(
        &input.dispatched_on,
        &input.recipient,
        decision.decided_on,
        stockholm_date(at),
    );
    let ((on, recipient), address) = match (dispatch, registry_address(&input.email)) {
        (Ok(dispatch), Ok(address)) => (dispatch, address),
        (dispatch, address) => {
            let mut errors = dispatch.err().unwrap_or_default();
            if let Err(problem) = address {
                errors.add("email", problem);
            }
            return Err(Error::Invalid(errors));
        }
    };
    let reply = NewReply {
        case_id: case.id,
        decision_id: decision.id,
        on,
        recipient: &recipient,
        recipient_email: address.as_deref(),
        by: actor.user_id,
        at,
    };
    db::decisions::dispatch(conn, &reply).await?;
    if let Some(revision) = db::reports::get_by_id(conn, decision.revision_id).await? {
        let mut public_texts: Vec<String> = sections(&revision.content, &case.administration)
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        public_texts.push(decision.decision_text.clone());
        if public_texts
            .iter()
            .any(|text| !personal_data::find(text).is_empty())
        {
            db::cases::flag_personal_data(conn, case.id).await?;
        }
    }
    let files = frozen::dispatched_reply_in(conn, at, actor.user_id, &case, on).await?;
    if let Some(address) = &address {
        outbox::queue_reply_in(conn, at, &case, address, files).await?;
    }
    let event = CaseEvent::Dispatched {
        dispatched_on: on,
        recipient,
    };
    step::finish(conn, at, actor, &case, to, event).await
}

/// The registry's address, when one is given; what is wrong with it when it is
/// not an address.
fn registry_address(email: &str) -> std::result::Result<Option<String>, &'static str> {
    let email = normalize_email(email);
    if email.is_empty() {
        return Ok(None);
    }
    match email_problem(&email) {
        Some(problem) => Err(problem),
        None => Ok(Some(email)),
    }
}

/// How far the decision has come towards the public record.
fn paragraph_standing(decision: &db::decisions::Decision) -> ParagraphStanding {
    if decision.meeting_id.is_none() {
        ParagraphStanding::Delegation
    } else if decision.adjusted_on.is_some() || decision.adjusted_at_once {
        ParagraphStanding::Adjusted
    } else {
        ParagraphStanding::NotAdjusted
    }
}

/// The organ declines to answer, with its reason; a case waiting on an agenda
/// leaves it.
pub async fn decline(ctx: &Context, actor: &Actor, case_id: Uuid, reason: &str) -> Result<()> {
    transaction!(ctx, decline_in, actor, case_id, reason)
}

pub async fn decline_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    case_id: Uuid,
    reason: &str,
) -> Result<()> {
    let Begun { case, to } = step::begin(conn, actor, case_id, Transition::Decline).await?;
    let reason = validate_required(
        "reason",
        reason,
        "Ange varför nämnden avstår från att svara.",
    )?;
    if !db::cases::decline(conn, case.id, case.state, to, &reason).await? {
        return Err(Error::raced());
    }
    if let Some((item, _)) = db::meetings::open_item_for_case(conn, case.id).await? {
        db::meetings::remove_item(conn, item).await?;
    }
    step::record(conn, at, actor, &case, to, CaseEvent::Declined { reason }).await
}
