//! `dyadflow explain`: what a validation rule means, its severity, an example
//! of a failing row and its fix, from the rule catalogue (`src/rules.rs`).

use dyadflow::rules::{Rule, Severity};
use std::io::Write;

pub const ABOUT: &str = "Explain a validation rule: its meaning, severity, a failing example and its fix";

pub const LONG_ABOUT: &str = "\
Explain a validation rule: its meaning, severity, a failing example and its fix.

RULE is the id in brackets in a problem message, e.g. `unknown-actor` in

  raw/events.csv:14:3: error[unknown-actor]: no actor matches `Rusia`

Without RULE, lists every rule with its stage, default severity and meaning.
Examples are rows of the corpus `dyadflow init` creates.

Exit codes:
  0  explained
  2  no such rule";

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Rule id, as printed in brackets in problem messages (`unknown-actor`).
    #[arg(value_name = "RULE")]
    pub rule: Option<String>,
}

pub fn execute(args: &Args) -> anyhow::Result<i32> {
    let mut out = std::io::stdout().lock();
    match &args.rule {
        None => {
            // Display of a stage or a severity ignores widths: padded as text
            let width = Rule::ALL.iter().map(|r| r.id().len()).max().unwrap_or(0);
            let stage = Rule::ALL.iter().map(|r| r.stage().to_string().len()).max().unwrap_or(0);
            writeln!(out, "{:<width$}  {:<stage$}  {:<8}  MEANING", "RULE", "STAGE", "SEVERITY")?;
            for r in Rule::ALL {
                let (st, sev) = (r.stage().to_string(), r.default_severity().to_string());
                writeln!(out, "{:<width$}  {st:<stage$}  {sev:<8}  {}", r.id(), r.description())?;
            }
        }
        Some(id) => {
            let Some(rule) = Rule::from_id(id.trim()) else {
                let closest = Rule::ALL
                    .iter()
                    .map(|r| (strsim::jaro_winkler(r.id(), id.trim()), r.id()))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .filter(|(score, _)| *score > 0.7);
                let hint = match closest {
                    Some((_, c)) => format!("; did you mean `{c}`?"),
                    None => String::new(),
                };
                anyhow::bail!("no rule `{id}`{hint} (`dyadflow explain` lists every rule)");
            };
            out.write_all(text(rule).as_bytes())?;
        }
    }
    Ok(0)
}

/// The explanation of one rule, as printed.
pub fn text(rule: Rule) -> String {
    let ex = rule.explanation();
    let severity = match (rule.default_severity(), rule.demotable()) {
        (Severity::Error, false) => "error: the row is rejected (cannot be lowered)".to_string(),
        (Severity::Error, true) => format!(
            "error: the row is rejected; the configuration may lower it ([severity] {} = \"warning\")",
            rule.id()
        ),
        (Severity::Warning, _) => format!(
            "warning: the row is kept and the problem recorded (an error with --strict, or with [severity] {} = \"error\")",
            rule.id()
        ),
    };
    let mut s = format!(
        "{id}\n\n  meaning:  {desc}\n  stage:    {stage}\n  severity: {severity}\n\n",
        id = rule.id(),
        desc = rule.description(),
        stage = rule.stage(),
    );
    match rule.example_file() {
        Some((file, content, line)) => {
            match line {
                0 => s.push_str(&format!("  example: this {file}\n")),
                1 => s.push_str(&format!("  example: the header of this {file}\n")),
                n => s.push_str(&format!("  example: line {n} of this {file}\n")),
            }
            if content.is_empty() {
                s.push_str("    (an empty file)\n");
            }
            for (i, l) in content.lines().enumerate() {
                s.push_str(&format!("    {:>2} | {l}\n", i + 1));
            }
        }
        None => s.push_str(&format!("  example: {}\n", ex.example)),
    }
    s.push_str(&format!("\n  fix: {}\n", ex.fix));
    s
}
