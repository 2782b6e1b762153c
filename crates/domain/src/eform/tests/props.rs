//! Properties of validation over generated data, on a form that uses every kind and on the
//! built-in birth declaration.

use super::forms::birth_submission;
use super::*;
use crate::eform::{FieldError, builtin};
use proptest::prelude::*;
use proptest::sample::select;
use std::collections::BTreeMap;
use unicode_normalization::UnicodeNormalization;

fn every_kind() -> CheckedForm {
    checked(def(json!([
        {"name": "full_name", "label": "Họ và tên", "kind": "text", "required": true, "max_length": 60},
        {"name": "note", "label": "Ghi chú", "kind": "textarea"},
        {"name": "code", "label": "Mã", "kind": "text", "pattern": "[A-Z]{2}[0-9]{3}"},
        {"name": "age", "label": "Tuổi", "kind": "number", "min": 0, "max": 150},
        {"name": "fee", "label": "Lệ phí", "kind": "money_vnd", "max": 10_000_000},
        {"name": "born", "label": "Ngày sinh", "kind": "date", "min": "1900-01-01", "max": "today"},
        {"name": "kind", "label": "Loại", "kind": "choice", "required": true,
         "choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}, {"value": "đặc_biệt", "label": "Đặc biệt"}]},
        {"name": "tags", "label": "Nhãn", "kind": "multi_choice", "max_items": 2,
         "choices": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}, {"value": "z", "label": "Z"}]},
        {"name": "agree", "label": "Đồng ý", "kind": "checkbox"},
        {"name": "detail", "label": "Chi tiết", "kind": "text", "required": true, "visible_if": {"field": "kind", "equals": "b"}},
        {"name": "id", "label": "Số định danh cá nhân", "kind": "cccd", "required_if": {"field": "agree", "equals": true}},
        {"name": "phone", "label": "Điện thoại", "kind": "phone"},
        {"name": "email", "label": "Thư điện tử", "kind": "email"},
        {"name": "unit", "label": "Đơn vị", "kind": "unit_code"},
        {"name": "kids", "label": "Con", "kind": "group", "max_items": 3, "fields": [
            {"name": "name", "label": "Tên", "kind": "text", "required": true},
            {"name": "dob", "label": "Ngày sinh", "kind": "date", "max": "today"},
            {"name": "sex", "label": "Giới tính", "kind": "choice", "visible_if": {"field": "kind", "in": ["a", "b"]},
             "choices": [{"value": "m", "label": "Nam"}, {"value": "f", "label": "Nữ"}]}]},
    ])))
}

const TOP: [&str; 15] = [
    "full_name",
    "note",
    "code",
    "age",
    "fee",
    "born",
    "kind",
    "tags",
    "agree",
    "detail",
    "id",
    "phone",
    "email",
    "unit",
    "kids",
];
const KID: [&str; 3] = ["name", "dob", "sex"];
/// Fields whose inner whitespace may vary too (one line of text).
const ONE_LINE: [&str; 3] = ["full_name", "detail", "name"];

/// Values each field accepts, and values it refuses.
fn candidates(field: &str) -> (Vec<Value>, Vec<Value>) {
    let kid = |name: &str, dob: Option<&str>, sex: Option<&str>| {
        let mut k = json!({"name": name});
        if let Some(d) = dob {
            k["dob"] = json!(d);
        }
        if let Some(s) = sex {
            k["sex"] = json!(s);
        }
        k
    };
    match field {
        "full_name" => (
            vec![
                json!("Nguyễn Văn An"),
                json!("Lê Thị Hồng Nhung"),
                json!("Trần  Đức"),
            ],
            vec![json!(""), json!(12), json!("x".repeat(61))],
        ),
        "note" => (
            vec![json!("dòng 1\ndòng 2"), json!("Ghi chú")],
            vec![json!("a\u{0}b")],
        ),
        "code" => (vec![json!("HU123")], vec![json!("hu123"), json!("HU1234")]),
        "age" => (
            vec![json!(0), json!(42), json!("150")],
            vec![json!(-1), json!(2.5), json!("abc")],
        ),
        "fee" => (
            vec![json!(0), json!("1.500.000"), json!(250_000)],
            vec![json!(-5), json!("1,5")],
        ),
        "born" => (
            vec![json!("1990-01-31"), json!("2024-02-29")],
            vec![
                json!("2030-01-01"),
                json!("1899-12-31"),
                json!("31/01/1990"),
            ],
        ),
        "kind" => (
            vec![json!("a"), json!("b"), json!("đặc_biệt")],
            vec![json!("z"), json!(null)],
        ),
        "tags" => (
            vec![json!(["x"]), json!(["z", "x"]), json!("y")],
            vec![json!(["x", "y", "z"]), json!(["w"])],
        ),
        "agree" => (
            vec![json!(true), json!(false), json!("on")],
            vec![json!("yes")],
        ),
        "detail" => (vec![json!("Chi tiết thêm")], vec![json!(5)]),
        "id" => (
            vec![json!("046195000456"), json!("046 195 000 456")],
            vec![json!("123")],
        ),
        "phone" => (
            vec![json!("0912345678"), json!("+84 387 654 321")],
            vec![json!("12345")],
        ),
        "email" => (vec![json!("an@hue.gov.vn")], vec![json!("an@")]),
        "unit" => (vec![json!("000.00.31.H57")], vec![json!("H57")]),
        "kids" => (
            vec![
                json!([kid("Bé Na", Some("2020-05-05"), Some("f"))]),
                json!([kid("Tí", None, None), kid("Tèo", None, Some("m"))]),
            ],
            vec![
                json!([{}]),
                json!([1]),
                json!("x"),
                Value::Array(vec![kid("A", None, None); 4]),
                json!([{"name": "A", "extra": 1}]),
            ],
        ),
        _ => (vec![], vec![]),
    }
}

const REQUIRED: [&str; 4] = ["full_name", "kind", "detail", "id"];

/// Data the every-kind form accepts: each required field valid, the others valid or absent.
fn valid_data() -> impl Strategy<Value = Value> {
    let per_field: Vec<BoxedStrategy<Option<Value>>> = TOP
        .iter()
        .map(|f| {
            let (good, _) = candidates(f);
            let pick = select(good).prop_map(Some);
            if REQUIRED.contains(f) {
                pick.boxed()
            } else {
                prop_oneof![Just(None), pick].boxed()
            }
        })
        .collect();
    per_field.prop_map(|values| {
        let map: serde_json::Map<String, Value> = TOP
            .iter()
            .zip(values)
            .filter_map(|(k, v)| v.map(|v| ((*k).to_owned(), v)))
            .collect();
        Value::Object(map)
    })
}

/// Data with some refusals mixed in, and keys the form does not know.
fn noisy_data() -> impl Strategy<Value = Value> {
    let per_field: Vec<BoxedStrategy<Option<Value>>> = TOP
        .iter()
        .map(|f| {
            let (good, bad) = candidates(f);
            prop_oneof![2 => select(good).prop_map(Some), 1 => Just(None), 1 => select(bad).prop_map(Some)].boxed()
        })
        .collect();
    let extra = proptest::option::of(select(vec!["zz", "aa", "kids_x", "Kind"]));
    (per_field, extra).prop_map(|(values, extra)| {
        let mut map: serde_json::Map<String, Value> = TOP
            .iter()
            .zip(values)
            .filter_map(|(k, v)| v.map(|v| ((*k).to_owned(), v)))
            .collect();
        if let Some(k) = extra {
            map.insert(k.to_owned(), json!(1));
        }
        Value::Object(map)
    })
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        (-1e12f64..1e12).prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        select(vec![
            "2024-02-29",
            "0912345678",
            "046195000456",
            "a",
            "b",
            "x",
            "on"
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let key = prop_oneof![
            select(TOP.iter().chain(KID.iter()).copied().collect::<Vec<_>>())
                .prop_map(str::to_owned),
            ".{0,6}"
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(key, inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Objects keyed by the forms' own field names, so that the values reach every kind's reader.
fn any_submission() -> impl Strategy<Value = Value> {
    let names: Vec<&str> = TOP.iter().copied().chain(birth_keys()).collect();
    proptest::collection::btree_map(select(names).prop_map(str::to_owned), any_json(), 0..16)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn birth_keys() -> Vec<&'static str> {
    vec![
        "requester_full_name",
        "child_birth_date",
        "mother_nationality",
        "father_undetermined",
        "birth_proof",
        "witnesses",
        "linked_services",
        "copies_count",
    ]
}

/// Same data, typed differently: NFD, surrounding whitespace, doubled inner spaces.
fn vary(v: &Value, key: Option<&str>, pad: &str) -> Value {
    match v {
        Value::String(s) => {
            let mut t: String = s.nfd().collect();
            if key.is_some_and(|k| ONE_LINE.contains(&k)) {
                t = t.replace(' ', "  \t");
            }
            Value::String(format!("{pad}{t}{pad}"))
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| vary(x, key, pad)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), vary(x, Some(k), pad)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum At {
    Field(usize),
    Unknown(String),
    Item(usize),
}

/// Where an error path sits in the every-kind form, read back from the path itself.
fn position(path: &str) -> Vec<At> {
    let mut out = Vec::new();
    let mut names: &[&str] = &TOP;
    for seg in path.split('.') {
        let (name, item) = match seg.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (seg, None),
        };
        match names.iter().position(|n| *n == name) {
            Some(i) => out.push(At::Field(i)),
            None => out.push(At::Unknown(name.to_owned())),
        }
        if let Some(i) = item {
            out.push(At::Item(i));
        }
        names = &KID;
    }
    out
}

fn in_form_order(errors: &[FieldError]) -> bool {
    errors
        .windows(2)
        .all(|w| (position(&w[0].field), w[0].code) < (position(&w[1].field), w[1].code))
}

proptest! {
    #[test]
    fn validate_never_panics_on_any_json(data in any_json()) {
        let _ = every_kind().validate(&data, today());
        let _ = builtin("1.001193").unwrap().validate(&data, today());
    }

    #[test]
    fn validate_never_panics_on_any_values_of_known_fields(data in any_submission()) {
        let _ = every_kind().validate(&data, today());
        for code in crate::eform::BUILTIN_PROCEDURES {
            let _ = builtin(code).unwrap().validate(&data, today());
        }
    }

    #[test]
    fn valid_data_is_accepted_and_its_normal_form_is_a_fixed_point(data in valid_data()) {
        let form = every_kind();
        let out = form.validate(&data, today());
        prop_assert!(out.is_ok(), "{:#?}", out);
        let out = out.unwrap();
        prop_assert_eq!(form.validate(out.as_value(), today()), Ok(out.clone()));
    }

    #[test]
    fn any_accepted_data_normalises_to_a_fixed_point(data in noisy_data()) {
        let form = every_kind();
        if let Ok(out) = form.validate(&data, today()) {
            prop_assert_eq!(form.validate(out.as_value(), today()), Ok(out.clone()));
        }
    }

    #[test]
    fn text_variations_do_not_change_the_outcome(
        data in valid_data(),
        pad in select(vec!["", " ", "\t", "\n ", "\u{a0}", "\u{3000}"]),
    ) {
        let form = every_kind();
        let plain = form.validate(&data, today());
        let varied = form.validate(&vary(&data, None, pad), today());
        prop_assert!(plain.is_ok());
        prop_assert_eq!(varied, plain);
    }

    #[test]
    fn birth_declaration_survives_text_variations(pad in select(vec!["", " ", "\u{a0}"])) {
        let form = builtin("1.001193").unwrap();
        let data = birth_submission();
        prop_assert_eq!(form.validate(&vary(&data, None, pad), today()), form.validate(&data, today()));
    }

    #[test]
    fn errors_are_deterministic_and_in_form_order(data in noisy_data()) {
        let form = every_kind();
        let first = form.validate(&data, today());
        prop_assert_eq!(&form.validate(&data, today()), &first);
        if let Err(errors) = first {
            prop_assert!(!errors.is_empty());
            prop_assert!(in_form_order(&errors), "{:#?}", errors);
            let mut seen = BTreeMap::new();
            for e in &errors {
                prop_assert!(!e.message_vi.is_empty());
                prop_assert!(seen.insert((e.field.clone(), e.code), ()).is_none());
            }
        }
    }
}

#[test]
fn position_reads_paths_back() {
    assert!(position("kind") < position("kids"));
    assert!(position("kids") < position("kids[0].name"));
    assert!(position("kids[0].sex") < position("kids[1].name"));
    assert!(position("kids[0].extra") < position("kids[1].name"));
    assert!(position("kids") < position("aa"));
    assert!(position("aa") < position("zz"));
}
