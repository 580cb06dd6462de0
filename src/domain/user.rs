//! User accounts as the admin creates them, and the password rules.

use uuid::Uuid;

use super::forms::{FieldErrors, optional_text, required_text};
use super::text;

pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 200;

/// A username: lower-case letters, digits, `.`, `_`, `-`; 2–50 characters. As
/// typed at login it may hold anything: control and invisible characters are
/// dropped (see [`text::lookup_key`]), so that what is looked up and counted for
/// throttling is plain text.
pub fn normalize_username(input: &str) -> String {
    text::lookup_key(input).to_lowercase()
}

pub fn username_problem(username: &str) -> Option<&'static str> {
    let valid_chars = username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    let starts_well = username
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if username.is_empty() {
        Some("Ange användarnamn.")
    } else if !(2..=50).contains(&username.len()) {
        Some("Användarnamnet ska vara 2–50 tecken.")
    } else if !valid_chars || !starts_well {
        Some(
            "Användarnamnet får innehålla a–z, siffror, punkt, bindestreck och understreck, och börja med en bokstav eller siffra.",
        )
    } else {
        None
    }
}

pub fn password_problem(password: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN {
        Some(format!("Lösenordet ska vara minst {PASSWORD_MIN} tecken."))
    } else if chars > PASSWORD_MAX {
        Some(format!("Lösenordet får vara högst {PASSWORD_MAX} tecken."))
    } else {
        None
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub title: String,
    pub organ: String,
    pub is_admin: bool,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub title: String,
    /// None only for an administrator created from the command line.
    pub organ_id: Option<Uuid>,
    pub is_admin: bool,
    pub password: String,
}

pub fn validate_new(input: &UserInput, known_organs: &[Uuid]) -> Result<NewUser, FieldErrors> {
    validate(input, known_organs, true)
}

/// The first administrator of a database, from the command line: as
/// [`validate_new`], but the organ may be left out (there may be none yet).
pub fn validate_first_admin(
    input: &UserInput,
    known_organs: &[Uuid],
) -> Result<NewUser, FieldErrors> {
    validate(input, known_organs, !input.organ.trim().is_empty())
}

fn validate(
    input: &UserInput,
    known_organs: &[Uuid],
    organ_required: bool,
) -> Result<NewUser, FieldErrors> {
    let mut errors = FieldErrors::new();
    let username = normalize_username(&input.username);
    if let Some(problem) = username_problem(&username) {
        errors.add("username", problem);
    }
    let display_name = required_text(
        &mut errors,
        "display_name",
        &input.display_name,
        200,
        "Ange namn.",
        "Namnet får vara högst 200 tecken.",
    );
    let title = optional_text(
        &mut errors,
        "title",
        &input.title,
        200,
        "Titeln får vara högst 200 tecken.",
    );
    let organ_id = Uuid::parse_str(input.organ.trim())
        .ok()
        .filter(|id| known_organs.contains(id));
    if organ_id.is_none() && organ_required {
        errors.add("organ", "Välj organ.");
    }
    if let Some(problem) = password_problem(&input.password) {
        errors.add("password", problem);
    }
    errors.into_result(|| NewUser {
        username,
        display_name,
        title,
        organ_id,
        is_admin: input.is_admin,
        password: input.password.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_case_words() {
        assert_eq!(normalize_username(" Handlaggare.SN "), "handlaggare.sn");
        assert_eq!(username_problem("handlaggare.sn"), None);
        assert_eq!(username_problem("a1"), None);
        assert!(username_problem("").is_some());
        assert!(username_problem("a").is_some());
        assert!(username_problem(".abc").is_some());
        assert!(username_problem("karin eriksson").is_some());
        assert!(username_problem("åsa").is_some());
        assert!(username_problem(&"a".repeat(51)).is_some());
    }

    #[test]
    fn passwords_have_a_minimum_and_maximum_length() {
        assert!(password_problem("kort").is_some());
        assert!(password_problem("remiss-demo").is_none());
        assert!(password_problem(&"x".repeat(PASSWORD_MAX + 1)).is_some());
    }

    #[test]
    fn a_new_user_needs_every_field() {
        let errors = validate_new(&UserInput::default(), &[Uuid::from_u128(1)]).unwrap_err();
        for field in ["username", "display_name", "organ", "password"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let ok = UserInput {
            username: "Karin".into(),
            display_name: "Karin Eriksson-Bech".into(),
            title: "utvecklingschef".into(),
            organ: Uuid::from_u128(1).to_string(),
            is_admin: false,
            password: "ett långt lösenord".into(),
        };
        assert_eq!(
            validate_new(&ok, &[Uuid::from_u128(1)]).unwrap().username,
            "karin"
        );
    }

    #[test]
    fn names_are_normalised_and_usernames_lose_invisible_characters() {
        assert_eq!(normalize_username("ad\u{0}min\u{200B}"), "admin");
        assert_eq!(normalize_username("\u{202E}Karin"), "karin");
        let input = UserInput {
            username: "karin".into(),
            display_name: "Karin\u{0} Eriksson\u{1B}".into(),
            title: "utvecklingschef\r\n".into(),
            organ: Uuid::from_u128(1).to_string(),
            is_admin: false,
            password: "ett långt lösenord".into(),
        };
        let user = validate_new(&input, &[Uuid::from_u128(1)]).unwrap();
        assert_eq!(user.display_name, "Karin Eriksson");
        assert_eq!(user.title, "utvecklingschef");
        let errors = validate_new(
            &UserInput {
                display_name: "Karin \u{2067}Eriksson".into(),
                ..input
            },
            &[Uuid::from_u128(1)],
        )
        .unwrap_err();
        assert!(
            errors
                .get("display_name")
                .unwrap()
                .contains("osynliga styrtecken")
        );
    }
}
