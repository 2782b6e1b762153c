//! Starts the real application on 127.0.0.1:0 against a fresh database (SQLite, or
//! PostgreSQL when `MOTCUA_TEST_DATABASE_URL` says so) loaded with the Huế demo catalogue.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

pub mod pages;
pub mod samples;

use motcua_domain::UnitCode;
use motcua_domain::access::{Grant, Role};
use motcua_store::testing::TestDb;
use serde_json::{Value, json};

pub const PASSWORD: &str = "mat-khau-thu-nghiem";
/// Opens `/readyz` and `/metrics` (see [`App::ops`]).
pub const OPS_TOKEN: &str = "the-operators-token";

pub struct App {
    pub base: String,
    pub db: TestDb,
    /// The file store's folder, removed with the app.
    pub files: tempfile::TempDir,
    /// The application the server runs, for the parts of the system that run beside it
    /// (the outbox worker and its adapters).
    pub app: motcua_app::App,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl App {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
    /// A client that keeps cookies, like a browser.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }
    pub async fn login(&self, username: &str) -> (reqwest::Client, String) {
        let c = self.browser();
        let r = c
            .post(self.url("/api/v1/login"))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login {username}");
        let body: serde_json::Value = r.json().await.unwrap();
        (c, body["csrf_token"].as_str().unwrap().to_owned())
    }
    /// A JSON POST with the caller's form token: the status and the answer's body (null
    /// when it is not JSON).
    pub async fn post_json(
        &self,
        who: &(reqwest::Client, String),
        path: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let r = who
            .0
            .post(self.url(path))
            .header("x-csrf-token", &who.1)
            .json(&body)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }
    /// The same POST, which must succeed; the answer's body.
    pub async fn post_ok(
        &self,
        who: &(reqwest::Client, String),
        path: &str,
        body: serde_json::Value,
    ) -> serde_json::Value {
        let (s, v) = self.post_json(who, path, body).await;
        assert!((200..300).contains(&s), "{path}: {s} {v}");
        v
    }

    /// A dossier of `procedure` submitted online by the citizen `congdan` and received by
    /// `desk` at `unit`, with the appointment `due` (the procedure's own time limit when
    /// `None`). Returns (id, code).
    pub async fn received(
        &self,
        desk: &(reqwest::Client, String),
        procedure: &str,
        unit: &str,
        due: Option<chrono::DateTime<chrono::Utc>>,
    ) -> (String, String) {
        use serde_json::json;
        let citizen = self.login("congdan").await;
        let body = json!({"procedure": procedure, "unit": unit});
        let d = self.post_ok(&citizen, "/api/v1/dossiers", body).await;
        let id = d["dossier"]["id"].as_str().unwrap().to_owned();
        let body = json!({"channel": "online", "form_data": {}});
        let submit = format!("/api/v1/dossiers/{id}/submit");
        self.post_ok(&citizen, &submit, body).await;
        let mut body = json!({ "desk": unit });
        if let Some(due) = due {
            body["due_at"] = json!(due.to_rfc3339());
        }
        let receive = format!("/api/v1/dossiers/{id}/receive");
        let r = self.post_ok(desk, &receive, body).await;
        (id, r["dossier"]["code"].as_str().unwrap().to_owned())
    }

    /// An API token of `username` acting with all of that account's grants, for 30 days.
    pub async fn token(&self, username: &str) -> String {
        let who = self.login(username).await;
        let me: serde_json::Value = who
            .0
            .get(self.url("/api/v1/whoami"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let body = serde_json::json!({
            "name": "Phần mềm một cửa xã",
            "expires_at": (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339(),
            "password": PASSWORD,
            "grants": me["grants"],
        });
        let created = self.post_ok(&who, "/api/v1/tokens", body).await;
        created["token"].as_str().unwrap().to_owned()
    }

    /// An account holding `role` in `unit` (and its sub-units with `sub`), password
    /// [`PASSWORD`].
    pub async fn add_account(&self, name: &str, role: Role, unit: &str, sub: bool) {
        add_account(&self.db, name, role, unit, sub).await;
    }
}

async fn add_account(db: &TestDb, name: &str, role: Role, unit: &str, sub: bool) {
    let g = Grant {
        role,
        unit: code(unit),
        with_sub_units: sub,
    };
    db.store
        .create_account(name, name, PASSWORD, &[g], None)
        .await
        .unwrap();
}

fn code(s: &str) -> UnitCode {
    UnitCode::parse(s).unwrap()
}

pub async fn spawn() -> App {
    spawn_with(|_| {}).await
}

/// [`spawn`] with settings changed (smaller limits, say).
pub async fn spawn_with(configure: impl FnOnce(&mut motcua_web::Config)) -> App {
    let db = TestDb::new().await.expect("test database");
    db.import_demo_catalogue().await.unwrap();
    let accounts = [
        ("congdan", Role::Applicant, "000.01.99.H57", false),
        ("congdan2", Role::Applicant, "000.01.99.H57", false),
        ("tocongnghe", Role::DigitalHelper, "000.01.99.H57", false),
        ("tiepnhan", Role::ReceptionOfficer, "000.01.99.H57", false),
        (
            "tiepnhan.tt",
            Role::ReceptionOfficer,
            "000.00.94.H57",
            false,
        ),
        ("chuyenvien", Role::Specialist, "000.01.99.H57", false),
        ("chuyenvien.khac", Role::Specialist, "000.02.99.H57", false),
        ("lanhdao", Role::Leader, "000.01.99.H57", false),
        ("quantri", Role::UnitAdmin, "000.00.00.H57", true),
        ("quantri.phuong", Role::UnitAdmin, "000.01.99.H57", false),
        ("vanhanh", Role::Operator, "000.00.00.H57", true),
    ];
    for (u, role, unit, sub) in accounts {
        add_account(&db, u, role, unit, sub).await;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    db.store.seed_calendar().await.unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut config = motcua_web::Config {
        files_dir: files.path().to_owned(),
        ops_token: Some(OPS_TOKEN.into()),
        ..Default::default()
    };
    configure(&mut config);
    let state = motcua_web::AppState::load(db.store.clone(), config)
        .await
        .unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let app = state.app.clone();
    tokio::spawn(motcua_web::serve(listener, state, async {
        let _ = rx.await;
    }));
    App {
        base: format!("http://{addr}"),
        db,
        files,
        app,
        _shutdown: tx,
    }
}

/// The commune (phường) of the demo accounts: its desk, officers and applicants.
pub const COMMUNE: &str = "000.01.99.H57";

/// Someone logged in through the API: their cookie jar and form token. Each test file adds
/// the reading helpers it needs.
pub struct Who {
    pub c: reqwest::Client,
    pub csrf: String,
}

impl Who {
    pub async fn as_(app: &App, user: &str) -> Self {
        let (c, csrf) = app.login(user).await;
        Who { c, csrf }
    }
    pub async fn post(&self, app: &App, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.c
            .post(app.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

impl App {
    /// GET of an operators' path (`/readyz`, `/metrics`) with their token.
    pub async fn ops(&self, path: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(self.url(path))
            .bearer_auth(OPS_TOKEN)
            .send()
            .await
            .unwrap()
    }
}

/// The answer of a request that must succeed: its JSON body.
pub async fn ok(r: reqwest::Response) -> Value {
    let s = r.status();
    let body: Value = r.json().await.unwrap();
    assert!(s.is_success(), "{s}: {body}");
    body
}

/// A complete birth declaration (Tờ khai đăng ký khai sinh) as the e-form expects it.
pub fn birth_form() -> Value {
    serde_json::from_str(motcua_domain::eform::builtin_example("1.001193").unwrap()).unwrap()
}

/// A birth registration the citizen started (with an idempotency key), saved once and
/// submitted: its id and version.
pub async fn submitted(app: &App, citizen: &Who) -> (String, i64) {
    let r = citizen
        .c
        .post(app.url("/api/v1/dossiers"))
        .header("x-csrf-token", &citizen.csrf)
        .header("idempotency-key", "k-1")
        .json(&json!({"procedure": "1.001193", "unit": pages::COMMUNE, "form_data": {"child_full_name": "Nguyễn Văn An"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let d = ok(r).await;
    let id = d["dossier"]["id"].as_str().unwrap().to_owned();
    // Save and resume: the draft keeps what was typed so far.
    let path = format!("/api/v1/dossiers/{id}/form");
    let d = ok(citizen
        .post(app, &path, json!({"version": 1, "form_data": birth_form()}))
        .await)
    .await;
    let v = d["dossier"]["version"].as_i64().unwrap();
    let path = format!("/api/v1/dossiers/{id}/submit");
    let d = ok(citizen.post(app, &path, json!({"version": v})).await).await;
    assert_eq!(d["dossier"]["status"], "submitted");
    (id, d["dossier"]["version"].as_i64().unwrap())
}
