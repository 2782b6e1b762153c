//! An e-form definition as plain HTML inputs, and posted inputs back into e-form data.
//!
//! Pages run without JavaScript, so conditions (`visible_if`) cannot hide fields: every
//! field is shown, conditional ones say so, and the server-side validation drops the answers
//! of fields whose condition does not hold. A repeatable group gets a fixed number of rows;
//! blank rows are left out when reading the post.

use crate::error::FieldError;
use motcua_domain::eform::{Field, FieldKind, FormDefinition};
use serde_json::{Map, Value};

/// Rows shown for a repeatable group when the draft has fewer.
const GROUP_ROWS: usize = 3;
/// More choices than this are a drop-down instead of radio buttons.
const MAX_RADIOS: usize = 5;

pub struct Opt {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct FieldView {
    /// The input's `name`: `x`, or `g[0].y` inside a group.
    pub name: String,
    pub id: String,
    pub label: String,
    pub help: Option<String>,
    /// text, textarea, number, money, date, radio, select, checkboxes, checkbox, cccd,
    /// phone, email, unit_code, group
    pub kind: &'static str,
    pub required: bool,
    /// Shown to everyone, but only answered when an earlier answer calls for it.
    pub conditional: bool,
    pub value: String,
    pub checked: bool,
    pub options: Vec<Opt>,
    pub error: Option<String>,
    pub rows: Vec<Row>,
}

pub struct Row {
    pub number: usize,
    pub fields: Vec<FieldView>,
}

pub struct SectionView {
    pub title: String,
    pub fields: Vec<FieldView>,
}

/// One line of the error summary: a message and the input it is about.
pub struct ErrorLink {
    pub id: String,
    pub message: String,
}

/// The HTML id of an input name (`g[0].y` → `f-g-0-y`): ids must not carry brackets or
/// dots if they are to be used in fragment links without escaping.
pub fn input_id(name: &str) -> String {
    let mut id = String::from("f-");
    for c in name.chars() {
        match c {
            '[' | '.' => id.push('-'),
            ']' => {}
            c => id.push(c),
        }
    }
    id
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn is_ticked(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.trim(), "true" | "on"),
        _ => false,
    }
}

fn view(f: &Field, name: String, data: Option<&Value>, errors: &[FieldError]) -> FieldView {
    let error = errors
        .iter()
        .find(|e| e.field.strip_prefix("form_data.").unwrap_or(&e.field) == name)
        .and_then(|e| e.message.clone());
    let chosen: Vec<String> = match data {
        Some(Value::Array(a)) => a.iter().map(|v| text_of(Some(v))).collect(),
        other => vec![text_of(other)],
    };
    let options = f
        .choices
        .iter()
        .map(|c| Opt {
            value: c.value.clone(),
            label: c.label.clone(),
            checked: chosen.contains(&c.value),
        })
        .collect();
    let kind = match f.kind {
        FieldKind::Text => "text",
        FieldKind::Textarea => "textarea",
        FieldKind::Number => "number",
        FieldKind::MoneyVnd => "money",
        FieldKind::Date => "date",
        FieldKind::Choice if f.choices.len() > MAX_RADIOS => "select",
        FieldKind::Choice => "radio",
        FieldKind::MultiChoice => "checkboxes",
        FieldKind::Checkbox => "checkbox",
        FieldKind::Cccd => "cccd",
        FieldKind::Phone => "phone",
        FieldKind::Email => "email",
        FieldKind::UnitCode => "unit_code",
        FieldKind::Group => "group",
    };
    let mut rows = Vec::new();
    if f.kind == FieldKind::Group {
        let items: &[Value] = match data {
            Some(Value::Array(a)) => a,
            _ => &[],
        };
        let max = f.max_items.map_or(usize::MAX, |m| m as usize);
        let min = f.min_items.map_or(0, |m| m as usize);
        let n = items
            .len()
            .max(GROUP_ROWS)
            .max(min)
            .min(max.max(items.len()));
        for k in 0..n {
            let item = items.get(k);
            rows.push(Row {
                number: k + 1,
                fields: f
                    .fields
                    .iter()
                    .map(|sub| {
                        view(
                            sub,
                            format!("{name}[{k}].{}", sub.name),
                            item.and_then(|i| i.get(&sub.name)),
                            errors,
                        )
                    })
                    .collect(),
            });
        }
    }
    FieldView {
        id: input_id(&name),
        name,
        label: f.label.clone(),
        help: f.help.clone(),
        kind,
        required: f.required || f.required_if.is_some(),
        conditional: f.visible_if.is_some() || f.required_if.is_some(),
        value: if f.kind == FieldKind::MultiChoice {
            String::new()
        } else {
            text_of(data)
        },
        checked: is_ticked(data),
        options,
        error,
        rows,
    }
}

/// The form's sections with the values of `data` and the messages of `errors` (field paths
/// as the service reports them, `form_data.x`), and the error summary in the order given.
pub fn render_form(
    def: &FormDefinition,
    data: &Value,
    errors: &[FieldError],
) -> (Vec<SectionView>, Vec<ErrorLink>) {
    let one = |f: &Field| view(f, f.name.clone(), data.get(&f.name), errors);
    let sections = if def.sections.is_empty() {
        vec![SectionView {
            title: String::new(),
            fields: def.fields.iter().map(one).collect(),
        }]
    } else {
        def.sections
            .iter()
            .map(|s| SectionView {
                title: s.title.clone(),
                fields: s
                    .fields
                    .iter()
                    .filter_map(|n| def.fields.iter().find(|f| f.name == *n))
                    .map(one)
                    .collect(),
            })
            .collect()
    };
    (sections, summary(errors))
}

/// Error summary links; a message about the whole form points at the form itself.
pub fn summary(errors: &[FieldError]) -> Vec<ErrorLink> {
    errors
        .iter()
        .map(|e| {
            let name = e.field.strip_prefix("form_data.").unwrap_or(&e.field);
            ErrorLink {
                id: if name.is_empty() {
                    "to-khai".to_owned()
                } else {
                    input_id(name)
                },
                message: e.message.clone().unwrap_or_else(|| e.code.clone()),
            }
        })
        .collect()
}

pub use crate::extract::Posted;

fn read_fields(fields: &[Field], prefix: &str, p: &Posted) -> Map<String, Value> {
    let mut out = Map::new();
    for f in fields {
        let name = format!("{prefix}{}", f.name);
        let value = match f.kind {
            FieldKind::Checkbox => p.get(&name).map(|_| Value::Bool(true)),
            FieldKind::MultiChoice => {
                let chosen: Vec<Value> = p
                    .all(&name)
                    .into_iter()
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| Value::String(v.to_owned()))
                    .collect();
                (!chosen.is_empty()).then_some(Value::Array(chosen))
            }
            FieldKind::Group => {
                let rows = group_rows(&name, p);
                let items: Vec<Value> = rows
                    .into_iter()
                    .map(|k| read_fields(&f.fields, &format!("{name}[{k}]."), p))
                    .filter(|m| !m.is_empty())
                    .map(Value::Object)
                    .collect();
                (!items.is_empty()).then_some(Value::Array(items))
            }
            _ => p
                .get(&name)
                .filter(|v| !v.trim().is_empty())
                .map(|v| Value::String(v.to_owned())),
        };
        if let Some(v) = value {
            out.insert(f.name.clone(), v);
        }
    }
    out
}

/// The row numbers posted for group `name`, in order.
fn group_rows(name: &str, p: &Posted) -> Vec<usize> {
    let open = format!("{name}[");
    let mut rows: Vec<usize> =
        p.0.iter()
            .filter_map(|(k, _)| k.strip_prefix(&open))
            .filter_map(|rest| rest.split_once(']'))
            .filter_map(|(n, _)| n.parse().ok())
            .collect();
    rows.sort_unstable();
    rows.dedup();
    rows
}

/// The e-form data in a post: only the form's own fields (so the page's hidden fields never
/// reach validation as unknown answers), blank answers and blank group rows left out.
pub fn read_posted(def: &FormDefinition, p: &Posted) -> Value {
    Value::Object(read_fields(&def.fields, "", p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_groups_checkboxes_and_choices_back() {
        let form = motcua_domain::eform::builtin("1.001193").unwrap();
        let p = Posted(vec![
            ("csrf_token".into(), "x".into()),
            ("child_full_name".into(), " An ".into()),
            ("commitment".into(), "on".into()),
            ("linked_services".into(), "health_insurance".into()),
            ("witnesses[0].full_name".into(), "".into()),
            ("witnesses[1].full_name".into(), "Lê B".into()),
            ("mother_birth_year".into(), "".into()),
        ]);
        let v = read_posted(form.definition(), &p);
        assert_eq!(v["child_full_name"], " An ");
        assert_eq!(v["commitment"], true);
        assert_eq!(v["linked_services"][0], "health_insurance");
        assert_eq!(v["witnesses"].as_array().unwrap().len(), 1);
        assert!(v.get("mother_birth_year").is_none());
        assert!(v.get("csrf_token").is_none());
        assert_eq!(
            input_id("witnesses[1].full_name"),
            "f-witnesses-1-full_name"
        );
    }

    #[test]
    fn a_group_gets_rows_up_to_its_maximum_and_errors_land_on_their_input() {
        let form = motcua_domain::eform::builtin("1.001193").unwrap();
        let errors = vec![FieldError {
            field: "form_data.witnesses[0].cccd".into(),
            code: "required".into(),
            message: Some("Hãy nhập số định danh".into()),
            message_en: None,
        }];
        let (sections, links) = render_form(form.definition(), &serde_json::json!({}), &errors);
        let witnesses = sections
            .iter()
            .flat_map(|s| &s.fields)
            .find(|f| f.name == "witnesses")
            .unwrap();
        // Three rows by default, but this group takes at most two witnesses.
        assert_eq!(witnesses.rows.len(), 2);
        assert!(witnesses.rows[0].fields[1].error.is_some());
        assert_eq!(links[0].id, "f-witnesses-0-cccd");
    }
}
