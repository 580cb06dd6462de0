//! The confirmation of a step on the page the step redirects to, once.
//!
//! A step that succeeds redirects (post/redirect/get) and leaves a short-lived
//! cookie, `klart`, scoped to the page it redirects to and holding one of the
//! fixed keys of [`Confirmation`]; that page shows the sentence and removes the
//! cookie with its answer. No JavaScript, no session write, the address stays the
//! page's own, and nothing a request carries is ever shown as it came: an unknown
//! value is no confirmation.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::cookie::{Cookie, SameSite};

use crate::domain::confirmation::Confirmation;

const COOKIE: &str = "klart";

/// Long enough for the redirect to be followed, short enough to go unseen if not.
const LIFETIME_SECONDS: i64 = 60;

fn cookie(path: &str, key: &str) -> Cookie<'static> {
    Cookie::build((COOKIE, key.to_string()))
        .path(path.to_string())
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(tower_sessions::cookie::time::Duration::seconds(
            LIFETIME_SECONDS,
        ))
        .build()
}

fn with_cookie(mut response: Response, cookie: &Cookie<'_>) -> Response {
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Redirects to the page at `to` (a path), which then says what `done` did.
pub fn redirect_confirming(to: &str, done: Confirmation) -> Response {
    with_cookie(Redirect::to(to).into_response(), &cookie(to, done.key()))
}

/// The step the request's page is to confirm, if any.
pub struct Done(pub Option<Confirmation>);

impl<S: Send + Sync> FromRequestParts<S> for Done {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let done = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|cookie| cookie.name() == COOKIE)
            .and_then(|cookie| Confirmation::parse(cookie.value()));
        Ok(Done(done))
    }
}

impl Done {
    /// The page at `path` as answered: the confirmation it showed removed, so
    /// that it is said once.
    pub fn shown(&self, response: Response, path: &str) -> Response {
        match self.0 {
            Some(_) => {
                let mut removal = cookie(path, "");
                removal.make_removal();
                with_cookie(response, &removal)
            }
            None => response,
        }
    }
}
