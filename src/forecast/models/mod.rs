//! The forecasting models. Each has a params struct (serde, with defaults)
//! gathered in [`ModelSpec`] → `check()` → [`CheckedModel::fit`] →
//! [`FittedModel::predict`] (the linfa shape: an unfitted model cannot
//! predict). A fitted model is plain data (serde) so it can be stored and
//! reused.
//!
//! Every model forecasts *normal days* (see [`crate::forecast::calendar_effects`]
//! for how special days are applied on top). Missing history is missing.
//!
//! * [`weekly_profile`]: `seasonal_naive`, `weekly_average` (short leads);
//! * [`regression`]: ridge on log daily totals with calendar features;
//! * [`top_down`]: Holt–Winters on daily totals, scaled by last year;
//! * [`long_horizon`]: pooled same-period-past-years × level, weeks to 18
//!   months ahead;
//! * `ensemble`: the mean of weekly_average, regression, top_down and
//!   long_horizon, each when it can be fitted.

pub mod baseline;
pub mod long_horizon;
pub mod regression;
#[cfg(test)]
mod tests;
pub mod top_down;
pub mod weekly_profile;

pub use long_horizon::{LongHorizonBody, LongHorizonParams};
pub use regression::{RegressionBody, RegressionParams};
pub use top_down::{TopDownBody, TopDownParams};
pub use weekly_profile::{SeasonalNaiveParams, WeightedAverageParams};

use super::aht::fit_aht;
use super::calendar_effects::{calendar, day_effect, learn_effects, normal_days};
use super::calibration::Calibration;
use super::outliers;
use super::series::Series;
use super::special_days::SpecialDay;
use super::{ForecastError, ForecastPoint};
use crate::domain::{Grid, HistoryRow};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use weekly_profile::{smoothed_weekly_average, weekly_average};

/// The engine's model names (`auto` is a [`ModelSelection`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ModelName {
    SeasonalNaive,
    WeeklyAverage,
    Regression,
    TopDown,
    LongHorizon,
    Ensemble,
}

impl ModelName {
    pub const ALL: [ModelName; 6] = [
        ModelName::SeasonalNaive,
        ModelName::WeeklyAverage,
        ModelName::Regression,
        ModelName::TopDown,
        ModelName::LongHorizon,
        ModelName::Ensemble,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ModelName::SeasonalNaive => "seasonal_naive",
            ModelName::WeeklyAverage => "weekly_average",
            ModelName::Regression => "regression",
            ModelName::TopDown => "top_down",
            ModelName::LongHorizon => "long_horizon",
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
            ModelName::LongHorizon => ModelSpec::LongHorizon(LongHorizonParams::default()),
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
                    "unknown model '{s}' (auto, seasonal_naive, weekly_average, regression, top_down, long_horizon, ensemble)"
                ),
            })
    }
}

/// `auto` (pick by backtest) or one model.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
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

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EnsembleParams {
    pub weekly_average: WeightedAverageParams,
    pub regression: RegressionParams,
    pub top_down: TopDownParams,
    /// A member only when it fits (a year and the base weeks of history).
    pub long_horizon: LongHorizonParams,
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
            long_horizon: LongHorizonParams::default(),
        }
    }
}

/// A model and its params, as stored in `models/<name>.json`.

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum ModelSpec {
    SeasonalNaive(SeasonalNaiveParams),
    WeeklyAverage(WeightedAverageParams),
    Regression(RegressionParams),
    TopDown(TopDownParams),
    LongHorizon(LongHorizonParams),
    Ensemble(EnsembleParams),
}

pub(crate) fn invalid(field: &'static str, message: String) -> ForecastError {
    ForecastError::InvalidParams { field, message }
}

pub(crate) fn check_unit(field: &'static str, v: f64, zero_ok: bool) -> Result<(), ForecastError> {
    let ok = v.is_finite() && v <= 1.0 && if zero_ok { v >= 0.0 } else { v > 0.0 };
    if ok {
        Ok(())
    } else {
        Err(invalid(field, format!("must be in (0, 1], got {v}")))
    }
}

pub(crate) fn check_weeks(field: &'static str, v: usize) -> Result<(), ForecastError> {
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
            ModelSpec::LongHorizon(_) => ModelName::LongHorizon,
            ModelSpec::Ensemble(_) => ModelName::Ensemble,
        }
    }

    /// Validates the params.
    pub fn check(&self) -> Result<CheckedModel, ForecastError> {
        match self {
            ModelSpec::SeasonalNaive(_) => {}
            ModelSpec::WeeklyAverage(p) => weekly_profile::check(p)?,
            ModelSpec::Regression(p) => regression::check(p)?,
            ModelSpec::TopDown(p) => top_down::check(p)?,
            ModelSpec::LongHorizon(p) => long_horizon::check(p)?,
            ModelSpec::Ensemble(p) => {
                weekly_profile::check(&p.weekly_average)?;
                regression::check(&p.regression)?;
                top_down::check(&p.top_down)?;
                long_horizon::check(&p.long_horizon)?;
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

/// The normal-day part of a fitted model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// 7 × slots values (Monday first): seasonal naive, weekly average.
    WeeklyProfile {
        values: Vec<f64>,
    },
    TopDown(TopDownBody),
    Regression(RegressionBody),
    LongHorizon(LongHorizonBody),
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
    /// Unmarked one-off days left out of the fit (spikes, outages).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outlier_days: Vec<NaiveDate>,
}

/// Daily totals, partial days completed where they can be (None = too
/// little of the day seen; see [`Series::completed_totals`]).
pub(crate) fn totals(s: &Series, minutes: u32) -> Vec<Option<f64>> {
    s.completed_totals(minutes)
}

pub(crate) fn too_short(what: &str) -> ForecastError {
    ForecastError::InvalidWindow {
        message: format!("not enough history for {what}"),
    }
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
        // Unmarked one-off days are left out of the fit too (not of effects).
        let (fit_on, outlier_days) = outliers::masked(&normal, grid.minutes);
        let body = fit_body(&self.spec, &fit_on, grid)?;
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
            outlier_days,
        })
    }
}

fn fit_body(spec: &ModelSpec, s: &Series, grid: &Grid) -> Result<Body, ForecastError> {
    let minutes = grid.minutes;
    Ok(match spec {
        ModelSpec::SeasonalNaive(_) => Body::WeeklyProfile {
            values: weekly_average(s, 1, 1.0),
        },
        ModelSpec::WeeklyAverage(p) => Body::WeeklyProfile {
            values: if p.smooth {
                smoothed_weekly_average(s, p.weeks, p.decay)
            } else {
                weekly_average(s, p.weeks, p.decay)
            },
        },
        ModelSpec::TopDown(p) => Body::TopDown(top_down::fit(s, p, minutes)?),
        ModelSpec::Regression(p) => Body::Regression(regression::fit(s, p, minutes)?),
        ModelSpec::LongHorizon(p) => Body::LongHorizon(long_horizon::fit(s, p, minutes)?),
        ModelSpec::Ensemble(p) => {
            // Members that cannot be fitted (too little or too gappy
            // history for them) are left out; one is enough.
            let specs = [
                ModelSpec::WeeklyAverage(p.weekly_average),
                ModelSpec::Regression(p.regression),
                ModelSpec::TopDown(p.top_down),
                ModelSpec::LongHorizon(p.long_horizon),
            ];
            let mut members = Vec::new();
            let mut first_err = None;
            for spec in &specs {
                match fit_body(spec, s, grid) {
                    Ok(b) => members.push(b),
                    Err(e) => first_err = first_err.or(Some(e)),
                }
            }
            if members.is_empty() {
                return Err(first_err.unwrap_or_else(|| too_short("ensemble")));
            }
            Body::Ensemble { members }
        }
    })
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
        day_effect(&self.special_days, &self.learned_effects, date)
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
        let origin_day = grid.local_date(self.origin);
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
                let lead = (date - origin_day).num_days();
                let (p10, p90) = self.calibration.band_at(volume, lead);
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
    match body {
        Body::WeeklyProfile { values } => {
            let w = date.weekday().num_days_from_monday() as usize;
            values[w * n..(w + 1) * n].to_vec()
        }
        Body::TopDown(b) => b.day(date, n),
        Body::Regression(b) => b.day(date, n),
        Body::LongHorizon(b) => b.day(date, n),
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
