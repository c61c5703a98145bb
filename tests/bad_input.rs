//! The broken-input corpus: each case is the mini corpus (`fixtures/mini`)
//! with one defect, run through the real binary in a fresh directory. A case
//! states the exit code, and the rule and `file:line[:column]` the run must
//! report (None: the input is valid and must be accepted without a problem).
//! Every case must leave a run report whose counts reconcile, must publish
//! nothing when it fails, and is run a second time with every rejected row
//! allowed (`max_share = 1`), where each raw row must end in its table or in
//! the rejects table with its rule (or, for file-level defects, the run must
//! still fail).

mod common;
use common::*;

struct Case {
    name: &'static str,
    setup: fn(&Work),
    exit: i32,
    /// (rule, "file:line[:column]") that must be printed; None for a clean run
    expect: Option<(&'static str, &'static str)>,
    /// exit code when every rejected row is allowed: 0 for defects that
    /// reject rows, 1 for those that make a whole file unusable
    quarantine: i32,
}

const EVENTS_HEADER: &str =
    "article_id,event_id,source,target,code,date,date_text,mode,evidence,quantity,quantity_unit,confidence,annotator";

fn append_event(w: &Work, row: &str) {
    let mut s = w.read("raw/events.csv");
    s.push_str(row);
    s.push('\n');
    w.write("raw/events.csv", s);
}

fn crlf_everywhere(w: &Work) {
    for f in ["articles", "actors", "events", "mentions"] {
        let p = format!("raw/{f}.csv");
        let s = w.read(&p).replace('\n', "\r\n");
        w.write(&p, s);
    }
}

const CASES: &[Case] = &[
    // --- encoding and bytes
    Case {
        name: "invalid UTF-8 in a row",
        setup: |w| {
            let mut b = std::fs::read(w.path("raw/events.csv")).unwrap();
            b.extend_from_slice(b"a1,e9,RUS,IRN,057,2025-01,,,La Russie a sign\xe9,,,1,t\n");
            w.write("raw/events.csv", b);
        },
        exit: 1,
        expect: Some(("invalid-utf8", "raw/events.csv:6:9")),
        quarantine: 0,
    },
    Case {
        name: "byte-order mark",
        setup: |w| {
            let s = w.read("raw/events.csv");
            w.write("raw/events.csv", format!("\u{feff}{s}"));
        },
        exit: 0,
        expect: None,
        quarantine: 0,
    },
    Case { name: "CRLF line ends", setup: crlf_everywhere, exit: 0, expect: None, quarantine: 0 },
    Case {
        name: "CRLF line ends keep line numbers",
        setup: |w| {
            w.edit("raw/events.csv", "a1,e3,AZE", "a1,e3,NOBODY");
            crlf_everywhere(w);
        },
        exit: 1,
        expect: Some(("unknown-actor", "raw/events.csv:4:3")),
        quarantine: 0,
    },
    Case {
        name: "old Mac line ends (CR only) keep line numbers",
        setup: |w| {
            w.edit("raw/events.csv", "a1,e3,AZE", "a1,e3,NOBODY");
            let s = w.read("raw/events.csv").replace('\n', "\r");
            w.write("raw/events.csv", s);
        },
        exit: 1,
        expect: Some(("unknown-actor", "raw/events.csv:4:3")),
        quarantine: 0,
    },
    Case {
        name: "NUL byte",
        setup: |w| append_event(w, "a1,e9,RUS,IRN,057,2025-01,,,La\u{0} Russie,,,1,t"),
        exit: 1,
        expect: Some(("nul-byte", "raw/events.csv:6:9")),
        quarantine: 0,
    },
    Case {
        name: "article text that is not UTF-8",
        setup: |w| {
            let mut b = std::fs::read(w.path("raw/texts/a1.txt")).unwrap();
            b.extend_from_slice(b"caf\xe9\n");
            w.write("raw/texts/a1.txt", b);
        },
        exit: 1,
        expect: Some(("text-not-utf8", "raw/articles.csv:2:5")),
        quarantine: 0,
    },
    // --- CSV structure
    Case {
        name: "quoted line break keeps later line numbers physical",
        setup: |w| {
            w.edit("raw/events.csv", "1,t\na1,e2", "1,\"two\nlines\"\na1,e2");
            w.edit("raw/events.csv", "a1,e3,AZE", "a1,e3,NOBODY");
        },
        exit: 1,
        expect: Some(("unknown-actor", "raw/events.csv:5:3")),
        quarantine: 0,
    },
    Case {
        name: "blank line keeps later line numbers physical",
        setup: |w| {
            w.edit("raw/events.csv", "1,t\na1,e2", "1,t\n\na1,e2");
            w.edit("raw/events.csv", "a1,e3,AZE", "a1,e3,NOBODY");
        },
        exit: 1,
        expect: Some(("unknown-actor", "raw/events.csv:5:3")),
        quarantine: 0,
    },
    Case {
        name: "quote never closed at the end of the file",
        setup: |w| append_event(w, "a1,e9,RUS,IRN,057,2025-01,\"never closed,,La Russie,,,1,t"),
        exit: 1,
        expect: Some(("field-count", "raw/events.csv:6")),
        quarantine: 0,
    },
    Case {
        name: "10 MB field",
        setup: |w| {
            append_event(w, &format!("a1,e9,RUS,IRN,057,2025-01,{},,La Russie a signé,,,1,t", "x".repeat(10 << 20)))
        },
        exit: 0,
        expect: None,
        quarantine: 0,
    },
    Case {
        name: "10 MB evidence that is not in the text",
        setup: |w| append_event(w, &format!("a1,e9,RUS,IRN,057,2025-01,,,{},,,1,t", "y".repeat(10 << 20))),
        exit: 1,
        expect: Some(("evidence-not-found", "raw/events.csv:6:9")),
        quarantine: 0,
    },
    Case {
        name: "empty events file",
        setup: |w| w.write("raw/events.csv", ""),
        exit: 1,
        expect: Some(("empty-file", "raw/events.csv:1")),
        quarantine: 1,
    },
    Case {
        name: "header only",
        setup: |w| w.write("raw/events.csv", format!("{EVENTS_HEADER}\n")),
        exit: 0,
        expect: Some(("no-rows", "raw/events.csv:1")),
        quarantine: 0,
    },
    Case {
        name: "duplicate column",
        setup: |w| w.edit("raw/events.csv", "annotator\n", "code\n"),
        exit: 1,
        expect: Some(("duplicate-column", "raw/events.csv:1:13")),
        quarantine: 1,
    },
    Case {
        name: "missing required column",
        setup: |w| w.edit("raw/events.csv", ",code,", ",kode,"),
        exit: 1,
        expect: Some(("missing-column", "raw/events.csv:1")),
        quarantine: 1,
    },
    Case {
        name: "column the format does not define",
        setup: |w| {
            let s = w.read("raw/events.csv").replace('\n', ",x\n").replacen(",x\n", ",comment\n", 1);
            w.write("raw/events.csv", s);
        },
        exit: 0,
        expect: Some(("unknown-column", "raw/events.csv:1:14")),
        quarantine: 0,
    },
    Case {
        name: "too many fields",
        setup: |w| append_event(w, "a1,e9,RUS,IRN,057,2025-01,,,La Russie,,,1,t,extra"),
        exit: 1,
        expect: Some(("field-count", "raw/events.csv:6")),
        quarantine: 0,
    },
    Case {
        name: "too few fields",
        setup: |w| append_event(w, "a1,e9,RUS,IRN,057"),
        exit: 1,
        expect: Some(("field-count", "raw/events.csv:6")),
        quarantine: 0,
    },
    // --- tables and paths
    Case {
        name: "missing required table",
        setup: |w| std::fs::remove_file(w.path("raw/articles.csv")).unwrap(),
        exit: 1,
        expect: Some(("missing-table", "raw/articles.csv")),
        quarantine: 1,
    },
    Case {
        name: "table given both as a file and as a directory",
        setup: |w| {
            w.write("raw/events/b1.csv", format!("{EVENTS_HEADER}\na1,e9,RUS,IRN,057,2025-01,,,La Russie,,,1,t\n"))
        },
        exit: 1,
        expect: Some(("table-file-and-directory", "raw/events.csv")),
        quarantine: 1,
    },
    Case {
        name: "defect in the second batch of a directory",
        setup: |w| {
            let s = w.read("raw/events.csv");
            let (head, rows) = s.split_once('\n').unwrap();
            let (first, rest) = rows.split_once("a1,e3").unwrap();
            std::fs::remove_file(w.path("raw/events.csv")).unwrap();
            w.write("raw/events/2025-01.csv", format!("{head}\n{first}"));
            w.write("raw/events/2025-02.csv", format!("{head}\na1,e3{}", rest.replacen(",AZE,", ",NOBODY,", 1)));
        },
        exit: 1,
        expect: Some(("unknown-actor", "raw/events/2025-02.csv:2:3")),
        quarantine: 0,
    },
    Case {
        name: "text path leaving the raw directory",
        setup: |w| w.edit("raw/articles.csv", "texts/a1.txt", "../a1.txt"),
        exit: 1,
        expect: Some(("invalid-path", "raw/articles.csv:2:5")),
        quarantine: 0,
    },
    Case {
        name: "absolute text path",
        setup: |w| w.edit("raw/articles.csv", "texts/a1.txt", "/etc/hostname"),
        exit: 1,
        expect: Some(("invalid-path", "raw/articles.csv:2:5")),
        quarantine: 0,
    },
    Case {
        name: "symbolic link leaving the raw directory",
        setup: |w| {
            w.write("outside.txt", w.read("raw/texts/a1.txt"));
            std::fs::remove_file(w.path("raw/texts/a1.txt")).unwrap();
            #[cfg(unix)]
            std::os::unix::fs::symlink(w.path("outside.txt"), w.path("raw/texts/a1.txt")).unwrap();
        },
        exit: 1,
        expect: Some(("text-outside-raw", "raw/articles.csv:2:5")),
        quarantine: 0,
    },
    Case {
        name: "text file missing",
        setup: |w| std::fs::remove_file(w.path("raw/texts/a1.txt")).unwrap(),
        exit: 1,
        expect: Some(("text-missing", "raw/articles.csv:2:5")),
        quarantine: 0,
    },
    // --- fields
    Case {
        name: "number in a code column",
        setup: |w| w.edit("raw/events.csv", ",057,", ",57,"),
        exit: 1,
        expect: Some(("unknown-code", "raw/events.csv:2:5")),
        quarantine: 0,
    },
    Case {
        name: "code that is not digits",
        setup: |w| w.edit("raw/events.csv", ",057,", ",05a,"),
        exit: 1,
        expect: Some(("invalid-code", "raw/events.csv:2:5")),
        quarantine: 0,
    },
    Case {
        name: "required field empty",
        setup: |w| w.edit("raw/events.csv", "a1,e1,RUS,", "a1,e1,,"),
        exit: 1,
        expect: Some(("missing-value", "raw/events.csv:2:3")),
        quarantine: 0,
    },
    Case {
        name: "actor id with a space",
        setup: |w| w.edit("raw/actors.csv", "IRN,Iran,", "I RN,Iran,"),
        exit: 1,
        expect: Some(("invalid-id", "raw/actors.csv:4:1")),
        quarantine: 0,
    },
    Case {
        name: "mode outside its accepted values",
        setup: |w| w.edit("raw/events.csv", "en janvier,asserted", "en janvier,certain"),
        exit: 1,
        expect: Some(("invalid-enum", "raw/events.csv:2:8")),
        quarantine: 0,
    },
    Case {
        name: "confidence above 1",
        setup: |w| w.edit("raw/events.csv", "l’Iran,,,1,t", "l’Iran,,,1.5,t"),
        exit: 1,
        expect: Some(("invalid-number", "raw/events.csv:2:12")),
        quarantine: 0,
    },
    Case {
        name: "country that is not ISO alpha-3",
        setup: |w| w.edit("raw/actors.csv", "IRN,Iran,state,IRN,", "IRN,Iran,state,Iran,"),
        exit: 1,
        expect: Some(("invalid-country", "raw/actors.csv:4:4")),
        quarantine: 0,
    },
    Case {
        name: "spreadsheet formula in a text field",
        setup: |w| w.edit("raw/events.csv", "en janvier", "=HYPERLINK(\"\"http://x\"\")"),
        exit: 0,
        expect: Some(("spreadsheet-formula", "raw/events.csv:2:7")),
        quarantine: 0,
    },
    // --- dates
    Case {
        name: "impossible EDTF date",
        setup: |w| w.edit("raw/events.csv", ",2025-01,en janvier", ",2025-02-30,en janvier"),
        exit: 1,
        expect: Some(("impossible-date", "raw/events.csv:2:6")),
        quarantine: 0,
    },
    Case {
        name: "impossible date in published",
        setup: |w| w.edit("raw/articles.csv", "2025-07-04~", "2025-13~"),
        exit: 1,
        expect: Some(("impossible-date", "raw/articles.csv:2:3")),
        quarantine: 0,
    },
    Case {
        name: "reversed EDTF interval",
        setup: |w| w.edit("raw/events.csv", ",2025-01,", ",2025-03/2025-01,"),
        exit: 1,
        expect: Some(("reversed-interval", "raw/events.csv:2:6")),
        quarantine: 0,
    },
    Case {
        name: "date that is not EDTF",
        setup: |w| w.edit("raw/events.csv", ",2025-01,", ",01/2025,"),
        exit: 1,
        expect: Some(("invalid-date", "raw/events.csv:2:6")),
        quarantine: 0,
    },
    Case {
        name: "event dated after publication",
        setup: |w| w.edit("raw/events.csv", ",2025-01,en janvier,asserted", ",2025-09,en janvier,asserted"),
        exit: 1,
        expect: Some(("date-after-published", "raw/events.csv:2:6")),
        quarantine: 0,
    },
    // --- actors and keys
    Case {
        name: "label of two actors",
        setup: |w| w.edit("raw/actors.csv", "IRN,Iran,state,IRN,,l’Iran,", "IRN,Iran,state,IRN,,l’Iran|Moscou,"),
        exit: 1,
        expect: Some(("ambiguous-actor", "raw/events.csv:3:3")),
        quarantine: 0,
    },
    Case {
        name: "parent cycle",
        setup: |w| w.edit("raw/actors.csv", "RUS,Russia,state,RUS,,", "RUS,Russia,state,RUS,RUS.GOV,"),
        exit: 1,
        expect: Some(("parent-cycle", "raw/actors.csv:2:5")),
        quarantine: 0,
    },
    Case {
        name: "unknown parent",
        setup: |w| w.edit("raw/actors.csv", "government,RUS,RUS,", "government,RUS,USSR,"),
        exit: 1,
        expect: Some(("unknown-parent", "raw/actors.csv:3:5")),
        quarantine: 0,
    },
    Case {
        name: "actor id used twice",
        setup: |w| {
            let s = w.read("raw/actors.csv");
            w.write("raw/actors.csv", format!("{s}IRN,Persia,state,IRN,,,\n"));
        },
        exit: 1,
        expect: Some(("duplicate-key", "raw/actors.csv:7:1")),
        quarantine: 0,
    },
    Case {
        name: "event id used twice in an article",
        setup: |w| w.edit("raw/events.csv", "a1,e2,", "a1,e1,"),
        exit: 1,
        expect: Some(("duplicate-key", "raw/events.csv:3:2")),
        quarantine: 0,
    },
    // --- evidence and mentions
    Case {
        name: "evidence not in the text",
        setup: |w| w.edit("raw/events.csv", "signé un accord", "signé un traité"),
        exit: 1,
        expect: Some(("evidence-not-found", "raw/events.csv:2:9")),
        quarantine: 0,
    },
    Case {
        name: "evidence twice without evidence_start",
        setup: |w| {
            let t = w.read("raw/texts/a1.txt");
            w.write("raw/texts/a1.txt", format!("{t}Moscou a critiqué Bakou.\n"));
        },
        exit: 1,
        expect: Some(("evidence-ambiguous", "raw/events.csv:3:9")),
        quarantine: 0,
    },
    Case {
        name: "mention start that does not point at its text",
        setup: |w| w.edit("raw/mentions.csv", "a1,RUS,Russie,", "a1,RUS,Russie,0"),
        exit: 1,
        expect: Some(("mention-offset", "raw/mentions.csv:2:4")),
        quarantine: 0,
    },
    Case {
        name: "mention not in the text",
        setup: |w| w.edit("raw/mentions.csv", "a1,IRN,l’Iran,", "a1,IRN,la Perse,"),
        exit: 1,
        expect: Some(("mention-not-found", "raw/mentions.csv:4:3")),
        quarantine: 0,
    },
];

#[test]
fn the_corpus_has_a_case_for_every_defect_the_contract_names() {
    assert!(CASES.len() >= 30, "{} cases", CASES.len());
    let mut names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), CASES.len(), "case names are unique");
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains(&format!("{} one-defect corpora", CASES.len())), "the README states the number of cases");
}

/// Checks one run of a case; returns what is wrong.
fn check_run(w: &Work, r: &Run, out: &str, exit: i32) -> Vec<String> {
    let mut why = Vec::new();
    if r.code != exit {
        why.push(format!("{out}: exit {} (expected {exit})", r.code));
    }
    if r.stderr.contains("panicked") {
        why.push(format!("{out}: panicked"));
    }
    let m = match std::fs::read_to_string(w.path(&format!("{out}.run.json"))) {
        Ok(text) => serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        Err(e) => {
            why.push(format!("{out}: no run report: {e}"));
            return why;
        }
    };
    for (t, c) in m["tables"].as_object().unwrap() {
        let (read, published, rejected) =
            (c["read"].as_u64().unwrap(), c["published"].as_u64().unwrap(), c["rejected"].as_u64().unwrap());
        if read != published + rejected {
            why.push(format!("{out}: {t}: read {read} != {published} + {rejected}"));
        }
    }
    if (m["status"] == "published") != (exit == 0) {
        why.push(format!("{out}: status {}", m["status"]));
    }
    let current = w.path(&format!("{out}/current"));
    if exit != 0 {
        if current.exists() {
            why.push(format!("{out}: a failed run published a set"));
        }
        return why;
    }
    // published: every row is in its table or in the rejects table
    let rejects = w.path(&format!("{out}/current/rejects.parquet"));
    let rejected_tables = strings(&rejects, "table");
    let rules = strings(&rejects, "rule");
    if rules.iter().any(|r| r.as_deref().unwrap_or("").is_empty()) {
        why.push(format!("{out}: a rejected row without its rule"));
    }
    for (t, c) in m["tables"].as_object().unwrap() {
        let published = rows(&current.join(format!("{t}.parquet"))) as u64;
        if published != c["published"].as_u64().unwrap() {
            why.push(format!("{out}: {t}.parquet has {published} rows, the record says {}", c["published"]));
        }
        let rejected = rejected_tables.iter().filter(|x| x.as_deref() == Some(t.as_str())).count() as u64;
        if rejected != c["rejected"].as_u64().unwrap() {
            why.push(format!("{out}: rejects.parquet has {rejected} {t} rows, the record says {}", c["rejected"]));
        }
    }
    why
}

#[test]
fn every_broken_corpus_gives_its_documented_result_and_loses_nothing() {
    let mut failures = Vec::new();
    for case in CASES {
        let w = Work::new("mini");
        (case.setup)(&w);
        let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
        let mut why = check_run(&w, &r, "out", case.exit);
        match case.expect {
            Some((rule, at)) => {
                let want = format!("{at}:");
                if !r.stderr.lines().any(|l| l.starts_with(&want) && l.contains(&format!("[{rule}]"))) {
                    why.push(format!("no `{at}: ...[{rule}]`"));
                }
            }
            None => {
                let m = manifest(&w.path("out.run.json"));
                if m["errors"] != 0 || m["warnings"] != 0 {
                    why.push(format!("a valid input gave {} error(s), {} warning(s)", m["errors"], m["warnings"]));
                }
            }
        }

        // the same corpus with every rejected row allowed: the valid rows are
        // published and the others quarantined in the rejects table
        w.write("quarantine.toml", "[rejects]\nmax_share = 1.0\n");
        let q = w.run(&["run", "--raw", "raw", "--out", "q", "--config", "quarantine.toml"]);
        why.extend(check_run(&w, &q, "q", case.quarantine));
        if let (1, 0, Some((rule, _))) = (case.exit, case.quarantine, case.expect) {
            let rules = strings(&w.path("q/current/rejects.parquet"), "rule");
            if !rules.contains(&Some(rule.to_string())) {
                why.push(format!("q: no rejected row carries {rule}: {rules:?}"));
            }
        }
        if !why.is_empty() {
            failures.push(format!(
                "{}: {}\n{}",
                case.name,
                why.join("; "),
                r.stderr.chars().take(1500).collect::<String>()
            ));
        }
    }
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n\n"));
}

#[cfg(unix)]
#[test]
fn a_link_leaving_the_raw_directory_is_refused() {
    let w = Work::new("mini");
    w.write("outside.txt", w.read("raw/texts/a1.txt"));
    std::fs::remove_file(w.path("raw/texts/a1.txt")).unwrap();
    std::os::unix::fs::symlink(w.path("outside.txt"), w.path("raw/texts/a1.txt")).unwrap();
    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("raw/articles.csv:2:5: error[text-outside-raw]"), "{}", r.stderr);
    // the article is rejected, and so are its events and mentions, each with its reason
    let m = manifest(&w.path("out.run.json"));
    assert_eq!(m["tables"]["articles"]["rejected"], 1);
    assert_eq!(m["tables"]["events"]["rejected"], 4);
    assert_eq!(m["tables"]["mentions"]["rejected"], 8);
    assert!(r.stderr.contains("error[unknown-article]"));
}
