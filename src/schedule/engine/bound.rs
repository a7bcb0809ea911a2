//! Lower bound on the objective: an LP relaxation solved with clarabel.
//!
//! Agents are aggregated: `y[o,q] ≥ 0` shifts of option `o` (day,
//! template, start, length) on queue `q`. Any roster is a feasible point:
//! * agents on per interval are at most the shifts covering it, and at
//!   least the shifts covering it outside every break window;
//! * agents on over the horizon are at most the shifts' working intervals;
//! * under/over-cover `u, v ≥ 0` with `u ≥ req − on`, `v ≥ on − req`, and
//!   `w_u·u + w_o·v ≥` the cheapest integer cover of a fractional
//!   requirement (a valid cut since agents on is an integer);
//! * per day, shifts ≤ agents who can work that day; per option, shifts ≤
//!   agents allowed it; per week, paid minutes and shifts ≤ the sum of the
//!   agents' weekly maxima.
//!
//! * per week, the contract shortfall is at least the summed minima less
//!   the worked minutes (and shifts), at the contract weight;
//! * per weekend, shifts on its Saturday (or Sunday) ≤ agents working it,
//!   and those summed ≤ the agents' weekend maxima.
//!
//! Soft requests cost ≥ 0 and are left out, so the LP
//! optimum (clarabel's dual objective, less a tolerance) bounds the
//! objective from below. `None` when the LP is too large or not solved.

use super::catalog::Catalog;
use super::model::Problem;
use crate::schedule::lp_rows::{LpSettings, Rows};
use std::time::{Duration, Instant};

/// Largest LP (variables) attempted.
const MAX_VARS: usize = 300_000;

/// The bound, and the LP's shift mix: `(option, queue, shifts)` with
/// shifts > 0 (a guide for building a roster).
pub(crate) struct LpBound {
    pub value: f64,
    pub mix: Vec<(u32, u8, f64)>,
}

pub(crate) fn lower_bound(
    cat: &Catalog,
    problem: &Problem,
    time_limit: Duration,
) -> Option<LpBound> {
    let started = Instant::now();
    let nq = cat.queues.len();
    let n = cat.n;
    let w = &problem.weights;
    let hours = f64::from(cat.grid_minutes) / 60.0;
    let days = cat.days();

    // Which (option, queue) some agent can take, and how many agents may take each option.
    let mut cap = vec![0u32; cat.opts.len()];
    let mut skilled = vec![false; cat.opts.len() * nq];
    let mut day_agents = vec![0u32; days];
    let mut week_minutes = vec![0f64; cat.weeks];
    let mut week_shifts = vec![0f64; cat.weeks];
    let mut min_minutes = vec![0f64; cat.weeks];
    let mut min_shifts = vec![0f64; cat.weeks];
    // Σ of the agents' weekend maxima; `None` when some agent has no limit.
    let mut weekend_cap = Some(0.0);
    for (a, data) in cat.agents.iter().enumerate() {
        let c = &problem.agents[a].contract;
        for wk in 0..cat.weeks {
            min_minutes[wk] += f64::from(data.min_week_minutes[wk]);
            min_shifts[wk] += f64::from(data.min_week_shifts[wk]);
        }
        weekend_cap = match (weekend_cap, c.max_working_weekends) {
            (Some(t), Some(m)) => Some(t + f64::from(m)),
            _ => None,
        };
        let mut weeks_seen = vec![false; cat.weeks];
        for (d, allowed) in data.allowed.iter().enumerate() {
            if !allowed.is_empty() {
                day_agents[d] += 1;
                weeks_seen[cat.day_week[d]] = true;
            }
            for &k in allowed {
                cap[k as usize] += 1;
                for &q in &data.queues {
                    skilled[k as usize * nq + usize::from(q)] = true;
                }
            }
        }
        for (wk, seen) in weeks_seen.iter().enumerate() {
            if *seen {
                week_minutes[wk] += f64::from(c.max_week_minutes);
                week_shifts[wk] += f64::from(c.max_shifts_per_week);
            }
        }
    }
    let mut yid = vec![usize::MAX; cat.opts.len() * nq];
    let mut nv = 0;
    for (k, id) in yid.iter_mut().enumerate() {
        if skilled[k] && cap[k / nq] > 0 {
            *id = nv;
            nv += 1;
        }
    }
    let on0 = nv;
    let u0 = on0 + nq * n;
    let v0 = u0 + nq * n;
    // Per week: minutes and shifts short of the summed contract minima.
    let sm0 = v0 + nq * n;
    let ss0 = sm0 + cat.weeks;
    // Per weekend: agents working it.
    let weekends = cat.day_weekend.iter().flatten().max().map_or(0, |w| w + 1);
    let wk0 = ss0 + cat.weeks;
    let nvars = wk0 + weekends;
    if nvars > MAX_VARS {
        return None;
    }
    let mut cost = vec![0.0; nvars];
    for (k, &id) in yid.iter().enumerate() {
        if id != usize::MAX {
            cost[id] = w.paid_hour * f64::from(cat.opts[k / nq].paid_minutes) / 60.0;
        }
    }
    for c in 0..nq * n {
        cost[u0 + c] = hours * w.under;
        cost[v0 + c] = hours * w.over;
    }
    for wk in 0..cat.weeks {
        cost[sm0 + wk] = w.contract_hour / 60.0;
        cost[ss0 + wk] = 4.0 * w.contract_hour;
    }

    // Every row is `Σ terms ≤ rhs` (one non-negative cone).
    let mut rows = Rows::default();
    for j in 0..nvars {
        rows.push(&[(j, -1.0)], 0.0);
    }
    // Shifts covering each interval, and those that cannot be on break there.
    let mut covers: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nq * n];
    let mut surely_on: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nq * n];
    let mut total_work: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nq];
    for (k, o) in cat.opts.iter().enumerate() {
        let plan = &cat.plans[usize::from(o.plan)];
        let break_len: u16 = plan.iter().map(|b| b.len).sum();
        for q in 0..nq {
            let id = yid[k * nq + q];
            if id == usize::MAX {
                continue;
            }
            total_work[q].push((id, -f64::from(o.len - break_len)));
            for off in 0..usize::from(o.len) {
                let i = o.start as usize + off;
                if i >= n {
                    break;
                }
                covers[q * n + i].push((id, -1.0));
                let maybe_break = plan
                    .iter()
                    .any(|b| off >= usize::from(b.earliest) && off < usize::from(b.latest + b.len));
                if !maybe_break {
                    surely_on[q * n + i].push((id, 1.0));
                }
            }
        }
    }
    for (q, work) in total_work.iter().enumerate() {
        for i in 0..n {
            let c = q * n + i;
            let mut terms = covers[c].clone();
            terms.push((on0 + c, 1.0));
            rows.push(&terms, 0.0);
            let mut terms = surely_on[c].clone();
            terms.push((on0 + c, -1.0));
            rows.push(&terms, 0.0);
            let req = cat.req[q * cat.row + i];
            rows.push(&[(on0 + c, -1.0), (u0 + c, -1.0)], -req);
            rows.push(&[(on0 + c, 1.0), (v0 + c, -1.0)], req);
            let floor_cost = w.under * (req - req.floor());
            let ceil_cost = w.over * (req.ceil() - req);
            let cut = floor_cost.min(ceil_cost);
            if cut > 0.0 {
                rows.push(&[(u0 + c, -w.under), (v0 + c, -w.over)], -cut);
            }
        }
        let mut terms = work.clone();
        terms.extend((0..n).map(|i| (on0 + q * n + i, 1.0)));
        rows.push(&terms, 0.0);
    }
    // Agents per day and per option; weekly maxima.
    let mut per_day: Vec<Vec<(usize, f64)>> = vec![Vec::new(); days];
    let mut per_week_min: Vec<Vec<(usize, f64)>> = vec![Vec::new(); cat.weeks];
    let mut per_week_shift: Vec<Vec<(usize, f64)>> = vec![Vec::new(); cat.weeks];
    for (k, o) in cat.opts.iter().enumerate() {
        let mut terms = Vec::new();
        for q in 0..nq {
            let id = yid[k * nq + q];
            if id != usize::MAX {
                terms.push((id, 1.0));
                let d = usize::from(o.day);
                per_day[d].push((id, 1.0));
                per_week_min[cat.day_week[d]].push((id, f64::from(o.paid_minutes)));
                per_week_shift[cat.day_week[d]].push((id, 1.0));
            }
        }
        if !terms.is_empty() {
            rows.push(&terms, f64::from(cap[k]));
        }
    }
    for (d, terms) in per_day.iter().enumerate() {
        if !terms.is_empty() {
            rows.push(terms, f64::from(day_agents[d]));
        }
    }
    for wk in 0..cat.weeks {
        if !per_week_min[wk].is_empty() {
            rows.push(&per_week_min[wk], week_minutes[wk]);
            rows.push(&per_week_shift[wk], week_shifts[wk]);
        }
        // Σ_a max(0, min_a − worked_a) ≥ Σ_a min_a − Σ_a worked_a.
        let mut terms: Vec<(usize, f64)> = per_week_min[wk].iter().map(|&(j, v)| (j, -v)).collect();
        terms.push((sm0 + wk, -1.0));
        rows.push(&terms, -min_minutes[wk]);
        let mut terms: Vec<(usize, f64)> =
            per_week_shift[wk].iter().map(|&(j, v)| (j, -v)).collect();
        terms.push((ss0 + wk, -1.0));
        rows.push(&terms, -min_shifts[wk]);
    }
    // Weekends: shifts on a Saturday (or Sunday) ≤ agents working that
    // weekend; those, summed, ≤ the agents' weekend maxima.
    if let Some(total) = weekend_cap {
        for (d, terms) in per_day.iter().enumerate() {
            if let Some(k) = cat.day_weekend[d] {
                let mut t = terms.clone();
                t.push((wk0 + k, -1.0));
                rows.push(&t, 0.0);
            }
        }
        let terms: Vec<(usize, f64)> = (0..weekends).map(|k| (wk0 + k, 1.0)).collect();
        rows.push(&terms, total);
    }

    let settings = LpSettings {
        time_limit: time_limit.saturating_sub(started.elapsed()),
        tolerance: None,
        accept_almost: false,
    };
    let solved = rows.solve(&cost, 0, settings)?;
    let lp = solved.dual;
    let mix = yid
        .iter()
        .enumerate()
        .filter(|(_, &id)| id != usize::MAX && solved.x[id] > 1e-6)
        .map(|(k, &id)| ((k / nq) as u32, (k % nq) as u8, solved.x[id]))
        .collect();
    Some(LpBound {
        value: (lp - 1e-6 * lp.abs().max(1.0)).max(0.0),
        mix,
    })
}
