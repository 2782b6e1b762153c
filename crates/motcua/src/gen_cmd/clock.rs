//! Time for `motcua gen`: milliseconds of local (+07:00) wall-clock time, hand-formatted
//! timestamps, and the working calendar as a precomputed day table.

use super::*;

// ---------------------------------------------------------------------------------------
// Time: milliseconds of local (+07:00) wall-clock time since 1970-01-01T00:00 local.

pub(super) const SEC: i64 = 1000;
pub(super) const MIN: i64 = 60 * SEC;
pub(super) const HOUR: i64 = 60 * MIN;
pub(super) const DAY: i64 = 24 * HOUR;
pub(super) const OFFSET_MS: i64 = 7 * HOUR;
// The default working windows of `spec/calendar.md` (07:30–11:30, 13:00–17:00), which
// `Calendar::vietnam()` uses; reception and handling happen inside them.
pub(super) const W1_START: i64 = 7 * HOUR + 30 * MIN;
pub(super) const W1_END: i64 = 11 * HOUR + 30 * MIN;
pub(super) const W2_START: i64 = 13 * HOUR;
pub(super) const W2_END: i64 = 17 * HOUR;

/// Days since 1970-01-01 of a civil date (Hinnant's algorithm).
pub(super) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(super) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

pub(super) fn day_of(date: NaiveDate) -> i64 {
    use chrono::Datelike;
    days_from_civil(
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    )
}

pub(super) fn date_of(day: i64) -> Option<NaiveDate> {
    let (y, m, d) = civil_from_days(day);
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m as u32, d as u32)
}

pub(super) fn push_2(out: &mut Vec<u8>, v: i64) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

pub(super) fn push_num(out: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

pub(super) fn push_date(out: &mut Vec<u8>, day: i64) {
    let (y, m, d) = civil_from_days(day);
    push_2(out, y / 100);
    push_2(out, y % 100);
    out.push(b'-');
    push_2(out, m);
    out.push(b'-');
    push_2(out, d);
}

/// `"2025-01-07T08:15:00+07:00"` (with `.mmm` when the instant has milliseconds: system
/// clocks stamp online submissions to the millisecond, people at a desk do not).
pub(super) fn push_ts(out: &mut Vec<u8>, t: i64) {
    let day = t.div_euclid(DAY);
    let tod = t.rem_euclid(DAY);
    out.push(b'"');
    push_date(out, day);
    out.push(b'T');
    push_2(out, tod / HOUR);
    out.push(b':');
    push_2(out, tod / MIN % 60);
    out.push(b':');
    push_2(out, tod / SEC % 60);
    let ms = tod % SEC;
    if ms != 0 {
        out.push(b'.');
        out.push(b'0' + (ms / 100) as u8);
        push_2(out, ms % 100);
    }
    out.extend_from_slice(b"+07:00\"");
}

pub(super) fn push_opt_ts(out: &mut Vec<u8>, t: Option<i64>) {
    match t {
        Some(t) => push_ts(out, t),
        None => out.extend_from_slice(b"null"),
    }
}

pub(super) fn push_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
            }
            c => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
    out.push(b'"');
}

pub(super) fn push_bool(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

/// The working calendar, with a precomputed day table around the generated span.
pub(super) struct Work {
    pub(super) cal: Calendar,
    pub(super) first: i64,
    pub(super) working: Vec<bool>,
}

impl Work {
    pub(super) fn new(cal: Calendar, first: i64, last: i64) -> Self {
        let working = (first..=last)
            .map(|d| date_of(d).is_some_and(|x| cal.is_working_day(x)))
            .collect();
        Self {
            cal,
            first,
            working,
        }
    }
    pub(super) fn is_working(&self, day: i64) -> bool {
        match usize::try_from(day - self.first)
            .ok()
            .and_then(|i| self.working.get(i))
        {
            Some(&w) => w,
            None => date_of(day).is_some_and(|x| self.cal.is_working_day(x)),
        }
    }
    /// The instant itself if it lies in a working window, else the start of the next one:
    /// officers act in office hours.
    pub(super) fn snap(&self, t: i64) -> i64 {
        // Officers' actions are recorded to the second.
        let t = t - t.rem_euclid(SEC);
        let mut day = t.div_euclid(DAY);
        let mut tod = t.rem_euclid(DAY);
        loop {
            if !self.is_working(day) || tod >= W2_END {
                day += 1;
                tod = W1_START;
                continue;
            }
            if tod < W1_START {
                tod = W1_START;
            } else if (W1_END..W2_START).contains(&tod) {
                tod = W2_START;
            }
            return day * DAY + tod;
        }
    }
    /// [`Work::snap`], but an instant moved to the next window start lands up to an hour
    /// after it: offices do not act all at 07:30:00 sharp.
    pub(super) fn snap_jitter(&self, rng: &mut Rng, t: i64) -> i64 {
        let s = self.snap(t);
        if s > t {
            s + rng.range(0, HOUR) / SEC * SEC
        } else {
            s
        }
    }
    /// End (17:00) of the n-th working day after `day`.
    pub(super) fn end_of_working_days(&self, day: i64, n: u32) -> i64 {
        let mut d = day;
        let mut left = n;
        while left > 0 {
            d += 1;
            if self.is_working(d) {
                left -= 1;
            }
        }
        d * DAY + W2_END
    }
    /// The appointment instant of the receipt, from the calendar (end_of_day mode).
    pub(super) fn due(&self, received: i64, limit: TimeLimit) -> Option<i64> {
        let start =
            DateTime::from_timestamp_millis(received - OFFSET_MS)?.with_timezone(&VIETNAM_OFFSET);
        let due = self.cal.checked_due(start, limit, DueMode::EndOfDay)?;
        Some(due.timestamp_millis() + OFFSET_MS)
    }
    /// A reception instant on a working day: mornings are busier than afternoons.
    pub(super) fn office_time(&self, rng: &mut Rng, day: i64) -> i64 {
        let tod = if rng.chance(0.6) {
            rng.range(W1_START, W1_END)
        } else {
            rng.range(W2_START, W2_END)
        };
        day * DAY + tod / SEC * SEC
    }
}
