//! Reporting periods: calendar quarters and months, a running one cut at today.

use chrono::NaiveDate;
use motcua_app::periods::{month, quarter, quarter_of, running_and_previous_quarter};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn quarters_and_months_are_whole_unless_running() {
    let today = d("2026-12-05");
    let q = quarter(2026, 3, today).unwrap();
    assert_eq!((q.from, q.to), (d("2026-07-01"), d("2026-09-30")));
    let q = quarter(2026, 4, today).unwrap();
    assert_eq!((q.from, q.to), (d("2026-10-01"), today), "cut at today");
    assert!(quarter(2026, 0, today).is_none());
    assert!(quarter(2026, 5, today).is_none());
    assert!(quarter(2027, 1, today).is_none(), "a quarter not begun");
    let m = month(2024, 2, today).unwrap();
    assert_eq!((m.from, m.to), (d("2024-02-01"), d("2024-02-29")));
    let m = month(2026, 12, today).unwrap();
    assert_eq!((m.from, m.to), (d("2026-12-01"), today));
    assert!(month(2026, 13, today).is_none());
}

#[test]
fn the_quarter_before_the_first_is_last_years_fourth() {
    let (running, previous) = running_and_previous_quarter(d("2027-01-01"));
    assert_eq!(
        (running.from, running.to),
        (d("2027-01-01"), d("2027-01-01"))
    );
    assert_eq!(
        (previous.from, previous.to),
        (d("2026-10-01"), d("2026-12-31"))
    );
    for (day, q) in [
        ("2026-03-31", 1),
        ("2026-04-01", 2),
        ("2026-09-30", 3),
        ("2026-12-31", 4),
    ] {
        assert_eq!(quarter_of(d(day)), q, "{day}");
    }
}
