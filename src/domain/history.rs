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
        A::ReferralAnnulled => format!("makulerade registreringen: {}", field("reason")),
        A::ReferralDeadlineExtended => format!(
            "förde in anstånd till {} beviljat {} av {}",
            field("deadline"),
            field("granted_on"),
            field("granted_by")
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
        A::CaseDecided => match DecisionOutcome::parse(field("outcome")) {
            Some(outcome) => format!(
                "protokollförde beslutet {}: {}",
                field("paragraph"),
                outcome.label_sv().to_lowercase()
            ),
            None => format!(
                "protokollförde beslutet {} (beslutet visas när protokollet är justerat)",
                field("paragraph")
            ),
        },
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
        A::MeetingAdjusted => {
            let late = match field("missed_deadline") {
                "" => String::new(),
                last_day => format!(" efter fristen, som gick ut {last_day}"),
            };
            match (field("adjusted_on"), field("adjusted_by")) {
                ("", _) => format!("justerade protokollet{late}"),
                (on, "") => format!("förde in att protokollet justerades {on}{late}"),
                (on, by) => format!("förde in att protokollet justerades {on} av {by}{late}"),
            }
        }
        A::MeetingRescheduled => format!("ändrade sammanträdet: {}", field("reason")),
        A::MeetingCancelled => format!("ställde in sammanträdet: {}", field("reason")),
        A::MeetingAttendanceRecorded => "förde in närvaro, ordförande och justerare".to_string(),
        A::MeetingAgendaSent => {
            let sent = after
                .and_then(|a| a.get("recipients"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if after.and_then(|a| a.get("again")) == Some(&Value::Bool(true)) {
                format!("skickade den ändrade kallelsen till {sent} ledamöter med e-post")
            } else {
                format!("skickade kallelsen till {sent} ledamöter med e-post")
            }
        }
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

/// A recorded decision's event as read before the decision is public (before
/// justering or omedelbar justering): that its § was recorded, not how it went —
/// neither the outcome, nor the reason, nor the state the case moved to.
pub fn without_outcome(after: &Value) -> Value {
    let paragraph = after.get("paragraph").cloned().unwrap_or(Value::Null);
    serde_json::json!({ "paragraph": paragraph })
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
        "granted_on" => "Beviljat",
        "granted_by" => "Beviljat av",
        "note" => "Anteckning",
        "secrecy" => "Sekretess",
        "state" => "Status",
        other => other,
    }
}

/// Who reads a history, for what it shows of each event: whether they may see
/// personal data (registrars, administrators, the respondents' own staff) and
/// the content of a secret remiss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    pub sees_personal_data: bool,
    pub sees_secret_content: bool,
}

/// What the field holding a secret remiss's content says to those who may not read it.
pub const WITHHELD: &str = "[omfattas av sekretess]";

/// An event's sentence and changes as `reader` may read them: a personnummer
/// masked for readers outside (also one that a correction took away), the
/// content of a secret remiss withheld.
pub fn read_as(
    reader: Reader,
    action: AuditAction,
    before: Option<&Value>,
    after: Option<&Value>,
) -> (String, Vec<(String, String, String)>) {
    let text = describe(action, after);
    let changes = changes(before, after);
    if reader.sees_personal_data && reader.sees_secret_content {
        return (text, changes);
    }
    let shown = |value: String| {
        if reader.sees_personal_data {
            value
        } else {
            super::personal_data::mask(&value).0
        }
    };
    let changes = changes
        .into_iter()
        .map(|(label, old, new)| {
            if !reader.sees_secret_content && label == self::label("description") {
                (label, WITHHELD.to_string(), WITHHELD.to_string())
            } else {
                (label, shown(old), shown(new))
            }
        })
        .collect();
    (shown(text), changes)
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
    fn a_decision_not_yet_public_reads_without_its_outcome() {
        let after = json!({
            "state": "drafting", "outcome": "referred_back", "paragraph": "§ 1",
            "reason": "Komplettera underlaget.", "decision_id": "00000000-0000-0000-0000-000000000000"
        });
        let masked = without_outcome(&after);
        assert_eq!(masked, json!({ "paragraph": "§ 1" }));
        assert_eq!(
            describe(AuditAction::CaseDecided, Some(&masked)),
            "protokollförde beslutet § 1 (beslutet visas när protokollet är justerat)"
        );
        assert!(changes(Some(&json!({ "state": "on_agenda" })), Some(&masked)).is_empty());
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
    #[test]
    fn an_annulment_and_an_extension_read_with_their_details() {
        assert_eq!(
            describe(
                AuditAction::ReferralAnnulled,
                Some(&json!({ "reason": "Registrerad två gånger", "numbers": "AMN 2026/4" }))
            ),
            "makulerade registreringen: Registrerad två gånger"
        );
        let after = json!({ "deadline": "2026-05-15", "granted_on": "2026-03-02",
                            "granted_by": "Anna Ek, Finansdepartementet", "note": "" });
        assert_eq!(
            describe(AuditAction::ReferralDeadlineExtended, Some(&after)),
            "förde in anstånd till 2026-05-15 beviljat 2026-03-02 av Anna Ek, Finansdepartementet"
        );
        assert_eq!(
            changes(Some(&json!({ "deadline": "2026-04-30" })), Some(&after)),
            vec![(
                "Sista svarsdag".to_string(),
                "2026-04-30".to_string(),
                "2026-05-15".to_string()
            )]
        );
    }

    #[test]
    fn a_corrected_personnummer_is_masked_for_readers_outside_and_secret_content_withheld() {
        let before = json!({ "title": "Ansökan från 19811218-9876", "description": "Gammal text" });
        let after = json!({ "title": "Ansökan om bistånd", "description": "Ny text" });
        let read = |sees_personal_data, sees_secret_content| {
            read_as(
                Reader {
                    sees_personal_data,
                    sees_secret_content,
                },
                AuditAction::ReferralCorrected,
                Some(&before),
                Some(&after),
            )
            .1
        };
        let title = |changes: Vec<(String, String, String)>| {
            changes
                .into_iter()
                .find(|(label, ..)| label == "Ärendemening")
                .map(|(_, old, _)| old)
                .unwrap()
        };
        assert_eq!(title(read(true, true)), "Ansökan från 19811218-9876");
        assert_eq!(title(read(true, false)), "Ansökan från 19811218-9876");
        assert_eq!(title(read(false, true)), "Ansökan från [personnummer dolt]");
        assert_eq!(
            title(read(false, false)),
            "Ansökan från [personnummer dolt]"
        );
        let description = |changes: Vec<(String, String, String)>| {
            changes
                .into_iter()
                .find(|(label, ..)| label == "Beskrivning")
                .map(|(_, old, new)| (old, new))
                .unwrap()
        };
        assert_eq!(
            description(read(false, true)),
            ("Gammal text".into(), "Ny text".into())
        );
        assert_eq!(
            description(read(true, false)),
            (WITHHELD.into(), WITHHELD.into())
        );
        let (text, _) = read_as(
            Reader {
                sees_personal_data: false,
                sees_secret_content: true,
            },
            AuditAction::ReferralAnnulled,
            None,
            Some(&json!({ "reason": "Gäller 19811218-9876" })),
        );
        assert_eq!(
            text,
            "makulerade registreringen: Gäller [personnummer dolt]"
        );
    }
}
