#!/usr/bin/env python3
"""Build data/sample/bank_1999_30min.csv from the Anonymous Bank 1999 data.

Usage (from the repository root):  python3 scripts/make_sample_history.py

Python 3.9+ standard library only. Deterministic: rerunning it rewrites the
same bytes.

* Volume: the 6-minute arrival counts (all calls: served, abandoned, phantom)
  of data/anonymous-bank-1999/anonymous_bank_1999_6min_counts.csv, summed into
  half-hours of the local (Asia/Jerusalem) day.
* Timestamps: ISO-8601 with the Asia/Jerusalem offset in force at that
  instant, e.g. 1999-01-03T07:00:00+02:00.
  - A local half-hour skipped by the spring DST change does not exist: it is
    dropped, and its count must be 0 (the script fails otherwise).
  - A local half-hour repeated by the autumn DST change is written once, as
    its first (summer time) occurrence; the second occurrence has no row.
* aht_seconds: the 6-minute file has no handle times. Each row gets the mean
  `ser_time` (talk time, seconds) of served calls (outcome AGENT, ser_time > 0)
  in February 1999 whose arrival (`vru_entry`) fell in the same half-hour of
  the local day, all days of February pooled, from
  data/anonymous-bank-1999/anonymous_bank_february_1999_calls.tsv.
  Empty when that half-hour had fewer than 5 such calls, or when the row's
  volume is 0.
"""

import csv
import os
import sys
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "data", "anonymous-bank-1999")
COUNTS = os.path.join(SRC, "anonymous_bank_1999_6min_counts.csv")
CALLS = os.path.join(SRC, "anonymous_bank_february_1999_calls.tsv")
OUT = os.path.join(ROOT, "data", "sample", "bank_1999_30min.csv")

TZ = ZoneInfo("Asia/Jerusalem")
BIN_MINUTES = 30
MIN_SERVED = 5


def local_instant(naive):
    """The instant of local wall-clock time `naive`, or None when it is
    skipped by DST. For a repeated time, the first occurrence (fold=0)."""
    aware = naive.replace(tzinfo=TZ, fold=0)
    back = aware.astimezone(timezone.utc).astimezone(TZ)
    if back.replace(tzinfo=None) != naive:
        return None  # does not exist: zoneinfo maps it across the gap
    return aware


def half_hour_of_day(hours, minutes):
    return (hours * 60 + minutes) // BIN_MINUTES


def volumes():
    """{local naive half-hour start: summed count}, in file order."""
    sums = {}
    with open(COUNTS, newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["interval_start", "calls", "weekday"], reader.fieldnames
        for row in reader:
            t = datetime.strptime(row["interval_start"], "%Y-%m-%d %H:%M")
            start = t.replace(minute=t.minute - t.minute % BIN_MINUTES)
            sums[start] = sums.get(start, 0.0) + float(row["calls"])
    return sums


def aht_by_half_hour():
    """{half-hour of the day: mean ser_time of served February calls}."""
    total = defaultdict(float)
    count = defaultdict(int)
    with open(CALLS, newline="") as f:
        reader = csv.DictReader(f, delimiter="\t")
        for row in reader:
            if row["outcome"] != "AGENT":
                continue
            ser_time = float(row["ser_time"])
            if ser_time <= 0:
                continue  # no recorded service (ser_start 0:00:00): data error
            h, m, _s = (int(x) for x in row["vru_entry"].split(":"))
            slot = half_hour_of_day(h, m)
            total[slot] += ser_time
            count[slot] += 1
    return {s: total[s] / count[s] for s in total if count[s] >= MIN_SERVED}


def fmt_volume(v):
    v = round(v, 1)
    return str(int(v)) if v == int(v) else f"{v:.1f}"


def main():
    sums = volumes()
    aht = aht_by_half_hour()
    rows = []
    dropped = []
    for start in sorted(sums):
        volume = sums[start]
        instant = local_instant(start)
        if instant is None:
            if volume != 0:
                sys.exit(f"error: {start} (local) is skipped by DST in {TZ.key} but has {volume} calls")
            dropped.append(start)
            continue
        slot = half_hour_of_day(start.hour, start.minute)
        a = aht.get(slot) if volume > 0 else None
        rows.append((instant.isoformat(), fmt_volume(volume), "" if a is None else f"{a:.1f}"))

    # No instant may appear twice, and rows must be in time order.
    instants = [r[0] for r in rows]
    assert len(set(instants)) == len(instants), "duplicate instants"
    utc = [datetime.fromisoformat(s).astimezone(timezone.utc) for s in instants]
    assert utc == sorted(utc), "rows not in time order"

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["interval_start", "volume", "aht_seconds"])
        w.writerows(rows)

    total = sum(sums.values())
    print(f"wrote {os.path.relpath(OUT, ROOT)}: {len(rows)} rows, total volume {fmt_volume(total)}")
    print(f"first {rows[0][0]}, last {rows[-1][0]}")
    for d in dropped:
        print(f"dropped {d.isoformat()} (local; skipped by DST, count 0)")
    print(f"aht_seconds known for {len(aht)} of {24 * 60 // BIN_MINUTES} half-hours of the day")


if __name__ == "__main__":
    main()
