//! The published set is a function of the inputs alone: on a generated
//! corpus of 50 000 events, runs with one polars thread, two and the
//! default, whole and in partitions small enough to spill, publish
//! byte-identical tables and the same run record (less its times and output
//! directory). A corpus
//! with broken rows gives the same rejects whatever the partitions, and
//! every raw row is published or rejected.

mod common;

use common::*;
use std::path::Path;

fn synth(w: &Work, out: &str, articles: &str, extra: &[&str]) {
    let mut args = vec!["synth", "--out", out, "--articles", articles, "--seed", "7"];
    args.extend_from_slice(extra);
    let r = w.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// The tables of the current set, by name, and its run record without what
/// may differ between two runs of the same inputs.
fn published(out: &Path) -> (Vec<(String, String)>, serde_json::Value) {
    let set = std::fs::canonicalize(out.join("current")).unwrap();
    let tables = snapshot(&set).into_iter().filter(|(n, _)| n.ends_with(".parquet")).collect();
    let mut m = manifest(&set.join("manifest.json"));
    let o = m.as_object_mut().unwrap();
    for k in ["started_at", "finished_at", "durations_ms", "out_dir"] {
        o.remove(k);
    }
    (tables, m)
}

/// Bytes of events and mentions CSV: what `--batch-mb` cuts into partitions.
fn fact_bytes(m: &serde_json::Value) -> u64 {
    m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| ["events", "mentions"].iter().any(|t| i["path"].as_str().unwrap().starts_with(t)))
        .map(|i| i["bytes"].as_u64().unwrap())
        .sum()
}

#[test]
fn same_inputs_same_bytes_whatever_the_threads_and_the_partitions() {
    let w = Work::new("mini");
    synth(&w, "big", "1000", &[]);
    // one polars thread, two, and the default; whole (one partition of
    // 64 MB) and in partitions of 1 MB, spilled to disk
    let runs: [(&str, &[&str], Option<&str>); 3] =
        [("t1", &[], Some("1")), ("t2-small", &["--batch-mb", "1"], Some("2")), ("tdefault", &[], None)];
    let mut sets = Vec::new();
    for (out, extra, threads) in runs {
        let mut args = vec!["run", "--raw", "big", "--out", out];
        args.extend_from_slice(extra);
        let env: Vec<(&str, &str)> = threads.map(|t| ("POLARS_MAX_THREADS", t)).into_iter().collect();
        let r = w.run_env(&args, &env);
        assert_eq!(r.code, 0, "{out}: {}", r.stderr);
        sets.push((out, published(&w.path(out))));
    }
    let m = &sets[0].1 .1;
    assert!(m["tables"]["events"]["published"].as_u64().unwrap() >= 50_000, "{}", m["tables"]);
    assert!(fact_bytes(m) > 4 << 20, "--batch-mb 1 cuts the corpus into several partitions");
    for (out, set) in &sets[1..] {
        assert_eq!(set.0, sets[0].1 .0, "{out}: tables differ from t1");
        assert_eq!(set.1, sets[0].1 .1, "{out}: run record differs from t1");
    }
}

#[test]
fn broken_rows_are_rejected_alike_whatever_the_partitions_and_none_is_lost() {
    let w = Work::new("mini");
    synth(&w, "broken", "300", &["--broken-share", "0.02"]);
    w.write("q.toml", "[rejects]\nmax_share = 1.0\n");
    let mut sets = Vec::new();
    for (out, mb) in [("whole", "64"), ("parts", "1")] {
        // 300 articles: about 5 MB of events and mentions, so 5 partitions
        let r = w.run(&["run", "--raw", "broken", "--out", out, "--config", "q.toml", "--batch-mb", mb]);
        assert_eq!(r.code, 0, "{out}: {}", r.stderr);
        let (tables, m) = published(&w.path(out));
        for (t, c) in m["tables"].as_object().unwrap() {
            let (read, published, rejected) =
                (c["read"].as_u64().unwrap(), c["published"].as_u64().unwrap(), c["rejected"].as_u64().unwrap());
            assert_eq!(read, published + rejected, "{out}: {t}");
        }
        let rejects = w.path(&format!("{out}/rejects.parquet"));
        assert_eq!(
            rows(&rejects) as u64,
            m["tables"].as_object().unwrap().values().map(|c| c["rejected"].as_u64().unwrap()).sum::<u64>()
        );
        let rules: std::collections::BTreeSet<String> = strings(&rejects, "rule").into_iter().flatten().collect();
        assert!(rules.len() >= 6, "several kinds of broken rows: {rules:?}");
        assert!(
            strings(&rejects, "hint").iter().filter(|h| h.is_none()).count() * 20 < rows(&rejects),
            "rejects carry hints"
        );
        sets.push((tables, m));
    }
    assert_eq!(sets[0], sets[1], "same tables, rejects and run record with 1 or several partitions");
}
