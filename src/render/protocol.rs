//! The whole protocol of a meeting (KL 5 kap. 67–69 §§): who took part, the
//! chair and the justerare, every paragraph with its yrkanden, beslutsgång, open
//! vote, decision and reservations, and the justering with the signature lines.
//!
//! It has a layout of its own (`protocol.typ`): a vote is a table of who voted
//! how, and the signatures are the justerandes. The data reaches the layout as
//! JSON, as every document's does.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{ExtractDecision, Statement};

/// The protocol of one meeting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Protocol {
    pub organ_name: String,
    /// `2027-02-16 13:00`.
    pub meeting: String,
    pub meeting_date: NaiveDate,
    pub place: String,
    /// Members and serving substitutes present, one per line, the chair first.
    pub attendance: Vec<String>,
    /// The chair, when the attendance is recorded.
    pub chair: String,
    /// The appointed justerare (besides the chair).
    pub adjusters: Vec<String>,
    pub paragraphs: Vec<ProtocolParagraph>,
    /// `None` while the protocol is not adjusted.
    pub adjustment: Option<ProtocolAdjustment>,
}

/// One § of the protocol.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProtocolParagraph {
    /// `§ 1`.
    pub label: String,
    pub title: String,
    pub dnr: String,
    /// Present members who took no part in this paragraph, with the reason:
    /// `Anna Andersson (S) (jäv)`.
    pub absent: Vec<String>,
    pub motions: Vec<Statement>,
    /// The beslutsgång, paragraph by paragraph.
    pub procedure: Vec<String>,
    /// An open vote: who voted how.
    pub votes: Vec<VoteLine>,
    /// The count and result of the vote in words.
    pub vote_result: Option<String>,
    pub decision: ExtractDecision,
    pub adjusted_at_once: bool,
    pub reservations: Vec<Statement>,
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VoteLine {
    pub member: String,
    /// `Ja`, `Nej`, `Avstår`.
    pub choice: String,
}

/// The justering of the protocol.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProtocolAdjustment {
    pub on: NaiveDate,
    pub by: String,
    /// What the protocol says of a justering after the 14 days, if it was late.
    pub late: Option<String>,
}

/// The layout's data: the protocol and what its metadata and running head say.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Layout<'a> {
    pub title: String,
    pub author: &'a str,
    pub date: Day,
    pub running: String,
    pub protocol: &'a Protocol,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub(super) struct Day {
    year: i32,
    month: u32,
    day: u32,
}

/// `Protokoll från Arbetsmarknadsnämndens sammanträde 2027-02-16 13:00`.
pub fn title(protocol: &Protocol) -> String {
    format!(
        "Protokoll från {} sammanträde {}",
        crate::domain::report::genitive(&protocol.organ_name),
        protocol.meeting
    )
}

pub(super) fn layout(protocol: &Protocol) -> Layout<'_> {
    let date = protocol.meeting_date;
    Layout {
        title: title(protocol),
        author: &protocol.organ_name,
        date: Day {
            year: date.year(),
            month: date.month(),
            day: date.day(),
        },
        running: format!("{} · Protokoll {}", protocol.organ_name, protocol.meeting),
        protocol,
    }
}

#[cfg(test)]
pub(crate) mod sample {
    use super::*;

    /// A protocol with every part filled: a vote, a reservation, a member who
    /// took no part, and a late justering.
    pub fn protocol() -> Protocol {
        let statement = |member: &str, text: &str| Statement {
            member: member.into(),
            party: "V".into(),
            text: text.into(),
        };
        Protocol {
            organ_name: "Arbetsmarknadsnämnden".into(),
            meeting: "2026-03-17 13:00".into(),
            meeting_date: NaiveDate::from_ymd_opt(2026, 3, 17).unwrap(),
            place: "Sammanträdesrummet".into(),
            attendance: vec![
                "Anna Andersson (S), ordförande".into(),
                "Bertil Berg (M)".into(),
                "Cecilia Ceder (V)".into(),
            ],
            chair: "Anna Andersson".into(),
            adjusters: vec!["Bertil Berg".into()],
            paragraphs: vec![ProtocolParagraph {
                label: "§ 12".into(),
                title: "Stockholms stads trygghetsprogram 2020-2023".into(),
                dnr: "AMN 2026/3".into(),
                absent: vec!["Bertil Berg (M) (jäv)".into()],
                motions: vec![statement("Cecilia Ceder", "Avslag.")],
                procedure: vec!["Ordföranden ställer förslagen mot varandra.".into()],
                votes: vec![
                    VoteLine {
                        member: "Anna Andersson".into(),
                        choice: "Ja".into(),
                    },
                    VoteLine {
                        member: "Cecilia Ceder".into(),
                        choice: "Nej".into(),
                    },
                ],
                vote_result: Some("Lika röstetal.".into()),
                decision: ExtractDecision::Decided {
                    points: vec!["Nämnden hänvisar till tjänsteutlåtandet.".into()],
                },
                adjusted_at_once: false,
                reservations: vec![statement("Cecilia Ceder", "Till förmån för eget yrkande.")],
                statements: Vec::new(),
            }],
            adjustment: Some(ProtocolAdjustment {
                on: NaiveDate::from_ymd_opt(2026, 4, 20).unwrap(),
                by: "Anna Andersson och Bertil Berg".into(),
                late: Some("Protokollet justerades efter fristen.".into()),
            }),
        }
    }
}
