"""Benchmark of `dyadflow run` against a DuckDB floor and two peers that do the
same normalize and score work (DuckDB SQL, pandas + pyarrow), on the same
generated corpora, in one invocation. See bench/README.md.

usage: python bench/run.py [--sizes 100k,1m] [--with-10m] [--repeat 3]
                           [--bin target/release/dyadflow] [--work DIR]
                           [--corpus DIR ...] [--json FILE] [--no-check]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from collections.abc import Callable

import duckdb
import pyarrow.parquet as pq

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PEERS = BENCH / "peers"
TIME = "/usr/bin/time"  # GNU time: reports the child's own peak RSS (see README)
EVENTS_PER_ARTICLE = 50
SIZES = {"100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
PANDAS_MAX_EVENTS = 1_000_000  # the pandas peer is skipped above this
KEY = ["level", "directed", "period", "actor_a", "actor_b"]
EXACT = [
    "n_events",
    "n_reports",
    "n_verbal_coop",
    "n_material_coop",
    "n_verbal_conflict",
    "n_material_conflict",
    "first_date",
    "last_date",
]
FLOATS = ["goldstein_sum", "goldstein_mean", "weight_sum", "coop_mass", "conflict_mass", "score"]
TOLERANCE = 1e-9  # relative; absolute below 1 (sums that cancel to about 0)


@dataclass
class Run:
    wall_s: float
    peak_rss_kib: int
    exit_code: int
    rows_out: int
    tables: dict[str, int]
    log: str


@dataclass
class Contender:
    name: str
    command: Callable[[Path, Path], list[str]]  # (raw, out) -> argv
    peer: bool  # its relationship_scores are checked against dyadflow's

    @property
    def slug(self) -> str:
        return self.name.replace(" ", "_")


def measure(argv: list[str], out: Path, log: Path) -> Run:
    """Runs one child; wall time around it, its own peak RSS from GNU time."""
    rss_file = log.with_suffix(".rss")
    with log.open("w") as f:
        start = time.perf_counter()
        code = subprocess.call([TIME, "-f", "%M", "-o", str(rss_file), *argv], stdout=f, stderr=subprocess.STDOUT)
        wall = time.perf_counter() - start
    rss = int(rss_file.read_text().split()[-1])
    tables = {p.stem: pq.ParquetFile(p).metadata.num_rows for p in sorted(out.glob("*.parquet"))} if code == 0 else {}
    return Run(wall, rss, code, sum(tables.values()), tables, str(log))


def synth(binary: Path, out: Path, articles: int) -> list[str]:
    """Generates a corpus with dyadflow's generator; returns the command."""
    argv = [
        str(binary),
        "synth",
        "--out",
        str(out),
        "--articles",
        str(articles),
        "--seed",
        "1",
        "--events-per-article",
        str(EVENTS_PER_ARTICLE),
    ]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return argv


def corpus(binary: Path, work: Path, size: str, version: str) -> Path:
    """The generated corpus of a size, reused when its stamp matches."""
    raw = work / "corpora" / size
    stamp = raw.with_suffix(".stamp.json")
    articles = SIZES[size] // EVENTS_PER_ARTICLE
    want = {
        "articles": articles,
        "events_per_article": EVENTS_PER_ARTICLE,
        "seed": 1,
        "dyadflow": version,
    }
    if stamp.exists() and json.loads(stamp.read_text()).get("args") == want:
        return raw
    shutil.rmtree(raw, ignore_errors=True)
    stamp.unlink(missing_ok=True)
    raw.parent.mkdir(parents=True, exist_ok=True)
    print(f"generating {size} corpus in {raw} ...", flush=True)
    start = time.perf_counter()
    try:
        argv = synth(binary, raw, articles)
    except subprocess.CalledProcessError as e:
        sys.exit(f"`{' '.join(e.cmd)}` failed (exit {e.returncode}); does {binary} have the synth command?")
    stamp.write_text(json.dumps({"args": want, "command": argv, "seconds": time.perf_counter() - start}))
    return raw


def contenders(binary: Path) -> list[Contender]:
    py = sys.executable
    return [
        Contender(
            "dyadflow", lambda raw, out: [str(binary), "run", "--raw", str(raw), "--out", str(out), "--force"], False
        ),
        Contender("duckdb floor", lambda raw, out: [py, str(PEERS / "duckdb_floor.py"), str(raw), str(out)], False),
        Contender("duckdb sql", lambda raw, out: [py, str(PEERS / "duckdb_sql.py"), str(raw), str(out)], True),
        Contender("pandas", lambda raw, out: [py, str(PEERS / "pandas_peer.py"), str(raw), str(out)], True),
    ]


def agreement(reference: Path, peer: Path) -> dict:
    """Compares a peer's relationship_scores with dyadflow's, row by row."""
    on = " AND ".join(f"a.{k} = b.{k}" for k in KEY)
    differs = {c: f"a.{c} IS DISTINCT FROM b.{c}" for c in EXACT}
    differs |= {c: f"NOT abs(a.{c} - b.{c}) <= {TOLERANCE} * greatest(abs(a.{c}), abs(b.{c}), 1)" for c in FLOATS}
    both = "a.level IS NOT NULL AND b.level IS NOT NULL"
    sql = f"""
        SELECT count(*) FILTER (b.level IS NULL) AS only_dyadflow,
               count(*) FILTER (a.level IS NULL) AS only_peer,
               count(*) FILTER ({both} AND ({" OR ".join(differs.values())})) AS values_differ,
               {", ".join(f'count(*) FILTER ({both} AND {d}) AS "{c}"' for c, d in differs.items())}
        FROM read_parquet(?) a FULL JOIN read_parquet(?) b ON {on}"""
    con = duckdb.connect()
    row = con.execute(sql, [str(reference), str(peer)]).fetchone()
    names = [d[0] for d in con.description]
    got = dict(zip(names, row, strict=True))
    rows_differ = got["only_dyadflow"] + got["only_peer"] + got["values_differ"]
    return {
        "agree": rows_differ == 0,
        "rows_differ": rows_differ,
        "only_dyadflow": got["only_dyadflow"],
        "only_peer": got["only_peer"],
        "columns_differ": {c: got[c] for c in differs if got[c]},
    }


def summary(runs: list[Run]) -> dict:
    ok = [r for r in runs if r.exit_code == 0]
    return {
        "runs": [asdict(r) for r in runs],
        "ok": len(ok) == len(runs),
        "median_wall_s": statistics.median(r.wall_s for r in ok) if ok else None,
        "median_peak_rss_mb": statistics.median(r.peak_rss_kib for r in ok) / 1024 if ok else None,
        "rows_out": ok[-1].rows_out if ok else None,
    }


def ratios(mine: list[Run], theirs: list[Run]) -> dict:
    """dyadflow / contender, per repeat (both measured back to back), then the median."""
    pairs = [(m, t) for m, t in zip(mine, theirs, strict=True) if m.exit_code == 0 and t.exit_code == 0]
    if not pairs:
        return {"wall": None, "rss": None, "wall_runs": []}
    wall = [m.wall_s / t.wall_s for m, t in pairs]
    return {
        "wall": statistics.median(wall),
        "rss": statistics.median(m.peak_rss_kib / t.peak_rss_kib for m, t in pairs),
        "wall_runs": wall,
    }


def bench_corpus(name: str, raw: Path, binary: Path, work: Path, repeat: int) -> dict:
    field = contenders(binary)
    size_events = SIZES.get(name)
    if size_events and size_events > PANDAS_MAX_EVENTS:
        field = [c for c in field if c.name != "pandas"]
    root = work / "out" / name
    root.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[Run]] = {c.name: [] for c in field}
    for i in range(repeat):
        for c in field:
            out = root / c.slug
            shutil.rmtree(out, ignore_errors=True)
            run = measure(c.command(raw, out), out, root / f"{c.slug}.{i + 1}.log")
            runs[c.name].append(run)
            print(
                f"  {name} repeat {i + 1}/{repeat} {c.name:<13} {run.wall_s:8.3f} s {run.peak_rss_kib / 1024:8.1f} MB"
                f"{'' if run.exit_code == 0 else f'  FAILED (exit {run.exit_code}, see {run.log})'}",
                flush=True,
            )
    dyad_out = root / "dyadflow"
    rerun = measure([str(binary), "run", "--raw", str(raw), "--out", str(dyad_out)], dyad_out, root / "up_to_date.log")
    up_to_date = rerun.exit_code == 0 and "up to date" in Path(rerun.log).read_text()
    result: dict[str, Any] = {
        "name": name,
        "raw": str(raw),
        "raw_bytes": sum(p.stat().st_size for p in raw.rglob("*") if p.is_file()),
        "contenders": {},
        "up_to_date_rerun": asdict(rerun) | {"said_up_to_date": up_to_date},
        "agreement": {},
    }
    for c in field:
        entry = summary(runs[c.name])
        if c.name != "dyadflow":
            entry["ratio_dyadflow_to_this"] = ratios(runs["dyadflow"], runs[c.name])
        result["contenders"][c.name] = entry
        if c.peer and entry["ok"] and result["contenders"]["dyadflow"]["ok"]:
            result["agreement"][c.name] = agreement(
                dyad_out / "relationship_scores.parquet", root / c.slug / "relationship_scores.parquet"
            )
    tables = runs["dyadflow"][-1].tables
    result["articles"], result["events"] = tables.get("articles"), tables.get("events")
    return result


def cell(value: float | int | None, width: int, spec: str) -> str:
    return f"{'-' if value is None else format(value, spec):>{width}}"


def report(r: dict) -> None:
    print(
        f"\n== {r['name']}: {r['articles']} articles, {r['events']} events published by dyadflow, "
        f"{r['raw_bytes'] / 2**20:.1f} MB raw ({r['raw']}) =="
    )
    print(
        f"{'contender':<22} {'wall s':>9} {'peak RSS MB':>12} {'rows out':>10} "
        f"{'dyadflow/x wall':>16} {'dyadflow/x RSS':>15}"
    )
    for name, c in r["contenders"].items():
        ratio = c.get("ratio_dyadflow_to_this", {})
        print(
            f"{name:<22} {cell(c['median_wall_s'], 9, '.3f')} {cell(c['median_peak_rss_mb'], 12, '.1f')} "
            f"{cell(c['rows_out'], 10, 'd')} {cell(ratio.get('wall'), 16, '.2f')} {cell(ratio.get('rss'), 15, '.2f')}"
            f"{'' if c['ok'] else '  FAILED'}"
        )
    u = r["up_to_date_rerun"]
    print(
        f"{'dyadflow (up to date)':<22} {u['wall_s']:9.3f} {u['peak_rss_kib'] / 1024:12.1f} "
        f"{'':>10} {'said up to date' if u['said_up_to_date'] else 'DID NOT say up to date':>16}"
    )
    for name, a in r["agreement"].items():
        detail = (
            ""
            if a["agree"]
            else f" only dyadflow {a['only_dyadflow']}, only peer {a['only_peer']}, columns {a['columns_differ']}"
        )
        print(f"agree: {name}: {'yes' if a['agree'] else 'no'} ({a['rows_differ']} rows differ){detail}")


def machine() -> dict:
    mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    cpu = [line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")]
    return {
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "memory_gib": round(int(mem.split()[1]) / 2**20, 1),
        "cpu": cpu[0].split(":", 1)[1].strip() if cpu else None,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def versions(binary: Path) -> dict:
    git = lambda *a: subprocess.run(["git", "-C", str(REPO), *a], capture_output=True, text=True).stdout.strip()  # noqa: E731
    return {
        "dyadflow": subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.strip(),
        "dyadflow_binary": str(binary),
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        **{p: metadata.version(p) for p in ("duckdb", "pandas", "pyarrow")},
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100k,1m", help="comma-separated: 100k, 1m, 10m (events); empty for none")
    ap.add_argument("--with-10m", action="store_true", help="add the 10m size")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each contender per corpus (median reported)")
    ap.add_argument("--bin", type=Path, default=REPO / "target/release/dyadflow", help="dyadflow binary")
    ap.add_argument("--work", type=Path, default=REPO / "target/bench", help="corpora and outputs")
    ap.add_argument(
        "--corpus",
        type=Path,
        action="append",
        default=[],
        help="also benchmark this existing raw directory (repeatable); raw/ is always included",
    )
    ap.add_argument("--json", type=Path, default=BENCH / "results/latest.json")
    ap.add_argument("--no-check", action="store_true", help="do not fail when a peer's scores disagree")
    args = ap.parse_args()
    sizes = [s for s in args.sizes.split(",") if s] + (["10m"] if args.with_10m else [])
    if unknown := [s for s in sizes if s not in SIZES]:
        ap.error(f"unknown size(s) {unknown}; known: {', '.join(SIZES)}")
    binary, work = args.bin.resolve(), args.work.resolve()
    if not Path(TIME).exists():
        ap.error(f"{TIME} (GNU time) is needed to measure each child's peak RSS: apt-get install time")
    meta = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": sys.argv,
        "repeat": args.repeat,
        "machine": machine(),
        "versions": versions(binary),
    }
    print(json.dumps(meta, indent=1))
    targets = [(p.resolve().name, p.resolve()) for p in [REPO / "raw", *args.corpus]]
    targets += [(s, corpus(binary, work, s, meta["versions"]["dyadflow"])) for s in sizes]
    results = []
    for name, raw in targets:
        results.append(bench_corpus(name, raw, binary, work, args.repeat))
        report(results[-1])
    doc = meta | {"corpora": results}
    stamp = meta["timestamp"].replace(":", "").replace("+0000", "Z")
    for path in (BENCH / "results" / f"{stamp}.json", args.json):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"\nwrote {BENCH / 'results' / f'{stamp}.json'} and {args.json}")
    failed = any(not c["ok"] for r in results for c in r["contenders"].values())
    failed |= any(not r["up_to_date_rerun"]["said_up_to_date"] for r in results)
    disagree = any(not a["agree"] for r in results for a in r["agreement"].values())
    return 1 if failed or (disagree and not args.no_check) else 0


if __name__ == "__main__":
    sys.exit(main())
