use super::check_links;
use super::*;
use crate::eform::DefinitionErrorCode as E;
use std::collections::BTreeSet;
use unicode_normalization::UnicodeNormalization;

pub(super) fn text(name: &str) -> Value {
    json!({"name": name, "label": "Nhãn", "kind": "text"})
}

pub(super) fn choice(name: &str) -> Value {
    json!({"name": name, "label": "Lựa chọn", "kind": "choice",
           "choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]})
}

pub(super) fn with(mut field: Value, key: &str, v: Value) -> Value {
    field[key] = v;
    field
}

/// What is tried, the definition, and exactly the refusals expected, in order.
pub(super) type Case = (&'static str, Value, Vec<(&'static str, E)>);

/// One case per rule about the form, names, labels and kinds.
fn cases() -> Vec<Case> {
    let nfd: String = "Họ tên".nfd().collect();
    let group =
        |fields: Value| json!({"name": "g", "label": "Nhóm", "kind": "group", "fields": fields});
    vec![
        ("valid", def(json!([text("a"), choice("b")])), vec![]),
        (
            "bad id",
            json!({"id": "Tờ khai", "title": "T", "fields": [text("a")]}),
            vec![("id", E::InvalidId)],
        ),
        (
            "empty id",
            json!({"id": "", "title": "T", "fields": [text("a")]}),
            vec![("id", E::InvalidId)],
        ),
        (
            "empty title",
            json!({"id": "x", "title": " ", "fields": [text("a")]}),
            vec![("title", E::EmptyLabel)],
        ),
        (
            "empty label",
            def(json!([with(text("a"), "label", json!(""))])),
            vec![("fields[0].label", E::EmptyLabel)],
        ),
        (
            "nfd label",
            def(json!([with(text("a"), "label", json!(nfd))])),
            vec![("fields[0].label", E::LabelNotNfc)],
        ),
        (
            "nfd help",
            def(json!([with(text("a"), "help", json!(nfd))])),
            vec![("fields[0].help", E::LabelNotNfc)],
        ),
        (
            "nfd legal basis",
            json!({"id": "x", "title": "T", "legal_basis": [nfd], "fields": [text("a")]}),
            vec![("legal_basis[0]", E::LabelNotNfc)],
        ),
        (
            "untrimmed label",
            def(json!([with(text("a"), "label", json!(" Họ tên"))])),
            vec![("fields[0].label", E::LabelNotTrimmed)],
        ),
        (
            "camel name",
            def(json!([text("hoTen")])),
            vec![("fields[0].name", E::InvalidName)],
        ),
        (
            "digit first",
            def(json!([text("1a")])),
            vec![("fields[0].name", E::InvalidName)],
        ),
        (
            "dash",
            def(json!([text("ho-ten")])),
            vec![("fields[0].name", E::InvalidName)],
        ),
        (
            "too long name",
            def(json!([text(&"a".repeat(65))])),
            vec![("fields[0].name", E::InvalidName)],
        ),
        (
            "duplicates",
            def(json!([text("a"), text("b"), text("a"), text("a")])),
            vec![
                ("fields[2].name", E::DuplicateName),
                ("fields[3].name", E::DuplicateName),
            ],
        ),
        (
            "duplicate in group",
            def(json!([group(json!([text("x"), text("x")]))])),
            vec![("fields[0].fields[1].name", E::DuplicateName)],
        ),
        (
            "same name inside and outside a group",
            def(json!([text("x"), group(json!([text("x")]))])),
            vec![],
        ),
        ("no fields", def(json!([])), vec![("fields", E::NoFields)]),
        (
            "empty group",
            def(json!([group(json!([]))])),
            vec![("fields[0].fields", E::NoFields)],
        ),
        (
            "nested group",
            def(json!([group(
                json!([{"name": "h", "label": "H", "kind": "group", "fields": [text("y")]}])
            )])),
            vec![("fields[0].fields[0].kind", E::NestedGroup)],
        ),
        (
            "choices on text",
            def(json!([with(
                text("a"),
                "choices",
                json!([{"value": "a", "label": "A"}])
            )])),
            vec![("fields[0].choices", E::PropertyNotAllowed)],
        ),
        (
            "pattern on number",
            def(json!([{"name": "n", "label": "Số", "kind": "number", "pattern": "[0-9]+"}])),
            vec![("fields[0].pattern", E::PropertyNotAllowed)],
        ),
        (
            "min on text, fields on text",
            def(json!([with(
                with(text("a"), "min", json!(1)),
                "fields",
                json!([text("b")])
            )])),
            vec![
                ("fields[0].min", E::PropertyNotAllowed),
                ("fields[0].fields", E::PropertyNotAllowed),
            ],
        ),
        (
            "items on choice, length on date",
            def(json!([with(choice("c"), "max_items", json!(2)),
            {"name": "d", "label": "Ngày", "kind": "date", "max_length": 10}])),
            vec![
                ("fields[0].max_items", E::PropertyNotAllowed),
                ("fields[1].max_length", E::PropertyNotAllowed),
            ],
        ),
        (
            "no choices",
            def(json!([{"name": "c", "label": "C", "kind": "choice"}])),
            vec![("fields[0].choices", E::NoChoices)],
        ),
        (
            "no choices multi",
            def(json!([{"name": "c", "label": "C", "kind": "multi_choice", "choices": []}])),
            vec![("fields[0].choices", E::NoChoices)],
        ),
        (
            "bad choice values",
            def(json!([with(
                choice("c"),
                "choices",
                json!([{"value": "", "label": "A"}, {"value": " b", "label": "B"}, {"value": "c\u{7}", "label": "C"}])
            )])),
            vec![
                ("fields[0].choices[0].value", E::InvalidChoiceValue),
                ("fields[0].choices[1].value", E::InvalidChoiceValue),
                ("fields[0].choices[2].value", E::InvalidChoiceValue),
            ],
        ),
        (
            "duplicate choice",
            def(json!([with(
                choice("c"),
                "choices",
                json!([{"value": "a", "label": "A"}, {"value": "a", "label": "Á"}])
            )])),
            vec![("fields[0].choices[1].value", E::DuplicateChoice)],
        ),
        (
            "empty choice label",
            def(json!([with(
                choice("c"),
                "choices",
                json!([{"value": "a", "label": ""}])
            )])),
            vec![("fields[0].choices[0].label", E::EmptyLabel)],
        ),
        (
            "bad regex",
            def(json!([with(text("a"), "pattern", json!("([0-9]"))])),
            vec![("fields[0].pattern", E::InvalidPattern)],
        ),
        (
            "empty regex",
            def(json!([with(text("a"), "pattern", json!(""))])),
            vec![("fields[0].pattern", E::InvalidPattern)],
        ),
        (
            "huge regex",
            def(json!([with(
                text("a"),
                "pattern",
                json!("\\w{1000}{1000}")
            )])),
            vec![("fields[0].pattern", E::InvalidPattern)],
        ),
        (
            "text bound on number",
            def(json!([{"name": "n", "label": "Số", "kind": "number", "min": "1"}])),
            vec![("fields[0].min", E::InvalidBound)],
        ),
        (
            "negative money",
            def(json!([{"name": "m", "label": "Tiền", "kind": "money_vnd", "min": -1}])),
            vec![("fields[0].min", E::InvalidBound)],
        ),
        (
            "integer date bound",
            def(json!([{"name": "d", "label": "Ngày", "kind": "date", "max": 20250101}])),
            vec![("fields[0].max", E::InvalidBound)],
        ),
        (
            "unknown date rule",
            def(json!([{"name": "d", "label": "Ngày", "kind": "date", "max": "tomorrow"}])),
            vec![("fields[0].max", E::InvalidBound)],
        ),
        (
            "zero max length",
            def(json!([with(text("a"), "max_length", json!(0))])),
            vec![("fields[0].max_length", E::InvalidBound)],
        ),
        (
            "zero max items",
            def(json!([with(
                group(json!([text("x")])),
                "max_items",
                json!(0)
            )])),
            vec![("fields[0].max_items", E::InvalidBound)],
        ),
        (
            "more items than choices",
            def(
                json!([{"name": "m", "label": "M", "kind": "multi_choice", "min_items": 3, "choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}]),
            ),
            vec![("fields[0].min_items", E::InvalidBound)],
        ),
        (
            "number min > max",
            def(json!([{"name": "n", "label": "Số", "kind": "number", "min": 5, "max": 1}])),
            vec![("fields[0].min", E::MinGreaterThanMax)],
        ),
        (
            "length min > max",
            def(json!([with(
                with(text("a"), "min_length", json!(5)),
                "max_length",
                json!(2)
            )])),
            vec![("fields[0].min_length", E::MinGreaterThanMax)],
        ),
        (
            "items min > max",
            def(json!([with(
                with(group(json!([text("x")])), "min_items", json!(3)),
                "max_items",
                json!(1)
            )])),
            vec![("fields[0].min_items", E::MinGreaterThanMax)],
        ),
        (
            "fixed dates inverted",
            def(
                json!([{"name": "d", "label": "Ngày", "kind": "date", "min": "2020-01-01", "max": "2019-12-31"}]),
            ),
            vec![("fields[0].min", E::MinGreaterThanMax)],
        ),
        (
            "relative dates inverted",
            def(
                json!([{"name": "d", "label": "Ngày", "kind": "date", "min": "today", "max": "today-1y"}]),
            ),
            vec![("fields[0].min", E::MinGreaterThanMax)],
        ),
        (
            "mixed dates left alone",
            def(
                json!([{"name": "d", "label": "Ngày", "kind": "date", "min": "2030-01-01", "max": "today"}]),
            ),
            vec![],
        ),
    ]
}

#[test]
fn each_rule_is_refused_with_its_path_and_code() {
    let mut seen = BTreeSet::new();
    for (what, definition, want) in cases().into_iter().chain(check_links::cases()) {
        let got = refusals(definition);
        assert_eq!(got, pairs(&want), "{what}");
        seen.extend(got.into_iter().map(|(_, c)| c));
    }
    seen.insert(E::InvalidJson);
    // Checked against the procedure's components, not here: forms.rs tests it.
    seen.insert(E::UnknownComponent);
    let all: BTreeSet<E> = E::ALL.iter().copied().collect();
    assert_eq!(seen, all, "a definition error code without a test");
}

#[test]
fn malformed_json_is_one_error() {
    let e = CheckedForm::from_json("{").unwrap_err();
    assert_eq!((e[0].path.as_str(), e[0].code), ("", E::InvalidJson));
    // A misspelt property is not silently ignored.
    let e = CheckedForm::from_json(
        r#"{"id":"x","title":"T","fields":[{"name":"a","label":"A","kind":"text","requried":true}]}"#,
    )
    .unwrap_err();
    assert_eq!(e[0].code, E::InvalidJson);
    assert!(e[0].detail.contains("requried"), "{}", e[0].detail);
    let e = CheckedForm::from_json(
        r#"{"id":"x","title":"T","fields":[{"name":"a","label":"A","kind":"slider"}]}"#,
    )
    .unwrap_err();
    assert_eq!(e[0].code, E::InvalidJson);
}

#[test]
fn cycle_detail_names_the_loop() {
    let d: FormDefinition = serde_json::from_value(def(json!([
        with(
            text("a"),
            "visible_if",
            json!({"field": "c", "filled": true})
        ),
        with(
            text("b"),
            "visible_if",
            json!({"field": "a", "filled": true})
        ),
        with(
            text("c"),
            "visible_if",
            json!({"field": "b", "filled": true})
        ),
    ])))
    .unwrap();
    let e = d.check().unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].detail, "conditions form a loop: a → c → b → a");
    assert_eq!(
        e[0].to_string(),
        format!(
            "fields[0].visible_if.field: condition_cycle: {}",
            e[0].detail
        )
    );
}

#[test]
fn all_problems_are_reported_together() {
    let got = refusals(
        json!({"id": "", "title": "", "fields": [text("A"), with(choice("b"), "choices", json!([]))]}),
    );
    assert_eq!(
        got,
        pairs(&[
            ("id", E::InvalidId),
            ("title", E::EmptyLabel),
            ("fields[0].name", E::InvalidName),
            ("fields[1].choices", E::NoChoices),
        ])
    );
}

#[test]
fn definitions_round_trip_through_json() {
    for code in crate::eform::BUILTIN_PROCEDURES {
        let form = crate::eform::builtin(code).unwrap();
        let json = serde_json::to_string(form.definition()).unwrap();
        let again = CheckedForm::from_json(&json).unwrap();
        assert_eq!(again.definition(), form.definition());
    }
}
