//! `dyadflow validate`: check a corpus and report every problem; writes nothing.

use super::report;
use super::CorpusArgs;
use dyadflow::engine::{self, Options};
use dyadflow::manifest::Manifest;

pub const ABOUT: &str = "Check a raw corpus and report every problem; writes nothing";

pub const LONG_ABOUT: &str = "\
Check a raw corpus and report every problem; writes nothing.

Runs the same checks as `dyadflow run` (contract, references, dates, spans,
scores and the generic tests of the published tables) and prints one message
per problem, with file, line, column, rule and a hint:

  raw/events.csv:14:3: error[unknown-actor]: no actor matches `Rusia`
    = hint: did you mean `Russia` (RUS)?

where 14:3 is line 14, field 3 (line 14 being `a1,e2,Rusia,IRN,...`).

With --format github, prints one GitHub Actions workflow command per problem
to standard output (or --output FILE), so that a workflow step annotates the
pull request's CSV files; there the column is the character of the line
where the field starts, as editors count (`Rusia` starts at character 7):

  ::error file=raw/events.csv,line=14,col=7,title=dyadflow unknown-actor::no actor matches `Rusia`%0Ahint: did you mean `Russia` (RUS)?%0A(`dyadflow explain unknown-actor` shows an example and the fix)

With --format sarif, writes the problems as a SARIF 2.1.0 log (for code
scanning), with the same character columns. Either way the summary goes to
standard error.

Exit codes:
  0  no error (warnings allowed, unless --strict)
  1  at least one error (or warning, with --strict)
  2  usage, configuration or I/O error";

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// How problems are reported: `log` (on standard error, as --log-format
    /// says), `github` (workflow commands) or `sarif` (a SARIF 2.1.0 log).
    #[arg(long, value_enum, default_value = "log", value_name = "FORMAT")]
    pub format: Format,
    /// Where --format github or sarif writes (default: standard output).
    #[arg(long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Log,
    Github,
    Sarif,
}

pub fn execute(args: &Args) -> anyhow::Result<i32> {
    let (config, config_path) = args.corpus.load_config()?;
    // --raw may name a bucket prefix (s3://): downloaded first
    let raw = dyadflow::storage::RawInput::open(&args.corpus.raw)?;
    let opts = Options {
        config_path,
        strict: args.corpus.strict,
        batch_bytes: args.corpus.batch_mb.saturating_mul(1 << 20),
        progress: dyadflow::progress::ProgressStyle::detect(args.corpus.log_format == report::LogFormat::Json),
        ..Options::validate(raw.local().to_path_buf(), config)
    };
    let mut outcome = engine::execute(&opts)?;
    raw.relabel_manifest(&mut outcome.manifest);
    outcome.manifest.exit_code = super::verdict_code(&outcome.manifest);
    let m = &outcome.manifest;
    let mut err = std::io::stderr().lock();
    if args.format == Format::Log {
        report::print(&mut err, m, args.corpus.log_format, args.corpus.max_problems)?;
        return Ok(m.exit_code);
    }
    let mut doc = Vec::new();
    match args.format {
        Format::Github => dyadflow::annotate::github(&mut doc, &m.problems)?,
        _ => {
            serde_json::to_writer_pretty(&mut doc, &dyadflow::annotate::sarif(m))?;
            doc.push(b'\n');
        }
    }
    match &args.output {
        Some(path) => dyadflow::publish::write_atomically(path, &doc)?,
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(&doc)?;
            out.flush()?;
        }
    }
    report::print(&mut err, &Manifest { problems: Vec::new(), ..m.clone() }, args.corpus.log_format, 0)?;
    Ok(m.exit_code)
}
