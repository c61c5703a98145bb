"""Object-storage tests of dyadflow against a local S3-compatible server (moto).

Usage: python check_s3.py DYADFLOW_BINARY RAW_DIR WORK_DIR PORT

Expects moto's S3 server on 127.0.0.1:PORT (tests/s3/moto_server.py, started
by .ci/s3.sh), creates a bucket, then:

1. publish raw/ to s3://bucket/prefix; every table read back with pyarrow's
   S3 filesystem through the pointer, rows and bytes as the run record says,
   identical to a local run; a rerun is up to date and uploads nothing;
2. a writer killed mid-upload leaves the previous set current and complete;
3. two writers held at the pointer write, then released (over a previous
   set, and on an empty prefix): exactly one wins, the other exits 3 with a
   clear message; a reader reading meanwhile only ever reads a complete set,
   the previous one or the winner's;
4. --raw s3://... reads the corpus from the bucket: the same run and tables
   as from the local directory;
5. shards read from the bucket and write their shard sets to it; merge
   reads them from the bucket and publishes there: the single run's tables.
"""

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import boto3
import pyarrow.fs
import pyarrow.parquet as pq

BUCKET = "dyadflow-test"
TIMEOUT = 300  # seconds, for any one dyadflow process


class Env:
    def __init__(self, binary, raw, work, port):
        self.binary = binary
        self.raw = raw
        self.work = work
        self.port = port
        self.endpoint = f"http://127.0.0.1:{self.port}"
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"no S3 server on 127.0.0.1:{port} after 60 s")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update(
            AWS_ENDPOINT_URL=self.endpoint,
            AWS_ALLOW_HTTP="true",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_REGION="us-east-1",
        )
        self.s3 = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )
        self.s3.create_bucket(Bucket=BUCKET)
        self.fs = pyarrow.fs.S3FileSystem(
            access_key="testing",
            secret_key="testing",
            region="us-east-1",
            endpoint_override=f"127.0.0.1:{self.port}",
            scheme="http",
        )

    def run(self, *args, extra_env=None):
        env = dict(self.env, **(extra_env or {}))
        return subprocess.run(
            [self.binary, *args], env=env, capture_output=True, text=True, timeout=TIMEOUT, cwd=self.work
        )

    def spawn(self, *args, extra_env=None, name="writer"):
        env = dict(self.env, **(extra_env or {}))
        err = open(os.path.join(self.work, f"{name}.stderr"), "w+")
        p = subprocess.Popen([self.binary, *args], env=env, stdout=subprocess.DEVNULL, stderr=err, cwd=self.work)
        p.err_path = err.name
        return p

    def get(self, key):
        return self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()

    def etag(self, key):
        return self.s3.head_object(Bucket=BUCKET, Key=key)["ETag"]

    def keys(self, prefix):
        out = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
            for o in page.get("Contents", []):
                out[o["Key"]] = o["ETag"]
        return out

    def pointer(self, prefix):
        return json.loads(self.get(f"{prefix}/current"))

    def read_current(self, prefix):
        """What a reader does: the pointer, then the set it names. Checks the
        set against its run record and returns (pointer, manifest)."""
        p = self.pointer(prefix)
        assert p["format"] == "dyadflow-pointer/1", p
        manifest_bytes = self.get(f"{prefix}/{p['set']}/manifest.json")
        assert hashlib.sha256(manifest_bytes).hexdigest() == p["manifest_sha256"], "manifest is the pointer's"
        m = json.loads(manifest_bytes)
        assert m["run_id"] == p["run_id"] and m["set"] == p["set"], (m["run_id"], m["set"], p)
        tables = [o for o in m["outputs"] if o["file"].endswith(".parquet")]
        assert len(tables) >= 6, tables
        for o in tables:
            path = f"{BUCKET}/{prefix}/{p['set']}/{o['file']}"
            t = pq.read_table(path, filesystem=self.fs)
            assert t.num_rows == o["rows"], (path, t.num_rows, o["rows"])
            with self.fs.open_input_stream(path) as f:
                data = f.read()
            assert len(data) == o["bytes"] and hashlib.sha256(data).hexdigest() == o["sha256"], path
        assert self.get(f"{prefix}/{p['set']}/_SUCCESS").decode().startswith(f"run_id {p['run_id']}")
        return p, m


def local_run(env, raw, name):
    out = os.path.join(env.work, name)
    r = env.run("run", "--raw", raw, "--out", out)
    assert r.returncode == 0, r.stderr
    with open(os.path.join(out, "current", "manifest.json")) as f:
        return json.load(f)


def wait_for(path, marker, proc, seconds=TIMEOUT):
    deadline = time.time() + seconds
    while time.time() < deadline:
        with open(path) as f:
            if marker in f.read():
                return
        if proc.poll() is not None:
            with open(path) as f:
                raise AssertionError(f"writer exited {proc.returncode} before `{marker}`:\n{f.read()}")
        time.sleep(0.05)
    raise AssertionError(f"no `{marker}` in {path} after {seconds} s")


def test_publish_read_back_and_up_to_date(env, local):
    prefix = "t1/corpus"
    url = f"s3://{BUCKET}/{prefix}"
    r = env.run("run", "--raw", env.raw, "--out", url)
    assert r.returncode == 0, r.stderr
    assert f"now {url}/current" in r.stderr, r.stderr
    assert f"run report: {url}/run.json" in r.stderr, r.stderr
    p, m = env.read_current(prefix)
    assert p["set"] == f"runs/000001-{m['run_id']}", p
    # the same tables as a local run, byte for byte
    assert m["run_id"] == local["run_id"]
    assert {o["file"]: o["sha256"] for o in m["outputs"] if o["file"].endswith(".parquet")} == {
        o["file"]: o["sha256"] for o in local["outputs"] if o["file"].endswith(".parquet")
    }
    assert m["tables"] == local["tables"]
    # the record names the bucket, not the temporary directory
    assert m["out_dir"] == url and m["raw_dir"] == env.raw, (m["out_dir"], m["raw_dir"])
    assert "dyadflow-out-" not in json.dumps(m)
    report = json.loads(env.get(f"{prefix}/run.json"))
    assert report["status"] == "published" and report["set"] == p["set"], report["status"]

    before = env.keys(prefix + "/")
    r = env.run("run", "--raw", env.raw, "--out", url)
    assert r.returncode == 0, r.stderr
    assert f"{url} is up to date: nothing rewritten" in r.stderr, r.stderr
    after = env.keys(prefix + "/")
    report = json.loads(env.get(f"{prefix}/run.json"))
    assert report["status"] == "unchanged" and report["set"] == p["set"], report
    del before[f"{prefix}/run.json"], after[f"{prefix}/run.json"]
    assert before == after, "an up-to-date run uploads nothing"
    print(f"  published {p['set']}: {len(m['outputs'])} files read back with pyarrow; rerun up to date")


def test_killed_mid_upload(env, local):
    prefix = "t2"
    url = f"s3://{BUCKET}/{prefix}"
    r = env.run("run", "--raw", env.raw, "--out", url)
    assert r.returncode == 0, r.stderr
    p0, m0 = env.read_current(prefix)
    etag0 = env.etag(f"{prefix}/current")
    w = env.spawn("run", "--raw", env.raw, "--out", url, "--force",
                  extra_env={"DYADFLOW_S3_PAUSE_AFTER": "3"}, name="killed")
    try:
        wait_for(w.err_path, "dyadflow: paused after uploading 3 object(s)", w)
    finally:
        w.send_signal(signal.SIGKILL)
        w.wait()
    assert w.returncode == -signal.SIGKILL
    partial = [k for k in env.keys(f"{prefix}/runs/000002-") if k != f"{prefix}/runs/000002-"]
    assert len(partial) == 3 and not any(k.endswith(("/_SUCCESS", "/manifest.json")) for k in partial), partial
    assert env.etag(f"{prefix}/current") == etag0
    p1, m1 = env.read_current(prefix)
    assert p1 == p0 and m1 == m0, "the pointer still names the previous set, complete"
    # the next run numbers its set after the partial one and publishes
    r = env.run("run", "--raw", env.raw, "--out", url, "--force")
    assert r.returncode == 0, r.stderr
    p2, _ = env.read_current(prefix)
    assert p2["set"] == f"runs/000003-{m0['run_id']}", p2
    print(f"  killed after 3 objects of runs/000002-…: {p0['set']} stayed current; next run published {p2['set']}")


def test_two_writers(env, local, raw2, previous):
    """With a previous set, both writers' pointer writes carry If-Match; on an
    empty prefix, If-None-Match: *."""
    prefix = "t3" if previous else "t3-empty"
    url = f"s3://{BUCKET}/{prefix}"
    if previous:
        r = env.run("run", "--raw", env.raw, "--out", url)
        assert r.returncode == 0, r.stderr
        p0, _ = env.read_current(prefix)
        set0 = env.keys(f"{prefix}/{p0['set']}/")
    else:
        p0 = None
    barrier = os.path.join(env.work, f"release-{prefix}")
    hold = {"DYADFLOW_S3_POINTER_BARRIER": barrier}
    # a reader reads the current set, whole, again and again while the
    # writers upload, wait and race
    seen, failures, stop = [], [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                seen.append(env.read_current(prefix)[0]["set"])
            except env.s3.exceptions.NoSuchKey:
                pass  # no pointer yet
            except Exception as e:  # noqa: BLE001 (reported below)
                failures.append(repr(e))

    t = threading.Thread(target=reader)
    t.start()
    a = env.spawn("run", "--raw", env.raw, "--out", url, "--force", "--report", os.path.join(env.work, f"a-{prefix}.json"),
                  extra_env=hold, name=f"a-{prefix}")
    b = env.spawn("run", "--raw", raw2, "--out", url, "--report", os.path.join(env.work, f"b-{prefix}.json"),
                  extra_env=hold, name=f"b-{prefix}")
    try:
        for w in (a, b):
            wait_for(w.err_path, "dyadflow: waiting before the pointer write", w)
        # both uploaded their sets and read the same pointer: release together
        if previous:
            assert env.pointer(prefix) == p0
        else:
            assert f"{prefix}/current" not in env.keys(prefix + "/")
        open(barrier, "w").close()
        for w in (a, b):
            w.wait(TIMEOUT)
        # one more whole read after the race
        n = len(seen) + len(failures) + 1
        deadline = time.time() + 60
        while len(seen) + len(failures) <= n and time.time() < deadline:
            time.sleep(0.05)
        stop.set()
        t.join()
    finally:
        stop.set()
        for w in (a, b):
            if w.poll() is None:
                w.kill()
    codes = sorted([a.returncode, b.returncode])
    assert codes == [0, 3], (a.returncode, b.returncode, open(a.err_path).read(), open(b.err_path).read())
    winner, loser = (a, b) if a.returncode == 0 else (b, a)
    wname, lname = ("a", "b") if winner is a else ("b", "a")
    wrec = json.load(open(os.path.join(env.work, f"{wname}-{prefix}.json")))
    lrec = json.load(open(os.path.join(env.work, f"{lname}-{prefix}.json")))
    p, m = env.read_current(prefix)
    assert p["set"] == wrec["set"] and p["run_id"] == wrec["run_id"], (p, wrec["set"])
    assert lrec["exit_code"] == 3 and lrec["status"] == "failed", lrec["status"]
    message = open(loser.err_path).read()
    assert f"another run made {wrec['set']} current at {url}/current" in message, message
    assert f"this run's set {lrec['set']} was uploaded but NOT made current" in message, message
    assert lrec["set"] != wrec["set"]
    # the loser's set is complete but not current; the previous one untouched
    loser_keys = env.keys(f"{prefix}/{lrec['set']}/")
    assert f"{prefix}/{lrec['set']}/_SUCCESS" in loser_keys
    assert not failures, failures[:3]
    assert seen and seen[-1] == p["set"], seen
    assert set(seen) <= {p["set"]} | ({p0["set"]} if previous else set()), set(seen)
    if previous:
        assert env.keys(f"{prefix}/{p0['set']}/") == set0
    before = "over a previous set" if previous else "on an empty prefix"
    print(f"  two writers {before}: {wname} won with {p['set']}, {lname} exited 3 ({lrec['set']} uploaded, "
          f"not current); a reader read {len(seen)} complete sets meanwhile")


def test_raw_from_bucket(env, local):
    prefix = "raw-copy/v1"
    n = 0
    for root, _, files in os.walk(env.raw):
        for f in files:
            path = os.path.join(root, f)
            rel = os.path.relpath(path, env.raw).replace(os.sep, "/")
            env.s3.upload_file(path, BUCKET, f"{prefix}/{rel}")
            n += 1
    url = f"s3://{BUCKET}/{prefix}"
    r = env.run("validate", "--raw", url)
    assert r.returncode == 0, r.stderr
    assert f"from {url}" in r.stderr, r.stderr
    m = local_run(env, url, "from-bucket")
    with open(os.path.join(env.work, "from-bucket.run.json")) as f:
        report = json.load(f)
    assert report["raw_dir"] == url and report["run_id"] == m["run_id"], report["raw_dir"]
    # the published set's own record names the bucket too, not the temporary copy
    assert m["raw_dir"] == url, m["raw_dir"]
    with open(os.path.join(env.work, "from-bucket", "current", "manifest.json")) as f:
        assert "dyadflow-raw-" not in f.read()
    assert m["run_id"] == local["run_id"], "the same inputs give the same run"
    # the data files (tables and texts) of the uploaded copy; its documentation is no input
    assert 0 < len(m["inputs"]) <= n and m["inputs"] == local["inputs"]
    assert m["tables"] == local["tables"]
    assert [(o["file"], o["sha256"]) for o in m["outputs"] if o["file"].endswith(".parquet")] == [
        (o["file"], o["sha256"]) for o in local["outputs"] if o["file"].endswith(".parquet")
    ]
    # a corpus whose article text is missing: the problems name the objects
    broken = f"{prefix}-no-texts"
    for root, _, files in os.walk(env.raw):
        for f in files:
            path = os.path.join(root, f)
            rel = os.path.relpath(path, env.raw).replace(os.sep, "/")
            if not rel.startswith("texts/"):
                env.s3.upload_file(path, BUCKET, f"{broken}/{rel}")
    report_path = os.path.join(env.work, "broken.run.json")
    r = env.run("run", "--raw", f"s3://{BUCKET}/{broken}", "--out", os.path.join(env.work, "broken"),
                "--report", report_path)
    assert r.returncode == 1, r.stderr
    with open(report_path) as f:
        report = json.load(f)
    assert report["status"] == "failed" and report["problems"], report["status"]
    text_problems = [p for p in report["problems"] if p["file"] == f"s3://{BUCKET}/{broken}/articles.csv"]
    assert text_problems and any(f"s3://{BUCKET}/{broken}/texts/" in (p["hint"] or "") for p in text_problems), text_problems
    assert "dyadflow-raw-" not in json.dumps(report) and "dyadflow-raw-" not in r.stderr
    print(f"  --raw {url}: {n} objects, run {m['run_id']}, tables identical to the local run; "
          f"problems of a broken corpus name its objects")


def test_shards_through_the_bucket(env, local):
    """The fan-out over object storage: each shard reads the corpus from the
    bucket and writes its shard set to a bucket prefix (manifest last); the
    merge reads the sets from the bucket and publishes to a bucket prefix
    through the pointer: the same tables as a local single run."""
    raw_url = f"s3://{BUCKET}/raw-copy/v1"  # uploaded by test_raw_from_bucket
    n = 3
    sets = []
    for k in range(n):
        url = f"s3://{BUCKET}/split/shards/{k}"
        r = env.run("run", "--raw", raw_url, "--out", url, "--shard", f"{k}/{n}")
        assert r.returncode == 0, r.stderr
        shard = json.loads(env.get(f"split/shards/{k}/shard.json"))
        assert shard["shard"] == {"index": k, "count": n} and shard["raw_dir"] == raw_url, shard["raw_dir"]
        assert {f["file"] for f in shard["files"]} == {"events.parquet", "mentions.parquet", "state.bin"}
        sets.append(url)
    # a set whose upload did not finish (no manifest) is refused
    env.s3.put_object(Bucket=BUCKET, Key="split/broken/events.parquet", Body=b"partial")
    r = env.run("merge", sets[0], sets[1], f"s3://{BUCKET}/split/broken", "--out", f"s3://{BUCKET}/split/out")
    assert r.returncode == 2 and "has no shard.json" in r.stderr, r.stderr
    assert not env.keys("split/out/current"), "nothing published"
    r = env.run("merge", *reversed(sets), "--out", f"s3://{BUCKET}/split/out")
    assert r.returncode == 0, r.stderr
    p, m = env.read_current("split/out")
    assert m["run_id"] == local["run_id"] and m["command"] == "merge"
    assert [(o["file"], o["sha256"]) for o in m["outputs"] if o["file"].endswith(".parquet")] == [
        (o["file"], o["sha256"]) for o in local["outputs"] if o["file"].endswith(".parquet")
    ], "merged tables are the single run's, byte for byte"
    print(f"  {n} shards from and to the bucket, merged into {p['set']}: tables identical to a local run")


def test_bad_urls(env):
    r = env.run("run", "--raw", env.raw, "--out", "s3://Not_A_Bucket/x")
    assert r.returncode == 2 and "invalid object storage URL `s3://Not_A_Bucket/x`" in r.stderr, r.stderr
    r = env.run("validate", "--raw", f"s3://{BUCKET}/nothing-here")
    assert r.returncode == 2 and f"no object under s3://{BUCKET}/nothing-here" in r.stderr, r.stderr
    print("  bad URL and empty prefix: exit 2 with the URL")


def main():
    binary, raw, work = (os.path.abspath(a) for a in sys.argv[1:4])
    env = Env(binary, raw, work, int(sys.argv[4]))
    local = local_run(env, raw, "local")
    raw2 = os.path.join(work, "raw2")
    shutil.copytree(raw, raw2)
    # a second corpus: the same tables, another input (only the data files are inputs: the
    # article's text with a line end after its last line; a note beside them would not do)
    with open(os.path.join(raw2, "texts", "000_14b90cedf25410f4.txt"), "a") as f:
        f.write("\n")
    for test in (
        lambda: test_publish_read_back_and_up_to_date(env, local),
        lambda: test_killed_mid_upload(env, local),
        lambda: test_two_writers(env, local, raw2, previous=True),
        lambda: test_two_writers(env, local, raw2, previous=False),
        lambda: test_raw_from_bucket(env, local),
        lambda: test_shards_through_the_bucket(env, local),
        lambda: test_bad_urls(env),
    ):
        test()
    print("object storage: all checks passed")


if __name__ == "__main__":
    main()
