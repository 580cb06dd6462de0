//! The print views read by users of other organs: masked as the public diarium
//! masks, and the decision only once it is public (the minutes adjusted).

use axum::http::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::TestApp;

/// A personnummer with a valid check digit.
const PERSONNUMMER: &str = "811218-9876";

/// The demo's answered reference case of Arbetsmarknadsnämnden and its decision.
async fn reference_case(app: &TestApp) -> (Uuid, Uuid) {
    sqlx::query_as(
        "SELECT c.id, d.id FROM cases c JOIN organs o ON o.id = c.organ_id
         JOIN decisions d ON d.case_id = c.id
         WHERE o.diarium_prefix = 'AMN' AND c.state = 'answered' LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn execute(app: &TestApp, sql: &str, case: Uuid) {
    sqlx::query(sql)
        .bind(case)
        .execute(&app.pool)
        .await
        .unwrap();
}

/// Puts the personnummer in the decided report, the decision and a reservation.
async fn write_personnummer_into(app: &TestApp, case: Uuid) {
    execute(
        app,
        &format!(
            "UPDATE report_revisions SET considerations = considerations || ' Gäller {PERSONNUMMER}.'
             WHERE id = (SELECT revision_id FROM decisions WHERE case_id = $1)"
        ),
        case,
    )
    .await;
    execute(
        app,
        &format!(
            r#"UPDATE decisions SET attendance = attendance || ' Anmäld: {PERSONNUMMER}.',
                   reservations = '[{{"member": "Anna Andersson", "party": "V", "text": "Se {PERSONNUMMER}."}}]'
               WHERE case_id = $1"#
        ),
        case,
    )
    .await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn another_organs_user_reads_the_print_views_with_personnummer_masked(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let (case, decision) = reference_case(&app).await;
    write_personnummer_into(&app, case).await;
    let views = [
        format!("/arenden/{case}/tjansteutlatande"),
        format!("/arenden/{case}/yttrande"),
        format!("/arenden/{case}/protokollsutdrag/{decision}"),
    ];

    let mut outsider = app.signed_in("handlaggare.sn").await;
    for view in &views {
        let page = outsider.get(view).await;
        assert_eq!(page.status, StatusCode::OK, "{view}");
        page.assert_lacks(PERSONNUMMER);
        page.assert_contains("[personnummer dolt]");
    }
    // The case's own organ works with the text as written.
    let mut insider = app.signed_in("handlaggare").await;
    for view in &views[..2] {
        insider.get(view).await.assert_contains(PERSONNUMMER);
    }
    // As does the public diarium's yttrande: masked.
    let public = app
        .browser()
        .get(&format!("/diarium/{case}/yttrande"))
        .await;
    public.assert_lacks(PERSONNUMMER);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn outsiders_read_no_decision_before_the_minutes_are_adjusted(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let (case, decision) = reference_case(&app).await;
    let unadjust = "UPDATE meetings SET adjusted_on = NULL, adjusted_by = NULL
                    WHERE id = (SELECT meeting_id FROM agenda_items WHERE case_id = $1 LIMIT 1)";
    execute(&app, unadjust, case).await;
    let views = [
        format!("/arenden/{case}/yttrande"),
        format!("/arenden/{case}/protokollsutdrag/{decision}"),
        format!("/arenden/{case}/tjansteutlatande"),
    ];
    let mut outsider = app.signed_in("handlaggare.sn").await;
    for view in &views {
        let page = outsider.get(view).await;
        assert_eq!(
            page.status,
            StatusCode::FORBIDDEN,
            "{view} before justering"
        );
        page.assert_contains("Du saknar behörighet");
    }
    let mut insider = app.signed_in("sekreterare").await;
    for view in &views {
        assert_eq!(insider.get(view).await.status, StatusCode::OK, "{view}");
    }

    execute(
        &app,
        "UPDATE meetings SET adjusted_on = DATE '2020-03-20', adjusted_by = 'Ordföranden'
         WHERE id = (SELECT meeting_id FROM agenda_items WHERE case_id = $1 LIMIT 1)",
        case,
    )
    .await;
    for view in &views {
        assert_eq!(
            outsider.get(view).await.status,
            StatusCode::OK,
            "{view} after justering"
        );
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_meeting_dated_year_0_is_refused_with_a_swedish_message(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let amn = app.organ_id("AMN").await;
    let mut secretary = app.signed_in("sekreterare").await;
    let before = app.count("SELECT count(*) FROM meetings").await;
    let response = secretary
        .post_from(
            "/sammantraden",
            "/sammantraden",
            &[
                ("organ", &amn),
                ("date", "0000-04-21"),
                ("time", "13:00"),
                ("place", "Stadshuset"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    response.assert_contains("Ange ett datum mellan år 2000 och 2099");
    response.assert_contains(r#"value="0000-04-21""#);
    assert_eq!(app.count("SELECT count(*) FROM meetings").await, before);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn another_organs_user_finds_the_case_with_the_personnummer_masked_in_its_snippet(
    pool: PgPool,
) {
    let app = TestApp::with_demo(pool).await;
    let (case, _) = reference_case(&app).await;
    execute(
        &app,
        &format!(
            "UPDATE report_revisions SET considerations = 'Trygghetsvandringen gäller {PERSONNUMMER}. ' || considerations
             WHERE case_id = $1 AND number = (SELECT max(number) FROM report_revisions WHERE case_id = $1)"
        ),
        case,
    )
    .await;
    let mut conn = app.pool.acquire().await.unwrap();
    remiss::db::reports::refresh_search(&mut conn, case)
        .await
        .unwrap();
    drop(conn);
    let search = "/sok?q=trygghetsvandringen";

    let mut outsider = app.signed_in("handlaggare.sn").await;
    let page = outsider.get(search).await;
    page.assert_contains(&format!("/arenden/{case}"));
    page.assert_lacks(PERSONNUMMER);
    page.assert_contains("[personnummer dolt]");

    let mut insider = app.signed_in("handlaggare").await;
    insider.get(search).await.assert_contains(PERSONNUMMER);
}
