//! National-portal sync end to end: the real server, the outbox worker with the DVCQG
//! adapter, and the sandbox standing in for the portal, on a real database. A dossier
//! taken through its journey reaches the portal with its record and every progress row,
//! and the live index counts it as synced exactly as `index compute` on an export does;
//! an outage loses nothing; a record the portal refuses is flagged while the rest flow
//! on; an answer that is not the portal's acknowledgement records nothing.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use motcua_app::outbox::NATIONAL_PORTAL_SYNC;
use motcua_domain::dossier::outside::System;
use motcua_integrations::national_portal::{NationalPortal, PortalConfig};
use motcua_integrations::{Backoff, Worker, WorkerConfig};
use motcua_sandbox::national_portal as np;
use serde_json::{Value, json};

use crate::common::{App, COMMUNE, Who, birth_form, ok, pages};

const AGENCY: &str = "000.00.00.H57";

fn portal_config(base: &str) -> PortalConfig {
    PortalConfig {
        url: base.parse().unwrap(),
        auth_path: "/login".into(),
        service_path: "/service".into(),
        username: "motcua".into(),
        password: "sandbox".into(),
        agency: AGENCY.into(),
        timeout: Duration::from_secs(5),
    }
}

/// The outbox worker with the national portal's adapter only, retrying fast and never
/// giving up during a test's outage.
struct Sync {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Sync {
    fn start(app: &App, base: &str) -> Self {
        let adapter = NationalPortal::new(app.app.clone(), portal_config(base)).unwrap();
        let config = WorkerConfig {
            destinations: [(
                NATIONAL_PORTAL_SYNC.to_owned(),
                Arc::new(adapter) as Arc<dyn motcua_integrations::Destination>,
            )]
            .into(),
            batch: 16,
            lease: chrono::Duration::seconds(30),
            backoff: Backoff {
                base: chrono::Duration::milliseconds(50),
                max: chrono::Duration::milliseconds(500),
            },
            max_attempts: 100_000,
            idle: Duration::from_millis(20),
        };
        let worker = Worker::new(app.db.store.clone(), config);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(worker.run(stopped));
        Sync { stop, task }
    }

    async fn stop(self) {
        let _ = self.stop.send(true);
        self.task.await.unwrap();
    }
}

async fn sandbox(opts: np::Options) -> np::Handle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    np::start(listener, opts).await.unwrap()
}

async fn held(portal: &str, code: &str) -> Option<Value> {
    let r = reqwest::get(format!("{portal}/_sandbox/dossiers/{code}"))
        .await
        .unwrap();
    if r.status() == 404 {
        return None;
    }
    Some(r.json().await.unwrap())
}

/// Waits until `done` holds, checking every 50 ms, for at most `limit`.
async fn until<F, Fut>(limit: Duration, what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < limit, "not within {limit:?}: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The people of a journey at the demo commune.
struct Crew {
    citizen: Who,
    desk: Who,
    spec: Who,
    lead: Who,
}

impl Crew {
    async fn new(app: &App) -> Self {
        Crew {
            citizen: Who::as_(app, "congdan").await,
            desk: Who::as_(app, "tiepnhan").await,
            spec: Who::as_(app, "chuyenvien").await,
            lead: Who::as_(app, "lanhdao").await,
        }
    }
}

fn version(d: &Value) -> i64 {
    d["dossier"]["version"].as_i64().unwrap()
}

/// An online birth registration, submitted and received: its id and code.
async fn received(app: &App, crew: &Crew, procedure: &str) -> (String, String, i64) {
    let form = if procedure == "1.001193" {
        birth_form()
    } else {
        json!({})
    };
    let d = ok(crew
        .citizen
        .post(
            app,
            "/api/v1/dossiers",
            json!({"procedure": procedure, "unit": COMMUNE, "form_data": form}),
        )
        .await)
    .await;
    let id = d["dossier"]["id"].as_str().unwrap().to_owned();
    let d = ok(crew
        .citizen
        .post(
            app,
            &format!("/api/v1/dossiers/{id}/submit"),
            json!({"version": version(&d), "channel": "online"}),
        )
        .await)
    .await;
    let d = ok(crew
        .desk
        .post(
            app,
            &format!("/api/v1/dossiers/{id}/receive"),
            json!({"version": version(&d), "desk": COMMUNE}),
        )
        .await)
    .await;
    let code = d["dossier"]["code"].as_str().unwrap().to_owned();
    (id, code, version(&d))
}

/// Received, then handled, completed and returned: its id and code.
async fn journey(app: &App, crew: &Crew) -> (String, String) {
    let (id, code, v) = received(app, crew, "1.001193").await;
    let d = ok(crew
        .spec
        .post(
            app,
            &format!("/api/v1/dossiers/{id}/forward"),
            json!({"version": v}),
        )
        .await)
    .await;
    let d = ok(crew
        .lead
        .post(
            app,
            &format!("/api/v1/dossiers/{id}/complete"),
            json!({"version": version(&d), "results": ["Giấy khai sinh bản chính"]}),
        )
        .await)
    .await;
    let d = ok(crew
        .desk
        .post(
            app,
            &format!("/api/v1/dossiers/{id}/return"),
            json!({"version": version(&d), "how": "Trả trực tiếp tại Bộ phận Một cửa"}),
        )
        .await)
    .await;
    assert_eq!(d["dossier"]["status"], "returned");
    (id, code)
}

/// Whether the portal holds `code` at its final status with every progress row the
/// dossier's history makes, and motcua recorded the portal's acknowledgement.
async fn fully_synced(app: &App, portal: &str, id: &str, code: &str) -> bool {
    let Some(on_portal) = held(portal, code).await else {
        return false;
    };
    let Some(view) = motcua_app::national_portal::view(&app.app, id)
        .await
        .unwrap()
    else {
        return false;
    };
    let rows = motcua_integrations::national_portal::record::progress(&view, 0);
    let status = view.dossier.status.national_code().map(|s| s.to_string());
    on_portal["progress"].as_array().unwrap().len() == rows.len()
        && on_portal["record"]["TrangThaiHoSo"].as_str() == status.as_deref()
        && motcua_domain::dossier::outside::facts(&view.events).synced
}

async fn index(app: &App, monitor: &reqwest::Client) -> Value {
    let today = chrono::Utc::now()
        .with_timezone(&motcua_calendar::VIETNAM_OFFSET)
        .date_naive();
    let from = today - chrono::Duration::days(30);
    let live: Value = monitor
        .get(app.url(&format!("/api/v1/index?from={from}&to={today}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let period = motcua_index::compute::Period::new(from, today).unwrap();
    let (units, procedures) = app.db.store.export_catalogue().await.unwrap();
    let dossiers = app.db.store.export_dossiers().await.unwrap();
    let calendar = app.db.store.calendar().await.unwrap();
    let text = motcua_index::BundleText {
        units: &units,
        procedures: &procedures,
        dossiers: &dossiers,
        petitions: "",
    };
    let offline = serde_json::to_value(
        motcua_index::compute_bundle(
            text,
            &motcua_index::definition::Definition::default_766(),
            &calendar,
            period,
            None,
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(live, offline, "the live index is the export's");
    live
}

/// DOSSIER_SYNC of `unit`: (synced, received).
fn dossier_sync(index: &Value, unit: &str) -> (i64, i64) {
    let m = index["units"]
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
        .clone();
    (
        m["numerator"].as_i64().unwrap(),
        m["denominator"].as_i64().unwrap(),
    )
}

async fn connected() -> App {
    crate::common::spawn_with(|c| c.connected = vec![System::NationalPortal]).await
}

#[tokio::test]
async fn a_journey_reaches_the_portal_and_the_live_index_counts_it() {
    let app = connected().await;
    app.add_account(
        "giamsat",
        motcua_domain::access::Role::ProvinceMonitor,
        AGENCY,
        true,
    )
    .await;
    let (monitor, _) = app.login("giamsat").await;
    let before = dossier_sync(&index(&app, &monitor).await, COMMUNE);
    let portal = sandbox(np::Options::default()).await;
    let sync = Sync::start(&app, &portal.url());
    let crew = Crew::new(&app).await;
    let (id, code) = journey(&app, &crew).await;
    let url = portal.url();
    until(Duration::from_secs(30), "the journey synced", || {
        fully_synced(&app, &url, &id, &code)
    })
    .await;

    let on_portal = held(&url, &code).await.unwrap();
    // Created once, whether the worker saw the dossier early (then updated) or late.
    assert_eq!(on_portal["creates"], 1, "{on_portal}");
    let r = &on_portal["record"];
    assert_eq!(r["MaHoSo"], code.as_str());
    assert_eq!(r["MaTTHC"], "1.001193");
    assert_eq!(r["KenhThucHien"], "2", "online");
    assert_eq!(r["TrangThaiHoSo"], "10", "returned");
    for key in ["NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayTra"] {
        let d = r[key].as_str().unwrap_or_default();
        assert!(
            d.len() == 14 && d.bytes().all(|b| b.is_ascii_digit()),
            "{key} is yyyyMMddHHmmss: {r}"
        );
    }
    assert!(!r["TrichYeuHoSo"].as_str().unwrap().is_empty());
    assert!(!r["DonViXuLy"].as_str().unwrap().is_empty());
    // The progress rows come in the order things happened, the last one the return.
    let rows = on_portal["progress"].as_array().unwrap();
    let times: Vec<&str> = rows
        .iter()
        .map(|p| p["ThoiDiemXuLy"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert_eq!(rows.last().unwrap()["TrangThai"], "10");
    // motcua recorded the portal's word once, as an event of the dossier.
    let events = app.db.store.dossier_events(&id).await.unwrap();
    let confirmed: Vec<_> = events
        .iter()
        .filter(|e| e.change.kind() == "confirmed")
        .collect();
    assert_eq!(confirmed.len(), 1, "{confirmed:?}");
    assert_eq!(confirmed[0].by.account, "system:national_portal");

    // The live index counts it, exactly as the offline computation does.
    let after = dossier_sync(&index(&app, &monitor).await, COMMUNE);
    assert_eq!(after, (before.0 + 1, before.1 + 1), "before {before:?}");
    sync.stop().await;

    // The officer sees the portal's acknowledgement on the dossier page ...
    let (desk, _) = pages::login(&app, "tiepnhan").await;
    let page = pages::get(&desk, &app, &format!("/can-bo/ho-so/{id}")).await;
    assert!(
        page.contains("Cổng đã xác nhận nhận đủ hồ sơ và tiến độ xử lý"),
        "{page}"
    );
    // ... and the monitor the source of each metric that depends on the outside world.
    let (monitor, _) = pages::login(&app, "giamsat").await;
    let page = pages::get(&monitor, &app, &format!("/giam-sat/don-vi/{COMMUNE}")).await;
    let row = |code: &str| {
        let start = page.find(&format!("id=\"m-{code}\"")).unwrap();
        page[start..start + page[start..].find("</tr>").unwrap()].to_owned()
    };
    assert!(
        row("DOSSIER_SYNC").contains("Nguồn: Cổng Dịch vụ công quốc gia (đã kết nối)"),
        "{}",
        row("DOSSIER_SYNC")
    );
    assert!(row("PAYMENT_DOSSIERS").contains("Nền tảng thanh toán trực tuyến — chưa kết nối"));
    assert!(!row("PROGRESS_ON_TIME").contains("Nguồn:"));
}

#[tokio::test]
async fn without_a_portal_the_pages_say_so() {
    let app = crate::common::spawn().await;
    let crew = Crew::new(&app).await;
    let (id, _, _) = received(&app, &crew, "1.001193").await;
    let (desk, _) = pages::login(&app, "tiepnhan").await;
    let page = pages::get(&desk, &app, &format!("/can-bo/ho-so/{id}")).await;
    assert!(
        page.contains("Hệ thống chưa kết nối Cổng dịch vụ công quốc gia"),
        "{page}"
    );
    let (operator, _) = pages::login(&app, "vanhanh").await;
    let page = pages::get(&operator, &app, "/quan-tri/hang-doi").await;
    assert!(
        page.contains("Chưa cấu hình kết nối Cổng dịch vụ công quốc gia"),
        "{page}"
    );
}

#[tokio::test]
async fn an_outage_loses_nothing_and_sends_nothing_twice() {
    let n: usize = std::env::var("MOTCUA_OUTAGE_DOSSIERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let app = crate::common::spawn().await;
    // The portal's address, with nothing listening there yet.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let url = format!("http://{addr}");
    let sync = Sync::start(&app, &url);
    let crew = Crew::new(&app).await;
    let mut done = Vec::with_capacity(n);
    for _ in 0..n {
        done.push(journey(&app, &crew).await);
    }
    let pending: i64 = app
        .db
        .store
        .outbox_pending()
        .await
        .unwrap()
        .iter()
        .filter(|(t, _)| t == NATIONAL_PORTAL_SYNC)
        .map(|(_, c)| *c)
        .sum();
    assert!(pending > 0, "the messages wait for the portal");
    for (id, _) in &done {
        let facts =
            motcua_domain::dossier::outside::facts(&app.db.store.dossier_events(id).await.unwrap());
        assert!(!facts.synced, "nothing is synced while the portal is away");
    }

    // The portal comes back at its address.
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let portal = np::start(listener, np::Options::default()).await.unwrap();
    let limit = Duration::from_secs(60 + n as u64 / 2);
    until(limit, "every dossier synced", || async {
        let list: Vec<Value> = reqwest::get(format!("{url}/_sandbox/dossiers"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list.len() == n
            && app
                .db
                .store
                .outbox_pending()
                .await
                .unwrap()
                .iter()
                .all(|(t, c)| t != NATIONAL_PORTAL_SYNC || *c == 0)
    })
    .await;
    for (id, code) in &done {
        assert!(fully_synced(&app, &url, id, code).await, "{code}");
        let d = held(&url, code).await.unwrap();
        assert_eq!(d["creates"], 1, "created once: {code}");
        let rows = d["progress"].as_array().unwrap();
        let notes: Vec<&str> = rows
            .iter()
            .map(|r| r["NoiDungXuLy"].as_str().unwrap())
            .collect();
        let distinct: BTreeSet<(&str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r["ThoiDiemXuLy"].as_str().unwrap(),
                    r["NoiDungXuLy"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(distinct.len(), rows.len(), "no row twice: {notes:?}");
        let times: Vec<&str> = rows
            .iter()
            .map(|p| p["ThoiDiemXuLy"].as_str().unwrap())
            .collect();
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "in order: {times:?}"
        );
    }
    assert!(app.db.store.dead_letters(10).await.unwrap().is_empty());
    sync.stop().await;
    portal.shutdown().await;
}

#[tokio::test]
async fn a_refused_record_is_flagged_and_the_rest_flow_on() {
    let app = connected().await;
    // The national catalogue publishes birth registration, not 1.004194.
    let portal = sandbox(np::Options {
        catalogue: Some(["1.001193".to_owned()].into()),
        ..Default::default()
    })
    .await;
    let url = portal.url();
    let sync = Sync::start(&app, &url);
    let crew = Crew::new(&app).await;
    let (refused_id, refused_code, _) = received(&app, &crew, "1.004194").await;
    let (id, code) = journey(&app, &crew).await;
    until(Duration::from_secs(30), "the other dossier synced", || {
        fully_synced(&app, &url, &id, &code)
    })
    .await;
    until(Duration::from_secs(30), "the refusal recorded", || async {
        app.db
            .store
            .portal_sync(&refused_id)
            .await
            .unwrap()
            .is_some_and(|s| s.refused.is_some())
    })
    .await;
    let state = app
        .db
        .store
        .portal_sync(&refused_id)
        .await
        .unwrap()
        .unwrap();
    let why = state.refused.unwrap();
    assert!(why.contains("MaTTHC") && why.contains("1.004194"), "{why}");
    assert!(!state.on_portal);
    assert!(held(&url, &refused_code).await.is_none());
    let events = app.db.store.dossier_events(&refused_id).await.unwrap();
    assert!(!motcua_domain::dossier::outside::facts(&events).synced);
    // The operators' queue shows it; its message waits on the dead-letter list for a
    // replay once the catalogue is put right.
    let operator = app
        .db
        .store
        .account_by_username("vanhanh")
        .await
        .unwrap()
        .unwrap();
    let vanhanh = motcua_domain::access::Actor {
        grants: app.db.store.account(&operator).await.unwrap().grants,
        account_id: operator,
    };
    let (queue, counts) = motcua_app::national_portal::queue(&app.app, &vanhanh, 10)
        .await
        .unwrap();
    assert_eq!(
        queue
            .iter()
            .map(|s| s.dossier_id.as_str())
            .collect::<Vec<_>>(),
        [refused_id.as_str()]
    );
    assert_eq!(counts.refused, 1, "{counts:?}");
    let dead = app.db.store.dead_letters(10).await.unwrap();
    assert!(
        dead.iter().all(|d| d
            .last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("portal: "))),
        "{dead:?}"
    );
    assert!(!dead.is_empty());
    sync.stop().await;

    // The officer sees the refusal in the portal's words; the operator's queue lists it.
    let (desk, _) = pages::login(&app, "tiepnhan").await;
    let page = pages::get(&desk, &app, &format!("/can-bo/ho-so/{refused_id}")).await;
    assert!(page.contains("Cổng từ chối hồ sơ lúc"), "{page}");
    assert!(
        page.contains("không có trong Cơ sở dữ liệu quốc gia"),
        "{page}"
    );
    let page = pages::get(&desk, &app, &format!("/can-bo/ho-so/{id}")).await;
    assert!(!page.contains("Cổng từ chối hồ sơ"));
    let (operator, _) = pages::login(&app, "vanhanh").await;
    let page = pages::get(&operator, &app, "/quan-tri/hang-doi").await;
    assert!(page.contains("1 hồ sơ bị Cổng từ chối"), "{page}");
    assert!(page.contains(&refused_code), "{page}");
    assert!(
        page.contains("Cổng dịch vụ công quốc gia trả mã -2: MaTTHC"),
        "the dead letter's reason is the portal's: {page}"
    );
}

/// A server at the portal's address that logs in like the portal but answers the
/// service with `body`.
async fn impostor(body: &'static str) -> String {
    use axum::routing::post;
    let app = axum::Router::new()
        .route(
            "/login",
            post(|| async {
                axum::Json(json!({"error_code": 0, "session": "s", "expires_in": 1800}))
            }),
        )
        .route(
            "/service",
            post(move || async move { ([("content-type", "application/json")], body.to_owned()) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn an_answer_that_is_not_an_acknowledgement_records_nothing() {
    for body in [
        "<html>Đăng nhập Wi-Fi</html>",
        r#"{"status": "ok"}"#,
        r#"{"error_code": "thành công"}"#,
        r#"{"error_code": 7}"#,
        "",
    ] {
        let app = crate::common::spawn().await;
        let url = impostor(body).await;
        let sync = Sync::start(&app, &url);
        let crew = Crew::new(&app).await;
        let (id, _, _) = received(&app, &crew, "1.001193").await;
        // Long enough for several attempts.
        tokio::time::sleep(Duration::from_millis(800)).await;
        sync.stop().await;
        let events = app.db.store.dossier_events(&id).await.unwrap();
        assert!(
            !motcua_domain::dossier::outside::facts(&events).synced
                && events.iter().all(|e| e.change.kind() != "confirmed"),
            "{body:?} recorded a confirmation"
        );
        let state = app.db.store.portal_sync(&id).await.unwrap();
        assert!(
            state
                .as_ref()
                .is_none_or(|s| !s.on_portal && s.refused.is_none()),
            "{body:?}: {state:?}"
        );
        let pending: i64 = app
            .db
            .store
            .outbox_pending()
            .await
            .unwrap()
            .iter()
            .filter(|(t, _)| t == NATIONAL_PORTAL_SYNC)
            .map(|(_, c)| *c)
            .sum();
        assert!(pending > 0, "{body:?}: the message waits to be sent again");
    }
}
