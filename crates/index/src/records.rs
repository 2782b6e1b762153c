//! `dossiers.jsonl` and `petitions.jsonl` lines (`spec/bundle.md`), parsed strictly, and
//! folded into the compact facts of [`crate::facts`].
//!
//! Strict means: every field of the spec must be present (nullable ones as `null`), enums
//! and timestamps must be what the spec says, and references must resolve. Unknown fields
//! are ignored. Strings borrow from the line wherever JSON allows, so a parsed line
//! allocates only its event list.

use crate::catalogue::{Catalogue, UnitId};
use crate::facts::{Dossier, EventKind, Petition, flag};
use crate::instant::{Instant, NEVER, from_datetime, parse_rfc3339, to_datetime};
use motcua_calendar::{Calendar, DueMode, DurationUnit, TimeLimit};
use motcua_domain::bundle::LineError;
use motcua_domain::procedure::{ApplicantKind, Channel};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::borrow::Cow;
use std::fmt;

pub const DOSSIERS_FILE: &str = "dossiers.jsonl";
pub const PETITIONS_FILE: &str = "petitions.jsonl";

/// An RFC 3339 timestamp with offset, read straight from the JSON string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ts(pub Instant);

impl<'de> Deserialize<'de> for Ts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Ts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp with offset")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Ts, E> {
                parse_rfc3339(s).map(Ts).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// Any JSON string, checked but not kept (a child dossier's `parent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnyStr;

impl<'de> Deserialize<'de> for AnyStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = AnyStr;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<AnyStr, E> {
                Ok(AnyStr)
            }
        }
        d.deserialize_str(V)
    }
}

/// A nullable field that must still be present: serde treats a missing `Option` as `None`
/// unless the field has its own deserializer, and the bundle requires every field.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(d)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Satisfied,
    Unsatisfied,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Event {
    pub kind: EventKind,
    pub at: Ts,
}

/// One `dossiers.jsonl` line as the bundle states it.
#[derive(Debug, Clone, Deserialize)]
pub struct DossierLine<'a> {
    #[serde(borrow)]
    pub code: Cow<'a, str>,
    #[serde(borrow)]
    pub procedure: Cow<'a, str>,
    #[serde(borrow)]
    pub unit: Cow<'a, str>,
    #[serde(deserialize_with = "nullable")]
    pub parent: Option<AnyStr>,
    pub channel: Channel,
    pub applicant_kind: ApplicantKind,
    pub submitted_at: Ts,
    #[serde(deserialize_with = "nullable")]
    pub received_at: Option<Ts>,
    #[serde(deserialize_with = "nullable")]
    pub due_at: Option<Ts>,
    pub events: Vec<Event>,
    pub fee_due: u64,
    pub paid_online: bool,
    pub synced: bool,
    pub component_files: bool,
    pub reused_component: bool,
    pub from_data_store: bool,
    pub result_file: bool,
    pub result_to_data_store: bool,
    pub citizen_data: bool,
    #[serde(deserialize_with = "nullable")]
    pub rating: Option<Rating>,
    pub complained: bool,
}

/// One `petitions.jsonl` line.
#[derive(Debug, Clone, Deserialize)]
pub struct PetitionLine<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow)]
    pub unit: Cow<'a, str>,
    pub received_at: Ts,
    #[serde(deserialize_with = "nullable")]
    pub deadline_at: Option<Ts>,
    #[serde(deserialize_with = "nullable")]
    pub resolved_at: Option<Ts>,
    #[serde(deserialize_with = "nullable")]
    pub satisfaction: Option<Rating>,
    pub repeated: bool,
}

/// serde_json's message without its own "at line 1 column N" (the line is ours to give).
fn json_reason(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// Deadline arithmetic for facts the bundle leaves to computation.
pub struct Deadlines<'c> {
    pub calendar: &'c Calendar,
    /// Mode for whole working days (spec: end_of_day unless the deployment says otherwise).
    pub mode: DueMode,
    /// A petition's deadline when `deadline_at` is null.
    pub petition_limit: TimeLimit,
}

impl<'c> Deadlines<'c> {
    /// The spec's defaults: end_of_day, 15 working days for petitions.
    pub fn new(calendar: &'c Calendar) -> Self {
        Deadlines {
            calendar,
            mode: DueMode::EndOfDay,
            // 15 is within TimeLimit's bounds; the fallback is never taken.
            petition_limit: TimeLimit::whole(15, DurationUnit::WorkingDays)
                .unwrap_or_else(|_| unreachable_limit()),
        }
    }

    pub fn due(&self, start: Instant, limit: TimeLimit) -> Instant {
        let due = self.calendar.due(to_datetime(start), limit, self.mode);
        from_datetime(due).unwrap_or(NEVER)
    }
}

#[allow(clippy::panic)]
fn unreachable_limit() -> TimeLimit {
    panic!("15 working days is a valid time limit")
}

impl DossierLine<'_> {
    /// The compact fact, with references checked and a null `due_at` computed.
    pub fn fact(&self, cat: &Catalogue, dl: &Deadlines) -> Result<Dossier, String> {
        let unit = cat
            .unit_id(&self.unit)
            .ok_or_else(|| format!("unit {} does not exist", self.unit))?;
        let procedure = cat
            .proc_id(&self.procedure)
            .ok_or_else(|| format!("procedure {} does not exist", self.procedure))?;
        let p = cat.procedure(procedure);
        let received = self.received_at.map_or(NEVER, |t| t.0);
        let due = match (self.due_at, p.time_limit) {
            (Some(t), _) => t.0,
            (None, None) => {
                return Err(format!(
                    "due_at is null and procedure {} has no time_limit",
                    self.procedure
                ));
            }
            (None, Some(_)) if received == NEVER => NEVER,
            (None, Some(limit)) => dl.due(received, limit),
        };
        let bit = |b: bool, f: u16| if b { f } else { 0 };
        let flags = bit(self.parent.is_some(), flag::CHILD)
            | bit(self.channel == Channel::Online, flag::ONLINE)
            | bit(self.synced, flag::SYNCED)
            | bit(self.fee_due > 0, flag::FEE_DUE)
            | bit(self.paid_online, flag::PAID_ONLINE)
            | bit(self.component_files, flag::COMPONENT_FILES)
            | bit(self.reused_component, flag::REUSED)
            | bit(
                self.from_data_store || self.result_to_data_store,
                flag::DATA_STORE,
            )
            | bit(self.result_file, flag::RESULT_FILE)
            | bit(self.citizen_data, flag::CITIZEN_DATA)
            | bit(self.rating == Some(Rating::Unsatisfied), flag::UNSATISFIED)
            | bit(self.complained, flag::COMPLAINED)
            | bit(p.written_result, flag::WRITTEN_RESULT)
            | bit(p.citizen_applicant, flag::CITIZEN_PROC);
        Ok(Dossier::new(unit, procedure, received, due, flags)
            .with_events(self.events.iter().map(|e| (e.kind, e.at.0))))
    }
}

impl PetitionLine<'_> {
    pub fn fact(&self, cat: &Catalogue, dl: &Deadlines) -> Result<Petition, String> {
        let unit: UnitId = cat
            .unit_id(&self.unit)
            .ok_or_else(|| format!("unit {} does not exist", self.unit))?;
        let received = self.received_at.0;
        let deadline = match self.deadline_at {
            Some(t) => t.0,
            None => dl.due(received, dl.petition_limit),
        };
        let mut flags = 0;
        if self.satisfaction == Some(Rating::Unsatisfied) {
            flags |= flag::P_UNSATISFIED;
        }
        if self.repeated {
            flags |= flag::P_REPEATED;
        }
        Ok(Petition {
            received,
            deadline,
            resolved: self.resolved_at.map_or(NEVER, |t| t.0),
            unit,
            flags,
        })
    }
}

/// Parses one dossier line into its code and fact; the error is the reason only.
pub fn parse_dossier_line<'a>(
    line: &'a str,
    cat: &Catalogue,
    dl: &Deadlines,
) -> Result<(Cow<'a, str>, Dossier), String> {
    let rec: DossierLine<'a> = serde_json::from_str(line).map_err(|e| json_reason(&e))?;
    let fact = rec.fact(cat, dl)?;
    Ok((rec.code, fact))
}

pub fn parse_petition_line<'a>(
    line: &'a str,
    cat: &Catalogue,
    dl: &Deadlines,
) -> Result<(Cow<'a, str>, Petition), String> {
    let rec: PetitionLine<'a> = serde_json::from_str(line).map_err(|e| json_reason(&e))?;
    let fact = rec.fact(cat, dl)?;
    Ok((rec.id, fact))
}

/// Parsed lines of one file, each with its line number, and the bad lines.
#[derive(Debug, Clone, Default)]
pub struct ParsedFacts<T> {
    pub records: Vec<(usize, String, T)>,
    pub errors: Vec<LineError>,
}

fn parse_text<T>(
    file: &str,
    text: &str,
    mut one: impl FnMut(&str) -> Result<(String, T), String>,
) -> ParsedFacts<T> {
    let mut out = ParsedFacts {
        records: Vec::new(),
        errors: Vec::new(),
    };
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match one(line) {
            Ok((code, f)) => out.records.push((i + 1, code, f)),
            Err(reason) => out.errors.push(LineError {
                file: file.to_owned(),
                line: i + 1,
                reason,
            }),
        }
    }
    out
}

/// Parses a whole `dossiers.jsonl` text (small bundles, tests; the CLI streams instead).
pub fn parse_dossiers(text: &str, cat: &Catalogue, dl: &Deadlines) -> ParsedFacts<Dossier> {
    parse_text(DOSSIERS_FILE, text, |l| {
        parse_dossier_line(l, cat, dl).map(|(c, d)| (c.into_owned(), d))
    })
}

pub fn parse_petitions(text: &str, cat: &Catalogue, dl: &Deadlines) -> ParsedFacts<Petition> {
    parse_text(PETITIONS_FILE, text, |l| {
        parse_petition_line(l, cat, dl).map(|(c, p)| (c.into_owned(), p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNITS: &str = r#"{"code":"000.00.00.H57","name":"UBND","kind":"province","parent":null,"e_certified_copy":false}
{"code":"000.00.31.H57","name":"Sở Tư pháp","kind":"department","parent":"000.00.00.H57","e_certified_copy":false}"#;
    const PROCS: &str = r#"{"code":"1.001193","name":"Khai sinh","units":["000.00.31.H57"],"time_limit":{"value":1,"unit":"working_days"}}
{"code":"1.000001","name":"X","units":["000.00.31.H57"]}"#;

    fn line(over: &[(&str, &str)]) -> String {
        let mut v: serde_json::Value = serde_json::from_str(
            r#"{"code":"000.00.31.H57-250107-0001","procedure":"1.001193","unit":"000.00.31.H57",
 "parent":null,"channel":"online","applicant_kind":"citizen",
 "submitted_at":"2025-01-07T07:50:00+07:00","received_at":"2025-01-07T08:15:00+07:00",
 "due_at":"2025-01-08T17:00:00+07:00",
 "events":[{"kind":"completed","at":"2025-01-08T16:00:00.25+07:00"}],
 "fee_due":0,"paid_online":false,"synced":true,
 "component_files":true,"reused_component":false,"from_data_store":true,
 "result_file":true,"result_to_data_store":true,"citizen_data":true,
 "rating":"satisfied","complained":false}"#,
        )
        .unwrap();
        for (k, val) in over {
            if *val == "<missing>" {
                v.as_object_mut().unwrap().remove(*k);
            } else {
                v[*k] = serde_json::from_str(val).unwrap();
            }
        }
        v.to_string()
    }

    #[test]
    fn good_line_and_reasons() {
        let cat = Catalogue::parse(UNITS, PROCS).unwrap();
        let cal = Calendar::vietnam();
        let dl = Deadlines::new(&cal);
        let good = line(&[]);
        let (code, d) = parse_dossier_line(&good, &cat, &dl).unwrap();
        assert_eq!(code, "000.00.31.H57-250107-0001");
        assert_eq!(d.completed % 1_000_000_000, 250_000_000, "sub-second kept");
        let reason = |over: &[(&str, &str)]| {
            let l = line(over);
            parse_dossier_line(&l, &cat, &dl).unwrap_err()
        };
        assert!(reason(&[("rating", "<missing>")]).contains("missing field `rating`"));
        assert!(reason(&[("channel", "\"fax\"")]).contains("unknown variant `fax`"));
        assert!(
            reason(&[("unit", "\"000.00.99.H57\"")]).contains("unit 000.00.99.H57 does not exist")
        );
        assert!(
            reason(&[("procedure", "\"9.999999\"")]).contains("procedure 9.999999 does not exist")
        );
        assert!(reason(&[("received_at", "\"2025-01-07 08:15\"")]).contains("RFC 3339"));
        assert!(reason(&[("received_at", "\"2025-01-07T08:15:00\"")]).contains("RFC 3339"));
        assert!(reason(&[("fee_due", "-1")]).contains("invalid value"));
        let no_limit = reason(&[("procedure", "\"1.000001\""), ("due_at", "null")]);
        assert_eq!(
            no_limit,
            "due_at is null and procedure 1.000001 has no time_limit"
        );
        assert!(parse_dossier_line("{", &cat, &dl).is_err());
    }

    #[test]
    fn null_due_is_computed_from_the_calendar() {
        let cat = Catalogue::parse(UNITS, PROCS).unwrap();
        let cal = Calendar::vietnam();
        let dl = Deadlines::new(&cal);
        // Received Tue 7/1/2025, 1 working day, end_of_day → Wed 8/1 17:00.
        let l = line(&[("due_at", "null")]);
        let (_, d) = parse_dossier_line(&l, &cat, &dl).unwrap();
        assert_eq!(d.due, parse_rfc3339("2025-01-08T17:00:00+07:00").unwrap());
    }

    #[test]
    fn petitions() {
        let cat = Catalogue::parse(UNITS, PROCS).unwrap();
        let cal = Calendar::vietnam();
        let dl = Deadlines::new(&cal);
        let text = r#"{"id":"PA-1","unit":"000.00.31.H57","received_at":"2025-02-03T09:00:00+07:00","deadline_at":null,"resolved_at":null,"satisfaction":null,"repeated":false}
{"id":"PA-2","unit":"000.00.31.H57","received_at":"2025-02-03T09:00:00+07:00","deadline_at":null,"resolved_at":null,"repeated":false}"#;
        let p = parse_petitions(text, &cat, &dl);
        assert_eq!(p.records.len(), 1);
        assert_eq!(
            p.errors[0].to_string(),
            "petitions.jsonl:2: missing field `satisfaction`"
        );
        // Mon 3/2/2025 + 15 working days (end_of_day) = Mon 24/2 17:00.
        assert_eq!(
            p.records[0].2.deadline,
            parse_rfc3339("2025-02-24T17:00:00+07:00").unwrap()
        );
    }
}
