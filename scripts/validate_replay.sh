#!/usr/bin/env bash
# Erlang A prediction vs trace replay for the Anonymous Bank, February 1999.
# Prints a markdown table (per 30-minute clock slot, Sun–Thu 07:00–23:00) and
# a summary line, ready to paste into BENCHMARKS.md.
# Usage: scripts/validate_replay.sh [TARGET_SECONDS] [distinct|presence] [TSV]
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-60}"
staffing="${2:-distinct}"
tsv="${3:-data/anonymous-bank-1999/anonymous_bank_february_1999_calls.tsv}"
cargo bench --quiet --bench simulate -- --replay "$tsv" --target "$target" --staffing "$staffing"
