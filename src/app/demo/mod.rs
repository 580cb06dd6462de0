//! The demo city: four organs, one account per role, and the remiss of the
//! reference document (KS 2019/1939) with a few current ones beside it.
//!
//! Everything is made through the same use cases as the pages, each at its own
//! historical moment, in one transaction under an advisory lock: the demo can
//! never show a state the product could not reach. Nothing here writes SQL or
//! names an audit action.

mod reference;

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use self::reference::{
    BACKGROUND, CONSIDERATIONS, PREPARATION, PROPOSAL, SIGNATORIES, SUMMARY, TITLE,
};
use super::admin::{self, Origin};
use super::cases::{self, Assignment, DispatchInput};
use super::documents;
use super::meetings::{self, Adjustment};
use super::referrals;
use super::reports::{self, DraftEdit};
use super::reviews::{self, Review};
use super::{Actor, Context, Error, Result, commit};
use crate::db;
use crate::domain::Role;
use crate::domain::dates::stockholm_date;
use crate::domain::meeting::{DecisionInput, MeetingInput};
use crate::domain::organ::OrganInput;
use crate::domain::referral::ReferralInput;
use crate::domain::report::{ReportContent, ReportInput, Signatory, first_draft};
use crate::domain::user::UserInput;

/// The password of every demo account; the login page shows it while they exist.
pub const DEMO_PASSWORD: &str = "remiss-demo";

/// Loads the demo city if the database holds no organ yet; whether it did.
pub async fn load_if_empty(ctx: &Context) -> Result<bool> {
    // Hashed before the transaction: no connection is held through it.
    let hash = crate::password::hash(DEMO_PASSWORD.to_string()).await?;
    let (mut tx, now) = ctx.begin().await?;
    // A city's worth of rows in one transaction: more than a request may take.
    db::allow_long_statements(&mut tx).await?;
    db::lock_demo_loader(&mut tx).await?;
    if !db::is_empty(&mut tx).await? {
        return Ok(false);
    }
    load(&mut tx, &hash, now).await?;
    commit(tx, true).await
}

const ORGANS: [(&str, &str, &str, bool); 4] = [
    ("Kommunstyrelsen", "KS", "Stadsledningskontoret", true),
    (
        "Arbetsmarknadsnämnden",
        "AMN",
        "Arbetsmarknadsförvaltningen",
        true,
    ),
    ("Socialnämnden", "SN", "Socialförvaltningen", false),
    (
        "Utbildningsnämnden",
        "UN",
        "Utbildningsförvaltningen",
        false,
    ),
];

/// A demo account: username, name, title, organ prefix, roles there, administrator.
type DemoUser = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [Role],
    bool,
);

const USERS: [DemoUser; 14] = [
    (
        "admin",
        "Alva Administratör",
        "systemförvaltare",
        "KS",
        &[],
        true,
    ),
    (
        "registrator",
        "Rasmus Registrator",
        "registrator",
        "KS",
        &[Role::Registrar],
        false,
    ),
    (
        "handlaggare",
        "Hanna Lindqvist",
        "utredare",
        "AMN",
        &[Role::Officer],
        false,
    ),
    (
        "granskare",
        "Karin Eriksson-Bech",
        "utvecklingschef",
        "AMN",
        &[Role::Reviewer],
        false,
    ),
    (
        "sekreterare",
        "Sven Sekreterare",
        "nämndsekreterare",
        "AMN",
        &[Role::Secretary],
        false,
    ),
    (
        "handlaggare.sn",
        "Samir Haddad",
        "utredare",
        "SN",
        &[Role::Officer],
        false,
    ),
    // Socialnämnden's reviewer assigns its case to Samir.
    (
        "granskare.sn",
        "Lena Sjöberg",
        "enhetschef",
        "SN",
        &[Role::Reviewer],
        false,
    ),
    // Every nämnd has what a real one has: someone who assigns and reviews, a
    // handläggare and a secretary (registrars work for the whole municipality).
    (
        "sekreterare.sn",
        "Maria Öberg",
        "nämndsekreterare",
        "SN",
        &[Role::Secretary],
        false,
    ),
    (
        "handlaggare.un",
        "Elin Strand",
        "utredare",
        "UN",
        &[Role::Officer],
        false,
    ),
    (
        "granskare.un",
        "Per Holmgren",
        "enhetschef",
        "UN",
        &[Role::Reviewer],
        false,
    ),
    (
        "sekreterare.un",
        "Jonas Berg",
        "nämndsekreterare",
        "UN",
        &[Role::Secretary],
        false,
    ),
    (
        "handlaggare.ks",
        "Oskar Nyström",
        "utredare",
        "KS",
        &[Role::Officer],
        false,
    ),
    (
        "granskare.ks",
        "Ingrid Falk",
        "avdelningschef",
        "KS",
        &[Role::Reviewer],
        false,
    ),
    (
        "sekreterare.ks",
        "Tove Lund",
        "kommunsekreterare",
        "KS",
        &[Role::Secretary],
        false,
    ),
];

const MEETING_PLACE: &str = "Södermalmsallén 36, sammanträdesrummet";
const ATTENDANCE: &str = "Ledamöter: ordföranden, vice ordföranden och nämndens övriga ledamöter enligt protokollets närvarolista.";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid demo date")
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("valid demo time")
}

/// The demo's organs and people, as the use cases know them.
struct City {
    organs: HashMap<&'static str, Uuid>,
    people: HashMap<&'static str, Actor>,
}

impl City {
    fn organ(&self, prefix: &str) -> Uuid {
        self.organs[prefix]
    }

    fn organ_ids(&self) -> Vec<Uuid> {
        self.organs.values().copied().collect()
    }

    fn person(&self, username: &str) -> &Actor {
        &self.people[username]
    }
}

/// Loads the demo city in the caller's transaction. `password_hash` is the hash of
/// [`DEMO_PASSWORD`]; `now` places the current remisser around today's date.
pub async fn load(conn: &mut PgConnection, password_hash: &str, now: DateTime<Utc>) -> Result<()> {
    let city = people(conn, password_hash, now).await?;
    reference_remiss(conn, &city).await?;
    current_remisser(conn, &city, now).await
}

async fn people(conn: &mut PgConnection, password_hash: &str, now: DateTime<Utc>) -> Result<City> {
    let mut organs = HashMap::new();
    for (name, prefix, administration, delegation_allowed) in ORGANS {
        let input = OrganInput {
            name: name.into(),
            diarium_prefix: prefix.into(),
            administration: administration.into(),
            delegation_allowed,
            review_days: "7".into(),
            agenda_closing_days: "10".into(),
        };
        let id = admin::create_organ_in(conn, now, Origin::Demo, &input).await?;
        organs.insert(prefix, id);
    }
    let mut people = HashMap::new();
    for (username, name, title, organ, _, is_admin) in USERS {
        let input = UserInput {
            username: username.into(),
            display_name: name.into(),
            title: title.into(),
            organ: organs[organ].to_string(),
            is_admin,
            password: DEMO_PASSWORD.into(),
            ..UserInput::default()
        };
        let new = admin::validate_user(conn, Origin::Demo, &input, false).await?;
        let created =
            admin::create_user_in(conn, now, Origin::Demo, &new, Some(password_hash)).await?;
        let actor = Actor {
            user_id: created.id,
            is_admin,
            roles: Vec::new(),
        };
        people.insert(username, actor);
    }
    let administrator = people["admin"].clone();
    for (username, _, _, organ, roles, _) in USERS {
        for &role in roles {
            let (user_id, organ_id) = (people[username].user_id, organs[organ]);
            admin::change_role_in(conn, now, &administrator, user_id, organ_id, role, true).await?;
            people
                .get_mut(username)
                .expect("created above")
                .roles
                .push((organ_id, role));
        }
    }
    Ok(City { organs, people })
}

/// The case a registration opened for one organ.
fn case_for(registered: &referrals::Registered, organ_id: Uuid) -> Uuid {
    registered
        .cases
        .iter()
        .find(|c| c.organ_id == organ_id)
        .expect("a case per respondent")
        .id
}

/// The case's version, which an assignment names.
async fn version(conn: &mut PgConnection, case_id: Uuid) -> Result<i32> {
    Ok(db::cases::get(conn, case_id)
        .await?
        .ok_or(Error::NotFound)?
        .version)
}

async fn assign(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    by: &Actor,
    case_id: Uuid,
    officer: &Actor,
) -> Result<()> {
    let assignment = Assignment {
        officer: Some(officer.user_id),
        seen_version: version(conn, case_id).await?,
    };
    cases::assign_in(conn, at, by, case_id, assignment).await
}

fn report_input(content: &ReportContent) -> ReportInput {
    ReportInput {
        title: content.title.clone(),
        proposals: content.proposals.clone(),
        summary: content.summary.clone(),
        preparation: content.preparation.clone(),
        background: content.background.clone(),
        considerations: content.considerations.clone(),
        signatory_names: content.signatories.iter().map(|s| s.name.clone()).collect(),
        signatory_titles: content
            .signatories
            .iter()
            .map(|s| s.title.clone())
            .collect(),
    }
}

async fn save(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    by: &Actor,
    case_id: Uuid,
    base: i32,
    content: &ReportContent,
) -> Result<()> {
    let edit = DraftEdit {
        base,
        input: report_input(content),
    };
    match reports::save_draft_in(conn, at, by, case_id, &edit).await? {
        reports::DraftSaved::Saved { .. } => Ok(()),
        reports::DraftSaved::Stale { .. } => Err(Error::raced()),
    }
}

async fn review(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
    by: &Actor,
    case_id: Uuid,
    revision: i32,
    comment: &str,
) -> Result<()> {
    let review = Review {
        approve: comment.is_empty(),
        revision,
        comment: comment.into(),
    };
    reviews::review_in(conn, at, by, case_id, &review).await
}

fn reference_signatories() -> Vec<Signatory> {
    SIGNATORIES
        .iter()
        .map(|(name, title)| Signatory {
            name: (*name).into(),
            title: (*title).into(),
        })
        .collect()
}

fn paragraphs(texts: &[&str]) -> String {
    texts.join("\n\n")
}

/// The reference remiss: Arbetsmarknadsnämnden's answer as it went (drafted,
/// returned once, approved, decided at the meeting of 17 March 2020, adjusted and
/// dispatched to Kommunstyrelsen); Socialnämnden's still being drafted;
/// Utbildningsnämnden's waiting.
async fn reference_remiss(conn: &mut PgConnection, city: &City) -> Result<()> {
    let input = ReferralInput {
        title: TITLE.into(),
        description: "Kommunstyrelsen remitterar förslaget till Stockholms stads trygghetsprogram \
                      2020-2023. Programmet ersätter tillsammans med Stockholms stads \
                      säkerhetsprogram 2020-2023 det tidigare trygghets- och säkerhetsprogrammet \
                      2018-2021."
            .into(),
        sender_organ: city.organ("KS").to_string(),
        sender_dnr: "KS 2019/1939".into(),
        received_on: date(2020, 1, 20).to_string(),
        deadline: date(2020, 4, 30).to_string(),
        respondents: ["AMN", "SN", "UN"]
            .map(|p| city.organ(p).to_string())
            .to_vec(),
        ..ReferralInput::default()
    };
    let registrar = city.person("registrator");
    let registered = referrals::register_in(
        conn,
        at(2020, 1, 20, 9),
        registrar,
        &city.organ_ids(),
        &input,
    )
    .await?;
    // Its missive and betänkande, received with it and published.
    documents::load_demo_documents_in(
        conn,
        at(2020, 1, 20, 9),
        registrar,
        registered.referral_id,
        date(2020, 1, 20),
        "Kommunstyrelsen",
    )
    .await?;

    let (officer, reviewer, secretary) = (
        city.person("handlaggare"),
        city.person("granskare"),
        city.person("sekreterare"),
    );
    let case = case_for(&registered, city.organ("AMN"));
    // The assignment opens revision 1, the report's usual frame.
    assign(conn, at(2020, 1, 21, 9), reviewer, case, officer).await?;

    // The first full draft lacks the point on the programme's period of validity.
    let complete = ReportContent {
        title: TITLE.into(),
        proposals: vec![PROPOSAL.into()],
        summary: paragraphs(SUMMARY),
        preparation: paragraphs(PREPARATION),
        background: paragraphs(BACKGROUND),
        considerations: paragraphs(CONSIDERATIONS),
        signatories: reference_signatories(),
    };
    let draft = ReportContent {
        summary: paragraphs(&SUMMARY[..SUMMARY.len() - 1]).replace(
            " Förvaltningen föreslår att giltighetstiden ses över då programmet sannolikt kommer att antas och därmed gälla från 2021.",
            "",
        ),
        considerations: paragraphs(&CONSIDERATIONS[..CONSIDERATIONS.len() - 2]),
        ..complete.clone()
    };
    save(conn, at(2020, 2, 10, 15), officer, case, 1, &draft).await?;
    cases::submit_in(conn, at(2020, 2, 11, 8), officer, case, 2).await?;
    review(
        conn,
        at(2020, 2, 13, 10),
        reviewer,
        case,
        2,
        "Programmet gäller sannolikt först från 2021. Föreslå att giltighetstiden ses över, både i sammanfattningen och i synpunkterna, och avsluta med förslaget till nämnden.",
    )
    .await?;
    save(conn, at(2020, 2, 17, 14), officer, case, 2, &complete).await?;
    cases::submit_in(conn, at(2020, 2, 17, 16), officer, case, 3).await?;
    review(conn, at(2020, 2, 18, 9), reviewer, case, 3, "").await?;

    // The meeting: planned, the case placed on its agenda, decided as proposed,
    // the minutes adjusted, the yttrande dispatched.
    let meeting_input = MeetingInput {
        organ: city.organ("AMN").to_string(),
        date: date(2020, 3, 17).to_string(),
        time: "13:00".into(),
        place: MEETING_PLACE.into(),
    };
    let meeting = meetings::plan_in(conn, at(2020, 2, 20, 9), secretary, &meeting_input).await?;
    let item =
        meetings::place_on_agenda_in(conn, at(2020, 3, 3, 10), secretary, case, meeting).await?;
    let decision = DecisionInput {
        outcome: "adopted".into(),
        attendance: ATTENDANCE.into(),
        ..DecisionInput::default()
    };
    meetings::decide_in(
        conn,
        at(2020, 3, 17, 13),
        secretary,
        meeting,
        item,
        &decision,
    )
    .await?;
    let adjustment = Adjustment {
        adjusted_on: date(2020, 3, 20).to_string(),
        adjusted_by: "Ordföranden och justerande ledamot".into(),
        posted_on: String::new(),
    };
    meetings::adjust_in(conn, at(2020, 3, 20, 15), secretary, meeting, &adjustment).await?;
    let dispatch = DispatchInput {
        dispatched_on: date(2020, 3, 24).to_string(),
        recipient: "Kommunstyrelsen".into(),
        ..DispatchInput::default()
    };
    cases::dispatch_in(conn, at(2020, 3, 24, 9), secretary, case, &dispatch).await?;

    // Socialnämnden's answer is still being drafted.
    let sn_case = case_for(&registered, city.organ("SN"));
    let (sn_reviewer, sn_officer) = (city.person("granskare.sn"), city.person("handlaggare.sn"));
    assign(conn, at(2020, 1, 22, 10), sn_reviewer, sn_case, sn_officer).await
}

/// Two current remisser around today: a draft waiting for review, an approved
/// case waiting for a meeting, and the meeting it can go to, so that every step
/// of the workflow has something to show.
async fn current_remisser(conn: &mut PgConnection, city: &City, now: DateTime<Utc>) -> Result<()> {
    let today = stockholm_date(now);
    let day = |days: i64| now - chrono::Duration::days(days);
    let (ks, amn) = (city.organ("KS").to_string(), city.organ("AMN"));
    let waste = ReferralInput {
        title: "Förslag till avfallsplan för staden 2027-2030".into(),
        description:
            "Synpunkter önskas särskilt på målen för minskat matsvinn och ökad återanvändning."
                .into(),
        sender_organ: ks,
        sender_dnr: format!("KS {}/412", today.format("%Y")),
        received_on: (today - Days::new(12)).to_string(),
        deadline: (today + Days::new(45)).to_string(),
        respondents: ["AMN", "SN", "UN"]
            .map(|p| city.organ(p).to_string())
            .to_vec(),
        ..ReferralInput::default()
    };
    let memo = ReferralInput {
        title: "Promemorian Ett förbättrat stöd till arbetssökande".into(),
        description:
            "Departementspromemoria om ändrade regler för arbetsmarknadspolitiska insatser.".into(),
        sender_name: "Arbetsmarknadsdepartementet".into(),
        sender_dnr: format!("A{}/00871", today.format("%Y")),
        received_on: (today - Days::new(30)).to_string(),
        deadline: (today + Days::new(6)).to_string(),
        respondents: vec![amn.to_string()],
        ..ReferralInput::default()
    };
    let (registrar, officer, reviewer, secretary) = (
        city.person("registrator"),
        city.person("handlaggare"),
        city.person("granskare"),
        city.person("sekreterare"),
    );
    let mut drafted = Vec::new();
    for (days_ago, input) in [(12, &waste), (30, &memo)] {
        let registered =
            referrals::register_in(conn, day(days_ago), registrar, &city.organ_ids(), input)
                .await?;
        let case = case_for(&registered, amn);
        assign(conn, day(10), reviewer, case, officer).await?;
        let mut draft = first_draft(
            &input.title,
            "Arbetsmarknadsnämnden",
            "Arbetsmarknadsförvaltningen",
        );
        draft.summary = "Förvaltningen ställer sig i huvudsak positiv till förslaget.".into();
        draft.considerations = "Förvaltningen har inga invändningar mot förslaget men vill understryka vikten av samverkan med stadens övriga nämnder.".into();
        draft.signatories = reference_signatories();
        save(conn, day(8), officer, case, 1, &draft).await?;
        cases::submit_in(conn, day(7), officer, case, 2).await?;
        drafted.push(case);
    }
    review(conn, day(5), reviewer, drafted[1], 2, "").await?;
    let next_meeting = MeetingInput {
        organ: amn.to_string(),
        date: (today + Days::new(14)).to_string(),
        time: "13:00".into(),
        place: MEETING_PLACE.into(),
    };
    meetings::plan_in(conn, day(5), secretary, &next_meeting).await?;
    Ok(())
}
