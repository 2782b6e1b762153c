//! `motcua`: one binary for the server and every offline command.

mod bundle_cmd;
mod calendar_cmd;
mod config;
mod demo;
mod gen_cmd;
mod import_dossiers;
mod index_cmd;
mod sandbox_cmd;
mod serve_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// The embedded default: a SQLite file under `./data/`, created on first run.
pub const DEFAULT_DATABASE: &str = "sqlite:data/motcua.db";

#[derive(Parser)]
#[command(
    name = "motcua",
    version,
    about = "Hệ thống thông tin giải quyết thủ tục hành chính"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives; shared by every command that touches the database.
#[derive(clap::Args, Clone)]
pub struct DatabaseArg {
    /// sqlite:PATH (embedded default) or postgres://USER@HOST:PORT/DB (production).
    #[arg(long = "database", env = "MOTCUA_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    pub url: String,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal, back office and API.
    Serve(Box<serve_cmd::ServeArgs>),
    /// Apply pending database migrations.
    Migrate {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Load a bundle (units, procedures, dossier history) into the database, all or nothing.
    Import(bundle_cmd::ImportArgs),
    /// Write the database out as a bundle.
    Export(bundle_cmd::ExportArgs),
    /// Working calendar: days off, deadlines, yearly schedules.
    #[command(subcommand)]
    Calendar(calendar_cmd::CalendarCommand),
    /// The 766 service-quality index, computed offline from a bundle.
    #[command(subcommand)]
    Index(index_cmd::IndexCommand),
    /// Generate a synthetic, realistic bundle (units, procedures, dossiers, petitions).
    Gen(gen_cmd::GenArgs),
    /// The configuration `motcua serve` would run with.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Run a protocol-faithful stand-in for a national system (not the real one).
    #[command(subcommand)]
    Sandbox(sandbox_cmd::SandboxCommand),
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validate the settings (the file, then the environment) and print every section,
    /// what is on and off, with secrets hidden. Exits non-zero on an invalid setting.
    Check {
        /// A TOML configuration file (see motcua.example.toml); without it, the defaults
        /// and the environment.
        #[arg(long, value_name = "FILE")]
        config: Option<std::path::PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = || {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    };
    let result = match cli.command {
        Command::Calendar(cmd) => return calendar_cmd::run(cmd),
        Command::Index(cmd) => return index_cmd::run(cmd),
        Command::Gen(args) => gen_cmd::run(args),
        Command::Config(ConfigCommand::Check { config }) => config_check(config.as_deref()),
        Command::Serve(args) => runtime()
            .map_err(Into::into)
            .and_then(|rt| rt.block_on(serve_cmd::run(*args))),
        Command::Migrate { db } => runtime()
            .map_err(Into::into)
            .and_then(|rt| rt.block_on(migrate(db))),
        Command::Import(args) => runtime()
            .map_err(Into::into)
            .and_then(|rt| rt.block_on(bundle_cmd::import(args))),
        Command::Export(args) => runtime()
            .map_err(Into::into)
            .and_then(|rt| rt.block_on(bundle_cmd::export(args))),
        Command::Sandbox(cmd) => runtime()
            .map_err(Into::into)
            .and_then(|rt| rt.block_on(sandbox_cmd::run(cmd))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(db: DatabaseArg) -> anyhow::Result<()> {
    let store = motcua_store::Store::connect(&db.url).await?;
    let ran = store.migrate().await?;
    println!("{ran} migration(s) applied; schema is current");
    Ok(())
}

fn config_check(file: Option<&std::path::Path>) -> anyhow::Result<()> {
    let settings = config::load(file).and_then(|s| s.validate().map(|()| s));
    let settings = settings.map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
    let source = match file {
        Some(f) => format!("{} and the environment", f.display()),
        None => "the defaults and the environment".to_owned(),
    };
    print!("{}", config::report(&settings, &source)?);
    Ok(())
}
