//! What a new user meets first, through the real binary in fresh temporary
//! directories: the configuration a run reads, what a run that did not
//! publish says, spreadsheet exports, evidence hints, what counts as an
//! input, and the small print of `explain`, `merge` and `validate --help`.

mod common;
use common::*;

fn json_lines(s: &str) -> Vec<serde_json::Value> {
    s.lines().filter(|l| l.starts_with('{')).map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn summary(r: &Run) -> serde_json::Value {
    json_lines(&r.stderr).into_iter().find(|v| v["type"] == "summary").unwrap_or_else(|| panic!("{}", r.stderr))
}

// ---- the configuration: `./dyadflow.toml` unless --config says otherwise ----

#[test]
fn dyadflow_toml_in_the_working_directory_is_read_and_named() {
    let w = Work::new("mini");
    w.edit("raw/events.csv", "a1,e2,moscou,bakou", "a1,e2,moscow-nobody,bakou");
    // with the built-in defaults one rejected event fails the run
    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("configuration: built-in defaults"), "{}", r.stderr);

    w.write("dyadflow.toml", "[rejects.per_table]\nevents = 0.5\n");
    let r = w.run(&["validate", "--raw", "raw"]);
    assert!(r.stderr.contains("configuration: dyadflow.toml"), "{}", r.stderr);
    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 0, "./dyadflow.toml is read: {}", r.stderr);
    assert!(r.stderr.contains("configuration: dyadflow.toml"), "{}", r.stderr);
    let m = manifest(&w.path("out/manifest.json"));
    assert_eq!((m["config_file"].as_str(), m["config_source"].as_str()), (Some("dyadflow.toml"), Some("file")));
    let r = w.run(&["run", "--raw", "raw", "--out", "out", "--force", "--log-format", "json"]);
    let s = summary(&r);
    assert_eq!((s["config_file"].as_str(), s["config_source"].as_str()), (Some("dyadflow.toml"), Some("file")));

    // --config wins over ./dyadflow.toml
    w.write("strict.toml", "[rejects]\nmax_share = 0.0\n");
    let r = w.run(&["run", "--raw", "raw", "--out", "out", "--config", "strict.toml", "--log-format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(summary(&r)["config_file"], "strict.toml");
    assert_eq!(manifest(&w.path("out.run.json"))["config_file"], "strict.toml");
}

#[test]
fn without_a_configuration_file_the_record_says_the_defaults_were_used() {
    let w = Work::new("mini");
    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("configuration: built-in defaults"), "{}", r.stderr);
    let m = manifest(&w.path("out/manifest.json"));
    assert!(m["config_file"].is_null());
    assert_eq!(m["config_source"], "defaults");
    let s = summary(&w.run(&["validate", "--raw", "raw", "--log-format", "json"]));
    assert_eq!((s["config_file"].is_null(), s["config_source"].as_str()), (true, Some("defaults")));
}

#[test]
fn a_broken_dyadflow_toml_in_the_working_directory_is_an_error_naming_it() {
    let w = Work::new("mini");
    w.write("dyadflow.toml", "[score]\nshrinkage = -1\n");
    let r = w.run(&["validate", "--raw", "raw"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("dyadflow.toml"), "{}", r.stderr);
}

// ---- a run that publishes nothing does not say "published" ----

fn broken() -> Work {
    let w = Work::new("mini");
    w.edit("raw/events.csv", "a1,e2,moscou,bakou", "a1,e2,moscow-nobody,bakou");
    w
}

/// The lines of a summary that say something was published.
fn says_published(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains("published") && !l.contains("nothing published")).collect()
}

#[test]
fn a_failed_run_says_nothing_was_published() {
    let w = broken();
    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(says_published(&r.stderr), Vec::<&str>::new(), "{}", r.stderr);
    assert!(r.stderr.contains("  valid 5 actors, 1 articles, 3 events, 8 mentions\n"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing published; out is unchanged"), "{}", r.stderr);
    let r = w.run(&["run", "--raw", "raw", "--out", "out", "--log-format", "json"]);
    let s = summary(&r);
    assert_eq!(s["published"], false);
    assert!(s["message"].as_str().unwrap().contains("nothing published"), "{s}");
}

#[test]
fn validate_says_validated_or_would_publish_and_prints_no_run_as_published() {
    let w = broken();
    let r = w.run(&["validate", "--raw", "raw"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(says_published(&r.stderr), Vec::<&str>::new(), "{}", r.stderr);
    assert!(!r.stderr.contains("; run "), "no run id as if a run had been made: {}", r.stderr);
    assert!(r.stderr.contains("nothing published (validate writes nothing)"), "{}", r.stderr);

    let w = Work::new("mini");
    let r = w.run(&["validate", "--raw", "raw"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(says_published(&r.stderr), Vec::<&str>::new(), "{}", r.stderr);
    assert!(r.stderr.contains("  would publish 5 actors, 1 articles, 4 events, 8 mentions\n"), "{}", r.stderr);
    assert!(!r.stderr.contains("; run "), "{}", r.stderr);
    // the run id a run would have is said as such, and is that run's id
    let s = summary(&w.run(&["validate", "--raw", "raw", "--log-format", "json"]));
    assert_eq!((s["status"].as_str(), s["published"].as_bool()), (Some("validated"), Some(false)));
    let id = s["run_id"].as_str().unwrap().to_string();
    assert!(r.stderr.contains(&format!("would publish them as run {id}")), "{}", r.stderr);
    assert!(s["message"].as_str().unwrap().starts_with("valid: nothing written"), "{s}");
    assert_eq!(w.run(&["run", "--raw", "raw", "--out", "out"]).code, 0);
    assert_eq!(manifest(&w.path("out/manifest.json"))["run_id"].as_str(), Some(id.as_str()));
}

// ---- spreadsheet exports ----

#[test]
fn a_semicolon_export_gets_one_error_naming_the_separator() {
    let w = Work::new("mini");
    // a French Excel export: BOM, `;`, CRLF
    let events = w.read("raw/events.csv");
    let exported = format!("\u{feff}{}", events.replace(',', ";").replace('\n', "\r\n"));
    w.write("raw/events.csv", exported);
    let r = w.run(&["validate", "--raw", "raw"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let problems: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("raw/events.csv")).collect();
    assert_eq!(problems.len(), 1, "one problem for the file: {}", r.stderr);
    assert!(problems[0].contains("separated by semicolons (`;`), not commas"), "{}", r.stderr);
    assert!(r.stderr.contains("\"CSV UTF-8 (comma delimited)\""), "{}", r.stderr);
    assert!(!r.stderr.contains("unknown-column"), "{}", r.stderr);
}

#[test]
fn a_bom_alone_and_crlf_alone_are_read() {
    let w = Work::new("mini");
    let events = w.read("raw/events.csv");
    w.write("raw/events.csv", format!("\u{feff}{events}"));
    let actors = w.read("raw/actors.csv");
    w.write("raw/actors.csv", actors.replace('\n', "\r\n"));
    let r = w.run(&["validate", "--raw", "raw", "--strict"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_local_date_gets_the_iso_date_to_write_without_a_guess() {
    let w = Work::new("mini");
    w.edit("raw/events.csv", "a1,e1,RUS,IRN,057,2025-01,", "a1,e1,RUS,IRN,057,11/09/2025,");
    w.edit("raw/events.csv", "a1,e2,moscou,bakou,111,2025-07~,", "a1,e2,moscou,bakou,111,30/06/2025,");
    let r = w.run(&["validate", "--raw", "raw"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("raw/events.csv:2:6: error[invalid-date]: `11/09/2025` is a local date"), "{}", r.stderr);
    assert!(
        r.stderr.contains("`2025-09-11` if it is 11 September 2025 (day/month), `2025-11-09` if it is 9 November 2025"),
        "both readings: {}",
        r.stderr
    );
    assert!(r.stderr.contains("write the date as ISO YYYY-MM-DD: `2025-06-30` (30 June 2025)"), "{}", r.stderr);
    assert!(!r.stderr.contains("more than one `/`"), "{}", r.stderr);
}

#[test]
fn a_missing_column_hint_reads_well() {
    let w = Work::new("mini");
    w.write("raw/mentions.csv", "actor,text\nRUS,Russie\n");
    let r = w.run(&["validate", "--raw", "raw"]);
    assert!(r.stderr.contains("= hint: add the column `article_id` to the header"), "{}", r.stderr);
}

// ---- evidence hints end on word boundaries ----

#[test]
fn the_closest_passage_of_a_reworded_evidence_ends_on_a_word_boundary() {
    let w = Work::new("mini");
    // 44 characters, reworded: the sentence's first 44 end two letters into `russes`
    w.edit(
        "raw/events.csv",
        "L’Azerbaïdjan a arrêté deux journalistes russes",
        "L’Azerbaïdjan a détenu deux reporters russes",
    );
    let r = w.run(&["validate", "--raw", "raw"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let hint =
        r.stderr.lines().find(|l| l.contains("the closest passage is")).unwrap_or_else(|| panic!("{}", r.stderr));
    let passage = hint.split('`').nth(1).unwrap();
    assert_eq!(passage, "L’Azerbaïdjan a arrêté deux journalistes russes", "{hint}");
    let text = w.read("raw/texts/a1.txt");
    let after = text[text.find(passage).unwrap() + passage.len()..].chars().next();
    assert!(after.is_none_or(|c| !c.is_alphanumeric()), "the passage ends inside a word: {hint}");
}

// ---- only the data are inputs ----

#[test]
fn editing_the_annotation_guide_leaves_the_run_up_to_date() {
    let w = Work::new("mini");
    w.write("raw/README.md", "# How to annotate\n");
    w.write("raw/ADJUDICATION.md", "| id | verdict |\n");
    assert_eq!(w.run(&["run", "--raw", "raw", "--out", "out"]).code, 0);
    let first = manifest(&w.path("out/manifest.json"));
    let inputs: Vec<&str> = first["inputs"].as_array().unwrap().iter().map(|i| i["path"].as_str().unwrap()).collect();
    assert_eq!(inputs, vec!["actors.csv", "articles.csv", "events.csv", "mentions.csv", "texts/a1.txt"]);

    w.write("raw/README.md", "# How to annotate\n\nA new section on dates.\n");
    w.write("raw/ADJUDICATION.md", "| id | verdict |\n| e9 | kept |\n");
    w.write("raw/notes.txt", "a note\n");
    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("is up to date"), "{}", r.stderr);
    let again = manifest(&w.path("out.run.json"));
    assert_eq!(again["run_id"], first["run_id"]);
    assert_eq!(again["status"], "unchanged");

    // a text is data
    let text = w.read("raw/texts/a1.txt");
    w.write("raw/texts/a1.txt", format!("{text}\n"));
    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_ne!(manifest(&w.path("out/manifest.json"))["run_id"], first["run_id"], "{}", r.stderr);
}

// ---- scores carry their period's first and last day ----

#[test]
fn every_score_row_has_its_periods_first_and_last_day_as_dates() {
    let w = Work::new("mini");
    assert_eq!(w.run(&["run", "--raw", "raw", "--out", "out"]).code, 0);
    let scores = w.path("out/relationship_scores.parquet");
    let schema = read_table(&scores)[0].schema();
    for c in ["period_start", "period_end"] {
        assert_eq!(schema.field_with_name(c).unwrap().data_type(), &arrow::datatypes::DataType::Date32, "{c}");
    }
    let col = |c: &str| texts(&scores, c).into_iter().map(Option::unwrap).collect::<Vec<_>>();
    let (granularity, period) = (col("granularity"), col("period"));
    let (start, end, first, last) = (col("period_start"), col("period_end"), col("first_date"), col("last_date"));
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..period.len() {
        let want = match (granularity[i].as_str(), period[i].as_str()) {
            ("all", _) => (first[i].clone(), last[i].clone()),
            ("year", "2025") => ("2025-01-01".into(), "2025-12-31".into()),
            ("month", "2025-01") => ("2025-01-01".into(), "2025-01-31".into()),
            ("month", "2025-07") => ("2025-07-01".into(), "2025-07-31".into()),
            other => panic!("unexpected period {other:?}"),
        };
        assert_eq!((start[i].clone(), end[i].clone()), want, "row {i}: {} {}", granularity[i], period[i]);
        seen.insert(period[i].clone());
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["2025", "2025-01", "2025-07", "all"]);
}

// ---- a test that cannot run says so ----

/// A test that needs the files of `../shared` (not part of the repository)
/// is ignored with that reason, rather than passing without checking.
#[test]
fn tests_that_need_files_outside_the_repository_are_ignored_with_a_reason() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut checked = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "rs") || path.ends_with("user_messages.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for test in text.split("#[test]").skip(1) {
            let body = test.split("\nfn ").nth(1).unwrap_or("");
            let head = test.split("\nfn ").next().unwrap_or("");
            if body.contains("../shared") || body.contains("shared(\"") {
                checked += 1;
                assert!(
                    head.contains("#[ignore = \"needs ../shared"),
                    "{}: {}",
                    path.display(),
                    &body[..60.min(body.len())]
                );
            }
        }
    }
    assert!(checked >= 4, "{checked}");
}

// ---- the small print ----

#[test]
fn explain_without_a_rule_prints_aligned_columns() {
    let w = Work::new("mini");
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].starts_with("RULE ") && lines[0].ends_with("MEANING"), "{}", lines[0]);
    // where each column starts: after the first run of two spaces or more
    let starts = |l: &str| -> Vec<usize> {
        let b = l.as_bytes();
        (1..b.len()).filter(|&i| b[i] != b' ' && b[i - 1] == b' ' && i >= 2 && b[i - 2] == b' ').take(3).collect()
    };
    let header = starts(lines[0]);
    assert_eq!(header.len(), 3, "{}", lines[0]);
    for l in &lines[1..] {
        assert_eq!(starts(l), header, "not aligned with the header:\n{}\n{l}", lines[0]);
    }
    assert!(lines.iter().any(|l| l.contains(" warning ")), "{}", r.stdout);
}

#[test]
fn an_event_dated_after_its_article_names_its_date_once() {
    let w = Work::new("mini");
    w.edit("raw/events.csv", "a1,e2,moscou,bakou,111,2025-07~,", "a1,e2,moscou,bakou,111,2025-07-30,");
    w.edit("raw/events.csv", "a1,e4,Kremlin,AZE,190,2025-07~,", "a1,e4,Kremlin,AZE,190,2025-08~,");
    let r = w.run(&["validate", "--raw", "raw"]);
    assert!(
        r.stderr.contains("the event is dated 2025-07-30 but article `a1` was published 2025-07-04~"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("the event is dated 2025-08~ (from 2025-08-01) but article"), "{}", r.stderr);
    assert!(!r.stderr.contains("2025-07-30 (2025-07-30)"), "{}", r.stderr);
}

#[test]
fn a_missing_shard_gets_the_commands_that_write_it() {
    let w = Work::new("mini");
    let r = w.run(&["run", "--raw", "raw", "--shard", "0/3", "--out", "shards/0"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = w.run(&["merge", "shards/0", "--out", "out"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    for want in [
        "shard(s) 1/3, 2/3 missing",
        "`dyadflow run --raw raw --shard 1/3 --out shards/1`",
        "`dyadflow run --raw raw --shard 2/3 --out shards/2`",
        "`dyadflow merge shards/0 shards/1 shards/2 --out DIR`",
    ] {
        assert!(r.stderr.contains(want), "{want}: {}", r.stderr);
    }
    // the commands it gives work as written
    for k in ["1", "2"] {
        let r = w.run(&["run", "--raw", "raw", "--shard", &format!("{k}/3"), "--out", &format!("shards/{k}")]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let r = w.run(&["merge", "shards/0", "shards/1", "shards/2", "--out", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn validate_help_shows_the_columns_real_output_gives() {
    let w = Work::new("mini");
    let help = w.run(&["validate", "--help"]).stdout;
    // the help's row `a1,e2,Rusia,...` is line 3 of this corpus
    w.edit("raw/events.csv", "a1,e2,moscou,", "a1,e2,Rusia,");
    let human = w.run(&["validate", "--raw", "raw"]).stderr;
    let github = w.run(&["validate", "--raw", "raw", "--format", "github"]).stdout;
    let human_line = human.lines().find(|l| l.contains("[unknown-actor]")).unwrap();
    assert!(human_line.starts_with("raw/events.csv:3:3: error[unknown-actor]: no actor matches `Rusia`"), "{human}");
    assert!(help.contains("  raw/events.csv:14:3: error[unknown-actor]: no actor matches `Rusia`\n"), "{help}");
    let real = github.lines().find(|l| l.contains("unknown-actor")).unwrap();
    let shown = help.lines().find(|l| l.trim_start().starts_with("::error")).unwrap().trim_start();
    let shown = shown.replace("line=14,", "line=3,");
    // this corpus has more labels close to `Rusia`: the hint lists them all
    let (head, tail) = shown.split_once("(RUS)?").unwrap();
    assert!(real.starts_with(head) && real.ends_with(tail), "the help shows\n{shown}\nreal output is\n{real}");
}
