//! Exact objective and hard-rule check (see the module docs for the rules).

use super::{CurtoisError, CurtoisInstance, CurtoisRoster};

/// A hard rule of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
pub enum Rule {
    DayOff,
    ForbiddenSuccession,
    MaxShiftsOfType,
    MaxTotalMinutes,
    MinTotalMinutes,
    MaxConsecutiveShifts,
    MinConsecutiveShifts,
    MinConsecutiveDaysOff,
    MaxWeekends,
}

/// One broken hard rule. `amount` is how far off it is (days, shifts,
/// minutes or weekends, by rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub employee: usize,
    pub rule: Rule,
    /// First day concerned (0 for whole-horizon rules).
    pub day: usize,
    pub amount: u32,
}

/// Result of [`evaluate`]: `objective` is the benchmark objective (soft
/// penalties only); `feasible` means no hard rule is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub feasible: bool,
    pub violations: Vec<Violation>,
    pub objective: u64,
    pub under_cover: u64,
    pub over_cover: u64,
    pub on_requests: u64,
    pub off_requests: u64,
}

/// Evaluate `roster` exactly. Errors only when its shape does not match.
pub fn evaluate(
    inst: &CurtoisInstance,
    roster: &CurtoisRoster,
) -> Result<Evaluation, CurtoisError> {
    let n = inst.shifts.len();
    let shape_ok = roster.assignment.len() == inst.employees.len()
        && roster
            .assignment
            .iter()
            .all(|r| r.len() == inst.days && r.iter().all(|c| c.is_none_or(|t| t < n)));
    if !shape_ok {
        return Err(CurtoisError::Shape {
            got: format!("{}", roster.assignment.len()),
            employees: inst.employees.len(),
            days: inst.days,
        });
    }
    let mut violations = Vec::new();
    let mut on_requests = 0;
    let mut off_requests = 0;
    let mut counts = vec![0u32; inst.days * n];
    for (e, row) in roster.assignment.iter().enumerate() {
        let cells = to_cells(inst, row);
        employee_hard(inst, e, &cells, Some(&mut violations));
        for (d, c) in row.iter().enumerate() {
            let base = (e * inst.days + d) * n;
            for t in 0..n {
                if Some(t) != *c {
                    on_requests += u64::from(inst.on_weight[base + t]);
                }
            }
            if let Some(t) = c {
                off_requests += u64::from(inst.off_weight[base + t]);
                counts[d * n + t] += 1;
            }
        }
    }
    let mut under_cover = 0;
    let mut over_cover = 0;
    for (i, cv) in inst.cover.iter().enumerate() {
        let c = counts[i];
        if c < cv.requirement {
            under_cover += u64::from(cv.requirement - c) * u64::from(cv.under_weight);
        } else {
            over_cover += u64::from(c - cv.requirement) * u64::from(cv.over_weight);
        }
    }
    Ok(Evaluation {
        feasible: violations.is_empty(),
        violations,
        objective: under_cover + over_cover + on_requests + off_requests,
        under_cover,
        over_cover,
        on_requests,
        off_requests,
    })
}

/// Row as cells: shift index, or `shifts.len()` for a day off.
pub(crate) fn to_cells(inst: &CurtoisInstance, row: &[Option<usize>]) -> Vec<u16> {
    let off = inst.shifts.len() as u16;
    row.iter().map(|c| c.map_or(off, |t| t as u16)).collect()
}

/// Hard-rule check of one employee's row of cells (`shifts.len()` = off).
/// Returns violation units (the solver's penalty measure: days, shifts,
/// weekends, hours of minutes) and, when `sink` is given, pushes the
/// violations.
pub(crate) fn employee_hard(
    inst: &CurtoisInstance,
    e: usize,
    row: &[u16],
    mut sink: Option<&mut Vec<Violation>>,
) -> u32 {
    let emp = &inst.employees[e];
    let n = inst.shifts.len();
    let off = n as u16;
    let days = row.len();
    let mut units = 0u32;
    let mut push = |rule: Rule, day: usize, amount: u32, units_of: u32| {
        units += units_of;
        if let Some(s) = sink.as_deref_mut() {
            s.push(Violation {
                employee: e,
                rule,
                day,
                amount,
            });
        }
    };
    let mut per_type = [0u32; 64];
    let mut per_type_vec;
    let per_type: &mut [u32] = if n <= 64 {
        &mut per_type[..n]
    } else {
        per_type_vec = vec![0u32; n];
        &mut per_type_vec
    };
    let mut minutes = 0u32;
    for d in 0..days {
        let c = row[d];
        if c == off {
            continue;
        }
        if emp.days_off[d] {
            push(Rule::DayOff, d, 1, 1);
        }
        per_type[c as usize] += 1;
        minutes += inst.shifts[c as usize].minutes;
        if d + 1 < days {
            let nx = row[d + 1];
            if nx != off
                && inst.shifts[c as usize]
                    .forbidden_next
                    .contains(&(nx as usize))
            {
                push(Rule::ForbiddenSuccession, d, 1, 1);
            }
        }
    }
    for (t, &k) in per_type.iter().enumerate() {
        if k > emp.max_shifts[t] {
            let x = k - emp.max_shifts[t];
            push(Rule::MaxShiftsOfType, 0, x, x);
        }
    }
    if minutes > emp.max_total_minutes {
        let x = minutes - emp.max_total_minutes;
        push(Rule::MaxTotalMinutes, 0, x, x.div_ceil(60));
    }
    if minutes < emp.min_total_minutes {
        let x = emp.min_total_minutes - minutes;
        push(Rule::MinTotalMinutes, 0, x, x.div_ceil(60));
    }
    // Runs.
    let mut d = 0;
    while d < days {
        let working = row[d] != off;
        let start = d;
        while d < days && (row[d] != off) == working {
            d += 1;
        }
        let len = (d - start) as u32;
        let inner = start > 0 && d < days;
        if working {
            if len > emp.max_consecutive_shifts {
                let x = len - emp.max_consecutive_shifts;
                push(Rule::MaxConsecutiveShifts, start, x, x);
            }
            if inner && len < emp.min_consecutive_shifts {
                let x = emp.min_consecutive_shifts - len;
                push(Rule::MinConsecutiveShifts, start, x, x);
            }
        } else if inner && len < emp.min_consecutive_days_off {
            let x = emp.min_consecutive_days_off - len;
            push(Rule::MinConsecutiveDaysOff, start, x, x);
        }
    }
    let mut weekends = 0u32;
    let mut w = 0;
    while 7 * w + 5 < days {
        let sat = row[7 * w + 5] != off;
        let sun = 7 * w + 6 < days && row[7 * w + 6] != off;
        if sat || sun {
            weekends += 1;
        }
        w += 1;
    }
    if weekends > emp.max_weekends {
        let x = weekends - emp.max_weekends;
        push(Rule::MaxWeekends, 0, x, x);
    }
    units
}
