//! The compact per-dossier and per-petition facts the index needs, and the spec's rules over
//! them (finish, on time, …) evaluated for a period end `E`.
//!
//! Both paths — the full recomputation (`compute`) and the live engine (`incremental`) —
//! judge a dossier through these functions, so the rules live in one place. A `Dossier` is
//! 80 bytes: every timestamp is an `i64`, "none" is [`NEVER`], and only what a rule reads is
//! kept (the first two supplement requests, the earliest completion after the first, the
//! earliest finishing event of each kind).

use crate::catalogue::{ProcId, UnitId};
use crate::instant::{Instant, NEVER};

/// Dossier flags (one bit each).
pub mod flag {
    pub const CHILD: u16 = 1 << 0;
    pub const ONLINE: u16 = 1 << 1;
    pub const SYNCED: u16 = 1 << 2;
    pub const FEE_DUE: u16 = 1 << 3;
    pub const PAID_ONLINE: u16 = 1 << 4;
    pub const COMPONENT_FILES: u16 = 1 << 5;
    pub const REUSED: u16 = 1 << 6;
    /// `from_data_store` or `result_to_data_store`.
    pub const DATA_STORE: u16 = 1 << 7;
    pub const RESULT_FILE: u16 = 1 << 8;
    pub const CITIZEN_DATA: u16 = 1 << 9;
    pub const UNSATISFIED: u16 = 1 << 10;
    pub const COMPLAINED: u16 = 1 << 11;
    /// Copied from the procedure: it issues a written result.
    pub const WRITTEN_RESULT: u16 = 1 << 12;
    /// Copied from the procedure: `citizen_applicant`.
    pub const CITIZEN_PROC: u16 = 1 << 13;
    /// An `extended` event: the apology letter (form 04) that goes with every extension
    /// is on record (warnings only; no metric reads it).
    pub const APOLOGY: u16 = 1 << 14;
    /// Petition: `satisfaction` is `unsatisfied`.
    pub const P_UNSATISFIED: u16 = 1 << 0;
    /// Petition: `repeated`.
    pub const P_REPEATED: u16 = 1 << 1;
}

/// Positions in a weight vector: the counts every metric's numerator and denominator are
/// made of. Counts of different dossiers add up; that is what lets units roll up.
pub mod w {
    pub const R: usize = 0;
    pub const R_SYNCED: usize = 1;
    pub const R_ONLINE_COUNTED: usize = 2;
    pub const R_FEE_DUE: usize = 3;
    pub const R_FEE_PAID_ONLINE: usize = 4;
    pub const R_SO_HOA: usize = 5;
    pub const R_REUSED: usize = 6;
    pub const R_DATA_STORE: usize = 7;
    pub const R_CITIZEN_PROC: usize = 8;
    pub const R_CITIZEN_DATA: usize = 9;
    pub const D: usize = 10;
    pub const D_ON_TIME: usize = 11;
    /// Late, or `unsatisfied`, or `complained` (each dossier once).
    pub const D_BAD: usize = 12;
    pub const ORIG: usize = 13;
    pub const ORIG_FILE: usize = 14;
    pub const P: usize = 15;
    pub const P_ON_TIME: usize = 16;
    /// On time, not `unsatisfied`, not `repeated`.
    pub const P_OK: usize = 17;
    pub const LEN: usize = 18;
}

pub type Weights = [i64; w::LEN];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dossier {
    pub received: Instant,
    /// `due_at`, or computed from `received_at` and the procedure's time limit.
    pub due: Instant,
    /// Earliest and second-earliest `supplement_requested`.
    pub req1: Instant,
    pub req2: Instant,
    /// Earliest `supplement_completed` strictly after `req1`.
    pub supp_done: Instant,
    /// Earliest `completed`, `returned`, and `stopped`/`rejected`/`withdrawn` events.
    pub completed: Instant,
    pub returned: Instant,
    pub ended: Instant,
    pub unit: UnitId,
    pub procedure: ProcId,
    pub flags: u16,
}

/// One event as the bundle states it (used to fold events into a [`Dossier`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    SupplementRequested,
    SupplementCompleted,
    PaymentRequested,
    Extended,
    Completed,
    Returned,
    Stopped,
    Rejected,
    Withdrawn,
}

impl Dossier {
    /// A dossier with no events yet.
    pub fn new(
        unit: UnitId,
        procedure: ProcId,
        received: Instant,
        due: Instant,
        flags: u16,
    ) -> Self {
        Dossier {
            received,
            due,
            req1: NEVER,
            req2: NEVER,
            supp_done: NEVER,
            completed: NEVER,
            returned: NEVER,
            ended: NEVER,
            unit,
            procedure,
            flags,
        }
    }

    /// Folds events in (any order: every rule asks for the *earliest* event of a kind).
    pub fn with_events(mut self, events: impl IntoIterator<Item = (EventKind, Instant)>) -> Self {
        let mut done: Vec<Instant> = Vec::new();
        for (kind, at) in events {
            match kind {
                EventKind::SupplementRequested => {
                    if at < self.req1 {
                        self.req2 = self.req1;
                        self.req1 = at;
                    } else if at < self.req2 {
                        self.req2 = at;
                    }
                }
                // Which completion counts depends on the earliest request, known only at
                // the end; they are few (usually none).
                EventKind::SupplementCompleted => done.push(at),
                EventKind::Completed => self.completed = self.completed.min(at),
                EventKind::Returned => self.returned = self.returned.min(at),
                EventKind::Stopped | EventKind::Rejected | EventKind::Withdrawn => {
                    self.ended = self.ended.min(at)
                }
                EventKind::Extended => self.flags |= flag::APOLOGY,
                EventKind::PaymentRequested => {}
            }
        }
        if self.req1 != NEVER {
            self.supp_done = done
                .into_iter()
                .filter(|&c| c > self.req1)
                .min()
                .unwrap_or(NEVER);
        }
        self
    }

    pub fn has(&self, f: u16) -> bool {
        self.flags & f != 0
    }

    /// Finish as of period end `e`: earliest `completed`, else earliest `returned`, else the
    /// earliest stop/rejection/withdrawal; only events before `e` exist. `NEVER` if none.
    pub fn finish(&self, e: Instant) -> Instant {
        if self.completed < e {
            self.completed
        } else if self.returned < e {
            self.returned
        } else if self.ended < e {
            self.ended
        } else {
            NEVER
        }
    }

    /// Has a `completed` or `returned` event before `e`.
    pub fn finished_with_result(&self, e: Instant) -> bool {
        self.completed < e || self.returned < e
    }

    /// Earliest `completed` or `returned` event, whichever is first.
    pub fn result_at(&self) -> Instant {
        self.completed.min(self.returned)
    }

    /// The spec's "On time" rule for period end `e` (the dossier being in D).
    pub fn on_time(&self, e: Instant) -> bool {
        let finish = self.finish(e);
        let end_or_e = if finish == NEVER { e } else { finish };
        if self.req2 < e {
            false
        } else if self.req1 < e {
            if self.supp_done < e {
                let pause = self.supp_done - self.req1;
                // `end − pause ≤ due` without overflow: both sides are real instants.
                end_or_e.saturating_sub(pause) <= self.due
            } else {
                // The clock stopped when the request went out.
                self.req1 <= self.due
            }
        } else {
            end_or_e <= self.due
        }
    }

    /// In R for the period [s, e).
    pub fn in_r(&self, s: Instant, e: Instant) -> bool {
        s <= self.received && self.received < e
    }

    /// In D for the period [s, e): received before `e`, finish absent or at/after `s`.
    pub fn in_d(&self, s: Instant, e: Instant) -> bool {
        self.received < e && {
            let f = self.finish(e);
            f == NEVER || f >= s
        }
    }

    /// Its result (earliest completed/returned) falls in [s, e), and it counts for
    /// ORIGINAL_RESULT_AVAILABLE at all (received, procedure with a written result).
    pub fn in_orig(&self, s: Instant, e: Instant) -> bool {
        let r = self.result_at();
        self.received != NEVER && self.has(flag::WRITTEN_RESULT) && s <= r && r < e
    }

    /// What a dossier in R adds, for period end `e`.
    pub fn r_weights(&self, e: Instant, out: &mut Weights) {
        let f = self.flags;
        let has = |x: u16| i64::from(f & x != 0);
        // The written result must exist as a file once the dossier is finished with one.
        let result_ok = !(self.has(flag::WRITTEN_RESULT)
            && self.finished_with_result(e)
            && !self.has(flag::RESULT_FILE));
        out[w::R] += 1;
        out[w::R_SYNCED] += has(flag::SYNCED);
        out[w::R_ONLINE_COUNTED] += i64::from(self.has(flag::ONLINE) && result_ok);
        out[w::R_FEE_DUE] += has(flag::FEE_DUE);
        out[w::R_FEE_PAID_ONLINE] +=
            i64::from(self.has(flag::FEE_DUE) && self.has(flag::PAID_ONLINE));
        out[w::R_SO_HOA] += i64::from(self.has(flag::COMPONENT_FILES) && result_ok);
        out[w::R_REUSED] += has(flag::REUSED);
        out[w::R_DATA_STORE] += has(flag::DATA_STORE);
        out[w::R_CITIZEN_PROC] += has(flag::CITIZEN_PROC);
        out[w::R_CITIZEN_DATA] +=
            i64::from(self.has(flag::CITIZEN_PROC) && self.has(flag::CITIZEN_DATA));
    }

    /// What a dossier in D adds, for period end `e`.
    pub fn d_weights(&self, e: Instant, out: &mut Weights) {
        let on_time = self.on_time(e);
        out[w::D] += 1;
        out[w::D_ON_TIME] += i64::from(on_time);
        out[w::D_BAD] +=
            i64::from(!on_time || self.has(flag::UNSATISFIED) || self.has(flag::COMPLAINED));
    }

    /// What a dossier counted by ORIGINAL_RESULT_AVAILABLE adds.
    pub fn orig_weights(&self, out: &mut Weights) {
        out[w::ORIG] += 1;
        out[w::ORIG_FILE] += i64::from(self.has(flag::RESULT_FILE));
    }

    /// Everything the dossier adds to its unit's counts for the period [s, e).
    pub fn weights(&self, s: Instant, e: Instant, out: &mut Weights) {
        if self.has(flag::CHILD) {
            return;
        }
        if self.in_r(s, e) {
            self.r_weights(e, out);
        }
        if self.in_d(s, e) {
            self.d_weights(e, out);
        }
        if self.in_orig(s, e) {
            self.orig_weights(out);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Petition {
    pub received: Instant,
    /// `deadline_at`, or 15 working days (end_of_day) after `received_at`.
    pub deadline: Instant,
    pub resolved: Instant,
    pub unit: UnitId,
    pub flags: u16,
}

impl Petition {
    pub fn in_period(&self, s: Instant, e: Instant) -> bool {
        s <= self.received && self.received < e
    }

    /// Resolved before `e` no later than its deadline, or unresolved before `e` and
    /// `e ≤ deadline`.
    pub fn on_time(&self, e: Instant) -> bool {
        if self.resolved < e {
            self.resolved <= self.deadline
        } else {
            e <= self.deadline
        }
    }

    pub fn p_weights(&self, e: Instant, out: &mut Weights) {
        let on_time = self.on_time(e);
        out[w::P] += 1;
        out[w::P_ON_TIME] += i64::from(on_time);
        out[w::P_OK] +=
            i64::from(on_time && self.flags & (flag::P_UNSATISFIED | flag::P_REPEATED) == 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const H: i64 = 3_600_000_000_000;

    #[test]
    fn dossier_is_small() {
        assert!(std::mem::size_of::<Dossier>() <= 80);
    }

    #[test]
    fn supplement_rules() {
        // received at 0, due at 10 h.
        let d = Dossier::new(0, 0, 0, 10 * H, 0);
        // Pending request at 2 h: the clock stopped at 2 h, whatever E.
        let p = d.with_events([(EventKind::SupplementRequested, 2 * H)]);
        assert!(p.on_time(100 * H));
        // Completed at 6 h (pause 4 h), finished at 13 h: 13 − 4 = 9 ≤ 10.
        let c = d.with_events([
            (EventKind::SupplementRequested, 2 * H),
            (EventKind::SupplementCompleted, 6 * H),
            (EventKind::Completed, 13 * H),
        ]);
        assert!(c.on_time(100 * H));
        // Seen from E = 5 h the completion does not exist yet: pending, on time.
        assert!(c.on_time(5 * H));
        // A second request makes it late.
        let two = c.with_events([(EventKind::SupplementRequested, 7 * H)]);
        assert!(!two.on_time(100 * H));
        assert!(two.on_time(7 * H));
        // Waiting for fees does not stop the clock.
        let fee = d.with_events([
            (EventKind::PaymentRequested, 2 * H),
            (EventKind::Completed, 11 * H),
        ]);
        assert!(!fee.on_time(100 * H));
    }

    #[test]
    fn an_extension_puts_the_apology_on_record() {
        let d = Dossier::new(0, 0, 0, 10 * H, 0);
        assert!(!d.has(flag::APOLOGY));
        let late = d.with_events([(EventKind::Completed, 12 * H)]);
        assert!(!late.has(flag::APOLOGY));
        let extended =
            d.with_events([(EventKind::Extended, 8 * H), (EventKind::Completed, 12 * H)]);
        assert!(extended.has(flag::APOLOGY));
        // Only warnings read it: the dossier is late either way.
        assert_eq!(late.on_time(100 * H), extended.on_time(100 * H));
    }

    #[test]
    fn finish_prefers_completed_then_returned() {
        let d = Dossier::new(0, 0, 0, 10 * H, 0).with_events([
            (EventKind::Returned, 3 * H),
            (EventKind::Completed, 5 * H),
            (EventKind::Withdrawn, H),
        ]);
        assert_eq!(d.finish(100 * H), 5 * H);
        assert_eq!(d.finish(4 * H), 3 * H);
        assert_eq!(d.finish(2 * H), H);
        assert_eq!(d.finish(H), NEVER);
    }
}
