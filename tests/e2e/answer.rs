//! The main flow, one scenario for each part, each done by the people whose job
//! it is: registration, the draft and its review, the meeting and the dispatch,
//! and the public diarium.

use sqlx::PgPool;

use crate::harness::E2e;
use crate::steps::{self, Stage, TITLE};

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_registrar_registers_a_remiss_with_two_respondents(pool: PgPool) {
    let mut e2e = E2e::start(pool).await;
    let b = e2e.browser("registrator").await;
    b.log_in("registrator").await;

    b.follow("Remisser").await;
    assert_eq!(b.heading().await, "Remisser");
    b.screenshot("04-remiss-list").await;
    b.follow("Registrera remiss").await;
    b.screenshot("05-registration-form").await;
    b.follow("Start").await;

    let registered = steps::register(&b, TITLE).await;
    b.sees(steps::SENDER).await;
    b.sees(steps::SENDER_DNR).await;
    b.sees(steps::DESCRIPTION).await;
    b.sees(&steps::dates().deadline).await;
    b.sees("Öppen").await;
    let states = b
        .texts_at("//main//table//td[3]/span[contains(@class,'status')]")
        .await;
    assert_eq!(
        states,
        ["Registrerat", "Registrerat"],
        "one new case for each respondent"
    );
    b.screenshot("06-remiss-page").await;

    // The new remiss heads the list, with its two respondents.
    b.follow("Remisser").await;
    let first = b.text_at("//main//table/tbody/tr[1]").await;
    assert!(
        first.contains(TITLE) && first.contains("0 av 2"),
        "the new remiss first, with none of two answered: {first}"
    );

    // Each respondent's case has its own diarienummer and page.
    b.follow(TITLE).await;
    b.follow(&registered.sn).await;
    assert_eq!(
        b.heading().await,
        format!("{} {TITLE}", registered.sn),
        "Socialnämnden's case"
    );
    b.sees("Socialnämnden (Socialförvaltningen)").await;
    b.log_out().await;
    e2e.finish().await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_draft_is_written_submitted_returned_revised_and_approved(pool: PgPool) {
    let mut e2e = E2e::start(pool).await;
    let mut b = e2e.browser("the answering administration").await;
    let registered = steps::set_stage(&mut b, Stage::Registered).await;
    let dnr = &registered.amn;

    b.log_in("granskare").await;
    steps::assign(&b, dnr).await;
    b.screenshot("07-case-page").await;
    b.log_out().await;

    b.log_in("handlaggare").await;
    steps::write_draft(&b, dnr).await;
    b.screenshot("08-editor").await;
    steps::submit(&b).await;
    b.log_out().await;

    b.log_in("granskare").await;
    steps::return_draft(&b, dnr).await;
    b.log_out().await;

    b.log_in("handlaggare").await;
    b.sees("Återsänt från granskning").await;
    steps::revise(&b, dnr).await;
    b.log_out().await;

    b.log_in("granskare").await;
    b.follow(dnr).await;
    b.follow("Granska och godkänn eller återsänd").await;
    b.screenshot("09-review-page").await;
    b.follow("Start").await;
    steps::approve(&b, dnr).await;
    b.sees("Karin Eriksson-Bech godkände version 3").await;
    b.log_out().await;

    // The officer reads the approved tjänsteutlåtande as it will be printed.
    b.log_in("handlaggare").await;
    b.open("/").await;
    b.follow("Remisser").await;
    b.follow(TITLE).await;
    b.follow(dnr).await;
    assert_eq!(b.case_status().await, "Godkänt");
    b.follow("Utskrift av tjänsteutlåtandet").await;
    b.sees(steps::SUMMARY).await;
    b.sees(steps::ADDED).await;
    b.sees("Karina Uddén").await;
    b.screenshot("10-tjansteutlatande-print").await;
    b.follow("Tillbaka till ärendet").await;
    b.log_out().await;
    e2e.finish().await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_secretary_plans_the_meeting_records_the_decision_adjusts_and_dispatches(pool: PgPool) {
    let mut e2e = E2e::start(pool).await;
    let mut b = e2e.browser("sekreterare").await;
    let registered = steps::set_stage(&mut b, Stage::Approved).await;
    let dnr = &registered.amn;

    b.log_in("sekreterare").await;
    steps::plan_meeting(&b).await;
    steps::place(&b, dnr).await;
    b.screenshot("11-meeting-page").await;
    steps::decide(&b, dnr).await;
    steps::adjust(&b).await;
    steps::dispatch(&b, dnr).await;

    // The yttrande as sent: the decision, the reservation, the report attached.
    b.follow("Yttrandet").await;
    b.sees("Arbetsmarknadsnämndens beslut").await;
    b.sees("Cecilia Ceder (V) reserverade sig mot beslutet")
        .await;
    b.sees(steps::ADDED).await;
    b.screenshot("12-yttrande").await;
    b.follow("Tillbaka till ärendet").await;

    // The remiss shows the answered case beside Socialnämnden's open one.
    b.follow(TITLE).await;
    let states = b
        .texts_at("//main//table//td[3]/span[contains(@class,'status')]")
        .await;
    assert_eq!(states, ["Besvarat", "Registrerat"]);
    b.log_out().await;
    e2e.finish().await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn anyone_finds_the_answered_remiss_and_its_yttrande_in_the_public_diarium(pool: PgPool) {
    let mut e2e = E2e::start(pool).await;
    let mut b = e2e.browser("a member of the public").await;
    let registered = steps::set_stage(&mut b, Stage::Answered).await;

    // Logged out, from the login page's footer.
    steps::read_in_diarium(&b, &registered, true).await;
    e2e.finish().await;
}
