"""Split runs measured: N shards of one corpus run one after another, then the
merge, against one plain run of the same corpus, in one invocation.

Usage (from the repository root, release build):

    python3 bench/shards.py --raw target/bench/corpora/1m --shards 4 [--repeat 3] \
        [--bin target/release/dyadflow] [--work target/bench/shards] [--json bench/results/shards.json]

Every step is a child process under GNU time (`/usr/bin/time`), so its own wall
time and peak RSS are measured. Each repeat runs: the plain run (`run --force`),
each shard `run --shard K/N --force` into its own directory, then `merge --force`;
the merged tables are compared byte for byte with the plain run's. Prints the
median of each step over the repeats, the shards' sum and largest, the merge,
and the ratio of shards + merge to the plain run; the stage times of each shard
(from its shard.json) go into the JSON, for the cost model in the README.
Needs only the Python standard library.
"""

import argparse
import hashlib
import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path

TIME = "/usr/bin/time"
TABLES = ["articles", "actors", "events", "mentions", "relationship_scores", "codes", "rejects"]


def measure(argv, log):
    rss_file = log.with_suffix(".rss")
    with log.open("w") as f:
        start = time.perf_counter()
        code = subprocess.call([TIME, "-f", "%M", "-o", str(rss_file), *argv], stdout=f, stderr=subprocess.STDOUT)
        wall = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} exited {code}; see {log}")
    return {"wall_s": round(wall, 3), "rss_mb": round(int(rss_file.read_text().split()[-1]) / 1024, 1)}


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--raw", required=True, type=Path)
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--bin", type=Path, default=Path("target/release/dyadflow"))
    ap.add_argument("--work", type=Path, default=Path("target/bench/shards"))
    ap.add_argument("--json", type=Path)
    ap.add_argument("--skip-single", action="store_true",
                    help="shards and merge only (a corpus whose plain run takes too long to repeat)")
    a = ap.parse_args()
    binary, n = str(a.bin.resolve()), a.shards
    a.work.mkdir(parents=True, exist_ok=True)
    runs = []
    for rep in range(a.repeat):
        w = a.work / f"rep{rep}"
        shutil.rmtree(w, ignore_errors=True)
        w.mkdir(parents=True)
        r = {}
        if not a.skip_single:
            r["single"] = measure([binary, "run", "--raw", str(a.raw), "--out", str(w / "single"), "--force"],
                                  w / "single.log")
        r["shards"] = []
        for k in range(n):
            d = w / f"shard{k}"
            m = measure([binary, "run", "--raw", str(a.raw), "--out", str(d), "--shard", f"{k}/{n}", "--force"],
                        w / f"shard{k}.log")
            sm = json.loads((d / "shard.json").read_text())
            m["events"] = sm["normalized"][2]
            m["stages_ms"] = sm["durations_ms"]
            m["set_bytes"] = sum(f["bytes"] for f in sm["files"])
            r["shards"].append(m)
        sets = [str(w / f"shard{k}") for k in range(n)]
        r["merge"] = measure([binary, "merge", *sets, "--out", str(w / "merged"), "--force"], w / "merge.log")
        record = json.loads((w / "merged" / "current" / "manifest.json").read_text())
        r["merge"]["stages_ms"] = record["durations_ms"]
        same = a.skip_single or all(
            digest(w / "single" / "current" / f"{t}.parquet") == digest(w / "merged" / "current" / f"{t}.parquet")
            for t in TABLES)
        if not same:
            raise SystemExit(f"repeat {rep}: the merged tables differ from the plain run's")
        r["identical"] = same
        r["events"] = record["tables"]["events"]["published"]
        runs.append(r)
        shard_sum = sum(s["wall_s"] for s in r["shards"])
        shard_text = ", ".join(f"{s['wall_s']:.1f} s {s['rss_mb']:.0f} MB" for s in r["shards"])
        single = f"single {r['single']['wall_s']:.1f} s {r['single']['rss_mb']:.0f} MB; " if "single" in r else ""
        print(f"repeat {rep}: {single}"
              f"shards {shard_text}; "
              f"merge {r['merge']['wall_s']:.1f} s {r['merge']['rss_mb']:.0f} MB; "
              f"shards + merge {shard_sum + r['merge']['wall_s']:.1f} s" + ("" if a.skip_single else "; tables identical"))

    med = statistics.median
    summary = {
        "corpus": str(a.raw),
        "events": runs[0]["events"],
        "shards": n,
        "repeat": a.repeat,
        "single_wall_s": None if a.skip_single else med(r["single"]["wall_s"] for r in runs),
        "single_rss_mb": None if a.skip_single else med(r["single"]["rss_mb"] for r in runs),
        "shard_wall_s": [med(r["shards"][k]["wall_s"] for r in runs) for k in range(n)],
        "shard_rss_mb": [med(r["shards"][k]["rss_mb"] for r in runs) for k in range(n)],
        "shard_events": [runs[0]["shards"][k]["events"] for k in range(n)],
        "shards_sum_wall_s": med(sum(s["wall_s"] for s in r["shards"]) for r in runs),
        "shards_max_wall_s": med(max(s["wall_s"] for s in r["shards"]) for r in runs),
        "merge_wall_s": med(r["merge"]["wall_s"] for r in runs),
        "merge_rss_mb": med(r["merge"]["rss_mb"] for r in runs),
        "shard_set_mb": round(sum(s["set_bytes"] for s in runs[0]["shards"]) / 2**20, 1),
    }
    if not a.skip_single:
        summary["sequential_over_single"] = round(
            (summary["shards_sum_wall_s"] + summary["merge_wall_s"]) / summary["single_wall_s"], 2)
        summary["parallel_over_single"] = round(
            (summary["shards_max_wall_s"] + summary["merge_wall_s"]) / summary["single_wall_s"], 2)
    print(json.dumps(summary, indent=2))
    if a.json:
        a.json.write_text(json.dumps({"summary": summary, "runs": runs}, indent=2) + "\n")


if __name__ == "__main__":
    main()
