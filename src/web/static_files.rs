//! The stylesheet and scripts, built into the binary so that it runs from anywhere.

use axum::extract::Path;
use axum::http::header;
use axum::response::IntoResponse;

use super::AppError;

const FILES: &[(&str, &str, &str)] = &[(
    "remiss.css",
    "text/css; charset=utf-8",
    include_str!("../../static/remiss.css"),
)];

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
