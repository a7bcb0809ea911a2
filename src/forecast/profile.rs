//! The intraday profile by day type: how a day's total spreads over its
//! intervals, learned per weekday from recent normal days (special days are
//! already missing in the series it reads). Models that forecast daily
//! totals (top-down, regression, long-horizon) multiply them by it.

use super::series::Series;

/// Weekdays whose shares differ by more than this (L1) are never pooled.
const MAX_POOL_DISTANCE: f64 = 0.2;
/// Pool only when the shares differ by at most this many times what
/// counting noise alone would give: a big queue's Friday evening is its own,
/// a small queue's is mostly noise.
const NOISE_SLACK: f64 = 2.0;

/// The expected L1 distance between two weekdays' shares if they had the
/// same profile and differed only by Poisson noise on `total_w` and
/// `total_v` contacts: √(2/π) Σ_k √(p_k (1/total_w + 1/total_v)).
fn noise_distance(own: &[f64], n: usize, w: usize, v: usize, total_w: f64, total_v: f64) -> f64 {
    let scale = 1.0 / total_w + 1.0 / total_v;
    (2.0 / std::f64::consts::PI).sqrt()
        * (0..n)
            .map(|k| ((own[w * n + k] + own[v * n + k]) / 2.0 * scale).sqrt())
            .sum::<f64>()
}

/// 7 × slots intraday shares from the `weeks` most recent full normal days
/// of each weekday (shares of a weekday sum to 1, or are all 0 if none).
/// With `pool`, each weekday's shares are pooled with those of *similar*
/// weekdays (mean daily total within ±25%, intraday shares within an L1
/// distance of 0.2 and of twice what counting noise explains), which cuts
/// the noise of a small queue's profile without blurring a big one's.
pub(crate) fn shares(s: &Series, weeks: usize, minutes: u32, pool: bool) -> Vec<f64> {
    let n = s.slots;
    let mut sum = vec![0.0; 7 * n];
    let mut total = [0.0; 7];
    let mut used = [0usize; 7];
    for d in (0..s.days()).rev() {
        let w = s.weekday(d);
        if used[w] >= weeks {
            continue;
        }
        let Some(t) = s.day_total(d, minutes) else {
            continue;
        };
        if t <= 0.0 {
            continue;
        }
        for (slot, v) in s.day(d).iter().enumerate() {
            if !v.is_nan() {
                sum[w * n + slot] += v;
            }
        }
        total[w] += t;
        used[w] += 1;
    }
    let own: Vec<f64> = (0..7 * n)
        .map(|i| {
            let w = i / n;
            if total[w] > 0.0 {
                sum[i] / total[w]
            } else {
                0.0
            }
        })
        .collect();
    if !pool {
        return own;
    }
    let mean = |w: usize| total[w] / used[w].max(1) as f64;
    let mut out = vec![0.0; 7 * n];
    for w in 0..7 {
        if total[w] <= 0.0 {
            continue;
        }
        let mut psum = vec![0.0; n];
        let mut ptotal = 0.0;
        for v in 0..7 {
            if total[v] <= 0.0 {
                continue;
            }
            let ratio = mean(v) / mean(w);
            let dist: f64 = (0..n)
                .map(|k| (own[w * n + k] - own[v * n + k]).abs())
                .sum();
            if (0.75..=1.0 / 0.75).contains(&ratio)
                && dist <= MAX_POOL_DISTANCE
                && dist <= NOISE_SLACK * noise_distance(&own, n, w, v, total[w], total[v])
            {
                for k in 0..n {
                    psum[k] += sum[v * n + k];
                }
                ptotal += total[v];
            }
        }
        for k in 0..n {
            out[w * n + k] = psum[k] / ptotal;
        }
    }
    out
}
