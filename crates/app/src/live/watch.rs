//! What the monitoring side reads from the live index besides the figures: warnings as of
//! an instant, the rating comparison between two periods, and which dossiers are behind a
//! figure. All of it answered from the engine's state; nothing here scans the store.

use super::LiveIndex;
use chrono::{DateTime, Utc};
use motcua_index::compute::Period;
use motcua_index::definition::Definition;
use motcua_index::instant::from_datetime;
use motcua_index::warnings::{Warning, rating_warnings};
use motcua_index::watch::Behind;

impl LiveIndex {
    pub fn definition(&self) -> &Definition {
        &self.definition
    }

    /// The working calendar in force (the app's, shared).
    pub fn calendar(&self) -> std::sync::Arc<motcua_calendar::Calendar> {
        self.calendar.current()
    }

    /// Warnings about dossiers and petitions as of `now`, unordered. `None` until the
    /// engine is built.
    pub fn warnings(&self, now: DateTime<Utc>) -> Option<Vec<Warning>> {
        let now = from_datetime(now.fixed_offset())?;
        let engine = self.engine.read().unwrap_or_else(|p| p.into_inner());
        Some(engine.as_ref()?.warnings(&self.calendar.current(), now))
    }

    /// How many dossiers may raise a warning (for metrics and tests).
    pub fn watched(&self) -> usize {
        let engine = self.engine.read().unwrap_or_else(|p| p.into_inner());
        engine.as_ref().map_or(0, |e| e.watched())
    }

    /// Units whose rating for `current` fell a band below their rating for `previous`.
    pub fn rating_warnings(&self, current: Period, previous: Period) -> Option<Vec<Warning>> {
        let now = self.output(current, None)?.ok()?;
        let before = self.output(previous, None)?.ok()?;
        Some(rating_warnings(&self.definition, &now, &before))
    }

    /// For each dossier code, whether it counts in the figure `behind` of the period (false
    /// for a code the engine does not know).
    pub fn behind(&self, codes: &[&str], behind: Behind, period: Period) -> Vec<bool> {
        let engine = self.engine.read().unwrap_or_else(|p| p.into_inner());
        let Some(engine) = engine.as_ref() else {
            return vec![false; codes.len()];
        };
        codes
            .iter()
            .map(|c| {
                engine
                    .dossier(c)
                    .is_some_and(|d| behind.matches(&d, period))
            })
            .collect()
    }
}
