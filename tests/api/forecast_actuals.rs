//! Forecast vs actual and planner adjustments over real HTTP, on SQLite and PostgreSQL.

use crate::common::{json_of, paths, queue_with_history, time, TestApp, TestDb};
use crate::helpers::id_of;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const PARIS: chrono_tz::Tz = chrono_tz::Europe::Paris;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn local_date(v: &Value) -> NaiveDate {
    time(v).with_timezone(&PARIS).date_naive()
}

/// A queue with six weeks of history and a stored forecast of the week
/// after it (Mon 2026-02-16 .. Sun 2026-02-22, Paris). Returns the queue
/// and forecast ids and the forecast's intervals.
async fn queue_and_forecast(app: &TestApp) -> (i64, i64, Vec<Value>) {
    let q = queue_with_history(app, true).await;
    let id = app
        .weekly_average_forecast(q, "2026-02-16T00:00", "2026-02-23T00:00")
        .await;
    let got = app.get_json(&paths::forecast(id)).await;
    (q, id, got["intervals"].as_array().unwrap().clone())
}

/// Statistical volume per local day.
fn day_totals(intervals: &[Value]) -> BTreeMap<NaiveDate, f64> {
    let mut out = BTreeMap::new();
    for i in intervals {
        *out.entry(local_date(&i["interval_start"])).or_insert(0.0) += f(&i["volume"]);
    }
    out
}

/// Imports `factor` × the forecast's volume as actuals for the open
/// intervals of the given local days.
async fn import_actuals(app: &TestApp, q: i64, intervals: &[Value], days: &[&str], factor: f64) {
    let days: Vec<NaiveDate> = days.iter().map(|d| d.parse().unwrap()).collect();
    let rows: Vec<Value> = intervals
        .iter()
        .filter(|i| days.contains(&local_date(&i["interval_start"])) && f(&i["volume"]) > 0.0)
        .map(|i| json!({"interval_start": i["interval_start"], "volume": f(&i["volume"]) * factor}))
        .collect();
    assert!(!rows.is_empty());
    app.import_history_json(q, &json!(rows)).await;
}

async fn accuracy(app: &TestApp, f: i64) -> Value {
    app.get_json(&paths::forecast_accuracy(f)).await
}

async fn realised_appears_once_actuals_are_imported(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (q, id, intervals) = queue_and_forecast(&app).await;

    let before = accuracy(&app, id).await;
    assert!(before["realised"].is_null(), "{before}");
    // Every field the accuracy had is still there, with the promise beside it.
    assert_eq!(before["chosen"], "weekly_average");
    assert_eq!(before["requested"]["model"], "weekly_average");
    let scores = before["backtest"]["scores"].as_array().unwrap();
    let backtested = scores
        .iter()
        .find(|s| s["model"] == "weekly_average")
        .unwrap();
    let promise = &before["promise"];
    assert_eq!(promise["model"], "weekly_average");
    for key in ["wape", "bias", "busiest_day_error", "coverage_p10_p90"] {
        assert_eq!(promise[key], backtested[key], "promise.{key}");
    }
    assert!(f(&promise["wape"]) > 0.0);
    assert_eq!(promise["horizon_days"], 7);

    // Actuals 10 % above the forecast, Monday to Wednesday.
    import_actuals(
        &app,
        q,
        &intervals,
        &["2026-02-16", "2026-02-17", "2026-02-18"],
        1.1,
    )
    .await;
    let acc = accuracy(&app, id).await;
    let realised = &acc["realised"];
    assert!(realised.is_object(), "{acc}");
    let days = realised["by_day"].as_array().unwrap();
    let dates: Vec<&str> = days.iter().map(|d| d["date"].as_str().unwrap()).collect();
    // Thursday to Sunday have no actual yet: absent, never scored as zero.
    assert_eq!(dates, ["2026-02-16", "2026-02-17", "2026-02-18"]);
    let statistical = day_totals(&intervals);
    for d in days {
        let date: NaiveDate = d["date"].as_str().unwrap().parse().unwrap();
        assert!(close(f(&d["wape"]), 0.1 / 1.1), "{d}");
        assert!(close(f(&d["bias"]), -0.1 / 1.1), "{d}");
        assert!(close(f(&d["forecast"]), statistical[&date]), "{d}");
        assert!(close(f(&d["actual"]), 1.1 * statistical[&date]), "{d}");
        assert_eq!(d["intervals"], 40, "open 08:00-18:00");
    }
    let weeks = realised["by_week"].as_array().unwrap();
    assert_eq!(weeks.len(), 1);
    assert_eq!(weeks[0]["week_start"], "2026-02-16");
    assert_eq!(weeks[0]["days"], 3);
    assert!(close(f(&weeks[0]["wape"]), 0.1 / 1.1));
    let o = &realised["overall"];
    assert!(close(f(&o["wape"]), 0.1 / 1.1), "{o}");
    assert!(close(f(&o["bias"]), -0.1 / 1.1), "{o}");
    // Every day 10 % up, so the busiest day is too.
    assert!(close(f(&o["busiest_day_error"]), 0.1 / 1.1), "{o}");
    assert!(close(f(&o["p95_interval_error"]), 0.1 / 1.1), "{o}");
    assert_eq!(o["days_with_actuals"], 3);
    assert_eq!(o["window_intervals"], 7 * 96);
    assert!(close(f(&o["share_of_window"]), 120.0 / 672.0));
    let three: f64 = statistical.values().take(3).sum();
    let all: f64 = statistical.values().sum();
    assert!(close(f(&o["share_of_forecast_volume"]), three / all));
    let coverage = f(&o["coverage_p10_p90"]);
    assert!((0.0..=1.0).contains(&coverage));
    assert_eq!(
        time(&o["actuals_from"]),
        "2026-02-16T07:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(
        time(&o["actuals_to"]),
        "2026-02-18T17:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    // No adjustments: no adjusted scores. The promise is still beside it.
    assert!(realised["adjusted"].is_null());
    assert_eq!(acc["promise"], before["promise"]);
    assert_eq!(acc["backtest"], before["backtest"]);

    // The stored forecast did not move with the new history.
    let again = app.get_json(&paths::forecast(id)).await;
    assert_eq!(again["intervals"].as_array().unwrap(), &intervals);
}

async fn adjustments_are_kept_apart_and_shown_with_the_forecast(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (q, id, intervals) = queue_and_forecast(&app).await;
    let path = paths::forecast_adjustments(id);
    let statistical = day_totals(&intervals);
    let total: f64 = statistical.values().sum();
    let wed: NaiveDate = "2026-02-18".parse().unwrap();

    let stored = json_of(
        app.post_json(
            &path,
            &json!([
                {"week": "2026-02-16", "percent": 10, "reason": "spring campaign"},
                {"date": "2026-02-18", "absolute": -50, "reason": "web form down: fewer contacts"}
            ]),
        )
        .await,
        201,
    )
    .await;
    let stored = stored.as_array().unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0]["week"], "2026-02-16");
    assert_eq!(stored[0]["percent"], 10.0);
    assert_eq!(stored[0]["reason"], "spring campaign");
    assert_eq!(stored[1]["date"], "2026-02-18");
    assert_eq!(stored[1]["absolute"], -50.0);
    assert_eq!(stored[1]["forecast_id"], id);
    assert!(stored[1]["created_at"].is_string());
    let listed = app.get_json(&path).await;
    assert_eq!(listed.as_array().unwrap(), stored);

    let got = app.get_json(&paths::forecast(id)).await;
    let rows = got["intervals"].as_array().unwrap();
    // The statistical forecast is unchanged, interval by interval.
    assert!(close(f(&got["total_volume"]), total));
    for (row, before) in rows.iter().zip(&intervals) {
        for key in [
            "interval_start",
            "volume",
            "volume_p10",
            "volume_p90",
            "aht_seconds",
        ] {
            assert_eq!(row[key], before[key], "{key}");
        }
    }
    assert!(
        close(f(&got["adjusted_total_volume"]), 1.1 * total - 50.0),
        "{} vs {}",
        got["adjusted_total_volume"],
        1.1 * total - 50.0
    );
    let daily = got["daily_totals"].as_array().unwrap();
    assert_eq!(daily.len(), 7);
    for d in daily {
        let date: NaiveDate = d["date"].as_str().unwrap().parse().unwrap();
        let expected = 1.1 * statistical[&date] - if date == wed { 50.0 } else { 0.0 };
        assert!(close(f(&d["adjusted_volume"]), expected), "{d}");
        assert!(close(f(&d["volume"]), statistical[&date]), "{d}");
    }
    // On Wednesday the −50 follows the statistical shape; bands move with the volume.
    for row in rows
        .iter()
        .filter(|r| local_date(&r["interval_start"]) == wed)
    {
        let v = f(&row["volume"]);
        let adjusted = 1.1 * v - 50.0 * v / statistical[&wed];
        assert!(close(f(&row["adjusted_volume"]), adjusted), "{row}");
        if v > 0.0 {
            let ratio = adjusted / v;
            assert!(close(
                f(&row["adjusted_volume_p10"]),
                f(&row["volume_p10"]) * ratio
            ));
            assert!(close(
                f(&row["adjusted_volume_p90"]),
                f(&row["volume_p90"]) * ratio
            ));
        }
    }
    assert_eq!(got["adjustments"].as_array().unwrap(), stored);

    // Realised scores for the adjusted forecast sit beside the statistical ones.
    import_actuals(&app, q, &intervals, &["2026-02-18"], 1.1).await;
    let acc = accuracy(&app, id).await;
    let stat_day = &acc["realised"]["by_day"][0];
    let adj_day = &acc["realised"]["adjusted"]["by_day"][0];
    assert_eq!(adj_day["date"], "2026-02-18");
    assert!(close(f(&stat_day["forecast"]), statistical[&wed]));
    assert!(close(
        f(&adj_day["forecast"]),
        1.1 * statistical[&wed] - 50.0
    ));
    assert!(close(f(&adj_day["actual"]), 1.1 * statistical[&wed]));
    assert!(close(
        f(&adj_day["bias"]),
        -50.0 / (1.1 * statistical[&wed])
    ));

    // One object (not an array) is fine too; DELETE removes it again.
    let one = json_of(
        app.post_json(
            &path,
            &json!({"date": "2026-02-19", "percent": -10, "reason": "school holiday"}),
        )
        .await,
        201,
    )
    .await;
    let one_id = id_of(&one[0]);
    let with_three = app.get_json(&paths::forecast(id)).await;
    let thu: NaiveDate = "2026-02-19".parse().unwrap();
    assert!(close(
        f(&with_three["adjusted_total_volume"]),
        1.1 * total - 50.0 - 0.11 * statistical[&thu]
    ));
    let resp = app.delete(&paths::forecast_adjustment(id, one_id)).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(app.get_json(&path).await.as_array().unwrap(), stored);
    let resp = app.delete(&paths::forecast_adjustment(id, one_id)).await;
    assert_eq!(json_of(resp, 404).await["error"], "not_found");
    // Removing every adjustment gives the plain forecast back.
    for s in stored {
        let resp = app.delete(&paths::forecast_adjustment(id, id_of(s))).await;
        assert_eq!(resp.status(), 204);
    }
    let plain = app.get_json(&paths::forecast(id)).await;
    assert!(plain.get("adjusted_total_volume").is_none());
    assert!(plain["intervals"][0].get("adjusted_volume").is_none());
    assert!(accuracy(&app, id).await["realised"]["adjusted"].is_null());
}

async fn bad_adjustments_are_refused_naming_the_field(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, id, _) = queue_and_forecast(&app).await;
    let path = paths::forecast_adjustments(id);
    let ok = json!({"date": "2026-02-18", "percent": 5, "reason": "r"});
    let cases = [
        (
            json!([{"date": "2026-02-18", "percent": -100, "reason": "r"}]),
            "adjustments[0].percent: must be > -100",
        ),
        (
            json!([ok, {"date": "2026-03-01", "percent": 5, "reason": "r"}]),
            "adjustments[1].date: 2026-03-01 is outside the window",
        ),
        (
            json!({"week": "2026-02-18", "percent": 5, "reason": "r"}),
            "adjustments[0].week: 2026-02-18 is a Wednesday",
        ),
        (
            json!({"week": "2026-02-23", "percent": 5, "reason": "r"}),
            "adjustments[0].week",
        ),
        (
            json!({"date": "2026-02-18", "week": "2026-02-16", "percent": 5, "reason": "r"}),
            "adjustments[0].week: give either date or week",
        ),
        (
            json!({"date": "2026-02-18", "percent": 5}),
            "adjustments[0].reason: required",
        ),
        (
            json!({"date": "2026-02-18", "percent": 5, "reason": "   "}),
            "adjustments[0].reason: must not be empty",
        ),
        (
            json!({"date": "2026-02-18", "percent": 5, "reason": "x".repeat(501)}),
            "adjustments[0].reason: at most 500 characters",
        ),
        (
            json!({"date": "2026-02-18", "reason": "r"}),
            "adjustments[0].percent: required",
        ),
        (
            json!({"date": "2026-02-18", "absolute": -100000, "reason": "r"}),
            "adjustments[0].absolute: -100000 would take day 2026-02-18 below zero",
        ),
        (json!([]), "adjustments: give at least one"),
    ];
    for (body, expected) in cases {
        let err = json_of(app.post_json(&path, &body).await, 422).await;
        assert_eq!(err["error"], "invalid");
        let message = err["message"].as_str().unwrap();
        assert!(message.starts_with(expected), "{body}: {message}");
    }
    // All or none: the good first adjustment of a refused batch was not kept.
    assert_eq!(app.get_json(&path).await, json!([]));

    // Unreadable bodies: 400 naming the element.
    let err = json_of(
        app.post_json(
            &path,
            &json!([ok, {"date": "2026-02-18", "percent": 5, "reason": "r", "note": 1}]),
        )
        .await,
        400,
    )
    .await;
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("adjustments[1]") && message.contains("unknown field `note`"),
        "{message}"
    );
    let err = json_of(app.post_json(&path, &json!("15%")).await, 400).await;
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("adjustment object"));

    // Unknown forecast or adjustment: 404.
    let unknown = id + 1000;
    for resp in [
        app.post_json(&paths::forecast_adjustments(unknown), &ok)
            .await,
        app.get(&paths::forecast_adjustments(unknown)).await,
        app.get(&paths::forecast_accuracy(unknown)).await,
        app.delete(&paths::forecast_adjustment(id, 999)).await,
    ] {
        assert_eq!(json_of(resp, 404).await["error"], "not_found");
    }
}

crate::on_both_databases!(
    realised_appears_once_actuals_are_imported,
    adjustments_are_kept_apart_and_shown_with_the_forecast,
    bad_adjustments_are_refused_naming_the_field,
);
