//! One entry point for every queue model: metrics at a head count
//! ([`queue_metrics`]) and the inverse, the fewest agents meeting every goal
//! ([`required_agents_for`]).

use super::erlang::{erlang_b_step, QueueMetrics};
use super::erlang_a::erlang_a_at;
use super::input::{StaffingTarget, Workload};
use super::requirement::{
    ceil_ignoring_noise, erlang_c_requirement, invalid, too_many, validate, Requirement,
    StaffingError, MAX_AGENTS,
};
use crate::domain::ServiceGoal;
use serde::{Deserialize, Serialize};

/// Same slack as [`required_agents`]: goals are met "up to rounding noise".
const GOAL_TOLERANCE: f64 = 1e-12;

/// Which queueing model turns load and agents into service.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum QueueModel {
    /// M/M/c: nobody hangs up ([`erlang_c_metrics`](super::erlang_c_metrics)).
    ErlangC,
    /// M/M/c+M: waiting callers hang up after an exponential patience of this
    /// mean ([`erlang_a_metrics`](super::erlang_a_metrics)). An infinite
    /// patience is Erlang C.
    ErlangA { patience_seconds: f64 },
}

/// Metrics at `agents` for `volume` contacts in `interval_seconds` of
/// `aht_seconds` each, service level at `target_seconds`, under `model`.
///
/// Erlang C: see [`erlang_c_metrics`](super::erlang_c_metrics). Erlang A: see
/// [`erlang_a_metrics`](super::erlang_a_metrics) (`asa_seconds` is then the
/// mean wait over all arrivals, answered or not; `prob_abandon` is filled).
/// Inputs are not validated.
pub fn queue_metrics(
    model: QueueModel,
    volume: f64,
    interval_seconds: f64,
    aht_seconds: f64,
    agents: u32,
    target_seconds: f64,
) -> QueueMetrics {
    match model {
        QueueModel::ErlangC => super::erlang_c_metrics(
            volume,
            interval_seconds,
            aht_seconds,
            agents,
            target_seconds,
        ),
        QueueModel::ErlangA { patience_seconds } => super::erlang_a_metrics(
            volume,
            interval_seconds,
            aht_seconds,
            patience_seconds,
            agents,
            target_seconds,
        ),
    }
}

/// Fewest agents meeting every goal at once under `model`:
/// - service level (answered within `goal.answer_within_seconds()`, over all
///   offered contacts) `≥ goal.service_level()`;
/// - ASA `≤ goal.max_asa_seconds()` if set (Erlang A: mean wait over all
///   arrivals);
/// - abandon rate `≤ goal.max_abandon_rate()` if set (always met by Erlang C,
///   where nobody abandons);
/// - occupancy `≤ max_occupancy`;
///
/// then `agents_with_shrinkage = ceil(agents_net / (1 − shrinkage))`.
///
/// **Raw (fractional) agents** — for summing queues before rounding.
/// `agents_raw ∈ [n − 1, n]` with `n = agents_net`: for each goal that fails
/// at `n − 1`, interpolate its metric linearly between `n − 1` and `n` and take
/// where it reaches the goal (service level, `1/ASA` so an infinite ASA is 0,
/// abandon rate, occupancy); `agents_raw = n − 1 + max` of those fractions.
/// At 0 agents the metrics are taken as SL 0, ASA ∞, abandon 1, occupancy 1.
///
/// **Search.** Erlang C uses [`required_agents`](super::required_agents) (walk up from `floor(A)+1`).
/// Erlang A allows `c < A`; since answered work cannot exceed capacity, SL ≤
/// c/A, so nothing below `max(1, floor(SL_goal·A))` is tried. The search
/// gallops from the Erlang C head count (down or up by 1, 2, 4, …) to
/// bracket the fewest agents meeting every goal, then bisects, assuming every metric is monotone in the head count (true for M/M/c+M).
/// `O(log n)` Erlang A evaluations of `O(queue length)` each.
///
/// Errors: as [`required_agents`](super::required_agents), plus `goal.max_abandon_rate()` outside
/// [0, 1] and a patience that is not > 0 (field `patience_seconds`).
pub fn required_agents_for(
    model: QueueModel,
    work: &Workload,
    target: &StaffingTarget,
) -> Result<Requirement, StaffingError> {
    requirement_for(
        model,
        work.volume(),
        work.interval_seconds(),
        work.aht_seconds(),
        target.goal(),
        target.max_occupancy(),
        target.shrinkage(),
    )
}

/// [`required_agents_for`] on plain numbers (chat derives its slot load).
pub(crate) fn requirement_for(
    model: QueueModel,
    volume: f64,
    interval_seconds: f64,
    aht_seconds: f64,
    goal: &ServiceGoal,
    max_occupancy: f64,
    shrinkage: f64,
) -> Result<Requirement, StaffingError> {
    if let Some(x) = goal.max_abandon_rate() {
        if !(0.0..=1.0).contains(&x) {
            return Err(invalid("goal.max_abandon_rate", "must be between 0 and 1"));
        }
    }
    let patience = match model {
        QueueModel::ErlangC => None,
        QueueModel::ErlangA { patience_seconds } => {
            if patience_seconds.is_nan() || patience_seconds <= 0.0 {
                return Err(invalid("patience_seconds", "must be above 0"));
            }
            patience_seconds.is_finite().then_some(patience_seconds)
        }
    };
    let Some(patience) = patience else {
        return erlang_c_requirement(
            volume,
            interval_seconds,
            aht_seconds,
            goal,
            max_occupancy,
            shrinkage,
        );
    };
    validate(
        volume,
        interval_seconds,
        aht_seconds,
        goal,
        max_occupancy,
        shrinkage,
    )?;
    let a = volume * aht_seconds / interval_seconds;
    if !a.is_finite() || a >= f64::from(MAX_AGENTS) {
        return Err(too_many(format!("workload {a} erlangs")));
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
    let theta = aht_seconds / patience;
    let t = goal.answer_within_seconds() / aht_seconds;
    let eval = |n: u32, b: f64| erlang_a_at(a, n, b, theta, t).scaled(aht_seconds);
    let meets = |m: &QueueMetrics| meets_goal(m, goal, max_occupancy);

    // Fewer than SL·A agents cannot answer an SL share of the calls.
    let floor_n = ((goal.service_level() * a).floor() as u32).max(1);
    // Hint: the Erlang C head count (cheap); Erlang A's is usually at or a
    // little below it. Any start works: the search below is exact.
    let hint = erlang_c_requirement(
        volume,
        interval_seconds,
        aht_seconds,
        &goal.without_abandon_cap(),
        max_occupancy,
        0.0,
    )
    .map_or(floor_n, |r| r.agents_net)
    .max(floor_n);
    // B(a, n) for n = 0, 1, …, extended on demand: one recursion in all.
    let mut b_table: Vec<f64> = vec![1.0];
    let mut eval_n = |n: u32| {
        while b_table.len() <= n as usize {
            let k = b_table.len() as u32;
            let prev = b_table[b_table.len() - 1];
            b_table.push(erlang_b_step(a, k, prev));
        }
        eval(n, b_table[n as usize])
    };
    // Invariant: `hi` meets every goal; `lo < hi` fails (lo = floor_n − 1 is
    // known to fail without evaluating, then m_lo = None).
    let m_hint = eval_n(hint);
    let (mut lo, mut m_lo, mut hi, mut m_hi);
    if meets(&m_hint) {
        (hi, m_hi) = (hint, m_hint);
        let mut step = 1u32;
        loop {
            if hi == floor_n {
                (lo, m_lo) = (floor_n - 1, None);
                break;
            }
            let cand = hi.saturating_sub(step).max(floor_n);
            let m = eval_n(cand);
            if meets(&m) {
                (hi, m_hi) = (cand, m);
                step = step.saturating_mul(2);
            } else {
                (lo, m_lo) = (cand, Some(m));
                break;
            }
        }
    } else {
        (lo, m_lo) = (hint, Some(m_hint));
        let mut step = 1u32;
        loop {
            let Some(cand) = lo.checked_add(step).filter(|&h| h <= MAX_AGENTS) else {
                return Err(too_many(format!("goal not met for workload {a} erlangs")));
            };
            let m = eval_n(cand);
            if meets(&m) {
                (hi, m_hi) = (cand, m);
                break;
            }
            (lo, m_lo) = (cand, Some(m));
            step = step.saturating_mul(2);
        }
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let m = eval_n(mid);
        if meets(&m) {
            (hi, m_hi) = (mid, m);
        } else {
            (lo, m_lo) = (mid, Some(m));
        }
    }
    let (agents_net, metrics) = (hi, m_hi);
    let below = m_lo.unwrap_or_else(|| eval_n(lo));
    let paid = ceil_ignoring_noise(f64::from(agents_net) / (1.0 - shrinkage));
    if paid > f64::from(MAX_AGENTS) {
        return Err(too_many(format!(
            "{agents_net} agents need {paid} after shrinkage {shrinkage}"
        )));
    }
    Ok(Requirement {
        workload_erlangs: a,
        agents_raw: raw_agents(agents_net, Some(&below), &metrics, goal, max_occupancy),
        agents_net,
        agents_with_shrinkage: paid as u32,
        metrics,
    })
}

pub(crate) fn meets_goal(m: &QueueMetrics, goal: &ServiceGoal, max_occupancy: f64) -> bool {
    m.service_level >= goal.service_level() - GOAL_TOLERANCE
        && goal
            .max_asa_seconds()
            .is_none_or(|x| m.asa_seconds <= x * (1.0 + GOAL_TOLERANCE))
        && goal
            .max_abandon_rate()
            .is_none_or(|x| m.prob_abandon <= x + GOAL_TOLERANCE)
        && m.occupancy <= max_occupancy * (1.0 + GOAL_TOLERANCE)
}

/// The fractional head count described on [`required_agents_for`]: `below` is
/// the metrics at `n − 1` (None when `n = 0`), `at` those at `n`.
pub(crate) fn raw_agents(
    n: u32,
    below: Option<&QueueMetrics>,
    at: &QueueMetrics,
    goal: &ServiceGoal,
    max_occupancy: f64,
) -> f64 {
    let Some(below) = below else {
        return 0.0;
    };
    let base = f64::from(n) - 1.0;
    // At 0 agents nothing is answered.
    let below = if n == 1 {
        QueueMetrics {
            prob_wait: 1.0,
            service_level: 0.0,
            asa_seconds: f64::INFINITY,
            occupancy: 1.0,
            prob_abandon: if at.prob_abandon > 0.0 { 1.0 } else { 0.0 },
        }
    } else {
        *below
    };
    // Fraction of the way from `lo` to `hi` where the metric reaches `goal`,
    // if `lo` misses it ("higher is better" metrics).
    let frac_up = |lo: f64, hi: f64, target: f64| -> f64 {
        if lo >= target || hi <= lo {
            0.0
        } else {
            ((target - lo) / (hi - lo)).clamp(0.0, 1.0)
        }
    };
    let mut x = frac_up(below.service_level, at.service_level, goal.service_level());
    if let Some(max_asa) = goal.max_asa_seconds() {
        let inv = |w: f64| if w > 0.0 { 1.0 / w } else { f64::INFINITY };
        let (lo, hi) = (inv(below.asa_seconds), inv(at.asa_seconds));
        if hi.is_infinite() {
            // ASA 0 at n: reached somewhere in the step; take the whole step
            // only if n − 1 misses.
            if lo < 1.0 / max_asa {
                x = x.max(1.0);
            }
        } else {
            x = x.max(frac_up(lo, hi, 1.0 / max_asa));
        }
    }
    if let Some(max_ab) = goal.max_abandon_rate() {
        x = x.max(frac_up(-below.prob_abandon, -at.prob_abandon, -max_ab));
    }
    x = x.max(frac_up(-below.occupancy, -at.occupancy, -max_occupancy));
    base + x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entry points with their inputs built from plain numbers (in the
    /// order the tests were written in).
    fn required_agents_for(
        model: QueueModel,
        volume: f64,
        interval_seconds: f64,
        aht_seconds: f64,
        goal: &ServiceGoal,
        max_occupancy: f64,
        shrinkage: f64,
    ) -> Result<Requirement, StaffingError> {
        super::required_agents_for(
            model,
            &Workload::new(volume, aht_seconds, interval_seconds)?,
            &StaffingTarget::new(*goal, max_occupancy, shrinkage)?,
        )
    }

    fn required_agents(
        volume: f64,
        interval_seconds: f64,
        aht_seconds: f64,
        goal: &ServiceGoal,
        max_occupancy: f64,
        shrinkage: f64,
    ) -> Result<Requirement, StaffingError> {
        crate::staffing::required_agents(
            &Workload::new(volume, aht_seconds, interval_seconds)?,
            &StaffingTarget::new(*goal, max_occupancy, shrinkage)?,
        )
    }

    fn goal(sl: f64, within: f64) -> ServiceGoal {
        ServiceGoal::unchecked(sl, within, None, None)
    }

    #[test]
    fn erlang_c_model_is_required_agents() {
        let g = goal(0.8, 20.0);
        for v in [1.0, 100.0, 1234.5] {
            let a = required_agents_for(QueueModel::ErlangC, v, 1800.0, 180.0, &g, 0.85, 0.3);
            assert_eq!(a, required_agents(v, 1800.0, 180.0, &g, 0.85, 0.3));
            let inf = QueueModel::ErlangA {
                patience_seconds: f64::INFINITY,
            };
            assert_eq!(required_agents_for(inf, v, 1800.0, 180.0, &g, 0.85, 0.3), a);
        }
        // pyworkforce: 14 agents, raw between 13 and 14.
        let r = required_agents(100.0, 1800.0, 180.0, &g, 0.85, 0.3).unwrap();
        assert!(r.agents_raw > 13.0 && r.agents_raw <= 14.0, "{r:?}");
    }

    #[test]
    fn erlang_a_result_is_the_fewest_agents_meeting_every_goal() {
        let goals = [
            goal(0.8, 20.0),
            goal(0.9, 10.0),
            goal(0.5, 0.0),
            ServiceGoal::unchecked(0.7, 30.0, Some(15.0), None),
            ServiceGoal::unchecked(0.6, 60.0, None, Some(0.01)),
        ];
        for volume in [0.1, 3.0, 17.0, 100.0, 333.3, 1000.0, 4321.0] {
            for patience in [30.0, 300.0, 3000.0] {
                let model = QueueModel::ErlangA {
                    patience_seconds: patience,
                };
                for g in &goals {
                    for max_occ in [1.0, 0.85] {
                        let r = required_agents_for(model, volume, 1800.0, 180.0, g, max_occ, 0.25)
                            .unwrap();
                        let m = |n| {
                            queue_metrics(
                                model,
                                volume,
                                1800.0,
                                180.0,
                                n,
                                g.answer_within_seconds(),
                            )
                        };
                        let ctx = format!("v {volume} p {patience} {g:?} occ {max_occ}: {r:?}");
                        assert!(r.agents_net >= 1, "{ctx}");
                        assert!(meets_goal(&m(r.agents_net), g, max_occ), "{ctx}");
                        assert_eq!(m(r.agents_net), r.metrics, "{ctx}");
                        if r.agents_net > 1 {
                            assert!(!meets_goal(&m(r.agents_net - 1), g, max_occ), "{ctx}");
                        }
                        assert!(
                            r.agents_raw > f64::from(r.agents_net) - 1.0
                                && r.agents_raw <= f64::from(r.agents_net),
                            "{ctx}"
                        );
                        // Abandonment only helps: never more than Erlang C for SL-only goals.
                        if g.max_asa_seconds().is_none()
                            && g.max_abandon_rate().is_none()
                            && patience >= 300.0
                        {
                            let c =
                                required_agents(volume, 1800.0, 180.0, g, max_occ, 0.25).unwrap();
                            assert!(r.agents_net <= c.agents_net + 1, "{ctx} vs {c:?}");
                        }
                    }
                }
            }
        }
    }

    /// The remaining rows of tests/data/erlang-reference/published_examples.csv
    /// (values printed to 6 significant digits there).
    #[test]
    fn published_examples_through_queue_metrics() {
        use crate::staffing::{erlang_b, erlang_c};
        let close = |x: f64, y: f64, tol: f64| (x - y).abs() <= tol;
        assert!(close(erlang_b(123.0, 132), 0.031243, 5e-7));
        assert!(close(erlang_c(123.0, 132), 0.3211161792617074, 1e-12));
        // call-center-tools docstrings: A = 123, c = 130, AHT 300 s, 20 s.
        let m = queue_metrics(QueueModel::ErlangC, 123.0, 300.0, 300.0, 130, 20.0);
        assert!(close(m.prob_wait, 0.424381, 5e-7), "{m:?}");
        assert!(close(m.service_level, 0.733875, 5e-7), "{m:?}");
        assert!(close(m.asa_seconds, 18.1877, 5e-5), "{m:?}");
        // Westbay worked example: 360 calls / 30 min, AHT 240 s, 55 agents, 15 s.
        let m = queue_metrics(QueueModel::ErlangC, 360.0, 1800.0, 240.0, 55, 15.0);
        assert!(close(m.prob_wait, 0.238701, 5e-7), "{m:?}");
        assert!(close(m.service_level, 0.845883, 5e-7), "{m:?}");
        assert!(close(m.asa_seconds, 8.1840, 5e-5), "{m:?}");
        assert!(close(m.occupancy, 0.872727, 5e-7), "{m:?}");
        // call-center-tools README at 35 agents: 1000 calls/h, AHT 120 s, 20 s.
        let m = queue_metrics(QueueModel::ErlangC, 1000.0, 3600.0, 120.0, 35, 20.0);
        assert!(close(m.prob_wait, 0.696513, 5e-7), "{m:?}");
        assert!(close(m.service_level, 0.472416, 5e-7), "{m:?}");
        assert!(close(m.asa_seconds, 50.149, 5e-4), "{m:?}");
        assert!(close(m.occupancy, 0.952381, 5e-7), "{m:?}");
        // pyworkforce Erlang A snapshot through the model switch.
        let a = QueueModel::ErlangA {
            patience_seconds: 300.0,
        };
        let m = queue_metrics(a, 100.0, 1800.0, 180.0, 14, 20.0);
        assert!(close(m.service_level, 0.916792, 5e-7), "{m:?}");
        assert!(close(m.prob_abandon, 0.013984, 5e-7), "{m:?}");
    }

    #[test]
    fn raw_agents_interpolates_service_level() {
        // Hand-made metrics: SL 0.7 at 9, 0.9 at 10, goal 0.8 → 9.5.
        let m = |sl| QueueMetrics {
            prob_wait: 0.5,
            service_level: sl,
            asa_seconds: 10.0,
            occupancy: 0.5,
            prob_abandon: 0.0,
        };
        let raw = raw_agents(10, Some(&m(0.7)), &m(0.9), &goal(0.8, 20.0), 0.85);
        assert!((raw - 9.5).abs() < 1e-12, "{raw}");
        // Occupancy binding: 0.9 at 9, 0.8 at 10, cap 0.85 → 9.5.
        let o = |occ| QueueMetrics {
            occupancy: occ,
            ..m(0.95)
        };
        let raw = raw_agents(10, Some(&o(0.9)), &o(0.8), &goal(0.8, 20.0), 0.85);
        assert!((raw - 9.5).abs() < 1e-12, "{raw}");
    }

    #[test]
    fn erlang_a_huge_load_and_validation() {
        let model = QueueModel::ErlangA {
            patience_seconds: 120.0,
        };
        let r = required_agents_for(model, 100_000.0, 1800.0, 180.0, &goal(0.8, 20.0), 1.0, 0.0)
            .unwrap();
        // Patience (120 s) below the AHT: heavy abandonment lets c < A meet 80/20.
        assert!(r.agents_net > 8_000 && r.agents_net < 10_200, "{r:?}");
        assert!(
            r.metrics.prob_abandon > 0.1 && r.metrics.prob_abandon < 0.2,
            "{r:?}"
        );
        assert!(r.metrics.service_level >= 0.8);
        let bad = QueueModel::ErlangA {
            patience_seconds: 0.0,
        };
        assert!(matches!(
            required_agents_for(bad, 1.0, 1800.0, 180.0, &goal(0.8, 20.0), 1.0, 0.0),
            Err(StaffingError::InvalidInput {
                field: "patience_seconds",
                ..
            })
        ));
        let g = ServiceGoal::unchecked(0.8, 20.0, None, Some(1.5));
        assert!(required_agents_for(model, 1.0, 1800.0, 180.0, &g, 1.0, 0.0).is_err());
        let none =
            required_agents_for(model, 0.0, 1800.0, 180.0, &goal(0.8, 20.0), 1.0, 0.0).unwrap();
        assert_eq!((none.agents_net, none.agents_raw), (0, 0.0));
    }
}
