//! The people of the demo city who take an AMN case from registration to the
//! dispatched yttrande, each in their own browser, through the real pages: every
//! form is filled in as the page offers it (with its hidden fields), so that
//! whatever a page adds to a form (a revision, a version) is sent as a browser
//! would send it.

use sqlx::PgPool;
use uuid::Uuid;

use crate::city::{organ_id, user_id};
use crate::http::{Browser, Response};
use crate::load::dates;

static NEXT_SENDER_NUMBER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

pub const PROPOSAL: &str = "Arbetsmarknadsnämnden beslutar att hänvisa till förvaltningens tjänsteutlåtande som sitt yttrande över remissen.";
pub const ATTENDANCE: &str = "Ordförande Anna Andersson (S), Bertil Berg (M), Cecilia Ceder (V)";

/// Yesterday: meetings are held before their decisions are recorded.
pub fn meeting_day() -> String {
    let today = remiss::domain::dates::stockholm_date(chrono::Utc::now());
    (today - chrono::Days::new(1)).to_string()
}

pub fn today() -> String {
    dates().0
}

/// The editor's fields for a complete draft, with `overrides` typed over them.
pub fn draft<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        (
            "title",
            "Remiss om en regional strategi för kompetensförsörjning",
        ),
        ("proposals", PROPOSAL),
        (
            "summary",
            "Förvaltningen ställer sig i huvudsak positiv till strategin.",
        ),
        (
            "preparation",
            "Ärendet har beretts inom arbetsmarknadsförvaltningen.",
        ),
        (
            "background",
            "Regionen har remitterat strategin till stadens nämnder.",
        ),
        (
            "considerations",
            "Förvaltningen har inga invändningar mot strategins inriktning.",
        ),
        ("signatory_name", "Karina Uddén"),
        ("signatory_title", "arbetsmarknadsdirektör"),
    ];
    fields.retain(|(name, _)| !overrides.iter().any(|(o, _)| o == name));
    fields.extend_from_slice(overrides);
    fields.push(("action", "save"));
    fields
}

#[derive(Clone)]
pub struct Crew {
    pub pool: PgPool,
    pub registrar: Browser,
    pub officer: Browser,
    pub reviewer: Browser,
    pub secretary: Browser,
    amn: Uuid,
}

fn assert_done(response: &Response, what: &str) {
    assert_eq!(
        response.status, 303,
        "{what} should succeed:\n{}",
        response.body
    );
}

impl Crew {
    /// The registrar, and AMN's officer, reviewer and secretary, signed in.
    pub async fn new(base: &str, pool: PgPool) -> Crew {
        let mut crew = Crew {
            amn: organ_id(&pool, "AMN").await,
            pool,
            registrar: Browser::new(base),
            officer: Browser::new(base),
            reviewer: Browser::new(base),
            secretary: Browser::new(base),
        };
        crew.registrar.login_as("registrator").await;
        crew.officer.login_as("handlaggare").await;
        crew.reviewer.login_as("granskare").await;
        crew.secretary.login_as("sekreterare").await;
        crew
    }

    /// The same people in other tabs, on connections of their own.
    pub fn another_tab(&self) -> Crew {
        Crew {
            registrar: self.registrar.another_tab(),
            officer: self.officer.another_tab(),
            reviewer: self.reviewer.another_tab(),
            secretary: self.secretary.another_tab(),
            ..self.clone()
        }
    }

    /// Shows every answer any of them gets to `observer`.
    pub fn observe(&mut self, observer: crate::http::Observer) {
        for browser in [
            &mut self.registrar,
            &mut self.officer,
            &mut self.reviewer,
            &mut self.secretary,
        ] {
            browser.observe(observer.clone());
        }
    }

    /// Registers a remiss to AMN with `overrides` typed over the usual fields;
    /// the answer, and AMN's new case if it was registered.
    pub async fn register_with(&mut self, overrides: &[(&str, &str)]) -> (Response, Option<Uuid>) {
        let (received, deadline) = dates();
        let amn = self.amn.to_string();
        // Each remiss its own number at the sender: none is a likely duplicate.
        let sender_dnr = format!(
            "RS 2026/{:04}",
            NEXT_SENDER_NUMBER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let mut fields = vec![
            (
                "title",
                "Remiss om en regional strategi för kompetensförsörjning",
            ),
            ("sender_name", "Region Stockholm"),
            ("sender_dnr", sender_dnr.as_str()),
            ("description", "Regionen vill ha synpunkter på strategin."),
            ("received_on", received.as_str()),
            ("deadline", deadline.as_str()),
            ("respondents", amn.as_str()),
        ];
        fields.retain(|(name, _)| !overrides.iter().any(|(o, _)| o == name));
        fields.extend_from_slice(overrides);
        let response = self
            .registrar
            .submit("/remisser/ny", "/remisser", &fields)
            .await;
        let referral = response
            .location()
            .and_then(|l| l.strip_prefix("/remisser/"))
            .and_then(|id| Uuid::parse_str(id).ok());
        let case = match referral {
            Some(referral) if response.status == 303 => Some(
                sqlx::query_scalar("SELECT id FROM cases WHERE referral_id = $1 AND organ_id = $2")
                    .bind(referral)
                    .bind(self.amn)
                    .fetch_one(&self.pool)
                    .await
                    .expect("AMN's case of the new remiss"),
            ),
            _ => None,
        };
        (response, case)
    }

    /// A new AMN case, registered with the usual fields.
    pub async fn register(&mut self, title: &str) -> Uuid {
        let (response, case) = self.register_with(&[("title", title)]).await;
        case.unwrap_or_else(|| panic!("registration should succeed:\n{}", response.body))
    }

    pub async fn state(&self, case: Uuid) -> String {
        sqlx::query_scalar("SELECT state FROM cases WHERE id = $1")
            .bind(case)
            .fetch_one(&self.pool)
            .await
            .expect("the case's state")
    }

    pub async fn latest_revision(&self, case: Uuid) -> i32 {
        sqlx::query_scalar(
            "SELECT coalesce(max(number), 0) FROM report_revisions WHERE case_id = $1",
        )
        .bind(case)
        .fetch_one(&self.pool)
        .await
        .expect("the case's revisions")
    }

    pub async fn assign(&mut self, case: Uuid) -> Response {
        let officer = user_id(&self.pool, "handlaggare").await.to_string();
        self.reviewer
            .submit(
                &format!("/arenden/{case}"),
                &format!("/arenden/{case}/tilldela"),
                &[("officer", &officer)],
            )
            .await
    }

    /// Saves the draft from the editor as it stands, with `overrides` typed in.
    pub async fn save(&mut self, case: Uuid, overrides: &[(&str, &str)]) -> Response {
        let editor = format!("/arenden/{case}/utkast");
        self.officer
            .submit(&editor, &editor, &draft(overrides))
            .await
    }

    pub async fn submit(&mut self, case: Uuid) -> Response {
        self.officer
            .submit(
                &format!("/arenden/{case}"),
                &format!("/arenden/{case}/skicka"),
                &[],
            )
            .await
    }

    pub async fn approve(&mut self, case: Uuid) -> Response {
        self.reviewer
            .submit(
                &format!("/arenden/{case}/granskning"),
                &format!("/arenden/{case}/godkann"),
                &[],
            )
            .await
    }

    /// Plans an AMN meeting yesterday at 13:00 at `place`; its id.
    pub async fn plan_meeting(&mut self, place: &str) -> (Response, Option<Uuid>) {
        let amn = self.amn.to_string();
        let day = meeting_day();
        let response = self
            .secretary
            .submit(
                "/sammantraden",
                "/sammantraden",
                &[
                    ("organ", &amn),
                    ("date", &day),
                    ("time", "13:00"),
                    ("place", place),
                ],
            )
            .await;
        let meeting = response
            .location()
            .and_then(|l| l.strip_prefix("/sammantraden/"))
            .and_then(|id| Uuid::parse_str(id).ok());
        (response, meeting)
    }

    pub async fn meeting(&mut self) -> Uuid {
        let (response, meeting) = self
            .plan_meeting("Södermalmsallén 36, sammanträdesrummet")
            .await;
        meeting.unwrap_or_else(|| panic!("planning a meeting should succeed:\n{}", response.body))
    }

    pub async fn place(&mut self, case: Uuid, meeting: Uuid) -> Response {
        self.secretary
            .submit(
                &format!("/arenden/{case}"),
                &format!("/arenden/{case}/dagordning"),
                &[("meeting", &meeting.to_string())],
            )
            .await
    }

    pub async fn agenda_item(&self, case: Uuid) -> Uuid {
        sqlx::query_scalar(
            "SELECT id FROM agenda_items WHERE case_id = $1 ORDER BY position DESC LIMIT 1",
        )
        .bind(case)
        .fetch_one(&self.pool)
        .await
        .expect("the case is on an agenda")
    }

    /// Records the decision on the case's agenda item, from the meeting's page.
    pub async fn decide(&mut self, meeting: Uuid, case: Uuid, fields: &[(&str, &str)]) -> Response {
        let item = self.agenda_item(case).await.to_string();
        let page = format!("/sammantraden/{meeting}");
        let mut all = vec![("outcome", "adopted"), ("attendance", ATTENDANCE)];
        all.retain(|(name, _)| !fields.iter().any(|(f, _)| f == name));
        all.extend_from_slice(fields);
        let form = self
            .secretary
            .form_where(
                &page,
                &format!("{page}/beslut"),
                Some(("item", &item)),
                &all,
            )
            .await;
        self.secretary.send(&form).await
    }

    pub async fn adjust(&mut self, meeting: Uuid, adjusted_by: &str) -> Response {
        let page = format!("/sammantraden/{meeting}");
        self.secretary
            .submit(
                &page,
                &format!("{page}/justering"),
                &[("adjusted_on", &today()), ("adjusted_by", adjusted_by)],
            )
            .await
    }

    pub async fn dispatch(&mut self, case: Uuid, recipient: &str) -> Response {
        self.secretary
            .submit(
                &format!("/arenden/{case}"),
                &format!("/arenden/{case}/expediera"),
                &[("dispatched_on", &today()), ("recipient", recipient)],
            )
            .await
    }

    pub async fn decline(&mut self, case: Uuid, reason: &str) -> Response {
        self.reviewer
            .submit(
                &format!("/arenden/{case}"),
                &format!("/arenden/{case}/avboj"),
                &[("reason", reason)],
            )
            .await
    }

    /// Takes the case forward with the usual content until it is in `target`
    /// (registered, drafting, in_review, approved, on_agenda, decided, answered),
    /// with `draft` typed into its report. A meeting is planned when one is needed;
    /// it is returned.
    pub async fn take_to(
        &mut self,
        case: Uuid,
        target: &str,
        draft: &[(&str, &str)],
    ) -> Option<Uuid> {
        let mut meeting = None;
        let mut saved = false;
        loop {
            let now = self.state(case).await;
            if now == target && (now != "drafting" || saved) {
                return meeting;
            }
            let response = match now.as_str() {
                "registered" => self.assign(case).await,
                "drafting" => {
                    assert_done(&self.save(case, draft).await, "saving the draft");
                    saved = true;
                    if target == "drafting" {
                        return meeting;
                    }
                    self.submit(case).await
                }
                "in_review" => self.approve(case).await,
                "approved" => {
                    let id = match meeting {
                        Some(id) => id,
                        None => self.meeting().await,
                    };
                    meeting = Some(id);
                    self.place(case, id).await
                }
                "on_agenda" => {
                    let id = meeting.expect("placed on a meeting planned here");
                    self.decide(id, case, &[]).await
                }
                "decided" => {
                    if let Some(id) = meeting {
                        assert_done(
                            &self.adjust(id, "Ordföranden och Bertil Berg").await,
                            "justering",
                        );
                    }
                    self.dispatch(case, "Region Stockholm").await
                }
                other => panic!("no way from {other} to {target}"),
            };
            assert_done(&response, &format!("the step from {now} towards {target}"));
        }
    }
}
