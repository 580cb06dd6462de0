//! Logging in and out, as each person of the demo city.

use sqlx::PgPool;

use crate::harness::{E2e, PASSWORD};

/// Each demo account: username, name on the start page, the menu it should have
/// beyond Start and Remisser, and the menu entries it should not have.
const PEOPLE: [(&str, &str, &[&str], &[&str]); 6] = [
    (
        "registrator",
        "Rasmus Registrator",
        &["Sammanträden", "Registrera remiss"],
        &["Administration"],
    ),
    (
        "handlaggare",
        "Hanna Lindqvist",
        &["Sammanträden"],
        &["Registrera remiss", "Administration"],
    ),
    (
        "granskare",
        "Karin Eriksson-Bech",
        &["Sammanträden"],
        &["Registrera remiss", "Administration"],
    ),
    (
        "sekreterare",
        "Sven Sekreterare",
        &["Sammanträden"],
        &["Registrera remiss", "Administration"],
    ),
    (
        "handlaggare.sn",
        "Samir Haddad",
        &["Sammanträden"],
        &["Registrera remiss", "Administration"],
    ),
    (
        "admin",
        "Alva Administratör",
        &["Administration"],
        &["Registrera remiss", "Sammanträden"],
    ),
];

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn each_person_logs_in_sees_their_own_start_page_and_logs_out(pool: PgPool) {
    let mut e2e = E2e::start(pool).await;
    let b = e2e.browser("a visitor").await;

    // A page that needs a login leads to the login page, and back after it.
    b.open("/remisser").await;
    assert_eq!(b.heading().await, "Logga in");
    b.sees("Demokonton").await;
    b.screenshot("01-login").await;

    // A wrong password: the message, the name kept, the password not.
    b.fill("Användarnamn", "registrator").await;
    b.fill("Lösenord", "fel-lösenord").await;
    b.press("Logga in").await;
    assert_eq!(b.heading().await, "Logga in");
    let message = b.text_at("//main//*[@role='alert']").await;
    assert!(!message.is_empty(), "a message says that the login failed");
    assert_eq!(b.value_of("Användarnamn").await, "registrator");
    assert_eq!(b.value_of("Lösenord").await, "");
    b.screenshot("02-login-wrong-password").await;

    b.fill("Lösenord", PASSWORD).await;
    b.press("Logga in").await;
    assert_eq!(
        b.heading().await,
        "Remisser",
        "back where the visitor was going"
    );
    b.log_out().await;

    for (username, name, has, lacks) in PEOPLE {
        b.log_in(username).await;
        assert_eq!(b.heading().await, format!("Välkommen, {name}"));
        let menu = b.text_at("//nav[@aria-label='Huvudmeny']").await;
        for entry in ["Start", "Remisser"].iter().chain(has) {
            assert!(
                menu.lines().any(|line| line.trim() == *entry),
                "{username}'s menu has {entry}: {menu:?}"
            );
        }
        for entry in lacks {
            assert!(
                !menu.lines().any(|line| line.trim() == *entry),
                "{username}'s menu lacks {entry}: {menu:?}"
            );
        }
        b.screenshot(&format!("03-start-{username}")).await;
        b.log_out().await;
    }

    // Logged out, the pages are out of reach again.
    b.open("/").await;
    assert_eq!(b.heading().await, "Logga in");
    e2e.finish().await;
}
