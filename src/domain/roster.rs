//! The nämnd's roster and a meeting's attendance: who was present (members and
//! serving substitutes), who chaired and who was appointed to adjust the
//! protocol (KL 5 kap. 69 §: the protocol states who took part).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::forms::{FieldErrors, optional_text, required_text};
use super::meeting::{Absence, MEMBER_MAX};
use super::sign_in::{email_problem, normalize_email};

/// A member as the roster form posts it.
#[derive(Debug, Clone, Default)]
pub struct MemberInput {
    pub name: String,
    pub party: String,
    pub substitute: bool,
    /// The address the kallelse is sent to; may be empty.
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberDetails {
    pub name: String,
    pub party: String,
    pub substitute: bool,
    pub email: Option<String>,
}

pub fn validate_member(input: &MemberInput) -> Result<MemberDetails, FieldErrors> {
    let mut errors = FieldErrors::new();
    let too_long = format!("Högst {MEMBER_MAX} tecken.");
    let name = required_text(
        &mut errors,
        "name",
        &input.name,
        MEMBER_MAX,
        "Ange ledamotens namn.",
        &too_long,
    );
    let party = optional_text(&mut errors, "party", &input.party, MEMBER_MAX, &too_long);
    let email = Some(normalize_email(&input.email)).filter(|e| !e.is_empty());
    if let Some(problem) = email.as_deref().and_then(email_problem) {
        errors.add("email", problem);
    }
    errors.into_result(|| MemberDetails {
        name,
        party,
        substitute: input.substitute,
        email,
    })
}

/// "Anna Andersson (S)", or the name alone without a party.
fn with_party(name: &str, party: &str) -> String {
    if party.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({party})")
    }
}

/// A member on the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterMember {
    pub id: Uuid,
    pub name: String,
    pub party: String,
    pub substitute: bool,
    pub email: Option<String>,
}

impl RosterMember {
    /// "Anna Andersson (S)".
    pub fn named(&self) -> String {
        with_party(&self.name, &self.party)
    }
}

/// One who took part in a meeting, as the protocol names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub name: String,
    pub party: String,
    pub substitute: bool,
    pub chair: bool,
    pub adjuster: bool,
}

impl Attendee {
    /// "Anna Andersson (S)".
    pub fn named(&self) -> String {
        with_party(&self.name, &self.party)
    }
}

/// The attendance form as posted: roster ids.
#[derive(Debug, Clone, Default)]
pub struct AttendanceInput {
    pub present: Vec<String>,
    pub chair: String,
    pub adjusters: Vec<String>,
}

/// The attendance of a meeting from the roster: someone present, one chair among
/// them, and one or two justerare besides the chair.
pub fn validate_attendance(
    roster: &[RosterMember],
    input: &AttendanceInput,
) -> Result<Vec<Attendee>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let on_roster = |id: &str| {
        Uuid::parse_str(id.trim())
            .ok()
            .and_then(|id| roster.iter().find(|m| m.id == id))
    };
    let present: Vec<&RosterMember> = input
        .present
        .iter()
        .filter_map(|id| on_roster(id))
        .collect();
    let chair = on_roster(&input.chair).filter(|c| present.iter().any(|p| p.id == c.id));
    let adjusters: Vec<&RosterMember> = input
        .adjusters
        .iter()
        .filter_map(|id| on_roster(id))
        .collect();
    if present.is_empty() {
        errors.add("present", "Markera vilka som var närvarande.");
    } else if chair.is_none() {
        errors.add("chair", "Välj ordförande bland de närvarande.");
    }
    let adjusters_lawful = (1..=2).contains(&adjusters.len())
        && adjusters
            .iter()
            .all(|a| present.iter().any(|p| p.id == a.id) && chair.is_none_or(|c| c.id != a.id));
    if !present.is_empty() && !adjusters_lawful {
        errors.add(
            "adjusters",
            "Välj en eller två justerare bland de närvarande, utöver ordföranden.",
        );
    }
    errors.into_result(|| {
        present
            .iter()
            .map(|member| Attendee {
                name: member.name.clone(),
                party: member.party.clone(),
                substitute: member.substitute,
                chair: chair.is_some_and(|c| c.id == member.id),
                adjuster: adjusters.iter().any(|a| a.id == member.id),
            })
            .collect()
    })
}

/// The attendance as the protocol lists it, one per line: the chair first, then
/// the members, then the serving substitutes.
pub fn attendance_text(attendees: &[Attendee]) -> String {
    let mut lines = Vec::new();
    for a in attendees.iter().filter(|a| a.chair) {
        lines.push(format!("{}, ordförande", a.named()));
    }
    for a in attendees.iter().filter(|a| !a.chair && !a.substitute) {
        lines.push(a.named());
    }
    for a in attendees.iter().filter(|a| !a.chair && a.substitute) {
        lines.push(format!("{}, tjänstgörande ersättare", a.named()));
    }
    lines.join("\n")
}

/// The chair's name, who signs the board's yttrande; None before the attendance
/// names one.
pub fn chair_name(attendees: &[Attendee]) -> Option<String> {
    attendees.iter().find(|a| a.chair).map(|a| a.name.clone())
}

/// Who adjusts the protocol: the chair and the appointed justerare.
pub fn adjusted_by_text(attendees: &[Attendee]) -> String {
    let names: Vec<&str> = attendees
        .iter()
        .filter(|a| a.chair)
        .chain(attendees.iter().filter(|a| a.adjuster))
        .map(|a| a.name.as_str())
        .collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} och {last}", rest.join(", ")),
    }
}

/// Those who took no part in a paragraph were at the meeting: each names one of
/// its attendees, as the roster names them ("Anna Andersson (S)") or by name.
/// Anyone may be named while the attendance is not recorded.
pub fn check_absent_were_present(
    absences: &[Absence],
    attendees: &[Attendee],
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if !attendees.is_empty() {
        for absence in absences {
            let present = attendees
                .iter()
                .any(|a| a.named() == absence.member || a.name == absence.member);
            if !present {
                errors.add(
                    "absences",
                    format!(
                        "{} finns inte bland de närvarande vid sammanträdet.",
                        absence.member
                    ),
                );
            }
        }
    }
    errors.into_result(|| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster() -> Vec<RosterMember> {
        [
            ("Anna Andersson", "S", false),
            ("Bertil Berg", "M", false),
            ("Cecilia Ceder", "V", false),
            ("David Dahl", "L", true),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, (name, party, substitute))| RosterMember {
            id: Uuid::from_u128(i as u128 + 1),
            name: name.into(),
            party: party.into(),
            substitute,
            email: None,
        })
        .collect()
    }

    fn id(n: u128) -> String {
        Uuid::from_u128(n).to_string()
    }

    #[test]
    fn the_attendance_names_the_chair_the_members_the_substitutes_and_the_justerare() {
        let input = AttendanceInput {
            present: vec![id(1), id(2), id(4)],
            chair: id(1),
            adjusters: vec![id(2)],
        };
        let attendees = validate_attendance(&roster(), &input).unwrap();
        assert_eq!(
            attendance_text(&attendees),
            "Anna Andersson (S), ordförande\nBertil Berg (M)\nDavid Dahl (L), tjänstgörande ersättare"
        );
        assert_eq!(
            adjusted_by_text(&attendees),
            "Anna Andersson och Bertil Berg"
        );
        assert_eq!(chair_name(&attendees).as_deref(), Some("Anna Andersson"));
        let without_chair: Vec<Attendee> = attendees.into_iter().filter(|a| !a.chair).collect();
        assert_eq!(chair_name(&without_chair), None);
        let two = AttendanceInput {
            adjusters: vec![id(2), id(4)],
            ..input.clone()
        };
        assert_eq!(
            adjusted_by_text(&validate_attendance(&roster(), &two).unwrap()),
            "Anna Andersson, Bertil Berg och David Dahl"
        );
    }

    #[test]
    fn the_chair_and_the_justerare_are_among_those_present() {
        let refused = |input: AttendanceInput, field: &str| {
            let errors = validate_attendance(&roster(), &input).unwrap_err();
            errors.get(field).map(str::to_string)
        };
        let base = AttendanceInput {
            present: vec![id(1), id(2)],
            chair: id(1),
            adjusters: vec![id(2)],
        };
        assert_eq!(
            refused(
                AttendanceInput {
                    present: vec![],
                    ..base.clone()
                },
                "present"
            )
            .as_deref(),
            Some("Markera vilka som var närvarande.")
        );
        assert_eq!(
            refused(
                AttendanceInput {
                    chair: id(3),
                    ..base.clone()
                },
                "chair"
            )
            .as_deref(),
            Some("Välj ordförande bland de närvarande.")
        );
        let justerare = Some(
            "Välj en eller två justerare bland de närvarande, utöver ordföranden.".to_string(),
        );
        for adjusters in [
            vec![],
            vec![id(1)],
            vec![id(3)],
            vec![id(2), id(2), id(2)],
            vec![id(9)],
        ] {
            assert_eq!(
                refused(
                    AttendanceInput {
                        adjusters: adjusters.clone(),
                        ..base.clone()
                    },
                    "adjusters"
                ),
                justerare,
                "{adjusters:?}"
            );
        }
        assert!(validate_attendance(&roster(), &base).is_ok());
    }

    #[test]
    fn a_member_needs_a_name() {
        assert!(validate_member(&MemberInput::default()).is_err());
        let member = validate_member(&MemberInput {
            name: " Anna Andersson ".into(),
            party: "S".into(),
            substitute: true,
            email: String::new(),
        })
        .unwrap();
        assert_eq!(member.name, "Anna Andersson");
        assert!(member.substitute);
        assert_eq!(member.email, None);
    }

    #[test]
    fn a_members_address_is_optional_and_checked() {
        let with = |email: &str| {
            validate_member(&MemberInput {
                name: "Anna Andersson".into(),
                email: email.into(),
                ..MemberInput::default()
            })
        };
        assert_eq!(
            with(" anna.andersson@example.se ")
                .unwrap()
                .email
                .as_deref(),
            Some("anna.andersson@example.se")
        );
        assert_eq!(with("  ").unwrap().email, None);
        for wrong in ["anna", "anna@", "anna@example", "anna andersson@example.se"] {
            assert_eq!(
                with(wrong).unwrap_err().get("email"),
                Some("Ange en e-postadress som namn@exempel.se."),
                "{wrong}"
            );
        }
    }

    #[test]
    fn only_those_present_can_be_recorded_as_taking_no_part() {
        use super::super::meeting::AbsenceReason;
        let attendees = vec![Attendee {
            name: "Anna Andersson".into(),
            party: "S".into(),
            substitute: false,
            chair: true,
            adjuster: false,
        }];
        let absent = |member: &str| {
            vec![Absence {
                member: member.into(),
                reason: AbsenceReason::Disqualified,
            }]
        };
        assert!(check_absent_were_present(&absent("Anna Andersson (S)"), &attendees).is_ok());
        assert!(check_absent_were_present(&absent("Anna Andersson"), &attendees).is_ok());
        let errors = check_absent_were_present(&absent("Bertil Berg"), &attendees).unwrap_err();
        assert_eq!(
            errors.get("absences"),
            Some("Bertil Berg finns inte bland de närvarande vid sammanträdet.")
        );
        assert!(check_absent_were_present(&absent("Bertil Berg"), &[]).is_ok());
    }
}
