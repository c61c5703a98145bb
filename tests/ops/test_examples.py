"""examples/github/validate-annotations.yml: its structure, and its dyadflow commands run
as written (with this build's binary) on raw/ and on a broken copy."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess

import yaml

from helpers import REPO, binary, break_corpus, copy_raw

WORKFLOW = REPO / "examples" / "github" / "validate-annotations.yml"


def steps() -> list[dict]:
    wf = yaml.safe_load(WORKFLOW.read_text())
    # YAML 1.1 reads the key `on` as True
    on = wf.get("on", wf.get(True))
    assert "raw/**" in on["pull_request"]["paths"]
    assert wf["permissions"]["security-events"] == "write"
    (job,) = wf["jobs"].values()
    return job["steps"]


def dyadflow_commands() -> list[tuple[dict, list[str]]]:
    out = []
    for s in steps():
        cmd = shlex.split(s.get("run", ""))
        if cmd and cmd[0] == "./target/release/dyadflow":
            out.append((s, cmd[1:]))
    return out


def test_workflow_shape():
    st = steps()
    cmds = dyadflow_commands()
    sarif_step, sarif = next((s, c) for s, c in cmds if "sarif" in c)
    github_step, github = next((s, c) for s, c in cmds if "github" in c)
    assert sarif_step.get("continue-on-error") is True and "continue-on-error" not in github_step
    assert st.index(sarif_step) < st.index(github_step)
    upload = next(s for s in st if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["if"] == "always()"
    assert upload["with"]["sarif_file"] == sarif[sarif.index("--output") + 1]
    assert any(s.get("run", "").startswith("cargo build --release --locked") for s in st)


def run_as_written(root, args):
    return subprocess.run([binary(), *args], capture_output=True, text=True, cwd=root)


def test_workflow_commands_on_a_clean_and_a_broken_corpus(tmp_path):
    cmds = dyadflow_commands()
    clean = tmp_path / "clean"
    copy_raw(clean / "raw")
    for _, args in cmds:
        r = run_as_written(clean, args)
        assert r.returncode == 0, (args, r.stderr)
    sarif = json.loads((clean / "dyadflow.sarif").read_text())
    assert sarif["runs"][0]["results"] == []

    broken = tmp_path / "broken"
    copy_raw(broken / "raw")
    line = break_corpus(broken / "raw")
    results = {}
    for _, args in cmds:
        results[args[args.index("--format") + 1]] = run_as_written(broken, args)
    assert all(r.returncode == 1 for r in results.values())
    annotations = results["github"].stdout.splitlines()
    assert len(annotations) == 1 and annotations[0].startswith(f"::error file=raw/events.csv,line={line},col=")
    (res,) = json.loads((broken / "dyadflow.sarif").read_text())["runs"][0]["results"]
    assert res["ruleId"] == "unknown-actor"
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "raw/events.csv"
    shutil.rmtree(broken)
