//! `motcua gen`: a synthetic but realistic bundle (`spec/bundle.md`) for tests and
//! benchmarks — units, procedures, dossiers and petitions of a Huế-shaped province.
//!
//! Deterministic: every random choice comes from xoshiro256** streams seeded by
//! splitmix64 from `--seed`, so the same arguments give the same bytes on any machine
//! (decisions use integers and correctly rounded float operations — +, ×, ÷, √ — only,
//! never libm functions whose last bit may differ between platforms). The catalogue
//! streams do not depend on `--dossiers`, so a bigger workload keeps the same catalogue.
//!
//! Fast: lines are formatted by hand into a reused buffer (no serde `Value` trees), time
//! is handled as integer milliseconds of local (+07:00) wall-clock time, and working days
//! are looked up in a precomputed table. The distributions are documented, with the
//! shares they produce, in `bench/gen/README.md`.

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate};
use motcua_calendar::{Calendar, DueMode, DurationUnit, TimeLimit, VIETNAM_OFFSET};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

mod catalogue;
mod clock;
mod dossiers;
mod petitions;
mod rng;

use catalogue::*;
use clock::*;
use dossiers::*;
use petitions::*;
use rng::*;

#[derive(clap::Args)]
pub struct GenArgs {
    /// Output folder (created if missing; the four files in it are overwritten).
    #[arg(long)]
    pub bundle: PathBuf,
    /// Number of units (≥ 4): a province root, a service centre, departments, communes,
    /// and, beyond Huế's 55, sub-units of departments.
    #[arg(long, default_value_t = 55)]
    pub units: usize,
    /// Number of procedures (≥ 1).
    #[arg(long, default_value_t = 126)]
    pub procedures: usize,
    /// Number of dossiers.
    #[arg(long)]
    pub dossiers: u64,
    /// Number of petitions (default: one per 250 dossiers).
    #[arg(long)]
    pub petitions: Option<u64>,
    /// Seed of every random choice.
    #[arg(long)]
    pub seed: u64,
    /// First reception day.
    #[arg(long, default_value = "2024-10-01")]
    pub since: NaiveDate,
    /// Last reception day; the data is a snapshot at the end of this day (later events do
    /// not exist yet, so dossiers received near it are still open).
    #[arg(long, default_value = "2025-04-30")]
    pub until: NaiveDate,
    /// Share of received dossiers of time-limited procedures whose `due_at` is left null
    /// (the engine computes it). 0 for workloads checked by tools without the calendar.
    #[arg(long, default_value_t = 0.02)]
    pub null_due_share: f64,
}

// ---------------------------------------------------------------------------------------

pub fn run(args: GenArgs) -> anyhow::Result<()> {
    if args.since > args.until {
        bail!("--since must not be after --until");
    }
    if !(0.0..=1.0).contains(&args.null_due_share) {
        bail!("--null-due-share must be between 0 and 1");
    }
    std::fs::create_dir_all(&args.bundle)
        .with_context(|| format!("creating {}", args.bundle.display()))?;
    let since = day_of(args.since);
    let until = day_of(args.until);
    // The table covers publications a year back and late finishes months ahead.
    let work = Work::new(Calendar::vietnam(), since - 400, until + 400);
    let asof = (until + 1) * DAY;

    let units = gen_units(args.units, &mut Rng::new(args.seed, 1))?;
    let communes: Vec<usize> = (0..units.len())
        .filter(|&i| units[i].kind == Kind::Commune)
        .collect();
    let procs = gen_procedures(
        args.procedures,
        &units,
        since,
        until,
        &mut Rng::new(args.seed, 2),
    )?;
    write_units(&args.bundle.join("units.jsonl"), &units)?;
    write_procedures(
        &args.bundle.join("procedures.jsonl"),
        &procs,
        &units,
        &communes,
    )?;

    // Reception days and their share of the volume: Mondays are busiest, Fridays and
    // make-up Saturdays quieter.
    let days: Vec<i64> = (since..=until).filter(|&d| work.is_working(d)).collect();
    if days.is_empty() {
        bail!("no working day between --since and --until");
    }
    let weights: Vec<f64> = days
        .iter()
        .map(|&d| match (d + 3).rem_euclid(7) {
            0 => 1.2,
            1 => 1.05,
            2 => 1.0,
            3 => 0.95,
            4 => 0.85,
            _ => 0.9,
        })
        .collect();
    let total: f64 = weights.iter().sum();

    let path = args.bundle.join("dossiers.jsonl");
    let mut out = BufWriter::with_capacity(
        1 << 22,
        File::create(&path).with_context(|| format!("creating {}", path.display()))?,
    );
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(args.dossiers),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} {bar:40} {human_pos}/{human_len} dossiers ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar.set_message("gen");
    let mut g = DossierGen {
        units: &units,
        procs: &procs,
        communes: &communes,
        commune_pick: Weighted::new(communes.iter().map(|&c| units[c].weight)),
        proc_pick: Weighted::new(procs.iter().map(|p| p.weight)),
        work: &work,
        asof,
        last_day: until,
        null_due_share: args.null_due_share,
        recent: Vec::with_capacity(4096),
        recent_at: 0,
        seq: vec![0; units.len()],
        events: Vec::with_capacity(16),
        line: Vec::with_capacity(1024),
    };
    let mut rng = Rng::new(args.seed, 3);
    let mut acc = 0.0;
    let mut done: u64 = 0;
    for (i, &day) in days.iter().enumerate() {
        // Cumulative rounding: the day counts add up to exactly --dossiers.
        acc += weights[i];
        let target = if i + 1 == days.len() {
            args.dossiers
        } else {
            ((args.dossiers as f64) * acc / total).round() as u64
        };
        g.seq.iter_mut().for_each(|s| *s = 0);
        while done < target {
            g.dossier(&mut rng, day)?;
            out.write_all(&g.line)?;
            done += 1;
            if done.is_multiple_of(65_536) {
                bar.set_position(done);
            }
        }
    }
    out.flush()?;
    bar.finish_and_clear();

    let petitions = args.petitions.unwrap_or(args.dossiers / 250);
    write_petitions(
        &args.bundle.join("petitions.jsonl"),
        petitions,
        &units,
        &work,
        &days,
        asof,
        &mut Rng::new(args.seed, 4),
    )?;
    eprintln!(
        "wrote {} units, {} procedures, {} dossiers, {} petitions to {}",
        units.len(),
        procs.len(),
        args.dossiers,
        petitions,
        args.bundle.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for d in [-1000, 0, 19_000, 20_089, 30_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(civil_from_days(20_089), (2025, 1, 1));
    }

    #[test]
    fn timestamps() {
        let mut v = Vec::new();
        push_ts(&mut v, 20_095 * DAY + 8 * HOUR + 15 * MIN + 7 * SEC + 42);
        assert_eq!(v, b"\"2025-01-07T08:15:07.042+07:00\"");
        v.clear();
        push_ts(&mut v, 20_095 * DAY + 17 * HOUR);
        assert_eq!(v, b"\"2025-01-07T17:00:00+07:00\"");
    }

    #[test]
    fn snap_moves_into_office_hours() {
        let w = Work::new(Calendar::vietnam(), 20_000, 20_200);
        // Saturday 2025-01-04 10:00 → Monday 2025-01-06 07:30.
        assert_eq!(w.snap(20_092 * DAY + 10 * HOUR), 20_094 * DAY + W1_START);
        assert_eq!(w.snap(20_094 * DAY + 12 * HOUR), 20_094 * DAY + W2_START);
    }
}
