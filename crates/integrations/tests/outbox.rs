//! The outbox worker against a real receiver (an HTTP server on 127.0.0.1:0), on a real
//! database (SQLite, or PostgreSQL when `MOTCUA_TEST_DATABASE_URL` says so): every message
//! arrives once with its idempotency key after retries, `Retry-After` is honoured, a refused
//! message and one that failed too often go on the dead-letter list, a replay delivers it,
//! and a dossier's messages arrive in the order they were written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::Utc;
use motcua_app::outbox::{Message, PortalSync};
use motcua_integrations::{Backoff, Worker, WorkerConfig};
use motcua_store::Store;
use motcua_store::dossiers::OutboxMessage;
use motcua_store::outbox::{OutboxRow, Replay};
use motcua_store::testing::TestDb;
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the receiver saw.
#[derive(Debug, Clone)]
struct Request {
    key: String,
    body: serde_json::Value,
    at: Instant,
}

/// What the receiver saw and what it answers next.
#[derive(Default)]
struct Seen {
    /// Answers to give, in order, before answering 200 to everything.
    script: VecDeque<(u16, Option<&'static str>)>,
    /// Answer this to everything (after the script), when set.
    always: Option<u16>,
    requests: Vec<Request>,
    /// Keys in the order they were accepted as new; a repeat is acknowledged, not added.
    accepted: Vec<String>,
    repeats: usize,
    in_flight: HashSet<String>,
    /// A key arrived while another request with it was still being handled.
    overlaps: usize,
}

type Shared = Arc<Mutex<Seen>>;

async fn receive(State(seen): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let answer = {
        let mut s = seen.lock().unwrap();
        if !s.in_flight.insert(key.clone()) {
            s.overlaps += 1;
        }
        s.requests.push(Request {
            key: key.clone(),
            body: serde_json::from_str(&body).unwrap_or_default(),
            at: Instant::now(),
        });
        s.script.pop_front().or(s.always.map(|a| (a, None)))
    };
    // Hold the request a moment, so that a second carrier of the same row would overlap.
    tokio::time::sleep(Duration::from_millis(10)).await;
    let mut s = seen.lock().unwrap();
    s.in_flight.remove(&key);
    if let Some((status, retry_after)) = answer
        && status != 200
    {
        let status = StatusCode::from_u16(status).unwrap();
        return match retry_after {
            Some(v) => (status, [("retry-after", v)], "try later").into_response(),
            None => (status, "no thanks").into_response(),
        };
    }
    if s.accepted.contains(&key) {
        s.repeats += 1;
    } else {
        s.accepted.push(key);
    }
    StatusCode::OK.into_response()
}

async fn serve_on(listener: tokio::net::TcpListener, seen: Shared) {
    let app = axum::Router::new()
        .route("/inbox", post(receive))
        .with_state(seen);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
}

async fn receiver(script: Vec<(u16, Option<&'static str>)>) -> (String, Shared) {
    let seen: Shared = Arc::new(Mutex::new(Seen {
        script: script.into(),
        ..Seen::default()
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    serve_on(listener, seen.clone()).await;
    (format!("http://{addr}/inbox"), seen)
}

fn fast() -> Backoff {
    Backoff {
        base: chrono::Duration::milliseconds(100),
        max: chrono::Duration::milliseconds(400),
    }
}

fn config(url: &str, backoff: Backoff, max_attempts: i64) -> WorkerConfig {
    WorkerConfig {
        batch: 4,
        lease: chrono::Duration::seconds(30),
        backoff,
        max_attempts,
        idle: Duration::from_millis(10),
        ..WorkerConfig::default()
    }
    .with_webhooks(
        [("national_portal.sync".to_owned(), url.parse().unwrap())],
        Duration::from_secs(5),
    )
    .unwrap()
}

/// The national-portal message of a dossier's `version`-th event.
fn sync(dossier: &str, version: u8) -> OutboxMessage {
    Message::NationalPortalSync(PortalSync {
        dossier: dossier.into(),
        code: None,
        status: version,
        at: Utc::now(),
    })
    .row(format!("{dossier}:{version}:sync"))
}

fn row<'a>(rows: &'a [OutboxRow], key: &str) -> &'a OutboxRow {
    rows.iter().find(|r| r.dedup_key == key).unwrap()
}

/// Runs workers on `stores` until `done` holds for the rows (or a minute passes).
async fn run_until(
    stores: &[Store],
    cfg: &WorkerConfig,
    done: impl Fn(&[OutboxRow]) -> bool,
) -> Vec<OutboxRow> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers: Vec<_> = stores
        .iter()
        .map(|s| tokio::spawn(Worker::new(s.clone(), cfg.clone()).run(stopped.clone())))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    let rows = loop {
        let rows = stores[0].outbox_rows(Utc::now()).await.unwrap();
        if done(&rows) {
            break rows;
        }
        assert!(Instant::now() < deadline, "not done in time: {rows:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    stop.send(true).unwrap();
    for w in workers {
        tokio::time::timeout(Duration::from_secs(10), w)
            .await
            .expect("workers stop when told")
            .unwrap();
    }
    rows
}

fn settled(rows: &[OutboxRow]) -> bool {
    rows.iter()
        .filter(|r| r.topic == "national_portal.sync")
        .all(|r| r.delivered_at.is_some() || r.dead_at.is_some())
}

#[tokio::test]
async fn two_workers_deliver_each_message_once_with_its_key_after_the_peer_comes_back() {
    let db = TestDb::new().await.unwrap();
    const N: usize = 24;
    const DOWN: usize = 10;
    let msgs: Vec<_> = (0..N).map(|i| sync(&format!("d{i:02}"), 2)).collect();
    db.store.enqueue(&msgs, Utc::now()).await.unwrap();
    let (url, seen) = receiver(vec![(503, None); DOWN]).await;
    // Two workers with their own connection pools, like two servers.
    let other = Store::connect_with(&db.url, db.pg_schema.clone())
        .await
        .unwrap();
    let rows = run_until(
        &[db.store.clone(), other],
        &config(&url, fast(), 12),
        settled,
    )
    .await;

    let seen = std::mem::take(&mut *seen.lock().unwrap());
    assert_eq!(seen.accepted.len(), N, "every message arrived");
    assert_eq!(seen.repeats, 0, "none delivered twice");
    assert_eq!(
        seen.overlaps, 0,
        "no message carried by two workers at once"
    );
    assert_eq!(seen.requests.len(), N + DOWN, "one request per attempt");
    for r in &seen.requests {
        let m = msgs.iter().find(|m| m.dedup_key == r.key).unwrap();
        assert_eq!(r.body, m.payload, "each payload went with its own key");
    }
    let attempts: i64 = rows.iter().map(|r| r.attempts).sum();
    assert_eq!(attempts as usize, seen.requests.len());
    assert!(rows.iter().any(|r| r.attempts > 1), "some were retried");
    assert!(
        rows.iter()
            .all(|r| r.last_error.is_none() && r.dead_at.is_none())
    );
    // The jittered backoff was kept: at least half its ceiling between attempts.
    let mut by_key: HashMap<&str, Vec<Instant>> = HashMap::new();
    for r in &seen.requests {
        by_key.entry(&r.key).or_default().push(r.at);
    }
    for (key, times) in by_key {
        for (i, pair) in times.windows(2).enumerate() {
            let least = (fast().ceiling(i as i64 + 1) / 2).to_std().unwrap();
            assert!(
                pair[1] - pair[0] >= least,
                "{key}: retry {} too soon",
                i + 1
            );
        }
    }
}

#[tokio::test]
async fn a_receiver_down_then_up_gets_each_message_once() {
    let db = TestDb::new().await.unwrap();
    // Nothing listens on the port at first: the connection is refused.
    let addr: SocketAddr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let url = format!("http://{addr}/inbox");
    let msgs = [sync("a", 2), sync("a", 3), sync("b", 2)];
    db.store.enqueue(&msgs, Utc::now()).await.unwrap();
    let cfg = config(&url, fast(), 12);
    let w = Worker::new(db.store.clone(), cfg.clone());
    let (_stop, running) = tokio::sync::watch::channel(false);
    let pass = w.run_once(&running).await.unwrap();
    assert_eq!(
        (pass.claimed, pass.retrying),
        (2, 2),
        "a:3 waits behind a:2"
    );
    let rows = db.store.outbox_rows(Utc::now()).await.unwrap();
    let err = row(&rows, "a:2:sync").last_error.clone().unwrap();
    assert!(err.starts_with("unreachable:"), "{err}");
    assert_eq!(
        motcua_app::outbox::Failure::of(&err),
        motcua_app::outbox::Failure::Unreachable
    );

    let seen: Shared = Arc::default();
    serve_on(
        tokio::net::TcpListener::bind(addr).await.unwrap(),
        seen.clone(),
    )
    .await;
    let rows = run_until(std::slice::from_ref(&db.store), &cfg, settled).await;
    assert!(rows.iter().all(|r| r.delivered_at.is_some()));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.accepted.len(), 3);
    assert_eq!(seen.requests.len(), 3, "once each");
    let pos = |k: &str| seen.accepted.iter().position(|a| a == k).unwrap();
    assert!(pos("a:2:sync") < pos("a:3:sync"));
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let db = TestDb::new().await.unwrap();
    db.store.enqueue(&[sync("a", 2)], Utc::now()).await.unwrap();
    let (url, seen) = receiver(vec![(429, Some("1"))]).await;
    // Without the receiver's word the next try would be a minute away.
    let slow = Backoff {
        base: chrono::Duration::seconds(60),
        max: chrono::Duration::minutes(10),
    };
    let rows = run_until(
        std::slice::from_ref(&db.store),
        &config(&url, slow, 12),
        settled,
    )
    .await;
    assert_eq!(row(&rows, "a:2:sync").attempts, 2);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.requests.len(), 2);
    let gap = seen.requests[1].at - seen.requests[0].at;
    assert!(gap >= Duration::from_secs(1), "waited {gap:?}");
    assert!(gap < Duration::from_secs(30), "waited {gap:?}");
}

#[tokio::test]
async fn a_refused_message_is_dead_at_once_and_a_replay_delivers_it() {
    let db = TestDb::new().await.unwrap();
    db.store
        .enqueue(&[sync("a", 2), sync("a", 3)], Utc::now())
        .await
        .unwrap();
    let (url, seen) = receiver(vec![(422, None)]).await;
    let cfg = config(&url, fast(), 12);
    let rows = run_until(std::slice::from_ref(&db.store), &cfg, |rows| {
        row(rows, "a:2:sync").dead_at.is_some()
    })
    .await;
    let dead = row(&rows, "a:2:sync");
    assert_eq!(dead.attempts, 1, "no retry of a refusal");
    assert_eq!(dead.last_error.as_deref(), Some("HTTP 422: no thanks"));
    assert!(row(&rows, "a:3:sync").delivered_at.is_none(), "held back");
    assert_eq!(seen.lock().unwrap().requests.len(), 1);

    let list = db.store.dead_letters(10).await.unwrap();
    assert_eq!(list.len(), 1);
    let n = db
        .store
        .replay_dead(Replay::One(&list[0].id), None, Utc::now())
        .await
        .unwrap();
    assert_eq!(n, 1);
    run_until(std::slice::from_ref(&db.store), &cfg, settled).await;
    let seen = seen.lock().unwrap();
    assert_eq!(seen.accepted, ["a:2:sync", "a:3:sync"]);
}

#[tokio::test]
async fn a_message_that_keeps_failing_is_dead_after_the_last_attempt() {
    let db = TestDb::new().await.unwrap();
    db.store.enqueue(&[sync("a", 2)], Utc::now()).await.unwrap();
    let (url, seen) = receiver(Vec::new()).await;
    seen.lock().unwrap().always = Some(503);
    let cfg = config(&url, fast(), 3);
    let rows = run_until(std::slice::from_ref(&db.store), &cfg, settled).await;
    let r = row(&rows, "a:2:sync");
    assert!(r.dead_at.is_some());
    assert_eq!(r.attempts, 3);
    assert_eq!(r.last_error.as_deref(), Some("HTTP 503: no thanks"));
    // Nothing more is tried.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(seen.lock().unwrap().requests.len(), 3);
    assert_eq!(db.store.outbox_pending().await.unwrap(), Vec::new());

    // The receiver is fixed; the topic is replayed whole.
    seen.lock().unwrap().always = None;
    let n = db
        .store
        .replay_dead(
            Replay::Topic("national_portal.sync"),
            Some("op"),
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    let rows = run_until(std::slice::from_ref(&db.store), &cfg, settled).await;
    assert_eq!(row(&rows, "a:2:sync").attempts, 1, "attempts start again");
    assert_eq!(seen.lock().unwrap().accepted, ["a:2:sync"]);
}

#[tokio::test]
async fn a_row_that_does_not_read_is_dead_not_a_panic() {
    let db = TestDb::new().await.unwrap();
    let bad = OutboxMessage {
        topic: "national_portal.sync".into(),
        dedup_key: "x:1:sync".into(),
        payload: serde_json::json!({"key": "not a sync"}),
        dossier: Some("x".into()),
    };
    db.store
        .enqueue(&[bad, sync("b", 2)], Utc::now())
        .await
        .unwrap();
    let (url, seen) = receiver(Vec::new()).await;
    let rows = run_until(
        std::slice::from_ref(&db.store),
        &config(&url, fast(), 12),
        settled,
    )
    .await;
    let r = row(&rows, "x:1:sync");
    assert!(r.dead_at.is_some());
    assert!(r.last_error.as_deref().unwrap().starts_with("unreadable:"));
    assert_eq!(seen.lock().unwrap().accepted, ["b:2:sync"], "never sent");
}

#[tokio::test]
async fn a_dossier_arrives_in_order_through_failures() {
    let db = TestDb::new().await.unwrap();
    let mut msgs = Vec::new();
    for v in 2..8 {
        msgs.push(sync("a", v));
        msgs.push(sync("b", v));
    }
    db.store.enqueue(&msgs, Utc::now()).await.unwrap();
    // Every third request fails.
    let script: Vec<_> = (0..30)
        .map(|i| if i % 3 == 1 { (503, None) } else { (200, None) })
        .collect();
    let (url, seen) = receiver(script).await;
    let other = Store::connect_with(&db.url, db.pg_schema.clone())
        .await
        .unwrap();
    run_until(
        &[db.store.clone(), other],
        &config(&url, fast(), 12),
        settled,
    )
    .await;
    let seen = seen.lock().unwrap();
    assert_eq!(seen.accepted.len(), 12);
    for d in ["a", "b"] {
        let order: Vec<&String> = seen
            .accepted
            .iter()
            .filter(|k| k.starts_with(&format!("{d}:")))
            .collect();
        let want: Vec<String> = (2..8).map(|v| format!("{d}:{v}:sync")).collect();
        assert_eq!(order, want.iter().collect::<Vec<_>>(), "dossier {d}");
    }
}

#[tokio::test]
async fn a_stopping_worker_gives_back_what_it_has_not_sent() {
    let db = TestDb::new().await.unwrap();
    let msgs: Vec<_> = (0..5).map(|i| sync(&format!("d{i}"), 2)).collect();
    db.store.enqueue(&msgs, Utc::now()).await.unwrap();
    let (url, seen) = receiver(Vec::new()).await;
    let mut cfg = config(&url, Backoff::default(), 12);
    cfg.batch = 5;
    let w = Worker::new(db.store.clone(), cfg);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    stop.send(true).unwrap();
    let pass = w.run_once(&stopped).await.unwrap();
    assert_eq!((pass.claimed, pass.delivered), (5, 0));
    assert!(seen.lock().unwrap().requests.is_empty());
    let rows = db.store.outbox_rows(Utc::now()).await.unwrap();
    assert!(
        rows.iter()
            .all(|r| !r.leased && r.attempts == 0 && r.delivered_at.is_none())
    );
    let (_, running) = tokio::sync::watch::channel(false);
    let pass = w.run_once(&running).await.unwrap();
    assert_eq!(pass.delivered, 5);
    assert_eq!(seen.lock().unwrap().accepted.len(), 5);
}
