//! Dates as the municipality counts them: calendar days in Europe/Stockholm.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::Stockholm;

/// Today's date in Stockholm at the instant `now`.
pub fn stockholm_date(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Stockholm).date_naive()
}

/// The diarium year of a registration made at `now`: the Stockholm calendar year,
/// so a remiss registered at 00:30 on New Year's Day gets the new year.
pub fn registration_year(now: DateTime<Utc>) -> i32 {
    stockholm_date(now).year()
}

/// A date field as typed (`YYYY-MM-DD`, the format of `<input type="date">`).
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let input = input.trim();
    // chrono accepts some looser forms (e.g. a one-digit month); the form does not.
    let shape_ok = input.len() == 10
        && input.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(input, "%Y-%m-%d").ok()
}

/// Days from `today` to `deadline`: 0 on the day itself, negative when passed.
pub fn days_left(deadline: NaiveDate, today: NaiveDate) -> i64 {
    (deadline - today).num_days()
}

/// How the deadline reads in a list, in Swedish.
pub fn days_left_sv(days: i64) -> String {
    match days {
        0 => "i dag".to_string(),
        1 => "i morgon".to_string(),
        d if d > 1 => format!("om {d} dagar"),
        -1 => "1 dag sedan".to_string(),
        d => format!("{} dagar sedan", -d),
    }
}

/// A timestamp as Stockholm local time, `2026-03-02 14:10`.
pub fn format_stockholm(at: DateTime<Utc>) -> String {
    at.with_timezone(&Stockholm)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn registration_year_follows_stockholm_not_utc() {
        // 23:30 UTC on 31 December is 00:30 on 1 January in Stockholm (CET, +1).
        let new_year = Utc.with_ymd_and_hms(2025, 12, 31, 23, 30, 0).unwrap();
        assert_eq!(registration_year(new_year), 2026);
        let before = Utc.with_ymd_and_hms(2025, 12, 31, 22, 30, 0).unwrap();
        assert_eq!(registration_year(before), 2025);
    }

    #[test]
    fn stockholm_date_uses_summer_time() {
        // 22:30 UTC in July is 00:30 the next day in Stockholm (CEST, +2).
        let at = Utc.with_ymd_and_hms(2026, 7, 1, 22, 30, 0).unwrap();
        assert_eq!(stockholm_date(at), date(2026, 7, 2));
    }

    #[test]
    fn parses_only_iso_dates() {
        assert_eq!(parse_date("2026-03-02"), Some(date(2026, 3, 2)));
        assert_eq!(parse_date(" 2024-02-29 "), Some(date(2024, 2, 29)));
        for bad in [
            "",
            "2026-3-2",
            "2026-02-30",
            "2025-02-29",
            "02-03-2026",
            "2026/03/02",
            "2026-03-02x",
            "i morgon",
            "20260302",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn days_left_counts_calendar_days() {
        assert_eq!(days_left(date(2026, 3, 10), date(2026, 3, 2)), 8);
        assert_eq!(days_left(date(2026, 3, 2), date(2026, 3, 2)), 0);
        assert_eq!(days_left(date(2026, 3, 1), date(2026, 3, 2)), -1);
    }

    #[test]
    fn days_left_reads_in_swedish() {
        assert_eq!(days_left_sv(0), "i dag");
        assert_eq!(days_left_sv(1), "i morgon");
        assert_eq!(days_left_sv(5), "om 5 dagar");
        assert_eq!(days_left_sv(-1), "1 dag sedan");
        assert_eq!(days_left_sv(-3), "3 dagar sedan");
    }

    #[test]
    fn formats_local_time() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 13, 10, 0).unwrap();
        assert_eq!(format_stockholm(at), "2026-03-02 14:10");
    }
}
