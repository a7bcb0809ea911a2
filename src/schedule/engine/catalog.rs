//! Everything the search needs, precomputed once from a [`Problem`]: the
//! horizon, every shift option per day (template × start × length), break
//! windows, which options each agent may take, and the requirement as flat
//! arrays. Validation happens here, so the search never sees bad input.

use super::horizon::{horizon_of, Horizon};
use super::model::{Agent, Problem, ShiftTemplate, Want, MAX_BREAKS};
use super::ScheduleError;
use crate::domain::QueueId;
use chrono::Utc;
use chrono::{Datelike, Duration, LocalResult, NaiveDateTime, NaiveTime, TimeZone, Timelike};
use std::collections::{HashMap, HashSet};

/// Where one break of a shift may start, in intervals from the shift start.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BreakSlot {
    pub earliest: u16,
    /// Latest start offset (inclusive).
    pub latest: u16,
    pub len: u16,
    pub paid: bool,
}

/// One shift option: a template at a start with a length, on a day.
#[derive(Debug, Clone)]
pub(crate) struct Opt {
    pub day: u16,
    pub template: u16,
    /// Interval index of the start.
    pub start: u32,
    /// Length in intervals (breaks included).
    pub len: u16,
    /// Index into `Catalog::plans`.
    pub plan: u16,
    pub paid_minutes: u32,
    pub local_start: NaiveTime,
}

/// A soft request, resolved to the catalog's indices.
#[derive(Debug, Clone)]
pub(crate) struct Req {
    pub want: Want,
    pub start: Option<NaiveTime>,
    pub template: Option<u16>,
    pub weight: f64,
}

/// Per agent: what it may take and what it carries in.
#[derive(Debug, Clone)]
pub(crate) struct AgentData {
    /// Allowed option indices per day.
    pub allowed: Vec<Vec<u32>>,
    /// Queue indices the agent can take.
    pub queues: Vec<u8>,
    /// Soft minima per week block (pro-rated).
    pub min_week_minutes: Vec<u32>,
    pub min_week_shifts: Vec<u32>,
    /// Requests per day.
    pub requests: Vec<Vec<Req>>,
    /// End of the last shift before the horizon, in minutes from its start.
    pub last_end_min: Option<i64>,
    pub hist_worked: u32,
    pub hist_off: u32,
}

pub(crate) struct Catalog {
    pub horizon: Horizon,
    /// Intervals in the horizon.
    pub n: usize,
    /// Intervals per coverage row: `n` plus room for shifts running past the end.
    pub row: usize,
    pub grid_minutes: u32,
    pub opts: Vec<Opt>,
    /// `plans[p]`: the break slots of a (template, length), in order.
    pub plans: Vec<Vec<BreakSlot>>,
    pub day_week: Vec<usize>,
    pub weeks: usize,
    /// Weekend index of each day on one of the problem's weekend days, else `None`.
    pub day_weekend: Vec<Option<usize>>,
    pub queues: Vec<QueueId>,
    /// Requirement, `queues × row` (0 past the horizon).
    pub req: Vec<f64>,
    pub agents: Vec<AgentData>,
    pub warnings: Vec<String>,
}

impl Catalog {
    pub fn build(problem: &Problem) -> Result<Self, ScheduleError> {
        let grid = problem.grid;
        let g = grid.minutes;
        let horizon = horizon_of(&grid, problem.start, problem.days)?;
        check_weights(problem)?;
        check_templates(problem)?;
        check_agents(problem)?;
        let n = horizon.intervals.len();
        let max_len = problem
            .templates
            .iter()
            .map(|t| (t.max_length_minutes / g) as usize)
            .max()
            .unwrap_or(0);
        let row = n + max_len;
        let mut warnings = Vec::new();

        // Queues and requirement.
        if problem.queues.is_empty() {
            return Err(ScheduleError::InvalidQueues {
                message: "no queue to cover".into(),
            });
        }
        if problem.queues.len() > usize::from(u8::MAX) {
            return Err(ScheduleError::InvalidQueues {
                message: format!("{} queues (at most 255)", problem.queues.len()),
            });
        }
        let mut queues = Vec::new();
        let mut req = vec![0.0; problem.queues.len() * row];
        let mut outside = 0usize;
        for (q, demand) in problem.queues.iter().enumerate() {
            if queues.contains(&demand.queue) {
                return Err(ScheduleError::InvalidQueues {
                    message: format!("queue {} is listed twice", demand.queue),
                });
            }
            queues.push(demand.queue);
            let mut seen = HashSet::new();
            for &(t, v) in &demand.requirement {
                if !(v.is_finite() && (0.0..=1e9).contains(&v)) {
                    return Err(ScheduleError::InvalidRequirement {
                        start: t,
                        message: format!(
                            "{v} agents is not a requirement (must be a finite number, 0 or more)"
                        ),
                    });
                }
                if !grid.is_aligned(t) {
                    return Err(ScheduleError::InvalidRequirement {
                        start: t,
                        message: format!("not on the {g}-minute grid in {}", grid.tz),
                    });
                }
                if !seen.insert(t) {
                    return Err(ScheduleError::InvalidRequirement {
                        start: t,
                        message: format!("given twice for queue {}", demand.queue),
                    });
                }
                match horizon.index_of(t) {
                    Some(i) => req[q * row + i] = v,
                    None => outside += 1,
                }
            }
        }
        if outside > 0 {
            warnings.push(format!(
                "{outside} requirement row(s) outside the horizon were ignored"
            ));
        }

        // Days: weeks and weekends.
        let days = problem.days as usize;
        let day_week: Vec<usize> = (0..days).map(|d| d / 7).collect();
        let weeks = days.div_ceil(7);
        let mut weekend_of = HashMap::new();
        let day_weekend: Vec<Option<usize>> = horizon
            .dates
            .iter()
            .map(|date| {
                let first = problem.weekend.weekend_of(*date)?;
                let next = weekend_of.len();
                Some(*weekend_of.entry(first).or_insert(next))
            })
            .collect();
        // Weekends worked are kept in a 64-bit mask.
        debug_assert!(weekend_of.len() <= 64);

        // Options.
        let mut plans: Vec<Vec<BreakSlot>> = Vec::new();
        let mut opts = Vec::new();
        let step = Duration::minutes(i64::from(g));
        for (ti, template) in problem.templates.iter().enumerate() {
            let lengths = template_lengths(template, g);
            let mut length_plans = Vec::new();
            for &length in &lengths {
                if let Some(slots) = break_plan(template, length, g) {
                    plans.push(slots);
                    length_plans.push((length, plans.len() - 1));
                }
            }
            if length_plans.is_empty() {
                return Err(ScheduleError::InvalidTemplate {
                    template: template.name.clone(),
                    message: "no shift length leaves room for its breaks inside their windows"
                        .into(),
                });
            }
            for (day, &date) in horizon.dates.iter().enumerate() {
                let mut time = template.earliest_start;
                loop {
                    let start = match grid.tz.from_local_datetime(&date.and_time(time)) {
                        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
                        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
                        LocalResult::None => None,
                    };
                    if let Some(i) = start.and_then(|t| horizon.index_of(t)) {
                        if horizon.day_of(i) == day {
                            for &(length, plan) in &length_plans {
                                let len = (length / g) as usize;
                                let unpaid: u32 = plans[plan]
                                    .iter()
                                    .filter(|b| !b.paid)
                                    .map(|b| u32::from(b.len) * g)
                                    .sum();
                                opts.push(Opt {
                                    day: day as u16,
                                    template: ti as u16,
                                    start: i as u32,
                                    len: len as u16,
                                    plan: plan as u16,
                                    paid_minutes: length - unpaid,
                                    local_start: time,
                                });
                            }
                        }
                    }
                    let (next, wrapped) = time.overflowing_add_signed(step);
                    if wrapped != 0 || next > template.latest_start {
                        break;
                    }
                    time = next;
                }
            }
        }
        opts.sort_by_key(|o| (o.day, o.start, o.template, o.len));

        let template_index: HashMap<&str, u16> = problem
            .templates
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.as_str(), i as u16))
            .collect();
        let mut agents = Vec::with_capacity(problem.agents.len());
        for agent in &problem.agents {
            agents.push(agent_data(
                problem,
                agent,
                &horizon,
                &opts,
                &queues,
                &template_index,
                &day_week,
                weeks,
                &mut warnings,
            )?);
        }
        Ok(Self {
            horizon,
            n,
            row,
            grid_minutes: g,
            opts,
            plans,
            day_week,
            weeks,
            day_weekend,
            queues,
            req,
            agents,
            warnings,
        })
    }

    pub fn days(&self) -> usize {
        self.horizon.dates.len()
    }
}

fn template_lengths(t: &ShiftTemplate, g: u32) -> Vec<u32> {
    let step = if t.length_step_minutes == 0 {
        g
    } else {
        t.length_step_minutes
    };
    let mut out = Vec::new();
    let mut l = t.min_length_minutes;
    while l <= t.max_length_minutes {
        out.push(l);
        l += step;
    }
    out
}

/// The break slots of a `length`-minute shift of template `t`, or `None`
/// when the breaks cannot all be placed in order inside their windows.
fn break_plan(t: &ShiftTemplate, length: u32, g: u32) -> Option<Vec<BreakSlot>> {
    let mut slots = Vec::new();
    let mut earliest_free = 0u32;
    for b in &t.breaks {
        if length < b.min_shift_minutes {
            continue;
        }
        let earliest = b.earliest_start_minutes.div_ceil(g);
        let latest_end = b.latest_end_minutes.min(length);
        if latest_end < b.minutes {
            return None;
        }
        let latest = (latest_end - b.minutes) / g;
        let len = b.minutes / g;
        if earliest.max(earliest_free) > latest {
            return None;
        }
        earliest_free = earliest.max(earliest_free) + len;
        slots.push(BreakSlot {
            earliest: earliest as u16,
            latest: latest as u16,
            len: len as u16,
            paid: b.paid,
        });
    }
    Some(slots)
}

fn check_weights(problem: &Problem) -> Result<(), ScheduleError> {
    let w = &problem.weights;
    for (name, v) in [
        ("under", w.under),
        ("over", w.over),
        ("paid_hour", w.paid_hour),
        ("contract_hour", w.contract_hour),
    ] {
        if !(v.is_finite() && (0.0..=1e6).contains(&v)) {
            return Err(ScheduleError::InvalidWeights {
                message: format!("{name} = {v} (must be a finite number from 0 to 1e6)"),
            });
        }
    }
    Ok(())
}

fn check_templates(problem: &Problem) -> Result<(), ScheduleError> {
    let g = problem.grid.minutes;
    if problem.templates.is_empty() {
        return Err(ScheduleError::InvalidTemplate {
            template: String::new(),
            message: "no shift templates".into(),
        });
    }
    let mut names = HashSet::new();
    for t in &problem.templates {
        let bad = |message: String| {
            Err(ScheduleError::InvalidTemplate {
                template: t.name.clone(),
                message,
            })
        };
        if t.name.trim().is_empty() {
            return bad("name is blank".into());
        }
        if !names.insert(t.name.as_str()) {
            return bad("name is used twice".into());
        }
        for (field, time) in [
            ("earliest_start", t.earliest_start),
            ("latest_start", t.latest_start),
        ] {
            if time.second() != 0 || time.nanosecond() != 0 || !time.minute().is_multiple_of(g) {
                return bad(format!(
                    "{field} {} is not on the {g}-minute grid",
                    time.format("%H:%M:%S")
                ));
            }
        }
        if t.earliest_start > t.latest_start {
            return bad(format!(
                "earliest_start {} is after latest_start {}",
                t.earliest_start.format("%H:%M"),
                t.latest_start.format("%H:%M")
            ));
        }
        if t.min_length_minutes == 0 || t.max_length_minutes > 16 * 60 {
            return bad(format!(
                "lengths {}..{} minutes: a shift lasts more than 0 and at most 960 minutes",
                t.min_length_minutes, t.max_length_minutes
            ));
        }
        if t.min_length_minutes > t.max_length_minutes {
            return bad(format!(
                "min_length_minutes {} is above max_length_minutes {}",
                t.min_length_minutes, t.max_length_minutes
            ));
        }
        for (field, v) in [
            ("min_length_minutes", t.min_length_minutes),
            ("max_length_minutes", t.max_length_minutes),
            ("length_step_minutes", t.length_step_minutes),
        ] {
            if !v.is_multiple_of(g) {
                return bad(format!(
                    "{field} {v} is not a multiple of the {g}-minute grid"
                ));
            }
        }
        if t.breaks.len() > MAX_BREAKS {
            return bad(format!("{} breaks (at most {MAX_BREAKS})", t.breaks.len()));
        }
        for (k, b) in t.breaks.iter().enumerate() {
            let label = if b.name.is_empty() {
                format!("break {}", k + 1)
            } else {
                format!("break '{}'", b.name)
            };
            if b.minutes == 0 || !b.minutes.is_multiple_of(g) {
                return bad(format!(
                    "{label}: {} minutes is not a positive multiple of the {g}-minute grid",
                    b.minutes
                ));
            }
            if b.earliest_start_minutes + b.minutes > b.latest_end_minutes {
                return bad(format!(
                    "{label}: its window {}..{} minutes after the shift start is shorter than the break",
                    b.earliest_start_minutes, b.latest_end_minutes
                ));
            }
        }
    }
    Ok(())
}

fn check_agents(problem: &Problem) -> Result<(), ScheduleError> {
    if problem.agents.is_empty() {
        return Err(ScheduleError::NoAgents);
    }
    let templates: HashSet<&str> = problem.templates.iter().map(|t| t.name.as_str()).collect();
    let mut ids = HashSet::new();
    for a in &problem.agents {
        let bad = |message: String| {
            Err(ScheduleError::InvalidContract {
                agent: a.id,
                message,
            })
        };
        if !ids.insert(a.id) {
            return Err(ScheduleError::DuplicateAgent(a.id));
        }
        if a.name.trim().is_empty() {
            return bad("name is blank".into());
        }
        let c = &a.contract;
        if c.min_day_minutes > c.max_day_minutes {
            return bad(format!(
                "min_day_minutes {} is above max_day_minutes {}",
                c.min_day_minutes, c.max_day_minutes
            ));
        }
        if c.min_week_minutes > c.max_week_minutes {
            return bad(format!(
                "min_week_minutes {} is above max_week_minutes {}",
                c.min_week_minutes, c.max_week_minutes
            ));
        }
        if c.min_shifts_per_week > c.max_shifts_per_week || c.max_shifts_per_week > 7 {
            return bad(format!(
                "shifts per week {}..{} (need min <= max <= 7)",
                c.min_shifts_per_week, c.max_shifts_per_week
            ));
        }
        if c.max_consecutive_days == 0 {
            return bad("max_consecutive_days is 0 (use days_off to keep an agent off)".into());
        }
        if c.min_rest_minutes > 7 * 24 * 60 {
            return bad(format!(
                "min_rest_minutes {} is more than a week",
                c.min_rest_minutes
            ));
        }
        for name in &a.templates {
            if !templates.contains(name.as_str()) {
                return bad(format!("template '{name}' is not one of the problem's"));
            }
        }
        for r in &a.requests {
            if !(r.weight.is_finite() && (0.0..=1e6).contains(&r.weight)) {
                return bad(format!(
                    "request on {}: weight {} (must be a finite number from 0 to 1e6)",
                    r.date, r.weight
                ));
            }
            if let Some(name) = &r.template {
                if !templates.contains(name.as_str()) {
                    return bad(format!(
                        "request on {}: template '{name}' is not one of the problem's",
                        r.date
                    ));
                }
            }
        }
        for off in &a.time_off {
            if off.end <= off.start {
                return bad(format!(
                    "time off {} .. {} ends before it starts",
                    off.start, off.end
                ));
            }
        }
        let h = &a.history;
        if h.consecutive_days_worked > 0 && h.consecutive_days_off > 0 {
            return bad(
                "history: consecutive_days_worked and consecutive_days_off are both above 0".into(),
            );
        }
    }
    Ok(())
}

/// Whether a shift from `start` to `end` (local) fits the agent's windows for `date`.
fn available(
    agent: &Agent,
    date: chrono::NaiveDate,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> bool {
    if agent.availability.is_empty() {
        return true;
    }
    let dated: Vec<_> = agent
        .availability
        .iter()
        .filter(|w| w.date == Some(date))
        .collect();
    let windows: Vec<_> = if dated.is_empty() {
        agent
            .availability
            .iter()
            .filter(|w| w.date.is_none() && w.weekday.is_none_or(|d| d == date.weekday()))
            .collect()
    } else {
        dated
    };
    windows.iter().any(|w| {
        let from = date.and_time(w.from);
        let to = if w.to <= w.from {
            date.and_time(w.to) + Duration::days(1)
        } else {
            date.and_time(w.to)
        };
        from <= start && end <= to
    })
}

#[allow(clippy::too_many_arguments)]
fn agent_data(
    problem: &Problem,
    agent: &Agent,
    horizon: &Horizon,
    opts: &[Opt],
    queues: &[QueueId],
    template_index: &HashMap<&str, u16>,
    day_week: &[usize],
    weeks: usize,
    warnings: &mut Vec<String>,
) -> Result<AgentData, ScheduleError> {
    let grid = problem.grid;
    let g = i64::from(grid.minutes);
    let c = &agent.contract;
    let days = horizon.dates.len();
    let allowed_templates: Option<HashSet<u16>> = (!agent.templates.is_empty()).then(|| {
        agent
            .templates
            .iter()
            .filter_map(|n| template_index.get(n.as_str()).copied())
            .collect()
    });
    let days_off: HashSet<_> = agent.days_off.iter().copied().collect();
    let mut allowed = vec![Vec::new(); days];
    for (k, o) in opts.iter().enumerate() {
        let day = usize::from(o.day);
        let date = horizon.dates[day];
        if days_off.contains(&date) {
            continue;
        }
        if let Some(set) = &allowed_templates {
            if !set.contains(&o.template) {
                continue;
            }
        }
        if o.paid_minutes < c.min_day_minutes || o.paid_minutes > c.max_day_minutes {
            continue;
        }
        if o.paid_minutes > c.max_week_minutes {
            continue;
        }
        let start = horizon.start + Duration::minutes(i64::from(o.start) * g);
        let end = start + Duration::minutes(i64::from(o.len) * g);
        if agent
            .time_off
            .iter()
            .any(|t| t.start < end && start < t.end)
        {
            continue;
        }
        let local_start = start.with_timezone(&grid.tz).naive_local();
        let local_end = end.with_timezone(&grid.tz).naive_local();
        if !available(agent, date, local_start, local_end) {
            continue;
        }
        allowed[day].push(k as u32);
    }
    let agent_queues: Vec<u8> = queues
        .iter()
        .enumerate()
        .filter(|(_, q)| agent.skills.is_empty() || agent.skills.contains(q))
        .map(|(i, _)| i as u8)
        .collect();
    if agent_queues.is_empty() {
        warnings.push(format!(
            "agent {} ({}) has no skill for the queues being rostered and gets no shifts",
            agent.id, agent.name
        ));
        allowed.iter_mut().for_each(Vec::clear);
    }

    // Days the agent is absent (hard day off, or time off over half the day)
    // reduce the weekly minima pro rata.
    let mut present = vec![0u32; weeks];
    for (d, &date) in horizon.dates.iter().enumerate() {
        let day_start = horizon.intervals.get(horizon.day_start_idx[d]).copied();
        let day_end = horizon
            .intervals
            .get(horizon.day_start_idx[d + 1])
            .copied()
            .unwrap_or(horizon.end);
        let absent = days_off.contains(&date)
            || day_start.is_some_and(|s| {
                let off: i64 = agent
                    .time_off
                    .iter()
                    .map(|t| (t.end.min(day_end) - t.start.max(s)).num_minutes().max(0))
                    .sum();
                off * 2 >= (day_end - s).num_minutes()
            });
        if !absent {
            present[day_week[d]] += 1;
        }
    }
    let min_week_minutes = present
        .iter()
        .map(|&p| (u64::from(c.min_week_minutes) * u64::from(p) / 7) as u32)
        .collect();
    let min_week_shifts = present
        .iter()
        .map(|&p| c.min_shifts_per_week * p / 7)
        .collect();

    let mut requests = vec![Vec::new(); days];
    let mut ignored = 0;
    for r in &agent.requests {
        match horizon.dates.iter().position(|&d| d == r.date) {
            Some(d) => requests[d].push(Req {
                want: r.want,
                start: r.start,
                template: r
                    .template
                    .as_ref()
                    .and_then(|n| template_index.get(n.as_str()).copied()),
                weight: r.weight,
            }),
            None => ignored += 1,
        }
    }
    if ignored > 0 {
        warnings.push(format!(
            "agent {}: {ignored} request(s) outside the horizon were ignored",
            agent.id
        ));
    }
    let last_end_min = agent
        .history
        .last_shift_end
        .map(|t| (t - horizon.start).num_minutes());
    Ok(AgentData {
        allowed,
        queues: agent_queues,
        min_week_minutes,
        min_week_shifts,
        requests,
        last_end_min,
        hist_worked: agent.history.consecutive_days_worked,
        hist_off: agent.history.consecutive_days_off,
    })
}
