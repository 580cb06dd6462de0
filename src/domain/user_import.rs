//! A list of accounts to create at once, as a spreadsheet exports it:
//! `användarnamn;namn;e-post;organ;roller`, one account a line.
//!
//! The accounts sign in through the municipality's identity provider, linked by
//! their e-mail address at the first sign-in, so they get no password. Every line
//! is checked and every problem is reported with its line number; nothing is
//! created unless every line is right.

use std::collections::HashMap;

use uuid::Uuid;

use super::Role;
use super::sign_in::{email_problem, normalize_email};
use super::user::{normalize_username, username_problem};

/// More lines than an administrator means to paste at once.
pub const MAX_ROWS: usize = 5000;

/// One account to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The line it came from, counted from 1.
    pub line: usize,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub organ_id: Uuid,
    pub roles: Vec<Role>,
    pub is_admin: bool,
}

/// A problem on one line, in Swedish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rad {}: {}", self.line, self.message)
    }
}

/// Reads the list. `organs` maps diarium prefixes (upper case) to organ ids.
/// A first line that names the columns is skipped, and so are empty lines.
pub fn parse(text: &str, organs: &HashMap<String, Uuid>) -> Result<Vec<ImportRow>, Vec<LineError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut usernames: HashMap<String, usize> = HashMap::new();
    let mut emails: HashMap<String, usize> = HashMap::new();
    let mut accounts = 0;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let fields = split_fields(raw);
        if index == 0 && is_header(&fields) {
            continue;
        }
        accounts += 1;
        if accounts > MAX_ROWS {
            errors.push(LineError {
                line,
                message: format!("listan får ha högst {MAX_ROWS} konton; dela upp den."),
            });
            break;
        }
        let mut problem = |message: String| errors.push(LineError { line, message });
        let [username, name, email, organ, roles] = match <[String; 5]>::try_from(fields) {
            Ok(fields) => fields,
            Err(fields) => {
                problem(format!(
                    "raden ska ha fem fält åtskilda med semikolon (användarnamn;namn;e-post;organ;roller), men har {}.",
                    fields.len()
                ));
                continue;
            }
        };
        let before = errors.len();
        let username = normalize_username(&username);
        let mut problem = |message: String| errors.push(LineError { line, message });
        if let Some(message) = username_problem(&username) {
            problem(message.to_string());
        } else if let Some(first) = usernames.get(&username) {
            problem(format!(
                "användarnamnet {username} står redan på rad {first}."
            ));
        }
        let display_name = name.trim().to_string();
        if display_name.is_empty() {
            problem("ange namn.".to_string());
        } else if display_name.chars().count() > 200 {
            problem("namnet får vara högst 200 tecken.".to_string());
        }
        let email = normalize_email(&email);
        if email.is_empty() {
            problem(
                "ange e-postadress; kontot kopplas med den vid första inloggningen.".to_string(),
            );
        } else if let Some(message) = email_problem(&email) {
            problem(format!(
                "e-postadressen \"{email}\" ser inte rätt ut; {}",
                lower_first(message)
            ));
        } else if let Some(first) = emails.get(&email.to_lowercase()) {
            problem(format!("e-postadressen {email} står redan på rad {first}."));
        }
        let prefix = organ.trim().to_uppercase();
        let organ_id = organs.get(&prefix).copied();
        if prefix.is_empty() {
            problem("ange organets diariebeteckning, till exempel AMN.".to_string());
        } else if organ_id.is_none() {
            problem(format!(
                "det finns inget organ med diariebeteckningen {prefix}."
            ));
        }
        let mut granted = Vec::new();
        let mut is_admin = false;
        for word in roles
            .split([',', '|'])
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            match parse_role(word) {
                Some(RoleWord::Admin) => is_admin = true,
                Some(RoleWord::Role(role)) if !granted.contains(&role) => granted.push(role),
                Some(RoleWord::Role(_)) => {}
                None => problem(format!(
                    "okänd roll \"{word}\"; välj bland registrator, handläggare, granskare, nämndsekreterare och administratör, åtskilda med komma."
                )),
            }
        }
        usernames.entry(username.clone()).or_insert(line);
        emails.entry(email.to_lowercase()).or_insert(line);
        if errors.len() == before
            && let Some(organ_id) = organ_id
        {
            rows.push(ImportRow {
                line,
                username,
                display_name,
                email,
                organ_id,
                roles: granted,
                is_admin,
            });
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(LineError {
            line: 1,
            message: "listan är tom.".to_string(),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// The lines whose username or e-mail address an existing account has already:
/// `usernames` as stored, `emails` whatever their case.
pub fn taken(rows: &[ImportRow], usernames: &[String], emails: &[String]) -> Vec<LineError> {
    let emails: Vec<String> = emails.iter().map(|e| e.to_lowercase()).collect();
    let mut problems = Vec::new();
    for row in rows {
        if usernames.contains(&row.username) {
            problems.push(LineError {
                line: row.line,
                message: format!(
                    "det finns redan ett konto med användarnamnet {}.",
                    row.username
                ),
            });
        }
        if emails.contains(&row.email.to_lowercase()) {
            problems.push(LineError {
                line: row.line,
                message: format!(
                    "det finns redan ett konto med e-postadressen {}.",
                    row.email
                ),
            });
        }
    }
    problems
}

enum RoleWord {
    Role(Role),
    Admin,
}

/// A role by its code (`handlaggare`) or its Swedish name (`Handläggare`), in
/// any case.
fn parse_role(word: &str) -> Option<RoleWord> {
    let word = word.to_lowercase();
    if ["admin", "administratör", "administrator"].contains(&word.as_str()) {
        return Some(RoleWord::Admin);
    }
    Role::GRANTABLE
        .into_iter()
        .find(|role| role.as_str() == word || role.label_sv().to_lowercase() == word)
        .map(RoleWord::Role)
}

fn lower_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn is_header(fields: &[String]) -> bool {
    fields.first().is_some_and(|first| {
        matches!(
            first.trim().to_lowercase().as_str(),
            "användarnamn" | "anvandarnamn" | "username"
        )
    })
}

/// Splits a line at semicolons. A field may be quoted (`"Eriksson; Karin"`), with
/// `""` for a quote inside it, as spreadsheets write them.
fn split_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            ';' if !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn organs() -> HashMap<String, Uuid> {
        HashMap::from([
            ("AMN".to_string(), Uuid::from_u128(1)),
            ("KS".to_string(), Uuid::from_u128(2)),
        ])
    }

    fn messages(text: &str) -> Vec<String> {
        parse(text, &organs())
            .expect_err("should be refused")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_spreadsheet_export_is_read_with_its_header_and_quotes() {
        let text = "\u{feff}Användarnamn;Namn;E-post;Organ;Roller\r\n\
                    hanna.l;Hanna Lindqvist;hanna.lindqvist@stad.se;amn;handläggare, Granskare\r\n\
                    \r\n\
                    rasmus;\"Registrator; Rasmus\";rasmus@stad.se;KS;registrator,admin\r\n\
                    sara;Sara \"Sas\" Berg;sara@stad.se;AMN;\r\n";
        let rows = parse(text, &organs()).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].username, "hanna.l");
        assert_eq!(rows[0].organ_id, Uuid::from_u128(1));
        assert_eq!(rows[0].roles, vec![Role::Officer, Role::Reviewer]);
        assert!(!rows[0].is_admin);
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].display_name, "Registrator; Rasmus");
        assert_eq!(rows[1].roles, vec![Role::Registrar]);
        assert!(rows[1].is_admin);
        assert_eq!(rows[2].display_name, "Sara \"Sas\" Berg");
        assert!(rows[2].roles.is_empty());
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let text = "karin;Karin;karin@stad.se;AMN;granskare\n\
                    Karin;Karin igen;KARIN@stad.se;AMN;granskare\n\
                    x;;inte-en-adress;XYZ;chef\n\
                    bara;tre;fält\n\
                    ok;Ok;ok@stad.se;KS;\n\
                    utan.epost;Utan;;KS;";
        let found = messages(text);
        let expected = [
            "Rad 2: användarnamnet karin står redan på rad 1.",
            "Rad 2: e-postadressen KARIN@stad.se står redan på rad 1.",
            "Rad 3: Användarnamnet ska vara 2–50 tecken.",
            "Rad 3: ange namn.",
            "Rad 3: e-postadressen \"inte-en-adress\" ser inte rätt ut; ange en e-postadress som namn@exempel.se.",
            "Rad 3: det finns inget organ med diariebeteckningen XYZ.",
            "Rad 3: okänd roll \"chef\"; välj bland registrator, handläggare, granskare, nämndsekreterare och administratör, åtskilda med komma.",
            "Rad 4: raden ska ha fem fält åtskilda med semikolon (användarnamn;namn;e-post;organ;roller), men har 3.",
            "Rad 6: ange e-postadress; kontot kopplas med den vid första inloggningen.",
        ];
        assert_eq!(found, expected);
    }

    #[test]
    fn names_and_addresses_already_taken_are_reported_with_their_lines() {
        let rows = parse(
            "karin;Karin;karin@stad.se;AMN;\nhanna;Hanna;hanna@stad.se;AMN;\nny;Ny;ny@stad.se;KS;",
            &organs(),
        )
        .unwrap();
        let problems: Vec<String> = taken(&rows, &["hanna".into()], &["Karin@Stad.se".into()])
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems,
            [
                "Rad 1: det finns redan ett konto med e-postadressen karin@stad.se.",
                "Rad 2: det finns redan ett konto med användarnamnet hanna.",
            ]
        );
        assert!(taken(&rows, &[], &[]).is_empty());
    }

    #[test]
    fn an_empty_list_is_refused() {
        assert_eq!(messages("  \n\n"), ["Rad 1: listan är tom."]);
        assert_eq!(
            messages("användarnamn;namn;e-post;organ;roller\n"),
            ["Rad 1: listan är tom."]
        );
    }

    #[test]
    fn a_list_too_long_is_refused() {
        let text: String = (0..=MAX_ROWS)
            .map(|i| format!("u{i};Namn {i};u{i}@stad.se;AMN;\n"))
            .collect();
        let errors = messages(&text);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with(&format!("Rad {}:", MAX_ROWS + 1)));
    }
}
