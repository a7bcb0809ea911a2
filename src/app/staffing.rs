//! What-if staffing: a queue described in the request, a list of loads,
//! the requirement per interval. Nothing is read or stored.

use super::error::Refusal;
use super::AppError;
use crate::domain::QueueSpec;
use crate::staffing::{
    channel_requirements_open, work_estimate, ChannelModel, Requirement, StaffingTarget, Workload,
};
use std::sync::atomic::{AtomicBool, Ordering};

/// Most agent steps ([`work_estimate`]) one request may take: about 1 s of
/// one core in a release build on the 2-core machine it was measured on
/// (10–18 ns a step, up to 26 with other builds running), so a request stays
/// under ~2 s. Over the API the work also stops, between intervals, when
/// its client hangs up ([`requirements_until`]).
pub const MAX_STAFFING_WORK: f64 = 8e7;

/// Refuses, before any of it is done, a computation of `load` whose
/// estimated work is over [`MAX_STAFFING_WORK`]; `field` is what the caller
/// would shrink.
pub fn check_staffing_work(
    model: &ChannelModel,
    load: &[Workload],
    target: &StaffingTarget,
    field: &'static str,
) -> Result<(), AppError> {
    check_staffing_work_times(model, load, target, field, 1.0)
}

/// How many times a plain requirement's work it costs to add what each head
/// count promises under forecast uncertainty (about fifty queue
/// evaluations of the head count's size an interval, against two or three
/// for the search; see `staffing::uncertainty`).
pub const PROMISE_WORK: f64 = 25.0;

/// How many times a plain requirement's work it costs to buy a share `c` of
/// intervals meeting the goal (`staffing::share`), over
/// [`PROMISE_WORK`]: it grows as ln(1/(1 − c)), measured at 20× for 90 %
/// and 72× for 99.9 % (`cargo bench --bench staffing`, BENCHMARKS.md).
pub fn share_work(c: f64) -> f64 {
    const PER_NEPER: f64 = 11.0;
    PROMISE_WORK + PER_NEPER * (1.0 / (1.0 - c.min(0.999))).ln()
}

/// [`check_staffing_work`] for work `factor` times a plain requirement's.
pub fn check_staffing_work_times(
    model: &ChannelModel,
    load: &[Workload],
    target: &StaffingTarget,
    field: &'static str,
    factor: f64,
) -> Result<(), AppError> {
    let work = work_estimate(model, load, target) * factor;
    if work <= MAX_STAFFING_WORK {
        return Ok(());
    }
    let erlangs = load.iter().map(Workload::erlangs).fold(0.0, f64::max);
    Err(Refusal::TooCostly {
        field,
        message: format!(
            "{field}: staffing {} intervals (up to {erlangs:.0} erlangs in one) would walk \
             through about {work:.2e} agent counts, more than one request may ({MAX_STAFFING_WORK:.0e}); \
             send fewer intervals or less load",
            load.len()
        ),
    }
    .into())
}

/// [`channel_requirements_open`] that looks at `stop` before each interval and
/// gives up with [`AppError::Stopped`] once it is set (the client that
/// asked has gone). Voice and chat intervals are staffed one by one, so
/// this gives the same answer; a deferred plan spans every interval and is
/// cheap, so it is computed whole.
pub fn requirements_until(
    model: &ChannelModel,
    load: &[Workload],
    target: &StaffingTarget,
    open: &[bool],
    stop: &AtomicBool,
) -> Result<Vec<Requirement>, AppError> {
    if matches!(model, ChannelModel::Deferred { .. }) || open.len() != load.len() {
        return Ok(channel_requirements_open(model, load, target, open)?);
    }
    let mut out = Vec::with_capacity(load.len());
    for (interval, open) in load.iter().zip(open) {
        if stop.load(Ordering::Relaxed) {
            return Err(AppError::Stopped);
        }
        out.extend(channel_requirements_open(
            model,
            std::slice::from_ref(interval),
            target,
            std::slice::from_ref(open),
        )?);
    }
    Ok(out)
}

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
/// the async runtime. Setting `stop` ends it early with [`AppError::Stopped`].
pub fn calculate(
    spec: &QueueSpec,
    load: &[(f64, f64)],
    stop: &AtomicBool,
) -> Result<StaffingPlan, AppError> {
    let interval_seconds = f64::from(spec.interval_minutes) * 60.0;
    let model = ChannelModel::for_queue(spec);
    let load = Workload::series(load.iter().copied(), interval_seconds)?;
    let target = StaffingTarget::for_queue(spec)?;
    check_staffing_work(&model, &load, &target, "intervals")?;
    let intervals = requirements_until(&model, &load, &target, &vec![true; load.len()], stop)?;
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
