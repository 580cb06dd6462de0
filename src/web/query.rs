//! The query string of a request, parsed into `T`; a malformed one (a letter where
//! a number belongs, a field given twice, bytes that are not UTF-8) is the Swedish
//! 400 page, not axum's plain text.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::AppError;

pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_html_form::from_str(query)
            .map(Query)
            .map_err(|_| AppError::BadRequest("malformed query string"))
    }
}
