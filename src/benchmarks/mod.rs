//! Benchmark problems and solvers on public data, run by `staffcast bench
//! …` and `benches/`. Not part of the product: the core, `app` and `api`
//! never use this module (`tests/architecture.rs`); it may use the core.
//!
//! - [`curtois`]: the Curtois & Qu nurse-rostering instances and their solver.
//! - [`shift_design`]: the DBAI shift-design instances and their solver.
//! - [`bank_roster`]: a four-week roster for the rostering engine, built
//!   from the Anonymous Bank's arrivals.
//! - [`bank`]: parser for the Anonymous Bank (Feb 1999) per-call records,
//!   used to replay real traffic.

pub mod bank;
pub mod bank_roster;
pub mod curtois;
pub mod shift_design;
