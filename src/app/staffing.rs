//! What-if staffing: a queue described in the request, a list of loads,
//! the requirement per interval. Nothing is read or stored.

use super::AppError;
use crate::domain::QueueSpec;
use crate::staffing::{channel_requirements, ChannelModel, Requirement, StaffingTarget, Workload};

/// The requirement of every interval and its sums.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffingPlan {
    pub model: ChannelModel,
    /// Most agents (with shrinkage) any interval needs.
    pub peak_agents: u32,
    /// Paid agent-hours over all intervals.
    pub agent_hours: f64,
    pub intervals: Vec<Requirement>,
}

/// Agents per interval for `load` (`(volume, aht_seconds)` of consecutive
/// intervals) under the queue's channel model, goal, occupancy cap and
/// shrinkage. CPU work (Erlang A over thousands of intervals): run it off
/// the async runtime.
pub fn calculate(spec: &QueueSpec, load: &[(f64, f64)]) -> Result<StaffingPlan, AppError> {
    let interval_seconds = f64::from(spec.interval_minutes) * 60.0;
    let model = ChannelModel::for_queue(spec);
    let load = Workload::series(load.iter().copied(), interval_seconds)?;
    let intervals = channel_requirements(&model, &load, &StaffingTarget::for_queue(spec)?)?;
    Ok(StaffingPlan {
        model,
        peak_agents: intervals
            .iter()
            .map(|r| r.agents_with_shrinkage)
            .max()
            .unwrap_or(0),
        agent_hours: intervals
            .iter()
            .map(|r| f64::from(r.agents_with_shrinkage))
            .sum::<f64>()
            * interval_seconds
            / 3600.0,
        intervals,
    })
}
