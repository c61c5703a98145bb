//! The README documents what the program does: its data dictionary is the
//! output of `dyadflow schema`, and it lists every rule with its default
//! severity.

use dyadflow::rules::Rule;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn readme_data_dictionary_is_the_schema_output() {
    let dict = dyadflow::catalogue::dictionary();
    assert!(readme().contains(&dict), "README's data dictionary differs from `dyadflow schema`: regenerate it");
}

#[test]
fn readme_lists_every_rule_with_its_severity() {
    let text = readme();
    for r in Rule::ALL {
        let row = format!("| `{}` | {} | {} |", r.id(), r.stage(), r.default_severity());
        assert!(text.contains(&row), "README lacks the row of rule {}: {row}", r.id());
    }
}

#[test]
fn output_readme_names_every_table() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/output/README.md")).unwrap();
    for t in dyadflow::catalogue::TABLES {
        assert!(text.contains(&format!("`{}.parquet`", t.name)), "{}", t.name);
    }
    assert!(text.contains("manifest.json"));
}
