//! `seasonal_naive` (the same interval on the most recent observed week) and
//! `weekly_average` (weighted average of the same interval over the last N
//! observed weeks, weights `decay^k`, most recent first). Both fit a 7 ×
//! slots profile; neither has a trend or a yearly season, so they suit
//! short leads only.
//!
//! On a small queue each slot mean carries the counting noise of a few
//! weeks, so `weekly_average` blends the means with their smoothing over
//! neighbouring intervals, as far as holding out the most recent weeks in
//! turn shows that it predicts them better. A busy queue's sharp peaks keep
//! the plain means (the held-out weeks say so); nothing is tuned per series.

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
    /// Blend with the means smoothed over neighbouring intervals as far as
    /// the held-out recent weeks favour it (see the module docs).
    pub smooth: bool,
}

impl Default for WeightedAverageParams {
    fn default() -> Self {
        Self {
            weeks: 8,
            decay: 0.85,
            smooth: true,
        }
    }
}

/// Shares of the smoothed means tried, from none to all of it.
const BLENDS: [f64; 11] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
/// The most recent weeks held out, one at a time, to choose the blend.
const HELD_OUT_WEEKS: usize = 3;

pub(super) fn check(p: &WeightedAverageParams) -> Result<(), ForecastError> {
    check_weeks("weeks", p.weeks)?;
    check_unit("decay", p.decay, false)
}

/// 7 × slots weighted means of the `weeks` most recent observed values.
/// A slot never observed is closed (0).
pub(crate) fn weekly_average(s: &Series, weeks: usize, decay: f64) -> Vec<f64> {
    closed_where_unseen(&weighted_means(&recent_values(s, weeks), decay, None))
}

/// [`weekly_average`] blended with its smoothing over neighbouring
/// intervals by the share that best predicts the most recent weeks, each
/// held out in turn from the means.
pub(crate) fn smoothed_weekly_average(s: &Series, weeks: usize, decay: f64) -> Vec<f64> {
    let recent = recent_values(s, weeks);
    let raw = closed_where_unseen(&weighted_means(&recent, decay, None));
    let mut error = [0.0; BLENDS.len()];
    for k in 0..HELD_OUT_WEEKS.min(weeks.saturating_sub(1)) {
        let means = weighted_means(&recent, decay, Some(k));
        let smooth = smooth_within_days(&closed_where_unseen(&means), s.slots);
        for (i, mean) in means.iter().enumerate() {
            let (Some(mean), Some(&actual)) = (mean, recent[i].get(k)) else {
                continue;
            };
            for (e, b) in error.iter_mut().zip(BLENDS) {
                *e += (actual - (b * smooth[i] + (1.0 - b) * mean)).abs();
            }
        }
    }
    // The first minimum: with no evidence (all zero) the plain means stay.
    let best = (0..BLENDS.len()).fold(0, |best, j| if error[j] < error[best] { j } else { best });
    let b = BLENDS[best];
    if b == 0.0 {
        return raw;
    }
    let smooth = smooth_within_days(&raw, s.slots);
    raw.iter()
        .zip(&smooth)
        .map(|(r, m)| b * m + (1.0 - b) * r)
        .collect()
}

/// Per weekly slot, its `weeks` most recent observed values, most recent
/// first.
fn recent_values(s: &Series, weeks: usize) -> Vec<Vec<f64>> {
    let n = s.slots;
    let mut recent = vec![Vec::with_capacity(weeks); 7 * n];
    for d in (0..s.days()).rev() {
        let w = s.weekday(d);
        for (slot, v) in s.day(d).iter().enumerate() {
            let values = &mut recent[w * n + slot];
            if !v.is_nan() && values.len() < weeks {
                values.push(*v);
            }
        }
    }
    recent
}

/// Weighted means (weight decay^k for the k-th most recent value), leaving
/// out the `skip`-th value; None where nothing is left.
fn weighted_means(recent: &[Vec<f64>], decay: f64, skip: Option<usize>) -> Vec<Option<f64>> {
    recent
        .iter()
        .map(|values| {
            let (sum, wsum) = values
                .iter()
                .enumerate()
                .filter(|(k, _)| Some(*k) != skip)
                .fold((0.0, 0.0), |(sum, wsum), (k, v)| {
                    let weight = decay.powi(k as i32);
                    (sum + weight * v, wsum + weight)
                });
            (wsum > 0.0).then(|| sum / wsum)
        })
        .collect()
}

fn closed_where_unseen(means: &[Option<f64>]) -> Vec<f64> {
    means.iter().map(|m| m.unwrap_or(0.0)).collect()
}

/// Each day's slots smoothed by weights 1, 2, 1 over the slot and its two
/// neighbours in the same day. Closed slots (0) stay closed and are left out
/// of their neighbours' smoothing, so volume never leaks past opening hours.
fn smooth_within_days(values: &[f64], n: usize) -> Vec<f64> {
    values
        .chunks(n)
        .flat_map(|day| {
            (0..n).map(move |k| {
                if day[k] == 0.0 {
                    return 0.0;
                }
                let neighbours = [k.checked_sub(1), Some(k + 1).filter(|&j| j < n)];
                let (sum, weight) = neighbours
                    .into_iter()
                    .flatten()
                    .filter(|&j| day[j] != 0.0)
                    .fold((2.0 * day[k], 2.0), |(sum, weight), j| {
                        (sum + day[j], weight + 1.0)
                    });
                sum / weight
            })
        })
        .collect()
}
