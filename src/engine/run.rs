//! A plain run of the whole corpus: the prologue, the partitions, the
//! finalize stage and the commit.

use super::collect::collect;
use super::options::{Options, Outcome};
use super::{finalize, prologue, record};
use crate::inputs::PROGRAM_VERSION;
use crate::problem::Result;
use crate::shard::Shard;
use crate::write::file::FileMeta;

/// A plain run: the prologue, the partitions of the whole corpus, the
/// finalize stage and the commit.
pub fn execute(opts: &Options) -> Result<Outcome> {
    let (run, lock) = match prologue::begin(opts)? {
        prologue::Begun::UpToDate(run, current, lock) => {
            let manifest = record::unchanged(opts, run, *current);
            return Ok(Outcome { manifest, lock });
        }
        prologue::Begun::Run(run, lock) => (run, lock),
    };
    let mut run = run;
    let meta = FileMeta { run_id: run.rid.clone(), program_version: PROGRAM_VERSION.to_string() };
    let scratch = prologue::Scratch::new(lock.as_ref().map(|l| l.out()), &run.rid)?;
    let part = collect(opts, &run.inputs, Shard::WHOLE, &scratch.dir, lock.is_some(), &meta, &mut run.clock)?;
    finalize::finish(opts, run, part, lock, &scratch.dir, &meta)
}
