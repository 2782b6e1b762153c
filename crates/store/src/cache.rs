//! What every request reads and almost nothing writes: the unit tree and published process
//! definitions. A published process version never changes, so it is kept for good; the
//! unit tree is dropped by every unit write of this process and, because another server
//! may share the database, is also re-read after a short time.

use motcua_domain::dossier::Process;
use motcua_domain::unit::UnitTree;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How stale the unit tree may be when another process renamed or merged a unit.
const UNIT_TREE_TTL: Duration = Duration::from_secs(10);

#[derive(Default)]
pub(crate) struct Cache {
    units: Mutex<Option<(Instant, Arc<UnitTree>)>>,
    processes: Mutex<HashMap<(String, i64), Arc<Process>>>,
}

impl Cache {
    pub(crate) fn unit_tree(&self) -> Option<Arc<UnitTree>> {
        let guard = self.units.lock().unwrap_or_else(PoisonError::into_inner);
        guard
            .as_ref()
            .filter(|(at, _)| at.elapsed() < UNIT_TREE_TTL)
            .map(|(_, t)| t.clone())
    }

    pub(crate) fn put_unit_tree(&self, tree: Arc<UnitTree>) {
        *self.units.lock().unwrap_or_else(PoisonError::into_inner) = Some((Instant::now(), tree));
    }

    pub(crate) fn forget_units(&self) {
        *self.units.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    pub(crate) fn process(&self, procedure: &str, version: i64) -> Option<Arc<Process>> {
        self.processes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(procedure.to_owned(), version))
            .cloned()
    }

    pub(crate) fn put_process(&self, procedure: &str, version: i64, p: Arc<Process>) {
        self.processes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((procedure.to_owned(), version), p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forgotten_tree_is_read_again() {
        let c = Cache::default();
        assert!(c.unit_tree().is_none());
        c.put_unit_tree(Arc::new(UnitTree::new(std::iter::empty()).unwrap()));
        assert!(c.unit_tree().is_some());
        c.forget_units();
        assert!(c.unit_tree().is_none());
    }
}
