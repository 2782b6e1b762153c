//! Errors that axum or tower answer before a handler of ours speaks (a body over the
//! limit, a rejected query, body or path, an unknown address or method) leave in the one
//! shape too: the JSON body of `spec/api.md` under `/api/`, the error page elsewhere.

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The standard error body with `code` and `status`, its request id the header's; returns
/// the body.
async fn api_error(r: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(r.status(), status, "{code}");
    let ct = r.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        ct.starts_with("application/json"),
        "{code}: content type {ct}"
    );
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["request_id"], id.as_str(), "{body}");
    assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    body
}

/// The Vietnamese error page with `status`, showing the request id.
async fn error_page(r: reqwest::Response, status: u16, heading: &str) {
    assert_eq!(r.status(), status);
    let ct = r.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap();
    assert!(ct.starts_with("text/html"), "content type {ct}");
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("<h1>{heading}</h1>")), "{html}");
    assert!(html.contains(&format!("<code>{id}</code>")), "{html}");
}

const THREE_MIB: usize = 3 * 1024 * 1024;

#[tokio::test]
async fn a_body_over_the_limit_is_payload_too_large() {
    let app = crate::common::spawn().await;
    let c = reqwest::Client::new();
    let big = format!(
        "{{\"username\":\"{}\",\"password\":\"x\"}}",
        "a".repeat(THREE_MIB)
    );
    let r = c
        .post(app.url("/api/v1/login"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    api_error(r, 413, "payload_too_large").await;

    // The same on a page: the error page, not plain text.
    let form = format!("username={}&password=x", "a".repeat(THREE_MIB));
    let r = c
        .post(app.url("/dang-nhap"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    error_page(r, 413, "Yêu cầu không hợp lệ").await;
}

/// Sends `chunks` as a chunked body (no Content-Length, so the limit is only found while
/// the body streams in) and returns the status line's code, the headers and the body.
async fn chunked(
    app: &crate::common::App,
    path: &str,
    content_type: &str,
    chunks: usize,
) -> (u16, String, String) {
    let addr = app.base.trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    let writer = tokio::spawn(async move {
        wr.write_all(head.as_bytes()).await?;
        let chunk = vec![b' '; 64 * 1024];
        for _ in 0..chunks {
            wr.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            wr.write_all(&chunk).await?;
            wr.write_all(b"\r\n").await?;
        }
        wr.write_all(b"0\r\n\r\n").await?;
        std::io::Result::Ok(())
    });
    // The server may answer before it has read everything; read the answer whole.
    let mut got = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    let (head, body) = loop {
        let n = rd.read(&mut buf).await.unwrap();
        assert!(n > 0, "connection closed before an answer");
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .expect("a content-length");
            if body.len() >= len {
                break (head.to_owned(), body[..len].to_owned());
            }
        }
    };
    writer.abort();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head, body)
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_payload_too_large_not_invalid() {
    let app = crate::common::spawn().await;
    // 48 chunks of 64 KiB: 3 MiB, over the 2 MiB limit.
    let (status, head, body) = chunked(&app, "/api/v1/login", "application/json", 48).await;
    assert_eq!(status, 413, "{head}\n{body}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large", "{body}");
    let id = head
        .lines()
        .find_map(|l| l.strip_prefix("x-request-id: "))
        .unwrap();
    assert_eq!(body["error"]["request_id"], id);
}

#[tokio::test]
async fn query_parameters_that_do_not_parse_name_the_parameter() {
    let app = crate::common::spawn().await;
    let r = reqwest::get(app.url("/api/v1/procedures?limit=abc"))
        .await
        .unwrap();
    let body = api_error(r, 422, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "limit", "{body}");
    assert_eq!(body["error"]["fields"][0]["code"], "invalid");

    // A required parameter left out.
    let r = reqwest::get(app.url("/api/v1/index?to=2026-01-31"))
        .await
        .unwrap();
    let body = api_error(r, 422, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "from", "{body}");
    assert_eq!(body["error"]["fields"][0]["code"], "required");

    // A page with the same query: the error page.
    let r = reqwest::get(app.url("/thu-tuc?limit=abc")).await.unwrap();
    error_page(r, 400, "Yêu cầu không hợp lệ").await;
}

#[tokio::test]
async fn bodies_of_the_wrong_type_or_shape() {
    let app = crate::common::spawn().await;
    let c = reqwest::Client::new();
    // Not JSON at all: no content type.
    let r = c
        .post(app.url("/api/v1/login"))
        .body("username=a&password=b")
        .send()
        .await
        .unwrap();
    api_error(r, 415, "unsupported_media_type").await;
    // JSON of the wrong shape.
    let r = c
        .post(app.url("/api/v1/login"))
        .json(&json!({"username": 5}))
        .send()
        .await
        .unwrap();
    api_error(r, 422, "invalid_body").await;

    // An upload that is not multipart.
    let who = crate::common::Who::as_(&app, "congdan").await;
    let d = who
        .post(
            &app,
            "/api/v1/dossiers",
            json!({"procedure": "1.001193", "unit": "000.01.99.H57"}),
        )
        .await;
    assert_eq!(d.status(), 201);
    let d: Value = d.json().await.unwrap();
    let id = d["dossier"]["id"].as_str().unwrap();
    let r = who
        .post(&app, &format!("/api/v1/dossiers/{id}/files"), json!({}))
        .await;
    api_error(r, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn path_parameters_that_do_not_parse() {
    let app = crate::common::spawn().await;
    let (c, csrf) = app.login("vanhanh").await;
    let r = c
        .post(app.url("/api/v1/procedures/1.001193/versions/abc/publish"))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    let body = api_error(r, 422, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "version", "{body}");

    // Not UTF-8 once percent-decoded.
    let r = reqwest::get(app.url("/api/v1/units/%FF%FE")).await.unwrap();
    api_error(r, 400, "bad_request").await;
}

#[tokio::test]
async fn unknown_addresses_and_methods() {
    let app = crate::common::spawn().await;
    let c = reqwest::Client::new();
    for path in ["/api/v1/khong-co", "/api/v2/procedures", "/api/"] {
        let r = c.get(app.url(path)).send().await.unwrap();
        api_error(r, 404, "not_found").await;
    }
    let r = c
        .delete(app.url("/api/v1/procedures"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["allow"], "GET,HEAD");
    api_error(r, 405, "method_not_allowed").await;
    let r = c.put(app.url("/api/v1/dossiers")).send().await.unwrap();
    api_error(r, 405, "method_not_allowed").await;

    // Pages: the error page, in the reader's language.
    let r = c.get(app.url("/khong-co-trang-nay")).send().await.unwrap();
    error_page(r, 404, "Không tìm thấy trang").await;
    let r = c.delete(app.url("/thu-tuc")).send().await.unwrap();
    assert!(r.headers().contains_key("allow"));
    error_page(r, 405, "Yêu cầu không hợp lệ").await;
    let r = c
        .get(app.url("/khong-co-trang-nay"))
        .header("cookie", "lang=en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("lang=\"en\""));
}

#[tokio::test]
async fn english_clients_get_english_messages_for_these_too() {
    let app = crate::common::spawn().await;
    let r = reqwest::Client::new()
        .delete(app.url("/api/v1/procedures"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let body = api_error(r, 405, "method_not_allowed").await;
    assert_eq!(
        body["error"]["message"],
        "This address does not accept the request's method."
    );
}

#[tokio::test]
async fn form_data_that_is_not_an_object_is_refused_not_stored() {
    let app = crate::common::spawn().await;
    let who = crate::common::Who::as_(&app, "congdan").await;
    let mut body = json!({"procedure": "1.001193", "unit": "000.01.99.H57", "form_data": 5});
    let r = who.post(&app, "/api/v1/dossiers", body.clone()).await;
    api_error(r, 422, "invalid_body").await;

    body["form_data"] = json!({});
    let r = who.post(&app, "/api/v1/dossiers", body).await;
    assert_eq!(r.status(), 201);
    let d: Value = r.json().await.unwrap();
    let id = d["dossier"]["id"].as_str().unwrap().to_owned();
    for (action, body) in [
        ("form", json!({"form_data": -3})),
        ("form", json!({"form_data": "text"})),
        ("submit", json!({"form_data": [1, 2]})),
        ("supplement", json!({"form_data": true})),
    ] {
        let r = who
            .post(&app, &format!("/api/v1/dossiers/{id}/{action}"), body)
            .await;
        api_error(r, 422, "invalid_body").await;
    }
    // What the draft holds is still an object, as GET /api/v1/dossiers/{id} documents.
    let r = who
        .c
        .get(app.url(&format!("/api/v1/dossiers/{id}")))
        .send()
        .await
        .unwrap();
    let d: Value = r.json().await.unwrap();
    assert!(d["form_data"].is_object(), "{d}");
}

/// PostgreSQL refuses a NUL character in text, which made these a 500 there (and stored
/// it on SQLite); they are refused at the edge on both.
#[tokio::test]
async fn nul_characters_are_refused_before_the_database() {
    let app = crate::common::spawn().await;
    let c = reqwest::Client::new();
    let r = c
        .get(app.url("/api/v1/procedures?field=%00"))
        .send()
        .await
        .unwrap();
    let body = api_error(r, 422, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["code"], "invalid_character");
    let r = c.get(app.url("/api/v1/units/a%00b")).send().await.unwrap();
    api_error(r, 400, "bad_request").await;
    let r = c
        .post(app.url("/api/v1/login"))
        .json(&json!({"username": "van\u{0}hanh", "password": "x"}))
        .send()
        .await
        .unwrap();
    let body = api_error(r, 422, "validation_failed").await;
    assert_eq!(body["error"]["fields"][0]["field"], "body");
    let r = c.get(app.url("/thu-tuc?field=%00")).send().await.unwrap();
    error_page(r, 422, "Yêu cầu không hợp lệ").await;
    // A page's form too (the login form reads the user name from the database).
    let r = c
        .post(app.url("/dang-nhap"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=van%00hanh&password=x&next=%2F")
        .send()
        .await
        .unwrap();
    error_page(r, 422, "Yêu cầu không hợp lệ").await;
}
