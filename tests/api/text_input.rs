//! Hostile or careless text in forms: control characters are removed (PostgreSQL
//! refuses NUL, and ESC or VT would break the Atom feed), direction overrides are
//! refused with a Swedish message, and text stored before these rules cannot make
//! the feed malformed.

use axum::http::StatusCode;
use chrono::{Days, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, TestResponse};

fn form<'a>(
    amn: &'a str,
    dates: &'a (String, String),
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("title", "Remiss om en ny idrottspolicy"),
        ("description", "Synpunkter önskas."),
        ("sender_organ", ""),
        ("sender_name", "Kulturdepartementet"),
        ("sender_dnr", "Ku2026/00123"),
        ("received_on", dates.0.as_str()),
        ("deadline", dates.1.as_str()),
        ("secrecy_provision", ""),
        ("respondents", amn),
    ];
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    fields
}

fn dates() -> (String, String) {
    let today = remiss::domain::dates::stockholm_date(Utc::now());
    (
        (today - Days::new(2)).to_string(),
        (today + Days::new(60)).to_string(),
    )
}

async fn register(registrar: &mut Browser, fields: &[(&str, &str)]) -> TestResponse {
    registrar
        .post_from("/remisser/ny", "/remisser", fields)
        .await
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn control_characters_in_a_registration_are_removed_not_a_500(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let amn = app.organ_id("AMN").await;
    let dates = dates();
    let mut registrar = app.signed_in("registrator").await;
    let response = register(
        &mut registrar,
        &form(
            &amn,
            &dates,
            &[
                (
                    "title",
                    "Remiss\u{0} om\u{1B}[31m idrotts\u{200B}policy\u{0B}\u{8}",
                ),
                ("description", "Första raden.\r\nAndra\u{0} raden."),
                ("sender_name", "Kultur\u{0}departementet"),
                ("sender_dnr", "Ku2026/\u{0}00123"),
            ],
        ),
    )
    .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let (title, description, sender, sender_dnr): (String, String, String, String) = sqlx::query_as(
        "SELECT title, description, sender_name, sender_dnr FROM referrals ORDER BY created_at DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(title, "Remiss om[31m idrottspolicy");
    assert_eq!(description, "Första raden.\nAndra raden.");
    assert_eq!(sender, "Kulturdepartementet");
    assert_eq!(sender_dnr, "Ku2026/00123");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_direction_override_is_refused_in_swedish_and_the_form_kept(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let amn = app.organ_id("AMN").await;
    let dates = dates();
    let mut registrar = app.signed_in("registrator").await;
    let before = app.count("SELECT count(*) FROM referrals").await;
    let response = register(
        &mut registrar,
        &form(&amn, &dates, &[("title", "Avtal \u{202E}fdp.exe")]),
    )
    .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    response.assert_contains("innehåller osynliga styrtecken");
    response.assert_contains("fdp.exe");
    assert_eq!(app.count("SELECT count(*) FROM referrals").await, before);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_editor_saves_text_with_control_characters_removed(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let amn = app.organ_id("AMN").await;
    let dates = dates();
    let mut registrar = app.signed_in("registrator").await;
    let response = register(&mut registrar, &form(&amn, &dates, &[])).await;
    let referral: Uuid = response.location.unwrap()["/remisser/".len()..]
        .parse()
        .unwrap();
    let case: Uuid = sqlx::query_scalar("SELECT id FROM cases WHERE referral_id = $1")
        .bind(referral)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let officer_id: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE username = 'handlaggare'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let mut reviewer = app.signed_in("granskare").await;
    let assigned = reviewer
        .post(
            &format!("/arenden/{case}/tilldela"),
            &[
                ("officer", &officer_id.to_string()),
                ("version", &app.case_version(case).await.to_string()),
            ],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    let base: i32 = sqlx::query_scalar(
        "SELECT coalesce(max(number), 0) FROM report_revisions WHERE case_id = $1",
    )
    .bind(case)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let editor = format!("/arenden/{case}/utkast");
    let mut officer = app.signed_in("handlaggare").await;
    let saved = officer
        .post_from(
            &editor,
            &editor,
            &[
                ("base", &base.to_string()),
                ("title", "Yttrande\u{0} över remissen"),
                ("proposals", "Nämnden beslutar\u{1B} att lämna yttrandet."),
                ("summary", "Förvaltningen\u{8} är positiv."),
                ("preparation", ""),
                ("background", ""),
                ("considerations", "Rad ett.\r\n\u{0B}Rad\u{0} två."),
                ("signatory_name", "Karina\u{0} Uddén"),
                ("signatory_title", "direktör"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let content: serde_json::Value = sqlx::query_scalar(
        "SELECT to_jsonb(r) FROM report_revisions r WHERE case_id = $1 ORDER BY number DESC LIMIT 1",
    )
    .bind(case)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let text = content.to_string();
    assert!(
        !text.contains("\\u0000") && !text.contains("\\u001b"),
        "{text}"
    );
    assert!(text.contains("Rad ett.\\n\\nRad två."), "{text}");
    assert!(text.contains("Yttrande över remissen"), "{text}");

    // A direction override in a section is refused and the draft not saved.
    let revisions = app.count("SELECT count(*) FROM report_revisions").await;
    let refused = officer
        .post_from(
            &editor,
            &editor,
            &[
                ("base", &(base + 1).to_string()),
                ("title", "Yttrande"),
                ("summary", "Sammanfattning \u{2067}vänd\u{2069}"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("innehåller osynliga styrtecken");
    assert_eq!(
        app.count("SELECT count(*) FROM report_revisions").await,
        revisions
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_login_with_control_characters_is_an_ordinary_failure(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut browser = app.browser();
    let response = browser
        .login("regi\u{0}strator\u{1B}", "fel lösenord")
        .await;
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        response.body
    );
    // The right password with invisible characters around the name still works.
    let response = browser
        .login("\u{200B}registrator\u{0}", "remiss-demo")
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
}

/// Every character an XML 1.0 document may hold.
fn is_xml_char(c: char) -> bool {
    matches!(u32::from(c), 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_feed_stays_valid_xml_whatever_was_stored(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let amn = app.organ_id("AMN").await;
    let dates = dates();
    let mut registrar = app.signed_in("registrator").await;
    let response = register(&mut registrar, &form(&amn, &dates, &[])).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    // Text stored before the input rules (or written by another way in).
    sqlx::query(
        "UPDATE referrals SET title = 'Titel' || chr(27) || '[31m' || chr(11) || chr(8) || chr(8238) || 'slut',
                              sender_name = 'Avsändare' || chr(1) || chr(65534)
         WHERE id = (SELECT id FROM referrals ORDER BY created_at DESC LIMIT 1)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let feed = app.browser().get("/diarium/atom").await;
    assert_eq!(feed.status, StatusCode::OK);
    let bad: Vec<u32> = feed
        .body
        .chars()
        .filter(|c| !is_xml_char(*c))
        .map(u32::from)
        .collect();
    assert!(bad.is_empty(), "characters XML 1.0 forbids: {bad:x?}");
    assert!(!feed.body.contains('\u{202E}'), "no direction override");
    feed.assert_contains("Titel[31mslut");
    feed.assert_contains("Avsändare");
    let mut reader = quick_xml::Reader::from_str(&feed.body);
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Eof => break,
            _ => continue,
        }
    }
}
