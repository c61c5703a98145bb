//! Runs the stages in order, with the gate of each, and decides the outcome:
//! publish (exit 0), fail without publishing (exit 1). I/O and configuration
//! errors stop the run earlier (exit 2, from the binary).

use crate::config::Config;
use crate::edtf::epoch_days;
use crate::gates::{self, TestOutcome};
use crate::gates::{BatchTests, Keys};
use crate::ingest::partition::Partitions;
use crate::ingest::{self, records};
use crate::inputs::{self, InputFile};
use crate::ledger::{Counts, Ledger};
use crate::manifest::{self, Manifest, StageCounts};
use crate::marts;
use crate::normalize;
use crate::normalize::text::ArticleText;
use crate::normalize::NEvent;
use crate::normalize::{NActor, NArticle};
use crate::problem::{Result, Table};
use crate::publish::lock::WriterLock;
use crate::publish::parquet::to_batch;
use crate::publish::TableData;
use crate::publish::{self, FileMeta, Published};
use crate::reference::Reference;
use crate::rules::Rule;
use crate::schema;
use crate::score::{Incidents, ScoredEvent};
use crate::shard::Shard;
use crate::write::{SortedRuns, TableWriter};
use polars::prelude::DataFrame;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

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
    /// About how many bytes of events and mentions CSV are held in memory
    /// at a time (one partition); the output does not depend on it.
    pub batch_bytes: u64,
    /// How progress is shown while the run goes.
    pub progress: crate::progress::ProgressStyle,
    /// How the run record names the raw corpus when `raw` is a local copy of
    /// it (a bucket prefix downloaded into a temporary directory).
    pub raw_label: Option<String>,
}

/// Default of [`Options::batch_bytes`].
pub const DEFAULT_BATCH_BYTES: u64 = 8 << 20;

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
            batch_bytes: DEFAULT_BATCH_BYTES,
            progress: crate::progress::ProgressStyle::Off,
            raw_label: None,
        }
    }
}

pub const DEFAULT_KEEP_RUNS: usize = 3;

/// What a run did.
pub struct Outcome {
    pub manifest: Manifest,
    /// The actors table (empty when the run found its result published
    /// already).
    pub actors: DataFrame,
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
    let started = Started::now();
    if !opts.raw.is_dir() {
        // before the lock, so that a mistyped --raw leaves --out alone
        return Err(crate::problem::Error::NoRawDir { path: opts.raw.clone() });
    }
    let mut notices = Vec::new();
    let lock = take_lock(opts.out.as_deref(), opts.wait, &mut notices)?;
    let config_sha256 = config_sha256(&opts.config);

    // 0. the inputs and the run id, before any parsing
    let mut clock = Clock::start();
    let inputs = inputs::hash_raw_dir(&opts.raw)?;
    let rid = inputs::run_id(&inputs, &config_sha256);
    clock.lap("0-inputs");
    let run = RunFacts { started, rid, config_sha256, inputs, notices, clock };
    let run = match up_to_date(opts, run, lock.as_ref()) {
        UpToDate::Yes(m) => return Ok(Outcome { manifest: *m, actors: DataFrame::empty(), lock }),
        UpToDate::No(run) => run,
    };
    let mut run = run;
    let meta = FileMeta { run_id: run.rid.clone(), program_version: PROGRAM_VERSION.to_string() };
    let scratch = Scratch::new(lock.as_ref().map(|l| l.out()), &run.rid)?;
    let part = collect(opts, &run.inputs, Shard::WHOLE, &scratch.dir, lock.is_some(), &meta, &mut run.clock)?;
    finish(opts, run, part, lock, &scratch.dir, &meta)
}

/// The lock of the output directory (when there is one), and what runs that
/// died left behind there removed.
pub(crate) fn take_lock(
    out: Option<&std::path::Path>,
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
pub(crate) struct Started(pub(crate) String);

impl Started {
    pub(crate) fn now() -> Self {
        Started(now())
    }
}

/// What a run knows before it reads a row: its start, id, inputs, and what
/// it has to say about the output directory.
pub(crate) struct RunFacts {
    pub(crate) started: Started,
    pub(crate) rid: String,
    pub(crate) config_sha256: String,
    pub(crate) inputs: Vec<InputFile>,
    pub(crate) notices: Vec<String>,
    pub(crate) clock: Clock,
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
        Some(current) => UpToDate::Yes(Box::new(unchanged(opts, run, current))),
        None => UpToDate::No(run),
    }
}

/// Whether a run's result is published already: its record, or the run to
/// carry on with.
pub(crate) enum UpToDate {
    Yes(Box<Manifest>),
    No(RunFacts),
}

/// Where the rows of a large table are when the partitions are done.
pub enum TableRows {
    /// Sorted runs still to merge (events; the mentions of several shards).
    Runs(SortedRuns),
    /// One file written in the table's order (the mentions of one shard).
    File(crate::write::Written),
}

impl TableRows {
    /// The table as one file in its sort order, at `path` (runs are merged
    /// there; a file written already is used as it is).
    pub fn into_file(
        self,
        path: &std::path::Path,
        t: &schema::TableSchema,
        meta: &FileMeta,
    ) -> Result<crate::write::Written> {
        match self {
            TableRows::File(w) => Ok(w),
            TableRows::Runs(runs) => {
                let mut w = TableWriter::create(path, t, meta)?;
                runs.merge_into(&mut w)?;
                w.close()
            }
        }
    }
}

/// What stages 1 to 3 found in one shard of a corpus (the whole corpus in a
/// plain run): everything the finalize stage needs, as compact state and
/// table files. `dyadflow merge` reads the same from shard sets.
pub struct Collected {
    pub shard: Shard,
    pub ledger: Ledger,
    /// The published articles the shard owns.
    pub articles: Vec<NArticle>,
    /// Every published actor (the same in every shard).
    pub actors: Vec<NActor>,
    pub counts: marts::Counts,
    pub incidents: Incidents,
    pub event_tests: BatchTests,
    pub mention_tests: BatchTests,
    /// The events and mentions rows, when the run writes tables.
    pub events: Option<TableRows>,
    pub mentions: Option<TableRows>,
    /// Rows after ingest, per raw table (articles, actors, events, mentions);
    /// the actors in the shard that owns them only.
    pub staged: [usize; 4],
    /// Rows normalized, per raw table, likewise.
    pub normalized: [usize; 4],
}

impl Collected {
    /// Adds what another shard collected (shards are absorbed one at a time,
    /// so a merge holds the combined state and one shard's, not every
    /// shard's). The shards' event and mention files become sorted runs to
    /// merge.
    pub fn absorb(&mut self, p: Collected, scratch: &std::path::Path) -> Result<()> {
        fn files(rows: Option<TableRows>) -> Vec<std::path::PathBuf> {
            match rows {
                Some(TableRows::File(w)) => vec![w.path],
                Some(TableRows::Runs(r)) => r.external_files().expect("a shard's rows are sorted files"),
                None => Vec::new(),
            }
        }
        self.ledger.absorb(p.ledger);
        self.articles.extend(p.articles);
        self.counts.absorb(p.counts);
        self.incidents.absorb_from(p.incidents);
        self.event_tests.absorb(p.event_tests);
        self.mention_tests.absorb(p.mention_tests);
        for (mine, theirs, t) in
            [(&mut self.events, p.events, &schema::EVENTS), (&mut self.mentions, p.mentions, &schema::MENTIONS)]
        {
            let mut all = files(mine.take());
            all.extend(files(theirs));
            if !all.is_empty() {
                *mine = Some(TableRows::Runs(SortedRuns::of_files(scratch, t, all)));
            }
        }
        for i in 0..4 {
            self.staged[i] += p.staged[i];
            self.normalized[i] += p.normalized[i];
        }
        self.shard = Shard::WHOLE;
        Ok(())
    }
}

/// Stages 1 to 3 on the rows `shard` owns: the dimensions, the routing of
/// events and mentions into partitions, and the partitions one at a time.
/// Table files go to `scratch` when `writing`.
pub fn collect(
    opts: &Options,
    inputs: &[InputFile],
    shard: Shard,
    scratch: &std::path::Path,
    writing: bool,
    meta: &FileMeta,
    clock: &mut Clock,
) -> Result<Collected> {
    let reference = Reference::builtin();
    let mut ledger = Ledger::new(&opts.config);

    // 1. the dimensions: articles (with their texts) and actors, read and
    //    normalized whole (they are small), and the label index
    let shown = opts.progress.stage("dimensions");
    let staged = ingest::dimensions(&opts.raw, &mut ledger, shard)?;
    let staged_dims = [staged.articles.len(), if shard.owns_corpus() { staged.actors.len() } else { 0 }];
    shown.inc((staged_dims[0] + staged_dims[1]) as u64);
    let dims = normalize::dimensions(staged, &mut ledger, shard);
    shown.finish();
    clock.lap("1-dimensions");

    // 2. events and mentions: read in a stream, checked against the format
    //    contract, and routed by article into partitions
    let published = dims.published();
    let mut article_ids: Vec<&str> = published.keys().copied().collect();
    article_ids.sort_unstable();
    let fact_bytes: u64 = inputs
        .iter()
        .filter(|i| {
            ["events", "mentions"].iter().any(|t| i.path == format!("{t}.csv") || i.path.starts_with(&format!("{t}/")))
        })
        .map(|i| i.bytes)
        .sum();
    let n_parts = fact_bytes.div_ceil(opts.batch_bytes.max(1)).max(1) as usize;
    let mut parts = Partitions::new(&article_ids, n_parts, &scratch.join("partitions"))?;
    let shown = opts.progress.stage("route");
    {
        // events on this thread, mentions on another, each with a ledger of
        // its own (added up after)
        let (events, mentions) = parts.routers();
        let route = |table: Table, mut router: crate::ingest::partition::Router, ledger: &mut Ledger| {
            ingest::stream_table(&opts.raw, table, ledger, shard, |src, _| {
                shown.inc(1);
                // routed by the article id as written; its fields are
                // checked in the partition
                router.push(src)
            })
        };
        let mut aside = ledger.aside();
        std::thread::scope(|scope| -> Result<()> {
            let other = scope.spawn(|| route(Table::Mentions, mentions, &mut aside));
            let mine = route(Table::Events, events, &mut ledger);
            let theirs = other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            mine.and(theirs)
        })?;
        ledger.absorb(aside);
    }
    shown.finish();
    clock.lap("2-route");

    // 3. partition by partition: normalize, build the batch, test it,
    //    accumulate the scores and counts, write
    let codes = marts::codes_frame(reference).map_err(crate::problem::Error::polars("marts"))?;
    let tops = marts::tops_frame(&dims.actors).map_err(crate::problem::Error::polars("marts"))?;
    let top_of: HashMap<&str, &str> = dims.actors.iter().map(|a| (a.actor_id.as_str(), a.top_id.as_str())).collect();
    let keys = Keys {
        actor_ids: dims.actors.iter().map(|a| a.actor_id.clone()).collect(),
        article_ids: article_ids.iter().map(|a| a.to_string()).collect(),
        codes: reference.iter().map(|c| c.code.clone()).collect(),
    };
    let mut sink = BatchSink {
        event_runs: writing.then(|| SortedRuns::new(scratch, &schema::EVENTS).expecting(parts.len())),
        mention_writer: match writing {
            true => Some(TableWriter::create(&scratch.join("mentions.parquet"), &schema::MENTIONS, meta)?),
            false => None,
        },
        event_tests: BatchTests::new(&schema::EVENTS),
        mention_tests: BatchTests::new(&schema::MENTIONS),
    };
    let shown = opts.progress.stage("partitions");
    // the state that grows with the events, sized once for the rows routed
    let routed_events = ledger.read.get(&Table::Events).copied().unwrap_or(0);
    sink.event_tests.reserve(routed_events);
    let mut incidents = Incidents::new(&opts.config.score);
    incidents.reserve(routed_events);
    let incidents = std::sync::Mutex::new(incidents);
    let ctx = PartitionContext {
        opts,
        published: &published,
        dims: &dims,
        reference,
        codes: &codes,
        tops: &tops,
        top_of: &top_of,
        shown: &shown,
        incidents: &incidents,
    };
    // workers (one per core) take the partitions in turn, each with its own
    // ledger and counts (added up at the end, as a merge adds up shards) and
    // one shared incident accumulator; one more thread tests and writes the
    // batches in partition order, whatever order the workers finish them in
    let n_workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, parts.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (sink, done) = std::thread::scope(|scope| -> Result<(BatchSink, Vec<PartWork>)> {
        type Frames = (usize, DataFrame, DataFrame);
        let (tx, rx) = std::sync::mpsc::sync_channel::<Frames>(1);
        let (keys, meta, stop_w) = (&keys, meta, &stop);
        let writer = scope.spawn(move || -> Result<BatchSink> {
            let mut pending: BTreeMap<usize, (DataFrame, DataFrame)> = BTreeMap::new();
            let mut due = 0;
            for (k, events, mentions) in rx {
                pending.insert(k, (events, mentions));
                while let Some((events, mentions)) = pending.remove(&due) {
                    if let Err(e) = sink.add(events, mentions, keys, meta) {
                        stop_w.store(true, std::sync::atomic::Ordering::Relaxed);
                        return Err(e);
                    }
                    due += 1;
                }
            }
            Ok(sink)
        });
        let workers: Vec<_> = (0..n_workers)
            .map(|_| {
                let (tx, ctx, parts, next, stop) = (tx.clone(), &ctx, &parts, &next, &stop);
                scope.spawn(move || -> Result<PartWork> {
                    let mut w = PartWork::new(&opts.config);
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if k >= parts.len() || stop.load(std::sync::atomic::Ordering::Relaxed) {
                            break;
                        }
                        let frames = match parts.take(k).and_then(|rows| w.partition(ctx, rows)) {
                            Ok(f) => f,
                            Err(e) => {
                                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                                return Err(e);
                            }
                        };
                        if tx.send((k, frames.0, frames.1)).is_err() {
                            // the writer stopped on an error: it is reported below
                            break;
                        }
                    }
                    Ok(w)
                })
            })
            .collect();
        drop(tx);
        let done: Vec<Result<PartWork>> =
            workers.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect();
        let written = writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let done = done.into_iter().collect::<Result<Vec<_>>>()?;
        Ok((written?, done))
    })?;
    // added up into the first worker's state (not into a new one, which
    // would hold every incident twice for a moment)
    let mut done = done.into_iter();
    let first = done.next().unwrap_or_else(|| PartWork::new(&opts.config));
    ledger.absorb(first.ledger);
    let mut counts = first.counts;
    let incidents = incidents.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    let [mut staged_events, mut staged_mentions] = first.staged;
    let [mut n_events, mut n_mentions] = first.normalized;
    for w in done {
        ledger.absorb(w.ledger);
        counts.absorb(w.counts);
        staged_events += w.staged[0];
        staged_mentions += w.staged[1];
        n_events += w.normalized[0];
        n_mentions += w.normalized[1];
    }
    let BatchSink { event_runs, mention_writer, event_tests, mention_tests } = sink;
    shown.finish();
    clock.lap("3-partitions");
    drop(published);
    let n_actors = if shard.owns_corpus() { dims.actors.len() } else { 0 };
    Ok(Collected {
        shard,
        staged: [staged_dims[0], staged_dims[1], staged_events, staged_mentions],
        normalized: [dims.articles.len(), n_actors, n_events, n_mentions],
        ledger,
        articles: dims.articles,
        actors: dims.actors,
        counts,
        incidents,
        event_tests,
        mention_tests,
        events: event_runs.map(TableRows::Runs),
        mentions: mention_writer.map(TableWriter::close).transpose()?.map(TableRows::File),
    })
}

/// The decisions that need every article of the corpus (whether collected
/// whole or absorbed shard by shard, [`Collected::absorb`]): articles in id
/// order, and the hint of a reference to an unknown article naming the
/// closest article of the whole corpus.
fn over_the_corpus(mut all: Collected) -> Collected {
    all.articles.sort_by(|a, b| a.article_id.cmp(&b.article_id));
    let ids: Vec<&str> = all.articles.iter().map(|a| a.article_id.as_str()).collect();
    let hint = |p: crate::rules::Rule, message: &str, hint: &mut Option<String>| {
        if p == Rule::UnknownArticle {
            if let Some(id) = normalize::unknown_article_id(message) {
                *hint = Some(normalize::unknown_article_hint(id, ids.iter().copied()));
            }
        }
    };
    for p in &mut all.ledger.problems {
        hint(p.rule, &p.message, &mut p.hint);
    }
    for r in &mut all.ledger.rejects {
        hint(r.rule, &r.message, &mut r.hint);
    }
    all
}

/// Stage 4 and the decision: the events in date order, the dimension tables
/// with their counts, the scores, the rejects and the gates; then publish
/// (when the run writes and nothing failed).
pub(crate) fn finish(
    opts: &Options,
    run: RunFacts,
    all: Collected,
    lock: Option<WriterLock>,
    scratch: &std::path::Path,
    meta: &FileMeta,
) -> Result<Outcome> {
    let RunFacts { started, rid, config_sha256, inputs, notices, mut clock } = run;
    let reference = Reference::builtin();
    let Collected {
        mut ledger,
        articles: dim_articles,
        actors: dim_actors,
        counts,
        incidents,
        event_tests,
        mention_tests,
        events,
        mentions,
        staged: staged_counts,
        normalized: norm_counts,
        ..
    } = over_the_corpus(all);
    let keys = Keys {
        actor_ids: dim_actors.iter().map(|a| a.actor_id.clone()).collect(),
        article_ids: dim_articles.iter().map(|a| a.article_id.clone()).collect(),
        codes: reference.iter().map(|c| c.code.clone()).collect(),
    };
    let n_events = norm_counts[2];
    let shown = opts.progress.stage("finalize");
    // the events' sorted runs are merged into their file on one thread and
    // the events' keys and incidents counted on another, while the scores
    // are summed, tested and written on this one
    let writing = events.is_some();
    let ((events_file, mentions_file), (n_scores, score_tests, scores_file), (mut event_outcomes, expected_incidents)) =
        std::thread::scope(|scope| -> Result<_> {
            let event_checks = scope.spawn(move || event_tests.finish());
            let files = scope.spawn(move || -> Result<_> {
                let e =
                    events.map(|e| e.into_file(&scratch.join("events.parquet"), &schema::EVENTS, meta)).transpose()?;
                let m = mentions
                    .map(|m| m.into_file(&scratch.join("mentions-all.parquet"), &schema::MENTIONS, meta))
                    .transpose()?;
                Ok((e, m))
            });
            let scores_path = writing.then(|| scratch.join("relationship_scores.parquet"));
            let scored = score_table(incidents, &keys, scores_path.as_deref(), meta);
            let files = files.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            let checked = event_checks.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            Ok((files?, scored?, checked))
        })?;
    let articles = marts::articles_frame(&dim_articles, &counts)?;
    let actors = marts::actors_frame(&dim_actors, &counts)?;
    let rejects = marts::rejects_frame(&ledger.rejects)?;
    let codes_table = marts::codes_table(reference)?;
    let mut tests: Vec<TestOutcome> = score_tests.finish_scores(expected_incidents);
    tests.extend(gates::generic_tests(&articles, &actors, &rejects, &keys));
    tests.extend(gates::codes_tests(&codes_table, &keys));
    tests.append(&mut event_outcomes);
    tests.extend(mention_tests.finish().0);
    // problems in the order of the files and lines they concern, whatever
    // the partitions (or shards) they were found in
    ledger.problems.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
    shown.inc(n_events as u64);
    shown.finish();
    clock.lap("4-finalize");
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
    score_counts.rows_in.insert("events".into(), n_events);
    score_counts.rows_out.insert("relationship_scores".into(), n_scores);
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
        started_at: started.0,
        finished_at: String::new(),
        raw_dir: opts.raw_label.clone().unwrap_or_else(|| opts.raw.display().to_string()),
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

    if let (false, Some(lock), Some(events), Some(mentions), Some(scores)) =
        (failed, &lock, events_file, mentions_file, scores_file)
    {
        let tables = [
            (&schema::ARTICLES, TableData::Frame(&articles)),
            (&schema::ACTORS, TableData::Frame(&actors)),
            (&schema::EVENTS, TableData::File(events)),
            (&schema::MENTIONS, TableData::File(mentions)),
            (&schema::RELATIONSHIP_SCORES, TableData::File(scores)),
            (&schema::CODES, TableData::Frame(&codes_table)),
            (&schema::REJECTS, TableData::Frame(&rejects)),
        ];
        let shown = opts.progress.stage("publish");
        let p = publish_set(lock, opts, meta, tables, &m)?;
        shown.inc(p.outputs.iter().map(|o| o.rows as u64).sum());
        shown.finish();
        m.outputs = p.outputs;
        m.set = Some(p.set);
        clock.lap("5-publish");
    }
    m.durations_ms = clock.laps;
    m.finished_at = now();
    Ok(Outcome { manifest: m, actors, lock })
}

/// The record of a run that found the published set up to date: the inputs
/// and the set, with the counts its own run record states. No check ran
/// again; the set's `manifest.json` has its problems.
#[allow(clippy::too_many_arguments)]
fn unchanged(opts: &Options, run: RunFacts, current: publish::CurrentSet) -> Manifest {
    let RunFacts { started, rid: run_id, config_sha256, inputs, mut notices, clock } = run;
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
        started_at: started.0,
        finished_at: now(),
        raw_dir: opts.raw_label.clone().unwrap_or_else(|| opts.raw.display().to_string()),
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

/// Where the batches of the partitions go: tested, then written (mentions
/// as row groups of their file, events as sorted runs to merge).
struct BatchSink {
    event_runs: Option<SortedRuns>,
    mention_writer: Option<TableWriter>,
    event_tests: BatchTests,
    mention_tests: BatchTests,
}

impl BatchSink {
    fn add(&mut self, events: DataFrame, mentions: DataFrame, keys: &Keys, meta: &FileMeta) -> Result<()> {
        self.event_tests.add(&events, keys);
        if let Some(runs) = &mut self.event_runs {
            runs.add(&batch(&events, &schema::EVENTS, meta)?)?;
        }
        self.mention_tests.add(&mentions, keys);
        if let Some(w) = &mut self.mention_writer {
            w.write(&batch(&mentions, &schema::MENTIONS, meta)?)?;
        }
        Ok(())
    }
}

/// What every partition worker reads and shares: the corpus's dimensions
/// and the frames its batches are joined with.
struct PartitionContext<'a> {
    opts: &'a Options,
    published: &'a HashMap<&'a str, &'a NArticle>,
    dims: &'a normalize::Dimensions,
    reference: &'a Reference,
    codes: &'a DataFrame,
    tops: &'a DataFrame,
    top_of: &'a HashMap<&'a str, &'a str>,
    shown: &'a crate::progress::Stage,
    /// The incidents of the corpus, one accumulator for every worker (each
    /// adds a partition's events at once): the largest state of a run is
    /// held once, not once per worker.
    incidents: &'a std::sync::Mutex<Incidents>,
}

/// What one partition worker found: its own ledger and counts
/// (added up with the other workers' when the partitions are done) and how
/// many events and mentions it staged and normalized.
struct PartWork {
    ledger: Ledger,
    counts: marts::Counts,
    /// Events, mentions.
    staged: [usize; 2],
    normalized: [usize; 2],
}

impl PartWork {
    fn new(config: &Config) -> Self {
        PartWork { ledger: Ledger::new(config), counts: marts::Counts::default(), staged: [0; 2], normalized: [0; 2] }
    }

    /// One partition: the format contract row by row, then the rules of the
    /// normalize stage, the scores' and counts' accumulators, and the batch
    /// of each table as a frame.
    fn partition(
        &mut self,
        cx: &PartitionContext,
        rows: crate::ingest::partition::Rows,
    ) -> Result<(DataFrame, DataFrame)> {
        cx.shown.inc((rows.events.len() + rows.mentions.len()) as u64);
        // typed rows are large: their vectors sized once, not grown
        let mut events = Vec::with_capacity(rows.events.len());
        events.extend(
            rows.events.into_iter().filter_map(|src| ingest::check_moving(src, &mut self.ledger, records::event)),
        );
        let mut mentions = Vec::with_capacity(rows.mentions.len());
        mentions.extend(
            rows.mentions.into_iter().filter_map(|src| ingest::check_moving(src, &mut self.ledger, records::mention)),
        );
        self.staged[0] += events.len();
        self.staged[1] += mentions.len();
        let mut texts: HashMap<String, Arc<ArticleText>> = HashMap::default();
        for id in events.iter().map(|e| &e.article_id).chain(mentions.iter().map(|m| &m.article_id)) {
            if let (false, Some(a)) = (texts.contains_key(id), cx.published.get(id.as_str())) {
                if let Some(t) = ArticleText::load(&cx.opts.raw, &a.text_path) {
                    texts.insert(id.clone(), Arc::new(t));
                }
            }
        }
        let events = normalize::events(events, cx.published, &texts, &cx.dims.index, cx.reference, &mut self.ledger);
        let mentions = normalize::mentions(mentions, cx.published, &texts, &cx.dims.index, &mut self.ledger);
        drop(texts);
        // each row's incident, hashed once for the scores and the table
        let hashes: Vec<u128> = events.iter().map(marts::incident_hash).collect();
        for e in &events {
            self.counts.add_event(e);
        }
        {
            let mut incidents = cx.incidents.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            for (e, &hash) in events.iter().zip(&hashes) {
                add_incident(&mut incidents, e, hash, cx.top_of, cx.reference);
            }
        }
        for m in &mentions {
            self.counts.add_mention(m);
        }
        self.normalized[0] += events.len();
        self.normalized[1] += mentions.len();
        Ok((marts::events_frame(&events, &hashes, cx.codes, cx.tops)?, marts::mentions_frame(&mentions, cx.tops)?))
    }
}

/// Rows of relationship_scores summed, tested and written at a time.
const SCORE_CHUNK_ROWS: usize = 64 * 1024;

/// Where the scores are computed into their table: the incidents summed
/// chunk by chunk in the table's order ([`Incidents::finish`]) on this
/// thread, each chunk tested and, when the run writes, appended to the
/// table's file at `path` on another (the two overlap). Returns the number of
/// rows, the tests and the file.
fn score_table(
    incidents: Incidents,
    keys: &Keys,
    path: Option<&std::path::Path>,
    meta: &FileMeta,
) -> Result<(usize, BatchTests, Option<crate::write::Written>)> {
    let t = &schema::RELATIONSHIP_SCORES;
    let mut tests = BatchTests::new(t);
    let mut writer = path.map(|p| TableWriter::create(p, t, meta)).transpose()?;
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<crate::score::ScoreRows>(2);
        let (tests, writer) = (&mut tests, &mut writer);
        let sink = scope.spawn(move || -> Result<()> {
            for chunk in rx {
                let df = chunk.into_frame()?;
                tests.add(&df, keys);
                if let Some(w) = writer.as_mut() {
                    w.write(&batch(&df, t, meta)?)?;
                }
            }
            Ok(())
        });
        // a chunk that cannot be sent means the sink stopped on an error,
        // which its join reports
        let rows = incidents.finish(SCORE_CHUNK_ROWS, |chunk| {
            tx.send(chunk).map_err(|_| crate::problem::Error::Parquet {
                path: PathBuf::from(t.name),
                message: "the writer of the scores stopped".into(),
            })
        });
        drop(tx);
        let written = sink.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written?;
        rows
    })
    .and_then(|rows| Ok((rows, tests, writer.map(TableWriter::close).transpose()?)))
}

/// A batch of a table as Arrow, for writing.
fn batch(
    frame: &DataFrame,
    t: &'static schema::TableSchema,
    meta: &FileMeta,
) -> Result<arrow::record_batch::RecordBatch> {
    to_batch(frame, t, meta).map_err(|message| crate::problem::Error::Parquet { path: PathBuf::from(t.name), message })
}

/// Adds a published event to the score accumulator.
fn add_incident(inc: &mut Incidents, e: &NEvent, incident: u128, top_of: &HashMap<&str, &str>, reference: &Reference) {
    let Some(code) = reference.get(&e.code) else { return };
    fn top<'a>(top_of: &HashMap<&str, &'a str>, id: &'a str) -> &'a str {
        top_of.get(id).copied().unwrap_or(id)
    }
    inc.add(&ScoredEvent {
        source_id: &e.source_id,
        target_id: e.target_id.as_deref(),
        source_top_id: top(top_of, &e.source_id),
        target_top_id: e.target_id.as_deref().map(|t| top(top_of, t)),
        code: &e.code,
        quad_class: code.quad_class,
        goldstein: code.goldstein,
        mode: &e.mode,
        confidence: e.confidence,
        date_start: epoch_days(e.date.first),
        date_end: epoch_days(e.date.last),
        incident,
    });
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
    pub(crate) fn new(out: Option<&std::path::Path>, run_id: &str) -> Result<Self> {
        let werr = |path: &std::path::Path| {
            let path = path.to_path_buf();
            move |source| crate::problem::Error::Write { path, source }
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
    opts: &Options,
    meta: &FileMeta,
    tables: [(&'static schema::TableSchema, TableData); 7],
    m: &Manifest,
) -> Result<Published> {
    // a corpus read from a local copy is named as the user gave it, in the
    // set's record and page as in the run report
    let labelled = |json: String| match &opts.raw_label {
        Some(label) => crate::storage::relabel_json(&json, &opts.raw, label),
        None => json,
    };
    let record: serde_json::Value =
        serde_json::from_str(&labelled(serde_json::to_string(m).expect("the run record serializes")))
            .expect("a relabelled record is JSON");
    let page = |dir: &std::path::Path| crate::overview::build(dir, &record, Some(&opts.raw));
    publish::publish_with_page(
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
    )
}
