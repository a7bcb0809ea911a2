//! Patience from censored waits: the Kaplan–Meier estimator.
//!
//! A caller who hangs up after waiting `w` reveals their patience (`w`, an
//! **observed** event); a caller who is answered after waiting `w` only tells
//! us their patience was more than `w` (**right-censored**). Ignoring the
//! censoring (averaging the abandoners' waits) badly underestimates patience,
//! because the patient callers are exactly the ones who got answered.
//!
//! # Kaplan–Meier
//! Sort the distinct event times `t_1 < t_2 < …`; with `d_i` hang-ups at
//! `t_i` and `n_i` callers still waiting just before `t_i` (observations with
//! time `≥ t_i`, censored ones at `t_i` included, the usual convention),
//! `S(t) = Π_{t_i ≤ t} (1 − d_i / n_i)`: a right-continuous step function, the
//! nonparametric maximum-likelihood estimate of `P(patience > t)`.
//!
//! # Turning it into a model input
//! - **Sampler** ([`KaplanMeier::quantile`]): inverse transform; a uniform
//!   `u` maps to the first event time with `S ≤ u`. KM leaves mass
//!   `S(t_last)` beyond the last event; it is spread as `t_last + Exp(θ̂)`
//!   (memoryless continuation at the overall hazard θ̂ below).
//! - **Censored sampler** ([`KaplanMeier::quantile_beyond`]): a caller
//!   answered after waiting `w` had a patience above `w`; their patience is
//!   drawn from the curve conditioned on `T > w` (`S(t) / S(w)`), and
//!   beyond the last event time as `w + Exp(θ̂)`. Replaying real calls uses
//!   it for every answered call (`replay`).
//! - **Mean for Erlang A**: the exponential MLE under censoring,
//!   `θ̂ = #hang-ups / total time waited by everyone` (abandoned and
//!   answered) — [`KaplanMeier::exponential_rate`]; mean patience `1/θ̂`. The
//!   restricted mean `∫_0^{t_last} S(t) dt` ([`KaplanMeier::restricted_mean`])
//!   is a lower bound on the mean that makes no shape assumption.

use serde::Serialize;

/// A Kaplan–Meier curve plus the totals needed for the exponential fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KaplanMeier {
    /// Distinct times at which at least one event was observed, ascending.
    pub times: Vec<f64>,
    /// `S(t)` just after each of `times`.
    pub survival: Vec<f64>,
    /// Number at risk just before each of `times`.
    pub at_risk: Vec<usize>,
    /// Number of events at each of `times`.
    pub events: Vec<usize>,
    /// Observations used (finite, ≥ 0).
    pub observations: usize,
    /// Events (observed, not censored) in all.
    pub total_events: usize,
    /// Sum of all durations, observed and censored.
    pub total_time: f64,
}

/// Kaplan–Meier estimate from `(duration, observed)` pairs (`observed =
/// false` means right-censored at `duration`). Non-finite or negative
/// durations are skipped.
pub fn kaplan_meier(observations: &[(f64, bool)]) -> KaplanMeier {
    let mut obs: Vec<(f64, bool)> = observations
        .iter()
        .copied()
        .filter(|(d, _)| d.is_finite() && *d >= 0.0)
        .collect();
    // Events before censorings at equal times doesn't matter for the
    // product (censored at t are at risk at t either way).
    obs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = obs.len();
    let mut km = KaplanMeier {
        times: Vec::new(),
        survival: Vec::new(),
        at_risk: Vec::new(),
        events: Vec::new(),
        observations: n,
        total_events: obs.iter().filter(|o| o.1).count(),
        total_time: obs.iter().map(|o| o.0).sum(),
    };
    let mut s = 1.0;
    let mut i = 0;
    while i < n {
        let t = obs[i].0;
        let mut j = i;
        let mut d = 0;
        while j < n && obs[j].0 == t {
            d += usize::from(obs[j].1);
            j += 1;
        }
        if d > 0 {
            let at_risk = n - i;
            s *= 1.0 - d as f64 / at_risk as f64;
            km.times.push(t);
            km.survival.push(s);
            km.at_risk.push(at_risk);
            km.events.push(d);
        }
        i = j;
    }
    km
}

impl KaplanMeier {
    /// `S(t)`: estimated `P(patience > t)`.
    pub fn survival_at(&self, t: f64) -> f64 {
        let k = self.times.partition_point(|&x| x <= t);
        if k == 0 {
            1.0
        } else {
            self.survival[k - 1]
        }
    }

    /// `∫_0^{t_last} S(t) dt` up to the last event time.
    pub fn restricted_mean(&self) -> f64 {
        let mut prev_t = 0.0;
        let mut prev_s = 1.0;
        let mut area = 0.0;
        for (&t, &s) in self.times.iter().zip(&self.survival) {
            area += prev_s * (t - prev_t);
            prev_t = t;
            prev_s = s;
        }
        area
    }

    /// Exponential MLE of the hang-up rate under right-censoring:
    /// events / total time at risk. 0 when nobody hung up.
    pub fn exponential_rate(&self) -> f64 {
        if self.total_time > 0.0 {
            self.total_events as f64 / self.total_time
        } else {
            0.0
        }
    }

    /// Inverse-transform sample for `u ∈ (0, 1)`: the first event time with
    /// `S ≤ u`; beyond the curve, `t_last + Exp(θ̂)` (infinite if θ̂ = 0).
    pub fn quantile(&self, u: f64) -> f64 {
        let k = self.survival.partition_point(|&s| s > u);
        if k < self.times.len() {
            return self.times[k];
        }
        let (t_last, s_last) = match (self.times.last(), self.survival.last()) {
            (Some(&t), Some(&s)) => (t, s),
            _ => (0.0, 1.0),
        };
        let rate = self.exponential_rate();
        if rate > 0.0 && u > 0.0 {
            t_last + (s_last / u).ln() / rate
        } else {
            f64::INFINITY
        }
    }

    /// Inverse-transform sample of a patience known to exceed `wait` (a
    /// caller answered after waiting `wait`: censored there), for `u ∈ (0,
    /// 1]`. Within the curve it draws from `S(t) / S(wait)`, the curve
    /// conditioned on `T > wait`: the first event time after `wait` with
    /// `S ≤ u · S(wait)`, or the tail beyond the last one (as
    /// [`KaplanMeier::quantile`]). At or beyond the last
    /// event time the curve says nothing, so the tail is memoryless:
    /// `wait + Exp(θ̂)` ([`KaplanMeier::exponential_rate`]; infinite if
    /// nobody hung up). Never below `wait`.
    pub fn quantile_beyond(&self, wait: f64, u: f64) -> f64 {
        let rate = self.exponential_rate();
        let tail = |from: f64, share: f64| {
            if rate > 0.0 && share > 0.0 {
                from - share.ln() / rate
            } else {
                f64::INFINITY
            }
        };
        let s_wait = self.survival_at(wait);
        let later = self.times.partition_point(|&t| t <= wait);
        if later == self.times.len() || s_wait <= 0.0 {
            return tail(wait, u);
        }
        // The first event time after `wait` with S ≤ u · S(wait).
        let target = u * s_wait;
        let k = later + self.survival[later..].partition_point(|&s| s > target);
        match (self.times.get(k), self.times.last(), self.survival.last()) {
            (Some(&t), _, _) => t,
            (None, Some(&t_last), Some(&s_last)) => tail(t_last, target / s_last),
            _ => tail(wait, u),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_example() {
        // Durations 3, 5+, 6, 6, 8+, 10 (+ = censored).
        let km = kaplan_meier(&[
            (3.0, true),
            (5.0, false),
            (6.0, true),
            (6.0, true),
            (8.0, false),
            (10.0, true),
        ]);
        assert_eq!(km.times, vec![3.0, 6.0, 10.0]);
        assert_eq!(km.at_risk, vec![6, 4, 1]);
        let s = [5.0 / 6.0, 5.0 / 6.0 * 2.0 / 4.0, 0.0];
        for (a, b) in km.survival.iter().zip(s) {
            assert!((a - b).abs() < 1e-15);
        }
        assert_eq!(km.survival_at(2.9), 1.0);
        assert!((km.survival_at(7.0) - 5.0 / 12.0).abs() < 1e-15);
        // Area: 3·1 + 3·5/6 + 4·5/12 = 3 + 2.5 + 5/3.
        assert!((km.restricted_mean() - (5.5 + 5.0 / 3.0)).abs() < 1e-12);
        assert!((km.exponential_rate() - 4.0 / 38.0).abs() < 1e-15);
        assert_eq!(km.quantile(0.9), 3.0);
        assert_eq!(km.quantile(0.5), 6.0);
        assert_eq!(km.quantile(0.1), 10.0);
    }

    #[test]
    fn no_censoring_is_the_empirical_survival() {
        let km = kaplan_meier(&[(1.0, true), (2.0, true), (3.0, true), (4.0, true)]);
        assert_eq!(km.survival, vec![0.75, 0.5, 0.25, 0.0]);
        assert!((km.restricted_mean() - 2.5).abs() < 1e-15);
        assert_eq!(kaplan_meier(&[]).survival_at(5.0), 1.0);
    }

    #[test]
    fn without_censoring_a_draw_beyond_a_wait_is_an_observed_later_value() {
        let km = kaplan_meier(&[(1.0, true), (2.0, true), (3.0, true), (4.0, true)]);
        for i in 1..=100 {
            let u = f64::from(i) / 100.0;
            let any = km.quantile_beyond(0.0, u);
            assert!([1.0, 2.0, 3.0, 4.0].contains(&any), "u {u}: {any}");
            let later = km.quantile_beyond(2.5, u);
            assert!([3.0, 4.0].contains(&later), "u {u}: {later}");
        }
        // Conditioned on T > 2.5, 3 and 4 are equally likely.
        assert_eq!(km.quantile_beyond(2.5, 0.75), 3.0);
        assert_eq!(km.quantile_beyond(2.5, 0.25), 4.0);
    }

    #[test]
    fn a_censored_draw_is_never_below_its_wait() {
        // Durations 3, 5+, 6, 6, 8+, 10 (+ = censored), θ̂ = 4/38.
        let km = kaplan_meier(&[
            (3.0, true),
            (5.0, false),
            (6.0, true),
            (6.0, true),
            (8.0, false),
            (10.0, true),
        ]);
        for wait in [0.0, 3.0, 4.0, 5.0, 6.0, 8.0, 9.99, 10.0, 25.0] {
            for i in 1..=200 {
                let u = f64::from(i) / 200.0;
                let p = km.quantile_beyond(wait, u);
                assert!(p >= wait, "wait {wait}, u {u}: {p}");
            }
        }
        // Beyond the curve (S(10) = 0): wait + Exp(θ̂), by inverse transform.
        let rate = 4.0 / 38.0;
        let p = km.quantile_beyond(25.0, 0.5);
        assert!((p - (25.0 + 2f64.ln() / rate)).abs() < 1e-12, "{p}");
        // Inside: after 5 (S = 5/6) the next events are 6 (S 5/12) and 10 (S 0).
        assert_eq!(km.quantile_beyond(5.0, 0.9), 6.0);
        assert_eq!(km.quantile_beyond(5.0, 0.4), 10.0);
        // Nobody hung up: nothing bounds the patience of a censored caller.
        let none = kaplan_meier(&[(5.0, false), (9.0, false)]);
        assert_eq!(none.quantile_beyond(7.0, 0.5), f64::INFINITY);
    }

    #[test]
    fn recovers_exponential_patience_under_heavy_censoring() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        // Patience Exp(mean 100), censored by an answer after Exp(mean 50).
        let obs: Vec<(f64, bool)> = (0..50_000)
            .map(|_| {
                let p = -100.0 * (1.0 - rng.gen::<f64>()).ln();
                let a = -50.0 * (1.0 - rng.gen::<f64>()).ln();
                if p < a {
                    (p, true)
                } else {
                    (a, false)
                }
            })
            .collect();
        let km = kaplan_meier(&obs);
        assert!(
            (1.0 / km.exponential_rate() - 100.0).abs() < 3.0,
            "{}",
            1.0 / km.exponential_rate()
        );
        for t in [20.0, 50.0, 100.0] {
            let s = km.survival_at(t);
            assert!((s - (-t / 100.0_f64).exp()).abs() < 0.02, "S({t}) = {s}");
        }
        // Draws beyond a wait of 50 s follow the curve conditioned on
        // T > 50: their mean is 50 + ∫_50 S(t) dt / S(50) (plus the tail's
        // share when the curve ends above 0).
        let n = 20_000;
        let mean = (1..=n)
            .map(|i| km.quantile_beyond(50.0, (f64::from(i) - 0.5) / f64::from(n)))
            .sum::<f64>()
            / f64::from(n);
        let (mut area, mut prev_t, mut prev_s) = (0.0, 50.0, km.survival_at(50.0));
        for (&t, &s) in km.times.iter().zip(&km.survival).filter(|(&t, _)| t > 50.0) {
            area += prev_s * (t - prev_t);
            (prev_t, prev_s) = (t, s);
        }
        let tail = prev_s / km.exponential_rate();
        let want = 50.0 + (area + tail) / km.survival_at(50.0);
        assert!((mean - want).abs() < 0.01 * want, "{mean} vs {want}");
        // Exponential patience is memoryless: the truth is 50 + 100 s. KM
        // puts no mass past its last hang-up (here near 400 s, where a few
        // callers are left), so it comes out a little short.
        assert!((want - 150.0).abs() < 12.0, "{want}");
        // The naive mean of the observed hang-ups is far too small.
        let naive: f64 = obs.iter().filter(|o| o.1).map(|o| o.0).sum::<f64>()
            / obs.iter().filter(|o| o.1).count() as f64;
        assert!(naive < 40.0, "{naive}");
    }
}
