//! Meetings, decisions and dispatch: the secretary's forms and their rules.

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::dates::parse_date;
use super::forms::{
    FieldErrors, optional_multi_line, required_multi_line, required_text, row_line, row_text,
};
use super::notice::{NoticeDates, notice_dates};
use super::time_limits::adjustment_timing;
use super::workflow::{CaseState, DecisionOutcome};

/// A member's name or party in a reservation or statement row.
pub const MEMBER_MAX: usize = 200;
/// A reservation's or statement's text, a reason, a comment.
pub const STATEMENT_MAX: usize = 10_000;
/// The decision as amended at the meeting.
pub const DECISION_TEXT_MAX: usize = 20_000;

#[derive(Debug, Clone, Default)]
pub struct MeetingInput {
    pub organ: String,
    pub date: String,
    pub time: String,
    pub place: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingDetails {
    pub date: NaiveDate,
    pub time: NaiveTime,
    pub place: String,
}

pub fn parse_time(input: &str) -> Option<NaiveTime> {
    let input = input.trim();
    let shape_ok = input.len() == 5 && input.as_bytes()[2] == b':';
    if !shape_ok {
        return None;
    }
    NaiveTime::parse_from_str(input, "%H:%M").ok()
}

/// The years a meeting can be held in: anything else is a typo (`0026`, `2206`),
/// and year 0 is not even a year in the database's calendar.
const MEETING_YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

pub fn validate_meeting(input: &MeetingInput) -> Result<MeetingDetails, FieldErrors> {
    let mut errors = FieldErrors::new();
    let date = parse_date(&input.date);
    match date {
        None => errors.add("date", "Ange datum som ÅÅÅÅ-MM-DD."),
        Some(date) if !MEETING_YEARS.contains(&date.year()) => errors.add(
            "date",
            "Ange ett datum mellan år 2000 och 2099 (kontrollera årtalet).",
        ),
        Some(_) => {}
    }
    let (time, place) = time_and_place(&mut errors, &input.time, &input.place);
    errors.into_result(|| MeetingDetails {
        date: date.expect("checked"),
        time: time.expect("checked"),
        place,
    })
}

/// The time and place of a meeting, or of every meeting of a year's plan.
fn time_and_place(
    errors: &mut FieldErrors,
    time: &str,
    place: &str,
) -> (Option<NaiveTime>, String) {
    let time = parse_time(time);
    if time.is_none() {
        errors.add("time", "Ange tid som TT:MM, till exempel 13:00.");
    }
    let place = required_text(
        errors,
        "place",
        place,
        200,
        "Ange plats.",
        "Platsen får vara högst 200 tecken.",
    );
    (time, place)
}

/// A year's meetings of a nämnd entered at once: the dates (one per line, or
/// separated by commas or spaces), one time and place for all.
#[derive(Debug, Clone, Default)]
pub struct YearPlanInput {
    pub organ: String,
    pub dates: String,
    pub time: String,
    pub place: String,
}

/// At most this many meetings in one plan (a nämnd meets about monthly).
pub const YEAR_PLAN_MAX: usize = 60;

/// The meetings of a year's plan, in date order; every date checked as one
/// meeting's, none twice.
pub fn validate_year_plan(input: &YearPlanInput) -> Result<Vec<MeetingDetails>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let typed: Vec<&str> = input
        .dates
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|d| !d.is_empty())
        .collect();
    let mut dates = Vec::new();
    let mut wrong = Vec::new();
    for text in &typed {
        match parse_date(text) {
            Some(date) if MEETING_YEARS.contains(&date.year()) => dates.push(date),
            _ => wrong.push(text.chars().take(20).collect::<String>()),
        }
    }
    dates.sort();
    let count = dates.len();
    dates.dedup();
    if typed.is_empty() {
        errors.add("dates", "Ange minst ett datum.");
    } else if !wrong.is_empty() {
        errors.add(
            "dates",
            format!(
                "Ange varje datum som ÅÅÅÅ-MM-DD mellan år 2000 och 2099. Kontrollera {}.",
                // The first few are enough to find the mistake.
                wrong.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ),
        );
    } else if dates.len() != count {
        errors.add("dates", "Samma datum står flera gånger.");
    } else if count > YEAR_PLAN_MAX {
        errors.add(
            "dates",
            format!("Planera högst {YEAR_PLAN_MAX} sammanträden åt gången."),
        );
    }
    let (time, place) = time_and_place(&mut errors, &input.time, &input.place);
    errors.into_result(|| {
        dates
            .into_iter()
            .map(|date| MeetingDetails {
                date,
                time: time.expect("checked"),
                place: place.clone(),
            })
            .collect()
    })
}

/// A member's reservation or special statement in the minutes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberStatement {
    pub member: String,
    pub party: String,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    pub outcome: String,
    pub decision_text: String,
    pub reason: String,
    pub attendance: String,
    pub reservation_members: Vec<String>,
    pub reservation_parties: Vec<String>,
    pub reservation_texts: Vec<String>,
    pub statement_members: Vec<String>,
    pub statement_parties: Vec<String>,
    pub statement_texts: Vec<String>,
    /// The secretary's mark that the paragraph was adjusted at once.
    pub adjusted_at_once: bool,
    /// Yrkanden: who moved what.
    pub motion_members: Vec<String>,
    pub motion_parties: Vec<String>,
    pub motion_texts: Vec<String>,
    /// Beslutsgång: how the chair put the proposals, in order.
    pub procedure: String,
    /// An open vote (votering): each member's name and "ja", "nej" or "avstar".
    pub vote_members: Vec<String>,
    pub vote_choices: Vec<String>,
    /// Those present who took no part in the paragraph: the member and "jav" or
    /// "lamnade".
    pub absent_members: Vec<String>,
    pub absent_reasons: Vec<String>,
}

/// A member's vote in an open vote (KL 5 kap. 69 §: who voted how is in the protocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteChoice {
    Yes,
    No,
    Abstain,
}

impl VoteChoice {
    pub const ALL: [VoteChoice; 3] = [VoteChoice::Yes, VoteChoice::No, VoteChoice::Abstain];

    /// The value of the form's choice.
    pub fn as_str(self) -> &'static str {
        match self {
            VoteChoice::Yes => "ja",
            VoteChoice::No => "nej",
            VoteChoice::Abstain => "avstar",
        }
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            VoteChoice::Yes => "Ja",
            VoteChoice::No => "Nej",
            VoteChoice::Abstain => "Avstår",
        }
    }

    pub fn parse(value: &str) -> Option<VoteChoice> {
        VoteChoice::ALL.into_iter().find(|c| c.as_str() == value)
    }
}

/// One member's vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub member: String,
    pub choice: VoteChoice,
}

/// The count of a vote and its result in words, as the protocol states it.
pub fn vote_result_sv(votes: &[Vote]) -> Option<String> {
    if votes.is_empty() {
        return None;
    }
    let count = |choice| votes.iter().filter(|v| v.choice == choice).count();
    let (yes, no, abstain) = (
        count(VoteChoice::Yes),
        count(VoteChoice::No),
        count(VoteChoice::Abstain),
    );
    let outcome = match yes.cmp(&no) {
        std::cmp::Ordering::Greater => "Ja-sidan har vunnit.",
        std::cmp::Ordering::Less => "Nej-sidan har vunnit.",
        std::cmp::Ordering::Equal => {
            "Lika röstetal: ordförandens röst avgör (kommunallagen 5 kap. 57 §)."
        }
    };
    Some(format!(
        "Omröstningen utföll med {yes} ja-röster, {no} nej-röster och {abstain} som avstod. {outcome}"
    ))
}

/// Why a member present at the meeting took no part in one paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbsenceReason {
    /// Jäv (KL 6 kap. 28 §): the member may not take part in the matter.
    Disqualified,
    /// The member left the meeting before the paragraph.
    Left,
}

impl AbsenceReason {
    pub const ALL: [AbsenceReason; 2] = [AbsenceReason::Disqualified, AbsenceReason::Left];

    /// The value of the form's choice.
    pub fn as_str(self) -> &'static str {
        match self {
            AbsenceReason::Disqualified => "jav",
            AbsenceReason::Left => "lamnade",
        }
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            AbsenceReason::Disqualified => "jäv",
            AbsenceReason::Left => "lämnade sammanträdet",
        }
    }

    pub fn parse(value: &str) -> Option<AbsenceReason> {
        AbsenceReason::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// A member of the meeting who did not take part in one paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Absence {
    /// As the roster names the member: "Anna Andersson (S)".
    pub member: String,
    pub reason: AbsenceReason,
}

impl Absence {
    /// "Anna Andersson (S) (jäv)".
    pub fn text_sv(&self) -> String {
        format!("{} ({})", self.member, self.reason.label_sv())
    }
}

/// The paragraph's line of those who did not take part, if any:
/// "Deltar inte i beslutet: Anna Andersson (S) (jäv)."
pub fn absences_sv(absences: &[Absence]) -> Option<String> {
    if absences.is_empty() {
        return None;
    }
    let named: Vec<String> = absences.iter().map(Absence::text_sv).collect();
    Some(format!("Deltar inte i beslutet: {}.", named.join(", ")))
}

/// A decision recorded at a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingDecision {
    pub outcome: DecisionOutcome,
    /// The decision as amended; empty unless the outcome is `Amended`.
    pub decision_text: String,
    /// Why the case went back (återremiss) or was postponed (bordläggning).
    pub reason: String,
    pub attendance: String,
    pub reservations: Vec<MemberStatement>,
    pub statements: Vec<MemberStatement>,
    pub adjusted_at_once: bool,
    pub motions: Vec<MemberStatement>,
    pub procedure: String,
    pub votes: Vec<Vote>,
    /// Members present who took no part in this paragraph (jäv, left).
    pub absences: Vec<Absence>,
}

/// The rows of those who took no part: each with a member and a reason; blank
/// rows dropped.
fn absence_rows(errors: &mut FieldErrors, members: &[String], reasons: &[String]) -> Vec<Absence> {
    let mut absences: Vec<Absence> = Vec::new();
    for (i, member) in members.iter().enumerate() {
        let member = row_line(errors, "absences", member);
        let reason = reasons.get(i).map(|r| r.trim()).unwrap_or("");
        if member.is_empty() && reason.is_empty() {
            continue;
        }
        match AbsenceReason::parse(reason) {
            Some(reason) if !member.is_empty() && member.chars().count() <= MEMBER_MAX => {
                if absences.iter().any(|a| a.member == member) {
                    errors.add("absences", format!("{member} står flera gånger."));
                }
                absences.push(Absence { member, reason });
            }
            _ => errors.add(
                "absences",
                "Ange ledamot och skäl (jäv eller lämnade sammanträdet) för varje rad som fylls i.",
            ),
        }
    }
    absences
}

/// The rows of an open vote: each with a member and a choice; blank rows dropped.
fn vote_rows(errors: &mut FieldErrors, members: &[String], choices: &[String]) -> Vec<Vote> {
    let mut votes: Vec<Vote> = Vec::new();
    for (i, member) in members.iter().enumerate() {
        let member = row_line(errors, "votes", member);
        let choice = choices.get(i).map(|c| c.trim()).unwrap_or("");
        if member.is_empty() && choice.is_empty() {
            continue;
        }
        match VoteChoice::parse(choice) {
            Some(choice) if !member.is_empty() && member.chars().count() <= MEMBER_MAX => {
                if votes.iter().any(|v| v.member == member) {
                    errors.add(
                        "votes",
                        format!("{member} står flera gånger i omröstningen."),
                    );
                }
                votes.push(Vote { member, choice });
            }
            _ => errors.add(
                "votes",
                "Ange ledamot och röst (ja, nej eller avstår) för varje rad som fylls i.",
            ),
        }
    }
    votes
}

fn member_rows(
    errors: &mut FieldErrors,
    field: &'static str,
    members: &[String],
    parties: &[String],
    texts: &[String],
) -> Vec<MemberStatement> {
    let mut rows = Vec::new();
    for (i, member) in members.iter().enumerate() {
        let row = MemberStatement {
            member: row_line(errors, field, member),
            party: parties
                .get(i)
                .map(|p| row_line(errors, field, p))
                .unwrap_or_default(),
            text: texts
                .get(i)
                .map(|t| row_text(errors, field, t))
                .unwrap_or_default(),
        };
        if row.member.is_empty() && row.party.is_empty() && row.text.is_empty() {
            continue;
        }
        if row.member.is_empty() || row.text.is_empty() {
            errors.add(field, "Ange ledamot och text för varje rad som fylls i.");
        }
        if row.member.chars().count() > MEMBER_MAX
            || row.party.chars().count() > MEMBER_MAX
            || row.text.chars().count() > STATEMENT_MAX
        {
            errors.add(
                field,
                format!(
                    "Ledamot och parti får vara högst {MEMBER_MAX} tecken, texten högst {STATEMENT_MAX} tecken."
                ),
            );
        }
        rows.push(row);
    }
    rows
}

pub fn validate_decision(input: &DecisionInput) -> Result<MeetingDecision, FieldErrors> {
    let mut errors = FieldErrors::new();
    let outcome =
        DecisionOutcome::parse(input.outcome.trim()).filter(|o| *o != DecisionOutcome::Delegation);
    if outcome.is_none() {
        errors.add("outcome", "Välj beslut.");
    }
    let decision_text = optional_multi_line(
        &mut errors,
        "decision_text",
        &input.decision_text,
        DECISION_TEXT_MAX,
        &format!("Beslutet får vara högst {DECISION_TEXT_MAX} tecken."),
    );
    if outcome == Some(DecisionOutcome::Amended) && decision_text.is_empty() {
        errors.add("decision_text", "Skriv det ändrade beslutet.");
    }
    let reason = optional_multi_line(
        &mut errors,
        "reason",
        &input.reason,
        STATEMENT_MAX,
        &format!("Skälet får vara högst {STATEMENT_MAX} tecken."),
    );
    if matches!(outcome, Some(DecisionOutcome::ReferredBack)) && reason.is_empty() {
        errors.add("reason", "Ange skälet till återremissen.");
    }
    if input.adjusted_at_once && outcome.is_some_and(|o| !o.stands()) {
        errors.add(
            "adjusted_at_once",
            "Bara ett beslut i sak (bifall, med eller utan ändringar) justeras omedelbart.",
        );
    }
    let attendance = required_multi_line(
        &mut errors,
        "attendance",
        &input.attendance,
        5_000,
        "Ange vilka som deltog i beslutet.",
        "Närvarolistan får vara högst 5000 tecken.",
    );
    let reservations = member_rows(
        &mut errors,
        "reservations",
        &input.reservation_members,
        &input.reservation_parties,
        &input.reservation_texts,
    );
    let statements = member_rows(
        &mut errors,
        "statements",
        &input.statement_members,
        &input.statement_parties,
        &input.statement_texts,
    );
    let motions = member_rows(
        &mut errors,
        "motions",
        &input.motion_members,
        &input.motion_parties,
        &input.motion_texts,
    );
    let procedure = optional_multi_line(
        &mut errors,
        "procedure",
        &input.procedure,
        STATEMENT_MAX,
        &format!("Beslutsgången får vara högst {STATEMENT_MAX} tecken."),
    );
    let votes = vote_rows(&mut errors, &input.vote_members, &input.vote_choices);
    let absences = absence_rows(&mut errors, &input.absent_members, &input.absent_reasons);
    if let Some(absent) = votes
        .iter()
        .find(|v| absences.iter().any(|a| a.member == v.member))
    {
        errors.add(
            "absences",
            format!(
                "{} deltog inte i beslutet och kan inte ha röstat.",
                absent.member
            ),
        );
    }
    if !votes.is_empty() && procedure.is_empty() {
        errors.add(
            "procedure",
            "Beskriv beslutsgången: vilka förslag som ställdes mot varandra i omröstningen.",
        );
    }
    errors.into_result(|| MeetingDecision {
        outcome: outcome.expect("checked"),
        decision_text: if outcome == Some(DecisionOutcome::Amended) {
            decision_text
        } else {
            String::new()
        },
        reason,
        attendance,
        reservations,
        statements,
        adjusted_at_once: input.adjusted_at_once,
        motions,
        procedure,
        votes,
        absences,
    })
}

/// Justering as validated: when, by whom, and the notice it posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentDetails {
    pub adjusted_on: NaiveDate,
    pub adjusted_by: String,
    pub notice: NoticeDates,
    /// The last day of KL 5 kap. 69 § that a late justering missed: it goes
    /// through (the limit is an ordningsföreskrift), but it is recorded as late.
    pub missed_deadline: Option<NaiveDate>,
}

/// Justering: when and by whom the minutes were approved, and the day its notice
/// is posted on the anslagstavla (empty: the day of justering). Not before the
/// meeting and not after `today`: a justering is recorded once it has happened.
pub fn validate_adjustment(
    date: &str,
    by: &str,
    posted_on: &str,
    meeting_date: NaiveDate,
    today: NaiveDate,
) -> Result<AdjustmentDetails, FieldErrors> {
    let mut errors = FieldErrors::new();
    let adjusted_on = parse_date(date);
    match adjusted_on {
        None => errors.add("adjusted_on", "Ange datum som ÅÅÅÅ-MM-DD."),
        Some(d) if d < meeting_date => errors.add(
            "adjusted_on",
            "Protokollet kan inte justeras före sammanträdet.",
        ),
        Some(d) => {
            if let Err(message) = check_not_future(d, today) {
                errors.add("adjusted_on", message);
            }
        }
    }
    let posted_on = if posted_on.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(posted_on).map(Some).ok_or(())
    };
    if posted_on.is_err() {
        errors.add("posted_on", "Ange datum som ÅÅÅÅ-MM-DD.");
    }
    let notice = match (adjusted_on, posted_on) {
        (Some(adjusted_on), Ok(posted_on)) => match notice_dates(adjusted_on, posted_on) {
            Ok(dates) => Some(dates),
            Err(message) => {
                errors.add("posted_on", message);
                None
            }
        },
        _ => None,
    };
    let by = required_text(
        &mut errors,
        "adjusted_by",
        by,
        500,
        "Ange vilka som justerade protokollet.",
        "Högst 500 tecken.",
    );
    errors.into_result(|| AdjustmentDetails {
        adjusted_on: adjusted_on.expect("checked"),
        adjusted_by: by,
        notice: notice.expect("checked"),
        missed_deadline: adjusted_on
            .and_then(|on| adjustment_timing(meeting_date, on).missed_deadline()),
    })
}

/// The date of an act that has happened (a decision, a justering) is never after
/// `today`.
pub fn check_not_future(day: NaiveDate, today: NaiveDate) -> Result<(), String> {
    if day > today {
        Err(format!(
            "Datumet {day} har inte varit ännu. Ange dagen då det skedde, senast i dag ({today})."
        ))
    } else {
        Ok(())
    }
}

/// Decisions are recorded at or after the meeting, never before it is held.
pub fn check_meeting_held(meeting_date: NaiveDate, today: NaiveDate) -> Result<(), String> {
    if meeting_date > today {
        Err(format!(
            "Sammanträdet hålls {meeting_date}. Beslut kan protokollföras först när det har hållits."
        ))
    } else {
        Ok(())
    }
}

/// How far a decision's paragraph has come towards the public record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParagraphStanding {
    /// Taken by delegation: no protocol to adjust.
    Delegation,
    /// Decided at a meeting whose protocol is not yet adjusted.
    NotAdjusted,
    /// Adjusted with the protocol, or at once at the meeting (*omedelbar justering*).
    Adjusted,
}

/// A yttrande goes out only once the decision it carries is adjusted (KL 5 kap.
/// 69–70 §§: until then the paragraph can still change).
pub fn check_dispatchable(standing: ParagraphStanding) -> Result<(), String> {
    match standing {
        ParagraphStanding::Delegation | ParagraphStanding::Adjusted => Ok(()),
        ParagraphStanding::NotAdjusted => Err(
            "Yttrandet kan expedieras först när protokollet är justerat, eller paragrafen justerad omedelbart vid sammanträdet."
                .to_string(),
        ),
    }
}

/// Where a meeting's decision leaves the case (the workflow's step from the agenda).
pub fn state_after(outcome: DecisionOutcome) -> CaseState {
    match outcome {
        DecisionOutcome::Adopted | DecisionOutcome::Amended | DecisionOutcome::Delegation => {
            CaseState::Decided
        }
        DecisionOutcome::ReferredBack => CaseState::Drafting,
        DecisionOutcome::Tabled => CaseState::Approved,
    }
}

/// Whether a recorded decision may be corrected to `corrected` before justering:
/// not a paragraph adjusted at once (it is final), not marked adjusted at once
/// afterwards, and only to an outcome that leaves the case where it is (otherwise
/// the decision is removed and recorded anew).
pub fn check_correction(
    recorded: DecisionOutcome,
    recorded_at_once: bool,
    corrected: &MeetingDecision,
) -> Result<(), (&'static str, String)> {
    if recorded_at_once {
        return Err((
            "outcome",
            "Paragrafen justerades omedelbart och kan inte längre ändras.".to_string(),
        ));
    }
    if corrected.adjusted_at_once {
        return Err((
            "adjusted_at_once",
            "Omedelbar justering markeras när beslutet protokollförs.".to_string(),
        ));
    }
    if state_after(recorded) != state_after(corrected.outcome) {
        return Err((
            "outcome",
            format!(
                "Beslutet kan inte rättas från {} till {}, eftersom ärendet då skulle gå en annan väg. Ta bort beslutet och protokollför det på nytt.",
                recorded.label_sv().to_lowercase(),
                corrected.outcome.label_sv().to_lowercase()
            ),
        ));
    }
    Ok(())
}

/// Whether a recorded decision may be removed before justering: the case must
/// still be where the decision left it (a tabled case placed on a later agenda,
/// a case referred back and sent to review again, have gone on).
pub fn check_removal(
    recorded: DecisionOutcome,
    recorded_at_once: bool,
    case_state: CaseState,
) -> Result<(), String> {
    if recorded_at_once {
        Err("Paragrafen justerades omedelbart och kan inte längre ändras.".to_string())
    } else if case_state != state_after(recorded) {
        Err(format!(
            "Ärendet har gått vidare sedan beslutet (det är nu {}), så beslutet kan inte tas bort.",
            case_state.predicate_sv()
        ))
    } else {
        Ok(())
    }
}

/// The date a form for an act offers first: today, or the first day the act can
/// lawfully be dated (the meeting, the decision) when that is later.
pub fn default_act_date(not_before: NaiveDate, today: NaiveDate) -> NaiveDate {
    today.max(not_before)
}

/// Expediering: the date the yttrande was sent and to whom. Not before the
/// decision and not after `today`: it is recorded once it has been sent.
pub fn validate_dispatch(
    date: &str,
    recipient: &str,
    decided_on: NaiveDate,
    today: NaiveDate,
) -> Result<(NaiveDate, String), FieldErrors> {
    let mut errors = FieldErrors::new();
    let dispatched_on = parse_date(date);
    match dispatched_on {
        None => errors.add("dispatched_on", "Ange datum som ÅÅÅÅ-MM-DD."),
        Some(d) if d < decided_on => errors.add(
            "dispatched_on",
            "Yttrandet kan inte expedieras före beslutet.",
        ),
        Some(d) => {
            if let Err(message) = check_not_future(d, today) {
                errors.add("dispatched_on", message);
            }
        }
    }
    let recipient = required_text(
        &mut errors,
        "recipient",
        recipient,
        300,
        "Ange mottagare.",
        "Högst 300 tecken.",
    );
    errors.into_result(|| (dispatched_on.expect("checked"), recipient))
}

/// A required free text of a transition (a return comment, a reason to decline, a
/// delegation reference).
pub fn validate_required(
    field: &'static str,
    value: &str,
    missing: &str,
) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let text = required_multi_line(
        &mut errors,
        field,
        value,
        STATEMENT_MAX,
        missing,
        &format!("Texten får vara högst {STATEMENT_MAX} tecken."),
    );
    errors.into_result(|| text)
}

/// An optional free text of a transition (the comment of a reviewer who
/// approves): normalised like a required one, empty allowed.
pub fn validate_optional(field: &'static str, value: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let text = optional_multi_line(
        &mut errors,
        field,
        value,
        STATEMENT_MAX,
        &format!("Texten får vara högst {STATEMENT_MAX} tecken."),
    );
    errors.into_result(|| text)
}

/// The § of a decision in the minutes: `§ 12`.
pub fn paragraph_label(paragraph: i32) -> String {
    format!("§ {paragraph}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision() -> DecisionInput {
        DecisionInput {
            outcome: "adopted".into(),
            attendance: "Ordförande Anna Andersson (S), Bertil Berg (M)".into(),
            ..DecisionInput::default()
        }
    }

    #[test]
    fn a_meeting_dated_outside_this_century_is_refused_in_swedish() {
        for date in [
            "0000-04-21",
            "0026-04-21",
            "1999-12-31",
            "2100-01-01",
            "2206-04-21",
        ] {
            let errors = validate_meeting(&MeetingInput {
                organ: String::new(),
                date: date.into(),
                time: "13:00".into(),
                place: "Stadshuset".into(),
            })
            .unwrap_err();
            assert_eq!(
                errors.get("date"),
                Some("Ange ett datum mellan år 2000 och 2099 (kontrollera årtalet)."),
                "{date}"
            );
        }
        for date in ["2000-01-01", "2026-04-21", "2099-12-31"] {
            assert!(
                validate_meeting(&MeetingInput {
                    organ: String::new(),
                    date: date.into(),
                    time: "13:00".into(),
                    place: "Stadshuset".into(),
                })
                .is_ok(),
                "{date}"
            );
        }
    }

    #[test]
    fn a_meeting_needs_date_time_and_place() {
        let ok = validate_meeting(&MeetingInput {
            organ: String::new(),
            date: "2026-04-21".into(),
            time: "13:00".into(),
            place: "Stadshuset".into(),
        })
        .unwrap();
        assert_eq!(ok.time, NaiveTime::from_hms_opt(13, 0, 0).unwrap());
        let errors = validate_meeting(&MeetingInput {
            date: "21/4".into(),
            time: "1300".into(),
            ..MeetingInput::default()
        })
        .unwrap_err();
        for field in ["date", "time", "place"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        assert!(parse_time("25:00").is_none());
        assert!(parse_time("9:00").is_none());
    }

    #[test]
    fn an_adopted_decision_needs_attendance_only() {
        let d = validate_decision(&decision()).unwrap();
        assert_eq!(d.outcome, DecisionOutcome::Adopted);
        assert!(d.decision_text.is_empty());
        let errors = validate_decision(&DecisionInput {
            attendance: " ".into(),
            ..decision()
        })
        .unwrap_err();
        assert_eq!(
            errors.get("attendance"),
            Some("Ange vilka som deltog i beslutet.")
        );
    }

    #[test]
    fn an_amended_decision_needs_its_text() {
        let errors = validate_decision(&DecisionInput {
            outcome: "amended".into(),
            ..decision()
        })
        .unwrap_err();
        assert_eq!(
            errors.get("decision_text"),
            Some("Skriv det ändrade beslutet.")
        );
        let d = validate_decision(&DecisionInput {
            outcome: "amended".into(),
            decision_text: "Nämnden beslutar...".into(),
            ..decision()
        })
        .unwrap();
        assert_eq!(d.decision_text, "Nämnden beslutar...");
    }

    #[test]
    fn a_referral_back_needs_its_reason() {
        let errors = validate_decision(&DecisionInput {
            outcome: "referred_back".into(),
            ..decision()
        })
        .unwrap_err();
        assert_eq!(errors.get("reason"), Some("Ange skälet till återremissen."));
    }

    #[test]
    fn delegation_and_unknown_outcomes_are_not_meeting_decisions() {
        for outcome in ["delegation", "", "bifall"] {
            let errors = validate_decision(&DecisionInput {
                outcome: outcome.into(),
                ..decision()
            })
            .unwrap_err();
            assert_eq!(errors.get("outcome"), Some("Välj beslut."), "{outcome}");
        }
    }

    #[test]
    fn reservations_need_member_and_text() {
        let with = DecisionInput {
            reservation_members: vec!["Cecilia Ceder".into(), "".into()],
            reservation_parties: vec!["V".into(), "".into()],
            reservation_texts: vec!["Vi reserverar oss mot beslutet.".into(), "".into()],
            ..decision()
        };
        let d = validate_decision(&with).unwrap();
        assert_eq!(
            d.reservations,
            vec![MemberStatement {
                member: "Cecilia Ceder".into(),
                party: "V".into(),
                text: "Vi reserverar oss mot beslutet.".into()
            }]
        );
        let half = DecisionInput {
            reservation_members: vec!["Cecilia Ceder".into()],
            ..decision()
        };
        assert!(
            validate_decision(&half)
                .unwrap_err()
                .get("reservations")
                .is_some()
        );
    }

    #[test]
    fn a_dispatch_is_never_dated_in_the_future() {
        let decided = NaiveDate::from_ymd_opt(2026, 4, 21).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 4, 24).unwrap();
        assert_eq!(
            validate_dispatch("2026-04-25", "Kommunstyrelsen", decided, today)
                .unwrap_err()
                .get("dispatched_on"),
            Some(
                "Datumet 2026-04-25 har inte varit ännu. Ange dagen då det skedde, senast i dag (2026-04-24)."
            )
        );
        for day in ["2026-04-21", "2026-04-24"] {
            assert!(
                validate_dispatch(day, "Kommunstyrelsen", decided, today).is_ok(),
                "{day}"
            );
        }
    }

    #[test]
    fn adjustment_and_dispatch_dates_follow_the_decision() {
        let meeting = NaiveDate::from_ymd_opt(2026, 4, 21).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 4, 24).unwrap();
        assert!(validate_adjustment("2026-04-20", "Anna Andersson", "", meeting, today).is_err());
        assert!(validate_adjustment("2026-04-23", "Anna Andersson", "", meeting, today).is_ok());
        assert!(
            validate_adjustment("2026-04-23", "", "", meeting, today)
                .unwrap_err()
                .get("adjusted_by")
                .is_some()
        );
        assert!(validate_dispatch("2026-04-20", "Kommunstyrelsen", meeting, today).is_err());
        assert_eq!(
            validate_dispatch("2026-04-24", " Kommunstyrelsen ", meeting, today)
                .unwrap()
                .1,
            "Kommunstyrelsen"
        );
    }

    #[test]
    fn a_justering_is_never_dated_in_the_future_and_its_notice_is_posted_in_time() {
        let meeting = NaiveDate::from_ymd_opt(2026, 4, 21).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 4, 22).unwrap();
        let errors = validate_adjustment("2026-04-23", "Anna", "", meeting, today).unwrap_err();
        assert_eq!(
            errors.get("adjusted_on"),
            Some(
                "Datumet 2026-04-23 har inte varit ännu. Ange dagen då det skedde, senast i dag (2026-04-22)."
            )
        );
        let adjusted = validate_adjustment("2026-04-22", "Anna", "", meeting, today).unwrap();
        assert_eq!(
            adjusted.notice.posted_on(),
            today,
            "posted the day of justering"
        );
        // The posting may be planned for a later day within the legal limit.
        let later =
            validate_adjustment("2026-04-22", "Anna", "2026-04-24", meeting, today).unwrap();
        assert_eq!(
            later.notice.posted_on(),
            NaiveDate::from_ymd_opt(2026, 4, 24).unwrap()
        );
        let too_late =
            validate_adjustment("2026-04-22", "Anna", "2026-04-27", meeting, today).unwrap_err();
        assert!(too_late.get("posted_on").unwrap().starts_with("Justeringen ska tillkännages på anslagstavlan senast andra dagen efter justeringen, alltså senast 2026-04-24"));
        let garbled =
            validate_adjustment("2026-04-22", "Anna", "24/4", meeting, today).unwrap_err();
        assert_eq!(garbled.get("posted_on"), Some("Ange datum som ÅÅÅÅ-MM-DD."));
    }

    #[test]
    fn a_justering_after_fourteen_days_goes_through_marked_late() {
        // Meeting Tuesday 21 April 2026: the last day is Tuesday 5 May.
        let meeting = NaiveDate::from_ymd_opt(2026, 4, 21).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 5, 20).unwrap();
        let in_time = validate_adjustment("2026-05-05", "Anna", "", meeting, today).unwrap();
        assert_eq!(in_time.missed_deadline, None);
        let late = validate_adjustment("2026-05-06", "Anna", "", meeting, today).unwrap();
        assert_eq!(
            late.missed_deadline,
            Some(NaiveDate::from_ymd_opt(2026, 5, 5).unwrap())
        );
    }

    #[test]
    fn decisions_wait_for_the_meeting_and_yttranden_for_justering() {
        let meeting = NaiveDate::from_ymd_opt(2026, 4, 21).unwrap();
        assert!(check_meeting_held(meeting, meeting).is_ok());
        assert_eq!(
            check_meeting_held(meeting, meeting.pred_opt().unwrap()).unwrap_err(),
            "Sammanträdet hålls 2026-04-21. Beslut kan protokollföras först när det har hållits."
        );
        assert!(check_not_future(meeting, meeting).is_ok());
        assert!(check_not_future(meeting.succ_opt().unwrap(), meeting).is_err());
        assert!(check_dispatchable(ParagraphStanding::Delegation).is_ok());
        assert!(check_dispatchable(ParagraphStanding::Adjusted).is_ok());
        assert_eq!(
            check_dispatchable(ParagraphStanding::NotAdjusted).unwrap_err(),
            "Yttrandet kan expedieras först när protokollet är justerat, eller paragrafen justerad omedelbart vid sammanträdet."
        );
    }

    #[test]
    fn a_decision_is_corrected_within_its_kind_and_removed_while_the_case_waits() {
        let corrected = |outcome: &str, at_once: bool| {
            validate_decision(&DecisionInput {
                outcome: outcome.into(),
                decision_text: "Ändrat beslut.".into(),
                reason: "Skäl.".into(),
                adjusted_at_once: at_once,
                ..decision()
            })
            .unwrap()
        };
        use DecisionOutcome as D;
        let outcomes = [D::Adopted, D::Amended, D::ReferredBack, D::Tabled];
        for recorded in outcomes {
            for to in outcomes {
                let result = check_correction(recorded, false, &corrected(to.as_str(), false));
                let same_way = matches!(
                    (recorded, to),
                    (D::Adopted | D::Amended, D::Adopted | D::Amended)
                        | (D::ReferredBack, D::ReferredBack)
                        | (D::Tabled, D::Tabled)
                );
                assert_eq!(result.is_ok(), same_way, "{recorded:?} -> {to:?}");
                assert!(check_correction(recorded, true, &corrected(to.as_str(), false)).is_err());
            }
            for state in CaseState::ALL {
                assert_eq!(
                    check_removal(recorded, false, state).is_ok(),
                    state == state_after(recorded),
                    "{recorded:?} in {state:?}"
                );
                assert!(check_removal(recorded, true, state).is_err());
            }
        }
        assert_eq!(
            check_correction(D::Adopted, false, &corrected("amended", true)).unwrap_err(),
            (
                "adjusted_at_once",
                "Omedelbar justering markeras när beslutet protokollförs.".to_string()
            )
        );
        assert_eq!(
            check_correction(D::Adopted, false, &corrected("referred_back", false))
                .unwrap_err()
                .1,
            "Beslutet kan inte rättas från bifall till förslaget till återremiss, eftersom ärendet då skulle gå en annan väg. Ta bort beslutet och protokollför det på nytt."
        );
        assert_eq!(
            check_removal(D::Tabled, false, CaseState::OnAgenda).unwrap_err(),
            "Ärendet har gått vidare sedan beslutet (det är nu uppfört på föredragningslistan), så beslutet kan inte tas bort."
        );
    }

    #[test]
    fn a_years_plan_is_every_date_at_one_time_and_place() {
        let plan = |dates: &str| {
            validate_year_plan(&YearPlanInput {
                organ: String::new(),
                dates: dates.into(),
                time: "13:00".into(),
                place: "Stadshuset".into(),
            })
        };
        let meetings = plan("2027-03-16\n2027-01-19, 2027-02-16;2027-04-20").unwrap();
        let dates: Vec<String> = meetings.iter().map(|m| m.date.to_string()).collect();
        assert_eq!(
            dates,
            ["2027-01-19", "2027-02-16", "2027-03-16", "2027-04-20"]
        );
        assert!(meetings.iter().all(|m| m.place == "Stadshuset"));
        assert_eq!(
            plan(" \n ").unwrap_err().get("dates"),
            Some("Ange minst ett datum.")
        );
        assert_eq!(
            plan("2027-01-19 19/2 2227-03-16").unwrap_err().get("dates"),
            Some(
                "Ange varje datum som ÅÅÅÅ-MM-DD mellan år 2000 och 2099. Kontrollera 19/2, 2227-03-16."
            )
        );
        assert_eq!(
            plan("2027-01-19 2027-01-19").unwrap_err().get("dates"),
            Some("Samma datum står flera gånger.")
        );
        let many: Vec<String> = (0..=YEAR_PLAN_MAX as u64)
            .map(|i| {
                (NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + chrono::Days::new(i)).to_string()
            })
            .collect();
        assert!(plan(&many.join(" ")).is_err());
        let errors = validate_year_plan(&YearPlanInput {
            dates: "2027-01-19".into(),
            ..YearPlanInput::default()
        })
        .unwrap_err();
        assert!(errors.get("time").is_some() && errors.get("place").is_some());
    }

    #[test]
    fn motions_procedure_and_an_open_vote_are_recorded_with_the_count() {
        let with = DecisionInput {
            motion_members: vec!["Cecilia Ceder".into(), "".into()],
            motion_parties: vec!["V".into(), "".into()],
            motion_texts: vec!["Avslag på förslaget.".into(), "".into()],
            procedure: "Ordföranden ställer förvaltningens förslag mot Cecilia Cedars avslagsyrkande och finner förslaget bifallet. Votering begärs.".into(),
            vote_members: vec!["Anna Andersson".into(), "Bertil Berg".into(), "Cecilia Ceder".into(), "".into()],
            vote_choices: vec!["ja".into(), "ja".into(), "nej".into(), "".into()],
            ..decision()
        };
        let d = validate_decision(&with).unwrap();
        assert_eq!(d.motions.len(), 1);
        assert_eq!(d.votes.len(), 3);
        assert_eq!(
            vote_result_sv(&d.votes).unwrap(),
            "Omröstningen utföll med 2 ja-röster, 1 nej-röster och 0 som avstod. Ja-sidan har vunnit."
        );
        let tied = [
            Vote {
                member: "A".into(),
                choice: VoteChoice::Yes,
            },
            Vote {
                member: "B".into(),
                choice: VoteChoice::No,
            },
            Vote {
                member: "C".into(),
                choice: VoteChoice::Abstain,
            },
        ];
        assert!(
            vote_result_sv(&tied)
                .unwrap()
                .contains("ordförandens röst avgör")
        );
        assert!(
            vote_result_sv(&tied[1..2])
                .unwrap()
                .ends_with("Nej-sidan har vunnit.")
        );
        assert_eq!(vote_result_sv(&[]), None);

        let errors = validate_decision(&DecisionInput {
            procedure: String::new(),
            ..with.clone()
        })
        .unwrap_err();
        assert!(
            errors.get("procedure").is_some(),
            "a vote needs its procedure"
        );
        let errors = validate_decision(&DecisionInput {
            vote_choices: vec!["ja".into(), "kanske".into(), "nej".into()],
            ..with.clone()
        })
        .unwrap_err();
        assert_eq!(
            errors.get("votes"),
            Some("Ange ledamot och röst (ja, nej eller avstår) för varje rad som fylls i.")
        );
        let errors = validate_decision(&DecisionInput {
            vote_members: vec!["Anna Andersson".into(), "Anna Andersson".into()],
            vote_choices: vec!["ja".into(), "nej".into()],
            ..with
        })
        .unwrap_err();
        assert_eq!(
            errors.get("votes"),
            Some("Anna Andersson står flera gånger i omröstningen.")
        );
        for choice in VoteChoice::ALL {
            assert_eq!(VoteChoice::parse(choice.as_str()), Some(choice));
        }
    }

    #[test]
    fn the_forms_offer_a_date_that_is_valid() {
        let meeting = NaiveDate::from_ymd_opt(2026, 4, 21).unwrap();
        let before = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let after = NaiveDate::from_ymd_opt(2026, 4, 23).unwrap();
        assert_eq!(default_act_date(meeting, before), meeting);
        assert_eq!(default_act_date(meeting, after), after);
        assert_eq!(default_act_date(meeting, meeting), meeting);
    }

    #[test]
    fn required_texts() {
        assert!(validate_required("comment", "  \n ", "Skriv en kommentar.").is_err());
        assert_eq!(
            validate_required("comment", " Se över sammanfattningen. ", "x").unwrap(),
            "Se över sammanfattningen."
        );
    }

    #[test]
    fn every_text_of_the_secretarys_forms_is_normalised() {
        let meeting = validate_meeting(&MeetingInput {
            organ: String::new(),
            date: "2026-04-21".into(),
            time: "13:00".into(),
            place: "Stadshuset\u{0}, rum\u{1B} 3".into(),
        })
        .unwrap();
        assert_eq!(meeting.place, "Stadshuset, rum 3");
        let d = validate_decision(&DecisionInput {
            outcome: "amended".into(),
            decision_text: "Ändrat\u{0}\r\nbeslut".into(),
            attendance: "Anna Andersson (S)\r\nBertil Berg (M)\u{200B}".into(),
            reservation_members: vec!["Cecilia\u{0} Ceder".into()],
            reservation_parties: vec!["V\u{8}".into()],
            reservation_texts: vec!["Vi reserverar\u{1B} oss.\r\nSkäl.".into()],
            ..decision()
        })
        .unwrap();
        assert_eq!(d.decision_text, "Ändrat\nbeslut");
        // The attendance is a list, one member per line: the lines stay.
        assert_eq!(d.attendance, "Anna Andersson (S)\nBertil Berg (M)");
        assert_eq!(d.reservations[0].member, "Cecilia Ceder");
        assert_eq!(d.reservations[0].party, "V");
        assert_eq!(d.reservations[0].text, "Vi reserverar oss.\nSkäl.");
        let day = NaiveDate::from_ymd_opt(2026, 4, 21).unwrap();
        assert_eq!(
            validate_adjustment(
                "2026-04-22",
                "Anna\u{0} Andersson",
                "",
                day,
                day + chrono::Days::new(1)
            )
            .unwrap()
            .adjusted_by,
            "Anna Andersson"
        );
        assert_eq!(
            validate_dispatch(
                "2026-04-22",
                "Finans\u{200B}departementet",
                day,
                day + chrono::Days::new(1)
            )
            .unwrap()
            .1,
            "Finansdepartementet"
        );
        assert_eq!(
            validate_required("comment", "Rad 1\r\nRad\u{0} 2", "saknas").unwrap(),
            "Rad 1\nRad 2"
        );
        assert_eq!(
            validate_required("comment", "\u{200B}\u{0}", "saknas")
                .unwrap_err()
                .get("comment"),
            Some("saknas")
        );
    }

    #[test]
    fn direction_controls_are_refused_in_every_text_of_the_secretarys_forms() {
        let spoof = "Avtal \u{202E}fdp.exe";
        let refused = |errors: FieldErrors, field: &str| {
            assert!(
                errors.get(field).unwrap().contains("osynliga styrtecken"),
                "{field}"
            );
        };
        refused(
            validate_meeting(&MeetingInput {
                organ: String::new(),
                date: "2026-04-21".into(),
                time: "13:00".into(),
                place: spoof.into(),
            })
            .unwrap_err(),
            "place",
        );
        let amended = || DecisionInput {
            outcome: "amended".into(),
            decision_text: "Beslut".into(),
            ..decision()
        };
        refused(
            validate_decision(&DecisionInput {
                decision_text: spoof.into(),
                ..amended()
            })
            .unwrap_err(),
            "decision_text",
        );
        refused(
            validate_decision(&DecisionInput {
                reason: spoof.into(),
                ..amended()
            })
            .unwrap_err(),
            "reason",
        );
        refused(
            validate_decision(&DecisionInput {
                attendance: spoof.into(),
                ..amended()
            })
            .unwrap_err(),
            "attendance",
        );
        for (members, parties, texts) in [
            (vec![spoof.to_string()], vec![], vec!["Text".to_string()]),
            (
                vec!["Anna".to_string()],
                vec![spoof.to_string()],
                vec!["Text".to_string()],
            ),
            (vec!["Anna".to_string()], vec![], vec![spoof.to_string()]),
        ] {
            refused(
                validate_decision(&DecisionInput {
                    reservation_members: members.clone(),
                    reservation_parties: parties.clone(),
                    reservation_texts: texts.clone(),
                    ..amended()
                })
                .unwrap_err(),
                "reservations",
            );
            refused(
                validate_decision(&DecisionInput {
                    statement_members: members,
                    statement_parties: parties,
                    statement_texts: texts,
                    ..amended()
                })
                .unwrap_err(),
                "statements",
            );
        }
        let day = NaiveDate::from_ymd_opt(2026, 4, 21).unwrap();
        refused(
            validate_adjustment("2026-04-22", spoof, "", day, day + chrono::Days::new(1))
                .unwrap_err(),
            "adjusted_by",
        );
        refused(
            validate_dispatch("2026-04-22", spoof, day, day + chrono::Days::new(1)).unwrap_err(),
            "recipient",
        );
        refused(
            validate_required("reason", spoof, "saknas").unwrap_err(),
            "reason",
        );
    }

    #[test]
    fn free_texts_of_a_decision_have_a_length_limit() {
        let long = "x".repeat(STATEMENT_MAX + 1);
        let errors = validate_decision(&DecisionInput {
            reason: long.clone(),
            reservation_members: vec!["Anna".into()],
            reservation_texts: vec![long],
            ..decision()
        })
        .unwrap_err();
        assert!(errors.get("reason").is_some());
        assert!(errors.get("reservations").is_some());
    }

    #[test]
    fn an_optional_comment_is_normalised_and_may_be_empty() {
        assert_eq!(validate_optional("comment", "  ").unwrap(), "");
        assert_eq!(
            validate_optional("comment", "Bra\u{0}.\r\nGodkänt.").unwrap(),
            "Bra.\nGodkänt."
        );
        let errors = validate_optional("comment", "\u{202E}x").unwrap_err();
        assert!(
            errors
                .get("comment")
                .unwrap()
                .contains("osynliga styrtecken")
        );
        assert!(validate_optional("comment", &"x".repeat(STATEMENT_MAX + 1)).is_err());
    }

    #[test]
    fn a_member_who_took_no_part_is_recorded_with_the_reason() {
        let d = validate_decision(&DecisionInput {
            absent_members: vec![
                "Anna Andersson (S)".into(),
                " ".into(),
                "Bertil Berg (M)".into(),
            ],
            absent_reasons: vec!["jav".into(), "".into(), "lamnade".into()],
            ..decision()
        })
        .unwrap();
        assert_eq!(
            d.absences,
            [
                Absence {
                    member: "Anna Andersson (S)".into(),
                    reason: AbsenceReason::Disqualified
                },
                Absence {
                    member: "Bertil Berg (M)".into(),
                    reason: AbsenceReason::Left
                },
            ]
        );
        assert_eq!(
            absences_sv(&d.absences).unwrap(),
            "Deltar inte i beslutet: Anna Andersson (S) (jäv), Bertil Berg (M) (lämnade sammanträdet)."
        );
        assert_eq!(absences_sv(&[]), None);
        for reason in AbsenceReason::ALL {
            assert_eq!(AbsenceReason::parse(reason.as_str()), Some(reason));
        }
    }

    #[test]
    fn an_absence_needs_member_and_reason_once_and_no_vote() {
        let refused = |members: Vec<&str>, reasons: Vec<&str>| {
            validate_decision(&DecisionInput {
                absent_members: members.into_iter().map(String::from).collect(),
                absent_reasons: reasons.into_iter().map(String::from).collect(),
                ..decision()
            })
            .unwrap_err()
            .get("absences")
            .unwrap()
            .to_string()
        };
        assert!(refused(vec!["Anna"], vec![""]).starts_with("Ange ledamot och skäl"));
        assert!(refused(vec![""], vec!["jav"]).starts_with("Ange ledamot och skäl"));
        assert!(refused(vec!["Anna"], vec!["sjuk"]).starts_with("Ange ledamot och skäl"));
        assert_eq!(
            refused(vec!["Anna", "Anna"], vec!["jav", "lamnade"]),
            "Anna står flera gånger."
        );
        let errors = validate_decision(&DecisionInput {
            absent_members: vec!["Anna".into()],
            absent_reasons: vec!["jav".into()],
            procedure: "Votering.".into(),
            vote_members: vec!["Anna".into()],
            vote_choices: vec!["ja".into()],
            ..decision()
        })
        .unwrap_err();
        assert_eq!(
            errors.get("absences"),
            Some("Anna deltog inte i beslutet och kan inte ha röstat.")
        );
    }
}
