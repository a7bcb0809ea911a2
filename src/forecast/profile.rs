//! The intraday profile by day type: how a day's total spreads over its
//! intervals, learned per weekday from recent normal days (special days are
//! already missing in the series it reads). Models that forecast daily
//! totals (top-down, regression, long-horizon) multiply them by it.

use super::series::Series;

/// distance of 0.2), which cuts the noise of a small queue's profile.
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
            if (0.75..=1.0 / 0.75).contains(&ratio) && dist <= 0.2 {
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
