//! The README is the user's manual and documents what the program does: its
//! data dictionary is the output of `dyadflow schema`, it lists every rule
//! with its default severity, it opens with the two commands (the main job on
//! `raw/`, the tests) and a table of contents; and every relative link of the
//! README, `docs/*.md` and `raw/*.md` leads to a file that exists (and, for
//! a `#fragment` into a Markdown file, to one of its headings).

use dyadflow::rules::Rule;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn readme_data_dictionary_is_the_schema_output() {
    let dict = dyadflow::catalogue::dictionary();
    assert!(readme().contains(&dict), "README's data dictionary differs from `dyadflow schema`: regenerate it");
}

#[test]
fn readme_lists_every_rule_with_its_severity() {
    let text = readme();
    for r in Rule::ALL {
        let row = format!("| `{}` | {} | {} |", r.id(), r.stage(), r.default_severity());
        assert!(text.contains(&row), "README lacks the row of rule {}: {row}", r.id());
    }
}

#[test]
fn output_readme_names_every_table() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/output/README.md")).unwrap();
    for t in dyadflow::catalogue::TABLES {
        assert!(text.contains(&format!("`{}.parquet`", t.name)), "{}", t.name);
    }
    assert!(text.contains("manifest.json"));
}

/// Lines of Markdown outside fenced code blocks.
fn prose(text: &str) -> Vec<&str> {
    let mut fenced = false;
    text.lines()
        .filter(|l| {
            if l.trim_start().starts_with("```") {
                fenced = !fenced;
                return false;
            }
            !fenced
        })
        .collect()
}

/// The anchors GitHub gives a file's headings: lower case, punctuation
/// dropped but `-` and `_`, spaces as `-`, repeats numbered.
fn anchors(text: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for l in prose(text) {
        let Some(title) = l.strip_prefix('#').map(|t| t.trim_start_matches('#')) else { continue };
        if !title.starts_with(' ') {
            continue;
        }
        let slug: String = title
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let n = seen.iter().filter(|s| **s == slug || s.starts_with(&format!("{slug}-"))).count();
        seen.push(if n == 0 { slug } else { format!("{slug}-{n}") });
    }
    seen
}

/// Every `[text](target)` of a file's prose, with its line.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let mut rest = l;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            out.push((i + 1, after[..end].to_string()));
            rest = &after[end..];
        }
    }
    // links inside code blocks are examples, not links
    let code: Vec<&str> = text.lines().filter(|l| !prose(text).contains(l)).collect();
    out.retain(|(n, _)| !code.contains(&text.lines().nth(n - 1).unwrap_or("")));
    out
}

fn documents() -> Vec<PathBuf> {
    let root = Path::new(ROOT);
    let mut files = vec![root.join("README.md")];
    for dir in ["docs", "raw"] {
        let mut md: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        md.sort();
        files.extend(md);
    }
    files
}

#[test]
fn every_relative_link_of_the_manual_and_the_guides_leads_somewhere() {
    let mut broken = Vec::new();
    let docs = documents();
    assert!(docs.len() >= 6, "README, docs/ and raw/ Markdown files: {docs:?}");
    for doc in &docs {
        let text = std::fs::read_to_string(doc).unwrap();
        for (line, target) in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, fragment) = target.split_once('#').unwrap_or((target.as_str(), ""));
            let path = if file.is_empty() { doc.clone() } else { doc.parent().unwrap().join(file) };
            let at = format!("{}:{line}: {target}", doc.strip_prefix(ROOT).unwrap_or(doc).display());
            if !path.exists() {
                broken.push(format!("{at} (no such file)"));
                continue;
            }
            if !fragment.is_empty() && path.extension().is_some_and(|e| e == "md") {
                let heads = anchors(&std::fs::read_to_string(&path).unwrap());
                if !heads.iter().any(|h| h == fragment) {
                    broken.push(format!("{at} (no such heading)"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn readme_opens_with_the_two_commands_and_a_table_of_contents() {
    let text = readme();
    let contents = text.find("\n## Contents\n").expect("a table of contents");
    let before = &text[..contents];
    assert!(before.contains("run --raw raw --out output"), "the main job on raw/ before the contents");
    // the command is installed once, then written `dyadflow` throughout
    assert!(
        before.contains("```sh\ncargo install --locked --path . && dyadflow run --raw raw --out output\n```"),
        "the main job installs the dyadflow command and runs it"
    );
    let code_lines: Vec<&str> = text.lines().filter(|l| l.trim_start().starts_with("cargo run")).collect();
    assert!(code_lines.is_empty(), "commands written as `cargo run` instead of `dyadflow`: {code_lines:?}");
    assert!(before.contains("```sh\ncargo test\n```"), "the test command before the contents");
    assert!(contents < text.len() / 20, "the contents near the top: at byte {contents} of {}", text.len());
    // the manual's parts, in the order a user needs them, each in the contents
    let toc = &text[contents..contents + text[contents + 1..].find("\n## ").unwrap()];
    let mut last = 0;
    for (part, anchor) in [
        ("## Install", "#install"),
        ("## Quick start", "#quick-start"),
        ("## Configuration", "#configuration"),
        ("## Command line", "#command-line"),
        ("## Data dictionary", "#data-dictionary"),
        ("## The raw format", "#the-raw-format"),
        ("## Running it for real", "#running-it-for-real-schedulers-lineage-and-annotators-checks"),
        ("## Guarantees", "#guarantees"),
    ] {
        let at = text.find(&format!("\n{part}")).unwrap_or_else(|| panic!("{part}"));
        assert!(at > last, "{part} out of order");
        last = at;
        assert!(toc.contains(&format!("]({anchor})")), "the contents lack {part}");
    }
    // internals, benchmarks and history live in docs/, linked from the manual
    for doc in ["docs/architecture.md", "docs/benchmarks.md", "docs/history.md", "docs/annotating.md"] {
        assert!(text.contains(&format!("]({doc})")), "README does not link {doc}");
    }
    for moved in ["## Scale:", "## What a run does", "## Dependencies", "What changed in this session"] {
        assert!(!text.contains(moved), "{moved} is for docs/, not the manual");
    }
}
