//! SIGTERM in the middle of a burst of writes, as a deploy or a service manager
//! stops an instance: what is in flight finishes, nothing acknowledged is lost,
//! nothing is saved without an answer, and the process exits cleanly.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::city::organ_id;
use crate::harness::{Cluster, Remiss, beside_others};
use crate::http::Browser;
use crate::load::{
    self, Outcome, Registrar, assert_acknowledged_are_saved, assert_series_gapless, tally,
};

/// Remiss gives requests in flight 20 seconds after SIGTERM (startup::SHUTDOWN_GRACE);
/// an idle instance stops at once.
const STOP_BOUND: Duration = Duration::from_secs(25);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_burst_finishes_what_is_in_flight_and_loses_nothing_acknowledged() {
    let _turn = beside_others().await;
    let cluster = Cluster::start().await;
    let mut remiss = Remiss::start(&cluster).await;
    let pool = cluster.pool().await;
    let respondents = [organ_id(&pool, "AMN").await, organ_id(&pool, "UN").await];
    let mut registrars = Vec::new();
    for i in 0..6 {
        registrars.push(
            Registrar::new(Browser::new(&remiss.base()), &format!("t{i}"), &respondents).await,
        );
    }

    // One registration is certainly in flight when the signal comes: its body
    // is half sent.
    let slow = registrars.pop().expect("a registrar");
    let (slow_title, slow_body) = slow.registration(0);
    let cookie = slow.cookie_header();
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", remiss.port()))
        .await
        .expect("a connection");
    let head = format!(
        "POST /remisser HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        slow_body.len()
    );
    let (first_half, second_half) = slow_body.as_bytes().split_at(slow_body.len() / 2);
    stream.write_all(head.as_bytes()).await.expect("the head");
    stream.write_all(first_half).await.expect("half the body");

    let until = Instant::now() + Duration::from_secs(4);
    let writing = tokio::spawn(load::register_all(registrars, until, 500));
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let signalled_at = Instant::now();
    let stopping = tokio::spawn(async move {
        let status = remiss.terminate(STOP_BOUND).await;
        (remiss, status)
    });

    tokio::time::sleep(Duration::from_millis(300)).await;
    stream
        .write_all(second_half)
        .await
        .expect("the rest of the body");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 303"),
        "the registration in flight at SIGTERM is finished and acknowledged, got:\n{answer}"
    );

    let (_, attempts) = writing.await.expect("the writers");
    let (remiss, status) = stopping.await.expect("the stop");
    assert!(
        status.success(),
        "Remiss exits cleanly after SIGTERM ({status}); its log:\n{}",
        remiss.log_text()
    );
    assert!(
        attempts
            .iter()
            .any(|a| a.at < signalled_at && a.acknowledged().is_some()),
        "registrations were acknowledged before the signal: {}",
        tally(&attempts)
    );

    assert_acknowledged_are_saved(&pool, &attempts, 2).await;
    let slow_saved: i64 = sqlx::query_scalar("SELECT count(*) FROM referrals WHERE title = $1")
        .bind(&slow_title)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        slow_saved, 1,
        "the registration in flight at SIGTERM is saved once"
    );
    // A request the server took on was answered: none is saved that the client
    // never heard of.
    for attempt in &attempts {
        if let Outcome::Failed(error) = &attempt.outcome {
            let saved: i64 = sqlx::query_scalar("SELECT count(*) FROM referrals WHERE title = $1")
                .bind(&attempt.title)
                .fetch_one(&pool)
                .await
                .unwrap();
            assert_eq!(
                saved, 0,
                "{:?} was saved, but its connection was cut without an answer ({error})",
                attempt.title
            );
        }
    }
    assert_series_gapless(&pool).await;
}
