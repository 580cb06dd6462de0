//! A session's life through the real binary: a login renews its id, a logout ends
//! it on the server, it expires when idle and some hours after login, and
//! deactivation or a new password ends the user's other sessions. Anonymous
//! visitors leave nothing behind, and a login never sends anyone off the site.

use sqlx::PgPool;

use crate::city::user_id;
use crate::harness::{Cluster, Remiss, beside_others};
use crate::http::Browser;

/// Whether the browser is signed in: the start page, or a redirect to log in.
async fn signed_in(browser: &mut Browser) -> bool {
    let start = browser.get("/").await;
    match start.status {
        200 => true,
        303 | 302 | 307 => {
            assert!(
                start.location().is_some_and(|l| l.starts_with("/login")),
                "a browser without a valid session is sent to log in: {:?}",
                start.location()
            );
            false
        }
        other => panic!("the start page answered {other}:\n{}", start.body),
    }
}

async fn signed_in_as(base: &str, username: &str) -> Browser {
    let mut browser = Browser::new(base);
    browser.login_as(username).await;
    browser
}

async fn session_count(pool: &PgPool) -> i64 {
    crate::city::count(pool, "SELECT count(*) FROM sessions").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_renews_the_session_id_so_that_a_planted_one_is_worthless() {
    let _turn = beside_others().await;
    let cluster = Cluster::start().await;
    let remiss = Remiss::start(&cluster).await;

    // The attacker's own anonymous session (or, if anonymous visitors get none,
    // an id of the right shape), planted in the victim's browser.
    let mut attacker = Browser::new(&remiss.base());
    attacker.get("/login").await;
    let (cookie, planted) = attacker.session_cookie().unwrap_or_else(|| {
        (
            crate::SESSION_COOKIE.to_string(),
            "UGxhbnRlZFNlc3Npb25JZA".to_string(),
        )
    });
    let mut victim = Browser::new(&remiss.base());
    victim.set_cookie(&cookie, &planted);
    attacker.set_cookie(&cookie, &planted);

    victim.login_as("handlaggare").await;
    let renewed = victim.session().expect("the victim has a session");
    assert_ne!(renewed, planted, "the login gave the session a new id");
    assert!(signed_in(&mut victim).await, "the victim is signed in");
    assert!(
        !signed_in(&mut attacker).await,
        "the planted id does not carry the victim's login"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_ends_the_session_on_the_server_not_only_in_the_browser() {
    let _turn = beside_others().await;
    let cluster = Cluster::start().await;
    let remiss = Remiss::start(&cluster).await;
    let mut browser = signed_in_as(&remiss.base(), "granskare").await;
    // A copy of the cookie, as a thief or a shared computer's history keeps it.
    let stolen = browser.clone();

    let token = browser.get("/").await.csrf_token();
    let logout = browser.post_raw("/logout", &[("csrf_token", &token)]).await;
    assert_eq!(logout.status, 303, "logout:\n{}", logout.body);
    assert!(!signed_in(&mut browser).await, "signed out");
    let mut stolen = stolen;
    assert!(
        !signed_in(&mut stolen).await,
        "the session is over on the server: its old cookie no longer signs anyone in"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_after_an_hour_without_requests_and_ten_hours_after_login() {
    let _turn = beside_others().await;
    let cluster = Cluster::start().await;
    let remiss = Remiss::start(&cluster).await;
    let pool = cluster.pool().await;

    // Idle: the session's expiry is an hour after its last use.
    let mut idle = signed_in_as(&remiss.base(), "handlaggare").await;
    let id = idle.session().expect("a session");
    let minutes_left: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM expires_at - now())::float8 / 60 FROM sessions WHERE id = $1",
    )
    .bind(&id)
    .fetch_one(&pool)
    .await
    .expect("the session is stored under its cookie's id");
    assert!(
        (55.0..=61.0).contains(&minutes_left),
        "a new session expires an hour after its last request, not in {minutes_left:.1} minutes"
    );
    // Used again after six minutes, its expiry moves on.
    sqlx::query(
        "UPDATE sessions SET expires_at = now() + interval '54 minutes',
                data = jsonb_set(data, '{seen}', to_jsonb(now() - interval '6 minutes'))
         WHERE id = $1",
    )
    .bind(&id)
    .execute(&pool)
    .await
    .unwrap();
    assert!(
        signed_in(&mut idle).await,
        "still signed in after 6 idle minutes"
    );
    let minutes_left: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM expires_at - now())::float8 / 60 FROM sessions WHERE id = $1",
    )
    .bind(idle.session().expect("a session"))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(
        minutes_left > 58.0,
        "a session in use is kept alive: {minutes_left:.1} minutes left"
    );
    // An hour passes without a request.
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(idle.session().expect("a session"))
        .execute(&pool)
        .await
        .unwrap();
    assert!(!signed_in(&mut idle).await, "an idle hour ends the session");

    // Absolute: ten hours after login, however busy.
    let mut busy = signed_in_as(&remiss.base(), "granskare").await;
    let id = busy.session().expect("a session");
    let logged_in_ago = |interval: &'static str| {
        let pool = pool.clone();
        let id = id.clone();
        async move {
            sqlx::query(&format!(
                "UPDATE sessions SET data = jsonb_set(data, '{{login,at}}', to_jsonb(now() - interval '{interval}'))
                 WHERE id = $1"
            ))
            .bind(&id)
            .execute(&pool)
            .await
            .unwrap()
            .rows_affected()
        }
    };
    assert_eq!(
        logged_in_ago("9 hours 58 minutes").await,
        1,
        "the login's time is in the session"
    );
    assert!(
        signed_in(&mut busy).await,
        "signed in 9 h 58 min after login"
    );
    assert_eq!(logged_in_ago("10 hours 1 minute").await, 1);
    assert!(
        !signed_in(&mut busy).await,
        "ten hours after login the session is over"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivation_and_a_new_password_end_the_users_other_sessions() {
    let _turn = beside_others().await;
    let cluster = Cluster::start().await;
    let remiss = Remiss::start(&cluster).await;
    let pool = cluster.pool().await;
    let base = remiss.base();

    let mut office = signed_in_as(&base, "handlaggare").await;
    let mut home = signed_in_as(&base, "handlaggare").await;
    let mut admin = signed_in_as(&base, "admin").await;
    let account = format!("/admin/anvandare/{}", user_id(&pool, "handlaggare").await);
    let deactivated = admin
        .submit(
            &account,
            &format!("{account}/aktiv"),
            &[("active", "false")],
        )
        .await;
    assert_eq!(
        deactivated.status, 303,
        "deactivation:\n{}",
        deactivated.body
    );
    assert!(
        !signed_in(&mut office).await,
        "deactivation ends every session"
    );
    assert!(
        !signed_in(&mut home).await,
        "deactivation ends every session"
    );
    let again = Browser::new(&base)
        .login("handlaggare", crate::PASSWORD)
        .await;
    assert_ne!(again.status, 303, "a deactivated account cannot log in");
    let reactivated = admin
        .submit(&account, &format!("{account}/aktiv"), &[("active", "true")])
        .await;
    assert_eq!(reactivated.status, 303);
    assert!(
        !signed_in(&mut office).await,
        "reactivation does not revive old sessions"
    );

    let mut desk = signed_in_as(&base, "granskare").await;
    let mut laptop = signed_in_as(&base, "granskare").await;
    let changed = desk
        .submit(
            "/konto/losenord",
            "/konto/losenord",
            &[
                ("current", crate::PASSWORD),
                ("new_password", "ett-nytt-långt-lösenord"),
                ("confirm", "ett-nytt-långt-lösenord"),
            ],
        )
        .await;
    assert!(
        changed.status == 200 || changed.status == 303,
        "the password is changed:\n{}",
        changed.body
    );
    assert!(
        signed_in(&mut desk).await,
        "the session that changed it goes on"
    );
    assert!(
        !signed_in(&mut laptop).await,
        "a new password ends the other sessions"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_visitors_leave_no_session_rows() {
    let _turn = beside_others().await;
    let cluster = Cluster::start().await;
    let remiss = Remiss::start(&cluster).await;
    let pool = cluster.pool().await;
    let before = session_count(&pool).await;
    for _ in 0..20 {
        let mut visitor = Browser::new(&remiss.base());
        for path in [
            "/login",
            "/diarium",
            "/diarium/atom",
            "/tillganglighet",
            "/",
            "/remisser",
        ] {
            let response = visitor.get(path).await;
            assert!(response.status < 500, "GET {path}: {}", response.status);
        }
    }
    assert_eq!(
        session_count(&pool).await - before,
        0,
        "120 anonymous requests stored sessions (issue 10, §8)"
    );
}

/// Where a browser goes for this `Location`: browsers drop tabs and line breaks
/// from URLs and read `\` as `/`.
fn as_a_browser_reads_it(location: &str) -> String {
    location
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .map(|c| if c == '\\' { '/' } else { c })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_sends_the_user_only_to_a_page_of_this_site() {
    let _turn = beside_others().await;
    let cluster = Cluster::start().await;
    let remiss = Remiss::start(&cluster).await;
    let nasty = [
        "//evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r/evil.example",
        "/\x0b/evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        " //evil.example",
        "/\t\\evil.example",
        "/%2F%2Fevil.example",
        "/.//evil.example",
        "\u{3000}//evil.example",
        "/remisser\r\nSet-Cookie: remiss_session=x",
    ];
    for next in nasty {
        let mut browser = Browser::new(&remiss.base());
        let query = crate::http::encode(&[("next", next)]);
        let login = browser
            .submit(
                &format!("/login?{query}"),
                "/login",
                &[("username", "handlaggare"), ("password", crate::PASSWORD)],
            )
            .await;
        assert_eq!(
            login.status, 303,
            "the login with next={next:?} succeeds (issue 10, §5):\n{}",
            login.body
        );
        let location = as_a_browser_reads_it(login.location().unwrap_or_default());
        assert!(
            location.starts_with('/') && !location.starts_with("//"),
            "next={next:?} sent the browser to {location:?}, off the site (issue 10, §5)"
        );
        assert!(
            login.header("set-cookie").is_none_or(|c| !c.contains("=x")),
            "next={next:?} set a cookie of its own"
        );
        assert!(
            signed_in(&mut browser).await,
            "next={next:?}: the login is kept"
        );
    }
}
