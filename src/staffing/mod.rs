//! Staffing maths: how many agents an interval needs to meet its service goal.
//!
//! Pure Rust, no I/O: [`erlang`] holds the Erlang B / C formulas and the
//! per-interval queue metrics, [`requirement`] turns a workload and a
//! [`ServiceGoal`](crate::domain::ServiceGoal) into a head count.

pub mod erlang;
pub mod erlang_a;
pub mod requirement;

pub use erlang::{erlang_b, erlang_c, erlang_c_metrics, QueueMetrics};
pub use erlang_a::erlang_a_metrics;
pub use requirement::{required_agents, Requirement, StaffingError, MAX_AGENTS};
