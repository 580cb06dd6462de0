//! Plain HTTP from inside the test: a client, a browser that keeps its cookies and
//! sends forms as a page offers them, and raw bytes on a socket for what no
//! well-behaved client sends.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, bail};
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Request, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::html;

/// How long any request may take before the test gives up on it.
pub const PATIENCE: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }

    /// The CSRF token of the first form on the page.
    pub fn csrf_token(&self) -> String {
        html::first_value(&self.body, "csrf_token")
            .unwrap_or_else(|| panic!("no CSRF token on the page:\n{}", self.body))
    }

    /// Whether this is Remiss's own error page (in Swedish), not a framework's
    /// plain text or an empty body.
    pub fn is_error_page(&self) -> bool {
        self.header("content-type")
            .is_some_and(|t| t.starts_with("text/html"))
            && self.body.contains("lang=\"sv\"")
            && self.body.contains("<h1")
    }
}

/// A client with a pool of keep-alive connections.
#[derive(Clone)]
pub struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Default for Http {
    fn default() -> Self {
        Http::new()
    }
}

impl Http {
    pub fn new() -> Http {
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            // Shorter than any server's keep-alive timeout, so that a request is
            // never sent on a connection the server is closing.
            .pool_idle_timeout(Duration::from_millis(900))
            .build_http();
        Http { client }
    }

    pub async fn send(&self, request: Request<Full<Bytes>>) -> anyhow::Result<Response> {
        let what = format!("{} {}", request.method(), request.uri());
        let exchange = async {
            let response = self.client.request(request).await?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let bytes = response.into_body().collect().await?.to_bytes();
            anyhow::Ok(Response {
                status,
                headers,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            })
        };
        tokio::time::timeout(PATIENCE, exchange)
            .await
            .with_context(|| format!("{what}: no answer within {PATIENCE:?}"))?
            .with_context(|| what.clone())
    }

    pub async fn get(&self, url: &str) -> anyhow::Result<Response> {
        let request = Request::get(url).body(Full::default())?;
        self.send(request).await
    }
}

/// A form ready to send: where, and its url-encoded body.
#[derive(Debug, Clone)]
pub struct Form {
    pub action: String,
    pub body: String,
}

/// Sees every answer a browser gets: the request ("GET /path") and the answer.
pub type Observer = std::sync::Arc<dyn Fn(&str, &Response) + Send + Sync>;

/// One person's browser: their cookies, on one site.
#[derive(Clone)]
pub struct Browser {
    http: Http,
    base: String,
    cookies: BTreeMap<String, String>,
    observer: Option<Observer>,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Browser::with_client(Http::new(), base)
    }

    /// A browser sharing a client (and its connections) with others.
    pub fn with_client(http: Http, base: &str) -> Browser {
        Browser {
            http,
            base: base.to_string(),
            cookies: BTreeMap::new(),
            observer: None,
        }
    }

    /// Shows every answer from now on to `observer` as well.
    pub fn observe(&mut self, observer: Observer) {
        self.observer = Some(observer);
    }

    /// The same person in another tab, on connections of its own.
    pub fn another_tab(&self) -> Browser {
        Browser {
            http: Http::new(),
            ..self.clone()
        }
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }

    /// The `Cookie` header this browser sends.
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn forget_cookies(&mut self) {
        self.cookies.clear();
    }

    /// The session cookie's value (named `remiss_session`, perhaps with a prefix
    /// such as `__Host-`).
    pub fn session(&self) -> Option<String> {
        self.session_cookie().map(|(_, value)| value)
    }

    /// The session cookie's name and value.
    pub fn session_cookie(&self) -> Option<(String, String)> {
        self.cookies
            .iter()
            .find(|(name, _)| name.ends_with(crate::SESSION_COOKIE))
            .map(|(name, value)| (name.clone(), value.clone()))
    }

    /// Any request; transport failures are the caller's to judge.
    pub async fn try_request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> anyhow::Result<Response> {
        let mut request = Request::builder()
            .method(Method::from_bytes(method.as_bytes())?)
            .uri(format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            request = request.header(header::COOKIE, self.cookie_header());
        }
        if body.is_some()
            && !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(Bytes::from(body.unwrap_or_default())))?;
        let response = self.http.send(request).await?;
        if let Some(observer) = &self.observer {
            observer(&format!("{method} {path}"), &response);
        }
        for value in response.headers.get_all(header::SET_COOKIE) {
            let Ok(cookie) = value.to_str() else { continue };
            let mut parts = cookie.split(';');
            let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
                continue;
            };
            let removed = value.trim().is_empty()
                || parts.any(|attr| attr.trim().eq_ignore_ascii_case("max-age=0"));
            if removed {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_string(), value.trim().to_string());
            }
        }
        Ok(response)
    }

    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Response {
        self.try_request(method, path, headers, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {path} failed: {e:#}"))
    }

    pub async fn try_get(&mut self, path: &str) -> anyhow::Result<Response> {
        self.try_request("GET", path, &[], None).await
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.request("GET", path, &[], None).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.request("POST", path, &[], Some(encode(fields).into_bytes()))
            .await
    }

    pub async fn try_send(&mut self, form: &Form) -> anyhow::Result<Response> {
        self.try_request(
            "POST",
            &form.action,
            &[],
            Some(form.body.clone().into_bytes()),
        )
        .await
    }

    pub async fn send(&mut self, form: &Form) -> Response {
        self.try_send(form)
            .await
            .unwrap_or_else(|e| panic!("POST {} failed: {e:#}", form.action))
    }

    /// Opens `page` and fills in its form that posts to `action` as a person
    /// would: what the page put in it (hidden fields such as the CSRF token or the
    /// revision it shows, prefilled values), with `fields` typed over it.
    pub async fn form(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Form {
        self.form_where(page, action, None, fields).await
    }

    /// Like [`Browser::form`], choosing among the page's forms to `action` the one
    /// that holds the field `which` (an agenda item's form, say).
    pub async fn form_where(
        &mut self,
        page: &str,
        action: &str,
        which: Option<(&str, &str)>,
        fields: &[(&str, &str)],
    ) -> Form {
        let response = self.get(page).await;
        assert_eq!(
            response.status, 200,
            "{page} should offer the form to {action}:\n{}",
            response.body
        );
        let mut values = html::forms_to(&response.body, action)
            .into_iter()
            .find(|form| {
                which.is_none_or(|(name, value)| form.iter().any(|(n, v)| n == name && v == value))
            })
            .unwrap_or_else(|| {
                panic!(
                    "{page} has no form that posts to {action}{}:\n{}",
                    which.map(|w| format!(" with {w:?}")).unwrap_or_default(),
                    response.body
                )
            });
        values.retain(|(name, _)| !fields.iter().any(|(typed, _)| typed == name));
        values.extend(fields.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        let pairs: Vec<(&str, &str)> = values
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        Form {
            action: action.to_string(),
            body: encode(&pairs),
        }
    }

    /// Fills in and sends the form of `page` that posts to `action`.
    pub async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let form = self.form(page, action, fields).await;
        self.send(&form).await
    }

    /// Posts these fields with the session's CSRF token, taken from `page`.
    pub async fn post_with_token(
        &mut self,
        page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let token = self.get(page).await.csrf_token();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    pub async fn login(&mut self, username: &str, password: &str) -> Response {
        self.post_with_token(
            "/login",
            "/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// Logs in as a demo user and checks that it worked.
    pub async fn login_as(&mut self, username: &str) {
        let response = self.login(username, crate::PASSWORD).await;
        assert_eq!(
            response.status, 303,
            "login as {username}:\n{}",
            response.body
        );
    }
}

/// A url-encoded form body.
pub fn encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode_value(name), encode_value(value)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn encode_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Raw bytes on a socket.
// ---------------------------------------------------------------------------

/// What came back on a raw connection.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

/// Sends `request` as it is on a new connection to `port` and reads the first
/// answer (until the connection closes or the answer is complete), giving up
/// after `patience`.
pub async fn raw(port: u16, request: &[u8], patience: Duration) -> anyhow::Result<RawResponse> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        stream.write_all(request).await?;
        let mut received = Vec::new();
        let mut buffer = [0u8; 16 * 1024];
        loop {
            if let Some(response) = complete_response(&received) {
                return Ok(response);
            }
            let n = match stream.read(&mut buffer).await {
                Ok(n) => n,
                // A reset after the answer was sent (the server closed with our
                // unread bytes still in its buffer) still leaves the answer.
                Err(_) if !received.is_empty() => 0,
                Err(e) => return Err(e.into()),
            };
            if n == 0 {
                return complete_response(&received)
                    .or_else(|| head_only(&received))
                    .with_context(|| {
                        format!(
                            "the connection closed without an answer (received {:?})",
                            String::from_utf8_lossy(&received)
                        )
                    });
            }
            received.extend_from_slice(&buffer[..n]);
        }
    };
    match tokio::time::timeout(patience, exchange).await {
        Ok(result) => result,
        Err(_) => bail!("no answer within {patience:?}"),
    }
}

fn parse_head(received: &[u8]) -> Option<(u16, String, usize)> {
    let end = received.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&received[..end]).into_owned();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((status, head, end + 4))
}

/// The answer if all of it has arrived (by Content-Length, or chunked).
fn complete_response(received: &[u8]) -> Option<RawResponse> {
    let (status, head, start) = parse_head(received)?;
    let response = RawResponse {
        status,
        head,
        body: Vec::new(),
    };
    let body = &received[start..];
    if let Some(length) = response.header("content-length") {
        let length: usize = length.parse().ok()?;
        return (body.len() >= length).then(|| RawResponse {
            body: body[..length].to_vec(),
            ..response
        });
    }
    if response
        .header("transfer-encoding")
        .is_some_and(|t| t.contains("chunked"))
    {
        return body.ends_with(b"0\r\n\r\n").then(|| RawResponse {
            body: dechunk(body),
            ..response
        });
    }
    None
}

/// What arrived before the connection closed, read to its end.
fn head_only(received: &[u8]) -> Option<RawResponse> {
    let (status, head, start) = parse_head(received)?;
    Some(RawResponse {
        status,
        head,
        body: received[start..].to_vec(),
    })
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = body.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&body[..line_end])
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&body[start..(start + size).min(body.len())]);
        body = &body[(start + size + 2).min(body.len())..];
    }
    out
}
