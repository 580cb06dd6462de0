//! The documents a board sends and files: the tjänsteutlåtande, the
//! protokollsutdrag of one § and the yttrande, rendered to bytes.
//!
//! Plain data in, bytes out: accessible PDF (PDF/UA-1 and PDF/A-2a at once, laid
//! out by typst, see [`pdf`]) and Word (DOCX, with real heading styles and
//! numbered lists, see [`docx`]). Depends on `domain` only: no database, no HTTP,
//! no async. Rendering is CPU work; callers run it off the async threads.
//!
//! A use case that must keep what it sent (issue 13's document store) calls
//! [`pdf::report`], [`pdf::reply`] or [`pdf::extract`] inside its transaction with
//! the data it has just read, and stores the returned bytes: the functions are pure
//! and deterministic (the same data gives the same bytes), and take no connection.

mod blocks;
pub mod docx;
pub mod file_name;
pub mod pdf;
pub mod protocol;
mod text;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use file_name::file_name;

/// What the first page's header block tells about the case.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    /// The board: `Arbetsmarknadsnämnden`.
    pub organ: String,
    /// Its administration: `Arbetsmarknadsförvaltningen`.
    pub administration: String,
    /// The case's diarienummer: `AMN 2020/123`.
    pub dnr: String,
    /// The document's date.
    pub date: NaiveDate,
    /// The handläggare, for the contact line.
    pub officer: Option<Person>,
}

/// A person with a title: a handläggare, a signatory.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Person {
    /// Empty where the name is not known (a signature line left for the pen).
    pub name: String,
    /// `arbetsmarknadsdirektör`, `Ordförande`.
    pub title: String,
    /// The handläggare's address for the contact line; empty for a signatory.
    #[serde(default)]
    pub email: String,
}

/// Who sent the remiss, as the referral line names it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sender {
    pub name: String,
    /// The sender's own diarienummer ("Er referens"); may be empty.
    pub reference: String,
    /// One of the municipality's own organs (written in lower case inside a
    /// sentence, as the reference document does: "Remiss från kommunstyrelsen");
    /// an outside body keeps its name as written ("Remiss från Finansdepartementet").
    pub municipal: bool,
}

/// The text of a tjänsteutlåtande, in the reference document's order. Sections
/// are lists of paragraphs; a paragraph may hold single line breaks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportBody {
    pub title: String,
    pub sender: Sender,
    /// Förslag till beslut, numbered.
    pub proposals: Vec<String>,
    pub summary: Vec<String>,
    pub preparation: Vec<String>,
    pub background: Vec<String>,
    pub considerations: Vec<String>,
    pub signatories: Vec<Person>,
    /// The titles of its bilagor.
    pub attachments: Vec<String>,
}

/// The tjänsteutlåtande as a document of its own.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub header: Header,
    /// `Utkast – arbetsmaterial` for a draft; `None` for the version decided on.
    pub status: Option<String>,
    pub body: ReportBody,
}

/// A member's reservation or special statement.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Statement {
    pub member: String,
    pub party: String,
    pub text: String,
}

/// What the board decided on the § of a protokollsutdrag.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExtractDecision {
    /// The numbered decision points (the proposals, or the amended text).
    Decided { points: Vec<String> },
    /// Återremiss, with its reason.
    ReferredBack { reason: Vec<String> },
    /// Bordläggning, with its reason.
    Tabled { reason: Vec<String> },
}

/// The justering of the minutes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Adjustment {
    pub on: NaiveDate,
    pub by: String,
    /// Who certifies the extract ("Rätt utdraget intygar").
    pub certified_by: String,
}

/// The protokollsutdrag of one §.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Extract {
    /// `date` is the meeting's day.
    pub header: Header,
    /// `2020-03-17 13:00`.
    pub meeting: String,
    pub place: String,
    /// `§ 12`.
    pub paragraph: String,
    /// The case's title (the remiss's).
    pub title: String,
    pub attendance: Vec<String>,
    pub decision: ExtractDecision,
    pub reservations: Vec<Statement>,
    pub statements: Vec<Statement>,
    /// `None` while the minutes are not adjusted.
    pub adjustment: Option<Adjustment>,
}

/// The kallelse with its föredragningslista.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Agenda {
    pub organ_name: String,
    /// `2027-02-16 13:00`.
    pub meeting: String,
    pub meeting_date: NaiveDate,
    pub place: String,
    pub items: Vec<AgendaPoint>,
}

/// One item of the föredragningslista.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgendaPoint {
    pub number: i32,
    pub dnr: String,
    pub title: String,
    /// The handläggare, or empty.
    pub officer: String,
    pub proposals: Vec<String>,
}

/// How the decision behind a yttrande was taken.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecidedAt {
    /// At a meeting: `2020-03-17 13:00`, `§ 1`.
    Meeting { when: String, paragraph: String },
    /// By an official under delegation.
    Delegation {
        reference: String,
        by: String,
        on: NaiveDate,
    },
}

/// The yttrande: the board's decision, sent to the remiss's sender with the
/// tjänsteutlåtande decided on as its bilaga.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reply {
    /// `date` is the decision's.
    pub header: Header,
    /// The remiss's title.
    pub referral_title: String,
    /// Who receives it ("Till").
    pub recipient: String,
    pub decided_at: DecidedAt,
    /// The decision points.
    pub decision: Vec<String>,
    pub reservations: Vec<Statement>,
    pub dispatched_on: Option<NaiveDate>,
    /// Ordförande and sekreterare (or the delegate).
    pub signatures: Vec<Person>,
    /// The tjänsteutlåtande decided on.
    pub report: ReportBody,
}

/// A rendering that failed: a fault in the template or the engine, never in the
/// user's text (which reaches the layout as data).
#[derive(Debug, thiserror::Error)]
#[error("rendering {document} failed: {message}")]
pub struct RenderError {
    pub document: &'static str,
    pub message: String,
}

/// The document as a reader outside the case's organ gets it: whatever looks like
/// a personnummer masked in every text, as the print views and the public diarium
/// do (`domain::personal_data::mask`).
pub fn masked<T: Serialize + DeserializeOwned>(document: &T) -> T {
    fn mask_strings(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => *s = crate::domain::personal_data::mask(s).0,
            serde_json::Value::Array(items) => items.iter_mut().for_each(mask_strings),
            serde_json::Value::Object(fields) => fields.values_mut().for_each(mask_strings),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(document).expect("documents serialise");
    mask_strings(&mut value);
    serde_json::from_value(value).expect("masking keeps the document's shape")
}

/// The report's second heading line: `Remiss från kommunstyrelsen dnr KS 2019/1939`,
/// `Remiss från Finansdepartementet dnr Fi2025/01842`.
pub fn referral_line(sender: &Sender) -> String {
    crate::domain::report::referral_line(&sender.name, sender.municipal, &sender.reference)
}

/// `Yttrande över remissen Stockholms stads trygghetsprogram 2020-2023`,
/// `Yttrande över betänkandet …` (see [`crate::domain::report::reply_heading`]).
pub fn reply_title(referral_title: &str) -> String {
    crate::domain::report::reply_heading(referral_title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_municipal_sender_is_lower_case_in_the_sentence_an_outside_body_is_not() {
        let organ = Sender {
            name: "Kommunstyrelsen".into(),
            reference: "KS 2019/1939".into(),
            municipal: true,
        };
        assert_eq!(
            referral_line(&organ),
            "Remiss från kommunstyrelsen dnr KS 2019/1939"
        );
        let ministry = Sender {
            name: "Finansdepartementet".into(),
            reference: " ".into(),
            municipal: false,
        };
        assert_eq!(referral_line(&ministry), "Remiss från Finansdepartementet");
    }

    #[test]
    fn masking_reaches_every_text_and_keeps_the_rest() {
        let mut reply = sample::reply("Om 19121212-1212");
        reply.reservations[0].text = "Gäller 191212121212 och 121212-1212.".into();
        reply
            .report
            .summary
            .push("Personen 20121212+1212 nämns.".into());
        let masked = masked(&reply);
        let text = serde_json::to_string(&masked).unwrap();
        for personnummer in [
            "19121212-1212",
            "191212121212",
            "121212-1212",
            "20121212+1212",
        ] {
            assert!(!text.contains(personnummer), "{personnummer} in {text}");
        }
        assert_eq!(masked.header.dnr, "AMN 2026/3");
        assert_eq!(masked.dispatched_on, reply.dispatched_on);
        assert_eq!(masked.report.proposals, reply.report.proposals);
    }
}

/// Documents with every part filled, for the tests.
#[cfg(test)]
pub(crate) mod sample {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    pub fn header() -> Header {
        Header {
            organ: "Arbetsmarknadsnämnden".into(),
            administration: "Arbetsmarknadsförvaltningen".into(),
            dnr: "AMN 2026/3".into(),
            date: date(2026, 2, 17),
            officer: Some(Person {
                name: "Karin Andersson".into(),
                title: "utredare".into(),
                email: "karin.andersson@example.se".into(),
            }),
        }
    }

    pub fn body(title: &str) -> ReportBody {
        ReportBody {
            title: title.into(),
            sender: Sender {
                name: "Finansdepartementet".into(),
                reference: "Fi2025/01842".into(),
                municipal: false,
            },
            proposals: vec![
                "Arbetsmarknadsnämnden beslutar att hänvisa till förvaltningens tjänsteutlåtande som sitt yttrande över remissen.".into(),
                "Paragrafen justeras omedelbart.".into(),
            ],
            summary: vec!["Första stycket.".into(), "Andra stycket,\nmed en radbrytning.".into()],
            preparation: vec!["Ärendet har beretts inom förvaltningen.".into()],
            background: vec!["Bakgrunden.".into()],
            considerations: vec!["Förvaltningen är positiv.".into()],
            signatories: vec![
                Person { name: "Karina Uddén".into(), title: "arbetsmarknadsdirektör".into(), ..Person::default() },
                Person { name: "Karin Eriksson-Bech".into(), title: "utvecklingschef".into(), ..Person::default() },
            ],
            attachments: vec!["Remissen".into()],
        }
    }

    pub fn report(title: &str) -> Report {
        Report {
            header: header(),
            status: Some("Utkast – arbetsmaterial".into()),
            body: body(title),
        }
    }

    pub fn reply(title: &str) -> Reply {
        Reply {
            header: header(),
            referral_title: title.into(),
            recipient: "Finansdepartementet".into(),
            decided_at: DecidedAt::Meeting {
                when: "2026-03-17 13:00".into(),
                paragraph: "§ 12".into(),
            },
            decision: body(title).proposals,
            reservations: vec![Statement {
                member: "Anna Berg".into(),
                party: "V".into(),
                text: "Vi yrkade avslag.".into(),
            }],
            dispatched_on: Some(date(2026, 3, 24)),
            signatures: vec![
                Person {
                    name: "Olle Ordförande".into(),
                    title: "Ordförande".into(),
                    ..Person::default()
                },
                Person {
                    name: "Sara Sekreterare".into(),
                    title: "Sekreterare".into(),
                    ..Person::default()
                },
            ],
            report: body(title),
        }
    }

    pub fn extract(title: &str) -> Extract {
        Extract {
            header: header(),
            meeting: "2026-03-17 13:00".into(),
            place: "Sammanträdesrummet".into(),
            paragraph: "§ 12".into(),
            title: title.into(),
            attendance: vec!["Ledamöter: alla.".into()],
            decision: ExtractDecision::Decided {
                points: body(title).proposals,
            },
            reservations: vec![Statement {
                member: "Anna Berg".into(),
                party: "V".into(),
                text: "Vi yrkade avslag.".into(),
            }],
            statements: Vec::new(),
            adjustment: Some(Adjustment {
                on: date(2026, 3, 20),
                by: "Ordföranden och justerande ledamot".into(),
                certified_by: "Sara Sekreterare".into(),
            }),
        }
    }
}
