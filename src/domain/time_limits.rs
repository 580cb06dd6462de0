//! The time limits of a meeting's protocol, as the laws word them.
//!
//! | rule | where it comes from | here |
//! | --- | --- | --- |
//! | The protocol is adjusted (*justeras*) no later than 14 days after the meeting; a paragraph may be adjusted at once (*omedelbar justering*). | Kommunallagen (2017:725) 5 kap. 69–70 §§, for nämnder through 6 kap. 35 § | [`adjustment_deadline`], [`adjustment_timing`] |
//! | The justering is announced on the anslagstavla "senast andra dagen efter justeringen"; the notice says where the protocol is kept and the day it was posted. | KL 8 kap. 12 § första stycket | [`posting_deadline`], [`check_posting`] |
//! | The notice may not be taken down before the appeal period has run out. | KL 8 kap. 12 § andra stycket | [`AppealPeriod::take_down_on`] |
//! | An appeal (*laglighetsprövning*) must reach the förvaltningsrätt "inom tre veckor från den dag då det tillkännagavs på … anslagstavla att protokollet över beslutet justerats". | KL 13 kap. 5 § | [`appeal_period`] |
//! | A time counted in weeks ends on the day with the same weekday name as the day it is counted from: three weeks from a Tuesday ends on the Tuesday three weeks later (posting day + 21). | Lagen (1930:173) om beräkning av lagstadgad tid, 1 § | [`appeal_period`] |
//! | When the last day for an act falls on a Sunday, another allmän helgdag, a Saturday, midsommarafton, julafton or nyårsafton, the act may be done on the next vardag. | Lagen (1930:173) 2 § (the *söndagsregel*) | [`statutory_last_day`], applied to all three limits above |
//!
//! The söndagsregel applies to every time limit "då enligt lag … en åtgärd senast ska
//! vidtas": the appeal (the appellant's act), the posting of the notice and the
//! justering (the municipality's acts). The appeal period therefore runs to the next
//! working day when its 21st day is not one, and the notice stays up that long too:
//! taking it down earlier would cut the period the law gives.
//!
//! Days are counted as calendar days; "the second day after justering" is justering
//! + 2, whatever the weekdays. The holiday calendar is [`super::calendar`].

use chrono::{Days, NaiveDate};

use super::calendar::working_day_on_or_after;

/// Days after the meeting within which the protocol is adjusted (KL 5 kap. 69 §).
pub const ADJUSTMENT_DAYS: u64 = 14;
/// The notice is posted no later than the second day after justering (KL 8 kap. 12 §).
pub const POSTING_DAYS: u64 = 2;
/// The appeal period: three weeks (KL 13 kap. 5 §), counted as in lagen (1930:173) 1 §.
pub const APPEAL_DAYS: u64 = 21;

/// The day a time limit whose nominal last day is `nominal` really ends: the same
/// day, or the next working day when it is a Saturday, Sunday, holiday,
/// midsommarafton, julafton or nyårsafton (lagen (1930:173) 2 §).
pub fn statutory_last_day(nominal: NaiveDate) -> NaiveDate {
    working_day_on_or_after(nominal)
}

/// The last day on which the protocol of a meeting held on `meeting_on` may be
/// adjusted: 14 days later, moved to the next working day.
pub fn adjustment_deadline(meeting_on: NaiveDate) -> NaiveDate {
    statutory_last_day(plus_days(meeting_on, ADJUSTMENT_DAYS))
}

/// The last day on which the justering of `adjusted_on` may be posted on the
/// anslagstavla: the second day after, moved to the next working day.
pub fn posting_deadline(adjusted_on: NaiveDate) -> NaiveDate {
    statutory_last_day(plus_days(adjusted_on, POSTING_DAYS))
}

/// The appeal period that a notice posted on `posted_on` starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppealPeriod {
    /// The day the notice was posted: the period is counted from it.
    pub posted_on: NaiveDate,
    /// The last day an appeal can reach the court: three weeks after posting, moved
    /// to the next working day.
    pub last_day: NaiveDate,
    /// The first day the notice may come down from the board (and be kept in its
    /// archive): the day after `last_day`. It is also the first day on which the
    /// decision can have *vunnit laga kraft*, if nobody appealed.
    pub take_down_on: NaiveDate,
}

/// The appeal period of a protocol whose justering was posted on `posted_on`
/// (KL 13 kap. 5 §; the same for a delegation decision announced on the board).
pub fn appeal_period(posted_on: NaiveDate) -> AppealPeriod {
    let last_day = statutory_last_day(plus_days(posted_on, APPEAL_DAYS));
    AppealPeriod {
        posted_on,
        last_day,
        take_down_on: plus_days(last_day, 1),
    }
}

/// From how many days before its last day the justering is due soon.
pub const ADJUSTMENT_REMINDER_DAYS: i64 = 3;

/// Where the justering of a meeting stands against its legal limit on a given day:
/// today for a protocol not yet adjusted, the day of justering for one that is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustmentTiming {
    /// More than [`ADJUSTMENT_REMINDER_DAYS`] days left.
    InTime,
    /// The last day is near: `days_left` from 0 (the last day is today) to
    /// [`ADJUSTMENT_REMINDER_DAYS`].
    DueSoon { last_day: NaiveDate, days_left: i64 },
    /// After the last day. The limit is an ordningsföreskrift: a late justering is
    /// still valid, but it is late and the protocol says so.
    Late { last_day: NaiveDate },
}

/// How a justering on `day` of the protocol of a meeting held on `meeting_on`
/// stands against the 14 days of KL 5 kap. 69 §, counted as the law counts.
pub fn adjustment_timing(meeting_on: NaiveDate, day: NaiveDate) -> AdjustmentTiming {
    let last_day = adjustment_deadline(meeting_on);
    let days_left = (last_day - day).num_days();
    if days_left < 0 {
        AdjustmentTiming::Late { last_day }
    } else if days_left <= ADJUSTMENT_REMINDER_DAYS {
        AdjustmentTiming::DueSoon {
            last_day,
            days_left,
        }
    } else {
        AdjustmentTiming::InTime
    }
}

impl AdjustmentTiming {
    /// The warning on a protocol not yet adjusted, when the last day is near or past.
    pub fn reminder_sv(self) -> Option<String> {
        match self {
            AdjustmentTiming::InTime => None,
            AdjustmentTiming::DueSoon {
                last_day,
                days_left,
            } => {
                let when = match days_left {
                    0 => "i dag".to_string(),
                    1 => "i morgon".to_string(),
                    n => format!("om {n} dagar"),
                };
                Some(format!(
                    "Protokollet ska justeras senast {last_day}, {when} (kommunallagen 5 kap. 69 §: inom 14 dagar efter sammanträdet)."
                ))
            }
            AdjustmentTiming::Late { last_day } => Some(format!(
                "Fristen för justering gick ut {last_day} (kommunallagen 5 kap. 69 §: inom 14 dagar efter sammanträdet). Protokollet kan ändå justeras, men justeringen noteras som försenad."
            )),
        }
    }

    /// The last day that a justering on this day missed, if it is late.
    pub fn missed_deadline(self) -> Option<NaiveDate> {
        match self {
            AdjustmentTiming::Late { last_day } => Some(last_day),
            _ => None,
        }
    }
}

/// What the protocol and its history say of a justering after its last day.
pub fn late_adjustment_sv(last_day: NaiveDate) -> String {
    format!(
        "Protokollet justerades efter fristen, som gick ut {last_day} (kommunallagen 5 kap. 69 §). Justeringen gäller ändå."
    )
}

/// Whether a justering made on `adjusted_on` may be posted on `posted_on`: not before
/// the justering and no later than the second day after it (next working day).
pub fn check_posting(adjusted_on: NaiveDate, posted_on: NaiveDate) -> Result<(), String> {
    let deadline = posting_deadline(adjusted_on);
    if posted_on < adjusted_on {
        Err("Tillkännagivandet kan inte anslås före justeringen.".to_string())
    } else if posted_on > deadline {
        Err(format!(
            "Justeringen ska tillkännages på anslagstavlan senast andra dagen efter justeringen, alltså senast {deadline} (kommunallagen 8 kap. 12 §)."
        ))
    } else {
        Ok(())
    }
}

/// `day` + `days`, or `day` itself at the very end of chrono's calendar.
fn plus_days(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, Weekday};

    use super::super::calendar::is_working_day;
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn three_weeks_from_a_working_day_is_the_same_weekday() {
        // Posted Tuesday 3 March 2026: the last day is Tuesday 24 March.
        let period = appeal_period(d("2026-03-03"));
        assert_eq!(period.last_day, d("2026-03-24"));
        assert_eq!(period.take_down_on, d("2026-03-25"));
        assert_eq!(period.posted_on, d("2026-03-03"));
    }

    #[test]
    fn an_appeal_period_ending_on_a_weekend_or_holiday_moves_to_the_next_working_day() {
        let table = [
            // posted on, nominal end (posted + 21), last day
            // A Saturday posting ends on a Saturday, moved to Monday.
            ("2026-03-07", "2026-03-28", "2026-03-30"),
            // Sunday → Monday.
            ("2026-03-08", "2026-03-29", "2026-03-30"),
            // Easter 2026: 3–6 April are långfredagen to annandag påsk.
            ("2026-03-13", "2026-04-03", "2026-04-07"),
            ("2026-03-14", "2026-04-04", "2026-04-07"),
            ("2026-03-15", "2026-04-05", "2026-04-07"),
            ("2026-03-16", "2026-04-06", "2026-04-07"),
            ("2026-03-12", "2026-04-02", "2026-04-02"), // skärtorsdagen is a working day
            ("2026-03-17", "2026-04-07", "2026-04-07"),
            // Kristi himmelsfärdsdag 14 May 2026.
            ("2026-04-23", "2026-05-14", "2026-05-15"),
            // Midsummer 2026: afton 19 June, dagen 20 June.
            ("2026-05-28", "2026-06-18", "2026-06-18"),
            ("2026-05-29", "2026-06-19", "2026-06-22"),
            ("2026-05-30", "2026-06-20", "2026-06-22"),
            // Nationaldagen 2025 is a Friday.
            ("2025-05-16", "2025-06-06", "2025-06-09"),
            // Christmas and New Year 2026–27.
            ("2026-12-02", "2026-12-23", "2026-12-23"),
            ("2026-12-03", "2026-12-24", "2026-12-28"),
            ("2026-12-04", "2026-12-25", "2026-12-28"),
            ("2026-12-10", "2026-12-31", "2027-01-04"),
            ("2026-12-11", "2027-01-01", "2027-01-04"),
            ("2026-12-16", "2027-01-06", "2027-01-07"),
            // Alla helgons dag 2026 is Saturday 31 October; the Friday before is a working day.
            ("2026-10-09", "2026-10-30", "2026-10-30"),
            ("2026-10-10", "2026-10-31", "2026-11-02"),
        ];
        for (posted, nominal, last) in table {
            let posted = d(posted);
            assert_eq!(posted + Days::new(21), d(nominal), "table row {posted}");
            let period = appeal_period(posted);
            assert_eq!(period.last_day, d(last), "posted {posted}");
            assert_eq!(period.take_down_on, d(last).succ_opt().unwrap());
        }
    }

    /// Julafton, nyårsafton, trettondedag jul and nationaldagen fall on every
    /// weekday over the years: a limit ending on each of them, for each weekday.
    #[test]
    fn a_limit_ending_on_a_fixed_holiday_for_every_weekday_it_can_fall_on() {
        let table = [
            // (nominal last day, weekday, where the limit really ends)
            ("2029-12-24", Weekday::Mon, "2029-12-27"),
            ("2024-12-24", Weekday::Tue, "2024-12-27"),
            ("2025-12-24", Weekday::Wed, "2025-12-29"),
            ("2026-12-24", Weekday::Thu, "2026-12-28"),
            ("2027-12-24", Weekday::Fri, "2027-12-27"),
            ("2022-12-24", Weekday::Sat, "2022-12-27"),
            ("2023-12-24", Weekday::Sun, "2023-12-27"),
            ("2029-12-31", Weekday::Mon, "2030-01-02"),
            ("2024-12-31", Weekday::Tue, "2025-01-02"),
            ("2025-12-31", Weekday::Wed, "2026-01-02"),
            ("2026-12-31", Weekday::Thu, "2027-01-04"),
            ("2027-12-31", Weekday::Fri, "2028-01-03"),
            ("2022-12-31", Weekday::Sat, "2023-01-02"),
            ("2023-12-31", Weekday::Sun, "2024-01-02"),
            ("2025-01-06", Weekday::Mon, "2025-01-07"),
            ("2026-01-06", Weekday::Tue, "2026-01-07"),
            ("2027-01-06", Weekday::Wed, "2027-01-07"),
            ("2028-01-06", Weekday::Thu, "2028-01-07"),
            ("2023-01-06", Weekday::Fri, "2023-01-09"),
            ("2029-01-06", Weekday::Sat, "2029-01-08"),
            ("2030-01-06", Weekday::Sun, "2030-01-07"),
            ("2022-06-06", Weekday::Mon, "2022-06-07"),
            ("2028-06-06", Weekday::Tue, "2028-06-07"),
            ("2029-06-06", Weekday::Wed, "2029-06-07"),
            ("2024-06-06", Weekday::Thu, "2024-06-07"),
            ("2025-06-06", Weekday::Fri, "2025-06-09"),
            ("2026-06-06", Weekday::Sat, "2026-06-08"),
            ("2027-06-06", Weekday::Sun, "2027-06-07"),
            // Första maj on a Friday and Kristi himmelsfärdsdag on it (2008).
            ("2026-05-01", Weekday::Fri, "2026-05-04"),
            ("2008-05-01", Weekday::Thu, "2008-05-02"),
        ];
        for (nominal, weekday, ends) in table {
            assert_eq!(d(nominal).weekday(), weekday, "table row {nominal}");
            assert_eq!(statutory_last_day(d(nominal)), d(ends), "{nominal}");
            // The same through the appeal period: posted three weeks before.
            let posted = d(nominal) - Days::new(21);
            assert_eq!(appeal_period(posted).last_day, d(ends), "{nominal}");
        }
    }

    /// Around Easter and Midsummer the weekdays are fixed; every day from the
    /// Wednesday before to the Wednesday after, in three years each.
    #[test]
    fn a_limit_ending_on_each_day_around_easter_and_midsummer() {
        for (easter, midsummer) in [
            ("2024-03-31", "2024-06-22"),
            ("2027-03-28", "2027-06-26"),
            ("2035-03-25", "2035-06-23"),
        ] {
            let easter = d(easter);
            // Wednesday, skärtorsdagen: themselves. Långfredagen to annandag påsk: Tuesday.
            let tuesday = easter + Days::new(2);
            for (offset, ends) in [
                (-4, easter - Days::new(4)),
                (-3, easter - Days::new(3)),
                (-2, tuesday),
                (-1, tuesday),
                (0, tuesday),
                (1, tuesday),
                (2, tuesday),
                (3, easter + Days::new(3)),
            ] {
                let day = easter
                    .checked_add_signed(chrono::Duration::days(offset))
                    .unwrap();
                assert_eq!(statutory_last_day(day), ends, "{day}");
            }
            let midsummer = d(midsummer);
            let monday = midsummer + Days::new(2);
            for (offset, ends) in [
                (-2, midsummer - Days::new(2)),
                (-1, monday),
                (0, monday),
                (1, monday),
                (2, monday),
            ] {
                let day = midsummer
                    .checked_add_signed(chrono::Duration::days(offset))
                    .unwrap();
                assert_eq!(statutory_last_day(day), ends, "{day}");
            }
        }
    }

    #[test]
    fn posting_is_due_the_second_day_after_justering_or_the_next_working_day() {
        let table = [
            // adjusted on, posting deadline
            ("2026-03-02", "2026-03-04"), // Monday → Wednesday
            ("2026-03-04", "2026-03-06"), // Wednesday → Friday
            ("2026-03-05", "2026-03-09"), // Thursday → Saturday → Monday
            ("2026-03-06", "2026-03-09"), // Friday → Sunday → Monday
            ("2026-03-07", "2026-03-09"), // Saturday → Monday
            ("2026-04-01", "2026-04-07"), // → långfredagen → Tuesday 7 April
            ("2026-04-02", "2026-04-07"), // skärtorsdagen → påskafton → Tuesday
            ("2026-06-17", "2026-06-22"), // → midsommarafton → Monday
            ("2026-12-22", "2026-12-28"), // → julafton → Monday 28 December
            ("2026-12-29", "2027-01-04"), // → nyårsafton → Monday 4 January
            ("2027-01-04", "2027-01-07"), // → trettondedag jul → Thursday
        ];
        for (adjusted, deadline) in table {
            assert_eq!(posting_deadline(d(adjusted)), d(deadline), "{adjusted}");
        }
    }

    #[test]
    fn justering_is_due_fourteen_days_after_the_meeting_or_the_next_working_day() {
        // A Tuesday meeting: the Tuesday two weeks later.
        assert_eq!(adjustment_deadline(d("2026-03-10")), d("2026-03-24"));
        // Meeting Friday 20 March 2026: 3 April is långfredagen → Tuesday 7 April.
        assert_eq!(adjustment_deadline(d("2026-03-20")), d("2026-04-07"));
        // Meeting Friday 5 June 2026: 19 June is midsommarafton → Monday 22 June.
        assert_eq!(adjustment_deadline(d("2026-06-05")), d("2026-06-22"));
        // Meeting Thursday 10 December 2026: 24 December → Monday 28 December.
        assert_eq!(adjustment_deadline(d("2026-12-10")), d("2026-12-28"));
        // A Saturday deadline → Monday.
        assert_eq!(adjustment_deadline(d("2026-03-14")), d("2026-03-30"));
    }

    #[test]
    fn a_justering_is_due_soon_from_three_days_before_its_last_day_and_late_after_it() {
        // Meeting Friday 20 March 2026: the last day is Tuesday 7 April (3 April
        // is långfredagen, 6 April annandag påsk).
        let meeting = d("2026-03-20");
        let last_day = d("2026-04-07");
        assert_eq!(
            adjustment_timing(meeting, meeting),
            AdjustmentTiming::InTime
        );
        // 3 April is the 14th day, but a holiday: still in time, four days left.
        assert_eq!(
            adjustment_timing(meeting, d("2026-04-03")),
            AdjustmentTiming::InTime
        );
        assert_eq!(
            adjustment_timing(meeting, d("2026-04-04")),
            AdjustmentTiming::DueSoon {
                last_day,
                days_left: 3
            }
        );
        assert_eq!(
            adjustment_timing(meeting, last_day),
            AdjustmentTiming::DueSoon {
                last_day,
                days_left: 0
            }
        );
        assert_eq!(
            adjustment_timing(meeting, d("2026-04-08")),
            AdjustmentTiming::Late { last_day }
        );
        // Meeting 10 December 2026: 24 December is julafton → Monday 28 December.
        assert_eq!(
            adjustment_timing(d("2026-12-10"), d("2026-12-25")),
            AdjustmentTiming::DueSoon {
                last_day: d("2026-12-28"),
                days_left: 3
            }
        );
    }

    /// For every meeting day of 2020–2035 and every day from the meeting to a
    /// month after: late exactly after the statutory last day, due soon in the
    /// three days before it, and the warnings say so.
    #[test]
    fn every_justering_day_of_sixteen_years_is_timed_against_the_statutory_last_day() {
        let mut meeting = d("2020-01-01");
        while meeting.year() <= 2035 {
            let last_day = adjustment_deadline(meeting);
            for offset in 0..45 {
                let day = meeting + Days::new(offset);
                let timing = adjustment_timing(meeting, day);
                let left = (last_day - day).num_days();
                assert_eq!(
                    timing.missed_deadline().is_some(),
                    day > last_day,
                    "{meeting} {day}"
                );
                assert_eq!(
                    timing == AdjustmentTiming::InTime,
                    left > 3,
                    "{meeting} {day}"
                );
                match timing.reminder_sv() {
                    None => assert!(left > 3),
                    Some(text) => assert!(text.contains(&last_day.to_string()), "{text}"),
                }
            }
            meeting = meeting.succ_opt().unwrap();
        }
    }

    #[test]
    fn the_warnings_name_the_last_day_and_the_law() {
        let last_day = d("2026-04-07");
        let soon = |days_left| {
            AdjustmentTiming::DueSoon {
                last_day,
                days_left,
            }
            .reminder_sv()
            .unwrap()
        };
        assert!(soon(0).contains("senast 2026-04-07, i dag"), "{}", soon(0));
        assert!(soon(1).contains("i morgon"), "{}", soon(1));
        assert!(soon(3).contains("om 3 dagar"), "{}", soon(3));
        let late = AdjustmentTiming::Late { last_day }.reminder_sv().unwrap();
        assert!(late.contains("gick ut 2026-04-07"), "{late}");
        assert!(late.contains("noteras som försenad"), "{late}");
        let done = late_adjustment_sv(last_day);
        assert!(
            done.contains("efter fristen, som gick ut 2026-04-07"),
            "{done}"
        );
        assert!(done.contains("gäller ändå"), "{done}");
        assert_eq!(AdjustmentTiming::InTime.reminder_sv(), None);
    }

    #[test]
    fn posting_dates_are_checked_against_the_justering() {
        let adjusted = d("2026-03-05"); // a Thursday
        assert!(check_posting(adjusted, adjusted).is_ok());
        assert!(check_posting(adjusted, d("2026-03-07")).is_ok());
        assert!(check_posting(adjusted, d("2026-03-09")).is_ok());
        let late = check_posting(adjusted, d("2026-03-10")).unwrap_err();
        assert!(late.contains("senast 2026-03-09"), "{late}");
        assert!(check_posting(adjusted, d("2026-03-04")).is_err());
    }

    /// For every posting day of 2020–2035: the last day is a working day, at least
    /// three weeks on, and no working day lies between the 21st day and it; the
    /// notice comes down the day after.
    #[test]
    fn every_appeal_period_of_sixteen_years_is_lawful() {
        let mut day = d("2020-01-01");
        while day.year() <= 2035 {
            let period = appeal_period(day);
            let nominal = day + Days::new(21);
            assert_eq!(nominal.weekday(), day.weekday());
            assert!(is_working_day(period.last_day), "{day}");
            assert!(period.last_day >= nominal);
            assert!(
                nominal
                    .iter_days()
                    .take_while(|x| *x < period.last_day)
                    .all(|x| !is_working_day(x)),
                "{day}"
            );
            // At most five days on: julafton on a Wednesday is followed by two holidays
            // and a weekend.
            assert!((period.last_day - nominal).num_days() <= 5, "{day}");
            assert_eq!((period.take_down_on - period.last_day).num_days(), 1);
            // The deadlines are working days and never before their nominal day.
            assert!(is_working_day(posting_deadline(day)));
            assert!(posting_deadline(day) >= day + Days::new(2));
            assert!(is_working_day(adjustment_deadline(day)));
            assert!(adjustment_deadline(day) >= day + Days::new(14));
            if is_working_day(nominal) {
                assert_eq!(period.last_day, nominal);
            }
            if day.weekday() == Weekday::Sat {
                assert_ne!(period.last_day, nominal);
            }
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn nothing_panics_at_the_end_of_the_calendar() {
        let _ = appeal_period(NaiveDate::MAX);
        let _ = posting_deadline(NaiveDate::MAX);
        let _ = adjustment_deadline(NaiveDate::MAX);
    }
}
