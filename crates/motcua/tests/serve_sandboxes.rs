//! `motcua serve --demo --sandboxes` as a newcomer runs it: a dossier taken through its
//! journey over the API reaches the national-portal sandbox with the protocol's fields,
//! and the live index's DOSSIER_SYNC counts it, exactly as `motcua index compute` does on
//! `motcua export` of the same database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const COMMUNE: &str = "000.01.99.H57";

struct Api {
    base: String,
}

impl Api {
    async fn login(&self, user: &str) -> (reqwest::Client, String) {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r: Value = c
            .post(format!("{}/api/v1/login", self.base))
            .json(&json!({"username": user, "password": "demo-hue-2026"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (c, r["csrf_token"].as_str().unwrap().to_owned())
    }

    async fn post(&self, who: &(reqwest::Client, String), path: &str, body: Value) -> Value {
        let r = who
            .0
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", &who.1)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }
}

fn version(d: &Value) -> i64 {
    d["dossier"]["version"].as_i64().unwrap()
}

fn dossier_sync(index: &Value, unit: &str) -> Value {
    index["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == unit)
        .unwrap()["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["metrics"].as_array().unwrap())
        .find(|m| m["code"] == "DOSSIER_SYNC")
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_journey_on_the_demo_reaches_the_sandbox_and_the_index() {
    let db = motcua_store::testing::TestDb::new().await.unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["serve", "--demo", "--sandboxes", "--listen", "127.0.0.1:0"])
        .env("MOTCUA_DATABASE_URL", db.url_for_process())
        .env("MOTCUA_FILES_DIR", files.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _server = Server(child);
    let (mut portal, mut base) = (None, None);
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("Sandbox Cổng DVCQG") {
            let url = rest.split("http://").nth(1).unwrap();
            portal = Some(format!("http://{}", url.split_whitespace().next().unwrap()));
        }
        if let Some(u) = line.strip_prefix("Cổng dịch vụ công: ") {
            base = Some(u.trim_end_matches('/').to_owned());
            break;
        }
    }
    let portal = portal.expect("the sandbox's address is printed");
    let api = Api {
        base: base.expect("the server prints its address"),
    };

    let citizen = api.login("congdan").await;
    let desk = api.login("tiepnhan").await;
    let spec = api.login("chuyenvien").await;
    let lead = api.login("lanhdao").await;
    let form: Value =
        serde_json::from_str(motcua_domain::eform::builtin_example("1.001193").unwrap()).unwrap();
    let d = api
        .post(
            &citizen,
            "/api/v1/dossiers",
            json!({"procedure": "1.001193", "unit": COMMUNE, "form_data": form}),
        )
        .await;
    let id = d["dossier"]["id"].as_str().unwrap().to_owned();
    let step = |path: &str| format!("/api/v1/dossiers/{id}/{path}");
    let d = api
        .post(&citizen, &step("submit"), json!({"version": version(&d)}))
        .await;
    let d = api
        .post(
            &desk,
            &step("receive"),
            json!({"version": version(&d), "desk": COMMUNE}),
        )
        .await;
    let code = d["dossier"]["code"].as_str().unwrap().to_owned();
    let d = api
        .post(&spec, &step("forward"), json!({"version": version(&d)}))
        .await;
    let d = api
        .post(
            &lead,
            &step("complete"),
            json!({"version": version(&d), "results": ["Giấy khai sinh bản chính"]}),
        )
        .await;
    api.post(
        &desk,
        &step("return"),
        json!({"version": version(&d), "how": "Trả trực tiếp tại Bộ phận Một cửa"}),
    )
    .await;

    // The worker in the server brings the sandbox up to date and records its word.
    let start = Instant::now();
    let held = loop {
        let r = reqwest::get(format!("{portal}/_sandbox/dossiers/{code}"))
            .await
            .unwrap();
        if r.status() == 200 {
            let v: Value = r.json().await.unwrap();
            if v["record"]["TrangThaiHoSo"] == "10"
                && v["progress"].as_array().unwrap().last().unwrap()["TrangThai"] == "10"
            {
                break v;
            }
        }
        assert!(start.elapsed() < Duration::from_secs(30), "not synced");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let r = &held["record"];
    for key in [
        "MaHoSo",
        "MaTTHC",
        "TenTTHC",
        "KenhThucHien",
        "LoaiDoiTuong",
        "TrichYeuHoSo",
        "NgayNopHoSo",
        "NgayTiepNhan",
        "NgayHenTra",
        "NgayTra",
        "TrangThaiHoSo",
        "DonViXuLy",
        "HoSoCoThanhPhanSoHoa",
        "TaiKhoanDuocXacThucVoiVNeID",
        "DuocThanhToanTrucTuyen",
    ] {
        assert!(
            r[key].as_str().is_some_and(|v| !v.is_empty()),
            "{key} missing: {r}"
        );
    }
    assert_eq!(r["ChuHoSo"], "Nguyễn Thị Hoa");
    let log: Value = reqwest::get(format!("{portal}/_sandbox/log"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        log.as_array().unwrap().len() >= 3,
        "a login, the record, the progress: {log}"
    );

    // The live index, once the confirmation is in, equals the offline one on an export.
    let monitor = api.login("giamsat").await;
    let today = chrono::Utc::now()
        .with_timezone(&motcua_calendar::VIETNAM_OFFSET)
        .date_naive();
    let index_url = format!("{}/api/v1/index?from={today}&to={today}", api.base);
    let start = Instant::now();
    let live = loop {
        let live: Value = monitor
            .0
            .get(&index_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if dossier_sync(&live, COMMUNE)["numerator"] == 1 {
            break live;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{live}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let bundle = tempfile::tempdir().unwrap();
    let dir = bundle.path().to_str().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["export", "--bundle", dir])
        .env("MOTCUA_DATABASE_URL", db.url_for_process())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args([
            "index",
            "compute",
            "--bundle",
            dir,
            "--from",
            &today.to_string(),
            "--to",
            &today.to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let offline: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        dossier_sync(&live, COMMUNE),
        dossier_sync(&offline, COMMUNE)
    );
    assert_eq!(dossier_sync(&offline, COMMUNE)["denominator"], 1);
    assert_eq!(live, offline, "the whole index agrees");
}
