#![allow(clippy::unwrap_used)] // test code: a failed unwrap fails the test
//! The planner workspace in a real browser (headless chromium over
//! WebDriver) against the real server on a random port and a real
//! database. One browser session walks every page in sequence, checking
//! for console errors and writing a screenshot of each page to
//! `target/screenshots/`.

#[path = "../common/mod.rs"]
mod common;

mod browser;
mod session;

use browser::Browser;
use common::{queue_with_history, TestApp, TestDb};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workspace_in_a_real_browser() {
    let app = TestApp::spawn(TestDb::sqlite()).await;
    let browser = Browser::start().await;
    browser.visit(&app.url("/docs"), "docs").await;
    let title = browser.client.title().await.unwrap();
    assert_eq!(title, "staffcast API");
    // The docs page runs its script (served from this server) and asks for a key.
    browser
        .wait_until(
            "return !document.getElementById('key-form').hidden",
            10,
            "the key form shows",
        )
        .await;
    // An error thrown on the page is seen by the console check.
    browser
        .js("setTimeout(function () { throw new Error('planted'); }, 0); return null;")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let errors = browser.console_errors().await;
    assert!(
        errors.iter().any(|e| e.contains("planted")),
        "the console check sees thrown errors: {errors:?}"
    );
    let shot = browser::screenshots_dir().join("docs.png");
    assert!(std::fs::read(&shot).unwrap().starts_with(b"\x89PNG"));

    // Signing in through the form: the session cookie (Secure, on
    // 127.0.0.1) is kept by a real browser, and the queues page opens.
    let q = queue_with_history(&app, true).await;
    browser.visit(&app.url("/"), "login").await;
    assert!(browser.client.current_url().await.unwrap().path() == "/login");
    let key = app.new_key("browser planner", staffcast::auth::Role::Planner);
    let field = browser.client.find(Locator::Id("key")).await.unwrap();
    field.send_keys(&key).await.unwrap();
    browser
        .client
        .find(Locator::Css("#login button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .client
        .wait()
        .for_element(Locator::Id("queues"))
        .await
        .unwrap();
    browser.page_is_clean("queues").await;
    let row = browser
        .client
        .find(Locator::Css(&format!("tr[data-queue='{q}']")))
        .await
        .unwrap();
    assert!(row.text().await.unwrap().contains("sales"));
    // The session cookie is invisible to scripts (HttpOnly).
    assert_eq!(browser.js("return document.cookie").await, "");
    browser.stop().await;
}
