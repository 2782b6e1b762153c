//! What the administration pages need of the catalogue beyond `procedures.rs`: the list of
//! a unit administrator's procedures with their versions, and process definitions drafted
//! and published like catalogue versions (a published process is never edited in place).

use crate::audit::{self, AuditEntry};
use crate::{Result, Store, StoreError, to_micros};
use motcua_domain::dossier::Process;
use motcua_domain::dossier::process::ProcessError;
use motcua_domain::procedure::{VersionStatus, check_editable, check_publishable};
use motcua_domain::unit::UnitTree;
use motcua_domain::{ProcedureCode, UnitCode};

/// One line of the administration's catalogue list.
#[derive(Debug, Clone)]
pub struct CatalogueRow {
    pub code: String,
    /// The name in the latest version (a draft's, when one is open).
    pub name: String,
    pub latest_version: i64,
    pub latest_status: VersionStatus,
    pub published_version: Option<i64>,
}

/// One version of a process definition.
#[derive(Debug, Clone)]
pub struct ProcessVersion {
    pub version: i64,
    pub status: VersionStatus,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    pub process: Process,
}

fn status_of(s: &str, what: &str) -> Result<VersionStatus> {
    VersionStatus::parse(s).ok_or_else(|| StoreError::Corrupt(format!("{what}: status {s}")))
}

fn process_json(p: &Process) -> Result<String> {
    serde_json::to_string(p).map_err(|e| StoreError::Invalid(e.to_string()))
}

impl Store {
    /// Procedures handled by any of `units` (every procedure when `None`) whose latest
    /// version matches every folded word of `q`, by code; at most `limit`.
    pub async fn catalogue_rows(
        &self,
        units: Option<&[UnitCode]>,
        q: Option<&str>,
        limit: usize,
    ) -> Result<Vec<CatalogueRow>> {
        let mut sql = String::from(
            "SELECT p.code, v.name, p.latest_version, v.status, p.published_version FROM procedures p \
             JOIN procedure_versions v ON v.code = p.code AND v.version = p.latest_version WHERE 1 = 1",
        );
        let mut binds: Vec<String> = Vec::new();
        for t in q.map(motcua_domain::text::fold_terms).unwrap_or_default() {
            binds.push(format!("%{t}%"));
            sql.push_str(&format!(" AND v.search_text LIKE ${}", binds.len()));
        }
        if let Some(units) = units {
            if units.is_empty() {
                return Ok(Vec::new());
            }
            let mut marks = Vec::new();
            for u in units {
                binds.push(u.to_string());
                marks.push(format!("${}", binds.len()));
            }
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM procedure_units pu WHERE pu.code = p.code AND pu.unit IN ({}))",
                marks.join(", ")
            ));
        }
        sql.push_str(&format!(" ORDER BY p.code LIMIT {}", limit.clamp(1, 1000)));
        let mut query = sqlx::query_as::<_, (String, String, i64, String, Option<i64>)>(&sql);
        for b in &binds {
            query = query.bind(b);
        }
        query
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|(code, name, latest_version, status, published_version)| {
                Ok(CatalogueRow {
                    latest_status: status_of(&status, &code)?,
                    code,
                    name,
                    latest_version,
                    published_version,
                })
            })
            .collect()
    }

    /// Every version of a procedure's process definition, oldest first.
    pub async fn process_versions(&self, procedure: &ProcedureCode) -> Result<Vec<ProcessVersion>> {
        let rows: Vec<(i64, String, i64, Option<i64>, String)> = sqlx::query_as(
            "SELECT version, status, created_at_us, published_at_us, definition FROM processes WHERE procedure = $1 ORDER BY version",
        )
        .bind(procedure.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(version, status, c, p, d)| {
                Ok(ProcessVersion {
                    version,
                    status: status_of(&status, "process")?,
                    created_at: crate::from_micros(c),
                    published_at: p.map(crate::from_micros),
                    process: serde_json::from_str(&d)
                        .map_err(|e| StoreError::Corrupt(format!("process: {e}")))?,
                })
            })
            .collect()
    }

    /// Saves a process draft: edits the open draft, or opens one after the latest version.
    pub async fn save_process_draft(&self, p: &Process, actor: Option<&str>) -> Result<i64> {
        let code = p.procedure.as_str();
        let mut tx = self.pool().begin().await?;
        let latest: Option<(i64, String)> = sqlx::query_as(
            "SELECT version, status FROM processes WHERE procedure = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(code)
        .fetch_optional(&mut *tx)
        .await?;
        let now = to_micros(chrono::Utc::now());
        let version = match latest {
            Some((v, s)) if status_of(&s, "process")? == VersionStatus::Draft => {
                check_editable(v as u32, VersionStatus::Draft)
                    .map_err(|e| StoreError::Conflict(e.to_string()))?;
                sqlx::query("UPDATE processes SET definition = $1 WHERE procedure = $2 AND version = $3 AND status = 'draft'")
                    .bind(process_json(p)?)
                    .bind(code)
                    .bind(v)
                    .execute(&mut *tx)
                    .await?;
                v
            }
            other => {
                let v = other.map_or(1, |(v, _)| v + 1);
                sqlx::query("INSERT INTO processes (procedure, version, status, definition, created_at_us, published_at_us) VALUES ($1, $2, 'draft', $3, $4, NULL)")
                    .bind(code)
                    .bind(v)
                    .bind(process_json(p)?)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                v
            }
        };
        audit::append(
            &mut tx,
            AuditEntry {
                actor,
                action: "process.save_draft",
                target: code,
                detail: serde_json::json!({"version": version}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Publishes a process draft after the domain's check against `tree`. The outer error
    /// is the store's; the inner one is the domain refusing the definition.
    pub async fn publish_process_draft(
        &self,
        procedure: &ProcedureCode,
        version: i64,
        tree: &UnitTree,
        actor: Option<&str>,
    ) -> Result<Result<(), ProcessError>> {
        let code = procedure.as_str();
        let mut tx = self.pool().begin().await?;
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT status, definition FROM processes WHERE procedure = $1 AND version = $2",
        )
        .bind(code)
        .bind(version)
        .fetch_optional(&mut *tx)
        .await?;
        let (status, definition) = row.ok_or(StoreError::NotFound)?;
        check_publishable(version as u32, status_of(&status, "process")?)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let (newest,): (Option<i64>,) = sqlx::query_as(
            "SELECT MAX(version) FROM processes WHERE procedure = $1 AND status = 'published'",
        )
        .bind(code)
        .fetch_one(&mut *tx)
        .await?;
        // Dossiers follow the highest published version: publishing an older draft over
        // a newer import would silently change nothing.
        if newest.is_some_and(|n| n > version) {
            return Err(StoreError::Conflict(format!(
                "process {code}: version {} is newer than draft {version}",
                newest.unwrap_or_default()
            )));
        }
        let process: Process = serde_json::from_str(&definition)
            .map_err(|e| StoreError::Corrupt(format!("process: {e}")))?;
        if let Err(e) = process.check(tree) {
            return Ok(Err(e));
        }
        sqlx::query("UPDATE processes SET status = 'published', published_at_us = $1 WHERE procedure = $2 AND version = $3 AND status = 'draft'")
            .bind(to_micros(chrono::Utc::now()))
            .bind(code)
            .bind(version)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            AuditEntry {
                actor,
                action: "process.publish",
                target: code,
                detail: serde_json::json!({"version": version}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
}
