//! A stand-in for the national public-service portal's (DVCQG) sync gateway, faithful to
//! `docs/national-portal.md`: `POST /login` gives a session, `POST /service` runs
//! `DongBoHoSoMC` (create, then update, a dossier) and `CapNhatTienDoHoSoMC` (progress
//! rows), every field checked as the gateway checks it and answered with its error codes.
//!
//! Besides the protocol, for tests and rehearsals (never logged, never faulted, so they
//! can be read while the "gateway" is down):
//! - `GET /_sandbox/log`: every request received and its answer, secrets masked;
//! - `GET /_sandbox/dossiers`: the dossiers held, with how often each was created and
//!   updated and how many progress rows it has;
//! - `GET /_sandbox/dossiers/{MaHoSo}`: one dossier's latest record and progress rows.
//!
//! Every answer carries `X-Sandbox: national-portal`.

mod gateway;
mod validate;

use std::collections::BTreeSet;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::faults::{FaultError, Faults, check_fail_rate};
use crate::log::RequestLog;

pub use gateway::MAX_PROGRESS_ROWS;

/// The sandbox's name, as in `motcua sandbox national-portal` and the `X-Sandbox` header.
pub const NAME: &str = "national-portal";

/// Large enough for a batch of many records with their file lists; the real gateway's
/// limit is not published.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// How the sandbox behaves. `Default` is a healthy gateway with the demo credentials.
#[derive(Clone)]
pub struct Options {
    /// Share of requests answered HTTP 500 before they are looked at, 0..=1.
    pub fail_rate: f64,
    /// Added before every answer of the gateway.
    pub latency: Duration,
    /// For this long after the start every request gets HTTP 503.
    pub down_for: Duration,
    pub username: String,
    pub password: String,
    /// A session's life, sent as `expires_in`.
    pub session_ttl: Duration,
    /// Makes the `fail_rate` draws repeatable.
    pub seed: Option<u64>,
    /// The procedure codes of the national catalogue; a record of any other procedure is
    /// refused (`-2` on `MaTTHC`), as the portal refuses a procedure it does not publish.
    /// None accepts every well-formed code.
    pub catalogue: Option<BTreeSet<String>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            fail_rate: 0.0,
            latency: Duration::ZERO,
            down_for: Duration::ZERO,
            username: "motcua".to_owned(),
            password: "sandbox".to_owned(),
            session_ttl: Duration::from_secs(1800),
            seed: None,
            catalogue: None,
        }
    }
}

// By hand, so that the password never reaches a log line.
impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("fail_rate", &self.fail_rate)
            .field("latency", &self.latency)
            .field("down_for", &self.down_for)
            .field("username", &self.username)
            .field("password", &crate::log::MASK)
            .field("session_ttl", &self.session_ttl)
            .field("seed", &self.seed)
            .field("catalogue", &self.catalogue.as_ref().map(BTreeSet::len))
            .finish()
    }
}

impl Options {
    pub fn validate(&self) -> Result<(), FaultError> {
        check_fail_rate(self.fail_rate)
    }
}

struct Sandbox {
    gateway: gateway::Gateway,
    faults: Faults,
    log: RequestLog,
}

type Shared = Arc<Mutex<Sandbox>>;

fn lock(s: &Shared) -> MutexGuard<'_, Sandbox> {
    // Nothing panics while the lock is held; if something did, the state is still the one
    // of a finished exchange, and a sandbox that keeps answering is more use than one that
    // fails every request after it.
    s.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The sandbox's routes over fresh state; `down_for` counts from this call.
pub fn router(opts: Options) -> Router {
    let state: Shared = Arc::new(Mutex::new(Sandbox {
        gateway: gateway::Gateway::new(
            opts.username,
            opts.password,
            opts.session_ttl,
            opts.catalogue,
        ),
        faults: Faults::new(
            opts.fail_rate,
            opts.latency,
            opts.down_for,
            opts.seed,
            Instant::now(),
        ),
        log: RequestLog::default(),
    }));
    Router::new()
        .route("/", get(about))
        .route("/_sandbox/log", get(request_log))
        .route("/_sandbox/dossiers", get(dossier_list))
        .route("/_sandbox/dossiers/{code}", get(dossier))
        .route("/_sandbox/{*rest}", get(no_such_sandbox_page))
        .fallback(exchange)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::map_response(mark))
        .with_state(state)
}

/// A running sandbox. Dropping it stops the server too (without waiting).
#[derive(Debug)]
pub struct Handle {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Handle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base address to configure as `[national_portal] url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets the requests in flight finish, and waits for the server.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            // Err only when the server already ended; nothing left to stop.
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
        {
            tracing::warn!(error = %e, "national-portal sandbox ended abnormally");
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Serves the sandbox on `listener` in a task of the current runtime. `opts` is taken as
/// given (callers check it with [`Options::validate`]): a fail rate outside 0..=1 acts as
/// its nearer end, NaN as 0.
pub async fn start(listener: tokio::net::TcpListener, opts: Options) -> std::io::Result<Handle> {
    let addr = listener.local_addr()?;
    let app = router(opts);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                // A dropped sender stops the server just as a sent signal does.
                let _ = stopped.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "national-portal sandbox stopped serving");
        }
    });
    tracing::info!(%addr, "national-portal sandbox listening (a stand-in, not the real portal)");
    Ok(Handle {
        addr,
        stop: Some(stop),
        task: Some(task),
    })
}

async fn mark(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert("x-sandbox", HeaderValue::from_static(NAME));
    response
}

/// What the gateway answers: JSON, or the plain text of an error page.
enum Reply {
    Json(StatusCode, Value),
    Text(StatusCode, &'static str),
}

/// Every request to the gateway's own paths: faults first, then the protocol, then the log,
/// all under one lock so that the log's order is the order of handling.
async fn exchange(State(s): State<Shared>, method: Method, uri: Uri, body: Bytes) -> Response {
    let path = uri.path();
    let parsed: Result<Value, String> = serde_json::from_slice(&body).map_err(|e| e.to_string());
    let (reply, latency) = {
        let mut sb = lock(&s);
        let now = Instant::now();
        let reply = match sb.faults.draw(now) {
            Some(fault) => Reply::Text(fault.status(), fault.body()),
            None => {
                let body = parsed.as_ref().map_err(String::as_str);
                match (path, &method) {
                    ("/login", &Method::POST) => {
                        Reply::Json(StatusCode::OK, sb.gateway.login(body, now))
                    }
                    ("/service", &Method::POST) => {
                        Reply::Json(StatusCode::OK, sb.gateway.service(body, now))
                    }
                    ("/login" | "/service", _) => Reply::Text(
                        StatusCode::METHOD_NOT_ALLOWED,
                        "sandbox national-portal: only POST here\n",
                    ),
                    _ => Reply::Text(
                        StatusCode::NOT_FOUND,
                        "sandbox national-portal: no such path; the gateway serves POST /login and POST /service\n",
                    ),
                }
            }
        };
        let (status, answer) = match &reply {
            Reply::Json(status, v) => (*status, Some(v)),
            Reply::Text(status, _) => (*status, None),
        };
        sb.log.record(
            method.as_str(),
            path,
            parsed.as_ref().ok(),
            status.as_u16(),
            answer,
        );
        (reply, sb.faults.latency())
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match reply {
        Reply::Json(status, v) => (status, Json(v)).into_response(),
        Reply::Text(status, text) => (status, text).into_response(),
    }
}

async fn about() -> &'static str {
    "motcua sandbox: national-portal\n\
     A protocol-faithful STAND-IN for the national public-service portal (DVCQG) sync \
     gateway, for demos and tests. It is not the real portal and sends nothing anywhere.\n\
     POST /login, POST /service (docs/national-portal.md); GET /_sandbox/log, \
     GET /_sandbox/dossiers, GET /_sandbox/dossiers/{MaHoSo}.\n"
}

async fn request_log(State(s): State<Shared>) -> Json<Vec<crate::log::Entry>> {
    Json(lock(&s).log.entries().cloned().collect())
}

async fn dossier_list(State(s): State<Shared>) -> Json<Value> {
    let sb = lock(&s);
    let list = sb
        .gateway
        .dossiers()
        .iter()
        .map(|(code, d)| {
            json!({
                "MaHoSo": code,
                "creates": d.creates,
                "updates": d.updates,
                "progress": d.progress.len(),
            })
        })
        .collect();
    Json(Value::Array(list))
}

async fn dossier(State(s): State<Shared>, Path(code): Path<String>) -> Response {
    let sb = lock(&s);
    match sb.gateway.dossiers().get(&code) {
        Some(d) => Json(json!({
            "record": d.record,
            "progress": d.progress,
            "creates": d.creates,
            "updates": d.updates,
        }))
        .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!("sandbox holds no dossier {code}")})),
        )
            .into_response(),
    }
}

async fn no_such_sandbox_page() -> Response {
    (
        StatusCode::NOT_FOUND,
        "sandbox national-portal: see GET / for the sandbox's pages\n",
    )
        .into_response()
}
