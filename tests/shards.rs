//! Split runs: `run --shard K/N` on every shard, then `merge`, publish the
//! set a single `run` publishes, byte for byte (every table; the run record
//! less its command, times and directories), for N = 1, 2, 3 and 7, on raw/,
//! on a generated corpus of 50 000 events, and on one with broken rows. Merge
//! refuses shard sets that do not make one corpus, and publishes nothing then.

mod common;

use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The tables of the current set and its run record, less what differs
/// between a run and a merge of the same corpus by construction.
fn published(out: &Path) -> (Vec<(String, String)>, serde_json::Value) {
    let set = std::fs::canonicalize(out.join("current")).unwrap();
    let tables: Vec<_> = snapshot(&set).into_iter().filter(|(n, _)| n.ends_with(".parquet")).collect();
    assert_eq!(tables.len(), 7, "{tables:?}");
    let mut m = manifest(&set.join("manifest.json"));
    let o = m.as_object_mut().unwrap();
    for k in ["started_at", "finished_at", "durations_ms", "out_dir", "command", "notices"] {
        o.remove(k);
    }
    (tables, m)
}

/// Runs every shard of N and merges them into `<name>-merged`; returns the
/// merged output's directory.
fn split_run(w: &Work, raw: &str, n: u32, extra: &[&str], name: &str) -> std::path::PathBuf {
    let mut sets = Vec::new();
    // shards in a scrambled order: nothing may depend on it
    let mut order: Vec<u32> = (0..n).collect();
    order.reverse();
    for k in order {
        let dir = format!("{name}-shard{k}");
        let shard = format!("{k}/{n}");
        let mut args = vec!["run", "--raw", raw, "--out", &dir, "--shard", &shard];
        args.extend_from_slice(extra);
        let r = w.run(&args);
        assert_eq!(r.code, 0, "shard {shard}: {}", r.stderr);
        assert!(w.path(&dir).join("shard.json").is_file());
        sets.push(dir);
    }
    let out = format!("{name}-merged");
    let mut args = vec!["merge"];
    args.extend(sets.iter().map(String::as_str));
    args.extend(["--out", &out]);
    let r = w.run(&args);
    assert_eq!(r.code, 0, "merge of {n}: {}", r.stderr);
    w.path(&out)
}

fn single(w: &Work, raw: &str, extra: &[&str]) -> (Vec<(String, String)>, serde_json::Value) {
    let mut args = vec!["run", "--raw", raw, "--out", "single"];
    args.extend_from_slice(extra);
    let r = w.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    published(&w.path("single"))
}

fn assert_merged_equals_single(w: &Work, raw: &str, extra: &[&str]) -> serde_json::Value {
    let one = single(w, raw, extra);
    for n in [1, 2, 3, 7] {
        let merged = published(&split_run(w, raw, n, extra, &format!("n{n}")));
        for ((name, a), (_, b)) in one.0.iter().zip(&merged.0) {
            assert_eq!(a, b, "N = {n}: {name} differs from the single run's");
        }
        assert_eq!(merged.0, one.0, "N = {n}: the same files");
        assert_eq!(merged.1, one.1, "N = {n}: the run record differs from the single run's");
    }
    one.1
}

fn synth(w: &Work, out: &str, articles: &str, extra: &[&str]) {
    let mut args = vec!["synth", "--out", out, "--articles", articles, "--seed", "11"];
    args.extend_from_slice(extra);
    let r = w.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn merged_equals_single_on_the_seed_corpus() {
    let w = Work::new("mini");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("raw"), &w.path("seed"));
    let m = assert_merged_equals_single(&w, "seed", &[]);
    assert_eq!(m["tables"]["events"]["published"], 90);
    // one article: with N = 7 six shards own nothing and still merge
    let empty = manifest(&w.path("n7-shard1/shard.json"));
    let owned: u64 =
        (0..7).map(|k| manifest(&w.path(&format!("n7-shard{k}/shard.json")))["normalized"][2].as_u64().unwrap()).sum();
    assert_eq!(owned, 90);
    assert_eq!(empty["shard"]["count"], 7);
}

#[test]
fn merged_equals_single_on_a_generated_corpus_of_50k_events() {
    let w = Work::new("mini");
    synth(&w, "big", "1000", &[]);
    let m = assert_merged_equals_single(&w, "big", &[]);
    assert!(m["tables"]["events"]["published"].as_u64().unwrap() >= 50_000);
    // incidents reported by articles of different shards were counted once:
    // the events of one incident_id live in several shards of 7
    let events = w.path("single/events.parquet");
    let (articles, incidents) = (strings(&events, "article_id"), strings(&events, "incident_id"));
    let mut shards_of: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    for (a, i) in articles.iter().zip(&incidents) {
        shards_of.entry(i.clone().unwrap()).or_default().insert(dyadflow::shard::owner(a.as_deref().unwrap(), 7));
    }
    let across = shards_of.values().filter(|s| s.len() > 1).count();
    assert!(across > 100, "only {across} incidents span shards");
    // every shard did part of the work
    for k in 0..7 {
        let s = manifest(&w.path(&format!("n7-shard{k}/shard.json")));
        assert!(s["normalized"][2].as_u64().unwrap() > 1_000, "shard {k}: {}", s["normalized"]);
        assert_eq!(s["run_id"], m["run_id"]);
    }
}

#[test]
fn merged_equals_single_with_broken_rows_and_no_row_is_lost() {
    let w = Work::new("mini");
    synth(&w, "broken", "200", &["--broken-share", "0.03"]);
    w.write("q.toml", "[rejects]\nmax_share = 1.0\n");
    let m = assert_merged_equals_single(&w, "broken", &["--config", "q.toml"]);
    let mut rejected = 0;
    for (t, c) in m["tables"].as_object().unwrap() {
        let (read, published, r) =
            (c["read"].as_u64().unwrap(), c["published"].as_u64().unwrap(), c["rejected"].as_u64().unwrap());
        assert_eq!(read, published + r, "{t}");
        rejected += r;
    }
    let rejects = w.path("n3-merged/rejects.parquet");
    assert_eq!(rows(&rejects) as u64, rejected);
    let rules: BTreeSet<String> = strings(&rejects, "rule").into_iter().flatten().collect();
    assert!(rules.len() >= 6, "{rules:?}");
    // a reference to an unknown article is hinted from every article of the
    // corpus, not only from those of its shard
    assert!(rules.contains("unknown-article"), "{rules:?}");
}

#[test]
fn the_same_corpus_with_rows_over_the_limit_fails_the_merge_and_publishes_nothing() {
    let w = Work::new("mini");
    synth(&w, "broken", "20", &["--broken-share", "0.05"]);
    let r = w.run(&["run", "--raw", "broken", "--out", "single"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for k in 0..2 {
        let r = w.run(&["run", "--raw", "broken", "--out", &format!("s{k}"), "--shard", &format!("{k}/2")]);
        assert_eq!(r.code, 0, "a shard does not decide: {}", r.stderr);
    }
    let r = w.run(&["merge", "s0", "s1", "--out", "merged"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!w.path("merged/current").exists());
    let a = manifest(&w.path("single.run.json"));
    let b = manifest(&w.path("merged.run.json"));
    assert_eq!(a["failure_reasons"], b["failure_reasons"]);
    assert_eq!(a["problems"], b["problems"]);
}

#[test]
fn merge_refuses_shard_sets_that_do_not_make_one_corpus() {
    let w = Work::new("mini");
    synth(&w, "a", "12", &[]);
    synth(&w, "b", "13", &[]);
    for k in 0..3 {
        for raw in ["a", "b"] {
            let r = w.run(&["run", "--raw", raw, "--out", &format!("{raw}{k}"), "--shard", &format!("{k}/3")]);
            assert_eq!(r.code, 0, "{}", r.stderr);
        }
    }
    let r = w.run(&["run", "--raw", "a", "--out", "a0of2", "--shard", "0/2"]);
    assert_eq!(r.code, 0);
    let refused = |sets: &[&str], says: &[&str]| {
        let mut args = vec!["merge"];
        args.extend_from_slice(sets);
        args.extend(["--out", "merged"]);
        let r = w.run(&args);
        assert_eq!(r.code, 2, "{sets:?}: {}", r.stderr);
        for s in says {
            assert!(r.stderr.contains(s), "{sets:?}: {s:?} not in {}", r.stderr);
        }
        assert!(!w.path("merged/current").exists(), "{sets:?}: nothing published");
    };
    refused(&["a0", "a1"], &["shard(s) 2/3 missing", "`dyadflow run --raw a --shard 2/3 --out DIR2`"]);
    refused(&["a0", "a1", "a2", "a1"], &["shard 1/3 is given twice"]);
    refused(&["a0", "a1", "b2"], &["b2", "inputs (raw files and their SHA-256) differ", "merge shards of one run"]);
    refused(&["a0", "a1", "a0of2"], &["a0of2", "shard 0/2", "the same N"]);
    refused(&["a0", "a1", "nowhere"], &["nowhere", "no such directory"]);
    // a set whose run did not finish, and one changed after it was written
    std::fs::remove_file(w.path("a2/shard.json")).unwrap();
    refused(
        &["a0", "a1", "a2"],
        &["a2", "has no shard.json", "run `dyadflow run --raw RAW --shard K/N --out a2` for this shard again"],
    );
    let mut state = std::fs::read(w.path("a1/state.bin")).unwrap();
    state[0] ^= 1;
    std::fs::write(w.path("a1/state.bin"), state).unwrap();
    refused(&["a0", "a1", "b2"], &["a1", "state.bin is not the file its manifest lists"]);
    // the sets that make one corpus merge
    let r = w.run(&["run", "--raw", "a", "--out", "a2", "--shard", "2/3"]);
    assert_eq!(r.code, 0);
    let r = w.run(&["run", "--raw", "a", "--out", "a1", "--shard", "1/3"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = w.run(&["merge", "a2", "a0", "a1", "--out", "merged"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(w.path("merged/current/events.parquet").is_file());
    // merged again: up to date, nothing rewritten
    let r = w.run(&["merge", "a2", "a0", "a1", "--out", "merged"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("up to date"), "{}", r.stderr);
}

#[test]
fn a_shard_run_again_on_the_same_inputs_is_up_to_date() {
    let w = Work::new("mini");
    let r = w.run(&["run", "--raw", "raw", "--out", "s", "--shard", "0/2", "--log-format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let line: serde_json::Value = serde_json::from_str(r.stderr.lines().last().unwrap()).unwrap();
    assert_eq!(line["type"], "shard");
    assert_eq!(line["status"], "written");
    assert_eq!(line["shard"], "0/2");
    let before = snapshot(&w.path("s"));
    let r = w.run(&["run", "--raw", "raw", "--out", "s", "--shard", "0/2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("up to date"), "{}", r.stderr);
    assert_eq!(snapshot(&w.path("s")), before);
    // another shard of the same directory is a different set: rewritten
    let r = w.run(&["run", "--raw", "raw", "--out", "s", "--shard", "1/2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(manifest(&w.path("s/shard.json"))["shard"]["index"], 1);
    // bad shard specs are usage errors
    for bad in ["2/2", "x", "1/0"] {
        let r = w.run(&["run", "--raw", "raw", "--out", "s", "--shard", bad]);
        assert_eq!(r.code, 2, "{bad}: {}", r.stderr);
    }
}
