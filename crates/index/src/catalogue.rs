//! The catalogue a computation runs against: units and procedures from the bundle, interned
//! to small integers so that ten million dossier lines are matched by index, not by string.

use motcua_calendar::{Calendar, TimeLimit};
use motcua_domain::bundle::{LineError, check_references, parse_procedures, parse_units};
use motcua_domain::procedure::{OnlineLevel, Procedure, Publication};
use motcua_domain::unit::{Unit, UnitKind, UnitTree};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Index of a unit in `units.jsonl` order.
pub type UnitId = u32;
/// Index of a procedure in `procedures.jsonl` order.
pub type ProcId = u32;

/// FxHash (the rustc hasher): the keys are short codes we produced or read from our own
/// catalogue, so hash flooding is not a concern and SipHash would dominate the parse time.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }
    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[derive(Debug, Clone)]
pub struct UnitInfo {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent: Option<UnitId>,
    pub e_certified_copy: bool,
}

#[derive(Debug, Clone)]
pub struct ProcInfo {
    pub code: String,
    pub units: Vec<UnitId>,
    /// `online_level` partial or full.
    pub online: bool,
    pub written_result: bool,
    pub has_fee: bool,
    pub citizen_applicant: bool,
    /// All seven public parts present.
    pub parts_full: bool,
    pub time_limit: Option<TimeLimit>,
    pub publications: Vec<Publication>,
}

/// Units and procedures, interned, with each unit's scope (itself and its descendants).
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub units: Vec<UnitInfo>,
    pub procedures: Vec<ProcInfo>,
    unit_ids: FastMap<String, UnitId>,
    proc_ids: FastMap<String, ProcId>,
    scopes: Vec<Vec<UnitId>>,
}

/// The procedure's time limit, already the calendar's type; kept as one function so the
/// callers need not know where the type comes from.
pub fn calendar_limit(p: &Procedure) -> Result<Option<TimeLimit>, String> {
    Ok(p.time_limit)
}

impl Catalogue {
    /// Parses `units.jsonl` and `procedures.jsonl` (their text) and checks references.
    pub fn parse(units_text: &str, procedures_text: &str) -> Result<Catalogue, Vec<LineError>> {
        const UF: &str = "units.jsonl";
        const PF: &str = "procedures.jsonl";
        let units = parse_units(UF, units_text);
        let procs = parse_procedures(PF, procedures_text);
        let mut errors = units.errors;
        errors.extend(procs.errors);
        errors.extend(check_references(
            UF,
            &units.records,
            PF,
            &procs.records,
            &HashSet::new(),
        ));
        let mut limits = Vec::with_capacity(procs.records.len());
        for (n, p) in &procs.records {
            match calendar_limit(p) {
                Ok(l) => limits.push(l),
                Err(reason) => {
                    limits.push(None);
                    errors.push(LineError {
                        file: PF.into(),
                        line: *n,
                        reason,
                    });
                }
            }
        }
        if errors.is_empty()
            && let Err(e) = UnitTree::new(units.records.iter().map(|(_, u)| u.unit()))
        {
            // Absent parents were reported above; what is left here is a cycle.
            errors.push(LineError {
                file: UF.into(),
                line: 0,
                reason: e.to_string(),
            });
        }
        if !errors.is_empty() {
            errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
            return Err(errors);
        }
        let units: Vec<Unit> = units.records.into_iter().map(|(_, u)| u.unit()).collect();
        let procs: Vec<Procedure> = procs.records.into_iter().map(|(_, p)| p).collect();
        Ok(Catalogue::new(&units, &procs, limits))
    }

    /// Builds from checked records (references exist, no cycles); `limits[i]` is
    /// `procedures[i]`'s time limit.
    pub fn new(units: &[Unit], procedures: &[Procedure], limits: Vec<Option<TimeLimit>>) -> Self {
        let unit_ids: FastMap<String, UnitId> = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.code.as_str().to_owned(), i as UnitId))
            .collect();
        let units_out: Vec<UnitInfo> = units
            .iter()
            .map(|u| UnitInfo {
                code: u.code.as_str().to_owned(),
                name: u.name.clone(),
                kind: u.kind,
                parent: u
                    .parent
                    .as_ref()
                    .and_then(|p| unit_ids.get(p.as_str()).copied()),
                e_certified_copy: u.e_certified_copy,
            })
            .collect();
        let procedures_out: Vec<ProcInfo> = procedures
            .iter()
            .zip(limits.into_iter().chain(std::iter::repeat(None)))
            .map(|(p, time_limit)| ProcInfo {
                code: p.code.as_str().to_owned(),
                units: p
                    .units
                    .iter()
                    .filter_map(|u| unit_ids.get(u.as_str()).copied())
                    .collect(),
                online: matches!(
                    p.online_level,
                    Some(OnlineLevel::Partial | OnlineLevel::Full)
                ),
                written_result: p.written_result == Some(true),
                has_fee: p.has_fee == Some(true),
                citizen_applicant: p.citizen_applicant == Some(true),
                parts_full: p.parts.is_some_and(|x| x.all()),
                time_limit,
                publications: p.publications.clone(),
            })
            .collect();
        let proc_ids = procedures_out
            .iter()
            .enumerate()
            .map(|(i, p)| (p.code.clone(), i as ProcId))
            .collect();
        let mut children: Vec<Vec<UnitId>> = vec![Vec::new(); units_out.len()];
        for (i, u) in units_out.iter().enumerate() {
            if let Some(p) = u.parent {
                children[p as usize].push(i as UnitId);
            }
        }
        let scopes = (0..units_out.len())
            .map(|root| {
                let mut out = Vec::new();
                let mut stack = vec![root as UnitId];
                // The tree was checked for cycles, so this walk ends; the length guard is a
                // second line of defence for catalogues built by hand.
                while let Some(u) = stack.pop() {
                    if out.len() > units_out.len() {
                        break;
                    }
                    out.push(u);
                    stack.extend(children[u as usize].iter().copied());
                }
                out.sort_unstable();
                out
            })
            .collect();
        Catalogue {
            units: units_out,
            procedures: procedures_out,
            unit_ids,
            proc_ids,
            scopes,
        }
    }

    pub fn unit_id(&self, code: &str) -> Option<UnitId> {
        self.unit_ids.get(code).copied()
    }
    pub fn proc_id(&self, code: &str) -> Option<ProcId> {
        self.proc_ids.get(code).copied()
    }
    /// The unit and all its descendants, ascending ids.
    pub fn scope(&self, unit: UnitId) -> &[UnitId] {
        &self.scopes[unit as usize]
    }
    pub fn unit(&self, id: UnitId) -> &UnitInfo {
        &self.units[id as usize]
    }
    pub fn procedure(&self, id: ProcId) -> &ProcInfo {
        &self.procedures[id as usize]
    }
}

/// The default calendar for deadlines the bundle leaves to computation.
pub fn default_calendar() -> Calendar {
    Calendar::vietnam()
}
