//! Facts of a dossier that only an outside system can establish (`spec/integrations.md`):
//! the national portal received it, the fee was paid online, the applicant was verified
//! with VNeID, a component came from the citizen's data store. Each is an event of the
//! dossier, recorded when that system confirmed it and never by default, so the live
//! index, the export and `motcua index compute` read one history.

use super::export::OutsideFacts;
use super::model::{By, Change, Dossier, Event};
use super::status::Status;
use crate::access::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One fact the 766 index scores that the event log of motcua's own work cannot carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    /// The national portal acknowledged the dossier.
    Synced,
    /// A payment platform reported the fee paid online.
    PaidOnline,
    /// The applicant's identity was verified with VNeID (level 2).
    CitizenData,
    /// A component was filled from already digitised data.
    ReusedComponent,
    /// A component was taken from the citizen's data store.
    FromDataStore,
    /// The result was put in the citizen's data store.
    ResultToDataStore,
    /// The national petition system reported a petition about the dossier.
    Complained,
}

/// The outside systems that confirm facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum System {
    NationalPortal,
    Payment,
    Eid,
    DataStore,
}

impl Fact {
    pub const ALL: [Fact; 7] = [
        Fact::Synced,
        Fact::PaidOnline,
        Fact::CitizenData,
        Fact::ReusedComponent,
        Fact::FromDataStore,
        Fact::ResultToDataStore,
        Fact::Complained,
    ];

    /// The system whose word records the fact. Petitions about a dossier reach a province
    /// through the national portal's petition system.
    pub fn system(self) -> System {
        match self {
            Fact::Synced | Fact::Complained => System::NationalPortal,
            Fact::PaidOnline => System::Payment,
            Fact::CitizenData => System::Eid,
            Fact::ReusedComponent | Fact::FromDataStore | Fact::ResultToDataStore => {
                System::DataStore
            }
        }
    }

    /// The field of the bundle line (`spec/bundle.md`) the fact sets.
    pub fn as_str(self) -> &'static str {
        match self {
            Fact::Synced => "synced",
            Fact::PaidOnline => "paid_online",
            Fact::CitizenData => "citizen_data",
            Fact::ReusedComponent => "reused_component",
            Fact::FromDataStore => "from_data_store",
            Fact::ResultToDataStore => "result_to_data_store",
            Fact::Complained => "complained",
        }
    }

    /// What the history page says of the confirmation.
    pub fn label_vi(self) -> &'static str {
        match self {
            Fact::Synced => "Cổng Dịch vụ công quốc gia xác nhận đã nhận hồ sơ đồng bộ",
            Fact::PaidOnline => "Nền tảng thanh toán xác nhận đã thanh toán trực tuyến",
            Fact::CitizenData => "Người nộp được xác thực bằng định danh điện tử VNeID",
            Fact::ReusedComponent => "Thành phần hồ sơ tái sử dụng dữ liệu đã số hóa",
            Fact::FromDataStore => "Thành phần hồ sơ lấy từ kho dữ liệu điện tử",
            Fact::ResultToDataStore => "Kết quả đã đưa vào kho dữ liệu điện tử",
            Fact::Complained => "Có phản ánh, kiến nghị về hồ sơ",
        }
    }

    fn holds(self, f: &OutsideFacts) -> bool {
        match self {
            Fact::Synced => f.synced,
            Fact::PaidOnline => f.paid_online,
            Fact::CitizenData => f.citizen_data,
            Fact::ReusedComponent => f.reused_component,
            Fact::FromDataStore => f.from_data_store,
            Fact::ResultToDataStore => f.result_to_data_store,
            Fact::Complained => f.complained,
        }
    }

    fn set(self, f: &mut OutsideFacts) {
        match self {
            Fact::Synced => f.synced = true,
            Fact::PaidOnline => f.paid_online = true,
            Fact::CitizenData => f.citizen_data = true,
            Fact::ReusedComponent => f.reused_component = true,
            Fact::FromDataStore => f.from_data_store = true,
            Fact::ResultToDataStore => f.result_to_data_store = true,
            Fact::Complained => f.complained = true,
        }
    }
}

impl System {
    pub fn as_str(self) -> &'static str {
        match self {
            System::NationalPortal => "national_portal",
            System::Payment => "payment",
            System::Eid => "eid",
            System::DataStore => "data_store",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            System::NationalPortal => "Cổng Dịch vụ công quốc gia",
            System::Payment => "Nền tảng thanh toán trực tuyến",
            System::Eid => "Định danh điện tử VNeID",
            System::DataStore => "Kho dữ liệu điện tử của tổ chức, cá nhân",
        }
    }

    /// Who an event recorded on the system's word is by: the system itself, acting for the
    /// operator of this deployment.
    pub fn by(self) -> By {
        By {
            account: format!("system:{}", self.as_str()),
            role: Role::Operator,
            unit: None,
        }
    }
}

/// The outside facts a history establishes: those confirmed here and those an imported
/// history stated (what happened in another system stays true).
pub fn facts(events: &[Event]) -> OutsideFacts {
    let mut f = OutsideFacts::default();
    for e in events {
        match &e.change {
            Change::Imported { facts, .. } => f = f.or(*facts),
            Change::Confirmed { fact, .. } => fact.set(&mut f),
            _ => {}
        }
    }
    f
}

/// The event that records `fact` on its system's word, or None when there is nothing to
/// record: the fact already holds (a confirmation repeated by a retry records nothing), or
/// the dossier was never submitted (a draft is not a dossier any outside system knows).
pub fn confirm(
    d: &Dossier,
    events: &[Event],
    fact: Fact,
    reference: Option<String>,
    at: DateTime<Utc>,
) -> Option<Event> {
    if d.status == Status::Draft || fact.holds(&facts(events)) {
        return None;
    }
    Some(Event {
        dossier: d.id.clone(),
        version: d.version + 1,
        at,
        by: fact.system().by(),
        change: Change::Confirmed { fact, reference },
    })
}

/// Whether a command decided against version `seen` still holds now that the dossier has
/// `after` (every event past `seen`): only outside confirmations came since. An officer who
/// opened a dossier before the portal acknowledged it acts on what they saw; any change of
/// motcua's own work in between is a conflict.
pub fn seen_still_holds(seen: i64, after: &[Event]) -> bool {
    after
        .iter()
        .filter(|e| e.version > seen)
        .all(|e| matches!(e.change, Change::Confirmed { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dossier::export::bundle_line;
    use crate::procedure::{ApplicantKind, Channel};
    use crate::{ProcedureCode, UnitCode};

    fn by() -> By {
        By {
            account: "a".into(),
            role: Role::Applicant,
            unit: None,
        }
    }

    fn history() -> Vec<Event> {
        let at = DateTime::parse_from_rfc3339("2026-03-02T02:00:00Z")
            .unwrap()
            .to_utc();
        vec![
            Event {
                dossier: "d1".into(),
                version: 1,
                at,
                by: by(),
                change: Change::Created {
                    procedure: ProcedureCode::parse("1.001193").unwrap(),
                    procedure_version: 1,
                    unit: UnitCode::parse("000.01.99.H57").unwrap(),
                    applicant: "a".into(),
                    applicant_kind: ApplicantKind::Citizen,
                    parent: None,
                    eform_version: None,
                },
            },
            Event {
                dossier: "d1".into(),
                version: 2,
                at,
                by: by(),
                change: Change::Submitted {
                    channel: Channel::Online,
                    helper: None,
                },
            },
        ]
    }

    #[test]
    fn a_fact_is_false_until_its_system_confirms_it_and_is_recorded_once() {
        let mut events = history();
        let d = Dossier::replay(&events).unwrap();
        assert_eq!(facts(&events), OutsideFacts::default());
        assert!(!bundle_line(&d, &events, None).unwrap().synced);
        let e = confirm(&d, &events, Fact::Synced, Some("ok".into()), d.created_at).unwrap();
        assert_eq!(e.version, 3);
        assert_eq!(e.by.account, "system:national_portal");
        events.push(e);
        let d = Dossier::replay(&events).unwrap();
        assert_eq!(d.version, 3);
        assert_eq!(
            d.status,
            Status::Submitted,
            "a confirmation changes no status"
        );
        let line = bundle_line(&d, &events, None).unwrap();
        assert!(line.synced);
        assert!(!line.paid_online, "one fact confirms no other");
        assert_eq!(
            confirm(&d, &events, Fact::Synced, None, d.created_at),
            None,
            "a repeated acknowledgement records nothing"
        );
        assert!(confirm(&d, &events, Fact::PaidOnline, None, d.created_at).is_some());
    }

    #[test]
    fn a_draft_has_no_outside_fact() {
        let events = &history()[..1];
        let d = Dossier::replay(events).unwrap();
        assert_eq!(confirm(&d, events, Fact::Synced, None, d.created_at), None);
    }

    #[test]
    fn a_command_on_a_seen_version_holds_past_confirmations_only() {
        let mut events = history();
        let d = Dossier::replay(&events).unwrap();
        events.push(confirm(&d, &events, Fact::Synced, None, d.created_at).unwrap());
        assert!(seen_still_holds(2, &events));
        assert!(seen_still_holds(3, &events));
        assert!(
            !seen_still_holds(1, &events),
            "the submission came after version 1"
        );
    }

    #[test]
    fn every_fact_has_its_bundle_field_and_a_system() {
        for f in Fact::ALL {
            let mut o = OutsideFacts::default();
            f.set(&mut o);
            let v = serde_json::to_value(o).unwrap();
            assert_eq!(v[f.as_str()], true, "{f:?}");
            assert!(f.holds(&o));
            assert!(!f.system().label_vi().is_empty());
        }
    }
}
