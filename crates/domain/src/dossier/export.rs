//! A dossier as a line of the bundle's `dossiers.jsonl` (`spec/bundle.md`), derived from
//! its events alone, so the offline index computes from the same facts as the live one.

use super::model::{Change, Dossier, Event, Rating};
use crate::procedure::{ApplicantKind, Channel};
use chrono::{DateTime, SecondsFormat, SubsecRound as _, Utc};
use serde::{Deserialize, Serialize};

/// Facts only an outside system establishes (the portal, payments, the data store). Each
/// is false until that system confirmed it (`Change::Confirmed`) or an imported history
/// states it (`Change::Imported`); `super::outside::facts` reads them off the events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutsideFacts {
    pub paid_online: bool,
    pub synced: bool,
    pub component_files: bool,
    pub reused_component: bool,
    pub from_data_store: bool,
    pub result_file: bool,
    pub result_to_data_store: bool,
    pub citizen_data: bool,
    pub complained: bool,
}

impl OutsideFacts {
    /// A fact holds if either source says so: what happened in another system stays true.
    pub fn or(self, o: OutsideFacts) -> OutsideFacts {
        OutsideFacts {
            paid_online: self.paid_online || o.paid_online,
            synced: self.synced || o.synced,
            component_files: self.component_files || o.component_files,
            reused_component: self.reused_component || o.reused_component,
            from_data_store: self.from_data_store || o.from_data_store,
            result_file: self.result_file || o.result_file,
            result_to_data_store: self.result_to_data_store || o.result_to_data_store,
            citizen_data: self.citizen_data || o.citizen_data,
            complained: self.complained || o.complained,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleEvent {
    pub kind: &'static str,
    pub at: String,
}

/// Field order is the spec's, so exports are stable and easy to diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleDossier {
    pub code: String,
    pub procedure: String,
    pub unit: String,
    pub parent: Option<String>,
    pub channel: Channel,
    pub applicant_kind: ApplicantKind,
    pub submitted_at: String,
    pub received_at: Option<String>,
    pub due_at: Option<String>,
    pub events: Vec<BundleEvent>,
    pub fee_due: u64,
    pub paid_online: bool,
    pub synced: bool,
    pub component_files: bool,
    pub reused_component: bool,
    pub from_data_store: bool,
    pub result_file: bool,
    pub result_to_data_store: bool,
    pub citizen_data: bool,
    pub rating: Option<Rating>,
    pub complained: bool,
}

/// RFC 3339 at +07:00 with the sub-second part kept when there is one, to the
/// microsecond: the store keeps instants in microseconds, while a projection built in
/// memory (or its JSON) may still carry the clock's nanoseconds. Cut here, a dossier's
/// line reads the same however it was built, and imports back unchanged.
pub fn vn_rfc3339(t: DateTime<Utc>) -> String {
    t.trunc_subsecs(6)
        .with_timezone(&motcua_calendar::VIETNAM_OFFSET)
        .to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// The bundle's name of a change, where the bundle has one.
fn bundle_kind(c: &Change) -> Option<&'static str> {
    Some(match c {
        Change::SupplementRequested { .. } => "supplement_requested",
        Change::SupplementCompleted { .. } => "supplement_completed",
        Change::PaymentRequested { .. } => "payment_requested",
        Change::Extended { .. } => "extended",
        Change::Completed { .. } => "completed",
        Change::Returned { .. } => "returned",
        Change::Stopped { .. } => "stopped",
        Change::Rejected { .. } => "rejected",
        Change::Withdrawn { .. } => "withdrawn",
        _ => return None,
    })
}

/// The line for a dossier, or None for one never submitted (a draft is not a dossier yet).
/// A dossier refused or still waiting at reception has no code of the receipt form; its id
/// stands in, as the bundle needs a key. The outside facts are those its events establish
/// (`super::outside::facts`): confirmed here, or stated by an imported history, whose
/// foreign parent is kept too.
pub fn bundle_line(
    d: &Dossier,
    events: &[Event],
    parent_code: Option<String>,
) -> Option<BundleDossier> {
    let submitted_at = d.submitted_at?;
    let facts = super::outside::facts(events);
    let parent_code = parent_code.or_else(|| {
        events.iter().find_map(|e| match &e.change {
            Change::Imported { parent_code, .. } => parent_code.clone(),
            _ => None,
        })
    });
    Some(BundleDossier {
        code: d
            .code
            .as_ref()
            .map_or_else(|| d.id.clone(), ToString::to_string),
        procedure: d.procedure.to_string(),
        unit: d.unit.to_string(),
        parent: parent_code,
        channel: d.channel.unwrap_or(Channel::Online),
        applicant_kind: d.applicant_kind,
        submitted_at: vn_rfc3339(submitted_at),
        received_at: d.received_at.map(vn_rfc3339),
        due_at: d.due_at.map(vn_rfc3339),
        events: events
            .iter()
            .filter_map(|e| {
                bundle_kind(&e.change).map(|kind| BundleEvent {
                    kind,
                    at: vn_rfc3339(e.at),
                })
            })
            .collect(),
        fee_due: d.fee_requested,
        paid_online: facts.paid_online,
        synced: facts.synced,
        // The event log knows about files now; the outside facts may still add to it.
        component_files: facts.component_files || d.component_files > 0,
        reused_component: facts.reused_component,
        from_data_store: facts.from_data_store,
        result_file: facts.result_file || d.result_files > 0,
        result_to_data_store: facts.result_to_data_store,
        citizen_data: facts.citizen_data,
        rating: d.rating,
        complained: facts.complained,
    })
}
