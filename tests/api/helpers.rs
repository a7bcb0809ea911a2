//! Typed calls on the test app: each sends one request for one resource,
//! checks the status a success must have (showing the body otherwise) and
//! hands back the JSON. Tests of refusals use the raw `get`/`post_json`/
//! `post_body` with a `paths::` URL and check the status themselves.

use crate::common::{json_of, paths, TestApp};
use serde_json::{json, Value};

/// The `id` of a created resource.
pub fn id_of(v: &Value) -> i64 {
    v["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no integer id in {v}"))
}

impl TestApp {
    /// Imports history as CSV; expects 200 and returns the import summary.
    pub async fn import_history(&self, queue: i64, csv: impl Into<reqwest::Body>) -> Value {
        let resp = self
            .post_body(&paths::queue_history(queue), "text/csv", csv)
            .await;
        json_of(resp, 200).await
    }

    /// Imports history as a JSON array of rows; expects 200.
    pub async fn import_history_json(&self, queue: i64, rows: &Value) -> Value {
        json_of(
            self.post_json(&paths::queue_history(queue), rows).await,
            200,
        )
        .await
    }

    /// The stored history rows of a queue.
    pub async fn history_rows(&self, queue: i64) -> Vec<Value> {
        self.get_json(&paths::queue_history(queue)).await["intervals"]
            .as_array()
            .expect("history intervals")
            .clone()
    }

    /// Imports special days (CSV) for a queue; expects 200.
    pub async fn import_special_days(&self, queue: i64, csv: impl Into<reqwest::Body>) -> Value {
        let resp = self
            .post_body(&paths::queue_special_days(queue), "text/csv", csv)
            .await;
        json_of(resp, 200).await
    }

    /// Adds one agent (an object) or several (an array); expects 201.
    pub async fn add_agents(&self, queue: i64, agents: &Value) -> Value {
        json_of(
            self.post_json(&paths::queue_agents(queue), agents).await,
            201,
        )
        .await
    }

    /// Runs a forecast of a queue (`{}` for every default); expects 201 and
    /// returns the run.
    pub async fn create_forecast(&self, queue: i64, body: &Value) -> Value {
        json_of(
            self.post_json(&paths::queue_forecasts(queue), body).await,
            201,
        )
        .await
    }

    /// A six-week weekly-average forecast of `queue` over [from, to)
    /// (local times of the queue); returns its id.
    pub async fn weekly_average_forecast(&self, queue: i64, from: &str, to: &str) -> i64 {
        let body = json!({"from": from, "to": to, "model": "weekly_average", "weeks": 6});
        id_of(&self.create_forecast(queue, &body).await)
    }

    /// Queues a schedule job; expects 202 and returns the queued run.
    pub async fn create_schedule(&self, body: &Value) -> Value {
        json_of(self.post_json(&paths::schedules(), body).await, 202).await
    }

    /// Polls a schedule job until it has finished (30 s at most).
    pub async fn wait_for_schedule(&self, id: i64) -> Value {
        self.wait_for_schedule_within(id, 30).await
    }

    /// Polls a schedule job until it is done, failed or cancelled.
    pub async fn wait_for_schedule_within(&self, id: i64, seconds: u64) -> Value {
        for _ in 0..seconds * 10 {
            let run = self.get_json(&paths::schedule(id)).await;
            if ["done", "failed", "cancelled"].contains(&run["status"].as_str().unwrap()) {
                return run;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("schedule {id} did not finish in {seconds} s");
    }

    /// Creates a capacity plan for a queue; expects 201.
    pub async fn create_capacity_plan(&self, queue: i64, body: &Value) -> Value {
        json_of(
            self.post_json(&paths::queue_capacity_plans(queue), body)
                .await,
            201,
        )
        .await
    }

    /// What-if staffing: the status and the JSON body, whatever the status.
    pub async fn calculate_staffing(&self, body: &Value) -> (u16, Value) {
        let resp = self.post_json(&paths::staffing_calculate(), body).await;
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }
}

/// A success body as pinned in a snapshot: every non-integer number
/// rounded to 9 significant digits, so the last bits of a solver's floating
/// point cannot fail a test while any real change still shows.
pub fn rounded(v: &Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap();
            let r: f64 = format!("{x:.8e}").parse().unwrap();
            serde_json::Number::from_f64(r).map_or(Value::Null, Value::Number)
        }
        Value::Array(items) => Value::Array(items.iter().map(rounded).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), rounded(v))).collect())
        }
        other => other.clone(),
    }
}
