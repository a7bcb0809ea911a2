#!/usr/bin/env python3
"""Plans that hold when the real calls arrive (issue #14, point 5): plan three bank weeks over
the API from the history before each, replay each week's real calls against the roster, and
print what each plan promised next to what the calls got.

    scripts/plan_vs_replay.sh          # builds, starts a server on an empty database, runs this

or, against a running server (any database) with an admin or planner key:

    scripts/plan_vs_replay.py http://127.0.0.1:8080 "$KEY" /tmp/feb_calls.csv

Set-up (the issue's experiment): weeks starting 1999-02-07, 02-14 and 02-21; voice, 30 min,
80 % within 60 s, patience 345 s, shrinkage 0, the bank's opening hours (Sun-Thu 07-24, Fri
07-14, Sat 20-24) and Fri/Sat weekend, 25 agents, default AHT 176 s (February's mean talk time;
the history has volumes only). Each week is forecast with `auto` from the history before it
(data/sample/bank_1999_30min.csv) and rostered by the engine with a fixed iteration budget and
seed (deterministic). Plans compared, all in this one run:

  plain           the queue as is (requirement for the point forecast)
  goal 90 %       the planner's only buffer before: the service goal raised to 90 %
  confidence 90   interval_confidence_percent 90 (forecast risk in the requirement)
  actual volumes  the "oracle": the roster made from the week's actual volumes (the same
                  counts as the history, placed one week back and forecast seasonal-naive,
                  with offered_percent set to the calls the week's records offered per 100
                  the history counts in it)

The history counts calls upstream of the queue (voice-menu hang-ups too); the other plans
leave offered_percent unset, so each forecast learns the share that reaches agents from the
call records of the 28 days before its origin (the forecast's goal.offered, and a warning).

Each roster is replayed (POST /schedules/{id}/replay, 10 replications) against the week's real
calls (scripts/bank_calls_csv.py: calls that reached the queue; answered or abandoned, real
arrivals and talk times, patience from the hang-ups, Kaplan-Meier for the served). Targets at
confidence 90: >= 88 % of open half-hours meet the goal on replay, <= 8 % more rostered hours
than the actual-volumes roster, and the share promised (/check under forecast uncertainty)
within 5 points of the share delivered. Exit status 1 when a target is missed.
Standard library only; run from the repository root.
"""
import json
import os
import sys
import time

from api_client import Api

B, KEY, CALLS = sys.argv[1], sys.argv[2], sys.argv[3]
# The target is set at 90; other values show the trade-off.
CONFIDENCE = float(os.environ.get("CONFIDENCE", "90"))
# DUMP=dir keeps each plan's forecast, check and replay as JSON there, for a closer look.
DUMP = os.environ.get("DUMP")
req = Api(B, KEY, timeout=900)
WEEKS = ["1999-02-07", "1999-02-14", "1999-02-21"]
HISTORY = "data/sample/bank_1999_30min.csv"
ENGINE = {"time_limit_seconds": 120, "iteration_budget": 150000, "seed": 1}
AGENTS = 25
HOURS = {"sun": [["07:00", "24:00"]], "mon": [["07:00", "24:00"]], "tue": [["07:00", "24:00"]],
         "wed": [["07:00", "24:00"]], "thu": [["07:00", "24:00"]], "fri": [["07:00", "14:00"]],
         "sat": [["20:00", "24:00"]]}


def shift_week_back(line):
    """A history line moved 7 days earlier (same weekday and time)."""
    import datetime
    stamp, rest = line.split(",", 1)
    t = datetime.datetime.fromisoformat(stamp) - datetime.timedelta(days=7)
    return t.isoformat() + "," + rest


def add_days(day, n):
    import datetime
    return (datetime.date.fromisoformat(day) + datetime.timedelta(days=n)).isoformat()


def queue(name, goal_percent=80, confidence=None):
    body = {"name": name, "channel": "voice", "interval_minutes": 30,
            "time_zone": "Asia/Jerusalem", "service_level_percent": goal_percent,
            "answer_within_seconds": 60, "patience_seconds": 345, "shrinkage_percent": 0,
            "default_aht_seconds": 176, "weekend_days": ["fri", "sat"]}
    if confidence is not None:
        body["interval_confidence_percent"] = confidence
    q = req("POST", "/api/v1/queues", body)["id"]
    req("PUT", f"/api/v1/queues/{q}/opening-hours", {"weekly": HOURS})
    req("POST", f"/api/v1/queues/{q}/agents",
        [{"name": f"Agent {i}", "external_id": f"{name}-{i}"} for i in range(AGENTS)])
    req("POST", f"/api/v1/queues/{q}/calls", open(CALLS).read(), "text/csv")
    return q


def offered_percent(week, history_rows):
    """The week's calls offered (records) per 100 the history counts in it."""
    end = add_days(week, 7)
    calls = sum(1 for line in open(CALLS).read().splitlines()[1:] if week <= line[:10] < end)
    counted = sum(float(r.split(",")[1]) for r in history_rows if week <= r[:10] < end)
    return 100.0 * calls / counted


def plan_week(q, week, history_lines, model):
    end = add_days(week, 7)
    req("POST", f"/api/v1/queues/{q}/history", "\n".join(history_lines) + "\n", "text/csv")
    f = req("POST", f"/api/v1/queues/{q}/forecasts",
            {"from": week + "T00:00", "to": end + "T00:00", "model": model})
    s = req("POST", "/api/v1/schedules",
            dict(ENGINE, forecast_id=f["id"], week_start=week, days=7))
    while True:
        run = req("GET", f"/api/v1/schedules/{s['id']}")
        if run["status"] in ("done", "failed", "cancelled"):
            break
        time.sleep(1)
    if run["status"] != "done":
        sys.exit(f"schedule {s['id']}: {run['status']}")
    check = req("GET", f"/api/v1/schedules/{s['id']}/check")
    replay = req("POST", f"/api/v1/schedules/{s['id']}/replay", {"seed": 1, "replications": 10})
    if DUMP:
        os.makedirs(DUMP, exist_ok=True)
        with open(os.path.join(DUMP, f"q{q}-{week}.json"), "w") as out:
            json.dump({"forecast": f, "view": req("GET", f"/api/v1/forecasts/{f['id']}"),
                       "requirements": req("GET", f"/api/v1/forecasts/{f['id']}/requirements"),
                       "run": run, "check": check, "replay": replay}, out)
    return f, run, check, replay


def staffed_split(replay):
    """Per compared interval with a staffed volume: (real calls within it, goal met on replay)."""
    goal = replay["goal_service_level"]
    out = []
    for i in replay["intervals"]:
        p = i.get("promised")
        if not p or not p["open"] or i["offered"] == 0 or p.get("staffed_volume") is None:
            continue
        out.append((i["offered"] <= p["staffed_volume"], i["service_level"] >= goal - 1e-9))
    return out


def main():
    lines = open(HISTORY).read().splitlines()
    header, rows = lines[0], lines[1:]
    variants = [("plain", {}), ("goal 90 %", {"goal_percent": 90}),
                (f"confidence {CONFIDENCE:g}", {"confidence": CONFIDENCE}), ("actual volumes", {})]
    results = {}
    oracle = None
    for name, opts in variants:
        q = queue(name, **opts)
        totals = {"hours": 0.0, "promised_sl": [], "expected_share": [], "replayed_sl": [],
                  "promised_share": [], "replayed_share": [], "compared": 0, "split": []}
        for week in WEEKS:
            before = [r for r in rows if r[:10] < week]
            if name == "actual volumes":
                # The week's own counts one week back; seasonal naive repeats them.
                actual = [r for r in rows if week <= r[:10] < add_days(week, 7)]
                before = [r for r in before if r[:10] < add_days(week, -7)]
                history = [header] + before + [shift_week_back(r) for r in actual]
                model = "seasonal_naive"
                req("PATCH", f"/api/v1/queues/{q}", {"offered_percent": offered_percent(week, rows)})
            else:
                history = [header] + before
                model = "auto"
            f, run, check, replay = plan_week(q, week, history, model)
            offered = f["goal"].get("offered")
            if name == "actual volumes":
                oracle = (q, oracle[1] + [run["id"]] if oracle else [run["id"]])
            t = replay["totals"]
            n = t["intervals_compared"]
            totals["split"] += staffed_split(replay)
            totals["hours"] += run["rostered_hours"]
            totals["compared"] += n
            for key, value in (("promised_sl", check["service_level"]),
                               ("replayed_sl", t["service_level"])):
                totals[key].append((value, t["offered"]))
            totals["promised_share"].append((t["promised_share_meeting_goal"], n))
            totals["replayed_share"].append((t["replayed_share_meeting_goal"], n))
            expected = t.get("promised_expected_share_meeting_goal")
            if expected is not None:
                totals["expected_share"].append((expected, n))
            staffed = f"{offered['share']:.1%} of the forecast" if offered else "all of the forecast"
            print(f"  {name:15} {week}: staffs {staffed} ({offered['source']['kind'] if offered else '-'})")
            print(f"  {name:15} {week}: {run['rostered_hours']:7.1f} h, /check {check['service_level']:.3f}"
                  f", replayed SL {t['service_level']:.3f}, open half-hours meeting the goal:"
                  f" promised {t['promised_share_meeting_goal']:.3f}"
                  + (f" (expected {expected:.3f})" if expected is not None else "")
                  + f" -> replayed {t['replayed_share_meeting_goal']:.3f} of {n}", flush=True)
        results[name] = totals

    def mean(pairs):
        w = sum(n for _, n in pairs)
        return sum(v * n for v, n in pairs) / w if w else float("nan")

    print()
    print("| plan (3 weeks) | rostered h | /check promise | replayed SL |"
          " open half-hours >= goal: promised (expected) -> replayed |")
    print("|---|---|---|---|---|")
    for name, r in results.items():
        expected = f" ({mean(r['expected_share']):.1%})" if r["expected_share"] else ""
        print(f"| {name} | {r['hours']:,.0f} | {mean(r['promised_sl']):.1%} |"
              f" {mean(r['replayed_sl']):.1%} | {mean(r['promised_share']):.1%}{expected} ->"
              f" {mean(r['replayed_share']):.1%} (of {r['compared']}) |")
    # Where promise and replay part: the model's chance is the chance that the real calls stay
    # within the staffed volume (the forecast's part); calls within it that still miss the goal
    # (or over it that meet it) are the queue's own chance within the interval.
    print()
    print("| plan | expected share | real calls within the staffed volume | goal met: within"
          " | goal met: over | replayed share |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        split = r["split"]
        if not split or not r["expected_share"]:
            continue
        within = [ok for inside, ok in split if inside]
        over = [ok for inside, ok in split if not inside]
        rate = lambda xs: f"{sum(xs) / len(xs):.1%} (of {len(xs)})" if xs else "-"
        print(f"| {name} | {mean(r['expected_share']):.1%} | {len(within) / len(split):.1%} |"
              f" {rate(within)} | {rate(over)} | {mean(r['replayed_share']):.1%} |")
    # The history against the calls: once the weeks' own counts are imported, each replay sets
    # them against the calls the records offered in the same half-hours.
    q, schedules = oracle
    weeks = [r for r in rows if WEEKS[0] <= r[:10] < add_days(WEEKS[-1], 7)]
    req("POST", f"/api/v1/queues/{q}/history", "\n".join([header] + weeks) + "\n", "text/csv")
    counted = offered = 0
    for s in schedules:
        h = req("POST", f"/api/v1/schedules/{s}/replay", {"seed": 1, "replications": 1})["totals"]
        counted += h["history"]["history_volume"]
        offered += h["history"]["offered"]
    print()
    print(f"The history counts {counted:,.0f} calls in the three weeks, the records offered {offered:,}"
          f" to the queue ({counted / offered - 1:+.1%}): each forecast staffs the share its origin's"
          f" records offered (above).")
    c, o = results[f"confidence {CONFIDENCE:g}"], results["actual volumes"]
    delivered = mean(c["replayed_share"])
    promised = mean(c["expected_share"]) if c["expected_share"] else mean(c["promised_share"])
    extra = c["hours"] / o["hours"] - 1.0
    checks = [
        (f"confidence {CONFIDENCE:g}: {delivered:.1%} of open half-hours meet the goal on replay (target >= 88 %)",
         delivered >= 0.88),
        (f"confidence {CONFIDENCE:g}: {extra:+.1%} rostered hours vs the actual-volumes roster (target <= +8 %)",
         extra <= 0.08),
        (f"confidence {CONFIDENCE:g}: promised {promised:.1%} vs delivered {delivered:.1%}"
         f" ({abs(promised - delivered) * 100:.1f} points; target <= 5)",
         abs(promised - delivered) <= 0.05),
    ]
    print()
    for text, ok in checks:
        print(("PASS " if ok else "MISS ") + text)
    sys.exit(0 if all(ok for _, ok in checks) else 1)


main()
