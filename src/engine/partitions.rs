//! Stage 3: the partitions, worked on every core. Each worker takes a
//! partition, checks its rows against the format contract, normalizes them,
//! adds its events to the score and count accumulators and builds each
//! table's batch; the batches are pushed, in partition order, into the
//! sinks: the batch tests and the table writers.

use super::options::Options;
use crate::catalogue;
use crate::config::Config;
use crate::edtf::epoch_days;
use crate::gates::{BatchTests, Keys};
use crate::ingest::partition::{Partitions, Rows};
use crate::ingest::{self, records};
use crate::ledger::Ledger;
use crate::marts;
use crate::normalize::text::ArticleText;
use crate::normalize::{self, NActor, NArticle, NEvent};
use crate::problem::{Error, Result, Table};
use crate::progress::Stage;
use crate::reference::Reference;
use crate::score::{Incidents, ScoredEvent};
use crate::write::file::{to_batch, FileMeta};
use crate::write::{SortedRuns, TableWriter};
use polars::prelude::DataFrame;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Where the batches of the partitions go: tested, then written (mentions
/// as row groups of their file, events as sorted runs to merge).
pub struct Sinks {
    pub event_runs: Option<SortedRuns>,
    pub mention_writer: Option<TableWriter>,
    pub event_tests: BatchTests,
    pub mention_tests: BatchTests,
}

impl Sinks {
    fn add(&mut self, events: DataFrame, mentions: DataFrame, keys: &Keys, meta: &FileMeta) -> Result<()> {
        self.event_tests.add(&events, keys);
        if let Some(runs) = &mut self.event_runs {
            runs.add(&batch(&events, &catalogue::EVENTS, meta)?)?;
        }
        self.mention_tests.add(&mentions, keys);
        if let Some(w) = &mut self.mention_writer {
            w.write(&batch(&mentions, &catalogue::MENTIONS, meta)?)?;
        }
        Ok(())
    }
}

/// What the partitions found, added up over the workers: the counts per
/// actor and article, the incidents of the scores, how many events and
/// mentions were staged and normalized, and the sinks.
pub struct Done {
    pub counts: marts::Counts,
    pub incidents: Incidents,
    /// Events, mentions.
    pub staged: [usize; 2],
    pub normalized: [usize; 2],
    pub sinks: Sinks,
}

/// Works every partition: workers (one per core) take the partitions in
/// turn, each with its own ledger and counts (added up at the end, as a
/// merge adds up shards) and one shared incident accumulator; one more
/// thread pushes the batches into the sinks in partition order, whatever
/// order the workers finish them in.
#[allow(clippy::too_many_arguments)]
pub fn work(
    opts: &Options,
    dims: &normalize::Dimensions,
    published: &HashMap<&str, &NArticle>,
    article_ids: &[&str],
    parts: &Partitions,
    mut sinks: Sinks,
    ledger: &mut Ledger,
    meta: &FileMeta,
) -> Result<Done> {
    let reference = Reference::builtin();
    let top_of: HashMap<&str, &str> = dims.actors.iter().map(|a| (a.actor_id.as_str(), a.top_id.as_str())).collect();
    let keys = keys(&dims.actors, article_ids.iter().copied());
    let shown = opts.progress.stage("partitions");
    // the state that grows with the events, sized once for the rows routed
    let routed_events = ledger.read.get(&Table::Events).copied().unwrap_or(0);
    shown.set_total((routed_events + ledger.read.get(&Table::Mentions).copied().unwrap_or(0)) as u64);
    sinks.event_tests.reserve(routed_events);
    let mut incidents = Incidents::new(&opts.config.score);
    incidents.reserve(routed_events);
    let incidents = Mutex::new(incidents);
    let ctx =
        PartitionContext { opts, published, dims, reference, top_of: &top_of, shown: &shown, incidents: &incidents };
    let (sinks, done) = in_parallel(&ctx, parts, sinks, &keys, meta)?;
    // added up into the first worker's state (not into a new one, which
    // would hold every incident twice for a moment)
    let mut done = done.into_iter();
    let first = done.next().unwrap_or_else(|| PartWork::new(&opts.config));
    ledger.absorb(first.ledger);
    let mut all = Done {
        counts: first.counts,
        incidents: incidents.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()),
        staged: first.staged,
        normalized: first.normalized,
        sinks,
    };
    for w in done {
        ledger.absorb(w.ledger);
        all.counts.absorb(w.counts);
        for i in 0..2 {
            all.staged[i] += w.staged[i];
            all.normalized[i] += w.normalized[i];
        }
    }
    shown.finish();
    Ok(all)
}

/// The key sets the relationships tests look up: the published actors, these
/// articles, and the reference's codes.
pub(super) fn keys<'a>(actors: &[NActor], article_ids: impl Iterator<Item = &'a str>) -> Keys {
    Keys {
        actor_ids: actors.iter().map(|a| a.actor_id.clone()).collect(),
        article_ids: article_ids.map(str::to_string).collect(),
        codes: Reference::builtin().iter().map(|c| c.code.clone()).collect(),
    }
}

/// The workers and the thread that feeds the sinks; the first error stops
/// them all.
fn in_parallel(
    ctx: &PartitionContext,
    parts: &Partitions,
    mut sinks: Sinks,
    keys: &Keys,
    meta: &FileMeta,
) -> Result<(Sinks, Vec<PartWork>)> {
    let n_workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, parts.len().max(1));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| -> Result<(Sinks, Vec<PartWork>)> {
        type Frames = (usize, DataFrame, DataFrame);
        let (tx, rx) = std::sync::mpsc::sync_channel::<Frames>(1);
        let stop_w = &stop;
        let writer = scope.spawn(move || -> Result<Sinks> {
            let mut pending: BTreeMap<usize, (DataFrame, DataFrame)> = BTreeMap::new();
            let mut due = 0;
            for (k, events, mentions) in rx {
                pending.insert(k, (events, mentions));
                while let Some((events, mentions)) = pending.remove(&due) {
                    if let Err(e) = sinks.add(events, mentions, keys, meta) {
                        stop_w.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                    due += 1;
                }
            }
            Ok(sinks)
        });
        let workers: Vec<_> = (0..n_workers)
            .map(|_| {
                let (tx, next, stop) = (tx.clone(), &next, &stop);
                scope.spawn(move || -> Result<PartWork> {
                    let mut w = PartWork::new(&ctx.opts.config);
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= parts.len() || stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let frames = match parts.take(k).and_then(|rows| w.partition(ctx, rows)) {
                            Ok(f) => f,
                            Err(e) => {
                                stop.store(true, Ordering::Relaxed);
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
    })
}

/// What every partition worker reads and shares: the corpus's dimensions
/// and what its batches are joined with.
struct PartitionContext<'a> {
    opts: &'a Options,
    published: &'a HashMap<&'a str, &'a NArticle>,
    dims: &'a normalize::Dimensions,
    reference: &'a Reference,
    top_of: &'a HashMap<&'a str, &'a str>,
    shown: &'a Stage,
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
    fn partition(&mut self, cx: &PartitionContext, rows: Rows) -> Result<(DataFrame, DataFrame)> {
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
        // each row's incident id, for the table (the scores key incidents
        // by their interned fields)
        let hashes: Vec<u128> = events.iter().map(marts::incident_hash).collect();
        for e in &events {
            self.counts.add_event(e);
        }
        {
            let mut incidents = cx.incidents.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            for e in &events {
                add_incident(&mut incidents, e, cx.top_of, cx.reference);
            }
        }
        for m in &mentions {
            self.counts.add_mention(m);
        }
        self.normalized[0] += events.len();
        self.normalized[1] += mentions.len();
        let joins = marts::Joins { top_of: cx.top_of, reference: cx.reference };
        Ok((marts::events_frame(&events, &hashes, &joins)?, marts::mentions_frame(&mentions, &joins)?))
    }
}

/// Adds a published event to the score accumulator.
fn add_incident(inc: &mut Incidents, e: &NEvent, top_of: &HashMap<&str, &str>, reference: &Reference) {
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
    });
}

/// A batch of a table as Arrow, for writing.
pub(super) fn batch(
    frame: &DataFrame,
    t: &'static catalogue::TableSchema,
    meta: &FileMeta,
) -> Result<arrow_array::RecordBatch> {
    to_batch(frame, t, meta).map_err(Error::parquet(std::path::Path::new(t.name)))
}
