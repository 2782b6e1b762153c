//! The outbox worker against a real receiver (an HTTP server on port 0 that is down for
//! its first requests), on a real database: every message arrives exactly once after
//! retries, the backoff is kept, two workers never carry one message at the same time, and
//! topics without a target wait, counted in `/metrics`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::Utc;
use motcua_store::Store;
use motcua_store::dossiers::OutboxMessage;
use motcua_store::outbox::Backoff;
use motcua_web::outbox_worker::{Worker, WorkerConfig};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the receiver saw.
#[derive(Default)]
struct Seen {
    /// Requests to refuse (503) before accepting any.
    fail_first: usize,
    requests: usize,
    /// Key → instants of every request carrying it.
    attempts: HashMap<String, Vec<Instant>>,
    /// Key → times it was accepted as new (idempotency: a repeat is acknowledged, not
    /// counted again).
    accepted: HashMap<String, usize>,
    repeats: usize,
    in_flight: HashSet<String>,
    /// A key arrived while another request with it was still being handled.
    overlaps: usize,
    bodies_ok: bool,
}

type Shared = Arc<Mutex<Seen>>;

async fn receive(State(seen): State<Shared>, headers: HeaderMap, body: String) -> StatusCode {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let fail = {
        let mut s = seen.lock().unwrap();
        s.requests += 1;
        if !s.in_flight.insert(key.clone()) {
            s.overlaps += 1;
        }
        s.attempts
            .entry(key.clone())
            .or_default()
            .push(Instant::now());
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        if v["key"] != key.as_str() {
            s.bodies_ok = false;
        }
        s.requests <= s.fail_first
    };
    // Hold the request a moment, so that a second carrier of the same row would overlap.
    tokio::time::sleep(Duration::from_millis(15)).await;
    let mut s = seen.lock().unwrap();
    s.in_flight.remove(&key);
    if fail {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let n = s.accepted.entry(key).or_insert(0);
    if *n > 0 {
        s.repeats += 1;
    } else {
        *n = 1;
    }
    StatusCode::OK
}

async fn receiver(fail_first: usize) -> (String, Shared) {
    let seen: Shared = Arc::new(Mutex::new(Seen {
        fail_first,
        bodies_ok: true,
        ..Seen::default()
    }));
    let app = axum::Router::new()
        .route("/inbox", post(receive))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/inbox"), seen)
}

fn config(url: &str, backoff: Backoff) -> WorkerConfig {
    let mut targets = BTreeMap::new();
    targets.insert("national_portal.sync".to_owned(), url.parse().unwrap());
    WorkerConfig {
        targets,
        batch: 3,
        lease: chrono::Duration::seconds(30),
        backoff,
        idle: Duration::from_millis(10),
        timeout: Duration::from_secs(5),
    }
}

fn messages(topic: &str, n: usize) -> Vec<OutboxMessage> {
    (0..n)
        .map(|i| {
            let key = format!("{topic}:{i:02}");
            OutboxMessage {
                topic: topic.into(),
                dedup_key: key.clone(),
                payload: serde_json::json!({ "key": key }),
            }
        })
        .collect()
}

#[tokio::test]
async fn two_workers_deliver_each_message_once_after_the_peer_comes_back() {
    let app = crate::common::spawn().await;
    let store = app.db.store.clone();
    const N: usize = 24;
    const DOWN: usize = 10;
    store
        .enqueue(&messages("national_portal.sync", N), Utc::now())
        .await
        .unwrap();
    store
        .enqueue(&messages("notify.applicant", 3), Utc::now())
        .await
        .unwrap();
    let (url, seen) = receiver(DOWN).await;
    let backoff = Backoff {
        base: chrono::Duration::milliseconds(200),
        max: chrono::Duration::seconds(1),
    };
    // Two workers with their own connection pools, like two servers.
    let other = Store::connect_with(&app.db.url, app.db.pg_schema.clone())
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers = [store.clone(), other].map(|s| {
        let w = Worker::new(s, config(&url, backoff)).unwrap();
        tokio::spawn(w.run(stopped.clone()))
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let rows = store.outbox_rows(Utc::now()).await.unwrap();
        let left = rows
            .iter()
            .filter(|r| r.topic == "national_portal.sync" && r.delivered_at.is_none())
            .count();
        if left == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{left} still undelivered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.send(true).unwrap();
    for w in workers {
        tokio::time::timeout(Duration::from_secs(10), w)
            .await
            .expect("workers stop when told")
            .unwrap();
    }

    let seen = std::mem::take(&mut *seen.lock().unwrap());
    assert_eq!(seen.accepted.len(), N, "every message arrived");
    assert!(seen.accepted.values().all(|&n| n == 1));
    assert_eq!(seen.repeats, 0, "none delivered twice");
    assert_eq!(
        seen.overlaps, 0,
        "no message carried by two workers at once"
    );
    assert!(seen.bodies_ok, "each payload went with its own key");
    assert_eq!(seen.requests, N + DOWN, "one request per attempt");
    // The store counted the same attempts, and kept the backoff between them.
    let rows = store.outbox_rows(Utc::now()).await.unwrap();
    let synced: Vec<_> = rows
        .iter()
        .filter(|r| r.topic == "national_portal.sync")
        .collect();
    let attempts: i64 = synced.iter().map(|r| r.attempts).sum();
    assert_eq!(attempts as usize, seen.requests);
    assert!(synced.iter().any(|r| r.attempts > 1), "some were retried");
    assert!(synced.iter().all(|r| r.last_error.is_none()));
    for (key, times) in &seen.attempts {
        let row = synced.iter().find(|r| &r.dedup_key == key).unwrap();
        assert_eq!(times.len() as i64, row.attempts, "{key}");
        for (i, pair) in times.windows(2).enumerate() {
            let wait = backoff.delay(i as i64 + 1).to_std().unwrap();
            assert!(
                pair[1] - pair[0] >= wait,
                "{key}: retry {} after {:?}, backoff {:?}",
                i + 1,
                pair[1] - pair[0],
                wait
            );
        }
    }

    // The topic without a target waits, and says so.
    let pending = store.outbox_pending().await.unwrap();
    assert_eq!(pending, vec![("notify.applicant".to_owned(), 3)]);
    let metrics = app.ops("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("motcua_outbox_pending{topic=\"notify.applicant\"} 3\n"),
        "{metrics}"
    );
    assert!(!metrics.contains("topic=\"national_portal.sync\""));
    let ready: serde_json::Value = app.ops("/readyz").await.json().await.unwrap();
    assert_eq!(ready["outbox_pending"]["notify.applicant"], 3);
}

#[tokio::test]
async fn a_stopping_worker_gives_back_what_it_has_not_sent() {
    let app = crate::common::spawn().await;
    let store = app.db.store.clone();
    store
        .enqueue(&messages("national_portal.sync", 5), Utc::now())
        .await
        .unwrap();
    let (url, seen) = receiver(0).await;
    let mut cfg = config(&url, Backoff::default());
    cfg.batch = 5;
    let w = Worker::new(store.clone(), cfg).unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    stop.send(true).unwrap();
    let pass = w.run_once(&stopped).await.unwrap();
    assert_eq!((pass.claimed, pass.delivered), (5, 0));
    assert_eq!(seen.lock().unwrap().requests, 0);
    let rows = store.outbox_rows(Utc::now()).await.unwrap();
    assert!(
        rows.iter()
            .all(|r| !r.leased && r.attempts == 0 && r.delivered_at.is_none())
    );
    let (_, running) = tokio::sync::watch::channel(false);
    let pass = w.run_once(&running).await.unwrap();
    assert_eq!(pass.delivered, 5);
    assert_eq!(seen.lock().unwrap().accepted.len(), 5);
}
