//! Local search for the Curtois & Qu model: simulated annealing on small
//! moves interleaved with ruin-and-recreate by exact per-employee dynamic
//! programming (the DP "best response", per-type maxima included through
//! a Lagrangian price, see `dp.rs`).
//!
//! The search runs in the relaxed space where hard rules may be broken and
//! pay `penalty × violation units`; the penalty adapts (up while the current
//! roster is infeasible, down while it is feasible). Days off and shift types
//! an employee may never work (max 0) are never assigned. Small moves:
//! change one cell, swap a block of days between two employees, set a block
//! of days of one employee to one value, swap two days of one employee.
//! Ruin-and-recreate (about `DP_SHARE` of the work, measured in DP states
//! expanded, so deterministic): 1–5 employees over a window of days (the
//! whole horizon when its table is small), either emptied and rebuilt in
//! random order or re-optimised in turn, with random tie-breaking noise on
//! half the steps; accepted when (almost) not worse. Before the search:
//! a DP construction (best responses in turn, or window by window on long
//! horizons) and a feasibility phase that rebuilds every rule-breaking
//! employee window by window (repeated while no feasible roster is known).
//! Cooling runs in cycles of a fixed number of iterations; each cycle after
//! the first restarts from the best feasible roster. When the whole
//! horizon fits one DP table, column generation takes over at 10% of the
//! time limit (`colgen.rs`: the master LP seeded with the best rows), then
//! until 85% dives from its root take turns with fix-and-optimise windows
//! (every employee's days in a random 7–14-day range re-solved by column
//! generation and dives, the rest of the best roster fixed); the best
//! roster found replaces the search's when better, the root's columns
//! become a pool for a whole-row move, and the search polishes the rest
//! of the time. This phase runs on the clock, so with `max_iterations`
//! (reproducible runs) it is left out. Everything depends only
//! on the seed and the number of iterations, so a run is deterministic for
//! a seed up to where the time limit (or cancel flag) cuts it or the dive
//! starts (the feasibility phase also stops at half the time limit);
//! `max_iterations` makes it fully so otherwise.

use super::eval::{employee_hard, to_cells};
use super::{colgen, dp};
use super::{CurtoisInstance, CurtoisRoster};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Options of [`solve`].
#[derive(Debug, Clone)]
pub struct SolveOptions {
    pub time_limit: Duration,
    pub seed: u64,
    /// Stop after this many moves (for reproducible runs); `None` = time only.
    pub max_iterations: Option<u64>,
    /// Roster to start from (e.g. a previous best); `None` = everyone off.
    pub initial: Option<CurtoisRoster>,
    /// How often the progress callback is called (wall clock).
    pub progress_interval: Duration,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(60),
            seed: 1,
            max_iterations: None,
            initial: None,
            progress_interval: Duration::from_millis(500),
        }
    }
}

/// Reported to the progress callback.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// 0–100: share of the time limit (or iteration limit) used.
    pub percent: f64,
    /// Objective of the best feasible roster so far.
    pub best_objective: Option<u64>,
    pub iterations: u64,
    pub elapsed: Duration,
}

/// Outcome of [`solve`]: the best feasible roster found, or when none was
/// found the roster with the fewest violation units (`feasible == false`).
#[derive(Debug, Clone)]
pub struct SolveResult {
    pub roster: CurtoisRoster,
    pub objective: u64,
    pub feasible: bool,
    pub iterations: u64,
    pub elapsed: Duration,
    pub time_to_first_feasible: Option<Duration>,
    pub cancelled: bool,
    /// What column generation did, when it ran.
    pub column_generation: Option<ColumnGeneration>,
}

/// Summary of the column-generation phase of [`solve`].
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnGeneration {
    /// Master LP value at the root when column generation converged there
    /// (a lower bound when every pricing DP was exact).
    pub root_lp: Option<f64>,
    pub columns: usize,
    pub dives: usize,
    /// Objective of the best dive's roster (from the root).
    pub dive_objective: Option<u64>,
    /// Windows re-solved by fix-and-optimise (between the dives).
    pub windows: usize,
}

/// Floor of the adaptive hard-rule penalty per violation unit.
const MIN_PENALTY: f64 = 300.0;
/// Moves per cooling cycle, per (employee, day) cell.
const CYCLE_ITERS_PER_CELL: u64 = 3000;

struct State<'a> {
    inst: &'a CurtoisInstance,
    n: usize,
    days: usize,
    cells: Vec<u16>,
    count: Vec<u32>,
    /// Request cost per (e, d, value), value `n` = off.
    req_table: Vec<u32>,
    emp_hard: Vec<u32>,
    req: u64,
    cover: u64,
    hard: u64,
    // scratch for the last move
    undo: Vec<(usize, u16)>,
    saved_emp: Vec<(usize, u32)>,
    keys: Vec<usize>,
    saved_totals: (u64, u64, u64),
    /// Random tie-breaking added to the DP's cost of day × value during one
    /// ruin-and-recreate step (never part of the objective).
    noise: Vec<i64>,
}

impl<'a> State<'a> {
    fn new(inst: &'a CurtoisInstance, cells: Vec<u16>) -> Self {
        let n = inst.shifts.len();
        let days = inst.days;
        let ne = inst.employees.len();
        let mut req_table = vec![0u32; ne * days * (n + 1)];
        for e in 0..ne {
            for d in 0..days {
                for v in 0..=n {
                    let val = if v == n { None } else { Some(v) };
                    req_table[(e * days + d) * (n + 1) + v] = inst.request_cost(e, d, val) as u32;
                }
            }
        }
        let mut s = State {
            inst,
            n,
            days,
            cells,
            count: vec![0; days * n],
            req_table,
            emp_hard: vec![0; ne],
            req: 0,
            cover: 0,
            hard: 0,
            undo: Vec::new(),
            saved_emp: Vec::new(),
            keys: Vec::new(),
            saved_totals: (0, 0, 0),
            noise: vec![0; days * (n + 1)],
        };
        s.recompute();
        s
    }

    fn recompute(&mut self) {
        let (n, days) = (self.n, self.days);
        self.count.iter_mut().for_each(|c| *c = 0);
        self.req = 0;
        for (i, &v) in self.cells.iter().enumerate() {
            let d = i % days;
            if (v as usize) < n {
                self.count[d * n + v as usize] += 1;
            }
            self.req += u64::from(self.req_table[i * (n + 1) + v as usize]);
        }
        self.cover = (0..days * n)
            .map(|k| self.inst.cover[k].cost(self.count[k]))
            .sum();
        self.hard = 0;
        for e in 0..self.inst.employees.len() {
            let h = employee_hard(self.inst, e, &self.cells[e * days..(e + 1) * days], None);
            self.emp_hard[e] = h;
            self.hard += u64::from(h);
        }
    }

    fn soft(&self) -> u64 {
        self.req + self.cover
    }

    /// Apply `changes` (employee, day, value); returns (Δsoft, Δhard).
    fn apply(&mut self, changes: &[(usize, usize, u16)]) -> (i64, i64) {
        let (n, days) = (self.n, self.days);
        self.undo.clear();
        self.saved_emp.clear();
        self.keys.clear();
        self.saved_totals = (self.req, self.cover, self.hard);
        for &(e, d, v) in changes {
            let i = e * days + d;
            let old = self.cells[i];
            if old == v {
                continue;
            }
            if !self.saved_emp.iter().any(|&(x, _)| x == e) {
                self.saved_emp.push((e, self.emp_hard[e]));
            }
            for val in [old, v] {
                if (val as usize) < n {
                    let k = d * n + val as usize;
                    if !self.keys.contains(&k) {
                        self.keys.push(k);
                    }
                }
            }
            self.undo.push((i, old));
        }
        if self.undo.is_empty() {
            return (0, 0);
        }
        let cover_before: u64 = self
            .keys
            .iter()
            .map(|&k| self.inst.cover[k].cost(self.count[k]))
            .sum();
        let mut dreq: i64 = 0;
        for &(e, d, v) in changes {
            let i = e * days + d;
            let old = self.cells[i];
            if old == v {
                continue;
            }
            let base = i * (n + 1);
            dreq += i64::from(self.req_table[base + v as usize])
                - i64::from(self.req_table[base + old as usize]);
            if (old as usize) < n {
                self.count[d * n + old as usize] -= 1;
            }
            if (v as usize) < n {
                self.count[d * n + v as usize] += 1;
            }
            self.cells[i] = v;
        }
        let cover_after: u64 = self
            .keys
            .iter()
            .map(|&k| self.inst.cover[k].cost(self.count[k]))
            .sum();
        let mut dhard: i64 = 0;
        for j in 0..self.saved_emp.len() {
            let (e, before) = self.saved_emp[j];
            let h = employee_hard(self.inst, e, &self.cells[e * days..(e + 1) * days], None);
            self.emp_hard[e] = h;
            dhard += i64::from(h) - i64::from(before);
        }
        let dsoft = dreq + cover_after as i64 - cover_before as i64;
        self.req = (self.req as i64 + dreq) as u64;
        self.cover = (self.cover as i64 + cover_after as i64 - cover_before as i64) as u64;
        self.hard = (self.hard as i64 + dhard) as u64;
        (dsoft, dhard)
    }

    fn revert(&mut self) {
        let (n, days) = (self.n, self.days);
        for j in (0..self.undo.len()).rev() {
            let (i, old) = self.undo[j];
            let d = i % days;
            let cur = self.cells[i];
            if (cur as usize) < n {
                self.count[d * n + cur as usize] -= 1;
            }
            if (old as usize) < n {
                self.count[d * n + old as usize] += 1;
            }
            self.cells[i] = old;
        }
        for &(e, h) in &self.saved_emp {
            self.emp_hard[e] = h;
        }
        (self.req, self.cover, self.hard) = self.saved_totals;
        self.undo.clear();
    }
}

pub(crate) fn cells_to_roster(inst: &CurtoisInstance, cells: &[u16]) -> CurtoisRoster {
    let n = inst.shifts.len();
    CurtoisRoster {
        assignment: cells
            .chunks(inst.days)
            .map(|r| {
                r.iter()
                    .map(|&v| {
                        if (v as usize) < n {
                            Some(v as usize)
                        } else {
                            None
                        }
                    })
                    .collect()
            })
            .collect(),
    }
}

/// Solve `inst` within `opts.time_limit` (anytime: returns the best roster
/// found when the limit is hit or `cancel` becomes true).
pub fn solve(
    inst: &CurtoisInstance,
    opts: &SolveOptions,
    cancel: Option<&AtomicBool>,
    progress: &mut dyn FnMut(&Progress),
) -> SolveResult {
    let started = Instant::now();
    let n = inst.shifts.len();
    let days = inst.days;
    let ne = inst.employees.len();
    let off = n as u16;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);

    let mut cells = vec![off; ne * days];
    if let Some(init) = &opts.initial {
        if init.assignment.len() == ne && init.assignment.iter().all(|r| r.len() == days) {
            for (e, row) in init.assignment.iter().enumerate() {
                let c = to_cells(inst, row);
                for d in 0..days {
                    if !inst.employees[e].days_off[d] && (c[d] as usize) <= n {
                        cells[e * days + d] = c[d];
                    }
                }
            }
        }
    }
    // Values each employee may take (off first).
    let allowed: Vec<Vec<u16>> = inst
        .employees
        .iter()
        .map(|emp| {
            std::iter::once(off)
                .chain((0..n).filter(|&t| emp.max_shifts[t] > 0).map(|t| t as u16))
                .collect()
        })
        .collect();
    let can = |e: usize, d: usize, v: u16| -> bool {
        v == off || (!inst.employees[e].days_off[d] && inst.employees[e].max_shifts[v as usize] > 0)
    };

    let mut st = State::new(inst, cells);
    let mut best_cells: Option<Vec<u16>> = None;
    let mut best_soft = u64::MAX;
    let mut least_bad = (st.hard, st.soft(), st.cells.clone());
    let mut first_feasible = None;
    let mut penalty: f64 = MIN_PENALTY;
    let _ = &penalty;
    let cycle_iters: u64 = (ne as u64 * days as u64 * CYCLE_ITERS_PER_CELL).max(200_000);
    let (t0, t1) = (100.0f64, 0.2f64);
    let mut iter: u64 = 0;
    let mut cancelled = false;
    let mut last_progress = Instant::now();
    let mut changes: Vec<(usize, usize, u16)> = Vec::with_capacity(16);
    let limit_iters = opts.max_iterations.unwrap_or(u64::MAX);
    // Window of the DP move: the whole horizon when its table is small.
    let mut dp_w = days;
    while dp_w > 7 && dp::table_size(inst, 0, dp_w) > dp::MAX_TABLE {
        dp_w = (dp_w - 7).max(7);
    }
    let mut dp_out: Vec<u16> = Vec::with_capacity(days);
    let mut sc = dp::Scratch::default();
    let mut saved: Vec<(usize, usize, u16)> = Vec::new();
    let mut order: Vec<usize> = Vec::new();
    let mut sa_iters: u64 = 0;
    // Rows from column generation, per employee (empty without it).
    let mut pool: Vec<Vec<Vec<u16>>> = vec![Vec::new(); ne];
    let mut dived = false;
    let mut column_generation = None;
    let dp_share = DP_SHARE;
    let lns_temp: f64 = LNS_TEMP;

    let check_best = |st: &State,
                      best_soft: &mut u64,
                      best_cells: &mut Option<Vec<u16>>,
                      ff: &mut Option<Duration>| {
        if st.hard == 0 && st.soft() < *best_soft {
            *best_soft = st.soft();
            match best_cells {
                Some(b) => b.copy_from_slice(&st.cells),
                None => *best_cells = Some(st.cells.clone()),
            }
            if ff.is_none() {
                *ff = Some(started.elapsed());
            }
        }
    };
    if opts.initial.is_none() && dp_w < days {
        construct(
            inst,
            &mut st,
            dp_w,
            &mut dp_out,
            started + opts.time_limit / 2,
        );
    }
    if opts.initial.is_none() && dp_w == days {
        // Everyone's best response in turn, from an empty roster.
        for e in 0..ne {
            rebuild(
                inst,
                &mut st,
                e,
                0,
                days,
                &mut sc,
                &mut dp_out,
                &mut changes,
            );
        }
    }
    repair(
        inst,
        &mut st,
        dp_w,
        &mut sc,
        &mut dp_out,
        &mut changes,
        started + opts.time_limit / 2,
    );
    check_best(&st, &mut best_soft, &mut best_cells, &mut first_feasible);
    // The share of DP work counts from here.
    sc.work = 0;

    'outer: loop {
        let cycle = iter / cycle_iters;
        if cycle > 0 && iter.is_multiple_of(cycle_iters) {
            if let Some(b) = &best_cells {
                st.cells.copy_from_slice(b);
                st.recompute();
            }
        }
        let frac = (iter % cycle_iters) as f64 / cycle_iters as f64;
        let temp = t0 * (t1 / t0).powf(frac);

        if iter.is_multiple_of(1024) {
            if iter >= limit_iters {
                break 'outer;
            }
            let el = started.elapsed();
            if el >= opts.time_limit {
                break 'outer;
            }
            if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                cancelled = true;
                break 'outer;
            }
            if !dived
                && dp_w == days
                && opts.max_iterations.is_none()
                && el >= opts.time_limit.mul_f64(COLUMN_START)
            {
                // Column generation and a dive, seeded with the best rows.
                dived = true;
                let threads = std::thread::available_parallelism().map_or(1, |t| t.get().min(4));
                let seed = best_cells.as_ref().unwrap_or(&st.cells).clone();
                let mut best = best_cells.clone().map(|b| (b, best_soft));
                let phase = ColumnPhase {
                    root_deadline: started + opts.time_limit.mul_f64(COLUMN_START + ROOT_LP_SHARE),
                    end: started + opts.time_limit.mul_f64(COLUMN_END),
                    window_cap: opts.time_limit.mul_f64(WINDOW_CAP),
                    threads,
                    seed: opts.seed,
                };
                let mut last_report = Instant::now();
                let mut report = |best: u64| {
                    if last_report.elapsed() < opts.progress_interval {
                        return;
                    }
                    last_report = Instant::now();
                    let el = started.elapsed();
                    progress(&Progress {
                        percent: percent(opts, el, iter),
                        best_objective: Some(best),
                        iterations: iter,
                        elapsed: el,
                    });
                };
                if let Some((cg, rows)) = phase.run(inst, &seed, &mut best, cancel, &mut report) {
                    pool = rows;
                    column_generation = Some(cg);
                }
                if let Some((b, _)) = best.filter(|b| best_cells.is_none() || b.1 < best_soft) {
                    st.cells.copy_from_slice(&b);
                    st.recompute();
                    check_best(&st, &mut best_soft, &mut best_cells, &mut first_feasible);
                }
                continue 'outer;
            }
            if last_progress.elapsed() >= opts.progress_interval {
                last_progress = Instant::now();
                progress(&Progress {
                    percent: percent(opts, el, iter),
                    best_objective: best_cells.as_ref().map(|_| best_soft),
                    iterations: iter,
                    elapsed: el,
                });
            }
        }
        if best_cells.is_none() && st.hard > 0 && iter.is_multiple_of(REPAIR_EVERY) && iter > 0 {
            // Still no feasible roster: the DP repair pass again.
            repair(
                inst,
                &mut st,
                dp_w,
                &mut sc,
                &mut dp_out,
                &mut changes,
                started + opts.time_limit,
            );
            check_best(&st, &mut best_soft, &mut best_cells, &mut first_feasible);
            if best_cells.is_none() && (st.hard, st.soft()) < (least_bad.0, least_bad.1) {
                least_bad = (st.hard, st.soft(), st.cells.clone());
            }
        }
        if iter.is_multiple_of(2000) {
            if st.hard > 0 {
                penalty = (penalty * 1.1).min(20_000.0);
            } else {
                penalty = (penalty / 1.1).max(MIN_PENALTY);
            }
        }
        iter += 1;

        changes.clear();
        let e = rng.gen_range(0..ne);
        let d = rng.gen_range(0..days);
        let kind = rng.gen_range(0..100);
        if lns_due(sc.work, sa_iters, dp_share, days) {
            // Ruin-and-recreate of 1–5 employees over a window of days,
            // each rebuilt by the exact DP best response.
            let (dl, dh) = lns_step(
                inst,
                &mut st,
                &mut rng,
                dp_w,
                &mut sc,
                &mut dp_out,
                &mut changes,
                &mut saved,
                &mut order,
            );
            if dl == 0 && dh == 0 {
                continue;
            }
            let delta = dl as f64 + penalty * dh as f64;
            if delta <= 0.0 || rng.gen::<f64>() < (-delta / (temp * lns_temp)).exp() {
                check_best(&st, &mut best_soft, &mut best_cells, &mut first_feasible);
                if best_cells.is_none() && (st.hard, st.soft()) < (least_bad.0, least_bad.1) {
                    least_bad = (st.hard, st.soft(), st.cells.clone());
                }
            } else {
                changes.clear();
                changes.extend(saved.iter().copied());
                st.apply(&changes);
            }
            continue;
        }
        sa_iters += 1;
        if !pool[e].is_empty() && rng.gen_bool(POOL_SHARE) {
            // A whole row from the column pool.
            let row = &pool[e][rng.gen_range(0..pool[e].len())];
            for (dd, &v) in row.iter().enumerate() {
                if st.cells[e * days + dd] != v {
                    changes.push((e, dd, v));
                }
            }
            if changes.is_empty() {
                continue;
            }
        } else if kind < 35 {
            let al = &allowed[e];
            let v = al[rng.gen_range(0..al.len())];
            if v == st.cells[e * days + d] || !can(e, d, v) {
                continue;
            }
            changes.push((e, d, v));
        } else if kind < 65 {
            if ne < 2 {
                continue;
            }
            let mut e2 = rng.gen_range(0..ne - 1);
            if e2 >= e {
                e2 += 1;
            }
            let k = if rng.gen_bool(0.5) {
                1
            } else {
                rng.gen_range(2..=7)
            };
            let end = (d + k).min(days);
            for dd in d..end {
                let a = st.cells[e * days + dd];
                let b = st.cells[e2 * days + dd];
                if a == b {
                    continue;
                }
                if !can(e, dd, b) || !can(e2, dd, a) {
                    changes.clear();
                    break;
                }
                changes.push((e, dd, b));
                changes.push((e2, dd, a));
            }
            if changes.is_empty() {
                continue;
            }
        } else if kind < 85 {
            let al = &allowed[e];
            let v = al[rng.gen_range(0..al.len())];
            let k = rng.gen_range(2..=5);
            let end = (d + k).min(days);
            for dd in d..end {
                if can(e, dd, v) && st.cells[e * days + dd] != v {
                    changes.push((e, dd, v));
                }
            }
            if changes.is_empty() {
                continue;
            }
        } else {
            let d2 = rng.gen_range(0..days);
            let a = st.cells[e * days + d];
            let b = st.cells[e * days + d2];
            if a == b || !can(e, d, b) || !can(e, d2, a) {
                continue;
            }
            changes.push((e, d, b));
            changes.push((e, d2, a));
        }

        let (ds, dh) = st.apply(&changes);
        let delta = ds as f64 + penalty * dh as f64;
        if delta <= 0.0 || rng.gen::<f64>() < (-delta / temp).exp() {
            check_best(&st, &mut best_soft, &mut best_cells, &mut first_feasible);
            if best_cells.is_none() && (st.hard, st.soft()) < (least_bad.0, least_bad.1) {
                least_bad = (st.hard, st.soft(), st.cells.clone());
            }
        } else {
            st.revert();
        }
    }

    let el = started.elapsed();
    let (cells, feasible, objective) = match best_cells {
        Some(b) => (b, true, best_soft),
        None => (least_bad.2, false, least_bad.1),
    };
    progress(&Progress {
        percent: if cancelled {
            percent(opts, el, iter)
        } else {
            100.0
        },
        best_objective: feasible.then_some(objective),
        iterations: iter,
        elapsed: el,
    });
    SolveResult {
        roster: cells_to_roster(inst, &cells),
        objective,
        feasible,
        iterations: iter,
        elapsed: el,
        time_to_first_feasible: first_feasible,
        cancelled,
        column_generation,
    }
}

/// First roster for long horizons: employee by employee, window by window,
/// the DP picks the cheapest days given the cover so far, with the
/// contract's minutes pro-rated to the window.
fn construct(
    inst: &CurtoisInstance,
    st: &mut State,
    w: usize,
    out: &mut Vec<u16>,
    deadline: Instant,
) {
    let n = inst.shifts.len();
    let days = inst.days;
    let mut changes = Vec::new();
    for e in 0..inst.employees.len() {
        if Instant::now() >= deadline {
            return;
        }
        let emp = &inst.employees[e];
        let longest = inst.shifts.iter().map(|s| s.minutes).max().unwrap_or(0);
        let mut a = 0;
        let mut done = 0u32;
        while a < days {
            let b = (a + w).min(days);
            // Cumulative pro-rata target up to day b, minus what is placed.
            let share = |m: u32| (u64::from(m) * b as u64 / days as u64) as u32;
            let range = (
                share(emp.min_total_minutes).saturating_sub(done),
                (share(emp.max_total_minutes) + longest).saturating_sub(done),
            );
            let range = if b == days { None } else { Some(range) };
            let stc = &*st;
            let cost = |dd: usize, v: u16| -> i64 {
                let i = e * days + dd;
                let mut c = i64::from(stc.req_table[i * (n + 1) + v as usize]);
                if (v as usize) < n {
                    let k = dd * n + v as usize;
                    let c0 = stc.count[k] - u32::from(stc.cells[i] == v);
                    let cv = inst.cover[k];
                    c += cv.cost(c0 + 1) as i64 - cv.cost(c0) as i64;
                }
                c
            };
            let row = &st.cells[e * days..(e + 1) * days];
            if dp::reoptimize(inst, e, row, a, b, &cost, range, out) {
                done += out
                    .iter()
                    .filter(|&&v| (v as usize) < n)
                    .map(|&v| inst.shifts[v as usize].minutes)
                    .sum::<u32>();
                changes.clear();
                changes.extend(out.iter().enumerate().map(|(j, &v)| (e, a + j, v)));
                st.apply(&changes);
            }
            a = b;
        }
    }
}

/// Share of the work given to the DP moves, and the relative cost of one
/// DP table cell × value against one local-search move (calibrated on the
/// instances: a local move costs about as much as 150 DP transitions).
const DP_SHARE: f64 = 0.3;
/// Share of local-search moves that put a pooled column in place.
const POOL_SHARE: f64 = 0.05;
/// Column generation starts after this share of the time limit; its root
/// LP may take `ROOT_LP_SHARE` more; dives from the root and fix-and-optimise
/// on windows of days (at most `WINDOW_CAP` of the limit each) then share
/// the time until `COLUMN_END`.
const COLUMN_START: f64 = 0.1;
const ROOT_LP_SHARE: f64 = 0.3;
const COLUMN_END: f64 = 0.85;
const WINDOW_CAP: f64 = 0.05;
/// Dives get this many times the windows' time (instance 12 needs the
/// dives, instance 8 the windows).
const DIVE_WEIGHT: f64 = 2.0;
/// Days freed per window (uniform in this range) and dives per window.
const WINDOW_DAYS: (usize, usize) = (7, 14);
const WINDOW_DIVES: usize = 3;
/// Temperature of the ruin-and-recreate acceptance, relative to the local
/// search's (close to "accept when not worse").
const LNS_TEMP: f64 = 0.001;
/// Moves between DP repair passes while no feasible roster is known.
const REPAIR_EVERY: u64 = 262_144;
const SA_MOVE_WORK: f64 = 10.0;
/// Share of ruin-and-recreate steps that take a block of days for everyone.
const BLOCK_SHARE: f64 = 0.0;
/// Share of ruin-and-recreate steps whose DP costs get random tie-breaking
/// noise of up to `NOISE_AMP` per day and value.
const NOISE_SHARE: f64 = 0.5;
const NOISE_AMP: i64 = 20;

/// The column-generation phase: the root LP from the search's best rows,
/// then dives from the root and fix-and-optimise windows in turn, the
/// dives given `DIVE_WEIGHT` times the windows' time.
///
/// A window frees every employee's days in a random range of days (the
/// rest stays as in the best roster) and re-solves them by price and dive.
/// The master LP of a window is much tighter than the whole problem's, so a
/// dive there often finds what a dive from the root cannot (Curtois
/// instance 8 at 60 s: 1404 to 1313), while on other instances (12) the dives from
/// the root do better; taking turns serves both.
struct ColumnPhase {
    root_deadline: Instant,
    end: Instant,
    /// Time limit of one window.
    window_cap: Duration,
    threads: usize,
    seed: u64,
}

impl ColumnPhase {
    /// Runs until `end` (or `cancel`). `best` takes every roster found that
    /// is not worse (equal ones move the windows on); `report` hears the
    /// best objective before every dive and window. Returns the summary
    /// and the column pool (`None` when the root LP could not be built).
    fn run(
        &self,
        inst: &CurtoisInstance,
        start: &[u16],
        best: &mut Option<(Vec<u16>, u64)>,
        cancel: Option<&AtomicBool>,
        report: &mut dyn FnMut(u64),
    ) -> Option<(ColumnGeneration, Vec<Vec<Vec<u16>>>)> {
        let mut diver = colgen::Diver::new(
            inst,
            start,
            None,
            (self.threads, self.seed),
            self.root_deadline,
            cancel,
        )?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let (mut dive_time, mut window_time) = (Duration::ZERO, Duration::ZERO);
        let mut dive_best: Option<u64> = None;
        let mut diving = true;
        let mut windows = 0;
        let stopped =
            || Instant::now() >= self.end || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
        let offer = |best: &mut Option<(Vec<u16>, u64)>, cells: &[u16], obj: u64| {
            if best.as_ref().is_none_or(|b| obj <= b.1) {
                *best = Some((cells.to_vec(), obj));
            }
        };
        while !stopped() {
            if let Some(b) = best.as_ref() {
                report(b.1);
            }
            let t = Instant::now();
            if diving && (dive_time <= window_time.mul_f64(DIVE_WEIGHT) || best.is_none()) {
                match diver.dive(self.end) {
                    Some((cells, obj)) => {
                        dive_best = Some(dive_best.map_or(obj, |b| b.min(obj)));
                        offer(best, &cells, obj);
                    }
                    None => diving = false,
                }
                dive_time += t.elapsed();
                continue;
            }
            let Some((cells, _)) = best.as_ref() else {
                break;
            };
            let days = inst.days;
            let w = rng.gen_range(WINDOW_DAYS.0.min(days)..=WINDOW_DAYS.1.min(days));
            let from = rng.gen_range(0..=days - w);
            let fixed = colgen::fix_outside(cells, days, from, from + w);
            let budget = colgen::DiveBudget {
                deadline: self.end.min(t + self.window_cap),
                threads: self.threads,
                seed: self.seed.wrapping_add(windows as u64),
                max_dives: WINDOW_DIVES,
            };
            windows += 1;
            if let Some(r) = colgen::price_and_dive(inst, cells, Some(&fixed), budget, cancel) {
                offer(best, &r.cells, r.objective);
            }
            window_time += t.elapsed();
        }
        let summary = ColumnGeneration {
            root_lp: diver.root_lp(),
            columns: diver.columns(),
            dives: diver.dives,
            dive_objective: dive_best,
            windows,
        };
        Some((summary, diver.into_pool()))
    }
}

fn lns_due(dp_work: u64, sa_iters: u64, share: f64, days: usize) -> bool {
    (dp_work as f64) * (1.0 - share) <= (sa_iters as f64) * (SA_MOVE_WORK + days as f64) * share
}

/// Marginal cost for employee `e` of value `v` on day `dd` given everyone
/// else: its request cost plus the change in cover cost.
fn marginal(st: &State, e: usize, dd: usize, v: u16) -> i64 {
    let (n, days) = (st.n, st.days);
    let i = e * days + dd;
    let mut c =
        i64::from(st.req_table[i * (n + 1) + v as usize]) + st.noise[dd * (n + 1) + v as usize];
    if (v as usize) < n {
        let k = dd * n + v as usize;
        let c0 = st.count[k] - u32::from(st.cells[i] == v);
        let cv = st.inst.cover[k];
        c += cv.cost(c0 + 1) as i64 - cv.cost(c0) as i64;
    }
    c
}

/// Replace employee `e`'s days `a..b` by its best response (no change when
/// the DP finds nothing). Returns true when cells changed.
#[allow(clippy::too_many_arguments)]
fn rebuild(
    inst: &CurtoisInstance,
    st: &mut State,
    e: usize,
    a: usize,
    b: usize,
    sc: &mut dp::Scratch,
    out: &mut Vec<u16>,
    changes: &mut Vec<(usize, usize, u16)>,
) -> bool {
    let days = st.days;
    let ok = {
        let stc = &*st;
        let cost = |dd: usize, v: u16| marginal(stc, e, dd, v);
        dp::best_response(
            inst,
            e,
            &st.cells[e * days..(e + 1) * days],
            a,
            b,
            &cost,
            out,
            sc,
        )
    };
    if !ok {
        return false;
    }
    changes.clear();
    for (j, &v) in out.iter().enumerate() {
        if st.cells[e * days + a + j] != v {
            changes.push((e, a + j, v));
        }
    }
    if changes.is_empty() {
        return false;
    }
    st.apply(changes);
    true
}

/// Windows `[a, b)` of width `w` covering the horizon, overlapping by half.
fn windows(days: usize, w: usize) -> Vec<(usize, usize)> {
    if w >= days {
        return vec![(0, days)];
    }
    let step = (w / 2).max(1);
    let mut v = Vec::new();
    let mut a = 0;
    loop {
        let b = (a + w).min(days);
        v.push((b - w, b));
        if b == days {
            break;
        }
        a += step;
    }
    v
}

/// Feasibility phase: every employee who breaks a hard rule is rebuilt by
/// the DP window by window (each window keeps the rules inside it and at
/// its borders) while that lowers its violations.
#[allow(clippy::too_many_arguments)]
fn repair(
    inst: &CurtoisInstance,
    st: &mut State,
    w: usize,
    sc: &mut dp::Scratch,
    out: &mut Vec<u16>,
    changes: &mut Vec<(usize, usize, u16)>,
    deadline: Instant,
) {
    let days = st.days;
    let wins = windows(days, w.min(28));
    for _pass in 0..3 {
        if st.hard == 0 {
            return;
        }
        for e in 0..inst.employees.len() {
            for &(a, b) in &wins {
                if st.emp_hard[e] == 0 || Instant::now() >= deadline {
                    break;
                }
                let before = (st.emp_hard[e], st.soft());
                if rebuild(inst, st, e, a, b, sc, out, changes)
                    && (st.emp_hard[e], st.soft()) > before
                {
                    st.revert();
                }
            }
        }
    }
    // Rules a single window cannot mend (a run to shorten whose minutes
    // must go elsewhere): rebuild one window, then the others, and keep it
    // when the employee's violations went down.
    if wins.len() < 2 {
        return;
    }
    let mut row_saved: Vec<u16> = Vec::with_capacity(days);
    for e in 0..inst.employees.len() {
        if st.emp_hard[e] == 0 {
            continue;
        }
        'first: for i in 0..wins.len() {
            if Instant::now() >= deadline {
                return;
            }
            let before = st.emp_hard[e];
            row_saved.clear();
            row_saved.extend_from_slice(&st.cells[e * days..(e + 1) * days]);
            let (a, b) = wins[i];
            rebuild(inst, st, e, a, b, sc, out, changes);
            for (j, &(a2, b2)) in wins.iter().enumerate() {
                if j != i {
                    rebuild(inst, st, e, a2, b2, sc, out, changes);
                }
                if st.emp_hard[e] < before {
                    break 'first;
                }
            }
            changes.clear();
            changes.extend(row_saved.iter().enumerate().map(|(d, &v)| (e, d, v)));
            st.apply(changes);
        }
    }
}

/// One ruin-and-recreate step: pick 1–5 employees (one breaking a rule
/// when there is one) and a window of days; either empty their window
/// first and rebuild them in random order, or take their best responses in
/// turn. Returns (Δsoft, Δhard) of the whole step; `saved` holds what
/// restores the roster before it.
#[allow(clippy::too_many_arguments)]
fn lns_step(
    inst: &CurtoisInstance,
    st: &mut State,
    rng: &mut ChaCha8Rng,
    dp_w: usize,
    sc: &mut dp::Scratch,
    out: &mut Vec<u16>,
    changes: &mut Vec<(usize, usize, u16)>,
    saved: &mut Vec<(usize, usize, u16)>,
    order: &mut Vec<usize>,
) -> (i64, i64) {
    let ne = inst.employees.len();
    let days = st.days;
    let off = st.n as u16;
    let before = (st.soft() as i64, st.hard as i64);
    let k = match rng.gen_range(0..10) {
        0..=2 => 1,
        3..=5 => 2,
        6..=7 => 3,
        8 => 4,
        _ => 5,
    }
    .min(ne);
    order.clear();
    let first = rng.gen_range(0..ne);
    let first = if st.hard > 0 && rng.gen_bool(0.7) {
        (0..ne)
            .map(|j| (first + j) % ne)
            .find(|&j| st.emp_hard[j] > 0)
            .unwrap_or(first)
    } else {
        first
    };
    order.push(first);
    while order.len() < k {
        let e = rng.gen_range(0..ne);
        if !order.contains(&e) {
            order.push(e);
        }
    }
    let block = rng.gen_bool(BLOCK_SHARE) && days > 7;
    let w = if block {
        // A block of a few days for everyone, rebuilt in random order.
        order.clear();
        order.extend(0..ne);
        for j in (1..ne).rev() {
            order.swap(j, rng.gen_range(0..=j));
        }
        rng.gen_range(3..=7.min(days))
    } else if dp_w >= days {
        days
    } else {
        rng.gen_range((dp_w / 2).max(7).min(dp_w)..=dp_w)
    };
    let a = rng.gen_range(0..=days - w);
    let b = a + w;
    saved.clear();
    for &e in order.iter() {
        for d in a..b {
            saved.push((e, d, st.cells[e * days + d]));
        }
    }
    let destroy = block || (k > 1 && rng.gen_bool(0.7));
    let noisy = rng.gen_bool(NOISE_SHARE);
    if noisy {
        for x in st.noise.iter_mut() {
            *x = rng.gen_range(0..=NOISE_AMP);
        }
    }
    if destroy {
        changes.clear();
        for &e in order.iter() {
            for d in a..b {
                changes.push((e, d, off));
            }
        }
        st.apply(changes);
    }
    for &e in order.iter() {
        rebuild(inst, st, e, a, b, sc, out, changes);
    }
    if destroy {
        // A second round of best responses: each only improves.
        for &e in order.iter() {
            rebuild(inst, st, e, a, b, sc, out, changes);
        }
    }
    if noisy {
        st.noise.iter_mut().for_each(|x| *x = 0);
    }
    (st.soft() as i64 - before.0, st.hard as i64 - before.1)
}

fn percent(opts: &SolveOptions, el: Duration, iter: u64) -> f64 {
    let by_time = el.as_secs_f64() / opts.time_limit.as_secs_f64().max(1e-9);
    let by_iter = opts
        .max_iterations
        .map_or(0.0, |m| iter as f64 / (m.max(1)) as f64);
    (by_time.max(by_iter) * 100.0).min(100.0)
}
