//! The case's transitions as use cases: typed outcomes and refusals, and the
//! clock they run at.

use chrono::{TimeZone, Utc};
use remiss::app::cases::{self, Assignment, DispatchInput};
use remiss::app::reports::{self, DraftEdit};
use remiss::app::{self, Actor, Clock, Context, demo, referrals};
use remiss::domain::referral::ReferralInput;
use remiss::domain::report::ReportInput;
use sqlx::PgPool;
use uuid::Uuid;

/// A demo user as the use cases see them (the mail tests too).
pub(crate) async fn actor(pool: &PgPool, username: &str) -> Actor {
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

pub(crate) async fn organ(pool: &PgPool, prefix: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM organs WHERE diarium_prefix = $1")
        .bind(prefix)
        .fetch_one(pool)
        .await
        .unwrap()
}

pub(crate) async fn version(pool: &PgPool, case: Uuid) -> i32 {
    sqlx::query_scalar("SELECT version FROM cases WHERE id = $1")
        .bind(case)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn conflict(result: app::Result<()>) -> String {
    match result {
        Err(app::Error::Conflict(message)) => message,
        other => panic!("expected a conflict: {other:?}"),
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_case_moves_only_as_the_workflow_allows_with_the_reason_in_swedish(pool: PgPool) {
    let registered_at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap();
    let ctx = Context::with_clock(pool.clone(), Clock::Fixed(registered_at));
    demo::load_if_empty(&ctx).await.unwrap();
    let amn = organ(&pool, "AMN").await;
    let input = ReferralInput {
        title: "Remiss om en regional strategi".into(),
        sender_name: "Kulturdepartementet".into(),
        sender_dnr: "Ku2026/01234".into(),
        received_on: "2026-03-02".into(),
        deadline: "2026-05-29".into(),
        respondents: vec![amn.to_string()],
        ..ReferralInput::default()
    };
    let registrar = actor(&pool, "registrator").await;
    let registered = referrals::register(&ctx, &registrar, &input).await.unwrap();
    let case = registered.cases[0].id;
    assert_eq!(registered.cases[0].dnr.year, 2026);
    let created_at: chrono::DateTime<Utc> =
        sqlx::query_scalar("SELECT created_at FROM referrals WHERE id = $1")
            .bind(registered.referral_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(created_at, registered_at, "registered at the clock's now");

    let officer = actor(&pool, "handlaggare").await;
    let reviewer = actor(&pool, "granskare").await;
    let assignment = |officer: Option<Uuid>, seen_version: i32| Assignment {
        officer,
        seen_version,
    };
    let seen = version(&pool, case).await;
    match cases::assign(
        &ctx,
        &officer,
        case,
        assignment(Some(officer.user_id), seen),
    )
    .await
    {
        Err(app::Error::Forbidden(Some(reason))) => assert_eq!(
            reason,
            "Det kräver någon av rollerna registrator eller granskare i ärendets organ."
        ),
        other => panic!("an officer assigning: {other:?}"),
    }
    match cases::assign(
        &ctx,
        &reviewer,
        case,
        assignment(Some(reviewer.user_id), seen),
    )
    .await
    {
        Err(app::Error::Invalid(errors)) => assert_eq!(
            errors.get("officer"),
            Some("Välj en handläggare i nämndens förvaltning.")
        ),
        other => panic!("assigning a reviewer as officer: {other:?}"),
    }
    cases::assign(
        &ctx,
        &reviewer,
        case,
        assignment(Some(officer.user_id), seen),
    )
    .await
    .unwrap();
    assert_eq!(version(&pool, case).await, seen + 1);
    assert_eq!(
        conflict(
            cases::assign(
                &ctx,
                &reviewer,
                case,
                assignment(Some(officer.user_id), seen)
            )
            .await
        ),
        "Någon annan ändrade ärendet samtidigt, så ingenting har sparats. Läs in ärendet igen och se hur det står nu."
    );

    // The assignment opened revision 1; a submission naming another is stale.
    assert!(conflict(cases::submit(&ctx, &officer, case, 2).await).starts_with("Någon annan"));
    let dispatch = DispatchInput {
        dispatched_on: "2026-03-03".into(),
        recipient: "Kulturdepartementet".into(),
        ..DispatchInput::default()
    };
    let secretary = actor(&pool, "sekreterare").await;
    assert_eq!(
        conflict(cases::dispatch(&ctx, &secretary, case, &dispatch).await),
        "Ärendet är under beredning och kan inte expedieras."
    );
    match cases::decline(&ctx, &reviewer, case, "  ").await {
        Err(app::Error::Invalid(errors)) => assert!(errors.get("reason").is_some()),
        other => panic!("declining without a reason: {other:?}"),
    }
    cases::decline(&ctx, &reviewer, case, "Berör inte nämnden.")
        .await
        .unwrap();
    let at: chrono::DateTime<Utc> = sqlx::query_scalar(
        "SELECT at FROM audit_events WHERE case_id = $1 AND action = 'case.declined'",
    )
    .bind(case)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(at, registered_at, "every event at the clock's now");
    assert!(matches!(
        cases::submit(&ctx, &officer, Uuid::new_v4(), 1).await,
        Err(app::Error::NotFound)
    ));
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_draft_under_review_cannot_change(pool: PgPool) {
    let ctx = Context::new(pool.clone());
    demo::load_if_empty(&ctx).await.unwrap();
    // The demo's waste plan: submitted with revision 2, waiting for review.
    let case: Uuid = sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN referrals r ON r.id = c.referral_id
         WHERE r.title LIKE 'Förslag till avfallsplan%' AND c.dnr_prefix = 'AMN'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let officer = actor(&pool, "handlaggare").await;
    let edit = DraftEdit {
        base: 2,
        input: ReportInput {
            considerations: "Ändrat efter inskickandet.".into(),
            ..ReportInput::default()
        },
    };
    match reports::save_draft(&ctx, &officer, case, &edit).await {
        Err(app::Error::Conflict(message)) => assert_eq!(
            message,
            "Utkastet kan bara ändras medan ärendet är under beredning; nu är det under granskning."
        ),
        other => panic!("saving a draft under review: {other:?}"),
    }
    // The statement itself checks the state, whoever calls it.
    let mut conn = pool.acquire().await.unwrap();
    let content = remiss::domain::report::validate(&edit.input).unwrap();
    let saved =
        remiss::db::reports::save(&mut conn, case, 2, &content, officer.user_id, Utc::now())
            .await
            .unwrap();
    assert_eq!(saved, None);
    let newest: i32 =
        sqlx::query_scalar("SELECT max(number) FROM report_revisions WHERE case_id = $1")
            .bind(case)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(newest, 2);
}
