//! `dyadflow overview`: write the overview page of the current published set
//! again, without a new run.

use anyhow::Context;
use dyadflow::{overview, publish};
use std::path::PathBuf;

pub const ABOUT: &str = "Write overview.html of the current published set again, without a new run";

pub const LONG_ABOUT: &str = "\
Write overview.html of the current published set again, without a new run.

Every run that publishes writes overview.html into its set (reachable as
<out>/overview.html): one self-contained HTML file that opens from disk with
no network, showing the run, the dyad network, the timeline, the top dyads
with their evidence, and the validation outcome. This command builds the
page again from the tables and run record of <out>/current (checked against
their hashes first) and writes it to --to; the published set itself is never
modified.

Article passages around the evidence are read from the raw directory the run
recorded (or --raw) when its texts still have the hashes the set records;
otherwise the page shows the evidence alone.

Exit codes:
  0  written
  2  no published set in --out, or an I/O error";

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Output directory holding the published set.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Where to write the page.
    #[arg(long, value_name = "FILE", default_value = "overview.html")]
    pub to: PathBuf,
    /// Raw directory the article texts are read from (default: the one the
    /// run recorded).
    #[arg(long, value_name = "DIR")]
    pub raw: Option<PathBuf>,
}

pub fn execute(a: &Args) -> anyhow::Result<i32> {
    let current = publish::current(&a.out).with_context(|| {
        format!("no published set in {} (or its files do not match its manifest.json)", a.out.display())
    })?;
    let dir = a.out.join(&current.set);
    let manifest = dir.join(publish::MANIFEST);
    let record: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&manifest).with_context(|| format!("cannot read {}", manifest.display()))?,
    )
    .with_context(|| format!("{} is not JSON", manifest.display()))?;
    let raw = a.raw.clone().or_else(|| record.get("raw_dir").and_then(|r| r.as_str()).map(PathBuf::from));
    let page = overview::build(&dir, &record, raw.as_deref())?;
    publish::write_atomically(&a.to, &page)?;
    eprintln!("wrote {} ({} bytes) for run {} ({})", a.to.display(), page.len(), current.run_id, current.set);
    Ok(0)
}
