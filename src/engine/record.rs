//! The run record, built in one place: what every record states (the run,
//! its command, inputs and configuration: [`head`]), then what a finished
//! run adds ([`finished`]) or what a run that found its set up to date
//! states ([`unchanged`]); and the commit of a finished run's tables with
//! its record and page ([`publish`]).

use super::options::Options;
use super::prologue::{now, Clock, RunFacts};
use crate::catalogue;
use crate::gates::TestOutcome;
use crate::inputs::InputFile;
use crate::ledger::{Counts, Ledger};
use crate::manifest::{self, Manifest, StageCounts};
use crate::problem::Result;
use crate::publish;
use crate::publish::lock::WriterLock;
use crate::write::file::FileMeta;
use crate::write::Written;
use std::collections::BTreeMap;

/// What a run that went to its end found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every gate passed and the set was committed.
    Published,
    /// Every gate passed; the run only checked (`validate`).
    Validated,
    /// A gate failed: nothing was published.
    Failed,
    /// The published set is this run's result already.
    Unchanged,
}

impl Verdict {
    /// As the run record's `status` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Published => "published",
            Verdict::Validated => "validated",
            Verdict::Failed => "failed",
            Verdict::Unchanged => "unchanged",
        }
    }
}

/// Who ran what: the fields every run record has, its outcome still empty
/// (no tables, tests or outputs; `exit_code` is the binary's to fill in).
pub struct Head<'a> {
    pub run_id: String,
    pub command: &'a str,
    pub verdict: Verdict,
    pub started_at: String,
    pub raw_dir: String,
    pub out_dir: Option<String>,
    pub config_file: Option<String>,
    pub config_sha256: String,
    pub inputs: Vec<InputFile>,
    pub notices: Vec<String>,
}

/// The one constructor of a run record.
pub fn head(h: Head) -> Manifest {
    Manifest {
        run_id: h.run_id,
        program: "dyadflow",
        program_version: crate::inputs::PROGRAM_VERSION,
        schema_version: catalogue::SCHEMA_VERSION,
        command: h.command.to_string(),
        status: h.verdict.as_str().into(),
        exit_code: 0,
        started_at: h.started_at,
        finished_at: String::new(),
        raw_dir: h.raw_dir,
        out_dir: h.out_dir,
        config_source: if h.config_file.is_some() { "file" } else { "defaults" },
        config_file: h.config_file,
        config_sha256: h.config_sha256,
        inputs: h.inputs,
        tables: BTreeMap::new(),
        stages: BTreeMap::new(),
        outputs: Vec::new(),
        rules: Vec::new(),
        tests: Vec::new(),
        errors: 0,
        warnings: 0,
        failure_reasons: Vec::new(),
        durations_ms: BTreeMap::new(),
        set: None,
        notices: h.notices,
        problems: Vec::new(),
    }
}

/// The head of a local run's record.
fn local_head(opts: &Options, run: RunFacts, verdict: Verdict) -> (Manifest, Clock) {
    let RunFacts { started, rid, config_sha256, inputs, notices, clock } = run;
    let m = head(Head {
        run_id: rid,
        command: &opts.command,
        verdict,
        started_at: started.0,
        raw_dir: opts.raw_label.clone().unwrap_or_else(|| opts.raw.display().to_string()),
        out_dir: opts.out.as_ref().map(|p| p.display().to_string()),
        config_file: opts.config_path.as_ref().map(|p| p.display().to_string()),
        config_sha256,
        inputs,
        notices,
    });
    (m, clock)
}

/// The record of a run that went to its end (not yet published).
#[allow(clippy::too_many_arguments)]
pub(crate) fn finished(
    opts: &Options,
    run: RunFacts,
    verdict: Verdict,
    ledger: &Ledger,
    tables: BTreeMap<String, Counts>,
    stages: BTreeMap<String, StageCounts>,
    tests: Vec<TestOutcome>,
    reasons: Vec<String>,
) -> (Manifest, Clock) {
    let (mut m, clock) = local_head(opts, run, verdict);
    let severity = |r: crate::rules::Rule| opts.config.severity_of(r);
    m.tables = tables;
    m.stages = stages;
    m.rules = manifest::rule_outcomes(&ledger.problems, &tests, severity);
    m.tests = tests;
    m.errors = ledger.errors();
    m.warnings = ledger.warnings();
    m.failure_reasons = reasons;
    m.problems = ledger.problems.clone();
    (m, clock)
}

/// The record of a run that found the published set up to date: the inputs
/// and the set, with the counts its own run record states. No check ran
/// again; the set's `manifest.json` has its problems.
pub(crate) fn unchanged(opts: &Options, mut run: RunFacts, current: publish::CurrentSet) -> Manifest {
    run.notices.push(format!(
        "the inputs, configuration and program are those of {}: nothing was parsed or rewritten",
        current.set
    ));
    let (mut m, clock) = local_head(opts, run, Verdict::Unchanged);
    m.finished_at = now();
    m.tables = current.tables;
    m.outputs = current.outputs;
    m.warnings = current.warnings as usize;
    m.durations_ms = clock.laps;
    m.set = Some(current.set);
    m
}

/// Commits the written tables with the run's record and page as the new
/// current set, and states the set and its files in the record.
pub(crate) fn publish(
    lock: &WriterLock,
    opts: &Options,
    meta: &FileMeta,
    tables: [(&'static catalogue::TableSchema, Written); 7],
    m: &mut Manifest,
    clock: &mut Clock,
) -> Result<()> {
    let shown = opts.progress.stage("publish");
    shown.doing("staging the set, reading every file back, building the page, committing");
    // a corpus read from a local copy is named as the user gave it, in the
    // set's record and page as in the run report
    let labelled = |json: String| match &opts.raw_label {
        Some(label) => crate::manifest::relabel_json(&json, &opts.raw, label),
        None => json,
    };
    let record: serde_json::Value =
        serde_json::from_str(&labelled(serde_json::to_string(&*m).expect("the run record serializes")))
            .expect("a relabelled record is JSON");
    let page = |dir: &std::path::Path| crate::overview::build(dir, &record, Some(&opts.raw));
    let p = publish::publish_with_page(
        lock,
        &tables,
        meta,
        opts.keep_runs,
        Some((crate::overview::FILE, &page)),
        |set, outputs| {
            let mut record = m.clone();
            record.outputs = outputs.to_vec();
            record.set = Some(set.to_string());
            record.finished_at = now();
            labelled(serde_json::to_string_pretty(&record).expect("the run record serializes")).into_bytes()
        },
    )?;
    shown.inc(p.outputs.iter().map(|o| o.rows as u64).sum());
    shown.finish();
    m.outputs = p.outputs;
    m.set = Some(p.set);
    clock.lap("5-publish");
    Ok(())
}
