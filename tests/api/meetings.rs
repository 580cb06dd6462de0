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

/// The meeting of 16 February 2027, held, with the app's today on 17 March: a
/// case of the demo's AMN on its agenda.
struct Held {
    app: crate::helpers::TestApp,
    case: uuid::Uuid,
    crew: Crew,
    meeting: uuid::Uuid,
    /// The case's agenda item.
    item: String,
}

async fn held(pool: PgPool) -> Held {
    let app = after_the_meeting(pool).await;
    let case = register(&app, TITLE, &["AMN"]).await;
    let mut crew = Crew::new(&app).await;
    let meeting = crew.plan_meeting(&app, MEETING_DAY).await;
    let item = on_agenda(&app, &mut crew, case, meeting).await;
    Held {
        app,
        case,
        crew,
        meeting,
        item,
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_meeting_with_a_vote_and_a_reservation_is_printed_adjusted_and_announced(pool: PgPool) {
    let Held {
        app,
        mut crew,
        meeting,
        item,
        ..
    } = held(pool).await;

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
async fn the_case_page_and_its_history_show_outsiders_a_decision_only_once_it_is_adjusted(
    pool: PgPool,
) {
    let Held {
        app,
        case,
        mut crew,
        meeting,
        item,
    } = held(pool).await;
    let reason = "Underlaget om kompetensförsörjningen behöver kompletteras.";
    let fields = decision(&item, "referred_back", &[("reason", reason)]);
    redirected(&crew.decide(meeting, &fields).await, "återremiss");
    let mut outsider = app.signed_in("handlaggare.sn").await;
    let page = outsider.get(&format!("/arenden/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_lacks(reason);
    page.assert_lacks("<strong>Återremiss</strong>");
    // The history says that § 1 was recorded, not how it went.
    page.assert_lacks("protokollförde beslutet § 1: återremiss");
    page.assert_contains(
        "protokollförde beslutet § 1 (beslutet visas när protokollet är justerat)",
    );
    let inside = crew.secretary.get(&format!("/arenden/{case}")).await;
    inside.assert_contains(reason);
    inside.assert_contains("protokollförde beslutet § 1: återremiss");

    redirected(&crew.adjust(meeting).await, "justering");
    let page = outsider.get(&format!("/arenden/{case}")).await;
    page.assert_contains("<strong>Återremiss</strong>");
    page.assert_contains(reason);
    page.assert_contains("protokollförde beslutet § 1: återremiss");
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

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_justering_after_the_fourteen_days_is_warned_of_and_recorded_late(pool: PgPool) {
    // The meeting on Tuesday 16 February 2027; this app's today is 17 March, so
    // the last day of justering (Tuesday 2 March) has passed.
    let Held {
        app,
        mut crew,
        meeting,
        item,
        ..
    } = held(pool).await;
    redirected(
        &crew.decide(meeting, &decision(&item, "adopted", &[])).await,
        "decision",
    );
    let page = crew
        .secretary
        .get(&format!("/sammantraden/{meeting}"))
        .await;
    page.assert_contains("Fristen för justering gick ut 2027-03-02");
    page.assert_contains("noteras som försenad");

    // Late, but valid: the justering goes through, and the page and the
    // history say it was late.
    redirected(
        &crew
            .secretary
            .post(
                &format!("/sammantraden/{meeting}/justering"),
                &[
                    ("adjusted_on", "2027-03-17"),
                    ("adjusted_by", "Ordföranden"),
                ],
            )
            .await,
        "late justering",
    );
    let page = crew
        .secretary
        .get(&format!("/sammantraden/{meeting}"))
        .await;
    page.assert_contains("Justerat 2027-03-17");
    page.assert_contains("Protokollet justerades efter fristen, som gick ut 2027-03-02");
    let missed: Option<String> = sqlx::query_scalar(
        "SELECT after->>'missed_deadline' FROM audit_events WHERE action = 'meeting.adjusted' AND entity_id = $1",
    )
    .bind(meeting)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(missed.as_deref(), Some("2027-03-02"));
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_justering_within_the_fourteen_days_is_not_marked_late(pool: PgPool) {
    let Held {
        mut crew,
        meeting,
        item,
        ..
    } = held(pool).await;
    redirected(
        &crew.decide(meeting, &decision(&item, "adopted", &[])).await,
        "decision",
    );
    redirected(&crew.adjust(meeting).await, "justering on 18 February");
    let page = crew
        .secretary
        .get(&format!("/sammantraden/{meeting}"))
        .await;
    page.assert_contains("Justerat 2027-02-18");
    page.assert_lacks("efter fristen");
    page.assert_lacks("Fristen för justering");
}

/// Anna Andersson (S, chair), Bertil Berg (M, justerare) and Cecilia Ceder (V)
/// on AMN's roster, present at `meeting`; Anna and Bertil with an address.
async fn roster_present_at(app: &crate::helpers::TestApp, crew: &mut Crew, meeting: uuid::Uuid) {
    let amn = app.organ_id("AMN").await;
    let roster = format!("/sammantraden/ledamoter/{amn}");
    for (name, party, email) in [
        ("Anna Andersson", "S", "anna.andersson@example.se"),
        ("Bertil Berg", "M", "bertil.berg@example.se"),
        ("Cecilia Ceder", "V", ""),
    ] {
        redirected(
            &crew
                .secretary
                .post_from(
                    &roster,
                    &roster,
                    &[("name", name), ("party", party), ("email", email)],
                )
                .await,
            "adding a member",
        );
    }
    let ids: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM organ_members ORDER BY name")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let [anna, bertil, cecilia] = [0, 1, 2].map(|i| ids[i].to_string());
    redirected(
        &crew
            .secretary
            .post(
                &format!("/sammantraden/{meeting}/narvaro"),
                &[
                    ("present", &anna),
                    ("present", &bertil),
                    ("present", &cecilia),
                    ("chair", &anna),
                    ("adjusters", &bertil),
                ],
            )
            .await,
        "attendance",
    );
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_whole_protocol_is_a_pdf_with_every_paragraph_and_the_justerandes_signatures(
    pool: PgPool,
) {
    let Held {
        app,
        mut crew,
        meeting,
        item,
        ..
    } = held(pool).await;
    roster_present_at(&app, &mut crew, meeting).await;
    let fields = decision(
        &item,
        "adopted",
        &[
            ("motion_member", "Cecilia Ceder"),
            ("motion_party", "V"),
            ("motion_text", "Avslag på förvaltningens förslag."),
            (
                "procedure",
                "Ordföranden ställer förslagen mot varandra. Votering begärs.",
            ),
            ("vote_member", "Anna Andersson"),
            ("vote_choice", "ja"),
            ("vote_member", "Cecilia Ceder"),
            ("vote_choice", "nej"),
            ("reservation_member", "Cecilia Ceder"),
            ("reservation_party", "V"),
            // A personnummer in the text never reaches the document.
            (
                "reservation_text",
                "Till förmån för eget yrkande, se 19121212-1212.",
            ),
            ("absent_member", "Bertil Berg (M)"),
            ("absent_reason", "jav"),
        ],
    );
    redirected(&crew.decide(meeting, &fields).await, "decision");

    let print = crew
        .secretary
        .get(&format!("/sammantraden/{meeting}/protokoll"))
        .await;
    print.assert_contains(&format!("href=\"/sammantraden/{meeting}/protokoll.pdf\""));
    let path = format!("/sammantraden/{meeting}/protokoll.pdf");
    let pdf = crew.secretary.get(&path).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert_valid_pdf(&pdf.bytes, "the protocol");
    let text = pdf_text(&pdf.bytes);
    for expected in [
        "Protokoll från Arbetsmarknadsnämndens sammanträde 2027-02-16 13:00",
        "Protokollet är ännu inte justerat.",
        "Anna Andersson (S), ordförande",
        "Ordförande: Anna Andersson",
        "Utsedda att justera: Bertil Berg",
        "§ 1",
        TITLE,
        "Deltar inte i beslutet: Bertil Berg (M) (jäv)",
        "Yrkanden",
        "Cecilia Ceder (V) yrkar: Avslag på förvaltningens förslag.",
        "Beslutsgång",
        "Votering",
        "Omröstningen utföll med 1 ja-röster, 1 nej-röster",
        PROPOSAL,
        "Cecilia Ceder (V) reserverar sig mot beslutet",
        "Justerandes signatur",
        "Datum för justering",
    ] {
        assert!(text.contains(expected), "{expected} missing in {text}");
    }
    assert!(!text.contains("19121212-1212"), "{text}");
    // The open vote: who voted how (pdftotext reads the table column by column),
    // and the masked personnummer.
    assert!(
        text.contains("Votering Ledamot Anna Andersson Cecilia Ceder Röst Ja Nej"),
        "{text}"
    );
    assert!(text.contains("se [personnummer dolt]."), "{text}");
    // A signature line for the chair and each justerare.
    assert!(
        text.contains("Justerandes signatur Anna Andersson"),
        "{text}"
    );
    assert!(text.contains("Justerandes signatur Bertil Berg"), "{text}");
    // Working material of the organ, as the print view.
    let outsider = app.signed_in("handlaggare.sn").await.get(&path).await;
    assert_eq!(outsider.status, StatusCode::FORBIDDEN);

    redirected(&crew.adjust(meeting).await, "justering");
    let text = pdf_text(&crew.secretary.get(&path).await.bytes);
    assert!(text.contains("Protokollet justerades 2027-02-18"), "{text}");
    assert!(!text.contains("ännu inte justerat"), "{text}");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_member_who_took_no_part_in_a_paragraph_is_shown_in_it(pool: PgPool) {
    let Held {
        app,
        mut crew,
        meeting,
        item,
        ..
    } = held(pool).await;
    roster_present_at(&app, &mut crew, meeting).await;

    // Only someone present can leave or be disqualified.
    let absent = |member| {
        decision(
            &item,
            "adopted",
            &[("absent_member", member), ("absent_reason", "lamnade")],
        )
    };
    let refused = crew.decide(meeting, &absent("David Dahl")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("David Dahl finns inte bland de närvarande vid sammanträdet.");
    refused.assert_contains("value=\"David Dahl\"");

    redirected(
        &crew.decide(meeting, &absent("Cecilia Ceder (V)")).await,
        "decision",
    );
    let protocol = crew
        .secretary
        .get(&format!("/sammantraden/{meeting}/protokoll"))
        .await;
    protocol.assert_contains("Deltar inte i beslutet: Cecilia Ceder (V) (lämnade sammanträdet).");
    // The correction form offers it back.
    let correction = crew
        .secretary
        .get(&format!("/sammantraden/{meeting}/beslut/{item}"))
        .await;
    correction.assert_contains("value=\"Cecilia Ceder (V)\"");
    correction.assert_contains("<option value=\"lamnade\" selected>");
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_secretary_sends_the_kallelse_and_the_page_says_to_whom_and_when(pool: PgPool) {
    let Held {
        app,
        mut crew,
        meeting,
        ..
    } = held(pool).await;
    let amn = app.organ_id("AMN").await;
    let roster = format!("/sammantraden/ledamoter/{amn}");
    let refused = crew
        .secretary
        .post_from(
            &roster,
            &roster,
            &[("name", "Anna Andersson"), ("email", "anna.andersson")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Ange en e-postadress som namn@exempel.se.");
    refused.assert_contains("value=\"anna.andersson\"");
    roster_present_at(&app, &mut crew, meeting).await;
    crew.secretary
        .get(&roster)
        .await
        .assert_contains("anna.andersson@example.se");

    let page = format!("/sammantraden/{meeting}");
    crew.secretary
        .get(&page)
        .await
        .assert_contains("Kallelsen har inte skickats till ledamöterna.");
    redirected(
        &crew
            .secretary
            .post_from(&page, &format!("{page}/skicka-kallelse"), &[])
            .await,
        "sending the kallelse",
    );
    let shown = crew.secretary.get(&page).await;
    shown.assert_contains("Kallelsen skickades 2027-03-17 10:00 av");
    shown.assert_contains(
        "Anna Andersson (S) &#60;anna.andersson@example.se&#62;, Bertil Berg (M) &#60;bertil.berg@example.se&#62;.",
    );
    shown.assert_contains("Utan e-postadress, fick ingen kallelse: Cecilia Ceder (V).");
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE kind = 'agenda'")
            .await,
        2
    );
    // Nothing changed: not again.
    let again = crew
        .secretary
        .post_from(&page, &format!("{page}/skicka-kallelse"), &[])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    again.assert_contains("Kallelsen är redan skickad");
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE kind = 'agenda'")
            .await,
        2
    );
}
