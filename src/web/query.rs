//! The query string of a request, parsed into `T`; a malformed one (a letter where
//! a number belongs, a field given twice, bytes that are not UTF-8) is the Swedish
//! 400 page, not axum's plain text.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::de::DeserializeOwned;

use super::AppError;

pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_html_form::from_str(query)
            .map(Query)
            .map_err(|_| AppError::BadRequest("malformed query string"))
    }
}

/// A paging cursor's time, which the page before wrote as microseconds since
/// 1970. One outside the years 1–9999 is no cursor (the first page): no row lies
/// there, and PostgreSQL would refuse the farthest as out of range.
pub fn cursor_time(micros: &str) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_micros(micros.parse().ok()?).filter(|at| sane_year(at.year()))
}

/// A paging cursor's date, bounded as [`cursor_time`].
pub fn cursor_date(text: &str) -> Option<NaiveDate> {
    text.parse::<NaiveDate>()
        .ok()
        .filter(|date| sane_year(date.year()))
}

fn sane_year(year: i32) -> bool {
    (1..=9999).contains(&year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_time_is_microseconds_within_years_1_to_9999() {
        let at = cursor_time("1700000000123456").unwrap();
        assert_eq!(at.timestamp_micros(), 1_700_000_000_123_456);
        // Valid for chrono, out of range for PostgreSQL (before 4713 BC).
        assert_eq!(cursor_time("-8000000000000000000"), None);
        assert_eq!(cursor_time("253402300800000000"), None, "year 10000");
        assert_eq!(cursor_time("-62135596800000001"), None, "year 0");
        assert_eq!(cursor_time("soon"), None);
    }

    #[test]
    fn a_cursor_date_is_within_years_1_to_9999() {
        assert_eq!(
            cursor_date("2027-03-17"),
            NaiveDate::from_ymd_opt(2027, 3, 17)
        );
        assert_eq!(cursor_date("+12345-01-01"), None);
        assert_eq!(cursor_date("-0500-01-01"), None);
        assert_eq!(cursor_date("2027-02-30"), None);
    }
}
