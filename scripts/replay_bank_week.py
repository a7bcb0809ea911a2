#!/usr/bin/env python3
"""Replay one bank February week over the API and time it (a live server, an empty database).

    scripts/bank_calls_csv.py -o /tmp/feb.csv
    scripts/replay_bank_week.py http://127.0.0.1:8080 "$KEY" /tmp/feb.csv

Plans the week of 1999-02-07 from the history before it (data/sample/bank_1999_30min.csv; voice,
30 min, 80 % within 60 s, patience 345 s, shrinkage 0, default AHT 176 s, 25 agents, engine 20 s),
imports the calls, then replays the roster with 1, 10 and 100 replications (3 times each) and
prints the times and the totals. Run from the repository root. Standard library only.
"""
import sys
import time

from api_client import Api

B, KEY, CALLS = sys.argv[1], sys.argv[2], sys.argv[3]
WEEK, END = "1999-02-07", "1999-02-14"


# (response, seconds) per call
req = Api(B, KEY, timeout=600).timed


q, _ = req("POST", "/api/v1/queues", {
    "name": "bank", "channel": "voice", "interval_minutes": 30, "time_zone": "Asia/Jerusalem",
    "service_level_percent": 80, "answer_within_seconds": 60, "patience_seconds": 345,
    "shrinkage_percent": 0, "default_aht_seconds": 176})
qid = q["id"]
lines = open("data/sample/bank_1999_30min.csv").read().splitlines()
hist = "\n".join([lines[0]] + [l for l in lines[1:] if l[:10] < WEEK]) + "\n"
req("POST", f"/api/v1/queues/{qid}/history", hist, "text/csv")
f, _ = req("POST", f"/api/v1/queues/{qid}/forecasts", {"from": WEEK + "T00:00", "to": END + "T00:00"})
req("POST", f"/api/v1/queues/{qid}/agents",
    [{"name": f"Agent {i}", "external_id": f"BANK-{i}"} for i in range(25)])
s, _ = req("POST", "/api/v1/schedules", {"forecast_id": f["id"], "week_start": WEEK, "days": 7,
                                         "time_limit_seconds": 20, "seed": 1})
while True:
    run, _ = req("GET", f"/api/v1/schedules/{s['id']}")
    if run["status"] in ("done", "failed", "cancelled"):
        break
    time.sleep(1)
print("schedule", run["status"], "rostered_hours", run["rostered_hours"], "coverage", run["coverage_percent"])
imp, t_imp = req("POST", f"/api/v1/queues/{qid}/calls", open(CALLS).read(), "text/csv")
print(f"import: {imp['rows']} calls in {t_imp:.3f} s", imp)
summ, _ = req("GET", f"/api/v1/queues/{qid}/calls/summary")
print("summary", summ)
check, _ = req("GET", f"/api/v1/schedules/{s['id']}/check")
print("check service_level", round(check["service_level"], 4))
for reps in (1, 10, 100):
    times = []
    for _ in range(3):
        rep, t = req("POST", f"/api/v1/schedules/{s['id']}/replay", {"seed": 1, "replications": reps})
        times.append(t)
    tot = rep["totals"]
    print(f"replay x{reps}: best {min(times)*1000:.0f} ms, median {sorted(times)[1]*1000:.0f} ms;"
          f" offered {tot['offered']}, SL {tot['service_level']:.4f}, abandon {tot['abandon_rate']:.4f},"
          f" ASA {tot['asa_seconds']:.1f} s, observed SL {tot['observed']['service_level']:.4f}"
          f" abandon {tot['observed']['abandon_rate']:.4f}; promised SL {tot['promised_service_level']:.4f};"
          f" intervals compared {tot['intervals_compared']}: meeting goal promised"
          f" {tot['promised_share_meeting_goal']:.3f} -> replayed {tot['replayed_share_meeting_goal']:.3f}")
print("patience", rep["patience"])
