//! The baseline solver: a one-rule greedy that turns a per-interval
//! requirement into shifts for named agents under one shift rule and their
//! weekly contracts. Kept to compare the engine against, and for requests
//! that ask for `"solver": "greedy"`.
//!
//! * [`rules`]: [`ShiftRule`], [`AgentContract`], [`ScheduleProblem`] and
//!   what is validated;
//! * [`solve`]: [`solve_greedy`] and how it decides;
//! * [`roster`]: the output ([`Roster`], [`Shift`], [`IntervalCoverage`]);
//! * [`check`]: [`check_rules`], an independent check of the hard rules.
//!
//! Errors, the horizon and breaks are the engine's
//! ([`ScheduleError`](crate::schedule::ScheduleError),
//! [`Break`](crate::schedule::Break)).
//!
//! Hard rules, never broken by the solver: start window, shift length,
//! one shift per local day, minimum rest, days per week, paid minutes per
//! week, one unpaid lunch inside its window (starts ≥ 2 h after the shift
//! starts, ends ≥ 1 h before it ends). The weekly minimum is soft: when it
//! cannot be met the roster carries a warning naming the agent.
//!
//! Plain Rust: no HTTP, no SQL, no I/O.

pub mod check;
pub mod roster;
pub mod rules;
pub mod solve;

pub use check::check_rules;
pub use roster::{IntervalCoverage, Roster, Shift};
pub use rules::{
    AgentContract, ScheduleProblem, ShiftRule, LUNCH_AFTER_START_MINUTES, LUNCH_BEFORE_END_MINUTES,
};
pub use solve::solve_greedy;

#[cfg(test)]
mod tests;
