//! Loading and dumping the catalogue part of a bundle (units and procedures).

use crate::{Result, Store, StoreError};
use motcua_domain::bundle::{UnitRecord, write_lines};
use motcua_domain::procedure::Procedure;
use motcua_domain::unit::UnitTree;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    pub units: usize,
    pub procedures_published: usize,
    pub procedures_unchanged: usize,
}

impl Store {
    /// Writes units and procedures in one transaction: all of it or nothing. The unit tree
    /// that results (stored units overlaid with the bundle's) must be a valid tree.
    pub async fn import_catalogue(
        &self,
        units: &[UnitRecord],
        procedures: &[Procedure],
        actor: Option<&str>,
    ) -> Result<ImportReport> {
        let mut tx = self.pool().begin().await?;
        let report = self
            .import_catalogue_in(&mut tx, units, procedures, actor)
            .await?;
        tx.commit().await?;
        self.cache.forget_units();
        Ok(report)
    }

    /// [`Store::import_catalogue`] inside the caller's transaction (a whole bundle).
    pub(crate) async fn import_catalogue_in(
        &self,
        tx: &mut sqlx::AnyConnection,
        units: &[UnitRecord],
        procedures: &[Procedure],
        actor: Option<&str>,
    ) -> Result<ImportReport> {
        let mut merged: BTreeMap<_, _> = self
            .units()
            .await?
            .into_iter()
            .map(|u| (u.code.clone(), u.unit()))
            .collect();
        for u in units {
            merged.insert(u.code.clone(), u.unit());
        }
        UnitTree::new(merged.into_values()).map_err(|e| StoreError::Invalid(e.to_string()))?;

        let mut report = ImportReport {
            units: crate::units::upsert(&mut *tx, units).await?,
            ..Default::default()
        };
        for p in procedures {
            if crate::procedures::import_one(&mut *tx, p, actor).await? {
                report.procedures_published += 1;
            } else {
                report.procedures_unchanged += 1;
            }
        }
        Ok(report)
    }

    /// `units.jsonl` and `procedures.jsonl` of the current catalogue, byte-stable.
    pub async fn export_catalogue(&self) -> Result<(String, String)> {
        let json_err = |e: serde_json::Error| StoreError::Invalid(e.to_string());
        let mut units = self.units().await?;
        let mut procedures = self.published_procedures().await?;
        let u = write_lines(&mut units, |u| u.code.clone()).map_err(json_err)?;
        let p = write_lines(&mut procedures, |p| p.code.clone()).map_err(json_err)?;
        Ok((u, p))
    }
}
