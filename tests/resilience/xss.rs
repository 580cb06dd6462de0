//! The XSS corpus through the real binary: each payload typed into every text
//! field a user can fill, along a whole case from registration to the dispatched
//! yttrande (and a decline, a delegation decision, a user and an organ of its
//! own), then every page read: the pages met on the way, the print views, the
//! sender's summary and its CSV, the public diarium and its Atom feed, searches
//! for it, and a crawl of every link each kind of user can follow. Nothing comes
//! back unescaped, no link runs script, no CSV cell is a formula, the feed parses.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use uuid::Uuid;

use crate::city::{organ_id, user_id};
use crate::crew::{Crew, draft, meeting_day, today};
use crate::harness::{Cluster, Remiss, beside_others};
use crate::http::{Browser, Response};
use crate::load::dates;

/// `{n}` is replaced by the payload's number, so that each is told apart.
const PAYLOADS: [&str; 24] = [
    "<script>alert({n})</script>",
    "\"><script>alert({n})</script>",
    "'><img src=x onerror=alert({n})>",
    "<svg onload=alert({n})>",
    "<iframe src=\"javascript:alert({n})\"></iframe>",
    "<a href=\"javascript:alert({n})\">klicka {n}</a>",
    "javascript:alert({n})",
    "<details open ontoggle=alert({n})>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert({n})>",
    "</textarea><script>alert({n})</script>",
    "]]><script>alert({n})</script><![CDATA[",
    "<scr<script>ipt>alert({n})</script>",
    "<input autofocus onfocus=alert({n})>",
    "<form action=//evil.example/{n}><button>Skicka</button></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=//evil.example/{n}\">",
    "<base href=\"//evil.example/{n}/\">",
    "\" autofocus onfocus=\"alert({n})",
    "' autofocus onfocus='alert({n})",
    "&lt;script&gt;alert({n})&lt;/script&gt;",
    "</script><script>alert({n})</script>",
    "=HYPERLINK(\"http://evil.example/{n}\",\"klicka\")",
    "+cmd|' /C calc'!A{n}",
    "@SUM(1+{n})*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A{n}",
];

/// Looks at every answer for the payloads, and keeps what it finds.
struct Inspector {
    payloads: Vec<String>,
    findings: Mutex<BTreeSet<String>>,
    pages: Mutex<usize>,
}

/// Attributes whose value a browser follows or runs.
const URL_ATTRIBUTES: [&str; 6] = ["href", "src", "action", "formaction", "xlink:href", "data"];

impl Inspector {
    fn new() -> Inspector {
        Inspector {
            payloads: (0..PAYLOADS.len()).map(payload).collect(),
            findings: Mutex::default(),
            pages: Mutex::default(),
        }
    }

    fn found(&self, finding: String) {
        self.findings.lock().unwrap().insert(finding);
    }

    /// `text` with `at` and some of what surrounds it, for a finding.
    fn context(text: &str, at: usize, len: usize) -> String {
        let mut start = at.saturating_sub(60);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (at + len + 60).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        text[start..end].replace('\n', " ")
    }

    fn inspect(&self, request: &str, response: &Response) {
        *self.pages.lock().unwrap() += 1;
        if response.status >= 500 {
            self.found(format!(
                "{request}: answered {}, so its content went unchecked",
                response.status
            ));
            return;
        }
        let kind = response
            .header("content-type")
            .unwrap_or_default()
            .to_string();
        let body = &response.body;
        // A PDF or Word file is a download (attachment, nosniff) that opens outside
        // the page: no markup of the site's to escape. Its text is tested in
        // tests/api/document_files.rs.
        let download = response
            .header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment"));
        if download
            && (kind.starts_with("application/pdf")
                || kind.starts_with("application/vnd.openxmlformats"))
        {
            return;
        }
        if kind.starts_with("text/csv") {
            self.inspect_csv(request, body);
            return;
        }
        let xml = kind.contains("xml");
        for payload in &self.payloads {
            // In HTML every one of these is escaped; in XML text quotes may stand.
            let special: &[char] = if xml {
                &['<', '>', '&']
            } else {
                &['<', '>', '&', '"', '\'']
            };
            if !payload.contains(special) {
                continue;
            }
            for form in [payload.as_str(), payload.trim()] {
                if let Some(at) = body.find(form) {
                    self.found(format!(
                        "{request} ({kind}) has {payload:?} unescaped: …{}…",
                        Inspector::context(body, at, form.len())
                    ));
                }
            }
        }
        if xml {
            let mut reader = quick_xml::Reader::from_str(body);
            reader.config_mut().check_end_names = true;
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(error) => {
                        self.found(format!(
                            "{request}: the feed is not well-formed XML: {error}"
                        ));
                        break;
                    }
                }
            }
        } else if kind.starts_with("text/html") {
            self.inspect_urls(request, body);
        }
    }

    /// No link, source or form target on the page runs script.
    fn inspect_urls(&self, request: &str, body: &str) {
        let mut rest = body;
        while let Some(at) = rest.find('<') {
            let tag_end = rest[at..].find('>').map_or(rest.len(), |i| at + i + 1);
            let tag = &rest[at..tag_end];
            for (name, value) in crate::html::attributes(tag) {
                let value: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if URL_ATTRIBUTES.contains(&name.as_str())
                    && ["javascript:", "vbscript:", "data:text/html"]
                        .iter()
                        .any(|scheme| value.starts_with(scheme))
                {
                    self.found(format!("{request}: {tag} runs script from its {name}"));
                }
            }
            rest = &rest[tag_end.max(at + 1)..];
        }
    }

    /// Every cell of every row: none that a spreadsheet would run as a formula.
    fn inspect_csv(&self, request: &str, body: &str) {
        for row in parse_csv(body.trim_start_matches('\u{feff}')) {
            for cell in row {
                if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    self.found(format!("{request}: the CSV cell {cell:?} is a formula"));
                }
            }
        }
    }
}

/// RFC 4180: quoted fields with doubled quotes, rows ended by CRLF.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

fn payload(n: usize) -> String {
    PAYLOADS[n].replace("{n}", &n.to_string())
}

/// Sends the form of `page` to `action` with the payload typed in; if the server
/// refuses what was typed (422, with the form shown again, which the inspector
/// reads too), sends it again with `plain` instead so that the case goes on.
async fn fill(
    browser: &mut Browser,
    page: &str,
    action: &str,
    which: Option<(&str, &str)>,
    typed: &[(&str, &str)],
    plain: &[(&str, &str)],
) -> Response {
    let form = browser.form_where(page, action, which, typed).await;
    let response = browser.send(&form).await;
    let response = if response.status == 422 {
        let form = browser.form_where(page, action, which, plain).await;
        browser.send(&form).await
    } else {
        response
    };
    assert!(
        response.status == 303 || response.status == 200,
        "{action} from {page} should go through:\n{}",
        response.body
    );
    response
}

/// One payload along a whole case, in every text field, and the pages of that
/// case read by each of its people and by the public.
async fn one_payload(mut crew: Crew, mut admin: Browser, mut visitor: Browser, n: usize) {
    let p = payload(n);
    let pool = &crew.pool.clone();
    let amn = organ_id(pool, "AMN").await.to_string();
    let un = organ_id(pool, "UN").await.to_string();
    let (received, deadline) = dates();
    let day = today();
    let officer_id = user_id(pool, "handlaggare").await.to_string();

    // Registration, to AMN and UN.
    let plain_title = format!("Remiss nummer {n}");
    let registered = fill(
        &mut crew.registrar,
        "/remisser/ny",
        "/remisser",
        None,
        &[
            ("title", &p),
            ("sender_name", &p),
            ("sender_dnr", &p),
            ("description", &p),
            ("received_on", &received),
            ("deadline", &deadline),
            ("respondents", &amn),
            ("respondents", &un),
        ],
        &[
            ("title", &plain_title),
            ("sender_name", "Avsändare"),
            ("received_on", &received),
            ("deadline", &deadline),
            ("respondents", &amn),
            ("respondents", &un),
        ],
    )
    .await;
    let referral: Uuid = registered
        .location()
        .and_then(|l| l.strip_prefix("/remisser/"))
        .and_then(|id| Uuid::parse_str(id).ok())
        .expect("the new remiss");
    let case_in = |organ: String| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>(
                "SELECT id FROM cases WHERE referral_id = $1 AND organ_id = $2::uuid",
            )
            .bind(referral)
            .bind(organ)
            .fetch_one(&pool)
            .await
            .expect("the case")
        }
    };
    let case = case_in(amn.clone()).await;
    let un_case = case_in(un.clone()).await;
    let page = format!("/arenden/{case}");
    let editor = format!("{page}/utkast");
    let review = format!("{page}/granskning");

    // The report, reviewed, returned with a comment, and approved.
    fill(
        &mut crew.reviewer,
        &page,
        &format!("{page}/tilldela"),
        None,
        &[("officer", &officer_id)],
        &[("officer", &officer_id)],
    )
    .await;
    let everything = [
        ("title", p.as_str()),
        ("proposals", &p),
        ("summary", &p),
        ("preparation", &p),
        ("background", &p),
        ("considerations", &p),
        ("signatory_name", &p),
        ("signatory_title", &p),
    ];
    fill(
        &mut crew.officer,
        &editor,
        &editor,
        None,
        &draft(&everything),
        &draft(&[]),
    )
    .await;
    fill(
        &mut crew.officer,
        &page,
        &format!("{page}/skicka"),
        None,
        &[],
        &[],
    )
    .await;
    fill(
        &mut crew.reviewer,
        &review,
        &format!("{page}/atersand"),
        None,
        &[("comment", &p)],
        &[("comment", "Skriv om.")],
    )
    .await;
    let again = format!("{p} igen");
    fill(
        &mut crew.officer,
        &editor,
        &editor,
        None,
        &draft(&[("considerations", &again), ("proposals", &p)]),
        &draft(&[]),
    )
    .await;
    fill(
        &mut crew.officer,
        &page,
        &format!("{page}/skicka"),
        None,
        &[],
        &[],
    )
    .await;
    fill(
        &mut crew.reviewer,
        &review,
        &format!("{page}/godkann"),
        None,
        &[],
        &[],
    )
    .await;

    // The meeting, the decision with a reservation and a statement, justering,
    // dispatch.
    let planned = fill(
        &mut crew.secretary,
        "/sammantraden",
        "/sammantraden",
        None,
        &[
            ("organ", &amn),
            ("date", &meeting_day()),
            ("time", "13:00"),
            ("place", &p),
        ],
        &[
            ("organ", &amn),
            ("date", &meeting_day()),
            ("time", "13:00"),
            ("place", "Stadshuset"),
        ],
    )
    .await;
    let meeting = planned
        .location()
        .and_then(|l| l.strip_prefix("/sammantraden/"))
        .map(str::to_string)
        .expect("the new meeting");
    let meeting_page = format!("/sammantraden/{meeting}");
    fill(
        &mut crew.secretary,
        &page,
        &format!("{page}/dagordning"),
        None,
        &[("meeting", &meeting)],
        &[("meeting", &meeting)],
    )
    .await;
    let item = crew.agenda_item(case).await.to_string();
    fill(
        &mut crew.secretary,
        &meeting_page,
        &format!("{meeting_page}/beslut"),
        Some(("item", &item)),
        &[
            ("outcome", "amended"),
            ("decision_text", &p),
            ("attendance", &p),
            ("reservation_member", &p),
            ("reservation_party", &p),
            ("reservation_text", &p),
            ("statement_member", &p),
            ("statement_party", &p),
            ("statement_text", &p),
        ],
        &[
            ("outcome", "adopted"),
            ("attendance", crate::crew::ATTENDANCE),
        ],
    )
    .await;
    fill(
        &mut crew.secretary,
        &meeting_page,
        &format!("{meeting_page}/justering"),
        None,
        &[("adjusted_on", &day), ("adjusted_by", &p)],
        &[("adjusted_on", &day), ("adjusted_by", "Ordföranden")],
    )
    .await;
    fill(
        &mut crew.secretary,
        &page,
        &format!("{page}/expediera"),
        None,
        &[("dispatched_on", &day), ("recipient", &p)],
        &[("dispatched_on", &day), ("recipient", "Avsändaren")],
    )
    .await;

    // UN declines (the reviewer holds the role there for this test).
    let un_page = format!("/arenden/{un_case}");
    fill(
        &mut crew.reviewer,
        &un_page,
        &format!("{un_page}/avboj"),
        None,
        &[("reason", &p)],
        &[("reason", "Berör inte oss.")],
    )
    .await;

    // Some payloads also go through a delegation decision.
    if n.is_multiple_of(5) {
        let delegated = crew.register(&format!("Delegation {n}")).await;
        crew.take_to(delegated, "approved", &[]).await;
        let delegated_page = format!("/arenden/{delegated}");
        fill(
            &mut crew.reviewer,
            &delegated_page,
            &format!("{delegated_page}/delegationsbeslut"),
            None,
            &[("reference", &p)],
            &[("reference", "Delegationsordning 1.4")],
        )
        .await;
    }

    // A user and an organ of its own.
    let username = format!("xss{n}");
    fill(
        &mut admin,
        "/admin/anvandare/ny",
        "/admin/anvandare",
        None,
        &[
            ("username", &username),
            ("display_name", &p),
            ("title", &p),
            ("organ", &amn),
            ("password", "ett-långt-lösenord"),
        ],
        &[
            ("username", &username),
            ("display_name", "Ny Användare"),
            ("organ", &amn),
            ("password", "ett-långt-lösenord"),
        ],
    )
    .await;
    let prefix = format!(
        "X{}{}",
        (b'A' + (n / 26) as u8) as char,
        (b'A' + (n % 26) as u8) as char
    );
    let organ_name = format!("{p} {n}");
    fill(
        &mut admin,
        "/admin/organ/ny",
        "/admin/organ",
        None,
        &[
            ("name", &organ_name),
            ("diarium_prefix", &prefix),
            ("administration", &p),
        ],
        &[
            ("name", &format!("Nämnd {n}")),
            ("diarium_prefix", &prefix),
            ("administration", "Förvaltning"),
        ],
    )
    .await;

    let decision: Uuid = sqlx::query_scalar("SELECT id FROM decisions WHERE case_id = $1")
        .bind(case)
        .fetch_one(pool)
        .await
        .expect("the decision");
    let query = crate::http::encode(&[("q", &p)]);
    let next = crate::http::encode(&[("next", &p)]);
    // Read as each of them: the officer, the secretary, the registrar, the admin.
    // (The lists and start pages, which show every payload, are read once at the
    // end.)
    for (browser, paths) in [
        (
            &mut crew.officer,
            vec![
                page.clone(),
                format!("{page}/versioner"),
                format!("{page}/tjansteutlatande"),
                format!("{page}/yttrande"),
                format!("{page}/protokollsutdrag/{decision}"),
                format!("/remisser/{referral}"),
                format!("/remisser/{referral}/sammanstallning"),
                format!("/remisser/{referral}/sammanstallning.csv"),
                format!("/sok?{query}"),
            ],
        ),
        (&mut crew.secretary, vec![meeting_page.clone()]),
        (
            &mut crew.registrar,
            vec![format!("/remisser/{referral}/redigera"), un_page.clone()],
        ),
        (
            &mut admin,
            vec![format!(
                "/admin/anvandare/{}",
                user_id(pool, &username).await
            )],
        ),
    ] {
        for path in paths {
            browser.get(&path).await;
        }
    }
    for path in [
        format!("/diarium/{case}"),
        format!("/diarium/{case}/yttrande"),
        format!("/diarium/{un_case}"),
        format!("/diarium?{query}"),
        format!("/login?{next}"),
    ] {
        visitor.get(&path).await;
    }
}

/// Follows every link of this site from `seeds`, at most three pages of each
/// kind (ids replaced), reading each.
async fn crawl(browser: &mut Browser, seeds: &[&str]) -> usize {
    let mut queue: VecDeque<String> = seeds.iter().map(|s| s.to_string()).collect();
    let mut seen: HashSet<String> = queue.iter().cloned().collect();
    let mut kinds: std::collections::HashMap<String, usize> = Default::default();
    let mut read = 0;
    while let Some(path) = queue.pop_front() {
        let kind: String = path
            .split('?')
            .next()
            .unwrap_or_default()
            .split('/')
            .map(|part| {
                if Uuid::parse_str(part).is_ok() {
                    "{id}"
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let count = kinds.entry(kind).or_default();
        *count += 1;
        if *count > 3 || path.starts_with("/static/") {
            continue;
        }
        let response = browser.get(&path).await;
        read += 1;
        if !response
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html"))
        {
            continue;
        }
        for link in crate::html::links(&response.body) {
            if seen.insert(link.clone()) {
                queue.push_back(link);
            }
        }
    }
    read
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_payload_typed_into_any_field_comes_back_unescaped_on_any_page_feed_or_export() {
    let _turn = beside_others().await;
    let cluster = Cluster::start().await;
    let remiss = Remiss::start(&cluster).await;
    let pool = cluster.pool().await;
    // AMN's reviewer may decline UN's cases too.
    sqlx::query(
        "INSERT INTO user_roles (user_id, organ_id, role)
         SELECT u.id, o.id, 'granskare' FROM users u, organs o
         WHERE u.username = 'granskare' AND o.diarium_prefix = 'UN'",
    )
    .execute(&pool)
    .await
    .expect("the reviewer's role in UN");
    let inspector = Arc::new(Inspector::new());
    let base = remiss.base();
    let observer: crate::http::Observer = {
        let inspector = inspector.clone();
        Arc::new(move |request, response| inspector.inspect(request, response))
    };
    let mut crew = Crew::new(&base, pool.clone()).await;
    crew.observe(observer.clone());
    let mut admin = Browser::new(&base);
    admin.observe(observer.clone());
    admin.login_as("admin").await;
    let mut visitor = Browser::new(&base);
    visitor.observe(observer.clone());

    // Four payloads at a time, each in its own tabs.
    let mut next = 0;
    while next < PAYLOADS.len() {
        let batch: Vec<_> = (next..(next + 4).min(PAYLOADS.len()))
            .map(|n| {
                let crew = crew.another_tab();
                let (admin, visitor) = (admin.another_tab(), visitor.another_tab());
                tokio::spawn(one_payload(crew, admin, visitor, n))
            })
            .collect();
        for task in batch {
            task.await.expect("a payload's run");
        }
        next += 4;
    }

    let mut crawled = 0;
    let seeds = ["/", "/remisser", "/sammantraden", "/admin", "/diarium"];
    for browser in [
        &mut admin,
        &mut crew.officer,
        &mut crew.reviewer,
        &mut crew.secretary,
        &mut crew.registrar,
    ] {
        crawled += crawl(browser, &seeds).await;
    }
    crawled += crawl(
        &mut visitor,
        &["/diarium", "/diarium/atom", "/login", "/tillganglighet"],
    )
    .await;
    // Last, as they fail and the login throttle then refuses everyone here: the
    // login form shown again with what was typed (422, then 429).
    for n in 0..PAYLOADS.len() {
        let p = payload(n);
        visitor
            .submit("/login", "/login", &[("username", &p), ("password", &p)])
            .await;
    }

    let findings = inspector.findings.lock().unwrap();
    let pages = *inspector.pages.lock().unwrap();
    assert!(crawled > 50, "the crawl read {crawled} pages");
    assert!(
        findings.is_empty(),
        "{} findings in {pages} answers read:\n{}",
        findings.len(),
        findings.iter().cloned().collect::<Vec<_>>().join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(content_type: &str, body: &str) -> Response {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("content-type", content_type.parse().unwrap());
        Response {
            status: 200,
            headers,
            body: body.to_string(),
        }
    }

    #[test]
    fn the_inspector_finds_what_it_looks_for_and_only_that() {
        let inspector = Inspector::new();
        let escaped =
            "<p>&lt;script&gt;alert(0)&lt;/script&gt; &#34;&gt;</p><a href=\"/arenden\">x</a>";
        inspector.inspect("GET /ok", &answer("text/html; charset=utf-8", escaped));
        inspector.inspect(
            "GET /ok.csv",
            &answer("text/csv", "\"'=HYPERLINK(\"\"x\"\")\",\"a\"\r\n"),
        );
        assert!(inspector.findings.lock().unwrap().is_empty());

        inspector.inspect(
            "GET /raw",
            &answer("text/html", &format!("<p>{}</p>", payload(0))),
        );
        inspector.inspect(
            "GET /link",
            &answer("text/html", "<a href=\" JaVa&#x53;cript:alert(1)\">x</a>"),
        );
        inspector.inspect("GET /x.csv", &answer("text/csv", "\"=1+1\",\"b\"\r\n"));
        inspector.inspect(
            "GET /feed",
            &answer("application/atom+xml", "<feed><title>a</feed>"),
        );
        let findings = inspector.findings.lock().unwrap();
        assert_eq!(findings.len(), 4, "{findings:#?}");
    }

    #[test]
    fn csv_is_read_as_rfc_4180_has_it() {
        assert_eq!(
            parse_csv("\"a\",\"b \"\"c\"\"\"\r\n\"d\ne\",f\r\n"),
            [vec!["a", "b \"c\""], vec!["d\ne", "f"]]
        );
    }
}
