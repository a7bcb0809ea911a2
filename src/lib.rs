//! staffcast: contact-centre workforce management.
//!
//! The core (`domain`, `forecast`, `staffing`, `schedule`, `simulate`,
//! `capacity`) is plain Rust with no HTTP and no SQL; `app` runs use cases
//! over `db`, and `api` serves them behind `auth` (API keys, roles and
//! the permission matrix, also free of HTTP and SQL); `web` is the planner
//! workspace, server-rendered pages over the same use cases. `benchmarks` holds
//! the benchmark problems and solvers, which only the `bench` commands use.

pub mod api;
pub mod app;
pub mod auth;
pub mod benchmarks;
pub mod capacity;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod forecast;
pub mod schedule;
pub mod simulate;
pub mod staffing;
#[cfg(test)]
pub(crate) mod test_support;
pub mod web;
