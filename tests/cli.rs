#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a failed unwrap fails the test
//! The CLI contracts, run as a user would: the real binary on real files.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

fn staffcast() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_staffcast"));
    cmd.env_remove("DATABASE_URL").env("RUST_LOG", "info");
    cmd
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run staffcast");
    assert!(
        out.status.success(),
        "staffcast failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn run_err(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run staffcast");
    assert!(
        !out.status.success(),
        "expected failure: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

#[test]
fn forecast_writes_every_interval_with_weekly_means() {
    let dir = tempfile::tempdir().unwrap();
    // Six weeks Mon 2026-01-05 .. Sun 2026-02-15, 08:00–18:00 local.
    let mut history = common::history_csv("2026-01-05", 42, true);
    // A missing row is missing, not zero: drop Monday 2026-02-09 09:00.
    history = history
        .replace("2026-02-09 09:00,", "REMOVED")
        .lines()
        .filter(|l| !l.starts_with("REMOVED"))
        .collect::<Vec<_>>()
        .join("\n");
    let hist_path = dir.path().join("history.csv");
    std::fs::write(&hist_path, &history).unwrap();
    let out_path = dir.path().join("forecast.csv");
    run_ok(
        staffcast()
            .args(["forecast", "--history"])
            .arg(&hist_path)
            .args([
                "--from",
                "2026-02-16T00:00:00+01:00",
                "--to",
                "2026-02-23T00:00:00+01:00",
                "--interval-minutes",
                "15",
                "--time-zone",
                "Europe/Paris",
                "--output",
            ])
            .arg(&out_path),
    );
    let (headers, rows) = read_csv(&out_path);
    assert_eq!(
        headers,
        [
            "interval_start",
            "volume",
            "volume_p10",
            "volume_p90",
            "aht_seconds"
        ]
    );
    assert_eq!(rows.len(), 7 * 96, "every interval of the week");
    // Input was local time with a space, so output is too.
    assert_eq!(rows[0][0], "2026-02-16 00:00:00");
    let by_time: HashMap<&str, &Vec<String>> = rows.iter().map(|r| (r[0].as_str(), r)).collect();
    // Night is closed: no history at all means 0.
    assert_eq!(
        by_time["2026-02-16 03:00:00"][1].parse::<f64>().unwrap(),
        0.0
    );
    // Monday 09:00 (q = 36): history_csv gives 10 + (36-32)%7 + d%3 on day d,
    // so the observed Mondays (d = 0, 7, 14, 21, 28) are 14, 15, 16, 14, 15. The
    // weighted average stays in that range; the dropped row (d = 35), if read as
    // zero, would pull it far below.
    let got: f64 = by_time["2026-02-16 09:00:00"][1].parse().unwrap();
    assert!((14.0..=16.0).contains(&got), "Monday 09:00: {got}");
    for r in &rows {
        let (v, lo, hi): (f64, f64, f64) = (
            r[1].parse().unwrap(),
            r[2].parse().unwrap(),
            r[3].parse().unwrap(),
        );
        assert!(lo <= v && v <= hi && lo >= 0.0, "{r:?}");
    }
    // No handle time in the history: no aht column.
    std::fs::write(&hist_path, common::history_csv("2026-01-05", 14, false)).unwrap();
    run_ok(
        staffcast()
            .args(["forecast", "--history"])
            .arg(&hist_path)
            .args([
                "--from",
                "2026-01-19T00:00:00Z",
                "--to",
                "2026-01-20T00:00:00Z",
                "--output",
            ])
            .arg(&out_path),
    );
    let (headers, rows) = read_csv(&out_path);
    assert_eq!(
        headers,
        ["interval_start", "volume", "volume_p10", "volume_p90"]
    );
    assert_eq!(rows.len(), 96);
}

#[test]
fn forecast_names_the_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let hist_path = dir.path().join("history.csv");
    std::fs::write(
        &hist_path,
        "interval_start,volume\n2026-01-05T08:00:00Z,3\n2026-01-05T08:15:00Z,three\n",
    )
    .unwrap();
    let err = run_err(
        staffcast()
            .args(["forecast", "--history"])
            .arg(&hist_path)
            .args([
                "--from",
                "2026-01-12T00:00:00Z",
                "--to",
                "2026-01-13T00:00:00Z",
                "--output",
            ])
            .arg(dir.path().join("out.csv")),
    );
    assert!(err.contains("line 3, column volume"), "{err}");
}

#[test]
fn metrics_match_published_erlang_c_examples() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.csv");
    // pyworkforce: 100 calls / 30 min, AHT 3 min, 14 agents, 0.33 min = 19.8 s;
    // call-center-tools: 1000 calls/h, AHT 120 s, 40 agents, 20 s.
    std::fs::write(
        &input,
        "volume,interval_seconds,aht_seconds,agents,target_seconds\n100,1800,180,14,19.8\n1000,3600,120,40,20\n",
    )
    .unwrap();
    let output = dir.path().join("out.csv");
    run_ok(
        staffcast()
            .args(["metrics", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&output),
    );
    let (headers, rows) = read_csv(&output);
    assert_eq!(
        headers,
        [
            "volume",
            "interval_seconds",
            "aht_seconds",
            "agents",
            "target_seconds",
            "prob_wait",
            "service_level",
            "asa_seconds",
            "occupancy",
            "prob_abandon"
        ]
    );
    let f = |r: usize, c: usize| rows[r][c].parse::<f64>().unwrap();
    assert!((f(0, 5) - 0.174132).abs() < 1e-6);
    assert!((f(0, 6) - 0.887853).abs() < 1e-6);
    assert!((f(0, 8) - 0.714286).abs() < 1e-6);
    assert!((f(1, 5) - 0.190737).abs() < 1e-6);
    assert!((f(1, 6) - 0.937211).abs() < 1e-6);
    assert!((f(1, 7) - 3.4333).abs() < 1e-4);
    assert_eq!(f(1, 9), 0.0);
}

#[test]
fn metrics_use_erlang_a_when_patience_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.csv");
    // pyworkforce 0.5.4 regression: 100 per 30 min, AHT 3 min, patience 5 min, 14 agents, 20 s.
    std::fs::write(
        &input,
        "volume,interval_seconds,aht_seconds,agents,target_seconds,patience_seconds\n100,1800,180,14,20,300\n100,1800,180,14,20,\n",
    )
    .unwrap();
    let output = dir.path().join("out.csv");
    run_ok(
        staffcast()
            .args(["metrics", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&output),
    );
    let (headers, rows) = read_csv(&output);
    assert_eq!(headers.len(), 11);
    let f = |r: usize, c: usize| rows[r][c].parse::<f64>().unwrap();
    assert!((f(0, 6) - 0.145260).abs() < 1e-6, "P(wait) {}", f(0, 6));
    assert!((f(0, 7) - 0.916792).abs() < 1e-6, "SL {}", f(0, 7));
    assert!(
        (f(0, 8) - 0.069919 * 60.0).abs() < 1e-3,
        "mean wait {}",
        f(0, 8)
    );
    assert!((f(0, 9) - 0.704297).abs() < 1e-6, "occupancy {}", f(0, 9));
    assert!(
        (f(0, 10) - 0.013984).abs() < 1e-6,
        "P(abandon) {}",
        f(0, 10)
    );
    // The empty patience row is Erlang C: nobody abandons.
    assert_eq!(f(1, 10), 0.0);
    assert!((f(1, 7) - 0.888350).abs() < 1e-6);
}

#[test]
fn metrics_refuse_bad_cells_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.csv");
    std::fs::write(
        &input,
        "volume,interval_seconds,aht_seconds,agents,target_seconds,patience_seconds\n100,1800,180,14,20,\n100,1800,180,14,20,-5\n",
    )
    .unwrap();
    let err = run_err(
        staffcast()
            .args(["metrics", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(dir.path().join("o.csv")),
    );
    assert!(err.contains("line 3, column patience_seconds"), "{err}");
    std::fs::write(
        &input,
        "volume,interval_seconds,aht_seconds,agents,target_seconds\n100,1800,180,fourteen,20\n",
    )
    .unwrap();
    let err = run_err(
        staffcast()
            .args(["metrics", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(dir.path().join("o.csv")),
    );
    assert!(err.contains("line 2, column agents"), "{err}");
}

#[test]
fn import_cli_creates_updates_and_rejects_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let file = dir.path().join("h.csv");
    std::fs::write(&file, common::history_csv("2026-01-05", 3, true)).unwrap();
    let import = |args: &[&str]| {
        let mut c = staffcast();
        c.env("DATABASE_URL", &db)
            .arg("import")
            .arg(&file)
            .args(args);
        c
    };
    let out = run_ok(&mut import(&[
        "--queue",
        "support",
        "--create",
        "--time-zone",
        "Europe/Paris",
    ]));
    assert!(
        out.contains("imported 120 rows") && out.contains("120 new"),
        "{out}"
    );
    let out = run_ok(&mut import(&["--queue", "support"]));
    assert!(out.contains("0 new, 120 updated"), "{out}");
    std::fs::write(
        &file,
        "interval_start,volume\n2026-02-01 08:00,1\n2026-02-01 08:10,1\n",
    )
    .unwrap();
    let err = run_err(&mut import(&["--queue", "support"]));
    assert!(err.contains("line 3, column interval_start"), "{err}");
    let err = run_err(&mut import(&["--queue", "nobody"]));
    assert!(err.contains("no queue named 'nobody'"), "{err}");
    let stored = staffcast::db::Database::open(db.to_str().unwrap()).unwrap();
    let q = stored.queues().unwrap();
    assert_eq!(
        stored.history(q[0].id, None, None).unwrap().len(),
        120,
        "the bad file wrote nothing"
    );
}

#[test]
fn a_mistyped_postgres_url_never_creates_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = run_err(
        staffcast()
            .current_dir(dir.path())
            .env("DATABASE_URL", "postgress://127.0.0.1/test")
            .args(["serve", "--bind", "127.0.0.1:0"]),
    );
    assert!(err.contains("unsupported scheme 'postgress'"), "{err}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file may appear"
    );
}

/// `staffcast demo` honours `DATABASE_URL`: on an empty PostgreSQL database
/// it migrates, runs the whole pipeline there and writes no SQLite file.
#[test]
fn demo_runs_on_the_database_url() {
    let db = common::TestDb::postgres_empty();
    let dir = tempfile::tempdir().unwrap();
    let printed = run_ok(
        staffcast()
            .current_dir(dir.path())
            .env("DATABASE_URL", db.url())
            .args(["demo", "--no-serve", "--schedule-seconds", "0.5"]),
    );
    for needle in [
        "postgres database postgres://",
        "[1/5] history: 17518",
        "[4/5] roster 1",
        "opening hours Sun–Thu 07–24, Fri 07–14, Sat 20–24 (weekend Fri–Sat)",
        "[5/5] peak season",
    ] {
        assert!(
            printed.contains(needle),
            "demo output lacks '{needle}':\n{printed}"
        );
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no SQLite file may appear"
    );
    let store = db.open();
    let queues = store.queues().unwrap();
    assert_eq!(queues.len(), 1);
    assert_eq!(queues[0].spec.name, "bank-1999");
    assert_eq!(store.history_extent(queues[0].id).unwrap().rows, 17518);
    // The bank's week: closed Friday afternoon to Saturday evening and at
    // night, with no agents required then, and its Friday–Saturday weekend.
    let spec = &queues[0].spec;
    assert_eq!(spec.weekend.names(), ["fri", "sat"]);
    let reqs = store
        .requirement_intervals(staffcast::domain::ForecastId(1))
        .unwrap();
    let grid = spec.grid();
    let mut closed = 0;
    for r in &reqs {
        let local = r.start.with_timezone(&spec.time_zone);
        let (day, hour) = (
            chrono::Datelike::weekday(&local),
            chrono::Timelike::hour(&local),
        );
        let open = match day {
            chrono::Weekday::Fri => (7..14).contains(&hour),
            chrono::Weekday::Sat => hour >= 20,
            _ => hour >= 7,
        };
        assert_eq!(r.open, open, "{r:?}");
        assert_eq!(r.open, spec.hours.is_open(&grid, r.start));
        if !open {
            closed += 1;
            assert_eq!(r.agents_with_shrinkage, 0, "{r:?}");
        }
    }
    // A week of 336 half-hours: Sunday to Thursday 00–07 (5 × 14), Friday
    // 00–07 and 14–24 (14 + 20), Saturday 00–20 (40).
    assert_eq!((reqs.len(), closed), (336, 5 * 14 + 34 + 40));
}

/// The README's main job: the demo runs the pipeline, serves, answers, and
/// stops gracefully on SIGTERM.
#[test]
fn demo_serves_the_pipeline_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = staffcast()
        .current_dir(dir.path())
        .args(["demo", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let mut key = None;
    let base = loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            let _ = child.kill();
            panic!("demo ended before serving:\n{printed}");
        }
        printed.push_str(&line);
        if let Some(k) = line.strip_prefix("api key: ") {
            key = Some(k.trim_end().to_string());
        }
        if let Some(rest) = line.strip_prefix("serving the API on ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    // The planner key comes before the URLs, and every example URL of the
    // API (health is open) sends it.
    let key = key.unwrap_or_else(|| panic!("no 'api key: ' line before the URLs:\n{printed}"));
    assert!(key.starts_with("sc_") && key.len() == 46, "{key}");
    let mut examples = Vec::new();
    let mut docs = None;
    // The last example is the HR pull of the published roster.
    while !examples
        .iter()
        .any(|l: &String| l.contains("/api/v1/rosters?"))
    {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "{printed}");
        if let Some(url) = line.strip_prefix("API docs: ") {
            docs = url.split_whitespace().next().map(str::to_string);
        }
        if line.trim_start().starts_with("curl ") {
            examples.push(line);
        }
    }
    let docs = docs.unwrap_or_else(|| panic!("no 'API docs: ' line:\n{printed}"));
    assert_eq!(docs, format!("{base}/docs"));
    for line in &examples {
        if !line.contains("/healthz") {
            assert!(
                line.contains(&format!("-H \"Authorization: Bearer {key}\"")),
                "{line}"
            );
        }
    }
    for needle in [
        "[1/5] history: 17518",
        "[2/5] forecast",
        "[3/5] requirements",
        "peak",
        "[4/5] roster",
        "coverage",
        "[5/5] peak season: forecast 2 (26 weeks",
        "capacity plan 1: hire",
    ] {
        assert!(
            printed.contains(needle),
            "demo output lacks '{needle}':\n{printed}"
        );
    }
    assert!(dir.path().join("staffcast-demo.db").exists());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let health = reqwest::get(format!("{base}{}", common::paths::HEALTH))
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
        assert_eq!(reqwest::get(&docs).await.unwrap().status(), 200);
        // Without the key the API answers nothing; with it, the pipeline's results.
        let refused = reqwest::get(format!("{base}{}", common::paths::forecast(1)))
            .await
            .unwrap();
        assert_eq!(refused.status(), 401);
        let client = common::client_with_key(&key);
        let forecast: serde_json::Value = client
            .get(format!("{base}{}", common::paths::forecast(1)))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(forecast["time_zone"], "Asia/Jerusalem");
        assert_eq!(forecast["intervals"].as_array().unwrap().len(), 7 * 48);
        let roster = client
            .get(format!(
                "{base}{}",
                common::paths::with_query(common::paths::schedule_roster(1), &[("format", &"csv")])
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(roster
            .starts_with("external_id,agent_name,date,shift_start,shift_end,paid_hours,breaks\n"));
        assert!(roster.lines().count() > 10, "{roster}");
        // The demo published its roster: HR tools can pull it at once.
        let pull = examples
            .iter()
            .find(|l| l.contains("/api/v1/rosters?"))
            .unwrap();
        let url = pull.split('\'').nth(1).unwrap();
        let published: serde_json::Value =
            client.get(url).send().await.unwrap().json().await.unwrap();
        assert_eq!(published["schedule_id"], 1, "{published}");
        assert!(
            published["shifts"].as_array().unwrap().len() > 10,
            "{published}"
        );
    });
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "exit {status:?}\n{stderr}");
    assert!(stderr.contains("graceful shutdown"), "{stderr}");
}

#[test]
fn simulate_agrees_with_erlang_c_and_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("plan.csv");
    // 16 half-hours of 100 calls, AHT 180 s, 14 agents: Erlang C says 88.8% within 20 s.
    let mut plan = String::from("interval_start,volume,aht_seconds,agents\n");
    for i in 0..16 {
        plan.push_str(&format!(
            "2026-01-05T{:02}:{:02}:00Z,100,180,14\n",
            8 + i / 2,
            (i % 2) * 30
        ));
    }
    std::fs::write(&input, plan).unwrap();
    let simulate = |seed: &str, out: &str| {
        let mut c = staffcast();
        c.args(["simulate", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(dir.path().join(out))
            .args([
                "--interval-minutes",
                "30",
                "--target-seconds",
                "20",
                "--replications",
                "40",
                "--seed",
                seed,
            ]);
        run_ok(&mut c);
        std::fs::read_to_string(dir.path().join(out)).unwrap()
    };
    let a = simulate("7", "a.csv");
    let b = simulate("7", "b.csv");
    let c = simulate("8", "c.csv");
    assert_eq!(a, b, "same seed, same result");
    assert_ne!(a, c, "another seed, another sample");
    let (headers, rows) = read_csv(&dir.path().join("a.csv"));
    assert_eq!(headers[6], "service_level");
    let offered: f64 = rows.iter().map(|r| r[3].parse::<f64>().unwrap()).sum();
    let within: f64 = rows
        .iter()
        .map(|r| r[3].parse::<f64>().unwrap() * r[6].parse::<f64>().unwrap())
        .sum();
    let sl = within / offered;
    // ~64,000 simulated calls: the sampling error is well under 1%; start-up empty adds a little.
    assert!(
        (offered / (40.0 * 1600.0) - 1.0).abs() < 0.02,
        "offered {offered}"
    );
    assert!(
        (sl - 0.88835).abs() < 0.03,
        "simulated SL {sl} vs Erlang C 0.888"
    );
}

/// `staffcast serve` on a database, its stderr drained in the background;
/// answers the base URL once it listens, and what it logged until then.
struct Served {
    child: std::process::Child,
    base: String,
    log_before_listening: String,
}

impl Served {
    fn start(db: &Path) -> Self {
        let mut child = staffcast()
            .env("DATABASE_URL", db)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut log = String::new();
        let base = loop {
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap() == 0 {
                let _ = child.kill();
                panic!("serve ended before listening:\n{log}");
            }
            log.push_str(&line);
            if let Some(at) = line.find("listening addr=") {
                let addr = line[at + "listening addr=".len()..].trim();
                break format!("http://{addr}");
            }
        };
        // Keep reading, so request logs never fill the pipe.
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        Served {
            child,
            base,
            log_before_listening: log,
        }
    }

    /// The status of GET `path` with `key` as a Bearer token.
    fn status(&self, path: &str, key: &str) -> u16 {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            common::client_with_key(key)
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

#[test]
fn keys_cli_creates_lists_and_revokes_and_serve_honours_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.db");
    let keys = |args: &[&str]| {
        let mut c = staffcast();
        c.env("DATABASE_URL", &db).arg("keys").args(args);
        c
    };
    // A fresh database: no key, and serve says how to make the first.
    let out = run_ok(&mut keys(&["list"]));
    assert!(out.contains("no keys"), "{out}");
    {
        let served = Served::start(&db);
        assert!(
            served
                .log_before_listening
                .contains("no active API key: every /api/v1 request will get 401; create one with `staffcast keys create --name NAME --role admin`"),
            "{}",
            served.log_before_listening
        );
        assert_eq!(served.status(common::paths::HEALTH, "none"), 200);
    }

    // Create: the key alone on stdout, the note on stderr.
    let out = keys(&["create", "--name", "ops team", "--role", "admin"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let key = lines[0].to_string();
    assert!(key.starts_with("sc_") && key.len() == 46, "{key}");
    assert!(
        stderr.contains("created key 1 'ops team' with role admin; it is shown once"),
        "{stderr}"
    );
    let hr_key = run_ok(&mut keys(&["create", "--name", "hr", "--role", "hr"]));
    let hr_key = hr_key.trim();
    let err = run_err(&mut keys(&["create", "--name", "x", "--role", "boss"]));
    assert!(err.contains("invalid value 'boss'"), "{err}");
    let err = run_err(&mut keys(&["create", "--name", " ", "--role", "hr"]));
    assert!(err.contains("name: must be 1 to 100"), "{err}");

    // List: names and roles, never a secret.
    let out = run_ok(&mut keys(&["list"]));
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert!(
        rows[0].starts_with("id") && rows[0].contains("revoked_at"),
        "{out}"
    );
    assert!(
        rows[1].starts_with("1 ") && rows[1].contains("ops team") && rows[1].contains("admin"),
        "{out}"
    );
    assert!(
        rows[2].starts_with("2 ") && rows[2].contains(" hr "),
        "{out}"
    );
    assert!(
        !out.contains(&key[3..]) && !out.contains(&hr_key[3..]),
        "{out}"
    );

    // Served: the keys work within their roles; no warning now.
    let served = Served::start(&db);
    assert!(
        !served.log_before_listening.contains("no active API key"),
        "{}",
        served.log_before_listening
    );
    assert_eq!(served.status(&common::paths::keys(), &key), 200);
    assert_eq!(served.status(&common::paths::keys(), hr_key), 403);
    assert_eq!(served.status(&common::paths::queues(), hr_key), 200);
    // Revoked from the command line while the server runs: refused at once.
    let out = run_ok(&mut keys(&["revoke", "2"]));
    assert!(
        out.starts_with("revoked key 2 'hr' (role hr) at 20"),
        "{out}"
    );
    assert_eq!(served.status(&common::paths::queues(), hr_key), 401);
    assert_eq!(served.status(&common::paths::queues(), &key), 200);
    let out = run_ok(&mut keys(&["list"]));
    let hr_row = out.lines().nth(2).unwrap();
    assert!(!hr_row.ends_with(" -"), "revoked_at is shown: {out}");
    assert!(out.lines().nth(1).unwrap().ends_with(" -"), "{out}");
    let err = run_err(&mut keys(&["revoke", "99"]));
    assert!(err.contains("api key 99 not found"), "{err}");
}
