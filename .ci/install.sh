#!/usr/bin/env bash
# CI for getting the `dyadflow` command (called by .ci/run): the Python wheel built with
# maturin (pyproject.toml, `bindings = "bin"`, maturin from PyPI), installed into a fresh
# venv, then the quick start run with the installed command on raw/; and
# `cargo install --locked --path .` into a scratch root.
#
# Both build in the profile that the build directory already holds, so that neither
# compiles the dependencies again: CI's build directory holds the debug build that
# `cargo test` made, so CI builds them with the dev profile (DYADFLOW_INSTALL_PROFILE=dev,
# the default here). DYADFLOW_INSTALL_PROFILE=release builds what a user installs (after
# a `cargo build --release`, it reuses that build's dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
export CARGO_TARGET_DIR="$target"
profile="${DYADFLOW_INSTALL_PROFILE:-dev}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
py="$(command -v python3)"
elapsed() { echo "   ($(( $(date +%s) - $1 )) s)"; }

echo "== install: maturin from PyPI"
t=$(date +%s)
"$py" -m venv "$work/build"
"$work/build/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.9,<2"
"$work/build/bin/maturin" --version
elapsed "$t"

echo "== install: the wheel (maturin build --profile $profile), from the build directory $target"
t=$(date +%s)
if [ "$profile" = release ]; then args=(--release); else args=(--profile "$profile"); fi
"$work/build/bin/maturin" build --locked "${args[@]}" --out "$work/dist" >"$work/maturin.log" 2>&1 ||
    { cat "$work/maturin.log"; exit 1; }
grep -E 'Compiling|Finished|Built wheel' "$work/maturin.log" || true
wheel="$(ls "$work"/dist/dyadflow-*.whl)"
# the dependencies came from the build directory: only dyadflow itself was compiled
if grep -E '^ *Compiling ' "$work/maturin.log" | grep -v ' dyadflow v'; then
    echo "maturin compiled dependencies again instead of reusing $target" >&2
    exit 1
fi
echo "   $(basename "$wheel"), $(( $(stat -c %s "$wheel") / 1048576 )) MiB"
elapsed "$t"

echo "== install: pip install the wheel into a fresh venv; the quick start with the installed command"
t=$(date +%s)
"$py" -m venv "$work/user"
"$work/user/bin/pip" install --quiet --disable-pip-version-check "$wheel"
# what a user has after `pip install`: the venv's bin/ on PATH, and dyadflow in it
export PATH="$work/user/bin:$PATH"
test "$(command -v dyadflow)" = "$work/user/bin/dyadflow"
dyadflow --version
mkdir -p "$work/quickstart"
cp -r raw "$work/quickstart/raw"
(
    cd "$work/quickstart"
    dyadflow validate --raw raw
    dyadflow run --raw raw --out output 2>&1 | tee ../run.log | tail -n 3
)
grep -q "published" "$work/run.log"
test -e "$work/quickstart/output/_SUCCESS"
test -s "$work/quickstart/output/events.parquet"
test -s "$work/quickstart/output/overview.html"
echo "   published: $(cd "$work/quickstart/output" && ls ./*.parquet | wc -l) tables and the overview page"
elapsed "$t"

echo "== install: cargo install --locked --path . (into a scratch root)"
t=$(date +%s)
if [ "$profile" = release ]; then args=(); else args=(--profile "$profile"); fi
cargo install --locked --quiet --path . "${args[@]}" --root "$work/cargo-root" 2>&1 | tee "$work/install.log"
test -x "$work/cargo-root/bin/dyadflow"
"$work/cargo-root/bin/dyadflow" --version
elapsed "$t"
