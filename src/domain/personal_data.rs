//! Detection and masking of Swedish personnummer and samordningsnummer.
//!
//! Everything that is published in the public diarium passes through
//! [`mask`] first. A number is only treated as a personnummer or
//! samordningsnummer if it has one of Skatteverket's written forms, a real
//! calendar date and a valid Luhn check digit; that keeps diarienummer,
//! dates, phone numbers and amounts untouched.
//!
//! Accepted forms (separator is `-`, `+` or nothing; never a space):
//!
//! * `YYMMDD-NNNC`, `YYMMDD+NNNC`, `YYMMDDNNNC` (10 digits)
//! * `YYYYMMDD-NNNC`, `YYYYMMDDNNNC` (12 digits; `+` is tolerated here too)
//!
//! Where a choice had to be made, it leans towards masking: a missed
//! personnummer in a public document is a data leak, whereas an
//! over-masked reference number only costs readability.

/// One number found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
    pub kind: NumberKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    Personnummer,
    Samordningsnummer,
}

impl NumberKind {
    /// The replacement text used by [`mask`].
    fn mask_text(self) -> &'static str {
        match self {
            NumberKind::Personnummer => "[personnummer dolt]",
            NumberKind::Samordningsnummer => "[samordningsnummer dolt]",
        }
    }
}

/// Every personnummer or samordningsnummer in `text` with a valid check digit.
///
/// Findings are returned in text order and never overlap. Offsets always lie
/// on char boundaries, because a number starts and ends with an ASCII digit.
pub fn find(text: &str) -> Vec<Finding> {
    let bytes = text.as_bytes();
    let mut findings = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // Bytes of multi-byte UTF-8 characters are all >= 0x80, so a byte
        // that is an ASCII digit is always a whole character.
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // `i` is the first digit of a run: we always jump past whole runs,
        // so a match can never begin in the middle of a longer number.
        let run_end = digit_run_end(bytes, i);
        match candidate_at(text, i, run_end) {
            Some(finding) => {
                i = finding.end;
                findings.push(finding);
            }
            None => i = run_end,
        }
    }
    findings
}

/// The text with each finding replaced by a mask that keeps the length class but hides the digits,
/// e.g. "19811218-9876" -> "[personnummer dolt]" ; "811278-9873" (samordningsnummer) -> "[samordningsnummer dolt]".
/// Returns the masked text and the findings.
pub fn mask(text: &str) -> (String, Vec<Finding>) {
    let findings = find(text);
    let mut out = String::with_capacity(text.len());
    let mut copied_to = 0;
    for f in &findings {
        // Everything between findings is copied verbatim, byte for byte.
        out.push_str(&text[copied_to..f.start]);
        out.push_str(f.kind.mask_text());
        copied_to = f.end;
    }
    out.push_str(&text[copied_to..]);
    (out, findings)
}

/// Index just past the run of ASCII digits starting at `start`.
fn digit_run_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|b| !b.is_ascii_digit())
        .map_or(bytes.len(), |n| start + n)
}

/// A letter or digit (in any script) directly next to the number means it is
/// part of a longer token, e.g. "AB198112189876" or "x811218-9876", and
/// is not a personnummer on its own.
fn is_glue(c: Option<char>) -> bool {
    c.is_some_and(char::is_alphanumeric)
}

/// Tries to read a number whose first digit run is `text[start..run_end]`.
fn candidate_at(text: &str, start: usize, run_end: usize) -> Option<Finding> {
    if is_glue(text[..start].chars().next_back()) {
        return None;
    }
    let bytes = text.as_bytes();
    let first = &text[start..run_end];

    // Collect the digits without separator, and where the number ends.
    let (digits, end) = match first.len() {
        10 | 12 => (first.to_owned(), run_end),
        6 | 8 => {
            let sep = *bytes.get(run_end)?;
            if sep != b'-' && sep != b'+' {
                return None;
            }
            let tail_start = run_end + 1;
            if !bytes.get(tail_start).is_some_and(u8::is_ascii_digit) {
                return None;
            }
            let tail_end = digit_run_end(bytes, tail_start);
            // Exactly NNNC: "811218-98765" is something else.
            if tail_end - tail_start != 4 {
                return None;
            }
            let mut digits = first.to_owned();
            digits.push_str(&text[tail_start..tail_end]);
            (digits, tail_end)
        }
        _ => return None,
    };

    if is_glue(text[end..].chars().next()) {
        return None;
    }
    // The separator carries no information we can check: `+` only says
    // "100 years or older", which does not fix the century either.
    let kind = classify(digits.as_bytes())?;
    Some(Finding { start, end, kind })
}

/// Validates 10 or 12 ASCII digits (separator already removed) and tells
/// which kind of number they are, or `None` if they are not a valid number.
fn classify(digits: &[u8]) -> Option<NumberKind> {
    let d: Vec<u32> = digits.iter().map(|b| u32::from(b - b'0')).collect();
    let two = |i: usize| d[i] * 10 + d[i + 1];

    // For 12 digits the century is explicit and leap years are exact. Only
    // 18xx-20xx are plausible birth centuries; other prefixes are far more
    // likely to be some unrelated 12-digit number.
    let (ten, leap_feb): (&[u32], bool) = match d.len() {
        12 => {
            let century = two(0);
            if !(18..=20).contains(&century) {
                return None;
            }
            (&d[2..], is_leap_year(century * 100 + two(2)))
        }
        // With 10 digits the century is unknown (the `+` only says "100 years
        // or older", which does not pin down the century either). Accept
        // Feb 29 if 19YY or 20YY is a leap year; since 2000 is a leap year
        // that is exactly "YY divisible by 4".
        10 => (&d[..], two(0).is_multiple_of(4)),
        _ => return None,
    };

    let month = ten[2] * 10 + ten[3];
    let raw_day = ten[4] * 10 + ten[5];
    // Samordningsnummer are issued with day + 60.
    let (day, kind) = if raw_day > 60 {
        (raw_day - 60, NumberKind::Samordningsnummer)
    } else {
        (raw_day, NumberKind::Personnummer)
    };
    if day < 1 || day > days_in_month(month, leap_feb)? {
        return None;
    }

    if luhn_check_digit(&ten[..9]) != ten[9] {
        return None;
    }
    Some(kind)
}

fn is_leap_year(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// `None` for a month outside 1–12.
fn days_in_month(month: u32, leap_feb: bool) -> Option<u32> {
    Some(match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap_feb => 29,
        2 => 28,
        _ => return None,
    })
}

/// Skatteverket's Luhn variant: weights 2,1,2,1,... from the left over
/// YYMMDDNNN, digit sums of the products, C = (10 - sum % 10) % 10.
fn luhn_check_digit(nine: &[u32]) -> u32 {
    let sum: u32 = nine
        .iter()
        .enumerate()
        .map(|(i, &digit)| {
            let product = if i % 2 == 0 { digit * 2 } else { digit };
            product / 10 + product % 10
        })
        .sum();
    (10 - sum % 10) % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Independent Luhn implementation for the tests (string based, doubling
    /// via a lookup table) so a bug in `luhn_check_digit` is not mirrored.
    fn check_digit(nine: &str) -> char {
        const DOUBLED_DIGIT_SUM: [u32; 10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];
        assert_eq!(nine.len(), 9);
        let mut sum = 0;
        for (i, c) in nine.chars().enumerate() {
            let v = c.to_digit(10).unwrap();
            sum += if i % 2 == 0 {
                DOUBLED_DIGIT_SUM[v as usize]
            } else {
                v
            };
        }
        char::from_digit((10 - sum % 10) % 10, 10).unwrap()
    }

    /// A valid 10-digit number "YYMMDD{sep}NNNC" for the given date part.
    fn valid10(yymmdd: &str, sep: &str, nnn: &str) -> String {
        let c = check_digit(&format!("{yymmdd}{nnn}"));
        format!("{yymmdd}{sep}{nnn}{c}")
    }

    /// A valid 12-digit number "YYYYMMDD{sep}NNNC" for the given date part.
    fn valid12(yyyymmdd: &str, sep: &str, nnn: &str) -> String {
        let c = check_digit(&format!("{}{nnn}", &yyyymmdd[2..]));
        format!("{yyyymmdd}{sep}{nnn}{c}")
    }

    /// The same number with its check digit replaced by every wrong digit.
    fn with_wrong_check_digits(valid: &str) -> Vec<String> {
        let (body, last) = valid.split_at(valid.len() - 1);
        ('0'..='9')
            .filter(|&c| c.to_string() != last)
            .map(|c| format!("{body}{c}"))
            .collect()
    }

    /// The matched substrings of `text`.
    fn matched(text: &str) -> Vec<&str> {
        find(text).iter().map(|f| &text[f.start..f.end]).collect()
    }

    fn kinds(text: &str) -> Vec<NumberKind> {
        find(text).iter().map(|f| f.kind).collect()
    }

    #[test]
    fn test_helper_agrees_with_known_examples() {
        assert_eq!(check_digit("121212121"), '2');
        assert_eq!(check_digit("811218987"), '6');
        assert_eq!(check_digit("701063239"), '1');
    }

    #[test]
    fn known_valid_examples_are_found() {
        for text in [
            "19121212-1212",
            "121212-1212",
            "811218-9876",
            "198112189876",
        ] {
            assert_eq!(matched(text), vec![text], "{text}");
            assert_eq!(kinds(text), vec![NumberKind::Personnummer], "{text}");
        }
        for text in ["701063-2391", "19701063-2391", "7010632391"] {
            assert_eq!(matched(text), vec![text], "{text}");
            assert_eq!(kinds(text), vec![NumberKind::Samordningsnummer], "{text}");
        }
    }

    #[test]
    fn every_form_is_accepted() {
        let forms = [
            valid10("811218", "", "987"),
            valid10("811218", "-", "987"),
            valid10("811218", "+", "987"),
            valid12("19811218", "", "987"),
            valid12("19811218", "-", "987"),
            valid12("19811218", "+", "987"),
            valid12("20051231", "-", "123"),
            valid12("18991231", "-", "456"),
        ];
        for text in &forms {
            let found = find(text);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!((found[0].start, found[0].end), (0, text.len()), "{text}");
            assert_eq!(found[0].kind, NumberKind::Personnummer, "{text}");
        }
    }

    #[test]
    fn space_is_not_a_separator() {
        assert!(find("811218 9876").is_empty());
        assert!(find("19811218 9876").is_empty());
        assert!(find("811218 - 9876").is_empty());
    }

    #[test]
    fn other_separators_are_not_accepted() {
        assert!(find("811218/9876").is_empty());
        assert!(find("811218.9876").is_empty());
        assert!(find("811218--9876").is_empty());
    }

    #[test]
    fn invalid_check_digit_is_rejected() {
        for valid in [
            "811218-9876",
            "8112189876",
            "811218+9876",
            "19811218-9876",
            "198112189876",
            "701063-2391",
        ] {
            assert_eq!(find(valid).len(), 1, "{valid}");
            for wrong in with_wrong_check_digits(valid) {
                assert!(find(&wrong).is_empty(), "{wrong}");
            }
        }
    }

    #[test]
    fn invalid_dates_are_rejected_even_with_valid_check_digit() {
        for date in [
            "811318", // month 13
            "810018", // month 00
            "811232", // day 32
            "811200", // day 00
            "810230", // Feb 30
            "810431", // Apr 31
            "230229", // Feb 29: neither 1923 nor 2023 is a leap year
            "811260", // day 60 is neither a real day nor a samordningsnummer
        ] {
            for sep in ["", "-", "+"] {
                let text = valid10(date, sep, "123");
                assert!(find(&text).is_empty(), "{text}");
            }
        }
        for date in [
            "19811318", "19811232", "19810230", "19810631", "20230229", // not a leap year
            "19000229", // divisible by 100, not by 400
            "21000229",
        ] {
            let text = valid12(date, "-", "123");
            assert!(find(&text).is_empty(), "{text}");
        }
    }

    #[test]
    fn leap_days() {
        // 12 digits: exact Gregorian rule.
        for date in ["20000229", "20240229", "19960229"] {
            let text = valid12(date, "-", "123");
            assert_eq!(matched(&text), vec![text.as_str()]);
        }
        // 10 digits: valid if 19YY or 20YY is a leap year.
        for date in ["000229", "240229", "960229"] {
            let text = valid10(date, "-", "123");
            assert_eq!(matched(&text), vec![text.as_str()]);
        }
    }

    #[test]
    fn implausible_century_is_rejected() {
        for date in ["17811218", "21811218", "55811218"] {
            let text = valid12(date, "-", "987");
            assert!(find(&text).is_empty(), "{text}");
        }
    }

    #[test]
    fn samordningsnummer_detection() {
        for (date, valid) in [
            ("811278", true),  // Dec 18 + 60
            ("811291", true),  // Dec 31 + 60
            ("810161", true),  // Jan 1 + 60
            ("000289", true),  // Feb 29 2000 + 60
            ("811192", false), // Nov 32
            ("811191", false), // Nov 31
            ("810290", false), // Feb 30
            ("810289", false), // Feb 29 in neither 1981 nor 2081
            ("811299", false),
        ] {
            let text = valid10(date, "-", "239");
            if valid {
                assert_eq!(kinds(&text), vec![NumberKind::Samordningsnummer], "{text}");
            } else {
                assert!(find(&text).is_empty(), "{text}");
            }
        }
        let twelve = valid12("19811278", "", "239");
        assert_eq!(kinds(&twelve), vec![NumberKind::Samordningsnummer]);
        let invalid_leap = valid12("19000289", "-", "239");
        assert!(find(&invalid_leap).is_empty());
    }

    #[test]
    fn not_matched_inside_longer_digit_runs() {
        let pnr = "8112189876";
        for text in [
            format!("1{pnr}"),
            format!("{pnr}1"),
            format!("000{pnr}000"),
            "1198112189876".to_owned(),
            "19811218-98761".to_owned(),
            "119811218-9876".to_owned(),
            "0811218-9876".to_owned(),
        ] {
            assert!(find(&text).is_empty(), "{text}");
        }
    }

    #[test]
    fn separators_next_to_other_digits_do_not_protect_a_number() {
        // Deliberately masked: a reference that embeds a personnummer
        // ("2023-811218-9876") would otherwise leak it.
        assert_eq!(matched("2023-811218-9876"), vec!["811218-9876"]);
        assert_eq!(matched("8112189876-12"), vec!["8112189876"]);
    }

    #[test]
    fn not_matched_when_glued_to_letters() {
        for text in [
            "AB198112189876",
            "198112189876AB",
            "x811218-9876",
            "811218-9876x",
            "å811218-9876",
            "811218-9876ö",
            "Ä19811218-9876",
        ] {
            assert!(find(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn found_in_swedish_text_with_correct_byte_offsets() {
        let text = "Sökande är Åsa Öberg (811218-9876), bosatt i Västerås.";
        let found = find(text);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].start..found[0].end], "811218-9876");
        assert_eq!(found[0].start, text.find("811218").unwrap());
        assert!(text.is_char_boundary(found[0].start));
        assert!(text.is_char_boundary(found[0].end));

        for text in [
            "pnr:19811218-9876.",
            "\"811218-9876\"",
            "«811218-9876»",
            "– 811218-9876 –",
            "\t811218-9876\n",
            "Personnummer: 811218-9876, ärendet gäller…",
            "[8112189876]",
            "ålder 811218+9876; ö",
        ] {
            let found = matched(text);
            assert_eq!(found.len(), 1, "{text}");
            assert!(found[0].starts_with("8112") || found[0].starts_with("1981"));
        }
    }

    #[test]
    fn several_numbers_in_one_text() {
        let text =
            "Parter: 811218-9876 och 19121212-1212; medsökande 701063-2391,121212-1212 (övrig).";
        assert_eq!(
            matched(text),
            vec!["811218-9876", "19121212-1212", "701063-2391", "121212-1212"]
        );
        assert_eq!(
            kinds(text),
            vec![
                NumberKind::Personnummer,
                NumberKind::Personnummer,
                NumberKind::Samordningsnummer,
                NumberKind::Personnummer,
            ]
        );
        // Adjacent findings must not overlap and must be in order.
        let found = find(text);
        for pair in found.windows(2) {
            assert!(pair[0].end <= pair[1].start);
        }
    }

    #[test]
    fn lookalikes_are_not_matched() {
        for text in [
            "KS 2019/1939",
            "Dnr KS 2019/1939, beslut 2020-03-17.",
            "2020-03-17",
            "20200317",
            "Ring 08-508 25 000 eller 070-123 45 67.",
            "Kostnad 1 234 567 kr",
            "Belopp 1234567890 kr", // 10 digits but not a valid date
            "Organisationsnummer 212000-0142",
            "2019-001939",
            "2019/01939-12",
        ] {
            assert!(find(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn mask_replaces_numbers_and_keeps_everything_else() {
        let (masked, found) = mask("Sökande: 19811218-9876 (Åsa).");
        assert_eq!(masked, "Sökande: [personnummer dolt] (Åsa).");
        assert_eq!(found.len(), 1);

        // Samordningsnummer: Dec 18 + 60. (Check digit 3; "811278-9874" is invalid.)
        assert!(find("811278-9874").is_empty());
        let (masked, found) = mask("811278-9873");
        assert_eq!(masked, "[samordningsnummer dolt]");
        assert_eq!(found[0].kind, NumberKind::Samordningsnummer);

        // Build a text from known pieces and check the surrounding bytes survive.
        let pieces = [
            "Ärende KS 2019/1939 – ",
            "811218-9876",
            " och\n\tmedsökande ",
            "701063-2391",
            ", tel. 08-508 25 000, belopp 1 234 567 kr. ",
            "198112189876",
            "",
        ];
        let text: String = pieces.concat();
        let (masked, found) = mask(&text);
        let expected = [
            pieces[0],
            "[personnummer dolt]",
            pieces[2],
            "[samordningsnummer dolt]",
            pieces[4],
            "[personnummer dolt]",
        ]
        .concat();
        assert_eq!(masked, expected);
        assert_eq!(found, find(&text));
        // Offsets refer to the original text, not the masked one.
        assert_eq!(&text[found[1].start..found[1].end], "701063-2391");
    }

    #[test]
    fn mask_without_findings_is_identity() {
        for text in [
            "",
            "Inga nummer här: 2020-03-17, KS 2019/1939.",
            "ÅÄÖ åäö 😀",
        ] {
            let (masked, found) = mask(text);
            assert_eq!(masked, text);
            assert!(found.is_empty());
        }
    }
}
