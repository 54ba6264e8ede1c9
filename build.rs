//! Reads the route of every HTTP-triggered function (`functions/*/function.json`, with
//! `host.json`'s route prefix) into `$OUT_DIR/function_routes.rs`, so the handler matches
//! request paths against the same table the Functions host does (see `src/http/routing.rs`).
//! A function added under `functions/` is routed without regard to case with no other change.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=functions");
    println!("cargo:rerun-if-changed=host.json");
    // The Fluent messages are embedded by `fluent-templates` (src/i18n.rs).
    println!("cargo:rerun-if-changed=locales");
    let prefix = std::fs::read_to_string("host.json")
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|host| {
            host.pointer("/extensions/http/routePrefix")
                .and_then(|p| p.as_str().map(str::to_owned))
        })
        .unwrap_or_else(|| "api".to_owned());
    let mut routes = Vec::new();
    let mut folders: Vec<_> = std::fs::read_dir("functions")
        .map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    folders.sort();
    for folder in folders {
        let file = folder.join("function.json");
        println!("cargo:rerun-if-changed={}", file.display());
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let function: serde_json::Value = match serde_json::from_str(&text) {
            Ok(value) => value,
            Err(e) => {
                println!("cargo:warning={} is not JSON: {e}", file.display());
                continue;
            }
        };
        let name = folder
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        for binding in function["bindings"].as_array().into_iter().flatten() {
            if binding["type"] != "httpTrigger" {
                continue;
            }
            let route = binding["route"].as_str().unwrap_or(&name);
            let full = [prefix.as_str(), route.trim_matches('/')]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("/");
            routes.push(full);
        }
    }
    let mut out = String::from(
        "/// Every HTTP function's route template, prefix included (from `functions/`).\n\
         pub const FUNCTION_ROUTES: &[&str] = &[\n",
    );
    for route in &routes {
        let _ = writeln!(out, "    {route:?},");
    }
    out.push_str("];\n");
    let dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".to_owned());
    if let Err(e) = std::fs::write(Path::new(&dir).join("function_routes.rs"), out) {
        println!("cargo:warning=cannot write function_routes.rs: {e}");
    }
}
