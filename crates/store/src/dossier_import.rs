//! Writing a whole bundle — catalogue and dossier history — in one transaction: all of it
//! or nothing. Dossiers arrive as their projection and synthesised events (see the
//! domain's `dossier::import`) and are inserted many rows a statement, since a history can
//! hold millions of them.

use crate::catalogue_io::ImportReport;
use crate::{Result, Store, StoreError, to_micros};
use motcua_domain::bundle::UnitRecord;
use motcua_domain::dossier::{Dossier, Event};
use motcua_domain::procedure::Procedure;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// Rows a statement: kept well under both backends' bind limits (SQLite 32766, PostgreSQL
/// 65535) for 21 and 8 columns.
const DOSSIER_ROWS: usize = 400;
const EVENT_ROWS: usize = 1000;

/// Imported rows carry this change number until commit, when they get a real one.
const UNSTAMPED: i64 = -2;

/// An open bundle import. Dropped without [`HistoryImport::commit`], it writes nothing.
pub struct HistoryImport {
    tx: Transaction<'static, Any>,
    /// The store's cache, told after commit that the units may have changed.
    cache: std::sync::Arc<crate::cache::Cache>,
    backend: crate::Backend,
    /// Highest receipt number per (desk unit, day) among the imported codes.
    sequences: HashMap<(String, String), i64>,
    pub dossiers: usize,
    pub events: usize,
}

fn placeholders(rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&(r * cols + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// `UNIT-YYMMDD-NNNN` → (unit, YYYY-MM-DD, NNNN), as `code_sequences` keys them.
fn sequence_of(code: &str) -> Option<((String, String), i64)> {
    let mut parts = code.rsplitn(3, '-');
    let (seq, day, unit) = (parts.next()?, parts.next()?, parts.next()?);
    let day = chrono::NaiveDate::parse_from_str(&format!("20{day}"), "%Y%m%d").ok()?;
    Some(((unit.to_owned(), day.to_string()), seq.parse().ok()?))
}

impl Store {
    pub async fn begin_bundle_import(&self) -> Result<HistoryImport> {
        Ok(HistoryImport {
            tx: self.pool().begin().await?,
            cache: self.cache.clone(),
            backend: self.backend(),
            sequences: HashMap::new(),
            dossiers: 0,
            events: 0,
        })
    }

    /// The dossiers already stored whose id or receipt code is one of `codes`: code → id.
    pub async fn dossier_ids_by_code(&self, codes: &[&str]) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        for chunk in codes.chunks(400) {
            let list = placeholders(1, chunk.len());
            let sql = format!("SELECT id, code FROM dossiers WHERE id IN {list} OR code IN {list}");
            let mut q = sqlx::query_as::<_, (String, Option<String>)>(&sql);
            for c in chunk {
                q = q.bind(*c);
            }
            for (id, code) in q.fetch_all(self.pool()).await? {
                if let Some(c) = code {
                    out.insert(c, id.clone());
                }
                out.insert(id.clone(), id);
            }
        }
        // Only what was asked for: an id that matched by code is not itself a code.
        let asked: std::collections::HashSet<&str> = codes.iter().copied().collect();
        out.retain(|k, _| asked.contains(k.as_str()));
        Ok(out)
    }

    /// The published version of every procedure.
    pub async fn published_versions(&self) -> Result<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT code, published_version FROM procedures WHERE published_version IS NOT NULL",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().collect())
    }

    /// The latest published process version of every procedure that has one.
    pub async fn latest_process_versions(&self) -> Result<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT procedure, MAX(version) FROM processes WHERE status = 'published' GROUP BY procedure",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().collect())
    }
}

impl HistoryImport {
    /// Units and procedures first, as the dossiers refer to them.
    pub async fn catalogue(
        &mut self,
        store: &Store,
        units: &[UnitRecord],
        procedures: &[Procedure],
        actor: Option<&str>,
    ) -> Result<ImportReport> {
        store
            .import_catalogue_in(&mut self.tx, units, procedures, actor)
            .await
    }

    /// The published version of every procedure, as this import left them.
    pub async fn published_versions(&mut self) -> Result<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT code, published_version FROM procedures WHERE published_version IS NOT NULL",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().collect())
    }

    /// Inserts new dossiers with their events (ids must not exist yet).
    pub async fn insert(&mut self, batch: &[(Dossier, Vec<Event>)]) -> Result<()> {
        for chunk in batch.chunks(DOSSIER_ROWS) {
            let sql = format!(
                "INSERT INTO dossiers (id, code, procedure, unit, desk, applicant, parent, status, version, channel, created_at_us, \
                 received_at_us, due_at_us, current_due_at_us, finished_at_us, sort_at_us, state, form_data, lookup_secret_hash, \
                 idempotency_key, change_seq) VALUES {}",
                placeholders(chunk.len(), 21)
            );
            let mut q = sqlx::query(&sql);
            for (d, _) in chunk {
                q = q
                    .bind(d.id.clone())
                    .bind(d.code.as_ref().map(|c| c.as_str().to_owned()))
                    .bind(d.procedure.as_str().to_owned())
                    .bind(d.unit.as_str().to_owned())
                    .bind(d.desk.as_ref().map(|u| u.as_str().to_owned()))
                    .bind(d.applicant.clone())
                    .bind(d.parent.clone())
                    .bind(d.status.as_str())
                    .bind(d.version)
                    .bind(d.channel.map(|ch| json(&ch)).transpose()?)
                    .bind(to_micros(d.created_at))
                    .bind(d.received_at.map(to_micros))
                    .bind(d.due_at.map(to_micros))
                    .bind(d.current_due_at.map(to_micros))
                    .bind(d.finished_at.map(to_micros))
                    .bind(crate::dossiers::sort_at(d))
                    .bind(json(d)?)
                    .bind("{}")
                    .bind(None::<String>)
                    .bind(None::<String>)
                    .bind(UNSTAMPED);
                if let Some((key, seq)) = d.code.as_ref().and_then(|c| sequence_of(c.as_str())) {
                    let last = self.sequences.entry(key).or_insert(0);
                    *last = (*last).max(seq);
                }
            }
            q.execute(&mut *self.tx).await?;
            self.dossiers += chunk.len();
        }
        let events: Vec<&Event> = batch.iter().flat_map(|(_, e)| e).collect();
        for chunk in events.chunks(EVENT_ROWS) {
            let sql = format!(
                "INSERT INTO dossier_events (dossier, version, at_us, account, role, unit, kind, change) VALUES {}",
                placeholders(chunk.len(), 8)
            );
            let mut q = sqlx::query(&sql);
            for e in chunk {
                q = q
                    .bind(e.dossier.clone())
                    .bind(e.version)
                    .bind(to_micros(e.at))
                    .bind(e.by.account.clone())
                    .bind(e.by.role.as_str())
                    .bind(e.by.unit.as_ref().map(|u| u.as_str().to_owned()))
                    .bind(e.change.kind())
                    .bind(json(&e.change)?);
            }
            q.execute(&mut *self.tx).await?;
            self.events += chunk.len();
        }
        Ok(())
    }

    /// Moves the day's receipt numbers past the imported ones (a desk receiving today
    /// must not hand out an imported code), stamps the change number, and commits.
    pub async fn commit(mut self) -> Result<()> {
        let seqs: Vec<((String, String), i64)> = self.sequences.drain().collect();
        for chunk in seqs.chunks(500) {
            let sql = format!(
                "INSERT INTO code_sequences (unit, day, last) VALUES {} ON CONFLICT (unit, day) DO UPDATE SET \
                 last = CASE WHEN code_sequences.last < excluded.last THEN excluded.last ELSE code_sequences.last END",
                placeholders(chunk.len(), 3)
            );
            let mut q = sqlx::query(&sql);
            for ((unit, day), last) in chunk {
                q = q.bind(unit.clone()).bind(day.clone()).bind(*last);
            }
            q.execute(&mut *self.tx).await?;
        }
        if self.dossiers > 0 {
            // Last, so that SQLite's counter row is held only for the commit itself.
            let seq = crate::snapshots::stamp(&mut self.tx, self.backend, &[]).await?;
            sqlx::query("UPDATE dossiers SET change_seq = $1 WHERE change_seq = $2")
                .bind(seq)
                .bind(UNSTAMPED)
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        // The bundle's units are in the tree now; a cached tree would hide them.
        self.cache.forget_units();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_placeholders_and_code_sequences() {
        assert_eq!(placeholders(2, 2), "($1, $2), ($3, $4)");
        assert_eq!(
            sequence_of("000.00.31.H57-250107-0042"),
            Some((("000.00.31.H57".into(), "2025-01-07".into()), 42))
        );
        assert_eq!(sequence_of("H57-ONLINE-x"), None);
    }
}
