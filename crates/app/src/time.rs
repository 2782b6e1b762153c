//! Instants as people in Vietnam read them: RFC 3339 at +07:00 (the calendar crate's
//! offset), in documents, API answers and pages alike.

use chrono::{DateTime, FixedOffset, Utc};
pub use motcua_calendar::VIETNAM_OFFSET;

/// An instant at +07:00, to the second (`2026-03-04T08:00:00+07:00`).
pub fn vn_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&VIETNAM_OFFSET)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The day it is in Vietnam at `t`.
pub fn vn_date(t: DateTime<Utc>) -> chrono::NaiveDate {
    t.with_timezone(&VIETNAM_OFFSET).date_naive()
}

/// The offset, for code that builds local times.
pub fn vn_offset() -> FixedOffset {
    VIETNAM_OFFSET
}

/// Midnight at the end of today (+`days`) in Vietnam.
pub fn end_of_day(now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    let local = now.with_timezone(&VIETNAM_OFFSET).date_naive() + chrono::Duration::days(days + 1);
    local
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(VIETNAM_OFFSET).single())
        .map_or(now, |t| t.with_timezone(&Utc))
}
