//! Units and their history.

use crate::audit::{self, AuditEntry};
use crate::{Result, Store, StoreError, to_micros};
use motcua_domain::UnitCode;
use motcua_domain::bundle::UnitRecord;
use motcua_domain::text::fold_vi;
use motcua_domain::unit::{UnitChange, UnitKind, UnitTree};
use sqlx::AnyConnection;

/// code, change, old name, new name, successor, instant.
type HistoryTuple = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

type UnitRow = (
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<String>,
    String,
);

const UNIT_COLUMNS: &str = "code, name, kind, parent, e_certified_copy, successor, extra";

fn record(row: UnitRow) -> Result<UnitRecord> {
    let (code, name, kind, parent, e_certified_copy, successor, extra) = row;
    let corrupt = |what: &str| StoreError::Corrupt(format!("unit {code}: {what}"));
    Ok(UnitRecord {
        code: UnitCode::parse(&code).map_err(|_| corrupt("code"))?,
        name,
        kind: UnitKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
        parent: parent
            .map(|p| UnitCode::parse(&p))
            .transpose()
            .map_err(|_| corrupt("parent"))?,
        e_certified_copy: e_certified_copy != 0,
        successor: successor
            .map(|p| UnitCode::parse(&p))
            .transpose()
            .map_err(|_| corrupt("successor"))?,
        extra: serde_json::from_str(&extra).map_err(|_| corrupt("extra"))?,
    })
}

/// One recorded change, as pages and the API show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryRow {
    pub code: String,
    pub change: String,
    pub old_name: Option<String>,
    pub new_name: Option<String>,
    pub successor: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Inserts or replaces units (bundle import). Runs inside the caller's transaction.
pub(crate) async fn upsert(conn: &mut AnyConnection, units: &[UnitRecord]) -> Result<usize> {
    let now = to_micros(chrono::Utc::now());
    for u in units {
        let extra =
            serde_json::to_string(&u.extra).map_err(|e| StoreError::Invalid(e.to_string()))?;
        sqlx::query(
            "INSERT INTO units (code, name, kind, parent, e_certified_copy, successor, extra, search_text, updated_at_us) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, parent = excluded.parent, \
             e_certified_copy = excluded.e_certified_copy, successor = excluded.successor, extra = excluded.extra, \
             search_text = excluded.search_text, updated_at_us = excluded.updated_at_us",
        )
        .bind(u.code.as_str())
        .bind(&u.name)
        .bind(u.kind.as_str())
        .bind(u.parent.as_ref().map(UnitCode::as_str))
        .bind(i64::from(u.e_certified_copy))
        .bind(u.successor.as_ref().map(UnitCode::as_str))
        .bind(extra)
        .bind(format!("{} {}", fold_vi(&u.name), u.code))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(units.len())
}

impl Store {
    /// Every unit, sorted by code.
    pub async fn units(&self) -> Result<Vec<UnitRecord>> {
        let rows: Vec<UnitRow> =
            sqlx::query_as(&format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY code"))
                .fetch_all(self.pool())
                .await?;
        rows.into_iter().map(record).collect()
    }

    pub async fn unit(&self, code: &UnitCode) -> Result<UnitRecord> {
        let row: Option<UnitRow> =
            sqlx::query_as(&format!("SELECT {UNIT_COLUMNS} FROM units WHERE code = $1"))
                .bind(code.as_str())
                .fetch_optional(self.pool())
                .await?;
        record(row.ok_or(StoreError::NotFound)?)
    }

    /// The tree, for permission and scope questions.
    pub async fn unit_tree(&self) -> Result<UnitTree> {
        if let Some(t) = self.cache.unit_tree() {
            return Ok((*t).clone());
        }
        let units = self.units().await?;
        let tree = UnitTree::new(units.iter().map(UnitRecord::unit))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.cache.put_unit_tree(std::sync::Arc::new(tree.clone()));
        Ok(tree)
    }

    /// Units whose current or former name or code matches every query word.
    pub async fn find_units(&self, q: &str) -> Result<Vec<UnitRecord>> {
        let terms = motcua_domain::text::fold_terms(q);
        let mut sql = format!("SELECT {UNIT_COLUMNS} FROM units u WHERE (1 = 1");
        for i in 0..terms.len() {
            sql.push_str(&format!(" AND u.search_text LIKE ${}", i + 1));
        }
        sql.push_str(") OR EXISTS (SELECT 1 FROM unit_history h WHERE h.code = u.code");
        for i in 0..terms.len() {
            sql.push_str(&format!(" AND h.search_text LIKE ${}", i + 1));
        }
        sql.push_str(") ORDER BY code");
        let mut query = sqlx::query_as::<_, UnitRow>(&sql);
        for t in &terms {
            query = query.bind(format!("%{t}%"));
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.into_iter().map(record).collect()
    }

    pub async fn unit_history(&self, code: &UnitCode) -> Result<Vec<HistoryRow>> {
        let rows: Vec<HistoryTuple> =
            sqlx::query_as(
                "SELECT code, change, old_name, new_name, successor, at_us FROM unit_history WHERE code = $1 ORDER BY at_us, id",
            )
            .bind(code.as_str())
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(code, change, old_name, new_name, successor, at)| HistoryRow {
                    code,
                    change,
                    old_name,
                    new_name,
                    successor,
                    at: crate::from_micros(at),
                },
            )
            .collect())
    }

    /// Applies a change the domain decided (`UnitTree::rename` / `merge`), with its history
    /// row and audit entry, in one transaction.
    pub async fn apply_unit_change(&self, change: &UnitChange, actor: Option<&str>) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let now = to_micros(chrono::Utc::now());
        let id = uuid::Uuid::now_v7().to_string();
        match change {
            UnitChange::Renamed {
                code,
                old_name,
                new_name,
            } => {
                let n = sqlx::query("UPDATE units SET name = $1, search_text = $2, updated_at_us = $3 WHERE code = $4 AND name = $5")
                    .bind(new_name)
                    .bind(format!("{} {}", fold_vi(new_name), code))
                    .bind(now)
                    .bind(code.as_str())
                    .bind(old_name)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n != 1 {
                    return Err(StoreError::Conflict(format!(
                        "unit {code} changed meanwhile"
                    )));
                }
                sqlx::query("INSERT INTO unit_history (id, code, change, old_name, new_name, successor, search_text, at_us, actor) VALUES ($1, $2, 'renamed', $3, $4, NULL, $5, $6, $7)")
                    .bind(&id)
                    .bind(code.as_str())
                    .bind(old_name)
                    .bind(new_name)
                    .bind(fold_vi(old_name))
                    .bind(now)
                    .bind(actor)
                    .execute(&mut *tx)
                    .await?;
                audit::append(
                    &mut tx,
                    AuditEntry {
                        actor,
                        action: "unit.rename",
                        target: code.as_str(),
                        detail: serde_json::json!({"old_name": old_name, "new_name": new_name}),
                    },
                )
                .await?;
            }
            UnitChange::Merged { code, into } => {
                let n = sqlx::query("UPDATE units SET successor = $1, updated_at_us = $2 WHERE code = $3 AND successor IS NULL")
                    .bind(into.as_str())
                    .bind(now)
                    .bind(code.as_str())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n != 1 {
                    return Err(StoreError::Conflict(format!(
                        "unit {code} changed meanwhile"
                    )));
                }
                sqlx::query("UPDATE units SET parent = $1, updated_at_us = $2 WHERE parent = $3")
                    .bind(into.as_str())
                    .bind(now)
                    .bind(code.as_str())
                    .execute(&mut *tx)
                    .await?;
                let name: (String,) = sqlx::query_as("SELECT name FROM units WHERE code = $1")
                    .bind(code.as_str())
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO unit_history (id, code, change, old_name, new_name, successor, search_text, at_us, actor) VALUES ($1, $2, 'merged', $3, NULL, $4, $5, $6, $7)")
                    .bind(&id)
                    .bind(code.as_str())
                    .bind(&name.0)
                    .bind(into.as_str())
                    .bind(fold_vi(&name.0))
                    .bind(now)
                    .bind(actor)
                    .execute(&mut *tx)
                    .await?;
                audit::append(
                    &mut tx,
                    AuditEntry {
                        actor,
                        action: "unit.merge",
                        target: code.as_str(),
                        detail: serde_json::json!({"into": into}),
                    },
                )
                .await?;
            }
        }
        tx.commit().await?;
        self.cache.forget_units();
        Ok(())
    }
}
