"""A stand-in for `kubectl` that runs the Jobs of examples/k8s/ here, for
tests/ops/test_k8s.py: what examples/k8s/run.sh calls, and nothing more.

- ``apply -f JOB.yaml`` runs the Job as its controller would, one pod after another:
  for an indexed Job, pod K for K = 0..completions-1 with JOB_COMPLETION_INDEX = K;
  each container's ``$(VAR)`` references expanded from its env (a fieldRef to the
  completion index annotation resolves to K); the ``dyadflow`` command is the binary of
  $DYADFLOW_BIN; paths under the volume's mountPath are under $FAKE_KUBE_DATA. A pod
  that exits with a code of a ``FailJob`` rule of ``podFailurePolicy`` fails the Job; any
  other failure is tried again up to ``backoffLimit`` times.
- ``get job NAME -o jsonpath=...`` prints the Job's true conditions as run.sh's
  jsonpath does (``Complete `` or ``Failed ``): nothing the first time it is asked, as
  for a Job still running.
- ``delete job NAME... --ignore-not-found``: forgets them.

Every call is appended to $FAKE_KUBE_STATE/calls.log; the pods' output to
$FAKE_KUBE_STATE/<job>.log."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

STATE = Path(os.environ["FAKE_KUBE_STATE"])
DATA = os.environ["FAKE_KUBE_DATA"]
INDEX_ANNOTATION = "metadata.annotations['batch.kubernetes.io/job-completion-index']"


def expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' expansion of ``$(VAR)`` in command and args: defined variables are
    replaced, ``$$`` is a ``$``, anything else stays as written."""
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), text)


def pod_command(job: dict, index: int | None) -> list[str]:
    spec = job["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    env = {}
    for e in container.get("env", []):
        if "value" in e:
            env[e["name"]] = expand(e["value"], env)
        elif e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == INDEX_ANNOTATION and index is not None:
            env[e["name"]] = str(index)
    words = [expand(w, env) for w in container.get("command", []) + container.get("args", [])]
    (mount,) = container["volumeMounts"]
    root = mount["mountPath"].rstrip("/")
    words = [DATA + w[len(root) :] if w == root or w.startswith(root + "/") else w for w in words]
    if words[0] == "dyadflow":
        words[0] = os.environ["DYADFLOW_BIN"]
    return words


def fail_job_codes(job: dict) -> set[int]:
    codes = set()
    for rule in job["spec"].get("podFailurePolicy", {}).get("rules", []):
        on = rule.get("onExitCodes")
        if rule["action"] == "FailJob" and on and on["operator"] == "In":
            codes |= set(on["values"])
    return codes


def run_job(job: dict) -> str:
    spec = job["spec"]
    indexed = spec.get("completionMode") == "Indexed"
    name = job["metadata"]["name"]
    tries_left = spec.get("backoffLimit", 6)
    with open(STATE / f"{name}.log", "a") as log:
        for index in range(spec.get("completions", 1)):
            while True:
                cmd = pod_command(job, index if indexed else None)
                proc = subprocess.run(cmd, capture_output=True, text=True)
                log.write(f"$ {' '.join(cmd)}\n{proc.stderr}exit {proc.returncode}\n")
                if proc.returncode == 0:
                    break
                if proc.returncode in fail_job_codes(job) or tries_left == 0:
                    return "Failed"
                tries_left -= 1
    return "Complete"


def main(args: list[str]) -> int:
    with open(STATE / "calls.log", "a") as f:
        f.write(" ".join(args) + "\n")
    jobs = STATE / "jobs.json"
    known = json.loads(jobs.read_text()) if jobs.exists() else {}
    if args[:2] == ["delete", "job"]:
        names = [a for a in args[2:] if not a.startswith("-")]
        if "--ignore-not-found" not in args and any(n not in known for n in names):
            print("Error from server (NotFound)", file=sys.stderr)
            return 1
        for n in names:
            known.pop(n, None)
    elif args[:2] == ["apply", "-f"]:
        job = yaml.safe_load(Path(args[2]).read_text())
        assert job["kind"] == "Job", job["kind"]
        name = job["metadata"]["name"]
        if name in known:  # the same Job again: nothing changes, nothing runs
            print(f"job.batch/{name} unchanged")
            return 0
        known[name] = {"condition": run_job(job), "asked": 0}
        print(f"job.batch/{name} created")
    elif args[:2] == ["get", "job"] and args[3] == "-o" and args[4].startswith("jsonpath="):
        name = args[2]
        if name not in known:
            print(f'Error from server (NotFound): jobs.batch "{name}" not found', file=sys.stderr)
            return 1
        known[name]["asked"] += 1
        if known[name]["asked"] > 1:
            print(known[name]["condition"] + " ", end="")
    else:
        print(f"fake kubectl: not emulated: {args}", file=sys.stderr)
        return 1
    jobs.write_text(json.dumps(known))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
