//! The bucket side: downloading a raw prefix, and publishing a set to a
//! bucket prefix through one conditional write of a pointer object.
//!
//! Layout under `s3://bucket/prefix`:
//!
//! ```text
//! prefix/runs/000007-<run_id>/...   one complete set, as in a local output directory
//! prefix/current                    the pointer: JSON naming the current set (see [`Pointer`])
//! prefix/run.json                   the run report of the last run (unless --report)
//! ```
//!
//! The protocol of a writer:
//!
//! 1. At the start it reads `prefix/current` and remembers its ETag (or that
//!    there was none), and lists `prefix/runs/` to number its set after the
//!    last one there.
//! 2. The pipeline publishes into a temporary local output directory.
//! 3. Every file of the new set is uploaded under `prefix/runs/<set>/`, each
//!    with `If-None-Match: *`, the tables first, then `manifest.json`, then
//!    `_SUCCESS`: an object of a set is never overwritten, and a set name
//!    another writer is using makes this run stop (exit 3).
//! 4. The set becomes current by ONE conditional write of `prefix/current`:
//!    `If-Match: <ETag read at step 1>`, or `If-None-Match: *` when there was
//!    no pointer. If another writer moved the pointer meanwhile, the write
//!    fails (HTTP 412), nothing is made current, and the run exits 3 naming
//!    the winner's set.
//!
//! A reader reads `prefix/current`, then the files of the set it names: it
//! sees either the previous set or the new one, complete, never a mix, since
//! the pointer only ever names a set whose files were all uploaded before.

use super::location::Location;
use crate::digest::sha256_hex;
use crate::problem::StorageError as Error;
use crate::publish::{MANIFEST, RUNS_DIR, SUCCESS};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

type Result<T, E = Error> = std::result::Result<T, E>;

/// Name of the pointer object under the prefix.
pub const POINTER: &str = "current";
/// Name of the run report under the prefix (when no --report is given).
pub const REPORT: &str = "run.json";
/// The `format` field of a pointer.
pub const POINTER_FORMAT: &str = "dyadflow-pointer/1";

/// Test hook: after this many objects of the set are uploaded, the writer
/// prints [`PAUSE_MARKER`] and sleeps forever (so a test can kill it
/// mid-upload).
pub const PAUSE_ENV: &str = "DYADFLOW_S3_PAUSE_AFTER";
pub const PAUSE_MARKER: &str = "dyadflow: paused after uploading";
/// Test hook: before the pointer write, the writer prints
/// [`BARRIER_MARKER`] and waits until the file this variable names exists
/// (so that two writers provably race on the pointer).
pub const BARRIER_ENV: &str = "DYADFLOW_S3_POINTER_BARRIER";
pub const BARRIER_MARKER: &str = "dyadflow: waiting before the pointer write for";

/// The pointer object `prefix/current`: which set is current.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pointer {
    /// Always [`POINTER_FORMAT`].
    pub format: String,
    /// The set, relative to the prefix: `runs/<seq>-<run_id>`.
    pub set: String,
    pub run_id: String,
    /// SHA-256 of the set's `manifest.json` as uploaded (it lists every file
    /// of the set with its SHA-256).
    pub manifest_sha256: String,
    pub program_version: String,
    pub published_at: String,
}

impl Pointer {
    pub fn new(set: &str, run_id: &str, manifest: &[u8]) -> Pointer {
        Pointer {
            format: POINTER_FORMAT.into(),
            set: set.into(),
            run_id: run_id.into(),
            manifest_sha256: sha256_hex(manifest),
            program_version: crate::inputs::PROGRAM_VERSION.into(),
            published_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("a pointer serializes");
        v.push(b'\n');
        v
    }

    pub fn from_json(url: &str, bytes: &[u8]) -> Result<Pointer> {
        let bad = |message: String| Error::BadPointer { url: url.into(), message };
        let p: Pointer = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
        if p.format != POINTER_FORMAT {
            return Err(bad(format!("format `{}`, expected `{POINTER_FORMAT}`", p.format)));
        }
        let name = p.set.strip_prefix(&format!("{RUNS_DIR}/")).unwrap_or("");
        if name.is_empty() || name.contains('/') || name == "." || name == ".." {
            return Err(bad(format!("set `{}` is not runs/<name>", p.set)));
        }
        Ok(p)
    }
}

/// A bucket prefix, with the runtime its requests run on.
pub struct Bucket {
    store: AmazonS3,
    rt: tokio::runtime::Runtime,
    bucket: String,
    prefix: String,
}

const HINT: &str = "check AWS_ENDPOINT_URL, the credentials and that the bucket exists";

impl Bucket {
    pub fn open(bucket: &str, prefix: &str) -> Result<Bucket> {
        let url = Location::S3 { bucket: bucket.into(), prefix: prefix.into() }.to_string();
        let store = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|error| Error::Setup { url: url.clone(), error: Box::new(error) })?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| Error::Runtime { error })?;
        Ok(Bucket { store, rt, bucket: bucket.into(), prefix: prefix.into() })
    }

    /// The key of `rel` under the prefix.
    fn key(&self, rel: &str) -> Key {
        match (self.prefix.is_empty(), rel.is_empty()) {
            (true, _) => Key::from(rel),
            (false, true) => Key::from(self.prefix.as_str()),
            (false, false) => Key::from(format!("{}/{rel}", self.prefix)),
        }
    }

    /// `s3://bucket/<key>`, for messages.
    pub fn url(&self, rel: &str) -> String {
        let key = self.key(rel);
        match key.as_ref().is_empty() {
            true => format!("s3://{}", self.bucket),
            false => format!("s3://{}/{key}", self.bucket),
        }
    }

    fn request(&self, op: &'static str, rel: &str) -> impl FnOnce(object_store::Error) -> Error + '_ {
        let url = self.url(rel);
        move |error| Error::Request { op, url, error: Box::new(error), hint: HINT }
    }

    /// An object's bytes and ETag; None when it does not exist.
    pub fn get(&self, rel: &str) -> Result<Option<(Vec<u8>, Option<String>)>> {
        let key = self.key(rel);
        let got = self.rt.block_on(async {
            let r = self.store.get(&key).await?;
            let etag = r.meta.e_tag.clone();
            Ok::<_, object_store::Error>((r.bytes().await?.to_vec(), etag))
        });
        match got {
            Ok(g) => Ok(Some(g)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.request("GET", rel)(e)),
        }
    }

    fn put(&self, rel: &str, bytes: Vec<u8>, mode: PutMode) -> Result<object_store::PutResult, object_store::Error> {
        let key = self.key(rel);
        let opts = PutOptions { mode, ..Default::default() };
        self.rt.block_on(self.store.put_opts(&key, PutPayload::from(bytes), opts))
    }

    /// Writes an object unconditionally (the run report).
    pub fn put_plain(&self, rel: &str, bytes: Vec<u8>) -> Result<()> {
        self.put(rel, bytes, PutMode::Overwrite).map(|_| ()).map_err(self.request("PUT", rel))
    }

    /// Every object below `rel` (recursively), as paths relative to `rel`.
    pub fn list(&self, rel: &str) -> Result<Vec<String>> {
        let root = self.key(rel);
        let mut found = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            let dir_opt = (!dir.as_ref().is_empty()).then_some(&dir);
            let listed =
                self.rt.block_on(self.store.list_with_delimiter(dir_opt)).map_err(self.request("LIST", rel))?;
            dirs.extend(listed.common_prefixes);
            for o in listed.objects {
                let parts: Vec<String> = match o.location.prefix_match(&root) {
                    Some(p) => p.map(|p| p.as_ref().to_string()).collect(),
                    None => continue,
                };
                if !parts.is_empty() {
                    found.push(parts.join("/"));
                }
            }
        }
        found.sort();
        Ok(found)
    }

    /// The names of the "directories" right below `rel`.
    pub fn list_dirs(&self, rel: &str) -> Result<Vec<String>> {
        let dir = self.key(rel);
        let listed = self.rt.block_on(self.store.list_with_delimiter(Some(&dir))).map_err(self.request("LIST", rel))?;
        Ok(listed.common_prefixes.iter().filter_map(|p| p.filename().map(str::to_string)).collect())
    }

    /// The pointer and its ETag, when there is one.
    pub fn read_pointer(&self) -> Result<Option<(Pointer, String)>> {
        let Some((bytes, etag)) = self.get(POINTER)? else { return Ok(None) };
        let url = self.url(POINTER);
        let pointer = Pointer::from_json(&url, &bytes)?;
        let etag = etag.ok_or_else(|| Error::BadPointer { url, message: "the server gave it no ETag".into() })?;
        Ok(Some((pointer, etag)))
    }
}

/// Downloads every object under `s3://bucket/prefix` into `dest` (created),
/// relative paths kept. Returns the relative paths.
pub fn download_prefix(bucket: &str, prefix: &str, dest: &Path) -> Result<Vec<String>> {
    let b = Bucket::open(bucket, prefix)?;
    let files = b.list("")?;
    if files.is_empty() {
        return Err(Error::EmptyPrefix { url: b.url("") });
    }
    let local = |op, path: &Path| {
        let path = path.to_path_buf();
        move |error| Error::Local { op, path, error }
    };
    for rel in &files {
        let path = rel.split('/').fold(dest.to_path_buf(), |p, part| p.join(part));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(local("create", dir))?;
        }
        // an object listed then deleted is simply absent from the corpus
        let Some((bytes, _)) = b.get(rel)? else { continue };
        std::fs::write(&path, bytes).map_err(local("write", &path))?;
    }
    Ok(files)
}

/// What the bucket held when the run started, and the local output
/// directory the pipeline publishes into before the upload.
pub struct S3Output {
    bucket: Bucket,
    location: Location,
    /// The pointer and its ETag when the run started.
    start: Option<(Pointer, String)>,
    tmp: tempfile::TempDir,
    local: PathBuf,
}

impl S3Output {
    /// Reads the pointer (remembering its ETag) and the sets under
    /// `prefix/runs/`, and prepares a temporary output directory whose next
    /// set is numbered after the bucket's last one.
    pub fn begin(bucket: &str, prefix: &str) -> Result<S3Output> {
        let b = Bucket::open(bucket, prefix)?;
        let start = b.read_pointer()?;
        let last = b
            .list_dirs(RUNS_DIR)?
            .iter()
            .filter_map(|n| n.split_once('-').and_then(|(s, _)| s.parse::<u64>().ok()))
            .max()
            .unwrap_or(0);
        let tmp = tempfile::Builder::new().prefix("dyadflow-out-").tempdir().map_err(|error| Error::Local {
            op: "create a temporary directory",
            path: std::env::temp_dir(),
            error,
        })?;
        let local = tmp.path().join("out");
        if last > 0 {
            // the local publish numbers its set after the last one it sees:
            // an empty stand-in for the bucket's last set gives the same name
            // as the bucket would
            let stand_in = local.join(RUNS_DIR).join(format!("{last:06}-in-bucket"));
            std::fs::create_dir_all(&stand_in).map_err(|error| Error::Local {
                op: "create",
                path: stand_in.clone(),
                error,
            })?;
        }
        let location = Location::S3 { bucket: bucket.into(), prefix: prefix.into() };
        Ok(S3Output { bucket: b, location, start, tmp, local })
    }

    /// The local output directory the pipeline publishes into.
    pub fn local(&self) -> &Path {
        &self.local
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The pointer as it was when the run started.
    pub fn current(&self) -> Option<&Pointer> {
        self.start.as_ref().map(|(p, _)| p)
    }

    pub fn bucket(&self) -> &Bucket {
        &self.bucket
    }

    /// The run record of the current set when it was made by run `run_id`
    /// and its `manifest.json` is the one the pointer names: the result of
    /// this run is published already.
    pub fn up_to_date(&self, run_id: &str) -> Result<Option<serde_json::Value>> {
        let Some(p) = self.current().filter(|p| p.run_id == run_id) else { return Ok(None) };
        let rel = format!("{}/{MANIFEST}", p.set);
        let Some((bytes, _)) = self.bucket.get(&rel)? else { return Ok(None) };
        if sha256_hex(&bytes) != p.manifest_sha256 {
            return Ok(None);
        }
        Ok(serde_json::from_slice(&bytes).ok())
    }

    /// Uploads the set `set` (`runs/<name>`) of the local output directory
    /// and makes it current with one conditional write of the pointer.
    /// `relabel` rewrites the set's `manifest.json` before its upload (the
    /// temporary paths become the URLs). Returns the new pointer.
    pub fn commit(&self, set: &str, run_id: &str, relabel: impl Fn(&str) -> String) -> Result<Pointer> {
        let dir = set.split('/').fold(self.local.clone(), |p, part| p.join(part));
        let local = |op, path: &Path| {
            let path = path.to_path_buf();
            move |error| Error::Local { op, path, error }
        };
        let manifest_path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&manifest_path).map_err(local("read", &manifest_path))?;
        let manifest = relabel(&text).into_bytes();
        std::fs::write(&manifest_path, &manifest).map_err(local("write", &manifest_path))?;

        let mut files = Vec::new();
        for e in std::fs::read_dir(&dir).map_err(local("read", &dir))? {
            let e = e.map_err(local("read", &dir))?;
            files.push(e.file_name().to_string_lossy().into_owned());
        }
        // the tables and the page first, the run record then _SUCCESS last
        files.sort_by_key(|f| (f == MANIFEST || f == SUCCESS, f == SUCCESS, f.clone()));
        let pause_after: Option<usize> = std::env::var(PAUSE_ENV).ok().and_then(|v| v.trim().parse().ok());
        for (i, f) in files.iter().enumerate() {
            if pause_after == Some(i) {
                pause(&format!("{PAUSE_MARKER} {i} object(s) of {}", self.bucket.url(set)));
            }
            let path = dir.join(f);
            let bytes = std::fs::read(&path).map_err(local("read", &path))?;
            let rel = format!("{set}/{f}");
            match self.bucket.put(&rel, bytes, PutMode::Create) {
                Ok(_) => {}
                Err(object_store::Error::AlreadyExists { .. }) => {
                    return Err(Error::SetTaken { url: self.location.to_string(), set: set.into(), key: rel });
                }
                Err(e) => return Err(self.bucket.request("PUT", &rel)(e)),
            }
        }

        if let Ok(file) = std::env::var(BARRIER_ENV) {
            barrier(Path::new(&file));
        }
        let pointer = Pointer::new(set, run_id, &manifest);
        let mode = match &self.start {
            None => PutMode::Create,
            Some((_, etag)) => PutMode::Update(UpdateVersion { e_tag: Some(etag.clone()), version: None }),
        };
        match self.bucket.put(POINTER, pointer.to_json(), mode) {
            Ok(_) => Ok(pointer),
            Err(
                object_store::Error::AlreadyExists { .. }
                | object_store::Error::Precondition { .. }
                | object_store::Error::NotFound { .. },
            ) => {
                let (winner, winner_run) = match self.bucket.read_pointer() {
                    Ok(Some((p, _))) => (p.set, p.run_id),
                    Ok(None) => ("(no set: the pointer was removed)".into(), "-".into()),
                    Err(e) => (format!("(unreadable pointer: {e})"), "-".into()),
                };
                Err(Error::PointerMoved { url: self.bucket.url(POINTER), winner, winner_run, ours: set.into() })
            }
            Err(e) => Err(self.bucket.request("PUT", POINTER)(e)),
        }
    }

    /// Keeps the temporary directory alive as long as this value.
    pub fn tmp(&self) -> &Path {
        self.tmp.path()
    }
}

fn pause(message: &str) -> ! {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{message}");
    let _ = err.flush();
    drop(err);
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}

fn barrier(file: &Path) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{BARRIER_MARKER} {}", file.display());
    let _ = err.flush();
    drop(err);
    while !file.exists() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_round_trips_and_is_checked() {
        let p = Pointer::new("runs/000002-abc", "abc", b"{}");
        assert_eq!(p.format, POINTER_FORMAT);
        assert_eq!(p.manifest_sha256, sha256_hex(b"{}"));
        let json = p.to_json();
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(v["set"], "runs/000002-abc");
        assert_eq!(v["run_id"], "abc");
        assert_eq!(Pointer::from_json("s3://b/current", &json).unwrap(), p);

        for (bad, why) in [
            (br#"{"format":"x"}"#.to_vec(), "missing field"),
            (String::from_utf8(json.clone()).unwrap().replace(POINTER_FORMAT, "other/9").into_bytes(), "format"),
            (String::from_utf8(json.clone()).unwrap().replace("runs/000002-abc", "../x").into_bytes(), "is not runs"),
            (
                String::from_utf8(json.clone()).unwrap().replace("runs/000002-abc", "runs/a/b").into_bytes(),
                "is not runs",
            ),
        ] {
            let e = Pointer::from_json("s3://b/current", &bad).unwrap_err().to_string();
            assert!(e.contains(why) && e.contains("s3://b/current"), "{e}");
        }
    }
}
