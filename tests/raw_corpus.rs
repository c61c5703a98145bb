//! The project's own corpus in raw/: it validates without any error or
//! warning, every row is published, and its relationship scores say what the
//! article says.

use dyadflow::config::Config;
use dyadflow::pipeline::{execute, Options};
use polars::prelude::*;
use std::path::PathBuf;

fn run() -> dyadflow::pipeline::Outcome {
    let opts = Options {
        strict: true,
        ..Options::validate(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("raw"), Config::default())
    };
    execute(&opts).unwrap()
}

#[test]
fn raw_validates_with_no_error_and_no_warning() {
    let o = run();
    let m = &o.manifest;
    let problems: Vec<String> = m.problems.iter().map(|p| p.to_string()).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(m.exit_code, 0);
    for (t, c) in &m.tables {
        assert_eq!(c.rejected, 0, "{t}");
        assert_eq!(c.read, c.published, "{t}");
    }
    assert!(m.tables["events"].published >= 60, "the article states many events");
    assert!(m.tables["mentions"].published >= 100);
}

#[test]
fn russia_scores_positive_with_north_korea_and_the_taliban_negative_with_azerbaijan_and_ukraine() {
    let o = run();
    let (actors, scores) = (o.actors, o.scores);
    let ids = actors.column("actor_id").unwrap().str().unwrap().clone();
    let tops = actors.column("top_id").unwrap().str().unwrap().clone();
    let top_of = |id: &str| -> String {
        let i = ids.iter().position(|x| x == Some(id)).unwrap_or_else(|| panic!("actor {id} missing"));
        tops.get(i).unwrap().to_string()
    };
    let score = |other: &str| -> f64 {
        let (a, b) =
            if "RUS" < other { ("RUS".to_string(), other.to_string()) } else { (other.to_string(), "RUS".to_string()) };
        let df = scores
            .clone()
            .lazy()
            .filter(
                col("level")
                    .eq(lit("top"))
                    .and(col("directed").eq(lit(false)))
                    .and(col("period").eq(lit("all")))
                    .and(col("actor_a").eq(lit(a.clone())))
                    .and(col("actor_b").eq(lit(b.clone()))),
            )
            .collect()
            .unwrap();
        assert_eq!(df.height(), 1, "no top dyad {a}-{b}");
        df.column("score").unwrap().f64().unwrap().get(0).unwrap()
    };
    assert_eq!(top_of("RUS"), "RUS");
    let taliban = top_of("AFG.TALIBAN");
    assert!(score(&top_of("PRK")) > 0.0);
    assert!(score(&taliban) > 0.0);
    assert!(score(&top_of("AZE")) < 0.0);
    assert!(score(&top_of("UKR")) < 0.0);
}

#[test]
fn the_text_in_raw_is_the_seed_article_byte_for_byte() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let seed = root.join("../shared/seed/000_14b90cedf25410f4.txt");
    let Ok(expected) = std::fs::read(&seed) else {
        eprintln!("{} is not present: comparison skipped", seed.display());
        return;
    };
    assert_eq!(std::fs::read(root.join("raw/texts/000_14b90cedf25410f4.txt")).unwrap(), expected);
}
