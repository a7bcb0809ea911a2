//! Independent check of a roster against the problem's hard rules.

use super::roster::Roster;
use super::rules::{agent_index, ScheduleProblem};
use chrono::{DateTime, Duration, Utc};

/// (start, end, local day, paid minutes) of one shift.
type Worked = (DateTime<Utc>, DateTime<Utc>, Option<usize>, i64);

/// At most this many coverage mismatches are listed one by one.
const MAX_COVERAGE_MESSAGES: usize = 5;

/// Checks a roster against every hard rule: problem validity, start window,
/// shift length, horizon, grid alignment, lunch (one unpaid break of
/// `lunch_minutes` inside its window, none when `lunch_minutes` is 0), one
/// shift per local day, rest, overlap, days and paid minutes per week
/// block, known agents, and that `roster.coverage` matches the shifts and
/// the requirement. Returns the violations (empty = valid).
///
/// `min_week_minutes` is a soft target and is not reported here:
/// `solve_greedy` puts a warning in the roster when it cannot be met.
pub fn check_rules(problem: &ScheduleProblem, roster: &Roster) -> Vec<String> {
    let mut v = Vec::new();
    if let Err(e) = problem.check() {
        v.push(format!("problem is invalid: {e}"));
        return v;
    }
    let Ok(horizon) = problem.horizon() else {
        v.push("problem horizon is invalid".to_string());
        return v;
    };
    let grid = &problem.grid;
    let rule = &problem.rule;
    let index = agent_index(&problem.agents);
    let length = Duration::minutes(i64::from(rule.length_minutes));
    let lunch_offsets: Vec<i64> = rule
        .lunch_offsets(grid.minutes)
        .into_iter()
        .map(i64::from)
        .collect();
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&grid.tz)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    };

    let mut per_agent: Vec<Vec<Worked>> = vec![Vec::new(); problem.agents.len()];
    let mut scheduled = vec![0u32; horizon.intervals.len()];

    for shift in &roster.shifts {
        let label = format!("shift of agent {} at {}", shift.agent, local(shift.start));
        let Some(&a) = index.get(&shift.agent) else {
            v.push(format!(
                "{label}: agent {} is not in the problem",
                shift.agent
            ));
            continue;
        };
        if shift.end - shift.start != length {
            v.push(format!(
                "{label}: lasts {} minutes, the rule says {}",
                (shift.end - shift.start).num_minutes(),
                rule.length_minutes
            ));
        }
        if !grid.is_aligned(shift.start) {
            v.push(format!(
                "{label}: does not start on the {}-minute grid",
                grid.minutes
            ));
        }
        if shift.start < horizon.start || shift.end > horizon.end {
            v.push(format!("{label}: not inside the horizon"));
        }
        let time = shift.start.with_timezone(&grid.tz).time();
        if time < rule.earliest_start || time > rule.latest_start {
            v.push(format!(
                "{label}: starts outside {}-{}",
                rule.earliest_start.format("%H:%M"),
                rule.latest_start.format("%H:%M")
            ));
        }
        let mut unpaid = 0;
        for b in &shift.breaks {
            if b.start < shift.start || b.end > shift.end || b.start >= b.end {
                v.push(format!(
                    "{label}: break {}-{} is not inside the shift",
                    local(b.start),
                    local(b.end)
                ));
            }
            if !b.paid {
                unpaid += 1;
                if b.end - b.start != Duration::minutes(i64::from(rule.lunch_minutes)) {
                    v.push(format!(
                        "{label}: lunch lasts {} minutes, the rule says {}",
                        b.minutes(),
                        rule.lunch_minutes
                    ));
                }
                if !lunch_offsets.contains(&(b.start - shift.start).num_minutes()) {
                    v.push(format!(
                        "{label}: lunch at {} is outside its window (on the grid, from 2 h after the start to 1 h before the end)",
                        local(b.start)
                    ));
                }
            }
        }
        for (i, b) in shift.breaks.iter().enumerate() {
            if shift.breaks[i + 1..]
                .iter()
                .any(|c| c.start < b.end && b.start < c.end)
            {
                v.push(format!("{label}: breaks overlap"));
            }
        }
        let expected = usize::from(rule.lunch_minutes > 0);
        if unpaid != expected {
            v.push(format!(
                "{label}: has {unpaid} unpaid breaks, the rule says {expected}"
            ));
        }
        let day = horizon.day_of_instant(shift.start, grid);
        per_agent[a].push((shift.start, shift.end, day, shift.paid_minutes()));
        for (i, &t) in horizon.intervals.iter().enumerate() {
            if shift.is_on(t) {
                scheduled[i] += 1;
            }
        }
    }

    let rest = Duration::hours(i64::from(rule.min_rest_hours));
    for (a, shifts) in per_agent.iter_mut().enumerate() {
        let contract = &problem.agents[a];
        let who = format!("agent {} ({})", contract.id, contract.name);
        shifts.sort_by_key(|s| s.0);
        let mut latest_end: Option<DateTime<Utc>> = None;
        for (k, s) in shifts.iter().enumerate() {
            if let Some(end) = latest_end {
                if s.0 - end < rest {
                    v.push(format!(
                        "{who}: shift at {} starts {} minutes after the previous one ends (rest {} h)",
                        local(s.0),
                        (s.0 - end).num_minutes(),
                        rule.min_rest_hours
                    ));
                }
            }
            latest_end = Some(latest_end.map_or(s.1, |e| e.max(s.1)));
            if s.2.is_some() && shifts[..k].iter().any(|p| p.2 == s.2) {
                v.push(format!("{who}: two shifts on local day of {}", local(s.0)));
            }
        }
        for w in 0..problem.weeks() {
            let in_week: Vec<_> = shifts
                .iter()
                .filter(|s| s.2.map(|d| d / 7) == Some(w))
                .collect();
            let from = horizon.dates[w * 7];
            let days = in_week.len() as u32;
            if days > rule.max_days_per_week {
                v.push(format!(
                    "{who}: {days} days in the week from {from}, at most {}",
                    rule.max_days_per_week
                ));
            }
            let paid: i64 = in_week.iter().map(|s| s.3).sum();
            if paid > i64::from(contract.max_week_minutes) {
                v.push(format!(
                    "{who}: {paid} paid minutes in the week from {from}, at most {}",
                    contract.max_week_minutes
                ));
            }
        }
    }

    let (required, _) = problem.requirement_per_interval(&horizon);
    if roster.coverage.len() != horizon.intervals.len() {
        v.push(format!(
            "coverage has {} intervals, the horizon {}",
            roster.coverage.len(),
            horizon.intervals.len()
        ));
    } else {
        let mut wrong = 0;
        for (i, c) in roster.coverage.iter().enumerate() {
            let ok = c.start == horizon.intervals[i]
                && c.scheduled == scheduled[i]
                && (c.required - required[i]).abs() <= 1e-9;
            if !ok {
                wrong += 1;
                if wrong <= MAX_COVERAGE_MESSAGES {
                    v.push(format!(
                        "coverage at {}: says {} scheduled / {} required, the shifts give {} / {}",
                        local(horizon.intervals[i]),
                        c.scheduled,
                        c.required,
                        scheduled[i],
                        required[i]
                    ));
                }
            }
        }
        if wrong > MAX_COVERAGE_MESSAGES {
            v.push(format!(
                "coverage: {} more intervals differ",
                wrong - MAX_COVERAGE_MESSAGES
            ));
        }
    }
    v
}
