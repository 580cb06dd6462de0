//! Single sign-on against a real OpenID provider (oidc-provider under Node.js,
//! started by each test): the browser goes through the provider's login form over
//! HTTP, and Remiss's own calls to the provider are real HTTP calls.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use remiss::config::LocalLogin;
use remiss::web::{AppState, Settings};

use crate::helpers::{Browser, TestApp, TestResponse};
use crate::oidc_provider::{PROVIDER_NAME, Person, TestProvider};

/// Where Remiss is reached, as the provider knows it. Never contacted: the test
/// takes the provider's redirect there and hands it to the router.
const PUBLIC_URL: &str = "http://remiss.test";
const HANNA_EMAIL: &str = "hanna.lindqvist@kommun.se";

struct Sso {
    app: TestApp,
    provider: TestProvider,
}

/// The demo city with Hanna's e-mail address in Remiss, and a provider where
/// Hanna and a stranger have accounts.
async fn sso(pool: PgPool, settings: Settings, claims_in_id_token: bool) -> Sso {
    remiss::startup::load_demo_if_empty(&pool).await.unwrap();
    sqlx::query("UPDATE users SET email = $1 WHERE username = 'handlaggare'")
        .bind(HANNA_EMAIL)
        .execute(&pool)
        .await
        .unwrap();
    let people = [
        Person::new("hanna", "hanna-sub", HANNA_EMAIL),
        Person::new("okand", "okand-sub", "okand.person@kommun.se"),
    ];
    let provider = TestProvider::start(PUBLIC_URL, &people, claims_in_id_token).await;
    let app = app_for(pool, settings, &provider);
    Sso { app, provider }
}

fn app_for(pool: PgPool, settings: Settings, provider: &TestProvider) -> TestApp {
    let client = remiss::oidc::Provider::new(provider.config()).unwrap();
    let state = AppState::new(pool.clone(), settings).with_oidc(Arc::new(client));
    TestApp::with_state(pool, state)
}

/// A browser with its cookie jar at the provider.
struct Visitor {
    remiss: Browser,
    at_provider: HashMap<String, String>,
}

impl Sso {
    fn person(&self) -> Visitor {
        Visitor {
            remiss: self.app.browser(),
            at_provider: HashMap::new(),
        }
    }

    /// Starts a sign-in at Remiss and goes through the provider's pages as
    /// `login`; returns the path at Remiss the provider sent the browser back to.
    async fn through_provider(&self, who: &mut Visitor, login: &str, next: &str) -> String {
        let start = who.remiss.get(&format!("/login/oidc{next}")).await;
        assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
        let authorize = start.location.expect("sent to the provider");
        assert!(
            authorize.starts_with(&self.provider.issuer),
            "{authorize} is at the provider"
        );
        for parameter in [
            "response_type=code",
            "code_challenge_method=S256",
            "state=",
            "nonce=",
            "scope=openid+email+profile",
        ] {
            assert!(authorize.contains(parameter), "{authorize} has {parameter}");
        }
        let back = self
            .provider
            .sign_in(&authorize, login, "losenord-hos-idp", &mut who.at_provider)
            .await;
        back.strip_prefix(PUBLIC_URL).unwrap().to_string()
    }

    /// The whole sign-in: Remiss's answer to the provider's redirect.
    async fn sign_in(&self, who: &mut Visitor, login: &str) -> TestResponse {
        let callback = self.through_provider(who, login, "").await;
        who.remiss.get(&callback).await
    }

    async fn audit_count(&self, action: &str) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = $1")
            .bind(action)
            .fetch_one(&self.app.pool)
            .await
            .unwrap()
    }

    async fn hanna_link(&self) -> (Option<String>, Option<String>) {
        sqlx::query_as("SELECT oidc_subject, oidc_realm FROM users WHERE username = 'handlaggare'")
            .fetch_one(&self.app.pool)
            .await
            .unwrap()
    }
}

/// What Remiss logs while a test runs (its handlers run on the test's thread).
struct Logs {
    buffer: Arc<Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

#[derive(Clone)]
struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for SharedWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn capture() -> Logs {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = SharedWriter(buffer.clone());
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .finish();
        Logs {
            buffer,
            _guard: tracing::subscriber::set_default(subscriber),
        }
    }

    /// Asserts that a line says `text`.
    fn assert_says(&self, text: &str) {
        let logged = String::from_utf8_lossy(&self.buffer.lock().unwrap()).into_owned();
        assert!(
            logged.contains(text),
            "expected {text:?} in the log:\n{logged}"
        );
    }
}

/// Asserts that the browser is not signed in.
async fn not_signed_in(browser: &mut Browser) {
    let start = browser.get("/").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
    assert_eq!(start.location.as_deref(), Some("/login"));
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_first_sign_in_links_by_email_and_later_ones_use_the_subject(pool: PgPool) {
    let sso = sso(pool, Settings::default(), false).await;
    let mut hanna = sso.person();

    let login = hanna.remiss.get("/login").await;
    login.assert_contains(&format!("Logga in med {PROVIDER_NAME}"));
    let session_before = hanna.remiss.cookie("remiss_session");
    let token_before = login.csrf_token();

    let callback = sso
        .through_provider(&mut hanna, "hanna", "?next=/remisser")
        .await;
    let signed_in = hanna.remiss.get(&callback).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.location.as_deref(), Some("/remisser"));
    // As for a password login: a new session id and a new CSRF token.
    assert_ne!(hanna.remiss.cookie("remiss_session"), session_before);
    let start = hanna.remiss.get("/").await;
    start.assert_contains("Välkommen, Hanna Lindqvist");
    assert_ne!(start.csrf_token(), token_before);

    // Linked to the provider's subject under its issuer, with audit events.
    assert_eq!(
        sso.hanna_link().await,
        (Some("hanna-sub".into()), Some(sso.provider.issuer.clone()))
    );
    assert_eq!(sso.audit_count("user.sign_in_linked").await, 1);
    assert_eq!(sso.audit_count("user.signed_in").await, 1);

    // The e-mail address changes at the provider; the subject still finds Hanna.
    sso.provider
        .set_claims("hanna", json!({ "email": "hanna@nytt-namn.se" }))
        .await;
    hanna.remiss.post("/logout", &[]).await;
    not_signed_in(&mut hanna.remiss).await;
    let again = sso.sign_in(&mut hanna, "hanna").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    hanna
        .remiss
        .get("/")
        .await
        .assert_contains("Välkommen, Hanna Lindqvist");
    assert_eq!(
        sso.audit_count("user.sign_in_linked").await,
        1,
        "linked once"
    );
    assert_eq!(sso.audit_count("user.signed_in").await, 2);
    let email: Option<String> =
        sqlx::query_scalar("SELECT email FROM users WHERE username = 'handlaggare'")
            .fetch_one(&sso.app.pool)
            .await
            .unwrap();
    assert_eq!(
        email.as_deref(),
        Some(HANNA_EMAIL),
        "Remiss keeps its own address"
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_unknown_person_is_refused_and_no_account_is_created(pool: PgPool) {
    let sso = sso(pool, Settings::default(), false).await;
    let users_before = sso.app.count("SELECT count(*) FROM users").await;
    let mut stranger = sso.person();
    let logs = Logs::capture();
    let refused = sso.sign_in(&mut stranger, "okand").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    logs.assert_says("no account has this identity or e-mail address");
    refused.assert_contains("Du har inte tillgång till Remiss");
    refused.assert_contains("En administratör i Remiss måste ge dig tillgång");
    refused.assert_contains("okand.person@kommun.se");
    assert_eq!(
        sso.app.count("SELECT count(*) FROM users").await,
        users_before
    );
    assert_eq!(
        sso.app
            .count("SELECT count(*) FROM users WHERE oidc_subject IS NOT NULL")
            .await,
        0
    );
    not_signed_in(&mut stranger.remiss).await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_tampered_state_is_refused(pool: PgPool) {
    let sso = sso(pool, Settings::default(), false).await;
    let mut hanna = sso.person();
    let callback = sso.through_provider(&mut hanna, "hanna", "").await;
    let state_at = callback.find("state=").unwrap() + "state=".len();
    let mut tampered = callback.clone();
    tampered.replace_range(state_at..state_at + 4, "AAAA");
    assert_ne!(tampered, callback);

    let logs = Logs::capture();
    let refused = hanna.remiss.get(&tampered).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    logs.assert_says("the state matches no sign-in started in this session");
    refused.assert_contains("hör inte till någon inloggning som påbörjats i den här webbläsaren");
    not_signed_in(&mut hanna.remiss).await;
    assert_eq!(sso.hanna_link().await, (None, None), "nothing linked");

    // Another browser with the right answer: the state is this session's own.
    let mut other = sso.person();
    let refused = other.remiss.get(&callback).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    not_signed_in(&mut other.remiss).await;

    // The forged answers did not use up the real one.
    let signed_in = hanna.remiss.get(&callback).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_replayed_code_is_refused(pool: PgPool) {
    let sso = sso(pool, Settings::default(), false).await;
    let mut hanna = sso.person();
    let callback = sso.through_provider(&mut hanna, "hanna", "").await;
    assert_eq!(
        hanna.remiss.get(&callback).await.status,
        StatusCode::SEE_OTHER
    );
    hanna.remiss.post("/logout", &[]).await;

    // The same answer again: its sign-in is finished.
    let logs = Logs::capture();
    let replayed = hanna.remiss.get(&callback).await;
    assert_eq!(replayed.status, StatusCode::BAD_REQUEST);
    logs.assert_says("the state matches no sign-in started in this session");
    not_signed_in(&mut hanna.remiss).await;

    // The old code under a new sign-in's state: the provider refuses it.
    let fresh = sso.through_provider(&mut hanna, "hanna", "").await;
    let state = fresh
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let code = callback
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let replayed = hanna
        .remiss
        .get(&format!("/login/oidc/callback?code={code}&state={state}"))
        .await;
    assert_eq!(
        replayed.status,
        StatusCode::BAD_REQUEST,
        "{}",
        replayed.body
    );
    replayed.assert_contains("godtog inte inloggningen");
    logs.assert_says("refused the authorization code: invalid_grant");
    not_signed_in(&mut hanna.remiss).await;
    assert_eq!(sso.audit_count("user.signed_in").await, 1);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_token_signed_with_a_rotated_key_is_accepted_after_the_keys_are_fetched_again(
    pool: PgPool,
) {
    let sso = sso(pool, Settings::default(), false).await;
    let mut hanna = sso.person();
    assert_eq!(
        sso.sign_in(&mut hanna, "hanna").await.status,
        StatusCode::SEE_OTHER
    );
    hanna.remiss.post("/logout", &[]).await;

    // Remiss knows the first key only; the next token is signed with another.
    sso.provider.rotate_key().await;
    let logs = Logs::capture();
    let signed_in = sso.sign_in(&mut hanna, "hanna").await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    logs.assert_says("signing keys fetched again for a key not seen before");
    hanna
        .remiss
        .get("/")
        .await
        .assert_contains("Välkommen, Hanna Lindqvist");
}

/// Refused with the page for a token that cannot be accepted, and no session.
async fn refused_as_invalid(sso: &Sso, who: &mut Visitor, reason: &str) {
    let logs = Logs::capture();
    let refused = sso.sign_in(who, "hanna").await;
    logs.assert_says(reason);
    assert_eq!(refused.status, StatusCode::BAD_GATEWAY, "{}", refused.body);
    refused.assert_contains("Inloggningen kunde inte slutföras");
    refused.assert_contains(&format!("Svaret från {PROVIDER_NAME} kunde inte godtas"));
    not_signed_in(&mut who.remiss).await;
    assert_eq!(sso.audit_count("user.signed_in").await, 0);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_token_for_another_audience_is_refused(pool: PgPool) {
    let sso = sso(pool, Settings::default(), false).await;
    sso.provider
        .misbehave(json!({ "idTokenAudience": "annan-tjanst" }))
        .await;
    refused_as_invalid(
        &sso,
        &mut sso.person(),
        "the ID token was refused: Invalid audiences",
    )
    .await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_expired_token_is_refused(pool: PgPool) {
    let sso = sso(pool, Settings::default(), false).await;
    // The provider's clock is two hours behind: its hour-long tokens are old.
    sso.provider
        .misbehave(json!({ "clockOffsetSeconds": -7200 }))
        .await;
    refused_as_invalid(&sso, &mut sso.person(), "the ID token was refused: Expired").await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_badly_signed_token_is_refused(pool: PgPool) {
    let sso = sso(pool, Settings::default(), false).await;
    // The key the provider publishes under its key id is not the one it signs with.
    sso.provider.misbehave(json!({ "wrongJwks": true })).await;
    refused_as_invalid(
        &sso,
        &mut sso.person(),
        "the ID token was refused: Signature verification failed: Crypto error",
    )
    .await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_provider_that_is_down_gets_a_swedish_page_and_passwords_still_work(pool: PgPool) {
    let mut sso = sso(pool, Settings::default(), false).await;
    let mut hanna = sso.person();
    // Down after the browser came back with its code: the code cannot be redeemed.
    let callback = sso.through_provider(&mut hanna, "hanna", "").await;
    sso.provider.stop().await;
    let logs = Logs::capture();
    let refused = hanna.remiss.get(&callback).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    logs.assert_says("the identity provider cannot be reached");
    refused.assert_contains("Inloggningen fungerar inte just nu");
    refused.assert_contains("Konton med ett lösenord i Remiss kan fortfarande logga in");
    not_signed_in(&mut hanna.remiss).await;

    // A Remiss started while the provider is down: the login page and the
    // password login work; the sign-in through the provider gets the same page.
    let app = app_for(sso.app.pool.clone(), Settings::default(), &sso.provider);
    let mut admin = app.browser();
    admin
        .get("/login")
        .await
        .assert_contains(&format!("Logga in med {PROVIDER_NAME}"));
    let refused = admin.get("/login/oidc").await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    refused.assert_contains("Inloggningen fungerar inte just nu");
    let login = admin.login("admin", "remiss-demo").await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    admin
        .get("/")
        .await
        .assert_contains("Välkommen, Alva Administratör");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_slow_provider_gets_a_swedish_page(pool: PgPool) {
    let sso = sso(pool, Settings::default(), false).await;
    let mut hanna = sso.person();
    let callback = sso.through_provider(&mut hanna, "hanna", "").await;
    // Slower than Remiss waits for.
    sso.provider
        .misbehave(json!({ "delayMs": crate::oidc_provider::TIMEOUT.as_millis() as u64 * 3 }))
        .await;
    let logs = Logs::capture();
    let refused = hanna.remiss.get(&callback).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    refused.assert_contains("svarar den inte i tid");
    logs.assert_says("the identity provider did not answer in time");
    not_signed_in(&mut hanna.remiss).await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn logging_out_ends_the_session_at_the_provider_too(pool: PgPool) {
    let sso = sso(pool, Settings::default(), false).await;
    let mut hanna = sso.person();
    sso.sign_in(&mut hanna, "hanna").await;
    let logout = hanna.remiss.post("/logout", &[]).await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    let end_session = logout.location.unwrap();
    assert!(
        end_session.starts_with(&format!("{}/session/end?", sso.provider.issuer)),
        "{end_session}"
    );
    assert!(end_session.contains("id_token_hint="), "{end_session}");
    assert!(
        end_session.contains("post_logout_redirect_uri=http%3A%2F%2Fremiss.test%2Flogin"),
        "{end_session}"
    );
    not_signed_in(&mut hanna.remiss).await;
    // The provider accepts it: it asks whether to log out there too.
    let page = sso.provider.get(&end_session, &mut hanna.at_provider).await;
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Logga ut från kommunens inloggning?")
    );

    // A password login logs out of Remiss only.
    let mut admin = sso.app.signed_in("admin").await;
    let logout = admin.post("/logout", &[]).await;
    assert_eq!(logout.location.as_deref(), Some("/login"));
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_pages_let_the_logout_form_continue_to_the_provider(pool: PgPool) {
    let sso = sso(pool, Settings::default(), false).await;
    let page = sso.app.browser().get("/login").await;
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains(&format!("form-action 'self' {};", sso.provider.issuer)),
        "{csp}"
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn with_passwords_off_only_the_provider_signs_in(pool: PgPool) {
    let settings = Settings {
        local_login: LocalLogin::Off,
        ..Settings::default()
    };
    let sso = sso(pool, settings, false).await;
    let mut browser = sso.person();
    let login = browser.remiss.get("/login").await;
    login.assert_contains(&format!("Logga in med {PROVIDER_NAME}"));
    login.assert_lacks("type=\"password\"");
    login.assert_lacks("Demokonton");
    let refused = browser
        .remiss
        .post_raw(
            "/login",
            &[("username", "admin"), ("password", "remiss-demo")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_contains("Inloggning med lösenord är avstängd");
    not_signed_in(&mut browser.remiss).await;
    assert_eq!(
        sso.sign_in(&mut browser, "hanna").await.status,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn entra_id_is_linked_by_tenant_and_object_id(pool: PgPool) {
    remiss::startup::load_demo_if_empty(&pool).await.unwrap();
    // An administrator entered the person's object id beforehand.
    sqlx::query("UPDATE users SET oidc_subject = 'oid-karin' WHERE username = 'granskare'")
        .execute(&pool)
        .await
        .unwrap();
    let karin = Person {
        login: "karin",
        password: "losenord-hos-idp",
        sub: "pairwise-sub-for-remiss",
        claims: json!({ "oid": "oid-karin", "tid": "tenant-1", "email": "karin@annat.se" }),
    };
    let provider = TestProvider::start(PUBLIC_URL, &[karin], true).await;
    let sso = Sso {
        app: app_for(pool, Settings::default(), &provider),
        provider,
    };
    let mut browser = sso.person();
    let signed_in = sso.sign_in(&mut browser, "karin").await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    browser
        .remiss
        .get("/")
        .await
        .assert_contains("Välkommen, Karin Eriksson-Bech");
    let link: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT oidc_subject, oidc_realm FROM users WHERE username = 'granskare'")
            .fetch_one(&sso.app.pool)
            .await
            .unwrap();
    assert_eq!(link, (Some("oid-karin".into()), Some("tenant-1".into())));
    let via: String = sqlx::query_scalar(
        "SELECT after->>'via' FROM audit_events WHERE action = 'user.sign_in_linked'",
    )
    .fetch_one(&sso.app.pool)
    .await
    .unwrap();
    assert_eq!(via, "subject");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_deactivated_account_cannot_sign_in(pool: PgPool) {
    let sso = sso(pool, Settings::default(), false).await;
    sqlx::query("UPDATE users SET active = false WHERE username = 'handlaggare'")
        .execute(&sso.app.pool)
        .await
        .unwrap();
    let mut hanna = sso.person();
    let refused = sso.sign_in(&mut hanna, "hanna").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_contains("Ditt konto i Remiss är inaktiverat");
    not_signed_in(&mut hanna.remiss).await;
    assert_eq!(sso.hanna_link().await, (None, None));
}
