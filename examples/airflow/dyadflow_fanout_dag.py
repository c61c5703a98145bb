"""dyadflow on Airflow, split over N shards: plan the shards, run them as mapped tasks,
merge them into one published set.

Tasks, in order:

- ``plan_shards``: reads N (the ``dyadflow_shards`` Variable, default 3) and lists the
  shards ``0/N`` .. ``N-1/N`` with their directories ``<work>/shards/<K>``.
- ``run_shard`` (one mapped task instance per shard, dynamic task mapping):
  ``dyadflow run --shard K/N --out <work>/shards/<K>``. Exit 0: the shard set is
  written, or was already up to date. Exit 3: another writer holds that shard
  directory's lock; the task is retried later. Exit 1 or 2 fails at once, without
  retries. A shard run does not judge the corpus: the merge does.
- ``merge``: ``dyadflow merge <work>/shards/0 .. <work>/shards/N-1 --out <out>``. It
  checks the shard sets make one corpus (every shard once, complete, same inputs,
  configuration and dyadflow version; otherwise exit 2, failed without retries, the
  reason in the log, nothing published), runs the gates on the whole corpus (exit 1:
  failed without retries, the run report's summary in the log, nothing published) and
  publishes atomically, as ``dyadflow run`` does: the tables are byte for byte those of
  a single run. Exit 0 with "up to date": nothing new, the task succeeds. Exit 3:
  another run is writing to ``<out>``; retried later.

The shard directories are kept from one DAG run to the next, at stable paths (not one
set per DAG run): a DAG run on unchanged input finds every shard up to date and the
published set up to date, and rewrites nothing; a DAG run retried after a failed
shard only redoes the shards that changed. ``max_active_runs=1`` keeps two DAG runs
from writing the same shards; were they to, the shard lock makes the second wait for a
retry (exit 3), and a mix of inputs is refused by the merge (exit 2), never published.

Settings are Airflow Variables, as in the single-run DAG (``dyadflow_dag.py``), each
of which can also come from the environment as ``AIRFLOW_VAR_<NAME>``:

==========================  ==============================================  ==================
variable                    meaning                                         default
==========================  ==============================================  ==================
dyadflow_bin                the dyadflow executable                         ``dyadflow``
dyadflow_raw                raw corpus directory                            ``raw``
dyadflow_out                output directory (the published set)            ``output``
dyadflow_config             configuration file (``--config``), for shards   none
dyadflow_shards             N, the number of shards                         ``3``
dyadflow_work               where the shard sets go: ``<work>/shards/<K>``  ``<out>.work``
==========================  ==============================================  ==================

All are read when a task runs, so N can change from one DAG run to the next (shard
directories of a larger N stay on disk, unused, until removed by hand).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

# what the dyadflow DAGs share (dyadflow_common.py, beside this file): the settings,
# running the binary, the exit codes, the run report's summary, the published-set check,
# and the names the DAGs need from Airflow 3 or 2
from dyadflow_common import (
    EXIT_BUSY,
    EXIT_DATA,
    EXIT_OK,
    EXIT_USAGE,
    AirflowException,
    AirflowFailException,
    dag,
    get_current_context,
    task,
    call,
    check_set,
    json_objects,
    published_result,
    setting,
)

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------
# The work, as plain functions of paths (tests/ops/test_fanout.py calls them directly).


def work_dir(out: str, work: str | None = None) -> str:
    """Where the shard sets go: ``work``, or ``<out>.work`` beside the output."""
    return work or str(out).rstrip("/") + ".work"


def plan(count: str | int, work: str) -> list[dict]:
    """The N shards: ``{"shard": "K/N", "dir": "<work>/shards/K"}`` for K = 0..N-1."""
    try:
        n = int(count)
    except ValueError:
        n = 0
    if n < 1:
        raise AirflowFailException(f"the number of shards must be a whole number of at least 1, not {count!r}")
    return [{"shard": f"{k}/{n}", "dir": f"{work.rstrip('/')}/shards/{k}"} for k in range(n)]


def run_shard_set(binary: str, raw: str, shard: str, out: str, config: str | None = None) -> dict:
    """``dyadflow run --shard K/N --out DIR``; returns the shard line it printed:
    ``status`` (``written`` or ``up to date``), ``shard``, ``run_id``, ``out``, counts.

    Exit 3 (another writer holds DIR's lock) raises AirflowException, so the task is
    retried; exit 1 or 2 raises AirflowFailException (retrying cannot help)."""
    args = [binary, "run", "--raw", raw, "--out", out, "--shard", shard, "--log-format", "json"]
    if config:
        args += ["--config", config]
    proc = call(args)
    if proc.returncode == EXIT_BUSY:
        raise AirflowException(f"another run is writing to {out}; retrying later:\n{proc.stderr[-1000:]}")
    if proc.returncode in (EXIT_DATA, EXIT_USAGE):
        raise AirflowFailException(f"dyadflow run --shard {shard} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    if proc.returncode != EXIT_OK:
        raise AirflowException(f"dyadflow run --shard {shard} exited with {proc.returncode}:\n{proc.stderr[-2000:]}")
    line = next((o for o in json_objects(proc.stderr) if o.get("type") == "shard"), None)
    if line is None:
        raise AirflowException(f"dyadflow run --shard {shard} exited 0 without its shard line:\n{proc.stderr[-2000:]}")
    log.info("shard %s of run %s %s in %s: %s", line["shard"], line["run_id"], line["status"], out, line["published"])
    return line


def merge_shard_sets(binary: str, sets: list[str], out: str) -> dict:
    """``dyadflow merge SET... --out OUT``; returns what :func:`dyadflow_dag.run_corpus`
    returns (``status`` ``published`` or ``unchanged``, ``run_id``, ``set``, ``out``,
    ``tables``), with the same exit-code mapping: 1 and 2 fail without retries (2 when
    the shard sets do not make one corpus: which set, and why, is in the message), 3 is
    retried."""
    report_path = Path(str(out).rstrip("/") + ".run.json")
    args = [binary, "merge", *sets, "--out", out, "--report", str(report_path), "--log-format", "json"]
    return published_result("merge", call(args), out, report_path)


# --------------------------------------------------------------------------------------
# The DAG.


@dag(
    dag_id="dyadflow_fanout",
    schedule=None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 0},
    tags=["dyadflow"],
    doc_md=__doc__,
)
def dyadflow_fanout_dag():
    @task
    def plan_shards() -> list[dict]:
        shards = plan(setting("shards", "3"), work_dir(setting("out", "output"), setting("work")))
        log.info("%d shard(s): %s", len(shards), ", ".join(s["dir"] for s in shards))
        return shards

    @task(
        retries=6,
        retry_delay=timedelta(minutes=2),
        retry_exponential_backoff=True,
        map_index_template="{{ shard_label }}",
    )
    def run_shard(shard: dict) -> dict:
        get_current_context()["shard_label"] = shard["shard"]
        line = run_shard_set(setting("bin", "dyadflow"), setting("raw", "raw"), shard["shard"], shard["dir"], setting("config"))
        return {"shard": shard["shard"], "dir": shard["dir"], "status": line["status"], "run_id": line["run_id"]}

    @task(retries=6, retry_delay=timedelta(minutes=2), retry_exponential_backoff=True)
    def merge(shards: list[dict]) -> dict:
        dirs = [s["dir"] for s in sorted(shards, key=lambda s: int(s["shard"].split("/")[0]))]
        result = merge_shard_sets(setting("bin", "dyadflow"), dirs, setting("out", "output"))
        if result["status"] == "published":
            log.info("new set %s: %s", check_set(result), result["tables"])
        else:
            log.info("%s is up to date: nothing new was published", result["out"])
        return result

    merge(run_shard.expand(shard=plan_shards()))


dyadflow_fanout_dag()
