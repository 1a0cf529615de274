//! Builds the web console (`../console`, a Vite app) and embeds its files in the
//! binary, so `cargo run -p sluice -- serve` serves it with no step of its own.
//!
//! - npm runs only when the console's sources change: cargo reruns this script on
//!   a change under `console/src`, `console/public`, its `index.html`, its package
//!   files or its Vite and TypeScript configs, never for anything else.
//! - `npm ci` runs when `console/node_modules` is missing or older than the lock
//!   file; `vite build` writes into this build's own `OUT_DIR`, never the tree.
//! - Without Node.js 20 (or with `SLUICE_CONSOLE=skip`) the binary builds anyway
//!   and serves a page saying how to get the console; a console that fails to
//!   build fails the build, with npm's output.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the console's build reads; a change to any of them rebuilds it.
const INPUTS: &[&str] = &[
    "src",
    "public",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
];

/// The oldest Node.js major version Vite builds the console with.
const NODE_MAJOR: u32 = 20;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    let console = manifest.join("..").join("console");
    println!("cargo::rerun-if-env-changed=SLUICE_CONSOLE");
    for input in INPUTS {
        let path = console.join(input);
        // A path that does not exist would rerun this script on every build.
        if path.exists() {
            println!("cargo::rerun-if-changed={}", path.display());
        }
    }
    let dist = out.join("console");
    let built = if std::env::var("SLUICE_CONSOLE").as_deref() == Ok("skip") {
        Err("it was skipped (SLUICE_CONSOLE=skip)".to_string())
    } else if !console.join("package.json").exists() {
        Err("its sources (console/) are not here".to_string())
    } else {
        build(&console, &dist)
    };
    let code = match built {
        Ok(()) => embed(&dist),
        Err(reason) => {
            println!("cargo::warning=the web console is not built into sluice: {reason}");
            format!(
                "/// The console's files (none: see [`NOT_BUILT`]).\npub static FILES: &[File] = &[];\n/// Why the console is not in this binary.\npub static NOT_BUILT: Option<&str> = Some({reason:?});\n"
            )
        }
    };
    std::fs::write(out.join("console_files.rs"), code).expect("OUT_DIR is writable");
}

/// Builds the console into `dist`. `Err` says why it could not start (no Node.js);
/// a build that starts and fails panics with npm's output.
fn build(console: &Path, dist: &Path) -> Result<(), String> {
    let node = Command::new("node")
        .arg("--version")
        .output()
        .map_err(|_| format!("Node.js {NODE_MAJOR} or later is not installed (no `node`)"))?;
    let version = String::from_utf8_lossy(&node.stdout).trim().to_string();
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < NODE_MAJOR {
        return Err(format!(
            "it needs Node.js {NODE_MAJOR} or later, and `node` is {version}"
        ));
    }
    if Command::new("npm").arg("--version").output().is_err() {
        return Err(format!("Node.js {NODE_MAJOR}'s `npm` is not installed"));
    }
    // Two cargo processes (a build and clippy, say) may build at once; they share
    // node_modules.
    let lock = std::fs::File::create(console.join(".build.lock")).expect("console/ is writable");
    lock.lock().expect("the console's build lock");
    let installed = console.join("node_modules").join(".package-lock.json");
    let stale = match (
        modified(&installed),
        modified(&console.join("package-lock.json")),
    ) {
        (Some(installed), Some(locked)) => installed < locked,
        _ => true,
    };
    if stale {
        npm(console, &["ci", "--no-audit", "--no-fund"]);
    }
    let dist_arg = dist.display().to_string();
    npm(
        console,
        &[
            "run",
            "build",
            "--",
            "--outDir",
            &dist_arg,
            "--emptyOutDir",
            "--logLevel",
            "warn",
        ],
    );
    Ok(())
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn npm(dir: &Path, args: &[&str]) {
    let output = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("npm starts");
    if !output.status.success() {
        panic!(
            "`npm {}` in console/ failed ({}); set SLUICE_CONSOLE=skip to build sluice without the console\n{}\n{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Rust source naming every file of `dist` by its URL path, each text file with
/// its gzipped bytes (written beside it as `<name>.gz`).
fn embed(dist: &Path) -> String {
    let mut files = vec![];
    walk(dist, &mut files);
    files.retain(|f| f.extension().is_none_or(|e| e != "gz"));
    files.sort();
    let mut code = String::from(
        "/// The console's files by URL path, built from `console/` by build.rs.\npub static FILES: &[File] = &[\n",
    );
    for file in &files {
        let rel = file.strip_prefix(dist).expect("under dist");
        let url = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let gzip = match gzip(file) {
            Some(gz) => format!("Some(include_bytes!({:?}))", gz.display().to_string()),
            None => "None".to_string(),
        };
        let _ = writeln!(
            code,
            "    File {{ path: {:?}, body: include_bytes!({:?}), gzip: {gzip} }},",
            format!("/{url}"),
            file.display().to_string()
        );
    }
    code.push_str("];\n/// Why the console is not in this binary (it is).\npub static NOT_BUILT: Option<&str> = None;\n");
    code
}

/// Writes `file` gzipped beside it when it is text worth compressing.
fn gzip(file: &Path) -> Option<PathBuf> {
    use std::io::Write as _;
    let text = matches!(
        file.extension().and_then(|e| e.to_str()),
        Some("html" | "js" | "mjs" | "css" | "svg" | "json" | "txt" | "webmanifest")
    );
    let bytes = std::fs::read(file).expect("a built file");
    if !text || bytes.len() < 1024 {
        return None;
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&bytes).expect("gzip in memory");
    let gz = encoder.finish().expect("gzip in memory");
    let path = PathBuf::from(format!("{}.gz", file.display()));
    std::fs::write(&path, gz).expect("OUT_DIR is writable");
    Some(path)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).expect("the console's build output");
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}
