//! Messages out: what each change tells whom by e-mail, written to the outbox in
//! the change's own transaction (the use cases call the `_in` functions here),
//! and the outbox's own use cases: the deadline reminders, an administrator's
//! retry of a failed message, a user's notification setting.
//!
//! Delivery is `mail`'s, in every instance. Here a message is only text: its
//! subject, its paragraphs and the path of the page it is about.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::frozen::ReplyFiles;
use super::{Actor, Context, Error, Result, commit};
use crate::db;
use crate::db::audit::{self, NewEvent};
use crate::db::cases::CaseDetail;
use crate::db::meetings::Meeting;
use crate::db::organs::Organ;
use crate::db::outbox::{Listed, NewMessage, NotificationSetting, Recipient};
use crate::db::work::{OpenCase, OpenCaseFilter};
use crate::domain::audit::{AuditAction, MessageRetried, NotificationsChanged};
use crate::domain::dates::{format_stockholm, stockholm_date};
use crate::domain::message::{MessageKind, MessageState, ReminderKind, reminder_due};
use crate::domain::planning::{LeadTimes, Progress, plan};
use crate::domain::report::genitive;
use crate::domain::{CaseState, Dnr, Role};

/// What a notification is about: the case as both a case page and the
/// planning's list of open cases know it.
#[derive(Debug, Clone)]
pub struct About {
    pub case_id: Uuid,
    pub dnr: Dnr,
    pub title: String,
    pub deadline: NaiveDate,
}

impl From<&CaseDetail> for About {
    fn from(case: &CaseDetail) -> About {
        About {
            case_id: case.id,
            dnr: case.dnr.clone(),
            title: case.referral_title.clone(),
            deadline: case.deadline,
        }
    }
}

impl From<&OpenCase> for About {
    fn from(case: &OpenCase) -> About {
        About {
            case_id: case.id,
            dnr: case.dnr.clone(),
            title: case.title.clone(),
            deadline: case.deadline,
        }
    }
}

/// Why someone is told.
#[derive(Debug, Clone)]
pub enum Notice<'a> {
    /// The case was assigned to them.
    Assigned,
    /// Their draft came back, with the reviewer's comment.
    Returned { comment: &'a str },
    /// A draft waits for their review.
    Review,
    /// Their draft was approved.
    Approved,
    /// Their case is on a meeting's agenda ("2026-03-17 13:00").
    OnAgenda { meeting: &'a str },
    /// A planned date is near and not met.
    Reminder {
        kind: ReminderKind,
        due_on: NaiveDate,
    },
}

impl Notice<'_> {
    fn kind(&self) -> MessageKind {
        match self {
            Notice::Assigned => MessageKind::Assigned,
            Notice::Returned { .. } => MessageKind::Returned,
            Notice::Review => MessageKind::Review,
            Notice::Approved => MessageKind::Approved,
            Notice::OnAgenda { .. } => MessageKind::OnAgenda,
            Notice::Reminder { .. } => MessageKind::Reminder,
        }
    }

    fn subject(&self, about: &About) -> String {
        let dnr = &about.dnr;
        match self {
            Notice::Assigned => format!("Du har fått ärendet {dnr}"),
            Notice::Returned { .. } => format!("Utkastet i ärende {dnr} har återsänts till dig"),
            Notice::Review => format!("Utkast att granska i ärende {dnr}"),
            Notice::Approved => format!("Utkastet i ärende {dnr} är godkänt"),
            Notice::OnAgenda { meeting } => {
                format!("Ärende {dnr} är uppfört på föredragningslistan till {meeting}")
            }
            Notice::Reminder { due_on, .. } => {
                format!("Påminnelse: ärende {dnr} senast {due_on}")
            }
        }
    }

    fn body(&self, about: &About) -> String {
        let case = format!("ärendet {} {}", about.dnr, about.title);
        let deadline = format!("Sista svarsdag är {}.", about.deadline);
        let main = match self {
            Notice::Assigned => format!("Du är handläggare för {case}. {deadline}"),
            Notice::Returned { comment } => format!(
                "Granskaren har återsänt utkastet till tjänsteutlåtande i {case} med kommentaren:\n\n{comment}\n\n{deadline}"
            ),
            Notice::Review => format!(
                "Ett utkast till tjänsteutlåtande i {case} väntar på granskning. {deadline}"
            ),
            Notice::Approved => {
                format!("Utkastet till tjänsteutlåtande i {case} är godkänt. {deadline}")
            }
            Notice::OnAgenda { meeting } => format!(
                "{} är uppfört på föredragningslistan till sammanträdet {meeting}. {deadline}",
                capitalised(&case)
            ),
            Notice::Reminder { kind, due_on } => format!(
                "{} senast {due_on} för att {case} ska hinna beslutas före sista svarsdag {}.",
                kind.what_sv(),
                about.deadline
            ),
        };
        format!(
            "Hej!\n\n{main}\n\nDet här meddelandet kommer från Remiss. Du kan stänga av aviseringar med e-post på sidan Mitt konto."
        )
    }

    fn link(&self, about: &About) -> String {
        match self {
            Notice::Review => format!("/arenden/{}/granskning", about.case_id),
            _ => format!("/arenden/{}", about.case_id),
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Writes `notice` to each recipient except the actor (who knows what they did).
async fn notify(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    about: &About,
    recipients: Vec<Recipient>,
    notice: &Notice<'_>,
) -> Result<()> {
    let (subject, body, link) = (
        notice.subject(about),
        notice.body(about),
        notice.link(about),
    );
    for recipient in recipients
        .into_iter()
        .filter(|r| Some(r.user_id) != actor_id)
    {
        db::outbox::insert(
            &mut *conn,
            &NewMessage {
                kind: notice.kind(),
                case_id: Some(about.case_id),
                agenda_mailing_id: None,
                user_id: Some(recipient.user_id),
                recipient: &recipient.email,
                subject: &subject,
                body: &body,
                link: Some(&link),
                attachments: &[],
                at,
            },
        )
        .await?;
    }
    Ok(())
}

/// Tells one user, if they take notifications by e-mail.
pub async fn notify_user_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: &Actor,
    about: &About,
    user_id: Uuid,
    notice: Notice<'_>,
) -> Result<()> {
    let recipients = db::outbox::notified_user(&mut *conn, user_id)
        .await?
        .into_iter()
        .collect();
    notify(conn, at, Some(actor.user_id), about, recipients, &notice).await
}

/// Tells everyone holding `role` in the organ who takes notifications by e-mail.
pub async fn notify_role_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    actor: Option<&Actor>,
    organ_id: Uuid,
    role: Role,
    about: &About,
    notice: Notice<'_>,
) -> Result<()> {
    let recipients = db::outbox::notified_with_role(&mut *conn, organ_id, role).await?;
    notify(
        conn,
        at,
        actor.map(|a| a.user_id),
        about,
        recipients,
        &notice,
    )
    .await
}

/// Writes the dispatched yttrande's e-mail to the sender's registry: its frozen
/// files attached, and the subject Regeringskansliet asks for, the sender's dnr
/// and the respondent's name.
pub async fn queue_reply_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    case: &CaseDetail,
    address: &str,
    files: ReplyFiles,
) -> Result<()> {
    let subject = reply_subject(case);
    let reference = match case.sender_dnr.trim() {
        "" => String::new(),
        dnr => format!(" (er beteckning {dnr})"),
    };
    let body = format!(
        "Till {}\n\n{} överlämnar härmed sitt yttrande över remissen {}{reference}, vårt diarienummer {}.\n\nYttrandet bifogas som PDF och Word.\n\nMed vänlig hälsning\n{}",
        case.sender_name, case.organ_name, case.referral_title, case.dnr, case.organ_name
    );
    db::outbox::insert(
        conn,
        &NewMessage {
            kind: MessageKind::Reply,
            case_id: Some(case.id),
            agenda_mailing_id: None,
            user_id: None,
            recipient: address,
            subject: &subject,
            body: &body,
            link: None,
            attachments: &[files.pdf, files.docx],
            at,
        },
    )
    .await?;
    Ok(())
}

/// Writes the kallelse's e-mail to each member's address, the mailing's PDF
/// attached when it is sent. `again`: the föredragningslista has changed since
/// the last kallelse.
pub async fn queue_agenda_in(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    mailing_id: Uuid,
    meeting: &Meeting,
    addresses: &[&str],
    again: bool,
) -> Result<()> {
    let when = format_stockholm(meeting.starts_at);
    let organ = genitive(&meeting.organ_name);
    let (subject, changed) = if again {
        (
            format!("Ändrad kallelse till {organ} sammanträde {when}"),
            " Föredragningslistan har ändrats sedan den förra kallelsen: den här ersätter den.",
        )
    } else {
        (format!("Kallelse till {organ} sammanträde {when}"), "")
    };
    let body = format!(
        "Hej!\n\nDu kallas till {organ} sammanträde {when}, {}.{changed}\n\nKallelsen med föredragningslistan bifogas som PDF.\n\nMed vänlig hälsning\n{}",
        meeting.place, meeting.organ_name
    );
    for address in addresses {
        db::outbox::insert(
            &mut *conn,
            &NewMessage {
                kind: MessageKind::Agenda,
                case_id: None,
                agenda_mailing_id: Some(mailing_id),
                user_id: None,
                recipient: address,
                subject: &subject,
                body: &body,
                link: None,
                attachments: &[],
                at,
            },
        )
        .await?;
    }
    Ok(())
}

/// `Fi2025/01842 Arbetsmarknadsnämnden`: the sender's dnr and the respondent's
/// name; without the sender's dnr, ours.
pub fn reply_subject(case: &CaseDetail) -> String {
    match case.sender_dnr.trim() {
        "" => format!("Yttrande {} {}", case.dnr, case.organ_name),
        dnr => format!("{dnr} {}", case.organ_name),
    }
}

/// Writes the deadline reminders that today calls for: when a case's next
/// planned date (submit, approve, agenda closing) is at most three working days
/// away, its people are told once per case, kind and date, whichever instance
/// gets there first. How many were given.
pub async fn queue_reminders(ctx: &Context) -> Result<usize> {
    let today = ctx.clock.today();
    let mut conn = ctx.pool.acquire().await?;
    let organs = db::organs::list(&mut conn).await?;
    let organ_ids: Vec<Uuid> = organs.iter().map(|o| o.id).collect();
    let since = ctx.clock.now() - chrono::TimeDelta::days(1);
    let meetings = db::work::meeting_dates(&mut conn, &organ_ids, since).await?;
    drop(conn);
    let mut given = 0;
    // A planned date lies on or before the deadline, and a reminder is for a date
    // still ahead: the cases whose deadline has not passed, a page at a time, so
    // that memory stays flat however many cases a city has.
    let mut after = Some((today.pred_opt().unwrap_or(today), Uuid::max()));
    while let Some(from) = after {
        let filter = OpenCaseFilter {
            organs: &organ_ids,
            states: &[
                CaseState::Drafting,
                CaseState::InReview,
                CaseState::Approved,
            ],
            officer: None,
            after: Some(from),
        };
        let (cases, _) = {
            let mut conn = ctx.pool.acquire().await?;
            db::work::open_cases(&mut conn, filter, REMINDER_PAGE).await?
        };
        after = (cases.len() as i64 == REMINDER_PAGE)
            .then(|| cases.last().map(|c| (c.deadline, c.id)))
            .flatten();
        for case in cases {
            given += remind(ctx, today, &organs, &meetings, case).await?;
        }
    }
    Ok(given)
}

/// Open cases read at a time for the reminders.
const REMINDER_PAGE: i64 = 500;

/// Queues the reminder due for one case, if any; 1 when one was queued.
async fn remind(
    ctx: &Context,
    today: NaiveDate,
    organs: &[Organ],
    meetings: &[(Uuid, DateTime<Utc>)],
    case: OpenCase,
) -> Result<usize> {
    let Some(organ) = organs.iter().find(|o| o.id == case.organ_id) else {
        return Ok(0);
    };
    let lead = LeadTimes {
        review_days: organ.review_days.unsigned_abs(),
        agenda_closing_days: organ.agenda_closing_days.unsigned_abs(),
    };
    let dates: Vec<NaiveDate> = meetings
        .iter()
        .filter(|(organ, _)| *organ == case.organ_id)
        .map(|(_, at)| stockholm_date(*at))
        .collect();
    let (progress, next, role) = match case.state {
        CaseState::Drafting => (Progress::Drafting, ReminderKind::Submit, None),
        CaseState::InReview => (
            Progress::InReview,
            ReminderKind::Approve,
            Some(Role::Reviewer),
        ),
        _ => (
            Progress::Approved,
            ReminderKind::Agenda,
            Some(Role::Secretary),
        ),
    };
    let case_plan = plan(case.deadline, today, progress, &dates, lead);
    let Some((kind, due_on)) = reminder_due(&case_plan, next, today) else {
        return Ok(0);
    };
    let (mut tx, at) = ctx.begin().await?;
    if !db::outbox::take_reminder(&mut tx, case.id, kind, due_on).await? {
        return Ok(0);
    }
    let about = About::from(&case);
    let notice = Notice::Reminder { kind, due_on };
    match (role, case.officer_id) {
        (Some(role), _) => {
            notify_role_in(&mut tx, at, None, case.organ_id, role, &about, notice).await?
        }
        (None, Some(officer)) => {
            let recipients = db::outbox::notified_user(&mut tx, officer)
                .await?
                .into_iter()
                .collect();
            notify(&mut tx, at, None, &about, recipients, &notice).await?
        }
        (None, None) => {}
    }
    tx.commit().await?;
    Ok(1)
}

/// The messages not sent, for an administrator.
pub async fn unsent(ctx: &Context, actor: &Actor) -> Result<Vec<Listed>> {
    actor.require(actor.is_admin)?;
    let mut conn = ctx.pool.acquire().await?;
    Ok(db::outbox::unsent(&mut conn, 500).await?)
}

/// An administrator queues a failed message again, due at once.
pub async fn retry(ctx: &Context, actor: &Actor, id: Uuid) -> Result<()> {
    actor.require(actor.is_admin)?;
    let (mut tx, now) = ctx.begin().await?;
    let message = db::outbox::lock(&mut tx, id)
        .await?
        .ok_or(Error::NotFound)?;
    if message.state != MessageState::Failed || !db::outbox::requeue(&mut tx, id, now).await? {
        return Err(Error::Conflict(
            "Meddelandet har inte misslyckats, så det finns inget att skicka om.".into(),
        ));
    }
    let event = MessageRetried {
        recipient: message.recipient,
        subject: message.subject,
        last_error: message.last_error,
    };
    audit::record(
        &mut tx,
        NewEvent {
            case_id: message.case_id,
            after: Some(audit::details(&event)),
            at: Some(now),
            ..NewEvent::new(Some(actor.user_id), AuditAction::MessageRetried, id)
        },
    )
    .await?;
    commit(tx, ()).await
}

/// Whether the user takes notifications by e-mail, and at which address.
pub async fn notification_setting(ctx: &Context, actor: &Actor) -> Result<NotificationSetting> {
    let mut conn = ctx.pool.acquire().await?;
    db::outbox::notification_setting(&mut conn, actor.user_id)
        .await?
        .ok_or(Error::NotFound)
}

/// The user turns their notifications by e-mail on or off.
pub async fn set_notifications(ctx: &Context, actor: &Actor, on: bool) -> Result<()> {
    let (mut tx, now) = ctx.begin().await?;
    db::outbox::set_notifications(&mut tx, actor.user_id, on).await?;
    let event = NotificationsChanged {
        notify_by_email: on,
    };
    audit::record(
        &mut tx,
        NewEvent {
            after: Some(audit::details(&event)),
            at: Some(now),
            ..NewEvent::new(
                Some(actor.user_id),
                AuditAction::UserNotificationsChanged,
                actor.user_id,
            )
        },
    )
    .await?;
    commit(tx, ()).await
}
