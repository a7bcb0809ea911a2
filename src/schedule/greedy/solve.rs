//! How the greedy builds a roster.
//!
//! Candidates are every (local day, grid-aligned local start time in
//! `[earliest_start, latest_start]`) whose shift ends by the horizon end.
//! A local start time that a DST change skips is not a candidate; one that
//! happens twice uses its first occurrence. Shifts last `length_minutes` of
//! real (UTC) time, so a shift across a DST change ends at a different wall
//! clock time than usual.
//!
//! First pass: repeatedly take the candidate with the highest gain
//! (Σ over its on-intervals of `min(1, max(0, required − scheduled))`, ties
//! to the earliest day, then earliest start) and give it to the eligible
//! agent with the fewest paid minutes so far (ties: agent order). A
//! candidate nobody can take is skipped for good (taking shifts only makes
//! agents less eligible). Stops when no candidate with positive gain can
//! be taken.
//!
//! Second pass: for each agent (in order) and each week block below the
//! contract minimum, add the eligible shift of that week with the most gain,
//! then the least over-cover, until the minimum is met; if no shift fits
//! the hard rules the roster gets a warning naming the agent.
//!
//! Lunch: placed when the shift is added, at the slot of the lunch window
//! (see [`ShiftRule::lunch_offsets`]) where the remaining need
//! (required − scheduled, summed over the lunch) is lowest; ties go to the
//! slot nearest the middle of the window, then the earlier one.
//!
//! Arithmetic is done in integer millionths of an agent so ties and results
//! are exact and deterministic.

use super::roster::{IntervalCoverage, Roster, Shift};
use super::rules::{ScheduleProblem, ShiftRule};
use crate::schedule::engine::horizon::Horizon;
use crate::schedule::engine::{Break, ScheduleError};
use chrono::{DateTime, Duration, LocalResult, TimeZone, Utc};

const SCALE: i64 = 1_000_000;

#[derive(Debug, Clone, Copy)]
struct Candidate {
    day: usize,
    /// Interval index of the start.
    start: usize,
}

#[derive(Debug, Clone, Copy)]
struct Evaluation {
    gain: i64,
    /// Σ (required − scheduled) over the on-intervals: higher = less over-cover.
    need: i64,
    /// Lunch offset in intervals from the start.
    lunch: Option<usize>,
}

struct Solver<'a> {
    problem: &'a ScheduleProblem,
    horizon: Horizon,
    /// Shift length in intervals.
    len: usize,
    /// Lunch length in intervals.
    lunch_len: usize,
    /// Lunch start offsets in intervals, in preference order for ties.
    lunch_offsets: Vec<usize>,
    paid: u32,
    rest_minutes: i64,
    candidates: Vec<Candidate>,
    required: Vec<f64>,
    required_q: Vec<i64>,
    scheduled: Vec<u32>,
    /// Per agent, per day: interval index of the shift start.
    agent_day: Vec<Vec<Option<usize>>>,
    week_days: Vec<Vec<u32>>,
    week_paid: Vec<Vec<u32>>,
    total_paid: Vec<u64>,
    /// (agent index, start interval, lunch offset)
    shifts: Vec<(usize, usize, Option<usize>)>,
    /// Prefix sums of clipped need and of raw need (refreshed by `refresh`).
    clip_prefix: Vec<i64>,
    need_prefix: Vec<i64>,
}

/// Builds a roster greedily. See the module documentation for the method.
pub fn solve_greedy(problem: &ScheduleProblem) -> Result<Roster, ScheduleError> {
    problem.check()?;
    let mut solver = Solver::new(problem)?;
    let mut warnings = Vec::new();
    let (_, outside) = problem.requirement_per_interval(&solver.horizon);
    if outside > 0 {
        warnings.push(format!(
            "{outside} requirement row(s) outside the horizon were ignored"
        ));
    }
    if solver.candidates.is_empty() {
        warnings.push(format!(
            "no {}-minute shift starting between {} and {} fits in the horizon",
            problem.rule.length_minutes,
            problem.rule.earliest_start.format("%H:%M"),
            problem.rule.latest_start.format("%H:%M")
        ));
    }
    solver.first_pass();
    solver.second_pass(&mut warnings);
    Ok(solver.into_roster(warnings))
}

impl<'a> Solver<'a> {
    fn new(problem: &'a ScheduleProblem) -> Result<Self, ScheduleError> {
        let horizon = problem.horizon()?;
        let rule: &ShiftRule = &problem.rule;
        let m = problem.grid.minutes;
        let len = (rule.length_minutes / m) as usize;
        let lunch_len = (rule.lunch_minutes / m) as usize;
        let mut lunch_offsets: Vec<usize> = rule
            .lunch_offsets(m)
            .into_iter()
            .map(|o| (o / m) as usize)
            .collect();
        if let (Some(&lo), Some(&hi)) = (lunch_offsets.first(), lunch_offsets.last()) {
            // Nearest the middle first, then earlier.
            lunch_offsets.sort_by_key(|&o| ((2 * o).abs_diff(lo + hi), o));
        }
        let (required, _) = problem.requirement_per_interval(&horizon);
        let required_q = required
            .iter()
            .map(|&r| (r * SCALE as f64).round() as i64)
            .collect();
        let n = horizon.intervals.len();
        let candidates = candidates(problem, &horizon, len);
        let days = problem.days as usize;
        let weeks = problem.weeks();
        let agents = problem.agents.len();
        Ok(Self {
            problem,
            len,
            lunch_len,
            lunch_offsets,
            paid: rule.paid_minutes(),
            rest_minutes: i64::from(rule.min_rest_hours) * 60,
            candidates,
            required,
            required_q,
            scheduled: vec![0; n],
            agent_day: vec![vec![None; days]; agents],
            week_days: vec![vec![0; weeks]; agents],
            week_paid: vec![vec![0; weeks]; agents],
            total_paid: vec![0; agents],
            shifts: Vec::new(),
            clip_prefix: vec![0; n + 1],
            need_prefix: vec![0; n + 1],
            horizon,
        })
    }

    fn refresh(&mut self) {
        for i in 0..self.scheduled.len() {
            let need = self.required_q[i] - i64::from(self.scheduled[i]) * SCALE;
            self.clip_prefix[i + 1] = self.clip_prefix[i] + need.clamp(0, SCALE);
            self.need_prefix[i + 1] = self.need_prefix[i] + need;
        }
    }

    fn evaluate(&self, c: Candidate) -> Evaluation {
        let (cp, np) = (&self.clip_prefix, &self.need_prefix);
        let s = c.start;
        let mut gain = cp[s + self.len] - cp[s];
        let mut need = np[s + self.len] - np[s];
        let mut lunch = None;
        let mut lowest = i64::MAX;
        for &o in &self.lunch_offsets {
            let (a, b) = (s + o, s + o + self.lunch_len);
            let lunch_need = np[b] - np[a];
            if lunch_need < lowest {
                lowest = lunch_need;
                lunch = Some(o);
            }
        }
        if let Some(o) = lunch {
            let (a, b) = (s + o, s + o + self.lunch_len);
            gain -= cp[b] - cp[a];
            need -= np[b] - np[a];
        }
        Evaluation { gain, need, lunch }
    }

    fn week_of(day: usize) -> usize {
        day / 7
    }

    fn eligible(&self, agent: usize, c: Candidate) -> bool {
        let contract = &self.problem.agents[agent];
        let rule = &self.problem.rule;
        let days = &self.agent_day[agent];
        let w = Self::week_of(c.day);
        if days[c.day].is_some()
            || self.week_days[agent][w] >= rule.max_days_per_week
            || u64::from(self.week_paid[agent][w]) + u64::from(self.paid)
                > u64::from(contract.max_week_minutes)
        {
            return false;
        }
        let m = i64::from(self.problem.grid.minutes);
        let len = self.len as i64;
        let start = c.start as i64;
        // All shifts have the same length, so only the nearest shift on
        // each side matters for rest.
        if let Some(prev) = days[..c.day].iter().rev().find_map(|d| *d) {
            if (start - prev as i64 - len) * m < self.rest_minutes {
                return false;
            }
        }
        if let Some(next) = days[c.day + 1..].iter().find_map(|d| *d) {
            if (next as i64 - start - len) * m < self.rest_minutes {
                return false;
            }
        }
        true
    }

    fn assign(&mut self, agent: usize, c: Candidate, lunch: Option<usize>) {
        let on = |i: usize| match lunch {
            Some(o) => i < c.start + o || i >= c.start + o + self.lunch_len,
            None => true,
        };
        for i in c.start..c.start + self.len {
            if on(i) {
                self.scheduled[i] += 1;
            }
        }
        let w = Self::week_of(c.day);
        self.agent_day[agent][c.day] = Some(c.start);
        self.week_days[agent][w] += 1;
        self.week_paid[agent][w] += self.paid;
        self.total_paid[agent] += u64::from(self.paid);
        self.shifts.push((agent, c.start, lunch));
    }

    fn first_pass(&mut self) {
        let mut dead = vec![false; self.candidates.len()];
        let agents = self.problem.agents.len();
        loop {
            self.refresh();
            let mut ranked: Vec<(i64, usize, Evaluation)> = self
                .candidates
                .iter()
                .enumerate()
                .filter(|&(k, _)| !dead[k])
                .map(|(k, &c)| (k, self.evaluate(c)))
                .filter(|(_, e)| e.gain > 0)
                .map(|(k, e)| (-e.gain, k, e))
                .collect();
            ranked.sort_unstable_by_key(|&(g, k, _)| (g, k));
            let mut taken = false;
            for (_, k, e) in ranked {
                let c = self.candidates[k];
                let agent = (0..agents)
                    .filter(|&a| self.eligible(a, c))
                    .min_by_key(|&a| (self.total_paid[a], a));
                match agent {
                    Some(a) => {
                        self.assign(a, c, e.lunch);
                        taken = true;
                        break;
                    }
                    None => dead[k] = true,
                }
            }
            if !taken {
                return;
            }
        }
    }

    fn second_pass(&mut self, warnings: &mut Vec<String>) {
        let problem = self.problem;
        for (a, contract) in problem.agents.iter().enumerate() {
            for w in 0..problem.weeks() {
                let target = problem.week_minimum(contract, w);
                while self.week_paid[a][w] < target {
                    self.refresh();
                    let best = self
                        .candidates
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| Self::week_of(c.day) == w && self.eligible(a, **c))
                        .map(|(k, &c)| (k, self.evaluate(c)))
                        .min_by_key(|(k, e)| (-e.gain, -e.need, *k));
                    match best {
                        Some((k, e)) => {
                            let c = self.candidates[k];
                            self.assign(a, c, e.lunch);
                        }
                        None => {
                            let rule = &problem.rule;
                            let from = self.horizon.dates[w * 7];
                            warnings.push(format!(
                                "agent {} (id {}): {} paid minutes in the week from {}, below the contract minimum of {}; \
                                 no further {}-minute shift fits without breaking a hard rule \
                                 (start {}-{}, one shift a day, {} h rest, at most {} days and {} paid minutes a week)",
                                contract.name,
                                contract.id,
                                self.week_paid[a][w],
                                from,
                                target,
                                rule.length_minutes,
                                rule.earliest_start.format("%H:%M"),
                                rule.latest_start.format("%H:%M"),
                                rule.min_rest_hours,
                                rule.max_days_per_week,
                                contract.max_week_minutes
                            ));
                            break;
                        }
                    }
                }
            }
        }
    }

    fn into_roster(self, warnings: Vec<String>) -> Roster {
        let step = self.horizon.step;
        let at = |i: usize| self.horizon.start + step * i as i32;
        let length = Duration::minutes(i64::from(self.problem.rule.length_minutes));
        let lunch = Duration::minutes(i64::from(self.problem.rule.lunch_minutes));
        let mut shifts: Vec<(usize, Shift)> = self
            .shifts
            .iter()
            .map(|&(a, s, o)| {
                let start = at(s);
                let breaks = o
                    .map(|o| {
                        let b = at(s + o);
                        vec![Break {
                            start: b,
                            end: b + lunch,
                            paid: false,
                        }]
                    })
                    .unwrap_or_default();
                (
                    a,
                    Shift {
                        agent: self.problem.agents[a].id,
                        start,
                        end: start + length,
                        breaks,
                    },
                )
            })
            .collect();
        shifts.sort_by_key(|(a, s)| (s.start, *a));
        let coverage = self
            .horizon
            .intervals
            .iter()
            .zip(self.required.iter().zip(&self.scheduled))
            .map(|(&start, (&required, &scheduled))| IntervalCoverage {
                start,
                required,
                scheduled,
            })
            .collect();
        Roster {
            shifts: shifts.into_iter().map(|(_, s)| s).collect(),
            coverage,
            warnings,
        }
    }
}

/// Every (day, start) a shift may take, in day then start-time order.
fn candidates(problem: &ScheduleProblem, horizon: &Horizon, len: usize) -> Vec<Candidate> {
    let rule = &problem.rule;
    let grid = &problem.grid;
    let step = Duration::minutes(i64::from(grid.minutes));
    let n = horizon.intervals.len();
    let mut out = Vec::new();
    for (day, &date) in horizon.dates.iter().enumerate() {
        let mut time = rule.earliest_start;
        loop {
            let start: Option<DateTime<Utc>> =
                match grid.tz.from_local_datetime(&date.and_time(time)) {
                    LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
                    LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
                    LocalResult::None => None,
                };
            if let Some(i) = start.and_then(|t| horizon.index_of(t)) {
                if horizon.day_of(i) == day && i + len <= n {
                    out.push(Candidate { day, start: i });
                }
            }
            let (next, wrapped) = time.overflowing_add_signed(step);
            if wrapped != 0 || next > rule.latest_start {
                break;
            }
            time = next;
        }
    }
    out
}
