//! Check what service a roster really gives.
//!
//! - [`erlang_check`]: [`service_of_roster`], the analytic check (Erlang C
//!   service level each interval gets from the agents a roster puts on the
//!   phones).
//! - [`des`]: a discrete-event simulator of one FIFO queue with time-varying
//!   staffing, Poisson or replayed arrivals, and service/patience
//!   distributions ([`simulate`]).
//! - [`survival`]: Kaplan–Meier estimation of patience from censored waits.
//! - [`replay`](mod@replay): real per-call records replayed against a roster, with
//!   censored patience drawn from Kaplan–Meier ([`replay()`]).

pub mod des;
pub mod erlang_check;
pub mod replay;
pub mod survival;
#[cfg(test)]
mod validation;

pub use des::{
    simulate, ArrivalSource, Dist, IntervalResult, SimError, SimulationInput, SimulationResult,
};
pub use erlang_check::{
    productive_agents, service_of_roster, service_of_roster_with, IntervalService, RosterService,
};
pub use replay::{
    replay, ObservedService, PatienceModel, ReplayInput, ReplayResult, ReplayedService,
};
pub use survival::{kaplan_meier, KaplanMeier};
