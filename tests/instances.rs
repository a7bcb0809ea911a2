#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a failed unwrap fails the test
//! Several `staffcast serve` processes on one PostgreSQL database, as they
//! run in production: real binaries on random loopback ports, killed,
//! stopped and resumed with real signals. Schedule jobs must run exactly
//! once, survive a dead or stalled instance, stop on cancel and on SIGTERM.
//!
//! Every wait polls with a deadline and fails saying what it waited for,
//! with the instances' logs.

mod common;

use common::{history_csv, paris_queue, paths, TestDb};
use serde_json::{json, Value};
use staffcast::auth::Role;
use staffcast::db::schedules::{JobStatus, LeaseInfo, ScheduleRun};
use staffcast::db::Database;
use staffcast::domain::ScheduleId;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Short leases so a dead worker's job is taken over in seconds.
const SHORT_LEASE: &[(&str, &str)] = &[
    ("STAFFCAST_JOB_LEASE_SECONDS", "2"),
    ("STAFFCAST_JOB_RENEW_SECONDS", "0.5"),
    ("STAFFCAST_JOB_POLL_SECONDS", "0.5"),
];

/// The default 30 s lease (nothing may hinge on it running out), quick polls.
const LONG_LEASE: &[(&str, &str)] = &[("STAFFCAST_JOB_POLL_SECONDS", "0.5")];

/// One `staffcast serve` process with its logs (JSON lines from stderr).
struct Instance {
    child: Child,
    base: String,
    /// Its workers' lease owner id.
    id: String,
    logs: Arc<Mutex<Vec<Value>>>,
}

impl Instance {
    /// Starts `staffcast serve` on `url` and waits until it listens.
    fn start(url: &str, env: &[(&str, &str)]) -> Instance {
        let mut child = Command::new(env!("CARGO_BIN_EXE_staffcast"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", url)
            .env("RUST_LOG", "info")
            .env("STAFFCAST_LOG_FORMAT", "json")
            .env("STAFFCAST_SCHEDULE_WORKERS", "2")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start staffcast serve");
        let logs = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&logs);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { return };
                let event = serde_json::from_str(&line).unwrap_or(json!({ "raw": line }));
                sink.lock().unwrap().push(event);
            }
        });
        let mut instance = Instance {
            child,
            base: String::new(),
            id: String::new(),
            logs,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let addr = instance.field_of("listening", "addr");
            let id = instance.field_of("schedule workers started", "instance");
            if let (Some(addr), Some(id)) = (addr, id) {
                instance.base = format!("http://{addr}");
                instance.id = id;
                return instance;
            }
            if let Ok(Some(status)) = instance.child.try_wait() {
                panic!(
                    "staffcast serve exited ({status}):\n{}",
                    instance.log_text()
                );
            }
            assert!(
                Instant::now() < deadline,
                "staffcast serve did not start listening in 60 s:\n{}",
                instance.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &self.pid()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name} {}", self.pid());
    }

    /// `fields.<field>` of the first log event whose message is `message`.
    fn field_of(&self, message: &str, field: &str) -> Option<String> {
        self.logs
            .lock()
            .unwrap()
            .iter()
            .find(|e| e["fields"]["message"] == message)
            .and_then(|e| match &e["fields"][field] {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            })
    }

    /// How many log events say `message` about schedule `id`.
    fn count(&self, message: &str, id: i64) -> usize {
        self.logs
            .lock()
            .unwrap()
            .iter()
            .filter(|e| {
                e["fields"]["schedule"].as_i64() == Some(id)
                    && e["fields"]["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with(message))
            })
            .count()
    }

    fn log_text(&self) -> String {
        self.logs
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Seconds of CPU the process has used (user + system), from /proc.
    fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        // Fields after the command name (which may hold spaces) start at 3.
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
        ticks / 100.0 // USER_HZ is 100 on Linux
    }

    /// Waits for the process to exit by itself (after SIGTERM).
    fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "staffcast serve still running {within:?} after the signal:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Requests to the instances, with a planner's API key.
struct Client {
    http: reqwest::Client,
}

impl Client {
    /// A client with a new planner key made in `store`'s database.
    fn new(store: &Store) -> Self {
        let key = staffcast::app::access::create_key(&store.0, "instances test", Role::Planner)
            .unwrap()
            .secret
            .reveal()
            .to_string();
        Client {
            http: common::client_with_key(&key),
        }
    }

    async fn send(
        &self,
        at: &Instance,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", at.base));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(json!(text)))
    }

    async fn expect(
        &self,
        at: &Instance,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let (got, value) = self.send(at, method, path, body).await;
        assert_eq!(got, status, "{path}: {value}");
        value
    }

    /// A queue with six weeks of history, a weekly-average forecast of the
    /// week after and `agents` agents; returns the forecast id.
    async fn forecast_with_agents(&self, at: &Instance, agents: usize) -> i64 {
        let q = self
            .expect(
                at,
                reqwest::Method::POST,
                &paths::queues(),
                Some(paris_queue("sales")),
                201,
            )
            .await["id"]
            .as_i64()
            .unwrap();
        let resp = self
            .http
            .post(format!("{}{}", at.base, paths::queue_history(q)))
            .header("content-type", "text/csv")
            .body(history_csv("2026-01-05", 42, true))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
        let people: Vec<Value> = (0..agents)
            .map(|i| json!({"name": format!("Agent {i}"), "external_id": format!("HR-{i}"), "max_week_hours": 38}))
            .collect();
        self.expect(
            at,
            reqwest::Method::POST,
            &paths::queue_agents(q),
            Some(json!(people)),
            201,
        )
        .await;
        let body = json!({"model": "weekly_average", "weeks": 6});
        self.expect(
            at,
            reqwest::Method::POST,
            &paths::queue_forecasts(q),
            Some(body),
            201,
        )
        .await["id"]
            .as_i64()
            .unwrap()
    }

    /// Queues an engine job that searches for `seconds`; returns its id.
    async fn schedule(&self, at: &Instance, forecast: i64, seconds: f64) -> i64 {
        let body = json!({"forecast_id": forecast, "time_limit_seconds": seconds, "days": 7});
        self.expect(
            at,
            reqwest::Method::POST,
            &paths::schedules(),
            Some(body),
            202,
        )
        .await["id"]
            .as_i64()
            .unwrap()
    }

    async fn cancel(&self, at: &Instance, id: i64) -> Value {
        self.expect(at, reqwest::Method::DELETE, &paths::schedule(id), None, 202)
            .await
    }
}

/// The store, read directly: job rows and their leases.
struct Store(Database);

impl Store {
    fn open(db: &TestDb) -> Store {
        Store(db.open())
    }

    fn run(&self, id: i64) -> ScheduleRun {
        self.0.schedule_run(ScheduleId(id as i32)).unwrap().unwrap()
    }

    fn lease(&self, id: i64) -> LeaseInfo {
        self.0
            .schedule_lease(ScheduleId(id as i32))
            .unwrap()
            .unwrap()
    }

    /// Polls until `done(run, lease)` holds, at most `within`; fails naming `what`.
    /// Waits (30 s at most) until `instance` holds job `id` and runs it.
    async fn wait_running_on(&self, id: i64, instance: &Instance, name: &str) {
        self.wait_until(
            id,
            Duration::from_secs(30),
            &format!("running on {name}"),
            &[instance],
            running_with(&instance.id),
        )
        .await;
    }

    async fn wait_until(
        &self,
        id: i64,
        within: Duration,
        what: &str,
        instances: &[&Instance],
        done: impl Fn(&ScheduleRun, &LeaseInfo) -> bool,
    ) -> (ScheduleRun, LeaseInfo) {
        let deadline = Instant::now() + within;
        loop {
            let (run, lease) = (self.run(id), self.lease(id));
            if done(&run, &lease) {
                return (run, lease);
            }
            if Instant::now() >= deadline {
                let logs: Vec<String> = instances.iter().map(|i| i.log_text()).collect();
                panic!(
                    "schedule {id}: not {what} within {within:?}: status {:?}, {lease:?}\nlogs:\n{}",
                    run.status,
                    logs.join("\n----\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every schedule job in the store and its status.
    fn statuses(&self, ids: &[i64]) -> Vec<(i64, JobStatus)> {
        ids.iter().map(|&id| (id, self.run(id).status)).collect()
    }
}

fn running_with(owner: &str) -> impl Fn(&ScheduleRun, &LeaseInfo) -> bool + '_ {
    move |run, lease| run.status == JobStatus::Running && lease.owner.as_deref() == Some(owner)
}

fn finished(run: &ScheduleRun, _: &LeaseInfo) -> bool {
    run.status.is_finished()
}

/// (a) Two instances share six jobs: each job is claimed, started and
/// finished exactly once, whichever instance took it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_run_each_job_exactly_once() {
    let db = TestDb::postgres();
    let a = Instance::start(db.url(), LONG_LEASE);
    let b = Instance::start(db.url(), LONG_LEASE);
    assert_ne!(a.id, b.id, "instances need distinct ids");
    let store = Store::open(&db);
    let client = Client::new(&store);
    let f = client.forecast_with_agents(&a, 8).await;
    // Submitted to both at the same moment: both wake and race to claim.
    let submitted = futures_util::future::join_all(
        (0..6).map(|i| client.schedule(if i % 2 == 0 { &a } else { &b }, f, 1.0)),
    )
    .await;
    for &id in &submitted {
        store
            .wait_until(id, Duration::from_secs(60), "finished", &[&a, &b], finished)
            .await;
    }
    for &id in &submitted {
        let run = store.run(id);
        assert_eq!(run.status, JobStatus::Done, "schedule {id}: {run:?}");
        assert_eq!(
            run.attempts, 1,
            "schedule {id} was claimed {} times",
            run.attempts
        );
        let started = a.count("schedule job started", id) + b.count("schedule job started", id);
        let finished = a.count("schedule job finished", id) + b.count("schedule job finished", id);
        assert_eq!(
            (started, finished),
            (1, 1),
            "schedule {id}: started/finished"
        );
        let owner = store.lease(id).owner.unwrap();
        assert!(owner == a.id || owner == b.id, "{owner}");
    }
}

/// (b) kill -9 the instance running a job: the other takes it over once
/// the lease runs out and finishes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_instances_job_is_finished_by_another() {
    let db = TestDb::postgres();
    let mut a = Instance::start(db.url(), SHORT_LEASE);
    let store = Store::open(&db);
    let client = Client::new(&store);
    let f = client.forecast_with_agents(&a, 8).await;
    let id = client.schedule(&a, f, 4.0).await;
    store.wait_running_on(id, &a, "A").await;
    let b = Instance::start(db.url(), SHORT_LEASE);
    a.signal("KILL");
    let killed = Instant::now();
    a.wait_exit(Duration::from_secs(10));
    let (run, lease) = store
        .wait_until(
            id,
            Duration::from_secs(40),
            "finished by B",
            &[&b],
            finished,
        )
        .await;
    let took = killed.elapsed();
    assert_eq!(run.status, JobStatus::Done, "{run:?}");
    assert_eq!(lease.owner.as_deref(), Some(b.id.as_str()));
    assert_eq!(run.attempts, 2, "claimed by A, then by B");
    assert_eq!(b.count("schedule job finished", id), 1);
    // Lease (2 s) + poll (0.5 s) + the 4 s search, with room for a busy machine.
    assert!(
        took < Duration::from_secs(25),
        "finished {took:?} after the kill"
    );
    assert!(!client
        .expect(
            &b,
            reqwest::Method::GET,
            &paths::schedule_roster(id),
            None,
            200
        )
        .await["shifts"]
        .as_array()
        .unwrap()
        .is_empty());
}

/// (c) A worker stalled (SIGSTOP) past its lease loses the job to another
/// instance; resumed (SIGCONT), its writes are refused, it stops, and the
/// job finishes exactly once, with the new owner's result.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_worker_cannot_write_after_a_takeover() {
    let db = TestDb::postgres();
    let a = Instance::start(db.url(), SHORT_LEASE);
    let store = Store::open(&db);
    let client = Client::new(&store);
    let f = client.forecast_with_agents(&a, 8).await;
    let id = client.schedule(&a, f, 6.0).await;
    store
        .wait_until(
            id,
            Duration::from_secs(30),
            "running on A with progress",
            &[&a],
            |run, lease| running_with(&a.id)(run, lease) && run.best_objective.is_some(),
        )
        .await;
    a.signal("STOP");
    let b = Instance::start(db.url(), SHORT_LEASE);
    store
        .wait_until(
            id,
            Duration::from_secs(30),
            "taken over by B",
            &[&a, &b],
            running_with(&b.id),
        )
        .await;
    a.signal("CONT");
    let (run, lease) = store
        .wait_until(id, Duration::from_secs(40), "finished", &[&a, &b], finished)
        .await;
    // A's renewer and search wake within a renewal (0.5 s) and a progress
    // report; give them time to try to write.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let later = store.run(id);
    assert_eq!(run.status, JobStatus::Done, "{run:?}");
    assert_eq!(run.attempts, 2);
    assert_eq!(lease.owner.as_deref(), Some(b.id.as_str()));
    assert_eq!(
        (later.finished_at, later.best_objective, later.attempts),
        (run.finished_at, run.best_objective, run.attempts),
        "the stalled worker wrote after the job had finished"
    );
    assert_eq!(
        a.count("schedule job lease lost", id),
        1,
        "A:\n{}",
        a.log_text()
    );
    assert_eq!(
        a.count("schedule job finished", id),
        0,
        "A:\n{}",
        a.log_text()
    );
    assert_eq!(
        b.count("schedule job finished", id),
        1,
        "B:\n{}",
        b.log_text()
    );
}

/// (d) DELETE on a running job reaches its worker: the job ends
/// `cancelled` with its best roster, and the process stops using CPU.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_a_running_job_and_its_cpu() {
    let db = TestDb::postgres();
    let a = Instance::start(db.url(), LONG_LEASE);
    let store = Store::open(&db);
    let client = Client::new(&store);
    let f = client.forecast_with_agents(&a, 30).await;
    let id = client.schedule(&a, f, 120.0).await;
    store
        .wait_until(id, Duration::from_secs(30), "searching", &[&a], |run, _| {
            run.status == JobStatus::Running && run.best_objective.is_some()
        })
        .await;
    let window = Duration::from_secs(2);
    let before = a.cpu_seconds();
    tokio::time::sleep(window).await;
    let busy = a.cpu_seconds() - before;
    assert!(
        busy > 0.5,
        "the search used only {busy} s of CPU in {window:?}"
    );
    let cancelled_at = Instant::now();
    client.cancel(&a, id).await;
    let (run, _) = store
        .wait_until(id, Duration::from_secs(10), "cancelled", &[&a], finished)
        .await;
    assert_eq!(run.status, JobStatus::Cancelled, "{run:?}");
    assert!(cancelled_at.elapsed() < Duration::from_secs(5));
    assert_eq!(
        run.report.as_ref().map(|r| r.stop),
        Some(staffcast::schedule::engine::StopReason::Cancelled)
    );
    let before = a.cpu_seconds();
    tokio::time::sleep(window).await;
    let idle = a.cpu_seconds() - before;
    assert!(
        idle < 0.2,
        "still {idle} s of CPU in {window:?} after the cancel (before: {busy})"
    );
    let roster = client
        .expect(
            &a,
            reqwest::Method::GET,
            &paths::schedule_roster(id),
            None,
            200,
        )
        .await;
    assert!(
        !roster["shifts"].as_array().unwrap().is_empty(),
        "best roster kept"
    );
}

/// (d') A job whose instance died is cancelled at once by a DELETE sent to
/// any instance once its lease has run out: nothing is left `running`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_reaches_a_job_whose_instance_died() {
    let db = TestDb::postgres();
    let mut a = Instance::start(db.url(), SHORT_LEASE);
    let store = Store::open(&db);
    let client = Client::new(&store);
    let f = client.forecast_with_agents(&a, 8).await;
    let id = client.schedule(&a, f, 60.0).await;
    store.wait_running_on(id, &a, "A").await;
    // B looks for jobs when it starts (A's lease is live then) and then
    // not for ten minutes, so the DELETE comes before any takeover.
    let b = Instance::start(
        db.url(),
        &[
            ("STAFFCAST_JOB_LEASE_SECONDS", "2"),
            ("STAFFCAST_JOB_RENEW_SECONDS", "0.5"),
            ("STAFFCAST_JOB_POLL_SECONDS", "600"),
        ],
    );
    assert_eq!(store.lease(id).owner.as_deref(), Some(a.id.as_str()));
    a.signal("KILL");
    a.wait_exit(Duration::from_secs(10));
    tokio::time::sleep(Duration::from_secs(3)).await;
    let answer = client.cancel(&b, id).await;
    assert_eq!(answer["status"], "cancelled", "{answer}");
    let (run, lease) = (store.run(id), store.lease(id));
    assert_eq!(run.status, JobStatus::Cancelled);
    assert!(run.cancel_requested && run.finished_at.is_some());
    assert_eq!(lease.owner, None, "the dead owner is fenced out");
}

/// (e) SIGTERM: the instance stops claiming, gives its running job back to
/// the queue and exits 0; another instance takes the job at its next poll,
/// long before the lease would have run out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_gives_running_jobs_back() {
    let db = TestDb::postgres();
    let mut a = Instance::start(
        db.url(),
        &[
            ("STAFFCAST_JOB_POLL_SECONDS", "0.5"),
            ("STAFFCAST_SCHEDULE_WORKERS", "1"),
        ],
    );
    let store = Store::open(&db);
    let client = Client::new(&store);
    let f = client.forecast_with_agents(&a, 8).await;
    let running = client.schedule(&a, f, 120.0).await;
    let waiting = client.schedule(&a, f, 120.0).await;
    store.wait_running_on(running, &a, "A").await;
    a.signal("TERM");
    let status = a.wait_exit(Duration::from_secs(30));
    assert!(status.success(), "exit {status}:\n{}", a.log_text());
    assert_eq!(
        store.statuses(&[running, waiting]),
        [(running, JobStatus::Queued), (waiting, JobStatus::Queued)],
        "A:\n{}",
        a.log_text()
    );
    assert_eq!(store.lease(running).owner, None);
    assert_eq!(a.count("schedule job released", running), 1);
    let b = Instance::start(db.url(), LONG_LEASE);
    let taken = Instant::now();
    store
        .wait_until(
            running,
            Duration::from_secs(10),
            "taken by B",
            &[&b],
            running_with(&b.id),
        )
        .await;
    assert!(
        taken.elapsed() < Duration::from_secs(10),
        "not waiting for the 30 s lease"
    );
    assert_eq!(store.run(running).attempts, 2);
    client.cancel(&b, running).await;
    client.cancel(&b, waiting).await;
}

/// (f) Instances started at once on an empty database all come up: the
/// migrations run once, under an advisory lock, and the others wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_started_together_on_an_empty_database_all_come_up() {
    let db = TestDb::postgres_empty();
    let url = db.url().to_string();
    let starting: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || Instance::start(&url, LONG_LEASE))
        })
        .collect();
    let instances: Vec<Instance> = starting.into_iter().map(|t| t.join().unwrap()).collect();
    let client = Client::new(&Store::open(&db));
    for i in &instances {
        client
            .expect(i, reqwest::Method::GET, paths::HEALTH, None, 200)
            .await;
    }
    let steps = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .count();
    use diesel::{Connection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = diesel::PgConnection::establish(&url).unwrap();
    let applied = diesel::sql_query("SELECT count(*) AS n FROM __diesel_schema_migrations")
        .get_result::<Count>(&mut conn)
        .unwrap();
    assert_eq!(applied.n as usize, steps);
    // And they work: a queue made on one is seen by another.
    client
        .expect(
            &instances[0],
            reqwest::Method::POST,
            &paths::queues(),
            Some(paris_queue("shared")),
            201,
        )
        .await;
    let listed = client
        .expect(
            &instances[2],
            reqwest::Method::GET,
            &paths::queues(),
            None,
            200,
        )
        .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
}

/// Sends `body` as a POST over a bare socket, with `key`, and returns the
/// socket without reading the answer: the caller hangs up by dropping it.
fn post_and_keep_socket(at: &Instance, key: &str, path: &str, body: &Value) -> std::net::TcpStream {
    use std::io::Write;
    let addr = at.base.trim_start_matches("http://");
    let mut socket = std::net::TcpStream::connect(addr).unwrap();
    let body = body.to_string();
    write!(
        socket,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    socket
}

/// Lets the request run for a moment, then checks it is still running
/// (no answer has come back), so that hanging up interrupts real work.
async fn still_working(socket: &std::net::TcpStream, at: &Instance) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    socket.set_nonblocking(true).unwrap();
    let mut first = [0u8; 1];
    match socket.peek(&mut first) {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!(
            "the request was answered before the hang-up ({other:?}): it needs more work\n{}",
            at.log_text()
        ),
    }
}

/// Waits until the log says `message` `count` times, at most `within`.
async fn wait_log(at: &Instance, message: &str, count: usize, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let seen = at
            .logs
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e["fields"]["message"] == message)
            .count();
        if seen >= count {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no {count}× '{message}' within {within:?}:\n{}",
            at.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Asserts the process stays (nearly) idle for two seconds.
async fn assert_idle(at: &Instance, after: &str) {
    let window = Duration::from_secs(2);
    let before = at.cpu_seconds();
    tokio::time::sleep(window).await;
    let used = at.cpu_seconds() - before;
    assert!(
        used < 0.3,
        "{used} s of CPU in {window:?} after {after}:\n{}",
        at.log_text()
    );
}

/// (h) Expensive synchronous work stops when its client hangs up: a what-if
/// staffing near the cost cap and an `auto` forecast on two years of
/// history, each abandoned mid-way over a real socket, stop using CPU
/// within seconds and store nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_stops_when_the_client_hangs_up() {
    let db = TestDb::sqlite();
    let a = Instance::start(db.url(), LONG_LEASE);
    let store = Store::open(&db);
    let key = staffcast::app::access::create_key(&store.0, "hang up", Role::Planner)
        .unwrap()
        .secret
        .reveal()
        .to_string();
    let client = Client::new(&store);

    // 60 intervals of 5 million calls at 99.9 % in 1 s: just under the
    // cap, more than a second of work even in a release build.
    let what_if = json!({"channel": "voice", "interval_minutes": 15,
        "intervals": vec![json!({"volume": 5e6, "aht_seconds": 180}); 60],
        "service_level_percent": 99.9, "answer_within_seconds": 1});
    let socket = post_and_keep_socket(&a, &key, &paths::staffing_calculate(), &what_if);
    still_working(&socket, &a).await;
    drop(socket);
    wait_log(
        &a,
        "work stopped: the client went away",
        1,
        Duration::from_secs(10),
    )
    .await;
    assert_idle(&a, "the what-if's client hung up").await;

    // A forecast: two years of 15-minute history, auto, 12 weeks ahead.
    let q = client
        .expect(
            &a,
            reqwest::Method::POST,
            &paths::queues(),
            Some(paris_queue("long")),
            201,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let resp = client
        .http
        .post(format!("{}{}", a.base, paths::queue_history(q)))
        .header("content-type", "text/csv")
        .body(history_csv("2024-01-01", 730, true))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    let body = json!({"model": "auto", "from": "2026-01-05T00:00:00+01:00", "to": "2026-03-30T00:00:00+02:00"});
    let socket = post_and_keep_socket(&a, &key, &paths::queue_forecasts(q), &body);
    still_working(&socket, &a).await;
    drop(socket);
    wait_log(
        &a,
        "work stopped: the client went away",
        2,
        Duration::from_secs(10),
    )
    .await;
    assert_idle(&a, "the forecast's client hung up").await;
    let runs = client
        .expect(
            &a,
            reqwest::Method::GET,
            &paths::queue_forecasts(q),
            None,
            200,
        )
        .await;
    assert_eq!(runs, json!([]), "a stopped forecast stores nothing");
}
