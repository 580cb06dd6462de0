//! The demo city as a real municipality has it: every organ with its people.

use remiss::app::{Context, demo};
use sqlx::PgPool;

use crate::cases::{actor, organ};

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn every_demo_organ_has_someone_to_assign_a_handlaggare_and_a_secretary(pool: PgPool) {
    demo::load_if_empty(&Context::new(pool.clone()))
        .await
        .unwrap();
    let missing: Vec<(String, String)> = sqlx::query_as(
        "SELECT o.diarium_prefix, wanted.role FROM organs o
         CROSS JOIN (VALUES ('granskare'), ('handlaggare'), ('sekreterare')) AS wanted(role)
         WHERE NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.organ_id = o.id AND r.role = wanted.role)
         ORDER BY 1, 2",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(missing, Vec::<(String, String)>::new());
    // Socialnämnden's own people assign and decline its case.
    let sn = organ(&pool, "SN").await;
    for username in ["granskare.sn", "handlaggare.sn", "sekreterare.sn"] {
        assert!(
            !actor(&pool, username).await.roles_in(sn).is_empty(),
            "{username}"
        );
    }
}
