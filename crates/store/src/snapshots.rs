//! Saved images of derived in-memory state (the live 766 engine), and the change sequence
//! that tells what changed since an image was taken.
//!
//! Every commit that changes dossiers takes the next number of one counter row and stamps
//! it on the dossiers it wrote (`dossiers.change_seq`). The counter is bumped last in the
//! transaction and its row stays locked until commit, so commits finish in number order:
//! whatever counter value a reader sees, every change up to it is committed. An image
//! taken when the counter read `n` plus the dossiers stamped after `n` is then the whole
//! state; reading a dossier twice (in the image and after) is harmless, since the engine
//! replaces a dossier's facts with its latest line.

use crate::{Result, Store, StoreError, from_micros, to_micros};
use motcua_domain::dossier::export::{OutsideFacts, bundle_line};
use motcua_domain::dossier::{Dossier, Event};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// A stored image: what it was built from (`fingerprint`, the caller's to define), the
/// change sequence it covers, and its bytes.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub fingerprint: String,
    pub covers_seq: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub body: Vec<u8>,
}

/// Takes the next change number and stamps it on `ids`. Call last in the transaction.
pub(crate) async fn stamp(conn: &mut AnyConnection, ids: &[&str]) -> Result<i64> {
    let (seq,): (i64,) =
        sqlx::query_as("UPDATE change_counter SET last = last + 1 WHERE id = 1 RETURNING last")
            .fetch_one(&mut *conn)
            .await?;
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
    /// The last committed change number (0 before any).
    pub async fn change_seq(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT last FROM change_counter WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok(n)
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
        const PAGE: i64 = 1000;
        let mut cursor = String::new();
        let mut n = 0;
        loop {
            // The parent's code as export gives it: its receipt code, else its id.
            let page: Vec<(String, Option<String>)> = sqlx::query_as(
                "SELECT d.id, COALESCE(p.code, p.id) FROM dossiers d LEFT JOIN dossiers p ON p.id = d.parent \
                 WHERE d.change_seq > $1 AND d.status <> 'draft' AND d.id > $2 ORDER BY d.id LIMIT $3",
            )
            .bind(after_seq)
            .bind(&cursor)
            .bind(PAGE)
            .fetch_all(self.pool())
            .await?;
            let Some((last, _)) = page.last() else {
                return Ok(n);
            };
            cursor = last.clone();
            let ids: Vec<&str> = page.iter().map(|(id, _)| id.as_str()).collect();
            let mut events: HashMap<String, Vec<Event>> = HashMap::with_capacity(ids.len());
            for e in self.events_of(&ids).await? {
                events.entry(e.dossier.clone()).or_default().push(e);
            }
            for (id, parent) in &page {
                let mine = events.remove(id).unwrap_or_default();
                let d = Dossier::replay(&mine)
                    .ok_or_else(|| StoreError::Corrupt(format!("dossier {id}: events")))?;
                if let Some(line) = bundle_line(&d, &mine, parent.clone(), OutsideFacts::default())
                {
                    let text = serde_json::to_string(&line)
                        .map_err(|e| StoreError::Invalid(e.to_string()))?;
                    each(&text)?;
                    n += 1;
                }
            }
        }
    }

    /// The events of these dossiers, by dossier id then version.
    async fn events_of(&self, ids: &[&str]) -> Result<Vec<Event>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = (1..=ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT dossier, version, at_us, account, role, unit, change FROM dossier_events WHERE dossier IN ({list}) ORDER BY dossier, version"
        );
        let mut q = sqlx::query_as::<_, crate::dossiers::EventRow>(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(self.pool())
            .await?
            .into_iter()
            .map(crate::dossiers::event_from_row)
            .collect()
    }
}
