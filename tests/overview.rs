//! `overview.html`: written into every published set by `run`, listed and
//! hashed in its manifest, reachable through `<out>/overview.html`, written
//! again by `dyadflow overview`, self-contained, and with corpus text only as
//! escaped data. What it shows in a browser is checked by
//! `tests/browser/check_overview.py` (run by `.ci/page.sh`).

mod common;
use common::*;
use std::path::Path;

/// The data the page embeds, parsed back from its `<script type="application/json">`.
fn data(page: &str) -> serde_json::Value {
    let open = r#"<script type="application/json" id="data">"#;
    let start = page.find(open).expect("the data element") + open.len();
    let end = start + page[start..].find("</script>").expect("its end");
    serde_json::from_str(&page[start..end]).expect("the data are JSON")
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(bytes))
}

#[test]
fn run_writes_the_page_into_the_set_and_overview_writes_it_again_byte_for_byte() {
    let w = Work::new("mini");
    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let set = std::fs::canonicalize(w.path("out/current")).unwrap();
    let page = std::fs::read(set.join("overview.html")).unwrap();
    assert_eq!(std::fs::read(w.path("out/overview.html")).unwrap(), page, "the shortcut reaches the current page");
    assert!(std::fs::symlink_metadata(w.path("out/overview.html")).unwrap().file_type().is_symlink());

    let m = manifest(&w.path("out/manifest.json"));
    let o = m["outputs"].as_array().unwrap().iter().find(|o| o["file"] == "overview.html").expect("listed");
    assert_eq!(o["sha256"].as_str().unwrap(), sha256(&page));
    assert_eq!(o["bytes"].as_u64().unwrap(), page.len() as u64);

    // self-contained: nothing is fetched from anywhere
    let text = String::from_utf8(page.clone()).unwrap();
    for outside in ["src=\"http", "href=\"http", "src=\"//", "@import", "url(http", "<link "] {
        assert!(!text.contains(outside), "the page refers outside itself: {outside}");
    }
    assert!(text.contains("default-src 'none'"), "the page's policy forbids requests");
    assert!(text.contains("Apache"), "the chart library keeps its licence header");

    // what it shows, from the tables of the mini corpus
    let d = data(&text);
    assert_eq!(d["run"]["run_id"], m["run_id"]);
    assert_eq!(d["run"]["tables"]["events"]["published"], 4);
    assert_eq!(
        d["timeline"]["counts"]["day"].as_u64().unwrap()
            + d["timeline"]["counts"]["month_or_approximate"].as_u64().unwrap()
            + d["timeline"]["counts"]["coarse"].as_u64().unwrap(),
        4,
        "every event on the timeline once"
    );
    // e1 is dated to the month (2025-01), the others approximate: none is drawn as a day
    assert_eq!(d["timeline"]["counts"]["day"], 0);
    let scores = w.path("out/relationship_scores.parquet");
    let (level, directed, period) =
        (strings(&scores, "level"), read_bools(&scores, "directed"), strings(&scores, "period"));
    let edges = (0..level.len())
        .filter(|&i| level[i].as_deref() == Some("top") && directed[i] && period[i].as_deref() == Some("all"))
        .count();
    assert_eq!(d["views"]["top|all"]["edges"].as_array().unwrap().len(), edges);
    // the evidence of a top dyad, with the passage around its span
    let ev = d["evidence"]["events"].as_array().unwrap();
    assert!(!ev.is_empty());
    let e1 = ev.iter().find(|e| e["span"] == "La Russie a signé un accord avec l’Iran").expect("e1 as evidence");
    assert_eq!(e1["passage"], true);
    assert_eq!(e1["post"], " en janvier. Moscou a critiqué Bakou.");
    assert_eq!(e1["precision"], "month");

    // again, from the current set, without a run: the same bytes
    let r = w.run(&["overview", "--out", "out", "--to", "again.html"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read(w.path("again.html")).unwrap(), page);
    assert!(r.stderr.contains("again.html"), "{}", r.stderr);
    // the set is left as it was
    assert_eq!(std::fs::read(set.join("overview.html")).unwrap(), page);

    // without the raw texts, the evidence alone
    std::fs::remove_dir_all(w.path("raw")).unwrap();
    assert_eq!(w.run(&["overview", "--out", "out", "--to", "bare.html"]).code, 0);
    let bare = data(&w.read("bare.html"));
    let e1 = bare["evidence"]["events"].as_array().unwrap().iter().find(|e| e["span"] == e1["span"]).cloned().unwrap();
    assert_eq!((e1["passage"].clone(), e1["pre"].clone(), e1["post"].clone()), (false.into(), "".into(), "".into()));
}

fn read_bools(path: &Path, column: &str) -> Vec<bool> {
    use arrow::array::{Array, BooleanArray};
    read_table(path)
        .iter()
        .flat_map(|b| {
            let a = b.column_by_name(column).unwrap().as_any().downcast_ref::<BooleanArray>().unwrap().clone();
            (0..a.len()).map(move |i| a.value(i))
        })
        .collect()
}

#[test]
fn overview_without_a_published_set_is_an_error() {
    let w = Work::new("mini");
    let r = w.run(&["overview", "--out", "nothing", "--to", "page.html"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no published set in nothing"), "{}", r.stderr);
    assert!(!w.path("page.html").exists());
}

#[test]
fn script_and_html_in_names_and_texts_stay_data() {
    let w = Work::new("mini");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/fixtures");
    copy_dir(&fixtures.join("payload"), &w.path("payload"));
    let config = fixtures.join("payload.toml");
    let r = w.run(&["run", "--raw", "payload", "--out", "out", "--config", config.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = w.read("out/overview.html");
    // only the page's own three scripts end: the data element, the library, the page's script
    assert_eq!(page.matches("</script").count(), 3, "a payload closes a script element");
    assert_eq!(page.matches("<script").count(), 3);
    assert!(!page.contains("<img src=x"), "an element of the corpus in the page's markup");
    assert!(!page.contains("<b>bold"));
    assert!(!page.contains("<!-- a title"));
    // and yet every payload is there, as data
    let d = data(&page);
    let names: Vec<&str> = d["actors"].as_array().unwrap().iter().map(|a| a[1].as_str().unwrap()).collect();
    assert!(names.contains(&r#"<img src=x onerror="window.__pwned=1">"#), "{names:?}");
    assert!(names.contains(&"</script><script>window.__pwned=2</script>"));
    let spans: Vec<&str> =
        d["evidence"]["events"].as_array().unwrap().iter().map(|e| e["span"].as_str().unwrap()).collect();
    assert!(spans.contains(&"</script><script>window.__pwned=5</script> SCR attacked XSS"), "{spans:?}");
    // the rejected row, with its file, line, rule and hint
    let rejects = &d["validation"]["rejects"];
    assert_eq!(rejects["total"], 1);
    let row = &rejects["rows"][0];
    assert_eq!(
        (&row[1], &row[2], &row[3], &row[4]),
        (&"events.csv".into(), &5.into(), &3.into(), &"unknown-actor".into())
    );
    assert_eq!(row[6], r#"did you mean `<img src=x onerror="window.__pwned=1">` (XSS)?"#);
    assert_eq!(d["validation"]["problems"], serde_json::json!([["unknown-actor", "error", "events", 1]]));
}

/// Hue (degrees) and saturation (HSL) of `#rrggbb`.
fn hue_saturation(hex: &str) -> (f64, f64) {
    let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
    let (r, g, b) = (c(1), c(3), c(5));
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let (d, l) = (max - min, (max + min) / 2.0);
    if d == 0.0 {
        return (0.0, 0.0);
    }
    let s = d / (1.0 - (2.0 * l - 1.0).abs());
    let h = if max == r {
        60.0 * (((g - b) / d).rem_euclid(6.0))
    } else if max == g {
        60.0 * ((b - r) / d + 2.0)
    } else {
        60.0 * ((r - g) / d + 4.0)
    };
    (h, s)
}

#[test]
fn at_scale_the_page_folds_the_inputs_and_keeps_actor_colours_off_the_score_scale() {
    let w = Work::new("mini");
    let r = w.run(&["run", "--raw", "raw", "--out", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = w.read("out/overview.html");
    // the inputs' hashes: folded, at the end of the run's section, after the
    // rule outcomes, before the network
    let at = |s: &str| page.find(s).unwrap_or_else(|| panic!("{s} in the page"));
    let folded = at(r#"<details id="inputs-details">"#);
    assert!(at(r#"<details id="rules-details">"#) < folded && folded < at(r#"id="inputs""#));
    assert!(at(r#"id="inputs""#) < at(r#"<section id="network-section""#));
    let details = &page[folded..folded + page[folded..].find("</details>").unwrap()];
    assert!(details.contains(r#"<table id="inputs">"#), "{details}");
    assert!(!details.starts_with("<details id=\"inputs-details\" open"), "open by default");

    // actor types: one colour each, none of the scale's reds, oranges, blues
    // or greys, for every type of the raw format
    let start = at("var TYPE_COLORS = {");
    let block = &page[start..start + page[start..].find("};").unwrap()];
    let mut seen = std::collections::HashSet::new();
    let colour_of = |t: &str| {
        let key = if t.contains(' ') { format!("'{t}': '") } else { format!("{t}: '") };
        let i = block.find(&key).unwrap_or_else(|| panic!("no colour for actor type {t}")) + key.len();
        block[i..i + 7].to_string()
    };
    for t in dyadflow::catalogue::raw::ACTOR_TYPES.iter().copied().chain(["other actors"]) {
        let c = colour_of(t);
        let (h, s) = hue_saturation(&c);
        assert!(s >= 0.25, "{t}: {c} is a grey, as the scale's neutral");
        assert!((45.0..330.0).contains(&h), "{t}: {c} (hue {h:.0}) reads as conflict");
        assert!(!(185.0..=235.0).contains(&h), "{t}: {c} (hue {h:.0}) reads as cooperation");
        assert!(seen.insert(c.clone()), "{t}: {c} is another type's colour");
    }
    // the scale itself is what the test keeps away from
    assert!(page.contains("[-1, [178, 24, 43]]") && page.contains("[1, [33, 102, 172]]"));
    // periods are grouped by year in the page's script (checked in a browser
    // by tests/browser/check_overview.py)
    assert!(page.contains("optgroup"));
}
