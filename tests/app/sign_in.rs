//! Single sign-on as use cases: which account a verified identity gets, how it
//! is linked, and the administrator's side (an account's address and subject,
//! the import of a list). The provider itself is in `tests/api/sso.rs`.

use chrono::Utc;
use remiss::app::admin::{self, Imported, Origin, SignInChanged};
use remiss::app::sign_in::{self, SignInOutcome};
use remiss::app::{self, Actor, Context, demo};
use remiss::domain::sign_in::{Refusal, SignInFields, SubjectKey};
use remiss::domain::user::UserInput;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

const ISSUER: &str = "https://idp.kommun.se";
const HANNA_EMAIL: &str = "Hanna.Lindqvist@kommun.se";

async fn id_of(pool: &PgPool, username: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The demo city, its administrator, and Hanna's address given by them.
async fn city(pool: &PgPool) -> (Context, Actor) {
    let ctx = Context::new(pool.clone());
    demo::load_if_empty(&ctx).await.unwrap();
    let administrator = Actor {
        user_id: id_of(pool, "admin").await,
        is_admin: true,
        roles: Vec::new(),
    };
    let hanna = id_of(pool, "handlaggare").await;
    give(&ctx, &administrator, hanna, HANNA_EMAIL, "").await;
    (ctx, administrator)
}

/// The administrator gives an account with neither an address nor a subject
/// these.
async fn give(ctx: &Context, administrator: &Actor, user_id: Uuid, email: &str, subject: &str) {
    let given = admin::change_sign_in(
        ctx,
        administrator,
        user_id,
        &SignInFields::default(),
        email,
        subject,
    )
    .await
    .unwrap();
    assert!(matches!(given, SignInChanged::Saved));
}

fn key(subject: &str) -> SubjectKey {
    SubjectKey {
        realm: ISSUER.into(),
        subject: subject.into(),
    }
}

async fn link_of(pool: &PgPool, username: &str) -> (Option<String>, Option<String>) {
    sqlx::query_as("SELECT oidc_subject, oidc_realm FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// The details of every event of this action, oldest first.
async fn events(pool: &PgPool, action: &str) -> Vec<Option<Value>> {
    sqlx::query_scalar("SELECT after FROM audit_events WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_first_sign_in_links_by_email_and_later_ones_find_the_subject_alone(pool: PgPool) {
    let (ctx, _) = city(&pool).await;
    let hanna = id_of(&pool, "handlaggare").await;
    let epoch: i32 = sqlx::query_scalar("SELECT session_epoch FROM users WHERE id = $1")
        .bind(hanna)
        .fetch_one(&pool)
        .await
        .unwrap();

    // The provider's address in another case is hers.
    let first = sign_in::sign_in(
        &ctx,
        &key("hanna-sub"),
        Some("hanna.lindqvist@KOMMUN.se"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        first,
        SignInOutcome::SignedIn {
            user_id: hanna,
            session_epoch: epoch
        }
    );
    assert_eq!(
        link_of(&pool, "handlaggare").await,
        (Some("hanna-sub".into()), Some(ISSUER.into()))
    );
    assert_eq!(
        events(&pool, "user.sign_in_linked").await,
        [Some(json!({
            "via": "email",
            "realm": ISSUER,
            "subject": "hanna-sub",
            "email": "hanna.lindqvist@KOMMUN.se",
        }))]
    );

    // Her address has changed at the provider, and is not even said to be
    // verified: the subject alone finds her.
    let later = sign_in::sign_in(&ctx, &key("hanna-sub"), Some("hanna@nytt.se"), Some(false))
        .await
        .unwrap();
    assert!(matches!(later, SignInOutcome::SignedIn { user_id, .. } if user_id == hanna));
    assert_eq!(
        events(&pool, "user.sign_in_linked").await.len(),
        1,
        "linked once"
    );
    assert_eq!(
        events(&pool, "user.signed_in").await,
        [
            Some(json!({ "via": "oidc", "realm": ISSUER })),
            Some(json!({ "via": "oidc", "realm": ISSUER })),
        ]
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_subject_entered_by_an_administrator_is_linked_in_the_realm_of_the_first_sign_in(
    pool: PgPool,
) {
    let (ctx, administrator) = city(&pool).await;
    let karin = id_of(&pool, "granskare").await;
    give(&ctx, &administrator, karin, "", "oid-karin").await;
    assert_eq!(
        link_of(&pool, "granskare").await,
        (Some("oid-karin".into()), None)
    );
    let entra = SubjectKey {
        realm: "tenant-1".into(),
        subject: "oid-karin".into(),
    };
    let outcome = sign_in::sign_in(&ctx, &entra, Some("karin@annat.se"), Some(true))
        .await
        .unwrap();
    assert!(matches!(outcome, SignInOutcome::SignedIn { user_id, .. } if user_id == karin));
    assert_eq!(
        link_of(&pool, "granskare").await,
        (Some("oid-karin".into()), Some("tenant-1".into()))
    );
    assert_eq!(
        events(&pool, "user.sign_in_linked").await,
        [Some(
            json!({ "via": "subject", "realm": "tenant-1", "subject": "oid-karin" })
        )]
    );
    // The same subject from another tenant is someone else.
    let elsewhere = SubjectKey {
        realm: "tenant-2".into(),
        subject: "oid-karin".into(),
    };
    assert_eq!(
        sign_in::sign_in(&ctx, &elsewhere, None, None)
            .await
            .unwrap(),
        SignInOutcome::Refused(Refusal::LinkedToAnother)
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_refused_sign_in_creates_links_and_records_nothing(pool: PgPool) {
    let (ctx, administrator) = city(&pool).await;
    let users = count(&pool, "SELECT count(*) FROM users").await;
    let refusal = |outcome: app::Result<SignInOutcome>| match outcome.unwrap() {
        SignInOutcome::Refused(refusal) => refusal,
        other => panic!("signed in: {other:?}"),
    };

    let unknown = sign_in::sign_in(&ctx, &key("okand"), Some("okand@kommun.se"), Some(true)).await;
    assert_eq!(refusal(unknown), Refusal::Unknown);
    let no_address = sign_in::sign_in(&ctx, &key("okand"), None, None).await;
    assert_eq!(refusal(no_address), Refusal::Unknown);
    let unverified =
        sign_in::sign_in(&ctx, &key("hanna-sub"), Some(HANNA_EMAIL), Some(false)).await;
    assert_eq!(refusal(unverified), Refusal::EmailUnverified);

    // Hanna's account is linked to her; someone else with her address is not her.
    sign_in::sign_in(&ctx, &key("hanna-sub"), Some(HANNA_EMAIL), None)
        .await
        .unwrap();
    let impostor = sign_in::sign_in(&ctx, &key("other-sub"), Some(HANNA_EMAIL), Some(true)).await;
    assert_eq!(refusal(impostor), Refusal::LinkedToAnother);

    let hanna = id_of(&pool, "handlaggare").await;
    admin::set_active(&ctx, &administrator, hanna, false)
        .await
        .unwrap();
    let deactivated = sign_in::sign_in(&ctx, &key("hanna-sub"), Some(HANNA_EMAIL), None).await;
    assert_eq!(refusal(deactivated), Refusal::Inactive);

    assert_eq!(
        count(&pool, "SELECT count(*) FROM users").await,
        users,
        "no account created"
    );
    assert_eq!(
        link_of(&pool, "handlaggare").await,
        (Some("hanna-sub".into()), Some(ISSUER.into()))
    );
    assert_eq!(events(&pool, "user.sign_in_linked").await.len(), 1);
    assert_eq!(
        events(&pool, "user.signed_in").await.len(),
        1,
        "only Hanna's own"
    );
}

/// Waits until a connection to this test's database waits for a row another
/// holds locked.
async fn until_a_lock_is_awaited(pool: &PgPool) {
    for _ in 0..1000 {
        let waiting = count(
            pool,
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .await;
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no connection ever waited for the lock");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn two_first_sign_ins_at_once_link_once_and_both_get_in(pool: PgPool) {
    let (ctx, _) = city(&pool).await;
    let hanna = id_of(&pool, "handlaggare").await;
    // The first links the account and has not committed yet...
    let mut first = pool.begin().await.unwrap();
    let linked = sign_in::sign_in_in(
        &mut first,
        Utc::now(),
        &key("hanna-sub"),
        Some(HANNA_EMAIL),
        None,
    )
    .await
    .unwrap();
    assert!(matches!(linked, SignInOutcome::SignedIn { .. }));
    // ...when the second (another tab) finds no account by the subject, and
    // waits for the one with the address.
    let second = tokio::spawn({
        let ctx = ctx.clone();
        async move { sign_in::sign_in(&ctx, &key("hanna-sub"), Some(HANNA_EMAIL), None).await }
    });
    until_a_lock_is_awaited(&pool).await;
    first.commit().await.unwrap();
    let outcome = second.await.unwrap().unwrap();
    assert!(
        matches!(outcome, SignInOutcome::SignedIn { user_id, .. } if user_id == hanna),
        "{outcome:?}"
    );
    assert_eq!(events(&pool, "user.sign_in_linked").await.len(), 1);
    assert_eq!(events(&pool, "user.signed_in").await.len(), 2);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_address_or_subject_another_account_has_is_a_field_error(pool: PgPool) {
    let (ctx, administrator) = city(&pool).await;
    let amn: Uuid = sqlx::query_scalar("SELECT id FROM organs WHERE diarium_prefix = 'AMN'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let sara = UserInput {
        username: "sara".into(),
        display_name: "Sara Berg".into(),
        organ: amn.to_string(),
        email: HANNA_EMAIL.to_lowercase(),
        ..UserInput::default()
    };
    match admin::create_user(&ctx, Origin::Admin(&administrator), &sara, true).await {
        Err(app::Error::Invalid(errors)) => assert_eq!(
            errors.get("email"),
            Some("E-postadressen används redan av ett annat konto.")
        ),
        other => panic!("Hanna's address for Sara: {other:?}"),
    }
    // With single sign-on the address replaces the password; without it, not.
    let sara = UserInput {
        email: "sara.berg@kommun.se".into(),
        ..sara
    };
    match admin::create_user(&ctx, Origin::Admin(&administrator), &sara, false).await {
        Err(app::Error::Invalid(errors)) => assert!(errors.get("password").is_some()),
        other => panic!("no password without single sign-on: {other:?}"),
    }
    let created = admin::create_user(&ctx, Origin::Admin(&administrator), &sara, true)
        .await
        .unwrap();
    let stored: (Option<String>, bool) =
        sqlx::query_as("SELECT email, password_hash IS NULL FROM users WHERE id = $1")
            .bind(created.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, (Some("sara.berg@kommun.se".into()), true));
    assert_eq!(
        events(&pool, "user.created")
            .await
            .last()
            .unwrap()
            .as_ref()
            .unwrap()["password"],
        json!(false)
    );

    let karin = id_of(&pool, "granskare").await;
    give(&ctx, &administrator, karin, "", "k-sub").await;
    let seen = SignInFields {
        email: Some("sara.berg@kommun.se".into()),
        oidc_subject: None,
    };
    match admin::change_sign_in(&ctx, &administrator, created.id, &seen, "", "k-sub").await {
        Err(app::Error::Invalid(errors)) => assert_eq!(
            errors.get("oidc_subject"),
            Some("Id:t används redan av ett annat konto.")
        ),
        other => panic!("Karin's subject for Sara: {other:?}"),
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_sign_in_change_on_values_changed_meanwhile_writes_nothing(pool: PgPool) {
    let (ctx, administrator) = city(&pool).await;
    let hanna = id_of(&pool, "handlaggare").await;
    let shown = SignInFields {
        email: Some(HANNA_EMAIL.into()),
        oidc_subject: None,
    };
    // Her first sign-in links the account while the administrator's form is open.
    sign_in::sign_in(&ctx, &key("hanna-sub"), Some(HANNA_EMAIL), None)
        .await
        .unwrap();
    let changes = events(&pool, "user.sign_in_changed").await.len();
    match admin::change_sign_in(&ctx, &administrator, hanna, &shown, "hanna@kommun.se", "")
        .await
        .unwrap()
    {
        SignInChanged::Stale { current } => {
            assert_eq!(current.email.as_deref(), Some(HANNA_EMAIL));
            assert_eq!(current.oidc_subject.as_deref(), Some("hanna-sub"));
            assert_eq!(current.oidc_realm.as_deref(), Some(ISSUER));
        }
        SignInChanged::Saved => panic!("saved over the link"),
    }
    assert_eq!(
        link_of(&pool, "handlaggare").await,
        (Some("hanna-sub".into()), Some(ISSUER.into()))
    );
    assert_eq!(events(&pool, "user.sign_in_changed").await.len(), changes);

    // Saved on what is there now, a new subject unlinks her and ends her sessions.
    let epoch = |pool: PgPool| async move {
        sqlx::query_scalar::<_, i32>("SELECT session_epoch FROM users WHERE id = $1")
            .bind(hanna)
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let before = epoch(pool.clone()).await;
    let now_shown = SignInFields {
        email: Some(HANNA_EMAIL.into()),
        oidc_subject: Some("hanna-sub".into()),
    };
    let saved = admin::change_sign_in(
        &ctx,
        &administrator,
        hanna,
        &now_shown,
        HANNA_EMAIL,
        "new-sub",
    )
    .await
    .unwrap();
    assert!(matches!(saved, SignInChanged::Saved));
    assert_eq!(
        link_of(&pool, "handlaggare").await,
        (Some("new-sub".into()), None)
    );
    assert_eq!(epoch(pool.clone()).await, before + 1);
    let changed: (Value, Value) = sqlx::query_as(
        "SELECT before, after FROM audit_events WHERE action = 'user.sign_in_changed' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        changed,
        (
            json!({ "email": HANNA_EMAIL, "oidc_subject": "hanna-sub" }),
            json!({ "email": HANNA_EMAIL, "oidc_subject": "new-sub" }),
        )
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn an_import_creates_every_account_with_its_roles_or_none(pool: PgPool) {
    let (ctx, administrator) = city(&pool).await;
    let users = count(&pool, "SELECT count(*) FROM users").await;
    let list = "sara.b;Sara Berg;sara.berg@kommun.se;AMN;handläggare, granskare\n\
                olle;Olle Olsson;olle@kommun.se;KS;registrator,admin\n";
    let not_admin = Actor {
        is_admin: false,
        ..administrator.clone()
    };
    assert!(matches!(
        admin::import_users(&ctx, &not_admin, list).await,
        Err(app::Error::Forbidden(None))
    ));

    let rows = match admin::import_users(&ctx, &administrator, list)
        .await
        .unwrap()
    {
        Imported::Created(rows) => rows,
        Imported::Refused(problems) => panic!("{problems:?}"),
    };
    assert_eq!(rows.len(), 2);
    assert_eq!(count(&pool, "SELECT count(*) FROM users").await, users + 2);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM audit_events e JOIN users u ON u.id = e.entity_id
             WHERE e.action = 'user.created' AND e.after->>'via' = 'import'
               AND u.password_hash IS NULL AND u.email IS NOT NULL"
        )
        .await,
        2
    );
    // Each role given with its own event, as on the account's page.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM audit_events e JOIN users u ON u.id = e.entity_id
             WHERE e.action = 'user.role_given' AND u.username IN ('sara.b', 'olle')"
        )
        .await,
        3
    );

    // A list whose last line names an account that exists: nothing of it.
    let again = "per;Per Persson;per@kommun.se;AMN;handläggare\n\
                 olle2;Olle Olsson;OLLE@kommun.se;KS;\n";
    match admin::import_users(&ctx, &administrator, again)
        .await
        .unwrap()
    {
        Imported::Refused(problems) => assert_eq!(
            problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["Rad 2: det finns redan ett konto med e-postadressen OLLE@kommun.se."]
        ),
        Imported::Created(_) => panic!("created over a taken address"),
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM users").await, users + 2);
}
