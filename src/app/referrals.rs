//! Registration of a remiss (one case per respondent, each with its gapless
//! diarienummer) and corrections of its details.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Actor, Context, Error, Result, commit, transaction};
use crate::db;
use crate::db::referrals::{OpenedCase, Referral};
use crate::domain::dates::stockholm_date;
use crate::domain::referral::{self, ReferralInput};

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
    let (referral_id, cases) = db::referrals::register(conn, actor.user_id, &new, at).await?;
    Ok(Registered { referral_id, cases })
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
    if !db::referrals::lock(conn, referral_id).await? {
        return Err(Error::NotFound);
    }
    actor.require(actor.is_registrar())?;
    let known = known_organs(conn).await?;
    let respondents: Vec<Uuid> = db::referrals::cases(conn, referral_id)
        .await?
        .into_iter()
        .map(|case| case.organ_id)
        .collect();
    let organ = referral::validate_added_respondent(organ, &known, &respondents)?;
    Ok(db::referrals::add_respondent(conn, actor.user_id, referral_id, organ, at).await?)
}
