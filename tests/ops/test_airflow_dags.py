"""`airflow dags test` runs the example DAG (examples/airflow/dyadflow_dag.py) against
the AIRFLOW_HOME that .ci/ops.sh prepared (sqlite, `airflow db migrate`), on a copy of
raw/ and on a broken copy, and every task's state is checked afterwards with
`airflow tasks states-for-dag-run`: the success path, no new input, an up-to-date run
and the failure path. Any other state fails the test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dyadflow_common import AIRFLOW_3
from helpers import REPO, binary, break_corpus, copy_raw

AIRFLOW = str(Path(sys.executable).parent / "airflow")
TASKS = ["wait_for_input", "validate", "run", "is_new_set", "announce_set"]


def airflow(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full = dict(os.environ, AIRFLOW__CORE__DAGS_FOLDER=str(REPO / "examples" / "airflow"), AIRFLOW__CORE__LOAD_EXAMPLES="False")
    full.update(env or {})
    return subprocess.run([AIRFLOW, *args], capture_output=True, text=True, env=full, timeout=600)


def dags_test(date: str, **variables: str) -> subprocess.CompletedProcess:
    env = {f"AIRFLOW_VAR_DYADFLOW_{k.upper()}": v for k, v in variables.items()}
    started = time.monotonic()
    proc = airflow("dags", "test", "dyadflow", date, env=env)
    print(f"airflow dags test {date}: exit {proc.returncode}, {time.monotonic() - started:.1f} s")
    return proc


def json_output(stdout: str) -> list:
    """The JSON list a CLI command printed (log lines may come before it)."""
    (line,) = [l for l in stdout.splitlines() if l.startswith("[{") or l == "[]"]
    return json.loads(line)


def run_of(date: str) -> dict:
    # Airflow 3 takes the DAG id as an argument, Airflow 2 as `-d`
    proc = airflow("dags", "list-runs", *(["dyadflow"] if AIRFLOW_3 else ["-d", "dyadflow"]), "-o", "json")
    assert proc.returncode == 0, proc.stderr
    runs = json_output(proc.stdout)
    # Airflow 3 calls the run's date `logical_date`, Airflow 2 `execution_date`
    (run,) = [r for r in runs if (r.get("logical_date") or r.get("execution_date") or "").startswith(date[:19])]
    return run


def states(date: str) -> tuple[str, dict]:
    run = run_of(date)
    proc = airflow("tasks", "states-for-dag-run", "dyadflow", run["run_id"], "-o", "json")
    assert proc.returncode == 0, proc.stderr
    rows = json_output(proc.stdout)
    return run["state"], {r["task_id"]: r["state"] for r in rows}


def expect(date: str, proc: subprocess.CompletedProcess, run_state: str, task_states: dict) -> None:
    got_run, got = states(date)
    if (got_run, got) != (run_state, task_states):
        print(proc.stdout[-6000:], proc.stderr[-6000:])
    assert got == task_states
    assert got_run == run_state
    # `dags test` itself exits 1 when the DAG run failed
    assert proc.returncode == (1 if run_state == "failed" else 0)


@pytest.mark.skipif(not os.environ.get("AIRFLOW_HOME"), reason="needs the AIRFLOW_HOME that .ci/ops.sh prepares")
def test_dags_test_success_no_input_up_to_date_and_failure(tmp_path):
    raw, out, lineage = copy_raw(tmp_path / "raw"), tmp_path / "out", tmp_path / "lineage.jsonl"
    base = {"bin": binary(), "raw": str(raw), "out": str(out), "lineage": str(lineage)}
    # the DAG in the metadata database, as the scheduler would put it (list-runs needs it)
    proc = airflow("dags", "reserialize")
    assert proc.returncode == 0, proc.stderr

    # 1. success: new input, validated, published, announced
    proc = dags_test("2025-01-01T01:00:00+00:00", **base)
    expect("2025-01-01T01:00:00+00:00", proc, "success", dict.fromkeys(TASKS, "success"))
    assert (out / "_SUCCESS").is_file()
    manifest = json.loads((out / "manifest.json").read_text())
    assert f"new set {out / manifest['set']}" in proc.stdout + proc.stderr
    assert [json.loads(l)["eventType"] for l in lineage.read_text().splitlines()] == ["START", "COMPLETE"]

    # 2. no new input before the sensor's timeout: everything skipped
    proc = dags_test("2025-01-01T02:00:00+00:00", **base, poke_interval="2", wait_timeout="5")
    expect("2025-01-01T02:00:00+00:00", proc, "success", dict.fromkeys(TASKS, "skipped"))

    # 3. not waiting, and the run is up to date: nothing handed over downstream
    proc = dags_test("2025-01-01T03:00:00+00:00", **base, wait_for_input="false")
    expect(
        "2025-01-01T03:00:00+00:00",
        proc,
        "success",
        {"wait_for_input": "success", "validate": "success", "run": "success", "is_new_set": "success", "announce_set": "skipped"},
    )
    assert "is up to date: nothing new to hand over" in proc.stdout + proc.stderr
    assert len(list((out / "runs").iterdir())) == 1

    # 4. a broken copy: validate fails with the problems in its log, nothing runs after it
    bad, bad_out = copy_raw(tmp_path / "bad"), tmp_path / "bad_out"
    line = break_corpus(bad)
    proc = dags_test("2025-01-01T04:00:00+00:00", **dict(base, raw=str(bad), out=str(bad_out)))
    expect(
        "2025-01-01T04:00:00+00:00",
        proc,
        "failed",
        {"wait_for_input": "success", "validate": "failed", "run": "upstream_failed", "is_new_set": "upstream_failed", "announce_set": "upstream_failed"},
    )
    log = proc.stdout + proc.stderr
    assert "the corpus has problems" in log
    assert f"events.csv:{line}:" in log and "error[unknown-actor]: no actor matches `Atlantis`" in log
    assert not (bad_out / "_SUCCESS").exists()
