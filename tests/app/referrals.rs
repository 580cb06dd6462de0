//! A remiss's registration as use cases: the warning of a likely duplicate, the
//! makulering that keeps everything, the anstånd that moves the deadline.

use chrono::{NaiveDate, TimeZone, Utc};
use remiss::app::cases::{self, Assignment};
use remiss::app::{self, Clock, Context, demo, referrals};
use remiss::domain::referral::{ExtensionInput, ReferralInput};
use sqlx::PgPool;
use uuid::Uuid;

use crate::cases::{actor, organ, version};

/// The demo city, its use cases running on 2026-03-02.
async fn city(pool: &PgPool) -> Context {
    let ctx = Context::with_clock(
        pool.clone(),
        Clock::Fixed(Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap()),
    );
    demo::load_if_empty(&ctx).await.unwrap();
    ctx
}

async fn input(pool: &PgPool, sender_dnr: &str) -> ReferralInput {
    ReferralInput {
        title: "Remiss om en regional strategi".into(),
        sender_name: "Kulturdepartementet".into(),
        sender_dnr: sender_dnr.into(),
        received_on: "2026-03-02".into(),
        deadline: "2026-05-29".into(),
        respondents: vec![organ(pool, "AMN").await.to_string()],
        ..ReferralInput::default()
    }
}

fn invalid<T: std::fmt::Debug>(result: app::Result<T>, field: &str) -> String {
    match result {
        Err(app::Error::Invalid(errors)) => errors
            .get(field)
            .unwrap_or_else(|| panic!("no error for {field}: {errors:?}"))
            .to_string(),
        other => panic!("expected field errors: {other:?}"),
    }
}

fn conflict<T: std::fmt::Debug>(result: app::Result<T>) -> String {
    match result {
        Err(app::Error::Conflict(message)) => message,
        other => panic!("expected a conflict: {other:?}"),
    }
}

async fn count(pool: &PgPool, sql: &str, id: Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_same_remiss_registered_again_is_warned_of_and_registered_when_confirmed(pool: PgPool) {
    let ctx = city(&pool).await;
    let registrar = actor(&pool, "registrator").await;
    let first = referrals::register(&ctx, &registrar, &input(&pool, "Ku2026/01234").await)
        .await
        .unwrap();
    let first_dnr = first.cases[0].dnr.to_string();
    let referrals_before = remiss_count(&pool).await;

    // The same sender (its name in another case) and the number spaced otherwise.
    let again = ReferralInput {
        sender_name: "kulturdepartementet".into(),
        ..input(&pool, " ku 2026/01234").await
    };
    let warning = invalid(
        referrals::register(&ctx, &registrar, &again).await,
        "duplicate_confirmed",
    );
    assert!(warning.contains(&format!("({first_dnr})")), "{warning}");
    assert_eq!(
        remiss_count(&pool).await,
        referrals_before,
        "nothing registered"
    );
    let resembling = referrals::resembling(&ctx, &registrar, &again)
        .await
        .unwrap();
    assert_eq!(
        resembling.iter().map(|r| r.id).collect::<Vec<_>>(),
        [first.referral_id]
    );

    // Another number, or another sender, is no duplicate.
    for other in [
        input(&pool, "Ku2026/01235").await,
        ReferralInput {
            sender_name: "Finansdepartementet".into(),
            ..input(&pool, "Ku2026/01234").await
        },
    ] {
        referrals::register(&ctx, &registrar, &other).await.unwrap();
    }

    // Confirmed: registered, with a number of its own.
    let confirmed = ReferralInput {
        duplicate_confirmed: true,
        ..again
    };
    let second = referrals::register(&ctx, &registrar, &confirmed)
        .await
        .unwrap();
    assert_ne!(second.cases[0].dnr, first.cases[0].dnr);
}

async fn remiss_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM referrals")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_makulerad_registration_keeps_its_cases_and_numbers_and_takes_no_more_steps(
    pool: PgPool,
) {
    let ctx = city(&pool).await;
    let registrar = actor(&pool, "registrator").await;
    let registered = referrals::register(&ctx, &registrar, &input(&pool, "Ku2026/01234").await)
        .await
        .unwrap();
    let (id, case) = (registered.referral_id, registered.cases[0].clone());

    let officer = actor(&pool, "handlaggare").await;
    assert!(matches!(
        referrals::annul(&ctx, &officer, id, "Fel").await,
        Err(app::Error::Forbidden(_))
    ));
    assert_eq!(
        invalid(referrals::annul(&ctx, &registrar, id, " ").await, "reason"),
        "Ange varför registreringen makuleras."
    );
    referrals::annul(&ctx, &registrar, id, "Registrerad två gånger")
        .await
        .unwrap();
    assert_eq!(
        invalid(
            referrals::annul(&ctx, &registrar, id, "Igen").await,
            "reason"
        ),
        "Remissen är redan makulerad."
    );

    // Nothing deleted: the remiss, its case and its number stand, marked.
    let (reason, state): (Option<String>, String) = sqlx::query_as(
        "SELECT r.annulled_reason, c.state FROM referrals r JOIN cases c ON c.referral_id = r.id
         WHERE r.id = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(reason.as_deref(), Some("Registrerad två gånger"));
    assert_eq!(state, "registered");
    let event: serde_json::Value = sqlx::query_scalar(
        "SELECT after FROM audit_events WHERE referral_id = $1 AND action = 'referral.annulled'",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        event,
        serde_json::json!({ "reason": "Registrerad två gånger", "numbers": case.dnr.to_string() })
    );

    // No step on its case, no change to the remiss.
    let reviewer = actor(&pool, "granskare").await;
    let seen_version = version(&pool, case.id).await;
    let assignment = Assignment {
        officer: Some(officer.user_id),
        seen_version,
    };
    assert_eq!(
        conflict(cases::assign(&ctx, &reviewer, case.id, assignment).await),
        "Remissen är makulerad, så inget mer görs i dess svarsärenden."
    );
    let annulled =
        "Remissen är makulerad (Registrerad två gånger). Inget mer görs i dess svarsärenden.";
    let extension = ExtensionInput {
        deadline: "2026-06-30".into(),
        granted_on: "2026-03-02".into(),
        granted_by: "Anna Ek".into(),
        note: String::new(),
    };
    assert_eq!(
        conflict(referrals::extend_deadline(&ctx, &registrar, id, &extension).await),
        annulled
    );
    let un = organ(&pool, "UN").await.to_string();
    assert_eq!(
        conflict(referrals::add_respondent(&ctx, &registrar, id, &un).await),
        annulled
    );

    // Its number is never given again.
    let next = referrals::register(&ctx, &registrar, &input(&pool, "Ku2026/01234").await)
        .await
        .expect("a makulerad remiss is no duplicate");
    assert_eq!(next.cases[0].dnr.seq, case.dnr.seq + 1);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM cases WHERE referral_id = $1",
            id
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_remiss_with_a_decided_or_answered_case_is_not_makulerad(pool: PgPool) {
    let ctx = city(&pool).await;
    let registrar = actor(&pool, "registrator").await;
    let reference: Uuid =
        sqlx::query_scalar("SELECT id FROM referrals WHERE sender_dnr = 'KS 2019/1939'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        invalid(
            referrals::annul(&ctx, &registrar, reference, "Fel").await,
            "reason"
        ),
        "Remissen kan inte makuleras: ett svarsärende är besvarat. Registreringen står kvar."
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM referrals WHERE id = $1 AND annulled_at IS NULL",
            reference
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_anstand_moves_the_deadline_and_keeps_the_earlier_one(pool: PgPool) {
    let ctx = city(&pool).await;
    let registrar = actor(&pool, "registrator").await;
    let registered = referrals::register(&ctx, &registrar, &input(&pool, "Ku2026/01234").await)
        .await
        .unwrap();
    let id = registered.referral_id;
    let extension = |deadline: &str| ExtensionInput {
        deadline: deadline.into(),
        granted_on: "2026-03-02".into(),
        granted_by: "Anna Ek, Kulturdepartementet".into(),
        note: "Per e-post".into(),
    };
    let officer = actor(&pool, "handlaggare").await;
    assert!(matches!(
        referrals::extend_deadline(&ctx, &officer, id, &extension("2026-06-30")).await,
        Err(app::Error::Forbidden(_))
    ));
    assert_eq!(
        invalid(
            referrals::extend_deadline(&ctx, &registrar, id, &extension("2026-05-29")).await,
            "deadline"
        ),
        "Ett anstånd ger en senare sista svarsdag än den som gäller nu (2026-05-29)."
    );
    referrals::extend_deadline(&ctx, &registrar, id, &extension("2026-06-30"))
        .await
        .unwrap();
    referrals::extend_deadline(&ctx, &registrar, id, &extension("2026-08-31"))
        .await
        .unwrap();

    let deadline: NaiveDate = sqlx::query_scalar("SELECT deadline FROM referrals WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(deadline, NaiveDate::from_ymd_opt(2026, 8, 31).unwrap());
    let mut conn = pool.acquire().await.unwrap();
    let kept = remiss::db::referrals::page(&mut conn, id)
        .await
        .unwrap()
        .expect("the remiss")
        .extensions;
    let history: Vec<(String, String)> = kept
        .iter()
        .map(|e| (e.previous_deadline.to_string(), e.deadline.to_string()))
        .collect();
    assert_eq!(
        history,
        [
            ("2026-05-29".to_string(), "2026-06-30".to_string()),
            ("2026-06-30".to_string(), "2026-08-31".to_string())
        ]
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM audit_events WHERE referral_id = $1
             AND action = 'referral.deadline_extended' AND before ->> 'deadline' = '2026-05-29'
             AND after ->> 'granted_by' = 'Anna Ek, Kulturdepartementet'",
            id
        )
        .await,
        1
    );
    // The case's worklist plans against the deadline agreed.
    let amn = organ(&pool, "AMN").await;
    let filter = remiss::db::work::OpenCaseFilter {
        organs: &[amn],
        states: &[remiss::domain::CaseState::Registered],
        officer: None,
        after: None,
    };
    let (open, _) = remiss::db::work::open_cases(&mut conn, filter, 100)
        .await
        .unwrap();
    let listed = open.iter().find(|c| c.referral_id == id).unwrap();
    assert_eq!(listed.deadline, deadline);
}
