//! Lower bound from the LP relaxation of the cover (clarabel).
//!
//! Variables: a real worker count `x ≥ 0` for every (candidate shift, day)
//! and per slot `u, o ≥ 0` with `Σ x covering the slot + u − o = demand`;
//! minimise `Σ interval · (w_under · u + w_over · o)`. Every design is a
//! feasible point, so the LP optimum bounds its cover cost; cover costs are
//! integers, so the dual objective (minus a tolerance) is rounded up. A
//! design that uses any shift also pays at least one distinct shift, and
//! the duty term is never negative, so
//! `LP bound = min(empty design, ⌈LP⌉ + weightShiftInstances)`.
//!
//! Jump bound (cheap, usually much stronger here): where no shift starts at
//! slot-of-day `t`, staffing cannot rise from slot `p − 1` to `p` (`p` any
//! slot at time `t`, cyclically), so each rise `J` of the demand there
//! costs at least `J` staff-slots of deviation split over the two slots;
//! a slot lies in at most two such pairs, so the cover cost is at least
//! `w · interval · Σ_{t ∉ S} J(t) / 2` (`w = min(w_under, w_over)`, `S` the
//! start slots in use). Every start slot in use is at least one distinct
//! shift: `objective ≥ Σ_t min(w_shift, w·interval·J(t)/2)` (no `min` for
//! slots no shift type may start at). The same holds for falls of the
//! demand and the slots where shifts end. Cover and shift costs are
//! integers, so the bound is rounded up. The reported value is the larger
//! of the LP and jump bounds.

use super::Instance;
use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettingsBuilder, DefaultSolver, IPSolver, NonnegativeConeT, SolverStatus, ZeroConeT,
};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct BoundOptions {
    pub time_limit: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LowerBound {
    /// Proven lower bound on the objective.
    pub value: f64,
    /// LP optimum of the cover cost (`None`: clarabel did not solve it).
    pub lp_value: Option<f64>,
    /// The jump bound alone.
    pub jump_bound: f64,
    pub elapsed: Duration,
}

/// The larger of the LP bound (when clarabel reports `Solved` in time) and
/// the jump bound.
pub fn lower_bound(inst: &Instance, opts: &BoundOptions) -> LowerBound {
    let started = Instant::now();
    let jump = jump_bound(inst);
    let lp = lp_bound(inst, opts);
    LowerBound {
        value: lp.map_or(jump, |(b, _)| b.max(jump)),
        lp_value: lp.map(|(_, v)| v),
        jump_bound: jump,
        elapsed: started.elapsed(),
    }
}

/// `(bound, LP optimum)`.
fn lp_bound(inst: &Instance, opts: &BoundOptions) -> Option<(f64, f64)> {
    let cand = inst.candidate_shifts();
    let days = inst.days;
    let spd = inst.slots_per_day();
    let n = inst.total_slots();
    let nx = cand.len() * days;
    let nvars = nx + 2 * n;
    let iv = f64::from(inst.interval);
    let mut q = vec![0.0; nvars];
    for p in 0..n {
        q[nx + p] = iv * inst.weights.under_cover as f64;
        q[nx + n + p] = iv * inst.weights.over_cover as f64;
    }
    let (mut ri, mut cj, mut vv) = (Vec::new(), Vec::new(), Vec::new());
    // Cover rows 0..n (equalities).
    for (c, &(s, l, _)) in cand.iter().enumerate() {
        for d in 0..days {
            let j = c * days + d;
            for k in 0..l {
                ri.push((d * spd + s + k) % n);
                cj.push(j);
                vv.push(1.0);
            }
        }
    }
    for p in 0..n {
        ri.push(p);
        cj.push(nx + p);
        vv.push(1.0);
        ri.push(p);
        cj.push(nx + n + p);
        vv.push(-1.0);
    }
    // Sign rows n..n+nvars: −v ≤ 0.
    for j in 0..nvars {
        ri.push(n + j);
        cj.push(j);
        vv.push(-1.0);
    }
    let m = n + nvars;
    let mut b: Vec<f64> = inst.demand.iter().map(|&d| f64::from(d)).collect();
    b.resize(m, 0.0);
    let a = CscMatrix::new_from_triplets(m, nvars, ri, cj, vv);
    let pm = CscMatrix::<f64>::zeros((nvars, nvars));
    let cones = [ZeroConeT(n), NonnegativeConeT(nvars)];
    let settings = DefaultSettingsBuilder::default()
        .verbose(false)
        .time_limit(opts.time_limit.as_secs_f64())
        .max_iter(200)
        .build()
        .ok()?;
    let mut solver = DefaultSolver::new(&pm, &q, &a, &b, &cones, settings).ok()?;
    solver.solve();
    if solver.solution.status != SolverStatus::Solved {
        return None;
    }
    let lp = solver.solution.obj_val_dual;
    let tol = 1e-6 * lp.abs().max(1.0);
    let cover = (lp - tol).ceil().max(0.0);
    let lp_bound = inst
        .empty_objective()
        .min(cover + inst.weights.shift_instances as f64);
    Some((lp_bound, lp))
}

/// The jump bound of the module documentation.
pub fn jump_bound(inst: &Instance) -> f64 {
    let spd = inst.slots_per_day();
    let n = inst.total_slots();
    let cand = inst.candidate_shifts();
    let mut can_start = vec![false; spd];
    let mut can_end = vec![false; spd];
    for &(s, l, _) in &cand {
        can_start[s] = true;
        can_end[(s + l) % spd] = true;
    }
    let mut rise = vec![0u64; spd];
    let mut fall = vec![0u64; spd];
    for p in 0..n {
        let (a, b) = (inst.demand[(p + n - 1) % n], inst.demand[p]);
        rise[p % spd] += u64::from(b.saturating_sub(a));
        fall[p % spd] += u64::from(a.saturating_sub(b));
    }
    let w = inst.weights.under_cover.min(inst.weights.over_cover) as f64;
    let unit = w * f64::from(inst.interval) / 2.0;
    let ws = inst.weights.shift_instances as f64;
    let side = |jumps: &[u64], allowed: &[bool]| -> f64 {
        jumps
            .iter()
            .zip(allowed)
            .map(|(&j, &ok)| {
                let c = unit * j as f64;
                if ok {
                    c.min(ws)
                } else {
                    c
                }
            })
            .sum()
    };
    let b = side(&rise, &can_start).max(side(&fall, &can_end));
    (b - 1e-9).ceil().max(0.0)
}
