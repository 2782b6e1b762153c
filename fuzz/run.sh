#!/usr/bin/env bash
# Builds the fuzz targets and runs each for SECONDS_EACH seconds (default 20), one after
# the other, starting from the committed corpus. New inputs go to a scratch folder, so the
# committed corpus stays as it is; a crash stops the script (its input is kept in
# fuzz/artifacts/TARGET/). Works on stable Rust: RUSTC_BOOTSTRAP=1 lets stable accept the
# -Z flags cargo fuzz passes (the sanitizer and coverage instrumentation).
#
#   bash fuzz/run.sh                          # short run, as CI does
#   SECONDS_EACH=600 bash fuzz/run.sh         # the long run (README.md has its figures)
#   TARGETS="bundle_read" bash fuzz/run.sh    # some targets only
#   SANITIZER=none bash fuzz/run.sh           # without AddressSanitizer (faster build)
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
SECONDS_EACH=${SECONDS_EACH:-20}
SANITIZER=${SANITIZER:-address}
TARGETS=${TARGETS:-"eform_validate bundle_read calendar_parse dossier_commands"}

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz
fi
# One build for every target: they share all their dependencies.
cargo fuzz build --sanitizer "$SANITIZER"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in $TARGETS; do
  mkdir -p "$scratch/$t" "corpus/$t"
  log="$scratch/$t.log"
  status=0
  # The scratch folder comes first: libFuzzer writes what it finds into the first folder.
  cargo fuzz run --sanitizer "$SANITIZER" "$t" "$scratch/$t" "corpus/$t" -- \
    -max_total_time="$SECONDS_EACH" -print_final_stats=1 >"$log" 2>&1 || status=$?
  runs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
  speed=$(grep -oE '^stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 || true)
  printf '%-17s %s s: %s executions, %s exec/s, %s, exit %s\n' \
    "$t" "$SECONDS_EACH" "${runs:-?}" "${speed:-?}" "${cov:-cov ?}" "$status"
  if [ "$status" != 0 ]; then
    grep -E 'panicked at|^(assertion|thread)|ERROR: (AddressSanitizer|libFuzzer)|Test unit written' "$log" | head -n 20 >&2
    echo "fuzz target $t failed; reproduce with: cargo fuzz run $t fuzz/artifacts/$t/<file>" >&2
    exit 1
  fi
done
