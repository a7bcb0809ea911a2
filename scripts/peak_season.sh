#!/usr/bin/env sh
# Peak-season forecast accuracy: staffcast's CLI against Prophet, MSTL and naive peers on the
# multi-year series in ../shared/data/multi-year and a small queue drawn from the hourly one
# (see the docstring of peak_season.py).
# Prints a markdown report and writes target/peak_season/REPORT.md. Run by hand, not in CI.
#
#   scripts/peak_season.sh                  # build staffcast (cargo build --release --locked), run all
#   scripts/peak_season.sh --only bands     # or --only peak; --help for the rest
#
# Environment:
#   STAFFCAST_BIN          use this staffcast binary instead of building (STAFFCAST_COMMIT labels it)
#   STAFFCAST_SHARED_DATA  data folder (default: <repo>/../shared/data)
#   STAFFCAST_MODELS       staffcast models to score (default: auto,long_horizon)
#   PEAK_SEASON_PYTHON     run with this Python as it is (it must have the packages below);
#                          otherwise a venv in target/peak-venv gets the pinned packages from PyPI
set -eu
cd "$(dirname "$0")/.."

if [ -n "${PEAK_SEASON_PYTHON:-}" ]; then
    PY=$PEAK_SEASON_PYTHON
else
    VENV=target/peak-venv
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        pandas==2.3.3 numpy==2.4.6 prophet==1.5.0 cmdstanpy==1.3.2 statsforecast==2.1.1
    PY=$VENV/bin/python
fi
export PEAK_SEASON_ENTRY=scripts/peak_season.sh
exec "$PY" scripts/peak_season.py "$@"
