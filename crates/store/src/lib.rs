//! Persistence for motcua: one code path over SQLite (the embedded default) and PostgreSQL
//! (production), through sqlx's `Any` driver.
//!
//! Portable column types keep the two backends equal: ids and codes are `TEXT`, instants are
//! `BIGINT` microseconds since the Unix epoch in UTC (exact, sortable, no time-zone
//! ambiguity; shown as +07:00 at the edge), flags are `BIGINT` 0/1 (the `Any` driver cannot
//! decode SQLite booleans), JSON documents are `TEXT`, money is `BIGINT` đồng. Statements use `$1, $2, …` placeholders in ascending order, which both drivers
//! read the same way. Every write is one transaction.

pub mod accounts;
pub mod admin_accounts;
pub mod admin_catalogue;
pub mod admin_eforms;
pub mod assistance;
pub mod audit;
mod cache;
mod calendar_rows;
mod catalogue_io;
pub mod dossier_import;
pub mod dossiers;
pub mod files;
mod migrations;
pub mod monitor;
pub mod national_portal;
pub mod outbox;
mod passwords;
pub mod procedures;
pub mod snapshots;
pub mod testing;
pub mod throttle;
pub mod units;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::sync::Arc;
use std::time::Duration;

pub use catalogue_io::ImportReport;
pub use migrations::MIGRATIONS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Errors of the storage layer. `Database` carries the driver's text for logs only; the web
/// layer maps every variant to a stable code and never shows that text to a user.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("unsupported database URL (use sqlite:… or postgres://…)")]
    UnsupportedUrl,
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("cannot create the database folder: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The handle every other crate uses. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    cache: Arc<cache::Cache>,
}

/// Microseconds since the Unix epoch, UTC: the stored form of every instant.
pub fn to_micros(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_micros()
}

pub fn from_micros(us: i64) -> chrono::DateTime<chrono::Utc> {
    // Every stored value came from `to_micros`, which stays inside chrono's range.
    chrono::DateTime::from_timestamp_micros(us).unwrap_or_default()
}

impl Store {
    /// Opens a pool. For SQLite the file's folder is created and WAL is switched on.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, None).await
    }

    /// As [`Store::connect`], with every connection confined to one PostgreSQL schema
    /// (used to give each test its own database).
    pub async fn connect_with(url: &str, pg_schema: Option<String>) -> Result<Self> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        // SQLite has one writer: a small pool keeps writers from queueing on the file lock.
        let max = match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            // No ping before each use: it is a round trip per statement outside a
            // transaction (a dossier action makes several). A connection that broke while
            // idle fails one statement and is then dropped; idle ones are closed after 10
            // minutes and every one after 30 (sqlx's defaults) anyway.
            .test_before_acquire(false)
            .after_connect(move |conn, _| {
                let schema = pg_schema.clone();
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA busy_timeout = 5000").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                        }
                        Backend::Postgres => {
                            if let Some(s) = schema {
                                conn.execute(format!("SET search_path TO \"{s}\"").as_str())
                                    .await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        Ok(Self {
            pool,
            backend,
            cache: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Refreshes the planner's statistics. Call after writing many rows at once (a bundle
    /// import): with none, PostgreSQL may plan the start-up read of a million dossiers as
    /// whole-table scans until autovacuum catches up.
    pub async fn analyze(&self) -> Result<()> {
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    /// Is the database reachable?
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `sqlite:data/motcua.db` → create `data/`, open read-write-create.
fn prepare_sqlite_url(url: &str) -> Result<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:"
        && !path.is_empty()
        && let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let mut q: Vec<&str> = query.split('&').filter(|s| !s.is_empty()).collect();
    if !q.iter().any(|p| p.starts_with("mode=")) {
        q.push("mode=rwc");
    }
    Ok(format!("sqlite://{path}?{}", q.join("&")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls() {
        assert_eq!(
            prepare_sqlite_url("sqlite::memory:").unwrap_or_default(),
            "sqlite://:memory:?mode=rwc"
        );
        assert_eq!(
            prepare_sqlite_url("sqlite:target/tmp-url-test/x.db?mode=ro").unwrap_or_default(),
            "sqlite://target/tmp-url-test/x.db?mode=ro"
        );
    }

    #[test]
    fn micros_round_trip() {
        let t = chrono::DateTime::from_timestamp_micros(1_736_212_500_123_456).unwrap_or_default();
        assert_eq!(from_micros(to_micros(t)), t);
    }
}
