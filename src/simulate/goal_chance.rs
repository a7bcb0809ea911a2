//! The chance an interval meets its service goal, not only its expected
//! service level: arrivals in an interval are Poisson around the forecast
//! volume, so a roster that just meets the goal at the forecast misses it
//! about half the time. With `agents` productive, the service level falls
//! as volume rises; the chance is P(arrivals ≤ k*), where k* is the most
//! arrivals that still meet the goal (the queue model as in the roster
//! check, steady state within the interval).

use crate::staffing::{queue_metrics, QueueModel};

/// The interval's load and staffing, as the roster check sees them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntervalLoad {
    /// Forecast arrivals in the interval (the Poisson mean).
    pub volume: f64,
    pub aht_seconds: f64,
    /// Agents taking contacts (after shrinkage).
    pub agents: u32,
}

/// P(service level ≥ `goal`) for the interval; `None` without load.
pub fn chance_of_goal(
    model: QueueModel,
    load: IntervalLoad,
    interval_seconds: f64,
    target_seconds: f64,
    goal: f64,
) -> Option<f64> {
    if !(load.volume > 0.0 && load.aht_seconds > 0.0) {
        return None;
    }
    let meets = |arrivals: u64| {
        arrivals == 0
            || queue_metrics(
                model,
                arrivals as f64,
                interval_seconds,
                load.aht_seconds,
                load.agents,
                target_seconds,
            )
            .service_level
                + 1e-12
                >= goal
    };
    // The service level only falls as arrivals rise: bisect for the last
    // count that meets the goal, within the Poisson's reach (mean + 10 sd).
    let top = (load.volume + 10.0 * load.volume.sqrt() + 10.0).ceil() as u64;
    if meets(top) {
        return Some(1.0);
    }
    let (mut lo, mut hi) = (0u64, top); // meets(lo), !meets(hi)
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if meets(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(poisson_cdf(lo, load.volume))
}

/// P(X ≤ k) for X ~ Poisson(mean): summed in log space (no underflow for
/// large means).
pub fn poisson_cdf(k: u64, mean: f64) -> f64 {
    if mean <= 0.0 {
        return 1.0;
    }
    let ln_mean = mean.ln();
    let mut ln_p = -mean; // ln P(X = 0)
    let mut terms = Vec::with_capacity(k as usize + 1);
    terms.push(ln_p);
    for i in 1..=k {
        ln_p += ln_mean - (i as f64).ln();
        terms.push(ln_p);
    }
    let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = terms.iter().map(|t| (t - top).exp()).sum();
    (top + sum.ln()).exp().min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_cdf_matches_known_values() {
        // R: ppois(2, 3) = 0.4231901, ppois(10, 10) = 0.5830398, ppois(1050, 1000) = 0.9453...
        assert!((poisson_cdf(2, 3.0) - 0.423_190_1).abs() < 1e-6);
        assert!((poisson_cdf(10, 10.0) - 0.583_039_8).abs() < 1e-6);
        let big = poisson_cdf(1050, 1000.0);
        assert!(big > 0.93 && big < 0.96, "{big}");
        assert_eq!(poisson_cdf(0, 0.0), 1.0);
    }

    #[test]
    fn more_agents_more_chance_and_a_bare_roster_is_a_coin_toss() {
        let at = |agents| {
            chance_of_goal(
                QueueModel::ErlangC,
                IntervalLoad {
                    volume: 100.0,
                    aht_seconds: 180.0,
                    agents,
                },
                1800.0,
                20.0,
                0.8,
            )
            .unwrap()
        };
        let (few, enough, many) = (at(11), at(14), at(20));
        assert!(few < enough && enough < many, "{few} {enough} {many}");
        assert!(few < 0.5, "{few}");
        assert!(many > 0.99, "{many}");
        assert_eq!(
            chance_of_goal(
                QueueModel::ErlangC,
                IntervalLoad {
                    volume: 0.0,
                    aht_seconds: 180.0,
                    agents: 3
                },
                1800.0,
                20.0,
                0.8
            ),
            None
        );
    }
}
