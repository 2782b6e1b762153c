//! E-form definitions (biểu mẫu điện tử) a province writes for a procedure, versioned like
//! the catalogue: drafts are edited freely, a version is published only once the domain's
//! check accepts it, and a published version is never edited again. The definition is kept
//! as the text the administrator wrote, so error positions refer to what they see.

use crate::audit::{self, AuditEntry};
use crate::{Result, Store, StoreError, to_micros};
use motcua_domain::ProcedureCode;
use motcua_domain::eform::{CheckedForm, DefinitionError};
use motcua_domain::procedure::{VersionStatus, check_editable, check_publishable};

/// Definitions longer than this are refused: the built-in ones are a few kilobytes.
pub const MAX_DEFINITION_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone)]
pub struct EformVersion {
    pub version: i64,
    pub status: VersionStatus,
    pub definition: String,
    /// The procedure's published version when this one was last saved or published.
    pub procedure_version: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub created_by: Option<String>,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    pub published_by: Option<String>,
}

/// version, status, definition, procedure version, created at/by, published at/by.
type EformRow = (
    i64,
    String,
    String,
    Option<i64>,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
);

fn status_of(s: &str) -> Result<VersionStatus> {
    VersionStatus::parse(s).ok_or_else(|| StoreError::Corrupt(format!("e-form: status {s}")))
}

async fn published_procedure_version(
    conn: &mut sqlx::AnyConnection,
    code: &str,
) -> Result<Option<i64>> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT published_version FROM procedures WHERE code = $1")
            .bind(code)
            .fetch_optional(conn)
            .await?;
    Ok(row.and_then(|r| r.0))
}

impl Store {
    /// Every version of a procedure's e-form, oldest first.
    pub async fn eform_versions(&self, procedure: &ProcedureCode) -> Result<Vec<EformVersion>> {
        let rows: Vec<EformRow> = sqlx::query_as(
            "SELECT version, status, definition, procedure_version, created_at_us, created_by, published_at_us, published_by \
             FROM eforms WHERE procedure = $1 ORDER BY version",
        )
        .bind(procedure.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(version, status, definition, pv, c, cb, p, pb)| {
                Ok(EformVersion {
                    version,
                    status: status_of(&status)?,
                    definition,
                    procedure_version: pv,
                    created_at: crate::from_micros(c),
                    created_by: cb,
                    published_at: p.map(crate::from_micros),
                    published_by: pb,
                })
            })
            .collect()
    }

    /// The published e-form in force for a procedure (the highest published version).
    pub async fn published_eform(
        &self,
        procedure: &ProcedureCode,
    ) -> Result<Option<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT version, definition FROM eforms WHERE procedure = $1 AND status = 'published' ORDER BY version DESC LIMIT 1",
        )
        .bind(procedure.as_str())
        .fetch_optional(self.pool())
        .await?)
    }

    /// The number of the published version in force, without its text: readers that keep
    /// parsed definitions need the text only for a version they have not seen.
    pub async fn published_eform_number(&self, procedure: &ProcedureCode) -> Result<Option<i64>> {
        let row: Option<(Option<i64>,)> = sqlx::query_as(
            "SELECT MAX(version) FROM eforms WHERE procedure = $1 AND status = 'published'",
        )
        .bind(procedure.as_str())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.and_then(|r| r.0))
    }

    /// The text of one published version (the one a dossier pinned); a draft is not one.
    pub async fn published_eform_text(
        &self,
        procedure: &ProcedureCode,
        version: i64,
    ) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT definition FROM eforms WHERE procedure = $1 AND version = $2 AND status = 'published'",
        )
        .bind(procedure.as_str())
        .bind(version)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| r.0))
    }

    /// Saves a draft definition: edits the open draft, or opens one after the latest
    /// version. Any text is kept (the check runs at publication), up to a size limit.
    pub async fn save_eform_draft(
        &self,
        procedure: &ProcedureCode,
        definition: &str,
        actor: Option<&str>,
    ) -> Result<i64> {
        if definition.len() > MAX_DEFINITION_BYTES {
            return Err(StoreError::Invalid(format!(
                "definition longer than {MAX_DEFINITION_BYTES} bytes"
            )));
        }
        let code = procedure.as_str();
        let mut tx = self.pool().begin().await?;
        let pv = published_procedure_version(&mut tx, code).await?;
        let latest: Option<(i64, String)> = sqlx::query_as(
            "SELECT version, status FROM eforms WHERE procedure = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(code)
        .fetch_optional(&mut *tx)
        .await?;
        let version = match latest {
            Some((v, s)) if status_of(&s)? == VersionStatus::Draft => {
                check_editable(v as u32, VersionStatus::Draft)
                    .map_err(|e| StoreError::Conflict(e.to_string()))?;
                sqlx::query("UPDATE eforms SET definition = $1, procedure_version = $2 WHERE procedure = $3 AND version = $4 AND status = 'draft'")
                    .bind(definition)
                    .bind(pv)
                    .bind(code)
                    .bind(v)
                    .execute(&mut *tx)
                    .await?;
                v
            }
            other => {
                let v = other.map_or(1, |(v, _)| v + 1);
                sqlx::query("INSERT INTO eforms (procedure, version, status, definition, procedure_version, created_at_us, created_by, published_at_us, published_by) \
                             VALUES ($1, $2, 'draft', $3, $4, $5, $6, NULL, NULL)")
                    .bind(code)
                    .bind(v)
                    .bind(definition)
                    .bind(pv)
                    .bind(to_micros(chrono::Utc::now()))
                    .bind(actor)
                    .execute(&mut *tx)
                    .await?;
                v
            }
        };
        audit::append(
            &mut tx,
            AuditEntry {
                actor,
                action: "eform.save_draft",
                target: code,
                detail: serde_json::json!({"version": version}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Publishes a draft if the domain's check accepts it. The outer error is the store's;
    /// the inner one lists every problem the check found (nothing is changed then).
    pub async fn publish_eform_draft(
        &self,
        procedure: &ProcedureCode,
        version: i64,
        actor: Option<&str>,
    ) -> Result<Result<(), Vec<DefinitionError>>> {
        let code = procedure.as_str();
        let mut tx = self.pool().begin().await?;
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT status, definition FROM eforms WHERE procedure = $1 AND version = $2",
        )
        .bind(code)
        .bind(version)
        .fetch_optional(&mut *tx)
        .await?;
        let (status, definition) = row.ok_or(StoreError::NotFound)?;
        check_publishable(version as u32, status_of(&status)?)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let form = match CheckedForm::from_json(&definition) {
            Ok(form) => form,
            Err(errors) => return Ok(Err(errors)),
        };
        let pv = published_procedure_version(&mut tx, code).await?;
        // The component the form declares must be one of the procedure version it will
        // serve; a form without a published procedure has nothing to name yet.
        if let (Some(_), Some(v)) = (form.component(), pv) {
            let (record,): (String,) = sqlx::query_as(
                "SELECT record FROM procedure_versions WHERE code = $1 AND version = $2",
            )
            .bind(code)
            .bind(v)
            .fetch_one(&mut *tx)
            .await?;
            let p = crate::procedures::parse_record(code, &record)?;
            if let Err(e) = form.check_component(p.components.iter().map(|c| c.name())) {
                return Ok(Err(vec![e]));
            }
        }
        sqlx::query("UPDATE eforms SET status = 'published', published_at_us = $1, published_by = $2, procedure_version = $3 \
                     WHERE procedure = $4 AND version = $5 AND status = 'draft'")
            .bind(to_micros(chrono::Utc::now()))
            .bind(actor)
            .bind(pv)
            .bind(code)
            .bind(version)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            AuditEntry {
                actor,
                action: "eform.publish",
                target: code,
                detail: serde_json::json!({"version": version, "procedure_version": pv}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
}
