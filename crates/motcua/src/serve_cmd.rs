//! `motcua serve`.

use crate::config::{DatabaseUrl, Secret, Settings, WebUrl};
use anyhow::{Context, bail};
use motcua_store::{Backend, Store};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Every flag but `--demo`, `--migrate` and `--open` overrides a setting of the
/// configuration (`--config FILE`, then `MOTCUA_<SECTION>__<KEY>`); the setting's key is
/// named in each flag's help, and `motcua.example.toml` documents them all.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// A TOML configuration file (see motcua.example.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Load the Huế demo catalogue and one account per role into an empty database.
    #[arg(long)]
    pub demo: bool,
    /// Apply pending migrations on PostgreSQL too (SQLite always migrates itself).
    #[arg(long)]
    pub migrate: bool,
    /// Start the stand-ins for the national systems (`motcua sandbox …`) inside this
    /// process on free loopback ports and point the adapters at them: a demo shows the
    /// whole journey, national-portal sync included, without the real systems. Never for
    /// a province's real data.
    #[arg(long)]
    pub sandboxes: bool,
    /// Open the portal in the default browser once the server listens.
    #[arg(long)]
    pub open: bool,
    /// sqlite:PATH or postgres://USER@HOST:PORT/DB [database.url; default sqlite:data/motcua.db]
    #[arg(long = "database", value_name = "URL")]
    pub database: Option<DatabaseUrl>,
    /// Address to listen on [server.listen; default 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// The address people reach the portal at, e.g. `https://dichvucong.hue.gov.vn`. How the
    /// server is reached decides its cookies and headers: over HTTPS (an https public URL,
    /// or no public URL and a listen address that is not loopback) cookies are Secure and
    /// every answer carries Strict-Transport-Security; over plain HTTP (an http public URL,
    /// or none, on a loopback listen address such as the default 127.0.0.1, or with
    /// --insecure-http) neither. Behind a TLS proxy on the same machine, give the https URL.
    /// [server.public_url]
    #[arg(long, value_name = "URL")]
    pub public_url: Option<WebUrl>,
    /// Serve plain HTTP on a non-loopback address (no Secure cookies, no HSTS): for a test
    /// network only, never for the public. [server.insecure_http]
    #[arg(long, conflicts_with = "secure_cookies")]
    pub insecure_http: bool,
    /// Serve as over HTTPS even on a loopback address (same as an https --public-url).
    /// [server.secure_cookies]
    #[arg(long)]
    pub secure_cookies: bool,
    /// Seconds a client has to send a request's line and headers (also how long an idle
    /// keep-alive connection stays open). [server.header_timeout_seconds; default 10]
    #[arg(long, value_name = "SECONDS")]
    pub header_timeout: Option<u64>,
    /// Seconds a client has to send a request's body, plus one per 16 KiB sent.
    /// [server.body_timeout_seconds; default 30]
    #[arg(long, value_name = "SECONDS")]
    pub body_timeout: Option<u64>,
    /// Seconds after which a connection on which nothing moves either way is closed.
    /// [server.idle_timeout_seconds; default 60]
    #[arg(long, value_name = "SECONDS")]
    pub idle_timeout: Option<u64>,
    /// Open connections at most; more wait half a second for a place, then get 503.
    /// [server.max_connections; default 1024]
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,
    /// Bearer token that opens /readyz and /metrics on the public address
    /// (`Authorization: Bearer …`); without it they answer 404 there. [ops.token]
    #[arg(long, value_name = "TOKEN")]
    pub ops_token: Option<Secret>,
    /// A second address serving only /healthz, /readyz and /metrics, without a token, for
    /// the operators' monitoring (e.g. 127.0.0.1:9090). [ops.listen]
    #[arg(long, value_name = "ADDR")]
    pub ops_listen: Option<SocketAddr>,
    /// Folder of the file store (scans, uploads, results), content-addressed by SHA-256.
    /// [files.dir; default data/files]
    #[arg(long = "files", value_name = "DIR")]
    pub files_dir: Option<PathBuf>,
    /// Largest file accepted, in MB. [files.max_file_mb; default 20]
    #[arg(long, value_name = "MB")]
    pub max_file_mb: Option<u64>,
    /// Deliver the outbox messages of TOPIC by POSTing them to URL (repeatable), e.g.
    /// `--deliver national_portal.sync=https://…`. Topics without one wait in the outbox.
    /// [outbox.targets]
    #[arg(long = "deliver", value_name = "TOPIC=URL", value_parser = parse_target)]
    pub deliver: Vec<(String, WebUrl)>,
    /// Attempts at one outbox message before it goes on the dead-letter list (an operator
    /// replays it from /quan-tri/hang-doi). [outbox.max_attempts]
    #[arg(long)]
    pub deliver_max_attempts: Option<u32>,
}

impl ServeArgs {
    /// The settings: defaults < file < environment < these flags, validated.
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let mut s = crate::config::load(self.config.as_deref())?;
        self.apply(&mut s);
        s.validate()?;
        Ok(s)
    }

    fn apply(&self, s: &mut Settings) {
        if let Some(v) = &self.database {
            s.database.url = v.clone();
        }
        if let Some(v) = self.listen {
            s.server.listen = v;
        }
        if let Some(v) = &self.public_url {
            s.server.public_url = Some(v.clone());
        }
        // A flag can only turn these on; the other one is then off, as the flags conflict.
        if self.insecure_http {
            s.server.insecure_http = true;
            s.server.secure_cookies = false;
        }
        if self.secure_cookies {
            s.server.secure_cookies = true;
            s.server.insecure_http = false;
        }
        let numbers = [
            (self.header_timeout, &mut s.server.header_timeout_seconds),
            (self.body_timeout, &mut s.server.body_timeout_seconds),
            (self.idle_timeout, &mut s.server.idle_timeout_seconds),
            (self.max_file_mb, &mut s.files.max_file_mb),
        ];
        for (flag, setting) in numbers {
            if let Some(v) = flag {
                *setting = v;
            }
        }
        if let Some(v) = self.max_connections {
            s.server.max_connections = v;
        }
        if let Some(v) = &self.ops_token {
            s.ops.token = Some(v.clone());
        }
        if let Some(v) = self.ops_listen {
            s.ops.listen = Some(v);
        }
        if let Some(v) = &self.files_dir {
            s.files.dir = v.clone();
        }
        if let Some(v) = self.deliver_max_attempts {
            s.outbox.max_attempts = v;
        }
        for (topic, url) in &self.deliver {
            s.outbox.targets.insert(topic.clone(), url.clone());
        }
    }
}

fn parse_target(s: &str) -> Result<(String, WebUrl), String> {
    let (topic, url) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected TOPIC=URL"))?;
    let topic = topic.trim();
    if topic.is_empty() {
        return Err(format!("{s:?}: the topic is empty"));
    }
    if !motcua_app::outbox::TOPICS.contains(&topic) {
        return Err(format!(
            "{s:?}: unknown topic; one of {}",
            motcua_app::outbox::TOPICS.join(", ")
        ));
    }
    Ok((topic.to_owned(), url.parse()?))
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
    let mut settings = args.settings().context("invalid configuration")?;
    // Kept for the life of the server: dropping a handle stops its sandbox.
    let _sandboxes = if args.sandboxes {
        Some(start_sandboxes(&mut settings).await?)
    } else {
        None
    };
    for (name, status) in settings.systems() {
        if status != crate::config::SystemStatus::Off {
            tracing::warn!(system = name, "{status}");
        }
    }
    let store = Store::connect(settings.database.url.expose())
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
        settings.server.listen,
        settings.server.public_url.as_ref().map(WebUrl::url),
        settings.server.insecure_http,
        settings.server.secure_cookies,
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
    let listen = settings.server.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}/");
    println!("Cổng dịch vụ công: {url}");
    if args.open {
        open_browser(&url);
    }
    store.seed_calendar().await?;
    let state = motcua_web::AppState::load(store.clone(), settings.web_config(https)).await?;
    // New warnings go to the outbox once each, within a minute of arising.
    let sweeper = motcua_app::warnings::spawn_sweeper(
        state.app.clone(),
        std::time::Duration::from_secs(settings.warnings.sweep_interval_seconds),
    );
    // One stop signal for the server and the outbox worker: both finish what they hold.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker =
        motcua_integrations::Worker::new(store.clone(), settings.worker_config(&state.app)?);
    let worker = tokio::spawn(worker.run(stopped.clone()));
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = stop.send(true);
    });
    let ops = match settings.ops.listen {
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

/// The province's unit code at the national portal in the demo (Huế).
const SANDBOX_AGENCY: &str = "000.00.00.H57";

/// Starts every sandbox this version has and points its adapter at it.
async fn start_sandboxes(
    settings: &mut Settings,
) -> anyhow::Result<Vec<motcua_sandbox::national_portal::Handle>> {
    use motcua_sandbox::national_portal as np;
    let opts = np::Options::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let portal = np::start(listener, opts.clone()).await?;
    let url = portal.url();
    println!(
        "Sandbox Cổng DVCQG (bản mô phỏng, không phải hệ thống thật): {url} — nhật ký: {url}/_sandbox/log"
    );
    let p = &mut settings.national_portal;
    p.url = Some(url.parse().map_err(|e| anyhow::anyhow!("{e}"))?);
    p.username = Some(opts.username.clone());
    p.password = Some(Secret::new(opts.password.clone()));
    p.agency = Some(SANDBOX_AGENCY.to_owned());
    p.auth_path = "/login".to_owned();
    p.service_path = "/service".to_owned();
    settings
        .outbox
        .targets
        .remove(motcua_app::outbox::NATIONAL_PORTAL_SYNC);
    settings.validate()?;
    Ok(vec![portal])
}

/// Whether people reach the server over HTTPS (see `--public-url`): then cookies are Secure
/// and answers carry HSTS. Plain HTTP is only for loopback or an explicit `--insecure-http`.
pub(crate) fn over_https(
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
