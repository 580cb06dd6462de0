//! A form sent with errors: the summary at the top that links to each field, the
//! message at the field, and everything typed still there.

use sqlx::PgPool;

use crate::harness::{Browser, E2e};
use crate::steps;

/// The error summary's messages and the ids its links point at.
async fn error_summary(b: &Browser) -> Vec<(String, String)> {
    assert_eq!(
        b.text_at("//main//*[@role='alert']//h2").await,
        "Formuläret innehåller fel"
    );
    let mut entries = Vec::new();
    for link in b
        .client
        .find_all(fantoccini::Locator::XPath("//main//*[@role='alert']//li/a"))
        .await
        .expect("the summary's links")
    {
        let href = link.attr("href").await.unwrap().unwrap_or_default();
        let target = href
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("an in-page link: {href}"))
            .to_string();
        entries.push((link.text().await.unwrap(), target));
    }
    entries
}

/// Each summary entry leads to a field that says the same and is marked invalid.
async fn summary_matches_fields(b: &Browser, entries: &[(String, String)]) {
    for (message, target) in entries {
        let field = b.find_css(&format!("[id='{target}']")).await;
        let invalid = field.attr("aria-invalid").await.unwrap();
        let described = field.attr("aria-describedby").await.unwrap();
        assert!(
            invalid.as_deref() == Some("true") || described.is_some(),
            "#{target} is marked invalid or described by its error"
        );
        let at_field = b.text_at(&format!("//*[@id='{target}-error']")).await;
        assert!(
            at_field.ends_with(message.as_str()),
            "the message at #{target} ({at_field:?}) is the summary's ({message:?})"
        );
    }
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_form_sent_with_errors_shows_the_summary_and_keeps_the_input(pool: PgPool) {
    let mut e2e = E2e::start(pool).await;
    let b = e2e.browser("registrator").await;
    b.log_in("registrator").await;
    b.follow("Registrera remiss").await;

    // Forgets the title, the sender and the respondents, gives a deadline before
    // the day it came in, and marks it secret without the provision.
    b.fill("Avsändarens diarienummer", steps::SENDER_DNR).await;
    b.fill("Beskrivning", steps::DESCRIPTION).await;
    b.fill("Inkom", "2026-11-20").await;
    b.fill("Sista svarsdag", "2026-11-02").await;
    b.tick("Remissen innehåller uppgifter som omfattas av sekretess")
        .await;
    b.press("Registrera remissen").await;

    assert_eq!(b.heading().await, "Registrera remiss");
    let entries = error_summary(&b).await;
    let targets: Vec<&str> = entries.iter().map(|(_, t)| t.as_str()).collect();
    for expected in [
        "title",
        "sender_name",
        "deadline",
        "respondents",
        "secrecy_provision",
    ] {
        assert!(
            targets.contains(&expected),
            "the summary names {expected}: {entries:?}"
        );
    }
    summary_matches_fields(&b, &entries).await;
    b.sees("Sista svarsdag kan inte vara före datumet då remissen kom in.")
        .await;

    // What was typed is still there.
    assert_eq!(
        b.value_of("Avsändarens diarienummer").await,
        steps::SENDER_DNR
    );
    assert_eq!(b.value_of("Beskrivning").await, steps::DESCRIPTION);
    assert_eq!(b.value_of("Inkom").await, "2026-11-20");
    assert_eq!(b.value_of("Sista svarsdag").await, "2026-11-02");
    assert!(
        b.field("Remissen innehåller uppgifter som omfattas av sekretess")
            .await
            .is_selected()
            .await
            .unwrap(),
        "the secrecy mark is kept"
    );
    b.screenshot("05-registration-form-with-errors").await;

    // The summary's link takes the person to the field.
    let link = b.find_css("main [role='alert'] a[href='#title']").await;
    link.click().await.expect("follow the summary link");
    let focused = b.client.active_element().await.unwrap();
    assert_eq!(
        focused.attr("id").await.unwrap().as_deref(),
        Some("title"),
        "the link to the title puts the cursor in the title field"
    );

    // Corrected, it goes through.
    b.fill("Ärendemening", steps::TITLE).await;
    b.fill("Annan avsändare", steps::SENDER).await;
    b.fill("Sista svarsdag", "2027-01-29").await;
    b.tick("Utbildningsnämnden (UN)").await;
    b.fill("Sekretessbestämmelse", "OSL 21 kap. 1 §").await;
    b.press("Registrera remissen").await;
    assert_eq!(b.heading().await, steps::TITLE);
    b.sees("Sekretessmarkerad – OSL 21 kap. 1 §").await;
    b.log_out().await;

    // The secretary's meeting form, sent half filled in.
    b.log_in("sekreterare").await;
    b.follow("Sammanträden").await;
    b.fill("Plats", steps::PLACE).await;
    b.fill("Tid", "13:00").await;
    b.press("Planera sammanträdet").await;
    let entries = error_summary(&b).await;
    assert_eq!(
        entries.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(),
        ["date"]
    );
    summary_matches_fields(&b, &entries).await;
    assert_eq!(b.value_of("Plats").await, steps::PLACE);
    assert_eq!(b.value_of("Tid").await, "13:00");
    b.log_out().await;
    e2e.finish().await;
}
