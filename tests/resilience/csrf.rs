//! Cross-site request forgery through the real binary: every state-changing form
//! sent without its session's token, with a wrong one, another session's, one
//! from before login, the token in the query string or a header instead of the
//! body, as JSON, or as a GET. Each is refused and changes nothing; the same form
//! with its token then goes through, so the refusals were for the token alone.

use uuid::Uuid;

use crate::city::{changed, fingerprint, organ_id};
use crate::crew::Crew;
use crate::harness::{Cluster, Remiss, beside_others};
use crate::http::{Browser, Form, encode, encode_value};
use crate::load::dates;

/// A form as its page offers it, and who sends it.
struct Target {
    what: &'static str,
    browser: Browser,
    form: Form,
    /// A token of the same user's other session.
    other_session_token: String,
    /// The token this browser saw before it logged in, if it did.
    token_before_login: Option<String>,
}

/// A forged request: how it was forged, and what is sent.
struct Forgery {
    how: &'static str,
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// The form's fields without its token, and the token.
fn split_token(form: &Form) -> (Vec<(String, String)>, String) {
    let mut token = String::new();
    let mut fields = Vec::new();
    for (name, value) in url::form_urlencoded::parse(form.body.as_bytes()) {
        if name == "csrf_token" {
            token = value.into_owned();
        } else {
            fields.push((name.into_owned(), value.into_owned()));
        }
    }
    (fields, token)
}

fn body_with(fields: &[(String, String)], token: Option<&str>) -> Vec<u8> {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    if let Some(token) = token {
        pairs.push(("csrf_token", token));
    }
    pairs.extend(fields.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    encode(&pairs).into_bytes()
}

/// Logs in `username` in a new browser, keeping the token its login page showed.
async fn signed_in(base: &str, username: &str) -> (Browser, String) {
    let mut browser = Browser::new(base);
    let before = browser.get("/login").await.csrf_token();
    browser.login_as(username).await;
    (browser, before)
}

async fn other_session_token(base: &str, username: &str) -> String {
    let (mut browser, _) = signed_in(base, username).await;
    browser.get("/").await.csrf_token()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_forged_form_is_refused_and_changes_nothing_while_the_genuine_one_goes_through() {
    let _turn = beside_others().await;
    let cluster = Cluster::start().await;
    let remiss = Remiss::start(&cluster).await;
    let base = remiss.base();
    let pool = cluster.pool().await;
    let mut crew = Crew::new(&base, pool.clone()).await;
    let case = crew.register("Remiss om hemlöshetsstrategin").await;
    let (received, deadline) = dates();
    let amn = organ_id(&pool, "AMN").await.to_string();
    let ks = organ_id(&pool, "KS").await.to_string();

    let mut targets = Vec::new();
    {
        let (mut browser, before) = signed_in(&base, "registrator").await;
        let form = browser
            .form(
                "/remisser/ny",
                "/remisser",
                &[
                    ("title", "Förfalskad remiss"),
                    ("sender_name", "Okänd avsändare"),
                    ("received_on", &received),
                    ("deadline", &deadline),
                    ("respondents", &amn),
                ],
            )
            .await;
        targets.push(Target {
            what: "registering a remiss",
            browser,
            form,
            other_session_token: other_session_token(&base, "registrator").await,
            token_before_login: Some(before),
        });
    }
    {
        let (mut browser, before) = signed_in(&base, "granskare").await;
        let form = browser
            .form(
                &format!("/arenden/{case}"),
                &format!("/arenden/{case}/avboj"),
                &[("reason", "Förfalskat skäl")],
            )
            .await;
        targets.push(Target {
            what: "declining a case",
            browser,
            form,
            other_session_token: other_session_token(&base, "sekreterare").await,
            token_before_login: Some(before),
        });
    }
    {
        let (mut browser, before) = signed_in(&base, "admin").await;
        let form = browser
            .form(
                "/admin/anvandare/ny",
                "/admin/anvandare",
                &[
                    ("username", "forfalskad"),
                    ("display_name", "Förfalskad Administratör"),
                    ("organ", &ks),
                    ("is_admin", "on"),
                    ("password", "ett-förfalskat-lösenord"),
                ],
            )
            .await;
        targets.push(Target {
            what: "creating an administrator",
            browser,
            form,
            other_session_token: other_session_token(&base, "admin").await,
            token_before_login: Some(before),
        });
    }
    {
        let (mut browser, before) = signed_in(&base, "handlaggare").await;
        let form = browser
            .form(
                "/konto/losenord",
                "/konto/losenord",
                &[
                    ("current", crate::PASSWORD),
                    ("new_password", "angriparens-lösenord"),
                    ("confirm", "angriparens-lösenord"),
                ],
            )
            .await;
        targets.push(Target {
            what: "changing one's password",
            browser,
            form,
            other_session_token: other_session_token(&base, "handlaggare").await,
            token_before_login: Some(before),
        });
    }
    {
        let (mut browser, before) = signed_in(&base, "sekreterare").await;
        let form = browser.form("/", "/logout", &[]).await;
        targets.push(Target {
            what: "logging out",
            browser,
            form,
            other_session_token: other_session_token(&base, "sekreterare").await,
            token_before_login: Some(before),
        });
    }
    {
        // Login CSRF: signing the victim in to the attacker's account.
        let mut browser = Browser::new(&base);
        let form = browser
            .form(
                "/login",
                "/login",
                &[
                    ("username", "handlaggare.sn"),
                    ("password", crate::PASSWORD),
                ],
            )
            .await;
        targets.push(Target {
            what: "logging in",
            browser,
            form,
            other_session_token: Browser::new(&base).get("/login").await.csrf_token(),
            token_before_login: None,
        });
    }

    for mut target in targets {
        let (fields, token) = split_token(&target.form);
        let what = target.what;
        let action = target.form.action.clone();
        let mut altered = token.clone();
        let last = if altered.pop() == Some('0') { '1' } else { '0' };
        altered.push(last);
        let post = |how: &'static str, path: String, body: Vec<u8>| Forgery {
            how,
            method: "POST",
            path,
            headers: Vec::new(),
            body,
        };
        let mut forgeries = vec![
            post("without a token", action.clone(), body_with(&fields, None)),
            post(
                "with an empty token",
                action.clone(),
                body_with(&fields, Some("")),
            ),
            post(
                "with a made-up token",
                action.clone(),
                body_with(&fields, Some(&"ab".repeat(32))),
            ),
            post(
                "with its token altered",
                action.clone(),
                body_with(&fields, Some(&altered)),
            ),
            post(
                "with another session's token",
                action.clone(),
                body_with(&fields, Some(&target.other_session_token)),
            ),
            post(
                "with the token in the query string",
                format!("{action}?csrf_token={}", encode_value(&token)),
                body_with(&fields, None),
            ),
            Forgery {
                headers: vec![("x-csrf-token", token.clone())],
                ..post(
                    "with the token in a header",
                    action.clone(),
                    body_with(&fields, None),
                )
            },
            Forgery {
                headers: vec![("content-type", "application/json".to_string())],
                ..post(
                    "as JSON",
                    action.clone(),
                    serde_json::to_vec(&serde_json::json!({ "csrf_token": "", "fields": fields }))
                        .expect("json"),
                )
            },
            Forgery {
                method: "GET",
                ..post(
                    "as a GET with its fields in the query string",
                    format!(
                        "{action}?{}",
                        String::from_utf8(body_with(&fields, Some(&token))).expect("ascii")
                    ),
                    Vec::new(),
                )
            },
        ];
        if let Some(before) = &target.token_before_login {
            forgeries.push(post(
                "with the token its page showed before login",
                action.clone(),
                body_with(&fields, Some(before)),
            ));
        }
        for Forgery {
            how,
            method,
            path,
            headers,
            body,
        } in forgeries
        {
            let before = fingerprint(&pool).await;
            let session = target.browser.session();
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let body = (method == "POST").then_some(body);
            let response = target.browser.request(method, &path, &headers, body).await;
            let allowed: &[u16] = if method == "GET" {
                &[200, 303, 404, 405]
            } else {
                &[400, 403, 405, 415]
            };
            assert!(
                allowed.contains(&response.status),
                "{what} {how}: refused with 403 (or 400/405/415), got {}:\n{}",
                response.status,
                response.body
            );
            let after = fingerprint(&pool).await;
            assert!(
                changed(&before, &after).is_empty(),
                "{what} {how} changed {:?}",
                changed(&before, &after)
            );
            if what != "logging in" {
                assert!(session.is_some(), "{what}: the browser was signed in");
                assert_eq!(
                    target.browser.get("/").await.status,
                    200,
                    "{what} {how}: the user is still signed in"
                );
            } else {
                assert_ne!(
                    target.browser.get("/").await.status,
                    200,
                    "{what} {how}: the forged login signed nobody in"
                );
            }
        }
        // The genuine form goes through.
        let before = fingerprint(&pool).await;
        let genuine = target.browser.send(&target.form).await;
        assert!(
            genuine.status == 303 || genuine.status == 200,
            "{what} with its token goes through:\n{}",
            genuine.body
        );
        if what != "logging out" && what != "logging in" {
            let after = fingerprint(&pool).await;
            assert!(
                !changed(&before, &after).is_empty(),
                "{what} with its token changed something"
            );
        }
    }
    let forged: i64 =
        sqlx::query_scalar("SELECT count(*) FROM referrals WHERE title = 'Förfalskad remiss'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(forged, 1, "only the genuine registration was saved");
    let declined: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM cases WHERE id = $1 AND state = 'declined'")
            .bind(case)
            .fetch_optional(&pool)
            .await
            .unwrap();
    assert_eq!(declined, Some(case), "the genuine decline was saved");
}
