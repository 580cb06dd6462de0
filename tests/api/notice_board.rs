//! The anslagstavla through the real router: public, its notices on the board
//! from posting until the appeal period has run out and in the archive after,
//! its feed, and nothing of a secret remiss's content.

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::TestApp;

const REFERENCE: &str = "Stockholms stads trygghetsprogram 2020-2023";

/// The demo's reference protocol (AMN, meeting 2020-03-17, adjusted 2020-03-20)
/// seen on `day` at noon.
async fn on(pool: PgPool, year: i32, month: u32, day: u32) -> TestApp {
    let now = Utc.with_ymd_and_hms(year, month, day, 11, 0, 0).unwrap();
    TestApp::with_demo_on(pool, now).await
}

async fn reference_notice(app: &TestApp) -> Uuid {
    sqlx::query_scalar(
        "SELECT n.id FROM notices n JOIN meetings m ON m.id = n.meeting_id
         WHERE m.adjusted_on = DATE '2020-03-20'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_justering_is_on_the_board_for_the_appeal_period_then_in_the_archive(pool: PgPool) {
    let app = on(pool, 2020, 4, 10).await;
    let notice = reference_notice(&app).await;
    let mut visitor = app.browser();
    let board = visitor.get("/anslagstavla").await;
    assert_eq!(board.status, StatusCode::OK, "no login");
    board.assert_contains("Protokoll från Arbetsmarknadsnämndens sammanträde 2020-03-17");
    // Posted on the day of justering, Friday 20 March 2020: three weeks run to
    // Friday 10 April, långfredagen, then past Easter to Tuesday 14 April.
    for date in ["2020-03-20", "2020-04-14", "2020-04-15"] {
        board.assert_contains(date);
    }
    board.assert_contains(&format!("href=\"/anslagstavla/{notice}\""));
    let page = visitor.get(&format!("/anslagstavla/{notice}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Protokollet förvaras hos Arbetsmarknadsförvaltningen.");
    page.assert_contains(REFERENCE);
    page.assert_contains("§ 1");
    page.assert_contains("Bifall till förslaget");
    let feed = visitor.get("/anslagstavla/atom").await;
    assert_eq!(
        feed.headers["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    assert!(
        feed.body.contains(&format!("urn:uuid:{notice}")),
        "{}",
        feed.body
    );
    assert!(feed.body.contains("Sista dag att överklaga 2020-04-14"));

    // The day after the last day to appeal, the notice is in the archive.
    let app = TestApp::with_state(app.pool.clone(), {
        let mut state = remiss::web::AppState::new(app.pool.clone(), Default::default());
        state.ctx.clock =
            remiss::app::Clock::Fixed(Utc.with_ymd_and_hms(2020, 4, 15, 11, 0, 0).unwrap());
        state
    });
    let mut visitor = app.browser();
    let board = visitor.get("/anslagstavla").await;
    board.assert_lacks(&format!("/anslagstavla/{notice}"));
    board.assert_contains("Inga tillkännagivanden är anslagna i dag (2020-04-15).");
    let feed = visitor.get("/anslagstavla/atom").await;
    assert!(!feed.body.contains(&notice.to_string()));
    let archive = visitor.get("/anslagstavla/arkiv").await;
    archive.assert_contains(&format!("href=\"/anslagstavla/{notice}\""));
    let page = visitor.get(&format!("/anslagstavla/{notice}")).await;
    page.assert_contains("Tillkännagivandet togs ned 2020-04-15");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_notice_is_public_only_from_its_posting_day(pool: PgPool) {
    let app = on(pool, 2020, 3, 19).await;
    let notice = reference_notice(&app).await;
    let mut visitor = app.browser();
    visitor
        .get("/anslagstavla")
        .await
        .assert_lacks(&notice.to_string());
    let page = visitor.get(&format!("/anslagstavla/{notice}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn nothing_of_a_secret_remiss_and_no_personnummer_reach_the_board(pool: PgPool) {
    let app = on(pool, 2020, 4, 1).await;
    let notice = reference_notice(&app).await;
    let mut visitor = app.browser();
    sqlx::query(
        "UPDATE decisions SET outcome = 'amended',
                decision_text = 'Nämnden beslutar enligt yrkandet om 811218-9876.'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let page = visitor.get(&format!("/anslagstavla/{notice}")).await;
    page.assert_lacks("811218-9876");
    page.assert_contains("Nämnden beslutar enligt yrkandet om");

    sqlx::query("UPDATE referrals SET secret = true, secrecy_provision = 'OSL 21 kap. 1 §'")
        .execute(&app.pool)
        .await
        .unwrap();
    for path in [
        format!("/anslagstavla/{notice}"),
        "/anslagstavla".to_string(),
        "/anslagstavla/atom".to_string(),
    ] {
        let response = visitor.get(&path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        for secret in [
            REFERENCE,
            "trygghetsprogram",
            "Nämnden beslutar enligt yrkandet",
        ] {
            response.assert_lacks(secret);
        }
    }
    let page = visitor.get(&format!("/anslagstavla/{notice}")).await;
    page.assert_contains("Sekretessmarkerat ärende");
    page.assert_contains("AMN 2020/");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_decided_case_says_when_it_becomes_final_at_the_earliest(pool: PgPool) {
    let app = on(pool, 2020, 4, 1).await;
    let case: Uuid = sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN referrals r ON r.id = c.referral_id
         WHERE r.title = $1 AND c.dnr_prefix = 'AMN'",
    )
    .bind(REFERENCE)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let expected = "Beslutet vinner laga kraft tidigast 2020-04-15 om det inte överklagas (överklagandetiden löper ut 2020-04-14).";
    app.browser()
        .get(&format!("/diarium/{case}"))
        .await
        .assert_contains(expected);
    app.signed_in("handlaggare")
        .await
        .get(&format!("/arenden/{case}"))
        .await
        .assert_contains(expected);
}
