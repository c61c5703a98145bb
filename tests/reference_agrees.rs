//! The project's CAMEO reference (reference/cameo.csv, compiled into the
//! binary) agrees with the public reference files in ../shared/reference when
//! they are present: every code's Goldstein value, the code set, and PLOVER
//! categories.

use dyadflow::reference::Reference;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn shared(name: &str) -> Option<String> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference").join(name);
    match std::fs::read_to_string(&p) {
        Ok(s) => Some(s),
        Err(_) => {
            eprintln!("{} is not present: comparison skipped", p.display());
            None
        }
    }
}

fn tsv(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

#[test]
fn goldstein_values_agree_with_the_shared_scale() {
    let Some(text) = shared("CAMEO.goldsteinscale.txt") else { return };
    let r = Reference::builtin();
    let scale = tsv(&text);
    assert_eq!(scale.len(), 310);
    for (code, value) in &scale {
        let ours = r.get(code).unwrap_or_else(|| panic!("code {code} is missing from the project's reference"));
        let theirs: f64 = value.parse().unwrap();
        assert_eq!(ours.goldstein, theirs, "Goldstein of {code}");
    }
    // the only codes the project adds are the documented repairs
    let extra: Vec<&str> = r.iter().map(|c| c.code.as_str()).filter(|c| !scale.contains_key(*c)).collect();
    assert_eq!(extra, vec!["106", "1213", "1214"]);
}

#[test]
fn code_set_agrees_with_the_shared_event_codes_and_labels_are_our_own() {
    let Some(text) = shared("CAMEO.eventcodes.txt") else { return };
    let r = Reference::builtin();
    let codes = tsv(&text);
    for (code, label) in &codes {
        let ours = r.get(code).unwrap_or_else(|| panic!("{code} missing"));
        assert_ne!(ours.label.to_lowercase(), label.to_lowercase(), "label of {code} is copied verbatim");
    }
}

#[test]
fn plover_categories_agree_with_the_shared_table() {
    let Some(text) = shared("CAMEO2PLOVER-2021.txt") else { return };
    let r = Reference::builtin();
    let mut checked = 0;
    let mut seen = std::collections::HashSet::new();
    for line in text.lines() {
        let Some((code, rest)) = line.split_once(':') else { continue };
        let code = code.trim();
        if code.len() < 3 || !code.bytes().all(|b| b.is_ascii_digit()) || !seen.insert(code.to_string()) {
            continue;
        }
        let category = rest.split(['#', ',']).next().unwrap().trim();
        assert_eq!(r.get(code).and_then(|c| c.plover.as_deref()), Some(category), "PLOVER of {code}");
        checked += 1;
    }
    assert!(checked > 200, "{checked}");
}
