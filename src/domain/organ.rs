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

/// How a body's name is written inside a sentence ("remiss från …", "yttrande till
/// …"). The municipality's own organs are common nouns in Swedish and take a small
/// letter there: `Kommunstyrelsen` → `kommunstyrelsen`, `Östermalms
/// stadsdelsnämnd` → `östermalms stadsdelsnämnd`. Outside bodies keep their
/// proper names as written: `Finansdepartementet`, `Länsstyrelsen i Stockholms
/// län`, `SKR`. Only the first letter changes, and not in an abbreviation (`AMN`,
/// `KS-förvaltningen`), which is written in capitals wherever it stands.
pub fn name_in_sentence(name: &str, own_organ: bool) -> String {
    let name = name.trim();
    let mut chars = name.chars();
    let (Some(first), second) = (chars.next(), chars.next()) else {
        return String::new();
    };
    let abbreviation = second.is_some_and(|c| c.is_uppercase() || c == '-' || c.is_ascii_digit());
    if !own_organ || abbreviation {
        return name.to_string();
    }
    first.to_lowercase().chain(name.chars().skip(1)).collect()
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

    #[test]
    fn own_organs_take_a_small_letter_inside_a_sentence_and_outside_bodies_keep_theirs() {
        for (name, own, in_sentence) in [
            ("Kommunstyrelsen", true, "kommunstyrelsen"),
            ("Arbetsmarknadsnämnden", true, "arbetsmarknadsnämnden"),
            (
                "Östermalms stadsdelsnämnd",
                true,
                "östermalms stadsdelsnämnd",
            ),
            ("Äldrenämnden", true, "äldrenämnden"),
            (" Socialnämnden ", true, "socialnämnden"),
            // Abbreviations keep their capitals even for our own organs.
            ("KS", true, "KS"),
            ("AMN-utskottet", true, "AMN-utskottet"),
            ("KS-förvaltningen", true, "KS-förvaltningen"),
            ("K2-nämnden", true, "K2-nämnden"),
            // Outside bodies keep their proper names.
            ("Finansdepartementet", false, "Finansdepartementet"),
            (
                "Landsbygds- och infrastrukturdepartementet",
                false,
                "Landsbygds- och infrastrukturdepartementet",
            ),
            (
                "Länsstyrelsen i Stockholms län",
                false,
                "Länsstyrelsen i Stockholms län",
            ),
            ("SKR", false, "SKR"),
            (
                "Kommunstyrelsen i Nacka kommun",
                false,
                "Kommunstyrelsen i Nacka kommun",
            ),
            ("", true, ""),
            ("X", true, "x"),
        ] {
            assert_eq!(
                name_in_sentence(name, own),
                in_sentence,
                "{name:?} own: {own}"
            );
        }
    }
}
