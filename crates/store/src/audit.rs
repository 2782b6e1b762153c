//! The audit trail of administrative writes (accounts, roles, catalogue, units, calendar).
//! Rows are appended in the same transaction as the change they describe.

use crate::{Result, to_micros};
use sqlx::AnyConnection;

pub struct AuditEntry<'a> {
    pub actor: Option<&'a str>,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: serde_json::Value,
}

pub async fn append(conn: &mut AnyConnection, e: AuditEntry<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at_us, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(to_micros(chrono::Utc::now()))
    .bind(e.actor)
    .bind(e.action)
    .bind(e.target)
    .bind(e.detail.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditRow {
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: serde_json::Value,
}

impl crate::Store {
    /// The audit rows about one target, oldest first.
    pub async fn audit_for(&self, target: &str) -> Result<Vec<AuditRow>> {
        let rows: Vec<(i64, Option<String>, String, String, String)> = sqlx::query_as(
            "SELECT at_us, actor, action, target, detail FROM audit_log WHERE target = $1 ORDER BY at_us, id",
        )
        .bind(target)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(at, actor, action, target, detail)| AuditRow {
                at: crate::from_micros(at),
                actor,
                action,
                target,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
            })
            .collect())
    }
}
