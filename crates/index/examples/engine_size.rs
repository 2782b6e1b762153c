//! Measures the live engine's state per dossier and the parse rate of dossier lines.
//!
//! `cargo run --release -p motcua-index --example engine_size -- BUNDLE_DIR [N]`: reads
//! the catalogue and `dossiers.jsonl` of a bundle, parses the first N lines (default all),
//! feeds them to an [`Engine`] under fresh codes, and prints rates and bytes per dossier.

use motcua_calendar::Calendar;
use motcua_index::catalogue::Catalogue;
use motcua_index::definition::Definition;
use motcua_index::incremental::{DossierFact, Engine};
use motcua_index::records::parse_dossier_line;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().ok_or("usage: engine_size BUNDLE_DIR [N]")?);
    let n: usize = args.next().map_or(Ok(usize::MAX), |s| s.parse())?;
    let cat = Catalogue::parse(
        &std::fs::read_to_string(dir.join("units.jsonl"))?,
        &std::fs::read_to_string(dir.join("procedures.jsonl"))?,
    )
    .map_err(|e| format!("{e:?}"))?;
    let (cal, def) = (Calendar::vietnam(), Definition::default_766());
    let dl = motcua_index::deadlines(&cal, &def);
    let text = std::fs::read_to_string(dir.join("dossiers.jsonl"))?;

    let t = Instant::now();
    let mut facts = Vec::new();
    for line in text.lines().take(n) {
        let (_, d) = parse_dossier_line(line, &cat, &dl)?;
        facts.push(d);
    }
    let parse = t.elapsed();
    let bytes: usize = text.lines().take(n).map(|l| l.len() + 1).sum();
    println!(
        "parsed {} lines ({:.0} MB) in {:.2?}: {:.0} k lines/s, {:.0} MB/s (one thread)",
        facts.len(),
        bytes as f64 / 1e6,
        parse,
        facts.len() as f64 / parse.as_secs_f64() / 1e3,
        bytes as f64 / parse.as_secs_f64() / 1e6
    );

    let mut engine = Engine::new(cat.clone());
    let t = Instant::now();
    for (i, d) in facts.iter().enumerate() {
        let code = format!(
            "{}-{:06}-{:04}",
            cat.unit(d.unit).code,
            i / 10_000,
            i % 10_000
        );
        engine.apply(DossierFact::Record { code, dossier: *d })?;
    }
    let apply = t.elapsed();
    println!(
        "engine: {} facts in {:.2?} ({:.0} k/s); state {:.0} MB = {:.0} bytes per dossier (size_of Dossier = {}, entry = {})",
        facts.len(),
        apply,
        facts.len() as f64 / apply.as_secs_f64() / 1e3,
        engine.state_bytes() as f64 / 1e6,
        engine.state_bytes() as f64 / facts.len().max(1) as f64,
        std::mem::size_of::<motcua_index::facts::Dossier>(),
        std::mem::size_of::<(
            motcua_index::incremental::Code,
            motcua_index::facts::Dossier
        )>(),
    );
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
    Ok(())
}
