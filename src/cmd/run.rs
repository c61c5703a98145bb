//! `dyadflow run`: ingest, normalize, score and publish a corpus.

use super::report;
use super::CorpusArgs;
use dyadflow::engine::{self, Options};
use std::path::PathBuf;

pub const ABOUT: &str = "Run the pipeline on a raw corpus and publish the Parquet tables";

pub const LONG_ABOUT: &str = "\
Run the pipeline on a raw corpus and publish the Parquet tables.

Reads the raw corpus, checks it (a gate after every stage), and publishes
articles, actors, events, mentions, relationship_scores, codes and rejects as a
new set <out>/runs/<seq>-<run_id>/ (the seven <table>.parquet files, the page
overview.html, the run record manifest.json and _SUCCESS). The set becomes the published one in a single
atomic step: the link <out>/current is switched to it. <out>/<table>.parquet,
<out>/manifest.json and <out>/_SUCCESS are links through <out>/current. The
newest --keep-runs sets are kept. When the run fails, killed or not, current
still points at the previous complete set.

One run at a time writes to an output directory: a second run refuses (exit
3) or, with --wait, waits for the first. A run whose inputs, configuration
and program are those of the current set publishes nothing and says so; use
--force to rebuild.

Every run also writes its run report (the same record, with every problem) to
<out>.run.json beside the output directory, or to --report FILE.

--raw and --out also take s3://bucket/prefix (credentials, region and
endpoint from the AWS_* environment variables). A raw prefix is downloaded
first. A set published to a bucket is uploaded under prefix/runs/<set>/ and
made current by one conditional write of the pointer object prefix/current;
when another run moved that pointer meanwhile, this run's set stays uploaded
but not current and the run exits 3. The run report goes to prefix/run.json
unless --report FILE is given. See the README's \"Object storage\".

With --lineage FILE, appends OpenLineage run events to FILE, one JSON object
per line: START before the run, then COMPLETE (published, or up to date) or
FAIL (with the error message) under the same run id. Inputs are the raw files
with their SHA-256; outputs the published tables with their schema and row
counts.

With --shard K/N, processes only the articles whose id hashes to shard K of N
(and their events and mentions) and writes a shard set into --out instead of
publishing: the shard's rows, rejects and ledger, and the per-incident
weights the scores are made of, with a manifest (shard.json) naming the
shard, the inputs and the program version. `dyadflow merge` combines the N
shard sets into the set a single run publishes, byte for byte. A shard run
does not decide whether the corpus passes (the merge does): it exits 0 once
its set is written.

Exit codes:
  0  published, or already up to date (warnings allowed)
  1  rows were rejected beyond what the configuration allows, warnings with
     --strict, or a gate failed: nothing was published
  2  usage, configuration or I/O error: nothing was published
  3  another run is writing to the output directory: nothing was done (for
     a bucket: another run made its set current first; this run's set was
     uploaded but not made current)";

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// Output directory for the published tables, or s3://bucket/prefix.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Where to write the run report (default: <out>.run.json).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Rebuild and publish a new set even when the current one is up to date.
    #[arg(long)]
    pub force: bool,
    /// Wait up to this many seconds for another run writing to the same
    /// output directory (default: refuse at once, exit 3).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait: u64,
    /// How many published sets to keep under <out>/runs/ (the current one
    /// included).
    #[arg(long, value_name = "N", default_value_t = engine::DEFAULT_KEEP_RUNS as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub keep_runs: u64,
    /// Append OpenLineage run events (START, then COMPLETE or FAIL) to this
    /// file, one JSON object per line.
    #[arg(long, value_name = "FILE")]
    pub lineage: Option<PathBuf>,
    /// OpenLineage job namespace (default: $OPENLINEAGE_NAMESPACE, else
    /// `dyadflow`).
    #[arg(long, value_name = "NAMESPACE", requires = "lineage")]
    pub lineage_namespace: Option<String>,
    /// Process shard K of N (0 <= K < N) and write a shard set into --out,
    /// for `dyadflow merge`. Articles go to shards by a hash of their id.
    #[arg(long, value_name = "K/N", conflicts_with = "lineage")]
    pub shard: Option<dyadflow::shard::Shard>,
    /// OpenLineage job name.
    #[arg(long, value_name = "NAME", default_value = "dyadflow.run", requires = "lineage")]
    pub lineage_job: String,
}

pub fn execute(args: &Args) -> anyhow::Result<i32> {
    let Some(file) = &args.lineage else { return execute_run(args, None) };
    let namespace = args
        .lineage_namespace
        .clone()
        .or_else(|| std::env::var("OPENLINEAGE_NAMESPACE").ok().filter(|n| !n.is_empty()))
        .unwrap_or_else(|| "dyadflow".into());
    let lineage = dyadflow::lineage::Lineage::new(file.clone(), namespace, args.lineage_job.clone());
    lineage.start()?;
    let result = execute_run(args, Some(&lineage));
    if let Err(e) = &result {
        // the run stopped before its record: the FAIL event carries the error
        if let Err(l) = lineage.fail(&format!("{e:#}")) {
            eprintln!("dyadflow: error: {l}");
        }
    }
    result
}

fn execute_run(args: &Args, lineage: Option<&dyadflow::lineage::Lineage>) -> anyhow::Result<i32> {
    let (config, config_path) = args.corpus.load_config()?;
    // --raw and --out may name bucket prefixes (s3://): see `storage`
    let raw = dyadflow::storage::RawInput::open(&args.corpus.raw)?;
    let out = dyadflow::storage::Output::open(&args.out)?;
    let opts = Options {
        raw: raw.local().to_path_buf(),
        out: Some(out.local().to_path_buf()),
        config,
        config_path,
        strict: args.corpus.strict,
        command: "run".into(),
        force: args.force,
        wait: std::time::Duration::from_secs(args.wait),
        batch_bytes: args.corpus.batch_mb.saturating_mul(1 << 20),
        progress: dyadflow::progress::ProgressStyle::detect(args.corpus.log_format == report::LogFormat::Json),
        keep_runs: args.keep_runs as usize,
        raw_label: raw.location().is_remote().then(|| raw.location().to_string()),
    };
    if let Some(shard) = args.shard {
        return execute_shard(args, &opts, shard);
    }
    // the output's lock (a local directory) is held until the report is written
    let (mut m, _lock) = match out.up_to_date(&raw, &opts)? {
        Some(m) => (m, None),
        None => {
            let engine::Outcome { manifest, lock, .. } = engine::execute(&opts)?;
            (manifest, lock)
        }
    };
    let committed = out.finish(&raw, &mut m);
    super::settle(&mut m, &committed);
    let path = out.write_report(args.report.as_deref(), &args.out, serde_json::to_vec_pretty(&m)?)?;
    committed?;
    let m = &m;
    if let Some(l) = lineage {
        l.finish(m, &args.corpus.raw, &args.out)?;
    }
    print_report(m, &path, args.corpus.log_format, args.corpus.max_problems)?;
    Ok(m.exit_code)
}

/// Prints a run's outcome and where its report went.
pub fn print_report(
    m: &dyadflow::manifest::Manifest,
    report_at: &str,
    format: report::LogFormat,
    max_problems: usize,
) -> anyhow::Result<()> {
    let mut err = std::io::stderr().lock();
    report::print(&mut err, m, format, max_problems)?;
    if format == report::LogFormat::Human {
        use std::io::Write;
        writeln!(err, "  run report: {report_at}")?;
    }
    Ok(())
}

fn execute_shard(args: &Args, opts: &Options, shard: dyadflow::shard::Shard) -> anyhow::Result<i32> {
    let label = opts.raw_label.clone().unwrap_or_else(|| opts.raw.display().to_string());
    let done = dyadflow::engine::shards::execute_shard(opts, shard, &label)?;
    // a shard set for a bucket prefix is written locally, then uploaded
    // (its manifest last)
    dyadflow::storage::upload_shard_set(opts.out.as_deref().expect("a shard run writes"), &args.out, &done.manifest)?;
    let m = &done.manifest;
    let status = if done.up_to_date { "up to date" } else { "written" };
    match args.corpus.log_format {
        report::LogFormat::Json => eprintln!(
            "{}",
            serde_json::json!({
                "type": "shard", "status": status, "shard": m.shard.to_string(), "run_id": m.run_id,
                "out": args.out.display().to_string(), "read": m.read, "rejected": m.rejected,
                "published": {"articles": m.normalized[0], "events": m.normalized[2], "mentions": m.normalized[3]},
                "notices": done.notices,
            })
        ),
        report::LogFormat::Human => {
            for n in &done.notices {
                eprintln!("note: {n}");
            }
            eprintln!(
                "dyadflow: shard {} of run {} {status} in {}: {} article(s), {} event(s), {} mention(s); {} row(s) rejected",
                m.shard,
                m.run_id,
                args.out.display(),
                m.normalized[0],
                m.normalized[2],
                m.normalized[3],
                m.rejected.values().sum::<usize>()
            );
        }
    }
    Ok(0)
}
