#!/usr/bin/env bash
# Read throughput of what HR tools and planners pull, with wrk on loopback:
# the demo's stored forecast (a week of half-hours), roster (JSON, CSV,
# iCalendar) and the week's published roster, against `/healthz` (one database round trip, no key) as the
# baseline in the same run. Each is measured with the encoded-body cache
# (the default) and without it (STAFFCAST_CACHE_MB=0), so the table shows
# what the cache buys. Prints a Markdown table.
#
# Usage: scripts/bench_reads.sh [--duration 10] [--connections 16] [--bin PATH]
# Needs wrk (Debian: apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=10
CONNECTIONS=16
BIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
if [ -z "$BIN" ]; then
  cargo build --release --locked --quiet --bin staffcast >&2
  BIN="${CARGO_TARGET_DIR:-target}/release/staffcast"
fi
work="$(mktemp -d)"
server=""
stop() { if [ -n "$server" ]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; server=""; fi; }
trap 'stop; rm -rf "$work"' EXIT
export DATABASE_URL="$work/reads.db"
"$BIN" demo --no-serve --database "$DATABASE_URL" --schedule-seconds 5 >"$work/demo.log" 2>&1
# The week holding most of the demo's published roster (the last one it names).
week="$(grep "published for HR tools" "$work/demo.log" | grep -oE "[0-9]{4}-[0-9]{2}-[0-9]{2}" | tail -1)"
key="$("$BIN" keys create --name bench --role planner 2>/dev/null)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"

start() {  # $1: cache megabytes
  STAFFCAST_CACHE_MB="$1" RUST_LOG=warn "$BIN" serve --bind "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && return; sleep 0.1; done
  echo "server did not start" >&2; cat "$work/serve.log" >&2; exit 1
}

# One wrk run: prints "req/s p99_ms bytes".
measure() {  # $1: path, $2: auth yes|no
  local args=(-t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency) auth=()
  [ "$2" = yes ] && auth=(-H "Authorization: Bearer $key")
  local out bytes
  bytes="$(curl -fs "${auth[@]}" "$base$1" | wc -c)"
  args+=("${auth[@]}")
  out="$(wrk "${args[@]}" "$base$1")"
  if echo "$out" | grep -q "Non-2xx"; then echo "non-2xx answers from $1:" >&2; echo "$out" >&2; exit 1; fi
  local rps p99
  rps="$(echo "$out" | awk '/Requests\/sec/ {printf "%.0f", $2}')"
  p99="$(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; printf "%.1f", v}')"
  echo "$rps $p99 $bytes"
}

paths=(
  "/api/v1/forecasts/1|forecast, a week of half-hours (JSON)"
  "/api/v1/schedules/1/roster|roster (JSON)"
  "/api/v1/schedules/1/roster?format=csv|roster (CSV)"
  "/api/v1/schedules/1/roster?format=ics|roster (iCalendar)"
  "/api/v1/rosters?queue=1&week=$week|published roster of the week (JSON)"
)
echo "wrk -t2 -c$CONNECTIONS -d${DURATION}s on 127.0.0.1, $(nproc) cores, release build, SQLite"
echo
echo "| read | body | cache | req/s | p99 ms | % of /healthz req/s |"
echo "|---|---|---|---|---|---|"
for mb in 64 0; do
  start "$mb"
  read -r h_rps h_p99 h_bytes <<<"$(measure /healthz no)"
  label=$([ "$mb" = 0 ] && echo "off" || echo "on")
  echo "| /healthz (baseline) | $h_bytes B | $label | $h_rps | $h_p99 | 100 |"
  for entry in "${paths[@]}"; do
    path="${entry%%|*}"; name="${entry#*|}"
    read -r rps p99 bytes <<<"$(measure "$path" yes)"
    echo "| $name | $bytes B | $label | $rps | $p99 | $(( 100 * rps / h_rps )) |"
  done
  stop
done
