//! `motcua`: one binary for the server and every offline command.

mod calendar_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "motcua", version, about = "Hệ thống thông tin giải quyết thủ tục hành chính")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Working calendar: days off, deadlines, yearly schedules.
    #[command(subcommand)]
    Calendar(calendar_cmd::CalendarCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Calendar(cmd) => calendar_cmd::run(cmd),
    }
}
