//! The sender of a remiss: its number as government bodies write it, zero-padded
//! (`LI2025/01842`), is found by the search box and the public diarium; its name
//! keeps its capital in the outgoing documents unless it is one of our own organs.

use axum::http::StatusCode;
use chrono::{Days, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp};

/// Registers a remiss from `sender` with the sender's number `sender_dnr` to AMN;
/// the remiss's id and its AMN case's id.
async fn register(
    app: &TestApp,
    registrar: &mut Browser,
    title: &str,
    sender: &str,
    sender_dnr: &str,
) -> (Uuid, Uuid) {
    let today = remiss::domain::dates::stockholm_date(Utc::now());
    let received = (today - Days::new(2)).to_string();
    let deadline = (today + Days::new(60)).to_string();
    let amn = app.organ_id("AMN").await;
    let response = registrar
        .post_from(
            "/remisser/ny",
            "/remisser",
            &[
                ("title", title),
                ("description", "Synpunkter önskas."),
                ("sender_organ", ""),
                ("sender_name", sender),
                ("sender_dnr", sender_dnr),
                ("received_on", &received),
                ("deadline", &deadline),
                ("secrecy_provision", ""),
                ("respondents", &amn),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let referral: Uuid = response
        .location
        .unwrap()
        .trim_start_matches("/remisser/")
        .parse()
        .unwrap();
    let case: Uuid = sqlx::query_scalar("SELECT id FROM cases WHERE referral_id = $1")
        .bind(referral)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    (referral, case)
}

fn encoded(query: &str) -> String {
    url::form_urlencoded::byte_serialize(query.as_bytes()).collect()
}

/// The hrefs of the results of `/sok?q=…`.
async fn search(browser: &mut Browser, query: &str) -> Vec<String> {
    let page = browser.get(&format!("/sok?q={}", encoded(query))).await;
    assert_eq!(page.status, StatusCode::OK, "{query}");
    page.body
        .split("<h2 class=\"result-title\"><a href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

/// The case links of the public diarium's search for `query`.
async fn diarium(browser: &mut Browser, query: &str) -> Vec<String> {
    let page = browser.get(&format!("/diarium?q={}", encoded(query))).await;
    assert_eq!(page.status, StatusCode::OK, "{query}");
    page.body
        .split("<td><a href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_zero_padded_senders_number_is_found_as_written(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let (li, li_case) = register(
        &app,
        &mut registrar,
        "Remiss om regionala transportplaner",
        "Landsbygds- och infrastrukturdepartementet",
        "LI2025/01842",
    )
    .await;
    let (fi, fi_case) = register(
        &app,
        &mut registrar,
        "Remiss om kommunala avgifter",
        "Finansdepartementet",
        "Fi2025/00871",
    )
    .await;
    let li_href = format!("/remisser/{li}");
    let fi_href = format!("/remisser/{fi}");

    for query in [
        "LI2025/01842",
        "li2025/01842",
        "LI 2025/01842",
        "2025/01842",
    ] {
        let hits = search(&mut registrar, query).await;
        assert!(hits.contains(&li_href), "/sok?q={query}: {hits:?}");
        assert!(!hits.contains(&fi_href), "/sok?q={query}: {hits:?}");
    }
    for query in ["Fi2025/00871", "2025/00871"] {
        let hits = search(&mut registrar, query).await;
        assert!(hits.contains(&fi_href), "/sok?q={query}: {hits:?}");
        assert!(!hits.contains(&li_href), "/sok?q={query}: {hits:?}");
    }

    // The public diarium, without a login.
    let mut public = app.browser();
    let li_entry = format!("/diarium/{li_case}");
    let fi_entry = format!("/diarium/{fi_case}");
    for query in ["LI2025/01842", "2025/01842"] {
        let hits = diarium(&mut public, query).await;
        assert!(hits.contains(&li_entry), "/diarium?q={query}: {hits:?}");
        assert!(!hits.contains(&fi_entry), "/diarium?q={query}: {hits:?}");
    }
    let hits = diarium(&mut public, "Fi2025/00871").await;
    assert!(hits.contains(&fi_entry), "{hits:?}");

    // Our own diarienummer, never padded, is still found first by its number.
    let own: String = sqlx::query_scalar("SELECT dnr_text FROM cases WHERE id = $1")
        .bind(li_case)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // (The case is AMN's working material: its own officer finds it.)
    let mut officer = app.signed_in("handlaggare").await;
    let hits = search(&mut officer, &own).await;
    assert_eq!(hits.first(), Some(&format!("/arenden/{li_case}")), "{own}");
    let hits = diarium(&mut public, &own).await;
    assert_eq!(hits.first(), Some(&li_entry), "{own}");
    let hits = search(&mut registrar, "AMN 2020/1").await;
    assert!(
        hits.first().is_some_and(|h| h.starts_with("/arenden/")),
        "{hits:?}"
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_outside_senders_name_keeps_its_capital_in_the_documents(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let (_, case) = register(
        &app,
        &mut registrar,
        "Remiss om regionala transportplaner",
        "Landsbygds- och infrastrukturdepartementet",
        "LI2025/01842",
    )
    .await;
    let officer: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = 'handlaggare'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut reviewer = app.signed_in("granskare").await;
    let assigned = reviewer
        .post(
            &format!("/arenden/{case}/tilldela"),
            &[
                ("officer", &officer.to_string()),
                ("version", &app.case_version(case).await.to_string()),
            ],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    let mut officer = app.signed_in("handlaggare").await;
    let report = officer
        .get(&format!("/arenden/{case}/tjansteutlatande"))
        .await;
    assert_eq!(report.status, StatusCode::OK);
    report
        .assert_contains("Remiss från Landsbygds- och infrastrukturdepartementet dnr LI2025/01842");
    report.assert_lacks("från landsbygds");
    // The first draft names our own administration in a sentence, with a small letter.
    report.assert_contains("Ärendet har beretts inom arbetsmarknadsförvaltningen.");

    // Our own organ as the sender: a small letter inside the sentence.
    let reference: Uuid = sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN referrals r ON r.id = c.referral_id
         WHERE r.sender_dnr = 'KS 2019/1939' AND c.dnr_prefix = 'AMN'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let reference = officer
        .get(&format!("/arenden/{reference}/tjansteutlatande"))
        .await;
    reference.assert_contains("Remiss från kommunstyrelsen dnr KS 2019/1939");
}
