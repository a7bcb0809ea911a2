#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a failed unwrap fails the test
//! Test harness: a real server on a random loopback port over a real
//! database, one fresh database per test so tests run in parallel.
//!
//! PostgreSQL is expected at `STAFFCAST_TEST_PG_URL` (default
//! postgres://postgres@127.0.0.1:5432/test). If it cannot be reached the
//! test fails loudly: it never skips. Each PostgreSQL test database is a
//! copy (`CREATE DATABASE … TEMPLATE`) of one migrated template, built once
//! per schema version (see [`pg_template`]).
//!
//! [`paths`] builds every API path, so no test spells out `/api/v1/…`.
//! Every [`TestApp`] request carries a key (see [`TestApp::spawn_with`]).
#![allow(dead_code)]

pub mod paths;

use diesel::{Connection, PgConnection, RunQueryDsl};
use diesel_migrations::MigrationHarness;
use staffcast::api::{self, ApiSettings};
use staffcast::app::access;
use staffcast::auth::Role;
use staffcast::db::Database;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

pub fn pg_admin_url() -> String {
    std::env::var("STAFFCAST_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_string())
}

/// A connection to the admin database, or a loud failure saying what is missing.
fn pg_admin() -> PgConnection {
    let admin = pg_admin_url();
    PgConnection::establish(&admin).unwrap_or_else(|e| {
        panic!(
            "PostgreSQL tests need a server at {admin} (set STAFFCAST_TEST_PG_URL): {e}. \
             This test does not skip: start PostgreSQL (see README)."
        )
    })
}

/// The URL of database `name` on the admin URL's server.
fn pg_url_of(name: &str) -> String {
    let admin = pg_admin_url();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    format!("{base}/{name}")
}

/// A database name no other test (in this process or another) uses.
fn unique_pg_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "staffcast_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    )
}

#[derive(diesel::QueryableByName)]
struct DatabaseName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    datname: String,
}

fn pg_databases_like(conn: &mut PgConnection, pattern: &str) -> Vec<String> {
    diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE $1")
        .bind::<diesel::sql_types::Text, _>(pattern)
        .load::<DatabaseName>(conn)
        .expect("list databases")
        .into_iter()
        .map(|d| d.datname)
        .collect()
}

/// FNV-1a over the PostgreSQL migrations (names and contents, in order):
/// a new or edited migration gives a new template name.
fn pg_schema_fingerprint() -> u64 {
    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut all = Vec::new();
    files(&root, &mut all);
    all.sort();
    assert!(!all.is_empty(), "no migrations under {}", root.display());
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for path in all {
        let name = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for byte in name
            .bytes()
            .chain([0])
            .chain(std::fs::read(&path).unwrap())
            .chain([0])
        {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Key of the advisory lock that serialises building templates across
/// every test process using the same admin database.
const TEMPLATE_LOCK: i64 = 0x5374_6166_6654_706c; // "StaffTpl"

/// The name of the migrated template database, built at most once per
/// schema version and reused by every later test process.
///
/// Safe with concurrent test processes (several test binaries, several
/// checkouts on one server): the check-and-build runs under a PostgreSQL
/// advisory lock, the template is migrated under a temporary name and
/// renamed only when complete, and its name carries a fingerprint of the
/// migrations, so a checkout with other migrations builds and uses its own
/// template instead of changing one another process is copying.
pub fn pg_template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = format!("staffcast_tpl_{:016x}", pg_schema_fingerprint());
        let mut admin = pg_admin();
        diesel::sql_query(format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"))
            .execute(&mut admin)
            .expect("take the template lock");
        if !pg_databases_like(&mut admin, &name).contains(&name) {
            // Whoever holds the lock is the only builder: any half-built
            // template left here is from a process that died; clear it.
            for stale in pg_databases_like(&mut admin, "staffcast_tpl_%_build_%") {
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {stale} WITH (FORCE)"))
                    .execute(&mut admin)
                    .expect("drop a half-built template");
            }
            let building = format!("{name}_build_{}", std::process::id());
            diesel::sql_query(format!("CREATE DATABASE {building}"))
                .execute(&mut admin)
                .expect("create the template database");
            {
                let mut conn = PgConnection::establish(&pg_url_of(&building))
                    .expect("connect to the template database");
                let applied = conn
                    .run_pending_migrations(staffcast::db::POSTGRES_MIGRATIONS)
                    .expect("migrate the template database")
                    .len();
                assert!(applied >= 1, "no PostgreSQL migrations applied");
            }
            for sql in [
                // Nobody may connect: CREATE DATABASE … TEMPLATE needs it idle.
                format!("ALTER DATABASE {building} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"),
                // Published under its real name only once complete.
                format!("ALTER DATABASE {building} RENAME TO {name}"),
            ] {
                diesel::sql_query(sql)
                    .execute(&mut admin)
                    .expect("publish the template database");
            }
        }
        diesel::sql_query(format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"))
            .execute(&mut admin)
            .expect("release the template lock");
        name
    })
}

/// A database that exists only for one test.
pub enum TestDb {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres {
        name: String,
        url: String,
    },
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = dir.path().join("test.db").to_string_lossy().into_owned();
        TestDb::Sqlite { _dir: dir, url }
    }

    /// A PostgreSQL database with every migration applied: a copy of the
    /// template ([`pg_template`]), named after the test process and a counter.
    pub fn postgres() -> Self {
        let template = pg_template();
        let name = unique_pg_name();
        diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .execute(&mut pg_admin())
            .expect("create test database from the template");
        let url = pg_url_of(&name);
        TestDb::Postgres { name, url }
    }

    /// An empty PostgreSQL database (no migrations), for testing the migrations themselves.
    pub fn postgres_empty() -> Self {
        let name = unique_pg_name();
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut pg_admin())
            .expect("create test database");
        let url = pg_url_of(&name);
        TestDb::Postgres { name, url }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }

    pub fn open(&self) -> Database {
        Database::open(self.url()).expect("open test database")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop the server before the database goes (fields drop afterwards).
        self.shutdown();
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { name, .. } = self {
            if let Ok(mut conn) = PgConnection::establish(&pg_admin_url()) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

/// A running server and a client for it. The server runs on its own
/// thread and actix system; dropping the app stops it and waits, so no
/// worker or pool outlives its test (or touches a dropped database).
///
/// The API needs a key: at start a planner key and an admin key are made
/// directly in the test database. `client` sends the planner's (every
/// route but keys and the audit log); `admin` sends the admin's.
pub struct TestApp {
    pub address: String,
    /// Sends `Authorization: Bearer <planner key>` on every request.
    pub client: reqwest::Client,
    /// Sends the admin key.
    pub admin: reqwest::Client,
    pub planner_key: String,
    pub admin_key: String,
    /// The server's own pool (dropped before the database it points to).
    database: Database,
    db: Option<TestDb>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A client that sends `key` as a Bearer token on every request.
pub fn client_with_key(key: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {key}")).unwrap();
    value.set_sensitive(true);
    headers.insert(reqwest::header::AUTHORIZATION, value);
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

impl TestApp {
    pub async fn spawn(db: TestDb) -> Self {
        Self::spawn_with(db, ApiSettings::default()).await
    }

    pub async fn spawn_with(db: TestDb, settings: ApiSettings) -> Self {
        let database = db.open();
        let key = |name, role| {
            access::create_key(&database, name, role)
                .expect("create a test key")
                .secret
                .reveal()
                .to_string()
        };
        let planner_key = key("test planner", Role::Planner);
        let admin_key = key("test admin", Role::Admin);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind random port");
        let port = listener.local_addr().unwrap().port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server_db = database.clone();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = api::run(listener, server_db, settings).expect("start server");
                let handle = server.handle();
                let running = actix_web::rt::spawn(server);
                let _ = stopped.await;
                handle.stop(false).await;
                let _ = running.await;
            })
        });
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            client: client_with_key(&planner_key),
            admin: client_with_key(&admin_key),
            planner_key,
            admin_key,
            database,
            db: Some(db),
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn db(&self) -> &TestDb {
        self.db.as_ref().expect("test database")
    }

    /// The server's database, for what a test sets up or checks directly.
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// A new key of `role`, made directly in the database; returns the secret.
    pub fn new_key(&self, name: &str, role: Role) -> String {
        access::create_key(&self.database, name, role)
            .expect("create a key")
            .secret
            .reveal()
            .to_string()
    }

    /// A client with no key at all.
    pub fn anonymous(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    /// Stops the server and waits for its thread to end.
    pub fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// Stops this server; the same database is handed back for a new one.
    pub fn stop_and_keep_db(mut self) -> TestDb {
        self.shutdown();
        self.db.take().expect("test database")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn post_body(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn put_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .json(body)
            .send()
            .await
            .expect("PUT")
    }

    pub async fn patch_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .patch(self.url(path))
            .json(body)
            .send()
            .await
            .expect("PATCH")
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.client
            .delete(self.url(path))
            .send()
            .await
            .expect("DELETE")
    }

    /// GET `path`, expecting 200 and a JSON body (shown on a mismatch).
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        json_of(self.get(path).await, 200).await
    }

    /// Creates a queue and returns its id.
    pub async fn create_queue(&self, body: serde_json::Value) -> i64 {
        let resp = self.post_json(&paths::queues(), &body).await;
        assert_eq!(
            resp.status(),
            201,
            "create queue: {}",
            resp.text().await.unwrap()
        );
        resp.json::<serde_json::Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap()
    }
}

/// Runs each listed async test body against SQLite and against PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::TestDb::sqlite()).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::TestDb::postgres()).await
                }
            )*
        }
    };
}

/// `n` days of 15-minute history, 08:00–18:00 local, written as local times.
/// Volume follows a simple intraday shape so forecasts have something to learn.
pub fn history_csv(first_day: &str, days: u32, with_aht: bool) -> String {
    let start = chrono::NaiveDate::parse_from_str(first_day, "%Y-%m-%d").unwrap();
    let mut out = String::from(if with_aht {
        "interval_start,volume,aht_seconds\n"
    } else {
        "interval_start,volume\n"
    });
    for d in 0..days {
        let date = start + chrono::Duration::days(i64::from(d));
        for q in 32..72 {
            let (h, m) = (q / 4, (q % 4) * 15);
            let volume = 10 + (q - 32) % 7 + d % 3;
            if with_aht {
                out.push_str(&format!(
                    "{date} {h:02}:{m:02},{volume},{}\n",
                    170 + q % 5 * 10
                ));
            } else {
                out.push_str(&format!("{date} {h:02}:{m:02},{volume}\n"));
            }
        }
    }
    out
}

/// The response's JSON body, after checking its status (the body is shown on a mismatch).
pub async fn json_of(resp: reqwest::Response, status: u16) -> serde_json::Value {
    let got = resp.status();
    let body = resp.text().await.unwrap();
    assert_eq!(got, status, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// A UTC instant from a JSON string.
pub fn time(v: &serde_json::Value) -> chrono::DateTime<chrono::Utc> {
    v.as_str().unwrap().parse().unwrap()
}

/// The body of a 15-minute voice queue in Europe/Paris (80/20, 25%
/// shrinkage, 85% occupancy).
pub fn paris_queue(name: &str) -> serde_json::Value {
    serde_json::json!({"name": name, "channel": "voice", "interval_minutes": 15,
        "time_zone": "Europe/Paris", "service_level_percent": 80, "answer_within_seconds": 20,
        "shrinkage_percent": 25, "max_occupancy_percent": 85})
}

/// A 15-minute voice queue in Europe/Paris (80/20, 25% shrinkage, 85%
/// occupancy) with six weeks of history (Mon 2026-01-05 .. Sun 2026-02-15).
pub async fn queue_with_history(app: &TestApp, with_aht: bool) -> i64 {
    let id = app.create_queue(paris_queue("sales")).await;
    let resp = app
        .post_body(
            &paths::queue_history(id),
            "text/csv",
            history_csv("2026-01-05", 42, with_aht),
        )
        .await;
    assert_eq!(resp.status(), 200);
    id
}
