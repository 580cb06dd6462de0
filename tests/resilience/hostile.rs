//! What no browser sends, on raw connections to the real binary: invalid UTF-8
//! and NUL in paths, queries and every kind of form, control characters, huge
//! fields, duplicate fields, unknown methods, long URLs and headers, broken
//! cookies and framing. Nothing gets a 500; every 4xx is Remiss's Swedish error
//! page; control and bidi characters never reach the diarium or break its feed.

use std::time::Duration;

use uuid::Uuid;

use crate::city::organ_id;
use crate::crew::{Crew, draft, today};
use crate::harness::{Cluster, Remiss, beside_others};
use crate::http::{Browser, RawResponse, raw};
use crate::load::dates;

/// How long one hostile request may take to be answered (or closed).
const PATIENCE: Duration = Duration::from_secs(10);

/// One hostile request.
struct Probe {
    what: String,
    request: Vec<u8>,
    /// Broken HTTP framing, which no application sees: closing the connection,
    /// or the server's plain 400, is a fair answer.
    framing: bool,
    /// The status the request must get, where one is right.
    expect: Option<&'static [u16]>,
}

/// A signed-in person: their cookie and their token.
struct Person {
    cookie: String,
    token: String,
}

impl Person {
    async fn of(browser: &mut Browser) -> Person {
        let token = browser.get("/").await.csrf_token();
        Person {
            cookie: browser.cookie_header(),
            token,
        }
    }
}

fn request(method: &str, target: &[u8], headers: &[(&str, &[u8])], body: Option<&[u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(target);
    out.extend_from_slice(b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    if let Some(body) = body {
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            out.extend_from_slice(b"Content-Type: application/x-www-form-urlencoded\r\n");
        }
        if !headers.iter().any(|(n, _)| {
            n.eq_ignore_ascii_case("content-length") || n.eq_ignore_ascii_case("transfer-encoding")
        }) {
            out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
        }
    }
    out.extend_from_slice(b"\r\n");
    if let Some(body) = body {
        out.extend_from_slice(body);
    }
    out
}

/// A url-encoded form body whose values are sent byte for byte (invalid UTF-8
/// included), with the person's token first.
fn form_body(person: &Person, fields: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = format!("csrf_token={}", person.token).into_bytes();
    for (name, value) in fields {
        body.push(b'&');
        body.extend_from_slice(name.as_bytes());
        body.push(b'=');
        for &byte in *value {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                body.push(byte);
            } else {
                body.extend_from_slice(format!("%{byte:02X}").as_bytes());
            }
        }
    }
    body
}

struct Corpus {
    probes: Vec<Probe>,
}

impl Corpus {
    fn get(&mut self, what: &str, target: &[u8], person: Option<&Person>) {
        let cookie = person.map(|p| p.cookie.as_bytes().to_vec());
        let headers: Vec<(&str, &[u8])> = cookie.iter().map(|c| ("Cookie", c.as_slice())).collect();
        self.push(what, request("GET", target, &headers, None), false, None);
    }

    fn post(&mut self, what: &str, path: &str, person: &Person, fields: &[(&str, &[u8])]) {
        let body = form_body(person, fields);
        let headers = [("Cookie", person.cookie.as_bytes())];
        self.push(
            what,
            request("POST", path.as_bytes(), &headers, Some(&body)),
            false,
            None,
        );
    }

    fn push(
        &mut self,
        what: &str,
        request: Vec<u8>,
        framing: bool,
        expect: Option<&'static [u16]>,
    ) {
        self.probes.push(Probe {
            what: what.to_string(),
            request,
            framing,
            expect,
        });
    }
}

/// Text with each of the characters no form should pass on as they are.
const NASTY: [(&str, &[u8]); 6] = [
    ("NUL", b"Titel\x00med NUL"),
    ("ESC", b"Titel\x1b[31mmed ESC"),
    ("VT and BS", b"Titel\x0bmed\x08VT"),
    ("invalid UTF-8", b"Titel \xff\xfe med fel kodning"),
    ("a lone UTF-8 continuation byte", b"Titel \x80"),
    ("an overlong encoding of '/'", b"Titel \xc0\xaf"),
];

/// Everything the corpus sends, against a city with cases in the states its
/// forms need.
async fn corpus(crew: &mut Crew, admin: &mut Browser) -> Corpus {
    let pool = crew.pool.clone();
    let registrar = Person::of(&mut crew.registrar).await;
    let officer = Person::of(&mut crew.officer).await;
    let reviewer = Person::of(&mut crew.reviewer).await;
    let secretary = Person::of(&mut crew.secretary).await;
    let admin = Person::of(admin).await;
    let amn = organ_id(&pool, "AMN").await.to_string();
    let (received, deadline) = dates();
    let day = today();

    let drafting = crew.register("Fientlig indata: utkast").await;
    crew.take_to(drafting, "drafting", &[]).await;
    let in_review = crew.register("Fientlig indata: granskning").await;
    crew.take_to(in_review, "in_review", &[]).await;
    let on_agenda = crew.register("Fientlig indata: dagordning").await;
    let agenda_meeting = crew
        .take_to(on_agenda, "on_agenda", &[])
        .await
        .expect("a meeting");
    let decided = crew.register("Fientlig indata: beslut").await;
    let decided_meeting = crew
        .take_to(decided, "decided", &[])
        .await
        .expect("a meeting");
    let registered = crew.register("Fientlig indata: registrerad").await;
    let item: Uuid = sqlx::query_scalar("SELECT id FROM agenda_items WHERE case_id = $1")
        .bind(on_agenda)
        .fetch_one(&pool)
        .await
        .unwrap();
    let item = item.to_string();
    let latest_draft = crew.latest_revision(drafting).await.to_string();
    let in_review_revision = crew.latest_revision(in_review).await.to_string();
    let mut corpus = Corpus { probes: Vec::new() };

    // Paths and queries.
    let signed_in = Some(&registrar);
    corpus.get("invalid UTF-8 in a path", b"/remisser/%FF%FE", signed_in);
    corpus.get(
        "an overlong '/' in a path",
        b"/static/%C0%AFremiss.css",
        None,
    );
    corpus.get("NUL in a path", b"/diarium/%00", None);
    corpus.get("invalid UTF-8 in a query", b"/diarium?q=%FF%FE", None);
    corpus.get(
        "a broken UTF-8 sequence in a query",
        b"/sok?q=%C3%28",
        signed_in,
    );
    corpus.get("NUL in a query", b"/diarium?q=a%00b", None);
    corpus.get("NUL in a signed-in search", b"/sok?q=%00", signed_in);
    corpus.get("duplicate query fields", b"/diarium?q=a&q=b", None);
    corpus.get(
        "duplicate list parameters",
        b"/remisser?page=1&page=2&sort=a&sort=b",
        signed_in,
    );
    corpus.get("a negative page", b"/remisser?page=-1", signed_in);
    corpus.get(
        "a page beyond any integer",
        b"/remisser?page=99999999999999999999999",
        signed_in,
    );
    corpus.get("a page that is no number", b"/diarium?page=tre", None);
    corpus.get("an id that is no uuid", b"/arenden/inte-ett-id", signed_in);
    corpus.get(
        "an id of nothing",
        b"/arenden/00000000-0000-0000-0000-000000000000/utkast",
        signed_in,
    );
    corpus.get(
        "an unknown decision",
        format!("/arenden/{decided}/protokollsutdrag/inget").as_bytes(),
        signed_in,
    );
    corpus.get(
        "a climb out of the static folder",
        b"/static/..%2F..%2FCargo.toml",
        None,
    );
    corpus.get("a dotted climb", b"/static/%2e%2e/%2e%2e/Cargo.toml", None);
    corpus.get(
        "NUL in a static file's name",
        b"/static/remiss.css%00.html",
        None,
    );
    corpus.get("invalid UTF-8 in next", b"/login?next=%FF", None);
    corpus.get(
        "a control character in next",
        b"/login?next=/%0D%0ASet-Cookie:x=y",
        None,
    );
    corpus.get("an unknown page", b"/finns/inte", None);
    // Sizes.
    let mut long_query = b"/diarium?q=".to_vec();
    long_query.extend(std::iter::repeat_n(b'a', 100_000));
    corpus.push(
        "a 100 kB URL",
        request("GET", &long_query, &[], None),
        false,
        // The request line counts toward the head's limit too.
        Some(&[414, 431]),
    );
    let long_header = vec![b'a'; 100_000];
    corpus.push(
        "a 100 kB header",
        request("GET", b"/diarium", &[("X-Lang", &long_header)], None),
        false,
        None,
    );
    let many: Vec<(String, Vec<u8>)> = (0..500)
        .map(|i| (format!("X-Many-{i}"), b"a".to_vec()))
        .collect();
    let many: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_slice()))
        .collect();
    corpus.push(
        "500 headers",
        request("GET", b"/diarium", &many, None),
        false,
        Some(&[431]),
    );
    // Cookies.
    for (what, cookie) in [
        ("invalid UTF-8", b"remiss_session=%FF%FE".to_vec()),
        ("raw bytes", b"remiss_session=\xff\xfe".to_vec()),
        ("a path", b"remiss_session=../../etc/passwd".to_vec()),
        ("an empty value", b"remiss_session=".to_vec()),
        (
            "two session cookies",
            format!("remiss_session=x; {}", registrar.cookie).into_bytes(),
        ),
        (
            "8 kB",
            [b"remiss_session=".as_slice(), &[b'A'; 8000]].concat(),
        ),
    ] {
        corpus.push(
            &format!("a session cookie with {what}"),
            request("GET", b"/", &[("Cookie", &cookie)], None),
            false,
            None,
        );
    }
    // Methods.
    for (method, target) in [
        ("FOO", "/"),
        ("PROPFIND", "/"),
        ("DELETE", "/remisser"),
        ("PUT", "/remisser"),
        ("PATCH", "/diarium"),
        ("TRACE", "/"),
        ("OPTIONS", "/diarium"),
        ("POST", "/diarium"),
        ("POST", "/healthz"),
        ("DELETE", "/static/remiss.css"),
    ] {
        let headers = [("Cookie", registrar.cookie.as_bytes())];
        corpus.push(
            &format!("the method {method} on {target}"),
            request(method, target.as_bytes(), &headers, Some(b"")),
            false,
            Some(&[405, 501]),
        );
    }
    // Framing.
    corpus.push(
        "a request line of garbage",
        b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03 not http\r\n\r\n".to_vec(),
        true,
        None,
    );
    corpus.push(
        "a header without a colon",
        b"GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n".to_vec(),
        true,
        None,
    );
    corpus.push(
        "a chunk of no size",
        request(
            "POST",
            b"/login",
            &[("Transfer-Encoding", b"chunked")],
            Some(b"zz\r\nabc\r\n0\r\n\r\n"),
        ),
        true,
        None,
    );
    corpus.push(
        "a negative length",
        request("POST", b"/login", &[("Content-Length", b"-1")], Some(b"")),
        true,
        None,
    );
    corpus.push(
        "two lengths",
        request(
            "POST",
            b"/login",
            &[("Content-Length", b"3"), ("Content-Length", b"4")],
            Some(b"abcd"),
        ),
        true,
        None,
    );
    corpus.push("HTTP/0.9", b"GET /\r\n\r\n".to_vec(), true, None);
    corpus.push(
        "raw bytes above 127 in a path",
        request("GET", b"/diarium/\xc3\xa5\xff", &[], None),
        true,
        None,
    );

    // Every kind of form, with each nasty text in its text fields.
    for (nasty, text) in NASTY {
        corpus.post(
            &format!("registering a remiss with {nasty}"),
            "/remisser",
            &registrar,
            &[
                ("title", text),
                ("sender_name", text),
                ("sender_dnr", text),
                ("description", text),
                ("received_on", received.as_bytes()),
                ("deadline", deadline.as_bytes()),
                ("respondents", amn.as_bytes()),
            ],
        );
        corpus.post(
            &format!("a login with {nasty}"),
            "/login",
            &registrar,
            &[("username", text), ("password", text)],
        );
        corpus.post(
            &format!("a registration's dates with {nasty}"),
            "/remisser",
            &registrar,
            &[
                ("title", b"Giltig titel"),
                ("sender_name", b"Avsandare"),
                ("received_on", text),
                ("deadline", text),
            ],
        );
        let mut editor: Vec<(&str, &[u8])> = draft(&[])
            .into_iter()
            .map(|(n, v)| (n, v.as_bytes()))
            .filter(|(n, _)| !["considerations", "title", "signatory_title"].contains(n))
            .collect();
        editor.extend([
            ("base", latest_draft.as_bytes()),
            ("considerations", text),
            ("title", text),
            ("signatory_title", text),
        ]);
        corpus.post(
            &format!("a draft with {nasty}"),
            &format!("/arenden/{drafting}/utkast"),
            &officer,
            &editor,
        );
        corpus.post(
            &format!("a review comment with {nasty}"),
            &format!("/arenden/{in_review}/atersand"),
            &reviewer,
            &[
                ("revision", in_review_revision.as_bytes()),
                ("comment", text),
            ],
        );
        corpus.post(
            &format!("a meeting's place with {nasty}"),
            "/sammantraden",
            &secretary,
            &[
                ("organ", amn.as_bytes()),
                ("date", day.as_bytes()),
                ("time", b"13:00"),
                ("place", text),
            ],
        );
        corpus.post(
            &format!("a decision with {nasty}"),
            &format!("/sammantraden/{agenda_meeting}/beslut"),
            &secretary,
            &[
                ("item", item.as_bytes()),
                ("outcome", b"amended"),
                ("decision_text", text),
                ("attendance", text),
                ("reservation_member", text),
                ("reservation_party", text),
                ("reservation_text", text),
            ],
        );
        corpus.post(
            &format!("a justering with {nasty}"),
            &format!("/sammantraden/{decided_meeting}/justering"),
            &secretary,
            &[("adjusted_on", day.as_bytes()), ("adjusted_by", text)],
        );
        corpus.post(
            &format!("a dispatch with {nasty}"),
            &format!("/arenden/{decided}/expediera"),
            &secretary,
            &[("dispatched_on", day.as_bytes()), ("recipient", text)],
        );
        corpus.post(
            &format!("a decline with {nasty}"),
            &format!("/arenden/{registered}/avboj"),
            &reviewer,
            &[("reason", text)],
        );
        corpus.post(
            &format!("a new user with {nasty}"),
            "/admin/anvandare",
            &admin,
            &[
                ("username", text),
                ("display_name", text),
                ("title", text),
                ("organ", amn.as_bytes()),
                ("password", b"ett-giltigt-losenord"),
            ],
        );
        corpus.post(
            &format!("a new organ with {nasty}"),
            "/admin/organ",
            &admin,
            &[
                ("name", text),
                ("diarium_prefix", text),
                ("administration", text),
                ("review_days", text),
                ("agenda_closing_days", b"7"),
            ],
        );
        corpus.post(
            &format!("a password change with {nasty}"),
            "/konto/losenord",
            &officer,
            &[("current", text), ("new_password", text), ("confirm", text)],
        );
    }
    // Forms of the wrong shape.
    let valid_registration: Vec<(&str, &[u8])> = vec![
        ("title", b"Dubbla falt"),
        ("title", b"Dubbla falt igen"),
        ("sender_name", b"Avsandare"),
        ("sender_name", b"Avsandare 2"),
        ("received_on", received.as_bytes()),
        ("deadline", deadline.as_bytes()),
        ("respondents", amn.as_bytes()),
        ("respondents", amn.as_bytes()),
    ];
    corpus.post(
        "a registration with every field twice",
        "/remisser",
        &registrar,
        &valid_registration,
    );
    corpus.post(
        "a registration naming no organ",
        "/remisser",
        &registrar,
        &[("respondents", b"inte-ett-id")],
    );
    let huge = vec![b'x'; 400 * 1024];
    corpus.post(
        "a 400 kB title",
        "/remisser",
        &registrar,
        &[
            ("title", &huge),
            ("received_on", received.as_bytes()),
            ("deadline", deadline.as_bytes()),
        ],
    );
    let oversized = vec![b'x'; 2 * 1024 * 1024];
    let body = form_body(&registrar, &[("title", &oversized)]);
    corpus.push(
        "a 2 MB form",
        request(
            "POST",
            b"/remisser",
            &[("Cookie", registrar.cookie.as_bytes())],
            Some(&body),
        ),
        false,
        Some(&[413]),
    );
    let body = form_body(&registrar, &[("title", b"x")]);
    corpus.push(
        "a form declared as JSON",
        request(
            "POST",
            b"/remisser",
            &[
                ("Cookie", registrar.cookie.as_bytes()),
                ("Content-Type", b"application/json"),
            ],
            Some(&body),
        ),
        false,
        None,
    );
    corpus.push(
        "a multipart form of garbage",
        request(
            "POST",
            b"/remisser",
            &[
                ("Cookie", registrar.cookie.as_bytes()),
                ("Content-Type", b"multipart/form-data; boundary=x"),
            ],
            Some(b"--x\r\ngarbage\r\n--x--"),
        ),
        false,
        None,
    );
    let malformed = format!("csrf_token={}&title=%ZZ&&&===&%", registrar.token).into_bytes();
    corpus.push(
        "a form of broken encoding",
        request(
            "POST",
            b"/remisser",
            &[("Cookie", registrar.cookie.as_bytes())],
            Some(&malformed),
        ),
        false,
        None,
    );
    corpus
}

/// Sends each probe, one after the other (two forms at once would be a race,
/// which is another test's subject), and pairs it with what came back.
async fn run(port: u16, corpus: Corpus) -> Vec<(Probe, anyhow::Result<RawResponse>)> {
    let mut results = Vec::new();
    for probe in corpus.probes {
        let answer = raw(port, &probe.request, PATIENCE).await;
        results.push((probe, answer));
    }
    results
}

/// The corpus and its answers, and the server's log: sent once, on a city of its
/// own, and read by both tests of it.
struct Answered {
    results: Vec<(Probe, Result<RawResponse, String>)>,
    log: String,
}

async fn answered_corpus() -> &'static Answered {
    static ANSWERED: tokio::sync::OnceCell<Answered> = tokio::sync::OnceCell::const_new();
    ANSWERED
        .get_or_init(|| async {
            let cluster = Cluster::start().await;
            let remiss = Remiss::start(&cluster).await;
            let mut crew = Crew::new(&remiss.base(), cluster.pool().await).await;
            let mut admin = Browser::new(&remiss.base());
            admin.login_as("admin").await;
            let corpus = corpus(&mut crew, &mut admin).await;
            let results = run(remiss.port(), corpus)
                .await
                .into_iter()
                .map(|(probe, answer)| (probe, answer.map_err(|e| format!("{e:#}"))))
                .collect();
            Answered {
                results,
                log: remiss.log_text(),
            }
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hostile_corpus_gets_no_500_and_no_hang() {
    let _turn = beside_others().await;
    let Answered { results, log } = answered_corpus().await;
    let mut failures = Vec::new();
    for (probe, answer) in results {
        match answer {
            Ok(response) if response.status >= 500 => failures.push(format!(
                "{}: {}",
                probe.what,
                response.head.lines().next().unwrap_or("")
            )),
            Ok(_) => {}
            // A connection closed without an answer is fair only for broken framing.
            Err(error) if probe.framing && !error.contains("no answer within") => {}
            Err(error) => failures.push(format!("{}: {error}", probe.what)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile requests got a 5xx or no answer:\n{}\n\nthe server's log:\n{}",
        failures.len(),
        results.len(),
        failures.join("\n"),
        log
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_4xx_the_hostile_corpus_gets_is_the_swedish_error_page_with_the_right_status() {
    let _turn = beside_others().await;
    let results = &answered_corpus().await.results;
    let mut failures = Vec::new();
    for (probe, answer) in results {
        let Ok(response) = answer else { continue };
        if let Some(expected) = probe.expect
            && !expected.contains(&response.status)
        {
            failures.push(format!(
                "{}: {} (expected {expected:?})",
                probe.what, response.status
            ));
            continue;
        }
        if probe.framing || !(400..500).contains(&response.status) {
            continue;
        }
        let html = response
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html"));
        let body = response.body_text();
        if !(html && body.contains("lang=\"sv\"") && body.contains("<h1")) {
            failures.push(format!(
                "{}: {} as {:?}: {:?}",
                probe.what,
                response.status,
                response.header("content-type").unwrap_or_default(),
                body.chars().take(80).collect::<String>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile requests were not answered with the Swedish error page and its \
         status (issue 10, §9):\n{}",
        failures.len(),
        results.len(),
        failures.join("\n")
    );
}

/// Characters that may not appear in XML 1.0 at all.
fn illegal_in_xml(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Bidi overrides and isolates, and zero-width characters: text that can show
/// one thing and mean another.
fn spoofing(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}'..='\u{200f}' | '\u{feff}')
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_and_bidi_characters_are_refused_or_removed_and_the_feed_stays_well_formed() {
    let _turn = beside_others().await;
    let cluster = Cluster::start().await;
    let remiss = Remiss::start(&cluster).await;
    let mut crew = Crew::new(&remiss.base(), cluster.pool().await).await;
    let titles = [
        "Remiss med ESC \u{1b}[31m i rubriken",
        "Remiss med VT \u{b} och BS \u{8} i rubriken",
        "Remiss med FF \u{c} i rubriken",
        "Remiss om \u{202e}gnitsäbresrev\u{202c} i rubriken",
        "Remiss med \u{2067}isolat\u{2069} i rubriken",
        "Remiss med noll\u{200b}bredd i rubriken",
        "Remiss med BOM \u{feff} i rubriken",
    ];
    for title in titles {
        let (response, case) = crew
            .register_with(&[("title", title), ("description", title)])
            .await;
        assert!(
            response.status == 303 || response.status == 422,
            "{title:?}: registered, or refused with a message beside the field (422), got {}:\n{}",
            response.status,
            response.body
        );
        if case.is_some() {
            let stored: String = sqlx::query_scalar(
                "SELECT r.title FROM referrals r JOIN cases c ON c.referral_id = r.id WHERE c.id = $1",
            )
            .bind(case)
            .fetch_one(&crew.pool)
            .await
            .unwrap();
            assert!(
                !stored.chars().any(|c| c.is_control() || spoofing(c)),
                "{title:?} was stored as {stored:?}: control, bidi and zero-width characters \
                 are removed or refused (issue 10, §7)"
            );
        }
    }
    let mut visitor = Browser::new(&remiss.base());
    let feed = visitor.get("/diarium/atom").await;
    assert_eq!(feed.status, 200);
    let illegal: Vec<char> = feed.body.chars().filter(|&c| illegal_in_xml(c)).collect();
    assert!(
        illegal.is_empty(),
        "the public Atom feed holds characters XML forbids, so every reader rejects it \
         (issue 10, §7): {illegal:?}"
    );
    let mut reader = quick_xml::Reader::from_str(&feed.body);
    reader.config_mut().check_end_names = true;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(error) => panic!("the Atom feed is not well-formed XML: {error}"),
        }
    }
    let diarium = visitor.get("/diarium").await;
    assert!(
        !diarium.body.chars().any(spoofing),
        "the public diarium shows bidi or zero-width characters (issue 10, §7)"
    );
}
