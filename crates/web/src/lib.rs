//! HTTP for motcua: the JSON API under `/api/v1` (OpenAPI at `/api/v1/openapi.json`), the
//! Vietnamese pages, sessions and tokens, health and metrics.

pub mod api;
mod app_errors;
mod auth;
pub mod error;
mod extract;
mod i18n;
mod lookup_limit;
mod metrics;
pub mod openapi;
mod ops;
mod pages;
mod params;
mod server;
mod uploads;
pub mod views;
mod warnings;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use motcua_store::Store;
use std::sync::Arc;

pub use auth::SESSION_COOKIE;

/// Settings the server runs with.
#[derive(Clone)]
pub struct Config {
    /// Set the `Secure` flag on cookies. On by default: only a server reached over plain
    /// HTTP (loopback, or an explicit choice) turns it off.
    pub secure_cookies: bool,
    /// Send `Strict-Transport-Security` (on by default, off with plain HTTP like the above).
    pub hsts: bool,
    pub session_hours: i64,
    /// The folder of the file store (scans, uploads, results).
    pub files_dir: std::path::PathBuf,
    /// The largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Login attempts per window and password checks at once.
    pub login: motcua_app::login::LoginLimits,
    /// What one dossier and one applicant may hold (declaration size, open drafts, files,
    /// officers' text); handed to the app, which applies them.
    pub limits: motcua_domain::dossier::Limits,
    /// Extensions (apology and new appointment) a dossier may have; handed to the app.
    pub max_extensions: u32,
    /// The largest request body, except file uploads (which have `max_file_bytes`).
    pub body_limit_bytes: usize,
    /// A request's line and headers must arrive within this; hyper counts it from the end
    /// of the previous response too, so it also bounds an idle keep-alive connection.
    pub header_read_timeout: std::time::Duration,
    /// A request's body must arrive within this, plus one second per 16 KiB received (so
    /// a large upload over a slow line still passes, a trickle does not).
    pub body_read_timeout: std::time::Duration,
    /// A connection on which no byte moves either way for this long is closed (a client
    /// that stops reading a response, a half-open socket).
    pub idle_timeout: std::time::Duration,
    /// Open connections at most; a newcomer waits briefly for a place, then is turned away.
    pub max_connections: usize,
    /// The bearer token that opens `/readyz` and `/metrics` on the public listener; without
    /// one they answer 404 there (see `serve_ops` for a listener of their own).
    pub ops_token: Option<String>,
    /// The outside systems whose adapter is configured; handed to the app.
    pub connected: Vec<motcua_domain::dossier::outside::System>,
}

/// Every setting but the ops token, which shows only whether it is set.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("secure_cookies", &self.secure_cookies)
            .field("hsts", &self.hsts)
            .field("session_hours", &self.session_hours)
            .field("files_dir", &self.files_dir)
            .field("max_file_bytes", &self.max_file_bytes)
            .field("login", &self.login)
            .field("limits", &self.limits)
            .field("max_extensions", &self.max_extensions)
            .field("body_limit_bytes", &self.body_limit_bytes)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_connections", &self.max_connections)
            .field("ops_token", &self.ops_token.as_ref().map(|_| "***"))
            .field("connected", &self.connected)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            secure_cookies: true,
            hsts: true,
            session_hours: 8,
            files_dir: std::path::PathBuf::from("data/files"),
            max_file_bytes: motcua_store::files::DEFAULT_MAX_FILE_BYTES,
            login: motcua_app::login::LoginLimits::default(),
            limits: motcua_domain::dossier::Limits::default(),
            max_extensions: motcua_app::Settings::default().max_extensions,
            body_limit_bytes: 2 * 1024 * 1024,
            header_read_timeout: std::time::Duration::from_secs(10),
            body_read_timeout: std::time::Duration::from_secs(30),
            idle_timeout: std::time::Duration::from_secs(60),
            max_connections: 1024,
            ops_token: None,
            connected: Vec::new(),
        }
    }
}

/// Shared by every handler: the app (use cases and their state) and what only HTTP needs.
#[derive(Clone)]
pub struct AppState {
    pub app: motcua_app::App,
    pub config: Arc<Config>,
    metrics: Arc<metrics::Metrics>,
    lookup_limiter: Arc<lookup_limit::LookupLimiter>,
}

impl AppState {
    pub fn new(app: motcua_app::App, config: Config) -> Self {
        Self {
            app,
            config: Arc::new(config),
            metrics: Arc::default(),
            lookup_limiter: Arc::default(),
        }
    }

    /// Builds the state with the calendar stored in the database, the file store in the
    /// configured folder and the live index built.
    pub async fn load(store: Store, config: Config) -> Result<Self, motcua_app::AppError> {
        let files =
            motcua_store::files::FileStore::local(&config.files_dir, config.max_file_bytes)?;
        let settings = motcua_app::Settings {
            limits: config.limits,
            max_extensions: config.max_extensions,
            session_hours: config.session_hours,
            login: config.login.clone(),
            connected: config.connected.clone(),
        };
        let app = motcua_app::App::load(store, files, settings).await?;
        Ok(Self::new(app, config))
    }
}

/// The request id: taken from a well-formed `x-request-id`, else a new UUIDv7.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::routes().split_for_parts().0)
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(openapi::document),
        )
        .merge(pages::routes())
        .merge(ops::routes(&state))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            state.config.body_limit_bytes,
        ))
        // Uploads have their own, larger limit, enforced while the body streams in.
        .merge(upload_routes(&state))
        // Unknown addresses and methods leave as errors of ours (JSON under /api/, the
        // error page elsewhere), not as empty bodies.
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        // A handler's panic becomes a bare 500 here, which the middleware renders as
        // `internal_error` with the request id; the outer layer guards the middleware.
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            request_context,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .with_state(state)
}

/// The routes that take files, outside the general 2 MiB body limit: one file per request
/// for the API and the pages, many scans at once at the desk.
fn upload_routes(state: &AppState) -> Router<AppState> {
    let one = usize::try_from(state.config.max_file_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(1024 * 1024);
    Router::new()
        .merge(api::files::routes(one).split_for_parts().0)
        .merge(pages::upload_routes(one))
}

async fn no_route() -> error::ApiError {
    error::ApiError::no_route()
}

async fn method_not_allowed() -> error::ApiError {
    error::ApiError::method_not_allowed()
}

/// A NUL character, percent-encoded in the path or the query. No code, name or search has
/// one, and PostgreSQL refuses it in text (a storage error, so a 500, where SQLite would
/// store it): refused here for every route, API and pages alike.
fn nul_in_address(uri: &axum::http::Uri) -> Option<error::ApiError> {
    if has_nul(uri.path().as_bytes()) {
        Some(error::ApiError::bad_request())
    } else if uri.query().is_some_and(|q| has_nul(q.as_bytes())) {
        Some(error::ApiError::invalid(
            "query",
            "invalid_character",
            "Tham số truy vấn chứa ký tự không hợp lệ.",
            "A query parameter contains a NUL character.",
        ))
    } else {
        None
    }
}

/// A NUL in percent-encoded text (an address, a posted form): raw or as `%00`, any case.
pub(crate) fn has_nul(encoded: &[u8]) -> bool {
    encoded.contains(&0) || encoded.windows(3).any(|w| w.eq_ignore_ascii_case(b"%00"))
}

/// An error answered by axum or tower rather than by us: a rejection's plain text, or no
/// body at all. Pages that answer an error with their own HTML keep it.
fn bare_error(response: &Response) -> bool {
    let status = response.status();
    (status.is_client_error() || status.is_server_error())
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"))
}

/// Serves until the future `shutdown` completes, then lets open requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = server::Limits::of(&state.config);
    server::run(listener, router(state), limits, shutdown).await
}

/// Serves only `/healthz`, `/readyz` and `/metrics`, without a token: for a listen address
/// that only the operators' monitoring reaches.
pub async fn serve_ops(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = server::Limits::of(&state.config);
    server::run(listener, ops::private_routes(state), limits, shutdown).await
}

fn valid_request_id(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Request id, cross-site check, error rendering, security headers, metrics and the access
/// log, in one place so that every response goes through the same path.
async fn request_context(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| valid_request_id(v))
        .map_or_else(|| uuid::Uuid::now_v7().simple().to_string(), str::to_owned);
    req.extensions_mut().insert(RequestId(id.clone()));
    let is_api = req.uri().path().starts_with("/api/");
    // The API answers in the client's language (Accept-Language), the pages in the
    // reader's (their explicit choice, else Vietnamese).
    let api_lang = i18n::Lang::of_client(req.headers());
    let reader = pages::chrome::Reader::of(req.method(), req.uri(), req.headers());
    let method = req.method().clone();
    let path = req.uri().path().to_owned();

    let mut response = if auth::cross_site_write(&req) {
        error::ApiError::csrf().into_response()
    } else if let Some(e) = nul_in_address(req.uri()) {
        e.into_response()
    } else {
        next.run(req).await
    };

    let pending = match response.extensions_mut().remove::<error::PendingError>() {
        Some(error::PendingError(e)) => Some(e),
        None if bare_error(&response) => Some(error::ApiError::of_status(response.status())),
        None => None,
    };
    if let Some(e) = pending {
        // A 405 says which methods the address takes (RFC 9110).
        let allow = response.headers().get(header::ALLOW).cloned();
        response = if is_api {
            error::render(&e, &id, api_lang)
        } else {
            pages::error_page(&e, &id, reader)
        };
        if let Some(v) = allow {
            response.headers_mut().insert(header::ALLOW, v);
        }
    }
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert("x-request-id", v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    if state.config.hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    // Pages, API answers and files may carry personal data: no cache keeps them, except the
    // static assets, which set their own.
    if !path.starts_with("/static/") {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let status = response.status();
    state.metrics.observe(&method, status, started.elapsed());
    if method != Method::GET || status.is_server_error() {
        tracing::info!(request_id = %id, %method, %path, status = status.as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    }
    response
}

#[cfg(test)]
mod config_tests {
    #[test]
    fn the_ops_token_never_shows_in_debug() {
        let c = super::Config {
            ops_token: Some("s3cret-ops".into()),
            ..Default::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret-ops"), "{shown}");
        assert!(shown.contains("ops_token: Some(\"***\")"), "{shown}");
    }
}
