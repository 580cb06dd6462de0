//! CSV for spreadsheets: separated by semicolons, which Excel with Swedish
//! settings opens straight into columns (the comma is the decimal sign there),
//! quoted fields, and cells that a spreadsheet would run as a formula made inert.

/// One field: always quoted (inner quotes doubled), and a leading `=`, `+`, `-`,
/// `@`, tab or carriage return prefixed with `'` so that Excel and LibreOffice show
/// it as text instead of evaluating it (CSV/formula injection).
pub fn field(value: &str) -> String {
    let inert = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    };
    format!("\"{}\"", inert.replace('"', "\"\""))
}

/// A record, its fields separated by `;`, ended by CRLF as RFC 4180 has it.
pub fn row<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(";");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_with_doubled_quotes() {
        assert_eq!(field("Arbetsmarknadsnämnden"), "\"Arbetsmarknadsnämnden\"");
        assert_eq!(
            field("Det ”goda” och \"bästa\""),
            "\"Det ”goda” och \"\"bästa\"\"\""
        );
        assert_eq!(
            field("rad ett\nrad två, med komma"),
            "\"rad ett\nrad två, med komma\""
        );
        assert_eq!(field(""), "\"\"");
    }

    #[test]
    fn formulas_are_made_inert() {
        for dangerous in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\tX",
            "\rX",
        ] {
            let cell = field(dangerous);
            assert!(cell.starts_with("\"'"), "{dangerous:?} -> {cell}");
        }
        assert_eq!(field("1. Nämnden beslutar"), "\"1. Nämnden beslutar\"");
        assert_eq!(field("a=b"), "\"a=b\"");
    }

    #[test]
    fn rows_are_separated_by_semicolons_and_end_with_crlf() {
        assert_eq!(row(&["a", "=b", "1,5"]), "\"a\";\"'=b\";\"1,5\"\r\n");
    }
}
