//! `dyadflow agree`: the agreement between two readings of the same articles.

use super::report;
use dyadflow::agree::{self, Agreement, Reading};
use std::io::Write;
use std::path::PathBuf;

pub const ABOUT: &str = "Measure the agreement between two readings of the same articles";

pub const LONG_ABOUT: &str = "\
Measure the agreement between two readings of the same articles.

A and B are two raw corpus directories that annotate the same articles (the
same article ids and texts; else an error names the first difference): two
annotators' readings, or an annotation and its adjudicated version. Both are
read with the checks of `dyadflow validate`; a row with an error is reported
as validate reports it and left out.

Actors are matched by id, then by name or alias. Events are matched within
each article by content, not by id: the one-to-one assignment (Hungarian
method) that maximizes a similarity of actors (exact, then through the parent
chain), direction, code (code, base, root, QuadClass), date span overlap and
evidence span overlap; pairs below 0.5 stay unmatched. Over the matched
events, per field: the share of equal values and Krippendorff's alpha
(nominal for the actors, the code at each level, the mode and the date span;
interval for the first and last day). Events: precision, recall and F1 of B
against A and of A against B. Mentions: span precision, recall and F1. The
method and its formulas: docs/agreement.md.

With --format json, prints every figure, every matched pair and every
unmatched event as one JSON document. With --worksheet FILE.csv, writes one
row per matched pair and per unmatched event, both readings side by side,
the fields that differ and the evidence: what an adjudicator works through.

Exit codes:
  0  compared; neither reading has an error
  1  compared, but a row of either reading has an error (printed as by
     validate; the figures leave it out)
  2  cannot compare (usage, I/O, a missing table, other articles or texts)";

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The first reading (raw corpus directory); the reference of B's precision and recall.
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// The second reading (raw corpus directory) of the same articles.
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// `text`: a summary for the terminal; `json`: every figure.
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    pub format: Format,
    /// Also write the adjudicator's worksheet (CSV) to this file.
    #[arg(long, value_name = "FILE.csv")]
    pub worksheet: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn execute(args: &Args) -> anyhow::Result<i32> {
    let config = dyadflow::config::Config::default();
    let a = Reading::load(&args.a, &config)?;
    let b = Reading::load(&args.b, &config)?;
    let mut err = std::io::stderr().lock();
    for p in a.problems.iter().chain(&b.problems) {
        writeln!(err, "{}", report::problem_human(p))?;
    }
    let c = agree::compare(&a, &b)?;
    let figures = Agreement::of(&c);
    if let Some(path) = &args.worksheet {
        let bytes = agree::worksheet::write(&c)?;
        dyadflow::publish::write_atomically(path, &bytes)?;
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &figures)?;
            writeln!(out)?;
        }
        Format::Text => write!(out, "{}", summary(&figures))?,
    }
    out.flush()?;
    Ok(if a.errors() + b.errors() > 0 { super::EXIT_FAILED } else { super::EXIT_OK })
}

fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

/// The summary for the terminal.
pub fn summary(f: &Agreement) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "dyadflow agree: A = {} , B = {}", f.a.dir, f.b.dir);
    for (name, r) in [("A", &f.a), ("B", &f.b)] {
        let _ = writeln!(
            s,
            "  {name}: {} articles, {} actors, {} events, {} mentions ({} error(s), {} warning(s))",
            r.articles, r.actors, r.events, r.mentions, r.errors, r.warnings
        );
    }
    let ac = &f.actors;
    let _ = writeln!(
        s,
        "actors: {} matched by id, {} by name or alias; {} only in A, {} only in B",
        ac.matched_by_id,
        ac.matched_by_label.len(),
        ac.only_a.len(),
        ac.only_b.len()
    );
    let e = &f.events;
    let _ = writeln!(
        s,
        "events: {} matched ({} identical), {} only in A, {} only in B (similarity >= {})",
        e.matched, e.identical, e.only_a, e.only_b, f.threshold
    );
    let _ = writeln!(
        s,
        "  B against A: precision {}, recall {}, F1 {}",
        pct(e.b_against_a.precision),
        pct(e.b_against_a.recall),
        pct(e.b_against_a.f1)
    );
    let _ = writeln!(
        s,
        "  A against B: precision {}, recall {}, F1 {}",
        pct(e.a_against_b.precision),
        pct(e.a_against_b.recall),
        pct(e.a_against_b.f1)
    );
    let _ = writeln!(s, "fields over the {} matched events:", e.matched);
    let _ = writeln!(s, "  {:<12} {:<9} {:>10} {:>8}", "field", "level", "equal", "alpha");
    for x in &f.fields {
        let alpha = x.alpha.map_or("-".to_string(), |a| format!("{:.3}", a.alpha));
        let level = format!("{:?}", x.level).to_lowercase();
        let _ = writeln!(s, "  {:<12} {:<9} {:>10} {:>8}", x.field, level, pct(x.share_equal), alpha);
    }
    let with = f.code_with_unmatched.map_or("-".to_string(), |a| format!("{:.3}", a.alpha));
    let _ = writeln!(s, "  code alpha with unmatched events as \"no event\": {with}");
    let _ = writeln!(s, "  mean overlap: dates {}, evidence {}", pct(f.date_overlap), pct(f.evidence_overlap));
    let m = &f.mentions;
    let _ = writeln!(
        s,
        "mentions: {} in A, {} in B, {} same span and actor: B against A precision {}, recall {}, F1 {}",
        m.a,
        m.b,
        m.matched,
        pct(m.b_against_a.precision),
        pct(m.b_against_a.recall),
        pct(m.b_against_a.f1)
    );
    let _ = writeln!(s, "  same span whatever the actor: {} (F1 {})", m.span_matched, pct(m.span_b_against_a.f1));
    s
}
