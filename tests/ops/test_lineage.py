"""`dyadflow run --lineage FILE`: the events of a successful, an up-to-date, a failed and
a refused run, parsed with the openlineage-python client models and validated against
the OpenLineage JSON schema (spec 2-0-2 and its facets, in schemas/openlineage/)."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from openlineage.client import event_v2
from openlineage.client.facet_v2 import (
    dataset_version_dataset,
    documentation_dataset,
    error_message_run,
    input_statistics_input_dataset,
    job_type_job,
    output_statistics_output_dataset,
    processing_engine_run,
    schema_dataset,
    storage_dataset,
    tags_run,
)
from openlineage.client.serde import Serde
from referencing import Registry, Resource

from helpers import SCHEMAS, break_corpus, copy_raw, run

RUN_EVENT = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def registry() -> Registry:
    docs = [SCHEMAS / "openlineage" / "OpenLineage.json", *sorted((SCHEMAS / "openlineage" / "facets").glob("*.json"))]
    resources = []
    for d in docs:
        schema = json.loads(d.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


REGISTRY = registry()


def validator(ref: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": ref}, registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER)


def facets_of(event: dict):
    """Every facet of an event, as (where, facet)."""
    yield from (("run", f) for f in event["run"].get("facets", {}).values())
    yield from (("job", f) for f in event["job"].get("facets", {}).values())
    for side in ("inputs", "outputs"):
        for d in event.get(side, []):
            for key in ("facets", "inputFacets", "outputFacets"):
                yield from ((f"{side}:{d['name']}", f) for f in d.get(key, {}).values())


def validate_against_schema(event: dict) -> None:
    errors = sorted(validator(RUN_EVENT).iter_errors(event), key=str)
    assert not errors, [e.message for e in errors]
    for where, facet in facets_of(event):
        url = facet["_schemaURL"]
        assert url.split("#")[0] in {str(u) for u in REGISTRY}, f"{where}: no schema for {url}"
        errors = list(validator(url).iter_errors(facet))
        assert not errors, (where, url, [e.message for e in errors])


# The client's model of each facet key dyadflow writes.
def _fields(cls, items, **nested):
    return [cls(**i) for i in items]


def model_facet(key: str, f: dict):
    body = {k: v for k, v in f.items() if not k.startswith("_")}
    producer = f["_producer"]
    match key:
        case "processing_engine":
            m = processing_engine_run.ProcessingEngineRunFacet(**body, producer=producer)
        case "tags":
            m = tags_run.TagsRunFacet(tags=_fields(tags_run.TagsRunFacetFields, body["tags"]), producer=producer)
        case "errorMessage":
            m = error_message_run.ErrorMessageRunFacet(**body, producer=producer)
        case "jobType":
            m = job_type_job.JobTypeJobFacet(**body, producer=producer)
        case "version":
            m = dataset_version_dataset.DatasetVersionDatasetFacet(**body, producer=producer)
        case "storage":
            m = storage_dataset.StorageDatasetFacet(**body, producer=producer)
        case "documentation":
            m = documentation_dataset.DocumentationDatasetFacet(**body, producer=producer)
        case "schema":
            fields = _fields(schema_dataset.SchemaDatasetFacetFields, body["fields"])
            m = schema_dataset.SchemaDatasetFacet(fields=fields, producer=producer)
        case "inputStatistics":
            m = input_statistics_input_dataset.InputStatisticsInputDatasetFacet(**body, producer=producer)
        case "outputStatistics":
            m = output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(**body, producer=producer)
        case _:
            raise AssertionError(f"facet {key} has no model here")
    # the client's own schema URL for the facet is the one dyadflow wrote
    assert m._schemaURL == f["_schemaURL"], (key, m._schemaURL, f["_schemaURL"])
    return m


def model(event: dict) -> event_v2.RunEvent:
    """The event as the client's RunEvent; its serialization must give the event back."""
    facets = lambda d: {k: model_facet(k, v) for k, v in d.items()}  # noqa: E731
    ev = event_v2.RunEvent(
        eventType=event_v2.RunState(event["eventType"]),
        eventTime=event["eventTime"],
        producer=event["producer"],
        run=event_v2.Run(runId=event["run"]["runId"], facets=facets(event["run"]["facets"])),
        job=event_v2.Job(namespace=event["job"]["namespace"], name=event["job"]["name"], facets=facets(event["job"]["facets"])),
        inputs=[
            event_v2.InputDataset(namespace=d["namespace"], name=d["name"], facets=facets(d["facets"]), inputFacets=facets(d["inputFacets"]))
            for d in event["inputs"]
        ],
        outputs=[
            event_v2.OutputDataset(namespace=d["namespace"], name=d["name"], facets=facets(d["facets"]), outputFacets=facets(d["outputFacets"]))
            for d in event["outputs"]
        ],
    )
    assert ev.schemaURL == event["schemaURL"]  # the client's spec version is the one dyadflow writes
    # (the client writes an empty `fields` list into each schema field; dyadflow leaves it out)
    assert without_empty_lists(Serde.to_dict(ev)) == without_empty_lists(event)
    return ev


def without_empty_lists(v):
    if isinstance(v, dict):
        return {k: without_empty_lists(x) for k, x in v.items() if x != []}
    if isinstance(v, list):
        return [without_empty_lists(x) for x in v]
    return v


def events_of(path: Path) -> list[dict]:
    events = [json.loads(l) for l in path.read_text().splitlines()]
    for e in events:
        validate_against_schema(e)
        model(e)
    return events


def check_pair(events: list[dict], kind: str) -> tuple[dict, dict]:
    assert [e["eventType"] for e in events] == ["START", kind]
    start, end = events
    assert start["run"]["runId"] == end["run"]["runId"]
    assert start["job"] == end["job"]
    assert end["job"]["namespace"] == "dyadflow" and end["job"]["name"] == "dyadflow.run"
    assert start["eventTime"] <= end["eventTime"]
    return start, end


def tags(event: dict) -> dict:
    return {t["key"]: t["value"] for t in event["run"]["facets"]["tags"]["tags"]}


def check_against_manifest(end: dict, manifest: dict, raw: Path, out: Path) -> None:
    # inputs: every raw file with its hash
    inputs = {d["name"]: d for d in end["inputs"]}
    assert len(inputs) == len(manifest["inputs"]) > 0
    for i in manifest["inputs"]:
        d = inputs[str((raw / i["path"]).absolute())]
        assert d["namespace"] == "file"
        assert d["facets"]["version"]["datasetVersion"] == i["sha256"]
        assert d["inputFacets"]["inputStatistics"]["size"] == i["bytes"]
    # outputs: every table, its rows as the manifest counts them
    outputs = {d["name"]: d for d in end["outputs"]}
    tables = [o for o in manifest["outputs"] if o["file"].endswith(".parquet")]
    assert len(outputs) == len(tables) == 7, "the seven tables; the overview page is not a dataset"
    for o in tables:
        d = outputs[str((out / o["file"]).absolute())]
        assert d["outputFacets"]["outputStatistics"]["rowCount"] == o["rows"]
        assert d["outputFacets"]["outputStatistics"]["size"] == o["bytes"]
        assert d["facets"]["version"]["datasetVersion"] == o["sha256"]
        assert d["facets"]["storage"]["fileFormat"] == "parquet"
        fields = [f["name"] for f in d["facets"]["schema"]["fields"]]
        assert fields and [f["ordinal_position"] for f in d["facets"]["schema"]["fields"]] == list(range(1, len(fields) + 1))
    events = outputs[str((out / "events.parquet").absolute())]
    names = [f["name"] for f in events["facets"]["schema"]["fields"]]
    assert names[0] == "event_key" and "goldstein" in names and names[-1] == "raw_line"
    assert manifest["tables"]["events"]["published"] == events["outputFacets"]["outputStatistics"]["rowCount"] > 0


def test_successful_and_up_to_date_runs(tmp_path):
    raw, out, lineage = copy_raw(tmp_path / "raw"), tmp_path / "out", tmp_path / "lineage.jsonl"
    r = run("run", "--raw", str(raw), "--out", str(out), "--lineage", str(lineage))
    assert r.returncode == 0, r.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    events = events_of(lineage)
    _, end = check_pair(events, "COMPLETE")
    check_against_manifest(end, manifest, raw, out)
    assert tags(end) == {
        "dyadflow.run_id": manifest["run_id"],
        "dyadflow.status": "published",
        "dyadflow.exit_code": "0",
        "dyadflow.set": manifest["set"],
    }
    # the check is not blind: a row count as text, or a run id that is not a UUID, fails it
    bad = json.loads(json.dumps(end))
    bad["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"] = "many"
    with pytest.raises(AssertionError):
        validate_against_schema(bad)
    bad = json.loads(json.dumps(end))
    bad["run"]["runId"] = manifest["run_id"]
    with pytest.raises(AssertionError):
        validate_against_schema(bad)
    # the same inputs again: up to date, a new run of the job, the same datasets
    r = run("run", "--raw", str(raw), "--out", str(out), "--lineage", str(lineage))
    assert r.returncode == 0 and "up to date" in r.stderr, r.stderr
    again = events_of(lineage)[2:]
    _, end2 = check_pair(again, "COMPLETE")
    assert end2["run"]["runId"] != end["run"]["runId"]
    assert tags(end2)["dyadflow.status"] == "unchanged"
    check_against_manifest(end2, manifest, raw, out)


def test_failed_run(tmp_path):
    raw, out, lineage = copy_raw(tmp_path / "raw"), tmp_path / "out", tmp_path / "lineage.jsonl"
    break_corpus(raw)
    r = run("run", "--raw", str(raw), "--out", str(out), "--lineage", str(lineage),
            "--lineage-namespace", "corpus", "--lineage-job", "nightly")
    assert r.returncode == 1, r.stderr
    report = json.loads((tmp_path / "out.run.json").read_text())
    events = [json.loads(l) for l in lineage.read_text().splitlines()]
    for e in events:
        validate_against_schema(e)
        model(e)
    assert [e["eventType"] for e in events] == ["START", "FAIL"]
    start, fail = events
    assert start["run"]["runId"] == fail["run"]["runId"]
    assert fail["job"]["namespace"] == "corpus" and fail["job"]["name"] == "nightly"
    assert fail["outputs"] == []
    assert len(fail["inputs"]) == len(report["inputs"])
    message = fail["run"]["facets"]["errorMessage"]["message"]
    assert message == "; ".join(report["failure_reasons"]) and "events" in message
    assert fail["run"]["facets"]["errorMessage"]["programmingLanguage"] == "Rust"
    assert tags(fail)["dyadflow.status"] == "failed"


def test_run_refused_by_the_lock(tmp_path):
    raw, out, lineage = copy_raw(tmp_path / "raw"), tmp_path / "out", tmp_path / "lineage.jsonl"
    out.mkdir()
    with open(out / ".dyadflow.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        r = run("run", "--raw", str(raw), "--out", str(out), "--lineage", str(lineage))
    assert r.returncode == 3, r.stderr
    events = events_of(lineage)
    _, fail = check_pair(events, "FAIL")
    assert "being written by another run" in fail["run"]["facets"]["errorMessage"]["message"]
    assert fail["inputs"] == [] and fail["outputs"] == []


@pytest.mark.parametrize("bad", ["not json", '{"eventType": "START"}'])
def test_the_schema_check_rejects_what_is_not_an_event(bad):
    try:
        validate_against_schema(json.loads(bad))
    except (AssertionError, ValueError):
        return
    raise AssertionError("accepted")
