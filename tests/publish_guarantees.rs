//! The publishing guarantees, through the real binary: one writer per output
//! directory, up-to-date runs that rewrite nothing, forced rebuilds that are
//! byte-identical, the newest sets kept, and a run killed with SIGKILL at
//! every step of publishing (and at arbitrary instants) leaving `--out` with
//! one complete, valid set.

mod common;
use common::*;
use std::io::BufRead;
use std::path::Path;
use std::time::{Duration, Instant};

const TABLES: [&str; 7] = ["articles", "actors", "events", "mentions", "relationship_scores", "codes", "rejects"];
const PAUSE_ENV: &str = "DYADFLOW_FAULT_PAUSE_AT";
const PAUSE_MARKER: &str = "dyadflow: paused at publish step";

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(bytes))
}

fn parquet_run_id(path: &Path) -> Option<String> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let r = SerializedFileReader::new(std::fs::File::open(path).ok()?).ok()?;
    let kv = r.metadata().file_metadata().key_value_metadata()?.clone();
    kv.into_iter().find(|k| k.key == "dyadflow.run_id")?.value
}

/// Checks, without the library, that `out` holds one complete, valid set
/// behind `current` (or nothing published yet) and that the shortcuts lead
/// into it. Returns the run id of the current set.
fn one_complete_set(out: &Path) -> Result<Option<String>, String> {
    let cur = out.join("current");
    if std::fs::symlink_metadata(&cur).is_err() {
        for t in TABLES {
            if std::fs::symlink_metadata(out.join(format!("{t}.parquet"))).is_ok() {
                return Err(format!("{t}.parquet is there but no current set"));
            }
        }
        return Ok(None);
    }
    let target = std::fs::read_link(&cur).map_err(|e| format!("current is not a link: {e}"))?;
    if !target.starts_with("runs") {
        return Err(format!("current points at {}", target.display()));
    }
    let m: serde_json::Value = serde_json::from_slice(
        &std::fs::read(cur.join("manifest.json")).map_err(|e| format!("no manifest.json in the current set: {e}"))?,
    )
    .map_err(|e| format!("manifest.json does not parse: {e}"))?;
    let run_id = m["run_id"].as_str().ok_or("no run_id")?.to_string();
    if m["set"].as_str() != target.to_str() {
        return Err(format!("the record names set {}, current is {}", m["set"], target.display()));
    }
    let outputs = m["outputs"].as_array().ok_or("no outputs")?;
    let mut expected: Vec<String> = vec!["_SUCCESS".into(), "manifest.json".into(), "overview.html".into()];
    for t in TABLES {
        let o = outputs.iter().find(|o| o["table"] == t).ok_or(format!("{t} not in the record"))?;
        let file = cur.join(o["file"].as_str().unwrap());
        let bytes = std::fs::read(&file).map_err(|e| format!("{t}: {e}"))?;
        if sha256(&bytes) != o["sha256"].as_str().unwrap() {
            return Err(format!("{t}: hash differs from the record"));
        }
        if rows(&file) as u64 != o["rows"].as_u64().unwrap() {
            return Err(format!("{t}: row count differs from the record"));
        }
        if parquet_run_id(&file).as_deref() != Some(run_id.as_str()) {
            return Err(format!("{t}: written by another run than the record's {run_id}"));
        }
        expected.push(format!("{t}.parquet"));
    }
    let page = outputs.iter().find(|o| o["file"] == "overview.html").ok_or("overview.html not in the record")?;
    let bytes = std::fs::read(cur.join("overview.html")).map_err(|e| format!("overview.html: {e}"))?;
    if sha256(&bytes) != page["sha256"].as_str().unwrap() {
        return Err("overview.html: hash differs from the record".into());
    }
    let success = std::fs::read_to_string(cur.join("_SUCCESS")).map_err(|e| format!("no _SUCCESS: {e}"))?;
    if !success.contains(&run_id) {
        return Err("_SUCCESS of another run".into());
    }
    let mut listed: Vec<String> =
        std::fs::read_dir(&cur).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    listed.sort();
    expected.sort();
    if listed != expected {
        return Err(format!("the set holds {listed:?}"));
    }
    for name in &expected {
        if let Ok(link) = std::fs::read_link(out.join(name)) {
            if link != Path::new("current").join(name) {
                return Err(format!("{name} leads to {}", link.display()));
            }
        }
    }
    Ok(Some(run_id))
}

fn run_id_of(w: &Work, out: &str) -> String {
    manifest(&w.path(&format!("{out}/manifest.json")))["run_id"].as_str().unwrap().to_string()
}

/// Starts a run that pauses at publish step `step`, and waits until it is there.
fn paused_run(w: &Work, args: &[&str], step: usize) -> Option<std::process::Child> {
    let mut child = w.spawn(args, &[(PAUSE_ENV, &step.to_string())]);
    let stderr = child.stderr.take().unwrap();
    for line in std::io::BufReader::new(stderr).lines() {
        if line.unwrap_or_default().starts_with(PAUSE_MARKER) {
            return Some(child);
        }
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "a run that did not pause failed: {status}");
    None
}

fn set_names(w: &Work, out: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(w.path(&format!("{out}/runs")))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_second_writer_is_refused_or_waits_and_a_killed_writer_does_not_block() {
    let w = Work::new("mini");
    let run = ["run", "--raw", "raw", "--out", "out"];
    let mut first = paused_run(&w, &run, 0).expect("the first run reaches publishing");

    let r = w.run(&run);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("is being written by another run"), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("pid {}", first.id())), "the holder is named: {}", r.stderr);
    assert!(r.stderr.contains("--wait"), "{}", r.stderr);
    // for schedulers, the refusal as one JSON object
    let r = w.run(&["run", "--raw", "raw", "--out", "out", "--log-format", "json"]);
    assert_eq!(r.code, 3);
    let v: serde_json::Value = serde_json::from_str(r.stderr.trim()).expect(&r.stderr);
    assert_eq!((v["type"].as_str(), v["exit_code"].as_i64()), (Some("error"), Some(3)));

    // a third run waits; killing the first lets it through
    let start = Instant::now();
    let waiting = w.spawn(&["run", "--raw", "raw", "--out", "out", "--wait", "60"], &[]);
    std::thread::sleep(Duration::from_millis(700));
    first.kill().unwrap();
    first.wait().unwrap();
    let third = waiting.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&third.stderr);
    assert_eq!(third.status.code(), Some(0), "{stderr}");
    assert!(start.elapsed() >= Duration::from_millis(700), "it waited");
    assert!(stderr.contains("stopped without releasing its lock"), "{stderr}");
    assert_eq!(one_complete_set(&w.path("out")), Ok(Some(run_id_of(&w, "out"))));
    assert_eq!(std::fs::read_to_string(w.path("out/.dyadflow.lock")).unwrap(), "", "a clean end releases the lock");
}

#[test]
fn an_up_to_date_output_is_not_rewritten_and_force_rebuilds_byte_identical_tables() {
    let w = Work::new("mini");
    let run = ["run", "--raw", "raw", "--out", "out"];
    assert_eq!(w.run(&run).code, 0);
    let first_set = std::fs::read_link(w.path("out/current")).unwrap();
    let before = snapshot(&w.path(&format!("out/{}", first_set.display())));
    let modified = std::fs::metadata(w.path("out/current/events.parquet")).unwrap().modified().unwrap();

    let r = w.run(&run);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("is up to date: nothing rewritten"), "{}", r.stderr);
    let record = manifest(&w.path("out.run.json"));
    assert_eq!(record["status"], "unchanged");
    let stages: Vec<&String> = record["durations_ms"].as_object().unwrap().keys().collect();
    assert_eq!(stages, vec!["0-inputs"], "decided from the input hashes, before any parsing");
    assert_eq!(record["tables"], manifest(&w.path("out/manifest.json"))["tables"]);
    assert_eq!(std::fs::read_link(w.path("out/current")).unwrap(), first_set);
    assert_eq!(set_names(&w, "out").len(), 1, "no new set");
    assert_eq!(std::fs::metadata(w.path("out/current/events.parquet")).unwrap().modified().unwrap(), modified);
    assert_eq!(manifest(&w.path("out.run.json"))["outputs"], manifest(&w.path("out/manifest.json"))["outputs"]);

    let r = w.run(&["run", "--raw", "raw", "--out", "out", "--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(manifest(&w.path("out.run.json"))["status"], "published");
    let second_set = std::fs::read_link(w.path("out/current")).unwrap();
    assert_ne!(second_set, first_set, "a forced run publishes a new set");
    let after = snapshot(&w.path(&format!("out/{}", second_set.display())));
    let tables =
        |s: &[(String, String)]| s.iter().filter(|(n, _)| n.ends_with(".parquet")).cloned().collect::<Vec<_>>();
    assert_eq!(tables(&after), tables(&before), "same inputs: byte-identical tables");

    // a changed configuration or input is not up to date
    w.write("k.toml", "[score]\nshrinkage = 3.0\n");
    let r = w.run(&["run", "--raw", "raw", "--out", "out", "--config", "k.toml"]);
    assert_eq!(manifest(&w.path("out.run.json"))["status"], "published", "{}", r.stderr);
    w.edit("raw/events.csv", ",0.9,t", ",0.8,t");
    let r = w.run(&["run", "--raw", "raw", "--out", "out", "--config", "k.toml"]);
    assert_eq!(manifest(&w.path("out.run.json"))["status"], "published", "{}", r.stderr);
    // --strict with warnings in the current set is not up to date: it fails
    w.edit("raw/events.csv", "en janvier", "=HYPERLINK(1)");
    assert_eq!(w.run(&["run", "--raw", "raw", "--out", "out", "--config", "k.toml"]).code, 0);
    let r = w.run(&["run", "--raw", "raw", "--out", "out", "--config", "k.toml", "--strict"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn the_newest_sets_are_kept() {
    let w = Work::new("mini");
    for i in 0..5 {
        w.write("c.toml", format!("[score]\nshrinkage = {}.0\n", i + 1));
        let r = w.run(&["run", "--raw", "raw", "--out", "out", "--config", "c.toml", "--keep-runs", "2"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let sets = set_names(&w, "out");
    assert_eq!(sets.len(), 2, "{sets:?}");
    assert!(sets[0].starts_with("000004-") && sets[1].starts_with("000005-"), "{sets:?}");
    assert_eq!(std::fs::read_link(w.path("out/current")).unwrap(), Path::new("runs").join(&sets[1]));
}

/// Kills a run of `args` at each publish step in turn, each time starting
/// from `start` (a published output, or none), and checks what `out` holds
/// afterwards. Returns how many steps were killed.
fn kill_at_every_step(w: &Work, start: Option<&str>, args: &[&str], allowed: &[Option<String>]) -> usize {
    let mut steps = 0;
    for step in 0.. {
        let _ = std::fs::remove_dir_all(w.path("out"));
        if let Some(s) = start {
            copy_dir(&w.path(s), &w.path("out"));
        }
        let Some(mut child) = paused_run(w, args, step) else { break };
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let id = one_complete_set(&w.path("out")).unwrap_or_else(|e| panic!("killed at step {step}: {e}"));
        assert!(allowed.contains(&id), "killed at step {step}: current is {id:?}, expected one of {allowed:?}");
        steps += 1;
    }
    steps
}

#[test]
fn sigkill_at_every_step_of_publishing_leaves_one_complete_set() {
    let w = Work::new("mini");
    copy_dir(&w.path("raw"), &w.path("rawb"));
    w.edit("rawb/events.csv", ",0.9,t", ",0.7,t");
    assert_eq!(w.run(&["run", "--raw", "raw", "--out", "pristine"]).code, 0);
    let old = run_id_of(&w, "pristine");
    assert_eq!(w.run(&["run", "--raw", "rawb", "--out", "b"]).code, 0);
    let new = run_id_of(&w, "b");
    // --keep-runs 1: the previous set is pruned, and the pruning killed too
    let run_b = ["run", "--raw", "rawb", "--out", "out", "--keep-runs", "1"];

    // the first publish into an empty directory: nothing, or the whole set
    let first = kill_at_every_step(&w, None, &run_b, &[None, Some(new.clone())]);
    // replacing a published set: the old set or the new one, never a mix
    let replace = kill_at_every_step(&w, Some("pristine"), &run_b, &[Some(old.clone()), Some(new.clone())]);
    eprintln!("killed at {first} checkpoints into an empty directory, {replace} over a previous set");
    assert!(first >= 30 && replace >= 20, "publishing passed only {first} and {replace} checkpoints");

    // after a kill in the middle, the next run cleans up and publishes
    let _ = std::fs::remove_dir_all(w.path("out"));
    copy_dir(&w.path("pristine"), &w.path("out"));
    let mut child = paused_run(&w, &run_b, 8).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(std::fs::read_dir(w.path("out")).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with(".staging")));
    let r = w.run(&run_b);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let note =
        r.stderr.lines().find(|l| l.contains("note: removed what an interrupted run left behind: ")).unwrap_or("");
    assert!(note.contains(".staging-") && note.contains(".scratch-"), "{}", r.stderr);
    assert_eq!(one_complete_set(&w.path("out")), Ok(Some(new)));
    let leftovers: Vec<String> = std::fs::read_dir(w.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != ".dyadflow.lock")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn sigkill_at_arbitrary_instants_leaves_one_complete_set() {
    let w = Work::new("mini");
    assert_eq!(w.run(&["run", "--raw", "raw", "--out", "out"]).code, 0);
    let start = Instant::now();
    assert_eq!(w.run(&["run", "--raw", "raw", "--out", "out", "--force"]).code, 0);
    let full = start.elapsed();
    for i in 0..24u32 {
        let child = w.spawn(&["run", "--raw", "raw", "--out", "out", "--force"], &[]);
        let mut child = child;
        std::thread::sleep(full * i / 20);
        let _ = child.kill();
        child.wait().unwrap();
        one_complete_set(&w.path("out")).unwrap_or_else(|e| panic!("killed after {:?}: {e}", full * i / 20)).unwrap();
    }
}

#[test]
fn a_panic_while_publishing_publishes_nothing_half_way() {
    let w = Work::new("mini");
    assert_eq!(w.run(&["run", "--raw", "raw", "--out", "out"]).code, 0);
    let old = run_id_of(&w, "out");
    w.edit("raw/events.csv", ",0.9,t", ",0.7,t");
    // in the middle of a table (step 3), after the set's move (20), right
    // after the commit (22)
    for step in [3, 20, 22] {
        let step_text = step.to_string();
        let r =
            w.run_env(&["run", "--raw", "raw", "--out", "out", "--force"], &[("DYADFLOW_FAULT_PANIC_AT", &step_text)]);
        assert_eq!(r.code, 101, "step {step}: {}", r.stderr);
        assert!(r.stderr.contains("fault injected"), "{}", r.stderr);
        let id = one_complete_set(&w.path("out")).unwrap_or_else(|e| panic!("panic at step {step}: {e}")).unwrap();
        assert_eq!(id == old, step < 22, "step {step}: the old set is current before the commit, the new one after");
        let staging = std::fs::read_dir(w.path("out"))
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().starts_with(".staging"));
        assert!(!staging, "step {step}: the unwinding run removes its staging directory");
        assert_eq!(std::fs::read_to_string(w.path("out/.dyadflow.lock")).unwrap(), "", "and releases its lock");
    }
    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}
