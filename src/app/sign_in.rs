//! Signing in through the municipality's identity provider: the account a
//! verified identity belongs to, linked at its first sign-in, and the sign-in
//! recorded. The protocol with the provider is `crate::oidc`'s and the session
//! `web`'s; which account, if any, is `domain::sign_in`'s rule.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Context, Result};
use crate::db;
use crate::db::audit::{self, NewEvent};
use crate::domain::audit::{AuditAction, SignInLinked, SignedIn};
use crate::domain::sign_in::{Decision, LinkedBy, Refusal, SubjectKey, decide};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInOutcome {
    /// The account to sign in, and its session epoch for the new session.
    SignedIn { user_id: Uuid, session_epoch: i32 },
    /// Nobody is signed in, and nothing was written.
    Refused(Refusal),
}

/// Signs in the person the provider vouched for: `key` is who they are there,
/// `email` and `email_verified` what the provider says of their address.
/// Accounts are never created here; an unknown person is refused.
pub async fn sign_in(
    ctx: &Context,
    key: &SubjectKey,
    email: Option<&str>,
    email_verified: Option<bool>,
) -> Result<SignInOutcome> {
    let (mut tx, now) = ctx.begin().await?;
    let outcome = sign_in_in(&mut tx, now, key, email, email_verified).await?;
    // A refusal may follow a failed link: nothing of it is kept.
    if let SignInOutcome::SignedIn { .. } = outcome {
        tx.commit().await?;
    }
    Ok(outcome)
}

pub async fn sign_in_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    key: &SubjectKey,
    email: Option<&str>,
    email_verified: Option<bool>,
) -> Result<SignInOutcome> {
    // Both lookups lock the account they find, so that two first sign-ins
    // cannot both link it.
    let by_subject = db::oidc::find_by_subject(conn, &key.subject).await?;
    let by_email = match (&by_subject, email) {
        (None, Some(email)) => db::oidc::find_by_email(conn, email).await?,
        _ => None,
    };
    let decision = decide(
        key,
        email_verified,
        by_subject.as_ref().map(|c| c.linkable()).as_ref(),
        by_email.as_ref().map(|c| c.linkable()).as_ref(),
    );
    let session_epoch = by_subject
        .or(by_email)
        .map(|account| account.session_epoch)
        .unwrap_or_default();
    let user_id = match decision {
        Decision::SignIn(user_id) => user_id,
        Decision::Link { user_id, by } => {
            if !link(conn, at, user_id, key, by, email).await? {
                return Ok(SignInOutcome::Refused(Refusal::LinkedToAnother));
            }
            user_id
        }
        Decision::Refuse(refusal) => return Ok(SignInOutcome::Refused(refusal)),
    };
    let signed_in = SignedIn {
        via: "oidc",
        realm: key.realm.clone(),
    };
    audit::record(
        conn,
        NewEvent {
            after: Some(audit::details(&signed_in)),
            at: Some(at),
            ..NewEvent::new(Some(user_id), AuditAction::UserSignedIn, user_id)
        },
    )
    .await?;
    Ok(SignInOutcome::SignedIn {
        user_id,
        session_epoch,
    })
}

/// Links the account to the identity, with its audit event; `false` when the
/// subject went to another account meanwhile, or the account was linked.
async fn link(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    user_id: Uuid,
    key: &SubjectKey,
    by: LinkedBy,
    email: Option<&str>,
) -> Result<bool> {
    match db::oidc::link(conn, user_id, key).await {
        Ok(true) => {}
        Ok(false) => return Ok(false),
        Err(error) if db::violated_constraint(&error) == Some("users_oidc_subject_key") => {
            return Ok(false);
        }
        Err(error) => return Err(error.into()),
    }
    let linked = SignInLinked {
        via: by,
        realm: key.realm.clone(),
        subject: key.subject.clone(),
        email: match by {
            LinkedBy::Email => email.map(str::to_string),
            LinkedBy::Subject => None,
        },
    };
    audit::record(
        conn,
        NewEvent {
            after: Some(audit::details(&linked)),
            at: Some(at),
            ..NewEvent::new(Some(user_id), AuditAction::UserSignInLinked, user_id)
        },
    )
    .await?;
    Ok(true)
}
