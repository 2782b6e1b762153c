//! The limits of what one dossier and one applicant may hold, and the checks on what is
//! sent (a reused idempotency key, impossible dates), through a real server and database.

use crate::common::{Who, birth_form, ok, submitted};
use serde_json::{Value, json};

use crate::common::COMMUNE;

async fn read(app: &crate::common::App, who: &Who, path: &str) -> reqwest::Response {
    who.c.get(app.url(path)).send().await.unwrap()
}

/// The error's top code and its fields as (field, code).
async fn refusal(r: reqwest::Response) -> (u16, String, Vec<(String, String)>) {
    let s = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    let fields = body["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["field"].as_str().unwrap().to_owned(),
                        f["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (
        s,
        body["error"]["code"].as_str().unwrap().to_owned(),
        fields,
    )
}

async fn create_keyed(
    app: &crate::common::App,
    who: &Who,
    key: &str,
    body: Value,
) -> reqwest::Response {
    who.c
        .post(app.url("/api/v1/dossiers"))
        .header("x-csrf-token", &who.csrf)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_idempotency_key_reused_with_another_request_is_refused() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let first = json!({"procedure": "1.001193", "unit": COMMUNE, "form_data": {"child_full_name": "An", "a": {"x": 1, "y": 2}}});
    let r = create_keyed(&app, &citizen, "k-7", first).await;
    assert_eq!(r.status(), 201);
    let id = ok(r).await["dossier"]["id"].as_str().unwrap().to_owned();
    // The same request, keys in another order: the first draft.
    let same = json!({"form_data": {"a": {"y": 2, "x": 1}, "child_full_name": "An"}, "unit": COMMUNE, "procedure": "1.001193"});
    let r = create_keyed(&app, &citizen, "k-7", same).await;
    assert_eq!(r.status(), 200);
    assert_eq!(ok(r).await["dossier"]["id"], id.as_str());
    // Another declaration, another procedure: refused, not answered with the first draft.
    for other in [
        json!({"procedure": "1.001193", "unit": COMMUNE, "form_data": {"child_full_name": "Bình"}}),
        json!({"procedure": "2.000815", "unit": COMMUNE, "form_data": {"child_full_name": "An", "a": {"x": 1, "y": 2}}}),
    ] {
        let (s, code, fields) = refusal(create_keyed(&app, &citizen, "k-7", other).await).await;
        assert_eq!((s, code.as_str()), (422, "idempotency_key_reused"));
        assert_eq!(fields[0].0, "Idempotency-Key");
    }
    let mine = ok(read(&app, &citizen, "/api/v1/dossiers").await).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_declaration_must_be_an_object_of_bounded_size_and_depth() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let create = |form_data: Value| {
        let citizen = &citizen;
        let app = &app;
        async move {
            refusal(
                citizen
                    .post(
                        app,
                        "/api/v1/dossiers",
                        json!({"procedure": "2.000815", "unit": COMMUNE, "form_data": form_data}),
                    )
                    .await,
            )
            .await
        }
    };
    // The body's type says `form_data` is an object: anything else is not the expected JSON.
    let (s, code, _) = create(json!([1, 2])).await;
    assert_eq!((s, code.as_str()), (422, "invalid_body"));
    let (s, code, fields) = create(json!({"junk": "x".repeat(300 * 1024)})).await;
    assert_eq!((s, code.as_str()), (413, "form_data_too_large"));
    assert_eq!(fields[0].0, "form_data");
    let mut deep = json!(1);
    for _ in 0..20 {
        deep = json!({ "a": deep });
    }
    let (s, code, _) = create(deep).await;
    assert_eq!((s, code.as_str()), (422, "form_data_too_deep"));
    let mine = ok(read(&app, &citizen, "/api/v1/dossiers").await).await;
    assert!(mine.as_array().unwrap().is_empty(), "nothing created");

    // The same rules when a draft is saved, and nothing is written.
    let d = ok(citizen
        .post(
            &app,
            "/api/v1/dossiers",
            json!({"procedure": "2.000815", "unit": COMMUNE, "form_data": {"note": "ok"}}),
        )
        .await)
    .await;
    let id = d["dossier"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/dossiers/{id}/form");
    let (s, code, _) = refusal(
        citizen
            .post(&app, &path, json!({"version": 1, "form_data": [1, 2]}))
            .await,
    )
    .await;
    assert_eq!((s, code.as_str()), (422, "invalid_body"));
    let (s, code, _) = refusal(
        citizen
            .post(
                &app,
                &path,
                json!({"version": 1, "form_data": {"junk": "x".repeat(300 * 1024)}}),
            )
            .await,
    )
    .await;
    assert_eq!((s, code.as_str()), (413, "form_data_too_large"));
    let stored = app.db.store.dossier(&id).await.unwrap();
    assert_eq!(stored.state.version, 1);
    assert_eq!(stored.form_data, json!({"note": "ok"}));
}

#[tokio::test]
async fn an_applicant_holds_a_bounded_number_of_open_drafts() {
    let app = crate::common::spawn_with(|c| c.limits.open_drafts = 3).await;
    let citizen = Who::as_(&app, "congdan").await;
    let body = json!({"procedure": "2.000815", "unit": COMMUNE});
    for _ in 0..3 {
        ok(citizen.post(&app, "/api/v1/dossiers", body.clone()).await).await;
    }
    let (s, code, fields) =
        refusal(citizen.post(&app, "/api/v1/dossiers", body.clone()).await).await;
    assert_eq!((s, code.as_str()), (422, "too_many_drafts"));
    assert_eq!(fields[0].1, "too_many_drafts");
    // Another applicant is not held back by them.
    let other = Who::as_(&app, "congdan2").await;
    ok(other.post(&app, "/api/v1/dossiers", body).await).await;
    let mine = ok(read(&app, &citizen, "/api/v1/dossiers").await).await;
    assert_eq!(mine.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn officers_free_text_is_bounded_and_a_refusal_writes_nothing() {
    let app = crate::common::spawn().await;
    let citizen = Who::as_(&app, "congdan").await;
    let desk = Who::as_(&app, "tiepnhan").await;
    let spec = Who::as_(&app, "chuyenvien").await;
    let (id, v) = submitted(&app, &citizen).await;
    let r = ok(desk
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/receive"),
            json!({"version": v, "desk": COMMUNE}),
        )
        .await)
    .await;
    let v = r["dossier"]["version"].as_i64().unwrap();
    let path = format!("/api/v1/dossiers/{id}/request-supplement");
    let cases = [
        (
            json!({"version": v, "items": ["Giấy chứng sinh"], "reason": "ạ".repeat(2001)}),
            ("reason", "text_too_long"),
        ),
        (
            json!({"version": v, "items": ["Giấy chứng sinh", "x".repeat(2001)], "reason": "Thiếu"}),
            ("items[1]", "text_too_long"),
        ),
        (
            json!({"version": v, "items": vec!["Giấy"; 51], "reason": "Thiếu"}),
            ("items", "too_many_items"),
        ),
    ];
    for (body, (field, code)) in cases {
        let (s, top, fields) = refusal(spec.post(&app, &path, body).await).await;
        assert_eq!((s, top.as_str()), (422, code));
        assert_eq!(fields, [(field.to_owned(), code.to_owned())]);
    }
    assert_eq!(app.db.store.dossier(&id).await.unwrap().state.version, v);
    // 2,000 characters is allowed.
    let r = spec
        .post(
            &app,
            &path,
            json!({"version": v, "items": ["Giấy chứng sinh"], "reason": "ạ".repeat(2000)}),
        )
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_birth_date_in_year_0_is_refused_with_a_field_error() {
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
    form["child_birth_date"] = json!("0000-01-01");
    let r = citizen
        .post(
            &app,
            &format!("/api/v1/dossiers/{id}/submit"),
            json!({"form_data": form}),
        )
        .await;
    let (s, _, fields) = refusal(r).await;
    assert_eq!(s, 422);
    assert_eq!(
        fields,
        [(
            "form_data.child_birth_date".to_owned(),
            "date_too_early".to_owned()
        )]
    );
    let detail = ok(read(&app, &citizen, &format!("/api/v1/dossiers/{id}")).await).await;
    assert_eq!(detail["dossier"]["status"], "draft");
}
