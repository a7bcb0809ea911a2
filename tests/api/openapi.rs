//! The OpenAPI document against the route table and the live server: every
//! route is described, the document is served to any key, and `/docs`
//! serves Swagger UI from this server only.

use crate::common::{client_with_key, TestApp, TestDb};
use serde_json::Value;
use staffcast::auth::{Access, Role};
use std::collections::BTreeSet;

/// Routes that are pages and files for people, not the API.
fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz"
}

#[test]
fn every_route_is_in_the_document_and_nothing_else() {
    let doc = serde_json::to_value(staffcast::api::openapi::document()).unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "put", "post", "delete", "patch"] {
            if item.get(method).is_some() {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let routed: BTreeSet<(String, String)> = staffcast::api::endpoints()
        .iter()
        .filter(|e| is_api(e.path))
        .map(|e| (e.method.as_str().to_string(), e.path.to_string()))
        .collect();
    let missing: Vec<_> = routed.difference(&documented).collect();
    let phantom: Vec<_> = documented.difference(&routed).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the OpenAPI document: {missing:?}"
    );
    assert!(phantom.is_empty(), "documented but not routed: {phantom:?}");
}

#[test]
fn every_operation_says_what_it_answers_and_who_may_call_it() {
    let doc = serde_json::to_value(staffcast::api::openapi::document()).unwrap();
    let keyless: BTreeSet<(String, String)> = staffcast::api::endpoints()
        .iter()
        .filter(|e| matches!(e.access, Access::Public | Access::SecretUrl))
        .map(|e| (e.method.as_str().to_lowercase(), e.path.to_string()))
        .collect();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert!(schemas.contains_key("Problem"));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let what = format!("{method} {path}");
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|k| k.starts_with('2')),
                "{what}: no success response"
            );
            assert!(
                responses.contains_key("4XX") && responses.contains_key("5XX"),
                "{what}"
            );
            // Only routes the server lets through without a key say so;
            // the rest inherit the bearer key.
            let open =
                op.get("security") == Some(&Value::Array(vec![Value::Object(Default::default())]));
            let keyless = keyless.contains(&(method.clone(), path.clone()));
            assert_eq!(open, keyless, "{what}: security {:?}", op.get("security"));
            // Every `$ref` points at a schema that exists.
            let text = op.to_string();
            for r in text.split("#/components/schemas/").skip(1) {
                let name: String = r.chars().take_while(|c| *c != '"').collect();
                assert!(schemas.contains_key(&name), "{what}: dangling $ref {name}");
            }
        }
    }
}

crate::on_both_databases!(the_document_is_served_to_any_key);
async fn the_document_is_served_to_any_key(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let url = app.url("/api/v1/openapi.json");
    let resp = app.anonymous().get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let hr = client_with_key(&app.new_key("hr tool", Role::Hr));
    let resp = hr.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let served: Value = resp.json().await.unwrap();
    let built = serde_json::to_value(staffcast::api::openapi::document()).unwrap();
    assert_eq!(served, built);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_are_served_from_this_server_only() {
    let app = TestApp::spawn(TestDb::sqlite()).await;
    let anonymous = app.anonymous();
    let page = anonymous.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    // Every script and stylesheet is one of ours: nothing from a CDN.
    for attr in ["src=\"", "href=\""] {
        for link in html.split(attr).skip(1) {
            let target: String = link.chars().take_while(|c| *c != '"').collect();
            assert!(target.starts_with("/docs/"), "{target} is not served here");
            let resp = anonymous.get(app.url(&target)).send().await.unwrap();
            assert_eq!(resp.status(), 200, "{target}");
            let kind = resp.headers()["content-type"].to_str().unwrap().to_string();
            assert!(
                kind.starts_with("text/javascript") || kind.starts_with("text/css"),
                "{target}: {kind}"
            );
            assert!(resp.bytes().await.unwrap().len() > 100, "{target} is empty");
        }
    }
    let bundle = anonymous
        .get(app.url("/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    let committed = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/api/docs/swagger-ui/swagger-ui-bundle.js"
    ))
    .unwrap();
    assert_eq!(bundle.bytes().await.unwrap().len(), committed.len());
}
