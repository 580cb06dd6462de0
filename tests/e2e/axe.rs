//! axe-core, vendored in `assets/` (see its README), injected into each page with
//! WebDriver's execute (which is not subject to the page's Content-Security-Policy)
//! and run for WCAG 2.0 and 2.1, levels A and AA.

use fantoccini::Client;
use serde::Deserialize;
use serde_json::json;

const AXE_SOURCE: &str = include_str!("assets/axe.min.js");

/// Runs axe on the current document and resolves to its violations as JSON text
/// (or to `ERROR: ...`).
const RUN: &str = r#"
return axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations']
}).then(function (results) {
  return JSON.stringify(results.violations.map(function (v) {
    return {
      id: v.id,
      impact: v.impact || '',
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map(function (n) {
        return { target: n.target.map(String), html: n.html, summary: n.failureSummary || '' };
      })
    };
  }));
}).catch(function (e) { return 'ERROR: ' + e; });
"#;

#[derive(Debug, Deserialize)]
pub struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    #[serde(rename = "helpUrl")]
    pub help_url: String,
    pub nodes: Vec<Node>,
}

#[derive(Debug, Deserialize)]
pub struct Node {
    pub target: Vec<String>,
    pub html: String,
    pub summary: String,
}

impl Violation {
    /// The violation as a reader of the test output needs it: rule, impact, help,
    /// and each element with its selector, markup and what is wrong.
    pub fn describe(&self, page: &str) -> String {
        let mut text = format!(
            "[{}] {} on {page}: {} ({})",
            self.impact, self.id, self.help, self.help_url
        );
        for node in &self.nodes {
            let html: String = node.html.chars().take(240).collect();
            text.push_str(&format!(
                "\n      element {}\n        {html}\n        {}",
                node.target.join(" "),
                node.summary.replace('\n', "\n        ")
            ));
        }
        text
    }
}

/// Where pages may not run JavaScript, Chromium still runs WebDriver's scripts
/// and settles their promises, but fires no timers. axe waits on timers between
/// its steps; these stand-ins run the callbacks as microtasks instead. (The page
/// itself has no scripts that could notice.)
const TIMERS_AS_MICROTASKS: &str = r#"
if (!window.__e2eTimers) {
  window.__e2eTimers = true;
  var later = function (fn, args) {
    Promise.resolve().then(function () { fn.apply(null, args); });
    return 0;
  };
  window.setTimeout = function (fn) { return later(fn, Array.prototype.slice.call(arguments, 2)); };
  window.clearTimeout = function () {};
  window.requestAnimationFrame = function (fn) { return later(fn, [performance.now()]); };
  window.cancelAnimationFrame = function () {};
  window.requestIdleCallback = function (fn) {
    return later(fn, [{ didTimeout: false, timeRemaining: function () { return 50; } }]);
  };
}
"#;

/// Has Chromium put axe into every document the browser loads from now on (so
/// that it need not be sent with each check). Where pages may not run scripts
/// this does nothing, and [`check`] injects axe itself.
pub async fn preload(client: &Client) {
    crate::shots::cdp(
        client,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": AXE_SOURCE }),
    )
    .await;
}

/// Runs axe on the page the client shows now.
pub async fn check(client: &Client, javascript: bool) -> Vec<Violation> {
    if !javascript {
        client
            .execute(TIMERS_AS_MICROTASKS, vec![])
            .await
            .expect("timers for axe");
    }
    let present = client
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .expect("the browser runs a script");
    if present != json!(true) {
        client
            .execute(AXE_SOURCE, vec![])
            .await
            .expect("axe-core is injected");
    }
    // WebDriver's execute waits for the promise the script returns.
    let answer = client
        .execute(RUN, vec![])
        .await
        .expect("axe runs on the page");
    let text = answer.as_str().expect("axe answers with text");
    assert!(!text.starts_with("ERROR"), "axe failed: {text}");
    serde_json::from_str(text).expect("axe's answer is JSON")
}

/// The checker itself: a page with known faults fails, in a browser with and
/// one without JavaScript, and the report names rule, element and help.
#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_accessibility_check_reports_rule_element_and_help_of_a_known_fault(
    pool: sqlx::PgPool,
) {
    let mut e2e = crate::harness::E2e::start(pool).await;
    let faulty = "data:text/html;charset=utf-8,<!doctype html><title>Fel</title>\
                  <main><img src='data:,'><input id='namn' type='text'></main>";
    for javascript in [true, false] {
        let b = if javascript {
            e2e.browser("with JavaScript").await
        } else {
            e2e.browser_without_javascript("without JavaScript").await
        };
        b.client.goto(faulty).await.expect("the faulty page");
        b.check_accessibility("loading a page with known faults")
            .await;
    }
    let (pages, violations) = e2e.close().await;
    assert_eq!(pages, 2);
    for rule in ["html-has-lang", "image-alt", "label"] {
        let found: Vec<&String> = violations
            .iter()
            .filter(|v| v.contains(&format!("] {rule} on ")))
            .collect();
        assert_eq!(
            found.len(),
            2,
            "{rule} found in both browsers: {violations:#?}"
        );
    }
    let label = violations
        .iter()
        .find(|v| v.contains("] label on "))
        .unwrap();
    assert!(
        label.contains("element #namn") && label.contains("Form elements must have labels"),
        "the report names the element and the help: {label}"
    );
}
