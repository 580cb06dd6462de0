//! Delivering the outbox by SMTP (lettre, on tokio, TLS by rustls), and the
//! background task every instance runs: it claims the messages that are due,
//! sends them and marks them, and gives the deadline reminders.
//!
//! At least once: a message is marked sent after the server took it. An
//! instance that stops between the two leaves its claim to lapse
//! ([`CLAIM`]), and the message goes again with the same `Message-ID`, which
//! the receiving side can recognise. A refusal (5xx) fails the message at once;
//! anything else (the server down, slow past the timeout, 4xx) is tried again
//! with growing pauses, and fails after
//! [`MAX_ATTEMPTS`](crate::domain::message::MAX_ATTEMPTS). Failed messages wait
//! for an administrator on the admin page, with the server's answer.

use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, TimeDelta, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::{PgConnection, PgPool};

use crate::app::{self, Context};
use crate::db;
use crate::db::outbox::Claimed;
use crate::domain::message::{
    AfterFailure, CLAIM, after_failure, html_body, message_id, text_body,
};
use crate::files::store::read_all;

/// How long one SMTP conversation may take before it counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the task looks for due messages.
const POLL: Duration = Duration::from_secs(10);

/// How often the task gives the day's deadline reminders and purges old messages.
const DAILY_WORK_EVERY: Duration = Duration::from_secs(15 * 60);

/// How long sent messages are kept.
pub const RETENTION: TimeDelta = TimeDelta::days(30);

/// Messages claimed at a time.
const BATCH: i64 = 20;

/// The SMTP side: the server, who the mail is from, and the public address that
/// makes the messages' links absolute.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: Option<String>,
}

/// What one round of delivery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    /// Failed this time, to be tried again.
    pub deferred: usize,
    pub failed: usize,
}

/// Why one message did not go.
struct NotSent {
    answer: String,
    permanent: bool,
}

impl Mailer {
    /// `smtp_url` as `--smtp-url` takes it; `from` as `Remiss <remiss@kommun.se>`.
    pub fn new(smtp_url: &str, from: &str, public_url: Option<&str>) -> anyhow::Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .context("--smtp-url is not an SMTP URL such as smtp://127.0.0.1:2525")?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from = from
            .parse::<Mailbox>()
            .with_context(|| format!("--mail-from {from:?} is not an address"))?;
        Ok(Mailer {
            transport,
            from,
            public_url: public_url.map(|url| url.trim_end_matches('/').to_string()),
        })
    }

    /// Sends the messages due at `now`, a batch at a time, until none is due.
    pub async fn deliver_due(&self, pool: &PgPool, now: DateTime<Utc>) -> sqlx::Result<Delivery> {
        let mut delivery = Delivery::default();
        loop {
            let claimed = {
                let mut conn = pool.acquire().await?;
                db::outbox::claim_due(&mut conn, now, now + CLAIM, BATCH).await?
            };
            if claimed.is_empty() {
                return Ok(delivery);
            }
            for message in claimed {
                let outcome = self.send(pool, &message).await;
                let mut conn = pool.acquire().await?;
                match outcome {
                    Ok(answer) => {
                        db::outbox::mark_sent(&mut conn, message.id, Utc::now(), &answer).await?;
                        delivery.sent += 1;
                    }
                    Err(not_sent) => {
                        tracing::warn!(
                            message = %message.id,
                            attempt = message.attempts,
                            "e-mail not sent: {}",
                            not_sent.answer
                        );
                        let retry_at =
                            match after_failure(message.attempts, not_sent.permanent, Utc::now()) {
                                AfterFailure::RetryAt(at) => {
                                    delivery.deferred += 1;
                                    Some(at)
                                }
                                AfterFailure::Fail => {
                                    delivery.failed += 1;
                                    None
                                }
                            };
                        db::outbox::mark_failed_try(
                            &mut conn,
                            message.id,
                            &not_sent.answer,
                            retry_at,
                        )
                        .await?;
                    }
                }
            }
        }
    }

    /// One message over SMTP; the server's answer when it took it.
    async fn send(&self, pool: &PgPool, message: &Claimed) -> Result<String, NotSent> {
        let email = self.compose(pool, message).await?;
        match self.transport.send(email).await {
            Ok(response) => Ok(format!(
                "{} {}",
                response.code(),
                response.message().collect::<Vec<_>>().join(" ")
            )),
            Err(error) => Err(NotSent {
                answer: error.to_string(),
                permanent: error.is_permanent(),
            }),
        }
    }

    async fn compose(&self, pool: &PgPool, message: &Claimed) -> Result<Message, NotSent> {
        let refused = |answer: String| NotSent {
            answer,
            permanent: true,
        };
        let to = message
            .recipient
            .parse::<Mailbox>()
            .map_err(|e| refused(format!("ogiltig mottagaradress: {e}")))?;
        let link = match (&message.link, &self.public_url) {
            (Some(path), Some(base)) => Some(format!("{base}{path}")),
            _ => None,
        };
        let alternatives = MultiPart::alternative_plain_html(
            text_body(&message.body, link.as_deref()),
            html_body(&message.body, link.as_deref()),
        );
        let builder = Message::builder()
            .message_id(Some(message_id(message.id, self.from.email.as_ref())))
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject);
        let email = if message.attachments.is_empty() && message.agenda_mailing_id.is_none() {
            builder.multipart(alternatives)
        } else {
            let mut conn = pool.acquire().await.map_err(|e| NotSent {
                answer: format!("databasen: {e}"),
                permanent: false,
            })?;
            let mut mixed = MultiPart::mixed().multipart(alternatives);
            for (name, media_type, bytes) in
                attachments(&mut conn, message).await.map_err(|e| NotSent {
                    answer: format!("bilagorna kunde inte läsas: {e}"),
                    permanent: false,
                })?
            {
                let content_type = ContentType::parse(&media_type)
                    .map_err(|e| refused(format!("bilagans typ {media_type}: {e}")))?;
                mixed = mixed.singlepart(Attachment::new(name).body(bytes, content_type));
            }
            builder.multipart(mixed)
        };
        email.map_err(|e| refused(format!("meddelandet kunde inte byggas: {e}")))
    }
}

/// The registered documents' files and the kallelse's PDF, as stored: (file
/// name, media type, bytes).
async fn attachments(
    conn: &mut PgConnection,
    message: &Claimed,
) -> sqlx::Result<Vec<(String, String, Vec<u8>)>> {
    let mut files = Vec::new();
    if let Some(mailing) = message.agenda_mailing_id {
        let file = db::meetings::agenda_mailing_file(&mut *conn, mailing)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        let bytes = read_all(&mut *conn, &file.sha256, file.size).await?;
        files.push((file.file_name, "application/pdf".to_string(), bytes));
    }
    for id in &message.attachments {
        let document = db::documents::get(&mut *conn, *id)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        let bytes = read_all(&mut *conn, &document.sha256, document.size).await?;
        files.push((document.file_name, document.media_type, bytes));
    }
    Ok(files)
}

/// The task every instance runs until it is stopped: delivers due messages (when
/// an SMTP server is configured), gives the deadline reminders and purges sent
/// messages past [`RETENTION`].
pub async fn run(ctx: Context, mailer: Option<Mailer>) {
    let mut poll = tokio::time::interval(POLL);
    let mut last_daily_work: Option<tokio::time::Instant> = None;
    loop {
        poll.tick().await;
        if last_daily_work.is_none_or(|at| at.elapsed() >= DAILY_WORK_EVERY) {
            last_daily_work = Some(tokio::time::Instant::now());
            match app::outbox::queue_reminders(&ctx).await {
                Ok(0) => {}
                Ok(given) => tracing::info!("{given} deadline reminders queued"),
                Err(error) => tracing::warn!("deadline reminders failed: {error}"),
            }
            if let Err(error) = purge(&ctx.pool).await {
                tracing::warn!("purging sent e-mail failed: {error}");
            }
        }
        if let Some(mailer) = &mailer {
            match mailer.deliver_due(&ctx.pool, Utc::now()).await {
                Ok(delivery) if delivery != Delivery::default() => {
                    tracing::info!(?delivery, "outbox delivered");
                }
                Ok(_) => {}
                Err(error) => tracing::warn!("outbox delivery failed: {error}"),
            }
        }
    }
}

async fn purge(pool: &PgPool) -> sqlx::Result<()> {
    let mut conn = pool.acquire().await?;
    let purged = db::outbox::purge_sent(&mut conn, Utc::now() - RETENTION).await?;
    if purged > 0 {
        tracing::info!("{purged} sent e-mail messages purged");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::message::MAX_ATTEMPTS;

    #[tokio::test]
    async fn the_settings_are_checked_at_start() {
        assert!(Mailer::new("smtp://127.0.0.1:2525", "Remiss <remiss@stad.se>", None).is_ok());
        assert!(Mailer::new("http://127.0.0.1", "remiss@stad.se", None).is_err());
        assert!(Mailer::new("smtp://127.0.0.1:2525", "inte en adress", None).is_err());
        // Enough tries to outlast a night's outage.
        const { assert!(MAX_ATTEMPTS >= 8) };
    }
}
