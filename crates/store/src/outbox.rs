//! Delivering outbox rows: claim due rows under a lease, then mark each delivered, or record
//! the failure and when to try again, or put it on the dead-letter list. At least once, never
//! twice at the same time: a row is handed to one worker until its lease runs out, and the
//! receiver deduplicates a retry by the row's idempotency key (`dedup_key`).
//!
//! The claim is one portable statement (`UPDATE … WHERE id IN (SELECT … LIMIT n) AND the
//! row is still free … RETURNING`). On PostgreSQL a concurrent claimer blocks on the rows
//! the other took, then re-checks the "still free" condition on their new version and
//! leaves them; SQLite has one writer. Either way two workers never hold one row.
//!
//! In order per dossier: a row is claimed only when no earlier row of its dossier and topic
//! is undelivered (in flight, waiting for a retry, or dead). So a receiver never sees a
//! dossier's status 4 before its status 2, and a dead letter holds back the later messages
//! of its dossier until an operator replays it; rows without a dossier (warnings) do not
//! wait for each other.
use crate::dossiers::OutboxMessage;
use crate::{Result, Store, from_micros, to_micros};
use chrono::{DateTime, Duration, Utc};

/// A row handed to one worker until `lease_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: String,
    pub topic: String,
    pub dedup_key: String,
    /// The JSON payload as stored.
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
    pub lease_token: String,
}

/// One row as operators see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutboxRow {
    pub id: String,
    pub topic: String,
    pub dedup_key: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub dead_at: Option<DateTime<Utc>>,
    pub dossier: Option<String>,
    pub last_error: Option<String>,
    pub leased: bool,
}

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Due again at the time given.
    Retrying,
    /// On the dead-letter list: no more attempts until an operator replays it.
    Dead,
    /// The lease ran out meanwhile and another worker has the row; nothing was recorded.
    LeaseLost,
}

/// A message that will not be tried again until replayed, as operators see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeadLetter {
    pub id: String,
    pub topic: String,
    pub dossier: Option<String>,
    pub dedup_key: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub dead_at: DateTime<Utc>,
}

/// Which dead letters to replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay<'a> {
    One(&'a str),
    Topic(&'a str),
}

/// Error text kept for operators; long bodies are cut.
fn short(error: &str) -> String {
    error.chars().take(500).collect()
}

type ClaimRow = (String, String, String, String, i64);
type Row = (
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);
type DeadRow = (
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<String>,
    i64,
    i64,
);

/// Free to claim: undelivered, not dead, not leased (or its lease ran out by `$3`).
const FREE: &str = "delivered_at_us IS NULL AND dead_at_us IS NULL AND (lease_until_us IS NULL OR lease_until_us <= $3)";

/// No earlier undelivered row of the same dossier and topic (`o` is the candidate).
const FIRST_OF_ITS_DOSSIER: &str = "(o.dossier IS NULL OR NOT EXISTS (SELECT 1 FROM outbox p \
    WHERE p.dossier = o.dossier AND p.topic = o.topic AND p.delivered_at_us IS NULL \
    AND (p.created_at_us < o.created_at_us OR (p.created_at_us = o.created_at_us AND p.id < o.id))))";

impl Store {
    /// Queues messages outside a dossier commit (a retried call queues each once).
    pub async fn enqueue(&self, messages: &[OutboxMessage], now: DateTime<Utc>) -> Result<usize> {
        let mut tx = self.pool().begin().await?;
        let mut n = 0;
        for m in messages {
            n += sqlx::query(
                "INSERT INTO outbox (id, topic, dedup_key, payload, created_at_us, attempts, next_attempt_at_us, delivered_at_us, dossier) \
                 VALUES ($1, $2, $3, $4, $5, 0, $5, NULL, $6) ON CONFLICT (dedup_key) DO NOTHING",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&m.topic)
            .bind(&m.dedup_key)
            .bind(m.payload.to_string())
            .bind(to_micros(now))
            .bind(m.dossier.as_deref())
            .execute(&mut *tx)
            .await?
            .rows_affected() as usize;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Takes up to `limit` undelivered rows of `topics` that are due at `now`, not leased,
    /// not dead, and first of their dossier and topic, for `lease`. Oldest due first.
    pub async fn claim_outbox(
        &self,
        topics: &[String],
        limit: usize,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<Claimed>> {
        if topics.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let token = uuid::Uuid::now_v7().to_string();
        let list = (4..topics.len() + 4)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE outbox SET lease_token = $1, lease_until_us = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT o.id FROM outbox o WHERE {free_o} AND o.next_attempt_at_us <= $3 AND o.topic IN ({list}) \
             AND {FIRST_OF_ITS_DOSSIER} ORDER BY o.next_attempt_at_us, o.created_at_us, o.id LIMIT {limit}) AND {FREE} \
             RETURNING id, topic, dedup_key, payload, attempts",
            free_o = FREE
                .replace("delivered_at_us", "o.delivered_at_us")
                .replace("dead_at_us", "o.dead_at_us")
                .replace("lease_until_us", "o.lease_until_us"),
        );
        let mut q = sqlx::query_as::<_, ClaimRow>(&sql)
            .bind(&token)
            .bind(to_micros(now + lease))
            .bind(to_micros(now));
        for t in topics {
            q = q.bind(t);
        }
        let mut rows: Vec<Claimed> = q
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|(id, topic, dedup_key, payload, attempts)| Claimed {
                id,
                topic,
                dedup_key,
                payload,
                attempts,
                lease_token: token.clone(),
            })
            .collect();
        // RETURNING gives no order; deliver in id (creation) order.
        rows.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(rows)
    }

    /// Marks a claimed row delivered. False if the lease was lost meanwhile (it ran out
    /// and another worker took the row).
    pub async fn outbox_delivered(&self, c: &Claimed, now: DateTime<Utc>) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE outbox SET delivered_at_us = $1, lease_token = NULL, lease_until_us = NULL, last_error = NULL \
             WHERE id = $2 AND lease_token = $3 AND delivered_at_us IS NULL",
        )
        .bind(to_micros(now))
        .bind(&c.id)
        .bind(&c.lease_token)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Records a failed attempt: the error, and the next attempt at `retry_at`; or, when
    /// this was attempt `max_attempts`, puts the row on the dead-letter list.
    pub async fn outbox_retry(
        &self,
        c: &Claimed,
        error: &str,
        retry_at: DateTime<Utc>,
        max_attempts: i64,
        now: DateTime<Utc>,
    ) -> Result<Fate> {
        if c.attempts >= max_attempts {
            return self.outbox_dead(c, error, now).await;
        }
        let n = sqlx::query(
            "UPDATE outbox SET next_attempt_at_us = $1, last_error = $2, lease_token = NULL, lease_until_us = NULL \
             WHERE id = $3 AND lease_token = $4 AND delivered_at_us IS NULL",
        )
        .bind(to_micros(retry_at))
        .bind(short(error))
        .bind(&c.id)
        .bind(&c.lease_token)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(if n == 1 {
            Fate::Retrying
        } else {
            Fate::LeaseLost
        })
    }

    /// Puts a claimed row on the dead-letter list at once (the receiver refused it, or it
    /// cannot be read back), with the reason.
    pub async fn outbox_dead(&self, c: &Claimed, error: &str, now: DateTime<Utc>) -> Result<Fate> {
        let n = sqlx::query(
            "UPDATE outbox SET dead_at_us = $1, last_error = $2, lease_token = NULL, lease_until_us = NULL \
             WHERE id = $3 AND lease_token = $4 AND delivered_at_us IS NULL",
        )
        .bind(to_micros(now))
        .bind(short(error))
        .bind(&c.id)
        .bind(&c.lease_token)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(if n == 1 { Fate::Dead } else { Fate::LeaseLost })
    }

    /// Gives a claimed row back untried (shutting down): due at once, attempt not counted.
    pub async fn outbox_release(&self, c: &Claimed) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE outbox SET lease_token = NULL, lease_until_us = NULL, attempts = attempts - 1 \
             WHERE id = $1 AND lease_token = $2 AND delivered_at_us IS NULL",
        )
        .bind(&c.id)
        .bind(&c.lease_token)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Undelivered rows per topic that will still be tried (dead letters not counted).
    pub async fn outbox_pending(&self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT topic, COUNT(*) FROM outbox WHERE delivered_at_us IS NULL AND dead_at_us IS NULL GROUP BY topic ORDER BY topic",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Dead letters per topic.
    pub async fn outbox_dead_counts(&self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT topic, COUNT(*) FROM outbox WHERE dead_at_us IS NOT NULL AND delivered_at_us IS NULL GROUP BY topic ORDER BY topic",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// The dead-letter list, most recently dead first, at most `limit` rows.
    pub async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>> {
        let rows: Vec<DeadRow> = sqlx::query_as(&format!(
            "SELECT id, topic, dossier, dedup_key, attempts, last_error, created_at_us, dead_at_us FROM outbox \
             WHERE dead_at_us IS NOT NULL AND delivered_at_us IS NULL ORDER BY dead_at_us DESC, id DESC LIMIT {limit}"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, topic, dossier, dedup_key, attempts, last_error, created, dead)| DeadLetter {
                    id,
                    topic,
                    dossier,
                    dedup_key,
                    attempts,
                    last_error,
                    created_at: from_micros(created),
                    dead_at: from_micros(dead),
                },
            )
            .collect())
    }

    /// Puts dead letters back to pending, due at `now` with their attempts reset, and
    /// writes the audit row in the same transaction: the one with `id`, or every one of
    /// `topic`. Idempotent: a row that is not dead (already replayed, or delivered) is left
    /// alone. Returns how many went back.
    pub async fn replay_dead(
        &self,
        which: Replay<'_>,
        actor: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.pool().begin().await?;
        let (filter, value, target) = match which {
            Replay::One(id) => ("id = $2", id, format!("outbox:{id}")),
            Replay::Topic(topic) => ("topic = $2", topic, format!("outbox_topic:{topic}")),
        };
        let n = sqlx::query(&format!(
            "UPDATE outbox SET dead_at_us = NULL, attempts = 0, next_attempt_at_us = $1, last_error = NULL, \
             lease_token = NULL, lease_until_us = NULL \
             WHERE {filter} AND dead_at_us IS NOT NULL AND delivered_at_us IS NULL"
        ))
        .bind(to_micros(now))
        .bind(value)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            crate::audit::append(
                &mut tx,
                crate::audit::AuditEntry {
                    actor,
                    action: "outbox.replay",
                    target: &target,
                    detail: serde_json::json!({ "replayed": n }),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Every row, oldest first (operators' view and tests).
    pub async fn outbox_rows(&self, now: DateTime<Utc>) -> Result<Vec<OutboxRow>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, topic, dedup_key, attempts, next_attempt_at_us, delivered_at_us, dead_at_us, dossier, last_error, \
             CASE WHEN lease_until_us > $1 THEN lease_token ELSE NULL END FROM outbox ORDER BY id",
        )
        .bind(to_micros(now))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    id,
                    topic,
                    dedup_key,
                    attempts,
                    next,
                    delivered,
                    dead,
                    dossier,
                    last_error,
                    lease,
                )| OutboxRow {
                    id,
                    topic,
                    dedup_key,
                    attempts,
                    next_attempt_at: from_micros(next),
                    delivered_at: delivered.map(from_micros),
                    dead_at: dead.map(from_micros),
                    dossier,
                    last_error,
                    leased: lease.is_some(),
                },
            )
            .collect())
    }
}
