//! A handling: a document of a remiss or of one case, its registration form's
//! rules, who may read it, and what may be published.
//!
//! A remiss's documents (the missive, the betänkande, bilagor) are incoming
//! documents of every respondent's case and are numbered in each of them; a
//! case's own documents belong to that case alone. A document is registered once
//! and never changed; what happens to it later is the registrar's decisions:
//! publication (*får publiceras*), the personal-data check, annulment.

use chrono::NaiveDate;
use uuid::Uuid;

use super::dates::parse_date;
use super::forms::{FieldErrors, optional_text, required_text};
use super::workflow::{CaseState, Role};
use super::{Dnr, personal_data};

pub const TITLE_MAX: usize = 300;
pub const COUNTERPART_MAX: usize = 200;
pub const PROVISION_MAX: usize = 200;
pub const REASON_MAX: usize = 2000;

/// Which way a document went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Received (inkommande): an allmän handling from the day it arrives.
    Incoming,
    /// Drawn up (upprättad): working material until the case is settled.
    DrawnUp,
    /// Sent out (utgående).
    Outgoing,
}

impl Direction {
    pub const ALL: [Direction; 3] = [Direction::Incoming, Direction::DrawnUp, Direction::Outgoing];

    /// The value stored in `documents.direction` and sent by forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Incoming => "incoming",
            Direction::DrawnUp => "drawn_up",
            Direction::Outgoing => "outgoing",
        }
    }

    pub fn parse(s: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|d| d.as_str() == s)
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            Direction::Incoming => "Inkommande",
            Direction::DrawnUp => "Upprättad",
            Direction::Outgoing => "Utgående",
        }
    }

    /// What the date means for this direction.
    pub fn date_label_sv(self) -> &'static str {
        match self {
            Direction::Incoming => "Inkom",
            Direction::DrawnUp => "Upprättad",
            Direction::Outgoing => "Skickad",
        }
    }
}

/// What the personnummer guard found in a document's title and text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalData {
    NoneFound,
    Found,
    /// The text could not be read (an image, a scan, a file too large to read):
    /// the registrar must look before it is published.
    NotChecked,
}

impl PersonalData {
    pub fn as_str(self) -> &'static str {
        match self {
            PersonalData::NoneFound => "none_found",
            PersonalData::Found => "found",
            PersonalData::NotChecked => "not_checked",
        }
    }

    pub fn parse(s: &str) -> Option<PersonalData> {
        [
            PersonalData::NoneFound,
            PersonalData::Found,
            PersonalData::NotChecked,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    /// What the guard says of a document whose `title` it read and whose text it
    /// read (`Some`) or could not read (`None`).
    pub fn of(title: &str, text: Option<&str>) -> PersonalData {
        let holds = |t: &str| !personal_data::find(t).is_empty();
        match text {
            _ if holds(title) => PersonalData::Found,
            Some(text) if holds(text) => PersonalData::Found,
            Some(_) => PersonalData::NoneFound,
            None => PersonalData::NotChecked,
        }
    }

    /// Whether a registrar must look before the document may be published.
    pub fn needs_check(self) -> bool {
        self != PersonalData::NoneFound
    }
}

/// A document's number in a case: `AMN 2026/3-2`.
pub fn number_text(dnr: &Dnr, number: i32) -> String {
    format!("{dnr}-{number}")
}

/// Whether a handling of the case is a bilaga of its tjänsteutlåtande: what came
/// in (the remiss, its betänkande, later additions), unless annulled. What the
/// case drew up or sent (the report itself, extracts, the yttrande) is not.
pub fn is_report_attachment(direction: Direction, annulled: bool) -> bool {
    direction == Direction::Incoming && !annulled
}

/// A document's details as typed in a form; strings so that they can be shown
/// again unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentInput {
    pub title: String,
    pub direction: String,
    pub dated_on: String,
    pub counterpart: String,
    /// The OSL provision; empty when the document is public.
    pub secrecy_provision: String,
}

/// The form fields a document's messages are shown beside. A form with several
/// documents names each one's fields apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentFields {
    pub title: &'static str,
    pub direction: &'static str,
    pub dated_on: &'static str,
    pub counterpart: &'static str,
    pub secrecy_provision: &'static str,
    pub file: &'static str,
}

impl DocumentFields {
    /// The fields of the one document of an upload form.
    pub const SINGLE: DocumentFields = DocumentFields {
        title: "title",
        direction: "direction",
        dated_on: "dated_on",
        counterpart: "counterpart",
        secrecy_provision: "secrecy_provision",
        file: "file",
    };

    /// The fields of the registration form's document slots.
    pub const SLOTS: [DocumentFields; 3] = [
        Self::slot("document_title_1", "document_secrecy_1", "document_file_1"),
        Self::slot("document_title_2", "document_secrecy_2", "document_file_2"),
        Self::slot("document_title_3", "document_secrecy_3", "document_file_3"),
    ];

    const fn slot(
        title: &'static str,
        secrecy: &'static str,
        file: &'static str,
    ) -> DocumentFields {
        DocumentFields {
            title,
            // The registration form takes these from the remiss.
            direction: "received_on",
            dated_on: "received_on",
            counterpart: "sender_name",
            secrecy_provision: secrecy,
            file,
        }
    }
}

/// A document's validated details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentDetails {
    pub title: String,
    pub direction: Direction,
    pub dated_on: NaiveDate,
    pub counterpart: String,
    pub secrecy_provision: Option<String>,
}

/// Checks a document's details; `today` bounds its date (an act that has happened
/// is never in the future).
pub fn validate(
    errors: &mut FieldErrors,
    fields: &DocumentFields,
    input: &DocumentInput,
    today: NaiveDate,
) -> Option<DocumentDetails> {
    let before = errors.iter().count();
    let title = required_text(
        errors,
        fields.title,
        &input.title,
        TITLE_MAX,
        "Ange handlingens rubrik.",
        "Rubriken får vara högst 300 tecken.",
    );
    let direction = Direction::parse(input.direction.trim());
    if direction.is_none() {
        errors.add(
            fields.direction,
            "Välj om handlingen är inkommande, upprättad eller utgående.",
        );
    }
    let dated_on = parse_date(&input.dated_on);
    match dated_on {
        None => errors.add(fields.dated_on, "Ange datum som ÅÅÅÅ-MM-DD."),
        Some(date) if date > today => errors.add(
            fields.dated_on,
            "Datumet kan inte ligga i framtiden: ange den dag handlingen kom in, upprättades eller skickades.",
        ),
        Some(_) => {}
    }
    let counterpart = optional_text(
        errors,
        fields.counterpart,
        &input.counterpart,
        COUNTERPART_MAX,
        "Avsändare eller mottagare får vara högst 200 tecken.",
    );
    let provision = optional_text(
        errors,
        fields.secrecy_provision,
        &input.secrecy_provision,
        PROVISION_MAX,
        "Sekretessbestämmelsen får vara högst 200 tecken.",
    );
    if errors.iter().count() > before {
        return None;
    }
    Some(DocumentDetails {
        title,
        direction: direction?,
        dated_on: dated_on?,
        counterpart,
        secrecy_provision: (!provision.is_empty()).then_some(provision),
    })
}

/// Why a document could not be registered because of a file name it shares.
pub fn duplicate_name_message(file_name: &str) -> String {
    format!(
        "Det finns redan en handling med filnamnet ”{file_name}”. Byt namn på filen om det är en annan handling; en rättad version registreras som en ny handling med ett eget namn. Välj filen på nytt: en fil kan inte fyllas i åt dig."
    )
}

/// The reason of an annulment (makulering), trimmed; its message when missing.
pub fn validate_reason(errors: &mut FieldErrors, field: &'static str, reason: &str) -> String {
    required_text(
        errors,
        field,
        reason,
        REASON_MAX,
        "Ange varför handlingen makuleras.",
        "Skälet får vara högst 2000 tecken.",
    )
}

/// Where a document belongs, as far as reading it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// A remiss's document; its respondents' organs work on it.
    Referral { respondents: Vec<Uuid> },
    /// A case's own document.
    Case { organ: Uuid, state: CaseState },
}

/// What decides who may read a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFacts {
    pub owner: Owner,
    pub direction: Direction,
    /// Its own provision, or its remiss's when the remiss is marked secret.
    pub secret: bool,
}

/// The reader, as far as documents go.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    pub is_admin: bool,
    /// Every role held, with its organ.
    pub roles: &'a [(Uuid, Role)],
}

impl Reader<'_> {
    fn works_in(&self, organ: Uuid) -> bool {
        self.is_admin || self.roles.iter().any(|(o, _)| *o == organ)
    }

    pub fn is_registrar(&self) -> bool {
        self.roles.iter().any(|(_, r)| *r == Role::Registrar)
    }
}

/// A case is settled once decided, answered or declined: what it drew up is then
/// an allmän handling rather than working material.
pub fn is_settled(state: CaseState) -> bool {
    matches!(
        state,
        CaseState::Decided | CaseState::Answered | CaseState::Declined
    )
}

impl DocumentFacts {
    /// A case's drawn-up document before the case is settled: working material of
    /// the case's organ, not yet an allmän handling.
    pub fn is_working_material(&self) -> bool {
        matches!(self.owner, Owner::Case { state, .. } if !is_settled(state))
            && self.direction == Direction::DrawnUp
    }

    /// Whether `reader` may open the file. Working material is for the case's
    /// organ; a secret document for those who work on it (the case's organ, or a
    /// remiss's respondents and the registrars who registered it); anything else
    /// for every member of staff.
    pub fn may_read(&self, reader: &Reader) -> bool {
        let works_on_it = match &self.owner {
            Owner::Case { organ, .. } => reader.works_in(*organ),
            Owner::Referral { respondents } => {
                reader.is_registrar() || respondents.iter().any(|o| reader.works_in(*o))
            }
        };
        if self.is_working_material() || self.secret {
            works_on_it
        } else {
            true
        }
    }

    /// Whether `reader` may see that the document exists and its title: working
    /// material only inside its organ, anything else to staff (a secret document's
    /// title is written so as to reveal nothing secret, as in the diarium).
    pub fn may_list(&self, reader: &Reader) -> bool {
        !self.is_working_material() || self.may_read(reader)
    }
}

/// Who may register a document: the registrar in a remiss; in a case, its own
/// organ's staff and the registrar.
pub fn may_register(owner: &Owner, reader: &Reader) -> bool {
    match owner {
        Owner::Referral { .. } => reader.is_registrar(),
        Owner::Case { organ, .. } => {
            reader.is_registrar() || reader.roles.iter().any(|(o, _)| o == organ)
        }
    }
}

/// A document's standing as far as publication goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationFacts {
    pub facts: DocumentFacts,
    pub annulled: bool,
    pub personal_data: PersonalData,
    /// A registrar has looked at the personal data already.
    pub checked: bool,
}

/// Why a document may not be marked *får publiceras*, in Swedish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicationRefusal {
    NotRegistrar,
    Secret,
    Annulled,
    WorkingMaterial,
    /// The personnummer guard found something, or could not read the text, and
    /// the registrar has not confirmed having looked.
    NeedsCheck(PersonalData),
}

impl PublicationRefusal {
    pub fn message_sv(&self) -> String {
        match self {
            PublicationRefusal::NotRegistrar => {
                "Bara en registrator beslutar om en handling får publiceras.".into()
            }
            PublicationRefusal::Secret => {
                "Handlingen är sekretessmarkerad och kan inte publiceras.".into()
            }
            PublicationRefusal::Annulled => {
                "Handlingen är makulerad och kan inte publiceras.".into()
            }
            PublicationRefusal::WorkingMaterial => {
                "Handlingen är arbetsmaterial tills ärendet är avgjort och kan inte publiceras ännu."
                    .into()
            }
            PublicationRefusal::NeedsCheck(PersonalData::Found) => {
                "Handlingen innehåller något som ser ut som ett personnummer. Granska handlingen och bekräfta att den får publiceras.".into()
            }
            PublicationRefusal::NeedsCheck(_) => {
                "Handlingens text kunde inte läsas automatiskt (till exempel en bild eller en skannad handling). Granska handlingen och bekräfta att den inte innehåller personnummer eller andra uppgifter som inte får publiceras.".into()
            }
        }
    }
}

/// Whether `reader` may mark the document *får publiceras*, `confirmed` saying
/// that they have looked at its personal data now.
pub fn may_publish(
    document: &PublicationFacts,
    reader: &Reader,
    confirmed: bool,
) -> Result<(), PublicationRefusal> {
    if !reader.is_registrar() {
        return Err(PublicationRefusal::NotRegistrar);
    }
    if document.annulled {
        return Err(PublicationRefusal::Annulled);
    }
    if document.facts.secret {
        return Err(PublicationRefusal::Secret);
    }
    if document.facts.is_working_material() {
        return Err(PublicationRefusal::WorkingMaterial);
    }
    if document.personal_data.needs_check() && !document.checked && !confirmed {
        return Err(PublicationRefusal::NeedsCheck(document.personal_data));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_lists_as_bilagor_what_came_in_and_stands() {
        for direction in Direction::ALL {
            for annulled in [false, true] {
                assert_eq!(
                    is_report_attachment(direction, annulled),
                    direction == Direction::Incoming && !annulled,
                    "{direction:?} annulled {annulled}"
                );
            }
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn input() -> DocumentInput {
        DocumentInput {
            title: " Missiv ".into(),
            direction: "incoming".into(),
            dated_on: "2026-03-02".into(),
            counterpart: "Kommunstyrelsen".into(),
            secrecy_provision: String::new(),
        }
    }

    #[test]
    fn directions_round_trip() {
        for d in Direction::ALL {
            assert_eq!(Direction::parse(d.as_str()), Some(d));
        }
        assert_eq!(Direction::parse("inkommande"), None);
    }

    #[test]
    fn a_complete_form_is_valid_and_trimmed() {
        let mut errors = FieldErrors::new();
        let details = validate(
            &mut errors,
            &DocumentFields::SINGLE,
            &input(),
            date(2026, 3, 2),
        )
        .unwrap();
        assert!(errors.is_empty());
        assert_eq!(details.title, "Missiv");
        assert_eq!(details.direction, Direction::Incoming);
        assert_eq!(details.secrecy_provision, None);
    }

    #[test]
    fn each_missing_or_wrong_field_has_its_message() {
        let mut errors = FieldErrors::new();
        let bad = DocumentInput {
            title: "  ".into(),
            direction: "sideways".into(),
            dated_on: "2026-3-2".into(),
            counterpart: "x".repeat(201),
            secrecy_provision: "y".repeat(201),
        };
        assert_eq!(
            validate(&mut errors, &DocumentFields::SINGLE, &bad, date(2026, 3, 2)),
            None
        );
        for field in [
            "title",
            "direction",
            "dated_on",
            "counterpart",
            "secrecy_provision",
        ] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn a_date_in_the_future_is_refused() {
        let mut errors = FieldErrors::new();
        let future = DocumentInput {
            dated_on: "2026-03-03".into(),
            ..input()
        };
        assert_eq!(
            validate(
                &mut errors,
                &DocumentFields::SINGLE,
                &future,
                date(2026, 3, 2)
            ),
            None
        );
        assert!(errors.get("dated_on").unwrap().contains("framtiden"));
    }

    #[test]
    fn a_provision_makes_it_secret() {
        let mut errors = FieldErrors::new();
        let secret = DocumentInput {
            secrecy_provision: " OSL 21 kap. 1 § ".into(),
            ..input()
        };
        let details = validate(
            &mut errors,
            &DocumentFields::SINGLE,
            &secret,
            date(2026, 3, 2),
        )
        .unwrap();
        assert_eq!(
            details.secrecy_provision.as_deref(),
            Some("OSL 21 kap. 1 §")
        );
    }

    #[test]
    fn numbers_read_like_the_diarium() {
        let dnr: Dnr = "AMN 2026/3".parse().unwrap();
        assert_eq!(number_text(&dnr, 2), "AMN 2026/3-2");
    }

    #[test]
    fn the_guard_reads_title_and_text() {
        let pn = "Personnummer 811218-9876";
        assert_eq!(
            PersonalData::of("Missiv", Some("ren text")),
            PersonalData::NoneFound
        );
        assert_eq!(PersonalData::of("Missiv", Some(pn)), PersonalData::Found);
        assert_eq!(PersonalData::of(pn, Some("ren")), PersonalData::Found);
        assert_eq!(PersonalData::of(pn, None), PersonalData::Found);
        assert_eq!(PersonalData::of("Missiv", None), PersonalData::NotChecked);
        for p in [
            PersonalData::NoneFound,
            PersonalData::Found,
            PersonalData::NotChecked,
        ] {
            assert_eq!(PersonalData::parse(p.as_str()), Some(p));
        }
    }

    const AMN: Uuid = Uuid::from_u128(1);
    const SN: Uuid = Uuid::from_u128(2);
    const KS: Uuid = Uuid::from_u128(3);

    fn facts(owner: Owner, direction: Direction, secret: bool) -> DocumentFacts {
        DocumentFacts {
            owner,
            direction,
            secret,
        }
    }

    fn case(state: CaseState) -> Owner {
        Owner::Case { organ: AMN, state }
    }

    fn referral() -> Owner {
        Owner::Referral {
            respondents: vec![AMN, SN],
        }
    }

    struct People {
        officer: Vec<(Uuid, Role)>,
        other_organ: Vec<(Uuid, Role)>,
        registrar: Vec<(Uuid, Role)>,
        nobody: Vec<(Uuid, Role)>,
    }

    fn people() -> People {
        People {
            officer: vec![(AMN, Role::Officer)],
            other_organ: vec![(SN, Role::Officer)],
            registrar: vec![(KS, Role::Registrar)],
            nobody: vec![],
        }
    }

    fn reader(roles: &[(Uuid, Role)]) -> Reader<'_> {
        Reader {
            is_admin: false,
            roles,
        }
    }

    #[test]
    fn working_material_is_for_its_organ_until_the_case_is_settled() {
        let p = people();
        for state in CaseState::ALL {
            let doc = facts(case(state), Direction::DrawnUp, false);
            assert!(doc.may_read(&reader(&p.officer)), "{state:?}");
            assert_eq!(doc.is_working_material(), !is_settled(state), "{state:?}");
            for other in [&p.other_organ, &p.registrar, &p.nobody] {
                assert_eq!(doc.may_read(&reader(other)), is_settled(state), "{state:?}");
                assert_eq!(doc.may_list(&reader(other)), is_settled(state), "{state:?}");
            }
        }
    }

    #[test]
    fn incoming_and_outgoing_documents_of_a_case_are_for_all_staff() {
        let p = people();
        for state in CaseState::ALL {
            for direction in [Direction::Incoming, Direction::Outgoing] {
                let doc = facts(case(state), direction, false);
                for who in [&p.officer, &p.other_organ, &p.registrar, &p.nobody] {
                    assert!(doc.may_read(&reader(who)));
                }
            }
        }
    }

    #[test]
    fn a_secret_document_is_for_those_who_work_on_it() {
        let p = people();
        for direction in Direction::ALL {
            for state in CaseState::ALL {
                let doc = facts(case(state), direction, true);
                assert!(doc.may_read(&reader(&p.officer)));
                assert!(!doc.may_read(&reader(&p.other_organ)));
                assert!(!doc.may_read(&reader(&p.registrar)));
                assert!(!doc.may_read(&reader(&p.nobody)));
            }
            let doc = facts(referral(), direction, true);
            assert!(doc.may_read(&reader(&p.officer)));
            assert!(doc.may_read(&reader(&p.other_organ)));
            assert!(doc.may_read(&reader(&p.registrar)));
            assert!(!doc.may_read(&reader(&[(KS, Role::Officer)])));
            assert!(!doc.may_read(&reader(&p.nobody)));
            // Listed to all staff all the same, by a title that reveals nothing.
            assert!(doc.may_list(&reader(&p.nobody)));
        }
    }

    #[test]
    fn administrators_read_what_an_organ_reads() {
        let admin = Reader {
            is_admin: true,
            roles: &[],
        };
        assert!(facts(case(CaseState::Drafting), Direction::DrawnUp, true).may_read(&admin));
    }

    #[test]
    fn registrars_register_in_remisser_and_organs_in_their_cases() {
        let p = people();
        assert!(may_register(&referral(), &reader(&p.registrar)));
        assert!(!may_register(&referral(), &reader(&p.officer)));
        let owner = case(CaseState::Drafting);
        assert!(may_register(&owner, &reader(&p.officer)));
        assert!(may_register(&owner, &reader(&p.registrar)));
        assert!(!may_register(&owner, &reader(&p.other_organ)));
        assert!(!may_register(&owner, &reader(&p.nobody)));
    }

    fn publishable() -> PublicationFacts {
        PublicationFacts {
            facts: facts(referral(), Direction::Incoming, false),
            annulled: false,
            personal_data: PersonalData::NoneFound,
            checked: false,
        }
    }

    #[test]
    fn publication_is_the_registrars_decision_on_a_public_standing_document() {
        let p = people();
        let registrar = reader(&p.registrar);
        assert_eq!(may_publish(&publishable(), &registrar, false), Ok(()));
        assert_eq!(
            may_publish(&publishable(), &reader(&p.officer), true),
            Err(PublicationRefusal::NotRegistrar)
        );
        let annulled = PublicationFacts {
            annulled: true,
            ..publishable()
        };
        assert_eq!(
            may_publish(&annulled, &registrar, true),
            Err(PublicationRefusal::Annulled)
        );
        let mut secret = publishable();
        secret.facts.secret = true;
        assert_eq!(
            may_publish(&secret, &registrar, true),
            Err(PublicationRefusal::Secret)
        );
        let working = PublicationFacts {
            facts: facts(case(CaseState::Approved), Direction::DrawnUp, false),
            ..publishable()
        };
        assert_eq!(
            may_publish(&working, &registrar, true),
            Err(PublicationRefusal::WorkingMaterial)
        );
        let settled = PublicationFacts {
            facts: facts(case(CaseState::Answered), Direction::DrawnUp, false),
            ..publishable()
        };
        assert_eq!(may_publish(&settled, &registrar, false), Ok(()));
    }

    #[test]
    fn personal_data_blocks_publication_until_a_registrar_has_looked() {
        let p = people();
        let registrar = reader(&p.registrar);
        for found in [PersonalData::Found, PersonalData::NotChecked] {
            let doc = PublicationFacts {
                personal_data: found,
                ..publishable()
            };
            assert_eq!(
                may_publish(&doc, &registrar, false),
                Err(PublicationRefusal::NeedsCheck(found))
            );
            assert_eq!(may_publish(&doc, &registrar, true), Ok(()));
            let checked = PublicationFacts {
                checked: true,
                ..doc
            };
            assert_eq!(may_publish(&checked, &registrar, false), Ok(()));
        }
    }
}
