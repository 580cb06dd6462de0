//! The audit trail read as Swedish sentences for the history timeline.

use serde_json::Value;

use super::audit::AuditAction;
use super::workflow::{CaseState, DecisionOutcome};

/// What an event says after the actor's name: "Karin E. registrerade remissen".
pub fn describe(action: AuditAction, after: Option<&Value>) -> String {
    use AuditAction as A;
    let field = |name: &str| {
        after
            .and_then(|a| a.get(name))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    match action {
        A::ReferralRegistered => "registrerade remissen".to_string(),
        A::ReferralCorrected => "rättade remissens uppgifter".to_string(),
        A::ReferralRespondentAdded => format!(
            "lade till remissinstansen {} med svarsärendet {}",
            field("organ"),
            field("dnr")
        ),
        A::CaseRegistered => format!("öppnade svarsärendet {}", field("dnr")),
        A::CaseAssigned => format!("tilldelade ärendet till {}", field("officer")),
        A::CaseSubmitted => "skickade utkastet till granskning".to_string(),
        A::CaseApproved => "godkände utkastet".to_string(),
        A::CaseReturned => "återsände utkastet till handläggaren".to_string(),
        A::CasePlacedOnAgenda => format!(
            "förde upp ärendet på föredragningslistan till sammanträdet {}",
            field("meeting")
        ),
        A::CaseDecided => {
            let outcome = DecisionOutcome::parse(field("outcome"))
                .map(DecisionOutcome::label_sv)
                .unwrap_or("");
            format!(
                "protokollförde beslutet {}: {}",
                field("paragraph"),
                outcome.to_lowercase()
            )
        }
        A::CaseDecidedByDelegation => {
            format!("fattade beslut på delegation ({})", field("reference"))
        }
        A::CaseDecisionCorrected => {
            format!("rättade beslutet {} före justeringen", field("paragraph"))
        }
        A::CaseDecisionRemoved => format!(
            "tog bort beslutet {} före justeringen: {}",
            field("paragraph"),
            field("reason")
        ),
        A::CaseDispatched => format!("expedierade yttrandet till {}", field("recipient")),
        A::CaseDeclined => "avstod från att svara på remissen".to_string(),
        A::ReportSaved => format!(
            "sparade version {} av tjänsteutlåtandet",
            after
                .and_then(|a| a.get("revision"))
                .map(Value::to_string)
                .unwrap_or_default()
        ),
        A::MeetingPlanned => "planerade sammanträdet".to_string(),
        A::MeetingAgendaReordered => "ändrade föredragningslistans ordning".to_string(),
        A::MeetingAdjusted => match (field("adjusted_on"), field("adjusted_by")) {
            ("", _) => "justerade protokollet".to_string(),
            (on, "") => format!("förde in att protokollet justerades {on}"),
            (on, by) => format!("förde in att protokollet justerades {on} av {by}"),
        },
        A::MeetingRescheduled => format!("ändrade sammanträdet: {}", field("reason")),
        A::MeetingCancelled => format!("ställde in sammanträdet: {}", field("reason")),
        A::MeetingAttendanceRecorded => "förde in närvaro, ordförande och justerare".to_string(),
        A::OrganMemberAdded => format!("förde upp {} på nämndens ledamotslista", field("name")),
        A::OrganMemberRemoved => format!("tog bort {} från nämndens ledamotslista", field("name")),
        A::NoticePosted => format!(
            "anslog tillkännagivandet på anslagstavlan {}",
            field("posted_on")
        ),
        A::UserCreated => "skapade kontot".to_string(),
        A::UserPasswordChanged => "bytte lösenord".to_string(),
        A::UserSignInChanged => "ändrade kontots e-post och inloggning".to_string(),
        A::UserSignInLinked => "kopplade kontot till kommunens inloggning".to_string(),
        A::UserSignedIn => "loggade in".to_string(),
        A::UserRoleGiven => "gav kontot en roll".to_string(),
        A::UserRoleTaken => "tog bort en roll från kontot".to_string(),
        A::UserActivated => "aktiverade kontot".to_string(),
        A::UserDeactivated => "inaktiverade kontot".to_string(),
        A::OrganCreated => "skapade organet".to_string(),
        A::OrganUpdated => "ändrade organets uppgifter".to_string(),
        A::DocumentRegistered => format!(
            "registrerade handlingen {} {}",
            field("numbers"),
            field("title")
        ),
        A::DocumentPublished => {
            format!(
                "beslutade att handlingen {} får publiceras",
                field("numbers")
            )
        }
        A::DocumentUnpublished => {
            format!(
                "återkallade publiceringen av handlingen {}",
                field("numbers")
            )
        }
        A::DocumentAnnulled => format!(
            "makulerade handlingen {}: {}",
            field("numbers"),
            field("reason")
        ),
        A::DocumentSecretRead => format!(
            "öppnade den sekretessmarkerade handlingen {}",
            field("numbers")
        ),
        A::DocumentVirusFound => format!(
            "försökte registrera filen {}, som virusskanningen stoppade ({})",
            field("file_name"),
            field("signature")
        ),
        A::MessageRetried => format!(
            "skickade om e-postmeddelandet {} till {}",
            field("subject"),
            field("recipient")
        ),
        A::UserNotificationsChanged => {
            let on = after.and_then(|a| a.get("notify_by_email")) == Some(&Value::Bool(true));
            if on {
                "slog på aviseringar med e-post".to_string()
            } else {
                "stängde av aviseringar med e-post".to_string()
            }
        }
    }
}

/// The fields an event changed, with their Swedish label: (label, before, after).
/// Only fields present on both sides and different are listed.
pub fn changes(before: Option<&Value>, after: Option<&Value>) -> Vec<(String, String, String)> {
    let (Some(Value::Object(before)), Some(Value::Object(after))) = (before, after) else {
        return Vec::new();
    };
    after
        .iter()
        .filter_map(|(key, new)| {
            let old = before.get(key)?;
            (old != new).then(|| {
                (
                    label(key).to_string(),
                    show_value(key, old),
                    show_value(key, new),
                )
            })
        })
        .collect()
}

fn label(key: &str) -> &str {
    match key {
        "title" => "Ärendemening",
        "description" => "Beskrivning",
        "sender" => "Avsändare",
        "sender_dnr" => "Avsändarens diarienummer",
        "sender_email" => "Registratorns e-post",
        "received_on" => "Inkom",
        "deadline" => "Sista svarsdag",
        "secrecy" => "Sekretess",
        "state" => "Status",
        other => other,
    }
}

/// A value as the timeline shows it; states by their Swedish names.
fn show_value(key: &str, value: &Value) -> String {
    if key == "state"
        && let Some(state) = value.as_str().and_then(CaseState::parse)
    {
        return state.label_sv().to_string();
    }
    show(value)
}

fn show(value: &Value) -> String {
    match value {
        Value::Null => "–".to_string(),
        Value::String(text) if text.is_empty() => "–".to_string(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_actions_read_as_swedish() {
        assert_eq!(
            describe(AuditAction::ReferralRegistered, None),
            "registrerade remissen"
        );
        assert_eq!(
            describe(
                AuditAction::CaseRegistered,
                Some(&json!({ "dnr": "AMN 2026/4" }))
            ),
            "öppnade svarsärendet AMN 2026/4"
        );
    }

    #[test]
    fn transitions_read_with_their_details() {
        assert_eq!(
            describe(
                AuditAction::CaseDecided,
                Some(&json!({ "outcome": "referred_back", "paragraph": "§ 12" }))
            ),
            "protokollförde beslutet § 12: återremiss"
        );
        assert_eq!(
            describe(AuditAction::ReportSaved, Some(&json!({ "revision": 3 }))),
            "sparade version 3 av tjänsteutlåtandet"
        );
        assert_eq!(
            changes(
                Some(&json!({ "state": "drafting" })),
                Some(&json!({ "state": "in_review" }))
            ),
            vec![(
                "Status".to_string(),
                "Under beredning".to_string(),
                "Under granskning".to_string()
            )]
        );
    }

    #[test]
    fn the_justering_reads_with_its_day_and_who_adjusted() {
        assert_eq!(
            describe(
                AuditAction::MeetingAdjusted,
                Some(
                    &json!({ "adjusted_on": "2027-02-18", "adjusted_by": "Anna Andersson och Bertil Berg" })
                )
            ),
            "förde in att protokollet justerades 2027-02-18 av Anna Andersson och Bertil Berg"
        );
        assert_eq!(
            describe(
                AuditAction::MeetingAdjusted,
                Some(&json!({ "adjusted_on": "2027-02-18", "adjusted_by": "" }))
            ),
            "förde in att protokollet justerades 2027-02-18"
        );
        assert_eq!(
            describe(AuditAction::MeetingAdjusted, None),
            "justerade protokollet"
        );
    }

    #[test]
    fn changes_list_only_what_differs() {
        let before = json!({ "title": "Gammal", "deadline": "2026-03-01", "secrecy": null });
        let after =
            json!({ "title": "Ny", "deadline": "2026-03-01", "secrecy": "OSL 21 kap. 1 §" });
        assert_eq!(
            changes(Some(&before), Some(&after)),
            // In key order, as serde_json keeps objects.
            vec![
                (
                    "Sekretess".to_string(),
                    "–".to_string(),
                    "OSL 21 kap. 1 §".to_string()
                ),
                (
                    "Ärendemening".to_string(),
                    "Gammal".to_string(),
                    "Ny".to_string()
                ),
            ]
        );
        assert!(changes(None, Some(&after)).is_empty());
    }
}
