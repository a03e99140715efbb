//! The crate docs list the runtime's modules in layers, top to bottom (`src/lib.rs`, "Map of
//! the crate, in layers"). This test reads that table and every source file, and fails when a
//! module imports from a layer above its own, when a module is missing from the table, or when
//! the table names a module that does not exist. (Import cycles within a row are caught by
//! `../shared/tools/modcycles.py`; this test catches imports that climb.)
//!
//! It reads the source as text: `use crate::...` and `crate::...` paths, with comments, strings
//! and `#[cfg(test)] mod` blocks left out; `crate::Name` re-exported by `lib.rs` counts as the
//! module it comes from.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The layer table: module → layer number.
fn layers(lib: &str) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    let mut in_table = false;
    for line in lib.lines() {
        let line = line.trim_start_matches("//!").trim();
        if line.starts_with("| layer | modules |") {
            in_table = true;
            continue;
        }
        if !in_table {
            continue;
        }
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Ok(layer) = cells[1].parse::<u32>() else {
            continue; // the `| --- |` row
        };
        for module in cells[2].split(',') {
            out.insert(module.trim().trim_matches('`').to_owned(), layer);
        }
    }
    out
}

/// Source text without comments, strings, and `#[cfg(test)] mod ... { }` blocks.
fn strip(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if text[i..].starts_with("//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if text[i..].starts_with("/*") {
            i += text[i..].find("*/").map_or(bytes.len() - i, |e| e + 2);
        } else if bytes[i] == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if text[i..].starts_with("#[cfg(test)]") {
            let rest = &text[i + "#[cfg(test)]".len()..];
            let after = rest.trim_start();
            let is_mod = after.starts_with("mod ") || after.starts_with("pub(crate) mod ");
            match (is_mod, after.find('{')) {
                (true, Some(open)) => {
                    let start = i + "#[cfg(test)]".len() + (rest.len() - after.len()) + open + 1;
                    let mut depth = 1;
                    let mut j = start;
                    while j < bytes.len() && depth > 0 {
                        match bytes[j] {
                            b'{' => depth += 1,
                            b'}' => depth -= 1,
                            _ => {}
                        }
                        j += 1;
                    }
                    i = j;
                }
                _ => {
                    out.push('#');
                    i += 1;
                }
            }
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `lib.rs`'s `pub use module::...` re-exports: item name → module.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let lib = strip(lib);
    for stmt in lib.split(';') {
        let Some(at) = stmt.find("pub use ") else {
            continue;
        };
        let path = stmt[at + "pub use ".len()..].trim();
        let (module, items) = match path.split_once("::") {
            Some((m, rest)) => (m.trim(), rest.trim()),
            None => continue,
        };
        let items = items.trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let name = item.trim().rsplit("::").next().unwrap_or("").trim();
            if !name.is_empty() {
                out.insert(name.to_owned(), module.to_owned());
            }
        }
    }
    out
}

/// The first segment of every `crate::` path in `text`.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `graceful_runtime::` or the like
        }
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c, d::{e, f}}`: the first segment of each top-level entry.
            let mut depth = 0;
            let mut entry = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(first_segment(&entry));
                        entry.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    entry.push(c);
                }
            }
            out.insert(first_segment(&entry));
        } else {
            out.insert(first_segment(rest));
        }
    }
    out.remove("");
    out
}

fn first_segment(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Every source file and the top-level module it belongs to.
fn files() -> Vec<(String, PathBuf)> {
    fn walk(dir: &Path, top: Option<&str>, out: &mut Vec<(String, PathBuf)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                walk(&path, Some(top.unwrap_or(&name)), out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let module = top.map_or(name, str::to_owned);
                out.push((module, path));
            }
        }
    }
    let mut out = Vec::new();
    walk(&src(), None, &mut out);
    out
}

#[test]
fn every_import_goes_down_the_layers_of_the_crate_docs() {
    let lib = fs::read_to_string(src().join("lib.rs")).unwrap();
    let layers = layers(&lib);
    assert!(layers.len() > 10, "no layer table in lib.rs: {layers:?}");
    let reexports = reexports(&lib);
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for (module, path) in files() {
        // The crate root and the expansion's facade stand above every layer.
        if module == "lib" || module == "__private" {
            continue;
        }
        seen.insert(module.clone());
        let Some(&layer) = layers.get(&module) else {
            problems.push(format!("module `{module}` is not in the layer table"));
            continue;
        };
        let text = strip(&fs::read_to_string(&path).unwrap());
        for name in crate_paths(&text) {
            let target = if layers.contains_key(&name) {
                name.clone()
            } else if let Some(m) = reexports.get(&name) {
                m.clone()
            } else {
                continue;
            };
            if target == module {
                continue;
            }
            let Some(&to) = layers.get(&target) else {
                continue;
            };
            if to < layer {
                problems.push(format!(
                    "{} (`{module}`, layer {layer}) imports `{name}` from `{target}`, layer {to}",
                    path.strip_prefix(src()).unwrap().display()
                ));
            }
        }
    }
    for module in layers.keys() {
        if !seen.contains(module) {
            problems.push(format!("the table lists `{module}`, which does not exist"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_sees_imports_in_groups_and_paths() {
    let paths = crate_paths(&strip(
        "use crate::{Reason, state::STATE, report::{self, x}};\nfn f() { crate::clock::now_ns(); }\n// crate::ignored\n",
    ));
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    assert_eq!(paths, ["Reason", "clock", "report", "state"]);
}
