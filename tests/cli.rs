//! Integration tests: the real binary on fixture corpora in fresh temporary
//! directories.

mod common;
use common::*;

const TABLES: [&str; 7] = ["articles", "actors", "events", "mentions", "relationship_scores", "codes", "rejects"];

#[test]
fn run_publishes_every_table_and_a_reconciled_manifest() {
    let w = Work::new("mini");
    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for t in TABLES {
        assert!(w.path(&format!("out/{t}.parquet")).is_file(), "{t}");
    }
    assert_eq!(rows(&w.path("out/events.parquet")), 4);
    assert_eq!(rows(&w.path("out/actors.parquet")), 5);
    assert_eq!(rows(&w.path("out/mentions.parquet")), 8);
    assert_eq!(rows(&w.path("out/rejects.parquet")), 0);
    let m = manifest(&w.path("out/manifest.json"));
    assert_eq!(m["status"], "published");
    for (t, c) in m["tables"].as_object().unwrap() {
        assert_eq!(
            c["read"].as_u64().unwrap(),
            c["published"].as_u64().unwrap() + c["rejected"].as_u64().unwrap(),
            "{t}"
        );
    }
    assert_eq!(m["tables"]["events"]["published"], 4);
    let outputs = m["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), TABLES.len() + 1, "the tables and overview.html");
    for o in outputs {
        let bytes = std::fs::read(w.path(&format!("out/{}", o["file"].as_str().unwrap()))).unwrap();
        use sha2::Digest;
        assert_eq!(o["sha256"].as_str().unwrap(), format!("{:x}", sha2::Sha256::digest(&bytes)));
    }
    let inputs: Vec<&str> = m["inputs"].as_array().unwrap().iter().map(|i| i["path"].as_str().unwrap()).collect();
    assert_eq!(
        inputs,
        vec!["actors.csv", "articles.csv", "events.csv", "mentions.csv", "texts/a1.txt"],
        "every file of raw/, in path order"
    );
    assert!(m["rules"].as_array().unwrap().iter().all(|r| r["outcome"] == "pass"));
    assert!(w.path("out.run.json").is_file(), "the run report is written beside the output");
    // seven tables, overview.html, manifest.json and _SUCCESS
    assert!(r.stderr.contains("published 10 file(s)"), "{}", r.stderr);
}

#[test]
fn published_events_carry_codes_as_text_dates_and_top_actors() {
    let w = Work::new("mini");
    assert_eq!(w.run(&["run", "--raw", "raw", "--out", "out"]).code, 0);
    let ev = w.path("out/events.parquet");
    let codes = strings(&ev, "code");
    assert!(codes.contains(&Some("057".into())), "{codes:?}");
    assert_eq!(strings(&ev, "root_code")[0].as_deref(), Some("05"));
    let src_top = strings(&ev, "source_top_id");
    let src = strings(&ev, "source_id");
    let i = src.iter().position(|s| s.as_deref() == Some("RUS.GOV")).unwrap();
    assert_eq!(src_top[i].as_deref(), Some("RUS"), "Kremlin rolls up to Russia");
    let batch = &read_table(&ev)[0];
    assert_eq!(batch.schema().field_with_name("date_start").unwrap().data_type(), &arrow::datatypes::DataType::Date32);
    // raw_file is relative to the raw directory, raw_line physical
    assert_eq!(strings(&ev, "raw_file")[0].as_deref(), Some("events.csv"));
}

#[test]
fn validate_writes_nothing_and_exits_zero_on_a_valid_corpus() {
    let w = Work::new("mini");
    let r = w.run(&["validate", "--raw", "raw"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("valid: nothing written"));
    let names: Vec<String> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["raw".to_string()]);
}

/// The acceptance corpus: one error of each kind. The run must exit 1, print
/// one message per problem with its file and line, and leave --out untouched.
#[test]
fn a_corpus_with_errors_fails_and_leaves_the_previous_output_untouched() {
    let w = Work::new("mini");
    assert_eq!(w.run(&["run", "--raw", "raw", "--out", "out"]).code, 0);
    let before = snapshot(&w.path("out"));

    // line 2: unknown actor label; line 3: impossible date; line 4: evidence
    // not in the text; line 5: code 57 for 057; line 6: duplicate event id
    w.write(
        "raw/events.csv",
        "article_id,event_id,source,target,code,date,evidence\n\
         a1,e1,Rusia,IRN,057,2025-01,La Russie a signé un accord avec l’Iran\n\
         a1,e2,moscou,bakou,111,2025-02-30,Moscou a critiqué Bakou\n\
         a1,e3,AZE,RUS.MEDIA,173,2025-07,L’Azerbaïdjan a arrêté trois journalistes\n\
         a1,e4,RUS,IRN,57,2025-01,La Russie a signé un accord avec l’Iran\n\
         a1,e4,Kremlin,AZE,190,2025-07,Le Kremlin n’a pas envoyé de troupes\n",
    );
    // the mentions table lacks its required `text` column
    w.write("raw/mentions.csv", "article_id,actor\na1,RUS\n");

    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let expect = [
        ("raw/events.csv:2:3: error[unknown-actor]", "did you mean"),
        ("raw/events.csv:3:6: error[impossible-date]", "check the day"),
        ("raw/events.csv:4:7: error[evidence-not-found]", "closest passage"),
        ("raw/events.csv:5:5: error[unknown-code]", "`057`"),
        ("raw/events.csv:6:2: error[duplicate-key]", "renumber"),
        ("raw/mentions.csv:1: error[missing-column]", "`text`"),
    ];
    for (head, hint) in expect {
        let line = r
            .stderr
            .lines()
            .position(|l| l.starts_with(head))
            .unwrap_or_else(|| panic!("no `{head}` in\n{}", r.stderr));
        let next = r.stderr.lines().nth(line + 1).unwrap();
        assert!(next.contains("hint") && next.contains(hint), "{head}: {next}");
        assert_eq!(r.stderr.matches(head).count(), 1, "one message per problem: {head}");
    }
    assert!(r.stderr.contains("FAILED"), "{}", r.stderr);
    assert_eq!(snapshot(&w.path("out")), before, "the previous output is untouched");
    let report = manifest(&w.path("out.run.json"));
    assert_eq!(report["status"], "failed");
    assert_eq!(report["exit_code"], 1);
    assert_eq!(report["tables"]["events"]["rejected"], 5);
    assert_eq!(report["tables"]["mentions"]["rejected"], 1);
    assert_eq!(report["tables"]["events"]["read"], 5);
}

#[test]
fn a_share_of_rejects_within_the_configuration_publishes_the_rest() {
    let w = Work::new("mini");
    w.edit("raw/events.csv", "a1,e2,moscou,bakou", "a1,e2,moscow-nobody,bakou");
    w.write("lenient.toml", "[rejects.per_table]\nevents = 0.5\n");
    let r = w.run(&["run", "--raw", "raw", "--out", "out", "--config", "lenient.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("raw/events.csv:3:3: error[unknown-actor]"), "{}", r.stderr);
    assert_eq!(rows(&w.path("out/events.parquet")), 3);
    let rej = w.path("out/rejects.parquet");
    assert_eq!(strings(&rej, "rule"), vec![Some("unknown-actor".to_string())]);
    let record: serde_json::Value = serde_json::from_str(strings(&rej, "raw_record")[0].as_deref().unwrap()).unwrap();
    assert_eq!(record["source"], "moscow-nobody", "the raw record is kept whole");
    let m = manifest(&w.path("out/manifest.json"));
    assert_eq!(m["tables"]["events"]["read"], 4);
    assert_eq!(m["tables"]["events"]["rejected"], 1);
}

#[test]
fn json_log_format_prints_one_object_per_problem_and_a_summary() {
    let w = Work::new("mini");
    w.edit("raw/events.csv", "a1,e2,moscou", "a1,e2,nobody");
    let r = w.run(&["validate", "--raw", "raw", "--log-format", "json"]);
    assert_eq!(r.code, 1);
    let lines: Vec<serde_json::Value> = r
        .stderr
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect(l))
        .filter(|o| o["type"] != "progress")
        .collect();
    assert_eq!(lines.len(), 2, "besides progress objects: {}", r.stderr);
    assert_eq!(lines[0]["type"], "problem");
    assert_eq!(lines[0]["rule"], "unknown-actor");
    assert_eq!(lines[0]["file"], "raw/events.csv");
    assert_eq!(lines[0]["line"], 3);
    assert_eq!(lines[0]["column"], 3);
    assert_eq!(lines[1]["type"], "summary");
    assert_eq!(lines[1]["exit_code"], 1);
}

#[test]
fn usage_configuration_and_io_errors_exit_2() {
    let w = Work::new("mini");
    assert_eq!(w.run(&["run", "--bogus"]).code, 2);
    let r = w.run(&["validate", "--raw", "nowhere"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nowhere"), "{}", r.stderr);
    w.write("bad.toml", "[score]\nshrinkage = -1\n");
    let r = w.run(&["run", "--raw", "raw", "--config", "bad.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("score.shrinkage"), "{}", r.stderr);
    assert!(!w.path("output").exists());
    assert_eq!(w.run(&["run", "--raw", "nowhere", "--out", "o"]).code, 2);
    assert!(!w.path("o").exists(), "a mistyped --raw leaves the output alone");
}

#[test]
fn help_describes_commands_and_exit_codes() {
    let w = Work::new("mini");
    let r = w.run(&["run", "--help"]);
    assert_eq!(r.code, 0);
    for s in ["--raw", "--out", "--config", "--log-format", "Exit codes", "manifest.json"] {
        assert!(r.stdout.contains(s), "{s}");
    }
    assert!(w.run(&["validate", "--help"]).stdout.contains("writes nothing"));
}

#[test]
fn a_table_may_be_a_directory_of_batches() {
    let w = Work::new("mini");
    let events = w.read("raw/events.csv");
    let mut lines = events.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    std::fs::remove_file(w.path("raw/events.csv")).unwrap();
    w.write("raw/events/b.csv", format!("{header}\n{}\n", rows[2..].join("\n")));
    w.write("raw/events/a.csv", format!("{header}\n{}\n", rows[..2].join("\n")));
    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(rows_of(&w, "events"), 4);
    let files = strings(&w.path("out/events.parquet"), "raw_file");
    assert!(files.contains(&Some("events/a.csv".into())) && files.contains(&Some("events/b.csv".into())));

    // the same table given both ways is refused
    w.write("raw/events.csv", events);
    let r = w.run(&["run", "--raw", "raw", "--out", "out2"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("error[table-file-and-directory]"), "{}", r.stderr);
}

fn rows_of(w: &Work, table: &str) -> usize {
    rows(&w.path(&format!("out/{table}.parquet")))
}

#[test]
fn same_inputs_give_byte_identical_tables() {
    let w = Work::new("mini");
    assert_eq!(w.run(&["run", "--raw", "raw", "--out", "a"]).code, 0);
    assert_eq!(w.run(&["run", "--raw", "raw", "--out", "b"]).code, 0);
    for t in TABLES {
        let f = format!("{t}.parquet");
        assert_eq!(std::fs::read(w.path("a").join(&f)).unwrap(), std::fs::read(w.path("b").join(&f)).unwrap(), "{f}");
    }
    assert_eq!(manifest(&w.path("a/manifest.json"))["run_id"], manifest(&w.path("b/manifest.json"))["run_id"]);
}

#[test]
fn schema_command_prints_every_table() {
    let w = Work::new("mini");
    let r = w.run(&["schema"]);
    assert_eq!(r.code, 0);
    for t in TABLES {
        assert!(r.stdout.contains(&format!("### `{t}`")), "{t}");
    }
}

#[test]
fn severities_are_configurable_and_strict_fails_on_warnings() {
    let w = Work::new("mini");
    w.edit("raw/events.csv", "en janvier", "=HYPERLINK(1)");
    // a warning by default: published, and the rule is listed as `warn`
    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("raw/events.csv:2:7: warning[spreadsheet-formula]"), "{}", r.stderr);
    let m = manifest(&w.path("out.run.json"));
    let rule = m["rules"].as_array().unwrap().iter().find(|r| r["rule"] == "spreadsheet-formula").unwrap().clone();
    assert_eq!((rule["severity"].as_str(), rule["outcome"].as_str()), (Some("warning"), Some("warn")));
    // --strict: warnings fail the run
    let r = w.run(&["run", "--raw", "raw", "--out", "strict", "--strict"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("--strict"), "{}", r.stderr);
    // raised to an error by configuration: the row is rejected and the run fails
    w.write("raise.toml", "[severity]\nspreadsheet-formula = \"error\"\n");
    let r = w.run(&["run", "--raw", "raw", "--out", "raised", "--config", "raise.toml"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("raw/events.csv:2:7: error[spreadsheet-formula]"), "{}", r.stderr);
    assert_eq!(manifest(&w.path("raised.run.json"))["tables"]["events"]["rejected"], 1);

    // an error that may be lowered: published with a warning
    let w = Work::new("mini");
    w.edit("raw/events.csv", ",2025-01,en janvier,asserted", ",2025-09,en janvier,asserted");
    assert_eq!(w.run(&["run", "--raw", "raw", "--out", "out"]).code, 1);
    w.write("lower.toml", "[severity]\ndate-after-published = \"warning\"\n");
    let r = w.run(&["run", "--raw", "raw", "--out", "out", "--config", "lower.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("warning[date-after-published]"), "{}", r.stderr);
    assert_eq!(rows(&w.path("out/events.parquet")), 4);
    // an error that may not be lowered: the configuration is refused
    w.write("bad.toml", "[severity]\nunknown-actor = \"warning\"\n");
    let r = w.run(&["run", "--raw", "raw", "--out", "out", "--config", "bad.toml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("unknown-actor"), "{}", r.stderr);
}

#[test]
fn progress_is_json_objects_under_json_logs_and_nothing_when_not_a_terminal() {
    let w = Work::new("mini");
    let r = w.run_env(
        &["run", "--raw", "raw", "--out", "out", "--log-format", "json"],
        &[("DYADFLOW_PROGRESS_INTERVAL_MS", "1")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let objects: Vec<serde_json::Value> =
        r.stderr.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"))).collect();
    let progress: Vec<&serde_json::Value> = objects.iter().filter(|o| o["type"] == "progress").collect();
    let done: Vec<(&str, u64)> = progress
        .iter()
        .filter(|o| o["done"] == true)
        .map(|o| (o["stage"].as_str().unwrap(), o["rows"].as_u64().unwrap()))
        .collect();
    // 1 article + 5 actors; 4 events + 8 mentions routed and normalized; 4
    // events merged; 1 + 5 + 4 + 8 rows, and the scores, published
    let published: u64 = manifest(&w.path("out.run.json"))["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["rows"].as_u64().unwrap())
        .sum();
    assert_eq!(
        done,
        vec![("dimensions", 6), ("route", 12), ("partitions", 12), ("finalize", 4), ("publish", published)],
        "{}",
        r.stderr
    );
    for o in &progress {
        assert!(o["elapsed_ms"].is_u64() && o["rows_per_s"].is_number(), "{o}");
    }
    assert_eq!(objects.last().unwrap()["type"], "summary", "the summary still comes last");

    // stderr is a pipe here, not a terminal: no bars, no progress lines
    let r = w.run(&["run", "--raw", "raw", "--out", "out2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("rows/s") && !r.stderr.contains("progress"), "{}", r.stderr);
}

#[test]
fn progress_on_a_terminal_has_rounded_rates_a_share_done_and_no_empty_counts() {
    // a terminal for standard error: util-linux `script` runs the command in
    // a pseudo-terminal
    let has_script = std::process::Command::new("script").arg("--version").output().is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!("SKIPPED: no `script` (util-linux) to give the run a terminal");
        return;
    }
    let w = Work::new("mini");
    let cmd = format!("'{}' run --raw raw --out out", env!("CARGO_BIN_EXE_dyadflow"));
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(w.dir.path())
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success() && screen.contains("published 10 file(s)"), "{screen}");
    // every stage ends with its count and "done"; the partitions, whose total
    // is known once the rows are routed, with their share and total
    for stage in ["dimensions", "route", "partitions", "finalize", "publish"] {
        assert!(screen.contains(stage), "{stage}: {screen}");
    }
    assert!(screen.contains("100%  12 of 12 rows"), "{screen}");
    assert!(screen.contains("4 rows") && screen.contains("done"), "{screen}");
    // a stage busy before its rows come says what it does, not "0 rows"
    assert!(!screen.contains(" 0 rows"), "{screen}");
    // rates: whole rows per second, or three significant digits with k or M
    let rates: Vec<&str> = screen.split(" rows/s").filter_map(|before| before.rsplit(", ").next()).collect();
    assert!(rates.len() > 1, "{screen}");
    for r in &rates[..rates.len() - 1] {
        let n = r.trim_end_matches(" k").trim_end_matches(" M");
        assert!(n.parse::<f64>().is_ok() && n.split('.').nth(1).is_none_or(|d| d.len() <= 2), "rate {r:?} in {screen}");
    }
}

#[test]
fn published_tables_carry_code_attributes_tops_counts_and_their_sort_order() {
    let w = Work::new("mini");
    assert_eq!(w.run(&["run", "--raw", "raw", "--out", "out"]).code, 0);
    let events = w.path("out/events.parquet");
    let reference = dyadflow::reference::Reference::builtin();
    for (code, label) in texts(&events, "code").iter().zip(texts(&events, "code_label")) {
        assert_eq!(label.as_deref(), Some(reference.get(code.as_deref().unwrap()).unwrap().label.as_str()));
    }
    let key = |i: usize, c: &[Vec<Option<String>>]| c.iter().map(|v| v[i].clone()).collect::<Vec<_>>();
    let sort: Vec<Vec<Option<String>>> =
        ["date_start", "date_end", "source_id", "target_id", "event_key"].iter().map(|c| texts(&events, c)).collect();
    let starts: Vec<i64> = sort[0].iter().map(|d| d.as_deref().unwrap().replace('-', "").parse().unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "sorted by date_start: {starts:?}");
    assert!((1..starts.len()).all(|i| key(i - 1, &sort) <= key(i, &sort)), "sorted by the whole sort key");
    let targets = texts(&events, "target_id");
    let i = targets.iter().position(|t| t.as_deref() == Some("RUS.MEDIA")).unwrap();
    assert_eq!(texts(&events, "target_top_id")[i].as_deref(), Some("RUS"));

    // counts per actor: events as source or target (once per event), mentions
    let actors = w.path("out/actors.parquet");
    let ids = texts(&actors, "actor_id");
    let at = |id: &str| ids.iter().position(|x| x.as_deref() == Some(id)).unwrap();
    let (ev, men) = (texts(&actors, "event_count"), texts(&actors, "mention_count"));
    assert_eq!((ev[at("RUS")].as_deref(), men[at("RUS")].as_deref()), (Some("2"), Some("3")));
    assert_eq!(ev[at("AZE")].as_deref(), Some("3"));
    let articles = w.path("out/articles.parquet");
    assert_eq!(texts(&articles, "event_count"), vec![Some("4".to_string())]);
    assert_eq!(texts(&articles, "mention_count"), vec![Some("8".to_string())]);
    let mentions = w.path("out/mentions.parquet");
    assert_eq!(texts(&mentions, "top_id").iter().filter(|t| t.as_deref() == Some("RUS")).count(), 5);
    let starts: Vec<i64> = texts(&mentions, "start").iter().map(|s| s.as_deref().unwrap().parse().unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "mentions sorted by place: {starts:?}");
}
