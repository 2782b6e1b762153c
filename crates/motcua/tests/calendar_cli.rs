//! `motcua calendar …` run as a process, the way an operator runs it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

fn motcua(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .arg("calendar")
        .args(args)
        .output()
        .expect("run motcua")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn check_the_days_of_the_issue() {
    let o = motcua(&["check", "2025-04-26", "2025-05-02", "2026-02-16"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<_> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], "2025-04-26 working");
    assert_eq!(
        lines[1],
        "2025-05-02 off Nghỉ hoán đổi dịp 30/4–1/5 (làm bù thứ Bảy 26/4)"
    );
    assert_eq!(lines[2], "2026-02-16 off Tết Nguyên đán (29 tháng Chạp)");
}

#[test]
fn check_json() {
    let o = motcua(&["check", "--format", "json", "2025-05-03", "2025-05-05"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v,
        serde_json::json!([
            {"date": "2025-05-03", "working": false, "reason": "Thứ Bảy"},
            {"date": "2025-05-05", "working": true, "reason": null}
        ])
    );
}

#[test]
fn the_spec_worked_examples() {
    let cases = [
        (
            [
                "--from",
                "2025-04-25T10:00:00+07:00",
                "--value",
                "3",
                "--unit",
                "working_days",
                "--mode",
                "end_of_day",
            ],
            "2025-04-29T17:00:00+07:00",
        ),
        (
            [
                "--from",
                "2025-04-29T15:00:00+07:00",
                "--value",
                "2",
                "--unit",
                "working_days",
                "--mode",
                "end_of_day",
            ],
            "2025-05-06T17:00:00+07:00",
        ),
        (
            [
                "--from",
                "2025-03-03T16:00:00+07:00",
                "--value",
                "4",
                "--unit",
                "hours",
                "--mode",
                "working_time",
            ],
            "2025-03-04T10:30:00+07:00",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["due"];
        all.extend(args);
        let o = motcua(&all);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o), format!("{want}\n"));
    }
    let o = motcua(&[
        "due",
        "--from",
        "2025-04-25T03:00:00Z",
        "--value",
        "3",
        "--unit",
        "working_days",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v, serde_json::json!({"due": "2025-04-29T17:00:00+07:00"}));
}

#[test]
fn year_lists_exceptions_with_sources() {
    let o = motcua(&["year", "2025"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains("2025-04-26 working "), "{out}");
    assert!(out.contains("2025-05-02 off "), "{out}");
    assert!(out.lines().all(|l| l.contains("[nguồn: ")));
    let o = motcua(&["year", "2025", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|r| r["source"].as_str().is_some_and(|s| !s.is_empty()))
    );
}

#[test]
fn invalid_input_exits_2_with_one_line() {
    let from = "2025-03-03T16:00:00+07:00";
    let cases: [(&[&str], &str); 7] = [
        (
            &["check", "2025-02-30"],
            "error: invalid date \"2025-02-30\": expected YYYY-MM-DD",
        ),
        (
            &["due", "--from", from, "--value", "0", "--unit", "hours"],
            "error: --value must be greater than 0",
        ),
        (
            &["due", "--from", from, "--value", "-1", "--unit", "days"],
            "error: --value must be greater than 0",
        ),
        (
            &["due", "--from", from, "--value", "0.5", "--unit", "days"],
            "error: --value must be a whole number for unit days",
        ),
        (
            &["due", "--from", from, "--value", "1.5", "--unit", "months"],
            "error: --value must be a whole number for unit months",
        ),
        (
            &["due", "--from", from, "--value", "2", "--unit", "weeks"],
            "error: --unit must be one of hours, working_days, days, months (got \"weeks\")",
        ),
        (
            &[
                "due",
                "--from",
                "yesterday",
                "--value",
                "2",
                "--unit",
                "days",
            ],
            "error: --from must be an RFC 3339 instant like 2025-04-25T10:00:00+07:00 (got \"yesterday\")",
        ),
    ];
    for (args, want) in cases {
        let o = motcua(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&o), format!("{want}\n"), "{args:?}");
        assert!(o.stdout.is_empty());
    }
}
