//! `dyadflow merge`: shard sets in, one published set out.

use super::report;
use dyadflow::engine::shards::{self, MergeOptions};
use std::path::PathBuf;

pub const ABOUT: &str = "Merge the shard sets of a split run and publish the tables";

pub const LONG_ABOUT: &str = "\
Merge the shard sets of a split run and publish the tables.

Takes the N directories written by `dyadflow run --shard K/N --out DIR`
(K = 0..N-1) and checks that they make one corpus: every shard present once,
each set complete (its files match its shard.json), all from the same raw
files, configuration and dyadflow version. Otherwise it says which set is
wrong and publishes nothing (exit 2).

The shards are then combined: what spans articles is decided here, as a
single run decides it: an incident reported by articles of several shards
counts once, with its largest weight; actors' counts are summed; a
reference to an unknown article is hinted with the closest article of the
whole corpus. The gates run on the whole corpus and the set is published
through the same atomic commit as `run`: byte for byte the tables a single
`run` on the same corpus publishes, and the same run record but for its
command, times and directories.

Exit codes are those of `run`:
  0  published, or already up to date (warnings allowed)
  1  rows were rejected beyond what the configuration allows, warnings with
     --strict, or a gate failed: nothing was published
  2  usage or I/O error, or shard sets that do not make one corpus:
     nothing was published
  3  another run is writing to the output directory: nothing was done";

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The shard sets (directories written by `run --shard K/N`), in any order.
    #[arg(value_name = "SHARD_SET", required = true)]
    pub sets: Vec<PathBuf>,
    /// Output directory for the published tables.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Where to write the run report (default: <out>.run.json).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Rebuild and publish a new set even when the current one is up to date.
    #[arg(long)]
    pub force: bool,
    /// Wait up to this many seconds for another run writing to the same
    /// output directory (default: refuse at once, exit 3).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait: u64,
    /// How many published sets to keep under <out>/runs/.
    #[arg(long, value_name = "N", default_value_t = dyadflow::engine::DEFAULT_KEEP_RUNS as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub keep_runs: u64,
    /// How problems are printed: `human` or `json`.
    #[arg(long, value_enum, default_value = "human", value_name = "FORMAT")]
    pub log_format: report::LogFormat,
    /// Print at most this many problems per rule (all go to the run report).
    #[arg(long, value_name = "N", default_value_t = crate::cmd::report::DEFAULT_MAX_PER_RULE)]
    pub max_problems: usize,
}

pub fn execute(args: &Args) -> anyhow::Result<i32> {
    // shard sets and the output may be bucket prefixes (s3://): see `storage`
    let mut downloads = Vec::new();
    let mut sets = Vec::new();
    for s in &args.sets {
        sets.push(dyadflow::storage::shard_set_dir(s, &mut downloads)?);
    }
    let out = dyadflow::storage::Output::open(&args.out)?;
    let mo = MergeOptions {
        sets,
        out: out.local().to_path_buf(),
        strict: args.strict,
        force: args.force,
        wait: std::time::Duration::from_secs(args.wait),
        keep_runs: args.keep_runs as usize,
        progress: dyadflow::progress::ProgressStyle::detect(args.log_format == report::LogFormat::Json),
    };
    // the output's lock is held until the report is written
    let outcome = shards::merge(&mo)?;
    let mut m = outcome.manifest.clone();
    let raw = dyadflow::storage::RawInput::local_dir(std::path::Path::new(&m.raw_dir));
    let committed = out.finish(&raw, &mut m);
    super::settle(&mut m, &committed);
    let path = out.write_report(args.report.as_deref(), &args.out, serde_json::to_vec_pretty(&m)?)?;
    committed?;
    drop(outcome);
    super::run::print_report(&m, &path, args.log_format, args.max_problems)?;
    Ok(m.exit_code)
}
