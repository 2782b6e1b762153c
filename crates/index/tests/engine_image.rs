//! An engine loaded from an image and then fed the later facts equals one fed every fact
//! from scratch: same per-dossier facts, same per-unit state, same output.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::NaiveDate;
use motcua_calendar::Calendar;
use motcua_index::catalogue::Catalogue;
use motcua_index::compute::Period;
use motcua_index::definition::Definition;
use motcua_index::incremental::{DossierFact, Engine};
use motcua_index::records::{parse_dossiers, parse_petitions};
use motcua_index::snapshot::{FORMAT, SnapshotError, decode, encode};

fn realistic() -> (
    Catalogue,
    Vec<(String, motcua_index::facts::Dossier)>,
    Engine,
) {
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/hue");
    let dir = common::fixtures().join("realistic");
    let cat = Catalogue::parse(
        &common::read_opt(&demo.join("units.jsonl")),
        &common::read_opt(&demo.join("procedures.jsonl")),
    )
    .unwrap();
    let (cal, def) = (Calendar::vietnam(), Definition::default_766());
    let dl = motcua_index::deadlines(&cal, &def);
    let ds = parse_dossiers(&common::read_opt(&dir.join("dossiers.jsonl")), &cat, &dl);
    let ps = parse_petitions(&common::read_opt(&dir.join("petitions.jsonl")), &cat, &dl);
    assert!(ds.errors.is_empty() && ps.errors.is_empty());
    assert!(ds.records.len() > 100, "the fixture has enough dossiers");
    let mut engine = Engine::new(cat.clone());
    for (_, id, p) in &ps.records {
        engine.apply_petition(id, *p).unwrap();
    }
    let facts: Vec<_> = ds.records.into_iter().map(|(_, c, d)| (c, d)).collect();
    (cat, facts, engine)
}

fn assert_same(a: &Engine, b: &Engine) {
    let sorted = |e: &Engine| {
        let mut v: Vec<_> = e.dossiers().collect();
        v.sort_by(|x, y| x.0.cmp(&y.0));
        v
    };
    assert_eq!(sorted(a), sorted(b));
    let mut pa: Vec<_> = a.petitions().collect();
    let mut pb: Vec<_> = b.petitions().collect();
    pa.sort_by(|x, y| x.0.cmp(&y.0));
    pb.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(pa, pb);
    for u in 0..a.catalogue().units.len() as u32 {
        assert_eq!(a.unit_state(u), b.unit_state(u), "unit {u}");
    }
    let (cal, def) = (Calendar::vietnam(), Definition::default_766());
    let period = Period::new(
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
    )
    .unwrap();
    assert_eq!(
        a.output(&cal, &def, period, None),
        b.output(&cal, &def, period, None)
    );
}

#[test]
fn image_plus_later_facts_equals_full_rebuild() {
    let (cat, facts, base) = realistic();
    let mut full = base.clone();
    for (c, d) in &facts {
        full.apply(DossierFact::Record {
            code: c.clone(),
            dossier: *d,
        })
        .unwrap();
    }

    // The image covers the first two thirds, with some dossiers in an older state (no
    // events yet) that the later changes bring up to date.
    let cut = facts.len() * 2 / 3;
    let mut early = base.clone();
    for (i, (c, d)) in facts[..cut].iter().enumerate() {
        let mut d = *d;
        if i % 7 == 0 {
            d = motcua_index::facts::Dossier::new(d.unit, d.procedure, d.received, d.due, d.flags);
        }
        early
            .apply(DossierFact::Record {
                code: c.clone(),
                dossier: d,
            })
            .unwrap();
    }
    let image = encode(&early);
    assert!(
        image.len() < 64 * early.len() + 4096,
        "compact: {} bytes for {} dossiers",
        image.len(),
        early.len()
    );
    let mut loaded = decode(&image, cat.clone()).unwrap();
    assert_same(&loaded, &early);
    // Replay: every dossier changed since the image (the stale ones) and the new ones,
    // plus some unchanged ones again (replay may overlap the image).
    for (i, (c, d)) in facts.iter().enumerate() {
        if i >= cut || i % 7 == 0 || i % 11 == 0 {
            loaded
                .apply(DossierFact::Record {
                    code: c.clone(),
                    dossier: *d,
                })
                .unwrap();
        }
    }
    assert_same(&loaded, &full);
    // Encoding is deterministic whatever the order facts arrived in.
    assert_eq!(encode(&loaded), encode(&full));
}

#[test]
fn damaged_or_foreign_images_are_refused() {
    let (cat, facts, mut engine) = realistic();
    for (c, d) in facts.iter().take(50) {
        engine
            .apply(DossierFact::Record {
                code: c.clone(),
                dossier: *d,
            })
            .unwrap();
    }
    let image = encode(&engine);
    assert!(matches!(
        decode(b"not an image at all", cat.clone()),
        Err(SnapshotError::NotAnImage)
    ));
    let mut flipped = image.clone();
    flipped[40] ^= 0x10;
    assert_eq!(
        decode(&flipped, cat.clone()).err(),
        Some(SnapshotError::Corrupt)
    );
    assert_eq!(
        decode(&image[..image.len() - 3], cat.clone()).err(),
        Some(SnapshotError::Corrupt)
    );
    let mut other = image.clone();
    other[8..12].copy_from_slice(&(FORMAT + 1).to_le_bytes());
    assert_eq!(
        decode(&other, cat.clone()).err(),
        Some(SnapshotError::Format(FORMAT + 1))
    );
    // A catalogue with fewer procedures than the image refers to.
    let small = Catalogue::parse(
        &common::read_opt(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/hue/units.jsonl"),
        ),
        "",
    )
    .unwrap();
    assert_eq!(
        decode(&image, small).err(),
        Some(SnapshotError::OutOfCatalogue)
    );
    let empty = Engine::new(cat.clone());
    assert_eq!(decode(&encode(&empty), cat).unwrap().len(), 0);
}
