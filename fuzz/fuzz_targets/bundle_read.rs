//! The bundle reader on untrusted bytes: the same text read as `units.jsonl`,
//! `procedures.jsonl`, `processes.jsonl` and `dossiers.jsonl` (an import reads files a
//! province hands over).
//!
//! Beyond "does not panic": every reported line exists; a file read without error is
//! written back deterministically (export → import → export gives the same bytes, as
//! `bundle.rs` promises); an imported dossier's history replays, its versions count its
//! events, and its exported line reads back as the record it came from.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use motcua_calendar::{Calendar, DurationUnit, TimeLimit};
use motcua_domain::access::Role;
use motcua_domain::bundle::{
    LineError, check_references, parse_procedures, parse_units, write_lines,
};
use motcua_domain::dossier::export::bundle_line;
use motcua_domain::dossier::import::{Surroundings, history, parse_record};
use motcua_domain::dossier::{By, Dossier, Process};
use motcua_domain::unit::UnitTree;
use std::sync::OnceLock;

fn calendar() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(Calendar::vietnam)
}

fn lines_exist(errors: &[LineError], count: usize) {
    for e in errors {
        assert!(e.line >= 1 && e.line <= count, "{e}");
        assert!(!e.reason.is_empty(), "{e}");
    }
}

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let count = text.lines().count();

    let units = parse_units("units.jsonl", text);
    lines_exist(&units.errors, count);
    if units.errors.is_empty() {
        let mut recs: Vec<_> = units.records.iter().map(|(_, u)| u.clone()).collect();
        let once = write_lines(&mut recs, |u| u.code.clone()).unwrap();
        let again = parse_units("units.jsonl", &once);
        assert!(again.errors.is_empty(), "{:?}", again.errors);
        let mut recs2: Vec<_> = again.records.into_iter().map(|(_, u)| u).collect();
        assert_eq!(recs, recs2);
        assert_eq!(once, write_lines(&mut recs2, |u| u.code.clone()).unwrap());
    }

    let procedures = parse_procedures("procedures.jsonl", text);
    lines_exist(&procedures.errors, count);
    if procedures.errors.is_empty() {
        let mut recs: Vec<_> = procedures.records.iter().map(|(_, p)| p.clone()).collect();
        let once = write_lines(&mut recs, |p| p.code.clone()).unwrap();
        let again = parse_procedures("procedures.jsonl", &once);
        assert!(again.errors.is_empty(), "{:?}", again.errors);
        let mut recs2: Vec<_> = again.records.into_iter().map(|(_, p)| p).collect();
        assert_eq!(recs, recs2);
        assert_eq!(once, write_lines(&mut recs2, |p| p.code.clone()).unwrap());
    }

    let refs = check_references(
        "units.jsonl",
        &units.records,
        "procedures.jsonl",
        &procedures.records,
        &HashSet::new(),
    );
    lines_exist(&refs, count);

    // Processes are checked against the units of the same text, when they form a tree.
    let tree = UnitTree::new(units.records.iter().map(|(_, u)| u.unit())).ok();
    for line in text.lines() {
        if let Ok(process) = serde_json::from_str::<Process>(line)
            && let Some(tree) = &tree
        {
            let _ = process.check(tree);
        }
    }

    let by = By {
        account: "import".into(),
        role: Role::Operator,
        unit: None,
    };
    let limit = TimeLimit::whole(5, DurationUnit::WorkingDays).ok();
    for line in text.lines() {
        let Ok(record) = parse_record(line) else {
            continue;
        };
        let s = Surroundings {
            procedure_version: 1,
            process_version: 0,
            time_limit: limit,
            parent_id: None,
            calendar: calendar(),
            by: &by,
        };
        let Ok(events) = history(&record, &s) else {
            continue;
        };
        for (i, e) in events.iter().enumerate() {
            assert_eq!(e.version, i as i64 + 1);
        }
        let d = Dossier::replay(&events).expect("an imported history replays");
        assert_eq!(d.version, events.len() as i64);
        let out = bundle_line(&d, &events, None)
            .expect("an imported dossier was submitted");
        let json = serde_json::to_string(&out).unwrap();
        let back = parse_record(&json)
            .unwrap_or_else(|e| panic!("exported line does not read back: {e}\n{json}"));
        assert_eq!(back, record, "{json}");
    }
});
