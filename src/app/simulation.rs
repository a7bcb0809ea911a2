//! Simulate what service a plan or a stored roster gives: replications of
//! the discrete-event simulator, pooled.

use super::error::Refusal;
use super::history::queue;
use super::schedule::{agents_on, roster};
use super::AppError;
use crate::db::Database;
use crate::domain::ScheduleId;
use crate::simulate::{simulate, ArrivalSource, Dist, IntervalResult, SimulationInput};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};

/// How to simulate; every field has a default.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationOptions {
    pub seed: u64,
    pub replications: u32,
    /// Coefficient of variation of handle time: 1 = exponential, else lognormal.
    pub service_cv: f64,
    /// Mean patience; `None` uses the queue's (or nobody abandons).
    pub patience_seconds: Option<f64>,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            replications: 10,
            service_cv: 1.0,
            patience_seconds: None,
        }
    }
}

/// One interval of a plan to simulate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanInterval {
    pub start: DateTime<Utc>,
    pub volume: f64,
    pub aht_seconds: f64,
    /// Agents taking contacts (after shrinkage).
    pub agents: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SimulatedInterval {
    pub start: DateTime<Utc>,
    pub volume: f64,
    /// False when the queue is closed then: it takes no calls (offered 0,
    /// whatever `volume` forecasts), so the totals leave it out.
    pub open: bool,
    #[serde(flatten)]
    pub result: IntervalResult,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SimulationReport {
    pub replications: u32,
    pub seed: u64,
    pub intervals: Vec<SimulatedInterval>,
    pub totals: IntervalResult,
}

/// Most calls one request may simulate, replications included: about 1–2 s
/// of one core (BENCHMARKS.md: 6–9 M calls/s). Over the API the work stops
/// between replications when the client hangs up.
pub const MAX_SIMULATED_CALLS: f64 = 1e7;

/// Runs `replications` seeded simulations of `plan` and pools their counts.
/// Handle time is one distribution for the whole plan, with the
/// volume-weighted mean AHT. Setting `stop` ends it between replications
/// with [`AppError::Stopped`].
pub fn simulate_plan(
    plan: &[PlanInterval],
    interval_seconds: f64,
    target_seconds: f64,
    options: &SimulationOptions,
    stop: &AtomicBool,
) -> Result<SimulationReport, AppError> {
    if plan.is_empty() {
        return Err(Refusal::Empty {
            message: "nothing to simulate: the plan has no intervals",
        }
        .into());
    }
    if !(1..=1000).contains(&options.replications) {
        return Err(Refusal::OutOfRange {
            field: "replications",
            message: "replications must be 1 to 1000".into(),
        }
        .into());
    }
    if !(options.service_cv.is_finite() && options.service_cv > 0.0) {
        return Err(Refusal::OutOfRange {
            field: "service_cv",
            message: "service_cv must be above 0".into(),
        }
        .into());
    }
    let volume: f64 = plan.iter().map(|p| p.volume).sum();
    let calls = volume * f64::from(options.replications);
    if calls > MAX_SIMULATED_CALLS {
        return Err(Refusal::TooCostly {
            field: "replications",
            message: format!(
                "replications: {} replications of {volume:.0} calls is {calls:.2e} simulated calls, \
                 more than one request may ({MAX_SIMULATED_CALLS:.0e}); ask for fewer replications",
                options.replications
            ),
        }
        .into());
    }
    let mean_aht = if volume > 0.0 {
        plan.iter().map(|p| p.volume * p.aht_seconds).sum::<f64>() / volume
    } else {
        plan.iter().map(|p| p.aht_seconds).sum::<f64>() / plan.len() as f64
    };
    let service = if (options.service_cv - 1.0).abs() < 1e-12 {
        Dist::Exponential { mean: mean_aht }
    } else {
        Dist::LogNormal {
            mean: mean_aht,
            cv: options.service_cv,
        }
    };
    let mut runs = Vec::with_capacity(options.replications as usize);
    for r in 0..options.replications {
        if stop.load(Ordering::Relaxed) {
            return Err(AppError::Stopped);
        }
        let input = SimulationInput {
            interval_seconds,
            agents_per_interval: plan.iter().map(|p| p.agents).collect(),
            arrivals: ArrivalSource::Poisson {
                volumes: plan.iter().map(|p| p.volume).collect(),
            },
            service: service.clone(),
            patience: options
                .patience_seconds
                .map(|mean| Dist::Exponential { mean }),
            target_seconds,
            seed: options.seed.wrapping_add(u64::from(r)),
        };
        runs.push(simulate(&input)?);
    }
    let intervals = plan
        .iter()
        .enumerate()
        .map(|(i, p)| SimulatedInterval {
            start: p.start,
            volume: p.volume,
            open: true,
            result: pool(runs.iter().map(|run| &run.intervals[i])),
        })
        .collect();
    Ok(SimulationReport {
        replications: options.replications,
        seed: options.seed,
        intervals,
        totals: pool(runs.iter().map(|run| &run.totals)),
    })
}

/// Sums counts over replications and recomputes the rates from the sums
/// (means of waits weighted by the calls they are over).
fn pool<'a>(results: impl Iterator<Item = &'a IntervalResult>) -> IntervalResult {
    let mut out = IntervalResult::default();
    let (mut wait_answered, mut wait_all, mut busy_share, mut n) = (0.0, 0.0, 0.0, 0.0);
    for r in results {
        out.agents = r.agents;
        out.offered += r.offered;
        out.answered += r.answered;
        out.answered_within_target += r.answered_within_target;
        out.abandoned += r.abandoned;
        out.unserved += r.unserved;
        wait_answered += r.asa_seconds * r.answered as f64;
        wait_all += r.mean_wait_seconds * r.offered as f64;
        busy_share += r.occupancy;
        n += 1.0;
    }
    let ratio = |a: f64, b: u64, empty: f64| if b > 0 { a / b as f64 } else { empty };
    out.service_level = ratio(out.answered_within_target as f64, out.offered, 1.0);
    out.asa_seconds = ratio(wait_answered, out.answered, 0.0);
    out.mean_wait_seconds = ratio(wait_all, out.offered, 0.0);
    out.abandon_rate = ratio(out.abandoned as f64, out.offered, 0.0);
    out.occupancy = if n > 0.0 { busy_share / n } else { 0.0 };
    out
}

/// Simulates a stored roster against its forecast: agents on the phones per
/// interval (breaks out, shrinkage taken off, rounded down), Poisson arrivals
/// from the forecast volumes; none while the queue was closed (the
/// requirement's `open`), so closed intervals stay out of the totals.
pub fn simulate_schedule(
    db: &Database,
    id: ScheduleId,
    options: &SimulationOptions,
    stop: &AtomicBool,
) -> Result<SimulationReport, AppError> {
    let (run, shifts) = roster(db, id)?;
    let queue = queue(db, run.queue_id)?;
    let spec = &queue.spec;
    let grid = spec.grid();
    let end = grid.start_of_day(
        grid.local_date(run.week_start) + chrono::Duration::days(i64::from(run.days)),
    );
    let on = agents_on(&shifts, &grid);
    let closed = super::schedule::closed_intervals(db, run.forecast_id)?;
    let forecast: Vec<_> = db
        .forecast_intervals(run.forecast_id)?
        .into_iter()
        .filter(|i| i.start >= run.week_start && i.start < end)
        .collect();
    let plan: Vec<PlanInterval> = forecast
        .iter()
        .filter_map(|i| {
            i.aht_seconds.map(|aht_seconds| PlanInterval {
                start: i.start,
                volume: if closed.contains(&i.start) {
                    0.0
                } else {
                    i.volume
                },
                aht_seconds,
                agents: crate::simulate::productive_agents(
                    on.get(&i.start).copied().unwrap_or(0),
                    spec.shrinkage,
                ),
            })
        })
        .collect();
    let options = SimulationOptions {
        patience_seconds: options.patience_seconds.or(spec.staffing.patience_seconds),
        ..options.clone()
    };
    let mut report = simulate_plan(
        &plan,
        grid.seconds(),
        spec.goal.answer_within_seconds(),
        &options,
        stop,
    )?;
    let volumes: std::collections::HashMap<_, _> =
        forecast.iter().map(|i| (i.start, i.volume)).collect();
    for i in &mut report.intervals {
        if closed.contains(&i.start) {
            i.open = false;
            i.volume = volumes.get(&i.start).copied().unwrap_or(i.volume);
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy_day() -> Vec<PlanInterval> {
        let start: DateTime<Utc> = "2026-02-16T00:00:00Z".parse().expect("a time");
        (0..48)
            .map(|i| PlanInterval {
                start: start + chrono::Duration::minutes(30 * i),
                volume: 500.0,
                aht_seconds: 180.0,
                agents: 60,
            })
            .collect()
    }

    #[test]
    fn too_many_simulated_calls_are_refused_before_any_run() {
        // 24,000 calls a replication: 1,000 replications is 2.4e7 calls.
        let many = SimulationOptions {
            replications: 1000,
            ..SimulationOptions::default()
        };
        match simulate_plan(&busy_day(), 1800.0, 20.0, &many, &AtomicBool::new(false)) {
            Err(AppError::Refused(Refusal::TooCostly { field, message })) => {
                assert_eq!(field, "replications");
                assert!(message.contains("2.40e7"), "{message}");
            }
            other => panic!("expected too_costly, got {other:?}"),
        }
        let few = SimulationOptions {
            replications: 2,
            ..SimulationOptions::default()
        };
        let report = simulate_plan(&busy_day(), 1800.0, 20.0, &few, &AtomicBool::new(false))
            .expect("within the bound");
        assert_eq!((report.replications, report.intervals.len()), (2, 48));
    }
}
