//! The interval rostering model: agents under contracts, shift templates
//! with breaks, the requirement per queue, and the objective weights.
//!
//! Units: times of day are local wall-clock times in `grid.tz`; instants
//! are UTC; durations are minutes; weights are cost per agent-hour (so the
//! objective does not change with the grid length).
//!
//! Hard rules (never broken by the solver): templates and their start
//! windows and length ranges, breaks inside their windows, one shift per
//! local day, the agent's skills, templates, availability, hard days off
//! and approved time off, paid minutes per day within
//! `[min_day_minutes, max_day_minutes]`, at most `max_week_minutes` and
//! `max_shifts_per_week` per 7-day block, rest between shifts, at most
//! `max_consecutive_days` in a row, day-off runs of at least
//! `min_consecutive_days_off`, at most `max_working_weekends` (of the
//! problem's weekend days), all counted
//! across the horizon start from [`History`].
//!
//! Soft (in the objective): under- and over-cover, soft requests, and the
//! contract minima per week (`min_week_minutes`, `min_shifts_per_week`),
//! which a roster cannot always meet (time off, availability) and which are
//! reported per agent and week when missed.

use crate::domain::{AgentId, Grid, QueueId, WeekendDays};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// Most breaks one template may have.
pub const MAX_BREAKS: usize = 4;

/// One scheduling problem.
#[derive(Debug, Clone)]
pub struct Problem {
    pub grid: Grid,
    /// Local midnight of the first day.
    pub start: DateTime<Utc>,
    pub days: u32,
    /// Agents required per interval, per queue.
    pub queues: Vec<QueueDemand>,
    pub templates: Vec<ShiftTemplate>,
    pub agents: Vec<Agent>,
    pub weights: Weights,
    /// The days `max_working_weekends` counts (the queue's weekend).
    pub weekend: WeekendDays,
}

/// The requirement of one queue: agents needed per interval start
/// (absent intervals need 0).
#[derive(Debug, Clone)]
pub struct QueueDemand {
    pub queue: QueueId,
    pub requirement: Vec<(DateTime<Utc>, f64)>,
}

/// A family of shifts: starts on the grid inside a local window, lengths
/// in a range, and the breaks each shift takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftTemplate {
    pub name: String,
    /// Earliest local start, on the grid.
    pub earliest_start: NaiveTime,
    /// Latest local start (inclusive), on the grid.
    pub latest_start: NaiveTime,
    /// Shortest shift (including breaks), a multiple of the grid.
    pub min_length_minutes: u32,
    /// Longest shift (including breaks), a multiple of the grid.
    pub max_length_minutes: u32,
    /// Lengths go from min to max in this step (0 = the grid).
    #[serde(default)]
    pub length_step_minutes: u32,
    #[serde(default)]
    pub breaks: Vec<BreakRule>,
}

/// A break or lunch: where it may sit relative to the shift start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakRule {
    #[serde(default)]
    pub name: String,
    /// Length, a multiple of the grid.
    pub minutes: u32,
    /// It starts at least this long after the shift starts.
    pub earliest_start_minutes: u32,
    /// It ends at most this long after the shift starts (and inside the shift).
    pub latest_end_minutes: u32,
    /// Paid breaks count towards paid minutes; unpaid (lunches) do not.
    #[serde(default)]
    pub paid: bool,
    /// Taken only by shifts at least this long (0 = every shift).
    #[serde(default)]
    pub min_shift_minutes: u32,
}

/// What one agent may work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Contract {
    /// Paid minutes of a shift: at least this ...
    pub min_day_minutes: u32,
    /// ... and at most this.
    pub max_day_minutes: u32,
    /// Soft: paid minutes per 7-day block the roster tries to reach
    /// (pro-rated for days the agent cannot work and for a short last block).
    pub min_week_minutes: u32,
    /// Hard: paid minutes per 7-day block.
    pub max_week_minutes: u32,
    /// Soft, like `min_week_minutes`.
    pub min_shifts_per_week: u32,
    /// Hard.
    pub max_shifts_per_week: u32,
    /// Hard: working days in a row (counting [`History`]).
    pub max_consecutive_days: u32,
    /// Hard: a run of days off between two working days is at least this long.
    pub min_consecutive_days_off: u32,
    /// Hard: weekends worked in the horizon (a weekend counts when any of
    /// its days is worked; the days are the problem's `weekend`, Saturday
    /// and Sunday unless the queue says otherwise); `None` = no limit.
    pub max_working_weekends: Option<u32>,
    /// Hard: rest between the end of a shift and the start of the next.
    pub min_rest_minutes: u32,
}

impl Default for Contract {
    fn default() -> Self {
        Self {
            min_day_minutes: 0,
            max_day_minutes: 24 * 60,
            min_week_minutes: 0,
            max_week_minutes: 40 * 60,
            min_shifts_per_week: 0,
            max_shifts_per_week: 5,
            max_consecutive_days: 6,
            min_consecutive_days_off: 1,
            max_working_weekends: None,
            min_rest_minutes: 11 * 60,
        }
    }
}

/// When an agent can work. An agent with no windows can work any time;
/// otherwise a shift must lie inside one window that applies to its day
/// (windows for a date replace the weekday's windows on that date).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Mon")]
    pub weekday: Option<Weekday>,
    #[serde(default)]
    pub date: Option<NaiveDate>,
    pub from: NaiveTime,
    /// At or before `from` means the window runs past midnight.
    pub to: NaiveTime,
}

/// Approved time off (UTC): no shift may overlap it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeOff {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Whether a request asks to work or not to work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Want {
    On,
    Off,
}

/// A soft wish for one day. With neither `start` nor `template` it is a
/// day on/off request; otherwise it names a shift (start time and/or
/// template) to get (`on`) or avoid (`off`). Missing it costs `weight`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub date: NaiveDate,
    pub want: Want,
    #[serde(default)]
    pub start: Option<NaiveTime>,
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default = "one")]
    pub weight: f64,
}

fn one() -> f64 {
    1.0
}

/// What the agent worked just before the horizon, so the rules hold across
/// its start. All zero / `None` = unknown (nothing is carried over).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct History {
    /// Days worked in a row up to the day before the horizon.
    pub consecutive_days_worked: u32,
    /// Days off in a row up to the day before the horizon (0 when the
    /// agent worked that day).
    pub consecutive_days_off: u32,
    pub last_shift_end: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Agent {
    pub id: AgentId,
    pub name: String,
    pub contract: Contract,
    /// Queues the agent can take; empty = every queue of the problem.
    pub skills: Vec<QueueId>,
    /// Template names the agent may work; empty = every template.
    pub templates: Vec<String>,
    pub availability: Vec<Availability>,
    /// Hard days off (local dates).
    pub days_off: Vec<NaiveDate>,
    pub time_off: Vec<TimeOff>,
    pub requests: Vec<Request>,
    pub history: History,
}

impl Agent {
    /// An agent with a contract and nothing else.
    pub fn new(id: AgentId, name: impl Into<String>, contract: Contract) -> Self {
        Self {
            id,
            name: name.into(),
            contract,
            skills: Vec::new(),
            templates: Vec::new(),
            availability: Vec::new(),
            days_off: Vec::new(),
            time_off: Vec::new(),
            requests: Vec::new(),
            history: History::default(),
        }
    }
}

/// Objective weights, per agent-hour (requests carry their own weight).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// Per agent-hour short of the requirement.
    pub under: f64,
    /// Per agent-hour above the requirement.
    pub over: f64,
    /// Per paid hour: above 0 (and well below `under`) minimises paid hours
    /// subject to coverage.
    pub paid_hour: f64,
    /// Per hour short of a contract's weekly minimum; a shift short of
    /// `min_shifts_per_week` costs four such hours.
    pub contract_hour: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            under: 10.0,
            over: 1.0,
            paid_hour: 0.0,
            contract_hour: 2.0,
        }
    }
}

/// Everything about an agent the engine uses beyond its id, name and
/// weekly hours, as stored with the agent (JSON). Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AgentProfile {
    /// Its `min_week_minutes` / `max_week_minutes` are the agent's weekly
    /// hours (the API refuses a body where the two disagree).
    pub contract: Contract,
    pub skills: Vec<QueueId>,
    pub templates: Vec<String>,
    pub availability: Vec<Availability>,
    pub days_off: Vec<NaiveDate>,
    pub time_off: Vec<TimeOff>,
    pub requests: Vec<Request>,
    pub history: History,
}

impl Agent {
    /// The engine's agent from a stored profile and the weekly minutes.
    pub fn from_profile(
        id: AgentId,
        name: impl Into<String>,
        profile: AgentProfile,
        min_week_minutes: u32,
        max_week_minutes: u32,
    ) -> Self {
        let mut contract = profile.contract;
        contract.min_week_minutes = min_week_minutes;
        contract.max_week_minutes = max_week_minutes;
        Self {
            id,
            name: name.into(),
            contract,
            skills: profile.skills,
            templates: profile.templates,
            availability: profile.availability,
            days_off: profile.days_off,
            time_off: profile.time_off,
            requests: profile.requests,
            history: profile.history,
        }
    }
}
