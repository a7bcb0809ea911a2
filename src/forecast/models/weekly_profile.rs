//! `seasonal_naive` (the same interval on the most recent observed week) and
//! `weekly_average` (weighted average of the same interval over the last N
//! observed weeks, weights `decay^k`, most recent first). Both fit a 7 ×
//! slots profile; neither has a trend or a yearly season, so they suit
//! short leads only.

use super::{check_unit, check_weeks};
use crate::forecast::series::Series;
use crate::forecast::ForecastError;

#[derive(
    Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(default)]
pub struct SeasonalNaiveParams {}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WeightedAverageParams {
    /// Observed weeks averaged per weekly slot (1..=52).
    pub weeks: usize,
    /// Weight of the k-th most recent week is decay^k (0 < decay <= 1).
    pub decay: f64,
}

impl Default for WeightedAverageParams {
    fn default() -> Self {
        Self {
            weeks: 8,
            decay: 0.85,
        }
    }
}

pub(super) fn check(p: &WeightedAverageParams) -> Result<(), ForecastError> {
    check_weeks("weeks", p.weeks)?;
    check_unit("decay", p.decay, false)
}

/// 7 × slots weighted means of the `weeks` most recent observed values.
/// A slot never observed is closed (0).
pub(crate) fn weekly_average(s: &Series, weeks: usize, decay: f64) -> Vec<f64> {
    let n = s.slots;
    let mut sum = vec![0.0; 7 * n];
    let mut wsum = vec![0.0; 7 * n];
    let mut count = vec![0usize; 7 * n];
    for d in (0..s.days()).rev() {
        let w = s.weekday(d);
        for (slot, v) in s.day(d).iter().enumerate() {
            let i = w * n + slot;
            if v.is_nan() || count[i] >= weeks {
                continue;
            }
            let weight = decay.powi(count[i] as i32);
            sum[i] += weight * v;
            wsum[i] += weight;
            count[i] += 1;
        }
    }
    sum.iter()
        .zip(&wsum)
        .map(|(s, w)| if *w > 0.0 { s / w } else { 0.0 })
        .collect()
}
