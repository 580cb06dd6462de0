//! Documents (handlingar): registered with their files through the pages, checked
//! on the way in (kind by content, size, the real clamd), downloaded byte for
//! byte, shown and hidden as the law asks in the public diarium.

use axum::body::Body;
use axum::http::StatusCode;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use remiss::files::clamd::{Clamd, ClamdAddr};
use remiss::files::pdf::text_document;
use remiss::web::Settings;

use crate::clamd::{clamd, eicar};
use crate::helpers::{Browser, TestApp, TestResponse};

/// Registers a public remiss to AMN and SN (url-encoded, without files) and
/// returns its id.
async fn new_referral(app: &TestApp, registrar: &mut Browser, secret: bool) -> String {
    let amn = app.organ_id("AMN").await;
    let sn = app.organ_id("SN").await;
    let mut fields = vec![
        ("title", "Remiss om ny parkeringspolicy"),
        ("sender_organ", ""),
        ("sender_name", "Trafikverket"),
        ("sender_dnr", "TRV 2026/77"),
        ("received_on", "2026-03-02"),
        ("deadline", "2026-05-29"),
        ("respondents", amn.as_str()),
        ("respondents", sn.as_str()),
    ];
    if secret {
        fields.push(("secret", "on"));
        fields.push(("secrecy_provision", "OSL 18 kap. 8 §"));
    }
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

/// The document fields of the upload form, with `changes` applied.
fn document_fields<'a>(title: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("title", title),
        ("direction", "incoming"),
        ("dated_on", "2026-03-02"),
        ("counterpart", "Trafikverket"),
        ("secrecy_provision", ""),
    ];
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    fields
}

async fn upload(
    browser: &mut Browser,
    path: &str,
    fields: &[(&str, &str)],
    file_name: &str,
    content: &[u8],
) -> TestResponse {
    let form_page = format!("{path}/ny");
    browser
        .post_multipart(&form_page, path, fields, &[("file", file_name, content)])
        .await
}

/// Uploads to a remiss and returns the new document's id (the newest).
async fn upload_to_referral(
    app: &TestApp,
    browser: &mut Browser,
    referral: &str,
    title: &str,
    changes: &[(&str, &str)],
    file_name: &str,
    content: &[u8],
) -> String {
    let response = upload(
        browser,
        &format!("/remisser/{referral}/handlingar"),
        &document_fields(title, changes),
        file_name,
        content,
    )
    .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    newest_document(app).await
}

async fn newest_document(app: &TestApp) -> String {
    let id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM documents ORDER BY registered_at DESC, id DESC LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    id.to_string()
}

async fn case_of(app: &TestApp, referral: &str, prefix: &str) -> String {
    let id: uuid::Uuid = sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN organs o ON o.id = c.organ_id
         WHERE c.referral_id = $1::uuid AND o.diarium_prefix = $2",
    )
    .bind(referral)
    .bind(prefix)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    id.to_string()
}

fn pdf(text: &str) -> Vec<u8> {
    text_document("Betänkande", &[text])
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A zip file of stored entries: (name, content).
fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut directory = Vec::new();
    for (name, content) in entries {
        let offset = out.len() as u32;
        let crc = crc32(content);
        let sizes = [
            crc.to_le_bytes(),
            (content.len() as u32).to_le_bytes(),
            (content.len() as u32).to_le_bytes(),
        ]
        .concat();
        out.extend_from_slice(b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0");
        out.extend_from_slice(&sizes);
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(content);
        directory.extend_from_slice(b"PK\x01\x02\x14\0\x14\0\0\0\0\0\0\0\0\0");
        directory.extend_from_slice(&sizes);
        directory.extend_from_slice(&(name.len() as u16).to_le_bytes());
        directory.extend_from_slice(&[0; 12]);
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(name.as_bytes());
    }
    let at = out.len() as u32;
    out.extend_from_slice(&directory);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn docx(body_text: &str) -> Vec<u8> {
    let document = format!(
        "<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>{body_text}</w:t></w:r></w:p></w:body></w:document>"
    );
    zip(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", document.as_bytes()),
    ])
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_uploaded_file_downloads_byte_for_byte(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let referral = new_referral(&app, &mut registrar, false).await;
    let blobs_before = app.count("SELECT count(*) FROM blobs").await;
    // Over two chunks, so that the download crosses chunk boundaries.
    let mut content = pdf("Förslag till parkeringspolicy.");
    content.extend((0..2_500_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let document = upload_to_referral(
        &app,
        &mut registrar,
        &referral,
        "Betänkande om parkering",
        &[],
        "Betänkande parkering.pdf",
        &content,
    )
    .await;

    let page = registrar.get(&format!("/remisser/{referral}")).await;
    page.assert_contains("Betänkande om parkering");
    page.assert_contains("Betänkande parkering.pdf");
    // Numbered in both respondents' cases, as their first document.
    page.assert_contains("-1, SN ");
    let details = registrar.get(&format!("/handlingar/{document}")).await;
    details.assert_contains(&sha256_hex(&content));
    details.assert_contains("Ej virusskannad");

    let file = registrar.get(&format!("/handlingar/{document}/fil")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes.len(), content.len());
    assert_eq!(sha256_hex(&file.bytes), sha256_hex(&content));
    assert!(file.bytes == content, "byte for byte");
    assert_eq!(file.headers["content-type"], "application/pdf");
    assert_eq!(file.headers["x-content-type-options"], "nosniff");
    assert_eq!(file.headers["accept-ranges"], "bytes");
    assert_eq!(
        file.headers["content-disposition"],
        "attachment; filename=\"Betankande parkering.pdf\"; filename*=UTF-8''Bet%C3%A4nkande%20parkering.pdf"
    );
    assert!(
        file.headers.get("content-encoding").is_none(),
        "not compressed"
    );

    // One copy of the file however often it is attached.
    let again = upload_to_referral(
        &app,
        &mut registrar,
        &referral,
        "Betänkande om parkering, kopia",
        &[],
        "kopia.pdf",
        &content,
    )
    .await;
    assert_ne!(again, document);
    assert_eq!(
        app.count("SELECT count(*) FROM blobs").await,
        blobs_before + 1,
        "one more file, however often attached"
    );
    let chunks = app
        .count("SELECT count(DISTINCT chunk_sha256) FROM blob_parts WHERE blob_sha256 = (SELECT sha256 FROM documents WHERE file_name = 'kopia.pdf')")
        .await;
    assert_eq!(chunks, 3, "about 1 MiB each");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_range_is_served_from_its_chunks(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let referral = new_referral(&app, &mut registrar, false).await;
    let mut content = pdf("Bilaga.");
    content.extend((0..1_500_000u32).map(|i| (i % 251) as u8));
    let document = upload_to_referral(
        &app,
        &mut registrar,
        &referral,
        "Bilaga",
        &[],
        "bilaga.pdf",
        &content,
    )
    .await;
    let path = format!("/handlingar/{document}/fil");
    let size = content.len();

    // Across the boundary of the first chunk.
    let (first, last) = (1_048_000usize, 1_049_999usize);
    let part = registrar
        .send_with(
            "GET",
            &path,
            &[("range", &format!("bytes={first}-{last}"))],
            None,
            Body::empty(),
        )
        .await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.bytes, content[first..=last]);
    assert_eq!(
        part.headers["content-range"],
        format!("bytes {first}-{last}/{size}")
    );
    assert_eq!(
        part.headers["content-length"],
        (last - first + 1).to_string()
    );

    let tail = registrar
        .send_with(
            "GET",
            &path,
            &[("range", "bytes=-100")],
            None,
            Body::empty(),
        )
        .await;
    assert_eq!(tail.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(tail.bytes, content[size - 100..]);

    let beyond = registrar
        .send_with(
            "GET",
            &path,
            &[("range", &format!("bytes={size}-"))],
            None,
            Body::empty(),
        )
        .await;
    assert_eq!(beyond.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.headers["content-range"], format!("bytes */{size}"));

    // A range for another version of the file (If-Range) gets the whole file.
    let stale = registrar
        .send_with(
            "GET",
            &path,
            &[("range", "bytes=0-9"), ("if-range", "\"not-this-file\"")],
            None,
            Body::empty(),
        )
        .await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.bytes.len(), size);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_file_over_the_limit_is_refused_with_413_and_the_form_kept(pool: PgPool) {
    let settings = Settings {
        max_upload_bytes: 1_000_000,
        ..Settings::default()
    };
    let app = TestApp::with_demo_and(pool, settings).await;
    let mut registrar = app.signed_in("registrator").await;
    let referral = new_referral(&app, &mut registrar, false).await;
    let mut content = pdf("Stor bilaga.");
    content.resize(1_500_000, b' ');
    let response = upload(
        &mut registrar,
        &format!("/remisser/{referral}/handlingar"),
        &document_fields("En alldeles för stor bilaga", &[]),
        "stor.pdf",
        &content,
    )
    .await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    response.assert_contains("högst 1 MB");
    response.assert_contains("id=\"file-error\"");
    response.assert_contains("value=\"En alldeles för stor bilaga\"");
    response.assert_contains("Välj filen på nytt");
    assert_eq!(
        app.count("SELECT count(*) FROM documents WHERE title LIKE 'En alldeles%'")
            .await,
        0
    );

    // A body beyond even twice the limit is cut off, and answered the same way.
    let mut huge = pdf("Mycket stor bilaga.");
    huge.resize(2_700_000, b' ');
    let response = upload(
        &mut registrar,
        &format!("/remisser/{referral}/handlingar"),
        &document_fields("Jättestor", &[]),
        "jattestor.pdf",
        &huge,
    )
    .await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    response.assert_contains("value=\"Jättestor\"");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn files_are_judged_by_their_content(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let referral = new_referral(&app, &mut registrar, false).await;
    let path = format!("/remisser/{referral}/handlingar");
    let docm = zip(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w:document/>"),
        ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0"),
    ]);
    let mut encrypted = zip(&[("hemligt.txt", b"abc")]);
    // The entry flags say encrypted, in the local header and the directory.
    encrypted[6] = 1;
    let directory = encrypted
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .unwrap();
    encrypted[directory + 8] = 1;
    let refused: [(&str, Vec<u8>, &str); 6] = [
        (
            "bild.gif",
            b"GIF89a\x01\0\x01\0\x80\0\0\xff\xff\xff\0\0\0!".to_vec(),
            "Filtypen tas inte emot",
        ),
        // A program, whatever its name claims.
        (
            "program.pdf",
            b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".to_vec(),
            "Filtypen tas inte emot",
        ),
        ("makro.docx", docm, "makron"),
        ("arkiv.zip", encrypted, "krypterad"),
        (
            "latin1.txt",
            b"R\xe4ksm\xf6rg\xe5s".to_vec(),
            "Filtypen tas inte emot",
        ),
        ("tom.pdf", Vec::new(), "Filen är tom"),
    ];
    for (name, content, message) in refused {
        let response = upload(
            &mut registrar,
            &path,
            &document_fields("Prov", &[]),
            name,
            &content,
        )
        .await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        response.assert_contains(message);
        response.assert_contains("id=\"file-error\"");
        response.assert_contains("value=\"Prov\"");
    }
    assert_eq!(
        app.count("SELECT count(*) FROM documents WHERE title = 'Prov'")
            .await,
        0
    );

    // Accepted kinds, named by their content: a text file named .html is saved
    // as text, never offered as a page.
    let accepted: [(&str, Vec<u8>, &str, &str); 4] = [
        (
            "sida.html",
            "<p>Hej – åäö</p>\n".as_bytes().to_vec(),
            "text/plain; charset=utf-8",
            "sida.html.txt",
        ),
        (
            "yttrande.docx",
            docx("Yttrande"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "yttrande.docx",
        ),
        (
            "bild.png",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec(),
            "image/png",
            "bild.png",
        ),
        (
            "utan namn",
            pdf("Utan filändelse."),
            "application/pdf",
            "utan namn.pdf",
        ),
    ];
    for (i, (name, content, media_type, stored_name)) in accepted.into_iter().enumerate() {
        let title = format!("Godtagen {i}");
        let id =
            upload_to_referral(&app, &mut registrar, &referral, &title, &[], name, &content).await;
        let file = registrar.get(&format!("/handlingar/{id}/fil")).await;
        assert_eq!(file.headers["content-type"], media_type, "{name}");
        assert!(
            file.headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains(&format!("filename=\"{stored_name}\"")),
            "{name}: {:?}",
            file.headers["content-disposition"]
        );
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_form_with_errors_comes_back_with_its_messages(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let referral = new_referral(&app, &mut registrar, false).await;
    let path = format!("/remisser/{referral}/handlingar");

    let missing_title = upload(
        &mut registrar,
        &path,
        &document_fields(
            "  ",
            &[("counterpart", "Trafikverket, enheten för planering")],
        ),
        "missiv.pdf",
        &pdf("Missiv."),
    )
    .await;
    assert_eq!(missing_title.status, StatusCode::UNPROCESSABLE_ENTITY);
    missing_title.assert_contains("Ange handlingens rubrik.");
    missing_title.assert_contains("value=\"Trafikverket, enheten för planering\"");

    let future = upload(
        &mut registrar,
        &path,
        &document_fields("Missiv", &[("dated_on", "2999-01-01")]),
        "missiv.pdf",
        &pdf("Missiv."),
    )
    .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    future.assert_contains("framtiden");

    let no_file = registrar
        .post_multipart(
            &format!("{path}/ny"),
            &path,
            &document_fields("Missiv", &[]),
            &[("file", "", b"")],
        )
        .await;
    assert_eq!(no_file.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_file.assert_contains("Välj filen som ska registreras.");

    upload_to_referral(
        &app,
        &mut registrar,
        &referral,
        "Missiv",
        &[],
        "Missiv.pdf",
        &pdf("Missiv."),
    )
    .await;
    let duplicate = upload(
        &mut registrar,
        &path,
        &document_fields("Missiv igen", &[]),
        "missiv.PDF",
        &pdf("Ett annat missiv."),
    )
    .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    duplicate.assert_contains("Det finns redan en handling med filnamnet");
    duplicate.assert_contains("value=\"Missiv igen\"");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM documents WHERE referral_id = '{referral}'"
        ))
        .await,
        1
    );

    // Without the CSRF token nothing is taken in.
    let chunks_before = app.count("SELECT count(*) FROM blob_chunks").await;
    let (content_type, body) = crate::helpers::multipart(
        &document_fields("Utan token", &[]),
        &[("file", "x.pdf", &pdf("x"))],
    );
    let forged = registrar
        .send("POST", &path, Some(&content_type), Body::from(body))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("SELECT count(*) FROM blob_chunks").await,
        chunks_before
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_eicar_file_is_refused_by_the_real_clamd_and_a_pdf_taken(pool: PgPool) {
    let clamd = clamd();
    let settings = Settings {
        clamd: Some(Clamd::new(ClamdAddr::Unix(clamd.socket.clone()))),
        ..Settings::default()
    };
    let app = TestApp::with_demo_and(pool, settings).await;
    let mut registrar = app.signed_in("registrator").await;
    let referral = new_referral(&app, &mut registrar, false).await;
    let path = format!("/remisser/{referral}/handlingar");

    let response = upload(
        &mut registrar,
        &path,
        &document_fields("Smittad", &[]),
        "eicar.txt",
        &eicar(),
    )
    .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    response.assert_contains("Virusskanningen hittade skadlig kod i filen (Remiss.Test.EICAR");
    response.assert_contains("value=\"Smittad\"");
    assert_eq!(
        app.count("SELECT count(*) FROM documents WHERE title = 'Smittad'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_events WHERE action = 'document.virus_found' AND after->>'file_name' = 'eicar.txt' AND referral_id IS NOT NULL").await,
        1,
        "the refusal is an audit event"
    );
    // The remiss's history tells of it.
    registrar
        .get(&format!("/remisser/{referral}"))
        .await
        .assert_contains("som virusskanningen stoppade");

    let id = upload_to_referral(
        &app,
        &mut registrar,
        &referral,
        "Ren",
        &[],
        "ren.pdf",
        &pdf("Ren fil."),
    )
    .await;
    let page = registrar.get(&format!("/handlingar/{id}")).await;
    page.assert_contains("Skannad utan anmärkning");
    page.assert_lacks("Ej virusskannad");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn uploads_are_refused_when_the_configured_clamd_does_not_answer(pool: PgPool) {
    let gone = tempfile::tempdir().unwrap();
    let settings = Settings {
        clamd: Some(Clamd::new(ClamdAddr::Unix(gone.path().join("clamd.sock")))),
        ..Settings::default()
    };
    let app = TestApp::with_demo_and(pool, settings).await;
    let mut registrar = app.signed_in("registrator").await;
    let referral = new_referral(&app, &mut registrar, false).await;
    let response = upload(
        &mut registrar,
        &format!("/remisser/{referral}/handlingar"),
        &document_fields("Oskannad", &[]),
        "oskannad.pdf",
        &pdf("Oskannad."),
    )
    .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    response.assert_contains("Virusskanningen kunde inte granska filen just nu");
    assert_eq!(
        app.count("SELECT count(*) FROM documents WHERE title = 'Oskannad'")
            .await,
        0
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_registration_form_registers_the_remiss_with_its_documents(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let amn = app.organ_id("AMN").await;
    let sn = app.organ_id("SN").await;
    let mut registrar = app.signed_in("registrator").await;
    let fields = [
        ("title", "Remiss om cykelplan"),
        ("sender_organ", ""),
        ("sender_name", "Region Stockholm"),
        ("sender_dnr", "RS 2026/9"),
        ("description", ""),
        ("received_on", "2026-03-02"),
        ("deadline", "2026-05-29"),
        ("respondents", amn.as_str()),
        ("respondents", sn.as_str()),
        ("secrecy_provision", ""),
        ("document_title_1", "Missiv"),
        ("document_secrecy_1", ""),
        ("document_title_2", "Cykelplan, förslag"),
        ("document_secrecy_2", ""),
        ("document_title_3", ""),
        ("document_secrecy_3", ""),
    ];
    let missive = pdf("Missiv om cykelplanen.");
    let plan = pdf("Cykelplanen.");
    let response = registrar
        .post_multipart(
            "/remisser/ny",
            "/remisser",
            &fields,
            &[
                ("document_file_1", "missiv.pdf", &missive),
                ("document_file_2", "cykelplan.pdf", &plan),
                ("document_file_3", "", b""),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let referral = response.location.unwrap();
    let page = registrar.get(&referral).await;
    page.assert_contains("missiv.pdf");
    page.assert_contains("cykelplan.pdf");
    let referral_id: uuid::Uuid = referral.trim_start_matches("/remisser/").parse().unwrap();
    let rows: Vec<(String, i32, String, String)> = sqlx::query_as(
        "SELECT o.diarium_prefix, n.number, d.title, d.counterpart FROM document_numbers n
         JOIN documents d ON d.id = n.document_id JOIN cases c ON c.id = n.case_id
         JOIN organs o ON o.id = c.organ_id WHERE c.referral_id = $1 ORDER BY 1, 2",
    )
    .bind(referral_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            ("AMN".into(), 1, "Missiv".into(), "Region Stockholm".into()),
            (
                "AMN".into(),
                2,
                "Cykelplan, förslag".into(),
                "Region Stockholm".into()
            ),
            ("SN".into(), 1, "Missiv".into(), "Region Stockholm".into()),
            (
                "SN".into(),
                2,
                "Cykelplan, förslag".into(),
                "Region Stockholm".into()
            ),
        ]
    );

    // A document without its title, and a remiss without its deadline: nothing
    // is registered, and everything typed comes back.
    let before = app.count("SELECT count(*) FROM referrals").await;
    let mut broken = fields.to_vec();
    broken.retain(|(n, _)| *n != "deadline" && *n != "document_title_2");
    broken.push(("deadline", ""));
    broken.push(("document_title_2", ""));
    let response = registrar
        .post_multipart(
            "/remisser/ny",
            "/remisser",
            &broken,
            &[
                ("document_file_1", "missiv.pdf", &missive),
                ("document_file_2", "plan.pdf", &plan),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    response.assert_contains("id=\"document_title_2-error\"");
    response.assert_contains("id=\"deadline-error\"");
    response.assert_contains("value=\"Missiv\"");
    response.assert_contains("value=\"Region Stockholm\"");
    assert_eq!(app.count("SELECT count(*) FROM referrals").await, before);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn two_registrars_attaching_at_once_get_distinct_numbers(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut first = app.signed_in("registrator").await;
    let referral = new_referral(&app, &mut first, false).await;
    let mut second = app.signed_in("registrator").await;
    let path = format!("/remisser/{referral}/handlingar");
    let (a, b) = (pdf("Bilaga A."), pdf("Bilaga B."));
    let fields_a = document_fields("Bilaga A", &[]);
    let fields_b = document_fields("Bilaga B", &[]);
    let (one, two) = tokio::join!(
        upload(&mut first, &path, &fields_a, "a.pdf", &a),
        upload(&mut second, &path, &fields_b, "b.pdf", &b),
    );
    assert_eq!(one.status, StatusCode::SEE_OTHER, "{}", one.body);
    assert_eq!(two.status, StatusCode::SEE_OTHER, "{}", two.body);
    let numbers: Vec<(String, Vec<i32>)> = sqlx::query_as(
        "SELECT o.diarium_prefix, array_agg(n.number ORDER BY n.number) FROM document_numbers n
         JOIN cases c ON c.id = n.case_id JOIN organs o ON o.id = c.organ_id
         WHERE c.referral_id = $1::uuid GROUP BY 1 ORDER BY 1",
    )
    .bind(&referral)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        numbers,
        vec![("AMN".into(), vec![1, 2]), ("SN".into(), vec![1, 2])]
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn secret_documents_show_only_number_date_and_provision_in_the_diarium(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let referral = new_referral(&app, &mut registrar, false).await;
    let public = upload_to_referral(
        &app,
        &mut registrar,
        &referral,
        "Remissmissiv om parkering",
        &[],
        "missiv.pdf",
        &pdf("Missiv."),
    )
    .await;
    let secret = upload_to_referral(
        &app,
        &mut registrar,
        &referral,
        "Hotbildsanalys kvarteret Myran",
        &[("secrecy_provision", "OSL 18 kap. 8 §")],
        "hotbild.pdf",
        &pdf("Hemlig analys."),
    )
    .await;
    // Both marked får publiceras would be refused for the secret one.
    let publish = registrar
        .post_from(
            &format!("/handlingar/{secret}"),
            &format!("/handlingar/{secret}/publicering"),
            &[("publish", "yes"), ("confirmed", "on")],
        )
        .await;
    assert_eq!(publish.status, StatusCode::CONFLICT);
    publish.assert_contains("sekretessmarkerad");
    let publish = registrar
        .post_from(
            &format!("/handlingar/{public}"),
            &format!("/handlingar/{public}/publicering"),
            &[("publish", "yes")],
        )
        .await;
    assert_eq!(publish.status, StatusCode::SEE_OTHER, "{}", publish.body);

    let case = case_of(&app, &referral, "AMN").await;
    let mut visitor = app.browser();
    let entry = visitor.get(&format!("/diarium/{case}")).await;
    entry.assert_contains("Remissmissiv om parkering");
    entry.assert_contains(&format!("/diarium/{case}/handlingar/1"));
    entry.assert_lacks("Hotbildsanalys");
    entry.assert_lacks("Myran");
    entry.assert_contains("Sekretessmarkerad handling");
    entry.assert_contains("Sekretess enligt OSL 18 kap. 8 §");
    entry.assert_lacks(&format!("/diarium/{case}/handlingar/2"));
    entry.assert_contains("-2</td>");

    let file = visitor.get(&format!("/diarium/{case}/handlingar/1")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, pdf("Missiv."));
    let denied = visitor.get(&format!("/diarium/{case}/handlingar/2")).await;
    assert_eq!(denied.status, StatusCode::NOT_FOUND);

    let found = visitor.get("/diarium?q=hotbildsanalys").await;
    found.assert_lacks(&case);
    let found = visitor.get("/diarium?q=remissmissiv").await;
    found.assert_contains(&case);

    let feed = visitor.get("/diarium/atom").await;
    feed.assert_contains("Remissmissiv om parkering");
    feed.assert_lacks("Hotbildsanalys");
    feed.assert_contains("sekretessmarkerad handling (OSL 18 kap. 8 §)");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_secret_remiss_shows_none_of_its_documents_titles(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let referral = new_referral(&app, &mut registrar, true).await;
    upload_to_referral(
        &app,
        &mut registrar,
        &referral,
        "Underlag om skyddsobjekt",
        &[],
        "underlag.pdf",
        &pdf("Underlag."),
    )
    .await;
    let case = case_of(&app, &referral, "SN").await;
    let mut visitor = app.browser();
    let entry = visitor.get(&format!("/diarium/{case}")).await;
    entry.assert_lacks("skyddsobjekt");
    entry.assert_contains("Sekretess enligt OSL 18 kap. 8 §");
    assert_eq!(
        visitor
            .get(&format!("/diarium/{case}/handlingar/1"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    visitor
        .get("/diarium?q=skyddsobjekt")
        .await
        .assert_lacks(&case);
    visitor
        .get("/diarium/atom")
        .await
        .assert_lacks("skyddsobjekt");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn publication_is_the_registrars_recorded_decision(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let referral = new_referral(&app, &mut registrar, false).await;
    let document = upload_to_referral(
        &app,
        &mut registrar,
        &referral,
        "Missiv",
        &[],
        "missiv.pdf",
        &pdf("Missiv."),
    )
    .await;
    let case = case_of(&app, &referral, "AMN").await;
    let mut visitor = app.browser();
    let entry = visitor.get(&format!("/diarium/{case}")).await;
    entry.assert_contains("Missiv");
    entry.assert_contains("Lämnas ut på begäran");
    assert_eq!(
        visitor
            .get(&format!("/diarium/{case}/handlingar/1"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "not published yet"
    );

    // An officer may not decide it.
    let mut officer = app.signed_in("handlaggare").await;
    let refused = officer
        .post_from(
            &format!("/handlingar/{document}"),
            &format!("/handlingar/{document}/publicering"),
            &[("publish", "yes")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let decided = registrar
        .post_from(
            &format!("/handlingar/{document}"),
            &format!("/handlingar/{document}/publicering"),
            &[("publish", "yes")],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER);
    registrar
        .get(&format!("/handlingar/{document}"))
        .await
        .assert_contains("Får publiceras i det offentliga diariet, beslutat");
    assert_eq!(
        visitor
            .get(&format!("/diarium/{case}/handlingar/1"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_events WHERE action = 'document.published' AND actor_id IS NOT NULL").await,
        // The demo's two published documents were registered published.
        1
    );

    // Withdrawn, and then annulled: neither is offered any more.
    let withdrawn = registrar
        .post_from(
            &format!("/handlingar/{document}"),
            &format!("/handlingar/{document}/publicering"),
            &[("publish", "no")],
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    assert_eq!(
        visitor
            .get(&format!("/diarium/{case}/handlingar/1"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let no_reason = registrar
        .post_from(
            &format!("/handlingar/{document}"),
            &format!("/handlingar/{document}/makulera"),
            &[("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_reason.assert_contains("Ange varför handlingen makuleras.");
    let annulled = registrar
        .post_from(
            &format!("/handlingar/{document}"),
            &format!("/handlingar/{document}/makulera"),
            &[("reason", "Fel remiss")],
        )
        .await;
    assert_eq!(annulled.status, StatusCode::SEE_OTHER);
    let page = registrar.get(&format!("/handlingar/{document}")).await;
    page.assert_contains("Makulerad");
    page.assert_contains("Fel remiss");
    visitor
        .get(&format!("/diarium/{case}"))
        .await
        .assert_contains("Makulerad");
    let republish = registrar
        .post_from(
            &format!("/handlingar/{document}"),
            &format!("/handlingar/{document}/publicering"),
            &[("publish", "yes")],
        )
        .await;
    assert_eq!(republish.status, StatusCode::CONFLICT);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_personnummer_in_a_pdfs_text_blocks_publication_until_confirmed(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let referral = new_referral(&app, &mut registrar, false).await;
    let document = upload_to_referral(
        &app,
        &mut registrar,
        &referral,
        "Synpunkter från en medborgare",
        &[],
        "synpunkter.pdf",
        &text_document(
            "Synpunkter",
            &["Inlämnat av Anna Andersson, 19811218-9876, Storgatan 1."],
        ),
    )
    .await;
    let page = registrar.get(&format!("/handlingar/{document}")).await;
    page.assert_contains("Personnummervakten hittade något");
    let refused = registrar
        .post_from(
            &format!("/handlingar/{document}"),
            &format!("/handlingar/{document}/publicering"),
            &[("publish", "yes")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("id=\"confirmed-error\"");
    refused.assert_contains("ser ut som ett personnummer");
    assert_eq!(
        app.count("SELECT count(*) FROM documents WHERE published_at IS NOT NULL AND title LIKE 'Synpunkter%'").await,
        0
    );

    let confirmed = registrar
        .post_from(
            &format!("/handlingar/{document}"),
            &format!("/handlingar/{document}/publicering"),
            &[("publish", "yes"), ("confirmed", "on")],
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT count(*) FROM documents d JOIN users u ON u.id = d.personal_data_checked_by WHERE u.username = 'registrator' AND d.published_at IS NOT NULL AND d.title LIKE 'Synpunkter%'").await,
        1,
        "who looked is recorded"
    );

    // A DOCX is read too, and so is the title.
    let docx_id = upload_to_referral(
        &app,
        &mut registrar,
        &referral,
        "Yttrande",
        &[],
        "yttrande.docx",
        &docx("Kontakt: 811218-9876"),
    )
    .await;
    let title_id = upload_to_referral(
        &app,
        &mut registrar,
        &referral,
        "Ansökan 19811218-9876",
        &[],
        "ansokan.pdf",
        &pdf("Ansökan."),
    )
    .await;
    let clean_id = upload_to_referral(
        &app,
        &mut registrar,
        &referral,
        "Ren",
        &[],
        "ren.docx",
        &docx("Inga nummer här, bara dnr KS 2019/1939."),
    )
    .await;
    let found: Vec<(String, String)> = sqlx::query_as(
        "SELECT id::text, personal_data FROM documents WHERE id = ANY($1::uuid[]) ORDER BY title",
    )
    .bind(vec![docx_id.clone(), title_id.clone(), clean_id.clone()])
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        found,
        vec![
            (title_id, "found".into()),
            (clean_id, "none_found".into()),
            (docx_id, "found".into()),
        ]
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn another_organs_user_cannot_open_a_secret_or_a_working_document(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut registrar = app.signed_in("registrator").await;
    let referral = new_referral(&app, &mut registrar, false).await;
    // A case of UN, which neither handläggare works in.
    let un = app.organ_id("UN").await;
    let fields = [
        ("title", "Remiss om skolskjutsar"),
        ("sender_organ", ""),
        ("sender_name", "Skolverket"),
        ("sender_dnr", ""),
        ("received_on", "2026-03-02"),
        ("deadline", "2026-05-29"),
        ("respondents", un.as_str()),
    ];
    let un_referral = registrar
        .post_from("/remisser/ny", "/remisser", &fields)
        .await
        .location
        .unwrap();
    let un_referral = un_referral.trim_start_matches("/remisser/");
    let secret = upload_to_referral(
        &app,
        &mut registrar,
        un_referral,
        "Elevuppgifter",
        &[("secrecy_provision", "OSL 23 kap. 2 §")],
        "elever.pdf",
        &pdf("Elever."),
    )
    .await;

    // AMN's officer drafts a working document in AMN's case of the first remiss.
    let mut amn_officer = app.signed_in("handlaggare").await;
    let amn_case = case_of(&app, &referral, "AMN").await;
    let response = upload(
        &mut amn_officer,
        &format!("/arenden/{amn_case}/handlingar"),
        &document_fields(
            "PM inför yttrandet",
            &[("direction", "drawn_up"), ("counterpart", "")],
        ),
        "pm.txt",
        "Arbetsanteckningar.\n".as_bytes(),
    )
    .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let working = newest_document(&app).await;
    assert_eq!(
        amn_officer
            .get(&format!("/handlingar/{working}/fil"))
            .await
            .status,
        StatusCode::OK
    );

    let mut sn_officer = app.signed_in("handlaggare.sn").await;
    assert_eq!(
        sn_officer
            .get(&format!("/handlingar/{secret}/fil"))
            .await
            .status,
        StatusCode::FORBIDDEN,
        "a secret document of another organ's remiss"
    );
    assert_eq!(
        sn_officer
            .get(&format!("/handlingar/{working}/fil"))
            .await
            .status,
        StatusCode::FORBIDDEN,
        "another organ's working document"
    );
    assert_eq!(
        sn_officer
            .get(&format!("/handlingar/{working}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    sn_officer
        .get(&format!("/arenden/{amn_case}"))
        .await
        .assert_lacks("PM inför yttrandet");
    // Nor may they register in AMN's case.
    assert_eq!(
        sn_officer
            .get(&format!("/arenden/{amn_case}/handlingar/ny"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let refused = sn_officer
        .post_multipart(
            "/",
            &format!("/arenden/{amn_case}/handlingar"),
            &document_fields("Inte min", &[]),
            &[("file", "x.pdf", &pdf("x"))],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // The working document is not in the public diarium either.
    app.browser()
        .get(&format!("/diarium/{amn_case}"))
        .await
        .assert_lacks("PM inför yttrandet");

    // Those who may read a secret document do, and each opening is recorded.
    let file = registrar.get(&format!("/handlingar/{secret}/fil")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_events e JOIN users u ON u.id = e.actor_id WHERE e.action = 'document.secret_read' AND u.username = 'registrator'").await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_events WHERE action = 'document.secret_read'")
            .await,
        1,
        "refused attempts open nothing"
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_officer_sees_the_remiss_documents_beside_the_editor(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let case: uuid::Uuid = sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN organs o ON o.id = c.organ_id JOIN referrals r ON r.id = c.referral_id
         WHERE o.diarium_prefix = 'SN' AND r.sender_dnr = 'KS 2019/1939'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let mut officer = app.signed_in("handlaggare.sn").await;
    let editor = officer.get(&format!("/arenden/{case}/utkast")).await;
    assert_eq!(editor.status, StatusCode::OK, "{}", editor.body);
    editor.assert_contains("Handlingar i ärendet");
    editor.assert_contains(
        "Missiv – remiss av förslag till Stockholms stads trygghetsprogram 2020–2023",
    );
    let href = editor
        .body
        .split("href=\"/handlingar/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let file = officer.get(&format!("/handlingar/{href}")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.bytes.starts_with(b"%PDF-"));
    let text = pdf_extract::extract_text_from_mem(&file.bytes).unwrap();
    assert!(text.contains("KS 2019/1939"), "{text}");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_demo_reference_case_offers_its_published_pdfs_to_the_public(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let case: uuid::Uuid = sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN organs o ON o.id = c.organ_id JOIN referrals r ON r.id = c.referral_id
         WHERE o.diarium_prefix = 'AMN' AND r.sender_dnr = 'KS 2019/1939'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let mut visitor = app.browser();
    let entry = visitor.get(&format!("/diarium/{case}")).await;
    entry.assert_contains("Förslag till Stockholms stads trygghetsprogram 2020–2023");
    for number in [1, 2] {
        let file = visitor
            .get(&format!("/diarium/{case}/handlingar/{number}"))
            .await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.headers["content-type"], "application/pdf");
    }
    // The decided case lists what went out (nothing registered as outgoing yet).
    let mut secretary = app.signed_in("sekreterare").await;
    secretary
        .get(&format!("/arenden/{case}"))
        .await
        .assert_contains("Handlingar som gått ut");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_registered_document_is_never_changed_nor_deleted(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let update = sqlx::query("UPDATE documents SET title = 'Annat' WHERE true")
        .execute(&app.pool)
        .await;
    assert!(update.unwrap_err().to_string().contains("immutable"));
    let delete = sqlx::query("DELETE FROM documents WHERE true")
        .execute(&app.pool)
        .await;
    assert!(delete.unwrap_err().to_string().contains("never deleted"));
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn housekeeping_removes_only_chunks_no_file_uses(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let mut conn = app.pool.acquire().await.unwrap();
    remiss::db::blobs::put_chunk(
        &mut conn,
        &[7u8; 32],
        b"left behind by an interrupted upload",
    )
    .await
    .unwrap();
    sqlx::query("UPDATE blob_chunks SET touched_at = now() - interval '2 days'")
        .execute(&mut *conn)
        .await
        .unwrap();
    let used = app.count("SELECT count(*) FROM blob_chunks").await - 1;
    let removed = remiss::db::blobs::delete_orphan_chunks(
        &mut conn,
        chrono::Utc::now() - chrono::TimeDelta::days(1),
    )
    .await
    .unwrap();
    assert_eq!(removed, 1);
    assert_eq!(app.count("SELECT count(*) FROM blob_chunks").await, used);
    assert_eq!(app.count("SELECT count(*) FROM blob_parts p LEFT JOIN blob_chunks c ON c.sha256 = p.chunk_sha256 WHERE c.sha256 IS NULL").await, 0);
}
