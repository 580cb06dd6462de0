//! The demo city: four organs, one account per role, and the remiss of the
//! reference document (KS 2019/1939) with a few current ones beside it.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{organs, referrals, users};
use crate::domain::DiariumPrefix;
use crate::domain::Role;
use crate::domain::organ::OrganDetails;
use crate::domain::referral::{NewReferral, ReferralDetails, Sender};
use crate::domain::user::NewUser;

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
            password: String::new(),
        };
        users::insert(&mut *conn, id, &user, password_hash, true).await?;
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
    referrals::register(&mut *conn, registrar, &reference, at(2020, 1, 20, 9)).await?;

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
    for (days_ago, referral) in [(12, &current[0]), (30, &current[1])] {
        let registered_at = now - chrono::Duration::days(days_ago);
        referrals::register(&mut *conn, registrar, referral, registered_at).await?;
    }
    Ok(())
}
