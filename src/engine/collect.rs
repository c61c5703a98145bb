//! Stages 1 to 3 of a run on one shard of a corpus (the whole corpus in a
//! plain run): the dimensions, the routing of events and mentions into
//! partitions, and the partitions; what they found, as compact state and
//! table files ([`Collected`]), which a merge adds up shard by shard.

use super::options::Options;
use super::partitions;
use super::prologue::Clock;
use crate::catalogue;
use crate::gates::BatchTests;
use crate::ingest::{self, partition::Partitions};
use crate::inputs::InputFile;
use crate::ledger::Ledger;
use crate::marts;
use crate::normalize::{self, NActor, NArticle};
use crate::problem::{Result, Table};
use crate::rules::Rule;
use crate::score::Incidents;
use crate::shard::Shard;
use crate::write::file::FileMeta;
use crate::write::{SortedRuns, TableWriter, Written};
use std::path::Path;

/// Where the rows of a large table are when the partitions are done.
pub enum TableRows {
    /// Sorted runs still to merge (events; the mentions of several shards).
    Runs(SortedRuns),
    /// One file written in the table's order (the mentions of one shard).
    File(Written),
}

impl TableRows {
    /// The table as one file in its sort order, at `path` (runs are merged
    /// there; a file written already is used as it is).
    pub fn into_file(self, path: &Path, t: &catalogue::TableSchema, meta: &FileMeta) -> Result<Written> {
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
    pub fn absorb(&mut self, p: Collected, scratch: &Path) -> Result<()> {
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
            [(&mut self.events, p.events, &catalogue::EVENTS), (&mut self.mentions, p.mentions, &catalogue::MENTIONS)]
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
    scratch: &Path,
    writing: bool,
    meta: &FileMeta,
    clock: &mut Clock,
) -> Result<Collected> {
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
    let parts = route(opts, inputs, shard, scratch, &article_ids, &mut ledger)?;
    clock.lap("2-route");

    // 3. partition by partition: normalize, build the batch, test it,
    //    accumulate the scores and counts, write
    let sinks = partitions::Sinks {
        event_runs: writing.then(|| SortedRuns::new(scratch, &catalogue::EVENTS).expecting(parts.len())),
        mention_writer: match writing {
            true => Some(TableWriter::create(&scratch.join("mentions.parquet"), &catalogue::MENTIONS, meta)?),
            false => None,
        },
        event_tests: BatchTests::new(&catalogue::EVENTS),
        mention_tests: BatchTests::new(&catalogue::MENTIONS),
    };
    let done = partitions::work(opts, &dims, &published, &article_ids, &parts, sinks, &mut ledger, meta)?;
    clock.lap("3-partitions");
    drop(published);
    let n_actors = if shard.owns_corpus() { dims.actors.len() } else { 0 };
    let partitions::Done { counts, incidents, staged: [staged_events, staged_mentions], normalized, sinks } = done;
    Ok(Collected {
        shard,
        staged: [staged_dims[0], staged_dims[1], staged_events, staged_mentions],
        normalized: [dims.articles.len(), n_actors, normalized[0], normalized[1]],
        ledger,
        articles: dims.articles,
        actors: dims.actors,
        counts,
        incidents,
        event_tests: sinks.event_tests,
        mention_tests: sinks.mention_tests,
        events: sinks.event_runs.map(TableRows::Runs),
        mentions: sinks.mention_writer.map(TableWriter::close).transpose()?.map(TableRows::File),
    })
}

/// Stage 2: the events and mentions tables read in a stream (events on this
/// thread, mentions on another, each with a ledger of its own, added up
/// after) and their rows routed by article into partitions of about
/// `opts.batch_bytes` of CSV each.
fn route(
    opts: &Options,
    inputs: &[InputFile],
    shard: Shard,
    scratch: &Path,
    article_ids: &[&str],
    ledger: &mut Ledger,
) -> Result<Partitions> {
    let fact_bytes: u64 = inputs
        .iter()
        .filter(|i| {
            ["events", "mentions"].iter().any(|t| i.path == format!("{t}.csv") || i.path.starts_with(&format!("{t}/")))
        })
        .map(|i| i.bytes)
        .sum();
    let n_parts = fact_bytes.div_ceil(opts.batch_bytes.max(1)).max(1) as usize;
    let mut parts = Partitions::new(article_ids, n_parts, &scratch.join("partitions"))?;
    let shown = opts.progress.stage("route");
    {
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
            let mine = route(Table::Events, events, ledger);
            let theirs = other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            mine.and(theirs)
        })?;
        ledger.absorb(aside);
    }
    shown.finish();
    Ok(parts)
}

/// The decisions that need every article of the corpus (whether collected
/// whole or absorbed shard by shard, [`Collected::absorb`]): articles in id
/// order, and the hint of a reference to an unknown article naming the
/// closest article of the whole corpus.
pub(super) fn over_the_corpus(mut all: Collected) -> Collected {
    all.articles.sort_by(|a, b| a.article_id.cmp(&b.article_id));
    let ids: Vec<&str> = all.articles.iter().map(|a| a.article_id.as_str()).collect();
    let hint = |p: Rule, message: &str, hint: &mut Option<String>| {
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
