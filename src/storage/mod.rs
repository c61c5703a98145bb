//! Where a corpus is read from and a set published to: a local directory, or
//! an S3 bucket prefix (`s3://bucket/prefix`).
//!
//! The pipeline itself only knows local directories. For a bucket:
//!
//! - `--raw s3://bucket/prefix`: every object under the prefix is downloaded
//!   into a temporary directory (relative paths kept) and the run reads that
//!   ([`RawInput`]). The inputs are hashed from the bytes, so the run id, and
//!   with it the up-to-date decision, is the same as for a local copy.
//! - `--out s3://bucket/prefix`: the pipeline publishes into a temporary local
//!   output directory exactly as it does everywhere; then the new set's files
//!   are uploaded under `prefix/runs/<set>/`, and the set becomes current by
//!   ONE conditional write of the pointer object `prefix/current`
//!   ([`S3Output`], protocol in [`s3`]).
//!
//! The bucket side runs on a small current-thread tokio runtime kept inside
//! this module; the rest of dyadflow stays synchronous.

pub mod location;
pub mod s3;

use std::path::{Path, PathBuf};

pub use location::Location;
pub use s3::{Pointer, S3Output};

pub use crate::manifest::relabel_json;
pub use crate::problem::StorageError as Error;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The raw corpus of a run: a local directory as given, or a bucket prefix
/// downloaded into a temporary directory that lives as long as this value.
pub struct RawInput {
    location: Location,
    local: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

impl RawInput {
    /// Opens `--raw`: downloads it first when it names a bucket prefix.
    pub fn open(arg: &Path) -> crate::problem::Result<RawInput> {
        let location = Location::from_path(arg)?;
        match &location {
            Location::Local(p) => Ok(RawInput { local: p.clone(), location, _tmp: None }),
            Location::S3 { bucket, prefix } => {
                let tmp = tempfile::Builder::new().prefix("dyadflow-raw-").tempdir().map_err(|error| Error::Local {
                    op: "create a temporary directory",
                    path: std::env::temp_dir(),
                    error,
                })?;
                let local = tmp.path().join("raw");
                s3::download_prefix(bucket, prefix, &local)?;
                Ok(RawInput { local, location, _tmp: Some(tmp) })
            }
        }
    }

    /// The directory the pipeline reads.
    pub fn local(&self) -> &Path {
        &self.local
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Names the bucket instead of the temporary directory in a text
    /// (the run record, a problem's file).
    pub fn relabel(&self, text: &str) -> String {
        match self.location.is_remote() {
            true => relabel(text, &self.local, &self.location.to_string()),
            false => text.to_string(),
        }
    }

    /// The run record names the bucket, not the temporary directory.
    pub fn relabel_manifest(&self, m: &mut crate::manifest::Manifest) {
        if !self.location.is_remote() {
            return;
        }
        m.raw_dir = self.location.to_string();
        relabel_texts(m, &self.local, &self.location.to_string());
    }
}

/// Where `dyadflow run` publishes: a local output directory (as always), or
/// a bucket prefix through a temporary local output directory.
pub enum Output {
    Local(PathBuf),
    S3(Box<S3Output>),
}

impl Output {
    /// Opens `--out`; for a bucket, reads its pointer (see [`S3Output::begin`]).
    pub fn open(arg: &Path) -> crate::problem::Result<Output> {
        Ok(match Location::from_path(arg)? {
            Location::Local(p) => Output::Local(p),
            Location::S3 { bucket, prefix } => Output::S3(Box::new(S3Output::begin(&bucket, &prefix)?)),
        })
    }

    /// The directory the pipeline publishes into.
    pub fn local(&self) -> &Path {
        match self {
            Output::Local(p) => p,
            Output::S3(s) => s.local(),
        }
    }

    /// For a bucket: the run record of a run that finds its result current
    /// in the bucket already (same inputs, configuration and program), so
    /// that nothing is parsed or uploaded. None for a local directory (the
    /// pipeline decides that itself), with `force`, or when the bucket's
    /// current set is another run's.
    pub fn up_to_date(
        &self,
        raw: &RawInput,
        opts: &crate::engine::Options,
    ) -> crate::problem::Result<Option<crate::manifest::Manifest>> {
        let Output::S3(s3) = self else { return Ok(None) };
        if opts.force {
            return Ok(None);
        }
        let run = crate::engine::prologue::RunFacts::of(
            crate::engine::prologue::Started::now(),
            raw.local(),
            &opts.config,
            Vec::new(),
        )?;
        let Some(record) = s3.up_to_date(&run.rid)? else { return Ok(None) };
        let warnings = record.get("warnings").and_then(|w| w.as_u64()).unwrap_or(0) as usize;
        if opts.strict && warnings > 0 {
            return Ok(None);
        }
        let set = s3.current().map(|p| p.set.clone()).unwrap_or_default();
        let url = s3.location().to_string();
        let field = |name: &str| record.get(name).cloned().unwrap_or_default();
        let mut m = crate::engine::record::head(crate::engine::record::Head {
            run_id: run.rid,
            command: &opts.command,
            verdict: crate::engine::record::Verdict::Unchanged,
            started_at: run.started.0,
            raw_dir: raw.location().to_string(),
            out_dir: Some(url.clone()),
            config_file: opts.config_path.as_ref().map(|p| p.display().to_string()),
            config_sha256: run.config_sha256,
            inputs: run.inputs,
            notices: vec![format!(
                "the inputs, configuration and program are those of {set}, current at {url}: nothing was parsed or uploaded"
            )],
        });
        m.finished_at = crate::engine::prologue::now();
        m.tables = serde_json::from_value(field("tables")).unwrap_or_default();
        m.outputs = serde_json::from_value(field("outputs")).unwrap_or_default();
        m.warnings = warnings;
        m.set = Some(set);
        Ok(Some(m))
    }

    /// After the pipeline: for a bucket, uploads the set the run published
    /// (if it published one) and makes it current (see [`S3Output::commit`]);
    /// the run record then names the URLs, not the temporary directories.
    /// When another writer moved the pointer, the record says so (exit code
    /// 3) and the error is returned, for the caller to report after writing
    /// the record.
    pub fn finish(&self, raw: &RawInput, m: &mut crate::manifest::Manifest) -> crate::problem::Result<()> {
        raw.relabel_manifest(m);
        let Output::S3(s3) = self else { return Ok(()) };
        let url = s3.location().to_string();
        m.out_dir = Some(url.clone());
        relabel_texts(m, s3.local(), &url);
        if m.status != "published" {
            return Ok(());
        }
        let Some(set) = m.set.clone() else { return Ok(()) };
        let relabel = |text: &str| {
            let text = relabel_json(text, s3.local(), &url);
            match raw.location().is_remote() {
                true => relabel_json(&text, raw.local(), &raw.location().to_string()),
                false => text,
            }
        };
        match s3.commit(&set, &m.run_id, relabel) {
            Ok(_) => Ok(()),
            Err(e) => {
                m.status = "failed".into();
                m.failure_reasons.push(e.to_string());
                Err(e.into())
            }
        }
    }

    /// Writes the run report: to `report` when given, else beside a local
    /// output directory (`<out>.run.json`) or, for a bucket, to
    /// `prefix/run.json`. Returns where it went.
    pub fn write_report(
        &self,
        report: Option<&Path>,
        out_arg: &Path,
        bytes: Vec<u8>,
    ) -> crate::problem::Result<String> {
        match (report, self) {
            (Some(path), _) => crate::publish::write_atomically(path, &bytes).map(|_| path.display().to_string()),
            (None, Output::Local(_)) => {
                let path = report_path(out_arg);
                crate::publish::write_atomically(&path, &bytes).map(|_| path.display().to_string())
            }
            (None, Output::S3(s3)) => {
                s3.bucket().put_plain(s3::REPORT, bytes)?;
                Ok(s3.bucket().url(s3::REPORT))
            }
        }
    }
}

/// Where the run report of a local output directory goes by default:
/// `<out>.run.json`, beside it.
pub fn report_path(out: &Path) -> PathBuf {
    let trimmed = out.components().as_path().to_path_buf();
    let name = trimmed.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    trimmed.with_file_name(format!("{name}.run.json"))
}

/// Names `to` instead of the path `from` in the texts of a run record: the
/// problems' files, messages and hints, the failure reasons and notices.
fn relabel_texts(m: &mut crate::manifest::Manifest, from: &Path, to: &str) {
    for p in &mut m.problems {
        p.file = relabel(&p.file, from, to);
        p.message = relabel(&p.message, from, to);
        p.hint = p.hint.as_deref().map(|h| relabel(h, from, to));
    }
    for text in m.failure_reasons.iter_mut().chain(m.notices.iter_mut()) {
        *text = relabel(text, from, to);
    }
}

/// Replaces the path `from` (and what is below it) by `to` in `text`.
fn relabel(text: &str, from: &Path, to: &str) -> String {
    text.replace(&from.display().to_string(), to)
}

impl RawInput {
    /// A local directory, as it is (the raw directory a merge's shards name,
    /// which the merging machine may not have).
    pub fn local_dir(path: &Path) -> RawInput {
        RawInput { location: Location::Local(path.to_path_buf()), local: path.to_path_buf(), _tmp: None }
    }
}

/// Uploads a shard set written into the local directory `local` when
/// `out_arg` names a bucket prefix: its files first, its manifest
/// (`shard.json`) last, so that a set whose upload did not finish has no
/// manifest and `merge` refuses it.
pub fn upload_shard_set(
    local: &Path,
    out_arg: &Path,
    m: &crate::engine::shard_set::ShardManifest,
) -> crate::problem::Result<()> {
    let Location::S3 { bucket, prefix } = Location::from_path(out_arg)? else { return Ok(()) };
    let b = s3::Bucket::open(&bucket, &prefix)?;
    let read = |name: &str| {
        let path = local.join(name);
        std::fs::read(&path).map_err(|error| Error::Local { op: "read", path, error })
    };
    // a manifest left by an earlier upload goes first: the set is incomplete
    // until the new one is written
    b.put_plain(crate::engine::shard_set::MANIFEST, Vec::new())?;
    for f in &m.files {
        b.put_plain(&f.file, read(&f.file)?)?;
    }
    b.put_plain(crate::engine::shard_set::MANIFEST, read(crate::engine::shard_set::MANIFEST)?)?;
    Ok(())
}

/// The local directory of a shard set given to `merge`: the directory
/// itself, or a bucket prefix downloaded into a temporary directory (kept
/// in `keep` for as long as the merge runs).
pub fn shard_set_dir(arg: &Path, keep: &mut Vec<tempfile::TempDir>) -> crate::problem::Result<PathBuf> {
    match Location::from_path(arg)? {
        Location::Local(p) => Ok(p),
        Location::S3 { bucket, prefix } => {
            let tmp = tempfile::Builder::new().prefix("dyadflow-shard-").tempdir().map_err(|error| Error::Local {
                op: "create a temporary directory",
                path: std::env::temp_dir(),
                error,
            })?;
            let local = tmp.path().join("set");
            s3::download_prefix(&bucket, &prefix, &local)?;
            keep.push(tmp);
            Ok(local)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_relabel_keeps_escaping() {
        let json = r#"{"raw_dir":"/tmp/x\"y/raw","file":"/tmp/x\"y/raw/events.csv","other":"raw"}"#;
        let out = relabel_json(json, Path::new("/tmp/x\"y/raw"), "s3://b-1/p");
        assert_eq!(out, r#"{"raw_dir":"s3://b-1/p","file":"s3://b-1/p/events.csv","other":"raw"}"#);
    }
}
