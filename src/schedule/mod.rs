//! Rostering: shifts, breaks and days off for named agents, covering a
//! per-interval requirement.
//!
//! * [`engine`]: the product's rostering engine (shift templates, contracts,
//!   breaks, skills, requests; local search with an LP lower bound). The API
//!   builds its rosters with it.
//! * [`greedy`]: the baseline, a one-rule greedy ([`greedy::solve_greedy`]),
//!   run when a request asks for `"solver": "greedy"`.
//! * [`job`]: a schedule job's stored inputs ([`job::JobParams`]).
//! * `lp_rows`: LP constraint rows and their clarabel solve, for the
//!   engine's lower bound.
//!
//! Both solvers refuse bad input with [`ScheduleError`] and use the
//! engine's horizon and [`Break`].
//!
//! Plain Rust: no HTTP, no SQL, no I/O.

pub mod engine;
pub mod greedy;
pub mod job;
// Also used by the Curtois & Qu benchmark's bound.
pub(crate) mod lp_rows;

pub use engine::{Break, ScheduleError, MAX_DAYS};
