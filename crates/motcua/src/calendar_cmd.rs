//! `motcua calendar …` (being written).
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum CalendarCommand {}

pub fn run(cmd: CalendarCommand) -> ExitCode {
    match cmd {}
}
