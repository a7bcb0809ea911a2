//! What a schedule job needs to run, as stored with it so that any instance
//! can pick the job up.

use super::engine::{ShiftTemplate, Weights};
use super::greedy::ShiftRule;
use crate::domain::ForecastId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Longest time limit a job may ask for.
pub const MAX_TIME_LIMIT_SECONDS: f64 = 600.0;
pub const DEFAULT_TIME_LIMIT_SECONDS: f64 = 10.0;

/// Which solver builds the roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    /// The rostering engine (templates, contracts, breaks, local search).
    #[default]
    Engine,
    /// The one-rule greedy, kept as a baseline.
    Greedy,
}

/// A job's inputs. Fields added after the first release default, so jobs
/// stored by older versions still read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobParams {
    pub forecast_id: ForecastId,
    /// First local day of the roster.
    pub first_day: NaiveDate,
    pub days: u32,
    /// The single shift rule (greedy; the engine's template when
    /// `templates` is `None`).
    pub rule: ShiftRule,
    pub solver: Solver,
    #[serde(default)]
    pub templates: Option<Vec<ShiftTemplate>>,
    #[serde(default)]
    pub weights: Option<Weights>,
    #[serde(default = "default_time_limit")]
    pub time_limit_seconds: f64,
    #[serde(default)]
    pub seed: u64,
    /// Deterministic mode: the engine's search stops after this many moves
    /// (the time limit still caps it), so one seed gives one roster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iteration_budget: Option<u64>,
}

fn default_time_limit() -> f64 {
    DEFAULT_TIME_LIMIT_SECONDS
}
