//! Accounts and the demo city, through the use cases.

use remiss::app::admin::{self, Origin};
use remiss::app::{self, Context, demo};
use remiss::domain::user::UserInput;
use sqlx::PgPool;

fn first_admin(username: &str) -> UserInput {
    UserInput {
        username: username.into(),
        display_name: "Första Administratören".into(),
        is_admin: true,
        password: "ett långt lösenord".into(),
        ..UserInput::default()
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_command_line_creates_the_first_admin_of_an_empty_database(pool: PgPool) {
    let ctx = Context::new(pool.clone());
    let refused = admin::create_user(&ctx, Origin::CommandLine, &first_admin("åsa"), false).await;
    match refused {
        Err(app::Error::Invalid(errors)) => assert!(errors.get("username").is_some()),
        other => panic!("usernames are a–z: {other:?}"),
    }
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 0, "nothing written");
    let with_email = UserInput {
        email: "inte en adress".into(),
        ..first_admin("forsta.admin")
    };
    match admin::create_user(&ctx, Origin::CommandLine, &with_email, false).await {
        Err(app::Error::Invalid(errors)) => assert_eq!(
            errors.get("email"),
            Some("Ange en e-postadress som namn@exempel.se.")
        ),
        other => panic!("the e-mail address is checked: {other:?}"),
    }

    let created = admin::create_user(
        &ctx,
        Origin::CommandLine,
        &first_admin(" Forsta.Admin "),
        false,
    )
    .await
    .unwrap();
    assert_eq!(created.username, "forsta.admin");
    let (is_admin, hash): (bool, String) =
        sqlx::query_as("SELECT is_admin, password_hash FROM users WHERE id = $1")
            .bind(created.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(is_admin);
    assert!(
        remiss::password::HashingSlots::for_memory(19)
            .take()
            .await
            .expect("a free slot")
            .verify("ett långt lösenord".into(), Some(hash))
            .await
            .unwrap()
    );
    let by_nobody: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events
         WHERE action = 'user.created' AND actor_id IS NULL AND entity_id = $1",
    )
    .bind(created.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(by_nobody, 1);

    // The same username again is a field error, not a failure.
    match admin::create_user(
        &ctx,
        Origin::CommandLine,
        &first_admin("forsta.admin"),
        false,
    )
    .await
    {
        Err(app::Error::Invalid(errors)) => {
            assert_eq!(errors.get("username"), Some("Användarnamnet är upptaget."))
        }
        other => panic!("a taken username: {other:?}"),
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_admin_pages_need_an_organ_where_the_command_line_does_not(pool: PgPool) {
    let ctx = Context::new(pool.clone());
    assert!(demo::load_if_empty(&ctx).await.unwrap());
    let admin_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = 'admin'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let administrator = app::Actor {
        user_id: admin_id,
        is_admin: true,
        roles: Vec::new(),
    };
    match admin::create_user(
        &ctx,
        Origin::Admin(&administrator),
        &first_admin("ny.admin"),
        false,
    )
    .await
    {
        Err(app::Error::Invalid(errors)) => assert_eq!(errors.get("organ"), Some("Välj organ.")),
        other => panic!("an account without an organ: {other:?}"),
    }
    let not_admin = app::Actor {
        is_admin: false,
        ..administrator
    };
    assert!(matches!(
        admin::create_user(
            &ctx,
            Origin::Admin(&not_admin),
            &first_admin("ny.admin"),
            false
        )
        .await,
        Err(app::Error::Forbidden(None))
    ));
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_demo_city_loads_once_and_every_event_reads_back(pool: PgPool) {
    let ctx = Context::new(pool.clone());
    assert!(demo::load_if_empty(&ctx).await.unwrap());
    assert!(
        !demo::load_if_empty(&ctx).await.unwrap(),
        "only into an empty database"
    );
    let actions: Vec<String> = sqlx::query_scalar("SELECT DISTINCT action FROM audit_events")
        .fetch_all(&pool)
        .await
        .unwrap();
    for action in &actions {
        assert!(
            remiss::domain::audit::AuditAction::parse(action).is_some(),
            "{action}"
        );
    }
    // The reference case went the whole way, each step recorded once.
    let steps: Vec<String> = sqlx::query_scalar(
        "SELECT e.action FROM audit_events e JOIN cases c ON c.id = e.case_id
         WHERE c.dnr_prefix = 'AMN' AND c.dnr_year = 2020 ORDER BY e.id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        steps,
        [
            "case.registered",
            // The assignment opens the first draft.
            "case.assigned",
            "report.saved",
            "case.submitted",
            "case.returned",
            "report.saved",
            "case.submitted",
            "case.approved",
            "case.placed_on_agenda",
            "case.decided",
            // The justering froze the protokollsutdrag and the decided report.
            "document.registered",
            "document.registered",
            // The yttrande frozen at dispatch, as PDF and DOCX.
            "document.registered",
            "document.registered",
            "case.dispatched",
        ]
    );
}
