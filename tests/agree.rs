//! `dyadflow agree` through the real binary: a reading against itself
//! agrees fully; A against B and B against A match the same events; a
//! generated corpus and a copy with known, seeded differences give exactly
//! those differences; bad input is an error or the row's problem as
//! `validate` reports it, never a panic.

mod common;

use common::{copy_dir, fixture, Work};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn seed() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("raw").display().to_string()
}

fn first_reading() -> String {
    fixture("seed-first-reading").display().to_string()
}

fn empty_work() -> Work {
    Work { dir: tempfile::tempdir().unwrap() }
}

/// Runs `agree --format json`: exit code, the figures, standard error.
fn agree(w: &Work, a: &str, b: &str, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["agree", a, b, "--format", "json"];
    args.extend_from_slice(extra);
    let r = w.run(&args);
    let v = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    (r.code, v, r.stderr)
}

/// (article, A's event id, B's event id) of every matched pair.
fn matches(v: &Value) -> BTreeSet<(String, String, String)> {
    v["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap().to_string();
            (s("article_id"), s("a_event_id"), s("b_event_id"))
        })
        .collect()
}

fn assert_full_agreement(v: &Value) {
    let e = &v["events"];
    assert_eq!(e["matched"], e["a"], "{e}");
    assert_eq!(e["identical"], e["a"]);
    assert_eq!((e["only_a"].as_u64(), e["only_b"].as_u64()), (Some(0), Some(0)));
    assert_eq!(e["b_against_a"]["f1"], 1.0);
    let fields = v["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 10);
    for f in fields {
        assert_eq!(f["alpha"]["alpha"], 1.0, "{f}");
        assert_eq!(f["share_equal"], 1.0, "{f}");
    }
    assert_eq!(v["mentions"]["b_against_a"]["f1"], 1.0);
}

#[test]
fn a_reading_against_itself_agrees_fully() {
    let w = empty_work();
    for dir in [seed(), first_reading()] {
        let (code, v, stderr) = agree(&w, &dir, &dir, &[]);
        assert!(code <= 1, "{stderr}");
        assert!(v["events"]["a"].as_u64().unwrap() > 80);
        assert_full_agreement(&v);
        for p in v["pairs"].as_array().unwrap() {
            assert_eq!(p["a_event_id"], p["b_event_id"]);
        }
    }
}

#[test]
fn a_against_b_and_b_against_a_match_the_same_events() {
    let w = empty_work();
    let (code, ab, stderr) = agree(&w, &first_reading(), &seed(), &[]);
    assert!(code <= 1, "{stderr}");
    let (_, ba, _) = agree(&w, &seed(), &first_reading(), &[]);
    let flipped: BTreeSet<_> = matches(&ba).into_iter().map(|(art, x, y)| (art, y, x)).collect();
    assert_eq!(matches(&ab), flipped);
    assert!(!matches(&ab).is_empty());
    assert_eq!(ab["events"]["b_against_a"]["precision"], ba["events"]["a_against_b"]["precision"]);
    assert_eq!(ab["events"]["only_a"], ba["events"]["only_b"]);
    for (x, y) in ab["fields"].as_array().unwrap().iter().zip(ba["fields"].as_array().unwrap()) {
        assert_eq!(x["field"], y["field"]);
        let (p, q) = (x["alpha"]["alpha"].as_f64().unwrap(), y["alpha"]["alpha"].as_f64().unwrap());
        assert!((p - q).abs() < 1e-12, "{} {p} {q}", x["field"]);
    }
}

/// The seeded differences of a copy of a generated corpus.
#[derive(Default)]
struct Seeded {
    dropped: BTreeSet<(String, String)>,
    code: BTreeSet<(String, String)>,
    date: BTreeSet<(String, String)>,
    direction: BTreeSet<(String, String)>,
}

/// Rewrites a CSV file row by row (header kept).
fn rewrite(path: &Path, mut f: impl FnMut(usize, &csv::StringRecord, &mut Vec<String>) -> bool) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for (i, row) in r.records().enumerate() {
        let row = row.unwrap();
        let mut out: Vec<String> = row.iter().map(str::to_string).collect();
        if f(i, &header, &mut out) {
            w.write_record(&out).unwrap();
        }
    }
    std::fs::write(path, w.into_inner().unwrap()).unwrap();
}

fn col(header: &csv::StringRecord, name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

/// Every actor id renamed (in actors.csv and wherever a row names an actor
/// by its id), three events dropped, three codes changed, three dates
/// shifted, three directions swapped.
fn seed_differences(b: &Path) -> Seeded {
    let mut ids = BTreeSet::new();
    rewrite(&b.join("actors.csv"), |_, h, row| {
        ids.insert(row[col(h, "actor_id")].to_lowercase());
        row[col(h, "actor_id")] += "_B";
        if !row[col(h, "parent")].is_empty() {
            row[col(h, "parent")] += "_B";
        }
        true
    });
    let rename = |cell: &mut String| {
        if ids.contains(&cell.trim().to_lowercase()) {
            *cell = format!("{}_B", cell.trim().to_uppercase());
        }
    };
    let mut s = Seeded::default();
    for e in std::fs::read_dir(b.join("mentions")).unwrap() {
        rewrite(&e.unwrap().path(), |_, h, row| {
            rename(&mut row[col(h, "actor")]);
            true
        });
    }
    let events = b.join("events/00000.csv");
    rewrite(&events, |i, h, row| {
        let (src, tgt) = (col(h, "source"), col(h, "target"));
        rename(&mut row[src]);
        rename(&mut row[tgt]);
        let key = (row[col(h, "article_id")].clone(), row[col(h, "event_id")].clone());
        match i % 100 {
            7 => {
                s.dropped.insert(key);
                return false;
            }
            17 => {
                let c = &mut row[col(h, "code")];
                *c = if c.starts_with("19") { "042".into() } else { "190".into() };
                s.code.insert(key);
            }
            27 => {
                row[col(h, "date")] = "1990-06-15".into();
                row[col(h, "date_text")] = String::new();
                s.date.insert(key);
            }
            n if n >= 37 && s.direction.len() < 3 * (i / 100 + 1) && !row[tgt].is_empty() && row[src] != row[tgt] => {
                row.swap(src, tgt);
                s.direction.insert(key);
            }
            _ => {}
        }
        true
    });
    s
}

#[test]
fn seeded_differences_are_found_exactly() {
    let w = empty_work();
    let r = w.run(&["synth", "--out", "a", "--articles", "6", "--seed", "25"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    copy_dir(&w.path("a"), &w.path("b"));
    let s = seed_differences(&w.path("b"));
    assert_eq!((s.dropped.len(), s.code.len(), s.date.len(), s.direction.len()), (3, 3, 3, 9));
    let (code, v, stderr) = agree(&w, "a", "b", &["--worksheet", "sheet.csv"]);
    assert_eq!(code, 0, "{stderr}");
    // every actor matched through its name or aliases, none by id
    assert_eq!(v["actors"]["matched_by_id"], 0);
    assert_eq!(
        v["actors"]["matched_by_label"].as_array().unwrap().len() as u64,
        v["actors"]["a_actors"].as_u64().unwrap()
    );
    let only_a: BTreeSet<(String, String)> = v["only_a"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["article_id"].as_str().unwrap().into(), u["event_id"].as_str().unwrap().into()))
        .collect();
    assert_eq!(only_a, s.dropped);
    assert_eq!(v["events"]["only_b"], 0);
    let mut found = Seeded::default();
    for p in v["pairs"].as_array().unwrap() {
        assert_eq!(p["a_event_id"], p["b_event_id"], "{p}");
        let key = (p["article_id"].as_str().unwrap().to_string(), p["a_event_id"].as_str().unwrap().to_string());
        let differs: Vec<&str> = p["differs"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
        match differs.as_slice() {
            [] => {}
            ["code"] => _ = found.code.insert(key),
            ["date"] => _ = found.date.insert(key),
            ["direction"] => _ = found.direction.insert(key),
            other => panic!("unexpected difference {other:?} in {p}"),
        }
    }
    assert_eq!(found.code, s.code);
    assert_eq!(found.date, s.date);
    assert_eq!(found.direction, s.direction);
    let fields: std::collections::BTreeMap<&str, &Value> =
        v["fields"].as_array().unwrap().iter().map(|f| (f["field"].as_str().unwrap(), f)).collect();
    let matched = v["events"]["matched"].as_u64().unwrap();
    assert_eq!(fields["code"]["equal"].as_u64().unwrap(), matched - 3);
    assert_eq!(fields["date"]["equal"].as_u64().unwrap(), matched - 3);
    assert_eq!(fields["source"]["equal"].as_u64().unwrap(), matched - 9);
    assert_eq!(fields["mode"]["alpha"]["alpha"], 1.0);
    assert!(fields["code"]["alpha"]["alpha"].as_f64().unwrap() < 1.0);
    // the worksheet: a row per pair and per unmatched event, the differing fields named
    let sheet = w.read("sheet.csv");
    assert_eq!(sheet.lines().count() as u64, 1 + matched + 3);
    assert_eq!(sheet.lines().filter(|l| l.contains(",only_a,")).count(), 3);
    let rows: Vec<csv::StringRecord> =
        csv::Reader::from_reader(sheet.as_bytes()).records().map(Result::unwrap).collect();
    let direction: Vec<_> = rows.iter().filter(|r| &r[1] == "differs" && &r[3] == "direction").collect();
    assert_eq!(direction.len(), 9);
    // both sides side by side: B's source is A's target (in B's ids), the evidence the same
    for r in direction {
        assert_eq!(format!("{}_B", &r[7]), &r[15], "{r:?}");
        assert_eq!(&r[12], &r[21]);
    }
    assert!(sheet.lines().next().unwrap().starts_with("article_id,status,similarity,differs,a_event_id,"));
}

#[test]
fn other_articles_or_texts_are_an_error_naming_the_first_difference() {
    let w = empty_work();
    assert_eq!(w.run(&["synth", "--out", "s", "--articles", "2"]).code, 0);
    let r = w.run(&["agree", &seed(), "s"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("do not annotate the same articles: article `000_14b90cedf25410f4`"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"));
    copy_dir(&fixture("seed-first-reading"), &w.path("b"));
    w.edit("b/texts/000_14b90cedf25410f4.txt", "Azerbaïdjan", "Azerbaidjan");
    let r = w.run(&["agree", &first_reading(), "b"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "do not annotate the same text of article `000_14b90cedf25410f4`: the texts differ from character"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_missing_table_is_an_error_and_a_broken_row_is_reported_as_validate_reports_it() {
    let w = Work::new("seed-first-reading");
    std::fs::rename(w.path("raw/events.csv"), w.path("events.csv")).unwrap();
    let r = w.run(&["agree", "raw", &first_reading()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("error[missing-table]: the required events table is missing"), "{}", r.stderr);
    std::fs::rename(w.path("events.csv"), w.path("raw/events.csv")).unwrap();
    // a row naming an actor nobody knows, and a row with a field too many
    let events = w.read("raw/events.csv");
    let mut lines: Vec<String> = events.lines().map(str::to_string).collect();
    lines[1] = lines[1].replacen(",RUS,", ",Rusia,", 1);
    lines[2].push_str(",extra");
    w.write("raw/events.csv", lines.join("\n") + "\n");
    let validate = w.run(&["validate", "--raw", "raw"]);
    let (code, v, stderr) = agree(&w, "raw", &first_reading(), &[]);
    assert_eq!(code, 1, "{stderr}");
    let problems: Vec<&str> = validate.stderr.lines().filter(|l| l.starts_with("raw/events.csv:")).collect();
    assert_eq!(problems.len(), 2, "{}", validate.stderr);
    for p in problems {
        assert!(stderr.contains(p), "agree does not report {p}:\n{stderr}");
    }
    // the figures leave the two rows out: B's events have no counterpart
    assert_eq!(v["a"]["errors"], 2);
    assert_eq!(v["events"]["only_b"], 2);
    assert_eq!(v["events"]["a"].as_u64().unwrap() + 2, v["events"]["b"].as_u64().unwrap());
}

#[test]
fn usage_and_missing_directories_are_errors() {
    let w = empty_work();
    let r = w.run(&["agree", "nowhere", &seed()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("raw directory nowhere does not exist"), "{}", r.stderr);
    let r = w.run(&["agree", &seed()]);
    assert_eq!(r.code, 2);
}

#[test]
fn the_terminal_summary_names_the_figures() {
    let w = empty_work();
    let r = w.run(&["agree", &first_reading(), &seed()]);
    assert!(r.code <= 1, "{}", r.stderr);
    for needle in ["events: ", " matched (", "B against A: precision", "code_root", "date_first", "mentions: "] {
        assert!(r.stdout.contains(needle), "{needle} not in\n{}", r.stdout);
    }
}
