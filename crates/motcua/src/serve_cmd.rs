//! `motcua serve`.

use crate::DatabaseArg;
use anyhow::{Context, bail};
use motcua_store::{Backend, Store};
use std::net::SocketAddr;

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
    /// Mark cookies Secure (serve behind HTTPS).
    #[arg(long, env = "MOTCUA_SECURE_COOKIES")]
    pub secure_cookies: bool,
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
    #[arg(long = "deliver", value_name = "TOPIC=URL", value_parser = motcua_web::outbox_worker::parse_target)]
    pub deliver: Vec<(String, reqwest::Url)>,
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
            secure_cookies: args.secure_cookies,
            files_dir: args.files_dir.clone(),
            max_file_bytes: args.max_file_mb.saturating_mul(1024 * 1024),
            ..Default::default()
        },
    )
    .await?;
    // New warnings go to the outbox once each, within a minute of arising.
    let sweeper =
        motcua_web::warnings::spawn_sweeper(state.clone(), std::time::Duration::from_secs(60));
    // One stop signal for the server and the outbox worker: both finish what they hold.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = motcua_web::outbox_worker::Worker::new(
        store.clone(),
        motcua_web::outbox_worker::WorkerConfig {
            targets: args.deliver.into_iter().collect(),
            ..Default::default()
        },
    )?;
    let worker = tokio::spawn(worker.run(stopped.clone()));
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = stop.send(true);
    });
    let mut server_stop = stopped;
    motcua_web::serve(listener, state, async move {
        let _ = server_stop.wait_for(|s| *s).await;
    })
    .await?;
    sweeper.abort();
    let _ = worker.await;
    store.close().await;
    Ok(())
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
