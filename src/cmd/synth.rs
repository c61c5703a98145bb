//! `dyadflow synth`: write a generated corpus in the raw format, deterministic
//! from a seed, for benchmarks and tests.

use dyadflow::synth::{self, SynthOptions};
use std::path::PathBuf;

pub const ABOUT: &str = "Write a generated corpus in the raw format (deterministic from a seed)";

pub const LONG_ABOUT: &str = "\
Write a generated corpus in the raw format (deterministic from a seed).

Writes <out>/articles.csv, <out>/actors.csv, <out>/events/NNNNN.csv and
<out>/mentions/NNNNN.csv (one batch file per --batch-articles articles) and
<out>/texts/<article_id>.txt. The same options give byte-identical files.

The corpus is realistic in shape: a few hundred to a few thousand actors
(states with their governments, ministries, armed forces and persons,
international organisations, armed groups) named by id, name or alias in any
case and with or without accents; Zipf-distributed actors; every date form of
the format; French and English texts whose passages are the events'
evidence; about 10 % of incidents reported by several articles; about two
mentions per event. With --broken-share 0 the corpus passes `dyadflow
validate` without errors; with a share > 0 that share of event and mention
rows (and a few articles and actors) is broken in ways the validator rejects.

Prints a one-line summary (or JSON with --json).

Exit codes:
  0  written
  2  usage or I/O error, or <out> exists and is not empty";

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Directory to write the corpus into; must not exist or be empty.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Number of articles (events = articles x --events-per-article).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub articles: u64,
    /// Seed of the generator; the same seed gives the same corpus.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Events annotated in each article.
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    pub events_per_article: u32,
    /// Articles per batch file of events/ and mentions/.
    #[arg(long, value_name = "N", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_articles: u64,
    /// Share (0 to 1) of event and mention rows to break on purpose.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = parse_share)]
    pub broken_share: f64,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

fn parse_share(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("`{s}` is not a number between 0 and 1")),
    }
}

pub fn execute(args: &Args) -> anyhow::Result<i32> {
    let opts = SynthOptions {
        articles: args.articles,
        seed: args.seed,
        events_per_article: args.events_per_article,
        batch_articles: args.batch_articles,
        broken_share: args.broken_share,
    };
    let s = synth::generate(&opts, &args.out)?;
    if args.json {
        println!("{}", serde_json::to_string(&s)?);
    } else {
        println!(
            "synth: {} articles, {} actors, {} events, {} mentions ({} rows broken on purpose), {} files, {} bytes in {}",
            s.articles,
            s.actors,
            s.events,
            s.mentions,
            s.broken_rows,
            s.files,
            s.bytes,
            args.out.display()
        );
    }
    Ok(0)
}
