//! The shape of the code, held by a test: the library's modules stand in
//! layers, and an import only points down (or to a module listed earlier on
//! its own floor), so no two modules import each other, directly or in a
//! circle; the library has no command line (no `anyhow`, no `clap`); no
//! function is over 100 lines and no file over 600 lines of code.
//!
//! The layers, from the ground up; a new module takes its place here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const LAYERS: &[(&str, &[&str])] = &[
    // the ground floor: formats, facts and words every stage shares
    (
        "ground",
        &["rules", "digest", "parallel", "progress", "edtf", "problem", "catalogue", "config", "reference", "shard"],
    ),
    // raw files and texts in, with exact line numbers
    ("read", &["ledger", "inputs", "ingest"]),
    // labels, actors, dates applied, evidence and mention spans
    ("normalize", &["normalize"]),
    // what the batches add up to: scores, counts, tests
    ("accumulate", &["score", "marts", "gates", "agree"]),
    // tables written as Parquet files
    ("write", &["write"]),
    // the written files committed as a set, with the record and the page
    ("publish", &["publish", "manifest", "lineage", "annotate", "overview"]),
    // a run from beginning to end, locally or against a bucket
    ("engine", &["engine", "storage", "synth"]),
];

/// Functions allowed over 100 lines: data and explanations, not logic.
const LONG_FUNCTIONS_ALLOWED: &[(&str, &str)] = &[
    ("src/rules.rs", "explanation"),    // one explanation per rule, an exhaustive match
    ("src/synth/data.rs", "templates"), // the generator's sentence templates
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file of the library (the binary's `main.rs` and `cmd/` aside),
/// by path relative to `src/`.
fn library_files() -> Vec<(String, String)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&src(), &src(), &mut out);
    out.retain(|(p, _)| p != "main.rs" && !p.starts_with("cmd/"));
    out.sort();
    out
}

/// The file's code without its unit tests (a `#[cfg(test)] mod` block at
/// the end) and without comments.
fn code(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|w| w[0].trim() == "#[cfg(test)]" && w[1].trim_start().starts_with("mod "))
        .unwrap_or(lines.len());
    lines[..end].iter().copied().filter(|l| !l.trim_start().starts_with("//")).collect()
}

fn top_module(rel: &str) -> &str {
    let first = rel.split('/').next().unwrap();
    first.strip_suffix(".rs").unwrap_or(first)
}

/// The crate's top-level modules a file names: `crate::x`, and each name
/// of `crate::{x, y::z}`.
fn crate_imports(lines: &[&str]) -> BTreeSet<String> {
    let text = lines.join("\n");
    let mut out = BTreeSet::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `dyadflow_crate::`, not ours
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name: String = part.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            out.insert(name);
        }
    }
    out.retain(|n| n != "self" && n != "super");
    out
}

fn ranks() -> BTreeMap<&'static str, (usize, &'static str)> {
    let mut r = BTreeMap::new();
    for (layer, modules) in LAYERS {
        for m in *modules {
            assert!(r.insert(*m, (r.len(), *layer)).is_none(), "{m} listed twice");
        }
    }
    r
}

#[test]
fn every_library_module_has_its_place_in_a_layer() {
    let ranks = ranks();
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let declared: BTreeSet<&str> =
        lib.lines().filter_map(|l| l.trim().strip_prefix("pub mod ").and_then(|m| m.strip_suffix(';'))).collect();
    let placed: BTreeSet<&str> = ranks.keys().copied().collect();
    assert_eq!(declared, placed, "lib.rs's modules and the layers of this test");
}

#[test]
fn imports_point_down() {
    let ranks = ranks();
    let mut upward = Vec::new();
    for (rel, text) in library_files() {
        let me = top_module(&rel);
        if me == "lib" {
            continue;
        }
        let (mine, my_layer) = ranks[me];
        for other in crate_imports(&code(&text)) {
            let Some(&(theirs, their_layer)) = ranks.get(other.as_str()) else {
                panic!("src/{rel}: `crate::{other}` is no module of lib.rs");
            };
            if other != me && theirs > mine {
                upward.push(format!("src/{rel} ({my_layer}) imports {other} ({their_layer})"));
            }
        }
    }
    assert!(upward.is_empty(), "imports that point up:\n{}", upward.join("\n"));
}

/// Within a folder, the parts (the files beside `mod.rs`, which declares
/// them and holds what they share) do not import each other in a circle.
#[test]
fn no_circle_between_the_files_of_a_folder() {
    let files = library_files();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in &files {
        let Some((dir, file)) = rel.rsplit_once('/') else { continue };
        let me = file.trim_end_matches(".rs").to_string();
        let siblings: BTreeSet<String> = files
            .iter()
            .filter_map(|(p, _)| p.strip_prefix(&format!("{dir}/")))
            .filter(|f| !f.contains('/'))
            .map(|f| f.trim_end_matches(".rs").to_string())
            .collect();
        let body = code(text).join("\n");
        let mut to = BTreeSet::new();
        for s in &siblings {
            if *s == me || s == "mod" || me == "mod" {
                continue;
            }
            let named = |prefix: &str| {
                body.contains(&format!("{prefix}{s}::"))
                    || body.contains(&format!("{prefix}{s},"))
                    || body.contains(&format!("{prefix}{s}}}"))
            };
            if named("super::") || named(&format!("crate::{}::", dir.replace('/', "::"))) {
                to.insert(format!("{dir}/{s}"));
            }
        }
        edges.insert(format!("{dir}/{me}"), to);
    }
    // a circle is a path back to where it started
    fn reaches(
        edges: &BTreeMap<String, BTreeSet<String>>,
        from: &str,
        goal: &str,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in edges.get(from).into_iter().flatten() {
            if next == goal || (seen.insert(next.clone()) && reaches(edges, next, goal, seen)) {
                return true;
            }
        }
        false
    }
    let circles: Vec<&String> = edges.keys().filter(|f| reaches(&edges, f, f, &mut BTreeSet::new())).collect();
    assert!(circles.is_empty(), "files in a circle of imports: {circles:?}\n{edges:#?}");
}

#[test]
fn the_library_has_no_command_line() {
    for (rel, text) in library_files() {
        let body = code(&text).join("\n");
        for cli in ["anyhow", "clap::", "std::process::exit", "EXIT_"] {
            assert!(!body.contains(cli), "src/{rel} uses {cli}: that is the binary's (src/main.rs, src/cmd/)");
        }
    }
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    assert!(!lib.contains("mod cmd"), "lib.rs exports no commands");
}

/// Lines of each top-level function body (and method), by name.
fn functions(lines: &[&str]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        let t = t.strip_prefix("pub(crate) ").or_else(|| t.strip_prefix("pub(super) ")).unwrap_or(t);
        let t = t.strip_prefix("pub ").unwrap_or(t);
        let t = t.strip_prefix("const ").unwrap_or(t);
        let Some(sig) = t.strip_prefix("fn ") else { continue };
        let name: String = sig.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let (mut depth, mut opened) = (0i64, false);
        for (j, body) in lines[i..].iter().enumerate() {
            let stripped = strip_literals(body);
            depth += stripped.matches('{').count() as i64 - stripped.matches('}').count() as i64;
            opened |= stripped.contains('{');
            if !opened && stripped.trim_end().ends_with(';') {
                break; // a declaration without a body
            }
            if opened && depth <= 0 {
                out.push((name.clone(), j + 1));
                break;
            }
        }
    }
    out
}

/// A line without its string and char literals and its trailing comment.
fn strip_literals(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(d) = chars.next() {
                    if d == '\\' {
                        chars.next();
                    } else if d == '"' {
                        break;
                    }
                }
            }
            '\'' => {
                // a char literal ('x', '\n', '{'), not a lifetime ('a)
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with('\\') || rest.chars().nth(1) == Some('\'') {
                    for d in chars.by_ref() {
                        if d == '\'' {
                            break;
                        }
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => break,
            _ => out.push(c),
        }
    }
    out
}

#[test]
fn no_function_over_100_lines_and_no_file_over_600_lines_of_code() {
    let mut over = Vec::new();
    for (rel, text) in library_files().into_iter().chain(binary_files()) {
        let lines = code(&text);
        let loc = lines.iter().filter(|l| !l.trim().is_empty()).count();
        if loc > 600 {
            over.push(format!("src/{rel}: {loc} lines of code"));
        }
        for (name, n) in functions(&lines) {
            let allowed = LONG_FUNCTIONS_ALLOWED.iter().any(|(f, g)| *f == format!("src/{rel}") && *g == name);
            if n > 100 && !allowed {
                over.push(format!("src/{rel}: fn {name} has {n} lines"));
            }
        }
    }
    assert!(over.is_empty(), "too long:\n{}", over.join("\n"));
}

fn binary_files() -> Vec<(String, String)> {
    let mut out = vec![("main.rs".to_string(), std::fs::read_to_string(src().join("main.rs")).unwrap())];
    for e in std::fs::read_dir(src().join("cmd")).unwrap() {
        let p = e.unwrap().path();
        out.push((format!("cmd/{}", p.file_name().unwrap().to_string_lossy()), std::fs::read_to_string(&p).unwrap()));
    }
    out
}

#[test]
fn the_checks_of_this_file_see_what_they_look_for() {
    let imports = crate_imports(&["use crate::{ledger::Ledger, rules};", "let x = crate::edtf::parse(s);"]);
    assert_eq!(imports.into_iter().collect::<Vec<_>>(), ["edtf", "ledger", "rules"]);
    let lines = ["fn a() {", "    let s = \"}\";", "    if x { y }", "}", "fn b();"];
    assert_eq!(functions(&lines), [("a".to_string(), 4)]);
    assert_eq!(code("a\n// c\nb\n#[cfg(test)]\nmod tests {\nx\n}"), ["a", "b"]);
    assert_eq!(strip_literals("let c = '{'; // {"), "let c = ; ");
}
