//! Forecast → requirements → roster → check over real HTTP, on SQLite and PostgreSQL.

use crate::common::{json_of, paths, queue_with_history, time, TestApp, TestDb};
use crate::helpers::{id_of, rounded};
use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};
use serde_json::{json, Value};
use staffcast::domain::ServiceGoal;
use staffcast::staffing::{required_agents, StaffingTarget, Workload};
use std::collections::HashMap;

type Span = (DateTime<Utc>, DateTime<Utc>);

const PARIS: chrono_tz::Tz = chrono_tz::Europe::Paris;

/// A job queued before the service (re)started is picked up and finished.
async fn queued_jobs_survive_a_restart(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    let run = app.create_forecast(q, &json!({})).await;
    let agents = json!([{"name": "A", "external_id": "A1"}, {"name": "B", "external_id": "B1"}]);
    app.add_agents(q, &agents).await;
    let db = tokio::task::block_in_place(|| app.stop_and_keep_db());
    // While no service runs, a job is queued straight into the store.
    let store = db.open();
    let request = staffcast::app::schedule::ScheduleRequest {
        time_limit_seconds: 1.0,
        ..staffcast::app::schedule::ScheduleRequest::new(
            staffcast::domain::ForecastId(id_of(&run) as i32),
            None,
            7,
        )
    };
    let queued = staffcast::app::schedule::submit_schedule(&store, &request).unwrap();
    assert_eq!(queued.status, staffcast::db::schedules::JobStatus::Queued);
    let restarted = TestApp::spawn(db).await;
    let done = restarted.wait_for_schedule(i64::from(queued.id.0)).await;
    assert_eq!(done["status"], "done");
    let roster = restarted.get_json(&paths::schedule_roster(queued.id)).await;
    assert!(!roster["shifts"].as_array().unwrap().is_empty());
}

async fn forecast_and_requirements_follow_the_goal(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    let run = app
        .create_forecast(
            q,
            &json!({"from": "2026-02-16T00:00:00+01:00", "to": "2026-02-23 00:00", "weeks": 6, "model": "weekly_average"}),
        )
        .await;
    let f = id_of(&run);
    assert_eq!(run["model"], "weekly_average");
    insta::assert_json_snapshot!("forecast_run", rounded(&run), {
        ".id" => "[id]",
        ".queue_id" => "[id]",
        ".created_at" => "[created_at]",
    });
    assert_eq!(
        time(&run["from"]),
        "2026-02-15T23:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );

    let got = app.get_json(&paths::forecast(f)).await;
    let intervals = got["intervals"].as_array().unwrap();
    assert_eq!(intervals.len(), 7 * 96);
    assert_eq!(got["time_zone"], "Europe/Paris");
    let open: Vec<&Value> = intervals
        .iter()
        .filter(|i| i["volume"].as_f64().unwrap() > 0.0)
        .collect();
    assert_eq!(
        open.len(),
        7 * 40,
        "open 08:00-18:00 every day, closed otherwise"
    );
    for i in &open {
        let local = time(&i["interval_start"]).with_timezone(&PARIS);
        assert!(local.hour() >= 8 && local.hour() < 18, "{local}");
    }

    let reqs = app.get_json(&paths::forecast_requirements(f)).await;
    let rows = reqs["intervals"].as_array().unwrap();
    assert_eq!(rows.len(), 7 * 96);
    let volume_at: HashMap<DateTime<Utc>, (f64, f64)> = intervals
        .iter()
        .map(|i| {
            (
                time(&i["interval_start"]),
                (
                    i["volume"].as_f64().unwrap(),
                    i["aht_seconds"].as_f64().unwrap(),
                ),
            )
        })
        .collect();
    let goal = ServiceGoal::new(0.8, 20.0, None, None).unwrap();
    for r in rows {
        let (volume, aht) = volume_at[&time(&r["start"])];
        let expected = required_agents(
            &Workload::new(volume, aht, 900.0).unwrap(),
            &StaffingTarget::new(goal, 0.85, 0.25).unwrap(),
        )
        .unwrap();
        assert_eq!(
            r["agents_net"].as_u64().unwrap(),
            u64::from(expected.agents_net)
        );
        assert_eq!(
            r["agents_with_shrinkage"].as_u64().unwrap(),
            u64::from(expected.agents_with_shrinkage)
        );
        if volume > 0.0 {
            assert!(r["service_level"].as_f64().unwrap() >= 0.8);
            assert!(r["occupancy"].as_f64().unwrap() <= 0.85 + 1e-12);
        } else {
            assert_eq!(r["agents_net"], 0);
        }
    }
    assert!(reqs["peak_agents"].as_u64().unwrap() > 0);

    let list = app.get_json(&paths::queue_forecasts(q)).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

/// `auto` backtests every model, stores the scores, picks the lowest WAPE,
/// reuses the fit until history changes, and applies the calendar.
async fn auto_model_choice_backtests_and_calendar(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    let path = paths::queue_forecasts(q);
    let body = json!({"from": "2026-02-16T00:00:00+01:00", "to": "2026-02-23T00:00:00+01:00"});
    let run = app.create_forecast(q, &body).await;
    let f = id_of(&run);
    let acc = app.get_json(&paths::forecast_accuracy(f)).await;
    assert_eq!(acc["requested"], "auto");
    assert_eq!(acc["reused_fit"], false);
    let scores = acc["backtest"]["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 6, "every candidate is scored: {acc}");
    // Six weeks of history: too little for the long-horizon model, which
    // says why instead of scoring.
    let lh = scores
        .iter()
        .find(|s| s["model"] == "long_horizon")
        .unwrap();
    assert!(lh["wape"].is_null());
    assert!(
        lh["error"].as_str().unwrap().contains("not enough history"),
        "{acc}"
    );
    // The window starts at the end of the history: no lead, stated.
    assert_eq!(run["lead_days"], 0);
    assert_eq!(run["gap_days"], 0);
    assert!(run["model_reason"].as_str().unwrap().contains("lead 0 d"));
    let chosen = acc["chosen"].as_str().unwrap();
    assert_eq!(run["model"], chosen);
    let wape_of = |m: &str| scores.iter().find(|s| s["model"] == m).unwrap()["wape"].as_f64();
    let best = scores
        .iter()
        .filter_map(|s| s["wape"].as_f64())
        .fold(f64::INFINITY, f64::min);
    let chosen_wape = wape_of(chosen).expect("the chosen model was backtested");
    // The lowest WAPE wins, or the ensemble when nothing beat it by more
    // than chance, and the reason says which.
    let reason = run["model_reason"].as_str().unwrap();
    if chosen_wape > best {
        assert_eq!(
            chosen, "ensemble",
            "chosen {chosen} {chosen_wape} vs best {best}"
        );
        assert!(reason.starts_with("ensemble kept"), "{reason}");
    } else {
        assert!(reason.starts_with("lowest backtest WAPE"), "{reason}");
    }

    // Same history, same request: the stored fit is reused.
    let again = app.create_forecast(q, &body).await;
    let acc2 = app.get_json(&paths::forecast_accuracy(id_of(&again))).await;
    assert_eq!(acc2["reused_fit"], true);
    let first = app.get_json(&paths::forecast(f)).await;
    let second = app.get_json(&paths::forecast(id_of(&again))).await;
    assert_eq!(first["intervals"], second["intervals"]);

    // The planner closes Wednesday 2026-02-18: that day is forecast as zero.
    let cal = paths::queue_special_days(q);
    app.import_special_days(q, "date,kind,name,effect_percent\n2026-02-18,closed,Strike day,\n2026-02-19,campaign,Launch,+30\n").await;
    let listed = app.get_json(&cal).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(
        listed[1]["effect_percent"].as_f64().map(f64::round),
        Some(30.0)
    );
    let run3 = app.create_forecast(q, &body).await;
    let acc3 = app.get_json(&paths::forecast_accuracy(id_of(&run3))).await;
    assert_eq!(acc3["reused_fit"], false, "a new calendar means a new fit");
    let third = app.get_json(&paths::forecast(id_of(&run3))).await;
    let day_total = |v: &Value, day: &str| -> f64 {
        v["intervals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| {
                time(&i["interval_start"])
                    .with_timezone(&PARIS)
                    .date_naive()
                    .to_string()
                    == day
            })
            .map(|i| i["volume"].as_f64().unwrap())
            .sum()
    };
    assert!(day_total(&first, "2026-02-18") > 0.0);
    assert_eq!(day_total(&third, "2026-02-18"), 0.0);
    let lift = day_total(&third, "2026-02-19") / day_total(&first, "2026-02-19");
    assert!((lift - 1.3).abs() < 0.02, "campaign +30%: {lift}");

    // Bad calendar rows are refused whole, naming the line.
    let resp = app
        .post_body(
            &cal,
            "text/csv",
            "date,kind,name\n2026-03-01,holiday,Fine\n2026-03-02,party,Oops\n",
        )
        .await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("line 3"));
    assert_eq!(app.get_json(&cal).await.as_array().unwrap().len(), 2);
    let strike_day = paths::queue_special_day(q, "2026-02-18");
    let resp = app.delete(&strike_day).await;
    assert_eq!(resp.status(), 204);
    let resp = app.delete(&strike_day).await;
    assert_eq!(resp.status(), 404);
    let resp = app
        .post_json(&path, &json!({"model": "crystal_ball"}))
        .await;
    assert_eq!(resp.status(), 422);
}

async fn forecast_defaults_to_the_week_after_history(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    let resp = app
        .client
        .post(app.url(&paths::queue_forecasts(q)))
        .send()
        .await
        .unwrap();
    let run = json_of(resp, 201).await;
    // History ends Sunday 2026-02-15 18:00 local: the next local midnight starts the window.
    assert_eq!(
        time(&run["from"]),
        "2026-02-15T23:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(time(&run["to"]) - time(&run["from"]), Duration::days(7));
}

async fn forecast_errors_are_clear(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, false).await;
    let path = paths::queue_forecasts(q);
    let cases = [
        (
            json!({"from": "2026-02-23T00:00:00Z", "to": "2026-02-16T00:00:00Z"}),
            422,
            "window",
        ),
        (
            json!({"from": "2026-02-16T00:07:00Z", "to": "2026-02-17T00:00:00Z"}),
            422,
            "grid",
        ),
        (json!({"from": "next monday"}), 422, "from"),
        (
            json!({"from": "2026-02-16T00:00:00Z", "weeks": 0}),
            422,
            "weeks",
        ),
        (
            json!({"from": "2026-02-16T00:00:00Z", "weeks": "six"}),
            400,
            "weeks",
        ),
        (json!({"from": "2025-01-01T00:00:00Z"}), 422, "no history"),
        (json!({"form": "2026-02-16T00:00:00Z"}), 400, "form"),
    ];
    for (body, status, needle) in cases {
        let resp = app.post_json(&path, &body).await;
        let got = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        assert_eq!(got, status, "{body}: {text}");
        assert!(
            text.contains(needle),
            "{body}: '{text}' should mention '{needle}'"
        );
    }
    assert_eq!(
        app.post_json(&paths::queue_forecasts(999), &json!({}))
            .await
            .status(),
        404
    );
    assert_eq!(app.get(&paths::forecast(999)).await.status(), 404);
    assert_eq!(
        app.get(&paths::forecast_requirements(999)).await.status(),
        404
    );
    // History without handle time: a forecast, but no requirement to staff.
    let run = app.create_forecast(q, &json!({})).await;
    let resp = app.get(&paths::forecast_requirements(id_of(&run))).await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("aht_seconds"));
}

async fn roster_covers_and_keeps_every_rule(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    let f = id_of(&app.create_forecast(q, &json!({})).await);

    // No agents yet: a clear 422, nothing stored.
    let body = json!({"forecast_id": f, "time_limit_seconds": 2, "shift": {"length_minutes": 480, "earliest_start": "07:00:00",
                      "latest_start": "10:00:00", "lunch_minutes": 30}});
    let resp = app.post_json(&paths::schedules(), &body).await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("no agents"));

    let agents: Vec<Value> = (0..12)
        .map(|i| json!({"name": format!("Agent {i}"), "external_id": format!("HR-{i}"), "min_week_hours": 15, "max_week_hours": 30}))
        .collect();
    app.add_agents(q, &json!(agents)).await;

    let resp = app.post_json(&paths::schedules(), &body).await;
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    let queued = json_of(resp, 202).await;
    let s = id_of(&queued);
    assert_eq!(location, paths::schedule(s));
    assert!(
        location.starts_with(&format!("{}/", paths::schedules())),
        "{location}"
    );
    assert!(["queued", "running", "done"].contains(&queued["status"].as_str().unwrap()));
    let schedule = app.wait_for_schedule(s).await;
    assert_eq!(schedule["status"], "done");
    assert_eq!(schedule["progress_percent"], 100.0);
    // The search runs against a time limit: what it reaches (objective,
    // iterations, the bound, the binding rules) varies from run to run and
    // is checked below; the job's shape, params and status do not.
    let mut shown = schedule.clone();
    for value in shown["report"]["objective"]
        .as_object_mut()
        .unwrap()
        .values_mut()
    {
        *value = json!("[search]");
    }
    insta::assert_json_snapshot!("schedule_run", shown, {
        ".id" => "[id]",
        ".queue_id" => "[id]",
        ".forecast_id" => "[id]",
        ".params.forecast_id" => "[id]",
        ".created_at" => "[timestamp]",
        ".started_at" => "[timestamp]",
        ".finished_at" => "[timestamp]",
        ".best_objective" => "[search]",
        ".coverage_percent" => "[search]",
        ".rostered_hours" => "[search]",
        ".report.binding_rules" => "[search]",
        ".report.first_roster_objective" => "[search]",
        ".report.search_start_objective" => "[search]",
        ".report.iterations" => "[search]",
        ".report.short_intervals" => "[search]",
        ".report.lower_bound" => "[search]",
        ".report.gap_percent" => "[search]",
        ".report.stop" => "[search]",
        ".report.bound_seconds" => "[duration]",
        ".report.elapsed_seconds" => "[duration]",
        ".report.first_roster_seconds" => "[duration]",
    });
    let resp = app.delete(&paths::schedule(s)).await;
    assert_eq!(resp.status(), 409, "a finished job cannot be cancelled");
    let resp = app.delete(&paths::schedule(999)).await;
    assert_eq!(resp.status(), 404);
    let coverage = schedule["coverage_percent"].as_f64().unwrap();
    assert!(coverage > 50.0 && coverage <= 100.0, "coverage {coverage}");

    let roster = app
        .get_json(&paths::with_query(
            paths::schedule_roster(s),
            &[("format", &"json")],
        ))
        .await;
    let shifts = roster["shifts"].as_array().unwrap();
    assert!(!shifts.is_empty());
    let mut hours: HashMap<String, f64> = HashMap::new();
    let mut by_agent: HashMap<String, Vec<Span>> = HashMap::new();
    for sh in shifts {
        let (start, end) = (time(&sh["start"]), time(&sh["end"]));
        assert_eq!(end - start, Duration::minutes(480));
        let local = start.with_timezone(&PARIS).time();
        assert!(
            local >= NaiveTime::from_hms_opt(7, 0, 0).unwrap()
                && local <= NaiveTime::from_hms_opt(10, 0, 0).unwrap()
        );
        let breaks = sh["breaks"].as_array().unwrap();
        assert_eq!(breaks.len(), 1);
        let (b0, b1) = (time(&breaks[0]["start"]), time(&breaks[0]["end"]));
        assert_eq!(b1 - b0, Duration::minutes(30));
        assert!(
            b0 >= start + Duration::hours(2) && b1 <= end - Duration::hours(1),
            "lunch inside its window"
        );
        assert_eq!(sh["paid_hours"].as_f64().unwrap(), 7.5);
        let who = sh["external_id"].as_str().unwrap().to_string();
        *hours.entry(who.clone()).or_default() += 7.5;
        by_agent.entry(who).or_default().push((start, end));
    }
    for (who, h) in &hours {
        assert!(*h <= 30.0, "{who} works {h} h, contract max 30");
    }
    for (who, mut list) in by_agent {
        list.sort();
        assert!(list.len() <= 5, "{who}: at most 5 days");
        for pair in list.windows(2) {
            assert!(
                pair[1].0 - pair[0].1 >= Duration::hours(11),
                "{who}: 11 h rest"
            );
        }
    }

    let csv = app
        .get(&paths::with_query(
            paths::schedule_roster(s),
            &[("format", &"csv")],
        ))
        .await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    assert_eq!(csv.lines().count(), shifts.len() + 1);
    assert!(csv.lines().nth(1).unwrap().contains("unpaid"));

    let check = app.get_json(&paths::schedule_check(s)).await;
    let sl = check["service_level"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&sl));
    assert_eq!(check["intervals"].as_array().unwrap().len(), 7 * 96);

    assert_eq!(
        app.get(&paths::with_query(
            paths::schedule_roster(s),
            &[("format", &"xml")]
        ))
        .await
        .status(),
        400
    );
    assert_eq!(app.get(&paths::schedule(999)).await.status(), 404);
    let resp = app
        .post_json(&paths::schedules(), &json!({"forecast_id": 999}))
        .await;
    assert_eq!(resp.status(), 404);
    let bad_rule = json!({"forecast_id": f, "shift": {"earliest_start": "12:00:00", "latest_start": "08:00:00"}});
    assert_eq!(
        app.post_json(&paths::schedules(), &bad_rule).await.status(),
        422
    );
}

/// The origin is apart from the window: a lead is backtested and stated,
/// a gap before the origin is reported, an origin after `from` is refused.
async fn origin_apart_from_the_window(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    // History to 2026-02-16; origin two weeks earlier, window after it.
    let body = json!({"origin": "2026-02-02T00:00:00+01:00",
        "from": "2026-02-16T00:00:00+01:00", "to": "2026-02-23T00:00:00+01:00"});
    let run = app.create_forecast(q, &body).await;
    assert_eq!(run["lead_days"], 14, "{run}");
    assert_eq!(run["window_days"], 7);
    assert_eq!(
        time(&run["origin"]),
        time(&json!("2026-02-02T00:00:00+01:00"))
    );
    // The history used ends at the origin (the queue closes at 18:00).
    assert_eq!(
        time(&run["history_end"]),
        time(&json!("2026-02-01T18:00:00+01:00"))
    );
    assert!(
        run["model_reason"].as_str().unwrap().contains("lead 14 d"),
        "{run}"
    );
    let acc = app.get_json(&paths::forecast_accuracy(id_of(&run))).await;
    assert_eq!(acc["lead_days"], 14);
    assert_eq!(acc["backtest"]["lead_days"], 14);
    assert_eq!(acc["backtest"]["horizon_days"], 7);

    // No origin and a window four weeks after the history: the origin is
    // the end of the history and the lead is 28 days, not a silent gap.
    let later = json!({"from": "2026-03-16T00:00:00+01:00", "to": "2026-03-23T00:00:00+01:00"});
    let run = app.create_forecast(q, &later).await;
    assert_eq!(run["lead_days"], 28, "{run}");
    assert_eq!(
        time(&run["origin"]),
        time(&json!("2026-02-16T00:00:00+01:00"))
    );
    assert_eq!(run["gap_days"], 0);

    // An origin after the history ends: the gap is reported.
    let gap = json!({"origin": "2026-03-02T00:00:00+01:00",
        "from": "2026-03-02T00:00:00+01:00", "to": "2026-03-09T00:00:00+01:00"});
    let run = app.create_forecast(q, &gap).await;
    assert_eq!(run["gap_days"], 14, "{run}");
    assert!(
        run["warnings"][0].as_str().unwrap().contains("gap"),
        "{run}"
    );

    // The window may not start before the origin.
    let bad = json!({"origin": "2026-02-10T00:00:00+01:00",
        "from": "2026-02-09T00:00:00+01:00", "to": "2026-02-12T00:00:00+01:00"});
    let resp = app.post_json(&paths::queue_forecasts(q), &bad).await;
    assert_eq!(resp.status(), 422);
    let text = resp.text().await.unwrap();
    assert!(text.contains("origin"), "{text}");
}

/// Five weeks of history: `auto` backtests on what there is (origins with
/// two weeks or more of history) and says so, instead of null scores.
async fn auto_with_five_weeks_backtests_on_what_it_has(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = app.create_queue(crate::common::paris_queue("short")).await;
    let resp = app
        .post_body(
            &paths::queue_history(q),
            "text/csv",
            crate::common::history_csv("2026-01-05", 35, true),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let run = app.create_forecast(q, &json!({})).await;
    let reason = run["model_reason"].as_str().unwrap();
    assert!(reason.contains("backtest WAPE"), "{run}");
    assert!(reason.contains("short history"), "{run}");
    assert!(
        run["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("short history")),
        "{run}"
    );
    let acc = app.get_json(&paths::forecast_accuracy(id_of(&run))).await;
    assert!(
        !acc["backtest"]["origins"].as_array().unwrap().is_empty(),
        "{acc}"
    );
    let chosen = acc["chosen"].as_str().unwrap();
    let scores = acc["backtest"]["scores"].as_array().unwrap();
    let chosen_score = scores.iter().find(|s| s["model"] == chosen).unwrap();
    assert!(chosen_score["wape"].is_number(), "{acc}");
}

crate::on_both_databases!(
    auto_with_five_weeks_backtests_on_what_it_has,
    origin_apart_from_the_window,
    forecast_and_requirements_follow_the_goal,
    forecast_defaults_to_the_week_after_history,
    auto_model_choice_backtests_and_calendar,
    forecast_errors_are_clear,
    roster_covers_and_keeps_every_rule,
    queued_jobs_survive_a_restart,
);
