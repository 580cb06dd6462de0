//! Text as people type or paste it, made fit to keep: the normalisation every
//! form field goes through in the domain's validation ([`super::forms`]).
//!
//! - **Unicode NFC**, so that "å" typed and "å" pasted from a PDF (a + ring) are
//!   the same text, for search, comparison and the personnummer guard.
//! - **Line ends** (`\r\n`, `\r`, NEL, LINE/PARAGRAPH SEPARATOR, and the vertical
//!   tab and form feed that word processors use for manual line and page breaks)
//!   become `\n` in multi-line text, and a space in one-line text. Tabs are kept
//!   only in multi-line text.
//! - **Control characters** (C0 and C1, DEL) and **invisible format characters**
//!   (zero-width spaces, word joiners, soft hyphens, direction marks, byte order
//!   marks, tag characters, Hangul fillers) are removed: they carry nothing a
//!   reader can see, make PostgreSQL refuse the text (NUL), make XML malformed
//!   (ESC, BS, VT) or let two texts that look alike differ. Zero-width joiners are
//!   kept where they join two characters of a script or emoji that needs them
//!   (never between Latin letters), and variation selectors only after a
//!   character outside ASCII.
//! - **Direction overrides, embeddings and isolates** (U+202A–U+202E,
//!   U+2066–U+2069) are refused with [`Refusal::DirectionControls`]: they can make
//!   a title read backwards or hide part of it, and removing them silently could
//!   change what the writer meant to show.
//! - Blank space at the ends is trimmed (one-line text) and trailing space on each
//!   line removed (multi-line text).
//!
//! [`xml_safe`] is the defence in depth for output: any stored text, also text
//! stored before these rules, made valid in an XML 1.0 document (the Atom feed).

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Why a text is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// It holds bidirectional overrides, embeddings or isolates.
    DirectionControls,
}

impl Refusal {
    /// The Swedish message shown beside the field.
    pub fn message_sv(self) -> &'static str {
        match self {
            Refusal::DirectionControls => {
                "Texten innehåller osynliga styrtecken för skrivriktning, som kan få den att visas i fel ordning. Töm fältet och skriv in texten igen, eller klistra in den som oformaterad text."
            }
        }
    }
}

/// A one-line field (a title, a name, a dnr, a place): normalised, every line
/// break and tab made a space, trimmed.
pub fn one_line(input: &str) -> Result<String, Refusal> {
    refuse_direction_controls(input)?;
    Ok(one_line_of(input))
}

/// A multi-line field (a report section, a comment, a reason): normalised, line
/// ends made `\n`, tabs kept, trailing space on each line and blank lines at the
/// ends removed.
pub fn multi_line(input: &str) -> Result<String, Refusal> {
    refuse_direction_controls(input)?;
    let text = cleaned(input);
    let lines: Vec<&str> = text.split('\n').map(str::trim_end).collect();
    Ok(lines.join("\n").trim().to_string())
}

/// A one-line value used only to look something up (a username at login, a
/// search query), never stored as typed: like [`one_line`], but direction
/// controls are dropped rather than refused, since there is nobody to show a
/// message to and nothing to keep.
pub fn lookup_key(input: &str) -> String {
    let without: String = input
        .chars()
        .filter(|c| !is_direction_control(*c))
        .collect();
    one_line_of(&without)
}

/// Whether `c` is a bidirectional embedding, override or isolate (U+202A–U+202E,
/// U+2066–U+2069): the characters that [`one_line`] and [`multi_line`] refuse.
pub fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character that may not or should not appear in an XML 1.0
/// document removed: C0 controls other than tab, line feed and carriage return,
/// DEL and C1 controls, noncharacters (U+FFFE, U+FFFF…), and direction overrides,
/// embeddings and isolates (which would let a feed reader show a title reversed).
/// Borrowed when nothing needs removing, which is the rule for text that passed
/// [`one_line`] or [`multi_line`].
pub fn xml_safe(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            || is_noncharacter(c)
            || is_direction_control(c)
    };
    if text.chars().any(unsafe_char) {
        Cow::Owned(text.chars().filter(|c| !unsafe_char(*c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

fn refuse_direction_controls(input: &str) -> Result<(), Refusal> {
    if input.chars().any(is_direction_control) {
        Err(Refusal::DirectionControls)
    } else {
        Ok(())
    }
}

fn one_line_of(input: &str) -> String {
    cleaned(input)
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// The text with line ends made `\n`, invisible characters removed, in NFC.
/// Direction controls are already refused (or, for a lookup key, removed).
fn cleaned(input: &str) -> String {
    let chars: Vec<char> = input.chars().collect();
    let mut kept = String::with_capacity(input.len());
    let mut previous: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        i += 1;
        let out = match c {
            '\r' if next == Some('\n') => continue,
            '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => '\n',
            '\n' | '\t' => c,
            // Joiners only between two characters that can use them.
            '\u{200C}' | '\u{200D}' => {
                if previous.is_some_and(joinable) && next.is_some_and(joinable) {
                    c
                } else {
                    continue;
                }
            }
            c if is_variation_selector(c) => {
                if previous.is_some_and(|p| {
                    !p.is_ascii() && !p.is_whitespace() && !is_variation_selector(p)
                }) {
                    c
                } else {
                    continue;
                }
            }
            c if is_invisible(c) => continue,
            c => c,
        };
        kept.push(out);
        previous = Some(out);
    }
    kept.nfc().collect()
}

/// Characters that show nothing and mean nothing in this product's texts.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || is_noncharacter(c)
        // Hangul fillers render as blank space outside old Hangul jamo sequences.
        || matches!(c, '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}')
        || (c.general_category() == GeneralCategory::Format && !is_visible_format(c))
}

/// The format characters that are drawn (Arabic and Syriac number signs, the
/// Kaithi number signs): kept.
fn is_visible_format(c: char) -> bool {
    matches!(
        c,
        '\u{0600}'..='\u{0605}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{110BD}'
            | '\u{110CD}'
    )
}

fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// A character that a zero-width joiner or non-joiner may stand beside: visible,
/// and beyond Latin and its combining marks (above U+036F).
fn joinable(c: char) -> bool {
    u32::from(c) > 0x36F
        && !c.is_whitespace()
        && !is_invisible(c)
        && !matches!(c, '\u{200C}' | '\u{200D}')
}

/// U+FDD0–U+FDEF and the last two code points of every plane.
fn is_noncharacter(c: char) -> bool {
    let code = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_composed_to_nfc() {
        // "Västerås" with a + combining ring and a + combining diaeresis.
        let decomposed = "Va\u{0308}stera\u{030A}s";
        assert_eq!(one_line(decomposed).unwrap(), "Västerås");
        assert_eq!(multi_line(decomposed).unwrap(), "Västerås");
        // Ohm sign to omega: NFC's canonical equivalents, not NFKC's compatibility ones.
        assert_eq!(one_line("5 \u{2126}").unwrap(), "5 \u{03A9}");
        assert_eq!(one_line("ﬁ ２").unwrap(), "ﬁ ２");
    }

    #[test]
    fn every_control_character_is_removed() {
        for code in (0u32..0x20).chain(0x7F..0xA0) {
            let c = char::from_u32(code).unwrap();
            let one = one_line(&format!("a{c}b")).unwrap();
            let many = multi_line(&format!("a{c}b")).unwrap();
            match c {
                '\t' => {
                    assert_eq!(one, "a b");
                    assert_eq!(many, "a\tb");
                }
                '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' => {
                    assert_eq!(one, "a b", "{code:#x}");
                    assert_eq!(many, "a\nb", "{code:#x}");
                }
                _ => {
                    assert_eq!(one, "ab", "{code:#x}");
                    assert_eq!(many, "ab", "{code:#x}");
                }
            }
        }
        assert_eq!(
            one_line("Rubrik\u{0}\u{1B}[31m röd\u{8}").unwrap(),
            "Rubrik[31m röd"
        );
    }

    #[test]
    fn line_ends_become_newlines_or_spaces() {
        let typed = "Första stycket.\r\n\r\nAndra\rstycket.\u{2028}Rad\u{2029}Sista  \n";
        assert_eq!(
            multi_line(typed).unwrap(),
            "Första stycket.\n\nAndra\nstycket.\nRad\nSista"
        );
        assert_eq!(
            one_line(typed).unwrap(),
            "Första stycket.  Andra stycket. Rad Sista"
        );
        assert_eq!(multi_line("\n\n  \nText\t\n\n").unwrap(), "Text");
        assert_eq!(multi_line("a\tb\n\tindrag").unwrap(), "a\tb\n\tindrag");
    }

    #[test]
    fn invisible_format_characters_are_removed() {
        for invisible in [
            '\u{00AD}',  // soft hyphen
            '\u{061C}',  // Arabic letter mark
            '\u{180E}',  // Mongolian vowel separator
            '\u{200B}',  // zero-width space
            '\u{200C}',  // zero-width non-joiner, between Latin letters
            '\u{200D}',  // zero-width joiner, between Latin letters
            '\u{200E}',  // left-to-right mark
            '\u{200F}',  // right-to-left mark
            '\u{2060}',  // word joiner
            '\u{2061}',  // function application
            '\u{2064}',  // invisible plus
            '\u{206A}',  // inhibit symmetric swapping
            '\u{FEFF}',  // byte order mark
            '\u{FFF9}',  // interlinear annotation anchor
            '\u{E0001}', // language tag
            '\u{E0041}', // tag latin capital A
            '\u{3164}',  // Hangul filler
            '\u{FFA0}',  // halfwidth Hangul filler
            '\u{FE0F}',  // variation selector after an ASCII letter
            '\u{FFFE}',  // noncharacters
            '\u{FDD0}',
            '\u{10FFFF}',
        ] {
            let text = format!("Tryg{invisible}ghet");
            assert_eq!(
                one_line(&text).unwrap(),
                "Trygghet",
                "{:#x}",
                u32::from(invisible)
            );
            assert_eq!(multi_line(&text).unwrap(), "Trygghet");
        }
        // Only invisible characters: nothing is left, so a required field is empty.
        assert_eq!(one_line("\u{200B}\u{3164}\u{FEFF} \u{200D}").unwrap(), "");
    }

    #[test]
    fn joiners_and_selectors_stay_where_a_script_or_emoji_needs_them() {
        // Persian "mi-khaham" with a zero-width non-joiner.
        let persian = "می\u{200C}خواهم";
        assert_eq!(one_line(persian).unwrap(), persian);
        // Family emoji and a heart on fire: ZWJ sequences with a variation selector.
        for emoji in ["👩\u{200D}👩\u{200D}👧", "❤\u{FE0F}\u{200D}🔥", "☎\u{FE0F}"] {
            assert_eq!(one_line(emoji).unwrap(), emoji);
        }
        // A joiner at an end, beside a space or doubled is removed.
        assert_eq!(one_line("👩\u{200D} 👧").unwrap(), "👩 👧");
        assert_eq!(one_line("👩\u{200D}\u{200D}👧").unwrap(), "👩\u{200D}👧");
        assert_eq!(one_line("☎\u{FE0F}\u{FE0F}").unwrap(), "☎\u{FE0F}");
    }

    #[test]
    fn visible_format_characters_are_kept() {
        let arabic_number = "\u{0600}١٢٣";
        assert_eq!(one_line(arabic_number).unwrap(), arabic_number);
    }

    #[test]
    fn direction_controls_are_refused_in_every_field() {
        for control in ('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}') {
            let spoof = format!("Avtal {control}fdp.exe");
            assert_eq!(one_line(&spoof), Err(Refusal::DirectionControls));
            assert_eq!(multi_line(&spoof), Err(Refusal::DirectionControls));
            assert_eq!(lookup_key(&spoof), "Avtal fdp.exe");
        }
        assert!(
            Refusal::DirectionControls
                .message_sv()
                .contains("innehåller osynliga styrtecken")
        );
    }

    #[test]
    fn ordinary_swedish_text_passes_unchanged() {
        let text = "Stockholms stads trygghetsprogram 2020–2023 – remiss från Kommunstyrelsen (KS 2019/1939), § 12, 1\u{00A0}234\u{00A0}kr, ”citat” och «citat», 50\u{202F}%.";
        assert_eq!(one_line(text).unwrap(), text);
        assert_eq!(multi_line(text).unwrap(), text);
        let paragraphs = "Första stycket.\n\n– En punkt\n– En till\n\nSista.";
        assert_eq!(multi_line(paragraphs).unwrap(), paragraphs);
    }

    #[test]
    fn cleaning_twice_changes_nothing() {
        let samples = [
            "a\r\nb\u{0}c\u{202F}d\u{200B}e\u{0301}",
            "  Rubrik\u{0B}med\u{0C}brytningar\t ",
            "👩\u{200D}👧 Va\u{0308}xjo\u{0308}",
        ];
        for sample in samples {
            let once = one_line(sample).unwrap();
            assert_eq!(one_line(&once).unwrap(), once);
            let once = multi_line(sample).unwrap();
            assert_eq!(multi_line(&once).unwrap(), once);
        }
    }

    #[test]
    fn xml_safe_removes_what_xml_1_0_forbids() {
        assert!(matches!(
            xml_safe("Vanlig text\nmed rader\toch å"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            xml_safe("Titel\u{1B}[0m\u{0B}\u{8}\u{0}slut"),
            "Titel[0mslut"
        );
        assert_eq!(xml_safe("a\u{85}b\u{9F}c"), "abc");
        assert_eq!(xml_safe("a\u{FFFE}b\u{FFFF}c"), "abc");
        assert_eq!(xml_safe("Avtal \u{202E}fdp.exe"), "Avtal fdp.exe");
        // Every code point left is an XML 1.0 Char.
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        for c in xml_safe(&all).chars() {
            let code = u32::from(c);
            assert!(
                matches!(code, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF),
                "{code:#x}"
            );
        }
    }
}
