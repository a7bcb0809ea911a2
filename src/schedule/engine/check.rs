//! An independent check of a [`Solution`] against the problem's hard
//! rules, written from the model's definitions (wall-clock times and
//! dates), not from the solver's precomputed catalog, so a bug in one is
//! caught by the other.

use super::model::{Agent, Problem};
use super::report::Solution;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};

/// (local date, start, end, paid minutes) of one shift.
type Worked = (NaiveDate, DateTime<Utc>, DateTime<Utc>, i64);

/// Every broken hard rule, as a sentence (empty = the roster is valid).
/// Also checks that the reported coverage and cover costs match the shifts.
pub fn check_solution(problem: &Problem, solution: &Solution) -> Vec<String> {
    let mut v = Vec::new();
    let grid = problem.grid;
    let g = i64::from(grid.minutes);
    let tz = grid.tz;
    let first = grid.local_date(problem.start);
    let last = first + Duration::days(i64::from(problem.days) - 1);
    let end = grid.start_of_day(last + Duration::days(1));
    let agents: HashMap<_, &Agent> = problem.agents.iter().map(|a| (a.id, a)).collect();
    let templates: HashMap<&str, _> = problem
        .templates
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    let queues: HashSet<_> = problem.queues.iter().map(|q| q.queue).collect();
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();

    let mut worked: HashMap<_, Vec<Worked>> = HashMap::new();
    for s in &solution.shifts {
        let label = format!("agent {} shift at {}", s.agent, local(s.start));
        let Some(agent) = agents.get(&s.agent) else {
            v.push(format!("{label}: agent is not in the problem"));
            continue;
        };
        if !queues.contains(&s.queue) {
            v.push(format!("{label}: queue {} is not in the problem", s.queue));
        }
        if !agent.skills.is_empty() && !agent.skills.contains(&s.queue) {
            v.push(format!(
                "{label}: agent lacks the skill for queue {}",
                s.queue
            ));
        }
        let Some(t) = templates.get(s.template.as_str()) else {
            v.push(format!("{label}: template '{}' is unknown", s.template));
            continue;
        };
        if !agent.templates.is_empty() && !agent.templates.contains(&s.template) {
            v.push(format!(
                "{label}: template '{}' is not the agent's",
                s.template
            ));
        }
        let ls = s.start.with_timezone(&tz);
        let date = ls.date_naive();
        if date < first || date > last {
            v.push(format!("{label}: starts outside the horizon"));
        }
        let time = ls.time();
        if time < t.earliest_start || time > t.latest_start {
            v.push(format!(
                "{label}: start {} outside {}..{}",
                time.format("%H:%M"),
                t.earliest_start.format("%H:%M"),
                t.latest_start.format("%H:%M")
            ));
        }
        if !grid.is_aligned(s.start) {
            v.push(format!("{label}: start is off the grid"));
        }
        let length = (s.end - s.start).num_minutes();
        let step = if t.length_step_minutes == 0 {
            g
        } else {
            i64::from(t.length_step_minutes)
        };
        if length < i64::from(t.min_length_minutes)
            || length > i64::from(t.max_length_minutes)
            || (length - i64::from(t.min_length_minutes)) % step != 0
        {
            v.push(format!(
                "{label}: length {length} min is not one of the template's"
            ));
        }
        let rules: Vec<_> = t
            .breaks
            .iter()
            .filter(|b| length >= i64::from(b.min_shift_minutes))
            .collect();
        if rules.len() != s.breaks.len() {
            v.push(format!(
                "{label}: {} breaks, the template asks for {}",
                s.breaks.len(),
                rules.len()
            ));
        }
        let mut free = s.start;
        for (b, rule) in s.breaks.iter().zip(&rules) {
            let off = (b.start - s.start).num_minutes();
            let late = i64::from(rule.latest_end_minutes).min(length);
            if b.minutes() != i64::from(rule.minutes)
                || b.paid != rule.paid
                || off < i64::from(rule.earliest_start_minutes)
                || off + b.minutes() > late
                || b.start < free
                || off % g != 0
            {
                v.push(format!(
                    "{label}: break at {} breaks its rule (window, length, order or pay)",
                    local(b.start)
                ));
            }
            free = b.end;
        }
        let unpaid: i64 = s
            .breaks
            .iter()
            .filter(|b| !b.paid)
            .map(|b| b.minutes())
            .sum();
        let paid = length - unpaid;
        let c = &agent.contract;
        if paid < i64::from(c.min_day_minutes) || paid > i64::from(c.max_day_minutes) {
            v.push(format!(
                "{label}: {paid} paid minutes outside the day limits"
            ));
        }
        if agent.days_off.contains(&date) {
            v.push(format!("{label}: {date} is a hard day off"));
        }
        if agent
            .time_off
            .iter()
            .any(|o| o.start < s.end && s.start < o.end)
        {
            v.push(format!("{label}: overlaps approved time off"));
        }
        if !fits_availability(agent, date, s.start, s.end, tz) {
            v.push(format!("{label}: outside the agent's availability"));
        }
        worked
            .entry(agent.id)
            .or_default()
            .push((date, s.start, s.end, paid));
    }

    for agent in &problem.agents {
        let c = &agent.contract;
        let mut shifts = worked.remove(&agent.id).unwrap_or_default();
        shifts.sort_by_key(|s| s.1);
        let mut last_end = agent.history.last_shift_end;
        let mut dates = HashSet::new();
        let mut per_week: BTreeMap<i64, (u32, i64)> = BTreeMap::new();
        let mut weekends = HashSet::new();
        for &(date, start, end, paid) in &shifts {
            if !dates.insert(date) {
                v.push(format!("agent {}: two shifts on {date}", agent.id));
            }
            if let Some(prev) = last_end {
                if (start - prev).num_minutes() < i64::from(c.min_rest_minutes) {
                    v.push(format!(
                        "agent {}: only {} min rest before {}",
                        agent.id,
                        (start - prev).num_minutes(),
                        local(start)
                    ));
                }
            }
            last_end = Some(end);
            let week = (date - first).num_days() / 7;
            let e = per_week.entry(week).or_default();
            e.0 += 1;
            e.1 += paid;
            if let Some(first) = problem.weekend.weekend_of(date) {
                weekends.insert(first);
            }
        }
        for (week, (n, paid)) in per_week {
            if n > c.max_shifts_per_week {
                v.push(format!(
                    "agent {}: {n} shifts in week {}",
                    agent.id,
                    week + 1
                ));
            }
            if paid > i64::from(c.max_week_minutes) {
                v.push(format!(
                    "agent {}: {paid} paid minutes in week {}",
                    agent.id,
                    week + 1
                ));
            }
        }
        if let Some(max) = c.max_working_weekends {
            if weekends.len() as u32 > max {
                v.push(format!(
                    "agent {}: works {} weekends (max {max})",
                    agent.id,
                    weekends.len()
                ));
            }
        }
        // Runs of working days and days off, with the history before day 0.
        let h = &agent.history;
        let mut run_work = h.consecutive_days_worked;
        let mut run_off = h.consecutive_days_off;
        let mut bounded = run_work > 0 || run_off > 0;
        let mut date = first;
        while date <= last {
            if dates.contains(&date) {
                if bounded && run_off > 0 && run_off < c.min_consecutive_days_off {
                    v.push(format!(
                        "agent {}: only {run_off} day(s) off before {date}",
                        agent.id
                    ));
                }
                run_off = 0;
                bounded = true;
                run_work += 1;
                if run_work > c.max_consecutive_days {
                    v.push(format!(
                        "agent {}: {run_work} days in a row up to {date}",
                        agent.id
                    ));
                }
            } else {
                run_work = 0;
                run_off += 1;
            }
            date += Duration::days(1);
        }
    }

    // Coverage and cover cost recomputed from the shifts.
    let mut on: HashMap<(crate::domain::QueueId, DateTime<Utc>), u32> = HashMap::new();
    for s in &solution.shifts {
        for t in grid.intervals(s.start, s.end.min(end)) {
            if !s.breaks.iter().any(|b| b.start <= t && t < b.end) {
                *on.entry((s.queue, t)).or_default() += 1;
            }
        }
    }
    let hours = g as f64 / 60.0;
    let (mut under, mut over) = (0.0, 0.0);
    for c in &solution.coverage {
        let got = on.get(&(c.queue, c.start)).copied().unwrap_or(0);
        if got != c.scheduled {
            v.push(format!(
                "coverage of queue {} at {} says {}, the shifts give {got}",
                c.queue,
                local(c.start),
                c.scheduled
            ));
        }
        under += (c.required - f64::from(got)).max(0.0) * hours;
        over += (f64::from(got) - c.required).max(0.0) * hours;
    }
    let o = &solution.objective;
    if (under - o.under_agent_hours).abs() > 1e-6 * under.max(1.0)
        || (over - o.over_agent_hours).abs() > 1e-6 * over.max(1.0)
    {
        v.push(format!(
            "objective says {:.3} h under / {:.3} h over, the shifts give {under:.3} / {over:.3}",
            o.under_agent_hours, o.over_agent_hours
        ));
    }
    v
}

fn fits_availability(
    agent: &Agent,
    date: NaiveDate,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> bool {
    if agent.availability.is_empty() {
        return true;
    }
    let s = start.with_timezone(&tz).naive_local();
    let e = end.with_timezone(&tz).naive_local();
    let dated: Vec<_> = agent
        .availability
        .iter()
        .filter(|w| w.date == Some(date))
        .collect();
    let windows = if dated.is_empty() {
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
        let mut to = date.and_time(w.to);
        if w.to <= w.from {
            to += Duration::days(1);
        }
        from <= s && e <= to
    })
}
