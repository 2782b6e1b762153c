//! The procedure catalogue: versions (draft → published), the published view, search.

use crate::audit::{self, AuditEntry};
use crate::{Result, Store, StoreError, to_micros};
use motcua_domain::procedure::{
    OnlineLevel, Procedure, VersionStatus, check_editable, check_publishable,
};
use motcua_domain::{ProcedureCode, UnitCode};
use sqlx::AnyConnection;

/// version, status, created at/by, published at/by.
type VersionRow = (
    i64,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
);

/// A procedure as published, with its version.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Published {
    pub version: i64,
    pub published_at: chrono::DateTime<chrono::Utc>,
    pub procedure: Procedure,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct VersionInfo {
    pub version: i64,
    pub status: VersionStatus,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub created_by: Option<String>,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    pub published_by: Option<String>,
}

/// Catalogue search: every filter optional.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub q: Option<String>,
    pub unit: Option<UnitCode>,
    pub field: Option<String>,
    pub online_level: Option<OnlineLevel>,
    pub limit: usize,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchPage {
    pub items: Vec<Published>,
    pub next_cursor: Option<String>,
    pub total: usize,
}

pub(crate) fn parse_record(code: &str, json: &str) -> Result<Procedure> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("procedure {code}: {e}")))
}

fn to_json(p: &Procedure) -> Result<String> {
    serde_json::to_string(p).map_err(|e| StoreError::Invalid(e.to_string()))
}

async fn latest(conn: &mut AnyConnection, code: &str) -> Result<Option<(i64, Option<i64>)>> {
    Ok(
        sqlx::query_as("SELECT latest_version, published_version FROM procedures WHERE code = $1")
            .bind(code)
            .fetch_optional(conn)
            .await?,
    )
}

async fn insert_version(
    conn: &mut AnyConnection,
    p: &Procedure,
    version: i64,
    status: VersionStatus,
    actor: Option<&str>,
) -> Result<()> {
    let now = to_micros(chrono::Utc::now());
    let published = status == VersionStatus::Published;
    sqlx::query(
        "INSERT INTO procedure_versions (code, version, status, name, field, online_level, search_text, record, created_at_us, created_by, published_at_us, published_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(p.code.as_str())
    .bind(version)
    .bind(status.as_str())
    .bind(&p.name)
    .bind(p.field.as_deref())
    .bind(p.online_level.map(OnlineLevel::as_str))
    .bind(p.search_text())
    .bind(to_json(p)?)
    .bind(now)
    .bind(actor)
    .bind(published.then_some(now))
    .bind(if published { actor } else { None })
    .execute(conn)
    .await?;
    Ok(())
}

async fn set_pointer(
    conn: &mut AnyConnection,
    code: &str,
    latest_version: i64,
    published: Option<i64>,
    existed: bool,
) -> Result<()> {
    let sql = if existed {
        "UPDATE procedures SET latest_version = $2, published_version = $3 WHERE code = $1"
    } else {
        "INSERT INTO procedures (code, latest_version, published_version) VALUES ($1, $2, $3)"
    };
    sqlx::query(sql)
        .bind(code)
        .bind(latest_version)
        .bind(published)
        .execute(conn)
        .await?;
    Ok(())
}

async fn set_units(conn: &mut AnyConnection, p: &Procedure) -> Result<()> {
    sqlx::query("DELETE FROM procedure_units WHERE code = $1")
        .bind(p.code.as_str())
        .execute(&mut *conn)
        .await?;
    for u in &p.units {
        sqlx::query("INSERT INTO procedure_units (code, unit) VALUES ($1, $2)")
            .bind(p.code.as_str())
            .bind(u.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Publishes `p` as a new version unless it equals the published one (bundle import:
/// re-importing the same bundle changes nothing). Inside the caller's transaction.
pub(crate) async fn import_one(
    conn: &mut AnyConnection,
    p: &Procedure,
    actor: Option<&str>,
) -> Result<bool> {
    let code = p.code.as_str();
    let current = latest(conn, code).await?;
    if let Some((_, Some(pv))) = current {
        let (json,): (String,) = sqlx::query_as(
            "SELECT record FROM procedure_versions WHERE code = $1 AND version = $2",
        )
        .bind(code)
        .bind(pv)
        .fetch_one(&mut *conn)
        .await?;
        if parse_record(code, &json)? == *p {
            return Ok(false);
        }
    }
    let version = current.map_or(1, |(l, _)| l + 1);
    insert_version(conn, p, version, VersionStatus::Published, actor).await?;
    set_pointer(conn, code, version, Some(version), current.is_some()).await?;
    set_units(conn, p).await?;
    audit::append(
        conn,
        AuditEntry {
            actor,
            action: "procedure.import",
            target: code,
            detail: serde_json::json!({"version": version}),
        },
    )
    .await?;
    Ok(true)
}

impl Store {
    /// Saves a draft: edits the open draft, or opens a new one after the published version.
    pub async fn save_draft(&self, p: &Procedure, actor: Option<&str>) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let code = p.code.as_str();
        let current = latest(&mut tx, code).await?;
        let version = match current {
            None => {
                insert_version(&mut tx, p, 1, VersionStatus::Draft, actor).await?;
                set_pointer(&mut tx, code, 1, None, false).await?;
                1
            }
            Some((latest_v, published)) if published == Some(latest_v) => {
                let v = latest_v + 1;
                insert_version(&mut tx, p, v, VersionStatus::Draft, actor).await?;
                set_pointer(&mut tx, code, v, published, true).await?;
                v
            }
            Some((latest_v, _)) => {
                let (status,): (String,) = sqlx::query_as(
                    "SELECT status FROM procedure_versions WHERE code = $1 AND version = $2",
                )
                .bind(code)
                .bind(latest_v)
                .fetch_one(&mut *tx)
                .await?;
                let status = VersionStatus::parse(&status)
                    .ok_or_else(|| StoreError::Corrupt(format!("procedure {code}: status")))?;
                check_editable(latest_v as u32, status)
                    .map_err(|e| StoreError::Conflict(e.to_string()))?;
                sqlx::query(
                    "UPDATE procedure_versions SET name = $1, field = $2, online_level = $3, search_text = $4, record = $5 \
                     WHERE code = $6 AND version = $7 AND status = 'draft'",
                )
                .bind(&p.name)
                .bind(p.field.as_deref())
                .bind(p.online_level.map(OnlineLevel::as_str))
                .bind(p.search_text())
                .bind(to_json(p)?)
                .bind(code)
                .bind(latest_v)
                .execute(&mut *tx)
                .await?;
                latest_v
            }
        };
        audit::append(
            &mut tx,
            AuditEntry {
                actor,
                action: "procedure.save_draft",
                target: code,
                detail: serde_json::json!({"version": version}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Publishes a draft version. A published version is never changed again.
    pub async fn publish(
        &self,
        code: &ProcedureCode,
        version: i64,
        actor: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT status, record FROM procedure_versions WHERE code = $1 AND version = $2",
        )
        .bind(code.as_str())
        .bind(version)
        .fetch_optional(&mut *tx)
        .await?;
        let (status, json) = row.ok_or(StoreError::NotFound)?;
        let status = VersionStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("procedure {code}: status")))?;
        check_publishable(version as u32, status)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let p = parse_record(code.as_str(), &json)?;
        let now = to_micros(chrono::Utc::now());
        sqlx::query("UPDATE procedure_versions SET status = 'published', published_at_us = $1, published_by = $2 WHERE code = $3 AND version = $4 AND status = 'draft'")
            .bind(now)
            .bind(actor)
            .bind(code.as_str())
            .bind(version)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE procedures SET published_version = $1 WHERE code = $2")
            .bind(version)
            .bind(code.as_str())
            .execute(&mut *tx)
            .await?;
        set_units(&mut tx, &p).await?;
        audit::append(
            &mut tx,
            AuditEntry {
                actor,
                action: "procedure.publish",
                target: code.as_str(),
                detail: serde_json::json!({"version": version}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The published version of a procedure.
    pub async fn procedure(&self, code: &ProcedureCode) -> Result<Published> {
        let row: Option<(i64, Option<i64>, String)> = sqlx::query_as(
            "SELECT v.version, v.published_at_us, v.record FROM procedures p JOIN procedure_versions v \
             ON v.code = p.code AND v.version = p.published_version WHERE p.code = $1",
        )
        .bind(code.as_str())
        .fetch_optional(self.pool())
        .await?;
        let (version, at, json) = row.ok_or(StoreError::NotFound)?;
        Ok(Published {
            version,
            published_at: crate::from_micros(at.unwrap_or_default()),
            procedure: parse_record(code.as_str(), &json)?,
        })
    }

    /// One version of a procedure, published or draft.
    pub async fn procedure_version(&self, code: &ProcedureCode, version: i64) -> Result<Procedure> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT record FROM procedure_versions WHERE code = $1 AND version = $2",
        )
        .bind(code.as_str())
        .bind(version)
        .fetch_optional(self.pool())
        .await?;
        parse_record(code.as_str(), &row.ok_or(StoreError::NotFound)?.0)
    }

    pub async fn procedure_versions(&self, code: &ProcedureCode) -> Result<Vec<VersionInfo>> {
        let rows: Vec<VersionRow> = sqlx::query_as(
            "SELECT version, status, created_at_us, created_by, published_at_us, published_by FROM procedure_versions WHERE code = $1 ORDER BY version",
        )
        .bind(code.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(version, status, c, cb, p, pb)| {
                Ok(VersionInfo {
                    version,
                    status: VersionStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("procedure {code}: status")))?,
                    created_at: crate::from_micros(c),
                    created_by: cb,
                    published_at: p.map(crate::from_micros),
                    published_by: pb,
                })
            })
            .collect()
    }

    /// Every published procedure, by code (bundle export).
    pub async fn published_procedures(&self) -> Result<Vec<Procedure>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT v.code, v.record FROM procedures p JOIN procedure_versions v \
             ON v.code = p.code AND v.version = p.published_version ORDER BY v.code",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|(c, j)| parse_record(c, j)).collect()
    }

    /// The fields (lĩnh vực) of the published catalogue, for filters.
    pub async fn procedure_fields(&self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT v.field, COUNT(*) FROM procedures p JOIN procedure_versions v \
             ON v.code = p.code AND v.version = p.published_version WHERE v.field IS NOT NULL \
             GROUP BY v.field ORDER BY v.field",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Searches the published catalogue. The database keeps only candidates containing every
    /// folded query word; `motcua_domain::search::score` orders them, so both backends give
    /// the same order. The cursor is the last item's (score, code): keyset over the ranking.
    pub async fn search_procedures(&self, sq: &SearchQuery) -> Result<SearchPage> {
        let terms =
            sq.q.as_deref()
                .map(motcua_domain::text::fold_terms)
                .unwrap_or_default();
        let mut sql = String::from(
            "SELECT v.code, v.version, v.published_at_us, v.name, v.search_text, v.record FROM procedures p \
             JOIN procedure_versions v ON v.code = p.code AND v.version = p.published_version WHERE 1 = 1",
        );
        let mut binds: Vec<String> = Vec::new();
        for t in &terms {
            binds.push(format!("%{t}%"));
            sql.push_str(&format!(" AND v.search_text LIKE ${}", binds.len()));
        }
        if let Some(u) = &sq.unit {
            binds.push(u.to_string());
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM procedure_units pu WHERE pu.code = v.code AND pu.unit = ${})",
                binds.len()
            ));
        }
        if let Some(f) = &sq.field {
            binds.push(f.clone());
            sql.push_str(&format!(" AND v.field = ${}", binds.len()));
        }
        if let Some(l) = sq.online_level {
            binds.push(l.as_str().to_owned());
            sql.push_str(&format!(" AND v.online_level = ${}", binds.len()));
        }
        let mut query =
            sqlx::query_as::<_, (String, i64, Option<i64>, String, String, String)>(&sql);
        for b in &binds {
            query = query.bind(b);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let q = sq.q.clone().unwrap_or_default();
        let mut ranked: Vec<(u32, String, i64, Option<i64>, String)> = rows
            .into_iter()
            .filter_map(|(code, version, at, name, st, json)| {
                motcua_domain::search::score(&q, &name, &code, &st)
                    .map(|s| (s, code, version, at, json))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let total = ranked.len();
        let after = sq.cursor.as_deref().and_then(decode_cursor);
        let start = match after {
            Some((s, c)) => ranked
                .iter()
                .position(|r| (r.0 < s) || (r.0 == s && r.1 > c))
                .unwrap_or(ranked.len()),
            None => 0,
        };
        let limit = sq.limit.clamp(1, 200);
        let page = &ranked[start..(start + limit).min(ranked.len())];
        let next_cursor = if start + limit < ranked.len() {
            page.last().map(|r| format!("{}:{}", r.0, r.1))
        } else {
            None
        };
        let items = page
            .iter()
            .map(|(_, code, version, at, json)| {
                Ok(Published {
                    version: *version,
                    published_at: crate::from_micros(at.unwrap_or_default()),
                    procedure: parse_record(code, json)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(SearchPage {
            items,
            next_cursor,
            total,
        })
    }
}

fn decode_cursor(c: &str) -> Option<(u32, String)> {
    let (s, code) = c.split_once(':')?;
    Some((s.parse().ok()?, code.to_owned()))
}
