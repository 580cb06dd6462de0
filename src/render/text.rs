//! The user's text as the documents print it: every character that prints, and
//! none that would act instead (control characters, bidirectional overrides that
//! would turn the following text around, invisible format characters).

/// Line ends made `\n`, tabs made spaces; control, format and non-characters
/// removed. Everything else is kept as written.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\u{2028}' | '\u{2029}' => out.push('\n'),
            '\t' => out.push(' '),
            c if acts_instead_of_printing(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// C0 and C1 controls, the format characters (Unicode category Cf: bidirectional
/// embeddings, overrides and isolates, zero-width characters, the byte order mark,
/// interlinear annotation marks, tags) and the non-characters. The soft hyphen,
/// also Cf, stays: it prints where a word is broken.
fn acts_instead_of_printing(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1F}'
        | '\u{7F}'..='\u{9F}'
        | '\u{600}'..='\u{605}'
        | '\u{61C}'
        | '\u{6DD}'
        | '\u{70F}'
        | '\u{890}'..='\u{891}'
        | '\u{8E2}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FDD0}'..='\u{FDEF}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{FFFE}'..='\u{FFFF}'
        | '\u{110BD}'
        | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}'
    ) || (c as u32 & 0xFFFE) == 0xFFFE
}

/// Every string in a JSON value cleaned with `clean`, and then passed through
/// `drawable` (which replaces what the fonts cannot draw).
pub fn clean_json(value: &mut serde_json::Value, drawable: &impl Fn(String) -> String) {
    match value {
        serde_json::Value::String(s) => *s = drawable(clean(s)),
        serde_json::Value::Array(items) => {
            for item in items {
                clean_json(item, drawable);
            }
        }
        serde_json::Value::Object(fields) => {
            for field in fields.values_mut() {
                clean_json(field, drawable);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printing_characters_stay_as_written() {
        let text =
            "Remiss från Kommunstyrelsen – §§ 1–3, ”citat” 16‑29 år <b>#set *fet* $x$ \\ @ref";
        assert_eq!(clean(text), text);
        assert_eq!(clean("Đorđević Ŋ ŧ Ærø ß 日本"), "Đorđević Ŋ ŧ Ærø ß 日本");
        assert_eq!(clean("av\u{AD}stavning"), "av\u{AD}stavning");
    }

    #[test]
    fn line_ends_and_tabs_are_plain() {
        assert_eq!(clean("a\r\nb\rc\u{2028}d\te"), "a\nb\nc\nd e");
    }

    #[test]
    fn characters_that_act_are_removed() {
        assert_eq!(clean("fet \u{202E}tset\u{202C} slut"), "fet tset slut");
        assert_eq!(clean("\u{FEFF}a\u{200B}b\u{2066}c\u{2069}"), "abc");
        assert_eq!(clean("a\u{0}b\u{7}c\u{1B}[31md\u{85}"), "abc[31md");
        assert_eq!(clean("x\u{FFFE}\u{1FFFF}\u{E0041}y"), "xy");
    }

    #[test]
    fn json_strings_are_cleaned_everywhere() {
        let mut value = serde_json::json!({"a": ["x\u{202E}y", {"b": "1\t2"}], "n": 3});
        clean_json(&mut value, &|s| s.to_uppercase());
        assert_eq!(
            value,
            serde_json::json!({"a": ["XY", {"b": "1 2"}], "n": 3})
        );
    }
}
