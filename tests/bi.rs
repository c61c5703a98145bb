//! `dyadflow bi` through the real binary: its errors (no published set, no
//! DuckDB installed), the SQL it prints (absolute paths by default, paths
//! relative to the database's folder with `--relative`, following `current`
//! or pinned to a set), and how it hands the SQL to the DuckDB it finds (here
//! a stand-in Python that records what it gets). With a real DuckDB (the
//! `duckdb` command line, or a Python with the `duckdb` package: `python3` or
//! `$DYADFLOW_PYTHON`), the database is opened from another folder and its
//! views queried; the example questions are checked with the DuckDB Python
//! client by `tests/clients/check_bi.py` in CI.

mod common;
use common::*;

fn published() -> Work {
    let w = Work::new("mini");
    let r = w.run(&["run", "--raw", "raw", "--out", "output"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    w
}

/// A stand-in for `python3`: it has the `duckdb` package (the import check
/// passes), and "creates" the database by writing the SQL it reads into it,
/// with the folder it ran in; it fails when the SQL holds FAIL_ME.
fn fake_python(w: &Work) -> String {
    let path = w.path("bin/python3");
    w.write(
        "bin/python3",
        "#!/bin/sh\n\
         PATH=/usr/bin:/bin\n\
         if [ \"$2\" = \"import duckdb\" ]; then exit 0; fi\n\
         cat > \"$3\"\n\
         pwd > \"$3.cwd\"\n\
         if grep -q FAIL_ME \"$3\"; then echo 'Catalog Error: no such table' >&2; exit 1; fi\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path.display().to_string()
}

#[test]
fn without_a_published_set_it_says_to_run_first() {
    let w = Work::new("mini");
    let r = w.run(&["bi", "--out", "output", "--duckdb", "output/x.duckdb"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no published set") && r.stderr.contains("dyadflow run"), "{}", r.stderr);
}

#[test]
fn without_duckdb_it_names_what_to_install() {
    let w = published();
    std::fs::create_dir_all(w.path("empty")).unwrap();
    let empty = w.path("empty").display().to_string();
    let r = w.run_env(
        &["bi", "--out", "output", "--duckdb", "output/x.duckdb"],
        &[("PATH", &empty), ("DYADFLOW_PYTHON", "")],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("pip install duckdb") && r.stderr.contains("`duckdb` on PATH"), "{}", r.stderr);
    assert!(!w.path("output/x.duckdb").exists());
}

#[test]
fn printed_sql_reads_the_set_by_absolute_paths_by_default() {
    let w = published();
    let sql = |args: &[&str]| {
        let r = w.run(args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let out = std::fs::canonicalize(w.path("output")).unwrap();
    for db in ["output/db.duckdb", "bi/db.duckdb"] {
        let text = sql(&["bi", "--out", "output", "--duckdb", db, "--print-sql"]);
        for t in ["articles", "actors", "events", "mentions", "relationship_scores", "codes", "rejects"] {
            let want = format!("read_parquet('{}/current/{t}.parquet')", out.display());
            assert!(text.contains(&want), "{db}: {want} in {text}");
        }
    }
    let pinned = sql(&["bi", "--out", "output", "--duckdb", "output/db.duckdb", "--print-sql", "--pin"]);
    let set = std::fs::canonicalize(w.path("output/current")).unwrap();
    assert!(set.is_absolute() && set.starts_with(&out));
    assert!(pinned.contains(&format!("read_parquet('{}/events.parquet')", set.display())), "{pinned}");
}

#[test]
fn printed_sql_reads_the_set_relative_to_the_database_folder_on_request() {
    let w = published();
    let sql = |args: &[&str]| {
        let r = w.run(args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let inside = sql(&["bi", "--out", "output", "--duckdb", "output/db.duckdb", "--print-sql", "--relative"]);
    assert!(inside.contains("read_parquet('current/events.parquet')"), "{inside}");
    for t in ["articles", "actors", "events", "mentions", "relationship_scores", "codes", "rejects"] {
        assert!(inside.contains(&format!("'current/{t}.parquet'")), "{t}");
    }
    let beside = sql(&["bi", "--out", "output", "--duckdb", "bi/db.duckdb", "--print-sql", "--relative"]);
    assert!(beside.contains("read_parquet('../output/current/events.parquet')"), "{beside}");
    assert!(!beside.contains(&w.dir.path().display().to_string()), "no absolute path");
    let pinned = sql(&["bi", "--out", "output", "--duckdb", "output/db.duckdb", "--print-sql", "--pin", "--relative"]);
    let set = std::fs::read_link(w.path("output/current")).unwrap();
    assert!(pinned.contains(&format!("read_parquet('{}/events.parquet')", set.display())), "{pinned}");
}

/// A DuckDB this machine has: the command line on PATH, or a Python with the
/// package (`$DYADFLOW_PYTHON`, else `python3`).
fn real_duckdb() -> Option<Vec<String>> {
    let runs = |cmd: &str, args: &[&str]| {
        std::process::Command::new(cmd)
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if runs("duckdb", &["-c", "SELECT 1"]) {
        return Some(vec!["duckdb".into()]);
    }
    let python = std::env::var("DYADFLOW_PYTHON").unwrap_or_else(|_| "python3".into());
    // named for the binary, which runs in another folder (not canonicalized:
    // a virtualenv's python is a link that must keep its name)
    let python = match python.contains('/') && std::path::Path::new(&python).is_relative() {
        true => std::env::current_dir().unwrap().join(&python).display().to_string(),
        false => python,
    };
    runs(&python, &["-c", "import duckdb"]).then(|| vec![python])
}

/// Counts fact_events' rows in `db`, opened read-only from the folder `cwd`.
fn count_events(engine: &[String], db: &std::path::Path, cwd: &std::path::Path) -> Result<String, String> {
    let sql = "SELECT count(*) FROM fact_events";
    let mut cmd = std::process::Command::new(&engine[0]);
    if engine[0] == "duckdb" {
        cmd.args(["-readonly", "-noheader", "-csv", &db.display().to_string(), "-c", sql]);
    } else {
        let script = "import sys, duckdb\nc = duckdb.connect(sys.argv[1], read_only=True)\nprint(c.execute(sys.argv[2]).fetchone()[0])\n";
        cmd.args(["-c", script, &db.display().to_string(), sql]);
    }
    let out = cmd.current_dir(cwd).output().map_err(|e| e.to_string())?;
    match out.status.success() {
        true => Ok(String::from_utf8_lossy(&out.stdout).trim().to_string()),
        false => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
    }
}

#[test]
fn a_database_opens_from_any_folder_and_a_relative_one_moves_with_its_folder() {
    let Some(engine) = real_duckdb() else {
        eprintln!(
            "SKIPPED: no DuckDB here (neither `duckdb` on PATH nor `import duckdb` in python3 or $DYADFLOW_PYTHON); \
             CI checks the database with tests/clients/check_bi.py"
        );
        return;
    };
    let w = published();
    let env: Vec<(&str, &str)> =
        if engine[0] == "duckdb" { vec![] } else { vec![("DYADFLOW_PYTHON", engine[0].as_str())] };
    let r = w.run_env(&["bi", "--out", "output", "--duckdb", "output/dyadflow.duckdb"], &env);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("opens from any folder"), "{}", r.stderr);
    let events = manifest(&w.path("output/current/manifest.json"))["tables"]["events"]["published"].to_string();
    // from the database's folder, from its parent, from an unrelated folder:
    // as a BI tool opens it
    let elsewhere = tempfile::tempdir().unwrap();
    for cwd in [w.path("output"), w.path("."), elsewhere.path().to_path_buf()] {
        let n = count_events(&engine, &w.path("output/dyadflow.duckdb"), &cwd);
        assert_eq!(n.as_deref(), Ok(events.as_str()), "opened from {}", cwd.display());
    }

    // --relative: the folder moves with the database, opened from there
    let r = w.run_env(&["bi", "--out", "output", "--duckdb", "output/moving.duckdb", "--relative"], &env);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::rename(w.path("output"), w.path("moved")).unwrap();
    let n = count_events(&engine, &w.path("moved/moving.duckdb"), &w.path("moved"));
    assert_eq!(n.as_deref(), Ok(events.as_str()));
    // and elsewhere it fails, which is why it is not the default
    assert!(count_events(&engine, &w.path("moved/moving.duckdb"), elsewhere.path()).is_err());
}

#[test]
fn the_sql_runs_in_the_database_folder_and_a_failure_keeps_the_previous_database() {
    let w = published();
    let python = fake_python(&w);
    std::fs::create_dir_all(w.path("empty")).unwrap();
    let env = [("PATH", w.path("empty").display().to_string()), ("DYADFLOW_PYTHON", python)];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = w.run_env(&["bi", "--out", "output", "--duckdb", "bi/db.duckdb"], &env);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let db = w.read("bi/db.duckdb");
    assert!(db.contains("CREATE OR REPLACE VIEW fact_events AS"), "{db}");
    let out = std::fs::canonicalize(w.path("output")).unwrap();
    assert!(db.contains(&format!("{}/current/events.parquet", out.display())), "{db}");
    // it ran in the database's folder, under a temporary name renamed after
    let cwd = std::fs::read_dir(w.path("bi"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "cwd"));
    let cwd = std::fs::read_to_string(cwd.expect("the stand-in recorded its folder")).unwrap();
    assert_eq!(std::fs::canonicalize(cwd.trim()).unwrap(), std::fs::canonicalize(w.path("bi")).unwrap());

    // an engine that fails: exit 2 with its message, the previous database stays
    w.edit("bin/python3", "grep -q FAIL_ME", "grep -q fact_events");
    let r = w.run_env(&["bi", "--out", "output", "--duckdb", "bi/db.duckdb"], &env);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("Catalog Error"), "{}", r.stderr);
    assert_eq!(w.read("bi/db.duckdb"), db);
}

#[test]
fn a_python_named_relative_to_the_working_directory_is_found_from_the_database_folder() {
    let w = published();
    fake_python(&w);
    std::fs::create_dir_all(w.path("empty")).unwrap();
    let empty = w.path("empty").display().to_string();
    let r = w.run_env(
        &["bi", "--out", "output", "--duckdb", "bi/db.duckdb"],
        &[("PATH", &empty), ("DYADFLOW_PYTHON", "bin/python3")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(w.read("bi/db.duckdb").contains("CREATE OR REPLACE VIEW fact_events AS"));
}
