//! The whole application on a fresh database per test, driven through its router.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sqlx::PgPool;
use tower::ServiceExt;

use remiss::db::PoolSettings;
use remiss::web::{AppState, Settings, router};

pub struct TestApp {
    /// The application's own pool (on the test's database), made as the server
    /// makes it: its size, acquire timeout and statement timeout are the product's.
    pub pool: PgPool,
    router: Router,
}

impl TestApp {
    /// The application with the demo city loaded.
    pub async fn with_demo(pool: PgPool) -> TestApp {
        TestApp::configured(pool, Settings::default(), PoolSettings::default(), true).await
    }

    /// The application with the demo city, configured otherwise.
    pub async fn with_demo_and(pool: PgPool, settings: Settings) -> TestApp {
        TestApp::configured(pool, settings, PoolSettings::default(), true).await
    }

    /// The application with the demo city (loaded at the real now), its use cases
    /// and pages running at the fixed moment `now`: for stories whose dates the
    /// server judges against today.
    pub async fn with_demo_on(pool: PgPool, now: chrono::DateTime<chrono::Utc>) -> TestApp {
        let app = TestApp::with_demo(pool).await;
        let mut state = AppState::new(app.pool.clone(), Settings::default());
        state.ctx.clock = remiss::app::Clock::Fixed(now);
        TestApp::with_state(app.pool, state)
    }

    pub async fn empty(pool: PgPool) -> TestApp {
        TestApp::configured(pool, Settings::default(), PoolSettings::default(), false).await
    }

    /// The application with these settings, on the database of `test_pool`.
    pub async fn configured(
        test_pool: PgPool,
        settings: Settings,
        pool_settings: PoolSettings,
        demo: bool,
    ) -> TestApp {
        let pool =
            remiss::db::connect(test_pool.connect_options().as_ref().clone(), &pool_settings)
                .await
                .expect("the application's pool connects");
        if demo {
            remiss::startup::load_demo_if_empty(&pool)
                .await
                .expect("demo data loads");
        }
        let router = router(AppState::new(pool.clone(), settings));
        TestApp { pool, router }
    }

    /// The application with its state made by the test (settings, a provider).
    pub fn with_state(pool: PgPool, state: AppState) -> TestApp {
        TestApp {
            pool,
            router: router(state),
        }
    }

    /// A browser without cookies.
    pub fn browser(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            cookies: HashMap::new(),
        }
    }

    /// A browser signed in as a demo user.
    pub async fn signed_in(&self, username: &str) -> Browser {
        let mut browser = self.browser();
        let response = browser.login(username, "remiss-demo").await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "login as {username}: {}",
            response.body
        );
        browser
    }

    pub async fn organ_id(&self, prefix: &str) -> String {
        let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM organs WHERE diarium_prefix = $1")
            .bind(prefix)
            .fetch_one(&self.pool)
            .await
            .expect("organ exists");
        id.to_string()
    }

    /// The version of a case, which its assignment form carries.
    pub async fn case_version(&self, case: uuid::Uuid) -> i32 {
        sqlx::query_scalar("SELECT version FROM cases WHERE id = $1")
            .bind(case)
            .fetch_one(&self.pool)
            .await
            .expect("the case exists")
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.pool)
            .await
            .expect("count query")
    }
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent (for files: PDF, DOCX).
    pub bytes: Vec<u8>,
}

impl TestResponse {
    /// The CSRF token of the first form on the page.
    pub fn csrf_token(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self
            .body
            .find(marker)
            .map(|i| i + marker.len())
            .expect("page has a CSRF token");
        let end = self.body[start..].find('"').expect("token ends");
        self.body[start..start + end].to_string()
    }

    pub fn assert_contains(&self, text: &str) {
        assert!(
            self.body.contains(text),
            "expected {text:?} in the page:\n{}",
            self.body
        );
    }

    pub fn assert_lacks(&self, text: &str) {
        assert!(
            !self.body.contains(text),
            "did not expect {text:?} in the page:\n{}",
            self.body
        );
    }
}

#[derive(Clone)]
pub struct Browser {
    router: Router,
    cookies: HashMap<String, String>,
}

impl Browser {
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }

    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        form: Option<String>,
    ) -> TestResponse {
        let (content_type, body) = match form {
            Some(form) => (Some("application/x-www-form-urlencoded"), Body::from(form)),
            None => (None, Body::empty()),
        };
        self.send(method, path, content_type, body).await
    }

    /// Any request, with this browser's cookies.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Body,
    ) -> TestResponse {
        self.send_with(method, path, &[], content_type, body).await
    }

    /// Any request with these headers, with this browser's cookies.
    pub async fn send_with(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        content_type: Option<&str>,
        body: Body,
    ) -> TestResponse {
        let mut request = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request = request.header(header::COOKIE, cookie);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        for value in response.headers().get_all(header::SET_COOKIE) {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        TestResponse {
            status,
            location,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    /// Posts a form with files (`multipart/form-data`), the CSRF token (from
    /// `token_page`) first as a browser sends it, then the fields, then the
    /// files: (input name, file name, content).
    pub async fn post_multipart(
        &mut self,
        token_page: &str,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> TestResponse {
        let token = self.get(token_page).await.csrf_token();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        let (content_type, body) = multipart(&all, files);
        self.send("POST", path, Some(&content_type), streamed(body))
            .await
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        self.request("GET", path, None).await
    }

    /// Posts a form as-is (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        self.request("POST", path, Some(encode(fields))).await
    }

    /// Posts a form with the session's CSRF token, taken from `token_page`.
    pub async fn post_from(
        &mut self,
        token_page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let token = self.get(token_page).await.csrf_token();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.request("POST", path, Some(encode(&all))).await
    }

    /// Posts a form with the CSRF token of the start page.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        self.post_from("/", path, fields).await
    }

    pub async fn login(&mut self, username: &str, password: &str) -> TestResponse {
        self.post_from(
            "/login",
            "/login",
            &[("username", username), ("password", password)],
        )
        .await
    }
}

/// A body sent in pieces of 64 KiB that arrive one at a time, as from the
/// network: a reader that takes all it can gets what has arrived, not the rest.
pub fn streamed(body: Vec<u8>) -> Body {
    let (sender, receiver) =
        tokio::sync::mpsc::channel::<Result<axum::body::Bytes, std::io::Error>>(1);
    tokio::spawn(async move {
        for piece in body.chunks(64 * 1024) {
            let piece = axum::body::Bytes::copy_from_slice(piece);
            if sender.send(Ok(piece)).await.is_err() {
                break;
            }
            tokio::task::yield_now().await;
        }
    });
    Body::from_stream(futures_util::stream::unfold(
        receiver,
        |mut receiver| async move { receiver.recv().await.map(|piece| (piece, receiver)) },
    ))
}

/// A `multipart/form-data` body: its content type (with the boundary) and bytes.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----remiss-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file_name, content) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", percent(k), percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
