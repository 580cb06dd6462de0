//! Each document as a sequence of blocks (headings, paragraphs, numbered lists,
//! signatures), decided here once; the PDF and the DOCX lay out the same
//! sequence, so both read the same, in the same order.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{
    Agenda, DecidedAt, Extract, ExtractDecision, Header, Person, Reply, Report, ReportBody,
    Statement, referral_line, reply_title,
};
use crate::domain::report::{genitive, on_behalf_of};

/// One document, ready to lay out.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// The document's title in its metadata (what a screen reader announces).
    pub title: String,
    /// Its author in the metadata: the administration or the board.
    pub author: String,
    pub date: Date,
    /// The running head of every page, beside the page number.
    pub running: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Self {
        Date {
            year: date.year(),
            month: date.month(),
            day: date.day(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// The first page's header block: who issues it, what it is, the facts.
    Letterhead {
        issuer: String,
        issuer_lines: Vec<String>,
        kind: String,
        facts: Vec<Fact>,
        status: Option<String>,
    },
    Heading {
        level: u8,
        text: String,
    },
    /// The line under a title (`Remiss från kommunstyrelsen dnr KS 2019/1939`).
    Subtitle {
        text: String,
    },
    /// A paragraph, with a bold lead-in where it names someone.
    Paragraph {
        lead: Option<String>,
        text: String,
    },
    Numbered {
        items: Vec<String>,
    },
    Signatures {
        on_behalf: Option<String>,
        people: Vec<Person>,
    },
    PageBreak,
}

/// The kallelse: the meeting's time and place, then every item with its dnr,
/// handläggare and proposal.
pub fn agenda(agenda: &Agenda) -> Document {
    let organ = genitive(&agenda.organ_name);
    let title = format!("Kallelse till {organ} sammanträde {}", agenda.meeting);
    let mut blocks = vec![
        Block::Letterhead {
            issuer: agenda.organ_name.clone(),
            issuer_lines: Vec::new(),
            kind: "Kallelse".into(),
            facts: vec![fact("Tid", &agenda.meeting), fact("Plats", &agenda.place)],
            status: None,
        },
        heading(1, &title),
        paragraph(format!(
            "Ledamöterna kallas till sammanträde {}, {}. Ersättare underrättas.",
            agenda.meeting, agenda.place
        )),
        heading(2, "Föredragningslista"),
    ];
    if agenda.items.is_empty() {
        blocks.push(paragraph("Inga ärenden är uppförda ännu."));
    }
    for item in &agenda.items {
        blocks.push(heading(3, format!("{}. {}", item.number, item.title)));
        let officer = if item.officer.is_empty() {
            String::new()
        } else {
            format!(" · Handläggare {}", item.officer)
        };
        blocks.push(Block::Subtitle {
            text: format!("Dnr {}{officer}", item.dnr),
        });
        if !item.proposals.is_empty() {
            blocks.push(paragraph("Förslag till beslut:"));
            blocks.push(Block::Numbered {
                items: item.proposals.clone(),
            });
        }
    }
    Document {
        title: title.clone(),
        author: agenda.organ_name.clone(),
        date: agenda.meeting_date.into(),
        running: format!("{} · Kallelse {}", agenda.organ_name, agenda.meeting),
        blocks,
    }
}

fn heading(level: u8, text: impl Into<String>) -> Block {
    Block::Heading {
        level,
        text: text.into(),
    }
}

fn paragraph(text: impl Into<String>) -> Block {
    Block::Paragraph {
        lead: None,
        text: text.into(),
    }
}

fn fact(label: &str, value: impl Into<String>) -> Fact {
    Fact {
        label: label.to_string(),
        value: value.into(),
    }
}

fn paragraphs(texts: &[String]) -> impl Iterator<Item = Block> + '_ {
    texts.iter().map(paragraph)
}

/// `Karin Andersson, utredare`.
fn contact_line(person: &Person) -> String {
    match (person.name.trim(), person.title.trim()) {
        (name, "") => name.to_string(),
        (name, title) => format!("{name}, {title}"),
    }
}

/// The tjänsteutlåtande's text from its title on; `level` is its title's heading
/// level (1 as a document of its own, deeper as a bilaga).
fn report_body(body: &ReportBody, administration: &str, level: u8) -> Vec<Block> {
    let administration = genitive(administration);
    let mut blocks = vec![
        heading(level, &body.title),
        Block::Subtitle {
            text: referral_line(&body.sender),
        },
        heading(level + 1, format!("{administration} förslag till beslut")),
        Block::Numbered {
            items: body.proposals.clone(),
        },
        heading(level + 1, "Sammanfattning"),
    ];
    blocks.extend(paragraphs(&body.summary));
    blocks.push(heading(level + 1, "Ärendets beredning"));
    blocks.extend(paragraphs(&body.preparation));
    blocks.push(heading(level + 1, "Ärendet"));
    blocks.extend(paragraphs(&body.background));
    blocks.push(heading(
        level + 1,
        format!("{administration} synpunkter och förslag"),
    ));
    blocks.extend(paragraphs(&body.considerations));
    if !body.signatories.is_empty() {
        blocks.push(Block::Signatures {
            on_behalf: None,
            people: body.signatories.clone(),
        });
    }
    if !body.attachments.is_empty() {
        blocks.push(heading(level + 1, "Bilagor"));
        blocks.push(Block::Numbered {
            items: body.attachments.clone(),
        });
    }
    blocks
}

/// The handläggare's contact line: name and title, then the e-mail address the
/// user record holds.
fn officer_facts(header: &Header) -> Vec<Fact> {
    let Some(officer) = header
        .officer
        .as_ref()
        .filter(|officer| !officer.name.trim().is_empty())
    else {
        return Vec::new();
    };
    let mut facts = vec![fact("Handläggare", contact_line(officer))];
    if !officer.email.trim().is_empty() {
        facts.push(fact("E-post", officer.email.trim()));
    }
    facts
}

pub fn report(report: &Report) -> Document {
    let header = &report.header;
    let mut facts = vec![
        fact("Dnr", &header.dnr),
        fact("Datum", header.date.to_string()),
    ];
    facts.extend(officer_facts(header));
    facts.push(fact("Till", &header.organ));
    let mut blocks = vec![Block::Letterhead {
        issuer: header.administration.clone(),
        issuer_lines: Vec::new(),
        kind: "Tjänsteutlåtande".into(),
        facts,
        status: report.status.clone(),
    }];
    blocks.extend(report_body(&report.body, &header.administration, 1));
    Document {
        title: format!("Tjänsteutlåtande {}: {}", header.dnr, report.body.title),
        author: header.administration.clone(),
        date: header.date.into(),
        running: format!(
            "{} · Tjänsteutlåtande {}",
            header.administration, header.dnr
        ),
        blocks,
    }
}

fn member(statement: &Statement) -> String {
    match statement.party.trim() {
        "" => statement.member.clone(),
        party => format!("{} ({party})", statement.member),
    }
}

/// Each member's statement: who and what, then its text.
fn statements(list: &[Statement], what: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    for statement in list {
        blocks.push(Block::Paragraph {
            lead: Some(member(statement)),
            text: what.to_string(),
        });
        blocks.extend(
            crate::domain::report::paragraphs(&statement.text)
                .into_iter()
                .map(paragraph),
        );
    }
    blocks
}

pub fn extract(extract: &Extract) -> Document {
    let header = &extract.header;
    let mut facts = vec![fact("Sammanträde", &extract.meeting)];
    if !extract.place.trim().is_empty() {
        facts.push(fact("Plats", &extract.place));
    }
    facts.push(fact("Paragraf", &extract.paragraph));
    facts.push(fact("Dnr", &header.dnr));
    let mut blocks = vec![
        Block::Letterhead {
            issuer: header.organ.clone(),
            issuer_lines: Vec::new(),
            kind: "Protokollsutdrag".into(),
            facts,
            status: extract
                .adjustment
                .is_none()
                .then(|| "Ej justerat – arbetsmaterial".to_string()),
        },
        heading(1, format!("{} {}", extract.paragraph, extract.title)),
        Block::Subtitle {
            text: format!("Dnr {}", header.dnr),
        },
        heading(2, "Närvarande vid beslutet"),
    ];
    blocks.extend(paragraphs(&extract.attendance));
    blocks.push(heading(2, "Beslut"));
    match &extract.decision {
        ExtractDecision::Decided { points } => blocks.push(Block::Numbered {
            items: points.clone(),
        }),
        ExtractDecision::ReferredBack { reason } => {
            blocks.push(paragraph("Ärendet återremitteras till förvaltningen."));
            blocks.extend(paragraphs(reason));
        }
        ExtractDecision::Tabled { reason } => {
            blocks.push(paragraph("Ärendet bordläggs."));
            blocks.extend(paragraphs(reason));
        }
    }
    if !extract.reservations.is_empty() {
        blocks.push(heading(2, "Reservationer"));
        blocks.extend(statements(
            &extract.reservations,
            "reserverar sig mot beslutet.",
        ));
    }
    if !extract.statements.is_empty() {
        blocks.push(heading(2, "Särskilda uttalanden"));
        blocks.extend(statements(
            &extract.statements,
            "lämnar ett särskilt uttalande:",
        ));
    }
    blocks.push(heading(2, "Justering"));
    match &extract.adjustment {
        Some(adjustment) => {
            blocks.push(paragraph(format!(
                "Protokollet justerades {} av {}.",
                adjustment.on, adjustment.by
            )));
            blocks.push(Block::Paragraph {
                lead: Some("Rätt utdraget intygar:".into()),
                text: adjustment.certified_by.clone(),
            });
        }
        None => blocks.push(paragraph("Protokollet är ännu inte justerat.")),
    }
    Document {
        title: format!(
            "Protokollsutdrag {} {} {}: {}",
            header.organ, header.date, extract.paragraph, extract.title
        ),
        author: header.organ.clone(),
        date: header.date.into(),
        running: format!(
            "{} · Protokollsutdrag {} · Dnr {}",
            header.organ, extract.paragraph, header.dnr
        ),
        blocks,
    }
}

pub fn reply(reply: &Reply) -> Document {
    let header = &reply.header;
    let mut facts = vec![
        fact("Datum", header.date.to_string()),
        fact("Vår referens", &header.dnr),
    ];
    if !reply.report.sender.reference.trim().is_empty() {
        facts.push(fact("Er referens", reply.report.sender.reference.trim()));
    }
    facts.extend(officer_facts(header));
    facts.push(fact("Till", &reply.recipient));
    let title = reply_title(&reply.referral_title);
    let mut blocks = vec![
        Block::Letterhead {
            issuer: header.organ.clone(),
            issuer_lines: Vec::new(),
            kind: "Yttrande".into(),
            facts,
            status: None,
        },
        heading(1, &title),
        Block::Subtitle {
            text: referral_line(&reply.report.sender),
        },
        heading(2, format!("{} beslut", genitive(&header.organ))),
    ];
    let on_behalf = match &reply.decided_at {
        DecidedAt::Meeting { when, paragraph } => {
            blocks.push(self::paragraph(format!(
                "Beslut vid sammanträde {when}{}.",
                if paragraph.is_empty() {
                    String::new()
                } else {
                    format!(", {paragraph}")
                }
            )));
            Some(on_behalf_of(&header.organ))
        }
        DecidedAt::Delegation { reference, by, on } => {
            blocks.push(paragraph(format!(
                "Beslut fattat på delegation ({reference}) av {by} {on}."
            )));
            None
        }
    };
    blocks.push(Block::Numbered {
        items: reply.decision.clone(),
    });
    if !reply.reservations.is_empty() {
        blocks.push(heading(2, "Reservationer"));
        blocks.extend(statements(
            &reply.reservations,
            "reserverade sig mot beslutet.",
        ));
    }
    if !reply.signatures.is_empty() {
        blocks.push(Block::Signatures {
            on_behalf,
            people: reply.signatures.clone(),
        });
    }
    if let Some(on) = reply.dispatched_on {
        blocks.push(paragraph(format!(
            "Expedierat {on} till {}.",
            reply.recipient
        )));
    }
    blocks.push(heading(2, "Bilagor"));
    let attachment = format!("{} tjänsteutlåtande", genitive(&header.administration));
    blocks.push(Block::Numbered {
        items: vec![attachment.clone()],
    });
    blocks.push(Block::PageBreak);
    blocks.push(heading(2, format!("Bilaga 1. {attachment}")));
    blocks.extend(report_body(&reply.report, &header.administration, 3));
    Document {
        title: format!("{title}, {}", header.organ),
        author: header.organ.clone(),
        date: header.date.into(),
        running: format!("{} · Yttrande {}", header.organ, header.dnr),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    fn headings(document: &Document) -> Vec<(u8, &str)> {
        document
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, text } => Some((*level, text.as_str())),
                _ => None,
            })
            .collect()
    }

    fn texts(document: &Document) -> String {
        serde_json::to_string(&document.blocks).unwrap()
    }

    #[test]
    fn headings_start_at_one_and_never_skip_a_level() {
        let title = "Titel";
        for document in [
            report(&sample::report(title)),
            reply(&sample::reply(title)),
            extract(&sample::extract(title)),
        ] {
            let levels: Vec<u8> = headings(&document).iter().map(|(l, _)| *l).collect();
            assert_eq!(levels[0], 1, "{levels:?}");
            assert!(
                levels.windows(2).all(|w| w[1] <= w[0] + 1),
                "PDF/UA forbids skipping a level: {levels:?}"
            );
            assert_eq!(levels.iter().filter(|l| **l == 1).count(), 1);
        }
    }

    #[test]
    fn the_reply_carries_the_report_as_its_bilaga() {
        let document = reply(&sample::reply("Titel"));
        assert_eq!(
            headings(&document),
            vec![
                (1, "Yttrande över remissen Titel"),
                (2, "Arbetsmarknadsnämndens beslut"),
                (2, "Reservationer"),
                (2, "Bilagor"),
                (2, "Bilaga 1. Arbetsmarknadsförvaltningens tjänsteutlåtande"),
                (3, "Titel"),
                (4, "Arbetsmarknadsförvaltningens förslag till beslut"),
                (4, "Sammanfattning"),
                (4, "Ärendets beredning"),
                (4, "Ärendet"),
                (4, "Arbetsmarknadsförvaltningens synpunkter och förslag"),
                (4, "Bilagor"),
            ]
        );
        let text = texts(&document);
        assert!(text.contains("På arbetsmarknadsnämndens vägnar"));
        assert!(text.contains("Er referens"));
        assert!(text.contains("Fi2025/01842"));
    }

    #[test]
    fn a_delegation_decision_is_signed_by_the_delegate() {
        let mut data = sample::reply("Titel");
        data.decided_at = DecidedAt::Delegation {
            reference: "Delegationsordning punkt 1.4".into(),
            by: "Karin Eriksson-Bech".into(),
            on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        };
        let text = texts(&reply(&data));
        assert!(text.contains(
            "Beslut fattat på delegation (Delegationsordning punkt 1.4) av Karin Eriksson-Bech 2026-03-02."
        ));
        assert!(!text.contains("vägnar"));
    }

    #[test]
    fn an_extract_says_what_became_of_the_case() {
        let mut data = sample::extract("Titel");
        data.decision = ExtractDecision::ReferredBack {
            reason: vec!["Komplettera med en konsekvensanalys.".into()],
        };
        data.adjustment = None;
        let document = extract(&data);
        let text = texts(&document);
        assert!(text.contains("Ärendet återremitteras till förvaltningen."));
        assert!(text.contains("Komplettera med en konsekvensanalys."));
        assert!(text.contains("Protokollet är ännu inte justerat."));
        assert!(text.contains("Ej justerat – arbetsmaterial"));
        assert_eq!(headings(&document)[0], (1, "§ 12 Titel"));
    }
}
