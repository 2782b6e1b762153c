//! The live engine and the full recomputation agree on every figure, for any period and
//! unit, whatever order facts arrive in (records, appended events, replacements).
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

mod common;

use chrono::NaiveDate;
use motcua_calendar::Calendar;
use motcua_index::catalogue::Catalogue;
use motcua_index::compute::{Accumulator, Period, all_figures};
use motcua_index::definition::Definition;
use motcua_index::facts::{Dossier, EventKind, Petition};
use motcua_index::incremental::{DossierFact, Engine};
use motcua_index::instant::{NEVER, day_of_date, day_start};
use proptest::prelude::*;
use std::collections::HashMap;

const HOUR: i64 = 3_600_000_000_000;

fn catalogue() -> Catalogue {
    let [u, p, _, _] = common::bundle("empty");
    Catalogue::parse(&u, &p).unwrap()
}

fn base() -> i32 {
    day_of_date(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap())
}

/// An instant within 30 days of the base: on the hour, at midnight exactly, or 1 ns off.
fn instant() -> impl Strategy<Value = i64> {
    (0i64..30 * 24, 0u8..4).prop_map(|(h, k)| {
        let t = day_start(base()) + h * HOUR;
        match k {
            0 => t - 1,
            1 => t + 1,
            2 => day_start(base() + (h / 24) as i32),
            _ => t,
        }
    })
}

fn kind() -> impl Strategy<Value = EventKind> {
    prop_oneof![
        3 => Just(EventKind::SupplementRequested),
        3 => Just(EventKind::SupplementCompleted),
        1 => Just(EventKind::PaymentRequested),
        3 => Just(EventKind::Completed),
        2 => Just(EventKind::Returned),
        1 => Just(EventKind::Stopped),
        1 => Just(EventKind::Withdrawn),
    ]
}

#[derive(Debug, Clone)]
struct Gen {
    unit: u32,
    proc_: u32,
    received: Option<i64>,
    due: i64,
    flags: u16,
    events: Vec<(EventKind, i64)>,
    split: usize,
}

fn gen_dossier() -> impl Strategy<Value = Gen> {
    (
        0u32..5,
        0u32..3,
        prop::option::weighted(0.95, instant()),
        instant(),
        any::<u16>(),
        prop::collection::vec((kind(), instant()), 0..6),
        0usize..6,
    )
        .prop_map(|(unit, proc_, received, due, flags, mut events, split)| {
            events.sort_by_key(|e| e.1);
            // Child dossiers are rare.
            let flags = flags & !1 | u16::from(flags % 13 == 0);
            Gen {
                unit,
                proc_,
                received,
                due,
                flags: flags & 0x3fff,
                events,
                split,
            }
        })
}

fn gen_petition() -> impl Strategy<Value = (u32, i64, i64, Option<i64>, u16)> {
    (
        0u32..5,
        instant(),
        instant(),
        prop::option::of(instant()),
        0u16..4,
    )
}

fn to_dossier(g: &Gen, events: &[(EventKind, i64)]) -> Dossier {
    Dossier::new(
        g.unit,
        g.proc_,
        g.received.unwrap_or(NEVER),
        g.received.map_or(NEVER, |_| g.due),
        g.flags,
    )
    .with_events(events.iter().copied())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn engine_equals_recompute(
        gens in prop::collection::vec(gen_dossier(), 0..40),
        replace in prop::collection::vec((0usize..40, gen_dossier()), 0..5),
        pets in prop::collection::vec(gen_petition(), 0..10),
        periods in prop::collection::vec((0i32..32, 0i32..10, 0u32..5), 1..6),
    ) {
        let cat = catalogue();
        let (cal, def) = (Calendar::vietnam(), Definition::default_766());
        let mut engine = Engine::new(cat.clone());
        let mut final_state: HashMap<String, Dossier> = HashMap::new();
        // Records carry the first `split` events; the rest arrive one at a time. Codes of
        // both kinds the engine keeps (packed, and other strings).
        let code_of = |i: usize| if i.is_multiple_of(2) { format!("D-{i}") } else { format!("000.00.31.H57-250301-{i:04}") };
        for (i, g) in gens.iter().enumerate() {
            let code = code_of(i);
            let k = g.split.min(g.events.len());
            engine.apply(DossierFact::Record { code: code.clone(), dossier: to_dossier(g, &g.events[..k]) }).unwrap();
            for &(kind, at) in &g.events[k..] {
                engine.apply(DossierFact::Event { code: code.clone(), kind, at }).unwrap();
            }
            final_state.insert(code, to_dossier(g, &g.events));
        }
        for (i, g) in &replace {
            if *i < gens.len() {
                let code = code_of(*i);
                let d = to_dossier(g, &g.events);
                engine.apply(DossierFact::Record { code: code.clone(), dossier: d }).unwrap();
                final_state.insert(code, d);
            }
        }
        let pets: Vec<Petition> = pets.iter().map(|&(unit, received, deadline, resolved, flags)| Petition {
            received, deadline, resolved: resolved.unwrap_or(NEVER), unit, flags,
        }).collect();
        for (i, p) in pets.iter().enumerate() {
            engine.apply_petition(&format!("P-{i}"), *p).unwrap();
        }
        for (start, len, unit) in periods {
            let d0 = base() - 2 + start;
            let to_date = |d: i32| motcua_index::instant::date_of_day(d).unwrap();
            let period = Period::new(to_date(d0), to_date(d0 + len)).unwrap();
            let mut acc = Accumulator::new(&cat, period);
            for d in final_state.values() { acc.add_dossier(d); }
            for p in &pets { acc.add_petition(p); }
            let want = all_figures(&cat, &cal, &def, period, &acc);
            let got = engine.figures(&cal, &def, period, unit);
            prop_assert_eq!(&got, &want[unit as usize], "period {:?} unit {}", period, unit);
        }
        // The facts come back exactly (instants 1 ns off the second included).
        for (code, d) in &final_state {
            prop_assert_eq!(engine.dossier(code), Some(*d));
        }
        prop_assert_eq!(engine.dossiers().count(), final_state.len());
    }
}

#[test]
fn whole_output_agrees_on_the_realistic_bundle() {
    use motcua_index::records::{parse_dossiers, parse_petitions};
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/hue");
    let dir = common::fixtures().join("realistic");
    let cat = Catalogue::parse(
        &common::read_opt(&demo.join("units.jsonl")),
        &common::read_opt(&demo.join("procedures.jsonl")),
    )
    .unwrap();
    let (cal, def) = (Calendar::vietnam(), Definition::default_766());
    let dl = motcua_index::deadlines(&cal, &def);
    let ds = parse_dossiers(&common::read_opt(&dir.join("dossiers.jsonl")), &cat, &dl);
    let ps = parse_petitions(&common::read_opt(&dir.join("petitions.jsonl")), &cat, &dl);
    assert!(ds.errors.is_empty() && ps.errors.is_empty());
    let mut engine = Engine::new(cat.clone());
    for (_, code, d) in &ds.records {
        engine
            .apply(DossierFact::Record {
                code: code.clone(),
                dossier: *d,
            })
            .unwrap();
    }
    for (_, id, p) in &ps.records {
        engine.apply_petition(id, *p).unwrap();
    }
    for (from, to) in [
        ((2025, 1, 1), (2025, 3, 31)),
        ((2024, 12, 15), (2025, 1, 20)),
        ((2025, 4, 1), (2025, 4, 1)),
    ] {
        let date = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let period = Period::new(date(from), date(to)).unwrap();
        let mut acc = Accumulator::new(&cat, period);
        ds.records.iter().for_each(|r| acc.add_dossier(&r.2));
        ps.records.iter().for_each(|r| acc.add_petition(&r.2));
        let figures = all_figures(&cat, &cal, &def, period, &acc);
        let want = motcua_index::output::build_output(&cat, &def, period, &figures, None);
        assert_eq!(engine.output(&cal, &def, period, None), want, "{period:?}");
    }
}
