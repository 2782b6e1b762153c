//! `motcua index compute` as an operator runs it, on the index crate's fixture bundles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../index/tests/fixtures")
}

/// A bundle folder: the shared fixture catalogue plus one case's dossiers.
fn bundle(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["units.jsonl", "procedures.jsonl"] {
        std::fs::copy(fixtures().join("catalogue").join(f), dir.path().join(f)).unwrap();
    }
    for f in ["dossiers.jsonl", "petitions.jsonl"] {
        let src = fixtures().join(case).join(f);
        if src.exists() {
            std::fs::copy(src, dir.path().join(f)).unwrap();
        }
    }
    dir
}

fn motcua(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .output()
        .expect("run motcua")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn computes_json_and_table() {
    let dir = bundle("scope_summing");
    let d = dir.path().to_str().unwrap();
    let args = [
        "index",
        "compute",
        "--bundle",
        d,
        "--from",
        "2025-03-03",
        "--to",
        "2025-03-07",
    ];
    let out = motcua(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], "766-2026.2");
    assert_eq!(json["units"].as_array().unwrap().len(), 5);
    let progress = &json["units"][0]["groups"][1]["metrics"][0];
    assert_eq!(progress["code"], "PROGRESS_ON_TIME");
    assert_eq!(progress["numerator"], 2);
    assert_eq!(progress["denominator"], 4);

    let mut one = args.to_vec();
    one.extend(["--unit", "000.00.32.H57", "--format", "table"]);
    let out = motcua(&one);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let t = text(&out.stdout);
    assert!(
        t.contains("000.00.32.H57 — Sở Xây dựng (Sở, ban, ngành)"),
        "{t}"
    );
    assert!(t.contains("Tiến độ giải quyết"), "{t}");
    assert!(t.contains("Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn"), "{t}");
    assert!(t.contains("33,33%"), "{t}");
    assert!(!t.contains("000.00.31.H57"), "filtered to the unit's scope");
}

#[test]
fn bad_lines_are_reported_and_nothing_is_printed() {
    let dir = bundle("bad_line");
    let d = dir.path().to_str().unwrap();
    let out = motcua(&[
        "index",
        "compute",
        "--bundle",
        d,
        "--from",
        "2025-03-03",
        "--to",
        "2025-03-07",
    ]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines[0], "dossiers.jsonl:3: unit 000.00.99.H57 does not exist",
        "{err}"
    );
    assert!(
        lines[1].starts_with("dossiers.jsonl:4: EOF while parsing"),
        "{err}"
    );
    assert!(
        lines[2].starts_with("dossiers.jsonl:5: unknown variant `fax`"),
        "{err}"
    );
}

#[test]
fn refuses_bad_arguments() {
    let dir = bundle("empty");
    let d = dir.path().to_str().unwrap();
    let out = motcua(&[
        "index",
        "compute",
        "--bundle",
        d,
        "--from",
        "2025-03-07",
        "--to",
        "2025-03-03",
    ]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("after it ends"));
    let out = motcua(&[
        "index",
        "compute",
        "--bundle",
        d,
        "--from",
        "2025-03-03",
        "--to",
        "2025-03-07",
        "--unit",
        "000.00.99.H57",
    ]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("unit 000.00.99.H57 is not in the bundle"));
}

/// Many chunks and threads give the same result as the in-memory path.
#[test]
fn streaming_matches_the_library() {
    let dir = bundle("events_after_end");
    let one = std::fs::read_to_string(dir.path().join("dossiers.jsonl")).unwrap();
    // Enough lines for several 4 MiB chunks.
    let big = one.repeat(2000 * 1024 / one.len().max(1) * 4);
    std::fs::write(dir.path().join("dossiers.jsonl"), &big).unwrap();
    let d = dir.path().to_str().unwrap();
    let out = motcua(&[
        "index",
        "compute",
        "--bundle",
        d,
        "--from",
        "2025-03-03",
        "--to",
        "2025-03-07",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = big.lines().count() as u64;
    let progress = &json["units"][1]["groups"][1]["metrics"][0];
    assert_eq!(progress["denominator"], n);
    assert_eq!(progress["numerator"], n / 5 * 4);
}
