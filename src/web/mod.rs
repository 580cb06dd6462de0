//! The only place with axum: routes, extractors, pages.

mod admin;
mod admin_sign_in;
mod auth;
mod cases;
mod confirmation;
mod diarium;
mod document_files;
mod document_register;
mod documents;
mod editor;
mod error;
mod form;
mod home;
mod ids;
mod meetings;
mod notice_board;
mod oidc;
mod outbox;
mod query;
mod referrals;
mod refusal;
mod review;
mod search;
mod server;
mod session;
mod static_files;
mod summary;
mod upload;
mod views;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{
    Extensions, HeaderMap, HeaderName, HeaderValue, Request, StatusCode, Version, header,
};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sqlx::PgPool;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::{Expiry, SessionManagerLayer};

pub use error::AppError;
pub use server::serve;

use crate::app::Context;
use crate::config::{LocalLogin, ServeArgs};
use crate::files::clamd::Clamd;
use crate::password::HashingSlots;

/// How the server is reached and what it bears, from the configuration (the
/// defaults are the command line's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Mark the session cookie Secure (served over HTTPS), with the `__Host-`
    /// prefix, and send Strict-Transport-Security.
    pub secure_cookies: bool,
    /// Trust the last X-Forwarded-For entry as the client address.
    pub behind_proxy: bool,
    /// The wait for a request's head, and between requests on a connection.
    pub header_timeout: Duration,
    /// The wait for a form's body.
    pub body_timeout: Duration,
    /// The longest a request may take in all.
    pub request_timeout: Duration,
    /// Client connections served at once.
    pub max_connections: usize,
    /// Memory for password hashing, which decides how many run at once.
    pub hashing_memory_mib: usize,
    /// Whether passwords kept in Remiss may be used to sign in.
    pub local_login: LocalLogin,
    /// The largest upload of documents, in bytes.
    pub max_upload_bytes: u64,
    /// The virus scanner, when one is configured.
    pub clamd: Option<Clamd>,
    /// Whether an SMTP server is configured (else e-mail waits in the outbox).
    pub mail_configured: bool,
    /// The address the public reaches Remiss at (`--public-url`), without a
    /// trailing slash: for links that leave the site (exports, the feed).
    pub public_url: Option<String>,
}

impl Settings {
    /// `path` as a link that works outside the site: absolute with the public
    /// address when one is configured, as it is otherwise.
    pub fn public_link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.as_deref().unwrap_or(""))
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: false,
            behind_proxy: false,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(20),
            request_timeout: Duration::from_secs(30),
            max_connections: 512,
            hashing_memory_mib: 128,
            local_login: LocalLogin::On,
            max_upload_bytes: 50 * 1_000_000,
            clamd: None,
            mail_configured: false,
            public_url: None,
        }
    }
}

impl From<&ServeArgs> for Settings {
    fn from(args: &ServeArgs) -> Self {
        Settings {
            secure_cookies: args.secure_cookies,
            behind_proxy: args.behind_proxy,
            header_timeout: args.header_timeout,
            body_timeout: args.body_timeout,
            request_timeout: args.request_timeout,
            max_connections: args.max_connections,
            hashing_memory_mib: args.hashing_memory_mib,
            local_login: args.sign_in.local_login,
            max_upload_bytes: args.max_upload_mb * 1_000_000,
            clamd: args.clamd.clone().map(Clamd::new),
            mail_configured: args.smtp_url.is_some(),
            public_url: args
                .sign_in
                .public_url
                .as_deref()
                .map(|url| url.trim_end_matches('/').to_string()),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    /// What the public pages read from (the diarium, its search, the feeds, the
    /// anslagstavla): the read replica when there is one, else `pool`.
    pub public_reads: PgPool,
    /// What the use cases run with (the same pool, and the clock).
    pub ctx: Context,
    pub settings: Arc<Settings>,
    pub hashing: HashingSlots,
    /// The identity provider, when single sign-on is configured.
    pub oidc: Option<Arc<crate::oidc::Provider>>,
}

impl AppState {
    pub fn new(pool: PgPool, settings: Settings) -> Self {
        AppState {
            ctx: Context::new(pool.clone()),
            public_reads: pool.clone(),
            pool,
            hashing: HashingSlots::for_memory(settings.hashing_memory_mib),
            settings: Arc::new(settings),
            oidc: None,
        }
    }

    /// With the public pages reading from a replica.
    pub fn with_public_reads(mut self, replica: PgPool) -> Self {
        self.public_reads = replica;
        self
    }

    /// With single sign-on through `provider`.
    pub fn with_oidc(mut self, provider: Arc<crate::oidc::Provider>) -> Self {
        self.oidc = Some(provider);
        self
    }
}

/// A session ends after this long without a request...
pub const IDLE_TIMEOUT: time::Duration = time::Duration::hours(1);
/// ...and in any case this long after login.
pub const ABSOLUTE_TIMEOUT: chrono::TimeDelta = chrono::TimeDelta::hours(10);

/// The pages' Content-Security-Policy (the router adds the identity provider's
/// origin to `form-action`).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The name of a cookie: with `__Host-` in front when it is Secure, so that the
/// browser takes it only from this host over HTTPS, with path `/` and no domain
/// (a neighbouring subdomain cannot plant one).
pub fn cookie_name(name: &str, secure: bool) -> String {
    if secure {
        format!("__Host-{name}")
    } else {
        name.to_string()
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let secure = state.settings.secure_cookies;
    // With passwords off, a password sent anyway gets a refusal, not a login.
    let login = match state.settings.local_login {
        LocalLogin::On => get(auth::login_form).post(auth::login),
        LocalLogin::Off => get(auth::login_form).post(oidc::password_login_off),
    };
    // Forms may continue to the identity provider (its logout), when there is one.
    let content_security_policy = HeaderValue::from_str(&CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'",
        &format!("form-action 'self'{}", oidc::form_action_origin(&state)),
    ))
    .expect("the CSP is a valid header value");
    let store = crate::db::sessions::PgSessionStore::new(state.pool.clone());
    let sessions = SessionManagerLayer::new(store)
        .with_name(cookie_name("remiss_session", secure))
        .with_path("/")
        .with_http_only(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(IDLE_TIMEOUT));

    // Everything here needs a signed-in user; the layer is added after the routes,
    // so it covers all of them.
    let protected = Router::new()
        .route("/", get(home::start_page))
        .route("/logout", get(auth::logout_form).post(auth::logout))
        .route("/session", axum::routing::post(auth::stay_signed_in))
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
        .route(
            "/remisser/{id}/remissinstanser",
            axum::routing::post(referrals::add_respondent),
        )
        .route(
            "/remisser/{id}/makulera",
            axum::routing::post(referrals::annul),
        )
        .route(
            "/remisser/{id}/anstand",
            axum::routing::post(referrals::extend_deadline),
        )
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
        .merge(outbox::routes())
        .merge(admin_sign_in::routes())
        .route_layer(middleware::from_fn(error::signed_in_layout))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_login,
        ));

    let public = Router::new()
        .route("/login", login)
        .merge(oidc::routes())
        .route("/tillganglighet", get(accessibility))
        .route("/static/{file}", get(static_files::serve))
        .route("/favicon.ico", get(static_files::favicon))
        .merge(diarium::routes())
        .merge(notice_board::routes());

    // Every page, and every error, in Swedish: `/healthz` alone answers machines.
    let pages = Router::new()
        .merge(protected)
        .merge(public)
        .fallback(error::not_found)
        .layer(sessions)
        .layer(CatchPanicLayer::custom(error::panicked))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            whole_request_timeout,
        ))
        .layer(middleware::from_fn(refuse_long_targets))
        .layer(middleware::from_fn(error::pages_for_bare_errors));

    let hsts = secure.then(|| {
        SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        )
    });

    Router::new()
        .merge(pages)
        .route("/healthz", get(health).fallback(health_other_methods))
        .layer(tower::util::option_layer(hsts))
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
                .layer(SetResponseHeaderLayer::overriding(
                    header::CONTENT_SECURITY_POLICY,
                    content_security_policy,
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

/// The longest request target (path and query) taken: no page has a use for
/// more, and a search reads only its first 200 characters anyway.
const MAX_TARGET_BYTES: usize = 8 * 1024;

async fn refuse_long_targets(request: axum::extract::Request, next: Next) -> Response {
    let length = request
        .uri()
        .path_and_query()
        .map_or(0, |pq| pq.as_str().len());
    if length > MAX_TARGET_BYTES {
        return AppError::Status(axum::http::StatusCode::URI_TOO_LONG).into_response();
    }
    next.run(request).await
}

/// A request past `--request-timeout` is dropped and answered 503: a stalled
/// database is told within a bound, never by a request that hangs. (A search's
/// statement is then cancelled, see `db::begin_search`; any other ends at
/// the statement timeout.)
async fn whole_request_timeout(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: Next,
) -> Response {
    // An upload may take longer, by its size: its pieces are each bounded by
    // `--body-timeout` instead (see `upload`).
    let limit = if upload::is_multipart(&request) {
        upload::time_limit(&state.settings)
    } else {
        state.settings.request_timeout
    };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            AppError::Unavailable("the request took longer than --request-timeout").into_response()
        }
    }
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
        updated: "2026-11-30",
    })
}

/// `/healthz` is outside the pages, so its 405 gets the Swedish page here.
async fn health_other_methods() -> Response {
    let mut response = AppError::Status(axum::http::StatusCode::METHOD_NOT_ALLOWED).into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET,HEAD"));
    response
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

/// Periodic clean-up: expired sessions, old login failures, and the chunks of
/// uploads that never became a document (interrupted or refused), a day on.
pub async fn housekeeping(pool: PgPool) {
    let mut tick = tokio::time::interval(Duration::from_secs(15 * 60));
    loop {
        tick.tick().await;
        let done = async {
            let mut tx = pool.begin().await?;
            crate::db::allow_long_statements(&mut tx).await?;
            crate::db::delete_expired_sessions(&mut tx).await?;
            crate::db::login_failures::delete_before(
                &mut tx,
                chrono::Utc::now() - chrono::TimeDelta::days(1),
            )
            .await?;
            crate::db::blobs::delete_orphan_chunks(
                &mut tx,
                chrono::Utc::now() - chrono::TimeDelta::days(1),
            )
            .await?;
            tx.commit().await
        }
        .await;
        if let Err(error) = done {
            tracing::warn!("housekeeping failed: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Settings;
    use crate::config::Cli;

    #[test]
    fn the_default_settings_are_the_command_lines() {
        let cli = Cli::try_parse_from(["remiss"]).unwrap();
        assert_eq!(Settings::from(&cli.serve), Settings::default());
    }
}
