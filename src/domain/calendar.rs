//! The Swedish calendar of holidays and working days, as time limits count them.
//!
//! - **Allmänna helgdagar** are those of lagen (1989:253) om allmänna helgdagar, 1 §,
//!   on the dates its 2 § gives: every Sunday (påskdagen and pingstdagen among them),
//!   nyårsdagen (1 January), trettondedag jul (6 January), långfredagen (the Friday
//!   before påskdagen), påskdagen (the Sunday after the full moon on or after 21 March,
//!   computed as the Gregorian Easter), annandag påsk, Kristi himmelsfärdsdag (the sixth
//!   Thursday after påskdagen), första maj, pingstdagen (the seventh Sunday after
//!   påskdagen), nationaldagen (6 June), midsommardagen (the Saturday 20–26 June),
//!   alla helgons dag (the Saturday 31 October–6 November), juldagen and annandag jul.
//!   Nationaldagen replaced annandag pingst from 2005 (SFS 2004:1320); years before
//!   2005 have annandag pingst instead. Older changes (before 1953 midsommardagen and
//!   alla helgons dag had fixed dates) are not modelled.
//! - Lagen (1930:173) om beräkning av lagstadgad tid, 2 §, treats midsommarafton,
//!   julafton and nyårsafton (and every Saturday) like holidays: a time limit that ends
//!   on one of them moves to the next *vardag*. They are in [`Holiday`] for that reason,
//!   but [`Holiday::is_public_holiday`] is false for them.
//! - A **working day** ([`is_working_day`]) is a *vardag* in that sense: not a
//!   Saturday, not a Sunday, not an allmän helgdag and not one of those three eves.
//!   (Påskafton and pingstafton are always Saturdays.)
//!
//! Every function is total for the dates chrono can hold (the functions taking a year,
//! for the years of those dates): an answer, never a panic.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// A named day that a time limit cannot end on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Holiday {
    NewYearsDay,
    Epiphany,
    GoodFriday,
    EasterSunday,
    EasterMonday,
    MayDay,
    AscensionDay,
    WhitSunday,
    /// Annandag pingst: an allmän helgdag until 2004.
    WhitMonday,
    /// Nationaldagen: an allmän helgdag from 2005.
    NationalDay,
    MidsummerEve,
    MidsummerDay,
    AllSaintsDay,
    ChristmasEve,
    ChristmasDay,
    BoxingDay,
    NewYearsEve,
}

impl Holiday {
    /// The day's Swedish name, as in the laws (lower case, as inside a sentence).
    pub fn name_sv(self) -> &'static str {
        match self {
            Holiday::NewYearsDay => "nyårsdagen",
            Holiday::Epiphany => "trettondedag jul",
            Holiday::GoodFriday => "långfredagen",
            Holiday::EasterSunday => "påskdagen",
            Holiday::EasterMonday => "annandag påsk",
            Holiday::MayDay => "första maj",
            Holiday::AscensionDay => "Kristi himmelsfärdsdag",
            Holiday::WhitSunday => "pingstdagen",
            Holiday::WhitMonday => "annandag pingst",
            Holiday::NationalDay => "nationaldagen",
            Holiday::MidsummerEve => "midsommarafton",
            Holiday::MidsummerDay => "midsommardagen",
            Holiday::AllSaintsDay => "alla helgons dag",
            Holiday::ChristmasEve => "julafton",
            Holiday::ChristmasDay => "juldagen",
            Holiday::BoxingDay => "annandag jul",
            Holiday::NewYearsEve => "nyårsafton",
        }
    }

    /// An allmän helgdag under lagen (1989:253); false for the three eves that only
    /// lagen (1930:173) puts on a par with them.
    pub fn is_public_holiday(self) -> bool {
        !matches!(
            self,
            Holiday::MidsummerEve | Holiday::ChristmasEve | Holiday::NewYearsEve
        )
    }
}

/// The first year with nationaldagen instead of annandag pingst (SFS 2004:1320).
const NATIONAL_DAY_FROM: i32 = 2005;

/// Påskdagen: the Gregorian Easter Sunday of `year` (the anonymous Gregorian
/// algorithm of Meeus, Jones and Butcher), always 22 March–25 April.
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    date(year, month as u32, day as u32)
}

/// Midsommardagen: the Saturday 20–26 June.
pub fn midsummer_day(year: i32) -> NaiveDate {
    saturday_from(date(year, 6, 20))
}

/// Alla helgons dag: the Saturday 31 October–6 November.
pub fn all_saints_day(year: i32) -> NaiveDate {
    saturday_from(date(year, 10, 31))
}

/// Every named day of `year` in date order: the allmänna helgdagar that are not
/// simply Sundays by weekday, and the three eves.
pub fn holidays(year: i32) -> Vec<(NaiveDate, Holiday)> {
    let easter = easter_sunday(year);
    let after_easter = |days: u64| add_days(easter, days);
    let midsummer = midsummer_day(year);
    let mut days = vec![
        (date(year, 1, 1), Holiday::NewYearsDay),
        (date(year, 1, 6), Holiday::Epiphany),
        (subtract_days(easter, 2), Holiday::GoodFriday),
        (easter, Holiday::EasterSunday),
        (after_easter(1), Holiday::EasterMonday),
        (date(year, 5, 1), Holiday::MayDay),
        (after_easter(39), Holiday::AscensionDay),
        (after_easter(49), Holiday::WhitSunday),
        (subtract_days(midsummer, 1), Holiday::MidsummerEve),
        (midsummer, Holiday::MidsummerDay),
        (all_saints_day(year), Holiday::AllSaintsDay),
        (date(year, 12, 24), Holiday::ChristmasEve),
        (date(year, 12, 25), Holiday::ChristmasDay),
        (date(year, 12, 26), Holiday::BoxingDay),
        (date(year, 12, 31), Holiday::NewYearsEve),
    ];
    if year >= NATIONAL_DAY_FROM {
        days.push((date(year, 6, 6), Holiday::NationalDay));
    } else {
        days.push((after_easter(50), Holiday::WhitMonday));
    }
    days.sort_by_key(|(day, _)| *day);
    days
}

/// The named day that falls on `day`, if any. (Nationaldagen can fall on
/// pingstdagen, as in 2049 and 2076; then it is pingstdagen.)
pub fn holiday_on(day: NaiveDate) -> Option<Holiday> {
    let year = day.year();
    let fixed = match (day.month(), day.day()) {
        (1, 1) => Some(Holiday::NewYearsDay),
        (1, 6) => Some(Holiday::Epiphany),
        (5, 1) => Some(Holiday::MayDay),
        (12, 24) => Some(Holiday::ChristmasEve),
        (12, 25) => Some(Holiday::ChristmasDay),
        (12, 26) => Some(Holiday::BoxingDay),
        (12, 31) => Some(Holiday::NewYearsEve),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    match day.month() {
        3..=6 => {
            let from_easter = (day - easter_sunday(year)).num_days();
            let movable = match from_easter {
                -2 => Some(Holiday::GoodFriday),
                0 => Some(Holiday::EasterSunday),
                1 => Some(Holiday::EasterMonday),
                39 => Some(Holiday::AscensionDay),
                49 => Some(Holiday::WhitSunday),
                50 if year < NATIONAL_DAY_FROM => Some(Holiday::WhitMonday),
                _ => None,
            };
            let midsummer = midsummer_day(year);
            movable.or(if day == midsummer {
                Some(Holiday::MidsummerDay)
            } else if day.succ_opt() == Some(midsummer) {
                Some(Holiday::MidsummerEve)
            } else if (day.month(), day.day()) == (6, 6) && year >= NATIONAL_DAY_FROM {
                Some(Holiday::NationalDay)
            } else {
                None
            })
        }
        10 | 11 => (day == all_saints_day(year)).then_some(Holiday::AllSaintsDay),
        _ => None,
    }
}

/// An allmän helgdag under lagen (1989:253) 1 §: a Sunday or a named holiday.
pub fn is_public_holiday(day: NaiveDate) -> bool {
    day.weekday() == Weekday::Sun || holiday_on(day).is_some_and(Holiday::is_public_holiday)
}

/// A vardag as lagen (1930:173) 2 § counts them: neither a Saturday, a Sunday, an
/// allmän helgdag, midsommarafton, julafton nor nyårsafton.
pub fn is_working_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && holiday_on(day).is_none()
}

/// `day` if it is a working day, else the next one: where a time limit that ends
/// on `day` really ends (lagen (1930:173) 2 §).
pub fn working_day_on_or_after(day: NaiveDate) -> NaiveDate {
    let mut day = day;
    while !is_working_day(day) {
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    day
}

/// The working day `n` working days after `day` (`n` > 0) or before it (`n` < 0),
/// not counting `day` itself: "3 working days before Monday 2026-04-06 (annandag
/// påsk)" is `add_working_days(2026-04-06, -3)` = Tuesday 2026-03-31. With `n` = 0,
/// `day` itself.
pub fn add_working_days(day: NaiveDate, n: i32) -> NaiveDate {
    let mut day = day;
    let mut left = n.unsigned_abs();
    while left > 0 {
        let step = if n > 0 {
            day.succ_opt()
        } else {
            day.pred_opt()
        };
        match step {
            Some(next) => day = next,
            None => break,
        }
        if is_working_day(day) {
            left -= 1;
        }
    }
    day
}

/// Working days from `from` (exclusive) to `to` (inclusive); negative when `to` is
/// before `from`, so that `add_working_days(from, working_days_between(from, to))`
/// is `to` whenever `to` is a working day.
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let (start, end, sign) = if from <= to {
        (from, to, 1)
    } else {
        (to, from, -1)
    };
    let count = start
        .iter_days()
        .skip(1)
        .take_while(|d| *d <= end)
        .filter(|d| is_working_day(*d))
        .count() as i64;
    sign * count
}

/// A real month and day of a year that chrono can hold (the year of a `NaiveDate`).
fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a year chrono can hold")
}

fn add_days(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).unwrap_or(day)
}

fn subtract_days(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(days)).unwrap_or(day)
}

fn saturday_from(first: NaiveDate) -> NaiveDate {
    let offset =
        (Weekday::Sat.num_days_from_monday() + 7 - first.weekday().num_days_from_monday()) % 7;
    add_days(first, u64::from(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// Year, långfredagen, påskdagen, annandag påsk, Kristi himmelsfärdsdag,
    /// pingstdagen, midsommardagen, alla helgons dag: checked against an independent
    /// implementation (Python's `holidays.Sweden`), as was the whole set of weekdays
    /// 2020–2035 that are not working days.
    #[rustfmt::skip]
    const MOVABLE: [(i32, [&str; 7]); 16] = [
        (2020, ["2020-04-10", "2020-04-12", "2020-04-13", "2020-05-21", "2020-05-31", "2020-06-20", "2020-10-31"]),
        (2021, ["2021-04-02", "2021-04-04", "2021-04-05", "2021-05-13", "2021-05-23", "2021-06-26", "2021-11-06"]),
        (2022, ["2022-04-15", "2022-04-17", "2022-04-18", "2022-05-26", "2022-06-05", "2022-06-25", "2022-11-05"]),
        (2023, ["2023-04-07", "2023-04-09", "2023-04-10", "2023-05-18", "2023-05-28", "2023-06-24", "2023-11-04"]),
        (2024, ["2024-03-29", "2024-03-31", "2024-04-01", "2024-05-09", "2024-05-19", "2024-06-22", "2024-11-02"]),
        (2025, ["2025-04-18", "2025-04-20", "2025-04-21", "2025-05-29", "2025-06-08", "2025-06-21", "2025-11-01"]),
        (2026, ["2026-04-03", "2026-04-05", "2026-04-06", "2026-05-14", "2026-05-24", "2026-06-20", "2026-10-31"]),
        (2027, ["2027-03-26", "2027-03-28", "2027-03-29", "2027-05-06", "2027-05-16", "2027-06-26", "2027-11-06"]),
        (2028, ["2028-04-14", "2028-04-16", "2028-04-17", "2028-05-25", "2028-06-04", "2028-06-24", "2028-11-04"]),
        (2029, ["2029-03-30", "2029-04-01", "2029-04-02", "2029-05-10", "2029-05-20", "2029-06-23", "2029-11-03"]),
        (2030, ["2030-04-19", "2030-04-21", "2030-04-22", "2030-05-30", "2030-06-09", "2030-06-22", "2030-11-02"]),
        (2031, ["2031-04-11", "2031-04-13", "2031-04-14", "2031-05-22", "2031-06-01", "2031-06-21", "2031-11-01"]),
        (2032, ["2032-03-26", "2032-03-28", "2032-03-29", "2032-05-06", "2032-05-16", "2032-06-26", "2032-11-06"]),
        (2033, ["2033-04-15", "2033-04-17", "2033-04-18", "2033-05-26", "2033-06-05", "2033-06-25", "2033-11-05"]),
        (2034, ["2034-04-07", "2034-04-09", "2034-04-10", "2034-05-18", "2034-05-28", "2034-06-24", "2034-11-04"]),
        (2035, ["2035-03-23", "2035-03-25", "2035-03-26", "2035-05-03", "2035-05-13", "2035-06-23", "2035-11-03"]),
    ];

    #[test]
    fn the_movable_holidays_of_2020_to_2035_are_those_of_the_table() {
        for (
            year,
            [
                good_friday,
                easter,
                easter_monday,
                ascension,
                whitsun,
                midsummer,
                all_saints,
            ],
        ) in MOVABLE
        {
            let days = holidays(year);
            let on = |h: Holiday| days.iter().find(|(_, x)| *x == h).map(|(day, _)| *day);
            assert_eq!(on(Holiday::GoodFriday), Some(d(good_friday)), "{year}");
            assert_eq!(on(Holiday::EasterSunday), Some(d(easter)), "{year}");
            assert_eq!(on(Holiday::EasterMonday), Some(d(easter_monday)), "{year}");
            assert_eq!(on(Holiday::AscensionDay), Some(d(ascension)), "{year}");
            assert_eq!(on(Holiday::WhitSunday), Some(d(whitsun)), "{year}");
            assert_eq!(on(Holiday::MidsummerDay), Some(d(midsummer)), "{year}");
            assert_eq!(
                on(Holiday::MidsummerEve),
                Some(d(midsummer).pred_opt().unwrap()),
                "{year}"
            );
            assert_eq!(on(Holiday::AllSaintsDay), Some(d(all_saints)), "{year}");
            assert_eq!(easter_sunday(year), d(easter));
        }
    }

    #[test]
    fn the_fixed_days_of_every_year_2020_to_2035() {
        for year in 2020..=2035 {
            let fixed = [
                ((1, 1), Holiday::NewYearsDay),
                ((1, 6), Holiday::Epiphany),
                ((5, 1), Holiday::MayDay),
                ((6, 6), Holiday::NationalDay),
                ((12, 24), Holiday::ChristmasEve),
                ((12, 25), Holiday::ChristmasDay),
                ((12, 26), Holiday::BoxingDay),
                ((12, 31), Holiday::NewYearsEve),
            ];
            for ((month, day), holiday) in fixed {
                let on = NaiveDate::from_ymd_opt(year, month, day).unwrap();
                assert!(holidays(year).contains(&(on, holiday)), "{on} {holiday:?}");
                assert!(!is_working_day(on), "{on}");
            }
            // Thirteen allmänna helgdagar besides ordinary Sundays, and three eves.
            let days = holidays(year);
            assert_eq!(days.len(), 16, "{year}");
            assert_eq!(
                days.iter().filter(|(_, h)| h.is_public_holiday()).count(),
                13
            );
            assert!(!days.iter().any(|(_, h)| *h == Holiday::WhitMonday));
        }
    }

    #[test]
    fn annandag_pingst_was_a_holiday_and_nationaldagen_not_before_2005() {
        let h2004 = holidays(2004);
        assert!(h2004.contains(&(d("2004-05-31"), Holiday::WhitMonday)));
        assert!(!h2004.iter().any(|(_, h)| *h == Holiday::NationalDay));
        assert!(!is_working_day(d("2004-05-31")));
        assert!(is_working_day(d("2004-06-07")));
        // 2005: annandag pingst 16 May is a working day, nationaldagen a Monday off.
        assert!(is_working_day(d("2005-05-16")));
        assert!(!is_working_day(d("2005-06-06")));
    }

    /// The per-day look-up and the per-year list agree on every day of 1950–2150
    /// (where two days coincide, the look-up names one of them).
    #[test]
    fn the_look_up_agrees_with_the_list_for_two_centuries() {
        for year in 1950..=2150 {
            let days = holidays(year);
            for day in d(&format!("{year}-01-01"))
                .iter_days()
                .take_while(|x| x.year() == year)
            {
                let listed: Vec<Holiday> = days
                    .iter()
                    .filter(|(x, _)| *x == day)
                    .map(|(_, h)| *h)
                    .collect();
                match holiday_on(day) {
                    Some(h) => assert!(listed.contains(&h), "{day}"),
                    None => assert!(listed.is_empty(), "{day}"),
                }
            }
        }
        // Kristi himmelsfärdsdag on första maj (2008), pingstdagen on nationaldagen (2049).
        assert_eq!(holiday_on(d("2008-05-01")), Some(Holiday::MayDay));
        assert!(holidays(2008).contains(&(d("2008-05-01"), Holiday::AscensionDay)));
        assert_eq!(holiday_on(d("2049-06-06")), Some(Holiday::WhitSunday));
        assert!(holidays(2049).contains(&(d("2049-06-06"), Holiday::NationalDay)));
    }

    #[test]
    fn public_holidays_and_eves_are_told_apart() {
        assert!(is_public_holiday(d("2026-04-05"))); // påskdagen
        assert!(is_public_holiday(d("2026-03-08"))); // an ordinary Sunday
        assert!(is_public_holiday(d("2026-06-20"))); // midsommardagen, a Saturday
        assert!(!is_public_holiday(d("2026-06-19"))); // midsommarafton
        assert!(!is_public_holiday(d("2026-12-24"))); // julafton
        assert!(!is_public_holiday(d("2026-03-07"))); // an ordinary Saturday
        assert!(!is_public_holiday(d("2026-04-04"))); // påskafton
        assert_eq!(holiday_on(d("2026-06-19")), Some(Holiday::MidsummerEve));
        assert_eq!(holiday_on(d("2026-03-09")), None);
        assert_eq!(Holiday::AscensionDay.name_sv(), "Kristi himmelsfärdsdag");
    }

    /// Every day of the weeks around Easter, Midsummer and Christmas 2026, with
    /// the working day a time limit ending on it moves to.
    #[test]
    fn the_weeks_around_easter_midsummer_and_christmas_2026() {
        let table = [
            // Easter: skärtorsdagen is a working day; långfredagen to annandag påsk are not.
            ("2026-03-30", true, "2026-03-30"),
            ("2026-04-01", true, "2026-04-01"),
            ("2026-04-02", true, "2026-04-02"),
            ("2026-04-03", false, "2026-04-07"),
            ("2026-04-04", false, "2026-04-07"),
            ("2026-04-05", false, "2026-04-07"),
            ("2026-04-06", false, "2026-04-07"),
            ("2026-04-07", true, "2026-04-07"),
            // Kristi himmelsfärdsdag (Thursday); the Friday after is a working day.
            ("2026-05-14", false, "2026-05-15"),
            ("2026-05-15", true, "2026-05-15"),
            // Pingst: annandag pingst is a working day since 2005.
            ("2026-05-24", false, "2026-05-25"),
            ("2026-05-25", true, "2026-05-25"),
            // Nationaldagen on a Saturday moves nothing further than a Saturday would.
            ("2026-06-06", false, "2026-06-08"),
            // Midsummer: afton Friday 19 June, dagen Saturday 20 June.
            ("2026-06-18", true, "2026-06-18"),
            ("2026-06-19", false, "2026-06-22"),
            ("2026-06-20", false, "2026-06-22"),
            ("2026-06-21", false, "2026-06-22"),
            ("2026-06-22", true, "2026-06-22"),
            // Christmas and New Year: julafton Thursday to Sunday 27, nyårsafton Thursday,
            // nyårsdagen Friday.
            ("2026-12-23", true, "2026-12-23"),
            ("2026-12-24", false, "2026-12-28"),
            ("2026-12-25", false, "2026-12-28"),
            ("2026-12-26", false, "2026-12-28"),
            ("2026-12-27", false, "2026-12-28"),
            ("2026-12-28", true, "2026-12-28"),
            ("2026-12-30", true, "2026-12-30"),
            ("2026-12-31", false, "2027-01-04"),
            ("2027-01-01", false, "2027-01-04"),
            ("2027-01-02", false, "2027-01-04"),
            ("2027-01-03", false, "2027-01-04"),
            ("2027-01-04", true, "2027-01-04"),
            ("2027-01-05", true, "2027-01-05"),
            ("2027-01-06", false, "2027-01-07"),
        ];
        for (day, working, moves_to) in table {
            assert_eq!(is_working_day(d(day)), working, "{day}");
            assert_eq!(working_day_on_or_after(d(day)), d(moves_to), "{day}");
        }
    }

    #[test]
    fn midsummer_and_all_saints_fall_on_every_date_of_their_week() {
        // Over 2020–2035 midsommardagen takes each of 20–26 June, as the law's
        // window allows, and always a Saturday.
        let mut june: Vec<u32> = (2020..=2035).map(|y| midsummer_day(y).day()).collect();
        june.sort_unstable();
        june.dedup();
        assert_eq!(june, vec![20, 21, 22, 23, 24, 25, 26]);
        for year in 1990..=2100 {
            let midsummer = midsummer_day(year);
            assert_eq!(midsummer.weekday(), Weekday::Sat);
            assert!(
                (d(&format!("{year}-06-20"))..=d(&format!("{year}-06-26"))).contains(&midsummer)
            );
            let all_saints = all_saints_day(year);
            assert_eq!(all_saints.weekday(), Weekday::Sat);
            assert!(
                (d(&format!("{year}-10-31"))..=d(&format!("{year}-11-06"))).contains(&all_saints)
            );
        }
    }

    /// Properties of Easter over four centuries: a Sunday 22 March–25 April, with
    /// the days that hang on it at their distances.
    #[test]
    fn easter_is_a_sunday_in_its_window_for_four_centuries() {
        for year in 1900..=2299 {
            let easter = easter_sunday(year);
            assert_eq!(easter.weekday(), Weekday::Sun, "{year}");
            assert!(
                (d(&format!("{year}-03-22"))..=d(&format!("{year}-04-25"))).contains(&easter),
                "{year}"
            );
            let days = holidays(year);
            let on = |h: Holiday| days.iter().find(|(_, x)| *x == h).unwrap().0;
            assert_eq!(on(Holiday::GoodFriday).weekday(), Weekday::Fri);
            assert_eq!(on(Holiday::EasterMonday).weekday(), Weekday::Mon);
            assert_eq!(on(Holiday::AscensionDay).weekday(), Weekday::Thu);
            assert_eq!(on(Holiday::WhitSunday).weekday(), Weekday::Sun);
            assert!(days.windows(2).all(|w| w[0].0 <= w[1].0), "sorted {year}");
        }
        // The extremes of the window.
        assert_eq!(easter_sunday(2285), d("2285-03-22"));
        assert_eq!(easter_sunday(2038), d("2038-04-25"));
        assert_eq!(easter_sunday(1943), d("1943-04-25"));
    }

    /// Exhaustive over 1990–2060: the next working day is a working day, on or after
    /// the day, with none between; stepping by working days is undone by stepping
    /// back; counting agrees with stepping.
    #[test]
    fn working_day_arithmetic_holds_for_every_day_of_seventy_years() {
        let start = d("1990-01-01");
        let end = d("2060-12-31");
        let mut working_days = 0;
        for day in start.iter_days().take_while(|x| *x <= end) {
            let next = working_day_on_or_after(day);
            assert!(is_working_day(next), "{day}");
            assert!(next >= day && (next - day).num_days() <= 5, "{day}");
            assert!(
                day.iter_days()
                    .take_while(|x| *x < next)
                    .all(|x| !is_working_day(x))
            );
            if is_working_day(day) {
                working_days += 1;
                assert_eq!(next, day);
                for n in [1, 3, 10] {
                    let later = add_working_days(day, n);
                    assert!(is_working_day(later) && later > day);
                    assert_eq!(add_working_days(later, -n), day, "{day} {n}");
                    assert_eq!(working_days_between(day, later), i64::from(n));
                    assert_eq!(working_days_between(later, day), -i64::from(n));
                }
            }
            assert_eq!(add_working_days(day, 0), day);
            // Never more working days than weekdays, and a weekend is never one.
            if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                assert!(!is_working_day(day));
            }
        }
        // About 250 working days a year.
        let years = 71;
        assert!(
            (248 * years..=254 * years).contains(&working_days),
            "{working_days}"
        );
    }

    #[test]
    fn working_days_before_and_after_holidays() {
        // Three working days before annandag påsk 2026 (6 April): 2, 1 April, 31 March.
        assert_eq!(add_working_days(d("2026-04-06"), -3), d("2026-03-31"));
        // One working day after skärtorsdagen 2026 is the Tuesday after Easter.
        assert_eq!(add_working_days(d("2026-04-02"), 1), d("2026-04-07"));
        // Three working days before Monday 28 December 2026: 23, 22, 21 December.
        assert_eq!(add_working_days(d("2026-12-28"), -3), d("2026-12-21"));
        // Two after the day before midsommarafton (Thursday 18 June 2026): 22 and 23 June.
        assert_eq!(add_working_days(d("2026-06-18"), 2), d("2026-06-23"));
        assert_eq!(working_days_between(d("2026-12-23"), d("2027-01-05")), 5);
    }

    #[test]
    fn nothing_panics_at_the_ends_of_the_calendar() {
        for year in [-5000, -1, 0, 1, 1582, 9999, 200_000] {
            let easter = easter_sunday(year);
            assert_eq!(easter.weekday(), Weekday::Sun, "{year}");
            assert_eq!(holidays(year).len(), 16);
        }
        let _ = working_day_on_or_after(NaiveDate::MAX);
        let _ = add_working_days(NaiveDate::MAX, 5);
        let _ = add_working_days(NaiveDate::MIN, -5);
        let _ = holiday_on(NaiveDate::MIN);
    }
}
