//! The procedure catalogue (thủ tục hành chính): what a citizen reads before applying, and
//! the facts the 766 index needs. Versioned: a version is drafted, then published; a
//! published version is never edited in place — a change is a new draft.

use crate::codes::{ProcedureCode, UnitCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    None,
    Partial,
    Full,
}

impl OnlineLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            OnlineLevel::None => "none",
            OnlineLevel::Partial => "partial",
            OnlineLevel::Full => "full",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [OnlineLevel::None, OnlineLevel::Partial, OnlineLevel::Full]
            .into_iter()
            .find(|l| l.as_str() == s)
    }
    pub fn label_vi(self) -> &'static str {
        match self {
            OnlineLevel::None => "Chưa cung cấp trực tuyến",
            OnlineLevel::Partial => "Dịch vụ công trực tuyến một phần",
            OnlineLevel::Full => "Dịch vụ công trực tuyến toàn trình",
        }
    }
}

pub use motcua_calendar::{DurationUnit, TimeLimit};

/// A time limit as a citizen reads it: "3 ngày làm việc", "0,5 ngày làm việc".
pub fn time_limit_label_vi(t: &TimeLimit) -> String {
    let unit = match t.unit() {
        DurationUnit::Hours => "giờ làm việc",
        DurationUnit::WorkingDays => "ngày làm việc",
        DurationUnit::Days => "ngày",
        DurationUnit::Months => "tháng",
    };
    format!("{} {unit}", t.value_string().replace('.', ","))
}

/// The seven public parts of Nghị định 63/2010 Điều 8(2) that the public record has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Parts {
    pub name: bool,
    pub steps: bool,
    pub method: bool,
    pub dossier: bool,
    pub time_limit: bool,
    pub applicants: bool,
    pub agency: bool,
}

impl Parts {
    pub fn all(&self) -> bool {
        self.name
            && self.steps
            && self.method
            && self.dossier
            && self.time_limit
            && self.applicants
            && self.agency
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub decision_date: chrono::NaiveDate,
    pub legal_basis_effective_date: chrono::NaiveDate,
    pub made_public_on: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Direct,
    Online,
    Postal,
}

impl Channel {
    pub fn label_vi(self) -> &'static str {
        match self {
            Channel::Direct => "Trực tiếp",
            Channel::Online => "Trực tuyến",
            Channel::Postal => "Dịch vụ bưu chính công ích",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    Citizen,
    Business,
    HouseholdBusiness,
}

impl ApplicantKind {
    pub fn label_vi(self) -> &'static str {
        match self {
            ApplicantKind::Citizen => "Công dân",
            ApplicantKind::Business => "Doanh nghiệp",
            ApplicantKind::HouseholdBusiness => "Hộ kinh doanh",
        }
    }
}

/// One dossier component (thành phần hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    pub name: String,
    pub required: bool,
    #[serde(default)]
    pub originals: u32,
    #[serde(default)]
    pub copies: u32,
    #[serde(default)]
    pub form: Option<String>,
}

/// A fee or charge; `amount_vnd` is null where the amount is set locally and not known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    pub name: String,
    pub amount_vnd: Option<u64>,
    #[serde(default)]
    pub note: Option<String>,
}

/// One procedure as the catalogue and the bundle hold it. Fields the bundle does not know
/// (sources, verification flags) are carried in `extra` untouched, so nothing a province
/// imports is lost on export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Procedure {
    pub code: ProcedureCode,
    pub name: String,
    pub units: Vec<UnitCode>,
    /// Other names people search by (e.g. without the leading "Thủ tục").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub online_level: Option<OnlineLevel>,
    #[serde(default)]
    pub full_online_eligible: Option<bool>,
    #[serde(default)]
    pub written_result: Option<bool>,
    #[serde(default)]
    pub has_fee: Option<bool>,
    #[serde(default)]
    pub citizen_applicant: Option<bool>,
    #[serde(default)]
    pub time_limit: Option<TimeLimit>,
    #[serde(default)]
    pub parts: Option<Parts>,
    #[serde(default)]
    pub publications: Vec<Publication>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fees: Vec<Fee>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applicant_kinds: Vec<ApplicantKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_code: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_basis: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub provenance: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unverified: Vec<String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// Sources of record give components either as structured entries or as bare names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ComponentEntry {
    Full(Component),
    Name(String),
}

impl ComponentEntry {
    /// The component's name, without building the whole entry.
    pub fn name(&self) -> &str {
        match self {
            ComponentEntry::Full(c) => &c.name,
            ComponentEntry::Name(n) => n,
        }
    }

    pub fn component(&self) -> Component {
        match self {
            ComponentEntry::Full(c) => c.clone(),
            ComponentEntry::Name(n) => Component {
                name: n.clone(),
                required: true,
                originals: 0,
                copies: 0,
                form: None,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProcedureError {
    #[error("name is empty")]
    EmptyName,
    #[error("no competent unit is listed")]
    NoUnits,
    #[error("unit {0} is listed twice")]
    DuplicateUnit(UnitCode),
    #[error("online_level full needs full_online_eligible to be true")]
    FullButNotEligible,
    #[error(
        "publication: decision_date after legal_basis_effective_date is allowed, but made_public_on is before decision_date"
    )]
    PublishedBeforeDecision,
}

impl Procedure {
    /// Normalises text to NFC and checks the rules a record must keep wherever it comes from.
    pub fn normalised(mut self) -> Result<Self, ProcedureError> {
        use crate::text::nfc;
        self.name = nfc(&self.name);
        if self.name.is_empty() {
            return Err(ProcedureError::EmptyName);
        }
        if self.units.is_empty() {
            return Err(ProcedureError::NoUnits);
        }
        let mut seen = std::collections::HashSet::new();
        for u in &self.units {
            if !seen.insert(u) {
                return Err(ProcedureError::DuplicateUnit(u.clone()));
            }
        }
        if self.online_level == Some(OnlineLevel::Full) && self.full_online_eligible == Some(false)
        {
            return Err(ProcedureError::FullButNotEligible);
        }
        for p in &self.publications {
            if p.made_public_on.is_some_and(|m| m < p.decision_date) {
                return Err(ProcedureError::PublishedBeforeDecision);
            }
        }
        for s in self
            .steps
            .iter_mut()
            .chain(self.legal_basis.iter_mut())
            .chain(self.aliases.iter_mut())
        {
            *s = nfc(s);
        }
        for o in [
            &mut self.field,
            &mut self.authority,
            &mut self.result,
            &mut self.time_note,
        ]
        .into_iter()
        .flatten()
        {
            *o = nfc(o);
        }
        Ok(self)
    }

    /// The folded text search matches against: name, aliases, code, field.
    pub fn search_text(&self) -> String {
        let mut s = crate::text::fold_vi(&self.name);
        let extras = self
            .aliases
            .iter()
            .map(String::as_str)
            .chain([self.code.as_str()])
            .chain(self.field.as_deref());
        for e in extras {
            s.push(' ');
            s.push_str(&crate::text::fold_vi(e));
        }
        s
    }

    /// Fully online end to end: the level says so and the procedure is eligible.
    pub fn is_full_online(&self) -> bool {
        self.online_level == Some(OnlineLevel::Full)
    }
}

/// Status of one catalogue version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    Draft,
    Published,
}

impl VersionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VersionStatus::Draft => "draft",
            VersionStatus::Published => "published",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(Self::Draft),
            "published" => Some(Self::Published),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("version {0} is published and cannot be edited; create a new draft")]
    PublishedIsImmutable(u32),
    #[error("version {0} is already published")]
    AlreadyPublished(u32),
}

/// A published version is frozen; only drafts change.
pub fn check_editable(version: u32, status: VersionStatus) -> Result<(), VersionError> {
    match status {
        VersionStatus::Draft => Ok(()),
        VersionStatus::Published => Err(VersionError::PublishedIsImmutable(version)),
    }
}

pub fn check_publishable(version: u32, status: VersionStatus) -> Result<(), VersionError> {
    match status {
        VersionStatus::Draft => Ok(()),
        VersionStatus::Published => Err(VersionError::AlreadyPublished(version)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn time_limit_labels_and_json() {
        let t = TimeLimit::parse("0.5", DurationUnit::WorkingDays).unwrap();
        assert_eq!(time_limit_label_vi(&t), "0,5 ngày làm việc");
        for s in [
            r#"{"value":3,"unit":"working_days"}"#,
            r#"{"value":0.5,"unit":"working_days"}"#,
        ] {
            let t: TimeLimit = serde_json::from_str(s).unwrap();
            assert_eq!(serde_json::to_string(&t).unwrap(), s);
        }
        assert!(serde_json::from_str::<TimeLimit>(r#"{"value":2.5,"unit":"months"}"#).is_err());
    }

    #[test]
    fn a_component_is_named_alike_in_both_forms() {
        let both: Vec<ComponentEntry> = serde_json::from_str(
            r#"["Giấy chứng sinh", {"name": "Tờ khai", "required": false, "originals": 1, "copies": 0}]"#,
        )
        .unwrap();
        let names: Vec<&str> = both.iter().map(ComponentEntry::name).collect();
        assert_eq!(names, ["Giấy chứng sinh", "Tờ khai"]);
        for c in &both {
            assert_eq!(c.name(), c.component().name);
        }
    }

    #[test]
    fn procedure_round_trip_keeps_unknown_fields() {
        let line = r#"{"code":"1.001193","name":"Đăng ký khai sinh","units":["000.00.31.H57"],"source":"x","detail_level":"full"}"#;
        let p: Procedure = serde_json::from_str(line).unwrap();
        assert_eq!(p.extra.get("source").unwrap(), "x");
        let again: Procedure = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(p, again);
    }

    #[test]
    fn normalisation_rules() {
        let line = r#"{"code":"1.001193","name":"  ","units":["000.00.31.H57"]}"#;
        let p: Procedure = serde_json::from_str(line).unwrap();
        assert_eq!(p.normalised(), Err(ProcedureError::EmptyName));
        let line = r#"{"code":"1.001193","name":"A","units":["000.00.31.H57","000.00.31.H57"]}"#;
        let p: Procedure = serde_json::from_str(line).unwrap();
        assert!(matches!(
            p.normalised(),
            Err(ProcedureError::DuplicateUnit(_))
        ));
    }

    #[test]
    fn published_versions_are_frozen() {
        assert!(check_editable(1, VersionStatus::Draft).is_ok());
        assert_eq!(
            check_editable(2, VersionStatus::Published),
            Err(VersionError::PublishedIsImmutable(2))
        );
    }
}
