//! The spec's edge cases one by one: each `tests/fixtures/<case>/` holds a small hand-made
//! bundle and `expected.json` with hand-computed figures (numerator, denominator, ratio,
//! score per metric; total, rating and rank where stated). `note` says what the case shows.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

mod common;

use chrono::NaiveDate;
use motcua_calendar::Calendar;
use motcua_index::compute::Period;
use motcua_index::definition::Definition;
use motcua_index::output::Output;
use motcua_index::{BundleText, compute_bundle};
use serde_json::Value;

fn run(case: &str) -> (Output, Value) {
    let [u, p, d, pe] = common::bundle(case);
    let exp: Value = serde_json::from_str(&common::read_opt(
        &common::fixtures().join(case).join("expected.json"),
    ))
    .unwrap();
    let date = |k: &str| NaiveDate::parse_from_str(exp[k].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let period = Period::new(date("from"), date("to")).unwrap();
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
        exp["unit"].as_str(),
    )
    .unwrap_or_else(|e| panic!("{case}: {e:?}"));
    (out, exp)
}

fn check(case: &str) {
    let (out, exp) = run(case);
    for (unit, metrics) in exp["expect"].as_object().unwrap() {
        let u = out
            .units
            .iter()
            .find(|u| &u.code == unit)
            .unwrap_or_else(|| panic!("{case}: unit {unit} missing"));
        for (code, want) in metrics.as_object().unwrap() {
            match code.as_str() {
                "total" => assert_eq!(u.total, want.as_f64().unwrap(), "{case} {unit} total"),
                "rank" => assert_eq!(u.rank as u64, want.as_u64().unwrap(), "{case} {unit} rank"),
                "rating" => assert_eq!(u.rating, want.as_str().unwrap(), "{case} {unit}"),
                _ => {
                    let m = u
                        .groups
                        .iter()
                        .flat_map(|g| &g.metrics)
                        .find(|m| &m.code == code)
                        .unwrap();
                    let got = serde_json::json!([m.numerator, m.denominator, m.ratio, m.score]);
                    assert_eq!(&got, want, "{case} {unit} {code}");
                }
            }
        }
    }
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => { $( #[test] fn $name() { check(stringify!($name)); } )* };
}

cases!(
    two_supplements,
    pending_supplement,
    due_exactly_at_end,
    carried_over,
    events_after_end,
    child_excluded,
    empty,
    full_points,
    rank_ties,
    due_null_calendar,
    scope_summing,
    petitions,
);

#[test]
fn unit_filter_keeps_ranks_among_all_units() {
    let [u, p, d, pe] = common::bundle("rank_ties");
    let period = Period::new(
        NaiveDate::from_ymd_opt(2025, 3, 3).unwrap(),
        NaiveDate::from_ymd_opt(2025, 3, 7).unwrap(),
    )
    .unwrap();
    let b = BundleText {
        units: &u,
        procedures: &p,
        dossiers: &d,
        petitions: &pe,
    };
    let (def, cal) = (Definition::default_766(), Calendar::vietnam());
    let out = compute_bundle(b, &def, &cal, period, Some("000.00.43.H57")).unwrap();
    assert_eq!(out.units.len(), 1);
    assert_eq!(out.units[0].rank, 2);
    let all = compute_bundle(b, &def, &cal, period, Some("000.00.00.H57")).unwrap();
    assert_eq!(all.units.len(), 5, "the root's scope is every unit");
    assert!(compute_bundle(b, &def, &cal, period, Some("000.00.99.H57")).is_err());
}

#[test]
fn bad_lines_are_all_reported_with_file_and_line() {
    let [u, p, d, pe] = common::bundle("bad_line");
    let period = Period::new(
        NaiveDate::from_ymd_opt(2025, 3, 3).unwrap(),
        NaiveDate::from_ymd_opt(2025, 3, 7).unwrap(),
    )
    .unwrap();
    let b = BundleText {
        units: &u,
        procedures: &p,
        dossiers: &d,
        petitions: &pe,
    };
    let errors = compute_bundle(
        b,
        &Definition::default_766(),
        &Calendar::vietnam(),
        period,
        None,
    )
    .unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 3, "{text:?}");
    assert_eq!(
        text[0],
        "dossiers.jsonl:3: unit 000.00.99.H57 does not exist"
    );
    assert!(
        text[1].starts_with("dossiers.jsonl:4: EOF while parsing"),
        "{}",
        text[1]
    );
    assert!(
        text[2].starts_with("dossiers.jsonl:5: unknown variant `fax`"),
        "{}",
        text[2]
    );
}

#[test]
fn output_shape_and_field_order() {
    let (out, _) = run("scope_summing");
    let json = serde_json::to_string(&out).unwrap();
    assert!(json.starts_with(
        r#"{"version":"766-2026.2","period":{"from":"2025-03-03","to":"2025-03-07"},"units":[{"code":"000.00.00.H57","name":"UBND thành phố Huế","kind":"province","total":"#
    ), "{json}");
    assert!(json.contains(r#"{"key":"transparency","score":"#));
    assert!(json.contains(r#"{"code":"PUBLISH_ON_TIME","numerator":1,"denominator":2,"ratio":0.5,"score":3.0,"max":6}"#), "{json}");
    let codes: Vec<&str> = out.units.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "000.00.00.H57",
            "000.00.31.H57",
            "000.00.32.H57",
            "000.11.31.H57",
            "000.12.31.H57"
        ]
    );
    let keys: Vec<&str> = out.units[0].groups.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "transparency",
            "progress",
            "online_service",
            "online_payment",
            "satisfaction",
            "digitisation"
        ]
    );
}
