//! Measures the live engine: state per dossier, and the latency of one update.
//!
//! `cargo run --release -p motcua-index --example engine_size -- BUNDLE_DIR [N] [ROUNDS]`:
//! reads the catalogue and `dossiers.jsonl` of a bundle, parses the first N lines (default
//! all) and feeds them to an [`Engine`] under their codes; prints bytes per dossier, with
//! the timestamps as generated (some carry milliseconds), rounded down to whole seconds,
//! and with microseconds added to every one (as the live system writes them).
//!
//! Then, ROUNDS times (default 3; 0 skips it): an engine holds every dossier as it was
//! received (no events), and every event of every dossier is applied to it one call at a
//! time, in the order of the events' instants across all dossiers — once as
//! [`DossierFact::Event`] and once as a whole [`DossierFact::Record`] of the dossier after
//! the event (what the server sends). Each call is timed; p50/p99/p99.9/max per round and
//! the medians over rounds are printed. The end state is checked against the records.

use motcua_calendar::Calendar;
use motcua_index::catalogue::Catalogue;
use motcua_index::definition::Definition;
use motcua_index::facts::{Dossier, EventKind, flag};
use motcua_index::incremental::{Engine, append_event};
use motcua_index::instant::{Instant as At, NEVER};
use motcua_index::records::parse_dossier_line;
use motcua_index::table::DossierTable;
use std::time::Instant;

type Facts = Vec<(String, Dossier)>;

fn load() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

fn build(cat: &Catalogue, facts: &Facts) -> Result<(Engine, f64), Box<dyn std::error::Error>> {
    let mut engine = Engine::new(cat.clone());
    let t = Instant::now();
    for (code, d) in facts {
        engine.record(code, *d)?;
    }
    Ok((engine, t.elapsed().as_secs_f64()))
}

fn report_size(label: &str, engine: &Engine, secs: f64) {
    let n = engine.len().max(1) as f64;
    let (side_pages, whole) = engine.spill();
    println!(
        "{label}: {} dossiers in {secs:.2} s ({:.0} k/s); state {:.0} MB = {:.1} bytes per dossier \
         ({:.1} per-dossier facts, codes and watch bits + {:.1} per-unit corners and sets; \
         {side_pages} side pages, {whole} dossiers kept whole)",
        engine.len(),
        n / secs / 1e3,
        engine.state_bytes() as f64 / 1e6,
        engine.state_bytes() as f64 / n,
        engine.dossier_bytes() as f64 / n,
        engine.unit_bytes() as f64 / n,
    );
}

/// Moves every instant by `f`.
fn shift(d: &Dossier, f: impl Fn(At) -> At) -> Dossier {
    let f = |t: At| if t == NEVER { t } else { f(t) };
    Dossier {
        received: f(d.received),
        due: f(d.due),
        req1: f(d.req1),
        req2: f(d.req2),
        supp_done: f(d.supp_done),
        completed: f(d.completed),
        returned: f(d.returned),
        ended: f(d.ended),
        ..*d
    }
}

/// A dossier as it was received, before any event (one never received stays whole: it
/// has no events in the stream). The extension flag goes: this stream has no extensions.
fn as_received(d: &Dossier) -> Dossier {
    let flags = d.flags & !flag::APOLOGY;
    if d.received == NEVER {
        return Dossier { flags, ..*d };
    }
    Dossier::new(d.unit, d.procedure, d.received, d.due, flags)
}

/// What replaying `events(d)` on `as_received(d)` must give.
fn replayed(d: &Dossier) -> Dossier {
    Dossier {
        flags: d.flags & !flag::APOLOGY,
        ..*d
    }
}

/// The events that fold into `d` (in time order they rebuild it exactly).
fn events(d: &Dossier) -> impl Iterator<Item = (EventKind, At)> {
    [
        (EventKind::SupplementRequested, d.req1),
        (EventKind::SupplementRequested, d.req2),
        (EventKind::SupplementCompleted, d.supp_done),
        (EventKind::Completed, d.completed),
        (EventKind::Returned, d.returned),
        (EventKind::Stopped, d.ended),
    ]
    .into_iter()
    .filter(|e| e.1 != NEVER && d.received != NEVER)
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0)
}

fn median(mut v: Vec<u32>) -> u32 {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

fn latency(
    facts: &Facts,
    base: &Engine,
    rounds: usize,
    whole_records: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut stream: Vec<(At, u32, EventKind)> = Vec::new();
    for (i, (_, d)) in facts.iter().enumerate() {
        stream.extend(events(d).map(|(k, at)| (at, i as u32, k)));
    }
    // Stable: a dossier's own events keep their fold order at equal instants.
    stream.sort_by_key(|e| e.0);
    let how = if whole_records { "record" } else { "event" };
    let (mut p50s, mut p99s, mut p999s) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=rounds {
        let mut engine = base.clone();
        let mut state: Vec<Dossier> = facts.iter().map(|(_, d)| as_received(d)).collect();
        let mut ns: Vec<u32> = Vec::with_capacity(stream.len());
        let load0 = load();
        for &(at, i, kind) in &stream {
            let code = facts[i as usize].0.as_str();
            let t = if whole_records {
                let next = append_event(state[i as usize], kind, at);
                state[i as usize] = next;
                let t = Instant::now();
                engine.record(code, next)?;
                t.elapsed()
            } else {
                let t = Instant::now();
                engine.event(code, kind, at)?;
                t.elapsed()
            };
            ns.push(u32::try_from(t.as_nanos()).unwrap_or(u32::MAX));
        }
        let wrong = facts
            .iter()
            .filter(|(c, d)| engine.dossier(c) != Some(replayed(d)))
            .count();
        ns.sort_unstable();
        let (p50, p99, p999) = (
            percentile(&ns, 0.5),
            percentile(&ns, 0.99),
            percentile(&ns, 0.999),
        );
        println!(
            "latency ({how}), round {round}: {} updates on {} dossiers: p50 {:.2} µs, p99 {:.2} µs, \
             p99.9 {:.2} µs, max {:.0} µs; load {load0:.2} → {:.2}; {wrong} dossiers differ from their record",
            ns.len(),
            engine.len(),
            f64::from(p50) / 1e3,
            f64::from(p99) / 1e3,
            f64::from(p999) / 1e3,
            f64::from(ns.last().copied().unwrap_or(0)) / 1e3,
            load(),
        );
        if wrong > 0 {
            return Err(format!("{wrong} dossiers differ after replaying their events").into());
        }
        p50s.push(p50);
        p99s.push(p99);
        p999s.push(p999);
    }
    println!(
        "latency ({how}), median of {rounds} rounds: p50 {:.2} µs, p99 {:.2} µs, p99.9 {:.2} µs",
        f64::from(median(p50s)) / 1e3,
        f64::from(median(p99s)) / 1e3,
        f64::from(median(p999s)) / 1e3,
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: engine_size BUNDLE_DIR [N] [ROUNDS]";
    let dir = std::path::PathBuf::from(args.next().ok_or(usage)?);
    let n: usize = args.next().map_or(Ok(usize::MAX), |s| s.parse())?;
    let rounds: usize = args.next().map_or(Ok(3), |s| s.parse())?;
    let cat = Catalogue::parse(
        &std::fs::read_to_string(dir.join("units.jsonl"))?,
        &std::fs::read_to_string(dir.join("procedures.jsonl"))?,
    )
    .map_err(|e| format!("{e:?}"))?;
    let (cal, def) = (Calendar::vietnam(), Definition::default_766());
    let dl = motcua_index::deadlines(&cal, &def);
    let text = std::fs::read_to_string(dir.join("dossiers.jsonl"))?;
    println!("machine load (1 min) at start: {:.2}", load());

    let t = Instant::now();
    let mut facts: Facts = Vec::new();
    for line in text.lines().take(n) {
        let (code, d) = parse_dossier_line(line, &cat, &dl)?;
        facts.push((code.into_owned(), d));
    }
    let parse = t.elapsed();
    let bytes: usize = text.lines().take(n).map(|l| l.len() + 1).sum();
    drop(text);
    println!(
        "parsed {} lines ({:.0} MB) in {:.2?}: {:.0} k lines/s, {:.0} MB/s (one thread)",
        facts.len(),
        bytes as f64 / 1e6,
        parse,
        facts.len() as f64 / parse.as_secs_f64() / 1e3,
        bytes as f64 / parse.as_secs_f64() / 1e6
    );
    println!(
        "size_of Dossier = {}, table entry = {}",
        std::mem::size_of::<Dossier>(),
        DossierTable::ENTRY_BYTES
    );

    let (engine, secs) = build(&cat, &facts)?;
    report_size("engine (as generated)", &engine, secs);
    let period = motcua_index::compute::Period::new(
        chrono::NaiveDate::from_ymd_opt(2025, 1, 1).ok_or("date")?,
        chrono::NaiveDate::from_ymd_opt(2025, 3, 31).ok_or("date")?,
    )?;
    let t = Instant::now();
    let out = engine.output(&cal, &def, period, None);
    println!(
        "engine query (all {} units, one quarter): {:.2?}",
        out.units.len(),
        t.elapsed()
    );
    drop(engine);
    let whole: Facts = facts
        .iter()
        .map(|(c, d)| (c.clone(), shift(d, |t| t - t.rem_euclid(1_000_000_000))))
        .collect();
    let (engine, secs) = build(&cat, &whole)?;
    report_size("engine (whole seconds)", &engine, secs);
    drop((engine, whole));
    // 1–999,999 µs more on every instant of a dossier keeps their order.
    let micro: Facts = facts
        .iter()
        .enumerate()
        .map(|(i, (c, d))| {
            let us = 1_000 * (1 + (i as i64 * 7919) % 999_999);
            (c.clone(), shift(d, |t| t + us))
        })
        .collect();
    let (engine, secs) = build(&cat, &micro)?;
    report_size("engine (microseconds everywhere)", &engine, secs);
    drop((engine, micro));

    if rounds > 0 {
        let received: Facts = facts
            .iter()
            .map(|(c, d)| (c.clone(), as_received(d)))
            .collect();
        let (base, _) = build(&cat, &received)?;
        drop(received);
        latency(&facts, &base, rounds, false)?;
        latency(&facts, &base, rounds, true)?;
    }
    println!("machine load (1 min) at end: {:.2}", load());
    Ok(())
}
