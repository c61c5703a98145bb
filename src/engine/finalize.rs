//! Stage 4 and the verdict: the events merged into date order, the scores
//! summed, tested and written, the dimension tables with their counts, the
//! rejects, the last gates, and whether the run publishes.

use super::collect::{over_the_corpus, Collected, TableRows};
use super::options::{Options, Outcome};
use super::partitions::batch;
use super::prologue::RunFacts;
use super::record::{self, Verdict};
use crate::catalogue;
use crate::gates::{self, BatchTests, Keys, TestOutcome};
use crate::ledger::{Counts, Ledger};
use crate::manifest::StageCounts;
use crate::marts;
use crate::normalize::{NActor, NArticle};
use crate::problem::{Error, Result, Table, TableFileError};
use crate::publish::lock::WriterLock;
use crate::reference::Reference;
use crate::rules::{Rule, Stage};
use crate::score::Incidents;
use crate::write::file::FileMeta;
use crate::write::{TableWriter, Written};
use polars::prelude::DataFrame;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Stage 4 and the decision: the events in date order, the dimension tables
/// with their counts, the scores, the rejects and the gates; then publish
/// (when the run writes and nothing failed).
pub(crate) fn finish(
    opts: &Options,
    run: RunFacts,
    all: Collected,
    lock: Option<WriterLock>,
    scratch: &Path,
    meta: &FileMeta,
) -> Result<Outcome> {
    let mut run = run;
    let all = over_the_corpus(all);
    let shown = opts.progress.stage("finalize");
    let n_events = all.normalized[2];
    let (mut ledger, staged, normalized) = (all.ledger, all.staged, all.normalized);
    let dims = Dims { articles: all.articles, actors: all.actors, counts: all.counts };
    let keys = keys(&dims.articles, &dims.actors);
    shown.doing("merging the sorted events, summing and testing the scores");
    let big = big_tables(all.incidents, all.event_tests, all.events, all.mentions, &keys, scratch, meta)?;
    shown.doing("articles, actors, codes and rejects; the last gates");
    let small = SmallTables::new(&dims, &ledger)?;
    let mut tests: Vec<TestOutcome> = big.score_tests.finish_scores(big.expected_incidents);
    tests.extend(gates::generic_tests(&small.articles, &small.actors, &small.rejects, &keys));
    tests.extend(gates::codes_tests(&small.codes, &keys));
    tests.extend(big.event_outcomes);
    tests.extend(all.mention_tests.finish().0);
    // problems in the order of the files and lines they concern, whatever
    // the partitions (or shards) they were found in
    ledger.problems.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
    shown.inc(n_events as u64);
    shown.finish();
    run.clock.lap("4-finalize");
    let tables = table_counts(&ledger, normalized);
    tests.push(reconciled(&tables));
    let stages = stage_counts(&ledger, staged, normalized, big.n_scores);
    let reasons = verdict(opts, &ledger, &tables, &tests);
    let verdict = match (reasons.is_empty(), opts.out.is_some()) {
        (false, _) => Verdict::Failed,
        (true, true) => Verdict::Published,
        (true, false) => Verdict::Validated,
    };
    let (mut m, mut clock) = record::finished(opts, run, verdict, &ledger, tables, stages, tests, reasons);
    if let (Verdict::Published, Some(lock), Some(events), Some(mentions), Some(scores)) =
        (verdict, &lock, big.events, big.mentions, big.scores)
    {
        let small = small.write(scratch, meta)?;
        let tables = [
            (&catalogue::ARTICLES, small.articles),
            (&catalogue::ACTORS, small.actors),
            (&catalogue::EVENTS, events),
            (&catalogue::MENTIONS, mentions),
            (&catalogue::RELATIONSHIP_SCORES, scores),
            (&catalogue::CODES, small.codes),
            (&catalogue::REJECTS, small.rejects),
        ];
        record::publish(lock, opts, meta, tables, &mut m, &mut clock)?;
    }
    m.durations_ms = clock.laps;
    m.finished_at = super::prologue::now();
    Ok(Outcome { manifest: m, lock })
}

/// The dimensions of the whole corpus and the counts of their rows.
struct Dims {
    articles: Vec<NArticle>,
    actors: Vec<NActor>,
    counts: marts::Counts,
}

/// The keys the relationships tests look up, over the whole corpus.
fn keys(articles: &[NArticle], actors: &[NActor]) -> Keys {
    super::partitions::keys(actors, articles.iter().map(|a| a.article_id.as_str()))
}

/// The three large tables finished: the events' keys and incidents counted
/// (and their memory freed), then the events' sorted runs merged into their
/// file on one thread while the scores are summed, tested and written on
/// this one.
struct BigTables {
    events: Option<Written>,
    mentions: Option<Written>,
    scores: Option<Written>,
    n_scores: usize,
    score_tests: BatchTests,
    event_outcomes: Vec<TestOutcome>,
    expected_incidents: usize,
}

fn big_tables(
    incidents: Incidents,
    event_tests: BatchTests,
    events: Option<TableRows>,
    mentions: Option<TableRows>,
    keys: &Keys,
    scratch: &Path,
    meta: &FileMeta,
) -> Result<BigTables> {
    let writing = events.is_some();
    // the events' keys and incidents counted first, and their vectors
    // freed: the merge and the scores then reuse that memory instead of
    // adding to it (the largest moment of a run)
    let (event_outcomes, expected_incidents) = event_tests.finish();
    let ((events, mentions), (n_scores, score_tests, scores)) = std::thread::scope(|scope| -> Result<_> {
        let files = scope.spawn(move || -> Result<_> {
            let e =
                events.map(|e| e.into_file(&scratch.join("events.parquet"), &catalogue::EVENTS, meta)).transpose()?;
            let m = mentions
                .map(|m| m.into_file(&scratch.join("mentions-all.parquet"), &catalogue::MENTIONS, meta))
                .transpose()?;
            Ok((e, m))
        });
        let scores_path = writing.then(|| scratch.join("relationship_scores.parquet"));
        let scored = score_table(incidents, keys, scores_path.as_deref(), meta);
        let files = files.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok((files?, scored?))
    })?;
    Ok(BigTables { events, mentions, scores, n_scores, score_tests, event_outcomes, expected_incidents })
}

/// The small tables, built whole: articles and actors with their counts,
/// the rejects, the codes.
struct SmallTables<T = DataFrame> {
    articles: T,
    actors: T,
    rejects: T,
    codes: T,
}

impl SmallTables {
    fn new(dims: &Dims, ledger: &Ledger) -> Result<SmallTables> {
        Ok(SmallTables {
            articles: marts::articles_frame(&dims.articles, &dims.counts)?,
            actors: marts::actors_frame(&dims.actors, &dims.counts)?,
            rejects: marts::rejects_frame(&ledger.rejects)?,
            codes: marts::codes_table(Reference::builtin())?,
        })
    }

    /// Each table written by the table writer into `scratch`, whole.
    fn write(&self, scratch: &Path, meta: &FileMeta) -> Result<SmallTables<Written>> {
        let one = |df: &DataFrame, t: &'static catalogue::TableSchema| -> Result<Written> {
            let mut w = TableWriter::create_small(&scratch.join(format!("{}.parquet", t.name)), t, meta)?;
            w.write(&batch(df, t, meta)?)?;
            w.close()
        };
        Ok(SmallTables {
            articles: one(&self.articles, &catalogue::ARTICLES)?,
            actors: one(&self.actors, &catalogue::ACTORS)?,
            rejects: one(&self.rejects, &catalogue::REJECTS)?,
            codes: one(&self.codes, &catalogue::CODES)?,
        })
    }
}

fn by_table<T: Copy>(f: impl Fn(Table) -> T) -> BTreeMap<String, T> {
    Table::ALL.iter().map(|t| (t.name().to_string(), f(*t))).collect()
}

fn idx(t: Table) -> usize {
    Table::ALL.iter().position(|x| *x == t).expect("table listed")
}

/// Rows read, published and rejected per raw table.
fn table_counts(ledger: &Ledger, normalized: [usize; 4]) -> BTreeMap<String, Counts> {
    by_table(|t| Counts {
        read: ledger.read.get(&t).copied().unwrap_or(0),
        published: normalized[idx(t)],
        rejected: ledger.rejected(t),
    })
}

/// The gate that every row read is published or rejected.
fn reconciled(tables: &BTreeMap<String, Counts>) -> TestOutcome {
    let unreconciled: Vec<String> = tables
        .iter()
        .filter(|(_, c)| c.read != c.published + c.rejected)
        .map(|(t, c)| format!("{t}: read {} != published {} + rejected {}", c.read, c.published, c.rejected))
        .collect();
    gates_outcome(Rule::RowsReconcile, unreconciled)
}

/// Rows in, out and rejected at each stage.
fn stage_counts(
    ledger: &Ledger,
    staged: [usize; 4],
    normalized: [usize; 4],
    n_scores: usize,
) -> BTreeMap<String, StageCounts> {
    let rejected_at =
        |stage: Stage, t: Table| ledger.rejects.iter().filter(|r| r.stage == stage && r.src.table == t).count();
    let mut stages = BTreeMap::new();
    stages.insert(
        "1-ingest".to_string(),
        StageCounts {
            rows_in: by_table(|t| ledger.read.get(&t).copied().unwrap_or(0)),
            rows_out: by_table(|t| staged[idx(t)]),
            rejected: by_table(|t| rejected_at(Stage::Ingest, t)),
        },
    );
    stages.insert(
        "2-normalize".to_string(),
        StageCounts {
            rows_in: by_table(|t| staged[idx(t)]),
            rows_out: by_table(|t| normalized[idx(t)]),
            rejected: by_table(|t| rejected_at(Stage::Normalize, t)),
        },
    );
    let mut score_counts = StageCounts::default();
    score_counts.rows_in.insert("events".into(), normalized[2]);
    score_counts.rows_out.insert("relationship_scores".into(), n_scores);
    stages.insert("3-score".to_string(), score_counts);
    stages
}

/// Why the run fails, if it does: errors that no rejected row carries, more
/// rejects than the configuration allows, errors when validating, warnings
/// under --strict, failed tests. Empty: the run passes.
fn verdict(opts: &Options, ledger: &Ledger, tables: &BTreeMap<String, Counts>, tests: &[TestOutcome]) -> Vec<String> {
    let mut reasons = Vec::new();
    // errors that no rejected row carries: a missing table, an empty file, a
    // missing column (which also rejects its rows, one line further down)...
    let rejected_lines: std::collections::HashSet<(&str, u64)> =
        ledger.rejects.iter().map(|r| (r.src.file.as_ref(), r.src.line)).collect();
    let corpus_errors = ledger
        .problems
        .iter()
        .filter(|p| p.is_error() && p.line <= 1 && !rejected_lines.contains(&(p.file.as_str(), p.line)))
        .count();
    if corpus_errors > 0 {
        reasons.push(format!("{corpus_errors} file-level error(s)"));
    }
    for (t, c) in tables {
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
    reasons
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
    path: Option<&Path>,
    meta: &FileMeta,
) -> Result<(usize, BatchTests, Option<Written>)> {
    let t = &catalogue::RELATIONSHIP_SCORES;
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
            tx.send(chunk).map_err(|_| Error::Parquet {
                path: PathBuf::from(t.name),
                source: TableFileError::Shape("the writer of the scores stopped".into()),
            })
        });
        drop(tx);
        let written = sink.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written?;
        rows
    })
    .and_then(|rows| Ok((rows, tests, writer.map(TableWriter::close).transpose()?)))
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
