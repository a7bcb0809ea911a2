//! The server-rendered pages pinned as HTML snapshots (insta): a roster's
//! Gantt, its coverage, a capacity plan, the queues page and a what-if answer, for a deterministic roster
//! (the engine with a fixed seed and move budget). Only the `<main>` part
//! is kept, with the session's CSRF token redacted. After an intended
//! change: `INSTA_UPDATE=always cargo test --test workspace snapshots`.

use crate::common::{queue_with_history, TestApp, TestDb};
use crate::helpers::id_of;
use crate::session::{get_page, post_page, sign_in};
use serde_json::{json, Value};

fn main_of(html: &str) -> String {
    let start = html.find("<main>").expect("a main element");
    let end = html.find("</main>").expect("the end of main") + "</main>".len();
    let mut out = String::new();
    let mut rest = &html[start..end];
    let field = "name=\"csrf\" value=\"";
    while let Some(at) = rest.find(field) {
        let value = at + field.len();
        out.push_str(&rest[..value]);
        out.push_str("[csrf]");
        rest = &rest[value + rest[value..].find('"').unwrap()..];
    }
    out.push_str(rest);
    // One element per line, so a change reads as a diff.
    out.replace("><", ">\n<")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_as_pinned() {
    let app = TestApp::spawn(TestDb::sqlite()).await;
    let q = queue_with_history(&app, true).await;
    let agents: Vec<Value> = (1..=6)
        .map(|i| json!({"name": format!("Agent {i}"), "external_id": format!("S{i}")}))
        .collect();
    app.add_agents(q, &Value::Array(agents)).await;
    let f = app
        .weekly_average_forecast(q, "2026-02-16 00:00", "2026-02-23 00:00")
        .await;
    let run = app
        .create_schedule(&json!({"forecast_id": f, "days": 7, "seed": 7,
            "iteration_budget": 3000, "time_limit_seconds": 60}))
        .await;
    let s = id_of(&run);
    assert_eq!(app.wait_for_schedule(s).await["status"], "done");

    let session = sign_in(&app, &app.planner_key).await;
    for (name, path) in [
        ("roster", format!("/schedules/{s}/roster")),
        (
            "roster_one_day",
            format!("/schedules/{s}/roster?day=2026-02-18"),
        ),
        ("coverage", format!("/schedules/{s}/coverage")),
    ] {
        let resp = get_page(&app, &session, &path).await;
        assert_eq!(resp.status(), 200, "{path}");
        insta::assert_snapshot!(name, main_of(&resp.text().await.unwrap()));
    }
    let page = get_page(&app, &session, "/what-if")
        .await
        .text()
        .await
        .unwrap();
    let csrf = crate::session::csrf_of(&page);
    // A capacity what-if started from the forecast's page, and the queues page.
    let resp = post_page(
        &app,
        &session,
        &format!("/forecasts/{f}/capacity-plans"),
        &[
            ("csrf", &csrf),
            ("headcount", "4"),
            ("attrition_percent", "2"),
            ("training_weeks", "3"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let plan = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(plan.starts_with("/capacity-plans/"), "{plan}");
    for (name, path) in [("capacity", plan.as_str()), ("queues", "/")] {
        let resp = get_page(&app, &session, path).await;
        assert_eq!(resp.status(), 200, "{path}");
        insta::assert_snapshot!(name, main_of(&resp.text().await.unwrap()));
    }
    let resp = post_page(
        &app,
        &session,
        "/what-if",
        &[
            ("csrf", &csrf),
            ("volume", "180"),
            ("aht_seconds", "240"),
            ("service_level_percent", "90"),
            ("answer_within_seconds", "15"),
            ("shrinkage_percent", "35"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
    insta::assert_snapshot!("what_if", main_of(&resp.text().await.unwrap()));
    // A bad what-if answers 422 with the field at fault, as the API does.
    let resp = post_page(
        &app,
        &session,
        "/what-if",
        &[
            ("csrf", &csrf),
            ("volume", "180"),
            ("aht_seconds", "240"),
            ("service_level_percent", "150"),
            ("answer_within_seconds", "15"),
            ("shrinkage_percent", "35"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("service_level"));
}
