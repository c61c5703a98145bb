#!/usr/bin/env bash
# dyadflow agree: the seed's first reading (tests/fixtures/seed-first-reading,
# the annotation as first committed) against the adjudicated raw/, and a
# generated corpus against a copy with changed codes, dates and modes; alpha
# of every field checked against the `krippendorff` package.
# Usage: .ci/agree.sh [VENV]   (a Python venv to install into; a new one when absent)
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
venv="${1:-$work/venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/clients/requirements-agree.txt

echo "== dyadflow agree: the seed's first reading against the adjudicated one"
# exit 0: both readings read without an error
cargo run --quiet -- agree tests/fixtures/seed-first-reading raw
cargo run --quiet -- agree tests/fixtures/seed-first-reading raw --format json \
    --worksheet "$work/seed-worksheet.csv" > "$work/seed.json"
test "$(wc -l < "$work/seed-worksheet.csv")" -gt 80

echo "== dyadflow agree: a generated corpus against a copy with known differences"
cargo run --quiet -- synth --out "$work/a" --articles 6 --seed 25 > /dev/null
cp -r "$work/a" "$work/b"
"$venv/bin/python" tests/clients/check_agree.py --perturb "$work/b"
cargo run --quiet -- agree "$work/a" "$work/b" --format json > "$work/synth.json"

echo "== alpha against the krippendorff package"
"$venv/bin/python" tests/clients/check_agree.py "$work/seed.json" "$work/synth.json"
