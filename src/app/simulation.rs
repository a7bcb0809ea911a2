//! Simulate what service a plan or a stored roster gives: replications of
//! the discrete-event simulator, pooled.

use super::error::Refusal;
use super::history::queue;
use super::schedule::{agents_on, roster};
use super::AppError;
use crate::db::Database;
use crate::domain::ScheduleId;
use crate::simulate::{simulate, ArrivalSource, Dist, IntervalResult, SimulationInput};
use crate::staffing::offered::share_of;
use crate::staffing::{ArrivalLaw, VolumeBand};
use chrono::{DateTime, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
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
    /// The service-level goal intervals are judged against (the queue's
    /// over the API); `None`: no share of intervals meeting it.
    pub goal_service_level: Option<f64>,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            replications: 10,
            service_cv: 1.0,
            patience_seconds: None,
            goal_service_level: None,
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
    /// The forecast's p10–p90 band, when there is one: the simulation then
    /// also draws each interval's volume from it (forecast uncertainty).
    pub band: Option<VolumeBand>,
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
    /// Under forecast uncertainty: the service level of the calls pooled
    /// over replications whose volume was drawn from the band.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_service_level: Option<f64>,
    /// Under forecast uncertainty: the share of those replications in which
    /// the interval met the goal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_probability: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SimulationReport {
    pub replications: u32,
    pub seed: u64,
    pub intervals: Vec<SimulatedInterval>,
    pub totals: IntervalResult,
    /// Totals under forecast uncertainty (when the plan has bands).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub under_uncertainty: Option<UncertainTotals>,
}

/// What the open intervals can expect when the volume is as uncertain as
/// the forecast's band says.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UncertainTotals {
    /// Service level of all their calls.
    pub expected_service_level: f64,
    /// Mean over the open intervals of their chance to meet the goal: the
    /// share of open intervals expected to meet it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_share_meeting_goal: Option<f64>,
}

/// Intervals of the same load simulated before each measured one, so that
/// it starts from a queue in its steady state rather than an empty one.
pub const WARM_UP_INTERVALS: usize = 2;

/// Most calls one request may simulate, replications included: about 1–2 s
/// of one core (BENCHMARKS.md: 6–9 M calls/s). Over the API the work stops
/// between replications when the client hangs up.
pub const MAX_SIMULATED_CALLS: f64 = 1e7;

/// Runs `replications` seeded simulations of `plan` and pools their counts.
///
/// Each interval is simulated **on its own**, with its own handle time,
/// after [`WARM_UP_INTERVALS`] of the same load: the queue an interval
/// inherits from the one before (carry-over) is left out, as the Erlang
/// check (`/check`) leaves it out, so the two measure the same thing and
/// differ only by what the formulas cannot see (randomness, the handle-time
/// spread, finite intervals). Replaying real calls carries queues over.
///
/// When intervals have a band, as many replications again draw each
/// interval's volume from it (the law of `staffing::uncertainty`) and give
/// the expected service level and each interval's chance of meeting
/// `options.goal_service_level`.
///
/// Setting `stop` ends it between replications with [`AppError::Stopped`].
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
    // Handle times spread by a CV of 0.5–2 in practice; beyond 10 the
    // lognormal's parameters overflow long before they mean anything.
    if !(options.service_cv.is_finite() && options.service_cv > 0.0 && options.service_cv <= 10.0) {
        return Err(Refusal::OutOfRange {
            field: "service_cv",
            message: format!(
                "service_cv must be above 0 and at most 10, not {}",
                options.service_cv
            ),
        }
        .into());
    }
    let uncertain = plan.iter().any(|p| p.band.is_some());
    let volume: f64 = plan.iter().map(|p| p.volume).sum();
    let passes = (1 + WARM_UP_INTERVALS) as f64 * if uncertain { 2.0 } else { 1.0 };
    let calls = volume * f64::from(options.replications) * passes;
    if calls > MAX_SIMULATED_CALLS {
        return Err(Refusal::TooCostly {
            field: "replications",
            message: format!(
                "replications: {} replications of {volume:.0} calls is {calls:.2e} simulated calls \
                 (warm-up and forecast-uncertainty runs included), more than one request may \
                 ({MAX_SIMULATED_CALLS:.0e}); ask for fewer replications",
                options.replications
            ),
        }
        .into());
    }
    let laws: Vec<Option<ArrivalLaw>> = plan
        .iter()
        .map(|p| p.band.map(ArrivalLaw::from_band))
        .collect();
    let n = plan.len() as u64;
    let mut at_forecast: Vec<Vec<IntervalResult>> = vec![Vec::new(); plan.len()];
    let mut drawn: Vec<Vec<IntervalResult>> = vec![Vec::new(); plan.len()];
    for r in 0..u64::from(options.replications) {
        if stop.load(Ordering::Relaxed) {
            return Err(AppError::Stopped);
        }
        for (i, p) in plan.iter().enumerate() {
            let seed = options.seed.wrapping_add(r.wrapping_mul(n) + i as u64);
            let sim = |volume: f64, seed: u64| {
                alone(p, volume, interval_seconds, target_seconds, options, seed)
            };
            at_forecast[i].push(sim(p.volume, seed)?);
            if let Some(law) = &laws[i] {
                // Another stream: which band rate, and the calls at it.
                let mut rng = ChaCha8Rng::seed_from_u64(seed ^ UNCERTAIN_STREAM);
                let rate = law.rate(rng.gen());
                drawn[i].push(sim(rate, rng.gen())?);
            }
        }
    }
    let goal = options.goal_service_level;
    let meets = |r: &IntervalResult| goal.map(|g| r.offered == 0 || r.service_level >= g - 1e-9);
    let intervals: Vec<SimulatedInterval> = plan
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let draws = &drawn[i];
            let met = draws.iter().filter_map(&meets).filter(|m| *m).count();
            SimulatedInterval {
                start: p.start,
                volume: p.volume,
                open: true,
                result: pool(at_forecast[i].iter()),
                expected_service_level: (!draws.is_empty())
                    .then(|| pool(draws.iter()).service_level),
                goal_probability: (!draws.is_empty() && goal.is_some())
                    .then(|| met as f64 / draws.len() as f64),
            }
        })
        .collect();
    let totals = pool(at_forecast.iter().flatten());
    let under_uncertainty = uncertain.then(|| UncertainTotals {
        expected_service_level: pool(drawn.iter().flatten()).service_level,
        expected_share_meeting_goal: None,
    });
    let mut report = SimulationReport {
        replications: options.replications,
        seed: options.seed,
        intervals,
        totals,
        under_uncertainty,
    };
    report.recount_uncertainty();
    Ok(report)
}

/// Seeds the forecast-uncertainty runs apart from the others.
const UNCERTAIN_STREAM: u64 = 0x5EED_0FB4_4D00;

/// One interval alone: `volume` calls after the warm-up, its head count
/// and handle time throughout.
fn alone(
    p: &PlanInterval,
    volume: f64,
    interval_seconds: f64,
    target_seconds: f64,
    options: &SimulationOptions,
    seed: u64,
) -> Result<IntervalResult, AppError> {
    let span = WARM_UP_INTERVALS + 1;
    let service = if (options.service_cv - 1.0).abs() < 1e-12 {
        Dist::Exponential {
            mean: p.aht_seconds,
        }
    } else {
        Dist::LogNormal {
            mean: p.aht_seconds,
            cv: options.service_cv,
        }
    };
    let input = SimulationInput {
        interval_seconds,
        agents_per_interval: vec![p.agents; span],
        arrivals: ArrivalSource::Poisson {
            volumes: vec![volume; span],
        },
        service,
        patience: options
            .patience_seconds
            .map(|mean| Dist::Exponential { mean }),
        target_seconds,
        seed,
    };
    let mut run = simulate(&input)?;
    Ok(run.intervals.swap_remove(WARM_UP_INTERVALS))
}

impl SimulationReport {
    /// Recomputes the totals under uncertainty over the open intervals.
    fn recount_uncertainty(&mut self) {
        let Some(u) = &mut self.under_uncertainty else {
            return;
        };
        let open: Vec<&SimulatedInterval> = self.intervals.iter().filter(|i| i.open).collect();
        let chances: Vec<f64> = open.iter().filter_map(|i| i.goal_probability).collect();
        u.expected_share_meeting_goal = (!chances.is_empty() && chances.len() == open.len())
            .then(|| chances.iter().sum::<f64>() / chances.len() as f64);
    }
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
    // The calls that reach agents, as the requirements and `/check` count them.
    let share = share_of(
        super::forecast::forecast_run(db, run.forecast_id)?
            .goal
            .offered,
    );
    let forecast: Vec<_> = db
        .forecast_intervals(run.forecast_id)?
        .into_iter()
        .filter(|i| i.start >= run.week_start && i.start < end)
        .map(|i| super::offered::staffed(i.point(), share))
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
                band: (!closed.contains(&i.start)).then_some(VolumeBand {
                    volume: i.volume,
                    p10: i.volume_p10,
                    p90: i.volume_p90,
                }),
            })
        })
        .collect();
    let options = SimulationOptions {
        patience_seconds: options.patience_seconds.or(spec.staffing.patience_seconds),
        goal_service_level: Some(spec.goal.service_level()),
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
    report.recount_uncertainty();
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
                band: None,
            })
            .collect()
    }

    #[test]
    fn too_many_simulated_calls_are_refused_before_any_run() {
        // 24,000 calls a replication, three times (two warm-up intervals):
        // 1,000 replications is 7.2e7 calls.
        let many = SimulationOptions {
            replications: 1000,
            ..SimulationOptions::default()
        };
        match simulate_plan(&busy_day(), 1800.0, 20.0, &many, &AtomicBool::new(false)) {
            Err(AppError::Refused(Refusal::TooCostly { field, message })) => {
                assert_eq!(field, "replications");
                assert!(message.contains("7.20e7"), "{message}");
            }
            other => panic!("expected too_costly, got {other:?}"),
        }
        let few = SimulationOptions {
            replications: 2,
            ..SimulationOptions::default()
        };
        let report = simulate_plan(&busy_day(), 1800.0, 20.0, &few, &AtomicBool::new(false))
            .expect("within the bound");
        let wild = SimulationOptions {
            service_cv: 1.797e308,
            ..few.clone()
        };
        match simulate_plan(&busy_day(), 1800.0, 20.0, &wild, &AtomicBool::new(false)) {
            Err(AppError::Refused(Refusal::OutOfRange { field, .. })) => {
                assert_eq!(field, "service_cv")
            }
            other => panic!("expected service_cv out of range, got {other:?}"),
        }
        assert_eq!((report.replications, report.intervals.len()), (2, 48));
    }

    /// The simulation and the Erlang check agree within a point on a day
    /// whose volume and handle time change by the hour (each measures the
    /// intervals without carry-over), and under forecast uncertainty the
    /// simulation's chance of meeting the goal falls with a wider band.
    #[test]
    fn simulation_agrees_with_the_erlang_check() {
        use crate::simulate::service_of_roster_with;
        use crate::staffing::QueueModel;
        let start: DateTime<Utc> = "2026-02-16T07:00:00Z".parse().expect("a time");
        let plan: Vec<PlanInterval> = (0..20)
            .map(|i| {
                let volume = 60.0 + 15.0 * f64::from(i % 7);
                let aht_seconds = 150.0 + 20.0 * f64::from(i % 4);
                let erlangs = volume * aht_seconds / 1800.0;
                PlanInterval {
                    start: start + chrono::Duration::minutes(30 * i64::from(i)),
                    volume,
                    aht_seconds,
                    agents: (erlangs + 1.5 * erlangs.sqrt()).ceil() as u32,
                    band: None,
                }
            })
            .collect();
        let load: Vec<_> = plan
            .iter()
            .map(|p| (p.start, p.volume, p.aht_seconds))
            .collect();
        let agents: std::collections::HashMap<_, _> =
            plan.iter().map(|p| (p.start, p.agents)).collect();
        let check = service_of_roster_with(
            QueueModel::ErlangC,
            &load,
            |t| agents[&t],
            1800.0,
            20.0,
            0.0,
            0.8,
        );
        let options = SimulationOptions {
            replications: 200,
            goal_service_level: Some(0.8),
            ..SimulationOptions::default()
        };
        let never = AtomicBool::new(false);
        let sim = simulate_plan(&plan, 1800.0, 20.0, &options, &never).expect("simulates");
        let gap = (sim.totals.service_level - check.service_level).abs();
        assert!(
            gap < 0.01,
            "simulated {:.4} vs Erlang {:.4}",
            sim.totals.service_level,
            check.service_level
        );
        let banded = |spread: f64| -> f64 {
            let plan: Vec<PlanInterval> = plan
                .iter()
                .map(|p| PlanInterval {
                    band: Some(VolumeBand {
                        volume: p.volume,
                        p10: p.volume * (1.0 - spread),
                        p90: p.volume * (1.0 + spread),
                    }),
                    ..*p
                })
                .collect();
            let report = simulate_plan(&plan, 1800.0, 20.0, &options, &never).expect("simulates");
            report
                .under_uncertainty
                .and_then(|u| u.expected_share_meeting_goal)
                .expect("a share")
        };
        let (narrow, wide) = (banded(0.02), banded(0.3));
        assert!(wide < narrow, "wide band {wide} vs narrow {narrow}");
    }
}
