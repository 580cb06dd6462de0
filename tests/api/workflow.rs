//! The answer workflow through the real routes: every role's step from
//! registration to the dispatched yttrande, the refusals, the races, the
//! meeting's agenda and paragraphs, and the printed documents.

use axum::http::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, TestResponse, encode};

pub(crate) const TITLE: &str = "Remiss om en regional strategi för kompetensförsörjning";
pub(crate) const PROPOSAL: &str = "Arbetsmarknadsnämnden beslutar att hänvisa till förvaltningens tjänsteutlåtande som sitt yttrande över remissen.";
const SUMMARY: &str = "Förvaltningen ställer sig i huvudsak positiv till strategin.";
pub(crate) const CONSIDERATIONS: &str =
    "Förvaltningen har inga invändningar mot strategins inriktning.";
pub(crate) const ATTENDANCE: &str =
    "Ordförande Anna Andersson (S), Bertil Berg (M), Cecilia Ceder (V)";
/// Meetings in a year of their own, so that the § series starts at 1.
pub(crate) const MEETING_DAY: &str = "2027-02-16";
const LATER_MEETING_DAY: &str = "2027-03-16";
const ADJUSTED_ON: &str = "2027-02-18";
const ADJUSTED_BY: &str = "Ordföranden och Bertil Berg";

// ---------------------------------------------------------------------------
// Small helpers: the database's view of a case, and the crew that moves it.
// ---------------------------------------------------------------------------

static NEXT_SENDER_NUMBER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

/// Registers a remiss (as registrator) to the organs with these prefixes and
/// returns the case of the first of them.
pub(crate) async fn register(app: &TestApp, title: &str, prefixes: &[&str]) -> Uuid {
    let mut organs = Vec::new();
    for prefix in prefixes {
        organs.push(app.organ_id(prefix).await);
    }
    // Each remiss its own number at the sender, so that none is a likely duplicate.
    let sender_dnr = format!(
        "Ku2026/{:05}",
        NEXT_SENDER_NUMBER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut fields = vec![
        ("title", title),
        ("sender_name", "Kulturdepartementet"),
        ("sender_dnr", sender_dnr.as_str()),
        ("received_on", "2026-11-02"),
        ("deadline", "2027-03-31"),
    ];
    fields.extend(organs.iter().map(|id| ("respondents", id.as_str())));
    let mut registrar = app.signed_in("registrator").await;
    let response = registrar
        .post_from("/remisser/ny", "/remisser", &fields)
        .await;
    redirected(&response, "registration");
    case_id(app, title, prefixes[0]).await
}

pub(crate) async fn case_id(app: &TestApp, title: &str, prefix: &str) -> Uuid {
    sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN referrals r ON r.id = c.referral_id
         JOIN organs o ON o.id = c.organ_id WHERE r.title = $1 AND o.diarium_prefix = $2",
    )
    .bind(title)
    .bind(prefix)
    .fetch_one(&app.pool)
    .await
    .expect("the case exists")
}

pub(crate) async fn state(app: &TestApp, case: Uuid) -> String {
    sqlx::query_scalar("SELECT state FROM cases WHERE id = $1")
        .bind(case)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// A count with the case (or meeting) id as `$1`.
async fn count_for(app: &TestApp, sql: &str, id: Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

pub(crate) async fn latest_revision(app: &TestApp, case: Uuid) -> i32 {
    sqlx::query_scalar("SELECT coalesce(max(number), 0) FROM report_revisions WHERE case_id = $1")
        .bind(case)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// The newest revision's number and its synpunkter.
async fn newest_considerations(app: &TestApp, case: Uuid) -> (i32, String) {
    sqlx::query_as(
        "SELECT number, considerations FROM report_revisions
         WHERE case_id = $1 ORDER BY number DESC LIMIT 1",
    )
    .bind(case)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

pub(crate) async fn user_id(app: &TestApp, username: &str) -> String {
    let id: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    id.to_string()
}

async fn agenda_item(app: &TestApp, meeting: Uuid, case: Uuid) -> String {
    let id: Uuid =
        sqlx::query_scalar("SELECT id FROM agenda_items WHERE meeting_id = $1 AND case_id = $2")
            .bind(meeting)
            .bind(case)
            .fetch_one(&app.pool)
            .await
            .expect("the case is on the meeting's agenda");
    id.to_string()
}

/// The meeting's agenda in order: each item's case and its § if decided.
async fn agenda(app: &TestApp, meeting: Uuid) -> Vec<(Uuid, Option<i32>)> {
    sqlx::query_as(
        "SELECT a.case_id, d.paragraph FROM agenda_items a
         LEFT JOIN decisions d ON d.agenda_item_id = a.id
         WHERE a.meeting_id = $1 ORDER BY a.position",
    )
    .bind(meeting)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn all_events(app: &TestApp) -> i64 {
    app.count("SELECT count(*) FROM audit_events").await
}

/// The case's own events: the documents frozen at a decision have theirs
/// (tests/app/documents.rs).
async fn case_events(app: &TestApp, case: Uuid) -> i64 {
    count_for(
        app,
        "SELECT count(*) FROM audit_events WHERE case_id = $1 AND action NOT LIKE 'document.%'",
        case,
    )
    .await
}

/// Checks that one step happened: the case is in `expected` and exactly one
/// audit event, `action`, was appended that says so. Returns the new count.
async fn assert_step(app: &TestApp, case: Uuid, expected: &str, action: &str, seen: i64) -> i64 {
    assert_eq!(state(app, case).await, expected, "state after {action}");
    let now = case_events(app, case).await;
    assert_eq!(now, seen + 1, "{action} appended one audit event");
    let (last, after): (String, Option<String>) = sqlx::query_as(
        "SELECT action, after->>'state' FROM audit_events
         WHERE case_id = $1 AND action NOT LIKE 'document.%' ORDER BY id DESC LIMIT 1",
    )
    .bind(case)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(last, action);
    assert_eq!(after.as_deref(), Some(expected), "the event of {action}");
    now
}

pub(crate) fn redirected(response: &TestResponse, what: &str) {
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "{what} should succeed:\n{}",
        response.body
    );
}

/// A workflow refusal: the error page with its status and message.
fn refused(response: &TestResponse, status: StatusCode, message: &str) {
    assert_eq!(
        response.status, status,
        "expected {status}:\n{}",
        response.body
    );
    response.assert_contains(message);
}

/// The editor's fields for a complete draft.
pub(crate) fn draft<'a>(base: &'a str, considerations: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("base", base),
        ("title", TITLE),
        ("proposals", PROPOSAL),
        ("summary", SUMMARY),
        (
            "preparation",
            "Ärendet har beretts inom arbetsmarknadsförvaltningen.",
        ),
        (
            "background",
            "Regionen har remitterat strategin till stadens nämnder.",
        ),
        ("considerations", considerations),
        ("signatory_name", "Karina Uddén"),
        ("signatory_title", "arbetsmarknadsdirektör"),
        ("signatory_name", "Karin Eriksson-Bech"),
        ("signatory_title", "utvecklingschef"),
        ("action", "save"),
    ]
}

/// A meeting decision on `item` with the usual attendance, plus `extra` fields.
pub(crate) fn decision<'a>(
    item: &'a str,
    outcome: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("item", item),
        ("outcome", outcome),
        ("attendance", ATTENDANCE),
    ];
    fields.extend_from_slice(extra);
    fields
}

/// The application on 2027-03-17, the day after the later meeting: the server
/// refuses decisions and justering dated after its today.
pub(crate) async fn after_the_meeting(pool: PgPool) -> TestApp {
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 3, 17, 9, 0, 0).unwrap();
    TestApp::with_demo_on(pool, now).await
}

/// The demo users who move an AMN case along, each in their own browser.
pub(crate) struct Crew {
    pub(crate) officer: Browser,
    pub(crate) reviewer: Browser,
    pub(crate) secretary: Browser,
}

impl Crew {
    pub(crate) async fn new(app: &TestApp) -> Crew {
        Crew {
            officer: app.signed_in("handlaggare").await,
            reviewer: app.signed_in("granskare").await,
            secretary: app.signed_in("sekreterare").await,
        }
    }

    pub(crate) async fn assign(&mut self, app: &TestApp, case: Uuid) -> TestResponse {
        let officer = user_id(app, "handlaggare").await;
        let version = app.case_version(case).await.to_string();
        self.reviewer
            .post(
                &format!("/arenden/{case}/tilldela"),
                &[("officer", &officer), ("version", &version)],
            )
            .await
    }

    pub(crate) async fn save(
        &mut self,
        case: Uuid,
        base: i32,
        considerations: &str,
    ) -> TestResponse {
        let editor = format!("/arenden/{case}/utkast");
        let base = base.to_string();
        self.officer
            .post_from(&editor, &editor, &draft(&base, considerations))
            .await
    }

    pub(crate) async fn submit(&mut self, app: &TestApp, case: Uuid) -> TestResponse {
        let revision = latest_revision(app, case).await.to_string();
        self.officer
            .post(
                &format!("/arenden/{case}/skicka"),
                &[("revision", &revision)],
            )
            .await
    }

    pub(crate) async fn approve(&mut self, app: &TestApp, case: Uuid) -> TestResponse {
        let revision = latest_revision(app, case).await.to_string();
        self.reviewer
            .post(
                &format!("/arenden/{case}/godkann"),
                &[("revision", &revision)],
            )
            .await
    }

    /// Plans an AMN meeting on `day` at 13:00 and returns its id.
    pub(crate) async fn plan_meeting(&mut self, app: &TestApp, day: &str) -> Uuid {
        let amn = app.organ_id("AMN").await;
        let response = self
            .secretary
            .post_from(
                "/sammantraden",
                "/sammantraden",
                &[
                    ("organ", &amn),
                    ("date", day),
                    ("time", "13:00"),
                    ("place", "Södermalmsallén 36, sammanträdesrummet"),
                ],
            )
            .await;
        redirected(&response, "planning a meeting");
        let location = response.location.unwrap();
        let id = location
            .strip_prefix("/sammantraden/")
            .expect("to the meeting");
        Uuid::parse_str(id).unwrap()
    }

    pub(crate) async fn place(&mut self, case: Uuid, meeting: Uuid) -> TestResponse {
        self.secretary
            .post(
                &format!("/arenden/{case}/dagordning"),
                &[("meeting", &meeting.to_string())],
            )
            .await
    }

    pub(crate) async fn decide(&mut self, meeting: Uuid, fields: &[(&str, &str)]) -> TestResponse {
        self.secretary
            .post(&format!("/sammantraden/{meeting}/beslut"), fields)
            .await
    }

    async fn reorder(&mut self, meeting: Uuid, item: &str, direction: &str) -> TestResponse {
        self.secretary
            .post(
                &format!("/sammantraden/{meeting}/ordning"),
                &[("item", item), ("direction", direction)],
            )
            .await
    }

    pub(crate) async fn adjust(&mut self, meeting: Uuid) -> TestResponse {
        self.secretary
            .post(
                &format!("/sammantraden/{meeting}/justering"),
                &[("adjusted_on", ADJUSTED_ON), ("adjusted_by", ADJUSTED_BY)],
            )
            .await
    }

    /// Records the attendance at `meeting` from AMN's roster of two: both present,
    /// the first by name in the chair, the second to adjust.
    pub(crate) async fn record_attendance(&mut self, app: &TestApp, meeting: Uuid) {
        let ids: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM organ_members ORDER BY name")
            .fetch_all(&app.pool)
            .await
            .unwrap();
        let (chair, adjuster) = (ids[0].to_string(), ids[1].to_string());
        let recorded = self
            .secretary
            .post(
                &format!("/sammantraden/{meeting}/narvaro"),
                &[
                    ("present", &chair),
                    ("present", &adjuster),
                    ("chair", &chair),
                    ("adjusters", &adjuster),
                ],
            )
            .await;
        redirected(&recorded, "attendance");
    }

    pub(crate) async fn dispatch(&mut self, case: Uuid, on: &str) -> TestResponse {
        self.secretary
            .post(
                &format!("/arenden/{case}/expediera"),
                &[("dispatched_on", on), ("recipient", "Kulturdepartementet")],
            )
            .await
    }
}

/// Takes a case through the real routes, one step at a time, until it is in
/// `target`: registered → drafting → in_review → approved.
pub(crate) async fn flow(app: &TestApp, crew: &mut Crew, case: Uuid, target: &str) {
    loop {
        let now = state(app, case).await;
        if now == target {
            return;
        }
        let response = match now.as_str() {
            "registered" => crew.assign(app, case).await,
            "drafting" => {
                let base = latest_revision(app, case).await;
                redirected(&crew.save(case, base, CONSIDERATIONS).await, "save");
                crew.submit(app, case).await
            }
            "in_review" => crew.approve(app, case).await,
            other => panic!("flow does not go from {other} to {target}"),
        };
        redirected(&response, &format!("the step from {now} towards {target}"));
    }
}

/// Takes a case to approved and places it on the meeting; returns its agenda item.
pub(crate) async fn on_agenda(app: &TestApp, crew: &mut Crew, case: Uuid, meeting: Uuid) -> String {
    flow(app, crew, case, "approved").await;
    redirected(&crew.place(case, meeting).await, "placing on the agenda");
    assert_eq!(state(app, case).await, "on_agenda");
    agenda_item(app, meeting, case).await
}

/// The texts of every `<tag>…</tag>` on the page.
fn tag_texts(html: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    html.split(&open)
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find('>')? + 1;
            let end = rest.find(&close)?;
            Some(rest[start..end].to_string())
        })
        .collect()
}

/// The page's text as a reader sees it: tags dropped, entities decoded,
/// whitespace collapsed.
fn page_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    collapse(&unescape(&text))
}

pub(crate) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes `&#38;`, `&#x27;`, `&amp;` and the other entities Askama writes.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').and_then(|end| {
            let entity = &rest[1..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| entity.strip_prefix('#').map(str::parse))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Asserts that `items` occur in `text` in this order, without overlapping.
pub(crate) fn assert_in_order(text: &str, items: &[String]) {
    let mut from = 0;
    for item in items {
        match text[from..].find(item.as_str()) {
            Some(at) => from += at + item.len(),
            None => panic!(
                "expected {item:?} after position {from} of the page text:\n{}",
                &text[from..]
            ),
        }
    }
}

// ---------------------------------------------------------------------------
// 1. The whole workflow.
// ---------------------------------------------------------------------------

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_remiss_is_answered_with_every_role_taking_its_step(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    let case = register(&app, TITLE, &["AMN"]).await;
    let mut crew = Crew::new(&app).await;
    assert_eq!(state(&app, case).await, "registered");
    let mut seen = case_events(&app, case).await;
    let editor = format!("/arenden/{case}/utkast");

    // The reviewer assigns the officer; the draft opens with its frame.
    redirected(&crew.assign(&app, case).await, "assign");
    seen = assert_step(&app, case, "drafting", "case.assigned", seen).await;
    assert_eq!(
        latest_revision(&app, case).await,
        1,
        "the first draft frame"
    );
    let author: String = sqlx::query_scalar(
        "SELECT u.username FROM report_revisions r JOIN users u ON u.id = r.author_id
         WHERE r.case_id = $1 AND r.number = 1",
    )
    .bind(case)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        author, "handlaggare",
        "version 1 is the officer's, not the assigner's"
    );

    // The first frame lacks what a draft needs before review.
    let early = crew.submit(&app, case).await;
    refused(
        &early,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Tjänsteutlåtandet saknar sammanfattning.",
    );
    early.assert_contains("Tjänsteutlåtandet saknar förvaltningens synpunkter och förslag.");
    early.assert_contains("Tjänsteutlåtandet saknar undertecknare.");
    assert_eq!(state(&app, case).await, "drafting");
    assert_eq!(case_events(&app, case).await, seen);

    // The officer edits and saves.
    let page = crew.officer.get(&editor).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(r#"name="base" value="1""#);
    page.assert_contains(PROPOSAL);
    let saved = crew.save(case, 1, CONSIDERATIONS).await;
    redirected(&saved, "save");
    let location = saved.location.unwrap();
    assert_eq!(location, format!("/arenden/{case}/utkast?sparat=1"));
    seen = assert_step(&app, case, "drafting", "report.saved", seen).await;
    crew.officer
        .get(&location)
        .await
        .assert_contains("Utkastet är sparat som version 2.");

    redirected(&crew.submit(&app, case).await, "submit");
    seen = assert_step(&app, case, "in_review", "case.submitted", seen).await;

    // The reviewer returns it with a comment (which is required), and the
    // officer sees it first.
    let atersand = format!("/arenden/{case}/atersand");
    let silent = crew
        .reviewer
        .post(&atersand, &[("revision", "2"), ("comment", " ")])
        .await;
    refused(
        &silent,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Skriv vad handläggaren behöver ändra.",
    );
    assert_eq!(state(&app, case).await, "in_review");
    let comment = "Beskriv också hur strategin ska följas upp.";
    let returned = crew
        .reviewer
        .post(&atersand, &[("revision", "2"), ("comment", comment)])
        .await;
    redirected(&returned, "return");
    seen = assert_step(&app, case, "drafting", "case.returned", seen).await;
    let page = crew.officer.get(&editor).await;
    page.assert_contains("Återsänt av Karin Eriksson-Bech");
    page.assert_contains(comment);
    page.assert_contains(r#"name="base" value="2""#);

    // The officer revises, saves and submits again.
    let added = "Förvaltningen föreslår att strategin följs upp årligen.";
    let revised = format!("{CONSIDERATIONS}\n\n{added}");
    redirected(&crew.save(case, 2, &revised).await, "second save");
    seen = assert_step(&app, case, "drafting", "report.saved", seen).await;
    redirected(&crew.submit(&app, case).await, "second submit");
    seen = assert_step(&app, case, "in_review", "case.submitted", seen).await;

    // The review page shows what changed since the returned revision.
    let review = crew
        .reviewer
        .get(&format!("/arenden/{case}/granskning"))
        .await;
    assert_eq!(review.status, StatusCode::OK);
    review.assert_contains("Version 3");
    review.assert_contains("Ändringar sedan version 2");
    let inserted = tag_texts(&review.body, "ins");
    assert!(
        inserted.iter().any(|text| collapse(text) == added),
        "an <ins> with exactly the added words, got {inserted:?}"
    );
    assert!(
        !inserted
            .iter()
            .any(|text| text.contains("inga invändningar")),
        "the unchanged text is not marked: {inserted:?}"
    );

    let versions = crew
        .officer
        .get(&format!("/arenden/{case}/versioner?fran=2&till=3"))
        .await;
    versions.assert_contains("Ändringar från version 2 till version 3");
    let inserted = tag_texts(&versions.body, "ins");
    assert!(
        inserted.iter().any(|text| collapse(text) == added),
        "{inserted:?}"
    );

    // Approving a revision other than the newest would approve unread text.
    let stale = crew
        .reviewer
        .post(&format!("/arenden/{case}/godkann"), &[("revision", "2")])
        .await;
    refused(
        &stale,
        StatusCode::CONFLICT,
        "Någon annan ändrade ärendet samtidigt",
    );
    assert_eq!(state(&app, case).await, "in_review");

    redirected(&crew.approve(&app, case).await, "approve");
    seen = assert_step(&app, case, "approved", "case.approved", seen).await;

    // The secretary plans a meeting and places the case on its agenda.
    let meeting = crew.plan_meeting(&app, MEETING_DAY).await;
    assert_eq!(
        count_for(
            &app,
            "SELECT count(*) FROM audit_events WHERE action = 'meeting.planned' AND entity_id = $1",
            meeting
        )
        .await,
        1
    );
    let placed = crew.place(case, meeting).await;
    redirected(&placed, "place on agenda");
    assert_eq!(placed.location, Some(format!("/sammantraden/{meeting}")));
    seen = assert_step(&app, case, "on_agenda", "case.placed_on_agenda", seen).await;
    let item = agenda_item(&app, meeting, case).await;

    // The decision, with a reservation.
    let reservation_text = "Vi anser att nämnden borde ha krävt en tydligare finansiering.";
    let decided = crew
        .decide(
            meeting,
            &decision(
                &item,
                "adopted",
                &[
                    ("reservation_member", "Cecilia Ceder"),
                    ("reservation_party", "V"),
                    ("reservation_text", reservation_text),
                ],
            ),
        )
        .await;
    redirected(&decided, "decision");
    seen = assert_step(&app, case, "decided", "case.decided", seen).await;
    let (decision_id, paragraph, year, revision): (Uuid, Option<i32>, Option<i32>, i32) =
        sqlx::query_as(
            "SELECT d.id, d.paragraph, d.paragraph_year, r.number FROM decisions d
             JOIN report_revisions r ON r.id = d.revision_id WHERE d.case_id = $1",
        )
        .bind(case)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!((paragraph, year), (Some(1), Some(2027)), "§ 1 of 2027");
    assert_eq!(revision, 3, "the approved revision was decided");
    crew.secretary
        .get(&format!("/sammantraden/{meeting}"))
        .await
        .assert_contains("§ 1 Bifall till förslaget");

    redirected(&crew.adjust(meeting).await, "justering");
    assert_eq!(
        count_for(
            &app,
            "SELECT count(*) FROM audit_events WHERE action = 'meeting.adjusted' AND entity_id = $1",
            meeting
        )
        .await,
        1
    );
    let adjusted: Option<chrono::NaiveDate> =
        sqlx::query_scalar("SELECT adjusted_on FROM meetings WHERE id = $1")
            .bind(meeting)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        adjusted.map(|d| d.to_string()).as_deref(),
        Some(ADJUSTED_ON)
    );

    redirected(&crew.dispatch(case, "2027-02-19").await, "dispatch");
    assert_step(&app, case, "answered", "case.dispatched", seen).await;
    // Frozen: the protokollsutdrag and the decided report at justering, the
    // yttrande as PDF and DOCX at dispatch, each registered among the handlingar.
    let frozen = "SELECT count(*) FROM audit_events
                  WHERE case_id = $1 AND action = 'document.registered'";
    assert_eq!(count_for(&app, frozen, case).await, 4);
    assert_eq!(
        count_for(
            &app,
            "SELECT count(*) FROM replies WHERE case_id = $1",
            case
        )
        .await,
        1
    );

    // The remiss page shows the answered case.
    let referral: Uuid = sqlx::query_scalar("SELECT referral_id FROM cases WHERE id = $1")
        .bind(case)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let remiss = crew.officer.get(&format!("/remisser/{referral}")).await;
    let row = remiss
        .body
        .split("<tr>")
        .find(|row| row.contains("<td>Arbetsmarknadsnämnden</td>"))
        .expect("a row for AMN's case");
    assert!(row.contains("Besvarat"), "AMN's case is answered: {row}");
    assert!(
        row.contains(&format!("href=\"/arenden/{case}/yttrande\"")),
        "AMN's row links to its yttrande: {row}"
    );
    remiss.assert_contains("Besvarad");

    let case_page = crew.officer.get(&format!("/arenden/{case}")).await;
    case_page.assert_contains("Besvarat");
    case_page.assert_contains(&format!("href=\"/arenden/{case}/yttrande\""));
    case_page.assert_contains("Expedierat 2027-02-19 till Kulturdepartementet");

    // The yttrande: the decision and the reservation.
    let reply = crew.officer.get(&format!("/arenden/{case}/yttrande")).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_contains("Arbetsmarknadsnämndens beslut");
    reply.assert_contains("Beslut vid sammanträde 2027-02-16 13:00, § 1.");
    reply.assert_contains(&format!("<li class=\"prewrap\">{PROPOSAL}</li>"));
    reply.assert_contains("<strong>Cecilia Ceder (V)</strong> reserverade sig mot beslutet");
    reply.assert_contains(reservation_text);

    // The protokollsutdrag: §, attendance, reservation, justering.
    let extract = crew
        .officer
        .get(&format!("/arenden/{case}/protokollsutdrag/{decision_id}"))
        .await;
    assert_eq!(extract.status, StatusCode::OK);
    extract.assert_contains(&format!("§ 1 {TITLE}</h1>"));
    extract.assert_contains(ATTENDANCE);
    extract.assert_contains("<strong>Cecilia Ceder (V)</strong> reserverar sig mot beslutet.");
    extract.assert_contains(reservation_text);
    extract.assert_contains(&format!(
        "Protokollet justerades {ADJUSTED_ON} av {ADJUSTED_BY}."
    ));
}

// ---------------------------------------------------------------------------
// 2. Återremiss and bordläggning.
// ---------------------------------------------------------------------------

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn referred_back_returns_to_drafting_and_tabled_waits_for_a_later_meeting(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    let mut crew = Crew::new(&app).await;
    let first = register(&app, "Remiss om praktikplatser i staden", &["AMN"]).await;
    let second = register(&app, "Remiss om ett nytt jobbtorg", &["AMN"]).await;
    let meeting = crew.plan_meeting(&app, MEETING_DAY).await;
    let first_item = on_agenda(&app, &mut crew, first, meeting).await;
    let second_item = on_agenda(&app, &mut crew, second, meeting).await;

    // An återremiss needs its reason.
    let missing = crew
        .decide(meeting, &decision(&first_item, "referred_back", &[]))
        .await;
    refused(
        &missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Ange skälet till återremissen.",
    );
    assert_eq!(state(&app, first).await, "on_agenda");

    let reason = "Förvaltningen ska belysa konsekvenserna för unga arbetssökande.";
    let response = crew
        .decide(
            meeting,
            &decision(&first_item, "referred_back", &[("reason", reason)]),
        )
        .await;
    redirected(&response, "återremiss");
    assert_eq!(state(&app, first).await, "drafting");
    let page = crew.officer.get(&format!("/arenden/{first}")).await;
    page.assert_contains("<strong>Återremiss</strong>");
    page.assert_contains(reason);
    page.assert_contains("Redigera utkastet");

    let tabled = crew
        .decide(
            meeting,
            &decision(
                &second_item,
                "tabled",
                &[("reason", "Bordläggs i väntan på regionens svar.")],
            ),
        )
        .await;
    redirected(&tabled, "bordläggning");
    assert_eq!(state(&app, second).await, "approved");
    assert_eq!(
        count_for(
            &app,
            "SELECT count(*) FROM agenda_items a WHERE a.case_id = $1
             AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.agenda_item_id = a.id)",
            second
        )
        .await,
        0,
        "the tabled case no longer waits on an item of that meeting"
    );
    crew.officer
        .get(&format!("/arenden/{second}"))
        .await
        .assert_contains("<strong>Bordlagt</strong>");
    redirected(&crew.adjust(meeting).await, "justering");

    // A later meeting takes the tabled case first, then the revised one. The
    // adjusted meeting is no longer offered.
    let later = crew.plan_meeting(&app, LATER_MEETING_DAY).await;
    let offered = crew.secretary.get(&format!("/arenden/{second}")).await;
    offered.assert_contains(&format!("<option value=\"{later}\""));
    offered.assert_lacks(&format!("<option value=\"{meeting}\""));
    redirected(&crew.place(second, later).await, "placing the tabled case");
    let second_again = agenda_item(&app, later, second).await;
    let first_again = on_agenda(&app, &mut crew, first, later).await;
    for item in [&second_again, &first_again] {
        redirected(
            &crew.decide(later, &decision(item, "adopted", &[])).await,
            "decision at the later meeting",
        );
    }
    assert_eq!(state(&app, first).await, "decided");
    assert_eq!(state(&app, second).await, "decided");

    // The § run on across both meetings, in agenda order.
    assert_eq!(
        agenda(&app, meeting).await,
        vec![(first, Some(1)), (second, Some(2))]
    );
    assert_eq!(
        agenda(&app, later).await,
        vec![(second, Some(3)), (first, Some(4))]
    );
    let page = crew.officer.get(&format!("/arenden/{second}")).await;
    page.assert_contains("<strong>Bordlagt</strong>");
    page.assert_contains("<strong>Bifall till förslaget</strong>");
    page.assert_contains(&format!("href=\"/arenden/{second}/yttrande\""));
}

// ---------------------------------------------------------------------------
// 3. Agenda order and justering.
// ---------------------------------------------------------------------------

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn decisions_follow_the_agenda_which_justering_freezes(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    let mut crew = Crew::new(&app).await;
    let first = register(&app, "Remiss om feriejobb", &["AMN"]).await;
    let second = register(&app, "Remiss om vuxenutbildningens lokaler", &["AMN"]).await;
    let meeting = crew.plan_meeting(&app, MEETING_DAY).await;
    let first_item = on_agenda(&app, &mut crew, first, meeting).await;
    let second_item = on_agenda(&app, &mut crew, second, meeting).await;

    // The second item cannot be decided before the first.
    let early = crew
        .decide(meeting, &decision(&second_item, "adopted", &[]))
        .await;
    refused(
        &early,
        StatusCode::CONFLICT,
        "Besluten protokollförs i föredragningslistans ordning",
    );
    assert_eq!(state(&app, second).await, "on_agenda");
    assert_eq!(
        app.count("SELECT count(*) FROM paragraph_series WHERE year = 2027")
            .await,
        0
    );

    // Moving the second item up puts it first, on the page too.
    redirected(&crew.reorder(meeting, &second_item, "up").await, "reorder");
    assert_eq!(
        agenda(&app, meeting).await,
        vec![(second, None), (first, None)]
    );
    let page = crew
        .secretary
        .get(&format!("/sammantraden/{meeting}"))
        .await;
    let at = |case: Uuid| {
        page.body
            .find(&format!("href=\"/arenden/{case}\""))
            .unwrap()
    };
    assert!(at(second) < at(first), "the moved item is listed first");

    redirected(
        &crew
            .decide(meeting, &decision(&second_item, "adopted", &[]))
            .await,
        "deciding the item now first",
    );
    // A decided item keeps its place.
    let moved = crew.reorder(meeting, &first_item, "up").await;
    refused(&moved, StatusCode::CONFLICT, "behåller sin plats");
    redirected(
        &crew
            .decide(meeting, &decision(&first_item, "adopted", &[]))
            .await,
        "deciding the last item",
    );
    assert_eq!(
        agenda(&app, meeting).await,
        vec![(second, Some(1)), (first, Some(2))]
    );
    redirected(&crew.adjust(meeting).await, "justering");

    // After justering nothing about the meeting changes.
    let third = register(
        &app,
        "Remiss om arbetsmarknadsinsatser för nyanlända",
        &["AMN"],
    )
    .await;
    flow(&app, &mut crew, third, "approved").await;
    let events = all_events(&app).await;
    let decisions = app.count("SELECT count(*) FROM decisions").await;
    let attempts = [
        crew.decide(
            meeting,
            &decision(&first_item, "amended", &[("decision_text", "Ändrat.")]),
        )
        .await,
        crew.reorder(meeting, &first_item, "up").await,
        crew.place(third, meeting).await,
        crew.adjust(meeting).await,
    ];
    for response in &attempts {
        refused(response, StatusCode::CONFLICT, "Protokollet är justerat");
    }
    assert_eq!(
        agenda(&app, meeting).await,
        vec![(second, Some(1)), (first, Some(2))]
    );
    assert_eq!(app.count("SELECT count(*) FROM decisions").await, decisions);
    assert_eq!(all_events(&app).await, events);
    assert_eq!(state(&app, third).await, "approved");
    assert_eq!(state(&app, first).await, "decided");
}

// ---------------------------------------------------------------------------
// 4. A stale save.
// ---------------------------------------------------------------------------

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_stale_save_is_refused_with_both_texts_and_overwrites_nothing(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let case = register(&app, TITLE, &["AMN"]).await;
    let mut crew = Crew::new(&app).await;
    flow(&app, &mut crew, case, "drafting").await;
    let editor = format!("/arenden/{case}/utkast");
    let mut first = app.signed_in("handlaggare").await;
    let mut second = app.signed_in("handlaggare").await;
    for browser in [&mut first, &mut second] {
        browser
            .get(&editor)
            .await
            .assert_contains(r#"name="base" value="1""#);
    }

    let mine = "Den första handläggarens synpunkter.";
    let theirs = "Den andra handläggarens synpunkter.";
    redirected(
        &first.post_from(&editor, &editor, &draft("1", mine)).await,
        "the first save",
    );
    let conflict = second
        .post_from(&editor, &editor, &draft("1", theirs))
        .await;
    assert_eq!(conflict.status, StatusCode::CONFLICT, "{}", conflict.body);
    conflict.assert_contains("Någon annan har sparat utkastet medan du skrev");
    conflict.assert_contains(&format!("<td class=\"prewrap\">{mine}</td>"));
    conflict.assert_contains(&format!("<td class=\"prewrap\">{theirs}</td>"));
    conflict.assert_contains(&format!(">{theirs}</textarea>"));
    conflict.assert_contains(r#"name="base" value="2""#);

    assert_eq!(
        newest_considerations(&app, case).await,
        (2, mine.to_string()),
        "nothing overwritten"
    );

    // Saving again from the conflict page (now on version 2) is a deliberate choice.
    redirected(
        &second
            .post_from(&editor, &editor, &draft("2", theirs))
            .await,
        "the save from the conflict page",
    );
    assert_eq!(
        newest_considerations(&app, case).await,
        (3, theirs.to_string())
    );
}

// ---------------------------------------------------------------------------
// 5. Races on one transition.
// ---------------------------------------------------------------------------

/// Posts the same form from each browser at the same time; the statuses, sorted.
async fn race(
    app: &TestApp,
    browsers: Vec<Browser>,
    path: &str,
    fields: &[(&str, &str)],
) -> Vec<StatusCode> {
    let posts = browsers
        .into_iter()
        .map(|browser| (browser, path.to_string(), fields.to_vec()))
        .collect();
    race_each(app, posts).await
}

/// A browser, the path it posts to and its form's fields.
type Post<'a> = (Browser, String, Vec<(&'a str, &'a str)>);

/// Posts each browser's own form at the same time; the statuses, sorted.
async fn race_each(app: &TestApp, posts: Vec<Post<'_>>) -> Vec<StatusCode> {
    // Every token first: no request may start before the others are ready.
    let mut ready = Vec::new();
    for (mut browser, path, fields) in posts {
        let token = browser.get("/").await.csrf_token();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(&fields);
        let body = encode(&all);
        ready.push((browser, path, body));
    }
    // Open connections for every request, so that none starts late for lack of one.
    let mut connections = Vec::new();
    for _ in 0..app.pool.options().get_max_connections() {
        connections.push(app.pool.acquire().await.unwrap());
    }
    drop(connections);
    let tasks: Vec<_> = ready
        .into_iter()
        .map(|(mut browser, path, body)| {
            tokio::spawn(async move { browser.request("POST", &path, Some(body)).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap().status);
    }
    statuses.sort_by_key(|s| s.as_u16());
    statuses
}

/// How many times each race is run: one run may happen not to overlap.
const ROUNDS: usize = 3;

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn two_reviewers_approving_at_once_make_exactly_one_approval(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut crew = Crew::new(&app).await;
    for round in 0..ROUNDS {
        let case = register(&app, &format!("{TITLE} {round}"), &["AMN"]).await;
        flow(&app, &mut crew, case, "in_review").await;
        let revision = latest_revision(&app, case).await.to_string();
        let path = format!("/arenden/{case}/godkann");
        let reviewers = vec![
            app.signed_in("granskare").await,
            app.signed_in("granskare").await,
        ];
        assert_eq!(
            race(&app, reviewers, &path, &[("revision", &revision)]).await,
            [StatusCode::SEE_OTHER, StatusCode::CONFLICT],
            "round {round}"
        );
        assert_eq!(state(&app, case).await, "approved");
        let reviews = "SELECT count(*) FROM reviews WHERE case_id = $1";
        assert_eq!(count_for(&app, reviews, case).await, 1, "round {round}");
        let approvals =
            "SELECT count(*) FROM audit_events WHERE case_id = $1 AND action = 'case.approved'";
        assert_eq!(count_for(&app, approvals, case).await, 1, "round {round}");
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn two_secretaries_recording_one_decision_at_once_make_exactly_one(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    let mut crew = Crew::new(&app).await;
    let meeting = crew.plan_meeting(&app, MEETING_DAY).await;
    let mut cases = Vec::new();
    for round in 0..ROUNDS {
        let case = register(&app, &format!("{TITLE} {round}"), &["AMN"]).await;
        let item = on_agenda(&app, &mut crew, case, meeting).await;
        cases.push((case, item));
    }
    let path = format!("/sammantraden/{meeting}/beslut");
    for (round, (case, item)) in cases.iter().enumerate() {
        let secretaries = vec![
            app.signed_in("sekreterare").await,
            app.signed_in("sekreterare").await,
        ];
        let fields = decision(item, "adopted", &[]);
        assert_eq!(
            race(&app, secretaries, &path, &fields).await,
            [StatusCode::SEE_OTHER, StatusCode::CONFLICT],
            "round {round}"
        );
        assert_eq!(state(&app, *case).await, "decided");
        let decisions = "SELECT count(*) FROM decisions WHERE case_id = $1";
        assert_eq!(count_for(&app, decisions, *case).await, 1, "round {round}");
        let events =
            "SELECT count(*) FROM audit_events WHERE case_id = $1 AND action = 'case.decided'";
        assert_eq!(count_for(&app, events, *case).await, 1, "round {round}");
    }
    // No § was used up by a loser: they run 1, 2, 3 in agenda order.
    let expected: Vec<(Uuid, Option<i32>)> = cases
        .iter()
        .zip(1..)
        .map(|((case, _), paragraph)| (*case, Some(paragraph)))
        .collect();
    assert_eq!(agenda(&app, meeting).await, expected);
    assert_eq!(
        app.count("SELECT last_seq::bigint FROM paragraph_series WHERE year = 2027")
            .await,
        ROUNDS as i64
    );
}

/// The case's version: a form that changes who handles the case names it.
/// The revision each submission of the case named, in order.
async fn submitted_revisions(app: &TestApp, case: Uuid) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT (after->>'revision')::bigint FROM audit_events
         WHERE case_id = $1 AND action = 'case.submitted' ORDER BY id",
    )
    .bind(case)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// More rounds for the races whose loser used to win: each must overlap at least once.
const RACE_ROUNDS: usize = 5;

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_save_racing_the_submission_never_changes_the_submitted_draft(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut crew = Crew::new(&app).await;
    for round in 0..RACE_ROUNDS {
        let case = register(&app, &format!("{TITLE} {round}"), &["AMN"]).await;
        redirected(&crew.assign(&app, case).await, "assign");
        redirected(&crew.save(case, 1, CONSIDERATIONS).await, "save");
        let seen = latest_revision(&app, case).await;
        let (base, revision) = (seen.to_string(), seen.to_string());
        let editor = format!("/arenden/{case}/utkast");
        let save = draft(&base, "Synpunkter skrivna medan utkastet skickades.");
        let submit = vec![("revision", revision.as_str())];
        let statuses = race_each(
            &app,
            vec![
                (app.signed_in("handlaggare").await, editor, save),
                (
                    app.signed_in("handlaggare").await,
                    format!("/arenden/{case}/skicka"),
                    submit,
                ),
            ],
        )
        .await;
        assert_eq!(
            statuses,
            [StatusCode::SEE_OTHER, StatusCode::CONFLICT],
            "round {round}: exactly one of the save and the submission"
        );
        let latest = i64::from(latest_revision(&app, case).await);
        match state(&app, case).await.as_str() {
            // The submission won: the draft under review is the one it named.
            "in_review" => assert_eq!(
                submitted_revisions(&app, case).await,
                [latest],
                "round {round}: a revision saved after the submission"
            ),
            // The save won: nothing was submitted.
            "drafting" => {
                assert_eq!(latest, i64::from(seen) + 1, "round {round}");
                assert!(submitted_revisions(&app, case).await.is_empty());
            }
            other => panic!("round {round}: the case is {other}"),
        }
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_submission_naming_an_older_revision_is_refused(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut crew = Crew::new(&app).await;
    let case = register(&app, TITLE, &["AMN"]).await;
    redirected(&crew.assign(&app, case).await, "assign");
    redirected(&crew.save(case, 1, CONSIDERATIONS).await, "save");
    let events = case_events(&app, case).await;
    let refused = crew
        .officer
        .post(&format!("/arenden/{case}/skicka"), &[("revision", "1")])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    refused.assert_contains("Någon annan ändrade ärendet samtidigt");
    assert_eq!(state(&app, case).await, "drafting");
    assert_eq!(case_events(&app, case).await, events);
}

/// A remiss registered to AMN, its case taken to a delegation decision; the case.
async fn decided_by_delegation(app: &TestApp, crew: &mut Crew, title: &str) -> Uuid {
    let case = register(app, title, &["AMN"]).await;
    flow(app, crew, case, "approved").await;
    let decided = crew
        .reviewer
        .post(
            &format!("/arenden/{case}/delegationsbeslut"),
            &[("reference", "Delegationsordning punkt 1.4")],
        )
        .await;
    redirected(&decided, "delegation decision");
    case
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_dispatch_dated_after_today_is_refused_beside_its_field(pool: PgPool) {
    // Today is 2027-03-17 for the server.
    let app = after_the_meeting(pool).await;
    let mut crew = Crew::new(&app).await;
    let case = decided_by_delegation(&app, &mut crew, TITLE).await;

    let tomorrow = crew.dispatch(case, "2027-03-18").await;
    assert_eq!(
        tomorrow.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        tomorrow.body
    );
    tomorrow.assert_contains(
        "Datumet 2027-03-18 har inte varit ännu. Ange dagen då det skedde, senast i dag (2027-03-17).",
    );
    tomorrow.assert_contains("id=\"dispatched_on-error\"");
    tomorrow.assert_contains("value=\"2027-03-18\"");
    assert_eq!(state(&app, case).await, "decided");
    assert_eq!(
        count_for(
            &app,
            "SELECT count(*) FROM replies WHERE case_id = $1",
            case
        )
        .await,
        0
    );
    redirected(&crew.dispatch(case, "2027-03-17").await, "dispatch today");
    assert_eq!(state(&app, case).await, "answered");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn two_secretaries_dispatching_at_once_make_exactly_one_reply(pool: PgPool) {
    // Today is 2027-03-17 for the server: the dispatch is dated then.
    let app = after_the_meeting(pool).await;
    let mut crew = Crew::new(&app).await;
    for round in 0..RACE_ROUNDS {
        let case = decided_by_delegation(&app, &mut crew, &format!("{TITLE} {round}")).await;
        let secretaries = vec![
            app.signed_in("sekreterare").await,
            app.signed_in("sekreterare").await,
        ];
        let fields = [
            ("dispatched_on", "2027-03-17"),
            ("recipient", "Kulturdepartementet"),
        ];
        assert_eq!(
            race(
                &app,
                secretaries,
                &format!("/arenden/{case}/expediera"),
                &fields
            )
            .await,
            [StatusCode::SEE_OTHER, StatusCode::CONFLICT],
            "round {round}: the second dispatch is a conflict, not an error"
        );
        assert_eq!(state(&app, case).await, "answered");
        let replies = "SELECT count(*) FROM replies WHERE case_id = $1";
        assert_eq!(count_for(&app, replies, case).await, 1, "round {round}");
        let events =
            "SELECT count(*) FROM audit_events WHERE case_id = $1 AND action = 'case.dispatched'";
        assert_eq!(count_for(&app, events, case).await, 1, "round {round}");
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn two_reassignments_at_once_make_exactly_one(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut crew = Crew::new(&app).await;
    let officer = user_id(&app, "handlaggare").await;
    for round in 0..RACE_ROUNDS {
        let case = register(&app, &format!("{TITLE} {round}"), &["AMN"]).await;
        redirected(&crew.assign(&app, case).await, "assign");
        let seen = app.case_version(case).await.to_string();
        let reviewers = vec![
            app.signed_in("granskare").await,
            app.signed_in("granskare").await,
        ];
        let fields = [("officer", officer.as_str()), ("version", seen.as_str())];
        assert_eq!(
            race(
                &app,
                reviewers,
                &format!("/arenden/{case}/tilldela"),
                &fields
            )
            .await,
            [StatusCode::SEE_OTHER, StatusCode::CONFLICT],
            "round {round}: the second reassignment did not see the first"
        );
        let assignments =
            "SELECT count(*) FROM audit_events WHERE case_id = $1 AND action = 'case.assigned'";
        assert_eq!(count_for(&app, assignments, case).await, 2, "round {round}");
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_assignment_made_on_an_old_page_is_refused(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut crew = Crew::new(&app).await;
    let officer = user_id(&app, "handlaggare").await;
    let case = register(&app, TITLE, &["AMN"]).await;
    let seen = app.case_version(case).await.to_string();
    redirected(&crew.assign(&app, case).await, "assign");
    let events = case_events(&app, case).await;
    let mut registrar = app.signed_in("granskare").await;
    let stale = registrar
        .post(
            &format!("/arenden/{case}/tilldela"),
            &[("officer", officer.as_str()), ("version", seen.as_str())],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    stale.assert_contains("Någon annan ändrade ärendet samtidigt");
    assert_eq!(case_events(&app, case).await, events);
}

// ---------------------------------------------------------------------------
// 6. Role refusals on every transition route.
// ---------------------------------------------------------------------------

/// Posts as `who` and expects 403 with the case's state and the audit trail unchanged.
async fn assert_forbidden(
    app: &TestApp,
    who: &str,
    case: Uuid,
    path: &str,
    fields: &[(&str, &str)],
) {
    let mut browser = app.signed_in(who).await;
    let before = state(app, case).await;
    let events = all_events(app).await;
    let response = browser.post(path, fields).await;
    assert_eq!(
        response.status,
        StatusCode::FORBIDDEN,
        "{who} on {path} in {before}:\n{}",
        response.body
    );
    assert_eq!(state(app, case).await, before, "{who} on {path}");
    assert_eq!(all_events(app).await, events, "{who} on {path}: no event");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn every_transition_refuses_users_without_its_role(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    // A second AMN officer, who is not assigned the case.
    sqlx::query(
        "INSERT INTO users (id, username, display_name, title, organ_id, password_hash, demo)
         SELECT gen_random_uuid(), 'handlaggare2', 'Olle Olsson', 'utredare', organ_id, password_hash, true
         FROM users WHERE username = 'handlaggare'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO user_roles (user_id, organ_id, role)
         SELECT u.id, u.organ_id, 'handlaggare' FROM users u WHERE u.username = 'handlaggare2'",
    )
    .execute(&app.pool)
    .await
    .unwrap();

    let case = register(&app, TITLE, &["AMN"]).await;
    let mut crew = Crew::new(&app).await;
    let path = |action: &str| format!("/arenden/{case}/{action}");
    let officer = user_id(&app, "handlaggare").await;

    // Registered: assigning and declining.
    for who in [
        "handlaggare",
        "sekreterare",
        "handlaggare.sn",
        "registrator",
    ] {
        let version = app.case_version(case).await.to_string();
        let fields = [("officer", officer.as_str()), ("version", version.as_str())];
        assert_forbidden(&app, who, case, &path("tilldela"), &fields).await;
    }
    for who in ["handlaggare", "handlaggare.sn", "registrator"] {
        assert_forbidden(
            &app,
            who,
            case,
            &path("avboj"),
            &[("reason", "Berör oss inte.")],
        )
        .await;
    }

    // Drafting: editing and submitting.
    flow(&app, &mut crew, case, "drafting").await;
    for who in ["granskare", "sekreterare", "handlaggare.sn"] {
        assert_forbidden(
            &app,
            who,
            case,
            &path("utkast"),
            &draft("1", "Obehörig text."),
        )
        .await;
    }
    redirected(&crew.save(case, 1, CONSIDERATIONS).await, "save");
    for who in ["sekreterare", "granskare", "handlaggare2", "handlaggare.sn"] {
        assert_forbidden(&app, who, case, &path("skicka"), &[("revision", "2")]).await;
    }
    let mut other_officer = app.signed_in("handlaggare2").await;
    refused(
        &other_officer
            .post(&path("skicka"), &[("revision", "2")])
            .await,
        StatusCode::FORBIDDEN,
        "Bara den handläggare som ärendet är tilldelat kan skicka det till granskning.",
    );

    // In review: approving and returning.
    redirected(&crew.submit(&app, case).await, "submit");
    for who in [
        "handlaggare",
        "sekreterare",
        "registrator",
        "handlaggare.sn",
    ] {
        assert_forbidden(&app, who, case, &path("godkann"), &[("revision", "2")]).await;
    }
    for who in ["handlaggare", "sekreterare"] {
        let fields = [("revision", "2"), ("comment", "Skriv om.")];
        assert_forbidden(&app, who, case, &path("atersand"), &fields).await;
    }

    // Approved: planning a meeting, placing on the agenda, delegation.
    redirected(&crew.approve(&app, case).await, "approve");
    let meetings = app.count("SELECT count(*) FROM meetings").await;
    let amn = app.organ_id("AMN").await;
    for who in ["granskare", "handlaggare"] {
        let fields = [
            ("organ", amn.as_str()),
            ("date", MEETING_DAY),
            ("time", "13:00"),
            ("place", "Stadshuset"),
        ];
        assert_forbidden(&app, who, case, "/sammantraden", &fields).await;
    }
    assert_eq!(app.count("SELECT count(*) FROM meetings").await, meetings);
    let meeting = crew.plan_meeting(&app, MEETING_DAY).await;
    let meeting_id = meeting.to_string();
    for who in ["registrator", "granskare", "handlaggare"] {
        assert_forbidden(
            &app,
            who,
            case,
            &path("dagordning"),
            &[("meeting", &meeting_id)],
        )
        .await;
    }
    for who in ["sekreterare", "handlaggare"] {
        let fields = [("reference", "Delegationsordning punkt 1.4")];
        assert_forbidden(&app, who, case, &path("delegationsbeslut"), &fields).await;
    }

    // On the agenda: the order and the decision.
    redirected(&crew.place(case, meeting).await, "place");
    let item = agenda_item(&app, meeting, case).await;
    let meeting_path = |action: &str| format!("/sammantraden/{meeting}/{action}");
    for who in ["granskare", "handlaggare", "registrator"] {
        let fields = decision(&item, "adopted", &[]);
        assert_forbidden(&app, who, case, &meeting_path("beslut"), &fields).await;
        let fields = [("item", item.as_str()), ("direction", "down")];
        assert_forbidden(&app, who, case, &meeting_path("ordning"), &fields).await;
    }
    assert_eq!(
        count_for(
            &app,
            "SELECT count(*) FROM decisions WHERE case_id = $1",
            case
        )
        .await,
        0
    );

    // Decided: justering and dispatch.
    redirected(
        &crew.decide(meeting, &decision(&item, "adopted", &[])).await,
        "decision",
    );
    for who in ["granskare", "handlaggare"] {
        let fields = [("adjusted_on", ADJUSTED_ON), ("adjusted_by", ADJUSTED_BY)];
        assert_forbidden(&app, who, case, &meeting_path("justering"), &fields).await;
    }
    assert_eq!(
        count_for(
            &app,
            "SELECT count(*) FROM meetings WHERE id = $1 AND adjusted_on IS NOT NULL",
            meeting
        )
        .await,
        0
    );
    for who in ["granskare", "handlaggare", "registrator"] {
        let fields = [
            ("dispatched_on", "2027-02-19"),
            ("recipient", "Kulturdepartementet"),
        ];
        assert_forbidden(&app, who, case, &path("expediera"), &fields).await;
    }
    // The secretary, who has the role, can once the minutes are adjusted.
    redirected(&crew.adjust(meeting).await, "justering");
    redirected(&crew.dispatch(case, "2027-02-19").await, "dispatch");
    assert_eq!(state(&app, case).await, "answered");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn delegation_is_refused_where_the_organ_forbids_it_and_decides_where_allowed(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // The AMN officer and reviewer also work for Utbildningsnämnden.
    sqlx::query(
        "INSERT INTO user_roles (user_id, organ_id, role)
         SELECT u.id, o.id, r.role FROM users u, organs o,
                (VALUES ('handlaggare', 'handlaggare'), ('granskare', 'granskare')) AS r (username, role)
         WHERE u.username = r.username AND o.diarium_prefix = 'UN'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let mut crew = Crew::new(&app).await;
    let reference = [("reference", "Delegationsordning punkt 1.4")];

    let un = register(&app, "Remiss om skolans digitalisering", &["UN"]).await;
    flow(&app, &mut crew, un, "approved").await;
    let events = all_events(&app).await;
    let response = crew
        .reviewer
        .post(&format!("/arenden/{un}/delegationsbeslut"), &reference)
        .await;
    refused(
        &response,
        StatusCode::FORBIDDEN,
        "Nämnden tillåter inte delegationsbeslut.",
    );
    assert_eq!(state(&app, un).await, "approved");
    assert_eq!(all_events(&app).await, events);
    assert_eq!(
        count_for(
            &app,
            "SELECT count(*) FROM decisions WHERE case_id = $1",
            un
        )
        .await,
        0
    );

    let amn = register(&app, TITLE, &["AMN"]).await;
    flow(&app, &mut crew, amn, "approved").await;
    let seen = case_events(&app, amn).await;
    let response = crew
        .reviewer
        .post(&format!("/arenden/{amn}/delegationsbeslut"), &reference)
        .await;
    redirected(&response, "delegation in AMN");
    assert_step(&app, amn, "decided", "case.decided_by_delegation", seen).await;
    let (outcome, paragraph, stated): (String, Option<i32>, Option<String>) = sqlx::query_as(
        "SELECT outcome, paragraph, delegation_reference FROM decisions WHERE case_id = $1",
    )
    .bind(amn)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(outcome, "delegation");
    assert_eq!(paragraph, None, "no § without a meeting");
    assert_eq!(stated.as_deref(), Some("Delegationsordning punkt 1.4"));
    crew.officer
        .get(&format!("/arenden/{amn}"))
        .await
        .assert_contains("på delegation (Delegationsordning punkt 1.4) av Karin Eriksson-Bech");
}

// ---------------------------------------------------------------------------
// 7. What other organs see.
// ---------------------------------------------------------------------------

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn other_organs_see_the_decision_but_not_the_drafts(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    let case = register(&app, TITLE, &["AMN"]).await;
    let mut crew = Crew::new(&app).await;
    flow(&app, &mut crew, case, "drafting").await;
    redirected(&crew.save(case, 1, CONSIDERATIONS).await, "save");
    let working = [
        format!("/arenden/{case}/utkast"),
        format!("/arenden/{case}/versioner"),
        format!("/arenden/{case}/granskning"),
        format!("/arenden/{case}/tjansteutlatande"),
    ];
    // The organ's own officer reads them all (the refusals below are about the organ).
    for path in &working {
        assert_eq!(
            crew.officer.get(path).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    let mut outsiders = [
        app.signed_in("handlaggare.sn").await,
        app.signed_in("registrator").await,
    ];
    for outsider in &mut outsiders {
        for path in &working {
            let response = outsider.get(path).await;
            assert_eq!(response.status, StatusCode::FORBIDDEN, "{path}");
            response.assert_lacks(CONSIDERATIONS);
        }
        let page = outsider.get(&format!("/arenden/{case}")).await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_lacks("id=\"report-title\"");
        page.assert_lacks("/utkast\"");
        page.assert_lacks("/versioner\"");
    }

    // Decided at a meeting: the decision, the yttrande and the decided report are
    // for everyone once the minutes are adjusted; before, they are working material.
    redirected(&crew.submit(&app, case).await, "submit");
    let meeting = crew.plan_meeting(&app, MEETING_DAY).await;
    let item = on_agenda(&app, &mut crew, case, meeting).await;
    redirected(
        &crew.decide(meeting, &decision(&item, "adopted", &[])).await,
        "decision",
    );
    let decision_id: Uuid = sqlx::query_scalar("SELECT id FROM decisions WHERE case_id = $1")
        .bind(case)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let extract = format!("/arenden/{case}/protokollsutdrag/{decision_id}");
    let decided = [
        extract.clone(),
        format!("/arenden/{case}/yttrande"),
        format!("/arenden/{case}/tjansteutlatande"),
    ];
    for outsider in &mut outsiders {
        for path in decided.iter().chain(&working[..3]) {
            let response = outsider.get(path).await;
            assert_eq!(
                response.status,
                StatusCode::FORBIDDEN,
                "{path} before justering"
            );
            response.assert_lacks(CONSIDERATIONS);
        }
    }
    redirected(&crew.adjust(meeting).await, "justering");
    for outsider in &mut outsiders {
        let page = outsider.get(&format!("/arenden/{case}")).await;
        page.assert_contains("<strong>Bifall till förslaget</strong>");
        page.assert_contains("· § 1");
        page.assert_lacks("id=\"report-title\"");
        let page = outsider.get(&extract).await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains(ATTENDANCE);
        let reply = outsider.get(&format!("/arenden/{case}/yttrande")).await;
        assert_eq!(reply.status, StatusCode::OK);
        reply.assert_contains(PROPOSAL);
        reply.assert_contains(CONSIDERATIONS);
        let report = outsider
            .get(&format!("/arenden/{case}/tjansteutlatande"))
            .await;
        assert_eq!(report.status, StatusCode::OK);
        report.assert_contains("Beslutad version");
        for path in &working[..3] {
            assert_eq!(
                outsider.get(path).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// 8. The reference document.
// ---------------------------------------------------------------------------

pub(crate) const REFERENCE_HEADINGS: [&str; 5] = [
    "Arbetsmarknadsförvaltningens förslag till beslut",
    "Sammanfattning",
    "Ärendets beredning",
    "Ärendet",
    "Arbetsmarknadsförvaltningens synpunkter och förslag",
];

/// The reference PDF's text as headings and paragraphs, in order, up to the
/// signatures; and the signatories' titles from its last line.
///
/// The text is a PDF extraction: lines are trimmed and joined into paragraphs
/// (separated by blank lines), a word hyphenated at a line end is joined again,
/// a heading stands on its own line (its paragraph may follow without a blank
/// line), and a proposal's number belongs to the list, not the text. The first
/// line (the tail of the title) and the signature block's duplicated names are
/// artefacts of the extraction.
pub(crate) fn reference_document(text: &str) -> (Vec<String>, Vec<String>) {
    let mut items = Vec::new();
    let mut paragraph = String::new();
    let mut lines = text.lines().skip(1).map(str::trim);
    for line in lines.by_ref() {
        if line.starts_with("____") {
            break;
        }
        if line.is_empty() || REFERENCE_HEADINGS.contains(&line) {
            if !paragraph.is_empty() {
                items.push(std::mem::take(&mut paragraph));
            }
            if !line.is_empty() {
                items.push(line.to_string());
            }
            continue;
        }
        let hyphenated = paragraph.ends_with('-');
        if hyphenated && line.starts_with(char::is_lowercase) {
            paragraph.pop();
        } else if !paragraph.is_empty() && !hyphenated {
            paragraph.push(' ');
        }
        paragraph.push_str(line);
    }
    if !paragraph.is_empty() {
        items.push(paragraph);
    }
    let items = items
        .into_iter()
        .map(|item| {
            let unnumbered = match item.split_once(". ") {
                Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit()) => rest.to_string(),
                _ => item,
            };
            collapse(&unnumbered)
        })
        .collect();
    let titles = lines
        .filter(|line| !line.is_empty())
        .last()
        .expect("the signatories' titles")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    (items, titles)
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_reference_case_prints_as_the_reference_document(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let case = case_id(&app, "Stockholms stads trygghetsprogram 2020-2023", "AMN").await;
    assert_eq!(state(&app, case).await, "answered");
    let mut officer = app.signed_in("handlaggare").await;
    let page = officer
        .get(&format!("/arenden/{case}/tjansteutlatande"))
        .await;
    assert_eq!(page.status, StatusCode::OK);

    let headings: Vec<String> = tag_texts(&page.body, "h2")
        .iter()
        .map(|h| collapse(&unescape(h)))
        .collect();
    // The reference document's sections, then the bilagor: the remiss's documents.
    let mut sections = REFERENCE_HEADINGS.to_vec();
    sections.push("Bilagor");
    assert_eq!(headings, sections, "the headings, in order");

    let fixture = include_str!("../fixtures/tjansteutlatande-amn-trygghetsprogram.txt");
    let (mut expected, titles) = reference_document(fixture);
    assert!(
        expected
            .iter()
            .any(|item| item == "Remiss från kommunstyrelsen dnr KS 2019/1939"),
        "the fixture is read as intended: {expected:#?}"
    );
    assert!(expected.len() > 30, "{expected:#?}");
    let names = ["Karina Uddén", "Karin Eriksson-Bech"];
    assert_eq!(titles, ["arbetsmarknadsdirektör", "utvecklingschef"]);
    for (name, title) in names.iter().zip(&titles) {
        expected.push(name.to_string());
        expected.push(title.clone());
    }
    assert_in_order(&page_text(&page.body), &expected);
}

// ---------------------------------------------------------------------------
// 9. Declining.
// ---------------------------------------------------------------------------

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_case_is_declined_with_a_reason_but_not_once_decided(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    // Kommunstyrelsen is the registrar's own organ.
    let case = register(&app, TITLE, &["KS", "AMN"]).await;
    let mut registrar = app.signed_in("registrator").await;
    let decline = format!("/arenden/{case}/avboj");
    let seen = case_events(&app, case).await;

    let response = registrar.post(&decline, &[("reason", "  ")]).await;
    refused(
        &response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Ange varför nämnden avstår från att svara.",
    );
    assert_eq!(state(&app, case).await, "registered");
    assert_eq!(case_events(&app, case).await, seen);

    let reason = "Remissen berör inte kommunstyrelsens ansvarsområde.";
    redirected(
        &registrar.post(&decline, &[("reason", reason)]).await,
        "decline",
    );
    assert_step(&app, case, "declined", "case.declined", seen).await;
    let stored: Option<String> =
        sqlx::query_scalar("SELECT declined_reason FROM cases WHERE id = $1")
            .bind(case)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored.as_deref(), Some(reason));
    let page = registrar.get(&format!("/arenden/{case}")).await;
    page.assert_contains("Avböjt");
    page.assert_contains(reason);

    // A decided case has answered in substance: declining it is refused.
    let amn = case_id(&app, TITLE, "AMN").await;
    let mut crew = Crew::new(&app).await;
    flow(&app, &mut crew, amn, "approved").await;
    redirected(
        &crew
            .reviewer
            .post(
                &format!("/arenden/{amn}/delegationsbeslut"),
                &[("reference", "Delegationsordning punkt 1.4")],
            )
            .await,
        "delegation",
    );
    let events = all_events(&app).await;
    let response = crew
        .reviewer
        .post(&format!("/arenden/{amn}/avboj"), &[("reason", reason)])
        .await;
    refused(
        &response,
        StatusCode::CONFLICT,
        "Ärendet är beslutat och kan inte avböjas.",
    );
    assert_eq!(state(&app, amn).await, "decided");
    assert_eq!(all_events(&app).await, events);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_case_declined_on_the_agenda_leaves_it_and_the_rest_close_up(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    let mut crew = Crew::new(&app).await;
    let meeting = crew.plan_meeting(&app, MEETING_DAY).await;
    let mut cases = Vec::new();
    for round in 0..3 {
        let case = register(&app, &format!("{TITLE} {round}"), &["AMN"]).await;
        let item = on_agenda(&app, &mut crew, case, meeting).await;
        cases.push((case, item));
    }
    let declined = crew
        .secretary
        .post(
            &format!("/arenden/{}/avboj", cases[1].0),
            &[("reason", "Remissen berör inte nämndens ansvarsområde.")],
        )
        .await;
    redirected(&declined, "decline on the agenda");
    assert_eq!(state(&app, cases[1].0).await, "declined");
    let positions: Vec<(Uuid, i32)> = sqlx::query_as(
        "SELECT case_id, position FROM agenda_items WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(meeting)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(positions, vec![(cases[0].0, 1), (cases[2].0, 2)]);
    for (_, item) in [&cases[0], &cases[2]] {
        redirected(
            &crew.decide(meeting, &decision(item, "adopted", &[])).await,
            "decision",
        );
    }
    assert_eq!(
        agenda(&app, meeting).await,
        vec![(cases[0].0, Some(1)), (cases[2].0, Some(2))]
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_draft_resubmitted_unchanged_is_compared_with_the_returned_revision(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let case = register(&app, TITLE, &["AMN"]).await;
    let mut crew = Crew::new(&app).await;
    flow(&app, &mut crew, case, "in_review").await;
    let returned = crew
        .reviewer
        .post(
            &format!("/arenden/{case}/atersand"),
            &[("revision", "2"), ("comment", "Se över sammanfattningen.")],
        )
        .await;
    redirected(&returned, "return");
    // The officer disagrees and sends the same text back.
    redirected(&crew.submit(&app, case).await, "resubmit");
    assert_eq!(latest_revision(&app, case).await, 2);
    let review = crew
        .reviewer
        .get(&format!("/arenden/{case}/granskning"))
        .await;
    review.assert_lacks("utkastet inte har granskats tidigare");
    review.assert_contains("Utkastet är oförändrat sedan version 2 granskades senast.");
    review.assert_lacks("diff-section changed");
}
