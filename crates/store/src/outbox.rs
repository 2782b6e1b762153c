//! Delivering outbox rows: claim due rows under a lease, then mark each delivered or record
//! the failure and when to try again. At least once, never twice at the same time: a row
//! is handed to one worker until its lease runs out, and the receiver deduplicates a
//! retry by the row's idempotency key (`dedup_key`).
//!
//! The claim is one portable statement (`UPDATE … WHERE id IN (SELECT … LIMIT n) AND the
//! row is still free … RETURNING`). On PostgreSQL a concurrent claimer blocks on the rows
//! the other took, then re-checks the "still free" condition on their new version and
//! leaves them; SQLite has one writer. Either way two workers never hold one row.

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
    pub last_error: Option<String>,
    pub leased: bool,
}

/// Waits between attempts: `base`, doubled after each failure, at most `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::seconds(5),
            max: Duration::hours(1),
        }
    }
}

impl Backoff {
    /// The wait after the `attempts`-th failed attempt (1 → `base`).
    pub fn delay(&self, attempts: i64) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        self.base
            .checked_mul(1 << doublings)
            .map_or(self.max, |d| d.min(self.max))
    }
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
    Option<String>,
    Option<String>,
);

impl Store {
    /// Queues messages outside a dossier commit (a retried call queues each once).
    pub async fn enqueue(&self, messages: &[OutboxMessage], now: DateTime<Utc>) -> Result<usize> {
        let mut tx = self.pool().begin().await?;
        let mut n = 0;
        for m in messages {
            n += sqlx::query(
                "INSERT INTO outbox (id, topic, dedup_key, payload, created_at_us, attempts, next_attempt_at_us, delivered_at_us) \
                 VALUES ($1, $2, $3, $4, $5, 0, $5, NULL) ON CONFLICT (dedup_key) DO NOTHING",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&m.topic)
            .bind(&m.dedup_key)
            .bind(m.payload.to_string())
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await?
            .rows_affected() as usize;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Takes up to `limit` undelivered rows of `topics` that are due at `now` and not
    /// leased, for `lease`. Oldest due first.
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
        let free = "delivered_at_us IS NULL AND (lease_until_us IS NULL OR lease_until_us <= $3)";
        let sql = format!(
            "UPDATE outbox SET lease_token = $1, lease_until_us = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox WHERE {free} AND next_attempt_at_us <= $3 AND topic IN ({list}) \
             ORDER BY next_attempt_at_us, id LIMIT {limit}) AND {free} \
             RETURNING id, topic, dedup_key, payload, attempts"
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

    /// Records a failed attempt: the error, and the next attempt after the backoff for
    /// the attempts so far. False if the lease was lost meanwhile.
    pub async fn outbox_failed(
        &self,
        c: &Claimed,
        error: &str,
        backoff: &Backoff,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE outbox SET next_attempt_at_us = $1, last_error = $2, lease_token = NULL, lease_until_us = NULL \
             WHERE id = $3 AND lease_token = $4 AND delivered_at_us IS NULL",
        )
        .bind(to_micros(now + backoff.delay(c.attempts)))
        .bind(short(error))
        .bind(&c.id)
        .bind(&c.lease_token)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n == 1)
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

    /// Undelivered rows per topic, by topic.
    pub async fn outbox_pending(&self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT topic, COUNT(*) FROM outbox WHERE delivered_at_us IS NULL GROUP BY topic ORDER BY topic",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Every row, oldest first (operators' view and tests).
    pub async fn outbox_rows(&self, now: DateTime<Utc>) -> Result<Vec<OutboxRow>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, topic, dedup_key, attempts, next_attempt_at_us, delivered_at_us, last_error, \
             CASE WHEN lease_until_us > $1 THEN lease_token ELSE NULL END FROM outbox ORDER BY id",
        )
        .bind(to_micros(now))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, topic, dedup_key, attempts, next, delivered, last_error, lease)| OutboxRow {
                    id,
                    topic,
                    dedup_key,
                    attempts,
                    next_attempt_at: from_micros(next),
                    delivered_at: delivered.map(from_micros),
                    last_error,
                    leased: lease.is_some(),
                },
            )
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let b = Backoff {
            base: Duration::seconds(2),
            max: Duration::seconds(60),
        };
        let secs: Vec<i64> = (0..9).map(|a| b.delay(a).num_seconds()).collect();
        assert_eq!(secs, [2, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(b.delay(i64::MAX), Duration::seconds(60));
    }
}
