//! `dyadflow bi` through the real binary: its errors (no published set, no
//! DuckDB installed), the SQL it prints (paths relative to the database's
//! folder, following `current` or pinned to a set), and how it hands the SQL
//! to the DuckDB it finds (here a stand-in Python that records what it gets).
//! The database itself is checked with the real DuckDB Python client by
//! `tests/clients/check_bi.py` in CI.

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
    let r = w.run_env(&["bi", "--out", "output", "--duckdb", "output/x.duckdb"], &[("PATH", &empty)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("pip install duckdb") && r.stderr.contains("`duckdb` on PATH"), "{}", r.stderr);
    assert!(!w.path("output/x.duckdb").exists());
}

#[test]
fn printed_sql_reads_the_set_relative_to_the_database_folder() {
    let w = published();
    let sql = |args: &[&str]| {
        let r = w.run(args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let inside = sql(&["bi", "--out", "output", "--duckdb", "output/db.duckdb", "--print-sql"]);
    assert!(inside.contains("read_parquet('current/events.parquet')"), "{inside}");
    for t in ["articles", "actors", "events", "mentions", "relationship_scores", "codes", "rejects"] {
        assert!(inside.contains(&format!("'current/{t}.parquet'")), "{t}");
    }
    let beside = sql(&["bi", "--out", "output", "--duckdb", "bi/db.duckdb", "--print-sql"]);
    assert!(beside.contains("read_parquet('../output/current/events.parquet')"), "{beside}");
    assert!(!beside.contains(&w.dir.path().display().to_string()), "no absolute path");
    let pinned = sql(&["bi", "--out", "output", "--duckdb", "output/db.duckdb", "--print-sql", "--pin"]);
    let set = std::fs::read_link(w.path("output/current")).unwrap();
    assert!(pinned.contains(&format!("read_parquet('{}/events.parquet')", set.display())), "{pinned}");
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
    assert!(db.contains("../output/current/events.parquet"));
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
