"""Checks the database `dyadflow bi` made for the set built from raw/: it opens in the
DuckDB Python client from another folder, every view answers, and every example
query of bi/README.md returns the rows computed here independently, from the Parquet
files, the raw actors and the CAMEO reference, with polars and the standard library
(the incident rule, the weights and the score formula re-implemented from the README).

Usage: python tests/clients/check_bi.py OUTPUT_DIR DATABASE_NAME [RELATIVE_DATABASE_NAME]
(the databases sit in OUTPUT_DIR; run from the repository root). A database made with
`dyadflow bi --relative`, when given, is opened after the folder has moved.
"""

import csv
import datetime
import hashlib
import math
import os
import pathlib
import re
import shutil
import sys
import tempfile

import duckdb
import polars as pl

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODE_WEIGHT = {"asserted": 1.0, "alleged": 0.5, "planned": 0.25, "negated": 0.0}
SHRINKAGE = 2.0
QUAD_LABEL = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}
VIEWS = ["fact_events", "fact_mentions", "dim_actors", "dim_codes", "dim_dates", "dim_articles",
         "mart_scores", "mart_dyad_all", "mart_dyad_year", "mart_dyad_month", "audit_rejects"]

failures = []


def check(cond, message):
    if not cond:
        failures.append(message)


def reference():
    with open(ROOT / "reference" / "cameo.csv", newline="", encoding="utf-8") as f:
        return {r["code"]: r for r in csv.DictReader(f)}


def raw_actor_types():
    with open(ROOT / "raw" / "actors.csv", newline="", encoding="utf-8") as f:
        return {r["actor_id"]: r["type"] for r in csv.DictReader(f)}


def tops(actors):
    parent = dict(zip(actors["actor_id"], actors["parent_id"]))

    def top(a):
        while parent.get(a):
            a = parent[a]
        return a

    return {a: top(a) for a in parent}


def incidents(events, ref):
    """Incidents: rows with a target other than the source, by (source, target, code,
    first day, last day); each keeps its largest weight and its number of reports."""
    out = {}
    for e in events.iter_rows(named=True):
        if e["target_id"] is None or e["target_id"] == e["source_id"]:
            continue
        key = (e["source_id"], e["target_id"], e["code"], e["date_start"], e["date_end"])
        w = e["confidence"] * MODE_WEIGHT[e["mode"]]
        inc = out.setdefault(key, {"w": w, "reports": 0})
        inc["w"] = max(inc["w"], w)
        inc["reports"] += 1
    return out


def dyad_sums(incs, ref, top, period=lambda key: "all"):
    """Top-level undirected sums per (period, a, b): n_events, n_reports, C, K."""
    sums = {}
    for key, inc in incs.items():
        a, b = top[key[0]], top[key[1]]
        if a == b:
            continue
        p = period(key)
        if p is None:
            continue
        a, b = min(a, b), max(a, b)
        g = float(ref[key[2]]["goldstein"])
        s = sums.setdefault((p, a, b), [0, 0, 0.0, 0.0])
        s[0] += 1
        s[1] += inc["reports"]
        if g > 0:
            s[2] += inc["w"] * g / 10
        elif g < 0:
            s[3] += inc["w"] * -g / 10
    return sums


def score(c, k):
    return (c - k) / (c + k + SHRINKAGE)


def month_of(key):
    start, end = key[3], key[4]
    if (start.year, start.month) != (end.year, end.month):
        return None
    return datetime.date(start.year, start.month, 1)


def expected_rows(set_dir):
    ref = reference()
    events = pl.read_parquet(set_dir / "events.parquet")
    actors = pl.read_parquet(set_dir / "actors.parquet")
    names = dict(zip(actors["actor_id"], actors["name"]))
    top = tops(actors)
    incs = incidents(events, ref)

    # 1. top-level pairs with the most incidents
    allt = dyad_sums(incs, ref, top)
    q1 = sorted(((a, names[a], b, names[b], s[0], s[1], round(score(s[2], s[3]), 3))
                 for (_, a, b), s in allt.items()), key=lambda r: (-r[4], r[0], r[2]))[:5]

    # 2. Russia and Ukraine by month (incidents a month holds whole)
    monthly = dyad_sums(incs, ref, top, month_of)
    q2 = sorted((m, s[0], round(s[2], 3), round(s[3], 3), round(score(s[2], s[3]), 3))
                for (m, a, b), s in monthly.items() if (a, b) == ("RUS", "UKR"))

    # 3. Russia's actions by root code
    counts = {}
    for e in events.iter_rows(named=True):
        if top[e["source_id"]] == "RUS":
            root = e["code"][:2]
            counts[root] = counts.get(root, 0) + 1
    q3 = sorted(((QUAD_LABEL[int(ref[r]["quad_class"])], r, ref[r]["label"], n) for r, n in counts.items()),
                key=lambda r: (-r[3], r[1]))

    # 4. incidents reported more than once, with the documented id
    groups = {}
    for e in events.iter_rows(named=True):
        key = (e["source_id"], e["target_id"] or "", e["code"], e["date_start"].isoformat(), e["date_end"].isoformat())
        groups.setdefault(key, []).append(e["article_id"])
    q4 = []
    for key, arts in groups.items():
        if len(arts) > 1:
            iid = hashlib.sha256("\x1f".join(key).encode()).hexdigest()[:32]
            q4.append((iid, key[0], key[1] or None, ref[key[2]]["label"], datetime.date.fromisoformat(key[3]),
                       datetime.date.fromisoformat(key[4]), len(arts), len(set(arts))))
    q4.sort(key=lambda r: (-r[6], r[0]))

    # 5. kinds of acting actors per year, from the raw actors
    types = raw_actor_types()
    per = {}
    for e in events.iter_rows(named=True):
        y = e["date_start"].year
        if y >= 2024:
            k = (y, types[e["source_id"]])
            per[k] = per.get(k, 0) + 1
    q5 = sorted(((y, t, n) for (y, t), n in per.items()), key=lambda r: (r[0], -r[2], r[1]))
    return [q1, q2, q3, q4, q5]


def same(got, want):
    if len(got) != len(want):
        return False
    for g, w in zip(got, want):
        if len(g) != len(w):
            return False
        for x, y in zip(g, w):
            if isinstance(y, float):
                if not (isinstance(x, (int, float)) and math.isclose(x, y, abs_tol=1.1e-3)):
                    return False
            elif x != y:
                return False
    return True


def main(out, db_name, relative_db=None):
    out = pathlib.Path(out).resolve()
    readme = (ROOT / "bi" / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Example questions", 1)[1].split("\n## ", 1)[0]
    queries = re.findall(r"```sql\n(.*?)```", section, re.S)
    check(len(queries) == 5, f"bi/README.md has {len(queries)} example queries, expected 5")

    with tempfile.TemporaryDirectory() as tmp:
        set_dir = pathlib.Path(os.path.realpath(out / "current"))
        want = expected_rows(set_dir)
        cwd = os.getcwd()
        # opened from another folder, as Superset, Metabase or DBeaver open a
        # file: the views' absolute paths resolve wherever DuckDB runs
        os.chdir(tmp)
        try:
            con = duckdb.connect(str(out / db_name), read_only=True)
            for v in VIEWS:
                n = con.execute(f"SELECT count(*) FROM {v}").fetchone()[0]
                check(n > 0 or v == "audit_rejects", f"view {v} is empty")
            n = con.execute("SELECT count(*) FROM fact_events").fetchone()[0]
            check(n == pl.read_parquet(set_dir / "events.parquet").height, f"fact_events has {n} rows")
            unlabelled = con.execute(
                "SELECT count(*) FROM fact_events e LEFT JOIN dim_codes c ON c.code = e.code WHERE c.label IS NULL"
            ).fetchone()[0]
            check(unlabelled == 0, f"{unlabelled} events without a code label in the star schema")
            for i, (q, w) in enumerate(zip(queries, want), 1):
                got = [tuple(r) for r in con.execute(q).fetchall()]
                check(len(w) > 0, f"question {i}: the expected answer is empty")
                check(same(got, w), f"question {i}: got {got}, expected {w}")
                print(f"question {i}: {len(got)} row(s) as expected")
            con.close()
            if relative_db:
                # `dyadflow bi --relative`: the folder moves, links and all, and
                # the database opens from its new folder
                moved = pathlib.Path(tmp) / "elsewhere" / "output"
                shutil.copytree(out, moved, symlinks=True)
                os.chdir(moved)
                con = duckdb.connect(relative_db, read_only=True)
                n2 = con.execute("SELECT count(*) FROM fact_events").fetchone()[0]
                check(n2 == n, f"the moved --relative database's fact_events has {n2} rows")
                con.close()
                # and from any folder through file_search_path
                os.chdir(tmp)
                con = duckdb.connect(str(moved / relative_db), read_only=True, config={"file_search_path": str(moved)})
                n3 = con.execute("SELECT count(*) FROM fact_events").fetchone()[0]
                check(n3 == n, f"through file_search_path fact_events has {n3} rows")
                con.close()
        finally:
            os.chdir(cwd)

    if failures:
        for f in failures:
            print("FAIL:", f)
        print(f"bi: {len(failures)} failure(s)")
        return 1
    print(f"bi: {len(VIEWS)} views open, {len(queries)} example questions answer as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "dyadflow.duckdb",
                  sys.argv[3] if len(sys.argv) > 3 else None))
