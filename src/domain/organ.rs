//! Organs (nämnder and styrelser) as the admin edits them.

use super::dnr::DiariumPrefix;
use super::forms::{FieldErrors, required_text};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganInput {
    pub name: String,
    pub diarium_prefix: String,
    pub administration: String,
    pub delegation_allowed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganDetails {
    pub name: String,
    pub diarium_prefix: DiariumPrefix,
    pub administration: String,
    pub delegation_allowed: bool,
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
    errors.into_result(|| OrganDetails {
        name,
        diarium_prefix: prefix.expect("checked above"),
        administration,
        delegation_allowed: input.delegation_allowed,
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
}
