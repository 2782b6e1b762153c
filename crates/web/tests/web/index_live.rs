//! The live index answers exactly what `motcua index compute` computes on the exported
//! bundle, and moves when a dossier moves.

use motcua_index::compute::Period;
use motcua_index::definition::Definition;
use motcua_index::{BundleText, compute_bundle};
use serde_json::{Value, json};

fn metric<'a>(out: &'a Value, unit: &str, code: &str) -> &'a Value {
    let u = out["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == unit)
        .unwrap();
    u["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["metrics"].as_array().unwrap())
        .find(|m| m["code"] == code)
        .unwrap()
}

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

#[tokio::test]
async fn live_equals_offline_and_follows_the_dossier() {
    let app = crate::common::spawn().await;
    let today = chrono::Utc::now()
        .with_timezone(&motcua_calendar::VIETNAM_OFFSET)
        .date_naive();
    let from = today - chrono::Duration::days(30);
    let period = Period::new(from, today).unwrap();
    let url = app.url(&format!("/api/v1/index?from={from}&to={today}"));
    // A province monitor reads every figure, exactly the CLI's.
    app.add_account(
        "giamsat",
        motcua_domain::access::Role::ProvinceMonitor,
        "000.00.00.H57",
        true,
    )
    .await;
    let (monitor, _) = app.login("giamsat").await;
    let read = |url: String| {
        let monitor = monitor.clone();
        async move {
            monitor
                .get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let before: Value = read(url.clone()).await;
    assert_eq!(before, offline(&app, period).await);
    let received_before = metric(&before, "000.01.99.H57", "DOSSIER_SYNC")["denominator"]
        .as_i64()
        .unwrap();

    // A dossier is submitted online and received at the commune's desk.
    let citizen = app.login("congdan").await;
    let desk = app.login("tiepnhan").await;
    let d = app
        .post_ok(
            &citizen,
            "/api/v1/dossiers",
            json!({"procedure": "1.004194", "unit": "000.01.99.H57"}),
        )
        .await;
    let id = d["dossier"]["id"].as_str().unwrap().to_owned();
    app.post_ok(
        &citizen,
        &format!("/api/v1/dossiers/{id}/submit"),
        json!({"channel": "online", "form_data": {}}),
    )
    .await
    .get("dossier")
    .cloned()
    .unwrap_or_default();
    app.post_ok(
        &desk,
        &format!("/api/v1/dossiers/{id}/receive"),
        json!({"desk": "000.01.99.H57"}),
    )
    .await;

    let after: Value = read(url.clone()).await;
    assert_eq!(
        after,
        offline(&app, period).await,
        "live and offline agree after the change"
    );
    let received_after = metric(&after, "000.01.99.H57", "DOSSIER_SYNC")["denominator"]
        .as_i64()
        .unwrap();
    assert_eq!(
        received_after,
        received_before + 1,
        "the commune's received count moved"
    );
    // The province's scope includes the commune.
    let root = metric(&after, "000.00.00.H57", "DOSSIER_SYNC")["denominator"]
        .as_i64()
        .unwrap();
    assert!(root >= received_after);

    let bad = reqwest::get(app.url("/api/v1/index?from=2025-02-01&to=2025-01-01"))
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
}
