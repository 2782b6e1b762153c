//! Reading and writing the data bundle (`spec/bundle.md`): JSON Lines, one record a line.
//!
//! Parsing is pure: the caller reads the files and hands over their text. Every problem is
//! reported as `file:line: reason`; the caller decides whether to stop (the default) or skip
//! bad lines. Writing is deterministic — records sorted by code, keys in a fixed order — so
//! export → import → export gives the same bytes.

use crate::codes::UnitCode;
use crate::procedure::Procedure;
use crate::unit::{Unit, UnitKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// One bad line of a bundle file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

/// Records that parsed, each with its line number, and the lines that did not.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub records: Vec<(usize, T)>,
    pub errors: Vec<LineError>,
}

/// A unit line. Fields beyond the bundle's (sources, verification flags) ride along in
/// `extra` so an export gives back what was imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitRecord {
    pub code: UnitCode,
    pub name: String,
    pub kind: UnitKind,
    pub parent: Option<UnitCode>,
    pub e_certified_copy: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<UnitCode>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl UnitRecord {
    pub fn unit(&self) -> Unit {
        Unit {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind,
            parent: self.parent.clone(),
            e_certified_copy: self.e_certified_copy,
            successor: self.successor.clone(),
        }
    }
}

fn parse_lines<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
    check: impl Fn(T) -> Result<T, String>,
) -> Parsed<T> {
    let mut out = Parsed {
        records: Vec::new(),
        errors: Vec::new(),
    };
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<T>(line)
            .map_err(|e| json_reason(&e))
            .and_then(&check)
        {
            Ok(r) => out.records.push((n, r)),
            Err(reason) => out.errors.push(LineError {
                file: file.to_owned(),
                line: n,
                reason,
            }),
        }
    }
    out
}

/// serde_json's message without its own "at line 1 column N" (the line is ours to give).
fn json_reason(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

pub fn parse_units(file: &str, text: &str) -> Parsed<UnitRecord> {
    let mut parsed = parse_lines(file, text, |mut u: UnitRecord| {
        u.name = crate::text::nfc(&u.name);
        if u.name.is_empty() {
            return Err("name is empty".into());
        }
        Ok(u)
    });
    let mut seen = HashSet::new();
    let mut dupes = Vec::new();
    for (n, u) in &parsed.records {
        if !seen.insert(u.code.clone()) {
            dupes.push(LineError {
                file: file.to_owned(),
                line: *n,
                reason: format!("unit {} appears twice", u.code),
            });
        }
    }
    parsed.errors.extend(dupes);
    parsed
}

pub fn parse_procedures(file: &str, text: &str) -> Parsed<Procedure> {
    let mut parsed = parse_lines(file, text, |p: Procedure| {
        p.normalised().map_err(|e| e.to_string())
    });
    let mut seen = HashSet::new();
    let mut dupes = Vec::new();
    for (n, p) in &parsed.records {
        if !seen.insert(p.code.clone()) {
            dupes.push(LineError {
                file: file.to_owned(),
                line: *n,
                reason: format!("procedure {} appears twice", p.code),
            });
        }
    }
    parsed.errors.extend(dupes);
    parsed
}

/// Reference checks across files: a unit's parent and a procedure's units must exist,
/// either in this bundle or already in the database (`known`).
pub fn check_references(
    units_file: &str,
    units: &[(usize, UnitRecord)],
    procedures_file: &str,
    procedures: &[(usize, Procedure)],
    known: &HashSet<UnitCode>,
) -> Vec<LineError> {
    let mut present: HashSet<&UnitCode> = known.iter().collect();
    present.extend(units.iter().map(|(_, u)| &u.code));
    let mut errors = Vec::new();
    for (n, u) in units {
        if let Some(p) = &u.parent
            && !present.contains(p)
        {
            errors.push(LineError {
                file: units_file.to_owned(),
                line: *n,
                reason: format!("parent {p} does not exist"),
            });
        }
    }
    for (n, p) in procedures {
        if let Some(missing) = p.units.iter().find(|u| !present.contains(u)) {
            errors.push(LineError {
                file: procedures_file.to_owned(),
                line: *n,
                reason: format!("unit {missing} does not exist"),
            });
        }
    }
    errors
}

/// Writes records one a line, sorted by `key`, with a final newline.
pub fn write_lines<T: Serialize, K: Ord>(
    records: &mut [T],
    key: impl Fn(&T) -> K,
) -> Result<String, serde_json::Error> {
    records.sort_by_key(|r| key(r));
    let mut out = String::new();
    for r in records.iter() {
        out.push_str(&serde_json::to_string(r)?);
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const UNITS: &str = r#"{"code":"000.00.00.H57","name":"UBND","kind":"province","parent":null,"e_certified_copy":false}
{"code":"000.00.31.H57","name":"Sở Tư pháp","kind":"department","parent":"000.00.00.H57","e_certified_copy":false,"source":"QĐ"}

{"code":"000.00.32.H57","name":"X","kind":"district","parent":"000.00.00.H57","e_certified_copy":false}
{"code":"000.00.33.H57","name":"Y","kind":"other","parent":"000.00.99.H57","e_certified_copy":false}
"#;

    #[test]
    fn reports_file_and_line() {
        let p = parse_units("units.jsonl", UNITS);
        assert_eq!(p.records.len(), 3);
        assert_eq!(p.errors.len(), 1);
        let e = p.errors[0].to_string();
        assert!(
            e.starts_with("units.jsonl:4: unknown variant `district`"),
            "{e}"
        );
        let refs = check_references("units.jsonl", &p.records, "p", &[], &HashSet::new());
        assert_eq!(refs.len(), 1);
        assert_eq!(
            refs[0].to_string(),
            "units.jsonl:5: parent 000.00.99.H57 does not exist"
        );
    }

    #[test]
    fn bad_json_and_bad_codes() {
        let p = parse_procedures(
            "procedures.jsonl",
            "{\"code\":\"1.001193\",\n{\"code\":\"9\",\"name\":\"A\",\"units\":[]}\n",
        );
        assert_eq!(p.errors.len(), 2);
        assert_eq!(p.errors[0].line, 1);
        assert!(
            p.errors[1].reason.contains("procedure code"),
            "{}",
            p.errors[1]
        );
    }

    #[test]
    fn export_is_deterministic_and_round_trips() {
        let p = parse_units("units.jsonl", UNITS);
        let mut recs: Vec<UnitRecord> = p.records.into_iter().map(|(_, u)| u).rev().collect();
        let once = write_lines(&mut recs, |u| u.code.clone()).unwrap();
        let again = parse_units("units.jsonl", &once);
        let mut recs2: Vec<UnitRecord> = again.records.into_iter().map(|(_, u)| u).collect();
        assert_eq!(once, write_lines(&mut recs2, |u| u.code.clone()).unwrap());
        assert!(once.starts_with("{\"code\":\"000.00.00.H57\""));
        assert!(once.contains("\"source\":\"QĐ\""));
    }
}
