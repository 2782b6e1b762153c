//! Reporting periods: quarters and months of the calendar year, a running one counted to
//! today (a later end would judge open dossiers as of a day that has not come).

use chrono::{Datelike, NaiveDate};
use motcua_index::compute::Period;

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

pub fn last_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    date(ny, nm, 1)?.pred_opt()
}

/// Quarter `q` (1–4) of year `y`, cut at `today` if it is running.
pub fn quarter(y: i32, q: u32, today: NaiveDate) -> Option<Period> {
    if !(1..=4).contains(&q) {
        return None;
    }
    let from = date(y, 3 * q - 2, 1)?;
    let to = last_of_month(y, 3 * q)?.min(today);
    Period::new(from, to).ok()
}

pub fn month(y: i32, m: u32, today: NaiveDate) -> Option<Period> {
    let from = date(y, m, 1)?;
    let to = last_of_month(y, m)?.min(today);
    Period::new(from, to).ok()
}

pub fn quarter_of(d: NaiveDate) -> u32 {
    (d.month() - 1) / 3 + 1
}

/// The running quarter (to `today`) and the whole quarter before it.
pub fn running_and_previous_quarter(today: NaiveDate) -> (Period, Period) {
    let (y, q) = (today.year(), quarter_of(today));
    let (py, pq) = if q == 1 { (y - 1, 4) } else { (y, q - 1) };
    // Both exist for any date chrono can hold but its last quarter; fall back to the day.
    let day = Period {
        from: today,
        to: today,
    };
    (
        quarter(y, q, today).unwrap_or(day),
        quarter(py, pq, today).unwrap_or(day),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn running_and_previous() {
        let (r, p) = running_and_previous_quarter(d("2026-02-03"));
        assert_eq!((r.from, r.to), (d("2026-01-01"), d("2026-02-03")));
        assert_eq!((p.from, p.to), (d("2025-10-01"), d("2025-12-31")));
    }
}
