//! Sustained dossier journeys through the HTTP API, and the database's own limit beside them.
//!
//! Phase 1 drives `--clients` concurrent clients, each repeating the journey of a birth
//! registration (create → submit → receive → forward → complete → return: six transitions,
//! each a `POST` that appends events, updates the projection and writes outbox rows in one
//! transaction) against a running `motcua serve`. Phase 2 (with `--database`) writes the same
//! rows with plain `INSERT`s into scratch tables of the same database, one transaction per
//! transition, with the same concurrency: what the database itself allows. The ratio of the
//! two is the cost of everything motcua does around the write.
//!
//! Latencies are per request, measured at the client, after a warm-up.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark driver: a failure should stop it loudly

use anyhow::{Context, Result, bail};
use clap::Parser;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "Dossier journeys through the HTTP API vs plain INSERTs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Grow the database to N dossiers: real journeys through the API, then copies of them.
    Seed(SeedArgs),
    /// Measure journeys through the API, then the plain-INSERT peer on the same database.
    Run(Args),
}

#[derive(clap::Args)]
struct SeedArgs {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base: String,
    /// The server's database.
    #[arg(long)]
    database: String,
    /// Dossiers wanted in the database.
    #[arg(long)]
    dossiers: i64,
    #[arg(long, default_value = "demo-hue-2026")]
    password: String,
}

#[derive(clap::Args)]
struct Args {
    /// Base URL of a running `motcua serve --demo`.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base: String,
    /// The server's database: when given, the plain-INSERT peer runs against it afterwards.
    #[arg(long)]
    database: Option<String>,
    /// Concurrent clients (each runs journeys back to back).
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Measured seconds per phase.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Warm-up seconds per phase (not measured).
    #[arg(long, default_value_t = 3)]
    warmup: u64,
    /// The demo accounts' password.
    #[arg(long, default_value = "demo-hue-2026")]
    password: String,
    /// Connections of the peer's pool (match the server's pool).
    #[arg(long, default_value_t = 16)]
    peer_connections: u32,
}

const COMMUNE: &str = "000.01.99.H57";
const PROCEDURE: &str = "1.001193";

/// A complete birth declaration, as the demo e-form expects it.
fn birth_form() -> Value {
    // The example is shipped text that a domain test validates against the form.
    #[allow(clippy::expect_used)]
    serde_json::from_str(motcua_domain::eform::builtin_example(PROCEDURE).expect("shipped"))
        .expect("shipped example is JSON")
}

/// Logs in with a browser session and exchanges it for an API token.
async fn token(base: &str, user: &str, password: &str) -> Result<String> {
    let c = reqwest::Client::builder().cookie_store(true).build()?;
    let r = c
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("login {user}: {}", r.status());
    }
    let body: Value = r.json().await?;
    let csrf = body["csrf_token"]
        .as_str()
        .context("csrf_token")?
        .to_owned();
    let r = c
        .post(format!("{base}/api/v1/tokens"))
        .header("x-csrf-token", csrf)
        .json(&json!({
            "name": "journey benchmark",
            "expires_at": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339(),
            "password": password,
            "grants": body["account"]["grants"],
        }))
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("token {user}: {}", r.status());
    }
    let body: Value = r.json().await?;
    Ok(body["token"].as_str().context("token")?.to_owned())
}

struct Actors {
    citizen: String,
    desk: String,
    specialist: String,
    leader: String,
    /// Where the three officers work and the dossiers go.
    commune: String,
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: u64,
    first_error: Option<String>,
}

struct Window {
    measure_from: Instant,
    stop_at: Instant,
}

impl Window {
    fn new(warmup: u64, seconds: u64) -> Self {
        let now = Instant::now();
        let measure_from = now + Duration::from_secs(warmup);
        Window {
            measure_from,
            stop_at: measure_from + Duration::from_secs(seconds),
        }
    }
}

/// One `POST`; returns the dossier's new version (and id, for the create).
async fn step(
    http: &reqwest::Client,
    url: String,
    bearer: &str,
    body: Value,
    idempotency: Option<&str>,
    w: &Window,
    t: &mut Tally,
) -> Option<(String, i64)> {
    let started = Instant::now();
    let mut req = http.post(url).bearer_auth(bearer).json(&body);
    if let Some(k) = idempotency {
        req = req.header("idempotency-key", k);
    }
    let outcome = match req.send().await {
        Ok(r) if r.status().is_success() => r.json::<Value>().await.ok().and_then(|v| {
            let d = &v["dossier"];
            Some((d["id"].as_str()?.to_owned(), d["version"].as_i64()?))
        }),
        Ok(r) => {
            let s = r.status();
            let text = r.text().await.unwrap_or_default();
            t.first_error.get_or_insert_with(|| format!("{s}: {text}"));
            None
        }
        Err(e) => {
            t.first_error.get_or_insert_with(|| e.to_string());
            None
        }
    };
    if started >= w.measure_from && started < w.stop_at {
        let us = started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
        match outcome {
            Some(_) => t.latencies_us.push(us),
            None => t.errors += 1,
        }
    }
    outcome
}

async fn journeys(base: String, a: Arc<Actors>, w: Arc<Window>, limit: Option<usize>) -> Tally {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(4)
        .build()
        .unwrap();
    let mut t = Tally::default();
    let form = birth_form();
    let mut done = 0;
    while Instant::now() < w.stop_at && limit.is_none_or(|l| done < l) {
        done += 1;
        let key = uuid::Uuid::now_v7().to_string();
        let body = json!({"procedure": PROCEDURE, "unit": a.commune, "form_data": form});
        let url = format!("{base}/api/v1/dossiers");
        let Some((id, v)) = step(&http, url, &a.citizen, body, Some(&key), &w, &mut t).await else {
            continue;
        };
        let at = |action: &str| format!("{base}/api/v1/dossiers/{id}/{action}");
        let plan: [(&str, &str, Value); 5] = [
            ("submit", &a.citizen, json!({})),
            ("receive", &a.desk, json!({"desk": a.commune})),
            ("forward", &a.specialist, json!({})),
            (
                "complete",
                &a.leader,
                json!({"results": ["Giấy khai sinh bản chính"]}),
            ),
            (
                "return",
                &a.desk,
                json!({"how": "Trả trực tiếp tại Bộ phận Một cửa"}),
            ),
        ];
        let mut version = v;
        for (action, who, mut body) in plan {
            body["version"] = json!(version);
            match step(&http, at(action), who, body, None, &w, &mut t).await {
                Some((_, v)) => version = v,
                None => break,
            }
        }
    }
    t
}

struct Summary {
    ops: usize,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    p999_ms: f64,
    errors: u64,
}

fn summarise(mut tallies: Vec<Tally>, seconds: u64) -> (Summary, Option<String>) {
    let mut all: Vec<u32> = tallies
        .iter_mut()
        .flat_map(|t| std::mem::take(&mut t.latencies_us))
        .collect();
    all.sort_unstable();
    let pct = |p: f64| -> f64 {
        if all.is_empty() {
            return f64::NAN;
        }
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        f64::from(all[i]) / 1000.0
    };
    let first_error = tallies.iter().find_map(|t| t.first_error.clone());
    (
        Summary {
            ops: all.len(),
            per_second: all.len() as f64 / seconds as f64,
            p50_ms: pct(0.50),
            p99_ms: pct(0.99),
            p999_ms: pct(0.999),
            errors: tallies.iter().map(|t| t.errors).sum(),
        },
        first_error,
    )
}

/// The peer: per transition, one transaction with the rows a transition appends (the event
/// and the dossier's state), as plain INSERTs into scratch tables shaped like motcua's.
async fn plain_inserts(url: &str, args: &Args) -> Result<Vec<Tally>> {
    let pool = connect(url, args.peer_connections).await?;
    for sql in [
        "DROP TABLE IF EXISTS bench_plain_events",
        "DROP TABLE IF EXISTS bench_plain_states",
        "CREATE TABLE bench_plain_events (dossier TEXT NOT NULL, version BIGINT NOT NULL, \
         at_us BIGINT NOT NULL, account TEXT NOT NULL, role TEXT NOT NULL, unit TEXT, \
         kind TEXT NOT NULL, change TEXT NOT NULL, PRIMARY KEY (dossier, version))",
        "CREATE TABLE bench_plain_states (dossier TEXT NOT NULL, version BIGINT NOT NULL, \
         status TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (dossier, version))",
    ] {
        sqlx::query(sql).execute(&pool).await?;
    }
    // A realistic change and projection: the birth declaration as the events carry it.
    let change = json!({"form_saved": {"form_data": birth_form()}}).to_string();
    let state =
        json!({"status": "processing", "form_data": birth_form(), "steps": [1, 2, 3]}).to_string();
    let w = Arc::new(Window::new(args.warmup, args.seconds));
    let mut tasks = Vec::new();
    for _ in 0..args.clients {
        let (pool, w, change, state) = (pool.clone(), w.clone(), change.clone(), state.clone());
        tasks.push(tokio::spawn(async move {
            let mut t = Tally::default();
            let dossier = uuid::Uuid::now_v7().to_string();
            let mut version = 0i64;
            while Instant::now() < w.stop_at {
                version += 1;
                let started = Instant::now();
                let r: Result<(), sqlx::Error> = async {
                    let mut tx = pool.begin().await?;
                    sqlx::query(
                        "INSERT INTO bench_plain_events (dossier, version, at_us, account, role, unit, kind, change) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(&dossier)
                    .bind(version)
                    .bind(version)
                    .bind("benchmark")
                    .bind("specialist")
                    .bind(COMMUNE)
                    .bind("forwarded")
                    .bind(&change)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO bench_plain_states (dossier, version, status, state) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(&dossier)
                    .bind(version)
                    .bind("processing")
                    .bind(&state)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await
                }
                .await;
                if started >= w.measure_from && started < w.stop_at {
                    match r {
                        Ok(()) => t.latencies_us.push(
                            started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32,
                        ),
                        Err(e) => {
                            t.errors += 1;
                            t.first_error.get_or_insert_with(|| e.to_string());
                        }
                    }
                }
            }
            t
        }));
    }
    let mut tallies = Vec::new();
    for t in tasks {
        tallies.push(t.await?);
    }
    for sql in [
        "DROP TABLE bench_plain_events",
        "DROP TABLE bench_plain_states",
    ] {
        sqlx::query(sql).execute(&pool).await?;
    }
    pool.close().await;
    Ok(tallies)
}

fn print(label: &str, s: &Summary, first_error: Option<&str>) {
    println!(
        "{label}: {} ops, {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, errors {}",
        s.ops, s.per_second, s.p50_ms, s.p99_ms, s.p999_ms, s.errors
    );
    if let Some(e) = first_error {
        println!("{label}: first error: {e}");
    }
}

fn json_of(s: &Summary) -> Value {
    json!({
        "ops": s.ops, "per_second": s.per_second, "p50_ms": s.p50_ms,
        "p99_ms": s.p99_ms, "p999_ms": s.p999_ms, "errors": s.errors,
    })
}

async fn actors(base: &str, password: &str) -> Result<Arc<Actors>> {
    Ok(Arc::new(Actors {
        citizen: token(base, "congdan", password).await?,
        desk: token(base, "tiepnhan", password).await?,
        specialist: token(base, "chuyenvien", password).await?,
        leader: token(base, "lanhdao", password).await?,
        commune: COMMUNE.to_owned(),
    }))
}

/// How many communes the measured journeys spread over. A receipt code numbers a desk's
/// dossiers of the day in four digits, so one desk takes at most 9,999 a day: a minute and
/// a half of this benchmark. A province's load is spread over its communes the same way.
const COMMUNES: usize = 16;

/// The demo's officers copied to the first [`COMMUNES`] communes that handle the
/// procedure (same password, a grant at that commune), written straight into the
/// database as the seeding is; each set with its tokens.
async fn commune_actors(base: &str, password: &str, url: &str) -> Result<Vec<Arc<Actors>>> {
    let detail: Value = reqwest::get(format!("{base}/api/v1/procedures/{PROCEDURE}"))
        .await?
        .json()
        .await?;
    let communes: Vec<String> = detail["procedure"]["units"]
        .as_array()
        .context("procedure units")?
        .iter()
        .filter_map(|u| u.as_str().map(str::to_owned))
        // The demo commune's numbers went to the seeding journeys.
        .filter(|u| u != COMMUNE)
        .take(COMMUNES)
        .collect();
    let pool = connect(url, 2).await?;
    let citizen = token(base, "congdan", password).await?;
    let mut sets = Vec::new();
    for (k, commune) in communes.iter().enumerate() {
        let mut names = Vec::new();
        for (demo, role) in [
            ("tiepnhan", "reception_officer"),
            ("chuyenvien", "specialist"),
            ("lanhdao", "leader"),
        ] {
            let username = format!("bench.{demo}.{k}");
            let id = format!("bench-{demo}-{k}");
            sqlx::query(
                "INSERT INTO accounts (id, username, display_name, password_hash, locked, created_at_us) \
                 SELECT $1, $2, display_name, password_hash, 0, created_at_us FROM accounts WHERE username = $3 \
                 ON CONFLICT (username) DO NOTHING",
            )
            .bind(&id)
            .bind(&username)
            .bind(demo)
            .execute(&pool)
            .await?;
            sqlx::query(
                "INSERT INTO grants (account_id, role, unit, with_sub_units) VALUES ($1, $2, $3, 0) \
                 ON CONFLICT (account_id, role, unit) DO NOTHING",
            )
            .bind(&id)
            .bind(role)
            .bind(commune)
            .execute(&pool)
            .await?;
            names.push(username);
        }
        sets.push(Arc::new(Actors {
            citizen: citizen.clone(),
            desk: token(base, &names[0], password).await?,
            specialist: token(base, &names[1], password).await?,
            leader: token(base, &names[2], password).await?,
            commune: commune.clone(),
        }));
    }
    pool.close().await;
    if sets.is_empty() {
        bail!("{PROCEDURE} names no competent unit");
    }
    Ok(sets)
}

async fn connect(url: &str, connections: u32) -> Result<sqlx::AnyPool> {
    sqlx::any::install_default_drivers();
    let sqlite = url.starts_with("sqlite:");
    sqlx::any::AnyPoolOptions::new()
        .max_connections(if sqlite { 1 } else { connections })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    use sqlx::Executor;
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
        .with_context(|| "connecting to the database")
}

async fn count(pool: &sqlx::AnyPool, sql: &str) -> Result<i64> {
    Ok(sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await?)
}

/// The columns of `table`, in order, read from the database so the copy follows the schema.
async fn columns(pool: &sqlx::AnyPool, table: &str) -> Result<Vec<String>> {
    use sqlx::{Column, Row};
    let row = sqlx::query(&format!("SELECT * FROM {table} LIMIT 1"))
        .fetch_one(pool)
        .await?;
    Ok(row.columns().iter().map(|c| c.name().to_owned()).collect())
}

/// Real journeys through the API make a base set of finished dossiers; the rest are copies
/// of that set under new ids and codes (`~n` suffix), rows and events alike, so the tables
/// and their indexes are as large as a province's after a few years.
async fn seed(a: SeedArgs) -> Result<()> {
    let base = a.base.trim_end_matches('/').to_owned();
    let pool = connect(&a.database, 4).await?;
    let have = count(&pool, "SELECT COUNT(*) FROM dossiers").await?;
    if have >= a.dossiers {
        println!("{have} dossiers already");
        return Ok(());
    }
    const ORIGINALS: &str = "status = 'returned' AND id NOT LIKE '%~%'";
    let originals = format!("SELECT COUNT(*) FROM dossiers WHERE {ORIGINALS}");
    if count(&pool, &originals).await? < 500 {
        let actors = actors(&base, &a.password).await?;
        let w = Arc::new(Window::new(0, 3600));
        let tasks: Vec<_> = (0..8)
            .map(|_| tokio::spawn(journeys(base.clone(), actors.clone(), w.clone(), Some(64))))
            .collect();
        for t in tasks {
            let t = t.await?;
            if let Some(e) = t.first_error {
                bail!("seeding journey failed: {e}");
            }
        }
    }
    let n = count(&pool, &originals).await?;
    let have = count(&pool, "SELECT COUNT(*) FROM dossiers").await?;
    let copies = (a.dossiers - have + n - 1) / n;
    let done = count(&pool, "SELECT COUNT(*) FROM dossiers WHERE id LIKE '%~%'").await? / n;
    let renamed = |cols: &[String], renames: &[(&str, &str)]| -> String {
        cols.iter()
            .map(|c| {
                renames
                    .iter()
                    .find(|(name, _)| name == c)
                    .map_or_else(|| c.clone(), |(_, expr)| (*expr).to_owned())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let suffix = "'~' || CAST(n.i AS TEXT)";
    let dossier_cols = columns(&pool, "dossiers").await?;
    let id_expr = format!("id || {suffix}");
    let code_expr = format!("code || {suffix}");
    let key_expr = format!("idempotency_key || {suffix}");
    let dossier_sel = renamed(
        &dossier_cols,
        &[
            ("id", &id_expr),
            ("code", &code_expr),
            ("idempotency_key", &key_expr),
        ],
    );
    let event_cols = columns(&pool, "dossier_events").await?;
    let dossier_expr = format!("dossier || {suffix}");
    let event_sel = renamed(&event_cols, &[("dossier", &dossier_expr)]);
    let doc_cols = columns(&pool, "documents").await?;
    let doc_sel = renamed(&doc_cols, &[("id", &id_expr), ("dossier", &dossier_expr)]);
    let numbers = "WITH RECURSIVE n(i) AS (SELECT CAST($1 AS BIGINT) UNION ALL \
                   SELECT i + 1 FROM n WHERE i < CAST($2 AS BIGINT))";
    let statements = [
        format!(
            "{numbers} INSERT INTO dossiers ({}) SELECT {dossier_sel} FROM dossiers CROSS JOIN n WHERE {ORIGINALS}",
            dossier_cols.join(", ")
        ),
        format!(
            "{numbers} INSERT INTO dossier_events ({}) SELECT {event_sel} FROM dossier_events CROSS JOIN n \
             WHERE dossier IN (SELECT id FROM dossiers WHERE {ORIGINALS})",
            event_cols.join(", ")
        ),
        format!(
            "{numbers} INSERT INTO documents ({}) SELECT {doc_sel} FROM documents CROSS JOIN n \
             WHERE dossier IN (SELECT id FROM dossiers WHERE {ORIGINALS})",
            doc_cols.join(", ")
        ),
    ];
    let started = Instant::now();
    let batch = (100_000 / n).max(1);
    let mut from = done + 1;
    while from <= copies {
        let to = (from + batch - 1).min(copies);
        let mut tx = pool.begin().await?;
        for sql in &statements {
            sqlx::query(sql)
                .bind(from)
                .bind(to)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        println!(
            "seed: {} of {} dossiers ({:.0} s)",
            n * (to + 1),
            a.dossiers,
            started.elapsed().as_secs_f64()
        );
        from = to + 1;
    }
    // A database that grew over years has statistics; a copied one has none until
    // autovacuum gets to it, and plans made without them are not what a province sees.
    sqlx::query("ANALYZE").execute(&pool).await?;
    pool.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Seed(a) => seed(a).await,
        Command::Run(a) => run(a).await,
    }
}

async fn run(args: Args) -> Result<()> {
    let base = args.base.trim_end_matches('/').to_owned();
    let sets = match &args.database {
        Some(url) => commune_actors(&base, &args.password, url).await?,
        None => vec![actors(&base, &args.password).await?],
    };

    let w = Arc::new(Window::new(args.warmup, args.seconds));
    let tasks: Vec<_> = (0..args.clients)
        .map(|i| {
            let a = sets[i % sets.len()].clone();
            tokio::spawn(journeys(base.clone(), a, w.clone(), None))
        })
        .collect();
    let mut tallies = Vec::new();
    for t in tasks {
        tallies.push(t.await?);
    }
    let (api, api_err) = summarise(tallies, args.seconds);
    print("motcua API transitions", &api, api_err.as_deref());
    let mut out = json!({"clients": args.clients, "seconds": args.seconds, "api": json_of(&api)});

    if let Some(url) = &args.database {
        let (peer, peer_err) = summarise(plain_inserts(url, &args).await?, args.seconds);
        print("plain INSERT transactions", &peer, peer_err.as_deref());
        println!(
            "motcua / plain INSERTs: {:.2} (throughput)",
            api.per_second / peer.per_second
        );
        out["peer"] = json_of(&peer);
        out["ratio"] = json!(api.per_second / peer.per_second);
    }
    println!("{out}");
    if api.ops == 0 {
        bail!("no journey step succeeded");
    }
    Ok(())
}
