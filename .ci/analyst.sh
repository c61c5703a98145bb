#!/usr/bin/env bash
# The analyst's checks, called by .ci/run after the main job on raw/:
#   bash .ci/analyst.sh OUTPUT_DIR [VENV]
# builds the BI database of OUTPUT_DIR (the set published from raw/), runs every example
# query of bi/README.md against values computed independently (tests/clients/check_bi.py),
# and executes examples/quickstart.ipynb top to bottom on a fresh kernel. Any error fails.
# VENV: a virtualenv that has tests/clients/requirements.txt already (one is made if absent).
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(cd "$1" && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
venv="${2:-$scratch/venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r examples/requirements.txt

echo "== the committed notebook holds no outputs"
"$venv/bin/python" - <<'PY'
import sys, nbformat
nb = nbformat.read("examples/quickstart.ipynb", as_version=4)
stale = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
if stale:
    sys.exit(f"examples/quickstart.ipynb: cells {stale} hold outputs; commit it cleared")
PY

echo "== dyadflow bi and the example questions"
DYADFLOW_PYTHON="$venv/bin/python" cargo run --quiet -- bi --out "$out" --duckdb "$out/dyadflow.duckdb"
DYADFLOW_PYTHON="$venv/bin/python" cargo run --quiet -- bi --out "$out" --duckdb "$out/dyadflow-relative.duckdb" --relative
"$venv/bin/python" tests/clients/check_bi.py "$out" dyadflow.duckdb dyadflow-relative.duckdb
# the database opened from other folders, through the binary, with this DuckDB
DYADFLOW_PYTHON="$venv/bin/python" cargo test --quiet --test bi

echo "== examples/quickstart.ipynb on a fresh kernel"
DYADFLOW_OUT="$out" "$venv/bin/python" - <<'PY'
import os
import nbformat
from nbclient import NotebookClient
nb = nbformat.read("examples/quickstart.ipynb", as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": "examples"}}).execute()
errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
assert not errors, errors
images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
assert images >= 1, "the notebook drew no figure"
if os.environ.get("DYADFLOW_NOTEBOOK_COPY"):
    nbformat.write(nb, os.environ["DYADFLOW_NOTEBOOK_COPY"])
print(f"quickstart.ipynb: {len(nb.cells)} cells ran without error, {images} figure(s)")
PY
