//! Single sign-on: who a person at the identity provider is in Remiss.
//!
//! Accounts are never created by a sign-in. An administrator creates the account
//! with the person's e-mail address (or their subject at the provider); the first
//! sign-in links the account to the person's identity there, and later sign-ins
//! find the account by that identity alone, whatever the e-mail address has become.

use uuid::Uuid;

/// The longest address SMTP carries (RFC 5321: a 254-character path).
pub const EMAIL_MAX: usize = 254;
/// OpenID Connect's limit for `sub`.
pub const SUBJECT_MAX: usize = 255;

/// An e-mail address as typed, without surrounding space.
pub fn normalize_email(input: &str) -> String {
    input.trim().to_string()
}

/// What is wrong with an e-mail address, if anything. Deliberately plain: one `@`,
/// something on both sides, a dot in the domain, no spaces or characters that
/// have no place in an address a person types.
pub fn email_problem(email: &str) -> Option<&'static str> {
    let Some((local, domain)) = email.split_once('@') else {
        return Some("Ange en e-postadress som namn@exempel.se.");
    };
    let forbidden = |c: char| c.is_whitespace() || c.is_control() || "<>(),;:\\\"[]@".contains(c);
    if email.chars().count() > EMAIL_MAX {
        Some("E-postadressen får vara högst 254 tecken.")
    } else if local.is_empty()
        || local.len() > 64
        || domain.len() < 3
        || !domain.contains('.')
        || domain.starts_with(['.', '-'])
        || domain.ends_with(['.', '-'])
        || domain.contains("..")
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
        || local.chars().any(forbidden)
        || domain.chars().any(forbidden)
    {
        Some("Ange en e-postadress som namn@exempel.se.")
    } else {
        None
    }
}

/// A subject at the provider as typed: visible ASCII, no spaces (OpenID Connect's
/// `sub`, or Entra ID's object id).
pub fn subject_problem(subject: &str) -> Option<&'static str> {
    if subject.len() > SUBJECT_MAX {
        Some("Id:t får vara högst 255 tecken.")
    } else if !subject.chars().all(|c| c.is_ascii_graphic()) {
        Some(
            "Id:t får bara innehålla synliga tecken utan mellanslag, som det står hos identitetsleverantören.",
        )
    } else {
        None
    }
}

/// An e-mail address and a subject as an administrator gives them, checked;
/// empty fields are `None`. Also the details of `user.sign_in_changed`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SignInFields {
    pub email: Option<String>,
    pub oidc_subject: Option<String>,
}

/// Checks the two sign-in fields of an account form, recording messages under
/// `email` and `oidc_subject`.
pub fn validate_fields(
    errors: &mut super::FieldErrors,
    email: &str,
    oidc_subject: &str,
) -> SignInFields {
    let email = normalize_email(email);
    if !email.is_empty()
        && let Some(problem) = email_problem(&email)
    {
        errors.add("email", problem);
    }
    let oidc_subject = oidc_subject.trim().to_string();
    if !oidc_subject.is_empty()
        && let Some(problem) = subject_problem(&oidc_subject)
    {
        errors.add("oidc_subject", problem);
    }
    SignInFields {
        email: (!email.is_empty()).then_some(email),
        oidc_subject: (!oidc_subject.is_empty()).then_some(oidc_subject),
    }
}

/// Who the person is at the provider, as Remiss keeps it: the subject and the
/// realm it is unique in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectKey {
    pub realm: String,
    pub subject: String,
}

impl SubjectKey {
    /// Entra ID names a person by `oid` in tenant `tid` (its `sub` differs per
    /// application); other providers by `sub` under their issuer.
    pub fn from_claims(issuer: &str, sub: &str, oid: Option<&str>, tid: Option<&str>) -> Self {
        match (oid.filter(|o| !o.is_empty()), tid.filter(|t| !t.is_empty())) {
            (Some(oid), Some(tid)) => SubjectKey {
                realm: tid.to_string(),
                subject: oid.to_string(),
            },
            _ => SubjectKey {
                realm: issuer.to_string(),
                subject: sub.to_string(),
            },
        }
    }
}

/// An account as the sign-in sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkableAccount {
    pub id: Uuid,
    pub active: bool,
    pub oidc_subject: Option<String>,
    pub oidc_realm: Option<String>,
}

/// How an account came to be linked at its first sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkedBy {
    /// The administrator had entered the subject.
    Subject,
    /// The provider's e-mail address matched the account's.
    Email,
}

impl LinkedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkedBy::Subject => "subject",
            LinkedBy::Email => "email",
        }
    }
}

/// Why a person who signed in at the provider does not get into Remiss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No account has this identity or this e-mail address.
    Unknown,
    /// The account with this e-mail address (or subject) belongs to another
    /// identity at the provider.
    LinkedToAnother,
    /// The provider says it has not verified the e-mail address.
    EmailUnverified,
    /// The account is deactivated.
    Inactive,
}

impl Refusal {
    /// For the log.
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::Unknown => "no account has this identity or e-mail address",
            Refusal::LinkedToAnother => "the matching account is linked to another identity",
            Refusal::EmailUnverified => "the provider has not verified the e-mail address",
            Refusal::Inactive => "the account is deactivated",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The account is already linked to this identity.
    SignIn(Uuid),
    /// The account is linked to this identity now, then signed in.
    Link {
        user_id: Uuid,
        by: LinkedBy,
    },
    Refuse(Refusal),
}

/// Which account, if any, a verified identity signs in to. `by_subject` is the
/// account holding the identity's subject, `by_email` the one holding its e-mail
/// address (looked up only when `by_subject` is none).
pub fn decide(
    key: &SubjectKey,
    email_verified: Option<bool>,
    by_subject: Option<&LinkableAccount>,
    by_email: Option<&LinkableAccount>,
) -> Decision {
    // An account found by its address that holds this very subject is the one
    // the subject would have found: a sign-in of the same person (another tab)
    // linked it while this one looked.
    let by_subject = by_subject
        .or_else(|| by_email.filter(|a| a.oidc_subject.as_deref() == Some(key.subject.as_str())));
    if let Some(account) = by_subject {
        return match account.oidc_realm.as_deref() {
            _ if !account.active => Decision::Refuse(Refusal::Inactive),
            Some(realm) if realm == key.realm => Decision::SignIn(account.id),
            Some(_) => Decision::Refuse(Refusal::LinkedToAnother),
            None => Decision::Link {
                user_id: account.id,
                by: LinkedBy::Subject,
            },
        };
    }
    match by_email {
        None => Decision::Refuse(Refusal::Unknown),
        Some(_) if email_verified == Some(false) => Decision::Refuse(Refusal::EmailUnverified),
        Some(account) if !account.active => Decision::Refuse(Refusal::Inactive),
        Some(account) if account.oidc_subject.is_some() => {
            Decision::Refuse(Refusal::LinkedToAnother)
        }
        Some(account) => Decision::Link {
            user_id: account.id,
            by: LinkedBy::Email,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_addresses_pass() {
        for ok in [
            "karin.eriksson-bech@stad.se",
            "a@b.se",
            "Hanna.Lindqvist@Kommun.Example.SE",
            "åsa@kommun.se",
            "x+remiss@sub.domain.org",
        ] {
            assert_eq!(email_problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "karin",
            "@stad.se",
            "karin@",
            "karin@stad",
            "karin@@stad.se",
            "karin eriksson@stad.se",
            "karin@stad .se",
            "karin@.stad.se",
            "karin@stad.se.",
            "karin@stad..se",
            ".karin@stad.se",
            "kar..in@stad.se",
            "<karin@stad.se>",
            "karin@stad.se;anna@stad.se",
            "karin\n@stad.se",
        ] {
            assert!(email_problem(bad).is_some(), "{bad:?}");
        }
        let long = format!("{}@{}.se", "a".repeat(64), "b".repeat(200));
        assert!(email_problem(&long).is_some());
        assert!(email_problem(&format!("{}@stad.se", "a".repeat(65))).is_some());
    }

    #[test]
    fn subjects_are_visible_ascii() {
        assert_eq!(
            subject_problem("0f9e3c1a-7d2b-4c55-9a31-2b6f0e8d4c21"),
            None
        );
        assert_eq!(subject_problem("AItOawm|x_1"), None);
        assert!(subject_problem("två ord").is_some());
        assert!(subject_problem("å").is_some());
        assert!(subject_problem(&"s".repeat(256)).is_some());
    }

    #[test]
    fn empty_fields_are_none_and_bad_ones_are_named() {
        let mut errors = crate::domain::FieldErrors::new();
        let fields = validate_fields(&mut errors, "  ", "");
        assert_eq!(fields, SignInFields::default());
        assert!(errors.is_empty());
        let fields = validate_fields(&mut errors, " karin@stad.se ", " abc ");
        assert_eq!(fields.email.as_deref(), Some("karin@stad.se"));
        assert_eq!(fields.oidc_subject.as_deref(), Some("abc"));
        validate_fields(&mut errors, "karin", "a b");
        assert!(errors.get("email").is_some());
        assert!(errors.get("oidc_subject").is_some());
    }

    #[test]
    fn entra_id_is_keyed_by_tenant_and_object_id_others_by_issuer_and_sub() {
        let entra = SubjectKey::from_claims(
            "https://login.microsoftonline.com/t1/v2.0",
            "pairwise-sub",
            Some("o1"),
            Some("t1"),
        );
        assert_eq!(
            entra,
            SubjectKey {
                realm: "t1".into(),
                subject: "o1".into()
            }
        );
        let other = SubjectKey::from_claims("https://idp.example", "s1", None, None);
        assert_eq!(
            other,
            SubjectKey {
                realm: "https://idp.example".into(),
                subject: "s1".into()
            }
        );
        // Half of Entra's pair, or an empty one, is not Entra's pair.
        for (oid, tid) in [
            (Some("o1"), None),
            (None, Some("t1")),
            (Some(""), Some("t1")),
        ] {
            assert_eq!(
                SubjectKey::from_claims("https://idp.example", "s1", oid, tid).subject,
                "s1"
            );
        }
    }

    fn key() -> SubjectKey {
        SubjectKey {
            realm: "https://idp.example".into(),
            subject: "s1".into(),
        }
    }

    fn account(subject: Option<&str>, realm: Option<&str>, active: bool) -> LinkableAccount {
        LinkableAccount {
            id: Uuid::from_u128(7),
            active,
            oidc_subject: subject.map(String::from),
            oidc_realm: realm.map(String::from),
        }
    }

    #[test]
    fn a_linked_identity_signs_in_by_its_subject_alone() {
        let linked = account(Some("s1"), Some("https://idp.example"), true);
        assert_eq!(
            decide(&key(), None, Some(&linked), None),
            Decision::SignIn(linked.id)
        );
        // The e-mail address is not even looked at, verified or not.
        assert_eq!(
            decide(&key(), Some(false), Some(&linked), None),
            Decision::SignIn(linked.id)
        );
    }

    #[test]
    fn a_subject_entered_by_an_administrator_is_linked_at_the_first_sign_in() {
        let entered = account(Some("s1"), None, true);
        assert_eq!(
            decide(&key(), None, Some(&entered), None),
            Decision::Link {
                user_id: entered.id,
                by: LinkedBy::Subject
            }
        );
    }

    #[test]
    fn the_same_subject_in_another_realm_is_not_this_person() {
        let elsewhere = account(Some("s1"), Some("https://other.example"), true);
        assert_eq!(
            decide(&key(), None, Some(&elsewhere), None),
            Decision::Refuse(Refusal::LinkedToAnother)
        );
    }

    #[test]
    fn a_known_email_links_an_unlinked_account() {
        let unlinked = account(None, None, true);
        for verified in [None, Some(true)] {
            assert_eq!(
                decide(&key(), verified, None, Some(&unlinked)),
                Decision::Link {
                    user_id: unlinked.id,
                    by: LinkedBy::Email
                }
            );
        }
    }

    #[test]
    fn an_unverified_email_links_nothing() {
        let unlinked = account(None, None, true);
        assert_eq!(
            decide(&key(), Some(false), None, Some(&unlinked)),
            Decision::Refuse(Refusal::EmailUnverified)
        );
    }

    #[test]
    fn an_email_of_an_account_linked_to_someone_else_links_nothing() {
        for taken in [
            account(Some("s2"), Some("https://idp.example"), true),
            account(Some("s2"), None, true),
        ] {
            assert_eq!(
                decide(&key(), Some(true), None, Some(&taken)),
                Decision::Refuse(Refusal::LinkedToAnother)
            );
        }
    }

    #[test]
    fn an_address_linked_to_this_very_identity_meanwhile_signs_in() {
        let linked = account(Some("s1"), Some("https://idp.example"), true);
        assert_eq!(
            decide(&key(), Some(false), None, Some(&linked)),
            Decision::SignIn(linked.id)
        );
        let deactivated = account(Some("s1"), Some("https://idp.example"), false);
        assert_eq!(
            decide(&key(), Some(true), None, Some(&deactivated)),
            Decision::Refuse(Refusal::Inactive)
        );
    }

    #[test]
    fn an_unknown_person_is_refused() {
        assert_eq!(
            decide(&key(), Some(true), None, None),
            Decision::Refuse(Refusal::Unknown)
        );
    }

    #[test]
    fn a_deactivated_account_is_neither_signed_in_nor_linked() {
        for (by_subject, by_email) in [
            (
                Some(account(Some("s1"), Some("https://idp.example"), false)),
                None,
            ),
            (Some(account(Some("s1"), None, false)), None),
            (None, Some(account(None, None, false))),
        ] {
            assert_eq!(
                decide(&key(), Some(true), by_subject.as_ref(), by_email.as_ref()),
                Decision::Refuse(Refusal::Inactive)
            );
        }
    }
}
