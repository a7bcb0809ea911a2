//! Use cases: load from the store, run the core, persist. No HTTP here;
//! callers (the API, the CLI) run these off the async runtime.

pub mod access;
pub mod agents;
pub mod calendar;
pub mod calls;
pub mod capacity;
pub mod error;
pub mod forecast;
pub mod health;
pub mod history;
pub mod idempotency;
pub mod jobs;
pub mod offered;
pub mod publish;
pub mod replay;
pub mod roster_share;
pub mod schedule;
pub mod simulation;
pub mod staffing;
pub mod workspace;

pub use error::AppError;
