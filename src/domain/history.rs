//! The audit trail read as Swedish sentences for the history timeline.

use serde_json::Value;

/// What an event says after the actor's name: "Karin E. registrerade remissen".
pub fn describe(action: &str, after: Option<&Value>) -> String {
    let field = |name: &str| {
        after
            .and_then(|a| a.get(name))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    match action {
        "referral.registered" => "registrerade remissen".to_string(),
        "referral.corrected" => "rättade remissens uppgifter".to_string(),
        "case.registered" => format!("öppnade svarsärendet {}", field("dnr")),
        "user.created" => "skapade kontot".to_string(),
        "user.password_changed" => "bytte lösenord".to_string(),
        other => other.to_string(),
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
            (old != new).then(|| (label(key).to_string(), show(old), show(new)))
        })
        .collect()
}

fn label(key: &str) -> &str {
    match key {
        "title" => "Ärendemening",
        "description" => "Beskrivning",
        "sender" => "Avsändare",
        "sender_dnr" => "Avsändarens diarienummer",
        "received_on" => "Inkom",
        "deadline" => "Sista svarsdag",
        "secrecy" => "Sekretess",
        other => other,
    }
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
            describe("referral.registered", None),
            "registrerade remissen"
        );
        assert_eq!(
            describe("case.registered", Some(&json!({ "dnr": "AMN 2026/4" }))),
            "öppnade svarsärendet AMN 2026/4"
        );
    }

    #[test]
    fn unknown_actions_are_shown_as_they_are() {
        assert_eq!(describe("something.new", None), "something.new");
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
