//! E-mail through the outbox, received by a real SMTP server (aiosmtpd): the
//! dispatched yttrande with its stored files, notifications written only by
//! changes that commit, delivery across an outage and a refusal, and reminders
//! given once by two instances.

use chrono::{TimeDelta, TimeZone, Utc};
use remiss::app::cases::{self, Assignment, DispatchInput};
use remiss::app::{self, Clock, Context, demo, outbox};
use remiss::domain::message::CLAIM;
use remiss::mail::{Delivery, Mailer};
use sqlx::PgPool;
use uuid::Uuid;

use super::cases::{actor, version};

#[path = "../parts/smtp/server.rs"]
mod smtp;
use smtp::TestSmtp;

const FROM: &str = "Remiss <remiss@stad.se>";

fn mailer(server: &TestSmtp) -> Mailer {
    Mailer::new(&server.url(), FROM, Some("https://remiss.stad.se/")).unwrap()
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

async fn set_email(pool: &PgPool, username: &str, email: &str) {
    sqlx::query("UPDATE users SET email = $2 WHERE username = $1")
        .bind(username)
        .bind(email)
        .execute(pool)
        .await
        .unwrap();
}

/// The demo's AMN case of a remiss whose title starts so.
async fn demo_case(pool: &PgPool, title: &str) -> Uuid {
    sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN referrals r ON r.id = c.referral_id
         WHERE r.title LIKE $1 AND c.dnr_prefix = 'AMN'",
    )
    .bind(format!("{title}%"))
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_dispatched_yttrande_arrives_with_its_stored_files_and_the_senders_dnr(pool: PgPool) {
    let server = TestSmtp::start().await;
    let ctx = Context::new(pool.clone());
    demo::load_if_empty(&ctx).await.unwrap();
    // The demo's approved promemoria, decided by delegation.
    let case = demo_case(&pool, "Promemorian").await;
    let reviewer = actor(&pool, "granskare").await;
    cases::decide_by_delegation(&ctx, &reviewer, case, "Delegationsordning punkt 1.4")
        .await
        .unwrap();
    let secretary = actor(&pool, "sekreterare").await;
    let mut input = DispatchInput {
        dispatched_on: ctx.clock.today().to_string(),
        recipient: "Arbetsmarknadsdepartementet".into(),
        email: "a.remissvar@regeringskansliet".into(),
    };
    match cases::dispatch(&ctx, &secretary, case, &input).await {
        Err(app::Error::Invalid(errors)) => assert_eq!(
            errors.get("email"),
            Some("Ange en e-postadress som namn@exempel.se.")
        ),
        other => panic!("an address without a domain: {other:?}"),
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox").await, 0);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM replies").await,
        1,
        "the demo's own"
    );

    input.email = " a.remissvar@regeringskansliet.se ".into();
    cases::dispatch(&ctx, &secretary, case, &input)
        .await
        .unwrap();
    let stored: Vec<(String, Vec<u8>)> = sqlx::query_as(
        "SELECT d.file_name, d.sha256 FROM documents d
         WHERE d.case_id = $1 AND d.direction = 'outgoing' ORDER BY d.file_name",
    )
    .bind(case)
    .fetch_all(&pool)
    .await
    .unwrap();
    let names: Vec<&str> = stored.iter().map(|(name, _)| name.as_str()).collect();
    let year = ctx.clock.today().format("%Y").to_string();
    let dnr_file = |ext: &str| -> String {
        let (file, _) = stored
            .iter()
            .find(|(name, _)| name.ends_with(ext))
            .expect("the file is registered");
        file.clone()
    };
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(dnr_file(".pdf").starts_with("Yttrande AMN "));
    assert!(dnr_file(".docx").contains(&format!("över A{year}-00871")));

    let delivered = mailer(&server)
        .deliver_due(&pool, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        delivered,
        Delivery {
            sent: 1,
            ..Delivery::default()
        }
    );
    let received = server.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(
        mail["subject"],
        format!("A{year}/00871 Arbetsmarknadsnämnden")
    );
    assert_eq!(mail["to"], "a.remissvar@regeringskansliet.se");
    let id: Uuid = sqlx::query_scalar("SELECT id FROM outbox WHERE kind = 'reply'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mail["message_id"], format!("<{id}@stad.se>"));
    assert!(
        mail["text"]
            .as_str()
            .unwrap()
            .contains("Arbetsmarknadsnämnden överlämnar härmed sitt yttrande")
    );
    // What went is what was stored, byte for byte.
    let mut sent: Vec<(String, String)> = mail["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_string(),
                a["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    sent.sort();
    let stored: Vec<(String, String)> = stored
        .iter()
        .map(|(name, sha)| {
            (
                name.clone(),
                sha.iter().map(|b| format!("{b:02x}")).collect(),
            )
        })
        .collect();
    assert_eq!(sent, stored);
    let types: Vec<&str> = mail["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["type"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"application/pdf"), "{types:?}");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM outbox WHERE state = 'sent'").await,
        1
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn only_a_committed_change_sends_its_notification(pool: PgPool) {
    let server = TestSmtp::start().await;
    let ctx = Context::new(pool.clone());
    demo::load_if_empty(&ctx).await.unwrap();
    set_email(&pool, "handlaggare", "karin.handlaggare@stad.se").await;
    // A registered case of the waste plan: Utbildningsnämnden's, not yet assigned.
    let case = demo_case_of(&pool, "UN").await;
    // Utbildningsnämnden has no officer in the demo: give the AMN officer a role there.
    let un: Uuid = sqlx::query_scalar("SELECT organ_id FROM cases WHERE id = $1")
        .bind(case)
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO user_roles (user_id, organ_id, role)
         SELECT id, $1, r FROM users, unnest(ARRAY['handlaggare', 'granskare']) r
         WHERE username IN ('handlaggare', 'granskare')",
    )
    .bind(un)
    .execute(&pool)
    .await
    .unwrap();
    let officer = actor(&pool, "handlaggare").await;
    let reviewer = actor(&pool, "granskare").await;
    let seen = version(&pool, case).await;
    let assignment = |seen_version| Assignment {
        officer: Some(officer.user_id),
        seen_version,
    };

    // Refused: nothing written.
    assert!(
        cases::assign(&ctx, &reviewer, case, assignment(seen - 1))
            .await
            .is_err()
    );
    // Done, then rolled back: the message goes with the change.
    let mut tx = pool.begin().await.unwrap();
    cases::assign_in(&mut tx, Utc::now(), &reviewer, case, assignment(seen))
        .await
        .unwrap();
    let inside: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(inside, 1, "written in the change's transaction");
    tx.rollback().await.unwrap();
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox").await, 0);
    let mailer = mailer(&server);
    assert_eq!(
        mailer.deliver_due(&pool, Utc::now()).await.unwrap(),
        Delivery::default()
    );

    // Committed: sent, once.
    cases::assign(&ctx, &reviewer, case, assignment(seen))
        .await
        .unwrap();
    assert_eq!(mailer.deliver_due(&pool, Utc::now()).await.unwrap().sent, 1);
    let received = server.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail["to"], "karin.handlaggare@stad.se");
    assert!(
        mail["subject"]
            .as_str()
            .unwrap()
            .starts_with("Du har fått ärendet UN ")
    );
    let link = format!("https://remiss.stad.se/arenden/{case}");
    assert!(mail["text"].as_str().unwrap().contains(&link));
    assert!(
        mail["html"]
            .as_str()
            .unwrap()
            .contains(&format!("<a href=\"{link}\">"))
    );

    // Turned off on the account page: the next assignment tells nobody.
    set_email(&pool, "handlaggare.sn", "sven.handlaggare@stad.se").await;
    let sn_officer = actor(&pool, "handlaggare.sn").await;
    outbox::set_notifications(&ctx, &sn_officer, false)
        .await
        .unwrap();
    let sn_case = demo_case_of(&pool, "SN").await;
    let sn_assignment = Assignment {
        officer: Some(sn_officer.user_id),
        seen_version: version(&pool, sn_case).await,
    };
    let sn_reviewer = actor(&pool, "granskare.sn").await;
    cases::assign(&ctx, &sn_reviewer, sn_case, sn_assignment)
        .await
        .unwrap();
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox").await, 1);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM audit_events WHERE action = 'user.notifications_changed'"
        )
        .await,
        1
    );
}

/// The waste plan's case of the organ with this prefix (registered, in the demo,
/// for SN and UN).
async fn demo_case_of(pool: &PgPool, prefix: &str) -> Uuid {
    sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN referrals r ON r.id = c.referral_id
         WHERE r.title LIKE 'Förslag till avfallsplan%' AND c.dnr_prefix = $1",
    )
    .bind(prefix)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A notification waiting in the outbox: the demo officer assigned the SN case
/// of the waste plan (the officer of Socialnämnden has an address).
async fn one_queued_message(pool: &PgPool, ctx: &Context) {
    set_email(pool, "handlaggare.sn", "sven.handlaggare@stad.se").await;
    let case = demo_case_of(pool, "SN").await;
    let officer = actor(pool, "handlaggare.sn").await;
    let reviewer = actor(pool, "granskare.sn").await;
    let assignment = Assignment {
        officer: Some(officer.user_id),
        seen_version: version(pool, case).await,
    };
    cases::assign(ctx, &reviewer, case, assignment)
        .await
        .unwrap();
    assert_eq!(
        count(pool, "SELECT count(*) FROM outbox WHERE state = 'queued'").await,
        1
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_message_waits_out_an_outage_and_goes_once(pool: PgPool) {
    let mut server = TestSmtp::start().await;
    let ctx = Context::new(pool.clone());
    demo::load_if_empty(&ctx).await.unwrap();
    one_queued_message(&pool, &ctx).await;
    let mailer = mailer(&server);
    server.stop().await;

    let now = Utc::now();
    let down = mailer.deliver_due(&pool, now).await.unwrap();
    assert_eq!(
        down,
        Delivery {
            deferred: 1,
            ..Delivery::default()
        }
    );
    let (state, attempts, error): (String, i32, Option<String>) =
        sqlx::query_as("SELECT state, attempts, last_error FROM outbox")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((state.as_str(), attempts), ("queued", 1));
    assert!(error.is_some_and(|e| !e.is_empty()));
    // Not due again at once.
    assert_eq!(
        mailer.deliver_due(&pool, now).await.unwrap(),
        Delivery::default()
    );

    server.start_again().await;
    let later = now + TimeDelta::minutes(2);
    assert_eq!(mailer.deliver_due(&pool, later).await.unwrap().sent, 1);
    assert_eq!(
        mailer
            .deliver_due(&pool, later + TimeDelta::days(1))
            .await
            .unwrap(),
        Delivery::default()
    );
    assert_eq!(server.received().len(), 1, "sent once");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_claim_left_by_a_stopped_instance_lapses_and_the_message_goes_with_its_id(pool: PgPool) {
    let server = TestSmtp::start().await;
    let ctx = Context::new(pool.clone());
    demo::load_if_empty(&ctx).await.unwrap();
    one_queued_message(&pool, &ctx).await;
    // Another instance claimed it and stopped before it could say how it went.
    let now = Utc::now();
    let mut conn = pool.acquire().await.unwrap();
    let claimed = remiss::db::outbox::claim_due(&mut conn, now, now + CLAIM, 10)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(claimed.len(), 1);
    let mailer = mailer(&server);
    assert_eq!(
        mailer.deliver_due(&pool, now).await.unwrap(),
        Delivery::default(),
        "claimed: not this instance's to send"
    );
    let lapsed = now + CLAIM + TimeDelta::seconds(1);
    assert_eq!(mailer.deliver_due(&pool, lapsed).await.unwrap().sent, 1);
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0]["message_id"],
        format!("<{}@stad.se>", claimed[0].id)
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_refused_message_fails_at_once_and_an_administrator_sends_it_again(pool: PgPool) {
    let server = TestSmtp::start_refusing().await;
    let ctx = Context::new(pool.clone());
    demo::load_if_empty(&ctx).await.unwrap();
    one_queued_message(&pool, &ctx).await;
    let failed = mailer(&server)
        .deliver_due(&pool, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        failed,
        Delivery {
            failed: 1,
            ..Delivery::default()
        }
    );
    let admin = actor(&pool, "admin").await;
    let unsent = outbox::unsent(&ctx, &admin).await.unwrap();
    assert_eq!(unsent.len(), 1);
    let message = &unsent[0];
    assert_eq!(message.state.as_str(), "failed");
    let answer = message.last_error.clone().unwrap();
    assert!(answer.contains("550"), "{answer}");
    assert!(server.received().is_empty());

    let officer = actor(&pool, "handlaggare.sn").await;
    assert!(matches!(
        outbox::retry(&ctx, &officer, message.id).await,
        Err(app::Error::Forbidden(_))
    ));
    outbox::retry(&ctx, &admin, message.id).await.unwrap();
    assert!(matches!(
        outbox::retry(&ctx, &admin, message.id).await,
        Err(app::Error::Conflict(_))
    ));
    let (state, attempts): (String, i32) =
        sqlx::query_as("SELECT state, attempts FROM outbox WHERE id = $1")
            .bind(message.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((state.as_str(), attempts), ("queued", 0));
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM audit_events WHERE action = 'message.retried'"
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn two_instances_give_and_send_each_reminder_once(pool: PgPool) {
    let server = TestSmtp::start().await;
    // Monday 2 March 2026: the demo's waste plan is under review, its meeting on
    // 16 March, so it must be approved by Friday 6 March (agenda closing).
    let monday = Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap();
    let at = |clock| Context::with_clock(pool.clone(), Clock::Fixed(clock));
    demo::load_if_empty(&at(monday)).await.unwrap();
    set_email(&pool, "granskare", "gun.granskare@stad.se").await;
    assert_eq!(
        outbox::queue_reminders(&at(monday)).await.unwrap(),
        0,
        "four working days before: not yet"
    );
    // Tuesday: three working days before. Two instances at once.
    let tuesday = monday + TimeDelta::days(1);
    let (one, other) = (at(tuesday), at(tuesday));
    let (first, second) = tokio::join!(
        outbox::queue_reminders(&one),
        outbox::queue_reminders(&other)
    );
    let given = first.unwrap() + second.unwrap();
    assert_eq!(given, 1);
    assert_eq!(
        outbox::queue_reminders(&at(tuesday + TimeDelta::hours(3)))
            .await
            .unwrap(),
        0,
        "once per case, kind and date"
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM outbox WHERE kind = 'reminder'").await,
        1
    );

    // Two sender tasks on one database.
    let (a, b) = (mailer(&server), mailer(&server));
    let now = Utc::now();
    let (sent_a, sent_b) = tokio::join!(a.deliver_due(&pool, now), b.deliver_due(&pool, now));
    assert_eq!(sent_a.unwrap().sent + sent_b.unwrap().sent, 1);
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["to"], "gun.granskare@stad.se");
    assert_eq!(
        received[0]["subject"].as_str().unwrap(),
        format!(
            "Påminnelse: ärende {} senast 2026-03-06",
            sqlx::query_scalar::<_, String>("SELECT dnr_text FROM cases WHERE id = $1")
                .bind(demo_case_of(&pool, "AMN").await)
                .fetch_one(&pool)
                .await
                .unwrap()
        )
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_kallelse_goes_to_each_member_with_an_address_and_again_once_the_agenda_changed(
    pool: PgPool,
) {
    use remiss::app::meetings;
    use remiss::domain::roster::MemberInput;

    use super::cases::organ;
    use super::meetings::{approved_case, meeting_with, on};

    let server = TestSmtp::start().await;
    let ctx = on(&pool, "2026-03-02");
    demo::load_if_empty(&ctx).await.unwrap();
    let secretary = actor(&pool, "sekreterare").await;
    let amn = organ(&pool, "AMN").await;
    for (name, party, email) in [
        ("Anna Andersson", "S", "anna.andersson@example.se"),
        ("Bertil Berg", "M", "bertil.berg@example.se"),
        ("Cecilia Ceder", "V", ""),
    ] {
        let member = MemberInput {
            name: name.into(),
            party: party.into(),
            substitute: false,
            email: email.into(),
        };
        meetings::add_member(&ctx, &secretary, amn, &member)
            .await
            .unwrap();
    }
    let first = approved_case(&pool, "Remiss om en regional strategi", false).await;
    let meeting = meeting_with(&pool, &secretary, "2026-04-21", &[first]).await;

    let officer = actor(&pool, "handlaggare").await;
    assert!(matches!(
        meetings::send_agenda(&ctx, &officer, meeting).await,
        Err(app::Error::Forbidden(_))
    ));
    let sent = meetings::send_agenda(&ctx, &secretary, meeting)
        .await
        .unwrap();
    assert_eq!(
        sent.recipients,
        [
            "Anna Andersson (S) <anna.andersson@example.se>",
            "Bertil Berg (M) <bertil.berg@example.se>"
        ]
    );
    assert_eq!(sent.without_address, ["Cecilia Ceder (V)"]);
    // The same kallelse to the same members once.
    match meetings::send_agenda(&ctx, &secretary, meeting).await {
        Err(app::Error::Conflict(message)) => {
            assert!(
                message.starts_with("Kallelsen är redan skickad"),
                "{message}"
            )
        }
        other => panic!("sent twice: {other:?}"),
    }
    assert_eq!(
        count(&pool, "SELECT count(*) FROM outbox WHERE kind = 'agenda'").await,
        2
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM audit_events WHERE action = 'meeting.agenda_sent'"
        )
        .await,
        1
    );

    let delivered = mailer(&server)
        .deliver_due(&pool, Utc::now())
        .await
        .unwrap();
    assert_eq!(delivered.sent, 2);
    let stored: Vec<u8> = sqlx::query_scalar("SELECT sha256 FROM agenda_mailings")
        .fetch_one(&pool)
        .await
        .unwrap();
    let stored: String = stored.iter().map(|b| format!("{b:02x}")).collect();
    let mut to: Vec<String> = Vec::new();
    for mail in server.received() {
        to.push(mail["to"].as_str().unwrap().to_string());
        assert_eq!(
            mail["subject"],
            "Kallelse till Arbetsmarknadsnämndens sammanträde 2026-04-21 13:00"
        );
        assert!(
            mail["text"].as_str().unwrap().contains(
                "Du kallas till Arbetsmarknadsnämndens sammanträde 2026-04-21 13:00, Stadshuset."
            ),
            "{}",
            mail["text"]
        );
        let attachments = mail["attachments"].as_array().unwrap();
        assert_eq!(attachments.len(), 1);
        assert_eq!(
            attachments[0]["name"],
            "Kallelse Arbetsmarknadsnämnden 2026-04-21.pdf"
        );
        assert_eq!(attachments[0]["type"], "application/pdf");
        // What went is what was stored with the mailing, byte for byte.
        assert_eq!(attachments[0]["sha256"], stored.as_str());
    }
    to.sort();
    assert_eq!(to, ["anna.andersson@example.se", "bertil.berg@example.se"]);

    // The agenda changes: the kallelse may go again, as a changed one.
    let second = approved_case(&pool, "Remiss om kollektivtrafiken", false).await;
    meetings::place_on_agenda(&ctx, &secretary, second, meeting)
        .await
        .unwrap();
    meetings::send_agenda(&ctx, &secretary, meeting)
        .await
        .unwrap();
    assert_eq!(
        count(&pool, "SELECT count(DISTINCT sha256) FROM agenda_mailings").await,
        2
    );
    let again: Vec<String> =
        sqlx::query_scalar("SELECT subject FROM outbox WHERE kind = 'agenda' AND state = 'queued'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        again,
        ["Ändrad kallelse till Arbetsmarknadsnämndens sammanträde 2026-04-21 13:00"; 2]
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM audit_events WHERE action = 'meeting.agenda_sent' AND (after->>'again')::boolean"
        )
        .await,
        1
    );
}
