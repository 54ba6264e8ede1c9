//! A test that no module imports a module that imports it back.
//!
//! Reads every `src/**/*.rs` (up to its `#[cfg(test)]` part), collects the modules each
//! one names through `crate::…` and `super::…` paths (in `use` lines and in code), and
//! fails on any two modules that name each other. A parent and its own child modules are
//! left out: the parent declares them (`mod x;`) and re-exports their items, the children
//! use the parent's shared types; that is ownership, not a loop.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub(crate) type Module = Vec<String>;

fn module_of(relative: &Path) -> Module {
    let mut parts: Module = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

pub(crate) fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments and without its test part.
pub(crate) fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::a::b…`/`super::a…` path in `code`, with `use` groups (`{a, b::c}`)
/// spread out.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_');
        let rest: String = bytes[i..bytes.len().min(i + 7)].iter().collect();
        if starts_word && (rest.starts_with("crate::") || rest.starts_with("super::")) {
            let (end, mut spread) = path_at(&bytes, i);
            found.append(&mut spread);
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    found
}

/// The paths starting at `start`: one, or several when it ends in a `{…}` group.
fn path_at(chars: &[char], start: usize) -> (usize, Vec<Vec<String>>) {
    let mut segments = Vec::new();
    let mut word = String::new();
    let mut i = start;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            i += 1;
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            segments.push(std::mem::take(&mut word));
            i += 2;
        } else if c.is_whitespace() && word.is_empty() {
            i += 1;
        } else if c == '{' && word.is_empty() {
            let mut all = Vec::new();
            i += 1;
            loop {
                while chars.get(i).is_some_and(|c| c.is_whitespace() || *c == ',') {
                    i += 1;
                }
                match chars.get(i) {
                    None => break,
                    Some('}') => {
                        i += 1;
                        break;
                    }
                    Some(_) => {
                        let (end, inner) = path_at(chars, i);
                        for tail in inner {
                            let mut path = segments.clone();
                            path.extend(tail);
                            all.push(path);
                        }
                        i = end.max(i + 1);
                        // Skip `as name` and anything else up to the next item.
                        while chars.get(i).is_some_and(|c| *c != ',' && *c != '}') {
                            i += 1;
                        }
                    }
                }
            }
            return (i, all);
        } else {
            break;
        }
    }
    if !word.is_empty() {
        segments.push(word);
    }
    (i, vec![segments])
}

/// The longest known module a path (from inside `from`) names, if any.
fn target(from: &Module, path: &[String], modules: &BTreeSet<Module>) -> Option<Module> {
    let mut base: Module = Vec::new();
    let mut rest = path;
    if path.first().is_some_and(|s| s == "super") {
        base = from.clone();
        while rest.first().is_some_and(|s| s == "super") {
            base.pop();
            rest = &rest[1..];
        }
    } else if path.first().is_some_and(|s| s == "crate") {
        rest = &rest[1..];
    }
    let mut best = None;
    let mut current = base;
    for segment in rest {
        if segment == "self" {
            continue;
        }
        current.push(segment.clone());
        if modules.contains(&current) {
            best = Some(current.clone());
        } else {
            break;
        }
    }
    best
}

/// Module → the modules it names.
pub(crate) fn graph(root: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut files = Vec::new();
    sources(root, &mut files);
    let texts: Vec<(Module, String)> = files
        .iter()
        .filter_map(|path| {
            let relative = path.strip_prefix(root).ok()?;
            Some((module_of(relative), std::fs::read_to_string(path).ok()?))
        })
        .collect();
    let modules: BTreeSet<Module> = texts.iter().map(|(m, _)| m.clone()).collect();
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (module, text) in &texts {
        for path in paths(&code(text)) {
            if let Some(to) = target(module, &path, &modules) {
                if &to != module {
                    edges.entry(module.clone()).or_default().insert(to);
                }
            }
        }
    }
    edges
}

/// Every pair of modules that name each other, parents and their children aside.
fn loops(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    let mut found = Vec::new();
    for (a, targets) in edges {
        for b in targets {
            let nested = a.starts_with(b) || b.starts_with(a);
            if a < b && !nested && edges.get(b).is_some_and(|back| back.contains(a)) {
                found.push(format!("{} <-> {}", a.join("::"), b.join("::")));
            }
        }
    }
    found
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = graph(&root);
    assert!(edges.len() > 20, "the module graph was not read: {edges:?}");
    assert_eq!(loops(&edges), Vec::<String>::new());
}

#[test]
fn a_loop_through_a_use_group_or_a_path_in_code_is_found() {
    let modules: BTreeSet<Module> = [vec!["a".into()], vec!["a".into(), "b".into()]]
        .into_iter()
        .chain([vec!["c".to_owned()], vec!["c".into(), "d".into()]])
        .collect();
    let from_b: Module = vec!["a".into(), "b".into()];
    let grouped = paths("use crate::{c::d::{self, X}, other};");
    let named: BTreeSet<Module> = grouped
        .iter()
        .filter_map(|p| target(&from_b, p, &modules))
        .collect();
    assert_eq!(
        named,
        BTreeSet::from([vec!["c".to_owned(), "d".to_owned()]])
    );
    let from_d: Module = vec!["c".into(), "d".into()];
    let inline = paths("let x = super::super::a::b::read(1); // crate::c");
    let back: BTreeSet<Module> = inline
        .iter()
        .filter_map(|p| target(&from_d, p, &modules))
        .collect();
    let edges = BTreeMap::from([(from_b.clone(), named), (from_d, back)]);
    assert_eq!(loops(&edges), vec!["a::b <-> c::d".to_owned()]);
}
