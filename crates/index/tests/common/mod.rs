//! Reading fixture bundles: `tests/fixtures/<case>/` with its own units/procedures files, or
//! the shared `tests/fixtures/catalogue/` ones.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn read_opt(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

/// The four files of a case, falling back to the shared catalogue.
pub fn bundle(case: &str) -> [String; 4] {
    let dir = fixtures().join(case);
    let cat = |name: &str| {
        let own = dir.join(name);
        if own.exists() {
            read_opt(&own)
        } else {
            read_opt(&fixtures().join("catalogue").join(name))
        }
    };
    [
        cat("units.jsonl"),
        cat("procedures.jsonl"),
        read_opt(&dir.join("dossiers.jsonl")),
        read_opt(&dir.join("petitions.jsonl")),
    ]
}
