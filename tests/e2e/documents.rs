//! A remiss registered with its PDF attached, by a registrar using the keyboard
//! alone: Tab to each field, type, and for the file input type the file's path
//! (what WebDriver's send-keys does with a file input, as a person would choose
//! it in the file dialog), then Enter on the button.

use fantoccini::key::Key;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::harness::E2e;
use crate::keyboard::{FORM_CONTROLS, from_the_top, press, tab};
use crate::steps;

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_remiss_is_registered_with_its_pdf_by_keyboard(pool: PgPool) {
    let database = pool.clone();
    let mut e2e = E2e::start(pool).await;
    let b = e2e.browser("registrator").await;
    b.log_in("registrator").await;

    let folder = tempfile::tempdir().expect("a folder for the file");
    let path = folder.path().join("missiv.pdf");
    let pdf = remiss::files::pdf::text_document(
        "Missiv",
        &["Region Stockholm remitterar strategin för kompetensförsörjning."],
    );
    std::fs::write(&path, &pdf).expect("the PDF is written");

    from_the_top(&b).await;
    let mut steps_taken = 0;
    while tab(&b).await.name != "a \"Registrera remiss\"" {
        steps_taken += 1;
        assert!(
            steps_taken < 30,
            "Tab never reached the menu's Registrera remiss"
        );
    }
    b.key_and_wait(Key::Enter, "Enter on Registrera remiss")
        .await;
    assert_eq!(b.heading().await, "Registrera remiss");
    let expected: Vec<String> =
        serde_json::from_value(b.script(FORM_CONTROLS).await).expect("the form's controls");
    assert!(
        expected.contains(&"#document_file_1".to_string()),
        "the form has its file inputs: {expected:?}"
    );
    let total = from_the_top(&b).await;

    let dates = steps::dates();
    let typing = [
        ("#title", steps::TITLE.to_string()),
        ("#sender_name", steps::SENDER.to_string()),
        ("#sender_dnr", steps::SENDER_DNR.to_string()),
        ("#received_on", b.keys_for("date", &dates.received).await),
        ("#deadline", b.keys_for("date", &dates.deadline).await),
        ("#respondent-AMN", " ".to_string()),
        ("#document_title_1", "Missiv".to_string()),
    ];
    let mut reached: Vec<String> = Vec::new();
    let mut left_form = false;
    for _ in 0..(total + 60) {
        let focus = tab(&b).await;
        let arrived = reached.last() != Some(&focus.name);
        if focus.in_form {
            if arrived {
                assert!(focus.visible, "the focus on {} is visible", focus.name);
                reached.push(focus.name.clone());
                if let Some((_, keys)) = typing.iter().find(|(name, _)| *name == focus.name) {
                    press(&b, keys).await;
                }
                // The file dialog's part: the path goes to the focused file input.
                if focus.name == "#document_file_1" {
                    let input = b.client.active_element().await.expect("the file input");
                    input
                        .send_keys(&path.display().to_string())
                        .await
                        .expect("the file is chosen");
                }
            }
        } else if !reached.is_empty() {
            left_form = true;
            break;
        }
    }
    assert!(left_form, "Tab went through the form and on: {reached:?}");
    assert_eq!(reached, expected, "Tab reaches every control, in order");

    press(&b, &format!("{}{}", Key::Shift, Key::Tab)).await;
    press(&b, &format!("{}{}", Key::Shift, Key::Tab)).await;
    b.key_and_wait(Key::Enter, "Enter on Registrera remissen")
        .await;
    assert_eq!(b.heading().await, steps::TITLE, "registered");
    b.sees("missiv.pdf").await;
    let amn = b.dnr_of("Arbetsmarknadsnämnden").await;
    b.sees(&format!("{amn}-1")).await;
    b.screenshot("16-remiss-with-its-documents").await;

    let stored: String = sqlx::query_scalar(
        "SELECT encode(sha256, 'hex') FROM documents WHERE title = 'Missiv' AND file_name = 'missiv.pdf'",
    )
    .fetch_one(&database)
    .await
    .expect("the document is registered");
    let sent: String = Sha256::digest(&pdf)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(stored, sent, "the file arrived byte for byte");
    e2e.finish().await;
}
