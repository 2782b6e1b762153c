//! The one error type of the crate.
//!
//! Messages are single English lines. The value and unit messages start with the
//! field name (`value …`, `unit …`) so that a command-line front end can print them
//! as `--value …` without rewording.

use chrono::NaiveDate;

/// Everything that can be wrong with calendar input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// A line of a JSON Lines file of day rows is invalid.
    #[error("line {line}: {reason}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Two rows speak about the same date.
    #[error("duplicate row for {0}")]
    DuplicateDate(NaiveDate),
    /// A row's reason or source is empty.
    #[error("row for {date}: {field} must not be empty")]
    EmptyField {
        /// The row's date.
        date: NaiveDate,
        /// `reason` or `source`.
        field: &'static str,
    },
    /// A row lies outside the years the calendar tabulates.
    #[error("row for {0}: date outside the supported years {first}..={last}", first = crate::FIRST_YEAR, last = crate::LAST_YEAR)]
    OutOfRange(NaiveDate),
    /// The working windows are not usable.
    #[error("working windows: {0}")]
    InvalidWindows(String),
    /// The value of a time limit is not a decimal number.
    #[error("value must be a decimal number like 3 or 0.5 (got {0:?})")]
    InvalidValue(String),
    /// The value of a time limit is zero or negative.
    #[error("value must be greater than 0")]
    NotPositive,
    /// The value of a time limit has more precision than thousandths.
    #[error("value must have at most 3 decimal places")]
    TooPrecise,
    /// The value of a time limit is absurdly large.
    #[error("value must be at most {max}", max = crate::limit::MAX_VALUE)]
    TooLarge,
    /// Days and months must be whole.
    #[error("value must be a whole number for unit {0}")]
    FractionalNotAllowed(crate::DurationUnit),
    /// A unit name that is not one of the four.
    #[error("unit must be one of hours, working_days, days, months (got {0:?})")]
    UnknownUnit(String),
    /// A mode name that is not one of the two.
    #[error("mode must be one of end_of_day, working_time (got {0:?})")]
    UnknownMode(String),
}
