//! Forecast risk in the requirement (issue #14): a queue's
//! `interval_confidence_percent` staffs each interval for that quantile of
//! its uncertain volume and reports the expected service level and the
//! chance of meeting the goal.

use crate::common::{paths, queue_with_history, TestApp, TestDb};
use serde_json::{json, Value};

async fn requirements(app: &TestApp, q: i64) -> Vec<Value> {
    let f = app
        .create_forecast(q, &json!({"model": "weekly_average", "weeks": 4}))
        .await;
    app.get_json(&paths::forecast_requirements(&f["id"])).await["intervals"]
        .as_array()
        .unwrap()
        .clone()
}

fn num(v: &Value, field: &str) -> f64 {
    v[field]
        .as_f64()
        .unwrap_or_else(|| panic!("{field} in {v}"))
}

async fn confidence_staffs_for_the_uncertain_volume(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    let plain = requirements(&app, q).await;
    assert!(
        plain.iter().all(|r| r.get("goal_probability").is_none()),
        "unset: today's requirement, no risk fields"
    );

    let resp = app
        .patch_json(
            &paths::queue(q),
            &json!({"interval_confidence_percent": 90}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["interval_confidence_percent"],
        90.0
    );
    let at90 = requirements(&app, q).await;
    assert_eq!(at90.len(), plain.len());
    let (mut more, mut agents_plain, mut agents_90) = (0, 0.0, 0.0);
    for (p, r) in plain.iter().zip(&at90) {
        assert_eq!(p["interval_start"], r["interval_start"]);
        agents_plain += num(p, "agents_net");
        agents_90 += num(r, "agents_net");
        if num(r, "agents_net") > num(p, "agents_net") {
            more += 1;
        }
        assert!(num(r, "agents_net") >= num(p, "agents_net"), "{p} vs {r}");
        if num(r, "workload_erlangs") > 0.0 {
            // Staffed at or above the point forecast, with at least the
            // chance asked for and a service level over the goal on average.
            assert!(num(r, "goal_probability") >= 0.9 - 1e-9, "{r}");
            assert!(num(r, "expected_service_level") >= 0.8 - 1e-9, "{r}");
        }
    }
    assert!(more > 0, "a 90 % chance needs more agents somewhere");
    assert!(agents_90 > agents_plain);

    // 99 % asks more still; null goes back to the point forecast.
    app.patch_json(
        &paths::queue(q),
        &json!({"interval_confidence_percent": 99}),
    )
    .await;
    let at99 = requirements(&app, q).await;
    let sum = |rs: &[Value]| rs.iter().map(|r| num(r, "agents_net")).sum::<f64>();
    assert!(sum(&at99) > sum(&at90));
    let resp = app
        .patch_json(
            &paths::queue(q),
            &json!({"interval_confidence_percent": null}),
        )
        .await;
    assert!(resp
        .json::<Value>()
        .await
        .unwrap()
        .get("interval_confidence_percent")
        .is_none());
    assert_eq!(sum(&requirements(&app, q).await), sum(&plain));
}

async fn confidence_out_of_range_is_refused_naming_it(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    for bad in [json!(30), json!(100), json!(-1), json!("ninety")] {
        let resp = app
            .patch_json(
                &paths::queue(q),
                &json!({"interval_confidence_percent": bad}),
            )
            .await;
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap();
        assert!(status == 422 || status == 400, "{bad}: {status} {body}");
        assert_eq!(
            body["field"], "interval_confidence_percent",
            "{bad}: {body}"
        );
    }
    let mut queue = crate::common::paris_queue("risky");
    queue["interval_confidence_percent"] = json!(49);
    let resp = app.post_json(&paths::queues(), &queue).await;
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["field"], "interval_confidence_percent", "{body}");
    // Nothing half-changed.
    assert!(app
        .get_json(&paths::queue(q))
        .await
        .get("interval_confidence_percent")
        .is_none());
}

/// `/check` and `/simulate` agree within a point on the same roster, and
/// both report the expected service level and the share of open intervals
/// expected to meet the goal under the forecast's uncertainty.
async fn check_and_simulation_agree_and_promise_under_uncertainty(db: TestDb) {
    use crate::helpers::id_of;
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    let f = app
        .create_forecast(q, &json!({"model": "weekly_average", "weeks": 4}))
        .await;
    let agents: Vec<Value> = (0..24)
        .map(|i| json!({"name": format!("Agent {i}"), "external_id": format!("HR-{i}"), "max_week_hours": 38}))
        .collect();
    app.add_agents(q, &json!(agents)).await;
    let body = json!({"forecast_id": f["id"], "seed": 1, "iteration_budget": 3000,
                      "time_limit_seconds": 120});
    let s = id_of(&app.create_schedule(&body).await);
    let done = app.wait_for_schedule_within(s, 120).await;
    assert_eq!(done["status"], "done", "{done}");

    let check = app.get_json(&paths::schedule_check(s)).await;
    let sim = app
        .post_json(
            &paths::schedule_simulate(s),
            &json!({"seed": 7, "replications": 60}),
        )
        .await;
    assert_eq!(sim.status(), 200);
    let sim: Value = sim.json().await.unwrap();
    let (checked, simulated) = (
        num(&check, "service_level"),
        num(&sim["totals"], "service_level"),
    );
    assert!(
        (checked - simulated).abs() < 0.01,
        "/check {checked:.4} vs /simulate {simulated:.4}"
    );
    assert!(
        (0.6..0.999).contains(&checked),
        "a roster with some strain: {checked}"
    );

    // Under uncertainty: both give an expected SL and a share.
    let expected_check = num(&check, "expected_service_level");
    let share_check = num(&check, "expected_share_meeting_goal");
    let u = &sim["under_uncertainty"];
    let (expected_sim, share_sim) = (
        num(u, "expected_service_level"),
        num(u, "expected_share_meeting_goal"),
    );
    // Close, not equal: a draw that overloads an interval has no Erlang C
    // steady state (the check counts it as 0 %), while the simulation's
    // queue, warmed up for two intervals, has not yet grown without bound.
    assert!(
        (expected_check - expected_sim).abs() < 0.06 && expected_check <= expected_sim + 0.01,
        "{expected_check} vs {expected_sim}"
    );
    assert!((0.0..=1.0).contains(&share_check) && (0.0..=1.0).contains(&share_sim));
    for i in check["intervals"].as_array().unwrap() {
        let p = num(i, "goal_probability");
        assert!((0.0..=1.0).contains(&p), "{i}");
    }
    let intervals = check["intervals"].as_array().unwrap();
    let mean = intervals
        .iter()
        .map(|i| num(i, "goal_probability"))
        .sum::<f64>()
        / intervals.len() as f64;
    assert!(
        (mean - share_check).abs() < 1e-9,
        "the share is the mean chance"
    );
}

crate::on_both_databases!(
    confidence_staffs_for_the_uncertain_volume,
    confidence_out_of_range_is_refused_naming_it,
    check_and_simulation_agree_and_promise_under_uncertainty,
);
