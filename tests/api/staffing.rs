//! What-if staffing over HTTP: nothing stored, every channel's model.

use crate::common::{TestApp, TestDb};
use crate::helpers::rounded;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_if_staffing_per_channel() {
    let app = TestApp::spawn(TestDb::sqlite()).await;
    // pyworkforce: 100 calls / 30 min, AHT 180 s, 80% in 0.33 min, occupancy 85%, shrinkage 30%.
    let voice = json!({"channel": "voice", "interval_minutes": 30, "intervals": [{"volume": 100, "aht_seconds": 180}],
                       "service_level_percent": 80, "answer_within_seconds": 19.8,
                       "max_occupancy_percent": 85, "shrinkage_percent": 30});
    let (status, c) = app.calculate_staffing(&voice).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["intervals"][0]["agents_net"], 14);
    assert_eq!(c["intervals"][0]["agents_with_shrinkage"], 20);
    assert_eq!(c["model"]["channel"], "voice");
    insta::assert_json_snapshot!("staffing_voice", rounded(&c));

    // Callers who hang up after 5 minutes on average: Erlang A needs no more agents, and some abandon.
    let mut patient = voice.clone();
    patient["patience_seconds"] = json!(300);
    let (status, a) = app.calculate_staffing(&patient).await;
    assert_eq!(status, 200, "{a}");
    assert!(a["intervals"][0]["agents_net"].as_u64().unwrap() <= 14);
    assert!(
        a["intervals"][0]["metrics"]["prob_abandon"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    // A cap on abandonment binds.
    patient["max_abandon_percent"] = json!(0.5);
    let (_, capped) = app.calculate_staffing(&patient).await;
    assert!(
        capped["intervals"][0]["agents_net"].as_u64() > a["intervals"][0]["agents_net"].as_u64()
    );
    assert!(
        capped["intervals"][0]["metrics"]["prob_abandon"]
            .as_f64()
            .unwrap()
            <= 0.005
    );

    // Chat: agents hold 3 chats each, so fewer agents than the same load on voice.
    let mut chat = voice.clone();
    chat["channel"] = json!("chat");
    chat["chat_concurrency"] = json!(3);
    let (status, ch) = app.calculate_staffing(&chat).await;
    assert_eq!(status, 200, "{ch}");
    assert!(ch["intervals"][0]["agents_net"].as_u64().unwrap() < 14);

    // Email with a 4-hour deadline: the work is spread, so the peak is lower than
    // answering each hour's burst within the hour, yet all of it is staffed.
    let mut hours = vec![json!({"volume": 120, "aht_seconds": 300})];
    hours.extend((0..7).map(|_| json!({"volume": 0, "aht_seconds": 300})));
    let email = json!({"channel": "email", "interval_minutes": 60, "intervals": hours, "deadline_seconds": 14400});
    let (status, e) = app.calculate_staffing(&email).await;
    assert_eq!(status, 200, "{e}");
    let peak = e["peak_agents"].as_u64().unwrap();
    assert!(
        peak < 10,
        "10 agents would clear 120 × 5 min in the first hour; peak {peak}"
    );
    let hours_staffed = e["agent_hours"].as_f64().unwrap();
    assert!(
        hours_staffed >= 10.0,
        "120 items × 5 min = 10 agent-hours; staffed {hours_staffed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_if_refuses_impossible_or_malformed_input() {
    let app = TestApp::spawn(TestDb::sqlite()).await;
    let base = json!({"intervals": [{"volume": 100, "aht_seconds": 180}]});
    let cases = [
        (
            json!({"intervals": [], "channel": "voice"}),
            422,
            "intervals",
        ),
        (
            json!({"intervals": [{"volume": 10, "aht_seconds": 180}], "service_level_percent": 100}),
            422,
            "service_level",
        ),
        (
            json!({"intervals": [{"volume": -5, "aht_seconds": 180}]}),
            422,
            "volume",
        ),
        (
            json!({"intervals": [{"volume": "many", "aht_seconds": 180}]}),
            400,
            "volume",
        ),
        (
            json!({"intervals": [{"volume": 10, "aht_seconds": 180}], "channel": "fax"}),
            400,
            "channel",
        ),
        (
            json!({"intervals": [{"volume": 10, "aht_seconds": 180}], "chat_concurrency": 2}),
            422,
            "chat_concurrency",
        ),
    ];
    for (body, status, needle) in cases {
        let (got, err) = app.calculate_staffing(&body).await;
        assert_eq!(got, status, "{body}: {err}");
        assert!(
            err["message"].as_str().unwrap().contains(needle),
            "{body}: {err}"
        );
    }
    let (status, _) = app.calculate_staffing(&base).await;
    assert_eq!(status, 200);
}
