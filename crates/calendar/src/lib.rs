//! Working days, Vietnamese holidays and deadline arithmetic.
//!
//! The contract is `spec/calendar.md`. In short:
//! - A date is a civil date at +07:00 (Vietnam has no daylight saving).
//! - Which days are working days is data: weekly rest (Saturday, Sunday), then day
//!   rows ([`DayRow`]) with a reason and a source. Official rows for 2024–2026 ship
//!   with the crate ([`shipped_rows`]); other years get rows proposed by the rules of
//!   Bộ luật Lao động 2019, Điều 111–112 ([`proposed_rows`]), including lunar Tết and
//!   Giỗ Tổ Hùng Vương computed for UTC+7 ([`lunar`]).
//! - [`Calendar::due`] turns a start instant and a [`TimeLimit`] into a due instant,
//!   in the [`DueMode`] chosen by the deployment.
//!
//! The crate is pure: no I/O, no clock, no global mutable state (the lunar table is
//! a compute-once cache of a pure function).
//!
//! ```
//! use motcua_calendar::{Calendar, DueMode, DurationUnit, TimeLimit, DateTime};
//! let cal = Calendar::vietnam();
//! let start = DateTime::parse_from_rfc3339("2025-04-25T10:00:00+07:00").unwrap();
//! let limit = TimeLimit::whole(3, DurationUnit::WorkingDays).unwrap();
//! let due = cal.due(start, limit, DueMode::EndOfDay);
//! assert_eq!(due.to_rfc3339(), "2025-04-29T17:00:00+07:00");
//! ```

pub use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

mod calendar;
mod due;
mod error;
pub mod limit;
pub mod lunar;
mod rows;
mod rules;
mod table;
mod windows;

pub use calendar::{Calendar, DayStatus};
pub use due::VIETNAM_OFFSET;
pub use error::CalendarError;
pub use limit::{DueMode, DurationUnit, TimeLimit};
pub use rows::{DayRow, parse_rows, shipped_rows};
pub use rules::proposed_rows;
pub use windows::WorkingWindows;

/// First year with holidays (lunar and statutory) tabulated. Earlier dates follow the
/// weekly rest only.
pub const FIRST_YEAR: i32 = 1900;
/// Last year with holidays tabulated. Later dates follow the weekly rest only.
pub const LAST_YEAR: i32 = 2100;
