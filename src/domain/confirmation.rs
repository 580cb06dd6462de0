//! What a step just did, said on the page the step redirects to.
//!
//! A form that succeeds redirects (post/redirect/get), so the page it lands on
//! learns what happened from the request (`klart=tilldelat`, see
//! `web::confirmation`). Only these fixed keys are read, and the words come from
//! here and from the record, never from the request, so a crafted request can
//! make a page say nothing but these.

/// A step that was just taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    Registered,
    Assigned,
    Submitted,
    Approved,
    Returned,
    Decided,
    DecidedByDelegation,
    Dispatched,
}

impl Confirmation {
    pub const ALL: [Confirmation; 8] = [
        Confirmation::Registered,
        Confirmation::Assigned,
        Confirmation::Submitted,
        Confirmation::Approved,
        Confirmation::Returned,
        Confirmation::Decided,
        Confirmation::DecidedByDelegation,
        Confirmation::Dispatched,
    ];

    /// The value the page reads.
    pub fn key(self) -> &'static str {
        match self {
            Confirmation::Registered => "registrerad",
            Confirmation::Assigned => "tilldelat",
            Confirmation::Submitted => "granskning",
            Confirmation::Approved => "godkant",
            Confirmation::Returned => "atersant",
            Confirmation::Decided => "beslut",
            Confirmation::DecidedByDelegation => "delegationsbeslut",
            Confirmation::Dispatched => "expedierat",
        }
    }

    /// The key read back; anything else is no confirmation.
    pub fn parse(key: &str) -> Option<Confirmation> {
        Confirmation::ALL.into_iter().find(|c| c.key() == key)
    }

    /// The sentence shown, with `detail` from the record where the step has one:
    /// the new case numbers of a registration, the officer of an assignment.
    pub fn message_sv(self, detail: Option<&str>) -> String {
        let detail = detail.map(str::trim).filter(|d| !d.is_empty());
        match (self, detail) {
            (Confirmation::Registered, Some(numbers)) => {
                format!("Remissen är registrerad: {numbers}.")
            }
            (Confirmation::Registered, None) => "Remissen är registrerad.".into(),
            (Confirmation::Assigned, Some(officer)) => format!("Ärendet är tilldelat {officer}."),
            (Confirmation::Assigned, None) => "Ärendet är tilldelat.".into(),
            (Confirmation::Submitted, _) => "Utkastet är skickat för granskning.".into(),
            (Confirmation::Approved, _) => "Tjänsteutlåtandet är godkänt.".into(),
            (Confirmation::Returned, _) => "Utkastet är återsänt till handläggaren.".into(),
            (Confirmation::Decided, _) => "Beslutet är protokollfört.".into(),
            (Confirmation::DecidedByDelegation, _) => "Delegationsbeslutet är fattat.".into(),
            (Confirmation::Dispatched, _) => "Yttrandet är expedierat.".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_reads_back_and_nothing_else_does() {
        for confirmation in Confirmation::ALL {
            assert_eq!(Confirmation::parse(confirmation.key()), Some(confirmation));
        }
        for stranger in [
            "",
            "Registrerad",
            "registrerad ",
            "<script>",
            "tilldelat&x=1",
        ] {
            assert_eq!(Confirmation::parse(stranger), None, "{stranger}");
        }
    }

    #[test]
    fn each_step_is_confirmed_in_its_own_words() {
        let messages: Vec<String> = Confirmation::ALL
            .into_iter()
            .map(|c| c.message_sv(None))
            .collect();
        assert_eq!(
            messages,
            [
                "Remissen är registrerad.",
                "Ärendet är tilldelat.",
                "Utkastet är skickat för granskning.",
                "Tjänsteutlåtandet är godkänt.",
                "Utkastet är återsänt till handläggaren.",
                "Beslutet är protokollfört.",
                "Delegationsbeslutet är fattat.",
                "Yttrandet är expedierat.",
            ]
        );
        assert_eq!(
            Confirmation::Registered.message_sv(Some("AMN 2026/12, SN 2026/7")),
            "Remissen är registrerad: AMN 2026/12, SN 2026/7."
        );
        assert_eq!(
            Confirmation::Assigned.message_sv(Some("Hanna Lindqvist")),
            "Ärendet är tilldelat Hanna Lindqvist."
        );
        assert_eq!(
            Confirmation::Assigned.message_sv(Some("  ")),
            "Ärendet är tilldelat."
        );
        assert_eq!(
            Confirmation::Submitted.message_sv(Some("ignored")),
            "Utkastet är skickat för granskning."
        );
    }
}
