//! The anslagstavla (KL 8 kap. 9–12 §§): the notice that a protocol has been
//! adjusted, or that a delegation decision was taken, and where it stands on the
//! board on a given day. The time limits themselves are [`super::time_limits`].

use chrono::NaiveDate;

use super::time_limits::{AppealPeriod, appeal_period, check_posting};

/// The dates a notice is announced with: computed once, when it is posted, and
/// kept as they were announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeDates {
    /// The day of justering (of the protocol or of the paragraph at once), or of
    /// the delegation decision.
    pub adjusted_on: NaiveDate,
    pub appeal: AppealPeriod,
}

impl NoticeDates {
    pub fn posted_on(&self) -> NaiveDate {
        self.appeal.posted_on
    }

    /// Where the notice is on `today`: not yet up (posted on a later day the law
    /// allows), on the board, or taken down into the board's archive once the
    /// appeal period has run out.
    pub fn place_on(&self, today: NaiveDate) -> BoardPlace {
        if today < self.appeal.posted_on {
            BoardPlace::Scheduled
        } else if today < self.appeal.take_down_on {
            BoardPlace::OnBoard
        } else {
            BoardPlace::Archived
        }
    }
}

/// Where a notice is on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardPlace {
    Scheduled,
    OnBoard,
    Archived,
}

/// The notice of a justering made on `adjusted_on`, posted on `posted_on` (the
/// day of justering when none is given): refused in Swedish when the posting day
/// is before the justering or after the second day after it (next working day).
pub fn notice_dates(
    adjusted_on: NaiveDate,
    posted_on: Option<NaiveDate>,
) -> Result<NoticeDates, String> {
    let posted_on = posted_on.unwrap_or(adjusted_on);
    check_posting(adjusted_on, posted_on)?;
    Ok(NoticeDates {
        adjusted_on,
        appeal: appeal_period(posted_on),
    })
}

/// Where the adjusted protocol is kept, as the notice says it (KL 8 kap. 12 §):
/// with the organ's administration.
pub fn protocol_kept_at(administration: &str) -> String {
    let administration = administration.trim();
    if administration.is_empty() {
        "Protokollet förvaras hos nämndens sekreterare.".to_string()
    } else {
        format!("Protokollet förvaras hos {administration}.")
    }
}

/// What the public is told of a decision's finality: the first day it can have
/// *vunnit laga kraft*, when no appeal is known.
pub fn final_earliest_sv(appeal_last_day: NaiveDate, take_down_on: NaiveDate) -> String {
    format!(
        "Beslutet vinner laga kraft tidigast {take_down_on} om det inte överklagas (överklagandetiden löper ut {appeal_last_day})."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_notice_is_posted_on_the_day_of_justering_unless_a_later_lawful_day_is_given() {
        // Justering on Wednesday 2026-04-22: posting due by Friday the 24th.
        let dates = notice_dates(d("2026-04-22"), None).unwrap();
        assert_eq!(dates.posted_on(), d("2026-04-22"));
        assert_eq!(dates.appeal.last_day, d("2026-05-13"));
        assert_eq!(dates.appeal.take_down_on, d("2026-05-14"));
        let later = notice_dates(d("2026-04-22"), Some(d("2026-04-24"))).unwrap();
        assert_eq!(later.posted_on(), d("2026-04-24"));
        assert_eq!(later.appeal.last_day, d("2026-05-15"));
        assert_eq!(
            notice_dates(d("2026-04-22"), Some(d("2026-04-25"))).unwrap_err(),
            "Justeringen ska tillkännages på anslagstavlan senast andra dagen efter justeringen, alltså senast 2026-04-24 (kommunallagen 8 kap. 12 §)."
        );
        assert_eq!(
            notice_dates(d("2026-04-22"), Some(d("2026-04-21"))).unwrap_err(),
            "Tillkännagivandet kan inte anslås före justeringen."
        );
    }

    #[test]
    fn a_justering_on_a_friday_may_be_posted_on_monday() {
        // Friday 2026-04-24 + 2 is Sunday: the limit moves to Monday.
        assert!(notice_dates(d("2026-04-24"), Some(d("2026-04-27"))).is_ok());
        assert!(notice_dates(d("2026-04-24"), Some(d("2026-04-28"))).is_err());
        // Before Easter 2026: justering on Wednesday 1 April; the second day after
        // is långfredagen, so posting is due on Tuesday 7 April, after annandag påsk.
        assert!(notice_dates(d("2026-04-01"), Some(d("2026-04-07"))).is_ok());
        assert!(notice_dates(d("2026-04-01"), Some(d("2026-04-08"))).is_err());
    }

    #[test]
    fn the_notice_is_up_from_posting_until_the_appeal_period_has_run_out() {
        let dates = notice_dates(d("2026-04-22"), Some(d("2026-04-23"))).unwrap();
        assert_eq!(dates.place_on(d("2026-04-22")), BoardPlace::Scheduled);
        assert_eq!(dates.place_on(d("2026-04-23")), BoardPlace::OnBoard);
        // Three weeks from Thursday 23 April: Thursday 14 May, Kristi
        // himmelsfärdsdag, so the period runs to Friday 15 May.
        assert_eq!(dates.appeal.last_day, d("2026-05-15"));
        assert_eq!(dates.place_on(d("2026-05-15")), BoardPlace::OnBoard);
        assert_eq!(dates.place_on(d("2026-05-16")), BoardPlace::Archived);
        assert_eq!(dates.place_on(d("2027-01-01")), BoardPlace::Archived);
    }

    #[test]
    fn every_notice_of_a_decade_stays_up_at_least_three_weeks_and_comes_down_after() {
        let mut day = d("2026-01-01");
        while day < d("2036-01-01") {
            for extra in 0..=4 {
                let posted = day + chrono::Days::new(extra);
                let Ok(dates) = notice_dates(day, Some(posted)) else {
                    assert!(posted > super::super::time_limits::posting_deadline(day));
                    continue;
                };
                assert!(dates.appeal.last_day >= posted + chrono::Days::new(21));
                assert_eq!(dates.place_on(dates.appeal.last_day), BoardPlace::OnBoard);
                assert_eq!(
                    dates.place_on(dates.appeal.take_down_on),
                    BoardPlace::Archived
                );
            }
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn the_notice_says_where_the_protocol_is_kept_and_when_the_decision_becomes_final() {
        assert_eq!(
            protocol_kept_at(" Arbetsmarknadsförvaltningen "),
            "Protokollet förvaras hos Arbetsmarknadsförvaltningen."
        );
        assert_eq!(
            protocol_kept_at(""),
            "Protokollet förvaras hos nämndens sekreterare."
        );
        let dates = notice_dates(d("2026-04-22"), None).unwrap();
        assert_eq!(
            final_earliest_sv(dates.appeal.last_day, dates.appeal.take_down_on),
            "Beslutet vinner laga kraft tidigast 2026-05-14 om det inte överklagas (överklagandetiden löper ut 2026-05-13)."
        );
    }
}
