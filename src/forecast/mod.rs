//! Interval forecasts of volume (with a p10–p90 band) and handle time.
//!
//! The pipeline, one file each: [`series`](self) lays history out as local
//! days × intervals; [`models`] fit normal days (one file per model);
//! [`calendar_effects`] apply special days; [`profile`](self) spreads daily
//! totals over the day; [`aht`](self) forecasts handle time; [`backtest`]
//! scores models on past windows with the request's lead and length;
//! [`choice`] picks one and [`calibration`] sets its p10/p90 per lead.
//! After the fact, [`realised`] scores a stored forecast against its
//! window's actuals, and [`adjustments`] applies a planner's changes on top.
//!
//! Models follow the linfa shape: plain params → `check()` (validated
//! params) → `fit(history, grid, origin)` → a fitted model that `predict`s
//! any window on the grid. Only history strictly before the origin is used.
//! No I/O here: callers load history and persist results.

pub mod adjustments;
mod aht;
pub mod backtest;
pub mod calendar_effects;
pub mod calibration;
pub mod choice;
pub mod models;
mod outliers;
mod profile;
pub mod realised;
mod series;
pub mod special_days;

pub use backtest::{BacktestReport, Horizon, ModelScore};
pub use calibration::Calibration;
pub use choice::{
    candidate_specs, fit_work, forecast_many, forecast_with, forecast_with_specs, history_context,
    ChoiceRecord, FitWork, ForecastOutcome, HistoryContext, ModelChoice, QueueInput,
};
pub use models::baseline::{CheckedWeeklyAverage, FittedWeeklyAverage, WeeklyAverageParams};
pub use models::{
    Body, CheckedModel, EnsembleParams, FittedModel, LongHorizonParams, ModelName, ModelSelection,
    ModelSpec, RegressionParams, SeasonalNaiveParams, TopDownParams, WeightedAverageParams,
};
pub use special_days::{parse_special_days, SpecialDay, SpecialDayError, SpecialDayKind};

use chrono::{DateTime, Utc};

/// The forecast for one grid interval starting at `start`.
///
/// `volume` is the expected number of contacts; `volume_p10 <= volume <=
/// volume_p90` and `volume_p10 >= 0`. `aht_seconds` is `None` only when the
/// history had no handle times at all.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ForecastPoint {
    pub start: DateTime<Utc>,
    pub volume: f64,
    pub volume_p10: f64,
    pub volume_p90: f64,
    pub aht_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForecastError {
    /// A model parameter is out of range.
    #[error("{field}: {message}")]
    InvalidParams {
        field: &'static str,
        message: String,
    },
    /// No history row starts before the forecast origin.
    #[error("no history before {before}")]
    NoHistory { before: DateTime<Utc> },
    /// The window to predict is empty or not on the grid.
    #[error("invalid forecast window: {message}")]
    InvalidWindow { message: String },
    /// The caller asked the fit to stop (its client went away) before it ended.
    #[error("stopped before the end: nobody is waiting for this forecast any more")]
    Stopped,
}
