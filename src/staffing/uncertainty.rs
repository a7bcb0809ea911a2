//! Forecast risk in staffing: the agents an interval needs so that its goal
//! holds with a chosen probability when its volume is uncertain, and what a
//! head count can promise under that uncertainty.
//!
//! **Model.** The forecast gives, per interval, a point `f` and a
//! calibrated p10–p90 band. The band was calibrated on real counts, so it
//! describes the count: forecast error and counting noise together. The
//! count `N` is modelled as **Poisson** around an uncertain arrival
//! **rate** Λ, with `ln(Λ + 1)` a split normal of median `ln(f + 1)` whose
//! lower and upper spreads are the band's (fitted to the p10 and p90 on
//! the log scale) less the Poisson part (`var ln N ≈ 1/(f + 1)`), so that
//! the mixture is as wide as the band, and never narrower than Poisson
//! noise alone (the `+ 1` keeps quiet intervals finite).
//!
//! Every goal gets harder as volume grows at a fixed head count (service
//! level falls; ASA, abandonment and occupancy rise), so "the goal holds
//! with probability `c`" is "staffed for the `c`-quantile of `N`": the
//! requirement at a confidence is the requirement for that volume, and the
//! chance a head count gives is `P(N ≤ v*)`, `v*` the most calls it serves
//! to the goal.
//!
//! The mixture is evaluated on [`RATE_POINTS`] equally likely rate
//! quantiles; the Poisson law is exact below [`EXACT_POISSON_BELOW`] calls
//! and normal (with continuity correction) above.

use super::channel::ChannelModel;
use super::erlang::QueueMetrics;
use super::model::{queue_metrics, QueueModel};
use crate::domain::ServiceGoal;
use std::sync::OnceLock;

/// Equally likely rate quantiles the mixture is summed over.
pub const RATE_POINTS: usize = 16;

/// Poisson counts are summed exactly for rates below this; above, the
/// normal approximation is within a fraction of a call.
pub const EXACT_POISSON_BELOW: f64 = 200.0;

/// The standard normal quantile of 0.9 (a p90 is this many spreads up).
const Z90: f64 = 1.281_551_565_545;

/// One interval's forecast volume and its calibrated p10–p90 band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VolumeBand {
    pub volume: f64,
    pub p10: f64,
    pub p90: f64,
}

/// The law of the count of calls an interval gets (see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub struct ArrivalLaw {
    /// Equally likely arrival rates.
    rates: Vec<f64>,
    /// Counts the law all but rules out below and above (`P < 1e-6` and
    /// `P > 1 − 1e-12`): where a search for a count starts and ends.
    span: (f64, f64),
}

impl ArrivalLaw {
    /// The Poisson mixture of `band` (a band narrower than nothing, or
    /// missing, is a known rate: Poisson noise only).
    pub fn from_band(band: VolumeBand) -> Self {
        let f = band.volume.max(0.0);
        let centre = (f + 1.0).ln();
        let spread = |edge: f64| {
            let s = ((edge.max(0.0) + 1.0).ln() - centre).abs() / Z90;
            if s.is_finite() {
                s
            } else {
                0.0
            }
        };
        // The band was calibrated on real counts, so it already holds the
        // counting noise (var ln N ≈ 1/(λ+1) for Poisson N): the rate gets
        // only the spread beyond it, and the Poisson draw adds that back.
        let poisson = 1.0 / (f + 1.0);
        let rate_part = |total: f64| (total * total - poisson).max(0.0).sqrt();
        let (below, above) = (
            rate_part(spread(band.p10.min(f))),
            rate_part(spread(band.p90.max(f))),
        );
        let rates = rate_quantile_z()
            .iter()
            .map(|&z| {
                let s = if z < 0.0 { below } else { above };
                ((centre + s * z).exp() - 1.0).max(0.0)
            })
            .collect();
        let mut law = ArrivalLaw {
            rates,
            span: (0.0, 0.0),
        };
        law.span = (law.quantile(1e-6), law.quantile(1.0));
        law
    }

    /// The band rate at probability `u` ∈ [0, 1) (one of the equally likely
    /// rates): a draw of the rate for `u` uniform.
    pub fn rate(&self, u: f64) -> f64 {
        let j = ((u * self.rates.len() as f64) as usize).min(self.rates.len() - 1);
        self.rates[j]
    }

    /// `P(N ≤ x)`.
    pub fn cdf(&self, x: f64) -> f64 {
        if x < 0.0 {
            return 0.0;
        }
        let k = x.floor();
        self.rates.iter().map(|&r| poisson_cdf(k, r)).sum::<f64>() / self.rates.len() as f64
    }

    /// The smallest count `k` with `P(N ≤ k) ≥ p`.
    pub fn quantile(&self, p: f64) -> f64 {
        let p = p.clamp(0.0, 1.0 - 1e-12);
        let top = self.rates.iter().copied().fold(0.0, f64::max);
        let (mut lo, mut hi) = (0.0_f64, (top + 12.0 * top.sqrt() + 20.0).ceil());
        if self.cdf(lo) >= p {
            return lo;
        }
        // cdf(lo) < p ≤ cdf(hi): bisect on whole counts.
        while hi - lo > 1.0 {
            let mid = ((lo + hi) / 2.0).floor();
            if self.cdf(mid) >= p {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    }

    /// Counts with weights summing to 1 for expectations: each rate with a
    /// three-point Gauss–Hermite rule for its Poisson spread.
    fn scenarios(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        const NODES: [(f64, f64); 3] = [
            (-1.732_050_807_568_877, 1.0 / 6.0),
            (0.0, 2.0 / 3.0),
            (1.732_050_807_568_877, 1.0 / 6.0),
        ];
        let w = 1.0 / self.rates.len() as f64;
        self.rates.iter().flat_map(move |&r| {
            NODES
                .iter()
                .map(move |&(z, nw)| ((r + z * r.sqrt()).max(0.0), w * nw))
        })
    }
}

/// Head count and load of one interval, as the queue model sees it: `servers`
/// taking contacts of `aht_seconds` (chat: slots and the slot handle time).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Servers {
    pub model: QueueModel,
    pub servers: u32,
    pub interval_seconds: f64,
    pub aht_seconds: f64,
}

impl Servers {
    /// The queue's figures at `volume` calls.
    pub fn metrics(&self, volume: f64, target_seconds: f64) -> QueueMetrics {
        if volume <= 0.0 {
            return QueueMetrics::IDLE;
        }
        if self.servers == 0 {
            return QueueMetrics {
                service_level: 0.0,
                asa_seconds: f64::INFINITY,
                prob_abandon: 1.0,
                ..QueueMetrics::IDLE
            };
        }
        queue_metrics(
            self.model,
            volume,
            self.interval_seconds,
            self.aht_seconds,
            self.servers,
            target_seconds,
        )
    }
}

/// The servers `agents` on the phones make under a channel's model (chat:
/// their slots, with the slot handle time); `None` for deferred work, whose
/// goal is a deadline over the whole horizon, not a per-interval service.
pub fn channel_servers(
    model: &ChannelModel,
    agents: u32,
    interval_seconds: f64,
    aht_seconds: f64,
) -> Option<Servers> {
    match *model {
        ChannelModel::Voice(queue) => Some(Servers {
            model: queue,
            servers: agents,
            interval_seconds,
            aht_seconds,
        }),
        ChannelModel::Chat {
            concurrency,
            handle_time_factor,
            queue,
        } => Some(Servers {
            model: queue,
            servers: agents.saturating_mul(concurrency),
            interval_seconds,
            aht_seconds: aht_seconds * handle_time_factor,
        }),
        ChannelModel::Deferred { .. } => None,
    }
}

/// The service goals a caller feels (service level, ASA, abandonment; the
/// occupancy cap is a planning choice, not a promise).
fn service_met(m: &QueueMetrics, goal: &ServiceGoal) -> bool {
    const SLACK: f64 = 1e-9;
    m.service_level >= goal.service_level() - SLACK
        && goal
            .max_asa_seconds()
            .is_none_or(|x| m.asa_seconds <= x * (1.0 + SLACK))
        && goal
            .max_abandon_rate()
            .is_none_or(|x| m.prob_abandon <= x + SLACK)
}

/// Expected service level of the calls that arrive (call-weighted over the
/// law), and the probability the goal holds, at a head count. `None` for
/// the service level when no call is expected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Promise {
    pub expected_service_level: Option<f64>,
    pub goal_probability: f64,
    /// The most calls the head count serves to the goal.
    pub most_calls: f64,
}

/// What `at` promises under `law` (see the module doc).
pub fn promise(law: &ArrivalLaw, at: &Servers, goal: &ServiceGoal) -> Promise {
    let target = goal.answer_within_seconds();
    let (mut calls, mut answered) = (0.0, 0.0);
    for (n, w) in law.scenarios() {
        if n > 0.0 {
            calls += w * n;
            answered += w * n * at.metrics(n, target).service_level;
        }
    }
    let expected_service_level = (calls > 0.0).then(|| (answered / calls).clamp(0.0, 1.0));
    let (goal_probability, most_calls) = goal_chance(law, at, goal, f64::NEG_INFINITY);
    Promise {
        expected_service_level,
        goal_probability,
        most_calls,
    }
}

/// The chance the goal holds at `at` under `law`, and the most calls `at`
/// serves to the goal, without the expected service level [`promise`] also
/// sums: what a search over head counts needs. `served`: calls a smaller
/// head count was found to serve (more agents serve at least as many), or
/// `f64::NEG_INFINITY`.
pub fn goal_chance(law: &ArrivalLaw, at: &Servers, goal: &ServiceGoal, served: f64) -> (f64, f64) {
    let most = most_calls_served(at, goal, law, served);
    (law.cdf(most), most)
}

/// The most calls `at` serves to the goal (searched up to beyond anything
/// the law allows; every goal is monotone in volume), knowing it serves
/// `served` (galloping up from there, then halving).
fn most_calls_served(at: &Servers, goal: &ServiceGoal, law: &ArrivalLaw, served: f64) -> f64 {
    let target = goal.answer_within_seconds();
    let meets = |v: f64| service_met(&at.metrics(v, target), goal);
    // Between counts the law all but rules out, on either side.
    let (bottom, top) = law.span;
    let mut lo = served.max(bottom);
    if lo == bottom && !meets(bottom) {
        return bottom - 1.0;
    }
    // meets(lo): gallop up until a count fails or the top is reached.
    let mut step = 1.0;
    let mut hi = loop {
        let next = (lo + step).min(top);
        if next <= lo {
            return lo;
        }
        if !meets(next) {
            break next;
        }
        if next >= top {
            return top;
        }
        lo = next;
        step *= 2.0;
    };
    // meets(lo) and not meets(hi), on whole calls.
    while hi - lo > 1.0 {
        let mid = ((lo + hi) / 2.0).floor();
        if meets(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// `P(X ≤ k)` for `X ~ Poisson(rate)`, `k` a whole number ≥ 0.
fn poisson_cdf(k: f64, rate: f64) -> f64 {
    if rate <= 0.0 {
        return 1.0;
    }
    if rate >= EXACT_POISSON_BELOW {
        return normal_cdf((k + 0.5 - rate) / rate.sqrt());
    }
    let (mut term, mut sum) = ((-rate).exp(), 0.0);
    let mut i = 0.0;
    while i <= k {
        sum += term;
        i += 1.0;
        term *= rate / i;
        if term < 1e-300 && i > rate {
            break;
        }
    }
    sum.min(1.0)
}

/// Standard normal CDF, by the complementary error function (Numerical
/// Recipes' Chebyshev fit, relative error below 1.2e-7).
pub(crate) fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Standard normal quantiles of the rate points `(j + ½) / RATE_POINTS`.
fn rate_quantile_z() -> &'static [f64] {
    static Z: OnceLock<Vec<f64>> = OnceLock::new();
    Z.get_or_init(|| {
        (0..RATE_POINTS)
            .map(|j| {
                let p = (j as f64 + 0.5) / RATE_POINTS as f64;
                let (mut lo, mut hi) = (-10.0, 10.0);
                for _ in 0..100 {
                    let mid = (lo + hi) / 2.0;
                    if normal_cdf(mid) < p {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                (lo + hi) / 2.0
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goal() -> ServiceGoal {
        ServiceGoal::new(0.8, 60.0, None, None).unwrap()
    }

    fn voice(servers: u32) -> Servers {
        Servers {
            model: QueueModel::ErlangC,
            servers,
            interval_seconds: 1800.0,
            aht_seconds: 180.0,
        }
    }

    #[test]
    fn the_normal_cdf_is_accurate() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.281_551_565_545) - 0.9).abs() < 1e-6);
        assert!((normal_cdf(-1.959_963_985) - 0.025).abs() < 1e-6);
    }

    #[test]
    fn without_a_band_the_count_is_poisson() {
        let law = ArrivalLaw::from_band(VolumeBand {
            volume: 100.0,
            p10: 100.0,
            p90: 100.0,
        });
        // Poisson(100): P(N ≤ 100) = 0.5266, 90th percentile 113.
        assert!(
            (law.cdf(100.0) - 0.5266).abs() < 0.005,
            "{}",
            law.cdf(100.0)
        );
        assert_eq!(law.quantile(0.9), 113.0);
        // Small rates are summed exactly: Poisson(2) P(N ≤ 2) = 5e^-2.
        let small = ArrivalLaw::from_band(VolumeBand {
            volume: 2.0,
            p10: 2.0,
            p90: 2.0,
        });
        assert!((small.cdf(2.0) - 5.0 * (-2.0f64).exp()).abs() < 1e-12);
    }

    #[test]
    fn the_count_is_as_wide_as_the_band_and_never_narrower_than_poisson() {
        let law = ArrivalLaw::from_band(VolumeBand {
            volume: 100.0,
            p10: 80.0,
            p90: 125.0,
        });
        // The band already holds the counting noise: its p90 stays about
        // the band's, not the band's plus Poisson's (125 + 1.28·√125 ≈ 140).
        let q90 = law.quantile(0.9);
        assert!((120.0..=130.0).contains(&q90), "{q90}");
        let q10 = law.quantile(0.1);
        assert!((76.0..=84.0).contains(&q10), "{q10}");
        assert!(law.quantile(0.5) >= 98.0 && law.quantile(0.5) <= 102.0);
        assert!(law.quantile(0.95) > q90);
        // A band narrower than Poisson noise: the count is Poisson(100).
        let narrow = ArrivalLaw::from_band(VolumeBand {
            volume: 100.0,
            p10: 99.0,
            p90: 101.0,
        });
        assert_eq!(narrow.quantile(0.9), 113.0);
    }

    #[test]
    fn the_chance_grows_with_the_head_count_and_matches_the_quantile() {
        let law = ArrivalLaw::from_band(VolumeBand {
            volume: 300.0,
            p10: 250.0,
            p90: 360.0,
        });
        let chances: Vec<f64> = (30..50)
            .map(|n| promise(&law, &voice(n), &goal()).goal_probability)
            .collect();
        assert!(chances.windows(2).all(|w| w[0] <= w[1]), "{chances:?}");
        assert!(
            chances[0] < 0.5 && *chances.last().unwrap() > 0.95,
            "{chances:?}"
        );
        // Staffing for the 90th percentile gives at least a 90 % chance.
        let v90 = law.quantile(0.9);
        let n90 = (1..200)
            .find(|&n| service_met(&voice(n).metrics(v90, 60.0), &goal()))
            .unwrap();
        let p = promise(&law, &voice(n90), &goal());
        assert!(p.goal_probability >= 0.9, "{p:?}");
        assert!(promise(&law, &voice(n90 - 1), &goal()).goal_probability < 0.9);
        let sl = p.expected_service_level.unwrap();
        assert!((0.8..1.0).contains(&sl), "{sl}");
    }

    /// The search that starts from what fewer agents served finds what the
    /// full search finds, and the chance is the promise's.
    #[test]
    fn a_search_started_from_fewer_agents_finds_the_same_count() {
        let law = ArrivalLaw::from_band(VolumeBand {
            volume: 300.0,
            p10: 220.0,
            p90: 400.0,
        });
        let mut served = f64::NEG_INFINITY;
        for n in 20..60 {
            let (chance, most) = goal_chance(&law, &voice(n), &goal(), served);
            let fresh = goal_chance(&law, &voice(n), &goal(), f64::NEG_INFINITY);
            assert_eq!((chance, most), fresh, "{n} agents");
            assert_eq!(chance, promise(&law, &voice(n), &goal()).goal_probability);
            assert!(most >= served, "{n}: {most} < {served}");
            served = most;
        }
    }

    #[test]
    fn no_calls_expected_promises_no_service_level() {
        let law = ArrivalLaw::from_band(VolumeBand {
            volume: 0.0,
            p10: 0.0,
            p90: 0.0,
        });
        let p = promise(&law, &voice(0), &goal());
        assert_eq!(p.expected_service_level, None);
        assert_eq!(p.goal_probability, 1.0);
    }
}
