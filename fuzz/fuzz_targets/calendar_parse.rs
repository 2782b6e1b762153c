//! The calendar's parsers and the due-date arithmetic on what they parse.
//!
//! Input: text lines, as a configuration file or a catalogue would give them:
//! 1. start instant (RFC 3339, or seconds since 1970)
//! 2. time-limit value (`3`, `0.5`; also tried as the JSON `{"value":…,"unit":…}`)
//! 3. unit (`hours`, `working_days`, `days`, `months`)
//! 4. due mode (`end_of_day`, `working_time`)
//! 5. working windows (`07:30-11:30,13:00-17:00`; empty: the default)
//! 6. a date (`YYYY-MM-DD`, or a chrono day number) and 7. a count of working days
//!
//! and the rest as day rows (JSON Lines).
//!
//! Invariants: parsing is the inverse of printing; a due instant is after its start, on a
//! working day, at the end of the day or inside a window as the unit says, and a longer
//! limit is never due earlier; working-day counting agrees with adding and subtracting.
#![no_main]

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use libfuzzer_sys::fuzz_target;
use motcua_calendar::{
    Calendar, DayRow, DueMode, DurationUnit, TimeLimit, VIETNAM_OFFSET, WorkingWindows, lunar,
    parse_rows, shipped_rows,
};

thread_local! {
    /// Building a calendar takes milliseconds; one per distinct windows text, kept.
    static CALENDARS: RefCell<HashMap<String, Calendar>> = RefCell::new(HashMap::new());
}

fn with_calendar<R>(windows: &WorkingWindows, f: impl FnOnce(&Calendar) -> R) -> R {
    CALENDARS.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 64 {
            c.clear();
        }
        let cal = c.entry(windows.to_string()).or_insert_with(|| {
            Calendar::new(shipped_rows(), windows.clone()).expect("shipped rows build")
        });
        f(cal)
    })
}

fn start_instant(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok().or_else(|| {
        let secs: i64 = s.trim().parse().ok()?;
        Some(DateTime::from_timestamp(secs, 0)?.with_timezone(&VIETNAM_OFFSET))
    })
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .or_else(|| NaiveDate::from_num_days_from_ce_opt(s.trim().parse().ok()?))
}

fn check_limit(limit: TimeLimit) {
    assert!(limit.thousandths() > 0 && limit.thousandths() <= 100_000_000);
    assert!(limit.unit().allows_fraction() || limit.whole_value().is_some());
    let again = TimeLimit::parse(&limit.value_string(), limit.unit()).expect("printed limit");
    assert_eq!(again, limit);
    let json = serde_json::to_string(&limit).unwrap();
    assert_eq!(
        serde_json::from_str::<TimeLimit>(&json).unwrap(),
        limit,
        "{json}"
    );
}

fn check_windows(w: &WorkingWindows) {
    let printed = w.to_string();
    assert_eq!(
        &printed.parse::<WorkingWindows>().expect("printed windows"),
        w
    );
    let spans = w.windows();
    assert!(!spans.is_empty());
    let total: i64 = spans.iter().map(|(s, e)| (*e - *s).num_seconds()).sum();
    assert_eq!(w.day_length().num_seconds(), total);
    assert_eq!(w.end_of_day(), spans[spans.len() - 1].1);
}

fn check_due(cal: &Calendar, start: DateTime<FixedOffset>, limit: TimeLimit, mode: DueMode) {
    let Some(due) = cal.checked_due(start, limit, mode) else {
        // Only past chrono's range, hundreds of millennia away.
        assert!(
            start.timestamp() > 200_000 * 365 * 86_400,
            "{start} {limit}"
        );
        return;
    };
    assert_eq!(cal.due(start, limit, mode), due);
    assert_eq!(*due.offset(), VIETNAM_OFFSET);
    assert!(due > start, "{start} + {limit} ({mode:?}) = {due}");
    let local = due.naive_local();
    assert!(cal.is_working_day(local.date()), "{due} is a day off");
    let end_of_day = matches!(
        (limit.unit(), limit.whole_value(), mode),
        (DurationUnit::Days | DurationUnit::Months, _, _)
            | (DurationUnit::WorkingDays, Some(_), DueMode::EndOfDay)
    );
    let t = local.time();
    if end_of_day {
        assert_eq!(t, cal.windows().end_of_day(), "{start} + {limit} = {due}");
    } else {
        let inside = cal
            .windows()
            .windows()
            .iter()
            .any(|&(s, e)| s < t && t <= e);
        assert!(inside, "{start} + {limit} = {due} is outside the windows");
    }
    // One more unit is never due earlier.
    if let Ok(longer) = TimeLimit::new(limit.thousandths() + 1000, limit.unit())
        && let Some(later) = cal.checked_due(start, longer, mode)
    {
        assert!(
            later >= due,
            "{start}: {limit} -> {due}, {longer} -> {later}"
        );
    }
}

fn check_working_days(cal: &Calendar, d: NaiveDate, n: u32) {
    assert_eq!(cal.day(d).working, cal.is_working_day(d));
    if let Some(a) = cal.checked_add_working_days(d, n) {
        if n == 0 {
            assert_eq!(a, d);
        } else {
            assert!(a > d && cal.is_working_day(a), "{d} + {n} = {a}");
            assert_eq!(cal.working_days_between(d, a), n, "{d} + {n} = {a}");
            assert_eq!(cal.working_days_between(a, d), 0);
            let back = cal
                .checked_sub_working_days(a, n)
                .expect("back to a representable day");
            assert!(
                back <= d && cal.working_days_between(back, d) == 0,
                "{d} {n} {a} {back}"
            );
        }
    }
    if let Some(b) = cal.checked_sub_working_days(d, n)
        && n > 0
    {
        assert!(b < d && cal.is_working_day(b), "{d} - {n} = {b}");
        let expected = n - u32::from(!cal.is_working_day(d));
        assert_eq!(cal.working_days_between(b, d), expected, "{d} - {n} = {b}");
    }
    if let Some(l) = lunar::from_solar(d) {
        assert_eq!(
            lunar::to_solar(l.year, l.month, l.day, l.leap),
            Some(d),
            "{l:?}"
        );
        // Tết is tabulated for 1900–2100; early January 1900 is still in lunar 1899.
        if let Some(tet) = lunar::tet(l.year) {
            assert!(tet <= d, "{d}: {l:?} before its Tết {tet}");
        }
        let _ = l.label();
    }
}

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let mut lines = text.splitn(8, '\n');
    let mut next = || lines.next().unwrap_or("");
    let (start, value, unit, mode, windows, day, count) =
        (next(), next(), next(), next(), next(), next(), next());
    let rows = lines.next().unwrap_or("");

    let unit = unit.trim().parse::<DurationUnit>().ok();
    let mode = mode.trim().parse::<DueMode>().unwrap_or_default();
    let limit = match unit {
        Some(u) => TimeLimit::parse(value, u).ok(),
        None => serde_json::from_str::<TimeLimit>(value).ok(),
    };
    if let Some(limit) = limit {
        check_limit(limit);
    }
    let windows = if windows.trim().is_empty() {
        Some(WorkingWindows::default())
    } else {
        windows.parse::<WorkingWindows>().ok()
    };
    if let Some(w) = &windows {
        check_windows(w);
    }
    let start = start_instant(start);
    let d = date(day);
    let n = count.trim().parse::<u32>().ok();

    if let Some(w) = &windows {
        with_calendar(w, |cal| {
            if let (Some(start), Some(limit)) = (start, limit) {
                check_due(cal, start, limit, mode);
            }
            if let (Some(d), Some(n)) = (d, n) {
                check_working_days(cal, d, n);
            }
        });
    }

    if let Ok(parsed) = parse_rows(rows) {
        for row in parsed {
            let json = serde_json::to_string(&row).unwrap();
            assert_eq!(serde_json::from_str::<DayRow>(&json).unwrap(), row);
            assert!(!row.reason.trim().is_empty() && !row.source.trim().is_empty());
        }
    }
});
