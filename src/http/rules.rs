//! The web floor's rules that can be measured, kept by tests (beside the import-loop test
//! in `src/import_loops.rs`, whose reading of the code they share): page addresses are
//! spelt in one place.

use crate::import_loops::{code, sources};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every source file below `src/` (test-only files, `*tests.rs`, aside), with its code
/// (comments and the `#[cfg(test)]` part left out).
fn files() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    sources(&src(), &mut paths);
    paths
        .iter()
        .filter(|p| !p.to_string_lossy().ends_with("tests.rs"))
        .filter_map(|p| {
            let name = p.strip_prefix(src()).ok()?.to_string_lossy().into_owned();
            Some((name, code(&std::fs::read_to_string(p).ok()?)))
        })
        .collect()
}

#[test]
fn page_addresses_are_spelt_only_by_the_page_type() {
    let spelt: Vec<String> = files()
        .into_iter()
        .filter(|(_, code)| {
            code.split('"')
                .skip(1)
                .step_by(2)
                .any(|literal| literal.contains("/api/"))
        })
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        spelt,
        ["page.rs"],
        "string literals holding /api/ addresses"
    );
}
