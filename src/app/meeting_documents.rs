//! A meeting's documents — the kallelse with its föredragningslista and the whole
//! protocol — read from the record once for the print views, the PDFs and the
//! kallelse sent to the members, and built as `render`'s documents.

use sqlx::PgConnection;
use uuid::Uuid;

use super::outgoing::{decided, decision_lines, statements};
use crate::db;
use crate::db::decisions::Decision;
use crate::db::meetings::{AgendaItem, Meeting};
use crate::domain::dates::{format_stockholm, stockholm_date};
use crate::domain::meeting::paragraph_label;
use crate::domain::report::paragraphs;
use crate::domain::roster::{Attendee, adjusted_by_text, attendance_text};
use crate::domain::time_limits::{adjustment_timing, late_adjustment_sv};
use crate::render;
use crate::render::protocol::{Protocol, ProtocolAdjustment, ProtocolParagraph, VoteLine};

/// One item of the föredragningslista as the kallelse lists it.
pub struct AgendaEntry {
    pub item: AgendaItem,
    pub proposals: Vec<String>,
    /// The handläggare, or empty.
    pub officer: String,
}

/// Every item with its dnr, the proposal of its latest report and its handläggare.
pub async fn agenda_entries(
    conn: &mut PgConnection,
    meeting_id: Uuid,
) -> sqlx::Result<Vec<AgendaEntry>> {
    let latest = db::reports::latest_on_agenda(conn, meeting_id).await?;
    Ok(db::meetings::agenda(conn, meeting_id)
        .await?
        .into_iter()
        .map(|item| AgendaEntry {
            proposals: latest
                .iter()
                .find(|r| r.case_id == item.case_id)
                .map(|r| r.content.proposals.clone())
                .unwrap_or_default(),
            officer: item.officer_name.clone().unwrap_or_default(),
            item,
        })
        .collect())
}

/// The kallelse as `render` lays it out.
pub fn agenda(meeting: &Meeting, entries: &[AgendaEntry]) -> render::Agenda {
    render::Agenda {
        organ_name: meeting.organ_name.clone(),
        meeting: format_stockholm(meeting.starts_at),
        meeting_date: stockholm_date(meeting.starts_at),
        place: meeting.place.clone(),
        items: entries
            .iter()
            .map(|e| render::AgendaPoint {
                number: e.item.position,
                dnr: e.item.dnr.to_string(),
                title: e.item.title.clone(),
                officer: e.officer.clone(),
                proposals: e.proposals.clone(),
            })
            .collect(),
    }
}

/// `Kallelse Arbetsmarknadsnämnden 2027-02-16.pdf`.
pub fn agenda_file_name(meeting: &Meeting) -> String {
    let date = stockholm_date(meeting.starts_at).to_string();
    render::file_name(&["Kallelse", &meeting.organ_name, &date], "pdf")
}

/// One § of the protocol.
pub struct Paragraph {
    pub label: String,
    pub item: AgendaItem,
    pub decision: Decision,
    pub decision_lines: Vec<String>,
}

/// What the protocol holds below its heading.
pub struct ProtocolParts {
    pub attendees: Vec<Attendee>,
    /// Who took part, one per line: as recorded, or else as the last decision
    /// wrote it.
    pub attendance: String,
    /// The chair and the justerare, when the attendance is recorded.
    pub adjusted_by: String,
    pub paragraphs: Vec<Paragraph>,
    /// What the protocol says of a justering after the 14 days.
    pub late_adjustment: Option<String>,
}

/// Every decided § in agenda order, with the attendance.
pub async fn protocol_parts(
    conn: &mut PgConnection,
    meeting: &Meeting,
) -> sqlx::Result<ProtocolParts> {
    let decisions = db::decisions::for_meeting(conn, meeting.id).await?;
    let revision_ids: Vec<Uuid> = decisions.iter().map(|d| d.revision_id).collect();
    let revisions = db::reports::get_by_ids(conn, &revision_ids).await?;
    let mut paragraphs = Vec::new();
    for item in db::meetings::agenda(conn, meeting.id).await? {
        let Some(decision) = decisions
            .iter()
            .find(|d| d.agenda_item_id == Some(item.id))
            .cloned()
        else {
            continue;
        };
        let decision_lines = revisions
            .iter()
            .find(|r| r.id == decision.revision_id)
            .map(|revision| decision_lines(&decision, revision))
            .unwrap_or_default();
        paragraphs.push(Paragraph {
            label: decision.paragraph.map(paragraph_label).unwrap_or_default(),
            item,
            decision,
            decision_lines,
        });
    }
    let attendees = meeting.attendees();
    let attendance = if attendees.is_empty() {
        db::meetings::last_attendance(conn, meeting.id)
            .await?
            .unwrap_or_default()
    } else {
        attendance_text(&attendees)
    };
    let late_adjustment = meeting.adjusted_on.and_then(|on| {
        adjustment_timing(stockholm_date(meeting.starts_at), on)
            .missed_deadline()
            .map(late_adjustment_sv)
    });
    Ok(ProtocolParts {
        adjusted_by: adjusted_by_text(&attendees),
        attendees,
        attendance,
        paragraphs,
        late_adjustment,
    })
}

/// The whole protocol as `render` lays it out, through the personal data guard:
/// it is the document that is printed, signed and kept for anyone to read, so
/// whatever looks like a personnummer is masked in every text.
pub fn protocol(meeting: &Meeting, parts: &ProtocolParts) -> Protocol {
    let protocol = Protocol {
        organ_name: meeting.organ_name.clone(),
        meeting: format_stockholm(meeting.starts_at),
        meeting_date: stockholm_date(meeting.starts_at),
        place: meeting.place.clone(),
        attendance: parts.attendance.lines().map(str::to_string).collect(),
        chair: parts
            .attendees
            .iter()
            .find(|a| a.chair)
            .map(|a| a.name.clone())
            .unwrap_or_default(),
        adjusters: parts
            .attendees
            .iter()
            .filter(|a| a.adjuster)
            .map(|a| a.name.clone())
            .collect(),
        paragraphs: parts
            .paragraphs
            .iter()
            .map(|p| {
                let decision = &p.decision;
                ProtocolParagraph {
                    label: p.label.clone(),
                    title: p.item.title.clone(),
                    dnr: p.item.dnr.to_string(),
                    absent: decision.absences.iter().map(|a| a.text_sv()).collect(),
                    motions: statements(&decision.motions),
                    procedure: paragraphs(&decision.procedure),
                    votes: decision
                        .votes
                        .iter()
                        .map(|v| VoteLine {
                            member: v.member.clone(),
                            choice: v.choice.label_sv().to_string(),
                        })
                        .collect(),
                    vote_result: decision.vote_result_sv(),
                    decision: decided(decision, p.decision_lines.clone()),
                    adjusted_at_once: decision.adjusted_at_once,
                    reservations: statements(&decision.reservations),
                    statements: statements(&decision.statements),
                }
            })
            .collect(),
        adjustment: meeting.adjusted_on.map(|on| ProtocolAdjustment {
            on,
            by: meeting.adjusted_by.clone().unwrap_or_default(),
            late: parts.late_adjustment.clone(),
        }),
    };
    render::masked(&protocol)
}

/// `Protokoll Arbetsmarknadsnämnden 2027-02-16.pdf`.
pub fn protocol_file_name(meeting: &Meeting) -> String {
    let date = stockholm_date(meeting.starts_at).to_string();
    render::file_name(&["Protokoll", &meeting.organ_name, &date], "pdf")
}
