//! The demo city: four organs, one account per role, and the remiss of the
//! reference document (KS 2019/1939) with a few current ones beside it.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use chrono_tz::Europe::Stockholm;
use serde_json::json;

use super::cases::{self, Step};
use super::demo_reference::{
    BACKGROUND, CONSIDERATIONS, PREPARATION, PROPOSAL, SIGNATORIES, SUMMARY, TITLE,
};
use super::{decisions, meetings, organs, referrals, reports, reviews, users};
use crate::domain::DiariumPrefix;
use crate::domain::organ::OrganDetails;
use crate::domain::referral::{NewReferral, ReferralDetails, Sender};
use crate::domain::report::{ReportContent, Signatory, first_draft};
use crate::domain::user::NewUser;
use crate::domain::workflow::DecisionOutcome;
use crate::domain::{CaseState, Role};

/// The password of every demo account; the login page shows it while they exist.
pub const DEMO_PASSWORD: &str = "remiss-demo";

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

const USERS: [DemoUser; 6] = [
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
];

/// Lets one loader at a time through, until its transaction ends, so that two
/// instances starting together do not both load the demo city.
pub async fn lock_loader(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(7001)")
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether the database holds any organ yet (the demo goes only into an empty one).
pub async fn is_empty(conn: &mut PgConnection) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT NOT EXISTS (SELECT 1 FROM organs) AS "empty!""#)
        .fetch_one(conn)
        .await
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid demo date")
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("valid demo time")
}

/// Loads the demo city in the caller's transaction. `password_hash` is the hash of
/// [`DEMO_PASSWORD`]; `today` places the current remisser around today's date.
pub async fn load(
    conn: &mut PgConnection,
    password_hash: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let mut organ_ids = std::collections::HashMap::new();
    for (name, prefix, administration, delegation_allowed) in ORGANS {
        let id = Uuid::new_v4();
        let details = OrganDetails {
            name: name.into(),
            diarium_prefix: DiariumPrefix::parse(prefix).expect("valid demo prefix"),
            administration: administration.into(),
            delegation_allowed,
            review_days: 7,
            agenda_closing_days: 10,
        };
        organs::insert(&mut *conn, id, &details).await?;
        organ_ids.insert(prefix, id);
    }

    let mut user_ids = std::collections::HashMap::new();
    for (username, name, title, organ, roles, is_admin) in USERS {
        let id = Uuid::new_v4();
        let organ_id = organ_ids[organ];
        let user = NewUser {
            username: username.into(),
            display_name: name.into(),
            title: title.into(),
            organ_id: Some(organ_id),
            is_admin,
            password: None,
            email: None,
            oidc_subject: None,
        };
        users::insert(&mut *conn, id, &user, Some(password_hash), true).await?;
        for role in roles {
            users::add_role(&mut *conn, id, organ_id, *role).await?;
        }
        user_ids.insert(username, id);
    }
    let registrar = user_ids["registrator"];

    let reference = NewReferral {
        details: ReferralDetails {
            title: "Stockholms stads trygghetsprogram 2020-2023".into(),
            description: "Kommunstyrelsen remitterar förslaget till Stockholms stads trygghetsprogram \
                          2020-2023. Programmet ersätter tillsammans med Stockholms stads \
                          säkerhetsprogram 2020-2023 det tidigare trygghets- och säkerhetsprogrammet \
                          2018-2021."
                .into(),
            sender: Sender::Organ(organ_ids["KS"]),
            sender_dnr: "KS 2019/1939".into(),
            received_on: date(2020, 1, 20),
            deadline: date(2020, 4, 30),
            secrecy: None,
        },
        respondents: vec![organ_ids["AMN"], organ_ids["SN"], organ_ids["UN"]],
    };
    let (reference_id, _) =
        referrals::register(&mut *conn, registrar, &reference, at(2020, 1, 20, 9)).await?;
    let cases = referrals::cases(&mut *conn, reference_id).await?;
    let case_of = |organ: Uuid| {
        cases
            .iter()
            .find(|c| c.organ_id == organ)
            .expect("a case per respondent")
            .id
    };
    let people = Demo {
        officer: user_ids["handlaggare"],
        reviewer: user_ids["granskare"],
        secretary: user_ids["sekreterare"],
    };
    answer_reference_case(
        &mut *conn,
        &people,
        reference_id,
        case_of(organ_ids["AMN"]),
        organ_ids["AMN"],
    )
    .await?;
    // Socialnämnden's answer is still being drafted; Utbildningsnämnden's waits.
    let sn_case = case_of(organ_ids["SN"]);
    let sn_officer = user_ids["handlaggare.sn"];
    let sn = Flow {
        case_id: sn_case,
        referral_id: reference_id,
    };
    sn.assign(
        &mut *conn,
        user_ids["handlaggare.sn"],
        sn_officer,
        at(2020, 1, 22, 10),
        "Samir Haddad",
    )
    .await?;
    let draft = first_draft(TITLE, "Socialnämnden", "Socialförvaltningen");
    sn.save(&mut *conn, 0, &draft, sn_officer, at(2020, 1, 22, 10))
        .await?;

    let today = crate::domain::dates::stockholm_date(now);
    let current = [
        NewReferral {
            details: ReferralDetails {
                title: "Förslag till avfallsplan för staden 2027-2030".into(),
                description: "Synpunkter önskas särskilt på målen för minskat matsvinn och ökad återanvändning."
                    .into(),
                sender: Sender::Organ(organ_ids["KS"]),
                sender_dnr: format!("KS {}/412", today.format("%Y")),
                received_on: today - chrono::Days::new(12),
                deadline: today + chrono::Days::new(45),
                secrecy: None,
            },
            respondents: vec![organ_ids["AMN"], organ_ids["SN"], organ_ids["UN"]],
        },
        NewReferral {
            details: ReferralDetails {
                title: "Promemorian Ett förbättrat stöd till arbetssökande".into(),
                description: "Departementspromemoria om ändrade regler för arbetsmarknadspolitiska insatser."
                    .into(),
                sender: Sender::Outside("Arbetsmarknadsdepartementet".into()),
                sender_dnr: format!("A{}/00871", today.format("%Y")),
                received_on: today - chrono::Days::new(30),
                deadline: today + chrono::Days::new(6),
                secrecy: None,
            },
            respondents: vec![organ_ids["AMN"]],
        },
    ];
    let mut current_ids = Vec::new();
    for (days_ago, referral) in [(12, &current[0]), (30, &current[1])] {
        let registered_at = now - chrono::Duration::days(days_ago);
        current_ids.push(
            referrals::register(&mut *conn, registrar, referral, registered_at)
                .await?
                .0,
        );
    }
    // A draft waiting for review, an approved case waiting for a meeting, and the
    // meeting it can go to: every step of the workflow has something to show.
    let amn = organ_ids["AMN"];
    let waste = Flow {
        case_id: referrals::cases(&mut *conn, current_ids[0])
            .await?
            .into_iter()
            .find(|c| c.organ_id == amn)
            .expect("AMN case")
            .id,
        referral_id: current_ids[0],
    };
    let memo = Flow {
        case_id: referrals::cases(&mut *conn, current_ids[1])
            .await?
            .into_iter()
            .find(|c| c.organ_id == amn)
            .expect("AMN case")
            .id,
        referral_id: current_ids[1],
    };
    let day = |days: i64| now - chrono::Duration::days(days);
    for (flow, title) in [
        (&waste, "Förslag till avfallsplan för staden 2027-2030"),
        (&memo, "Promemorian Ett förbättrat stöd till arbetssökande"),
    ] {
        flow.assign(
            &mut *conn,
            people.reviewer,
            people.officer,
            day(10),
            "Hanna Lindqvist",
        )
        .await?;
        let mut draft = first_draft(
            title,
            "Arbetsmarknadsnämnden",
            "Arbetsmarknadsförvaltningen",
        );
        draft.summary = "Förvaltningen ställer sig i huvudsak positiv till förslaget.".into();
        draft.considerations = "Förvaltningen har inga invändningar mot förslaget men vill understryka vikten av samverkan med stadens övriga nämnder.".into();
        draft.signatories = reference_signatories();
        flow.save(&mut *conn, 0, &draft, people.officer, day(8))
            .await?;
        flow.step(
            &mut *conn,
            CaseState::Drafting,
            CaseState::InReview,
            people.officer,
            "case.submitted",
            json!({ "revision": 1 }),
            day(7),
        )
        .await?;
    }
    memo.review(&mut *conn, people.reviewer, true, "", day(5))
        .await?;
    let next_meeting = Stockholm
        .from_local_datetime(
            &(today + chrono::Days::new(14))
                .and_hms_opt(13, 0, 0)
                .expect("valid time"),
        )
        .earliest()
        .expect("13:00 exists in Stockholm")
        .with_timezone(&Utc);
    meetings::create(&mut *conn, Uuid::new_v4(), amn, next_meeting, MEETING_PLACE).await?;
    Ok(())
}

const MEETING_PLACE: &str = "Södermalmsallén 36, sammanträdesrummet";

struct Demo {
    officer: Uuid,
    reviewer: Uuid,
    secretary: Uuid,
}

/// One case, moved through the workflow with the same database steps as the pages
/// take, at the given (past) times.
struct Flow {
    case_id: Uuid,
    referral_id: Uuid,
}

impl Flow {
    #[allow(clippy::too_many_arguments)]
    async fn step(
        &self,
        conn: &mut PgConnection,
        from: CaseState,
        to: CaseState,
        actor_id: Uuid,
        action: &str,
        details: serde_json::Value,
        at: DateTime<Utc>,
    ) -> sqlx::Result<()> {
        let step = Step {
            case_id: self.case_id,
            referral_id: self.referral_id,
            from,
            to,
            actor_id,
            action,
            details,
            at,
        };
        let taken = cases::take_step(conn, &step).await?;
        assert!(taken, "demo step {action} from {from:?}");
        Ok(())
    }

    async fn assign(
        &self,
        conn: &mut PgConnection,
        by: Uuid,
        officer: Uuid,
        at: DateTime<Utc>,
        officer_name: &str,
    ) -> sqlx::Result<()> {
        cases::assign(&mut *conn, self.case_id, CaseState::Registered, officer).await?;
        let step = Step {
            case_id: self.case_id,
            referral_id: self.referral_id,
            from: CaseState::Registered,
            to: CaseState::Drafting,
            actor_id: by,
            action: "case.assigned",
            details: json!({ "officer": officer_name }),
            at,
        };
        cases::record_step(conn, &step).await
    }

    async fn save(
        &self,
        conn: &mut PgConnection,
        based_on: i32,
        content: &ReportContent,
        by: Uuid,
        at: DateTime<Utc>,
    ) -> sqlx::Result<Uuid> {
        let (id, number) = reports::save(&mut *conn, self.case_id, based_on, content, by, at)
            .await?
            .expect("demo saves are not stale");
        let step = Step {
            case_id: self.case_id,
            referral_id: self.referral_id,
            from: CaseState::Drafting,
            to: CaseState::Drafting,
            actor_id: by,
            action: "report.saved",
            details: json!({ "revision": number }),
            at,
        };
        cases::record_step(conn, &step).await?;
        Ok(id)
    }

    async fn review(
        &self,
        conn: &mut PgConnection,
        by: Uuid,
        approve: bool,
        comment: &str,
        at: DateTime<Utc>,
    ) -> sqlx::Result<()> {
        let revision = reports::latest(&mut *conn, self.case_id)
            .await?
            .expect("a draft to review");
        reviews::record(
            &mut *conn,
            self.case_id,
            revision.id,
            by,
            approve,
            comment,
            at,
        )
        .await?;
        let (to, action) = if approve {
            (CaseState::Approved, "case.approved")
        } else {
            (CaseState::Drafting, "case.returned")
        };
        self.step(
            conn,
            CaseState::InReview,
            to,
            by,
            action,
            json!({ "revision": revision.number, "comment": comment }),
            at,
        )
        .await
    }
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

/// Arbetsmarknadsnämnden's answer to the reference remiss, as it went: drafted,
/// returned once, approved, decided at the meeting of 17 March 2020, adjusted and
/// dispatched to Kommunstyrelsen.
async fn answer_reference_case(
    conn: &mut PgConnection,
    people: &Demo,
    referral_id: Uuid,
    case_id: Uuid,
    organ_id: Uuid,
) -> sqlx::Result<()> {
    let flow = Flow {
        case_id,
        referral_id,
    };
    flow.assign(
        &mut *conn,
        people.reviewer,
        people.officer,
        at(2020, 1, 21, 9),
        "Hanna Lindqvist",
    )
    .await?;
    let first = first_draft(
        TITLE,
        "Arbetsmarknadsnämnden",
        "Arbetsmarknadsförvaltningen",
    );
    flow.save(&mut *conn, 0, &first, people.reviewer, at(2020, 1, 21, 9))
        .await?;

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
    flow.save(&mut *conn, 1, &draft, people.officer, at(2020, 2, 10, 15))
        .await?;
    flow.step(
        &mut *conn,
        CaseState::Drafting,
        CaseState::InReview,
        people.officer,
        "case.submitted",
        json!({ "revision": 2 }),
        at(2020, 2, 11, 8),
    )
    .await?;
    flow.review(
        &mut *conn,
        people.reviewer,
        false,
        "Programmet gäller sannolikt först från 2021. Föreslå att giltighetstiden ses över, både i sammanfattningen och i synpunkterna, och avsluta med förslaget till nämnden.",
        at(2020, 2, 13, 10),
    )
    .await?;
    flow.save(
        &mut *conn,
        2,
        &complete,
        people.officer,
        at(2020, 2, 17, 14),
    )
    .await?;
    flow.step(
        &mut *conn,
        CaseState::Drafting,
        CaseState::InReview,
        people.officer,
        "case.submitted",
        json!({ "revision": 3 }),
        at(2020, 2, 17, 16),
    )
    .await?;
    flow.review(&mut *conn, people.reviewer, true, "", at(2020, 2, 18, 9))
        .await?;

    // The meeting: placed on the agenda, decided as proposed, adjusted, dispatched.
    let meeting_id = Uuid::new_v4();
    meetings::create(
        &mut *conn,
        meeting_id,
        organ_id,
        at(2020, 3, 17, 12),
        MEETING_PLACE,
    )
    .await?;
    let item = meetings::add_item(&mut *conn, meeting_id, case_id).await?;
    flow.step(
        &mut *conn,
        CaseState::Approved,
        CaseState::OnAgenda,
        people.secretary,
        "case.placed_on_agenda",
        json!({ "meeting": "2020-03-17 13:00", "after_deadline": false }),
        at(2020, 3, 3, 10),
    )
    .await?;
    let revision = reports::latest(&mut *conn, case_id)
        .await?
        .expect("the approved report");
    let paragraph = decisions::next_paragraph(&mut *conn, organ_id, 2020).await?;
    let decided_on = date(2020, 3, 17);
    let decision_id = decisions::insert(
        &mut *conn,
        &decisions::NewDecision {
            case_id,
            agenda_item_id: Some(item),
            paragraph: Some((2020, paragraph)),
            decided_on,
            outcome: DecisionOutcome::Adopted,
            decision_text: "",
            reason: "",
            attendance: ATTENDANCE,
            reservations: &[],
            statements: &[],
            delegation_reference: None,
            revision_id: revision.id,
            decided_by: people.secretary,
            at: at(2020, 3, 17, 13),
        },
    )
    .await?;
    flow.step(
        &mut *conn,
        CaseState::OnAgenda,
        CaseState::Decided,
        people.secretary,
        "case.decided",
        json!({ "outcome": "adopted", "paragraph": format!("§ {paragraph}"), "reason": "" }),
        at(2020, 3, 17, 13),
    )
    .await?;
    meetings::adjust(
        &mut *conn,
        meeting_id,
        date(2020, 3, 20),
        "Ordföranden och justerande ledamot",
    )
    .await?;
    decisions::dispatch(
        &mut *conn,
        case_id,
        decision_id,
        date(2020, 3, 24),
        "Kommunstyrelsen",
        people.secretary,
        at(2020, 3, 24, 9),
    )
    .await?;
    flow.step(
        &mut *conn,
        CaseState::Decided,
        CaseState::Answered,
        people.secretary,
        "case.dispatched",
        json!({ "dispatched_on": "2020-03-24", "recipient": "Kommunstyrelsen" }),
        at(2020, 3, 24, 9),
    )
    .await
}

const ATTENDANCE: &str = "Ledamöter: ordföranden, vice ordföranden och nämndens övriga ledamöter enligt protokollets närvarolista.";
