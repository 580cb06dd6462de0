//! Issue 12's page details through the real router: each step says what it did on
//! the page it lands on (once, its address unchanged), the case's history holds the justering, the meeting page
//! warns of a case that would be answered late, and long words and dates lay out
//! as Swedish text should.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::document_files::dnr_of;
use crate::helpers::{Browser, TestApp, TestResponse};
use crate::workflow::{
    Crew, MEETING_DAY, after_the_meeting, case_id, decision, flow, on_agenda, redirected, register,
};

/// The confirmation the page shows in its polite live region.
const STATUS: &str = r#"<div class="notice success" role="status">"#;

/// Follows a step's redirect and returns the page it lands on.
async fn landed(browser: &mut Browser, step: &TestResponse, what: &str) -> TestResponse {
    redirected(step, what);
    let page = browser.get(step.location.as_deref().unwrap()).await;
    assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.body);
    page
}

fn assert_confirms(page: &TestResponse, message: &str) {
    page.assert_contains(&format!("{STATUS}<p>{message}</p></div>"));
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn each_step_confirms_on_the_page_it_lands_on(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    let title = "Remiss om ett regionalt cykelprogram";
    let (amn, sn) = (app.organ_id("AMN").await, app.organ_id("SN").await);
    let mut registrar = app.signed_in("registrator").await;
    let registered = registrar
        .post_from(
            "/remisser/ny",
            "/remisser",
            &[
                ("title", title),
                ("sender_name", "Region Stockholm"),
                ("sender_dnr", "RS 2026/0042"),
                ("received_on", "2026-11-02"),
                ("deadline", "2027-03-31"),
                ("respondents", &amn),
                ("respondents", &sn),
            ],
        )
        .await;
    let page = landed(&mut registrar, &registered, "registration").await;
    let case = case_id(&app, title, "AMN").await;
    let sn_case = case_id(&app, title, "SN").await;
    assert_confirms(
        &page,
        &format!(
            "Remissen är registrerad: {}, {}.",
            dnr_of(&app, case).await,
            dnr_of(&app, sn_case).await
        ),
    );

    let mut crew = Crew::new(&app).await;
    let assigned = crew.assign(&app, case).await;
    let page = landed(&mut crew.reviewer, &assigned, "assignment").await;
    assert_confirms(&page, "Ärendet är tilldelat Hanna Lindqvist.");
    // Read once: the case page reached another way says nothing.
    let again = crew.reviewer.get(&format!("/arenden/{case}")).await;
    again.assert_lacks(STATUS);

    let base = crate::workflow::latest_revision(&app, case).await;
    redirected(
        &crew.save(case, base, crate::workflow::CONSIDERATIONS).await,
        "save",
    );
    let submitted = crew.submit(&app, case).await;
    let page = landed(&mut crew.officer, &submitted, "submission").await;
    assert_confirms(&page, "Utkastet är skickat för granskning.");

    let approved = crew.approve(&app, case).await;
    let page = landed(&mut crew.reviewer, &approved, "approval").await;
    assert_confirms(&page, "Tjänsteutlåtandet är godkänt.");

    let meeting = crew.plan_meeting(&app, MEETING_DAY).await;
    let item = on_agenda(&app, &mut crew, case, meeting).await;
    let decided = crew.decide(meeting, &decision(&item, "adopted", &[])).await;
    let page = landed(&mut crew.secretary, &decided, "decision").await;
    assert_confirms(&page, "Beslutet är protokollfört.");

    redirected(&crew.adjust(meeting).await, "justering");
    let dispatched = crew.dispatch(case, "2027-02-19").await;
    let page = landed(&mut crew.secretary, &dispatched, "dispatch").await;
    assert_confirms(&page, "Yttrandet är expedierat.");

    // The page it lands on keeps its own address; only the fixed keys are read,
    // and nothing the request carries is shown.
    assert_eq!(dispatched.location, Some(format!("/arenden/{case}")));
    for stranger in ["%3Cscript%3E", "Yttrandet_stulet", "Expedierat"] {
        crew.secretary.set_cookie("klart", stranger);
        let page = crew.secretary.get(&format!("/arenden/{case}")).await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_lacks(STATUS);
        page.assert_lacks("stulet");
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_case_history_shows_the_justering_of_the_meeting_that_decided_it(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    let case = register(&app, "Remiss om vuxenutbildningens lokaler", &["AMN"]).await;
    let mut crew = Crew::new(&app).await;
    let meeting = crew.plan_meeting(&app, MEETING_DAY).await;
    let item = on_agenda(&app, &mut crew, case, meeting).await;
    redirected(
        &crew.decide(meeting, &decision(&item, "adopted", &[])).await,
        "decision",
    );
    let justering = "förde in att protokollet justerades 2027-02-18 av Ordföranden och Bertil Berg";
    crew.secretary
        .get(&format!("/arenden/{case}"))
        .await
        .assert_lacks(justering);
    redirected(&crew.adjust(meeting).await, "justering");

    // The justering is a public act: the case's own organ and others read it.
    for mut reader in [crew.officer, app.signed_in("handlaggare.sn").await] {
        let page = reader.get(&format!("/arenden/{case}")).await;
        page.assert_contains(justering);
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_meeting_page_warns_of_a_waiting_case_it_would_answer_late(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    // Its deadline is 2027-03-31.
    let case = register(&app, "Remiss om en ny parkeringsstrategi", &["AMN"]).await;
    let mut crew = Crew::new(&app).await;
    flow(&app, &mut crew, case, "approved").await;
    let warning = "Sammanträdet är efter sista svarsdag";
    // The case's own line in the list of waiting cases (the demo has others).
    let waiting = |page: &TestResponse| {
        let list = page
            .body
            .find(r#"<h2 id="waiting-title">"#)
            .expect("the list of waiting cases");
        let form = list
            + page.body[list..]
                .find(&format!(r#"action="/arenden/{case}/dagordning""#))
                .expect("the case among them");
        let end = form + page.body[form..].find("</li>").unwrap();
        page.body[form..end].to_string()
    };

    for (day, late) in [("2027-03-30", false), ("2027-04-13", true)] {
        let meeting = crew.plan_meeting(&app, day).await;
        let page = crew
            .secretary
            .get(&format!("/sammantraden/{meeting}"))
            .await;
        let line = waiting(&page);
        assert_eq!(line.contains(warning), late, "{day}: {line}");
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn long_words_hyphenate_and_dates_stay_whole(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut browser = app.browser();
    let css = browser.get("/static/remiss.css").await;
    assert_eq!(css.status, StatusCode::OK);
    for rule in ["hyphens: auto;", "time, .date { white-space: nowrap; }"] {
        css.assert_contains(rule);
    }

    let diarium = browser.get("/diarium").await;
    diarium.assert_contains(r#"<html lang="sv">"#);
    // Registered and deadline, in every row.
    let rows = diarium.body.matches("<tr>").count() - 1;
    assert!(rows > 0);
    assert_eq!(
        diarium.body.matches(r#"<td class="date">"#).count(),
        2 * rows,
        "{}",
        diarium.body
    );

    let mut registrar = app.signed_in("registrator").await;
    let list = registrar.get("/remisser").await;
    list.assert_contains(r#"<td class="date">"#);
    list.assert_contains(r#"<span class="date">"#);
}
