//! The run record: what a run read (each input with its hash), what it
//! published and rejected per table and per stage, every rule and test with its
//! outcome, and every output file with its hash. Written as `manifest.json`
//! into a published set, and as the run report (`--report`) for every run.

use crate::gates::TestOutcome;
use crate::inputs::InputFile;
use crate::ledger::Counts;
use crate::problem::Problem;
use crate::publish::OutputFile;
use crate::rules::{Rule, Severity, Stage};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct RuleOutcome {
    pub rule: &'static str,
    pub stage: Stage,
    pub severity: Severity,
    pub description: &'static str,
    pub violations: usize,
    /// `pass`, `warn` (violations at warning severity) or `fail`.
    pub outcome: &'static str,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct StageCounts {
    /// rows entering the stage, per table
    pub rows_in: BTreeMap<String, usize>,
    /// rows leaving it
    pub rows_out: BTreeMap<String, usize>,
    /// rows its gate rejected
    pub rejected: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub run_id: String,
    pub program: &'static str,
    pub program_version: &'static str,
    pub schema_version: &'static str,
    pub command: String,
    /// `published`, `unchanged`, `validated`, or `failed`.
    pub status: String,
    pub exit_code: i32,
    pub started_at: String,
    pub finished_at: String,
    pub raw_dir: String,
    pub out_dir: Option<String>,
    /// The configuration file the run read (--config, else `dyadflow.toml`
    /// in the working directory); None: the built-in defaults.
    pub config_file: Option<String>,
    /// `file` (read from `config_file`) or `defaults` (built in).
    pub config_source: &'static str,
    pub config_sha256: String,
    pub inputs: Vec<InputFile>,
    pub tables: BTreeMap<String, Counts>,
    pub stages: BTreeMap<String, StageCounts>,
    pub outputs: Vec<OutputFile>,
    pub rules: Vec<RuleOutcome>,
    pub tests: Vec<TestOutcome>,
    pub errors: usize,
    pub warnings: usize,
    pub failure_reasons: Vec<String>,
    /// wall-clock milliseconds per stage
    pub durations_ms: BTreeMap<String, u64>,
    /// The published set this run wrote (or found up to date), relative to
    /// the output directory: `runs/<seq>-<run_id>`.
    pub set: Option<String>,
    /// Things worth knowing that are not problems in the data.
    pub notices: Vec<String>,
    pub problems: Vec<Problem>,
}

/// Every rule of the catalogue with how often it was broken in this run.
pub fn rule_outcomes(
    problems: &[Problem],
    tests: &[TestOutcome],
    severity: impl Fn(Rule) -> Severity,
) -> Vec<RuleOutcome> {
    Rule::ALL
        .iter()
        .map(|r| {
            let from_problems = problems.iter().filter(|p| p.rule == *r).count();
            let from_tests: usize = tests.iter().filter(|t| t.rule == r.id()).map(|t| t.failures).sum();
            let violations = from_problems + from_tests;
            let sev = severity(*r);
            RuleOutcome {
                rule: r.id(),
                stage: r.stage(),
                severity: sev,
                description: r.description(),
                violations,
                outcome: match (violations, sev) {
                    (0, _) => "pass",
                    (_, Severity::Warning) => "warn",
                    _ => "fail",
                },
            }
        })
        .collect()
}

/// Replaces the path `from` by `to` inside the strings of a JSON document
/// (both as they are escaped in JSON).
pub fn relabel_json(json: &str, from: &std::path::Path, to: &str) -> String {
    let esc = |s: &str| {
        let q = serde_json::to_string(s).expect("a string serializes");
        q[1..q.len() - 1].to_string()
    };
    json.replace(&esc(&from.display().to_string()), &esc(to))
}
