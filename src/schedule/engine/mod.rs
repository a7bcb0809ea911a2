//! The rostering engine: shifts, breaks and days off for named agents
//! under their contracts, covering a per-interval requirement on one or
//! more queues.
//!
//! * [`model`]: the problem ([`Problem`], [`Agent`], [`Contract`],
//!   [`ShiftTemplate`], [`BreakRule`], [`Weights`], ...) and which rules are
//!   hard and which soft;
//! * `error`: [`ScheduleError`], why a problem is refused;
//! * `horizon`: the horizon's intervals and local days (up to [`MAX_DAYS`]);
//! * `catalog`: validation and every shift option, precomputed;
//! * `sequence`: the day-spanning hard rules of one agent;
//! * `state` / `search`: the roster under search and the local search;
//! * `bound`: the LP lower bound, so every run reports its gap;
//! * `report`: the [`Solution`], with the binding rule of each short interval;
//! * [`check`]: an independent check of a solution against the hard rules.
//!
//! Skills: each shift works one queue the agent has the skill for (its
//! activity for the day); coverage is counted per queue.
//!
//! Plain Rust: no HTTP, no SQL, no I/O.

mod bound;
mod catalog;
pub mod check;
mod error;
pub(crate) mod horizon;
pub mod model;
mod report;
mod search;
mod sequence;
mod state;

pub use check::check_solution;
pub use error::ScheduleError;
pub use horizon::MAX_DAYS;
pub use model::{
    Agent, AgentProfile, Availability, BreakRule, Contract, History, Problem, QueueDemand, Request,
    ShiftTemplate, TimeOff, Want, Weights, MAX_BREAKS,
};
pub use report::{
    Break, EngineReport, Objective, QueueInterval, RosteredShift, Shortfall, Solution,
};
// The greedy baseline shares these with the engine.
pub(crate) use report::{coverage_percent, paid_minutes};
pub use search::StopReason;
pub use sequence::Rule;

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct SolveOptions {
    /// Wall-clock limit for the whole solve (bound included).
    pub time_limit: Duration,
    pub seed: u64,
    /// Stop after this many moves instead of on the clock (deterministic).
    pub max_iterations: Option<u64>,
    /// Limit for the LP bound (taken out of `time_limit`); zero skips it.
    pub bound_time_limit: Duration,
    pub progress_interval: Duration,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(10),
            seed: 1,
            max_iterations: None,
            bound_time_limit: Duration::from_secs(5),
            progress_interval: Duration::from_millis(500),
        }
    }
}

/// What the solver reports while it runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub elapsed: Duration,
    /// Share of the time limit (or of `max_iterations`) used, 0–100.
    pub percent: f64,
    pub best_objective: f64,
    pub lower_bound: Option<f64>,
    pub iterations: u64,
}

/// Checks a problem without solving it (the errors `solve` would return).
pub fn validate(problem: &Problem) -> Result<(), ScheduleError> {
    catalog::Catalog::build(problem).map(|_| ())
}

/// Solves `problem`. Stops at the time limit (or `max_iterations`), when
/// `cancel` turns true, or when the roster meets the lower bound; the best
/// roster found is returned in every case.
pub fn solve(
    problem: &Problem,
    options: &SolveOptions,
    cancel: Option<&AtomicBool>,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Solution, ScheduleError> {
    let started = Instant::now();
    let cat = catalog::Catalog::build(problem)?;
    let mut state = state::State::new(&cat, problem);
    let mut rng = search::Rng::new(options.seed);
    search::construct(&mut state, &mut rng, cancel);
    let first_roster = started.elapsed();
    state.recompute();
    let first_roster_objective = state.objective();
    // The bound after the first roster, so a roster exists early; it takes
    // at most half the time limit.
    let bound_limit = options.bound_time_limit.min(options.time_limit / 2);
    let bound_started = Instant::now();
    let lp = if bound_limit.is_zero() {
        None
    } else {
        bound::lower_bound(&cat, problem, bound_limit)
    };
    let bound_seconds = bound_started.elapsed().as_secs_f64();
    let lower_bound = lp.as_ref().map(|b| b.value);
    // A second start: the LP's shift mix handed out to agents. The search
    // goes on from whichever roster is better.
    if let Some(lp) = &lp {
        let mut guided = state::State::new(&cat, problem);
        search::construct_from_mix(&mut guided, &mut rng, &lp.mix, cancel);
        guided.recompute();
        state.recompute();
        if guided.objective() < state.objective() {
            state = guided;
        }
    }
    let limits = search::Limits {
        started,
        time_limit: options.time_limit,
        max_iterations: options.max_iterations,
        cancel,
        lower_bound,
        progress_interval: options.progress_interval,
    };
    let mut report = |best: f64, iterations: u64| {
        let elapsed = started.elapsed();
        let percent = match options.max_iterations {
            Some(max) if max > 0 => 100.0 * iterations as f64 / max as f64,
            _ => 100.0 * elapsed.as_secs_f64() / options.time_limit.as_secs_f64().max(1e-9),
        };
        progress(&Progress {
            elapsed,
            percent: percent.clamp(0.0, 100.0),
            best_objective: best,
            lower_bound,
            iterations,
        });
    };
    let outcome = search::run(&mut state, &mut rng, &limits, first_roster, &mut report);
    state.days = outcome.best;
    // Rebuild coverage and costs for the best roster.
    let mut best_state = state::State::new(&cat, problem);
    for (k, day) in state.days.iter().enumerate() {
        if let Some(s) = day {
            best_state.set(k / cat.days(), k % cat.days(), Some(*s));
        }
    }
    let stats = report::Stats {
        iterations: outcome.iterations,
        first_roster_seconds: outcome.first_roster.as_secs_f64(),
        first_roster_objective,
        search_start_objective: outcome.first_objective,
        bound_seconds,
        elapsed_seconds: started.elapsed().as_secs_f64(),
        stop: outcome.stop,
    };
    let solution = report::build(
        &mut best_state,
        problem,
        lower_bound,
        cat.warnings.clone(),
        stats,
    );
    debug_assert!(
        (solution.objective.total - outcome.best_objective).abs()
            <= 1e-6 * outcome.best_objective.abs().max(1.0),
        "objective drift: {} vs {}",
        solution.objective.total,
        outcome.best_objective
    );
    Ok(solution)
}

#[cfg(test)]
mod tests;
