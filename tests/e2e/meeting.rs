//! The meeting as the secretary holds it: a year planned at once, a paragraph
//! with a yrkande, a vote and a reservation, the justering, and its notice on
//! the public anslagstavla.

use sqlx::PgPool;

use crate::harness::E2e;
use crate::steps::{self, Stage};

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_secretary_plans_a_year_holds_a_vote_adjusts_and_the_notice_is_on_the_board(
    pool: PgPool,
) {
    let mut e2e = E2e::start(pool).await;
    let mut b = e2e.browser("sekreterare").await;
    let registered = steps::set_stage(&mut b, Stage::Approved).await;
    let dnr = &registered.amn;
    let dates = steps::dates();

    b.log_in("sekreterare").await;
    b.follow("Sammanträden").await;
    b.follow("Planera ett helt års sammanträden på en gång")
        .await;
    b.choose("Nämnd", "Arbetsmarknadsnämnden").await;
    b.fill("Datum", &format!("{} {}", dates.meeting, dates.deadline))
        .await;
    b.fill("Tid", "13:00").await;
    b.fill("Plats", steps::PLACE).await;
    b.press("Planera sammanträdena").await;
    b.sees(&format!("{} 13:00", dates.deadline)).await;
    b.follow(&format!("{} 13:00", dates.meeting)).await;
    steps::place(&b, dnr).await;

    let motions = "//fieldset[legend[normalize-space()='Yrkanden']]";
    b.fill_within(motions, "Ledamot", "Cecilia Ceder").await;
    b.fill_within(motions, "Parti", "V").await;
    b.fill_within(motions, "Yrkandet", "Avslag på förslaget.")
        .await;
    b.fill(
        "Beslutsgång",
        "Ordföranden ställer förslaget mot avslagsyrkandet. Votering begärs.",
    )
    .await;
    let votes = "//fieldset[legend[normalize-space()='Votering (öppen omröstning)']]";
    b.fill_within(votes, "Ledamot", "Cecilia Ceder").await;
    b.choose("Röst", "Nej").await;
    steps::decide(&b, dnr).await;

    b.follow("Protokoll").await;
    b.sees("Omröstningen utföll med 0 ja-röster, 1 nej-röster och 0 som avstod.")
        .await;
    b.sees("Cecilia Ceder (V) reserverar sig mot beslutet")
        .await;
    b.follow("Tillbaka till ärendet").await;
    steps::adjust(&b).await;
    b.log_out().await;

    b.follow("Anslagstavla").await;
    let heading = format!(
        "Protokoll från Arbetsmarknadsnämndens sammanträde {}",
        dates.meeting
    );
    b.sees(&heading).await;
    b.follow(&heading).await;
    b.sees(dnr).await;
    b.sees("Bifall till förslaget").await;
    b.sees("Protokollet förvaras hos Arbetsmarknadsförvaltningen.")
        .await;
    e2e.finish().await;
}
