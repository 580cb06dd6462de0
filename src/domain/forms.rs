//! Field errors of a form: the Swedish message beside each field; and the text
//! fields' rules, through which every text a user types passes.

use super::text;

/// Messages keyed by the form field they belong to, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a message for a field; the first message for a field wins, so the
    /// user sees the most basic problem first.
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field, message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(f, m)| (*f, m.as_str()))
    }

    /// `Ok(value)` when no message was recorded.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

/// A required one-line field (a title, a name, a place): normalised by
/// [`text::one_line`], then checked for presence and length in characters.
pub fn required_text(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    max_chars: usize,
    missing: &str,
    too_long: &str,
) -> String {
    checked(
        errors,
        field,
        text::one_line(value),
        Some(missing),
        max_chars,
        too_long,
    )
}

/// An optional one-line field: normalised, empty allowed, length checked.
pub fn optional_text(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    max_chars: usize,
    too_long: &str,
) -> String {
    checked(
        errors,
        field,
        text::one_line(value),
        None,
        max_chars,
        too_long,
    )
}

/// A required multi-line field (a comment, a reason, a list of names):
/// normalised by [`text::multi_line`], then checked for presence and length.
pub fn required_multi_line(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    max_chars: usize,
    missing: &str,
    too_long: &str,
) -> String {
    checked(
        errors,
        field,
        text::multi_line(value),
        Some(missing),
        max_chars,
        too_long,
    )
}

/// An optional multi-line field (a description, a report section).
pub fn optional_multi_line(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    max_chars: usize,
    too_long: &str,
) -> String {
    checked(
        errors,
        field,
        text::multi_line(value),
        None,
        max_chars,
        too_long,
    )
}

/// One line of a repeated row (a signatory's name, a member's party):
/// normalised by [`text::one_line`], a refusal recorded on `field`. Presence and
/// length are for the caller, who knows the row.
pub fn row_line(errors: &mut FieldErrors, field: &'static str, value: &str) -> String {
    checked(errors, field, text::one_line(value), None, usize::MAX, "")
}

/// Multi-line text of a repeated row (a proposal, a reservation's text):
/// normalised by [`text::multi_line`], a refusal recorded on `field`.
pub fn row_text(errors: &mut FieldErrors, field: &'static str, value: &str) -> String {
    checked(errors, field, text::multi_line(value), None, usize::MAX, "")
}

fn checked(
    errors: &mut FieldErrors,
    field: &'static str,
    normalised: Result<String, text::Refusal>,
    missing: Option<&str>,
    max_chars: usize,
    too_long: &str,
) -> String {
    match normalised {
        Err(refusal) => {
            errors.add(field, refusal.message_sv());
            String::new()
        }
        Ok(value) => {
            if value.is_empty() {
                if let Some(missing) = missing {
                    errors.add(field, missing);
                }
            } else if value.chars().count() > max_chars {
                errors.add(field, too_long);
            }
            value
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_message_per_field_wins() {
        let mut errors = FieldErrors::new();
        errors.add("title", "Ange ärendemening.");
        errors.add("title", "Något annat.");
        errors.add("deadline", "Fel datum.");
        assert_eq!(errors.get("title"), Some("Ange ärendemening."));
        assert_eq!(errors.iter().count(), 2);
    }

    #[test]
    fn required_text_trims_and_checks_length() {
        let mut errors = FieldErrors::new();
        assert_eq!(
            required_text(&mut errors, "a", "  hej ", 3, "saknas", "lång"),
            "hej"
        );
        assert!(errors.is_empty());
        required_text(&mut errors, "b", "   ", 3, "saknas", "lång");
        required_text(&mut errors, "c", "hejsan", 3, "saknas", "lång");
        assert_eq!(errors.get("b"), Some("saknas"));
        assert_eq!(errors.get("c"), Some("lång"));
    }

    #[test]
    fn text_fields_are_normalised_and_refuse_direction_controls() {
        let mut errors = FieldErrors::new();
        assert_eq!(
            required_text(
                &mut errors,
                "title",
                "Rubrik\u{0}\r\nmed rad",
                100,
                "saknas",
                "lång"
            ),
            "Rubrik med rad"
        );
        assert_eq!(
            optional_multi_line(
                &mut errors,
                "text",
                "Rad 1\r\nRad\u{1B} 2\u{200B}",
                100,
                "lång"
            ),
            "Rad 1\nRad 2"
        );
        assert!(errors.is_empty());
        // Only invisible characters: missing.
        required_text(&mut errors, "name", "\u{200B}\u{0}", 100, "saknas", "lång");
        required_multi_line(
            &mut errors,
            "reason",
            "\u{FEFF}\n\u{200B}",
            100,
            "saknas",
            "lång",
        );
        assert_eq!(errors.get("name"), Some("saknas"));
        assert_eq!(errors.get("reason"), Some("saknas"));
        for (field, value) in [("a", "Avtal \u{202E}fdp.exe"), ("b", "x\u{2066}y")] {
            optional_text(&mut errors, field, value, 100, "lång");
            assert!(
                errors.get(field).unwrap().contains("osynliga styrtecken"),
                "{field}"
            );
        }
        optional_multi_line(&mut errors, "c", "\u{202D}", 100, "lång");
        assert!(errors.get("c").unwrap().contains("osynliga styrtecken"));
    }

    #[test]
    fn length_is_counted_after_normalisation() {
        let mut errors = FieldErrors::new();
        // Three letters, each written as a base letter and a combining mark.
        optional_text(
            &mut errors,
            "a",
            "a\u{030A}a\u{0308}o\u{0308}\u{200B}",
            3,
            "lång",
        );
        assert!(errors.is_empty());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let mut errors = FieldErrors::new();
        optional_text(&mut errors, "a", "åäö", 3, "lång");
        assert!(errors.is_empty());
    }
}
