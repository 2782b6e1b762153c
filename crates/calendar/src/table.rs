//! Working-day arithmetic in O(1): a table of every day of 1900–2100 with prefix
//! counts of working days and the position of each working day, and closed forms
//! for the plain Monday–Friday week outside the table.
//!
//! Days are handled as chrono day numbers (`num_days_from_ce`, 1 = 0001-01-01, a
//! Monday), widened to i64 so that no step can overflow before the final
//! conversion back to a date.

use chrono::{Datelike, NaiveDate};

/// Day number of a date.
pub(crate) fn day_number(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce())
}

/// Date of a day number, if chrono can represent it.
pub(crate) fn date_of(n: i64) -> Option<NaiveDate> {
    i32::try_from(n)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// 0 = Monday … 6 = Sunday.
fn weekday_index(n: i64) -> i64 {
    (n - 1).rem_euclid(7)
}

pub(crate) fn weekly_is_working(n: i64) -> bool {
    weekday_index(n) < 5
}

/// Monday–Friday days in (day 0, n], up to a constant: only differences are used.
fn weekly_prefix(n: i64) -> i64 {
    n.div_euclid(7) * 5 + n.rem_euclid(7).min(5)
}

/// Monday–Friday days in (a, b], for a <= b.
fn weekly_count(a: i64, b: i64) -> u64 {
    u64::try_from(weekly_prefix(b) - weekly_prefix(a)).unwrap_or(0)
}

/// The n-th Monday–Friday day after day `a` (n >= 1).
fn weekly_add(a: i64, n: u64) -> i64 {
    let mut w = weekday_index(a);
    let mut a = a;
    if w >= 5 {
        // (Sat, x] and (Sun, x] hold the same weekdays as (Fri, x].
        a -= w - 4;
        w = 4;
    }
    let n = i64::try_from(n).unwrap_or(i64::MAX / 2);
    let total = w + n;
    (a - w) + total / 5 * 7 + total % 5
}

/// The n-th Monday–Friday day before day `b` (n >= 1).
fn weekly_sub(b: i64, n: u64) -> i64 {
    let mut w = weekday_index(b);
    let mut b = b;
    if w >= 5 {
        // [x, Sat) and [x, Sun) hold the same weekdays as [x, next Monday).
        b += 7 - w;
        w = 0;
    }
    let n = i64::try_from(n).unwrap_or(i64::MAX / 2);
    let total = w - n;
    (b - w) + total.div_euclid(5) * 7 + total.rem_euclid(5)
}

/// Working days of the tabulated range.
#[derive(Clone)]
pub(crate) struct DayTable {
    /// Day number of the first tabulated day.
    base: i64,
    /// Day number of the last tabulated day.
    end: i64,
    /// One bit per day: working or not.
    bits: Vec<u64>,
    /// rank[i] = working days in [base, base + i].
    rank: Vec<u32>,
    /// nth[k] = index of the (k+1)-th working day.
    nth: Vec<u32>,
}

impl DayTable {
    /// Build from a per-day predicate over [first, last].
    pub(crate) fn build(
        first: NaiveDate,
        last: NaiveDate,
        mut working: impl FnMut(NaiveDate, i64) -> bool,
    ) -> DayTable {
        let base = day_number(first);
        let end = day_number(last);
        let len = usize::try_from(end - base + 1).unwrap_or(0);
        let mut bits = vec![0u64; len.div_ceil(64)];
        let mut rank = Vec::with_capacity(len);
        let mut nth = Vec::with_capacity(len * 5 / 7 + 8);
        let mut count = 0u32;
        let mut date = Some(first);
        for i in 0..len {
            let Some(d) = date else { break };
            if working(d, base + i as i64) {
                bits[i / 64] |= 1 << (i % 64);
                // i < 80,000 for 1900–2100.
                nth.push(i as u32);
                count += 1;
            }
            rank.push(count);
            date = d.succ_opt();
        }
        DayTable {
            base,
            end,
            bits,
            rank,
            nth,
        }
    }

    fn total(&self) -> u64 {
        self.nth.len() as u64
    }

    /// Working days in [base, n] for base-1 <= n <= end.
    fn rank_at(&self, n: i64) -> u64 {
        if n < self.base {
            return 0;
        }
        self.rank
            .get((n - self.base) as usize)
            .map_or(0, |&r| u64::from(r))
    }

    /// Day number of the k-th working day of the table (k >= 1, k <= total).
    fn kth(&self, k: u64) -> i64 {
        self.base + self.nth.get((k - 1) as usize).map_or(0, |&i| i64::from(i))
    }

    pub(crate) fn is_working(&self, n: i64) -> bool {
        if n < self.base || n > self.end {
            return weekly_is_working(n);
        }
        let i = (n - self.base) as usize;
        self.bits
            .get(i / 64)
            .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    /// Working days in (base - 1, n], negative before the table: differences of it
    /// count working days between any two days.
    fn prefix(&self, n: i64) -> i64 {
        if n < self.base - 1 {
            weekly_prefix(n) - weekly_prefix(self.base - 1)
        } else if n <= self.end {
            self.rank_at(n) as i64
        } else {
            self.total() as i64 + weekly_prefix(n) - weekly_prefix(self.end)
        }
    }

    /// Working days in (a, b]; 0 when b <= a.
    pub(crate) fn count(&self, a: i64, b: i64) -> u64 {
        if b <= a {
            return 0;
        }
        u64::try_from(self.prefix(b) - self.prefix(a)).unwrap_or(0)
    }

    /// The n-th working day after day `a` (not counting `a`); n >= 1.
    pub(crate) fn add(&self, a: i64, n: u64) -> i64 {
        let (mut a, mut n) = (a, n);
        if a < self.base - 1 {
            let before = weekly_count(a, self.base - 1);
            if n <= before {
                return weekly_add(a, n);
            }
            n -= before;
            a = self.base - 1;
        }
        if a <= self.end {
            let k = self.rank_at(a) + n;
            if k <= self.total() {
                return self.kth(k);
            }
            n = k - self.total();
            a = self.end;
        }
        weekly_add(a, n)
    }

    /// The n-th working day before day `b` (not counting `b`); n >= 1.
    pub(crate) fn sub(&self, b: i64, n: u64) -> i64 {
        let (mut b, mut n) = (b, n);
        if b > self.end + 1 {
            let after = weekly_count(self.end, b - 1);
            if n <= after {
                return weekly_sub(b, n);
            }
            n -= after;
            b = self.end + 1;
        }
        if b >= self.base {
            let before = self.rank_at(b - 1);
            if n <= before {
                return self.kth(before - n + 1);
            }
            n -= before;
            b = self.base;
        }
        weekly_sub(b, n)
    }
}

impl std::fmt::Debug for DayTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DayTable")
            .field("first", &date_of(self.base))
            .field("last", &date_of(self.end))
            .field("working_days", &self.nth.len())
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A small table over 2000 with some holidays and a working Saturday, so that the
    /// boundaries are close enough for the properties to cross them often.
    fn small() -> DayTable {
        DayTable::build(d(2000, 1, 1), d(2000, 12, 31), |date, n| {
            let off = [d(2000, 1, 3), d(2000, 1, 4), d(2000, 12, 29)].contains(&date);
            let sat = date == d(2000, 1, 8);
            sat || (weekly_is_working(n) && !off)
        })
    }

    fn naive_add(t: &DayTable, a: i64, n: u64) -> i64 {
        let (mut x, mut left) = (a, n);
        while left > 0 {
            x += 1;
            if t.is_working(x) {
                left -= 1;
            }
        }
        x
    }

    fn naive_sub(t: &DayTable, b: i64, n: u64) -> i64 {
        let (mut x, mut left) = (b, n);
        while left > 0 {
            x -= 1;
            if t.is_working(x) {
                left -= 1;
            }
        }
        x
    }

    #[test]
    fn weekly_closed_forms() {
        let fri = day_number(d(2025, 4, 25));
        assert_eq!(date_of(weekly_add(fri, 1)), Some(d(2025, 4, 28)));
        assert_eq!(date_of(weekly_add(fri + 1, 1)), Some(d(2025, 4, 28)));
        assert_eq!(date_of(weekly_add(fri + 2, 5)), Some(d(2025, 5, 2)));
        assert_eq!(date_of(weekly_sub(fri + 3, 1)), Some(d(2025, 4, 25)));
        assert_eq!(date_of(weekly_sub(fri + 2, 1)), Some(d(2025, 4, 25)));
        assert_eq!(weekly_count(fri, fri + 7), 5);
    }

    proptest! {
        #[test]
        fn table_matches_a_day_loop(offset in -400i64..800, n in 1u64..400) {
            let t = small();
            let a = day_number(d(2000, 1, 1)) + offset;
            prop_assert_eq!(t.add(a, n), naive_add(&t, a, n));
            prop_assert_eq!(t.sub(a, n), naive_sub(&t, a, n));
            let b = a + n as i64;
            let naive_count = (a + 1..=b).filter(|&x| t.is_working(x)).count() as u64;
            prop_assert_eq!(t.count(a, b), naive_count);
        }
    }
}
