"""Shared by the checks under tests/ops/: the dyadflow binary, corpora in temporary
directories, a broken copy of raw/."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = Path(__file__).resolve().parent / "schemas"


def binary() -> str:
    b = os.environ.get("DYADFLOW_BIN")
    if not b:
        raise SystemExit("set DYADFLOW_BIN to the dyadflow executable (target/debug/dyadflow)")
    return str(Path(b).resolve())


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([binary(), *args], capture_output=True, text=True, cwd=cwd)


def copy_raw(dest: Path) -> Path:
    shutil.copytree(REPO / "raw", dest)
    return dest


def break_corpus(raw: Path, actor: str = "Atlantis") -> int:
    """Gives the first event an unknown source actor; returns the physical line of
    that row (no row of raw/events.csv before it spans two lines)."""
    path = raw / "events.csv"
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    rows[0]["source"] = actor
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return 2


def json_lines(text: str) -> list[dict]:
    return [json.loads(l) for l in text.splitlines() if l.startswith("{")]


def dag_bag():
    """The DAGs of examples/airflow/ as Airflow parses them, without its example DAGs
    (Airflow 2 takes ``include_examples``; Airflow 3 follows ``[core] load_examples``,
    which .ci/ops.sh sets to False)."""
    from airflow.models import DagBag

    folder = str(REPO / "examples" / "airflow")
    try:
        return DagBag(dag_folder=folder, include_examples=False)
    except TypeError:
        return DagBag(dag_folder=folder)
