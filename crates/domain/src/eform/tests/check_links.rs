use super::check::{Case, choice, text, with};
use super::*;
use crate::eform::DefinitionErrorCode as E;

/// One case per rule about conditions, prefill and sections.
pub(super) fn cases() -> Vec<Case> {
    let group =
        |fields: Value| json!({"name": "g", "label": "Nhóm", "kind": "group", "fields": fields});
    vec![
        (
            "empty condition",
            def(json!([text("a"), with(text("b"), "visible_if", json!({}))])),
            vec![("fields[1].visible_if", E::InvalidCondition)],
        ),
        (
            "field without test",
            def(json!([
                text("a"),
                with(text("b"), "visible_if", json!({"field": "a"}))
            ])),
            vec![("fields[1].visible_if", E::InvalidCondition)],
        ),
        (
            "two tests",
            def(json!([
                text("a"),
                with(
                    text("b"),
                    "visible_if",
                    json!({"field": "a", "filled": true, "equals": "x"})
                )
            ])),
            vec![("fields[1].visible_if", E::InvalidCondition)],
        ),
        (
            "combinator with field",
            def(json!([
                text("a"),
                with(
                    text("b"),
                    "visible_if",
                    json!({"field": "a", "not": {"field": "a", "filled": true}})
                )
            ])),
            vec![("fields[1].visible_if", E::InvalidCondition)],
        ),
        (
            "empty all",
            def(json!([
                text("a"),
                with(text("b"), "visible_if", json!({"all": []}))
            ])),
            vec![("fields[1].visible_if.all", E::InvalidCondition)],
        ),
        (
            "empty in",
            def(json!([
                choice("a"),
                with(text("b"), "required_if", json!({"field": "a", "in": []}))
            ])),
            vec![("fields[1].required_if.in", E::InvalidCondition)],
        ),
        (
            "unknown reference",
            def(json!([
                text("a"),
                with(
                    text("b"),
                    "visible_if",
                    json!({"any": [{"field": "a", "filled": true}, {"field": "zzz", "filled": true}]})
                )
            ])),
            vec![(
                "fields[1].visible_if.any[1].field",
                E::UnknownFieldReference,
            )],
        ),
        (
            "reference into a group from outside",
            def(json!([
                group(json!([text("x")])),
                with(
                    text("b"),
                    "visible_if",
                    json!({"field": "x", "filled": true})
                )
            ])),
            vec![("fields[1].visible_if.field", E::UnknownFieldReference)],
        ),
        (
            "forward reference",
            def(json!([
                with(
                    text("a"),
                    "visible_if",
                    json!({"field": "b", "filled": true})
                ),
                text("b")
            ])),
            vec![("fields[0].visible_if.field", E::ForwardReference)],
        ),
        (
            "forward from a group to after it",
            def(json!([
                group(json!([with(
                    text("x"),
                    "required_if",
                    json!({"field": "b", "filled": true})
                )])),
                text("b")
            ])),
            vec![("fields[0].fields[0].required_if.field", E::ForwardReference)],
        ),
        (
            "self reference",
            def(json!([with(
                text("a"),
                "visible_if",
                json!({"field": "a", "filled": true})
            )])),
            vec![("fields[0].visible_if.field", E::ConditionCycle)],
        ),
        (
            "reference to own group",
            def(json!([group(json!([with(
                text("x"),
                "visible_if",
                json!({"field": "g", "filled": true})
            )]))])),
            vec![("fields[0].fields[0].visible_if.field", E::ConditionCycle)],
        ),
        (
            "two-field loop",
            def(json!([
                with(
                    text("a"),
                    "visible_if",
                    json!({"field": "b", "filled": true})
                ),
                with(
                    text("b"),
                    "required_if",
                    json!({"field": "a", "filled": true})
                )
            ])),
            vec![("fields[0].visible_if.field", E::ConditionCycle)],
        ),
        (
            "three-field loop",
            def(json!([
                with(
                    text("a"),
                    "visible_if",
                    json!({"not": {"field": "c", "filled": true}})
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
                )
            ])),
            vec![("fields[0].visible_if.not.field", E::ConditionCycle)],
        ),
        (
            "value not a choice",
            def(json!([
                choice("a"),
                with(
                    text("b"),
                    "visible_if",
                    json!({"field": "a", "in": ["a", "z"]})
                )
            ])),
            vec![("fields[1].visible_if.in[1]", E::ConditionValueMismatch)],
        ),
        (
            "values of each kind",
            def(json!([
            {"name": "t", "label": "Ô", "kind": "checkbox"},
            {"name": "n", "label": "Số", "kind": "number"},
            {"name": "d", "label": "Ngày", "kind": "date"},
            text("s"),
            {"name": "c", "label": "CCCD", "kind": "cccd"},
            group(json!([text("x")])),
            with(text("z"), "visible_if", json!({"all": [
                {"field": "t", "equals": "yes"}, {"field": "n", "equals": "1"}, {"field": "d", "equals": "01/01/2020"},
                {"field": "s", "equals": " padded "}, {"field": "c", "equals": "123"}, {"field": "g", "equals": []}]}))])),
            vec![
                (
                    "fields[6].visible_if.all[0].equals",
                    E::ConditionValueMismatch,
                ),
                (
                    "fields[6].visible_if.all[1].equals",
                    E::ConditionValueMismatch,
                ),
                (
                    "fields[6].visible_if.all[2].equals",
                    E::ConditionValueMismatch,
                ),
                (
                    "fields[6].visible_if.all[3].equals",
                    E::ConditionValueMismatch,
                ),
                (
                    "fields[6].visible_if.all[4].equals",
                    E::ConditionValueMismatch,
                ),
                (
                    "fields[6].visible_if.all[5].equals",
                    E::ConditionValueMismatch,
                ),
            ],
        ),
        (
            "values that fit",
            def(json!([
            {"name": "t", "label": "Ô", "kind": "checkbox"},
            {"name": "m", "label": "Tiền", "kind": "money_vnd"},
            {"name": "p", "label": "Điện thoại", "kind": "phone"},
            with(text("z"), "visible_if", json!({"any": [{"field": "t", "equals": true}, {"field": "m", "in": [0, 1000]}, {"field": "p", "equals": "0912345678"}]}))])),
            vec![],
        ),
        (
            "unknown prefill",
            def(json!([with(
                text("a"),
                "prefill",
                json!("profile.nickname")
            )])),
            vec![("fields[0].prefill", E::UnknownPrefillPath)],
        ),
        (
            "prefill kind",
            def(json!([
                with(text("a"), "prefill", json!("profile.birth_date")),
                with(choice("b"), "prefill", json!("profile.gender"))
            ])),
            vec![
                ("fields[0].prefill", E::PrefillKindMismatch),
                ("fields[1].prefill", E::PrefillKindMismatch),
            ],
        ),
        (
            "prefill in group",
            def(json!([group(json!([with(
                text("x"),
                "prefill",
                json!("profile.full_name")
            )]))])),
            vec![("fields[0].fields[0].prefill", E::PrefillInGroup)],
        ),
        (
            "sections",
            json!({"id": "x", "title": "T", "fields": [text("a"), text("b"), text("c")],
            "sections": [{"title": "", "fields": ["a", "zzz"]}, {"title": "Hai", "fields": ["a", "b"]}]}),
            vec![
                ("sections[0].title", E::EmptyLabel),
                ("sections[0].fields[1]", E::UnknownSectionField),
                ("sections[1].fields[0]", E::DuplicateSectionField),
                ("fields[2]", E::FieldWithoutSection),
            ],
        ),
    ]
}
