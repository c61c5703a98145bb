//! Runs the stages in order, with the gate of each, and decides the outcome:
//! publish (exit 0), fail without publishing (exit 1). I/O and configuration
//! errors stop the run earlier (exit 2, from the binary).

use crate::config::Config;
use crate::gates::{self, TestOutcome};
use crate::ingest;
use crate::inputs::{self, InputFile};
use crate::ledger::{Counts, Ledger};
use crate::manifest::{self, Manifest, StageCounts};
use crate::marts::{self, Marts};
use crate::normalize;
use crate::problem::{Result, Table};
use crate::publish::lock::WriterLock;
use crate::publish::{self, FileMeta, Published};
use crate::reference::Reference;
use crate::rules::Rule;
use crate::schema;
use crate::score;
use polars::prelude::DataFrame;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub use crate::inputs::PROGRAM_VERSION;

#[derive(Debug, Clone)]
pub struct Options {
    pub raw: PathBuf,
    /// Where to publish; None checks only (`validate`).
    pub out: Option<PathBuf>,
    pub config: Config,
    pub config_path: Option<PathBuf>,
    /// Warnings fail the run too.
    pub strict: bool,
    pub command: String,
    /// Publish even when the current set was built from the same inputs and
    /// configuration.
    pub force: bool,
    /// How long to wait for another run that holds the output's lock.
    pub wait: std::time::Duration,
    /// How many published sets to keep in `<out>/runs/` (at least 1).
    pub keep_runs: usize,
}

impl Options {
    /// Options for checking a corpus without publishing.
    pub fn validate(raw: PathBuf, config: Config) -> Options {
        Options {
            raw,
            out: None,
            config,
            config_path: None,
            strict: false,
            command: "validate".into(),
            force: false,
            wait: std::time::Duration::ZERO,
            keep_runs: DEFAULT_KEEP_RUNS,
        }
    }
}

pub const DEFAULT_KEEP_RUNS: usize = 3;

/// What a run did.
pub struct Outcome {
    pub manifest: Manifest,
    pub marts: Marts,
    pub scores: DataFrame,
    /// The output's writer lock, held until the outcome is dropped (after
    /// the run report is written).
    pub lock: Option<WriterLock>,
}

impl Outcome {
    pub fn exit_code(&self) -> i32 {
        self.manifest.exit_code
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn by_table<T: Copy>(f: impl Fn(Table) -> T) -> BTreeMap<String, T> {
    Table::ALL.iter().map(|t| (t.name().to_string(), f(*t))).collect()
}

pub fn execute(opts: &Options) -> Result<Outcome> {
    let started_at = now();
    let mut notices = Vec::new();
    if !opts.raw.is_dir() {
        // before the lock, so that a mistyped --raw leaves --out alone
        return Err(crate::problem::Error::NoRawDir { path: opts.raw.clone() });
    }
    let lock = match &opts.out {
        Some(out) => {
            let l = WriterLock::acquire(out, opts.wait)?;
            if let Some(h) = &l.stale_holder {
                notices
                    .push(format!("the previous writer of {} ({h}) stopped without releasing its lock", out.display()));
            }
            let removed = publish::recover(&l)?;
            if !removed.is_empty() {
                notices.push(format!("removed what an interrupted run left behind: {}", removed.join(", ")));
            }
            Some(l)
        }
        None => None,
    };
    let reference = Reference::builtin();
    let config_json = serde_json::to_string(&opts.config).expect("configuration serializes");
    let config_sha256 = crate::digest::sha256_hex(config_json.as_bytes());

    // 0. the inputs and the run id, before any parsing
    let mut clock = Clock::start();
    let inputs = inputs::hash_raw_dir(&opts.raw)?;
    let rid = inputs::run_id(&inputs, &config_sha256);
    clock.lap("0-inputs");
    if !opts.force {
        // same inputs, configuration and program: the published set is this
        // run's result already (unless --strict must fail on its warnings)
        let current = lock
            .as_ref()
            .and_then(|l| publish::current(l.out()))
            .filter(|c| c.run_id == rid && !(opts.strict && c.warnings > 0));
        if let Some(current) = current {
            let m = unchanged(opts, started_at, rid, config_sha256, inputs, current, notices, clock);
            return Ok(Outcome { manifest: m, marts: Marts::empty(), scores: DataFrame::empty(), lock });
        }
    }
    let mut ledger = Ledger::new(&opts.config);

    // 1. ingest
    let staged = ingest::run(&opts.raw, &mut ledger)?;
    clock.lap("1-ingest");
    let staged_counts = [staged.articles.len(), staged.actors.len(), staged.events.len(), staged.mentions.len()];

    // 2. normalize
    let normalized = normalize::run(staged, reference, &mut ledger);
    clock.lap("2-normalize");
    let norm_counts =
        [normalized.articles.len(), normalized.actors.len(), normalized.events.len(), normalized.mentions.len()];

    // 3. marts and scores
    let mut marts = marts::build(&normalized, reference)?;
    marts.rejects = marts::rejects_frame(&ledger.rejects)?;
    clock.lap("3-marts");
    let scores = score::relationship_scores(&marts.events, &opts.config.score)?;
    clock.lap("3-score");

    // gates over what would be published
    let codes = reference.iter().map(|c| c.code.clone()).collect();
    let mut tests: Vec<TestOutcome> = gates::score_gate(&scores, &marts.actors, &marts.events);
    tests.extend(gates::generic_tests(&marts, &scores, &codes));
    clock.lap("gates");
    let idx = |t: Table| Table::ALL.iter().position(|x| *x == t).expect("table listed");
    let tables: BTreeMap<String, Counts> = by_table(|t| Counts {
        read: ledger.read.get(&t).copied().unwrap_or(0),
        published: norm_counts[idx(t)],
        rejected: ledger.rejected(t),
    });
    let unreconciled: Vec<String> = tables
        .iter()
        .filter(|(_, c)| c.read != c.published + c.rejected)
        .map(|(t, c)| format!("{t}: read {} != published {} + rejected {}", c.read, c.published, c.rejected))
        .collect();
    tests.push(gates_outcome(Rule::RowsReconcile, unreconciled));

    let rejected_at = |stage: crate::rules::Stage, t: Table| {
        ledger.rejects.iter().filter(|r| r.stage == stage && r.src.table == t).count()
    };
    let mut stages = BTreeMap::new();
    stages.insert(
        "1-ingest".to_string(),
        StageCounts {
            rows_in: by_table(|t| ledger.read.get(&t).copied().unwrap_or(0)),
            rows_out: by_table(|t| staged_counts[idx(t)]),
            rejected: by_table(|t| rejected_at(crate::rules::Stage::Ingest, t)),
        },
    );
    stages.insert(
        "2-normalize".to_string(),
        StageCounts {
            rows_in: by_table(|t| staged_counts[idx(t)]),
            rows_out: by_table(|t| norm_counts[idx(t)]),
            rejected: by_table(|t| rejected_at(crate::rules::Stage::Normalize, t)),
        },
    );
    let mut score_counts = StageCounts::default();
    score_counts.rows_in.insert("events".into(), marts.events.height());
    score_counts.rows_out.insert("relationship_scores".into(), scores.height());
    stages.insert("3-score".to_string(), score_counts);

    // decide
    let mut reasons = Vec::new();
    // errors that no rejected row carries: a missing table, an empty file, a
    // missing column (which also rejects its rows, one line further down)...
    let rejected_lines: std::collections::HashSet<(&str, u64)> =
        ledger.rejects.iter().map(|r| (r.src.file.as_ref(), r.src.line)).collect();
    let corpus_errors: Vec<String> = ledger
        .problems
        .iter()
        .filter(|p| p.is_error() && p.line <= 1 && !rejected_lines.contains(&(p.file.as_str(), p.line)))
        .map(|p| p.to_string())
        .collect();
    if !corpus_errors.is_empty() {
        reasons.push(format!("{} file-level error(s)", corpus_errors.len()));
    }
    for (t, c) in &tables {
        let allowed = opts.config.max_reject_share(t);
        if c.rejected > 0 && (c.read == 0 || c.rejected as f64 / c.read as f64 > allowed) {
            reasons.push(format!(
                "{t}: {} of {} rows rejected, more than the {}% the configuration allows",
                c.rejected,
                c.read,
                allowed * 100.0
            ));
        }
    }
    if opts.out.is_none() && ledger.errors() > 0 && reasons.is_empty() {
        reasons.push(format!("{} error(s)", ledger.errors()));
    }
    if opts.strict && ledger.warnings() > 0 {
        reasons.push(format!("{} warning(s) and --strict", ledger.warnings()));
    }
    for t in tests.iter().filter(|t| !t.passed()) {
        reasons.push(format!(
            "test {} on {}.{} failed {} time(s): {}",
            t.rule,
            t.table,
            t.columns.join(","),
            t.failures,
            t.examples.join("; ")
        ));
    }
    let failed = !reasons.is_empty();
    let severity = |r: Rule| opts.config.severity_of(r);

    let mut m = Manifest {
        run_id: rid.clone(),
        program: "dyadflow",
        program_version: PROGRAM_VERSION,
        schema_version: schema::SCHEMA_VERSION,
        command: opts.command.clone(),
        status: if failed {
            "failed"
        } else if opts.out.is_some() {
            "published"
        } else {
            "validated"
        }
        .into(),
        exit_code: if failed { 1 } else { 0 },
        started_at,
        finished_at: String::new(),
        raw_dir: opts.raw.display().to_string(),
        out_dir: opts.out.as_ref().map(|p| p.display().to_string()),
        config_file: opts.config_path.as_ref().map(|p| p.display().to_string()),
        config_sha256,
        inputs,
        tables,
        stages,
        outputs: Vec::new(),
        rules: manifest::rule_outcomes(&ledger.problems, &tests, severity),
        tests,
        errors: ledger.errors(),
        warnings: ledger.warnings(),
        failure_reasons: reasons,
        durations_ms: BTreeMap::new(),
        set: None,
        notices,
        problems: ledger.problems.clone(),
    };

    if let (false, Some(lock)) = (failed, &lock) {
        let p = publish_set(lock, opts.keep_runs, &rid, &marts, &scores, &m)?;
        m.outputs = p.outputs;
        m.set = Some(p.set);
        clock.lap("4-publish");
    }
    m.durations_ms = clock.laps;
    m.finished_at = now();
    Ok(Outcome { manifest: m, marts, scores, lock })
}

/// The record of a run that found the published set up to date: the inputs
/// and the set, with the counts its own run record states. No check ran
/// again; the set's `manifest.json` has its problems.
#[allow(clippy::too_many_arguments)]
fn unchanged(
    opts: &Options,
    started_at: String,
    run_id: String,
    config_sha256: String,
    inputs: Vec<InputFile>,
    current: publish::CurrentSet,
    mut notices: Vec<String>,
    clock: Clock,
) -> Manifest {
    notices.push(format!(
        "the inputs, configuration and program are those of {}: nothing was parsed or rewritten",
        current.set
    ));
    Manifest {
        run_id,
        program: "dyadflow",
        program_version: PROGRAM_VERSION,
        schema_version: schema::SCHEMA_VERSION,
        command: opts.command.clone(),
        status: "unchanged".into(),
        exit_code: 0,
        started_at,
        finished_at: now(),
        raw_dir: opts.raw.display().to_string(),
        out_dir: opts.out.as_ref().map(|p| p.display().to_string()),
        config_file: opts.config_path.as_ref().map(|p| p.display().to_string()),
        config_sha256,
        inputs,
        tables: current.tables,
        stages: BTreeMap::new(),
        outputs: current.outputs,
        rules: Vec::new(),
        tests: Vec::new(),
        errors: 0,
        warnings: current.warnings as usize,
        failure_reasons: Vec::new(),
        durations_ms: clock.laps,
        set: Some(current.set),
        notices,
        problems: Vec::new(),
    }
}

/// Wall-clock time per stage, for the run record only (never in the tables).
struct Clock {
    last: std::time::Instant,
    laps: BTreeMap<String, u64>,
}

impl Clock {
    fn start() -> Self {
        Clock { last: std::time::Instant::now(), laps: BTreeMap::new() }
    }

    fn lap(&mut self, name: &str) {
        let now = std::time::Instant::now();
        self.laps.insert(name.to_string(), now.duration_since(self.last).as_millis() as u64);
        self.last = now;
    }
}

fn gates_outcome(rule: Rule, bad: Vec<String>) -> TestOutcome {
    TestOutcome {
        rule: rule.id(),
        table: "*",
        columns: Vec::new(),
        failures: bad.len(),
        outcome: if bad.is_empty() { "pass" } else { "fail" },
        examples: bad,
    }
}

fn publish_set(
    lock: &WriterLock,
    keep: usize,
    rid: &str,
    marts: &Marts,
    scores: &DataFrame,
    m: &Manifest,
) -> Result<Published> {
    let meta = FileMeta { run_id: rid.to_string(), program_version: PROGRAM_VERSION.to_string() };
    let tables: [(&'static schema::TableSchema, &DataFrame); 6] = [
        (&schema::ARTICLES, &marts.articles),
        (&schema::ACTORS, &marts.actors),
        (&schema::EVENTS, &marts.events),
        (&schema::MENTIONS, &marts.mentions),
        (&schema::RELATIONSHIP_SCORES, scores),
        (&schema::REJECTS, &marts.rejects),
    ];
    publish::publish(lock, &tables, &meta, keep, |set, outputs| {
        let mut record = m.clone();
        record.outputs = outputs.to_vec();
        record.set = Some(set.to_string());
        record.finished_at = now();
        serde_json::to_vec_pretty(&record).expect("the run record serializes")
    })
}
