#!/usr/bin/env bash
# Object storage: dyadflow against a local S3-compatible server (moto, from
# PyPI, on 127.0.0.1) — publish and read back with pyarrow, a writer killed
# mid-upload, two concurrent writers, --raw from a bucket. Uses the debug
# binary that `cargo test` built (built here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== object storage: s3:// against a local S3 server (moto)"
target="${CARGO_TARGET_DIR:-target}"
bin="$target/debug/dyadflow"
test -x "$bin" || cargo build --quiet
work="$(mktemp -d)"
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

python3 -m venv "$work/venv"
py="$work/venv/bin/python"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check -r tests/s3/requirements.txt

port="$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# the server stops with this script (trap) or after 15 minutes at the latest
timeout 900 "$py" tests/s3/moto_server.py "$port" >"$work/moto.log" 2>&1 &
server=$!
timeout 900 "$py" tests/s3/check_s3.py "$bin" raw "$work" "$port" || { tail -n 20 "$work/moto.log"; exit 1; }
