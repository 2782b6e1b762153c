//! The edge against hostile clients: slow or hoarding connections are cut off, cookies and
//! HSTS follow the transport, nothing personal is cached, the operators' paths are closed,
//! the public lookup is rate limited, and very long searches are bounded.

use motcua_store::testing::TestDb;
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A server started through `motcua_web::serve` with `config`, on an empty database.
struct Bare {
    addr: std::net::SocketAddr,
    _db: TestDb,
    _files: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn bare(edit: impl FnOnce(&mut motcua_web::Config)) -> Bare {
    bare_on(edit, false).await
}

async fn bare_on(edit: impl FnOnce(&mut motcua_web::Config), ops_only: bool) -> Bare {
    let db = TestDb::new().await.unwrap();
    db.store.seed_calendar().await.unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut config = motcua_web::Config {
        files_dir: files.path().to_owned(),
        ..Default::default()
    };
    edit(&mut config);
    let state = motcua_web::AppState::load(db.store.clone(), config)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let stop = async {
        let _ = rx.await;
    };
    if ops_only {
        tokio::spawn(motcua_web::serve_ops(listener, state, stop));
    } else {
        tokio::spawn(motcua_web::serve(listener, state, stop));
    }
    Bare {
        addr,
        _db: db,
        _files: files,
        _stop: tx,
    }
}

/// Reads until the server closes the connection (or resets it); what it sent, and how
/// long that took. Fails if the server keeps it open past `limit`.
async fn until_closed(s: &mut TcpStream, limit: Duration) -> (String, Duration) {
    let t0 = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((t0 + limit).into(), s.read(&mut buf)).await {
            Err(_) => panic!(
                "the server kept the connection open for {limit:?}; it sent {:?}",
                String::from_utf8_lossy(&got)
            ),
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), t0.elapsed())
}

fn short_timeouts(c: &mut motcua_web::Config) {
    c.header_read_timeout = Duration::from_secs(1);
    c.body_read_timeout = Duration::from_secs(1);
    c.idle_timeout = Duration::from_secs(30);
}

#[tokio::test]
async fn half_sent_headers_are_cut_off() {
    let app = bare(short_timeouts).await;
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-slow: ")
        .await
        .unwrap();
    let (_, took) = until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(took >= Duration::from_millis(900), "{took:?}");

    // A kept-alive connection that sends no next request is closed as well.
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let (sent, _) = until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(sent.starts_with("HTTP/1.1 200"), "{sent}");
    assert!(sent.ends_with("ok"), "{sent}");
}

#[tokio::test]
async fn half_sent_bodies_are_answered_and_closed() {
    let app = bare(short_timeouts).await;
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    s.write_all(
        b"POST /api/v1/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"username\":",
    )
    .await
    .unwrap();
    let (sent, took) = until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(took >= Duration::from_millis(900), "{took:?}");
    // Answered as the client's fault, in the API's one error shape, or simply closed.
    if !sent.is_empty() {
        assert!(sent.starts_with("HTTP/1.1 4"), "{sent}");
        assert!(
            !sent.contains("did not arrive"),
            "internal text leaked: {sent}"
        );
    }

    // A large body earns time as it comes: 64 KiB at once buys four more seconds, so the
    // rest may follow two seconds later, past the bare one-second deadline.
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    let body = format!(
        r#"{{"username":"nobody","password":"{}"}}"#,
        "x".repeat(64 * 1024)
    );
    let head = format!(
        "POST /api/v1/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let (first, rest) = body.as_bytes().split_at(body.len() - 10);
    s.write_all(first).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    s.write_all(rest).await.unwrap();
    let (sent, _) = until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(sent.starts_with("HTTP/1.1 401"), "{sent}");
}

#[tokio::test]
async fn silent_connections_are_closed_when_idle() {
    let app = bare(|c| {
        c.header_read_timeout = Duration::from_secs(30);
        c.idle_timeout = Duration::from_secs(1);
    })
    .await;
    let mut s = TcpStream::connect(app.addr).await.unwrap();
    let (_, took) = until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(took >= Duration::from_millis(900), "{took:?}");
}

#[tokio::test]
async fn the_connection_cap_holds() {
    let app = bare(|c| c.max_connections = 3).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut s = TcpStream::connect(app.addr).await.unwrap();
        // One full round trip, so the server has surely taken this connection.
        s.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 512];
        let n = s.read(&mut buf).await.unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
        held.push(s);
    }
    let mut extra = TcpStream::connect(app.addr).await.unwrap();
    let _ = extra
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await;
    let (sent, _) = until_closed(&mut extra, Duration::from_secs(3)).await;
    assert!(sent.starts_with("HTTP/1.1 503"), "{sent}");

    // Newcomers wait side by side, not one after another: six are all turned away
    // within about one wait (half a second), not six.
    let t0 = Instant::now();
    let mut extras = Vec::new();
    for _ in 0..6 {
        extras.push(TcpStream::connect(app.addr).await.unwrap());
    }
    for mut s in extras {
        let (sent, _) = until_closed(&mut s, Duration::from_secs(3)).await;
        assert!(sent.starts_with("HTTP/1.1 503"), "{sent}");
    }
    assert!(
        t0.elapsed() < Duration::from_millis(1500),
        "{:?}",
        t0.elapsed()
    );

    // A place freed is a place for the next one.
    drop(held.pop());
    let r = reqwest::Client::new()
        .get(format!("http://{}/healthz", app.addr))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn secure_cookies_and_hsts_unless_plain_http_is_chosen() {
    // The default: HTTPS in front.
    let app = bare(|_| {}).await;
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("http://{}/ngon-ngu?lang=en&next=/", app.addr))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert_eq!(
        r.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );

    // Plain HTTP (the demo on 127.0.0.1): neither, or the browser would drop the cookies.
    let plain = bare(|c| {
        c.secure_cookies = false;
        c.hsts = false;
    })
    .await;
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("http://{}/ngon-ngu?lang=en&next=/", plain.addr))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(r.headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn nothing_personal_is_cached() {
    let app = crate::common::spawn().await;
    let (c, _) = app.login("congdan").await;
    for path in [
        "/",
        "/thu-tuc?q=khai+sinh",
        "/ho-so-cua-toi",
        "/tra-cuu",
        "/api/v1/whoami",
        "/api/v1/dossiers",
        "/api/v1/procedures",
        "/api/v1/lookup?code=X&secret=Y",
        "/khong-co-trang-nay",
        "/healthz",
    ] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
    }
    // Anonymous answers are not kept either.
    let r = reqwest::get(app.url("/api/v1/procedures")).await.unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    // Static assets keep their own, long caching.
    let r = reqwest::get(app.url("/static/app.css")).await.unwrap();
    assert_eq!(r.headers()["cache-control"], "public, max-age=3600");
}

#[tokio::test]
async fn operators_paths_need_the_token_or_their_own_listener() {
    let app = crate::common::spawn().await;
    let anon = reqwest::Client::new();
    assert_eq!(
        anon.get(app.url("/healthz")).send().await.unwrap().status(),
        200
    );
    for path in ["/readyz", "/metrics"] {
        let r = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path} without a token");
        let r = anon
            .get(app.url(path))
            .bearer_auth("not-the-token")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path} with a wrong token");
        assert_eq!(app.ops(path).await.status(), 200, "{path} with the token");
    }

    // No token configured: closed to every bearer.
    let closed = bare(|_| {}).await;
    let r = anon
        .get(format!("http://{}/metrics", closed.addr))
        .bearer_auth("")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // The operators' own listener needs none, and serves nothing else.
    let ops = bare_on(|_| {}, true).await;
    let base = format!("http://{}", ops.addr);
    let r = anon.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let ready: Value = r.json().await.unwrap();
    assert_eq!(ready["ready"], true);
    let m = anon.get(format!("{base}/metrics")).send().await.unwrap();
    assert!(m.text().await.unwrap().contains("motcua_units"));
    let r = anon.get(format!("{base}/thu-tuc")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn wrong_lookups_are_rate_limited_per_address() {
    let app = crate::common::spawn().await;
    let c = reqwest::Client::new();
    for i in 0..20 {
        let r = c
            .get(app.url(&format!("/api/v1/lookup?code=H57.99-{i}&secret=SAI{i}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "try {i}");
    }
    let r = c
        .get(app.url("/api/v1/lookup?code=H57.99-1&secret=SAI"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 800 && wait <= 900, "{wait}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(body["error"]["request_id"].is_string());

    // The page's form counts against the same address.
    let r = c
        .get(app.url("/tra-cuu?code=H57.99-1&secret=SAI"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let page = r.text().await.unwrap();
    assert!(page.contains("Quá nhiều lần thử"), "{page}");
    assert!(page.contains("name=\"code\""), "the form stays: {page}");
}

#[tokio::test]
async fn very_long_searches_are_bounded() {
    let app = crate::common::spawn().await;
    let q = "khai sinh ".repeat(1000);
    for path in ["/api/v1/procedures", "/api/v1/units", "/thu-tuc"] {
        let r = reqwest::Client::new()
            .get(app.url(path))
            .query(&[("q", q.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    // The words read are still matched: the first ones find the procedure.
    let r: Value = reqwest::Client::new()
        .get(app.url("/api/v1/procedures"))
        .query(&[("q", q.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(names.iter().any(|n| n.contains("khai sinh")), "{names:?}");
    // 2,000 distinct words too.
    let q: String = (0..2000).map(|i| format!("tu{i} ")).collect();
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/units"))
        .query(&[("q", q.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
