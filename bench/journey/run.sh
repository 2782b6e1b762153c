#!/usr/bin/env bash
# Sustained dossier journeys through the HTTP API on SQLite and on PostgreSQL, with
# DOSSIERS dossiers already in the database, against plain INSERTs of the same rows into
# the same database. Prints each run and writes RESULTS.md next to this script.
#
#   bench/journey/run.sh                         # 1,000,000 dossiers, 32 clients, 30 s, 3 runs
#   DOSSIERS=100000 SECONDS_PER_RUN=10 RUNS=1 bench/journey/run.sh
#
# PostgreSQL: PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) is used to
# (re)create the database motcua_journey_bench.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DOSSIERS="${DOSSIERS:-1000000}"
CLIENTS="${CLIENTS:-32}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-30}"
RUNS="${RUNS:-3}"
BACKENDS="${BACKENDS:-sqlite postgres}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PORT="${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"

(cd "$root" && cargo build --release -p motcua -p motcua-bench-journey)
target="${CARGO_TARGET_DIR:-$root/target}/release"
data="$here/data"
mkdir -p "$data"
# Kept in git beside RESULTS.md (the data folder is not): a later run of one backend keeps
# the other's lines, so the report covers both.
results="$here/results.jsonl"
touch "$results"
keep=$(python3 -c 'import json, sys; skip = set(sys.argv[2].split()); print("".join(l for l in open(sys.argv[1]) if l.strip() and json.loads(l)["backend"] not in skip), end="")' "$results" "$BACKENDS")
printf '%s' "$keep" > "$results"
[ -z "$keep" ] || echo >> "$results"

server_pid=""
stop_server() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    server_pid=""
}
trap stop_server EXIT

# /readyz needs the operators' token; one made up for this run.
MOTCUA_OPS_TOKEN="bench-$$-$RANDOM$RANDOM"
export MOTCUA_OPS_TOKEN

start_server() { # $1 database url; sets server_pid and startup (seconds until ready)
    local t0 t1
    t0=$(date +%s.%N)
    RUST_LOG=warn "$target/motcua" serve --demo --migrate --listen "127.0.0.1:$PORT" --database "$1" \
        > "$data/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 3000); do
        if curl -fsS -H "Authorization: Bearer $MOTCUA_OPS_TOKEN" "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then break; fi
        if ! kill -0 "$server_pid" 2>/dev/null; then cat "$data/server.log" >&2; exit 1; fi
        sleep 0.1
    done
    t1=$(date +%s.%N)
    startup=$(python3 -c "print(round($t1 - $t0, 2))")
}

forget_image() { # $1 database url: drops the live index's saved image
    case "$1" in
        sqlite://*) python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM snapshots"); c.commit()' "${1#sqlite://}" ;;
        *) psql "$1" -qc 'DELETE FROM snapshots' ;;
    esac
}

for backend in $BACKENDS; do
    case "$backend" in
        sqlite)
            db_file="$data/journey.db"
            url="sqlite://$db_file"
            if [ "${FRESH:-0}" = 1 ]; then rm -f "$db_file" "$db_file-wal" "$db_file-shm"; fi
            ;;
        postgres)
            url="${PG_URL%/*}/motcua_journey_bench"
            if [ "${FRESH:-0}" = 1 ] || ! psql "$url" -Atc 'select 1' >/dev/null 2>&1; then
                psql "$PG_URL" -qc 'DROP DATABASE IF EXISTS motcua_journey_bench' -c 'CREATE DATABASE motcua_journey_bench'
            fi
            ;;
        *) echo "unknown backend $backend" >&2; exit 2 ;;
    esac
    echo "== $backend: seeding to $DOSSIERS dossiers"
    start_server "$url"
    "$target/journey" seed --base "http://127.0.0.1:$PORT" --database "$url" --dossiers "$DOSSIERS"
    stop_server
    # Two restarts: without the live index's saved image (rebuilt from the event log: after
    # a change to the catalogue, the calendar or the index definition), then with it (an
    # ordinary restart).
    forget_image "$url"
    start_server "$url"
    startup_full=$startup
    echo "== $backend: start-up with $DOSSIERS dossiers and no image took ${startup_full}s"
    stop_server
    start_server "$url"
    echo "== $backend: start-up from the image took ${startup}s"
    for run in $(seq 1 "$RUNS"); do
        echo "== $backend: run $run of $RUNS"
        line=$("$target/journey" run --base "http://127.0.0.1:$PORT" --database "$url" \
            --clients "$CLIENTS" --seconds "$SECONDS_PER_RUN" | tee /dev/stderr | tail -n 1)
        load=$(cut -d' ' -f1 /proc/loadavg)
        echo "{\"backend\":\"$backend\",\"dossiers\":$DOSSIERS,\"startup_full_s\":$startup_full,\"startup_s\":$startup,\"load\":$load,\"result\":$line}" >> "$results"
    done
    stop_server
done

python3 "$here/report.py" "$results" > "$here/RESULTS.md"
cat "$here/RESULTS.md"
