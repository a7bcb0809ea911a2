//! The forecasting engine's models. Each has a params struct (serde, with
//! defaults) gathered in [`ModelSpec`] → `check()` → [`CheckedModel::fit`]
//! → [`FittedModel::predict`]. A fitted model is plain data (serde) so it can
//! be stored under `models/fitted/` and reused.
//!
//! Every model forecasts *normal days*: special days of the queue's calendar
//! are left out of fitting, then applied on top (closed → 0; holiday and
//! campaign → × the planner's effect, else the effect learned from earlier
//! special days; outlier → the normal forecast). A normal day right after a
//! closure (or a holiday at < 70% of normal) gets the catch-up effect learned
//! from earlier such days. Missing history is missing.
//!
//! * `seasonal_naive`: the same interval on the most recent observed week.
//! * `weekly_average`: weighted average of the same interval over the last N
//!   observed weeks (weights `decay^k`, most recent first).
//! * `regression`: ridge (linfa-elasticnet, l1 = 0) on log daily totals with
//!   calendar features (day of week, trend, day-of-month Fourier terms,
//!   recent level, yearly Fourier terms once a year of history exists) × an interval-of-day × day-of-week
//!   profile (the interaction term of a multiplicative model).
//! * `top_down`: Holt–Winters on daily totals (damped trend, day-of-week
//!   seasonality) × the same intraday profile; with ≥ 1 year of history the
//!   level is scaled by last year's change over the same period.
//! * `ensemble`: the mean of weekly_average, regression and top_down.
//!
//! Handle time has its own forecast: volume-weighted mean AHT of the same
//! weekly slot over the last `aht_weeks` weeks, then of the same time of day,
//! then of all history.

use super::series::Series;
use super::special_days::{SpecialDay, SpecialDayKind};
use super::{ForecastError, ForecastPoint};
use crate::domain::{Grid, HistoryRow};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;

/// The engine's model names (`auto` is a [`ModelSelection`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelName {
    SeasonalNaive,
    WeeklyAverage,
    Regression,
    TopDown,
    Ensemble,
}

impl ModelName {
    pub const ALL: [ModelName; 5] = [
        ModelName::SeasonalNaive,
        ModelName::WeeklyAverage,
        ModelName::Regression,
        ModelName::TopDown,
        ModelName::Ensemble,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ModelName::SeasonalNaive => "seasonal_naive",
            ModelName::WeeklyAverage => "weekly_average",
            ModelName::Regression => "regression",
            ModelName::TopDown => "top_down",
            ModelName::Ensemble => "ensemble",
        }
    }

    /// The model with its default params.
    pub fn default_spec(&self) -> ModelSpec {
        match self {
            ModelName::SeasonalNaive => ModelSpec::SeasonalNaive(SeasonalNaiveParams::default()),
            ModelName::WeeklyAverage => ModelSpec::WeeklyAverage(WeightedAverageParams::default()),
            ModelName::Regression => ModelSpec::Regression(RegressionParams::default()),
            ModelName::TopDown => ModelSpec::TopDown(TopDownParams::default()),
            ModelName::Ensemble => ModelSpec::Ensemble(EnsembleParams::default()),
        }
    }
}

impl std::fmt::Display for ModelName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ModelName {
    type Err = ForecastError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ModelName::ALL
            .into_iter()
            .find(|m| m.as_str() == s.trim())
            .ok_or_else(|| ForecastError::InvalidParams {
                field: "model",
                message: format!(
                    "unknown model '{s}' (auto, seasonal_naive, weekly_average, regression, top_down, ensemble)"
                ),
            })
    }
}

/// `auto` (pick by backtest) or one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelSelection {
    Auto,
    Model(ModelName),
}

impl std::str::FromStr for ModelSelection {
    type Err = ForecastError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim() == "auto" {
            Ok(ModelSelection::Auto)
        } else {
            s.parse().map(ModelSelection::Model)
        }
    }
}

impl std::fmt::Display for ModelSelection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelSelection::Auto => f.write_str("auto"),
            ModelSelection::Model(m) => m.fmt(f),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SeasonalNaiveParams {}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
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
    /// Only the most recent `window_days` of daily totals are regressed.
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

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TopDownParams {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    /// Trend damping (0 < phi <= 1).
    pub phi: f64,
    pub profile_weeks: usize,
    /// Pool the intraday profile over similar weekdays.
    pub pool_weekdays: bool,
}

impl Default for TopDownParams {
    fn default() -> Self {
        Self {
            alpha: 0.15,
            beta: 0.01,
            gamma: 0.1,
            phi: 0.9,
            profile_weeks: 10,
            pool_weekdays: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct EnsembleParams {
    pub weekly_average: WeightedAverageParams,
    pub regression: RegressionParams,
    pub top_down: TopDownParams,
}

impl Default for EnsembleParams {
    fn default() -> Self {
        Self {
            weekly_average: WeightedAverageParams::default(),
            // The ensemble's regression member also models the day of month.
            regression: RegressionParams {
                month_terms: 2,
                ..RegressionParams::default()
            },
            top_down: TopDownParams::default(),
        }
    }
}

/// A model and its params, as stored in `models/<name>.json`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum ModelSpec {
    SeasonalNaive(SeasonalNaiveParams),
    WeeklyAverage(WeightedAverageParams),
    Regression(RegressionParams),
    TopDown(TopDownParams),
    Ensemble(EnsembleParams),
}

fn invalid(field: &'static str, message: String) -> ForecastError {
    ForecastError::InvalidParams { field, message }
}

fn check_unit(field: &'static str, v: f64, zero_ok: bool) -> Result<(), ForecastError> {
    let ok = v.is_finite() && v <= 1.0 && if zero_ok { v >= 0.0 } else { v > 0.0 };
    if ok {
        Ok(())
    } else {
        Err(invalid(field, format!("must be in (0, 1], got {v}")))
    }
}

fn check_weeks(field: &'static str, v: usize) -> Result<(), ForecastError> {
    if (1..=52).contains(&v) {
        Ok(())
    } else {
        Err(invalid(field, format!("must be between 1 and 52, got {v}")))
    }
}

impl ModelSpec {
    pub fn name(&self) -> ModelName {
        match self {
            ModelSpec::SeasonalNaive(_) => ModelName::SeasonalNaive,
            ModelSpec::WeeklyAverage(_) => ModelName::WeeklyAverage,
            ModelSpec::Regression(_) => ModelName::Regression,
            ModelSpec::TopDown(_) => ModelName::TopDown,
            ModelSpec::Ensemble(_) => ModelName::Ensemble,
        }
    }

    /// Validates the params.
    pub fn check(&self) -> Result<CheckedModel, ForecastError> {
        fn wa(p: &WeightedAverageParams) -> Result<(), ForecastError> {
            check_weeks("weeks", p.weeks)?;
            check_unit("decay", p.decay, false)
        }
        fn reg(p: &RegressionParams) -> Result<(), ForecastError> {
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
        fn td(p: &TopDownParams) -> Result<(), ForecastError> {
            check_unit("alpha", p.alpha, false)?;
            check_unit("beta", p.beta, true)?;
            check_unit("gamma", p.gamma, true)?;
            check_unit("phi", p.phi, false)?;
            check_weeks("profile_weeks", p.profile_weeks)
        }
        match self {
            ModelSpec::SeasonalNaive(_) => {}
            ModelSpec::WeeklyAverage(p) => wa(p)?,
            ModelSpec::Regression(p) => reg(p)?,
            ModelSpec::TopDown(p) => td(p)?,
            ModelSpec::Ensemble(p) => {
                wa(&p.weekly_average)?;
                reg(&p.regression)?;
                td(&p.top_down)?;
            }
        }
        Ok(CheckedModel { spec: *self })
    }
}

/// Validated model params, ready to fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckedModel {
    spec: ModelSpec,
}

/// p10/p90 of standardised residuals z = (actual − forecast)/√(forecast + 1),
/// per bucket of forecast level (upper edges ascending; the last is open).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Calibration {
    pub upper_edges: Vec<f64>,
    pub z10: Vec<f64>,
    pub z90: Vec<f64>,
    /// How many backtest residuals it was estimated from (0 = the Poisson
    /// default ±1.2816).
    pub residuals: usize,
}

impl Default for Calibration {
    fn default() -> Self {
        Calibration {
            upper_edges: vec![],
            z10: vec![-1.2816],
            z90: vec![1.2816],
            residuals: 0,
        }
    }
}

impl Calibration {
    /// Estimates from (forecast, actual) pairs with forecast > 0.
    pub fn from_pairs(pairs: &[(f64, f64)]) -> Calibration {
        let mut pairs: Vec<(f64, f64)> = pairs.iter().copied().filter(|p| p.0 > 0.0).collect();
        const BUCKETS: usize = 4;
        const MIN_PER_BUCKET: usize = 40;
        if pairs.len() < MIN_PER_BUCKET {
            return Calibration::default();
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let buckets = (pairs.len() / MIN_PER_BUCKET).clamp(1, BUCKETS);
        let per = pairs.len() / buckets;
        let mut cal = Calibration {
            upper_edges: vec![],
            z10: vec![],
            z90: vec![],
            residuals: pairs.len(),
        };
        for b in 0..buckets {
            let end = if b + 1 == buckets {
                pairs.len()
            } else {
                (b + 1) * per
            };
            let chunk = &pairs[b * per..end];
            let mut z: Vec<f64> = chunk
                .iter()
                .map(|(f, y)| (y - f) / (f + 1.0).sqrt())
                .collect();
            z.sort_by(f64::total_cmp);
            cal.z10.push(quantile(&z, 0.1));
            cal.z90.push(quantile(&z, 0.9));
            if b + 1 < buckets {
                cal.upper_edges.push(chunk[chunk.len() - 1].0);
            }
        }
        cal
    }

    /// (p10, p90) for a forecast, with p10 <= f <= p90 and p10 >= 0.
    pub fn band(&self, f: f64) -> (f64, f64) {
        if f <= 0.0 {
            return (0.0, 0.0);
        }
        let b = self.upper_edges.iter().take_while(|e| f > **e).count();
        let s = (f + 1.0).sqrt();
        let p10 = (f + self.z10[b] * s).clamp(0.0, f);
        let p90 = (f + self.z90[b] * s).max(f);
        (p10, p90)
    }
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let i = pos.floor() as usize;
    let frac = pos - i as f64;
    if i + 1 < sorted.len() {
        sorted[i] * (1.0 - frac) + sorted[i + 1] * frac
    } else {
        sorted[i]
    }
}

/// The normal-day part of a fitted model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// 7 × slots values (Monday first): seasonal naive, weekly average.
    WeeklyProfile {
        values: Vec<f64>,
    },
    /// Daily totals from Holt–Winters state × intraday shares.
    TopDown {
        level: f64,
        trend: f64,
        phi: f64,
        season: [f64; 7],
        /// The day the state was last updated (the last training day).
        last_day: NaiveDate,
        /// Multiplier from last year's change over the same period (1 when
        /// less than a year of history).
        yearly: Vec<(NaiveDate, f64)>,
        shares: Vec<f64>,
    },
    /// exp(intercept + coefficients · features) × smearing × shares.
    Regression {
        intercept: f64,
        coefficients: Vec<f64>,
        features: Vec<String>,
        first_day: NaiveDate,
        fourier_terms: usize,
        #[serde(default)]
        month_terms: usize,
        /// log(1 + mean daily total) of the last week before the origin.
        recent_level: f64,
        smearing: f64,
        shares: Vec<f64>,
    },
    Ensemble {
        members: Vec<Body>,
    },
}

/// A fitted engine model: plain data, serialisable.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FittedModel {
    /// staffcast version that fitted it.
    pub version: String,
    pub spec: ModelSpec,
    pub grid_minutes: u32,
    pub tz: Tz,
    /// Only history strictly before the origin was used.
    pub origin: DateTime<Utc>,
    /// First and last history interval used.
    pub training_window: (DateTime<Utc>, DateTime<Utc>),
    pub body: Body,
    pub special_days: Vec<SpecialDay>,
    /// Effects learned from history: (key, multiplier, days it is from);
    /// key is `name:<name>`, `family:<family>` or `kind:<kind>`.
    pub learned_effects: Vec<(String, f64, usize)>,
    /// 7 × slots AHT forecasts; empty when the history has no AHT.
    pub aht: Vec<f64>,
    pub calibration: Calibration,
}

pub(crate) type Calendar = HashMap<NaiveDate, SpecialDay>;

pub(crate) fn calendar(days: &[SpecialDay]) -> Calendar {
    days.iter().map(|d| (d.date, d.clone())).collect()
}

/// The series with every special day's cells missing (normal days only).
pub(crate) fn normal_days(series: &Series, cal: &Calendar) -> Series {
    let mut s = series.clone();
    if cal.is_empty() {
        return s;
    }
    for d in 0..s.days() {
        if cal.contains_key(&s.date(d)) {
            let n = s.slots;
            s.vol[d * n..(d + 1) * n].fill(f64::NAN);
        }
    }
    s
}

impl CheckedModel {
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// Fits on history strictly before `origin`, with the queue's special
    /// days. Band calibration defaults to Poisson-like ±1.28σ; use
    /// [`super::forecast_with`] for backtest-calibrated bands.
    pub fn fit(
        &self,
        history: &[HistoryRow],
        grid: &Grid,
        origin: DateTime<Utc>,
        special_days: &[SpecialDay],
    ) -> Result<FittedModel, ForecastError> {
        let series = Series::build(history, grid, Some(origin))?;
        self.fit_series(&series, grid, origin, special_days)
    }

    pub(crate) fn fit_series(
        &self,
        series: &Series,
        grid: &Grid,
        origin: DateTime<Utc>,
        special_days: &[SpecialDay],
    ) -> Result<FittedModel, ForecastError> {
        let cal = calendar(special_days);
        let normal = normal_days(series, &cal);
        let body = fit_body(&self.spec, &normal, grid)?;
        let learned_effects = learn_effects(series, &normal, &cal, grid.minutes);
        Ok(FittedModel {
            version: env!("CARGO_PKG_VERSION").to_string(),
            spec: self.spec,
            grid_minutes: grid.minutes,
            tz: grid.tz,
            origin,
            training_window: (series.first_row, series.last_row.min(origin)),
            body,
            special_days: special_days.to_vec(),
            learned_effects,
            aht: fit_aht(series, 8),
            calibration: Calibration::default(),
        })
    }
}

fn fit_body(spec: &ModelSpec, s: &Series, grid: &Grid) -> Result<Body, ForecastError> {
    Ok(match spec {
        ModelSpec::SeasonalNaive(_) => Body::WeeklyProfile {
            values: weekly_average(s, 1, 1.0),
        },
        ModelSpec::WeeklyAverage(p) => Body::WeeklyProfile {
            values: weekly_average(s, p.weeks, p.decay),
        },
        ModelSpec::TopDown(p) => top_down(s, p, grid.minutes)?,
        ModelSpec::Regression(p) => regression(s, p, grid.minutes)?,
        ModelSpec::Ensemble(p) => Body::Ensemble {
            members: vec![
                fit_body(&ModelSpec::WeeklyAverage(p.weekly_average), s, grid)?,
                fit_body(&ModelSpec::Regression(p.regression), s, grid)?,
                fit_body(&ModelSpec::TopDown(p.top_down), s, grid)?,
            ],
        },
    })
}

/// 7 × slots weighted means of the `weeks` most recent observed values.
/// A slot never observed is closed (0).
fn weekly_average(s: &Series, weeks: usize, decay: f64) -> Vec<f64> {
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

/// 7 × slots intraday shares from the `weeks` most recent full normal days
/// of each weekday (shares of a weekday sum to 1, or are all 0 if none).
/// With `pool`, each weekday's shares are pooled with those of *similar*
/// weekdays (mean daily total within ±25% and intraday shares within an L1
/// distance of 0.2), which cuts the noise of a small queue's profile.
fn shares(s: &Series, weeks: usize, minutes: u32, pool: bool) -> Vec<f64> {
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

fn totals(s: &Series, minutes: u32) -> Vec<Option<f64>> {
    (0..s.days()).map(|d| s.day_total(d, minutes)).collect()
}

fn too_short(what: &str) -> ForecastError {
    ForecastError::InvalidWindow {
        message: format!("not enough history for {what}"),
    }
}

fn top_down(s: &Series, p: &TopDownParams, minutes: u32) -> Result<Body, ForecastError> {
    let t = totals(s, minutes);
    let days = t.len();
    let init = days.min(28);
    let mut by_w = [(0.0, 0usize); 7];
    for (d, v) in t.iter().enumerate().take(init) {
        if let Some(v) = v {
            let w = s.weekday(d);
            by_w[w].0 += v;
            by_w[w].1 += 1;
        }
    }
    let known: Vec<f64> = by_w
        .iter()
        .filter(|(_, c)| *c > 0)
        .map(|(v, c)| v / *c as f64)
        .collect();
    if known.len() < 7 {
        return Err(too_short("top_down (four weeks of full days)"));
    }
    let mean = known.iter().sum::<f64>() / 7.0;
    if mean <= 0.0 {
        return Err(too_short("top_down (no volume)"));
    }
    let mut season = [0.0; 7];
    for w in 0..7 {
        season[w] = by_w[w].0 / by_w[w].1 as f64 / mean;
    }
    let mut level = mean;
    let mut trend = 0.0;
    for (d, v) in t.iter().enumerate() {
        let w = s.weekday(d);
        let base = level + p.phi * trend;
        match v {
            Some(y) if season[w] > 1e-6 => {
                let new_level = p.alpha * (y / season[w]) + (1.0 - p.alpha) * base;
                trend = p.beta * (new_level - level) + (1.0 - p.beta) * p.phi * trend;
                level = new_level.max(0.0);
                if level > 0.0 {
                    season[w] = p.gamma * (y / level) + (1.0 - p.gamma) * season[w];
                }
            }
            _ => {
                level = base.max(0.0);
                trend *= p.phi;
            }
        }
    }
    // Yearly: with a year of history, the ratio of weekly means a year
    // before each future week to the mean of the year-ago week before the
    // origin (smoothed over 3 weeks).
    let mut yearly = Vec::new();
    if days >= 365 + 28 {
        let week_mean = |end: i64| -> Option<f64> {
            let vals: Vec<f64> = ((end - 21).max(0)..end.max(0))
                .filter_map(|d| t.get(d as usize).copied().flatten())
                .collect();
            (vals.len() >= 10).then(|| vals.iter().sum::<f64>() / vals.len() as f64)
        };
        let base = week_mean(days as i64 - 364);
        if let Some(base) = base.filter(|b| *b > 0.0) {
            for k in 0..8i64 {
                let start = days as i64 - 364 + 7 * k;
                if let Some(m) = week_mean(start + 7) {
                    let day = s.date(days - 1) + chrono::Duration::days(1 + 7 * k);
                    yearly.push((day, (m / base).clamp(0.5, 2.0)));
                }
            }
        }
    }
    Ok(Body::TopDown {
        level,
        trend,
        phi: p.phi,
        season,
        last_day: s.date(days - 1),
        yearly,
        shares: shares(s, p.profile_weeks, minutes, p.pool_weekdays),
    })
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

fn regression(s: &Series, p: &RegressionParams, minutes: u32) -> Result<Body, ForecastError> {
    use linfa::prelude::*;
    use linfa_elasticnet::ElasticNet;
    let t = totals(s, minutes);
    let days = t.len();
    let fourier = if days >= 365 { p.fourier_terms } else { 0 };
    let month = if days >= 56 { p.month_terms } else { 0 };
    let start = days.saturating_sub(p.window_days).max(7);
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
    Ok(Body::Regression {
        intercept,
        coefficients,
        features,
        first_day: s.first_day,
        fourier_terms: fourier,
        month_terms: month,
        recent_level,
        smearing: smearing.clamp(0.8, 1.25),
        shares: shares(s, p.profile_weeks, minutes, p.pool_weekdays),
    })
}

/// 7 × slots AHT forecasts (empty when there is none in the history).
fn fit_aht(s: &Series, weeks: usize) -> Vec<f64> {
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

/// Effects of past holidays and campaigns (without a planner effect): each
/// day's total over the mean of up to 4 earlier normal days of the same
/// weekday (within 8 weeks); medians per name, family and kind.
fn learn_effects(
    series: &Series,
    normal: &Series,
    cal: &Calendar,
    minutes: u32,
) -> Vec<(String, f64, usize)> {
    let mut groups: HashMap<String, Vec<f64>> = HashMap::new();
    let nt = totals(normal, minutes);
    for d in 0..series.days() {
        let Some(day) = cal.get(&series.date(d)) else {
            continue;
        };
        if day.kind == SpecialDayKind::Closed {
            push_after(&mut groups, series, &nt, cal, d, minutes);
        }
        if !matches!(day.kind, SpecialDayKind::Holiday | SpecialDayKind::Campaign) {
            continue;
        }
        let Some(actual) = series.day_total(d, minutes) else {
            continue;
        };
        let base: Vec<f64> = (1..=8)
            .filter_map(|k| d.checked_sub(7 * k))
            .filter_map(|e| nt[e])
            .take(4)
            .collect();
        if base.is_empty() {
            continue;
        }
        let base = base.iter().sum::<f64>() / base.len() as f64;
        if base <= 0.0 {
            continue;
        }
        let ratio = actual / base;
        // The next day, when normal, after a day that (nearly) closed.
        if ratio < LOW_DAY {
            push_after(&mut groups, series, &nt, cal, d, minutes);
        }
        let kind = serde_json::to_string(&day.kind).unwrap_or_default();
        for key in [
            format!("name:{}", day.name.to_lowercase()),
            format!("family:{}", day.family()),
            format!("kind:{}", kind.trim_matches('"')),
        ] {
            groups.entry(key).or_default().push(ratio);
        }
    }
    let mut out: Vec<(String, f64, usize)> = groups
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_by(f64::total_cmp);
            let m = quantile(&v, 0.5);
            (k, m, v.len())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A holiday forecast (or seen) below this share of normal counts as a
/// closure for the day-after effect.
const LOW_DAY: f64 = 0.7;
const AFTER_KEY: &str = "after:holiday_or_closure";

/// Mean of up to 4 earlier normal totals of the same weekday (8 weeks).
fn same_weekday_base(nt: &[Option<f64>], d: usize) -> Option<f64> {
    let base: Vec<f64> = (1..=8)
        .filter_map(|k| d.checked_sub(7 * k))
        .filter_map(|e| nt[e])
        .take(4)
        .collect();
    let m = base.iter().sum::<f64>() / base.len().max(1) as f64;
    (m > 0.0).then_some(m)
}

/// Records the ratio of the day after `d` (catch-up after a closure) when
/// that day is a normal day.
fn push_after(
    groups: &mut HashMap<String, Vec<f64>>,
    series: &Series,
    nt: &[Option<f64>],
    cal: &Calendar,
    d: usize,
    minutes: u32,
) {
    let next = d + 1;
    if next >= series.days() || cal.contains_key(&series.date(next)) {
        return;
    }
    if let (Some(actual), Some(base)) =
        (series.day_total(next, minutes), same_weekday_base(nt, next))
    {
        groups
            .entry(AFTER_KEY.to_string())
            .or_default()
            .push(actual / base);
    }
}

impl FittedModel {
    pub fn grid(&self) -> Grid {
        Grid::new(self.grid_minutes, self.tz)
    }

    pub fn model(&self) -> ModelName {
        self.spec.name()
    }

    fn slots(&self) -> usize {
        (1440 / self.grid_minutes.max(1)) as usize
    }

    /// The multiplier of the normal forecast on `date` (None = normal day).
    pub fn day_effect(&self, date: NaiveDate) -> Option<f64> {
        let Some(day) = self.special_days.iter().find(|d| d.date == date) else {
            // A normal day after a closure or a near-closed holiday: the
            // catch-up effect learned from history (at least 2 such days).
            let prev = date.pred_opt()?;
            let low = self
                .special_days
                .iter()
                .any(|d| d.date == prev && d.kind != SpecialDayKind::Outlier)
                && self.day_effect(prev).is_some_and(|e| e < LOW_DAY);
            return self
                .learned_effects
                .iter()
                .find(|(k, _, n)| low && k == AFTER_KEY && *n >= 2)
                .map(|e| e.1);
        };
        match day.kind {
            SpecialDayKind::Closed => Some(0.0),
            SpecialDayKind::Outlier => None,
            SpecialDayKind::Holiday | SpecialDayKind::Campaign => {
                if let Some(e) = day.effect {
                    return Some(e);
                }
                let kind = serde_json::to_string(&day.kind).unwrap_or_default();
                let keys = [
                    format!("name:{}", day.name.to_lowercase()),
                    format!("family:{}", day.family()),
                    format!("kind:{}", kind.trim_matches('"')),
                ];
                keys.iter()
                    .find_map(|k| {
                        self.learned_effects
                            .iter()
                            .find(|(key, _, _)| key == k)
                            .map(|e| e.1)
                    })
                    .or(Some(1.0))
            }
        }
    }

    /// The normal-day forecast of one local date (slots values).
    pub(crate) fn normal_day(&self, date: NaiveDate) -> Vec<f64> {
        body_day(&self.body, date, self.slots())
    }

    /// The forecast of one local date, special days applied.
    pub(crate) fn day(&self, date: NaiveDate) -> Vec<f64> {
        let mut v = self.normal_day(date);
        if let Some(e) = self.day_effect(date) {
            v.iter_mut().for_each(|x| *x *= e);
        }
        v
    }

    /// One point per grid interval in [from, to); `from` must be on the grid.
    pub fn predict(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ForecastPoint>, ForecastError> {
        let grid = self.grid();
        if from >= to {
            return Err(ForecastError::InvalidWindow {
                message: format!("from ({from}) must be before to ({to})"),
            });
        }
        if !grid.is_aligned(from) {
            return Err(ForecastError::InvalidWindow {
                message: format!(
                    "from ({}) is not on the {}-minute grid in {}",
                    from.with_timezone(&grid.tz).to_rfc3339(),
                    grid.minutes,
                    grid.tz
                ),
            });
        }
        let n = self.slots();
        let mut cache: Option<(NaiveDate, Vec<f64>)> = None;
        Ok(grid
            .intervals(from, to)
            .into_iter()
            .map(|start| {
                let local = start.with_timezone(&grid.tz);
                let date = local.date_naive();
                let slot =
                    (((local.hour() * 60 + local.minute()) / grid.minutes) as usize).min(n - 1);
                if cache.as_ref().is_none_or(|(d, _)| *d != date) {
                    cache = Some((date, self.day(date)));
                }
                let volume = cache.as_ref().map(|(_, v)| v[slot]).unwrap_or(0.0).max(0.0);
                let (p10, p90) = self.calibration.band(volume);
                let w = date.weekday().num_days_from_monday() as usize;
                ForecastPoint {
                    start,
                    volume,
                    volume_p10: p10,
                    volume_p90: p90,
                    aht_seconds: self.aht.get(w * n + slot).copied(),
                }
            })
            .collect())
    }
}

fn body_day(body: &Body, date: NaiveDate, n: usize) -> Vec<f64> {
    let w = date.weekday().num_days_from_monday() as usize;
    match body {
        Body::WeeklyProfile { values } => values[w * n..(w + 1) * n].to_vec(),
        Body::TopDown {
            level,
            trend,
            phi,
            season,
            last_day,
            yearly,
            shares,
        } => {
            let h = (date - *last_day).num_days().max(1);
            let damp: f64 = (1..=h.min(3650)).map(|i| phi.powi(i as i32)).sum();
            let year = yearly
                .iter()
                .rev()
                .find(|(d, _)| *d <= date)
                .map_or(1.0, |y| y.1);
            let total = ((level + trend * damp) * season[w]).max(0.0) * year;
            shares[w * n..(w + 1) * n]
                .iter()
                .map(|s| s * total)
                .collect()
        }
        Body::Regression {
            intercept,
            coefficients,
            first_day,
            fourier_terms,
            month_terms,
            recent_level,
            smearing,
            shares,
            ..
        } => {
            let x = regression_features(
                date,
                *first_day,
                *recent_level,
                *fourier_terms,
                *month_terms,
            );
            let eta = intercept + x.iter().zip(coefficients).map(|(a, b)| a * b).sum::<f64>();
            let total = (eta.clamp(-50.0, 50.0).exp() * smearing - 1.0).max(0.0);
            shares[w * n..(w + 1) * n]
                .iter()
                .map(|s| s * total)
                .collect()
        }
        Body::Ensemble { members } => {
            let mut out = vec![0.0; n];
            for m in members {
                for (o, v) in out.iter_mut().zip(body_day(m, date, n)) {
                    *o += v / members.len() as f64;
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDateTime, TimeZone};

    fn paris() -> Tz {
        "Europe/Paris".parse().unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        paris()
            .from_local_datetime(&naive)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// `weeks` weeks of hourly rows from Monday 2026-01-05, open 08–18;
    /// volume = f(week, weekday, hour).
    fn hourly(weeks: i64, f: impl Fn(i64, i64, i64) -> f64) -> Vec<HistoryRow> {
        let mut rows = Vec::new();
        for w in 0..weeks {
            for d in 0..7 {
                for h in 8..18 {
                    let day = date("2026-01-05") + Duration::days(7 * w + d);
                    let start = paris()
                        .from_local_datetime(&day.and_hms_opt(h as u32, 0, 0).unwrap())
                        .single()
                        .unwrap()
                        .with_timezone(&Utc);
                    rows.push(HistoryRow {
                        start,
                        volume: f(w, d, h),
                        aht_seconds: Some(100.0 + h as f64),
                    });
                }
            }
        }
        rows
    }

    fn grid() -> Grid {
        Grid::new(60, paris())
    }

    fn fit(
        spec: ModelSpec,
        rows: &[HistoryRow],
        origin: DateTime<Utc>,
        sd: &[SpecialDay],
    ) -> FittedModel {
        spec.check()
            .unwrap()
            .fit(rows, &grid(), origin, sd)
            .unwrap()
    }

    #[test]
    fn names_parse_and_unknown_is_an_error() {
        for m in ModelName::ALL {
            assert_eq!(m.as_str().parse::<ModelName>().unwrap(), m);
            assert_eq!(
                m.as_str().parse::<ModelSelection>().unwrap(),
                ModelSelection::Model(m)
            );
        }
        assert_eq!(
            "auto".parse::<ModelSelection>().unwrap(),
            ModelSelection::Auto
        );
        assert!("arima".parse::<ModelSelection>().is_err());
        assert!("auto".parse::<ModelName>().is_err());
    }

    #[test]
    fn model_spec_files_parse_and_check() {
        for (name, json) in [
            (
                "seasonal_naive",
                include_str!("../../models/seasonal_naive.json"),
            ),
            (
                "weekly_average",
                include_str!("../../models/weekly_average.json"),
            ),
            ("regression", include_str!("../../models/regression.json")),
            ("top_down", include_str!("../../models/top_down.json")),
            ("ensemble", include_str!("../../models/ensemble.json")),
        ] {
            let spec: ModelSpec = serde_json::from_str(json).unwrap();
            assert_eq!(spec.name().as_str(), name);
            spec.check().unwrap();
        }
        let bad = ModelSpec::WeeklyAverage(WeightedAverageParams {
            weeks: 0,
            decay: 0.5,
        });
        assert!(bad.check().is_err());
        let bad = ModelSpec::TopDown(TopDownParams {
            alpha: 1.5,
            ..Default::default()
        });
        assert!(bad.check().is_err());
    }

    #[test]
    fn seasonal_naive_and_weighted_average_use_the_right_weeks() {
        // Week w has volume 10 * (w + 1) at every open hour; week 2 has no
        // Tuesday 09:00 row (missing, not zero).
        let rows: Vec<HistoryRow> = hourly(4, |w, _, _| 10.0 * (w + 1) as f64)
            .into_iter()
            .filter(|r| r.start != at("2026-01-20 09:00"))
            .collect();
        let origin = at("2026-02-02 00:00");
        let naive = fit(ModelName::SeasonalNaive.default_spec(), &rows, origin, &[]);
        assert_eq!(naive.day(date("2026-02-03"))[10], 40.0);
        let avg = fit(
            ModelSpec::WeeklyAverage(WeightedAverageParams {
                weeks: 2,
                decay: 1.0,
            }),
            &rows,
            origin,
            &[],
        );
        assert_eq!(avg.day(date("2026-02-03"))[10], 35.0);
        // Tuesday 09:00: weeks 3 and 1 (week 2 missing): (40 + 20) / 2.
        assert_eq!(avg.day(date("2026-02-03"))[9], 30.0);
        // A slot never seen is closed.
        assert_eq!(avg.day(date("2026-02-03"))[3], 0.0);
        let decayed = fit(
            ModelSpec::WeeklyAverage(WeightedAverageParams {
                weeks: 2,
                decay: 0.5,
            }),
            &rows,
            origin,
            &[],
        );
        // (40 + 0.5 * 30) / 1.5
        assert!((decayed.day(date("2026-02-03"))[10] - 55.0 / 1.5).abs() < 1e-9);
    }

    #[test]
    fn top_down_and_regression_follow_a_steady_pattern() {
        // Weekday-dependent daily totals with a fixed intraday shape.
        let rows = hourly(12, |_, d, h| (10 + d) as f64 * (1 + h % 3) as f64);
        let origin = at("2026-03-30 00:00");
        for spec in [
            ModelName::TopDown.default_spec(),
            ModelName::Regression.default_spec(),
            ModelName::Ensemble.default_spec(),
        ] {
            let m = fit(spec, &rows, origin, &[]);
            for (d, day) in ["2026-03-30", "2026-04-01", "2026-04-05"]
                .iter()
                .enumerate()
            {
                let dow = [0i64, 2, 6][d];
                let v = m.day(date(day));
                for h in 8..18 {
                    let want = (10 + dow) as f64 * (1 + h % 3) as f64;
                    assert!(
                        (v[h as usize] - want).abs() < 0.05 * want,
                        "{:?} {day} {h}: {} vs {want}",
                        spec.name(),
                        v[h as usize]
                    );
                }
                assert_eq!(v[3], 0.0);
            }
        }
    }

    #[test]
    fn top_down_follows_a_level_shift() {
        // Volume doubles from week 8 on; the weekly average lags, top-down adapts.
        let rows = hourly(12, |w, _, _| if w >= 8 { 20.0 } else { 10.0 });
        let origin = at("2026-03-30 00:00");
        let td = fit(ModelName::TopDown.default_spec(), &rows, origin, &[]);
        let v = td.day(date("2026-03-31"))[10];
        assert!(v > 18.0 && v < 22.0, "{v}");
    }

    #[test]
    fn special_days_closed_planner_effect_and_learned_effect() {
        // Every Wednesday 2026-01-14 and 2026-02-11 is a "Fest" at half volume.
        let fest = [date("2026-01-14"), date("2026-02-11")];
        let rows = hourly(8, |w, d, _| {
            let day = date("2026-01-05") + Duration::days(7 * w + d);
            if fest.contains(&day) {
                5.0
            } else {
                10.0
            }
        });
        let mut sd: Vec<SpecialDay> = fest
            .iter()
            .map(|d| SpecialDay {
                date: *d,
                kind: SpecialDayKind::Holiday,
                name: "Fest".into(),
                effect: None,
            })
            .collect();
        sd.push(SpecialDay {
            date: date("2026-03-04"),
            kind: SpecialDayKind::Holiday,
            name: "Fest".into(),
            effect: None,
        });
        sd.push(SpecialDay {
            date: date("2026-03-05"),
            kind: SpecialDayKind::Closed,
            name: "Move".into(),
            effect: None,
        });
        sd.push(SpecialDay {
            date: date("2026-03-06"),
            kind: SpecialDayKind::Campaign,
            name: "Mailing".into(),
            effect: Some(1.3),
        });
        let origin = at("2026-03-02 00:00");
        let m = fit(ModelName::WeeklyAverage.default_spec(), &rows, origin, &sd);
        // Normal Wednesday: the Fest days were left out of fitting.
        assert!((m.day(date("2026-03-11"))[10] - 10.0).abs() < 1e-9);
        // Learned: half.
        assert!((m.day(date("2026-03-04"))[10] - 5.0).abs() < 1e-9);
        assert!(m.day(date("2026-03-05")).iter().all(|v| *v == 0.0));
        assert!((m.day(date("2026-03-06"))[10] - 13.0).abs() < 1e-9);
        // Predict: closed day points are 0 with a 0–0 band.
        let p = m
            .predict(at("2026-03-05 00:00"), at("2026-03-06 00:00"))
            .unwrap();
        assert!(p.iter().all(|p| p.volume == 0.0 && p.volume_p90 == 0.0));
    }

    #[test]
    fn top_down_uses_last_year_with_a_year_of_history() {
        // Two years from 2026-01-05; December 2026 was twice as busy.
        let peak = |w: i64, d: i64| {
            let day = date("2026-01-05") + Duration::days(7 * w + d);
            day.year() == 2026 && day.month() == 12
        };
        let rows = hourly(104, |w, d, _| if peak(w, d) { 20.0 } else { 10.0 });
        let flat = hourly(104, |_, _, _| 10.0);
        // The three weeks before the origin were normal last year too.
        let origin = at("2027-11-29 00:00");
        let spec = ModelName::TopDown.default_spec();
        let busy = fit(spec, &rows, origin, &[]);
        let calm = fit(spec, &flat, origin, &[]);
        let ratio = busy.day(date("2027-12-14"))[10] / calm.day(date("2027-12-14"))[10];
        assert!(ratio > 1.4 && ratio < 2.1, "{ratio}");
        // Outside the peak last year: no change.
        let ratio = busy.day(date("2028-01-25"))[10] / calm.day(date("2028-01-25"))[10];
        assert!((ratio - 1.0).abs() < 0.1, "{ratio}");
        // Less than a year: no yearly factor.
        let short = fit(spec, &rows[rows.len() - 300 * 10..], origin, &[]);
        assert!(matches!(short.body, Body::TopDown { ref yearly, .. } if yearly.is_empty()));
    }

    #[test]
    fn the_day_after_a_closure_gets_the_learned_catch_up() {
        let closed = [date("2026-01-14"), date("2026-01-28"), date("2026-02-11")];
        let rows = hourly(8, |w, d, _| {
            let day = date("2026-01-05") + Duration::days(7 * w + d);
            if closed.contains(&day) {
                0.0
            } else if closed.contains(&(day - Duration::days(1))) {
                15.0
            } else {
                10.0
            }
        });
        let mut sd: Vec<SpecialDay> = closed
            .iter()
            .chain([date("2026-03-04")].iter())
            .map(|d| SpecialDay {
                date: *d,
                kind: SpecialDayKind::Closed,
                name: "Stocktake".into(),
                effect: None,
            })
            .collect();
        let origin = at("2026-03-02 00:00");
        let m = fit(ModelName::WeeklyAverage.default_spec(), &rows, origin, &sd);
        assert_eq!(m.day(date("2026-03-04"))[10], 0.0);
        // Thursday after: 1.5 × the normal Thursday (itself pulled up by the
        // catch-up Thursdays in the weighted average, so compare ratios).
        let after = m.day(date("2026-03-05"))[10];
        let normal = m.day(date("2026-03-12"))[10];
        assert!((after / normal - 1.5).abs() < 0.25, "{after} / {normal}");
        // Without closures in the calendar there is no catch-up.
        sd.clear();
        let m = fit(ModelName::WeeklyAverage.default_spec(), &rows, origin, &sd);
        assert_eq!(m.day(date("2026-03-05")), m.day(date("2026-03-12")));
    }

    #[test]
    fn fitted_models_round_trip_through_json() {
        let rows = hourly(10, |w, d, h| (5 + w + d + h % 4) as f64);
        let origin = at("2026-03-16 00:00");
        for name in ModelName::ALL {
            let m = fit(name.default_spec(), &rows, origin, &[]);
            let json = serde_json::to_string(&m).unwrap();
            let back: FittedModel = serde_json::from_str(&json).unwrap();
            assert_eq!(back.model(), name);
            let to = origin + Duration::days(7);
            assert_eq!(
                back.predict(origin, to).unwrap(),
                m.predict(origin, to).unwrap()
            );
            assert_eq!(back.training_window.0, at("2026-01-05 08:00"));
        }
    }

    #[test]
    fn aht_has_its_own_forecast() {
        let rows = hourly(3, |_, _, _| 10.0);
        let m = fit(
            ModelName::SeasonalNaive.default_spec(),
            &rows,
            at("2026-01-26 00:00"),
            &[],
        );
        let p = m
            .predict(at("2026-01-26 09:00"), at("2026-01-26 11:00"))
            .unwrap();
        assert_eq!(p[0].aht_seconds, Some(109.0));
        assert_eq!(p[1].aht_seconds, Some(110.0));
        let none: Vec<HistoryRow> = rows
            .iter()
            .map(|r| HistoryRow {
                aht_seconds: None,
                ..*r
            })
            .collect();
        let m = fit(
            ModelName::SeasonalNaive.default_spec(),
            &none,
            at("2026-01-26 00:00"),
            &[],
        );
        assert!(m.aht.is_empty());
        assert_eq!(
            m.predict(at("2026-01-26 09:00"), at("2026-01-26 10:00"))
                .unwrap()[0]
                .aht_seconds,
            None
        );
    }

    #[test]
    fn calibration_covers_80_percent_of_fresh_poisson_like_data() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        // Normal approximation to a count with mean f and variance 2f.
        let draw = |f: f64, rng: &mut rand_chacha::ChaCha8Rng| {
            let u: f64 = (0..12).map(|_| rng.gen::<f64>()).sum::<f64>() - 6.0;
            (f + u * (2.0 * f).sqrt()).max(0.0)
        };
        let levels = [2.0, 10.0, 50.0, 200.0];
        let train: Vec<(f64, f64)> = (0..4000)
            .map(|i| {
                let f = levels[i % 4];
                (f, draw(f, &mut rng))
            })
            .collect();
        let cal = Calibration::from_pairs(&train);
        assert_eq!(cal.z10.len(), 4);
        let mut inside = 0;
        for i in 0..4000 {
            let f = levels[i % 4];
            let y = draw(f, &mut rng);
            let (lo, hi) = cal.band(f);
            assert!(lo <= f && f <= hi && lo >= 0.0);
            inside += usize::from(y >= lo && y <= hi);
        }
        let cover = inside as f64 / 4000.0;
        assert!((0.76..=0.84).contains(&cover), "{cover}");
        assert_eq!(cal.band(0.0), (0.0, 0.0));
    }
}
