//! Injected faults: down for a while, a share of failures, latency.

use std::time::{Duration, Instant};

use motcua_sandbox::national_portal::Options;
use serde_json::json;

use crate::{code, portal, record};

#[tokio::test]
async fn down_for_answers_503_then_recovers() {
    let p = portal(Options {
        down_for: Duration::from_secs(1),
        ..Options::default()
    })
    .await;
    let login = r#"{"username":"motcua","password":"sandbox"}"#;
    let down = p.post_raw("/login", login).await;
    assert_eq!(down.status(), 503);
    assert_eq!(down.headers()["x-sandbox"], "national-portal");
    assert!(down.text().await.unwrap().contains("injected"));
    // The sandbox's own pages stay readable while the gateway is down.
    let log = p.log().await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["http_status"], 503);
    assert_eq!(log[0]["response"], json!(null));

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let up = p.post_raw("/login", login).await;
    assert_eq!(up.status(), 200);
    let s = p.login().await;
    assert_eq!(
        p.sync(&s, "False", &[record(&code(1))]).await["error_code"],
        0
    );
}

#[tokio::test]
async fn fail_rate_one_fails_everything_and_changes_nothing() {
    let p = portal(Options {
        fail_rate: 1.0,
        ..Options::default()
    })
    .await;
    let create = json!({"session": "s", "madonvi": "u", "service": "DongBoHoSoMC",
                        "isUpdating": "False", "data": [record(&code(1))]});
    for _ in 0..20 {
        let login = p
            .post_raw("/login", r#"{"username":"motcua","password":"sandbox"}"#)
            .await;
        assert_eq!(login.status(), 500);
        let service = p.post_raw("/service", &create.to_string()).await;
        assert_eq!(service.status(), 500);
    }
    let (_, list) = p.get("/_sandbox/dossiers").await;
    assert_eq!(list, json!([]));
    let log = p.log().await;
    assert_eq!(log.len(), 40);
    assert!(log.iter().all(|e| e["http_status"] == 500));
}

/// The HTTP statuses of `n` logins against a fresh sandbox.
async fn pattern(opts: Options, n: usize) -> Vec<u16> {
    let p = portal(opts).await;
    let mut seen = Vec::with_capacity(n);
    for _ in 0..n {
        let r = p
            .post_raw("/login", r#"{"username":"motcua","password":"sandbox"}"#)
            .await;
        seen.push(r.status().as_u16());
    }
    seen
}

#[tokio::test]
async fn a_seed_makes_the_failures_repeatable() {
    let seeded = |seed| Options {
        fail_rate: 0.5,
        seed: Some(seed),
        ..Options::default()
    };
    let a = pattern(seeded(42), 40).await;
    assert_eq!(a, pattern(seeded(42), 40).await);
    assert_ne!(a, pattern(seeded(43), 40).await);
    assert!(a.contains(&500) && a.contains(&200), "{a:?}");
    assert!(a.iter().all(|s| [200, 500].contains(s)));
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let p = portal(Options {
        latency: Duration::from_millis(300),
        ..Options::default()
    })
    .await;
    let t = Instant::now();
    let s = p.login().await;
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    let t = Instant::now();
    assert_eq!(
        p.sync(&s, "False", &[record(&code(1))]).await["error_code"],
        0
    );
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    // The sandbox's own pages are not slowed.
    let t = Instant::now();
    p.log().await;
    assert!(
        t.elapsed() < Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn options_refuse_a_fail_rate_outside_zero_to_one() {
    for (rate, ok) in [
        (0.0, true),
        (1.0, true),
        (1.01, false),
        (-0.5, false),
        (f64::NAN, false),
    ] {
        let o = Options {
            fail_rate: rate,
            ..Options::default()
        };
        assert_eq!(o.validate().is_ok(), ok, "{rate}");
    }
    let shown = format!("{:?}", Options::default());
    assert!(
        !shown.contains("sandbox\""),
        "the password is not shown: {shown}"
    );
}
