//! The e-form validator on untrusted input: a definition (the built-in forms, or one read
//! from the input as an administrator would publish it) and a citizen's submission.
//!
//! Input: one selector byte, then `definition 0xFF data`. 0xFF never occurs in UTF-8, so the
//! split cannot fall inside a JSON text. Selector % 4 picks a built-in form (0–2) or the
//! fuzzed definition (3); the rest moves the day of filling.
//!
//! Beyond "does not panic": validation is a normal form (validating what it returned gives
//! the same data back), a refusal always says something, and a checked definition survives
//! its own JSON (it is stored as JSON and checked again when read).
#![no_main]

use chrono::{Days, NaiveDate};
use libfuzzer_sys::fuzz_target;
use motcua_domain::Cccd;
use motcua_domain::eform::{BUILTIN_PROCEDURES, CheckedForm, Gender, Profile, builtin};
use serde_json::Value;

fn profile() -> Profile {
    Profile {
        full_name: " Trần  Thị B ".into(),
        cccd: Cccd::parse("046195000456").ok(),
        birth_date: NaiveDate::from_ymd_opt(1995, 4, 30),
        gender: Some(Gender::Female),
        address: Some("Phường Phú Hội, thành phố Huế".into()),
        phone: Some("+84 905 123 456".into()),
        email: Some("b@example.vn".into()),
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, rest)) = input.split_first() else {
        return;
    };
    let (definition, data) = match rest.iter().position(|&b| b == 0xFF) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&[][..], rest),
    };
    let today = NaiveDate::from_ymd_opt(2025, 6, 1)
        .and_then(|d| d.checked_add_days(Days::new(u64::from(selector / 4) * 97)))
        .unwrap_or(NaiveDate::MIN);

    let form = match usize::from(selector % 4) {
        i @ 0..=2 => builtin(BUILTIN_PROCEDURES[i]),
        _ => {
            let Ok(text) = std::str::from_utf8(definition) else {
                return;
            };
            match CheckedForm::from_json(text) {
                Ok(form) => {
                    // What is stored is the definition's JSON: read back, it must pass again.
                    let json = serde_json::to_string(form.definition()).unwrap();
                    let again = CheckedForm::from_json(&json)
                        .unwrap_or_else(|e| panic!("checked definition refused on re-read: {e:?}"));
                    assert_eq!(again.definition(), form.definition());
                    Some(form)
                }
                Err(errors) => {
                    assert!(!errors.is_empty(), "a refused definition says why");
                    None
                }
            }
        }
    };
    let Some(form) = form else {
        return;
    };
    let Ok(data) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    // Prefilling never overwrites what the applicant typed.
    let filled = form.prefill_into(&profile(), &data);
    if let (Value::Object(given), Value::Object(out)) = (&data, &filled) {
        for (k, v) in given {
            let blank = match v {
                Value::Null => true,
                Value::String(s) => s.trim().is_empty(),
                Value::Array(a) => a.is_empty(),
                _ => false,
            };
            if !blank {
                assert_eq!(out.get(k), Some(v), "prefill overwrote {k}");
            }
        }
    }
    let _ = form.validate(&filled, today);
    match form.validate(&data, today) {
        Ok(normal) => {
            let again = form
                .validate(normal.as_value(), today)
                .unwrap_or_else(|e| panic!("normalised data refused: {e:?}"));
            assert_eq!(
                again.as_value(),
                normal.as_value(),
                "validation is not idempotent"
            );
            let _ = normal.to_json();
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "a refusal says why");
            for e in &errors {
                assert!(
                    !e.message_vi.is_empty() && !e.message_en.is_empty(),
                    "{e:?}"
                );
            }
        }
    }
});
