use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::TestApp;

async fn user_id(app: &TestApp, username: &str) -> String {
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    id.to_string()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_admin_creates_a_user_and_gives_a_role(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let un = app.organ_id("UN").await;
    let mut admin = app.signed_in("admin").await;
    let response = admin
        .post_from(
            "/admin/anvandare/ny",
            "/admin/anvandare",
            &[
                ("username", "Ulla.Registrator"),
                ("display_name", "Ulla Ulvsdotter"),
                ("title", "registrator"),
                ("organ", &un),
                ("password", "ett långt startlösenord"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let account = response.location.unwrap();
    admin
        .get(&account)
        .await
        .assert_contains("<code>ulla.registrator</code>");

    // Without a role she cannot register.
    let mut ulla = app.browser();
    assert_eq!(
        ulla.login("ulla.registrator", "ett långt startlösenord")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(ulla.get("/remisser/ny").await.status, StatusCode::FORBIDDEN);

    let given = admin
        .post_from(
            &account,
            &format!("{account}/roller"),
            &[("role", "registrator"), ("organ", &un)],
        )
        .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER);
    admin
        .get(&account)
        .await
        .assert_contains("Ta bort rollen Registrator i Utbildningsnämnden");
    assert_eq!(
        ulla.get("/remisser/ny").await.status,
        StatusCode::OK,
        "roles apply from the next request"
    );

    let taken = admin
        .post_from(
            &account,
            &format!("{account}/roller/ta-bort"),
            &[("role", "registrator"), ("organ", &un)],
        )
        .await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER);
    assert_eq!(ulla.get("/remisser/ny").await.status, StatusCode::FORBIDDEN);
    let ulla_id = user_id(&app, "ulla.registrator").await;
    let events: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE entity_id = $1::uuid ORDER BY id",
    )
    .bind(&ulla_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        events,
        ["user.created", "user.role_given", "user.role_taken"]
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_new_user_form_with_errors_keeps_the_input(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut admin = app.signed_in("admin").await;
    let response = admin
        .post_from(
            "/admin/anvandare/ny",
            "/admin/anvandare",
            &[
                ("username", "registrator"),
                ("display_name", "Dubblett"),
                ("organ", ""),
                ("password", "kort"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    response.assert_contains("Välj organ.");
    response.assert_contains("Lösenordet ska vara minst 10 tecken.");
    response.assert_contains(r#"value="Dubblett""#);

    let ks = app.organ_id("KS").await;
    let taken = admin
        .post_from(
            "/admin/anvandare/ny",
            "/admin/anvandare",
            &[
                ("username", "registrator"),
                ("display_name", "Dubblett"),
                ("organ", &ks),
                ("password", "ett långt lösenord"),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    taken.assert_contains("Användarnamnet är upptaget.");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn deactivating_a_user_ends_their_sessions_and_logins(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut officer = app.signed_in("handlaggare").await;
    let id = user_id(&app, "handlaggare").await;
    let mut admin = app.signed_in("admin").await;
    let account = format!("/admin/anvandare/{id}");
    let response = admin
        .post_from(
            &account,
            &format!("{account}/aktiv"),
            &[("active", "false")],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(officer.get("/").await.location.as_deref(), Some("/login"));
    assert_eq!(
        app.browser()
            .login("handlaggare", "remiss-demo")
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    admin
        .post_from(&account, &format!("{account}/aktiv"), &[("active", "true")])
        .await;
    assert_eq!(
        app.browser()
            .login("handlaggare", "remiss-demo")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_admin_cannot_deactivate_themself(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let id = user_id(&app, "admin").await;
    let mut admin = app.signed_in("admin").await;
    let response = admin
        .post(
            &format!("/admin/anvandare/{id}/aktiv"),
            &[("active", "false")],
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(admin.get("/").await.status, StatusCode::OK);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_admin_creates_and_edits_organs(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut admin = app.signed_in("admin").await;
    let created = admin
        .post_from(
            "/admin/organ/ny",
            "/admin/organ",
            &[
                ("name", "Kulturnämnden"),
                ("diarium_prefix", "kun"),
                ("administration", "Kulturförvaltningen"),
                ("review_days", "7"),
                ("agenda_closing_days", "10"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    admin
        .get("/admin/organ")
        .await
        .assert_contains("<td>KUN</td>");

    let duplicate = admin
        .post_from(
            "/admin/organ/ny",
            "/admin/organ",
            &[
                ("name", "Kulturnämnd två"),
                ("diarium_prefix", "AMN"),
                ("administration", "X"),
                ("review_days", "7"),
                ("agenda_closing_days", "10"),
            ],
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    duplicate.assert_contains("Ett annat organ har redan det diarieprefixet.");
    duplicate.assert_contains(r#"value="Kulturnämnd två""#);

    let kun = app.organ_id("KUN").await;
    let page = format!("/admin/organ/{kun}");
    let edited = admin
        .post_from(
            &page,
            &page,
            &[
                ("name", "Kultur- och fritidsnämnden"),
                ("diarium_prefix", "KFN"),
                ("administration", "Kulturförvaltningen"),
                ("review_days", "7"),
                ("agenda_closing_days", "10"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER);
    let stale = admin
        .post_from(
            &page,
            &page,
            &[
                ("name", "Kulturnämnden igen"),
                ("diarium_prefix", "KUN"),
                ("administration", "Kulturförvaltningen"),
                ("review_days", "7"),
                ("agenda_closing_days", "10"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    stale.assert_contains("Någon annan har ändrat organet");
    stale.assert_contains("<dd>Kultur- och fritidsnämnden</dd>");
    stale.assert_contains(r#"value="Kulturnämnden igen""#);
    assert_eq!(
        app.count("SELECT count(*) FROM organs WHERE name = 'Kultur- och fritidsnämnden'")
            .await,
        1
    );
}

/// The command line's account logs in (the use case itself is tested in
/// `tests/app/setup.rs`).
#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_first_admin_from_the_command_line_logs_in(pool: PgPool) {
    let app = TestApp::empty(pool).await;
    let username = remiss::startup::create_user(
        &app.pool,
        " Forsta.Admin ",
        "Första Administratören",
        true,
        None,
        "ett långt lösenord".into(),
    )
    .await
    .unwrap();
    assert_eq!(username, "forsta.admin");
    let mut admin = app.browser();
    assert_eq!(
        admin
            .login("forsta.admin", "ett långt lösenord")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    admin
        .get("/admin/organ")
        .await
        .assert_contains("<h1>Organ</h1>");
}
