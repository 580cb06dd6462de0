//! Field errors of a form: the Swedish message beside each field.

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

/// Trims a text field and checks its length in characters.
pub fn required_text(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    max_chars: usize,
    missing: &str,
    too_long: &str,
) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, missing);
    } else if value.chars().count() > max_chars {
        errors.add(field, too_long);
    }
    value.to_string()
}

/// An optional text field: trimmed, empty allowed, length checked.
pub fn optional_text(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    max_chars: usize,
    too_long: &str,
) -> String {
    let value = value.trim();
    if value.chars().count() > max_chars {
        errors.add(field, too_long);
    }
    value.to_string()
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
    fn length_counts_characters_not_bytes() {
        let mut errors = FieldErrors::new();
        optional_text(&mut errors, "a", "åäö", 3, "lång");
        assert!(errors.is_empty());
    }
}
