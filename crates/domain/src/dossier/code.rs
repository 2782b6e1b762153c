//! Dossier codes: `{unit code}-{YYMMDD}-{NNNN}` (Thông tư 01/2018/TT-VPCP form), e.g.
//! `000.00.31.H57-250107-0001`. The sequence is per receiving unit per reception day; the
//! store hands out the number under concurrency, this module only formats and parses.

use crate::codes::UnitCode;
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DossierCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierCodeError {
    #[error("dossier code must look like 000.00.31.H57-250107-0001 (got {0:?})")]
    Malformed(String),
    #[error("the daily sequence is full (at most 9999 dossiers a unit a day in this form)")]
    SequenceFull,
}

/// Formats codes; a different circular can bring a different generator.
pub trait CodeGenerator {
    fn code(
        &self,
        unit: &UnitCode,
        day: NaiveDate,
        seq: u32,
    ) -> Result<DossierCode, DossierCodeError>;
}

/// The Thông tư 01/2018 form.
pub struct Tt01Codes;

impl CodeGenerator for Tt01Codes {
    fn code(
        &self,
        unit: &UnitCode,
        day: NaiveDate,
        seq: u32,
    ) -> Result<DossierCode, DossierCodeError> {
        if seq == 0 || seq > 9999 {
            return Err(DossierCodeError::SequenceFull);
        }
        Ok(DossierCode(format!(
            "{unit}-{}-{seq:04}",
            day.format("%y%m%d")
        )))
    }
}

impl DossierCode {
    pub fn parse(s: &str) -> Result<Self, DossierCodeError> {
        let t = s.trim();
        let bad = || DossierCodeError::Malformed(s.to_owned());
        let mut parts = t.rsplitn(3, '-');
        let (seq, day, unit) = (
            parts.next().ok_or_else(bad)?,
            parts.next().ok_or_else(bad)?,
            parts.next().ok_or_else(bad)?,
        );
        UnitCode::parse(unit).map_err(|_| bad())?;
        let digits = |x: &str, n: usize| x.len() == n && x.bytes().all(|b| b.is_ascii_digit());
        if !digits(seq, 4)
            || !digits(day, 6)
            || NaiveDate::parse_from_str(&format!("20{day}"), "%Y%m%d").is_err()
        {
            return Err(bad());
        }
        Ok(Self(t.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl Serialize for DossierCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}
impl<'de> Deserialize<'de> for DossierCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DossierCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        let u = UnitCode::parse("000.00.31.H57").unwrap();
        let d = NaiveDate::from_ymd_opt(2025, 1, 7).unwrap();
        let c = Tt01Codes.code(&u, d, 1).unwrap();
        assert_eq!(c.as_str(), "000.00.31.H57-250107-0001");
        assert_eq!(DossierCode::parse(c.as_str()).unwrap(), c);
        assert_eq!(
            Tt01Codes.code(&u, d, 10_000),
            Err(DossierCodeError::SequenceFull)
        );
        for bad in [
            "000.00.31.H57-250107-1",
            "000.00.31.H57-251307-0001",
            "x-250107-0001",
            "000.00.31.H57",
        ] {
            assert!(DossierCode::parse(bad).is_err(), "{bad}");
        }
    }
}
