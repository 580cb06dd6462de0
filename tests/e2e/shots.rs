//! Screenshots of whole pages at a phone's and a desktop's width, for a person to
//! look at, in `target/e2e-screenshots/` (or `$REMISS_E2E_SCREENSHOTS`).
//!
//! Chromium's DevTools protocol (through ChromeDriver's `goog/cdp/execute`) lays
//! the page out at the width, then makes the viewport as long as the page, so
//! that WebDriver's screenshot shows all of it.

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use axum::http::Method;
use fantoccini::Client;
use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{Value, json};

/// Width, height and whether the browser behaves as on a phone.
const SIZES: [(u32, u32, bool); 2] = [(390, 844, true), (1280, 900, false)];

/// The folder, created (and emptied of old pictures) on first use; its path is
/// printed once.
pub fn folder() -> &'static PathBuf {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let folder = match std::env::var_os("REMISS_E2E_SCREENSHOTS") {
            Some(path) => PathBuf::from(path),
            // CARGO_TARGET_TMPDIR is <target dir>/tmp.
            None => PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .expect("the target dir")
                .join("e2e-screenshots"),
        };
        std::fs::create_dir_all(&folder).expect("the screenshot folder");
        if let Ok(entries) = std::fs::read_dir(&folder) {
            for entry in entries.flatten() {
                if entry.path().extension().is_some_and(|e| e == "png") {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        // Past the test harness's capture, so that it shows in every run.
        let _ = writeln!(
            std::io::stderr(),
            "e2e: screenshots are written to {}",
            folder.display()
        );
        folder
    })
}

#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.expect("a WebDriver session");
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (Method::POST, Some(body.to_string()))
    }
}

pub async fn cdp(client: &Client, cmd: &'static str, params: Value) -> Value {
    client
        .issue_cmd(Cdp { cmd, params })
        .await
        .unwrap_or_else(|e| panic!("DevTools {cmd} failed: {e}"))
}

/// Writes `<name>--390x844.png` and `<name>--1280x900.png` for the page shown now.
pub async fn take(client: &Client, name: &str) {
    let folder = folder();
    for (width, height, mobile) in SIZES {
        cdp(
            client,
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        )
        .await;
        let full_height = client
            .execute(
                "return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight);",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(f64::from(height))
            .max(f64::from(height));
        // The viewport as long as the page: the screenshot shows all of it.
        cdp(
            client,
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": full_height.ceil(), "deviceScaleFactor": 1, "mobile": mobile }),
        )
        .await;
        let png = client.screenshot().await.expect("a screenshot");
        let path = folder.join(format!("{name}--{width}x{height}.png"));
        std::fs::write(&path, png)
            .unwrap_or_else(|e| panic!("could not write {}: {e}", path.display()));
    }
    cdp(client, "Emulation.clearDeviceMetricsOverride", json!({})).await;
}
