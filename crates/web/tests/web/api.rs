//! The JSON API through a real server and database.

use serde_json::{Value, json};

#[tokio::test]
async fn search_finds_birth_registration_first_without_diacritics() {
    let app = crate::common::spawn().await;
    let r: Value = reqwest::get(app.url("/api/v1/procedures?q=dang%20ky%20khai%20sinh&limit=5"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["items"][0]["code"], "1.001193", "{r}");
    assert!(
        r["items"][0]["name"]
            .as_str()
            .unwrap()
            .contains("đăng ký khai sinh")
    );
    // With diacritics and in capitals, the same first answer.
    let r2: Value =
        reqwest::get(app.url("/api/v1/procedures?q=%C4%90%C4%82NG%20K%C3%9D%20KHAI%20SINH"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(r2["items"][0]["code"], "1.001193");
    // Filters narrow: a department handles none of the commune-level civil-status procedures.
    let r3: Value = reqwest::get(app.url("/api/v1/procedures?q=khai%20sinh&unit=000.00.87.H57"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r3["total"], 0);
}

#[tokio::test]
async fn errors_have_one_shape_with_request_id_and_language() {
    let app = crate::common::spawn().await;
    let r = reqwest::get(app.url("/api/v1/procedures/abc"))
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation_failed");
    assert_eq!(body["error"]["fields"][0]["code"], "invalid_procedure_code");
    assert_eq!(body["error"]["request_id"], id.as_str());
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Mã thủ tục")
    );

    let c = reqwest::Client::new();
    let r = c
        .get(app.url("/api/v1/procedures/9.999999"))
        .header("accept-language", "en")
        .header("x-request-id", "trace-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["x-request-id"], "trace-123");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(body["error"]["message"], "Procedure not found.");

    let r = c
        .post(app.url("/api/v1/login"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_body");
}

#[tokio::test]
async fn login_failures_are_rate_limited() {
    let app = crate::common::spawn().await;
    let c = reqwest::Client::new();
    for _ in 0..5 {
        let r = c
            .post(app.url("/api/v1/login"))
            .json(&json!({"username": "vanhanh", "password": "sai-mat-khau"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_credentials");
    }
    let r = c
        .post(app.url("/api/v1/login"))
        .json(&json!({"username": "vanhanh", "password": crate::common::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429, "even the right password waits");
    assert!(r.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn sessions_csrf_and_tokens() {
    let app = crate::common::spawn().await;
    let (c, csrf) = app.login("vanhanh").await;
    let me: Value = c
        .get(app.url("/api/v1/whoami"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "vanhanh");
    assert_eq!(me["grants"][0]["role"], "operator");

    // A write with the session cookie but without the CSRF token is refused.
    let r = c
        .post(app.url("/api/v1/tokens"))
        .json(&json!({"name": "LGSP"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "csrf_failed");
    // So is one a browser marks as coming from another site, even with the token.
    let r = c
        .post(app.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"name": "LGSP"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let r = c
        .post(app.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&json!({
            "name": "Trục LGSP",
            "expires_at": (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339(),
            "password": crate::common::PASSWORD,
            "grants": [{"role": "operator", "unit": "000.00.00.H57", "with_sub_units": true}],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    let id = created["info"]["id"].as_str().unwrap().to_owned();

    let plain = reqwest::Client::new();
    let me: Value = plain
        .get(app.url("/api/v1/whoami"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "vanhanh");
    // A token cannot mint more tokens.
    let r = plain
        .post(app.url("/api/v1/tokens"))
        .bearer_auth(&token)
        .json(&json!({
            "name": "x",
            "expires_at": (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339(),
            "password": crate::common::PASSWORD,
            "grants": [{"role": "operator", "unit": "000.00.00.H57", "with_sub_units": true}],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let r = c
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = plain
        .get(app.url("/api/v1/whoami"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let r = c
        .post(app.url("/api/v1/logout"))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = c.get(app.url("/api/v1/whoami")).send().await.unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn catalogue_drafts_and_publication_follow_roles() {
    let app = crate::common::spawn().await;
    let mut record: Value = reqwest::get(app.url("/api/v1/procedures/1.001193"))
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["procedure"]
        .clone();
    record["name"] = json!("Đăng ký khai sinh");
    let draft = |c: &reqwest::Client, csrf: &str, body: &Value| {
        c.post(app.url("/api/v1/procedures/1.001193/draft"))
            .header("x-csrf-token", csrf)
            .json(body)
            .send()
    };

    // A specialist does not edit the catalogue; nor does an administrator of one commune
    // for a procedure all 40 communes handle.
    for who in ["chuyenvien", "quantri.phuong"] {
        let (c, csrf) = app.login(who).await;
        assert_eq!(
            draft(&c, &csrf, &record).await.unwrap().status(),
            403,
            "{who}"
        );
    }
    let (admin, admin_csrf) = app.login("quantri").await;
    let r = draft(&admin, &admin_csrf, &record).await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["version"], 2);
    // Publication is the operator's (on the province's decision), not the unit admin's.
    let publish = app.url("/api/v1/procedures/1.001193/versions/2/publish");
    assert_eq!(
        admin
            .post(&publish)
            .header("x-csrf-token", &admin_csrf)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let (op, op_csrf) = app.login("vanhanh").await;
    assert_eq!(
        op.post(&publish)
            .header("x-csrf-token", &op_csrf)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let r = op
        .post(&publish)
        .header("x-csrf-token", &op_csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);

    let now: Value = reqwest::get(app.url("/api/v1/procedures/1.001193"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(now["version"], 2);
    assert_eq!(now["procedure"]["name"], "Đăng ký khai sinh");
    let versions: Value = reqwest::get(app.url("/api/v1/procedures/1.001193/versions"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 2);

    // A malformed record is refused with a field error, and nothing changes.
    let mut bad = record.clone();
    bad["units"] = json!(["000.77.99.H57"]);
    let r = draft(&admin, &admin_csrf, &bad).await.unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["code"], "unknown_unit");
}

#[tokio::test]
async fn units_rename_and_merge_keep_old_names_findable() {
    let app = crate::common::spawn().await;
    let (op, csrf) = app.login("vanhanh").await;
    let r = op
        .post(app.url("/api/v1/units/000.00.89.H57/rename"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "Sở Văn hóa, Thể thao thành phố Huế"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let found: Value = reqwest::get(app.url("/api/v1/units?q=so%20van%20hoa%20va%20the%20thao"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["items"][0]["code"], "000.00.89.H57", "{found}");

    let r = op
        .post(app.url("/api/v1/units/000.02.99.H57/merge"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"into": "000.01.99.H57"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let merged: Value = r.json().await.unwrap();
    assert_eq!(merged["active"], false);
    assert_eq!(merged["successor"], "000.01.99.H57");
    let detail: Value = reqwest::get(app.url("/api/v1/units/000.02.99.H57"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["history"][0]["change"], "merged");

    // Nobody but an operator renames units.
    let (c, c_csrf) = app.login("quantri").await;
    let r = c
        .post(app.url("/api/v1/units/000.00.89.H57/rename"))
        .header("x-csrf-token", &c_csrf)
        .json(&json!({"name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn health_readiness_metrics() {
    let app = crate::common::spawn().await;
    assert_eq!(
        reqwest::get(app.url("/healthz"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    let r: Value = app.ops("/readyz").await.json().await.unwrap();
    assert_eq!(r["ready"], true);
    assert_eq!(r["pending_migrations"], 0);
    let m = app.ops("/metrics").await.text().await.unwrap();
    assert!(m.contains("motcua_catalogue_procedures 126"), "{m}");
    assert!(m.contains("motcua_http_requests_total{class=\"2xx\"}"));
}

#[tokio::test]
async fn openapi_document_is_committed_and_current() {
    let app = crate::common::spawn().await;
    let served = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(path, &served).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == served,
        "docs/openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test -p motcua-web --test web openapi` and commit it"
    );
    let doc: Value = serde_json::from_str(&served).unwrap();
    for p in [
        "/api/v1/procedures",
        "/api/v1/units/{code}/merge",
        "/api/v1/tokens",
        "/api/v1/login",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} missing");
    }
}
