//! Account administration: listing the accounts of some units, giving and taking back
//! roles, locking an account. Who may do which is the domain's (`motcua_domain::admin`);
//! these only write, each change with its audit row in the same transaction.

use crate::accounts::Account;
use crate::audit::{self, AuditEntry};
use crate::{Result, Store, StoreError};
use motcua_domain::UnitCode;
use motcua_domain::access::{Grant, Role};
use std::collections::BTreeMap;

fn grant_of(role: &str, unit: &str, sub: i64) -> Result<Grant> {
    Ok(Grant {
        role: Role::parse(role).ok_or_else(|| StoreError::Corrupt(format!("grant role {role}")))?,
        unit: UnitCode::parse(unit)
            .map_err(|_| StoreError::Corrupt(format!("grant unit {unit}")))?,
        with_sub_units: sub != 0,
    })
}

impl Store {
    /// Accounts holding a role in any of `units` (in any unit when `None`) whose user name
    /// or display name contains `q`, by user name; at most `limit`. With `staff_only`, the
    /// applicant role does not count, so citizens' accounts stay out of the list.
    pub async fn accounts_in_units(
        &self,
        units: Option<&[UnitCode]>,
        q: Option<&str>,
        staff_only: bool,
        limit: usize,
    ) -> Result<Vec<Account>> {
        let mut sql = String::from(
            "SELECT a.id, a.username, a.display_name, a.locked FROM accounts a WHERE 1 = 1",
        );
        let mut binds: Vec<String> = Vec::new();
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            binds.push(format!("%{}%", q.to_lowercase()));
            let n = binds.len();
            sql.push_str(&format!(
                " AND (a.username LIKE ${n} OR LOWER(a.display_name) LIKE ${n})"
            ));
        }
        if units.is_some() || staff_only {
            sql.push_str(" AND EXISTS (SELECT 1 FROM grants g WHERE g.account_id = a.id");
            if let Some(units) = units {
                if units.is_empty() {
                    return Ok(Vec::new());
                }
                let mut marks = Vec::new();
                for u in units {
                    binds.push(u.to_string());
                    marks.push(format!("${}", binds.len()));
                }
                sql.push_str(&format!(" AND g.unit IN ({})", marks.join(", ")));
            }
            if staff_only {
                binds.push(Role::Applicant.as_str().to_owned());
                sql.push_str(&format!(" AND g.role <> ${}", binds.len()));
            }
            sql.push(')');
        }
        sql.push_str(&format!(
            " ORDER BY a.username LIMIT {}",
            limit.clamp(1, 1000)
        ));
        let mut query = sqlx::query_as::<_, (String, String, String, i64)>(&sql);
        for b in &binds {
            query = query.bind(b);
        }
        let rows = query.fetch_all(self.pool()).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // One query for every listed account's grants instead of one per account.
        let marks: Vec<String> = (1..=rows.len()).map(|i| format!("${i}")).collect();
        let gsql = format!(
            "SELECT account_id, role, unit, with_sub_units FROM grants WHERE account_id IN ({}) ORDER BY role, unit",
            marks.join(", ")
        );
        let mut gq = sqlx::query_as::<_, (String, String, String, i64)>(&gsql);
        for r in &rows {
            gq = gq.bind(&r.0);
        }
        let mut grants: BTreeMap<String, Vec<Grant>> = BTreeMap::new();
        for (id, role, unit, sub) in gq.fetch_all(self.pool()).await? {
            grants
                .entry(id)
                .or_default()
                .push(grant_of(&role, &unit, sub)?);
        }
        Ok(rows
            .into_iter()
            .map(|(id, username, display_name, locked)| Account {
                grants: grants.remove(&id).unwrap_or_default(),
                id,
                username,
                display_name,
                locked: locked != 0,
            })
            .collect())
    }

    /// Gives an account a role in a unit. Holding the same role in the same unit already
    /// (with or without sub-units) is a conflict: take it back first to change its reach.
    pub async fn add_grant(&self, account_id: &str, g: &Grant, actor: Option<&str>) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let held: Option<(i64,)> = sqlx::query_as(
            "SELECT with_sub_units FROM grants WHERE account_id = $1 AND role = $2 AND unit = $3",
        )
        .bind(account_id)
        .bind(g.role.as_str())
        .bind(g.unit.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if held.is_some() {
            return Err(StoreError::Conflict(format!(
                "{account_id} already holds {} in {}",
                g.role.as_str(),
                g.unit
            )));
        }
        sqlx::query(
            "INSERT INTO grants (account_id, role, unit, with_sub_units) VALUES ($1, $2, $3, $4)",
        )
        .bind(account_id)
        .bind(g.role.as_str())
        .bind(g.unit.as_str())
        .bind(i64::from(g.with_sub_units))
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            AuditEntry {
                actor,
                action: "account.grant",
                target: account_id,
                detail: serde_json::json!({"grant": g}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes back a role held in a unit.
    pub async fn remove_grant(
        &self,
        account_id: &str,
        g: &Grant,
        actor: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let n = sqlx::query(
            "DELETE FROM grants WHERE account_id = $1 AND role = $2 AND unit = $3 AND with_sub_units = $4",
        )
        .bind(account_id)
        .bind(g.role.as_str())
        .bind(g.unit.as_str())
        .bind(i64::from(g.with_sub_units))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit::append(
            &mut tx,
            AuditEntry {
                actor,
                action: "account.revoke",
                target: account_id,
                detail: serde_json::json!({"grant": g}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Locks an account (ending its sessions and API tokens with it) or unlocks it.
    pub async fn set_account_locked(
        &self,
        account_id: &str,
        locked: bool,
        actor: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let n = sqlx::query("UPDATE accounts SET locked = $1 WHERE id = $2")
            .bind(i64::from(locked))
            .bind(account_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let mut ended = 0;
        if locked {
            let now = crate::to_micros(chrono::Utc::now());
            ended = sqlx::query(
                "UPDATE sessions SET revoked = $1 WHERE account_id = $2 AND revoked = $3",
            )
            .bind(1_i64)
            .bind(account_id)
            .bind(0_i64)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query("UPDATE api_tokens SET revoked_at_us = $1 WHERE account_id = $2 AND revoked_at_us IS NULL")
                .bind(now)
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        }
        audit::append(
            &mut tx,
            AuditEntry {
                actor,
                action: if locked {
                    "account.lock"
                } else {
                    "account.unlock"
                },
                target: account_id,
                detail: serde_json::json!({"sessions_ended": ended}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
