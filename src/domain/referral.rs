//! A remiss as registered: the registration form's rules.

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use super::dates::parse_date;
use super::forms::{FieldErrors, optional_multi_line, optional_text, required_text};
use super::sign_in::{email_problem, normalize_email};

pub const TITLE_MAX: usize = 300;
pub const DESCRIPTION_MAX: usize = 20_000;
pub const SENDER_NAME_MAX: usize = 200;
pub const SENDER_DNR_MAX: usize = 100;
pub const PROVISION_MAX: usize = 200;

/// The registration form as typed; every field a string so that it can be shown
/// again unchanged when it has errors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferralInput {
    pub title: String,
    pub description: String,
    /// An organ id, or empty for a body outside the municipality.
    pub sender_organ: String,
    pub sender_name: String,
    pub sender_dnr: String,
    /// The sender's registry (registratorns e-post), where the yttrande is sent.
    pub sender_email: String,
    pub received_on: String,
    pub deadline: String,
    pub secret: bool,
    pub secrecy_provision: String,
    pub respondents: Vec<String>,
    /// The registrar saw the warning of a likely duplicate and registers anyway
    /// ("Registrera ändå").
    pub duplicate_confirmed: bool,
}

/// Where a remiss comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    Organ(Uuid),
    Outside(String),
}

/// A validated remiss, ready to be saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralDetails {
    pub title: String,
    pub description: String,
    pub sender: Sender,
    pub sender_dnr: String,
    /// Where the yttrande is e-mailed at dispatch, when known.
    pub sender_email: Option<String>,
    pub received_on: NaiveDate,
    pub deadline: NaiveDate,
    /// The OSL provision when the remiss is marked secret.
    pub secrecy: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReferral {
    pub details: ReferralDetails,
    /// Respondent organs, in the order chosen.
    pub respondents: Vec<Uuid>,
}

/// Checks a registration against the organs that exist (`known_organs`), on
/// `today` (Stockholm's).
pub fn validate_new(
    input: &ReferralInput,
    known_organs: &[Uuid],
    today: NaiveDate,
) -> Result<NewReferral, FieldErrors> {
    let mut errors = FieldErrors::new();
    let details = validate_details(&mut errors, input, known_organs, today);
    let respondents = validate_respondents(&mut errors, &input.respondents, known_organs);
    errors.into_result(|| NewReferral {
        details: details.expect("details are complete when there are no errors"),
        respondents,
    })
}

/// Checks a correction of an existing remiss's metadata (respondents are not changed
/// by a correction).
pub fn validate_correction(
    input: &ReferralInput,
    known_organs: &[Uuid],
    today: NaiveDate,
) -> Result<ReferralDetails, FieldErrors> {
    let mut errors = FieldErrors::new();
    let details = validate_details(&mut errors, input, known_organs, today);
    errors.into_result(|| details.expect("details are complete when there are no errors"))
}

fn validate_details(
    errors: &mut FieldErrors,
    input: &ReferralInput,
    known_organs: &[Uuid],
    today: NaiveDate,
) -> Option<ReferralDetails> {
    let title = required_text(
        errors,
        "title",
        &input.title,
        TITLE_MAX,
        "Ange ärendemening.",
        &format!("Ärendemeningen får vara högst {TITLE_MAX} tecken."),
    );
    let description = optional_multi_line(
        errors,
        "description",
        &input.description,
        DESCRIPTION_MAX,
        &format!("Beskrivningen får vara högst {DESCRIPTION_MAX} tecken."),
    );
    let sender = validate_sender(errors, input, known_organs);
    let sender_dnr = optional_text(
        errors,
        "sender_dnr",
        &input.sender_dnr,
        SENDER_DNR_MAX,
        &format!("Avsändarens diarienummer får vara högst {SENDER_DNR_MAX} tecken."),
    );
    let sender_email = registry_address(errors, &input.sender_email);
    let received_on = date_field(
        errors,
        "received_on",
        &input.received_on,
        "Ange datum då remissen kom in.",
    );
    if received_on.is_some_and(|received| received > today) {
        errors.add(
            "received_on",
            "Remissen kan inte ha kommit in senare än i dag. Kontrollera datumet.",
        );
    }
    let deadline = date_field(errors, "deadline", &input.deadline, "Ange sista svarsdag.");
    if let (Some(received), Some(deadline)) = (received_on, deadline)
        && deadline < received
    {
        errors.add(
            "deadline",
            "Sista svarsdag kan inte vara före datumet då remissen kom in.",
        );
    }
    let secrecy = if input.secret {
        let provision = required_text(
            errors,
            "secrecy_provision",
            &input.secrecy_provision,
            PROVISION_MAX,
            "Ange sekretessbestämmelse (till exempel OSL 21 kap. 1 §) när remissen är sekretessmarkerad.",
            &format!("Bestämmelsen får vara högst {PROVISION_MAX} tecken."),
        );
        Some(provision)
    } else {
        None
    };
    Some(ReferralDetails {
        title,
        description,
        sender: sender?,
        sender_dnr,
        sender_email,
        received_on: received_on?,
        deadline: deadline?,
        secrecy,
    })
}

/// The sender's registry address: optional; when given, an address.
fn registry_address(errors: &mut FieldErrors, input: &str) -> Option<String> {
    let email = normalize_email(input);
    if email.is_empty() {
        return None;
    }
    if let Some(problem) = email_problem(&email) {
        errors.add("sender_email", problem);
    }
    Some(email)
}

fn validate_sender(
    errors: &mut FieldErrors,
    input: &ReferralInput,
    known_organs: &[Uuid],
) -> Option<Sender> {
    let organ = input.sender_organ.trim();
    if !organ.is_empty() {
        return match Uuid::parse_str(organ) {
            Ok(id) if known_organs.contains(&id) => Some(Sender::Organ(id)),
            _ => {
                errors.add("sender_organ", "Välj en avsändare i listan.");
                None
            }
        };
    }
    let name = required_text(
        errors,
        "sender_name",
        &input.sender_name,
        SENDER_NAME_MAX,
        "Välj en nämnd som avsändare eller skriv namnet på den myndighet som skickat remissen.",
        &format!("Avsändarens namn får vara högst {SENDER_NAME_MAX} tecken."),
    );
    errors
        .get("sender_name")
        .is_none()
        .then_some(Sender::Outside(name))
}

fn date_field(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    missing: &str,
) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        errors.add(field, missing);
        return None;
    }
    let date = parse_date(value);
    match date {
        None => errors.add(
            field,
            "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-02.",
        ),
        // Typos such as 0202 or 2206 would otherwise pass as dates.
        Some(date) if !(1900..=2200).contains(&date.year()) => errors.add(
            field,
            "Kontrollera årtalet: datumet ska ligga mellan år 1900 och 2200.",
        ),
        Some(_) => {}
    }
    date
}

fn validate_respondents(
    errors: &mut FieldErrors,
    chosen: &[String],
    known_organs: &[Uuid],
) -> Vec<Uuid> {
    let chosen: Vec<&str> = chosen
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if chosen.is_empty() {
        errors.add("respondents", "Välj minst en remissinstans.");
        return Vec::new();
    }
    let mut respondents = Vec::with_capacity(chosen.len());
    for value in chosen {
        match Uuid::parse_str(value) {
            Ok(id) if known_organs.contains(&id) => {
                if respondents.contains(&id) {
                    errors.add("respondents", "Samma remissinstans är vald två gånger.");
                } else {
                    respondents.push(id);
                }
            }
            _ => errors.add("respondents", "En vald remissinstans finns inte."),
        }
    }
    respondents
}

/// A respondent added after registration: an organ that exists and is not one
/// of the remiss's respondents yet.
pub fn validate_added_respondent(
    chosen: &str,
    known_organs: &[Uuid],
    respondents: &[Uuid],
) -> Result<Uuid, FieldErrors> {
    let mut errors = FieldErrors::new();
    let chosen = chosen.trim();
    let organ = match Uuid::parse_str(chosen) {
        _ if chosen.is_empty() => {
            errors.add("organ", "Välj den nämnd som ska läggas till.");
            None
        }
        Ok(id) if respondents.contains(&id) => {
            errors.add("organ", "Nämnden är redan remissinstans.");
            None
        }
        Ok(id) if known_organs.contains(&id) => Some(id),
        _ => {
            errors.add("organ", "Den valda nämnden finns inte.");
            None
        }
    };
    errors.into_result(|| organ.expect("checked"))
}

/// The sender's dnr as compared for a likely duplicate: what the registrar would
/// call the same number. Case and blank space do not count ("Fi2025/00871" and
/// "fi 2025/00871"); leading zeros do (governments pad their numbers, and the
/// search finds them as typed).
fn compared(sender_dnr: &str) -> String {
    super::text::lookup_key(sender_dnr)
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The `YEAR/SEQ` in a sender's dnr (the first four digits, a slash and digits),
/// as the database indexes it (`referrals.sender_dnr_key`): where a duplicate is
/// looked for. None for a number without one, which is not checked.
pub fn indexed_number(sender_dnr: &str) -> Option<String> {
    let bytes = sender_dnr.as_bytes();
    (0..bytes.len()).find_map(|start| {
        let rest = &bytes[start..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits != 4 || rest.get(4) != Some(&b'/') {
            return None;
        }
        let seq = rest[5..].iter().take_while(|b| b.is_ascii_digit()).count();
        (seq > 0).then(|| sender_dnr[start..start + 5 + seq].to_string())
    })
}

/// Whether an earlier registration from `earlier_sender` with `earlier_dnr`
/// is likely the same remiss as `new`: the same sender (the organ, or an outside
/// body's name in any case) and the same sender's dnr.
pub fn resembles(new: &ReferralDetails, earlier_sender: &Sender, earlier_dnr: &str) -> bool {
    let same_sender = match (&new.sender, earlier_sender) {
        (Sender::Organ(a), Sender::Organ(b)) => a == b,
        (Sender::Outside(a), Sender::Outside(b)) => {
            super::text::lookup_key(a).to_lowercase() == super::text::lookup_key(b).to_lowercase()
        }
        _ => false,
    };
    let number = compared(&new.sender_dnr);
    same_sender && !number.is_empty() && number == compared(earlier_dnr)
}

/// The warning beside the registration form when the same sender has registered
/// a remiss with the same number before: `earlier` names each by its first dnr.
pub fn duplicate_warning(earlier: &[String]) -> String {
    format!(
        "Samma avsändare har redan en registrerad remiss med samma diarienummer ({}). Kontrollera att remissen inte redan är registrerad. Är det en annan remiss, kryssa i Registrera ändå och registrera igen.",
        earlier.join(", ")
    )
}

pub const ANNULMENT_REASON_MAX: usize = 2000;

/// Makulering of a registration: a required reason; allowed while no respondent
/// has the case on a meeting's agenda, decided or answered (those acts stand on
/// the record, and a sent yttrande cannot be unsent). `states` are the remiss's
/// cases; `already` whether it is makulerad.
pub fn validate_annulment(
    reason: &str,
    states: &[super::CaseState],
    already: bool,
) -> Result<String, FieldErrors> {
    use super::CaseState as S;
    let mut errors = FieldErrors::new();
    if already {
        errors.add("reason", "Remissen är redan makulerad.");
    } else if let Some(state) = states
        .iter()
        .find(|s| matches!(s, S::OnAgenda | S::Decided | S::Answered))
    {
        errors.add(
            "reason",
            format!(
                "Remissen kan inte makuleras: ett svarsärende är {}. Registreringen står kvar.",
                state.predicate_sv()
            ),
        );
    }
    let reason = super::forms::required_multi_line(
        &mut errors,
        "reason",
        reason,
        ANNULMENT_REASON_MAX,
        "Ange varför registreringen makuleras.",
        &format!("Skälet får vara högst {ANNULMENT_REASON_MAX} tecken."),
    );
    errors.into_result(|| reason)
}

/// Why nothing more happens on a makulerad remiss's cases.
pub fn annulled_message(reason: &str) -> String {
    format!("Remissen är makulerad ({reason}). Inget mer görs i dess svarsärenden.")
}

pub const GRANTED_BY_MAX: usize = 200;
pub const EXTENSION_NOTE_MAX: usize = 2000;

/// An anstånd as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtensionInput {
    pub deadline: String,
    pub granted_on: String,
    pub granted_by: String,
    pub note: String,
}

/// An anstånd agreed with the sender: the new deadline, when and by whom at the
/// sender it was granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub deadline: NaiveDate,
    pub granted_on: NaiveDate,
    pub granted_by: String,
    pub note: String,
}

/// An anstånd on a remiss whose deadline is `current`: a later deadline,
/// granted on a day that has been (not after `today`) and not before the remiss
/// came in (`received_on`), by someone named.
pub fn validate_extension(
    input: &ExtensionInput,
    current: NaiveDate,
    received_on: NaiveDate,
    today: NaiveDate,
) -> Result<Extension, FieldErrors> {
    let mut errors = FieldErrors::new();
    let deadline = date_field(
        &mut errors,
        "deadline",
        &input.deadline,
        "Ange den nya sista svarsdagen.",
    );
    if deadline.is_some_and(|deadline| deadline <= current) {
        errors.add(
            "deadline",
            format!("Ett anstånd ger en senare sista svarsdag än den som gäller nu ({current})."),
        );
    }
    let granted_on = date_field(
        &mut errors,
        "granted_on",
        &input.granted_on,
        "Ange datum då anståndet beviljades.",
    );
    match granted_on {
        Some(day) if day > today => errors.add(
            "granted_on",
            format!(
                "Anståndet kan inte ha beviljats senare än i dag ({today}). Kontrollera datumet."
            ),
        ),
        Some(day) if day < received_on => errors.add(
            "granted_on",
            format!("Anståndet kan inte ha beviljats innan remissen kom in ({received_on})."),
        ),
        _ => {}
    }
    let granted_by = required_text(
        &mut errors,
        "granted_by",
        &input.granted_by,
        GRANTED_BY_MAX,
        "Ange vem hos avsändaren som beviljade anståndet.",
        &format!("Högst {GRANTED_BY_MAX} tecken."),
    );
    let note = optional_multi_line(
        &mut errors,
        "note",
        &input.note,
        EXTENSION_NOTE_MAX,
        &format!("Anteckningen får vara högst {EXTENSION_NOTE_MAX} tecken."),
    );
    errors.into_result(|| Extension {
        deadline: deadline.expect("checked"),
        granted_on: granted_on.expect("checked"),
        granted_by,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The day the tests register on, after `valid_input`'s received date.
    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 2, 1).unwrap()
    }

    #[test]
    fn a_remiss_cannot_have_come_in_after_today() {
        let tomorrow = ReferralInput {
            received_on: "2020-02-02".into(),
            deadline: "2020-03-31".into(),
            ..valid_input()
        };
        assert_eq!(
            error_for(tomorrow.clone(), "received_on"),
            "Remissen kan inte ha kommit in senare än i dag. Kontrollera datumet."
        );
        assert!(validate_correction(&tomorrow, &organs(), today()).is_err());
        for day in ["2020-02-01", "2020-01-31", "2019-12-31"] {
            let input = ReferralInput {
                received_on: day.into(),
                ..valid_input()
            };
            assert!(validate_new(&input, &organs(), today()).is_ok(), "{day}");
        }
        // The deadline is in the future, of course.
        let later = ReferralInput {
            deadline: "2021-01-01".into(),
            ..valid_input()
        };
        assert!(validate_new(&later, &organs(), today()).is_ok());
    }

    #[test]
    fn an_added_respondent_is_a_known_organ_not_already_answering() {
        let respondents = [Uuid::from_u128(2)];
        let added = |chosen: &str| validate_added_respondent(chosen, &organs(), &respondents);
        assert_eq!(
            added(&Uuid::from_u128(3).to_string()),
            Ok(Uuid::from_u128(3))
        );
        let message = |chosen: &str| added(chosen).unwrap_err().get("organ").unwrap().to_string();
        assert_eq!(
            message(&Uuid::from_u128(2).to_string()),
            "Nämnden är redan remissinstans."
        );
        assert_eq!(
            message(&Uuid::from_u128(9).to_string()),
            "Den valda nämnden finns inte."
        );
        assert_eq!(message("inte ett id"), "Den valda nämnden finns inte.");
        assert_eq!(message(" "), "Välj den nämnd som ska läggas till.");
    }

    fn organs() -> Vec<Uuid> {
        vec![Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3)]
    }

    fn valid_input() -> ReferralInput {
        ReferralInput {
            title: "Stockholms stads trygghetsprogram 2020-2023".into(),
            description: "Remiss av förslag till program.".into(),
            sender_organ: Uuid::from_u128(1).to_string(),
            sender_name: String::new(),
            sender_dnr: "KS 2019/1939".into(),
            sender_email: String::new(),
            received_on: "2020-01-15".into(),
            deadline: "2020-03-31".into(),
            secret: false,
            secrecy_provision: String::new(),
            respondents: vec![
                Uuid::from_u128(2).to_string(),
                Uuid::from_u128(3).to_string(),
            ],
            duplicate_confirmed: false,
        }
    }

    #[test]
    fn the_registry_address_is_optional_and_an_address_when_given() {
        let with = |address: &str| ReferralInput {
            sender_email: address.into(),
            ..valid_input()
        };
        let today = NaiveDate::from_ymd_opt(2020, 1, 15).unwrap();
        let details =
            |input: ReferralInput| validate_new(&input, &organs(), today).map(|r| r.details);
        assert_eq!(details(with("  ")).unwrap().sender_email, None);
        assert_eq!(
            details(with(" li.remissvar@regeringskansliet.se "))
                .unwrap()
                .sender_email,
            Some("li.remissvar@regeringskansliet.se".into())
        );
        for wrong in ["li.remissvar", "li remissvar@regeringskansliet.se", "a@b"] {
            let errors = details(with(wrong)).unwrap_err();
            assert_eq!(
                errors.get("sender_email"),
                Some("Ange en e-postadress som namn@exempel.se."),
                "{wrong}"
            );
        }
    }

    fn error_for(input: ReferralInput, field: &str) -> String {
        let errors = validate_new(&input, &organs(), today()).expect_err("should be refused");
        errors
            .get(field)
            .unwrap_or_else(|| panic!("no error for {field}: {errors:?}"))
            .to_string()
    }

    #[test]
    fn accepts_a_complete_registration() {
        let referral = validate_new(&valid_input(), &organs(), today()).unwrap();
        assert_eq!(
            referral.details.title,
            "Stockholms stads trygghetsprogram 2020-2023"
        );
        assert_eq!(referral.details.sender, Sender::Organ(Uuid::from_u128(1)));
        assert_eq!(
            referral.respondents,
            vec![Uuid::from_u128(2), Uuid::from_u128(3)]
        );
        assert_eq!(referral.details.secrecy, None);
    }

    #[test]
    fn an_outside_sender_is_named() {
        let input = ReferralInput {
            sender_organ: String::new(),
            sender_name: " Finansdepartementet ".into(),
            ..valid_input()
        };
        let referral = validate_new(&input, &organs(), today()).unwrap();
        assert_eq!(
            referral.details.sender,
            Sender::Outside("Finansdepartementet".into())
        );
    }

    #[test]
    fn a_sender_is_required() {
        let input = ReferralInput {
            sender_organ: String::new(),
            ..valid_input()
        };
        assert!(error_for(input, "sender_name").starts_with("Välj en nämnd"));
    }

    #[test]
    fn an_unknown_sender_organ_is_refused() {
        let input = ReferralInput {
            sender_organ: Uuid::from_u128(9).to_string(),
            ..valid_input()
        };
        assert_eq!(
            error_for(input, "sender_organ"),
            "Välj en avsändare i listan."
        );
    }

    #[test]
    fn title_is_required() {
        let input = ReferralInput {
            title: "   ".into(),
            ..valid_input()
        };
        assert_eq!(error_for(input, "title"), "Ange ärendemening.");
    }

    #[test]
    fn title_has_a_maximum_length() {
        let input = ReferralInput {
            title: "å".repeat(TITLE_MAX + 1),
            ..valid_input()
        };
        assert_eq!(
            error_for(input, "title"),
            "Ärendemeningen får vara högst 300 tecken."
        );
        let input = ReferralInput {
            title: "å".repeat(TITLE_MAX),
            ..valid_input()
        };
        assert!(validate_new(&input, &organs(), today()).is_ok());
    }

    #[test]
    fn dates_must_be_iso_dates() {
        let input = ReferralInput {
            received_on: "15/1 2020".into(),
            ..valid_input()
        };
        assert!(error_for(input, "received_on").starts_with("Skriv datumet som ÅÅÅÅ-MM-DD"));
        let input = ReferralInput {
            deadline: "2020-02-30".into(),
            ..valid_input()
        };
        assert!(error_for(input, "deadline").starts_with("Skriv datumet som ÅÅÅÅ-MM-DD"));
    }

    #[test]
    fn implausible_years_are_refused() {
        let input = ReferralInput {
            received_on: "0202-01-15".into(),
            deadline: "2020-03-31".into(),
            ..valid_input()
        };
        assert!(error_for(input, "received_on").starts_with("Kontrollera årtalet"));
        let input = ReferralInput {
            deadline: "3020-03-31".into(),
            ..valid_input()
        };
        assert!(error_for(input, "deadline").starts_with("Kontrollera årtalet"));
    }

    #[test]
    fn dates_are_required() {
        let input = ReferralInput {
            received_on: String::new(),
            ..valid_input()
        };
        assert_eq!(
            error_for(input, "received_on"),
            "Ange datum då remissen kom in."
        );
        let input = ReferralInput {
            deadline: " ".into(),
            ..valid_input()
        };
        assert_eq!(error_for(input, "deadline"), "Ange sista svarsdag.");
    }

    #[test]
    fn deadline_cannot_precede_received_date() {
        let input = ReferralInput {
            deadline: "2020-01-14".into(),
            ..valid_input()
        };
        assert_eq!(
            error_for(input, "deadline"),
            "Sista svarsdag kan inte vara före datumet då remissen kom in."
        );
        let same_day = ReferralInput {
            deadline: "2020-01-15".into(),
            ..valid_input()
        };
        assert!(validate_new(&same_day, &organs(), today()).is_ok());
    }

    #[test]
    fn at_least_one_respondent() {
        let input = ReferralInput {
            respondents: vec![],
            ..valid_input()
        };
        assert_eq!(
            error_for(input, "respondents"),
            "Välj minst en remissinstans."
        );
        let blank = ReferralInput {
            respondents: vec!["".into()],
            ..valid_input()
        };
        assert_eq!(
            error_for(blank, "respondents"),
            "Välj minst en remissinstans."
        );
    }

    #[test]
    fn unknown_respondent_is_refused() {
        let input = ReferralInput {
            respondents: vec![Uuid::from_u128(7).to_string()],
            ..valid_input()
        };
        assert_eq!(
            error_for(input, "respondents"),
            "En vald remissinstans finns inte."
        );
        let garbage = ReferralInput {
            respondents: vec!["inte-ett-id".into()],
            ..valid_input()
        };
        assert_eq!(
            error_for(garbage, "respondents"),
            "En vald remissinstans finns inte."
        );
    }

    #[test]
    fn duplicated_respondent_is_refused() {
        let id = Uuid::from_u128(2).to_string();
        let input = ReferralInput {
            respondents: vec![id.clone(), id],
            ..valid_input()
        };
        assert_eq!(
            error_for(input, "respondents"),
            "Samma remissinstans är vald två gånger."
        );
    }

    #[test]
    fn secrecy_needs_its_provision() {
        let input = ReferralInput {
            secret: true,
            ..valid_input()
        };
        assert!(error_for(input, "secrecy_provision").starts_with("Ange sekretessbestämmelse"));
        let input = ReferralInput {
            secret: true,
            secrecy_provision: "OSL 21 kap. 1 §".into(),
            ..valid_input()
        };
        let referral = validate_new(&input, &organs(), today()).unwrap();
        assert_eq!(referral.details.secrecy.as_deref(), Some("OSL 21 kap. 1 §"));
    }

    #[test]
    fn provision_without_marking_is_ignored() {
        let input = ReferralInput {
            secrecy_provision: "OSL 21 kap. 1 §".into(),
            ..valid_input()
        };
        assert_eq!(
            validate_new(&input, &organs(), today())
                .unwrap()
                .details
                .secrecy,
            None
        );
    }

    #[test]
    fn all_errors_are_reported_at_once() {
        let input = ReferralInput {
            title: String::new(),
            received_on: "x".into(),
            respondents: vec![],
            ..valid_input()
        };
        let errors = validate_new(&input, &organs(), today()).unwrap_err();
        assert!(errors.get("title").is_some());
        assert!(errors.get("received_on").is_some());
        assert!(errors.get("respondents").is_some());
    }

    #[test]
    fn a_correction_does_not_look_at_respondents() {
        let input = ReferralInput {
            respondents: vec![],
            ..valid_input()
        };
        assert!(validate_correction(&input, &organs(), today()).is_ok());
    }

    #[test]
    fn every_text_field_is_normalised() {
        let input = ReferralInput {
            title: "Trygghets\u{200B}program\u{0}\r\n2020".into(),
            description: "Första raden.\r\nAndra\u{1B}[31m raden.\u{0B}Tredje.".into(),
            sender_organ: String::new(),
            sender_name: "Finansdepartementet\u{8}".into(),
            sender_dnr: "Fi2025/\u{FEFF}00871".into(),
            secret: true,
            secrecy_provision: "OSL 21 kap.\u{00A0}1\u{0}§".into(),
            ..valid_input()
        };
        let details = validate_new(&input, &organs(), today()).unwrap().details;
        assert_eq!(details.title, "Trygghetsprogram 2020");
        assert_eq!(
            details.description,
            "Första raden.\nAndra[31m raden.\nTredje."
        );
        assert_eq!(
            details.sender,
            Sender::Outside("Finansdepartementet".into())
        );
        assert_eq!(details.sender_dnr, "Fi2025/00871");
        assert_eq!(details.secrecy.as_deref(), Some("OSL 21 kap.\u{00A0}1§"));
    }

    #[test]
    fn direction_controls_are_refused_in_every_text_field() {
        let spoof = "Avtal \u{202E}fdp.exe";
        for field in [
            "title",
            "description",
            "sender_name",
            "sender_dnr",
            "secrecy_provision",
        ] {
            let mut input = ReferralInput {
                sender_organ: String::new(),
                sender_name: "Finansdepartementet".into(),
                secret: true,
                secrecy_provision: "OSL 21 kap. 1 §".into(),
                ..valid_input()
            };
            match field {
                "title" => input.title = spoof.into(),
                "description" => input.description = spoof.into(),
                "sender_name" => input.sender_name = spoof.into(),
                "sender_dnr" => input.sender_dnr = spoof.into(),
                _ => input.secrecy_provision = spoof.into(),
            }
            assert!(
                error_for(input.clone(), field).contains("osynliga styrtecken"),
                "{field}"
            );
            assert!(
                validate_correction(&input, &organs(), today()).is_err(),
                "{field}"
            );
        }
    }
    #[test]
    fn a_likely_duplicate_has_the_same_sender_and_number_in_any_case_and_spacing() {
        let new = |sender: Sender, dnr: &str| ReferralDetails {
            sender,
            sender_dnr: dnr.into(),
            ..validate_correction(&valid_input(), &organs(), today()).unwrap()
        };
        let ks = Sender::Organ(Uuid::from_u128(1));
        let fi = || Sender::Outside("Finansdepartementet".into());
        assert!(resembles(
            &new(fi(), "Fi2025/00871"),
            &Sender::Outside("finansdepartementet".into()),
            " fi 2025/00871 "
        ));
        assert!(resembles(
            &new(ks.clone(), "KS 2019/1939"),
            &ks,
            "ks 2019/1939"
        ));
        // Another sender, another number, the zeros that make another number.
        assert!(!resembles(&new(fi(), "Fi2025/00871"), &ks, "Fi2025/00871"));
        assert!(!resembles(
            &new(ks.clone(), "KS 2019/1939"),
            &Sender::Organ(Uuid::from_u128(2)),
            "KS 2019/1939"
        ));
        assert!(!resembles(
            &new(fi(), "Fi2025/00871"),
            &fi(),
            "Fi2025/00872"
        ));
        assert!(!resembles(&new(fi(), "Fi2025/00871"), &fi(), "Fi2025/871"));
        assert!(!resembles(&new(fi(), ""), &fi(), ""));

        assert_eq!(indexed_number("Fi2025/00871"), Some("2025/00871".into()));
        assert_eq!(indexed_number("KS 2019/1939-3"), Some("2019/1939".into()));
        assert_eq!(indexed_number("12025/7"), Some("2025/7".into()));
        assert_eq!(indexed_number("Dnr 2025/"), None);
        assert_eq!(indexed_number("utan nummer"), None);
        assert_eq!(indexed_number("Å 2025/3"), Some("2025/3".into()));
        assert!(duplicate_warning(&["KS 2026/3".into()]).contains("(KS 2026/3)"));
    }

    #[test]
    fn a_registration_is_annulled_with_a_reason_before_any_case_is_on_an_agenda() {
        use crate::domain::CaseState as S;
        let open = [
            S::Registered,
            S::Drafting,
            S::InReview,
            S::Approved,
            S::Declined,
        ];
        assert_eq!(
            validate_annulment(" Registrerad två gånger. ", &open, false),
            Ok("Registrerad två gånger.".to_string())
        );
        let message = |reason: &str, states: &[S], already: bool| {
            validate_annulment(reason, states, already)
                .unwrap_err()
                .get("reason")
                .unwrap()
                .to_string()
        };
        assert_eq!(
            message("", &open, false),
            "Ange varför registreringen makuleras."
        );
        for (state, word) in [
            (S::OnAgenda, "uppfört på föredragningslistan"),
            (S::Decided, "beslutat"),
            (S::Answered, "besvarat"),
        ] {
            assert_eq!(
                message("Fel", &[S::Drafting, state], false),
                format!(
                    "Remissen kan inte makuleras: ett svarsärende är {word}. Registreringen står kvar."
                )
            );
        }
        assert_eq!(message("Fel", &open, true), "Remissen är redan makulerad.");
        assert!(validate_annulment(&"x".repeat(2001), &open, false).is_err());
    }

    #[test]
    fn an_extension_gives_a_later_deadline_granted_by_someone_on_a_day_that_has_been() {
        let current = NaiveDate::from_ymd_opt(2020, 3, 31).unwrap();
        let received = NaiveDate::from_ymd_opt(2020, 1, 15).unwrap();
        let input = |deadline: &str, granted_on: &str, by: &str| ExtensionInput {
            deadline: deadline.into(),
            granted_on: granted_on.into(),
            granted_by: by.into(),
            note: " Per telefon. ".into(),
        };
        assert_eq!(
            validate_extension(
                &input("2020-04-30", "2020-02-01", " Anna Ek "),
                current,
                received,
                today()
            ),
            Ok(Extension {
                deadline: NaiveDate::from_ymd_opt(2020, 4, 30).unwrap(),
                granted_on: today(),
                granted_by: "Anna Ek".into(),
                note: "Per telefon.".into(),
            })
        );
        let error = |input: ExtensionInput, field: &str| {
            validate_extension(&input, current, received, today())
                .unwrap_err()
                .get(field)
                .unwrap_or_else(|| panic!("no error for {field}"))
                .to_string()
        };
        for same_or_earlier in ["2020-03-31", "2020-03-30"] {
            assert_eq!(
                error(input(same_or_earlier, "2020-02-01", "Anna"), "deadline"),
                "Ett anstånd ger en senare sista svarsdag än den som gäller nu (2020-03-31)."
            );
        }
        assert_eq!(
            error(input("", "2020-02-01", "Anna"), "deadline"),
            "Ange den nya sista svarsdagen."
        );
        assert_eq!(
            error(input("2020-04-30", "2020-02-02", "Anna"), "granted_on"),
            "Anståndet kan inte ha beviljats senare än i dag (2020-02-01). Kontrollera datumet."
        );
        assert_eq!(
            error(input("2020-04-30", "2020-01-14", "Anna"), "granted_on"),
            "Anståndet kan inte ha beviljats innan remissen kom in (2020-01-15)."
        );
        assert_eq!(
            error(input("2020-04-30", "1/2", "Anna"), "granted_on"),
            "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-02."
        );
        assert_eq!(
            error(input("2020-04-30", "2020-02-01", " "), "granted_by"),
            "Ange vem hos avsändaren som beviljade anståndet."
        );
    }
}
