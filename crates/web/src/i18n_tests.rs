#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use motcua_domain::dossier::{Change, FileRef, Rating, Status};
use motcua_domain::procedure::{ApplicantKind, Channel, DurationUnit, OnlineLevel, TimeLimit};
use unicode_normalization::UnicodeNormalization;

fn catalogue(src: &str) -> HashMap<String, String> {
    serde_json::from_str(src).expect("catalogue parses as a JSON object of strings")
}

#[test]
fn both_catalogues_have_the_same_keys_and_no_empty_message() {
    let vi = catalogue(VI);
    let en = catalogue(EN);
    let mut only_vi: Vec<_> = vi.keys().filter(|k| !en.contains_key(*k)).collect();
    let mut only_en: Vec<_> = en.keys().filter(|k| !vi.contains_key(*k)).collect();
    only_vi.sort();
    only_en.sort();
    assert!(only_vi.is_empty(), "missing in en.json: {only_vi:?}");
    assert!(only_en.is_empty(), "missing in vi.json: {only_en:?}");
    for (k, m) in en.iter().chain(vi.iter()) {
        assert!(!m.trim().is_empty(), "empty message {k}");
        assert_eq!(
            m.matches("{}").count(),
            vi[k].matches("{}").count(),
            "{k}: both languages take the same number of values"
        );
    }
    assert!(
        vi.len() > 150,
        "the catalogue is the pages' text, not a stub"
    );
}

#[test]
fn vietnamese_messages_keep_their_diacritics_in_nfc() {
    for (k, m) in catalogue(VI) {
        let nfc: String = m.nfc().collect();
        assert_eq!(m, nfc, "{k} is not NFC");
        // Every Vietnamese message has a word with a mark: one typed without them
        // ("Dang nhap") would pass every other check.
        assert!(!m.is_ascii(), "{k} has no diacritics: {m:?}");
    }
    for (k, m) in catalogue(EN) {
        let nfc: String = m.nfc().collect();
        assert_eq!(m, nfc, "{k} is not NFC");
    }
}

#[test]
fn lookups_fall_back_and_fill_values() {
    assert_eq!(Lang::Vi.t("nav.login"), "Đăng nhập");
    assert_eq!(Lang::En.t("nav.login"), "Log in");
    assert_eq!(Lang::En.lookup("no.such.key"), None);
    assert_eq!(Lang::En.t("no.such.key"), "no.such.key");
    assert_eq!(Lang::Vi.f("catalogue.found", 3), "Tìm thấy 3 thủ tục.");
    assert_eq!(Lang::En.f("catalogue.found", 3), "Procedures found: 3.");
    assert_eq!(
        Lang::En.f2("procedure.version", 2, "x"),
        "Version 2, published x"
    );
    assert_eq!(Lang::parse("en"), Some(Lang::En));
    assert_eq!(Lang::parse("fr"), None);
    assert_eq!(Lang::default(), Lang::Vi);
    assert_eq!(Lang::Vi.other(), Lang::En);
}

#[test]
fn the_reader_gets_vietnamese_unless_they_chose_english() {
    let mut h = HeaderMap::new();
    h.insert(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9".parse().unwrap());
    assert_eq!(
        Lang::of_reader(&h),
        Lang::Vi,
        "the browser alone is not a choice"
    );
    assert_eq!(
        Lang::of_client(&h),
        Lang::En,
        "the API follows Accept-Language"
    );
    h.insert(header::COOKIE, "a=1; lang=en".parse().unwrap());
    assert_eq!(Lang::of_reader(&h), Lang::En);
    h.insert(header::COOKIE, "lang=de".parse().unwrap());
    assert_eq!(Lang::of_reader(&h), Lang::Vi);
}

#[test]
fn vietnamese_names_are_the_domains() {
    for s in Status::ALL {
        assert_eq!(status(Lang::Vi, s), s.label_vi());
        assert!(Lang::En.lookup(&format!("status.{}", s.as_str())).is_some());
        assert_ne!(status(Lang::En, s), s.label_vi());
    }
    for l in [OnlineLevel::Full, OnlineLevel::Partial, OnlineLevel::None] {
        assert_eq!(level(Lang::Vi, Some(l)), l.label_vi());
        assert_ne!(level(Lang::En, Some(l)), l.label_vi());
    }
    for c in [Channel::Direct, Channel::Online, Channel::Postal] {
        assert_eq!(
            Lang::Vi.lookup(&format!("channel.{}", channel_id(c))),
            Some(c.label_vi())
        );
        assert_ne!(channel(Lang::En, c), c.label_vi());
    }
    for a in [
        ApplicantKind::Citizen,
        ApplicantKind::Business,
        ApplicantKind::HouseholdBusiness,
    ] {
        assert_eq!(
            Lang::Vi.lookup(&format!("applicant.{}", applicant_id(a))),
            Some(a.label_vi())
        );
        assert_ne!(applicant(Lang::En, a), a.label_vi());
    }
    for u in [
        DurationUnit::Hours,
        DurationUnit::WorkingDays,
        DurationUnit::Days,
        DurationUnit::Months,
    ] {
        for v in ["1", "0.5", "20"] {
            // Some units take whole values only.
            let Ok(t) = TimeLimit::parse(v, u) else {
                continue;
            };
            assert_eq!(
                time_limit(Lang::Vi, &t),
                motcua_domain::procedure::time_limit_label_vi(&t)
            );
        }
    }
    assert_eq!(
        time_limit(
            Lang::En,
            &TimeLimit::parse("0.5", DurationUnit::WorkingDays).unwrap()
        ),
        "0.5 working days"
    );
    assert_eq!(
        time_limit(
            Lang::En,
            &TimeLimit::parse("1", DurationUnit::WorkingDays).unwrap()
        ),
        "1 working day"
    );
}

fn every_change() -> Vec<Change> {
    use motcua_domain::dossier::DossierCode;
    use motcua_domain::{ProcedureCode, UnitCode};
    let unit = UnitCode::parse("000.00.00.H57").unwrap();
    let procedure = ProcedureCode::parse("1.001193").unwrap();
    let at = chrono::DateTime::UNIX_EPOCH;
    let file = FileRef {
        id: "f".into(),
        sha256: "0".repeat(64),
        size: 1,
        media_type: "application/pdf".into(),
        name: "a.pdf".into(),
    };
    vec![
        Change::Created {
            procedure: procedure.clone(),
            procedure_version: 1,
            unit: unit.clone(),
            applicant: "a".into(),
            applicant_kind: ApplicantKind::Citizen,
            parent: None,
            eform_version: None,
        },
        Change::FormSaved,
        Change::Submitted {
            channel: Channel::Online,
            helper: None,
        },
        Change::Received {
            code: DossierCode::parse("000.00.00.H57-260101-0001").unwrap(),
            desk: unit.clone(),
            due_at: at,
            process_version: 1,
        },
        Change::Rejected { reason: "r".into() },
        Change::Forwarded {
            from_step: 0,
            to_step: 1,
            note: None,
        },
        Change::Transferred {
            from: motcua_domain::UnitCode::parse("000.01.99.H57").unwrap(),
            to: motcua_domain::UnitCode::parse("000.02.99.H57").unwrap(),
            reason: "r".into(),
        },
        Change::SentBack {
            from_step: 1,
            to_step: 0,
            reason: "r".into(),
        },
        Change::SupplementRequested {
            items: vec![],
            reason: "r".into(),
        },
        Change::SupplementCompleted { due_at: at },
        Change::PaymentRequested { amount_vnd: 1 },
        Change::PaymentCompleted { amount_vnd: 1 },
        Change::Extended {
            due_at: at,
            reason: "r".into(),
        },
        Change::ChildRequested {
            step: 0,
            unit,
            procedure,
        },
        Change::ChildFinished { child: "c".into() },
        Change::Stopped { reason: "r".into() },
        Change::Withdrawn { reason: None },
        Change::Completed { results: vec![] },
        Change::Returned { how: "h".into() },
        Change::Rated {
            rating: Rating::Satisfied,
            comment: None,
        },
        Change::ComponentFile {
            component: "c".into(),
            file: file.clone(),
        },
        Change::PaperSeen {
            component: "c".into(),
            reason: "r".into(),
        },
        Change::ResultFile { file },
        Change::Imported {
            appointment_unknown: false,
            fee_vnd: 0,
            parent_code: None,
            facts: Default::default(),
        },
        Change::Confirmed {
            fact: motcua_domain::dossier::outside::Fact::Synced,
            reference: None,
        },
    ]
}

#[test]
fn event_names_match_the_apis_and_cover_every_kind() {
    let changes = every_change();
    for c in &changes {
        if let Change::Confirmed { .. } = c {
            continue;
        }
        let key = format!("event.{}", c.kind());
        assert_eq!(Lang::Vi.lookup(&key), Some(crate::views::label(c)), "{key}");
        assert_ne!(event(Lang::En, c), crate::views::label(c), "{key}");
    }
    let keys = catalogue(VI)
        .into_keys()
        .filter(|k| k.starts_with("event."))
        .count();
    assert_eq!(keys, changes.len(), "no event name without its kind");
    for fact in motcua_domain::dossier::outside::Fact::ALL {
        let c = Change::Confirmed {
            fact,
            reference: None,
        };
        let key = format!("confirmed.{}", fact.as_str());
        assert_eq!(
            Lang::Vi.lookup(&key),
            Some(crate::views::label(&c)),
            "{key}"
        );
        assert_eq!(event(Lang::Vi, &c), fact.label_vi());
        assert_ne!(event(Lang::En, &c), fact.label_vi(), "{key}");
    }
}

#[test]
fn instants_read_in_each_language() {
    let t = chrono::DateTime::parse_from_rfc3339("2026-11-27T04:22:00Z")
        .unwrap()
        .to_utc();
    assert_eq!(when(Lang::Vi, t), "11:22 ngày 27/11/2026");
    assert_eq!(when(Lang::En, t), "11:22 on 27/11/2026");
}

/// Every literal key that a template or a handler asks for is in the catalogues.
#[test]
fn every_key_used_is_in_the_catalogues() {
    let vi = catalogue(VI);
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
    let mut used = 0;
    for dir in ["templates", "src", "src/pages"] {
        for entry in std::fs::read_dir(format!("{root}{dir}")).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() || path.ends_with("i18n_tests.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for call in [".t(\"", ".f(\"", ".f2(\""] {
                for (at, _) in text.match_indices(call) {
                    let rest = &text[at + call.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    assert!(
                        vi.contains_key(key),
                        "{}: unknown key {key}",
                        path.display()
                    );
                    used += 1;
                }
            }
        }
    }
    assert!(used > 100, "found only {used} uses: the scan is broken");
}

#[test]
fn role_document_and_component_names_match_the_domains() {
    use motcua_domain::access::Role;
    for r in Role::ALL {
        let key = format!("dossier.role.{}", r.as_str());
        assert_eq!(Lang::Vi.lookup(&key), Some(r.label_vi()), "{key}");
        assert_ne!(name(Lang::En, "dossier.role", r.as_str(), ""), r.label_vi());
    }
    // Every form the service issues has its name in both languages.
    for form in ["01", "02", "03", "04", "05", "kq"] {
        let key = format!("dossier.doc.{form}");
        assert!(Lang::Vi.lookup(&key).is_some() && Lang::En.lookup(&key).is_some());
        assert_ne!(Lang::Vi.lookup(&key), Lang::En.lookup(&key), "{key}");
    }
    // The component the desk files "other papers" under is stored by this very name.
    assert_eq!(
        Lang::Vi.t("dossier.file.other_component"),
        crate::uploads::OTHER_COMPONENT
    );
}
