//! The hard rules that span days, checked on one agent's whole horizon
//! (plus its history): rest, consecutive days, day-off runs, weekly
//! maxima and weekends. Per-day rules (availability, time off, templates,
//! day minutes) are already in the catalog's allowed options.

use super::catalog::{AgentData, Catalog};
use super::model::{Contract, MAX_BREAKS};
use serde::{Deserialize, Serialize};

/// One agent's shift on one day: option, queue and break start offsets
/// (intervals from the shift start; only the plan's first slots are used).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Assign {
    pub opt: u32,
    pub queue: u8,
    pub breaks: [u16; MAX_BREAKS],
}

/// Why an agent cannot take (more) work: the rule that binds.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Less than the contract's rest between two shifts.
    Rest,
    MaxConsecutiveDays,
    MinConsecutiveDaysOff,
    MaxShiftsPerWeek,
    MaxWeekHours,
    MaxWorkingWeekends,
    /// Already has a shift that day (one shift per day).
    OneShiftPerDay,
    /// Availability, a hard day off, approved time off, the day-hours
    /// limits or the agent's templates leave no shift covering the interval.
    Unavailable,
    /// No agent has the skill for the queue.
    NoSkill,
    /// No template starts a shift that covers the interval.
    NoShiftCovers,
    /// Breaks are placed here and no rule stops more work: the rule is the
    /// objective (the cost of the extra hours elsewhere outweighs the gain).
    Cost,
}

impl Rule {
    /// The rule's name as it is serialised (snake case).
    pub fn key(self) -> &'static str {
        match self {
            Rule::Rest => "rest",
            Rule::MaxConsecutiveDays => "max_consecutive_days",
            Rule::MinConsecutiveDaysOff => "min_consecutive_days_off",
            Rule::MaxShiftsPerWeek => "max_shifts_per_week",
            Rule::MaxWeekHours => "max_week_hours",
            Rule::MaxWorkingWeekends => "max_working_weekends",
            Rule::OneShiftPerDay => "one_shift_per_day",
            Rule::Unavailable => "unavailable",
            Rule::NoSkill => "no_skill",
            Rule::NoShiftCovers => "no_shift_covers",
            Rule::Cost => "cost",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Rule::Rest => "minimum rest between shifts",
            Rule::MaxConsecutiveDays => "maximum consecutive working days",
            Rule::MinConsecutiveDaysOff => "minimum consecutive days off",
            Rule::MaxShiftsPerWeek => "maximum shifts per week",
            Rule::MaxWeekHours => "maximum hours per week",
            Rule::MaxWorkingWeekends => "maximum working weekends",
            Rule::OneShiftPerDay => "one shift per day (free agents are all rostered that day)",
            Rule::Unavailable => "availability, days off and time off",
            Rule::NoSkill => "no agent has the skill",
            Rule::NoShiftCovers => "no shift template covers this time",
            Rule::Cost => "objective weights (extra shifts would cost more elsewhere)",
        }
    }
}

const MAX_WEEKS: usize = 53;

/// Checks the day-spanning rules for one agent; `day(d)` gives its
/// assignment on day `d`. Returns the first rule broken. With `pattern_only`
/// the rules that depend on which shift is worked (rest, weekly minutes)
/// are skipped: only the pattern of days on and off is checked.
pub(crate) fn check_agent<'s>(
    cat: &Catalog,
    contract: &Contract,
    data: &AgentData,
    pattern_only: bool,
    day: impl Fn(usize) -> Option<&'s Assign>,
) -> Result<(), Rule> {
    let g = i64::from(cat.grid_minutes);
    let rest = i64::from(contract.min_rest_minutes);
    let mut last_end = data.last_end_min;
    let mut run_work = data.hist_worked;
    let mut run_off = data.hist_off;
    // A day-off run only counts when work precedes it.
    let mut off_bounded = data.hist_worked > 0 || data.hist_off > 0;
    let mut minutes = [0u32; MAX_WEEKS];
    let mut shifts = [0u32; MAX_WEEKS];
    let mut weekends = 0u64;
    for d in 0..cat.days() {
        match day(d) {
            Some(a) => {
                let o = &cat.opts[a.opt as usize];
                let start = i64::from(o.start) * g;
                if let Some(end) = last_end {
                    if !pattern_only && start - end < rest {
                        return Err(Rule::Rest);
                    }
                }
                last_end = Some(start + i64::from(o.len) * g);
                if run_off > 0 && off_bounded && run_off < contract.min_consecutive_days_off {
                    return Err(Rule::MinConsecutiveDaysOff);
                }
                run_off = 0;
                off_bounded = true;
                run_work += 1;
                if run_work > contract.max_consecutive_days {
                    return Err(Rule::MaxConsecutiveDays);
                }
                let w = cat.day_week[d];
                shifts[w] += 1;
                if shifts[w] > contract.max_shifts_per_week {
                    return Err(Rule::MaxShiftsPerWeek);
                }
                minutes[w] += o.paid_minutes;
                if !pattern_only && minutes[w] > contract.max_week_minutes {
                    return Err(Rule::MaxWeekHours);
                }
                if let Some(we) = cat.day_weekend[d] {
                    weekends |= 1 << we;
                }
            }
            None => {
                run_work = 0;
                run_off += 1;
            }
        }
    }
    if let Some(max) = contract.max_working_weekends {
        if weekends.count_ones() > max {
            return Err(Rule::MaxWorkingWeekends);
        }
    }
    Ok(())
}

/// The soft part of one agent's cost: requests, contract minima, paid hours.
pub(crate) fn agent_soft_cost<'s>(
    cat: &Catalog,
    data: &AgentData,
    weights: &super::model::Weights,
    day: impl Fn(usize) -> Option<&'s Assign>,
) -> SoftCost {
    let mut minutes = [0u32; MAX_WEEKS];
    let mut shifts = [0u32; MAX_WEEKS];
    let mut out = SoftCost::default();
    for d in 0..cat.days() {
        let a = day(d);
        let opt = a.map(|a| &cat.opts[a.opt as usize]);
        if let Some(o) = opt {
            minutes[cat.day_week[d]] += o.paid_minutes;
            shifts[cat.day_week[d]] += 1;
            out.paid_minutes += u64::from(o.paid_minutes);
        }
        let (cost, missed) = request_cost(&data.requests[d], opt);
        out.requests += cost;
        out.requests_missed += missed;
    }
    for w in 0..cat.weeks {
        let short_minutes = data.min_week_minutes[w].saturating_sub(minutes[w]);
        out.contract_short_minutes += u64::from(short_minutes);
        out.contract += contract_cost(weights, data, w, minutes[w], shifts[w]);
    }
    out.paid = weights.paid_hour * out.paid_minutes as f64 / 60.0;
    out
}

/// Cost and count of the day's requests not granted when it holds `opt`.
pub(crate) fn request_cost(
    requests: &[super::catalog::Req],
    opt: Option<&super::catalog::Opt>,
) -> (f64, u32) {
    let mut cost = 0.0;
    let mut missed = 0;
    for r in requests {
        let matches = opt.is_some_and(|o| {
            r.start.is_none_or(|s| s == o.local_start) && r.template.is_none_or(|t| t == o.template)
        });
        let granted = match r.want {
            super::model::Want::On => matches,
            super::model::Want::Off => !matches,
        };
        if !granted {
            cost += r.weight;
            missed += 1;
        }
    }
    (cost, missed)
}

/// Contract-minimum cost of week `w` when `minutes` and `shifts` are worked.
pub(crate) fn contract_cost(
    weights: &super::model::Weights,
    data: &AgentData,
    w: usize,
    minutes: u32,
    shifts: u32,
) -> f64 {
    let short_minutes = data.min_week_minutes[w].saturating_sub(minutes);
    let short_shifts = data.min_week_shifts[w].saturating_sub(shifts);
    weights.contract_hour * (f64::from(short_minutes) / 60.0 + 4.0 * f64::from(short_shifts))
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct SoftCost {
    pub requests: f64,
    pub requests_missed: u32,
    pub contract: f64,
    pub contract_short_minutes: u64,
    pub paid: f64,
    pub paid_minutes: u64,
}

impl SoftCost {
    pub fn total(&self) -> f64 {
        self.requests + self.contract + self.paid
    }
}
