#!/usr/bin/env bash
# CI for running dyadflow for real (called by .ci/run): the systemd units and the cron
# line of examples/, then tests/ops/ with pytest in a Python 3.11 venv holding
# apache-airflow, openlineage-python and jsonschema (pinned in tests/ops/): the
# OpenLineage events against their schema, SARIF against its schema, the GitHub
# annotations, the DAG's exit-code mapping, and `airflow dags test` on raw/ and on a
# broken copy with every task state checked, on Airflow 3 (and the DAG tests again on
# Airflow 2.11, from tests/ops/airflow2-*.txt); the fan-out examples (the Airflow DAG with
# mapped shard tasks and a merge, under `airflow dags test` on raw/ with 3 shards; the
# Kubernetes indexed Job and merge Job, run by examples/k8s/run.sh with a stand-in kubectl).
#
# The venv is kept under the target directory, keyed by the hash of the requirements
# and constraints, so reruns skip the install; from nothing it is built here.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
t0=$(date +%s)
elapsed() { echo "   ($(( $(date +%s) - $1 )) s)"; }

echo "== ops: build"
cargo build --quiet
bin="$(cd "$target/debug" && pwd)/dyadflow"
test -x "$bin"

echo "== ops: systemd units (examples/systemd)"
if command -v systemd-analyze >/dev/null 2>&1; then
    # the units as installed, with this checkout's binary and a scratch /srv/dyadflow
    mkdir -p "$work/units" "$work/srv/raw"
    cp examples/systemd/dyadflow.service examples/systemd/dyadflow.timer examples/systemd/dyadflow.path "$work/units/"
    sed -i "s#/usr/local/bin/dyadflow#$bin#g; s#/srv/dyadflow#$work/srv#g" "$work/units/"*
    if ! systemd-analyze verify "$work/units/dyadflow.service" "$work/units/dyadflow.timer" \
        "$work/units/dyadflow.path" >"$work/verify.log" 2>&1 || test -s "$work/verify.log"; then
        cat "$work/verify.log"
        echo "systemd-analyze verify found problems in examples/systemd" >&2
        exit 1
    fi
    echo "   verified dyadflow.service, dyadflow.timer, dyadflow.path"
else
    echo "   systemd-analyze is not available here: the unit files are not verified"
fi

echo "== ops: cron line (examples/cron/dyadflow.cron), run as written on a copy of raw/"
line="$(grep -E '^[0-9*]' examples/cron/dyadflow.cron)"
read -r minute hour dom month dow user command <<<"$line"
test "$minute $hour $dom $month $dow $user" = "17 * * * * dyadflow"
mkdir -p "$work/cron/srv/log"
cp -r raw "$work/cron/srv/raw"
command="${command//\/usr\/local\/bin\/dyadflow/$bin}"
command="${command//\/srv\/dyadflow/$work/cron/srv}"
sh -c "$command"
sh -c "$command"
test -e "$work/cron/srv/output/_SUCCESS"
grep -q '"status":"published"' "$work/cron/srv/log/run.log"
grep -q '"status":"unchanged"' "$work/cron/srv/log/run.log"
test "$(wc -l <"$work/cron/srv/output.lineage.jsonl")" = 4
echo "   published, then up to date; 4 lineage events"

# a venv for one requirements file and its constraints, kept under the target directory
# keyed by their hash (reruns skip the install; from nothing it is built here)
ops_venv() {
    local req="$1" cons="$2" key venv
    key="$(cat "$req" "$cons" | sha256sum | cut -c1-16)"
    venv="$target/ops-venv-$key"
    if [ ! -e "$venv/.complete" ]; then
        rm -rf "$venv"
        "$py" -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" -c "$cons"
        touch "$venv/.complete"
        echo "   installed into $venv" >&2
    else
        echo "   reusing $venv" >&2
    fi
    echo "$venv"
}

# an empty Airflow metadata database (sqlite) in a temporary AIRFLOW_HOME
airflow_home() {
    local venv="$1" home="$2"
    export AIRFLOW_HOME="$home"
    export AIRFLOW__CORE__LOAD_EXAMPLES=False
    export AIRFLOW__CORE__DAGS_FOLDER="$PWD/examples/airflow"
    "$venv/bin/airflow" db migrate >"$home.migrate.log" 2>&1 || { cat "$home.migrate.log"; exit 1; }
}

py="$(command -v python3.11 || command -v python3)"

echo "== ops: Python venv (apache-airflow 3, openlineage-python, jsonschema, pytest)"
t=$(date +%s)
venv="$(ops_venv tests/ops/requirements.txt tests/ops/constraints.txt)"
"$venv/bin/airflow" version
elapsed "$t"

echo "== ops: airflow db migrate (sqlite, temporary AIRFLOW_HOME)"
t=$(date +%s)
airflow_home "$venv" "$work/airflow"
elapsed "$t"

echo "== ops: pytest tests/ops (Airflow 3)"
t=$(date +%s)
PYTHONDONTWRITEBYTECODE=1 DYADFLOW_BIN="$bin" "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/ops
elapsed "$t"

# The DAGs on Airflow 2.11 as well: the DAG tests only (the other checks of tests/ops/
# do not use Airflow). DYADFLOW_CI_AIRFLOW2=0 skips them.
if [ "${DYADFLOW_CI_AIRFLOW2:-1}" != 0 ]; then
    echo "== ops: the DAGs on Airflow 2.11 (venv, airflow db migrate, pytest of the DAG tests)"
    t=$(date +%s)
    venv2="$(ops_venv tests/ops/airflow2-requirements.txt tests/ops/airflow2-constraints.txt)"
    airflow_home "$venv2" "$work/airflow2"
    "$venv2/bin/airflow" version
    PYTHONDONTWRITEBYTECODE=1 DYADFLOW_BIN="$bin" "$venv2/bin/python" -m pytest -q -p no:cacheprovider \
        tests/ops/test_dag.py tests/ops/test_fanout.py tests/ops/test_airflow_dags.py
    elapsed "$t"
fi
echo "== ops: done in $(( $(date +%s) - t0 )) s"
