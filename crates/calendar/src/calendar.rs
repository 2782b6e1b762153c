//! The calendar: layered day rows over the weekly rest, and working-day arithmetic.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};

use crate::rows::validate_row;
use crate::rules::{is_weekend, weekday_vi};
use crate::table::{DayTable, date_of, day_number};
use crate::{CalendarError, DayRow, FIRST_YEAR, LAST_YEAR, WorkingWindows, proposed_rows};

/// What the calendar says about one date.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DayStatus {
    /// Whether it is a working day.
    pub working: bool,
    /// Why, when a row speaks about the date ("Tết Nguyên đán (…)"), or the weekly
    /// rest ("Thứ Bảy", "Chủ nhật"); `None` for an ordinary Monday–Friday.
    pub reason: Option<String>,
    /// The row's source; `None` for the weekly rest and ordinary days.
    pub source: Option<String>,
}

/// A working calendar. Cheap to query and to share (`Send + Sync`, read-only);
/// building one costs a few milliseconds, so build it once.
///
/// Layers, each overriding the one before (spec "Which days are working days"):
/// weekly rest (Saturday, Sunday off); then for each year either its official rows,
/// or, for a year without any, the rows [`proposed_rows`] gives. Dates outside
/// 1900–2100 follow the weekly rest only.
#[derive(Debug, Clone)]
pub struct Calendar {
    rows: BTreeMap<NaiveDate, DayRow>,
    official_years: BTreeSet<i32>,
    windows: WorkingWindows,
    table: DayTable,
}

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap_or(NaiveDate::MIN)
}

fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31).unwrap_or(NaiveDate::MIN)
}

impl Calendar {
    /// Build from official rows (any years in 1900–2100) and working windows. A year
    /// with at least one official row is described by its official rows alone; every
    /// other year gets the proposed rows.
    pub fn new(rows: Vec<DayRow>, windows: WorkingWindows) -> Result<Calendar, CalendarError> {
        let mut map = BTreeMap::new();
        let mut official_years = BTreeSet::new();
        for row in rows {
            validate_row(&row)?;
            official_years.insert(row.date.year());
            if let Some(old) = map.insert(row.date, row) {
                return Err(CalendarError::DuplicateDate(old.date));
            }
        }
        for year in FIRST_YEAR..=LAST_YEAR {
            if !official_years.contains(&year) {
                for row in proposed_rows(year) {
                    map.insert(row.date, row);
                }
            }
        }
        let table = DayTable::build(first_day(), last_day(), |date, n| {
            map.get(&date)
                .map_or_else(|| crate::table::weekly_is_working(n), |r| r.working)
        });
        Ok(Calendar {
            rows: map,
            official_years,
            windows,
            table,
        })
    }

    /// The shipped official rows (2024–2026) with the default working windows.
    ///
    /// Infallible: `new` fails only on invalid, duplicate or out-of-range rows, and
    /// the shipped rows are compiled in and checked by the test
    /// `vietnam_calendar_builds` (and `shipped_rows_parse`), so no input at run time
    /// can make it fail.
    pub fn vietnam() -> Calendar {
        #[allow(clippy::expect_used)]
        Calendar::new(crate::shipped_rows(), WorkingWindows::default())
            .expect("shipped rows build a calendar (checked by tests)")
    }

    /// The working windows.
    pub fn windows(&self) -> &WorkingWindows {
        &self.windows
    }

    /// Whether `year` is described by official rows (otherwise by proposals).
    pub fn is_official_year(&self, year: i32) -> bool {
        self.official_years.contains(&year)
    }

    /// The row in force for a date, official or proposed.
    pub fn row(&self, d: NaiveDate) -> Option<&DayRow> {
        self.rows.get(&d)
    }

    /// Everything the calendar knows about a date.
    pub fn day(&self, d: NaiveDate) -> DayStatus {
        if let Some(row) = self.rows.get(&d) {
            return DayStatus {
                working: row.working,
                reason: Some(row.reason.clone()),
                source: Some(row.source.clone()),
            };
        }
        let weekend = is_weekend(d);
        DayStatus {
            working: !weekend,
            reason: weekend.then(|| weekday_vi(d.weekday()).to_string()),
            source: None,
        }
    }

    /// Whether `d` is a working day.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        self.table.is_working(day_number(d))
    }

    /// The n-th working day after `d`, not counting `d`; `d` itself when n = 0.
    /// `None` only past chrono's last representable date.
    pub fn checked_add_working_days(&self, d: NaiveDate, n: u32) -> Option<NaiveDate> {
        if n == 0 {
            return Some(d);
        }
        date_of(self.table.add(day_number(d), u64::from(n)))
    }

    /// The n-th working day before `d`, not counting `d`; `d` itself when n = 0.
    /// `None` only before chrono's first representable date.
    pub fn checked_sub_working_days(&self, d: NaiveDate, n: u32) -> Option<NaiveDate> {
        if n == 0 {
            return Some(d);
        }
        date_of(self.table.sub(day_number(d), u64::from(n)))
    }

    /// The n-th working day after `d`, not counting `d` (spec "Counting backwards and
    /// between"); `d` itself when n = 0. Saturates at `NaiveDate::MAX`, which is
    /// hundreds of thousands of years away from any real date.
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        self.checked_add_working_days(d, n)
            .unwrap_or(NaiveDate::MAX)
    }

    /// The n-th working day before `d`, not counting `d`; `d` itself when n = 0.
    /// Saturates at `NaiveDate::MIN`.
    pub fn sub_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        self.checked_sub_working_days(d, n)
            .unwrap_or(NaiveDate::MIN)
    }

    /// `add_working_days` on day numbers, for the due-date fast path (n >= 1).
    pub(crate) fn table_add(&self, day: i64, n: u32) -> i64 {
        if n == 0 {
            return day;
        }
        self.table.add(day, u64::from(n))
    }

    /// `is_working_day` on a day number, for the due-date arithmetic.
    pub(crate) fn table_is_working(&self, day: i64) -> bool {
        self.table.is_working(day)
    }

    /// Working days in (a, b] (0 when b <= a); saturates at `u32::MAX`.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> u32 {
        let n = self.table.count(day_number(a), day_number(b));
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The year's exceptions to the weekly rest: weekdays off and worked weekend
    /// days, each with its reason and source, in date order.
    pub fn year_exceptions(&self, year: i32) -> Vec<DayRow> {
        let (Some(from), Some(to)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return Vec::new();
        };
        self.rows
            .range(from..=to)
            .map(|(_, r)| r)
            .filter(|r| r.working == is_weekend(r.date))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn row(date: NaiveDate, working: bool) -> DayRow {
        DayRow {
            date,
            working,
            reason: "r".into(),
            source: "s".into(),
        }
    }

    #[test]
    fn vietnam_calendar_builds() {
        let cal = Calendar::vietnam();
        assert!(cal.is_official_year(2025));
        assert!(!cal.is_official_year(2027));
        assert!(cal.is_working_day(d(2025, 4, 26)));
        assert!(!cal.is_working_day(d(2025, 5, 2)));
        assert!(!cal.is_working_day(d(2026, 2, 16)));
    }

    #[test]
    fn day_status_layers() {
        let cal = Calendar::vietnam();
        let sat = cal.day(d(2025, 4, 19));
        assert_eq!(
            (sat.working, sat.reason.as_deref(), sat.source),
            (false, Some("Thứ Bảy"), None)
        );
        let sun = cal.day(d(2025, 4, 20));
        assert_eq!(sun.reason.as_deref(), Some("Chủ nhật"));
        let mon = cal.day(d(2025, 4, 21));
        assert_eq!((mon.working, mon.reason), (true, None));
        let swap = cal.day(d(2025, 4, 26));
        assert!(swap.working && swap.reason.is_some() && swap.source.is_some());
        // Outside the table: weekly rest only.
        assert!(cal.is_working_day(d(2101, 1, 3)));
        assert!(!cal.is_working_day(d(1899, 12, 31)));
    }

    #[test]
    fn official_rows_replace_the_proposal_for_their_year_only() {
        // One official row in 2027 silences every 2027 proposal (Tết 2027 included).
        let cal =
            Calendar::new(vec![row(d(2027, 3, 1), false)], WorkingWindows::default()).unwrap();
        assert!(!cal.is_working_day(d(2027, 3, 1)));
        assert!(cal.is_working_day(d(2027, 2, 8)));
        // 2028 keeps its proposal: Tết 2028 is Wednesday 26/1.
        assert!(!cal.is_working_day(d(2028, 1, 26)));
    }

    #[test]
    fn rejects_invalid_rows() {
        let w = WorkingWindows::default;
        let dup = vec![row(d(2025, 1, 1), false), row(d(2025, 1, 1), false)];
        assert_eq!(
            Calendar::new(dup, w()).unwrap_err(),
            CalendarError::DuplicateDate(d(2025, 1, 1))
        );
        let mut empty = row(d(2025, 1, 1), false);
        empty.source = String::new();
        assert!(matches!(
            Calendar::new(vec![empty], w()),
            Err(CalendarError::EmptyField {
                field: "source",
                ..
            })
        ));
        assert_eq!(
            Calendar::new(vec![row(d(1899, 1, 2), false)], w()).unwrap_err(),
            CalendarError::OutOfRange(d(1899, 1, 2))
        );
    }

    #[test]
    fn counting_and_exceptions() {
        let cal = Calendar::vietnam();
        assert_eq!(cal.add_working_days(d(2025, 4, 25), 3), d(2025, 4, 29));
        assert_eq!(cal.add_working_days(d(2025, 4, 29), 2), d(2025, 5, 6));
        assert_eq!(cal.sub_working_days(d(2025, 5, 6), 2), d(2025, 4, 29));
        assert_eq!(cal.add_working_days(d(2025, 4, 25), 0), d(2025, 4, 25));
        assert_eq!(cal.working_days_between(d(2025, 4, 25), d(2025, 4, 29)), 3);
        assert_eq!(cal.working_days_between(d(2025, 4, 29), d(2025, 4, 25)), 0);
        assert_eq!(cal.working_days_between(d(1899, 12, 29), d(2101, 1, 3)), {
            let mut n = 0;
            let mut x = d(1899, 12, 29);
            while x < d(2101, 1, 3) {
                x = x.succ_opt().unwrap();
                n += u32::from(cal.is_working_day(x));
            }
            n
        });
        assert_eq!(cal.add_working_days(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(cal.sub_working_days(NaiveDate::MIN, 1), NaiveDate::MIN);
        let ex = cal.year_exceptions(2025);
        assert!(ex.iter().any(|r| r.date == d(2025, 4, 26) && r.working));
        assert!(ex.iter().any(|r| r.date == d(2025, 5, 2) && !r.working));
        assert!(ex.iter().all(|r| r.date.year() == 2025));
        assert!(ex.windows(2).all(|p| p[0].date < p[1].date));
        assert!(cal.year_exceptions(2200).is_empty());
    }
}
