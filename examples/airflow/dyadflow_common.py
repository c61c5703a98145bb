"""What the dyadflow DAGs share: their settings, running the binary, how its exit codes
become task outcomes, the run report's summary in a task's log, and the check of a
published set. Plain functions of paths, without Airflow's scheduler: tests/ops/ calls
them directly. Put this file in the DAGs folder beside the DAG files that import it
(``dyadflow_dag.py``, ``dyadflow_fanout_dag.py``).

The DAGs run on Airflow 3 (the Task SDK, ``airflow.sdk``) and on Airflow 2.11: the
names they need from Airflow are imported here, from wherever the installed version
keeps them."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import subprocess
from pathlib import Path, PurePosixPath

try:  # Airflow 3: the Task SDK
    from airflow.providers.standard.sensors.python import PythonSensor
    from airflow.sdk import Variable, dag, get_current_context, task
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    AIRFLOW_3 = True
except ImportError:  # Airflow 2
    from airflow.decorators import dag, task
    from airflow.exceptions import AirflowException, AirflowFailException
    from airflow.models import Variable
    from airflow.operators.python import get_current_context
    from airflow.sensors.python import PythonSensor

    AIRFLOW_3 = False

__all__ = ["AirflowException", "AirflowFailException", "PythonSensor", "dag", "get_current_context", "task", "variable"]

log = logging.getLogger(__name__)

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3
SHOWN_PROBLEMS = 20


def variable(key: str, default: str | None = None) -> str | None:
    """An Airflow Variable, or ``default`` when it is not set (Airflow 3 names the
    argument ``default``, Airflow 2 ``default_var``)."""
    if AIRFLOW_3:
        return Variable.get(key, default=default)
    return Variable.get(key, default_var=default)


def setting(name: str, default: str | None = None) -> str | None:
    """An Airflow Variable ``dyadflow_<name>`` (or ``AIRFLOW_VAR_DYADFLOW_<NAME>``)."""
    value = variable(f"dyadflow_{name}")
    return default if value in (None, "") else value


# --------------------------------------------------------------------------------------
# The work, as plain functions of paths (tests/ops/test_dag.py calls them directly).


RAW_TABLES = ("articles", "actors", "events", "mentions")


def raw_files(raw: Path) -> dict[str, Path]:
    """The data files below ``raw`` by their path relative to it, as dyadflow hashes them:
    each table's ``<table>.csv`` and the ``*.csv`` batches of ``<table>/``, and every text
    an articles file names in ``text_path`` (present or not). Other files (the annotation
    guide ``README.md``, ``ADJUDICATION.md``, notes) are documentation, not inputs."""
    files = {}
    for table in RAW_TABLES:
        if (raw / f"{table}.csv").is_file():
            files[f"{table}.csv"] = raw / f"{table}.csv"
        if (raw / table).is_dir():
            for p in sorted((raw / table).iterdir()):
                if p.suffix.lower() == ".csv" and p.is_file():
                    files[f"{table}/{p.name}"] = p
    for rel in [r for r in list(files) if r == "articles.csv" or r.startswith("articles/")]:
        with open(files[rel], encoding="utf-8-sig", errors="replace", newline="") as f:
            rows = csv.reader(f)
            header = [h.strip() for h in next(rows, [])]
            if "text_path" not in header:
                continue
            col = header.index("text_path")
            for row in rows:
                text = PurePosixPath(row[col].strip()) if col < len(row) else PurePosixPath("")
                if str(text) not in ("", ".") and not text.is_absolute() and ".." not in text.parts:
                    files[text.as_posix()] = raw / text
    return dict(sorted(files.items()))


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def has_new_input(raw: Path, out: Path) -> bool:
    """True when the raw directory is not what the published set was made from."""
    try:
        inputs = json.loads((out / "manifest.json").read_text())["inputs"]
    except (OSError, ValueError, KeyError):
        return True  # nothing published yet
    published = {i["path"]: i for i in inputs}
    files = raw_files(raw)
    if files.keys() != published.keys():
        return True
    # a text that is missing was an input with no bytes (dyadflow rejects its article)
    missing = {p for p in files if not files[p].is_file()}
    if any(published[p]["bytes"] != 0 for p in missing):
        return True
    present = [p for p in files if p not in missing]
    if any(files[p].stat().st_size != published[p]["bytes"] for p in present):
        return True
    return any(sha256(files[p]) != published[p]["sha256"] for p in present)


def describe(report: dict) -> str:
    """The run report's summary: status, reasons, counts and the first problems."""
    lines = [
        f"dyadflow {report.get('command')}: {report.get('status')} (exit {report.get('exit_code')}), "
        f"{report.get('errors')} error(s), {report.get('warnings')} warning(s), run {report.get('run_id')}"
    ]
    for reason in report.get("failure_reasons", []):
        lines.append(f"  failed: {reason}")
    for table, c in sorted(report.get("tables", {}).items()):
        lines.append(f"  {table}: read {c['read']}, published {c['published']}, rejected {c['rejected']}")
    problems = report.get("problems", [])
    for p in problems[:SHOWN_PROBLEMS]:
        where = p["file"] + (f":{p['line']}" if p.get("line") else "") + (f":{p['column']}" if p.get("column") else "")
        hint = f" (hint: {p['hint']})" if p.get("hint") else ""
        lines.append(f"  {where}: {p['severity']}[{p['rule']}]: {p['message']}{hint}")
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(f"  ... and {len(problems) - SHOWN_PROBLEMS} more problem(s) in the run report")
    return "\n".join(lines)


def call(args: list[str]) -> subprocess.CompletedProcess:
    log.info("running %s", " ".join(args))
    proc = subprocess.run(args, capture_output=True, text=True)
    for line in proc.stderr.splitlines():
        log.info("%s", line)
    return proc


def json_objects(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def validate_corpus(binary: str, raw: str, config: str | None = None) -> dict:
    """``dyadflow validate``; returns its summary. Raises AirflowFailException (no
    retries) on a data problem (exit 1) or a usage error (exit 2)."""
    args = [binary, "validate", "--raw", raw, "--log-format", "json", "--max-problems", str(SHOWN_PROBLEMS)]
    if config:
        args += ["--config", config]
    proc = call(args)
    objects = json_objects(proc.stderr)
    summary = next((o for o in objects if o.get("type") == "summary"), {})
    if proc.returncode == EXIT_OK:
        return summary
    report = dict(summary, command="validate", problems=[o for o in objects if o.get("type") == "problem"])
    if proc.returncode == EXIT_DATA:
        raise AirflowFailException("the corpus has problems:\n" + describe(report))
    if proc.returncode == EXIT_USAGE:
        raise AirflowFailException(f"dyadflow validate could not run (exit 2):\n{proc.stderr[-2000:]}")
    raise AirflowException(f"dyadflow validate exited with {proc.returncode}:\n{proc.stderr[-2000:]}")


def run_corpus(binary: str, raw: str, out: str, config: str | None = None, lineage: str | None = None) -> dict:
    """``dyadflow run``; returns what downstream tasks need from the run report:
    ``status`` (``published`` or ``unchanged``), ``run_id``, ``set``, ``out``, ``tables``.

    Exit 1 raises AirflowFailException (a data problem: retrying cannot help) with the
    run report's summary; exit 3 (another run holds the lock) raises AirflowException,
    so the task is retried after its retry delay; exit 2 fails without retries."""
    report_path = Path(str(out).rstrip("/") + ".run.json")
    args = [binary, "run", "--raw", raw, "--out", out, "--report", str(report_path), "--log-format", "json"]
    if config:
        args += ["--config", config]
    if lineage:
        args += ["--lineage", lineage]
    return published_result("run", call(args), out, report_path)


def published_result(command: str, proc: subprocess.CompletedProcess, out: str, report_path: Path) -> dict:
    """The outcome of a command that publishes into ``out`` (``run``, ``merge``), from
    its exit code and its run report, as :func:`run_corpus` describes it."""
    if proc.returncode == EXIT_BUSY:
        raise AirflowException(f"another run is writing to {out}; retrying later:\n{proc.stderr[-1000:]}")
    if proc.returncode == EXIT_USAGE:
        raise AirflowFailException(f"dyadflow {command} could not run (exit 2):\n{proc.stderr[-2000:]}")
    try:
        report = json.loads(report_path.read_text())
    except (OSError, ValueError) as e:
        raise AirflowException(f"dyadflow {command} exited with {proc.returncode} and no run report ({e})") from e
    if proc.returncode == EXIT_DATA:
        raise AirflowFailException("nothing was published:\n" + describe(report))
    if proc.returncode != EXIT_OK:
        raise AirflowException(f"dyadflow {command} exited with {proc.returncode}:\n{describe(report)}")
    log.info("%s", describe(report))
    return {
        "status": report["status"],
        "run_id": report["run_id"],
        "set": report.get("set"),
        "out": str(out),
        "tables": {t: c["published"] for t, c in report["tables"].items()},
    }


def check_set(result: dict) -> str:
    """The published set of a run: ``_SUCCESS`` present, its manifest of the same run.
    Returns the set's directory."""
    set_dir = Path(result["out"]) / result["set"]
    if not (set_dir / "_SUCCESS").is_file():
        raise AirflowFailException(f"{set_dir} has no _SUCCESS")
    manifest = json.loads((set_dir / "manifest.json").read_text())
    if manifest["run_id"] != result["run_id"]:
        raise AirflowFailException(f"{set_dir} holds run {manifest['run_id']}, not {result['run_id']}")
    return str(set_dir)
