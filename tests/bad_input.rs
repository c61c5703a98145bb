//! Bad input never panics and never loses rows: each case is the mini corpus
//! with one defect, run through the real binary. The case states the exit
//! code and the rule, file and line it must report; every case must leave a
//! run report whose counts reconcile.

mod common;
use common::*;

struct Case {
    name: &'static str,
    setup: fn(&Work),
    exit: i32,
    /// (rule, "file:line" prefix) that must be printed; None for a clean run
    expect: Option<(&'static str, &'static str)>,
}

const EVENTS_HEADER: &str =
    "article_id,event_id,source,target,code,date,date_text,mode,evidence,quantity,quantity_unit,confidence,annotator";

fn append_event(w: &Work, row: &str) {
    let mut s = w.read("raw/events.csv");
    s.push_str(row);
    s.push('\n');
    w.write("raw/events.csv", s);
}

const CASES: &[Case] = &[
    Case {
        name: "invalid UTF-8 in a row",
        setup: |w| {
            let mut b = std::fs::read(w.path("raw/events.csv")).unwrap();
            b.extend_from_slice(b"a1,e9,RUS,IRN,057,2025-01,,,La Russie a sign\xe9\n");
            w.write("raw/events.csv", b);
        },
        exit: 1,
        expect: Some(("invalid-utf8", "raw/events.csv:6:9")),
    },
    Case {
        name: "byte-order mark and CRLF line ends",
        setup: |w| {
            let s = w.read("raw/actors.csv").replace('\n', "\r\n");
            w.write("raw/actors.csv", format!("\u{feff}{s}"));
        },
        exit: 0,
        expect: None,
    },
    Case {
        name: "quoted line break keeps later line numbers physical",
        setup: |w| {
            w.edit("raw/events.csv", "1,t\na1,e2", "1,\"two\nlines\"\na1,e2");
            w.edit("raw/events.csv", "a1,e3,AZE", "a1,e3,NOBODY");
        },
        exit: 1,
        expect: Some(("unknown-actor", "raw/events.csv:5:3")),
    },
    Case {
        name: "empty events file",
        setup: |w| w.write("raw/events.csv", ""),
        exit: 1,
        expect: Some(("empty-file", "raw/events.csv:1")),
    },
    Case {
        name: "header only",
        setup: |w| {
            w.write("raw/events.csv", format!("{EVENTS_HEADER}\n"));
        },
        exit: 0,
        expect: Some(("no-rows", "raw/events.csv:1")),
    },
    Case {
        name: "duplicate column",
        setup: |w| w.edit("raw/events.csv", "annotator\n", "code\n"),
        exit: 1,
        expect: Some(("duplicate-column", "raw/events.csv:1:13")),
    },
    Case {
        name: "too many fields",
        setup: |w| append_event(w, "a1,e9,RUS,IRN,057,2025-01,,,La Russie,,,1,t,extra"),
        exit: 1,
        expect: Some(("field-count", "raw/events.csv:6")),
    },
    Case {
        name: "NUL byte",
        setup: |w| append_event(w, "a1,e9,RUS,IRN,057,2025-01,,,La\u{0} Russie,,,1,t"),
        exit: 1,
        expect: Some(("nul-byte", "raw/events.csv:6:9")),
    },
    Case {
        name: "number in a code column",
        setup: |w| w.edit("raw/events.csv", ",057,", ",57,"),
        exit: 1,
        expect: Some(("unknown-code", "raw/events.csv:2:5")),
    },
    Case {
        name: "reversed interval",
        setup: |w| w.edit("raw/events.csv", ",2025-01,", ",2025-03/2025-01,"),
        exit: 1,
        expect: Some(("reversed-interval", "raw/events.csv:2:6")),
    },
    Case {
        name: "label of two actors",
        setup: |w| w.edit("raw/actors.csv", "IRN,Iran,state,IRN,,l’Iran,", "IRN,Iran,state,IRN,,l’Iran|Moscou,"),
        exit: 1,
        expect: Some(("ambiguous-actor", "raw/events.csv:3:3")),
    },
    Case {
        name: "parent cycle",
        setup: |w| w.edit("raw/actors.csv", "RUS,Russia,state,RUS,,", "RUS,Russia,state,RUS,RUS.GOV,"),
        exit: 1,
        expect: Some(("parent-cycle", "raw/actors.csv:2:5")),
    },
    Case {
        name: "text path leaving the raw directory",
        setup: |w| w.edit("raw/articles.csv", "texts/a1.txt", "../a1.txt"),
        exit: 1,
        expect: Some(("invalid-path", "raw/articles.csv:2:5")),
    },
    Case {
        name: "absolute text path",
        setup: |w| w.edit("raw/articles.csv", "texts/a1.txt", "/etc/hostname"),
        exit: 1,
        expect: Some(("invalid-path", "raw/articles.csv:2:5")),
    },
    Case {
        name: "evidence twice without evidence_start",
        setup: |w| {
            let t = w.read("raw/texts/a1.txt");
            w.write("raw/texts/a1.txt", format!("{t}Moscou a critiqué Bakou.\n"));
        },
        exit: 1,
        expect: Some(("evidence-ambiguous", "raw/events.csv:3:9")),
    },
    Case {
        name: "spreadsheet formula in a text field",
        setup: |w| w.edit("raw/events.csv", "en janvier", "=HYPERLINK(\"\"http://x\"\")"),
        exit: 0,
        expect: Some(("spreadsheet-formula", "raw/events.csv:2:7")),
    },
    Case {
        name: "10 MB field",
        setup: |w| {
            append_event(w, &format!("a1,e9,RUS,IRN,057,2025-01,{},,La Russie a signé,,,1,t", "x".repeat(10 << 20)))
        },
        exit: 0,
        expect: None,
    },
    Case {
        name: "missing required table",
        setup: |w| std::fs::remove_file(w.path("raw/articles.csv")).unwrap(),
        exit: 1,
        expect: Some(("missing-table", "raw/articles.csv")),
    },
    Case {
        name: "event dated after publication",
        setup: |w| w.edit("raw/events.csv", ",2025-01,en janvier,asserted", ",2025-09,en janvier,asserted"),
        exit: 1,
        expect: Some(("date-after-published", "raw/events.csv:2:6")),
    },
    Case {
        name: "impossible date in published",
        setup: |w| w.edit("raw/articles.csv", "2025-07-04~", "2025-13~"),
        exit: 1,
        expect: Some(("impossible-date", "raw/articles.csv:2:3")),
    },
];

#[test]
fn every_broken_corpus_gives_its_documented_result_and_loses_nothing() {
    let mut failures = Vec::new();
    for case in CASES {
        let w = Work::new("mini");
        (case.setup)(&w);
        let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
        let mut why = Vec::new();
        if r.code != case.exit {
            why.push(format!("exit {} (expected {})", r.code, case.exit));
        }
        if r.stderr.contains("panicked") {
            why.push("panicked".into());
        }
        if let Some((rule, at)) = case.expect {
            let want = format!("{at}:");
            if !r.stderr.lines().any(|l| l.starts_with(&want) && l.contains(&format!("[{rule}]"))) {
                why.push(format!("no `{at}: ...[{rule}]`"));
            }
        }
        match std::fs::read_to_string(w.path("out.run.json")) {
            Ok(text) => {
                let m: serde_json::Value = serde_json::from_str(&text).unwrap();
                for (t, c) in m["tables"].as_object().unwrap() {
                    let (read, published, rejected) = (
                        c["read"].as_u64().unwrap(),
                        c["published"].as_u64().unwrap(),
                        c["rejected"].as_u64().unwrap(),
                    );
                    if read != published + rejected {
                        why.push(format!("{t}: read {read} != {published} + {rejected}"));
                    }
                }
                if (m["status"] == "published") != (case.exit == 0) {
                    why.push(format!("status {}", m["status"]));
                }
            }
            Err(e) => why.push(format!("no run report: {e}")),
        }
        if case.exit == 1 && w.path("out").exists() {
            why.push("a failed run created the output directory".into());
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
