#!/usr/bin/env bash
# Whole-process comparison: motcua-calendar vs the Python `holidays` package (VN),
# n-th working day after a date, on the same pairs. Each side is timed as a whole
# process (start-up, reading the pairs, computing, writing the results), 3 runs,
# median reported. Both also print their in-loop rate on stderr (kept in out/log.txt).
#
# usage: bench/calendar/run.sh            (N=1000000 pairs; override with N=…)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
N="${N:-1000000}"
RUNS=3
HOLIDAYS_VERSION="${HOLIDAYS_VERSION:-0.109}"
out="$here/out"
mkdir -p "$out"
: >"$out/log.txt"

if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install -q "holidays==$HOLIDAYS_VERSION"
py="$here/.venv/bin/python"

(cd "$root" && cargo build --release -q -p motcua-calendar --example working_day_pairs)
bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/working_day_pairs"

"$bin" gen "$N" "$out/pairs.txt"

# Wall time of one process in nanoseconds.
wall_ns() {
  local s e
  s=$(date +%s%N)
  "$@" 2>>"$out/log.txt"
  e=$(date +%s%N)
  echo $((e - s))
}

median() { sort -n | sed -n "$(((RUNS + 1) / 2))p"; }

rust_ns=$(for _ in $(seq $RUNS); do wall_ns "$bin" run "$out/pairs.txt" "$out/rust.txt"; done | median)
py_ns=$(for _ in $(seq $RUNS); do wall_ns "$py" "$here/holidays_peer.py" "$out/pairs.txt" "$out/python.txt"; done | median)

differ=$(paste -d' ' "$out/rust.txt" "$out/python.txt" | awk '$1 != $2' | wc -l)

awk -v n="$N" -v r="$rust_ns" -v p="$py_ns" -v d="$differ" -v runs="$RUNS" -v cores="$(nproc)" 'BEGIN {
  rr = n / (r / 1e9); pr = n / (p / 1e9);
  printf "pairs: %d, runs: %d (median), cores: %d\n", n, runs, cores;
  printf "rust   (motcua-calendar): %8.3f s  %12.0f pairs/s\n", r / 1e9, rr;
  printf "python (holidays VN):     %8.3f s  %12.0f pairs/s\n", p / 1e9, pr;
  printf "ratio: %.1fx\n", rr / pr;
  printf "results that differ: %d of %d (%.2f%%)\n", d, n, 100 * d / n;
}' | tee "$out/summary.txt"
grep "in-loop" "$out/log.txt" | sort | uniq -c | sed 's/^/  /' || true
