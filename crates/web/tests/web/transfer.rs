//! Transfer to another competent unit (chuyển hồ sơ sang đơn vị khác) through the API and
//! the officer's page, on a real server and database.

use serde_json::{Value, json};

use crate::common::COMMUNE;
/// Phường Dương Nỗ: also competent for birth registration.
const OTHER: &str = "000.02.99.H57";
/// Sở Tư pháp: not competent for birth registration.
const DEPARTMENT: &str = "000.00.31.H57";

use crate::common::{Who, ok};

impl Who {
    async fn get_json(&self, app: &crate::common::App, path: &str) -> Value {
        let r = self.c.get(app.url(path)).send().await.unwrap();
        ok(r).await
    }
    async fn page(&self, app: &crate::common::App, path: &str) -> String {
        let r = self.c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "GET {path}");
        r.text().await.unwrap()
    }
}

/// The stable code of a refusal: the field's for a validation error, else the error's.
fn code_of(body: &Value) -> Option<&str> {
    match body["error"]["code"].as_str() {
        Some("validation_failed") => body["error"]["fields"][0]["code"].as_str(),
        other => other,
    }
}

async fn refused(r: reqwest::Response, status: u16, code: &str) -> Value {
    let s = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!((s.as_u16(), code_of(&body)), (status, Some(code)), "{body}");
    assert!(body["error"]["request_id"].is_string(), "{body}");
    body
}

/// Submitted by the citizen and received at the commune's own desk.
async fn received(app: &crate::common::App) -> (String, Value) {
    let citizen = Who::as_(app, "congdan").await;
    let form: Value =
        serde_json::from_str(motcua_domain::eform::builtin_example("1.001193").unwrap()).unwrap();
    let d = ok(citizen
        .post(
            app,
            "/api/v1/dossiers",
            json!({"procedure": "1.001193", "unit": COMMUNE, "form_data": form}),
        )
        .await)
    .await;
    let id = d["dossier"]["id"].as_str().unwrap().to_owned();
    let d = ok(citizen
        .post(
            app,
            &format!("/api/v1/dossiers/{id}/submit"),
            json!({"version": 1}),
        )
        .await)
    .await;
    let v = d["dossier"]["version"].as_i64().unwrap();
    let desk = Who::as_(app, "tiepnhan").await;
    let d = ok(desk
        .post(
            app,
            &format!("/api/v1/dossiers/{id}/receive"),
            json!({"version": v, "desk": COMMUNE}),
        )
        .await)
    .await;
    (id, d["dossier"].clone())
}

fn inbox_ids(inbox: &Value) -> Vec<String> {
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_transferred_dossier_moves_to_the_other_units_inbox_and_keeps_its_code_and_date() {
    let app = crate::common::spawn().await;
    let spec = Who::as_(&app, "chuyenvien").await;
    let other = Who::as_(&app, "chuyenvien.khac").await;
    let lead = Who::as_(&app, "lanhdao").await;
    let desk = Who::as_(&app, "tiepnhan").await;
    let (id, d) = received(&app).await;
    let (code, due) = (d["code"].clone(), d["due_at"].clone());
    let path = format!("/api/v1/dossiers/{id}/transfer");
    let detail = format!("/api/v1/dossiers/{id}");
    let before = spec.get_json(&app, &detail).await;
    let v = before["dossier"]["version"].as_i64().unwrap();
    assert!(inbox_ids(&spec.get_json(&app, "/api/v1/inbox").await).contains(&id));
    assert!(!inbox_ids(&other.get_json(&app, "/api/v1/inbox").await).contains(&id));

    // The officer's page offers the other competent units, not the dossier's own.
    let page = spec.page(&app, &format!("/can-bo/ho-so/{id}")).await;
    assert!(page.contains("Chuyển hồ sơ sang đơn vị khác"), "{page}");
    assert!(page.contains(&format!(
        r#"<option value="{OTHER}">Phường Dương Nỗ</option>"#
    )));
    assert!(!page.contains(&format!(r#"<option value="{COMMUNE}">"#)));
    assert!(!page.contains(&format!(r#"<option value="{DEPARTMENT}">"#)));
    // Nobody else at this step gets the form.
    let page = lead.page(&app, &format!("/can-bo/ho-so/{id}")).await;
    assert!(!page.contains("chuyen-don-vi"));

    // Refusals write nothing.
    let reason = "Người dân cư trú tại phường Dương Nỗ";
    let cases: Vec<(&Who, Value, u16, &str)> = vec![
        (
            &spec,
            json!({"version": v, "to": OTHER, "reason": "  "}),
            422,
            "required",
        ),
        (
            &spec,
            json!({"version": v, "to": COMMUNE, "reason": reason}),
            422,
            "same_unit",
        ),
        (
            &spec,
            json!({"version": v, "to": DEPARTMENT, "reason": reason}),
            422,
            "not_competent",
        ),
        (
            &spec,
            json!({"version": v, "to": "phuong-duong-no", "reason": reason}),
            422,
            "invalid_unit_code",
        ),
        (
            &spec,
            json!({"version": v - 1, "to": OTHER, "reason": reason}),
            409,
            "dossier_conflict",
        ),
        // The other unit's specialist, the leader and the desk are not this step's worker.
        (
            &other,
            json!({"version": v, "to": OTHER, "reason": reason}),
            404,
            "not_found",
        ),
        (
            &lead,
            json!({"version": v, "to": OTHER, "reason": reason}),
            403,
            "forbidden",
        ),
        (
            &desk,
            json!({"version": v, "to": OTHER, "reason": reason}),
            403,
            "forbidden",
        ),
    ];
    for (who, body, status, code) in cases {
        let r = who.post(&app, &path, body.clone()).await;
        let s = r.status().as_u16();
        let b: Value = r.json().await.unwrap();
        // A dossier another unit cannot read answers as absent, or as forbidden.
        if code == "not_found" {
            assert!(s == 404 || s == 403, "{body}: {s} {b}");
        } else {
            assert_eq!((s, code_of(&b)), (status, Some(code)), "{body}: {b}");
        }
        let after = spec.get_json(&app, &detail).await;
        assert_eq!(after, before, "{body} wrote something");
    }
    // From a step that does not allow it: the leader's signing step.
    let d = ok(spec
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/forward"),
            json!({"version": v}),
        )
        .await)
    .await;
    let v = d["dossier"]["version"].as_i64().unwrap();
    let at_leader = spec.get_json(&app, &detail).await;
    refused(
        lead.post(
            &app,
            &path,
            json!({"version": v, "to": OTHER, "reason": reason}),
        )
        .await,
        409,
        "step_does_not_allow",
    )
    .await;
    assert_eq!(spec.get_json(&app, &detail).await, at_leader);
    let d = ok(lead
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/send-back"),
            json!({"version": v, "reason": "Xem lại nơi cư trú"}),
        )
        .await)
    .await;
    let v = d["dossier"]["version"].as_i64().unwrap();

    // The officer transfers it from the page, without JavaScript.
    let page = spec.page(&app, &format!("/can-bo/ho-so/{id}")).await;
    let token = page
        .split(r#"name="csrf_token" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let form_path = format!("/can-bo/ho-so/{id}/chuyen-don-vi");
    let version = v.to_string();
    let r = spec
        .c
        .post(app.url(&form_path))
        .form(&[
            ("csrf_token", token.as_str()),
            ("version", &version),
            ("to", OTHER),
            ("reason", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Cần ghi rõ lý do."));
    let r = spec
        .c
        .post(app.url(&form_path))
        .form(&[
            ("csrf_token", token.as_str()),
            ("version", &version),
            ("to", OTHER),
            ("reason", reason),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.ends_with("ok=transferred"), "{to}");
    assert!(
        spec.page(&app, &to)
            .await
            .contains("Đã chuyển hồ sơ sang đơn vị khác.")
    );

    let now = other.get_json(&app, &detail).await;
    let d = &now["dossier"];
    assert_eq!(d["unit"], OTHER);
    assert_eq!(
        (d["status"].as_str(), d["step"].as_i64()),
        (Some("processing"), Some(0))
    );
    assert_eq!(
        (&d["code"], &d["due_at"]),
        (&code, &due),
        "the receipt still holds"
    );
    assert_eq!(d["desk"], COMMUNE, "the receiving desk stays on record");
    let last = now["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "transferred");
    assert_eq!(last["detail"]["from"], COMMUNE);
    assert_eq!(last["detail"]["to"], OTHER);
    assert_eq!(last["detail"]["reason"], reason);
    assert_eq!(last["role"], "specialist");

    // It left the first unit's specialist's inbox and landed in the other unit's; the desk
    // that received it keeps it, as the result goes back through it.
    assert!(!inbox_ids(&spec.get_json(&app, "/api/v1/inbox").await).contains(&id));
    let inbox = other
        .get_json(&app, "/api/v1/inbox?status=processing")
        .await;
    assert!(inbox_ids(&inbox).contains(&id));
    assert!(inbox_ids(&desk.get_json(&app, "/api/v1/inbox").await).contains(&id));
    let page = other.page(&app, "/can-bo").await;
    assert!(page.contains(&id));

    // The new unit works it from the first step; the old unit no longer can.
    refused(
        spec.post(
            &app,
            &format!("/api/v1/dossiers/{id}/forward"),
            json!({"version": d["version"]}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let page = other.page(&app, &format!("/can-bo/ho-so/{id}")).await;
    assert!(
        page.contains("Chuyển hồ sơ từ Phường An Cựu sang Phường Dương Nỗ. Lý do: Người dân cư trú tại phường Dương Nỗ"),
        "{page}"
    );
    // Back to the first unit is another transfer, not a refusal of the same unit.
    assert!(page.contains(&format!(
        r#"<option value="{COMMUNE}">Phường An Cựu</option>"#
    )));
    ok(other
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/forward"),
            json!({"version": d["version"]}),
        )
        .await)
    .await;

    // The export counts it at the unit that handles it now, with its first code and date.
    let export = app.db.store.export_dossiers().await.unwrap();
    let line: Value = export
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|l| l["code"] == code)
        .unwrap();
    assert_eq!(line["unit"], OTHER);
    assert_eq!(line["due_at"], due.as_str().map(to_vn).unwrap());
    assert!(line["events"].as_array().unwrap().is_empty(), "{line}");

    // The live 766 index counts the received dossier at the new unit, no longer at the old.
    let today = chrono::Utc::now()
        .with_timezone(&motcua_calendar::VIETNAM_OFFSET)
        .date_naive();
    app.add_account(
        "giamsat",
        motcua_domain::access::Role::ProvinceMonitor,
        "000.00.00.H57",
        true,
    )
    .await;
    let (monitor, _) = app.login("giamsat").await;
    let index: Value = monitor
        .get(app.url(&format!("/api/v1/index?from={today}&to={today}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let received = |unit: &str| {
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
            .unwrap()["denominator"]
            .as_i64()
    };
    assert_eq!((received(COMMUNE), received(OTHER)), (Some(0), Some(1)));
}

/// The API gives instants as RFC 3339; compare them as instants.
fn to_vn(s: &str) -> Value {
    let t = chrono::DateTime::parse_from_rfc3339(s).unwrap();
    Value::String(motcua_domain::dossier::export::vn_rfc3339(
        t.with_timezone(&chrono::Utc),
    ))
}
