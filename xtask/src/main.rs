//! `cargo xtask package`: builds the release `handler` for Linux x86-64 and writes the
//! deployable function app: `target/functionapp/` (a folder `func start` can run) and
//! `target/functionapp.zip` (`handler`, `host.json` and every `FunctionName/function.json`
//! at its root, nothing else).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const MUSL: &str = "x86_64-unknown-linux-musl";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("package") => match package() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("xtask package: {e}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!(
                "usage: cargo xtask package\n  builds target/functionapp/ and target/functionapp.zip"
            );
            ExitCode::from(2)
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The static musl build when its target is installed (`rustup target add
/// x86_64-unknown-linux-musl`), else the host's own Linux x86-64 build.
fn target() -> Option<&'static str> {
    if let Ok(explicit) = std::env::var("PACKAGE_TARGET") {
        return Some(Box::leak(explicit.into_boxed_str()));
    }
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_owned();
    if Path::new(&sysroot).join("lib/rustlib").join(MUSL).exists() {
        Some(MUSL)
    } else {
        eprintln!(
            "xtask package: the {MUSL} target is not installed; building for the host (glibc)."
        );
        eprintln!(
            "               `rustup target add {MUSL}` gives a static binary that runs on any Linux."
        );
        None
    }
}

fn package() -> Result<(), String> {
    let root = root();
    let target = target();
    let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    build
        .current_dir(&root)
        .args(["build", "--release", "--bin", "handler"]);
    if let Some(target) = target {
        build.args(["--target", target]);
    }
    let status = build
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("the release build failed".into());
    }
    let binary = match target {
        Some(t) => root.join("target").join(t).join("release/handler"),
        None => root.join("target/release/handler"),
    };

    let app_dir = root.join("target/functionapp");
    let _ = fs::remove_dir_all(&app_dir);
    fs::create_dir_all(&app_dir).map_err(|e| e.to_string())?;
    let mut files: Vec<(String, PathBuf)> = vec![
        ("handler".into(), binary),
        ("host.json".into(), root.join("host.json")),
    ];
    let mut functions: Vec<_> = fs::read_dir(root.join("functions"))
        .map_err(|e| format!("functions/: {e}"))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("function.json").is_file())
        .collect();
    functions.sort();
    for dir in functions {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        files.push((format!("{name}/function.json"), dir.join("function.json")));
    }

    let zip_path = root.join("target/functionapp.zip");
    let mut zip = zip::ZipWriter::new(fs::File::create(&zip_path).map_err(|e| e.to_string())?);
    for (name, source) in &files {
        let bytes = fs::read(source).map_err(|e| format!("{}: {e}", source.display()))?;
        let mode = if name == "handler" { 0o755 } else { 0o644 };
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(mode);
        zip.start_file(name.as_str(), options)
            .map_err(|e| e.to_string())?;
        zip.write_all(&bytes).map_err(|e| e.to_string())?;

        let dest = app_dir.join(name);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        fs::write(&dest, &bytes).map_err(|e| e.to_string())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            fs::set_permissions(&dest, fs::Permissions::from_mode(mode))
                .map_err(|e| e.to_string())?;
        }
    }
    zip.finish().map_err(|e| e.to_string())?;

    let size = |p: &Path| fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    println!("function app folder: {}", app_dir.display());
    println!(
        "package:             {} ({} KiB)",
        zip_path.display(),
        size(&zip_path) / 1024
    );
    println!(
        "handler binary:      {} KiB",
        size(&app_dir.join("handler")) / 1024
    );
    println!(
        "files:               {}",
        files
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}
