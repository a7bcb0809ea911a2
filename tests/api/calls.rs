//! Per-call records and replays over real HTTP, on SQLite and PostgreSQL:
//! imports are checked row by row and stored all or nothing; a roster is
//! replayed against the calls that came and set beside its promise.

use crate::common::{history_csv, json_of, paths, TestApp, TestDb};
use crate::helpers::id_of;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde_json::{json, Value};

/// One generated call, in Paris local time.
struct Call {
    at: NaiveDateTime,
    abandoned: bool,
    wait: u32,
    talk: u32,
}

/// A call every `every` seconds (with a little jitter) on 2026-02-16 from
/// `from_hour` to `to_hour` local; every 8th hangs up. Waits and talk times
/// vary with the call's number.
fn calls(every: i64, from_hour: u32, to_hour: u32) -> Vec<Call> {
    let day = NaiveDate::from_ymd_opt(2026, 2, 16).unwrap();
    let start = day.and_hms_opt(from_hour, 0, 0).unwrap();
    let end = day.and_hms_opt(to_hour, 0, 0).unwrap();
    let mut out = Vec::new();
    let mut k = 0i64;
    loop {
        let at = start + Duration::seconds(k * every + (k * 37) % every.min(50));
        if at >= end {
            return out;
        }
        let abandoned = k % 8 == 3;
        out.push(Call {
            at,
            abandoned,
            wait: if abandoned {
                (k * 13 % 90) as u32
            } else {
                (k * 7 % 40) as u32
            },
            talk: 120 + (k * 53 % 120) as u32,
        });
        k += 1;
    }
}

fn csv(calls: &[Call]) -> String {
    let mut out = String::from("arrival,outcome,wait_seconds,talk_seconds\n");
    for c in calls {
        let at = c.at.format("%Y-%m-%d %H:%M:%S");
        if c.abandoned {
            out.push_str(&format!("{at},abandoned,{},\n", c.wait));
        } else {
            out.push_str(&format!("{at},answered,{},{}\n", c.wait, c.talk));
        }
    }
    out
}

async fn import(app: &TestApp, q: i64, body: String) -> Value {
    json_of(
        app.post_body(&paths::queue_calls(q), "text/csv", body)
            .await,
        200,
    )
    .await
}

/// A problem document's status and code checked; the body returned.
async fn problem(resp: reqwest::Response, status: u16, code: &str) -> Value {
    let body = json_of(resp, status).await;
    assert_eq!(body["code"], code, "{body}");
    body
}

/// A 15-minute Paris voice queue with six weeks of history, `agents`
/// agents and a greedy roster of Monday 2026-02-16 for a `goal` % within
/// 20 s. Returns (queue, schedule).
async fn rostered_queue(app: &TestApp, name: &str, goal: u32, agents: usize) -> (i64, i64) {
    let mut body = crate::common::paris_queue(name);
    body["service_level_percent"] = json!(goal);
    let q = app.create_queue(body).await;
    app.import_history(q, history_csv("2026-01-05", 42, true))
        .await;
    let people: Vec<Value> = (0..agents)
        .map(|i| json!({"name": format!("{name} {i}"), "external_id": format!("{name}-{i}")}))
        .collect();
    app.add_agents(q, &json!(people)).await;
    let f = app
        .weekly_average_forecast(q, "2026-02-16T00:00", "2026-02-17T00:00")
        .await;
    let body = json!({"forecast_id": f, "week_start": "2026-02-16", "days": 1, "solver": "greedy",
        "shift": {"length_minutes": 480, "earliest_start": "07:00:00", "latest_start": "10:00:00"}});
    let s = id_of(&app.create_schedule(&body).await);
    let run = app.wait_for_schedule(s).await;
    assert_eq!(run["status"], "done", "{run}");
    (q, s)
}

async fn imports_are_checked_and_all_or_nothing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = app.create_queue(crate::common::paris_queue("calls")).await;
    let day = calls(75, 8, 18);
    let abandoned = day.iter().filter(|c| c.abandoned).count();
    let stored = import(&app, q, csv(&day)).await;
    assert_eq!(stored["rows"], day.len());
    assert_eq!(stored["replaced"], 0);
    // Local times read in Paris (UTC+1 in February).
    assert_eq!(stored["first_arrival"], "2026-02-16T07:00:00Z");
    let summary = app.get_json(&paths::queue_calls_summary(q)).await;
    let want = json!({"queue_id": q, "time_zone": "Europe/Paris", "calls": day.len(),
        "answered": day.len() - abandoned, "abandoned": abandoned,
        "first_arrival": "2026-02-16T07:00:00Z", "last_arrival": stored["last_arrival"]});
    assert_eq!(summary, want);

    // A bad row anywhere: 400 naming line, column and value; nothing stored,
    // not even the good rows before it (which would replace the window).
    let good = csv(&calls(60, 8, 18));
    let lines = good.lines().count();
    let cases = [
        (
            format!("{good}2026-02-16 18:00:00,maybe,3,\n"),
            "outcome",
            format!(
                "line {}, column outcome: 'maybe' is not an outcome",
                lines + 1
            ),
        ),
        (
            format!("{good}2026-02-16 18:00:00,answered,3,\n"),
            "talk_seconds",
            format!(
                "line {}, column talk_seconds: an answered call needs its talk time",
                lines + 1
            ),
        ),
        (
            good.replacen(",answered,0,", ",answered,-1,", 1),
            "wait_seconds",
            "line 2, column wait_seconds: '-1' is not a duration".to_string(),
        ),
        (
            format!("{good}16/02/2026 18:00,abandoned,3,\n"),
            "arrival",
            format!("line {}, column arrival: '16/02/2026 18:00'", lines + 1),
        ),
    ];
    for (body, field, detail) in cases {
        let resp = app
            .post_body(&paths::queue_calls(q), "text/csv", body)
            .await;
        let got = problem(resp, 400, "invalid_import").await;
        assert_eq!(got["field"], field, "{got}");
        assert!(
            got["detail"].as_str().unwrap().starts_with(&detail),
            "{got}"
        );
        assert_eq!(
            app.get_json(&paths::queue_calls_summary(q)).await,
            want,
            "nothing stored after a bad row"
        );
    }
    let header_only = "arrival,outcome,wait_seconds,talk_seconds\n";
    let resp = app
        .post_body(&paths::queue_calls(q), "text/csv", header_only)
        .await;
    problem(resp, 422, "empty_input").await;
    let resp = app
        .post_body(&paths::queue_calls(q), "application/json", "[]")
        .await;
    problem(resp, 415, "unsupported_media_type").await;
    let resp = app
        .post_body(&paths::queue_calls(999), "text/csv", csv(&day))
        .await;
    problem(resp, 404, "not_found").await;
    problem(
        app.get(&paths::queue_calls_summary(999)).await,
        404,
        "not_found",
    )
    .await;

    // The same window again replaces it; a denser record of the morning
    // replaces the morning only.
    let again = import(&app, q, csv(&day)).await;
    assert_eq!(
        (again["rows"].clone(), again["replaced"].clone()),
        (json!(day.len()), json!(day.len()))
    );
    let morning = calls(30, 8, 12);
    let before_noon = day
        .iter()
        .filter(|c| c.at < morning.last().unwrap().at + Duration::seconds(1))
        .count();
    let got = import(&app, q, csv(&morning)).await;
    assert_eq!(got["replaced"], before_noon);
    let summary = app.get_json(&paths::queue_calls_summary(q)).await;
    assert_eq!(summary["calls"], day.len() - before_noon + morning.len());
}

async fn replay_tells_a_generous_roster_from_a_thin_one(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (rich_q, rich) = rostered_queue(&app, "rich", 95, 30).await;
    let (thin_q, thin) = rostered_queue(&app, "thin", 80, 2).await;
    let day = calls(75, 8, 18);
    let abandoned = day.iter().filter(|c| c.abandoned).count();
    import(&app, rich_q, csv(&day)).await;
    import(&app, thin_q, csv(&day)).await;

    let replay = |s: i64, body: Value| {
        let app = &app;
        async move { json_of(app.post_json(&paths::schedule_replay(s), &body).await, 200).await }
    };
    let r = replay(rich, json!({"seed": 5, "replications": 4})).await;
    let t = replay(thin, json!({"seed": 5, "replications": 4})).await;
    for (report, q) in [(&r, rich_q), (&t, thin_q)] {
        assert_eq!(report["queue_id"], q);
        assert_eq!(
            report["intervals"].as_array().unwrap().len(),
            96,
            "one day of quarter-hours"
        );
        assert_eq!(report["totals"]["offered"], day.len());
        assert_eq!(report["totals"]["observed"]["abandoned"], abandoned);
        assert_eq!(report["patience"]["abandoned"], abandoned);
        assert_eq!(report["patience"]["censored"], day.len() - abandoned);
        assert_eq!(report["totals"]["intervals_compared"], 40, "08:00-18:00");
        let first_busy = &report["intervals"][32];
        assert_eq!(first_busy["start"], "2026-02-16T07:00:00Z");
        assert!(first_busy["offered"].as_u64().unwrap() > 0);
        assert!(
            first_busy["promised"]["service_level"].is_number(),
            "{first_busy}"
        );
        // Every call answered, abandoned or (never here) left waiting.
        let tot = &report["totals"];
        let sum = tot["answered"].as_f64().unwrap()
            + tot["abandoned"].as_f64().unwrap()
            + tot["unserved"].as_f64().unwrap();
        assert!((sum - day.len() as f64).abs() < 1e-6, "{tot}");
    }
    let sl = |v: &Value| v["totals"]["service_level"].as_f64().unwrap();
    let ab = |v: &Value| v["totals"]["abandon_rate"].as_f64().unwrap();
    assert!(sl(&r) >= 0.95, "generous roster: {}", r["totals"]);
    assert!(sl(&t) < 0.5, "thin roster: {}", t["totals"]);
    assert!(ab(&t) > ab(&r) + 0.1, "{} vs {}", t["totals"], r["totals"]);
    assert_eq!(
        r["totals"]["replayed_share_meeting_goal"], 1.0,
        "{}",
        r["totals"]
    );
    assert!(t["totals"]["replayed_share_meeting_goal"].as_f64().unwrap() < 0.5);
    // The thin roster promised little too: /check's figure is beside it.
    let check = app.get_json(&paths::schedule_check(thin)).await;
    let promised = t["totals"]["promised_service_level"].as_f64().unwrap();
    assert!((promised - check["service_level"].as_f64().unwrap()).abs() < 1e-9);

    // One seed, one answer; a window inside the roster replays its calls only.
    assert_eq!(replay(thin, json!({"seed": 5, "replications": 4})).await, t);
    let noon = replay(
        thin,
        json!({"from": "2026-02-16 12:00", "to": "2026-02-16T14:00:00+01:00"}),
    )
    .await;
    let in_window = day
        .iter()
        .filter(|c| (12..14).contains(&c.at.format("%H").to_string().parse::<u32>().unwrap()))
        .count();
    assert_eq!(noon["intervals"].as_array().unwrap().len(), 8);
    assert_eq!(noon["totals"]["offered"], in_window);
    assert_eq!(
        (noon["seed"].clone(), noon["replications"].clone()),
        (json!(1), json!(10))
    );

    // No history in the window: nothing to set the calls against.
    assert!(t["totals"].get("history").is_none(), "{}", t["totals"]);
    // A history of the noon hours that counts 7 contacts a quarter-hour:
    // set against the calls the records offered in the same intervals.
    let mut history = String::from("interval_start,volume\n");
    for quarter in 0..8 {
        let (h, m) = (12 + quarter / 4, (quarter % 4) * 15);
        history += &format!("2026-02-16 {h:02}:{m:02},7\n");
    }
    let resp = app
        .post_body(&paths::queue_history(thin_q), "text/csv", history)
        .await;
    assert_eq!(resp.status(), 200);
    let whole = replay(thin, json!({"seed": 5, "replications": 4})).await;
    assert_eq!(
        whole["totals"]["history"],
        json!({"intervals": 8, "history_volume": 56.0, "offered": in_window}),
        "{}",
        whole["totals"]
    );
}

async fn replay_refusals_say_why(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (q, s) = rostered_queue(&app, "q", 80, 4).await;
    let path = paths::schedule_replay(s);
    problem(
        app.post_json(&paths::schedule_replay(999), &json!({}))
            .await,
        404,
        "not_found",
    )
    .await;
    // Calls of another day only: the roster's window has none, and says which.
    let mut other_day = csv(&calls(300, 8, 10));
    other_day = other_day.replace("2026-02-16", "2026-02-23");
    import(&app, q, other_day).await;
    let got = problem(
        app.post_json(&path, &json!({})).await,
        422,
        "no_call_records",
    )
    .await;
    assert!(
        got["detail"].as_str().unwrap().contains(
            "no call records from 2026-02-16T00:00:00+01:00 to 2026-02-17T00:00:00+01:00"
        ),
        "{got}"
    );
    // Enough calls that 1,000 replications are too much work (> 1e7 calls).
    import(&app, q, csv(&calls(8, 0, 23))).await;
    let got = problem(
        app.post_json(&path, &json!({"replications": 1000})).await,
        422,
        "too_costly",
    )
    .await;
    assert_eq!(got["field"], "replications");
    for (body, code, field) in [
        (json!({"replications": 0}), "out_of_range", "replications"),
        (json!({"from": "2026-02-15 12:00"}), "out_of_range", "from"),
        (json!({"to": "2026-02-17 01:00"}), "out_of_range", "to"),
        (json!({"from": "2026-02-16 12:05"}), "off_grid", ""),
        (json!({"from": "noon"}), "invalid_value", "from"),
    ] {
        let got = problem(app.post_json(&path, &body).await, 422, code).await;
        if !field.is_empty() {
            assert_eq!(got["field"], field, "{got}");
        }
    }
    let got = problem(
        app.post_json(&path, &json!({"seeds": 3})).await,
        400,
        "malformed_body",
    )
    .await;
    assert!(got["detail"].as_str().unwrap().contains("seeds"), "{got}");
    // A roster still being built (then cancelled) is not replayed.
    let f = app
        .weekly_average_forecast(q, "2026-02-16T00:00", "2026-02-17T00:00")
        .await;
    let slow =
        json!({"forecast_id": f, "week_start": "2026-02-16", "days": 1, "time_limit_seconds": 60});
    let pending = id_of(&app.create_schedule(&slow).await);
    let got = problem(
        app.post_json(&paths::schedule_replay(pending), &json!({}))
            .await,
        409,
        "schedule_not_done",
    )
    .await;
    let detail = got["detail"].as_str().unwrap();
    assert!(
        detail.contains("is queued") || detail.contains("is running"),
        "{detail}"
    );
    app.delete(&paths::schedule(pending)).await;
    assert_eq!(app.wait_for_schedule(pending).await["status"], "cancelled");
    let got = problem(
        app.post_json(&paths::schedule_replay(pending), &json!({}))
            .await,
        409,
        "schedule_not_done",
    )
    .await;
    assert!(got["detail"].as_str().unwrap().contains("is cancelled"));
}

/// Records that offer `num` calls per `den` the history counts in each
/// quarter-hour of `days` days from `first` (one per interval's first
/// minutes, all answered).
fn offered_share_of(first: &str, days: i64, num: u32, den: u32) -> (String, u64, f64) {
    let history = history_csv("2026-01-05", 42, true);
    let first = NaiveDate::parse_from_str(first, "%Y-%m-%d").unwrap();
    let last = first + Duration::days(days);
    let (mut out, mut calls, mut counted) = (
        String::from("arrival,outcome,wait_seconds,talk_seconds\n"),
        0u64,
        0.0,
    );
    for line in history.lines().skip(1) {
        let mut cols = line.split(',');
        let at = NaiveDateTime::parse_from_str(cols.next().unwrap(), "%Y-%m-%d %H:%M").unwrap();
        let volume: u32 = cols.next().unwrap().parse().unwrap();
        if at.date() < first || at.date() >= last {
            continue;
        }
        counted += f64::from(volume);
        for k in 0..volume * num / den {
            let t = at + Duration::seconds(i64::from(k) * 20);
            out += &format!("{},answered,5,180\n", t.format("%Y-%m-%d %H:%M:%S"));
            calls += 1;
        }
    }
    (out, calls, counted)
}

async fn forecasts_staff_the_share_the_records_offered(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let window = json!({"from": "2026-02-16T00:00", "to": "2026-02-17T00:00",
        "model": "weekly_average"});
    let agents = |reqs: &Value| -> i64 {
        reqs["intervals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["agents_with_shrinkage"].as_i64().unwrap())
            .sum()
    };
    // A twin without records staffs all of the forecast and says nothing.
    let plain = crate::common::queue_with_history(&app, true).await;
    let f0 = app.create_forecast(plain, &window).await;
    assert!(f0["goal"].get("offered").is_none(), "{f0}");
    let warned = |f: &Value| {
        f["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().starts_with("offered:"))
    };
    assert!(!warned(&f0), "{f0}");
    let all = agents(&app.get_json(&paths::forecast_requirements(&f0["id"])).await);

    // Records of the last week before the origin offer 4 of every 5 counted
    // (rounded down per interval), and records after the origin (the
    // window's own day, twice the history) must not count.
    let q = app
        .create_queue(crate::common::paris_queue("offered"))
        .await;
    app.import_history(q, history_csv("2026-01-05", 42, true))
        .await;
    let (mut records, calls, counted) = offered_share_of("2026-02-09", 7, 4, 5);
    for c in csv(&calls_on_window_day()).lines().skip(1) {
        records += &format!("{c}\n");
    }
    import(&app, q, records).await;
    let f = app.create_forecast(q, &window).await;
    let offered = &f["goal"]["offered"];
    let share = calls as f64 / counted;
    assert!(
        (offered["share"].as_f64().unwrap() - share).abs() < 1e-9,
        "{f}"
    );
    assert_eq!(offered["source"]["kind"], "call_records", "{f}");
    assert_eq!(offered["source"]["calls"], calls, "{f}");
    assert!(warned(&f), "{f}");
    // The forecast stays in the history's units; the requirement staffs less.
    let reqs = app.get_json(&paths::forecast_requirements(&f["id"])).await;
    let fewer = agents(&reqs);
    assert!(
        fewer < all,
        "{fewer} agents for {share:.3} of the calls, {all} for all"
    );

    // /check and /simulate count the same share of the forecast: a roster's
    // checked volume is the staffed share of the forecast's.
    app.add_agents(
        q,
        &json!((0..12)
            .map(|i| json!({"name": format!("A {i}"), "external_id": format!("o-{i}")}))
            .collect::<Vec<_>>()),
    )
    .await;
    let body = json!({"forecast_id": f["id"], "week_start": "2026-02-16", "days": 1,
        "solver": "greedy",
        "shift": {"length_minutes": 480, "earliest_start": "07:00:00", "latest_start": "10:00:00"}});
    let s = id_of(&app.create_schedule(&body).await);
    assert_eq!(app.wait_for_schedule(s).await["status"], "done");
    let check = app.get_json(&paths::schedule_check(s)).await;
    let sim = json_of(
        app.post_json(
            &paths::schedule_simulate(s),
            &json!({"seed": 1, "replications": 2}),
        )
        .await,
        200,
    )
    .await;
    let view = app.get_json(&paths::forecast(&f["id"])).await;
    let forecast_total = view["total_volume"].as_f64().unwrap();
    for (what, report) in [("check", &check), ("simulate", &sim)] {
        let total: f64 = report["intervals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["volume"].as_f64().unwrap())
            .sum();
        assert!(
            (total - share * forecast_total).abs() < 1e-6 * forecast_total,
            "{what}: {total} against {share} x {forecast_total}"
        );
    }

    // The queue's own setting wins: 100 staffs all of the forecast again.
    json_of(
        app.patch_json(&paths::queue(q), &json!({"offered_percent": 100}))
            .await,
        200,
    )
    .await;
    let f = app.create_forecast(q, &window).await;
    assert_eq!(
        f["goal"]["offered"],
        json!({"share": 1.0, "source": {"kind": "queue"}})
    );
    assert!(!warned(&f), "{f}");
    let reqs = app.get_json(&paths::forecast_requirements(&f["id"])).await;
    assert_eq!(agents(&reqs), all);

    // Out of range: 422 naming the field; of the wrong type: 400 naming it.
    for (bad, status) in [(json!(0), 422), (json!(250), 422), (json!("most"), 400)] {
        let resp = app
            .patch_json(&paths::queue(q), &json!({"offered_percent": bad}))
            .await;
        let body = json_of(resp, status).await;
        assert!(
            body.to_string().contains("offered_percent"),
            "{bad}: {body}"
        );
    }
    assert_eq!(
        app.get_json(&paths::queue(q)).await["offered_percent"],
        100.0
    );
    // null clears it: learnt from the records again.
    json_of(
        app.patch_json(&paths::queue(q), &json!({"offered_percent": null}))
            .await,
        200,
    )
    .await;
    let f = app.create_forecast(q, &window).await;
    assert_eq!(f["goal"]["offered"]["source"]["kind"], "call_records");
}

/// Calls on the forecast window's own day (after the origin).
fn calls_on_window_day() -> Vec<Call> {
    calls(10, 8, 18)
}

crate::on_both_databases!(
    imports_are_checked_and_all_or_nothing,
    forecasts_staff_the_share_the_records_offered,
    replay_tells_a_generous_roster_from_a_thin_one,
    replay_refusals_say_why,
);
