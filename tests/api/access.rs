use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::TestApp;

const SOME_ID: &str = "00000000-0000-4000-8000-000000000001";

fn pages() -> Vec<String> {
    [
        "/",
        "/konto/losenord",
        "/remisser",
        "/remisser?sort=deadline",
        "/remisser/ny",
        "/remisser/{id}",
        "/remisser/{id}/redigera",
        "/arenden/{id}",
        "/admin",
        "/admin/anvandare",
        "/admin/anvandare/ny",
        "/admin/anvandare/{id}",
        "/admin/anvandare/{id}/inloggning",
        "/admin/anvandare/import",
        "/admin/organ",
        "/admin/organ/ny",
        "/admin/organ/{id}",
        "/konto",
        "/admin/utskick",
    ]
    .iter()
    .map(|p| p.replace("{id}", SOME_ID))
    .collect()
}

fn actions() -> Vec<String> {
    [
        "/logout",
        "/konto/losenord",
        "/remisser",
        "/remisser/{id}",
        "/admin/anvandare",
        "/admin/anvandare/{id}/roller",
        "/admin/anvandare/{id}/roller/ta-bort",
        "/admin/anvandare/{id}/aktiv",
        "/admin/anvandare/{id}/inloggning",
        "/admin/anvandare/import",
        "/admin/organ",
        "/admin/organ/{id}",
        "/konto",
        "/admin/utskick/{id}/skicka-igen",
    ]
    .iter()
    .map(|p| p.replace("{id}", SOME_ID))
    .collect()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn every_page_sends_anonymous_visitors_to_login(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    for page in pages() {
        let response = app.browser().get(&page).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{page}");
        let location = response.location.unwrap();
        assert!(location.starts_with("/login"), "{page} -> {location}");
        if page != "/" {
            assert!(
                location.contains("?next="),
                "{page} remembers where it was going: {location}"
            );
        }
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn every_action_refuses_anonymous_visitors_and_changes_nothing(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let events_before = app.count("SELECT count(*) FROM audit_events").await;
    for action in actions() {
        let mut browser = app.browser();
        let token = browser.get("/login").await.csrf_token();
        let response = browser
            .post_raw(&action, &[("csrf_token", &token), ("title", "x")])
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{action}");
        assert_eq!(response.location.as_deref(), Some("/login"), "{action}");
    }
    assert_eq!(
        app.count("SELECT count(*) FROM audit_events").await,
        events_before
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn public_paths_need_no_login(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut browser = app.browser();
    assert_eq!(browser.get("/login").await.status, StatusCode::OK);
    assert_eq!(browser.get("/healthz").await.status, StatusCode::OK);
    let css = browser.get("/static/remiss.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn every_signed_in_action_needs_the_csrf_token(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut admin = app.signed_in("admin").await;
    let events_before = app.count("SELECT count(*) FROM audit_events").await;
    for action in actions() {
        let response = admin
            .post_raw(&action, &[("title", "x"), ("name", "x")])
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{action}");
    }
    assert_eq!(
        app.count("SELECT count(*) FROM audit_events").await,
        events_before
    );
    assert_eq!(
        admin.get("/").await.status,
        StatusCode::OK,
        "still signed in: logout was refused too"
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn registration_needs_the_registrar_role(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let amn = app.organ_id("AMN").await;
    let mut officer = app.signed_in("handlaggare").await;
    let page = officer.get("/remisser/ny").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("Du saknar behörighet");
    page.assert_contains("<main"); // the site's layout
    let before = app.count("SELECT count(*) FROM referrals").await;
    let response = officer
        .post(
            "/remisser",
            &[
                ("title", "Otillåten"),
                ("sender_name", "X"),
                ("received_on", "2026-01-01"),
                ("deadline", "2026-02-01"),
                ("respondents", &amn),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT count(*) FROM referrals").await, before);
    officer.get("/").await.assert_lacks("Registrera remiss");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn correcting_a_remiss_needs_the_registrar_role(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM referrals LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut reviewer = app.signed_in("granskare").await;
    assert_eq!(
        reviewer
            .get(&format!("/remisser/{id}/redigera"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let response = reviewer
        .post(
            &format!("/remisser/{id}"),
            &[("title", "Ändrad"), ("version", "1")],
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("SELECT count(*) FROM referrals WHERE title = 'Ändrad'")
            .await,
        0
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn administration_needs_the_admin_flag(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    for page in pages().iter().filter(|p| p.starts_with("/admin")) {
        assert_eq!(
            registrar.get(page).await.status,
            StatusCode::FORBIDDEN,
            "{page}"
        );
    }
    let before = app.count("SELECT count(*) FROM organs").await;
    let response = registrar
        .post(
            "/admin/organ",
            &[
                ("name", "Kulturnämnden"),
                ("diarium_prefix", "KUN"),
                ("administration", "Kulturförvaltningen"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT count(*) FROM organs").await, before);
    registrar.get("/").await.assert_lacks("href=\"/admin\"");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn unknown_ids_and_paths_are_404_in_the_layout(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut browser = app.signed_in("registrator").await;
    for path in [
        format!("/remisser/{SOME_ID}"),
        "/remisser/inte-ett-id".to_string(),
        format!("/arenden/{SOME_ID}"),
        format!("/remisser/{SOME_ID}/redigera"),
        "/finns/inte".to_string(),
    ] {
        let response = browser.get(&path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        response.assert_contains("Sidan finns inte");
        response.assert_contains("<html lang=\"sv\">");
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_malformed_or_unknown_id_is_not_found_in_the_signed_in_layout(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut officer = app.signed_in("handlaggare").await;
    for path in [
        "/arenden/inte-ett-id",
        "/arenden/00000000-0000-0000-0000-000000000000",
        "/arenden/inte-ett-id/utkast",
        "/arenden/00000000-0000-0000-0000-000000000000/protokollsutdrag/inte-ett-id",
        "/remisser/123/redigera",
        "/sammantraden/x",
        "/organ/x/planering",
    ] {
        let page = officer.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        page.assert_contains("<h1>Sidan finns inte</h1>");
        // Their name and the way to log out, as on every page they see.
        page.assert_contains("Hanna Lindqvist");
        page.assert_contains(r#"action="/logout""#);
    }
    // Someone not signed in sees the same page without them.
    let page = app.browser().get("/diarium/inte-ett-id").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.assert_lacks(r#"action="/logout""#);
}
