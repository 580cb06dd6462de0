//! The OpenID provider of the single sign-on tests: the certified `oidc-provider`
//! (from the npm registry) under Node.js, started by a test on a free port with
//! the test's clients and people, and driven through its login form over HTTP as
//! a browser would.
//!
//! Included by the API and the end-to-end tests (`#[path]`). Needs `node` and
//! `npm ci` in `tests/parts/oidc` (`scripts/install-test-parts` does both) and
//! fails, saying so, without them.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const CLIENT_ID: &str = "remiss";
pub const CLIENT_SECRET: &str = "remiss-test-secret-0123456789abcdef";
pub const PROVIDER_NAME: &str = "kommunens inloggning";
/// How long Remiss waits for the provider in the tests: generous, since the
/// machine is shared, and exceeded only on purpose.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// A person with an account at the provider.
pub struct Person {
    pub login: &'static str,
    pub password: &'static str,
    pub sub: &'static str,
    /// Further claims: `email`, `email_verified`, `name`, or Entra ID's `oid`
    /// and `tid`.
    pub claims: Value,
}

impl Person {
    pub fn new(login: &'static str, sub: &'static str, email: &str) -> Person {
        Person {
            login,
            password: "losenord-hos-idp",
            sub,
            claims: json!({ "email": email, "email_verified": true, "name": login }),
        }
    }
}

pub struct TestProvider {
    child: Option<Child>,
    /// Kept open: the provider may write more.
    _stdout: BufReader<tokio::process::ChildStdout>,
    pub issuer: String,
    /// Where Remiss is reached: the provider sends browsers back there.
    public_url: String,
    http: reqwest::Client,
    log: PathBuf,
    _log_file: tempfile::NamedTempFile,
}

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/parts/oidc")
}

/// Fails the test, with what to install, when Node.js or oidc-provider is missing.
fn require_node() {
    let node = std::process::Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    assert!(
        node.is_ok_and(|s| s.success()),
        "the single sign-on tests run an OpenID provider under Node.js, and `node` is missing: \
         install Node.js and npm (Debian: apt-get install nodejs npm), then run scripts/install-test-parts"
    );
    assert!(
        folder()
            .join("node_modules/oidc-provider/package.json")
            .exists(),
        "the single sign-on tests need the npm package oidc-provider, which is not installed: \
         run scripts/install-test-parts (or `cd tests/parts/oidc && npm ci`)"
    );
}

impl TestProvider {
    /// Starts the provider with one client, Remiss at `public_url`, and these
    /// people. With `claims_in_id_token` the ID token carries the e-mail address
    /// (as Entra ID's does); without, only the userinfo answer does.
    pub async fn start(public_url: &str, people: &[Person], claims_in_id_token: bool) -> Self {
        require_node();
        let users: serde_json::Map<String, Value> = people
            .iter()
            .map(|p| {
                (
                    p.login.to_string(),
                    json!({ "password": p.password, "sub": p.sub, "claims": p.claims }),
                )
            })
            .collect();
        let config = json!({
            "clients": [{
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [format!("{public_url}/login/oidc/callback")],
                "post_logout_redirect_uris": [format!("{public_url}/login")],
            }],
            "users": users,
            "claimsInIdToken": claims_in_id_token,
        });
        let log_file = tempfile::NamedTempFile::new().expect("a log file for the provider");
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(folder())
            .env("OIDC_TEST_CONFIG", config.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file.reopen().expect("the log file"))
            .kill_on_drop(true)
            .spawn()
            .expect("node starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("the provider's stdout"));
        let mut first_line = String::new();
        let read =
            tokio::time::timeout(Duration::from_secs(60), stdout.read_line(&mut first_line)).await;
        let log = log_file.path().to_path_buf();
        let ready: Value = match read {
            Ok(Ok(n)) if n > 0 => {
                serde_json::from_str(&first_line).expect("the ready line is JSON")
            }
            _ => panic!(
                "the OpenID provider did not start; its log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            ),
        };
        TestProvider {
            child: Some(child),
            _stdout: stdout,
            issuer: ready["issuer"].as_str().expect("the issuer").to_string(),
            public_url: public_url.to_string(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            log,
            _log_file: log_file,
        }
    }

    /// Remiss's settings for this provider.
    pub fn config(&self) -> remiss::oidc::OidcConfig {
        remiss::oidc::OidcConfig {
            issuer: self.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: remiss::oidc::Secret(CLIENT_SECRET.into()),
            public_url: self.public_url.parse().unwrap(),
            name: PROVIDER_NAME.into(),
            timeout: TIMEOUT,
        }
    }

    /// What the provider wrote to its standard error, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn switch(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/test-admin/{path}", self.issuer))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("the provider answers");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        serde_json::from_str(&response.text().await.expect("an answer")).expect("JSON")
    }

    /// Signs with a new key under a new key id from now on; the old key leaves
    /// the provider's key set.
    pub async fn rotate_key(&self) -> String {
        self.switch("rotate-key", json!({})).await["kid"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Changes a person's claims at the provider (their e-mail address, say).
    pub async fn set_claims(&self, login: &str, claims: Value) {
        self.switch("user", json!({ "username": login, "claims": claims }))
            .await;
    }

    /// Makes the provider misbehave: `delayMs`, `clockOffsetSeconds`,
    /// `idTokenAudience`, `wrongJwks`.
    pub async fn misbehave(&self, behaviour: Value) {
        self.switch("behaviour", behaviour).await;
    }

    /// Stops the provider: it is down from now on.
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    /// Goes through the provider's pages from `authorize_url` (where Remiss sent
    /// the browser) as `login`: its login form, then whatever redirects follow,
    /// until the provider sends the browser back to Remiss. Returns that
    /// address. `cookies` is the browser's cookie jar at the provider.
    pub async fn sign_in(
        &self,
        authorize_url: &str,
        login: &str,
        password: &str,
        cookies: &mut HashMap<String, String>,
    ) -> String {
        let mut url = authorize_url.to_string();
        let mut form_sent = false;
        for _ in 0..12 {
            if url.starts_with(&self.public_url) {
                return url;
            }
            let response = self.get(&url, cookies).await;
            let status = response.status();
            if status.is_redirection() {
                url = self.next_url(&url, &response);
                continue;
            }
            let body = response.text().await.unwrap_or_default();
            let action = between(&body, "<form method=\"post\" action=\"", "\"");
            match action {
                Some(action) if status.is_success() && !form_sent => {
                    form_sent = true;
                    let target = format!("{}{action}", self.issuer);
                    let response = self
                        .http
                        .post(&target)
                        .header(reqwest::header::COOKIE, cookie_header(cookies))
                        .form(&[("username", login), ("password", password)])
                        .send()
                        .await
                        .expect("the provider answers the login form");
                    keep_cookies(&response, cookies);
                    assert!(
                        response.status().is_redirection(),
                        "the provider's login form refused {login}: {}",
                        response.status()
                    );
                    url = self.next_url(&target, &response);
                }
                _ => panic!(
                    "the provider answered {url} with {status}:\n{body}\nits log:\n{}",
                    self.log()
                ),
            }
        }
        panic!("the provider did not send the browser back to Remiss");
    }

    /// A GET at the provider, as the browser with `cookies`.
    pub async fn get(&self, url: &str, cookies: &mut HashMap<String, String>) -> reqwest::Response {
        let response = self
            .http
            .get(url)
            .header(reqwest::header::COOKIE, cookie_header(cookies))
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "the provider answers {url}: {e:?}\nits log:\n{}",
                    self.log()
                )
            });
        keep_cookies(&response, cookies);
        response
    }

    fn next_url(&self, from: &str, response: &reqwest::Response) -> String {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("a redirect from {from} without a Location"));
        url::Url::parse(from)
            .unwrap()
            .join(location)
            .unwrap()
            .to_string()
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)?;
    Some(&text[from..from + to])
}

fn cookie_header(cookies: &HashMap<String, String>) -> String {
    cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn keep_cookies(response: &reqwest::Response, cookies: &mut HashMap<String, String>) {
    for value in response.headers().get_all(reqwest::header::SET_COOKIE) {
        let Some(pair) = value.to_str().ok().and_then(|v| v.split(';').next()) else {
            continue;
        };
        if let Some((name, value)) = pair.split_once('=') {
            if value.is_empty() {
                cookies.remove(name);
            } else {
                cookies.insert(name.to_string(), value.to_string());
            }
        }
    }
}
