//! The e-forms shipped with motcua for the civil-status (hộ tịch) procedures most often
//! done online, after the declaration forms of Thông tư 04/2020/TT-BTP. A province may
//! publish its own definition instead; these are the starting point and the demo.

use super::CheckedForm;
use std::sync::OnceLock;

/// Procedure code and definition of each built-in form.
const SOURCES: [(&str, &str); 3] = [
    ("1.001193", include_str!("forms/to_khai_khai_sinh.json")),
    ("1.000894", include_str!("forms/to_khai_ket_hon.json")),
    ("1.000656", include_str!("forms/to_khai_khai_tu.json")),
];

/// The procedures that have a built-in e-form: birth, marriage and death registration.
pub const BUILTIN_PROCEDURES: [&str; 3] = [SOURCES[0].0, SOURCES[1].0, SOURCES[2].0];

/// The JSON of a procedure's built-in e-form as shipped, for publishing it as a province's
/// first version (the demo does) so that the stored versions are the one source.
pub fn builtin_source(procedure_code: &str) -> Option<&'static str> {
    SOURCES
        .iter()
        .find(|(code, _)| *code == procedure_code.trim())
        .map(|(_, json)| *json)
}

/// A complete declaration that the built-in birth-registration form accepts: the example
/// integrators start from (and the tests and the journey benchmark submit).
pub fn builtin_example(procedure_code: &str) -> Option<&'static str> {
    (procedure_code.trim() == SOURCES[0].0)
        .then_some(include_str!("forms/to_khai_khai_sinh.example.json"))
}

/// The built-in declaration e-form of a procedure, by national procedure code.
pub fn builtin(procedure_code: &str) -> Option<CheckedForm> {
    // Checked once per process: the sources are constants, and compiling their patterns
    // for every submission would be waste.
    static CHECKED: OnceLock<Vec<(&'static str, Option<CheckedForm>)>> = OnceLock::new();
    let all = CHECKED.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(code, json)| (*code, CheckedForm::from_json(json).ok()))
            .collect()
    });
    all.iter()
        .find(|(code, _)| *code == procedure_code.trim())
        .and_then(|(_, form)| form.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_definition_passes_check() {
        for (code, json) in SOURCES {
            if let Err(errors) = CheckedForm::from_json(json) {
                panic!("{code}: {errors:#?}");
            }
            assert!(builtin(code).is_some(), "{code}");
        }
        assert!(builtin("1.000000").is_none());
        assert!(builtin_source("1.000000").is_none());
        let source = builtin_source("1.000656").unwrap();
        assert_eq!(
            CheckedForm::from_json(source).unwrap().id(),
            builtin("1.000656").unwrap().id()
        );
        assert_eq!(builtin(" 1.001193 ").unwrap().id(), "to_khai_khai_sinh");
    }

    #[test]
    fn the_birth_example_is_a_complete_declaration() {
        let data: serde_json::Value =
            serde_json::from_str(builtin_example("1.001193").unwrap()).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let form = builtin("1.001193").unwrap();
        assert!(form.validate(&data, today).is_ok());
        // A required field missing is refused: the example is not accepted by accident.
        let mut short = data.clone();
        short.as_object_mut().unwrap().remove("child_full_name");
        assert!(form.validate(&short, today).is_err());
        assert!(builtin_example("1.000656").is_none());
    }
}
