#![allow(clippy::unwrap_used)] // benchmark harness: a failed unwrap is a failed run
//! Workspace page speed: the roster page (Gantt and hours per agent) of
//! 1,000 agents over 4 weeks (20,000 shifts, each with a lunch break),
//! stored in a SQLite file like any finished job's roster.
//!
//! Three figures, best of 5: the use case's read (`app::workspace::
//! roster_page`), the render of the page from it (`web::roster::render`),
//! and the whole request over HTTP (`GET /schedules/{id}/roster` with a
//! session cookie, the real server on a random port, body read in full).
//! Run: `cargo bench --bench workspace`.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use staffcast::app::forecast::{create_forecast, ForecastRequest};
use staffcast::app::history::{create_queue, import_history, HistoryFormat};
use staffcast::app::schedule::RosterFilter;
use staffcast::app::workspace::roster_page;
use staffcast::db::agents::AgentRecord;
use staffcast::db::schedules::{
    JobStatus, NewScheduleRun, ScheduleOutcome, StoredBreak, StoredShift,
};
use staffcast::db::Database;
use staffcast::domain::agent::NewAgent;
use staffcast::domain::{Channel, QueueSpec, ServiceGoal};
use std::hint::black_box;
use std::time::Instant;

const AGENTS: usize = 1_000;
const DAYS: u32 = 28;

fn best<F: FnMut() -> usize>(reps: usize, mut f: F) -> (f64, usize) {
    let mut best = f64::INFINITY;
    let mut check = 0;
    for _ in 0..reps {
        let t = Instant::now();
        check = black_box(f());
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    (best, check)
}

/// A queue, its history and a forecast (the roster's parents), 1,000
/// agents, and a finished 4-week roster stored for them; returns its id.
fn stored_roster(db: &Database) -> staffcast::domain::ScheduleId {
    let goal = ServiceGoal::new(0.8, 20.0, None, None).unwrap();
    let spec = QueueSpec::new("bench", Channel::Voice, 30, "UTC", goal, 0.3, 0.85).unwrap();
    let queue = create_queue(db, &spec).unwrap();
    let first = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let mut csv = String::from("interval_start,volume,aht_seconds\n");
    for d in 0..42 {
        for h in 8..20 {
            csv.push_str(&format!(
                "{} {h:02}:00,{},240\n",
                first + Duration::days(d),
                100 + h
            ));
        }
    }
    import_history(db, queue.id, csv.as_bytes(), HistoryFormat::Csv).unwrap();
    let request = ForecastRequest {
        model: Some("weekly_average".into()),
        ..Default::default()
    };
    let never = std::sync::atomic::AtomicBool::new(false);
    let forecast = create_forecast(db, queue.id, &request, &never).unwrap().run;
    let records: Vec<AgentRecord> = (0..AGENTS)
        .map(|i| {
            NewAgent::new(&format!("Agent {i:04}"), &format!("B{i}"), 30.0, 40.0)
                .unwrap()
                .into()
        })
        .collect();
    let agents = db.create_agents(queue.id, &records).unwrap();
    let week_start = Utc.with_ymd_and_hms(2026, 2, 16, 0, 0, 0).unwrap();
    let params = serde_json::json!({
        "forecast_id": forecast.id, "first_day": "2026-02-16", "days": DAYS,
        "rule": staffcast::app::schedule::default_rule(), "solver": "engine",
    });
    let id = db
        .queue_schedule(&NewScheduleRun {
            queue_id: queue.id,
            forecast_id: forecast.id,
            week_start,
            days: DAYS as i32,
            params: serde_json::from_value(params).unwrap(),
        })
        .unwrap();
    let lease = db
        .claim_schedule(id, "bench", std::time::Duration::from_secs(600))
        .unwrap()
        .unwrap();
    // Five 8.5-hour days a week per agent, starts spread over the morning.
    let mut shifts = Vec::new();
    for (i, a) in agents.iter().enumerate() {
        for d in 0..DAYS as i64 {
            if (d + i as i64) % 7 >= 5 {
                continue;
            }
            let start =
                week_start + Duration::days(d) + Duration::minutes(420 + 30 * (i as i64 % 18));
            let lunch = start + Duration::hours(4);
            shifts.push(StoredShift {
                agent_id: a.id,
                start,
                end: start + Duration::minutes(510),
                breaks: vec![StoredBreak {
                    start: lunch,
                    end: lunch + Duration::minutes(30),
                    paid: false,
                }],
            });
        }
    }
    let outcome = ScheduleOutcome {
        status: JobStatus::Done,
        rostered_hours: shifts.len() as f64 * 8.0,
        coverage_percent: 100.0,
        best_objective: None,
        warnings: Vec::new(),
        report: None,
    };
    db.finish_schedule(&lease, &outcome, &shifts).unwrap();
    println!(
        "{} agents, {} days, {} shifts stored",
        AGENTS,
        DAYS,
        shifts.len()
    );
    id
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&dir.path().join("bench.db").to_string_lossy()).unwrap();
    let id = stored_roster(&db);
    println!("best of 5 runs");
    println!("| what | ms | check |");
    println!("| --- | ---: | ---: |");
    let row = |label: &str, (ms, check): (f64, usize)| println!("| {label} | {ms:.1} | {check} |");
    let all = RosterFilter::default();
    row(
        "read: roster_page (shifts, breaks, agents; shifts)",
        best(5, || roster_page(&db, id, all).unwrap().roster.shifts.len()),
    );
    let page = roster_page(&db, id, all).unwrap();
    row(
        "render: roster page HTML from the read (bytes)",
        best(5, || {
            staffcast::web::roster::render(&page, all)
                .into_string()
                .len()
        }),
    );

    // The whole request through the real server.
    let key = staffcast::app::access::create_key(&db, "bench", staffcast::auth::Role::Planner)
        .unwrap()
        .secret;
    let session = staffcast::app::workspace::sign_in(&db, key.reveal())
        .unwrap()
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/schedules/{}/roster",
        listener.local_addr().unwrap(),
        id.0
    );
    let server_db = db.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = staffcast::api::run(listener, server_db, Default::default()).unwrap();
            let _ = server.await;
        })
    });
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = reqwest::Client::new();
    let cookie = format!("staffcast_session={}", session.secret.reveal());
    let get = || {
        rt.block_on(async {
            let resp = client
                .get(&url)
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            resp.bytes().await.unwrap().len()
        })
    };
    get(); // the server's first connection and pool warm-up
    row("GET /schedules/{id}/roster over HTTP (bytes)", best(5, get));
}
