//! The web layer's one error type: a page in Swedish for the user, the details in
//! the log (never in the response).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use axum::extract::Request;
use axum::middleware::Next;

use super::session::CurrentUser;
use super::views::Layout;

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
    /// A body over the limit of its route (an upload over `--max-upload-mb`).
    #[error("request body too large")]
    TooLarge,
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

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut back = "/".to_string();
        let (status, heading, message): (StatusCode, &'static str, String) = match &self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "Sidan finns inte",
                "Det finns ingen sida på den här adressen. Kontrollera adressen eller gå till startsidan.".into(),
            ),
            AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Du saknar behörighet",
                "Ditt konto har inte den roll som krävs för den här sidan eller åtgärden. Kontakta en administratör om du behöver den.".into(),
            ),
            AppError::Csrf => (
                StatusCode::FORBIDDEN,
                "Formuläret kunde inte tas emot",
                "Formuläret saknade en giltig säkerhetskod, kanske för att sidan var gammal eller du har loggat in på nytt. Ingenting har sparats. Gå tillbaka, ladda om sidan och försök igen.".into(),
            ),
            AppError::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                "Felaktig begäran",
                "Begäran gick inte att tolka. Ingenting har sparats.".into(),
            ),
            AppError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Det du skickade är för stort",
                "Formuläret eller filerna var större än vad som tas emot, och ingenting har sparats. Gå tillbaka och välj en mindre fil, eller dela upp handlingen i flera filer.".into(),
            ),
            AppError::Refused { status, message, back: to } => {
                back = to.clone();
                let heading = if *status == StatusCode::CONFLICT {
                    "Åtgärden kunde inte genomföras"
                } else {
                    "Du kan inte göra det här"
                };
                (*status, heading, message.clone())
            }
            AppError::Database(_)
            | AppError::Session(_)
            | AppError::Template(_)
            | AppError::Internal(_) => {
                tracing::error!("internal error: {self:#}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Något gick fel",
                    "Ett tekniskt fel inträffade och ingenting har sparats. Försök igen om en stund.".into(),
                )
            }
        };
        if status.is_client_error() {
            tracing::info!("{status}: {self}");
        }
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
}

fn render(status: StatusCode, page: &ErrorPage) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, page.heading).into_response(),
    }
}

/// Shows an error page of a signed-in request in the signed-in layout (their
/// name, the navigation, the search box), as every other page they see.
pub async fn signed_in_layout(request: Request, next: Next) -> Response {
    let user = request.extensions().get::<CurrentUser>().cloned();
    let response = next.run(request).await;
    match (user, response.extensions().get::<ErrorPage>()) {
        (Some(user), Some(page)) => {
            let page = ErrorPage {
                layout: Layout::new(page.heading, &user, ""),
                ..page.clone()
            };
            render(response.status(), &page)
        }
        _ => response,
    }
}

/// Any path that matches no route.
pub async fn not_found() -> AppError {
    AppError::NotFound
}
