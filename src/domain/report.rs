//! The tjänsteutlåtande: its sections in the reference document's order, the
//! editor's rules, and the wording its print view needs.

use serde::{Deserialize, Serialize};

use super::forms::{FieldErrors, optional_multi_line, optional_text, row_line, row_text};
use super::organ::name_in_sentence;

pub const TITLE_MAX: usize = 300;
pub const SECTION_MAX: usize = 50_000;
pub const PROPOSAL_MAX: usize = 2_000;
pub const PROPOSALS_MAX: usize = 20;
pub const SIGNATORIES_MAX: usize = 6;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    pub name: String,
    pub title: String,
}

/// The text of one revision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportContent {
    pub title: String,
    /// Förslag till beslut: the numbered points.
    pub proposals: Vec<String>,
    /// Sammanfattning.
    pub summary: String,
    /// Ärendets beredning.
    pub preparation: String,
    /// Ärendet.
    pub background: String,
    /// The administration's synpunkter och förslag.
    pub considerations: String,
    pub signatories: Vec<Signatory>,
}

/// The sections as a reader meets them, for diffs and side-by-side views:
/// (heading, text). Proposals are numbered, signatories one per line.
pub fn sections(content: &ReportContent, administration: &str) -> Vec<(String, String)> {
    let proposals = content
        .proposals
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{}. {p}", i + 1))
        .collect::<Vec<_>>()
        .join("\n");
    let signatories = content
        .signatories
        .iter()
        .map(|s| {
            if s.title.is_empty() {
                s.name.clone()
            } else {
                format!("{}, {}", s.name, s.title)
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    vec![
        ("Rubrik".to_string(), content.title.clone()),
        (
            format!("{} förslag till beslut", genitive(administration)),
            proposals,
        ),
        ("Sammanfattning".to_string(), content.summary.clone()),
        (
            "Ärendets beredning".to_string(),
            content.preparation.clone(),
        ),
        ("Ärendet".to_string(), content.background.clone()),
        (
            format!("{} synpunkter och förslag", genitive(administration)),
            content.considerations.clone(),
        ),
        ("Underskrifter".to_string(), signatories),
    ]
}

/// The paragraphs of a section, for rendering as `<p>` elements.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.trim_matches('\n').to_string())
        .filter(|p| !p.trim().is_empty())
        .collect()
}

/// The editor's form as posted, before its rules.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub title: String,
    pub proposals: Vec<String>,
    pub summary: String,
    pub preparation: String,
    pub background: String,
    pub considerations: String,
    pub signatory_names: Vec<String>,
    pub signatory_titles: Vec<String>,
}

/// Checks a save. A draft may be incomplete; only lengths are limited here (see
/// [`missing_for_submission`] for what a draft needs before review). Empty
/// proposal points and signatory rows are dropped.
pub fn validate(input: &ReportInput) -> Result<ReportContent, FieldErrors> {
    let mut errors = FieldErrors::new();
    let title = optional_text(
        &mut errors,
        "title",
        &input.title,
        TITLE_MAX,
        &format!("Rubriken får vara högst {TITLE_MAX} tecken."),
    );
    let proposals: Vec<String> = input
        .proposals
        .iter()
        .map(|p| row_text(&mut errors, "proposals", p))
        .filter(|p| !p.is_empty())
        .collect();
    if proposals.len() > PROPOSALS_MAX {
        errors.add(
            "proposals",
            format!("Högst {PROPOSALS_MAX} beslutspunkter."),
        );
    }
    if proposals.iter().any(|p| p.chars().count() > PROPOSAL_MAX) {
        errors.add(
            "proposals",
            format!("En beslutspunkt får vara högst {PROPOSAL_MAX} tecken."),
        );
    }
    let mut section = |field: &'static str, value: &str, label: &str| {
        optional_multi_line(
            &mut errors,
            field,
            value,
            SECTION_MAX,
            &format!("{label} får vara högst {SECTION_MAX} tecken."),
        )
    };
    let summary = section("summary", &input.summary, "Sammanfattningen");
    let preparation = section("preparation", &input.preparation, "Ärendets beredning");
    let background = section("background", &input.background, "Ärendet");
    let considerations = section(
        "considerations",
        &input.considerations,
        "Synpunkter och förslag",
    );

    let mut signatories = Vec::new();
    for (i, name) in input.signatory_names.iter().enumerate() {
        let name = row_line(&mut errors, "signatories", name);
        let title = input
            .signatory_titles
            .get(i)
            .map(|t| row_line(&mut errors, "signatories", t))
            .unwrap_or_default();
        if name.is_empty() && title.is_empty() {
            continue;
        }
        if name.is_empty() {
            errors.add(
                "signatories",
                "Ange namn på varje undertecknare som har en titel.",
            );
        }
        if name.chars().count() > 200 || title.chars().count() > 200 {
            errors.add("signatories", "Namn och titel får vara högst 200 tecken.");
        }
        signatories.push(Signatory { name, title });
    }
    if signatories.len() > SIGNATORIES_MAX {
        errors.add(
            "signatories",
            format!("Högst {SIGNATORIES_MAX} undertecknare."),
        );
    }
    errors.into_result(|| ReportContent {
        title,
        proposals,
        summary,
        preparation,
        background,
        considerations,
        signatories,
    })
}

/// What a draft lacks before it can go to review, as Swedish messages.
pub fn missing_for_submission(content: &ReportContent) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if content.title.trim().is_empty() {
        missing.push("Tjänsteutlåtandet saknar rubrik.");
    }
    if content.proposals.is_empty() {
        missing.push("Tjänsteutlåtandet saknar förslag till beslut.");
    }
    if content.summary.trim().is_empty() {
        missing.push("Tjänsteutlåtandet saknar sammanfattning.");
    }
    if content.considerations.trim().is_empty() {
        missing.push("Tjänsteutlåtandet saknar förvaltningens synpunkter och förslag.");
    }
    if content.signatories.is_empty() {
        missing.push("Tjänsteutlåtandet saknar undertecknare.");
    }
    missing
}

/// The first draft of a new case: the remiss's title and the usual decision.
pub fn first_draft(referral_title: &str, organ_name: &str, administration: &str) -> ReportContent {
    ReportContent {
        title: referral_title.to_string(),
        proposals: vec![standard_decision(organ_name)],
        preparation: format!(
            "Ärendet har beretts inom {}.",
            name_in_sentence(administration, true)
        ),
        ..ReportContent::default()
    }
}

/// The decision by which a board adopts its administration's report as its answer,
/// worded as in the reference document.
pub fn standard_decision(organ_name: &str) -> String {
    format!(
        "{organ_name} beslutar att hänvisa till förvaltningens tjänsteutlåtande som sitt yttrande över remissen."
    )
}

/// Swedish genitive: `Arbetsmarknadsförvaltningen` → `Arbetsmarknadsförvaltningens`;
/// names ending in s, x or z take no extra s.
pub fn genitive(name: &str) -> String {
    match name.chars().last() {
        Some('s' | 'x' | 'z' | 'S' | 'X' | 'Z') | None => name.to_string(),
        Some(_) => format!("{name}s"),
    }
}

/// The line above the signatures of a board's yttrande: `På arbetsmarknadsnämndens
/// vägnar`.
pub fn on_behalf_of(organ_name: &str) -> String {
    format!(
        "På {} vägnar",
        genitive(&name_in_sentence(organ_name, true))
    )
}

/// The report's second heading line: `Remiss från kommunstyrelsen dnr KS 2019/1939`,
/// `Remiss från Finansdepartementet dnr Fi2025/00871`. `sender_is_own_organ`: the
/// sender is one of the municipality's own organs (see [`name_in_sentence`]).
pub fn referral_line(sender_name: &str, sender_is_own_organ: bool, sender_dnr: &str) -> String {
    let sender = name_in_sentence(sender_name, sender_is_own_organ);
    if sender_dnr.trim().is_empty() {
        format!("Remiss från {sender}")
    } else {
        format!("Remiss från {sender} dnr {}", sender_dnr.trim())
    }
}

/// Nouns that name the document sent on remiss: a title that starts with one is
/// answered "över" it directly (`Yttrande över betänkandet …`).
const REFERRED_DOCUMENTS: [&str; 11] = [
    "betänkandet",
    "delbetänkandet",
    "slutbetänkandet",
    "promemorian",
    "departementspromemorian",
    "förslaget",
    "förslag",
    "utkastet",
    "rapporten",
    "programmet",
    "lagrådsremissen",
];

/// The yttrande's heading from the remiss's title, never doubling the word remiss:
/// `Remiss av betänkandet X` → `Yttrande över betänkandet X`, `Remiss om X` →
/// `Yttrande över remissen om X`, `Remiss – X` → `Yttrande över remissen X`,
/// `Promemorian X` → `Yttrande över promemorian X`, any other title `X` →
/// `Yttrande över remissen X`.
pub fn reply_heading(referral_title: &str) -> String {
    let title = referral_title.trim();
    let separators = |c: char| c.is_whitespace() || matches!(c, ':' | '-' | '–' | '—' | ',');
    let rest = leading_word(title, &["remiss", "remissen"])
        .map(|rest| rest.trim_start_matches(separators));
    let (rest, referred_by_name) = match rest {
        Some(rest) => match leading_word(rest, &["av"]) {
            Some(object) => (object.trim_start(), true),
            None => (rest, false),
        },
        None => (title, false),
    };
    let first_word = rest.split_whitespace().next().unwrap_or_default();
    let document_noun = REFERRED_DOCUMENTS
        .iter()
        .any(|noun| first_word.to_lowercase() == *noun);
    if document_noun {
        let mut chars = rest.chars();
        let first = chars.next().into_iter().flat_map(char::to_lowercase);
        format!("Yttrande över {}", first.chain(chars).collect::<String>())
    } else if referred_by_name {
        format!("Yttrande över {rest}")
    } else {
        format!("Yttrande över remissen {rest}")
    }
}

/// What follows `text`'s first word when that word is one of `words` (in any
/// case), or None.
fn leading_word<'a>(text: &'a str, words: &[&str]) -> Option<&'a str> {
    let end = text
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(text.len());
    let (word, rest) = text.split_at(end);
    words
        .iter()
        .any(|w| word.to_lowercase() == *w)
        .then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reply_heading_never_doubles_the_word_remiss() {
        for (title, heading) in [
            (
                "Remiss av betänkandet Framtidens socialtjänst (SOU 2020:47)",
                "Yttrande över betänkandet Framtidens socialtjänst (SOU 2020:47)",
            ),
            (
                "Remiss av promemorian Skärpta regler för bidrag (Fi2025/00871)",
                "Yttrande över promemorian Skärpta regler för bidrag (Fi2025/00871)",
            ),
            (
                "Remiss av Stockholms stads trygghetsprogram 2020-2023",
                "Yttrande över Stockholms stads trygghetsprogram 2020-2023",
            ),
            (
                "Remiss om en ny idrottspolicy",
                "Yttrande över remissen om en ny idrottspolicy",
            ),
            (
                "Remiss – Regional utvecklingsstrategi för Stockholmsregionen",
                "Yttrande över remissen Regional utvecklingsstrategi för Stockholmsregionen",
            ),
            (
                "Remiss: Förslag till avfallsplan 2027-2030",
                "Yttrande över förslag till avfallsplan 2027-2030",
            ),
            (
                "REMISS - Departementspromemorian Ds 2025:3",
                "Yttrande över departementspromemorian Ds 2025:3",
            ),
            (
                "Remissen om kollektivtrafiken",
                "Yttrande över remissen om kollektivtrafiken",
            ),
            (
                "Promemorian Ett förbättrat stöd till arbetssökande",
                "Yttrande över promemorian Ett förbättrat stöd till arbetssökande",
            ),
            (
                "Stockholms stads trygghetsprogram 2020-2023",
                "Yttrande över remissen Stockholms stads trygghetsprogram 2020-2023",
            ),
            // A word that only starts like remiss is the title's own.
            (
                "Remisshantering i staden",
                "Yttrande över remissen Remisshantering i staden",
            ),
            (
                "Avgifter av betydelse",
                "Yttrande över remissen Avgifter av betydelse",
            ),
        ] {
            assert_eq!(reply_heading(title), heading, "{title}");
        }
    }

    fn input() -> ReportInput {
        ReportInput {
            title: "Stockholms stads trygghetsprogram 2020-2023".into(),
            proposals: vec!["Arbetsmarknadsnämnden beslutar att hänvisa till förvaltningens tjänsteutlåtande som sitt yttrande över remissen.".into(), "  ".into()],
            summary: "Kommunstyrelsen har remitterat ärendet.\r\n\r\nAndra stycket.  \r\n".into(),
            preparation: String::new(),
            background: String::new(),
            considerations: "Förvaltningen är positiv.".into(),
            signatory_names: vec!["Karina Uddén".into(), "Karin Eriksson-Bech".into(), "".into()],
            signatory_titles: vec!["arbetsmarknadsdirektör".into(), "utvecklingschef".into(), "".into()],
        }
    }

    #[test]
    fn a_save_normalises_text_and_drops_empty_rows() {
        let content = validate(&input()).unwrap();
        assert_eq!(content.proposals.len(), 1);
        assert_eq!(
            content.summary,
            "Kommunstyrelsen har remitterat ärendet.\n\nAndra stycket."
        );
        assert_eq!(content.signatories.len(), 2);
        assert_eq!(content.signatories[1].title, "utvecklingschef");
    }

    #[test]
    fn a_draft_may_be_incomplete_but_not_submitted_so() {
        let empty = validate(&ReportInput::default()).unwrap();
        assert_eq!(missing_for_submission(&empty).len(), 5);
        assert!(missing_for_submission(&validate(&input()).unwrap()).is_empty());
    }

    #[test]
    fn lengths_are_limited() {
        let long = ReportInput {
            summary: "x".repeat(SECTION_MAX + 1),
            title: "y".repeat(TITLE_MAX + 1),
            ..input()
        };
        let errors = validate(&long).unwrap_err();
        assert!(errors.get("summary").is_some());
        assert!(errors.get("title").is_some());
        let many = ReportInput {
            proposals: vec!["p".into(); PROPOSALS_MAX + 1],
            ..input()
        };
        assert!(validate(&many).unwrap_err().get("proposals").is_some());
    }

    #[test]
    fn a_signatory_needs_a_name() {
        let nameless = ReportInput {
            signatory_names: vec!["".into()],
            signatory_titles: vec!["direktör".into()],
            ..input()
        };
        assert!(
            validate(&nameless)
                .unwrap_err()
                .get("signatories")
                .is_some()
        );
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        assert_eq!(
            paragraphs("Ett.\nSamma stycke.\n\nTvå.\n\n\n"),
            vec!["Ett.\nSamma stycke.", "Två."]
        );
        assert!(paragraphs("").is_empty());
    }

    #[test]
    fn swedish_genitive_and_sentence_case() {
        assert_eq!(
            genitive("Arbetsmarknadsförvaltningen"),
            "Arbetsmarknadsförvaltningens"
        );
        assert_eq!(genitive("Stadsledningskontoret"), "Stadsledningskontorets");
        assert_eq!(
            genitive("Länsstyrelsen i Stockholms län"),
            "Länsstyrelsen i Stockholms läns"
        );
        assert_eq!(
            genitive("Kommunrevisionens kansli"),
            "Kommunrevisionens kanslis"
        );
        assert_eq!(genitive("Vattenfall AB:s"), "Vattenfall AB:s");
    }

    #[test]
    fn the_reference_headings() {
        assert_eq!(
            referral_line("Kommunstyrelsen", true, "KS 2019/1939"),
            "Remiss från kommunstyrelsen dnr KS 2019/1939"
        );
        assert_eq!(
            referral_line(
                "Landsbygds- och infrastrukturdepartementet",
                false,
                " LI2025/01842 "
            ),
            "Remiss från Landsbygds- och infrastrukturdepartementet dnr LI2025/01842"
        );
        assert_eq!(referral_line("SKR", false, ""), "Remiss från SKR");
        assert_eq!(
            standard_decision("Arbetsmarknadsnämnden"),
            "Arbetsmarknadsnämnden beslutar att hänvisa till förvaltningens tjänsteutlåtande som sitt yttrande över remissen."
        );
        let headings: Vec<String> =
            sections(&ReportContent::default(), "Arbetsmarknadsförvaltningen")
                .into_iter()
                .map(|(h, _)| h)
                .collect();
        assert_eq!(
            headings,
            vec![
                "Rubrik",
                "Arbetsmarknadsförvaltningens förslag till beslut",
                "Sammanfattning",
                "Ärendets beredning",
                "Ärendet",
                "Arbetsmarknadsförvaltningens synpunkter och förslag",
                "Underskrifter"
            ]
        );
    }

    #[test]
    fn a_first_draft_proposes_the_standard_decision() {
        let draft = first_draft(
            "Trygghetsprogram",
            "Arbetsmarknadsnämnden",
            "Arbetsmarknadsförvaltningen",
        );
        assert_eq!(
            draft.proposals,
            vec![standard_decision("Arbetsmarknadsnämnden")]
        );
        assert_eq!(
            draft.preparation,
            "Ärendet har beretts inom arbetsmarknadsförvaltningen."
        );
    }

    #[test]
    fn every_field_of_the_editor_is_normalised() {
        let content = validate(&ReportInput {
            title: "Rubrik\u{0}\r\nmed\u{0B}rad".into(),
            proposals: vec!["Punkt\u{1B} ett\r\nfortsätter".into(), "\u{200B}".into()],
            summary: "Stycke\u{8}.\r\n\r\n\tIndraget.".into(),
            signatory_names: vec!["Karina\u{0} Uddén".into()],
            signatory_titles: vec!["direkto\u{0308}r".into()],
            ..input()
        })
        .unwrap();
        assert_eq!(content.title, "Rubrik med rad");
        assert_eq!(content.proposals, vec!["Punkt ett\nfortsätter".to_string()]);
        assert_eq!(content.summary, "Stycke.\n\n\tIndraget.");
        assert_eq!(content.signatories[0].name, "Karina Uddén");
        assert_eq!(content.signatories[0].title, "direktör");
    }

    #[test]
    fn direction_controls_are_refused_in_every_field_of_the_editor() {
        let spoof = "Avtal \u{202E}fdp.exe".to_string();
        let cases: Vec<(&str, ReportInput)> = vec![
            (
                "title",
                ReportInput {
                    title: spoof.clone(),
                    ..input()
                },
            ),
            (
                "proposals",
                ReportInput {
                    proposals: vec![spoof.clone()],
                    ..input()
                },
            ),
            (
                "summary",
                ReportInput {
                    summary: spoof.clone(),
                    ..input()
                },
            ),
            (
                "preparation",
                ReportInput {
                    preparation: spoof.clone(),
                    ..input()
                },
            ),
            (
                "background",
                ReportInput {
                    background: spoof.clone(),
                    ..input()
                },
            ),
            (
                "considerations",
                ReportInput {
                    considerations: spoof.clone(),
                    ..input()
                },
            ),
            (
                "signatories",
                ReportInput {
                    signatory_names: vec![spoof.clone()],
                    ..input()
                },
            ),
            (
                "signatories",
                ReportInput {
                    signatory_titles: vec![spoof.clone()],
                    ..input()
                },
            ),
        ];
        for (field, input) in cases {
            let errors = validate(&input).unwrap_err();
            assert!(
                errors.get(field).unwrap().contains("osynliga styrtecken"),
                "{field}"
            );
        }
    }
}
