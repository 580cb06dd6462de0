//! The document use cases called directly: a document held in memory registered
//! in the caller's transaction (what a rendered yttrande will use), its numbers,
//! its publication, and nothing left when the transaction does not commit; the
//! tjänsteutlåtande and protokollsutdrag frozen when a decision becomes final.

use chrono::{NaiveDate, TimeZone, Utc};
use remiss::app::documents::{self, InMemory};
use remiss::app::{Actor, Context};
use remiss::db::documents::Belongs;
use remiss::domain::document::{Direction, DocumentDetails};
use remiss::domain::file_check::MediaType;
use sqlx::PgPool;
use uuid::Uuid;

async fn actor(pool: &PgPool, username: &str) -> Actor {
    let mut conn = pool.acquire().await.unwrap();
    let id: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let user = remiss::db::users::session_user(&mut conn, id)
        .await
        .unwrap()
        .unwrap();
    Actor {
        user_id: user.id,
        is_admin: user.is_admin,
        roles: user.roles.iter().map(|r| (r.organ_id, r.role)).collect(),
    }
}

/// The reference remiss's case of `prefix`.
async fn reference_case(pool: &PgPool, prefix: &str) -> Uuid {
    sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN organs o ON o.id = c.organ_id JOIN referrals r ON r.id = c.referral_id
         WHERE o.diarium_prefix = $1 AND r.sender_dnr = 'KS 2019/1939'",
    )
    .bind(prefix)
    .fetch_one(pool)
    .await
    .unwrap()
}

fn yttrande(title: &str) -> DocumentDetails {
    DocumentDetails {
        title: title.into(),
        direction: Direction::Outgoing,
        dated_on: NaiveDate::from_ymd_opt(2020, 3, 20).unwrap(),
        counterpart: "Kommunstyrelsen".into(),
        secrecy_provision: None,
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_rendering_is_registered_in_the_callers_transaction(pool: PgPool) {
    let ctx = Context::new(pool.clone());
    remiss::app::demo::load_if_empty(&ctx).await.unwrap();
    let secretary = actor(&pool, "sekreterare").await;
    let case = reference_case(&pool, "AMN").await;
    let at = Utc.with_ymd_and_hms(2020, 3, 20, 10, 0, 0).unwrap();
    let bytes = remiss::files::pdf::text_document(
        "Yttrande",
        &["Arbetsmarknadsnämnden hänvisar till tjänsteutlåtandet."],
    );

    // Rolled back: nothing of it stays, not even its file.
    let blobs_before: i64 = sqlx::query_scalar("SELECT count(*) FROM blobs")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut tx = pool.begin().await.unwrap();
    documents::register_bytes_in(
        &mut tx,
        at,
        secretary.user_id,
        Belongs::Case(case),
        InMemory {
            details: &yttrande("Yttrande"),
            file_name: "Yttrande.pdf",
            media_type: MediaType::Pdf,
            bytes: &bytes,
            text: Some("Arbetsmarknadsnämnden hänvisar till tjänsteutlåtandet."),
            published: true,
        },
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let blobs: i64 = sqlx::query_scalar("SELECT count(*) FROM blobs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(blobs, blobs_before);

    let mut tx = pool.begin().await.unwrap();
    let registered = documents::register_bytes_in(
        &mut tx,
        at,
        secretary.user_id,
        Belongs::Case(case),
        InMemory {
            details: &yttrande("Yttrande"),
            file_name: "Yttrande.pdf",
            media_type: MediaType::Pdf,
            bytes: &bytes,
            text: Some("Arbetsmarknadsnämnden hänvisar till tjänsteutlåtandet."),
            published: true,
        },
    )
    .await
    .unwrap();
    // A second rendering whose text holds a personnummer is left unpublished.
    let flagged = documents::register_bytes_in(
        &mut tx,
        at,
        secretary.user_id,
        Belongs::Case(case),
        InMemory {
            details: &yttrande("Protokollsutdrag"),
            file_name: "Protokollsutdrag.pdf",
            media_type: MediaType::Pdf,
            bytes: &bytes,
            text: Some("Justerare 811218-9876"),
            published: true,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // After the reference remiss's two incoming documents, the two frozen at its
    // justering and the yttrande frozen at dispatch (PDF and DOCX), in AMN's case
    // only.
    let amn = sqlx::query_scalar::<_, String>("SELECT dnr_text FROM cases WHERE id = $1")
        .bind(case)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(registered.numbers, vec![format!("{amn}-7")]);
    assert_eq!(flagged.numbers, vec![format!("{amn}-8")]);
    let published: Vec<(String, bool, String)> = sqlx::query_as(
        "SELECT title, published_at IS NOT NULL, personal_data FROM documents WHERE id = ANY($1) ORDER BY title",
    )
    .bind(vec![registered.id, flagged.id])
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        published,
        vec![
            ("Protokollsutdrag".into(), false, "found".into()),
            ("Yttrande".into(), true, "none_found".into()),
        ]
    );
    // One copy of the bytes, however often registered.
    let blobs: i64 = sqlx::query_scalar("SELECT count(*) FROM blobs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(blobs, blobs_before + 1);

    // Anyone on the staff reads an outgoing document; the public downloads the
    // published one by its number.
    let other = actor(&pool, "handlaggare.sn").await;
    let opened = documents::open(&ctx, &other, registered.id).await.unwrap();
    assert_eq!(opened.sha256.len(), 32);
    let public = documents::open_published(&ctx, case, 7).await.unwrap();
    assert_eq!(public.id, registered.id);
    assert!(matches!(
        documents::open_published(&ctx, case, 8).await,
        Err(remiss::app::Error::NotFound)
    ));
}

/// A document's stored bytes, read back from its chunks.
async fn stored_bytes(pool: &PgPool, document: Uuid) -> Vec<u8> {
    let mut conn = pool.acquire().await.unwrap();
    let (sha256, size): (Vec<u8>, i64) =
        sqlx::query_as("SELECT sha256, size FROM documents WHERE id = $1")
            .bind(document)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    let mut bytes = Vec::new();
    for part in remiss::db::blobs::parts(&mut conn, &sha256, 0, size - 1)
        .await
        .unwrap()
    {
        let chunk = remiss::db::blobs::chunk(&mut conn, &part.chunk_sha256)
            .await
            .unwrap()
            .unwrap();
        bytes.extend_from_slice(&chunk);
    }
    assert_eq!(bytes.len() as i64, size);
    bytes
}

/// The case's documents drawn up by the system: (title, file name, published, id).
async fn drawn_up(pool: &PgPool, case: Uuid) -> Vec<(String, String, bool, Uuid)> {
    sqlx::query_as(
        "SELECT d.title, d.file_name, d.published_at IS NOT NULL, d.id FROM documents d
         JOIN document_numbers n ON n.document_id = d.id AND n.case_id = $1
         WHERE d.direction = 'drawn_up' ORDER BY n.number",
    )
    .bind(case)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn at_justering_the_extract_and_the_decided_report_are_frozen_as_handlingar(pool: PgPool) {
    let ctx = Context::new(pool.clone());
    remiss::app::demo::load_if_empty(&ctx).await.unwrap();
    // The demo city adjusted AMN's minutes of 17 March 2020 through the use case.
    let case = reference_case(&pool, "AMN").await;
    let frozen = drawn_up(&pool, case).await;
    let titles: Vec<(&str, &str, bool)> = frozen
        .iter()
        .map(|(title, file, published, _)| (title.as_str(), file.as_str(), *published))
        .collect();
    let dnr = sqlx::query_scalar::<_, String>("SELECT dnr_text FROM cases WHERE id = $1")
        .bind(case)
        .fetch_one(&pool)
        .await
        .unwrap();
    let file_dnr = dnr.replace('/', "-");
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles[0].0.starts_with("Protokollsutdrag § "), "{titles:?}");
    assert!(
        titles[0]
            .1
            .starts_with(&format!("Protokollsutdrag {file_dnr} § "))
    );
    assert_eq!(
        titles[1],
        (
            format!("Tjänsteutlåtande {dnr} (beslutad version)").as_str(),
            format!("Tjänsteutlåtande {file_dnr}.pdf").as_str(),
            true
        )
    );
    assert!(titles[0].2, "a public case's adjusted extract is published");

    // The stored bytes are the rendering of what was decided, under the SHA-256
    // recorded for them.
    let extract = stored_bytes(&pool, frozen[0].3).await;
    let report = stored_bytes(&pool, frozen[1].3).await;
    assert!(extract.starts_with(b"%PDF-"));
    assert!(report.starts_with(b"%PDF-"));
    let text = pdf_text(&extract);
    assert!(text.contains("Protokollet justerades 2020-03-20"), "{text}");
    assert!(!text.contains("Ej justerat"), "{text}");
    assert!(
        pdf_text(&report).contains("Arbetsmarknadsförvaltningens förslag till beslut"),
        "the decided report"
    );
    let recorded: Vec<u8> = sqlx::query_scalar("SELECT sha256 FROM documents WHERE id = $1")
        .bind(frozen[1].3)
        .fetch_one(&pool)
        .await
        .unwrap();
    use sha2::Digest;
    assert_eq!(
        sha2::Sha256::digest(&report).as_slice(),
        recorded.as_slice()
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_decision_by_delegation_freezes_the_decided_report(pool: PgPool) {
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap();
    let ctx = Context::with_clock(pool.clone(), remiss::app::Clock::Fixed(at));
    remiss::app::demo::load_if_empty(&ctx).await.unwrap();
    // The demo's approved case waiting for a meeting.
    let case: Uuid = sqlx::query_scalar("SELECT id FROM cases WHERE state = 'approved' LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(drawn_up(&pool, case).await.is_empty());
    let reviewer_name: String = sqlx::query_scalar(
        "SELECT u.username FROM users u JOIN user_roles r ON r.user_id = u.id
         JOIN cases c ON c.organ_id = r.organ_id
         WHERE c.id = $1 AND r.role = 'granskare' ORDER BY u.username LIMIT 1",
    )
    .bind(case)
    .fetch_one(&pool)
    .await
    .unwrap();
    let reviewer = actor(&pool, &reviewer_name).await;
    remiss::app::cases::decide_by_delegation(&ctx, &reviewer, case, "punkt 1.4")
        .await
        .unwrap();
    let frozen = drawn_up(&pool, case).await;
    assert_eq!(frozen.len(), 1, "only the report: no § of any minutes");
    assert!(
        frozen[0].0.starts_with("Tjänsteutlåtande ") && frozen[0].0.ends_with("(beslutad version)")
    );
    let registered_by: Uuid =
        sqlx::query_scalar("SELECT registered_by FROM documents WHERE id = $1")
            .bind(frozen[0].3)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(registered_by, reviewer.user_id);
    assert!(stored_bytes(&pool, frozen[0].3).await.starts_with(b"%PDF-"));
}

/// The text of a PDF, as a reader extracts it.
fn pdf_text(bytes: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(bytes).expect("a readable PDF")
}
