//! Reading one submitted value of each kind into its one normal form. Each function is
//! idempotent on its own output, which is what makes `validate(normalised) == normalised`.
//!
//! Strings are accepted for numbers and tick boxes because a form posted without
//! JavaScript sends every value as text; the output is always the typed JSON value.

use super::compiled::{TextRule, parse_iso_date};
use super::errors::Problem;
use crate::codes::{Cccd, UnitCode};
use chrono::NaiveDate;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

/// Missing, null, blank text or an empty list: the field was not filled.
pub(crate) fn is_empty_input(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    }
}

fn as_str(v: &Value) -> Result<&str, Problem> {
    v.as_str().ok_or(Problem::WrongType)
}

/// NFC, trimmed; one line collapses every run of whitespace to one space, several lines
/// keep their breaks (as `\n`) but lose trailing spaces. Other control characters are
/// refused: they are invisible on screen and in print, and break exports.
pub(crate) fn normalise_text(s: &str, multiline: bool) -> Result<String, Problem> {
    let bad = |c: char| c.is_control() && !(multiline && c == '\t');
    let joined = if multiline {
        let unified = s.replace("\r\n", "\n").replace('\r', "\n");
        let lines: Vec<&str> = unified.split('\n').map(str::trim_end).collect();
        lines.join("\n").trim().to_owned()
    } else {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    if joined.chars().any(|c| c != '\n' && bad(c)) {
        return Err(Problem::InvalidCharacters);
    }
    Ok(joined.nfc().collect())
}

pub(crate) fn text(v: &Value, rule: &TextRule) -> Result<String, Problem> {
    let s = normalise_text(as_str(v)?, rule.multiline)?;
    let n = s.chars().count();
    if let Some(min) = rule.min_length
        && n < min as usize
    {
        return Err(Problem::TooShort(min));
    }
    if n > rule.max_length as usize {
        return Err(Problem::TooLong(rule.max_length));
    }
    if let Some(re) = &rule.pattern
        && !re.is_match(&s)
    {
        return Err(Problem::PatternMismatch);
    }
    Ok(s)
}

/// A whole number, from a JSON integer or from its text. Amounts in đồng may be grouped in
/// thousands (`1.500.000`, `1,500,000`, `1 500 000`); plain numbers may not, since "1.5"
/// could be a decimal.
pub(crate) fn integer(
    v: &Value,
    min: Option<i64>,
    max: Option<i64>,
    money: bool,
) -> Result<i64, Problem> {
    let out_of_range = Problem::OutOfRange { min, max, money };
    let n = match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) => i,
            None if n.is_u64() => return Err(out_of_range),
            None => return Err(Problem::NotAnInteger),
        },
        Value::String(s) => match parse_integer_text(s.trim(), money) {
            Some(Ok(i)) => i,
            Some(Err(())) => return Err(out_of_range),
            None => return Err(Problem::NotAnInteger),
        },
        _ => return Err(Problem::WrongType),
    };
    if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
        return Err(out_of_range);
    }
    Ok(n)
}

/// `None`: not an integer; `Some(Err)`: an integer too large for i64.
fn parse_integer_text(s: &str, grouped_ok: bool) -> Option<Result<i64, ()>> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let digits: String = match body.chars().find(|c| !c.is_ascii_digit()) {
        None => body.to_owned(),
        Some(sep) if grouped_ok && matches!(sep, '.' | ',' | ' ' | '\u{a0}') => {
            let groups: Vec<&str> = body.split(sep).collect();
            let first_ok = (1..=3).contains(&groups[0].len());
            let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
            let all_digits = groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
            if !(first_ok && rest_ok && all_digits) {
                return None;
            }
            groups.concat()
        }
        Some(_) => return None,
    };
    if digits.is_empty() {
        return None;
    }
    let signed = if neg { format!("-{digits}") } else { digits };
    Some(signed.parse::<i64>().map_err(|_| ()))
}

/// The earliest date any date field takes (1900-01-01).
pub(crate) const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

pub(crate) fn date(v: &Value) -> Result<NaiveDate, Problem> {
    parse_iso_date(as_str(v)?.trim()).ok_or(Problem::InvalidDate)
}

pub(crate) fn checkbox(v: &Value) -> Result<bool, Problem> {
    match v {
        Value::Bool(b) => Ok(*b),
        // "on" is what a browser posts for a ticked box without a value attribute.
        Value::String(s) => match s.trim() {
            "true" | "on" => Ok(true),
            "false" | "off" => Ok(false),
            _ => Err(Problem::WrongType),
        },
        _ => Err(Problem::WrongType),
    }
}

pub(crate) fn choice(v: &Value, values: &[String]) -> Result<String, Problem> {
    let s: String = as_str(v)?.trim().nfc().collect();
    if values.contains(&s) {
        Ok(s)
    } else {
        Err(Problem::NotAChoice)
    }
}

/// The chosen values in the order of the definition, each once.
pub(crate) fn multi_choice(v: &Value, values: &[String]) -> Result<Vec<String>, Problem> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        // A form posted without JavaScript sends a lone ticked option as plain text.
        Value::String(_) => vec![v],
        _ => return Err(Problem::WrongType),
    };
    let mut chosen = Vec::with_capacity(items.len());
    for item in items {
        chosen.push(choice(item, values)?);
    }
    Ok(values
        .iter()
        .filter(|c| chosen.contains(c))
        .cloned()
        .collect())
}

pub(crate) fn cccd(v: &Value) -> Result<String, Problem> {
    Cccd::parse(as_str(v)?)
        .map(|c| c.as_str().to_owned())
        .map_err(|_| Problem::InvalidCccd)
}

pub(crate) fn unit_code(v: &Value) -> Result<String, Problem> {
    UnitCode::parse(as_str(v)?)
        .map(|c| c.as_str().to_owned())
        .map_err(|_| Problem::InvalidUnitCode)
}

pub(crate) fn phone_value(v: &Value) -> Result<String, Problem> {
    phone(as_str(v)?).ok_or(Problem::InvalidPhone)
}

pub(crate) fn email_value(v: &Value) -> Result<String, Problem> {
    email(as_str(v)?).ok_or(Problem::InvalidEmail)
}

/// A Vietnamese mobile number in national form `0xxxxxxxxx`. Accepts `+84` for the leading
/// 0 and the usual separators. Since the 2018 renumbering every mobile range starts 03, 05,
/// 07, 08 or 09; fixed lines (02x) have 11 digits and are not mobiles.
pub(crate) fn phone(s: &str) -> Option<String> {
    let compact: String = s
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '.' | '-' | '(' | ')')))
        .collect();
    let national = match compact.strip_prefix("+84") {
        Some(rest) => format!("0{rest}"),
        None => compact,
    };
    let b = national.as_bytes();
    let ok = b.len() == 10
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'0'
        && matches!(b[1], b'3' | b'5' | b'7' | b'8' | b'9');
    ok.then_some(national)
}

/// A deliberately plain check (one `@`, a dotted ASCII domain, no spaces): stricter rules
/// refuse real addresses, and only a sent message proves one. The domain is lowercased;
/// the local part is kept as typed, since servers may treat it case-sensitively.
pub(crate) fn email(s: &str) -> Option<String> {
    let t = s.trim();
    if t.len() > 254 {
        return None;
    }
    let (local, domain) = t.split_once('@')?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, '@' | '<' | '>'));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
    (local_ok && domain_ok).then(|| format!("{local}@{}", domain.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(multiline: bool) -> TextRule {
        TextRule {
            multiline,
            min_length: None,
            max_length: 20,
            pattern: None,
        }
    }

    #[test]
    fn text_is_trimmed_collapsed_and_nfc() {
        let nfd: String = "Nguyễn Văn  A".nfd().collect();
        let v = json!(format!("  {nfd}\t\n"));
        assert_eq!(text(&v, &rule(false)).unwrap(), "Nguyễn Văn A");
        assert_eq!(
            text(&json!(" dòng 1  \r\n\r\n  dòng 2\t \n"), &rule(true)).unwrap(),
            "dòng 1\n\n  dòng 2"
        );
        assert_eq!(
            text(&json!("a\u{7}b"), &rule(false)),
            Err(Problem::InvalidCharacters)
        );
        assert_eq!(
            text(&json!("a\u{0}"), &rule(true)),
            Err(Problem::InvalidCharacters)
        );
        assert_eq!(text(&json!("a\tb"), &rule(true)).unwrap(), "a\tb");
        assert_eq!(text(&json!(12), &rule(false)), Err(Problem::WrongType));
    }

    #[test]
    fn text_length_counts_characters_after_nfc() {
        let nfd: String = "ệệệệệệệệệệệệệệệệệệệệ".nfd().collect();
        assert_eq!(nfd.chars().count(), 60);
        assert!(text(&json!(nfd), &rule(false)).is_ok());
        assert_eq!(
            text(&json!("x".repeat(21)), &rule(false)),
            Err(Problem::TooLong(20))
        );
        let short = TextRule {
            min_length: Some(3),
            ..rule(false)
        };
        assert_eq!(text(&json!(" ab "), &short), Err(Problem::TooShort(3)));
    }

    #[test]
    fn integers_from_numbers_and_text() {
        assert_eq!(integer(&json!(5), None, None, false), Ok(5));
        assert_eq!(integer(&json!(" -5 "), None, None, false), Ok(-5));
        assert_eq!(integer(&json!("+7"), None, None, false), Ok(7));
        assert_eq!(
            integer(&json!(2.5), None, None, false),
            Err(Problem::NotAnInteger)
        );
        assert_eq!(
            integer(&json!("1.500"), None, None, false),
            Err(Problem::NotAnInteger)
        );
        assert_eq!(
            integer(&json!("1.500.000"), None, None, true),
            Ok(1_500_000)
        );
        assert_eq!(
            integer(&json!("1,500,000"), None, None, true),
            Ok(1_500_000)
        );
        assert_eq!(
            integer(&json!("1 500 000"), None, None, true),
            Ok(1_500_000)
        );
        for bad in ["1,5", "1.50.000", "1.500,000", "", "-", "12a", ".500"] {
            assert_eq!(
                integer(&json!(bad), None, None, true),
                Err(Problem::NotAnInteger),
                "{bad}"
            );
        }
        let range = Problem::OutOfRange {
            min: Some(0),
            max: Some(10),
            money: false,
        };
        assert_eq!(
            integer(&json!(11), Some(0), Some(10), false),
            Err(range.clone())
        );
        assert_eq!(
            integer(&json!(u64::MAX), Some(0), Some(10), false),
            Err(range.clone())
        );
        assert_eq!(
            integer(&json!("99999999999999999999"), Some(0), Some(10), false),
            Err(range)
        );
        assert_eq!(
            integer(&json!(true), None, None, false),
            Err(Problem::WrongType)
        );
    }

    #[test]
    fn dates_and_ticks() {
        assert!(date(&json!(" 2024-02-29 ")).is_ok());
        assert_eq!(date(&json!("29/02/2024")), Err(Problem::InvalidDate));
        assert_eq!(date(&json!(20240229)), Err(Problem::WrongType));
        assert_eq!(checkbox(&json!("on")), Ok(true));
        assert_eq!(checkbox(&json!("false")), Ok(false));
        assert_eq!(checkbox(&json!(1)), Err(Problem::WrongType));
    }

    #[test]
    fn choices_keep_definition_order_once() {
        let values = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        assert_eq!(choice(&json!(" b "), &values), Ok("b".into()));
        assert_eq!(choice(&json!("d"), &values), Err(Problem::NotAChoice));
        assert_eq!(
            multi_choice(&json!(["c", "a", "c"]), &values),
            Ok(vec!["a".into(), "c".into()])
        );
        assert_eq!(multi_choice(&json!("b"), &values), Ok(vec!["b".into()]));
        assert_eq!(
            multi_choice(&json!(["a", 1]), &values),
            Err(Problem::WrongType)
        );
    }

    #[test]
    fn phones() {
        for (input, want) in [
            ("0912345678", "0912345678"),
            ("091 234 5678", "0912345678"),
            ("+84 912 345 678", "0912345678"),
            ("+84-387.654.321", "0387654321"),
            ("(070) 123 4567", "0701234567"),
        ] {
            assert_eq!(phone(input).as_deref(), Some(want), "{input}");
        }
        for bad in [
            "091234567",
            "09123456789",
            "0212345678",
            "02343823456",
            "84912345678",
            "+8491234567",
            "1912345678",
            "09123456７8",
            "",
        ] {
            assert_eq!(phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            email(" Nguyen.Van.A@Hue.GOV.vn ").as_deref(),
            Some("Nguyen.Van.A@hue.gov.vn")
        );
        for bad in [
            "a@b",
            "@hue.gov.vn",
            "a b@hue.gov.vn",
            "a@@hue.gov.vn",
            "a@hue..vn",
            "a@-hue.vn",
            "a@hue.v",
            "a@huế.vn",
            "a@hue.123",
        ] {
            assert_eq!(email(bad), None, "{bad}");
        }
    }

    #[test]
    fn identity_codes() {
        assert_eq!(cccd(&json!("046 095 000 123")), Ok("046095000123".into()));
        assert_eq!(cccd(&json!("04609500012")), Err(Problem::InvalidCccd));
        assert_eq!(
            unit_code(&json!(" 000.00.31.H57 ")),
            Ok("000.00.31.H57".into())
        );
        assert_eq!(unit_code(&json!("H57")), Err(Problem::InvalidUnitCode));
    }

    #[test]
    fn emptiness() {
        assert!(is_empty_input(None));
        assert!(is_empty_input(Some(&json!(null))));
        assert!(is_empty_input(Some(&json!(" \n "))));
        assert!(is_empty_input(Some(&json!([]))));
        assert!(!is_empty_input(Some(&json!(false))));
        assert!(!is_empty_input(Some(&json!({}))));
    }
}
