//! Schema migrations: one history for both backends. A migration is portable SQL, plus a
//! clearly marked part for one backend where the dialects differ. Each runs in its own
//! transaction with its row in `schema_migrations`, so a failed one leaves nothing behind.

use crate::{Backend, Result, Store};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub portable: &'static str,
    pub sqlite_only: &'static str,
    pub postgres_only: &'static str,
}

pub static MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "units, catalogue, accounts, sessions, tokens, calendar, audit",
        portable: r#"
CREATE TABLE units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent TEXT,
    e_certified_copy BIGINT NOT NULL CHECK (e_certified_copy IN (0, 1)),
    successor TEXT,
    extra TEXT NOT NULL,
    search_text TEXT NOT NULL,
    updated_at_us BIGINT NOT NULL
);
CREATE INDEX units_parent ON units (parent);
CREATE TABLE unit_history (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    change TEXT NOT NULL,
    old_name TEXT,
    new_name TEXT,
    successor TEXT,
    search_text TEXT NOT NULL,
    at_us BIGINT NOT NULL,
    actor TEXT
);
CREATE INDEX unit_history_code ON unit_history (code);
CREATE TABLE procedures (
    code TEXT PRIMARY KEY,
    latest_version BIGINT NOT NULL,
    published_version BIGINT
);
CREATE TABLE procedure_versions (
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    name TEXT NOT NULL,
    field TEXT,
    online_level TEXT,
    search_text TEXT NOT NULL,
    record TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    created_by TEXT,
    published_at_us BIGINT,
    published_by TEXT,
    PRIMARY KEY (code, version)
);
CREATE TABLE procedure_units (
    code TEXT NOT NULL,
    unit TEXT NOT NULL,
    PRIMARY KEY (code, unit)
);
CREATE INDEX procedure_units_unit ON procedure_units (unit);
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    locked BIGINT NOT NULL CHECK (locked IN (0, 1)),
    created_at_us BIGINT NOT NULL
);
CREATE TABLE grants (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    role TEXT NOT NULL,
    unit TEXT NOT NULL,
    with_sub_units BIGINT NOT NULL CHECK (with_sub_units IN (0, 1)),
    PRIMARY KEY (account_id, role, unit)
);
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    csrf_token TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    expires_at_us BIGINT NOT NULL,
    revoked BIGINT NOT NULL CHECK (revoked IN (0, 1))
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at_us BIGINT NOT NULL,
    expires_at_us BIGINT,
    revoked_at_us BIGINT
);
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    working BIGINT NOT NULL CHECK (working IN (0, 1)),
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_at_us BIGINT NOT NULL
);
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at_us BIGINT NOT NULL,
    actor TEXT,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target, at_us);
"#,
        sqlite_only: "",
        // PostgreSQL-only: trigram indexes make the diacritic-free LIKE search index-assisted.
        postgres_only: r#"
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX procedure_versions_search ON procedure_versions USING gin (search_text public.gin_trgm_ops);
"#,
    },
    Migration {
        version: 2,
        name: "dossiers, event log, outbox, documents, processes, code sequences",
        portable: r#"
CREATE TABLE processes (
    procedure TEXT NOT NULL,
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    published_at_us BIGINT,
    PRIMARY KEY (procedure, version)
);
CREATE TABLE dossiers (
    id TEXT PRIMARY KEY,
    code TEXT UNIQUE,
    procedure TEXT NOT NULL,
    unit TEXT NOT NULL,
    desk TEXT,
    applicant TEXT NOT NULL,
    parent TEXT,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    channel TEXT,
    created_at_us BIGINT NOT NULL,
    received_at_us BIGINT,
    due_at_us BIGINT,
    current_due_at_us BIGINT,
    finished_at_us BIGINT,
    sort_at_us BIGINT NOT NULL,
    state TEXT NOT NULL,
    form_data TEXT NOT NULL,
    lookup_secret_hash TEXT,
    idempotency_key TEXT,
    UNIQUE (applicant, idempotency_key)
);
CREATE INDEX dossiers_unit_status ON dossiers (unit, status, sort_at_us, id);
CREATE INDEX dossiers_desk_status ON dossiers (desk, status);
CREATE INDEX dossiers_applicant ON dossiers (applicant, created_at_us);
CREATE INDEX dossiers_parent ON dossiers (parent);
CREATE TABLE dossier_events (
    dossier TEXT NOT NULL,
    version BIGINT NOT NULL,
    at_us BIGINT NOT NULL,
    account TEXT NOT NULL,
    role TEXT NOT NULL,
    unit TEXT,
    kind TEXT NOT NULL,
    change TEXT NOT NULL,
    PRIMARY KEY (dossier, version)
);
CREATE INDEX dossier_events_at ON dossier_events (at_us);
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    dedup_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at_us BIGINT NOT NULL,
    delivered_at_us BIGINT
);
CREATE INDEX outbox_pending ON outbox (delivered_at_us, next_attempt_at_us);
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    dossier TEXT NOT NULL,
    form TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at_us BIGINT NOT NULL
);
CREATE INDEX documents_dossier ON documents (dossier, created_at_us);
CREATE TABLE code_sequences (
    unit TEXT NOT NULL,
    day TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (unit, day)
)
"#,
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 3,
        name: "files: content-addressed blobs linked to dossier components and results",
        portable: r#"
CREATE TABLE files (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL CHECK (size > 0),
    media_type TEXT NOT NULL,
    name TEXT NOT NULL,
    dossier TEXT NOT NULL REFERENCES dossiers (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('component', 'result')),
    component TEXT,
    uploaded_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL
);
CREATE INDEX files_dossier ON files (dossier, created_at_us, id);
CREATE INDEX files_sha256 ON files (sha256)
"#,
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 4,
        name: "e-form definitions, versioned per procedure",
        portable: r#"
CREATE TABLE eforms (
    procedure TEXT NOT NULL,
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    definition TEXT NOT NULL,
    procedure_version BIGINT,
    created_at_us BIGINT NOT NULL,
    created_by TEXT,
    published_at_us BIGINT,
    published_by TEXT,
    PRIMARY KEY (procedure, version)
)
"#,
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 5,
        name: "outbox leases and errors, dossier change sequence, index engine snapshots",
        portable: r#"
ALTER TABLE outbox ADD COLUMN lease_token TEXT;
ALTER TABLE outbox ADD COLUMN lease_until_us BIGINT;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
CREATE INDEX outbox_topic ON outbox (topic, delivered_at_us);
ALTER TABLE dossiers ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX dossiers_change_seq ON dossiers (change_seq);
CREATE TABLE change_counter (
    id BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);
INSERT INTO change_counter (id, last) VALUES (1, 0)
"#,
        // The image is bytes: BLOB on SQLite, BYTEA on PostgreSQL.
        sqlite_only: r#"
CREATE TABLE snapshots (
    name TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    covers_seq BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    body BLOB NOT NULL
)
"#,
        postgres_only: r#"
CREATE TABLE snapshots (
    name TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    covers_seq BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    body BYTEA NOT NULL
)
"#,
    },
    Migration {
        version: 6,
        name: "change numbers from a sequence on PostgreSQL (commits no longer queue on one row)",
        portable: "",
        sqlite_only: "",
        // The counter row stays, unused, so that a downgrade still finds it.
        postgres_only: r#"
CREATE SEQUENCE change_seq;
SELECT setval('change_seq', GREATEST(last, 1), last > 0) FROM change_counter WHERE id = 1
"#,
    },
    Migration {
        version: 7,
        name: "login attempts counted in the database, API token scopes",
        // One row per throttled key ("address|user name", "address"): a fixed window and
        // the attempts in it, bumped by one atomic upsert before a password is checked, so
        // parallel guesses and several server processes share one count.
        portable: r#"
CREATE TABLE login_attempts (
    key TEXT PRIMARY KEY,
    window_start_us BIGINT NOT NULL,
    attempts BIGINT NOT NULL
);
CREATE INDEX login_attempts_window ON login_attempts (window_start_us);
ALTER TABLE api_tokens ADD COLUMN scope TEXT
"#,
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 8,
        name: "the fingerprint of the request an idempotency key was first used with",
        portable: "ALTER TABLE dossiers ADD COLUMN idempotency_fingerprint TEXT",
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 9,
        name: "applicants' consent codes for filing on their behalf",
        // Only the SHA-256 of a code is kept, like sessions and tokens.
        portable: r#"
CREATE TABLE assistance_codes (
    code_hash TEXT PRIMARY KEY,
    applicant TEXT NOT NULL REFERENCES accounts (id),
    created_at_us BIGINT NOT NULL,
    expires_at_us BIGINT NOT NULL
);
CREATE INDEX assistance_codes_applicant ON assistance_codes (applicant, expires_at_us)
"#,
        sqlite_only: "",
        postgres_only: "",
    },
    Migration {
        version: 10,
        name: "outbox dead letters, and the dossier of each row for delivery in order",
        // A dead row stays in the table (its payload is what a replay sends); the dossier
        // of rows written before is the first part of their dedup key (`dossier:version:kind`).
        portable: r#"
ALTER TABLE outbox ADD COLUMN dossier TEXT;
ALTER TABLE outbox ADD COLUMN dead_at_us BIGINT;
CREATE INDEX outbox_dossier ON outbox (dossier, topic, delivered_at_us);
CREATE INDEX outbox_dead ON outbox (dead_at_us)
"#,
        sqlite_only: r#"
UPDATE outbox SET dossier = substr(dedup_key, 1, instr(dedup_key, ':') - 1)
WHERE topic IN ('national_portal.sync', 'notify.applicant', 'inter_agency.handover') AND instr(dedup_key, ':') > 1
"#,
        postgres_only: r#"
UPDATE outbox SET dossier = split_part(dedup_key, ':', 1)
WHERE topic IN ('national_portal.sync', 'notify.applicant', 'inter_agency.handover') AND strpos(dedup_key, ':') > 1
"#,
    },
    Migration {
        version: 11,
        name: "national portal sync state per dossier and per progress row",
        // A progress row is one event of the dossier: `progress_version` is the version of
        // the last event whose row the portal acknowledged, so each row is sent once.
        portable: r#"
CREATE TABLE national_portal_sync (
    dossier_id TEXT PRIMARY KEY,
    ma_ho_so TEXT NOT NULL,
    on_portal BIGINT NOT NULL CHECK (on_portal IN (0, 1)),
    record_version BIGINT NOT NULL,
    progress_version BIGINT NOT NULL,
    status BIGINT,
    acknowledged_at_us BIGINT,
    refused TEXT,
    refused_at_us BIGINT
);
CREATE INDEX national_portal_sync_refused ON national_portal_sync (refused_at_us)
"#,
        sqlite_only: "",
        postgres_only: "",
    },
];

fn statements(sql: &str) -> impl Iterator<Item = &str> {
    sql.split(';').map(str::trim).filter(|s| !s.is_empty())
}

impl Store {
    async fn ensure_migrations_table(&self) -> Result<()> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at_us BIGINT NOT NULL)",
        )
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn applied_versions(&self) -> Result<Vec<i64>> {
        self.ensure_migrations_table().await?;
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT version FROM schema_migrations ORDER BY version")
                .fetch_all(self.pool())
                .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// How many known migrations are not applied yet (0 = schema current).
    pub async fn pending_migrations(&self) -> Result<usize> {
        let applied = self.applied_versions().await?;
        Ok(MIGRATIONS
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .count())
    }

    /// Applies every pending migration, each in its own transaction. Returns how many ran.
    pub async fn migrate(&self) -> Result<usize> {
        let applied = self.applied_versions().await?;
        let mut ran = 0;
        for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
            let mut tx = self.pool().begin().await?;
            let specific = match self.backend() {
                Backend::Sqlite => m.sqlite_only,
                Backend::Postgres => m.postgres_only,
            };
            for stmt in statements(m.portable).chain(statements(specific)) {
                sqlx::query(stmt).execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at_us) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(crate::to_micros(chrono::Utc::now()))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            tracing::info!(version = m.version, name = m.name, "migration applied");
            ran += 1;
        }
        Ok(ran)
    }
}
