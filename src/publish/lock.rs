//! One writer per output directory.
//!
//! A run that publishes holds an exclusive lock on `<out>/.dyadflow.lock`
//! (an advisory `flock` on Unix, `LockFileEx` on Windows, through
//! `std::fs::File::lock`). The operating system releases the lock when the
//! process ends, however it ends, so a run killed with SIGKILL never blocks the
//! next one. The file also holds who locked it (process id, start time), for
//! the message a second run prints; a holder that ends normally empties it, so
//! a non-empty file found unlocked marks a run that stopped abnormally.
//!
//! The lock is advisory and meant for local file systems: on a network file
//! system that does not support `flock`, run one scheduler per output.

use crate::problem::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const LOCK_FILE: &str = ".dyadflow.lock";

/// How long to poll between attempts while waiting.
const POLL: Duration = Duration::from_millis(100);

/// The held lock; released (and its file emptied) on drop.
#[derive(Debug)]
pub struct WriterLock {
    out: PathBuf,
    file: File,
    /// Who held the lock last without releasing it (a killed run), if anyone.
    pub stale_holder: Option<String>,
}

impl WriterLock {
    /// Takes the lock of `out` (created if needed), waiting up to `wait` for a
    /// run that holds it. Refuses with [`Error::Locked`] when it stays held.
    pub fn acquire(out: &Path, wait: Duration) -> Result<WriterLock> {
        std::fs::create_dir_all(out).map_err(|source| Error::Write { path: out.to_path_buf(), source })?;
        let path = out.join(LOCK_FILE);
        let err = |source| Error::Write { path: path.clone(), source };
        let mut file =
            OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(err)?;
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    if start.elapsed() >= wait {
                        return Err(Error::Locked {
                            out: out.to_path_buf(),
                            holder: holder(&mut file).unwrap_or_else(|| "another process".into()),
                            waited: start.elapsed(),
                        });
                    }
                    std::thread::sleep(POLL.min(wait.saturating_sub(start.elapsed())).max(Duration::from_millis(1)));
                }
                Err(TryLockError::Error(source)) => return Err(err(source)),
            }
        }
        let stale_holder = holder(&mut file);
        let me = format!(
            "dyadflow pid {} started {}",
            std::process::id(),
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        file.set_len(0).map_err(err)?;
        file.rewind().map_err(err)?;
        file.write_all(me.as_bytes()).map_err(err)?;
        file.flush().map_err(err)?;
        Ok(WriterLock { out: out.to_path_buf(), file, stale_holder })
    }

    /// The output directory this lock guards.
    pub fn out(&self) -> &Path {
        &self.out
    }
}

fn holder(file: &mut File) -> Option<String> {
    let mut s = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut s).ok()?;
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        // an empty file marks a clean release; the lock itself goes with the
        // file handle
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_with_the_holder_named() {
        let dir = tempfile::tempdir().unwrap();
        let first = WriterLock::acquire(dir.path(), Duration::ZERO).unwrap();
        let err = WriterLock::acquire(dir.path(), Duration::ZERO).unwrap_err();
        match &err {
            Error::Locked { holder, out, .. } => {
                assert!(holder.contains(&format!("pid {}", std::process::id())), "{holder}");
                assert_eq!(out, dir.path());
            }
            e => panic!("{e}"),
        }
        drop(first);
        let again = WriterLock::acquire(dir.path(), Duration::ZERO).unwrap();
        assert_eq!(again.stale_holder, None, "a clean release leaves no holder behind");
    }

    #[test]
    fn a_waiting_writer_gets_the_lock_when_it_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let first = WriterLock::acquire(dir.path(), Duration::ZERO).unwrap();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(first);
        });
        let start = Instant::now();
        let second = WriterLock::acquire(dir.path(), Duration::from_secs(20));
        t.join().unwrap();
        assert!(second.is_ok(), "{:?}", second.err());
        assert!(start.elapsed() >= Duration::from_millis(250));
    }

    #[test]
    fn waiting_gives_up_after_the_given_time() {
        let dir = tempfile::tempdir().unwrap();
        let _first = WriterLock::acquire(dir.path(), Duration::ZERO).unwrap();
        let start = Instant::now();
        let err = WriterLock::acquire(dir.path(), Duration::from_millis(400)).unwrap_err();
        assert!(matches!(err, Error::Locked { waited, .. } if waited >= Duration::from_millis(400)));
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn an_unreleased_but_unlocked_file_is_taken_over_and_its_holder_reported() {
        let dir = tempfile::tempdir().unwrap();
        // what a killed run leaves: the file with its holder, and no lock
        std::fs::write(dir.path().join(LOCK_FILE), "dyadflow pid 4242 started 2026-01-01T00:00:00Z").unwrap();
        let l = WriterLock::acquire(dir.path(), Duration::ZERO).unwrap();
        assert_eq!(l.stale_holder.as_deref(), Some("dyadflow pid 4242 started 2026-01-01T00:00:00Z"));
    }
}
