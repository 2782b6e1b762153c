//! `motcua index compute --bundle DIR --from YYYY-MM-DD --to YYYY-MM-DD [--unit CODE]
//! [--format json|table]`: the 766 index of a bundle, offline.
//!
//! Reading happens here; parsing and computing in `motcua-index`. `dossiers.jsonl` may hold
//! tens of millions of lines, so it is read in large chunks cut at line ends and parsed on
//! worker threads, each adding into its own accumulator; the accumulators merge by addition
//! and union at the end. Memory stays bounded by the chunks in flight.

use anyhow::{Context, bail};
use chrono::NaiveDate;
use motcua_calendar::Calendar;
use motcua_domain::bundle::LineError;
use motcua_index::catalogue::Catalogue;
use motcua_index::compute::{Accumulator, Period, all_figures};
use motcua_index::definition::Definition;
use motcua_index::output::{build_output, table};
use motcua_index::records::{
    DOSSIERS_FILE, Deadlines, PETITIONS_FILE, parse_dossier_line, parse_petition_line,
};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Mutex, mpsc};

#[derive(clap::Subcommand)]
pub enum IndexCommand {
    /// Compute the index for a period from a bundle folder.
    Compute(ComputeArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Table,
}

#[derive(clap::Args)]
pub struct ComputeArgs {
    /// Folder holding units.jsonl, procedures.jsonl, dossiers.jsonl, petitions.jsonl.
    #[arg(long)]
    pub bundle: PathBuf,
    /// First day of the period (YYYY-MM-DD, +07:00).
    #[arg(long)]
    pub from: NaiveDate,
    /// Last day of the period, inclusive.
    #[arg(long)]
    pub to: NaiveDate,
    /// Only this unit and its descendants (ranks stay among all units).
    #[arg(long)]
    pub unit: Option<String>,
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
}

/// At most this many bad lines are printed; the rest are counted.
const SHOWN_ERRORS: usize = 50;
/// Bytes per chunk handed to a worker.
const CHUNK: usize = 4 << 20;

pub fn run(cmd: IndexCommand) -> ExitCode {
    let IndexCommand::Compute(args) = cmd;
    match compute(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn read_small(dir: &Path, name: &str, required: bool) -> anyhow::Result<String> {
    let p = dir.join(name);
    if !required && !p.exists() {
        return Ok(String::new());
    }
    std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))
}

fn report(errors: &mut [LineError]) -> anyhow::Result<()> {
    if errors.is_empty() {
        return Ok(());
    }
    errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    let mut err = std::io::stderr().lock();
    for e in errors.iter().take(SHOWN_ERRORS) {
        let _ = writeln!(err, "{e}");
    }
    if errors.len() > SHOWN_ERRORS {
        let _ = writeln!(
            err,
            "… and {} more bad line(s)",
            errors.len() - SHOWN_ERRORS
        );
    }
    bail!(
        "{} bad line(s) in the bundle; nothing computed",
        errors.len()
    )
}

fn compute(args: &ComputeArgs) -> anyhow::Result<()> {
    let period = Period::new(args.from, args.to).map_err(anyhow::Error::msg)?;
    if !args.bundle.is_dir() {
        bail!("{} is not a folder", args.bundle.display());
    }
    let units = read_small(&args.bundle, "units.jsonl", true)?;
    let procedures = read_small(&args.bundle, "procedures.jsonl", false)?;
    let cat = match Catalogue::parse(&units, &procedures) {
        Ok(c) => c,
        Err(mut errors) => return report(&mut errors),
    };
    let only = match &args.unit {
        None => None,
        Some(code) => Some(
            cat.unit_id(code.trim())
                .with_context(|| format!("unit {code} is not in the bundle"))?,
        ),
    };
    let def = Definition::default_766();
    let cal = Calendar::vietnam();
    let dl = motcua_index::deadlines(&cal, &def);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());

    let mut errors = Vec::new();
    let mut acc = Accumulator::new(&cat, period);
    for (name, is_dossiers) in [(DOSSIERS_FILE, true), (PETITIONS_FILE, false)] {
        let path = args.bundle.join(name);
        if !path.exists() {
            continue;
        }
        let file = std::fs::File::open(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let (a, mut e) = stream(file, name, workers, &cat, period, &dl, is_dossiers)
            .with_context(|| format!("cannot read {}", path.display()))?;
        acc.merge(&a);
        errors.append(&mut e);
    }
    report(&mut errors)?;

    let figures = all_figures(&cat, &cal, &def, period, &acc);
    let out = build_output(&cat, &def, period, &figures, only);
    let text = match args.format {
        Format::Json => serde_json::to_string(&out)? + "\n",
        Format::Table => table(&def, &out),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

/// A chunk of whole lines and the number of its first line.
struct Chunk {
    first_line: usize,
    bytes: Vec<u8>,
}

/// Reads `file` in chunks cut at line ends and parses them on `workers` threads.
fn stream(
    mut file: impl Read,
    name: &str,
    workers: usize,
    cat: &Catalogue,
    period: Period,
    dl: &Deadlines,
    is_dossiers: bool,
) -> std::io::Result<(Accumulator, Vec<LineError>)> {
    let (tx, rx) = mpsc::sync_channel::<Chunk>(workers * 2);
    let rx = Mutex::new(rx);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut acc = Accumulator::new(cat, period);
                    let mut errors = Vec::new();
                    loop {
                        // A poisoned lock means another worker panicked; stop quietly and
                        // let the join below surface the panic.
                        let next = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => break,
                        };
                        let Ok(chunk) = next else { break };
                        parse_chunk(&chunk, name, cat, dl, is_dossiers, &mut acc, &mut errors);
                    }
                    (acc, errors)
                })
            })
            .collect();

        let read = read_chunks(&mut file, |c| tx.send(c).is_ok());
        drop(tx);
        let mut acc = Accumulator::new(cat, period);
        let mut errors = Vec::new();
        for h in handles {
            match h.join() {
                Ok((a, mut e)) => {
                    acc.merge(&a);
                    errors.append(&mut e);
                }
                Err(p) => std::panic::resume_unwind(p),
            }
        }
        read.map(|()| (acc, errors))
    })
}

fn read_chunks(file: &mut impl Read, mut send: impl FnMut(Chunk) -> bool) -> std::io::Result<()> {
    let mut line = 1usize;
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let mut buf = std::mem::take(&mut carry);
        let start = buf.len();
        buf.resize(start + CHUNK, 0);
        let mut filled = start;
        // Fill the buffer (a read may return less than asked).
        while filled < buf.len() {
            let n = file.read(&mut buf[filled..])?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        let eof = filled < buf.len();
        buf.truncate(filled);
        if !eof && let Some(cut) = buf.iter().rposition(|&b| b == b'\n') {
            carry = buf.split_off(cut + 1);
        }
        if buf.is_empty() {
            return Ok(());
        }
        let lines = buf.iter().filter(|&&b| b == b'\n').count();
        let first_line = line;
        line += lines;
        if !send(Chunk {
            first_line,
            bytes: buf,
        }) || eof
        {
            return Ok(());
        }
    }
}

fn parse_chunk(
    chunk: &Chunk,
    name: &str,
    cat: &Catalogue,
    dl: &Deadlines,
    is_dossiers: bool,
    acc: &mut Accumulator,
    errors: &mut Vec<LineError>,
) {
    for (i, raw) in chunk.bytes.split(|&b| b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line_no = chunk.first_line + i;
        let result = match std::str::from_utf8(raw) {
            Err(_) => Err("not valid UTF-8".to_owned()),
            Ok(line) if is_dossiers => {
                parse_dossier_line(line, cat, dl).map(|(_, d)| acc.add_dossier(&d))
            }
            Ok(line) => parse_petition_line(line, cat, dl).map(|(_, p)| acc.add_petition(&p)),
        };
        if let Err(reason) = result {
            errors.push(LineError {
                file: name.to_owned(),
                line: line_no,
                reason,
            });
        }
    }
}
