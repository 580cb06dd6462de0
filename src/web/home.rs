//! The start page (each person's own work first, most urgent first) and the
//! organ's planning view with its timeline.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
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
use crate::db::work::{OpenCase, RecentReferral};
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
    conn: &mut sqlx::PgConnection,
    cases: Vec<OpenCase>,
    today: NaiveDate,
) -> Result<Vec<WorkItem>, AppError> {
    let mut organ_ids: Vec<Uuid> = cases.iter().map(|c| c.organ_id).collect();
    organ_ids.sort();
    organ_ids.dedup();
    let mut meetings: HashMap<Uuid, Vec<NaiveDate>> = HashMap::new();
    let since = Utc::now() - chrono::TimeDelta::days(1);
    for (organ, at) in db::work::meeting_dates(&mut *conn, &organ_ids, since).await? {
        meetings.entry(organ).or_default().push(stockholm_date(at));
    }
    let organs: HashMap<Uuid, Organ> = db::organs::list(conn)
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

#[derive(Template)]
#[template(path = "home/start.html")]
struct StartPage {
    layout: Layout,
    display_name: String,
    roles: Vec<OrganRole>,
    is_admin: bool,
    /// (what, how many, anchor) for the counts on top.
    counts: Vec<(&'static str, usize, &'static str, bool)>,
    my_cases: Vec<WorkItem>,
    to_review: Vec<WorkItem>,
    to_assign: Vec<WorkItem>,
    waiting_agenda: Vec<WorkItem>,
    next_meetings: Vec<MeetingView>,
    recent: Vec<(RecentReferral, String)>,
    overdue: Vec<OverdueView>,
    flagged: Vec<(RecentReferral, String)>,
    flagged_cases: Vec<(Uuid, Dnr, String)>,
    /// Organs whose planning view the user may open.
    planning_organs: Vec<(Uuid, String)>,
    is_registrar: bool,
}

fn organs_with(user: &CurrentUser, role: Role) -> Vec<Uuid> {
    user.user
        .roles
        .iter()
        .filter(|r| r.role == role)
        .map(|r| r.organ_id)
        .collect()
}

pub async fn start_page(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let today = stockholm_date(Utc::now());
    let mut member_of: Vec<Uuid> = user.user.roles.iter().map(|r| r.organ_id).collect();
    member_of.sort();
    member_of.dedup();
    let open = db::work::open_cases(&mut conn, &member_of).await?;
    let items = plan_cases(&mut conn, open, today).await?;

    let officer_in = organs_with(&user, Role::Officer);
    let reviewer_in = organs_with(&user, Role::Reviewer);
    let registrar_in = organs_with(&user, Role::Registrar);
    let secretary_in = organs_with(&user, Role::Secretary);
    let (mut my_cases, mut to_review, mut to_assign, mut waiting_agenda) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for item in items {
        let organ = item.case.organ_id;
        if item.case.officer_id == Some(user.id())
            && item.case.state == CaseState::Drafting
            && officer_in.contains(&organ)
        {
            my_cases.push(item);
        } else if item.case.state == CaseState::InReview && reviewer_in.contains(&organ) {
            to_review.push(item);
        } else if item.case.state == CaseState::Registered
            && (reviewer_in.contains(&organ) || registrar_in.contains(&organ))
        {
            to_assign.push(item);
        } else if matches!(item.case.state, CaseState::Approved | CaseState::Decided)
            && secretary_in.contains(&organ)
        {
            waiting_agenda.push(item);
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
    let flagged_cases = if registrar {
        db::cases::flagged(&mut conn, 20).await?
    } else {
        Vec::new()
    };
    let (recent, overdue, flagged) = if registrar {
        let recent = db::work::recent_referrals(&mut conn, 8)
            .await?
            .into_iter()
            .map(stamp)
            .collect();
        let overdue = db::work::overdue(&mut conn, today, 20)
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
        let flagged = db::work::flagged_referrals(&mut conn, 20)
            .await?
            .into_iter()
            .map(stamp)
            .collect();
        (recent, overdue, flagged)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };

    let urgent = |items: &[WorkItem]| items.iter().any(|i| i.plan.status != PlanStatus::OnTrack);
    let mut counts = Vec::new();
    if !officer_in.is_empty() {
        counts.push((
            "Dina ärenden under beredning",
            my_cases.len(),
            "#mina-arenden",
            urgent(&my_cases),
        ));
    }
    if !reviewer_in.is_empty() {
        counts.push((
            "Utkast att granska",
            to_review.len(),
            "#att-granska",
            urgent(&to_review),
        ));
    }
    if !reviewer_in.is_empty() || !registrar_in.is_empty() {
        counts.push((
            "Ärenden att tilldela",
            to_assign.len(),
            "#att-tilldela",
            urgent(&to_assign),
        ));
    }
    if !secretary_in.is_empty() {
        counts.push((
            "Väntar på sammanträde eller expediering",
            waiting_agenda.len(),
            "#vantar",
            urgent(&waiting_agenda),
        ));
    }
    if registrar {
        counts.push((
            "Öppna ärenden efter sista svarsdag",
            overdue.len(),
            "#forsenade",
            !overdue.is_empty(),
        ));
        if !flagged.is_empty() || !flagged_cases.is_empty() {
            counts.push((
                "Remisser och yttranden med personnummer",
                flagged.len() + flagged_cases.len(),
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
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let mut conn = state.pool.acquire().await?;
    let organ = db::organs::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    user.require(super::cases::works_in_organ(&user, organ.id))?;
    let today = stockholm_date(Utc::now());
    let open = db::work::open_cases(&mut conn, &[organ.id]).await?;
    let items = plan_cases(&mut conn, open, today).await?;

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
