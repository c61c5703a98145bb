"""`dyadflow validate --format sarif|github` on a corpus with errors and warnings: the
SARIF log validates against the official SARIF 2.1.0 schema (schemas/sarif/), and the
GitHub format has one workflow command per problem with its file, line and column."""

from __future__ import annotations

import json
import re
from pathlib import Path

from jsonschema import Draft4Validator

from helpers import SCHEMAS, break_corpus, copy_raw, json_lines, run

SARIF_SCHEMA = json.loads((SCHEMAS / "sarif" / "sarif-schema-2.1.0.json").read_text())


def broken_corpus(tmp_path: Path) -> Path:
    raw = copy_raw(tmp_path / "raw")
    break_corpus(raw)
    # a warning too: an unknown column, and a quoted field spanning lines before an error
    events = (raw / "events.csv").read_text().splitlines()
    events[0] += ",remarks"
    events[1:] = [line + ',"see\nbelow"' for line in events[1:]]
    events.append(events[-1].replace("\n", " ").replace(",057,", ",0579,", 1) if ",057," in events[-1] else events[-1])
    (raw / "events.csv").write_text("\n".join(events) + "\n")
    return raw


def problems_of(raw: Path) -> list[dict]:
    r = run("validate", "--raw", raw.name, "--log-format", "json", "--max-problems", "100000", cwd=raw.parent)
    assert r.returncode == 1, r.stderr
    return [o for o in json_lines(r.stderr) if o.get("type") == "problem"]


def test_sarif_validates_against_the_schema(tmp_path):
    raw = broken_corpus(tmp_path)
    problems = problems_of(raw)
    assert any(p["severity"] == "warning" for p in problems) and any(p["severity"] == "error" for p in problems)
    out = tmp_path / "dyadflow.sarif"
    r = run("validate", "--raw", "raw", "--format", "sarif", "--output", str(out), cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert "FAILED" in r.stderr  # the summary still goes to standard error
    log = json.loads(out.read_text())
    errors = sorted(Draft4Validator(SARIF_SCHEMA, format_checker=Draft4Validator.FORMAT_CHECKER).iter_errors(log), key=str)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:10]]
    assert log["version"] == "2.1.0"
    (sarif_run,) = log["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    header, *explained = run("explain").stdout.split("\n")
    assert header.split()[0] == "RULE"  # explain's list has a header over its columns
    assert [r_["id"] for r_ in rules] == [line.split()[0] for line in explained if line.strip()]
    results = sarif_run["results"]
    assert len(results) == len(problems)
    for res, p in zip(results, problems):
        assert res["ruleId"] == p["rule"] and rules[res["ruleIndex"]]["id"] == p["rule"]
        assert res["level"] == p["severity"]
        assert res["message"]["text"].startswith(p["message"])
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == p["file"] == "raw/events.csv"
        if p["line"]:
            assert loc["region"]["startLine"] >= p["line"]
            assert ("startColumn" in loc["region"]) == (p["column"] is not None)
    # the same document on standard output without --output
    r = run("validate", "--raw", "raw", "--format", "sarif", cwd=tmp_path)
    assert json.loads(r.stdout)["runs"][0]["results"] == results
    # a clean corpus: a valid log without results, exit 0
    clean = copy_raw(tmp_path / "clean")
    r = run("validate", "--raw", "clean", "--format", "sarif", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    log = json.loads(r.stdout)
    assert not list(Draft4Validator(SARIF_SCHEMA).iter_errors(log)) and log["runs"][0]["results"] == []


COMMAND = re.compile(r"^::(error|warning) file=([^,]+)(?:,line=(\d+))?(?:,col=(\d+))?,title=dyadflow ([a-z0-9-]+)::(.*)$")


def test_github_format_has_one_line_per_problem_with_file_line_and_column(tmp_path):
    raw = broken_corpus(tmp_path)
    problems = problems_of(raw)
    r = run("validate", "--raw", "raw", "--format", "github", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == len(problems)
    texts = {}
    for line, p in zip(lines, problems):
        m = COMMAND.match(line)
        assert m, line
        level, file, ln, col, rule, message = m.groups()
        assert (level, file, rule) == (p["severity"], p["file"], p["rule"])
        assert message.startswith(p["message"].replace("%", "%25").replace("\n", "%0A"))
        if p["line"]:
            assert int(ln) >= p["line"]
            assert (col is not None) == (p["column"] is not None)
            if col:
                # the column is where the field starts in the file's line
                texts.setdefault(file, (raw.parent / file).read_text().split("\n"))
                physical = texts[file][int(ln) - 1]
                field = p["field"]
                start = int(col) - 1
                assert start == 0 or physical[start - 1] in ',"', (physical, start)
                if field == "source":
                    assert physical[start:].startswith("Atlantis")
        else:
            assert ln is None
    assert any("col=" in line for line in lines)
    # the unknown actor, on line 2 at the source column
    atlantis = next(l for l in lines if "unknown-actor" in l)
    header = (raw / "events.csv").read_text().split("\n")[0].split(",")
    row = (raw / "events.csv").read_text().split("\n")[1]
    col = len(",".join(row.split(",")[: header.index("source")])) + 2
    assert f"file=raw/events.csv,line=2,col={col}," in atlantis, atlantis
