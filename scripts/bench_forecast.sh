#!/usr/bin/env sh
# Forecast accuracy on the bank year (30-min, weekly origins 1999-09-01..12-31, one week ahead)
# and engine speed (a year of 15-min history per queue). Prints the WAPE table.
set -eu
cd "$(dirname "$0")/.."
exec cargo bench --bench forecast "$@"
