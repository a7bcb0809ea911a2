#!/usr/bin/env bash
# Curtois & Qu benchmark (schedulingbenchmarks.org NRP instances 1–24):
# solve each instance with a time limit and print a markdown table of
# objective, best known, gap to it, LP lower bound and time.
#
# Usage: scripts/bench_schedule.sh [--time-limit SECONDS] [--instances "1 2 3"]
#                                  [--seed N] [--out DIR] [--bound-time-limit S]
# Defaults: 60 s, all 24 instances, seed 1, rosters written to
# target/bench-schedule/InstanceN.roster.txt.
# Uses `staffcast bench curtois` when the binary has it, else the
# `schedule` bench target (`cargo bench --bench schedule -- curtois …`).
set -euo pipefail
cd "$(dirname "$0")/.."

TIME_LIMIT=60
INSTANCES="$(seq 1 24)"
SEED=1
OUT=""
BOUND=20
while [ $# -gt 0 ]; do
  case "$1" in
    --time-limit) TIME_LIMIT="$2"; shift 2 ;;
    --instances) INSTANCES="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --bound-time-limit) BOUND="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
TARGET="${CARGO_TARGET_DIR:-target}"
OUT="${OUT:-$TARGET/bench-schedule}"
mkdir -p "$OUT"
DATA=data/curtois-nrp/instances

cargo build --release --quiet --bin staffcast >&2
BIN="$TARGET/release/staffcast"
if "$BIN" bench curtois --help >/dev/null 2>&1; then
  run() { "$BIN" bench curtois "$@"; }
else
  echo "note: staffcast has no 'bench' command yet; using the schedule bench target" >&2
  cargo bench --quiet --bench schedule --no-run >&2
  run() { cargo bench --quiet --bench schedule -- curtois "$@"; }
fi

field() { tr '\t' '\n' | sed -n "s/^$1=//p"; }

echo "Curtois & Qu instances, time limit ${TIME_LIMIT} s, seed ${SEED}, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| instance | objective | best known | gap % | LP bound | gap to bound % | feasible | first feasible s | time s |"
echo "|---|---|---|---|---|---|---|---|---|"
for i in $INSTANCES; do
  f="$DATA/Instance$i.txt"
  if ! line="$(run "$f" --time-limit "$TIME_LIMIT" --seed "$SEED" \
      --bound-time-limit "$BOUND" --output "$OUT/Instance$i.roster.txt")"; then
    echo "| $i | error (see stderr) | | | | | | | |"
    continue
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$i" "$(field objective <<<"$line")" "$(field best_known <<<"$line")" \
    "$(field gap_pct <<<"$line")" "$(field lower_bound <<<"$line")" \
    "$(field lb_gap_pct <<<"$line")" "$(field feasible <<<"$line")" \
    "$(field first_feasible_s <<<"$line")" "$(field time_s <<<"$line")"
done
