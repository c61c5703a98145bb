//! `dyadflow bi`: a DuckDB database of views over the current published set,
//! laid out as a star schema for BI tools and notebooks. The views read the
//! Parquet files through absolute paths, so the database opens from any
//! working directory (as BI tools open it); with `--relative` they read them
//! through paths relative to the database's folder, so that the folder can
//! move, opened from that folder. The database is created by a DuckDB that is installed
//! (the `duckdb` command line, or the Python package), not by one compiled
//! into dyadflow: see the README's "BI" section for why.

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

pub const ABOUT: &str = "Create a DuckDB database of star-schema views over the current published set";

pub const LONG_ABOUT: &str = "\
Create a DuckDB database of star-schema views over the current published set.

The views read <out>/current/<table>.parquet through its absolute path, so
the database opens from any working directory (Superset, Metabase and
DBeaver open it from theirs), and they follow every later run that publishes
into <out> (with --pin, they read the set that is current now,
runs/<seq>-<run_id>/, instead). Moving <out> breaks absolute paths: run
`dyadflow bi` again after a move, or create the views with --relative, whose
paths are relative to the folder that holds the database, so that the two
can move together; such a database must be opened from its folder (or with
DuckDB's file_search_path set to it). See bi/README.md for the views,
example questions and how to connect Superset or Metabase.

Facts: fact_events, fact_mentions. Dimensions: dim_actors (with the top of
each actor's parent chain), dim_codes, dim_dates, dim_articles. Marts:
mart_scores, mart_dyad_all, mart_dyad_year, mart_dyad_month. Audit:
audit_rejects.

The database is created with the `duckdb` command line when it is on PATH,
else with the Python package `duckdb` (python3, or $DYADFLOW_PYTHON). With
--print-sql, the SQL is printed instead, for any DuckDB to run.

Exit codes:
  0  created (or printed)
  2  usage or I/O error, no published set in <out>, or no DuckDB installed";

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Output directory of `dyadflow run` (holding `current`).
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// DuckDB database file to create (replaced if it exists).
    #[arg(long, value_name = "FILE", required_unless_present = "print_sql")]
    pub duckdb: Option<PathBuf>,
    /// Print the SQL that creates the views instead of running it.
    #[arg(long)]
    pub print_sql: bool,
    /// Paths relative to the --duckdb file's folder (or to the working
    /// directory with --print-sql alone), so that the folder can move with the
    /// database; such a database must be opened from that folder.
    #[arg(long)]
    pub relative: bool,
    /// Read the set that is current now (`runs/<seq>-<run_id>/`) instead of
    /// following `current` to every later run.
    #[arg(long)]
    pub pin: bool,
}

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum BiError {
    #[error("{out}: no published set (no {out}/current/manifest.json); run `dyadflow run --out {out}` first")]
    NoSet { out: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(
        "no DuckDB found to create {db}: install the DuckDB command line (`duckdb` on PATH, https://duckdb.org) \
         or the Python package (`pip install duckdb` for python3, or set DYADFLOW_PYTHON to a Python that has it); \
         or run `dyadflow bi --print-sql` and execute the SQL with your own DuckDB from the database's folder"
    )]
    NoDuckdb { db: String },
    #[error("{engine} could not create {db}: {message}")]
    Engine { engine: String, db: String, message: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BiError + '_ {
    move |source| BiError::Io { path: path.to_path_buf(), source }
}

/// The tables the views read, by view.
const FILES: [&str; 7] = ["articles", "actors", "events", "mentions", "relationship_scores", "codes", "rejects"];

/// `to` relative to the directory `from` (both absolute, without `..`).
fn relative(from: &Path, to: &Path) -> PathBuf {
    let (f, t): (Vec<Component>, Vec<Component>) = (from.components().collect(), to.components().collect());
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The SQL that creates every view, reading `<set>/<table>.parquet` where
/// `set` is the absolute path of `current` (or of the pinned set), or with
/// `relative` its path relative to the database's folder.
pub fn views_sql(set: &str, relative: bool) -> String {
    let set = set.replace('\\', "/").replace('\'', "''");
    let p = |t: &str| format!("read_parquet('{set}/{t}.parquet')");
    let mut s = format!(
        "-- dyadflow BI views (schema version {}), over {set}/{}.\n\
         -- Facts: fact_events, fact_mentions. Dimensions: dim_actors, dim_codes, dim_dates,\n\
         -- dim_articles. Marts: mart_scores, mart_dyad_all, mart_dyad_year, mart_dyad_month.\n",
        dyadflow::catalogue::SCHEMA_VERSION,
        if relative { " relative to this database's folder" } else { "" }
    );
    debug_assert!(FILES.iter().all(|f| dyadflow::catalogue::TABLES.iter().any(|t| t.name == *f)));
    let views = [
        ("fact_events", format!("SELECT * FROM {}", p("events"))),
        ("fact_mentions", format!("SELECT * FROM {}", p("mentions"))),
        ("dim_articles", format!("SELECT * FROM {}", p("articles"))),
        ("dim_codes", format!("SELECT * FROM {}", p("codes"))),
        (
            "dim_actors",
            format!(
                "SELECT a.actor_id, a.name, a.type, a.country, a.parent_id, a.depth,\n       \
                 a.top_id, t.name AS top_name, t.type AS top_type, t.country AS top_country,\n       \
                 a.aliases, a.event_count, a.mention_count\n\
                 FROM {} AS a JOIN {} AS t ON t.actor_id = a.top_id",
                p("actors"),
                p("actors")
            ),
        ),
        (
            "dim_dates",
            "WITH bounds AS (\n  \
             SELECT least(min(e.date_start), (SELECT min(published_start) FROM dim_articles)) AS lo,\n         \
             greatest(max(e.date_end), (SELECT max(published_end) FROM dim_articles)) AS hi\n  \
             FROM fact_events AS e),\n\
             days AS (SELECT CAST(unnest(generate_series(CAST(lo AS TIMESTAMP), CAST(hi AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS date FROM bounds)\n\
             SELECT date, year(date) AS year, quarter(date) AS quarter, month(date) AS month,\n       \
             strftime(date, '%Y-%m') AS month_label, CAST(date_trunc('month', date) AS DATE) AS month_start,\n       \
             day(date) AS day, isodow(date) AS iso_day_of_week, dayname(date) AS day_name\n\
             FROM days"
                .to_string(),
        ),
        ("mart_scores", format!("SELECT * FROM {}", p("relationship_scores"))),
        ("mart_dyad_all", "SELECT * FROM mart_scores WHERE granularity = 'all'".to_string()),
        (
            "mart_dyad_year",
            "SELECT *, CAST(period AS INTEGER) AS year FROM mart_scores WHERE granularity = 'year'".to_string(),
        ),
        (
            "mart_dyad_month",
            "SELECT *, CAST(strptime(period || '-01', '%Y-%m-%d') AS DATE) AS month_start\n\
             FROM mart_scores WHERE granularity = 'month'"
                .to_string(),
        ),
        ("audit_rejects", format!("SELECT * FROM {}", p("rejects"))),
    ];
    for (name, body) in views {
        s.push_str(&format!("CREATE OR REPLACE VIEW {name} AS\n{body};\n"));
    }
    s
}

/// An executable of that name on PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

/// A DuckDB that can run the SQL: the command line, or a Python with the
/// package.
enum Engine {
    Cli(PathBuf),
    Python(PathBuf),
}

impl Engine {
    fn find() -> Option<Engine> {
        if let Some(cli) = on_path("duckdb") {
            return Some(Engine::Cli(cli));
        }
        let python = std::env::var_os("DYADFLOW_PYTHON")
            .map(PathBuf::from)
            // a path relative to here: the engine runs in the database's folder
            .map(|p| match p.components().count() > 1 && p.is_relative() {
                true => std::env::current_dir().map(|d| d.join(&p)).unwrap_or(p),
                false => p,
            })
            .or_else(|| on_path("python3"))
            .or_else(|| on_path("python"))?;
        let has_duckdb = Command::new(&python)
            .args(["-c", "import duckdb"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        has_duckdb.then_some(Engine::Python(python))
    }

    fn name(&self) -> String {
        match self {
            Engine::Cli(p) => format!("the DuckDB command line ({})", p.display()),
            Engine::Python(p) => format!("the duckdb package of {}", p.display()),
        }
    }

    /// Runs the SQL on a new database `file` (a name in `dir`), with `dir` as
    /// the working directory so that the relative paths resolve.
    fn create(&self, dir: &Path, file: &str, sql: &str) -> Result<(), String> {
        const SCRIPT: &str = "import sys, duckdb\n\
            con = duckdb.connect(sys.argv[1])\n\
            con.execute(sys.stdin.read())\n\
            con.execute('CHECKPOINT')\n\
            con.close()\n";
        let mut cmd = match self {
            Engine::Cli(p) => {
                let mut c = Command::new(p);
                c.args(["-bail", "-batch", file]);
                c
            }
            Engine::Python(p) => {
                let mut c = Command::new(p);
                c.args(["-c", SCRIPT, file]);
                c
            }
        };
        let mut child = cmd
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let sql = match self {
            Engine::Cli(_) => format!("{sql}CHECKPOINT;\n"),
            Engine::Python(_) => sql.to_string(),
        };
        child.stdin.take().expect("stdin is piped").write_all(sql.as_bytes()).map_err(|e| e.to_string())?;
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        // the command line may exit 0 after an error in batch mode: its
        // errors are also caught by their text
        if !out.status.success() || stderr.contains("Error") || stdout.contains("Error:") {
            return Err(format!("{}{}", stderr.trim(), stdout.trim()));
        }
        Ok(())
    }
}

/// Creates the database (or prints the SQL); returns what was done.
pub fn create(args: &Args) -> Result<String, BiError> {
    let out_str = args.out.display().to_string();
    if !args.out.join("current").join("manifest.json").is_file() {
        return Err(BiError::NoSet { out: out_str });
    }
    let out = std::fs::canonicalize(&args.out).map_err(io(&args.out))?;
    let db_dir = match &args.duckdb {
        Some(db) => {
            let parent = db.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            std::fs::create_dir_all(parent).map_err(io(parent))?;
            std::fs::canonicalize(parent).map_err(io(parent))?
        }
        None => std::env::current_dir().map_err(io(Path::new(".")))?,
    };
    let set = match args.pin {
        true => std::fs::canonicalize(out.join("current")).map_err(io(&args.out))?,
        false => out.join("current"),
    };
    let set = if args.relative { relative(&db_dir, &set) } else { set };
    let sql = views_sql(&set.to_string_lossy(), args.relative);
    if args.print_sql {
        return Ok(sql);
    }
    let db = args.duckdb.as_ref().expect("clap requires --duckdb without --print-sql");
    let name = db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "dyadflow.duckdb".into());
    let engine = Engine::find().ok_or_else(|| BiError::NoDuckdb { db: db.display().to_string() })?;
    // built under a temporary name and renamed over the file, so that a
    // failure leaves the previous database whole
    let tmp = format!(".{name}.tmp-{}", std::process::id());
    let remove_tmp = || {
        let _ = std::fs::remove_file(db_dir.join(&tmp));
        let _ = std::fs::remove_file(db_dir.join(format!("{tmp}.wal")));
    };
    remove_tmp();
    if let Err(message) = engine.create(&db_dir, &tmp, &sql) {
        remove_tmp();
        return Err(BiError::Engine { engine: engine.name(), db: db.display().to_string(), message });
    }
    let target = db_dir.join(&name);
    std::fs::rename(db_dir.join(&tmp), &target).map_err(io(&target))?;
    let _ = std::fs::remove_file(db_dir.join(format!("{name}.wal")));
    let how = match args.relative {
        true => "relative to its folder: open it from there, or move the two together",
        false => "absolute: it opens from any folder; run `dyadflow bi` again if the output moves",
    };
    Ok(format!("created {} with {}: views over {}/ ({how})\n", db.display(), engine.name(), set.display()))
}

pub fn execute(args: &Args) -> anyhow::Result<i32> {
    let text = create(args)?;
    if args.print_sql {
        print!("{text}");
    } else {
        eprint!("{text}");
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_to_the_common_folder() {
        let r = |a: &str, b: &str| relative(Path::new(a), Path::new(b)).display().to_string();
        assert_eq!(r("/w/output", "/w/output/current"), "current");
        assert_eq!(r("/w/bi", "/w/output/current"), "../output/current");
        assert_eq!(r("/w/a/b", "/w/output/current"), "../../output/current");
        assert_eq!(r("/w", "/w"), ".");
    }

    #[test]
    fn every_table_of_the_set_has_a_view_and_paths_are_quoted() {
        let sql = views_sql("../it's/current", true);
        for t in FILES {
            assert!(sql.contains(&format!("read_parquet('../it''s/current/{t}.parquet')")), "{t}");
        }
        for v in ["fact_events", "fact_mentions", "dim_actors", "dim_codes", "dim_dates", "mart_dyad_month"] {
            assert!(sql.contains(&format!("CREATE OR REPLACE VIEW {v} AS")), "{v}");
        }
    }
}
