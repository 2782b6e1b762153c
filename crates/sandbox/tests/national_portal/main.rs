//! The national-portal sandbox over real HTTP, as the adapter will meet it: each test
//! starts its own server on port 0 and drives it with reqwest.
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

mod faults;
mod log;
mod progress;
mod session;
mod sync;
mod validation;

use motcua_sandbox::national_portal::{self, Handle, Options};
use serde_json::{Value, json};

pub const UNIT: &str = "000.00.00.H57";

pub struct Portal {
    pub handle: Handle,
    pub http: reqwest::Client,
}

pub async fn portal(opts: Options) -> Portal {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let handle = national_portal::start(listener, opts).await.unwrap();
    Portal {
        handle,
        http: reqwest::Client::new(),
    }
}

pub async fn healthy() -> Portal {
    portal(Options::default()).await
}

impl Portal {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.url())
    }

    /// Posts `body` as raw bytes with a JSON content type; gives the response.
    pub async fn post_raw(&self, path: &str, body: &str) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }

    /// Posts JSON and expects the protocol's HTTP 200 with a JSON answer.
    pub async fn post(&self, path: &str, body: &Value) -> Value {
        let res = self.post_raw(path, &body.to_string()).await;
        assert_eq!(res.status(), 200, "{path} {body}");
        res.json().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let res = self.http.get(self.url(path)).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn login(&self) -> String {
        let a = self
            .post(
                "/login",
                &json!({"username": "motcua", "password": "sandbox"}),
            )
            .await;
        assert_eq!(a["error_code"], 0, "{a}");
        a["session"].as_str().unwrap().to_owned()
    }

    /// A service call with the session and unit code filled in.
    pub async fn call(&self, session: &str, service: &str, mut extra: Value) -> Value {
        let body = extra.as_object_mut().unwrap();
        body.insert("session".into(), json!(session));
        body.insert("madonvi".into(), json!(UNIT));
        body.insert("service".into(), json!(service));
        self.post("/service", &extra).await
    }

    pub async fn sync(&self, session: &str, updating: &str, records: &[Value]) -> Value {
        self.call(
            session,
            "DongBoHoSoMC",
            json!({"isUpdating": updating, "data": records}),
        )
        .await
    }

    pub async fn progress(&self, session: &str, rows: &[Value]) -> Value {
        self.call(session, "CapNhatTienDoHoSoMC", json!({"data": rows}))
            .await
    }

    /// The sandbox's view of one dossier, or None when it holds none.
    pub async fn dossier(&self, code: &str) -> Option<Value> {
        let (status, v) = self.get(&format!("/_sandbox/dossiers/{code}")).await;
        match status {
            200 => Some(v),
            404 => None,
            other => panic!("dossier {code}: HTTP {other}"),
        }
    }

    pub async fn log(&self) -> Vec<Value> {
        let (status, v) = self.get("/_sandbox/log").await;
        assert_eq!(status, 200);
        v.as_array().unwrap().clone()
    }
}

/// A valid record at status 1 (submitted), every required field and no optional one.
pub fn record(code: &str) -> Value {
    json!({
        "MaHoSo": code,
        "MaTTHC": "1.001193",
        "TenTTHC": "Đăng ký khai sinh",
        "KenhThucHien": "2",
        "LoaiDoiTuong": "1",
        "TrichYeuHoSo": "Đăng ký khai sinh cho Nguyễn Văn A",
        "NgayNopHoSo": "20250310081500",
        "TrangThaiHoSo": "1",
        "DonViXuLy": "UBND phường Phú Hội",
        "HoSoCoThanhPhanSoHoa": "1",
        "TaiKhoanDuocXacThucVoiVNeID": "0",
        "DuocThanhToanTrucTuyen": "0",
    })
}

/// `record(code)` with `fields` set over it (a null removes the field).
pub fn with(mut base: Value, fields: Value) -> Value {
    let obj = base.as_object_mut().unwrap();
    for (k, v) in fields.as_object().unwrap() {
        if v.is_null() {
            obj.remove(k);
        } else {
            obj.insert(k.clone(), v.clone());
        }
    }
    base
}

pub fn row(code: &str, status: &str, note: &str) -> Value {
    json!({
        "MaHoSo": code,
        "NguoiXuLy": "Trần Thị B",
        "ChucDanh": "Công chức tư pháp",
        "ThoiDiemXuLy": "20250310090000",
        "PhongBanXuLy": "Bộ phận một cửa",
        "NoiDungXuLy": note,
        "TrangThai": status,
    })
}

pub fn code(n: u32) -> String {
    format!("{UNIT}-250310-{n:04}")
}

#[tokio::test]
async fn every_answer_says_it_is_a_sandbox() {
    let p = healthy().await;
    let s = p.login().await;
    let mut answers = vec![
        p.post_raw("/login", r#"{"username":"x","password":"y"}"#)
            .await,
        p.post_raw(
            "/service",
            &json!({"session": s, "madonvi": UNIT, "service": "X"}).to_string(),
        )
        .await,
        p.post_raw("/nowhere", "{}").await,
    ];
    for path in [
        "/",
        "/login",
        "/_sandbox/log",
        "/_sandbox/dossiers",
        "/_sandbox/x",
    ] {
        answers.push(p.http.get(p.url(path)).send().await.unwrap());
    }
    for a in &answers {
        assert_eq!(
            a.headers().get("x-sandbox").map(|v| v.to_str().unwrap()),
            Some("national-portal"),
            "{} {}",
            a.url(),
            a.status()
        );
    }
    let statuses: Vec<u16> = answers.iter().map(|a| a.status().as_u16()).collect();
    assert_eq!(statuses, [200, 200, 404, 200, 405, 200, 200, 404]);
    let about = p.http.get(p.url("/")).send().await.unwrap();
    assert!(about.text().await.unwrap().contains("not the real portal"));
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let p = healthy().await;
    let url = p.url("/login");
    p.handle.shutdown().await;
    let after = reqwest::Client::new().post(url).body("{}").send().await;
    assert!(after.is_err(), "still answering after shutdown");
}

#[tokio::test]
async fn the_sandbox_lists_its_dossiers() {
    let p = healthy().await;
    let s = p.login().await;
    let (status, list) = p.get("/_sandbox/dossiers").await;
    assert_eq!((status, list), (200, json!([])));
    assert_eq!(
        p.sync(&s, "False", &[record(&code(2))]).await["error_code"],
        0
    );
    assert_eq!(
        p.sync(&s, "False", &[record(&code(1))]).await["error_code"],
        0
    );
    assert_eq!(
        p.sync(&s, "True", &[record(&code(1))]).await["error_code"],
        0
    );
    assert_eq!(
        p.progress(&s, &[row(&code(1), "2", "a")]).await["error_code"],
        0
    );
    let (_, list) = p.get("/_sandbox/dossiers").await;
    assert_eq!(
        list,
        json!([
            {"MaHoSo": code(1), "creates": 1, "updates": 1, "progress": 1},
            {"MaHoSo": code(2), "creates": 1, "updates": 0, "progress": 0},
        ])
    );
    assert_eq!(p.dossier("no-such-code").await, None);
}
