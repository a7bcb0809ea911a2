//! Errors over real HTTP, on SQLite and PostgreSQL: RFC 9457 problem
//! details (`application/problem+json`) with a stable `code` per reason and
//! the field at fault, beside the `error`/`message` members older clients read.

use crate::common::paths;
use crate::common::{queue_with_history, TestApp, TestDb};
use serde_json::{json, Value};

/// Checks the response is problem details with this status and code, that
/// every member is there and agrees with the others; returns the body.
async fn problem(resp: reqwest::Response, status: u16, code: &str) -> Value {
    let got = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = resp.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    assert_eq!(content_type, "application/problem+json", "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["status"], status, "{text}");
    assert_eq!(body["code"], code, "{text}");
    assert_eq!(
        body["type"],
        format!("https://staffcast.dev/problems/{code}"),
        "{text}"
    );
    assert!(
        !body["title"].as_str().unwrap().is_empty(),
        "a title: {text}"
    );
    let detail = body["detail"].as_str().unwrap();
    assert!(!detail.is_empty(), "{text}");
    assert_eq!(body["message"], detail, "message repeats detail: {text}");
    body
}

/// A queue with history and a stored forecast of the week after it.
async fn queue_and_forecast(app: &TestApp) -> (i64, i64) {
    let q = queue_with_history(app, true).await;
    let resp = app.post_json(&paths::queue_forecasts(q), &json!({})).await;
    assert_eq!(resp.status(), 201);
    let run: Value = resp.json().await.unwrap();
    (q, run["id"].as_i64().unwrap())
}

async fn invalid_value_names_its_field(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let resp = app
        .post_json(
            &paths::queues(),
            &json!({"name": "q", "channel": "voice", "service_level_percent": 100}),
        )
        .await;
    let body = problem(resp, 422, "invalid_value").await;
    assert_eq!(body["error"], "invalid");
    assert_eq!(body["field"], "service_level_percent");
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .starts_with("service_level_percent: "));

    // One agent of a batch: the field path points into the array.
    let q = app
        .create_queue(json!({"name": "q", "channel": "voice"}))
        .await;
    let resp = app
        .post_json(
            &paths::queue_agents(q),
            &json!([{"name": "A", "external_id": "A1"}, {"name": "B", "external_id": ""}]),
        )
        .await;
    let body = problem(resp, 422, "invalid_value").await;
    assert_eq!(body["field"], "[1].external_id");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .starts_with("agent 2: external_id: "));

    // A NUL (which PostgreSQL cannot store) or a newline in a name is the
    // client's mistake, named, and nothing is written.
    let queues_before = app.get_json(&paths::queues()).await;
    let resp = app
        .post_json(
            &paths::queues(),
            &json!({"name": "night\u{0}shift", "channel": "voice"}),
        )
        .await;
    assert_eq!(problem(resp, 422, "invalid_value").await["field"], "name");
    assert_eq!(app.get_json(&paths::queues()).await, queues_before);
    let resp = app
        .post_json(
            &paths::queue_agents(q),
            &json!([{"name": "Ana\nLopez", "external_id": "A9"}]),
        )
        .await;
    assert_eq!(
        problem(resp, 422, "invalid_value").await["field"],
        "[0].name"
    );

    // What-if staffing: the core's staffing error keeps its field.
    let resp = app
        .post_json(
            &paths::staffing_calculate(),
            &json!({"intervals": [{"volume": -5, "aht_seconds": 180}]}),
        )
        .await;
    let body = problem(resp, 422, "invalid_value").await;
    assert_eq!(body["field"], "volume");
}

async fn unknown_things_are_not_found(db: TestDb) {
    let app = TestApp::spawn(db).await;
    for path in [
        paths::queue(999),
        paths::forecast(999),
        paths::schedule(999),
        // A route that does not exist, so no typed path.
        "/api/v1/no-such-route".to_string(),
    ] {
        let body = problem(app.get(&path).await, 404, "not_found").await;
        assert_eq!(body["error"], "not_found");
        assert!(body.get("field").is_none(), "{body}");
    }
    let body = problem(app.get(&paths::queue(999)).await, 404, "not_found").await;
    assert_eq!(body["detail"], "queue 999 not found");
}

async fn malformed_input_is_a_bad_request(db: TestDb) {
    let app = TestApp::spawn(db).await;
    // A field of the wrong type: named.
    let resp = app
        .post_json(&paths::queues(), &json!({"name": 5, "channel": "voice"}))
        .await;
    let body = problem(resp, 400, "malformed_body").await;
    assert_eq!(body["error"], "bad_request");
    assert_eq!(body["field"], "name");
    // Not JSON at all: no field to name.
    let resp = app
        .post_body(&paths::queues(), "application/json", "{not json")
        .await;
    let body = problem(resp, 400, "malformed_body").await;
    assert!(body.get("field").is_none(), "{body}");
    // A path segment that is not a number.
    let body = problem(app.get(&paths::queue("abc")).await, 400, "invalid_path").await;
    assert_eq!(body["error"], "bad_request");
    // A history row that does not read: the column is the field.
    let q = app
        .create_queue(json!({"name": "q", "channel": "voice"}))
        .await;
    let resp = app
        .post_body(
            &paths::queue_history(q),
            "text/csv",
            "interval_start,volume\n2026-01-05 08:00,ten\n",
        )
        .await;
    let body = problem(resp, 400, "invalid_import").await;
    assert_eq!(body["field"], "volume");
}

async fn core_errors_get_their_own_codes(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (q, f) = queue_and_forecast(&app).await;

    // A schedule for a queue without agents.
    let resp = app
        .post_json(&paths::schedules(), &json!({"forecast_id": f}))
        .await;
    let body = problem(resp, 422, "no_agents").await;
    assert_eq!(body["error"], "invalid");
    assert!(body["message"].as_str().unwrap().contains("no agents"));

    // A template whose lengths contradict each other.
    let resp = app
        .post_json(
            &paths::queue_agents(q),
            &json!({"name": "A", "external_id": "A1"}),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let template = json!([{"name": "x", "earliest_start": "07:00:00", "latest_start": "08:00:00",
                           "min_length_minutes": 480, "max_length_minutes": 420}]);
    let resp = app
        .post_json(
            &paths::schedules(),
            &json!({"forecast_id": f, "templates": template}),
        )
        .await;
    let body = problem(resp, 422, "invalid_template").await;
    assert_eq!(body["field"], "templates");
    assert!(body["detail"].as_str().unwrap().contains("'x'"));

    // Both a shift rule and templates.
    let resp = app
        .post_json(
            &paths::schedules(),
            &json!({"forecast_id": f, "templates": template, "shift": {"length_minutes": 480}}),
        )
        .await;
    problem(resp, 422, "shift_and_templates").await;

    // A forecast window longer than allowed.
    let resp = app
        .post_json(
            &paths::queue_forecasts(q),
            &json!({"from": "2026-02-16T00:00:00Z", "to": "2028-02-16T00:00:00Z"}),
        )
        .await;
    let body = problem(resp, 422, "window_too_long").await;
    assert_eq!(body["field"], "to");

    // An unknown model name: the forecast core's error, with its field.
    let resp = app
        .post_json(
            &paths::queue_forecasts(q),
            &json!({"model": "crystal_ball"}),
        )
        .await;
    let body = problem(resp, 422, "invalid_value").await;
    assert_eq!(body["field"], "model");

    // The same HR id twice: a conflict with its own code.
    let resp = app
        .post_json(
            &paths::queue_agents(q),
            &json!({"name": "A again", "external_id": "A1"}),
        )
        .await;
    let body = problem(resp, 409, "duplicate").await;
    assert_eq!(body["error"], "conflict");
}

async fn a_forecast_without_handle_time_cannot_be_staffed(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, false).await;
    assert!(app.get_json(&paths::queue(q)).await["default_aht_seconds"].is_null());
    let resp = app.post_json(&paths::queue_forecasts(q), &json!({})).await;
    assert_eq!(resp.status(), 201);
    let created = resp.json::<Value>().await.unwrap();
    // Said at once, not only when requirements are asked for.
    let warnings = created["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| {
            let w = w.as_str().unwrap();
            w.contains("no aht_seconds") && w.contains("default_aht_seconds")
        }),
        "{created}"
    );
    let f = created["id"].clone();
    let resp = app.get(&paths::forecast_requirements(f)).await;
    let body = problem(resp, 422, "no_handle_time").await;
    assert_eq!(body["field"], "default_aht_seconds", "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("set default_aht_seconds on the queue"),
        "{message}"
    );
    assert!(message.contains("aht_seconds"), "{message}");

    // Setting it on the existing queue: a bad value is refused naming it,
    // a good one is kept, and the next forecast has requirements.
    let resp = app
        .patch_json(&paths::queue(q), &json!({"default_aht_seconds": -3}))
        .await;
    assert_eq!(
        problem(resp, 422, "invalid_value").await["field"],
        "default_aht_seconds"
    );
    let resp = app
        .patch_json(&paths::queue(q), &json!({"default_aht_secs": 200}))
        .await;
    assert_eq!(resp.status(), 400);
    let resp = app
        .patch_json(&paths::queue(q), &json!({"default_aht_seconds": 200}))
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.json::<Value>().await.unwrap()["default_aht_seconds"],
        200.0
    );
    // Left out: unchanged.
    let resp = app.patch_json(&paths::queue(q), &json!({})).await;
    assert_eq!(
        resp.json::<Value>().await.unwrap()["default_aht_seconds"],
        200.0
    );
    let again = app.create_forecast(q, &json!({})).await;
    let reqs = app
        .get_json(&paths::forecast_requirements(&again["id"]))
        .await;
    assert!(!reqs["intervals"].as_array().unwrap().is_empty());
    // null clears it.
    let resp = app
        .patch_json(&paths::queue(q), &json!({"default_aht_seconds": null}))
        .await;
    assert!(resp.json::<Value>().await.unwrap()["default_aht_seconds"].is_null());
    let resp = app
        .patch_json(&paths::queue(9999), &json!({"default_aht_seconds": 1}))
        .await;
    assert_eq!(resp.status(), 404);
}

/// A queue's default handle time is forecast when its history has none:
/// the forecast says so and its requirements are there.
async fn a_queues_default_handle_time_fills_a_history_without_it(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut spec = crate::common::paris_queue("with default");
    spec["default_aht_seconds"] = json!(0);
    let resp = app.post_json(&paths::queues(), &spec).await;
    assert_eq!(
        problem(resp, 422, "invalid_value").await["field"],
        "default_aht_seconds"
    );
    spec["default_aht_seconds"] = json!(240);
    let q = app.create_queue(spec).await;
    assert_eq!(
        app.get_json(&paths::queue(q)).await["default_aht_seconds"],
        240.0
    );
    let resp = app
        .post_body(
            &paths::queue_history(q),
            "text/csv",
            crate::common::history_csv("2026-01-05", 42, false),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let created = app.create_forecast(q, &json!({})).await;
    assert!(
        created["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("default_aht_seconds (240 s)")),
        "{created}"
    );
    let f = created["id"].as_i64().unwrap();
    let view = app.get_json(&paths::forecast(f)).await;
    let points = view["intervals"].as_array().expect("intervals");
    assert!(!points.is_empty());
    assert!(points.iter().all(|p| p["aht_seconds"] == 240.0), "{view}");
    let reqs = app.get_json(&paths::forecast_requirements(f)).await;
    let intervals = reqs["intervals"].as_array().expect("intervals");
    assert_eq!(intervals.len(), points.len());
    assert!(intervals
        .iter()
        .any(|r| r["agents_with_shrinkage"].as_i64().unwrap() > 0));
}

/// A roster for days the forecast does not cover has no requirement to
/// meet: refused up front, naming the field to change.
async fn a_schedule_must_lie_within_its_forecast(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (q, f) = queue_and_forecast(&app).await;
    app.add_agents(q, &json!([{"name": "A", "external_id": "A1"}]))
        .await;
    let run = app.get_json(&paths::forecast(f)).await;
    let span =
        crate::common::time(&run["forecast"]["to"]) - crate::common::time(&run["forecast"]["from"]);
    let days = span.num_days();
    let resp = app
        .post_json(
            &paths::schedules(),
            &json!({"forecast_id": f, "week_start": "2030-01-07"}),
        )
        .await;
    let body = problem(resp, 422, "out_of_range").await;
    assert_eq!(body["field"], "week_start");
    assert!(
        body["detail"].as_str().unwrap().contains("must lie within"),
        "{body}"
    );
    let resp = app
        .post_json(
            &paths::schedules(),
            &json!({"forecast_id": f, "days": days + 1}),
        )
        .await;
    assert_eq!(problem(resp, 422, "out_of_range").await["field"], "days");
    // The forecast's own days are accepted.
    let resp = app
        .post_json(
            &paths::schedules(),
            &json!({"forecast_id": f, "days": days}),
        )
        .await;
    assert_eq!(resp.status(), 202, "{}", resp.text().await.unwrap());
}

/// An agent body's type error names the element, the field and the value
/// (not serde's "did not match any variant of untagged enum").
async fn agent_body_errors_name_field_and_value(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = app
        .create_queue(json!({"name": "q", "channel": "voice"}))
        .await;
    let resp = app
        .post_json(
            &paths::queue_agents(q),
            &json!([{"name": "A", "external_id": "A1", "max_week_hours": 38},
                    {"name": "B", "external_id": "B1", "max_week_hours": "forty"}]),
        )
        .await;
    let body = problem(resp, 400, "malformed_body").await;
    assert_eq!(body["field"], "[1].max_week_hours");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("[1].max_week_hours"), "{detail}");
    assert!(detail.contains("\"forty\""), "{detail}");
    assert!(!detail.contains("untagged"), "{detail}");
    // Inside the contract of a single agent (an object body).
    let resp = app
        .post_json(
            &paths::queue_agents(q),
            &json!({"name": "C", "external_id": "C1", "contract": {"max_shifts_per_week": -2}}),
        )
        .await;
    let body = problem(resp, 400, "malformed_body").await;
    assert_eq!(body["field"], "contract.max_shifts_per_week");
    assert!(body["detail"].as_str().unwrap().contains("-2"), "{body}");
    // Neither an object nor an array.
    let resp = app.post_json(&paths::queue_agents(q), &json!(42)).await;
    let body = problem(resp, 400, "malformed_body").await;
    assert!(body["detail"].as_str().unwrap().contains("42"), "{body}");
    // Nothing was stored.
    assert_eq!(app.get_json(&paths::queue_agents(q)).await, json!([]));
}

/// Weekly hours and the contract's week minutes: either may be given,
/// both must agree; neither silently replaces the other.
async fn contract_week_minutes_are_not_silently_overridden(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = app
        .create_queue(json!({"name": "q", "channel": "voice"}))
        .await;
    let cases = [
        (
            json!([{"name": "A", "external_id": "A1", "max_week_hours": 38,
                    "contract": {"max_week_minutes": 2400}}]),
            "[0].contract.max_week_minutes",
            "2400",
        ),
        (
            json!({"name": "A", "external_id": "A1", "min_week_hours": 20,
                   "contract": {"min_week_minutes": 600}}),
            "contract.min_week_minutes",
            "600",
        ),
    ];
    for (agent, field, value) in cases {
        let resp = app.post_json(&paths::queue_agents(q), &agent).await;
        let body = problem(resp, 422, "invalid_value").await;
        assert_eq!(body["field"], field, "{body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(value), "{detail}");
        assert!(detail.contains("week_hours"), "{detail}");
    }
    assert_eq!(app.get_json(&paths::queue_agents(q)).await, json!([]));
    // Agreeing values are fine; the contract alone sets the weekly hours.
    let stored = app
        .add_agents(
            q,
            &json!([{"name": "A", "external_id": "A1", "max_week_hours": 38,
                     "contract": {"max_week_minutes": 2280, "max_shifts_per_week": 4}},
                    {"name": "B", "external_id": "B1",
                     "contract": {"min_week_minutes": 1200, "max_week_minutes": 1800}}]),
        )
        .await;
    assert_eq!(stored[0]["max_week_hours"], 38.0);
    assert_eq!(stored[0]["profile"]["contract"]["max_week_minutes"], 2280);
    assert_eq!(stored[0]["profile"]["contract"]["max_shifts_per_week"], 4);
    assert_eq!(stored[1]["min_week_hours"], 20.0);
    assert_eq!(stored[1]["max_week_hours"], 30.0);
    assert_eq!(stored[1]["profile"]["contract"]["max_week_minutes"], 1800);
    // The replace (PUT) refuses a disagreement too.
    let id = stored[1]["id"].as_i64().unwrap();
    let resp = app
        .put_json(
            &paths::agent(id),
            &json!({"name": "B", "external_id": "B1", "max_week_hours": 30,
                    "contract": {"max_week_minutes": 1500}}),
        )
        .await;
    assert_eq!(
        problem(resp, 422, "invalid_value").await["field"],
        "contract.max_week_minutes"
    );
}

crate::on_both_databases!(
    agent_body_errors_name_field_and_value,
    contract_week_minutes_are_not_silently_overridden,
    a_schedule_must_lie_within_its_forecast,
    invalid_value_names_its_field,
    unknown_things_are_not_found,
    malformed_input_is_a_bad_request,
    core_errors_get_their_own_codes,
    a_forecast_without_handle_time_cannot_be_staffed,
    a_queues_default_handle_time_fills_a_history_without_it,
);
