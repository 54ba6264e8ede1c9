//! The web floor's rules that can be measured, kept by tests (beside the import-loop test
//! in `src/import_loops.rs`, whose reading of the code they share): page addresses are
//! spelt in one place; the staff and customer floors import nothing from each other.

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

#[test]
fn the_staff_and_customer_floors_import_nothing_from_each_other() {
    let edges = crate::import_loops::graph(&src());
    let floor = |module: &Vec<String>| match module.as_slice() {
        [http, floor, ..] if http == "http" && (floor == "customer" || floor == "staff") => {
            Some(floor.clone())
        }
        _ => None,
    };
    let crossing: Vec<String> = edges
        .iter()
        .flat_map(|(from, to)| to.iter().map(move |to| (from, to)))
        .filter(|(from, to)| matches!((floor(from), floor(to)), (Some(a), Some(b)) if a != b))
        .map(|(from, to)| format!("{} -> {}", from.join("::"), to.join("::")))
        .collect();
    assert_eq!(crossing, Vec::<String>::new());
}
