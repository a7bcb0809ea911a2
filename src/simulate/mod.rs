//! Check what service a roster really gives. For now an analytic check:
//! the Erlang C service level each interval gets from the agents a roster
//! puts on the phones. A discrete-event simulator comes with the staffing
//! engine.

pub mod erlang_check;

pub use erlang_check::{check_roster, IntervalService, RosterService};
