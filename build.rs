//! Embeds the built staff application (web/dist, made by `npm run build --prefix web`) into the
//! binary: writes a table of (path, bytes, content type, tag) to OUT_DIR. A clone where the
//! front-end was not built still compiles, with an empty table: `/` then says how to build it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dist = manifest.join("web").join("dist");
    // Cargo scans a directory given here for any change inside it; a missing one is looked for
    // again on every build, so building the front-end later is noticed.
    println!("cargo::rerun-if-changed=web/dist");
    let mut files = Vec::new();
    if dist.is_dir() {
        collect(&dist, &dist, &mut files);
    } else {
        println!(
            "cargo::warning=web/dist is missing: the binary carries no staff application (run `npm ci --prefix web && npm run build --prefix web` first)"
        );
    }
    files.sort();
    let mut table = String::from(
        "/// The staff application's files: (path under /app/, bytes, content type, tag).\npub static WEB_ASSETS: &[(&str, &[u8], &str, &str)] = &[\n",
    );
    for (relative, absolute) in &files {
        let bytes = std::fs::read(absolute).expect("a file of web/dist is readable");
        let tag = format!("{:016x}", fnv1a(&bytes));
        writeln!(
            table,
            "    ({relative:?}, include_bytes!({:?}), {:?}, {tag:?}),",
            absolute.display().to_string(),
            content_type(relative),
        )
        .expect("writing to a String");
    }
    table.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("web_assets.rs");
    std::fs::write(out, table).expect("OUT_DIR is writable");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    for entry in std::fs::read_dir(dir).expect("web/dist is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let relative = path
                .strip_prefix(root)
                .expect("under web/dist")
                .to_string_lossy()
                .replace('\\', "/");
            files.push((relative, path));
        }
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// A content hash for the ETag; not for security, so FNV-1a (no build dependency) is enough.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
