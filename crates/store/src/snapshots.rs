//! Saved images of derived in-memory state (the live 766 engine), and the change sequence
//! that tells what changed since an image was taken.
//!
//! Every commit that changes dossiers takes the next change number and stamps it on the
//! dossiers it wrote (`dossiers.change_seq`). An image is labelled with a *settled* number
//! `n`: every change numbered up to `n` had committed or rolled back when the image's
//! dossiers were read. The image plus the dossiers stamped after `n` is then the whole
//! state; reading a dossier twice (in the image and after) is harmless, since the engine
//! replaces a dossier's facts with its latest line.
//!
//! How a number is taken differs by backend, because the simple way serialises commits:
//! - SQLite: one counter row, bumped last in the transaction. Its row stays locked until
//!   commit, so commits finish in number order and the row's value is always settled.
//!   SQLite runs one writer at a time anyway, so the lock costs nothing there.
//! - PostgreSQL: a sequence, which takes no lock, so commits share fsyncs (group commit)
//!   instead of queueing on one row (measured: 292 against 5,342 commits/s with 32 clients).
//!   Numbers then commit out of order, so the settled number is found by waiting: read the
//!   sequence's last value `L`, then a snapshot of the transactions in progress, and wait
//!   until each of those has ended. A writer takes its number after its first write, so it
//!   already had a transaction id when it took a number `≤ L` and is in that snapshot
//!   unless it had already ended.

use crate::{Backend, Result, Store, StoreError, from_micros, to_micros};
use motcua_domain::dossier::export::bundle_line;
use motcua_domain::dossier::{Dossier, Event};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// Dossiers (id, parent's code) and their events, as [`Store::for_each_dossier_line`]
/// reads them.
struct Page {
    rows: Vec<(String, Option<String>)>,
    events: HashMap<String, Vec<Event>>,
}

/// A stored image: what it was built from (`fingerprint`, the caller's to define), the
/// change sequence it covers, and its bytes.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub fingerprint: String,
    pub covers_seq: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub body: Vec<u8>,
}

/// How long [`Store::change_seq`] waits on PostgreSQL for the transactions in progress to
/// end before it settles for a number it knows to be settled without waiting.
const SETTLE_LIMIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Takes the next change number and stamps it on `ids`. Call last in the transaction,
/// after at least one write when `ids` is empty (see the module notes).
pub(crate) async fn stamp(conn: &mut AnyConnection, backend: Backend, ids: &[&str]) -> Result<i64> {
    let sql = match backend {
        Backend::Sqlite => "UPDATE change_counter SET last = last + 1 WHERE id = 1 RETURNING last",
        // The materialised CTE runs first, so the transaction holds an id before it holds
        // a number even when nothing was written yet.
        Backend::Postgres => {
            "WITH x AS MATERIALIZED (SELECT pg_current_xact_id() AS xid) SELECT nextval('change_seq') FROM x"
        }
    };
    let (seq,): (i64,) = sqlx::query_as(sql).fetch_one(&mut *conn).await?;
    for chunk in ids.chunks(500) {
        let list = (2..chunk.len() + 2)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("UPDATE dossiers SET change_seq = $1 WHERE id IN ({list})");
        let mut q = sqlx::query(&sql).bind(seq);
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(seq)
}

impl Store {
    /// A settled change number: every change numbered up to it has committed or rolled
    /// back (0 before any change; -1, "nothing is known settled", when PostgreSQL
    /// transactions stay open past [`SETTLE_LIMIT`]).
    pub async fn change_seq(&self) -> Result<i64> {
        match self.backend() {
            Backend::Sqlite => {
                let (n,): (i64,) = sqlx::query_as("SELECT last FROM change_counter WHERE id = 1")
                    .fetch_one(self.pool())
                    .await?;
                Ok(n)
            }
            Backend::Postgres => self.settled_pg_change_seq().await,
        }
    }

    async fn settled_pg_change_seq(&self) -> Result<i64> {
        // Two statements, in this order: the snapshot must be taken after the read.
        let (last,): (i64,) =
            sqlx::query_as("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM change_seq")
                .fetch_one(self.pool())
                .await?;
        let (snapshot,): (String,) = sqlx::query_as("SELECT pg_current_snapshot()::text")
            .fetch_one(self.pool())
            .await?;
        let started = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(1);
        loop {
            let (open,): (i64,) = sqlx::query_as(
                "SELECT count(*) FROM pg_snapshot_xip($1::pg_snapshot) AS x(xid) \
                 WHERE pg_xact_status(x.xid) = 'in progress'",
            )
            .bind(&snapshot)
            .fetch_one(self.pool())
            .await?;
            if open == 0 {
                return Ok(last);
            }
            if started.elapsed() > SETTLE_LIMIT {
                tracing::warn!(
                    open,
                    "transactions stayed open; no change number is known settled"
                );
                return Ok(-1);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(std::time::Duration::from_millis(50));
        }
    }

    pub async fn save_snapshot(
        &self,
        name: &str,
        fingerprint: &str,
        covers_seq: i64,
        body: &[u8],
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO snapshots (name, fingerprint, covers_seq, created_at_us, body) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (name) DO UPDATE SET fingerprint = excluded.fingerprint, covers_seq = excluded.covers_seq, \
             created_at_us = excluded.created_at_us, body = excluded.body",
        )
        .bind(name)
        .bind(fingerprint)
        .bind(covers_seq)
        .bind(to_micros(chrono::Utc::now()))
        .bind(body)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn snapshot(&self, name: &str) -> Result<Option<Snapshot>> {
        let row: Option<(String, i64, i64, Vec<u8>)> = sqlx::query_as(
            "SELECT fingerprint, covers_seq, created_at_us, body FROM snapshots WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(fingerprint, covers_seq, at, body)| Snapshot {
            fingerprint,
            covers_seq,
            created_at: from_micros(at),
            body,
        }))
    }

    pub async fn drop_snapshot(&self, name: &str) -> Result<()> {
        sqlx::query("DELETE FROM snapshots WHERE name = $1")
            .bind(name)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Calls `each` with the `dossiers.jsonl` line (as [`Store::export_dossiers`] writes
    /// it) of every submitted dossier stamped after `after_seq` (-1: every one), a page
    /// at a time so that millions of dossiers never sit in memory at once. Returns how
    /// many lines it gave.
    pub async fn for_each_dossier_line(
        &self,
        after_seq: i64,
        mut each: impl FnMut(&str) -> Result<()>,
    ) -> Result<usize> {
        // The next page is read while this one becomes lines, so that the database and
        // this process work at the same time: a start-up without an image is this loop.
        let (pages, mut ready) = tokio::sync::mpsc::channel::<Result<Page>>(2);
        let store = self.clone();
        let reader = tokio::spawn(async move {
            let mut cursor = String::new();
            loop {
                let page = store.dossier_page(after_seq, &cursor).await;
                let last = match &page {
                    Ok(p) => p.rows.last().map(|(id, _)| id.clone()),
                    Err(_) => None,
                };
                // A closed channel means the caller stopped (its `each` failed).
                if pages.send(page).await.is_err() {
                    return;
                }
                match last {
                    Some(id) => cursor = id,
                    None => return,
                }
            }
        });
        let mut n = 0;
        while let Some(page) = ready.recv().await {
            let Page { rows, mut events } = page?;
            for (id, parent) in &rows {
                let mine = events.remove(id).unwrap_or_default();
                let d = Dossier::replay(&mine)
                    .ok_or_else(|| StoreError::Corrupt(format!("dossier {id}: events")))?;
                if let Some(line) = bundle_line(&d, &mine, parent.clone()) {
                    let text = serde_json::to_string(&line)
                        .map_err(|e| StoreError::Invalid(e.to_string()))?;
                    each(&text)?;
                    n += 1;
                }
            }
        }
        // The reader has ended (it sent an empty page or an error); a panic in it is a bug
        // worth surfacing rather than a short answer.
        reader
            .await
            .map_err(|e| StoreError::Corrupt(format!("dossier reader: {e}")))?;
        Ok(n)
    }

    /// Up to a page of submitted dossiers stamped after `after_seq` with ids after
    /// `cursor`, with their parents' codes and their events.
    async fn dossier_page(&self, after_seq: i64, cursor: &str) -> Result<Page> {
        const PAGE: i64 = 1000;
        // The parent's code as export gives it: its receipt code, else its id.
        let rows: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT d.id, COALESCE(p.code, p.id) FROM dossiers d LEFT JOIN dossiers p ON p.id = d.parent \
             WHERE d.change_seq > $1 AND d.status <> 'draft' AND d.id > $2 ORDER BY d.id LIMIT $3",
        )
        .bind(after_seq)
        .bind(cursor)
        .bind(PAGE)
        .fetch_all(self.pool())
        .await?;
        let Some((last, _)) = rows.last() else {
            return Ok(Page {
                rows,
                events: HashMap::new(),
            });
        };
        // The same dossiers by their id range rather than a list of a thousand ids: one
        // small statement the planner serves from the primary keys. A dossier submitted
        // between the two statements may bring events of an id not in `rows`; the loop
        // over `rows` passes them by.
        let found: Vec<crate::dossiers::EventRow> = sqlx::query_as(
            "SELECT e.dossier, e.version, e.at_us, e.account, e.role, e.unit, e.change \
             FROM dossier_events e JOIN dossiers d ON d.id = e.dossier \
             WHERE d.change_seq > $1 AND d.status <> 'draft' AND d.id > $2 AND d.id <= $3 \
             ORDER BY e.dossier, e.version",
        )
        .bind(after_seq)
        .bind(cursor)
        .bind(last)
        .fetch_all(self.pool())
        .await?;
        let mut events: HashMap<String, Vec<Event>> = HashMap::with_capacity(rows.len());
        for row in found {
            let e = crate::dossiers::event_from_row(row)?;
            events.entry(e.dossier.clone()).or_default().push(e);
        }
        Ok(Page { rows, events })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestDb;

    /// A number is settled only once every lower number has ended: on PostgreSQL, where
    /// numbers commit out of order, `change_seq` waits for a lower number still open.
    #[tokio::test]
    async fn a_change_number_is_settled_only_when_every_lower_one_has_ended() {
        let db = TestDb::new().await.unwrap();
        let store = &db.store;
        let before = store.change_seq().await.unwrap();
        let backend = store.backend();
        if backend == Backend::Sqlite {
            // One writer at a time: the counter row's value is settled by construction.
            let mut tx = store.pool().begin().await.unwrap();
            let n = stamp(&mut tx, backend, &[]).await.unwrap();
            tx.commit().await.unwrap();
            assert_eq!(n, before + 1);
            assert_eq!(store.change_seq().await.unwrap(), n);
            return;
        }
        let mut open = store.pool().begin().await.unwrap();
        let low = stamp(&mut open, backend, &[]).await.unwrap();
        let mut later = store.pool().begin().await.unwrap();
        let high = stamp(&mut later, backend, &[]).await.unwrap();
        later.commit().await.unwrap();
        assert!(low < high);

        let reader = {
            let store = store.clone();
            tokio::spawn(async move { store.change_seq().await.unwrap() })
        };
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(
            !reader.is_finished(),
            "{low} is still open, so {high} is not settled"
        );
        open.rollback().await.unwrap();
        assert!(reader.await.unwrap() >= high);
    }
}
