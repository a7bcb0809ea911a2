#!/usr/bin/env bash
# Issue #14's experiment end to end over the API (see scripts/plan_vs_replay.py): builds the
# release binary, serves an empty SQLite database on a random loopback port, converts the bank's
# February per-call records, plans three weeks four ways and replays each roster against the
# real calls. Prints the plans' table, where promise and replay part (by the staffed volume),
# the history against the calls offered, and PASS/MISS per target; exit 1 on a miss.
#
# Usage: scripts/plan_vs_replay.sh [--bin PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=""
if [ "${1:-}" = "--bin" ]; then BIN="$2"; fi
if [ -z "$BIN" ]; then
  cargo build --release --locked --quiet --bin staffcast >&2
  BIN="${CARGO_TARGET_DIR:-target}/release/staffcast"
fi
work="$(mktemp -d)"
server=""
stop() { if [ -n "$server" ]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; server=""; fi; }
trap 'stop; rm -rf "$work"' EXIT
export DATABASE_URL="$work/plan.db"
key="$("$BIN" keys create --name replay --role planner 2>/dev/null)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$BIN" serve --bind "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
python3 scripts/bank_calls_csv.py -o "$work/calls.csv" >&2
python3 scripts/plan_vs_replay.py "http://127.0.0.1:$port" "$key" "$work/calls.csv"
