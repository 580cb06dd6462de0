//! The web layer's one error type: a page in Swedish for the user, the details in
//! the log (never in the response). Every 4xx and 5xx the site answers is such a
//! page: [`pages_for_bare_errors`] dresses those that axum or a layer made bare.

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::session::CurrentUser;
use super::views::Layout;

/// Seconds a client is asked to wait before trying again after a 503.
pub const RETRY_AFTER_SECONDS: u64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// A form larger than the site takes.
    #[error("payload too large")]
    PayloadTooLarge,
    /// A form's body did not arrive in time.
    #[error("request body timed out")]
    BodyTimeout,
    /// The database does not answer (down, restarting, its pool exhausted, a
    /// statement past its timeout), or the server is too busy: try again shortly.
    #[error("unavailable: {0}")]
    Unavailable(&'static str),
    /// A status made without a page (by axum, a layer or hyper), dressed in one.
    #[error("status {0}")]
    Status(StatusCode),
    /// An action the workflow refuses here and now, with its reason in Swedish and
    /// the page to go back to.
    #[error("refused ({status}): {message}")]
    Refused {
        status: StatusCode,
        message: String,
        back: String,
    },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("session: {0}")]
    Session(#[from] tower_sessions::session::Error),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

#[derive(Template, Clone)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    message: String,
    back: String,
}

const UNAVAILABLE: (&str, &str) = (
    "Remiss kan inte svara just nu",
    "Tjänsten är hårt belastad eller når inte sin databas. Ingenting har sparats. Försök igen om en liten stund.",
);
const INTERNAL: (&str, &str) = (
    "Något gick fel",
    "Ett tekniskt fel inträffade och ingenting har sparats. Försök igen om en stund.",
);

/// The heading and message of the page for a status nothing more is known of.
fn status_text(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::NOT_FOUND => (
            "Sidan finns inte",
            "Det finns ingen sida på den här adressen. Kontrollera adressen eller gå till startsidan.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "Sidan kan inte användas så",
            "Sidan finns, men inte för den här sortens begäran. Använd länkarna och knapparna på sidorna. Ingenting har sparats.",
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "Det tog för lång tid",
            "Begäran kom inte fram i tid, och ingenting har sparats. Kontrollera anslutningen och försök igen.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "Det du skickade är för stort",
            "Formuläret är större än vad Remiss tar emot (högst 512 kB). Ingenting har sparats. Gå tillbaka, korta texten och försök igen.",
        ),
        StatusCode::URI_TOO_LONG => (
            "Adressen är för lång",
            "Adressen är längre än vad Remiss tar emot. Gå tillbaka och försök med en kortare sökning.",
        ),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
            "Begäran är för stor",
            "Begäran bar på för mycket extra information, ofta för många eller för stora kakor. Ta bort kakorna för den här webbplatsen och försök igen.",
        ),
        StatusCode::TOO_MANY_REQUESTS => (
            "För många försök",
            "Det har kommit för många försök på kort tid. Vänta en stund och försök igen.",
        ),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => UNAVAILABLE,
        status if status.is_server_error() => INTERNAL,
        _ => (
            "Felaktig begäran",
            "Begäran gick inte att tolka. Ingenting har sparats.",
        ),
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Status(status) => *status,
            AppError::Refused { status, .. } => *status,
            AppError::Database(error) if crate::db::is_unavailable(error) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            // The session store is PostgreSQL: a backend error is the database's.
            AppError::Session(tower_sessions::session::Error::Store(
                tower_sessions::session_store::Error::Backend(_),
            )) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_)
            | AppError::Session(_)
            | AppError::Template(_)
            | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut back = "/".to_string();
        let (heading, message): (&'static str, String) = match &self {
            AppError::Forbidden => (
                "Du saknar behörighet",
                "Ditt konto har inte den roll som krävs för den här sidan eller åtgärden. Kontakta en administratör om du behöver den.".into(),
            ),
            AppError::Csrf => (
                "Formuläret kunde inte tas emot",
                "Formuläret saknade en giltig säkerhetskod, kanske för att sidan var gammal eller du har loggat in på nytt. Ingenting har sparats. Gå tillbaka, ladda om sidan och försök igen.".into(),
            ),
            AppError::Refused {
                status,
                message,
                back: to,
            } => {
                back = to.clone();
                let heading = if *status == StatusCode::CONFLICT {
                    "Åtgärden kunde inte genomföras"
                } else {
                    "Du kan inte göra det här"
                };
                (heading, message.clone())
            }
            _ => {
                let (heading, message) = status_text(status);
                (heading, message.to_string())
            }
        };
        if status.is_server_error() {
            if status == StatusCode::SERVICE_UNAVAILABLE {
                tracing::warn!("503: {self:#}");
            } else {
                tracing::error!("internal error: {self:#}");
            }
        } else {
            tracing::info!("{status}: {self}");
        }
        let mut response = error_page(status, heading, message, back);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        response
    }
}

fn error_page(
    status: StatusCode,
    heading: &'static str,
    message: String,
    back: String,
) -> Response {
    let page = ErrorPage {
        layout: Layout::anonymous(heading),
        heading,
        message,
        back,
    };
    let mut response = render(status, &page);
    // For `signed_in_layout`, which knows who is signed in.
    response.extensions_mut().insert(page);
    response
}

fn render(status: StatusCode, page: &ErrorPage) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, page.heading).into_response(),
    }
}

/// Shows an error page of a signed-in request in the signed-in layout (their
/// name, the navigation, the search box), as every other page they see, keeping
/// the answer's status and headers.
pub async fn signed_in_layout(request: Request, next: Next) -> Response {
    let user = request.extensions().get::<CurrentUser>().cloned();
    let response = next.run(request).await;
    let (Some(user), Some(page)) = (user, response.extensions().get::<ErrorPage>()) else {
        return response;
    };
    let page = ErrorPage {
        layout: Layout::new(page.heading, &user, ""),
        ..page.clone()
    };
    let (parts, _) = response.into_parts();
    let (_, body) = render(parts.status, &page).into_parts();
    Response::from_parts(parts, body)
}

/// The page for a status, as a complete HTML document (for the answers hyper
/// makes itself, before a request reaches the router).
pub fn page_html(status: StatusCode) -> String {
    let (heading, message) = status_text(status);
    ErrorPage {
        layout: Layout::anonymous(heading),
        heading,
        message: message.to_string(),
        back: "/".to_string(),
    }
    .render()
    .unwrap_or_else(|_| heading.to_string())
}

/// Any path that matches no route.
pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// Gives an error answer that has no page (axum's rejections in plain English, an
/// empty 405 or 413, a layer's bare status) the Swedish error page for its status,
/// keeping its headers (`Allow`, `Retry-After`, cookies).
pub async fn pages_for_bare_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_error = status.is_client_error() || status.is_server_error();
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_error || is_page {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut page = AppError::Status(status).into_response();
    let own: Vec<_> = page.headers().keys().cloned().collect();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH && !own.contains(name) {
            page.headers_mut().append(name, value.clone());
        }
    }
    page
}

/// A handler that panicked: the Swedish 500 page, the panic in the log.
pub fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    AppError::Internal(anyhow::anyhow!("handler panicked: {what}")).into_response()
}
