//! The live 766 index: the index crate's incremental engine, fed every committed dossier
//! change, answering `GET /api/v1/index` without scanning dossiers.
//!
//! The engine takes whole bundle lines (`dossiers.jsonl`), the same facts the offline
//! `motcua index compute` reads, so the live and offline figures are one computation. It
//! is rebuilt from the store at start-up and whenever the catalogue changes; an image of
//! its facts saved in the store makes the start-up read only what changed since.

use motcua_calendar::Calendar;
use motcua_domain::dossier::export::BundleDossier;
use motcua_index::catalogue::Catalogue;
use motcua_index::compute::Period;
use motcua_index::definition::Definition;
use motcua_index::incremental::{DossierFact, Engine};
use motcua_index::output::Output;
use motcua_index::records::{Deadlines, parse_dossier_line};
use motcua_index::snapshot;
use motcua_store::{Store, StoreError};
use std::sync::RwLock;

mod watch;

/// The name of the engine's image in the store.
const SNAPSHOT: &str = "live_index";

pub struct LiveIndex {
    calendar: Calendar,
    definition: Definition,
    engine: RwLock<Option<Engine>>,
    /// The dossiers that may raise a warning (see `watch`).
    watch: RwLock<motcua_index::watch::Watchlist>,
    built: RwLock<Option<Built>>,
}

/// How the engine was last built (logs, tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Built {
    /// Started from the saved image rather than from every dossier.
    pub from_image: bool,
    /// Dossier lines read from the store (all, or those changed since the image).
    pub replayed: usize,
    pub dossiers: usize,
    /// The change number the build covers (and its image, once saved).
    pub covers_seq: i64,
}

impl LiveIndex {
    pub fn new(calendar: Calendar) -> Self {
        Self {
            calendar,
            definition: Definition::default_766(),
            engine: RwLock::new(None),
            watch: RwLock::default(),
            built: RwLock::new(None),
        }
    }

    /// Builds the engine from the catalogue and the dossiers in the store: from the saved
    /// image plus the dossiers changed since, when an image of this catalogue, calendar
    /// and definition exists, else from every dossier. Then saves a fresh image.
    pub async fn rebuild(&self, store: &Store) -> Result<(), StoreError> {
        let started = std::time::Instant::now();
        let (units, procedures) = store.export_catalogue().await?;
        let cat = Catalogue::parse(&units, &procedures).map_err(|errors| {
            StoreError::Corrupt(format!(
                "catalogue for the index: {}",
                errors.first().map(ToString::to_string).unwrap_or_default()
            ))
        })?;
        let fingerprint = self.fingerprint(store, &units, &procedures).await?;
        // Read before the dossiers: every change up to it is in what follows.
        let covers = store.change_seq().await?;
        let (mut engine, after) = match store.snapshot(SNAPSHOT).await? {
            Some(s) if s.fingerprint == fingerprint => match snapshot::decode(&s.body, cat.clone())
            {
                Ok(engine) => (engine, s.covers_seq),
                Err(e) => {
                    tracing::warn!(error = %e, "live index image unusable; rebuilding from every dossier");
                    (Engine::new(cat), -1)
                }
            },
            _ => (Engine::new(cat), -1),
        };
        let loaded = started.elapsed();
        let dl = Deadlines::new(&self.calendar);
        let replayed = store
            .for_each_dossier_line(after, |line| {
                let (code, dossier) = parse_dossier_line(line, engine.catalogue(), &dl)
                    .map_err(|e| StoreError::Corrupt(format!("dossier for the index: {e}")))?;
                let code = code.into_owned();
                engine
                    .apply(DossierFact::Record { code, dossier })
                    .map_err(|e| StoreError::Corrupt(format!("dossier for the index: {e}")))
            })
            .await?;
        let image = (after < 0 || replayed > 0).then(|| snapshot::encode(&engine));
        let dossiers = engine.len();
        // The watchlist comes from the facts, so an image serves it as well as a full read.
        let mut watch = motcua_index::watch::Watchlist::default();
        for (code, d) in engine.dossiers() {
            watch.observe(code, d, d.has(motcua_index::facts::flag::APOLOGY));
        }
        *self.engine.write().unwrap_or_else(|p| p.into_inner()) = Some(engine);
        *self.watch.write().unwrap_or_else(|p| p.into_inner()) = watch;
        *self.built.write().unwrap_or_else(|p| p.into_inner()) = Some(Built {
            from_image: after >= 0,
            replayed,
            dossiers,
            covers_seq: covers,
        });
        tracing::info!(
            from_image = after >= 0,
            dossiers,
            replayed,
            image_ms = loaded.as_millis() as u64,
            total_ms = started.elapsed().as_millis() as u64,
            "live index ready"
        );
        if let Some(image) = image {
            // Written before the server answers: a write racing the first requests makes
            // SQLite refuse their read-then-write transactions (SQLITE_BUSY_SNAPSHOT).
            let t = std::time::Instant::now();
            match store
                .save_snapshot(SNAPSHOT, &fingerprint, covers, &image)
                .await
            {
                Ok(()) => tracing::info!(
                    bytes = image.len(),
                    ms = t.elapsed().as_millis() as u64,
                    "live index image saved"
                ),
                Err(e) => tracing::warn!(error = %e, "live index image not saved"),
            }
        }
        Ok(())
    }

    pub fn built(&self) -> Option<Built> {
        *self.built.read().unwrap_or_else(|p| p.into_inner())
    }

    /// What the engine's facts depend on besides the dossiers: the image format, the
    /// definition, the catalogue (ids are positions in it) and the calendar (computed
    /// appointments). Any change makes a saved image unusable.
    async fn fingerprint(
        &self,
        store: &Store,
        units: &str,
        procedures: &str,
    ) -> Result<String, StoreError> {
        use sha2::{Digest, Sha256};
        let rows = serde_json::to_string(&store.calendar_rows().await?)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut h = Sha256::new();
        for part in [
            snapshot::FORMAT.to_string().as_str(),
            &self.definition.version,
            units,
            procedures,
            &rows,
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        Ok(hex::encode(h.finalize()))
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
                    .observe(
                        &code,
                        &dossier,
                        dossier.has(motcua_index::facts::flag::APOLOGY),
                    );
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
