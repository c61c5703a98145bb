#!/usr/bin/env bash
# The overview page (overview.html) in a real browser: headless Chromium from Debian, driven by
# playwright from PyPI in a throw-away virtualenv. Checks the page of a set made from raw/ (the
# one .ci/run published, given as $1, or one made here) and of a corpus carrying script and
# HTML payloads; saves a screenshot and the page as CI artifacts.
#   bash .ci/page.sh [OUT_DIR]
# With DYADFLOW_SCALE_SET=<out dir of a large run> it also checks that set's page: its size
# bound and a render without error.
set -euo pipefail
cd "$(dirname "$0")/.."

artifacts="${CI_ARTIFACTS:-target/ci-artifacts}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== overview page: chromium"
if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version

echo "== overview page: playwright"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check -r tests/browser/requirements.txt

out="${1:-}"
if [ -z "$out" ]; then
  cargo run --quiet -- run --raw raw --out "$work/output"
  out="$work/output"
fi
cargo run --quiet -- run --raw tests/browser/fixtures/payload --config tests/browser/fixtures/payload.toml --out "$work/payload"

mkdir -p "$artifacts"
echo "== overview page of raw/ in the browser"
"$work/venv/bin/python" tests/browser/check_overview.py raw "$out" "$artifacts/overview.png"
cp -L "$out/overview.html" "$artifacts/overview.html"
echo "== overview page with script and HTML payloads in the corpus"
"$work/venv/bin/python" tests/browser/check_overview.py payload "$work/payload"
if [ -n "${DYADFLOW_SCALE_SET:-}" ]; then
  echo "== overview page of $DYADFLOW_SCALE_SET"
  "$work/venv/bin/python" tests/browser/check_overview.py scale "$DYADFLOW_SCALE_SET" $((4 << 20)) "$artifacts/overview-scale.png"
fi
echo "artifacts (screenshot, page): $(cd "$artifacts" && pwd)"
