//! Two people act on one case at the same moment, through the real binary. Each
//! sends the form as their page showed it; exactly one of them succeeds, the other
//! is told 409, and the case holds what the winner saw (issue 10, §4).

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio::sync::Barrier;
use uuid::Uuid;

use crate::city::{count, user_id};
use crate::crew::{Crew, draft};
use crate::harness::{Cluster, Remiss, beside_others};
use crate::http::{Browser, Form, Response};

/// Sends the two forms about `case`, both filled in from pages loaded before
/// either was sent: in even rounds at the same moment, in odd rounds one after
/// the other (the second then is the form of a page that is out of date, which is
/// what a race looks like to the one who loses it). The answers, in the given
/// order.
async fn both(
    pool: &PgPool,
    case: Uuid,
    round: usize,
    first: (Browser, Form),
    second: (Browser, Form),
) -> Vec<Response> {
    if round.is_multiple_of(2) {
        return at_once(pool, case, vec![first, second]).await;
    }
    let (mut first_browser, first_form) = first;
    let (mut second_browser, second_form) = second;
    let first_answer = first_browser.send(&first_form).await;
    let second_answer = second_browser.send(&second_form).await;
    vec![first_answer, second_answer]
}

/// Sends each browser's form at the same moment; the answers, in the given order.
///
/// So that the requests overlap whatever the machine's load, the case's row is
/// held (`FOR UPDATE`, in a transaction of the test's own) until both requests
/// wait on a lock, or two seconds have passed: a request that reads the case and
/// then writes it is held between the two, where a race is decided.
async fn at_once(pool: &PgPool, case: Uuid, sends: Vec<(Browser, Form)>) -> Vec<Response> {
    let mut hold = pool.begin().await.expect("a transaction");
    sqlx::query("SELECT 1 FROM cases WHERE id = $1 FOR UPDATE")
        .bind(case)
        .execute(&mut *hold)
        .await
        .expect("the case's row is held");
    let racers = sends.len() as i64;
    let barrier = Arc::new(Barrier::new(sends.len()));
    let tasks: Vec<_> = sends
        .into_iter()
        .map(|(mut browser, form)| {
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                browser.send(&form).await
            })
        })
        .collect();
    let held_since = Instant::now();
    while held_since.elapsed() < Duration::from_secs(2) {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
             WHERE wait_event_type = 'Lock' AND backend_type = 'client backend'",
        )
        .fetch_one(pool)
        .await
        .expect("who waits");
        if waiting >= racers {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    hold.rollback().await.expect("the row is let go");
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("a racer"));
    }
    answers
}

fn statuses(answers: &[Response]) -> Vec<u16> {
    let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    statuses.sort_unstable();
    statuses
}

async fn count_for(crew: &Crew, sql: &str, id: Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&crew.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn started() -> (Cluster, Remiss, Crew) {
    let cluster = Cluster::start().await;
    let remiss = Remiss::start(&cluster).await;
    let crew = Crew::new(&remiss.base(), cluster.pool().await).await;
    (cluster, remiss, crew)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_and_a_submit_at_the_same_moment_never_leave_a_revision_nobody_submitted() {
    let _turn = beside_others().await;
    let (_cluster, _remiss, mut crew) = started().await;
    for round in 0..8 {
        let case = crew
            .register(&format!("Remiss om kompetensförsörjning {round}"))
            .await;
        crew.take_to(case, "drafting", &[]).await;
        let editor = format!("/arenden/{case}/utkast");
        let late_text = format!("Ett tillägg i sista stund, runda {round}.");
        let mut editing_tab = crew.officer.another_tab();
        let save = editing_tab
            .form(&editor, &editor, &draft(&[("considerations", &late_text)]))
            .await;
        let mut case_tab = crew.officer.another_tab();
        let submit = case_tab
            .form(
                &format!("/arenden/{case}"),
                &format!("/arenden/{case}/skicka"),
                &[],
            )
            .await;
        let answers = both(
            &crew.pool,
            case,
            round,
            (editing_tab, save),
            (case_tab, submit),
        )
        .await;

        let state = crew.state(case).await;
        let latest = crew.latest_revision(case).await;
        if state == "in_review" {
            let submitted: Option<String> = sqlx::query_scalar(
                "SELECT after->'revision' #>> '{}' FROM audit_events WHERE case_id = $1 AND action = 'case.submitted'
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(case)
            .fetch_one(&crew.pool)
            .await
            .unwrap_or_default();
            assert_eq!(
                submitted.as_deref(),
                Some(latest.to_string().as_str()),
                "round {round}: the case is in review with revision {latest}, which nobody \
                 submitted (save {}, submit {})",
                answers[0].status,
                answers[1].status
            );
        }
        assert_eq!(
            statuses(&answers),
            [303, 409],
            "round {round}: exactly one of save and submit goes through, the other is refused \
             (save {}, submit {}; the case is {state} at revision {latest})",
            answers[0].status,
            answers[1].status
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_secretaries_dispatching_at_once_send_one_yttrande_and_the_other_gets_409() {
    let _turn = beside_others().await;
    let (_cluster, remiss, mut crew) = started().await;
    let mut other_secretary = Browser::new(&remiss.base());
    other_secretary.login_as("sekreterare").await;
    for round in 0..3 {
        let case = crew
            .register(&format!("Remiss om avfallsplanen {round}"))
            .await;
        let meeting = crew.take_to(case, "decided", &[]).await.expect("a meeting");
        let adjusted = crew.adjust(meeting, "Ordföranden och Bertil Berg").await;
        assert_eq!(adjusted.status, 303, "justering:\n{}", adjusted.body);
        let page = format!("/arenden/{case}");
        let action = format!("/arenden/{case}/expediera");
        let mut first = crew.secretary.another_tab();
        let first_form = first.form(&page, &action, &[]).await;
        let mut second = other_secretary.another_tab();
        let second_form = second.form(&page, &action, &[]).await;
        let answers = both(
            &crew.pool,
            case,
            round,
            (first, first_form),
            (second, second_form),
        )
        .await;

        assert_eq!(crew.state(case).await, "answered", "round {round}");
        let replies = count_for(
            &crew,
            "SELECT count(*) FROM replies WHERE case_id = $1",
            case,
        )
        .await;
        assert_eq!(replies, 1, "round {round}: one yttrande");
        let events = count_for(
            &crew,
            "SELECT count(*) FROM audit_events WHERE case_id = $1 AND action = 'case.dispatched'",
            case,
        )
        .await;
        assert_eq!(events, 1, "round {round}: one dispatch in the history");
        assert_eq!(
            statuses(&answers),
            [303, 409],
            "round {round}: the second dispatch is refused with 409, not an error:\n{}",
            answers
                .iter()
                .map(|a| a.body.as_str())
                .max_by_key(|b| b.len())
                .unwrap_or_default()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_reviewers_assigning_from_the_same_page_make_one_assignment_and_the_other_gets_409() {
    let _turn = beside_others().await;
    let (_cluster, remiss, mut crew) = started().await;
    // A second officer in AMN to choose.
    sqlx::query(
        "INSERT INTO users (id, username, display_name, title, organ_id, password_hash)
         SELECT gen_random_uuid(), 'handlaggare2', 'Henrik Holm', 'utredare', organ_id, password_hash
         FROM users WHERE username = 'handlaggare'",
    )
    .execute(&crew.pool)
    .await
    .expect("a second officer");
    sqlx::query(
        "INSERT INTO user_roles (user_id, organ_id, role)
         SELECT u.id, r.organ_id, r.role FROM users u, user_roles r JOIN users h ON h.id = r.user_id
         WHERE u.username = 'handlaggare2' AND h.username = 'handlaggare'",
    )
    .execute(&crew.pool)
    .await
    .expect("the second officer's role");
    let officers = [
        user_id(&crew.pool, "handlaggare").await.to_string(),
        user_id(&crew.pool, "handlaggare2").await.to_string(),
    ];
    let mut other_reviewer = Browser::new(&remiss.base());
    other_reviewer.login_as("granskare").await;

    for round in 0..5 {
        let case = crew
            .register(&format!("Remiss om arbetsmarknaden {round}"))
            .await;
        let page = format!("/arenden/{case}");
        let action = format!("/arenden/{case}/tilldela");
        let mut first = crew.reviewer.another_tab();
        let first_form = first
            .form(&page, &action, &[("officer", &officers[0])])
            .await;
        let mut second = other_reviewer.another_tab();
        let second_form = second
            .form(&page, &action, &[("officer", &officers[1])])
            .await;
        let answers = both(
            &crew.pool,
            case,
            round,
            (first, first_form),
            (second, second_form),
        )
        .await;

        let assignments = count_for(
            &crew,
            "SELECT count(*) FROM audit_events WHERE case_id = $1 AND action = 'case.assigned'",
            case,
        )
        .await;
        assert_eq!(
            statuses(&answers),
            [303, 409],
            "round {round}: both reviewers saw the case unassigned; the second assignment must \
             be refused, not silently replace the first ({assignments} assignments recorded)"
        );
        assert_eq!(
            assignments, 1,
            "round {round}: one assignment in the history"
        );
        let winner = if answers[0].status == 303 {
            &officers[0]
        } else {
            &officers[1]
        };
        let assigned: Option<Uuid> =
            sqlx::query_scalar("SELECT assigned_officer_id FROM cases WHERE id = $1")
                .bind(case)
                .fetch_one(&crew.pool)
                .await
                .unwrap();
        assert_eq!(
            assigned.map(|id| id.to_string()).as_ref(),
            Some(winner),
            "round {round}: the case has the officer of the assignment that was acknowledged"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_reviewers_approving_at_once_make_one_approval_and_the_other_gets_409() {
    let _turn = beside_others().await;
    let (_cluster, remiss, mut crew) = started().await;
    let mut other_reviewer = Browser::new(&remiss.base());
    other_reviewer.login_as("granskare").await;
    for round in 0..3 {
        let case = crew
            .register(&format!("Remiss om vuxenutbildningen {round}"))
            .await;
        crew.take_to(case, "in_review", &[]).await;
        let page = format!("/arenden/{case}/granskning");
        let action = format!("/arenden/{case}/godkann");
        let mut first = crew.reviewer.another_tab();
        let first_form = first.form(&page, &action, &[]).await;
        let mut second = other_reviewer.another_tab();
        let second_form = second.form(&page, &action, &[]).await;
        let answers = both(
            &crew.pool,
            case,
            round,
            (first, first_form),
            (second, second_form),
        )
        .await;
        assert_eq!(statuses(&answers), [303, 409], "round {round}");
        assert_eq!(crew.state(case).await, "approved");
        let reviews = count_for(
            &crew,
            "SELECT count(*) FROM reviews WHERE case_id = $1",
            case,
        )
        .await;
        assert_eq!(reviews, 1, "round {round}: one approval");
    }
    assert_eq!(
        count(
            &crew.pool,
            "SELECT count(*) FROM audit_events WHERE action = 'case.approved'"
        )
        .await
            - count(
                &crew.pool,
                "SELECT count(*) FROM reviews WHERE outcome = 'approved'"
            )
            .await,
        0,
        "every approval in the history is one review"
    );
}
