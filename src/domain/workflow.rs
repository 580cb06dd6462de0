//! The workflow of one case: one respondent organ's answer to a referral.
//!
//! This module is pure: it knows the states, the transitions between them and
//! who may take them, and nothing about the database or the web. Handlers call
//! [`apply`] before they write a new state, and [`available`] to decide which
//! buttons to show, so that the two can never disagree.
//!
//! ```text
//! registered --assign--> drafting            drafting --assign--> drafting (reassign)
//! drafting --submit--> in_review
//! in_review --approve--> approved            in_review --return--> drafting
//! approved --place on agenda--> on_agenda
//! on_agenda --decide adopted|amended--> decided
//! on_agenda --decide referred back--> drafting
//! on_agenda --decide tabled--> approved
//! approved --decide delegation--> decided    (only if the organ allows delegation)
//! decided --dispatch--> answered
//! registered|drafting|in_review|approved|on_agenda --decline--> declined
//! ```

use std::fmt;

/// Where a case is in its workflow. `as_str` is the value stored in `cases.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseState {
    Registered,
    Drafting,
    InReview,
    Approved,
    OnAgenda,
    Decided,
    Answered,
    Declined,
}

impl CaseState {
    pub const ALL: [CaseState; 8] = [
        CaseState::Registered,
        CaseState::Drafting,
        CaseState::InReview,
        CaseState::Approved,
        CaseState::OnAgenda,
        CaseState::Decided,
        CaseState::Answered,
        CaseState::Declined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Registered => "registered",
            CaseState::Drafting => "drafting",
            CaseState::InReview => "in_review",
            CaseState::Approved => "approved",
            CaseState::OnAgenda => "on_agenda",
            CaseState::Decided => "decided",
            CaseState::Answered => "answered",
            CaseState::Declined => "declined",
        }
    }

    /// The inverse of [`CaseState::as_str`]; exact match only.
    pub fn parse(s: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|state| state.as_str() == s)
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            CaseState::Registered => "Registrerat",
            CaseState::Drafting => "Under beredning",
            CaseState::InReview => "Under granskning",
            CaseState::Approved => "Godkänt",
            CaseState::OnAgenda => "På föredragningslista",
            CaseState::Decided => "Beslutat",
            CaseState::Answered => "Besvarat",
            CaseState::Declined => "Avböjt",
        }
    }

    /// Whether the case still needs work. A decided case is open: the
    /// yttrande has not been dispatched yet.
    pub fn is_open(self) -> bool {
        !matches!(self, CaseState::Answered | CaseState::Declined)
    }

    /// The state as the predicate of "Ärendet är …", for refusals.
    pub fn predicate_sv(self) -> &'static str {
        match self {
            CaseState::Registered => "registrerat",
            CaseState::Drafting => "under beredning",
            CaseState::InReview => "under granskning",
            CaseState::Approved => "godkänt",
            CaseState::OnAgenda => "uppfört på föredragningslistan",
            CaseState::Decided => "beslutat",
            CaseState::Answered => "besvarat",
            CaseState::Declined => "avböjt",
        }
    }
}

/// A user's role in one organ. `as_str` is the value stored in `user_roles.role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Registrar,
    Officer,
    Reviewer,
    Secretary,
    /// Manages users and organs; grants no workflow transition by itself.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Registrar,
        Role::Officer,
        Role::Reviewer,
        Role::Secretary,
        Role::Admin,
    ];

    /// The roles an administrator can give: the workflow's roles in an organ.
    pub const GRANTABLE: [Role; 4] = [
        Role::Registrar,
        Role::Officer,
        Role::Reviewer,
        Role::Secretary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Registrar => "registrator",
            Role::Officer => "handlaggare",
            Role::Reviewer => "granskare",
            Role::Secretary => "sekreterare",
            Role::Admin => "admin",
        }
    }

    /// The inverse of [`Role::as_str`]; exact match only.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == s)
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            Role::Registrar => "Registrator",
            Role::Officer => "Handläggare",
            Role::Reviewer => "Granskare",
            Role::Secretary => "Nämndsekreterare",
            Role::Admin => "Administratör",
        }
    }
}

/// What a decision said. `as_str` is the value stored in `decisions.outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecisionOutcome {
    Adopted,
    Amended,
    ReferredBack,
    Tabled,
    Delegation,
}

impl DecisionOutcome {
    pub const ALL: [DecisionOutcome; 5] = [
        DecisionOutcome::Adopted,
        DecisionOutcome::Amended,
        DecisionOutcome::ReferredBack,
        DecisionOutcome::Tabled,
        DecisionOutcome::Delegation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DecisionOutcome::Adopted => "adopted",
            DecisionOutcome::Amended => "amended",
            DecisionOutcome::ReferredBack => "referred_back",
            DecisionOutcome::Tabled => "tabled",
            DecisionOutcome::Delegation => "delegation",
        }
    }

    /// The inverse of [`DecisionOutcome::as_str`]; exact match only.
    pub fn parse(s: &str) -> Option<DecisionOutcome> {
        DecisionOutcome::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == s)
    }

    /// Whether the decision stands as the organ's answer (återremiss and
    /// bordläggning do not: the case goes on).
    pub fn stands(self) -> bool {
        matches!(
            self,
            DecisionOutcome::Adopted | DecisionOutcome::Amended | DecisionOutcome::Delegation
        )
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            DecisionOutcome::Adopted => "Bifall till förslaget",
            DecisionOutcome::Amended => "Bifall med ändringar",
            DecisionOutcome::ReferredBack => "Återremiss",
            DecisionOutcome::Tabled => "Bordlagt",
            DecisionOutcome::Delegation => "Delegationsbeslut",
        }
    }
}

/// Something a user can do to a case. The data that goes with it (the
/// officer, the comment, the meeting, the reason) is the caller's business;
/// this module only decides whether the step is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transition {
    Assign,
    Submit,
    Approve,
    Return,
    PlaceOnAgenda,
    Decide(DecisionOutcome),
    Dispatch,
    Decline,
}

impl Transition {
    /// Every transition, each decision outcome separately, in workflow order.
    pub fn all() -> Vec<Transition> {
        let mut all = vec![
            Transition::Assign,
            Transition::Submit,
            Transition::Approve,
            Transition::Return,
            Transition::PlaceOnAgenda,
        ];
        all.extend(DecisionOutcome::ALL.map(Transition::Decide));
        all.extend([Transition::Dispatch, Transition::Decline]);
        all
    }

    /// The verb, for buttons and logs. All decisions share "fatta beslut";
    /// show [`DecisionOutcome::label_sv`] next to it to tell them apart.
    pub fn label_sv(self) -> &'static str {
        match self {
            Transition::Assign => "tilldela handläggare",
            Transition::Submit => "skicka till granskning",
            Transition::Approve => "godkänna",
            Transition::Return => "återsända",
            Transition::PlaceOnAgenda => "föra upp på föredragningslista",
            Transition::Decide(_) => "fatta beslut",
            Transition::Dispatch => "expediera",
            Transition::Decline => "avböja",
        }
    }

    /// The passive verb phrase of "Ärendet … kan inte …", for refusals.
    fn passive_sv(self) -> &'static str {
        match self {
            Transition::Assign => "tilldelas en handläggare",
            Transition::Submit => "skickas till granskning",
            Transition::Approve => "godkännas",
            Transition::Return => "återsändas till handläggaren",
            Transition::PlaceOnAgenda => "föras upp på en föredragningslista",
            Transition::Decide(DecisionOutcome::Adopted | DecisionOutcome::Amended) => {
                "beslutas på sammanträde"
            }
            Transition::Decide(DecisionOutcome::ReferredBack) => "återremitteras",
            Transition::Decide(DecisionOutcome::Tabled) => "bordläggas",
            Transition::Decide(DecisionOutcome::Delegation) => "beslutas på delegation",
            Transition::Dispatch => "expedieras",
            Transition::Decline => "avböjas",
        }
    }

    /// Where this transition leads from `state`, or `None` if it does not
    /// start there. This is the state diagram of the module docs.
    fn target(self, state: CaseState) -> Option<CaseState> {
        use CaseState as S;
        use DecisionOutcome as D;
        use Transition as T;
        match (state, self) {
            (S::Registered | S::Drafting, T::Assign) => Some(S::Drafting),
            (S::Drafting, T::Submit) => Some(S::InReview),
            (S::InReview, T::Approve) => Some(S::Approved),
            (S::InReview, T::Return) => Some(S::Drafting),
            (S::Approved, T::PlaceOnAgenda) => Some(S::OnAgenda),
            (S::OnAgenda, T::Decide(D::Adopted | D::Amended)) => Some(S::Decided),
            (S::OnAgenda, T::Decide(D::ReferredBack)) => Some(S::Drafting),
            // Tabled: back to approved, to be placed on a later meeting's agenda.
            (S::OnAgenda, T::Decide(D::Tabled)) => Some(S::Approved),
            // Delegation replaces the meeting, so it starts where the agenda would.
            (S::Approved, T::Decide(D::Delegation)) => Some(S::Decided),
            (S::Decided, T::Dispatch) => Some(S::Answered),
            // Once decided, the organ has answered in substance; no declining then.
            (S::Registered | S::Drafting | S::InReview | S::Approved | S::OnAgenda, T::Decline) => {
                Some(S::Declined)
            }
            _ => None,
        }
    }

    /// The roles of which the actor needs at least one, in `Role::ALL` order.
    fn required_roles(self) -> &'static [Role] {
        match self {
            Transition::Assign => &[Role::Registrar, Role::Reviewer],
            Transition::Submit => &[Role::Officer],
            Transition::Approve | Transition::Return => &[Role::Reviewer],
            Transition::PlaceOnAgenda => &[Role::Secretary],
            Transition::Decide(DecisionOutcome::Delegation) => &[Role::Reviewer],
            Transition::Decide(_) => &[Role::Secretary],
            Transition::Dispatch => &[Role::Secretary],
            Transition::Decline => &[Role::Registrar, Role::Reviewer, Role::Secretary],
        }
    }
}

/// The user attempting a transition, as seen from the case.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// The user's roles in the case's organ (not in other organs).
    pub roles: &'a [Role],
    /// Whether the user is the case's assigned officer.
    pub is_assigned_officer: bool,
}

/// The organ's own rules that affect the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrganRules {
    /// Whether the organ's delegation order lets a reviewer decide without a meeting.
    pub delegation_allowed: bool,
    /// The remiss was makulerad: its cases take no step any more.
    pub annulled: bool,
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The transition does not start from the case's current state.
    NotInThisState {
        state: CaseState,
        transition: Transition,
    },
    /// The actor has none of the `required` roles in the case's organ.
    MissingRole {
        transition: Transition,
        required: &'static [Role],
    },
    /// Only the assigned officer may submit the case.
    NotAssignedOfficer,
    /// The organ does not allow delegation decisions.
    DelegationNotAllowed,
    /// The remiss was makulerad.
    Annulled,
}

impl Refusal {
    /// The refusal as a Swedish sentence for the user.
    pub fn message_sv(&self) -> String {
        match self {
            Refusal::NotInThisState { state, transition } => format!(
                "Ärendet är {} och kan inte {}.",
                state.predicate_sv(),
                transition.passive_sv()
            ),
            Refusal::MissingRole { required, .. } => match required {
                [role] => format!(
                    "Det kräver rollen {} i ärendets organ.",
                    role.label_sv().to_lowercase()
                ),
                _ => format!(
                    "Det kräver någon av rollerna {} i ärendets organ.",
                    roles_with_or(required)
                ),
            },
            Refusal::NotAssignedOfficer => {
                "Bara den handläggare som ärendet är tilldelat kan skicka det till granskning."
                    .to_string()
            }
            Refusal::DelegationNotAllowed => "Nämnden tillåter inte delegationsbeslut.".to_string(),
            Refusal::Annulled => {
                "Remissen är makulerad, så inget mer görs i dess svarsärenden.".to_string()
            }
        }
    }
}

/// "registrator, granskare eller nämndsekreterare".
fn roles_with_or(roles: &[Role]) -> String {
    let names: Vec<String> = roles.iter().map(|r| r.label_sv().to_lowercase()).collect();
    match names.split_last() {
        Some((last, init)) if !init.is_empty() => format!("{} eller {last}", init.join(", ")),
        _ => names.concat(),
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_sv())
    }
}

impl std::error::Error for Refusal {}

/// The state after `transition`, or why the actor may not take it.
///
/// Checks run from the most general to the most personal, so the user learns
/// first that nobody could do this now, then that the organ forbids it, and
/// only then what they themselves lack.
pub fn apply(
    state: CaseState,
    transition: Transition,
    actor: &Actor,
    rules: &OrganRules,
) -> Result<CaseState, Refusal> {
    if rules.annulled {
        return Err(Refusal::Annulled);
    }
    let next = transition
        .target(state)
        .ok_or(Refusal::NotInThisState { state, transition })?;

    if transition == Transition::Decide(DecisionOutcome::Delegation) && !rules.delegation_allowed {
        return Err(Refusal::DelegationNotAllowed);
    }

    let required = transition.required_roles();
    if !actor.roles.iter().any(|role| required.contains(role)) {
        return Err(Refusal::MissingRole {
            transition,
            required,
        });
    }

    // The officer role is not enough: only the one who wrote the draft submits it.
    if transition == Transition::Submit && !actor.is_assigned_officer {
        return Err(Refusal::NotAssignedOfficer);
    }

    Ok(next)
}

/// The transitions this actor may take now (for showing buttons): every t in
/// [`Transition::all`] where [`apply`] is `Ok`, in that order.
pub fn available(state: CaseState, actor: &Actor, rules: &OrganRules) -> Vec<Transition> {
    Transition::all()
        .into_iter()
        .filter(|&t| apply(state, t, actor, rules).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseState as S;
    use DecisionOutcome as D;
    use Role as R;
    use Transition as T;

    // Written out by hand rather than taken from `ALL`/`all()`, so that a
    // variant missing there cannot also go missing from the tests.
    const STATES: [CaseState; 8] = [
        S::Registered,
        S::Drafting,
        S::InReview,
        S::Approved,
        S::OnAgenda,
        S::Decided,
        S::Answered,
        S::Declined,
    ];
    const ROLES: [Role; 5] = [
        R::Registrar,
        R::Officer,
        R::Reviewer,
        R::Secretary,
        R::Admin,
    ];
    const TRANSITIONS: [Transition; 12] = [
        T::Assign,
        T::Submit,
        T::Approve,
        T::Return,
        T::PlaceOnAgenda,
        T::Decide(D::Adopted),
        T::Decide(D::Amended),
        T::Decide(D::ReferredBack),
        T::Decide(D::Tabled),
        T::Decide(D::Delegation),
        T::Dispatch,
        T::Decline,
    ];

    const ASSIGNERS: &[Role] = &[R::Registrar, R::Reviewer];
    const DECLINERS: &[Role] = &[R::Registrar, R::Reviewer, R::Secretary];

    /// The expected workflow, written from the specification: every legal
    /// (from, transition) pair, where it leads, and the roles that may take it
    /// (in the order a `MissingRole` refusal lists them). Every pair not here
    /// must be refused with `NotInThisState`.
    const EXPECTED: &[(CaseState, Transition, CaseState, &[Role])] = &[
        (S::Registered, T::Assign, S::Drafting, ASSIGNERS),
        (S::Registered, T::Decline, S::Declined, DECLINERS),
        (S::Drafting, T::Assign, S::Drafting, ASSIGNERS),
        (S::Drafting, T::Submit, S::InReview, &[R::Officer]),
        (S::Drafting, T::Decline, S::Declined, DECLINERS),
        (S::InReview, T::Approve, S::Approved, &[R::Reviewer]),
        (S::InReview, T::Return, S::Drafting, &[R::Reviewer]),
        (S::InReview, T::Decline, S::Declined, DECLINERS),
        (S::Approved, T::PlaceOnAgenda, S::OnAgenda, &[R::Secretary]),
        (
            S::Approved,
            T::Decide(D::Delegation),
            S::Decided,
            &[R::Reviewer],
        ),
        (S::Approved, T::Decline, S::Declined, DECLINERS),
        (
            S::OnAgenda,
            T::Decide(D::Adopted),
            S::Decided,
            &[R::Secretary],
        ),
        (
            S::OnAgenda,
            T::Decide(D::Amended),
            S::Decided,
            &[R::Secretary],
        ),
        (
            S::OnAgenda,
            T::Decide(D::ReferredBack),
            S::Drafting,
            &[R::Secretary],
        ),
        (
            S::OnAgenda,
            T::Decide(D::Tabled),
            S::Approved,
            &[R::Secretary],
        ),
        (S::OnAgenda, T::Decline, S::Declined, DECLINERS),
        (S::Decided, T::Dispatch, S::Answered, &[R::Secretary]),
    ];

    fn actor(roles: &[Role], is_assigned_officer: bool) -> Actor<'_> {
        Actor {
            roles,
            is_assigned_officer,
        }
    }

    const DELEGATION: OrganRules = OrganRules {
        delegation_allowed: true,
        annulled: false,
    };
    const NO_DELEGATION: OrganRules = OrganRules {
        delegation_allowed: false,
        annulled: false,
    };

    #[test]
    fn no_transition_is_taken_on_a_makulerad_remiss() {
        let every_role = [R::Officer, R::Reviewer, R::Secretary, R::Registrar];
        let annulled = OrganRules {
            delegation_allowed: true,
            annulled: true,
        };
        for state in STATES {
            for transition in Transition::all() {
                assert_eq!(
                    apply(state, transition, &actor(&every_role, true), &annulled),
                    Err(Refusal::Annulled),
                    "{state:?} {transition:?}"
                );
            }
            assert!(available(state, &actor(&every_role, true), &annulled).is_empty());
        }
    }

    #[test]
    fn expected_table_has_each_pair_once() {
        for (i, (from, t, ..)) in EXPECTED.iter().enumerate() {
            let later = EXPECTED[i + 1..]
                .iter()
                .filter(|(f, u, ..)| f == from && u == t);
            assert_eq!(later.count(), 0, "{from:?} {t:?} twice");
        }
    }

    #[test]
    fn every_state_transition_and_role() {
        let mut allowed = 0;
        for state in STATES {
            for transition in TRANSITIONS {
                let row = EXPECTED
                    .iter()
                    .find(|(from, t, ..)| *from == state && *t == transition);
                for role in ROLES {
                    for assigned in [false, true] {
                        for rules in [NO_DELEGATION, DELEGATION] {
                            // The refusal order of the specification: state,
                            // delegation rule, role, assigned officer.
                            let expected = match row {
                                None => Err(Refusal::NotInThisState { state, transition }),
                                Some(_)
                                    if transition == T::Decide(D::Delegation)
                                        && !rules.delegation_allowed =>
                                {
                                    Err(Refusal::DelegationNotAllowed)
                                }
                                Some(&(_, _, _, roles)) if !roles.contains(&role) => {
                                    Err(Refusal::MissingRole {
                                        transition,
                                        required: roles,
                                    })
                                }
                                Some(_) if transition == T::Submit && !assigned => {
                                    Err(Refusal::NotAssignedOfficer)
                                }
                                Some(&(_, _, to, _)) => Ok(to),
                            };
                            let got = apply(state, transition, &actor(&[role], assigned), &rules);
                            assert_eq!(
                                got, expected,
                                "{state:?} {transition:?} by {role:?}, assigned {assigned}, {rules:?}"
                            );
                            allowed += usize::from(got.is_ok());
                        }
                    }
                }
            }
        }
        // A guard against the loops above silently covering nothing.
        assert!(allowed > 0);
    }

    #[test]
    fn delegation_follows_the_organ_rule() {
        let reviewer = actor(&[R::Reviewer], false);
        let delegate = T::Decide(D::Delegation);
        assert_eq!(
            apply(S::Approved, delegate, &reviewer, &DELEGATION),
            Ok(S::Decided)
        );
        assert_eq!(
            apply(S::Approved, delegate, &reviewer, &NO_DELEGATION),
            Err(Refusal::DelegationNotAllowed)
        );
        // The organ rule is reported before the missing role.
        let secretary = actor(&[R::Secretary], false);
        assert_eq!(
            apply(S::Approved, delegate, &secretary, &NO_DELEGATION),
            Err(Refusal::DelegationNotAllowed)
        );
        assert_eq!(
            apply(S::Approved, delegate, &secretary, &DELEGATION),
            Err(Refusal::MissingRole {
                transition: delegate,
                required: &[R::Reviewer],
            })
        );
        // Once on the agenda, the meeting decides; delegation is no longer a way.
        assert_eq!(
            apply(S::OnAgenda, delegate, &reviewer, &DELEGATION),
            Err(Refusal::NotInThisState {
                state: S::OnAgenda,
                transition: delegate,
            })
        );
        assert!(available(S::Approved, &reviewer, &DELEGATION).contains(&delegate));
        assert!(!available(S::Approved, &reviewer, &NO_DELEGATION).contains(&delegate));
    }

    #[test]
    fn only_the_assigned_officer_submits() {
        assert_eq!(
            apply(
                S::Drafting,
                T::Submit,
                &actor(&[R::Officer], true),
                &NO_DELEGATION
            ),
            Ok(S::InReview)
        );
        assert_eq!(
            apply(
                S::Drafting,
                T::Submit,
                &actor(&[R::Officer], false),
                &NO_DELEGATION
            ),
            Err(Refusal::NotAssignedOfficer)
        );
        // Being assigned is not enough without the officer role.
        assert_eq!(
            apply(
                S::Drafting,
                T::Submit,
                &actor(&[R::Reviewer], true),
                &NO_DELEGATION
            ),
            Err(Refusal::MissingRole {
                transition: T::Submit,
                required: &[R::Officer],
            })
        );
        assert!(available(S::Drafting, &actor(&[R::Officer], false), &NO_DELEGATION).is_empty());
    }

    #[test]
    fn an_actor_without_roles_may_do_nothing() {
        let nobody = actor(&[], true);
        for state in STATES {
            assert!(
                available(state, &nobody, &DELEGATION).is_empty(),
                "{state:?}"
            );
        }
        assert_eq!(
            apply(S::Registered, T::Decline, &nobody, &DELEGATION),
            Err(Refusal::MissingRole {
                transition: T::Decline,
                required: DECLINERS,
            })
        );
    }

    #[test]
    fn admin_alone_grants_no_transition() {
        let admin = actor(&[R::Admin], true);
        for state in STATES {
            assert!(
                available(state, &admin, &DELEGATION).is_empty(),
                "{state:?}"
            );
        }
    }

    #[test]
    fn several_roles_combine() {
        let officer_reviewer = actor(&[R::Officer, R::Reviewer], true);
        assert_eq!(
            available(S::Drafting, &officer_reviewer, &NO_DELEGATION),
            vec![T::Assign, T::Submit, T::Decline]
        );
        assert_eq!(
            available(S::InReview, &officer_reviewer, &NO_DELEGATION),
            vec![T::Approve, T::Return, T::Decline]
        );

        let reviewer_secretary = actor(&[R::Reviewer, R::Secretary], false);
        assert_eq!(
            available(S::Approved, &reviewer_secretary, &DELEGATION),
            vec![T::PlaceOnAgenda, T::Decide(D::Delegation), T::Decline]
        );
        assert_eq!(
            available(S::Approved, &reviewer_secretary, &NO_DELEGATION),
            vec![T::PlaceOnAgenda, T::Decline]
        );
        assert_eq!(
            available(S::OnAgenda, &reviewer_secretary, &DELEGATION),
            vec![
                T::Decide(D::Adopted),
                T::Decide(D::Amended),
                T::Decide(D::ReferredBack),
                T::Decide(D::Tabled),
                T::Decline,
            ]
        );

        // Admin next to a real role neither adds nor removes anything.
        let admin_secretary = actor(&[R::Admin, R::Secretary], false);
        assert_eq!(
            available(S::Decided, &admin_secretary, &DELEGATION),
            vec![T::Dispatch]
        );
    }

    #[test]
    fn available_is_exactly_where_apply_succeeds() {
        // Every subset of the roles, in every state, under every flag.
        for mask in 0u32..(1 << ROLES.len()) {
            let roles: Vec<Role> = (0..ROLES.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| ROLES[i])
                .collect();
            for assigned in [false, true] {
                let who = actor(&roles, assigned);
                for rules in [NO_DELEGATION, DELEGATION] {
                    for state in STATES {
                        let expected: Vec<Transition> = TRANSITIONS
                            .into_iter()
                            .filter(|&t| apply(state, t, &who, &rules).is_ok())
                            .collect();
                        assert_eq!(available(state, &who, &rules), expected);
                    }
                }
            }
        }
    }

    #[test]
    fn closed_states_allow_nothing() {
        let everyone = actor(&ROLES, true);
        for state in [S::Answered, S::Declined] {
            assert!(
                available(state, &everyone, &DELEGATION).is_empty(),
                "{state:?}"
            );
        }
    }

    #[test]
    fn all_lists_are_complete() {
        assert_eq!(CaseState::ALL, STATES);
        assert_eq!(Role::ALL, ROLES);
        assert_eq!(Transition::all(), TRANSITIONS.to_vec());
        assert_eq!(
            DecisionOutcome::ALL,
            [
                D::Adopted,
                D::Amended,
                D::ReferredBack,
                D::Tabled,
                D::Delegation
            ]
        );
    }

    #[test]
    fn stored_strings_round_trip() {
        // These strings are in the database's CHECK constraints.
        let states = [
            (S::Registered, "registered"),
            (S::Drafting, "drafting"),
            (S::InReview, "in_review"),
            (S::Approved, "approved"),
            (S::OnAgenda, "on_agenda"),
            (S::Decided, "decided"),
            (S::Answered, "answered"),
            (S::Declined, "declined"),
        ];
        for (state, s) in states {
            assert_eq!(state.as_str(), s);
            assert_eq!(CaseState::parse(s), Some(state));
        }
        let roles = [
            (R::Registrar, "registrator"),
            (R::Officer, "handlaggare"),
            (R::Reviewer, "granskare"),
            (R::Secretary, "sekreterare"),
            (R::Admin, "admin"),
        ];
        for (role, s) in roles {
            assert_eq!(role.as_str(), s);
            assert_eq!(Role::parse(s), Some(role));
        }
        let outcomes = [
            (D::Adopted, "adopted"),
            (D::Amended, "amended"),
            (D::ReferredBack, "referred_back"),
            (D::Tabled, "tabled"),
            (D::Delegation, "delegation"),
        ];
        for (outcome, s) in outcomes {
            assert_eq!(outcome.as_str(), s);
            assert_eq!(DecisionOutcome::parse(s), Some(outcome));
        }
    }

    #[test]
    fn unknown_strings_do_not_parse() {
        for s in [
            "",
            "Drafting",
            " drafting",
            "drafting ",
            "in-review",
            "Registrerat",
            "x",
        ] {
            assert_eq!(CaseState::parse(s), None, "{s:?}");
        }
        for s in ["", "Granskare", "handläggare", "secretary", "admin ", "x"] {
            assert_eq!(Role::parse(s), None, "{s:?}");
        }
        for s in ["", "Adopted", "referred-back", "återremiss", "x"] {
            assert_eq!(DecisionOutcome::parse(s), None, "{s:?}");
        }
    }

    #[test]
    fn only_answered_and_declined_are_closed() {
        let open = [
            (S::Registered, true),
            (S::Drafting, true),
            (S::InReview, true),
            (S::Approved, true),
            (S::OnAgenda, true),
            (S::Decided, true),
            (S::Answered, false),
            (S::Declined, false),
        ];
        for (state, is_open) in open {
            assert_eq!(state.is_open(), is_open, "{state:?}");
        }
    }

    #[test]
    fn swedish_labels() {
        let states: Vec<&str> = STATES.iter().map(|s| s.label_sv()).collect();
        assert_eq!(
            states,
            [
                "Registrerat",
                "Under beredning",
                "Under granskning",
                "Godkänt",
                "På föredragningslista",
                "Beslutat",
                "Besvarat",
                "Avböjt",
            ]
        );
        let roles: Vec<&str> = ROLES.iter().map(|r| r.label_sv()).collect();
        assert_eq!(
            roles,
            [
                "Registrator",
                "Handläggare",
                "Granskare",
                "Nämndsekreterare",
                "Administratör"
            ]
        );
        let outcomes: Vec<&str> = DecisionOutcome::ALL.iter().map(|o| o.label_sv()).collect();
        assert_eq!(
            outcomes,
            [
                "Bifall till förslaget",
                "Bifall med ändringar",
                "Återremiss",
                "Bordlagt",
                "Delegationsbeslut",
            ]
        );
        assert_eq!(T::Submit.label_sv(), "skicka till granskning");
        assert_eq!(T::Decide(D::Tabled).label_sv(), "fatta beslut");
        for t in TRANSITIONS {
            assert!(!t.label_sv().is_empty(), "{t:?}");
        }
    }

    #[test]
    fn refusal_messages() {
        let cases = [
            (
                Refusal::NotInThisState {
                    state: S::Decided,
                    transition: T::Submit,
                },
                "Ärendet är beslutat och kan inte skickas till granskning.",
            ),
            (
                Refusal::NotInThisState {
                    state: S::OnAgenda,
                    transition: T::Decide(D::Delegation),
                },
                "Ärendet är uppfört på föredragningslistan och kan inte beslutas på delegation.",
            ),
            (
                Refusal::MissingRole {
                    transition: T::Approve,
                    required: &[R::Reviewer],
                },
                "Det kräver rollen granskare i ärendets organ.",
            ),
            (
                Refusal::MissingRole {
                    transition: T::Assign,
                    required: ASSIGNERS,
                },
                "Det kräver någon av rollerna registrator eller granskare i ärendets organ.",
            ),
            (
                Refusal::MissingRole {
                    transition: T::Decline,
                    required: DECLINERS,
                },
                "Det kräver någon av rollerna registrator, granskare eller nämndsekreterare i ärendets organ.",
            ),
            (
                Refusal::NotAssignedOfficer,
                "Bara den handläggare som ärendet är tilldelat kan skicka det till granskning.",
            ),
            (
                Refusal::DelegationNotAllowed,
                "Nämnden tillåter inte delegationsbeslut.",
            ),
        ];
        for (refusal, text) in cases {
            assert_eq!(refusal.message_sv(), text);
            assert_eq!(refusal.to_string(), text);
        }
        // Usable with `?` into boxed errors.
        let boxed: Box<dyn std::error::Error> = Box::new(Refusal::DelegationNotAllowed);
        assert_eq!(
            boxed.to_string(),
            "Nämnden tillåter inte delegationsbeslut."
        );
    }

    #[test]
    fn every_refusal_reads_as_a_sentence() {
        for state in STATES {
            for transition in TRANSITIONS {
                let text = Refusal::NotInThisState { state, transition }.message_sv();
                assert!(
                    text.starts_with("Ärendet är ") && text.ends_with('.'),
                    "{text}"
                );
                assert!(!text.contains("  "), "{text}");
            }
        }
    }
}
