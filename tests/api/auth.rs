use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::TestApp;

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn right_credentials_log_in_and_go_where_first_asked(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut browser = app.browser();
    let anonymous = browser.get("/remisser?sort=deadline").await;
    assert_eq!(
        anonymous.location.as_deref(),
        Some("/login?next=/remisser%3Fsort%3Ddeadline")
    );

    let form = browser.get(anonymous.location.as_deref().unwrap()).await;
    form.assert_contains(r#"name="next" value="/remisser?sort=deadline""#);
    let token = form.csrf_token();
    let response = browser
        .post_raw(
            "/login",
            &[
                ("csrf_token", &token),
                ("username", "registrator"),
                ("password", "remiss-demo"),
                ("next", "/remisser?sort=deadline"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(
        response.location.as_deref(),
        Some("/remisser?sort=deadline")
    );
    browser
        .get("/")
        .await
        .assert_contains("Välkommen, Rasmus Registrator");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn login_never_redirects_to_another_site(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut browser = app.browser();
    let token = browser.get("/login").await.csrf_token();
    let response = browser
        .post_raw(
            "/login",
            &[
                ("csrf_token", &token),
                ("username", "registrator"),
                ("password", "remiss-demo"),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(response.location.as_deref(), Some("/"));
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn wrong_password_and_unknown_user_get_the_same_message(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut browser = app.browser();
    let wrong_password = browser.login("registrator", "fel-lösenord").await;
    let unknown_user = browser.login("finns-inte", "remiss-demo").await;
    for response in [&wrong_password, &unknown_user] {
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
        response.assert_contains("Fel användarnamn eller lösenord.");
    }
    // What was typed stays; the password does not.
    wrong_password.assert_contains(r#"value="registrator""#);
    wrong_password.assert_lacks("fel-lösenord");
    assert_eq!(browser.get("/").await.location.as_deref(), Some("/login"));
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn login_without_csrf_token_is_refused(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut browser = app.browser();
    browser.get("/login").await;
    let missing = browser
        .post_raw(
            "/login",
            &[("username", "registrator"), ("password", "remiss-demo")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    missing.assert_contains("Formuläret kunde inte tas emot");
    let wrong = browser
        .post_raw(
            "/login",
            &[
                ("csrf_token", "0000"),
                ("username", "registrator"),
                ("password", "remiss-demo"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(
        browser.get("/").await.location.as_deref(),
        Some("/login"),
        "not logged in"
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_token_from_another_session_is_refused(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut attacker = app.browser();
    let token = attacker.get("/login").await.csrf_token();
    let mut victim = app.browser();
    victim.get("/login").await;
    let response = victim
        .post_raw(
            "/login",
            &[
                ("csrf_token", &token),
                ("username", "registrator"),
                ("password", "remiss-demo"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn login_renews_the_session_id(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // An attacker plants the id of a session of their own in the victim's browser.
    let attacker = app.signed_in("granskare").await;
    let planted = attacker.cookie("remiss_session").expect("a session");
    let mut victim = app.browser();
    victim.set_cookie("remiss_session", &planted);
    let response = victim.login("registrator", "remiss-demo").await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let cookie = response
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("remiss_session="))
        .expect("a new session id")
        .to_string();
    assert_ne!(victim.cookie("remiss_session"), Some(planted));
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    victim
        .get("/")
        .await
        .assert_contains("Välkommen, Rasmus Registrator");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn logout_ends_the_session(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut browser = app.signed_in("registrator").await;
    let stolen = browser.clone();
    let response = browser.post("/logout", &[]).await;
    assert_eq!(response.location.as_deref(), Some("/login"));
    assert_eq!(browser.get("/").await.location.as_deref(), Some("/login"));
    // The old cookie is dead on the server too, not only forgotten by the browser.
    let mut stolen = stolen;
    assert_eq!(stolen.get("/").await.location.as_deref(), Some("/login"));
}

/// Whole minutes until the signed-in session ends, as the database has it.
async fn minutes_left(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT (extract(epoch FROM expires_at - now()) / 60)::bigint FROM sessions WHERE data ? 'login'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn in_database(app: &TestApp, sql: &str) {
    sqlx::raw_sql(sql).execute(&app.pool).await.unwrap();
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_session_in_use_stays_alive_and_an_idle_one_ends(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut browser = app.signed_in("registrator").await;

    // 58 minutes after the last time it was kept alive: a request moves the end on.
    in_database(
        &app,
        "UPDATE sessions SET expires_at = now() + interval '2 minutes',
                data = jsonb_set(data, '{seen}', to_jsonb(now() - interval '58 minutes'))
         WHERE data ? 'login'",
    )
    .await;
    assert_eq!(browser.get("/").await.status, StatusCode::OK);
    assert!(
        minutes_left(&app).await >= 59,
        "{}",
        minutes_left(&app).await
    );

    // Just kept alive: the next request writes nothing.
    in_database(
        &app,
        "UPDATE sessions SET expires_at = now() + interval '50 minutes' WHERE data ? 'login'",
    )
    .await;
    assert_eq!(browser.get("/").await.status, StatusCode::OK);
    assert_eq!(minutes_left(&app).await, 50);

    // An hour without requests: the session is over.
    in_database(
        &app,
        "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE data ? 'login'",
    )
    .await;
    assert_eq!(browser.get("/").await.location.as_deref(), Some("/login"));
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_stored_session_keeps_no_copy_of_the_user(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut browser = app.signed_in("registrator").await;
    // Saved again by keeping it alive, after the user was loaded with it.
    in_database(
        &app,
        "UPDATE sessions SET data = data - 'seen' WHERE data ? 'login'",
    )
    .await;
    let page = browser.get("/").await;
    page.assert_contains("Registrera en ny remiss");
    assert_eq!(
        app.count("SELECT count(*) FROM sessions WHERE data ? 'user'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) FROM sessions WHERE data ? 'seen'")
            .await,
        1
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn repeated_failures_are_slowed_down_per_account(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut browser = app.browser();
    for _ in 0..5 {
        assert_eq!(
            browser.login("granskare", "gissning").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let throttled = browser.login("granskare", "remiss-demo").await;
    assert_eq!(
        throttled.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    throttled.assert_contains("För många misslyckade inloggningsförsök");
    // An account that does not exist is answered the same way: nothing reveals it.
    for _ in 0..5 {
        browser.login("okand.person", "gissning").await;
    }
    let unknown = browser.login("okand.person", "gissning").await;
    assert_eq!(unknown.status, StatusCode::TOO_MANY_REQUESTS);
    // Other accounts are not locked by it.
    assert_eq!(
        browser.login("registrator", "remiss-demo").await.status,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn repeated_failures_are_slowed_down_per_address(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut browser = app.browser();
    for i in 0..20 {
        browser.login(&format!("konto{i}"), "gissning").await;
    }
    let throttled = browser.login("registrator", "remiss-demo").await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn changing_password_ends_the_other_sessions(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut laptop = app.signed_in("handlaggare").await;
    let mut phone = app.signed_in("handlaggare").await;
    let response = laptop
        .post_from(
            "/konto/losenord",
            "/konto/losenord",
            &[
                ("current", "remiss-demo"),
                ("new_password", "ett nytt långt lösenord"),
                ("confirm", "ett nytt långt lösenord"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    response.assert_contains("Lösenordet är bytt");
    assert_eq!(
        laptop.get("/").await.status,
        StatusCode::OK,
        "this session goes on"
    );
    assert_eq!(
        phone.get("/").await.location.as_deref(),
        Some("/login"),
        "the other one ends"
    );
    assert_eq!(
        app.browser()
            .login("handlaggare", "remiss-demo")
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.browser()
            .login("handlaggare", "ett nytt långt lösenord")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_bad_new_password_is_refused_with_messages(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut browser = app.signed_in("handlaggare").await;
    let response = browser
        .post_from(
            "/konto/losenord",
            "/konto/losenord",
            &[
                ("current", "fel"),
                ("new_password", "kort"),
                ("confirm", "kort"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    response.assert_contains("Det nuvarande lösenordet stämmer inte.");
    response.assert_contains("Lösenordet ska vara minst 10 tecken.");
    assert_eq!(
        app.browser()
            .login("handlaggare", "remiss-demo")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_login_page_shows_the_demo_password_only_while_demo_accounts_exist(pool: PgPool) {
    let app = TestApp::with_demo(pool.clone()).await;
    app.browser()
        .get("/login")
        .await
        .assert_contains("remiss-demo");
    sqlx::query("UPDATE users SET demo = false")
        .execute(&pool)
        .await
        .unwrap();
    app.browser()
        .get("/login")
        .await
        .assert_lacks("remiss-demo");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn health_answers_200_with_a_database_and_503_without(pool: PgPool) {
    let app = TestApp::empty(pool).await;
    let ok = app.browser().get("/healthz").await;
    assert_eq!(ok.status, StatusCode::OK);
    app.pool.close().await;
    let down = app.browser().get("/healthz").await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
}

/// A browser on the login page: its CSRF token, ready to post.
async fn at_login_form(app: &TestApp) -> (crate::helpers::Browser, String) {
    let mut browser = app.browser();
    let token = browser.get("/login").await.csrf_token();
    (browser, token)
}

async fn post_login(
    mut browser: crate::helpers::Browser,
    token: String,
    username: String,
    password: &str,
) -> StatusCode {
    browser
        .post_raw(
            "/login",
            &[
                ("csrf_token", &token),
                ("username", &username),
                ("password", password),
            ],
        )
        .await
        .status
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn twenty_concurrent_failing_logins_leave_health_and_other_pages_answering(pool: PgPool) {
    // One hashing at a time, so that the logins are still running while the
    // other pages are asked for.
    let settings = remiss::web::Settings {
        hashing_memory_mib: 19,
        ..Default::default()
    };
    let app = TestApp::configured(pool, settings, Default::default(), true).await;
    let mut forms = Vec::new();
    for _ in 0..20 {
        forms.push(at_login_form(&app).await);
    }
    let mut logins = tokio::task::JoinSet::new();
    for (i, (browser, token)) in forms.into_iter().enumerate() {
        logins.spawn(post_login(
            browser,
            token,
            format!("konto{i}"),
            "fel-lösenord",
        ));
    }
    let mut answers = Vec::new();
    let mut bystander = app.browser();
    while answers.len() < 20 {
        for path in ["/healthz", "/diarium", "/login"] {
            let response = bystander.get(path).await;
            assert_eq!(
                response.status,
                StatusCode::OK,
                "{path} while {} of 20 logins are still running: {}",
                20 - answers.len(),
                response.body
            );
        }
        while let Some(answer) = logins.try_join_next() {
            answers.push(answer.unwrap());
        }
    }
    for status in answers {
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::SERVICE_UNAVAILABLE,
            "a failing login is refused or asked to come back, never an error: {status}"
        );
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn parallel_wrong_passwords_are_all_counted_before_any_is_checked(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut forms = Vec::new();
    for _ in 0..9 {
        forms.push(at_login_form(&app).await);
    }
    let mut logins = tokio::task::JoinSet::new();
    for (browser, token) in forms {
        logins.spawn(post_login(browser, token, "granskare".into(), "gissning"));
    }
    let mut checked = 0;
    while let Some(status) = logins.join_next().await {
        match status.unwrap() {
            StatusCode::UNPROCESSABLE_ENTITY => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected answer {other}"),
        }
    }
    assert!(
        checked <= 5,
        "{checked} of 9 parallel guesses were checked against the password; the limit is 5"
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn anonymous_visitors_store_no_session(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    for _ in 0..30 {
        assert_eq!(app.browser().get("/login").await.status, StatusCode::OK);
    }
    let mut visitor = app.browser();
    visitor.get("/login").await;
    visitor.get("/login?next=/remisser").await;
    visitor.get("/diarium").await;
    visitor.get("/remisser").await;
    assert_eq!(
        visitor.login("registrator", "fel-lösenord").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(app.count("SELECT count(*) FROM sessions").await, 0);

    // The same browser logs in: now there is something to keep.
    assert_eq!(
        visitor.login("registrator", "remiss-demo").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("SELECT count(*) FROM sessions").await, 1);
    assert_eq!(visitor.get("/").await.status, StatusCode::OK);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_login_form_token_is_the_login_cookie_and_nothing_else(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let (mut browser, token) = at_login_form(&app).await;
    assert_eq!(browser.cookie("remiss_login"), Some(token.clone()));
    // A second tab keeps the first one's token valid.
    assert_eq!(browser.get("/login").await.csrf_token(), token);
    // Without the cookie the token alone is refused.
    let mut stranger = app.browser();
    let response = stranger
        .post_raw(
            "/login",
            &[
                ("csrf_token", &token),
                ("username", "registrator"),
                ("password", "remiss-demo"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    response.assert_contains("Formuläret kunde inte tas emot");
    // With it, the login goes through and the cookie is spent.
    let response = browser.login("registrator", "remiss-demo").await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(browser.cookie("remiss_login"), None);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_next_with_a_tab_or_line_break_goes_to_the_start_page(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let form = app.browser().get("/login?next=/%09/evil.example").await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains(r#"name="next" value="/""#);
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r/evil.example",
        "/\x0b/evil.example",
        "/\\evil.example",
    ] {
        let mut browser = app.browser();
        let token = browser.get("/login").await.csrf_token();
        let response = browser
            .post_raw(
                "/login",
                &[
                    ("csrf_token", &token),
                    ("username", "registrator"),
                    ("password", "remiss-demo"),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(response.location.as_deref(), Some("/"), "{next:?}");
        assert_eq!(browser.get("/").await.status, StatusCode::OK, "signed in");
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn over_https_the_cookies_are_host_only_and_hsts_is_sent(pool: PgPool) {
    let settings = remiss::web::Settings {
        secure_cookies: true,
        ..Default::default()
    };
    let app = TestApp::configured(pool, settings, Default::default(), true).await;
    let mut browser = app.browser();
    let form = browser.get("/login").await;
    assert_eq!(
        form.headers["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let login_cookie = form.headers["set-cookie"].to_str().unwrap();
    assert!(
        login_cookie.starts_with("__Host-remiss_login=")
            && login_cookie.contains("Secure")
            && login_cookie.contains("Path=/")
            && !login_cookie.contains("Domain"),
        "{login_cookie}"
    );
    let token = form.csrf_token();
    let response = browser
        .post_raw(
            "/login",
            &[
                ("csrf_token", &token),
                ("username", "registrator"),
                ("password", "remiss-demo"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let session_cookie = response
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("__Host-remiss_session="))
        .expect("the session cookie, __Host- prefixed")
        .to_string();
    assert!(
        session_cookie.contains("Secure")
            && session_cookie.contains("Path=/")
            && !session_cookie.contains("Domain"),
        "{session_cookie}"
    );
    assert_eq!(browser.get("/").await.status, StatusCode::OK);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn over_plain_http_no_hsts_is_sent(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let form = app.browser().get("/login").await;
    assert!(!form.headers.contains_key("strict-transport-security"));
}
