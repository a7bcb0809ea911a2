//! How many agents an interval needs: the fewest that meet every goal at once.

use super::erlang::{erlang_b, erlang_b_step, metrics_at, QueueMetrics};
use super::input::{StaffingTarget, Workload};
use crate::domain::ServiceGoal;
use serde::Serialize;

/// Largest head count [`required_agents`] will return (before or after
/// shrinkage); asking for more is a [`StaffingError::TooManyAgents`].
/// It bounds the work done (the search is linear in the answer).
pub const MAX_AGENTS: u32 = 10_000_000;

/// Goals are compared with this slack so a result sitting exactly on a goal
/// (e.g. occupancy 0.7 vs max 0.7) is not lost to floating-point rounding.
const GOAL_TOLERANCE: f64 = 1e-12;

/// Staffing need for one interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Requirement {
    /// Offered load `A = volume·AHT/interval_seconds`, in erlangs.
    pub workload_erlangs: f64,
    /// Fractional head count (for adding queues up before rounding): the
    /// point in `[agents_net − 1, agents_net]` where the goal that fails at
    /// `agents_net − 1` and binds hardest is met, by linear interpolation of
    /// its metric between `agents_net − 1` and `agents_net` (service level,
    /// `1/ASA`, abandon rate or occupancy; see
    /// [`required_agents_for`](super::required_agents_for)). 0 with no work.
    pub agents_raw: f64,
    /// Fewest agents on the phones that meet every goal at once.
    pub agents_net: u32,
    /// `ceil(agents_net / (1 − shrinkage))`: agents to schedule (paid) so that
    /// `agents_net` are actually available.
    pub agents_with_shrinkage: u32,
    /// Erlang C metrics at `agents_net`.
    pub metrics: QueueMetrics,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StaffingError {
    /// An input is out of range; `field` is the parameter name
    /// (`volume`, `interval_seconds`, `aht_seconds`, `shrinkage`, `max_occupancy`,
    /// `goal.service_level()`, `goal.answer_within_seconds()`, `goal.max_asa_seconds()`).
    #[error("{field}: {message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
    /// Meeting the goals would take more than [`MAX_AGENTS`] agents.
    #[error("more than {limit} agents needed: {message}")]
    TooManyAgents { limit: u32, message: String },
}

pub(crate) fn invalid(field: &'static str, message: &str) -> StaffingError {
    StaffingError::InvalidInput {
        field,
        message: message.to_string(),
    }
}

pub(crate) fn too_many(message: String) -> StaffingError {
    StaffingError::TooManyAgents {
        limit: MAX_AGENTS,
        message,
    }
}

/// Fewest agents `n` (Erlang C) such that, at once:
/// - service level `SL(n) ≥ goal.service_level()` at `goal.answer_within_seconds()`;
/// - `ASA(n) ≤ goal.max_asa_seconds()`, if set;
/// - occupancy `A/n ≤ max_occupancy`;
///
/// then `agents_with_shrinkage = ceil(n / (1 − shrinkage))`.
///
/// `goal.max_abandon_rate()` is **ignored**: Erlang C assumes nobody abandons, so
/// its abandonment rate is always 0 and any such cap is trivially met. Use an
/// Erlang A model if abandonment matters.
///
/// `volume` may be fractional (a forecast). No work (`volume = 0`, or a load
/// that rounds to 0) gives 0 agents and idle metrics. Goals are compared with a
/// 1e-12 slack against rounding noise.
///
/// The search starts at `floor(A) + 1` (the first level with a finite queue, at
/// least 1) and walks up one agent at a time, carrying the Erlang B recursion
/// incrementally: `O(n)` work, stable from 0.01 to beyond 10,000 erlangs.
///
/// Errors: [`StaffingError::InvalidInput`] for a negative/NaN/infinite volume,
/// interval ≤ 0, AHT not finite or < 0 (or = 0 with volume > 0), shrinkage
/// outside [0, 1), max occupancy outside (0, 1], a goal service level outside
/// [0, 1) (100% in finite time is impossible), a negative/non-finite answer
/// time, or a max ASA ≤ 0; [`StaffingError::TooManyAgents`] when the answer
/// (or the answer after shrinkage) would exceed [`MAX_AGENTS`].
pub fn required_agents(
    work: &Workload,
    target: &StaffingTarget,
) -> Result<Requirement, StaffingError> {
    erlang_c_requirement(
        work.volume(),
        work.interval_seconds(),
        work.aht_seconds(),
        target.goal(),
        target.max_occupancy(),
        target.shrinkage(),
    )
}

/// [`required_agents`] on plain numbers, for the other models' searches
/// (which derive loads such as chat slots); checks them again.
pub(crate) fn erlang_c_requirement(
    volume: f64,
    interval_seconds: f64,
    aht_seconds: f64,
    goal: &ServiceGoal,
    max_occupancy: f64,
    shrinkage: f64,
) -> Result<Requirement, StaffingError> {
    validate(
        volume,
        interval_seconds,
        aht_seconds,
        goal,
        max_occupancy,
        shrinkage,
    )?;

    let a = volume * aht_seconds / interval_seconds;
    if !a.is_finite() {
        return Err(too_many(format!(
            "workload {volume}·{aht_seconds}/{interval_seconds} overflows"
        )));
    }
    if a == 0.0 {
        return Ok(Requirement {
            workload_erlangs: 0.0,
            agents_raw: 0.0,
            agents_net: 0,
            agents_with_shrinkage: 0,
            metrics: QueueMetrics::IDLE,
        });
    }
    let limit = f64::from(MAX_AGENTS);
    if a >= limit || a / max_occupancy > limit * (1.0 + GOAL_TOLERANCE) {
        return Err(too_many(format!(
            "workload {a} erlangs at max occupancy {max_occupancy}"
        )));
    }

    let target = goal.answer_within_seconds();
    let start = a.floor() as u32; // a < MAX_AGENTS, so this fits
    let mut b = erlang_b(a, start);
    let mut n = start;
    let (agents_net, metrics) = loop {
        n += 1;
        if n > MAX_AGENTS {
            return Err(too_many(format!("goal not met for workload {a} erlangs")));
        }
        b = erlang_b_step(a, n, b);
        if a > max_occupancy * f64::from(n) * (1.0 + GOAL_TOLERANCE) {
            continue;
        }
        let m = metrics_at(a, n, b, target, aht_seconds);
        let sl_ok = m.service_level >= goal.service_level() - GOAL_TOLERANCE;
        let asa_ok = goal
            .max_asa_seconds()
            .is_none_or(|max| m.asa_seconds <= max * (1.0 + GOAL_TOLERANCE));
        if sl_ok && asa_ok {
            break (n, m);
        }
    };

    let paid = ceil_ignoring_noise(f64::from(agents_net) / (1.0 - shrinkage));
    if paid > limit {
        return Err(too_many(format!(
            "{agents_net} agents need {paid} after shrinkage {shrinkage}"
        )));
    }
    let below = if agents_net == 0 {
        None
    } else {
        Some(metrics_at(
            a,
            agents_net - 1,
            erlang_b(a, agents_net - 1),
            target,
            aht_seconds,
        ))
    };
    Ok(Requirement {
        workload_erlangs: a,
        agents_raw: super::model::raw_agents(
            agents_net,
            below.as_ref(),
            &metrics,
            goal,
            max_occupancy,
        ),
        agents_net,
        agents_with_shrinkage: paid as u32,
        metrics,
    })
}

pub(crate) fn validate(
    volume: f64,
    interval_seconds: f64,
    aht_seconds: f64,
    goal: &ServiceGoal,
    max_occupancy: f64,
    shrinkage: f64,
) -> Result<(), StaffingError> {
    // The same checks, in the same order, as building the typed inputs.
    Workload::new(volume, aht_seconds, interval_seconds)?;
    StaffingTarget::new(*goal, max_occupancy, shrinkage)?;
    Ok(())
}

/// The goal's own ranges, as the maths needs them (`ServiceGoal::new` is
/// stricter; this guards goals built any other way).
pub(crate) fn validate_goal(goal: &ServiceGoal) -> Result<(), StaffingError> {
    if !(0.0..1.0).contains(&goal.service_level()) {
        return Err(invalid(
            "goal.service_level",
            "must be at least 0 and below 1 (100% within a finite time needs infinite agents)",
        ));
    }
    if !(goal.answer_within_seconds().is_finite() && goal.answer_within_seconds() >= 0.0) {
        return Err(invalid(
            "goal.answer_within_seconds",
            "must be a finite number, 0 or more",
        ));
    }
    if let Some(asa) = goal.max_asa_seconds() {
        if !(asa.is_finite() && asa > 0.0) {
            return Err(invalid(
                "goal.max_asa_seconds",
                "must be a finite number above 0",
            ));
        }
    }
    Ok(())
}

/// `ceil(x)`, except that a value within rounding noise of a whole number is
/// that number (21 / (1 − 0.3) = 30.000000000000004 → 30, not 31).
pub(crate) fn ceil_ignoring_noise(x: f64) -> f64 {
    let r = x.round();
    if (x - r).abs() <= 1e-9 * r.max(1.0) {
        r
    } else {
        x.ceil()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staffing::erlang_c_metrics;

    /// The entry point with its inputs built from plain numbers (in the
    /// order the tests were written in).
    fn required_agents(
        volume: f64,
        interval_seconds: f64,
        aht_seconds: f64,
        goal: &ServiceGoal,
        max_occupancy: f64,
        shrinkage: f64,
    ) -> Result<Requirement, StaffingError> {
        super::required_agents(
            &Workload::new(volume, aht_seconds, interval_seconds)?,
            &StaffingTarget::new(*goal, max_occupancy, shrinkage)?,
        )
    }

    fn goal(sl: f64, within: f64) -> ServiceGoal {
        ServiceGoal::unchecked(sl, within, None, None)
    }

    fn close(got: f64, want: f64, tol: f64) -> bool {
        (got - want).abs() <= tol
    }

    /// pyworkforce tests: 100 contacts / 30 min, AHT 3 min, 80% in 20 s, max occupancy 85%.
    #[test]
    fn pyworkforce_example() {
        let r = required_agents(100.0, 1800.0, 180.0, &goal(0.8, 20.0), 0.85, 0.3).unwrap();
        assert_eq!(r.workload_erlangs, 10.0);
        assert_eq!(r.agents_net, 14);
        assert_eq!(r.agents_with_shrinkage, 20);
        // Published values (3 decimals).
        assert!(close(r.metrics.service_level, 0.888, 5e-4), "{r:?}");
        assert!(close(r.metrics.occupancy, 0.714, 5e-4), "{r:?}");
        assert!(close(r.metrics.prob_wait, 0.174, 5e-4), "{r:?}");
        // High-precision values at exactly 20 s (SOURCE.md: 0.174132 / 0.888350).
        assert!(close(r.metrics.service_level, 0.888350, 1e-6), "{r:?}");
        assert!(close(r.metrics.prob_wait, 0.174132, 1e-6), "{r:?}");
        assert!(close(r.metrics.occupancy, 10.0 / 14.0, 1e-15), "{r:?}");
        assert_eq!(r.metrics.prob_abandon, 0.0);

        // pyworkforce literally uses 0.33 min = 19.8 s; published_examples.csv
        // recomputes SL = 0.887853 for that.
        let r = required_agents(100.0, 1800.0, 180.0, &goal(0.8, 19.8), 0.85, 0.3).unwrap();
        assert_eq!((r.agents_net, r.agents_with_shrinkage), (14, 20));
        assert!(close(r.metrics.service_level, 0.887853, 1e-6), "{r:?}");
    }

    /// pyworkforce test_over_occupancy_erlangc: same, max occupancy 70%.
    #[test]
    fn pyworkforce_over_occupancy_example() {
        let r = required_agents(100.0, 1800.0, 180.0, &goal(0.8, 20.0), 0.70, 0.3).unwrap();
        assert_eq!(r.agents_net, 15);
        assert_eq!(r.agents_with_shrinkage, 22);
        assert!(close(r.metrics.service_level, 0.941, 5e-4), "{r:?}");
        assert!(close(r.metrics.prob_wait, 0.102042, 1e-6), "{r:?}");
        assert!(close(r.metrics.occupancy, 0.666667, 1e-6), "{r:?}");
        // At pyworkforce's literal 0.33 min = 19.8 s (published_examples.csv: 0.941127).
        let r = required_agents(100.0, 1800.0, 180.0, &goal(0.8, 19.8), 0.70, 0.3).unwrap();
        assert_eq!((r.agents_net, r.agents_with_shrinkage), (15, 22));
        assert!(close(r.metrics.service_level, 0.941127, 1e-6), "{r:?}");
    }

    /// call-center-tools README: 1000 calls/h, AHT 120 s, 80% in 20 s, occ 85%, shrinkage 30%.
    #[test]
    fn call_center_tools_example() {
        let r = required_agents(1000.0, 3600.0, 120.0, &goal(0.8, 20.0), 0.85, 0.3).unwrap();
        assert!(close(r.workload_erlangs, 100.0 / 3.0, 1e-12));
        assert_eq!(r.agents_net, 40);
        assert_eq!(r.agents_with_shrinkage, 58);
        assert!(close(r.metrics.asa_seconds, 3.43, 5e-3), "{r:?}");
        assert!(close(r.metrics.asa_seconds, 3.4333, 1e-4), "{r:?}");
        assert!(close(r.metrics.prob_wait, 0.190737, 1e-6), "{r:?}");
        assert!(close(r.metrics.service_level, 0.937211, 1e-6), "{r:?}");
        assert!(close(r.metrics.occupancy, 0.833333, 1e-6), "{r:?}");
    }

    #[test]
    fn result_is_the_fewest_agents_meeting_every_goal() {
        let goals = [
            goal(0.8, 20.0),
            goal(0.9, 10.0),
            goal(0.5, 0.0),
            ServiceGoal::unchecked(0.7, 30.0, Some(15.0), None),
        ];
        for volume in [0.1, 1.0, 3.0, 17.0, 85.0, 100.0, 333.3, 1000.0, 4321.0] {
            for g in &goals {
                for max_occ in [1.0, 0.85, 0.6] {
                    let r = required_agents(volume, 1800.0, 180.0, g, max_occ, 0.25).unwrap();
                    let meets = |n: u32| {
                        let m =
                            erlang_c_metrics(volume, 1800.0, 180.0, n, g.answer_within_seconds());
                        m.service_level >= g.service_level()
                            && g.max_asa_seconds().is_none_or(|x| m.asa_seconds <= x)
                            && r.workload_erlangs <= max_occ * f64::from(n)
                    };
                    let ctx = format!("volume {volume} goal {g:?} max_occ {max_occ}: {r:?}");
                    assert!(r.agents_net >= 1, "{ctx}");
                    assert!(meets(r.agents_net), "{ctx}");
                    assert!(!meets(r.agents_net - 1), "one fewer also meets: {ctx}");
                    // Metrics carried by the incremental search equal a fresh computation.
                    let fresh = erlang_c_metrics(
                        volume,
                        1800.0,
                        180.0,
                        r.agents_net,
                        g.answer_within_seconds(),
                    );
                    for (x, y) in [
                        (r.metrics.prob_wait, fresh.prob_wait),
                        (r.metrics.service_level, fresh.service_level),
                        (r.metrics.asa_seconds, fresh.asa_seconds),
                        (r.metrics.occupancy, fresh.occupancy),
                    ] {
                        assert!(close(x, y, 1e-12), "{ctx} vs {fresh:?}");
                    }
                }
            }
        }
    }

    /// A = 0.6: one agent gives SL(0 s) = 1 − 0.6 = 0.4 ≥ 0.3. A search starting
    /// at round(A + 1) = 2 (pyworkforce) would overstaff.
    #[test]
    fn search_starts_at_floor_plus_one() {
        let r = required_agents(6.0, 1800.0, 180.0, &goal(0.3, 0.0), 1.0, 0.0).unwrap();
        assert!(close(r.workload_erlangs, 0.6, 1e-15));
        assert_eq!(r.agents_net, 1);
        assert_eq!(r.agents_with_shrinkage, 1);
        assert!(close(r.metrics.service_level, 0.4, 1e-12), "{r:?}");
        // Integer load: c = A has an infinite queue, so the first candidate is A + 1.
        let r = required_agents(100.0, 1800.0, 180.0, &goal(0.0, 0.0), 1.0, 0.0).unwrap();
        assert_eq!(r.agents_net, 11);
    }

    #[test]
    fn max_asa_binds_when_stricter_than_service_level() {
        let sl_only = required_agents(100.0, 1800.0, 180.0, &goal(0.8, 20.0), 0.85, 0.3).unwrap();
        assert_eq!(sl_only.agents_net, 14);
        assert!(sl_only.metrics.asa_seconds > 5.0, "{sl_only:?}"); // ≈ 7.84 s

        let strict = ServiceGoal::unchecked(0.8, 20.0, Some(5.0), None);
        let r = required_agents(100.0, 1800.0, 180.0, &strict, 0.85, 0.3).unwrap();
        assert_eq!(r.agents_net, 15);
        assert_eq!(r.agents_with_shrinkage, 22);
        assert!(r.metrics.asa_seconds <= 5.0, "{r:?}");

        let loose = ServiceGoal::unchecked(0.8, 20.0, Some(60.0), None);
        let r = required_agents(100.0, 1800.0, 180.0, &loose, 0.85, 0.3).unwrap();
        assert_eq!(r.agents_net, 14);
    }

    #[test]
    fn max_abandon_rate_is_ignored_by_erlang_c() {
        let with_cap = ServiceGoal::unchecked(0.8, 20.0, None, Some(0.001));
        let a = required_agents(100.0, 1800.0, 180.0, &with_cap, 0.85, 0.3).unwrap();
        let b = required_agents(100.0, 1800.0, 180.0, &goal(0.8, 20.0), 0.85, 0.3).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn no_volume_needs_no_agents() {
        for aht in [180.0, 0.0] {
            let r = required_agents(0.0, 900.0, aht, &goal(0.8, 20.0), 0.85, 0.3).unwrap();
            assert_eq!(r.agents_net, 0);
            assert_eq!(r.agents_with_shrinkage, 0);
            assert_eq!(r.workload_erlangs, 0.0);
            assert_eq!(r.metrics, QueueMetrics::IDLE);
        }
    }

    #[test]
    fn shrinkage_rounding_ignores_float_noise() {
        assert_eq!(21.0 / (1.0 - 0.3), 30.000000000000004); // the trap
        assert_eq!(ceil_ignoring_noise(21.0 / (1.0 - 0.3)), 30.0);
        assert_eq!(ceil_ignoring_noise(41.0 / (1.0 - 0.18)), 50.0); // 49.99999999999999
        assert_eq!(ceil_ignoring_noise(14.0 / (1.0 - 0.3)), 20.0);
        assert_eq!(ceil_ignoring_noise(10.0 / 0.9), 12.0);
        assert_eq!(ceil_ignoring_noise(20.01), 21.0);
        assert_eq!(ceil_ignoring_noise(0.0), 0.0);
        assert_eq!(ceil_ignoring_noise(0.4), 1.0);

        // End to end, against exact integer arithmetic: shrinkage 0.3 = 3/10, so
        // paid = ceil(10·n / 7). The sweep must pass through n = 21 and n = 42.
        let mut seen = Vec::new();
        for volume in 1..=400 {
            let r = required_agents(
                f64::from(volume),
                1800.0,
                180.0,
                &goal(0.8, 20.0),
                0.85,
                0.3,
            )
            .unwrap();
            assert_eq!(
                r.agents_with_shrinkage,
                (10 * r.agents_net).div_ceil(7),
                "{r:?}"
            );
            seen.push(r.agents_net);
        }
        assert!(seen.contains(&21) && seen.contains(&42), "{seen:?}");
    }

    #[test]
    fn stable_from_tiny_to_huge_workloads() {
        for erlangs in [0.01, 1.0, 100.0, 1000.0, 10_000.0] {
            let volume = erlangs * 1800.0 / 180.0;
            let r = required_agents(volume, 1800.0, 180.0, &goal(0.8, 20.0), 0.95, 0.3).unwrap();
            let m = r.metrics;
            assert!(close(r.workload_erlangs, erlangs, 1e-9 * erlangs), "{r:?}");
            assert!(f64::from(r.agents_net) > erlangs, "{r:?}");
            for x in [m.prob_wait, m.service_level, m.asa_seconds, m.occupancy] {
                assert!(x.is_finite() && x >= 0.0, "{r:?}");
            }
            assert!(m.service_level >= 0.8 && m.occupancy <= 0.95, "{r:?}");
            assert!(r.agents_with_shrinkage >= r.agents_net);
        }
        // 10,000 erlangs, occupancy uncapped: well above A, but not absurdly so.
        let r = required_agents(100_000.0, 1800.0, 180.0, &goal(0.8, 20.0), 1.0, 0.0).unwrap();
        assert!(r.agents_net > 10_000 && r.agents_net < 10_200, "{r:?}");
        assert!(r.metrics.service_level >= 0.8);
    }

    fn field_of(e: StaffingError) -> &'static str {
        match e {
            StaffingError::InvalidInput { field, .. } => field,
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn invalid_inputs_are_rejected_with_the_field_name() {
        let g = goal(0.8, 20.0);
        let run = |v, i, aht, g: &ServiceGoal, occ, s| {
            required_agents(v, i, aht, g, occ, s).map_err(field_of)
        };
        assert_eq!(run(-1.0, 1800.0, 180.0, &g, 0.85, 0.3), Err("volume"));
        assert_eq!(run(f64::NAN, 1800.0, 180.0, &g, 0.85, 0.3), Err("volume"));
        assert_eq!(
            run(f64::INFINITY, 1800.0, 180.0, &g, 0.85, 0.3),
            Err("volume")
        );
        assert_eq!(
            run(100.0, 0.0, 180.0, &g, 0.85, 0.3),
            Err("interval_seconds")
        );
        assert_eq!(
            run(100.0, -900.0, 180.0, &g, 0.85, 0.3),
            Err("interval_seconds")
        );
        assert_eq!(run(100.0, 1800.0, 0.0, &g, 0.85, 0.3), Err("aht_seconds"));
        assert_eq!(run(100.0, 1800.0, -5.0, &g, 0.85, 0.3), Err("aht_seconds"));
        assert_eq!(
            run(100.0, 1800.0, f64::NAN, &g, 0.85, 0.3),
            Err("aht_seconds")
        );
        assert_eq!(run(100.0, 1800.0, 180.0, &g, 0.85, 1.0), Err("shrinkage"));
        assert_eq!(run(100.0, 1800.0, 180.0, &g, 0.85, -0.1), Err("shrinkage"));
        assert_eq!(
            run(100.0, 1800.0, 180.0, &g, 0.85, f64::NAN),
            Err("shrinkage")
        );
        assert_eq!(
            run(100.0, 1800.0, 180.0, &g, 0.0, 0.3),
            Err("max_occupancy")
        );
        assert_eq!(
            run(100.0, 1800.0, 180.0, &g, 1.01, 0.3),
            Err("max_occupancy")
        );
        assert_eq!(
            run(100.0, 1800.0, 180.0, &g, f64::NAN, 0.3),
            Err("max_occupancy")
        );
        assert_eq!(
            run(100.0, 1800.0, 180.0, &goal(1.0, 20.0), 0.85, 0.3),
            Err("goal.service_level")
        );
        assert_eq!(
            run(100.0, 1800.0, 180.0, &goal(-0.1, 20.0), 0.85, 0.3),
            Err("goal.service_level")
        );
        assert_eq!(
            run(100.0, 1800.0, 180.0, &goal(f64::NAN, 20.0), 0.85, 0.3),
            Err("goal.service_level")
        );
        assert_eq!(
            run(100.0, 1800.0, 180.0, &goal(0.8, -1.0), 0.85, 0.3),
            Err("goal.answer_within_seconds")
        );
        let zero_asa = ServiceGoal::unchecked(0.8, 20.0, Some(0.0), None);
        assert_eq!(
            run(100.0, 1800.0, 180.0, &zero_asa, 0.85, 0.3),
            Err("goal.max_asa_seconds")
        );
        // Validation happens even when there is no volume.
        assert_eq!(run(0.0, 1800.0, 180.0, &g, 0.85, 1.5), Err("shrinkage"));
        // The error message names the field.
        let e = required_agents(-1.0, 1800.0, 180.0, &g, 0.85, 0.3).unwrap_err();
        assert!(e.to_string().starts_with("volume: "), "{e}");
    }

    #[test]
    fn impossible_head_counts_are_errors_not_hangs() {
        let g = goal(0.8, 20.0);
        let too_many = |r: Result<Requirement, StaffingError>| {
            matches!(
                r,
                Err(StaffingError::TooManyAgents {
                    limit: MAX_AGENTS,
                    ..
                })
            )
        };
        // Workload beyond the cap.
        assert!(too_many(required_agents(
            1e12, 1800.0, 180.0, &g, 0.85, 0.3
        )));
        // Overflowing workload.
        assert!(too_many(required_agents(
            1e300, 1e-300, 1e300, &g, 0.85, 0.3
        )));
        // A tiny occupancy cap forces more than MAX_AGENTS.
        assert!(too_many(required_agents(
            100.0, 1800.0, 180.0, &g, 1e-9, 0.3
        )));
        // Shrinkage so close to 1 that the paid head count explodes.
        assert!(too_many(required_agents(
            100.0,
            1800.0,
            180.0,
            &g,
            0.85,
            1.0 - 1e-9
        )));
    }
}
