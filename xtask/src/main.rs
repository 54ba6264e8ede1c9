//! `cargo xtask package`: builds the release `handler` for Linux x86-64 and writes the
//! deployable function app: `target/functionapp/` (a folder `func start` can run) and
//! `target/functionapp.zip` (`handler`, `host.json` and every `FunctionName/function.json`
//! at its root, nothing else).
//!
//! The binary is the static `x86_64-unknown-linux-musl` build, which runs on whatever Linux
//! image the Functions host uses; it needs the target (`rustup target add
//! x86_64-unknown-linux-musl`) and a musl C compiler for `ring` (Debian: `apt-get install
//! musl-tools`). Without the target, the host's glibc build is packaged instead, with a
//! warning: it runs only where the glibc is at least as new as the build machine's.
//!
//! `cargo xtask package --debug` packages the debug build of the host target into
//! `target/functionapp-debug/` and `target/functionapp-debug.zip` instead: the package test
//! (`tests/package/`) uses it, and it never takes the place of the deployable package.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const MUSL: &str = "x86_64-unknown-linux-musl";

const USAGE: &str = "usage: cargo xtask package [--debug] [--target TRIPLE | --host]
  builds target/functionapp/ and target/functionapp.zip (release, static musl build)
  --debug        the debug build, into target/functionapp-debug/ and target/functionapp-debug.zip
  --target T     build for target T (default: x86_64-unknown-linux-musl when installed)
  --host         build for the host's own target (glibc)";

#[derive(Debug)]
struct Options {
    debug: bool,
    /// `None`: the host's own target.
    target: Option<String>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("package") => {
            let options = match parse_options(&args[1..]) {
                Ok(options) => options,
                Err(e) => {
                    eprintln!("xtask package: {e}\n{USAGE}");
                    return ExitCode::from(2);
                }
            };
            match package(&options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("xtask package: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut debug = false;
    let mut explicit: Option<Option<String>> = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--debug" => debug = true,
            "--host" => explicit = Some(None),
            "--target" => {
                let triple = args.next().ok_or("--target needs a target triple")?;
                explicit = Some(Some(triple.clone()));
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let target = match explicit {
        Some(target) => target,
        // PACKAGE_TARGET is the older way to choose; it still works.
        None => match std::env::var("PACKAGE_TARGET") {
            Ok(triple) if !triple.trim().is_empty() => Some(triple.trim().to_owned()),
            _ if debug => None,
            _ => default_target(),
        },
    };
    Ok(Options { debug, target })
}

/// The workspace root. `cargo xtask` (cargo run) sets CARGO_MANIFEST_DIR to this run's
/// xtask folder; the path compiled in is only the fallback, since one xtask binary may
/// serve several checkouts that share a target directory.
fn root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.join("Cargo.toml").is_file())
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Where cargo puts its output: `CARGO_TARGET_DIR` when set, else `target/`.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                std::env::current_dir().unwrap_or_default().join(dir)
            }
        }
        _ => root.join("target"),
    }
}

/// The static musl build when its target is installed, else the host's own build.
fn default_target() -> Option<String> {
    if musl_target_installed() {
        Some(MUSL.to_owned())
    } else {
        eprintln!(
            "xtask package: WARNING: the {MUSL} target is not installed; packaging the host's glibc build,"
        );
        eprintln!(
            "               which runs only on a Linux whose glibc is at least as new as this machine's."
        );
        eprintln!(
            "               For the static build: rustup target add {MUSL}  (and apt-get install musl-tools)"
        );
        None
    }
}

fn musl_target_installed() -> bool {
    let Ok(output) = Command::new("rustc").args(["--print", "sysroot"]).output() else {
        return false;
    };
    let sysroot = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    Path::new(&sysroot).join("lib/rustlib").join(MUSL).exists()
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

/// `ring` compiles C code, so a musl build needs a C compiler for musl. The `cc` crate
/// looks for `x86_64-linux-musl-gcc` (Debian's musl-tools provides it, and `musl-gcc`).
/// Returns the environment to add to the build, or why it cannot work.
fn musl_c_compiler(target: &str) -> Result<Vec<(String, String)>, String> {
    let env_name = format!("CC_{}", target.replace('-', "_"));
    let explicit = [env_name.as_str(), "TARGET_CC"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
    let prefixed = format!("{}-gcc", target.replace("-unknown", ""));
    if explicit || on_path(&prefixed) {
        Ok(Vec::new())
    } else if on_path("musl-gcc") {
        Ok(vec![(env_name, "musl-gcc".to_owned())])
    } else {
        Err(format!(
            "building for {target} needs a musl C compiler for the `ring` crate, and neither \
             {prefixed} nor musl-gcc is on PATH.\n  Debian/Ubuntu: sudo apt-get install musl-tools   \
             (or set {env_name} to a musl C compiler, or use --host for a glibc build)"
        ))
    }
}

fn package(options: &Options) -> Result<(), String> {
    let root = root();
    let target_dir = target_dir(&root);
    let target = options.target.as_deref();
    let profile = if options.debug { "debug" } else { "release" };
    // The Function App runs Linux on x86-64; a host build is packaged only where that is
    // what the host is.
    let linux_x86_64 = match target {
        Some(t) => t.starts_with("x86_64-") && t.contains("-linux-"),
        None => cfg!(all(target_os = "linux", target_arch = "x86_64")),
    };
    if !linux_x86_64 {
        return Err(format!(
            "the package needs a Linux x86-64 handler, and {} is not; build on Linux x86-64 \
             (or WSL, or a Linux container), or pass --target {MUSL}",
            target.unwrap_or("this machine")
        ));
    }

    let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    build.current_dir(&root).args(["build", "--bin", "handler"]);
    // `cargo xtask` runs this program with the variables cargo sets for a running package
    // (CARGO_MANIFEST_DIR=…/xtask, CARGO_PKG_NAME=xtask, …). Build scripts that watch them
    // (ring's watches CARGO_MANIFEST_DIR) would otherwise see a change and rebuild, with
    // everything above them, each time this and a plain `cargo build` take turns.
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if name.starts_with("CARGO_PKG_")
            || matches!(
                name,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
            )
        {
            build.env_remove(name);
        }
    }
    if !options.debug {
        build.arg("--release");
    }
    if let Some(target) = target {
        build.args(["--target", target]);
        if target.contains("linux-musl") {
            for (name, value) in musl_c_compiler(target)? {
                build.env(name, value);
            }
        }
    }
    eprintln!(
        "xtask package: building the {profile} handler for {}",
        target.unwrap_or("the host")
    );
    let status = build
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the {profile} build failed"));
    }
    let binary = match target {
        Some(t) => target_dir.join(t).join(profile).join("handler"),
        None => target_dir.join(profile).join("handler"),
    };

    let suffix = if options.debug { "-debug" } else { "" };
    let app_dir = target_dir.join(format!("functionapp{suffix}"));
    let zip_path = target_dir.join(format!("functionapp{suffix}.zip"));
    write_package(&root, &binary, &app_dir, &zip_path)
}

fn write_package(
    root: &Path,
    binary: &Path,
    app_dir: &Path,
    zip_path: &Path,
) -> Result<(), String> {
    let _ = fs::remove_dir_all(app_dir);
    fs::create_dir_all(app_dir).map_err(|e| e.to_string())?;
    let mut files: Vec<(String, PathBuf)> = vec![
        ("handler".into(), binary.to_path_buf()),
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

    // Written beside the final path and renamed, so a failed run never leaves a
    // half-written package where deployment tools look for one.
    let partial = zip_path.with_extension("zip.partial");
    let mut zip = zip::ZipWriter::new(fs::File::create(&partial).map_err(|e| e.to_string())?);
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
    fs::rename(&partial, zip_path).map_err(|e| format!("{}: {e}", zip_path.display()))?;

    let size = |p: &Path| fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let handler = app_dir.join("handler");
    println!("function app folder: {}", app_dir.display());
    println!(
        "package:             {} ({} KiB)",
        zip_path.display(),
        size(zip_path) / 1024
    );
    println!(
        "handler binary:      {} KiB, {}",
        size(&handler) / 1024,
        linkage(&handler)
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

/// "static" when the ELF file asks for no dynamic loader (no PT_INTERP program header),
/// else "dynamically linked (needs the system's C library)".
fn linkage(path: &Path) -> &'static str {
    let Ok(bytes) = fs::read(path) else {
        return "unreadable";
    };
    let field = |at: usize, len: usize| -> Option<u64> {
        let slice = bytes.get(at..at + len)?;
        Some(
            slice
                .iter()
                .rev()
                .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte)),
        )
    };
    // 64-bit little-endian ELF only (what this tool builds).
    if bytes.get(..6) != Some(&[0x7f, b'E', b'L', b'F', 2, 1][..]) {
        return "not a 64-bit little-endian ELF file";
    }
    let (Some(phoff), Some(phentsize), Some(phnum)) =
        (field(0x20, 8), field(0x36, 2), field(0x38, 2))
    else {
        return "unreadable ELF header";
    };
    for i in 0..phnum {
        let at = usize::try_from(phoff + i * phentsize).unwrap_or(usize::MAX);
        if field(at, 4) == Some(3) {
            return "dynamically linked (needs the system's C library)";
        }
    }
    "statically linked"
}
