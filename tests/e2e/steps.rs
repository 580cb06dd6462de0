//! The steps of answering a remiss, each as the person whose job it is does it in
//! the browser. A scenario takes the steps before its own while setting the
//! stage (no accessibility checks, fields filled in directly: each of those
//! steps is checked and typed in the scenario that is about it), and its own
//! typed and checked.

use chrono::{Days, NaiveDate};
use fantoccini::Locator;

use crate::harness::Browser;

pub const TITLE: &str = "Remiss om en regional strategi för kompetensförsörjning";
pub const SENDER: &str = "Region Stockholm";
pub const SENDER_DNR: &str = "RS 2026/0412";
pub const DESCRIPTION: &str =
    "Regionen vill ha synpunkter på strategins mål för kompetensförsörjning 2027-2035.";
pub const SUMMARY: &str = "Förvaltningen ställer sig i huvudsak positiv till strategin.";
pub const BACKGROUND: &str = "Region Stockholm har remitterat strategin till stadens nämnder.";
pub const CONSIDERATIONS: &str = "Förvaltningen har inga invändningar mot strategins inriktning.";
pub const COMMENT: &str = "Beskriv också hur strategin ska följas upp.";
pub const ADDED: &str = "Förvaltningen föreslår att strategin följs upp årligen.";
pub const PLACE: &str = "Södermalmsallén 36, sammanträdesrummet";
pub const ATTENDANCE: &str = "Ordförande Anna Andersson (S), Bertil Berg (M), Cecilia Ceder (V)";
pub const RESERVATION: &str = "Vi anser att nämnden borde ha krävt en tydligare finansiering.";
pub const ADJUSTED_BY: &str = "Ordföranden och Bertil Berg";

/// The label of the officer's own section in Arbetsmarknadsnämnden's drafts.
const CONSIDERATIONS_LABEL: &str = "Arbetsmarknadsförvaltningens synpunkter och förslag";

/// The dates of the story, around today (the server judges some against today).
pub struct Dates {
    pub received: String,
    pub deadline: String,
    pub meeting: String,
    pub adjusted: String,
    pub dispatched: String,
}

pub fn dates() -> Dates {
    let today: NaiveDate = remiss::domain::dates::stockholm_date(chrono::Utc::now());
    let day = |days: i64| {
        if days < 0 {
            today - Days::new(days.unsigned_abs())
        } else {
            today + Days::new(days.unsigned_abs())
        }
        .to_string()
    };
    // The meeting has been held: its decisions and justering are not in the future.
    Dates {
        received: day(-40),
        deadline: day(60),
        meeting: day(-10),
        adjusted: day(-8),
        dispatched: day(-7),
    }
}

/// A registered remiss: its title and its two cases' diarienummer.
pub struct Registered {
    pub title: String,
    pub amn: String,
    pub sn: String,
}

impl Browser {
    /// The text at `xpath` (inside the main content).
    pub async fn text_at(&self, xpath: &str) -> String {
        match self.client.find(Locator::XPath(xpath)).await {
            Ok(element) => element.text().await.expect("element text"),
            Err(e) => panic!(
                "{}: nothing at {xpath} on {}: {e}\n{}",
                self.label(),
                self.path().await,
                self.main_text().await
            ),
        }
    }

    /// Every text at `xpath`.
    pub async fn texts_at(&self, xpath: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for element in self
            .client
            .find_all(Locator::XPath(xpath))
            .await
            .expect("find elements")
        {
            texts.push(element.text().await.expect("element text"));
        }
        texts
    }

    /// The diarienummer of the case of `organ` in the remiss page's table.
    pub async fn dnr_of(&self, organ: &str) -> String {
        self.text_at(&format!(
            "//main//tr[td[1][normalize-space()='{organ}']]/td[2]/a"
        ))
        .await
    }

    /// The status shown for the case (on its case page).
    pub async fn case_status(&self) -> String {
        self.text_at("//main//p[@class='status-line']/span[1]")
            .await
    }
}

/// The registrar registers the remiss to Arbetsmarknadsnämnden and Socialnämnden.
/// Starts anywhere with the registrar logged in; ends on the remiss page.
pub async fn register(b: &Browser, title: &str) -> Registered {
    let dates = dates();
    b.follow("Registrera remiss").await;
    assert_eq!(b.heading().await, "Registrera remiss");
    b.fill("Ärendemening", title).await;
    b.fill("Annan avsändare", SENDER).await;
    b.fill("Avsändarens diarienummer", SENDER_DNR).await;
    b.fill("Beskrivning", DESCRIPTION).await;
    b.fill("Inkom", &dates.received).await;
    b.fill("Sista svarsdag", &dates.deadline).await;
    b.tick("Arbetsmarknadsnämnden (AMN)").await;
    b.tick("Socialnämnden (SN)").await;
    b.press("Registrera remissen").await;
    assert_eq!(b.heading().await, title, "on the new remiss's page");
    let registered = Registered {
        title: title.to_string(),
        amn: b.dnr_of("Arbetsmarknadsnämnden").await,
        sn: b.dnr_of("Socialnämnden").await,
    };
    assert!(registered.amn.starts_with("AMN "), "{}", registered.amn);
    assert!(registered.sn.starts_with("SN "), "{}", registered.sn);
    registered
}

/// The reviewer assigns the officer, from the start page's list of cases to assign.
pub async fn assign(b: &Browser, dnr: &str) {
    b.sees("Ärenden att tilldela en handläggare").await;
    b.follow(dnr).await;
    assert_eq!(b.case_status().await, "Registrerat");
    b.choose("Tilldela handläggare", "Hanna Lindqvist, utredare")
        .await;
    b.press("Tilldela").await;
    assert_eq!(b.case_status().await, "Under beredning");
    b.sees("Hanna Lindqvist").await;
}

/// The officer opens the case from the start page and writes the first draft.
/// Ends in the editor, saved as version 2.
pub async fn write_draft(b: &Browser, dnr: &str) {
    b.sees("Dina ärenden under beredning").await;
    b.follow(dnr).await;
    b.follow("Redigera utkastet").await;
    assert_eq!(b.heading().await, "Utkast till tjänsteutlåtande");
    b.fill("Sammanfattning", SUMMARY).await;
    b.fill("Ärendet", BACKGROUND).await;
    b.fill(CONSIDERATIONS_LABEL, CONSIDERATIONS).await;
    b.fill("Namn", "Karina Uddén").await;
    b.fill("Titel", "arbetsmarknadsdirektör").await;
    b.press("Spara utkastet").await;
    b.sees("Utkastet är sparat som version 2.").await;
}

/// The officer goes from the editor to the case and submits the draft.
pub async fn submit(b: &Browser) {
    b.follow("Till ärendet").await;
    b.press("Skicka till granskning").await;
    assert_eq!(b.case_status().await, "Under granskning");
}

/// The reviewer reads the draft and returns it with a comment.
pub async fn return_draft(b: &Browser, dnr: &str) {
    b.sees("Utkast att granska").await;
    b.follow(dnr).await;
    b.follow("Granska och godkänn eller återsänd").await;
    assert_eq!(b.heading().await, "Granska utkastet");
    b.sees(SUMMARY).await;
    b.fill("Kommentar till handläggaren", COMMENT).await;
    b.press("Återsänd till handläggaren").await;
    assert_eq!(b.case_status().await, "Under beredning");
    b.sees("Återsänt av Karin Eriksson-Bech").await;
}

/// The officer reads the comment, revises the draft, saves and submits again.
pub async fn revise(b: &Browser, dnr: &str) {
    b.follow(dnr).await;
    b.follow("Redigera utkastet").await;
    b.sees("Återsänt av Karin Eriksson-Bech").await;
    b.sees(COMMENT).await;
    assert_eq!(b.value_of(CONSIDERATIONS_LABEL).await, CONSIDERATIONS);
    b.fill(
        CONSIDERATIONS_LABEL,
        &format!("{CONSIDERATIONS}\n\n{ADDED}"),
    )
    .await;
    b.press("Spara utkastet").await;
    b.sees("Utkastet är sparat som version 3.").await;
    submit(b).await;
}

/// The reviewer sees what changed since the returned version and approves.
pub async fn approve(b: &Browser, dnr: &str) {
    b.follow(dnr).await;
    b.follow("Granska och godkänn eller återsänd").await;
    b.sees("Ändringar sedan version 2").await;
    let inserted = b.texts_at("//main//ins").await;
    assert!(
        inserted.iter().any(|text| text.trim() == ADDED),
        "the added sentence is marked as added: {inserted:?}"
    );
    b.press("Godkänn version 3").await;
    assert_eq!(b.case_status().await, "Godkänt");
}

/// The secretary plans Arbetsmarknadsnämnden's meeting. Ends on its page.
pub async fn plan_meeting(b: &Browser) {
    let dates = dates();
    b.follow("Sammanträden").await;
    b.choose("Nämnd", "Arbetsmarknadsnämnden").await;
    b.fill("Datum", &dates.meeting).await;
    b.fill("Tid", "13:00").await;
    b.fill("Plats", PLACE).await;
    b.press("Planera sammanträdet").await;
    assert_eq!(
        b.heading().await,
        format!("Sammanträde {} 13:00", dates.meeting)
    );
}

/// The secretary places the approved case on the meeting's agenda.
pub async fn place(b: &Browser, dnr: &str) {
    b.sees("Godkända ärenden som väntar").await;
    b.press(&format!("För upp {dnr}")).await;
    let agenda = b.text_at("//main//table[contains(@class,'agenda')]").await;
    assert!(agenda.contains(dnr), "{dnr} on the agenda:\n{agenda}");
}

/// The secretary records the decision, with a reservation.
pub async fn decide(b: &Browser, dnr: &str) {
    b.sees(&format!("Protokollför beslut: {dnr}")).await;
    b.tick("Bifall till förslaget").await;
    b.fill("Deltagande i beslutet", ATTENDANCE).await;
    let reservations = "//fieldset[legend[normalize-space()='Reservationer']]";
    b.fill_within(reservations, "Ledamot", "Cecilia Ceder")
        .await;
    b.fill_within(reservations, "Parti", "V").await;
    b.fill_within(reservations, "Reservationens text", RESERVATION)
        .await;
    b.press("Protokollför beslutet").await;
    let row = b
        .text_at(&format!("//main//tr[td/a[normalize-space()='{dnr}']]"))
        .await;
    assert!(
        row.contains("Bifall till förslaget") && row.contains('§'),
        "the agenda shows the decision and its §: {row}"
    );
}

/// The secretary records the adjustment of the minutes.
pub async fn adjust(b: &Browser) {
    let dates = dates();
    b.fill("Justerat", &dates.adjusted).await;
    b.fill("Justerat av", ADJUSTED_BY).await;
    b.press("Justera protokollet").await;
    b.sees(&format!("Justerat {} av {ADJUSTED_BY}", dates.adjusted))
        .await;
}

/// The secretary opens the case from the agenda and dispatches the yttrande.
pub async fn dispatch(b: &Browser, dnr: &str) {
    let dates = dates();
    b.follow(dnr).await;
    assert_eq!(b.case_status().await, "Beslutat");
    b.fill("Expedierat", &dates.dispatched).await;
    b.fill("Mottagare", SENDER).await;
    b.press("Expediera").await;
    assert_eq!(b.case_status().await, "Besvarat");
    b.sees(&format!("Expedierat {} till {SENDER}", dates.dispatched))
        .await;
}

/// Anyone, logged out, finds the answered case in the public diarium and reads
/// the yttrande with its reservation.
pub async fn read_in_diarium(b: &Browser, registered: &Registered, screenshots: bool) {
    b.follow("Offentligt diarium").await;
    assert_eq!(b.heading().await, "Diarium");
    if screenshots {
        b.screenshot("13-diarium").await;
    }
    b.fill("Sök på ord eller diarienummer", &registered.amn)
        .await;
    b.press("Sök").await;
    let found = b.texts_at("//main//table/tbody/tr/td[1]").await;
    assert_eq!(
        found,
        [registered.amn.as_str()],
        "the search finds the case"
    );
    b.follow(&registered.amn).await;
    assert_eq!(
        b.heading().await,
        format!("{} {}", registered.amn, registered.title)
    );
    b.sees("Bifall till förslaget").await;
    b.sees(&dates().dispatched).await;
    if screenshots {
        b.screenshot("14-diarium-entry").await;
    }
    b.follow("Läs yttrandet").await;
    // The heading never doubles the word (TITLE begins "Remiss om").
    b.sees("Yttrande över remissen om en regional strategi för kompetensförsörjning")
        .await;
    b.sees("Cecilia Ceder (V) reserverade sig mot beslutet")
        .await;
    b.sees(RESERVATION).await;
}

// ---------------------------------------------------------------------------
// The story up to a point, for the scenarios that start later in it.
// ---------------------------------------------------------------------------

/// Registered (by the registrar), and every later step up to `until`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Registered,
    Drafting,
    Approved,
    Answered,
}

/// Takes a new remiss to `stage` while setting the stage, in the browser `b`,
/// logged out before and after.
pub async fn set_stage(b: &mut Browser, stage: Stage) -> Registered {
    b.set_staging(true);
    let registered = story(b, stage).await;
    b.set_staging(false);
    registered
}

/// Each person in turn logs in, takes their steps and logs out, from the
/// registration of a new remiss until it reaches `stage`.
pub async fn story(b: &Browser, stage: Stage) -> Registered {
    b.log_in("registrator").await;
    let registered = register(b, TITLE).await;
    b.log_out().await;
    let dnr = registered.amn.clone();
    if stage >= Stage::Drafting {
        b.log_in("granskare").await;
        assign(b, &dnr).await;
        b.log_out().await;
    }
    if stage >= Stage::Approved {
        b.log_in("handlaggare").await;
        write_draft(b, &dnr).await;
        submit(b).await;
        b.log_out().await;
        b.log_in("granskare").await;
        return_draft(b, &dnr).await;
        b.log_out().await;
        b.log_in("handlaggare").await;
        revise(b, &dnr).await;
        b.log_out().await;
        b.log_in("granskare").await;
        approve(b, &dnr).await;
        b.log_out().await;
    }
    if stage >= Stage::Answered {
        b.log_in("sekreterare").await;
        plan_meeting(b).await;
        place(b, &dnr).await;
        decide(b, &dnr).await;
        adjust(b).await;
        dispatch(b, &dnr).await;
        b.log_out().await;
    }
    registered
}
