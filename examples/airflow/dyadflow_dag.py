"""dyadflow on Airflow: wait for new input, validate, run, and hand over the published set.

Tasks, in order:

- ``wait_for_input``: waits until the raw directory differs from the inputs of the
  published set (``<out>/manifest.json``): a file added, removed or changed. When nothing
  changes before the timeout, it is skipped, and so is everything after it.
- ``validate``: ``dyadflow validate``; a data problem (exit 1) fails the task at once,
  without retries, with the problems in its log.
- ``run``: ``dyadflow run``. Exit 0: published or already up to date. Exit 1: a data
  problem; the task fails without retries, the run report's summary in its log. Exit 3:
  another run holds the output directory's lock; the task is retried later.
- ``is_new_set``: stops here (everything after it is skipped) when the run was up to
  date: nothing new was published.
- ``announce_set``: checks the new set and logs it; put the work that reads the new tables
  after it.

Settings are Airflow Variables (``airflow variables set dyadflow_raw /srv/corpus/raw``),
each of which can also come from the environment as ``AIRFLOW_VAR_<NAME>`` (e.g.
``AIRFLOW_VAR_DYADFLOW_RAW``):

==========================  ==============================================  =================
variable                    meaning                                         default
==========================  ==============================================  =================
dyadflow_bin                the dyadflow executable                         ``dyadflow``
dyadflow_raw                raw corpus directory                            ``raw``
dyadflow_out                output directory                                ``output``
dyadflow_config             configuration file (``--config``)               none
dyadflow_lineage            OpenLineage events file (``--lineage``)         none
dyadflow_wait_for_input     ``true``: wait for new input; ``false``: run    ``true``
                            at every scheduled time
dyadflow_poke_interval      seconds between two looks at the raw directory  ``60``
dyadflow_wait_timeout       seconds to wait for new input before skipping   ``3300``
==========================  ==============================================  =================

The last two are read when the DAG file is parsed; the others when a task runs.

The DAG's work functions live in ``dyadflow_common.py``, shared with the fan-out DAG
(``dyadflow_fanout_dag.py``): copy it into the DAGs folder with this file.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

# the work, as plain functions of paths, and the names this DAG needs from Airflow 3 or 2
# (dyadflow_common.py, beside this file)
from dyadflow_common import PythonSensor, check_set, dag, has_new_input, run_corpus, setting, task, validate_corpus, variable

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------
# The DAG.


def _poke_new_input() -> bool:
    if (setting("wait_for_input", "true") or "true").lower() in ("false", "0", "no"):
        return True
    return has_new_input(Path(setting("raw", "raw")), Path(setting("out", "output")))


@dag(
    dag_id="dyadflow",
    schedule="@hourly",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 0},
    tags=["dyadflow"],
    doc_md=__doc__,
)
def dyadflow_dag():
    wait_for_input = PythonSensor(
        task_id="wait_for_input",
        python_callable=_poke_new_input,
        poke_interval=float(variable("dyadflow_poke_interval", "60")),
        timeout=float(variable("dyadflow_wait_timeout", "3300")),
        mode="reschedule",
        soft_fail=True,
    )

    @task
    def validate() -> dict:
        return validate_corpus(setting("bin", "dyadflow"), setting("raw", "raw"), setting("config"))

    @task(retries=6, retry_delay=timedelta(minutes=2), retry_exponential_backoff=True)
    def run() -> dict:
        return run_corpus(
            setting("bin", "dyadflow"),
            setting("raw", "raw"),
            setting("out", "output"),
            setting("config"),
            setting("lineage"),
        )

    @task.short_circuit
    def is_new_set(result: dict) -> bool:
        if result["status"] != "published":
            log.info("%s is up to date: nothing new to hand over", result["out"])
            return False
        return True

    @task
    def announce_set(result: dict) -> str:
        set_dir = check_set(result)
        log.info("new set %s: %s", set_dir, result["tables"])
        return set_dir

    result = run()
    wait_for_input >> validate() >> result
    is_new_set(result) >> announce_set(result)


dyadflow_dag()
