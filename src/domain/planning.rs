//! Backward planning from sista svarsdag: which meeting a case should be decided at,
//! when the draft must go to review and when it must be approved to make it.
//!
//! The chain, counted backwards from the deadline:
//! the last usable meeting on or before the deadline → the agenda closes
//! `agenda_closing_days` before it (the approved yttrande must be ready then) →
//! the review takes `review_days`, so the draft must be submitted that long before.
//!
//! Pure: the caller supplies today's date and the organ's meeting dates.

use chrono::{Days, NaiveDate};

/// How long the steps after drafting take, in calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadTimes {
    /// From submitting the draft to review until it must be approved.
    pub review_days: u32,
    /// How many days before a meeting its agenda (föredragningslista) closes.
    pub agenda_closing_days: u32,
}

impl Default for LeadTimes {
    fn default() -> Self {
        LeadTimes {
            review_days: 7,
            agenda_closing_days: 10,
        }
    }
}

/// Where a case stands in the workflow, as far as planning cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Registered, nobody has started on the draft.
    NotStarted,
    Drafting,
    InReview,
    /// Approved by the reviewer but not yet on an agenda.
    Approved,
    /// Placed on the agenda of the meeting on `meeting`.
    OnAgenda {
        meeting: NaiveDate,
    },
    /// Decided: only dispatch (expediering) remains.
    Decided,
}

/// The outcome of [`plan`] for one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The meeting the case should be decided at: the last one on or before the
    /// deadline that has not already passed (None if there is none). For a case on
    /// an agenda it is that agenda's meeting; for a decided case there is nothing
    /// left to plan and it is None.
    pub meeting: Option<NaiveDate>,
    /// The last day to submit the draft to review.
    pub submit_by: Option<NaiveDate>,
    /// The last day to approve the draft: the day the meeting's agenda closes.
    pub approve_by: Option<NaiveDate>,
    pub status: PlanStatus,
    /// Why, in Swedish, one or two sentences for the user. Dates as YYYY-MM-DD.
    pub reason: String,
}

/// How a case's plan looks.
///
/// The variants are declared from least to most urgent, so the derived `Ord` gives
/// `OnTrack < AtRisk < Impossible`: sorting *descending* by status puts
/// `Impossible` first (e.g. `cases.sort_by(|a, b| b.status.cmp(&a.status))`).
/// [`PlanStatus::urgency`] gives the same order as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlanStatus {
    OnTrack,
    AtRisk,
    Impossible,
}

impl PlanStatus {
    /// 0 for on track, 1 at risk, 2 impossible: higher is more urgent.
    pub fn urgency(self) -> u8 {
        match self {
            PlanStatus::OnTrack => 0,
            PlanStatus::AtRisk => 1,
            PlanStatus::Impossible => 2,
        }
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            PlanStatus::OnTrack => "I fas",
            PlanStatus::AtRisk => "I riskzonen",
            PlanStatus::Impossible => "Hinner inte",
        }
    }

    /// A stable machine name, for CSS classes, query strings and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::OnTrack => "on_track",
            PlanStatus::AtRisk => "at_risk",
            PlanStatus::Impossible => "impossible",
        }
    }
}

/// `days` before `date`. Saturates at the earliest representable date, which
/// only absurd lead times reach, and which then simply reads as "long passed".
fn days_before(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_sub_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MIN)
}

/// Plans one open case backwards from its `deadline` (sista svarsdag).
///
/// `meetings`: the organ's meeting dates (any order, may include past ones and
/// ones after the deadline). A meeting on the deadline day counts; a meeting
/// today is still usable.
pub fn plan(
    deadline: NaiveDate,
    today: NaiveDate,
    progress: Progress,
    meetings: &[NaiveDate],
    lead: LeadTimes,
) -> Plan {
    match progress {
        Progress::Decided => plan_decided(deadline, today),
        Progress::OnAgenda { meeting } => plan_on_agenda(deadline, today, meeting, lead),
        Progress::NotStarted | Progress::Drafting => {
            plan_ahead(deadline, today, Step::SubmitDraft, meetings, lead)
        }
        Progress::InReview => plan_ahead(deadline, today, Step::Approve, meetings, lead),
        Progress::Approved => plan_ahead(deadline, today, Step::PutOnAgenda, meetings, lead),
    }
}

fn plan_decided(deadline: NaiveDate, today: NaiveDate) -> Plan {
    // Dispatch is a clerical step that can be done the same day, so a decided case
    // is on track until the deadline itself has passed.
    let (status, reason) = if today > deadline {
        (
            PlanStatus::AtRisk,
            format!(
                "Sista svarsdag har passerat; yttrandet är inte expedierat. \
                 Expediera det snarast (sista svarsdag var {deadline})."
            ),
        )
    } else {
        (
            PlanStatus::OnTrack,
            format!("I fas: nämnden har beslutat; yttrandet ska expedieras senast {deadline}."),
        )
    };
    Plan {
        meeting: None,
        submit_by: None,
        approve_by: None,
        status,
        reason,
    }
}

fn plan_on_agenda(
    deadline: NaiveDate,
    today: NaiveDate,
    meeting: NaiveDate,
    lead: LeadTimes,
) -> Plan {
    // The dates are shown for reference; the steps they govern are already done.
    let approve_by = days_before(meeting, lead.agenda_closing_days);
    let submit_by = days_before(approve_by, lead.review_days);
    let (status, reason) = if meeting > deadline {
        // The secretary was warned when placing it; keep warning until it is decided.
        (
            PlanStatus::AtRisk,
            format!(
                "Ärendet står på föredragningslistan till sammanträdet {meeting}, \
                 efter sista svarsdag {deadline}. \
                 Be avsändaren om anstånd eller föreslå delegationsbeslut."
            ),
        )
    } else if meeting < today {
        // The meeting has been held but no decision is recorded (forgotten, or the
        // case was tabled): someone has to look at it.
        (
            PlanStatus::AtRisk,
            format!(
                "Sammanträdet {meeting} har hållits men inget beslut är registrerat. \
                 Registrera beslutet eller planera om ärendet före sista svarsdag {deadline}."
            ),
        )
    } else {
        (
            PlanStatus::OnTrack,
            format!(
                "I fas: ärendet står på föredragningslistan till sammanträdet {meeting} \
                 (sista svarsdag {deadline})."
            ),
        )
    };
    Plan {
        meeting: Some(meeting),
        submit_by: Some(submit_by),
        approve_by: Some(approve_by),
        status,
        reason,
    }
}

/// The next step a case not yet on an agenda is waiting for; it decides which
/// planned date matters.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Not started or drafting: the draft must reach review by `submit_by`.
    SubmitDraft,
    /// In review: it must be approved by `approve_by`.
    Approve,
    /// Approved: it must be on the agenda before it closes, also `approve_by`.
    PutOnAgenda,
}

fn plan_ahead(
    deadline: NaiveDate,
    today: NaiveDate,
    next: Step,
    meetings: &[NaiveDate],
    lead: LeadTimes,
) -> Plan {
    // The last meeting within the deadline that has not already been held. Aiming
    // at the last one gives the official the most time; an earlier one is a bonus.
    let target = meetings
        .iter()
        .copied()
        .filter(|&m| today <= m && m <= deadline)
        .max();

    // A meeting not planned yet, as late as the deadline, would still be reached
    // when the next step's date for it has not passed: then what is missing is a
    // meeting, not time.
    let latest_approve_by = days_before(deadline, lead.agenda_closing_days);
    let latest_step_date = match next {
        Step::SubmitDraft => days_before(latest_approve_by, lead.review_days),
        Step::Approve | Step::PutOnAgenda => latest_approve_by,
    };
    let unplanned = |status, reason: String| Plan {
        meeting: None,
        submit_by: None,
        approve_by: None,
        status,
        reason,
    };
    let no_meeting_planned = format!(
        "Inget sammanträde som ärendet hinner till är planerat före sista svarsdag {deadline}. \
         Be nämndsekreteraren planera ett; det finns ännu tid ({} senast {latest_step_date}).",
        match next {
            Step::SubmitDraft => "utkastet ska skickas till granskning",
            Step::Approve | Step::PutOnAgenda => "utkastet ska vara godkänt",
        }
    );

    let Some(meeting) = target else {
        // Once the deadline has passed no meeting can be usable, so this also
        // covers a late, undecided case.
        return if today > deadline {
            unplanned(
                PlanStatus::Impossible,
                format!(
                    "Sista svarsdag har passerat ({deadline}). \
                     Kontakta avsändaren om anstånd eller om ett sent yttrande kan tas emot."
                ),
            )
        } else if today <= latest_step_date && meetings.iter().all(|&m| m < today) {
            unplanned(PlanStatus::AtRisk, no_meeting_planned)
        } else {
            unplanned(
                PlanStatus::Impossible,
                format!(
                    "Inget sammanträde är planerat före sista svarsdag {deadline}. \
                     Föreslå delegationsbeslut eller be avsändaren om anstånd."
                ),
            )
        };
    };

    let approve_by = days_before(meeting, lead.agenda_closing_days);
    let submit_by = days_before(approve_by, lead.review_days);
    let step_date = match next {
        Step::SubmitDraft => submit_by,
        Step::Approve | Step::PutOnAgenda => approve_by,
    };
    // The planned meeting comes too soon for this step, and none is planned after
    // it yet: one planned later would not be too soon.
    if today > step_date && today <= latest_step_date && meetings.iter().all(|&m| m <= meeting) {
        return unplanned(PlanStatus::AtRisk, no_meeting_planned);
    }

    // A passed planned date means at risk, never impossible: the chosen meeting is
    // the last usable one, so there is no later one to fall back on, but the
    // secretary can still squeeze the case onto the agenda, or it can go by
    // delegation.
    let (status, reason) = match next {
        Step::SubmitDraft if today > submit_by => (
            PlanStatus::AtRisk,
            format!(
                "Utkastet skulle ha skickats till granskning senast {submit_by} för att hinna till \
                 sammanträdet {meeting}. Stäm av med sekreteraren eller föreslå delegationsbeslut."
            ),
        ),
        Step::SubmitDraft => (
            PlanStatus::OnTrack,
            format!(
                "I fas: utkastet ska skickas till granskning senast {submit_by} och godkännas \
                 senast {approve_by} inför sammanträdet {meeting}."
            ),
        ),
        Step::Approve if today > approve_by => (
            PlanStatus::AtRisk,
            format!(
                "Utkastet skulle ha godkänts senast {approve_by}, när föredragningslistan inför \
                 sammanträdet {meeting} stängde. \
                 Stäm av med sekreteraren eller föreslå delegationsbeslut."
            ),
        ),
        Step::Approve => (
            PlanStatus::OnTrack,
            format!(
                "I fas: utkastet ska godkännas senast {approve_by} inför sammanträdet {meeting}."
            ),
        ),
        Step::PutOnAgenda if today > approve_by => (
            PlanStatus::AtRisk,
            format!(
                "Yttrandet är godkänt men föredragningslistan inför sammanträdet {meeting} stängde \
                 {approve_by}. Be sekreteraren ta upp det ändå eller föreslå delegationsbeslut."
            ),
        ),
        Step::PutOnAgenda => (
            PlanStatus::OnTrack,
            format!(
                "I fas: yttrandet är godkänt och ska upp på föredragningslistan, som stänger \
                 {approve_by}, inför sammanträdet {meeting}."
            ),
        ),
    };

    Plan {
        meeting: Some(meeting),
        submit_by: Some(submit_by),
        approve_by: Some(approve_by),
        status,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Deadline 2026-03-31; meetings in February, 19 March (the target), 14 April.
    /// With the default lead times the target gives approve by 2026-03-09 and
    /// submit by 2026-03-02.
    fn deadline() -> NaiveDate {
        date(2026, 3, 31)
    }

    fn meetings() -> Vec<NaiveDate> {
        // Deliberately unsorted, with a past meeting and one after the deadline.
        vec![date(2026, 4, 14), date(2026, 3, 19), date(2026, 2, 19)]
    }

    fn plan_at(today: NaiveDate, progress: Progress) -> Plan {
        plan(
            deadline(),
            today,
            progress,
            &meetings(),
            LeadTimes::default(),
        )
    }

    #[test]
    fn default_lead_times() {
        let lead = LeadTimes::default();
        assert_eq!(lead.review_days, 7);
        assert_eq!(lead.agenda_closing_days, 10);
    }

    #[test]
    fn status_order_names_and_urgency() {
        assert!(PlanStatus::Impossible > PlanStatus::AtRisk);
        assert!(PlanStatus::AtRisk > PlanStatus::OnTrack);
        let mut all = vec![
            PlanStatus::AtRisk,
            PlanStatus::OnTrack,
            PlanStatus::Impossible,
        ];
        all.sort_by(|a, b| b.cmp(a));
        assert_eq!(
            all,
            [
                PlanStatus::Impossible,
                PlanStatus::AtRisk,
                PlanStatus::OnTrack
            ]
        );
        for pair in all.windows(2) {
            assert!(pair[0].urgency() > pair[1].urgency());
        }
        assert_eq!(PlanStatus::OnTrack.label_sv(), "I fas");
        assert_eq!(PlanStatus::AtRisk.label_sv(), "I riskzonen");
        assert_eq!(PlanStatus::Impossible.label_sv(), "Hinner inte");
        assert_eq!(PlanStatus::OnTrack.as_str(), "on_track");
        assert_eq!(PlanStatus::AtRisk.as_str(), "at_risk");
        assert_eq!(PlanStatus::Impossible.as_str(), "impossible");
    }

    #[test]
    fn picks_the_last_usable_meeting_and_counts_backwards() {
        let p = plan_at(date(2026, 2, 20), Progress::NotStarted);
        assert_eq!(p.meeting, Some(date(2026, 3, 19)));
        assert_eq!(p.approve_by, Some(date(2026, 3, 9)));
        assert_eq!(p.submit_by, Some(date(2026, 3, 2)));
        assert_eq!(p.status, PlanStatus::OnTrack);
        assert_eq!(
            p.reason,
            "I fas: utkastet ska skickas till granskning senast 2026-03-02 och godkännas \
             senast 2026-03-09 inför sammanträdet 2026-03-19."
        );
    }

    #[test]
    fn a_meeting_on_the_deadline_day_counts() {
        let ms = [date(2026, 3, 19), date(2026, 3, 31)];
        let p = plan(
            deadline(),
            date(2026, 3, 1),
            Progress::Drafting,
            &ms,
            LeadTimes::default(),
        );
        assert_eq!(p.meeting, Some(date(2026, 3, 31)));
        assert_eq!(p.approve_by, Some(date(2026, 3, 21)));
        assert_eq!(p.submit_by, Some(date(2026, 3, 14)));
    }

    #[test]
    fn a_meeting_the_day_after_the_deadline_does_not() {
        let ms = [date(2026, 4, 1), date(2026, 3, 19)];
        let p = plan(
            deadline(),
            date(2026, 3, 1),
            Progress::Drafting,
            &ms,
            LeadTimes::default(),
        );
        assert_eq!(p.meeting, Some(date(2026, 3, 19)));

        let only_after = [date(2026, 4, 1)];
        let p = plan(
            deadline(),
            date(2026, 3, 1),
            Progress::Drafting,
            &only_after,
            LeadTimes::default(),
        );
        assert_eq!(p.status, PlanStatus::Impossible);
        assert_eq!(p.meeting, None);
    }

    #[test]
    fn past_meetings_cannot_be_used() {
        // Only the February meeting is before the deadline, and it has been held.
        let ms = [date(2026, 2, 19), date(2026, 4, 14)];
        let p = plan(
            deadline(),
            date(2026, 3, 1),
            Progress::NotStarted,
            &ms,
            LeadTimes::default(),
        );
        assert_eq!(p.status, PlanStatus::Impossible);
        assert_eq!((p.meeting, p.submit_by, p.approve_by), (None, None, None));
        assert_eq!(
            p.reason,
            "Inget sammanträde är planerat före sista svarsdag 2026-03-31. \
             Föreslå delegationsbeslut eller be avsändaren om anstånd."
        );
    }

    /// 77 days left, and the one meeting planned before the deadline comes too
    /// soon: what is missing is a later meeting, not time.
    #[test]
    fn a_meeting_too_soon_with_time_left_asks_for_a_meeting_not_delegation() {
        let today = date(2026, 1, 13);
        let soon = date(2026, 1, 20);
        for progress in [Progress::Drafting, Progress::InReview, Progress::Approved] {
            let p = plan(deadline(), today, progress, &[soon], LeadTimes::default());
            assert_eq!(p.status, PlanStatus::AtRisk, "{progress:?}");
            assert_eq!(p.meeting, None, "{progress:?}");
            assert!(
                p.reason.starts_with(
                    "Inget sammanträde som ärendet hinner till är planerat före sista svarsdag 2026-03-31."
                ),
                "{progress:?}: {}",
                p.reason
            );
            assert!(!p.reason.contains("delegationsbeslut"), "{}", p.reason);
        }
        // No meeting planned at all yet, with time left: the same.
        let p = plan(
            deadline(),
            today,
            Progress::Drafting,
            &[],
            LeadTimes::default(),
        );
        assert_eq!(p.status, PlanStatus::AtRisk);
        assert_eq!(
            p.reason,
            "Inget sammanträde som ärendet hinner till är planerat före sista svarsdag \
             2026-03-31. Be nämndsekreteraren planera ett; det finns ännu tid (utkastet ska \
             skickas till granskning senast 2026-03-14)."
        );
        // A later meeting planned, even after the deadline: the old advice stands.
        let p = plan(
            deadline(),
            today,
            Progress::Drafting,
            &[soon, date(2026, 4, 14)],
            LeadTimes::default(),
        );
        assert_eq!(p.meeting, Some(soon));
        assert!(p.reason.contains("delegationsbeslut"), "{}", p.reason);
    }

    #[test]
    fn a_meeting_today_is_still_usable() {
        let today = date(2026, 3, 19);
        let zero = LeadTimes {
            review_days: 0,
            agenda_closing_days: 0,
        };
        let p = plan(deadline(), today, Progress::NotStarted, &meetings(), zero);
        assert_eq!(p.meeting, Some(today));
        assert_eq!(p.status, PlanStatus::OnTrack);
        // With the usual lead times its dates have passed: at risk, not impossible.
        let p = plan_at(today, Progress::NotStarted);
        assert_eq!(p.meeting, Some(today));
        assert_eq!(p.status, PlanStatus::AtRisk);
    }

    #[test]
    fn no_meetings_at_all() {
        let p = plan(
            deadline(),
            date(2026, 3, 20),
            Progress::Drafting,
            &[],
            LeadTimes::default(),
        );
        assert_eq!(p.status, PlanStatus::Impossible);
        assert!(p.reason.contains("2026-03-31"));
        assert!(p.reason.contains("delegationsbeslut"));
        assert!(p.reason.contains("anstånd"));
    }

    #[test]
    fn deadline_passed_and_not_decided_is_impossible() {
        for progress in [
            Progress::NotStarted,
            Progress::Drafting,
            Progress::InReview,
            Progress::Approved,
        ] {
            let p = plan_at(date(2026, 4, 1), progress);
            assert_eq!(p.status, PlanStatus::Impossible, "{progress:?}");
            assert_eq!(p.meeting, None);
            assert!(
                p.reason
                    .starts_with("Sista svarsdag har passerat (2026-03-31)."),
                "{}",
                p.reason
            );
        }
    }

    #[test]
    fn drafting_boundary_is_submit_by() {
        for progress in [Progress::NotStarted, Progress::Drafting] {
            let on_day = plan_at(date(2026, 3, 2), progress);
            assert_eq!(on_day.status, PlanStatus::OnTrack, "{progress:?}");
            let day_after = plan_at(date(2026, 3, 3), progress);
            assert_eq!(day_after.status, PlanStatus::AtRisk, "{progress:?}");
            assert_eq!(day_after.meeting, Some(date(2026, 3, 19)));
            assert!(
                day_after.reason.starts_with(
                    "Utkastet skulle ha skickats till granskning senast 2026-03-02 \
                     för att hinna till sammanträdet 2026-03-19."
                ),
                "{}",
                day_after.reason
            );
        }
    }

    #[test]
    fn review_boundary_is_approve_by() {
        // Past submit_by does not matter once the draft is in review.
        let on_day = plan_at(date(2026, 3, 9), Progress::InReview);
        assert_eq!(on_day.status, PlanStatus::OnTrack);
        assert_eq!(
            on_day.reason,
            "I fas: utkastet ska godkännas senast 2026-03-09 inför sammanträdet 2026-03-19."
        );
        let day_after = plan_at(date(2026, 3, 10), Progress::InReview);
        assert_eq!(day_after.status, PlanStatus::AtRisk);
        assert!(day_after.reason.contains("2026-03-09"));
        assert!(day_after.reason.contains("2026-03-19"));
    }

    #[test]
    fn approved_boundary_is_agenda_closing() {
        let on_day = plan_at(date(2026, 3, 9), Progress::Approved);
        assert_eq!(on_day.status, PlanStatus::OnTrack);
        assert!(on_day.reason.contains("2026-03-09") && on_day.reason.contains("2026-03-19"));
        let day_after = plan_at(date(2026, 3, 10), Progress::Approved);
        assert_eq!(day_after.status, PlanStatus::AtRisk);
        assert_eq!(
            day_after.reason,
            "Yttrandet är godkänt men föredragningslistan inför sammanträdet 2026-03-19 stängde \
             2026-03-09. Be sekreteraren ta upp det ändå eller föreslå delegationsbeslut."
        );
    }

    #[test]
    fn zero_lead_times_put_everything_on_the_meeting_day() {
        let zero = LeadTimes {
            review_days: 0,
            agenda_closing_days: 0,
        };
        let p = plan(
            deadline(),
            date(2026, 3, 19),
            Progress::Drafting,
            &meetings(),
            zero,
        );
        assert_eq!(p.meeting, Some(date(2026, 3, 19)));
        assert_eq!(p.approve_by, Some(date(2026, 3, 19)));
        assert_eq!(p.submit_by, Some(date(2026, 3, 19)));
        assert_eq!(p.status, PlanStatus::OnTrack);
    }

    #[test]
    fn duplicate_meetings_are_harmless() {
        let ms = [date(2026, 3, 19), date(2026, 3, 19), date(2026, 3, 5)];
        let p = plan(
            deadline(),
            date(2026, 3, 1),
            Progress::Drafting,
            &ms,
            LeadTimes::default(),
        );
        assert_eq!(p.meeting, Some(date(2026, 3, 19)));
    }

    #[test]
    fn on_agenda_before_or_on_the_deadline_is_on_track() {
        for meeting in [date(2026, 3, 19), deadline()] {
            let p = plan_at(date(2026, 3, 12), Progress::OnAgenda { meeting });
            assert_eq!(p.status, PlanStatus::OnTrack);
            assert_eq!(p.meeting, Some(meeting));
            assert!(p.reason.contains(&meeting.to_string()));
        }
        // On the meeting day itself: still on track, the decision is today.
        let meeting = date(2026, 3, 19);
        let p = plan_at(meeting, Progress::OnAgenda { meeting });
        assert_eq!(p.status, PlanStatus::OnTrack);
    }

    #[test]
    fn on_agenda_after_the_deadline_is_at_risk() {
        let meeting = date(2026, 4, 14);
        let p = plan_at(date(2026, 3, 12), Progress::OnAgenda { meeting });
        assert_eq!(p.status, PlanStatus::AtRisk);
        assert_eq!(p.meeting, Some(meeting));
        assert_eq!(
            p.reason,
            "Ärendet står på föredragningslistan till sammanträdet 2026-04-14, efter sista \
             svarsdag 2026-03-31. Be avsändaren om anstånd eller föreslå delegationsbeslut."
        );
    }

    #[test]
    fn on_agenda_of_a_held_meeting_without_decision_is_at_risk() {
        let meeting = date(2026, 3, 19);
        let p = plan_at(date(2026, 3, 20), Progress::OnAgenda { meeting });
        assert_eq!(p.status, PlanStatus::AtRisk);
        assert!(p.reason.contains("2026-03-19"));
        assert!(p.reason.contains("inget beslut"));
    }

    #[test]
    fn decided_is_on_track_until_the_deadline_passes() {
        let on_day = plan_at(deadline(), Progress::Decided);
        assert_eq!(on_day.status, PlanStatus::OnTrack);
        assert!(on_day.reason.contains("2026-03-31"));
        // Even with no meetings: nothing is left to plan.
        let p = plan(
            deadline(),
            date(2026, 3, 1),
            Progress::Decided,
            &[],
            LeadTimes::default(),
        );
        assert_eq!(p.status, PlanStatus::OnTrack);
        assert_eq!((p.meeting, p.submit_by, p.approve_by), (None, None, None));

        let late = plan_at(date(2026, 4, 1), Progress::Decided);
        assert_eq!(late.status, PlanStatus::AtRisk);
        assert!(
            late.reason
                .starts_with("Sista svarsdag har passerat; yttrandet är inte expedierat.")
        );
        assert!(late.reason.contains("2026-03-31"));
    }

    #[test]
    fn absurd_lead_times_do_not_panic() {
        let huge = LeadTimes {
            review_days: u32::MAX,
            agenda_closing_days: u32::MAX,
        };
        let p = plan(
            deadline(),
            date(2026, 3, 1),
            Progress::Drafting,
            &meetings(),
            huge,
        );
        assert_eq!(p.status, PlanStatus::AtRisk);
    }
}
