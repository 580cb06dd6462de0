//! Write load from inside the test: registrars registering remisser as fast as
//! the server lets them, bounded in time and count, each answer kept.

use std::time::{Duration, Instant};

use sqlx::PgPool;
use uuid::Uuid;

use crate::http::Browser;

/// How a registration ended for the client.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// 303 to the new remiss: the server said it is saved.
    Acknowledged(Uuid),
    /// Any other answer.
    Answered(u16, String),
    /// No answer: the connection failed or closed.
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct Attempt {
    pub title: String,
    pub outcome: Outcome,
    /// When the answer came (or the request failed).
    pub at: Instant,
}

impl Attempt {
    pub fn acknowledged(&self) -> Option<Uuid> {
        match self.outcome {
            Outcome::Acknowledged(id) => Some(id),
            _ => None,
        }
    }
}

/// Today and a deadline two months on, as the registrar types them.
pub fn dates() -> (String, String) {
    let today = remiss::domain::dates::stockholm_date(chrono::Utc::now());
    (
        today.to_string(),
        (today + chrono::Days::new(60)).to_string(),
    )
}

/// A registrar's browser, logged in, with the token of its session.
pub struct Registrar {
    browser: Browser,
    token: String,
    respondents: Vec<String>,
    label: String,
}

impl Registrar {
    /// Logs in as `registrator` at `base`; registers remisser to `respondents`.
    pub async fn new(browser: Browser, label: &str, respondents: &[Uuid]) -> Registrar {
        let mut browser = browser;
        browser.login_as("registrator").await;
        let token = browser.get("/remisser/ny").await.csrf_token();
        Registrar {
            browser,
            token,
            respondents: respondents.iter().map(Uuid::to_string).collect(),
            label: label.to_string(),
        }
    }

    /// The `Cookie` header of its session.
    pub fn cookie_header(&self) -> String {
        self.browser.cookie_header()
    }

    pub fn browser(&mut self) -> &mut Browser {
        &mut self.browser
    }

    /// The title and form body of registration number `n`.
    pub fn registration(&self, n: usize) -> (String, String) {
        let title = format!("Belastningsremiss {} nr {n}", self.label);
        // Every registration its own number at the sender (and label), so that
        // none is held back as a likely duplicate.
        let sender_dnr = format!("Ku2026/{n:05} {}", self.label);
        let (received, deadline) = dates();
        let mut fields = vec![
            ("csrf_token", self.token.as_str()),
            ("title", title.as_str()),
            ("sender_name", "Kulturdepartementet"),
            ("sender_dnr", sender_dnr.as_str()),
            ("received_on", received.as_str()),
            ("deadline", deadline.as_str()),
        ];
        fields.extend(
            self.respondents
                .iter()
                .map(|id| ("respondents", id.as_str())),
        );
        let body = crate::http::encode(&fields);
        (title, body)
    }

    /// One registration, numbered `n`.
    pub async fn register(&mut self, n: usize) -> Attempt {
        let (title, body) = self.registration(n);
        let body = body.into_bytes();
        let outcome = match self
            .browser
            .try_request("POST", "/remisser", &[], Some(body))
            .await
        {
            Ok(response) => match response
                .location()
                .and_then(|l| l.strip_prefix("/remisser/"))
                .and_then(|id| Uuid::parse_str(id).ok())
            {
                Some(id) if response.status == 303 => Outcome::Acknowledged(id),
                _ => Outcome::Answered(response.status, response.body),
            },
            Err(error) => Outcome::Failed(format!("{error:#}")),
        };
        Attempt {
            title,
            outcome,
            at: Instant::now(),
        }
    }

    /// Registers until `until`, at most `most` times, then hands itself back with
    /// what happened.
    pub async fn register_until(
        mut self,
        until: Instant,
        most: usize,
    ) -> (Registrar, Vec<Attempt>) {
        let mut attempts = Vec::new();
        for n in 0..most {
            if Instant::now() >= until {
                break;
            }
            let attempt = self.register(n).await;
            // A refused or failed request is not retried at once: the server is
            // in trouble, and a client would wait a moment too.
            if attempt.acknowledged().is_none() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            attempts.push(attempt);
        }
        (self, attempts)
    }
}

/// Runs every registrar until `until` (at most `most` each); all their attempts.
pub async fn register_all(
    registrars: Vec<Registrar>,
    until: Instant,
    most: usize,
) -> (Vec<Registrar>, Vec<Attempt>) {
    let tasks: Vec<_> = registrars
        .into_iter()
        .map(|registrar| tokio::spawn(registrar.register_until(until, most)))
        .collect();
    let mut registrars = Vec::new();
    let mut attempts = Vec::new();
    for task in tasks {
        let (registrar, done) = task.await.expect("a registrar's task");
        registrars.push(registrar);
        attempts.extend(done);
    }
    (registrars, attempts)
}

// ---------------------------------------------------------------------------
// What the database must hold afterwards.
// ---------------------------------------------------------------------------

/// Every acknowledged registration is there: the remiss under its title, one case
/// per respondent, and its audit events.
pub async fn assert_acknowledged_are_saved(pool: &PgPool, attempts: &[Attempt], respondents: i64) {
    let acknowledged: Vec<(Uuid, &str)> = attempts
        .iter()
        .filter_map(|a| a.acknowledged().map(|id| (id, a.title.as_str())))
        .collect();
    for (id, title) in &acknowledged {
        let (saved_title, cases, events): (Option<String>, i64, i64) = sqlx::query_as(
            "SELECT (SELECT title FROM referrals WHERE id = $1),
                    (SELECT count(*) FROM cases WHERE referral_id = $1),
                    (SELECT count(*) FROM audit_events WHERE referral_id = $1
                       AND action IN ('referral.registered', 'case.registered'))",
        )
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("the check query");
        assert_eq!(
            saved_title.as_deref(),
            Some(*title),
            "the acknowledged registration {title:?} ({id}) is not in the database"
        );
        assert_eq!(cases, respondents, "{title}: one case per respondent");
        assert_eq!(
            events,
            respondents + 1,
            "{title}: the registration's audit events (one for the remiss, one per case)"
        );
    }
}

/// Every diarium series and every § series runs 1, 2, 3, ... up to its last
/// number with no gap and no number twice; every case has its registration event.
pub async fn assert_series_gapless(pool: &PgPool) {
    let broken: Vec<(String, i32, i32, i64, Option<i32>, i64)> = sqlx::query_as(
        "SELECT o.diarium_prefix, s.year, s.last_seq,
                count(c.id), min(c.dnr_seq), count(DISTINCT c.dnr_seq)
         FROM diarium_series s
         JOIN organs o ON o.id = s.organ_id
         LEFT JOIN cases c ON c.organ_id = s.organ_id AND c.dnr_year = s.year
         GROUP BY o.diarium_prefix, s.year, s.last_seq
         HAVING count(c.id) <> s.last_seq OR count(DISTINCT c.dnr_seq) <> s.last_seq
             OR min(c.dnr_seq) <> 1 OR max(c.dnr_seq) <> s.last_seq",
    )
    .fetch_all(pool)
    .await
    .expect("the diarium check");
    assert!(
        broken.is_empty(),
        "diarium series with gaps or duplicates (prefix, year, last number, cases, lowest, distinct): {broken:?}"
    );
    let cases_in_no_series: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM diarium_series s
           WHERE s.organ_id = c.organ_id AND s.year = c.dnr_year AND c.dnr_seq <= s.last_seq)",
    )
    .fetch_one(pool)
    .await
    .expect("the diarium check");
    assert_eq!(cases_in_no_series, 0, "cases numbered past their series");
    let paragraphs: Vec<(i32, i32, i64, i64)> = sqlx::query_as(
        "SELECT s.year, s.last_seq, count(d.id), count(DISTINCT d.paragraph)
         FROM paragraph_series s
         LEFT JOIN decisions d ON d.paragraph_year = s.year AND d.paragraph IS NOT NULL
              AND d.case_id IN (SELECT id FROM cases WHERE organ_id = s.organ_id)
         GROUP BY s.organ_id, s.year, s.last_seq
         HAVING count(d.id) <> s.last_seq OR count(DISTINCT d.paragraph) <> s.last_seq
             OR min(d.paragraph) <> 1 OR max(d.paragraph) <> s.last_seq",
    )
    .fetch_all(pool)
    .await
    .expect("the § check");
    assert!(
        paragraphs.is_empty(),
        "§ series with gaps or duplicates (year, last §, decisions, distinct): {paragraphs:?}"
    );
    let unlogged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM audit_events e
           WHERE e.case_id = c.id AND e.action = 'case.registered')",
    )
    .fetch_one(pool)
    .await
    .expect("the audit check");
    assert_eq!(unlogged, 0, "cases without their registration event");
}

/// How many of each kind of answer: for messages.
pub fn tally(attempts: &[Attempt]) -> String {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for attempt in attempts {
        let kind = match &attempt.outcome {
            Outcome::Acknowledged(_) => "303 acknowledged".to_string(),
            Outcome::Answered(status, _) => format!("{status}"),
            Outcome::Failed(_) => "no answer".to_string(),
        };
        *counts.entry(kind).or_default() += 1;
    }
    format!("{counts:?}")
}
