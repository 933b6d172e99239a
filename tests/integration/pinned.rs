//! Pinned trace digests: the SHA-256 of every file of the example scenarios' runs and
//! of the random scenarios' runs, kept in `testdata/pinned/`. A change of output fails
//! here, so a refactor that changes what podsim does cannot pass unnoticed; a change
//! made on purpose is blessed with `PODSIM_BLESS=1 cargo test pinned` and explained in
//! its commit.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The environment variable that rewrites the pinned digests instead of checking them.
const BLESS: &str = "PODSIM_BLESS";

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/pinned").join(name)
}

/// Checks `actual` (key -> digest) against the pinned file `name`, or rewrites the file
/// when blessing. Every key must be pinned and every pinned key must still be there.
pub fn check(name: &str, actual: &BTreeMap<String, String>) {
    let file = path(name);
    let text: String = actual.iter().map(|(k, v)| format!("{k} {v}\n")).collect();
    if std::env::var_os(BLESS).is_some_and(|v| v == "1") {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
        return;
    }
    let pinned = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("{}: {e}; create it with {BLESS}=1 cargo test", file.display()));
    let pinned: BTreeMap<&str, &str> = pinned.lines().filter_map(|l| l.rsplit_once(" ")).collect();
    let mut problems = Vec::new();
    for (k, v) in actual {
        match pinned.get(k.as_str()) {
            Some(p) if p == v => {}
            Some(p) => problems.push(format!("{k}: pinned {p}, now {v}")),
            None => problems.push(format!("{k}: not pinned")),
        }
    }
    for k in pinned.keys().filter(|k| !actual.contains_key(**k)) {
        problems.push(format!("{k}: pinned, but no longer produced"));
    }
    assert!(
        problems.is_empty(),
        "the output changed ({} of {}):\n{}\nIf this is on purpose, bless it with {BLESS}=1 cargo test and say why in the commit.",
        problems.len(),
        actual.len(),
        problems.join("\n")
    );
}

/// One digest for a whole run: the SHA-256 of its files' digests, listed in order.
pub fn combined(digests: &BTreeMap<String, String>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (file, digest) in digests {
        h.update(format!("{file} {digest}\n"));
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
