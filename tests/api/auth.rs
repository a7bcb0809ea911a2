//! API keys and roles over real HTTP: every route of the server's own
//! route table is walked with no key, a malformed and a revoked key, and a
//! key of each role; keys are made and revoked over the admin routes; every
//! write lands in the audit log, which only admins read.

use crate::common::{client_with_key, json_of, paths, TestApp, TestDb};
use serde_json::{json, Value};
use staffcast::auth::{Access, ApiKey, Role};

/// A route pattern made concrete: every `{param}` an id no row has, so an
/// allowed request ends in a 4xx of its own (404, 400, 415) and changes nothing.
fn concrete(pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').unwrap() + start;
        out.push_str(&rest[..start]);
        out.push_str("999999");
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

async fn send(
    app: &TestApp,
    client: &reqwest::Client,
    method: &str,
    path: &str,
) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    client.request(method, app.url(path)).send().await.unwrap()
}

/// Checks a refusal: status, problem code, and (for 401) the Bearer challenge.
async fn refused(resp: reqwest::Response, status: u16, code: &str, what: &str) -> Value {
    assert_eq!(resp.status(), status, "{what}");
    let challenge = resp
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string());
    if status == 401 {
        assert!(
            challenge
                .as_deref()
                .is_some_and(|c| c.starts_with("Bearer realm=\"staffcast\"")),
            "{what}: {challenge:?}"
        );
    } else {
        assert_eq!(challenge, None, "{what}");
    }
    assert_eq!(
        resp.headers()["content-type"],
        "application/problem+json",
        "{what}"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], code, "{what}: {body}");
    body
}

async fn every_route_asks_for_its_role(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let endpoints = staffcast::api::endpoints();
    // The table is the server's: a new route is walked here without a test change.
    assert!(endpoints.len() >= 36, "{endpoints:?}");
    let mut seen = std::collections::HashSet::new();
    for e in &endpoints {
        assert!(
            seen.insert((e.method.as_str(), e.path)),
            "{e:?} listed twice"
        );
    }

    // A key revoked over the admin route.
    let revoked = app.new_key("gone", Role::Planner);
    let keys = json_of(
        app.admin.get(app.url(&paths::keys())).send().await.unwrap(),
        200,
    )
    .await;
    let gone = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "gone")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let resp = app
        .admin
        .delete(app.url(&paths::key(gone)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let hr_key = app.new_key("hr tool", Role::Hr);
    let by_role = [
        (Role::Admin, app.admin.clone()),
        (Role::Planner, app.client.clone()),
        (Role::Hr, client_with_key(&hr_key)),
    ];
    let malformed = {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("authorization", "Bearer sc_not-a-key".parse().unwrap());
        reqwest::Client::builder()
            .default_headers(h)
            .build()
            .unwrap()
    };

    let mut allowed_for_hr = Vec::new();
    for e in &endpoints {
        let (method, path) = (e.method.as_str(), concrete(e.path));
        let what = format!("{method} {}", e.path);
        let anonymous = send(&app, &app.anonymous(), method, &path).await;
        if let Access::Page(_) = e.access {
            // A workspace page takes a browser session, never a key: every
            // caller without one is sent to sign in (tests/workspace walks
            // the pages with each role's session).
            let keys = [
                None,
                Some(revoked.as_str()),
                Some("sc_not-a-key"),
                Some(app.admin_key.as_str()),
                Some(app.planner_key.as_str()),
                Some(hr_key.as_str()),
            ];
            for key in keys {
                let mut client =
                    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
                if let Some(key) = key {
                    let mut h = reqwest::header::HeaderMap::new();
                    h.insert("authorization", format!("Bearer {key}").parse().unwrap());
                    client = client.default_headers(h);
                }
                let resp = send(&app, &client.build().unwrap(), method, &path).await;
                assert_eq!(resp.status(), 303, "{what}");
                assert!(
                    resp.headers()["location"]
                        .to_str()
                        .unwrap()
                        .starts_with("/login"),
                    "{what}"
                );
            }
            let _ = anonymous;
            continue;
        }
        if e.access == Access::Public && method != "POST" {
            assert_eq!(anonymous.status(), 200, "{what}");
        } else if e.access == Access::Public {
            // The sign-in form: no key needed; an empty post is refused as a bad form.
            let status = anonymous.status().as_u16();
            assert!(
                (400..500).contains(&status) && status != 401,
                "{what}: {status}"
            );
        } else if e.access == Access::SecretUrl {
            // No key is asked for: the secret in the URL is the credential,
            // and a made-up one is not found (404, never 401), whoever asks.
            // A real one answers 200 without a key (tests/api/published.rs).
            refused(anonymous, 404, "not_found", &what).await;
        } else {
            refused(anonymous, 401, "unauthenticated", &what).await;
            let resp = send(&app, &client_with_key(&revoked), method, &path).await;
            assert!(resp.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .contains("error=\"invalid_token\""));
            refused(
                resp,
                401,
                "unauthenticated",
                &format!("{what}, revoked key"),
            )
            .await;
            let resp = send(&app, &malformed, method, &path).await;
            refused(
                resp,
                401,
                "unauthenticated",
                &format!("{what}, malformed key"),
            )
            .await;
        }
        for (role, client) in &by_role {
            let resp = send(&app, client, method, &path).await;
            let what = format!("{what} as {role}");
            if role.may(e.access) {
                let status = resp.status().as_u16();
                assert!(
                    ![401, 403].contains(&status) && status < 500,
                    "{what}: {status} {}",
                    resp.text().await.unwrap()
                );
                if *role == Role::Hr {
                    allowed_for_hr.push(format!("{method} {}", e.path));
                }
            } else {
                let body = refused(resp, 403, "forbidden", &what).await;
                assert!(
                    body["detail"]
                        .as_str()
                        .unwrap()
                        .starts_with(&format!("a key with role {role} may not ")),
                    "{body}"
                );
            }
        }
    }
    // The matrix as documented (README, "Roles"): what an HR tool may call.
    assert_eq!(
        allowed_for_hr,
        [
            "GET /healthz",
            "GET /api/v1/openapi.json",
            "GET /docs",
            "GET /docs/init.js",
            "GET /docs/swagger-ui-bundle.js",
            "GET /docs/swagger-ui.css",
            "GET /api/v1/queues",
            "GET /api/v1/queues/{id}",
            "POST /api/v1/queues/{id}/agents",
            "GET /api/v1/queues/{id}/agents",
            "PUT /api/v1/queues/{id}/agents",
            "GET /api/v1/agents/{id}",
            "PUT /api/v1/agents/{id}",
            "PUT /api/v1/agents/by-external-id/{hr_id}",
            "POST /api/v1/agents/{id}/calendar-feed",
            "DELETE /api/v1/agents/{id}/calendar-feed",
            "GET /api/v1/feeds/{token}.ics",
            "GET /api/v1/schedules",
            "GET /api/v1/schedules/{id}",
            "GET /api/v1/schedules/{id}/roster",
            "GET /api/v1/rosters",
            "GET /login",
            "POST /login",
            "GET /workspace/workspace.js",
            "GET /workspace/workspace.css",
            "GET /workspace/uPlot.iife.min.js",
            "GET /workspace/uPlot.min.css",
        ]
    );
    // Planners may do everything but keys and the audit log.
    let planner_refused: Vec<String> = endpoints
        .iter()
        .filter(|e| !Role::Planner.may(e.access))
        .map(|e| format!("{} {}", e.method, e.path))
        .collect();
    assert_eq!(
        planner_refused,
        [
            "POST /api/v1/keys",
            "GET /api/v1/keys",
            "DELETE /api/v1/keys/{id}",
            "GET /api/v1/audit"
        ]
    );

    // A path no route has: 401 without a key (nothing is listed to strangers), 404 with one.
    refused(
        send(&app, &app.anonymous(), "GET", "/api/v1/nothing").await,
        401,
        "unauthenticated",
        "unknown path",
    )
    .await;
    refused(
        send(&app, &app.anonymous(), "GET", "/nothing").await,
        401,
        "unauthenticated",
        "unknown page",
    )
    .await;
    refused(
        send(&app, &by_role[2].1, "GET", "/api/v1/nothing").await,
        404,
        "not_found",
        "unknown path",
    )
    .await;
    // A key in another scheme, or sent bare, is no key.
    for value in [format!("Basic {}", app.admin_key), app.admin_key.clone()] {
        let resp = app
            .anonymous()
            .get(app.url(&paths::queues()))
            .header("authorization", value)
            .send()
            .await
            .unwrap();
        refused(resp, 401, "unauthenticated", "not a Bearer key").await;
    }
}

#[derive(diesel::QueryableByName)]
struct StoredHash {
    #[diesel(sql_type = diesel::sql_types::Text)]
    key_hash: String,
}

/// What the api_keys table holds, read past the app.
fn stored_hashes(db: &TestDb) -> Vec<String> {
    use diesel::{Connection, RunQueryDsl};
    let query = diesel::sql_query("SELECT key_hash FROM api_keys ORDER BY id");
    let rows = match db {
        TestDb::Sqlite { .. } => {
            query.load::<StoredHash>(&mut diesel::SqliteConnection::establish(db.url()).unwrap())
        }
        TestDb::Postgres { .. } => {
            query.load::<StoredHash>(&mut diesel::PgConnection::establish(db.url()).unwrap())
        }
    };
    rows.unwrap().into_iter().map(|r| r.key_hash).collect()
}

async fn keys_are_made_listed_and_revoked_by_admins(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let resp = app
        .admin
        .post(app.url(&paths::keys()))
        .json(&json!({"name": "hr tool", "role": "hr"}))
        .send()
        .await
        .unwrap();
    let created = json_of(resp, 201).await;
    let secret = created["key"].as_str().unwrap().to_string();
    assert!(secret.starts_with("sc_") && secret.len() == 46, "{created}");
    assert_eq!(created["name"], "hr tool");
    assert_eq!(created["role"], "hr");
    assert_eq!(created["revoked_at"], Value::Null);
    assert_eq!(created["last_used_at"], Value::Null);
    let id = created["id"].as_i64().unwrap();

    // Only the SHA-256 of a key is stored, never the key.
    let hashes = stored_hashes(app.db());
    let expected = ApiKey::parse(&secret).unwrap().hash();
    assert!(
        hashes.contains(&expected.as_str().to_string()),
        "{hashes:?}"
    );
    assert!(hashes
        .iter()
        .all(|h| h.len() == 64 && !h.contains(&secret[3..])));
    if let TestDb::Sqlite { url, .. } = app.db() {
        let dir = std::path::Path::new(url).parent().unwrap();
        for file in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(file.unwrap().path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(&secret[3..]),
                "the secret is in a database file"
            );
        }
    }

    // The new key works at once, within its role.
    let hr = client_with_key(&secret);
    assert_eq!(
        hr.get(app.url(&paths::queues()))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let resp = hr
        .post(app.url(&paths::queues()))
        .json(&json!({"name": "q", "channel": "voice"}))
        .send()
        .await
        .unwrap();
    refused(resp, 403, "forbidden", "hr creates a queue").await;

    // Listed without secrets, its use recorded.
    let keys = json_of(
        app.admin.get(app.url(&paths::keys())).send().await.unwrap(),
        200,
    )
    .await;
    let keys = keys.as_array().unwrap();
    let names: Vec<&str> = keys.iter().map(|k| k["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["test planner", "test admin", "hr tool"]);
    for k in keys {
        let fields: Vec<&String> = k.as_object().unwrap().keys().collect();
        assert_eq!(
            fields,
            [
                "created_at",
                "id",
                "last_used_at",
                "name",
                "revoked_at",
                "role"
            ],
            "{k}"
        );
    }
    assert!(keys[2]["last_used_at"].is_string(), "{}", keys[2]);

    // Planners and HR manage no keys.
    let resp = app
        .post_json(&paths::keys(), &json!({"name": "mine", "role": "admin"}))
        .await;
    refused(resp, 403, "forbidden", "planner creates a key").await;
    refused(
        hr.delete(app.url(&paths::key(id))).send().await.unwrap(),
        403,
        "forbidden",
        "hr revokes",
    )
    .await;

    // Refusals name the field.
    for (body, status, code, field) in [
        (
            json!({"name": "x", "role": "boss"}),
            400,
            "malformed_body",
            "role",
        ),
        (
            json!({"name": "  ", "role": "hr"}),
            422,
            "invalid_value",
            "name",
        ),
        (
            json!({"name": "x", "role": "hr", "scope": "all"}),
            400,
            "malformed_body",
            ".",
        ),
    ] {
        let resp = app
            .admin
            .post(app.url(&paths::keys()))
            .json(&body)
            .send()
            .await
            .unwrap();
        let got = refused(resp, status, code, &body.to_string()).await;
        if field != "." {
            assert_eq!(got["field"], field, "{got}");
        }
    }

    // Revoked: the next request is refused; revoking again changes nothing.
    let resp = app
        .admin
        .delete(app.url(&paths::key(id)))
        .send()
        .await
        .unwrap();
    let revoked = json_of(resp, 200).await;
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    assert!(revoked.get("key").is_none());
    let resp = hr.get(app.url(&paths::queues())).send().await.unwrap();
    refused(resp, 401, "unauthenticated", "revoked key").await;
    let again = json_of(
        app.admin
            .delete(app.url(&paths::key(id)))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(again["revoked_at"], revoked["revoked_at"]);
    let resp = app
        .admin
        .delete(app.url(&paths::key(999)))
        .send()
        .await
        .unwrap();
    refused(resp, 404, "not_found", "unknown key").await;
}

async fn writes_are_audited_and_only_admins_read_the_log(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let hr = client_with_key(&app.new_key("hr tool", Role::Hr));
    // Planner: a queue (201), its history (200), a refused import (400); reads are not audited.
    let q = app
        .create_queue(json!({"name": "q", "channel": "voice", "time_zone": "Europe/Paris"}))
        .await;
    app.get_json(&paths::queue(q)).await;
    let resp = app
        .post_body(
            &paths::queue_history(q),
            "text/csv",
            "interval_start,volume\n2026-01-05 08:00,3\n",
        )
        .await;
    assert_eq!(resp.status(), 200);
    let resp = app
        .post_body(
            &paths::queue_history(q),
            "text/csv",
            "interval_start,volume\nnot a time,3\n",
        )
        .await;
    assert_eq!(resp.status(), 400);
    // HR: an agent (201) and a refused forecast (403).
    let resp = hr
        .post(app.url(&paths::queue_agents(q)))
        .json(&json!({"name": "Ana", "external_id": "HR-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let resp = hr
        .post(app.url(&paths::queue_forecasts(q)))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    // No key: not audited (there is no one to name), only logged.
    let resp = app
        .anonymous()
        .post(app.url(&paths::queues()))
        .json(&json!({"name": "x", "channel": "voice"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    // Only admins read the log.
    for client in [&app.client, &hr] {
        let resp = client.get(app.url(&paths::audit())).send().await.unwrap();
        refused(resp, 403, "forbidden", "audit").await;
    }
    let page = json_of(
        app.admin
            .get(app.url(&paths::audit()))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let entries = page["entries"].as_array().unwrap();
    let summary: Vec<(i64, &str, &str, i64)> = entries
        .iter()
        .map(|e| {
            (
                e["key_id"].as_i64().unwrap(),
                e["method"].as_str().unwrap(),
                e["route"].as_str().unwrap(),
                e["status"].as_i64().unwrap(),
            )
        })
        .collect();
    // Newest first; keys 1, 2, 3 are the planner, the admin and HR.
    assert_eq!(
        summary,
        [
            (3, "POST", "/api/v1/queues/{id}/forecasts", 403),
            (3, "POST", "/api/v1/queues/{id}/agents", 201),
            (1, "POST", "/api/v1/queues/{id}/history", 400),
            (1, "POST", "/api/v1/queues/{id}/history", 200),
            (1, "POST", "/api/v1/queues", 201),
        ]
    );
    assert_eq!(entries[0]["path"], format!("/api/v1/queues/{q}/forecasts"));
    assert_eq!(entries[0]["params"], json!({"id": q.to_string()}));
    assert_eq!(entries[4]["params"], json!({}));
    assert_eq!(page["next_before"], Value::Null);
    insta::assert_json_snapshot!("audit_page", page, {
        ".entries[].id" => "[id]",
        ".entries[].at" => "[at]",
        ".entries[].path" => "[path]",
        ".entries[].params.id" => "[queue id]",
    });

    // One key's writes.
    let page = json_of(
        app.admin
            .get(app.url(&paths::with_query(paths::audit(), &[("key_id", &3)])))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(page["entries"].as_array().unwrap().len(), 2);
    // A page at a time, newest first, until next_before is null.
    let mut seen = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let mut params: Vec<(&str, &dyn std::fmt::Display)> = vec![("limit", &2)];
        let cursor;
        if let Some(b) = before {
            cursor = b;
            params.push(("before", &cursor));
        }
        let url = app.url(&paths::with_query(paths::audit(), &params));
        let page = json_of(app.admin.get(url).send().await.unwrap(), 200).await;
        let ids: Vec<i64> = page["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect();
        assert!(ids.len() <= 2 && !ids.is_empty());
        seen.extend(ids);
        match page["next_before"].as_i64() {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    let all: Vec<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(seen, all, "pages join up to the whole log");
    for bad in [("limit", &0 as &dyn std::fmt::Display), ("limit", &501)] {
        let url = app.url(&paths::with_query(paths::audit(), &[bad]));
        refused(
            app.admin.get(url).send().await.unwrap(),
            422,
            "out_of_range",
            "limit",
        )
        .await;
    }
    let url = app.url(&paths::with_query(paths::audit(), &[("page", &2)]));
    refused(
        app.admin.get(url).send().await.unwrap(),
        400,
        "invalid_query",
        "unknown parameter",
    )
    .await;

    // Key management is a write too.
    let resp = app
        .admin
        .post(app.url(&paths::keys()))
        .json(&json!({"name": "new", "role": "planner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let page = json_of(
        app.admin
            .get(app.url(&paths::audit()))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(page["entries"][0]["key_id"], 2);
    assert_eq!(page["entries"][0]["route"], "/api/v1/keys");
    assert_eq!(page["entries"][0]["status"], 201);
}

crate::on_both_databases!(
    every_route_asks_for_its_role,
    keys_are_made_listed_and_revoked_by_admins,
    writes_are_audited_and_only_admins_read_the_log,
);
