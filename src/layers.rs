//! The layering of the crate, checked: a test reads the source tree and fails when a module
//! imports a layer above it (see ARCHITECTURE.md).
//!
//! From the ground up: `domain` (pure types and rules) → `media`, `security`, `spatial`,
//! `search`, `render` (each on `domain` only) → `store` (SQL) → `app` (use cases) → `http`
//! (thin edge, no SQL, no store calls) → `cli`, `startup`, `demo`, `main` (the program).

/// The top-level modules a module of `layer` may name (its own always allowed).
pub fn allowed(layer: &str) -> Option<&'static [&'static str]> {
    const LOWER: &[&str] = &["domain"];
    Some(match layer {
        "domain" => &[],
        "media" | "security" | "spatial" | "search" | "render" => LOWER,
        "store" => &["domain", "security"],
        "app" => &[
            "domain", "media", "security", "spatial", "search", "render", "store",
        ],
        "http" => &[
            "app", "domain", "media", "security", "spatial", "search", "render", "store",
        ],
        "demo" => &["app", "domain", "security", "store"],
        "startup" => &["app", "demo", "domain", "http", "media", "store"],
        "cli" => &[
            "app", "demo", "domain", "http", "media", "search", "security", "spatial", "startup",
            "store",
        ],
        // lib.rs declares every module.
        "lib" => return None,
        _ => return None,
    })
}

/// Crates a layer may not use directly, by layer: the edge speaks to the database only
/// through `app` and `store`.
pub fn forbidden_crates(layer: &str) -> &'static [&'static str] {
    match layer {
        "domain" => &["sqlx", "actix_web", "actix_multipart"],
        "spatial" | "search" | "render" | "store" | "app" => &["actix_web", "actix_multipart"],
        "http" => &["sqlx"],
        _ => &[],
    }
}

/// Text a layer may not contain: the edge reaches the database only through `app`.
pub fn forbidden_text(layer: &str) -> &'static [&'static str] {
    match layer {
        "http" => &[".store."],
        _ => &[],
    }
}

/// The module path of a source file relative to `src/`: `app/places.rs` → `["app", "places"]`,
/// `http/errors/mod.rs` → `["http", "errors"]`.
pub fn module_path(relative: &str) -> Vec<String> {
    let trimmed = relative.trim_end_matches(".rs");
    let mut parts: Vec<String> = trimmed.split('/').map(str::to_string).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Strips `//` comments (line and doc) so that paths named in prose are not read as imports.
fn code_only(source: &str) -> String {
    source
        .lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules of the crate a source file names (`crate::x::…`, and `super::…`
/// resolved against the file's own module path).
pub fn named_modules(module: &[String], source: &str) -> Vec<String> {
    let code = code_only(source);
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut at = 0;
    while at < code.len() {
        let rest = &code[at..];
        let boundary = at == 0 || !is_ident(bytes[at - 1]);
        if boundary && rest.starts_with("crate::") {
            let name: String = rest["crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push(name);
            }
            at += "crate::".len();
            continue;
        }
        if boundary && rest.starts_with("super::") {
            let mut ups = 0;
            let mut tail = rest;
            while let Some(next) = tail.strip_prefix("super::") {
                ups += 1;
                tail = next;
            }
            let name: String = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // A file's items live in its own module; each `super` goes one module up.
            if ups <= module.len() {
                let base = &module[..module.len() - ups];
                let top = base.first().cloned().unwrap_or(name);
                if !top.is_empty() {
                    found.push(top);
                }
            }
            at += "super::".len() * ups;
            continue;
        }
        at += rest.chars().next().map_or(1, char::len_utf8);
    }
    found
}

/// The crates a source file names directly (`sqlx::…`, `use actix_web…`).
pub fn named_crates<'a>(source: &str, crates: &[&'a str]) -> Vec<&'a str> {
    let code = code_only(source);
    crates
        .iter()
        .copied()
        .filter(|name| {
            code.match_indices(name).any(|(at, _)| {
                let before = code[..at].chars().next_back();
                let after = &code[at + name.len()..];
                before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    && (after.starts_with("::")
                        || after.starts_with(';')
                        || after.starts_with(" as"))
            })
        })
        .collect()
}

/// Every breach of the layering in one file: `(what it names, why it may not)`.
pub fn breaches(relative: &str, source: &str) -> Vec<String> {
    let module = module_path(relative);
    let Some(layer) = module.first().cloned() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    if let Some(allowed) = allowed(&layer) {
        for name in named_modules(&module, source) {
            if name != layer && !allowed.contains(&name.as_str()) {
                found.push(format!("{relative}: {layer} may not import {name}"));
            }
        }
    }
    for name in named_crates(source, forbidden_crates(&layer)) {
        found.push(format!("{relative}: {layer} may not use the crate {name}"));
    }
    let code = code_only(source);
    for text in forbidden_text(&layer) {
        if code.contains(text) {
            found.push(format!(
                "{relative}: {layer} may not call the store ({text}): call an app function"
            ));
        }
    }
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn source_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                source_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn no_layer_imports_a_layer_above_it() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        source_files(&root, &mut files);
        assert!(files.len() > 50, "the source tree was found");
        let mut all = Vec::new();
        for file in files {
            let relative = file
                .strip_prefix(&root)
                .expect("under src/")
                .to_string_lossy()
                .replace('\\', "/");
            let source = std::fs::read_to_string(&file).expect("readable source");
            all.extend(breaches(&relative, &source));
        }
        assert!(all.is_empty(), "layering breached:\n{}", all.join("\n"));
    }

    #[test]
    fn an_import_of_a_higher_layer_is_found() {
        assert_eq!(
            breaches(
                "domain/place.rs",
                "use crate::spatial::index::SpatialIndex;"
            ),
            ["domain/place.rs: domain may not import spatial"]
        );
        assert_eq!(
            breaches("store/places.rs", "fn f() { crate::app::today(); }"),
            ["store/places.rs: store may not import app"]
        );
        assert_eq!(
            breaches("http/places.rs", "use sqlx::Row;"),
            ["http/places.rs: http may not use the crate sqlx"]
        );
        assert_eq!(
            breaches(
                "domain/romanize/mod.rs",
                "use super::super::http::problem::Problem;"
            ),
            ["domain/romanize/mod.rs: domain may not import http"]
        );
    }

    #[test]
    fn imports_within_a_layer_or_below_it_and_prose_pass() {
        assert!(
            breaches(
                "domain/romanize/tables.rs",
                "use super::syllable::Syllable;"
            )
            .is_empty()
        );
        assert!(breaches("domain/place.rs", "use super::geometry::parse_geometry;").is_empty());
        assert!(
            breaches(
                "app/places.rs",
                "use crate::store::Store; use super::AppState;"
            )
            .is_empty()
        );
        assert!(breaches("domain/place.rs", "/// Unlike `crate::http`, this is pure.").is_empty());
        assert!(breaches("http/mod.rs", "use crate::app::AppState; // not sqlx::Pool").is_empty());
    }

    #[test]
    fn a_module_path_follows_the_file() {
        assert_eq!(module_path("app/places.rs"), ["app", "places"]);
        assert_eq!(module_path("http/errors/mod.rs"), ["http", "errors"]);
        assert_eq!(module_path("lib.rs"), ["lib"]);
    }
}
