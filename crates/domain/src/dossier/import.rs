//! The inverse of [`super::export::bundle_line`]: a `dossiers.jsonl` record from another
//! system (`spec/bundle.md`) becomes the events that, replayed, give a dossier whose line
//! is that record again. Imported dossiers are then ordinary dossiers: the same event log,
//! the same projection, the same export and index.
//!
//! The bundle says what happened and when, not who did it nor why: the events name the
//! importing operator and carry [`NOTE`] where a reason is required. What the record states
//! that no native change carries (an unknown appointment, fees owed without a payment
//! request, a foreign parent, the outside facts) rides in one `Imported` change.

use super::code::DossierCode;
use super::export::OutsideFacts;
use super::model::{By, Change, Dossier, Event, Rating};
use crate::codes::{ProcedureCode, UnitCode};
use crate::procedure::{ApplicantKind, Channel};
use chrono::{DateTime, FixedOffset, Utc};
use motcua_calendar::{Calendar, DueMode, TimeLimit, VIETNAM_OFFSET};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

pub const DOSSIERS_FILE: &str = "dossiers.jsonl";

/// The reason written where a change needs one and the source did not give it.
pub const NOTE: &str = "Ghi nhận từ hệ thống khác (nhập gói dữ liệu)";

/// `events[].kind` of the bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordEventKind {
    SupplementRequested,
    SupplementCompleted,
    PaymentRequested,
    Extended,
    Completed,
    Returned,
    Stopped,
    Rejected,
    Withdrawn,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RecordEvent {
    pub kind: RecordEventKind,
    #[serde(deserialize_with = "instant")]
    pub at: DateTime<Utc>,
}

/// One `dossiers.jsonl` line, strictly: every field of the spec must be present (nullable
/// ones as `null`); unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DossierRecord {
    pub code: String,
    pub procedure: ProcedureCode,
    pub unit: UnitCode,
    #[serde(deserialize_with = "nullable")]
    pub parent: Option<String>,
    pub channel: Channel,
    pub applicant_kind: ApplicantKind,
    #[serde(deserialize_with = "instant")]
    pub submitted_at: DateTime<Utc>,
    #[serde(deserialize_with = "nullable_instant")]
    pub received_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "nullable_instant")]
    pub due_at: Option<DateTime<Utc>>,
    pub events: Vec<RecordEvent>,
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

/// A nullable field that must still be present (serde would take a missing `Option` as
/// `None`, and the bundle requires every field).
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(d)
}

/// RFC 3339 with offset, strictly. The store keeps microseconds, so a finer timestamp
/// would not survive the round trip: it is refused rather than silently cut.
fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    let t = DateTime::<FixedOffset>::parse_from_rfc3339(s)
        .map_err(|e| format!("{s:?} is not an RFC 3339 timestamp with offset ({e})"))?;
    if t.timestamp_subsec_nanos() % 1_000 != 0 {
        return Err(format!("{s:?} is more precise than a microsecond"));
    }
    Ok(t.with_timezone(&Utc))
}

fn instant<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    parse_instant(&s).map_err(de::Error::custom)
}

fn nullable_instant<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let s = Option::<std::borrow::Cow<'de, str>>::deserialize(d)?;
    s.map(|s| parse_instant(&s).map_err(de::Error::custom))
        .transpose()
}

/// serde_json's message without its own "at line 1 column N" (the line is ours to give).
fn json_reason(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// Parses one line and checks what the line alone can tell. References (unit, procedure,
/// time limit) are the caller's to check, as they depend on the catalogue.
pub fn parse_record(line: &str) -> Result<DossierRecord, String> {
    let r: DossierRecord = serde_json::from_str(line).map_err(|e| json_reason(&e))?;
    if r.code.is_empty() || r.code.trim() != r.code || r.code.chars().any(char::is_control) {
        return Err(format!(
            "code {:?} is empty or has spaces around it",
            r.code
        ));
    }
    if r.received_at.is_some() && DossierCode::parse(&r.code).is_err() {
        return Err(format!(
            "code {} of a received dossier must look like 000.00.31.H57-250107-0001",
            r.code
        ));
    }
    if r.received_at.is_none() && r.due_at.is_some() {
        return Err(
            "due_at is set but received_at is null (the appointment comes with the receipt)".into(),
        );
    }
    if r.parent.as_deref() == Some(r.code.as_str()) {
        return Err(format!("dossier {} is its own parent", r.code));
    }
    Ok(r)
}

/// What the importing system knows about a record's surroundings.
pub struct Surroundings<'a> {
    /// The published catalogue version of the record's procedure.
    pub procedure_version: i64,
    /// The procedure's process version to pin (0 = the standard process).
    pub process_version: i64,
    /// The procedure's time limit, for an appointment the source did not give.
    pub time_limit: Option<TimeLimit>,
    /// The parent's id when the parent is a dossier of this system; None when it is not
    /// (its code is then kept as the record gives it).
    pub parent_id: Option<String>,
    pub calendar: &'a Calendar,
    /// Who records the history (the importing operator).
    pub by: &'a By,
}

/// The id an imported dossier gets: its code in the source, which is unique in a bundle
/// and keeps re-imports recognisable.
pub fn dossier_id(r: &DossierRecord) -> &str {
    &r.code
}

struct Builder<'a> {
    id: String,
    by: &'a By,
    events: Vec<Event>,
    state: Option<Dossier>,
}

impl Builder<'_> {
    fn push(&mut self, at: DateTime<Utc>, change: Change) -> Result<(), String> {
        let e = Event {
            dossier: self.id.clone(),
            version: self.events.len() as i64 + 1,
            at,
            by: self.by.clone(),
            change,
        };
        self.state = Some(
            Dossier::apply(self.state.take(), &e)
                .ok_or_else(|| format!("{} cannot follow the history so far", e.change.kind()))?,
        );
        self.events.push(e);
        Ok(())
    }
    fn current_due(&self) -> Option<DateTime<Utc>> {
        self.state.as_ref().and_then(|d| d.current_due_at)
    }
}

/// The events of an imported dossier, in order, versions from 1. Replayed, they give a
/// dossier whose [`super::export::bundle_line`] is the record (in the spec's field order
/// and +07:00 timestamps).
pub fn history(r: &DossierRecord, s: &Surroundings) -> Result<Vec<Event>, String> {
    let mut b = Builder {
        id: dossier_id(r).to_owned(),
        by: s.by,
        events: Vec::with_capacity(r.events.len() + 5),
        state: None,
    };
    let submitted = r.submitted_at;
    b.push(
        submitted,
        Change::Created {
            procedure: r.procedure.clone(),
            procedure_version: s.procedure_version,
            unit: r.unit.clone(),
            // An applicant of another system has no account here.
            applicant: String::new(),
            applicant_kind: r.applicant_kind,
            parent: s.parent_id.clone(),
            // Another system's declaration came on paper or its own form, not ours.
            eform_version: None,
        },
    )?;
    b.push(
        submitted,
        Change::Submitted {
            channel: r.channel,
            helper: None,
        },
    )?;
    let mut appointment_unknown = false;
    let mut at = submitted;
    if let Some(received) = r.received_at {
        let code = DossierCode::parse(&r.code).map_err(|e| e.to_string())?;
        // The code's first part is the receiving desk (reception anywhere in the province).
        let desk = r
            .code
            .rsplitn(3, '-')
            .nth(2)
            .and_then(|u| UnitCode::parse(u).ok())
            .unwrap_or_else(|| r.unit.clone());
        let due_at = match (r.due_at, s.time_limit) {
            (Some(d), _) => d,
            (None, Some(limit)) => {
                appointment_unknown = true;
                s.calendar
                    .due(
                        received.with_timezone(&VIETNAM_OFFSET),
                        limit,
                        DueMode::EndOfDay,
                    )
                    .with_timezone(&Utc)
            }
            (None, None) => {
                return Err(format!(
                    "due_at is null and procedure {} has no time_limit",
                    r.procedure
                ));
            }
        };
        b.push(
            received,
            Change::Received {
                code,
                desk,
                due_at,
                process_version: s.process_version,
            },
        )?;
        at = received;
    }
    let asked: bool = r
        .events
        .iter()
        .any(|e| e.kind == RecordEventKind::PaymentRequested);
    b.push(
        at,
        Change::Imported {
            appointment_unknown,
            fee_vnd: if asked { 0 } else { r.fee_due },
            parent_code: match s.parent_id {
                Some(_) => None,
                None => r.parent.clone(),
            },
            facts: OutsideFacts {
                paid_online: r.paid_online,
                synced: r.synced,
                component_files: r.component_files,
                reused_component: r.reused_component,
                from_data_store: r.from_data_store,
                result_file: r.result_file,
                result_to_data_store: r.result_to_data_store,
                citizen_data: r.citizen_data,
                complained: r.complained,
            },
        },
    )?;
    let mut fee_left = r.fee_due;
    for e in &r.events {
        let change = match e.kind {
            RecordEventKind::SupplementRequested => Change::SupplementRequested {
                items: Vec::new(),
                reason: NOTE.into(),
            },
            RecordEventKind::SupplementCompleted => {
                // The appointment moves by the time the clock stood still, as at the desk.
                let stopped = b.state.as_ref().and_then(|d| d.clock_stopped_at);
                let due_at = match (b.current_due(), stopped) {
                    (Some(due), Some(stop)) if e.at > stop => due + (e.at - stop),
                    (Some(due), _) => due,
                    (None, _) => e.at,
                };
                Change::SupplementCompleted { due_at }
            }
            RecordEventKind::PaymentRequested => Change::PaymentRequested {
                amount_vnd: std::mem::take(&mut fee_left),
            },
            RecordEventKind::Extended => Change::Extended {
                // The bundle keeps the original appointment only; the new one is unknown.
                due_at: b.current_due().unwrap_or(e.at),
                reason: NOTE.into(),
            },
            RecordEventKind::Completed => Change::Completed {
                results: Vec::new(),
            },
            RecordEventKind::Returned => Change::Returned { how: NOTE.into() },
            RecordEventKind::Stopped => Change::Stopped {
                reason: NOTE.into(),
            },
            RecordEventKind::Rejected => Change::Rejected {
                reason: NOTE.into(),
            },
            RecordEventKind::Withdrawn => Change::Withdrawn { reason: None },
        };
        b.push(e.at, change)?;
        at = e.at;
    }
    if let Some(rating) = r.rating {
        // The bundle does not date a rating; it cannot precede the last event.
        b.push(
            at,
            Change::Rated {
                rating,
                comment: None,
            },
        )?;
    }
    Ok(b.events)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::access::Role;
    use crate::dossier::export::bundle_line;
    use motcua_calendar::DurationUnit;

    fn by() -> By {
        By {
            account: "import".into(),
            role: Role::Operator,
            unit: None,
        }
    }

    fn round_trip(line: &str, limit: Option<TimeLimit>, parent_id: Option<&str>) -> String {
        let r = parse_record(line).unwrap();
        let cal = Calendar::vietnam();
        let by = by();
        let s = Surroundings {
            procedure_version: 3,
            process_version: 0,
            time_limit: limit,
            parent_id: parent_id.map(str::to_owned),
            calendar: &cal,
            by: &by,
        };
        let events = history(&r, &s).unwrap();
        let d = Dossier::replay(&events).unwrap();
        assert_eq!(d.id, r.code);
        assert_eq!(d.version, events.len() as i64);
        // The caller maps a parent of ours to its code.
        let parent = parent_id.map(|_| r.parent.clone().unwrap());
        let out = bundle_line(&d, &events, parent).unwrap();
        serde_json::to_string(&out).unwrap()
    }

    const SPEC: &str = r#"{"code":"000.00.31.H57-250107-0001","procedure":"1.001193","unit":"000.00.31.H57","parent":null,"channel":"online","applicant_kind":"citizen","submitted_at":"2025-01-07T07:50:00+07:00","received_at":"2025-01-07T08:15:00+07:00","due_at":"2025-01-08T17:00:00+07:00","events":[{"kind":"supplement_requested","at":"2025-01-07T10:00:00+07:00"},{"kind":"supplement_completed","at":"2025-01-07T14:00:00+07:00"},{"kind":"completed","at":"2025-01-08T16:00:00+07:00"},{"kind":"returned","at":"2025-01-09T09:00:00+07:00"}],"fee_due":0,"paid_online":false,"synced":true,"component_files":true,"reused_component":false,"from_data_store":true,"result_file":true,"result_to_data_store":true,"citizen_data":true,"rating":"satisfied","complained":false}"#;

    #[test]
    fn the_spec_example_round_trips() {
        assert_eq!(round_trip(SPEC, None, None), SPEC);
    }

    #[test]
    fn an_unknown_appointment_stays_unknown_but_the_dossier_has_one_to_work_with() {
        let line = SPEC.replace(
            r#""due_at":"2025-01-08T17:00:00+07:00""#,
            r#""due_at":null"#,
        );
        let limit = TimeLimit::whole(1, DurationUnit::WorkingDays).unwrap();
        assert_eq!(round_trip(&line, Some(limit), None), line);
        let r = parse_record(&line).unwrap();
        let cal = Calendar::vietnam();
        let by = by();
        let s = Surroundings {
            procedure_version: 1,
            process_version: 0,
            time_limit: Some(limit),
            parent_id: None,
            calendar: &cal,
            by: &by,
        };
        let d = Dossier::replay(&history(&r, &s).unwrap()).unwrap();
        assert_eq!(d.due_at, None);
        // One working day from Tuesday 08:15, end of day, moved by the 4 h supplement pause.
        assert_eq!(
            d.current_due_at
                .unwrap()
                .with_timezone(&VIETNAM_OFFSET)
                .to_rfc3339(),
            "2025-01-08T21:00:00+07:00"
        );
        let no_limit = Surroundings {
            time_limit: None,
            ..s
        };
        assert_eq!(
            history(&r, &no_limit).unwrap_err(),
            "due_at is null and procedure 1.001193 has no time_limit"
        );
    }

    #[test]
    fn fees_refusals_foreign_parents_and_milliseconds_round_trip() {
        // Refused at reception: no receipt, so no receipt code; a foreign parent; fees owed
        // with no payment request; sub-second submission.
        let refused = r#"{"code":"H57-ONLINE-77","procedure":"1.001193","unit":"000.00.31.H57","parent":"000.00.00.H48-250101-0042","channel":"postal","applicant_kind":"household_business","submitted_at":"2025-01-07T07:50:00.125+07:00","received_at":null,"due_at":null,"events":[{"kind":"rejected","at":"2025-01-07T09:00:00+07:00"}],"fee_due":50000,"paid_online":true,"synced":false,"component_files":false,"reused_component":true,"from_data_store":false,"result_file":false,"result_to_data_store":false,"citizen_data":false,"rating":null,"complained":true}"#;
        assert_eq!(round_trip(refused, None, None), refused);
        // Two payment requests and an extension; the parent is one of ours.
        let paid = SPEC
            .replace(
                r#""events":[{"kind":"supplement_requested""#,
                r#""events":[{"kind":"payment_requested","at":"2025-01-07T09:00:00+07:00"},{"kind":"payment_requested","at":"2025-01-07T09:30:00+07:00"},{"kind":"extended","at":"2025-01-07T09:45:00+07:00"},{"kind":"supplement_requested""#,
            )
            .replace(r#""fee_due":0"#, r#""fee_due":120000"#)
            .replace(r#""parent":null"#, r#""parent":"000.00.31.H57-250106-0009""#);
        assert_eq!(round_trip(&paid, None, Some("0190-parent-id")), paid);
    }

    #[test]
    fn lines_keep_microseconds_whatever_the_clock_gave() {
        let t = DateTime::parse_from_rfc3339("2025-01-07T01:50:00.123456789Z").unwrap();
        assert_eq!(
            crate::dossier::export::vn_rfc3339(t.with_timezone(&Utc)),
            "2025-01-07T08:50:00.123456+07:00"
        );
    }

    #[test]
    fn bad_lines_say_why() {
        let cases = [
            (
                SPEC.replace(r#""rating":"satisfied","#, ""),
                "missing field `rating`",
            ),
            (
                SPEC.replace(
                    r#""received_at":"2025-01-07T08:15:00+07:00""#,
                    r#""received_at":"2025-01-07 08:15""#,
                ),
                "is not an RFC 3339 timestamp",
            ),
            (
                SPEC.replace("07:50:00+07:00", "07:50:00.1234567+07:00"),
                "more precise than a microsecond",
            ),
            (
                SPEC.replace("000.00.31.H57-250107-0001", "HS-1"),
                "must look like 000.00.31.H57-250107-0001",
            ),
            (
                SPEC.replace(
                    r#""received_at":"2025-01-07T08:15:00+07:00""#,
                    r#""received_at":null"#,
                ),
                "due_at is set but received_at is null",
            ),
            (
                SPEC.replace(r#""kind":"completed""#, r#""kind":"archived""#),
                "unknown variant `archived`",
            ),
            (
                SPEC.replace(r#""channel":"online""#, r#""channel":"fax""#),
                "unknown variant `fax`",
            ),
            (
                SPEC.replace(r#""fee_due":0"#, r#""fee_due":-1"#),
                "invalid value",
            ),
        ];
        for (line, why) in cases {
            let e = parse_record(&line).unwrap_err();
            assert!(e.contains(why), "{why}: {e}");
        }
    }
}
