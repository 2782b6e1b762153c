//! Tests across the module: checking definitions, validating data, prefill, the built-in
//! forms, and properties.

mod check;
mod check_links;
mod forms;
mod prefill;
mod props;
mod validate;

use super::{CheckedForm, DefinitionErrorCode, FieldErrorCode, FormDefinition};
use chrono::NaiveDate;
use serde_json::{Value, json};

/// The day every test fills its forms.
pub(super) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()
}

/// A definition with these fields and defaults for the rest.
pub(super) fn def(fields: Value) -> Value {
    json!({"id": "thu", "title": "Biểu mẫu thử", "fields": fields})
}

pub(super) fn checked(definition: Value) -> CheckedForm {
    let d: FormDefinition = serde_json::from_value(definition).unwrap();
    d.check().unwrap_or_else(|e| panic!("{e:#?}"))
}

/// The (path, code) pairs a definition is refused with; empty if it passes.
pub(super) fn refusals(definition: Value) -> Vec<(String, DefinitionErrorCode)> {
    let d: FormDefinition = serde_json::from_value(definition).unwrap();
    match d.check() {
        Ok(_) => Vec::new(),
        Err(es) => es.into_iter().map(|e| (e.path, e.code)).collect(),
    }
}

/// The (field, code) pairs data is refused with; empty if it passes.
pub(super) fn problems(form: &CheckedForm, data: Value) -> Vec<(String, FieldErrorCode)> {
    match form.validate(&data, today()) {
        Ok(_) => Vec::new(),
        Err(es) => es.into_iter().map(|e| (e.field, e.code)).collect(),
    }
}

pub(super) fn ok(form: &CheckedForm, data: Value) -> Value {
    form.validate(&data, today())
        .unwrap_or_else(|e| panic!("{e:#?}"))
        .into_value()
}

pub(super) fn pairs<C: Copy>(v: &[(&str, C)]) -> Vec<(String, C)> {
    v.iter().map(|(p, c)| ((*p).to_owned(), *c)).collect()
}
