//! The checked form of a definition: every rule parsed once (regexes compiled, bounds read,
//! condition references resolved to a scope), so validation never meets a malformed rule.

use super::profile::ProfilePath;
use chrono::{Days, Months, NaiveDate};
use regex::Regex;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub name: String,
    pub label: String,
    pub required: bool,
    pub visible_if: Option<Cond>,
    pub required_if: Option<Cond>,
    pub kind: Kind,
    pub prefill: Option<ProfilePath>,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Text(TextRule),
    Number {
        min: Option<i64>,
        max: Option<i64>,
        money: bool,
    },
    Date {
        min: Option<DateBound>,
        max: Option<DateBound>,
    },
    Choice {
        values: Vec<String>,
    },
    MultiChoice {
        values: Vec<String>,
        min_items: Option<u32>,
        max_items: Option<u32>,
    },
    Checkbox,
    Cccd,
    Phone,
    Email,
    UnitCode,
    Group {
        fields: Vec<Node>,
        min_items: Option<u32>,
        max_items: u32,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct TextRule {
    pub multiline: bool,
    pub min_length: Option<u32>,
    pub max_length: u32,
    /// Compiled anchored (`^(?:…)$`), so it matches the whole value as HTML's `pattern` does.
    pub pattern: Option<Regex>,
}

/// Without an explicit limit a citizen could post megabytes into a name; these caps are
/// generous for any real declaration and can be raised per field with `max_length` /
/// `max_items`.
pub(crate) const DEFAULT_TEXT_MAX: u32 = 255;
pub(crate) const DEFAULT_TEXTAREA_MAX: u32 = 2000;
pub(crate) const DEFAULT_GROUP_MAX_ITEMS: u32 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateBound {
    Fixed(NaiveDate),
    /// `today` shifted by `amount` units (negative: in the past).
    Relative {
        amount: i64,
        unit: DateUnit,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateUnit {
    Days,
    Months,
    Years,
}

impl DateBound {
    /// `YYYY-MM-DD`, `today`, or `today±N` followed by `d`, `m` or `y`.
    pub fn parse(s: &str) -> Option<Self> {
        if let Some(rest) = s.strip_prefix("today") {
            if rest.is_empty() {
                return Some(DateBound::Relative {
                    amount: 0,
                    unit: DateUnit::Days,
                });
            }
            // Byte slicing below is only sound on ASCII.
            if !rest.is_ascii() {
                return None;
            }
            let (sign, rest) = match rest.as_bytes().first() {
                Some(b'+') => (1, &rest[1..]),
                Some(b'-') => (-1, &rest[1..]),
                _ => return None,
            };
            let (digits, unit) = rest.split_at(rest.len().checked_sub(1)?);
            let unit = match unit {
                "d" => DateUnit::Days,
                "m" => DateUnit::Months,
                "y" => DateUnit::Years,
                _ => return None,
            };
            // Four digits are enough for any real rule and keep the arithmetic far from overflow.
            if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let n: i64 = digits.parse().ok()?;
            return Some(DateBound::Relative {
                amount: sign * n,
                unit,
            });
        }
        parse_iso_date(s).map(DateBound::Fixed)
    }

    pub fn is_today(self) -> bool {
        matches!(self, DateBound::Relative { amount: 0, .. })
    }

    /// The date this bound stands for on `today`; `None` only past the calendar's range,
    /// in which case the bound is not applied.
    pub fn resolve(self, today: NaiveDate) -> Option<NaiveDate> {
        match self {
            DateBound::Fixed(d) => Some(d),
            DateBound::Relative { amount, unit } => {
                let n = amount.unsigned_abs();
                let months = match unit {
                    DateUnit::Days => {
                        let days = Days::new(n);
                        return if amount < 0 {
                            today.checked_sub_days(days)
                        } else {
                            today.checked_add_days(days)
                        };
                    }
                    DateUnit::Months => n,
                    DateUnit::Years => n * 12,
                };
                let months = Months::new(u32::try_from(months).ok()?);
                // chrono clamps to the month's end: someone born on 29 February comes of age
                // on 1 March in a common year, the usual reading of "đủ … tuổi".
                if amount < 0 {
                    today.checked_sub_months(months)
                } else {
                    today.checked_add_months(months)
                }
            }
        }
    }
}

/// Strict `YYYY-MM-DD`: chrono alone would also take `2020-1-5`.
pub(crate) fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A field named in a condition, found `up` scopes out from the field that holds the
/// condition (0: its own list of siblings; 1: the list around the enclosing group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ref {
    pub up: usize,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    Equals(Ref, Value),
    In(Ref, Vec<Value>),
    Filled(Ref, bool),
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
}

/// The normalised values already decided, innermost list first.
pub(crate) struct Scope<'a> {
    pub values: &'a BTreeMap<String, Value>,
    pub outer: Option<&'a Scope<'a>>,
}

impl Scope<'_> {
    fn lookup(&self, r: &Ref) -> Option<&Value> {
        let mut s = self;
        for _ in 0..r.up {
            s = s.outer?;
        }
        s.values.get(&r.name)
    }
}

/// Filled means present and not empty; an unticked box counts as not filled, so that
/// `{"filled":true}` on a checkbox reads as "ticked".
pub(crate) fn is_filled(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(_) => true,
    }
}

/// On a multiple choice, `equals` means "has this one among the chosen".
fn matches(v: Option<&Value>, expected: &Value) -> bool {
    match v {
        Some(Value::Array(items)) => items.contains(expected),
        Some(v) => v == expected,
        None => false,
    }
}

impl Cond {
    /// Conditions see normalised values; a hidden or empty field is simply absent.
    pub fn eval(&self, scope: &Scope<'_>) -> bool {
        match self {
            Cond::Equals(r, v) => matches(scope.lookup(r), v),
            Cond::In(r, vs) => vs.iter().any(|v| matches(scope.lookup(r), v)),
            Cond::Filled(r, want) => is_filled(scope.lookup(r)) == *want,
            Cond::All(cs) => cs.iter().all(|c| c.eval(scope)),
            Cond::Any(cs) => cs.iter().any(|c| c.eval(scope)),
            Cond::Not(c) => !c.eval(scope),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        parse_iso_date(s).unwrap()
    }

    #[test]
    fn date_bounds_parse_and_resolve() {
        let today = d("2025-07-01");
        assert_eq!(
            DateBound::parse("today").unwrap().resolve(today),
            Some(today)
        );
        assert!(DateBound::parse("today").unwrap().is_today());
        assert_eq!(
            DateBound::parse("today-18y").unwrap().resolve(today),
            Some(d("2007-07-01"))
        );
        assert_eq!(
            DateBound::parse("today+30d").unwrap().resolve(today),
            Some(d("2025-07-31"))
        );
        assert_eq!(
            DateBound::parse("today-6m").unwrap().resolve(today),
            Some(d("2025-01-01"))
        );
        assert_eq!(
            DateBound::parse("2000-02-29"),
            Some(DateBound::Fixed(d("2000-02-29")))
        );
        for bad in [
            "tomorrow",
            "today-",
            "today-y",
            "today-18",
            "today*3d",
            "today-12345d",
            "today-1é",
            "2001-02-29",
            "2020-1-05",
            "",
        ] {
            assert_eq!(DateBound::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn leap_day_birthdays_come_of_age_on_first_march() {
        let adult = DateBound::parse("today-18y").unwrap();
        assert_eq!(adult.resolve(d("2022-02-28")), Some(d("2004-02-28")));
        assert_eq!(adult.resolve(d("2022-03-01")), Some(d("2004-03-01")));
    }

    #[test]
    fn strict_iso_dates() {
        assert!(parse_iso_date("2024-02-29").is_some());
        for bad in [
            "2023-02-29",
            "2024/02/29",
            "24-02-29",
            "2024-02-29 ",
            "２０２４-02-29",
        ] {
            assert!(parse_iso_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn conditions_look_outwards_and_treat_lists_as_sets() {
        let outer: BTreeMap<String, Value> = [
            ("kind".to_owned(), json!("b")),
            ("tick".to_owned(), json!(false)),
        ]
        .into();
        let inner: BTreeMap<String, Value> = [("tags".to_owned(), json!(["x", "y"]))].into();
        let outer_scope = Scope {
            values: &outer,
            outer: None,
        };
        let scope = Scope {
            values: &inner,
            outer: Some(&outer_scope),
        };
        let r = |up, name: &str| Ref {
            up,
            name: name.into(),
        };
        assert!(Cond::Equals(r(1, "kind"), json!("b")).eval(&scope));
        assert!(!Cond::Equals(r(0, "kind"), json!("b")).eval(&scope));
        assert!(Cond::Equals(r(0, "tags"), json!("y")).eval(&scope));
        assert!(Cond::In(r(0, "tags"), vec![json!("z"), json!("x")]).eval(&scope));
        assert!(Cond::Filled(r(1, "tick"), false).eval(&scope));
        assert!(Cond::Filled(r(0, "missing"), false).eval(&scope));
        assert!(!Cond::Filled(r(5, "kind"), true).eval(&scope));
        let both = Cond::All(vec![
            Cond::Filled(r(0, "tags"), true),
            Cond::Not(Box::new(Cond::Equals(r(1, "kind"), json!("a")))),
        ]);
        assert!(both.eval(&scope));
        assert!(!Cond::Any(vec![]).eval(&scope));
        assert!(Cond::All(vec![]).eval(&scope));
    }
}
