//! What the national portal has acknowledged of each dossier: whether the dossier exists
//! there, the version of the record it last took, and the progress rows (one per event) it
//! took, so that a retry sends each row once and an officer sees what the portal knows.

use crate::{Result, Store, from_micros, to_micros};
use chrono::{DateTime, Utc};

/// The sync state of one dossier.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PortalSyncState {
    pub dossier_id: String,
    /// The `MaHoSo` the portal knows the dossier by.
    pub ma_ho_so: String,
    /// The portal took the dossier's record at least once.
    pub on_portal: bool,
    /// The dossier version whose record the portal last acknowledged.
    pub record_version: i64,
    /// The version of the last event whose progress row the portal acknowledged.
    pub progress_version: i64,
    /// `TrangThaiHoSo` of the last acknowledged record.
    pub status: Option<u8>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// The portal refused the record (a field it does not take): its message, for an
    /// officer; cleared by the next acknowledgement.
    pub refused: Option<String>,
    pub refused_at: Option<DateTime<Utc>>,
}

impl PortalSyncState {
    /// A dossier the portal has not heard of yet.
    pub fn new(dossier_id: &str, ma_ho_so: &str) -> Self {
        Self {
            dossier_id: dossier_id.to_owned(),
            ma_ho_so: ma_ho_so.to_owned(),
            on_portal: false,
            record_version: 0,
            progress_version: 0,
            status: None,
            acknowledged_at: None,
            refused: None,
            refused_at: None,
        }
    }
}

/// How many dossiers stand where, for operators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PortalSyncCounts {
    pub on_portal: i64,
    pub refused: i64,
}

type Row = (
    String,
    String,
    i64,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

const COLUMNS: &str = "dossier_id, ma_ho_so, on_portal, record_version, progress_version, status, acknowledged_at_us, refused, refused_at_us";

fn state(r: Row) -> PortalSyncState {
    PortalSyncState {
        dossier_id: r.0,
        ma_ho_so: r.1,
        on_portal: r.2 != 0,
        record_version: r.3,
        progress_version: r.4,
        status: r.5.and_then(|s| u8::try_from(s).ok()),
        acknowledged_at: r.6.map(from_micros),
        refused: r.7,
        refused_at: r.8.map(from_micros),
    }
}

impl Store {
    pub async fn portal_sync(&self, dossier_id: &str) -> Result<Option<PortalSyncState>> {
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM national_portal_sync WHERE dossier_id = $1"
        ))
        .bind(dossier_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(state))
    }

    /// Records a dossier's state as a whole (one writer per dossier: the outbox hands a
    /// dossier's messages to one delivery at a time).
    pub async fn save_portal_sync(&self, s: &PortalSyncState) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO national_portal_sync ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (dossier_id) DO UPDATE SET ma_ho_so = excluded.ma_ho_so, on_portal = excluded.on_portal, \
             record_version = excluded.record_version, progress_version = excluded.progress_version, \
             status = excluded.status, acknowledged_at_us = excluded.acknowledged_at_us, \
             refused = excluded.refused, refused_at_us = excluded.refused_at_us"
        ))
        .bind(&s.dossier_id)
        .bind(&s.ma_ho_so)
        .bind(i64::from(s.on_portal))
        .bind(s.record_version)
        .bind(s.progress_version)
        .bind(s.status.map(i64::from))
        .bind(s.acknowledged_at.map(to_micros))
        .bind(s.refused.as_deref())
        .bind(s.refused_at.map(to_micros))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Dossiers whose record the portal refused, most recent first.
    pub async fn portal_sync_refused(&self, limit: usize) -> Result<Vec<PortalSyncState>> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM national_portal_sync WHERE refused IS NOT NULL \
             ORDER BY refused_at_us DESC, dossier_id LIMIT $1"
        ))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(state).collect())
    }

    pub async fn portal_sync_counts(&self) -> Result<PortalSyncCounts> {
        // COUNT, not SUM: PostgreSQL sums BIGINT into NUMERIC.
        let (on_portal, refused): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(CASE WHEN on_portal = 1 THEN 1 END), COUNT(refused) FROM national_portal_sync",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(PortalSyncCounts { on_portal, refused })
    }
}
