//! `dyadflow synth` through the real binary: the same seed gives the same
//! bytes, a clean corpus passes `validate` with no problem, a broken one is
//! rejected row by row under several rules and every raw row is accounted for.

mod common;

use common::Work;
use std::collections::BTreeSet;
use std::path::Path;

fn empty_work() -> Work {
    Work { dir: tempfile::tempdir().unwrap() }
}

fn synth(w: &Work, out: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["synth", "--out", out, "--json"];
    args.extend_from_slice(extra);
    let r = w.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(r.stdout.trim()).unwrap()
}

/// relative path -> content of every file under a directory, sorted.
fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push((p.strip_prefix(root).unwrap().display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// Runs `validate --log-format json`: (exit code, summary object, rules named by problems).
fn validate(w: &Work, raw: &str) -> (i32, serde_json::Value, BTreeSet<String>) {
    let r = w.run(&["validate", "--raw", raw, "--log-format", "json"]);
    let mut summary = serde_json::Value::Null;
    let mut rules = BTreeSet::new();
    for line in r.stderr.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        match v["type"].as_str() {
            Some("summary") => summary = v,
            Some("problem") => {
                rules.insert(v["rule"].as_str().unwrap().to_string());
            }
            _ => {}
        }
    }
    (r.code, summary, rules)
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let w = empty_work();
    let args = ["--articles", "25", "--batch-articles", "7", "--events-per-article", "20"];
    let a = synth(&w, "a", &[&args[..], &["--seed", "42"]].concat());
    let b = synth(&w, "b", &[&args[..], &["--seed", "42"]].concat());
    let c = synth(&w, "c", &[&args[..], &["--seed", "43"]].concat());
    assert_eq!(a, b);
    assert_eq!(c["events"], 500);
    let (ta, tb, tc) = (tree(&w.path("a")), tree(&w.path("b")), tree(&w.path("c")));
    assert!(ta == tb, "same seed, different files");
    assert!(ta != tc, "another seed gave the same files");
    let names: Vec<&str> = ta.iter().map(|(n, _)| n.as_str()).collect();
    for f in ["actors.csv", "articles.csv", "events/00000.csv", "events/00003.csv", "mentions/00003.csv"] {
        assert!(names.contains(&f), "{f} missing: {names:?}");
    }
    assert!(!names.contains(&"events/00004.csv"));
    assert_eq!(names.iter().filter(|n| n.starts_with("texts/")).count(), 25);
    let bytes: u64 = ta.iter().map(|(_, c)| c.len() as u64).sum();
    assert_eq!(a["bytes"].as_u64(), Some(bytes));
    assert_eq!(a["files"].as_u64(), Some(ta.len() as u64));
}

#[test]
fn refuses_a_directory_that_is_not_empty() {
    let w = empty_work();
    w.write("out/keep.txt", "mine");
    let r = w.run(&["synth", "--out", "out", "--articles", "2"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not empty"), "{}", r.stderr);
    assert_eq!(w.read("out/keep.txt"), "mine");
    // an empty directory is fine
    std::fs::create_dir(w.path("empty")).unwrap();
    let r = w.run(&["synth", "--out", "empty", "--articles", "2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("synth: 2 articles,"), "{}", r.stdout);
}

#[test]
fn a_clean_corpus_validates_without_problems_and_with_the_expected_counts() {
    let w = empty_work();
    let s = synth(&w, "raw", &["--articles", "60", "--seed", "5", "--batch-articles", "25"]);
    assert_eq!(s["articles"], 60);
    assert_eq!(s["events"], 3000);
    assert_eq!(s["broken_rows"], 0);
    let mentions = s["mentions"].as_u64().unwrap();
    assert!((5000..7000).contains(&mentions), "about two mentions per event: {mentions}");
    let actors = s["actors"].as_u64().unwrap();
    assert!((300..5000).contains(&actors), "{actors}");
    let (code, summary, rules) = validate(&w, "raw");
    assert_eq!(code, 0, "{summary}\n{rules:?}");
    assert!(rules.is_empty(), "{rules:?}");
    assert_eq!(summary["errors"], 0);
    assert_eq!(summary["warnings"], 0);
    let t = &summary["tables"];
    for (table, n) in [("articles", 60), ("events", 3000), ("mentions", mentions), ("actors", actors)] {
        assert_eq!(t[table]["read"].as_u64(), Some(n), "{table}: {t}");
        assert_eq!(t[table]["published"].as_u64(), Some(n), "{table}: {t}");
    }
}

#[test]
fn a_corpus_of_fifty_thousand_events_validates() {
    let w = empty_work();
    let s = synth(&w, "raw", &["--articles", "1000", "--seed", "11", "--batch-articles", "400"]);
    assert_eq!(s["events"], 50_000);
    let (code, summary, rules) = validate(&w, "raw");
    assert_eq!(code, 0, "{summary}\n{rules:?}");
    assert_eq!((summary["errors"].as_u64(), summary["warnings"].as_u64()), (Some(0), Some(0)), "{rules:?}");
    assert_eq!(summary["tables"]["events"]["published"], 50_000);
}

#[test]
fn a_broken_corpus_is_rejected_under_many_rules_and_every_row_is_accounted_for() {
    let w = empty_work();
    let s = synth(&w, "raw", &["--articles", "60", "--seed", "9", "--broken-share", "0.05"]);
    assert!(s["broken_rows"].as_u64().unwrap() > 100, "{s}");
    let (code, summary, rules) = validate(&w, "raw");
    assert_eq!(code, 1, "{summary}");
    for rule in [
        "unknown-actor",
        "unknown-code",
        "impossible-date",
        "reversed-interval",
        "evidence-not-found",
        "duplicate-key",
        "invalid-enum",
        "invalid-number",
        "field-count",
        "mention-not-found",
        "mention-offset",
        "unknown-article",
    ] {
        assert!(rules.contains(rule), "no `{rule}` among {rules:?}");
    }
    // with every rejected row allowed, the run publishes the rest and the
    // counts reconcile table by table
    w.write("allow.toml", "[rejects]\nmax_share = 1.0\n");
    let r = w.run(&["run", "--raw", "raw", "--out", "out", "--config", "allow.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = common::manifest(&w.path("out.run.json"));
    let tables = &report["tables"];
    for table in ["articles", "actors", "events", "mentions"] {
        let t = &tables[table];
        let (read, published, rejected) =
            (t["read"].as_u64().unwrap(), t["published"].as_u64().unwrap(), t["rejected"].as_u64().unwrap());
        assert_eq!(read, published + rejected, "{table}: {t}");
        assert!(rejected > 0, "{table}: nothing rejected: {t}");
    }
    assert_eq!(tables["events"]["read"], 3000);
    assert_eq!(tables["mentions"]["read"], s["mentions"]);
}
