//! `incident_id`, through the real binary on a copy of `raw/`: the repeated
//! reports of one incident share it, it is the documented hash of the
//! incident's content, and adding an article leaves every id of the others
//! unchanged.

mod common;
use common::*;
use std::collections::HashMap;
use std::path::Path;

/// A fresh temporary directory holding a copy of the project's `raw/`.
fn raw_copy() -> Work {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("raw"), &dir.path().join("raw"));
    Work { dir }
}

/// event_id -> incident_id of one article's events, and the rows' keys.
fn incidents(w: &Work, article: &str) -> HashMap<String, String> {
    let events = w.path("output/events.parquet");
    let (articles, ids, incidents) =
        (strings(&events, "article_id"), strings(&events, "event_id"), strings(&events, "incident_id"));
    (0..ids.len())
        .filter(|&i| articles[i].as_deref() == Some(article))
        .map(|i| (ids[i].clone().unwrap(), incidents[i].clone().unwrap()))
        .collect()
}

const ARTICLE: &str = "000_14b90cedf25410f4";

fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(s.as_bytes()))
}

#[test]
fn repeated_reports_share_their_incident_id_and_other_articles_leave_it_unchanged() {
    let w = raw_copy();
    let r = w.run(&["run", "--raw", "raw", "--out", "output"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before = incidents(&w, ARTICLE);
    assert_eq!(before.len(), 90);

    // e015 and e016 report one incident: Iran supplying Russia with drones
    // (IRN, RUS, 072, 2022-08/2025-07-06)
    assert_eq!(before["e015"], before["e016"]);
    let distinct: std::collections::HashSet<&String> = before.values().collect();
    assert_eq!(distinct.len(), 89, "every other row is an incident of its own");
    // the documented rule: the first 32 hex digits of SHA-256 of the key
    let key = "IRN\u{1f}RUS\u{1f}072\u{1f}2022-08-01\u{1f}2025-07-06";
    assert_eq!(before["e015"], sha256_hex(key)[..32]);
    assert_eq!(before["e015"].len(), 32);

    // a new article that reports other incidents, then one that reports the
    // drone supply again
    w.write("raw/texts/zz_new.txt", "Talks in Istanbul\n\nUkraine met Russia in Istanbul on 2 June 2025.\n");
    let mut articles = w.read("raw/articles.csv");
    articles.push_str("zz_new,Talks in Istanbul,2025-06-03,en,texts/zz_new.txt,,,\n");
    w.write("raw/articles.csv", &articles);
    let mut events = w.read("raw/events.csv");
    let header: Vec<String> = events.lines().next().unwrap().split(',').map(str::to_string).collect();
    let row = |fields: &[(&str, &str)]| -> String {
        let v: Vec<String> = header
            .iter()
            .map(|h| fields.iter().find(|(k, _)| k == h).map_or(String::new(), |(_, v)| v.to_string()))
            .collect();
        v.join(",") + "\n"
    };
    let new_row = row(&[
        ("article_id", "zz_new"),
        ("event_id", "e1"),
        ("source", "UKR"),
        ("target", "RUS"),
        ("code", "036"),
        ("date", "2025-06-02"),
        ("evidence", "Ukraine met Russia in Istanbul"),
    ]);
    events.push_str(&new_row);
    w.write("raw/events.csv", &events);
    let r = w.run(&["run", "--raw", "raw", "--out", "output"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(incidents(&w, ARTICLE), before, "an added article changed the ids of another article's incidents");
    let new = incidents(&w, "zz_new");
    assert!(!before.values().any(|v| *v == new["e1"]));
    assert_eq!(new["e1"], sha256_hex("UKR\u{1f}RUS\u{1f}036\u{1f}2025-06-02\u{1f}2025-06-02")[..32]);

    // a third article reporting the drone supply again: the same incident
    w.write("raw/texts/zz_drones.txt", "Drones\n\nIran supplied drones to Russia.\n");
    let mut articles = w.read("raw/articles.csv");
    articles.push_str("zz_drones,Drones,2025-07-10,en,texts/zz_drones.txt,,,\n");
    w.write("raw/articles.csv", &articles);
    let mut events = w.read("raw/events.csv");
    events.push_str(&row(&[
        ("article_id", "zz_drones"),
        ("event_id", "d1"),
        ("source", "Iran"),
        ("target", "Russia"),
        ("code", "072"),
        ("date", "2022-08/2025-07-06"),
        ("evidence", "Iran supplied drones to Russia"),
    ]));
    w.write("raw/events.csv", &events);
    let r = w.run(&["run", "--raw", "raw", "--out", "output"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(incidents(&w, ARTICLE), before);
    assert_eq!(incidents(&w, "zz_drones")["d1"], before["e015"], "a report in another article is the same incident");
}
