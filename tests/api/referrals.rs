use std::collections::BTreeSet;

use axum::http::StatusCode;
use chrono::Datelike;
use sqlx::PgPool;

use crate::helpers::{Browser, TestApp, TestResponse, encode};

/// A valid registration to the given respondents, with `changes` applied.
fn registration<'a>(
    respondents: &'a [String],
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut fields: Vec<(&str, &str)> = vec![
        ("title", "Remiss om en ny idrottspolicy"),
        ("description", "Synpunkter önskas på förslaget."),
        ("sender_organ", ""),
        ("sender_name", "Kulturdepartementet"),
        ("sender_dnr", "Ku2026/00123"),
        ("received_on", "2026-03-02"),
        ("deadline", "2026-05-29"),
        ("secrecy_provision", ""),
    ];
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    for id in respondents {
        fields.push(("respondents", id));
    }
    fields
}

async fn register(browser: &mut Browser, fields: &[(&str, &str)]) -> TestResponse {
    browser.post_from("/remisser/ny", "/remisser", fields).await
}

fn this_year() -> i32 {
    remiss::domain::dates::stockholm_date(chrono::Utc::now()).year()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn registering_opens_one_case_per_respondent_with_its_own_dnr(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let respondents = [app.organ_id("AMN").await, app.organ_id("UN").await];
    let mut registrar = app.signed_in("registrator").await;
    let amn_before = app.count("SELECT count(*) FROM cases c JOIN organs o ON o.id = c.organ_id WHERE o.diarium_prefix = 'AMN' AND dnr_year = extract(year FROM now() AT TIME ZONE 'Europe/Stockholm')").await;

    let response = register(&mut registrar, &registration(&respondents, &[])).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let location = response.location.unwrap();
    assert!(location.starts_with("/remisser/"));

    let page = registrar.get(&location).await;
    page.assert_contains("Remiss om en ny idrottspolicy");
    page.assert_contains("Kulturdepartementet");
    page.assert_contains("Ku2026/00123");
    let year = this_year();
    page.assert_contains(&format!("AMN {year}/{}", amn_before + 1));
    page.assert_contains(&format!("UN {year}/"));
    page.assert_lacks("Socialnämnden</td>");
    page.assert_contains("Registrerat");

    // The case page has its dnr, deadline and its history.
    let case_href = page
        .body
        .split("href=\"/arenden/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let case_page = registrar.get(&format!("/arenden/{case_href}")).await;
    assert_eq!(case_page.status, StatusCode::OK);
    case_page.assert_contains("2026-05-29");
    case_page.assert_contains("registrerade remissen");
    case_page.assert_contains("öppnade svarsärendet");

    // One audit event for the remiss and one per case, in the same transaction.
    let ours =
        "referral_id = (SELECT id FROM referrals WHERE title = 'Remiss om en ny idrottspolicy')";
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM audit_events WHERE action = 'referral.registered' AND {ours}"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM audit_events WHERE action = 'case.registered' AND {ours}"
        ))
        .await,
        2
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_organ_of_the_municipality_can_be_the_sender(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let respondents = [app.organ_id("SN").await];
    let ks = app.organ_id("KS").await;
    let mut registrar = app.signed_in("registrator").await;
    let response = register(
        &mut registrar,
        &registration(&respondents, &[("sender_organ", &ks), ("sender_name", "")]),
    )
    .await;
    let page = registrar.get(&response.location.unwrap()).await;
    page.assert_contains("<dd>Kommunstyrelsen</dd>");
}

async fn assert_refused(app: &TestApp, fields: Vec<(&str, &str)>, message: &str) -> TestResponse {
    let mut registrar = app.signed_in("registrator").await;
    let before = app.count("SELECT count(*) FROM referrals").await;
    let cases_before = app.count("SELECT count(*) FROM cases").await;
    let response = register(&mut registrar, &fields).await;
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "expected refusal with {message:?}"
    );
    response.assert_contains(message);
    response.assert_contains("Formuläret innehåller fel");
    assert_eq!(
        app.count("SELECT count(*) FROM referrals").await,
        before,
        "nothing saved"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM cases").await,
        cases_before,
        "nothing saved"
    );
    response
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_missing_title_is_refused_and_the_input_kept(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let respondents = [app.organ_id("AMN").await];
    let response = assert_refused(
        &app,
        registration(&respondents, &[("title", "  ")]),
        "Ange ärendemening.",
    )
    .await;
    response.assert_contains(r#"value="Kulturdepartementet""#);
    response.assert_contains(r#"value="Ku2026/00123""#);
    response.assert_contains("Synpunkter önskas på förslaget.</textarea>");
    response.assert_contains(r#"value="2026-05-29""#);
    response.assert_contains(&format!(r#"value="{}" checked"#, respondents[0]));
    response.assert_contains(r#"aria-invalid="true""#);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_over_long_title_is_refused(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let respondents = [app.organ_id("AMN").await];
    let long = "ä".repeat(301);
    assert_refused(
        &app,
        registration(&respondents, &[("title", &long)]),
        "Ärendemeningen får vara högst 300 tecken.",
    )
    .await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn malformed_dates_are_refused(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let respondents = [app.organ_id("AMN").await];
    let response = assert_refused(
        &app,
        registration(&respondents, &[("received_on", "2/3 2026")]),
        "Skriv datumet som ÅÅÅÅ-MM-DD",
    )
    .await;
    response.assert_contains(r#"value="2/3 2026""#);
    assert_refused(
        &app,
        registration(&respondents, &[("deadline", "2026-02-30")]),
        "Skriv datumet som ÅÅÅÅ-MM-DD",
    )
    .await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_deadline_before_the_received_date_is_refused(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let respondents = [app.organ_id("AMN").await];
    assert_refused(
        &app,
        registration(&respondents, &[("deadline", "2026-03-01")]),
        "Sista svarsdag kan inte vara före datumet då remissen kom in.",
    )
    .await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn no_respondent_is_refused(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    assert_refused(&app, registration(&[], &[]), "Välj minst en remissinstans.").await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_unknown_respondent_is_refused(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let respondents = ["00000000-0000-4000-8000-000000000009".to_string()];
    assert_refused(
        &app,
        registration(&respondents, &[]),
        "En vald remissinstans finns inte.",
    )
    .await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_duplicated_respondent_is_refused(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let amn = app.organ_id("AMN").await;
    let respondents = [amn.clone(), amn];
    assert_refused(
        &app,
        registration(&respondents, &[]),
        "Samma remissinstans är vald två gånger.",
    )
    .await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_secrecy_marking_needs_its_provision(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let respondents = [app.organ_id("AMN").await];
    let response = assert_refused(
        &app,
        registration(&respondents, &[("secret", "on")]),
        "Ange sekretessbestämmelse",
    )
    .await;
    response.assert_contains(r#"name="secret" value="on" checked"#);

    let mut registrar = app.signed_in("registrator").await;
    let ok = register(
        &mut registrar,
        &registration(
            &respondents,
            &[("secret", "on"), ("secrecy_provision", "OSL 21 kap. 1 §")],
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    registrar
        .get(&ok.location.unwrap())
        .await
        .assert_contains("Sekretessmarkerad – OSL 21 kap. 1 §");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn secret_content_is_shown_only_to_those_working_on_it(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let respondents = [app.organ_id("SN").await];
    let mut registrar = app.signed_in("registrator").await;
    let response = register(
        &mut registrar,
        &registration(
            &respondents,
            &[
                ("secret", "on"),
                ("secrecy_provision", "OSL 26 kap. 1 §"),
                ("description", "Uppgifter om en enskild"),
            ],
        ),
    )
    .await;
    let path = response.location.unwrap();
    app.signed_in("handlaggare.sn")
        .await
        .get(&path)
        .await
        .assert_contains("Uppgifter om en enskild");
    let outside = app.signed_in("handlaggare").await.get(&path).await;
    outside.assert_lacks("Uppgifter om en enskild");
    outside.assert_contains("Innehållet omfattas av sekretess");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn concurrent_registrations_get_distinct_consecutive_numbers(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let un = app.organ_id("UN").await;
    let browser = app.signed_in("registrator").await;
    let token = browser.clone().get("/remisser/ny").await.csrf_token();
    let mut tasks = Vec::new();
    for i in 0..50 {
        let mut browser = browser.clone();
        let title = format!("Samtidig remiss {i}");
        // Fifty remisser, each its own number at the sender.
        let sender_dnr = format!("Ku2026/{:05}", 1000 + i);
        let respondents = [un.clone()];
        let mut fields = registration(
            &respondents,
            &[("title", &title), ("sender_dnr", &sender_dnr)],
        );
        fields.push(("csrf_token", &token));
        let body = encode(&fields);
        tasks.push(tokio::spawn(async move {
            browser
                .request("POST", "/remisser", Some(body))
                .await
                .status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::SEE_OTHER);
    }
    let numbers: Vec<i32> = sqlx::query_scalar(
        "SELECT c.dnr_seq FROM cases c JOIN referrals r ON r.id = c.referral_id
         WHERE r.title LIKE 'Samtidig remiss %' ORDER BY c.dnr_seq",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(numbers.len(), 50);
    assert_eq!(
        numbers.iter().collect::<BTreeSet<_>>().len(),
        50,
        "distinct"
    );
    let first = numbers[0];
    assert_eq!(
        numbers,
        (first..first + 50).collect::<Vec<_>>(),
        "consecutive, no gaps"
    );
    // And the series continues right after them, with nothing skipped before.
    let before: i64 = app
        .count("SELECT count(*) FROM cases c JOIN organs o ON o.id = c.organ_id WHERE o.diarium_prefix = 'UN' AND c.dnr_year = extract(year FROM now() AT TIME ZONE 'Europe/Stockholm') AND c.dnr_seq < (SELECT min(dnr_seq) FROM cases c2 JOIN referrals r ON r.id = c2.referral_id WHERE r.title LIKE 'Samtidig remiss %')")
        .await;
    assert_eq!(i64::from(first), before + 1);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_failed_registration_gives_its_number_back(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let un = app.organ_id("UN").await;
    let mut tx = app.pool.begin().await.unwrap();
    let year = this_year();
    let seq: i32 = sqlx::query_scalar(
        "INSERT INTO diarium_series (organ_id, year, last_seq) VALUES ($1::uuid, $2, 1)
         ON CONFLICT (organ_id, year) DO UPDATE SET last_seq = diarium_series.last_seq + 1 RETURNING last_seq",
    )
    .bind(&un)
    .bind(year)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let mut registrar = app.signed_in("registrator").await;
    let response = register(&mut registrar, &registration(&[un], &[])).await;
    registrar
        .get(&response.location.unwrap())
        .await
        .assert_contains(&format!("UN {year}/{seq}"));
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_list_pages_by_keyset_without_overlap(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let un = app.organ_id("UN").await;
    let mut registrar = app.signed_in("registrator").await;
    for i in 0..30 {
        let title = format!("Listremiss {i:02}");
        let sender_dnr = format!("Ku2026/{:05}", 2000 + i);
        let respondents = [un.clone()];
        let response = register(
            &mut registrar,
            &registration(
                &respondents,
                &[("title", &title), ("sender_dnr", &sender_dnr)],
            ),
        )
        .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    }
    let first = registrar.get("/remisser").await;
    let next = first
        .body
        .split("href=\"/remisser?")
        .find(|s| s.contains("after="))
        .expect("a next page link");
    let next = format!(
        "/remisser?{}",
        next.split('"').next().unwrap().replace("&#38;", "&")
    );
    let second = registrar.get(&next).await;
    let titles = |page: &TestResponse| -> Vec<String> {
        page.body
            .split("\">Listremiss ")
            .skip(1)
            .map(|s| s[..2].to_string())
            .collect()
    };
    let (one, two) = (titles(&first), titles(&second));
    assert_eq!(one.len(), 25, "newest first: 29 down to 05");
    assert_eq!(one.first().map(String::as_str), Some("29"));
    assert_eq!(two.first().map(String::as_str), Some("04"));
    let all: BTreeSet<_> = one.iter().chain(two.iter()).collect();
    assert_eq!(all.len(), 30, "every remiss once");
    second.assert_contains("Första sidan");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_list_filters_by_respondent_and_state_and_sorts_by_deadline(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let sn = app.organ_id("SN").await;
    let mut registrar = app.signed_in("registrator").await;
    register(
        &mut registrar,
        &registration(
            std::slice::from_ref(&sn),
            &[
                ("title", "Bara till socialnämnden"),
                ("deadline", "2026-04-01"),
            ],
        ),
    )
    .await;

    let filtered = registrar.get(&format!("/remisser?organ={sn}")).await;
    filtered.assert_contains("Bara till socialnämnden");
    filtered.assert_lacks("Promemorian Ett förbättrat stöd till arbetssökande");
    let amn = app.organ_id("AMN").await;
    registrar
        .get(&format!("/remisser?organ={amn}"))
        .await
        .assert_lacks("Bara till socialnämnden");

    let by_deadline = registrar.get("/remisser?sort=deadline").await;
    let reference = by_deadline
        .body
        .find("Stockholms stads trygghetsprogram")
        .unwrap();
    let ours = by_deadline.body.find("Bara till socialnämnden").unwrap();
    assert!(reference < ours, "the 2020 deadline comes first");

    // All the demo remisser are open; none is answered yet.
    registrar
        .get("/remisser?state=answered")
        .await
        .assert_contains("Inga remisser matchar urvalet.");
    registrar
        .get("/remisser?state=open")
        .await
        .assert_contains("Bara till socialnämnden");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn overdue_remisser_are_marked_in_words(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let list = registrar.get("/remisser").await;
    // The reference remiss's deadline, 2020-04-30, has long passed.
    list.assert_contains("Försenad –");
    list.assert_contains("0 av 3");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_correction_is_saved_with_its_history(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let un = app.organ_id("UN").await;
    let mut registrar = app.signed_in("registrator").await;
    let path = register(&mut registrar, &registration(&[un], &[]))
        .await
        .location
        .unwrap();
    let edit = registrar.get(&format!("{path}/redigera")).await;
    edit.assert_contains(r#"name="version" value="1""#);
    let fields = registration(
        &[],
        &[
            ("title", "Remiss om en ny idrotts- och friluftspolicy"),
            ("deadline", "2026-06-12"),
            ("version", "1"),
        ],
    );
    let response = registrar
        .post_from(&format!("{path}/redigera"), &path, &fields)
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let page = registrar.get(&path).await;
    page.assert_contains("<h1>Remiss om en ny idrotts- och friluftspolicy</h1>");
    page.assert_contains("rättade remissens uppgifter");
    page.assert_contains("<del>Remiss om en ny idrottspolicy</del>");
    page.assert_contains("<del>2026-05-29</del> → <ins>2026-06-12</ins>");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_stale_correction_is_refused_with_both_texts(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let un = app.organ_id("UN").await;
    let mut first = app.signed_in("registrator").await;
    let mut second = app.signed_in("registrator").await;
    let path = register(&mut first, &registration(&[un], &[]))
        .await
        .location
        .unwrap();
    let edit_page = format!("{path}/redigera");

    let mine = registration(&[], &[("title", "Första rättelsen"), ("version", "1")]);
    assert_eq!(
        first.post_from(&edit_page, &path, &mine).await.status,
        StatusCode::SEE_OTHER
    );

    let theirs = registration(&[], &[("title", "Andra rättelsen"), ("version", "1")]);
    let conflict = second.post_from(&edit_page, &path, &theirs).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    conflict.assert_contains("Någon annan har ändrat remissen");
    conflict.assert_contains("<td class=\"prewrap\">Första rättelsen</td>");
    conflict.assert_contains("<td class=\"prewrap\">Andra rättelsen</td>");
    conflict.assert_contains(r#"value="Andra rättelsen""#);
    conflict.assert_contains(r#"name="version" value="2""#);
    assert_eq!(
        app.count("SELECT count(*) FROM referrals WHERE title = 'Första rättelsen'")
            .await,
        1,
        "nothing overwritten"
    );

    // Saving again from the conflict page, now on version 2, is a deliberate choice.
    let again = registration(&[], &[("title", "Andra rättelsen"), ("version", "2")]);
    assert_eq!(
        second.post_from(&edit_page, &path, &again).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.count("SELECT count(*) FROM referrals WHERE title = 'Andra rättelsen'")
            .await,
        1
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_demo_city_holds_the_reference_remiss(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let list = registrar.get("/remisser").await;
    list.assert_contains("Stockholms stads trygghetsprogram 2020-2023");
    list.assert_contains("KS 2019/1939");
    let id = list
        .body
        .split("href=\"/remisser/")
        .find(|s| s.contains("Stockholms stads trygghetsprogram"))
        .unwrap()[..36]
        .to_string();
    let page = registrar.get(&format!("/remisser/{id}")).await;
    page.assert_contains("Arbetsmarknadsnämnden");
    page.assert_contains("AMN 2020/");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_remiss_received_after_today_is_refused_with_what_was_typed(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let respondents = [app.organ_id("AMN").await];
    let mut registrar = app.signed_in("registrator").await;
    let today = remiss::domain::dates::stockholm_date(chrono::Utc::now());
    let tomorrow = (today + chrono::Days::new(1)).to_string();
    let deadline = (today + chrono::Days::new(60)).to_string();
    let before = app.count("SELECT count(*) FROM referrals").await;

    let fields = [
        ("received_on", tomorrow.as_str()),
        ("deadline", deadline.as_str()),
    ];
    let response = register(&mut registrar, &registration(&respondents, &fields)).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    response.assert_contains("Remissen kan inte ha kommit in senare än i dag.");
    response.assert_contains(&format!(r#"value="{tomorrow}""#));
    assert_eq!(app.count("SELECT count(*) FROM referrals").await, before);

    let today = today.to_string();
    let fields = [
        ("received_on", today.as_str()),
        ("deadline", deadline.as_str()),
    ];
    let response = register(&mut registrar, &registration(&respondents, &fields)).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_respondent_added_after_registration_gets_its_own_case_and_number(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let respondents = [app.organ_id("AMN").await];
    let sn = app.organ_id("SN").await;
    let mut registrar = app.signed_in("registrator").await;
    let response = register(&mut registrar, &registration(&respondents, &[])).await;
    let remiss = response.location.unwrap();
    let sn_count = "SELECT count(*) FROM cases c JOIN organs o ON o.id = c.organ_id WHERE o.diarium_prefix = 'SN'";
    let sn_before = app.count(sn_count).await;
    let page = registrar.get(&remiss).await;
    page.assert_contains("Lägg till remissinstans");
    page.assert_lacks(r#"<option value="AMN"#);

    let path = format!("{remiss}/remissinstanser");
    let added = registrar.post_from(&remiss, &path, &[("organ", &sn)]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(app.count(sn_count).await, sn_before + 1);
    let page = registrar.get(&remiss).await;
    page.assert_contains(&format!("SN {}/", this_year()));
    page.assert_contains("Socialnämnden</td>");
    page.assert_contains("lade till remissinstansen Socialnämnden med svarsärendet SN ");

    // Twice is refused beside the field; nothing is opened.
    let again = registrar.post_from(&remiss, &path, &[("organ", &sn)]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    again.assert_contains("Nämnden är redan remissinstans.");
    assert_eq!(app.count(sn_count).await, sn_before + 1);

    // Only a registrar adds respondents.
    let un = app.organ_id("UN").await;
    let mut officer = app.signed_in("handlaggare").await;
    let refused = officer.post(&path, &[("organ", &un)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    officer
        .get(&remiss)
        .await
        .assert_lacks("Lägg till remissinstans");
}

/// The remiss's id from its page's address.
fn remiss_id(path: &str) -> &str {
    path.trim_start_matches("/remisser/")
}

/// A registrar's browser and the page of a remiss they registered to AMN.
async fn remiss_to_amn(app: &TestApp) -> (Browser, String) {
    let respondents = [app.organ_id("AMN").await];
    let mut registrar = app.signed_in("registrator").await;
    let remiss = register(&mut registrar, &registration(&respondents, &[]))
        .await
        .location
        .unwrap();
    (registrar, remiss)
}

/// The case of a remiss registered to one respondent, by the remiss's page.
async fn case_of(app: &TestApp, remiss: &str) -> uuid::Uuid {
    sqlx::query_scalar("SELECT id FROM cases WHERE referral_id = $1::uuid")
        .bind(remiss_id(remiss))
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_same_remiss_registered_twice_is_warned_of_with_a_link_and_registered_when_confirmed(
    pool: PgPool,
) {
    let app = TestApp::with_demo(pool).await;
    let respondents = [app.organ_id("AMN").await];
    let mut registrar = app.signed_in("registrator").await;
    let first = register(&mut registrar, &registration(&respondents, &[])).await;
    let first = first.location.unwrap();
    let before = app.count("SELECT count(*) FROM referrals").await;

    let again = registration(
        &respondents,
        &[
            ("title", "Remiss om idrottspolicyn, igen"),
            ("sender_dnr", "ku2026/00123"),
        ],
    );
    let warned = register(&mut registrar, &again).await;
    assert_eq!(
        warned.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        warned.body
    );
    warned
        .assert_contains("Samma avsändare har redan en registrerad remiss med samma diarienummer");
    warned.assert_contains(&format!(r#"<a href="{first}">AMN "#));
    warned.assert_contains(r#"name="duplicate_confirmed" value="on""#);
    warned.assert_contains("Registrera ändå");
    warned.assert_contains(r#"value="Remiss om idrottspolicyn, igen""#);
    assert_eq!(app.count("SELECT count(*) FROM referrals").await, before);

    let mut confirmed = again.clone();
    confirmed.push(("duplicate_confirmed", "on"));
    let registered = register(&mut registrar, &confirmed).await;
    assert_eq!(
        registered.status,
        StatusCode::SEE_OTHER,
        "{}",
        registered.body
    );
    assert_eq!(
        app.count("SELECT count(*) FROM referrals").await,
        before + 1
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_makulerad_remiss_stays_in_the_diarium_marked_with_its_reason(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let (mut registrar, remiss) = remiss_to_amn(&app).await;
    let path = format!("{remiss}/makulera");
    let page = registrar.get(&remiss).await;
    page.assert_contains("Makulera registreringen");

    let missing = registrar
        .post_from(&remiss, &path, &[("reason", " ")])
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    missing.assert_contains("Ange varför registreringen makuleras.");
    let mut officer = app.signed_in("handlaggare").await;
    let refused = officer.post(&path, &[("reason", "Fel")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let done = registrar
        .post_from(&remiss, &path, &[("reason", "Registrerad två gånger")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = registrar.get(&remiss).await;
    page.assert_contains(r#"<span class="status status-annulled">Makulerad</span>"#);
    page.assert_contains(": Registrerad två gånger.");
    page.assert_contains("makulerade registreringen: Registrerad två gånger");
    page.assert_lacks("Rätta remissens uppgifter");
    page.assert_lacks("För in anstånd");

    // The case stands with its number; nothing more is offered on it.
    let (case, dnr): (uuid::Uuid, String) =
        sqlx::query_as("SELECT id, dnr_text FROM cases WHERE referral_id = $1::uuid")
            .bind(remiss_id(&remiss))
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let mut reviewer = app.signed_in("granskare").await;
    let case_page = reviewer.get(&format!("/arenden/{case}")).await;
    case_page.assert_contains("Remissen är makulerad: Registrerad två gånger.");
    case_page.assert_lacks("/tilldela\"");
    let list = registrar.get("/remisser").await;
    list.assert_contains(r#"Remiss om en ny idrottspolicy</a> <span class="status status-annulled">Makulerad</span>"#);

    // The public diarium keeps the entry, marked.
    let mut public = app.browser();
    let diarium = public.get(&format!("/diarium/{case}")).await;
    assert_eq!(diarium.status, StatusCode::OK);
    diarium.assert_contains(&dnr);
    diarium.assert_contains("Makulerad: Registrerad två gånger");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_anstand_is_recorded_on_the_remiss_and_its_earlier_deadline_shown(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let (mut registrar, remiss) = remiss_to_amn(&app).await;
    let path = format!("{remiss}/anstand");
    let earlier = [
        ("deadline", "2026-05-01"),
        ("granted_on", "2026-03-03"),
        ("granted_by", "Anna Ek"),
    ];
    let refused = registrar.post_from(&remiss, &path, &earlier).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains(
        "Ett anstånd ger en senare sista svarsdag än den som gäller nu (2026-05-29).",
    );
    refused.assert_contains(r#"value="2026-05-01""#);
    refused.assert_contains(r#"value="Anna Ek""#);

    let fields = [
        ("deadline", "2026-06-30"),
        ("granted_on", "2026-03-03"),
        ("granted_by", "Anna Ek, Kulturdepartementet"),
        ("note", "Beviljat per e-post"),
    ];
    let done = registrar.post_from(&remiss, &path, &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = registrar.get(&remiss).await;
    page.assert_contains("<dt>Sista svarsdag</dt><dd>2026-06-30");
    page.assert_contains(
        "Anstånd till 2026-06-30 beviljat 2026-03-03 av Anna Ek, Kulturdepartementet (tidigare sista svarsdag 2026-05-29): Beviljat per e-post",
    );
    page.assert_contains(
        "förde in anstånd till 2026-06-30 beviljat 2026-03-03 av Anna Ek, Kulturdepartementet",
    );
    page.assert_contains("<del>2026-05-29</del> → <ins>2026-06-30</ins>");

    // The case plans against the new deadline.
    let case = case_of(&app, &remiss).await;
    let mut reviewer = app.signed_in("granskare").await;
    reviewer
        .get(&format!("/arenden/{case}"))
        .await
        .assert_contains("2026-06-30");
    let mut officer = app.signed_in("handlaggare").await;
    assert_eq!(
        officer.post(&path, &fields).await.status,
        StatusCode::FORBIDDEN
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_personnummer_corrected_away_stays_masked_in_the_history_for_other_organs(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let respondents = [app.organ_id("AMN").await];
    let mut registrar = app.signed_in("registrator").await;
    let with_number = registration(
        &respondents,
        &[("title", "Ansökan från 19811218-9876 om bidrag")],
    );
    let remiss = register(&mut registrar, &with_number)
        .await
        .location
        .unwrap();
    let corrected = registration(&[], &[("title", "Ansökan om bidrag"), ("version", "1")]);
    let saved = registrar
        .post_from(&format!("{remiss}/redigera"), &remiss, &corrected)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // Another organ's officer reads what changed, without the number.
    let mut outsider = app.signed_in("handlaggare.sn").await;
    let page = outsider.get(&remiss).await;
    page.assert_contains("rättade remissens uppgifter");
    page.assert_contains("<del>Ansökan från [personnummer dolt] om bidrag</del>");
    page.assert_lacks("19811218-9876");
    page.assert_lacks("8112189876");
    let case = case_of(&app, &remiss).await;
    let case_page = outsider.get(&format!("/arenden/{case}")).await;
    case_page.assert_contains("[personnummer dolt]");
    case_page.assert_lacks("19811218-9876");

    // The registrar and the respondent's own staff still see what was corrected.
    for who in ["registrator", "handlaggare"] {
        let mut insider = app.signed_in(who).await;
        insider
            .get(&remiss)
            .await
            .assert_contains("<del>Ansökan från 19811218-9876 om bidrag</del>");
    }
}
