//! Queues and history import over real HTTP, on SQLite and PostgreSQL.

use crate::common::{history_csv, paths, TestApp, TestDb};
use serde_json::{json, Value};
use staffcast::api::ApiSettings;

fn paris_queue() -> Value {
    json!({"name": "sales", "channel": "voice", "interval_minutes": 15, "time_zone": "Europe/Paris",
           "service_level_percent": 80, "answer_within_seconds": 20, "shrinkage_percent": 30, "max_occupancy_percent": 85})
}

async fn queues_are_created_validated_and_listed(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let id = app.create_queue(paris_queue()).await;
    let got = app.get_json(&paths::queue(id)).await;
    assert_eq!(got["time_zone"], "Europe/Paris");
    assert_eq!(got["shrinkage_percent"], 30.0);
    assert_eq!(got["channel"], "voice");
    insta::assert_json_snapshot!("queue", got, {
        ".id" => "[id]",
        ".created_at" => "[created_at]",
    });

    let dup = app.post_json(&paths::queues(), &paris_queue()).await;
    assert_eq!(dup.status(), 409);

    let mut bad = paris_queue();
    bad["name"] = json!("other");
    bad["time_zone"] = json!("Mars/Olympus");
    let resp = app.post_json(&paths::queues(), &bad).await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("time_zone"));

    bad["time_zone"] = json!("UTC");
    bad["service_level_percent"] = json!(100);
    let resp = app.post_json(&paths::queues(), &bad).await;
    assert_eq!(resp.status(), 422, "a 100% goal is impossible");

    bad["service_level_percent"] = json!("eighty");
    let resp = app.post_json(&paths::queues(), &bad).await;
    assert_eq!(resp.status(), 400, "wrong type");
    assert!(resp.text().await.unwrap().contains("service_level_percent"));

    let list = app.get_json(&paths::queues()).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(app.get(&paths::queue(999)).await.status(), 404);
    assert_eq!(app.get(&paths::queue("abc")).await.status(), 400);
}

async fn channel_options_are_stored_and_checked(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let chat = app
        .create_queue(json!({"name": "chat", "channel": "chat", "chat_concurrency": 3}))
        .await;
    let got = app.get_json(&paths::queue(chat)).await;
    assert_eq!(got["chat_concurrency"], 3);
    assert_eq!(got["patience_seconds"], Value::Null);
    let voice = app
        .create_queue(json!({"name": "voice", "channel": "voice", "patience_seconds": 240}))
        .await;
    let got = app.get_json(&paths::queue(voice)).await;
    assert_eq!(got["patience_seconds"], 240.0);
    let resp = app
        .post_json(
            &paths::queues(),
            &json!({"name": "mail", "channel": "email", "chat_concurrency": 2}),
        )
        .await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("chat_concurrency"));
}

async fn csv_import_is_idempotent_and_reads_local_time(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let id = app.create_queue(paris_queue()).await;
    let csv = history_csv("2026-01-05", 3, true);
    let first = app.import_history(id, csv.clone()).await;
    assert_eq!(first["rows"], 120);
    assert_eq!(first["inserted"], 120);
    let again = app.import_history(id, csv).await;
    assert_eq!(again["inserted"], 0);
    assert_eq!(again["updated"], 120);
    let rows = app.history_rows(id).await;
    assert_eq!(rows.len(), 120, "re-import must not duplicate");
    // 08:00 in Paris in January is 07:00 UTC.
    assert_eq!(rows[0]["interval_start"], "2026-01-05T07:00:00Z");

    // A changed value replaces the stored one.
    let fix = "interval_start,volume,aht_seconds\n2026-01-05T08:00:00+01:00,99,200\n";
    let resp = app.import_history(id, fix).await;
    assert_eq!(resp["updated"], 1);
    let rows = app.history_rows(id).await;
    assert_eq!(rows[0]["volume"], 99.0);
    assert_eq!(rows.len(), 120);
}

async fn json_import_works(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let id = app.create_queue(paris_queue()).await;
    let body = json!([
        {"interval_start": "2026-01-05T07:00:00Z", "volume": 5, "aht_seconds": 200},
        {"interval_start": "2026-01-05 08:15", "volume": 6}
    ]);
    app.import_history_json(id, &body).await;
    let rows = app.history_rows(id).await;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["interval_start"], "2026-01-05T07:15:00Z");
    assert_eq!(rows[1]["aht_seconds"], Value::Null);
}

async fn a_bad_row_rejects_the_whole_import(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let id = app.create_queue(paris_queue()).await;
    let path = paths::queue_history(id);
    app.import_history(id, history_csv("2026-01-05", 1, true))
        .await;
    let before = app.history_rows(id).await;

    let cases = [
        (
            "interval_start,volume\n2026-01-06 08:00,4\n2026-01-06 08:15,lots\n",
            "line 3, column volume",
        ),
        (
            "interval_start,volume\n2026-01-06 08:00,4\n2026-01-06 08:07,4\n",
            "line 3, column interval_start",
        ),
        (
            "interval_start,volume\n2026-01-06 08:00,4\nnot-a-time,4\n",
            "line 3, column interval_start",
        ),
        (
            "interval_start,volume\n2026-01-05 08:00,1000\n2026-01-06 08:00,-4\n",
            "line 3, column volume",
        ),
        (
            "interval_start,volume\n2026-03-29 02:15,4\n",
            "does not exist",
        ),
        ("when,volume\n2026-01-06 08:00,4\n", "column when"),
        ("interval_start,volume\n2026-01-06 08:00,4,9\n", "line 2"),
    ];
    for (body, expected) in cases {
        let resp = app.post_body(&path, "text/csv", body).await;
        assert_eq!(resp.status(), 400, "{body}");
        let err: Value = resp.json().await.unwrap();
        let message = err["message"].as_str().unwrap();
        assert!(
            message.contains(expected),
            "'{message}' should name '{expected}'"
        );
    }
    let bad_json = json!([{"interval_start": "2026-01-06T07:00:00Z", "volume": "x"}]);
    assert_eq!(app.post_json(&path, &bad_json).await.status(), 400);
    assert_eq!(
        app.history_rows(id).await,
        before,
        "nothing may be written or lost"
    );

    let resp = app.post_body(&path, "application/xml", "<x/>").await;
    assert_eq!(resp.status(), 415);
    let resp = app
        .post_body(
            &paths::queue_history(999),
            "text/csv",
            "interval_start,volume\n",
        )
        .await;
    assert_eq!(resp.status(), 404);
}

async fn large_bodies_get_413(db: TestDb) {
    let settings = ApiSettings {
        max_body_bytes: 10_000,
        ..ApiSettings::default()
    };
    let app = TestApp::spawn_with(db, settings).await;
    let id = app.create_queue(paris_queue()).await;
    let big = history_csv("2026-01-05", 20, true);
    assert!(big.len() > 10_000);
    let resp = app
        .post_body(&paths::queue_history(id), "text/csv", big)
        .await;
    assert_eq!(resp.status(), 413);
    let err: Value = resp.json().await.unwrap();
    assert_eq!(err["error"], "payload_too_large");
    // Same limit for JSON bodies.
    let huge_name = "x".repeat(20_000);
    let resp = app
        .post_json(
            &paths::queues(),
            &json!({"name": huge_name, "channel": "voice"}),
        )
        .await;
    assert_eq!(resp.status(), 413);
    assert!(app.history_rows(id).await.is_empty());
}

async fn agents_are_added_and_listed(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let id = app.create_queue(paris_queue()).await;
    let path = paths::queue_agents(id);
    let resp = app
        .post_json(
            &path,
            &json!([
                {"name": "Ana", "external_id": "HR-1", "min_week_hours": 20, "max_week_hours": 40},
                {"name": "Ben", "external_id": "HR-2"}
            ]),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let dup = app
        .post_json(&path, &json!({"name": "Cy", "external_id": "HR-1"}))
        .await;
    assert_eq!(dup.status(), 409);
    let bad = app.post_json(&path, &json!({"name": "Di", "external_id": "HR-9", "min_week_hours": 50, "max_week_hours": 40})).await;
    assert_eq!(bad.status(), 422);
    let list = app.get_json(&path).await;
    assert_eq!(
        list.as_array().unwrap().len(),
        2,
        "failed adds leave nothing behind"
    );
    assert_eq!(list[1]["max_week_hours"], 40.0);
}

async fn health_reports_the_database(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let resp = app.get(paths::HEALTH).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

/// Twenty imports into one queue at the same moment all succeed and every
/// row is stored (SQLite once failed 19 of them with "database is locked":
/// its deferred transactions could not upgrade their read locks).
async fn concurrent_imports_all_succeed(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let id = app.create_queue(paris_queue()).await;
    let first = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    const IMPORTS: i64 = 20;
    let bodies: Vec<String> = (0..IMPORTS)
        .map(|i| history_csv(&(first + chrono::Duration::weeks(i)).to_string(), 7, true))
        .collect();
    let path = paths::queue_history(id);
    let sent = bodies
        .iter()
        .map(|csv| app.post_body(&path, "text/csv", csv.clone()));
    let responses = futures_util::future::join_all(sent).await;
    let mut failures = Vec::new();
    for resp in responses {
        let status = resp.status();
        let body = resp.text().await.unwrap();
        if status != 200 {
            failures.push(format!("{status}: {body}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {IMPORTS} imports failed: {failures:?}",
        failures.len()
    );
    // 7 days of 40 quarter-hours each.
    assert_eq!(app.history_rows(id).await.len() as i64, IMPORTS * 7 * 40);
}

crate::on_both_databases!(
    concurrent_imports_all_succeed,
    queues_are_created_validated_and_listed,
    channel_options_are_stored_and_checked,
    csv_import_is_idempotent_and_reads_local_time,
    json_import_works,
    a_bad_row_rejects_the_whole_import,
    large_bodies_get_413,
    agents_are_added_and_listed,
    health_reports_the_database,
);

/// When PostgreSQL goes away under a running server, /healthz says 503.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_503_when_the_database_is_gone() {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let db = TestDb::postgres();
    let name = match &db {
        TestDb::Postgres { name, .. } => name.clone(),
        _ => unreachable!(),
    };
    let app = TestApp::spawn(db).await;
    assert_eq!(app.get(paths::HEALTH).await.status(), 200);
    let mut admin = PgConnection::establish(&crate::common::pg_admin_url()).unwrap();
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
    let resp = app.get(paths::HEALTH).await;
    assert_eq!(resp.status(), 503);
}

/// A database emptied under a running server still answers `SELECT 1`, but
/// no route can work: /healthz says 503 and why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_503_when_the_schema_is_gone() {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let db = TestDb::postgres();
    let url = db.url().to_string();
    let app = TestApp::spawn(db).await;
    assert_eq!(app.get(paths::HEALTH).await.status(), 200);
    let mut conn = PgConnection::establish(&url).unwrap();
    diesel::sql_query("DROP SCHEMA public CASCADE")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("CREATE SCHEMA public")
        .execute(&mut conn)
        .unwrap();
    let resp = app.get(paths::HEALTH).await;
    assert_eq!(resp.status(), 503);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert!(
        body["message"].as_str().unwrap().contains("schema"),
        "{body}"
    );
}
