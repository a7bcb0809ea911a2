//! Handle time has its own forecast: the volume-weighted mean AHT of the
//! same weekly slot over the last `weeks` weeks, then of the same time of
//! day, then of all history.

use super::series::Series;

/// 7 × slots AHT forecasts (empty when there is none in the history).
pub(crate) fn fit_aht(s: &Series, weeks: usize) -> Vec<f64> {
    let n = s.slots;
    let total_den: f64 = s.aht_den.iter().sum();
    let global = if total_den > 0.0 {
        s.aht_num.iter().sum::<f64>() / total_den
    } else if s.aht_plain.1 > 0 {
        s.aht_plain.0 / s.aht_plain.1 as f64
    } else {
        return Vec::new();
    };
    let mut num = vec![0.0; 7 * n];
    let mut den = vec![0.0; 7 * n];
    let mut used = vec![0usize; 7 * n];
    let mut tod_num = vec![0.0; n];
    let mut tod_den = vec![0.0; n];
    for d in (0..s.days()).rev() {
        let w = s.weekday(d);
        for slot in 0..n {
            let c = d * n + slot;
            if s.aht_den[c] <= 0.0 {
                continue;
            }
            tod_num[slot] += s.aht_num[c];
            tod_den[slot] += s.aht_den[c];
            let i = w * n + slot;
            if used[i] < weeks {
                num[i] += s.aht_num[c];
                den[i] += s.aht_den[c];
                used[i] += 1;
            }
        }
    }
    (0..7 * n)
        .map(|i| {
            if den[i] > 0.0 {
                num[i] / den[i]
            } else if tod_den[i % n] > 0.0 {
                tod_num[i % n] / tod_den[i % n]
            } else {
                global
            }
        })
        .collect()
}
