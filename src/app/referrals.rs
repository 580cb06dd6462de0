//! Registration of a remiss (one case per respondent, each with its gapless
//! diarienummer) and corrections of its details.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Actor, Context, Error, Result, commit, transaction};
use crate::db;
use crate::db::referrals::{OpenedCase, Referral, Resembling};
use crate::domain::audit::ReferralAnnulled;
use crate::domain::dates::stockholm_date;
use crate::domain::referral::{self, ExtensionInput, ReferralDetails, ReferralInput, Sender};

#[derive(Debug, Clone)]
pub struct Registered {
    pub referral_id: Uuid,
    /// One per respondent, each with its diarienummer, in organ order.
    pub cases: Vec<OpenedCase>,
}

pub async fn register(ctx: &Context, actor: &Actor, input: &ReferralInput) -> Result<Registered> {
    let (mut tx, now) = ctx.begin().await?;
    let known = ctx.organs.ids(&mut tx).await?;
    let registered = register_in(&mut tx, now, actor, &known, input).await?;
    commit(tx, registered).await
}

/// Registers against `known_organs`, the ids of the organs that exist (the
/// registration's busiest statement is not spent on reading them again; a
/// copy a little old is safe, the foreign keys refuse an organ that is gone).
pub async fn register_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    known_organs: &[Uuid],
    input: &ReferralInput,
) -> Result<Registered> {
    actor.require(actor.is_registrar())?;
    let new = referral::validate_new(input, known_organs, stockholm_date(at))?;
    if !input.duplicate_confirmed {
        let earlier = resembling_in(conn, &new.details).await?;
        if !earlier.is_empty() {
            let numbers: Vec<String> = earlier.into_iter().map(|r| r.dnr).collect();
            return Err(Error::invalid(
                "duplicate_confirmed",
                referral::duplicate_warning(&numbers),
            ));
        }
    }
    let (referral_id, cases) = db::referrals::register(conn, actor.user_id, &new, at).await?;
    Ok(Registered { referral_id, cases })
}

/// The registered remisser (not makulerade) that a registration as typed
/// resembles: the same sender with the same sender's dnr. Empty when the input
/// does not hold or names no dnr. The registration form lists them beside its
/// warning, with links.
pub async fn resembling(
    ctx: &Context,
    actor: &Actor,
    input: &ReferralInput,
) -> Result<Vec<Resembling>> {
    actor.require(actor.is_registrar())?;
    let mut conn = ctx.pool.acquire().await?;
    let known = known_organs(&mut conn).await?;
    match referral::validate_new(input, &known, ctx.clock.today()) {
        Ok(new) => resembling_in(&mut conn, &new.details).await,
        Err(_) => Ok(Vec::new()),
    }
}

async fn resembling_in(
    conn: &mut PgConnection,
    details: &ReferralDetails,
) -> Result<Vec<Resembling>> {
    let Some(number) = referral::indexed_number(&details.sender_dnr) else {
        return Ok(Vec::new());
    };
    let organ = match details.sender {
        Sender::Organ(id) => Some(id),
        Sender::Outside(_) => None,
    };
    let mut earlier = db::referrals::with_sender_number(conn, organ, &number).await?;
    earlier.retain(|e| referral::resembles(details, &e.sender, &e.sender_dnr));
    Ok(earlier)
}

/// Makulerar a registration: the remiss and its cases stay, with their numbers,
/// marked with the reason; no step is taken on its cases after. Only before any
/// of them is on an agenda, decided or answered.
pub async fn annul(ctx: &Context, actor: &Actor, referral_id: Uuid, reason: &str) -> Result<()> {
    transaction!(ctx, annul_in, actor, referral_id, reason)
}

pub async fn annul_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    referral_id: Uuid,
    reason: &str,
) -> Result<()> {
    let current = locked_by_registrar(conn, actor, referral_id).await?;
    let states = db::referrals::lock_case_states(conn, referral_id).await?;
    let reason = referral::validate_annulment(reason, &states, current.annulled_at.is_some())?;
    let numbers: Vec<String> = db::referrals::cases(conn, referral_id)
        .await?
        .into_iter()
        .map(|case| case.dnr.to_string())
        .collect();
    let details = ReferralAnnulled {
        reason,
        numbers: numbers.join(", "),
    };
    if !db::referrals::annul(conn, actor.user_id, referral_id, &details, at).await? {
        return Err(Error::raced());
    }
    Ok(())
}

/// Records an anstånd agreed with the sender: the remiss's deadline becomes the
/// new one, the earlier kept as its history. Registrars record it, as they
/// register what comes in from the sender.
pub async fn extend_deadline(
    ctx: &Context,
    actor: &Actor,
    referral_id: Uuid,
    input: &ExtensionInput,
) -> Result<()> {
    transaction!(ctx, extend_deadline_in, actor, referral_id, input)
}

pub async fn extend_deadline_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    referral_id: Uuid,
    input: &ExtensionInput,
) -> Result<()> {
    let current = locked_by_registrar(conn, actor, referral_id).await?;
    refuse_if_annulled(&current)?;
    let extension = referral::validate_extension(
        input,
        current.deadline,
        current.received_on,
        stockholm_date(at),
    )?;
    let previous = current.deadline;
    if !db::referrals::extend_deadline(conn, actor.user_id, referral_id, previous, &extension, at)
        .await?
    {
        return Err(Error::raced());
    }
    Ok(())
}

/// The remiss, locked (its respondents, deadline and marking change under the
/// lock), for a registrar's change.
async fn locked_by_registrar(
    conn: &mut PgConnection,
    actor: &Actor,
    referral_id: Uuid,
) -> Result<Referral> {
    if !db::referrals::lock(conn, referral_id).await? {
        return Err(Error::NotFound);
    }
    actor.require(actor.is_registrar())?;
    db::referrals::get(conn, referral_id)
        .await?
        .ok_or(Error::NotFound)
}

fn refuse_if_annulled(referral: &Referral) -> Result<()> {
    match &referral.annulled_reason {
        Some(reason) => Err(Error::Conflict(referral::annulled_message(reason))),
        None => Ok(()),
    }
}

async fn known_organs(conn: &mut PgConnection) -> Result<Vec<Uuid>> {
    Ok(db::organs::list(conn)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect())
}

#[derive(Debug, Clone)]
pub enum Corrected {
    Saved,
    /// Someone saved in between: nothing was overwritten. The remiss as it
    /// stands, to show beside this user's text.
    Stale {
        current: Box<Referral>,
    },
}

/// Corrects a remiss's details, made on `version` of it.
pub async fn correct(
    ctx: &Context,
    actor: &Actor,
    referral_id: Uuid,
    version: i32,
    input: &ReferralInput,
) -> Result<Corrected> {
    transaction!(ctx, correct_in, actor, referral_id, version, input)
}

pub async fn correct_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    referral_id: Uuid,
    version: i32,
    input: &ReferralInput,
) -> Result<Corrected> {
    let current = db::referrals::get(conn, referral_id)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(actor.is_registrar())?;
    refuse_if_annulled(&current)?;
    let known = known_organs(conn).await?;
    let details = referral::validate_correction(input, &known, stockholm_date(at))?;
    let saved = version == current.version
        && db::referrals::correct(conn, actor.user_id, &current, &details, at).await?;
    Ok(if saved {
        Corrected::Saved
    } else {
        Corrected::Stale {
            current: Box::new(current),
        }
    })
}

/// Adds a respondent to a registered remiss: the organ gets its own case, with the
/// next number of its diarium, as if it had been chosen at registration.
pub async fn add_respondent(
    ctx: &Context,
    actor: &Actor,
    referral_id: Uuid,
    organ: &str,
) -> Result<OpenedCase> {
    transaction!(ctx, add_respondent_in, actor, referral_id, organ)
}

pub async fn add_respondent_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    referral_id: Uuid,
    organ: &str,
) -> Result<OpenedCase> {
    let current = locked_by_registrar(conn, actor, referral_id).await?;
    refuse_if_annulled(&current)?;
    let known = known_organs(conn).await?;
    let respondents: Vec<Uuid> = db::referrals::cases(conn, referral_id)
        .await?
        .into_iter()
        .map(|case| case.organ_id)
        .collect();
    let organ = referral::validate_added_respondent(organ, &known, &respondents)?;
    Ok(db::referrals::add_respondent(conn, actor.user_id, referral_id, organ, at).await?)
}
