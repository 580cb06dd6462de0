//! Requests a careless or hostile client sends, and a database that cannot answer:
//! every answer is the Swedish error page (never axum's plain English, an empty
//! body or a 500), and an outage is a 503 the client is told to retry.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{TestApp, TestResponse};
use remiss::db::PoolSettings;
use remiss::web::Settings;

fn assert_swedish_page(response: &TestResponse, status: StatusCode, what: &str) {
    assert_eq!(response.status, status, "{what}: {}", response.body);
    assert!(
        response.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{what}: {:?}",
        response.headers
    );
    assert!(
        response.body.contains("<html lang=\"sv\">") && response.body.contains("<h1>"),
        "{what}: not the Swedish error page:\n{}",
        response.body
    );
}

async fn reference_case(app: &TestApp) -> uuid::Uuid {
    sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN organs o ON o.id = c.organ_id
         WHERE o.diarium_prefix = 'AMN' AND c.state = 'answered' LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_corpus_of_hostile_requests_gets_only_swedish_pages_and_no_500(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let case = reference_case(&app).await;
    let mut anonymous = app.browser();
    let mut signed_in = app.signed_in("handlaggare").await;
    let token = signed_in.get("/").await.csrf_token();
    let long_form = format!("csrf_token={token}&title={}", "x".repeat(600 * 1024));

    const FORM: &str = "application/x-www-form-urlencoded";
    let corpus = [
        // Not UTF-8 where the route wants an id: no such page (the typed id
        // extractor answers every malformed id alike).
        Hostile::get(true, "/remisser/%FF%FE", StatusCode::NOT_FOUND),
        Hostile::get(
            true,
            &format!("/arenden/{case}/protokollsutdrag/%C0"),
            StatusCode::NOT_FOUND,
        ),
        Hostile::get(false, "/diarium/%FF", StatusCode::NOT_FOUND),
        // (In a query string it is read leniently, as browsers send it.)
        Hostile::get(false, "/diarium?q=%FF%FE", StatusCode::OK),
        // Malformed and repeated query parameters.
        Hostile::get(
            true,
            &format!("/arenden/{case}/versioner?fran=abc"),
            StatusCode::BAD_REQUEST,
        ),
        Hostile::get(
            true,
            &format!("/arenden/{case}/versioner?fran=1&fran=2"),
            StatusCode::BAD_REQUEST,
        ),
        Hostile::get(false, "/diarium?q=a&q=b", StatusCode::BAD_REQUEST),
        Hostile::get(false, "/login?next=a&next=b", StatusCode::BAD_REQUEST),
        // Methods a route does not take, and ones nobody takes.
        Hostile::get(true, "/logout", StatusCode::OK),
        Hostile::send(
            false,
            "PUT",
            "/login",
            None,
            b"",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        Hostile::send(
            false,
            "DELETE",
            "/diarium",
            None,
            b"",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        Hostile::send(
            true,
            "PATCH",
            "/remisser",
            None,
            b"",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        Hostile::send(
            false,
            "BREW",
            "/login",
            None,
            b"",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        Hostile::send(
            false,
            "BREW",
            "/finns-inte",
            None,
            b"",
            StatusCode::NOT_FOUND,
        ),
        // A target too long to be anything but an attack.
        Hostile::get(
            false,
            &format!("/diarium?q={}", "a+".repeat(5000)),
            StatusCode::URI_TOO_LONG,
        ),
        // A form too large, its length told first.
        Hostile::send(
            true,
            "POST",
            "/konto/losenord",
            Some(FORM),
            long_form.as_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        // Bodies that are not the form a route takes.
        Hostile::send(
            true,
            "POST",
            "/konto/losenord",
            Some("application/json"),
            b"{\"current\": 1}",
            StatusCode::FORBIDDEN,
        ),
        Hostile::send(
            true,
            "POST",
            "/konto/losenord",
            Some(FORM),
            b"%%%=%%%&&&",
            StatusCode::FORBIDDEN,
        ),
        Hostile::send(
            true,
            "POST",
            "/konto/losenord",
            Some(FORM),
            format!("csrf_token={token}&current=%FF").as_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Hostile::send(
            false,
            "POST",
            "/login",
            Some(FORM),
            b"\xff\xfe",
            StatusCode::FORBIDDEN,
        ),
    ];
    let mut wrong = Vec::new();
    for Hostile {
        signed_in: signed,
        method,
        path,
        content_type,
        body,
        expected,
    } in corpus
    {
        let browser = if signed {
            &mut signed_in
        } else {
            &mut anonymous
        };
        let what = format!("{method} {}", &path[..path.len().min(60)]);
        let response = browser
            .send(method, &path, content_type, Body::from(body))
            .await;
        let is_page = response.body.contains("<html lang=\"sv\">")
            && response.headers["content-type"]
                .to_str()
                .is_ok_and(|t| t.starts_with("text/html"));
        if response.status != expected || !is_page {
            wrong.push(format!(
                "{what}: {} (expected {expected}), {}",
                response.status,
                if is_page {
                    "the Swedish page"
                } else {
                    "NOT the Swedish page"
                }
            ));
        }
    }
    assert!(wrong.is_empty(), "answered wrongly:\n{}", wrong.join("\n"));

    // A form body without a length, streamed past the limit.
    let chunks: Vec<Result<Bytes, std::io::Error>> = (0..700)
        .map(|_| Ok(Bytes::from(vec![b'x'; 1024])))
        .collect();
    let streamed = Body::from_stream(futures_stream(chunks));
    let response = signed_in
        .send(
            "POST",
            "/konto/losenord",
            Some("application/x-www-form-urlencoded"),
            streamed,
        )
        .await;
    assert_swedish_page(
        &response,
        StatusCode::PAYLOAD_TOO_LARGE,
        "a streamed form over 512 kB",
    );

    // Nothing of it changed anything.
    assert_eq!(
        signed_in.get("/").await.status,
        StatusCode::OK,
        "still signed in"
    );
}

/// One request of the corpus and the status it must get.
struct Hostile {
    signed_in: bool,
    method: &'static str,
    path: String,
    content_type: Option<&'static str>,
    body: Bytes,
    expected: StatusCode,
}

impl Hostile {
    fn get(signed_in: bool, path: &str, expected: StatusCode) -> Self {
        Hostile::send(signed_in, "GET", path, None, b"", expected)
    }

    fn send(
        signed_in: bool,
        method: &'static str,
        path: &str,
        content_type: Option<&'static str>,
        body: &[u8],
        expected: StatusCode,
    ) -> Self {
        Hostile {
            signed_in,
            method,
            path: path.to_string(),
            content_type,
            body: Bytes::copy_from_slice(body),
            expected,
        }
    }
}

/// A stream of chunks, as a client that sends its body without a length.
fn futures_stream(
    chunks: Vec<Result<Bytes, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    struct Chunks(std::vec::IntoIter<Result<Bytes, std::io::Error>>);
    impl futures_core::Stream for Chunks {
        type Item = Result<Bytes, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.next())
        }
    }
    Chunks(chunks.into_iter())
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn get_logout_offers_a_button_and_a_favicon_is_served(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    assert_eq!(
        app.browser().get("/logout").await.location.as_deref(),
        Some("/login?next=/logout"),
        "nothing to log out of"
    );
    let mut browser = app.signed_in("registrator").await;
    let page = browser.get("/logout").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Vill du logga ut");
    page.assert_contains(r#"<form method="post" action="/logout""#);
    assert_eq!(
        browser.get("/").await.status,
        StatusCode::OK,
        "a GET logs nobody out"
    );

    let icon = app.browser().get("/favicon.ico").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(icon.headers["content-type"], "image/vnd.microsoft.icon");
    let svg = app.browser().get("/static/favicon.svg").await;
    assert_eq!(svg.headers["content-type"], "image/svg+xml");
    app.browser()
        .get("/login")
        .await
        .assert_contains(r#"<link rel="icon" href="/static/favicon.svg""#);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_database_that_is_gone_is_a_503_with_retry_after(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut signed_in = app.signed_in("registrator").await;
    app.pool.close().await;
    for (signed, path) in [
        (false, "/diarium"),
        (false, "/login"),
        (true, "/"),
        (true, "/remisser"),
    ] {
        let response = if signed {
            signed_in.get(path).await
        } else {
            app.browser().get(path).await
        };
        assert_swedish_page(&response, StatusCode::SERVICE_UNAVAILABLE, path);
        assert_eq!(response.headers["retry-after"], "5", "{path}");
        response.assert_contains("Försök igen om en liten stund");
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_request_that_finds_no_free_connection_is_a_503_within_the_acquire_timeout(pool: PgPool) {
    let pool_settings = PoolSettings {
        max_connections: 2,
        acquire_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let app = TestApp::configured(pool, Settings::default(), pool_settings, true).await;
    // Every connection taken, as by requests stuck on a stalled database.
    let held = [
        app.pool.acquire().await.unwrap(),
        app.pool.acquire().await.unwrap(),
    ];
    let response = app.browser().get("/diarium").await;
    assert_swedish_page(&response, StatusCode::SERVICE_UNAVAILABLE, "/diarium");
    assert_eq!(response.headers["retry-after"], "5");
    drop(held);
    assert_eq!(
        app.browser().get("/diarium").await.status,
        StatusCode::OK,
        "recovered"
    );
}

/// Holds an exclusive lock on `table` in a transaction of its own, so that any
/// statement reading it waits (as on a stalled or overloaded database).
async fn lock(pool: &PgPool, table: &str) -> sqlx::Transaction<'static, sqlx::Postgres> {
    let mut tx = pool.begin().await.unwrap();
    sqlx::raw_sql(&format!("LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        .execute(&mut *tx)
        .await
        .unwrap();
    tx
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_statement_past_the_statement_timeout_is_cancelled_and_answered_503(pool: PgPool) {
    let locker = pool.clone();
    let pool_settings = PoolSettings {
        statement_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let app = TestApp::configured(pool, Settings::default(), pool_settings, true).await;
    let lock = lock(&locker, "cases").await;
    let response = tokio::time::timeout(Duration::from_secs(20), app.browser().get("/diarium"))
        .await
        .expect("answered, not left waiting on the lock");
    assert_swedish_page(&response, StatusCode::SERVICE_UNAVAILABLE, "/diarium");
    assert_eq!(response.headers["retry-after"], "5");
    lock.rollback().await.unwrap();
    assert_eq!(app.browser().get("/diarium").await.status, StatusCode::OK);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_request_past_the_request_timeout_is_answered_503(pool: PgPool) {
    let locker = pool.clone();
    let settings = Settings {
        request_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let app = TestApp::configured(pool, settings, PoolSettings::default(), true).await;
    let lock = lock(&locker, "cases").await;
    let response = tokio::time::timeout(Duration::from_secs(20), app.browser().get("/diarium"))
        .await
        .expect("answered, not left waiting");
    assert_swedish_page(&response, StatusCode::SERVICE_UNAVAILABLE, "/diarium");
    lock.rollback().await.unwrap();
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_form_body_that_stops_arriving_is_answered_408(pool: PgPool) {
    let settings = Settings {
        body_timeout: Duration::from_millis(200),
        ..Default::default()
    };
    let app = TestApp::configured(pool, settings, PoolSettings::default(), true).await;
    let mut browser = app.signed_in("registrator").await;
    // A first piece, then nothing more.
    let trickle = async_stream_once(Bytes::from_static(b"csrf_token=abc&current="));
    let response = browser
        .send(
            "POST",
            "/konto/losenord",
            Some("application/x-www-form-urlencoded"),
            Body::from_stream(trickle),
        )
        .await;
    assert_swedish_page(&response, StatusCode::REQUEST_TIMEOUT, "a stalled form");
}

/// One chunk, then a stream that never ends.
fn async_stream_once(
    first: Bytes,
) -> impl futures_core::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    struct Once(Option<Bytes>);
    impl futures_core::Stream for Once {
        type Item = Result<Bytes, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            match self.0.take() {
                Some(first) => std::task::Poll::Ready(Some(Ok(first))),
                None => std::task::Poll::Pending,
            }
        }
    }
    Once(Some(first))
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_thousand_word_search_searches_the_first_words_and_says_so(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let thousand = vec!["trygghet"; 1000].join("+");
    let many = "trygghet+program+stockholm+stad+ett+två+tre+fyra+fem";
    for path in [
        format!("/diarium?q={}", &thousand[..7000]),
        format!("/diarium?q={many}"),
    ] {
        let page = app.browser().get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains("Bara de första 8 orden i sökningen användes");
    }
    let mut officer = app.signed_in("handlaggare").await;
    let page = officer.get(&format!("/sok?q={many}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Bara de första 8 orden i sökningen användes");
    // The words searched for are the first eight; a short query is not told.
    let short = app.browser().get("/diarium?q=trygghet+trygghet").await;
    short.assert_lacks("Bara de första");
}

async fn running_searches(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity
         WHERE datname = current_database() AND state = 'active'
           AND query LIKE '%to_tsquery%' AND pid <> pg_backend_pid()",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_search_whose_visitor_leaves_is_cancelled_in_the_database(pool: PgPool) {
    let watcher = pool.clone();
    let pool_settings = PoolSettings {
        statement_timeout: Duration::from_secs(120),
        ..Default::default()
    };
    let app = TestApp::configured(pool, Settings::default(), pool_settings, true).await;
    // The search will wait on this lock for as long as it is held.
    let lock = lock(&watcher, "referrals").await;
    let mut visitor = app.browser();
    let search = tokio::spawn(async move { visitor.get("/diarium?q=trygghet").await });
    let mut waited = 0;
    while running_searches(&watcher).await == 0 {
        assert!(waited < 200, "the search never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += 1;
    }
    // The visitor goes away: axum drops the request.
    search.abort();
    let mut waited = 0;
    while running_searches(&watcher).await > 0 {
        assert!(
            waited < 200,
            "the search still runs in the database after its visitor left"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += 1;
    }
    lock.rollback().await.unwrap();
    // The connection came back clean.
    assert_eq!(
        app.browser().get("/diarium?q=trygghet").await.status,
        StatusCode::OK
    );
}

/// The remisser, cases and diarium entries a page links to, in order.
fn entity_links(body: &str) -> Vec<&str> {
    body.match_indices("href=\"/")
        .map(|(at, _)| &body[at + "href=\"".len()..])
        .filter(|rest| {
            ["/diarium/", "/remisser/", "/arenden/"]
                .iter()
                .any(|p| rest.starts_with(p))
        })
        .filter_map(|rest| rest.split('"').next())
        .filter(|link| link.rsplit('/').next().is_some_and(|id| id.len() == 36))
        .collect()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_paging_cursor_outside_the_calendar_gives_the_first_page(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // A time chrono can hold and PostgreSQL cannot (before 4713 BC), and a date
    // past year 9999.
    let (far, id) = ("-8000000000000000000", uuid::Uuid::nil());
    let public = [
        ("/diarium", format!("/diarium?after={far}_{id}")),
        (
            "/diarium?q=trygghet",
            format!("/diarium?q=trygghet&after=1_{far}_{id}_{id}"),
        ),
    ];
    let signed_in = [
        (
            "/sok?q=trygghet",
            format!("/sok?q=trygghet&after=1:{far}:{id}"),
        ),
        ("/remisser", format!("/remisser?after=r.{far}.{id}")),
        (
            "/remisser?sort=deadline",
            format!("/remisser?sort=deadline&after=d.%2B20000-01-01.{id}"),
        ),
    ];
    let mut visitor = app.browser();
    let mut registrar = app.signed_in("registrator").await;
    for (browser, pairs) in [
        (&mut visitor, &public[..]),
        (&mut registrar, &signed_in[..]),
    ] {
        for (first, cursored) in pairs {
            let expected = browser.get(first).await;
            let page = browser.get(cursored).await;
            assert_eq!(page.status, StatusCode::OK, "{cursored}: {}", page.body);
            assert!(
                !entity_links(&expected.body).is_empty(),
                "{first} lists nothing"
            );
            assert_eq!(
                entity_links(&page.body),
                entity_links(&expected.body),
                "{cursored} is the first page"
            );
        }
    }
}
