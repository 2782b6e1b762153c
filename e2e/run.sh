#!/usr/bin/env bash
# Browser tests: builds motcua, serves the Huế demo from a throw-away SQLite database (and,
# when MOTCUA_E2E_DATABASE_URL names a PostgreSQL database, once more from a fresh schema in
# it), and runs the tests in tests/ against each server with the system Chromium.
#
#   bash e2e/run.sh                 # everything
#   bash e2e/run.sh tests/a11y.test.js   # one file (paths relative to e2e/)
#
# Needs: node >= 18, `npm ci` done in e2e/, Chromium at /usr/bin/chromium (or
# MOTCUA_E2E_CHROMIUM). Never downloads a browser.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export MOTCUA_E2E_CHROMIUM="${MOTCUA_E2E_CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$MOTCUA_E2E_CHROMIUM" ]; then
  echo "e2e: no Chromium at $MOTCUA_E2E_CHROMIUM (apt-get install chromium)" >&2
  exit 1
fi
if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ]; then
  echo "e2e: run 'npm ci' in e2e/ first" >&2
  exit 1
fi

echo "e2e: building motcua"
(cd "$root" && cargo build -q -p motcua)
bin="${CARGO_TARGET_DIR:-$root/target}/debug/motcua"

work="$(mktemp -d)"
server_pid=""
pg_schema=""
cleanup() {
  stop_server
  if [ -n "$pg_schema" ]; then
    psql "$MOTCUA_E2E_DATABASE_URL" -qAtc "drop schema if exists \"$pg_schema\" cascade" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -INT "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

# /readyz answers 200 once the database answers and its schema is current; it needs the
# operators' token, made up here for each run.
MOTCUA_OPS_TOKEN="e2e-$$-$RANDOM$RANDOM"
export MOTCUA_OPS_TOKEN
ready() {
  node -e 'fetch(process.argv[1], { headers: { authorization: "Bearer " + process.env.MOTCUA_OPS_TOKEN } }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"
}

# Starts the server on a port the kernel picks, and sets base_url once /readyz answers.
start_server() {
  local database="$1" log="$2"
  "$bin" serve --demo --sandboxes --listen 127.0.0.1:0 --database "$database" >"$log" 2>"$log.err" &
  server_pid=$!
  base_url=""
  for _ in $(seq 1 600); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "e2e: the server exited during start-up:" >&2
      cat "$log" "$log.err" >&2
      exit 1
    fi
    if [ -z "$base_url" ]; then
      base_url="$(sed -n 's|^Cổng dịch vụ công: \(http://[^ ]*\)/$|\1|p' "$log" | head -n 1)"
    fi
    if [ -n "$base_url" ] && ready "$base_url/readyz"; then
      return 0
    fi
    sleep 0.2
  done
  echo "e2e: the server did not become ready in 120 s" >&2
  cat "$log" "$log.err" >&2
  exit 1
}

# Runs the test files one after another (they share the server's data); on failure shows
# the end of the server's log, where a 500's cause would be.
run_tests() {
  local label="$1" log="$2"
  shift 2
  echo "e2e: tests against $label at $base_url"
  if ! (cd "$here" && MOTCUA_E2E_BASE_URL="$base_url" MOTCUA_E2E_DATABASE_LABEL="$label" \
    node --test --test-concurrency=1 --test-reporter=spec "$@"); then
    echo "e2e: the last lines of the server's log ($label):" >&2
    tail -n 30 "$log.err" >&2 || true
    return 1
  fi
}

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(cd "$here" && printf '%s\n' tests/*.test.js)
fi

status=0
start_server "sqlite:$work/sqlite/motcua.db" "$work/sqlite.log"
run_tests sqlite "$work/sqlite.log" "${files[@]}" || status=1
stop_server

if [ -n "${MOTCUA_E2E_DATABASE_URL:-}" ]; then
  # A fresh schema in the given database, so the demo loads into an empty one.
  pg_schema="e2e_$$_$(date +%s)"
  psql "$MOTCUA_E2E_DATABASE_URL" -qAtc "create schema \"$pg_schema\"" >/dev/null
  sep='?'
  case "$MOTCUA_E2E_DATABASE_URL" in *\?*) sep='&' ;; esac
  start_server "${MOTCUA_E2E_DATABASE_URL}${sep}options=-c%20search_path%3D${pg_schema}" "$work/pg.log"
  # Screenshots come from the SQLite run; the pages are the same.
  MOTCUA_E2E_SCREENSHOTS= run_tests postgres "$work/pg.log" "${files[@]}" || status=1
  stop_server
fi

if [ "$status" -ne 0 ]; then
  echo "e2e: FAILED (failing steps left screenshots in e2e/test-results/)" >&2
fi
exit "$status"
