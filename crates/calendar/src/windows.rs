//! Working windows: the hours of a working day during which working time elapses.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveTime, Timelike};

use crate::CalendarError;

pub(crate) const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// The working windows of every working day, e.g. 07:30–11:30 and 13:00–17:00.
///
/// Invariants (checked by [`WorkingWindows::new`]): at least one window; each starts
/// before it ends; windows are in order, neither overlapping nor touching (touching
/// windows are one window); times are whole minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingWindows {
    /// (start, end) as nanoseconds since midnight; kept in this form because every
    /// due-date computation works on it.
    spans: Vec<(i64, i64)>,
    /// Sum of the window lengths in nanoseconds.
    total: i64,
}

impl Default for WorkingWindows {
    /// 07:30–11:30 and 13:00–17:00 (8 hours).
    fn default() -> Self {
        const fn hm(h: i64, m: i64) -> i64 {
            (h * 3600 + m * 60) * NANOS_PER_SECOND
        }
        let spans = vec![(hm(7, 30), hm(11, 30)), (hm(13, 0), hm(17, 0))];
        WorkingWindows {
            total: hm(8, 0),
            spans,
        }
    }
}

impl WorkingWindows {
    /// Validate and build windows from (start, end) pairs.
    pub fn new(windows: &[(NaiveTime, NaiveTime)]) -> Result<Self, CalendarError> {
        let bad = |m: String| Err(CalendarError::InvalidWindows(m));
        if windows.is_empty() {
            return bad("at least one window is needed".into());
        }
        let mut spans = Vec::with_capacity(windows.len());
        let mut total = 0;
        for &(start, end) in windows {
            for t in [start, end] {
                if t.second() != 0 || t.nanosecond() != 0 {
                    return bad(format!("{t} is not a whole minute"));
                }
            }
            if start >= end {
                return bad(format!(
                    "window {}-{} must start before it ends",
                    hm(start),
                    hm(end)
                ));
            }
            let s = nanos_of(start);
            let e = nanos_of(end);
            if let Some(&(_, prev_end)) = spans.last()
                && s <= prev_end
            {
                return bad(format!(
                    "window {}-{} must start after the previous window ends",
                    hm(start),
                    hm(end)
                ));
            }
            spans.push((s, e));
            total += e - s;
        }
        Ok(WorkingWindows { spans, total })
    }

    /// The windows as (start, end) times.
    pub fn windows(&self) -> Vec<(NaiveTime, NaiveTime)> {
        self.spans
            .iter()
            .map(|&(s, e)| (time_of(s), time_of(e)))
            .collect()
    }

    /// Working time in one working day.
    pub fn day_length(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::nanoseconds(self.total)
    }

    /// The end of the last window: "end of a working day".
    pub fn end_of_day(&self) -> NaiveTime {
        time_of(self.last_end())
    }

    pub(crate) fn total_nanos(&self) -> i64 {
        self.total
    }

    fn last_end(&self) -> i64 {
        // `new` and `default` never build an empty list.
        self.spans.last().map_or(0, |&(_, e)| e)
    }

    /// Working time elapsed in a working day before time-of-day `tod` (nanoseconds
    /// since midnight). A time in a gap or at a window end counts everything before
    /// it, so 11:30 and 12:00 both give 4 h with the default windows.
    pub(crate) fn offset_at(&self, tod: i64) -> i64 {
        let mut acc = 0;
        for &(s, e) in &self.spans {
            if tod <= s {
                break;
            }
            acc += tod.min(e) - s;
        }
        acc
    }

    /// The time of day at which `offset` of working time has elapsed, for offset in
    /// (0, total]. An offset that completes a window maps to that window's end, not
    /// to the start of the next one: a deadline falls "exactly at a window end if it
    /// ends there".
    pub(crate) fn time_at(&self, offset: i64) -> i64 {
        let mut acc = 0;
        for &(s, e) in &self.spans {
            let len = e - s;
            if offset <= acc + len {
                return s + (offset - acc);
            }
            acc += len;
        }
        self.last_end()
    }
}

fn nanos_of(t: NaiveTime) -> i64 {
    i64::from(t.num_seconds_from_midnight()) * NANOS_PER_SECOND
}

/// `ns` is within a day here (window bounds are validated times).
fn time_of(ns: i64) -> NaiveTime {
    let secs = u32::try_from(ns.div_euclid(NANOS_PER_SECOND)).unwrap_or(0);
    let nanos = u32::try_from(ns.rem_euclid(NANOS_PER_SECOND)).unwrap_or(0);
    NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos).unwrap_or(NaiveTime::MIN)
}

fn hm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

impl fmt::Display for WorkingWindows {
    /// `07:30-11:30,13:00-17:00`, the same form [`FromStr`] reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (s, e)) in self.windows().into_iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}-{}", hm(s), hm(e))?;
        }
        Ok(())
    }
}

impl FromStr for WorkingWindows {
    type Err = CalendarError;

    /// Reads `07:30-11:30,13:00-17:00` (the configuration form).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parse_t = |t: &str| {
            NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| {
                CalendarError::InvalidWindows(format!("{t:?} is not a time like 07:30"))
            })
        };
        let mut pairs = Vec::new();
        for part in s.split(',') {
            let Some((a, b)) = part.split_once('-') else {
                return Err(CalendarError::InvalidWindows(format!(
                    "{part:?} is not a window like 07:30-11:30"
                )));
            };
            pairs.push((parse_t(a)?, parse_t(b)?));
        }
        WorkingWindows::new(&pairs)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }
    const H: i64 = 3600 * NANOS_PER_SECOND;

    #[test]
    fn default_is_eight_hours() {
        let w = WorkingWindows::default();
        assert_eq!(w.day_length(), chrono::TimeDelta::hours(8));
        assert_eq!(w.end_of_day(), t(17, 0));
        assert_eq!(w.to_string(), "07:30-11:30,13:00-17:00");
        assert_eq!(
            WorkingWindows::new(&[(t(7, 30), t(11, 30)), (t(13, 0), t(17, 0))]).unwrap(),
            w
        );
        assert_eq!(
            "07:30-11:30, 13:00-17:00"
                .parse::<WorkingWindows>()
                .unwrap(),
            w
        );
    }

    #[test]
    fn offsets_and_times() {
        let w = WorkingWindows::default();
        assert_eq!(w.offset_at(7 * H), 0);
        assert_eq!(w.offset_at(11 * H + 30 * 60 * NANOS_PER_SECOND), 4 * H);
        assert_eq!(w.offset_at(12 * H), 4 * H);
        assert_eq!(w.offset_at(16 * H), 7 * H);
        assert_eq!(w.offset_at(18 * H), 8 * H);
        assert_eq!(time_of(w.time_at(4 * H)), t(11, 30));
        assert_eq!(
            time_of(w.time_at(4 * H + 1)),
            NaiveTime::from_hms_nano_opt(13, 0, 0, 1).unwrap()
        );
        assert_eq!(time_of(w.time_at(3 * H)), t(10, 30));
        assert_eq!(time_of(w.time_at(8 * H)), t(17, 0));
    }

    #[test]
    fn rejects_bad_windows() {
        assert!(WorkingWindows::new(&[]).is_err());
        assert!(WorkingWindows::new(&[(t(9, 0), t(9, 0))]).is_err());
        assert!(WorkingWindows::new(&[(t(10, 0), t(9, 0))]).is_err());
        assert!(WorkingWindows::new(&[(t(8, 0), t(12, 0)), (t(11, 0), t(17, 0))]).is_err());
        assert!(WorkingWindows::new(&[(t(8, 0), t(12, 0)), (t(12, 0), t(17, 0))]).is_err());
        assert!(
            WorkingWindows::new(&[(NaiveTime::from_hms_opt(8, 0, 30).unwrap(), t(12, 0))]).is_err()
        );
        let e = "8-12".parse::<WorkingWindows>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "working windows: \"8\" is not a time like 07:30"
        );
        assert!("07:30".parse::<WorkingWindows>().is_err());
    }
}
