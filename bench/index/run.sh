#!/usr/bin/env bash
# Whole-process benchmark of `motcua index compute` against DuckDB over the same
# generated bundles (1M and 10M dossiers, cached under data/), with an exact check of
# every numerator and denominator. Writes RESULTS.md next to this script.
#
#   bench/index/run.sh                       # 1M and 10M, 3 runs each
#   bench/index/run.sh --sizes 100000 --runs 5
#
# Exit status: 0 all agree; 1 a disagreement (the first ones are printed); 2 the index
# CLI is not in this build (the DuckDB side still ran).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

(cd "$root" && cargo build --release -p motcua)
bin="${CARGO_TARGET_DIR:-$root/target}/release/motcua"

venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
# A no-op, without network, once the pinned version is installed.
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"

exec "$venv/bin/python" "$here/bench.py" --bin "$bin" --data "$here/data" \
    --out "$here/RESULTS.md" "$@"
