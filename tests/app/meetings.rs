//! The meeting as the use cases run it, on a clock the test sets: decisions wait
//! for the meeting, justering posts the notice on the anslagstavla with its legal
//! dates, the notice comes down after the appeal period, and a yttrande waits for
//! the justering.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use remiss::app::cases::{self, Assignment, DispatchInput};
use remiss::app::meetings::{self, Adjustment};
use remiss::app::reports::{self, DraftEdit};
use remiss::app::reviews::{self, Review};
use remiss::app::{self, Actor, Clock, Context, demo, referrals};
use remiss::domain::meeting::{DecisionInput, MeetingInput, YearPlanInput};
use remiss::domain::referral::ReferralInput;
use remiss::domain::report::ReportInput;
use remiss::domain::roster::{AttendanceInput, MemberInput};
use sqlx::PgPool;
use uuid::Uuid;

use crate::cases::{actor, organ};

/// 10:00 in Stockholm on `day` (`YYYY-MM-DD`).
fn at(day: &str) -> DateTime<Utc> {
    let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    Stockholm
        .from_local_datetime(&day.and_hms_opt(10, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) fn on(pool: &PgPool, day: &str) -> Context {
    Context::with_clock(pool.clone(), Clock::Fixed(at(day)))
}

fn date(day: &str) -> NaiveDate {
    NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap()
}

static NEXT_SENDER_NUMBER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

/// A remiss to AMN registered on 2026-03-02, drafted, submitted and approved; its case.
pub(crate) async fn approved_case(pool: &PgPool, title: &str, secret: bool) -> Uuid {
    let ctx = on(pool, "2026-03-02");
    let amn = organ(pool, "AMN").await;
    let input = ReferralInput {
        title: title.into(),
        description: "Synpunkter på förslaget.".into(),
        sender_name: "Kulturdepartementet".into(),
        // Each its own number at the sender, so that none is a likely duplicate.
        sender_dnr: format!(
            "Ku2026/{:05}",
            NEXT_SENDER_NUMBER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ),
        received_on: "2026-03-02".into(),
        deadline: "2026-05-29".into(),
        secret,
        secrecy_provision: if secret {
            "OSL 21 kap. 1 §".into()
        } else {
            String::new()
        },
        respondents: vec![amn.to_string()],
        ..ReferralInput::default()
    };
    let registrar = actor(pool, "registrator").await;
    let case = referrals::register(&ctx, &registrar, &input)
        .await
        .unwrap()
        .cases[0]
        .id;
    let (officer, reviewer) = (
        actor(pool, "handlaggare").await,
        actor(pool, "granskare").await,
    );
    let version: i32 = sqlx::query_scalar("SELECT version FROM cases WHERE id = $1")
        .bind(case)
        .fetch_one(pool)
        .await
        .unwrap();
    let assignment = Assignment {
        officer: Some(officer.user_id),
        seen_version: version,
    };
    cases::assign(&ctx, &reviewer, case, assignment)
        .await
        .unwrap();
    let edit = DraftEdit {
        base: 1,
        input: ReportInput {
            title: title.into(),
            proposals: vec!["Arbetsmarknadsnämnden beslutar att hänvisa till förvaltningens tjänsteutlåtande som sitt yttrande över remissen.".into()],
            summary: format!("Sammanfattning om {title}."),
            considerations: format!("Förvaltningens synpunkter om {title}."),
            signatory_names: vec!["Anna Andersson".into()],
            signatory_titles: vec!["arbetsmarknadsdirektör".into()],
            ..ReportInput::default()
        },
    };
    reports::save_draft(&ctx, &officer, case, &edit)
        .await
        .unwrap();
    cases::submit(&ctx, &officer, case, 2).await.unwrap();
    let approval = Review {
        approve: true,
        revision: 2,
        comment: String::new(),
    };
    reviews::review(&ctx, &reviewer, case, &approval)
        .await
        .unwrap();
    case
}

/// An AMN meeting on `day` 13:00, planned on 2026-03-02, with `cases` on its agenda.
pub(crate) async fn meeting_with(
    pool: &PgPool,
    secretary: &Actor,
    day: &str,
    cases: &[Uuid],
) -> Uuid {
    let ctx = on(pool, "2026-03-02");
    let input = MeetingInput {
        organ: organ(pool, "AMN").await.to_string(),
        date: day.into(),
        time: "13:00".into(),
        place: "Stadshuset".into(),
    };
    let meeting = meetings::plan(&ctx, secretary, &input).await.unwrap();
    for case in cases {
        meetings::place_on_agenda(&ctx, secretary, *case, meeting)
            .await
            .unwrap();
    }
    meeting
}

async fn items(pool: &PgPool, meeting: Uuid) -> Vec<Uuid> {
    sqlx::query_scalar("SELECT id FROM agenda_items WHERE meeting_id = $1 ORDER BY position")
        .bind(meeting)
        .fetch_all(pool)
        .await
        .unwrap()
}

fn adopted() -> DecisionInput {
    DecisionInput {
        outcome: "adopted".into(),
        attendance: "Ordförande Anna Andersson (S)\nBertil Berg (M)".into(),
        ..DecisionInput::default()
    }
}

fn adjustment(on: &str, posted_on: &str) -> Adjustment {
    Adjustment {
        adjusted_on: on.into(),
        adjusted_by: "Anna Andersson och Bertil Berg".into(),
        posted_on: posted_on.into(),
    }
}

fn conflict(result: app::Result<()>) -> String {
    match result {
        Err(app::Error::Conflict(message)) => message,
        other => panic!("expected a conflict: {other:?}"),
    }
}

fn invalid(result: app::Result<()>, field: &str) -> String {
    match result {
        Err(app::Error::Invalid(errors)) => errors.get(field).unwrap_or("").to_string(),
        other => panic!("expected invalid input: {other:?}"),
    }
}

type NoticeRow = (
    Option<Uuid>,
    Option<Uuid>,
    NaiveDate,
    NaiveDate,
    NaiveDate,
    NaiveDate,
    String,
);

async fn notices(pool: &PgPool) -> Vec<NoticeRow> {
    sqlx::query_as(
        "SELECT meeting_id, decision_id, adjusted_on, posted_on, appeal_last_day, take_down_on, kept_at
         FROM notices WHERE created_at > '2026-01-01' ORDER BY created_at, posted_on",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn justering_posts_the_notice_with_its_legal_dates_and_nothing_before_it_happens(
    pool: PgPool,
) {
    demo::load_if_empty(&on(&pool, "2026-03-02")).await.unwrap();
    let secretary = actor(&pool, "sekreterare").await;
    let case = approved_case(&pool, "Remiss om en regional strategi", false).await;
    // Tuesday 21 April 2026.
    let meeting = meeting_with(&pool, &secretary, "2026-04-21", &[case]).await;
    let item = items(&pool, meeting).await[0];

    // Nothing is recorded before the meeting has been held.
    assert_eq!(
        conflict(
            meetings::decide(
                &on(&pool, "2026-04-20"),
                &secretary,
                meeting,
                item,
                &adopted()
            )
            .await
        ),
        "Sammanträdet hålls 2026-04-21. Beslut kan protokollföras först när det har hållits."
    );
    meetings::decide(
        &on(&pool, "2026-04-21"),
        &secretary,
        meeting,
        item,
        &adopted(),
    )
    .await
    .unwrap();

    // A yttrande waits for the justering.
    let dispatch = DispatchInput {
        dispatched_on: "2026-04-22".into(),
        recipient: "Kulturdepartementet".into(),
        ..DispatchInput::default()
    };
    assert_eq!(
        conflict(cases::dispatch(&on(&pool, "2026-04-22"), &secretary, case, &dispatch).await),
        "Yttrandet kan expedieras först när protokollet är justerat, eller paragrafen justerad omedelbart vid sammanträdet."
    );

    // Justering in the future, or a posting later than the law allows, is refused.
    let today = on(&pool, "2026-04-22");
    assert_eq!(
        invalid(
            meetings::adjust(&today, &secretary, meeting, &adjustment("2026-04-23", "")).await,
            "adjusted_on"
        ),
        "Datumet 2026-04-23 har inte varit ännu. Ange dagen då det skedde, senast i dag (2026-04-22)."
    );
    assert!(
        invalid(meetings::adjust(&today, &secretary, meeting, &adjustment("2026-04-22", "2026-04-27")).await, "posted_on")
            .starts_with("Justeringen ska tillkännages på anslagstavlan senast andra dagen efter justeringen, alltså senast 2026-04-24")
    );
    assert!(
        notices(&pool).await.is_empty(),
        "nothing posted by a refusal"
    );

    meetings::adjust(
        &today,
        &secretary,
        meeting,
        &adjustment("2026-04-22", "2026-04-23"),
    )
    .await
    .unwrap();
    assert_eq!(
        notices(&pool).await,
        [(
            Some(meeting),
            None,
            date("2026-04-22"),
            date("2026-04-23"),
            // Three weeks from Thursday 23 April is Kristi himmelsfärdsdag: the
            // period runs to the next working day.
            date("2026-05-15"),
            date("2026-05-16"),
            "Protokollet förvaras hos Arbetsmarknadsförvaltningen.".to_string()
        )]
    );
    let posted: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events
         WHERE action = 'notice.posted' AND actor_id = $1 AND after->>'meeting_id' = $2",
    )
    .bind(secretary.user_id)
    .bind(meeting.to_string())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(posted, 1, "the posting is in the history");

    // Adjusted: the yttrande may go, and the decision can no longer change.
    cases::dispatch(&today, &secretary, case, &dispatch)
        .await
        .unwrap();
    assert_eq!(
        conflict(
            meetings::adjust(&today, &secretary, meeting, &adjustment("2026-04-22", "")).await
        ),
        "Protokollet är justerat. Besluten från sammanträdet kan inte längre ändras."
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_paragraph_adjusted_at_once_is_announced_and_may_be_dispatched_at_once(pool: PgPool) {
    demo::load_if_empty(&on(&pool, "2026-03-02")).await.unwrap();
    let secretary = actor(&pool, "sekreterare").await;
    let case = approved_case(&pool, "Remiss om kollektivtrafiken", false).await;
    let meeting = meeting_with(&pool, &secretary, "2026-04-21", &[case]).await;
    let item = items(&pool, meeting).await[0];
    let meeting_day = on(&pool, "2026-04-21");
    let referred_back_at_once = DecisionInput {
        outcome: "referred_back".into(),
        reason: "Mer underlag behövs.".into(),
        adjusted_at_once: true,
        ..adopted()
    };
    assert_eq!(
        invalid(
            meetings::decide(
                &meeting_day,
                &secretary,
                meeting,
                item,
                &referred_back_at_once
            )
            .await,
            "adjusted_at_once"
        ),
        "Bara ett beslut i sak (bifall, med eller utan ändringar) justeras omedelbart."
    );
    let at_once = DecisionInput {
        adjusted_at_once: true,
        ..adopted()
    };
    meetings::decide(&meeting_day, &secretary, meeting, item, &at_once)
        .await
        .unwrap();
    let decision: Uuid = sqlx::query_scalar("SELECT id FROM decisions WHERE case_id = $1")
        .bind(case)
        .fetch_one(&pool)
        .await
        .unwrap();
    let posted = notices(&pool).await;
    assert_eq!(posted.len(), 1);
    assert_eq!((posted[0].0, posted[0].1), (None, Some(decision)));
    assert_eq!(
        posted[0].3,
        date("2026-04-21"),
        "posted the day of the meeting"
    );
    let dispatch = DispatchInput {
        dispatched_on: "2026-04-21".into(),
        recipient: "Kulturdepartementet".into(),
        ..DispatchInput::default()
    };
    cases::dispatch(&meeting_day, &secretary, case, &dispatch)
        .await
        .unwrap();
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_delegation_decision_is_announced_on_its_day(pool: PgPool) {
    demo::load_if_empty(&on(&pool, "2026-03-02")).await.unwrap();
    let case = approved_case(&pool, "Remiss om ett delegerat svar", false).await;
    let reviewer = actor(&pool, "granskare").await;
    // Friday 24 April 2026.
    cases::decide_by_delegation(&on(&pool, "2026-04-24"), &reviewer, case, "punkt 1.4")
        .await
        .unwrap();
    let posted = notices(&pool).await;
    assert_eq!(posted.len(), 1);
    assert_eq!(
        (posted[0].2, posted[0].3, posted[0].4, posted[0].5),
        (
            date("2026-04-24"),
            date("2026-04-24"),
            date("2026-05-15"),
            date("2026-05-16")
        )
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_decision_is_corrected_or_removed_until_justering_and_each_change_is_kept(pool: PgPool) {
    demo::load_if_empty(&on(&pool, "2026-03-02")).await.unwrap();
    let secretary = actor(&pool, "sekreterare").await;
    let first = approved_case(&pool, "Remiss om bostadsförsörjning", false).await;
    let second = approved_case(&pool, "Remiss om vuxenutbildning", false).await;
    let meeting = meeting_with(&pool, &secretary, "2026-04-21", &[first, second]).await;
    let agenda = items(&pool, meeting).await;
    let day = on(&pool, "2026-04-21");
    meetings::decide(&day, &secretary, meeting, agenda[0], &adopted())
        .await
        .unwrap();
    meetings::decide(&day, &secretary, meeting, agenda[1], &adopted())
        .await
        .unwrap();
    let paragraphs = || async {
        sqlx::query_as::<_, (Uuid, i32, String, String)>(
            "SELECT case_id, paragraph, outcome, attendance FROM decisions
             WHERE case_id = ANY($1) ORDER BY paragraph",
        )
        .bind(vec![first, second])
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    let before = paragraphs().await;

    // Corrected: amended with its text, another attendance, a reservation.
    let amended = DecisionInput {
        outcome: "amended".into(),
        decision_text: "Nämnden beslutar med tillägget i yrkandet.".into(),
        attendance: "Ordförande Anna Andersson (S)\nCecilia Ceder (V)".into(),
        reservation_members: vec!["Bertil Berg".into()],
        reservation_parties: vec!["M".into()],
        reservation_texts: vec!["Vi reserverar oss till förmån för förslaget.".into()],
        ..adopted()
    };
    let later = on(&pool, "2026-04-22");
    meetings::correct(&later, &secretary, meeting, agenda[0], &amended)
        .await
        .unwrap();
    // An outcome of another kind is not a correction.
    let referred_back = DecisionInput {
        outcome: "referred_back".into(),
        reason: "Mer underlag.".into(),
        ..adopted()
    };
    assert!(
        invalid(
            meetings::correct(&later, &secretary, meeting, agenda[0], &referred_back).await,
            "outcome"
        )
        .starts_with("Beslutet kan inte rättas från bifall med ändringar till återremiss")
    );
    let corrected: (String, String, serde_json::Value) = sqlx::query_as(
        "SELECT outcome, decision_text, reservations FROM decisions WHERE case_id = $1",
    )
    .bind(first)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(corrected.0, "amended");
    assert_eq!(corrected.1, "Nämnden beslutar med tillägget i yrkandet.");
    assert_eq!(corrected.2[0]["member"], "Bertil Berg");
    let history: serde_json::Value = sqlx::query_scalar(
        "SELECT after FROM audit_events WHERE case_id = $1 AND action = 'case.decision_corrected'",
    )
    .bind(first)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(history["was"]["outcome"], "adopted");
    assert_eq!(history["now"]["outcome"], "amended");
    assert_eq!(history["paragraph"], format!("§ {}", before[0].1));

    // Removed: the case is back on the agenda, and recorded again it keeps its §.
    match meetings::remove_decision(&later, &secretary, meeting, agenda[0], " ").await {
        Err(app::Error::Invalid(errors)) => assert_eq!(
            errors.get("removal_reason"),
            Some("Ange varför beslutet tas bort.")
        ),
        other => panic!("removing without a reason: {other:?}"),
    }
    meetings::remove_decision(&later, &secretary, meeting, agenda[0], "Fel ärende.")
        .await
        .unwrap();
    let state: String = sqlx::query_scalar("SELECT state FROM cases WHERE id = $1")
        .bind(first)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(state, "on_agenda");
    meetings::decide(&later, &secretary, meeting, agenda[0], &adopted())
        .await
        .unwrap();
    assert_eq!(paragraphs().await, before, "the same § and contents again");
    let removed: serde_json::Value = sqlx::query_scalar(
        "SELECT after FROM audit_events WHERE case_id = $1 AND action = 'case.decision_removed'",
    )
    .bind(first)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(removed["was"]["outcome"], "amended");
    assert_eq!(removed["reason"], "Fel ärende.");

    // Adjusted: nothing changes any more.
    meetings::adjust(&later, &secretary, meeting, &adjustment("2026-04-22", ""))
        .await
        .unwrap();
    let locked = "Protokollet är justerat. Besluten från sammanträdet kan inte längre ändras.";
    assert_eq!(
        conflict(meetings::correct(&later, &secretary, meeting, agenda[0], &amended).await),
        locked
    );
    assert_eq!(
        conflict(meetings::remove_decision(&later, &secretary, meeting, agenda[1], "Fel.").await),
        locked
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_year_is_planned_at_once_and_a_meeting_moved_or_cancelled_with_its_reason(pool: PgPool) {
    let ctx = on(&pool, "2026-11-02");
    demo::load_if_empty(&ctx).await.unwrap();
    let secretary = actor(&pool, "sekreterare").await;
    let amn = organ(&pool, "AMN").await.to_string();
    let plan = YearPlanInput {
        organ: amn.clone(),
        dates: "2027-02-16\n2027-01-19\n2027-03-16".into(),
        time: "13:00".into(),
        place: "Stadshuset".into(),
    };
    let officer = actor(&pool, "handlaggare").await;
    assert!(matches!(
        meetings::plan_year(&ctx, &officer, &plan).await,
        Err(app::Error::Forbidden(None))
    ));
    let wrong = YearPlanInput {
        dates: "2027-01-19 2027-02-30".into(),
        ..plan.clone()
    };
    match meetings::plan_year(&ctx, &secretary, &wrong).await {
        Err(app::Error::Invalid(errors)) => {
            assert!(errors.get("dates").unwrap().contains("2027-02-30"))
        }
        other => panic!("a date that does not exist: {other:?}"),
    }
    let planned = meetings::plan_year(&ctx, &secretary, &plan).await.unwrap();
    assert_eq!(planned.len(), 3);
    let first: DateTime<Utc> = sqlx::query_scalar("SELECT starts_at FROM meetings WHERE id = $1")
        .bind(planned[0])
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        first,
        Stockholm.with_ymd_and_hms(2027, 1, 19, 13, 0, 0).unwrap(),
        "in date order, at the time given in Stockholm"
    );

    // Moved, with the reason kept beside what it was.
    let moved = MeetingInput {
        organ: String::new(),
        date: "2027-02-23".into(),
        time: "09:30".into(),
        place: "Kommunhuset".into(),
    };
    match meetings::reschedule(&ctx, &secretary, planned[1], &moved, "").await {
        Err(app::Error::Invalid(errors)) => assert_eq!(
            errors.get("reschedule_reason"),
            Some("Ange varför sammanträdet ändras.")
        ),
        other => panic!("a change without a reason: {other:?}"),
    }
    meetings::reschedule(&ctx, &secretary, planned[1], &moved, "Sportlovet.")
        .await
        .unwrap();
    let (before, after): (serde_json::Value, serde_json::Value) = sqlx::query_as(
        "SELECT before, after FROM audit_events WHERE action = 'meeting.rescheduled' AND entity_id = $1",
    )
    .bind(planned[1])
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(before["place"], "Stadshuset");
    assert_eq!(after["place"], "Kommunhuset");
    assert_eq!(after["reason"], "Sportlovet.");

    // Cancelled: kept in the plan, marked, and no longer offered for a case.
    meetings::cancel(&ctx, &secretary, planned[2], "Inga ärenden.")
        .await
        .unwrap();
    let reason: Option<String> =
        sqlx::query_scalar("SELECT cancel_reason FROM meetings WHERE id = $1")
            .bind(planned[2])
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(reason.as_deref(), Some("Inga ärenden."));
    let mut conn = pool.acquire().await.unwrap();
    let offered = remiss::db::meetings::upcoming(&mut conn, organ(&pool, "AMN").await)
        .await
        .unwrap();
    assert!(offered.iter().all(|m| m.id != planned[2]));
    assert!(offered.iter().any(|m| m.id == planned[0]));
    assert_eq!(
        conflict(meetings::cancel(&ctx, &secretary, planned[2], "Igen.").await),
        "Sammanträdet är inställt."
    );
    // A meeting with cases on its agenda is not cancelled.
    let case: Uuid = sqlx::query_scalar(
        "SELECT c.id FROM cases c WHERE c.state = 'approved' AND c.dnr_prefix = 'AMN' LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    meetings::place_on_agenda(&ctx, &secretary, case, planned[0])
        .await
        .unwrap();
    assert!(
        conflict(meetings::cancel(&ctx, &secretary, planned[0], "Inget.").await)
            .starts_with("Sammanträdet har ärenden på föredragningslistan.")
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_roster_gives_the_attendance_the_chair_and_the_justerare(pool: PgPool) {
    demo::load_if_empty(&on(&pool, "2026-03-02")).await.unwrap();
    let secretary = actor(&pool, "sekreterare").await;
    let amn = organ(&pool, "AMN").await;
    let ctx = on(&pool, "2026-03-02");
    let mut ids = Vec::new();
    for (name, party, substitute) in [
        ("Anna Andersson", "S", false),
        ("Bertil Berg", "M", false),
        ("Cecilia Ceder", "V", true),
    ] {
        let member = MemberInput {
            name: name.into(),
            party: party.into(),
            substitute,
            email: String::new(),
        };
        ids.push(
            meetings::add_member(&ctx, &secretary, amn, &member)
                .await
                .unwrap(),
        );
    }
    let officer = actor(&pool, "handlaggare").await;
    assert!(matches!(
        meetings::add_member(&ctx, &officer, amn, &MemberInput::default()).await,
        Err(app::Error::Forbidden(None))
    ));
    let meeting = meeting_with(&pool, &secretary, "2026-04-21", &[]).await;
    let attendance = AttendanceInput {
        present: ids.iter().map(Uuid::to_string).collect(),
        chair: ids[0].to_string(),
        adjusters: vec![ids[0].to_string()],
    };
    assert_eq!(
        invalid(
            meetings::record_attendance(&ctx, &secretary, meeting, &attendance).await,
            "adjusters"
        ),
        "Välj en eller två justerare bland de närvarande, utöver ordföranden."
    );
    let attendance = AttendanceInput {
        adjusters: vec![ids[1].to_string()],
        ..attendance
    };
    meetings::record_attendance(&ctx, &secretary, meeting, &attendance)
        .await
        .unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let recorded = remiss::db::meetings::get(&mut conn, meeting)
        .await
        .unwrap()
        .unwrap()
        .attendees();
    assert_eq!(
        remiss::domain::roster::attendance_text(&recorded),
        "Anna Andersson (S), ordförande\nBertil Berg (M)\nCecilia Ceder (V), tjänstgörande ersättare"
    );
    assert_eq!(
        remiss::domain::roster::adjusted_by_text(&recorded),
        "Anna Andersson och Bertil Berg"
    );
    // Off the roster, still in the meeting's attendance.
    meetings::remove_member(&ctx, &secretary, amn, ids[2])
        .await
        .unwrap();
    let roster = remiss::db::meetings::roster(&mut conn, amn).await.unwrap();
    assert_eq!(roster.len(), 2);
    assert!(matches!(
        meetings::remove_member(&ctx, &secretary, amn, ids[2]).await,
        Err(app::Error::NotFound)
    ));
}
