//! The live 766 index: the index crate's incremental engine, fed every committed dossier
//! change, answering `GET /api/v1/index` without scanning dossiers.
//!
//! The engine takes whole bundle lines (`dossiers.jsonl`), the same facts the offline
//! `motcua index compute` reads, so the live and offline figures are one computation. It
//! is rebuilt from the store at start-up and whenever the catalogue changes.

use motcua_calendar::Calendar;
use motcua_domain::dossier::export::BundleDossier;
use motcua_index::catalogue::Catalogue;
use motcua_index::compute::Period;
use motcua_index::definition::Definition;
use motcua_index::incremental::{DossierFact, Engine};
use motcua_index::output::Output;
use motcua_index::records::{Deadlines, parse_dossier_line};
use motcua_store::{Store, StoreError};
use std::sync::RwLock;

mod watch;

pub struct LiveIndex {
    calendar: Calendar,
    definition: Definition,
    engine: RwLock<Option<Engine>>,
    /// The dossiers that may raise a warning (see `watch`).
    watch: RwLock<motcua_index::watch::Watchlist>,
}

impl LiveIndex {
    pub fn new(calendar: Calendar) -> Self {
        Self {
            calendar,
            definition: Definition::default_766(),
            engine: RwLock::new(None),
            watch: RwLock::default(),
        }
    }

    /// Builds the engine from the catalogue and every dossier in the store.
    pub async fn rebuild(&self, store: &Store) -> Result<(), StoreError> {
        let (units, procedures) = store.export_catalogue().await?;
        let dossiers = store.export_dossiers().await?;
        let cat = Catalogue::parse(&units, &procedures).map_err(|errors| {
            StoreError::Corrupt(format!(
                "catalogue for the index: {}",
                errors.first().map(ToString::to_string).unwrap_or_default()
            ))
        })?;
        let mut engine = Engine::new(cat);
        let mut watch = motcua_index::watch::Watchlist::default();
        let dl = Deadlines::new(&self.calendar);
        for line in dossiers.lines() {
            let (code, dossier) = parse_dossier_line(line, engine.catalogue(), &dl)
                .map_err(|e| StoreError::Corrupt(format!("dossier for the index: {e}")))?;
            let code = code.into_owned();
            watch.observe(&code, &dossier, watch::apology_in_line(line));
            engine
                .apply(DossierFact::Record { code, dossier })
                .map_err(|e| StoreError::Corrupt(format!("dossier for the index: {e}")))?;
        }
        *self.engine.write().unwrap_or_else(|p| p.into_inner()) = Some(engine);
        *self.watch.write().unwrap_or_else(|p| p.into_inner()) = watch;
        Ok(())
    }

    /// Feeds the current line of a dossier that just changed.
    pub fn observe(&self, line: &BundleDossier) {
        let Ok(text) = serde_json::to_string(line) else {
            return;
        };
        let mut guard = self.engine.write().unwrap_or_else(|p| p.into_inner());
        let Some(engine) = guard.as_mut() else { return };
        let dl = Deadlines::new(&self.calendar);
        match parse_dossier_line(&text, engine.catalogue(), &dl) {
            Ok((code, dossier)) => {
                let code = code.into_owned();
                self.watch
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .observe(&code, &dossier, watch::apology_in(line));
                if let Err(e) = engine.apply(DossierFact::Record { code, dossier }) {
                    tracing::warn!(error = %e, "index engine refused a dossier");
                }
            }
            Err(e) => tracing::warn!(error = %e, "index engine could not read a dossier"),
        }
    }

    /// The spec's output for a period, for every unit or one unit's scope. `None` until
    /// the engine is built; `Err` for an unknown unit.
    pub fn output(&self, period: Period, unit: Option<&str>) -> Option<Result<Output, ()>> {
        let guard = self.engine.read().unwrap_or_else(|p| p.into_inner());
        let engine = guard.as_ref()?;
        let only = match unit {
            None => None,
            Some(code) => match engine.catalogue().unit_id(code) {
                Some(u) => Some(u),
                None => return Some(Err(())),
            },
        };
        Some(Ok(engine.output(
            &self.calendar,
            &self.definition,
            period,
            only,
        )))
    }
}
