//! The greedy's output: shifts with their breaks, and the coverage they
//! give per interval.

use crate::domain::AgentId;
use crate::schedule::engine::{coverage_percent, paid_minutes, Break};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One agent's shift: on from `start` to `end` except during `breaks`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shift {
    pub agent: AgentId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub breaks: Vec<Break>,
}

impl Shift {
    /// Shift length minus unpaid breaks.
    pub fn paid_minutes(&self) -> i64 {
        paid_minutes(self.start, self.end, &self.breaks)
    }

    /// True when the agent is working (inside the shift, not on a break) at `t`.
    pub fn is_on(&self, t: DateTime<Utc>) -> bool {
        t >= self.start && t < self.end && !self.breaks.iter().any(|b| t >= b.start && t < b.end)
    }
}

/// Agents required and agents on, for one interval of the horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntervalCoverage {
    pub start: DateTime<Utc>,
    pub required: f64,
    pub scheduled: u32,
}

/// A schedule: shifts (sorted by start, then agent order), coverage for
/// every interval of the horizon, and warnings (e.g. a contract minimum
/// that could not be met).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Roster {
    pub shifts: Vec<Shift>,
    pub coverage: Vec<IntervalCoverage>,
    pub warnings: Vec<String>,
}

impl Roster {
    /// Paid hours (shift length minus unpaid breaks), summed over shifts.
    pub fn rostered_hours(&self) -> f64 {
        self.shifts
            .iter()
            .map(|s| s.paid_minutes() as f64)
            .sum::<f64>()
            / 60.0
    }

    /// 100 · Σ min(scheduled, required) / Σ required; 100 when nothing is required.
    pub fn coverage_percent(&self) -> f64 {
        coverage_percent(self.coverage.iter().map(|c| (c.required, c.scheduled)))
    }
}
