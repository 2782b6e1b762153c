//! Reads and writes of the monitoring side: outbox rows for warnings (once per dedup key),
//! the projections of the dossiers a warning names, and the candidates behind a figure of
//! the index (the index itself judges each one; these queries only narrow by unit and
//! instant, using the `dossiers_unit_status` index's leading column).

use crate::dossiers::OutboxMessage;
use crate::{Result, Store, StoreError, to_micros};
use chrono::{DateTime, Utc};
use motcua_domain::UnitCode;
use motcua_domain::dossier::Dossier;

/// Which instants narrow the candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodBasis {
    /// Received in [start, end).
    Received,
    /// Received before `end` and not finished before `start` (the index's D).
    Handled,
}

/// One page of candidates: dossiers of `units` (without inter-agency children), ordered by
/// reception then id, after `after`.
#[derive(Debug, Clone)]
pub struct PeriodQuery<'a> {
    pub units: &'a [UnitCode],
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub basis: PeriodBasis,
    /// Keyset position: (received_at_us, id) of the last row seen.
    pub after: Option<(i64, String)>,
    pub limit: usize,
}

/// A candidate: its projection and its keyset position.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub dossier: Dossier,
    pub position: (i64, String),
}

fn parse_state(s: &str) -> Result<Dossier> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("dossier state: {e}")))
}

/// `$first, $first+1, …` for `n` values.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Enqueues messages, each at most once ever (by `dedup_key`), in one transaction.
    /// Returns how many were new.
    pub async fn enqueue_once(&self, messages: &[OutboxMessage]) -> Result<u64> {
        let mut tx = self.pool().begin().await?;
        let now = to_micros(Utc::now());
        let mut added = 0;
        for m in messages {
            added += sqlx::query(
                "INSERT INTO outbox (id, topic, dedup_key, payload, created_at_us, attempts, next_attempt_at_us, delivered_at_us, dossier) \
                 VALUES ($1, $2, $3, $4, $5, 0, $5, NULL, $6) ON CONFLICT (dedup_key) DO NOTHING",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&m.topic)
            .bind(&m.dedup_key)
            .bind(m.payload.to_string())
            .bind(now)
            .bind(m.dossier.as_deref())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(added)
    }

    /// The outbox rows of a topic, oldest first: (dedup key, payload).
    pub async fn outbox_topic(&self, topic: &str) -> Result<Vec<(String, serde_json::Value)>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT dedup_key, payload FROM outbox WHERE topic = $1 ORDER BY created_at_us, id",
        )
        .bind(topic)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(k, p)| {
                (
                    k,
                    serde_json::from_str(&p).unwrap_or(serde_json::Value::Null),
                )
            })
            .collect())
    }

    /// The projections of the dossiers with these codes (unknown codes are skipped).
    pub async fn dossiers_by_codes(&self, codes: &[&str]) -> Result<Vec<Dossier>> {
        let mut out = Vec::with_capacity(codes.len());
        for chunk in codes.chunks(500) {
            let sql = format!(
                "SELECT state FROM dossiers WHERE code IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (String,)>(&sql);
            for c in chunk {
                q = q.bind(*c);
            }
            for (state,) in q.fetch_all(self.pool()).await? {
                out.push(parse_state(&state)?);
            }
        }
        Ok(out)
    }

    /// One page of the dossiers that may be behind a figure of the period.
    pub async fn period_candidates(&self, q: &PeriodQuery<'_>) -> Result<Vec<Candidate>> {
        if q.units.is_empty() {
            return Ok(Vec::new());
        }
        let n = q.units.len();
        let (s, e) = (n + 1, n + 2);
        let mut sql = format!(
            "SELECT state, received_at_us, id FROM dossiers WHERE unit IN ({}) AND parent IS NULL",
            placeholders(1, n)
        );
        match q.basis {
            PeriodBasis::Received => sql.push_str(&format!(
                " AND received_at_us >= ${s} AND received_at_us < ${e}"
            )),
            PeriodBasis::Handled => sql.push_str(&format!(
                " AND (finished_at_us IS NULL OR finished_at_us >= ${s}) AND received_at_us < ${e}"
            )),
        }
        if q.after.is_some() {
            sql.push_str(&format!(
                " AND (received_at_us > ${a} OR (received_at_us = ${a} AND id > ${b}))",
                a = n + 3,
                b = n + 4
            ));
        }
        sql.push_str(&format!(
            " ORDER BY received_at_us, id LIMIT {}",
            q.limit.clamp(1, 1000)
        ));
        let mut query = sqlx::query_as::<_, (String, i64, String)>(&sql);
        for u in q.units {
            query = query.bind(u.as_str());
        }
        // `$s` is written before `$e` in both forms, so the binds follow the same order.
        query = query.bind(to_micros(q.start)).bind(to_micros(q.end));
        if let Some((at, id)) = &q.after {
            query = query.bind(*at).bind(id.clone());
        }
        query
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|(state, at, id)| {
                Ok(Candidate {
                    dossier: parse_state(&state)?,
                    position: (at, id),
                })
            })
            .collect()
    }
}
