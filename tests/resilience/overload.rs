//! Clients that try to take the server away from everyone else: searches that
//! cost the database a minute, a flood of wrong passwords, and slowloris. The
//! bystanders (a signed-in user, a visitor, the load balancer's health check) are
//! answered throughout.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::harness::{Cluster, Remiss, alone};
use crate::http::{Browser, Http};

/// How soon a bystander's request must be answered during an attack.
const BYSTANDER_BOUND: Duration = Duration::from_secs(3);

/// The server's header timeout in the slowloris scenario, set through the
/// environment (`REMISS_HEADER_TIMEOUT`, `--header-timeout`): the longest wait for
/// a request's line and headers, counted from the connection's start or the end
/// of its previous request, so that it bounds idle connections too.
const CONNECTION_TIMEOUT_SECS: u64 = 2;
/// How long after that a held connection may still be open.
const CLOSE_SLACK: Duration = Duration::from_secs(3);

/// Probes as the bystanders every 300 ms until `attacking` ends; each probe must
/// be answered 200 within [`BYSTANDER_BOUND`]. Returns how many were answered.
async fn assert_bystanders_served(
    base: &str,
    signed_in: &mut Browser,
    attacking: &AtomicBool,
) -> usize {
    let mut visitor = Browser::new(base);
    let mut answered = 0;
    while attacking.load(Ordering::Relaxed) {
        for (who, path) in [
            ("the health check", "/healthz"),
            ("a visitor", "/diarium"),
            ("a signed-in registrar", "/"),
        ] {
            let browser = if who.starts_with("a signed") {
                &mut *signed_in
            } else {
                &mut visitor
            };
            let response = tokio::time::timeout(BYSTANDER_BOUND, browser.try_get(path))
                .await
                .unwrap_or_else(|_| {
                    panic!("{who}: GET {path} was not answered within {BYSTANDER_BOUND:?} during the attack")
                })
                .unwrap_or_else(|e| panic!("{who}: GET {path} failed during the attack: {e:#}"));
            assert_eq!(
                response.status, 200,
                "{who}: GET {path} during the attack:\n{}",
                response.body
            );
            answered += 1;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    answered
}

/// Runs `attackers` until `duration` is over, then stops them; meanwhile the
/// bystanders are probed (after a second, when the attack is under way).
async fn under_attack<F, Fut>(
    remiss: &Remiss,
    bystander: &mut Browser,
    attackers: usize,
    duration: Duration,
    attack: F,
) -> Vec<u16>
where
    F: Fn(usize, Arc<AtomicBool>) -> Fut,
    Fut: std::future::Future<Output = Vec<u16>> + Send + 'static,
{
    let attacking = Arc::new(AtomicBool::new(true));
    let tasks: Vec<_> = (0..attackers)
        .map(|i| tokio::spawn(attack(i, attacking.clone())))
        .collect();
    let stop = {
        let attacking = attacking.clone();
        tokio::spawn(async move {
            tokio::time::sleep(duration).await;
            attacking.store(false, Ordering::Relaxed);
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let answered = assert_bystanders_served(&remiss.base(), bystander, &attacking).await;
    assert!(answered > 0, "the bystanders were probed");
    stop.await.expect("the timer");
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.extend(task.await.expect("an attacker"));
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_with_thousands_of_terms_neither_starve_bystanders_nor_outlive_their_clients() {
    let _turn = alone().await;
    let cluster = Cluster::start().await;
    let remiss = Remiss::start(&cluster).await;
    let mut bystander = Browser::new(&remiss.base());
    bystander.login_as("registrator").await;

    // 8,000 times a word the demo city's texts hold: each such search costs the
    // database seconds (issue 10, §1), and grows with the data.
    let query = vec!["stad"; 8000].join("+");
    let http = Http::new();
    let base = remiss.base();
    let statuses = under_attack(
        &remiss,
        &mut bystander,
        12,
        Duration::from_secs(5),
        |_, attacking| {
            let http = http.clone();
            let url = format!("{base}/diarium?q={query}");
            async move {
                let mut statuses = Vec::new();
                while attacking.load(Ordering::Relaxed) {
                    // The client gives up after two seconds and goes away.
                    if let Ok(Ok(response)) =
                        tokio::time::timeout(Duration::from_secs(2), http.get(&url)).await
                    {
                        statuses.push(response.status);
                    }
                }
                statuses
            }
        },
    )
    .await;
    assert!(
        !statuses.iter().any(|&s| s >= 500 && s != 503),
        "the searches were answered (a bounded search, 400 or 503), never with a 500: {statuses:?}"
    );

    // What the clients left is not still running in the database.
    let pool = cluster.pool().await;
    let started = Instant::now();
    loop {
        let running: Vec<(String, f64)> = sqlx::query_as(
            "SELECT left(query, 80), extract(epoch FROM now() - query_start)::float8
             FROM pg_stat_activity
             WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        if running.is_empty() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "3 s after the searching clients went away, their statements still run: {running:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_wrong_passwords_neither_starves_bystanders_nor_gets_a_500() {
    let _turn = alone().await;
    let cluster = Cluster::start().await;
    let remiss = Remiss::start(&cluster).await;
    let mut bystander = Browser::new(&remiss.base());
    bystander.login_as("registrator").await;

    let base = remiss.base();
    let statuses = under_attack(
        &remiss,
        &mut bystander,
        20,
        Duration::from_secs(5),
        |i, attacking| {
            let base = base.clone();
            async move {
                let mut statuses = Vec::new();
                let mut attacker = Browser::new(&base);
                let mut n = 0;
                while attacking.load(Ordering::Relaxed) {
                    n += 1;
                    // Another account name each time, so that no per-account limit
                    // stops the flood early.
                    let username = format!("gissning{i}x{n}");
                    let Ok(Ok(form)) =
                        tokio::time::timeout(Duration::from_secs(10), attacker.try_get("/login"))
                            .await
                    else {
                        continue;
                    };
                    let Some(token) = crate::html::first_value(&form.body, "csrf_token") else {
                        statuses.push(form.status);
                        continue;
                    };
                    let body = crate::http::encode(&[
                        ("csrf_token", &token),
                        ("username", &username),
                        ("password", "fel-lösenord-123"),
                    ]);
                    if let Ok(Ok(response)) = tokio::time::timeout(
                        Duration::from_secs(10),
                        attacker.try_request("POST", "/login", &[], Some(body.into_bytes())),
                    )
                    .await
                    {
                        statuses.push(response.status);
                    }
                }
                statuses
            }
        },
    )
    .await;
    assert!(!statuses.is_empty(), "the flood was answered");
    let unexpected: Vec<u16> = statuses
        .iter()
        .copied()
        .filter(|s| ![200, 422, 429, 503].contains(s))
        .collect();
    assert!(
        unexpected.is_empty(),
        "wrong passwords are answered 422, or 429/503 when too many: {} of {} were {:?}",
        unexpected.len(),
        statuses.len(),
        unexpected.iter().collect::<std::collections::BTreeSet<_>>()
    );
}

/// How a held connection ended: when the server closed it, if it did.
async fn hold(
    mut stream: TcpStream,
    dribble: Option<&'static [u8]>,
    hold_for: Duration,
) -> Option<Duration> {
    let opened = Instant::now();
    let mut buffer = [0u8; 4096];
    let mut next_byte = 0;
    while opened.elapsed() < hold_for {
        if let Some(bytes) = dribble {
            // One byte of an endless header every 200 ms, as slowloris sends.
            let byte = [bytes[next_byte % bytes.len()]];
            next_byte += 1;
            if stream.write_all(&byte).await.is_err() {
                return Some(opened.elapsed());
            }
        }
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buffer)).await {
            // Closed, or reset: the server let go. (An answer such as 408 may come
            // first; the close follows it.)
            Ok(Ok(0)) | Ok(Err(_)) => return Some(opened.elapsed()),
            Ok(Ok(_)) | Err(_) => {}
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_and_idle_connections_are_dropped_after_the_timeout_while_others_are_served() {
    let _turn = alone().await;
    let cluster = Cluster::start().await;
    let timeout = CONNECTION_TIMEOUT_SECS.to_string();
    let remiss = Remiss::start_with(
        &cluster,
        &[],
        &[("REMISS_HEADER_TIMEOUT", timeout.as_str())],
    )
    .await;
    let bound = Duration::from_secs(CONNECTION_TIMEOUT_SECS) + CLOSE_SLACK;
    let hold_for = bound + Duration::from_secs(1);

    let mut held = Vec::new();
    // Headers that never end, one byte at a time.
    for _ in 0..100 {
        let mut stream = TcpStream::connect(("127.0.0.1", remiss.port()))
            .await
            .expect("a connection");
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .await
            .expect("the request line");
        held.push((
            "a slowloris connection",
            tokio::spawn(hold(stream, Some(b"X-Langsam: a\r\n"), hold_for)),
        ));
    }
    // Connections that never send anything.
    for _ in 0..30 {
        let stream = TcpStream::connect(("127.0.0.1", remiss.port()))
            .await
            .expect("a connection");
        held.push((
            "a silent connection",
            tokio::spawn(hold(stream, None, hold_for)),
        ));
    }
    // Connections kept alive after one request, then left idle.
    for _ in 0..30 {
        let mut stream = TcpStream::connect(("127.0.0.1", remiss.port()))
            .await
            .expect("a connection");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .await
            .expect("a request");
        let mut answer = [0u8; 1024];
        let n = stream.read(&mut answer).await.expect("its answer");
        assert!(
            answer[..n].starts_with(b"HTTP/1.1 200"),
            "the idle connection's first request is answered"
        );
        held.push((
            "an idle keep-alive connection",
            tokio::spawn(hold(stream, None, hold_for)),
        ));
    }

    // Meanwhile everyone else is served.
    let mut visitor = Browser::new(&remiss.base());
    let until = Instant::now() + Duration::from_secs(CONNECTION_TIMEOUT_SECS + 1);
    while Instant::now() < until {
        let response = tokio::time::timeout(BYSTANDER_BOUND, visitor.try_get("/diarium"))
            .await
            .expect("a visitor is answered while slowloris holds connections")
            .expect("the visitor's connection");
        assert_eq!(response.status, 200);
        visitor.forget_cookies();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    let mut still_open = std::collections::BTreeMap::<&str, usize>::new();
    for (kind, connection) in held {
        match connection.await.expect("a held connection") {
            Some(closed_after) if closed_after <= bound => {}
            _ => *still_open.entry(kind).or_default() += 1,
        }
    }
    assert!(
        still_open.is_empty(),
        "with a {CONNECTION_TIMEOUT_SECS} s header timeout, these connections were \
         still open {bound:?} after they opened: {still_open:?}"
    );
}
