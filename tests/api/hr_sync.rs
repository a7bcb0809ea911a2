//! An HR system's way in: agents upserted by HR id, a queue's whole set
//! synced at once (JSON or CSV, all or nothing, dry run), and
//! `Idempotency-Key` on POSTs that create something.

use crate::common::{
    client_with_key, json_of, paris_queue, paths, queue_with_history, TestApp, TestDb,
};
use crate::helpers::id_of;
use serde_json::{json, Value};
use staffcast::auth::{KeyId, Role};
use staffcast::db::idempotency::{IdempotentRequest, StoredResponse};

/// Checks a problem answer's status, code and field; returns its body.
async fn problem(resp: reqwest::Response, status: u16, code: &str, field: &str) -> Value {
    let body = json_of(resp, status).await;
    assert_eq!(body["code"], code, "{body}");
    // "-": the problem names no field.
    let expected = (field != "-").then_some(field);
    assert_eq!(body["field"].as_str(), expected, "{body}");
    body
}

async fn put_json(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    body: &Value,
) -> reqwest::Response {
    client.put(app.url(path)).json(body).send().await.unwrap()
}

async fn put_csv(app: &TestApp, path: &str, csv: &str) -> reqwest::Response {
    app.client
        .put(app.url(path))
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap()
}

/// The queue's agents as listed, whole.
async fn roster_of(app: &TestApp, q: i64) -> Vec<Value> {
    app.get_json(&paths::queue_agents(q))
        .await
        .as_array()
        .unwrap()
        .clone()
}

fn by_hr_id<'a>(agents: &'a [Value], hr_id: &str) -> &'a Value {
    agents
        .iter()
        .find(|a| a["external_id"] == hr_id)
        .unwrap_or_else(|| panic!("no agent {hr_id} in {agents:?}"))
}

async fn upsert_by_hr_id_creates_then_replaces(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = app.create_queue(paris_queue("support")).await;
    let hr = client_with_key(&app.new_key("hr tool", Role::Hr));

    let path = paths::agent_by_external_id("HR-42");
    let body = json!({"queue_id": q, "name": "Ana", "max_week_hours": 38});
    let resp = put_json(&hr, &app, &path, &body).await;
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    let created = json_of(resp, 201).await;
    let id = id_of(&created);
    assert_eq!(location, paths::agent(id));
    assert_eq!(created["external_id"], "HR-42");
    assert_eq!(created["queue_id"], q);
    assert_eq!(created["active"], true);

    // Again, changed: the same agent, replaced (no queue needed to find it).
    let body = json!({"name": "Ana Lima", "external_id": "HR-42", "min_week_hours": 20, "max_week_hours": 30});
    let replaced = json_of(put_json(&hr, &app, &path, &body).await, 200).await;
    assert_eq!(id_of(&replaced), id);
    assert_eq!(replaced["name"], "Ana Lima");
    assert_eq!(replaced["min_week_hours"], 20.0);
    assert_eq!(replaced["queue_id"], q);
    let agents = roster_of(&app, q).await;
    assert_eq!(agents.len(), 1);
    assert_eq!(agents[0], replaced);

    // The body's HR id must be the path's.
    let body = json!({"queue_id": q, "name": "Ana", "external_id": "HR-43"});
    let e = problem(
        put_json(&hr, &app, &path, &body).await,
        422,
        "invalid_value",
        "external_id",
    )
    .await;
    assert!(e["detail"].as_str().unwrap().contains("HR-43"), "{e}");
    // A new HR id needs the queue to create it in.
    let e = problem(
        put_json(
            &hr,
            &app,
            &paths::agent_by_external_id("HR-44"),
            &json!({"name": "Ben"}),
        )
        .await,
        422,
        "invalid_value",
        "queue_id",
    )
    .await;
    assert!(e["detail"].as_str().unwrap().contains("HR-44"), "{e}");
    let body = json!({"queue_id": 999999, "name": "Ben"});
    json_of(
        put_json(&hr, &app, &paths::agent_by_external_id("HR-44"), &body).await,
        404,
    )
    .await;
    assert_eq!(roster_of(&app, q).await, agents, "refusals change nothing");

    // HR ids are unique across queues: a POST naming one taken says which and by whom.
    let other = app.create_queue(paris_queue("billing")).await;
    let resp = hr
        .post(app.url(&paths::queue_agents(other)))
        .json(&json!([{"name": "Cy", "external_id": "HR-50"}, {"name": "Dup", "external_id": "HR-42"}]))
        .send()
        .await
        .unwrap();
    let e = problem(resp, 409, "duplicate", "[1].external_id").await;
    let detail = e["detail"].as_str().unwrap();
    assert!(
        detail.contains("'HR-42'") && detail.contains(&format!("agent {id}")),
        "{e}"
    );
    assert!(roster_of(&app, other).await.is_empty());
    // A PUT by id naming another agent's HR id: the same 409.
    let cy = json_of(
        hr.post(app.url(&paths::queue_agents(other)))
            .json(&json!({"name": "Cy", "external_id": "HR-50"}))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    let body = json!({"name": "Cy", "external_id": "HR-42"});
    problem(
        put_json(&hr, &app, &paths::agent(id_of(&cy[0])), &body).await,
        409,
        "duplicate",
        "external_id",
    )
    .await;
    // Twice in one body: 422 naming the second.
    let resp = hr
        .post(app.url(&paths::queue_agents(other)))
        .json(
            &json!([{"name": "E", "external_id": "HR-60"}, {"name": "F", "external_id": "HR-60"}]),
        )
        .send()
        .await
        .unwrap();
    problem(resp, 422, "duplicate_agent", "[1].external_id").await;

    // The upsert transfers an agent when the body names another queue.
    let body = json!({"queue_id": other, "name": "Ana Lima", "max_week_hours": 30});
    let moved = json_of(put_json(&hr, &app, &path, &body).await, 200).await;
    assert_eq!((id_of(&moved), &moved["queue_id"]), (id, &json!(other)));
    assert!(roster_of(&app, q).await.is_empty());

    // HR writes agents, but planning stays closed to it.
    let resp = hr
        .post(app.url(&paths::queue_forecasts(q)))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    problem(resp, 403, "forbidden", "-").await;
}

async fn bulk_sync_is_all_or_nothing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = app.create_queue(paris_queue("support")).await;
    let hr = client_with_key(&app.new_key("hr tool", Role::Hr));
    let three: Vec<Value> = (1..=3)
        .map(|i| {
            json!({"name": format!("Agent {i}"), "external_id": format!("A{i}"),
                        "contract": {"max_shifts_per_week": 4}})
        })
        .collect();
    app.add_agents(q, &json!(three)).await;
    let before = roster_of(&app, q).await;
    let path = paths::queue_agents(q);

    // A1 as it is, A2 renamed, A4 new; A3 left out.
    let set = json!([
        {"name": "Agent 1", "external_id": "A1", "contract": {"max_shifts_per_week": 4}},
        {"name": "Agent Two", "external_id": "A2"},
        {"name": "Agent 4", "external_id": "A4", "max_week_hours": 20}
    ]);
    let dry = json_of(
        put_json(&hr, &app, &format!("{path}?dry_run=true"), &set).await,
        200,
    )
    .await;
    assert_eq!(dry["dry_run"], true);
    let counts = |r: &Value| {
        ["created", "updated", "unchanged", "deactivated"].map(|k| r[k].as_u64().unwrap())
    };
    assert_eq!(counts(&dry), [1, 1, 1, 1], "{dry}");
    assert_eq!(
        dry["agents"]["created"],
        json!([{"id": null, "external_id": "A4"}])
    );
    assert_eq!(roster_of(&app, q).await, before, "a dry run writes nothing");

    let done = json_of(put_json(&hr, &app, &path, &set).await, 200).await;
    assert_eq!(done["dry_run"], false);
    assert_eq!(counts(&done), [1, 1, 1, 1], "{done}");
    let a4 = done["agents"]["created"][0]["id"].as_i64().unwrap();
    let ids = |kind: &str| -> Vec<Value> {
        done["agents"][kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].clone())
            .collect()
    };
    assert_eq!(ids("unchanged"), [by_hr_id(&before, "A1")["id"].clone()]);
    assert_eq!(ids("updated"), [by_hr_id(&before, "A2")["id"].clone()]);
    assert_eq!(ids("deactivated"), [by_hr_id(&before, "A3")["id"].clone()]);
    let after = roster_of(&app, q).await;
    assert_eq!(after.len(), 4, "deactivated agents are kept");
    assert_eq!(by_hr_id(&after, "A1"), by_hr_id(&before, "A1"));
    assert_eq!(by_hr_id(&after, "A2")["name"], "Agent Two");
    // JSON rows are whole records: A2's contract is now the default one.
    assert_ne!(
        by_hr_id(&after, "A2")["profile"],
        by_hr_id(&before, "A2")["profile"]
    );
    assert_eq!(by_hr_id(&after, "A3")["active"], false);
    assert_eq!(by_hr_id(&after, "A4")["id"], a4);
    assert_eq!(by_hr_id(&after, "A4")["max_week_hours"], 20.0);
    // The same set again changes nothing.
    let again = json_of(put_json(&hr, &app, &path, &set).await, 200).await;
    assert_eq!(counts(&again), [0, 0, 3, 0], "{again}");

    // A bad row in the middle: 422 naming the row and field, nothing written.
    let bad = json!([
        {"name": "Agent 1 renamed", "external_id": "A1"},
        {"name": "Agent 5", "external_id": "A5", "min_week_hours": 50, "max_week_hours": 40},
        {"name": "Agent 6", "external_id": "A6"}
    ]);
    let e = problem(
        put_json(&hr, &app, &path, &bad).await,
        422,
        "invalid_value",
        "[1].min_week_hours",
    )
    .await;
    assert!(e["detail"].as_str().unwrap().starts_with("row 2: "), "{e}");
    assert_eq!(roster_of(&app, q).await, after);

    // CSV: the flat columns; existing agents keep their profile. A3 comes back.
    let csv = "external_id,name,min_week_hours,max_week_hours\nA1,Agent 1,0,40\nA3,Agent 3,10,30\n";
    let resp = put_csv(&app, &format!("{path}?dry_run=true"), csv).await;
    assert_eq!(counts(&json_of(resp, 200).await), [0, 1, 1, 2]);
    assert_eq!(
        roster_of(&app, q).await,
        after,
        "a CSV dry run writes nothing"
    );
    let done = json_of(put_csv(&app, &path, csv).await, 200).await;
    assert_eq!(counts(&done), [0, 1, 1, 2], "{done}");
    let now = roster_of(&app, q).await;
    let a3 = by_hr_id(&now, "A3");
    assert_eq!(
        (&a3["active"], &a3["min_week_hours"]),
        (&json!(true), &json!(10.0))
    );
    assert_eq!(
        a3["profile"],
        by_hr_id(&before, "A3")["profile"],
        "CSV keeps the profile"
    );
    assert_eq!(by_hr_id(&now, "A1"), by_hr_id(&before, "A1"));
    assert_eq!(by_hr_id(&now, "A2")["active"], false);
    assert_eq!(by_hr_id(&now, "A4")["active"], false);

    // A bad CSV row: row and line named, nothing written.
    let csv = "external_id,name,max_week_hours\nA1,Agent 1,40\nA2,Agent 2,lots\nA4,Agent 4,20\n";
    let e = problem(
        put_csv(&app, &path, csv).await,
        422,
        "invalid_value",
        "[1].max_week_hours",
    )
    .await;
    assert!(
        e["detail"]
            .as_str()
            .unwrap()
            .starts_with("row 2 (line 3): "),
        "{e}"
    );
    let e = problem(
        put_csv(&app, &path, "external_id,name,team\nA1,Ana,x\n").await,
        400,
        "invalid_import",
        "team",
    )
    .await;
    assert!(
        e["detail"].as_str().unwrap().contains("unknown column"),
        "{e}"
    );
    // An agent of another queue is not taken over by a sync.
    let other = app.create_queue(paris_queue("billing")).await;
    app.add_agents(other, &json!({"name": "Zed", "external_id": "Z1"}))
        .await;
    let set =
        json!([{"name": "Agent 1", "external_id": "A1"}, {"name": "Zed", "external_id": "Z1"}]);
    problem(
        put_json(&hr, &app, &path, &set).await,
        409,
        "duplicate",
        "[1].external_id",
    )
    .await;
    // An empty set would deactivate everyone: refused.
    problem(
        put_json(&hr, &app, &path, &json!([])).await,
        422,
        "empty_input",
        "-",
    )
    .await;
    assert_eq!(roster_of(&app, q).await, now);
}

async fn deactivated_agents_are_not_rostered(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    let f = app
        .weekly_average_forecast(q, "2026-02-16T00:00", "2026-02-17T00:00")
        .await;
    let agents: Vec<Value> = (0..6)
        .map(|i| json!({"name": format!("Agent {i}"), "external_id": format!("HR-{i}")}))
        .collect();
    app.add_agents(q, &json!(agents)).await;
    // HR keeps the last two (scheduling would reach the first ones first).
    let set = json!([{"name": "Agent 4", "external_id": "HR-4"}, {"name": "Agent 5", "external_id": "HR-5"}]);
    let done = json_of(app.put_json(&paths::queue_agents(q), &set).await, 200).await;
    assert_eq!(done["deactivated"], 4);
    let body = json!({"forecast_id": f, "week_start": "2026-02-16", "days": 1, "solver": "greedy",
                      "shift": {"length_minutes": 480, "earliest_start": "07:00:00", "latest_start": "10:00:00"}});
    let s = id_of(&app.create_schedule(&body).await);
    let run = app.wait_for_schedule(s).await;
    assert_eq!(run["status"], "done", "{run}");
    let roster = app.get_json(&paths::schedule_roster(s)).await;
    let who: std::collections::BTreeSet<&str> = roster["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|sh| sh["external_id"].as_str().unwrap())
        .collect();
    assert!(!who.is_empty(), "{roster}");
    assert!(who.iter().all(|w| ["HR-4", "HR-5"].contains(w)), "{who:?}");
}

/// POST `body` to `path` with an idempotency key.
async fn post_keyed(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    key: &str,
    body: &Value,
) -> reqwest::Response {
    client
        .post(app.url(path))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn replayed(resp: &reqwest::Response) -> bool {
    resp.headers()
        .get("idempotency-replayed")
        .is_some_and(|v| v == "true")
}

async fn idempotency_keys_replay_the_first_answer(db: TestDb) {
    let app = TestApp::spawn(db).await;

    // A queue: the retry gets the same 201 and body, and no second queue (nor a 409).
    let body = paris_queue("support");
    let first = post_keyed(&app.client, &app, &paths::queues(), "q-1", &body).await;
    assert!(!replayed(&first));
    let first = json_of(first, 201).await;
    let retry = post_keyed(&app.client, &app, &paths::queues(), "q-1", &body).await;
    assert!(replayed(&retry));
    assert_eq!(json_of(retry, 201).await, first);
    let queues = app.get_json(&paths::queues()).await;
    assert_eq!(queues.as_array().unwrap().len(), 1);
    // The same key with another body: 422, naming the header.
    let mut other = body.clone();
    other["name"] = json!("sales");
    let e = problem(
        post_keyed(&app.client, &app, &paths::queues(), "q-1", &other).await,
        422,
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    .await;
    assert!(
        e["detail"].as_str().unwrap().contains("/api/v1/queues"),
        "{e}"
    );

    // A forecast: one run stored, the retry answers with it.
    let q = queue_with_history(&app, true).await;
    let path = paths::queue_forecasts(q);
    let body = json!({"from": "2026-02-16T00:00", "to": "2026-02-17T00:00", "model": "weekly_average", "weeks": 6});
    let first = json_of(
        post_keyed(&app.client, &app, &path, "f-1", &body).await,
        201,
    )
    .await;
    let retry = post_keyed(&app.client, &app, &path, "f-1", &body).await;
    assert!(replayed(&retry));
    assert_eq!(json_of(retry, 201).await, first);
    let runs = app.get_json(&path).await;
    assert_eq!(runs.as_array().unwrap().len(), 1, "{runs}");
    // Another API key's "f-1" is its own: no replay, a run of its own.
    let theirs = post_keyed(&app.admin, &app, &path, "f-1", &body).await;
    assert!(!replayed(&theirs));
    let theirs = json_of(theirs, 201).await;
    assert_ne!(id_of(&theirs), id_of(&first));
    assert_eq!(app.get_json(&path).await.as_array().unwrap().len(), 2);

    // A refusal keeps nothing: the same key runs again (and is refused again, not replayed).
    let bad = json!({"model": "crystal_ball"});
    let resp = post_keyed(&app.client, &app, &path, "f-bad", &bad).await;
    assert_eq!(resp.status(), 422);
    let resp = post_keyed(&app.client, &app, &path, "f-bad", &bad).await;
    assert!(!replayed(&resp));
    assert_eq!(resp.status(), 422);

    // Keys are 1 to 255 printable ASCII characters: else 400 naming the header.
    for key in ["k".repeat(256), String::new()] {
        problem(
            post_keyed(&app.client, &app, &path, &key, &body).await,
            400,
            "invalid_header",
            "Idempotency-Key",
        )
        .await;
    }
    // Not on key creation: its answer holds a secret that is never stored.
    let resp = post_keyed(
        &app.admin,
        &app,
        &paths::keys(),
        "k-1",
        &json!({"name": "x", "role": "hr"}),
    )
    .await;
    problem(resp, 400, "invalid_header", "Idempotency-Key").await;
    assert_eq!(
        app.admin
            .get(app.url(&paths::keys()))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // A duplicate while the first is still being served: 409.
    let keys: Value = app
        .admin
        .get(app.url(&paths::keys()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let planner = KeyId(
        keys.as_array()
            .unwrap()
            .iter()
            .find(|k| k["name"] == "test planner")
            .unwrap()["id"]
            .as_i64()
            .unwrap() as i32,
    );
    let in_flight = IdempotentRequest {
        key_id: planner,
        key: "f-2".into(),
        method: "POST".into(),
        path: path.clone(),
        body_hash: staffcast::app::idempotency::body_hash(&serde_json::to_vec(&body).unwrap()),
    };
    let now = chrono::Utc::now();
    let long_ago = now - chrono::Duration::days(30);
    app.database()
        .claim_idempotency_key(&in_flight, now, long_ago, long_ago)
        .unwrap();
    problem(
        post_keyed(&app.client, &app, &path, "f-2", &body).await,
        409,
        "idempotency_in_flight",
        "Idempotency-Key",
    )
    .await;
    assert_eq!(app.get_json(&path).await.as_array().unwrap().len(), 2);

    // A key older than 24 h is gone: the request runs as new.
    let old = IdempotentRequest {
        key: "f-old".into(),
        ..in_flight
    };
    let then = now - chrono::Duration::hours(25);
    app.database()
        .claim_idempotency_key(&old, then, long_ago, long_ago)
        .unwrap();
    let stale = StoredResponse {
        status: 201,
        content_type: Some("application/json".into()),
        location: None,
        body: b"{\"id\": -1}".to_vec(),
    };
    app.database()
        .store_idempotent_response(planner, "f-old", &stale)
        .unwrap();
    let resp = post_keyed(&app.client, &app, &path, "f-old", &body).await;
    assert!(!replayed(&resp));
    assert!(id_of(&json_of(resp, 201).await) > 0);
    assert_eq!(app.get_json(&path).await.as_array().unwrap().len(), 3);
}

crate::on_both_databases!(
    upsert_by_hr_id_creates_then_replaces,
    bulk_sync_is_all_or_nothing,
    deactivated_agents_are_not_rostered,
    idempotency_keys_replay_the_first_answer,
);
