//! The machinery of a test: the real server on its own database, a ChromeDriver
//! of its own, and browsers that the people of the demo city use.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use remiss::web::{AppState, Settings};

use crate::oidc_provider::{Person, TestProvider};
use crate::{axe, shots};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const PASSWORD: &str = "remiss-demo";

/// How long a page, an element or ChromeDriver may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(20);

/// Fails the test, with what to do, when the browser is not installed.
fn require_browser() {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|path| !Path::new(path).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "the end-to-end tests need Chromium and ChromeDriver from Debian's packages, \
         and {} is missing: install them with `apt-get install chromium chromium-driver` \
         (.ci/run does this when they are missing)",
        missing.join(" and ")
    );
}

// ---------------------------------------------------------------------------
// ChromeDriver: one process per test, in a process group of its own so that the
// Chromium it starts goes too; killed when the guard drops, also on failure.
// ---------------------------------------------------------------------------

struct ChromeDriver {
    child: Child,
    port: u16,
    log: tempfile::NamedTempFile,
    /// Whether the process has exited and been waited for (its id may then be
    /// someone else's).
    reaped: bool,
}

impl ChromeDriver {
    fn start() -> ChromeDriver {
        require_browser();
        // The port is free when chosen, but another test may take it before
        // ChromeDriver binds it: then ChromeDriver exits, and another port is tried.
        for _ in 0..5 {
            let port = free_port();
            let log = tempfile::NamedTempFile::new().expect("a log file for chromedriver");
            let child = Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.path().display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("could not start {CHROMEDRIVER}: {e}"));
            let mut driver = ChromeDriver {
                child,
                port,
                log,
                reaped: false,
            };
            if driver.wait_until_ready() {
                return driver;
            }
        }
        panic!("chromedriver could not listen on a free port in five tries");
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Polls `/status` until this ChromeDriver says it is ready (true), or until
    /// it has exited (false).
    fn wait_until_ready(&mut self) -> bool {
        let started = Instant::now();
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        loop {
            if let Ok(Some(_)) = self.child.try_wait() {
                self.reaped = true;
                return false;
            }
            let answer = TcpStream::connect_timeout(&address, Duration::from_millis(200)).and_then(
                |mut stream| {
                    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
                    stream.write_all(
                        b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                    )?;
                    // Read until the answer says whether it is ready (ChromeDriver
                    // may keep the connection open after answering).
                    let mut answer = Vec::new();
                    let mut buffer = [0u8; 1024];
                    while !String::from_utf8_lossy(&answer).contains("\"ready\"") {
                        let n = stream.read(&mut buffer)?;
                        if n == 0 {
                            break;
                        }
                        answer.extend_from_slice(&buffer[..n]);
                    }
                    Ok(String::from_utf8_lossy(&answer).into_owned())
                },
            );
            // Ready, and this one (not another test's on the same port): its own
            // log says that it listens.
            if let Ok(text) = answer
                && text.replace(' ', "").contains("\"ready\":true")
                && self.log_text().contains("started successfully")
            {
                return true;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "chromedriver did not answer on port {} within {PATIENCE:?}; its log:\n{}",
                self.port,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    fn log_text(&self) -> String {
        let text = std::fs::read_to_string(self.log.path()).unwrap_or_default();
        let skip = text.chars().count().saturating_sub(4000);
        text.chars().skip(skip).collect()
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        if self.reaped {
            return;
        }
        // The whole group: chromedriver and the browsers it started. (Until it
        // is waited for below, the group's id cannot belong to anyone else.)
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

// ---------------------------------------------------------------------------
// The server.
// ---------------------------------------------------------------------------

struct Server {
    base: String,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Server {
    async fn start(pool: PgPool) -> Server {
        let listener = Server::bind().await;
        Server::serve(listener, AppState::new(pool, Settings::default())).await
    }

    async fn bind() -> tokio::net::TcpListener {
        tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port for the server")
    }

    async fn serve(listener: tokio::net::TcpListener, state: AppState) -> Server {
        remiss::startup::load_demo_if_empty(&state.pool)
            .await
            .expect("the demo city loads");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(remiss::web::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        Server {
            base,
            stop: Some(stop),
            task,
        }
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match tokio::time::timeout(Duration::from_secs(5), &mut self.task).await {
            Ok(result) => result
                .expect("the server task ends")
                .expect("the server stops cleanly"),
            Err(_) => self.task.abort(),
        }
    }
}

// ---------------------------------------------------------------------------
// A test: server, driver, browsers, and what axe found.
// ---------------------------------------------------------------------------

/// What all browsers of a test share: the accessibility findings.
#[derive(Default)]
struct Findings {
    violations: Vec<String>,
    pages_checked: usize,
    /// The markup of each page already checked in this test (by a hash of it):
    /// the same markup again (the login page after each logout, say) is the same
    /// state, with the same findings.
    seen: std::collections::HashSet<String>,
}

/// A fingerprint of the page's markup, without the per-session CSRF tokens.
const FINGERPRINT: &str = r#"
var html = document.documentElement.outerHTML.replace(/name="csrf_token" value="[^"]*"/g, '');
var h = 2166136261;
for (var i = 0; i < html.length; i++) { h = Math.imul(h ^ html.charCodeAt(i), 16777619) >>> 0; }
return location.pathname + ' ' + html.length + ' ' + h;
"#;

pub struct E2e {
    server: Option<Server>,
    driver: ChromeDriver,
    findings: Arc<Mutex<Findings>>,
    clients: Vec<Client>,
    profiles: Vec<tempfile::TempDir>,
}

impl E2e {
    pub async fn start(pool: PgPool) -> E2e {
        let driver = ChromeDriver::start();
        let server = Server::start(pool).await;
        E2e {
            server: Some(server),
            driver,
            findings: Arc::default(),
            clients: Vec::new(),
            profiles: Vec::new(),
        }
    }

    /// Like [`E2e::start`], with single sign-on through a test provider where
    /// `people` have accounts.
    pub async fn start_with_provider(pool: PgPool, people: &[Person]) -> (E2e, TestProvider) {
        let driver = ChromeDriver::start();
        let listener = Server::bind().await;
        let base = format!("http://{}", listener.local_addr().unwrap());
        let provider = TestProvider::start(&base, people, false).await;
        let oidc = remiss::oidc::Provider::new(provider.config()).expect("the provider's client");
        let state = AppState::new(pool, Settings::default()).with_oidc(Arc::new(oidc));
        let server = Server::serve(listener, state).await;
        let e2e = E2e {
            server: Some(server),
            driver,
            findings: Arc::default(),
            clients: Vec::new(),
            profiles: Vec::new(),
        };
        (e2e, provider)
    }

    /// A new browser (its own profile, so its own cookies) with JavaScript on.
    pub async fn browser(&mut self, label: &str) -> Browser {
        self.open_browser(label, true).await
    }

    /// A new browser in which pages may not run JavaScript.
    pub async fn browser_without_javascript(&mut self, label: &str) -> Browser {
        self.open_browser(label, false).await
    }

    async fn open_browser(&mut self, label: &str, javascript: bool) -> Browser {
        let profile = tempfile::tempdir().expect("a fresh browser profile");
        let mut options = json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--disable-extensions",
                "--disable-crash-reporter",
                // Smooth scrolling (the stylesheet's default without this) moves
                // buttons away from where WebDriver clicks.
                "--force-prefers-reduced-motion",
                "--disable-features=Translate,OptimizationHints,MediaRouter",
                "--lang=sv-SE",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ],
            "prefs": { "intl.accept_languages": "sv-SE,sv" },
        });
        if !javascript {
            options["prefs"]["profile.managed_default_content_settings.javascript"] = json!(2);
        }
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&self.driver.url())
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "chromedriver could not start Chromium: {e}; its log:\n{}",
                    self.driver.log_text()
                )
            });
        client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
                Some(Duration::from_secs(30)),
                Some(PATIENCE),
                Some(Duration::ZERO),
            ))
            .await
            .expect("timeouts are set");
        if javascript {
            axe::preload(&client).await;
        }
        self.clients.push(client.clone());
        self.profiles.push(profile);
        Browser {
            client,
            base: self.server.as_ref().unwrap().base.clone(),
            label: label.to_string(),
            javascript,
            staging: false,
            findings: self.findings.clone(),
        }
    }

    /// Closes the browsers, stops the server, and fails the test if axe found
    /// anything on any page.
    pub async fn finish(self) {
        let (pages, violations) = self.close().await;
        assert!(pages > 0, "axe checked no page in this test");
        assert!(
            violations.is_empty(),
            "axe found {} WCAG 2.0/2.1 A/AA violation(s) on the pages of this test:\n\n{}\n",
            violations.len(),
            violations.join("\n\n")
        );
    }

    /// Closes the browsers and stops the server; returns how many pages axe
    /// checked and what it found.
    pub async fn close(mut self) -> (usize, Vec<String>) {
        for client in std::mem::take(&mut self.clients) {
            let _ = client.close().await;
        }
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
        let mut findings = self.findings.lock().unwrap();
        (
            findings.pages_checked,
            std::mem::take(&mut findings.violations),
        )
    }
}

// ---------------------------------------------------------------------------
// A browser, as the person using it sees it.
// ---------------------------------------------------------------------------

pub struct Browser {
    pub client: Client,
    base: String,
    label: String,
    javascript: bool,
    /// Whether the test is only setting the stage for its scenario: then axe
    /// does not run and fields are filled in directly rather than typed (each
    /// step is checked and typed in the scenario that is about it).
    staging: bool,
    findings: Arc<Mutex<Findings>>,
}

/// An XPath string literal for `text` (which may hold quotes of one kind).
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else {
        assert!(!text.contains('"'), "both kinds of quotes in {text:?}");
        format!("\"{text}\"")
    }
}

impl Browser {
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Starts or ends setting the stage (see [`Browser::staging`]).
    pub fn set_staging(&mut self, on: bool) {
        self.staging = on;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Opens a page by its address, as from a bookmark.
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&self.url(path))
            .await
            .unwrap_or_else(|e| panic!("{}: could not open {path}: {e}", self.label));
        self.arrived(&format!("opened {path}")).await;
    }

    /// What happens after every page load: the accessibility check.
    pub async fn arrived(&self, how: &str) {
        if self.staging {
            return;
        }
        let fingerprint = format!(
            "{} {}",
            self.script(FINGERPRINT).await,
            if self.javascript { "with" } else { "without" }
        );
        if !self.findings.lock().unwrap().seen.insert(fingerprint) {
            return;
        }
        let violations = axe::check(&self.client, self.javascript).await;
        let page = format!(
            "{} ({}; {} after {how})",
            self.path().await,
            self.title().await,
            self.label
        );
        let mut findings = self.findings.lock().unwrap();
        findings.pages_checked += 1;
        findings
            .violations
            .extend(violations.iter().map(|v| v.describe(&page)));
    }

    /// Runs axe now, for a state reached without a page load.
    pub async fn check_accessibility(&self, state: &str) {
        self.arrived(state).await;
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("the current URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        }
    }

    pub async fn title(&self) -> String {
        self.client.title().await.expect("the page title")
    }

    pub async fn heading(&self) -> String {
        self.find_css("h1").await.text().await.expect("h1 text")
    }

    /// The visible text of the page's main content.
    pub async fn main_text(&self) -> String {
        self.find_css("main").await.text().await.expect("main text")
    }

    /// Asserts that the main content shows `text`.
    pub async fn sees(&self, text: &str) {
        let main = self.main_text().await;
        assert!(
            main.contains(text),
            "{} expected to see {text:?} on {}; the page says:\n{main}",
            self.label,
            self.path().await
        );
    }

    pub async fn find_css(&self, css: &str) -> Element {
        self.find(Locator::Css(css), css).await
    }

    async fn find(&self, locator: Locator<'_>, what: &str) -> Element {
        match self.client.find(locator).await {
            Ok(element) => element,
            Err(e) => panic!(
                "{} could not find {what} on {}: {e}\n{}",
                self.label,
                self.path().await,
                self.main_text_or_source().await
            ),
        }
    }

    async fn main_text_or_source(&self) -> String {
        match self.client.find(Locator::Css("main")).await {
            Ok(main) => main.text().await.unwrap_or_default(),
            Err(_) => self.client.source().await.unwrap_or_default(),
        }
    }

    /// The form control whose `<label>` reads `label`, as a person finds it.
    pub async fn field(&self, label: &str) -> Element {
        self.field_within("//main", label).await
    }

    /// The form control labelled `label` inside the element at `scope` (XPath).
    pub async fn field_within(&self, scope: &str, label: &str) -> Element {
        let xpath = format!(
            "//*[@id=({scope}//label[normalize-space()={}])[1]/@for]",
            xpath_literal(label)
        );
        self.find(
            Locator::XPath(&xpath),
            &format!("the field labelled {label:?}"),
        )
        .await
    }

    /// Types `text` into the field labelled `label`, replacing what was there.
    pub async fn fill(&self, label: &str, text: &str) {
        let field = self.field(label).await;
        self.type_into(&field, text).await;
    }

    pub async fn fill_within(&self, scope: &str, label: &str, text: &str) {
        let field = self.field_within(scope, label).await;
        self.type_into(&field, text).await;
    }

    pub async fn type_into(&self, field: &Element, text: &str) {
        if self.staging {
            self.client
                .execute(
                    "arguments[0].value = arguments[1];",
                    vec![serde_json::to_value(field).unwrap(), json!(text)],
                )
                .await
                .expect("fill in the field");
            return;
        }
        let kind = field.attr("type").await.ok().flatten().unwrap_or_default();
        if kind == "date" || kind == "time" {
            // A date field is typed part by part, in the order the browser's
            // locale shows the parts; each part moves on to the next when full.
            let keys = self.keys_for(&kind, text).await;
            field.send_keys(&keys).await.expect("type a date");
            let value = field.prop("value").await.ok().flatten().unwrap_or_default();
            assert_eq!(
                value, text,
                "{}: typing {keys:?} into a {kind} field",
                self.label
            );
        } else {
            field.clear().await.expect("clear the field");
            if !text.is_empty() {
                field.send_keys(text).await.expect("type into the field");
            }
        }
    }

    /// The keys that type `2027-02-16` into a date field, or `13:00` into a time
    /// field, as Chromium's locale lays them out (Debian's Chromium without its
    /// translations is en-US: MM/DD/YYYY and a 12-hour clock with AM/PM).
    pub async fn keys_for(&self, kind: &str, text: &str) -> String {
        let layout = self
            .script(
                "var f = new Intl.DateTimeFormat(undefined, {year: 'numeric', month: '2-digit', day: '2-digit', hour: 'numeric', minute: '2-digit'});
                 return [f.formatToParts(new Date(2000, 10, 22, 13, 5)).map(function (p) { return p.type; }).join(' '),
                         f.resolvedOptions().hourCycle || ''];",
            )
            .await;
        let order = layout[0].as_str().unwrap_or_default().to_string();
        let twelve_hours = matches!(layout[1].as_str(), Some("h11" | "h12"));
        let position = |part: &str| order.find(part).unwrap_or(usize::MAX);
        if kind == "date" {
            let mut parts: Vec<(&str, usize)> = text
                .split('-')
                .zip(["year", "month", "day"])
                .map(|(value, part)| (value, position(part)))
                .collect();
            parts.sort_by_key(|(_, at)| *at);
            parts.iter().map(|(value, _)| *value).collect()
        } else {
            let (hour, minute) = text.split_once(':').expect("a time as TT:MM");
            let hour: u32 = hour.parse().expect("an hour");
            if twelve_hours {
                let shown = match hour % 12 {
                    0 => 12,
                    h => h,
                };
                let half = if hour < 12 { "A" } else { "P" };
                format!("{shown:02}{minute}{half}")
            } else {
                format!("{hour:02}{minute}")
            }
        }
    }

    /// The current value of the field labelled `label`.
    pub async fn value_of(&self, label: &str) -> String {
        self.field(label)
            .await
            .prop("value")
            .await
            .expect("field value")
            .unwrap_or_default()
    }

    /// Chooses the option `option` in the list labelled `label`.
    pub async fn choose(&self, label: &str, option: &str) {
        self.field(label)
            .await
            .select_by_label(option)
            .await
            .unwrap_or_else(|e| panic!("{}: no option {option:?} in {label:?}: {e}", self.label));
    }

    /// Ticks the checkbox or radio button labelled `label` (if not already).
    pub async fn tick(&self, label: &str) {
        let field = self.field(label).await;
        if !field.is_selected().await.expect("checkbox state") {
            field.click().await.expect("tick");
        }
    }

    /// Presses the button reading `text` and waits for the next page.
    pub async fn press(&self, text: &str) {
        self.press_within("//main", text).await;
    }

    pub async fn press_within(&self, scope: &str, text: &str) {
        let xpath = format!("{scope}//button[normalize-space()={}]", xpath_literal(text));
        let button = self
            .find(Locator::XPath(&xpath), &format!("the button {text:?}"))
            .await;
        self.click_and_wait(button, &format!("pressing {text:?}"))
            .await;
    }

    /// Follows the link reading `text` (anywhere on the page).
    pub async fn follow(&self, text: &str) {
        let xpath = format!("//a[normalize-space()={}]", xpath_literal(text));
        let link = self
            .find(Locator::XPath(&xpath), &format!("the link {text:?}"))
            .await;
        self.click_and_wait(link, &format!("following {text:?}"))
            .await;
    }

    /// Clicks and waits until the page has been replaced by the next one.
    pub async fn click_and_wait(&self, element: Element, how: &str) {
        let old = self.find_css("html").await;
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("{}: {how} failed: {e:?}", self.label));
        self.wait_for_new_page(old, how).await;
        self.arrived(how).await;
    }

    /// Presses a key on the focused element and waits for the next page.
    pub async fn key_and_wait(&self, key: Key, how: &str) {
        let old = self.find_css("html").await;
        let focused = self.client.active_element().await.expect("focus");
        focused
            .send_keys(&String::from(char::from(key)))
            .await
            .expect("press the key");
        self.wait_for_new_page(old, how).await;
        self.arrived(how).await;
    }

    async fn wait_for_new_page(&self, old: Element, how: &str) {
        let started = Instant::now();
        loop {
            if let Err(e) = old.tag_name().await
                && (e.is_stale_element_reference() || e.is_no_such_element())
            {
                break;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "{}: no new page within {PATIENCE:?} after {how}",
                self.label
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // The next command waits for the new document to finish loading.
        let _ = self.client.find(Locator::Css("body")).await;
    }

    /// Logs in through the login page.
    pub async fn log_in(&self, username: &str) {
        self.open("/login").await;
        self.fill("Användarnamn", username).await;
        self.fill("Lösenord", PASSWORD).await;
        self.press("Logga in").await;
        let heading = self.heading().await;
        assert!(
            heading.starts_with("Välkommen"),
            "{username} should be logged in, but the page says {heading:?}"
        );
    }

    /// Logs out with the button in the header.
    pub async fn log_out(&self) {
        self.press_within("//header", "Logga ut").await;
        assert_eq!(self.heading().await, "Logga in", "logged out");
    }

    /// Screenshots of the page at a phone's and a desktop's width.
    pub async fn screenshot(&self, name: &str) {
        shots::take(&self.client, name).await;
    }

    /// Ends the session as the server's idle timeout would, as far as this
    /// browser can tell: its session cookie is gone, the page stays as it was.
    pub async fn lose_session(&self) {
        self.client
            .delete_cookie("remiss_session")
            .await
            .expect("delete the session cookie");
    }

    /// Clicks a button that changes the page without loading another.
    pub async fn click_in_page(&self, text: &str) {
        let xpath = format!("//button[normalize-space()={}]", xpath_literal(text));
        self.find(Locator::XPath(&xpath), &format!("the button {text:?}"))
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("{}: clicking {text:?} failed: {e:?}", self.label));
    }

    /// Waits until the element at `css` holds `text` (the page's own script
    /// answering after a request of its own).
    pub async fn waits_for(&self, css: &str, text: &str) {
        let started = Instant::now();
        loop {
            // Its text content, for a live region a screen reader reads but
            // the screen does not show.
            let now = self
                .client
                .execute(
                    "var found = document.querySelector(arguments[0]); return found ? found.textContent : '';",
                    vec![json!(css)],
                )
                .await
                .expect("the script runs");
            let now = now.as_str().unwrap_or_default().to_string();
            if now.contains(text) {
                return;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "{}: {css} did not come to read {text:?} within {PATIENCE:?}; it reads {now:?}",
                self.label
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Runs a script in the page (WebDriver's execute, not the page's own).
    pub async fn script(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("the script runs")
    }
}
