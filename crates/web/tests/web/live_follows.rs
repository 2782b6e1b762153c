//! The live index follows every change it depends on besides dossiers — a calendar edit, a
//! unit merge, a catalogue publication — so that at every moment its figures (and their
//! order) equal what `motcua index compute` computes on a fresh export, and its warnings
//! use the calendar in force.

use crate::admin_support::who;
use motcua_index::compute::Period;
use motcua_index::definition::Definition;
use motcua_index::{BundleText, compute_bundle};
use serde_json::{Value, json};

/// The index of `period` computed offline from an export made now, as `motcua index
/// compute --bundle` computes it (the same library call on the same files).
async fn offline(app: &crate::common::App, period: Period) -> Value {
    let (units, procedures) = app.db.store.export_catalogue().await.unwrap();
    let dossiers = app.db.store.export_dossiers().await.unwrap();
    let calendar = app.db.store.calendar().await.unwrap();
    let text = BundleText {
        units: &units,
        procedures: &procedures,
        dossiers: &dossiers,
        petitions: "",
    };
    serde_json::to_value(
        compute_bundle(text, &Definition::default_766(), &calendar, period, None).unwrap(),
    )
    .unwrap()
}

fn last_30_days() -> Period {
    let today = chrono::Utc::now()
        .with_timezone(&motcua_calendar::VIETNAM_OFFSET)
        .date_naive();
    Period::new(today - chrono::Duration::days(30), today).unwrap()
}

/// The province monitor's client (reads every figure and warning).
async fn monitor(app: &crate::common::App) -> reqwest::Client {
    app.add_account(
        "giamsat",
        motcua_domain::access::Role::ProvinceMonitor,
        "000.00.00.H57",
        true,
    )
    .await;
    app.login("giamsat").await.0
}

async fn live(app: &crate::common::App, m: &reqwest::Client, period: Period) -> Value {
    let url = app.url(&format!(
        "/api/v1/index?from={}&to={}",
        period.from, period.to
    ));
    let r = m.get(url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn unit_order(out: &Value) -> Vec<String> {
    out["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap().to_owned())
        .collect()
}

/// A dossier of `procedure` submitted online at the commune and received at its desk.
async fn received(app: &crate::common::App, procedure: &str) -> Value {
    let citizen = app.login("congdan").await;
    let desk = app.login("tiepnhan").await;
    let d = app
        .post_ok(
            &citizen,
            "/api/v1/dossiers",
            json!({"procedure": procedure, "unit": "000.01.99.H57"}),
        )
        .await;
    let id = d["dossier"]["id"].as_str().unwrap().to_owned();
    app.post_ok(
        &citizen,
        &format!("/api/v1/dossiers/{id}/submit"),
        json!({"channel": "online", "form_data": {}}),
    )
    .await;
    app.post_ok(
        &desk,
        &format!("/api/v1/dossiers/{id}/receive"),
        json!({"desk": "000.01.99.H57"}),
    )
    .await["dossier"]
        .clone()
}

async fn due_soon_codes(app: &crate::common::App, m: &reqwest::Client) -> Vec<String> {
    let r = m
        .get(app.url("/api/v1/warnings?kind=due_soon&limit=200"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page: Value = r.json().await.unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["dossier"]["code"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_calendar_edit_reaches_the_live_warnings_and_figures_at_once() {
    let app = crate::common::spawn().await;
    let m = monitor(&app).await;
    let period = last_30_days();
    // Re-registration of a marriage: five working days, so not due within one working day.
    let d = received(&app, "1.004746").await;
    let code = d["code"].as_str().unwrap().to_owned();
    let due = chrono::DateTime::parse_from_rfc3339(d["current_due_at"].as_str().unwrap())
        .unwrap()
        .date_naive();
    assert!(!due_soon_codes(&app, &m).await.contains(&code));
    assert_eq!(live(&app, &m, period).await, offline(&app, period).await);

    // The operator makes every working day from tomorrow to the day before the
    // appointment a day off: one working day from now is then past the appointment.
    let op = who(&app, "vanhanh").await;
    let calendar = app.db.store.calendar().await.unwrap();
    let today = chrono::Utc::now()
        .with_timezone(&motcua_calendar::VIETNAM_OFFSET)
        .date_naive();
    let mut day = today.succ_opt().unwrap();
    let mut off = 0;
    while day < due {
        if calendar.is_working_day(day) {
            let (status, to) = op
                .post(
                    &app,
                    "/quan-tri/lich/them",
                    &[
                        ("date", &day.to_string()),
                        ("working", "false"),
                        ("reason", "Nghỉ bù theo thông báo thử nghiệm"),
                        ("source", "Thông báo thử nghiệm"),
                    ],
                )
                .await;
            assert_eq!(status, 303, "{to}");
            off += 1;
        }
        day = day.succ_opt().unwrap();
    }
    assert!(off >= 3, "five working days hold at least three between");
    assert!(
        due_soon_codes(&app, &m).await.contains(&code),
        "the warning follows the new calendar without a restart"
    );
    assert_eq!(
        live(&app, &m, period).await,
        offline(&app, period).await,
        "figures as computed on an export with the new calendar"
    );
}

#[tokio::test]
async fn a_unit_rename_and_merge_reach_the_live_figures_and_their_order() {
    let app = crate::common::spawn().await;
    let m = monitor(&app).await;
    let period = last_30_days();
    received(&app, "1.004746").await;
    let before = live(&app, &m, period).await;
    assert_eq!(before, offline(&app, period).await);
    let (op, csrf) = app.login("vanhanh").await;

    // A rename changes the name the figures carry.
    let r = op
        .post(app.url("/api/v1/units/000.01.99.H57/rename"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "Phường Thuận Hóa mới"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let renamed = live(&app, &m, period).await;
    assert_ne!(renamed, before, "the new name is in the figures");
    assert_eq!(renamed, offline(&app, period).await);

    // The demo's tree is flat: a desk under the neighbouring ward (written straight into
    // the store, so only a rebuild can bring it to the live engine) moves with its ward.
    let neighbour = motcua_domain::UnitCode::parse("000.02.99.H57").unwrap();
    let mut desk = app.db.store.unit(&neighbour).await.unwrap();
    desk.code = motcua_domain::UnitCode::parse("001.02.99.H57").unwrap();
    desk.name = "Bộ phận một cửa của phường".into();
    desk.parent = Some(neighbour.clone());
    app.db
        .store
        .import_catalogue(&[desk], &[], None)
        .await
        .unwrap();
    assert!(!unit_order(&live(&app, &m, period).await).contains(&"001.02.99.H57".to_owned()));

    // The ward with the dossier takes its neighbour over.
    let r = op
        .post(app.url("/api/v1/units/000.02.99.H57/merge"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"into": "000.01.99.H57"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let after = live(&app, &m, period).await;
    let expected = offline(&app, period).await;
    assert!(unit_order(&expected).contains(&"001.02.99.H57".to_owned()));
    assert_eq!(unit_order(&after), unit_order(&expected));
    assert_eq!(after, expected);
}

#[tokio::test]
async fn a_publication_reaches_the_live_figures_at_once() {
    let app = crate::common::spawn().await;
    let m = monitor(&app).await;
    let period = last_30_days();
    received(&app, "1.004746").await;
    assert_eq!(live(&app, &m, period).await, offline(&app, period).await);

    // A new version of the re-registration of a marriage, handled by one more unit.
    let code = motcua_domain::ProcedureCode::parse("1.004746").unwrap();
    let mut p = app.db.store.procedure(&code).await.unwrap().procedure;
    let other = app
        .db
        .store
        .units()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.code)
        .find(|c| c.as_str() != "000.00.00.H57" && !p.units.contains(c))
        .expect("a unit that does not handle the procedure yet");
    p.units.push(other);
    let version = app.db.store.save_draft(&p, None).await.unwrap();
    let before = offline(&app, period).await;
    let (operator, csrf) = app.login("vanhanh").await;
    let r = operator
        .post(app.url(&format!(
            "/api/v1/procedures/1.004746/versions/{version}/publish"
        )))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    let expected = offline(&app, period).await;
    assert_ne!(expected, before, "the publication changes the figures");
    assert_eq!(live(&app, &m, period).await, expected);
}
