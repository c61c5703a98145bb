//! Printing problems and summaries, like a compiler (`human`) or as JSON lines
//! for schedulers (`json`).

use dyadflow::manifest::Manifest;
use dyadflow::problem::Problem;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

/// How many problems of one rule are printed before the rest are only counted.
pub const DEFAULT_MAX_PER_RULE: usize = 50;

pub fn problem_human(p: &Problem) -> String {
    let mut s = p.to_string();
    if let Some(h) = &p.hint {
        s.push_str("\n  = hint: ");
        s.push_str(h);
    }
    s
}

/// Prints every problem (errors first within each file order), then the summary.
pub fn print(w: &mut dyn Write, m: &Manifest, format: LogFormat, max_per_rule: usize) -> std::io::Result<()> {
    let mut per_rule: std::collections::HashMap<&str, usize> = Default::default();
    let mut hidden = 0;
    for p in &m.problems {
        let n = per_rule.entry(p.rule.id()).or_default();
        *n += 1;
        if *n > max_per_rule {
            hidden += 1;
            continue;
        }
        match format {
            LogFormat::Human => writeln!(w, "{}", problem_human(p))?,
            LogFormat::Json => {
                let mut v = serde_json::to_value(p).expect("problems serialize");
                v["type"] = "problem".into();
                writeln!(w, "{v}")?
            }
        }
    }
    match format {
        LogFormat::Human => {
            for n in &m.notices {
                writeln!(w, "note: {n}")?;
            }
            if hidden > 0 {
                writeln!(w, "... and {hidden} more problem(s) of the same rules (all are in the run report)")?;
            }
            writeln!(w, "{}", summary(m))?;
        }
        LogFormat::Json => {
            let v = serde_json::json!({
                "type": "summary",
                "run_id": m.run_id,
                "status": m.status,
                // whether the tables are the published set (the per-table
                // counts keep the run record's names either way)
                "published": is_published(m),
                "message": verdict(m).replace("\n  ", "; "),
                "config_file": m.config_file,
                "config_source": m.config_source,
                "exit_code": m.exit_code,
                "tables": m.tables,
                "errors": m.errors,
                "warnings": m.warnings,
                "failure_reasons": m.failure_reasons,
                "outputs": m.outputs,
                "set": m.set,
                "notices": m.notices,
            });
            writeln!(w, "{v}")?;
        }
    }
    Ok(())
}

/// Whether the run's tables are the published set: it published them, or
/// found the published set up to date. Otherwise nothing was published and
/// the summary says what the counts are instead.
fn is_published(m: &Manifest) -> bool {
    matches!(m.status.as_str(), "published" | "unchanged")
}

/// The last line of the summary: what became of the run.
pub fn verdict(m: &Manifest) -> String {
    let out = m.out_dir.as_deref().unwrap_or("?");
    match m.status.as_str() {
        "published" => format!(
            "published {} file(s) as {out}/{}, now {out}/current",
            m.outputs.len() + 2,
            m.set.as_deref().unwrap_or("?")
        ),
        "unchanged" => format!("{out} is up to date: nothing rewritten (use --force to rebuild)"),
        "validated" => {
            format!("valid: nothing written; `dyadflow run` on these inputs would publish them as run {}", m.run_id)
        }
        _ => {
            let mut s = format!("FAILED: {}", m.failure_reasons.join("; "));
            match &m.out_dir {
                Some(o) => s.push_str(&format!("\n  nothing published; {o} is unchanged")),
                None => s.push_str("\n  nothing published (validate writes nothing)"),
            }
            s
        }
    }
}

pub fn summary(m: &Manifest) -> String {
    let list = |f: &dyn Fn(&dyadflow::ledger::Counts) -> usize| {
        m.tables.iter().map(|(t, c)| format!("{} {t}", f(c))).collect::<Vec<_>>().join(", ")
    };
    // rows that passed are published only when the set is; a validation
    // would publish them; a failed run publishes none of them
    let passed = match m.status.as_str() {
        _ if is_published(m) => "published",
        "validated" => "would publish",
        _ => "valid",
    };
    // a validation has no run: it names the id a run would have in its verdict
    let run = match m.command.as_str() {
        "validate" => String::new(),
        _ => format!("; run {}", m.run_id),
    };
    let config = match &m.config_file {
        Some(f) => format!("configuration: {f}"),
        None => "configuration: built-in defaults".into(),
    };
    format!(
        "dyadflow {}: read {} from {}\n  {passed} {}\n  rejected {}\n  {} error(s), {} warning(s){run}; {config}\n  {}",
        m.command,
        list(&|c| c.read),
        m.raw_dir,
        list(&|c| c.published),
        list(&|c| c.rejected),
        m.errors,
        m.warnings,
        verdict(m)
    )
}
