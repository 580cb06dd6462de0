//! The id in a path (`/arenden/{id}`, `/remisser/{id}`, …) as a typed value: a
//! malformed id is a page that does not exist (404), like an unknown one.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use uuid::Uuid;

use super::AppError;

/// The route's one `{id}`, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Id(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        Uuid::parse_str(&id).map(Id).map_err(|_| AppError::NotFound)
    }
}

/// A route's two ids (`/arenden/{id}/protokollsutdrag/{decision}`), parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoIds(pub Uuid, pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for TwoIds {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((first, second)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let parse = |id: &str| Uuid::parse_str(id).map_err(|_| AppError::NotFound);
        Ok(TwoIds(parse(&first)?, parse(&second)?))
    }
}
