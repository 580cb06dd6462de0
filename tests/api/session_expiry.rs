//! A draft's save that arrives after the session has ended is never dropped: the
//! login page takes it, and after the login the editor shows it again, unsaved.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{TestApp, encode};
use crate::workflow::{Crew, TITLE, draft, flow, register};

const TYPED: &str = "Synpunkter skrivna under en lång eftermiddag.";

/// A new case of AMN's that `handlaggare` is drafting.
async fn drafting(app: &TestApp) -> uuid::Uuid {
    let case = register(app, TITLE, &["AMN"]).await;
    flow(app, &mut Crew::new(app).await, case, "drafting").await;
    case
}

/// The editor's form as a page of the ended session sends it.
fn draft_form(base: &str) -> String {
    let mut fields = vec![("csrf_token", "the ended session's token")];
    fields.extend(draft(base, TYPED));
    encode(&fields)
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_save_after_the_session_ended_comes_back_to_the_editor_after_login(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let case = drafting(&app).await;
    let editor = format!("/arenden/{case}/utkast");
    let revisions = format!("SELECT count(*) FROM report_revisions WHERE case_id = '{case}'");
    let before = app.count(&revisions).await;

    // The session has ended (no session cookie left): the save is answered with
    // the login page, which carries the draft.
    let mut browser = app.browser();
    let answer = browser
        .send_with(
            "POST",
            &editor,
            &[("sec-fetch-site", "same-origin")],
            Some("application/x-www-form-urlencoded"),
            draft_form("1").into(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.assert_contains("Du hann bli utloggad innan utkastet sparades");
    answer.assert_contains(r#"name="kept""#);
    answer.assert_contains(&format!(r#"name="next" value="{editor}""#));
    assert_eq!(app.count(&revisions).await, before, "nothing saved yet");

    // The login page's form as the browser sends it back.
    let kept = extract_value(&answer.body, "kept");
    let token = answer.csrf_token();
    let login = browser
        .post_raw(
            "/login",
            &[
                ("csrf_token", &token),
                ("username", "handlaggare"),
                ("password", "remiss-demo"),
                ("next", &editor),
                ("kept", &kept),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    assert_eq!(login.location.as_deref(), Some(editor.as_str()));

    let page = browser.get(&editor).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Du blev utloggad innan utkastet hann sparas");
    page.assert_contains(TYPED);
    page.assert_contains(r#"name="base" value="1""#);
    assert_eq!(app.count(&revisions).await, before, "shown, not saved");

    // Shown once: the next visit shows the saved draft.
    let again = browser.get(&editor).await;
    again.assert_lacks("Du blev utloggad");
    again.assert_lacks(TYPED);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_save_sent_from_another_site_is_not_kept(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let case = drafting(&app).await;
    let editor = format!("/arenden/{case}/utkast");
    for headers in [
        vec![("sec-fetch-site", "cross-site")],
        vec![
            ("origin", "https://evil.example"),
            ("host", "remiss.kommun.se"),
        ],
        vec![],
    ] {
        let answer = app
            .browser()
            .send_with(
                "POST",
                &editor,
                &headers,
                Some("application/x-www-form-urlencoded"),
                draft_form("1").into(),
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{headers:?}");
        assert_eq!(answer.location.as_deref(), Some("/login"), "{headers:?}");
    }
}

/// The value of the hidden field `name` in a page, unescaped as a browser reads it.
fn extract_value(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker).expect("the field") + marker.len();
    let end = start + html[start..].find('"').expect("the value's end");
    html[start..end]
        .replace("&amp;", "&")
        .replace("&#38;", "&")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
}
