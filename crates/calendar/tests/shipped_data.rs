//! The shipped official rows, checked row by row against the documents they cite.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use motcua_calendar::{Calendar, DayRow, NaiveDate, lunar, proposed_rows, shipped_rows};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// For each document (a fragment that identifies it in the source note), the dates
/// it decides and whether each is worked. Written from the documents' summaries,
/// independently of the data file.
fn expected() -> Vec<(&'static str, Vec<(&'static str, bool)>)> {
    vec![
        (
            "Điều 112 khoản 1",
            vec![
                ("2024-01-01", false),
                ("2024-04-18", false),
                ("2024-04-30", false),
                ("2024-05-01", false),
                ("2025-01-01", false),
                ("2025-04-07", false),
                ("2025-04-30", false),
                ("2025-05-01", false),
                ("2026-01-01", false),
                ("2026-04-26", false),
                ("2026-04-30", false),
                ("2026-05-01", false),
            ],
        ),
        // Tết 8/2–14/2/2024 (5 days + 2 nghỉ bù), Quốc khánh 31/8–3/9/2024.
        (
            "5015/TB-LĐTBXH",
            vec![
                ("2024-02-08", false),
                ("2024-02-09", false),
                ("2024-02-10", false),
                ("2024-02-11", false),
                ("2024-02-12", false),
                ("2024-02-13", false),
                ("2024-02-14", false),
                ("2024-09-02", false),
                ("2024-09-03", false),
            ],
        ),
        // Monday 29/4/2024 off, worked on Saturday 4/5/2024.
        (
            "2450/VPCP-KGVX",
            vec![("2024-04-29", false), ("2024-05-04", true)],
        ),
        // Tết 25/1–2/2/2025; 2/5 swapped with Saturday 26/4; Quốc khánh 30/8–2/9.
        (
            "8726/VPCP-KGVX",
            vec![
                ("2025-01-27", false),
                ("2025-01-28", false),
                ("2025-01-29", false),
                ("2025-01-30", false),
                ("2025-01-31", false),
                ("2025-04-26", true),
                ("2025-05-02", false),
                ("2025-09-01", false),
                ("2025-09-02", false),
            ],
        ),
        // Tết Dương lịch 2026: 1/1–4/1, Friday 2/1 swapped with Saturday 10/1.
        (
            "12729/VPCP-KGVX",
            vec![("2026-01-02", false), ("2026-01-10", true)],
        ),
        // Tết 14/2–22/2/2026; Quốc khánh 29/8–2/9, Monday 31/8 swapped with Saturday 22/8.
        (
            "Văn bản của Văn phòng Chính phủ tháng 10/2025",
            vec![
                ("2026-02-16", false),
                ("2026-02-17", false),
                ("2026-02-18", false),
                ("2026-02-19", false),
                ("2026-02-20", false),
                ("2026-08-22", true),
                ("2026-08-31", false),
                ("2026-09-01", false),
                ("2026-09-02", false),
            ],
        ),
        ("Điều 111 khoản 3", vec![("2026-04-27", false)]),
        // Not (yet) a legal holiday: stays a working day, flagged as unverified.
        ("80-NQ/TW", vec![("2026-11-24", true)]),
    ]
}

#[test]
fn every_row_matches_the_document_it_cites() {
    let rows = shipped_rows();
    let mut by_key: BTreeMap<&str, Vec<(NaiveDate, bool)>> = BTreeMap::new();
    for row in &rows {
        assert!(!row.source.trim().is_empty(), "{row:?}");
        assert!(!row.reason.is_ascii(), "reason without diacritics: {row:?}");
        let keys: Vec<&str> = expected()
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| row.source.contains(k))
            .collect();
        assert_eq!(
            keys.len(),
            1,
            "row must cite exactly one known document: {row:?}"
        );
        by_key
            .entry(keys[0])
            .or_default()
            .push((row.date, row.working));
    }
    for (key, want) in expected() {
        let want: Vec<_> = want.iter().map(|&(s, w)| (d(s), w)).collect();
        assert_eq!(by_key.get(key), Some(&want), "rows citing {key}");
    }
    assert_eq!(rows.len(), by_key.values().map(Vec::len).sum::<usize>());
}

#[test]
fn unconfirmed_facts_are_marked() {
    for row in shipped_rows() {
        let unverified = row.source.contains("chưa xác minh");
        let needs_mark = [
            "12729/VPCP-KGVX",
            "tháng 10/2025",
            "80-NQ/TW",
            "6150/TB-BLĐTBXH",
        ]
        .iter()
        .any(|k| row.source.contains(k));
        assert_eq!(unverified, needs_mark, "{row:?}");
    }
}

#[test]
fn key_days_of_the_issue() {
    let cal = Calendar::vietnam();
    assert!(
        cal.is_working_day(d("2025-04-26")),
        "Saturday 26/4/2025 is worked"
    );
    assert!(
        !cal.is_working_day(d("2025-05-02")),
        "Friday 2/5/2025 is off"
    );
    assert!(
        !cal.is_working_day(d("2026-02-16")),
        "Monday 16/2/2026 is Tết"
    );
    let s = cal.day(d("2025-05-02"));
    assert!(s.reason.unwrap().contains("hoán đổi"));
    assert!(s.source.unwrap().contains("8726/VPCP-KGVX"));
}

#[test]
fn lunar_labels_in_reasons_match_the_lunar_calendar() {
    for row in shipped_rows() {
        let Some(rest) = row.reason.strip_prefix("Tết Nguyên đán (") else {
            continue;
        };
        let label = rest.trim_end_matches(')');
        assert_eq!(
            lunar::from_solar(row.date).unwrap().label(),
            label,
            "{row:?}"
        );
    }
    for row in shipped_rows()
        .iter()
        .filter(|r| r.reason.starts_with("Giỗ Tổ"))
    {
        let l = lunar::from_solar(row.date).unwrap();
        assert_eq!((l.month, l.day, l.leap), (3, 10, false), "{row:?}");
    }
}

#[test]
fn the_official_years_keep_every_day_the_law_gives() {
    let cal = Calendar::vietnam();
    for year in 2024..=2026 {
        let proposed: Vec<DayRow> = proposed_rows(year);
        for row in proposed.iter().filter(|r| !r.working) {
            assert!(
                !cal.is_working_day(row.date),
                "{year}: {row:?} is off by law"
            );
        }
    }
}
