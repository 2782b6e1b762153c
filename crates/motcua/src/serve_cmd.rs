//! `motcua serve`.

use crate::DatabaseArg;
use anyhow::{Context, bail};
use motcua_store::{Backend, Store};
use std::net::SocketAddr;
use std::time::Duration;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "MOTCUA_LISTEN")]
    pub listen: SocketAddr,
    /// Load the Huế demo catalogue and one account per role into an empty database.
    #[arg(long)]
    pub demo: bool,
    /// Apply pending migrations on PostgreSQL too (SQLite always migrates itself).
    #[arg(long)]
    pub migrate: bool,
    /// Open the portal in the default browser once the server listens.
    #[arg(long)]
    pub open: bool,
    /// The address people reach the portal at, e.g. `https://dichvucong.hue.gov.vn`. How the
    /// server is reached decides its cookies and headers: over HTTPS (an https public URL,
    /// or no public URL and a listen address that is not loopback) cookies are Secure and
    /// every answer carries Strict-Transport-Security; over plain HTTP (an http public URL,
    /// or none, on a loopback listen address such as the default 127.0.0.1, or with
    /// --insecure-http) neither. Behind a TLS proxy on the same machine, give the https URL.
    #[arg(long, value_name = "URL", env = "MOTCUA_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<reqwest::Url>,
    /// Serve plain HTTP on a non-loopback address (no Secure cookies, no HSTS): for a test
    /// network only, never for the public.
    #[arg(long, env = "MOTCUA_INSECURE_HTTP", conflicts_with = "secure_cookies")]
    pub insecure_http: bool,
    /// Serve as over HTTPS even on a loopback address (same as an https --public-url).
    #[arg(long, env = "MOTCUA_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Seconds a client has to send a request's line and headers (also how long an idle
    /// keep-alive connection stays open).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 10,
        env = "MOTCUA_HEADER_TIMEOUT"
    )]
    pub header_timeout: u64,
    /// Seconds a client has to send a request's body, plus one per 16 KiB sent.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 30,
        env = "MOTCUA_BODY_TIMEOUT"
    )]
    pub body_timeout: u64,
    /// Seconds after which a connection on which nothing moves either way is closed.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 60,
        env = "MOTCUA_IDLE_TIMEOUT"
    )]
    pub idle_timeout: u64,
    /// Open connections at most; more wait half a second for a place, then get 503.
    #[arg(long, default_value_t = 1024, env = "MOTCUA_MAX_CONNECTIONS")]
    pub max_connections: usize,
    /// Bearer token that opens /readyz and /metrics on the public address
    /// (`Authorization: Bearer …`); without it they answer 404 there.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "MOTCUA_OPS_TOKEN",
        hide_env_values = true
    )]
    pub ops_token: Option<String>,
    /// A second address serving only /healthz, /readyz and /metrics, without a token, for
    /// the operators' monitoring (e.g. 127.0.0.1:9090).
    #[arg(long, value_name = "ADDR", env = "MOTCUA_OPS_LISTEN")]
    pub ops_listen: Option<SocketAddr>,
    /// Folder of the file store (scans, uploads, results), content-addressed by SHA-256.
    #[arg(
        long = "files",
        value_name = "DIR",
        default_value = "data/files",
        env = "MOTCUA_FILES_DIR"
    )]
    pub files_dir: std::path::PathBuf,
    /// Largest file accepted, in MB.
    #[arg(long, default_value_t = 20, env = "MOTCUA_MAX_FILE_MB")]
    pub max_file_mb: u64,
    /// Deliver the outbox messages of TOPIC by POSTing them to URL (repeatable), e.g.
    /// `--deliver national_portal.sync=https://…`. Topics without one wait in the outbox.
    #[arg(long = "deliver", value_name = "TOPIC=URL", value_parser = motcua_integrations::parse_target)]
    pub deliver: Vec<(String, reqwest::Url)>,
    /// Attempts at one outbox message before it goes on the dead-letter list (an operator
    /// replays it from /quan-tri/hang-doi).
    #[arg(long, default_value_t = 12, env = "MOTCUA_DELIVER_MAX_ATTEMPTS")]
    pub deliver_max_attempts: u32,
    #[command(flatten)]
    pub db: DatabaseArg,
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    init_logs();
    let store = Store::connect(&args.db.url)
        .await
        .with_context(|| "cannot open the database")?;
    if store.backend() == Backend::Sqlite || args.migrate || args.demo {
        store.migrate().await?;
    } else if store.pending_migrations().await? > 0 {
        bail!("the database schema is not current; run `motcua migrate` (or serve with --migrate)");
    }
    if args.demo {
        if crate::demo::load(&store).await? {
            println!("Đã nạp dữ liệu minh họa Huế.");
        } else {
            println!("Cơ sở dữ liệu đã có dữ liệu; không nạp lại dữ liệu minh họa.");
        }
        crate::demo::print_logins();
    }
    let https = over_https(
        args.listen,
        args.public_url.as_ref(),
        args.insecure_http,
        args.secure_cookies,
    )?;
    // Says which rule applied, so a login that fails over plain HTTP is easy to explain.
    tracing::info!(
        https,
        "{}",
        if https {
            "served as over HTTPS: Secure cookies, Strict-Transport-Security"
        } else {
            "served over plain HTTP: cookies without Secure, no Strict-Transport-Security"
        }
    );
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}/");
    println!("Cổng dịch vụ công: {url}");
    if args.open {
        open_browser(&url);
    }
    store.seed_calendar().await?;
    let state = motcua_web::AppState::load(
        store.clone(),
        motcua_web::Config {
            secure_cookies: https,
            hsts: https,
            files_dir: args.files_dir.clone(),
            max_file_bytes: args.max_file_mb.saturating_mul(1024 * 1024),
            header_read_timeout: Duration::from_secs(args.header_timeout.max(1)),
            body_read_timeout: Duration::from_secs(args.body_timeout.max(1)),
            idle_timeout: Duration::from_secs(args.idle_timeout.max(1)),
            max_connections: args.max_connections.max(1),
            ops_token: args.ops_token.filter(|t| !t.trim().is_empty()),
            ..Default::default()
        },
    )
    .await?;
    // New warnings go to the outbox once each, within a minute of arising.
    let sweeper =
        motcua_app::warnings::spawn_sweeper(state.app.clone(), std::time::Duration::from_secs(60));
    // One stop signal for the server and the outbox worker: both finish what they hold.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = motcua_integrations::Worker::new(
        store.clone(),
        motcua_integrations::WorkerConfig {
            max_attempts: i64::from(args.deliver_max_attempts.max(1)),
            ..Default::default()
        }
        .with_webhooks(args.deliver, Duration::from_secs(15))?,
    );
    let worker = tokio::spawn(worker.run(stopped.clone()));
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = stop.send(true);
    });
    let ops = match args.ops_listen {
        Some(addr) => {
            let l = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            let mut ops_stop = stopped.clone();
            Some(tokio::spawn(motcua_web::serve_ops(
                l,
                state.clone(),
                async move {
                    let _ = ops_stop.wait_for(|s| *s).await;
                },
            )))
        }
        None => None,
    };
    let mut server_stop = stopped;
    motcua_web::serve(listener, state, async move {
        let _ = server_stop.wait_for(|s| *s).await;
    })
    .await?;
    if let Some(ops) = ops {
        let _ = ops.await;
    }
    sweeper.abort();
    let _ = worker.await;
    store.close().await;
    Ok(())
}

fn parse_public_url(s: &str) -> Result<reqwest::Url, String> {
    let u = reqwest::Url::parse(s).map_err(|e| e.to_string())?;
    match u.scheme() {
        "https" | "http" => Ok(u),
        other => Err(format!(
            "the public URL must be https:// or http://, not {other}://"
        )),
    }
}

/// Whether people reach the server over HTTPS (see `--public-url`): then cookies are Secure
/// and answers carry HSTS. Plain HTTP is only for loopback or an explicit `--insecure-http`.
fn over_https(
    listen: SocketAddr,
    public_url: Option<&reqwest::Url>,
    insecure_http: bool,
    secure_cookies: bool,
) -> anyhow::Result<bool> {
    let plain_allowed = insecure_http || listen.ip().is_loopback();
    match public_url.map(reqwest::Url::scheme) {
        Some("https") if insecure_http => {
            bail!("--insecure-http contradicts the https public URL")
        }
        Some("https") => Ok(true),
        Some(_) if secure_cookies => bail!("--secure-cookies contradicts the http public URL"),
        Some(_) if plain_allowed => Ok(false),
        Some(_) => bail!(
            "an http:// public URL on the non-loopback address {listen} needs --insecure-http"
        ),
        None => Ok(secure_cookies || !plain_allowed),
    }
}

/// Best effort: a server without a desktop simply has no opener.
fn open_browser(url: &str) {
    for opener in ["xdg-open", "open"] {
        if std::process::Command::new(opener)
            .arg(url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .is_ok()
        {
            return;
        }
    }
    println!("(Không mở được trình duyệt tự động; hãy mở địa chỉ trên.)");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::over_https;

    fn url(s: &str) -> reqwest::Url {
        reqwest::Url::parse(s).unwrap()
    }

    #[test]
    fn plain_http_only_on_loopback_or_when_asked() {
        let local = "127.0.0.1:8080".parse().unwrap();
        let local6 = "[::1]:8080".parse().unwrap();
        let public = "0.0.0.0:8080".parse().unwrap();
        let lan = "10.0.0.5:8080".parse().unwrap();
        // The demo on 127.0.0.1 over http://.
        assert!(!over_https(local, None, false, false).unwrap());
        assert!(!over_https(local6, None, false, false).unwrap());
        assert!(!over_https(local, Some(&url("http://127.0.0.1:8080")), false, false).unwrap());
        // Anything reachable from elsewhere is taken to sit behind TLS.
        assert!(over_https(public, None, false, false).unwrap());
        assert!(over_https(lan, None, false, false).unwrap());
        // A TLS proxy on the same machine forwards to loopback.
        let site = url("https://dichvucong.hue.gov.vn");
        assert!(over_https(local, Some(&site), false, false).unwrap());
        assert!(over_https(local, None, false, true).unwrap());
        // Plain HTTP elsewhere only when asked for by name.
        assert!(!over_https(public, None, true, false).unwrap());
        assert!(over_https(lan, Some(&url("http://10.0.0.5:8080")), false, false).is_err());
        assert!(!over_https(lan, Some(&url("http://10.0.0.5:8080")), true, false).unwrap());
        assert!(over_https(public, Some(&site), true, false).is_err());
        assert!(over_https(local, Some(&url("http://x")), false, true).is_err());
    }
}
