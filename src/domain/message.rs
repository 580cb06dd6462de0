//! Outgoing e-mail, the pure part: what kinds of message there are, their
//! state in the outbox, how often a failed one is tried again, the `Message-ID`
//! a message keeps over its retries, its HTML made from its text, and which
//! deadline reminders a case's plan calls for.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use uuid::Uuid;

use super::calendar::working_days_between;
use super::planning::Plan;

/// What caused a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// The dispatched yttrande, to the sender's registry.
    Reply,
    Assigned,
    Returned,
    /// A draft waits for the reviewer.
    Review,
    Approved,
    OnAgenda,
    /// A planned date is near and not met.
    Reminder,
    /// The kallelse with its föredragningslista, to a member of the nämnd.
    Agenda,
}

impl MessageKind {
    pub const ALL: [MessageKind; 8] = [
        MessageKind::Reply,
        MessageKind::Assigned,
        MessageKind::Returned,
        MessageKind::Review,
        MessageKind::Approved,
        MessageKind::OnAgenda,
        MessageKind::Reminder,
        MessageKind::Agenda,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Reply => "reply",
            MessageKind::Assigned => "assigned",
            MessageKind::Returned => "returned",
            MessageKind::Review => "review",
            MessageKind::Approved => "approved",
            MessageKind::OnAgenda => "on_agenda",
            MessageKind::Reminder => "reminder",
            MessageKind::Agenda => "agenda",
        }
    }

    pub fn parse(s: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            MessageKind::Reply => "Yttrande",
            MessageKind::Assigned => "Tilldelat ärende",
            MessageKind::Returned => "Återsänt utkast",
            MessageKind::Review => "Utkast att granska",
            MessageKind::Approved => "Godkänt utkast",
            MessageKind::OnAgenda => "Uppfört på föredragningslista",
            MessageKind::Reminder => "Påminnelse",
            MessageKind::Agenda => "Kallelse",
        }
    }
}

/// Where a message is in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageState {
    Queued,
    Sent,
    /// Refused by the server, or not delivered after [`MAX_ATTEMPTS`] tries.
    Failed,
}

impl MessageState {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Queued => "queued",
            MessageState::Sent => "sent",
            MessageState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<MessageState> {
        [
            MessageState::Queued,
            MessageState::Sent,
            MessageState::Failed,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// As the case page and the admin page say it.
    pub fn label_sv(self) -> &'static str {
        match self {
            MessageState::Queued => "köat",
            MessageState::Sent => "skickat",
            MessageState::Failed => "misslyckades",
        }
    }
}

/// Tries before a message that the server keeps deferring (or that cannot reach
/// it) is given up as failed: with [`retry_delay`], just over a day.
pub const MAX_ATTEMPTS: i32 = 13;

/// How long a claim on a message lasts: an instance that dies while sending
/// leaves it to be sent again (with the same `Message-ID`) after this.
pub const CLAIM: TimeDelta = TimeDelta::minutes(10);

/// How long after the `attempts`-th failed try the next one comes: a minute,
/// doubling, at most six hours.
pub fn retry_delay(attempts: i32) -> TimeDelta {
    let doublings = attempts.clamp(1, 16) - 1;
    TimeDelta::minutes(1i64 << doublings).min(TimeDelta::hours(6))
}

/// What becomes of a message whose `attempts`-th try failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    Fail,
}

/// A permanent refusal (5xx) fails the message at once; anything else is tried
/// again later, until [`MAX_ATTEMPTS`].
pub fn after_failure(attempts: i32, permanent: bool, now: DateTime<Utc>) -> AfterFailure {
    if permanent || attempts >= MAX_ATTEMPTS {
        AfterFailure::Fail
    } else {
        AfterFailure::RetryAt(now + retry_delay(attempts))
    }
}

/// The `Message-ID` of an outbox row, the same on every try, so that a message
/// sent again after an unknown outcome is recognisable as the same one.
pub fn message_id(id: Uuid, from_address: &str) -> String {
    let domain = from_address
        .rsplit_once('@')
        .map_or("remiss.invalid", |(_, domain)| domain);
    format!("<{id}@{domain}>")
}

/// The HTML part of a message: its text's paragraphs, escaped, and the link.
pub fn html_body(text: &str, link: Option<&str>) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"></head><body>",
    );
    for paragraph in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        html.push_str("<p>");
        html.push_str(&escape(paragraph.trim()).replace('\n', "<br>"));
        html.push_str("</p>");
    }
    if let Some(link) = link {
        let link = escape(link);
        html.push_str(&format!("<p><a href=\"{link}\">{link}</a></p>"));
    }
    html.push_str("</body></html>");
    html
}

/// The plain text part: the text, and the link on a line of its own.
pub fn text_body(text: &str, link: Option<&str>) -> String {
    match link {
        Some(link) => format!("{}\n\n{link}\n", text.trim_end()),
        None => format!("{}\n", text.trim_end()),
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A planned date of the backward planning that someone must meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderKind {
    /// The handläggare submits the draft for review.
    Submit,
    /// The granskare approves it.
    Approve,
    /// The nämndsekreterare places it on the agenda before it closes.
    Agenda,
}

impl ReminderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::Submit => "submit",
            ReminderKind::Approve => "approve",
            ReminderKind::Agenda => "agenda",
        }
    }

    /// "… senast {date}".
    pub fn what_sv(self) -> &'static str {
        match self {
            ReminderKind::Submit => "Utkastet behöver skickas till granskning",
            ReminderKind::Approve => "Utkastet behöver granskas och godkännas",
            ReminderKind::Agenda => "Ärendet behöver föras upp på föredragningslistan",
        }
    }
}

/// How many working days before a planned date its reminder goes out.
pub const REMINDER_WORKING_DAYS: i64 = 3;

/// The reminder a case's plan calls for today, if any: the date the case's
/// next step must be taken by, when it is at most [`REMINDER_WORKING_DAYS`]
/// working days away and not passed. The step not being taken yet is what
/// `next` says (the caller knows the case's state).
pub fn reminder_due(
    plan: &Plan,
    next: ReminderKind,
    today: NaiveDate,
) -> Option<(ReminderKind, NaiveDate)> {
    let date = match next {
        ReminderKind::Submit => plan.submit_by,
        ReminderKind::Approve | ReminderKind::Agenda => plan.approve_by,
    }?;
    (date >= today && working_days_between(today, date) <= REMINDER_WORKING_DAYS)
        .then_some((next, date))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::planning::PlanStatus;

    #[test]
    fn every_kind_and_state_reads_back() {
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::parse(kind.as_str()), Some(kind));
            assert!(!kind.label_sv().is_empty());
        }
        for state in [
            MessageState::Queued,
            MessageState::Sent,
            MessageState::Failed,
        ] {
            assert_eq!(MessageState::parse(state.as_str()), Some(state));
        }
        assert_eq!(MessageKind::parse("other"), None);
    }

    #[test]
    fn retries_back_off_and_end() {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        assert_eq!(retry_delay(1), TimeDelta::minutes(1));
        assert_eq!(retry_delay(2), TimeDelta::minutes(2));
        assert_eq!(retry_delay(5), TimeDelta::minutes(16));
        assert_eq!(retry_delay(12), TimeDelta::hours(6));
        assert_eq!(
            after_failure(1, false, now),
            AfterFailure::RetryAt(now + TimeDelta::minutes(1))
        );
        assert_eq!(after_failure(1, true, now), AfterFailure::Fail);
        assert_eq!(after_failure(MAX_ATTEMPTS, false, now), AfterFailure::Fail);
        let total: TimeDelta = (1..MAX_ATTEMPTS).map(retry_delay).sum();
        assert!(total > TimeDelta::hours(24) && total < TimeDelta::hours(48));
    }

    #[test]
    fn the_message_id_is_the_rows_on_the_senders_domain() {
        let id = Uuid::nil();
        assert_eq!(
            message_id(id, "remiss@stad.se"),
            "<00000000-0000-0000-0000-000000000000@stad.se>"
        );
        assert!(message_id(id, "remiss").ends_with("@remiss.invalid>"));
    }

    #[test]
    fn the_html_is_the_text_escaped_with_its_link() {
        let html = html_body(
            "Hej!\n\nKommentar: <b>ändra</b> & \"skicka\"\nigen",
            Some("https://remiss.stad.se/arenden/1?a=1&b=2"),
        );
        assert!(html.contains("<p>Hej!</p>"));
        assert!(html.contains(
            "<p>Kommentar: &lt;b&gt;ändra&lt;/b&gt; &amp; &quot;skicka&quot;<br>igen</p>"
        ));
        assert!(html.contains("href=\"https://remiss.stad.se/arenden/1?a=1&amp;b=2\""));
        assert_eq!(text_body("Hej!\n", Some("/x")), "Hej!\n\n/x\n");
        assert_eq!(text_body("Hej!", None), "Hej!\n");
    }

    fn plan(submit_by: Option<NaiveDate>, approve_by: Option<NaiveDate>) -> Plan {
        Plan {
            meeting: None,
            submit_by,
            approve_by,
            status: PlanStatus::OnTrack,
            reason: String::new(),
        }
    }

    #[test]
    fn a_reminder_falls_due_three_working_days_before_the_date() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        // Thursday 12 March 2026: three working days before is Monday 9 March.
        let dates = plan(Some(day(12)), Some(day(19)));
        assert_eq!(reminder_due(&dates, ReminderKind::Submit, day(6)), None);
        assert_eq!(
            reminder_due(&dates, ReminderKind::Submit, day(9)),
            Some((ReminderKind::Submit, day(12)))
        );
        // Over a weekend: Friday 6 March to Wednesday 11 March is three working days.
        let wednesday = Plan {
            submit_by: Some(day(11)),
            ..dates.clone()
        };
        assert_eq!(
            reminder_due(&wednesday, ReminderKind::Submit, day(6)),
            Some((ReminderKind::Submit, day(11)))
        );
        assert_eq!(
            reminder_due(&dates, ReminderKind::Submit, day(12)),
            Some((ReminderKind::Submit, day(12)))
        );
        assert_eq!(reminder_due(&dates, ReminderKind::Submit, day(13)), None);
        assert_eq!(
            reminder_due(&dates, ReminderKind::Approve, day(16)),
            Some((ReminderKind::Approve, day(19)))
        );
        assert_eq!(
            reminder_due(&dates, ReminderKind::Agenda, day(16)),
            Some((ReminderKind::Agenda, day(19)))
        );
        assert_eq!(
            reminder_due(&plan(None, None), ReminderKind::Agenda, day(16)),
            None
        );
    }
}
