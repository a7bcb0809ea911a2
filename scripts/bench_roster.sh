#!/usr/bin/env bash
# Four-week interval rosters from the Anonymous Bank's arrivals (15-minute
# grid, two templates with variable lengths and solver-placed breaks,
# contracts, availability, time off, requests): for each agent count,
# time to the first roster, objective and gap to the LP bound at 10 s and
# at the time limit, coverage. The requirement scales with the agent count
# (see `staffcast bench roster --help`).
#
# Usage: scripts/bench_roster.sh [--agents "50 200 1000"] [--time-limit 60]
#                                [--seed 1] [--bin PATH]
set -euo pipefail
cd "$(dirname "$0")/.."

AGENTS="50 200 1000"
TIME_LIMIT=60
SEED=1
BIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --agents) AGENTS="$2"; shift 2 ;;
    --time-limit) TIME_LIMIT="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [ -z "$BIN" ]; then
  cargo build --release --quiet --bin staffcast >&2
  BIN="${CARGO_TARGET_DIR:-target}/release/staffcast"
fi

field() { tr '\t' '\n' | sed -n "s/^$1=//p"; }

echo "Bank roster bench: 28 days × 96 intervals, time limit ${TIME_LIMIT} s, seed ${SEED}, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| agents | required agent-h | LP bound (s) | first roster s | first roster obj (gap %) | LP-guided start obj | obj at 10 s (gap %) | obj at ${TIME_LIMIT} s (gap %) | coverage % | under h | over h | moves/s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in $AGENTS; do
  line="$("$BIN" bench roster --agents "$n" --time-limit "$TIME_LIMIT" --seed "$SEED" --checkpoints 10)"
  printf '| %s | %s | %s | %s | %s (%s) | %s | %s (%s) | %s (%s) | %s | %s | %s | %s |\n' \
    "$n" "$(field required_agent_hours <<<"$line")" "$(field lower_bound <<<"$line") ($(field bound_s <<<"$line"))" \
    "$(field first_roster_s <<<"$line")" \
    "$(field first_roster_objective <<<"$line")" "$(field first_roster_gap_pct <<<"$line")" \
    "$(field search_start_objective <<<"$line")" \
    "$(field objective_at_10s <<<"$line")" "$(field gap_at_10s_pct <<<"$line")" \
    "$(field objective <<<"$line")" "$(field gap_pct <<<"$line")" \
    "$(field coverage_pct <<<"$line")" "$(field under_agent_hours <<<"$line")" \
    "$(field over_agent_hours <<<"$line")" "$(field moves_per_s <<<"$line")"
done
