//! Progress of a run, stage by stage: a bar with rows and rows per second on
//! a terminal (indicatif), progress objects at a steady interval under
//! `--log-format json` (for schedulers that watch a long run), and nothing
//! at all otherwise (a cron job's log gets no bars).

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProgressStyle {
    /// Nothing (not a terminal, or a library call).
    #[default]
    Off,
    /// Bars on standard error.
    Bars,
    /// JSON objects on standard error, every `interval`.
    Json { interval: Duration },
}

impl ProgressStyle {
    /// Bars when standard error is a terminal, JSON objects when JSON logs
    /// are asked for, else nothing.
    pub fn detect(json: bool) -> Self {
        use std::io::IsTerminal;
        if json {
            let ms = std::env::var("DYADFLOW_PROGRESS_INTERVAL_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
            ProgressStyle::Json { interval: Duration::from_millis(ms) }
        } else if std::io::stderr().is_terminal() {
            ProgressStyle::Bars
        } else {
            ProgressStyle::Off
        }
    }

    /// Starts showing one stage.
    pub fn stage(self, name: &'static str) -> Stage {
        let rows = Arc::new(AtomicU64::new(0));
        let start = Instant::now();
        match self {
            ProgressStyle::Off => Stage { name, rows, start, bar: None, ticker: None },
            ProgressStyle::Bars => {
                let bar = indicatif::ProgressBar::new_spinner().with_prefix(name);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{prefix:>14} {spinner} {human_pos} rows  {per_sec}  {elapsed_precise}",
                    )
                    .expect("the template is valid"),
                );
                bar.enable_steady_tick(Duration::from_millis(200));
                Stage { name, rows, start, bar: Some(bar), ticker: None }
            }
            ProgressStyle::Json { interval } => {
                let stop = Arc::new((Mutex::new(false), Condvar::new()));
                let done = Arc::new(AtomicBool::new(false));
                let (r, s, d) = (rows.clone(), stop.clone(), done.clone());
                let thread = std::thread::spawn(move || {
                    let (lock, cv) = &*s;
                    let mut stopped = lock.lock().unwrap_or_else(|e| e.into_inner());
                    loop {
                        let (g, timeout) = cv.wait_timeout(stopped, interval).unwrap_or_else(|e| e.into_inner());
                        stopped = g;
                        if *stopped || d.load(Ordering::Relaxed) {
                            break;
                        }
                        if timeout.timed_out() {
                            emit(name, r.load(Ordering::Relaxed), start.elapsed(), false);
                        }
                    }
                });
                Stage { name, rows, start, bar: None, ticker: Some(Ticker { stop, done, thread }) }
            }
        }
    }
}

struct Ticker {
    stop: Arc<(Mutex<bool>, Condvar)>,
    done: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

/// One stage being shown; counts rows from any thread.
pub struct Stage {
    name: &'static str,
    rows: Arc<AtomicU64>,
    start: Instant,
    bar: Option<indicatif::ProgressBar>,
    ticker: Option<Ticker>,
}

fn emit(stage: &str, rows: u64, elapsed: Duration, done: bool) {
    let secs = elapsed.as_secs_f64();
    let obj = serde_json::json!({
        "type": "progress",
        "stage": stage,
        "rows": rows,
        "rows_per_s": if secs > 0.0 { (rows as f64 / secs).round() } else { 0.0 },
        "elapsed_ms": elapsed.as_millis() as u64,
        "done": done,
    });
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{obj}");
}

impl Stage {
    pub fn inc(&self, rows: u64) {
        self.rows.fetch_add(rows, Ordering::Relaxed);
        if let Some(b) = &self.bar {
            b.inc(rows);
        }
    }

    /// Ends the stage: the bar stays with its final count, or a last JSON
    /// object says `"done": true`.
    pub fn finish(self) {
        if let Some(b) = &self.bar {
            b.finish();
        }
        if let Some(t) = self.ticker {
            t.done.store(true, Ordering::Relaxed);
            let (lock, cv) = &*t.stop;
            *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
            cv.notify_all();
            let _ = t.thread.join();
            emit(self.name, self.rows.load(Ordering::Relaxed), self.start.elapsed(), true);
        }
    }
}
