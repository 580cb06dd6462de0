//! Signing in through the municipality's identity provider: the administrator
//! gives Hanna's account her e-mail address, and Hanna signs in on the
//! provider's own page (oidc-provider under Node.js, started by the test), then
//! logs out of both.

use sqlx::PgPool;

use crate::harness::E2e;
use crate::oidc_provider::Person;

const HANNA_EMAIL: &str = "hanna.lindqvist@kommun.se";

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn hanna_signs_in_through_the_providers_page_once_the_admin_gave_her_address(pool: PgPool) {
    let hanna_at_provider = Person::new("hanna", "hanna-sub", HANNA_EMAIL);
    let (mut e2e, provider) = E2e::start_with_provider(pool, &[hanna_at_provider]).await;

    // The administrator (a password account) gives Hanna's account her address.
    let admin = e2e.browser("the administrator").await;
    admin.log_in("admin").await;
    admin.follow("Administration").await;
    admin.follow("Användare och roller").await;
    admin.follow("Hanna Lindqvist").await;
    admin.sees("Lösenord i Remiss").await;
    admin.follow("Ändra e-post och inloggning").await;
    admin.fill("E-postadress", HANNA_EMAIL).await;
    admin.press("Spara").await;
    assert_eq!(admin.heading().await, "Hanna Lindqvist");
    admin.sees(HANNA_EMAIL).await;
    admin
        .sees("Kopplas vid första inloggningen med e-postadressen")
        .await;
    admin.log_out().await;

    // Hanna signs in on the provider's page and lands on her start page.
    let hanna = e2e.browser("Hanna").await;
    hanna.open("/remisser").await;
    assert_eq!(hanna.heading().await, "Logga in");
    hanna.screenshot("sso-01-login").await;
    hanna.follow("Logga in med kommunens inloggning").await;
    assert!(
        hanna
            .client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&provider.issuer),
        "at the provider"
    );
    assert_eq!(hanna.heading().await, "Kommunens inloggning");
    hanna.fill("Användarnamn", "hanna").await;
    hanna.fill("Lösenord", "losenord-hos-idp").await;
    hanna.press("Logga in").await;
    assert_eq!(
        hanna.heading().await,
        "Remisser",
        "back where she was going"
    );
    hanna.open("/").await;
    assert_eq!(hanna.heading().await, "Välkommen, Hanna Lindqvist");

    // Logging out ends the session at the provider too, after its question.
    hanna.press_within("//header", "Logga ut").await;
    assert_eq!(hanna.heading().await, "Logga ut från kommunens inloggning?");
    hanna.press("Ja, logga ut").await;
    assert_eq!(hanna.heading().await, "Logga in");
    hanna.open("/").await;
    assert_eq!(hanna.heading().await, "Logga in", "signed out of Remiss");

    // The administrator sees the account linked.
    admin.log_in("admin").await;
    admin.follow("Administration").await;
    admin.follow("Användare och roller").await;
    admin.follow("Hanna Lindqvist").await;
    admin.sees("Kopplad (id hanna-sub)").await;
    e2e.finish().await;
}
