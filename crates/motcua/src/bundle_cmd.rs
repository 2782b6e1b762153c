//! `motcua import --bundle DIR` and `motcua export --bundle DIR`.

use crate::DatabaseArg;
use anyhow::{Context, bail};
use motcua_domain::bundle::{LineError, check_references, parse_procedures, parse_units};
use motcua_store::{ImportReport, Store};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct ImportArgs {
    /// Folder holding units.jsonl, procedures.jsonl and dossiers.jsonl (any may be absent).
    #[arg(long)]
    pub bundle: PathBuf,
    /// Import the good lines and list the bad ones instead of stopping at the first.
    #[arg(long)]
    pub skip_bad_lines: bool,
    #[command(flatten)]
    pub db: DatabaseArg,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// Folder to write units.jsonl and procedures.jsonl into (created if missing).
    #[arg(long)]
    pub bundle: PathBuf,
    #[command(flatten)]
    pub db: DatabaseArg,
}

fn read(dir: &Path, name: &str) -> anyhow::Result<String> {
    let p = dir.join(name);
    if !p.exists() {
        return Ok(String::new());
    }
    std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))
}

/// Parses and checks a catalogue bundle given as text. Errors are `file:line: reason`.
pub struct Checked {
    pub units: Vec<motcua_domain::bundle::UnitRecord>,
    pub procedures: Vec<motcua_domain::procedure::Procedure>,
    pub errors: Vec<LineError>,
}

pub fn check(
    units_text: &str,
    procedures_text: &str,
    known: &HashSet<motcua_domain::UnitCode>,
) -> Checked {
    let units = parse_units("units.jsonl", units_text);
    let procedures = parse_procedures("procedures.jsonl", procedures_text);
    let mut errors = units.errors;
    errors.extend(procedures.errors);
    let refs = check_references(
        "units.jsonl",
        &units.records,
        "procedures.jsonl",
        &procedures.records,
        known,
    );
    let bad: HashSet<(String, usize)> = refs.iter().map(|e| (e.file.clone(), e.line)).collect();
    errors.extend(refs);
    errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Checked {
        units: units
            .records
            .into_iter()
            .filter(|(n, _)| !bad.contains(&("units.jsonl".to_owned(), *n)))
            .map(|r| r.1)
            .collect(),
        procedures: procedures
            .records
            .into_iter()
            .filter(|(n, _)| !bad.contains(&("procedures.jsonl".to_owned(), *n)))
            .map(|r| r.1)
            .collect(),
        errors,
    }
}

/// Loads checked records; with `skip_bad_lines` false any error refuses the whole bundle.
pub async fn load(
    store: &Store,
    units_text: &str,
    procedures_text: &str,
    skip_bad_lines: bool,
    actor: Option<&str>,
) -> anyhow::Result<(ImportReport, Vec<LineError>)> {
    let known = store.units().await?.into_iter().map(|u| u.code).collect();
    let checked = check(units_text, procedures_text, &known);
    if !checked.errors.is_empty() && !skip_bad_lines {
        let list: Vec<String> = checked.errors.iter().map(ToString::to_string).collect();
        bail!(
            "{}\nnothing was imported ({} bad line(s); --skip-bad-lines imports the rest)",
            list.join("\n"),
            list.len()
        );
    }
    let report = store
        .import_catalogue(&checked.units, &checked.procedures, actor)
        .await?;
    Ok((report, checked.errors))
}

pub async fn import(args: ImportArgs) -> anyhow::Result<()> {
    if !args.bundle.is_dir() {
        bail!("{}: not a folder", args.bundle.display());
    }
    let units = read(&args.bundle, "units.jsonl")?;
    let procedures = read(&args.bundle, "procedures.jsonl")?;
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} {bar:40} {human_pos}/{human_len} ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar.set_message("checking the catalogue");
    let store = Store::connect(&args.db.url).await?;
    store.migrate().await?;
    let result = import_bundle(&store, &args, &units, &procedures, &bar).await;
    bar.finish_and_clear();
    let (report, dossiers, skipped) = result?;
    for e in &skipped {
        eprintln!("skipped {e}");
    }
    println!(
        "imported {} unit(s); {} procedure(s) published, {} unchanged; {} dossier(s) imported, {} unchanged; {} line(s) skipped",
        report.units,
        report.procedures_published,
        report.procedures_unchanged,
        dossiers.0,
        dossiers.1,
        skipped.len()
    );
    Ok(())
}

/// The whole bundle in one transaction, after every line of every file was checked.
async fn import_bundle(
    store: &Store,
    args: &ImportArgs,
    units: &str,
    procedures: &str,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<(ImportReport, (usize, usize), Vec<LineError>)> {
    let known = store.units().await?.into_iter().map(|u| u.code).collect();
    let checked = check(units, procedures, &known);
    let cat =
        crate::import_dossiers::Catalogue::of(store, &checked.units, &checked.procedures).await?;
    let dossiers = crate::import_dossiers::check(store, &args.bundle, &cat, bar).await?;
    let mut errors = checked.errors;
    errors.extend(dossiers.errors.iter().cloned());
    if !errors.is_empty() && !args.skip_bad_lines {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        bail!(
            "{}\nnothing was imported ({} bad line(s); --skip-bad-lines imports the rest)",
            list.join("\n"),
            list.len()
        );
    }
    let context = crate::import_dossiers::Context::of(store).await?;
    let mut import = store.begin_bundle_import().await?;
    let report = import
        .catalogue(store, &checked.units, &checked.procedures, Some("import"))
        .await?;
    crate::import_dossiers::write(&mut import, &dossiers, &cat, &context, bar).await?;
    let written = import.dossiers;
    import.commit().await?;
    if written > 0 {
        // Committed already: a failure here costs only speed until autovacuum runs.
        if let Err(e) = store.analyze().await {
            tracing::warn!(error = %e, "statistics not refreshed after the import");
        }
    }
    Ok((report, (written, dossiers.unchanged), errors))
}

pub async fn export(args: ExportArgs) -> anyhow::Result<()> {
    let store = Store::connect(&args.db.url).await?;
    if store.pending_migrations().await? > 0 {
        bail!("the database schema is not current; run `motcua migrate` first");
    }
    let (units, procedures) = store.export_catalogue().await?;
    let dossiers = store.export_dossiers().await?;
    std::fs::create_dir_all(&args.bundle)
        .with_context(|| format!("cannot create {}", args.bundle.display()))?;
    for (name, text) in [
        ("units.jsonl", &units),
        ("procedures.jsonl", &procedures),
        ("dossiers.jsonl", &dossiers),
    ] {
        let path = args.bundle.join(name);
        // Write beside, then rename: a reader never sees half a file.
        let tmp = args.bundle.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "exported {} unit(s), {} procedure(s) and {} dossier(s) to {}",
        units.lines().count(),
        procedures.lines().count(),
        dossiers.lines().count(),
        args.bundle.display()
    );
    Ok(())
}
