#!/usr/bin/env bash
# DBAI shift-design benchmark (data/shift-design-dbai, MiniZinc .dzn):
# solve each instance with a time limit, one at a time, and print a
# markdown table of under-/over-cover (staff-minutes), distinct shifts,
# objective, LP lower bound and time.
#
# Usage: scripts/bench_shift_design.sh [--time-limit SECONDS] [--seed N]
#                                      [--bound-time-limit S] [--out DIR]
#                                      [--instances "FILE …"] [--bin PATH]
# Defaults: 10 s, seed 1, LP bound 30 s, every .dzn under
# data/shift-design-dbai/instances, designs written to
# $CARGO_TARGET_DIR/bench-shift-design/NAME.design.txt. --bin uses a
# prebuilt staffcast (no cargo build), e.g. a copy taken right after the
# build when several worktrees share one CARGO_TARGET_DIR.
# The objective is defined in src/benchmarks/shift_design/mod.rs.
set -euo pipefail
cd "$(dirname "$0")/.."

TIME_LIMIT=10
SEED=1
BOUND=30
OUT=""
DATA=data/shift-design-dbai/instances
INSTANCES=""
BIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --time-limit) TIME_LIMIT="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --bound-time-limit) BOUND="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --instances) INSTANCES="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [ -z "$INSTANCES" ]; then
  INSTANCES="$(ls $DATA/toy*.dzn) $(ls $DATA/DataSet1/*.dzn | sort -V) $(ls $DATA/DataSet2/*.dzn | sort -V) $(ls $DATA/DataSet3/*.dzn | sort -V)"
fi
TARGET="${CARGO_TARGET_DIR:-target}"
OUT="${OUT:-$TARGET/bench-shift-design}"
mkdir -p "$OUT"

if [ -z "$BIN" ]; then
  cargo build --release --locked --quiet --bin staffcast >&2
  BIN="$TARGET/release/staffcast"
fi

field() { tr '\t' '\n' | sed -n "s/^$1=//p"; }

echo "DBAI shift-design instances, time limit ${TIME_LIMIT} s, seed ${SEED}, LP bound limit ${BOUND} s, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| instance | under (staff-min) | over (staff-min) | distinct shifts | duties/week | objective | LP lower bound | gap to bound % | greedy objective | empty objective | feasible | time s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for f in $INSTANCES; do
  name="$(basename "$f" .dzn)"
  if ! line="$("$BIN" bench shift-design "$f" --time-limit "$TIME_LIMIT" --seed "$SEED" \
      --bound-time-limit "$BOUND" --output "$OUT/$name.design.txt")"; then
    echo "| $name | error (see stderr) | | | | | | | | | | |"
    continue
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$name" "$(field under <<<"$line")" "$(field over <<<"$line")" \
    "$(field distinct_shifts <<<"$line")" "$(field duties_per_week <<<"$line")" \
    "$(field objective <<<"$line")" "$(field lower_bound <<<"$line")" \
    "$(field lb_gap_pct <<<"$line")" "$(field greedy_objective <<<"$line")" \
    "$(field empty_objective <<<"$line")" "$(field feasible <<<"$line")" \
    "$(field time_s <<<"$line")"
done
