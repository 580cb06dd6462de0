//! E-mail in the pages: the registry's address on the dispatch form, how the
//! yttrande's e-mail went on the case page, the administrator's list of
//! messages not sent, and each user's notification setting.

use axum::http::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::TestApp;

/// The demo's approved promemoria in AMN, decided by delegation: its case page.
async fn decided_by_delegation(app: &TestApp) -> String {
    let case: Uuid = sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN referrals r ON r.id = c.referral_id
         WHERE r.title LIKE 'Promemorian%' AND c.dnr_prefix = 'AMN'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let page = format!("/arenden/{case}");
    let mut reviewer = app.signed_in("granskare").await;
    let decided = reviewer
        .post_from(
            &page,
            &format!("{page}/delegationsbeslut"),
            &[("reference", "Delegationsordning punkt 1.4")],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    page
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_yttrande_is_e_mailed_from_the_dispatch_form_and_a_failure_shows_to_the_admin(
    pool: PgPool,
) {
    let app = TestApp::with_demo(pool).await;
    let page = decided_by_delegation(&app).await;

    let mut secretary = app.signed_in("sekreterare").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let refused = secretary
        .post_from(
            &page,
            &format!("{page}/expediera"),
            &[
                ("dispatched_on", &today),
                ("recipient", "Arbetsmarknadsdepartementet"),
                ("email", "a.remissvar regeringskansliet.se"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Ange en e-postadress som namn@exempel.se.");
    refused.assert_contains("value=\"a.remissvar regeringskansliet.se\"");
    assert_eq!(app.count("SELECT count(*) FROM outbox").await, 0);

    let dispatched = secretary
        .post_from(
            &page,
            &format!("{page}/expediera"),
            &[
                ("dispatched_on", &today),
                ("recipient", "Arbetsmarknadsdepartementet"),
                ("email", "a.remissvar@regeringskansliet.se"),
            ],
        )
        .await;
    assert_eq!(
        dispatched.status,
        StatusCode::SEE_OTHER,
        "{}",
        dispatched.body
    );
    secretary
        .get(&page)
        .await
        .assert_contains("E-post till a.remissvar@regeringskansliet.se: <strong>köat</strong>");

    // The server refused it.
    sqlx::query(
        "UPDATE outbox SET state = 'failed', attempts = 1,
                last_error = '550 5.1.1 Mottagaren finns inte'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    secretary
        .get(&page)
        .await
        .assert_contains("<strong>misslyckades</strong>");
    assert_eq!(
        secretary.get("/admin/utskick").await.status,
        StatusCode::FORBIDDEN
    );
    let mut admin = app.signed_in("admin").await;
    let list = admin.get("/admin/utskick").await;
    list.assert_contains("E-post är inte konfigurerad");
    list.assert_contains("550 5.1.1 Mottagaren finns inte");
    list.assert_contains("a.remissvar@regeringskansliet.se");
    let id: Uuid = sqlx::query_scalar("SELECT id FROM outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let retried = admin
        .post_from(
            "/admin/utskick",
            &format!("/admin/utskick/{id}/skicka-igen"),
            &[],
        )
        .await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE state = 'queued' AND attempts = 0")
            .await,
        1
    );
    // Kept with the dispatch: the next yttrande to the same recipient is offered it.
    assert_eq!(
        app.count(
            "SELECT count(*) FROM replies WHERE recipient_email = 'a.remissvar@regeringskansliet.se'"
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn each_user_turns_their_notifications_off_and_on(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut officer = app.signed_in("handlaggare").await;
    let account = officer.get("/konto").await;
    assert_eq!(account.status, StatusCode::OK);
    account.assert_contains("Ditt konto har ingen e-postadress");
    account.assert_contains("type=\"checkbox\" checked");
    let off = officer.post_from("/konto", "/konto", &[]).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    officer
        .get("/konto")
        .await
        .assert_lacks("type=\"checkbox\" checked");
    let on = officer
        .post_from("/konto", "/konto", &[("notify", "on")])
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE username = 'handlaggare' AND notify_by_email")
            .await,
        1
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_registry_address_comes_with_the_remiss_and_fills_the_dispatch_form(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let amn = app.organ_id("AMN").await;
    let fields = |address: &'static str| {
        vec![
            ("title", "Remiss om en ny idrottspolicy"),
            ("sender_organ", ""),
            ("sender_name", "Kulturdepartementet"),
            ("sender_dnr", "Ku2026/00123"),
            ("sender_email", address),
            ("received_on", "2026-03-02"),
            ("deadline", "2026-05-29"),
            ("respondents", amn.as_str()),
        ]
    };
    let before = app.count("SELECT count(*) FROM referrals").await;
    let refused = registrar
        .post_from(
            "/remisser/ny",
            "/remisser",
            &fields("ku.remissvar regeringskansliet.se"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("id=\"sender_email-error\"");
    refused.assert_contains("Ange en e-postadress som namn@exempel.se.");
    refused.assert_contains("value=\"ku.remissvar regeringskansliet.se\"");
    assert_eq!(app.count("SELECT count(*) FROM referrals").await, before);

    let registered = registrar
        .post_from(
            "/remisser/ny",
            "/remisser",
            &fields(" ku.remissvar@regeringskansliet.se "),
        )
        .await;
    assert_eq!(
        registered.status,
        StatusCode::SEE_OTHER,
        "{}",
        registered.body
    );
    registrar
        .get(&registered.location.unwrap())
        .await
        .assert_contains("<dd>ku.remissvar@regeringskansliet.se</dd>");

    // A decided case's dispatch form offers the address registered with its remiss.
    sqlx::query(
        "UPDATE referrals SET sender_email = 'a.remissvar@regeringskansliet.se'
         WHERE title LIKE 'Promemorian%'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let page = decided_by_delegation(&app).await;
    app.signed_in("sekreterare")
        .await
        .get(&page)
        .await
        .assert_contains("value=\"a.remissvar@regeringskansliet.se\"");
}
