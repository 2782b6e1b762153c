//! The live engine: per-unit state fed one fact at a time, answering the figures of any
//! period without scanning dossiers.
//!
//! Every count of the index is, for one dossier, a function of the period's start day `s`
//! and end day `e` (E = midnight starting day `e`) of a special shape: it is constant while
//! `e` stays between two "breakpoint" days (the days after the dossier's events, its due
//! instant, …), and inside such a stretch it applies iff `s ≤ smax` for a day `smax` (the
//! received day for R, the finish day for D, the result day for ORIGINAL_RESULT). So each
//! dossier is a few rectangles `{s ≤ smax, e₀ ≤ e < e₁}` of weights, stored as signed
//! corners `(e₀, smax) +w`, `(e₁, smax) −w` in a per-unit map. A query sums the corners
//! with `e' ≤ e` and `smax ≥ s`: cost proportional to the distinct (day, day) keys of a
//! unit, not to its dossiers. Procedure sets are per-unit, per-received-day counts.
//!
//! Corners and counts add; a unit's state merges with another's by addition, so units roll
//! up to the province and provinces to a national view. Updating a dossier removes its old
//! rectangles (the same corners negated) and adds the new ones; the dossier's facts, kept
//! exactly per code in a compact table (`table`: 59–79 bytes a dossier with its index),
//! are what makes that possible.

use crate::catalogue::{Catalogue, FastMap, ProcId, UnitId};
use crate::compute::{
    Figures, Period, UnitCounts, dossier_sets, publication_facts, scope_figures, set,
};
use crate::definition::Definition;
use crate::facts::{Dossier, EventKind, Petition, Weights, flag, w};
use crate::instant::{Instant, NEVER, day_of_date, day_start, local_day};
use crate::keys::{Key, Keys, table_bytes};
use crate::output::{Output, build_output};
use crate::table::{DossierTable, Slot};
use motcua_calendar::Calendar;
use std::collections::BTreeMap;

/// One fact of the live stream.
#[derive(Debug, Clone, PartialEq)]
pub enum DossierFact {
    /// A whole dossier (a bundle line, or its current state): inserted or replaced.
    Record { code: String, dossier: Dossier },
    /// One more event of a known dossier, no earlier than the events it already has.
    Event {
        code: String,
        kind: EventKind,
        at: Instant,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    #[error("dossier {0} is not known; send its whole record first")]
    UnknownDossier(String),
    #[error("event at an earlier instant than dossier {0}'s last one; send its whole record")]
    OutOfOrder(String),
    #[error("unit or procedure index out of the catalogue")]
    OutOfCatalogue,
}

type Corner = [i32; w::LEN];

/// One unit's mergeable state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitState {
    /// (e day, smax day) → weights; smax = `i32::MAX` for "any start".
    corners: BTreeMap<(i32, i32), Corner>,
    /// Received day → procedure → dossiers in each set (see `compute::set`).
    days: BTreeMap<i32, FastMap<ProcId, [u32; set::LEN]>>,
}

impl UnitState {
    fn add_corner(&mut self, e: i32, smax: i32, wt: &Weights, sign: i32) {
        if wt.iter().all(|&x| x == 0) {
            return;
        }
        let c = self.corners.entry((e, smax)).or_insert([0; w::LEN]);
        for (a, b) in c.iter_mut().zip(wt) {
            *a += sign * (*b as i32);
        }
        if c.iter().all(|&x| x == 0) {
            self.corners.remove(&(e, smax));
        }
    }

    fn add_sets(&mut self, day: i32, p: ProcId, sets: [bool; set::LEN], sign: i32) {
        if !sets.iter().any(|&b| b) {
            return;
        }
        let m = self.days.entry(day).or_default();
        let c = m.entry(p).or_insert([0; set::LEN]);
        for (a, yes) in c.iter_mut().zip(sets) {
            if yes {
                *a = a.wrapping_add_signed(sign);
            }
        }
        if c.iter().all(|&x| x == 0) {
            m.remove(&p);
            if m.is_empty() {
                self.days.remove(&day);
            }
        }
    }

    /// Adds another unit's state (two shards of the same unit, or a child into a roll-up).
    pub fn merge(&mut self, other: &UnitState) {
        for (&(e, s), c) in &other.corners {
            let wt: Weights = std::array::from_fn(|i| i64::from(c[i]));
            self.add_corner(e, s, &wt, 1);
        }
        for (&d, m) in &other.days {
            for (&p, c) in m {
                let t = self
                    .days
                    .entry(d)
                    .or_default()
                    .entry(p)
                    .or_insert([0; set::LEN]);
                for (a, b) in t.iter_mut().zip(c) {
                    *a += b;
                }
            }
        }
    }

    /// This unit's own counts for days [s, e).
    pub fn counts(&self, s: i32, e: i32) -> UnitCounts {
        let mut out = UnitCounts::default();
        for (&(_, smax), c) in self.corners.range(..(e.saturating_add(1), i32::MIN)) {
            if smax >= s {
                for (a, b) in out.weights.iter_mut().zip(c) {
                    *a += i64::from(*b);
                }
            }
        }
        for (_, m) in self.days.range(s..e) {
            for (&p, c) in m {
                for (i, &n) in c.iter().enumerate() {
                    if n > 0 {
                        out.sets[i].insert(p);
                    }
                }
            }
        }
        out
    }
}

fn day_after(t: Instant) -> Option<i32> {
    (t != NEVER).then(|| local_day(t).saturating_add(1))
}

/// The day after received day `r` and the days after `ts` that come later, sorted and
/// without repeats, in `out` (on the stack: this runs for every update); their count.
fn cut_days(r: i32, ts: &[Instant], out: &mut [i32; 9]) -> usize {
    out[0] = r + 1;
    let mut n = 1;
    // At most eight instants, so `n` stays inside `out`.
    for x in ts.iter().take(8).filter_map(|&t| day_after(t)) {
        if x > r + 1 {
            out[n] = x;
            n += 1;
        }
    }
    out[..n].sort_unstable();
    let mut m = 1;
    for i in 1..n {
        if out[i] != out[m - 1] {
            out[m] = out[i];
            m += 1;
        }
    }
    m
}

/// Calls `emit(e, smax, weights, sign)` for every corner of a dossier's rectangles.
fn dossier_corners(d: &Dossier, mut emit: impl FnMut(i32, i32, &Weights, i32)) {
    if d.has(flag::CHILD) || d.received == NEVER {
        return;
    }
    let r = local_day(d.received);
    // ORIGINAL_RESULT_AVAILABLE: result day in [s, e), from the day after the result on.
    if d.has(flag::WRITTEN_RESULT)
        && let Some(e0) = day_after(d.result_at())
    {
        let mut wt = [0; w::LEN];
        d.orig_weights(&mut wt);
        emit(e0, local_day(d.result_at()), &wt, 1);
    }
    let pause_due = (d.supp_done != NEVER && d.req1 != NEVER && d.due != NEVER)
        .then(|| d.due.saturating_add(d.supp_done - d.req1));
    let mut cuts = [0; 9];
    let n = cut_days(
        r,
        &[
            d.req1,
            d.req2,
            d.supp_done,
            d.completed,
            d.returned,
            d.ended,
            d.due,
            pause_due.unwrap_or(NEVER),
        ],
        &mut cuts,
    );
    // Previous piece per class: R (smax = received day) and D (smax = finish day).
    let mut prev: Option<(i32, Weights, Weights)> = None;
    for &e in &cuts[..n] {
        let at = day_start(e);
        let (mut rw, mut dw) = ([0; w::LEN], [0; w::LEN]);
        d.r_weights(at, &mut rw);
        d.d_weights(at, &mut dw);
        let f = d.finish(at);
        let smax_d = if f == NEVER { i32::MAX } else { local_day(f) };
        if let Some((ps, prw, pdw)) = &prev {
            if (*ps, prw, pdw) == (smax_d, &rw, &dw) {
                continue;
            }
            emit(e, r, prw, -1);
            emit(e, *ps, pdw, -1);
        }
        emit(e, r, &rw, 1);
        emit(e, smax_d, &dw, 1);
        prev = Some((smax_d, rw, dw));
    }
}

fn petition_corners(p: &Petition, mut emit: impl FnMut(i32, i32, &Weights, i32)) {
    if p.received == NEVER {
        return;
    }
    let r = local_day(p.received);
    let mut cuts = [0; 9];
    let n = cut_days(r, &[p.resolved, p.deadline], &mut cuts);
    let mut prev: Option<Weights> = None;
    for &e in &cuts[..n] {
        let mut pw = [0; w::LEN];
        p.p_weights(day_start(e), &mut pw);
        if let Some(q) = &prev {
            if *q == pw {
                continue;
            }
            emit(e, r, q, -1);
        }
        emit(e, r, &pw, 1);
        prev = Some(pw);
    }
}

/// The live engine over one catalogue.
#[derive(Debug, Clone)]
pub struct Engine {
    cat: Catalogue,
    units: Vec<UnitState>,
    keys: Keys,
    dossiers: DossierTable,
    petitions: FastMap<Key, Petition>,
    /// One bit per dossier slot: the dossier may raise a warning (`watch::may_warn`).
    watched: Vec<u64>,
}

impl Engine {
    pub fn new(cat: Catalogue) -> Engine {
        let units = vec![UnitState::default(); cat.units.len()];
        Engine {
            cat,
            units,
            keys: Keys::default(),
            dossiers: DossierTable::default(),
            petitions: FastMap::default(),
            watched: Vec::new(),
        }
    }

    /// Reserves room for `n` more dossiers (avoids rehashing while they arrive).
    pub fn reserve(&mut self, n: usize) {
        self.dossiers.reserve(n);
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.cat
    }

    fn check(&self, d: &Dossier) -> Result<(), ApplyError> {
        if (d.unit as usize) < self.cat.units.len()
            && (d.procedure as usize) < self.cat.procedures.len()
        {
            Ok(())
        } else {
            Err(ApplyError::OutOfCatalogue)
        }
    }

    fn account(&mut self, d: &Dossier, sign: i32) {
        let u = &mut self.units[d.unit as usize];
        dossier_corners(d, |e, s, wt, k| u.add_corner(e, s, wt, sign * k));
        if !d.has(flag::CHILD) && d.received != NEVER {
            u.add_sets(local_day(d.received), d.procedure, dossier_sets(d), sign);
        }
    }

    /// Moves the unit state from `old` (if any) to `new`, now in `slot`.
    fn changed(&mut self, slot: Slot, old: Option<Dossier>, new: Dossier) {
        if let Some(old) = old {
            if old == new {
                return;
            }
            self.account(&old, -1);
        }
        self.account(&new, 1);
        let (word, bit) = (slot as usize / 64, slot % 64);
        if self.watched.len() <= word {
            self.watched.resize(word + 1, 0);
        }
        if crate::watch::may_warn(&new, new.has(flag::APOLOGY)) {
            self.watched[word] |= 1 << bit;
        } else {
            self.watched[word] &= !(1 << bit);
        }
    }

    pub fn apply(&mut self, fact: DossierFact) -> Result<(), ApplyError> {
        match fact {
            DossierFact::Record { code, dossier } => self.record(&code, dossier),
            DossierFact::Event { code, kind, at } => self.event(&code, kind, at),
        }
    }

    /// Inserts or replaces a whole dossier ([`DossierFact::Record`] without the `String`).
    pub fn record(&mut self, code: &str, dossier: Dossier) -> Result<(), ApplyError> {
        self.check(&dossier)?;
        let key = self.keys.intern(code);
        let (slot, old) = self.dossiers.insert(key, dossier);
        self.changed(slot, old, dossier);
        Ok(())
    }

    /// Appends one event to a known dossier ([`DossierFact::Event`]).
    pub fn event(&mut self, code: &str, kind: EventKind, at: Instant) -> Result<(), ApplyError> {
        let Some(slot) = self.keys.find(code).and_then(|k| self.dossiers.find(k)) else {
            return Err(ApplyError::UnknownDossier(code.to_owned()));
        };
        let old = self.dossiers.get(slot);
        let last = [
            old.req1,
            old.req2,
            old.supp_done,
            old.completed,
            old.returned,
            old.ended,
        ]
        .into_iter()
        .filter(|&t| t != NEVER)
        .max();
        if last.is_some_and(|l| at < l) {
            return Err(ApplyError::OutOfOrder(code.to_owned()));
        }
        let new = append_event(old, kind, at);
        self.dossiers.replace(slot, new);
        self.changed(slot, Some(old), new);
        Ok(())
    }

    /// Inserts or replaces a petition.
    pub fn apply_petition(&mut self, id: &str, p: Petition) -> Result<(), ApplyError> {
        if p.unit as usize >= self.cat.units.len() {
            return Err(ApplyError::OutOfCatalogue);
        }
        let key = self.keys.intern(id);
        if let Some(old) = self.petitions.insert(key, p) {
            let u = &mut self.units[old.unit as usize];
            petition_corners(&old, |e, s, wt, k| u.add_corner(e, s, wt, -k));
        }
        let u = &mut self.units[p.unit as usize];
        petition_corners(&p, |e, s, wt, k| u.add_corner(e, s, wt, k));
        Ok(())
    }

    /// The facts of a dossier, by code.
    pub fn dossier(&self, code: &str) -> Option<Dossier> {
        let slot = self.dossiers.find(self.keys.find(code)?)?;
        Some(self.dossiers.get(slot))
    }

    /// Every dossier with its code, in no particular order.
    pub fn dossiers(&self) -> impl Iterator<Item = (String, Dossier)> + '_ {
        self.dossiers.iter().map(|(k, d)| (self.keys.string(k), d))
    }

    /// Every petition with its id, in no particular order.
    pub fn petitions(&self) -> impl Iterator<Item = (String, Petition)> + '_ {
        self.petitions
            .iter()
            .map(|(&k, &p)| (self.keys.string(k), p))
    }

    /// The dossiers that may raise a warning (see `watch`), with their codes.
    pub(crate) fn watched_dossiers(&self) -> impl Iterator<Item = (String, Dossier)> + '_ {
        self.watched.iter().enumerate().flat_map(move |(i, &word)| {
            let mut bits = word;
            std::iter::from_fn(move || {
                (bits != 0).then(|| {
                    let b = bits.trailing_zeros();
                    bits &= bits - 1;
                    let slot = (i * 64) as Slot + b;
                    (
                        self.keys.string(self.dossiers.key(slot)),
                        self.dossiers.get(slot),
                    )
                })
            })
        })
    }

    /// How many dossiers may raise a warning.
    pub fn watched(&self) -> usize {
        self.watched.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn unit_state(&self, u: UnitId) -> &UnitState {
        &self.units[u as usize]
    }

    /// Every unit's own counts for the period (only `scope` filled when given).
    fn counts(&self, period: Period, scope: Option<&[UnitId]>) -> Vec<UnitCounts> {
        let (s, e) = (day_of_date(period.from), day_of_date(period.to) + 1);
        let mut out = vec![UnitCounts::default(); self.units.len()];
        match scope {
            Some(sc) => sc
                .iter()
                .for_each(|&u| out[u as usize] = self.units[u as usize].counts(s, e)),
            None => out
                .iter_mut()
                .zip(&self.units)
                .for_each(|(o, st)| *o = st.counts(s, e)),
        }
        out
    }

    /// The figures of `unit`'s scope for the period.
    pub fn figures(
        &self,
        cal: &Calendar,
        def: &Definition,
        period: Period,
        unit: UnitId,
    ) -> Figures {
        let counts = self.counts(period, Some(self.cat.scope(unit)));
        let pubs = publication_facts(&self.cat, cal, def, period);
        scope_figures(&self.cat, &pubs, &counts, unit)
    }

    /// The same output as the full recomputation.
    pub fn output(
        &self,
        cal: &Calendar,
        def: &Definition,
        period: Period,
        only: Option<UnitId>,
    ) -> Output {
        let counts = self.counts(period, None);
        let pubs = publication_facts(&self.cat, cal, def, period);
        let figures: Vec<Figures> = (0..self.cat.units.len())
            .map(|u| scope_figures(&self.cat, &pubs, &counts, u as UnitId))
            .collect();
        build_output(&self.cat, def, period, &figures, only)
    }

    /// Estimated heap bytes of the engine's state, from `size_of` and capacities.
    pub fn state_bytes(&self) -> usize {
        self.dossier_bytes() + self.unit_bytes()
    }

    /// The per-dossier part of [`Engine::state_bytes`]: facts, codes, watch bits,
    /// petitions.
    pub fn dossier_bytes(&self) -> usize {
        use std::mem::size_of;
        self.dossiers.heap_bytes()
            + self.keys.heap_bytes()
            + self.watched.capacity() * 8
            + table_bytes(self.petitions.capacity(), size_of::<(Key, Petition)>())
    }

    /// The per-unit part of [`Engine::state_bytes`]: corners and procedure sets.
    pub fn unit_bytes(&self) -> usize {
        use std::mem::size_of;
        let mut n = self.units.capacity() * size_of::<UnitState>();
        for u in &self.units {
            // B-tree nodes hold up to 11 entries; count them at about 2/3 full.
            n += u.corners.len() * size_of::<((i32, i32), Corner)>() * 3 / 2;
            for m in u.days.values() {
                n += size_of::<(i32, FastMap<ProcId, [u32; 4]>)>() * 3 / 2
                    + table_bytes(m.capacity(), size_of::<(ProcId, [u32; 4])>());
            }
        }
        n
    }

    /// Dossiers in the side pages and kept whole (see `table`): how far the data is from
    /// the compact form.
    pub fn spill(&self) -> (usize, usize) {
        self.dossiers.spill()
    }

    pub fn len(&self) -> usize {
        self.dossiers.len()
    }
    pub fn is_empty(&self) -> bool {
        self.dossiers.is_empty()
    }
}

/// One event appended to a dossier whose events so far are no later than it.
pub fn append_event(mut d: Dossier, kind: EventKind, at: Instant) -> Dossier {
    match kind {
        EventKind::SupplementRequested => {
            if d.req1 == NEVER {
                d.req1 = at;
            } else if d.req2 == NEVER {
                d.req2 = at;
            }
        }
        EventKind::SupplementCompleted => {
            if d.req1 != NEVER && d.supp_done == NEVER && at > d.req1 {
                d.supp_done = at;
            }
        }
        EventKind::Completed => d.completed = d.completed.min(at),
        EventKind::Returned => d.returned = d.returned.min(at),
        EventKind::Stopped | EventKind::Rejected | EventKind::Withdrawn => {
            d.ended = d.ended.min(at)
        }
        // As `Dossier::with_events` does: the apology letter goes with every extension.
        EventKind::Extended => d.flags |= flag::APOLOGY,
        EventKind::PaymentRequested => {}
    }
    d
}
