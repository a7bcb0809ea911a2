//! LP lower bound via clarabel (interior point).
//!
//! Relaxation of the integer model: `x[e,d,t] ∈ [0,1]` for every allowed
//! cell (not a day off, type not capped at 0), under/over-cover variables,
//! weekend indicators. Kept: one shift a day, cover balance, total minutes,
//! per-type maxima, every window of `max_consecutive_shifts + 1` days,
//! forbidden successions, weekends, and the valid inequalities that forbid
//! inner working runs shorter than `min_consecutive_shifts` and inner
//! day-off runs shorter than `min_consecutive_days_off`. Any roster is a
//! feasible point, so the LP optimum bounds the objective from below; the
//! dual objective (minus a tolerance, rounded up since objectives are
//! integers) is reported only when clarabel reports `Solved`.

use super::CurtoisInstance;
use crate::schedule::lp_rows::{LpSettings, Rows};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct BoundOptions {
    pub time_limit: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LowerBound {
    /// Proven lower bound on the objective (rounded up to an integer).
    pub value: u64,
    /// LP optimum before rounding.
    pub lp_value: f64,
    pub elapsed: Duration,
}

/// Largest LP (number of cell variables) attempted.
const MAX_CELL_VARS: usize = 400_000;

/// LP lower bound, or `None` when the LP is too large or not solved in time.
pub fn lower_bound(inst: &CurtoisInstance, opts: &BoundOptions) -> Option<LowerBound> {
    let started = Instant::now();
    let n = inst.shifts.len();
    let days = inst.days;
    let ne = inst.employees.len();
    // Variable layout.
    let mut xid = vec![usize::MAX; ne * days * n];
    let mut nv = 0;
    for (e, emp) in inst.employees.iter().enumerate() {
        for d in 0..days {
            if emp.days_off[d] {
                continue;
            }
            for t in 0..n {
                if emp.max_shifts[t] > 0 {
                    xid[(e * days + d) * n + t] = nv;
                    nv += 1;
                }
            }
        }
    }
    if nv > MAX_CELL_VARS {
        return None;
    }
    let x = |e: usize, d: usize, t: usize| xid[(e * days + d) * n + t];
    let under0 = nv;
    let over0 = nv + days * n;
    // Weekends w with day 7w+5 inside the horizon.
    let weekends = (days + 1) / 7;
    let w0 = over0 + days * n;
    // y[e,d] = sum_t x[e,d,t] (works that day), keeps window rows sparse.
    let y0 = w0 + ne * weekends;
    let nvars = y0 + ne * days;

    let mut q = vec![0.0; nvars];
    let mut constant = 0.0;
    for e in 0..ne {
        for d in 0..days {
            for t in 0..n {
                let k = (e * days + d) * n + t;
                let on = f64::from(inst.on_weight[k]);
                let off = f64::from(inst.off_weight[k]);
                constant += on;
                if xid[k] != usize::MAX {
                    q[xid[k]] += off - on;
                }
            }
        }
    }
    for k in 0..days * n {
        q[under0 + k] = f64::from(inst.cover[k].under_weight);
        q[over0 + k] = f64::from(inst.cover[k].over_weight);
    }

    let mut rows = Rows::default();
    // Cover balance (zero cone): sum x + u - o = req.
    for d in 0..days {
        for t in 0..n {
            let k = d * n + t;
            let mut terms: Vec<(usize, f64)> = (0..ne)
                .map(|e| x(e, d, t))
                .filter(|&j| j != usize::MAX)
                .map(|j| (j, 1.0))
                .collect();
            terms.push((under0 + k, 1.0));
            terms.push((over0 + k, -1.0));
            rows.push(&terms, f64::from(inst.cover[k].requirement));
        }
    }
    for e in 0..ne {
        for d in 0..days {
            let mut terms: Vec<(usize, f64)> = (0..n)
                .map(|t| x(e, d, t))
                .filter(|&j| j != usize::MAX)
                .map(|j| (j, -1.0))
                .collect();
            terms.push((y0 + e * days + d, 1.0));
            rows.push(&terms, 0.0);
        }
    }
    let m_eq = rows.b.len();
    // Nonnegativity of every variable: -v <= 0.
    for j in 0..nvars {
        rows.push(&[(j, -1.0)], 0.0);
    }
    let day_terms =
        |e: usize, d: usize, coef: f64| -> Vec<(usize, f64)> { vec![(y0 + e * days + d, coef)] };
    for (e, emp) in inst.employees.iter().enumerate() {
        for d in 0..days {
            let t = day_terms(e, d, 1.0);
            if !t.is_empty() {
                rows.push(&t, 1.0);
            }
        }
        // Minutes.
        let mut mins = Vec::new();
        for d in 0..days {
            for t in 0..n {
                let j = x(e, d, t);
                if j != usize::MAX {
                    mins.push((j, f64::from(inst.shifts[t].minutes)));
                }
            }
        }
        rows.push(&mins, f64::from(emp.max_total_minutes));
        let neg: Vec<(usize, f64)> = mins.iter().map(|&(j, v)| (j, -v)).collect();
        rows.push(&neg, -f64::from(emp.min_total_minutes));
        // Per-type maxima.
        for t in 0..n {
            if (emp.max_shifts[t] as usize) < days && emp.max_shifts[t] > 0 {
                let terms: Vec<(usize, f64)> = (0..days)
                    .map(|d| x(e, d, t))
                    .filter(|&j| j != usize::MAX)
                    .map(|j| (j, 1.0))
                    .collect();
                rows.push(&terms, f64::from(emp.max_shifts[t]));
            }
        }
        // Max consecutive.
        let mc = emp.max_consecutive_shifts as usize;
        if mc < days {
            for s in 0..days - mc {
                let terms: Vec<(usize, f64)> =
                    (s..=s + mc).flat_map(|d| day_terms(e, d, 1.0)).collect();
                rows.push(&terms, mc as f64);
            }
        }
        // Forbidden successions.
        for d in 0..days.saturating_sub(1) {
            for (t, sh) in inst.shifts.iter().enumerate() {
                for &u in &sh.forbidden_next {
                    let (a, b) = (x(e, d, t), x(e, d + 1, u));
                    if a != usize::MAX && b != usize::MAX {
                        rows.push(&[(a, 1.0), (b, 1.0)], 1.0);
                    }
                }
            }
        }
        // Short inner runs: work run d..d+len-1 with off on both sides.
        for len in 1..emp.min_consecutive_shifts as usize {
            for d in 1..days {
                if d + len >= days {
                    break;
                }
                let mut terms: Vec<(usize, f64)> =
                    (d..d + len).flat_map(|j| day_terms(e, j, 1.0)).collect();
                terms.extend(day_terms(e, d - 1, -1.0));
                terms.extend(day_terms(e, d + len, -1.0));
                rows.push(&terms, (len - 1) as f64);
            }
        }
        // Off run d..d+len-1 with work on both sides.
        for len in 1..emp.min_consecutive_days_off as usize {
            for d in 1..days {
                if d + len >= days {
                    break;
                }
                let mut terms: Vec<(usize, f64)> =
                    (d..d + len).flat_map(|j| day_terms(e, j, -1.0)).collect();
                terms.extend(day_terms(e, d - 1, 1.0));
                terms.extend(day_terms(e, d + len, 1.0));
                rows.push(&terms, 1.0);
            }
        }
        // Weekends.
        if (emp.max_weekends as usize) < weekends {
            for k in 0..weekends {
                for d in [7 * k + 5, 7 * k + 6] {
                    if d < days {
                        let mut terms = day_terms(e, d, 1.0);
                        terms.push((w0 + e * weekends + k, -1.0));
                        rows.push(&terms, 0.0);
                    }
                }
            }
            let terms: Vec<(usize, f64)> = (0..weekends)
                .map(|k| (w0 + e * weekends + k, 1.0))
                .collect();
            rows.push(&terms, f64::from(emp.max_weekends));
        }
    }
    let settings = LpSettings {
        time_limit: opts.time_limit.saturating_sub(started.elapsed()),
        tolerance: None,
        accept_almost: false,
    };
    let solved = rows.solve(&q, m_eq, settings)?;
    let lp = solved.dual + constant;
    let tol = 1e-6 * lp.abs().max(1.0);
    let value = (lp - tol).ceil().max(0.0) as u64;
    Some(LowerBound {
        value,
        lp_value: lp,
        elapsed: started.elapsed(),
    })
}
