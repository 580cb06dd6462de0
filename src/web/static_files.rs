//! The stylesheet, the one script and the icons, built into the binary so that it runs from anywhere.

use axum::extract::Path;
use axum::http::header;
use axum::response::IntoResponse;

use super::AppError;

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "remiss.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/remiss.css"),
    ),
    (
        "session.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/session.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../static/favicon.svg"),
    ),
    (
        "favicon.ico",
        "image/vnd.microsoft.icon",
        include_bytes!("../../static/favicon.ico"),
    ),
];

pub async fn serve(Path(file): Path<String>) -> Result<impl IntoResponse, AppError> {
    let (_, content_type, body) = FILES
        .iter()
        .find(|(name, _, _)| *name == file)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, *content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        *body,
    ))
}

/// `/favicon.ico`, where browsers and feed readers look without being told.
pub async fn favicon() -> Result<impl IntoResponse, AppError> {
    serve(Path("favicon.ico".to_string())).await
}
