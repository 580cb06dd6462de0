//! What a search box query means: words for full-text search, and diarienummer
//! looked up exactly or by prefix.

/// A query that looks like (part of) a diarienummer.
///
/// `seq` is the number as an integer, for our own diarienummer (`AMN 2026/1`);
/// `seq_written` is its digits as typed, for a sender's number, which government
/// bodies write zero-padded (`LI2025/01842`): read as an integer and written
/// again, `01842` would become `1842` and never be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnrQuery {
    /// `AMN 2026/1`: that number exactly, and (by prefix) `AMN 2026/10`…
    Full {
        prefix: String,
        year: i32,
        seq: i32,
        seq_written: String,
    },
    /// `AMN 2026` or `AMN 2026/`: all of an organ's numbers that year.
    PrefixYear { prefix: String, year: i32 },
    /// `2019/1939`: any diarium's (or a sender's) number with that year and sequence.
    YearSeq {
        year: i32,
        seq: i32,
        seq_written: String,
    },
}

impl DnrQuery {
    /// The text a case's `dnr_text` starts with, for a prefix match.
    pub fn text_prefix(&self) -> Option<String> {
        match self {
            DnrQuery::Full {
                prefix, year, seq, ..
            } => Some(format!("{prefix} {year}/{seq}")),
            DnrQuery::PrefixYear { prefix, year } => Some(format!("{prefix} {year}/")),
            DnrQuery::YearSeq { .. } => None,
        }
    }

    /// `YEAR/SEQ` of a sender's number as written, leading zeros kept
    /// (`2025/01842`): what a sender's dnr key (the `[0-9]{4}/[0-9]+` of the
    /// number as registered) starts with when it is that number.
    pub fn year_seq(&self) -> Option<String> {
        match self {
            DnrQuery::Full {
                year, seq_written, ..
            }
            | DnrQuery::YearSeq {
                year, seq_written, ..
            } => Some(format!("{year}/{seq_written}")),
            DnrQuery::PrefixYear { .. } => None,
        }
    }
}

/// Reads a query as a diarienummer if it is one: letters (optional), a four-digit
/// year, and optionally `/` and a number. Anything else is `None`.
pub fn dnr_query(query: &str) -> Option<DnrQuery> {
    let query = query.trim();
    let digits_at = query.find(|c: char| c.is_ascii_digit())?;
    let prefix = query[..digits_at].trim().to_uppercase();
    if !prefix
        .chars()
        .all(|c| c.is_ascii_uppercase() || "ÅÄÖ".contains(c))
        || prefix.chars().count() > 10
    {
        return None;
    }
    let rest = query[digits_at..].replace(' ', "");
    let (year, seq) = match rest.split_once('/') {
        Some((year, seq)) => (year.to_string(), Some(seq.to_string())),
        None => (rest.clone(), None),
    };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let seq = match seq.as_deref() {
        None | Some("") => None,
        Some(seq) if seq.len() <= 9 && seq.bytes().all(|b| b.is_ascii_digit()) => {
            Some((seq.parse::<i32>().ok()?, seq.to_string()))
        }
        Some(_) => return None,
    };
    match (prefix.is_empty(), seq) {
        (false, Some((seq, seq_written))) => Some(DnrQuery::Full {
            prefix,
            year,
            seq,
            seq_written,
        }),
        (false, None) => Some(DnrQuery::PrefixYear { prefix, year }),
        (true, Some((seq, seq_written))) => Some(DnrQuery::YearSeq {
            year,
            seq,
            seq_written,
        }),
        (true, None) => None,
    }
}

/// At most this many words of a query are searched for, the first ones: each word
/// adds to the work of matching and ranking every candidate, and an anonymous
/// query of a thousand common words held the database for half a minute. The
/// page says when words were left out.
pub const MAX_SEARCH_WORDS: usize = 8;

/// Only this many characters of a query (or a filter's text) are read.
pub const MAX_QUERY_CHARS: usize = 200;

/// The first [`MAX_QUERY_CHARS`] characters of a visitor's text.
pub fn bounded(text: &str) -> &str {
    match text.char_indices().nth(MAX_QUERY_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// A filter's text as a part of what `ILIKE '%' || text || '%'` looks for: its
/// own `%`, `_` and `\` match only themselves, and it is read as a lookup is
/// (one line, direction controls dropped).
pub fn like_part(text: &str) -> String {
    let mut escaped = String::new();
    for c in crate::domain::text::lookup_key(bounded(text)).chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The distinct words searched for, in order, and whether any were left out.
fn search_words(query: &str) -> (Vec<String>, bool) {
    let mut words: Vec<String> = Vec::new();
    let mut left_out = bounded(query).len() < query.len();
    for word in bounded(query)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        if words.contains(&word) {
            continue;
        }
        if words.len() == MAX_SEARCH_WORDS {
            left_out = true;
            break;
        }
        words.push(word);
    }
    (words, left_out)
}

/// Whether [`tsquery`] leaves out some of the query (too long, too many words).
pub fn words_left_out(query: &str) -> bool {
    search_words(query).1
}

/// The words of a query as a PostgreSQL `tsquery` (for `to_tsquery('swedish', …)`):
/// every word must occur, and words of four letters or more also match as the
/// start of a longer word, since Swedish builds compounds (`trygghet` finds
/// `trygghetsprogram`). Only letters and digits pass, so the query cannot be
/// malformed; a word given twice counts once, and only the first
/// [`MAX_SEARCH_WORDS`] are kept. An empty string means no words.
pub fn tsquery(query: &str) -> String {
    search_words(query)
        .0
        .into_iter()
        .map(|w| {
            if w.chars().count() >= 4 {
                format!("{w}:*")
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// How many of the newest matches of each kind a search ranks (`/sok` and the
/// diarium). Ranking every match of a common word reads hundreds of thousands of
/// rows; below 500 the planner walks the whole index for a rare word (see
/// BENCHMARKS.md).
pub const RANKED_MATCHES: i64 = 500;

/// Marks the database puts around matched words in a snippet.
pub const HIGHLIGHT_START: char = '⟦';
pub const HIGHLIGHT_END: char = '⟧';

/// A snippet split into runs of plain and highlighted text, so that a page can
/// escape the text and mark the matches without handling HTML itself.
pub fn snippet_segments(snippet: &str) -> Vec<(String, bool)> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut highlighted = false;
    for c in snippet.chars() {
        if c == HIGHLIGHT_START || c == HIGHLIGHT_END {
            if !current.is_empty() {
                segments.push((std::mem::take(&mut current), highlighted));
            }
            highlighted = c == HIGHLIGHT_START;
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        segments.push((current, highlighted));
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_numbers_with_any_spacing_and_case() {
        let amn = DnrQuery::Full {
            prefix: "AMN".into(),
            year: 2026,
            seq: 1,
            seq_written: "1".into(),
        };
        assert_eq!(dnr_query("AMN 2026/1"), Some(amn.clone()));
        assert_eq!(dnr_query(" amn 2026 / 1 "), Some(amn.clone()));
        assert_eq!(dnr_query("AMN2026/1"), Some(amn));
        assert_eq!(
            dnr_query("KS 2019/1939").unwrap().text_prefix().unwrap(),
            "KS 2019/1939"
        );
    }

    #[test]
    fn an_organs_year() {
        let year = DnrQuery::PrefixYear {
            prefix: "AMN".into(),
            year: 2026,
        };
        assert_eq!(dnr_query("AMN 2026"), Some(year.clone()));
        assert_eq!(dnr_query("amn 2026/"), Some(year.clone()));
        assert_eq!(year.text_prefix().unwrap(), "AMN 2026/");
        assert_eq!(year.year_seq(), None);
    }

    #[test]
    fn year_and_number_alone() {
        let q = dnr_query("2019/1939").unwrap();
        assert_eq!(
            q,
            DnrQuery::YearSeq {
                year: 2019,
                seq: 1939,
                seq_written: "1939".into(),
            }
        );
        assert_eq!(q.year_seq().unwrap(), "2019/1939");
        assert_eq!(q.text_prefix(), None);
    }

    #[test]
    fn a_filters_wildcards_match_only_themselves() {
        assert_eq!(like_part("kulturdep"), "kulturdep");
        assert_eq!(like_part("100%"), "100\\%");
        assert_eq!(like_part("a_b"), "a\\_b");
        assert_eq!(like_part("c:\\x"), "c:\\\\x");
        assert_eq!(like_part("%"), "\\%");
        assert_eq!(
            like_part("Kultur\u{202E}departementet"),
            "Kulturdepartementet"
        );
    }

    /// Government bodies pad their numbers with zeros: the sender's number is
    /// looked up as written, our own diarienummer by its value.
    #[test]
    fn a_senders_number_keeps_its_leading_zeros() {
        for (query, prefix, sender_key) in [
            ("LI2025/01842", "LI 2025/1842", "2025/01842"),
            ("li2025/01842", "LI 2025/1842", "2025/01842"),
            ("Fi2025/00871", "FI 2025/871", "2025/00871"),
            ("Fi 2025 / 00871", "FI 2025/871", "2025/00871"),
            ("AMN 2026/0001", "AMN 2026/1", "2026/0001"),
        ] {
            let q = dnr_query(query).unwrap();
            assert_eq!(q.text_prefix().as_deref(), Some(prefix), "{query}");
            assert_eq!(q.year_seq().as_deref(), Some(sender_key), "{query}");
        }
        let q = dnr_query("2025/01842").unwrap();
        assert_eq!(
            q,
            DnrQuery::YearSeq {
                year: 2025,
                seq: 1842,
                seq_written: "01842".into(),
            }
        );
        assert_eq!(q.year_seq().as_deref(), Some("2025/01842"));
        // Our own numbers are never padded, and still found as before.
        let own = dnr_query("AMN 2026/1").unwrap();
        assert_eq!(own.text_prefix().as_deref(), Some("AMN 2026/1"));
        assert_eq!(own.year_seq().as_deref(), Some("2026/1"));
    }

    #[test]
    fn words_are_not_numbers() {
        for words in [
            "trygghet",
            "trygghetsprogram 2020-2023",
            "2020",
            "",
            "KS",
            "AMN 20/1",
            "AMN 2026/1a",
            "Stockholms stad 2019/1939",
            "12345/1",
        ] {
            assert_eq!(dnr_query(words), None, "{words}");
        }
    }

    #[test]
    fn queries_become_prefix_terms_joined_by_and() {
        assert_eq!(tsquery("trygghet"), "trygghet:*");
        assert_eq!(tsquery("  Trygghet för unga "), "trygghet:* & för & unga:*");
        assert_eq!(tsquery("a'b|c & !(d)"), "a & b & c & d");
        assert_eq!(tsquery("Östermalm"), "östermalm:*");
        assert_eq!(tsquery(" '&|! "), "");
    }

    #[test]
    fn a_query_keeps_its_first_eight_distinct_words() {
        let thousand = vec!["stad"; 1000].join(" ");
        assert_eq!(tsquery(&thousand), "stad:*");
        assert!(words_left_out(&thousand), "cut at 200 characters");
        assert!(
            !words_left_out("stad stad stad"),
            "repeats are not left out"
        );

        let many = "ett två tre fyra fem sex sju åtta nio tio";
        assert_eq!(
            tsquery(many),
            "ett & två & tre & fyra:* & fem & sex & sju & åtta:*"
        );
        assert!(words_left_out(many));
        assert!(!words_left_out("ett två tre fyra fem sex sju åtta"));
    }

    #[test]
    fn only_the_first_200_characters_are_read() {
        let long = "å".repeat(300);
        assert_eq!(bounded(&long).chars().count(), MAX_QUERY_CHARS);
        assert_eq!(bounded("kort"), "kort");
        assert_eq!(tsquery(&long), format!("{}:*", "å".repeat(200)));
    }

    #[test]
    fn snippets_split_into_marked_runs() {
        assert_eq!(
            snippet_segments("Stockholms stads ⟦trygghetsprogram⟧ 2020 och ⟦trygghet⟧"),
            vec![
                ("Stockholms stads ".to_string(), false),
                ("trygghetsprogram".to_string(), true),
                (" 2020 och ".to_string(), false),
                ("trygghet".to_string(), true),
            ]
        );
        assert!(snippet_segments("").is_empty());
    }
}
