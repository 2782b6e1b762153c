//! The dossier history of `motcua import --bundle` (`dossiers.jsonl`), in two passes over
//! the file so that a million-line history never sits in memory: the first checks every
//! line (and remembers only codes), the second turns the good ones into events and writes
//! them in batches inside the bundle's one transaction.

use anyhow::Context as _;
use motcua_calendar::TimeLimit;
use motcua_domain::access::Role;
use motcua_domain::bundle::LineError;
use motcua_domain::dossier::export::bundle_line;
use motcua_domain::dossier::import::{DOSSIERS_FILE, Surroundings, history, parse_record};
use motcua_domain::dossier::{By, Dossier};
use motcua_domain::procedure::Procedure;
use motcua_store::Store;
use motcua_store::dossier_import::HistoryImport;
use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Dossiers a write batch.
const BATCH: usize = 2000;

/// What the catalogue offers the dossiers: procedure → time limit, and the unit codes.
pub struct Catalogue {
    pub procedures: HashMap<String, Option<TimeLimit>>,
    pub units: HashSet<String>,
}

impl Catalogue {
    /// The stored catalogue overlaid with the bundle's good lines.
    pub async fn of(
        store: &Store,
        units: &[motcua_domain::bundle::UnitRecord],
        procedures: &[Procedure],
    ) -> anyhow::Result<Self> {
        let mut c = Catalogue {
            procedures: store
                .published_procedures()
                .await?
                .into_iter()
                .map(|p| (p.code.to_string(), p.time_limit))
                .collect(),
            units: store
                .units()
                .await?
                .into_iter()
                .map(|u| u.code.to_string())
                .collect(),
        };
        c.procedures.extend(
            procedures
                .iter()
                .map(|p| (p.code.to_string(), p.time_limit)),
        );
        c.units.extend(units.iter().map(|u| u.code.to_string()));
        Ok(c)
    }
}

/// The outcome of the checking pass.
pub struct Checked {
    path: Option<PathBuf>,
    /// Lines not to write: bad ones, and those already stored with the same history.
    skip: HashSet<usize>,
    /// Codes of the lines to write (their dossier ids).
    new_codes: HashSet<String>,
    /// Stored dossiers the bundle's codes or parents name: code → id.
    stored: HashMap<String, String>,
    pub errors: Vec<LineError>,
    pub unchanged: usize,
    pub lines: usize,
}

impl Checked {
    pub fn to_write(&self) -> usize {
        self.new_codes.len()
    }
}

fn importer() -> By {
    By {
        account: "import".into(),
        role: Role::Operator,
        unit: None,
    }
}

fn lines(path: &Path) -> anyhow::Result<impl Iterator<Item = anyhow::Result<(usize, String)>>> {
    let f = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let shown = path.display().to_string();
    Ok(std::io::BufReader::with_capacity(1 << 20, f)
        .lines()
        .enumerate()
        .map(move |(i, l)| {
            l.map(|l| (i + 1, l))
                .with_context(|| format!("cannot read {shown}"))
        }))
}

fn error(line: usize, reason: impl Into<String>) -> LineError {
    LineError {
        file: DOSSIERS_FILE.into(),
        line,
        reason: reason.into(),
    }
}

/// The line a record gives back, for comparing with a stored dossier's.
fn canonical(
    r: &motcua_domain::dossier::import::DossierRecord,
    cat: &Catalogue,
    calendar: &motcua_calendar::Calendar,
) -> Option<String> {
    let by = importer();
    let s = Surroundings {
        procedure_version: 0,
        process_version: 0,
        time_limit: cat.procedures.get(r.procedure.as_str()).copied().flatten(),
        parent_id: None,
        calendar,
        by: &by,
    };
    let events = history(r, &s).ok()?;
    let d = Dossier::replay(&events)?;
    serde_json::to_string(&bundle_line(&d, &events, None)?).ok()
}

/// A stored dossier's line, as export writes it.
async fn stored_line(store: &Store, id: &str) -> anyhow::Result<Option<String>> {
    let d = store.dossier(id).await?.state;
    let events = store.dossier_events(id).await?;
    let parent = match &d.parent {
        Some(p) => match store.dossier(p).await {
            Ok(s) => Some(s.state.code.map_or(s.state.id, |c| c.to_string())),
            Err(_) => None,
        },
        None => None,
    };
    Ok(bundle_line(&d, &events, parent)
        .map(|l| serde_json::to_string(&l))
        .transpose()?)
}

/// First pass: every line parsed and checked against the catalogue, the rest of the
/// bundle and the stored dossiers.
pub async fn check(
    store: &Store,
    dir: &Path,
    cat: &Catalogue,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<Checked> {
    let path = dir.join(DOSSIERS_FILE);
    let mut c = Checked {
        path: path.exists().then(|| path.clone()),
        skip: HashSet::new(),
        new_codes: HashSet::new(),
        stored: HashMap::new(),
        errors: Vec::new(),
        unchanged: 0,
        lines: 0,
    };
    let Some(path) = c.path.clone() else {
        return Ok(c);
    };
    bar.set_message("checking dossiers.jsonl");
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut parents: HashSet<String> = HashSet::new();
    for item in lines(&path)? {
        let (n, line) = item?;
        if line.trim().is_empty() {
            continue;
        }
        c.lines += 1;
        bar.inc(1);
        let r = match parse_record(&line) {
            Ok(r) => r,
            Err(reason) => {
                c.errors.push(error(n, reason));
                c.skip.insert(n);
                continue;
            }
        };
        let limit = cat.procedures.get(r.procedure.as_str());
        let reason = if !cat.units.contains(r.unit.as_str()) {
            Some(format!("unit {} does not exist", r.unit))
        } else if limit.is_none() {
            Some(format!("procedure {} does not exist", r.procedure))
        } else if r.due_at.is_none()
            && r.received_at.is_some()
            && limit.is_some_and(Option::is_none)
        {
            Some(format!(
                "due_at is null and procedure {} has no time_limit",
                r.procedure
            ))
        } else if let Some(first) = first_line.get(&r.code) {
            Some(format!(
                "dossier {} appears twice (first on line {first})",
                r.code
            ))
        } else {
            None
        };
        if let Some(reason) = reason {
            c.errors.push(error(n, reason));
            c.skip.insert(n);
            continue;
        }
        if let Some(p) = r.parent {
            parents.insert(p);
        }
        first_line.insert(r.code, n);
    }
    // Stored dossiers under the same codes, and the parents that are ours.
    let mut asked: Vec<&str> = first_line.keys().map(String::as_str).collect();
    asked.extend(
        parents
            .iter()
            .filter(|p| !first_line.contains_key(*p))
            .map(String::as_str),
    );
    c.stored = store.dossier_ids_by_code(&asked).await?;
    let clashes: HashMap<usize, String> = first_line
        .iter()
        .filter_map(|(code, n)| c.stored.get(code).map(|id| (*n, id.clone())))
        .collect();
    if !clashes.is_empty() {
        // Re-importing the same history changes nothing; another one under a stored
        // code is refused.
        let calendar = store.calendar().await?;
        for item in lines(&path)? {
            let (n, line) = item?;
            let Some(id) = clashes.get(&n) else { continue };
            let ours = parse_record(&line)
                .ok()
                .and_then(|r| canonical(&r, cat, &calendar));
            c.skip.insert(n);
            if ours.is_some() && ours == stored_line(store, id).await? {
                c.unchanged += 1;
            } else {
                let code = parse_record(&line).map(|r| r.code).unwrap_or_default();
                c.errors.push(error(
                    n,
                    format!("dossier {code} already exists with a different history"),
                ));
            }
        }
    }
    c.errors.sort_by_key(|e| e.line);
    c.new_codes = first_line
        .into_iter()
        .filter(|(_, n)| !c.skip.contains(n))
        .map(|(code, _)| code)
        .collect();
    Ok(c)
}

/// What the second pass reads from the store, read before the import's transaction
/// opens (on SQLite a connection opened while it writes would wait for it).
pub struct Context {
    processes: HashMap<String, i64>,
    calendar: motcua_calendar::Calendar,
}

impl Context {
    pub async fn of(store: &Store) -> anyhow::Result<Self> {
        Ok(Self {
            processes: store.latest_process_versions().await?,
            calendar: store.calendar().await?,
        })
    }
}

/// Second pass: the good new lines as dossiers and events, written in batches.
pub async fn write(
    import: &mut HistoryImport,
    c: &Checked,
    cat: &Catalogue,
    ctx: &Context,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<()> {
    let Some(path) = &c.path else { return Ok(()) };
    if c.new_codes.is_empty() {
        return Ok(());
    }
    let versions = import.published_versions().await?;
    let (processes, calendar) = (&ctx.processes, &ctx.calendar);
    let by = importer();
    bar.set_message("importing dossiers");
    bar.set_position(0);
    bar.set_length(c.to_write() as u64);
    let mut batch = Vec::with_capacity(BATCH);
    for item in lines(path)? {
        let (n, line) = item?;
        if line.trim().is_empty() || c.skip.contains(&n) {
            continue;
        }
        let r = parse_record(&line).map_err(|e| anyhow::anyhow!("{}", error(n, e)))?;
        let parent_id = r.parent.as_ref().and_then(|p| {
            c.stored
                .get(p)
                .cloned()
                .or_else(|| c.new_codes.contains(p).then(|| p.clone()))
        });
        let s = Surroundings {
            procedure_version: versions.get(r.procedure.as_str()).copied().unwrap_or(1),
            process_version: processes.get(r.procedure.as_str()).copied().unwrap_or(0),
            time_limit: cat.procedures.get(r.procedure.as_str()).copied().flatten(),
            parent_id,
            calendar,
            by: &by,
        };
        let events = history(&r, &s).map_err(|e| anyhow::anyhow!("{}", error(n, e)))?;
        let d = Dossier::replay(&events)
            .ok_or_else(|| anyhow::anyhow!("{}", error(n, "the history does not replay")))?;
        batch.push((d, events));
        if batch.len() == BATCH {
            import.insert(&batch).await?;
            bar.inc(batch.len() as u64);
            batch.clear();
        }
    }
    import.insert(&batch).await?;
    bar.inc(batch.len() as u64);
    Ok(())
}
