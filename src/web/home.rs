//! The start page (each person's own work first, most urgent first) and the
//! organ's planning view with its timeline.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::session::CurrentUser;
use super::views::{Layout, page};
use super::{AppError, AppState};
use crate::db;
use crate::db::meetings::Meeting;
use crate::db::organs::Organ;
use crate::db::users::OrganRole;
use crate::db::work::{OpenCase, OpenCaseFilter, RecentReferral};
use crate::domain::dates::{days_left, days_left_sv, format_stockholm, stockholm_date};
use crate::domain::planning::{LeadTimes, Plan, PlanStatus, Progress, plan};
use crate::domain::{CaseState, Dnr, Role};

/// A case with its plan, as lists show it.
pub struct WorkItem {
    pub case: OpenCase,
    pub plan: Plan,
    pub deadline_text: String,
}

impl WorkItem {
    pub fn status_class(&self) -> &'static str {
        self.plan.status.as_str()
    }
}

fn progress(case: &OpenCase) -> Progress {
    match case.state {
        CaseState::Registered => Progress::NotStarted,
        CaseState::Drafting => Progress::Drafting,
        CaseState::InReview => Progress::InReview,
        CaseState::Approved => Progress::Approved,
        CaseState::OnAgenda => match case.meeting {
            Some(at) => Progress::OnAgenda {
                meeting: stockholm_date(at),
            },
            None => Progress::Approved,
        },
        CaseState::Decided | CaseState::Answered | CaseState::Declined => Progress::Decided,
    }
}

/// Plans every case against its organ's meetings and lead times, most urgent
/// first (then earliest deadline).
pub async fn plan_cases(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    cases: Vec<OpenCase>,
    today: NaiveDate,
) -> Result<Vec<WorkItem>, AppError> {
    if cases.is_empty() {
        return Ok(Vec::new());
    }
    let mut organ_ids: Vec<Uuid> = cases.iter().map(|c| c.organ_id).collect();
    organ_ids.sort();
    organ_ids.dedup();
    let mut meetings: HashMap<Uuid, Vec<NaiveDate>> = HashMap::new();
    let since = Utc::now() - chrono::TimeDelta::days(1);
    for (organ, at) in db::work::meeting_dates(&mut *conn, &organ_ids, since).await? {
        meetings.entry(organ).or_default().push(stockholm_date(at));
    }
    let organs: HashMap<Uuid, Organ> = state
        .ctx
        .organs
        .list(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let mut items: Vec<WorkItem> = cases
        .into_iter()
        .map(|case| {
            let lead = organs
                .get(&case.organ_id)
                .map(|o| LeadTimes {
                    review_days: o.review_days.unsigned_abs(),
                    agenda_closing_days: o.agenda_closing_days.unsigned_abs(),
                })
                .unwrap_or_default();
            let dates = meetings
                .get(&case.organ_id)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            WorkItem {
                plan: plan(case.deadline, today, progress(&case), dates, lead),
                deadline_text: days_left_sv(days_left(case.deadline, today)),
                case,
            }
        })
        .collect();
    items.sort_by(|a, b| {
        b.plan
            .status
            .cmp(&a.plan.status)
            .then(a.case.deadline.cmp(&b.case.deadline))
    });
    Ok(items)
}

pub struct MeetingView {
    pub meeting: Meeting,
    pub when: String,
}

pub struct OverdueView {
    pub id: Uuid,
    pub dnr: Dnr,
    pub title: String,
    pub deadline: NaiveDate,
    pub state: CaseState,
    pub late: String,
}

/// A start-page list: the most urgent cases, and how many there are in all.
pub struct WorkSection {
    pub items: Vec<WorkItem>,
    pub total: i64,
}

impl WorkSection {
    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether more cases wait than the list shows.
    pub fn is_cut(&self) -> bool {
        (self.items.len() as i64) < self.total
    }

    fn urgent(&self) -> bool {
        self.items
            .iter()
            .any(|i| i.plan.status != PlanStatus::OnTrack)
    }
}

/// Rows of each of the registrar's lists (late cases, personnummer found).
const REGISTRAR_LIST_SIZE: i64 = 20;

/// A count of a list that may have been cut: "20+" rather than a wrong "20".
fn at_least(shown: usize, cut: bool) -> String {
    if cut {
        format!("{shown}+")
    } else {
        shown.to_string()
    }
}

/// Cases per start-page list. Each list takes the earliest deadlines (whatever
/// the organ's size); planning then orders them by urgency.
const SECTION_SIZE: i64 = 25;

#[derive(Template)]
#[template(path = "home/start.html")]
struct StartPage {
    layout: Layout,
    display_name: String,
    roles: Vec<OrganRole>,
    is_admin: bool,
    /// (what, how many, anchor, urgent) for the counts on top.
    counts: Vec<(&'static str, String, &'static str, bool)>,
    my_cases: WorkSection,
    to_review: WorkSection,
    to_assign: WorkSection,
    waiting_agenda: WorkSection,
    next_meetings: Vec<MeetingView>,
    recent: Vec<(RecentReferral, String)>,
    overdue: Vec<OverdueView>,
    /// More cases are overdue than the list shows.
    overdue_cut: bool,
    flagged: Vec<(RecentReferral, String)>,
    flagged_cases: Vec<(Uuid, Dnr, String)>,
    /// Organs whose planning view the user may open.
    planning_organs: Vec<(Uuid, String)>,
    is_registrar: bool,
}

fn organs_with(user: &CurrentUser, roles: &[Role]) -> Vec<Uuid> {
    let mut organs: Vec<Uuid> = user
        .user
        .roles
        .iter()
        .filter(|r| roles.contains(&r.role))
        .map(|r| r.organ_id)
        .collect();
    organs.sort();
    organs.dedup();
    organs
}

pub async fn start_page(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let today = stockholm_date(Utc::now());
    let officer_in = organs_with(&user, &[Role::Officer]);
    let reviewer_in = organs_with(&user, &[Role::Reviewer]);
    let secretary_in = organs_with(&user, &[Role::Secretary]);
    let assigner_in = organs_with(&user, &[Role::Reviewer, Role::Registrar]);
    // Each list is one state (or two) of the workflow, so no case is in two lists.
    let wanted = [
        (&officer_in, &[CaseState::Drafting][..], Some(user.id())),
        (&reviewer_in, &[CaseState::InReview][..], None),
        (&assigner_in, &[CaseState::Registered][..], None),
        (
            &secretary_in,
            &[CaseState::Approved, CaseState::Decided][..],
            None,
        ),
    ];
    let mut cases = Vec::new();
    let mut totals = [0; 4];
    for (total, (organs, states, officer)) in totals.iter_mut().zip(wanted) {
        if organs.is_empty() {
            continue;
        }
        let filter = OpenCaseFilter {
            organs,
            states,
            officer,
            after: None,
        };
        let (found, all) = db::work::open_cases(&mut conn, filter, SECTION_SIZE).await?;
        cases.extend(found);
        *total = all;
    }
    let [
        mut my_cases,
        mut to_review,
        mut to_assign,
        mut waiting_agenda,
    ] = totals.map(|total| WorkSection {
        items: Vec::new(),
        total,
    });
    for item in plan_cases(&state, &mut conn, cases, today).await? {
        match item.case.state {
            CaseState::Drafting => my_cases.items.push(item),
            CaseState::InReview => to_review.items.push(item),
            CaseState::Registered => to_assign.items.push(item),
            _ => waiting_agenda.items.push(item),
        }
    }

    let next_meetings = if secretary_in.is_empty() {
        Vec::new()
    } else {
        db::meetings::for_organs(&mut conn, &secretary_in)
            .await?
            .into_iter()
            .filter(|m| m.adjusted_on.is_none())
            .take(5)
            .map(|meeting| MeetingView {
                when: format_stockholm(meeting.starts_at),
                meeting,
            })
            .collect()
    };
    let registrar = user.is_registrar();
    let stamp = |r: RecentReferral| {
        let at = format_stockholm(r.created_at);
        (r, at)
    };
    let mut flagged_cases = if registrar {
        db::cases::flagged(&mut conn, REGISTRAR_LIST_SIZE + 1).await?
    } else {
        Vec::new()
    };
    let (recent, mut overdue, mut flagged) = if registrar {
        let recent = db::work::recent_referrals(&mut conn, 8)
            .await?
            .into_iter()
            .map(stamp)
            .collect();
        let overdue = db::work::overdue(&mut conn, today, REGISTRAR_LIST_SIZE + 1)
            .await?
            .into_iter()
            .map(|(id, dnr, title, deadline, state)| OverdueView {
                late: days_left_sv(days_left(deadline, today)),
                id,
                dnr,
                title,
                deadline,
                state,
            })
            .collect();
        let flagged = db::work::flagged_referrals(&mut conn, REGISTRAR_LIST_SIZE + 1)
            .await?
            .into_iter()
            .map(stamp)
            .collect();
        (recent, overdue, flagged)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };

    let mut counts = Vec::new();
    for (shown, label, section, anchor) in [
        (
            !officer_in.is_empty(),
            "Dina ärenden under beredning",
            &my_cases,
            "#mina-arenden",
        ),
        (
            !reviewer_in.is_empty(),
            "Utkast att granska",
            &to_review,
            "#att-granska",
        ),
        (
            !assigner_in.is_empty(),
            "Ärenden att tilldela",
            &to_assign,
            "#att-tilldela",
        ),
        (
            !secretary_in.is_empty(),
            "Väntar på sammanträde eller expediering",
            &waiting_agenda,
            "#vantar",
        ),
    ] {
        if shown {
            counts.push((label, section.total.to_string(), anchor, section.urgent()));
        }
    }
    // The registrar's lists are fetched one row long, to tell that there are more.
    let limit = REGISTRAR_LIST_SIZE as usize;
    let overdue_cut = overdue.len() > limit;
    overdue.truncate(limit);
    let flagged_cut = flagged.len() > limit || flagged_cases.len() > limit;
    flagged.truncate(limit);
    flagged_cases.truncate(limit);
    if registrar {
        counts.push((
            "Öppna ärenden efter sista svarsdag",
            at_least(overdue.len(), overdue_cut),
            "#forsenade",
            !overdue.is_empty(),
        ));
        if !flagged.is_empty() || !flagged_cases.is_empty() {
            counts.push((
                "Remisser och yttranden med personnummer",
                at_least(flagged.len() + flagged_cases.len(), flagged_cut),
                "#personnummer",
                true,
            ));
        }
    }
    let organ_names: HashMap<Uuid, String> = user
        .user
        .roles
        .iter()
        .map(|r| (r.organ_id, r.organ_name.clone()))
        .collect();
    let mut planning_organs: Vec<(Uuid, String)> = organ_names.into_iter().collect();
    planning_organs.sort_by(|a, b| a.1.cmp(&b.1));

    page(&StartPage {
        layout: Layout::new("Start", &user, "start"),
        display_name: user.user.display_name.clone(),
        roles: user.user.roles.clone(),
        is_admin: user.is_admin(),
        counts,
        my_cases,
        to_review,
        to_assign,
        waiting_agenda,
        next_meetings,
        recent,
        overdue,
        overdue_cut,
        flagged,
        flagged_cases,
        planning_organs,
        is_registrar: registrar,
    })
}

/// One row of the planning timeline, in SVG coordinates.
pub struct TimelineRow {
    pub item: WorkItem,
    pub y: i64,
    pub deadline_x: i64,
    pub submit_x: Option<i64>,
    pub approve_x: Option<i64>,
    pub meeting_x: Option<i64>,
}

#[derive(Template)]
#[template(path = "home/planning.html")]
struct PlanningPage {
    layout: Layout,
    organ: Organ,
    rows: Vec<TimelineRow>,
    width: i64,
    height: i64,
    today_x: i64,
    /// Month ticks: (x, label).
    ticks: Vec<(i64, String)>,
}

const TIMELINE_WIDTH: i64 = 900;
const ROW_HEIGHT: i64 = 28;

/// Every open case of an organ with its planned dates, as a table and a timeline.
pub async fn planning(
    State(state): State<AppState>,
    user: CurrentUser,
    super::ids::Id(id): super::ids::Id,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let organ = db::organs::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    user.require(user.works_in(organ.id))?;
    let today = stockholm_date(Utc::now());
    let open_states: Vec<CaseState> = CaseState::ALL.into_iter().filter(|s| s.is_open()).collect();
    let filter = OpenCaseFilter {
        organs: &[organ.id],
        states: &open_states,
        officer: None,
        after: None,
    };
    let (open, _) = db::work::open_cases(&mut conn, filter, i64::MAX).await?;
    let items = plan_cases(&state, &mut conn, open, today).await?;

    // The time axis runs from a week ago to a week after the last date shown.
    let start = today - chrono::Days::new(7);
    let last = items
        .iter()
        .flat_map(|i| [Some(i.case.deadline), i.plan.meeting])
        .flatten()
        .filter(|d| *d >= today)
        .max()
        .unwrap_or(today)
        .max(today + chrono::Days::new(30))
        + chrono::Days::new(7);
    let span = (last - start).num_days().max(1);
    let x = |date: NaiveDate| ((date - start).num_days().clamp(0, span) * TIMELINE_WIDTH) / span;
    let ticks = month_starts(start, last)
        .into_iter()
        .map(|d| (x(d), d.format("%Y-%m").to_string()))
        .collect();
    let rows: Vec<TimelineRow> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| TimelineRow {
            y: 30 + i as i64 * ROW_HEIGHT,
            deadline_x: x(item.case.deadline),
            submit_x: item.plan.submit_by.map(x),
            approve_x: item.plan.approve_by.map(x),
            meeting_x: item.plan.meeting.map(x),
            item,
        })
        .collect();
    page(&PlanningPage {
        layout: Layout::new(format!("Planering för {}", organ.name), &user, "start")
            .crumb("Start", "/"),
        height: 40 + rows.len() as i64 * ROW_HEIGHT,
        width: TIMELINE_WIDTH,
        today_x: x(today),
        rows,
        ticks,
        organ,
    })
}

fn month_starts(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    use chrono::Datelike;
    let mut months = Vec::new();
    let mut date = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).expect("first of month");
    while date <= to {
        if date >= from {
            months.push(date);
        }
        date = date + chrono::Months::new(1);
    }
    months
}
