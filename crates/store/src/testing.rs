//! Fresh databases for tests. `MOTCUA_TEST_DATABASE_URL` picks the backend: unset or
//! `sqlite:` gives each test its own SQLite file; `postgres://…` gives each test its own
//! schema in that database, so tests run in parallel on both backends.

use crate::{Backend, Result, Store};

/// A migrated store for one test. Keep it alive for the test's duration.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    pub pg_schema: Option<String>,
    _dir: Option<tempfile_dir::Dir>,
}

/// Which backend the test run targets.
pub fn test_backend() -> Backend {
    match std::env::var("MOTCUA_TEST_DATABASE_URL") {
        Ok(u) if u.starts_with("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

impl TestDb {
    /// A URL another process (the `motcua` binary) can open to reach this same database.
    pub fn url_for_process(&self) -> String {
        match &self.pg_schema {
            Some(schema) => {
                let sep = if self.url.contains('?') { '&' } else { '?' };
                format!("{}{sep}options=-c%20search_path%3D{schema}", self.url)
            }
            None => self.url.clone(),
        }
    }

    pub async fn new() -> Result<Self> {
        let url = std::env::var("MOTCUA_TEST_DATABASE_URL").unwrap_or_default();
        if url.starts_with("postgres") {
            let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
            let admin = Store::connect(&url).await?;
            // The extension lives in `public`, shared by every test schema; a concurrent
            // test may create it first, so a failure here is retried once and then ignored
            // (the migration reports any real problem).
            for _ in 0..2 {
                if sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
                    .execute(admin.pool())
                    .await
                    .is_ok()
                {
                    break;
                }
            }
            sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
                .execute(admin.pool())
                .await?;
            admin.close().await;
            let store = Store::connect_with(&url, Some(schema.clone())).await?;
            store.migrate().await?;
            Ok(Self {
                store,
                url,
                pg_schema: Some(schema),
                _dir: None,
            })
        } else {
            let dir = tempfile_dir::Dir::new()?;
            let url = format!("sqlite:{}/test.db", dir.path());
            let store = Store::connect(&url).await?;
            store.migrate().await?;
            Ok(Self {
                store,
                url,
                pg_schema: None,
                _dir: Some(dir),
            })
        }
    }
}

impl TestDb {
    /// Loads the demo catalogue of Huế shipped under `demo/hue/` (units and procedures),
    /// which most tests start from.
    pub async fn import_demo_catalogue(&self) -> Result<()> {
        use motcua_domain::bundle::{parse_procedures, parse_units};
        let units = parse_units("units.jsonl", include_str!("../../../demo/hue/units.jsonl"));
        let procedures = parse_procedures(
            "procedures.jsonl",
            include_str!("../../../demo/hue/procedures.jsonl"),
        );
        if let Some(e) = units.errors.first().or(procedures.errors.first()) {
            return Err(crate::StoreError::Invalid(e.to_string()));
        }
        let units: Vec<_> = units.records.into_iter().map(|r| r.1).collect();
        let procedures: Vec<_> = procedures.records.into_iter().map(|r| r.1).collect();
        self.store
            .import_catalogue(&units, &procedures, None)
            .await?;
        Ok(())
    }
}

/// A temporary folder removed on drop, without pulling a test-only crate into the build.
mod tempfile_dir {
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new() -> std::io::Result<Self> {
            let p = std::env::temp_dir().join(format!("motcua-test-{}", uuid::Uuid::now_v7()));
            std::fs::create_dir_all(&p)?;
            Ok(Self(p))
        }
        pub fn path(&self) -> String {
            self.0.display().to_string()
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
