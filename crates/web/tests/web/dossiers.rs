//! The dossier lifecycle through the API, on a real server and database.

use serde_json::{Value, json};

use crate::common::{Who, birth_form, ok, submitted};

impl Who {
    async fn get(&self, app: &crate::common::App, path: &str) -> reqwest::Response {
        self.c.get(app.url(path)).send().await.unwrap()
    }
}

use crate::common::COMMUNE;

#[tokio::test]
async fn citizen_to_result_with_one_supplement() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let desk = Who::as_(&app, "tiepnhan").await;
    let spec = Who::as_(&app, "chuyenvien").await;
    let lead = Who::as_(&app, "lanhdao").await;

    let (id, v) = submitted(&app, &citizen).await;
    // A retried create (the same key, the same request) returns the same draft.
    let again = citizen
        .c
        .post(app.url("/api/v1/dossiers"))
        .header("x-csrf-token", &citizen.csrf)
        .header("idempotency-key", "k-1")
        .json(&json!({"procedure": "1.001193", "unit": COMMUNE, "form_data": {"child_full_name": "Nguyễn Văn An"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(ok(again).await["dossier"]["id"], id.as_str());

    let inbox = ok(desk.get(&app, "/api/v1/inbox?status=submitted").await).await;
    assert_eq!(inbox["counts"]["new"], 1);
    assert_eq!(inbox["items"][0]["id"], id.as_str());

    let r = ok(desk
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/receive"),
            json!({"version": v, "desk": COMMUNE}),
        )
        .await)
    .await;
    let code = r["dossier"]["code"].as_str().unwrap().to_owned();
    assert!(
        code.starts_with("000.01.99.H57-") && code.ends_with("-0001"),
        "{code}"
    );
    let secret = r["lookup_secret"].as_str().unwrap().to_owned();
    assert!(
        r["dossier"]["due_at"]
            .as_str()
            .unwrap()
            .ends_with("T17:00:00+07:00"),
        "1 working day, end of day: {r}"
    );
    let v = r["dossier"]["version"].as_i64().unwrap();

    // The desk is not the step's specialist.
    let r = desk
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/forward"),
            json!({"version": v}),
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = ok(spec
        .post(&app, &format!("/api/v1/dossiers/{id}/request-supplement"), json!({"version": v, "items": ["Giấy chứng sinh"], "reason": "Thiếu giấy chứng sinh bản chính"}))
        .await)
    .await;
    assert_eq!(r["dossier"]["status"], "supplement_requested");
    let v = r["dossier"]["version"].as_i64().unwrap();
    let r = ok(citizen
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/supplement"),
            json!({"version": v}),
        )
        .await)
    .await;
    assert_eq!(r["dossier"]["status"], "processing");
    assert_ne!(r["dossier"]["current_due_at"], Value::Null);
    let v = r["dossier"]["version"].as_i64().unwrap();
    let r = ok(spec
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/forward"),
            json!({"version": v}),
        )
        .await)
    .await;
    let v = r["dossier"]["version"].as_i64().unwrap();
    let r = ok(lead
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/complete"),
            json!({"version": v, "results": ["Giấy khai sinh bản chính"]}),
        )
        .await)
    .await;
    let v = r["dossier"]["version"].as_i64().unwrap();
    let r = ok(desk
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/return"),
            json!({"version": v, "how": "Trả trực tiếp tại Bộ phận Một cửa"}),
        )
        .await)
    .await;
    assert_eq!(r["dossier"]["status"], "returned");
    assert_eq!(r["dossier"]["national_status"], 10);
    let v = r["dossier"]["version"].as_i64().unwrap();
    ok(citizen
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/rate"),
            json!({"version": v, "rating": "satisfied"}),
        )
        .await)
    .await;

    // The applicant reads the timeline and the documents issued.
    let detail = ok(citizen.get(&app, &format!("/api/v1/dossiers/{id}")).await).await;
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "created",
            "form_saved",
            "submitted",
            "received",
            "supplement_requested",
            "supplement_completed",
            "forwarded",
            "completed",
            "returned",
            "rated"
        ]
    );
    let forms: Vec<&str> = detail["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["form"].as_str().unwrap())
        .collect();
    assert_eq!(forms, ["01", "02", "kq"]);
    assert_eq!(detail["form_data"]["child_full_name"], "Nguyễn Văn An");

    // Anyone with the receipt looks it up, without personal data.
    let url = format!(
        "/api/v1/lookup?code={code}&secret={}",
        secret.to_lowercase()
    );
    let public = ok(reqwest::get(app.url(&url)).await.unwrap()).await;
    assert_eq!(public["status"], "returned");
    assert!(public["timeline"][0].get("by").is_none());
    let wrong = reqwest::get(app.url(&format!("/api/v1/lookup?code={code}&secret=WRONG123")))
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);

    // The bundle line is derived from the same events.
    let bundle = app.db.store.export_dossiers().await.unwrap();
    let line: Value = serde_json::from_str(bundle.lines().next().unwrap()).unwrap();
    assert_eq!(line["code"], code.as_str());
    assert_eq!(line["rating"], "satisfied");
    let kinds: Vec<&str> = line["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "supplement_requested",
            "supplement_completed",
            "completed",
            "returned"
        ]
    );
    // Events of every change are in the log, in the same versions the projection has.
    let events = app.db.store.dossier_events(&id).await.unwrap();
    assert_eq!(
        events.len() as i64,
        detail["dossier"]["version"].as_i64().unwrap()
    );
}

#[tokio::test]
async fn two_officers_at_once_exactly_one_wins() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let desk = Who::as_(&app, "tiepnhan").await;
    app.add_account(
        "tiepnhan.2",
        motcua_domain::access::Role::ReceptionOfficer,
        COMMUNE,
        false,
    )
    .await;
    let colleague = Who::as_(&app, "tiepnhan.2").await;
    let (id, v) = submitted(&app, &citizen).await;
    let path = format!("/api/v1/dossiers/{id}/receive");
    let (a, b) = tokio::join!(
        desk.post(&app, &path, json!({"version": v, "desk": COMMUNE})),
        colleague.post(&app, &path, json!({"version": v, "desk": COMMUNE}))
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "exactly one reception");
    let loser = if a.status() == 409 { a } else { b };
    let body: Value = loser.json().await.unwrap();
    assert!(
        ["dossier_conflict", "wrong_status"].contains(&body["error"]["code"].as_str().unwrap()),
        "{body}"
    );
    let events = app.db.store.dossier_events(&id).await.unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.change.kind() == "received")
            .count(),
        1
    );
}

#[tokio::test]
async fn people_see_only_what_is_theirs() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let (id, v) = submitted(&app, &citizen).await;
    // Another citizen, and a specialist of another commune, do not even learn it exists.
    for who in ["congdan2", "chuyenvien.khac"] {
        let w = Who::as_(&app, who).await;
        assert_eq!(
            w.get(&app, &format!("/api/v1/dossiers/{id}"))
                .await
                .status(),
            404,
            "{who}"
        );
        let inbox = ok(w.get(&app, "/api/v1/inbox").await).await;
        assert!(inbox["items"].as_array().unwrap().is_empty(), "{who}");
    }
    let other = Who::as_(&app, "congdan2").await;
    let r = other
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/withdraw"),
            json!({"version": v}),
        )
        .await;
    // Acting on it answers as reading it does: it is not there for them.
    assert_eq!(r.status(), 404);
    // A stale version is a conflict, not a second change.
    let r = citizen
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/withdraw"),
            json!({"version": 1}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let r = ok(citizen
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/withdraw"),
            json!({"version": v, "reason": "Nộp nhầm"}),
        )
        .await)
    .await;
    assert_eq!(r["dossier"]["status"], "withdrawn");
    let v = r["dossier"]["version"].as_i64().unwrap();
    // Terminal is final.
    let r = citizen
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/withdraw"),
            json!({"version": v}),
        )
        .await;
    assert_eq!(r.status(), 409);
}

#[tokio::test]
async fn refusal_needs_a_reason_and_issues_form_03() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let desk = Who::as_(&app, "tiepnhan").await;
    let (id, v) = submitted(&app, &citizen).await;
    let path = format!("/api/v1/dossiers/{id}/refuse");
    let r = desk
        .post(
            &app,
            &path,
            json!({"version": v, "desk": COMMUNE, "reason": " "}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "reason");
    ok(desk
        .post(
            &app,
            &path,
            json!({"version": v, "desk": COMMUNE, "reason": "Không thuộc thẩm quyền"}),
        )
        .await)
    .await;
    let detail = ok(citizen.get(&app, &format!("/api/v1/dossiers/{id}")).await).await;
    assert_eq!(detail["dossier"]["status"], "refused");
    assert_eq!(detail["documents"][0]["form"], "03");
}

#[tokio::test]
async fn a_procedure_without_time_limit_needs_the_appointment_from_the_desk() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let desk = Who::as_(&app, "tiepnhan").await;
    // 1.004772 has no confirmed time limit in the demo catalogue.
    let d = ok(citizen
        .post(
            &app,
            "/api/v1/dossiers",
            json!({"procedure": "1.004772", "unit": COMMUNE}),
        )
        .await)
    .await;
    let id = d["dossier"]["id"].as_str().unwrap().to_owned();
    ok(citizen
        .post(&app, &format!("/api/v1/dossiers/{id}/submit"), json!({}))
        .await)
    .await;
    let r = desk
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/receive"),
            json!({"desk": COMMUNE}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["code"], "due_at_required");
    let due = (chrono::Utc::now() + chrono::Duration::days(5)).to_rfc3339();
    ok(desk
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/receive"),
            json!({"desk": COMMUNE, "due_at": due}),
        )
        .await)
    .await;
}

#[tokio::test]
async fn the_declaration_is_checked_on_submission_with_vietnamese_field_errors() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let d = ok(citizen
        .post(
            &app,
            "/api/v1/dossiers",
            json!({"procedure": "1.001193", "unit": COMMUNE}),
        )
        .await)
    .await;
    let id = d["dossier"]["id"].as_str().unwrap().to_owned();
    let mut form = birth_form();
    form["child_full_name"] = json!("");
    form["requester_cccd"] = json!("12345");
    let r = citizen
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/submit"),
            json!({"form_data": form}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    let fields: Vec<(&str, &str)> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert!(
        fields.contains(&("form_data.requester_cccd", "invalid_cccd")),
        "{body}"
    );
    assert!(
        fields.contains(&("form_data.child_full_name", "required")),
        "{body}"
    );
    assert!(
        body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Vui lòng")
            || body["error"]["fields"][1]["message"]
                .as_str()
                .unwrap()
                .contains("Vui lòng"),
        "{body}"
    );
    // Nothing was submitted.
    let detail = ok(citizen.get(&app, &format!("/api/v1/dossiers/{id}")).await).await;
    assert_eq!(detail["dossier"]["status"], "draft");
    // The form definition is public, for clients that render it.
    let form: Value = reqwest::get(app.url("/api/v1/procedures/1.001193/form"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(form["fields"].as_array().unwrap().len() > 10);
}

async fn token_of(app: &crate::common::App, user: &str) -> String {
    app.token(user).await
}

/// Integration tokens carry their account's units and nothing more. (A desk may receive for
/// any competent unit — the spec's reception anywhere — but only at a desk it holds.)
#[tokio::test]
async fn a_token_of_another_unit_changes_nothing() {
    use motcua_domain::access::Role;
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let (id, v) = submitted(&app, &citizen).await;
    // A reception officer of the neighbouring commune, working through an integration token.
    app.add_account(
        "tiepnhan.khac",
        Role::ReceptionOfficer,
        "000.02.99.H57",
        false,
    )
    .await;
    let token = token_of(&app, "tiepnhan.khac").await;
    let plain = reqwest::Client::new();

    let r = plain
        .get(app.url(&format!("/api/v1/dossiers/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        404,
        "another commune's dossier is not even visible"
    );
    let r = plain
        .post(app.url(&format!("/api/v1/dossiers/{id}/receive")))
        .bearer_auth(&token)
        .json(&json!({"version": v, "desk": COMMUNE}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "what one may not read, one may not act on");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found", "{body}");
    assert!(body["error"]["request_id"].is_string(), "{body}");
    let inbox: Value = plain
        .get(app.url("/api/v1/inbox"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(inbox["items"].as_array().unwrap().is_empty(), "{inbox}");

    // A commune's administrator, by token, cannot draft a procedure only a department handles.
    let token = token_of(&app, "quantri.phuong").await;
    let url = app.url("/api/v1/procedures/2.001610");
    let published: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    let r = plain
        .post(format!("{url}/draft"))
        .bearer_auth(&token)
        .json(&published["procedure"])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let versions: Value = reqwest::get(format!("{url}/versions"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 1, "no draft written");

    // The dossier did not move: same status, same version, nothing after the submission.
    let d = ok(citizen.get(&app, &format!("/api/v1/dossiers/{id}")).await).await;
    assert_eq!(d["dossier"]["status"], "submitted");
    assert_eq!(d["dossier"]["version"], v);
    let events = app.db.store.dossier_events(&id).await.unwrap();
    assert_eq!(events.last().unwrap().change.kind(), "submitted");
}
