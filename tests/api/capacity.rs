//! History → 20-week forecast → capacity plan with a variant, over real
//! HTTP, on SQLite and PostgreSQL; and the plan's 4xx answers.

use crate::common::{
    history_csv, json_of, paris_queue, paths, queue_with_history, TestApp, TestDb,
};
use crate::helpers::{id_of, rounded};
use serde_json::{json, Value};

/// 8 people against a need of about 10–11 FTE, a campaign week making a
/// peak, temps and overtime to bridge the weeks before classes can help.
fn plan(forecast_id: i64) -> Value {
    json!({
        "forecast_id": forecast_id,
        "plan": {
            "current_fte": 8, "cost_per_hour": 21, "attrition_percent_per_month": 2,
            "overtime": {"max_percent": 10},
            "temps": {"max_headcount": 6, "cost_per_hour": 30},
            "new_hires": {"training_weeks": 4, "ramp": [0.5, 0.75]}
        },
        "variants": [{"name": "attrition 4%", "plan": {"attrition_percent_per_month": 4}}]
    })
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The 422 (or other) message, after checking the status.
async fn error_of(resp: reqwest::Response, status: u16) -> String {
    let body = json_of(resp, status).await;
    body["message"].as_str().unwrap().to_string()
}

async fn capacity_plan_over_http(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    // A campaign week (+60%) is the peak; Easter Monday is a paid holiday.
    let mut calendar =
        String::from("date,kind,name,effect_percent\n2026-04-06,holiday,Easter Monday,\n");
    for day in 11..=16 {
        calendar.push_str(&format!("2026-05-{day},campaign,Spring sale,+60\n"));
    }
    app.import_special_days(q, calendar).await;
    // 20 weeks: Monday 2026-02-16 to Monday 2026-07-06.
    let fid = app
        .weekly_average_forecast(q, "2026-02-16T00:00", "2026-07-06T00:00")
        .await;

    let path = paths::queue_capacity_plans(q);
    let created = app.create_capacity_plan(q, &plan(fid)).await;
    assert_eq!(created["queue_id"], q);
    assert_eq!(created["forecast_id"], fid);
    // Queue defaults filled in and stored: shrinkage 25%, the calendar's holiday.
    assert_eq!(f(&created["request"]["plan"]["shrinkage_percent"]), 25.0);
    assert_eq!(
        created["request"]["plan"]["holidays"],
        json!(["2026-04-06"])
    );

    let result = &created["result"];
    assert_eq!(result["time_zone"], "Europe/Paris");
    let scenarios = result["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 2);
    let base = &scenarios[0];
    assert_eq!(base["name"], "base");
    assert_eq!(base["first_week"], "2026-02-16");
    let weeks = base["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 20);
    assert_eq!(base["peak"]["max_week"], "2026-05-11", "the campaign week");
    let mut short_before = 0;
    for w in weeks {
        let (required, available, gap) = (
            f(&w["required_fte"]),
            f(&w["available_fte"]),
            f(&w["gap_fte"]),
        );
        assert!(required > 0.0, "{w}");
        assert!(available > 0.0 && f(&w["cost"]) > 0.0, "{w}");
        assert!((gap - (available - required)).abs() < 1e-9, "{w}");
        // Required FTE: hours on the phones over 37.5 h × (1 − 25%), less a
        // day for the holiday.
        let per_fte = if w["week_start"] == "2026-04-06" {
            assert_eq!(w["holidays"], 1);
            30.0 * 0.75
        } else {
            37.5 * 0.75
        };
        assert!(
            (required - f(&w["need_hours"]) / per_fte).abs() < 1e-9,
            "{w}"
        );
        if f(&w["baseline_gap_fte"]) < -1e-9 {
            short_before += 1;
            assert!(gap >= -1e-9, "the recommendation leaves a short week: {w}");
        }
    }
    assert!(short_before > 0, "8 people are not enough");
    let totals = &base["totals"];
    assert_eq!(totals["short_weeks"], 0);
    assert_eq!(totals["baseline_short_weeks"], short_before);
    let classes = base["recommended_classes"].as_array().unwrap();
    assert!(!classes.is_empty());
    let hires: u64 = classes.iter().map(|c| c["size"].as_u64().unwrap()).sum();
    assert_eq!(totals["hires"], hires);
    for c in classes {
        assert!(
            c["latest_start_week"].as_str() >= c["start_week"].as_str(),
            "{c}"
        );
    }
    let comparison = result["comparison"].as_array().unwrap();
    assert_eq!(comparison[0]["name"], "base");
    assert_eq!(comparison[1]["name"], "attrition 4%");
    assert_eq!(f(&comparison[0]["cost_vs_base"]), 0.0);
    assert!(comparison[1]["hires"].as_u64() >= comparison[0]["hires"].as_u64());
    assert_eq!(scenarios[1]["plan"]["attrition_percent_per_month"], 4.0);

    // Stored: read back by id and listed for the queue.
    let id = id_of(&created);
    let got = app.get_json(&paths::capacity_plan(id)).await;
    assert_eq!(got, created);
    let list = app.get_json(&path).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["comparison"], result["comparison"]);
    assert_eq!(list[0]["weeks_count"], 20);
    let ids = |v: &Value| {
        let mut v = rounded(v);
        for key in ["id", "queue_id", "forecast_id"] {
            v[key] = json!("[id]");
        }
        v["created_at"] = json!("[created_at]");
        v
    };
    insta::assert_json_snapshot!("capacity_plan_summary", ids(&list[0]));
    // The whole plan, its weekly rows cut to the first two (every week is
    // checked above; two pin the row's fields and values).
    let mut shown = ids(&created);
    shown["request"]["forecast_id"] = json!("[id]");
    for scenario in shown["result"]["scenarios"].as_array_mut().unwrap() {
        scenario["weeks"].as_array_mut().unwrap().truncate(2);
    }
    insta::assert_json_snapshot!("capacity_plan", shown);
    let resp = app.get(&paths::capacity_plan(999)).await;
    assert_eq!(resp.status(), 404);

    // 4xx naming the field.
    let mut bad = plan(fid);
    bad["plan"]["attrition_percent_per_month"] = json!(-3);
    let m = error_of(app.post_json(&path, &bad).await, 422).await;
    assert!(m.starts_with("plan.attrition_percent_per_month:"), "{m}");

    let mut bad = plan(fid);
    bad["plan"]["hiring_classes"] = json!([{"start_week": "2026-05-25", "size": 3}]);
    let m = error_of(app.post_json(&path, &bad).await, 422).await;
    assert!(m.starts_with("plan.hiring_classes[0].start_week:"), "{m}");
    assert!(m.contains("after the last peak week (2026-05-11)"), "{m}");

    let mut bad = plan(fid);
    bad["variants"][0]["plan"] = json!({"attrition_percent_per_month": -1});
    let m = error_of(app.post_json(&path, &bad).await, 422).await;
    assert!(
        m.starts_with("variants[0].plan.attrition_percent_per_month:"),
        "{m}"
    );

    let m = error_of(app.post_json(&path, &plan(999_999)).await, 404).await;
    assert!(m.contains("forecast 999999"), "{m}");

    let mut bad = plan(fid);
    bad["plan"]["weeks"] = json!(30);
    let m = error_of(app.post_json(&path, &bad).await, 422).await;
    assert!(
        m.starts_with("plan.weeks: the forecast is too short"),
        "{m}"
    );

    // Three days hold no Monday-to-Sunday week.
    let short = app
        .weekly_average_forecast(q, "2026-02-16T00:00", "2026-02-19T00:00")
        .await;
    let m = error_of(app.post_json(&path, &plan(short)).await, 422).await;
    assert!(m.starts_with("forecast: the forecast is too short"), "{m}");

    let mut bad = plan(fid);
    bad["plan"]["atrition_percent_per_month"] = json!(2);
    let m = error_of(app.post_json(&path, &bad).await, 400).await;
    assert!(
        m.contains("plan") && m.contains("atrition_percent_per_month"),
        "{m}"
    );

    // Another queue's forecast, and a forecast without requirements.
    let other = app.create_queue(paris_queue("support")).await;
    app.import_history(other, history_csv("2026-01-05", 42, false))
        .await;
    let no_aht = app
        .weekly_average_forecast(other, "2026-02-16T00:00", "2026-03-02T00:00")
        .await;
    let m = error_of(app.post_json(&path, &plan(no_aht)).await, 422).await;
    assert!(
        m.starts_with("forecast_id:") && m.contains("belongs to queue"),
        "{m}"
    );
    let m = error_of(
        app.post_json(&paths::queue_capacity_plans(other), &plan(no_aht))
            .await,
        422,
    )
    .await;
    assert!(
        m.starts_with("forecast_id:") && m.contains("no requirements"),
        "{m}"
    );
    let resp = app.get(&paths::queue_capacity_plans(999)).await;
    assert_eq!(resp.status(), 404);
}

crate::on_both_databases!(capacity_plan_over_http);
