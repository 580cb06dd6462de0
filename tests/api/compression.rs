//! What is sent compressed: never a page, which holds the CSRF token beside text
//! the visitor chose (BREACH).

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use sqlx::PgPool;
use tower::ServiceExt;

use remiss::web::{AppState, Settings, router};

/// The response's Content-Encoding and body size, asking for gzip.
async fn fetch_gzip(pool: &PgPool, path: &str) -> (Option<String>, usize, String) {
    let response = router(AppState::new(pool.clone(), Settings::default()))
        .oneshot(
            Request::get(path)
                .header(header::ACCEPT_ENCODING, "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let encoding = response
        .headers()
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        encoding,
        bytes.len(),
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn the_stylesheet_and_feed_are_gzipped_and_pages_are_not(pool: PgPool) {
    remiss::startup::load_demo_if_empty(&pool).await.unwrap();
    let stylesheet = include_str!("../../static/remiss.css");
    let (encoding, size, _) = fetch_gzip(&pool, "/static/remiss.css").await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert!(size < stylesheet.len() / 3, "{size} bytes sent");

    let (encoding, _, _) = fetch_gzip(&pool, "/diarium/atom").await;
    assert_eq!(encoding.as_deref(), Some("gzip"));

    for page in ["/login", "/diarium?q=trygghet"] {
        let (encoding, _, body) = fetch_gzip(&pool, page).await;
        assert_eq!(encoding, None, "{page} was compressed");
        assert!(body.contains("</html>"), "{page}: {body}");
    }
}
