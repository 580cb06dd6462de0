//! Accounts as single sign-on finds and links them.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::sign_in::{LinkableAccount, SubjectKey};

/// An account a sign-in may end in.
#[derive(Debug, Clone)]
pub struct SignInCandidate {
    pub id: Uuid,
    pub active: bool,
    pub session_epoch: i32,
    pub oidc_subject: Option<String>,
    pub oidc_realm: Option<String>,
}

impl SignInCandidate {
    pub fn linkable(&self) -> LinkableAccount {
        LinkableAccount {
            id: self.id,
            active: self.active,
            oidc_subject: self.oidc_subject.clone(),
            oidc_realm: self.oidc_realm.clone(),
        }
    }
}

/// The account holding this subject, linked or entered by an administrator. The
/// row is locked until the transaction ends, so that two first sign-ins cannot
/// both link it.
pub async fn find_by_subject(
    conn: &mut PgConnection,
    subject: &str,
) -> sqlx::Result<Option<SignInCandidate>> {
    sqlx::query_as!(
        SignInCandidate,
        "SELECT id, active, session_epoch, oidc_subject, oidc_realm FROM users
         WHERE oidc_subject = $1 FOR UPDATE",
        subject
    )
    .fetch_optional(conn)
    .await
}

/// The account with this e-mail address, whatever its case; locked like
/// [`find_by_subject`].
pub async fn find_by_email(
    conn: &mut PgConnection,
    email: &str,
) -> sqlx::Result<Option<SignInCandidate>> {
    sqlx::query_as!(
        SignInCandidate,
        "SELECT id, active, session_epoch, oidc_subject, oidc_realm FROM users
         WHERE lower(email) = lower($1) FOR UPDATE",
        email
    )
    .fetch_optional(conn)
    .await
}

/// Links an account to the identity: fills in the subject and realm where none
/// was linked yet (or the realm where an administrator entered this subject).
/// `false` when the account is linked already.
pub async fn link(conn: &mut PgConnection, id: Uuid, key: &SubjectKey) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE users SET oidc_subject = $2, oidc_realm = $3
         WHERE id = $1 AND oidc_realm IS NULL AND (oidc_subject IS NULL OR oidc_subject = $2)",
        id,
        key.subject,
        key.realm,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How an account signs in, for its administration page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInDetails {
    pub email: Option<String>,
    pub oidc_subject: Option<String>,
    /// Where the subject was confirmed by a sign-in; none while only entered.
    pub oidc_realm: Option<String>,
    pub has_password: bool,
}

pub async fn details(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<SignInDetails>> {
    sqlx::query_as!(
        SignInDetails,
        r#"SELECT email, oidc_subject, oidc_realm, password_hash IS NOT NULL AS "has_password!"
           FROM users WHERE id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Sets the e-mail address and the subject, if they are still `seen` (what the
/// administrator's form showed); `false` when someone changed them meanwhile (a
/// first sign-in may have linked the account). A changed subject ends the link,
/// and every session of the account with it.
pub async fn change(
    conn: &mut PgConnection,
    id: Uuid,
    seen: (Option<&str>, Option<&str>),
    email: Option<&str>,
    oidc_subject: Option<&str>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE users SET email = $4, oidc_subject = $5,
                oidc_realm = CASE WHEN oidc_subject IS NOT DISTINCT FROM $5 THEN oidc_realm END,
                session_epoch = session_epoch + CASE WHEN oidc_subject IS NOT DISTINCT FROM $5 THEN 0 ELSE 1 END
         WHERE id = $1 AND email IS NOT DISTINCT FROM $2 AND oidc_subject IS NOT DISTINCT FROM $3",
        id,
        seen.0,
        seen.1,
        email,
        oidc_subject,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The usernames and e-mail addresses (as stored) of these that are taken.
pub async fn taken(
    conn: &mut PgConnection,
    usernames: &[String],
    emails: &[String],
) -> sqlx::Result<(Vec<String>, Vec<String>)> {
    let lowered: Vec<String> = emails.iter().map(|e| e.to_lowercase()).collect();
    let rows = sqlx::query!(
        r#"SELECT username, email FROM users
           WHERE username = ANY($1) OR lower(email) = ANY($2)"#,
        usernames,
        &lowered,
    )
    .fetch_all(conn)
    .await?;
    let usernames = rows
        .iter()
        .filter(|r| usernames.contains(&r.username))
        .map(|r| r.username.clone())
        .collect();
    let emails = rows
        .into_iter()
        .filter_map(|r| r.email)
        .filter(|e| lowered.contains(&e.to_lowercase()))
        .collect();
    Ok((usernames, emails))
}
