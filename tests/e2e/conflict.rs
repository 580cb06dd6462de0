//! Two browser sessions editing the same thing: the later save meets the conflict
//! page, which shows both versions, overwrites nothing and keeps what was typed.

use sqlx::PgPool;

use crate::harness::E2e;
use crate::steps::{self, Stage};

const MINE: &str = "Synpunkterna som skrevs på kontoret.";
const THEIRS: &str = "Synpunkterna som skrevs hemma på kvällen.";
const CONSIDERATIONS_LABEL: &str = "Arbetsmarknadsförvaltningens synpunkter och förslag";

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_draft_saved_in_another_session_meanwhile_shows_the_conflict_and_overwrites_nothing(
    pool: PgPool,
) {
    let mut e2e = E2e::start(pool).await;
    let mut office = e2e.browser("handläggaren på kontoret").await;
    let registered = steps::set_stage(&mut office, Stage::Drafting).await;
    let dnr = &registered.amn;
    let home = e2e.browser("handläggaren hemma").await;

    // The officer opens the draft in both browsers.
    for b in [&office, &home] {
        b.log_in("handlaggare").await;
        b.follow(dnr).await;
        b.follow("Redigera utkastet").await;
    }

    office.fill(CONSIDERATIONS_LABEL, MINE).await;
    office.press("Spara utkastet").await;
    office.sees("Utkastet är sparat som version 2.").await;

    home.fill(CONSIDERATIONS_LABEL, THEIRS).await;
    home.press("Spara utkastet").await;
    home.sees("Någon annan har sparat utkastet medan du skrev")
        .await;
    let row = home
        .text_at("//main//table[contains(@class,'compare')]//tr[contains(@class,'differs')]")
        .await;
    assert!(
        row.contains(MINE) && row.contains(THEIRS),
        "the conflict shows both texts side by side: {row}"
    );
    assert_eq!(
        home.value_of(CONSIDERATIONS_LABEL).await,
        THEIRS,
        "what was typed at home is still in the form"
    );
    home.screenshot("08-editor-conflict").await;

    // Nothing was overwritten: the office's text is version 2.
    office.follow("Till ärendet").await;
    office.follow("Redigera utkastet").await;
    assert_eq!(office.value_of(CONSIDERATIONS_LABEL).await, MINE);

    // Saving again from the conflict page is a choice made knowingly.
    home.press("Spara utkastet").await;
    home.sees("Utkastet är sparat som version 3.").await;
    assert_eq!(home.value_of(CONSIDERATIONS_LABEL).await, THEIRS);
    e2e.finish().await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_remiss_corrected_in_another_session_meanwhile_shows_the_conflict(pool: PgPool) {
    let mut e2e = E2e::start(pool).await;
    let mut first = e2e.browser("registratorn vid skrivbordet").await;
    let registered = steps::set_stage(&mut first, Stage::Registered).await;
    let second = e2e.browser("registratorn i receptionen").await;

    for b in [&first, &second] {
        b.log_in("registrator").await;
        b.follow("Remisser").await;
        b.follow(&registered.title).await;
        b.follow("Rätta remissens uppgifter").await;
        assert_eq!(b.value_of("Ärendemening").await, registered.title);
    }

    first.fill("Ärendemening", "Första rättelsen").await;
    first.press("Spara rättelsen").await;
    assert_eq!(first.heading().await, "Första rättelsen");

    second.fill("Ärendemening", "Andra rättelsen").await;
    second.press("Spara rättelsen").await;
    second
        .sees("Någon annan har ändrat remissen medan du redigerade")
        .await;
    let row = second
        .text_at("//main//table[contains(@class,'compare')]//tr[contains(@class,'differs')]")
        .await;
    assert!(
        row.contains("Första rättelsen") && row.contains("Andra rättelsen"),
        "both titles side by side: {row}"
    );
    assert_eq!(second.value_of("Ärendemening").await, "Andra rättelsen");
    second.screenshot("06-remiss-correction-conflict").await;

    second.press("Spara rättelsen").await;
    assert_eq!(second.heading().await, "Andra rättelsen");
    second.sees("rättade remissens uppgifter").await;
    e2e.finish().await;
}
