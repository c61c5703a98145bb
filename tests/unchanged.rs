//! What users get does not change when the code inside does: the seven
//! tables, `overview.html`, the run record (less its times and paths), the
//! run report of a failed run, what `validate` prints, and every command's
//! usage text, each pinned by its SHA-256 in `tests/fixtures/unchanged.tsv`.
//!
//! The hashes were recorded from the binary of an earlier commit (named in the
//! file's first line), on `raw/`, on a generated corpus of 50 000 events, on
//! one with broken rows (published with a lenient configuration, and failed
//! with the default one) and on that 50 000-event corpus run as three shards
//! and merged. The generator is deterministic, so the same corpora come back
//! on every machine.
//!
//! A change that is meant to change an output records the new hashes with
//! `DYADFLOW_RECORD_UNCHANGED=1 cargo test --test unchanged`, and says so in
//! its commit and in `SCHEMA_CHANGELOG.md` where a table changed.

mod common;

use common::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

const RECORD: &str = "tests/fixtures/unchanged.tsv";

/// Case and file -> SHA-256 of the normalized bytes.
type Hashes = BTreeMap<(String, String), String>;

fn sha(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The text with the work directory's path written as `<work>` and every
/// RFC 3339 timestamp as `<time>`.
fn neutral(text: &str, w: &Work) -> String {
    let mut s = text.to_string();
    for p in [std::fs::canonicalize(w.dir.path()).unwrap(), w.dir.path().to_path_buf()] {
        s = s.replace(&p.display().to_string(), "<work>");
    }
    mask_times(&s)
}

/// `2026-12-03T08:04:44.123Z` (or without the fraction) -> `<time>`.
fn mask_times(s: &str) -> String {
    let b = s.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd";
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        let fits = i + shape.len() <= b.len()
            && shape.iter().zip(&b[i..]).all(|(k, c)| if *k == b'd' { c.is_ascii_digit() } else { k == c });
        if fits {
            let mut j = i + shape.len();
            if j < b.len() && b[j] == b'.' {
                j += 1;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
            }
            if j < b.len() && b[j] == b'Z' {
                j += 1;
            } else if j + 6 <= b.len() && (b[j] == b'+' || b[j] == b'-') && b[j + 3] == b':' {
                j += 6;
            }
            out.push_str("<time>");
            i = j;
        } else {
            let ch = s[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// A run record without what differs between two runs of the same inputs:
/// times, durations and where the output went.
fn record(path: &Path, w: &Work) -> String {
    let mut m = manifest(path);
    let o = m.as_object_mut().unwrap();
    for k in ["started_at", "finished_at", "durations_ms"] {
        o.remove(k);
    }
    neutral(&serde_json::to_string_pretty(&m).unwrap(), w)
}

/// The published set of `out`: each table's bytes, the page (less times and
/// paths) and the run record.
fn published(h: &mut Hashes, case: &str, w: &Work, out: &str) {
    let set = std::fs::canonicalize(w.path(out).join("current")).unwrap();
    let mut tables = 0;
    for (name, digest) in snapshot(&set) {
        if name.ends_with(".parquet") {
            tables += 1;
            h.insert((case.into(), name), digest);
        }
    }
    assert_eq!(tables, 7, "{case}: the seven tables");
    let page = std::fs::read_to_string(set.join("overview.html")).unwrap();
    h.insert((case.into(), "overview.html".into()), sha(neutral(&page, w).as_bytes()));
    h.insert((case.into(), "manifest.json".into()), sha(record(&set.join("manifest.json"), w).as_bytes()));
}

/// What a command printed, both streams, less times, rates and paths.
fn said(h: &mut Hashes, case: &str, what: &str, r: &Run, w: &Work) {
    let timeless = |text: &str| -> String {
        // a stage's progress lines while it runs come every so often: its
        // last line (done) alone is kept
        let running = |l: &&str| l.contains(r#""type":"progress""#) && l.contains(r#""done":false"#);
        let lines = text.lines().filter(|l| !running(l)).map(|l| match serde_json::from_str::<serde_json::Value>(l) {
            Ok(mut v) if v["type"] == "progress" => {
                let o = v.as_object_mut().unwrap();
                o.remove("elapsed_ms");
                o.remove("rows_per_s");
                v.to_string()
            }
            _ => l.to_string(),
        });
        lines.collect::<Vec<_>>().join("\n")
    };
    h.insert((case.into(), format!("{what}.stdout")), sha(neutral(&timeless(&r.stdout), w).as_bytes()));
    h.insert((case.into(), format!("{what}.stderr")), sha(neutral(&timeless(&r.stderr), w).as_bytes()));
}

fn ok(r: &Run, what: &str) {
    assert_eq!(r.code, 0, "{what}: {}", r.stderr);
}

fn current() -> Hashes {
    let mut h = Hashes::new();
    let w = Work::new("mini");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("raw"), &w.path("seed"));

    // the seed corpus
    let r = w.run(&["run", "--raw", "seed", "--out", "seed-out"]);
    ok(&r, "seed");
    said(&mut h, "seed", "run", &r, &w);
    published(&mut h, "seed", &w, "seed-out");
    let v = w.run(&["validate", "--raw", "seed", "--strict"]);
    ok(&v, "validate seed");
    said(&mut h, "seed", "validate", &v, &w);

    // 50 000 events, whole and as three shards merged
    ok(&w.run(&["synth", "--out", "big", "--articles", "1000", "--seed", "7"]), "synth big");
    ok(&w.run(&["run", "--raw", "big", "--out", "big-out"]), "big");
    published(&mut h, "big", &w, "big-out");
    let m = manifest(&w.path("big-out/current/manifest.json"));
    assert!(m["tables"]["events"]["published"].as_u64().unwrap() >= 50_000, "{}", m["tables"]);
    let mut shards = Vec::new();
    for k in 0..3 {
        let dir = format!("shard{k}");
        ok(&w.run(&["run", "--raw", "big", "--out", &dir, "--shard", &format!("{k}/3")]), &dir);
        shards.push(dir);
    }
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(String::as_str));
    args.extend(["--out", "merged"]);
    ok(&w.run(&args), "merge");
    published(&mut h, "merged", &w, "merged");

    // broken rows: published with a lenient configuration; failed, with its
    // report and what validate says, with the default one
    ok(&w.run(&["synth", "--out", "broken", "--articles", "300", "--seed", "7", "--broken-share", "0.02"]), "synth");
    w.write("lenient.toml", "[rejects]\nmax_share = 1.0\n");
    ok(&w.run(&["run", "--raw", "broken", "--out", "broken-out", "--config", "lenient.toml"]), "broken");
    published(&mut h, "broken", &w, "broken-out");
    let failed = w.run(&["run", "--raw", "broken", "--out", "failed-out", "--report", "failed.json"]);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    assert!(!w.path("failed-out/current").exists(), "a failed run publishes nothing");
    said(&mut h, "failed", "run", &failed, &w);
    let json = w.run(&["run", "--raw", "broken", "--out", "failed-out", "--log-format", "json"]);
    assert_eq!(json.code, 1, "{}", json.stderr);
    said(&mut h, "failed", "run-json", &json, &w);
    h.insert(("failed".into(), "report.json".into()), sha(record(&w.path("failed.json"), &w).as_bytes()));
    let v = w.run(&["validate", "--raw", "broken", "--max-problems", "1000000"]);
    assert_eq!(v.code, 1, "{}", v.stderr);
    said(&mut h, "failed", "validate", &v, &w);

    // every command's usage text: its flags, defaults and words
    for cmd in ["", "run", "merge", "validate", "schema", "synth", "bi", "overview", "explain", "init", "agree"] {
        let mut args: Vec<&str> = cmd.split_whitespace().collect();
        args.push("--help");
        let r = w.run(&args);
        ok(&r, cmd);
        h.insert(
            ("help".into(), if cmd.is_empty() { "dyadflow".into() } else { cmd.into() }),
            sha(r.stdout.as_bytes()),
        );
    }
    let r = w.run(&["schema"]);
    ok(&r, "schema");
    h.insert(("schema".into(), "stdout".into()), sha(r.stdout.as_bytes()));
    h
}

fn recorded() -> (String, Hashes) {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(RECORD)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().to_string();
    let h = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "{RECORD}: {l:?}");
            ((f[0].to_string(), f[1].to_string()), f[2].to_string())
        })
        .collect();
    (header, h)
}

#[test]
fn every_output_is_byte_identical_to_the_recorded_one() {
    let now = current();
    if std::env::var_os("DYADFLOW_RECORD_UNCHANGED").is_some() {
        let rev = std::process::Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let mut text =
            format!("# recorded from the binary of commit {rev} (case, file, sha256 of the normalized bytes)\n");
        for ((case, file), digest) in &now {
            text.push_str(&format!("{case}\t{file}\t{digest}\n"));
        }
        std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join(RECORD), text).unwrap();
        return;
    }
    let (header, then) = recorded();
    let differ: Vec<String> = then
        .keys()
        .chain(now.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|k| then.get(*k) != now.get(*k))
        .map(|(case, file)| format!("{case}/{file}"))
        .collect();
    assert!(differ.is_empty(), "outputs differ from those {}: {differ:?}", header.trim_start_matches("# "));
    // the merged set's tables are those of the plain run, byte for byte
    for ((case, file), digest) in &now {
        if case == "merged" && file.ends_with(".parquet") {
            assert_eq!(Some(digest), now.get(&("big".to_string(), file.clone())), "{file}");
        }
    }
}

#[test]
fn times_are_masked_and_nothing_else() {
    assert_eq!(mask_times("at 2026-12-03T08:04:44.123Z, then"), "at <time>, then");
    assert_eq!(mask_times("2026-12-03T08:04:44+01:00"), "<time>");
    assert_eq!(mask_times("date 2025-09-11 and 2026-12-03T08:04"), "date 2025-09-11 and 2026-12-03T08:04");
    assert_eq!(mask_times("é 2026-12-03T08:04:44Z é"), "é <time> é");
}
