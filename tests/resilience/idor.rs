//! One organ's people against another organ's cases, through the real binary: a
//! user of Socialnämnden with every role there but registrar (officer, reviewer,
//! secretary) tries every case and meeting route of Arbetsmarknadsnämnden's cases
//! in every state, and slips AMN's ids into SN's own forms. Every attempt to
//! change something is refused and changes nothing; what is read shows neither
//! working material nor an unmasked personnummer.

use uuid::Uuid;

use crate::city::{changed, fingerprint, organ_id, user_id};
use crate::crew::{ATTENDANCE, Crew, draft, today};
use crate::harness::{Cluster, Remiss, beside_others};
use crate::http::Browser;

/// A personnummer with a valid check digit, written into every AMN draft.
const PERSONNUMMER: [&str; 2] = ["811218-9876", "8112189876"];

/// AMN's working material in a case in `state`: only AMN may read it until the
/// case is decided.
fn working_material(state: &str) -> String {
    format!("ARBETSMATERIAL-{state}")
}

struct AmnCase {
    state: &'static str,
    id: Uuid,
    referral: Uuid,
    meeting: Option<Uuid>,
}

struct Scene {
    _cluster: Cluster,
    _remiss: Remiss,
    crew: Crew,
    outsider: Browser,
    token: String,
    cases: Vec<AmnCase>,
    sn_meeting: Uuid,
}

/// AMN's cases in every state, and SN's officer made reviewer and secretary too,
/// signed in, with a meeting of SN's own.
async fn scene() -> Scene {
    let cluster = Cluster::start().await;
    let remiss = Remiss::start(&cluster).await;
    let pool = cluster.pool().await;
    let mut crew = Crew::new(&remiss.base(), pool.clone()).await;
    let mut cases = Vec::new();
    for state in [
        "registered",
        "drafting",
        "in_review",
        "approved",
        "on_agenda",
        "decided",
        "answered",
        "declined",
    ] {
        let id = crew
            .register(&format!("Remiss om arbetsmarknadsinsatser ({state})"))
            .await;
        let text = format!(
            "{} Kontaktperson Anna Andersson, {}.",
            working_material(state),
            PERSONNUMMER[0]
        );
        let draft = [("considerations", text.as_str())];
        let meeting = if state == "declined" {
            crew.take_to(id, "drafting", &draft).await;
            let declined = crew.decline(id, "Remissen berör inte nämnden.").await;
            assert_eq!(declined.status, 303, "declining:\n{}", declined.body);
            None
        } else {
            crew.take_to(id, state, &draft).await
        };
        let referral = sqlx::query_scalar("SELECT referral_id FROM cases WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
        cases.push(AmnCase {
            state,
            id,
            referral,
            meeting,
        });
    }

    sqlx::query(
        "INSERT INTO user_roles (user_id, organ_id, role)
         SELECT u.id, u.organ_id, r FROM users u, unnest(ARRAY['granskare', 'sekreterare']) r
         WHERE u.username = 'handlaggare.sn'",
    )
    .execute(&pool)
    .await
    .expect("SN's officer is made reviewer and secretary");
    let mut outsider = Browser::new(&remiss.base());
    outsider.login_as("handlaggare.sn").await;
    let sn = organ_id(&pool, "SN").await.to_string();
    let planned = outsider
        .submit(
            "/sammantraden",
            "/sammantraden",
            &[
                ("organ", &sn),
                ("date", &crate::crew::meeting_day()),
                ("time", "09:00"),
                ("place", "Socialförvaltningen"),
            ],
        )
        .await;
    let sn_meeting = planned
        .location()
        .and_then(|l| l.strip_prefix("/sammantraden/"))
        .and_then(|id| Uuid::parse_str(id).ok())
        .unwrap_or_else(|| panic!("SN plans its own meeting:\n{}", planned.body));
    let token = outsider.get("/").await.csrf_token();
    Scene {
        _cluster: cluster,
        _remiss: remiss,
        crew,
        outsider,
        token,
        cases,
        sn_meeting,
    }
}

impl Scene {
    async fn latest_revision(&self, case: Uuid) -> String {
        self.crew.latest_revision(case).await.to_string()
    }

    /// The version a page of this row would put in its forms.
    async fn version(&self, table: &str, id: Uuid) -> String {
        let version: i32 =
            sqlx::query_scalar(&format!("SELECT version FROM {table} WHERE id = $1"))
                .bind(id)
                .fetch_one(&self.crew.pool)
                .await
                .unwrap();
        version.to_string()
    }

    async fn agenda_item(&self, case: Uuid) -> Option<Uuid> {
        sqlx::query_scalar("SELECT id FROM agenda_items WHERE case_id = $1 LIMIT 1")
            .bind(case)
            .fetch_optional(&self.crew.pool)
            .await
            .unwrap()
    }

    /// Posts as the outsider and checks the refusal: one of `refusals`, and no
    /// table changed.
    async fn assert_refused(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        refusals: &[u16],
        context: &str,
    ) {
        let before = fingerprint(&self.crew.pool).await;
        let mut all = vec![("csrf_token", self.token.as_str())];
        all.extend_from_slice(fields);
        let response = self.outsider.post_raw(path, &all).await;
        let after = fingerprint(&self.crew.pool).await;
        assert!(
            changed(&before, &after).is_empty(),
            "SN's user changed {:?} with POST {path} ({context}), answered {}",
            changed(&before, &after),
            response.status
        );
        assert!(
            refusals.contains(&response.status),
            "SN's user: POST {path} ({context}) is refused with one of {refusals:?}, got {}:\n{}",
            response.status,
            response.body
        );
    }
}

/// 403 or 404; 409 where the case is not in the state for the step at all.
const REFUSED: [u16; 3] = [403, 404, 409];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_of_another_organ_changes_nothing_through_any_case_or_meeting_route() {
    let _turn = beside_others().await;
    let mut scene = scene().await;
    let pool = scene.crew.pool.clone();
    let amn_officer = user_id(&pool, "handlaggare").await.to_string();
    let own_officer = user_id(&pool, "handlaggare.sn").await.to_string();
    let sn_meeting = scene.sn_meeting.to_string();
    let amn_meetings: Vec<Uuid> = scene.cases.iter().filter_map(|c| c.meeting).collect();
    let amn_meeting = amn_meetings[0].to_string();
    let day = today();
    let cases: Vec<(&'static str, Uuid, Uuid)> = scene
        .cases
        .iter()
        .map(|c| (c.state, c.id, c.referral))
        .collect();

    for (state, case, referral) in cases {
        let latest = scene.latest_revision(case).await;
        // What the organ's own forms would carry: the case's and the remiss's
        // versions, so that the refusal is for who sends it, not for what is missing.
        let version = scene.version("cases", case).await;
        let referral_version = scene.version("referrals", referral).await;
        let context = format!("AMN's case in {state}");
        let base = format!("/arenden/{case}");
        let edit = draft(&[
            ("base", &latest),
            ("considerations", "Ändrat av fel nämnd."),
        ]);
        let attempts: Vec<(String, Vec<(&str, &str)>)> = vec![
            (format!("{base}/tilldela"), vec![("officer", &amn_officer)]),
            (format!("{base}/tilldela"), vec![("officer", &own_officer)]),
            (format!("{base}/skicka"), vec![("revision", &latest)]),
            (format!("{base}/godkann"), vec![("revision", &latest)]),
            (
                format!("{base}/atersand"),
                vec![("revision", &latest), ("comment", "Skriv om allt.")],
            ),
            (
                format!("{base}/dagordning"),
                vec![("meeting", &amn_meeting)],
            ),
            (format!("{base}/dagordning"), vec![("meeting", &sn_meeting)]),
            (
                format!("{base}/delegationsbeslut"),
                vec![("reference", "Delegationsordning 1.4")],
            ),
            (
                format!("{base}/expediera"),
                vec![("dispatched_on", &day), ("recipient", "Angriparen")],
            ),
            (
                format!("{base}/avboj"),
                vec![("reason", "Fel nämnd avböjer.")],
            ),
            (format!("{base}/utkast"), edit),
            (
                format!("/remisser/{referral}"),
                vec![
                    ("version", &referral_version),
                    ("title", "Ändrad av fel nämnd"),
                    ("sender_name", "Angriparen"),
                    ("received_on", &day),
                    ("deadline", &day),
                ],
            ),
        ];
        for (path, mut fields) in attempts {
            if path.starts_with("/arenden/") {
                fields.push(("version", &version));
            }
            scene
                .assert_refused(&path, &fields, &REFUSED, &context)
                .await;
        }
        if let Some(item) = scene.agenda_item(case).await {
            let item = item.to_string();
            for meeting in &amn_meetings {
                let meeting_version = scene.version("meetings", *meeting).await;
                let page = format!("/sammantraden/{meeting}");
                let attempts: Vec<(String, Vec<(&str, &str)>)> = vec![
                    (
                        format!("{page}/ordning"),
                        vec![("item", &item), ("direction", "down")],
                    ),
                    (
                        format!("{page}/beslut"),
                        vec![
                            ("item", &item),
                            ("outcome", "adopted"),
                            ("attendance", ATTENDANCE),
                        ],
                    ),
                    (
                        format!("{page}/justering"),
                        vec![("adjusted_on", &day), ("adjusted_by", "Angriparen")],
                    ),
                ];
                for (path, mut fields) in attempts {
                    fields.push(("version", &meeting_version));
                    scene
                        .assert_refused(&path, &fields, &REFUSED, &context)
                        .await;
                }
            }
            // AMN's agenda item slipped into SN's own meeting's forms.
            let own = format!("/sammantraden/{sn_meeting}");
            let attempts: Vec<(String, Vec<(&str, &str)>)> = vec![
                (
                    format!("{own}/ordning"),
                    vec![("item", &item), ("direction", "up")],
                ),
                (
                    format!("{own}/beslut"),
                    vec![
                        ("item", &item),
                        ("outcome", "adopted"),
                        ("attendance", ATTENDANCE),
                    ],
                ),
            ];
            for (path, fields) in attempts {
                scene
                    .assert_refused(
                        &path,
                        &fields,
                        &[400, 403, 404, 409, 422],
                        &format!("{context}, through SN's meeting"),
                    )
                    .await;
            }
        }
    }
    // The administration is not theirs either.
    let amn = organ_id(&pool, "AMN").await;
    let amn_text = amn.to_string();
    let attempts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("/admin/organ/{amn}"),
            vec![
                ("version", "1"),
                ("name", "Kapad nämnd"),
                ("diarium_prefix", "AMN"),
                ("administration", "X"),
            ],
        ),
        (
            format!("/admin/anvandare/{own_officer}/roller"),
            vec![("organ", &amn_text), ("role", "sekreterare")],
        ),
        (
            format!("/admin/anvandare/{amn_officer}/aktiv"),
            vec![("active", "false")],
        ),
    ];
    for (path, fields) in attempts {
        scene
            .assert_refused(&path, &fields, &[403, 404], "the administration")
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_of_another_organ_reads_neither_drafts_nor_unmasked_personnummer_on_any_route() {
    let _turn = beside_others().await;
    let mut scene = scene().await;
    let pool = scene.crew.pool.clone();
    let amn = organ_id(&pool, "AMN").await;
    let mut pages: Vec<(&'static str, String)> = vec![
        ("AMN", format!("/organ/{amn}/planering")),
        ("AMN", "/admin".to_string()),
        ("AMN", format!("/admin/organ/{amn}")),
    ];
    for case in &scene.cases {
        let base = format!("/arenden/{}", case.id);
        for suffix in [
            "",
            "/granskning",
            "/utkast",
            "/versioner",
            "/tjansteutlatande",
            "/yttrande",
        ] {
            pages.push((case.state, format!("{base}{suffix}")));
        }
        let decisions: Vec<Uuid> =
            sqlx::query_scalar("SELECT id FROM decisions WHERE case_id = $1")
                .bind(case.id)
                .fetch_all(&pool)
                .await
                .unwrap();
        for decision in decisions {
            pages.push((case.state, format!("{base}/protokollsutdrag/{decision}")));
        }
        let referral = format!("/remisser/{}", case.referral);
        for suffix in ["", "/redigera", "/sammanstallning", "/sammanstallning.csv"] {
            pages.push((case.state, format!("{referral}{suffix}")));
        }
        if let Some(meeting) = case.meeting {
            pages.push((case.state, format!("/sammantraden/{meeting}")));
        }
    }
    pages.push(("search", "/sok?q=ARBETSMATERIAL".to_string()));
    pages.push(("search", "/sok?q=Kontaktperson+Anna+Andersson".to_string()));
    pages.push(("search", "/remisser".to_string()));
    pages.push(("search", "/".to_string()));

    let mut leaks = Vec::new();
    for (state, path) in pages {
        let response = scene.outsider.get(&path).await;
        assert!(
            response.status < 500,
            "SN's user: GET {path} answered {}:\n{}",
            response.status,
            response.body
        );
        // The organ's own pages of work are not for others at all.
        let insiders_only = [
            "/granskning",
            "/utkast",
            "/versioner",
            "/planering",
            "/admin",
        ]
        .iter()
        .any(|p| path.contains(p))
            || path.starts_with("/sammantraden/")
            || path.ends_with("/redigera");
        if insiders_only {
            assert!(
                [403, 404].contains(&response.status),
                "SN's user: GET {path} is refused, got {}",
                response.status
            );
            continue;
        }
        if response.status != 200 {
            continue;
        }
        let decided = ["decided", "answered"].contains(&state);
        let drafts_of_open_cases: Vec<String> = [
            "registered",
            "drafting",
            "in_review",
            "approved",
            "on_agenda",
            "declined",
        ]
        .iter()
        .map(|s| working_material(s))
        .collect();
        for marker in &drafts_of_open_cases {
            if response.body.contains(marker.as_str()) {
                leaks.push(format!("GET {path} shows AMN's working material {marker}"));
            }
        }
        for number in PERSONNUMMER {
            if response.body.contains(number) {
                leaks.push(format!(
                    "GET {path} shows the personnummer {number} unmasked{}",
                    if decided { " (issue 10, §6)" } else { "" }
                ));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "what SN's user read of AMN's cases:\n{}",
        leaks.join("\n")
    );
}
