//! A shard set on disk: what `run --shard K/N` writes and `dyadflow merge`
//! reads. One directory per shard:
//!
//! - `events.parquet`, `mentions.parquet`: the shard's rows of the two large
//!   tables, each sorted as the published table is (so the merge is a k-way
//!   merge of sorted files);
//! - `state.bin`: the rest of what the shard found, compact (bincode, a
//!   binary form of the same serde types, about a third of their JSON and
//!   read several times faster): its ledger
//!   (problems, rejected rows with their raw fields, rows read), its
//!   published articles, every actor, the counts per actor and article, the
//!   per-incident weights and report counts the scores are made of, and the
//!   tests of its batches;
//! - `shard.json`, written last: the shard's manifest, naming the shard, the
//!   hash that assigned the articles, the inputs (path, size, SHA-256), the
//!   configuration and the program version, and every file above with its
//!   size and SHA-256. A directory without it is not a complete shard set.

use super::collect::{Collected, TableRows};
use crate::catalogue;
use crate::config::Config;
use crate::gates::{BatchTests, BatchTestsState};
use crate::inputs::InputFile;
use crate::ledger::{Ledger, LedgerState};
use crate::marts::Counts;
use crate::normalize::{NActor, NArticle};
use crate::problem::{Error, Result};
use crate::score::{Incidents, IncidentsState};
use crate::shard::Shard;
use crate::write::file::FileMeta;
use crate::write::SortedRuns;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The format of a shard set, recorded in its manifest.
pub const FORMAT: &str = "dyadflow-shard-set/2";
/// The shard set's manifest.
pub const MANIFEST: &str = "shard.json";
const STATE: &str = "state.bin";
const EVENTS: &str = "events.parquet";
const MENTIONS: &str = "mentions.parquet";

/// A file of the shard set, as its manifest lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SetFile {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    /// Rows, for the table files.
    pub rows: Option<usize>,
}

/// The manifest of a shard set (`shard.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardManifest {
    pub format: String,
    pub program: String,
    pub program_version: String,
    pub schema_version: String,
    /// The run id of the whole corpus (the same in every shard).
    pub run_id: String,
    pub shard: Shard,
    /// How articles were assigned to shards.
    pub hash: String,
    pub raw_dir: String,
    pub config_file: Option<String>,
    pub config: Config,
    pub config_sha256: String,
    pub inputs: Vec<InputFile>,
    /// Rows after ingest and after normalization, per raw table (articles,
    /// actors, events, mentions).
    pub staged: [usize; 4],
    pub normalized: [usize; 4],
    /// Rows read and rejected per raw table.
    pub read: BTreeMap<String, usize>,
    pub rejected: BTreeMap<String, usize>,
    pub started_at: String,
    pub finished_at: String,
    pub durations_ms: BTreeMap<String, u64>,
    pub files: Vec<SetFile>,
}

#[derive(Serialize, Deserialize)]
struct State {
    ledger: LedgerState,
    articles: Vec<NArticle>,
    actors: Vec<NActor>,
    counts: Counts,
    incidents: IncidentsState,
    event_tests: BatchTestsState,
    mention_tests: BatchTestsState,
}

fn werr(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write { path: path.to_path_buf(), source }
}

fn rerr(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Read { path: path.to_path_buf(), source }
}

fn bad(dir: &Path, message: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::ShardSet { path: dir.to_path_buf(), message: message.into(), hint: hint.into() }
}

/// A file of the set with its size and SHA-256, hashed as it is read (a
/// shard's files are hundreds of MB at scale; none is held whole).
fn describe(path: &Path, name: &str, rows: Option<usize>) -> Result<SetFile> {
    let f = std::fs::File::open(path).map_err(rerr(path))?;
    let (sha256, bytes) = crate::digest::sha256_reader(f).map_err(rerr(path))?;
    Ok(SetFile { file: name.to_string(), bytes, sha256, rows })
}

/// Writes a shard's set into `out` (which the caller has locked): the files
/// are made in `scratch` (on the same file system), the previous manifest is
/// removed first, the files moved in, and the new manifest written last.
pub fn write(
    out: &Path,
    scratch: &Path,
    mut manifest: ShardManifest,
    part: Collected,
    meta: &FileMeta,
) -> Result<ShardManifest> {
    let Collected { ledger, articles, actors, counts, incidents, event_tests, mention_tests, events, mentions, .. } =
        part;
    let events = events.expect("a shard run writes its tables");
    let mentions = mentions.expect("a shard run writes its tables");
    let events = into_file(events, &scratch.join(EVENTS), &catalogue::EVENTS, meta)?;
    let mentions = into_file(mentions, &scratch.join(MENTIONS), &catalogue::MENTIONS, meta)?;
    // each part turned into its stored form and dropped at once, so that
    // the largest (the incidents, the events' keys) are not held twice
    fn stored<T, S>(x: T, f: impl FnOnce(&T) -> S) -> S {
        f(&x)
    }
    let state = State {
        ledger: stored(ledger, Ledger::state),
        articles,
        actors,
        counts,
        incidents: stored(incidents, Incidents::state),
        event_tests: stored(event_tests, BatchTests::state),
        mention_tests: stored(mention_tests, BatchTests::state),
    };
    let state_path = scratch.join(STATE);
    {
        let f = std::fs::File::create(&state_path).map_err(werr(&state_path))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        bincode::serde::encode_into_std_write(&state, &mut w, bincode::config::standard())
            .map_err(|e| Error::Write { path: state_path.clone(), source: std::io::Error::other(e) })?;
        let f = w.into_inner().map_err(|e| Error::Write { path: state_path.clone(), source: e.into_error() })?;
        f.sync_all().map_err(werr(&state_path))?;
    }
    manifest.files = vec![
        describe(&events.path, EVENTS, Some(events.rows))?,
        describe(&mentions.path, MENTIONS, Some(mentions.rows))?,
        describe(&state_path, STATE, None)?,
    ];
    let old = out.join(MANIFEST);
    if old.exists() {
        std::fs::remove_file(&old).map_err(werr(&old))?;
    }
    for (from, name) in [(&events.path, EVENTS), (&mentions.path, MENTIONS), (&state_path, STATE)] {
        let to = out.join(name);
        std::fs::rename(from, &to).map_err(werr(&to))?;
    }
    let json = serde_json::to_vec_pretty(&manifest).expect("the shard manifest serializes");
    crate::publish::write_atomically(&out.join(MANIFEST), &json)?;
    Ok(manifest)
}

fn into_file(
    rows: TableRows,
    path: &Path,
    t: &'static catalogue::TableSchema,
    meta: &FileMeta,
) -> Result<crate::write::Written> {
    let w = rows.into_file(path, t, meta)?;
    if w.path != path {
        std::fs::rename(&w.path, path).map_err(werr(path))?;
    }
    Ok(crate::write::Written { path: path.to_path_buf(), rows: w.rows })
}

/// Reads a shard set's manifest, checking that the set is complete: every
/// file it lists present with its size and SHA-256.
pub fn read_manifest(dir: &Path) -> Result<ShardManifest> {
    let path = dir.join(MANIFEST);
    if !dir.is_dir() {
        return Err(bad(dir, "no such directory", "give the directories `run --shard K/N --out DIR` wrote"));
    }
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(bad(
                dir,
                format!("it has no {MANIFEST}: it is not a shard set, or the run writing it did not finish"),
                format!("run `dyadflow run --raw RAW --shard K/N --out {}` for this shard again", dir.display()),
            ))
        }
        Err(e) => return Err(Error::Read { path, source: e }),
    };
    let m: ShardManifest = serde_json::from_slice(&bytes).map_err(|e| {
        bad(dir, format!("{MANIFEST} cannot be read: {e}"), "run the shard again with this version of dyadflow")
    })?;
    if m.format != FORMAT {
        return Err(bad(
            dir,
            format!("its format is `{}`, this program reads `{FORMAT}`", m.format),
            "run the shard again with this version of dyadflow",
        ));
    }
    for f in &m.files {
        let p = dir.join(&f.file);
        let got = describe(&p, &f.file, f.rows)
            .map_err(|_| bad(dir, format!("{} is missing", f.file), "run the shard again: its set is incomplete"))?;
        if got.bytes != f.bytes || got.sha256 != f.sha256 {
            return Err(bad(
                dir,
                format!("{} is not the file its manifest lists (size or SHA-256 differ)", f.file),
                "run the shard again: its set was changed after it was written",
            ));
        }
    }
    Ok(m)
}

/// Reads a shard set whose manifest was checked: what its run collected.
/// Its incidents are added to `incidents` straight from their stored form
/// (the merge's accumulator: no second accumulator per shard); the
/// returned part holds none.
pub fn read(dir: &Path, m: &ShardManifest, incidents: &mut Incidents) -> Result<Collected> {
    let state_path = dir.join(STATE);
    let f = std::fs::File::open(&state_path).map_err(rerr(&state_path))?;
    let mut r = std::io::BufReader::with_capacity(1 << 20, f);
    let state: State = bincode::serde::decode_from_std_read(&mut r, bincode::config::standard())
        .map_err(|e| bad(dir, format!("{STATE} cannot be read: {e}"), "run the shard again"))?;
    incidents.absorb(state.incidents).map_err(|e| bad(dir, e, "run the shard again"))?;
    let tests = |s: BatchTestsState| {
        BatchTests::from_state(s)
            .ok_or_else(|| bad(dir, "its tests name unknown rules or columns", "run the shard again"))
    };
    let runs = |name: &str, t: &'static catalogue::TableSchema| {
        Some(TableRows::Runs(SortedRuns::of_files(dir, t, vec![dir.join(name)])))
    };
    Ok(Collected {
        shard: m.shard,
        ledger: Ledger::from_state(&m.config, state.ledger),
        articles: state.articles,
        actors: state.actors,
        counts: state.counts,
        incidents: Incidents::new(&m.config.score),
        event_tests: tests(state.event_tests)?,
        mention_tests: tests(state.mention_tests)?,
        events: runs(EVENTS, &catalogue::EVENTS),
        mentions: runs(MENTIONS, &catalogue::MENTIONS),
        staged: m.staged,
        normalized: m.normalized,
    })
}

/// Checks that shard sets make one corpus: the same inputs, configuration,
/// program and number of shards, each shard once, none missing.
pub fn check_complete(sets: &[(PathBuf, ShardManifest)]) -> Result<()> {
    let Some((first_dir, first)) = sets.first() else {
        return Err(bad(Path::new("."), "no shard sets given", "name the directories of every shard"));
    };
    let n = first.shard.count;
    let mut seen: BTreeMap<u32, &Path> = BTreeMap::new();
    for (dir, m) in sets {
        let differs = |what: &str| {
            bad(
                dir,
                format!("its {what} differ from those of {}", first_dir.display()),
                "merge shards of one run: the same raw files, configuration and dyadflow version, \
                 all cut into the same number of shards",
            )
        };
        if m.program_version != first.program_version || m.schema_version != first.schema_version {
            return Err(bad(
                dir,
                format!(
                    "it was written by dyadflow {} (schema {}), {} by {} (schema {})",
                    m.program_version,
                    m.schema_version,
                    first_dir.display(),
                    first.program_version,
                    first.schema_version
                ),
                "run every shard with the same dyadflow version",
            ));
        }
        if m.program_version != crate::inputs::PROGRAM_VERSION {
            return Err(bad(
                dir,
                format!("it was written by dyadflow {}, this is {}", m.program_version, crate::inputs::PROGRAM_VERSION),
                "merge with the dyadflow version that ran the shards",
            ));
        }
        if m.inputs != first.inputs {
            return Err(differs("inputs (raw files and their SHA-256)"));
        }
        if m.config_sha256 != first.config_sha256 {
            return Err(differs("configuration"));
        }
        if m.hash != first.hash || m.shard.count != n {
            return Err(bad(
                dir,
                format!("it is shard {} but {} is shard {}", m.shard, first_dir.display(), first.shard),
                "merge the shards of one cut (the same N in every `--shard K/N`)",
            ));
        }
        if let Some(other) = seen.insert(m.shard.index, dir) {
            return Err(bad(
                dir,
                format!("shard {} is given twice (also {})", m.shard, other.display()),
                "give each shard once",
            ));
        }
    }
    let missing: Vec<u32> = (0..n).filter(|k| !seen.contains_key(k)).collect();
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|k| format!("{k}/{n}")).collect();
        return Err(bad(first_dir, format!("shard(s) {} missing", names.join(", ")), rerun_hint(sets, &missing)));
    }
    Ok(())
}

/// The commands that write the missing shards, with the raw directory and
/// configuration the given shards were run with, and an output directory
/// beside theirs when they are named by their index (`shards/0`).
fn rerun_hint(sets: &[(PathBuf, ShardManifest)], missing: &[u32]) -> String {
    let (first_dir, first) = &sets[0];
    let by_index = sets.iter().all(|(d, m)| d.file_name().is_some_and(|f| f == m.shard.index.to_string().as_str()));
    let out = |k: u32| match (by_index, first_dir.parent()) {
        (true, Some(parent)) => parent.join(k.to_string()).display().to_string(),
        _ => format!("DIR{k}"),
    };
    let config = first.config_file.as_ref().map(|c| format!(" --config {c}")).unwrap_or_default();
    let n = first.shard.count;
    let commands: Vec<String> = missing
        .iter()
        .map(|&k| format!("`dyadflow run --raw {}{config} --shard {k}/{n} --out {}`", first.raw_dir, out(k)))
        .collect();
    let mut dirs: Vec<(u32, String)> = sets.iter().map(|(d, m)| (m.shard.index, d.display().to_string())).collect();
    dirs.extend(missing.iter().map(|&k| (k, out(k))));
    dirs.sort();
    let dirs: Vec<String> = dirs.into_iter().map(|(_, d)| d).collect();
    format!(
        "write the missing shard(s) with {}; then merge them all: `dyadflow merge {} --out DIR`",
        commands.join(", "),
        dirs.join(" ")
    )
}
