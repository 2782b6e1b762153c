//! Outbox claims, leases, retries, order per dossier, dead letters and replay against a real database (SQLite, or PostgreSQL when
//! `MOTCUA_TEST_DATABASE_URL` says so), with the clock passed in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use motcua_store::Store;
use motcua_store::dossiers::OutboxMessage;
use motcua_store::outbox::{Fate, Replay};
use motcua_store::testing::TestDb;
use std::collections::HashSet;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 2, 0, 0).unwrap()
}

fn msg(topic: &str, key: &str) -> OutboxMessage {
    OutboxMessage {
        topic: topic.into(),
        dedup_key: key.into(),
        payload: serde_json::json!({"key": key}),
        dossier: None,
    }
}

fn of(dossier: &str, topic: &str, key: &str) -> OutboxMessage {
    OutboxMessage {
        dossier: Some(dossier.into()),
        ..msg(topic, key)
    }
}

fn topics(t: &[&str]) -> Vec<String> {
    t.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn a_failed_delivery_backs_off_and_a_lease_keeps_a_row_with_one_worker() {
    let db = TestDb::new().await.unwrap();
    let s = &db.store;
    let queued = s
        .enqueue(
            &[
                msg("sync", "d1:2:sync"),
                msg("sync", "d1:3:sync"),
                msg("notify", "d1:2:notify"),
            ],
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(queued, 3);
    // Queuing the same key again is a no-op.
    assert_eq!(
        s.enqueue(&[msg("sync", "d1:2:sync")], t0()).await.unwrap(),
        0
    );

    let lease = Duration::seconds(30);
    let a = s
        .claim_outbox(&topics(&["sync"]), 10, lease, t0())
        .await
        .unwrap();
    assert_eq!(a.len(), 2, "only the topic asked for");
    assert_eq!(a[0].dedup_key, "d1:2:sync");
    assert!(a.iter().all(|c| c.attempts == 1));
    // Leased: nobody else gets them until the lease runs out.
    assert!(
        s.claim_outbox(&topics(&["sync"]), 10, lease, t0() + Duration::seconds(29))
            .await
            .unwrap()
            .is_empty()
    );

    assert_eq!(
        s.outbox_retry(
            &a[0],
            "HTTP 503: down",
            t0() + Duration::seconds(10),
            12,
            t0()
        )
        .await
        .unwrap(),
        Fate::Retrying
    );
    assert!(s.outbox_delivered(&a[1], t0()).await.unwrap());
    let rows = s.outbox_rows(t0()).await.unwrap();
    let failed = rows.iter().find(|r| r.dedup_key == "d1:2:sync").unwrap();
    assert_eq!(failed.attempts, 1);
    assert_eq!(failed.last_error.as_deref(), Some("HTTP 503: down"));
    assert_eq!(failed.next_attempt_at, t0() + Duration::seconds(10));
    assert!(failed.delivered_at.is_none() && !failed.leased);
    let done = rows.iter().find(|r| r.dedup_key == "d1:3:sync").unwrap();
    assert_eq!(done.delivered_at, Some(t0()));

    // Not due before the backoff; due after it, as the second attempt.
    assert!(
        s.claim_outbox(&topics(&["sync"]), 10, lease, t0() + Duration::seconds(9))
            .await
            .unwrap()
            .is_empty()
    );
    let b = s
        .claim_outbox(&topics(&["sync"]), 10, lease, t0() + Duration::seconds(10))
        .await
        .unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].attempts, 2);
    let t10 = t0() + Duration::seconds(10);
    assert_eq!(
        s.outbox_retry(&b[0], "timeout", t0() + Duration::seconds(30), 12, t10)
            .await
            .unwrap(),
        Fate::Retrying
    );
    let row = s
        .outbox_rows(t0())
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.dedup_key == "d1:2:sync")
        .unwrap();
    assert_eq!(row.next_attempt_at, t0() + Duration::seconds(30));

    // A worker whose lease ran out cannot mark the row: the one that took it over can.
    let t = t0() + Duration::seconds(30);
    let slow = s
        .claim_outbox(&topics(&["sync"]), 10, lease, t)
        .await
        .unwrap();
    let late = t + lease;
    let other = s
        .claim_outbox(&topics(&["sync"]), 10, lease, late)
        .await
        .unwrap();
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].attempts, 4);
    assert!(!s.outbox_delivered(&slow[0], late).await.unwrap());
    assert_eq!(
        s.outbox_retry(&slow[0], "late", late, 12, late)
            .await
            .unwrap(),
        Fate::LeaseLost
    );
    assert_eq!(
        s.outbox_dead(&slow[0], "late", late).await.unwrap(),
        Fate::LeaseLost
    );
    assert!(s.outbox_delivered(&other[0], late).await.unwrap());

    // Released rows are due at once and the untried attempt is not counted.
    let n = s
        .claim_outbox(&topics(&["notify"]), 10, lease, t0())
        .await
        .unwrap();
    assert!(s.outbox_release(&n[0]).await.unwrap());
    let again = s
        .claim_outbox(&topics(&["notify"]), 10, lease, t0())
        .await
        .unwrap();
    assert_eq!(again[0].attempts, 1);

    assert_eq!(
        s.outbox_pending().await.unwrap(),
        vec![("notify".to_owned(), 1)]
    );
}

async fn second_handle(db: &TestDb) -> Store {
    Store::connect_with(&db.url, db.pg_schema.clone())
        .await
        .unwrap()
}

#[tokio::test]
async fn concurrent_claimers_never_share_a_row() {
    let db = TestDb::new().await.unwrap();
    let msgs: Vec<_> = (0..200).map(|i| msg("sync", &format!("k{i:03}"))).collect();
    db.store.enqueue(&msgs, t0()).await.unwrap();
    // Four claimers on two connection pools, each taking small batches until none is left.
    let pools = [db.store.clone(), second_handle(&db).await];
    let mut tasks = Vec::new();
    for i in 0..4 {
        let s = pools[i % 2].clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = s
                    .claim_outbox(&topics(&["sync"]), 7, Duration::minutes(5), t0())
                    .await
                    .unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|c| c.dedup_key));
                tokio::task::yield_now().await;
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let distinct: HashSet<&String> = all.iter().collect();
    assert_eq!(all.len(), 200, "every row claimed once");
    assert_eq!(distinct.len(), 200);
}

fn keys(c: &[motcua_store::outbox::Claimed]) -> Vec<&str> {
    c.iter().map(|c| c.dedup_key.as_str()).collect()
}

#[tokio::test]
async fn a_dossier_is_delivered_in_order_and_a_dead_letter_holds_it_back_until_replayed() {
    let db = TestDb::new().await.unwrap();
    let s = &db.store;
    let sync = topics(&["sync"]);
    let lease = Duration::seconds(30);
    s.enqueue(
        &[
            of("d1", "sync", "d1:2:sync"),
            of("d2", "sync", "d2:2:sync"),
            of("d1", "notify", "d1:2:notify"),
        ],
        t0(),
    )
    .await
    .unwrap();
    s.enqueue(
        &[of("d1", "sync", "d1:3:sync")],
        t0() + Duration::seconds(1),
    )
    .await
    .unwrap();
    let t = t0() + Duration::seconds(2);
    // Only the first of d1's sync rows: the second waits though it is due.
    let a = s.claim_outbox(&sync, 10, lease, t).await.unwrap();
    assert_eq!(keys(&a), ["d1:2:sync", "d2:2:sync"]);
    assert!(s.outbox_delivered(&a[1], t).await.unwrap());
    // A retry keeps the later row waiting too.
    let d1 = a.iter().find(|c| c.dedup_key == "d1:2:sync").unwrap();
    assert_eq!(
        s.outbox_retry(d1, "HTTP 503", t + Duration::seconds(1), 2, t)
            .await
            .unwrap(),
        Fate::Retrying
    );
    assert!(
        s.claim_outbox(&sync, 10, lease, t)
            .await
            .unwrap()
            .is_empty()
    );
    // The last allowed attempt fails: dead, and d1:3 still waits behind it.
    let b = s
        .claim_outbox(&sync, 10, lease, t + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(keys(&b), ["d1:2:sync"]);
    assert_eq!(b[0].attempts, 2);
    assert_eq!(
        s.outbox_retry(&b[0], "HTTP 503: still down", t, 2, t)
            .await
            .unwrap(),
        Fate::Dead
    );
    let later = t + Duration::hours(5);
    assert!(
        s.claim_outbox(&sync, 10, lease, later)
            .await
            .unwrap()
            .is_empty(),
        "a dead letter is not tried again, and its dossier's later rows wait"
    );
    // Other topics of the dossier are not held back.
    let n = s
        .claim_outbox(&topics(&["notify"]), 10, lease, later)
        .await
        .unwrap();
    assert_eq!(keys(&n), ["d1:2:notify"]);
    assert_eq!(
        s.outbox_pending().await.unwrap(),
        vec![("notify".into(), 1), ("sync".into(), 1)]
    );
    assert_eq!(
        s.outbox_dead_counts().await.unwrap(),
        vec![("sync".into(), 1)]
    );

    let dead = s.dead_letters(50).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].dedup_key, "d1:2:sync");
    assert_eq!(dead[0].dossier.as_deref(), Some("d1"));
    assert_eq!(dead[0].attempts, 2);
    assert_eq!(dead[0].last_error.as_deref(), Some("HTTP 503: still down"));
    assert_eq!(dead[0].dead_at, t);

    // Replay: pending again, attempts reset, audited once; a second replay changes nothing.
    let id = dead[0].id.clone();
    assert_eq!(
        s.replay_dead(Replay::One(&id), Some("op"), later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        s.replay_dead(Replay::One(&id), Some("op"), later)
            .await
            .unwrap(),
        0
    );
    assert!(s.dead_letters(50).await.unwrap().is_empty());
    let audit = s.audit_for(&format!("outbox:{id}")).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "outbox.replay");
    let c = s.claim_outbox(&sync, 10, lease, later).await.unwrap();
    assert_eq!(keys(&c), ["d1:2:sync"]);
    assert_eq!(c[0].attempts, 1, "attempts start again");
    assert!(s.outbox_delivered(&c[0], later).await.unwrap());
    let c = s.claim_outbox(&sync, 10, lease, later).await.unwrap();
    assert_eq!(keys(&c), ["d1:3:sync"], "then the next one of the dossier");
}

#[tokio::test]
async fn a_topic_is_replayed_whole_and_a_rejected_row_dies_at_once() {
    let db = TestDb::new().await.unwrap();
    let s = &db.store;
    let lease = Duration::seconds(30);
    s.enqueue(
        &[
            of("d1", "sync", "d1:2:sync"),
            of("d2", "sync", "d2:2:sync"),
            of("d3", "notify", "d3:2:notify"),
        ],
        t0(),
    )
    .await
    .unwrap();
    let all = s
        .claim_outbox(&topics(&["sync", "notify"]), 10, lease, t0())
        .await
        .unwrap();
    for c in &all {
        assert_eq!(
            s.outbox_dead(c, "HTTP 400: bad request", t0())
                .await
                .unwrap(),
            Fate::Dead
        );
    }
    assert_eq!(s.dead_letters(50).await.unwrap().len(), 3);
    assert_eq!(
        s.replay_dead(Replay::Topic("sync"), None, t0())
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        s.replay_dead(Replay::Topic("sync"), None, t0())
            .await
            .unwrap(),
        0
    );
    let left = s.dead_letters(50).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].topic, "notify");
    let rows = s.outbox_rows(t0()).await.unwrap();
    for r in rows.iter().filter(|r| r.topic == "sync") {
        assert!(r.dead_at.is_none() && r.attempts == 0 && r.last_error.is_none());
    }
}
