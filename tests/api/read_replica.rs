//! The public pages read from the read replica (`--read-database-url`), all else
//! from the primary. The "replica" here is a second database with the same
//! migrations and demo city, written to behind the application's back, so that
//! each page shows which of the two it read.

use axum::http::StatusCode;
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

use remiss::db::PoolSettings;
use remiss::web::{AppState, Settings};

use crate::helpers::TestApp;

/// A second database beside the test's, migrated and with the demo city; dropped
/// when the test ends.
struct Replica {
    admin: PgPool,
    name: String,
    pool: PgPool,
}

impl Replica {
    async fn beside(test_pool: &PgPool) -> Replica {
        let name = format!("remiss_replica_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(test_pool)
            .await
            .unwrap();
        let options: PgConnectOptions =
            test_pool.connect_options().as_ref().clone().database(&name);
        remiss::db::migrate(&options).await.unwrap();
        let pool = remiss::db::connect(options, &PoolSettings::default())
            .await
            .unwrap();
        remiss::startup::load_demo_if_empty(&pool).await.unwrap();
        Replica {
            admin: test_pool.clone(),
            name,
            pool,
        }
    }

    async fn drop(self) {
        self.pool.close().await;
        sqlx::query(&format!("DROP DATABASE {} WITH (FORCE)", self.name))
            .execute(&self.admin)
            .await
            .unwrap();
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn public_pages_read_the_replica_and_signed_in_pages_the_primary(pool: PgPool) {
    let primary = TestApp::with_demo(pool).await;
    let replica = Replica::beside(&primary.pool).await;
    let app = TestApp::with_state(
        primary.pool.clone(),
        AppState::new(primary.pool.clone(), Settings::default())
            .with_public_reads(replica.pool.clone()),
    );

    // A registration goes to the primary; the replica has not caught up with it.
    let mut registrar = app.signed_in("registrator").await;
    let amn = app.organ_id("AMN").await;
    let fields = [
        ("title", "Remiss om nattåg i Norrland"),
        ("sender_organ", ""),
        ("sender_name", "Trafikverket"),
        ("sender_dnr", "TRV 2026/9911"),
        ("received_on", "2026-03-02"),
        ("deadline", "2026-05-29"),
        ("respondents", amn.as_str()),
    ];
    let registered = registrar
        .post_from("/remisser/ny", "/remisser", &fields)
        .await;
    assert_eq!(
        registered.status,
        StatusCode::SEE_OTHER,
        "{}",
        registered.body
    );
    // What a signed-in user writes, they read back at once: from the primary.
    registrar
        .get("/remisser")
        .await
        .assert_contains("Remiss om nattåg i Norrland");

    let mut visitor = app.browser();
    let diarium = visitor.get("/diarium").await;
    assert_eq!(diarium.status, StatusCode::OK);
    diarium.assert_lacks("nattåg");
    visitor
        .get("/diarium?q=nattåg")
        .await
        .assert_lacks("Remiss om nattåg");
    visitor.get("/diarium/atom").await.assert_lacks("nattåg");

    // What only the replica holds shows on the public pages, and not to the
    // signed-in user's own pages.
    sqlx::query("UPDATE referrals SET title = 'Remiss om replikans fjärrvärme'")
        .execute(&replica.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE notices SET kept_at = 'Replikans arkiv'")
        .execute(&replica.pool)
        .await
        .unwrap();
    visitor
        .get("/diarium")
        .await
        .assert_contains("Remiss om replikans fjärrvärme");
    // (The search vectors are the replica's own, made from the demo's titles.)
    visitor
        .get("/diarium?q=trygghet")
        .await
        .assert_contains("Remiss om replikans fjärrvärme");
    visitor
        .get("/diarium/atom")
        .await
        .assert_contains("Remiss om replikans fjärrvärme");
    let notice_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM notices LIMIT 1")
        .fetch_one(&replica.pool)
        .await
        .expect("the demo city posts a notice");
    visitor
        .get(&format!("/anslagstavla/{notice_id}"))
        .await
        .assert_contains("Replikans arkiv");
    registrar
        .get("/remisser")
        .await
        .assert_lacks("replikans fjärrvärme");

    replica.drop().await;
}
