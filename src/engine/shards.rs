//! The two commands of a split run: one shard of a corpus into a shard set
//! (`run --shard K/N`), and shard sets into a published set (`merge`).

use super::collect::{collect, Collected};
use super::finalize;
use super::options::{Options, Outcome, DEFAULT_BATCH_BYTES};
use super::prologue::{self, Clock, RunFacts, Scratch, Started, UpToDate};
use super::shard_set::{self as set, ShardManifest};
use crate::inputs;
use crate::problem::{Error, Result, Table};
use crate::score::Incidents;
use crate::shard::{Shard, HASH};
use crate::write::file::FileMeta;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What a shard run did.
pub struct ShardOutcome {
    pub manifest: ShardManifest,
    /// The directory held this shard's set for the same inputs already:
    /// nothing was read or rewritten.
    pub up_to_date: bool,
    pub notices: Vec<String>,
}

/// Runs stages 1 to 3 on the articles `shard` owns and writes the shard set
/// into `opts.out`. Nothing is decided here: whether rows were rejected
/// beyond what the configuration allows, and the gates, are the merge's to
/// decide on the whole corpus.
///
/// `raw_label` is how the shard's manifest names the raw corpus (the bucket
/// URL when it was downloaded from one).
pub fn execute_shard(opts: &Options, shard: Shard, raw_label: &str) -> Result<ShardOutcome> {
    let started = Started::now();
    if !opts.raw.is_dir() {
        return Err(Error::NoRawDir { path: opts.raw.clone() });
    }
    let out = opts.out.clone().expect("a shard run writes a shard set");
    let mut notices = Vec::new();
    let lock = prologue::take_lock(Some(&out), opts.wait, &mut notices)?;
    let RunFacts { started, rid, config_sha256, inputs, notices, mut clock } =
        RunFacts::of(started, &opts.raw, &opts.config, notices)?;
    if !opts.force {
        if let Ok(m) = set::read_manifest(&out) {
            if m.run_id == rid && m.shard == shard {
                drop(lock);
                return Ok(ShardOutcome { manifest: m, up_to_date: true, notices });
            }
        }
    }
    let meta = FileMeta { run_id: rid.clone(), program_version: inputs::PROGRAM_VERSION.to_string() };
    let scratch = Scratch::new(Some(&out), &rid)?;
    let part = collect(opts, &inputs, shard, &scratch.dir, true, &meta, &mut clock)?;
    let by_table = |f: &dyn Fn(Table) -> usize| -> BTreeMap<String, usize> {
        Table::ALL.iter().map(|t| (t.name().to_string(), f(*t))).collect()
    };
    let manifest = ShardManifest {
        format: set::FORMAT.into(),
        program: "dyadflow".into(),
        program_version: inputs::PROGRAM_VERSION.into(),
        schema_version: crate::catalogue::SCHEMA_VERSION.into(),
        run_id: rid,
        shard,
        hash: HASH.into(),
        raw_dir: raw_label.to_string(),
        config_file: opts.config_path.as_ref().map(|p| p.display().to_string()),
        config: opts.config.clone(),
        config_sha256,
        inputs,
        staged: part.staged,
        normalized: part.normalized,
        read: by_table(&|t| part.ledger.read.get(&t).copied().unwrap_or(0)),
        rejected: by_table(&|t| part.ledger.rejected(t)),
        started_at: started.0,
        finished_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        durations_ms: clock.laps.clone(),
        files: Vec::new(),
    };
    let manifest = set::write(&out, &scratch.dir, manifest, part, &meta)?;
    drop(scratch);
    drop(lock);
    Ok(ShardOutcome { manifest, up_to_date: false, notices })
}

/// What `dyadflow merge` is given.
#[derive(Debug, Clone)]
pub struct MergeOptions {
    pub sets: Vec<PathBuf>,
    pub out: PathBuf,
    pub strict: bool,
    pub force: bool,
    pub wait: std::time::Duration,
    pub keep_runs: usize,
    pub progress: crate::progress::ProgressStyle,
}

/// Checks the shard sets, combines them, and publishes the result through the
/// same finalize stage and atomic commit as a plain run. Nothing is written
/// to `out` when a shard set is missing, incomplete, given twice, or from
/// other inputs, configuration or program version.
pub fn merge(mo: &MergeOptions) -> Result<Outcome> {
    let started = Started::now();
    let mut sets = Vec::new();
    for dir in &mo.sets {
        sets.push((dir.clone(), set::read_manifest(dir)?));
    }
    set::check_complete(&sets)?;
    sets.sort_by_key(|(_, m)| m.shard.index);
    let first = sets[0].1.clone();
    let opts = Options {
        raw: PathBuf::from(&first.raw_dir),
        out: Some(mo.out.clone()),
        config: first.config.clone(),
        config_path: first.config_file.as_ref().map(PathBuf::from),
        strict: mo.strict,
        command: "merge".into(),
        force: mo.force,
        wait: mo.wait,
        keep_runs: mo.keep_runs,
        batch_bytes: DEFAULT_BATCH_BYTES,
        progress: mo.progress,
        raw_label: None,
    };
    let config_sha256 = prologue::config_sha256(&opts.config);
    if config_sha256 != first.config_sha256 || inputs::run_id(&first.inputs, &config_sha256) != first.run_id {
        return Err(Error::ShardSet {
            path: sets[0].0.clone(),
            message: "its run id does not follow from its inputs and configuration".into(),
            hint: "run the shards again with this version of dyadflow".into(),
        });
    }
    let mut notices = Vec::new();
    let lock = prologue::take_lock(Some(&mo.out), opts.wait, &mut notices)?;
    let mut clock = Clock::start();
    clock.lap("0-inputs");
    let run =
        RunFacts { started, rid: first.run_id.clone(), config_sha256, inputs: first.inputs.clone(), notices, clock };
    let mut run = match prologue::up_to_date(&opts, run, lock.as_ref()) {
        UpToDate::Yes(run, current) => {
            let m = super::record::unchanged(&opts, run, *current);
            return Ok(Outcome { manifest: m, lock });
        }
        UpToDate::No(run) => run,
    };
    let meta = FileMeta { run_id: run.rid.clone(), program_version: inputs::PROGRAM_VERSION.to_string() };
    let scratch = Scratch::new(Some(&mo.out), &run.rid)?;
    let shown = opts.progress.stage("shards");
    shown.set_total(sets.len() as u64);
    // one shard set at a time, absorbed into the whole; the state that
    // grows with the events sized once for all of them (not grown by
    // doubling, which holds the old and the new copy for a moment)
    let events: usize = sets.iter().map(|(_, m)| m.normalized[2]).sum();
    let mut incidents = Incidents::new(&opts.config.score);
    incidents.reserve(events);
    let mut all: Option<Collected> = None;
    for (dir, m) in &sets {
        let part = set::read(dir, m, &mut incidents)?;
        match &mut all {
            None => {
                let mut part = part;
                part.event_tests.reserve(events.saturating_sub(part.normalized[2]));
                all = Some(part)
            }
            Some(all) => all.absorb(part, &scratch.dir)?,
        }
        shown.inc(1);
    }
    shown.finish();
    run.clock.lap("3-shards");
    let mut all = all.expect("at least one shard set");
    all.incidents = incidents;
    finalize::finish(&opts, run, all, lock, &scratch.dir, &meta)
}
