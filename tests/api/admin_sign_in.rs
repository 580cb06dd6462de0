//! The administrator's side of single sign-on: e-mail addresses and subjects on
//! accounts, accounts without a password, and the import of a list.

use std::sync::Arc;

use axum::http::StatusCode;
use sqlx::PgPool;

use remiss::web::{AppState, Settings};

use crate::helpers::TestApp;

/// The demo city with single sign-on configured. The provider is never reached
/// in these tests (nobody signs in through it), so none is started.
async fn with_sso(pool: PgPool) -> TestApp {
    remiss::startup::load_demo_if_empty(&pool).await.unwrap();
    let config = remiss::oidc::OidcConfig {
        issuer: "http://127.0.0.1:9".into(),
        client_id: "remiss".into(),
        client_secret: remiss::oidc::Secret("hemligt".into()),
        public_url: "http://remiss.test".parse().unwrap(),
        name: "kommunens inloggning".into(),
        timeout: remiss::oidc::OidcConfig::DEFAULT_TIMEOUT,
    };
    let provider = remiss::oidc::Provider::new(config).unwrap();
    let state = AppState::new(pool.clone(), Settings::default()).with_oidc(Arc::new(provider));
    TestApp::with_state(pool, state)
}

async fn user_id(app: &TestApp, username: &str) -> String {
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    id.to_string()
}

async fn sign_in_of(app: &TestApp, username: &str) -> (Option<String>, Option<String>, bool) {
    sqlx::query_as(
        "SELECT email, oidc_subject, password_hash IS NOT NULL FROM users WHERE username = $1",
    )
    .bind(username)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn with_single_sign_on_an_account_needs_an_email_instead_of_a_password(pool: PgPool) {
    let app = with_sso(pool).await;
    let amn = app.organ_id("AMN").await;
    let mut admin = app.signed_in("admin").await;
    let form = admin.get("/admin/anvandare/ny").await;
    form.assert_contains(
        "Kontot kopplas till personen vid första inloggningen med kommunens inloggning",
    );
    form.assert_contains("Id hos identitetsleverantören (valfritt)");
    form.assert_contains("Startlösenord (valfritt)");

    let fields = |username: &'static str, email: &'static str| {
        [
            ("username", username),
            ("display_name", "Sara Berg"),
            ("organ", amn.as_str()),
            ("email", email),
        ]
    };
    // Neither an e-mail address nor a password: nobody could sign in.
    let refused = admin
        .post_from(
            "/admin/anvandare/ny",
            "/admin/anvandare",
            &fields("sara", ""),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Lösenordet ska vara minst 10 tecken.");

    // A malformed address: the message, and what was typed kept.
    let refused = admin
        .post_from(
            "/admin/anvandare/ny",
            "/admin/anvandare",
            &fields("sara", "sara.berg@"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Ange en e-postadress som namn@exempel.se.");
    refused.assert_contains(r#"value="sara.berg@""#);

    let created = admin
        .post_from(
            "/admin/anvandare/ny",
            "/admin/anvandare",
            &fields("sara", " Sara.Berg@Kommun.se "),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(
        sign_in_of(&app, "sara").await,
        (Some("Sara.Berg@Kommun.se".into()), None, false)
    );
    let page = admin.get(&created.location.unwrap()).await;
    page.assert_contains("Sara.Berg@Kommun.se");
    page.assert_contains("Kopplas vid första inloggningen med e-postadressen");

    // The same address in another case belongs to Sara already.
    let refused = admin
        .post_from(
            "/admin/anvandare/ny",
            "/admin/anvandare",
            &fields("sara2", "sara.berg@kommun.se"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("E-postadressen används redan av ett annat konto.");

    // Sara has no password: a password login as her fails like any wrong one.
    let mut sara = app.browser();
    let login = sara.login("sara", "").await;
    assert_eq!(login.status, StatusCode::UNPROCESSABLE_ENTITY);
    login.assert_contains("Fel användarnamn eller lösenord.");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn without_single_sign_on_a_password_is_still_needed(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let amn = app.organ_id("AMN").await;
    let mut admin = app.signed_in("admin").await;
    admin
        .get("/admin/anvandare/ny")
        .await
        .assert_lacks("Id hos identitetsleverantören");
    let refused = admin
        .post_from(
            "/admin/anvandare/ny",
            "/admin/anvandare",
            &[
                ("username", "sara"),
                ("display_name", "Sara Berg"),
                ("organ", &amn),
                ("email", "sara@kommun.se"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Lösenordet ska vara minst 10 tecken.");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_sign_in_form_sets_the_address_and_refuses_a_stale_save(pool: PgPool) {
    let app = with_sso(pool).await;
    let hanna = user_id(&app, "handlaggare").await;
    let page = format!("/admin/anvandare/{hanna}/inloggning");
    let mut admin = app.signed_in("admin").await;
    let form = admin.get(&page).await;
    form.assert_contains("E-post och inloggning för Hanna Lindqvist");

    let saved = admin
        .post_from(
            &page,
            &page,
            &[
                ("email", "hanna@kommun.se"),
                ("oidc_subject", ""),
                ("seen_email", ""),
                ("seen_subject", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        sign_in_of(&app, "handlaggare").await,
        (Some("hanna@kommun.se".into()), None, true)
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_events WHERE action = 'user.sign_in_changed'")
            .await,
        1
    );

    // Meanwhile her first sign-in linked the account: a save from the old form
    // is refused, with both shown.
    sqlx::query(
        "UPDATE users SET oidc_subject = 'hanna-sub', oidc_realm = 'https://idp' WHERE username = 'handlaggare'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let stale = admin
        .post_from(
            &page,
            &page,
            &[
                ("email", "hanna.lindqvist@kommun.se"),
                ("oidc_subject", ""),
                ("seen_email", "hanna@kommun.se"),
                ("seen_subject", ""),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    stale.assert_contains("Uppgifterna har ändrats medan du redigerade");
    stale.assert_contains("<code>hanna-sub</code> (kopplat)");
    stale.assert_contains(r#"value="hanna.lindqvist@kommun.se""#);
    stale.assert_contains(r#"name="seen_subject" value="hanna-sub""#);
    assert_eq!(
        sign_in_of(&app, "handlaggare").await.0.as_deref(),
        Some("hanna@kommun.se")
    );

    // Another account's address is refused.
    let taken = admin
        .post_from(
            &page,
            &page,
            &[
                ("email", "HANNA@kommun.se"),
                ("oidc_subject", "hanna-sub"),
                ("seen_email", "hanna@kommun.se"),
                ("seen_subject", "hanna-sub"),
            ],
        )
        .await;
    assert_eq!(
        taken.status,
        StatusCode::SEE_OTHER,
        "her own address in another case"
    );
    let karin = user_id(&app, "granskare").await;
    let karin_page = format!("/admin/anvandare/{karin}/inloggning");
    let taken = admin
        .post_from(
            &karin_page,
            &karin_page,
            &[
                ("email", "hanna@kommun.se"),
                ("oidc_subject", "hanna-sub"),
                ("seen_email", ""),
                ("seen_subject", ""),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    taken.assert_contains("används redan av ett annat konto");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_changed_subject_unlinks_the_account_and_ends_its_sessions(pool: PgPool) {
    let app = with_sso(pool).await;
    sqlx::query(
        "UPDATE users SET oidc_subject = 'old-sub', oidc_realm = 'https://idp' WHERE username = 'handlaggare'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let mut hanna = app.signed_in("handlaggare").await;
    let id = user_id(&app, "handlaggare").await;
    let page = format!("/admin/anvandare/{id}/inloggning");
    let mut admin = app.signed_in("admin").await;
    let saved = admin
        .post_from(
            &page,
            &page,
            &[
                ("email", ""),
                ("oidc_subject", "new-sub"),
                ("seen_email", ""),
                ("seen_subject", "old-sub"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let link: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT oidc_subject, oidc_realm FROM users WHERE username = 'handlaggare'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(link, (Some("new-sub".into()), None));
    assert_eq!(hanna.get("/").await.location.as_deref(), Some("/login"));
}

const LIST: &str = "användarnamn;namn;e-post;organ;roller
sara.b;Sara Berg;sara.berg@kommun.se;AMN;handläggare, granskare
olle;\"Olsson; Olle\";olle@kommun.se;ks;registrator,admin
";

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_admin_imports_a_list_of_accounts(pool: PgPool) {
    let app = with_sso(pool).await;
    let mut admin = app.signed_in("admin").await;
    admin
        .get("/admin/anvandare")
        .await
        .assert_contains(r#"href="/admin/anvandare/import""#);
    let users_before = app.count("SELECT count(*) FROM users").await;

    let imported = admin
        .post_from(
            "/admin/anvandare/import",
            "/admin/anvandare/import",
            &[("list", LIST)],
        )
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    imported.assert_contains("2 konton har skapats.");
    imported.assert_contains("Olsson; Olle");
    assert_eq!(
        app.count("SELECT count(*) FROM users").await,
        users_before + 2
    );
    assert_eq!(
        sign_in_of(&app, "sara.b").await,
        (Some("sara.berg@kommun.se".into()), None, false)
    );
    let roles: Vec<String> = sqlx::query_scalar(
        "SELECT r.role FROM user_roles r JOIN users u ON u.id = r.user_id
         JOIN organs o ON o.id = r.organ_id
         WHERE u.username = 'sara.b' AND o.diarium_prefix = 'AMN' ORDER BY r.role",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(roles, ["granskare", "handlaggare"]);
    let olle_admin: bool = sqlx::query_scalar("SELECT is_admin FROM users WHERE username = 'olle'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(olle_admin);
    assert_eq!(
        app.count(
            "SELECT count(*) FROM audit_events WHERE action = 'user.created' AND after->>'via' = 'import'"
        )
        .await,
        2
    );

    // The same list again: every account is there already, and nothing changes.
    let again = admin
        .post_from(
            "/admin/anvandare/import",
            "/admin/anvandare/import",
            &[("list", LIST)],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    again.assert_contains("Rad 2: det finns redan ett konto med användarnamnet sara.b.");
    again.assert_contains("Rad 3: det finns redan ett konto med e-postadressen olle@kommun.se.");
    assert_eq!(
        app.count("SELECT count(*) FROM users").await,
        users_before + 2
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_list_with_a_wrong_line_creates_nothing_and_keeps_the_text(pool: PgPool) {
    let app = with_sso(pool).await;
    let mut admin = app.signed_in("admin").await;
    let users_before = app.count("SELECT count(*) FROM users").await;
    let list = "sara.b;Sara Berg;sara.berg@kommun.se;AMN;handläggare\n\
                per;Per Persson;per@kommun.se;XYZ;chef\n";
    let refused = admin
        .post_from(
            "/admin/anvandare/import",
            "/admin/anvandare/import",
            &[("list", list)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Rad 2: det finns inget organ med diariebeteckningen XYZ.");
    refused.assert_contains("Rad 2: okänd roll &#34;chef&#34;");
    refused.assert_contains("sara.b;Sara Berg;sara.berg@kommun.se;AMN;handläggare");
    assert_eq!(app.count("SELECT count(*) FROM users").await, users_before);
}
