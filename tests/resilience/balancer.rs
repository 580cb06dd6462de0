//! Two instances behind HAProxy, one killed under write load: the other takes
//! over every session (they live in PostgreSQL), nothing acknowledged is lost, and
//! the diarienummer both instances gave stay one gapless series.

use std::time::{Duration, Instant};

use crate::city::organ_id;
use crate::harness::{Cluster, HaProxy, Remiss, beside_others};
use crate::http::{Browser, Http};
use crate::load::{self, Registrar, assert_acknowledged_are_saved, assert_series_gapless, tally};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_two_instances_killed_under_write_load_the_other_carries_its_sessions_and_loses_nothing()
 {
    let _turn = beside_others().await;
    let cluster = Cluster::start().await;
    let mut first = Remiss::start(&cluster).await;
    let second = Remiss::start(&cluster).await;
    let balancer = HaProxy::start(&[&first, &second]).await;

    let pool = cluster.pool().await;
    let respondents = [organ_id(&pool, "AMN").await, organ_id(&pool, "SN").await];
    let http = Http::new();
    let mut registrars = Vec::new();
    for i in 0..6 {
        let browser = Browser::with_client(http.clone(), &balancer.base());
        registrars.push(Registrar::new(browser, &format!("b{i}"), &respondents).await);
    }

    let until = Instant::now() + Duration::from_secs(5);
    let writing = tokio::spawn(load::register_all(registrars, until, 500));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let served: Vec<u64> = balancer.instances().await.iter().map(|i| i.2).collect();
    assert!(
        served.len() == 2 && served.iter().all(|&n| n > 0),
        "HAProxy sent requests to both instances before one was killed: {served:?}"
    );
    let killed_at = Instant::now();
    first.kill();
    let (mut registrars, attempts) = writing.await.expect("the writers");

    let after = attempts
        .iter()
        .filter(|a| a.at > killed_at + Duration::from_secs(1) && a.acknowledged().is_some())
        .count();
    assert!(
        after > 0,
        "registrations went on through the balancer after the kill: {}",
        tally(&attempts)
    );
    let instances = balancer.instances().await;
    assert!(
        instances
            .iter()
            .any(|(name, status, _)| name == "remiss0" && status.starts_with("DOWN")),
        "HAProxy took the killed instance out: {instances:?}"
    );
    // Every session goes on on the surviving instance, without a new login.
    for (i, registrar) in registrars.iter_mut().enumerate() {
        let start = registrar.browser().get("/").await;
        assert_eq!(
            start.status, 200,
            "registrar {i}'s session on the surviving instance:\n{}",
            start.body
        );
        assert!(
            start.body.contains("Rasmus Registrator"),
            "registrar {i} is still signed in:\n{}",
            start.body
        );
        let attempt = registrar.register(50_000).await;
        assert!(
            attempt.acknowledged().is_some(),
            "registrar {i} registers on the surviving instance: {attempt:?}"
        );
    }

    assert_acknowledged_are_saved(&pool, &attempts, 2).await;
    assert_series_gapless(&pool).await;
    drop(second);
}
