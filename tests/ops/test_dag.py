"""The Airflow DAG's work functions (examples/airflow/dyadflow_dag.py) with the real
binary: how exit codes map to task outcomes, the run report's summary in the failure,
and the input sensor. The whole DAG runs under `airflow dags test` in airflow_check.py."""

from __future__ import annotations

import csv
import fcntl
import json
import shutil

import pytest

import dyadflow_dag as d
from dyadflow_common import AirflowException, AirflowFailException
from helpers import REPO, binary, break_corpus, copy_raw, dag_bag


def test_the_dag_loads_with_its_tasks_in_order():
    bag = dag_bag()
    assert bag.import_errors == {}
    dag = bag.get_dag("dyadflow")
    order = ["wait_for_input", "validate", "run", "is_new_set", "announce_set"]
    assert sorted(t.task_id for t in dag.tasks) == sorted(order)
    for a, b in zip(order, order[1:]):
        assert b in dag.get_task(a).downstream_task_ids, (a, b)
    assert dag.get_task("run").retries > 0  # exit 3 is retried
    assert dag.get_task("wait_for_input").soft_fail


def test_run_maps_exit_codes(tmp_path):
    raw, out = copy_raw(tmp_path / "raw"), tmp_path / "out"
    assert d.validate_corpus(binary(), str(raw))["status"] == "validated"
    first = d.run_corpus(binary(), str(raw), str(out), lineage=str(tmp_path / "l.jsonl"))
    with open(raw / "events.csv", newline="", encoding="utf-8") as f:
        event_rows = sum(1 for _ in csv.DictReader(f))
    assert first["status"] == "published" and first["tables"]["events"] == event_rows > 0
    assert d.check_set(first) == str(out / first["set"])
    assert len((tmp_path / "l.jsonl").read_text().splitlines()) == 2
    # up to date: exit 0, status unchanged, the same set
    again = d.run_corpus(binary(), str(raw), str(out))
    assert again["status"] == "unchanged" and again["set"] == first["set"]
    # exit 3: another run holds the lock -> AirflowException (retried), not a failure
    with open(out / ".dyadflow.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(AirflowException) as e:
            d.run_corpus(binary(), str(raw), str(out), lineage=str(tmp_path / "l.jsonl"))
    assert not isinstance(e.value, AirflowFailException)
    assert "another run is writing" in str(e.value)
    # exit 1: a data problem -> AirflowFailException (no retries) with the report's summary
    bad = copy_raw(tmp_path / "bad")
    line = break_corpus(bad)
    with pytest.raises(AirflowFailException) as e:
        d.run_corpus(binary(), str(bad), str(out))
    text = str(e.value)
    assert "nothing was published" in text and "failed: " in text
    assert f"events.csv:{line}:" in text and "error[unknown-actor]: no actor matches `Atlantis`" in text
    assert f"events: read {event_rows}, published {event_rows - 1}, rejected 1" in text
    with pytest.raises(AirflowFailException) as e:
        d.validate_corpus(binary(), str(bad))
    assert "error[unknown-actor]" in str(e.value)
    # the published set is the first one still
    assert json.loads((out / "manifest.json").read_text())["run_id"] == first["run_id"]
    # exit 2: usage or I/O error -> fails without retries
    with pytest.raises(AirflowFailException):
        d.run_corpus(binary(), str(tmp_path / "missing"), str(out))


def test_new_input_is_what_the_published_set_was_not_made_from(tmp_path):
    raw, out = copy_raw(tmp_path / "raw"), tmp_path / "out"
    assert d.has_new_input(raw, out)  # nothing published yet
    d.run_corpus(binary(), str(raw), str(out))
    assert not d.has_new_input(raw, out)
    (raw / ".git").mkdir()
    (raw / ".git" / "HEAD").write_text("ref")
    assert not d.has_new_input(raw, out)  # dyadflow skips .git too
    shutil.copy(raw / "README.md", raw / "NOTES.md")
    (raw / "README.md").write_text("# the guide, edited\n")
    assert not d.has_new_input(raw, out)  # documentation is no input, as for dyadflow
    (raw / "events").mkdir()
    (raw / "events" / "batch-2.csv").write_text((raw / "events.csv").read_text())
    assert d.has_new_input(raw, out)  # a batch added
    shutil.rmtree(raw / "events")
    assert not d.has_new_input(raw, out)
    text = (raw / "events.csv").read_text()
    (raw / "events.csv").write_text(text.replace("057", "056", 1))
    assert len(text) == len((raw / "events.csv").read_text())
    assert d.has_new_input(raw, out)  # same size, other bytes
    (raw / "events.csv").write_text(text)
    assert not d.has_new_input(raw, out)
