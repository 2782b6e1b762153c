//! `motcua gen` as a benchmark script runs it: deterministic for a seed, and every line
//! strictly valid per `spec/bundle.md` (the importer and the index engine refuse less).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, FixedOffset};
use motcua_domain::bundle::{check_references, parse_procedures, parse_units};
use motcua_domain::dossier::DossierCode;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;

const FILES: [&str; 4] = [
    "units.jsonl",
    "procedures.jsonl",
    "dossiers.jsonl",
    "petitions.jsonl",
];

fn generate(dir: &Path, seed: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args([
            "gen",
            "--bundle",
            dir.to_str().unwrap(),
            "--units",
            "75",
            "--procedures",
            "60",
            "--dossiers",
            "20000",
            "--petitions",
            "300",
            "--seed",
            seed,
        ])
        .output()
        .expect("run motcua gen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read(dir: &Path, f: &str) -> String {
    std::fs::read_to_string(dir.join(f)).unwrap()
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    generate(a.path(), "42");
    generate(b.path(), "42");
    generate(c.path(), "43");
    for f in FILES {
        assert!(read(a.path(), f) == read(b.path(), f), "{f} differs");
    }
    assert!(read(a.path(), "dossiers.jsonl") != read(c.path(), "dossiers.jsonl"));
    assert!(read(a.path(), "procedures.jsonl") != read(c.path(), "procedures.jsonl"));
}

fn ts(v: &Value, what: &str) -> DateTime<FixedOffset> {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("{what}: not a string: {v}"));
    assert!(s.ends_with("+07:00"), "{what}: {s}");
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{what}: {s}: {e}"))
}

fn opt_ts(v: &Value, what: &str) -> Option<DateTime<FixedOffset>> {
    (!v.is_null()).then(|| ts(v, what))
}

fn boolean(d: &Value, k: &str) -> bool {
    d[k].as_bool()
        .unwrap_or_else(|| panic!("{k} is not a bool: {d}"))
}

fn one_of<'a>(v: &'a Value, allowed: &[&str], what: &str) -> &'a str {
    let s = v.as_str().unwrap_or_else(|| panic!("{what}: {v}"));
    assert!(allowed.contains(&s), "{what}: {s}");
    s
}

#[test]
fn every_line_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), "7");
    let d = dir.path();

    // Units and procedures go through the importer's own strict parsers.
    let units = parse_units("units.jsonl", &read(d, "units.jsonl"));
    assert!(units.errors.is_empty(), "{:?}", units.errors);
    assert_eq!(units.records.len(), 75);
    let procs = parse_procedures("procedures.jsonl", &read(d, "procedures.jsonl"));
    assert!(procs.errors.is_empty(), "{:?}", procs.errors);
    assert_eq!(procs.records.len(), 60);
    let refs = check_references(
        "units.jsonl",
        &units.records,
        "procedures.jsonl",
        &procs.records,
        &HashSet::new(),
    );
    assert!(refs.is_empty(), "{refs:?}");
    let roots = units.records.iter().filter(|(_, u)| u.parent.is_none());
    assert_eq!(roots.count(), 1);
    let kinds: HashSet<String> = units
        .records
        .iter()
        .map(|(_, u)| serde_json::to_value(u.kind).unwrap().to_string())
        .collect();
    for k in [
        "province",
        "department",
        "commune",
        "service_centre",
        "other",
    ] {
        assert!(kinds.contains(&format!("\"{k}\"")), "no {k} unit");
    }
    // A sub-unit under a sub-unit: scopes are more than two levels deep.
    let parent_of: HashMap<String, Option<String>> = units
        .records
        .iter()
        .map(|(_, u)| (u.code.to_string(), u.parent.as_ref().map(|p| p.to_string())))
        .collect();
    let depth = |c: &str| {
        let mut n = 0;
        let mut at = c.to_owned();
        while let Some(Some(p)) = parent_of.get(&at) {
            at = p.clone();
            n += 1;
        }
        n
    };
    assert!(parent_of.keys().any(|c| depth(c) >= 3));

    // Raw procedure lines: the four time-limit units, fractional working days, dates.
    let mut limit_units = HashSet::new();
    let mut fractional = false;
    let mut timed: HashMap<String, bool> = HashMap::new();
    let mut competent: HashMap<String, HashSet<String>> = HashMap::new();
    for line in read(d, "procedures.jsonl").lines() {
        let p: Value = serde_json::from_str(line).unwrap();
        let code = p["code"].as_str().unwrap().to_owned();
        one_of(
            &p["online_level"],
            &["none", "partial", "full"],
            "online_level",
        );
        let tl = &p["time_limit"];
        timed.insert(code.clone(), !tl.is_null());
        if !tl.is_null() {
            let u = one_of(
                &tl["unit"],
                &["hours", "working_days", "days", "months"],
                "unit",
            );
            limit_units.insert(u.to_owned());
            if u == "working_days" && tl["value"].is_f64() {
                fractional = true;
            }
        }
        for pb in p["publications"].as_array().unwrap() {
            for k in ["decision_date", "legal_basis_effective_date"] {
                chrono::NaiveDate::parse_from_str(pb[k].as_str().unwrap(), "%Y-%m-%d").unwrap();
            }
        }
        competent.insert(
            code,
            p["units"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u.as_str().unwrap().to_owned())
                .collect(),
        );
    }
    assert_eq!(limit_units.len(), 4, "{limit_units:?}");
    assert!(fractional);
    assert!(
        timed.values().any(|t| !t),
        "some procedure has no time limit"
    );

    let unit_codes: HashSet<&str> = parent_of.keys().map(String::as_str).collect();
    let text = read(d, "dossiers.jsonl");
    let mut codes = HashSet::new();
    let mut parents = Vec::new();
    let (mut n, mut online, mut null_due, mut children) = (0, 0, 0, 0);
    for line in text.lines() {
        let x: Value = serde_json::from_str(line).unwrap();
        n += 1;
        let code = x["code"].as_str().unwrap();
        DossierCode::parse(code).unwrap();
        assert!(codes.insert(code.to_owned()), "duplicate code {code}");
        let unit = x["unit"].as_str().unwrap();
        let proc = x["procedure"].as_str().unwrap();
        assert!(unit_codes.contains(unit), "unit {unit}");
        assert!(
            competent[proc].contains(unit),
            "{unit} not competent for {proc}"
        );
        assert!(code.starts_with(unit));
        if one_of(&x["channel"], &["online", "direct", "postal"], "channel") == "online" {
            online += 1;
        }
        one_of(
            &x["applicant_kind"],
            &["citizen", "business", "household_business"],
            "applicant_kind",
        );
        let submitted = ts(&x["submitted_at"], "submitted_at");
        let received = opt_ts(&x["received_at"], "received_at");
        let due = opt_ts(&x["due_at"], "due_at");
        if let Some(r) = received {
            assert!(submitted <= r, "{line}");
            if let Some(due) = due {
                assert!(r < due, "{line}");
            }
        }
        if due.is_none() {
            null_due += 1;
            assert!(timed[proc], "due_at null without a time limit: {line}");
        }
        let mut last = None;
        for e in x["events"].as_array().unwrap() {
            one_of(
                &e["kind"],
                &[
                    "supplement_requested",
                    "supplement_completed",
                    "payment_requested",
                    "extended",
                    "completed",
                    "returned",
                    "stopped",
                    "rejected",
                    "withdrawn",
                ],
                "event kind",
            );
            let at = ts(&e["at"], "event at");
            assert!(received.is_some_and(|r| r <= at), "{line}");
            assert!(last.is_none_or(|l| l <= at), "events out of order: {line}");
            last = Some(at);
        }
        let fee = x["fee_due"].as_u64().unwrap();
        if boolean(&x, "paid_online") {
            assert!(fee > 0, "{line}");
        }
        for k in [
            "synced",
            "component_files",
            "reused_component",
            "from_data_store",
            "result_file",
            "result_to_data_store",
            "citizen_data",
            "complained",
        ] {
            boolean(&x, k);
        }
        if !x["rating"].is_null() {
            one_of(&x["rating"], &["satisfied", "unsatisfied"], "rating");
        }
        if let Some(p) = x["parent"].as_str() {
            children += 1;
            DossierCode::parse(p).unwrap();
            parents.push(p.to_owned());
        } else {
            assert!(x["parent"].is_null());
        }
    }
    assert_eq!(n, 20_000);
    // The spec allows a child's parent to be outside the bundle; both cases occur.
    assert!(parents.iter().any(|p| codes.contains(p)));
    assert!(parents.iter().any(|p| !codes.contains(p)));
    assert!((300..1000).contains(&children), "{children} children");
    assert!((0.60..0.75).contains(&(f64::from(online) / f64::from(n))));
    assert!(null_due > 0);

    let mut ids = HashSet::new();
    let mut petitions = 0;
    for line in read(d, "petitions.jsonl").lines() {
        let p: Value = serde_json::from_str(line).unwrap();
        petitions += 1;
        assert!(ids.insert(p["id"].as_str().unwrap().to_owned()));
        assert!(unit_codes.contains(p["unit"].as_str().unwrap()));
        let r = ts(&p["received_at"], "received_at");
        opt_ts(&p["deadline_at"], "deadline_at");
        if let Some(done) = opt_ts(&p["resolved_at"], "resolved_at") {
            assert!(r <= done);
        }
        if !p["satisfaction"].is_null() {
            one_of(&p["satisfaction"], &["satisfied", "unsatisfied"], "sat");
        }
        boolean(&p, "repeated");
    }
    assert_eq!(petitions, 300);
}
