//! What can be wrong with a definition (for the officer publishing it) and with submitted
//! data (for the citizen filling it). Codes are stable snake_case: clients and the UI key on
//! them; the API puts them in the `fields` list of a 422 error.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! snake_codes {
    ($(#[$m:meta])* $t:ident { $($v:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $t { $($v),+ }
        impl $t {
            pub const ALL: &'static [$t] = &[$($t::$v),+];
            pub fn as_str(self) -> &'static str {
                match self { $($t::$v => $s),+ }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

snake_codes!(
    /// Why a definition is refused at publication.
    DefinitionErrorCode {
        InvalidJson => "invalid_json",
        InvalidId => "invalid_id",
        EmptyLabel => "empty_label",
        LabelNotNfc => "label_not_nfc",
        LabelNotTrimmed => "label_not_trimmed",
        InvalidName => "invalid_name",
        DuplicateName => "duplicate_name",
        NoFields => "no_fields",
        NestedGroup => "nested_group",
        PropertyNotAllowed => "property_not_allowed",
        NoChoices => "no_choices",
        InvalidChoiceValue => "invalid_choice_value",
        DuplicateChoice => "duplicate_choice",
        InvalidPattern => "invalid_pattern",
        InvalidBound => "invalid_bound",
        MinGreaterThanMax => "min_greater_than_max",
        InvalidCondition => "invalid_condition",
        UnknownFieldReference => "unknown_field_reference",
        ForwardReference => "forward_reference",
        ConditionCycle => "condition_cycle",
        ConditionValueMismatch => "condition_value_mismatch",
        UnknownPrefillPath => "unknown_prefill_path",
        PrefillKindMismatch => "prefill_kind_mismatch",
        PrefillInGroup => "prefill_in_group",
        UnknownSectionField => "unknown_section_field",
        DuplicateSectionField => "duplicate_section_field",
        FieldWithoutSection => "field_without_section",
        UnknownComponent => "unknown_component",
    }
);

snake_codes!(
    /// Why one submitted value is refused.
    FieldErrorCode {
        NotAnObject => "not_an_object",
        UnknownField => "unknown_field",
        Required => "required",
        WrongType => "wrong_type",
        TooShort => "too_short",
        TooLong => "too_long",
        InvalidCharacters => "invalid_characters",
        PatternMismatch => "pattern_mismatch",
        NotAnInteger => "not_an_integer",
        OutOfRange => "out_of_range",
        InvalidDate => "invalid_date",
        DateInFuture => "date_in_future",
        DateTooEarly => "date_too_early",
        DateTooLate => "date_too_late",
        NotAChoice => "not_a_choice",
        TooFewItems => "too_few_items",
        TooManyItems => "too_many_items",
        InvalidCccd => "invalid_cccd",
        InvalidPhone => "invalid_phone",
        InvalidEmail => "invalid_email",
        InvalidUnitCode => "invalid_unit_code",
    }
);

/// A problem in a definition, at `path` (e.g. `fields[3].visible_if.field`). `detail` is
/// for the people who write definitions and is in English, like the definitions' keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{path}: {code}: {detail}")]
pub struct DefinitionError {
    pub path: String,
    pub code: DefinitionErrorCode,
    pub detail: String,
}

/// A problem in submitted data, at `field` (e.g. `children[1].birth_date`, or "" for the
/// whole submission), with a message naming the field by its label: in Vietnamese, and in
/// English for a reader who chose it (the label itself is the form's, in Vietnamese).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: FieldErrorCode,
    pub message_vi: String,
    pub message_en: String,
}

/// The verb a "please fill" message uses, after how the field is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ask {
    Enter,
    Choose,
    Tick,
}

/// One refusal with what its message needs; turned into a [`FieldError`] once the field's
/// label and path are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    NotAnObject,
    UnknownField(String),
    Required(Ask),
    WrongType,
    TooShort(u32),
    TooLong(u32),
    InvalidCharacters,
    PatternMismatch,
    NotAnInteger,
    OutOfRange {
        min: Option<i64>,
        max: Option<i64>,
        money: bool,
    },
    InvalidDate,
    DateInFuture,
    DateTooEarly(NaiveDate),
    DateTooLate(NaiveDate),
    NotAChoice,
    TooFewItems(u32),
    TooManyItems(u32),
    InvalidCccd,
    InvalidPhone,
    InvalidEmail,
    InvalidUnitCode,
}

impl Problem {
    pub fn code(&self) -> FieldErrorCode {
        use FieldErrorCode as C;
        match self {
            Problem::NotAnObject => C::NotAnObject,
            Problem::UnknownField(_) => C::UnknownField,
            Problem::Required(_) => C::Required,
            Problem::WrongType => C::WrongType,
            Problem::TooShort(_) => C::TooShort,
            Problem::TooLong(_) => C::TooLong,
            Problem::InvalidCharacters => C::InvalidCharacters,
            Problem::PatternMismatch => C::PatternMismatch,
            Problem::NotAnInteger => C::NotAnInteger,
            Problem::OutOfRange { .. } => C::OutOfRange,
            Problem::InvalidDate => C::InvalidDate,
            Problem::DateInFuture => C::DateInFuture,
            Problem::DateTooEarly(_) => C::DateTooEarly,
            Problem::DateTooLate(_) => C::DateTooLate,
            Problem::NotAChoice => C::NotAChoice,
            Problem::TooFewItems(_) => C::TooFewItems,
            Problem::TooManyItems(_) => C::TooManyItems,
            Problem::InvalidCccd => C::InvalidCccd,
            Problem::InvalidPhone => C::InvalidPhone,
            Problem::InvalidEmail => C::InvalidEmail,
            Problem::InvalidUnitCode => C::InvalidUnitCode,
        }
    }

    /// The citizen-facing sentence; `label` is the field's label (with its group and item
    /// number for fields inside a group).
    pub fn message_vi(&self, label: &str) -> String {
        match self {
            Problem::NotAnObject => format!("Dữ liệu của {label} không hợp lệ."),
            Problem::UnknownField(name) => {
                // The key comes from the client; keep the sentence readable whatever it is.
                let shown: String = name.chars().take(64).collect();
                format!("Biểu mẫu không có trường “{shown}”.")
            }
            Problem::Required(Ask::Enter) => format!("Vui lòng nhập {label}."),
            Problem::Required(Ask::Choose) => format!("Vui lòng chọn {label}."),
            Problem::Required(Ask::Tick) => format!("Vui lòng đánh dấu vào ô “{label}”."),
            Problem::WrongType => format!("{label} không hợp lệ."),
            Problem::TooShort(n) => format!("{label} phải có ít nhất {n} ký tự."),
            Problem::TooLong(n) => format!("{label} không được dài quá {n} ký tự."),
            Problem::InvalidCharacters => format!("{label} có ký tự không hợp lệ."),
            Problem::PatternMismatch => format!("{label} không đúng định dạng."),
            Problem::NotAnInteger => format!("{label} phải là một số nguyên."),
            Problem::OutOfRange { min, max, money } => {
                let show = |n: i64| bound(n, *money);
                match (min, max) {
                    (Some(a), Some(b)) => format!("{label} phải từ {} đến {}.", show(*a), show(*b)),
                    (Some(a), None) => format!("{label} không được nhỏ hơn {}.", show(*a)),
                    (None, Some(b)) => format!("{label} không được lớn hơn {}.", show(*b)),
                    (None, None) => format!("{label} không hợp lệ."),
                }
            }
            Problem::InvalidDate => format!("{label} không phải là ngày hợp lệ."),
            Problem::DateInFuture => format!("{label} không được sau ngày hôm nay."),
            Problem::DateTooEarly(d) => {
                format!("{label} không được trước ngày {}.", d.format("%d/%m/%Y"))
            }
            Problem::DateTooLate(d) => {
                format!("{label} không được sau ngày {}.", d.format("%d/%m/%Y"))
            }
            Problem::NotAChoice => {
                format!("Giá trị đã chọn cho {label} không có trong danh sách.")
            }
            Problem::TooFewItems(n) => format!("{label} phải có ít nhất {n} mục."),
            Problem::TooManyItems(n) => format!("{label} chỉ được có tối đa {n} mục."),
            Problem::InvalidCccd => format!("{label} phải gồm đúng 12 chữ số."),
            Problem::InvalidPhone => format!(
                "{label} không phải là số điện thoại di động hợp lệ (10 chữ số, bắt đầu bằng 0 hoặc +84)."
            ),
            Problem::InvalidEmail => format!("{label} không phải là địa chỉ thư điện tử hợp lệ."),
            Problem::InvalidUnitCode => {
                format!("{label} không phải là mã định danh điện tử của cơ quan hợp lệ.")
            }
        }
    }
}

impl Problem {
    /// The same sentence in English, the label quoted as the form writes it.
    pub fn message_en(&self, label: &str) -> String {
        match self {
            Problem::NotAnObject => format!("The data of “{label}” is not valid."),
            Problem::UnknownField(name) => {
                let shown: String = name.chars().take(64).collect();
                format!("The form has no field “{shown}”.")
            }
            Problem::Required(Ask::Enter) => format!("Please enter “{label}”."),
            Problem::Required(Ask::Choose) => format!("Please choose “{label}”."),
            Problem::Required(Ask::Tick) => format!("Please tick “{label}”."),
            Problem::WrongType => format!("“{label}” is not valid."),
            Problem::TooShort(n) => format!("“{label}” must have at least {n} characters."),
            Problem::TooLong(n) => format!("“{label}” must not be longer than {n} characters."),
            Problem::InvalidCharacters => format!("“{label}” has characters that are not allowed."),
            Problem::PatternMismatch => format!("“{label}” is not in the expected format."),
            Problem::NotAnInteger => format!("“{label}” must be a whole number."),
            Problem::OutOfRange { min, max, money } => {
                let show = |n: i64| bound(n, *money);
                match (min, max) {
                    (Some(a), Some(b)) => {
                        format!("“{label}” must be from {} to {}.", show(*a), show(*b))
                    }
                    (Some(a), None) => format!("“{label}” must not be less than {}.", show(*a)),
                    (None, Some(b)) => format!("“{label}” must not be more than {}.", show(*b)),
                    (None, None) => format!("“{label}” is not valid."),
                }
            }
            Problem::InvalidDate => format!("“{label}” is not a valid date."),
            Problem::DateInFuture => format!("“{label}” must not be after today."),
            Problem::DateTooEarly(d) => {
                format!("“{label}” must not be before {}.", d.format("%d/%m/%Y"))
            }
            Problem::DateTooLate(d) => {
                format!("“{label}” must not be after {}.", d.format("%d/%m/%Y"))
            }
            Problem::NotAChoice => format!("The value chosen for “{label}” is not in the list."),
            Problem::TooFewItems(n) => format!("“{label}” must have at least {n} entries."),
            Problem::TooManyItems(n) => format!("“{label}” may have at most {n} entries."),
            Problem::InvalidCccd => format!("“{label}” must be exactly 12 digits."),
            Problem::InvalidPhone => format!(
                "“{label}” is not a valid mobile number (10 digits, starting with 0 or +84)."
            ),
            Problem::InvalidEmail => format!("“{label}” is not a valid e-mail address."),
            Problem::InvalidUnitCode => {
                format!("“{label}” is not a valid electronic identification code of an agency.")
            }
        }
    }
}

/// A range's bound as a message shows it: money in đồng with Vietnamese grouping (amounts
/// are written so in both languages), other numbers plain.
fn bound(n: i64, money: bool) -> String {
    if money {
        format!("{} đồng", group_thousands(n))
    } else {
        n.to_string()
    }
}

/// Vietnamese grouping: 1.500.000.
pub(crate) fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_and_serialise_as_such() {
        for c in DefinitionErrorCode::ALL {
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
        for c in FieldErrorCode::ALL {
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert!(
                c.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
        }
    }

    #[test]
    fn messages_use_the_label_and_vietnamese_formats() {
        assert_eq!(
            Problem::Required(Ask::Enter).message_vi("Họ và tên"),
            "Vui lòng nhập Họ và tên."
        );
        assert_eq!(
            Problem::Required(Ask::Choose).message_vi("Giới tính"),
            "Vui lòng chọn Giới tính."
        );
        let money = Problem::OutOfRange {
            min: Some(0),
            max: Some(1_500_000),
            money: true,
        };
        assert_eq!(
            money.message_vi("Lệ phí"),
            "Lệ phí phải từ 0 đồng đến 1.500.000 đồng."
        );
        let year = Problem::OutOfRange {
            min: Some(1900),
            max: None,
            money: false,
        };
        assert_eq!(
            year.message_vi("Năm sinh"),
            "Năm sinh không được nhỏ hơn 1900."
        );
        let d = NaiveDate::from_ymd_opt(2005, 3, 9).unwrap();
        assert_eq!(
            Problem::DateTooLate(d).message_vi("Ngày sinh"),
            "Ngày sinh không được sau ngày 09/03/2005."
        );
        let long_key = "x".repeat(500);
        assert!(Problem::UnknownField(long_key).message_vi("").len() < 120);
    }

    #[test]
    fn every_problem_maps_to_its_code() {
        let d = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        let all = [
            Problem::NotAnObject,
            Problem::UnknownField("x".into()),
            Problem::Required(Ask::Tick),
            Problem::WrongType,
            Problem::TooShort(1),
            Problem::TooLong(1),
            Problem::InvalidCharacters,
            Problem::PatternMismatch,
            Problem::NotAnInteger,
            Problem::OutOfRange {
                min: None,
                max: None,
                money: false,
            },
            Problem::InvalidDate,
            Problem::DateInFuture,
            Problem::DateTooEarly(d),
            Problem::DateTooLate(d),
            Problem::NotAChoice,
            Problem::TooFewItems(1),
            Problem::TooManyItems(1),
            Problem::InvalidCccd,
            Problem::InvalidPhone,
            Problem::InvalidEmail,
            Problem::InvalidUnitCode,
        ];
        let codes: Vec<FieldErrorCode> = all.iter().map(Problem::code).collect();
        assert_eq!(codes, FieldErrorCode::ALL);
        for p in &all {
            assert!(p.message_vi("Trường").ends_with('.'), "{p:?}");
            // The English sentence names the field and is a different sentence.
            let en = p.message_en("Trường");
            assert!(en.ends_with('.'), "{p:?}: {en}");
            if !matches!(p, Problem::UnknownField(_)) {
                assert!(en.contains("“Trường”"), "{p:?}: {en}");
            }
            assert_ne!(en, p.message_vi("Trường"), "{p:?}");
        }
        assert_eq!(
            Problem::Required(Ask::Enter).message_en("Họ và tên"),
            "Please enter “Họ và tên”."
        );
        assert_eq!(
            Problem::DateTooLate(d).message_en("Ngày sinh"),
            "“Ngày sinh” must not be after 01/01/2000."
        );
    }

    #[test]
    fn thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1.000");
        assert_eq!(group_thousands(-1234567), "-1.234.567");
        assert_eq!(group_thousands(i64::MIN), "-9.223.372.036.854.775.808");
    }
}
