//! The working calendar's rows (official days off and working weekend days). The shipped
//! rows are imported once; administrators add next year's official schedule here without
//! a release. Rows are validated by the calendar crate before they are stored.

use crate::audit::{self, AuditEntry};
use crate::{Result, Store, StoreError, to_micros};
use motcua_calendar::DayRow;

impl Store {
    /// Every stored row, by date.
    pub async fn calendar_rows(&self) -> Result<Vec<DayRow>> {
        let rows: Vec<(String, i64, String, String)> =
            sqlx::query_as("SELECT day, working, reason, source FROM calendar_days ORDER BY day")
                .fetch_all(self.pool())
                .await?;
        rows.into_iter()
            .map(|(day, working, reason, source)| {
                Ok(DayRow {
                    date: day
                        .parse()
                        .map_err(|_| StoreError::Corrupt(format!("calendar day {day}")))?,
                    working: working != 0,
                    reason,
                    source,
                })
            })
            .collect()
    }

    /// Inserts or replaces rows in one transaction. A row needs a reason and a source.
    pub async fn put_calendar_rows(&self, rows: &[DayRow], actor: Option<&str>) -> Result<usize> {
        for r in rows {
            if r.reason.trim().is_empty() || r.source.trim().is_empty() {
                return Err(StoreError::Invalid(format!(
                    "{}: reason and source are required",
                    r.date
                )));
            }
        }
        let mut tx = self.pool().begin().await?;
        let now = to_micros(chrono::Utc::now());
        for r in rows {
            sqlx::query(
                "INSERT INTO calendar_days (day, working, reason, source, updated_at_us) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (day) DO UPDATE SET working = excluded.working, reason = excluded.reason, source = excluded.source, updated_at_us = excluded.updated_at_us",
            )
            .bind(r.date.to_string())
            .bind(i64::from(r.working))
            .bind(&r.reason)
            .bind(&r.source)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut tx,
            AuditEntry {
                actor,
                action: "calendar.put_rows",
                target: "calendar",
                detail: serde_json::json!({
                    "rows": rows.len(),
                    "dates": rows.iter().map(|r| r.date.to_string()).collect::<Vec<_>>(),
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(rows.len())
    }

    /// Removes the stored row of one date. A shipped row for the same date applies again.
    pub async fn delete_calendar_row(
        &self,
        date: chrono::NaiveDate,
        actor: Option<&str>,
    ) -> Result<DayRow> {
        let mut tx = self.pool().begin().await?;
        let row: Option<(i64, String, String)> =
            sqlx::query_as("SELECT working, reason, source FROM calendar_days WHERE day = $1")
                .bind(date.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let (working, reason, source) = row.ok_or(StoreError::NotFound)?;
        sqlx::query("DELETE FROM calendar_days WHERE day = $1")
            .bind(date.to_string())
            .execute(&mut *tx)
            .await?;
        let removed = DayRow {
            date,
            working: working != 0,
            reason,
            source,
        };
        audit::append(
            &mut tx,
            AuditEntry {
                actor,
                action: "calendar.delete_row",
                target: "calendar",
                detail: serde_json::json!({"row": removed}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// Imports the shipped official rows into an empty calendar table (first start).
    pub async fn seed_calendar(&self) -> Result<usize> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM calendar_days")
            .fetch_one(self.pool())
            .await?;
        if n > 0 {
            return Ok(0);
        }
        self.put_calendar_rows(&motcua_calendar::shipped_rows(), Some("seed"))
            .await
    }

    /// The calendar in force: the stored rows (which win) over the shipped ones.
    pub async fn calendar(&self) -> Result<motcua_calendar::Calendar> {
        let mut rows: std::collections::BTreeMap<_, DayRow> = motcua_calendar::shipped_rows()
            .into_iter()
            .map(|r| (r.date, r))
            .collect();
        for r in self.calendar_rows().await? {
            rows.insert(r.date, r);
        }
        motcua_calendar::Calendar::new(
            rows.into_values().collect(),
            motcua_calendar::WorkingWindows::default(),
        )
        .map_err(|e| StoreError::Corrupt(format!("calendar rows: {e}")))
    }
}
