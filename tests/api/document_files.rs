//! The documents as files (PDF and Word) through the real routes, read back by
//! real programs: every PDF validated against PDF/UA-1 and PDF/A-2a by page
//! (page-validation), its text extracted by pdftotext (poppler-utils), every DOCX
//! read by python-docx. `scripts/install-test-parts` installs all three.

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::http::{StatusCode, header};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, TestResponse};
use crate::workflow::{
    CONSIDERATIONS, Crew, MEETING_DAY, PROPOSAL, REFERENCE_HEADINGS, TITLE, after_the_meeting,
    assert_in_order, case_id, collapse, decision, draft, flow, latest_revision, on_agenda,
    redirected, reference_document, register,
};

const PDF: &str = "application/pdf";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const REFERENCE_TITLE: &str = "Stockholms stads trygghetsprogram 2020-2023";

fn python_parts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parts/python")
}

/// The virtual environment's Python, with page-validation and python-docx.
fn python() -> PathBuf {
    let python = python_parts().join(".venv/bin/python");
    assert!(
        python.exists(),
        "the PDF validator and the DOCX reader are missing: run scripts/install-test-parts \
         (it installs page-validation and python-docx from PyPI into tests/parts/python/.venv)"
    );
    python
}

fn saved(bytes: &[u8], suffix: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(suffix).tempfile().unwrap();
    std::io::Write::write_all(&mut file, bytes).unwrap();
    file
}

/// Runs a program of poppler-utils on the PDF and returns what it printed.
fn poppler(program: &str, args: &[&str], pdf: &[u8]) -> String {
    let file = saved(pdf, ".pdf");
    let mut command = Command::new(program);
    command.args(args).arg(file.path());
    if program == "pdftotext" {
        command.arg("-");
    }
    let output = command.output().unwrap_or_else(|e| {
        panic!(
            "{program} did not run ({e}): install poppler-utils (scripts/install-test-parts does)"
        )
    });
    assert!(
        output.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 text")
}

/// The PDF's text as pdftotext reads it, words the layout hyphenated joined
/// again, whitespace collapsed.
pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    collapse(&unhyphenated(&poppler(
        "pdftotext",
        &["-enc", "UTF-8"],
        pdf,
    )))
}

/// The text with each word the layout broke at a syllable made whole: pdftotext
/// ends such a line with a soft hyphen (U+00AD), never with a hyphen of the text.
fn unhyphenated(text: &str) -> String {
    let mut whole = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('\u{AD}') {
        whole.push_str(&rest[..at]);
        rest = rest[at + '\u{AD}'.len_utf8()..].trim_start();
    }
    whole.push_str(rest);
    whole
}

/// The PDF's text without its page furniture: the running head (`Arbets-
/// marknadsförvaltningen · Tjänsteutlåtande AMN 2020/1`) and the page number
/// (`Sida 2 (3)`), artifacts in the tagged PDF that pdftotext prints wherever a
/// page breaks, even inside a paragraph.
fn body_text(pdf: &[u8]) -> String {
    let text = poppler("pdftotext", &["-enc", "UTF-8"], pdf);
    let page_number = |line: &str| {
        line.strip_prefix("Sida ")
            .and_then(|rest| rest.split_once(" ("))
            .is_some_and(|(page, of)| {
                page.chars().all(|c| c.is_ascii_digit())
                    && of
                        .strip_suffix(')')
                        .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
            })
    };
    collapse(&unhyphenated(
        &text
            .lines()
            .filter(|line| !line.contains(" · ") && !page_number(line.trim()))
            .collect::<Vec<_>>()
            .join("\n"),
    ))
}

/// Validates the PDF against PDF/UA-1 and PDF/A-2a: both profiles checked, rules
/// run, none failed.
pub(crate) fn assert_valid_pdf(pdf: &[u8], what: &str) {
    assert!(pdf.starts_with(b"%PDF-"), "{what} is not a PDF");
    let file = saved(pdf, ".pdf");
    let output = Command::new(python())
        .arg(python_parts().join("check_pdf.py"))
        .arg(file.path())
        .output()
        .expect("the validator runs");
    let report = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{what} fails PDF/UA-1 or PDF/A-2a:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(report.trim()).expect("the report");
    for profile in ["ua1", "2a"] {
        let result = &report["profiles"][profile];
        assert_eq!(result["compliant"], true, "{what}, {profile}: {report}");
        assert!(result["rules"].as_u64().unwrap() > 50, "{what}: {report}");
        assert_eq!(result["failed"], serde_json::json!([]), "{what}: {report}");
    }
}

/// A DOCX as python-docx reads it.
struct WordDocument {
    title: String,
    language: String,
    default_lang: String,
    /// (style, text, numbered)
    paragraphs: Vec<(String, String, bool)>,
}

impl WordDocument {
    fn read(bytes: &[u8]) -> WordDocument {
        assert!(bytes.starts_with(b"PK"), "a DOCX is a zip package");
        let file = saved(bytes, ".docx");
        let output = Command::new(python())
            .arg(python_parts().join("read_docx.py"))
            .arg(file.path())
            .output()
            .expect("the reader runs");
        assert!(
            output.status.success(),
            "python-docx could not read it: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
        WordDocument {
            title: text(&json["title"]),
            language: text(&json["language"]),
            default_lang: text(&json["default_lang"]),
            paragraphs: json["paragraphs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        text(&p["style"]),
                        text(&p["text"]),
                        p["numbered"].as_bool().unwrap(),
                    )
                })
                .collect(),
        }
    }

    fn text(&self) -> String {
        collapse(
            &self
                .paragraphs
                .iter()
                .map(|(_, text, _)| text.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }

    /// The texts of the paragraphs in Word's heading styles, with their level.
    fn headings(&self) -> Vec<(u8, String)> {
        self.paragraphs
            .iter()
            .filter_map(|(style, text, _)| {
                let level = style.strip_prefix("Heading ")?.parse().ok()?;
                Some((level, collapse(text)))
            })
            .collect()
    }
}

fn assert_file(response: &TestResponse, content_type: &str, what: &str) {
    assert_eq!(response.status, StatusCode::OK, "{what}: {}", response.body);
    assert_eq!(
        response.headers[header::CONTENT_TYPE],
        content_type,
        "{what}"
    );
    assert_eq!(response.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let disposition = response.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"")
            && disposition.contains("filename*=UTF-8''"),
        "{what}: {disposition}"
    );
}

pub(crate) async fn dnr_of(app: &TestApp, case: Uuid) -> String {
    sqlx::query_scalar("SELECT dnr_text FROM cases WHERE id = $1")
        .bind(case)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// The reference document's paragraphs in order, its signatories' names and titles last.
fn reference_paragraphs() -> Vec<String> {
    let fixture = include_str!("../fixtures/tjansteutlatande-amn-trygghetsprogram.txt");
    let (mut expected, titles) = reference_document(fixture);
    assert!(expected.len() > 30, "the fixture is read as intended");
    for (name, title) in ["Karina Uddén", "Karin Eriksson-Bech"].iter().zip(&titles) {
        expected.push(name.to_string());
        expected.push(title.clone());
    }
    expected
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_reference_case_downloads_as_the_reference_document(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let case = case_id(&app, REFERENCE_TITLE, "AMN").await;
    let dnr = dnr_of(&app, case).await;
    let mut officer = app.signed_in("handlaggare").await;
    let expected = reference_paragraphs();

    for (path, what) in [
        (
            format!("/arenden/{case}/tjansteutlatande.pdf"),
            "the report",
        ),
        (format!("/arenden/{case}/yttrande.pdf"), "the reply"),
    ] {
        let response = officer.get(&path).await;
        assert_file(&response, PDF, what);
        assert_valid_pdf(&response.bytes, what);
        assert_in_order(&body_text(&response.bytes), &expected);
        let text = pdf_text(&response.bytes);
        let pages = poppler("pdfinfo", &[], &response.bytes);
        assert!(pages.contains("(A4)"), "{pages}");
        let count: usize = pages
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(
            text.contains(&format!("Sida 1 ({count})"))
                && text.contains(&format!("Sida {count} ({count})")),
            "{what}: page numbers of {count} pages in {text}"
        );
    }

    // The reply: the board's decision and signatures, then the report as its bilaga.
    let reply = officer.get(&format!("/arenden/{case}/yttrande.pdf")).await;
    let file_dnr = dnr.replace('/', "-");
    assert!(
        reply.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .ends_with(&format!(
                "filename*=UTF-8''Yttrande%20{}%20%C3%B6ver%20KS%202019-1939.pdf",
                file_dnr.replace(' ', "%20")
            )),
        "{:?}",
        reply.headers[header::CONTENT_DISPOSITION]
    );
    assert_in_order(
        &pdf_text(&reply.bytes),
        &[
            "Yttrande".into(),
            "Er referens KS 2019/1939".into(),
            format!("Yttrande över remissen {REFERENCE_TITLE}"),
            "Remiss från kommunstyrelsen dnr KS 2019/1939".into(),
            "Arbetsmarknadsnämndens beslut".into(),
            "Beslut vid sammanträde 2020-03-17 13:00".into(),
            "1. Arbetsmarknadsnämnden beslutar att hänvisa till förvaltningens tjänsteutlåtande"
                .into(),
            "På arbetsmarknadsnämndens vägnar".into(),
            "Ordförande".into(),
            "Sekreterare".into(),
            "Expedierat 2020-03-24 till Kommunstyrelsen.".into(),
            "Bilaga 1. Arbetsmarknadsförvaltningens tjänsteutlåtande".into(),
            REFERENCE_TITLE.into(),
        ],
    );

    // Word: the same paragraphs in order, the headings in Word's heading styles,
    // the proposals a numbered list, title and language in the properties.
    for (path, what, title_level) in [
        (
            format!("/arenden/{case}/tjansteutlatande.docx"),
            "the report",
            1,
        ),
        (format!("/arenden/{case}/yttrande.docx"), "the reply", 3),
    ] {
        let response = officer.get(&path).await;
        assert_file(&response, DOCX, what);
        let word = WordDocument::read(&response.bytes);
        assert_in_order(&word.text(), &expected);
        let headings = word.headings();
        let sections: Vec<&str> = headings
            .iter()
            .filter(|(level, _)| *level == title_level + 1)
            .map(|(_, text)| text.as_str())
            .filter(|text| REFERENCE_HEADINGS.contains(text))
            .collect();
        assert_eq!(sections, REFERENCE_HEADINGS, "{what}: {headings:?}");
        assert!(
            headings.contains(&(title_level, REFERENCE_TITLE.to_string())),
            "{what}: {headings:?}"
        );
        let proposal = word
            .paragraphs
            .iter()
            .find(|(_, text, _)| text.starts_with("Arbetsmarknadsnämnden beslutar att hänvisa"))
            .expect("the proposal");
        assert_eq!((proposal.0.as_str(), proposal.2), ("List Number", true));
        assert!(word.title.contains(REFERENCE_TITLE), "{}", word.title);
        assert_eq!(
            (word.language.as_str(), word.default_lang.as_str()),
            ("sv-SE", "sv-SE")
        );
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_minutes_extract_and_the_public_reply_are_valid_pdf(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let case = case_id(&app, REFERENCE_TITLE, "AMN").await;

    // Adjusted minutes are public: another organ's officer reads the extract.
    let mut outsider = app.signed_in("handlaggare.sn").await;
    let extract = outsider
        .get(&format!("/arenden/{case}/protokollsutdrag.pdf"))
        .await;
    assert_file(&extract, PDF, "the extract");
    assert_valid_pdf(&extract.bytes, "the extract");
    assert_in_order(
        &pdf_text(&extract.bytes),
        &[
            "Protokollsutdrag".into(),
            format!("§ 1 {REFERENCE_TITLE}"),
            "Närvarande vid beslutet".into(),
            "Ledamöter: ordföranden, vice ordföranden".into(),
            "Beslut".into(),
            "1. Arbetsmarknadsnämnden beslutar att hänvisa".into(),
            "Protokollet justerades 2020-03-20 av Ordföranden och justerande ledamot.".into(),
            "Rätt utdraget intygar:".into(),
        ],
    );

    // The public diarium offers the dispatched yttrande, without a login.
    let mut anonymous = app.browser();
    let entry = anonymous.get(&format!("/diarium/{case}")).await;
    entry.assert_contains(&format!("/diarium/{case}/yttrande.pdf"));
    let public = anonymous
        .get(&format!("/diarium/{case}/yttrande.pdf"))
        .await;
    assert_file(&public, PDF, "the public reply");
    assert_valid_pdf(&public.bytes, "the public reply");
    assert_in_order(&body_text(&public.bytes), &reference_paragraphs());

    // Not yet dispatched: nothing to offer.
    let fresh = register(&app, TITLE, &["AMN"]).await;
    let response = anonymous
        .get(&format!("/diarium/{fresh}/yttrande.pdf"))
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    response.assert_contains("Sidan finns inte");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_title_written_as_markup_prints_as_written(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let case = register(&app, TITLE, &["AMN"]).await;
    let mut crew = Crew::new(&app).await;
    flow(&app, &mut crew, case, "drafting").await;
    // A direction override is refused at entry (it could turn the text around);
    // everything else that looks like markup is taken as written.
    let overridden = "#set page(width: 1pt) <script> \u{202E} *fet*";
    let injected = "#set page(width: 1pt) <script> *fet*";
    let considerations = "Se #import \"/etc/passwd\": $x^2$ och \\ @ref <b>fet</b> 😀 slut.";
    let editor = format!("/arenden/{case}/utkast");
    let base = latest_revision(&app, case).await.to_string();
    let mut fields = draft(&base, considerations);
    fields.retain(|(name, _)| *name != "title");
    let mut refused = fields.clone();
    refused.push(("title", overridden));
    let response = crew.officer.post_from(&editor, &editor, &refused).await;
    assert_eq!(response.status, 422);
    response.assert_contains("styrtecken för skrivriktning");
    fields.push(("title", injected));
    redirected(
        &crew.officer.post_from(&editor, &editor, &fields).await,
        "save",
    );
    let literal = injected;

    let pdf = crew
        .officer
        .get(&format!("/arenden/{case}/tjansteutlatande.pdf"))
        .await;
    assert_file(&pdf, PDF, "the draft");
    assert_valid_pdf(&pdf.bytes, "the draft");
    let text = pdf_text(&pdf.bytes);
    assert!(text.contains(literal), "{text}");
    // The emoji has no glyph in the embedded fonts: a white square shows where it
    // was, and the rest prints as written.
    assert!(
        text.contains("Se #import \"/etc/passwd\": $x^2$ och \\ @ref <b>fet</b> □ slut."),
        "{text}"
    );
    assert!(!text.contains('\u{202E}'));
    let info = poppler("pdfinfo", &[], &pdf.bytes);
    assert!(info.contains("(A4)"), "the page is A4: {info}");
    assert!(text.contains("Utkast – arbetsmaterial"), "{text}");

    let docx = crew
        .officer
        .get(&format!("/arenden/{case}/tjansteutlatande.docx"))
        .await;
    assert_file(&docx, DOCX, "the draft");
    let word = WordDocument::read(&docx.bytes);
    assert!(
        word.headings().contains(&(1, literal.to_string())),
        "{:?}",
        word.headings()
    );
    assert!(word.text().contains(considerations), "{}", word.text());
    assert!(!word.text().contains('\u{202E}') && !word.title.contains('\u{202E}'));
    assert!(word.title.contains("<script>"), "{}", word.title);
}

/// Every file answers whom its print view answers, with the same status.
async fn assert_same_visibility(app: &TestApp, case: Uuid, decision: Option<Uuid>, when: &str) {
    let mut pairs = vec![
        (
            format!("/arenden/{case}/tjansteutlatande"),
            vec![
                format!("/arenden/{case}/tjansteutlatande.pdf"),
                format!("/arenden/{case}/tjansteutlatande.docx"),
            ],
        ),
        (
            format!("/arenden/{case}/yttrande"),
            vec![
                format!("/arenden/{case}/yttrande.pdf"),
                format!("/arenden/{case}/yttrande.docx"),
            ],
        ),
    ];
    if let Some(decision) = decision {
        pairs.push((
            format!("/arenden/{case}/protokollsutdrag/{decision}"),
            vec![
                format!("/arenden/{case}/protokollsutdrag.pdf?beslut={decision}"),
                format!("/arenden/{case}/protokollsutdrag.pdf"),
            ],
        ));
    } else {
        pairs.push((
            format!("/arenden/{case}/protokollsutdrag/{}", Uuid::new_v4()),
            vec![format!("/arenden/{case}/protokollsutdrag.pdf")],
        ));
    }
    let mut readers = vec![("anonymous", app.browser())];
    for user in [
        "handlaggare",
        "sekreterare",
        "handlaggare.sn",
        "registrator",
        "admin",
    ] {
        readers.push((user, app.signed_in(user).await));
    }
    for (who, reader) in &mut readers {
        for (print, files) in &pairs {
            let page = reader.get(print).await;
            for file in files {
                let response = reader.get(file).await;
                assert_eq!(
                    response.status, page.status,
                    "{when}: {who} gets {file} as {print}"
                );
                // A visitor who is not signed in is sent to log in, and back.
                let login = |r: &TestResponse| {
                    r.location
                        .as_deref()
                        .map(|l| l.starts_with("/login?next=/arenden/"))
                };
                assert_eq!(login(&response), login(&page), "{when}: {who}, {file}");
                if response.status == StatusCode::OK {
                    assert!(
                        response.bytes.starts_with(b"%PDF-") || response.bytes.starts_with(b"PK")
                    );
                }
            }
        }
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_files_are_for_exactly_whom_the_print_views_are(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    let case = register(&app, TITLE, &["AMN"]).await;
    let mut crew = Crew::new(&app).await;
    flow(&app, &mut crew, case, "drafting").await;
    redirected(&crew.save(case, 1, CONSIDERATIONS).await, "save");
    assert_same_visibility(&app, case, None, "a draft").await;

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
    assert_same_visibility(&app, case, Some(decision_id), "decided, not adjusted").await;
    redirected(&crew.adjust(meeting).await, "justering");
    assert_same_visibility(&app, case, Some(decision_id), "adjusted").await;

    // An unknown case, or one that is not an id, is not found as a file either.
    let mut officer = app.signed_in("handlaggare").await;
    for path in [
        format!("/arenden/{}/yttrande.pdf", Uuid::new_v4()),
        "/arenden/inte-ett-id/tjansteutlatande.docx".to_string(),
        format!("/arenden/{case}/protokollsutdrag.pdf?beslut=inte-ett-id"),
    ] {
        let response = officer.get(&path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        response.assert_contains("Sidan finns inte");
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn readers_outside_the_organ_get_personnummer_masked(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    let case = register(&app, TITLE, &["AMN"]).await;
    let mut crew = Crew::new(&app).await;
    flow(&app, &mut crew, case, "drafting").await;
    let personnummer = "19121212-1212";
    let considerations = format!("Den sökande ({personnummer}) har hörts.");
    redirected(&crew.save(case, 1, &considerations).await, "save");
    redirected(&crew.submit(&app, case).await, "submit");
    let meeting = crew.plan_meeting(&app, MEETING_DAY).await;
    let item = on_agenda(&app, &mut crew, case, meeting).await;
    redirected(
        &crew.decide(meeting, &decision(&item, "adopted", &[])).await,
        "decision",
    );
    // Outsiders read the decided documents once the minutes are adjusted.
    redirected(&crew.adjust(meeting).await, "justering");

    let mut outsider = app.signed_in("handlaggare.sn").await;
    for path in [
        format!("/arenden/{case}/yttrande.pdf"),
        format!("/arenden/{case}/tjansteutlatande.pdf"),
    ] {
        let inside = pdf_text(&crew.officer.get(&path).await.bytes);
        assert!(inside.contains(&considerations), "{path}: {inside}");
        let outside = outsider.get(&path).await;
        assert_file(&outside, PDF, &path);
        let text = pdf_text(&outside.bytes);
        assert!(!text.contains(personnummer), "{path}: {text}");
        assert!(text.contains("Den sökande ("), "{path}: {text}");
        assert!(text.contains(PROPOSAL.split_at(40).0), "{path}: {text}");
    }
    let word = WordDocument::read(
        &outsider
            .get(&format!("/arenden/{case}/yttrande.docx"))
            .await
            .bytes,
    );
    assert!(!word.text().contains(personnummer), "{}", word.text());
    assert!(word.text().contains("Den sökande ("));
}

/// Puts Anna Andersson (S) and Bertil Berg (M) on AMN's roster and records them
/// at `meeting`, Anna in the chair.
async fn attendance_with_a_chair(app: &TestApp, crew: &mut Crew, meeting: Uuid) {
    let amn = app.organ_id("AMN").await;
    let roster = format!("/sammantraden/ledamoter/{amn}");
    for (name, party) in [("Anna Andersson", "S"), ("Bertil Berg", "M")] {
        let added = crew
            .secretary
            .post_from(&roster, &roster, &[("name", name), ("party", party)])
            .await;
        redirected(&added, "adding a member");
    }
    crew.record_attendance(app, meeting).await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_yttrande_is_headed_once_and_signed_with_both_references(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    let title = "Remiss av betänkandet Ett starkare skydd för barn (SOU 2026:12)";
    let heading = "Yttrande över betänkandet Ett starkare skydd för barn (SOU 2026:12)";
    let case = register(&app, title, &["AMN"]).await;
    let dnr = dnr_of(&app, case).await;
    let sender_dnr: String = sqlx::query_scalar(
        "SELECT r.sender_dnr FROM referrals r JOIN cases c ON c.referral_id = r.id WHERE c.id = $1",
    )
    .bind(case)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let mut crew = Crew::new(&app).await;
    let meeting = crew.plan_meeting(&app, MEETING_DAY).await;
    attendance_with_a_chair(&app, &mut crew, meeting).await;
    let item = on_agenda(&app, &mut crew, case, meeting).await;
    redirected(
        &crew.decide(meeting, &decision(&item, "adopted", &[])).await,
        "decision",
    );
    redirected(&crew.adjust(meeting).await, "justering");
    redirected(&crew.dispatch(case, "2027-02-19").await, "dispatch");

    // The sender's reference beside ours, one heading, the chair of the meeting
    // and the secretary who recorded the decision.
    let expected = [
        format!("Vår referens {dnr}"),
        format!("Er referens {sender_dnr}"),
        heading.to_string(),
        "På arbetsmarknadsnämndens vägnar".to_string(),
        "Anna Andersson".to_string(),
        "Ordförande".to_string(),
        "Sven Sekreterare".to_string(),
        "Sekreterare".to_string(),
    ];
    let pdf = crew
        .officer
        .get(&format!("/arenden/{case}/yttrande.pdf"))
        .await;
    assert_file(&pdf, PDF, "the reply");
    assert_valid_pdf(&pdf.bytes, "the reply");
    let text = pdf_text(&pdf.bytes);
    assert_in_order(&text, &expected);
    assert!(!text.contains("remissen Remiss"), "{text}");
    let word = WordDocument::read(
        &crew
            .officer
            .get(&format!("/arenden/{case}/yttrande.docx"))
            .await
            .bytes,
    );
    // Word writes the letterhead's facts as "Label: value".
    let in_word: Vec<String> = expected
        .iter()
        .map(|line| line.replacen(" referens ", " referens: ", 1))
        .collect();
    assert_in_order(&word.text(), &in_word);

    let page = crew.officer.get(&format!("/arenden/{case}/yttrande")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&format!(r#"<h1 class="document-title">{heading}</h1>"#));
    page.assert_contains("<dt>Vår referens</dt>");
    page.assert_contains(&format!("<dt>Er referens</dt><dd>{sender_dnr}</dd>"));
    page.assert_contains("<p>På arbetsmarknadsnämndens vägnar</p>");
    page.assert_contains(r#"<span class="signatory-name">Anna Andersson</span><span class="signatory-title">Ordförande</span>"#);
    page.assert_contains(r#"<span class="signatory-name">Sven Sekreterare</span><span class="signatory-title">Sekreterare</span>"#);
    page.assert_lacks("remissen Remiss");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_report_lists_its_bilagor_and_the_officers_contact_line(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    sqlx::query(
        "UPDATE users SET email = 'hanna.lindqvist@stad.example' WHERE username = 'handlaggare'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    // The reference case: its remiss came with a missive and the proposal.
    let case = case_id(&app, REFERENCE_TITLE, "AMN").await;
    let mut officer = app.signed_in("handlaggare").await;
    let missive = "Missiv – remiss av förslag till Stockholms stads trygghetsprogram 2020–2023";
    let proposal = "Förslag till Stockholms stads trygghetsprogram 2020–2023";
    let contact = [
        "Handläggare Hanna Lindqvist, utredare".to_string(),
        "E-post hanna.lindqvist@stad.example".to_string(),
    ];
    let bilagor = [
        "Bilagor".to_string(),
        format!("1. {missive}"),
        format!("2. {proposal}"),
    ];

    let pdf = officer
        .get(&format!("/arenden/{case}/tjansteutlatande.pdf"))
        .await;
    assert_file(&pdf, PDF, "the report");
    assert_valid_pdf(&pdf.bytes, "the report");
    let text = pdf_text(&pdf.bytes);
    assert_in_order(&text, &contact);
    assert_in_order(&text, &bilagor);

    let word = WordDocument::read(
        &officer
            .get(&format!("/arenden/{case}/tjansteutlatande.docx"))
            .await
            .bytes,
    );
    assert_in_order(
        &word.text(),
        &[
            "Handläggare: Hanna Lindqvist, utredare".to_string(),
            "E-post: hanna.lindqvist@stad.example".to_string(),
            "Bilagor".to_string(),
            missive.to_string(),
            proposal.to_string(),
        ],
    );

    let page = officer
        .get(&format!("/arenden/{case}/tjansteutlatande"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<dt>Handläggare</dt><dd>Hanna Lindqvist, utredare</dd>");
    page.assert_contains(r#"<a href="mailto:hanna.lindqvist@stad.example">"#);
    page.assert_contains(&format!(
        r#"<h2>Bilagor</h2>
<ol class="document-attachments">
  <li>{missive}</li><li>{proposal}</li>"#
    ));
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn long_words_in_the_documents_break_at_a_syllable_with_a_hyphen(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let case = case_id(&app, REFERENCE_TITLE, "AMN").await;
    let mut officer = app.signed_in("handlaggare").await;
    let pdf = officer
        .get(&format!("/arenden/{case}/tjansteutlatande.pdf"))
        .await;
    assert_file(&pdf, PDF, "the report");
    let raw = poppler("pdftotext", &["-enc", "UTF-8"], &pdf.bytes);
    // The reference text's long compounds do not fit a line whole: typst's Swedish
    // patterns break them, and each break joins back into a word of the text.
    let breaks: Vec<&str> = raw
        .lines()
        .filter(|line| line.ends_with('\u{AD}'))
        .collect();
    assert!(breaks.len() >= 3, "{raw}");
    let text = pdf_text(&pdf.bytes);
    for word in [
        "arbetsmarknadsnämnden",
        "trygghetsskapande",
        "stadsdelsnämnderna",
    ] {
        assert!(text.contains(word), "{word}: {text}");
    }
    // The letterhead's facts stay whole.
    assert!(raw.contains("AMN 2020/1"), "{raw}");
}
