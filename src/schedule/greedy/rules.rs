//! What a schedule must respect: the shift rule, agent contracts, the
//! problem (horizon + requirement) and their validation.
//!
//! Validation decisions (callers rely on these):
//! * the grid must have more than 0 minutes and divide an hour (15, 30, 60);
//! * `length_minutes` is a multiple of the grid, above 0 and at most 24 h;
//! * `lunch_minutes` is a multiple of the grid; when it is above 0 the shift
//!   must be at least `lunch_minutes + 3 h` long, so the lunch window
//!   (see [`LUNCH_AFTER_START_MINUTES`], [`LUNCH_BEFORE_END_MINUTES`]) exists;
//! * `earliest_start <= latest_start`, both on the grid (whole minutes);
//! * `max_days_per_week` is 1..=7, `min_rest_hours` at most 168;
//! * contracts: `min_week_minutes <= max_week_minutes`, names not blank,
//!   ids unique; at least one agent;
//! * the problem: `days` is 1..=366, `start` is the local start of a day
//!   (`grid.start_of_day`), requirement values are finite and >= 0, their
//!   times on the grid and not repeated. Requirement rows outside the
//!   horizon are ignored (the roster gets a warning).
//!
//! Weeks: `max_days_per_week`, `max_week_minutes` and `min_week_minutes`
//! apply to consecutive 7-day blocks counted from `start` (days 0-6, 7-13,
//! ...); a shift belongs to the local day it starts on. For a last block
//! shorter than 7 days the minimum is pro-rated (`min * days / 7`, rounded
//! down); the maxima are not.

use crate::domain::{AgentId, Grid};
use crate::schedule::engine::horizon::{check_grid, horizon_of, Horizon};
use crate::schedule::engine::ScheduleError;
use chrono::{DateTime, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// A lunch starts at least this long after its shift starts.
pub const LUNCH_AFTER_START_MINUTES: u32 = 120;
/// A lunch ends at least this long before its shift ends.
pub const LUNCH_BEFORE_END_MINUTES: u32 = 60;

fn default_min_rest_hours() -> u32 {
    11
}

fn default_max_days_per_week() -> u32 {
    5
}

/// The single shift pattern every agent works.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShiftRule {
    /// Paid + unpaid length of every shift, a multiple of the grid.
    pub length_minutes: u32,
    /// Earliest local start (in `grid.tz`), on the grid.
    pub earliest_start: NaiveTime,
    /// Latest local start, inclusive, on the grid.
    pub latest_start: NaiveTime,
    /// One unpaid lunch per shift (0 = none), a multiple of the grid.
    pub lunch_minutes: u32,
    /// Minimum rest between the end of one shift and the next start.
    #[serde(default = "default_min_rest_hours")]
    pub min_rest_hours: u32,
    #[serde(default = "default_max_days_per_week")]
    pub max_days_per_week: u32,
}

impl ShiftRule {
    /// A rule with the default rest (11 h) and days per week (5).
    pub fn new(
        length_minutes: u32,
        earliest_start: NaiveTime,
        latest_start: NaiveTime,
        lunch_minutes: u32,
    ) -> Self {
        Self {
            length_minutes,
            earliest_start,
            latest_start,
            lunch_minutes,
            min_rest_hours: default_min_rest_hours(),
            max_days_per_week: default_max_days_per_week(),
        }
    }

    /// Shift length minus the unpaid lunch.
    pub fn paid_minutes(&self) -> u32 {
        self.length_minutes.saturating_sub(self.lunch_minutes)
    }

    /// Checks the rule against the grid it will be scheduled on.
    pub fn check(&self, grid: &Grid) -> Result<(), ScheduleError> {
        check_grid(grid)?;
        let m = grid.minutes;
        let bad = |field: &str, message: String| {
            Err(ScheduleError::InvalidRule {
                field: field.to_string(),
                message,
            })
        };
        if self.length_minutes == 0 || self.length_minutes > 24 * 60 {
            return bad(
                "length_minutes",
                format!(
                    "{} is not a shift length (must be above 0 and at most 1440)",
                    self.length_minutes
                ),
            );
        }
        if !self.length_minutes.is_multiple_of(m) {
            return bad(
                "length_minutes",
                format!(
                    "{} is not a multiple of the {m}-minute grid",
                    self.length_minutes
                ),
            );
        }
        if !self.lunch_minutes.is_multiple_of(m) {
            return bad(
                "lunch_minutes",
                format!(
                    "{} is not a multiple of the {m}-minute grid",
                    self.lunch_minutes
                ),
            );
        }
        let window = LUNCH_AFTER_START_MINUTES + LUNCH_BEFORE_END_MINUTES;
        if self.lunch_minutes > 0 && self.length_minutes < self.lunch_minutes + window {
            return bad(
                "length_minutes",
                format!(
                    "a {}-minute shift is too short for a {}-minute lunch: it must be at least the lunch plus {} minutes \
                     (lunch starts 2 h after the shift starts and ends 1 h before it ends)",
                    self.length_minutes, self.lunch_minutes, window
                ),
            );
        }
        for (field, t) in [
            ("earliest_start", self.earliest_start),
            ("latest_start", self.latest_start),
        ] {
            if t.second() != 0 || t.nanosecond() != 0 || !t.minute().is_multiple_of(m) {
                return bad(
                    field,
                    format!("{} is not on the {m}-minute grid", t.format("%H:%M:%S")),
                );
            }
        }
        if self.earliest_start > self.latest_start {
            return bad(
                "earliest_start",
                format!(
                    "{} is after latest_start {}",
                    self.earliest_start.format("%H:%M"),
                    self.latest_start.format("%H:%M")
                ),
            );
        }
        if !(1..=7).contains(&self.max_days_per_week) {
            return bad(
                "max_days_per_week",
                format!("{} is not between 1 and 7", self.max_days_per_week),
            );
        }
        if self.min_rest_hours > 168 {
            return bad(
                "min_rest_hours",
                format!("{} is more than a week (168)", self.min_rest_hours),
            );
        }
        Ok(())
    }

    /// Offsets (minutes from shift start) where a lunch may start: every
    /// grid slot from 2 h after the start to 1 h + lunch before the end.
    /// When the shift is too short for that window (only possible for
    /// grids that do not divide 2 h evenly) the lunch goes in the middle.
    /// Empty when there is no lunch.
    pub fn lunch_offsets(&self, grid_minutes: u32) -> Vec<u32> {
        if self.lunch_minutes == 0 || grid_minutes == 0 {
            return Vec::new();
        }
        let m = grid_minutes;
        let lo = LUNCH_AFTER_START_MINUTES.div_ceil(m) * m;
        let latest_end = self.length_minutes.saturating_sub(LUNCH_BEFORE_END_MINUTES);
        let hi = latest_end.saturating_sub(self.lunch_minutes) / m * m;
        if latest_end >= self.lunch_minutes && lo <= hi {
            (lo..=hi).step_by(m as usize).collect()
        } else {
            vec![(self.length_minutes.saturating_sub(self.lunch_minutes) / m / 2) * m]
        }
    }
}

/// What one agent may work per week.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentContract {
    pub id: AgentId,
    pub name: String,
    /// Soft: the solver tries to reach it and warns when it cannot.
    pub min_week_minutes: u32,
    /// Hard: never exceeded.
    pub max_week_minutes: u32,
}

impl AgentContract {
    pub fn check(&self) -> Result<(), ScheduleError> {
        if self.name.trim().is_empty() {
            return Err(ScheduleError::InvalidContract {
                agent: self.id,
                message: "name is blank".to_string(),
            });
        }
        if self.min_week_minutes > self.max_week_minutes {
            return Err(ScheduleError::InvalidContract {
                agent: self.id,
                message: format!(
                    "min_week_minutes {} is above max_week_minutes {}",
                    self.min_week_minutes, self.max_week_minutes
                ),
            });
        }
        Ok(())
    }
}

/// One scheduling run: who, when, and how many agents each interval needs.
#[derive(Debug, Clone)]
pub struct ScheduleProblem {
    pub grid: Grid,
    /// Local midnight of the first day (`grid.start_of_day`).
    pub start: DateTime<Utc>,
    /// Number of local days (7 for a week).
    pub days: u32,
    /// Agents needed per interval start; intervals absent need 0.
    pub requirement: Vec<(DateTime<Utc>, f64)>,
    pub agents: Vec<AgentContract>,
    pub rule: ShiftRule,
}

impl ScheduleProblem {
    /// Validates everything; the first problem found is returned.
    pub fn check(&self) -> Result<(), ScheduleError> {
        self.rule.check(&self.grid)?;
        self.horizon()?;
        if self.agents.is_empty() {
            return Err(ScheduleError::NoAgents);
        }
        let mut seen = HashSet::with_capacity(self.agents.len());
        for a in &self.agents {
            a.check()?;
            if !seen.insert(a.id) {
                return Err(ScheduleError::DuplicateAgent(a.id));
            }
        }
        let mut times = HashSet::with_capacity(self.requirement.len());
        for &(t, v) in &self.requirement {
            if !(v.is_finite() && (0.0..=1e9).contains(&v)) {
                return Err(ScheduleError::InvalidRequirement {
                    start: t,
                    message: format!(
                        "{v} agents is not a requirement (must be a finite number, 0 or more)"
                    ),
                });
            }
            if !self.grid.is_aligned(t) {
                return Err(ScheduleError::InvalidRequirement {
                    start: t,
                    message: format!(
                        "not on the {}-minute grid in {}",
                        self.grid.minutes, self.grid.tz
                    ),
                });
            }
            if !times.insert(t) {
                return Err(ScheduleError::InvalidRequirement {
                    start: t,
                    message: "given twice".to_string(),
                });
            }
        }
        Ok(())
    }

    /// The intervals and day boundaries of the horizon.
    pub(crate) fn horizon(&self) -> Result<Horizon, ScheduleError> {
        horizon_of(&self.grid, self.start, self.days)
    }

    /// The requirement per horizon interval, and how many rows fell outside.
    pub(crate) fn requirement_per_interval(&self, horizon: &Horizon) -> (Vec<f64>, usize) {
        let mut req = vec![0.0; horizon.intervals.len()];
        let mut outside = 0;
        for &(t, v) in &self.requirement {
            match horizon.index_of(t) {
                Some(i) => req[i] += v,
                None => outside += 1,
            }
        }
        (req, outside)
    }

    /// Contract minimum for week block `week` (pro-rated for a short last block).
    pub(crate) fn week_minimum(&self, agent: &AgentContract, week: usize) -> u32 {
        let days_in_block = (self.days as usize).saturating_sub(week * 7).min(7) as u64;
        (u64::from(agent.min_week_minutes) * days_in_block / 7) as u32
    }

    pub(crate) fn weeks(&self) -> usize {
        (self.days as usize).div_ceil(7)
    }
}

/// Index of agents by id, for checks.
pub(crate) fn agent_index(agents: &[AgentContract]) -> HashMap<AgentId, usize> {
    agents.iter().enumerate().map(|(i, a)| (a.id, i)).collect()
}
