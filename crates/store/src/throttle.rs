//! Counting login attempts where every server process sees them: in the database.
//!
//! An attempt is counted *before* the password is checked, by one atomic upsert per key, so
//! that parallel guesses cannot all pass a check made before any of them failed (the attack
//! review's finding: 99 parallel wrong passwords all got 401, never 429). A success gives
//! its attempt back, so people who log in correctly are never throttled by their own logins.

use crate::{Result, Store, from_micros, to_micros};
use chrono::{DateTime, Duration, Utc};

/// What counting one more attempt against a key found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    /// Attempts in the current window, this one included.
    pub count: i64,
    /// When the current window ends (and the count starts again from zero).
    pub window_ends: DateTime<Utc>,
}

impl Store {
    /// Counts one attempt against `key` in a fixed window of `window` that starts with the
    /// first attempt after the previous window ended.
    pub async fn count_attempt(
        &self,
        key: &str,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<Attempts> {
        // Both dialects read the old row in every SET expression, so the two CASEs agree on
        // whether the window has run out.
        let (count, start): (i64, i64) = sqlx::query_as(
            "INSERT INTO login_attempts (key, window_start_us, attempts) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
             attempts = CASE WHEN login_attempts.window_start_us <= $3 THEN 1 ELSE login_attempts.attempts + 1 END, \
             window_start_us = CASE WHEN login_attempts.window_start_us <= $4 THEN $5 ELSE login_attempts.window_start_us END \
             RETURNING attempts, window_start_us",
        )
        .bind(key)
        .bind(to_micros(now))
        .bind(to_micros(now - window))
        .bind(to_micros(now - window))
        .bind(to_micros(now))
        .fetch_one(self.pool())
        .await?;
        if count == 1 {
            // A new window: a good moment to forget windows that ended long ago.
            sqlx::query("DELETE FROM login_attempts WHERE window_start_us <= $1")
                .bind(to_micros(now - window))
                .execute(self.pool())
                .await?;
        }
        Ok(Attempts {
            count,
            window_ends: from_micros(start) + window,
        })
    }

    /// Gives back one attempt counted against `key` (a login that succeeded).
    pub async fn refund_attempt(&self, key: &str) -> Result<()> {
        sqlx::query(
            "UPDATE login_attempts SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
        )
        .bind(key)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Forgets every attempt counted against `key`.
    pub async fn clear_attempts(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_attempts WHERE key = $1")
            .bind(key)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::testing::TestDb;
    use chrono::{Duration, Utc};

    #[tokio::test]
    async fn attempts_count_within_a_window_and_start_again_after_it() {
        let db = TestDb::new().await.unwrap();
        let s = &db.store;
        let t0 = Utc::now();
        let w = Duration::minutes(15);
        for n in 1..=3 {
            let a = s.count_attempt("k", w, t0).await.unwrap();
            assert_eq!(a.count, n);
            assert_eq!(a.window_ends.timestamp(), (t0 + w).timestamp());
        }
        // Another key has its own count.
        assert_eq!(s.count_attempt("other", w, t0).await.unwrap().count, 1);
        s.refund_attempt("k").await.unwrap();
        assert_eq!(s.count_attempt("k", w, t0).await.unwrap().count, 3);
        // After the window the count starts from one, in a new window.
        let later = t0 + w + Duration::seconds(1);
        let a = s.count_attempt("k", w, later).await.unwrap();
        assert_eq!(a.count, 1);
        assert_eq!(a.window_ends.timestamp(), (later + w).timestamp());
        s.clear_attempts("k").await.unwrap();
        assert_eq!(s.count_attempt("k", w, later).await.unwrap().count, 1);
    }

    /// Parallel attempts each get their own number: no two see the same count.
    #[tokio::test]
    async fn parallel_attempts_are_counted_once_each() {
        let db = TestDb::new().await.unwrap();
        let now = Utc::now();
        let mut tasks = Vec::new();
        for _ in 0..24 {
            let s = db.store.clone();
            tasks.push(tokio::spawn(async move {
                s.count_attempt("p", Duration::minutes(15), now)
                    .await
                    .unwrap()
                    .count
            }));
        }
        let mut seen = Vec::new();
        for t in tasks {
            seen.push(t.await.unwrap());
        }
        seen.sort_unstable();
        assert_eq!(seen, (1..=24).collect::<Vec<i64>>());
    }
}
