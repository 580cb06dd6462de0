//! The overviews: each role's start page, deadline planning, search, the public
//! diarium with its Atom feed and personnummer guard, and the remiss summary.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use chrono::{Days, NaiveDate, Utc};
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, TestResponse, encode};

const REFERENCE: &str = "Stockholms stads trygghetsprogram 2020-2023";
const REVIEW_COMMENT: &str = "Programmet gäller sannolikt först från 2021";
const USERNAMES: [&str; 5] = [
    "handlaggare",
    "handlaggare.sn",
    "granskare",
    "sekreterare",
    "registrator",
];

fn today() -> NaiveDate {
    remiss::domain::dates::stockholm_date(Utc::now())
}

/// Today plus (or minus) `n` days, as the pages write dates.
fn day(n: i64) -> String {
    let today = today();
    let date = if n >= 0 {
        today + Days::new(n.unsigned_abs())
    } else {
        today - Days::new(n.unsigned_abs())
    };
    date.to_string()
}

static NEXT_SENDER_NUMBER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

/// Registers a remiss to the organs with these diarium prefixes through
/// POST /remisser, with `changes` applied to a valid form; its id.
async fn register(
    app: &TestApp,
    registrar: &mut Browser,
    prefixes: &[&str],
    changes: &[(&str, &str)],
) -> String {
    let (received, deadline) = (day(-2), day(60));
    // Each remiss its own number at the sender, so that none is a likely duplicate.
    let sender_dnr = format!(
        "Ku2026/{:05}",
        NEXT_SENDER_NUMBER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut fields: Vec<(String, String)> = [
        ("title", "Remiss om en ny idrottspolicy"),
        ("description", "Synpunkter önskas på förslaget."),
        ("sender_organ", ""),
        ("sender_name", "Kulturdepartementet"),
        ("sender_dnr", sender_dnr.as_str()),
        ("received_on", received.as_str()),
        ("deadline", deadline.as_str()),
        ("secrecy_provision", ""),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push((name.to_string(), value.to_string()));
    }
    for prefix in prefixes {
        fields.push(("respondents".into(), app.organ_id(prefix).await));
    }
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = registrar
        .post_from("/remisser/ny", "/remisser", &fields)
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    response
        .location
        .unwrap()
        .trim_start_matches("/remisser/")
        .to_string()
}

async fn referral_id(app: &TestApp, title: &str) -> String {
    let id: Uuid = sqlx::query_scalar("SELECT id FROM referrals WHERE title = $1")
        .bind(title)
        .fetch_one(&app.pool)
        .await
        .expect("the remiss exists");
    id.to_string()
}

/// The case a remiss opened for the organ with this prefix.
async fn case_of(app: &TestApp, referral_id: &str, prefix: &str) -> String {
    let id: Uuid =
        sqlx::query_scalar("SELECT id FROM cases WHERE referral_id = $1::uuid AND dnr_prefix = $2")
            .bind(referral_id)
            .bind(prefix)
            .fetch_one(&app.pool)
            .await
            .expect("the case exists");
    id.to_string()
}

async fn demo_case(app: &TestApp, title: &str, prefix: &str) -> String {
    case_of(app, &referral_id(app, title).await, prefix).await
}

async fn dnr(app: &TestApp, case_id: &str) -> String {
    sqlx::query_scalar("SELECT dnr_text FROM cases WHERE id = $1::uuid")
        .bind(case_id)
        .fetch_one(&app.pool)
        .await
        .expect("the case exists")
}

async fn user_id(app: &TestApp, username: &str) -> String {
    let id: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.pool)
        .await
        .expect("the user exists");
    id.to_string()
}

/// Posts with the start page's CSRF token and expects the redirect of a done step.
async fn step(browser: &mut Browser, path: &str, fields: &[(&str, &str)]) {
    let response = browser.post(path, fields).await;
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "{path}: {}",
        response.body
    );
}

/// The reviewer assigns an AMN case to `handlaggare` (which opens the first draft).
async fn assign_to_officer(app: &TestApp, case_id: &str) {
    let officer = user_id(app, "handlaggare").await;
    let version = app.case_version(case_id.parse().expect("a case id")).await;
    let mut reviewer = app.signed_in("granskare").await;
    step(
        &mut reviewer,
        &format!("/arenden/{case_id}/tilldela"),
        &[("officer", &officer), ("version", &version.to_string())],
    )
    .await;
}

/// The officer saves a complete draft with these considerations in the editor.
async fn save_draft(app: &TestApp, officer: &mut Browser, case_id: &str, considerations: &str) {
    let base: i32 = sqlx::query_scalar(
        "SELECT coalesce(max(number), 0) FROM report_revisions WHERE case_id = $1::uuid",
    )
    .bind(case_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let base = base.to_string();
    let editor = format!("/arenden/{case_id}/utkast");
    let response = officer
        .post_from(
            &editor,
            &editor,
            &[
                ("base", &base),
                ("title", "Yttrande över remissen"),
                ("proposals", "Nämnden beslutar att lämna yttrandet."),
                ("summary", "Förvaltningen är positiv."),
                ("preparation", "Ärendet har beretts inom förvaltningen."),
                ("background", "Remissen kom in nyligen."),
                ("considerations", considerations),
                ("signatory_name", "Karina Uddén"),
                ("signatory_title", "direktör"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
}

/// Takes a drafted AMN case through review, a delegation decision and dispatch.
async fn decide_and_dispatch(app: &TestApp, officer: &mut Browser, case_id: &str) {
    let revision: i32 =
        sqlx::query_scalar("SELECT max(number) FROM report_revisions WHERE case_id = $1::uuid")
            .bind(case_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let named = revision.to_string();
    step(
        officer,
        &format!("/arenden/{case_id}/skicka"),
        &[("revision", &named)],
    )
    .await;
    let mut reviewer = app.signed_in("granskare").await;
    step(
        &mut reviewer,
        &format!("/arenden/{case_id}/godkann"),
        &[("revision", &revision.to_string()), ("comment", "")],
    )
    .await;
    step(
        &mut reviewer,
        &format!("/arenden/{case_id}/delegationsbeslut"),
        &[("reference", "punkt 1.4")],
    )
    .await;
    let mut secretary = app.signed_in("sekreterare").await;
    step(
        &mut secretary,
        &format!("/arenden/{case_id}/expediera"),
        &[
            ("dispatched_on", &day(0)),
            ("recipient", "Kulturdepartementet"),
        ],
    )
    .await;
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM cases WHERE id = '{case_id}' AND state = 'answered'"
        ))
        .await,
        1
    );
}

/// An AMN meeting at 13:00 Stockholm time, `days` from today.
async fn meeting_in(app: &TestApp, days: i64) {
    sqlx::query(
        "INSERT INTO meetings (id, organ_id, starts_at, place)
         VALUES ($1, $2::uuid, ($3::date + time '13:00') AT TIME ZONE 'Europe/Stockholm', 'Rummet')",
    )
    .bind(Uuid::new_v4())
    .bind(app.organ_id("AMN").await)
    .bind(today() + Days::new(days.unsigned_abs()))
    .execute(&app.pool)
    .await
    .unwrap();
}

/// The number on top of the start page that links to the list at `anchor`, if shown.
fn count_on_top(page: &TestResponse, anchor: &str) -> Option<usize> {
    let marker = format!("<a href=\"{anchor}\"><span class=\"count\">");
    let start = page.body.find(&marker)? + marker.len();
    let end = start + page.body[start..].find('<')?;
    page.body[start..end].parse().ok()
}

/// The HTML of the `<section>` labelled by the heading with this id.
fn section<'a>(page: &'a TestResponse, heading_id: &str) -> &'a str {
    let marker = format!("aria-labelledby=\"{heading_id}\"");
    let Some(start) = page.body.find(&marker) else {
        panic!("no section {heading_id} on the page:\n{}", page.body)
    };
    let end = start + page.body[start..].find("</section>").unwrap();
    &page.body[start..end]
}

/// Rows of the tables in `html` (header rows have no class).
fn table_rows(html: &str) -> usize {
    html.matches("<tr class=").count()
}

/// The table row (`<tr …</tr>`) that holds `text`.
fn row_with<'a>(html: &'a str, text: &str) -> &'a str {
    let Some(at) = html.find(text) else {
        panic!("{text:?} is not on the page:\n{html}")
    };
    let start = html[..at].rfind("<tr").expect("inside a row");
    let end = at + html[at..].find("</tr>").expect("the row ends");
    &html[start..end]
}

/// Where `text` is on the page (it must be there).
fn position(html: &str, text: &str) -> usize {
    html.find(text)
        .unwrap_or_else(|| panic!("{text:?} is not on the page:\n{html}"))
}

// ---------------------------------------------------------------------------
// 1. The start page of each role
// ---------------------------------------------------------------------------

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_officer_sees_their_drafting_cases_with_a_matching_count(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let mine = register(
        &app,
        &mut registrar,
        &["AMN"],
        &[("title", "Remiss om skolskjutsar")],
    )
    .await;
    register(
        &app,
        &mut registrar,
        &["AMN"],
        &[("title", "Remiss om vinterväghållning")],
    )
    .await;
    let case = case_of(&app, &mine, "AMN").await;
    assign_to_officer(&app, &case).await;

    let start = app.signed_in("handlaggare").await.get("/").await;
    assert_eq!(count_on_top(&start, "#mina-arenden"), Some(1));
    let list = section(&start, "mine-title");
    assert_eq!(table_rows(list), 1, "{list}");
    assert!(list.contains("Remiss om skolskjutsar"), "{list}");
    assert!(list.contains(&dnr(&app, &case).await), "{list}");
    // Not assigned to them: the unassigned case, the SN officer's draft, the cases in review.
    start.assert_lacks("Remiss om vinterväghållning");
    start.assert_lacks(REFERENCE);
    start.assert_lacks("Utkast att granska");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_reviewer_sees_drafts_to_review_and_cases_to_assign(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    register(
        &app,
        &mut registrar,
        &["AMN", "SN"],
        &[("title", "Remiss om vinterväghållning")],
    )
    .await;

    let start = app.signed_in("granskare").await.get("/").await;
    assert_eq!(count_on_top(&start, "#att-granska"), Some(1));
    let review = section(&start, "review-title");
    assert_eq!(table_rows(review), 1, "{review}");
    assert!(
        review.contains("Förslag till avfallsplan för staden 2027-2030"),
        "the demo's in_review case: {review}"
    );
    assert!(!review.contains("Promemorian"), "approved, not in review");

    assert_eq!(count_on_top(&start, "#att-tilldela"), Some(1));
    let assign = section(&start, "assign-title");
    assert_eq!(table_rows(assign), 1, "{assign}");
    assert!(assign.contains("Remiss om vinterväghållning"), "{assign}");
    let amn_case = demo_case(&app, "Remiss om vinterväghållning", "AMN").await;
    assert!(assign.contains(&format!("/arenden/{amn_case}")), "{assign}");
    // The SN case of the same remiss is another organ's to assign.
    let sn_case = demo_case(&app, "Remiss om vinterväghållning", "SN").await;
    start.assert_lacks(&sn_case);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_long_list_shows_the_earliest_deadlines_and_counts_them_all(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    // Registered in reverse deadline order, so that registration order cannot pass.
    for n in (1..=27).rev() {
        let title = format!("Remiss nummer {n:02}");
        let deadline = day(30 + n);
        register(
            &app,
            &mut registrar,
            &["AMN"],
            &[("title", title.as_str()), ("deadline", deadline.as_str())],
        )
        .await;
    }

    let start = app.signed_in("granskare").await.get("/").await;
    assert_eq!(count_on_top(&start, "#att-tilldela"), Some(27));
    let assign = section(&start, "assign-title");
    assert_eq!(table_rows(assign), 25, "{assign}");
    assert!(assign.contains("Remiss nummer 01"), "{assign}");
    assert!(assign.contains("Remiss nummer 25"), "{assign}");
    assert!(!assign.contains("Remiss nummer 26"), "{assign}");
    assert!(!assign.contains("Remiss nummer 27"), "{assign}");
    assert!(
        assign.contains("Visar de 25 med tidigast sista svarsdag av 27."),
        "{assign}"
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_secretary_sees_approved_cases_and_the_next_meetings_with_their_agendas(
    pool: sqlx::PgPool,
) {
    let app = TestApp::with_demo(pool).await;
    let mut secretary = app.signed_in("sekreterare").await;
    let start = secretary.get("/").await;
    assert_eq!(count_on_top(&start, "#vantar"), Some(1));
    let waiting = section(&start, "waiting-title");
    assert_eq!(table_rows(waiting), 1, "{waiting}");
    assert!(
        waiting.contains("Promemorian Ett förbättrat stöd till arbetssökande"),
        "{waiting}"
    );
    let meetings = section(&start, "meetings-title");
    assert_eq!(meetings.matches("<li>").count(), 1, "{meetings}");
    assert!(
        meetings.contains(&format!(
            "{} 13:00, Arbetsmarknadsnämnden</a> <span class=\"muted\">0 ärenden på föredragningslistan</span>",
            day(14)
        )),
        "{meetings}"
    );
    assert!(
        !meetings.contains("2020-03-17"),
        "adjusted meetings are done"
    );

    // Placing the approved case on the agenda moves it from the list to the meeting.
    let memo = demo_case(
        &app,
        "Promemorian Ett förbättrat stöd till arbetssökande",
        "AMN",
    )
    .await;
    let meeting: Uuid = sqlx::query_scalar(
        "SELECT id FROM meetings WHERE starts_at > now() AND organ_id = $1::uuid",
    )
    .bind(app.organ_id("AMN").await)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    step(
        &mut secretary,
        &format!("/arenden/{memo}/dagordning"),
        &[("meeting", &meeting.to_string())],
    )
    .await;
    let start = secretary.get("/").await;
    assert_eq!(count_on_top(&start, "#vantar"), Some(0));
    assert!(
        section(&start, "meetings-title").contains("1 ärende på föredragningslistan"),
        "{}",
        start.body
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_registrar_sees_recent_remisser_and_open_cases_past_their_deadline(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    register(
        &app,
        &mut registrar,
        &["UN"],
        &[("title", "Remiss om lekplatser")],
    )
    .await;
    let start = registrar.get("/").await;

    let recent = section(&start, "recent-title");
    assert_eq!(
        recent.matches("<li>").count(),
        4,
        "3 in the demo + 1: {recent}"
    );
    assert!(
        position(recent, "Remiss om lekplatser")
            < position(recent, "Förslag till avfallsplan för staden 2027-2030"),
        "newest first: {recent}"
    );
    assert!(recent.contains(REFERENCE), "{recent}");

    // The reference remiss's SN (drafting) and UN (registered) cases, deadline
    // 2020-04-30; AMN's is answered and so not late.
    assert_eq!(count_on_top(&start, "#forsenade"), Some(2));
    let overdue = section(&start, "overdue-title");
    assert_eq!(table_rows(overdue), 2, "{overdue}");
    for dnr in ["SN 2020/1", "UN 2020/1"] {
        assert!(row_with(overdue, dnr).contains("2020-04-30"), "{overdue}");
    }
    assert!(!overdue.contains("AMN 2020/1"), "{overdue}");
    assert!(!overdue.contains("Remiss om lekplatser"), "{overdue}");
    // The registrar (KS) has no cases to assign in KS.
    assert_eq!(count_on_top(&start, "#att-tilldela"), Some(0));
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_registrar_is_told_when_more_cases_are_late_than_the_list_shows(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    // With the demo's two late cases, 23 are late.
    for n in 1..=21 {
        let title = format!("Sen remiss nummer {n:02}");
        let (received, deadline) = (day(-60), day(-30 + n));
        register(
            &app,
            &mut registrar,
            &["UN"],
            &[
                ("title", title.as_str()),
                ("received_on", received.as_str()),
                ("deadline", deadline.as_str()),
            ],
        )
        .await;
    }
    let start = registrar.get("/").await;
    start.assert_contains(
        "<a href=\"#forsenade\"><span class=\"count\">20+</span> Öppna ärenden efter sista svarsdag",
    );
    let overdue = section(&start, "overdue-title");
    assert_eq!(table_rows(overdue), 20, "{overdue}");
    assert!(overdue.contains("SN 2020/1"), "the oldest first: {overdue}");
    assert!(overdue.contains("Sen remiss nummer 18"), "{overdue}");
    assert!(!overdue.contains("Sen remiss nummer 19"), "{overdue}");
    assert!(overdue.contains("Fler är försenade"), "{overdue}");
}

// ---------------------------------------------------------------------------
// 2. Planning backwards from the deadline
// ---------------------------------------------------------------------------

/// Three drafting AMN cases of `handlaggare`: (a) on track, (b) at risk, (c) impossible.
/// Meetings: in 5 days, in 14 (the demo's) and in 35.
async fn planning_cases(app: &TestApp) {
    meeting_in(app, 5).await;
    meeting_in(app, 35).await;
    let mut registrar = app.signed_in("registrator").await;
    for (title, deadline) in [
        ("Planeringsfall A", 40),
        ("Planeringsfall B", 8),
        ("Planeringsfall C", 3),
    ] {
        let id = register(
            app,
            &mut registrar,
            &["AMN"],
            &[
                ("title", title),
                ("received_on", &day(-10)),
                ("deadline", &day(deadline)),
            ],
        )
        .await;
        assign_to_officer(app, &case_of(app, &id, "AMN").await).await;
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_start_page_plans_each_case_and_puts_the_most_urgent_first(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    planning_cases(&app).await;
    let start = app.signed_in("handlaggare").await.get("/").await;
    assert_eq!(count_on_top(&start, "#mina-arenden"), Some(3));
    let mine = section(&start, "mine-title");

    // (a) deadline in 40 days, last meeting before it in 35: submit by 35-10-7 = 18.
    let a = row_with(mine, "Planeringsfall A");
    assert!(a.contains("I fas"), "{a}");
    assert!(
        a.contains(&format!(
            "I fas: utkastet ska skickas till granskning senast {} och godkännas senast {} inför sammanträdet {}.",
            day(18),
            day(25),
            day(35)
        )),
        "{a}"
    );
    // (b) deadline in 8 days, meeting in 5: the draft should have gone 12 days ago.
    let b = row_with(mine, "Planeringsfall B");
    assert!(b.contains("I riskzonen"), "{b}");
    assert!(
        b.contains(&format!(
            "Utkastet skulle ha skickats till granskning senast {} för att hinna till sammanträdet {}.",
            day(-12),
            day(5)
        )),
        "{b}"
    );
    // (c) deadline in 3 days, no meeting before it.
    let c = row_with(mine, "Planeringsfall C");
    assert!(c.contains("Hinner inte"), "{c}");
    assert!(
        c.contains(&format!(
            "Inget sammanträde är planerat före sista svarsdag {}",
            day(3)
        )),
        "{c}"
    );
    assert!(c.contains("delegationsbeslut"), "{c}");

    assert!(
        position(mine, "Planeringsfall C") < position(mine, "Planeringsfall B")
            && position(mine, "Planeringsfall B") < position(mine, "Planeringsfall A"),
        "most urgent first: {mine}"
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_planning_page_shows_a_timeline_and_the_planned_dates(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    planning_cases(&app).await;
    let amn = app.organ_id("AMN").await;
    let page = app
        .signed_in("granskare")
        .await
        .get(&format!("/organ/{amn}/planering"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<svg");
    let svg = &page.body[page.body.find("<svg").unwrap()..page.body.find("</svg>").unwrap()];
    let table = &page.body[page.body.find("<table").expect("a table")..];
    // One timeline row per table row: the demo's two open AMN cases and our three.
    assert_eq!(svg.matches("<g class=\"row").count(), 5, "{svg}");
    assert_eq!(table_rows(table), 5, "{table}");

    let cells = |date: String| format!("<td>{date}</td>");
    let a = row_with(table, "Planeringsfall A");
    for date in [day(18), day(25), day(35), day(40)] {
        assert!(a.contains(&cells(date)), "{a}");
    }
    assert!(a.contains("I fas"), "{a}");
    let b = row_with(table, "Planeringsfall B");
    for date in [day(-12), day(-5), day(5), day(8)] {
        assert!(b.contains(&cells(date)), "{b}");
    }
    assert!(b.contains("I riskzonen"), "{b}");
    let c = row_with(table, "Planeringsfall C");
    assert_eq!(c.matches("<td>–</td>").count(), 3, "no planned dates: {c}");
    assert!(c.contains(&cells(day(3))), "{c}");
    assert!(c.contains("Hinner inte"), "{c}");
    assert!(c.contains("Inget sammanträde"), "{c}");
    assert!(
        position(table, "Planeringsfall C") < position(table, "Planeringsfall B")
            && position(table, "Planeringsfall B") < position(table, "Planeringsfall A"),
        "most urgent first: {table}"
    );
    assert!(
        svg.find("plan-impossible").unwrap() < svg.find("plan-on_track").unwrap(),
        "the timeline in the same order: {svg}"
    );

    // Another organ's officer does not plan AMN's cases.
    let outside = app
        .signed_in("handlaggare.sn")
        .await
        .get(&format!("/organ/{amn}/planering"))
        .await;
    assert_eq!(outside.status, StatusCode::FORBIDDEN);
    outside.assert_lacks("Planeringsfall");
}

// ---------------------------------------------------------------------------
// 3. Search
// ---------------------------------------------------------------------------

/// Hrefs of the results on a search page, in order.
fn result_links(page: &TestResponse) -> Vec<String> {
    page.body
        .split("<h2 class=\"result-title\"><a href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

/// The "more hits" link of a search page, unescaped.
fn next_link(page: &TestResponse) -> Option<String> {
    let at = page.body.find("\" rel=\"next\"")?;
    let start = page.body[..at].rfind("href=\"")? + "href=\"".len();
    Some(page.body[start..at].replace("&#38;", "&"))
}

/// The links of every page from `first` on, following the "more hits" links;
/// every page answers 200 and shows at least one hit.
async fn every_page(
    browser: &mut Browser,
    first: &str,
    links: fn(&TestResponse) -> Vec<String>,
) -> Vec<String> {
    let mut page = browser.get(first).await;
    let mut found = Vec::new();
    loop {
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let on_page = links(&page);
        assert!(!on_page.is_empty(), "an empty page: {}", page.body);
        found.extend(on_page);
        match next_link(&page) {
            Some(next) => page = browser.get(&next).await,
            None => return found,
        }
    }
}

/// The results of `/sok?q=trygghet&{filters}`.
async fn search(browser: &mut Browser, filters: &str) -> Vec<String> {
    let page = browser.get(&format!("/sok?q=trygghet&{filters}")).await;
    assert_eq!(page.status, StatusCode::OK, "{filters}");
    result_links(&page)
}

/// Two remisser with "trygghet": to AMN in the title, to UN only in the description.
async fn trygghet_remisser(app: &TestApp, registrar: &mut Browser) -> (String, String) {
    let title_hit = register(
        app,
        registrar,
        &["AMN"],
        &[("title", "Remiss om trygghet i kollektivtrafiken")],
    )
    .await;
    let body_hit = register(
        app,
        registrar,
        &["UN"],
        &[
            ("title", "Remiss om belysning i parker"),
            (
                "description",
                "Belysningen ska öka tryggheten i parkerna under vinterhalvåret.",
            ),
        ],
    )
    .await;
    (
        format!("/remisser/{title_hit}"),
        format!("/remisser/{body_hit}"),
    )
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn search_finds_the_reference_by_word_with_title_hits_first_and_marks(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let (title_hit, body_hit) = trygghet_remisser(&app, &mut registrar).await;
    let reference = format!("/remisser/{}", referral_id(&app, REFERENCE).await);
    let amn_case = format!("/arenden/{}", demo_case(&app, REFERENCE, "AMN").await);

    let page = registrar.get("/sok?q=trygghet").await;
    assert_eq!(page.status, StatusCode::OK);
    let links = result_links(&page);
    for link in [&reference, &amn_case, &title_hit, &body_hit] {
        assert!(links.contains(link), "{link} among {links:?}");
    }
    let rank = |link: &String| links.iter().position(|l| l == link).unwrap();
    assert!(
        rank(&title_hit) < rank(&body_hit),
        "a title hit ranks above a description hit: {links:?}"
    );
    // AMN's answered case is public, so the registrar finds it too.
    page.assert_contains("AMN 2020/1 Stockholms stads trygghetsprogram 2020-2023</a>");
    page.assert_contains("Svarsärende · Arbetsmarknadsnämnden · Besvarat");
    let hit = &page.body[position(&page.body, &format!("href=\"{title_hit}\""))..];
    let snippet = &hit[position(hit, "class=\"snippet\"")..];
    let snippet = &snippet[..position(snippet, "</p>")];
    assert!(
        snippet.contains("<mark>"),
        "a highlighted snippet: {snippet}"
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn search_finds_diarienummer_and_the_senders_number(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let amn_case = format!("/arenden/{}", demo_case(&app, REFERENCE, "AMN").await);
    let reference = format!("/remisser/{}", referral_id(&app, REFERENCE).await);

    let by_dnr = registrar.get("/sok?q=AMN%202020%2F1").await;
    assert_eq!(
        result_links(&by_dnr).first(),
        Some(&amn_case),
        "{}",
        by_dnr.body
    );
    by_dnr.assert_contains(">AMN 2020/1 Stockholms stads");

    let by_sender_dnr = registrar.get("/sok?q=2019%2F1939").await;
    assert_eq!(
        result_links(&by_sender_dnr).first(),
        Some(&reference),
        "{}",
        by_sender_dnr.body
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_diarienummer_is_found_exactly_first_then_by_prefix_and_a_year_pages_newest_first_in_search_and_diarium(
    pool: sqlx::PgPool,
) {
    let app = TestApp::with_demo(pool).await;
    // AMN 2099/1 (the oldest) to AMN 2099/45 (the newest).
    kajak_remisser(&app, 45).await;
    // The links to the kajak cases, `/arenden/…` or `/diarium/…`, as SQL orders them.
    let links = |prefix: &'static str, order: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(&format!(
                "SELECT '/{prefix}/' || id FROM cases
                 WHERE dnr_prefix = 'AMN' AND dnr_year = 2099 {order}"
            ))
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let case = |order| links("arenden", order);
    // Any user finds any case by its number, as the diarium lists every case.
    let mut officer = app.signed_in("handlaggare").await;

    let exact_then_prefix = officer.get("/sok?q=AMN+2099%2F4").await;
    let mut expected = case("AND dnr_seq = 4").await;
    expected.extend(case("AND dnr_seq BETWEEN 40 AND 49 ORDER BY created_at DESC").await);
    assert_eq!(result_links(&exact_then_prefix), expected);

    assert_eq!(
        every_page(&mut officer, "/sok?q=AMN+2099", result_links).await,
        case("ORDER BY created_at DESC").await,
        "each once, newest first"
    );

    // The public diarium looks numbers up the same way.
    let diarium = |order| links("diarium", order);
    let mut public = app.browser();
    let by_prefix = public.get("/diarium?q=AMN+2099%2F4").await;
    assert_eq!(
        diarium_links(&by_prefix),
        diarium("AND (dnr_seq = 4 OR dnr_seq BETWEEN 40 AND 49) ORDER BY created_at DESC").await
    );
    assert_eq!(
        every_page(&mut public, "/diarium?q=AMN+2099", diarium_links).await,
        diarium("ORDER BY created_at DESC").await,
        "each once, newest first"
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn search_filters_narrow_the_hits(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let (title_hit, body_hit) = trygghet_remisser(&app, &mut registrar).await;
    let reference = format!("/remisser/{}", referral_id(&app, REFERENCE).await);
    let amn_case = format!("/arenden/{}", demo_case(&app, REFERENCE, "AMN").await);
    let sets = |links: &[String], wanted: &[&String], unwanted: &[&String], filter: &str| {
        for link in wanted {
            assert!(links.contains(link), "{filter}: {link} among {links:?}");
        }
        for link in unwanted {
            assert!(!links.contains(link), "{filter}: {link} among {links:?}");
        }
    };

    let un = app.organ_id("UN").await;
    let links = search(&mut registrar, &format!("organ={un}")).await;
    sets(
        &links,
        &[&reference, &body_hit],
        &[&title_hit, &amn_case],
        "organ",
    );

    let links = search(&mut registrar, "state=answered").await;
    sets(
        &links,
        &[&reference, &amn_case],
        &[&title_hit, &body_hit],
        "state",
    );

    let links = search(&mut registrar, "sender=kulturdep").await;
    sets(
        &links,
        &[&title_hit, &body_hit],
        &[&reference, &amn_case],
        "sender",
    );
    // A sender's name is looked up as typed: no wildcards of its own, and a
    // direction control pasted with it does not hide the name.
    let links = search(&mut registrar, "sender=kultur%E2%80%AEdep").await;
    sets(
        &links,
        &[&title_hit, &body_hit],
        &[&reference, &amn_case],
        "sender with a direction control",
    );
    for wildcard in ["%25", "_", "%5C", "kultur_ep"] {
        let links = search(&mut registrar, &format!("sender={wildcard}")).await;
        let none: [&String; 0] = [];
        sets(
            &links,
            &none,
            &[&title_hit, &body_hit, &reference, &amn_case],
            wildcard,
        );
    }

    let links = search(&mut registrar, "from=2021-01-01").await;
    sets(
        &links,
        &[&title_hit, &body_hit],
        &[&reference, &amn_case],
        "from",
    );

    let links = search(&mut registrar, "from=2020-01-01&to=2020-12-31").await;
    sets(
        &links,
        &[&reference, &amn_case],
        &[&title_hit, &body_hit],
        "to",
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn search_pages_through_the_hits_without_repeats(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    for i in 0..23 {
        let title = format!("Cykelplan för stadsdel {i:02}");
        register(&app, &mut registrar, &["UN"], &[("title", &title)]).await;
    }
    let first = registrar.get("/sok?q=cykelplan").await;
    let one = result_links(&first);
    assert_eq!(one.len(), 20, "a page of 20: {}", first.body);
    let next = next_link(&first).expect("a link to more hits");
    assert!(next.contains("after="), "{next}");
    let second = registrar.get(&next).await;
    assert_eq!(second.status, StatusCode::OK);
    let two = result_links(&second);
    assert_eq!(two.len(), 3, "the rest: {}", second.body);
    assert_eq!(next_link(&second), None, "no more");
    second.assert_contains("Första sidan");
    let all: BTreeSet<_> = one.iter().chain(&two).collect();
    assert_eq!(all.len(), 23, "every remiss once");
}

/// Registers `count` remisser titled "Remiss om kajakleder N", each to AMN,
/// straight in the database, one a minute back from now: more than the pages
/// could register cheaply. N = 0 is the newest.
async fn kajak_remisser(app: &TestApp, count: i32) {
    for statement in [
        "INSERT INTO referrals (id, title, sender_name, received_on, deadline, registered_by, created_at)
         SELECT gen_random_uuid(), 'Remiss om kajakleder ' || i, 'Länsstyrelsen', current_date,
                current_date + 30, (SELECT id FROM users WHERE username = 'registrator'),
                now() - i * interval '1 minute'
         FROM generate_series(0, $1 - 1) AS i",
        "INSERT INTO cases (id, referral_id, organ_id, dnr_prefix, dnr_year, dnr_seq, created_at)
         SELECT gen_random_uuid(), r.id, o.id, 'AMN', 2099, row_number() OVER (ORDER BY r.created_at), r.created_at
         FROM referrals r, organs o
         WHERE r.title LIKE 'Remiss om kajakleder %' AND o.diarium_prefix = 'AMN' AND $1 > 0",
    ] {
        sqlx::query(statement)
            .bind(count)
            .execute(&app.pool)
            .await
            .unwrap();
    }
}

/// Links to diarium entries in the list's table.
fn diarium_rows(page: &TestResponse) -> usize {
    page.body.matches("<td><a href=\"/diarium/").count()
}

const CAPPED_NOTICE: &str = "Sökningen gav många träffar. De 500 senast registrerade";

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn search_ranks_only_the_newest_500_matches_says_so_and_pages_through_them(
    pool: sqlx::PgPool,
) {
    let app = TestApp::with_demo(pool).await;
    kajak_remisser(&app, 501).await;
    let oldest: Uuid =
        sqlx::query_scalar("SELECT id FROM referrals WHERE title = 'Remiss om kajakleder 500'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let mut registrar = app.signed_in("registrator").await;

    let mut page = registrar.get("/sok?q=kajakleder").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(CAPPED_NOTICE);
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    loop {
        let links = result_links(&page);
        assert!(!links.is_empty(), "{}", page.body);
        for link in links {
            assert!(seen.insert(link.clone()), "{link} twice");
            order.push(link);
        }
        match next_link(&page) {
            Some(next) => page = registrar.get(&next).await,
            None => break,
        }
    }
    assert_eq!(seen.len(), 500, "the newest 500, each once");
    // Every title matches alike: of equal rank, the newest first.
    let newest_first: Vec<String> = sqlx::query_scalar(
        "SELECT '/remisser/' || id FROM referrals WHERE title LIKE 'Remiss om kajakleder %'
         ORDER BY created_at DESC LIMIT 500",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(order, newest_first);
    assert!(
        !seen.contains(&format!("/remisser/{oldest}")),
        "the oldest match is past the cap"
    );

    // Another word leaves fewer matches and reaches the older ones, without the notice.
    let narrowed = registrar.get("/sok?q=kajakleder+500").await;
    assert_eq!(result_links(&narrowed), [format!("/remisser/{oldest}")]);
    narrowed.assert_lacks("Sökningen gav många träffar");

    // The public diarium's search is bounded the same way.
    let mut public = app.browser();
    let diarium = public.get("/diarium?q=kajakleder").await;
    assert_eq!(diarium.status, StatusCode::OK);
    diarium.assert_contains("Sökningen gav många träffar. Bara de 500 senast registrerade");
    assert_eq!(diarium_rows(&diarium), 25, "a full page");
    let oldest_case: Uuid = sqlx::query_scalar("SELECT id FROM cases WHERE referral_id = $1")
        .bind(oldest)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let narrowed = public.get("/diarium?q=kajakleder+500").await;
    narrowed.assert_contains(&format!("<td><a href=\"/diarium/{oldest_case}\""));
    narrowed.assert_lacks("Sökningen gav många träffar");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn search_says_nothing_of_a_cap_when_every_match_is_ranked(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    kajak_remisser(&app, 500).await;
    let page = app
        .signed_in("registrator")
        .await
        .get("/sok?q=kajakleder")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(result_links(&page).len(), 20, "{}", page.body);
    page.assert_lacks("Sökningen gav många träffar");
    let diarium = app.browser().get("/diarium?q=kajakleder").await;
    assert_eq!(diarium_rows(&diarium), 25, "{}", diarium.body);
    diarium.assert_lacks("Sökningen gav många träffar");
}

/// Links of a diarium page's entries, in order.
fn diarium_links(page: &TestResponse) -> Vec<String> {
    page.body
        .split("<td><a href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_diarium_search_ranks_then_lists_the_newest_remiss_first_with_its_cases_together(
    pool: sqlx::PgPool,
) {
    let app = TestApp::with_demo(pool).await;
    // Twelve remisser of equal rank, one a minute apart, each to three organs;
    // and an older one whose title names the word twice, which ranks first.
    for statement in [
        "INSERT INTO referrals (id, title, sender_name, received_on, deadline, registered_by, created_at)
         SELECT gen_random_uuid(), 'Remiss om kanotleder ' || i, 'Länsstyrelsen', current_date,
                current_date + 30, (SELECT id FROM users WHERE username = 'registrator'),
                now() - i * interval '1 minute'
         FROM generate_series(0, 11) AS i
         UNION ALL
         SELECT gen_random_uuid(), 'Kanotleder och åter kanotleder', 'Länsstyrelsen', current_date,
                current_date + 30, (SELECT id FROM users WHERE username = 'registrator'),
                now() - interval '1 day'",
        "INSERT INTO cases (id, referral_id, organ_id, dnr_prefix, dnr_year, dnr_seq, created_at)
         SELECT gen_random_uuid(), r.id, o.id, o.diarium_prefix, 2099,
                row_number() OVER (PARTITION BY o.id ORDER BY r.created_at), r.created_at
         FROM referrals r
         CROSS JOIN (SELECT id, diarium_prefix FROM organs ORDER BY name LIMIT 3) o
         WHERE r.title ILIKE '%kanotleder%'",
    ] {
        sqlx::query(statement).execute(&app.pool).await.unwrap();
    }
    // The expected order: by rank, then the newest remiss, its cases by id.
    let expected: Vec<String> = sqlx::query_scalar(
        "SELECT '/diarium/' || c.id FROM cases c JOIN referrals r ON r.id = c.referral_id
         WHERE r.title ILIKE '%kanotleder%'
         ORDER BY r.title LIKE 'Kanotleder och%' DESC, r.created_at DESC, c.id DESC",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(expected.len(), 39);

    let mut public = app.browser();
    assert_eq!(
        every_page(&mut public, "/diarium?q=kanotleder", diarium_links).await,
        expected,
        "every case once, in rank and registration order"
    );
}

// ---------------------------------------------------------------------------
// 4. What search shows to whom
// ---------------------------------------------------------------------------

async fn finds(app: &TestApp, username: &str, word: &str, link: &str) -> bool {
    let page = app
        .signed_in(username)
        .await
        .get(&format!("/sok?q={word}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    result_links(&page).iter().any(|l| l == link)
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_draft_is_found_only_in_its_organ_until_it_is_answered(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let id = register(
        &app,
        &mut registrar,
        &["AMN", "SN"],
        &[("title", "Remiss om vattenförsörjning")],
    )
    .await;
    let case = case_of(&app, &id, "AMN").await;
    assign_to_officer(&app, &case).await;
    let mut officer = app.signed_in("handlaggare").await;
    save_draft(
        &app,
        &mut officer,
        &case,
        "Förvaltningen föreslår zylofonik som metod.",
    )
    .await;
    let link = format!("/arenden/{case}");

    assert!(finds(&app, "handlaggare", "zylofonik", &link).await);
    assert!(finds(&app, "granskare", "zylofonik", &link).await);
    assert!(!finds(&app, "handlaggare.sn", "zylofonik", &link).await);
    assert!(!finds(&app, "registrator", "zylofonik", &link).await);

    decide_and_dispatch(&app, &mut officer, &case).await;
    for user in [
        "handlaggare",
        "handlaggare.sn",
        "registrator",
        "sekreterare",
    ] {
        assert!(
            finds(&app, user, "zylofonik", &link).await,
            "{user} finds the answer"
        );
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_secret_description_is_found_only_by_the_registrar_and_its_respondents(
    pool: sqlx::PgPool,
) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let id = register(
        &app,
        &mut registrar,
        &["SN"],
        &[
            ("title", "Remiss om placeringar"),
            (
                "description",
                "Uppgifter om snorkelfisk i ett enskilt ärende.",
            ),
            ("secret", "on"),
            ("secrecy_provision", "OSL 26 kap. 1 §"),
        ],
    )
    .await;
    let link = format!("/remisser/{id}");
    assert!(finds(&app, "registrator", "snorkelfisk", &link).await);
    assert!(finds(&app, "handlaggare.sn", "snorkelfisk", &link).await);
    assert!(!finds(&app, "handlaggare", "snorkelfisk", &link).await);
    assert!(!finds(&app, "granskare", "snorkelfisk", &link).await);
    // Outside the organ the snippet does not give the description away either.
    let outside = app
        .signed_in("handlaggare")
        .await
        .get("/sok?q=placeringar")
        .await;
    assert!(
        result_links(&outside).contains(&link),
        "the title is public"
    );
    outside.assert_lacks("snorkelfisk");
}

// ---------------------------------------------------------------------------
// 5. The public diarium
// ---------------------------------------------------------------------------

fn assert_nothing_internal(page: &TestResponse) {
    page.assert_lacks(REVIEW_COMMENT);
    for username in USERNAMES {
        page.assert_lacks(username);
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_public_diarium_lists_and_finds_the_answered_reference_case(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut public = app.browser();
    let amn = demo_case(&app, REFERENCE, "AMN").await;

    let list = public.get("/diarium").await;
    assert_eq!(list.status, StatusCode::OK);
    let row = row_with(&list.body, ">AMN 2020/1</a>");
    for text in [REFERENCE, "Kommunstyrelsen", "KS 2019/1939", "Besvarat"] {
        assert!(row.contains(text), "{text:?} in {row}");
    }
    assert!(row.contains(&format!("href=\"/diarium/{amn}\"")), "{row}");
    assert_nothing_internal(&list);

    let found = public.get("/diarium?q=trygghet").await;
    assert_eq!(found.status, StatusCode::OK);
    found.assert_contains(">AMN 2020/1</a>");
    assert_nothing_internal(&found);

    let entry = public.get(&format!("/diarium/{amn}")).await;
    assert_eq!(entry.status, StatusCode::OK);
    entry.assert_contains("<h1>AMN 2020/1 Stockholms stads trygghetsprogram 2020-2023</h1>");
    entry.assert_contains("<dd>Bifall till förslaget 2020-03-17, § 1</dd>");
    entry.assert_contains("<dd>2020-03-24</dd>");
    entry.assert_contains(&format!("href=\"/diarium/{amn}/yttrande\""));
    assert_nothing_internal(&entry);

    let reply = public.get(&format!("/diarium/{amn}/yttrande")).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_contains("Yttrande över remissen Stockholms stads trygghetsprogram 2020-2023");
    reply.assert_contains("Arbetsmarknadsnämnden beslutar att hänvisa till förvaltningens tjänsteutlåtande som sitt yttrande över remissen.");
    reply.assert_contains("trygghetsskapande");
    assert_nothing_internal(&reply);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_public_diarium_shows_nothing_of_drafts_or_reviews(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut public = app.browser();
    // SN's answer to the reference remiss is being drafted; AMN's waste plan draft is in review.
    let drafting = demo_case(&app, REFERENCE, "SN").await;
    let in_review = demo_case(&app, "Förslag till avfallsplan för staden 2027-2030", "AMN").await;

    for case in [&drafting, &in_review] {
        let entry = public.get(&format!("/diarium/{case}")).await;
        assert_eq!(entry.status, StatusCode::OK);
        entry.assert_lacks("Ärendet har beretts inom");
        entry.assert_lacks("Förvaltningen har inga invändningar");
        entry.assert_lacks("/yttrande");
        entry.assert_lacks("<dt>Beslut</dt>");
        assert_nothing_internal(&entry);
        let reply = public.get(&format!("/diarium/{case}/yttrande")).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{case}");
        reply.assert_lacks("Ärendet har beretts inom");
    }
    // Words only in a draft are not found.
    let search = public.get("/diarium?q=invändningar").await;
    search.assert_contains("Ingenting hittades");
    let feed = public.get("/diarium/atom").await;
    assert_nothing_internal(&feed);
    feed.assert_lacks("invändningar");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_diarium_dates_a_case_by_its_registration(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let amn = demo_case(&app, REFERENCE, "AMN").await;
    let entry = app.browser().get(&format!("/diarium/{amn}")).await;
    // The reference remiss was registered 2020-01-20 10:00 Stockholm time.
    entry.assert_contains("<dt>Registrerat</dt><dd>2020-01-20 10:00</dd>");
}

// ---------------------------------------------------------------------------
// 6. Secret remisser in the diarium
// ---------------------------------------------------------------------------

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_secret_entry_shows_only_number_date_sender_and_marking(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let id = register(
        &app,
        &mut registrar,
        &["SN"],
        &[
            ("title", "Hemligt ärende om Gråsparvsgatan"),
            ("description", "Uppgifter om pyttipannakonflikten."),
            ("sender_dnr", "Ku2026/00999"),
            ("secret", "on"),
            ("secrecy_provision", "OSL 26 kap. 1 §"),
        ],
    )
    .await;
    let case = case_of(&app, &id, "SN").await;
    let number = dnr(&app, &case).await;
    let mut public = app.browser();
    let secret_texts = ["Gråsparvsgatan", "pyttipannakonflikten", "Hemligt ärende"];

    let list = public.get("/diarium").await;
    let row = row_with(&list.body, &format!(">{number}</a>"));
    assert!(row.contains("Sekretessmarkerad"), "{row}");
    assert!(row.contains("Kulturdepartementet"), "{row}");
    assert!(row.contains("Ku2026/00999"), "{row}");
    assert!(row.contains(&day(0)), "the registration date: {row}");

    let entry = public.get(&format!("/diarium/{case}")).await;
    assert_eq!(entry.status, StatusCode::OK);
    entry.assert_contains(&format!("<dd>{number}</dd>"));
    entry.assert_contains("Kulturdepartementet, Ku2026/00999");
    entry.assert_contains(&format!(
        "Sekretess enligt OSL 26 kap. 1 §, markerad {} av Kommunstyrelsen",
        day(0)
    ));
    entry.assert_lacks("/yttrande");

    let feed = public.get("/diarium/atom").await;
    feed.assert_contains(&format!(
        "<title>{number} Sekretessmarkerad handling</title>"
    ));

    for page in [&list, &entry, &feed] {
        for text in secret_texts {
            page.assert_lacks(text);
        }
    }
    for word in ["Gråsparvsgatan", "pyttipannakonflikten"] {
        let search = public
            .get(&format!("/diarium?{}", encode(&[("q", word)])))
            .await;
        search.assert_contains("Ingenting hittades");
        search.assert_lacks(&number);
    }
    assert_eq!(
        public
            .get(&format!("/diarium/{case}/yttrande"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

// ---------------------------------------------------------------------------
// 7. The publication guard: personnummer and samordningsnummer
// ---------------------------------------------------------------------------

/// Valid numbers (Luhn), which must never reach the public, and an invalid one.
const VALID_NUMBERS: [&str; 4] = ["19121212-1212", "121212-1212", "701063-2391", "811218-9876"];
const INVALID_NUMBER: &str = "811218-9875";

async fn register_with_numbers(app: &TestApp, registrar: &mut Browser) -> String {
    register(
        app,
        registrar,
        &["SN"],
        &[
            (
                "title",
                "Bostadsanpassning för 19121212-1212 och 701063-2391, jämför 811218-9875",
            ),
            ("description", "Sökanden 811218-9876 har flyttat."),
            ("sender_name", "Länsstyrelsen"),
        ],
    )
    .await
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_diarium_masks_valid_personnummer_and_keeps_invalid_numbers(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let id = register_with_numbers(&app, &mut registrar).await;
    let case = case_of(&app, &id, "SN").await;
    let mut public = app.browser();

    let list = public.get("/diarium").await;
    let entry = public.get(&format!("/diarium/{case}")).await;
    let feed = public.get("/diarium/atom").await;
    let found = public.get("/diarium?q=bostadsanpassning").await;
    for page in [&list, &entry, &feed, &found] {
        page.assert_contains(&format!(
            "Bostadsanpassning för [personnummer dolt] och [samordningsnummer dolt], jämför {INVALID_NUMBER}"
        ));
        for number in VALID_NUMBERS {
            page.assert_lacks(number);
        }
        page.assert_lacks("19121212");
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_registrar_is_told_of_remisser_with_personnummer(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    assert_eq!(
        count_on_top(&registrar.get("/").await, "#personnummer"),
        None,
        "none in the demo"
    );
    let flagged = register_with_numbers(&app, &mut registrar).await;
    let clean = register(
        &app,
        &mut registrar,
        &["SN"],
        &[("title", "Remiss om lekplatser 2026-2030, dnr 2026/811218")],
    )
    .await;
    let start = registrar.get("/").await;
    assert_eq!(count_on_top(&start, "#personnummer"), Some(1));
    let list = section(&start, "flagged-title");
    assert_eq!(list.matches("<li>").count(), 1, "{list}");
    assert!(list.contains(&format!("/remisser/{flagged}")), "{list}");
    assert!(!list.contains(&format!("/remisser/{clean}")), "{list}");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_diarium_search_does_not_find_an_entry_by_its_masked_personnummer(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let id = register_with_numbers(&app, &mut registrar).await;
    let number = dnr(&app, &case_of(&app, &id, "SN").await).await;
    let mut public = app.browser();
    for query in ["19121212", "19121212-1212", "701063", "701063-2391"] {
        let page = public
            .get(&format!("/diarium?{}", encode(&[("q", query)])))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.body.contains(&format!(">{number}</a>")),
            "searching for {query:?} finds {number}:\n{}",
            page.body
        );
    }
}

// ---------------------------------------------------------------------------
// 8. The Atom feed
// ---------------------------------------------------------------------------

#[derive(Debug, Default)]
struct AtomEntry {
    id: String,
    title: String,
    updated: String,
    link: Option<String>,
}

#[derive(Debug, Default)]
struct AtomFeed {
    id: String,
    title: String,
    updated: String,
    entries: Vec<AtomEntry>,
}

/// Parses the feed; panics if it is not well-formed XML.
fn parse_atom(xml: &str) -> AtomFeed {
    use quick_xml::events::Event;

    let mut reader = quick_xml::Reader::from_str(xml);
    let mut feed = AtomFeed::default();
    let mut path: Vec<String> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if name == "entry" && path == ["feed"] {
                    feed.entries.push(AtomEntry::default());
                }
                path.push(name);
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Empty(e) => {
                let in_entry = path == ["feed", "entry"];
                if in_entry && e.name().as_ref() == b"link" {
                    let href = e
                        .try_get_attribute("href")
                        .expect("well-formed attributes")
                        .map(|a| a.unescape_value().expect("valid escapes").into_owned());
                    feed.entries.last_mut().unwrap().link = href;
                }
            }
            Event::Text(t) => {
                let text = t.unescape().expect("valid escapes").into_owned();
                let field = match path.iter().map(String::as_str).collect::<Vec<_>>()[..] {
                    ["feed", "id"] => Some(&mut feed.id),
                    ["feed", "title"] => Some(&mut feed.title),
                    ["feed", "updated"] => Some(&mut feed.updated),
                    ["feed", "entry", "id"] => Some(&mut feed.entries.last_mut().unwrap().id),
                    ["feed", "entry", "title"] => Some(&mut feed.entries.last_mut().unwrap().title),
                    ["feed", "entry", "updated"] => {
                        Some(&mut feed.entries.last_mut().unwrap().updated)
                    }
                    _ => None,
                };
                if let Some(field) = field {
                    field.push_str(&text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(path.is_empty(), "every element closed: {path:?}");
    feed
}

fn assert_rfc3339(text: &str, what: &str) {
    assert!(
        chrono::DateTime::parse_from_rfc3339(text.trim()).is_ok(),
        "{what} is not RFC 3339: {text:?}"
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_atom_feed_is_well_formed_with_at_most_fifty_entries(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    // 7 demo cases + 3 × 15 + 1 = 53 entries in the diarium.
    for i in 0..15 {
        let title = format!("Flödesremiss {i:02}");
        register(
            &app,
            &mut registrar,
            &["AMN", "SN", "UN"],
            &[("title", &title)],
        )
        .await;
    }
    register(
        &app,
        &mut registrar,
        &["UN"],
        &[("title", "Remiss om A & B <C> \"citat\" 'apostrof'")],
    )
    .await;
    assert_eq!(app.count("SELECT count(*) FROM cases").await, 53);

    let response = app.browser().get("/diarium/atom").await;
    assert_eq!(response.status, StatusCode::OK);
    let content_type = response.headers["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("application/atom+xml"),
        "{content_type}"
    );
    let feed = parse_atom(&response.body);
    assert!(!feed.id.trim().is_empty(), "feed id");
    assert!(!feed.title.trim().is_empty(), "feed title");
    assert_rfc3339(&feed.updated, "feed updated");
    assert_eq!(feed.entries.len(), 50, "the 50 newest");
    let mut ids = BTreeSet::new();
    for entry in &feed.entries {
        assert!(!entry.id.trim().is_empty(), "{entry:?}");
        assert!(ids.insert(entry.id.clone()), "unique ids: {entry:?}");
        assert!(!entry.title.trim().is_empty(), "{entry:?}");
        assert_rfc3339(&entry.updated, "entry updated");
        let link = entry.link.as_deref().expect("a link");
        assert!(link.contains("/diarium/"), "{entry:?}");
    }
    assert!(
        feed.entries.iter().any(|e| e
            .title
            .ends_with("Remiss om A & B <C> \"citat\" 'apostrof'")),
        "escaped text reads back: {:?}",
        feed.entries.first()
    );
}

// ---------------------------------------------------------------------------
// 9. The remiss summary and its CSV
// ---------------------------------------------------------------------------

/// Records of an RFC 4180 CSV text (quoted fields may hold commas, quotes, newlines).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ';') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted, "an unterminated quote");
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_summary_shows_every_respondent_side_by_side(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let reference = referral_id(&app, REFERENCE).await;
    let amn = demo_case(&app, REFERENCE, "AMN").await;
    let page = app
        .signed_in("registrator")
        .await
        .get(&format!("/remisser/{reference}/sammanstallning"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let answers: Vec<&str> = page
        .body
        .split("<section class=\"answer\"")
        .skip(1)
        .collect();
    assert_eq!(answers.len(), 3, "{}", page.body);
    let [amn_answer, sn_answer, un_answer] = answers[..] else {
        unreachable!()
    };
    assert!(
        amn_answer.contains("Arbetsmarknadsnämnden</h2>"),
        "{amn_answer}"
    );
    assert!(
        amn_answer.contains("Bifall till förslaget 2020-03-17"),
        "{amn_answer}"
    );
    assert!(amn_answer.contains("Arbetsmarknadsnämnden beslutar att hänvisa till förvaltningens tjänsteutlåtande som sitt yttrande över remissen."), "{amn_answer}");
    assert!(amn_answer.contains("trygghetsskapande"), "{amn_answer}");
    assert!(
        amn_answer.contains(&format!("/arenden/{amn}/yttrande")),
        "{amn_answer}"
    );
    assert!(sn_answer.contains("Socialnämnden</h2>"), "{sn_answer}");
    assert!(un_answer.contains("Utbildningsnämnden</h2>"), "{un_answer}");
    for answer in [sn_answer, un_answer] {
        assert!(answer.contains("Inget beslutat svar ännu."), "{answer}");
        // SN's draft is working material.
        assert!(!answer.contains("Ärendet har beretts inom"), "{answer}");
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_summary_csv_has_a_row_per_respondent_and_inert_formulas(pool: sqlx::PgPool) {
    let settings = remiss::web::Settings {
        public_url: Some("https://remiss.kommun.se".into()),
        ..remiss::web::Settings::default()
    };
    let app = TestApp::with_demo_and(pool, settings).await;
    let reference = referral_id(&app, REFERENCE).await;
    let amn = demo_case(&app, REFERENCE, "AMN").await;
    let un = demo_case(&app, REFERENCE, "UN").await;
    sqlx::query(
        "UPDATE cases SET state = 'declined', declined_reason = 'Frågan ligger utanför nämndens ansvar.' WHERE id = $1::uuid",
    )
    .bind(&un)
    .execute(&app.pool)
    .await
    .unwrap();
    // The decided revision's synpunkter start with a formula and hold quotes.
    sqlx::query(
        "UPDATE report_revisions SET considerations = $2
         WHERE id = (SELECT revision_id FROM decisions WHERE case_id = $1::uuid)",
    )
    .bind(&amn)
    .bind("=SUM(1)+\"x\" sade nämnden\n\nAndra stycket, med komma.")
    .execute(&app.pool)
    .await
    .unwrap();

    let response = app
        .signed_in("registrator")
        .await
        .get(&format!("/remisser/{reference}/sammanstallning.csv"))
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let content_type = response.headers["content-type"].to_str().unwrap();
    assert_eq!(content_type, "text/csv; charset=utf-8");
    let disposition = response.headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.contains("filename*=UTF-8''Remissammanst%C3%A4llning%20KS%202019-1939.csv"),
        "named by the sender's dnr: {disposition}"
    );
    let body = response
        .body
        .strip_prefix('\u{feff}')
        .expect("a UTF-8 byte order mark first");
    assert!(
        body.contains("\"'=SUM(1)+\"\"x\"\" sade nämnden\n\nAndra stycket, med komma.\""),
        "the formula made inert and the quotes doubled:\n{body}"
    );

    let records = parse_csv(body);
    assert_eq!(
        records[0],
        [
            "Remissinstans",
            "Diarienummer",
            "Status",
            "Beslut",
            "Beslutsdatum",
            "Förslag till beslut",
            "Synpunkter",
            "Skäl att avstå",
            "Länk"
        ]
    );
    assert_eq!(
        records.len(),
        4,
        "a header and one row per respondent: {records:?}"
    );
    assert!(records.iter().all(|r| r.len() == 9), "{records:?}");
    let organs: Vec<&str> = records[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        organs,
        [
            "Arbetsmarknadsnämnden",
            "Socialnämnden",
            "Utbildningsnämnden"
        ]
    );
    let amn_row = &records[1];
    assert_eq!(amn_row[1], "AMN 2020/1");
    assert_eq!(amn_row[2], "Besvarat");
    assert_eq!(amn_row[3], "Bifall till förslaget");
    assert_eq!(amn_row[4], "2020-03-17");
    assert_eq!(
        amn_row[5],
        "1. Arbetsmarknadsnämnden beslutar att hänvisa till förvaltningens tjänsteutlåtande som sitt yttrande över remissen."
    );
    assert_eq!(
        amn_row[6],
        "'=SUM(1)+\"x\" sade nämnden\n\nAndra stycket, med komma."
    );
    assert_eq!(amn_row[7], "");
    assert_eq!(
        amn_row[8],
        format!("https://remiss.kommun.se/diarium/{amn}"),
        "the public diarium's entry, which needs no login"
    );
    let sn_row = &records[2];
    assert_eq!(
        sn_row[3..8],
        ["", "", "", "", ""],
        "no answer yet: {sn_row:?}"
    );
    let un_row = &records[3];
    assert_eq!(un_row[2], "Avböjt");
    assert_eq!(un_row[7], "Frågan ligger utanför nämndens ansvar.");

    // The page shows the reason too.
    let page = app
        .signed_in("registrator")
        .await
        .get(&format!("/remisser/{reference}/sammanstallning"))
        .await;
    page.assert_contains("Avstår från att svara");
    page.assert_contains("Frågan ligger utanför nämndens ansvar.");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_feed_links_absolutely_moves_with_public_events_and_is_discovered(pool: sqlx::PgPool) {
    let settings = remiss::web::Settings {
        public_url: Some("https://remiss.kommun.se".into()),
        ..remiss::web::Settings::default()
    };
    let app = TestApp::with_demo_and(pool, settings).await;
    let amn = demo_case(&app, REFERENCE, "AMN").await;
    let mut public = app.browser();

    public.get("/diarium").await.assert_contains(
        r#"<link rel="alternate" type="application/atom+xml" title="Diariet – nya och ändrade ärenden" href="/diarium/atom">"#,
    );

    let feed = public.get("/diarium/atom").await;
    feed.assert_contains(r#"<link rel="self" href="https://remiss.kommun.se/diarium/atom"/>"#);
    feed.assert_contains(&format!(
        r#"<link rel="alternate" type="text/html" href="https://remiss.kommun.se/diarium/{amn}"/>"#
    ));
    feed.assert_lacks(r#"href="/diarium"#);

    // The reference case was registered in January and its yttrande dispatched in
    // March: the entry was updated then, and the feed with it.
    let entry = feed
        .body
        .split("<entry>")
        .find(|e| e.contains(&format!("urn:uuid:{amn}")))
        .expect("the reference case's entry");
    let element = |name: &str| -> String {
        let start = entry.find(&format!("<{name}>")).expect(name) + name.len() + 2;
        entry[start..start + entry[start..].find('<').unwrap()].to_string()
    };
    let (published, updated) = (element("published"), element("updated"));
    assert!(published.starts_with("2020-01-20"), "{published}");
    assert!(updated.starts_with("2020-03-24"), "{updated}");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn search_finds_a_case_by_its_number_for_every_organ_but_no_draft(pool: sqlx::PgPool) {
    use crate::workflow::{Crew, TITLE, flow, register as register_for};
    let app = TestApp::with_demo(pool).await;
    let case = register_for(&app, TITLE, &["AMN"]).await;
    let mut crew = Crew::new(&app).await;
    flow(&app, &mut crew, case, "drafting").await;
    let draft_word = "Hemligtutkastord";
    let saved = crew.save(case, 1, draft_word).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let dnr: String = sqlx::query_scalar("SELECT dnr_text FROM cases WHERE id = $1")
        .bind(case)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let query = format!("/sok?q={}", dnr.replace(' ', "+"));

    // Another organ's officer finds it, as the diarium and the case page show it...
    let mut outsider = app.signed_in("handlaggare.sn").await;
    let found = outsider.get(&query).await;
    assert!(
        result_links(&found).contains(&format!("/arenden/{case}")),
        "{}",
        found.body
    );
    // ...but not the draft's text.
    found.assert_lacks(draft_word);
    let by_word = outsider.get(&format!("/sok?q={draft_word}")).await;
    assert!(result_links(&by_word).is_empty());
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn search_never_confirms_a_personnummer_outside_the_registering_organ(pool: sqlx::PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let remiss = register_with_numbers(&app, &mut registrar).await;
    let query = "/sok?q=19121212";
    let found = registrar.get(query).await;
    assert!(
        result_links(&found).contains(&format!("/remisser/{remiss}")),
        "the registering organ finds it: {}",
        found.body
    );
    let mut outsider = app.signed_in("handlaggare").await;
    let found = outsider.get(query).await;
    assert!(
        !result_links(&found).contains(&format!("/remisser/{remiss}")),
        "{}",
        found.body
    );
    found.assert_lacks("19121212-1212");
}
