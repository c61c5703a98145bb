//! The run's prologue, written once: the output's lock (and what an
//! interrupted run left there), the inputs hashed, the run id, and the
//! up-to-date decision; the scratch space and the stage clock.

use super::options::Options;
use crate::config::Config;
use crate::inputs::{self, InputFile};
use crate::problem::{Error, Result};
use crate::publish::{self, lock::WriterLock};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The lock of the output directory (when there is one), and what runs that
/// died left behind there removed.
pub(crate) fn take_lock(
    out: Option<&Path>,
    wait: std::time::Duration,
    notices: &mut Vec<String>,
) -> Result<Option<WriterLock>> {
    let Some(out) = out else { return Ok(None) };
    let l = WriterLock::acquire(out, wait)?;
    if let Some(h) = &l.stale_holder {
        notices.push(format!("the previous writer of {} ({h}) stopped without releasing its lock", out.display()));
    }
    let removed = publish::recover(&l)?;
    if !removed.is_empty() {
        notices.push(format!("removed what an interrupted run left behind: {}", removed.join(", ")));
    }
    Ok(Some(l))
}

pub(crate) fn config_sha256(config: &Config) -> String {
    let config_json = serde_json::to_string(config).expect("configuration serializes");
    crate::digest::sha256_hex(config_json.as_bytes())
}

/// When the run started.
pub struct Started(pub String);

impl Started {
    pub fn now() -> Self {
        Started(now())
    }
}

/// What a run knows before it reads a row: its start, id, inputs, and what
/// it has to say about the output directory.
pub struct RunFacts {
    pub started: Started,
    pub rid: String,
    pub config_sha256: String,
    pub inputs: Vec<InputFile>,
    pub notices: Vec<String>,
    pub clock: Clock,
}

impl RunFacts {
    /// The inputs under `raw` hashed and the run id they give with this
    /// configuration (the clock's first lap), for a run started at `started`.
    pub fn of(started: Started, raw: &Path, config: &Config, notices: Vec<String>) -> Result<RunFacts> {
        let config_sha256 = config_sha256(config);
        let mut clock = Clock::start();
        let inputs = inputs::hash_raw_dir(raw)?;
        let rid = inputs::run_id(&inputs, &config_sha256);
        clock.lap("0-inputs");
        Ok(RunFacts { started, rid, config_sha256, inputs, notices, clock })
    }
}

/// How a run begins: to be carried on, or with its result published
/// already (its record); the output's lock either way.
pub(crate) enum Begun {
    Run(RunFacts, Option<WriterLock>),
    UpToDate(RunFacts, Box<publish::CurrentSet>, Option<WriterLock>),
}

/// The prologue of a run over a raw directory: the raw directory checked
/// (before the lock, so that a mistyped --raw leaves --out alone), the lock
/// taken, the inputs hashed, and the up-to-date decision.
pub(crate) fn begin(opts: &Options) -> Result<Begun> {
    let started = Started::now();
    if !opts.raw.is_dir() {
        return Err(Error::NoRawDir { path: opts.raw.clone() });
    }
    let mut notices = Vec::new();
    let lock = take_lock(opts.out.as_deref(), opts.wait, &mut notices)?;
    let run = RunFacts::of(started, &opts.raw, &opts.config, notices)?;
    Ok(match up_to_date(opts, run, lock.as_ref()) {
        UpToDate::Yes(run, current) => Begun::UpToDate(run, current, lock),
        UpToDate::No(run) => Begun::Run(run, lock),
    })
}

/// Same inputs, configuration and program: the published set is this run's
/// result already (unless --strict must fail on its warnings). The record of
/// such a run, when it is one.
pub(crate) fn up_to_date(opts: &Options, run: RunFacts, lock: Option<&WriterLock>) -> UpToDate {
    if opts.force {
        return UpToDate::No(run);
    }
    let current = lock
        .and_then(|l| publish::current(l.out()))
        .filter(|c| c.run_id == run.rid && !(opts.strict && c.warnings > 0));
    match current {
        Some(current) => UpToDate::Yes(run, Box::new(current)),
        None => UpToDate::No(run),
    }
}

/// Whether a run's result is published already (the set, for its record),
/// or the run to carry on with.
pub(crate) enum UpToDate {
    Yes(RunFacts, Box<publish::CurrentSet>),
    No(RunFacts),
}

/// The run's scratch space (partitions, sorted runs, tables being written):
/// inside the output directory when there is one, so that written tables
/// can be renamed into the set; removed when the run ends, however it ends
/// (and by the next run after a kill).
pub(crate) struct Scratch {
    pub(crate) dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl Scratch {
    pub(crate) fn new(out: Option<&Path>, run_id: &str) -> Result<Self> {
        let werr = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Write { path, source }
        };
        match out {
            Some(out) => {
                let dir = out.join(format!("{}{run_id}-{}", publish::SCRATCH_PREFIX, std::process::id()));
                std::fs::create_dir_all(&dir).map_err(werr(&dir))?;
                Ok(Scratch { dir, _temp: None })
            }
            None => {
                let t = tempfile::Builder::new().prefix("dyadflow-").tempdir().map_err(werr(&std::env::temp_dir()))?;
                Ok(Scratch { dir: t.path().to_path_buf(), _temp: Some(t) })
            }
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self._temp.is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Wall-clock time per stage, for the run record only (never in the tables).
pub struct Clock {
    last: std::time::Instant,
    pub laps: BTreeMap<String, u64>,
}

impl Clock {
    pub fn start() -> Self {
        Clock { last: std::time::Instant::now(), laps: BTreeMap::new() }
    }

    pub fn lap(&mut self, name: &str) {
        let now = std::time::Instant::now();
        self.laps.insert(name.to_string(), now.duration_since(self.last).as_millis() as u64);
        self.last = now;
    }
}
