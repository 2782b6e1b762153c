//! Due-date throughput: the calendar's O(1) table against a naive day-by-day loop,
//! on the same 1M random (start, duration) pairs, for end_of_day and working_time.
//!
//! `cargo bench -p motcua-calendar --bench due` first prints computations per second
//! for each implementation (median of 5 passes over all pairs) and the ratio, after
//! checking that both agree on every pair; then criterion measures smaller batches.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use criterion::{Criterion, Throughput};
use motcua_calendar::{
    Calendar, DateTime, DueMode, DurationUnit, FixedOffset, TimeLimit, VIETNAM_OFFSET,
};

const PAIRS: usize = 1_000_000;

/// xorshift64*: a fixed seed gives the same pairs on every machine.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Pair {
    start: DateTime<FixedOffset>,
    limit: TimeLimit,
}

/// Starts uniform over 2000–2099 (to the second); durations 1–30 working days for
/// end_of_day, 0.001–80 hours for working_time.
fn pairs(unit: DurationUnit, seed: u64) -> Vec<Pair> {
    let mut rng = XorShift(seed);
    let first = NaiveDate::from_ymd_opt(2000, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let span = 100 * 365 * 86_400;
    (0..PAIRS)
        .map(|_| {
            let local = first + Duration::seconds(rng.below(span) as i64);
            let start = VIETNAM_OFFSET.from_local_datetime(&local).unwrap();
            let limit = match unit {
                DurationUnit::WorkingDays => {
                    TimeLimit::whole(1 + rng.below(30) as u32, unit).unwrap()
                }
                _ => TimeLimit::new(1 + rng.below(80_000) as u32, DurationUnit::Hours).unwrap(),
            };
            Pair { start, limit }
        })
        .collect()
}

/// The obvious implementation: walk day by day, asking the calendar about each day.
mod naive {
    use super::*;

    pub fn end_of_day(cal: &Calendar, start: DateTime<FixedOffset>, n: u32) -> NaiveDateTime {
        let mut d = start.with_timezone(&VIETNAM_OFFSET).date_naive();
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().unwrap();
            if cal.is_working_day(d) {
                left -= 1;
            }
        }
        d.and_time(cal.windows().end_of_day())
    }

    /// Working time in whole nanoseconds, consumed window by window, day by day.
    pub fn working_time(
        cal: &Calendar,
        start: DateTime<FixedOffset>,
        hours_milli: u32,
    ) -> NaiveDateTime {
        let windows = cal.windows().windows();
        let local = start.with_timezone(&VIETNAM_OFFSET).naive_local();
        let mut left = i64::from(hours_milli) * 3_600_000_000;
        let mut day = local.date();
        let mut from = Some(local.time());
        loop {
            if cal.is_working_day(day) {
                for &(ws, we) in &windows {
                    let s = match from {
                        Some(t) if t >= we => continue,
                        Some(t) if t > ws => t,
                        _ => ws,
                    };
                    let avail = (we - s).num_nanoseconds().unwrap();
                    if left <= avail {
                        return day.and_time(s) + Duration::nanoseconds(left);
                    }
                    left -= avail;
                }
            }
            day = day.succ_opt().unwrap();
            from = None;
        }
    }
}

fn rate(mut f: impl FnMut() -> u64) -> f64 {
    let mut runs: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            PAIRS as f64 / t.elapsed().as_secs_f64()
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[2]
}

fn checksum(d: DateTime<FixedOffset>) -> u64 {
    d.timestamp() as u64 ^ u64::from(d.nanosecond())
}

fn report(cal: &Calendar) {
    for (name, unit, mode) in [
        ("end_of_day", DurationUnit::WorkingDays, DueMode::EndOfDay),
        ("working_time", DurationUnit::Hours, DueMode::WorkingTime),
    ] {
        let ps = pairs(unit, 0x6d6f_7463_7561);
        let slow = |p: &Pair| match mode {
            DueMode::EndOfDay => naive::end_of_day(cal, p.start, p.limit.whole_value().unwrap()),
            DueMode::WorkingTime => naive::working_time(cal, p.start, p.limit.thousandths()),
        };
        for p in &ps {
            let fast = cal.due(p.start, p.limit, mode).naive_local();
            assert_eq!(fast, slow(p), "{} {}", p.start, p.limit);
        }
        let fast_rate = rate(|| {
            ps.iter()
                .map(|p| checksum(cal.due(p.start, p.limit, mode)))
                .sum()
        });
        let slow_rate = rate(|| {
            ps.iter()
                .map(|p| {
                    let l = slow(p);
                    l.and_utc().timestamp() as u64 ^ u64::from(l.nanosecond())
                })
                .sum()
        });
        println!(
            "{name}: calendar {:.2} M/s, naive day loop {:.2} M/s, ratio {:.1}x ({PAIRS} pairs, all equal)",
            fast_rate / 1e6,
            slow_rate / 1e6,
            fast_rate / slow_rate
        );
    }
}

fn main() {
    let cal = Calendar::vietnam();
    report(&cal);

    let mut c = Criterion::default().sample_size(10).configure_from_args();
    let eod = pairs(DurationUnit::WorkingDays, 1);
    let wt = pairs(DurationUnit::Hours, 2);
    let batch = 10_000;
    let mut g = c.benchmark_group("due_10k_pairs");
    g.throughput(Throughput::Elements(batch as u64));
    g.bench_function("end_of_day/calendar", |b| {
        b.iter(|| {
            eod[..batch]
                .iter()
                .map(|p| checksum(cal.due(p.start, p.limit, DueMode::EndOfDay)))
                .sum::<u64>()
        })
    });
    g.bench_function("end_of_day/naive", |b| {
        b.iter(|| {
            eod[..batch]
                .iter()
                .map(|p| {
                    naive::end_of_day(&cal, p.start, p.limit.whole_value().unwrap())
                        .and_utc()
                        .timestamp() as u64
                })
                .sum::<u64>()
        })
    });
    g.bench_function("working_time/calendar", |b| {
        b.iter(|| {
            wt[..batch]
                .iter()
                .map(|p| checksum(cal.due(p.start, p.limit, DueMode::WorkingTime)))
                .sum::<u64>()
        })
    });
    g.bench_function("working_time/naive", |b| {
        b.iter(|| {
            wt[..batch]
                .iter()
                .map(|p| {
                    naive::working_time(&cal, p.start, p.limit.thousandths())
                        .and_utc()
                        .timestamp() as u64
                })
                .sum::<u64>()
        })
    });
    g.finish();
    c.final_summary();
}
