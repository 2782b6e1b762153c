//! `motcua index compute --bundle DIR --from YYYY-MM-DD --to YYYY-MM-DD [--unit CODE]
//! [--format json|table]`: the 766 index of a bundle, offline.
//!
//! Reading happens here; parsing and computing in `motcua-index`. `dossiers.jsonl` may hold
//! tens of millions of lines, so worker threads each take the next large stretch of the file,
//! read it themselves and parse the lines that start in it, each adding into its own
//! accumulator; the accumulators merge by addition and union at the end. Memory stays
//! bounded by one stretch per worker.

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
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

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
        let (a, mut e) = stream(&path, name, workers, &cat, period, &dl, is_dossiers)
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

/// Reads `path` on `workers` threads, each taking the next `CHUNK`-sized stretch of the
/// file with positional reads and parsing the lines that start in it. No thread only reads:
/// on a machine with as many cores as workers, a reader thread handing chunks over took a
/// core's share from the parsing and copied every byte once more.
fn stream(
    path: &Path,
    name: &str,
    workers: usize,
    cat: &Catalogue,
    period: Period,
    dl: &Deadlines,
    is_dossiers: bool,
) -> std::io::Result<(Accumulator, Vec<LineError>)> {
    let len = std::fs::metadata(path)?.len();
    let chunks = len.div_ceil(CHUNK as u64);
    let next = AtomicU64::new(0);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| -> std::io::Result<_> {
                    let file = std::fs::File::open(path)?;
                    let mut acc = Accumulator::new(cat, period);
                    // (chunk, its lines, its errors numbered from 1 within the chunk)
                    let mut done: Vec<(u64, usize, Vec<LineError>)> = Vec::new();
                    let mut buf = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= chunks {
                            break;
                        }
                        let own = owned_lines(&file, i, CHUNK as u64, len, &mut buf)?;
                        let lines = line_count(own);
                        let mut errors = Vec::new();
                        parse_lines(own, name, cat, dl, is_dossiers, &mut acc, &mut errors);
                        done.push((i, lines, errors));
                    }
                    Ok((acc, done))
                })
            })
            .collect();
        let mut acc = Accumulator::new(cat, period);
        let mut per_chunk = Vec::new();
        for h in handles {
            match h.join() {
                Ok(result) => {
                    let (a, mut done) = result?;
                    acc.merge(&a);
                    per_chunk.append(&mut done);
                }
                Err(p) => std::panic::resume_unwind(p),
            }
        }
        // Line numbers: each chunk's errors move past the lines of the chunks before it.
        per_chunk.sort_by_key(|(i, _, _)| *i);
        let mut errors = Vec::new();
        let mut before = 0;
        for (_, lines, chunk_errors) in per_chunk {
            errors.extend(chunk_errors.into_iter().map(|mut e| {
                e.line += before;
                e
            }));
            before += lines;
        }
        Ok((acc, errors))
    })
}

/// Lines in whole-line bytes: a last line without its newline counts too.
fn line_count(own: &[u8]) -> usize {
    own.iter().filter(|&&b| b == b'\n').count()
        + usize::from(own.last().is_some_and(|&b| b != b'\n'))
}

/// The bytes of the lines that start in chunk `i` (of `chunk` bytes) of the file, a line
/// belonging to the chunk that holds its first byte; read into `buf`.
fn owned_lines<'b>(
    file: &std::fs::File,
    i: u64,
    chunk: u64,
    len: u64,
    buf: &'b mut Vec<u8>,
) -> std::io::Result<&'b [u8]> {
    use std::os::unix::fs::FileExt;
    let start = i * chunk;
    // One byte before the chunk tells whether a line starts at its first byte.
    let from = start.saturating_sub(1);
    let end = (start + chunk).min(len);
    buf.clear();
    buf.resize((end - from) as usize, 0);
    file.read_exact_at(buf, from)?;
    // The last line goes on past the chunk's end up to its newline (or the file's end).
    let mut at = end;
    while at < len && buf.last() != Some(&b'\n') {
        let mut more = [0u8; 64 << 10];
        let n = (len - at).min(more.len() as u64) as usize;
        file.read_exact_at(&mut more[..n], at)?;
        match more[..n].iter().position(|&b| b == b'\n') {
            Some(p) => {
                buf.extend_from_slice(&more[..=p]);
                break;
            }
            None => buf.extend_from_slice(&more[..n]),
        }
        at += n as u64;
    }
    let first = if i == 0 {
        0
    } else {
        // After the newline that ends the line begun in the chunk before (the byte read
        // before the chunk is that newline when a line starts exactly at `start`).
        match buf.iter().position(|&b| b == b'\n') {
            Some(p) => p + 1,
            None => buf.len(),
        }
    };
    Ok(&buf[first..])
}

/// Parses `bytes` (whole lines), numbering bad lines from 1.
fn parse_lines(
    bytes: &[u8],
    name: &str,
    cat: &Catalogue,
    dl: &Deadlines,
    is_dossiers: bool,
    acc: &mut Accumulator,
    errors: &mut Vec<LineError>,
) {
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line_no = i + 1;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the chunk size, the chunks' lines put together are the file, each line
    /// once, and the line counts add up to the file's: so line numbers stay exact.
    #[test]
    fn chunks_own_every_line_exactly_once() {
        let dir = tempfile::tempdir().unwrap();
        let long = "x".repeat(40);
        for text in [
            format!("a\nbb\n\nccc\n{long}\nd\n"),
            format!("a\nbb\n\nccc\n{long}\nd"),
            "\n\n\n".to_owned(),
            "single".to_owned(),
        ] {
            let path = dir.path().join("f.jsonl");
            std::fs::write(&path, &text).unwrap();
            let file = std::fs::File::open(&path).unwrap();
            let len = text.len() as u64;
            for chunk in 1..=(len + 2) {
                let mut joined = Vec::new();
                let mut lines = 0;
                let mut buf = Vec::new();
                for i in 0..len.div_ceil(chunk) {
                    let own = owned_lines(&file, i, chunk, len, &mut buf).unwrap();
                    lines += line_count(own);
                    joined.extend_from_slice(own);
                }
                assert_eq!(String::from_utf8(joined).unwrap(), text, "chunk {chunk}");
                assert_eq!(lines, line_count(text.as_bytes()), "chunk {chunk}");
            }
        }
    }
}
