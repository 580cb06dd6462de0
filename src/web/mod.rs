//! The only place with axum: routes, extractors, pages.

mod admin;
mod auth;
mod cases;
mod diarium;
mod document_register;
mod documents;
mod editor;
mod error;
mod form;
mod home;
mod ids;
mod meetings;
mod organ_cache;
mod referrals;
mod refusal;
mod review;
mod search;
mod session;
mod static_files;
mod summary;
mod upload;
mod views;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{
    Extensions, HeaderMap, HeaderName, HeaderValue, Request, StatusCode, Version, header,
};
use axum::middleware;
use axum::routing::{get, post};
use sqlx::PgPool;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::{Expiry, SessionManagerLayer};

pub use error::AppError;
use organ_cache::OrganCache;

use crate::app::Context;
use crate::config::ServeArgs;
use crate::files::clamd::Clamd;

/// How the server is reached, from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Mark the session cookie Secure (served over HTTPS).
    pub secure_cookies: bool,
    /// Trust the last X-Forwarded-For entry as the client address.
    pub behind_proxy: bool,
    /// The largest upload of documents, in bytes.
    pub max_upload_bytes: u64,
    /// The virus scanner, when one is configured.
    pub clamd: Option<Clamd>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: false,
            behind_proxy: false,
            max_upload_bytes: 50 * 1_000_000,
            clamd: None,
        }
    }
}

impl From<&ServeArgs> for Settings {
    fn from(args: &ServeArgs) -> Self {
        Settings {
            secure_cookies: args.secure_cookies,
            behind_proxy: args.behind_proxy,
            max_upload_bytes: args.max_upload_mb * 1_000_000,
            clamd: args.clamd.clone().map(Clamd::new),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    /// What the use cases run with (the same pool, and the clock).
    pub ctx: Context,
    pub settings: Arc<Settings>,
    pub organs: Arc<OrganCache>,
}

impl AppState {
    pub fn new(pool: PgPool, settings: Settings) -> Self {
        AppState {
            ctx: Context::new(pool.clone()),
            pool,
            settings: Arc::new(settings),
            organs: Arc::default(),
        }
    }
}

/// A session ends after this long without a request...
pub const IDLE_TIMEOUT: time::Duration = time::Duration::hours(1);
/// ...and in any case this long after login.
pub const ABSOLUTE_TIMEOUT: chrono::TimeDelta = chrono::TimeDelta::hours(10);

/// The whole application.
pub fn router(state: AppState) -> Router {
    let store = crate::db::sessions::PgSessionStore::new(state.pool.clone());
    let sessions = SessionManagerLayer::new(store)
        .with_name("remiss_session")
        .with_http_only(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_secure(state.settings.secure_cookies)
        .with_expiry(Expiry::OnInactivity(IDLE_TIMEOUT));

    // Everything here needs a signed-in user; the layer is added after the routes,
    // so it covers all of them.
    let protected = Router::new()
        .route("/", get(home::start_page))
        .route("/logout", post(auth::logout))
        .route(
            "/konto/losenord",
            get(auth::password_form).post(auth::change_password),
        )
        .route("/remisser", get(referrals::list).post(referrals::create))
        .route("/remisser/ny", get(referrals::new_form))
        .route(
            "/remisser/{id}",
            get(referrals::show).post(referrals::update),
        )
        .route("/remisser/{id}/redigera", get(referrals::edit_form))
        .route("/remisser/{id}/sammanstallning", get(summary::summary))
        .route(
            "/remisser/{id}/sammanstallning.csv",
            get(summary::summary_csv),
        )
        .route("/sok", get(search::search))
        .route("/organ/{id}/planering", get(home::planning))
        .merge(cases::routes())
        .merge(meetings::routes())
        .merge(document_register::routes(&state))
        .merge(admin::routes())
        .route_layer(middleware::from_fn(error::signed_in_layout))
        .route_layer(middleware::from_fn(session::require_login));

    let public = Router::new()
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/healthz", get(health))
        .route("/tillganglighet", get(accessibility))
        .route("/static/{file}", get(static_files::serve))
        .merge(diarium::routes());

    Router::new()
        .merge(protected)
        .merge(public)
        .fallback(error::not_found)
        .layer(sessions)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                        let request_id = request
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        tracing::info_span!("request", id = %request_id, method = %request.method(), path = %request.uri().path())
                    }),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
                .layer(security_header(header::REFERRER_POLICY, "same-origin"))
                .layer(security_header(
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
                     form-action 'self'; frame-ancestors 'none'",
                ))
                // Pages carry personal and working data: not kept in shared caches or
                // shown again from the back button after logout. Static files set their own.
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store"),
                ))
                // The stylesheet, the feed and the exports are compressed; pages are
                // not. A page holds the session's CSRF token beside text the visitor
                // chose (a search, a form sent back), which is what BREACH needs to
                // read a secret out of compressed sizes.
                // Nor are documents' files: most are compressed already, and a
                // download answers range requests on its bytes as stored.
                .layer(CompressionLayer::new().gzip(true).compress_when(
                    DefaultPredicate::new()
                        .and(NotForContentType::const_new("text/html"))
                        .and(|_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions| {
                            !headers.contains_key(header::ACCEPT_RANGES)
                        }),
                )),
        )
        .with_state(state)
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

#[derive(askama::Template)]
#[template(path = "accessibility.html")]
struct AccessibilityPage {
    layout: views::Layout,
    updated: &'static str,
}

/// The accessibility statement the law asks for, linked from every page.
async fn accessibility() -> Result<axum::response::Response, AppError> {
    views::page(&AccessibilityPage {
        layout: views::Layout::anonymous("Tillgänglighetsredogörelse"),
        updated: "2026-11-25",
    })
}

/// 200 when the database answers, 503 when it does not.
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (axum::http::StatusCode, &'static str) {
    let answer = async {
        let mut conn = state.pool.acquire().await?;
        crate::db::ping(&mut conn).await
    };
    match tokio::time::timeout(Duration::from_secs(2), answer).await {
        Ok(Ok(())) => (axum::http::StatusCode::OK, "ok\n"),
        _ => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable\n",
        ),
    }
}

/// How long in-flight requests get after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// Serves until `shutdown` resolves, then lets requests in flight finish (for at
/// most [`SHUTDOWN_GRACE`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let (signalled_tx, signalled_rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = signalled_tx.send(());
    });
    let server = std::pin::pin!(server.into_future());
    tokio::select! {
        result = server => result?,
        () = async {
            let _ = signalled_rx.await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => tracing::warn!("requests still running after the grace period were cut off"),
    }
    Ok(())
}

/// Periodic clean-up: expired sessions, old login failures, and the chunks of
/// uploads that never became a document (interrupted or refused), a day on.
pub async fn housekeeping(pool: PgPool) {
    let mut tick = tokio::time::interval(Duration::from_secs(15 * 60));
    loop {
        tick.tick().await;
        let done = async {
            let mut conn = pool.acquire().await?;
            crate::db::delete_expired_sessions(&mut conn).await?;
            crate::db::login_failures::delete_before(
                &mut conn,
                chrono::Utc::now() - chrono::TimeDelta::days(1),
            )
            .await?;
            crate::db::blobs::delete_orphan_chunks(
                &mut conn,
                chrono::Utc::now() - chrono::TimeDelta::days(1),
            )
            .await
            .map(|_| ())
        }
        .await;
        if let Err(error) = done {
            tracing::warn!("housekeeping failed: {error}");
        }
    }
}
