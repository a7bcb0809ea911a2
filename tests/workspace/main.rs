#![allow(clippy::unwrap_used)] // test code: a failed unwrap fails the test
//! The planner workspace in a real browser (headless chromium over
//! WebDriver) against the real server on a random port and a real
//! database. One browser session walks every page in sequence, checking
//! for console errors and writing a screenshot of each page to
//! `target/screenshots/`. `session` tests sign-in and CSRF over plain
//! HTTP; `snapshots` pins the server-rendered HTML.

#[path = "../common/mod.rs"]
mod common;

mod browser;
#[allow(dead_code)] // the API tests' helpers: this binary uses some
#[path = "../api/helpers.rs"]
mod helpers;
mod session;
mod snapshots;

use browser::Browser;
use common::{json_of, paths, queue_with_history, TestApp, TestDb};
use fantoccini::Locator;
use serde_json::{json, Value};
use std::time::Duration;

/// Non-blank pixels of the first canvas inside `selector` (uPlot draws on canvas).
const INKED_PIXELS: &str = "var c = document.querySelector(arguments[0] + ' canvas');
  if (!c) { return -1; }
  var px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;
  for (var i = 3; i < px.length; i += 4) { if (px[i] > 0) { n++; } }
  return n;";

async fn inked(browser: &Browser, selector: &str) -> i64 {
    browser
        .client
        .execute(INKED_PIXELS, vec![json!(selector)])
        .await
        .unwrap()
        .as_i64()
        .unwrap()
}

async fn click(browser: &Browser, css: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn count(browser: &Browser, css: &str) -> usize {
    browser
        .client
        .find_all(Locator::Css(css))
        .await
        .unwrap()
        .len()
}

/// The id a page's path ends with (`/forecasts/7` → 7).
async fn id_in_path(browser: &Browser) -> i64 {
    path_now(browser)
        .await
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn path_now(browser: &Browser) -> String {
    browser
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .to_string()
}

/// A year of quarter-hours (35,040 points), for the chart's speed.
fn year_of_history() -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
    let mut out = String::from("interval_start,volume,aht_seconds\n");
    for d in 0..365 {
        let date = start + chrono::Duration::days(d);
        for q in 0..96 {
            let (h, m) = (q / 4, (q % 4) * 15);
            let volume = if (32..72).contains(&q) {
                10 + (q + d) % 9
            } else {
                (q + d) % 3
            };
            out.push_str(&format!("{date} {h:02}:{m:02},{volume},200\n"));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workspace_in_a_real_browser() {
    let app = TestApp::spawn(TestDb::sqlite()).await;
    let browser = Browser::start().await;

    // The console check sees errors a page throws (so "no errors" means something).
    browser.visit(&app.url("/docs"), "docs").await;
    browser
        .js("setTimeout(function () { throw new Error('planted'); }, 0); return null;")
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let errors = browser.console_errors().await;
    assert!(errors.iter().any(|e| e.contains("planted")), "{errors:?}");

    // A queue with six weeks of history, a holiday, and agents to roster.
    let q = queue_with_history(&app, true).await;
    let resp = app
        .post_body(
            &paths::queue_special_days(q),
            "text/csv",
            "date,kind,name,effect_percent\n2026-02-02,holiday,Candlemas,\n",
        )
        .await;
    assert_eq!(resp.status(), 200);
    let agents: Vec<Value> = (1..=10)
        .map(|i| json!({"name": format!("Agent {i:02}"), "external_id": format!("A{i}")}))
        .collect();
    app.add_agents(q, &Value::Array(agents)).await;
    // All of the history reaches agents (said, so the forecast page shows it).
    let resp = app
        .patch_json(&paths::queue(q), &json!({"offered_percent": 100}))
        .await;
    assert_eq!(resp.status(), 200);

    // Signing in through the form: the Secure cookie is kept on 127.0.0.1.
    browser.visit(&app.url("/"), "login").await;
    assert_eq!(path_now(&browser).await, "/login");
    let key = app.new_key("browser planner", staffcast::auth::Role::Planner);
    browser
        .client
        .find(Locator::Id("key"))
        .await
        .unwrap()
        .send_keys(&key)
        .await
        .unwrap();
    click(&browser, "#login button[type=submit]").await;
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
    assert_eq!(browser.js("return document.cookie").await, "", "HttpOnly");

    // Start a forecast from the queues page: it lands on the forecast page.
    browser
        .js(&format!(
            "var f = document.querySelector(\"tr[data-queue='{q}'] form\");
             f.querySelector('select').value = 'weekly_average'; f.requestSubmit(); return null;"
        ))
        .await;
    browser
        .wait_until(
            "return location.pathname.indexOf('/forecasts/') === 0",
            30,
            "forecast page",
        )
        .await;
    browser
        .wait_until("var c = document.getElementById('forecast-chart'); return !!c && c.getAttribute('data-drawn') === 'true'", 10, "chart drawn")
        .await;
    let forecast: i64 = id_in_path(&browser).await;
    assert!(
        inked(&browser, "#forecast-chart").await > 1000,
        "the chart has ink"
    );
    assert_eq!(count(&browser, "#special-days tbody tr").await, 1);
    let offered = browser
        .js("return document.getElementById('offered').textContent")
        .await;
    let offered = offered.as_str().unwrap();
    assert!(
        offered.contains("100.0 %") && offered.contains("offered_percent"),
        "{offered}"
    );
    assert!(count(&browser, "#backtest tbody tr").await >= 1);
    // Zoom to one day and back out to 18 months.
    click(&browser, "#zoom button[data-days='1']").await;
    let span = browser
        .js("var s = window.staffcastPlot.scales.x; return s.max - s.min")
        .await;
    assert_eq!(span.as_f64().unwrap(), 86400.0);
    click(&browser, "#zoom button[data-days='548']").await;
    let span = browser
        .js("var s = window.staffcastPlot.scales.x; return s.max - s.min")
        .await;
    assert_eq!(span.as_f64().unwrap(), 548.0 * 86400.0);
    click(&browser, "#zoom button[data-days='28']").await;
    browser.page_is_clean("forecast").await;
    // Adjust a day: the adjusted series joins the chart.
    assert_eq!(
        browser
            .js("return window.staffcastPlot.series.length")
            .await,
        5
    );
    browser
        .js("var f = document.getElementById('adjust'); f.querySelector('input[name=percent]').value = '25';
             f.querySelector('input[name=reason]').value = 'campaign'; f.requestSubmit(); return null;")
        .await;
    browser
        .client
        .wait()
        .for_element(Locator::Id("adjustments"))
        .await
        .unwrap();
    browser
        .wait_until("var c = document.getElementById('forecast-chart'); return !!c && c.getAttribute('data-drawn') === 'true'", 10, "chart drawn again")
        .await;
    assert_eq!(
        browser
            .js("return window.staffcastPlot.series.length")
            .await,
        6
    );
    let adjustments = app
        .get_json(&format!("/api/v1/forecasts/{forecast}/adjustments"))
        .await;
    assert_eq!(adjustments.as_array().unwrap().len(), 1, "{adjustments}");
    browser.page_is_clean("forecast-adjusted").await;

    // Start a schedule from the forecast page: the progress bar moves and it finishes.
    browser
        .js("document.querySelector('#start-schedule input[name=time_limit_seconds]').value = '2'; return null;")
        .await;
    click(&browser, "#start-schedule button[type=submit]").await;
    browser
        .client
        .wait()
        .for_element(Locator::Id("job"))
        .await
        .unwrap();
    let schedule: i64 = id_in_path(&browser).await;
    let mut seen = Vec::new();
    for _ in 0..300 {
        let status = browser
            .js("return document.getElementById('job').getAttribute('data-status')")
            .await;
        let status = status.as_str().unwrap().to_string();
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if status == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen.last().map(String::as_str), Some("done"), "{seen:?}");
    assert!(
        seen.len() >= 2,
        "progress was shown before the end: {seen:?}"
    );
    let progress = browser
        .js("return document.getElementById('job-progress').value")
        .await;
    assert_eq!(progress.as_f64().unwrap(), 100.0);
    browser
        .wait_until(
            "return !document.getElementById('job-links').hidden",
            5,
            "links",
        )
        .await;
    browser.page_is_clean("schedule").await;
    // The run's warnings are on the page, as the API gives them.
    let run = app.get_json(&paths::schedule(schedule)).await;
    let shown = browser
        .js("return Array.from(document.querySelectorAll('#job-warnings li')).map(function (li) { return li.textContent; })")
        .await;
    assert_eq!(shown, run["warnings"], "{run}");

    // The roster's Gantt: one rect per shift, as many as the API's roster has.
    let roster = app.get_json(&paths::schedule_roster(schedule)).await;
    let shifts = roster["shifts"].as_array().unwrap();
    assert!(!shifts.is_empty());
    click(&browser, "#job-links a[href$='/roster']").await;
    browser
        .client
        .wait()
        .for_element(Locator::Id("gantt"))
        .await
        .unwrap();
    assert_eq!(count(&browser, "#gantt rect.shift").await, shifts.len());
    assert!(count(&browser, "#gantt rect.break").await >= 1);
    browser.page_is_clean("roster").await;
    // Filter by day: the rects are that day's shifts.
    let day = "2026-02-17";
    let that_day = app
        .get_json(&format!("{}?date={day}", paths::schedule_roster(schedule)))
        .await["shifts"]
        .as_array()
        .unwrap()
        .len();
    browser
        .js(&format!("var f = document.getElementById('roster-filter'); f.querySelector('select[name=day]').value = '{day}'; f.requestSubmit(); return null;"))
        .await;
    browser
        .wait_until(
            &format!("return location.search.indexOf('day={day}') >= 0"),
            10,
            "filtered",
        )
        .await;
    assert_eq!(count(&browser, "#gantt rect.shift").await, that_day);
    browser.page_is_clean("roster-day").await;

    // Coverage: requirement against scheduled, with the service level per interval.
    browser
        .visit(
            &app.url(&format!("/schedules/{schedule}/coverage")),
            "coverage",
        )
        .await;
    assert!(count(&browser, "#coverage-chart rect.scheduled").await > 0);
    assert!(count(&browser, "#coverage-chart .sl-ok, #coverage-chart .sl-low").await > 0);
    // Each interval with load has a chance of meeting the goal, 0 to 100 %.
    let chances = browser
        .js("return Array.from(document.querySelectorAll('#coverage-table tbody tr td:nth-child(5)')).map(function (td) { return td.textContent; }).filter(function (t) { return t !== '–'; })")
        .await;
    let chances = chances.as_array().unwrap();
    assert!(!chances.is_empty());
    for c in chances {
        let v: f64 = c.as_str().unwrap().trim_end_matches(" %").parse().unwrap();
        assert!((0.0..=100.0).contains(&v), "{c}");
    }

    // The promise against reality: the week's real calls replayed against the roster.
    let mut calls = String::from("arrival,outcome,wait_seconds,talk_seconds\n");
    for day in 16..=22 {
        for minute in (8 * 60..18 * 60).step_by(4) {
            let (h, m) = (minute / 60, minute % 60);
            calls.push_str(&format!(
                "2026-02-{day} {h:02}:{m:02}:00,answered,{},180\n",
                minute % 30
            ));
        }
    }
    let resp = app
        .post_body(&format!("/api/v1/queues/{q}/calls"), "text/csv", calls)
        .await;
    json_of(resp, 200).await;
    click(&browser, "#replay button").await;
    browser
        .client
        .wait()
        .for_element(Locator::Id("replay-intervals"))
        .await
        .unwrap();
    assert!(count(&browser, "#replay-intervals tbody tr").await > 0);
    let replayed = browser
        .client
        .find(Locator::Id("replayed-sl"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(replayed.ends_with('%'), "{replayed}");
    browser.page_is_clean("replay").await;

    // Publish it from its page.
    browser
        .client
        .goto(&app.url(&format!("/schedules/{schedule}")))
        .await
        .unwrap();
    click(&browser, "#publish-job button").await;
    browser
        .wait_until(
            "return document.getElementById('publication').textContent === 'published'",
            10,
            "published",
        )
        .await;
    let published = app.get_json(&paths::schedule(schedule)).await;
    assert_eq!(
        published["publication"]["state"], "published",
        "{published}"
    );

    // A capacity what-if from the forecast page.
    browser
        .client
        .goto(&app.url(&format!("/forecasts/{forecast}")))
        .await
        .unwrap();
    browser.js("document.querySelector('#start-capacity input[name=headcount]').value = '3'; return null;").await;
    click(&browser, "#start-capacity button[type=submit]").await;
    browser
        .wait_until(
            "return location.pathname.indexOf('/capacity-plans/') === 0",
            30,
            "capacity page",
        )
        .await;
    assert!(count(&browser, ".capacity-chart rect.available").await >= 1);
    browser.page_is_clean("capacity").await;

    // What-if staffing: the answer is the API's for the same question.
    browser.visit(&app.url("/what-if"), "what-if-form").await;
    browser
        .js("document.querySelector('#what-if input[name=volume]').value = '250'; return null;")
        .await;
    click(&browser, "#what-if button[type=submit]").await;
    browser
        .client
        .wait()
        .for_element(Locator::Id("what-if-result"))
        .await
        .unwrap();
    let (status, api) = app
        .calculate_staffing(
            &json!({"interval_minutes": 30, "intervals": [{"volume": 250, "aht_seconds": 300}],
            "service_level_percent": 80, "answer_within_seconds": 20, "shrinkage_percent": 30}),
        )
        .await;
    assert_eq!(status, 200);
    let shown = browser
        .client
        .find(Locator::Id("agents-net"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(shown, api["intervals"][0]["agents_net"].to_string());
    browser.page_is_clean("what-if").await;

    // Cancel a long job from its page.
    browser
        .client
        .goto(&app.url(&format!("/forecasts/{forecast}")))
        .await
        .unwrap();
    browser.js("document.querySelector('#start-schedule input[name=time_limit_seconds]').value = '120'; return null;").await;
    click(&browser, "#start-schedule button[type=submit]").await;
    browser
        .client
        .wait()
        .for_element(Locator::Id("cancel-job"))
        .await
        .unwrap();
    click(&browser, "#cancel-job button").await;
    browser
        .wait_until("var s = document.getElementById('job').getAttribute('data-status'); return s === 'cancelled' || s === 'done'", 30, "cancelled")
        .await;
    let cancelled: i64 = id_in_path(&browser).await;
    let job = app.get_json(&paths::schedule(cancelled)).await;
    assert!(job["cancel_requested"] == true, "{job}");
    browser.page_is_clean("cancelled").await;

    // 35,000 points draw without freezing the page.
    let mut body = common::paris_queue("a year of quarter-hours");
    body["time_zone"] = json!("UTC"); // every quarter-hour of the year exists
    let big = app.create_queue(body).await;
    let resp = app
        .post_body(&paths::queue_history(big), "text/csv", year_of_history())
        .await;
    json_of(resp, 200).await;
    let run = app
        .create_forecast(big, &json!({"model": "weekly_average", "weeks": 4}))
        .await;
    let started = std::time::Instant::now();
    browser
        .client
        .goto(&app.url(&format!("/forecasts/{}", run["id"])))
        .await
        .unwrap();
    browser
        .wait_until("var c = document.getElementById('forecast-chart'); return !!c && c.getAttribute('data-drawn') === 'true'", 20, "big chart drawn")
        .await;
    let loaded = started.elapsed();
    let points: usize = browser
        .js("return Number(document.getElementById('forecast-chart').getAttribute('data-points'))")
        .await
        .as_u64()
        .unwrap() as usize;
    assert!(points >= 35_000, "{points}");
    let draw_ms = browser
        .js("return Number(document.getElementById('forecast-chart').getAttribute('data-draw-ms'))")
        .await
        .as_f64()
        .unwrap();
    // The page answers a script at once after drawing (the main thread is free).
    let t = std::time::Instant::now();
    browser.js("return 1").await;
    assert!(t.elapsed() < Duration::from_millis(500));
    assert!(draw_ms < 1000.0, "{points} points drawn in {draw_ms} ms");
    assert!(inked(&browser, "#forecast-chart").await > 1000);
    println!("35k-point chart: {points} points, drawn in {draw_ms} ms, page loaded in {loaded:?}");
    browser.page_is_clean("forecast-35k").await;

    browser.stop().await;
}
