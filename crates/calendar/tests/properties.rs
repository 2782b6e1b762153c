//! The spec's properties ("Properties the tests must hold"), over years 2000–2100.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use chrono::{Duration, TimeZone};
use motcua_calendar::{
    Calendar, DateTime, DueMode, DurationUnit, FixedOffset, NaiveDate, TimeLimit,
};
use proptest::prelude::*;

fn cal() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(Calendar::vietnam)
}

fn date_2000_2100() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let span = (NaiveDate::from_ymd_opt(2100, 12, 31).unwrap() - first).num_days();
    (0..=span).prop_map(move |k| first + Duration::days(k))
}

/// Instants in 2000–2100, often on the edges of the default windows, in one of
/// several offsets (the calendar must read every one of them at +07:00).
fn instant() -> impl Strategy<Value = DateTime<FixedOffset>> {
    let edge_secs = prop_oneof![
        Just(7 * 3600 + 1800),
        Just(11 * 3600 + 1800),
        Just(13 * 3600),
        Just(17 * 3600),
        Just(17 * 3600 - 1),
        Just(12 * 3600),
        Just(0),
    ];
    let secs = prop_oneof![0i64..86_400, edge_secs];
    let offset = prop_oneof![
        Just(7 * 3600),
        Just(0),
        Just(-5 * 3600),
        Just(9 * 3600 + 1800)
    ];
    (date_2000_2100(), secs, 0u32..1_000_000_000, offset).prop_map(|(d, s, ns, off)| {
        let local_vn = d.and_hms_opt(0, 0, 0).unwrap()
            + Duration::seconds(s)
            + Duration::nanoseconds(i64::from(ns % 2) * i64::from(ns));
        let vn = FixedOffset::east_opt(7 * 3600).unwrap();
        vn.from_local_datetime(&local_vn)
            .unwrap()
            .with_timezone(&FixedOffset::east_opt(off).unwrap())
    })
}

fn unit() -> impl Strategy<Value = DurationUnit> {
    prop_oneof![
        Just(DurationUnit::Hours),
        Just(DurationUnit::WorkingDays),
        Just(DurationUnit::Days),
        Just(DurationUnit::Months),
    ]
}

fn mode() -> impl Strategy<Value = DueMode> {
    prop_oneof![Just(DueMode::EndOfDay), Just(DueMode::WorkingTime)]
}

/// A valid limit of `unit` from a raw number of thousandths (1..=60,000).
fn limit(unit: DurationUnit, raw: u32) -> TimeLimit {
    let t = if unit.allows_fraction() {
        raw
    } else {
        raw.div_ceil(1000) * 1000
    };
    TimeLimit::new(t, unit).unwrap()
}

fn working_days_in(cal: &Calendar, a: NaiveDate, b: NaiveDate) -> u32 {
    let mut n = 0;
    let mut x = a.succ_opt().unwrap();
    while x <= b {
        n += u32::from(cal.is_working_day(x));
        x = x.succ_opt().unwrap();
    }
    n
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn add_working_days_lands_on_the_nth_working_day(d in date_2000_2100(), n in 1u32..400) {
        let cal = cal();
        let r = cal.add_working_days(d, n);
        prop_assert!(cal.is_working_day(r));
        prop_assert!(r > d);
        prop_assert_eq!(working_days_in(cal, d, r), n);
    }

    #[test]
    fn sub_working_days_is_the_mirror(d in date_2000_2100(), n in 1u32..400) {
        let cal = cal();
        let r = cal.sub_working_days(d, n);
        prop_assert!(cal.is_working_day(r));
        prop_assert!(r < d);
        // Exactly n working days in [r, d).
        prop_assert_eq!(working_days_in(cal, r.pred_opt().unwrap(), d.pred_opt().unwrap()), n);
        if cal.is_working_day(d) {
            prop_assert_eq!(cal.add_working_days(r, n), d);
            prop_assert_eq!(cal.sub_working_days(cal.add_working_days(d, n), n), d);
        }
    }

    #[test]
    fn due_is_monotone_in_the_start(
        a in instant(), b in instant(), unit in unit(), raw in 1u32..60_000, mode in mode()
    ) {
        let cal = cal();
        let (s1, s2) = if a <= b { (a, b) } else { (b, a) };
        let l = limit(unit, raw);
        prop_assert!(cal.due(s1, l, mode) <= cal.due(s2, l, mode), "{} {} {:?}", s1, s2, l);
    }

    #[test]
    fn due_is_monotone_in_the_duration(
        s in instant(), unit in unit(), x in 1u32..60_000, y in 1u32..60_000, mode in mode()
    ) {
        let cal = cal();
        let (a, b) = (limit(unit, x.min(y)), limit(unit, x.max(y)));
        // The spec computes a fractional number of working days as working time even
        // in end_of_day mode, so a whole count (end of its last day) can end after a
        // larger fractional one; see `end_of_day_fraction_is_not_monotone` below. Every
        // other pair is monotone.
        let whole_then_fraction = unit == DurationUnit::WorkingDays
            && mode == DueMode::EndOfDay
            && a.whole_value().is_some()
            && b.whole_value().is_none();
        prop_assume!(!whole_then_fraction);
        prop_assert!(cal.due(s, a, mode) <= cal.due(s, b, mode), "{} {:?} {:?}", s, a, b);
    }

    #[test]
    fn working_time_is_additive(
        s in instant(), x in 1u32..40_000, y in 1u32..40_000,
        hours in any::<bool>()
    ) {
        let cal = cal();
        let unit = if hours { DurationUnit::Hours } else { DurationUnit::WorkingDays };
        let wt = DueMode::WorkingTime;
        let a = TimeLimit::new(x, unit).unwrap();
        let b = TimeLimit::new(y, unit).unwrap();
        let ab = TimeLimit::new(x + y, unit).unwrap();
        let then = cal.due(cal.due(s, a, wt), b, wt);
        prop_assert_eq!(then, cal.due(s, ab, wt));
    }

    #[test]
    fn due_is_at_plus_seven_and_not_before_the_start(
        s in instant(), unit in unit(), raw in 1u32..60_000, mode in mode()
    ) {
        let due = cal().due(s, limit(unit, raw), mode);
        prop_assert_eq!(due.offset().local_minus_utc(), 7 * 3600);
        prop_assert!(due > s);
    }
}

#[test]
fn end_of_day_fraction_is_not_monotone() {
    // Documented consequence of the spec's literal rule: from Monday 07:00, one
    // working day (end_of_day) is Tuesday 17:00, but 1.5 working days is 12 hours of
    // working time, Tuesday 11:30.
    let cal = cal();
    let s = DateTime::parse_from_rfc3339("2025-03-03T07:00:00+07:00").unwrap();
    let one = TimeLimit::parse("1", DurationUnit::WorkingDays).unwrap();
    let one_half = TimeLimit::parse("1.5", DurationUnit::WorkingDays).unwrap();
    assert_eq!(
        cal.due(s, one, DueMode::EndOfDay).to_rfc3339(),
        "2025-03-04T17:00:00+07:00"
    );
    assert_eq!(
        cal.due(s, one_half, DueMode::EndOfDay).to_rfc3339(),
        "2025-03-04T11:30:00+07:00"
    );
}

#[test]
fn spec_worked_examples() {
    let cal = cal();
    let at = |s| DateTime::parse_from_rfc3339(s).unwrap();
    let wd = |n| TimeLimit::whole(n, DurationUnit::WorkingDays).unwrap();
    assert_eq!(
        cal.due(at("2025-04-25T10:00:00+07:00"), wd(3), DueMode::EndOfDay)
            .to_rfc3339(),
        "2025-04-29T17:00:00+07:00"
    );
    assert_eq!(
        cal.due(at("2025-04-29T15:00:00+07:00"), wd(2), DueMode::EndOfDay)
            .to_rfc3339(),
        "2025-05-06T17:00:00+07:00"
    );
    assert_eq!(
        cal.due(
            at("2025-03-03T16:00:00+07:00"),
            TimeLimit::whole(4, DurationUnit::Hours).unwrap(),
            DueMode::WorkingTime
        )
        .to_rfc3339(),
        "2025-03-04T10:30:00+07:00"
    );
}

#[test]
fn invalid_inputs_are_rejected() {
    use DurationUnit::*;
    for (v, u) in [
        ("0", Hours),
        ("-3", WorkingDays),
        ("0.5", Days),
        ("1.5", Months),
        ("x", Hours),
    ] {
        assert!(TimeLimit::parse(v, u).is_err(), "{v} {u}");
    }
    assert!("weeks".parse::<DurationUnit>().is_err());
    assert!(motcua_calendar::parse_rows("{\"date\":\"2025-13-01\"}").is_err());
    assert!(
        "17:00-07:30"
            .parse::<motcua_calendar::WorkingWindows>()
            .is_err()
    );
}
