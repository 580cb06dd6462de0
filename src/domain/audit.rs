//! What the audit trail records: one typed action per kind of change, with its
//! Swedish text for the history and whether outsiders may see it, and the typed
//! details each case step writes beside the state it leads to.
//!
//! `AuditAction::as_str` is the value stored in `audit_events.action`; the
//! details are serialised to the event's `after` JSON, which [`super::history`]
//! reads back. A new kind of change adds a variant here, and the compiler then
//! asks for its text and its visibility.

use chrono::NaiveDate;
use serde::{Serialize, Serializer};
use uuid::Uuid;

use super::meeting::{Absence, MeetingDecision, MemberStatement, Vote};
use super::sign_in::LinkedBy;
use super::workflow::{CaseState, DecisionOutcome, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    ReferralRegistered,
    ReferralCorrected,
    /// A respondent added after registration (its case has its own event too).
    ReferralRespondentAdded,
    /// Makulerad, with the reason: the remiss and its cases stay, marked.
    ReferralAnnulled,
    /// An anstånd: a later deadline agreed with the sender.
    ReferralDeadlineExtended,
    CaseRegistered,
    CaseAssigned,
    CaseSubmitted,
    CaseApproved,
    CaseReturned,
    CasePlacedOnAgenda,
    CaseDecided,
    CaseDecidedByDelegation,
    /// A meeting's decision corrected before justering (before and after kept).
    CaseDecisionCorrected,
    /// A meeting's decision removed before justering (what it said kept).
    CaseDecisionRemoved,
    CaseDispatched,
    CaseDeclined,
    ReportSaved,
    MeetingPlanned,
    MeetingAgendaReordered,
    MeetingAdjusted,
    /// Moved to another day, time or place, with the reason.
    MeetingRescheduled,
    /// Cancelled, with the reason.
    MeetingCancelled,
    /// Who took part, the chair and the justerare.
    MeetingAttendanceRecorded,
    /// The kallelse was sent to the members by e-mail.
    MeetingAgendaSent,
    /// A member or substitute put on the nämnd's roster, or taken off it.
    OrganMemberAdded,
    OrganMemberRemoved,
    /// A notice went up on the anslagstavla (justering, omedelbar justering,
    /// delegation decision).
    NoticePosted,
    UserCreated,
    UserPasswordChanged,
    UserSignInChanged,
    UserSignInLinked,
    UserSignedIn,
    UserRoleGiven,
    UserRoleTaken,
    UserActivated,
    UserDeactivated,
    OrganCreated,
    OrganUpdated,
    DocumentRegistered,
    DocumentPublished,
    DocumentUnpublished,
    DocumentAnnulled,
    /// A secret document's file was opened (who read it, when).
    DocumentSecretRead,
    /// An upload the virus scan stopped (nothing was registered).
    DocumentVirusFound,
    /// An administrator queued a failed e-mail again.
    MessageRetried,
    /// A user turned their e-mail notifications on or off.
    UserNotificationsChanged,
}

impl AuditAction {
    pub const ALL: [AuditAction; 47] = [
        AuditAction::ReferralRegistered,
        AuditAction::ReferralCorrected,
        AuditAction::ReferralRespondentAdded,
        AuditAction::ReferralAnnulled,
        AuditAction::ReferralDeadlineExtended,
        AuditAction::CaseRegistered,
        AuditAction::CaseAssigned,
        AuditAction::CaseSubmitted,
        AuditAction::CaseApproved,
        AuditAction::CaseReturned,
        AuditAction::CasePlacedOnAgenda,
        AuditAction::CaseDecided,
        AuditAction::CaseDecidedByDelegation,
        AuditAction::CaseDecisionCorrected,
        AuditAction::CaseDecisionRemoved,
        AuditAction::CaseDispatched,
        AuditAction::CaseDeclined,
        AuditAction::ReportSaved,
        AuditAction::MeetingPlanned,
        AuditAction::MeetingAgendaReordered,
        AuditAction::MeetingAdjusted,
        AuditAction::MeetingRescheduled,
        AuditAction::MeetingCancelled,
        AuditAction::MeetingAttendanceRecorded,
        AuditAction::MeetingAgendaSent,
        AuditAction::OrganMemberAdded,
        AuditAction::OrganMemberRemoved,
        AuditAction::NoticePosted,
        AuditAction::UserCreated,
        AuditAction::UserPasswordChanged,
        AuditAction::UserSignInChanged,
        AuditAction::UserSignInLinked,
        AuditAction::UserSignedIn,
        AuditAction::UserRoleGiven,
        AuditAction::UserRoleTaken,
        AuditAction::UserActivated,
        AuditAction::UserDeactivated,
        AuditAction::OrganCreated,
        AuditAction::OrganUpdated,
        AuditAction::DocumentRegistered,
        AuditAction::DocumentPublished,
        AuditAction::DocumentUnpublished,
        AuditAction::DocumentAnnulled,
        AuditAction::DocumentSecretRead,
        AuditAction::DocumentVirusFound,
        AuditAction::MessageRetried,
        AuditAction::UserNotificationsChanged,
    ];

    pub fn as_str(self) -> &'static str {
        use AuditAction as A;
        match self {
            A::ReferralRegistered => "referral.registered",
            A::ReferralCorrected => "referral.corrected",
            A::ReferralRespondentAdded => "referral.respondent_added",
            A::ReferralAnnulled => "referral.annulled",
            A::ReferralDeadlineExtended => "referral.deadline_extended",
            A::CaseRegistered => "case.registered",
            A::CaseAssigned => "case.assigned",
            A::CaseSubmitted => "case.submitted",
            A::CaseApproved => "case.approved",
            A::CaseReturned => "case.returned",
            A::CasePlacedOnAgenda => "case.placed_on_agenda",
            A::CaseDecided => "case.decided",
            A::CaseDecidedByDelegation => "case.decided_by_delegation",
            A::CaseDecisionCorrected => "case.decision_corrected",
            A::CaseDecisionRemoved => "case.decision_removed",
            A::CaseDispatched => "case.dispatched",
            A::CaseDeclined => "case.declined",
            A::ReportSaved => "report.saved",
            A::MeetingPlanned => "meeting.planned",
            A::MeetingAgendaReordered => "meeting.agenda_reordered",
            A::MeetingAdjusted => "meeting.adjusted",
            A::MeetingRescheduled => "meeting.rescheduled",
            A::MeetingCancelled => "meeting.cancelled",
            A::MeetingAttendanceRecorded => "meeting.attendance_recorded",
            A::MeetingAgendaSent => "meeting.agenda_sent",
            A::OrganMemberAdded => "organ.member_added",
            A::OrganMemberRemoved => "organ.member_removed",
            A::NoticePosted => "notice.posted",
            A::UserCreated => "user.created",
            A::UserPasswordChanged => "user.password_changed",
            A::UserSignInChanged => "user.sign_in_changed",
            A::UserSignInLinked => "user.sign_in_linked",
            A::UserSignedIn => "user.signed_in",
            A::UserRoleGiven => "user.role_given",
            A::UserRoleTaken => "user.role_taken",
            A::UserActivated => "user.activated",
            A::UserDeactivated => "user.deactivated",
            A::OrganCreated => "organ.created",
            A::OrganUpdated => "organ.updated",
            A::DocumentRegistered => "document.registered",
            A::DocumentPublished => "document.published",
            A::DocumentUnpublished => "document.unpublished",
            A::DocumentAnnulled => "document.annulled",
            A::DocumentSecretRead => "document.secret_read",
            A::DocumentVirusFound => "document.virus_found",
            A::MessageRetried => "message.retried",
            A::UserNotificationsChanged => "user.notifications_changed",
        }
    }

    /// The inverse of [`AuditAction::as_str`]; exact match only.
    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// What kind of thing the event is about (`audit_events.entity_type`).
    pub fn entity_type(self) -> &'static str {
        self.as_str()
            .split_once('.')
            .map_or("", |(entity, _)| match entity {
                // A saved revision belongs to its case's history.
                "report" => "case",
                other => other,
            })
    }

    /// Whether someone outside the case's organ may see the event in its history:
    /// registration and the board's public acts (the justering among them). Drafting and review are working
    /// material.
    pub fn is_public(self) -> bool {
        use AuditAction as A;
        matches!(
            self,
            A::ReferralRegistered
                | A::ReferralCorrected
                | A::ReferralRespondentAdded
                | A::ReferralAnnulled
                | A::ReferralDeadlineExtended
                | A::CaseRegistered
                | A::CasePlacedOnAgenda
                | A::CaseDecided
                | A::CaseDecidedByDelegation
                | A::CaseDispatched
                | A::CaseDeclined
                | A::MeetingAdjusted
        )
    }
}

impl Serialize for CaseState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Serialize for DecisionOutcome {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Serialize for Role {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A step in a case's life, with what it recorded. The action follows from the
/// variant, so the two cannot disagree; the fields are the event's details.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CaseEvent {
    Assigned {
        officer: String,
    },
    Submitted {
        revision: i32,
    },
    Approved {
        revision: i32,
        comment: String,
    },
    Returned {
        revision: i32,
        comment: String,
    },
    PlacedOnAgenda {
        /// The meeting as the history shows it: "2020-03-17 13:00".
        meeting: String,
        after_deadline: bool,
    },
    Decided {
        outcome: DecisionOutcome,
        /// "§ 12".
        paragraph: String,
        reason: String,
        /// The decision recorded, so that its outcome is shown to outsiders only
        /// once the decision is public.
        decision_id: Uuid,
    },
    DecidedByDelegation {
        reference: String,
    },
    DecisionCorrected {
        /// "§ 12".
        paragraph: String,
        was: DecisionRecord,
        now: DecisionRecord,
    },
    DecisionRemoved {
        paragraph: String,
        was: DecisionRecord,
        reason: String,
    },
    Dispatched {
        dispatched_on: NaiveDate,
        recipient: String,
    },
    Declined {
        reason: String,
    },
    ReportSaved {
        revision: i32,
    },
}

impl CaseEvent {
    pub fn action(&self) -> AuditAction {
        use AuditAction as A;
        match self {
            CaseEvent::Assigned { .. } => A::CaseAssigned,
            CaseEvent::Submitted { .. } => A::CaseSubmitted,
            CaseEvent::Approved { .. } => A::CaseApproved,
            CaseEvent::Returned { .. } => A::CaseReturned,
            CaseEvent::PlacedOnAgenda { .. } => A::CasePlacedOnAgenda,
            CaseEvent::Decided { .. } => A::CaseDecided,
            CaseEvent::DecidedByDelegation { .. } => A::CaseDecidedByDelegation,
            CaseEvent::DecisionCorrected { .. } => A::CaseDecisionCorrected,
            CaseEvent::DecisionRemoved { .. } => A::CaseDecisionRemoved,
            CaseEvent::Dispatched { .. } => A::CaseDispatched,
            CaseEvent::Declined { .. } => A::CaseDeclined,
            CaseEvent::ReportSaved { .. } => A::ReportSaved,
        }
    }
}

/// A meeting's decision as recorded, for the history of its corrections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionRecord {
    pub outcome: DecisionOutcome,
    pub decision_text: String,
    pub reason: String,
    pub attendance: String,
    pub reservations: Vec<MemberStatement>,
    pub statements: Vec<MemberStatement>,
    pub motions: Vec<MemberStatement>,
    pub procedure: String,
    pub votes: Vec<Vote>,
    /// Those who took no part in the paragraph.
    pub absences: Vec<Absence>,
}

impl From<MeetingDecision> for DecisionRecord {
    fn from(decision: MeetingDecision) -> DecisionRecord {
        DecisionRecord {
            outcome: decision.outcome,
            decision_text: decision.decision_text,
            reason: decision.reason,
            attendance: decision.attendance,
            reservations: decision.reservations,
            statements: decision.statements,
            motions: decision.motions,
            procedure: decision.procedure,
            votes: decision.votes,
            absences: decision.absences,
        }
    }
}

/// A case step's `before`: the state it left.
#[derive(Debug, Clone, Serialize)]
pub struct StateBefore {
    pub state: CaseState,
}

/// A case step's `after`: the state it reached and what it recorded.
#[derive(Debug, Clone, Serialize)]
pub struct StateAfter<'a> {
    pub state: CaseState,
    #[serde(flatten)]
    pub event: &'a CaseEvent,
}

/// `meeting.planned`.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingPlanned {
    pub organ_id: Uuid,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub place: String,
}

/// `meeting.agenda_reordered`.
#[derive(Debug, Clone, Serialize)]
pub struct AgendaReordered {
    pub item: Uuid,
    /// "up" or "down".
    pub direction: &'static str,
}

/// `meeting.adjusted`.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingAdjusted {
    pub adjusted_on: NaiveDate,
    pub adjusted_by: String,
    /// The last day of KL 5 kap. 69 § that a late justering missed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missed_deadline: Option<NaiveDate>,
}

/// `meeting.agenda_sent`: the kallelse sent by e-mail, and to whom.
#[derive(Debug, Clone, Serialize)]
pub struct AgendaSent {
    /// "Anna Andersson (S) <anna@example.se>", one per message.
    pub recipients: Vec<String>,
    /// Members on the roster without an address.
    pub without_address: Vec<String>,
    /// The föredragningslista had changed since the kallelse was last sent.
    pub again: bool,
}

/// `meeting.rescheduled` (after; its before is a [`MeetingPlanned`]).
#[derive(Debug, Clone, Serialize)]
pub struct MeetingChanged {
    pub organ_id: Uuid,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub place: String,
    pub reason: String,
}

/// `organ.member_added` and `organ.member_removed`.
#[derive(Debug, Clone, Serialize)]
pub struct OrganMember {
    pub organ_id: Uuid,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substitute: Option<bool>,
    /// The address the kallelse goes to, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// `meeting.cancelled`.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingCancelled {
    pub reason: String,
}

/// `notice.posted`: what it announces and the dates it was announced with.
#[derive(Debug, Clone, Serialize)]
pub struct NoticePosted {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_id: Option<Uuid>,
    pub adjusted_on: NaiveDate,
    pub posted_on: NaiveDate,
    pub appeal_last_day: NaiveDate,
    pub take_down_on: NaiveDate,
    pub kept_at: String,
}

/// `user.created`.
#[derive(Debug, Clone, Serialize)]
pub struct UserCreated {
    pub username: String,
    pub display_name: String,
    pub title: String,
    pub organ_id: Option<Uuid>,
    pub admin: bool,
    /// What the identity provider's first sign-in finds the account by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oidc_subject: Option<String>,
    /// Whether the account has a password kept in Remiss.
    pub password: bool,
    /// "command line", "demo" or "import" when not made on the new-account form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<&'static str>,
}

/// `user.sign_in_linked`: the identity at the provider an account was linked to
/// at its first sign-in, and how the sign-in found it.
#[derive(Debug, Clone, Serialize)]
pub struct SignInLinked {
    pub via: LinkedBy,
    pub realm: String,
    pub subject: String,
    /// The provider's address that found the account, when it was the address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// `user.signed_in` through the identity provider.
#[derive(Debug, Clone, Serialize)]
pub struct SignedIn {
    /// "oidc".
    pub via: &'static str,
    pub realm: String,
}

impl Serialize for LinkedBy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// `user.role_given` and `user.role_taken`.
#[derive(Debug, Clone, Serialize)]
pub struct RoleChanged {
    pub organ_id: Uuid,
    pub role: Role,
}

/// `organ.created` and `organ.updated` (before and after).
#[derive(Debug, Clone, Serialize)]
pub struct OrganFields {
    pub name: String,
    pub diarium_prefix: String,
    pub administration: String,
    pub delegation_allowed: bool,
    pub review_days: i32,
    pub agenda_closing_days: i32,
}

/// `referral.registered` and `referral.corrected` (before and after): the fields
/// with the same keys on both sides, so the history can list what changed.
#[derive(Debug, Clone, Serialize)]
pub struct ReferralFields {
    pub title: String,
    pub description: String,
    pub sender: String,
    pub sender_dnr: String,
    pub sender_email: Option<String>,
    pub received_on: NaiveDate,
    pub deadline: NaiveDate,
    pub secrecy: Option<String>,
}

/// `referral.annulled`: why, and the cases' numbers, which stay taken.
#[derive(Debug, Clone, Serialize)]
pub struct ReferralAnnulled {
    pub reason: String,
    /// `AMN 2026/3, SN 2026/7`.
    pub numbers: String,
}

/// `referral.deadline_extended` (before: the deadline it replaced).
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineExtended {
    pub deadline: NaiveDate,
    pub granted_on: NaiveDate,
    pub granted_by: String,
    pub note: String,
}

/// `document.registered`.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentRegistered {
    pub title: String,
    /// `AMN 2026/3-2, SN 2026/7-2`.
    pub numbers: String,
    pub direction: &'static str,
    pub dated_on: NaiveDate,
    pub file_name: String,
    pub media_type: &'static str,
    pub size: i64,
    pub sha256: String,
    pub secrecy: Option<String>,
    pub virus_scan: &'static str,
    pub personal_data: &'static str,
    pub published: bool,
}

/// `document.published`, `document.unpublished`, `document.annulled` and
/// `document.secret_read`: the document, and what the decision recorded.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentDecision {
    pub title: String,
    pub numbers: String,
    /// The personnummer guard's finding, and whether the registrar confirmed
    /// having looked (publication).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_data: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_data_checked: Option<bool>,
    /// Why it was annulled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `message.retried`: the failed e-mail and the server's last answer.
#[derive(Debug, Clone, Serialize)]
pub struct MessageRetried {
    pub recipient: String,
    pub subject: String,
    pub last_error: Option<String>,
}

/// `user.notifications_changed`.
#[derive(Debug, Clone, Serialize)]
pub struct NotificationsChanged {
    pub notify_by_email: bool,
}

/// `document.virus_found`.
#[derive(Debug, Clone, Serialize)]
pub struct VirusFound {
    pub file_name: String,
    pub signature: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_action_is_stored_as_itself_and_read_back() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            assert!(!action.entity_type().is_empty(), "{action:?}");
        }
        assert_eq!(AuditAction::parse("case.unknown"), None);
        assert_eq!(AuditAction::ReportSaved.entity_type(), "case");
        assert_eq!(AuditAction::OrganUpdated.entity_type(), "organ");
    }

    #[test]
    fn only_registration_and_the_boards_acts_are_public() {
        let public: Vec<&str> = AuditAction::ALL
            .into_iter()
            .filter(|a| a.is_public())
            .map(AuditAction::as_str)
            .collect();
        assert_eq!(
            public,
            [
                "referral.registered",
                "referral.corrected",
                "referral.respondent_added",
                "referral.annulled",
                "referral.deadline_extended",
                "case.registered",
                "case.placed_on_agenda",
                "case.decided",
                "case.decided_by_delegation",
                "case.dispatched",
                "case.declined",
                "meeting.adjusted",
            ]
        );
    }

    #[test]
    fn a_step_records_its_state_beside_its_details() {
        let decision_id = Uuid::nil();
        let event = CaseEvent::Decided {
            outcome: DecisionOutcome::ReferredBack,
            paragraph: "§ 12".into(),
            reason: "".into(),
            decision_id,
        };
        assert_eq!(event.action(), AuditAction::CaseDecided);
        let after = serde_json::to_value(StateAfter {
            state: CaseState::Drafting,
            event: &event,
        })
        .unwrap();
        assert_eq!(
            after,
            json!({ "state": "drafting", "outcome": "referred_back", "paragraph": "§ 12", "reason": "", "decision_id": decision_id })
        );
    }
}
