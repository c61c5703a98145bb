//! `dyadflow run`: ingest, normalize, score and publish a corpus.

use super::CorpusArgs;
use crate::pipeline::{self, Options};
use crate::report;
use std::path::PathBuf;

pub const ABOUT: &str = "Run the pipeline on a raw corpus and publish the Parquet tables";

pub const LONG_ABOUT: &str = "\
Run the pipeline on a raw corpus and publish the Parquet tables.

Reads the raw corpus, checks it (a gate after every stage), and publishes
articles, actors, events, mentions, relationship_scores and rejects as
<out>/<table>.parquet, with the run record <out>/manifest.json. The published
set is replaced only by a complete, validated set: when the run fails, the
previous files stay as they were.

Every run also writes its run report (the same record, with every problem) to
<out>.run.json beside the output directory, or to --report FILE.

Exit codes:
  0  published (warnings allowed)
  1  rows were rejected beyond what the configuration allows, or a gate
     failed: nothing was published
  2  usage, configuration or I/O error";

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// Output directory for the published tables.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Where to write the run report (default: <out>.run.json).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

pub fn report_path(out: &std::path::Path) -> PathBuf {
    let trimmed = out.components().as_path().to_path_buf();
    let name = trimmed.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    trimmed.with_file_name(format!("{name}.run.json"))
}

pub fn execute(args: &Args) -> anyhow::Result<i32> {
    let config = args.corpus.load_config()?;
    let opts = Options {
        raw: args.corpus.raw.clone(),
        out: Some(args.out.clone()),
        config,
        config_path: args.corpus.config.clone(),
        strict: args.corpus.strict,
        command: "run".into(),
    };
    let outcome = pipeline::execute(&opts)?;
    let m = &outcome.manifest;
    let path = args.report.clone().unwrap_or_else(|| report_path(&args.out));
    std::fs::write(&path, serde_json::to_vec_pretty(m)?)
        .map_err(|e| anyhow::anyhow!("cannot write the run report {}: {e}", path.display()))?;
    let mut err = std::io::stderr().lock();
    report::print(&mut err, m, args.corpus.log_format, args.corpus.max_problems)?;
    if args.corpus.log_format == report::LogFormat::Human {
        use std::io::Write;
        writeln!(err, "  run report: {}", path.display())?;
    }
    Ok(outcome.exit_code())
}
