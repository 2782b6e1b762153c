//! The dossiers of `motcua gen`: lifecycles drawn from the documented shares.

use super::*;

// ---------------------------------------------------------------------------------------
// Dossiers.

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Ev {
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

impl Ev {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Ev::SupplementRequested => "supplement_requested",
            Ev::SupplementCompleted => "supplement_completed",
            Ev::PaymentRequested => "payment_requested",
            Ev::Extended => "extended",
            Ev::Completed => "completed",
            Ev::Returned => "returned",
            Ev::Stopped => "stopped",
            Ev::Rejected => "rejected",
            Ev::Withdrawn => "withdrawn",
        }
    }
}

/// The shares the generator aims at; `bench/gen/README.md` lists them with the shares
/// measured on a generated bundle.
pub(super) mod share {
    pub const SUPPLEMENT: f64 = 0.08;
    pub const SUPPLEMENT_TWICE: f64 = 0.10;
    pub const SUPPLEMENT_ABANDONED: f64 = 0.12;
    pub const LATE: f64 = 0.048;
    pub const LATE_LONG: f64 = 0.3;
    pub const LATE_LONG_STUCK: f64 = 0.2;
    pub const STOPPED: f64 = 0.01;
    pub const REJECTED: f64 = 0.015;
    pub const WITHDRAWN: f64 = 0.01;
    pub const REFUSED_AT_RECEPTION: f64 = 0.012;
    pub const CHILD: f64 = 0.03;
    pub const CHILD_FOREIGN_PARENT: f64 = 0.1;
    pub const RATED: f64 = 0.6;
    pub const SATISFIED: f64 = 0.96;
    pub const SATISFIED_IF_LATE: f64 = 0.7;
    pub const SYNCED: f64 = 0.97;
}

pub(super) struct DossierGen<'a> {
    pub(super) units: &'a [Unit],
    pub(super) procs: &'a [Procedure],
    pub(super) communes: &'a [usize],
    pub(super) commune_pick: Weighted,
    pub(super) proc_pick: Weighted,
    pub(super) work: &'a Work,
    /// End of the snapshot: events at or after it have not happened yet.
    pub(super) asof: i64,
    pub(super) last_day: i64,
    pub(super) null_due_share: f64,
    /// Recent parent-eligible dossier codes, for inter-agency children to point to.
    pub(super) recent: Vec<String>,
    pub(super) recent_at: usize,
    /// Per unit: dossiers coded so far on the current day (the 4-digit sequence).
    pub(super) seq: Vec<u16>,
    pub(super) events: Vec<(i64, Ev)>,
    pub(super) line: Vec<u8>,
}

impl DossierGen<'_> {
    pub(super) fn pick_unit(&self, p: &Procedure, rng: &mut Rng) -> usize {
        match &p.units {
            UnitSet::AllCommunes => self.communes[self.commune_pick.draw(rng)],
            UnitSet::List(v) => {
                let total: f64 = v.iter().map(|&u| self.units[u].weight).sum();
                let mut x = rng.f64() * total;
                for &u in v {
                    x -= self.units[u].weight;
                    if x < 0.0 {
                        return u;
                    }
                }
                v[v.len() - 1]
            }
        }
    }

    /// One dossier received (or submitted) on working day `day`, formatted into
    /// `self.line`.
    pub(super) fn dossier(&mut self, rng: &mut Rng, day: i64) -> anyhow::Result<()> {
        // Procedure and unit; a unit whose daily sequence is full (9999, the code's
        // limit) makes us draw again — only under extreme loads.
        let mut tries = 0;
        let (pi, ui) = loop {
            let pi = self.proc_pick.draw(rng);
            let ui = self.pick_unit(&self.procs[pi], rng);
            if self.seq[ui] < 9999 {
                break (pi, ui);
            }
            tries += 1;
            if tries > 1000 {
                bail!("more than 9999 dossiers a unit a day: add --units or widen the span");
            }
        };
        self.seq[ui] += 1;
        let seq = self.seq[ui];
        let p = &self.procs[pi];
        let unit = &self.units[ui];

        let child = rng.chance(share::CHILD);
        let channel = {
            let x = rng.f64();
            if x < p.p_online {
                "online"
            } else if x < p.p_online + (1.0 - p.p_online) * 0.88 {
                "direct"
            } else {
                "postal"
            }
        };
        let online = channel == "online";
        let applicant = {
            let x = rng.f64();
            if p.citizen_applicant {
                if x < 0.92 {
                    "citizen"
                } else if x < 0.97 {
                    "household_business"
                } else {
                    "business"
                }
            } else if x < 0.6 {
                "business"
            } else if x < 0.85 {
                "household_business"
            } else {
                "citizen"
            }
        };

        let office = self.work.office_time(rng, day);
        // Never accepted: refused at reception, or (in the last two days) still waiting
        // for the desk. Only for procedures with a time limit, since such a dossier has
        // no appointment and its due_at is null.
        let recent = self.last_day - day < 2;
        let never_received = p.limit.is_some()
            && !child
            && (rng.chance(share::REFUSED_AT_RECEPTION) || (recent && online && rng.chance(0.2)));
        let (submitted, received) = match channel {
            "online" => {
                // Submitted any hour, up to two days before reception, to the millisecond.
                let lag = rng.range(0, 3);
                let s = (day - lag) * DAY + rng.range(6 * HOUR, 23 * HOUR);
                let s = if s >= office {
                    office - rng.range(5 * MIN, 2 * HOUR)
                } else {
                    s
                };
                (s, office)
            }
            "postal" => (
                (day - rng.range(1, 4)) * DAY + rng.range(W1_START, W2_END) / SEC * SEC,
                office,
            ),
            _ => (office - rng.range(2 * MIN, 30 * MIN) / SEC * SEC, office),
        };
        let received = (!never_received).then_some(received);

        let (due_true, due_emitted) = match (received, p.limit) {
            (None, _) => (None, None),
            (Some(r), Some(l)) => {
                let d = self.work.due(r, l);
                let emit = if rng.chance(self.null_due_share) {
                    None
                } else {
                    d
                };
                (d, emit)
            }
            // No time limit in the catalogue: the officer writes an appointment.
            (Some(_), None) => {
                let d = self.work.end_of_working_days(day, rng.range(5, 21) as u32);
                (Some(d), Some(d))
            }
        };

        let fee_due = if p.has_fee && rng.chance(0.7) {
            // Per-page and per-copy fees make amounts vary around the schedule's.
            p.fee * (1 + rng.below(3))
        } else {
            0
        };
        self.events.clear();
        let mut late = false;
        if let (Some(r), Some(due)) = (received, due_true) {
            late = self.lifecycle(rng, r, due, fee_due > 0);
        }
        // The snapshot: later events have not happened.
        let asof = self.asof;
        self.events.retain(|e| e.0 < asof);
        self.events.sort();
        let finished_with_result = self
            .events
            .iter()
            .any(|e| matches!(e.1, Ev::Completed | Ev::Returned));
        let returned = self.events.iter().any(|e| e.1 == Ev::Returned);

        let paid_online = fee_due > 0
            && match channel {
                "online" => rng.chance(0.55),
                _ => rng.chance(0.08),
            };
        let synced = rng.chance(share::SYNCED);
        let component_files = rng.chance(match channel {
            "online" => 0.99,
            "direct" => 0.85,
            _ => 0.8,
        });
        let reused = rng.chance(0.35);
        let from_store = rng.chance(if online { 0.3 } else { 0.05 });
        let result_file = if finished_with_result {
            rng.chance(0.9)
        } else {
            rng.chance(0.02)
        };
        let result_to_store = result_file && rng.chance(0.6);
        let citizen_data = rng.chance(match (applicant, online) {
            ("citizen", true) => 0.9,
            ("citizen", false) => 0.5,
            _ => 0.2,
        });
        let rating = if returned && rng.chance(share::RATED) {
            let p_sat = if late {
                share::SATISFIED_IF_LATE
            } else {
                share::SATISFIED
            };
            Some(if rng.chance(p_sat) {
                "satisfied"
            } else {
                "unsatisfied"
            })
        } else {
            None
        };
        let complained = received.is_some()
            && rng.chance(match (late, rating) {
                (_, Some("unsatisfied")) => 0.25,
                (true, _) => 0.03,
                _ => 0.002,
            });

        let parent = if child {
            if self.recent.is_empty() || rng.chance(share::CHILD_FOREIGN_PARENT) {
                // Started in another province's system (Đà Nẵng, H48): not in the bundle.
                Some(format!(
                    "000.00.00.H48-{}-{:04}",
                    yymmdd(day - rng.range(0, 5)),
                    1 + rng.below(9999)
                ))
            } else {
                Some(self.recent[rng.below(self.recent.len() as u64) as usize].clone())
            }
        } else {
            None
        };

        let line = &mut self.line;
        line.clear();
        line.extend_from_slice(b"{\"code\":\"");
        let code_start = line.len();
        line.extend_from_slice(unit.code.as_bytes());
        line.push(b'-');
        line.extend_from_slice(yymmdd(day).as_bytes());
        line.push(b'-');
        push_2(line, i64::from(seq) / 100);
        push_2(line, i64::from(seq) % 100);
        let code_end = line.len();
        line.extend_from_slice(b"\",\"procedure\":\"");
        line.extend_from_slice(p.code.as_bytes());
        line.extend_from_slice(b"\",\"unit\":\"");
        line.extend_from_slice(unit.code.as_bytes());
        line.extend_from_slice(b"\",\"parent\":");
        match &parent {
            Some(c) => push_str(line, c),
            None => line.extend_from_slice(b"null"),
        }
        line.extend_from_slice(b",\"channel\":\"");
        line.extend_from_slice(channel.as_bytes());
        line.extend_from_slice(b"\",\"applicant_kind\":\"");
        line.extend_from_slice(applicant.as_bytes());
        line.extend_from_slice(b"\",\"submitted_at\":");
        // Only online submissions carry the system clock's milliseconds.
        let submitted = if online {
            submitted - submitted.rem_euclid(SEC) + rng.range(0, SEC)
        } else {
            submitted
        };
        push_ts(line, submitted);
        line.extend_from_slice(b",\"received_at\":");
        push_opt_ts(line, received);
        line.extend_from_slice(b",\"due_at\":");
        push_opt_ts(line, due_emitted);
        line.extend_from_slice(b",\"events\":[");
        for (i, (at, kind)) in self.events.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            line.extend_from_slice(b"{\"kind\":\"");
            line.extend_from_slice(kind.as_str().as_bytes());
            line.extend_from_slice(b"\",\"at\":");
            push_ts(line, *at);
            line.push(b'}');
        }
        line.extend_from_slice(b"],\"fee_due\":");
        push_num(line, fee_due);
        for (key, v) in [
            (&b",\"paid_online\":"[..], paid_online),
            (b",\"synced\":", synced),
            (b",\"component_files\":", component_files),
            (b",\"reused_component\":", reused),
            (b",\"from_data_store\":", from_store),
            (b",\"result_file\":", result_file),
            (b",\"result_to_data_store\":", result_to_store),
            (b",\"citizen_data\":", citizen_data),
        ] {
            line.extend_from_slice(key);
            push_bool(line, v);
        }
        line.extend_from_slice(b",\"rating\":");
        match rating {
            Some(r) => push_str(line, r),
            None => line.extend_from_slice(b"null"),
        }
        line.extend_from_slice(b",\"complained\":");
        push_bool(line, complained);
        line.extend_from_slice(b"}\n");

        if !child && received.is_some() {
            // The code is ASCII written by us above, so this cannot fail.
            let code = String::from_utf8_lossy(&line[code_start..code_end]).into_owned();
            if self.recent.len() < 4096 {
                self.recent.push(code);
            } else {
                self.recent[self.recent_at] = code;
                self.recent_at = (self.recent_at + 1) % 4096;
            }
        }
        Ok(())
    }

    /// The events of a received dossier (before the snapshot cut); returns whether it was
    /// meant to be late.
    pub(super) fn lifecycle(&mut self, rng: &mut Rng, r: i64, due: i64, fee: bool) -> bool {
        let w = self.work;
        let span = (due - r).max(HOUR);
        let at = |rng: &mut Rng, from: i64, len: i64, lo: f64, hi: f64| -> i64 {
            let t = from + (len as f64 * (lo + (hi - lo) * rng.f64())) as i64;
            w.snap_jitter(rng, t)
        };
        let mut t = r;
        let mut pause = 0;
        let mut k = 0;
        if rng.chance(share::SUPPLEMENT) {
            k = if rng.chance(share::SUPPLEMENT_TWICE) {
                2
            } else {
                1
            };
        }
        for i in 0..k {
            let q = at(rng, t, span, 0.05, 0.35).max(t + MIN);
            self.events.push((q, Ev::SupplementRequested));
            if i == 0 && rng.chance(share::SUPPLEMENT_ABANDONED) {
                // The applicant never came back: the clock stays stopped; the unit may
                // stop the dossier after a month or more, or it stays open.
                if rng.chance(0.5) {
                    let kind = if rng.chance(0.5) {
                        Ev::Stopped
                    } else {
                        Ev::Withdrawn
                    };
                    let t = q + rng.range(20 * DAY, 60 * DAY);
                    self.events.push((w.snap_jitter(rng, t), kind));
                }
                return false;
            }
            let c = q + rng.range(HOUR, 10 * DAY);
            let c = w.snap_jitter(rng, c).max(q + MIN);
            self.events.push((c, Ev::SupplementCompleted));
            pause += c - q;
            t = c;
        }
        if fee && rng.chance(0.3) {
            let x = at(rng, t, span, 0.0, 0.2).max(t + MIN);
            self.events.push((x, Ev::PaymentRequested));
            t = x;
        }
        let x = rng.f64();
        let end_kind = if x < share::STOPPED {
            Some(Ev::Stopped)
        } else if x < share::STOPPED + share::REJECTED {
            Some(Ev::Rejected)
        } else if x < share::STOPPED + share::REJECTED + share::WITHDRAWN {
            Some(Ev::Withdrawn)
        } else {
            None
        };
        if let Some(kind) = end_kind {
            let f = at(rng, t, (due + pause - t).max(HOUR), 0.1, 0.9).max(t + MIN);
            self.events.push((f, kind));
            return false;
        }
        let late = k == 2 || rng.chance(share::LATE);
        let f = if late {
            let long = rng.chance(share::LATE_LONG);
            if rng.chance(0.4) {
                // Apology and new appointment (form 04) before the original due date.
                let e = at(rng, r, span, 0.6, 0.95);
                self.events.push((e.max(t + MIN), Ev::Extended));
            }
            if long && rng.chance(share::LATE_LONG_STUCK) {
                return true;
            }
            let by = if long {
                rng.range(10 * DAY, 90 * DAY)
            } else {
                rng.range(HOUR, 5 * DAY)
            };
            w.snap_jitter(rng, due + pause + by)
        } else {
            // Most are done well before the appointment; a few at the last hour.
            let u = rng.f64();
            let frac = 0.15 + 0.82 * (1.0 - u * u);
            let f = w.snap_jitter(rng, r + pause + (span as f64 * frac) as i64);
            // Jitter must not make an on-time dossier late (the end is checked against
            // due + pause); a supplement returned at the last minute still can.
            f.min(due + pause - (due + pause).rem_euclid(SEC))
                .max(t + 30 * MIN)
        };
        if rng.chance(0.03) {
            // Some desks record only the hand-over.
            self.events.push((f, Ev::Returned));
        } else {
            self.events.push((f, Ev::Completed));
            if rng.chance(0.95) {
                let back = if rng.chance(0.5) {
                    f + rng.range(MIN, 30 * MIN)
                } else {
                    let t = f + rng.range(HOUR, 4 * DAY);
                    w.snap_jitter(rng, t)
                };
                self.events.push((back, Ev::Returned));
            }
        }
        late
    }
}

pub(super) fn yymmdd(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{:02}{:02}{:02}", y % 100, m, d)
}
