//! Column generation and diving ("price and dive") for the Curtois model.
//!
//! The master LP picks, for every employee, a convex combination of whole
//! rosters (columns) and pays request costs plus weighted under/over cover:
//!
//! ```text
//! min Σ c_j λ_j + Σ_k (w⁻_k u_k + w⁺_k o_k)
//!     Σ_{j of e} λ_j = 1                      (π_e, one row per employee)
//!     Σ_j a_jk λ_j + u_k − o_k = req_k         (μ_k, one row per day × type)
//!     λ, u, o ≥ 0
//! ```
//!
//! Every column keeps all of its employee's hard rules (they are per
//! employee; cover is soft), so any choice of one column per employee is a
//! feasible roster. New columns come from the exact per-employee DP
//! (`dp::best_response`) priced with the cover duals μ; the LP is solved
//! by clarabel. Its value is far tighter than the compact LP's, and the
//! LP solution steers the dive: force the cells the LP (almost) decides,
//! generate columns again, repeat until each employee has one column.
//! The same master solves sub-problems where only some cells are free
//! (`fixed`: the windows of fix-and-optimise in `solve.rs`).

use super::dp;
use super::eval::employee_hard;
use super::CurtoisInstance;
use crate::schedule::lp_rows::{LpSettings, Rows};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// No value forced on a cell.
const FREE: u16 = u16::MAX;
/// DP cost of breaking a forced cell (far above anything else).
const FORCE_COST: i64 = 10_000_000_000;
/// The first dive step forces one fractional cell for 1 in this many of
/// the employees that still have one; the share doubles after a step that
/// left the LP value as it was and halves after one that raised it.
const DIVE_BATCH: usize = 8;
/// Dives after the first multiply each candidate cell's LP value by
/// `1 + DIVE_NOISE × U(0, 1)` before choosing.
const DIVE_NOISE: f64 = 0.3;
/// Cells whose LP value is at least this are forced without a choice.
const WHOLE: f64 = 0.99;
/// DP costs are integers: costs and duals are scaled by this before
/// rounding (the DP's penalty for missing minutes stays far above).
const SCALE: f64 = 1000.0;
/// A column enters when its reduced cost is below this.
const ENTER: f64 = -1e-3;
/// Column-generation rounds after each fixing step of the dive.
const DIVE_ROUNDS: usize = 10;
/// LP solves at zero weight after which a column leaves the LP (it comes
/// back when pricing finds it again).
const RETIRE_AFTER: u32 = 30;
/// Column generation stops when the Lagrangian bound is this close to the
/// LP value, or when the gap between them closed by less than
/// `STALL_PROGRESS` (and 1%) over the last `STALL_ROUNDS` rounds.
const CLOSE_ENOUGH: f64 = 0.5;
const STALL_ROUNDS: usize = 10;
const STALL_PROGRESS: f64 = 0.05;
/// Accuracy of the master LP (looser than clarabel's default: the duals
/// only steer pricing, and bounds are rounded to integers).
const LP_TOL: f64 = 1e-6;
/// Share of the budget the root LP may use before diving starts.
const ROOT_SHARE: f64 = 0.5;

/// What the dives produced: the best roster.
#[derive(Debug, Clone)]
pub(crate) struct DiveResult {
    /// One row per employee (`shifts.len()` = off), every row feasible.
    pub cells: Vec<u16>,
    /// Objective of `cells`.
    pub objective: u64,
}

struct Column {
    e: usize,
    cells: Vec<u16>,
    cost: f64,
    /// Breaks a cell the dive forced.
    banned: bool,
    /// LP solves in a row with this column at (about) zero weight.
    idle: u32,
}

/// An employee and its best row, when the DP found one.
type PricedRow = (usize, Option<Vec<u16>>);

#[derive(Clone)]
struct LpSolution {
    value: f64,
    /// Weight of each column (0 for columns left out).
    lambda: Vec<f64>,
    /// Dual of each cover row, `d * n + t`.
    mu: Vec<f64>,
    /// Dual of each employee's convexity row.
    pi: Vec<f64>,
}

struct Master<'a> {
    inst: &'a CurtoisInstance,
    n: usize,
    days: usize,
    cols: Vec<Column>,
    seen: HashMap<(usize, Vec<u16>), usize>,
    /// Value the dive forces on each (employee, day), `FREE` when none.
    forced: Vec<u16>,
    /// Cells fixed for the whole run (a sub-problem), `FREE` when free:
    /// where every dive starts.
    fixed: Vec<u16>,
    cancel: Option<&'a AtomicBool>,
    /// Employees whose every day is forced (no pricing needed).
    done: Vec<bool>,
}

impl<'a> Master<'a> {
    fn new(inst: &'a CurtoisInstance, fixed: &[u16], cancel: Option<&'a AtomicBool>) -> Self {
        Self {
            fixed: fixed.to_vec(),
            cancel,
            inst,
            n: inst.shifts.len(),
            days: inst.days,
            cols: Vec::new(),
            seen: HashMap::new(),
            forced: vec![FREE; inst.employees.len() * inst.days],
            done: vec![false; inst.employees.len()],
        }
    }

    fn row_cost(&self, e: usize, row: &[u16]) -> f64 {
        row.iter()
            .enumerate()
            .map(|(d, &v)| {
                let val = ((v as usize) < self.n).then_some(v as usize);
                self.inst.request_cost(e, d, val) as f64
            })
            .sum()
    }

    /// Adds a row of employee `e` when it keeps the hard rules and is new,
    /// or brings it back when it was retired; true when the LP changes.
    fn add(&mut self, e: usize, row: &[u16]) -> bool {
        if employee_hard(self.inst, e, row, None) != 0 {
            return false;
        }
        if let Some(&j) = self.seen.get(&(e, row.to_vec())) {
            let was_retired = self.cols[j].idle >= RETIRE_AFTER;
            self.cols[j].idle = 0;
            return was_retired;
        }
        self.seen.insert((e, row.to_vec()), self.cols.len());
        let cost = self.row_cost(e, row);
        let banned = !self.consistent(e, row);
        self.cols.push(Column {
            e,
            cells: row.to_vec(),
            cost,
            banned,
            idle: 0,
        });
        !banned
    }

    /// In the LP: consistent with the forced cells and not retired (a
    /// done employee's remaining column always stays).
    fn active(&self, j: usize) -> bool {
        let c = &self.cols[j];
        !c.banned && (c.idle < RETIRE_AFTER || self.done[c.e])
    }

    fn consistent(&self, e: usize, row: &[u16]) -> bool {
        let f = &self.forced[e * self.days..(e + 1) * self.days];
        row.iter().zip(f).all(|(&v, &w)| w == FREE || w == v)
    }

    /// Forces `v` on employee `e`'s day `d` and bans the columns against it.
    fn force(&mut self, e: usize, d: usize, v: u16) {
        self.forced[e * self.days + d] = v;
        for c in self.cols.iter_mut() {
            if c.e == e && c.cells[d] != v {
                c.banned = true;
            }
        }
        self.done[e] = self.all_forced(e);
    }

    /// Every day of employee `e` is forced (no pricing needed).
    fn all_forced(&self, e: usize) -> bool {
        self.forced[e * self.days..(e + 1) * self.days]
            .iter()
            .all(|&w| w != FREE)
    }

    /// Past the deadline or cancelled.
    fn stopped(&self, deadline: Instant) -> bool {
        Instant::now() >= deadline || self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Frees every cell not fixed (the start of a dive).
    fn reset_forcing(&mut self) {
        self.forced.copy_from_slice(&self.fixed);
        for e in 0..self.done.len() {
            self.done[e] = self.all_forced(e);
        }
        for j in 0..self.cols.len() {
            let ok = self.consistent(self.cols[j].e, &self.cols[j].cells);
            self.cols[j].banned = !ok;
        }
    }

    /// Undoes [`force`] for the cells listed (employee `e`).
    fn unforce(&mut self, e: usize, days: &[usize]) {
        for &d in days {
            self.forced[e * self.days + d] = FREE;
        }
        self.done[e] = false;
        for j in 0..self.cols.len() {
            if self.cols[j].e == e {
                let ok = self.consistent(e, &self.cols[j].cells);
                self.cols[j].banned = !ok;
            }
        }
    }

    fn solve_lp(&mut self, deadline: Instant) -> Option<LpSolution> {
        let (n, days) = (self.n, self.days);
        let ne = self.inst.employees.len();
        let k_n = days * n;
        let act: Vec<usize> = (0..self.cols.len()).filter(|&j| self.active(j)).collect();
        let nc = act.len();
        let (u0, o0) = (nc, nc + k_n);
        let nvars = nc + 2 * k_n;
        let mut q = vec![0.0; nvars];
        for (i, &j) in act.iter().enumerate() {
            q[i] = self.cols[j].cost;
        }
        for k in 0..k_n {
            q[u0 + k] = f64::from(self.inst.cover[k].under_weight);
            q[o0 + k] = f64::from(self.inst.cover[k].over_weight);
        }
        // Column-wise triplets, then rows: convexity (ne), cover (k_n).
        let mut conv: Vec<Vec<(usize, f64)>> = vec![Vec::new(); ne];
        let mut cover: Vec<Vec<(usize, f64)>> = vec![Vec::new(); k_n];
        for (i, &j) in act.iter().enumerate() {
            let c = &self.cols[j];
            conv[c.e].push((i, 1.0));
            for (d, &v) in c.cells.iter().enumerate() {
                if (v as usize) < n {
                    cover[d * n + v as usize].push((i, 1.0));
                }
            }
        }
        let mut rows = Rows::default();
        for terms in &conv {
            if terms.is_empty() {
                return None;
            }
            rows.push(terms, 1.0);
        }
        for (k, terms) in cover.iter_mut().enumerate() {
            terms.push((u0 + k, 1.0));
            terms.push((o0 + k, -1.0));
            rows.push(terms, f64::from(self.inst.cover[k].requirement));
        }
        let m_eq = rows.b.len();
        for j in 0..nvars {
            rows.push(&[(j, -1.0)], 0.0);
        }
        let settings = LpSettings {
            time_limit: deadline.saturating_duration_since(Instant::now()),
            tolerance: Some(LP_TOL),
            accept_almost: true,
        };
        let solved = rows.solve(&q, m_eq, settings)?;
        let (x, z) = (&solved.x, &solved.z);
        let mut lambda = vec![0.0; self.cols.len()];
        for (i, &j) in act.iter().enumerate() {
            lambda[j] = x[i];
            let c = &mut self.cols[j];
            c.idle = if x[i] > 1e-4 { 0 } else { c.idle + 1 };
        }
        // clarabel's dual z satisfies q + Aᵀz = 0: row prices are −z.
        Some(LpSolution {
            value: solved.primal,
            lambda,
            mu: (0..k_n).map(|k| -z[ne + k]).collect(),
            pi: (0..ne).map(|e| -z[e]).collect(),
        })
    }

    /// Best response of every employee not done to the LP's cover duals
    /// μ; adds the rows with negative reduced cost. Returns how many
    /// entered and the Lagrangian bound `Σ_k req_k μ_k + Σ_e min_row
    /// (cost − Σ μ)` of this node (`None` when the DP found no row for
    /// some employee).
    fn price(&mut self, sol: &LpSolution, scratch: &mut [dp::Scratch]) -> (usize, Option<f64>) {
        let mu = &sol.mu;
        let ne = self.inst.employees.len();
        let todo: Vec<usize> = (0..ne).filter(|&e| !self.done[e]).collect();
        let rows = self.price_rows(&todo, mu, scratch);
        let mut bound: Option<f64> = Some(
            self.inst
                .cover
                .iter()
                .zip(mu)
                .map(|(c, m)| f64::from(c.requirement) * m)
                .sum(),
        );
        for e in (0..ne).filter(|&e| self.done[e]) {
            let best = (0..self.cols.len())
                .filter(|&j| self.cols[j].e == e && self.active(j))
                .map(|j| self.cols[j].cost - self.covered_dual(&self.cols[j].cells, mu))
                .min_by(f64::total_cmp);
            bound = bound.zip(best).map(|(b, x)| b + x);
        }
        let mut added = 0;
        for (e, row) in rows {
            let Some(row) = row.filter(|r| self.consistent(e, r)) else {
                bound = None;
                continue;
            };
            let cost = self.row_cost(e, &row);
            bound = bound.map(|b| b + cost - self.covered_dual(&row, mu));
            let rc = cost - self.covered_dual(&row, mu) - sol.pi[e];
            if rc < ENTER && self.add(e, &row) {
                added += 1;
            }
        }
        (added, bound)
    }

    fn covered_dual(&self, row: &[u16], mu: &[f64]) -> f64 {
        row.iter()
            .enumerate()
            .filter(|&(_, &v)| (v as usize) < self.n)
            .map(|(d, &v)| mu[d * self.n + v as usize])
            .sum()
    }

    /// Runs the DP for `todo` on as many threads as there are scratch
    /// buffers; the result does not depend on the thread count.
    fn price_rows(
        &self,
        todo: &[usize],
        mu: &[f64],
        scratch: &mut [dp::Scratch],
    ) -> Vec<PricedRow> {
        let threads = scratch.len().max(1);
        let mut out: Vec<PricedRow> = todo.iter().map(|&e| (e, None)).collect();
        std::thread::scope(|s| {
            let mut chunks: Vec<&mut [PricedRow]> = out
                .chunks_mut(todo.len().div_ceil(threads).max(1))
                .collect();
            let mut handles = Vec::new();
            for (chunk, sc) in chunks.drain(..).zip(scratch.iter_mut()) {
                handles.push(s.spawn(move || {
                    for (e, slot) in chunk.iter_mut() {
                        *slot = self.best_row(*e, mu, sc);
                    }
                }));
            }
            for h in handles {
                h.join().expect("pricing thread panicked");
            }
        });
        out
    }

    fn best_row(&self, e: usize, mu: &[f64], sc: &mut dp::Scratch) -> Option<Vec<u16>> {
        let (n, days) = (self.n, self.days);
        let inst = self.inst;
        let cost = |d: usize, v: u16| -> i64 {
            let val = ((v as usize) < n).then_some(v as usize);
            let mut c = inst.request_cost(e, d, val) as f64;
            if let Some(t) = val {
                c -= mu[d * n + t];
            }
            let f = self.forced[e * days + d];
            let against = if f != FREE && f != v { FORCE_COST } else { 0 };
            (c * SCALE).round() as i64 + against
        };
        let base = self
            .cols
            .iter()
            .find(|c| c.e == e)
            .map_or_else(|| vec![n as u16; days], |c| c.cells.clone());
        let mut out = Vec::with_capacity(days);
        dp::best_response(inst, e, &base, 0, days, &cost, &mut out, sc).then_some(out)
    }

    /// Column generation until no column enters, the round limit or the
    /// deadline; returns the last LP solution and whether it converged.
    /// Column generation until no column enters, the LP meets the best
    /// Lagrangian bound, `max_rounds`, a stall (when `stall`) or the
    /// deadline; returns the last LP solution and whether it converged.
    fn generate(
        &mut self,
        max_rounds: usize,
        stall: bool,
        deadline: Instant,
        scratch: &mut [dp::Scratch],
    ) -> Option<(LpSolution, bool)> {
        let mut sol = self.solve_lp(deadline)?;
        let mut best_bound = f64::NEG_INFINITY;
        // Gap between the LP and the best bound, per round.
        let mut gaps: Vec<f64> = Vec::new();
        for _ in 0..max_rounds {
            if self.stopped(deadline) {
                return Some((sol, false));
            }
            let (added, bound) = self.price(&sol, scratch);
            if let Some(b) = bound {
                best_bound = best_bound.max(b);
            }
            // Objectives are integers: a bound within half a unit of the
            // LP cannot move the rounded bound any more.
            if added == 0 || sol.value - best_bound < CLOSE_ENOUGH {
                return Some((sol, true));
            }
            match self.solve_lp(deadline) {
                Some(s) => sol = s,
                None => return Some((sol, false)),
            }
            // Tailing off: the gap hardly closed over the last rounds.
            gaps.push(sol.value - best_bound);
            if stall && gaps.len() > STALL_ROUNDS {
                let then = gaps[gaps.len() - 1 - STALL_ROUNDS];
                let now = gaps[gaps.len() - 1];
                if then.is_finite() && then - now < STALL_PROGRESS.max(0.01 * then) {
                    return Some((sol, false));
                }
            }
        }
        Some((sol, false))
    }

    /// Share of each (day, value) of employee `e`'s rows in the LP.
    fn cell_weights(&self, lambda: &[f64]) -> Vec<f64> {
        let nv = self.n + 1;
        let mut x = vec![0.0; self.inst.employees.len() * self.days * nv];
        for (j, c) in self.cols.iter().enumerate() {
            let w = lambda.get(j).copied().unwrap_or(0.0);
            if w <= 0.0 || !self.active(j) {
                continue;
            }
            for (d, &v) in c.cells.iter().enumerate() {
                x[(c.e * self.days + d) * nv + v as usize] += w;
            }
        }
        x
    }

    /// The active column of `e` with the largest weight.
    fn heaviest(&self, e: usize, lambda: &[f64]) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (j, c) in self.cols.iter().enumerate() {
            let w = lambda.get(j).copied().unwrap_or(0.0);
            if c.e == e && self.active(j) && best.is_none_or(|(_, b)| w > b) {
                best = Some((j, w));
            }
        }
        best.map(|(j, _)| j)
    }
}

/// Limits of one [`price_and_dive`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct DiveBudget {
    pub deadline: Instant,
    /// Pricing threads (the result does not depend on them).
    pub threads: usize,
    pub seed: u64,
    pub max_dives: usize,
}

/// A sub-problem: the cells of `roster` outside days `from..to` stay as
/// they are (`FREE` marks the free cells).
pub(crate) fn fix_outside(roster: &[u16], days: usize, from: usize, to: usize) -> Vec<u16> {
    roster
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if (from..to).contains(&(i % days)) {
                FREE
            } else {
                v
            }
        })
        .collect()
}

/// Column generation from the rows of `start` (its feasible rows seed the
/// master), then up to `max_dives` dives to one column per employee, all
/// before the deadline (or `cancel`); the best dive wins. With `fixed`,
/// only its `FREE` cells may change (a sub-problem around `start`).
/// `None` when some employee has no feasible row at all.
pub(crate) fn price_and_dive(
    inst: &CurtoisInstance,
    start: &[u16],
    fixed: Option<&[u16]>,
    budget: DiveBudget,
    cancel: Option<&AtomicBool>,
) -> Option<DiveResult> {
    let began = Instant::now();
    let root_deadline = began
        + budget
            .deadline
            .saturating_duration_since(began)
            .mul_f64(ROOT_SHARE);
    let mut diver = Diver::new(
        inst,
        start,
        fixed,
        (budget.threads, budget.seed),
        root_deadline,
        cancel,
    )?;
    let mut best: Option<(Vec<u16>, u64)> = None;
    while diver.dives < budget.max_dives {
        let Some((cells, objective)) = diver.dive(budget.deadline) else {
            break;
        };
        if best.as_ref().is_none_or(|b| objective < b.1) {
            best = Some((cells, objective));
        }
    }
    best.map(|(cells, objective)| DiveResult { cells, objective })
}

/// The master at its root LP, ready for dives (one at a time, so the
/// caller can interleave them with other work).
pub(crate) struct Diver<'a> {
    master: Master<'a>,
    root: LpSolution,
    root_lp: Option<f64>,
    scratch: Vec<dp::Scratch>,
    rng: ChaCha8Rng,
    /// Dives made so far.
    pub dives: usize,
}

impl<'a> Diver<'a> {
    /// Seeds the master with the rows of `start` (with `fixed`, only its
    /// `FREE` cells may change) and generates columns until the root LP
    /// converges or `root_deadline`; pricing runs on `threads`, later dives
    /// draw their noise from `seed`. `None` when some employee has no
    /// feasible row at all, or no LP was solved in time.
    pub(crate) fn new(
        inst: &'a CurtoisInstance,
        start: &[u16],
        fixed: Option<&[u16]>,
        (threads, seed): (usize, u64),
        root_deadline: Instant,
        cancel: Option<&'a AtomicBool>,
    ) -> Option<Self> {
        let days = inst.days;
        let ne = inst.employees.len();
        let free = vec![FREE; ne * days];
        let mut master = Master::new(inst, fixed.unwrap_or(&free), cancel);
        master.reset_forcing();
        let mut scratch: Vec<dp::Scratch> = (0..threads.max(1))
            .map(|_| dp::Scratch::default())
            .collect();
        for e in 0..ne {
            master.add(e, &start[e * days..(e + 1) * days]);
        }
        // Employees without a feasible row: their best row on requests alone.
        let missing: Vec<usize> = (0..ne)
            .filter(|&e| !master.cols.iter().any(|c| c.e == e))
            .collect();
        let zero = vec![0.0; days * inst.shifts.len()];
        for (e, row) in master.price_rows(&missing, &zero, &mut scratch) {
            if let Some(row) = row {
                master.add(e, &row);
            }
        }
        if (0..ne).any(|e| !master.cols.iter().any(|c| c.e == e)) {
            return None;
        }
        let (root, converged) = master.generate(usize::MAX, false, root_deadline, &mut scratch)?;
        Some(Self {
            root_lp: converged.then_some(root.value),
            root,
            master,
            scratch,
            rng: ChaCha8Rng::seed_from_u64(seed),
            dives: 0,
        })
    }

    /// One dive from the root: the first takes the most decided cells,
    /// the next ones a randomised choice among them. Returns the roster and
    /// its objective (`None` when stopped before it ended).
    pub(crate) fn dive(&mut self, deadline: Instant) -> Option<(Vec<u16>, u64)> {
        if self.master.stopped(deadline) {
            return None;
        }
        let noise = if self.dives == 0 {
            None
        } else {
            Some(&mut self.rng)
        };
        let out = dive(
            &mut self.master,
            &self.root,
            deadline,
            &mut self.scratch,
            noise,
        )?;
        self.dives += 1;
        Some(out)
    }

    /// Master LP value at the root when column generation converged.
    pub(crate) fn root_lp(&self) -> Option<f64> {
        self.root_lp
    }

    pub(crate) fn columns(&self) -> usize {
        self.master.cols.len()
    }

    /// Every column generated, per employee.
    pub(crate) fn into_pool(self) -> Vec<Vec<Vec<u16>>> {
        let mut pool = vec![Vec::new(); self.master.inst.employees.len()];
        for c in self.master.cols {
            pool[c.e].push(c.cells);
        }
        pool
    }
}

/// One dive on cells from the root LP `root`: force every (employee, day)
/// value the LP has (almost) whole, plus the most decided fractional cells
/// (with `noise`, a random choice weighted towards them), price again, and
/// repeat until every employee has one row. Returns the roster and its
/// objective.
fn dive(
    master: &mut Master,
    root: &LpSolution,
    deadline: Instant,
    scratch: &mut [dp::Scratch],
    mut noise: Option<&mut ChaCha8Rng>,
) -> Option<(Vec<u16>, u64)> {
    let inst = master.inst;
    let (days, ne) = (inst.days, inst.employees.len());
    master.reset_forcing();
    let mut sol = root.clone();
    let nv = inst.shifts.len() + 1;
    let mut share = 1.0 / DIVE_BATCH as f64;
    // Dive on cells: force every (employee, day) value the LP has (almost)
    // whole, plus the most decided fractional one, and price again.
    while !master.stopped(deadline) {
        let x = master.cell_weights(&sol.lambda);
        let mut whole: Vec<(usize, usize, u16)> = Vec::new();
        // Per employee, its most decided fractional cell.
        let mut frac: Vec<(f64, usize, usize, u16)> = Vec::new();
        for e in (0..ne).filter(|&e| !master.done[e]) {
            let mut mine: Option<(f64, usize, usize, u16)> = None;
            for d in 0..days {
                if master.forced[e * days + d] != FREE {
                    continue;
                }
                let xs = &x[(e * days + d) * nv..(e * days + d + 1) * nv];
                let (v, &w) = xs
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
                    .expect("at least the off value");
                if w >= WHOLE {
                    whole.push((e, d, v as u16));
                } else if mine.is_none_or(|f| w > f.0) {
                    mine = Some((w, e, d, v as u16));
                }
            }
            frac.extend(mine);
        }
        if whole.is_empty() && frac.is_empty() {
            break;
        }
        // The most decided cells of a share of the employees still
        // fractional: one per step is exact but too slow on big rosters.
        if let Some(rng) = noise.as_deref_mut() {
            for f in frac.iter_mut() {
                f.0 *= 1.0 + DIVE_NOISE * rng.gen::<f64>();
            }
        }
        frac.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        frac.truncate(((frac.len() as f64 * share).ceil() as usize).max(1));
        let mut step: Vec<(usize, usize, u16)> = whole;
        step.extend(frac.iter().map(|&(_, e, d, v)| (e, d, v)));
        let before: Vec<usize> = (0..ne)
            .map(|e| master.heaviest(e, &sol.lambda).unwrap_or(usize::MAX))
            .collect();
        for &(e, d, v) in &step {
            master.force(e, d, v);
        }
        // Every employee needs a column that keeps its forced cells: price
        // one now, or else take back this step's cells of that employee and
        // force its heaviest column whole.
        let lacking: Vec<usize> = (0..ne)
            .filter(|&e| !(0..master.cols.len()).any(|j| master.cols[j].e == e && master.active(j)))
            .collect();
        for (e, row) in master.price_rows(&lacking, &sol.mu, scratch) {
            if row
                .as_ref()
                .is_some_and(|r| master.consistent(e, r) && master.add(e, r))
            {
                continue;
            }
            let mine: Vec<usize> = step.iter().filter(|s| s.0 == e).map(|s| s.1).collect();
            master.unforce(e, &mine);
            let j = before[e];
            if j == usize::MAX {
                return None;
            }
            let row = master.cols[j].cells.clone();
            for (d, &v) in row.iter().enumerate() {
                master.force(e, d, v);
            }
        }
        let lp_before = sol.value;
        match master.generate(DIVE_ROUNDS, true, deadline, scratch) {
            Some((s, _)) => sol = s,
            None => break,
        }
        // Bolder steps while forcing costs nothing, smaller once it does.
        share = if sol.value - lp_before < CLOSE_ENOUGH {
            (share * 2.0).min(1.0)
        } else {
            (share / 2.0).max(1.0 / ne as f64)
        };
    }
    // Each employee's heaviest column that keeps the forced cells.
    let mut cells = vec![inst.shifts.len() as u16; ne * days];
    for e in 0..ne {
        let j = master.heaviest(e, &sol.lambda)?;
        cells[e * days..(e + 1) * days].copy_from_slice(&master.cols[j].cells);
    }
    let roster = super::solve::cells_to_roster(inst, &cells);
    let objective = super::evaluate(inst, &roster).ok()?.objective;
    Some((cells, objective))
}
