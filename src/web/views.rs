//! What every page shares: the layout (title, who is signed in, navigation,
//! breadcrumbs) and rendering.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::AppError;
use super::session::CurrentUser;
use crate::domain::FieldErrors;

#[derive(Debug, Clone)]
pub struct NavUser {
    /// For the browser's copy of a form (`static/session.js`), kept per user.
    pub id: uuid::Uuid,
    /// Seconds after this page's load at which the browser warns that the
    /// session is about to end.
    pub session_warning_after: i64,
    pub display_name: String,
    pub is_admin: bool,
    pub is_registrar: bool,
    /// Works in some organ, so has meetings to see.
    pub has_organ: bool,
}

#[derive(Debug, Clone)]
pub struct Crumb {
    pub label: String,
    pub href: String,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub user: Option<NavUser>,
    pub csrf_token: String,
    pub crumbs: Vec<Crumb>,
    /// The main section the page belongs to, for marking the navigation.
    pub section: &'static str,
    /// What the step that led here did (`?klart=`), said in a polite live region.
    pub confirmation: Option<String>,
}

impl Layout {
    pub fn new(title: impl Into<String>, user: &CurrentUser, section: &'static str) -> Self {
        Layout {
            title: title.into(),
            user: Some(NavUser {
                id: user.id(),
                session_warning_after: super::session::WARNING_AFTER.num_seconds(),
                display_name: user.user.display_name.clone(),
                is_admin: user.is_admin(),
                is_registrar: user.is_registrar(),
                has_organ: !user.user.roles.is_empty(),
            }),
            csrf_token: user.csrf_token.clone(),
            crumbs: Vec::new(),
            section,
            confirmation: None,
        }
    }

    pub fn anonymous(title: impl Into<String>) -> Self {
        Layout {
            title: title.into(),
            user: None,
            csrf_token: String::new(),
            crumbs: Vec::new(),
            section: "",
            confirmation: None,
        }
    }

    /// Says `message` at the top of the page, once, after the step that led here.
    pub fn confirmed(mut self, message: Option<String>) -> Self {
        self.confirmation = message;
        self
    }

    pub fn crumb(mut self, label: impl Into<String>, href: impl Into<String>) -> Self {
        self.crumbs.push(Crumb {
            label: label.into(),
            href: href.into(),
        });
        self
    }
}

/// A page with status 200.
pub fn page(template: &impl Template) -> Result<Response, AppError> {
    page_with_status(StatusCode::OK, template)
}

pub fn page_with_status(
    status: StatusCode,
    template: &impl Template,
) -> Result<Response, AppError> {
    Ok((status, Html(template.render()?)).into_response())
}

/// The messages of a form with errors, as its template reads them.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(pub FieldErrors);

impl FormErrors {
    pub fn none() -> Self {
        Self::default()
    }

    /// The message beside a field, or "" (templates test it with `!= ""`).
    pub fn get(&self, field: &str) -> &str {
        self.0.get(field).unwrap_or("")
    }

    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }

    /// For the error summary at the top of a form: (field id, message).
    pub fn list(&self) -> Vec<(&'static str, &str)> {
        self.0.iter().collect()
    }
}

impl From<FieldErrors> for FormErrors {
    fn from(errors: FieldErrors) -> Self {
        FormErrors(errors)
    }
}

/// The address of a case's page.
pub fn case_href(id: uuid::Uuid) -> String {
    format!("/arenden/{id}")
}
