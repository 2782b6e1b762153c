//! The live 766 index: the index crate's incremental engine, fed every committed dossier
//! change, answering `GET /api/v1/index` without scanning dossiers.
//!
//! The engine takes whole bundle lines (`dossiers.jsonl`), the same facts the offline
//! `motcua index compute` reads, so the live and offline figures are one computation. It
//! is rebuilt from the store at start-up and whenever the catalogue changes; an image of
//! its facts saved in the store makes the start-up read only what changed since.

use crate::WorkingCalendar;
use motcua_domain::dossier::export::BundleDossier;
use motcua_index::catalogue::Catalogue;
use motcua_index::compute::Period;
use motcua_index::definition::Definition;
use motcua_index::incremental::Engine;
use motcua_index::output::Output;
use motcua_index::records::{Deadlines, parse_dossier_line};
use motcua_index::snapshot;
use motcua_store::{Store, StoreError};
use std::sync::{Arc, Mutex, RwLock};

mod watch;

/// The name of the engine's image in the store.
const SNAPSHOT: &str = "live_index";

pub struct LiveIndex {
    /// The app's working calendar: an edit is seen here at once (and a rebuild follows).
    calendar: Arc<WorkingCalendar>,
    definition: Definition,
    engine: RwLock<Option<Engine>>,
    built: RwLock<Option<Built>>,
    /// While a rebuild reads the store, the lines observed meanwhile (each a dossier's
    /// latest state when it was committed). The rebuild applies them before it swaps its
    /// engine in, so a change committed after the rebuild read that dossier is not lost.
    pending: Mutex<Option<Vec<String>>>,
    /// One rebuild at a time: two would share `pending`.
    rebuilding: tokio::sync::Mutex<()>,
}

/// An engine read from the store, not yet in place.
struct Read {
    engine: Engine,
    from_image: bool,
    replayed: usize,
    covers: i64,
    fingerprint: String,
    /// The encoded engine to save, when it differs from the saved image.
    image: Option<Vec<u8>>,
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
    pub fn new(calendar: Arc<WorkingCalendar>) -> Self {
        Self {
            calendar,
            definition: Definition::default_766(),
            engine: RwLock::new(None),
            built: RwLock::new(None),
            pending: Mutex::new(None),
            rebuilding: tokio::sync::Mutex::new(()),
        }
    }

    /// Rebuilds in the background (after a catalogue change): with millions of dossiers a
    /// full read takes a minute, during which the current engine keeps answering.
    pub fn rebuild_in_background(self: &Arc<Self>, store: Store) {
        let live = self.clone();
        tokio::spawn(async move {
            if let Err(e) = live.rebuild(&store).await {
                tracing::error!(error = %e, "live index rebuild failed; figures keep the previous catalogue");
            }
        });
    }

    /// Builds the engine from the catalogue and the dossiers in the store: from the saved
    /// image plus the dossiers changed since, when an image of this catalogue, calendar
    /// and definition exists, else from every dossier. Then saves a fresh image.
    pub async fn rebuild(&self, store: &Store) -> Result<(), StoreError> {
        let _one = self.rebuilding.lock().await;
        *self.pending.lock().unwrap_or_else(|p| p.into_inner()) = Some(Vec::new());
        let result = self.build_and_swap(store).await;
        // Whatever happened, observing stops buffering.
        *self.pending.lock().unwrap_or_else(|p| p.into_inner()) = None;
        result
    }

    async fn build_and_swap(&self, store: &Store) -> Result<(), StoreError> {
        let started = std::time::Instant::now();
        let mut read = self.read(store).await?;
        let (image, fingerprint) = (read.image.take(), std::mem::take(&mut read.fingerprint));
        let b = self.swap(read);
        tracing::info!(
            from_image = b.from_image,
            dossiers = b.dossiers,
            replayed = b.replayed,
            total_ms = started.elapsed().as_millis() as u64,
            "live index ready"
        );
        if let Some(image) = image {
            // Written before the server answers: a write racing the first requests makes
            // SQLite refuse their read-then-write transactions (SQLITE_BUSY_SNAPSHOT).
            let t = std::time::Instant::now();
            match store
                .save_snapshot(SNAPSHOT, &fingerprint, b.covers_seq, &image)
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

    /// A new engine from the catalogue and the dossiers in the store: from the saved image
    /// plus the dossiers changed since, when an image of this catalogue, calendar and
    /// definition exists, else from every dossier.
    async fn read(&self, store: &Store) -> Result<Read, StoreError> {
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
        let calendar = self.calendar.current();
        let dl = Deadlines::new(&calendar);
        let replayed = store
            .for_each_dossier_line(after, |line| {
                let (code, dossier) = parse_dossier_line(line, engine.catalogue(), &dl)
                    .map_err(|e| StoreError::Corrupt(format!("dossier for the index: {e}")))?;
                engine
                    .record(&code, dossier)
                    .map_err(|e| StoreError::Corrupt(format!("dossier for the index: {e}")))
            })
            .await?;
        let image = (after < 0 || replayed > 0).then(|| snapshot::encode(&engine));
        Ok(Read {
            engine,
            from_image: after >= 0,
            replayed,
            covers,
            fingerprint,
            image,
        })
    }

    /// Puts a freshly read engine in place, after applying the lines observed while it was
    /// read; the engine lock is held throughout, so no line falls between the two.
    fn swap(&self, read: Read) -> Built {
        let Read {
            mut engine,
            from_image,
            replayed,
            covers,
            ..
        } = read;
        let mut current = self.engine.write().unwrap_or_else(|p| p.into_inner());
        let observed = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .unwrap_or_default();
        let calendar = self.calendar.current();
        let dl = Deadlines::new(&calendar);
        for text in &observed {
            feed(&mut engine, &dl, text);
        }
        // The engine keeps which dossiers may warn with their facts, so an image serves
        // warnings as well as a full read.
        let built = Built {
            from_image,
            replayed,
            dossiers: engine.len(),
            covers_seq: covers,
        };
        *current = Some(engine);
        *self.built.write().unwrap_or_else(|p| p.into_inner()) = Some(built);
        built
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
        if let Ok(text) = serde_json::to_string(line) {
            self.observe_text(&text);
        }
    }

    fn observe_text(&self, text: &str) {
        let mut guard = self.engine.write().unwrap_or_else(|p| p.into_inner());
        if let Some(buffer) = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            buffer.push(text.to_owned());
        }
        let Some(engine) = guard.as_mut() else { return };
        let calendar = self.calendar.current();
        feed(engine, &Deadlines::new(&calendar), text);
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
            &self.calendar.current(),
            &self.definition,
            period,
            only,
        )))
    }
}

/// Applies one dossier line to the engine (a refused line is logged: the change it came
/// from is committed all the same).
fn feed(engine: &mut Engine, dl: &Deadlines, text: &str) {
    match parse_dossier_line(text, engine.catalogue(), dl) {
        Ok((code, dossier)) => {
            if let Err(e) = engine.record(&code, dossier) {
                tracing::warn!(error = %e, "index engine refused a dossier");
            }
        }
        Err(e) => tracing::warn!(error = %e, "index engine could not read a dossier"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const LINE: &str = r#"{"code":"000.01.99.H57-250303-0001","procedure":"1.001193","unit":"000.01.99.H57","parent":null,"channel":"online","applicant_kind":"citizen","submitted_at":"2025-03-03T07:30:00+07:00","received_at":"2025-03-03T08:00:00+07:00","due_at":"2025-03-05T17:00:00+07:00","events":[{"kind":"completed","at":"2025-03-04T10:00:00+07:00"}],"fee_due":0,"paid_online":false,"synced":true,"component_files":true,"reused_component":false,"from_data_store":false,"result_file":true,"result_to_data_store":false,"citizen_data":true,"rating":null,"complained":false}"#;

    #[tokio::test]
    async fn a_change_committed_while_a_rebuild_reads_reaches_the_new_engine() {
        let db = motcua_store::testing::TestDb::new().await.unwrap();
        db.import_demo_catalogue().await.unwrap();
        let live = LiveIndex::new(Arc::new(WorkingCalendar::new(
            db.store.calendar().await.unwrap(),
        )));
        live.rebuild(&db.store).await.unwrap();
        assert_eq!(live.built().unwrap().dossiers, 0);

        // A rebuild is under way: it has read the store (no dossier yet) when a commit's
        // line arrives. The old engine takes it, and so must the new one.
        *live.pending.lock().unwrap() = Some(Vec::new());
        let read = live.read(&db.store).await.unwrap();
        live.observe_text(LINE);
        assert_eq!(live.engine.read().unwrap().as_ref().unwrap().len(), 1);
        let built = live.swap(read);
        assert_eq!(
            built.dossiers, 1,
            "the line observed during the read is kept"
        );
        assert!(
            live.pending.lock().unwrap().is_none(),
            "buffering ends with the swap"
        );

        // Outside a rebuild nothing is buffered.
        live.observe_text(&LINE.replace("-0001", "-0002"));
        assert!(live.pending.lock().unwrap().is_none());
        assert_eq!(live.engine.read().unwrap().as_ref().unwrap().len(), 2);
    }
}
