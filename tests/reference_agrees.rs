//! The project's CAMEO reference (reference/cameo.csv, compiled into the
//! binary) agrees with the public reference files in ../shared/reference:
//! every code's Goldstein value, the code set, and PLOVER categories.
//!
//! Those files are not part of the repository, so these tests are ignored by
//! default (`cargo test` lists them as ignored, with the reason) and run
//! where the files are: `cargo test --test reference_agrees -- --ignored`.
//! Run so without the files, they fail and say which file is missing.

use dyadflow::reference::Reference;
use std::collections::BTreeMap;
use std::path::PathBuf;

const NEEDS: &str = "needs ../shared/reference (the public CAMEO files): run with --ignored where it exists";

fn shared(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e} ({NEEDS})", p.display()))
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
#[ignore = "needs ../shared/reference (the public CAMEO files): run with --ignored where it exists"]
fn goldstein_values_agree_with_the_shared_scale() {
    let text = shared("CAMEO.goldsteinscale.txt");
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
#[ignore = "needs ../shared/reference (the public CAMEO files): run with --ignored where it exists"]
fn code_set_agrees_with_the_shared_event_codes_and_labels_are_our_own() {
    let text = shared("CAMEO.eventcodes.txt");
    let r = Reference::builtin();
    let codes = tsv(&text);
    for (code, label) in &codes {
        let ours = r.get(code).unwrap_or_else(|| panic!("{code} missing"));
        assert_ne!(ours.label.to_lowercase(), label.to_lowercase(), "label of {code} is copied verbatim");
    }
}

#[test]
#[ignore = "needs ../shared/reference (the public CAMEO files): run with --ignored where it exists"]
fn plover_categories_agree_with_the_shared_table() {
    let text = shared("CAMEO2PLOVER-2021.txt");
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
