#!/usr/bin/env bash
# Fuzzes the JSON API from outside with schemathesis (PyPI): serves the Huế demo from a
# throw-away SQLite database, logs in as demo accounts, mints bearer tokens, and lets
# schemathesis generate requests from /api/v1/openapi.json. Fails on any 5xx, any status or
# content type the document does not list for the operation, and any body that does not
# match its schema.
#
#   bash e2e/schemathesis.sh
#
# It runs once per demo account in SCHEMATHESIS_USERS (default: vanhanh, the operator, and
# congdan, a citizen), each with its own token.
#
# Settings (environment): SCHEMATHESIS_MAX_EXAMPLES (per operation, default 40),
# SCHEMATHESIS_SEED (default fixed, so CI is repeatable; set another to explore),
# MOTCUA_BIN (a built motcua; default: cargo build -p motcua).
#
# Not called: POST /api/v1/logout and DELETE /api/v1/tokens/{id}. Both end a credential,
# and each run has one: revoking its own token (whose id GET /api/v1/tokens gives away)
# would turn every later request into a 401 and the rest of the run into noise. Both are
# covered by crates/web/tests/web/api.rs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

version="4.32.5"
venv="$root/.venv-ci"
checks="not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-40}"
seed="${SCHEMATHESIS_SEED:-20260421}"
# The operator reaches the catalogue and units, the citizen creates drafts and walks them.
users="${SCHEMATHESIS_USERS:-vanhanh congdan}"
demo_password="demo-hue-2026" # crates/motcua/src/demo.rs, DEMO_PASSWORD

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qF "$version"; then
  echo "schemathesis: installing $version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$version"
fi
py="$venv/bin/python"

bin="${MOTCUA_BIN:-}"
if [ -z "$bin" ]; then
  echo "schemathesis: building motcua"
  (cd "$root" && cargo build -q -p motcua)
  bin="${CARGO_TARGET_DIR:-$root/target}/debug/motcua"
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -INT "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# /readyz answers only with the operators' token.
ops_token="schemathesis-$RANDOM-$RANDOM"
"$bin" serve --demo --listen 127.0.0.1:0 --database "sqlite:$work/motcua.db" \
  --files "$work/files" --ops-token "$ops_token" >"$work/server.log" 2>"$work/server.err" &
server_pid=$!
base=""
for _ in $(seq 1 600); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "schemathesis: the server exited during start-up:" >&2
    cat "$work/server.log" "$work/server.err" >&2
    exit 1
  fi
  [ -n "$base" ] || base="$(sed -n 's|^Cổng dịch vụ công: \(http://[^ ]*\)/$|\1|p' "$work/server.log" | head -n 1)"
  if [ -n "$base" ] && "$py" -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], headers={"Authorization": "Bearer " + sys.argv[2]}), timeout=2)' "$base/readyz" "$ops_token" 2>/dev/null; then
    break
  fi
  sleep 0.2
done
if [ -z "$base" ]; then
  echo "schemathesis: the server did not become ready" >&2
  exit 1
fi

# Log in (session cookie + CSRF token), then mint a token good for a day.
mint_token() {
  "$py" - "$base" "$1" "$demo_password" <<'PY'
import datetime, http.cookiejar, json, sys, urllib.request
base, user, password = sys.argv[1:4]
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
def post(path, body, headers={}):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json", **headers})
    with opener.open(req, timeout=30) as r:
        return json.load(r)
login = post("/api/v1/login", {"username": user, "password": password})
expires = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).replace(microsecond=0)
# Every role the account holds: the token is scoped to them and must be minted with the
# password again.
created = post("/api/v1/tokens",
               {"name": "schemathesis", "expires_at": expires.isoformat(), "password": password,
                "grants": login["account"]["grants"]},
               {"x-csrf-token": login["csrf_token"]})
print(created["token"])
PY
}
# Every token first: the fuzzing of POST /api/v1/login trips the login rate limit.
declare -A tokens
for user in $users; do
  tokens[$user]="$(mint_token "$user")"
done

status=0
for user in $users; do
  echo "schemathesis: $version as $user against $base, $max_examples examples per operation, seed $seed"
  started=$(date +%s)
  # From the temporary folder, where schemathesis leaves its cache.
  (cd "$work" && "$venv/bin/schemathesis" run "$base/api/v1/openapi.json" \
    --checks "$checks" \
    --header "Authorization: Bearer ${tokens[$user]}" \
    --exclude-path /api/v1/logout --exclude-path '/api/v1/tokens/{id}' \
    --max-examples "$max_examples" \
    --seed "$seed" \
    --workers 1 \
    --request-timeout 30 \
    --no-color) || status=1
  echo "schemathesis: $user finished in $(($(date +%s) - started)) s"
done
if [ "$status" -ne 0 ]; then
  echo "schemathesis: FAILED; the server's errors:" >&2
  grep -E '"level":"(ERROR|WARN)"' "$work/server.err" | tail -n 20 >&2 || true
fi
exit "$status"
