//! `regression`: ridge (linfa-elasticnet, l1 = 0) on log daily totals with
//! calendar features (day of week, trend, day-of-month Fourier terms,
//! recent level, yearly Fourier terms once a year of history exists) × the
//! intraday profile. Past the last training day the trend is damped and a
//! day's total is capped at twice the largest one seen, so a log-linear
//! trend cannot explode at long horizons.

use super::{check_weeks, invalid, too_short, totals};
use crate::forecast::profile::shares;
use crate::forecast::series::Series;
use crate::forecast::ForecastError;
use chrono::{Datelike, NaiveDate};

/// Daily damping of the trend past the last training day: it adds at most
/// φ/(1 − φ) = 99 days of trend, however far ahead.
const TREND_DAMPING: f64 = 0.99;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RegressionParams {
    /// Ridge penalty (elastic net with l1_ratio 0).
    pub penalty: f64,
    /// Yearly Fourier pairs, used once 365 days of history exist.
    pub fourier_terms: usize,
    /// Day-of-month Fourier pairs (pay-day cycles), used once 8 weeks of
    /// history exist.
    #[serde(default = "default_month_terms")]
    pub month_terms: usize,
    /// Most recent normal days of a weekday pooled into the intraday profile.
    pub profile_weeks: usize,
    /// Only the most recent `window_days` of daily totals are regressed (up
    /// to two years when the yearly terms are used).
    pub window_days: usize,
    /// Pool the intraday profile over similar weekdays.
    pub pool_weekdays: bool,
}

fn default_month_terms() -> usize {
    0
}

impl Default for RegressionParams {
    fn default() -> Self {
        Self {
            penalty: 0.001,
            fourier_terms: 2,
            month_terms: 0,
            profile_weeks: 10,
            window_days: 182,
            pool_weekdays: true,
        }
    }
}

pub(super) fn check(p: &RegressionParams) -> Result<(), ForecastError> {
    check_weeks("profile_weeks", p.profile_weeks)?;
    if !(p.penalty.is_finite() && p.penalty >= 0.0) {
        return Err(invalid(
            "penalty",
            format!("must be >= 0, got {}", p.penalty),
        ));
    }
    if p.month_terms > 5 {
        return Err(invalid(
            "month_terms",
            format!("must be 0..=5, got {}", p.month_terms),
        ));
    }
    if p.fourier_terms > 10 {
        return Err(invalid(
            "fourier_terms",
            format!("must be 0..=10, got {}", p.fourier_terms),
        ));
    }
    if p.window_days < 28 {
        return Err(invalid(
            "window_days",
            format!("must be >= 28, got {}", p.window_days),
        ));
    }
    Ok(())
}

/// exp(intercept + coefficients · features) × smearing × shares.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RegressionBody {
    pub intercept: f64,
    pub coefficients: Vec<f64>,
    pub features: Vec<String>,
    pub first_day: NaiveDate,
    pub fourier_terms: usize,
    #[serde(default)]
    pub month_terms: usize,
    /// log(1 + mean daily total) of the last week before the origin.
    pub recent_level: f64,
    /// The last training day (the trend is damped after it).
    pub last_day: NaiveDate,
    /// The largest daily total in training (forecasts are capped at 2×).
    pub max_total: f64,
    pub smearing: f64,
    pub shares: Vec<f64>,
}

const FEATURES_BASE: [&str; 8] = [
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "trend_years",
    "recent_level",
];

fn regression_features(
    date: NaiveDate,
    first_day: NaiveDate,
    level: f64,
    fourier: usize,
    month: usize,
) -> Vec<f64> {
    let w = date.weekday().num_days_from_monday() as usize;
    let mut x = vec![0.0; 6];
    if w > 0 {
        x[w - 1] = 1.0;
    }
    x.push((date - first_day).num_days() as f64 / 365.0);
    x.push(level);
    let doy = date.ordinal0() as f64 / 365.25 * std::f64::consts::TAU;
    for k in 1..=fourier {
        x.push((k as f64 * doy).sin());
        x.push((k as f64 * doy).cos());
    }
    let month_len = days_in_month(date) as f64;
    let dom = f64::from(date.day0()) / month_len * std::f64::consts::TAU;
    for k in 1..=month {
        x.push((k as f64 * dom).sin());
        x.push((k as f64 * dom).cos());
    }
    x
}

fn days_in_month(date: NaiveDate) -> u32 {
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .map_or(30, |d| d.day())
}

/// log(1 + mean of the (up to) 7 most recent observed daily totals in the
/// 28 days before `end`); None with fewer than 3.
fn week_level(t: &[Option<f64>], end: usize) -> Option<f64> {
    let end = end.min(t.len());
    let vals: Vec<f64> = t[end.saturating_sub(28)..end]
        .iter()
        .rev()
        .filter_map(|v| *v)
        .take(7)
        .collect();
    (vals.len() >= 3).then(|| (vals.iter().sum::<f64>() / vals.len() as f64).ln_1p())
}

pub(super) fn fit(
    s: &Series,
    p: &RegressionParams,
    minutes: u32,
) -> Result<RegressionBody, ForecastError> {
    use linfa::prelude::*;
    use linfa_elasticnet::ElasticNet;
    let t = totals(s, minutes);
    let days = t.len();
    let fourier = if days >= 365 { p.fourier_terms } else { 0 };
    let month = if days >= 56 { p.month_terms } else { 0 };
    // Yearly terms fitted on half a year are free in the other half and
    // extrapolate wildly there: with them, regress on up to two whole years.
    let window = if fourier > 0 {
        p.window_days.max(2 * 365)
    } else {
        p.window_days
    };
    let start = days.saturating_sub(window).max(7);
    let mut xs: Vec<f64> = Vec::new();
    let mut ys: Vec<f64> = Vec::new();
    let mut width = 0;
    for d in start..days {
        let (Some(y), Some(level)) = (t[d], week_level(&t, d.saturating_sub(7).max(1))) else {
            continue;
        };
        let x = regression_features(s.date(d), s.first_day, level, fourier, month);
        width = x.len();
        xs.extend(x);
        ys.push(y.ln_1p());
    }
    if ys.len() < 21 {
        return Err(too_short("regression (three weeks of full days)"));
    }
    let x = ndarray::Array2::from_shape_vec((ys.len(), width), xs)
        .map_err(|e| invalid("regression", e.to_string()))?;
    let y = ndarray::Array1::from_vec(ys);
    let dataset = Dataset::new(x.clone(), y.clone());
    let model = ElasticNet::params()
        .penalty(p.penalty)
        .l1_ratio(0.0)
        .max_iterations(2000)
        .tolerance(1e-6)
        .fit(&dataset)
        .map_err(|e| invalid("regression", e.to_string()))?;
    let coefficients = model.hyperplane().to_vec();
    let intercept = model.intercept();
    let fitted = x.dot(model.hyperplane()) + intercept;
    let smearing = (&y - &fitted).mapv(f64::exp).mean().unwrap_or(1.0);
    let recent_level = week_level(&t, days).ok_or_else(|| too_short("regression (last week)"))?;
    let mut features: Vec<String> = FEATURES_BASE.iter().map(|f| f.to_string()).collect();
    for k in 1..=fourier {
        features.push(format!("year_sin_{k}"));
        features.push(format!("year_cos_{k}"));
    }
    for k in 1..=month {
        features.push(format!("month_sin_{k}"));
        features.push(format!("month_cos_{k}"));
    }
    Ok(RegressionBody {
        intercept,
        coefficients,
        features,
        first_day: s.first_day,
        fourier_terms: fourier,
        month_terms: month,
        recent_level,
        last_day: s.date(days - 1),
        max_total: t.iter().flatten().fold(0.0, |a, b| a.max(*b)),
        smearing: smearing.clamp(0.8, 1.25),
        shares: shares(s, p.profile_weeks, minutes, p.pool_weekdays),
    })
}

impl RegressionBody {
    pub(super) fn day(&self, date: NaiveDate, n: usize) -> Vec<f64> {
        let w = date.weekday().num_days_from_monday() as usize;
        let mut x = regression_features(
            date,
            self.first_day,
            self.recent_level,
            self.fourier_terms,
            self.month_terms,
        );
        let h = (date - self.last_day).num_days();
        if h > 0 {
            let extra = TREND_DAMPING * (1.0 - TREND_DAMPING.powi(h.min(100_000) as i32))
                / (1.0 - TREND_DAMPING);
            // Feature 6 is the trend in years since the first day.
            x[6] = ((self.last_day - self.first_day).num_days() as f64 + extra) / 365.0;
        }
        let eta = self.intercept
            + x.iter()
                .zip(&self.coefficients)
                .map(|(a, b)| a * b)
                .sum::<f64>();
        let total = (eta.clamp(-50.0, 50.0).exp() * self.smearing - 1.0)
            .max(0.0)
            .min(2.0 * self.max_total);
        self.shares[w * n..(w + 1) * n]
            .iter()
            .map(|s| s * total)
            .collect()
    }
}
