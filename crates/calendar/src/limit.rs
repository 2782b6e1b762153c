//! Time limits of procedures (value + unit, `DonViTinh` in the national database) and
//! the due-date mode.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::CalendarError;

/// The largest accepted value in any unit. No procedure comes near it; the cap keeps
/// every due date far inside chrono's representable range and every product in the
/// arithmetic inside i64.
pub const MAX_VALUE: u32 = 100_000;

/// Unit of a time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    /// Giờ: working hours, always counted as working time.
    Hours,
    /// Ngày làm việc.
    WorkingDays,
    /// Ngày: calendar days.
    Days,
    /// Tháng.
    Months,
}

impl DurationUnit {
    /// The snake_case name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            DurationUnit::Hours => "hours",
            DurationUnit::WorkingDays => "working_days",
            DurationUnit::Days => "days",
            DurationUnit::Months => "months",
        }
    }

    /// Whether values in this unit may have a fractional part.
    pub fn allows_fraction(self) -> bool {
        matches!(self, DurationUnit::Hours | DurationUnit::WorkingDays)
    }
}

impl fmt::Display for DurationUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DurationUnit {
    type Err = CalendarError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "hours" => Ok(DurationUnit::Hours),
            "working_days" => Ok(DurationUnit::WorkingDays),
            "days" => Ok(DurationUnit::Days),
            "months" => Ok(DurationUnit::Months),
            other => Err(CalendarError::UnknownUnit(other.to_string())),
        }
    }
}

/// How a whole number of working days is counted (spec "Due-date modes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueMode {
    /// Bộ luật Dân sự 2015, Điều 147–148: the period starts the day after the start
    /// and ends at the end of its last working day.
    #[default]
    EndOfDay,
    /// Working time elapses only inside working windows.
    WorkingTime,
}

impl DueMode {
    /// The snake_case name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            DueMode::EndOfDay => "end_of_day",
            DueMode::WorkingTime => "working_time",
        }
    }
}

impl FromStr for DueMode {
    type Err = CalendarError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "end_of_day" => Ok(DueMode::EndOfDay),
            "working_time" => Ok(DueMode::WorkingTime),
            other => Err(CalendarError::UnknownMode(other.to_string())),
        }
    }
}

/// A strictly positive time limit. The value is kept as a whole number of
/// thousandths so that no floating point enters the arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeLimit {
    thousandths: u32,
    unit: DurationUnit,
}

impl TimeLimit {
    /// A limit of `thousandths / 1000` units.
    pub fn new(thousandths: u32, unit: DurationUnit) -> Result<Self, CalendarError> {
        if thousandths == 0 {
            return Err(CalendarError::NotPositive);
        }
        if thousandths > MAX_VALUE * 1000 {
            return Err(CalendarError::TooLarge);
        }
        if !thousandths.is_multiple_of(1000) && !unit.allows_fraction() {
            return Err(CalendarError::FractionalNotAllowed(unit));
        }
        Ok(TimeLimit { thousandths, unit })
    }

    /// A whole number of units.
    pub fn whole(value: u32, unit: DurationUnit) -> Result<Self, CalendarError> {
        if value > MAX_VALUE {
            return Err(CalendarError::TooLarge);
        }
        TimeLimit::new(value * 1000, unit)
    }

    /// Parse a plain decimal such as `3`, `0.5` or `1.25` (at most 3 decimal places;
    /// further zeros are accepted). No sign, exponent or separators.
    pub fn parse(value: &str, unit: DurationUnit) -> Result<Self, CalendarError> {
        TimeLimit::new(parse_thousandths(value)?, unit)
    }

    /// The value in thousandths of the unit.
    pub fn thousandths(&self) -> u32 {
        self.thousandths
    }

    /// The unit.
    pub fn unit(&self) -> DurationUnit {
        self.unit
    }

    /// The value when it is a whole number.
    pub fn whole_value(&self) -> Option<u32> {
        self.thousandths
            .is_multiple_of(1000)
            .then_some(self.thousandths / 1000)
    }

    /// The value as a decimal string without trailing zeros (`0.5`, `3`).
    pub fn value_string(&self) -> String {
        let int = self.thousandths / 1000;
        let frac = self.thousandths % 1000;
        if frac == 0 {
            return int.to_string();
        }
        let digits = format!("{frac:03}");
        format!("{int}.{}", digits.trim_end_matches('0'))
    }
}

fn parse_thousandths(value: &str) -> Result<u32, CalendarError> {
    let s = value.trim();
    match s.strip_prefix('-') {
        // A well-formed negative number is a sign error, not a syntax error.
        Some(rest) => match parse_unsigned(rest, value) {
            Ok(_) | Err(CalendarError::NotPositive | CalendarError::TooLarge) => {
                Err(CalendarError::NotPositive)
            }
            Err(_) => Err(CalendarError::InvalidValue(value.to_string())),
        },
        None => parse_unsigned(s, value),
    }
}

/// `s` without sign or surrounding space; `value` is the original text for messages.
fn parse_unsigned(s: &str, value: &str) -> Result<u32, CalendarError> {
    let invalid = || CalendarError::InvalidValue(value.to_string());
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (s.contains('.') && frac.is_empty()) {
        return Err(invalid());
    }
    let (kept, extra) = frac.split_at(frac.len().min(3));
    if extra.bytes().any(|b| b != b'0') {
        return Err(CalendarError::TooPrecise);
    }
    let int_trimmed = int.trim_start_matches('0');
    // More than 6 integer digits is beyond MAX_VALUE whatever they are.
    if int_trimmed.len() > 6 {
        return Err(CalendarError::TooLarge);
    }
    let int_val: u32 = if int_trimmed.is_empty() {
        0
    } else {
        int_trimmed.parse().map_err(|_| invalid())?
    };
    let frac_val: u32 = format!("{kept:0<3}").parse().map_err(|_| invalid())?;
    let total = int_val * 1000 + frac_val;
    if total == 0 {
        return Err(CalendarError::NotPositive);
    }
    if total > MAX_VALUE * 1000 {
        return Err(CalendarError::TooLarge);
    }
    Ok(total)
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value_string(), self.unit)
    }
}

/// JSON shape: `{"value": 3, "unit": "working_days"}`; `value` is a number, or a
/// string holding a decimal.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    value: WireValue,
    unit: DurationUnit,
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum WireValue {
    Number(serde_json::Number),
    Text(String),
}

impl Serialize for TimeLimit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value = match self.whole_value() {
            Some(v) => serde_json::Number::from(v),
            // Thousandths as f64 print back as the same short decimal (ryu's
            // shortest round-trip form), e.g. 0.5 or 1.25.
            None => serde_json::Number::from_f64(f64::from(self.thousandths) / 1000.0)
                .unwrap_or_else(|| serde_json::Number::from(0)),
        };
        Wire {
            value: WireValue::Number(value),
            unit: self.unit,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for TimeLimit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = Wire::deserialize(deserializer)?;
        // A JSON number is re-read through its shortest decimal form, so 0.1 is
        // exactly 100 thousandths rather than 0.1000000000000000055….
        let text = match wire.value {
            WireValue::Number(n) => n.to_string(),
            WireValue::Text(s) => s,
        };
        TimeLimit::parse(&text, wire.unit).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use DurationUnit::*;

    #[test]
    fn parses_decimals() {
        assert_eq!(
            TimeLimit::parse("3", WorkingDays).unwrap().thousandths(),
            3000
        );
        assert_eq!(
            TimeLimit::parse("0.5", WorkingDays).unwrap().thousandths(),
            500
        );
        assert_eq!(TimeLimit::parse("1.25", Hours).unwrap().thousandths(), 1250);
        assert_eq!(TimeLimit::parse("0.001", Hours).unwrap().thousandths(), 1);
        assert_eq!(
            TimeLimit::parse("2.5000", Hours).unwrap().thousandths(),
            2500
        );
        assert_eq!(TimeLimit::parse("007", Days).unwrap().thousandths(), 7000);
        assert_eq!(
            TimeLimit::parse("3.0", Days).unwrap().whole_value(),
            Some(3)
        );
        assert_eq!(
            TimeLimit::parse("100000", Months).unwrap().whole_value(),
            Some(100_000)
        );
    }

    #[test]
    fn rejects_bad_values() {
        use CalendarError::*;
        assert_eq!(TimeLimit::parse("0", Hours), Err(NotPositive));
        assert_eq!(TimeLimit::parse("0.000", Hours), Err(NotPositive));
        assert_eq!(TimeLimit::parse("-1", Hours), Err(NotPositive));
        assert_eq!(TimeLimit::parse("-0.5", WorkingDays), Err(NotPositive));
        assert_eq!(TimeLimit::parse("0.0001", Hours), Err(TooPrecise));
        assert_eq!(TimeLimit::parse("100001", Days), Err(TooLarge));
        assert_eq!(TimeLimit::parse("99999999999999", Days), Err(TooLarge));
        assert_eq!(
            TimeLimit::parse("1.5", Days),
            Err(FractionalNotAllowed(Days))
        );
        assert_eq!(
            TimeLimit::parse("0.5", Months),
            Err(FractionalNotAllowed(Months))
        );
        for bad in [
            "", "abc", "1e3", "+1", "1.", ".5", "1,5", "1.2.3", "- 1", "--1",
        ] {
            assert_eq!(
                TimeLimit::parse(bad, Hours),
                Err(InvalidValue(bad.into())),
                "{bad:?}"
            );
        }
        assert_eq!(
            TimeLimit::parse("0", Hours).unwrap_err().to_string(),
            "value must be greater than 0"
        );
        assert_eq!(
            "weeks".parse::<DurationUnit>().unwrap_err().to_string(),
            "unit must be one of hours, working_days, days, months (got \"weeks\")"
        );
        assert!(TimeLimit::whole(0, Days).is_err());
        assert!(TimeLimit::whole(100_001, Days).is_err());
    }

    #[test]
    fn json_round_trip() {
        let l: TimeLimit = serde_json::from_str(r#"{"value":3,"unit":"working_days"}"#).unwrap();
        assert_eq!(l, TimeLimit::whole(3, WorkingDays).unwrap());
        assert_eq!(
            serde_json::to_string(&l).unwrap(),
            r#"{"value":3,"unit":"working_days"}"#
        );

        let l: TimeLimit = serde_json::from_str(r#"{"value":0.1,"unit":"hours"}"#).unwrap();
        assert_eq!(l.thousandths(), 100);
        assert_eq!(
            serde_json::to_string(&l).unwrap(),
            r#"{"value":0.1,"unit":"hours"}"#
        );

        let l: TimeLimit = serde_json::from_str(r#"{"value":"1.25","unit":"hours"}"#).unwrap();
        assert_eq!(l.value_string(), "1.25");
        assert_eq!(l.to_string(), "1.25 hours");

        for bad in [
            r#"{"value":0,"unit":"days"}"#,
            r#"{"value":-2,"unit":"days"}"#,
            r#"{"value":1.5,"unit":"days"}"#,
            r#"{"value":2,"unit":"weeks"}"#,
            r#"{"value":2}"#,
            r#"{"value":2,"unit":"days","x":1}"#,
        ] {
            assert!(serde_json::from_str::<TimeLimit>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn modes() {
        assert_eq!("end_of_day".parse::<DueMode>().unwrap(), DueMode::EndOfDay);
        assert_eq!(
            "working_time".parse::<DueMode>().unwrap(),
            DueMode::WorkingTime
        );
        assert!("eod".parse::<DueMode>().is_err());
        assert_eq!(DueMode::default(), DueMode::EndOfDay);
        assert_eq!(
            serde_json::to_string(&DueMode::WorkingTime).unwrap(),
            "\"working_time\""
        );
    }
}
