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
    let mut browser = app.browser();
    let before = browser.get("/login").await;
    let cookie_before = before
        .headers
        .get("set-cookie")
        .expect("a session for the login form")
        .to_str()
        .unwrap()
        .to_string();
    let response = browser.login("registrator", "remiss-demo").await;
    let cookie_after = response
        .headers
        .get("set-cookie")
        .expect("a new session id")
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(
        cookie_before.split(';').next(),
        cookie_after.split(';').next()
    );
    assert!(
        cookie_after.contains("HttpOnly") && cookie_after.contains("SameSite=Lax"),
        "{cookie_after}"
    );
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
    let app = TestApp::empty(pool.clone());
    let ok = app.browser().get("/healthz").await;
    assert_eq!(ok.status, StatusCode::OK);
    pool.close().await;
    let down = app.browser().get("/healthz").await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
}
