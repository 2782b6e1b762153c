//! Due instants (spec "Due-date modes").
//!
//! Working time is measured in nanoseconds: a thousandth of an hour is 3.6 s and a
//! thousandth of an 8-hour day 28.8 s, so every limit converts exactly, and start
//! instants keep their sub-second part.

use chrono::{DateTime, FixedOffset, Months, NaiveDate, TimeDelta, Timelike};

use crate::table::{date_of, day_number};
use crate::windows::NANOS_PER_SECOND;
use crate::{Calendar, DueMode, DurationUnit, TimeLimit};

/// Vietnam's only offset, +07:00, no daylight saving.
pub const VIETNAM_OFFSET: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(o) => o,
    // Evaluated at compile time: 25200 s is a valid offset, so this arm cannot be built.
    None => panic!("+07:00 is a valid offset"),
};

const OFFSET_SECS: i64 = 7 * 3600;
const SECS_PER_DAY: i64 = 86_400;
/// chrono's day number (`num_days_from_ce`) of 1970-01-01.
const UNIX_EPOCH_DAY: i64 = 719_163;

const NANOS_PER_HOUR: i128 = 3600 * NANOS_PER_SECOND as i128;

impl Calendar {
    /// The due instant of `limit` counted from `start`, at +07:00.
    ///
    /// - `hours`: working time, whatever the mode.
    /// - `days` / `months`: end of the N-th calendar day / the same day N months later
    ///   (clamped to the month's end), rolled forward to the end of the next working
    ///   day when that day is off; whatever the mode.
    /// - `working_days` whole, `EndOfDay`: end of the N-th working day after the start
    ///   date. Fractional, or `WorkingTime`: N × (working hours per day) of working time.
    ///
    /// Saturates at the last representable instant; limits are capped (see
    /// [`crate::limit::MAX_VALUE`]) so only a start near year 262,000 gets there.
    pub fn due(
        &self,
        start: DateTime<FixedOffset>,
        limit: TimeLimit,
        mode: DueMode,
    ) -> DateTime<FixedOffset> {
        self.checked_due(start, limit, mode).unwrap_or_else(latest)
    }

    /// [`Calendar::due`], with `None` instead of saturating.
    pub fn checked_due(
        &self,
        start: DateTime<FixedOffset>,
        limit: TimeLimit,
        mode: DueMode,
    ) -> Option<DateTime<FixedOffset>> {
        // Everything runs on day numbers and nanoseconds since local midnight, taken
        // from the timestamp: no calendar-date conversion on the way (they dominate
        // the cost otherwise), and no `naive_local()`, which panics out of range.
        let local_secs = start.timestamp() + OFFSET_SECS;
        let day = local_secs.div_euclid(SECS_PER_DAY) + UNIX_EPOCH_DAY;
        let k = i128::from(limit.thousandths());
        match (limit.unit(), limit.whole_value(), mode) {
            (DurationUnit::WorkingDays, Some(n), DueMode::EndOfDay) => {
                self.end_of_day_number(self.table_add(day, n))
            }
            (DurationUnit::WorkingDays, _, _) => {
                let day_len = i128::from(self.windows().total_nanos());
                self.after_working_time(day, time_of_day(start, local_secs), k * day_len / 1000)
            }
            (DurationUnit::Hours, _, _) => self.after_working_time(
                day,
                time_of_day(start, local_secs),
                k * NANOS_PER_HOUR / 1000,
            ),
            (DurationUnit::Days, n, _) => self.end_of_rolled(day + i64::from(n?)),
            (DurationUnit::Months, n, _) => {
                let later = date_of(day)?.checked_add_months(Months::new(n?))?;
                self.end_of_rolled(day_number(later))
            }
        }
    }

    /// End of the last window of day number `day`; `None` past chrono's range (the
    /// timestamp conversion checks it).
    fn end_of_day_number(&self, day: i64) -> Option<DateTime<FixedOffset>> {
        let end = i64::from(self.windows().end_of_day().num_seconds_from_midnight());
        at_local(day, end * NANOS_PER_SECOND)
    }

    /// End of `day` if it is a working day, else end of the next working day.
    fn end_of_rolled(&self, day: i64) -> Option<DateTime<FixedOffset>> {
        if self.table_is_working(day) {
            self.end_of_day_number(day)
        } else {
            self.end_of_day_number(self.table_add(day, 1))
        }
    }

    /// The instant at which `amount` (> 0) nanoseconds of working time have elapsed
    /// after `tod` nanoseconds past midnight of day number `day`.
    fn after_working_time(
        &self,
        day: i64,
        tod: i64,
        amount: i128,
    ) -> Option<DateTime<FixedOffset>> {
        let windows = self.windows();
        let day_len = i128::from(windows.total_nanos());
        // Where working time starts: the start itself inside a working day's windows,
        // the next window start in a gap, or the next working day's first window.
        let (first, offset) = if self.table_is_working(day) {
            let off = i128::from(windows.offset_at(tod));
            if off < day_len {
                (day, off)
            } else {
                (self.table_add(day, 1), 0)
            }
        } else {
            (self.table_add(day, 1), 0)
        };
        let target = offset + amount;
        // The (target-1) form makes a target that completes a day end at that day's
        // last window end rather than at the next day's first window start.
        let days_forward = (target - 1) / day_len;
        let rest = i64::try_from(target - days_forward * day_len).ok()?;
        let last = self.table_add(first, u32::try_from(days_forward).ok()?);
        at_local(last, windows.time_at(rest))
    }
}

/// Nanoseconds since local midnight of `start`, whose local seconds are `local_secs`.
fn time_of_day(start: DateTime<FixedOffset>, local_secs: i64) -> i64 {
    // A leap second's nanosecond field runs past 1e9; it counts as the last
    // nanosecond of its second.
    let nanos = i64::from(start.timestamp_subsec_nanos().min(999_999_999));
    local_secs.rem_euclid(SECS_PER_DAY) * NANOS_PER_SECOND + nanos
}

/// The instant `tod` nanoseconds after local midnight of day number `day`, at +07:00.
fn at_local(day: i64, tod: i64) -> Option<DateTime<FixedOffset>> {
    let secs = (day - UNIX_EPOCH_DAY)
        .checked_mul(SECS_PER_DAY)?
        .checked_add(tod.div_euclid(NANOS_PER_SECOND) - OFFSET_SECS)?;
    let nanos = u32::try_from(tod.rem_euclid(NANOS_PER_SECOND)).ok()?;
    Some(DateTime::from_timestamp(secs, nanos)?.with_timezone(&VIETNAM_OFFSET))
}

/// The last instant whose +07:00 local time chrono can represent (to the day).
fn latest() -> DateTime<FixedOffset> {
    let last = NaiveDate::MAX.and_time(chrono::NaiveTime::MIN);
    // Midnight of the last day, local: seven hours earlier in UTC, representable.
    let utc = last - TimeDelta::hours(7);
    DateTime::from_naive_utc_and_offset(utc, VIETNAM_OFFSET)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use DurationUnit::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn due(start: &str, value: &str, unit: DurationUnit, mode: DueMode) -> String {
        let cal = Calendar::vietnam();
        cal.due(at(start), TimeLimit::parse(value, unit).unwrap(), mode)
            .to_rfc3339()
    }

    #[test]
    fn spec_worked_examples() {
        assert_eq!(
            due(
                "2025-04-25T10:00:00+07:00",
                "3",
                WorkingDays,
                DueMode::EndOfDay
            ),
            "2025-04-29T17:00:00+07:00"
        );
        assert_eq!(
            due(
                "2025-04-29T15:00:00+07:00",
                "2",
                WorkingDays,
                DueMode::EndOfDay
            ),
            "2025-05-06T17:00:00+07:00"
        );
        assert_eq!(
            due(
                "2025-03-03T16:00:00+07:00",
                "4",
                Hours,
                DueMode::WorkingTime
            ),
            "2025-03-04T10:30:00+07:00"
        );
    }

    #[test]
    fn start_is_read_at_plus_seven() {
        // 2025-04-25T03:00Z is 10:00 in Vietnam, the first example again.
        assert_eq!(
            due("2025-04-25T03:00:00Z", "3", WorkingDays, DueMode::EndOfDay),
            "2025-04-29T17:00:00+07:00"
        );
        // 2025-04-24T23:00-05:00 is already Friday 11:00 in Vietnam.
        assert_eq!(
            due(
                "2025-04-24T23:00:00-05:00",
                "3",
                WorkingDays,
                DueMode::EndOfDay
            ),
            "2025-04-29T17:00:00+07:00"
        );
    }

    #[test]
    fn working_time_edges() {
        let wt = DueMode::WorkingTime;
        // Ends exactly at a window end: 11:30, not 13:00.
        assert_eq!(
            due("2025-03-03T07:30:00+07:00", "4", Hours, wt),
            "2025-03-03T11:30:00+07:00"
        );
        // A full day from the first window start ends at 17:00 the same day.
        assert_eq!(
            due("2025-03-03T07:30:00+07:00", "1", WorkingDays, wt),
            "2025-03-03T17:00:00+07:00"
        );
        // Starts in the lunch gap, before hours, after hours, on a weekend.
        assert_eq!(
            due("2025-03-03T12:00:00+07:00", "1", Hours, wt),
            "2025-03-03T14:00:00+07:00"
        );
        assert_eq!(
            due("2025-03-03T06:00:00+07:00", "1", Hours, wt),
            "2025-03-03T08:30:00+07:00"
        );
        assert_eq!(
            due("2025-03-03T17:00:00+07:00", "1", Hours, wt),
            "2025-03-04T08:30:00+07:00"
        );
        assert_eq!(
            due("2025-03-08T09:00:00+07:00", "1", Hours, wt),
            "2025-03-10T08:30:00+07:00"
        );
        // 0.5 working day is working time even in end_of_day mode.
        assert_eq!(
            due(
                "2025-03-03T10:00:00+07:00",
                "0.5",
                WorkingDays,
                DueMode::EndOfDay
            ),
            "2025-03-03T15:30:00+07:00"
        );
        // Thousandths of an hour are 3.6 s.
        assert_eq!(
            due("2025-03-03T08:00:00+07:00", "0.001", Hours, wt),
            "2025-03-03T08:00:03.600+07:00"
        );
        // Working days in working_time mode cross the 30/4 break.
        assert_eq!(
            due("2025-04-29T15:00:00+07:00", "1", WorkingDays, wt),
            "2025-05-05T15:00:00+07:00"
        );
    }

    #[test]
    fn days_and_months_roll_forward() {
        let eod = DueMode::EndOfDay;
        // 2025-04-25 + 5 days = 30/4 (holiday) → rolls past 1/5, 2/5, weekend → 5/5.
        assert_eq!(
            due("2025-04-25T10:00:00+07:00", "5", Days, eod),
            "2025-05-05T17:00:00+07:00"
        );
        assert_eq!(
            due("2025-03-03T10:00:00+07:00", "1", Days, DueMode::WorkingTime),
            "2025-03-04T17:00:00+07:00"
        );
        // 31/1 + 1 month clamps to 28/2/2025 (Friday).
        assert_eq!(
            due("2025-01-31T10:00:00+07:00", "1", Months, eod),
            "2025-02-28T17:00:00+07:00"
        );
        // 26/4/2025 (worked Saturday) + 0 rolled: 1 month from 26/3 is Saturday 26/4, worked.
        assert_eq!(
            due("2025-03-26T10:00:00+07:00", "1", Months, eod),
            "2025-04-26T17:00:00+07:00"
        );
    }

    #[test]
    fn unix_epoch_day_number() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        assert_eq!(crate::table::day_number(epoch), UNIX_EPOCH_DAY);
    }

    #[test]
    fn fast_path_matches_the_general_path_and_other_windows() {
        let w: crate::WorkingWindows = "08:00-12:00,13:30-17:30".parse().unwrap();
        let cal = Calendar::new(crate::shipped_rows(), w).unwrap();
        let l = TimeLimit::whole(2, WorkingDays).unwrap();
        let due = cal.due(at("2025-04-29T23:59:59+07:00"), l, DueMode::EndOfDay);
        assert_eq!(due.to_rfc3339(), "2025-05-06T17:30:00+07:00");
        let due = cal.due(at("2025-04-29T17:00:00Z"), l, DueMode::EndOfDay);
        assert_eq!(
            due.to_rfc3339(),
            "2025-05-06T17:30:00+07:00",
            "00:00 on 30/4 in Vietnam"
        );
    }

    #[test]
    fn extreme_starts_saturate() {
        let cal = Calendar::vietnam();
        let far = DateTime::<chrono::Utc>::MAX_UTC.fixed_offset();
        let l = TimeLimit::whole(100_000, Months).unwrap();
        assert!(cal.checked_due(far, l, DueMode::EndOfDay).is_none());
        let d = cal.due(far, l, DueMode::EndOfDay);
        assert_eq!(d.offset(), &VIETNAM_OFFSET);
    }
}
