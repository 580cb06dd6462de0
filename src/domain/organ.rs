//! Organs (nämnder and styrelser) as the admin edits them.

use super::dnr::DiariumPrefix;
use super::forms::{FieldErrors, required_text};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganInput {
    pub name: String,
    pub diarium_prefix: String,
    pub administration: String,
    pub delegation_allowed: bool,
    pub review_days: String,
    pub agenda_closing_days: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganDetails {
    pub name: String,
    pub diarium_prefix: DiariumPrefix,
    pub administration: String,
    pub delegation_allowed: bool,
    /// Lead times for planning backwards from a deadline (days).
    pub review_days: i32,
    pub agenda_closing_days: i32,
}

fn days(errors: &mut FieldErrors, field: &'static str, value: &str) -> i32 {
    match value.trim().parse::<i32>() {
        Ok(days) if (0..=90).contains(&days) => days,
        _ => {
            errors.add(field, "Ange ett antal dagar mellan 0 och 90.");
            0
        }
    }
}

pub fn validate(input: &OrganInput) -> Result<OrganDetails, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = required_text(
        &mut errors,
        "name",
        &input.name,
        200,
        "Ange organets namn.",
        "Namnet får vara högst 200 tecken.",
    );
    let administration = required_text(
        &mut errors,
        "administration",
        &input.administration,
        200,
        "Ange förvaltningens namn.",
        "Förvaltningens namn får vara högst 200 tecken.",
    );
    let prefix = DiariumPrefix::parse(&input.diarium_prefix);
    if let Err(message) = &prefix {
        errors.add("diarium_prefix", *message);
    }
    let review_days = days(&mut errors, "review_days", &input.review_days);
    let agenda_closing_days = days(
        &mut errors,
        "agenda_closing_days",
        &input.agenda_closing_days,
    );
    errors.into_result(|| OrganDetails {
        name,
        diarium_prefix: prefix.expect("checked above"),
        administration,
        delegation_allowed: input.delegation_allowed,
        review_days,
        agenda_closing_days,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> OrganInput {
        OrganInput {
            name: "Arbetsmarknadsnämnden".into(),
            diarium_prefix: "amn".into(),
            administration: "Arbetsmarknadsförvaltningen".into(),
            delegation_allowed: false,
            review_days: "7".into(),
            agenda_closing_days: "10".into(),
        }
    }

    #[test]
    fn accepts_and_normalises_an_organ() {
        let organ = validate(&input()).unwrap();
        assert_eq!(organ.diarium_prefix.as_str(), "AMN");
        assert_eq!(organ.name, "Arbetsmarknadsnämnden");
    }

    #[test]
    fn every_field_is_checked() {
        let errors = validate(&OrganInput::default()).unwrap_err();
        assert_eq!(errors.get("name"), Some("Ange organets namn."));
        assert_eq!(
            errors.get("administration"),
            Some("Ange förvaltningens namn.")
        );
        assert_eq!(errors.get("diarium_prefix"), Some("Ange diarieprefix."));
    }

    #[test]
    fn lead_times_are_whole_days_up_to_ninety() {
        let organ = validate(&input()).unwrap();
        assert_eq!((organ.review_days, organ.agenda_closing_days), (7, 10));
        for bad in ["", "-1", "91", "sju"] {
            let errors = validate(&OrganInput {
                review_days: bad.into(),
                ..input()
            })
            .unwrap_err();
            assert!(errors.get("review_days").is_some(), "{bad:?}");
        }
    }

    #[test]
    fn prefix_must_be_letters() {
        let errors = validate(&OrganInput {
            diarium_prefix: "A1".into(),
            ..input()
        })
        .unwrap_err();
        assert_eq!(
            errors.get("diarium_prefix"),
            Some("Diarieprefixet får bara innehålla bokstäver A–Ö.")
        );
    }

    #[test]
    fn names_are_normalised_and_direction_controls_refused() {
        let organ = validate(&OrganInput {
            name: "Arbetsmarknads\u{0}nämnden\u{1B}".into(),
            administration: "Arbetsmarknadsfo\u{0308}rvaltningen".into(),
            ..input()
        })
        .unwrap();
        assert_eq!(organ.name, "Arbetsmarknadsnämnden");
        assert_eq!(organ.administration, "Arbetsmarknadsförvaltningen");
        let errors = validate(&OrganInput {
            name: "\u{202E}nednmän".into(),
            ..input()
        })
        .unwrap_err();
        assert!(errors.get("name").unwrap().contains("osynliga styrtecken"));
    }
}
