"""examples/k8s/: the indexed Job of the shard runs and the merge Job, checked for their
structure (kubectl is not here), then run as written by examples/k8s/run.sh with a
stand-in kubectl (fake_kubectl.py) that runs each Job's pods here, index by index:
on raw/ (published, byte for byte the tables of a single run, then up to date), on a
corpus with a data problem (the merge Job fails, nothing published) and on a missing
corpus (a shard fails, no merge)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from helpers import REPO, binary, break_corpus, copy_raw, json_lines, run
from test_fanout import TABLES, assert_same_tables

K8S = REPO / "examples" / "k8s"
INDEX = "$(JOB_COMPLETION_INDEX)"


def load(name: str) -> dict:
    (doc,) = list(yaml.safe_load_all((K8S / name).read_text()))
    return doc


def container(job: dict) -> dict:
    (c,) = job["spec"]["template"]["spec"]["containers"]
    return c


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_shards_job_is_indexed_over_n_and_the_merge_names_every_shard():
    shards, merge, pvc = load("shards-job.yaml"), load("merge-job.yaml"), load("pvc.yaml")
    assert (shards["apiVersion"], shards["kind"]) == ("batch/v1", "Job")
    assert (merge["apiVersion"], merge["kind"]) == ("batch/v1", "Job")
    assert pvc["kind"] == "PersistentVolumeClaim" and pvc["spec"]["accessModes"] == ["ReadWriteMany"]

    spec = shards["spec"]
    assert spec["completionMode"] == "Indexed"
    n = spec["completions"]
    assert n == 3 and 1 <= spec["parallelism"] <= n

    c = container(shards)
    args = c["command"] + c["args"]
    assert args[:2] == ["dyadflow", "run"]
    # the shard is the completion index, of N = completions
    assert option(args, "--shard") == f"{INDEX}/{n}"
    shard_out = option(args, "--out")
    assert shard_out.endswith(f"/{INDEX}")
    # ... which the container's env defines, from the index annotation, so that the
    # kubelet expands $(JOB_COMPLETION_INDEX) in args
    (env,) = [e for e in c["env"] if e["name"] == "JOB_COMPLETION_INDEX"]
    assert env["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.annotations['batch.kubernetes.io/job-completion-index']"

    m = container(merge)
    margs = m["command"] + m["args"]
    assert margs[:2] == ["dyadflow", "merge"]
    sets = margs[2 : margs.index("--out")]
    assert sets == [shard_out.replace(INDEX, str(k)) for k in range(n)]
    assert merge["spec"].get("completions", 1) == 1 and "completionMode" not in merge["spec"]
    assert option(margs, "--out") not in sets and option(args, "--raw") != option(margs, "--out")

    for job in (shards, merge):
        pod = job["spec"]["template"]["spec"]
        assert pod["restartPolicy"] == "Never"  # podFailurePolicy needs it
        # exit 1 and 2 fail the Job at once; exit 3 (busy) is tried again
        (fail,) = [r for r in job["spec"]["podFailurePolicy"]["rules"] if r["action"] == "FailJob"]
        assert fail["onExitCodes"]["containerName"] == container(job)["name"]
        assert fail["onExitCodes"]["operator"] == "In" and sorted(fail["onExitCodes"]["values"]) == [1, 2]
        assert job["spec"]["backoffLimit"] > 0
        # the same volume, mounted where the paths of the commands are
        (vol,) = pod["volumes"]
        assert vol["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
        (mount,) = container(job)["volumeMounts"]
        assert mount["name"] == vol["name"]
        paths = [a for a in container(job)["args"] if a.startswith("/")]
        assert paths and all(p.startswith(mount["mountPath"].rstrip("/") + "/") for p in paths)


def run_sh(tmp_path: Path, data: Path) -> subprocess.CompletedProcess:
    """examples/k8s/run.sh, its kubectl the stand-in, the volume at ``data``."""
    state = tmp_path / "kube"
    state.mkdir(exist_ok=True)
    kubectl = tmp_path / "kubectl"
    kubectl.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).parent / "fake_kubectl.py"}" "$@"\n')
    kubectl.chmod(0o755)
    env = dict(
        os.environ,
        KUBECTL=str(kubectl),
        POLL_SECONDS="0",
        FAKE_KUBE_STATE=str(state),
        FAKE_KUBE_DATA=str(data),
        DYADFLOW_BIN=binary(),
    )
    return subprocess.run(["bash", str(K8S / "run.sh")], capture_output=True, text=True, env=env, timeout=300)


def calls(tmp_path: Path) -> list[str]:
    return (tmp_path / "kube" / "calls.log").read_text().splitlines()


def test_run_sh_applies_the_shards_then_the_merge(tmp_path):
    data = tmp_path / "data"
    copy_raw(data / "raw")
    proc = run_sh(tmp_path, data)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "every shard written; merging" in proc.stdout
    c = calls(tmp_path)
    assert c[0] == "delete job dyadflow-shards dyadflow-merge --ignore-not-found --cascade=foreground --wait=true"
    assert c.index("apply -f shards-job.yaml") < c.index("apply -f merge-job.yaml")
    # the merge is applied only once the shards Job is seen complete
    between = c[c.index("apply -f shards-job.yaml") + 1 : c.index("apply -f merge-job.yaml")]
    assert len(between) == 2 and all(x.startswith("get job dyadflow-shards -o jsonpath=") for x in between)
    pods = (tmp_path / "kube" / "dyadflow-shards.log").read_text()
    for k in range(3):
        assert f"--out {data}/work/shards/{k} --shard {k}/3" in pods
    assert (data / "output" / "_SUCCESS").is_file()
    assert sorted(p.name for p in (data / "output" / "current").glob("*.parquet")) == sorted(f"{t}.parquet" for t in TABLES)
    r = run("run", "--raw", str(REPO / "raw"), "--out", str(tmp_path / "single"))
    assert r.returncode == 0, r.stderr
    assert_same_tables(data / "output", tmp_path / "single")

    # again: every shard and the published set up to date, nothing new
    proc = run_sh(tmp_path, data)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(list((data / "output" / "runs").iterdir())) == 1
    assert (tmp_path / "kube" / "dyadflow-shards.log").read_text().count('"status":"up to date"') == 3
    merges = [o for o in json_lines((tmp_path / "kube" / "dyadflow-merge.log").read_text()) if o.get("type") == "summary"]
    assert [o["status"] for o in merges] == ["published", "unchanged"]


def test_run_sh_fails_on_a_corpus_with_a_data_problem(tmp_path):
    data = tmp_path / "data"
    line = break_corpus(copy_raw(data / "raw"))
    proc = run_sh(tmp_path, data)
    assert proc.returncode == 1
    assert "the merge failed; nothing was published" in proc.stderr
    merge_log = (tmp_path / "kube" / "dyadflow-merge.log").read_text()
    # exit 1 fails the Job at once (podFailurePolicy), without another try
    assert merge_log.count("\nexit 1\n") == 1 and merge_log.count("$ ") == 1
    (problem,) = [o for o in json_lines(merge_log) if o.get("type") == "problem"]
    assert problem["file"].endswith("/raw/events.csv") and problem["line"] == line
    assert (problem["rule"], problem["message"]) == ("unknown-actor", "no actor matches `Atlantis`")
    (summary,) = [o for o in json_lines(merge_log) if o.get("type") == "summary"]
    assert summary["status"] == "failed" and summary["failure_reasons"]
    assert not (data / "output" / "_SUCCESS").exists()


def test_run_sh_stops_when_a_shard_fails(tmp_path):
    data = tmp_path / "data"
    data.mkdir()  # no raw/ on the volume: every shard exits 2
    proc = run_sh(tmp_path, data)
    assert proc.returncode == 1
    assert "a shard failed; nothing was merged" in proc.stderr
    assert "apply -f merge-job.yaml" not in calls(tmp_path)
    shard_log = (tmp_path / "kube" / "dyadflow-shards.log").read_text()
    assert shard_log.count("$ ") == 1 and "exit 2" in shard_log
