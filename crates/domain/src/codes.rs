//! Identifier newtypes. Each is parsed once at the edge; holding one means it is valid.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("unit code must look like 000.00.31.H57 (got {0:?})")]
    Unit(String),
    #[error("procedure code must look like 1.001193 (got {0:?})")]
    Procedure(String),
    #[error("CCCD number must be 12 digits (got {0:?})")]
    Cccd(String),
}

fn all_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// Electronic unit code of Quyết định 20/2020/QĐ-TTg: `level4.level3.level2.level1`, e.g.
/// `000.00.31.H57` — three digits, two, two, then one capital letter and two digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitCode(String);

impl UnitCode {
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let t = s.trim();
        let parts: Vec<&str> = t.split('.').collect();
        let ok = parts.len() == 4
            && all_digits(parts[0], 3)
            && all_digits(parts[1], 2)
            && all_digits(parts[2], 2)
            && parts[3].len() == 3
            && parts[3].as_bytes()[0].is_ascii_uppercase()
            && all_digits(&parts[3][1..], 2);
        if ok {
            Ok(Self(t.to_owned()))
        } else {
            Err(CodeError::Unit(s.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The level-1 part (province), e.g. `H57`.
    pub fn province(&self) -> &str {
        // parse() guarantees four dot-separated parts, the last three bytes long.
        &self.0[self.0.len() - 3..]
    }
}

/// National procedure code, e.g. `1.001193` or `2.000815`: one digit, a dot, six digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProcedureCode(String);

impl ProcedureCode {
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let t = s.trim();
        match t.split_once('.') {
            Some((a, b)) if all_digits(a, 1) && all_digits(b, 6) => Ok(Self(t.to_owned())),
            _ => Err(CodeError::Procedure(s.to_owned())),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Số định danh cá nhân on the CCCD card: twelve digits. Never logged in full.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cccd(String);

impl Cccd {
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if all_digits(&t, 12) {
            Ok(Self(t))
        } else {
            Err(CodeError::Cccd(mask(s)))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn mask(s: &str) -> String {
    let n = s.chars().count();
    s.chars()
        .enumerate()
        .map(|(i, c)| if i + 3 < n { '*' } else { c })
        .collect()
}

impl fmt::Debug for Cccd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cccd({})", mask(&self.0))
    }
}

macro_rules! string_code {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                <$t>::parse(&s).map_err(serde::de::Error::custom)
            }
        }
        impl std::str::FromStr for $t {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, CodeError> {
                <$t>::parse(s)
            }
        }
    };
}
string_code!(UnitCode);
string_code!(ProcedureCode);
string_code!(Cccd);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_codes() {
        let c = UnitCode::parse("000.00.31.H57").unwrap();
        assert_eq!(c.province(), "H57");
        for bad in [
            "000.00.31.h57",
            "00.00.31.H57",
            "000.00.31",
            "000.00.31.H5",
            "000.0A.31.H57",
            "",
        ] {
            assert!(UnitCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn procedure_codes() {
        assert!(ProcedureCode::parse("1.001193").is_ok());
        for bad in ["1.00119", "11.001193", "1-001193", "x.001193"] {
            assert!(ProcedureCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cccd_is_masked_in_errors_and_debug() {
        let c = Cccd::parse("046 095 000 123").unwrap();
        assert_eq!(c.as_str(), "046095000123");
        assert_eq!(format!("{c:?}"), "Cccd(*********123)");
        let e = Cccd::parse("04609500012").unwrap_err().to_string();
        assert!(!e.contains("0460950"), "{e}");
    }

    #[test]
    fn serde_rejects_bad_codes() {
        let ok: Result<UnitCode, _> = serde_json::from_str("\"000.00.31.H57\"");
        assert!(ok.is_ok());
        let bad: Result<UnitCode, _> = serde_json::from_str("\"31.H57\"");
        assert!(bad.is_err());
    }
}
