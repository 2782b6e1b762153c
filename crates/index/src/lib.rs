//! The 766 service-quality index (`spec/index-766.md`), pure: no I/O, no clock.
//!
//! - [`catalogue`]: units and procedures, interned.
//! - [`records`]: `dossiers.jsonl` / `petitions.jsonl` lines → compact [`facts`].
//! - [`definition`]: metric definitions as versioned data (`data/766-2026.2.json`).
//! - [`compute`]: the full recomputation for a period and scope, and the output JSON.
//! - [`incremental`]: the live engine's per-unit state, mergeable by addition and union.
//! - [`table`], [`keys`]: the engine's per-dossier facts and codes, compact (59–79 bytes a
//!   dossier) and exact.
//! - [`warnings`]: warnings for the live system, with `now` passed in.
//! - [`watch`]: the dossiers that may warn, warning keys, the dossiers behind a figure.

pub mod catalogue;
pub mod compute;
pub mod definition;
pub mod facts;
pub mod incremental;
pub mod instant;
pub mod keys;
pub mod output;
pub mod records;
pub mod snapshot;
pub mod table;
pub mod warnings;
pub mod watch;

use catalogue::Catalogue;
use compute::{Accumulator, Period};
use definition::Definition;
use motcua_calendar::Calendar;
use motcua_domain::bundle::LineError;
use records::{Deadlines, parse_dossiers, parse_petitions};

/// A bundle's four files, as text.
#[derive(Debug, Clone, Copy, Default)]
pub struct BundleText<'a> {
    pub units: &'a str,
    pub procedures: &'a str,
    pub dossiers: &'a str,
    pub petitions: &'a str,
}

/// The deadline settings a definition implies (its petition day count; end_of_day mode).
pub fn deadlines<'c>(cal: &'c Calendar, def: &Definition) -> Deadlines<'c> {
    let mut dl = Deadlines::new(cal);
    if let Some(l) = def.petition_limit() {
        dl.petition_limit = l;
    }
    dl
}

/// The whole computation on an in-memory bundle: every bad line is reported, and nothing is
/// computed unless all lines are good. `unit` filters the output to that unit's scope.
pub fn compute_bundle(
    b: BundleText,
    def: &Definition,
    cal: &Calendar,
    period: Period,
    unit: Option<&str>,
) -> Result<output::Output, Vec<LineError>> {
    let cat = Catalogue::parse(b.units, b.procedures)?;
    let dl = deadlines(cal, def);
    let dossiers = parse_dossiers(b.dossiers, &cat, &dl);
    let petitions = parse_petitions(b.petitions, &cat, &dl);
    let mut errors = dossiers.errors;
    errors.extend(petitions.errors);
    let only = match unit {
        None => None,
        Some(code) => match cat.unit_id(code) {
            Some(u) => Some(u),
            None => {
                errors.push(LineError {
                    file: "units.jsonl".into(),
                    line: 0,
                    reason: format!("unit {code} is not in the bundle"),
                });
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut acc = Accumulator::new(&cat, period);
    for (_, _, d) in &dossiers.records {
        acc.add_dossier(d);
    }
    for (_, _, p) in &petitions.records {
        acc.add_petition(p);
    }
    let figures = compute::all_figures(&cat, cal, def, period, &acc);
    Ok(output::build_output(&cat, def, period, &figures, only))
}
