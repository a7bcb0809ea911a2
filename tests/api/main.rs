#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a failed unwrap fails the test
//! The HTTP API over a real server and a real database (SQLite and
//! PostgreSQL): one test binary, one module per resource.
//!
//! `helpers` gives the test app typed calls (`app.import_history(q, csv)`,
//! `app.create_forecast(q, &body)`, `app.wait_for_schedule(id)`, ...) and
//! `common::paths` every URL, so a test reads as the requests it makes.
//! Representative success bodies are pinned as insta snapshots under
//! `tests/api/snapshots/` (volatile fields redacted); review a change with
//! `cargo insta review` or `INSTA_UPDATE=always cargo test --test api`.

#[path = "../common/mod.rs"]
mod common;
mod helpers;

mod auth;
mod browser;
mod caching;
mod calls;
mod capacity;
mod confidence;
mod errors;
mod forecast_actuals;
mod history;
mod hr_sync;
mod leases;
mod openapi;
mod opening_hours;
mod pipeline;
mod published;
mod schedules;
mod staffing;
