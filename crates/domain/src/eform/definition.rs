//! The e-form definition as it is written and stored: plain JSON, read with serde.
//!
//! Every field carries the same flat set of properties whatever its kind, so that a typo in
//! a property name is refused by serde (`deny_unknown_fields`) and a property that makes no
//! sense for the kind (say `choices` on a date) is refused by [`FormDefinition::check`] with
//! the field's path, instead of being silently ignored when a citizen meets the form.

use serde::{Deserialize, Serialize};

/// One e-form (biểu mẫu điện tử) of a dossier component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    /// Stable identifier, e.g. `to_khai_khai_sinh`.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Vietnamese title, e.g. "Tờ khai đăng ký khai sinh".
    pub title: String,
    /// The legal texts the form follows, for the officers who maintain it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_basis: Vec<String>,
    /// The procedure's component this form declares, by its exact name in the catalogue
    /// (e.g. "Tờ khai đăng ký khai sinh …"): a dossier whose declaration holds has that
    /// component, with no file to attach. Checked against the catalogue at publication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    pub fields: Vec<Field>,
    /// Headed parts for display; when present every top-level field sits in exactly one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
}

/// A headed part of the form, e.g. "Thông tin người mẹ". Groups top-level fields by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub title: String,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One line of text; runs of whitespace collapse to one space.
    Text,
    /// Several lines of text.
    Textarea,
    /// A whole number, with optional `min`/`max`.
    Number,
    /// An amount in đồng: a whole number, never negative.
    MoneyVnd,
    /// A calendar date `YYYY-MM-DD`; `min`/`max` may be dates or rules relative to today.
    Date,
    /// One value out of `choices`.
    Choice,
    /// Any number of values out of `choices`, with optional `min_items`/`max_items`.
    MultiChoice,
    /// A tick box; true or false.
    Checkbox,
    /// The 12-digit personal identification number (số định danh cá nhân) of a CCCD card.
    Cccd,
    /// A Vietnamese mobile number.
    Phone,
    Email,
    /// An electronic unit code (mã định danh điện tử của cơ quan), e.g. `000.00.31.H57`.
    UnitCode,
    /// A repeatable list of items, each made of the sub-fields in `fields`.
    Group,
}

impl FieldKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Textarea => "textarea",
            FieldKind::Number => "number",
            FieldKind::MoneyVnd => "money_vnd",
            FieldKind::Date => "date",
            FieldKind::Choice => "choice",
            FieldKind::MultiChoice => "multi_choice",
            FieldKind::Checkbox => "checkbox",
            FieldKind::Cccd => "cccd",
            FieldKind::Phone => "phone",
            FieldKind::Email => "email",
            FieldKind::UnitCode => "unit_code",
            FieldKind::Group => "group",
        }
    }
}

/// A bound of a `number`, `money_vnd` or `date` field: an integer for numbers; for dates a
/// `YYYY-MM-DD` date, `today`, or `today` shifted by days, months or years (`today-18y`,
/// `today+30d`, `today-6m`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Bound {
    Integer(i64),
    Text(String),
}

/// One entry of a `choice` or `multi_choice` field: the stored value and what people read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// snake_case key of the value in submitted data; unique among its siblings.
    pub name: String,
    /// Vietnamese label, e.g. "Họ, chữ đệm, tên".
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub kind: FieldKind,
    /// Must be filled whenever the field is visible.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Regular expression the whole (normalised) value must match, as HTML's `pattern`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Length bounds of text, counted in characters after NFC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Bound>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Bound>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// Sub-fields of a `group`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    /// Item-count bounds of a `group` or `multi_choice`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// Shown (and kept) only when this holds; a hidden field's value is dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<Condition>,
    /// Required when this holds (and the field is visible).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_if: Option<Condition>,
    /// Where the value can be taken from in the applicant's profile, e.g. `profile.full_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Field {
    /// A field with only the mandatory properties set, for building definitions in code.
    pub fn new(name: &str, label: &str, kind: FieldKind) -> Self {
        Field {
            name: name.to_owned(),
            label: label.to_owned(),
            help: None,
            kind,
            required: false,
            pattern: None,
            min_length: None,
            max_length: None,
            min: None,
            max: None,
            choices: Vec::new(),
            fields: Vec::new(),
            min_items: None,
            max_items: None,
            visible_if: None,
            required_if: None,
            prefill: None,
        }
    }
}

/// A condition on other fields, written as exactly one of:
/// `{"field":"x","equals":v}`, `{"field":"x","in":[…]}`, `{"field":"x","filled":true}`,
/// `{"all":[…]}`, `{"any":[…]}`, `{"not":{…}}`.
///
/// Conditions compare with the *normalised* value of a field declared earlier (a hidden or
/// blank field has none). On a `multi_choice`, `equals` means "is among the chosen" and `in`
/// "any of these is chosen"; an unticked checkbox is not `filled`.
///
/// Kept as a bag of optional parts so that a wrong combination is reported by `check()`
/// with its path rather than as an opaque serde error.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<serde_json::Value>,
    #[serde(rename = "in", default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<Condition>>,
}

impl Condition {
    pub fn equals(field: &str, value: serde_json::Value) -> Self {
        Condition {
            field: Some(field.to_owned()),
            equals: Some(value),
            ..Default::default()
        }
    }
    pub fn one_of(field: &str, values: Vec<serde_json::Value>) -> Self {
        Condition {
            field: Some(field.to_owned()),
            one_of: Some(values),
            ..Default::default()
        }
    }
    pub fn filled(field: &str, filled: bool) -> Self {
        Condition {
            field: Some(field.to_owned()),
            filled: Some(filled),
            ..Default::default()
        }
    }
    pub fn all(conditions: Vec<Condition>) -> Self {
        Condition {
            all: Some(conditions),
            ..Default::default()
        }
    }
    pub fn any(conditions: Vec<Condition>) -> Self {
        Condition {
            any: Some(conditions),
            ..Default::default()
        }
    }
    pub fn negate(condition: Condition) -> Self {
        Condition {
            not: Some(Box::new(condition)),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_properties_are_refused_by_serde() {
        let bad = r#"{"name":"a","label":"A","kind":"text","requried":true}"#;
        assert!(serde_json::from_str::<Field>(bad).is_err());
        let bad = r#"{"field":"a","equal":1}"#;
        assert!(serde_json::from_str::<Condition>(bad).is_err());
    }

    #[test]
    fn bounds_read_integers_and_text() {
        let f: Field =
            serde_json::from_str(r#"{"name":"d","label":"Ngày","kind":"date","max":"today"}"#)
                .unwrap();
        assert_eq!(f.max, Some(Bound::Text("today".into())));
        let f: Field =
            serde_json::from_str(r#"{"name":"n","label":"Số","kind":"number","min":-3}"#).unwrap();
        assert_eq!(f.min, Some(Bound::Integer(-3)));
    }

    #[test]
    fn definitions_can_be_built_in_code() {
        let mut copies = Field::new("copies", "Số lượng bản sao", FieldKind::Number);
        copies.min = Some(Bound::Integer(1));
        copies.required = true;
        copies.visible_if = Some(Condition::all(vec![
            Condition::equals("wants_copies", serde_json::json!(true)),
            Condition::any(vec![Condition::one_of(
                "wants_copies",
                vec![serde_json::json!(true)],
            )]),
        ]));
        let form = FormDefinition {
            id: "ban_sao".into(),
            version: None,
            title: "Đề nghị cấp bản sao".into(),
            legal_basis: Vec::new(),
            component: None,
            fields: vec![
                Field::new("wants_copies", "Cấp bản sao", FieldKind::Checkbox),
                copies,
            ],
            sections: Vec::new(),
        };
        let checked = form.check().unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let errors = checked
            .validate(&serde_json::json!({"wants_copies": true}), today)
            .unwrap_err();
        assert_eq!(errors[0].message_vi, "Vui lòng nhập Số lượng bản sao.");
    }

    #[test]
    fn round_trip_omits_defaults() {
        let f = Field::new("ho_ten", "Họ và tên", FieldKind::Text);
        let s = serde_json::to_string(&f).unwrap();
        assert_eq!(s, r#"{"name":"ho_ten","label":"Họ và tên","kind":"text"}"#);
        let c = Condition::negate(Condition::filled("x", true));
        let s = serde_json::to_string(&c).unwrap();
        assert_eq!(s, r#"{"not":{"field":"x","filled":true}}"#);
        assert_eq!(serde_json::from_str::<Condition>(&s).unwrap(), c);
    }
}
