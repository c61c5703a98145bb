//! `dyadflow validate`: check a corpus and report every problem; writes nothing.

use super::CorpusArgs;
use crate::pipeline::{self, Options};
use crate::report;

pub const ABOUT: &str = "Check a raw corpus and report every problem; writes nothing";

pub const LONG_ABOUT: &str = "\
Check a raw corpus and report every problem; writes nothing.

Runs the same checks as `dyadflow run` (contract, references, dates, spans,
scores and the generic tests of the published tables) and prints one message
per problem, with file, line, column, rule and a hint:

  raw/events.csv:14:3: error[unknown-actor]: no actor matches `Rusia`
    = hint: did you mean `Russia` (RUS)?

Exit codes:
  0  no error (warnings allowed, unless --strict)
  1  at least one error (or warning, with --strict)
  2  usage, configuration or I/O error";

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub corpus: CorpusArgs,
}

pub fn execute(args: &Args) -> anyhow::Result<i32> {
    let config = args.corpus.load_config()?;
    let opts = Options {
        config_path: args.corpus.config.clone(),
        strict: args.corpus.strict,
        batch_bytes: args.corpus.batch_mb.saturating_mul(1 << 20),
        progress: crate::progress::ProgressStyle::detect(args.corpus.log_format == report::LogFormat::Json),
        ..Options::validate(args.corpus.raw.clone(), config)
    };
    let outcome = pipeline::execute(&opts)?;
    let mut err = std::io::stderr().lock();
    report::print(&mut err, &outcome.manifest, args.corpus.log_format, args.corpus.max_problems)?;
    Ok(outcome.exit_code())
}
