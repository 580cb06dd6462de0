//! Between the pages and the use cases: the signed-in user as the use cases'
//! actor, and a use case's refusal as the Swedish error page.

use axum::http::StatusCode;

use super::AppError;
use super::session::CurrentUser;
use crate::app::{self, Actor};

impl CurrentUser {
    /// The user as the use cases see them.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user.id,
            is_admin: self.user.is_admin,
            roles: self
                .user
                .roles
                .iter()
                .map(|r| (r.organ_id, r.role))
                .collect(),
        }
    }

    /// Working material (drafts, reviews, meetings) is for the organ's own users
    /// and administrators.
    pub fn works_in(&self, organ_id: uuid::Uuid) -> bool {
        self.is_admin() || !self.roles_in(organ_id).is_empty()
    }

    /// The organs where the user holds a role.
    pub fn organs(&self) -> Vec<uuid::Uuid> {
        self.user.roles.iter().map(|r| r.organ_id).collect()
    }
}

/// A use case's refusal as the error page, with `back` as the way back. A form's
/// field errors are the handler's to show beside the form; one that arrives here
/// was not expected from that form.
pub fn refused(error: app::Error, back: impl Into<String>) -> AppError {
    match error {
        app::Error::NotFound => AppError::NotFound,
        app::Error::Forbidden(None) => AppError::Forbidden,
        app::Error::Forbidden(Some(message)) => AppError::Refused {
            status: StatusCode::FORBIDDEN,
            message,
            back: back.into(),
        },
        app::Error::Conflict(message) => AppError::Refused {
            status: StatusCode::CONFLICT,
            message,
            back: back.into(),
        },
        app::Error::Invalid(errors) => AppError::Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: errors
                .iter()
                .map(|(_, message)| message)
                .collect::<Vec<_>>()
                .join(" "),
            back: back.into(),
        },
        app::Error::Database(error) => AppError::Database(error),
        app::Error::Internal(error) => AppError::Internal(error),
    }
}
