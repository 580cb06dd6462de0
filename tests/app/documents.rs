//! The document use cases called directly: a document held in memory registered
//! in the caller's transaction (what a rendered yttrande will use), its numbers,
//! its publication, and nothing left when the transaction does not commit.

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

    // After the reference remiss's two incoming documents and the yttrande frozen
    // at its dispatch (PDF and DOCX), in AMN's case only.
    let amn = sqlx::query_scalar::<_, String>("SELECT dnr_text FROM cases WHERE id = $1")
        .bind(case)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(registered.numbers, vec![format!("{amn}-5")]);
    assert_eq!(flagged.numbers, vec![format!("{amn}-6")]);
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
    let public = documents::open_published(&ctx, case, 5).await.unwrap();
    assert_eq!(public.id, registered.id);
    assert!(matches!(
        documents::open_published(&ctx, case, 6).await,
        Err(remiss::app::Error::NotFound)
    ));
}
