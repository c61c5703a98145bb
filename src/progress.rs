//! Progress of a run, stage by stage: a bar with rows and rows per second on
//! a terminal (indicatif), with the share done and the time left where the
//! stage's total is known and what it is doing where it has no rows yet, progress objects at a steady interval under
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
                bar.set_style(bar_style(false));
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

/// A rate of rows per second as people read it: whole under a thousand,
/// then three significant digits with `k` or `M` (`79`, `12.3 k`, `1.25 M`).
pub fn human_rate(per_s: f64) -> String {
    if !per_s.is_finite() || per_s <= 0.0 {
        return "0".to_string();
    }
    let (v, unit) = match per_s {
        x if x >= 999_500.0 => (x / 1e6, " M"),
        x if x >= 999.5 => (x / 1e3, " k"),
        x => (x, ""),
    };
    // rows per second under a thousand are whole; thousands and millions
    // keep three significant digits
    let digits = match v {
        _ if unit.is_empty() => 0,
        x if x >= 99.95 => 0,
        x if x >= 9.995 => 1,
        _ => 2,
    };
    format!("{v:.digits$}{unit}")
}

/// A duration left or spent, to the second: `42 s`, `3 min 05 s`, `1 h 02 min`.
pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, s / 60 % 60),
    }
}

/// The bar's look: with a total, a bar, the share done and the time left;
/// without, a spinner. Rows and their rate are left out while there are none
/// (a stage that is busy before its rows come says what it is doing).
fn bar_style(total: bool) -> indicatif::ProgressStyle {
    let template = match total {
        true => "{prefix:>12} [{bar:24}] {percent:>3}%  {rows}{rate}  {elapsed_s}{left}  {msg}",
        false => "{prefix:>12} {spinner} {rows}{rate}  {elapsed_s}  {msg}",
    };
    indicatif::ProgressStyle::with_template(template)
        .expect("the template is valid")
        .progress_chars("=> ")
        .with_key("rows", |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = match (s.pos(), s.len()) {
                (0, _) => Ok(()),
                (n, Some(len)) => write!(w, "{} of {} rows", thousands(n), thousands(len)),
                (n, None) => write!(w, "{} rows", thousands(n)),
            };
        })
        .with_key("rate", |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            if s.pos() > 0 {
                let _ = write!(w, ", {} rows/s", human_rate(s.pos() as f64 / s.elapsed().as_secs_f64().max(1e-3)));
            }
        })
        .with_key("elapsed_s", |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{}", human_duration(s.elapsed()));
        })
        .with_key("left", |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            // no estimate before a second of work, nor once done
            if s.pos() > 0 && s.len().is_some_and(|l| s.pos() < l) && s.elapsed() >= Duration::from_secs(1) {
                let left = s.elapsed().mul_f64((s.len().unwrap_or(0) - s.pos()) as f64 / s.pos() as f64);
                let _ = write!(w, ", about {} left", human_duration(left));
            }
        })
}

/// `1234567` as `1 234 567`.
fn thousands(n: u64) -> String {
    group_thousands(n, " ")
}

/// The digits of `n` in groups of three from the right, `sep` between groups
/// (`group_thousands(1234567, ",")` is `1,234,567`).
pub fn group_thousands(n: u64, sep: &str) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * sep.len());
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
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

    /// The number of rows the stage will count, when it is known (the rows
    /// routed, before the partitions): the bar then shows the share done and
    /// the time left.
    pub fn set_total(&self, total: u64) {
        if let Some(b) = &self.bar {
            b.set_length(total);
            b.set_style(bar_style(true));
        }
    }

    /// What the stage is doing now, shown beside the bar (finalize and
    /// publish work for seconds before they have rows to count).
    pub fn doing(&self, what: &'static str) {
        if let Some(b) = &self.bar {
            b.set_message(what);
        }
    }

    /// Ends the stage: the bar stays with its final count, or a last JSON
    /// object says `"done": true`.
    pub fn finish(self) {
        if let Some(b) = &self.bar {
            // a total known ahead may count rows the stage never sees (rows
            // rejected on the way): the bar ends full at what it counted
            if b.length().is_some() {
                b.set_length(b.position());
            }
            b.set_message("done");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_rounded_to_three_significant_digits() {
        let cases = [
            (0.0, "0"),
            (0.4, "0"),
            (7.3333, "7"),
            (78.8765, "79"),
            (850.1234, "850"),
            (999.4, "999"),
            (999.6, "1.00 k"),
            (1234.5678, "1.23 k"),
            (12_345.678, "12.3 k"),
            (123_456.7, "123 k"),
            (999_499.0, "999 k"),
            (1_254_321.0, "1.25 M"),
            (85_432_100.0, "85.4 M"),
            (f64::NAN, "0"),
        ];
        for (v, want) in cases {
            assert_eq!(human_rate(v), want, "{v}");
        }
    }

    /// A terminal that keeps what is drawn on it.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<String>>);

    impl indicatif::TermLike for Screen {
        fn width(&self) -> u16 {
            200
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(&format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_bar_says_what_a_stage_does_then_its_share_rate_and_time_left() {
        let screen = Screen::default();
        let bar = indicatif::ProgressBar::with_draw_target(
            None,
            indicatif::ProgressDrawTarget::term_like(Box::new(screen.clone())),
        )
        .with_prefix("finalize");
        let drawn = || {
            bar.force_draw();
            std::mem::take(&mut *screen.0.lock().unwrap())
        };
        // busy before any row: what it does, no "0 rows"
        bar.set_style(bar_style(false));
        bar.set_message("merging the sorted events");
        let s = drawn();
        assert!(s.contains("finalize") && s.contains("merging the sorted events"), "{s}");
        assert!(!s.contains("rows"), "{s}");
        // a total known: the share done, rows of the total, a rounded rate
        bar.set_style(bar_style(true));
        bar.set_message("");
        bar.set_length(1_000_000);
        bar.inc(250_000);
        let s = drawn();
        assert!(s.contains(" 25%") && s.contains("250 000 of 1 000 000 rows"), "{s}");
        let rate = s.split(", ").nth(1).and_then(|r| r.split(" rows/s").next()).unwrap_or_else(|| panic!("{s}"));
        let number = rate.trim_end_matches(" M").trim_end_matches(" k");
        let decimals = number.split('.').nth(1).map_or(0, str::len);
        assert!(number.len() - decimals <= 4 && decimals <= 2, "a rate of {rate}: {s}");
    }

    #[test]
    fn durations_read_to_the_second() {
        let d = |s| human_duration(Duration::from_secs(s));
        assert_eq!(
            (d(0), d(42), d(185), d(3720)),
            ("0 s".into(), "42 s".into(), "3 min 05 s".into(), "1 h 02 min".into())
        );
        assert_eq!(thousands(1_234_567), "1 234 567");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1 000");
    }
}
