//! Turning the search's best roster into a [`Solution`]: shifts with
//! their breaks in UTC, coverage per queue and interval, the objective
//! broken down, and, for every interval left short, the rule that binds.

use super::model::Problem;
use super::search::StopReason;
use super::sequence::{Assign, Rule};
use super::state::State;
use crate::domain::{AgentId, QueueId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Short intervals analysed one by one for their binding rule; the rest
/// are reported with their shortfall only.
const MAX_ANALYSED: usize = 3000;

/// A break inside a shift. Lunches are unpaid (`paid == false`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Break {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub paid: bool,
}

impl Break {
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
}

/// Length from `start` to `end` minus the unpaid breaks, in minutes.
pub(crate) fn paid_minutes(start: DateTime<Utc>, end: DateTime<Utc>, breaks: &[Break]) -> i64 {
    let unpaid: i64 = breaks.iter().filter(|b| !b.paid).map(Break::minutes).sum();
    (end - start).num_minutes() - unpaid
}

/// 100 · Σ min(scheduled, required) / Σ required over `(required,
/// scheduled)` pairs; 100 when nothing is required.
pub(crate) fn coverage_percent(cells: impl Iterator<Item = (f64, u32)>) -> f64 {
    let (mut required, mut covered) = (0.0, 0.0);
    for (r, s) in cells {
        required += r;
        covered += f64::from(s).min(r);
    }
    if required <= 0.0 {
        100.0
    } else {
        100.0 * covered / required
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosteredShift {
    pub agent: AgentId,
    pub queue: QueueId,
    pub template: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub breaks: Vec<Break>,
}

impl RosteredShift {
    /// Shift length minus unpaid breaks.
    pub fn paid_minutes(&self) -> i64 {
        paid_minutes(self.start, self.end, &self.breaks)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueInterval {
    pub queue: QueueId,
    pub start: DateTime<Utc>,
    pub required: f64,
    pub scheduled: u32,
}

/// An interval the roster leaves short, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Shortfall {
    pub queue: QueueId,
    pub start: DateTime<Utc>,
    pub required: f64,
    pub scheduled: u32,
    /// `required − scheduled`.
    pub short: f64,
    /// The rule that stops more agents here (the most common reason over
    /// the agents who could take the queue; `cost` when one of them could
    /// be added but the objective prefers not to). `None` when not analysed.
    pub binding: Option<Rule>,
    /// The binding rule in words (owned once read back from the store).
    pub binding_rule: Option<Cow<'static, str>>,
    /// Agents per reason.
    pub agents_by_rule: BTreeMap<Rule, u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Objective {
    pub total: f64,
    pub under_cost: f64,
    pub over_cost: f64,
    pub request_cost: f64,
    pub contract_cost: f64,
    pub paid_cost: f64,
    pub under_agent_hours: f64,
    pub over_agent_hours: f64,
    pub requests_missed: u32,
    pub contract_short_hours: f64,
    pub paid_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Solution {
    pub shifts: Vec<RosteredShift>,
    pub coverage: Vec<QueueInterval>,
    pub objective: Objective,
    /// Proven lower bound on `objective.total` (LP relaxation), if solved.
    pub lower_bound: Option<f64>,
    /// `100 · (objective − bound) / objective`.
    pub gap_percent: Option<f64>,
    pub shortfall: Vec<Shortfall>,
    pub warnings: Vec<String>,
    pub iterations: u64,
    /// Seconds until the first complete roster (after construction).
    pub first_roster_seconds: f64,
    /// Objective of that first roster (the constructive baseline).
    pub first_roster_objective: f64,
    /// Where the local search started: the better of that roster and the
    /// one built from the LP's shift mix.
    pub search_start_objective: f64,
    /// Seconds spent on the LP bound.
    pub bound_seconds: f64,
    pub elapsed_seconds: f64,
    pub stop: StopReason,
}

/// What a run keeps of how the engine did, stored with it as JSON: the
/// objective's parts, bound and gap, search statistics, and the short
/// intervals with the rule that binds each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EngineReport {
    /// Always `engine` (greedy runs have no report).
    pub solver: String,
    pub objective: Objective,
    pub lower_bound: Option<f64>,
    pub gap_percent: Option<f64>,
    pub stop: StopReason,
    pub iterations: u64,
    pub first_roster_seconds: f64,
    pub first_roster_objective: f64,
    pub search_start_objective: f64,
    pub bound_seconds: f64,
    pub elapsed_seconds: f64,
    pub short_intervals: usize,
    /// Short intervals per binding rule (in words).
    pub binding_rules: BTreeMap<String, u32>,
    /// Every short interval; `None` in a run's summary (the list is long
    /// and has its own endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortfall: Option<Vec<Shortfall>>,
}

impl EngineReport {
    pub fn of(s: &Solution) -> Self {
        let mut binding_rules: BTreeMap<String, u32> = BTreeMap::new();
        for x in &s.shortfall {
            if let Some(rule) = &x.binding_rule {
                *binding_rules.entry(rule.to_string()).or_default() += 1;
            }
        }
        EngineReport {
            solver: "engine".into(),
            objective: s.objective.clone(),
            lower_bound: s.lower_bound,
            gap_percent: s.gap_percent,
            stop: s.stop,
            iterations: s.iterations,
            first_roster_seconds: s.first_roster_seconds,
            first_roster_objective: s.first_roster_objective,
            search_start_objective: s.search_start_objective,
            bound_seconds: s.bound_seconds,
            elapsed_seconds: s.elapsed_seconds,
            short_intervals: s.shortfall.len(),
            binding_rules,
            shortfall: Some(s.shortfall.clone()),
        }
    }

    /// The report without its per-interval list.
    pub fn summary(self) -> Self {
        EngineReport {
            shortfall: None,
            ..self
        }
    }
}

impl Solution {
    /// 100 · Σ min(scheduled, required) / Σ required over all queues.
    pub fn coverage_percent(&self) -> f64 {
        coverage_percent(self.coverage.iter().map(|c| (c.required, c.scheduled)))
    }

    pub fn rostered_hours(&self) -> f64 {
        self.shifts
            .iter()
            .map(|s| s.paid_minutes() as f64)
            .sum::<f64>()
            / 60.0
    }
}

/// How the search went, for the solution.
pub(crate) struct Stats {
    pub iterations: u64,
    pub first_roster_seconds: f64,
    pub first_roster_objective: f64,
    pub search_start_objective: f64,
    pub bound_seconds: f64,
    pub elapsed_seconds: f64,
    pub stop: StopReason,
}

/// Builds the solution from a state holding the best roster.
pub(crate) fn build(
    state: &mut State,
    problem: &Problem,
    lower_bound: Option<f64>,
    mut warnings: Vec<String>,
    stats: Stats,
) -> Solution {
    state.recompute();
    let cat = state.cat;
    let g = i64::from(cat.grid_minutes);
    let at = |i: usize| cat.horizon.start + Duration::minutes(i as i64 * g);
    let days = cat.days();
    let mut shifts = Vec::new();
    for (a, agent) in problem.agents.iter().enumerate() {
        for d in 0..days {
            let Some(s) = state.day(a, d) else { continue };
            let o = &cat.opts[s.opt as usize];
            let plan = &cat.plans[usize::from(o.plan)];
            let start = o.start as usize;
            shifts.push(RosteredShift {
                agent: agent.id,
                queue: cat.queues[usize::from(s.queue)],
                template: problem.templates[usize::from(o.template)].name.clone(),
                start: at(start),
                end: at(start + usize::from(o.len)),
                breaks: plan
                    .iter()
                    .zip(s.breaks)
                    .map(|(slot, off)| Break {
                        start: at(start + usize::from(off)),
                        end: at(start + usize::from(off + slot.len)),
                        paid: slot.paid,
                    })
                    .collect(),
            });
        }
    }
    shifts.sort_by_key(|s| (s.start, s.agent));

    let hours = f64::from(cat.grid_minutes) / 60.0;
    let w = &problem.weights;
    let mut objective = Objective::default();
    let mut coverage = Vec::with_capacity(cat.queues.len() * cat.n);
    let mut short_cells = Vec::new();
    for (q, &queue) in cat.queues.iter().enumerate() {
        for i in 0..cat.n {
            let required = cat.req[q * cat.row + i];
            let on = state.on_at(q, i);
            let scheduled = on.max(0) as u32;
            let under = (required - f64::from(on)).max(0.0);
            let over = (f64::from(on) - required).max(0.0);
            objective.under_agent_hours += under * hours;
            objective.over_agent_hours += over * hours;
            if under > 1e-9 {
                short_cells.push((q, i, under));
            }
            coverage.push(QueueInterval {
                queue,
                start: at(i),
                required,
                scheduled,
            });
        }
    }
    objective.under_cost = objective.under_agent_hours * w.under;
    objective.over_cost = objective.over_agent_hours * w.over;
    for soft in &state.soft {
        objective.request_cost += soft.requests;
        objective.requests_missed += soft.requests_missed;
        objective.contract_cost += soft.contract;
        objective.contract_short_hours += soft.contract_short_minutes as f64 / 60.0;
        objective.paid_cost += soft.paid;
        objective.paid_hours += soft.paid_minutes as f64 / 60.0;
    }
    objective.total = objective.under_cost
        + objective.over_cost
        + objective.request_cost
        + objective.contract_cost
        + objective.paid_cost;

    let mut shortfall = Vec::with_capacity(short_cells.len());
    for (k, &(q, i, short)) in short_cells.iter().enumerate() {
        let agents_by_rule = if k < MAX_ANALYSED {
            binding_rules(state, q, i)
        } else {
            BTreeMap::new()
        };
        let binding = if agents_by_rule.contains_key(&Rule::Cost) {
            Some(Rule::Cost)
        } else {
            agents_by_rule
                .iter()
                .max_by_key(|(r, n)| (**n, std::cmp::Reverse(**r)))
                .map(|(r, _)| *r)
        };
        shortfall.push(Shortfall {
            queue: cat.queues[q],
            start: at(i),
            required: cat.req[q * cat.row + i],
            scheduled: state.on_at(q, i).max(0) as u32,
            short,
            binding,
            binding_rule: binding.map(|r| Cow::Borrowed(r.describe())),
            agents_by_rule,
        });
    }
    if short_cells.len() > MAX_ANALYSED {
        warnings.push(format!(
            "{} short intervals: the binding rule is given for the first {MAX_ANALYSED}",
            short_cells.len()
        ));
    }
    for (a, agent) in problem.agents.iter().enumerate() {
        let soft = &state.soft[a];
        if soft.contract_short_minutes > 0 {
            warnings.push(format!(
                "agent {} ({}) is {:.1} h short of the contract's weekly minimum over the horizon",
                agent.id,
                agent.name,
                soft.contract_short_minutes as f64 / 60.0
            ));
        }
    }
    let gap = lower_bound.map(|lb| {
        if objective.total <= 1e-9 {
            0.0
        } else {
            (100.0 * (objective.total - lb) / objective.total).max(0.0)
        }
    });
    Solution {
        shifts,
        coverage,
        objective,
        lower_bound,
        gap_percent: gap,
        shortfall,
        warnings,
        iterations: stats.iterations,
        first_roster_seconds: stats.first_roster_seconds,
        first_roster_objective: stats.first_roster_objective,
        search_start_objective: stats.search_start_objective,
        bound_seconds: stats.bound_seconds,
        elapsed_seconds: stats.elapsed_seconds,
        stop: stats.stop,
    }
}

/// Why each agent who has the queue's skill does not cover interval `i`.
fn binding_rules(state: &mut State, q: usize, i: usize) -> BTreeMap<Rule, u32> {
    let cat = state.cat;
    let mut out = BTreeMap::new();
    let day = cat.horizon.day_of(i);
    let any_template_covers = (day.saturating_sub(1)..=day).any(|d| {
        cat.opts
            .iter()
            .any(|o| usize::from(o.day) == d && covers(o.start, o.len, i))
    });
    if !any_template_covers {
        out.insert(Rule::NoShiftCovers, cat.agents.len() as u32);
        return out;
    }
    let mut skilled = 0;
    for a in 0..cat.agents.len() {
        if !cat.agents[a].queues.contains(&(q as u8)) {
            continue;
        }
        skilled += 1;
        let reason = agent_reason(state, a, q, i, day);
        *out.entry(reason).or_insert(0) += 1;
    }
    if skilled == 0 {
        out.insert(Rule::NoSkill, 0);
    }
    out
}

fn covers(start: u32, len: u16, i: usize) -> bool {
    (start as usize) <= i && i < start as usize + usize::from(len)
}

fn agent_reason(state: &State, a: usize, q: usize, i: usize, day: usize) -> Rule {
    let cat = state.cat;
    let mut first_error: Option<Rule> = None;
    let mut working = false;
    for d in day.saturating_sub(1)..=day {
        if let Some(s) = state.day(a, d) {
            let o = &cat.opts[s.opt as usize];
            if covers(o.start, o.len, i) {
                // On the queue but on a break here, or on another queue.
                return Rule::Cost;
            }
            if d == day {
                working = true;
            }
            continue;
        }
        for &k in &cat.agents[a].allowed[d] {
            let o = &cat.opts[k as usize];
            if !covers(o.start, o.len, i) {
                continue;
            }
            let probe = Assign {
                opt: k,
                queue: q as u8,
                breaks: [0; super::model::MAX_BREAKS],
            };
            match state.feasible_with(a, &[(d, Some(probe))]) {
                Ok(()) => return Rule::Cost,
                Err(r) => {
                    first_error.get_or_insert(r);
                }
            }
        }
    }
    match first_error {
        Some(r) => r,
        None if working => Rule::OneShiftPerDay,
        None => Rule::Unavailable,
    }
}
