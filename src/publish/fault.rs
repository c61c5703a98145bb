//! Numbered checkpoints of the publish protocol, for the crash tests.
//!
//! Every step of publishing that changes the disk passes a checkpoint. When
//! the environment variable `DYADFLOW_FAULT_PAUSE_AT` holds a number N, the
//! N-th checkpoint of the run (counting from 0) prints
//! `dyadflow: paused at publish step N (<what>)` to standard error and stops
//! the process there, so that a test can kill it with SIGKILL at exactly that
//! point. `DYADFLOW_FAULT_PANIC_AT=N` makes the N-th checkpoint panic
//! instead, to test that a panic publishes nothing half-way either. Without
//! the variables a checkpoint does nothing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

pub const PAUSE_ENV: &str = "DYADFLOW_FAULT_PAUSE_AT";
pub const PANIC_ENV: &str = "DYADFLOW_FAULT_PANIC_AT";
pub const PAUSE_MARKER: &str = "dyadflow: paused at publish step";

static STEP: AtomicUsize = AtomicUsize::new(0);

fn step_from(var: &str) -> Option<usize> {
    std::env::var(var).ok().and_then(|v| v.trim().parse().ok())
}

fn pause_at() -> Option<usize> {
    static AT: OnceLock<Option<usize>> = OnceLock::new();
    *AT.get_or_init(|| step_from(PAUSE_ENV))
}

fn panic_at() -> Option<usize> {
    static AT: OnceLock<Option<usize>> = OnceLock::new();
    *AT.get_or_init(|| step_from(PANIC_ENV))
}

/// Marks a step of the protocol; pauses forever when it is the chosen one.
pub fn checkpoint(what: &str) {
    let n = STEP.fetch_add(1, Ordering::SeqCst);
    if panic_at() == Some(n) {
        panic!("fault injected at publish step {n} ({what})");
    }
    if pause_at() == Some(n) {
        use std::io::Write;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{PAUSE_MARKER} {n} ({what})");
        let _ = err.flush();
        drop(err);
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
}
