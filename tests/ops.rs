//! The annotators' and operators' commands, run as the real binary in fresh
//! temporary directories: `init`, `explain`, `validate --format github|sarif`
//! and `run --lineage`.

mod common;

use common::Work;
use dyadflow::rules::Rule;
use serde_json::Value;

/// A fresh temporary directory with a corpus made by `dyadflow init` in `raw/`.
fn init_corpus() -> Work {
    let w = Work { dir: tempfile::tempdir().unwrap() };
    let r = w.run(&["init", "raw"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    w
}

fn json_lines(s: &str) -> Vec<Value> {
    s.lines().filter(|l| l.starts_with('{')).map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn init_then_validate_exits_zero_even_strict() {
    let w = init_corpus();
    for f in ["articles.csv", "actors.csv", "events.csv", "mentions.csv", "texts/example-1.txt", "README.md"] {
        assert!(w.path("raw").join(f).is_file(), "{f} missing");
    }
    assert!(w.read("raw/README.md").contains("dyadflow explain"));
    let r = w.run(&["validate", "--raw", "raw", "--strict", "--log-format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let summary = json_lines(&r.stderr).into_iter().find(|v| v["type"] == "summary").unwrap();
    assert_eq!(summary["errors"], 0);
    assert_eq!(summary["warnings"], 0);
    assert_eq!(summary["tables"]["events"]["published"], 3);
    assert_eq!(summary["tables"]["mentions"]["published"], 3);
    assert_eq!(summary["tables"]["actors"]["published"], 3);
    // and it runs: the example is published
    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(common::rows(&w.path("out/events.parquet")), 3);
}

#[test]
fn init_refuses_a_directory_that_is_not_empty() {
    let w = init_corpus();
    let before = common::snapshot(&w.path("raw"));
    let r = w.run(&["init", "raw"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is not empty"), "{}", r.stderr);
    assert_eq!(common::snapshot(&w.path("raw")), before);
    // an existing empty directory is fine
    std::fs::create_dir(w.path("empty")).unwrap();
    assert_eq!(w.run(&["init", "empty"]).code, 0);
}

#[test]
fn explain_exists_for_every_rule_of_the_catalogue() {
    let w = Work { dir: tempfile::tempdir().unwrap() };
    for rule in Rule::ALL {
        let r = w.run(&["explain", rule.id()]);
        assert_eq!(r.code, 0, "{}: {}", rule.id(), r.stderr);
        let ex = rule.explanation();
        assert!(r.stdout.starts_with(&format!("{}\n", rule.id())), "{}", r.stdout);
        assert!(r.stdout.contains(&format!("meaning:  {}", rule.description())), "{}", r.stdout);
        assert!(r.stdout.contains(&format!("severity: {}", rule.default_severity())), "{}", r.stdout);
        assert!(r.stdout.contains(&format!("stage:    {}", rule.stage())), "{}", r.stdout);
        assert!(r.stdout.contains(&format!("fix: {}", ex.fix)), "{}", r.stdout);
        assert!(ex.fix.len() > 20 && ex.example.len() > 10, "{}: explanation too short", rule.id());
        match rule.example_file() {
            Some((file, content, _)) => {
                assert!(r.stdout.contains(file));
                for l in content.lines() {
                    assert!(r.stdout.contains(l), "{}: example line {l:?} not printed", rule.id());
                }
            }
            None => assert!(r.stdout.contains(ex.example)),
        }
    }
    // the list names every rule once
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout.lines().count(), Rule::ALL.len() + 1, "a header and a line per rule");
    assert!(r.stdout.starts_with("RULE "), "{}", r.stdout);
    for rule in Rule::ALL {
        assert!(r.stdout.lines().any(|l| l.split_whitespace().next() == Some(rule.id())));
    }
    let r = w.run(&["explain", "unknwn-actor"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean `unknown-actor`"), "{}", r.stderr);
}

/// Every example given as rows of the init corpus fails with its own rule, on
/// its last row, when written into a fresh corpus.
#[test]
fn explain_examples_fail_with_their_rule() {
    let examples: Vec<_> = Rule::ALL.iter().filter_map(|r| r.example_file().map(|e| (*r, e))).collect();
    assert!(examples.len() >= 34, "only {} examples are rows", examples.len());
    // two at a time: each is a fresh corpus and a run of the binary
    let failures: Vec<String> = std::thread::scope(|s| {
        let halves = examples.chunks(examples.len().div_ceil(2)).map(|chunk| {
            s.spawn(move || {
                chunk
                    .iter()
                    .filter_map(|(rule, (file, content, line))| check_example(*rule, file, content, *line))
                    .collect::<Vec<_>>()
            })
        });
        halves.collect::<Vec<_>>().into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(failures.is_empty(), "examples that do not fail with their rule:\n{}", failures.join("\n"));
}

/// Writes an example into a fresh init corpus and validates it: `None` when
/// the rule is reported on the example's line with the exit code of its
/// severity, else what happened.
fn check_example(rule: Rule, file: &str, content: &str, line: u64) -> Option<String> {
    let w = init_corpus();
    w.write(&format!("raw/{file}"), content);
    let r = w.run(&["validate", "--raw", "raw", "--log-format", "json", "--max-problems", "1000"]);
    let problems: Vec<Value> = json_lines(&r.stderr).into_iter().filter(|v| v["type"] == "problem").collect();
    let found = problems.iter().any(|p| {
        p["rule"] == rule.id() && p["file"].as_str().unwrap().ends_with(file) && (line == 0 || p["line"] == line)
    });
    let error = rule.default_severity() == dyadflow::rules::Severity::Error;
    (!found || r.code != if error { 1 } else { 0 })
        .then(|| format!("{} (line {line}, exit {}): {problems:?}", rule.id(), r.code))
}
