//! Erlang A (M/M/c+M): Poisson arrivals, exponential handle times, `c`
//! agents, FIFO, and exponential patience: a waiting caller hangs up at rate
//! `θ = 1/mean_patience`.
//!
//! # Model
//! The number in system `N` is a birth–death chain with birth rate `λ` and
//! death rate `min(n,c)·μ + max(n−c,0)·θ`. Unlike Erlang C it is stable for
//! any `c` (even `c < A`), because the queue sheds callers.
//!
//! # Stationary distribution, without overflow
//! Relative to `π_c`, the states below `c` weigh `Σ_{n<c} π_n/π_c = 1/B − 1`
//! with `B = B(A, c)` the Erlang B blocking (computed by the stable recursion),
//! and the states above weigh `r_k = π_{c+k}/π_c = Π_{j=1..k} λ/(cμ + jθ)`.
//! Everything is multiplied by `B`, so the normaliser is `(1 − B) + B·Σ r_k`;
//! `r_k` is accumulated with rescaling by 1e-200 whenever it exceeds 1e200, so
//! neither 10,000 erlangs nor heavy under-staffing overflows. The tail is cut
//! once it is past its mode and the geometric bound on what is left is below
//! 1e-17 of the sum.
//!
//! # Measures (PASTA: an arrival sees the stationary distribution)
//! - `prob_wait = P(N ≥ c)`;
//! - `E[Lq] = Σ k·π_{c+k}`, `prob_abandon = θ·E[Lq]/λ`;
//! - mean wait over **all** arrivals (answered and abandoned) `= E[Lq]/λ`
//!   (Little); this is what [`QueueMetrics::asa_seconds`] carries for Erlang A;
//! - occupancy `= λ(1 − P(ab))/(cμ)` (answered work over capacity);
//! - service level = P(answered **and** waited ≤ t) over all arrivals
//!   (abandoners count as not answered).
//!
//! # Service level in closed form
//! A caller who finds `k` others waiting (n = c + k) advances at rate
//! `cμ + kθ` (a service ends, or someone ahead hangs up) and hangs up at rate
//! `θ`; each stage `j = k, …, 0` lasts `Exp(cμ + (j+1)θ)` whatever ends it, so
//! - `P(answered | k) = Π (cμ + jθ)/(cμ + (j+1)θ) = cμ / (cμ + (k+1)θ)`, and
//! - given answered, the wait is a sum of independent `Exp(a + jθ)`,
//!   `a = cμ + θ`, `j = 0..k` (equally spaced rates). Its density is
//!   `∝ e^{−a·u}(1 − e^{−θu})^k`, i.e. `e^{−θW} ~ Beta(a/θ, k+1)`, so
//!   `P(W ≤ t) = I_y(k+1, a/θ)` with `y = 1 − e^{−θt}` (regularised incomplete
//!   beta) `= 1 − Σ_{m=0..k} NB(m)` where `NB(m) = Γ(m+b)/(Γ(b)m!)·y^m(1−y)^b`,
//!   `b = a/θ`, is a negative-binomial pmf.
//!
//! The pmf is stepped alongside the stationary tail (`NB(m+1) = NB(m)·y·(m+b)/(m+1)`,
//! started in log space while it is below e^-600 so it cannot underflow to 0
//! too early): one pass, all terms positive, no alternating hypoexponential
//! sums, `O(queue length)` per evaluation. Absolute accuracy ≈ 1e-15.

use super::erlang::{erlang_b, QueueMetrics};

/// Largest number of queue states summed (a safety cap; reached only with
/// patience many thousands of times the handle time and heavy overload).
const MAX_TAIL_STATES: usize = 50_000_000;

/// Erlang A metrics for one interval: `volume` contacts in `interval_seconds`,
/// `aht_seconds` each, `agents` agents, mean patience `patience_seconds`,
/// service level at `target_seconds`.
///
/// `asa_seconds` is the mean wait over **all** arrivals (the answered and those
/// who hung up); `prob_abandon` is the share who hang up. An infinite patience
/// falls back to Erlang C ([`erlang_c_metrics`](super::erlang_c_metrics)).
/// No work gives `QueueMetrics::IDLE`-like values (service level 1). Inputs
/// are not validated (NaN in, NaN out).
pub fn erlang_a_metrics(
    volume: f64,
    interval_seconds: f64,
    aht_seconds: f64,
    patience_seconds: f64,
    agents: u32,
    target_seconds: f64,
) -> QueueMetrics {
    if patience_seconds.is_infinite() {
        return super::erlang_c_metrics(
            volume,
            interval_seconds,
            aht_seconds,
            agents,
            target_seconds,
        );
    }
    if volume == 0.0 {
        return QueueMetrics::IDLE;
    }
    let a = volume * aht_seconds / interval_seconds;
    let b = erlang_b(a, agents);
    erlang_a_at(
        a,
        agents,
        b,
        aht_seconds / patience_seconds,
        target_seconds / aht_seconds,
    )
    .scaled(aht_seconds)
}

/// Erlang A in AHT time units (μ = 1): load `a`, `c` agents, `b = B(a, c)`,
/// abandonment rate `theta = AHT/patience`, target `t` in AHT units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErlangA {
    pub prob_wait: f64,
    pub prob_abandon: f64,
    /// Mean wait over all arrivals, in AHT units.
    pub mean_wait: f64,
    pub occupancy: f64,
    pub service_level: f64,
}

impl ErlangA {
    pub(crate) fn scaled(self, aht_seconds: f64) -> QueueMetrics {
        QueueMetrics {
            prob_wait: self.prob_wait,
            service_level: self.service_level,
            asa_seconds: self.mean_wait * aht_seconds,
            occupancy: self.occupancy,
            prob_abandon: self.prob_abandon,
        }
    }
}

pub(crate) fn erlang_a_at(a: f64, c: u32, b: f64, theta: f64, t: f64) -> ErlangA {
    if a == 0.0 {
        return ErlangA {
            prob_wait: 0.0,
            prob_abandon: 0.0,
            mean_wait: 0.0,
            occupancy: 0.0,
            service_level: 1.0,
        };
    }
    let cm = f64::from(c);
    // Stationary tail relative to π_c (k = 0 term is 1).
    let mut r = 1.0_f64;
    let mut sum_r = 0.0_f64;
    let mut sum_kr = 0.0_f64;
    let mut sum_rs = 0.0_f64;
    let mut rescales: i32 = 0;
    // Negative-binomial pmf for P(wait ≤ t | answered, k ahead).
    let y = -(-theta * t).exp_m1();
    let ln_y = y.ln();
    let nb_b = cm / theta + 1.0;
    let mut ln_d = -(cm + theta) * t;
    let mut d = 0.0_f64;
    let mut linear = ln_d > -600.0;
    if linear {
        d = ln_d.exp();
    }
    let mut cum = 0.0_f64;
    let mut k = 0usize;
    loop {
        let kf = k as f64;
        // P(answered within t | k ahead) = cμ/(cμ+(k+1)θ) · (1 − Σ_{m≤k} NB(m)).
        cum += d;
        let within = (1.0 - cum).max(0.0);
        // 1/(cμ + (k+1)θ): shared by P(answered | k) and the next ratio.
        let inv = 1.0 / (cm + (kf + 1.0) * theta);
        let s = cm * inv * within;
        sum_r += r;
        sum_kr += kf * r;
        sum_rs += r * s;
        // Next pmf term.
        let ratio_nb = (kf + nb_b) / (kf + 1.0);
        if linear {
            d *= y * ratio_nb;
        } else {
            ln_d += ln_y + ratio_nb.ln();
            if ln_d > -600.0 {
                linear = true;
                d = ln_d.exp();
            }
        }
        // Next stationary term.
        let rho = a * inv;
        r *= rho;
        k += 1;
        if rho < 1.0 && r * rho / (1.0 - rho) <= 1e-17 * sum_r {
            break;
        }
        if k >= MAX_TAIL_STATES {
            break;
        }
        if r > 1e200 {
            r *= 1e-200;
            sum_r *= 1e-200;
            sum_kr *= 1e-200;
            sum_rs *= 1e-200;
            rescales += 1;
        }
    }
    let low = (1.0 - b) * 1e-200_f64.powi(rescales); // (1 − B)/B·π_c, times B
    let z = low + b * sum_r;
    let prob_wait = b * sum_r / z;
    let lq = b * sum_kr / z;
    let prob_abandon = (theta * lq / a).min(1.0);
    ErlangA {
        prob_wait,
        prob_abandon,
        mean_wait: lq / a,
        occupancy: if c == 0 {
            1.0
        } else {
            (a * (1.0 - prob_abandon) / cm).min(1.0)
        },
        service_level: ((low + b * sum_rs) / z).clamp(0.0, 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: &str = include_str!("../../tests/data/erlang-reference/erlang_a_grid.csv");

    #[test]
    fn matches_every_row_of_erlang_a_grid() {
        let mut lines = GRID.lines();
        assert_eq!(
            lines.next().unwrap().trim(),
            "arrival_rate,aht,mean_patience,agents,target_time,offered_erlangs,prob_wait,\
             prob_abandon,mean_wait_all_arrivals,occupancy,service_level_answered_within_t"
        );
        let mut failures = Vec::new();
        let mut rows = 0;
        for (i, l) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let f: Vec<f64> = l.split(',').map(|x| x.trim().parse().unwrap()).collect();
            assert_eq!(f.len(), 11, "line {}", i + 2);
            rows += 1;
            let (lam, aht, pat, c, t) = (f[0], f[1], f[2], f[3] as u32, f[4]);
            // Rates per time unit: interval 1, volume = λ.
            let m = erlang_a_metrics(lam, 1.0, aht, pat, c, t);
            let mut check = |what: &str, got: f64, want: f64, tol: f64| {
                let ok = (got - want).abs() <= tol; // NaN fails
                if !ok {
                    failures.push(format!(
                        "line {} {what}: got {got:.15} want {want:.15}",
                        i + 2
                    ));
                }
            };
            check("offered", lam * aht, f[5], 1e-9);
            check("prob_wait", m.prob_wait, f[6], 1e-9);
            check("prob_abandon", m.prob_abandon, f[7], 1e-9);
            check("mean_wait", m.asa_seconds, f[8], 1e-9);
            check("occupancy", m.occupancy, f[9], 1e-9);
            check("service_level", m.service_level, f[10], 1e-7);
            // Same in seconds with a 30-minute interval (time unit = minute).
            let m2 = erlang_a_metrics(lam * 30.0, 1800.0, aht * 60.0, pat * 60.0, c, t * 60.0);
            check("sl (seconds)", m2.service_level, f[10], 1e-7);
            check("wait (seconds)", m2.asa_seconds / 60.0, f[8], 1e-9);
        }
        assert_eq!(rows, 78);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// pyworkforce 0.5.4 test_erlanga_regression_metrics: 100 per 30 min,
    /// AHT 3 min, mean patience 5 min, 14 agents, target 20 s.
    #[test]
    fn pyworkforce_erlang_a_example() {
        let m = erlang_a_metrics(100.0, 1800.0, 180.0, 300.0, 14, 20.0);
        let close = |x: f64, y: f64| (x - y).abs() < 5e-7;
        assert!(close(m.prob_wait, 0.14526), "{m:?}");
        assert!(close(m.prob_abandon, 0.013984), "{m:?}");
        assert!(close(m.occupancy, 0.704297), "{m:?}");
        assert!((m.asa_seconds / 60.0 - 0.069919).abs() < 5e-7, "{m:?}");
        assert!(close(m.service_level, 0.916792), "{m:?}");
    }

    #[test]
    fn converges_to_erlang_c_as_patience_grows() {
        let c = super::super::erlang_c_metrics(100.0, 1800.0, 180.0, 14, 20.0);
        let a = erlang_a_metrics(100.0, 1800.0, 180.0, 1e9, 14, 20.0);
        assert!((a.prob_wait - c.prob_wait).abs() < 1e-5, "{a:?} {c:?}");
        assert!(
            (a.service_level - c.service_level).abs() < 1e-5,
            "{a:?} {c:?}"
        );
        assert!((a.asa_seconds - c.asa_seconds).abs() < 1e-3, "{a:?} {c:?}");
        let inf = erlang_a_metrics(100.0, 1800.0, 180.0, f64::INFINITY, 14, 20.0);
        assert_eq!(inf, c);
    }

    #[test]
    fn answered_share_is_one_minus_abandon() {
        // SL at a huge target = everyone who is eventually answered.
        for (a, c, th) in [(10.0, 8, 0.6), (100.0, 90, 0.1), (5.0, 12, 2.0)] {
            let m = erlang_a_at(a, c, erlang_b(a, c), th, 1e6);
            assert!(
                (m.service_level - (1.0 - m.prob_abandon)).abs() < 1e-12,
                "{m:?}"
            );
        }
    }

    #[test]
    fn stable_from_tiny_to_huge_loads() {
        for a in [0.01_f64, 1.0, 100.0, 1000.0, 10_000.0] {
            for c in [
                0,
                1,
                (a * 0.5) as u32,
                a as u32,
                a as u32 + 1,
                (a * 1.2) as u32 + 5,
            ] {
                for patience_over_aht in [0.01, 1.0, 100.0] {
                    for t in [0.0, 0.1, 5.0] {
                        let m = erlang_a_at(a, c, erlang_b(a, c), 1.0 / patience_over_aht, t);
                        for x in [
                            m.prob_wait,
                            m.prob_abandon,
                            m.mean_wait,
                            m.occupancy,
                            m.service_level,
                        ] {
                            assert!(
                                x.is_finite() && x >= 0.0,
                                "a={a} c={c} p={patience_over_aht} t={t}: {m:?}"
                            );
                        }
                        assert!(m.service_level <= 1.0 && m.prob_wait <= 1.0 + 1e-12);
                        assert!(m.service_level <= 1.0 - m.prob_abandon + 1e-9, "{m:?}");
                    }
                }
            }
        }
    }
}
