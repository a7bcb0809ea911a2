//! Thin (greedy) scheduling: turn a per-interval requirement into shifts
//! for named agents under one shift rule and their weekly contracts.
//!
//! * [`rules`]: [`ShiftRule`], [`AgentContract`], [`ScheduleProblem`],
//!   [`ScheduleError`] and what is validated;
//! * [`greedy`]: [`solve_greedy`] and how it decides;
//! * [`roster`]: the output ([`Roster`], [`Shift`], [`Break`],
//!   [`IntervalCoverage`]);
//! * [`check`]: [`check_roster`], an independent check of the hard rules.
//!
//! Hard rules, never broken by the solver: start window, shift length,
//! one shift per local day, minimum rest, days per week, paid minutes per
//! week, one unpaid lunch inside its window (starts ≥ 2 h after the shift
//! starts, ends ≥ 1 h before it ends). The weekly minimum is soft: when it
//! cannot be met the roster carries a warning naming the agent.
//!
//! Plain Rust: no HTTP, no SQL, no I/O.

pub mod check;
pub mod engine;
pub mod greedy;
pub(crate) mod lp_rows;
pub mod roster;
pub mod rules;

pub use check::check_roster;
pub use greedy::solve_greedy;
pub use roster::{Break, IntervalCoverage, Roster, Shift};
pub use rules::{
    AgentContract, ScheduleError, ScheduleProblem, ShiftRule, LUNCH_AFTER_START_MINUTES,
    LUNCH_BEFORE_END_MINUTES, MAX_DAYS,
};

#[cfg(test)]
mod tests;
