"""Opens every published table with the clients data scientists use (pyarrow,
pandas, polars, DuckDB), one call each, and checks what they see: dates are
dates, codes are strings with their leading zeros, every column is described,
and the run record reconciles. Then the analyst's columns and tables: every
event's code has a label in `codes` (in every client), `incident_id` is the
hash of the incident's content and the scores count each one once, and the
monthly rows of `relationship_scores` fall within their years.

Usage: python tests/clients/check_outputs.py OUTPUT_DIR
"""

import datetime
import hashlib
import json
import os
import pathlib
import sys

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

TABLES = ["articles", "actors", "events", "mentions", "relationship_scores", "codes", "rejects"]
SCHEMA_VERSION = "3"
DATE_COLUMNS = {
    "articles": ["published_start", "published_end"],
    "events": ["date_start", "date_end"],
    "relationship_scores": ["period_start", "period_end", "first_date", "last_date"],
}
CODE_COLUMNS = {"events": ["code", "base_code", "root_code"], "codes": ["code", "base_code", "root_code"]}

failures = []


def check(cond, message):
    if not cond:
        failures.append(message)


def main(out):
    out = pathlib.Path(out)
    manifest = json.loads((out / "manifest.json").read_text())
    check(manifest["status"] == "published", f"manifest status {manifest['status']}")
    check(manifest["schema_version"] == SCHEMA_VERSION, f"manifest schema version {manifest['schema_version']}")
    for table, counts in manifest["tables"].items():
        check(counts["read"] == counts["published"] + counts["rejected"], f"{table}: counts do not reconcile {counts}")
    hashes = {o["file"]: o["sha256"] for o in manifest["outputs"]}

    # the published set: current -> runs/<seq>-<run_id>, complete, with _SUCCESS
    run = pathlib.Path(os.path.realpath(out / "current"))
    check(run.parent.name == "runs" and f"runs/{run.name}" == manifest["set"], f"current resolves to {run}, manifest set {manifest['set']}")
    check(manifest["run_id"] in (run / "_SUCCESS").read_text(), "_SUCCESS does not name the run")
    # a reader that pins the set reads every table of one run, here in one DuckDB call
    con = duckdb.connect()
    pattern = (run / "*.parquet").as_posix()
    files = con.execute(f"SELECT count(*) FROM glob('{pattern}')").fetchone()[0]
    check(files == len(TABLES), f"duckdb finds {files} tables in the pinned set")
    counts = dict(con.execute(
        f"SELECT parse_filename(filename, true), count(*) FROM read_parquet('{pattern}', filename = true, union_by_name = true) GROUP BY ALL"
    ).fetchall())
    rows = {o["table"]: o["rows"] for o in manifest["outputs"]}
    check(all(counts.get(t, 0) == rows[t] for t in TABLES), f"pinned set row counts {counts} differ from the record {rows}")


    for table in TABLES:
        path = out / f"{table}.parquet"
        check(path.name in hashes, f"{path.name} is not in the manifest")

        # pyarrow: types, descriptions, metadata
        t = pq.read_table(path)
        meta = {k.decode(): v.decode() for k, v in (t.schema.metadata or {}).items()}
        check(meta.get("dyadflow.table") == table, f"{table}: table metadata {meta.get('dyadflow.table')}")
        check(meta.get("dyadflow.run_id") == manifest["run_id"], f"{table}: run id differs from the manifest")
        check(meta.get("dyadflow.schema_version") == SCHEMA_VERSION, f"{table}: schema version {meta.get('dyadflow.schema_version')}")
        for field in t.schema:
            desc = (field.metadata or {}).get(b"description")
            check(bool(desc), f"{table}.{field.name}: no description")
        for c in DATE_COLUMNS.get(table, []):
            check(pa.types.is_date32(t.schema.field(c).type), f"pyarrow {table}.{c} is {t.schema.field(c).type}")
        for c in CODE_COLUMNS.get(table, []):
            check(pa.types.is_string(t.schema.field(c).type) or pa.types.is_large_string(t.schema.field(c).type), f"pyarrow {table}.{c} is {t.schema.field(c).type}")

        # pandas
        df = pd.read_parquet(path)
        check(len(df) == t.num_rows, f"pandas {table}: {len(df)} rows, pyarrow {t.num_rows}")
        for c in DATE_COLUMNS.get(table, []):
            s = df[c].dropna()
            ok = pd.api.types.is_datetime64_any_dtype(df[c]) or all(isinstance(v, datetime.date) for v in s)
            check(ok, f"pandas {table}.{c} is {df[c].dtype}")
        for c in CODE_COLUMNS.get(table, []):
            check(all(isinstance(v, str) for v in df[c]), f"pandas {table}.{c} holds non-strings")
        # the README's one-argument form: dates as date32 with the .dt accessor
        if DATE_COLUMNS.get(table):
            da = pd.read_parquet(path, dtype_backend="pyarrow")
            for c in DATE_COLUMNS[table]:
                check(str(da[c].dtype) == "date32[day][pyarrow]", f"pandas (pyarrow backend) {table}.{c} is {da[c].dtype}")
                try:
                    years = da[c].dt.year
                    check(len(years) == len(da), f"pandas {table}.{c}.dt.year has {len(years)} rows")
                except (AttributeError, TypeError) as e:
                    check(False, f"pandas (pyarrow backend) {table}.{c}.dt fails: {e}")

        # polars
        p = pl.read_parquet(path)
        check(p.height == t.num_rows, f"polars {table}: {p.height} rows")
        for c in DATE_COLUMNS.get(table, []):
            check(p.schema[c] == pl.Date, f"polars {table}.{c} is {p.schema[c]}")
        for c in CODE_COLUMNS.get(table, []):
            check(p.schema[c] == pl.String, f"polars {table}.{c} is {p.schema[c]}")

        # DuckDB
        con = duckdb.connect()
        rel = con.sql(f"SELECT * FROM read_parquet('{path.as_posix()}')")
        types = dict(zip(rel.columns, [str(x) for x in rel.types]))
        count = con.execute(f"SELECT count(*) FROM read_parquet('{path.as_posix()}')").fetchone()[0]
        check(count == t.num_rows, f"duckdb {table}: {count} rows")
        for c in DATE_COLUMNS.get(table, []):
            check(types[c] == "DATE", f"duckdb {table}.{c} is {types[c]}")
        for c in CODE_COLUMNS.get(table, []):
            check(types[c] == "VARCHAR", f"duckdb {table}.{c} is {types[c]}")
        print(f"{table}: {t.num_rows} rows, {t.num_columns} columns: pyarrow, pandas, polars and duckdb agree")

    # leading zeros survive in every client
    ev = out / "events.parquet"
    codes = pl.read_parquet(ev)["code"].to_list()
    check(all(c.isdigit() and 2 <= len(c) <= 4 for c in codes), "codes are 2-4 digit strings")
    zero = [c for c in codes if c.startswith("0")]
    check(len(zero) > 0, "no code with a leading zero in the events table")
    if zero:
        check(zero[0] in set(pd.read_parquet(ev)["code"]), "pandas lost a leading zero")
        got = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{ev.as_posix()}') WHERE code = '{zero[0]}'").fetchone()[0]
        check(got > 0, "duckdb lost a leading zero")

    check_analyst_tables(out)

    if failures:
        for f in failures:
            print("FAIL:", f)
        print(f"clients: 0 passed, {len(failures)} failed")
        return 1
    print(f"{len(TABLES)} tables opened by pyarrow, pandas, polars and duckdb")
    print(f"clients: {len(TABLES) * 4 + 3} passed, 0 failed")
    return 0


def check_analyst_tables(out):
    ev, codes, scores = out / "events.parquet", out / "codes.parquet", out / "relationship_scores.parquet"

    # codes joins every event's code, and gives it a label, in every client
    e, c = pl.read_parquet(ev), pl.read_parquet(codes)
    check(c["code"].is_unique().all(), "codes: a code is listed twice")
    for col in ["label", "base_label", "root_label", "quad_class_label"]:
        check(c[col].null_count() == 0 and (c[col].str.len_chars() > 0).all(), f"codes.{col} has empty labels")
    joined = e.join(c.select("code", "label"), on="code", how="left")
    check(joined["label"].null_count() == 0, f"polars: {joined['label'].null_count()} events without a label")
    check(joined.height == e.height, "polars: the join with codes multiplies events")
    check((joined["label"] == joined["code_label"]).all(), "codes.label differs from events.code_label")
    pe, pc = pd.read_parquet(ev), pd.read_parquet(codes)
    pj = pe.merge(pc[["code", "label"]], on="code", how="left")
    check(len(pj) == len(pe) and pj["label"].notna().all(), "pandas: an event without a label")
    missing = duckdb.connect().execute(
        f"SELECT count(*) FROM read_parquet('{ev.as_posix()}') e ANTI JOIN read_parquet('{codes.as_posix()}') c USING (code)"
    ).fetchone()[0]
    check(missing == 0, f"duckdb: {missing} events whose code is not in codes")
    print(f"codes: every one of {e.height} events joins a labelled code in polars, pandas and duckdb")

    # incident_id: the documented hash of the incident's content, shared by its reports
    bad = 0
    for r in e.select("incident_id", "source_id", "target_id", "code", "date_start", "date_end").iter_rows():
        key = "\x1f".join([r[1], r[2] or "", r[3], r[4].isoformat(), r[5].isoformat()])
        bad += r[0] != hashlib.sha256(key.encode()).hexdigest()[:32]
    check(bad == 0, f"{bad} incident_id(s) are not the hash of their incident's key")
    scored = e.filter(pl.col("target_id").is_not_null() & (pl.col("target_id") != pl.col("source_id")))
    s = pl.read_parquet(scores)
    n = s.filter((pl.col("level") == "actor") & pl.col("directed") & (pl.col("granularity") == "all"))["n_events"].sum()
    check(scored["incident_id"].n_unique() == n, f"scores count {n} incidents, events hold {scored['incident_id'].n_unique()} ids")
    print(f"incident_id: {e['incident_id'].n_unique()} incidents behind {e.height} event rows; the scores count {n}")

    # granularity and period agree; month rows fall within their year rows
    shape = {"all": r"^all$", "year": r"^\d{4}$", "month": r"^\d{4}-(0[1-9]|1[0-2])$"}
    for g, pattern in shape.items():
        rows = s.filter(pl.col("granularity") == g)
        check(rows.height > 0, f"no {g} rows in relationship_scores")
        check(rows["period"].str.contains(pattern).all(), f"{g} rows with a period not like {pattern}")
    keys = ["level", "directed", "actor_a", "actor_b"]
    months = (s.filter(pl.col("granularity") == "month").with_columns(year=pl.col("period").str.slice(0, 4))
              .group_by(keys + ["year"]).agg(pl.col("n_events").sum().alias("in_months")))
    years = s.filter(pl.col("granularity") == "year").rename({"period": "year"}).select(keys + ["year", "n_events"])
    m = months.join(years, on=keys + ["year"], how="left")
    check(m["n_events"].null_count() == 0, "a month row without its year row")
    check((m["in_months"] <= m["n_events"]).all(), "months hold more incidents than their year")
    # independently: the incidents of month precision or finer of each directed actor
    # dyad and year are what its month rows add up to
    fine = (scored.filter((pl.col("date_start").dt.year() == pl.col("date_end").dt.year())
                          & (pl.col("date_start").dt.month() == pl.col("date_end").dt.month()))
            .group_by(pl.col("source_id").alias("actor_a"), pl.col("target_id").alias("actor_b"),
                      pl.col("date_start").dt.year().cast(pl.String).alias("year"))
            .agg(pl.col("incident_id").n_unique().alias("fine")))
    got = m.filter((pl.col("level") == "actor") & pl.col("directed")).select("actor_a", "actor_b", "year", "in_months")
    both = fine.join(got, on=["actor_a", "actor_b", "year"], how="full", coalesce=True)
    check(both.height > 0 and (both["fine"] == both["in_months"]).all() and both.null_count().sum_horizontal().item() == 0,
          f"month rows do not add up to the month-or-finer incidents of their year: {both.filter(pl.col('fine') != pl.col('in_months'))}")
    print(f"relationship_scores: month rows of {both.height} directed dyad-years add up to their month-or-finer incidents")

    # each row's period runs from its first to its last day; `all` spans the dyad's events
    start, end = pl.col("period_start"), pl.col("period_end")
    bounds = {
        "all": (start == pl.col("first_date")) & (end == pl.col("last_date")),
        "year": (start.dt.strftime("%Y") == pl.col("period")) & (start.dt.strftime("%m-%d") == "01-01")
        & (end == start.dt.offset_by("1y").dt.offset_by("-1d")),
        "month": (start.dt.strftime("%Y-%m") == pl.col("period")) & (start.dt.day() == 1)
        & (end == start.dt.offset_by("1mo").dt.offset_by("-1d")),
    }
    for g, ok in bounds.items():
        rows = s.filter(pl.col("granularity") == g)
        check(rows.filter(~ok).height == 0, f"{g} rows whose period_start/period_end are not the period's: {rows.filter(~ok).head()}")
    inside = s.filter(pl.col("granularity") == "month")
    check(inside.filter((pl.col("first_date") < start) | (pl.col("last_date") > end)).height == 0,
          "month rows with events outside their period")
    print("relationship_scores: period_start and period_end are each period's first and last day")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "output"))
