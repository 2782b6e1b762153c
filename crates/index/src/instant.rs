//! Instants as nanoseconds since the Unix epoch (UTC), and civil days at +07:00.
//!
//! Every dossier carries up to a dozen timestamps and a computation may read ten million
//! dossiers, so instants are a plain `i64` compared with `<`, and RFC 3339 text is parsed by
//! a hand-written fast path (chrono's parser is the fallback for the rare forms the fast path
//! does not take, such as leap seconds). `i64` nanoseconds cover 1677–2262, far beyond any
//! administrative record; sub-second precision is kept exactly.

use chrono::{DateTime, FixedOffset, NaiveDate};

/// An instant, in nanoseconds since 1970-01-01T00:00:00Z.
pub type Instant = i64;

/// "No such instant" (no event of that kind, never received). Chosen as the largest value so
/// that `t < E` is false for it without a special case.
pub const NEVER: Instant = i64::MAX;

const NANOS_PER_SEC: i64 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;
const VN_OFFSET_SECS: i64 = 7 * 3600;
/// Day number (days since 1970-01-01) of chrono's `num_days_from_ce` origin shift.
const UNIX_EPOCH_CE_DAY: i32 = 719_163;

/// Civil day at +07:00 of an instant, as days since 1970-01-01. `NEVER` maps to `i32::MAX`.
pub fn local_day(t: Instant) -> i32 {
    if t == NEVER {
        return i32::MAX;
    }
    let secs = t.div_euclid(NANOS_PER_SEC) + VN_OFFSET_SECS;
    // In range: |t| ≤ 9.2e18 ns is ≤ 1.1e5 years, i.e. ≤ 4e7 days.
    secs.div_euclid(SECS_PER_DAY) as i32
}

/// Midnight (+07:00) that starts day number `day`.
pub fn day_start(day: i32) -> Instant {
    (i64::from(day) * SECS_PER_DAY - VN_OFFSET_SECS).saturating_mul(NANOS_PER_SEC)
}

/// Day number of a civil date.
pub fn day_of_date(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce() - UNIX_EPOCH_CE_DAY
}

/// Civil date of a day number (`None` outside chrono's range).
pub fn date_of_day(day: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(day.checked_add(UNIX_EPOCH_CE_DAY)?)
}

pub fn from_datetime(t: DateTime<FixedOffset>) -> Option<Instant> {
    t.timestamp_nanos_opt()
}

/// The instant as chrono's type, shown at +07:00.
pub fn to_datetime(t: Instant) -> DateTime<FixedOffset> {
    DateTime::from_timestamp_nanos(t).with_timezone(&motcua_calendar::VIETNAM_OFFSET)
}

/// Parses an RFC 3339 timestamp with offset, keeping sub-second precision.
pub fn parse_rfc3339(s: &str) -> Result<Instant, String> {
    if let Some(t) = fast_rfc3339(s.as_bytes()) {
        return Ok(t);
    }
    let dt = DateTime::parse_from_rfc3339(s)
        .map_err(|e| format!("{s:?} is not an RFC 3339 timestamp with offset ({e})"))?;
    from_datetime(dt).ok_or_else(|| format!("{s:?} is outside the years 1677–2262"))
}

fn digits(b: &[u8]) -> Option<i64> {
    let mut v = 0i64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// Days from 1970-01-01 to the civil date y-m-d (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)`; anything else goes to chrono.
fn fast_rfc3339(b: &[u8]) -> Option<Instant> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't') {
        return None;
    }
    let (y, mo, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let (h, mi, se) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 {
        return None;
    }
    if se > 59 {
        return None; // a leap second: chrono knows what to do with it
    }
    let mut i = 19;
    let mut nanos = 0i64;
    if b[i] == b'.' {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let n = i - start;
        if n == 0 || n > 9 {
            return None;
        }
        nanos = digits(&b[start..i])? * 10i64.pow((9 - n) as u32);
    }
    let offset = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let oh = digits(&[*h1, *h2])?;
            let om = digits(&[*m1, *m2])?;
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * SECS_PER_DAY + h * 3600 + mi * 60 + se - offset;
    secs.checked_mul(NANOS_PER_SEC)?.checked_add(nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_agrees_with_chrono() {
        for s in [
            "2025-01-07T08:15:00+07:00",
            "2025-01-07T08:15:00.123456789+07:00",
            "2025-01-07T08:15:00.5Z",
            "2024-02-29T23:59:59-05:30",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999+00:00",
        ] {
            let chrono = DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_nanos_opt()
                .unwrap();
            assert_eq!(fast_rfc3339(s.as_bytes()), Some(chrono), "{s}");
        }
    }

    #[test]
    fn refuses_what_is_not_rfc3339() {
        for s in [
            "2025-01-07T08:15:00",
            "2025-02-30T08:15:00+07:00",
            "2025-01-07 08:15",
            "2025-01-07",
            "",
            "2025-01-07T24:00:00+07:00",
        ] {
            assert!(parse_rfc3339(s).is_err(), "{s}");
        }
        // chrono's fallback takes a leap second.
        assert!(parse_rfc3339("2016-12-31T23:59:60Z").is_ok());
    }

    #[test]
    fn days_at_plus_seven() {
        let t = parse_rfc3339("2025-01-07T23:30:00+07:00").unwrap();
        let d = NaiveDate::from_ymd_opt(2025, 1, 7).unwrap();
        assert_eq!(local_day(t), day_of_date(d));
        assert_eq!(
            day_start(day_of_date(d)),
            parse_rfc3339("2025-01-07T00:00:00+07:00").unwrap()
        );
        assert_eq!(local_day(day_start(day_of_date(d))), day_of_date(d));
        assert_eq!(date_of_day(day_of_date(d)), Some(d));
        assert_eq!(local_day(NEVER), i32::MAX);
    }
}
