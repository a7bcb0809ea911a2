//! Browser safety over real HTTP: uploads only as text/csv or JSON (never a
//! simple cross-site request), `Host` checked against the allowed names
//! (DNS rebinding), security headers on every answer, CORS only for
//! configured origins.

use crate::common::{client_with_key, paths, TestApp, TestDb};
use serde_json::{json, Value};
use staffcast::api::ApiSettings;
use staffcast::auth::Role;
use std::io::{Read, Write};

async fn code_of(resp: reqwest::Response) -> (u16, String) {
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap();
    (
        status,
        body["code"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_uploads_need_text_csv() {
    let app = TestApp::spawn(TestDb::sqlite()).await;
    let q = app
        .create_queue(json!({"name": "q", "channel": "voice"}))
        .await;
    let csv = "interval_start,volume\n2026-01-05 08:00,3\n";
    // What a page on another site can send without a preflight, and other CSV names.
    for content_type in [
        "text/plain",
        "application/csv",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ] {
        for path in [paths::queue_history(q), paths::queue_special_days(q)] {
            let resp = app.post_body(&path, content_type, csv).await;
            assert_eq!(
                code_of(resp).await,
                (415, "unsupported_media_type".to_string()),
                "{content_type} {path}"
            );
        }
    }
    assert!(app.get_json(&paths::queue_history(q)).await["intervals"]
        .as_array()
        .unwrap()
        .is_empty());
    // text/csv, with a charset or in capitals, is read.
    for content_type in ["text/csv; charset=utf-8", "Text/CSV"] {
        let resp = app
            .post_body(&paths::queue_history(q), content_type, csv)
            .await;
        assert_eq!(resp.status(), 200, "{content_type}");
    }
    let days = "date,kind,name,effect_percent\n2026-12-25,closed,Christmas,\n";
    let resp = app
        .post_body(&paths::queue_special_days(q), "text/csv", days)
        .await;
    assert_eq!(resp.status(), 200);
}

/// The four headers every answer carries, and no CORS header.
fn assert_browser_safe(resp: &reqwest::Response, what: &str) {
    let h = resp.headers();
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("cache-control", "no-store"),
        ("content-security-policy", "frame-ancestors 'none'"),
        ("x-frame-options", "DENY"),
    ] {
        assert_eq!(
            h.get(name).map(|v| v.to_str().unwrap()),
            Some(value),
            "{what}: {name}"
        );
    }
    let cors: Vec<&str> = h
        .keys()
        .map(|k| k.as_str())
        .filter(|k| k.starts_with("access-control-"))
        .collect();
    assert!(
        cors.is_empty(),
        "{what}: CORS headers {cors:?} though no origin is configured"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_is_browser_safe_and_sends_no_cors() {
    let app = TestApp::spawn(TestDb::sqlite()).await;
    let q = app
        .create_queue(json!({"name": "q", "channel": "voice"}))
        .await;
    let hr = client_with_key(&app.new_key("hr", Role::Hr));
    let origin = "https://evil.example";
    let cases = [
        ("health", app.anonymous().get(app.url(paths::HEALTH)), 200),
        ("json", app.client.get(app.url(&paths::queue(q))), 200),
        (
            "no key",
            app.anonymous().get(app.url(&paths::queues())),
            401,
        ),
        ("wrong role", hr.get(app.url(&paths::queue_history(q))), 403),
        (
            "unknown id",
            app.client.get(app.url(&paths::queue(999))),
            404,
        ),
        ("no route", app.client.get(app.url("/api/v1/nothing")), 404),
        (
            "write",
            app.client
                .post(app.url(&paths::queues()))
                .json(&json!({"name": "r", "channel": "voice"})),
            201,
        ),
        (
            "preflight",
            app.client
                .request(reqwest::Method::OPTIONS, app.url(&paths::queues()))
                .header("access-control-request-method", "POST"),
            404,
        ),
        (
            "preflight without key",
            app.anonymous()
                .request(reqwest::Method::OPTIONS, app.url(&paths::queues()))
                .header("access-control-request-method", "POST"),
            401,
        ),
    ];
    for (what, request, status) in cases {
        let resp = request.header("origin", origin).send().await.unwrap();
        assert_eq!(resp.status(), status, "{what}");
        assert_browser_safe(&resp, what);
    }
}

/// A raw HTTP/1.1 exchange, to send any `Host` (or none): the status line's code.
fn raw_status(address: &str, request: &str) -> u16 {
    let addr = address.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let headers = answer.to_ascii_lowercase();
    assert!(
        headers.contains("x-content-type-options: nosniff"),
        "{answer}"
    );
    answer.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_host_names_are_refused() {
    let settings = ApiSettings {
        allowed_hosts: vec!["wfm.example.com".into()],
        ..ApiSettings::default()
    };
    let app = TestApp::spawn_with(TestDb::sqlite(), settings).await;
    let port = app.address.rsplit(':').next().unwrap().to_string();
    // A page that rebinds its own name to 127.0.0.1 still sends its own name.
    for host in [
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1:{}", port.parse::<u16>().unwrap() + 1),
        "localhost".to_string(),
    ] {
        for path in [paths::HEALTH.to_string(), paths::queues()] {
            let resp = app
                .client
                .get(app.url(&path))
                .header("host", &host)
                .send()
                .await
                .unwrap();
            assert_browser_safe(&resp, &host);
            let status = resp.status();
            let body: Value = resp.json().await.unwrap();
            assert_eq!(status, 421, "{host} {path}: {body}");
            assert_eq!(body["code"], "host_not_allowed");
            assert!(body["detail"].as_str().unwrap().contains(&host), "{body}");
        }
    }
    // The bound address, localhost on its port, and the configured name.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "wfm.example.com".into(),
        "WFM.example.com:443".into(),
    ] {
        let resp = app
            .client
            .get(app.url(&paths::queues()))
            .header("host", &host)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{host}");
    }
    // No Host at all (HTTP/1.0): refused too.
    let address = app.address.clone();
    let (none, local) = tokio::task::spawn_blocking(move || {
        (
            raw_status(&address, "GET /healthz HTTP/1.0\r\n\r\n"),
            raw_status(
                &address,
                &format!("GET /healthz HTTP/1.0\r\nHost: localhost:{port}\r\n\r\n"),
            ),
        )
    })
    .await
    .unwrap();
    assert_eq!((none, local), (421, 200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_only_for_configured_origins() {
    let hr_site = "https://hr.example.com";
    let settings = ApiSettings {
        allowed_origins: vec![hr_site.into()],
        ..ApiSettings::default()
    };
    let app = TestApp::spawn_with(TestDb::sqlite(), settings).await;
    let allow_origin = |resp: &reqwest::Response| {
        resp.headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_string())
    };
    // The preflight a browser sends before a cross-site call with a key: no key on it.
    let resp = app
        .anonymous()
        .request(reqwest::Method::OPTIONS, app.url(&paths::queues()))
        .header("origin", hr_site)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(allow_origin(&resp).as_deref(), Some(hr_site));
    let h = resp.headers();
    assert!(h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("Authorization"));
    assert!(h["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("PUT"));
    assert_eq!(h["vary"], "Origin");
    assert_eq!(h["x-content-type-options"], "nosniff");
    // The call itself still needs its key; the answer may be read by that origin only.
    let resp = app
        .client
        .get(app.url(&paths::queues()))
        .header("origin", hr_site)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(allow_origin(&resp).as_deref(), Some(hr_site));
    let resp = app
        .anonymous()
        .get(app.url(&paths::queues()))
        .header("origin", hr_site)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    // Any other origin: nothing, preflight or not.
    for origin in [
        "https://evil.example",
        "https://hr.example.com.evil.example",
        "null",
    ] {
        let resp = app
            .anonymous()
            .request(reqwest::Method::OPTIONS, app.url(&paths::queues()))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "{origin}");
        assert_eq!(allow_origin(&resp), None, "{origin}");
        let resp = app
            .client
            .get(app.url(&paths::queues()))
            .header("origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(allow_origin(&resp), None, "{origin}");
    }
}
