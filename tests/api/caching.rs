//! Reads that never change are served from encoded bodies: the same bytes
//! and ETag each time, 304 for a client that holds them, and a new body
//! the moment the resource's version changes (an adjustment), on SQLite
//! and PostgreSQL.

use crate::common::{paths, queue_with_history, TestApp, TestDb};
use serde_json::{json, Value};

async fn read(app: &TestApp, path: &str, etag: Option<&str>) -> (u16, Option<String>, Vec<u8>) {
    let mut req = app.client.get(app.url(path));
    if let Some(tag) = etag {
        req = req.header("if-none-match", tag);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let etag = resp
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_string());
    (status, etag, resp.bytes().await.unwrap().to_vec())
}

crate::on_both_databases!(
    a_forecast_is_served_from_its_encoded_body_until_it_is_adjusted,
    a_finished_roster_is_served_from_its_encoded_body_in_every_format,
    a_write_through_another_instance_shows_within_a_second,
);

/// A second server on the same database (its own cache, as another
/// process would have); stopped when the returned handle drops.
struct Other {
    address: String,
    handle: actix_web::dev::ServerHandle,
}

impl Other {
    fn start(app: &TestApp) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let db = app.database().clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server =
                    staffcast::api::run(listener, db, staffcast::api::ApiSettings::default())
                        .unwrap();
                tx.send(server.handle()).unwrap();
                server.await.unwrap();
            })
        });
        Other {
            address,
            handle: rx.recv().unwrap(),
        }
    }
}

impl Drop for Other {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn a_forecast_is_served_from_its_encoded_body_until_it_is_adjusted(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    let id = app
        .weekly_average_forecast(q, "2026-02-16T00:00", "2026-02-23T00:00")
        .await;
    let path = paths::forecast(id);

    let (status, first_tag, first) = read(&app, &path, None).await;
    assert_eq!(status, 200);
    let first_tag = first_tag.expect("an ETag");
    let (_, again_tag, again) = read(&app, &path, None).await;
    assert_eq!(
        (again_tag.as_deref(), &again),
        (Some(first_tag.as_str()), &first)
    );
    let body: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(body["forecast"]["id"], id);

    // A client holding the body gets 304 and no bytes.
    let (status, tag, bytes) = read(&app, &path, Some(&first_tag)).await;
    assert_eq!(
        (status, tag.as_deref(), bytes.len()),
        (304, Some(first_tag.as_str()), 0)
    );
    let (status, _, _) = read(&app, &path, Some("\"something-else\"")).await;
    assert_eq!(status, 200);

    // An adjustment is a new version: new bytes, new tag, the old tag no longer matches.
    let resp = app
        .client
        .post(app.url(&paths::forecast_adjustments(id)))
        .json(&json!({"date": "2026-02-17", "percent": 20, "reason": "campaign"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let adjustment = resp.json::<Value>().await.unwrap()[0]["id"]
        .as_i64()
        .unwrap();
    let (status, adjusted_tag, adjusted) = read(&app, &path, Some(&first_tag)).await;
    assert_eq!(status, 200);
    assert_ne!(adjusted_tag.as_deref(), Some(first_tag.as_str()));
    let body: Value = serde_json::from_slice(&adjusted).unwrap();
    assert_eq!(body["adjustments"].as_array().unwrap().len(), 1);
    assert!(
        body["adjusted_total_volume"].as_f64().unwrap() > body["total_volume"].as_f64().unwrap()
    );

    // Removing it gives back the very first body, byte for byte.
    let resp = app
        .client
        .delete(app.url(&paths::forecast_adjustment(id, adjustment)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (status, tag, bytes) = read(&app, &path, None).await;
    assert_eq!((status, tag.as_deref()), (200, Some(first_tag.as_str())));
    assert_eq!(bytes, first);
}

async fn a_finished_roster_is_served_from_its_encoded_body_in_every_format(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let q = queue_with_history(&app, true).await;
    let f = crate::helpers::id_of(&app.create_forecast(q, &json!({})).await);
    let agents: Vec<Value> = (0..12)
        .map(|i| json!({"name": format!("Agent {i}"), "external_id": format!("HR-{i}"), "max_week_hours": 38}))
        .collect();
    let created = app.add_agents(q, &json!(agents)).await;
    let first_agent = created[0]["id"].as_i64().unwrap();
    let s = crate::helpers::id_of(
        &app.create_schedule(&json!({"forecast_id": f, "solver": "greedy"}))
            .await,
    );
    let done = app.wait_for_schedule(s).await;
    assert_eq!(done["status"], "done", "{done}");

    let mut tags = Vec::new();
    for format in ["json", "csv", "ics"] {
        let path = format!("{}?format={format}", paths::schedule_roster(s));
        let (status, tag, first) = read(&app, &path, None).await;
        assert_eq!(status, 200, "{format}");
        let tag = tag.expect("an ETag");
        let (_, again_tag, again) = read(&app, &path, None).await;
        assert_eq!(
            (again_tag.as_ref(), &again),
            (Some(&tag), &first),
            "{format}"
        );
        let (status, _, bytes) = read(&app, &path, Some(&tag)).await;
        assert_eq!((status, bytes.len()), (304, 0), "{format}");
        assert!(
            String::from_utf8_lossy(&first).contains("Agent 0"),
            "{format}"
        );
        tags.push((path, tag));
    }
    // A filtered read is its own entry.
    let (_, day_tag, _) = read(
        &app,
        &format!("{}?date=2026-02-17", paths::schedule_roster(s)),
        None,
    )
    .await;
    assert_ne!(day_tag.as_ref(), Some(&tags[0].1));

    // The roster shows agents' names: renaming one is a new version everywhere.
    let resp = app
        .client
        .put(app.url(&paths::agent(first_agent)))
        .json(&json!({"name": "Agent Zero", "external_id": "HR-0", "max_week_hours": 38}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    for (path, old) in &tags {
        let (status, tag, bytes) = read(&app, path, Some(old)).await;
        assert_eq!(status, 200, "{path}");
        assert_ne!(tag.as_ref(), Some(old), "{path}");
        assert!(
            String::from_utf8_lossy(&bytes).contains("Agent Zero"),
            "{path}"
        );
    }
}

async fn a_write_through_another_instance_shows_within_a_second(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let other = Other::start(&app);
    let q = queue_with_history(&app, true).await;
    let f = crate::helpers::id_of(&app.create_forecast(q, &json!({})).await);
    let created = app
        .add_agents(
            q,
            &json!([{"name": "Ana", "external_id": "HR-1", "max_week_hours": 38}]),
        )
        .await;
    let agent = created[0]["id"].as_i64().unwrap();
    let s = crate::helpers::id_of(
        &app.create_schedule(&json!({"forecast_id": f, "solver": "greedy"}))
            .await,
    );
    assert_eq!(app.wait_for_schedule(s).await["status"], "done");
    let path = format!("{}?format=csv", paths::schedule_roster(s));
    let (_, _, before) = read(&app, &path, None).await;
    assert!(String::from_utf8_lossy(&before).contains("Ana"));

    // Renamed through the other instance: it shows the new name at once...
    let resp = app
        .client
        .put(format!("{}{}", other.address, paths::agent(agent)))
        .json(&json!({"name": "Ana Lima", "external_id": "HR-1", "max_week_hours": 38}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = app
        .client
        .get(format!("{}{}", other.address, path))
        .send()
        .await
        .unwrap();
    assert!(resp.text().await.unwrap().contains("Ana Lima"));
    // ...and this one within a second, when it reads the roster's version again.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, _, after) = read(&app, &path, None).await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&after).contains("Ana Lima"));
}
