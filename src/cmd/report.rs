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

pub fn summary(m: &Manifest) -> String {
    let list = |f: &dyn Fn(&dyadflow::ledger::Counts) -> usize| {
        m.tables.iter().map(|(t, c)| format!("{} {t}", f(c))).collect::<Vec<_>>().join(", ")
    };
    let mut s = format!(
        "dyadflow {}: read {} from {}\n  published {}\n  rejected {}\n  {} error(s), {} warning(s); run {}",
        m.command,
        list(&|c| c.read),
        m.raw_dir,
        list(&|c| c.published),
        list(&|c| c.rejected),
        m.errors,
        m.warnings,
        m.run_id
    );
    match m.status.as_str() {
        "published" => {
            let out = m.out_dir.as_deref().unwrap_or("?");
            s.push_str(&format!(
                "\n  published {} file(s) as {out}/{}, now {out}/current",
                m.outputs.len() + 2,
                m.set.as_deref().unwrap_or("?")
            ))
        }
        "unchanged" => s.push_str(&format!(
            "\n  {} is up to date: nothing rewritten (use --force to rebuild)",
            m.out_dir.as_deref().unwrap_or("?")
        )),
        "validated" => s.push_str("\n  valid: nothing written"),
        _ => {
            s.push_str("\n  FAILED: ");
            s.push_str(&m.failure_reasons.join("; "));
            if let Some(o) = &m.out_dir {
                s.push_str(&format!("\n  nothing published; {o} is unchanged"));
            }
        }
    }
    s
}
