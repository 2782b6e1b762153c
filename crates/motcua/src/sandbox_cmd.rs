//! `motcua sandbox …`: run a stand-in for a national system on this machine, for demos,
//! tests and integration rehearsals (the real ones cannot be reached from here).

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use motcua_sandbox::national_portal::{self, Options};

#[derive(clap::Subcommand, Debug)]
pub enum SandboxCommand {
    /// A protocol-faithful stand-in for the national public-service portal's (DVCQG) sync
    /// gateway (docs/national-portal.md). Runs until Ctrl-C.
    NationalPortal(NationalPortalArgs),
}

#[derive(clap::Args, Debug)]
pub struct NationalPortalArgs {
    /// Address to listen on; point `[national_portal] url` at it.
    #[arg(long, default_value = "127.0.0.1:9001")]
    pub listen: SocketAddr,
    /// Share of requests answered HTTP 500 before they are looked at, 0 to 1.
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    pub fail_rate: f64,
    /// Delay before every answer, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub latency_ms: u64,
    /// Answer HTTP 503 to everything for this many seconds after the start.
    #[arg(long, default_value_t = 0, value_name = "SECONDS")]
    pub down_for: u64,
    /// The user name the gateway accepts.
    #[arg(long, default_value = "motcua")]
    pub username: String,
    /// The password the gateway accepts.
    #[arg(long, default_value = "sandbox")]
    pub password: String,
    /// A session's life in seconds, sent as `expires_in`.
    #[arg(long, default_value_t = 1800, value_name = "SECONDS")]
    pub session_ttl: u64,
    /// Makes the --fail-rate failures the same on every run.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// The national catalogue: a bundle's procedures.jsonl, or one procedure code a line.
    /// Records of other procedures are refused, as the portal refuses a procedure it does
    /// not publish. Without it every well-formed code is accepted.
    #[arg(long, value_name = "FILE")]
    pub catalogue: Option<std::path::PathBuf>,
}

pub async fn run(cmd: SandboxCommand) -> anyhow::Result<()> {
    match cmd {
        SandboxCommand::NationalPortal(args) => national_portal(args).await,
    }
}

/// The sandbox's options, or why the flags make no sense.
pub fn options(args: &NationalPortalArgs) -> anyhow::Result<Options> {
    if !(0.0..=1.0).contains(&args.fail_rate) {
        bail!(
            "--fail-rate must be between 0 and 1 (the share of requests that fail), got {}",
            args.fail_rate
        );
    }
    if args.session_ttl == 0 {
        bail!("--session-ttl must be at least 1 second: a session of 0 s is never usable");
    }
    if args.username.is_empty() || args.password.is_empty() {
        bail!("--username and --password must not be empty");
    }
    Ok(Options {
        fail_rate: args.fail_rate,
        latency: Duration::from_millis(args.latency_ms),
        down_for: Duration::from_secs(args.down_for),
        username: args.username.clone(),
        password: args.password.clone(),
        session_ttl: Duration::from_secs(args.session_ttl),
        seed: args.seed,
        catalogue: match &args.catalogue {
            Some(path) => Some(
                read_catalogue(
                    &std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read {}", path.display()))?,
                )
                .with_context(|| format!("in {}", path.display()))?,
            ),
            None => None,
        },
    })
}

/// The procedure codes of a catalogue file: each line a JSON object with a `code` (a
/// bundle's procedures.jsonl) or a bare code; blank lines and `#` comments are skipped.
fn read_catalogue(text: &str) -> anyhow::Result<std::collections::BTreeSet<String>> {
    let mut codes = std::collections::BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let code = if line.starts_with('{') {
            let v: serde_json::Value =
                serde_json::from_str(line).with_context(|| format!("line {}", n + 1))?;
            match v.get("code").and_then(serde_json::Value::as_str) {
                Some(c) => c.to_owned(),
                None => bail!("line {}: no \"code\" in the procedure", n + 1),
            }
        } else {
            line.to_owned()
        };
        codes.insert(code);
    }
    if codes.is_empty() {
        bail!("no procedure codes: the sandbox would refuse every record");
    }
    Ok(codes)
}

/// What the sandbox will do wrong on purpose, in words.
fn faults(opts: &Options) -> String {
    let mut parts = Vec::new();
    if !opts.down_for.is_zero() {
        parts.push(format!(
            "down (503) for the first {} s",
            opts.down_for.as_secs()
        ));
    }
    if opts.fail_rate > 0.0 {
        parts.push(format!("{} of requests fail (500)", opts.fail_rate));
    }
    if !opts.latency.is_zero() {
        parts.push(format!("{} ms latency", opts.latency.as_millis()));
    }
    if let Some(c) = &opts.catalogue {
        parts.push(format!("only the {} procedures of the catalogue", c.len()));
    }
    if let Some(seed) = opts.seed {
        parts.push(format!("seed {seed}"));
    }
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

async fn national_portal(args: NationalPortalArgs) -> anyhow::Result<()> {
    let opts = options(&args)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let described = faults(&opts);
    let user = opts.username.clone();
    let handle = national_portal::start(listener, opts).await?;
    let url = handle.url();
    println!(
        "motcua sandbox national-portal: a STAND-IN for the national public-service portal \
         (DVCQG) sync gateway, NOT the real portal; nothing is sent anywhere."
    );
    println!("listening on {url} (POST /login, POST /service)");
    println!("log in as {user:?}; injected faults: {described}");
    println!("requests received: {url}/_sandbox/log; dossiers held: {url}/_sandbox/dossiers");
    println!("point motcua at it: MOTCUA_NATIONAL_PORTAL__URL={url}");
    println!("Ctrl-C stops it.");
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    handle.shutdown().await;
    println!("national-portal sandbox stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        sandbox: SandboxCommand,
    }

    fn parse(flags: &[&str]) -> anyhow::Result<Options> {
        let argv = ["motcua", "national-portal"].iter().chain(flags);
        let SandboxCommand::NationalPortal(args) = Cli::try_parse_from(argv)?.sandbox;
        options(&args)
    }

    #[test]
    fn defaults_are_a_healthy_gateway_with_the_demo_login() {
        let o = parse(&[]).unwrap();
        let d = Options::default();
        assert_eq!(
            (o.fail_rate, o.latency, o.down_for, o.session_ttl, o.seed),
            (d.fail_rate, d.latency, d.down_for, d.session_ttl, d.seed)
        );
        assert_eq!((o.username, o.password), (d.username, d.password));
        assert_eq!(faults(&parse(&[]).unwrap()), "none");
    }

    #[test]
    fn a_catalogue_reads_bundle_lines_or_bare_codes() {
        let codes = read_catalogue(
            "{\"code\":\"1.001193\",\"name\":\"Đăng ký khai sinh\"}\n# comment\n\n2.002621\n",
        )
        .unwrap();
        assert_eq!(
            codes.into_iter().collect::<Vec<_>>(),
            ["1.001193", "2.002621"]
        );
        let e = read_catalogue("1.001193\n{\"name\":\"x\"}\n").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(read_catalogue("# nothing\n").is_err());
    }

    #[test]
    fn flags_reach_the_options() {
        let o = parse(&[
            "--fail-rate",
            "0.25",
            "--latency-ms",
            "150",
            "--down-for",
            "30",
            "--username",
            "hue",
            "--password",
            "pw",
            "--session-ttl",
            "60",
            "--seed",
            "7",
        ])
        .unwrap();
        assert_eq!(o.fail_rate, 0.25);
        assert_eq!(o.latency, Duration::from_millis(150));
        assert_eq!(o.down_for, Duration::from_secs(30));
        assert_eq!((o.username.as_str(), o.password.as_str()), ("hue", "pw"));
        assert_eq!(o.session_ttl, Duration::from_secs(60));
        assert_eq!(o.seed, Some(7));
        assert_eq!(
            faults(&o),
            "down (503) for the first 30 s, 0.25 of requests fail (500), 150 ms latency, seed 7"
        );
    }

    #[test]
    fn nonsense_flags_are_refused_with_the_flag_named() {
        for (flags, named) in [
            (&["--fail-rate", "1.5"][..], "--fail-rate"),
            (&["--fail-rate=-0.1"][..], "--fail-rate"),
            (&["--fail-rate", "NaN"][..], "--fail-rate"),
            (&["--session-ttl", "0"][..], "--session-ttl"),
            (&["--password", ""][..], "--password"),
        ] {
            let e = parse(flags).unwrap_err().to_string();
            assert!(e.contains(named), "{flags:?}: {e}");
        }
        assert!(parse(&["--latency-ms", "-5"]).is_err());
        assert!(parse(&["--listen", "nowhere"]).is_err());
    }
}
