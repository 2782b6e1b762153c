//! `motcua import` / `motcua export` as an operator runs them, against a real database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_store::testing::TestDb;
use std::path::Path;
use std::process::{Command, Output};

fn motcua(args: &[&str], db: &TestDb) -> Output {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .env("MOTCUA_DATABASE_URL", db.url_for_process())
        .output()
        .expect("run motcua")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn demo_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/hue"))
}

#[tokio::test]
async fn demo_bundle_round_trips_byte_for_byte() {
    let db = TestDb::new().await.unwrap();
    let out = motcua(&["import", "--bundle", demo_dir().to_str().unwrap()], &db);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("imported 55 unit(s); 126 procedure(s) published"));

    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let out = motcua(&["export", "--bundle", a.path().to_str().unwrap()], &db);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Re-importing the export changes nothing, and exports the same bytes.
    let out = motcua(&["import", "--bundle", a.path().to_str().unwrap()], &db);
    assert!(
        text(&out.stdout).contains("0 procedure(s) published, 126 unchanged"),
        "{}",
        text(&out.stdout)
    );
    let out = motcua(&["export", "--bundle", b.path().to_str().unwrap()], &db);
    assert!(out.status.success());
    for f in ["units.jsonl", "procedures.jsonl"] {
        let x = std::fs::read(a.path().join(f)).unwrap();
        let y = std::fs::read(b.path().join(f)).unwrap();
        assert!(!x.is_empty());
        assert_eq!(x, y, "{f} differs");
    }
    // Nothing the demo carries is lost: sources and verification flags survive.
    let units = std::fs::read_to_string(a.path().join("units.jsonl")).unwrap();
    assert!(units.contains("\"code_verified\":false"));
    let procs = std::fs::read_to_string(a.path().join("procedures.jsonl")).unwrap();
    assert!(procs.contains("\"provenance\""));
}

const UNITS: &str = r#"{"code":"000.00.00.H57","name":"UBND","kind":"province","parent":null,"e_certified_copy":false}
{"code":"000.00.83.H57","name":"Sở Tư pháp","kind":"department","parent":"000.00.00.H57","e_certified_copy":false}
"#;

#[tokio::test]
async fn a_bad_line_stops_the_import_and_writes_nothing() {
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("units.jsonl"), UNITS).unwrap();
    std::fs::write(
        dir.path().join("procedures.jsonl"),
        concat!(
            r#"{"code":"1.001193","name":"Đăng ký khai sinh","units":["000.00.83.H57"]}"#, "\n",
            r#"{"code":"1.000894","name":"Đăng ký kết hôn","units":["000.00.99.H57"]}"#, "\n",
            r#"{"code":"1.000656","name":"Đăng ký khai tử","units":["000.00.83.H57"],"time_limit":{"value":2.5,"unit":"days"}}"#, "\n",
        ),
    )
    .unwrap();
    let out = motcua(&["import", "--bundle", dir.path().to_str().unwrap()], &db);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("procedures.jsonl:2: unit 000.00.99.H57 does not exist"),
        "{err}"
    );
    assert!(
        err.contains("procedures.jsonl:3: value must be a whole number for unit days"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(
        db.store.units().await.unwrap().is_empty(),
        "no unit written"
    );

    let out = motcua(
        &[
            "import",
            "--bundle",
            dir.path().to_str().unwrap(),
            "--skip-bad-lines",
        ],
        &db,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 procedure(s) published"));
    assert!(text(&out.stdout).contains("2 line(s) skipped"));
    assert!(text(&out.stderr).contains("skipped procedures.jsonl:2"));
    assert_eq!(db.store.units().await.unwrap().len(), 2);
}

#[tokio::test]
async fn import_refuses_a_missing_folder() {
    let db = TestDb::new().await.unwrap();
    let out = motcua(&["import", "--bundle", "no/such/folder"], &db);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("not a folder"));
}

/// What a newcomer gets wrong first: a broken line, a parent that is not there, the same
/// procedure twice. Each is named with its file and line, and the database stays empty.
#[tokio::test]
async fn every_kind_of_bad_line_is_named_and_nothing_is_written() {
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("units.jsonl"),
        format!(
            "{UNITS}{}\n{}\n",
            r#"{"code":"000.01.99.H57","name":"Phường An Cựu","kind":"commune","parent":"000.00.77.H57","e_certified_copy":false}"#,
            r#"{"code":"000.02.99.H57","name":"Phường Thuận Hóa","kind":"commune","#,
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("procedures.jsonl"),
        concat!(
            r#"{"code":"1.001193","name":"Đăng ký khai sinh","units":["000.00.83.H57"]}"#,
            "\n",
            r#"{"code":"1.001193","name":"Đăng ký khai sinh (bản sao)","units":["000.00.83.H57"]}"#,
            "\n",
        ),
    )
    .unwrap();
    let out = motcua(&["import", "--bundle", dir.path().to_str().unwrap()], &db);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    for expected in [
        "units.jsonl:3: parent 000.00.77.H57 does not exist",
        "units.jsonl:4:",
        "procedures.jsonl:2: procedure 1.001193 appears twice",
        "nothing was imported",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(db.store.units().await.unwrap().is_empty());
    let published = db.store.published_procedures().await.unwrap();
    assert!(published.is_empty(), "no procedure written");
}
