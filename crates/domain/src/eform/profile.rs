//! Prefill: the applicant's profile (from the national e-ID or their account) fills the
//! fields that ask for it, so that nobody types their own CCCD number twice.

use super::CheckedForm;
use super::definition::{Field, FieldKind};
use super::values::{is_empty_input, phone};
use crate::codes::Cccd;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    /// The value a gender choice must offer for `profile.gender` to fill it.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
    pub fn label_vi(self) -> &'static str {
        match self {
            Gender::Male => "Nam",
            Gender::Female => "Nữ",
        }
    }
}

/// What the system knows about an applicant.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Profile {
    pub full_name: String,
    pub cccd: Option<Cccd>,
    pub birth_date: Option<NaiveDate>,
    pub gender: Option<Gender>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A path a field's `prefill` may name: the profile schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfilePath {
    FullName,
    Cccd,
    BirthDate,
    Gender,
    Address,
    Phone,
    Email,
}

impl ProfilePath {
    pub const ALL: [ProfilePath; 7] = [
        ProfilePath::FullName,
        ProfilePath::Cccd,
        ProfilePath::BirthDate,
        ProfilePath::Gender,
        ProfilePath::Address,
        ProfilePath::Phone,
        ProfilePath::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProfilePath::FullName => "profile.full_name",
            ProfilePath::Cccd => "profile.cccd",
            ProfilePath::BirthDate => "profile.birth_date",
            ProfilePath::Gender => "profile.gender",
            ProfilePath::Address => "profile.address",
            ProfilePath::Phone => "profile.phone",
            ProfilePath::Email => "profile.email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether a value from this path can be valid in `field`: checked at publication so
    /// that prefill never proposes something the form must then refuse.
    pub(crate) fn fits(self, field: &Field) -> bool {
        use FieldKind as K;
        match self {
            ProfilePath::FullName | ProfilePath::Address => {
                matches!(field.kind, K::Text | K::Textarea)
            }
            ProfilePath::Cccd => matches!(field.kind, K::Cccd | K::Text),
            ProfilePath::BirthDate => field.kind == K::Date,
            ProfilePath::Gender => {
                field.kind == K::Choice
                    && [Gender::Male, Gender::Female]
                        .iter()
                        .all(|g| field.choices.iter().any(|c| c.value == g.as_str()))
            }
            ProfilePath::Phone => matches!(field.kind, K::Phone | K::Text),
            ProfilePath::Email => matches!(field.kind, K::Email | K::Text),
        }
    }

    fn value(self, p: &Profile) -> Option<Value> {
        let text = |s: &str| {
            let t = crate::text::nfc(s);
            (!t.is_empty()).then_some(Value::String(t))
        };
        match self {
            ProfilePath::FullName => text(&p.full_name),
            ProfilePath::Cccd => p.cccd.as_ref().map(|c| c.as_str().into()),
            ProfilePath::BirthDate => p
                .birth_date
                .map(|d| d.format("%Y-%m-%d").to_string().into()),
            ProfilePath::Gender => p.gender.map(|g| g.as_str().into()),
            ProfilePath::Address => p.address.as_deref().and_then(text),
            // A number the form would refuse is still offered as typed: the applicant sees
            // it and can correct it, rather than finding the field blank.
            ProfilePath::Phone => p
                .phone
                .as_deref()
                .and_then(|s| phone(s).map(Value::String).or_else(|| text(s))),
            ProfilePath::Email => p.email.as_deref().and_then(text),
        }
    }
}

impl CheckedForm {
    /// Starting data for a new submission: every field with a `prefill` path the profile has
    /// a value for. Visibility is not considered; `validate` drops hidden values anyway.
    pub fn prefill(&self, profile: &Profile) -> Value {
        self.prefill_into(profile, &Value::Object(Map::new()))
    }

    /// `existing` with the blanks that have a `prefill` path filled from the profile; a
    /// value the applicant gave is never overwritten. Data that is not a JSON object is
    /// returned as it is, for `validate` to refuse.
    pub fn prefill_into(&self, profile: &Profile, existing: &Value) -> Value {
        let Value::Object(given) = existing else {
            return existing.clone();
        };
        let mut out = given.clone();
        for node in &self.nodes {
            let Some(path) = node.prefill else { continue };
            if !is_empty_input(out.get(&node.name)) {
                continue;
            }
            if let Some(v) = path.value(profile) {
                out.insert(node.name.clone(), v);
            }
        }
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eform::definition::Choice;

    #[test]
    fn paths_round_trip() {
        for p in ProfilePath::ALL {
            assert_eq!(ProfilePath::parse(p.as_str()), Some(p));
        }
        assert_eq!(ProfilePath::parse("profile.nickname"), None);
        assert_eq!(ProfilePath::parse("full_name"), None);
    }

    #[test]
    fn fit_by_kind() {
        let text = Field::new("a", "A", FieldKind::Text);
        let date = Field::new("a", "A", FieldKind::Date);
        assert!(ProfilePath::FullName.fits(&text));
        assert!(!ProfilePath::FullName.fits(&date));
        assert!(ProfilePath::BirthDate.fits(&date));
        assert!(ProfilePath::Cccd.fits(&text));
        let mut gender = Field::new("g", "Giới tính", FieldKind::Choice);
        gender.choices = vec![Choice {
            value: "male".into(),
            label: "Nam".into(),
        }];
        assert!(!ProfilePath::Gender.fits(&gender));
        gender.choices.push(Choice {
            value: "female".into(),
            label: "Nữ".into(),
        });
        assert!(ProfilePath::Gender.fits(&gender));
    }

    #[test]
    fn values_are_in_normal_form() {
        let p = Profile {
            full_name: "  Trần Thị B ".into(),
            cccd: Some(Cccd::parse("046195000456").unwrap()),
            birth_date: NaiveDate::from_ymd_opt(1995, 4, 30),
            gender: Some(Gender::Female),
            address: Some(" ".into()),
            phone: Some("+84 912 345 678".into()),
            email: None,
        };
        assert_eq!(ProfilePath::FullName.value(&p), Some("Trần Thị B".into()));
        assert_eq!(ProfilePath::Cccd.value(&p), Some("046195000456".into()));
        assert_eq!(ProfilePath::BirthDate.value(&p), Some("1995-04-30".into()));
        assert_eq!(ProfilePath::Gender.value(&p), Some("female".into()));
        assert_eq!(ProfilePath::Address.value(&p), None);
        assert_eq!(ProfilePath::Phone.value(&p), Some("0912345678".into()));
        assert_eq!(ProfilePath::Email.value(&p), None);
        let odd = Profile {
            phone: Some("123".into()),
            ..p
        };
        assert_eq!(ProfilePath::Phone.value(&odd), Some("123".into()));
    }
}
