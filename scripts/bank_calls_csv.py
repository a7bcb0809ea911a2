#!/usr/bin/env python3
"""Turn the Anonymous Bank's February 1999 per-call records into staffcast's
per-call CSV (POST /api/v1/queues/{id}/calls).

    scripts/bank_calls_csv.py [TSV] [--from 1999-02-07] [--to 1999-02-14] [-o calls.csv]

TSV defaults to data/anonymous-bank-1999/anonymous_bank_february_1999_calls.tsv
(see its SOURCE.md). Output (stdout unless -o):
`arrival,outcome,wait_seconds,talk_seconds`, arrivals written with their
Asia/Jerusalem offset (the file's clock), so the queue's own zone does not
matter. A summary goes to stderr.

Rules (the same as src/benchmarks/bank.rs):
- PHANTOM rows are skipped; AGENT = answered, HANG = abandoned.
- Arrival at the agents' queue = q_start when the call queued, else
  vru_exit. A call queued when q_start or q_exit is not 0:00:00 (a call
  that queued at midnight sharp has q_start 0:00:00 but a q_exit).
- Clock times are on the row's date; a time more than an hour before
  vru_entry is the next day (calls across midnight).
- wait_seconds = q_time; talk_seconds = ser_time (answered only).
- A HANG call that never queued hung up in the voice-response unit: it never
  reached the agents, so no roster could have answered it. Such calls are
  left out (counted on stderr); --keep-vru-hangups keeps them as abandoned
  after 0 s.
- --from/--to keep calls whose arrival falls on those local dates
  (from included, to excluded).
Standard library only.
"""

import argparse
import csv
import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Jerusalem")
DEFAULT_TSV = (
    Path(__file__).resolve().parent.parent
    / "data/anonymous-bank-1999/anonymous_bank_february_1999_calls.tsv"
)
NEVER = "0:00:00"


def clock(text, line, column):
    try:
        h, m, s = (int(x) for x in text.split(":"))
        return dt.time(h % 24, m, s)
    except ValueError:
        sys.exit(f"line {line}, column {column}: '{text}' is not H:MM:SS")


def seconds(text, line, column):
    try:
        value = float(text)
    except ValueError:
        sys.exit(f"line {line}, column {column}: '{text}' is not a number")
    if value < 0:
        sys.exit(f"line {line}, column {column}: {value} is negative")
    return value


def convert(rows, keep_vru_hangups, first_day, end_day):
    """Yields (arrival, outcome, wait, talk) and counts what it skips."""
    counts = {"answered": 0, "abandoned": 0, "phantom": 0, "vru_hangup": 0, "outside": 0}
    out = []
    for line, row in rows:
        outcome = row["outcome"]
        if outcome == "PHANTOM":
            counts["phantom"] += 1
            continue
        if outcome not in ("AGENT", "HANG"):
            sys.exit(f"line {line}, column outcome: '{outcome}' is not AGENT, HANG or PHANTOM")
        try:
            date = dt.datetime.strptime("19" + row["date"], "%Y%m%d").date()
        except ValueError:
            sys.exit(f"line {line}, column date: '{row['date']}' is not YYMMDD")
        entry = dt.datetime.combine(date, clock(row["vru_entry"], line, "vru_entry"))

        def on_day(column):
            t = dt.datetime.combine(date, clock(row[column], line, column))
            return t + dt.timedelta(days=1) if t < entry - dt.timedelta(hours=1) else t

        queued = row["q_start"] != NEVER or row["q_exit"] != NEVER
        if outcome == "HANG" and not queued:
            if not keep_vru_hangups:
                counts["vru_hangup"] += 1
                continue
        arrival = on_day("q_start") if queued else on_day("vru_exit")
        if not (first_day <= arrival.date() < end_day):
            counts["outside"] += 1
            continue
        wait = seconds(row["q_time"], line, "q_time")
        if outcome == "AGENT":
            talk = seconds(row["ser_time"], line, "ser_time")
            counts["answered"] += 1
            out.append((arrival, "answered", wait, talk))
        else:
            counts["abandoned"] += 1
            out.append((arrival, "abandoned", wait, None))
    out.sort(key=lambda c: c[0])
    return out, counts


def number(x):
    return str(int(x)) if float(x).is_integer() else repr(x)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("tsv", nargs="?", default=str(DEFAULT_TSV))
    p.add_argument("--from", dest="first", type=dt.date.fromisoformat, default=dt.date.min)
    p.add_argument("--to", dest="end", type=dt.date.fromisoformat, default=dt.date.max)
    p.add_argument("-o", "--output", help="write here instead of stdout")
    p.add_argument("--keep-vru-hangups", action="store_true",
                   help="keep HANG calls that never queued, as abandoned after 0 s")
    args = p.parse_args()

    with open(args.tsv, newline="") as f:
        reader = csv.DictReader(f, delimiter="\t")
        if reader.fieldnames is None or "ser_time" not in reader.fieldnames:
            sys.exit(f"{args.tsv}: not the Anonymous Bank per-call file (no ser_time column)")
        rows = ((i + 2, {k: (v or "").strip() for k, v in r.items()}) for i, r in enumerate(reader))
        calls, counts = convert(rows, args.keep_vru_hangups, args.first, args.end)

    target = open(args.output, "w", newline="") if args.output else sys.stdout
    try:
        target.write("arrival,outcome,wait_seconds,talk_seconds\n")
        for arrival, outcome, wait, talk in calls:
            stamp = arrival.replace(tzinfo=ZONE).isoformat()
            target.write(f"{stamp},{outcome},{number(wait)},{'' if talk is None else number(talk)}\n")
    finally:
        if args.output:
            target.close()
    print(
        f"{len(calls)} calls: {counts['answered']} answered, {counts['abandoned']} abandoned; "
        f"left out: {counts['phantom']} phantom, {counts['vru_hangup']} hung up in the VRU, "
        f"{counts['outside']} outside the dates",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
