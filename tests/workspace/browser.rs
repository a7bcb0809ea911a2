//! A real browser for the workspace tests: Debian's chromium, headless,
//! driven over WebDriver (fantoccini, rustls) through a chromedriver this
//! harness starts on a random loopback port. Without chromium or
//! chromedriver the tests fail loudly (`scripts/ensure_browser.sh`
//! installs them), as the PostgreSQL tests do without PostgreSQL.
//!
//! Every page visited is checked for console errors (the browser's own
//! log, which includes Content-Security-Policy refusals and uncaught
//! exceptions) and photographed into `target/screenshots/<name>.png`.

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Browser {
    pub client: Client,
    driver: Child,
}

/// A free loopback port for chromedriver (it takes a number, not a socket).
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local address").port()
}

fn find(program: &str, candidates: &[&str]) -> PathBuf {
    let var = format!("STAFFCAST_TEST_{}", program.to_uppercase());
    if let Ok(path) = std::env::var(&var) {
        return PathBuf::from(path);
    }
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "the workspace tests need {program} ({candidates:?}, or set {var}). \
                 This test does not skip: run scripts/ensure_browser.sh \
                 (apt-get install chromium chromium-driver)."
            )
        })
}

impl Browser {
    /// Starts chromedriver and one headless chromium session.
    pub async fn start() -> Browser {
        let driver_path = find("chromedriver", &["/usr/bin/chromedriver"]);
        let chromium = find(
            "chromium",
            &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
        );
        let port = free_port();
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", driver_path.display()));
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1400,1000",
                         "--no-first-run", "--disable-extensions"],
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        });
        let caps = match caps {
            Value::Object(map) => map,
            _ => unreachable!("an object"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let mut builder = ClientBuilder::rustls().expect("rustls connector");
            match builder.capabilities(caps.clone()).connect(&url).await {
                Ok(c) => break c,
                Err(e) if started.elapsed() < Duration::from_secs(20) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("no WebDriver session at {url} after 20 s: {e}"),
            }
        };
        Browser { client, driver }
    }

    /// Opens `url` and checks the page: no console errors, a screenshot.
    pub async fn visit(&self, url: &str, name: &str) {
        self.client.goto(url).await.expect("navigate");
        self.page_is_clean(name).await;
    }

    /// No console errors since the last check, and a screenshot of the page.
    pub async fn page_is_clean(&self, name: &str) {
        let errors = self.console_errors().await;
        assert!(errors.is_empty(), "{name}: console errors {errors:#?}");
        self.screenshot(name).await;
    }

    /// The browser log's SEVERE entries since the last read (the log is
    /// drained by every read), less the favicon chromium asks for itself.
    pub async fn console_errors(&self) -> Vec<String> {
        let entries = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .expect("read the browser log");
        entries
            .as_array()
            .expect("log entries")
            .iter()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .filter(|m| !m.contains("/favicon.ico"))
            .collect()
    }

    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Runs `script` (its `return` value comes back as JSON).
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Polls `script` until it returns true (`seconds` at most).
    pub async fn wait_until(&self, script: &str, seconds: u64, what: &str) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(seconds) {
            if self.js(script).await == Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{what}: not true after {seconds} s: {script}");
    }

    pub async fn stop(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A failed test leaves no chromedriver behind (stop() already waited).
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `target/screenshots` (under CARGO_TARGET_DIR when set).
pub fn screenshots_dir() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("screenshots")
}

/// chromedriver's log endpoint (`POST /session/{id}/se/log`): the
/// browser's console and network errors, which WebDriver has no command for.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}
