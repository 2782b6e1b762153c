//! `motcua import --bundle` with a dossier history, as an operator moving from another
//! system runs it: the history becomes real dossiers that export back to the same bytes,
//! bad lines stop everything, and the live index sees the imported dossiers at start-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use motcua_index::compute::Period;
use motcua_index::definition::Definition;
use motcua_index::{BundleText, compute_bundle};
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

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

fn read(dir: &Path, f: &str) -> String {
    std::fs::read_to_string(dir.join(f)).unwrap()
}

fn sorted_lines(s: &str) -> String {
    let mut v: Vec<&str> = s.lines().collect();
    // Export sorts by code; the code is the first field of every line.
    v.sort_by_key(|l| l.split('"').nth(3).unwrap_or_default().to_owned());
    v.iter().map(|l| format!("{l}\n")).collect()
}

fn generate(dir: &Path, dossiers: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args([
            "gen",
            "--bundle",
            dir.to_str().unwrap(),
            "--units",
            "40",
            "--procedures",
            "50",
            "--dossiers",
            dossiers,
            "--seed",
            "11",
            "--null-due-share",
            "0.05",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

async fn live_output(db: &TestDb, period: Period) -> serde_json::Value {
    db.store.seed_calendar().await.unwrap();
    let state = motcua_web::AppState::load(db.store.clone(), motcua_web::Config::default())
        .await
        .unwrap();
    serde_json::to_value(state.app.live.output(period, None).unwrap().unwrap()).unwrap()
}

#[tokio::test]
async fn generated_history_imports_exports_and_reimports_byte_for_byte() {
    let src = tempfile::tempdir().unwrap();
    generate(src.path(), "4000");
    let generated = read(src.path(), "dossiers.jsonl");
    assert!(
        generated.contains(r#""due_at":null"#),
        "some appointments unknown"
    );
    assert!(
        generated.contains(r#""parent":"000.00.00.H48-"#),
        "some foreign parents"
    );

    let db1 = TestDb::new().await.unwrap();
    let out = ok(motcua(
        &["import", "--bundle", src.path().to_str().unwrap()],
        &db1,
    ));
    assert!(
        out.contains("4000 dossier(s) imported, 0 unchanged; 0 line(s) skipped"),
        "{out}"
    );
    let a = tempfile::tempdir().unwrap();
    ok(motcua(
        &["export", "--bundle", a.path().to_str().unwrap()],
        &db1,
    ));
    let exported = read(a.path(), "dossiers.jsonl");
    assert_eq!(exported.lines().count(), 4000);
    assert!(
        exported == sorted_lines(&generated),
        "gen → import → export gives back the generated lines"
    );

    // Into a fresh database, and out again: the same bytes, every file.
    let db2 = TestDb::new().await.unwrap();
    ok(motcua(
        &["import", "--bundle", a.path().to_str().unwrap()],
        &db2,
    ));
    let b = tempfile::tempdir().unwrap();
    ok(motcua(
        &["export", "--bundle", b.path().to_str().unwrap()],
        &db2,
    ));
    for f in ["units.jsonl", "procedures.jsonl", "dossiers.jsonl"] {
        assert!(read(a.path(), f) == read(b.path(), f), "{f} differs");
    }
    // The same history again changes nothing.
    let out = ok(motcua(
        &["import", "--bundle", b.path().to_str().unwrap()],
        &db2,
    ));
    assert!(
        out.contains("0 dossier(s) imported, 4000 unchanged"),
        "{out}"
    );

    // Real dossiers: projection and events, with the outside facts kept.
    let line = exported
        .lines()
        .find(|l| l.contains(r#""events":[{"kind":"supplement_requested""#))
        .unwrap();
    let code = line.split('"').nth(3).unwrap();
    let d = db2.store.dossier(code).await.unwrap().state;
    assert_eq!(d.code.as_ref().map(|c| c.as_str()), Some(code));
    let kinds: Vec<&str> = db2
        .store
        .dossier_events(code)
        .await
        .unwrap()
        .iter()
        .map(|e| e.change.kind())
        .collect::<Vec<_>>();
    assert_eq!(
        &kinds[..5],
        [
            "created",
            "submitted",
            "received",
            "imported",
            "supplement_requested"
        ]
    );

    // At start-up the live index holds the imported dossiers: it answers what the
    // offline computation gives on the exported bundle.
    let period = Period::new(
        NaiveDate::from_ymd_opt(2024, 10, 1).unwrap(),
        NaiveDate::from_ymd_opt(2025, 4, 30).unwrap(),
    )
    .unwrap();
    let calendar = db2.store.calendar().await.unwrap();
    let offline = compute_bundle(
        BundleText {
            units: &read(b.path(), "units.jsonl"),
            procedures: &read(b.path(), "procedures.jsonl"),
            dossiers: &read(b.path(), "dossiers.jsonl"),
            petitions: "",
        },
        &Definition::default_766(),
        &calendar,
        period,
        None,
    )
    .unwrap();
    let live = live_output(&db2, period).await;
    assert_eq!(live, serde_json::to_value(&offline).unwrap());
    // Not an empty agreement: the province's scope counts thousands of received dossiers.
    let widest = live["units"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|u| u["groups"].as_array().unwrap())
        .flat_map(|g| g["metrics"].as_array().unwrap())
        .map(|m| m["denominator"].as_i64().unwrap())
        .max()
        .unwrap();
    assert!(widest >= 3000, "{widest}");
}

const UNITS: &str = r#"{"code":"000.00.00.H57","name":"UBND","kind":"province","parent":null,"e_certified_copy":false}
{"code":"000.00.31.H57","name":"Sở Tư pháp","kind":"department","parent":"000.00.00.H57","e_certified_copy":false}
"#;
const PROCEDURES: &str = r#"{"code":"1.001193","name":"Đăng ký khai sinh","units":["000.00.31.H57"],"time_limit":{"value":1,"unit":"working_days"}}
{"code":"1.000894","name":"Đăng ký kết hôn","units":["000.00.31.H57"]}
"#;

fn line(code: &str, procedure: &str, unit: &str, due: &str) -> String {
    format!(
        r#"{{"code":"{code}","procedure":"{procedure}","unit":"{unit}","parent":null,"channel":"online","applicant_kind":"citizen","submitted_at":"2025-01-07T07:50:00+07:00","received_at":"2025-01-07T08:15:00+07:00","due_at":{due},"events":[{{"kind":"completed","at":"2025-01-08T16:00:00+07:00"}}],"fee_due":0,"paid_online":false,"synced":true,"component_files":true,"reused_component":false,"from_data_store":false,"result_file":true,"result_to_data_store":false,"citizen_data":true,"rating":null,"complained":false}}"#
    )
}

fn bundle(dossiers: &[String]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("units.jsonl"), UNITS).unwrap();
    std::fs::write(dir.path().join("procedures.jsonl"), PROCEDURES).unwrap();
    std::fs::write(
        dir.path().join("dossiers.jsonl"),
        dossiers.join("\n") + "\n",
    )
    .unwrap();
    dir
}

const DUE: &str = r#""2025-01-08T17:00:00+07:00""#;

#[tokio::test]
async fn bad_dossier_lines_stop_the_whole_bundle_or_are_skipped_when_asked() {
    let db = TestDb::new().await.unwrap();
    let dir = bundle(&[
        line(
            "000.00.31.H57-250107-0001",
            "1.001193",
            "000.00.31.H57",
            DUE,
        ),
        line(
            "000.00.31.H57-250107-0002",
            "1.001193",
            "000.00.99.H57",
            DUE,
        ),
        line(
            "000.00.31.H57-250107-0003",
            "1.999999",
            "000.00.31.H57",
            DUE,
        ),
        line(
            "000.00.31.H57-250107-0004",
            "1.000894",
            "000.00.31.H57",
            "null",
        ),
        line(
            "000.00.31.H57-250107-0001",
            "1.001193",
            "000.00.31.H57",
            DUE,
        ),
        "{\"code\":".into(),
        line(
            "000.00.31.H57-250107-0005",
            "1.000894",
            "000.00.31.H57",
            DUE,
        ),
    ]);
    let out = motcua(&["import", "--bundle", dir.path().to_str().unwrap()], &db);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    for want in [
        "dossiers.jsonl:2: unit 000.00.99.H57 does not exist",
        "dossiers.jsonl:3: procedure 1.999999 does not exist",
        "dossiers.jsonl:4: due_at is null and procedure 1.000894 has no time_limit",
        "dossiers.jsonl:5: dossier 000.00.31.H57-250107-0001 appears twice (first on line 1)",
        "dossiers.jsonl:6: EOF while parsing",
        "nothing was imported (5 bad line(s)",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
    assert!(
        db.store.units().await.unwrap().is_empty(),
        "not even the catalogue"
    );
    assert!(db.store.dossier("000.00.31.H57-250107-0001").await.is_err());

    let out = ok(motcua(
        &[
            "import",
            "--bundle",
            dir.path().to_str().unwrap(),
            "--skip-bad-lines",
        ],
        &db,
    ));
    assert!(
        out.contains("2 dossier(s) imported, 0 unchanged; 5 line(s) skipped"),
        "{out}"
    );
    let e = tempfile::tempdir().unwrap();
    ok(motcua(
        &["export", "--bundle", e.path().to_str().unwrap()],
        &db,
    ));
    assert_eq!(
        read(e.path(), "dossiers.jsonl"),
        format!(
            "{}\n{}\n",
            line(
                "000.00.31.H57-250107-0001",
                "1.001193",
                "000.00.31.H57",
                DUE
            ),
            line(
                "000.00.31.H57-250107-0005",
                "1.000894",
                "000.00.31.H57",
                DUE
            )
        )
    );

    // Another history under a stored code is refused, and nothing else of it is written.
    let other = bundle(&[
        line(
            "000.00.31.H57-250107-0001",
            "1.000894",
            "000.00.31.H57",
            DUE,
        ),
        line(
            "000.00.31.H57-250107-0009",
            "1.001193",
            "000.00.31.H57",
            DUE,
        ),
    ]);
    let out = motcua(&["import", "--bundle", other.path().to_str().unwrap()], &db);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("dossiers.jsonl:1: dossier 000.00.31.H57-250107-0001 already exists with a different history"),
        "{}",
        text(&out.stderr)
    );
    assert!(db.store.dossier("000.00.31.H57-250107-0009").await.is_err());
}

const COMMUNE: &str = "000.01.99.H57";

/// The server in-process on `db`, with the demo catalogue and one account per role.
async fn serve(db: &TestDb) -> (String, tokio::sync::oneshot::Sender<()>) {
    use motcua_domain::access::{Grant, Role};
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/hue");
    ok(motcua(&["import", "--bundle", demo], db));
    for (user, role) in [
        ("congdan", Role::Applicant),
        ("tiepnhan", Role::ReceptionOfficer),
        ("chuyenvien", Role::Specialist),
        ("lanhdao", Role::Leader),
    ] {
        let g = Grant {
            role,
            unit: motcua_domain::UnitCode::parse(COMMUNE).unwrap(),
            with_sub_units: false,
        };
        db.store
            .create_account(user, user, "mat-khau-thu-nghiem", &[g], None)
            .await
            .unwrap();
    }
    db.store.seed_calendar().await.unwrap();
    let state = motcua_web::AppState::load(db.store.clone(), motcua_web::Config::default())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(motcua_web::serve(listener, state, async {
        let _ = rx.await;
    }));
    (base, tx)
}

struct Who {
    c: reqwest::Client,
    csrf: String,
    base: String,
}

impl Who {
    async fn login(base: &str, user: &str) -> Who {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r: serde_json::Value = c
            .post(format!("{base}/api/v1/login"))
            .json(&serde_json::json!({"username": user, "password": "mat-khau-thu-nghiem"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Who {
            c,
            csrf: r["csrf_token"].as_str().unwrap().to_owned(),
            base: base.to_owned(),
        }
    }
    async fn post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let r = self
            .c
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        let s = r.status();
        let v: serde_json::Value = r.json().await.unwrap();
        assert!(s.is_success(), "{path}: {s} {v}");
        v
    }
    /// A new dossier submitted online; returns its id.
    async fn submitted(&self) -> String {
        let d = self
            .post(
                "/api/v1/dossiers",
                serde_json::json!({"procedure": "1.004194", "unit": COMMUNE}),
            )
            .await;
        let id = d["dossier"]["id"].as_str().unwrap().to_owned();
        self.post(
            &format!("/api/v1/dossiers/{id}/submit"),
            serde_json::json!({"channel": "online", "form_data": {}}),
        )
        .await;
        id
    }
}

#[tokio::test]
async fn dossiers_made_here_export_import_and_export_to_the_same_bytes() {
    use serde_json::json;
    let db1 = TestDb::new().await.unwrap();
    let (base, _stop) = serve(&db1).await;
    let citizen = Who::login(&base, "congdan").await;
    let desk = Who::login(&base, "tiepnhan").await;
    let spec = Who::login(&base, "chuyenvien").await;
    let lead = Who::login(&base, "lanhdao").await;
    // Returned and rated; left waiting at the desk; refused; stopped clock then running.
    let done = citizen.submitted().await;
    desk.post(
        &format!("/api/v1/dossiers/{done}/receive"),
        json!({"desk": COMMUNE}),
    )
    .await;
    spec.post(&format!("/api/v1/dossiers/{done}/forward"), json!({}))
        .await;
    lead.post(
        &format!("/api/v1/dossiers/{done}/complete"),
        json!({"results": ["Giấy phép"]}),
    )
    .await;
    desk.post(
        &format!("/api/v1/dossiers/{done}/return"),
        json!({"how": "Trực tuyến"}),
    )
    .await;
    citizen
        .post(
            &format!("/api/v1/dossiers/{done}/rate"),
            json!({"rating": "unsatisfied"}),
        )
        .await;
    let waiting = citizen.submitted().await;
    let refused = citizen.submitted().await;
    desk.post(
        &format!("/api/v1/dossiers/{refused}/refuse"),
        json!({"desk": COMMUNE, "reason": "Không thuộc thẩm quyền"}),
    )
    .await;
    let paused = citizen.submitted().await;
    desk.post(
        &format!("/api/v1/dossiers/{paused}/receive"),
        json!({"desk": COMMUNE}),
    )
    .await;
    spec.post(
        &format!("/api/v1/dossiers/{paused}/request-supplement"),
        json!({"items": ["Bản vẽ"], "reason": "Thiếu bản vẽ"}),
    )
    .await;
    citizen
        .post(&format!("/api/v1/dossiers/{paused}/supplement"), json!({}))
        .await;

    let a = tempfile::tempdir().unwrap();
    ok(motcua(
        &["export", "--bundle", a.path().to_str().unwrap()],
        &db1,
    ));
    let exported = read(a.path(), "dossiers.jsonl");
    assert_eq!(exported.lines().count(), 4);
    assert!(
        exported.contains(&format!(r#"{{"code":"{waiting}","#)),
        "no receipt: the id stands in"
    );
    assert!(exported.contains(r#""kind":"rejected""#));

    let db2 = TestDb::new().await.unwrap();
    let (base2, _stop2) = serve(&db2).await;
    ok(motcua(
        &["import", "--bundle", a.path().to_str().unwrap()],
        &db2,
    ));
    let b = tempfile::tempdir().unwrap();
    ok(motcua(
        &["export", "--bundle", b.path().to_str().unwrap()],
        &db2,
    ));
    for f in ["units.jsonl", "procedures.jsonl", "dossiers.jsonl"] {
        assert!(read(a.path(), f) == read(b.path(), f), "{f} differs");
    }

    // The imported dossiers took today's receipt numbers 1 and 2 at this desk: the
    // next reception here gets 3, not a clash.
    let citizen = Who::login(&base2, "congdan").await;
    let desk = Who::login(&base2, "tiepnhan").await;
    let next = citizen.submitted().await;
    let r = desk
        .post(
            &format!("/api/v1/dossiers/{next}/receive"),
            json!({"desk": COMMUNE}),
        )
        .await;
    let code = r["dossier"]["code"].as_str().unwrap();
    assert!(
        code.starts_with(COMMUNE) && code.ends_with("-0003"),
        "{code}"
    );
    // And an imported dossier still waiting is a real one: the desk receives it.
    let r = desk
        .post(
            &format!("/api/v1/dossiers/{waiting}/receive"),
            json!({"desk": COMMUNE}),
        )
        .await;
    assert!(r["dossier"]["code"].as_str().unwrap().ends_with("-0004"));
}
