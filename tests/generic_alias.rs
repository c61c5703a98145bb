//! The `generic-alias` warning on a corpus built for it
//! (`fixtures/generic_alias`): four aliases too generic to name one actor are
//! reported with file, line, column and hint; four look-alikes are not; the
//! rows are kept (a warning), and `--strict` fails on them.

mod common;
use common::{manifest, Work};

const WARNED: [&str; 4] = [
    "raw/actors.csv:2:6: warning[generic-alias]: alias `US` of USA folds to `us`, a common English word",
    "raw/actors.csv:6:6: warning[generic-alias]: alias `mine` of AZE.MINVAL folds to `mine`, a common English word",
    "raw/actors.csv:8:6: warning[generic-alias]: alias `Hussein` of IRQ.SADDAM is one word of another actor's label: `Hussein Safarov` (AZE.H_SAFAROV)",
    "raw/actors.csv:9:6: warning[generic-alias]: alias `Elle` of FRA.ELLE folds to `elle`, a common French word",
];

#[test]
fn generic_aliases_are_warned_with_their_place_and_a_hint_and_the_rows_are_kept() {
    let w = Work::new("generic_alias");
    let r = w.run(&["validate", "--raw", "raw"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let warned: Vec<&str> = r.stderr.lines().filter(|l| l.contains("[generic-alias]")).collect();
    assert_eq!(warned, WARNED, "{}", r.stderr);
    assert_eq!(r.stderr.matches("= hint: remove it from `aliases`").count(), 3, "{}", r.stderr);
    assert_eq!(r.stderr.matches("= hint: give the fuller form").count(), 1, "{}", r.stderr);
    // nothing else is reported: the look-alikes (US forces under USA, Bakou of a
    // state inside another label, multi-word government names) are not warned
    assert!(r.stderr.contains("0 error(s), 4 warning(s)"), "{}", r.stderr);
    assert!(r.stderr.contains("would publish 11 actors, 1 articles, 2 events, 11 mentions"), "{}", r.stderr);
}

#[test]
fn the_run_publishes_every_row_and_records_the_rule_while_strict_fails() {
    let w = Work::new("generic_alias");
    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let m = manifest(&w.path("out/current/manifest.json"));
    let rule = m["rules"].as_array().unwrap().iter().find(|x| x["rule"] == "generic-alias").expect("rule listed");
    assert_eq!((rule["severity"].as_str(), rule["outcome"].as_str()), (Some("warning"), Some("warn")), "{rule}");
    assert_eq!(m["tables"]["events"]["published"], 2);
    assert_eq!(m["tables"]["actors"]["rejected"], 0);

    let r = w.run(&["validate", "--raw", "raw", "--strict"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("4 warning(s) and --strict"), "{}", r.stderr);

    // with the four aliases moved out (the mention rows keep their text), strict passes
    w.edit("raw/actors.csv", "États-Unis|US|Washington", "États-Unis|Washington");
    w.edit("raw/actors.csv", "Minval|mine", "Minval");
    w.edit("raw/actors.csv", "IRQ,,Hussein,", "IRQ,,,");
    w.edit("raw/actors.csv", "Elle|ELLE magazine", "ELLE magazine");
    w.edit("raw/events.csv", "g1,e1,US,", "g1,e1,USA,");
    let r = w.run(&["validate", "--raw", "raw", "--strict"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("generic-alias"), "{}", r.stderr);
}
