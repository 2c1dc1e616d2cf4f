//! The house's layers, as a test: every top-level module of `src/` is in [`LAYERS`], bottom first,
//! and may name (`crate::…`) only modules below it; within a directory, the files beside `mod.rs`
//! name each other without a loop. ARCHITECTURE.md draws the same order; this keeps it true.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom first. A module may use only those before it.
const LAYERS: &[&str] = &[
    // Helpers every layer may use: text, paths, host names, tables, redaction, files.
    "text",
    "paths",
    "host",
    "table",
    "redact",
    "files",
    // What a validation says (checks, failure kinds, dates), the clock that reads its dates to
    // people, and the exit codes that say it to a shell.
    "report",
    "clock",
    "exit",
    // A guide as data (its text is in assets/).
    "guide",
    // Profiles and their store, generic over the vendors' fields.
    "profile",
    // The loopback HTTPS server of the demo and the tests; the engine, the only HTTP client.
    "simulator",
    "validate",
    // The vendors, one unit each, and their registry.
    "providers",
    // The front ends: the pure wizard, its drawing, the executor of its effects, the terminal,
    // plain mode; then the command line.
    "wizard",
    "ui",
    "effects",
    "tui",
    "plain",
    "cli",
    "commands",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text without comments (line, doc and block), so a path in prose is not an import.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.find('\n').map_or("", |i| &r[i..]);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.find("*/").map_or("", |i| &r[i + 2..]);
        } else {
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The names that follow `prefix` in `code`: `crate::profile::…` gives `profile`, and a group,
/// `crate::{profile, host::x}`, gives each of its heads.
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let word = |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
    for (at, _) in code.match_indices(prefix) {
        // `foo_super::x` is not `super::x`.
        if code[..at].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let after = &code[at + prefix.len()..];
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 0;
            let mut head = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => head = true,
                    c if head && !c.is_whitespace() => {
                        head = false;
                        names.insert(word(&group[i..]));
                    }
                    _ => {}
                }
            }
        } else {
            names.insert(word(after));
        }
    }
    names.remove("");
    names
}

/// Each top-level module's file, and the modules it names.
fn imports() -> Vec<(String, PathBuf, BTreeSet<String>)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src()).expect("under src").to_path_buf();
        if rel == Path::new("lib.rs") || rel == Path::new("main.rs") {
            continue;
        }
        let top = rel.components().next().expect("a component").as_os_str().to_string_lossy();
        let top = top.trim_end_matches(".rs").to_string();
        let code = code_of(&std::fs::read_to_string(&file).expect("readable"));
        let named = names_after(&code, "crate::");
        out.push((top, rel, named));
    }
    out
}

/// The top-level modules lib.rs declares.
fn declared() -> BTreeSet<String> {
    let lib = code_of(&std::fs::read_to_string(src().join("lib.rs")).expect("lib.rs"));
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ").or_else(|| l.trim().strip_prefix("mod ")))
        .map(|l| l.trim_end_matches(';').trim().to_string())
        .collect()
}

#[test]
fn every_module_has_a_layer() {
    let layers: BTreeSet<String> = LAYERS.iter().map(|s| s.to_string()).collect();
    assert_eq!(LAYERS.len(), layers.len(), "a module is listed twice in LAYERS");
    let declared = declared();
    let missing: Vec<_> = declared.difference(&layers).collect();
    let gone: Vec<_> = layers.difference(&declared).collect();
    assert!(
        missing.is_empty() && gone.is_empty(),
        "lib.rs and LAYERS (tests/layers.rs, drawn in ARCHITECTURE.md) disagree: not placed {missing:?}, no longer there {gone:?}"
    );
}

#[test]
fn no_module_uses_one_above_it() {
    let rank: BTreeMap<&str, usize> = LAYERS.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let mut wrong = Vec::new();
    for (top, file, named) in imports() {
        let Some(&mine) = rank.get(top.as_str()) else { continue };
        for n in &named {
            if let Some(&theirs) = rank.get(n.as_str())
                && theirs > mine
            {
                wrong.push(format!("src/{} ({top}) uses {n}, a layer above it", file.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "imports that go up (see LAYERS in tests/layers.rs):\n{}", wrong.join("\n"));
}

/// Within each directory, which sibling each file (other than `mod.rs`, the directory's front)
/// names: `super::x` or the full `crate::dir::x`.
fn sibling_edges(dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut names = BTreeSet::new();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable") {
        let path = entry.expect("entry").path();
        let stem = path.file_stem().expect("a name").to_string_lossy().to_string();
        if path.is_dir() {
            names.insert(stem);
        } else if path.extension().is_some_and(|e| e == "rs") && stem != "mod" {
            names.insert(stem.clone());
            files.push((stem, path));
        }
    }
    let rel = dir.strip_prefix(src()).expect("under src");
    let full = format!(
        "crate::{}::",
        rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("::")
    );
    let mut edges = BTreeMap::new();
    for (me, path) in files {
        let code = code_of(&std::fs::read_to_string(&path).expect("readable"));
        let mut named = names_after(&code, "super::");
        named.extend(names_after(&code, &full));
        let to: BTreeSet<String> = named.into_iter().filter(|n| names.contains(n) && *n != me).collect();
        edges.insert(me, to);
    }
    edges
}

/// A loop in `edges`, if there is one, as the files that make it.
fn a_loop(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut cycle = path[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for next in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|n| visit(n, edges, &mut Vec::new(), &mut done))
}

#[test]
fn files_beside_each_other_do_not_import_in_a_loop() {
    let mut dirs = Vec::new();
    let mut stack = vec![src()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p.clone());
                dirs.push(p);
            }
        }
    }
    let mut loops = Vec::new();
    for d in dirs {
        if let Some(cycle) = a_loop(&sibling_edges(&d)) {
            loops.push(format!("src/{}: {}", d.strip_prefix(src()).expect("under src").display(), cycle.join(" -> ")));
        }
    }
    assert!(loops.is_empty(), "files that import each other in a loop (split by concern):\n{}", loops.join("\n"));
}

/// The checks themselves: a path in a comment is not an import, a group names each head, and a
/// loop is found.
#[test]
fn the_reading_of_imports_is_right() {
    let code = code_of(
        "use crate::{profile::Profile, host};\n// crate::tui in prose\nlet x = crate::report::X; /* crate::ui */",
    );
    assert_eq!(names_after(&code, "crate::"), ["host", "profile", "report"].map(String::from).into());
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(a_loop(&edges), Some(vec!["a".to_string(), "b".to_string(), "a".to_string()]));
    edges.insert("b".to_string(), BTreeSet::new());
    assert_eq!(a_loop(&edges), None);
}
