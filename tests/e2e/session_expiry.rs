//! A draft outlives its session: the warning before the session ends, the save
//! that comes after it ended, and the copy kept in the browser.

use sqlx::PgPool;

use crate::harness::{Browser, E2e, PASSWORD};
use crate::steps::{self, Stage};

const TYPED: &str = "Synpunkter skrivna under en lång eftermiddag.";
const CONSIDERATIONS_LABEL: &str = "Arbetsmarknadsförvaltningens synpunkter och förslag";

/// The officer in the editor of a case in drafting.
async fn in_the_editor(e2e: &mut E2e) -> Browser {
    let mut b = e2e.browser("handläggaren").await;
    let registered = steps::set_stage(&mut b, Stage::Drafting).await;
    b.log_in("handlaggare").await;
    b.follow(&registered.amn).await;
    b.follow("Redigera utkastet").await;
    b
}

/// Whether the page offers a copy kept in the browser.
async fn offers_a_copy(b: &Browser) -> bool {
    b.script("return document.querySelector('.kept-copy') !== null;")
        .await
        .as_bool()
        .unwrap()
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_save_after_the_session_ended_comes_back_to_the_editor_after_login(pool: PgPool) {
    let mut e2e = E2e::start(pool).await;
    let b = in_the_editor(&mut e2e).await;
    b.fill(CONSIDERATIONS_LABEL, TYPED).await;

    b.lose_session().await;
    b.press("Spara utkastet").await;
    assert_eq!(b.heading().await, "Logga in");
    b.sees("Du hann bli utloggad innan utkastet sparades").await;
    b.fill("Användarnamn", "handlaggare").await;
    b.fill("Lösenord", PASSWORD).await;
    b.press("Logga in").await;

    assert_eq!(b.heading().await, "Utkast till tjänsteutlåtande");
    b.sees("Du blev utloggad innan utkastet hann sparas").await;
    assert_eq!(b.value_of(CONSIDERATIONS_LABEL).await, TYPED);
    assert!(
        !offers_a_copy(&b).await,
        "the browser's copy is the text shown"
    );
    b.press("Spara utkastet").await;
    b.sees("Utkastet är sparat som version 2.").await;
    assert_eq!(b.value_of(CONSIDERATIONS_LABEL).await, TYPED);
    e2e.finish().await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_copy_kept_in_the_browser_is_offered_back_until_saved_or_logged_out(pool: PgPool) {
    let mut e2e = E2e::start(pool).await;
    let b = in_the_editor(&mut e2e).await;
    let first_text = b.value_of(CONSIDERATIONS_LABEL).await;
    assert!(!offers_a_copy(&b).await, "nothing kept yet");
    b.fill(CONSIDERATIONS_LABEL, TYPED).await;

    // The text never reaches Remiss (here: the officer leaves; after an ended
    // session, a login through the identity provider, or a closed tab alike).
    b.follow("Till ärendet").await;
    b.follow("Redigera utkastet").await;
    assert_eq!(b.value_of(CONSIDERATIONS_LABEL).await, first_text);
    b.sees("Text som inte har sparats").await;
    b.check_accessibility("the copy offered back").await;
    b.click_in_page("Ta tillbaka texten").await;
    assert_eq!(b.value_of(CONSIDERATIONS_LABEL).await, TYPED);
    b.sees("Texten är tillbaka i formuläret").await;

    b.press("Spara utkastet").await;
    b.sees("Utkastet är sparat som version 2.").await;
    b.follow("Till ärendet").await;
    b.follow("Redigera utkastet").await;
    assert!(!offers_a_copy(&b).await, "saved, so forgotten");

    // Typed but not saved, then logged out: the next person at this computer
    // finds nothing.
    b.fill(CONSIDERATIONS_LABEL, "Ett utkast som ingen annan ska läsa.")
        .await;
    b.log_out().await;
    let kept = b
        .script(
            "return Object.keys(localStorage).filter(function (k) { return k.indexOf('remiss-copy:') === 0; }).length;",
        )
        .await;
    assert_eq!(kept, 0, "logging out forgets the copies");
    e2e.finish().await;
}

/// Moves the page's warning to now, as an hour of typing without a request
/// would, and lets the page look (it looks when its window gets focus too).
const TIME_TO_WARN: &str =
    "document.body.dataset.sessionWarnAt = '0'; window.dispatchEvent(new Event('focus'));";

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_page_warns_before_the_session_ends_and_keeps_it_on_request(pool: PgPool) {
    let mut e2e = E2e::start(pool).await;
    let b = in_the_editor(&mut e2e).await;
    b.fill(CONSIDERATIONS_LABEL, TYPED).await;

    b.script(TIME_TO_WARN).await;
    b.waits_for(".session-warning", "Du loggas snart ut").await;
    b.check_accessibility("the warning before the session ends")
        .await;
    b.screenshot("09-session-warning").await;
    b.click_in_page("Fortsätt vara inloggad").await;
    b.waits_for("#session-status", "Du är fortfarande inloggad.")
        .await;
    assert_eq!(
        b.script("return document.querySelector('.session-warning') === null;")
            .await,
        true,
        "the warning is gone"
    );
    // Still signed in, with the text as typed.
    b.press("Spara utkastet").await;
    b.sees("Utkastet är sparat som version 2.").await;

    // Too late: the session had ended already. The page says so, and where to
    // log in again.
    b.fill(CONSIDERATIONS_LABEL, "Ännu en rad.").await;
    b.lose_session().await;
    b.script(TIME_TO_WARN).await;
    b.click_in_page("Fortsätt vara inloggad").await;
    b.waits_for(".session-warning", "Du har redan loggats ut")
        .await;
    b.check_accessibility("the session ended before the warning was answered")
        .await;
    e2e.finish().await;
}
