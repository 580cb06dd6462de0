//! Diarienummer: `PREFIX YEAR/SEQ`, e.g. `KS 2019/1939`.

use std::fmt;
use std::str::FromStr;

/// The letters that open an organ's diarienummer (`KS`, `AMN`): one to ten capital
/// letters, Swedish ones included.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DiariumPrefix(String);

impl DiariumPrefix {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let prefix = input.trim().to_uppercase();
        if prefix.is_empty() {
            return Err("Ange diarieprefix.");
        }
        if prefix.chars().count() > 10 {
            return Err("Diarieprefixet får vara högst 10 bokstäver.");
        }
        if !prefix
            .chars()
            .all(|c| c.is_ascii_uppercase() || "ÅÄÖ".contains(c))
        {
            return Err("Diarieprefixet får bara innehålla bokstäver A–Ö.");
        }
        Ok(Self(prefix))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DiariumPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A registration number in an organ's diarium.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Dnr {
    pub prefix: String,
    pub year: i32,
    pub seq: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Diarienumret ska skrivas som PREFIX ÅR/NUMMER, till exempel KS 2019/1939.")]
pub struct DnrParseError;

impl FromStr for Dnr {
    type Err = DnrParseError;

    /// Accepts the written form with any spacing and case: `ks 2019/1939`, `AMN  2026/12`.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let input = input.trim();
        let split = input
            .find(|c: char| c.is_ascii_digit())
            .ok_or(DnrParseError)?;
        let prefix = DiariumPrefix::parse(&input[..split]).map_err(|_| DnrParseError)?;
        let (year, seq) = input[split..].split_once('/').ok_or(DnrParseError)?;
        let year = parse_number(year, 4)?;
        let seq = parse_number(seq, 9)?;
        if !(1900..=9999).contains(&year) || seq < 1 {
            return Err(DnrParseError);
        }
        Ok(Dnr {
            prefix: prefix.0,
            year,
            seq,
        })
    }
}

fn parse_number(digits: &str, max_len: usize) -> Result<i32, DnrParseError> {
    let digits = digits.trim();
    if digits.is_empty() || digits.len() > max_len || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DnrParseError);
    }
    digits.parse().map_err(|_| DnrParseError)
}

impl fmt::Display for Dnr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}/{}", self.prefix, self.year, self.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dnr(prefix: &str, year: i32, seq: i32) -> Dnr {
        Dnr {
            prefix: prefix.into(),
            year,
            seq,
        }
    }

    #[test]
    fn formats_as_prefix_year_slash_seq() {
        assert_eq!(dnr("KS", 2019, 1939).to_string(), "KS 2019/1939");
        assert_eq!(dnr("AMN", 2026, 1).to_string(), "AMN 2026/1");
    }

    #[test]
    fn parses_the_written_form() {
        assert_eq!("KS 2019/1939".parse(), Ok(dnr("KS", 2019, 1939)));
        assert_eq!("AMN 2026/12".parse(), Ok(dnr("AMN", 2026, 12)));
    }

    #[test]
    fn parsing_tolerates_case_and_spacing() {
        assert_eq!("  ks 2019 / 1939 ".parse(), Ok(dnr("KS", 2019, 1939)));
        assert_eq!("amn2026/3".parse(), Ok(dnr("AMN", 2026, 3)));
        assert_eq!("KFÖ 2020/5".parse(), Ok(dnr("KFÖ", 2020, 5)));
    }

    #[test]
    fn parse_and_display_round_trip() {
        for text in ["KS 2019/1939", "SN 2026/1", "UN 1999/123456"] {
            assert_eq!(text.parse::<Dnr>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn rejects_malformed_numbers() {
        for bad in [
            "",
            "KS",
            "KS 2019",
            "KS 2019/",
            "KS /12",
            "2019/1939",
            "KS 19/1939",
            "KS 20199/1",
            "KS 2019/0",
            "KS 2019/-1",
            "KS 2019/12a",
            "K-S 2019/12",
            "KOMMUNSTYRELSEN 2019/1",
            "KS 1899/1",
            "KS 2019/1234567890",
        ] {
            assert_eq!(bad.parse::<Dnr>(), Err(DnrParseError), "{bad:?}");
        }
    }

    #[test]
    fn prefix_is_upper_cased_and_checked() {
        assert_eq!(DiariumPrefix::parse(" amn ").unwrap().as_str(), "AMN");
        assert_eq!(DiariumPrefix::parse("ÖFN").unwrap().as_str(), "ÖFN");
        assert!(DiariumPrefix::parse("").is_err());
        assert!(DiariumPrefix::parse("K S").is_err());
        assert!(DiariumPrefix::parse("KS1").is_err());
        assert!(DiariumPrefix::parse("ABCDEFGHIJK").is_err());
    }
}
