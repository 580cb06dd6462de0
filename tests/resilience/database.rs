//! The database fails under Remiss: it crashes under write load, is stopped, or
//! stalls. What was acknowledged stays; while it is away every request gets a
//! prompt 503; when it is back Remiss serves again without being restarted.

use std::time::{Duration, Instant};

use crate::city::organ_id;
use crate::harness::{Cluster, Remiss, alone, beside_others};
use crate::http::{Browser, Response};
use crate::load::{self, Registrar, assert_acknowledged_are_saved, assert_series_gapless, tally};

/// The longest a request may take in all (`REMISS_REQUEST_TIMEOUT`,
/// `--request-timeout`), set short for the outage scenarios.
const REQUEST_TIMEOUT: &str = "4s";
/// How soon a request must be answered while the database is away (issue 10:
/// "a database outage is 503 with Retry-After, answered within a bounded time"):
/// the request timeout, and some slack.
pub const OUTAGE_ANSWER_BOUND: Duration = Duration::from_secs(8);
/// How soon after the database is back Remiss must serve again.
const RECOVERY_BOUND: Duration = Duration::from_secs(15);

/// Registrars on `base`, each registering remisser to AMN and SN.
async fn registrars(cluster: &Cluster, base: &str, count: usize) -> Vec<Registrar> {
    let pool = cluster.pool().await;
    let respondents = [organ_id(&pool, "AMN").await, organ_id(&pool, "SN").await];
    pool.close().await;
    let mut registrars = Vec::new();
    for i in 0..count {
        registrars.push(Registrar::new(Browser::new(base), &format!("r{i}"), &respondents).await);
    }
    registrars
}

/// Waits until the same Remiss process serves again: `/healthz` says ok and a
/// registration is acknowledged.
async fn assert_recovers(remiss: &mut Remiss, registrar: &mut Registrar) -> Vec<load::Attempt> {
    let started = Instant::now();
    let mut attempts = Vec::new();
    loop {
        assert!(
            !remiss.has_exited(),
            "Remiss exited while the database was away; its log:\n{}",
            remiss.log_text()
        );
        let healthy = registrar
            .browser()
            .try_get("/healthz")
            .await
            .is_ok_and(|r| r.status == 200);
        if healthy {
            let attempt = registrar.register(10_000 + attempts.len()).await;
            let done = attempt.acknowledged().is_some();
            attempts.push(attempt);
            if done {
                return attempts;
            }
        }
        assert!(
            started.elapsed() < RECOVERY_BOUND,
            "Remiss did not serve again within {RECOVERY_BOUND:?} of the database's return \
             (its registrations: {}); its log:\n{}",
            tally(&attempts),
            remiss.log_text()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The answer to a request while the database is away: a 503 with Retry-After,
/// as Remiss's Swedish error page (or plain text from `/healthz`).
fn assert_outage_answer(what: &str, response: &Response) {
    assert_eq!(
        response.status, 503,
        "{what} while the database is away: expected 503 (issue 10, §9), got:\n{}",
        response.body
    );
    if what.contains("/healthz") {
        return;
    }
    let retry_after = response.header("retry-after").unwrap_or_default();
    assert!(
        retry_after.parse::<u32>().is_ok_and(|s| s > 0),
        "{what}: a 503 says when to try again (Retry-After in seconds), got {retry_after:?}"
    );
    assert!(
        response.is_error_page(),
        "{what}: the 503 is Remiss's Swedish error page:\n{}",
        response.body
    );
}

/// Sends a visitor's and a registrar's usual requests at once, each bounded by
/// [`OUTAGE_ANSWER_BOUND`], and checks every answer. The static stylesheet needs
/// no database and is still served.
async fn assert_every_request_answered_503(base: &str, registrar: &mut Registrar) {
    let mut requests = Vec::new();
    for path in ["/healthz", "/login", "/diarium", "/diarium/atom"] {
        let mut visitor = Browser::new(base);
        requests.push(tokio::spawn(async move {
            let answer = tokio::time::timeout(OUTAGE_ANSWER_BOUND, visitor.try_get(path)).await;
            (format!("GET {path} (anonymous)"), answer)
        }));
    }
    for path in ["/", "/remisser", "/sok?q=trygghet"] {
        let mut signed_in = registrar.browser().clone();
        requests.push(tokio::spawn(async move {
            let answer = tokio::time::timeout(OUTAGE_ANSWER_BOUND, signed_in.try_get(path)).await;
            (format!("GET {path} (signed in)"), answer)
        }));
    }
    let registration = tokio::time::timeout(OUTAGE_ANSWER_BOUND, registrar.register(20_000)).await;
    let mut stylesheet = Browser::new(base);
    let css = tokio::time::timeout(
        OUTAGE_ANSWER_BOUND,
        stylesheet.try_get("/static/remiss.css"),
    )
    .await;
    for request in requests {
        let (what, answer) = request.await.expect("the request's task");
        let response = answer
            .unwrap_or_else(|_| {
                panic!(
                    "{what}: no answer within {OUTAGE_ANSWER_BOUND:?} while the database is away"
                )
            })
            .unwrap_or_else(|e| panic!("{what}: the connection failed: {e:#}"));
        assert_outage_answer(&what, &response);
    }
    let registration = registration.unwrap_or_else(|_| {
        panic!(
            "POST /remisser: no answer within {OUTAGE_ANSWER_BOUND:?} while the database is away"
        )
    });
    match &registration.outcome {
        load::Outcome::Answered(503, _) => {}
        load::Outcome::Answered(status, body) => panic!(
            "POST /remisser while the database is away: expected 503 (issue 10, §9), got {status}:\n{body}"
        ),
        other => panic!("POST /remisser while the database is away: expected 503, got {other:?}"),
    }
    let css = css
        .expect("the stylesheet is answered at once")
        .expect("the stylesheet's connection");
    assert_eq!(css.status, 200, "the stylesheet needs no database");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_crash_under_write_load_loses_nothing_acknowledged_and_remiss_recovers_by_itself()
 {
    let _turn = beside_others().await;
    let mut cluster = Cluster::start().await;
    let mut remiss = Remiss::start(&cluster).await;
    let registrars = registrars(&cluster, &remiss.base(), 6).await;

    let until = Instant::now() + Duration::from_secs(6);
    let writing = tokio::spawn(load::register_all(registrars, until, 500));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let crashed_at = Instant::now();
    cluster.crash_and_restart().await;
    let back_at = Instant::now();
    let (mut registrars, mut attempts) = writing.await.expect("the writers");

    let before = attempts
        .iter()
        .filter(|a| a.at < crashed_at && a.acknowledged().is_some())
        .count();
    assert!(
        before > 0,
        "registrations were acknowledged before the crash: {}",
        tally(&attempts)
    );
    attempts.extend(assert_recovers(&mut remiss, &mut registrars[0]).await);
    let after = attempts
        .iter()
        .filter(|a| a.at > back_at && a.acknowledged().is_some())
        .count();
    assert!(
        after > 0,
        "registrations were acknowledged after the restart"
    );

    let pool = cluster.pool().await;
    assert_acknowledged_are_saved(&pool, &attempts, 2).await;
    assert_series_gapless(&pool).await;
    assert!(
        !remiss.has_exited(),
        "the same Remiss process served throughout"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_database_is_down_every_request_gets_a_prompt_503_and_service_resumes_when_it_is_back()
 {
    let _turn = alone().await;
    let mut cluster = Cluster::start().await;
    let mut remiss = Remiss::start_with(
        &cluster,
        &[],
        &[("REMISS_REQUEST_TIMEOUT", REQUEST_TIMEOUT)],
    )
    .await;
    let mut registrar = registrars(&cluster, &remiss.base(), 1).await.remove(0);
    let before = registrar.register(0).await;
    assert!(before.acknowledged().is_some(), "{before:?}");

    cluster.stop().await;
    assert_every_request_answered_503(&remiss.base(), &mut registrar).await;
    cluster.start_again().await;

    let mut attempts = vec![before];
    attempts.extend(assert_recovers(&mut remiss, &mut registrar).await);
    let pool = cluster.pool().await;
    assert_acknowledged_are_saved(&pool, &attempts, 2).await;
    assert_series_gapless(&pool).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_database_stalls_every_request_gets_a_503_within_the_bound_and_service_resumes_after()
 {
    let _turn = alone().await;
    let mut cluster = Cluster::start().await;
    let mut remiss = Remiss::start_with(
        &cluster,
        &[],
        &[("REMISS_REQUEST_TIMEOUT", REQUEST_TIMEOUT)],
    )
    .await;
    let mut registrars = registrars(&cluster, &remiss.base(), 4).await;
    let mut registrar = registrars.remove(0);
    // Writers were busy when it froze: their connections hang mid-transaction.
    let until = Instant::now() + Duration::from_secs(2);
    let writing = tokio::spawn(load::register_all(registrars, until, 500));
    tokio::time::sleep(Duration::from_millis(500)).await;

    cluster.stall();
    assert_every_request_answered_503(&remiss.base(), &mut registrar).await;
    cluster.resume();

    let (_, mut attempts) = writing.await.expect("the writers");
    attempts.extend(assert_recovers(&mut remiss, &mut registrar).await);
    let pool = cluster.pool().await;
    assert_acknowledged_are_saved(&pool, &attempts, 2).await;
    assert_series_gapless(&pool).await;
}
