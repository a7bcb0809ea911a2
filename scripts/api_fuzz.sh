#!/usr/bin/env bash
# Fuzzes the live API from its own OpenAPI document with schemathesis:
# every operation gets generated valid and invalid requests (with an admin
# key, so every route is reachable) and each answer is checked for a 5xx,
# a body that breaks the documented schema, an undocumented status code or
# content type. The database is the demo's (real ids for some paths).
#
#   scripts/api_fuzz.sh [MAX_EXAMPLES_PER_OPERATION]   (default 50)
#   STAFFCAST_BIN=target/debug/staffcast scripts/api_fuzz.sh 20
#
# Prints schemathesis's summary; exits non-zero on any failure. The Python
# venv lives in target/schemathesis-venv (made on first run, from PyPI).
set -euo pipefail
examples="${1:-50}"
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
if [ -z "${STAFFCAST_BIN:-}" ]; then
  cargo build --release --locked --quiet
  STAFFCAST_BIN="$here/target/release/staffcast"
fi
venv="$here/target/schemathesis-venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==4.32.5"
fi

work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export DATABASE_URL="$work/fuzz.db"
"$STAFFCAST_BIN" demo --no-serve --database "$DATABASE_URL" --schedule-seconds 2 >"$work/demo.log" 2>&1
key="$("$STAFFCAST_BIN" keys create --name fuzz --role admin 2>/dev/null)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
RUST_LOG=info "$STAFFCAST_BIN" serve --bind "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.2
done

echo "schemathesis $("$venv/bin/schemathesis" --version | awk '{print $NF}') against 127.0.0.1:$port, $examples examples per operation"
set +e
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "Authorization: Bearer $key" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --max-examples "$examples" \
  --phases examples,coverage,fuzzing \
  --suppress-health-check all \
  --workers 2 \
  --seed 1 \
  --request-timeout 60 \
  --no-color
status=$?
set -e
if grep -qE "HTTP/1.1 5[0-9]{2} " "$work/serve.log" 2>/dev/null; then
  echo "server log lines with 5xx:"; grep -E "HTTP/1.1 5[0-9]{2} " "$work/serve.log" | head -20
fi
exit $status
