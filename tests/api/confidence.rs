//! Forecast risk in the requirement (issue #14): a queue's
//! `interval_confidence_percent` staffs its open intervals so that, over the
//! forecast's uncertainty, that share of them is expected to meet the goal
//! (never below the point forecast's requirement), and reports per interval
//! the expected service level and the chance of meeting the goal.

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

/// `agents` agents of up to `max_week_hours` rostered from forecast `f`
/// (deterministic: an iteration budget and a seed): the schedule's id and run.
async fn roster(
    app: &TestApp,
    q: i64,
    f: &Value,
    agents: usize,
    max_week_hours: u32,
) -> (i64, Value) {
    let agents: Vec<Value> = (0..agents)
        .map(|i| {
            json!({"name": format!("Agent {i}"), "external_id": format!("HR-{i}"),
                        "max_week_hours": max_week_hours})
        })
        .collect();
    app.add_agents(q, &json!(agents)).await;
    let body = json!({"forecast_id": f["id"], "seed": 1, "iteration_budget": 3000,
                      "time_limit_seconds": 120});
    let s = crate::helpers::id_of(&app.create_schedule(&body).await);
    let done = app.wait_for_schedule_within(s, 120).await;
    assert_eq!(done["status"], "done", "{done}");
    (s, done)
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
    let (mut chances, mut calls, mut answered) = (vec![], 0.0, 0.0);
    for (p, r) in plain.iter().zip(&at90) {
        assert_eq!(p["interval_start"], r["interval_start"]);
        agents_plain += num(p, "agents_net");
        agents_90 += num(r, "agents_net");
        if num(r, "agents_net") > num(p, "agents_net") {
            more += 1;
        }
        // Never below the point forecast's requirement.
        assert!(num(r, "agents_net") >= num(p, "agents_net"), "{p} vs {r}");
        if r["open"] == true {
            let chance = num(r, "goal_probability");
            assert!((0.0..=1.0).contains(&chance), "{r}");
            chances.push(chance);
            // The most calls the head count serves to the goal.
            assert!(num(r, "staffed_volume") >= 0.0, "{r}");
            if let Some(sl) = r["expected_service_level"].as_f64() {
                calls += num(r, "workload_erlangs");
                answered += num(r, "workload_erlangs") * sl;
            }
        }
    }
    let share = chances.iter().sum::<f64>() / chances.len() as f64;
    assert!(share >= 0.9 - 1e-9, "mean chance {share}");
    // Bought where it is cheapest: some intervals stay below 90 %.
    assert!(
        chances.iter().any(|&c| c < 0.9),
        "a share, not every interval: {chances:?}"
    );
    assert!(answered / calls >= 0.8, "expected SL {}", answered / calls);
    assert!(more > 0, "a 90 % share needs more agents somewhere");
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
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    let f = app
        .create_forecast(q, &json!({"model": "weekly_average", "weeks": 4}))
        .await;
    let (s, _) = roster(&app, q, &f, 24, 38).await;

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
    // The most calls each head count serves to the goal: at least the
    // forecast where the plain figure meets the goal, under it where not
    // (service falls as calls rise), and a whole count.
    let goal = 0.8;
    let (mut meeting, mut missing) = (0, 0);
    for i in intervals {
        let (staffed, volume) = (num(i, "staffed_volume"), num(i, "volume"));
        assert_eq!(staffed, staffed.round(), "{i}");
        if num(i, "service_level") >= goal {
            meeting += 1;
            assert!(staffed >= volume.floor(), "{i}");
        } else {
            missing += 1;
            assert!(staffed < volume.ceil(), "{i}");
        }
    }
    assert!(meeting > 0 && missing > 0, "{meeting} {missing}");
}

/// With an interval confidence the roster, not only the requirement, meets
/// the share: a first roster that overshoots it by more than a point is
/// re-rostered for a lower requirement share, and the cheapest roster is kept
/// only when it still reaches the share; the run says what happened.
async fn the_roster_meets_the_share_not_more(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    app.patch_json(
        &paths::queue(q),
        &json!({"interval_confidence_percent": 90}),
    )
    .await;
    let f = app
        .create_forecast(q, &json!({"model": "weekly_average", "weeks": 4}))
        .await;
    let (s, done) = roster(&app, q, &f, 30, 40).await;
    let share = num(
        &app.get_json(&paths::schedule_check(s)).await,
        "expected_share_meeting_goal",
    );
    let notes: Vec<&str> = done["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .filter(|w| w.starts_with("interval confidence"))
        .collect();
    let hours = num(&done, "rostered_hours");
    match notes.as_slice() {
        // The first roster was within a point of the share: kept as it was.
        [] => assert!(share <= 0.91 + 1e-9, "share {share} and no re-roster"),
        [note] => {
            // "… rosters made for requirement shares 90.0 %: 93.2 % at 872.0 h; 86.8 %: 90.1 %
            // at 816.0 h, as expected shares …; kept the one for 86.8 %"
            let percent = |text: &str| -> f64 {
                text.trim()
                    .trim_end_matches('%')
                    .trim()
                    .parse::<f64>()
                    .unwrap()
                    / 100.0
            };
            let list = note
                .split_once("shares ")
                .and_then(|(_, rest)| rest.split_once(", as expected"))
                .expect(note)
                .0;
            let tried: Vec<(f64, f64, f64)> = list
                .split("; ")
                .map(|one| {
                    let (bought, rest) = one.split_once(": ").expect(note);
                    let (got, hours) = rest.split_once(" at ").expect(note);
                    let hours: f64 = hours.trim_end_matches(" h").parse().expect(note);
                    (percent(bought), percent(got), hours)
                })
                .collect();
            assert!((2..=4).contains(&tried.len()), "{note}");
            assert!((tried[0].0 - 0.9).abs() < 1e-9, "{note}");
            let kept = percent(note.rsplit_once("kept the one for ").expect(note).1);
            let chosen = tried
                .iter()
                .find(|t| (t.0 - kept).abs() < 1e-9)
                .expect(note);
            // The roster stored is the one kept: the cheapest that reaches
            // the share within a point (else the first).
            assert!((hours - chosen.2).abs() < 0.01, "{hours} {note}");
            assert!((share - chosen.1).abs() < 0.002, "{share} {note}");
            let reaching: Vec<_> = tried.iter().filter(|t| t.1 >= 0.89 - 5e-4).collect();
            if let Some(cheapest) = reaching.iter().min_by(|a, b| a.2.total_cmp(&b.2)) {
                assert!((chosen.2 - cheapest.2).abs() < 0.01, "{note}");
            }
            // Each later requirement was bought for less than the first.
            assert!(tried[1..].iter().all(|t| t.0 < 0.9), "{note}");
        }
        more => panic!("one note at most: {more:?}"),
    }
}

crate::on_both_databases!(
    confidence_staffs_for_the_uncertain_volume,
    confidence_out_of_range_is_refused_naming_it,
    check_and_simulation_agree_and_promise_under_uncertainty,
    the_roster_meets_the_share_not_more,
);
