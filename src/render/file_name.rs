//! The names the documents are saved under: readable, and valid on every system a
//! recipient may use (`Yttrande AMN 2026-3 över LI2025-01842.pdf`).

/// Windows refuses these in a file name; `/` separates folders everywhere.
const FORBIDDEN: &[char] = &['/', '\\', ':', '*', '?', '"', '<', '>', '|'];

/// Longest name kept (in characters, the extension included): well inside every
/// file system's limit, with room for the folder it is saved in.
const MAX_CHARS: usize = 120;

/// `parts` joined by spaces, with the extension: a diarienummer's slash becomes a
/// hyphen (`AMN 2026/3` → `AMN 2026-3`), any other forbidden character too;
/// control and format characters are dropped, runs of spaces made one, and the
/// name ends neither in a dot nor in a space (Windows drops them).
pub fn file_name(parts: &[&str], extension: &str) -> String {
    let joined = parts
        .iter()
        .map(|part| part.trim())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let cleaned: String = super::text::clean(&joined)
        .chars()
        .map(|c| if FORBIDDEN.contains(&c) { '-' } else { c })
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let mut stem = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let room = MAX_CHARS - extension.chars().count() - 1;
    if stem.chars().count() > room {
        stem = stem.chars().take(room).collect();
    }
    let stem = stem.trim_end_matches(['.', ' ']);
    let stem = if stem.is_empty() { "Dokument" } else { stem };
    format!("{stem}.{extension}")
}

/// The name in ASCII, for clients that read only the plain `filename` parameter:
/// Swedish and other Latin letters lose their marks, anything else becomes `_`.
pub fn ascii_fallback(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '"' | '\\' => '_',
            ' '..='~' => c,
            'å' | 'ä' | 'à' | 'á' | 'â' | 'ã' => 'a',
            'Å' | 'Ä' | 'À' | 'Á' | 'Â' | 'Ã' => 'A',
            'ö' | 'ø' | 'ò' | 'ó' | 'ô' | 'õ' => 'o',
            'Ö' | 'Ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' => 'O',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'É' | 'È' | 'Ê' | 'Ë' => 'E',
            'ü' | 'ú' | 'ù' | 'û' => 'u',
            'Ü' | 'Ú' | 'Ù' | 'Û' => 'U',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
            'æ' => 'a',
            'Æ' => 'A',
            'ç' => 'c',
            'Ç' => 'C',
            'ñ' => 'n',
            'Ñ' => 'N',
            '§' => 'S',
            '–' | '—' => '-',
            _ => '_',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reply_is_named_after_both_diarienummer() {
        assert_eq!(
            file_name(&["Yttrande", "AMN 2026/3", "över", "LI2025/01842"], "pdf"),
            "Yttrande AMN 2026-3 över LI2025-01842.pdf"
        );
        assert_eq!(
            file_name(&["Tjänsteutlåtande", "AMN 2026/3"], "docx"),
            "Tjänsteutlåtande AMN 2026-3.docx"
        );
    }

    #[test]
    fn nothing_that_breaks_on_windows_or_in_a_header_survives() {
        let name = file_name(
            &[
                "Yttrande",
                "a/b\\c:d*e?f\"g<h>i|j",
                "\u{202E}gpj.exe\r\nX-Evil: 1\t",
                "slut. . ",
            ],
            "pdf",
        );
        assert_eq!(
            name,
            "Yttrande a-b-c-d-e-f-g-h-i-j gpj.exe X-Evil- 1 slut.pdf"
        );
        for c in name.chars() {
            assert!(!c.is_control() && !FORBIDDEN.contains(&c), "{name:?}");
        }
        assert_eq!(file_name(&["", " "], "pdf"), "Dokument.pdf");
        let long = "x".repeat(500);
        let name = file_name(&["Yttrande", &long], "docx");
        assert_eq!(name.chars().count(), MAX_CHARS);
        assert!(name.ends_with(".docx"));
    }

    #[test]
    fn the_ascii_fallback_is_readable() {
        assert_eq!(
            ascii_fallback("Yttrande AMN 2026-3 över LI2025-01842.pdf"),
            "Yttrande AMN 2026-3 over LI2025-01842.pdf"
        );
        assert_eq!(
            ascii_fallback("Tjänsteutlåtande § 3 日本.pdf"),
            "Tjansteutlatande S 3 __.pdf"
        );
    }
}
