//! The full output on a realistic bundle: the Huế demo catalogue (55 units, 126
//! procedures) with 600 generated dossiers and 60 petitions over December 2024 – April 2025.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

mod common;

use chrono::NaiveDate;
use motcua_calendar::Calendar;
use motcua_index::compute::Period;
use motcua_index::definition::Definition;
use motcua_index::{BundleText, compute_bundle};
use std::path::Path;

#[test]
fn realistic_quarter() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/hue");
    let dir = common::fixtures().join("realistic");
    let [u, p, d, pe] = [
        common::read_opt(&demo.join("units.jsonl")),
        common::read_opt(&demo.join("procedures.jsonl")),
        common::read_opt(&dir.join("dossiers.jsonl")),
        common::read_opt(&dir.join("petitions.jsonl")),
    ];
    let period = Period::new(
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
    )
    .unwrap();
    let out = compute_bundle(
        BundleText {
            units: &u,
            procedures: &p,
            dossiers: &d,
            petitions: &pe,
        },
        &Definition::default_766(),
        &Calendar::vietnam(),
        period,
        None,
    )
    .unwrap();
    assert_eq!(out.units.len(), 55);
    insta::assert_json_snapshot!(out);
}
