//! The meeting's documents through the real router: the kallelse with its
//! föredragningslista, and the whole protocol with yrkanden, beslutsgång, an
//! open vote and a reservation; then the justering and its notice on the board.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::document_files::{assert_valid_pdf, pdf_text};
use crate::workflow::{
    Crew, MEETING_DAY, PROPOSAL, TITLE, after_the_meeting, decision, on_agenda, redirected,
    register,
};

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_meeting_with_a_vote_and_a_reservation_is_printed_adjusted_and_announced(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    let case = register(&app, TITLE, &["AMN"]).await;
    let mut crew = Crew::new(&app).await;
    let meeting = crew.plan_meeting(&app, MEETING_DAY).await;
    let item = on_agenda(&app, &mut crew, case, meeting).await;

    let agenda = crew
        .secretary
        .get(&format!("/sammantraden/{meeting}/kallelse"))
        .await;
    assert_eq!(agenda.status, StatusCode::OK);
    agenda.assert_contains("Kallelse till Arbetsmarknadsnämndens sammanträde 2027-02-16 13:00");
    agenda.assert_contains(TITLE);
    agenda.assert_contains("Dnr AMN 2027/");
    agenda.assert_contains(PROPOSAL);
    agenda.assert_contains("Handläggare Hanna Lindqvist");
    let pdf = crew
        .secretary
        .get(&format!("/sammantraden/{meeting}/kallelse.pdf"))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert_valid_pdf(&pdf.bytes, "the kallelse");
    let text = pdf_text(&pdf.bytes);
    assert!(text.contains("Föredragningslista"), "{text}");
    assert!(text.contains("Dnr AMN 2027/"), "{text}");
    // Working material of the organ until adjusted.
    let outsider = app
        .signed_in("handlaggare.sn")
        .await
        .get(&format!("/sammantraden/{meeting}/kallelse"))
        .await;
    assert_eq!(outsider.status, StatusCode::FORBIDDEN);

    let fields = decision(
        &item,
        "adopted",
        &[
            ("motion_member", "Cecilia Ceder"),
            ("motion_party", "V"),
            ("motion_text", "Avslag på förvaltningens förslag."),
            (
                "procedure",
                "Ordföranden ställer förvaltningens förslag mot avslagsyrkandet. Votering begärs och verkställs.",
            ),
            ("vote_member", "Anna Andersson"),
            ("vote_choice", "ja"),
            ("vote_member", "Bertil Berg"),
            ("vote_choice", "ja"),
            ("vote_member", "Cecilia Ceder"),
            ("vote_choice", "nej"),
            ("reservation_member", "Cecilia Ceder"),
            ("reservation_party", "V"),
            ("reservation_text", "Till förmån för eget yrkande."),
        ],
    );
    redirected(&crew.decide(meeting, &fields).await, "decision with a vote");

    let protocol = crew
        .secretary
        .get(&format!("/sammantraden/{meeting}/protokoll"))
        .await;
    assert_eq!(protocol.status, StatusCode::OK);
    for text in [
        "Protokoll från Arbetsmarknadsnämndens sammanträde 2027-02-16 13:00",
        "Protokollet är ännu inte justerat.",
        "§ 1",
        "Avslag på förvaltningens förslag.",
        "Votering begärs och verkställs.",
        "Omröstningen utföll med 2 ja-röster, 1 nej-röster och 0 som avstod. Ja-sidan har vunnit.",
        "reserverar sig mot beslutet",
        "Justerandes signatur",
        PROPOSAL,
    ] {
        protocol.assert_contains(text);
    }

    redirected(&crew.adjust(meeting).await, "justering");
    let protocol = crew
        .secretary
        .get(&format!("/sammantraden/{meeting}/protokoll"))
        .await;
    protocol.assert_contains("Protokollet justerades 2027-02-18");
    // Posted on Thursday 18 February: three weeks to Thursday 11 March, so on
    // this app's today (17 March) the notice is already in the board's archive.
    let archive = app.browser().get("/anslagstavla/arkiv").await;
    archive.assert_contains("Protokoll från Arbetsmarknadsnämndens sammanträde 2027-02-16");
    archive.assert_contains("2027-03-11");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_case_page_shows_outsiders_a_decision_only_once_it_is_adjusted(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    let case = register(&app, TITLE, &["AMN"]).await;
    let mut crew = Crew::new(&app).await;
    let meeting = crew.plan_meeting(&app, MEETING_DAY).await;
    let item = on_agenda(&app, &mut crew, case, meeting).await;
    let reason = "Underlaget om kompetensförsörjningen behöver kompletteras.";
    let fields = decision(&item, "referred_back", &[("reason", reason)]);
    redirected(&crew.decide(meeting, &fields).await, "återremiss");
    let mut outsider = app.signed_in("handlaggare.sn").await;
    let page = outsider.get(&format!("/arenden/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_lacks(reason);
    page.assert_lacks("<strong>Återremiss</strong>");
    crew.secretary
        .get(&format!("/arenden/{case}"))
        .await
        .assert_contains(reason);

    redirected(&crew.adjust(meeting).await, "justering");
    let page = outsider.get(&format!("/arenden/{case}")).await;
    page.assert_contains("<strong>Återremiss</strong>");
    page.assert_contains(reason);
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_secretary_keeps_the_roster_and_records_who_was_present(pool: PgPool) {
    let app = after_the_meeting(pool).await;
    let amn = app.organ_id("AMN").await;
    let mut crew = Crew::new(&app).await;
    let roster = format!("/sammantraden/ledamoter/{amn}");
    for (name, party) in [("Anna Andersson", "S"), ("Bertil Berg", "M")] {
        redirected(
            &crew
                .secretary
                .post_from(&roster, &roster, &[("name", name), ("party", party)])
                .await,
            "adding a member",
        );
    }
    let refused = crew
        .secretary
        .post_from(&roster, &roster, &[("name", " ")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Ange ledamotens namn.");
    let officer = app.signed_in("handlaggare").await.get(&roster).await;
    assert_eq!(officer.status, StatusCode::FORBIDDEN);

    let meeting = crew.plan_meeting(&app, MEETING_DAY).await;
    crew.record_attendance(&app, meeting).await;
    let protocol = crew
        .secretary
        .get(&format!("/sammantraden/{meeting}/protokoll"))
        .await;
    protocol.assert_contains("Anna Andersson (S), ordförande");
    protocol.assert_contains("Att justera protokollet: Anna Andersson och Bertil Berg.");
}
