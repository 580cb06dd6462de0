//! Meetings, decisions and dispatch: the secretary's forms and their rules.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::dates::parse_date;
use super::forms::{
    FieldErrors, optional_multi_line, required_multi_line, required_text, row_line, row_text,
};
use super::workflow::DecisionOutcome;

/// A member's name or party in a reservation or statement row.
pub const MEMBER_MAX: usize = 200;
/// A reservation's or statement's text, a reason, a comment.
pub const STATEMENT_MAX: usize = 10_000;
/// The decision as amended at the meeting.
pub const DECISION_TEXT_MAX: usize = 20_000;

#[derive(Debug, Clone, Default)]
pub struct MeetingInput {
    pub organ: String,
    pub date: String,
    pub time: String,
    pub place: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingDetails {
    pub date: NaiveDate,
    pub time: NaiveTime,
    pub place: String,
}

pub fn parse_time(input: &str) -> Option<NaiveTime> {
    let input = input.trim();
    let shape_ok = input.len() == 5 && input.as_bytes()[2] == b':';
    if !shape_ok {
        return None;
    }
    NaiveTime::parse_from_str(input, "%H:%M").ok()
}

/// The years a meeting can be held in: anything else is a typo (`0026`, `2206`),
/// and year 0 is not even a year in the database's calendar.
const MEETING_YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

pub fn validate_meeting(input: &MeetingInput) -> Result<MeetingDetails, FieldErrors> {
    use chrono::Datelike;

    let mut errors = FieldErrors::new();
    let date = parse_date(&input.date);
    match date {
        None => errors.add("date", "Ange datum som ÅÅÅÅ-MM-DD."),
        Some(date) if !MEETING_YEARS.contains(&date.year()) => errors.add(
            "date",
            "Ange ett datum mellan år 2000 och 2099 (kontrollera årtalet).",
        ),
        Some(_) => {}
    }
    let time = parse_time(&input.time);
    if time.is_none() {
        errors.add("time", "Ange tid som TT:MM, till exempel 13:00.");
    }
    let place = required_text(
        &mut errors,
        "place",
        &input.place,
        200,
        "Ange plats.",
        "Platsen får vara högst 200 tecken.",
    );
    errors.into_result(|| MeetingDetails {
        date: date.expect("checked"),
        time: time.expect("checked"),
        place,
    })
}

/// A member's reservation or special statement in the minutes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberStatement {
    pub member: String,
    pub party: String,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    pub outcome: String,
    pub decision_text: String,
    pub reason: String,
    pub attendance: String,
    pub reservation_members: Vec<String>,
    pub reservation_parties: Vec<String>,
    pub reservation_texts: Vec<String>,
    pub statement_members: Vec<String>,
    pub statement_parties: Vec<String>,
    pub statement_texts: Vec<String>,
}

/// A decision recorded at a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingDecision {
    pub outcome: DecisionOutcome,
    /// The decision as amended; empty unless the outcome is `Amended`.
    pub decision_text: String,
    /// Why the case went back (återremiss) or was postponed (bordläggning).
    pub reason: String,
    pub attendance: String,
    pub reservations: Vec<MemberStatement>,
    pub statements: Vec<MemberStatement>,
}

fn member_rows(
    errors: &mut FieldErrors,
    field: &'static str,
    members: &[String],
    parties: &[String],
    texts: &[String],
) -> Vec<MemberStatement> {
    let mut rows = Vec::new();
    for (i, member) in members.iter().enumerate() {
        let row = MemberStatement {
            member: row_line(errors, field, member),
            party: parties
                .get(i)
                .map(|p| row_line(errors, field, p))
                .unwrap_or_default(),
            text: texts
                .get(i)
                .map(|t| row_text(errors, field, t))
                .unwrap_or_default(),
        };
        if row.member.is_empty() && row.party.is_empty() && row.text.is_empty() {
            continue;
        }
        if row.member.is_empty() || row.text.is_empty() {
            errors.add(field, "Ange ledamot och text för varje rad som fylls i.");
        }
        if row.member.chars().count() > MEMBER_MAX
            || row.party.chars().count() > MEMBER_MAX
            || row.text.chars().count() > STATEMENT_MAX
        {
            errors.add(
                field,
                format!(
                    "Ledamot och parti får vara högst {MEMBER_MAX} tecken, texten högst {STATEMENT_MAX} tecken."
                ),
            );
        }
        rows.push(row);
    }
    rows
}

pub fn validate_decision(input: &DecisionInput) -> Result<MeetingDecision, FieldErrors> {
    let mut errors = FieldErrors::new();
    let outcome =
        DecisionOutcome::parse(input.outcome.trim()).filter(|o| *o != DecisionOutcome::Delegation);
    if outcome.is_none() {
        errors.add("outcome", "Välj beslut.");
    }
    let decision_text = optional_multi_line(
        &mut errors,
        "decision_text",
        &input.decision_text,
        DECISION_TEXT_MAX,
        &format!("Beslutet får vara högst {DECISION_TEXT_MAX} tecken."),
    );
    if outcome == Some(DecisionOutcome::Amended) && decision_text.is_empty() {
        errors.add("decision_text", "Skriv det ändrade beslutet.");
    }
    let reason = optional_multi_line(
        &mut errors,
        "reason",
        &input.reason,
        STATEMENT_MAX,
        &format!("Skälet får vara högst {STATEMENT_MAX} tecken."),
    );
    if matches!(outcome, Some(DecisionOutcome::ReferredBack)) && reason.is_empty() {
        errors.add("reason", "Ange skälet till återremissen.");
    }
    let attendance = required_multi_line(
        &mut errors,
        "attendance",
        &input.attendance,
        5_000,
        "Ange vilka som deltog i beslutet.",
        "Närvarolistan får vara högst 5000 tecken.",
    );
    let reservations = member_rows(
        &mut errors,
        "reservations",
        &input.reservation_members,
        &input.reservation_parties,
        &input.reservation_texts,
    );
    let statements = member_rows(
        &mut errors,
        "statements",
        &input.statement_members,
        &input.statement_parties,
        &input.statement_texts,
    );
    errors.into_result(|| MeetingDecision {
        outcome: outcome.expect("checked"),
        decision_text: if outcome == Some(DecisionOutcome::Amended) {
            decision_text
        } else {
            String::new()
        },
        reason,
        attendance,
        reservations,
        statements,
    })
}

/// Justering: when and by whom the minutes were approved.
pub fn validate_adjustment(
    date: &str,
    by: &str,
    meeting_date: NaiveDate,
) -> Result<(NaiveDate, String), FieldErrors> {
    let mut errors = FieldErrors::new();
    let adjusted_on = parse_date(date);
    match adjusted_on {
        None => errors.add("adjusted_on", "Ange datum som ÅÅÅÅ-MM-DD."),
        Some(d) if d < meeting_date => errors.add(
            "adjusted_on",
            "Protokollet kan inte justeras före sammanträdet.",
        ),
        Some(_) => {}
    }
    let by = required_text(
        &mut errors,
        "adjusted_by",
        by,
        500,
        "Ange vilka som justerade protokollet.",
        "Högst 500 tecken.",
    );
    errors.into_result(|| (adjusted_on.expect("checked"), by))
}

/// Expediering: the date the yttrande was sent and to whom.
pub fn validate_dispatch(
    date: &str,
    recipient: &str,
    decided_on: NaiveDate,
) -> Result<(NaiveDate, String), FieldErrors> {
    let mut errors = FieldErrors::new();
    let dispatched_on = parse_date(date);
    match dispatched_on {
        None => errors.add("dispatched_on", "Ange datum som ÅÅÅÅ-MM-DD."),
        Some(d) if d < decided_on => errors.add(
            "dispatched_on",
            "Yttrandet kan inte expedieras före beslutet.",
        ),
        Some(_) => {}
    }
    let recipient = required_text(
        &mut errors,
        "recipient",
        recipient,
        300,
        "Ange mottagare.",
        "Högst 300 tecken.",
    );
    errors.into_result(|| (dispatched_on.expect("checked"), recipient))
}

/// A required free text of a transition (a return comment, a reason to decline, a
/// delegation reference).
pub fn validate_required(
    field: &'static str,
    value: &str,
    missing: &str,
) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let text = required_multi_line(
        &mut errors,
        field,
        value,
        STATEMENT_MAX,
        missing,
        &format!("Texten får vara högst {STATEMENT_MAX} tecken."),
    );
    errors.into_result(|| text)
}

/// An optional free text of a transition (the comment of a reviewer who
/// approves): normalised like a required one, empty allowed.
pub fn validate_optional(field: &'static str, value: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let text = optional_multi_line(
        &mut errors,
        field,
        value,
        STATEMENT_MAX,
        &format!("Texten får vara högst {STATEMENT_MAX} tecken."),
    );
    errors.into_result(|| text)
}

/// The § of a decision in the minutes: `§ 12`.
pub fn paragraph_label(paragraph: i32) -> String {
    format!("§ {paragraph}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision() -> DecisionInput {
        DecisionInput {
            outcome: "adopted".into(),
            attendance: "Ordförande Anna Andersson (S), Bertil Berg (M)".into(),
            ..DecisionInput::default()
        }
    }

    #[test]
    fn a_meeting_dated_outside_this_century_is_refused_in_swedish() {
        for date in [
            "0000-04-21",
            "0026-04-21",
            "1999-12-31",
            "2100-01-01",
            "2206-04-21",
        ] {
            let errors = validate_meeting(&MeetingInput {
                organ: String::new(),
                date: date.into(),
                time: "13:00".into(),
                place: "Stadshuset".into(),
            })
            .unwrap_err();
            assert_eq!(
                errors.get("date"),
                Some("Ange ett datum mellan år 2000 och 2099 (kontrollera årtalet)."),
                "{date}"
            );
        }
        for date in ["2000-01-01", "2026-04-21", "2099-12-31"] {
            assert!(
                validate_meeting(&MeetingInput {
                    organ: String::new(),
                    date: date.into(),
                    time: "13:00".into(),
                    place: "Stadshuset".into(),
                })
                .is_ok(),
                "{date}"
            );
        }
    }

    #[test]
    fn a_meeting_needs_date_time_and_place() {
        let ok = validate_meeting(&MeetingInput {
            organ: String::new(),
            date: "2026-04-21".into(),
            time: "13:00".into(),
            place: "Stadshuset".into(),
        })
        .unwrap();
        assert_eq!(ok.time, NaiveTime::from_hms_opt(13, 0, 0).unwrap());
        let errors = validate_meeting(&MeetingInput {
            date: "21/4".into(),
            time: "1300".into(),
            ..MeetingInput::default()
        })
        .unwrap_err();
        for field in ["date", "time", "place"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        assert!(parse_time("25:00").is_none());
        assert!(parse_time("9:00").is_none());
    }

    #[test]
    fn an_adopted_decision_needs_attendance_only() {
        let d = validate_decision(&decision()).unwrap();
        assert_eq!(d.outcome, DecisionOutcome::Adopted);
        assert!(d.decision_text.is_empty());
        let errors = validate_decision(&DecisionInput {
            attendance: " ".into(),
            ..decision()
        })
        .unwrap_err();
        assert_eq!(
            errors.get("attendance"),
            Some("Ange vilka som deltog i beslutet.")
        );
    }

    #[test]
    fn an_amended_decision_needs_its_text() {
        let errors = validate_decision(&DecisionInput {
            outcome: "amended".into(),
            ..decision()
        })
        .unwrap_err();
        assert_eq!(
            errors.get("decision_text"),
            Some("Skriv det ändrade beslutet.")
        );
        let d = validate_decision(&DecisionInput {
            outcome: "amended".into(),
            decision_text: "Nämnden beslutar...".into(),
            ..decision()
        })
        .unwrap();
        assert_eq!(d.decision_text, "Nämnden beslutar...");
    }

    #[test]
    fn a_referral_back_needs_its_reason() {
        let errors = validate_decision(&DecisionInput {
            outcome: "referred_back".into(),
            ..decision()
        })
        .unwrap_err();
        assert_eq!(errors.get("reason"), Some("Ange skälet till återremissen."));
    }

    #[test]
    fn delegation_and_unknown_outcomes_are_not_meeting_decisions() {
        for outcome in ["delegation", "", "bifall"] {
            let errors = validate_decision(&DecisionInput {
                outcome: outcome.into(),
                ..decision()
            })
            .unwrap_err();
            assert_eq!(errors.get("outcome"), Some("Välj beslut."), "{outcome}");
        }
    }

    #[test]
    fn reservations_need_member_and_text() {
        let with = DecisionInput {
            reservation_members: vec!["Cecilia Ceder".into(), "".into()],
            reservation_parties: vec!["V".into(), "".into()],
            reservation_texts: vec!["Vi reserverar oss mot beslutet.".into(), "".into()],
            ..decision()
        };
        let d = validate_decision(&with).unwrap();
        assert_eq!(
            d.reservations,
            vec![MemberStatement {
                member: "Cecilia Ceder".into(),
                party: "V".into(),
                text: "Vi reserverar oss mot beslutet.".into()
            }]
        );
        let half = DecisionInput {
            reservation_members: vec!["Cecilia Ceder".into()],
            ..decision()
        };
        assert!(
            validate_decision(&half)
                .unwrap_err()
                .get("reservations")
                .is_some()
        );
    }

    #[test]
    fn adjustment_and_dispatch_dates_follow_the_decision() {
        let meeting = NaiveDate::from_ymd_opt(2026, 4, 21).unwrap();
        assert!(validate_adjustment("2026-04-20", "Anna Andersson", meeting).is_err());
        assert!(validate_adjustment("2026-04-23", "Anna Andersson", meeting).is_ok());
        assert!(
            validate_adjustment("2026-04-23", "", meeting)
                .unwrap_err()
                .get("adjusted_by")
                .is_some()
        );
        assert!(validate_dispatch("2026-04-20", "Kommunstyrelsen", meeting).is_err());
        assert_eq!(
            validate_dispatch("2026-04-24", " Kommunstyrelsen ", meeting)
                .unwrap()
                .1,
            "Kommunstyrelsen"
        );
    }

    #[test]
    fn required_texts() {
        assert!(validate_required("comment", "  \n ", "Skriv en kommentar.").is_err());
        assert_eq!(
            validate_required("comment", " Se över sammanfattningen. ", "x").unwrap(),
            "Se över sammanfattningen."
        );
    }

    #[test]
    fn every_text_of_the_secretarys_forms_is_normalised() {
        let meeting = validate_meeting(&MeetingInput {
            organ: String::new(),
            date: "2026-04-21".into(),
            time: "13:00".into(),
            place: "Stadshuset\u{0}, rum\u{1B} 3".into(),
        })
        .unwrap();
        assert_eq!(meeting.place, "Stadshuset, rum 3");
        let d = validate_decision(&DecisionInput {
            outcome: "amended".into(),
            decision_text: "Ändrat\u{0}\r\nbeslut".into(),
            attendance: "Anna Andersson (S)\r\nBertil Berg (M)\u{200B}".into(),
            reservation_members: vec!["Cecilia\u{0} Ceder".into()],
            reservation_parties: vec!["V\u{8}".into()],
            reservation_texts: vec!["Vi reserverar\u{1B} oss.\r\nSkäl.".into()],
            ..decision()
        })
        .unwrap();
        assert_eq!(d.decision_text, "Ändrat\nbeslut");
        // The attendance is a list, one member per line: the lines stay.
        assert_eq!(d.attendance, "Anna Andersson (S)\nBertil Berg (M)");
        assert_eq!(d.reservations[0].member, "Cecilia Ceder");
        assert_eq!(d.reservations[0].party, "V");
        assert_eq!(d.reservations[0].text, "Vi reserverar oss.\nSkäl.");
        let day = NaiveDate::from_ymd_opt(2026, 4, 21).unwrap();
        assert_eq!(
            validate_adjustment("2026-04-22", "Anna\u{0} Andersson", day)
                .unwrap()
                .1,
            "Anna Andersson"
        );
        assert_eq!(
            validate_dispatch("2026-04-22", "Finans\u{200B}departementet", day)
                .unwrap()
                .1,
            "Finansdepartementet"
        );
        assert_eq!(
            validate_required("comment", "Rad 1\r\nRad\u{0} 2", "saknas").unwrap(),
            "Rad 1\nRad 2"
        );
        assert_eq!(
            validate_required("comment", "\u{200B}\u{0}", "saknas")
                .unwrap_err()
                .get("comment"),
            Some("saknas")
        );
    }

    #[test]
    fn direction_controls_are_refused_in_every_text_of_the_secretarys_forms() {
        let spoof = "Avtal \u{202E}fdp.exe";
        let refused = |errors: FieldErrors, field: &str| {
            assert!(
                errors.get(field).unwrap().contains("osynliga styrtecken"),
                "{field}"
            );
        };
        refused(
            validate_meeting(&MeetingInput {
                organ: String::new(),
                date: "2026-04-21".into(),
                time: "13:00".into(),
                place: spoof.into(),
            })
            .unwrap_err(),
            "place",
        );
        let amended = || DecisionInput {
            outcome: "amended".into(),
            decision_text: "Beslut".into(),
            ..decision()
        };
        refused(
            validate_decision(&DecisionInput {
                decision_text: spoof.into(),
                ..amended()
            })
            .unwrap_err(),
            "decision_text",
        );
        refused(
            validate_decision(&DecisionInput {
                reason: spoof.into(),
                ..amended()
            })
            .unwrap_err(),
            "reason",
        );
        refused(
            validate_decision(&DecisionInput {
                attendance: spoof.into(),
                ..amended()
            })
            .unwrap_err(),
            "attendance",
        );
        for (members, parties, texts) in [
            (vec![spoof.to_string()], vec![], vec!["Text".to_string()]),
            (
                vec!["Anna".to_string()],
                vec![spoof.to_string()],
                vec!["Text".to_string()],
            ),
            (vec!["Anna".to_string()], vec![], vec![spoof.to_string()]),
        ] {
            refused(
                validate_decision(&DecisionInput {
                    reservation_members: members.clone(),
                    reservation_parties: parties.clone(),
                    reservation_texts: texts.clone(),
                    ..amended()
                })
                .unwrap_err(),
                "reservations",
            );
            refused(
                validate_decision(&DecisionInput {
                    statement_members: members,
                    statement_parties: parties,
                    statement_texts: texts,
                    ..amended()
                })
                .unwrap_err(),
                "statements",
            );
        }
        let day = NaiveDate::from_ymd_opt(2026, 4, 21).unwrap();
        refused(
            validate_adjustment("2026-04-22", spoof, day).unwrap_err(),
            "adjusted_by",
        );
        refused(
            validate_dispatch("2026-04-22", spoof, day).unwrap_err(),
            "recipient",
        );
        refused(
            validate_required("reason", spoof, "saknas").unwrap_err(),
            "reason",
        );
    }

    #[test]
    fn free_texts_of_a_decision_have_a_length_limit() {
        let long = "x".repeat(STATEMENT_MAX + 1);
        let errors = validate_decision(&DecisionInput {
            reason: long.clone(),
            reservation_members: vec!["Anna".into()],
            reservation_texts: vec![long],
            ..decision()
        })
        .unwrap_err();
        assert!(errors.get("reason").is_some());
        assert!(errors.get("reservations").is_some());
    }

    #[test]
    fn an_optional_comment_is_normalised_and_may_be_empty() {
        assert_eq!(validate_optional("comment", "  ").unwrap(), "");
        assert_eq!(
            validate_optional("comment", "Bra\u{0}.\r\nGodkänt.").unwrap(),
            "Bra.\nGodkänt."
        );
        let errors = validate_optional("comment", "\u{202E}x").unwrap_err();
        assert!(
            errors
                .get("comment")
                .unwrap()
                .contains("osynliga styrtecken")
        );
        assert!(validate_optional("comment", &"x".repeat(STATEMENT_MAX + 1)).is_err());
    }
}
