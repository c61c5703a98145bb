"""The fan-out DAG (examples/airflow/dyadflow_fanout_dag.py): its shape, its work
functions with the real binary (every exit code of `run --shard` and `merge` mapped to a
task outcome), and `airflow dags test` on raw/ with N = 3: the three mapped shard
instances and the merge succeed, and the published tables are byte for byte those of a
plain `dyadflow run`; then up to date; then a corpus with a data problem, where the
merge fails with the reasons and publishes nothing."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from pathlib import Path

import pytest
from airflow.models import DagRun

import dyadflow_fanout_dag as f
from dyadflow_common import AIRFLOW_3, AirflowException, AirflowFailException, check_set
from helpers import REPO, binary, break_corpus, copy_raw, dag_bag, run
from test_airflow_dags import airflow

if AIRFLOW_3:
    from airflow.sdk import timezone
    from airflow.sdk.definitions.mappedoperator import MappedOperator
else:
    from airflow.models.mappedoperator import MappedOperator
    from airflow.utils import timezone

TABLES = ["articles", "actors", "events", "mentions", "relationship_scores", "codes", "rejects"]


def single_run(raw: Path, out: Path) -> Path:
    """A plain `dyadflow run`: the set the merge must equal."""
    r = run("run", "--raw", str(raw), "--out", str(out))
    assert r.returncode == 0, r.stderr
    return out


def assert_same_tables(merged: Path, single: Path) -> None:
    for t in TABLES:
        a, b = (merged / f"{t}.parquet").read_bytes(), (single / f"{t}.parquet").read_bytes()
        assert len(a) > 0 and a == b, f"{t}.parquet differs from the single run's"
    # the same run: the id is a hash of the inputs, configuration and program
    assert json.loads((merged / "manifest.json").read_text())["run_id"] == json.loads((single / "manifest.json").read_text())["run_id"]


def test_the_fanout_dag_maps_the_shards_then_merges():
    bag = dag_bag()
    assert bag.import_errors == {}
    assert {"dyadflow", "dyadflow_fanout"} <= set(bag.dag_ids)
    dag = bag.get_dag("dyadflow_fanout")
    assert sorted(t.task_id for t in dag.tasks) == ["merge", "plan_shards", "run_shard"]
    assert isinstance(dag.get_task("run_shard"), MappedOperator)  # dynamic task mapping
    assert not isinstance(dag.get_task("merge"), MappedOperator)
    assert dag.get_task("plan_shards").downstream_task_ids == {"run_shard"}
    assert dag.get_task("run_shard").downstream_task_ids == {"merge"}
    assert dag.get_task("run_shard").retries > 0 and dag.get_task("merge").retries > 0  # exit 3 is retried
    assert dag.max_active_runs == 1


def test_plan_lists_n_shards_under_the_work_directory():
    assert f.work_dir("/srv/out/") == "/srv/out.work"
    assert f.work_dir("/srv/out", "/scratch/w") == "/scratch/w"
    assert f.plan("3", "/w/") == [
        {"shard": "0/3", "dir": "/w/shards/0"},
        {"shard": "1/3", "dir": "/w/shards/1"},
        {"shard": "2/3", "dir": "/w/shards/2"},
    ]
    assert f.plan(1, "/w") == [{"shard": "0/1", "dir": "/w/shards/0"}]
    for bad in ("0", "-2", "three", ""):
        with pytest.raises(AirflowFailException, match="number of shards"):
            f.plan(bad, "/w")


def test_shards_and_merge_map_exit_codes(tmp_path):
    # a generated corpus of 60 articles, so that every one of the 3 shards has rows
    corpus = tmp_path / "corpus"
    r = run("synth", "--out", str(corpus), "--articles", "60", "--seed", "13")
    assert r.returncode == 0, r.stderr
    work, out = tmp_path / "work", tmp_path / "out"
    shards = f.plan(3, str(work))

    lines = [f.run_shard_set(binary(), str(corpus), s["shard"], s["dir"]) for s in shards]
    assert [l["status"] for l in lines] == ["written"] * 3
    assert [l["shard"] for l in lines] == ["0/3", "1/3", "2/3"]
    assert len({l["run_id"] for l in lines}) == 1
    assert all(l["published"]["articles"] > 0 for l in lines)
    assert sum(l["published"]["articles"] for l in lines) == 60
    # up to date: exit 0, nothing rewritten
    assert f.run_shard_set(binary(), str(corpus), "1/3", shards[1]["dir"])["status"] == "up to date"
    # exit 3: another writer holds the shard directory's lock -> retried, not failed
    with open(Path(shards[1]["dir"]) / ".dyadflow.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(AirflowException) as e:
            f.run_shard_set(binary(), str(corpus), "1/3", shards[1]["dir"])
    assert not isinstance(e.value, AirflowFailException)
    assert "another run is writing" in str(e.value)
    # exit 2: no such corpus -> failed without retries
    with pytest.raises(AirflowFailException, match=r"run --shard 0/3 failed \(exit 2\)"):
        f.run_shard_set(binary(), str(tmp_path / "missing"), "0/3", str(tmp_path / "elsewhere"))

    dirs = [s["dir"] for s in shards]
    # shard sets that do not make one corpus: exit 2, the reason, nothing published
    with pytest.raises(AirflowFailException) as e:
        f.merge_shard_sets(binary(), dirs[:2], str(out))
    assert "could not run (exit 2)" in str(e.value) and "shard(s) 2/3 missing" in str(e.value)
    broken = tmp_path / "broken-shard"
    shutil.copytree(dirs[1], broken)
    (broken / "events.parquet").unlink()
    with pytest.raises(AirflowFailException) as e:
        f.merge_shard_sets(binary(), [dirs[0], str(broken), dirs[2]], str(out))
    assert f"cannot merge {broken}: events.parquet is missing" in str(e.value)
    assert not (out / "_SUCCESS").exists()

    # the merge publishes the single run's tables, byte for byte
    result = f.merge_shard_sets(binary(), dirs, str(out))
    assert result["status"] == "published" and result["tables"]["articles"] == 60
    assert check_set(result) == str(out / result["set"])
    assert_same_tables(out, single_run(corpus, tmp_path / "single"))
    # up to date
    again = f.merge_shard_sets(binary(), dirs, str(out))
    assert again["status"] == "unchanged" and again["set"] == result["set"]
    # exit 3: another run holds the output's lock -> retried
    with open(out / ".dyadflow.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(AirflowException) as e:
            f.merge_shard_sets(binary(), dirs, str(out))
    assert not isinstance(e.value, AirflowFailException)
    assert f"another run is writing to {out}" in str(e.value)

    # exit 1: the shards of a corpus with a data problem are written (a shard does not
    # judge the corpus); the merge fails with the run report's summary, publishes nothing
    bad = copy_raw(tmp_path / "bad")
    line = break_corpus(bad)
    bad_shards = f.plan(3, str(tmp_path / "bad-work"))
    for s in bad_shards:
        f.run_shard_set(binary(), str(bad), s["shard"], s["dir"])
    with pytest.raises(AirflowFailException) as e:
        f.merge_shard_sets(binary(), [s["dir"] for s in bad_shards], str(tmp_path / "bad-out"))
    text = str(e.value)
    assert "nothing was published" in text and "dyadflow merge: failed (exit 1)" in text
    assert f"events.csv:{line}:" in text and "error[unknown-actor]: no actor matches `Atlantis`" in text
    assert not (tmp_path / "bad-out" / "_SUCCESS").exists()


# --------------------------------------------------------------------------------------
# `airflow dags test`


def dags_test(date: str, **variables: str):
    env = {f"AIRFLOW_VAR_DYADFLOW_{k.upper()}": v for k, v in variables.items()}
    started = time.monotonic()
    proc = airflow("dags", "test", "dyadflow_fanout", date, env=env)
    print(f"airflow dags test dyadflow_fanout {date}: exit {proc.returncode}, {time.monotonic() - started:.1f} s")
    return proc


def dag_run_of(date: str) -> DagRun:
    """The fan-out DAG's run of ``date`` (Airflow 3 calls the date ``logical_date``)."""
    key = "logical_date" if AIRFLOW_3 else "execution_date"
    (dag_run,) = DagRun.find(dag_id="dyadflow_fanout", **{key: timezone.parse(date)})
    return dag_run


def states(date: str) -> tuple[str, dict]:
    """The DAG run's state and every task instance's, keyed ``task_id`` or
    ``task_id[map_index]``, read from the metadata database `dags test` wrote to (in
    this process: each `airflow` command costs seconds to start)."""
    dag_run = dag_run_of(date)
    tis = dag_run.get_task_instances()
    return dag_run.state, {ti.task_id + (f"[{ti.map_index}]" if ti.map_index >= 0 else ""): ti.state for ti in tis}


def map_labels(date: str) -> list[str]:
    """The mapped shard instances' labels in the UI (``map_index_template``)."""
    dag_run = dag_run_of(date)
    tis = sorted((ti for ti in dag_run.get_task_instances() if ti.task_id == "run_shard"), key=lambda ti: ti.map_index)
    return [ti.rendered_map_index for ti in tis]


def expect(date: str, proc, run_state: str, task_states: dict) -> None:
    got_run, got = states(date)
    if (got_run, got) != (run_state, task_states):
        print(proc.stdout[-6000:], proc.stderr[-6000:])
    assert got == task_states
    assert got_run == run_state
    assert proc.returncode == (1 if run_state == "failed" else 0)


SHARD_TASKS = ["run_shard[0]", "run_shard[1]", "run_shard[2]"]


@pytest.mark.skipif(not os.environ.get("AIRFLOW_HOME"), reason="needs the AIRFLOW_HOME that .ci/ops.sh prepares")
def test_dags_test_fanout_on_raw_with_three_shards(tmp_path):
    raw, out = copy_raw(tmp_path / "raw"), tmp_path / "out"
    base = {"bin": binary(), "raw": str(raw), "out": str(out), "shards": "3"}
    # 1. three mapped shard runs, then the merge publishes
    proc = dags_test("2025-02-01T01:00:00+00:00", **base)
    expect("2025-02-01T01:00:00+00:00", proc, "success", dict.fromkeys(["plan_shards", *SHARD_TASKS, "merge"], "success"))
    assert map_labels("2025-02-01T01:00:00+00:00") == ["0/3", "1/3", "2/3"]
    log = proc.stdout + proc.stderr
    for k in range(3):
        assert f"--out {out}.work/shards/{k} --shard {k}/3" in log
    assert f"merge {out}.work/shards/0 {out}.work/shards/1 {out}.work/shards/2 --out {out}" in log
    manifest = json.loads((out / "manifest.json").read_text())
    assert f"new set {out / manifest['set']}" in log
    assert sorted(p.name for p in (out / "current").glob("*.parquet")) == sorted(f"{t}.parquet" for t in TABLES)
    assert (out / "_SUCCESS").is_file()
    assert_same_tables(out, single_run(REPO / "raw", tmp_path / "single"))

    # 2. again on the same input: every shard and the published set are up to date
    proc = dags_test("2025-02-01T02:00:00+00:00", **base)
    expect("2025-02-01T02:00:00+00:00", proc, "success", dict.fromkeys(["plan_shards", *SHARD_TASKS, "merge"], "success"))
    log = proc.stdout + proc.stderr
    assert log.count('"status":"up to date","type":"shard"') == 3
    assert f"{out} is up to date: nothing new was published" in log
    assert len(list((out / "runs").iterdir())) == 1

    # 3. a corpus with a data problem: the shards are written, the merge fails with the
    #    run report's summary and publishes nothing
    bad, bad_out = copy_raw(tmp_path / "bad"), tmp_path / "bad_out"
    line = break_corpus(bad)
    proc = dags_test("2025-02-01T03:00:00+00:00", **dict(base, raw=str(bad), out=str(bad_out)))
    expect(
        "2025-02-01T03:00:00+00:00",
        proc,
        "failed",
        {"plan_shards": "success", **dict.fromkeys(SHARD_TASKS, "success"), "merge": "failed"},
    )
    log = proc.stdout + proc.stderr
    assert "nothing was published" in log
    assert f"events.csv:{line}:" in log and "error[unknown-actor]: no actor matches `Atlantis`" in log
    assert not (bad_out / "_SUCCESS").exists()
