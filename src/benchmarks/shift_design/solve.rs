//! Heuristic solver: greedy construction, then simulated annealing.
//!
//! The search space is every `(start, length)` pair some shift type allows
//! (a "candidate", see [`Instance::candidate_shifts`]) times every day,
//! holding a worker count; so start windows and length ranges hold by
//! construction. The objective is the one of the module documentation,
//! kept incrementally (cover cost per slot, number of candidates in use,
//! duties and worked slots).
//!
//! * Construction: from the empty design, repeatedly add the one worker
//!   (candidate, day) that lowers the objective most, until none does;
//!   done twice, with and without charging new distinct shifts, each
//!   followed by merging shifts (all days) while that helps; the better
//!   is the start.
//! * Annealing moves: one worker more or less on a (candidate, day); move
//!   one day's workers (one or all) to a neighbouring shift (start ±1,
//!   length ±1, or start ±1 with the same end); move a whole shift (all
//!   days) to a neighbour; merge a shift into another one in use (one
//!   distinct shift fewer); drop a shift.
//! * Cooling runs in cycles of a fixed number of moves; each cycle after
//!   the first restarts from the best design. Everything depends only on
//!   the seed and the number of moves, so a run is deterministic for a
//!   seed up to where the time limit cuts it; `max_iterations` makes it
//!   fully so.

use super::{Design, Instance, Shift};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::{Duration, Instant};

/// Options of [`solve`].
#[derive(Debug, Clone)]
pub struct SolveOptions {
    pub time_limit: Duration,
    pub seed: u64,
    /// Stop after this many annealing moves; `None` = time only.
    pub max_iterations: Option<u64>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(10),
            seed: 1,
            max_iterations: None,
        }
    }
}

/// Outcome of [`solve`]: the best design found and its objective (as the
/// evaluator defines it).
#[derive(Debug, Clone)]
pub struct SolveResult {
    pub design: Design,
    pub objective: f64,
    /// Objective after the greedy construction.
    pub greedy_objective: f64,
    pub iterations: u64,
    pub cycles: u64,
    pub elapsed: Duration,
}

/// Moves per cooling cycle.
const CYCLE_ITERS: u64 = 400_000;
/// Start and end temperature of a cycle, in staff-slots of cover cost.
const T_START: f64 = 2.0;
const T_END: f64 = 0.02;

struct State<'a> {
    inst: &'a Instance,
    days: usize,
    spd: usize,
    n: usize,
    /// `(start, length, type)` per candidate.
    cand: Vec<(usize, usize, usize)>,
    /// `grid[start * (max_len + 1) + length]` = candidate or `usize::MAX`.
    grid: Vec<usize>,
    max_len: usize,
    /// `x[c * days + d]`.
    x: Vec<u32>,
    row_total: Vec<u32>,
    active: Vec<usize>,
    active_pos: Vec<usize>,
    staffed: Vec<u32>,
    /// Weighted under/over cost per staff-slot (weight × interval).
    wu: i64,
    wo: i64,
    cover_cost: i64,
    duties: i64,
    worked_slots: i64,
}

impl<'a> State<'a> {
    fn new(inst: &'a Instance) -> Self {
        let cand = inst.candidate_shifts();
        let spd = inst.slots_per_day();
        let max_len = cand.iter().map(|c| c.1).max().unwrap_or(0);
        let mut grid = vec![usize::MAX; spd * (max_len + 1)];
        for (i, &(s, l, _)) in cand.iter().enumerate() {
            grid[s * (max_len + 1) + l] = i;
        }
        let iv = i64::from(inst.interval);
        let wu = inst.weights.under_cover as i64 * iv;
        let wo = inst.weights.over_cover as i64 * iv;
        let cover_cost = inst.demand.iter().map(|&d| i64::from(d) * wu).sum();
        let days = inst.days;
        Self {
            inst,
            days,
            spd,
            n: inst.total_slots(),
            x: vec![0; cand.len() * days],
            row_total: vec![0; cand.len()],
            active: Vec::new(),
            active_pos: vec![usize::MAX; cand.len()],
            staffed: vec![0; inst.total_slots()],
            cand,
            grid,
            max_len,
            wu,
            wo,
            cover_cost,
            duties: 0,
            worked_slots: 0,
        }
    }

    fn slot_cost(&self, p: usize, s: i64) -> i64 {
        let d = i64::from(self.inst.demand[p]);
        if s < d {
            (d - s) * self.wu
        } else {
            (s - d) * self.wo
        }
    }

    fn duty_penalty(&self, duties: i64, worked_slots: i64) -> f64 {
        let w = self.inst.weights.duties_per_week;
        if w == 0 || worked_slots <= 0 {
            return 0.0;
        }
        let worked_min = worked_slots as f64 * f64::from(self.inst.interval);
        let a = duties as f64 * f64::from(self.inst.avg_minutes) / worked_min;
        let dev = if a < self.inst.min_duties {
            self.inst.min_duties - a
        } else if a > self.inst.max_duties {
            a - self.inst.max_duties
        } else {
            0.0
        };
        w as f64 * dev
    }

    fn objective(&self) -> f64 {
        self.cover_cost as f64
            + (self.inst.weights.shift_instances as i64 * self.active.len() as i64) as f64
            + self.duty_penalty(self.duties, self.worked_slots)
    }

    /// Objective change if one worker were added to `(c, d)`; with
    /// `shift_cost == false` a new distinct shift is free.
    fn add_delta(&self, c: usize, d: usize, shift_cost: bool) -> f64 {
        let (s, l, _) = self.cand[c];
        let base = d * self.spd + s;
        let mut dc = 0i64;
        for k in 0..l {
            let p = (base + k) % self.n;
            let st = i64::from(self.staffed[p]);
            dc += self.slot_cost(p, st + 1) - self.slot_cost(p, st);
        }
        let mut delta = dc as f64;
        if shift_cost && self.row_total[c] == 0 {
            delta += self.inst.weights.shift_instances as f64;
        }
        delta += self.duty_penalty(self.duties + 1, self.worked_slots + l as i64)
            - self.duty_penalty(self.duties, self.worked_slots);
        delta
    }

    /// Add `k` workers (may be negative; `x + k ≥ 0`) to `(c, d)`.
    fn change(&mut self, c: usize, d: usize, k: i32) {
        if k == 0 {
            return;
        }
        let (s, l, _) = self.cand[c];
        let base = d * self.spd + s;
        let mut dc = 0i64;
        for j in 0..l {
            let p = (base + j) % self.n;
            let st = i64::from(self.staffed[p]);
            let ns = st + i64::from(k);
            dc += self.slot_cost(p, ns) - self.slot_cost(p, st);
            self.staffed[p] = ns as u32;
        }
        self.cover_cost += dc;
        let i = c * self.days + d;
        self.x[i] = (i64::from(self.x[i]) + i64::from(k)) as u32;
        let before = self.row_total[c];
        self.row_total[c] = (i64::from(before) + i64::from(k)) as u32;
        self.duties += i64::from(k);
        self.worked_slots += i64::from(k) * l as i64;
        if before == 0 && self.row_total[c] > 0 {
            self.active_pos[c] = self.active.len();
            self.active.push(c);
        } else if before > 0 && self.row_total[c] == 0 {
            let pos = self.active_pos[c];
            self.active.swap_remove(pos);
            if pos < self.active.len() {
                self.active_pos[self.active[pos]] = pos;
            }
            self.active_pos[c] = usize::MAX;
        }
    }

    fn lookup(&self, start: i64, len: i64) -> Option<usize> {
        if start < 0 || start >= self.spd as i64 || len < 1 || len > self.max_len as i64 {
            return None;
        }
        let c = self.grid[start as usize * (self.max_len + 1) + len as usize];
        (c != usize::MAX).then_some(c)
    }

    /// A random neighbour of candidate `c`: start ±1, length ±1, or start
    /// ±1 keeping the end.
    fn neighbour(&self, c: usize, rng: &mut ChaCha8Rng) -> Option<usize> {
        let (s, l, _) = self.cand[c];
        let (s, l) = (s as i64, l as i64);
        let (ns, nl) = match rng.gen_range(0..6) {
            0 => (s - 1, l),
            1 => (s + 1, l),
            2 => (s, l - 1),
            3 => (s, l + 1),
            4 => (s - 1, l + 1),
            _ => (s + 1, l - 1),
        };
        self.lookup(ns, nl)
    }

    fn design(&self) -> Design {
        let mut shifts = Vec::new();
        for (c, &(start, length, t)) in self.cand.iter().enumerate() {
            if self.row_total[c] > 0 {
                shifts.push(Shift {
                    shift_type: t,
                    start,
                    length,
                    workers: self.x[c * self.days..(c + 1) * self.days].to_vec(),
                });
            }
        }
        Design { shifts }
    }

    /// Greedy construction from the current state (see [`solve`]).
    fn greedy(&mut self, shift_cost: bool) {
        loop {
            let mut best: Option<(f64, usize, usize)> = None;
            for c in 0..self.cand.len() {
                for d in 0..self.days {
                    let delta = self.add_delta(c, d, shift_cost);
                    if delta < -1e-9 && best.is_none_or(|b| delta < b.0) {
                        best = Some((delta, c, d));
                    }
                }
            }
            match best {
                Some((_, c, d)) => self.change(c, d, 1),
                None => break,
            }
        }
    }

    /// Merge one shift in use into another (all days) while the best such
    /// merge lowers the objective.
    fn merge_descent(&mut self) {
        let mut moves = Vec::new();
        loop {
            let cur = self.objective();
            let mut best: Option<(f64, usize, usize)> = None;
            let act = self.active.clone();
            for &a in &act {
                for &b in &act {
                    if a == b {
                        continue;
                    }
                    moves.clear();
                    self.move_all(a, b, &mut moves);
                    for &(c, d, k) in &moves {
                        self.change(c, d, k);
                    }
                    let o = self.objective();
                    for &(c, d, k) in moves.iter().rev() {
                        self.change(c, d, -k);
                    }
                    if o < cur - 1e-9 && best.is_none_or(|x| o < x.0) {
                        best = Some((o, a, b));
                    }
                }
            }
            let Some((_, a, b)) = best else { break };
            moves.clear();
            self.move_all(a, b, &mut moves);
            for &(c, d, k) in &moves {
                self.change(c, d, k);
            }
        }
    }

    /// Propose a random move as a list of `(candidate, day, change)`
    /// (empty when the drawn move does not apply).
    fn propose(&self, rng: &mut ChaCha8Rng, out: &mut Vec<(usize, usize, i32)>) {
        out.clear();
        let nc = self.cand.len();
        let days = self.days;
        let pick_active = |rng: &mut ChaCha8Rng| -> Option<usize> {
            (!self.active.is_empty()).then(|| self.active[rng.gen_range(0..self.active.len())])
        };
        let r: f64 = rng.gen();
        if r < 0.35 || self.active.is_empty() {
            // One worker more or less.
            let c = if rng.gen_bool(0.8) {
                pick_active(rng).unwrap_or_else(|| rng.gen_range(0..nc))
            } else {
                rng.gen_range(0..nc)
            };
            let d = rng.gen_range(0..days);
            let k = if self.x[c * days + d] == 0 || rng.gen_bool(0.5) {
                1
            } else {
                -1
            };
            out.push((c, d, k));
        } else if r < 0.75 {
            // Move one day's workers (one or all) to a neighbouring shift.
            let Some(c) = pick_active(rng) else {
                return;
            };
            let d = rng.gen_range(0..days);
            let have = self.x[c * days + d];
            if have == 0 {
                return;
            }
            let Some(c2) = self.neighbour(c, rng) else {
                return;
            };
            let k = if rng.gen_bool(0.7) { 1 } else { have as i32 };
            out.push((c, d, -k));
            out.push((c2, d, k));
        } else if r < 0.88 {
            // Move a whole shift to a neighbour.
            let Some(c) = pick_active(rng) else {
                return;
            };
            let Some(c2) = self.neighbour(c, rng) else {
                return;
            };
            self.move_all(c, c2, out);
        } else if r < 0.96 {
            // Merge into another shift in use.
            if self.active.len() < 2 {
                return;
            }
            let a = self.active[rng.gen_range(0..self.active.len())];
            let b = self.active[rng.gen_range(0..self.active.len())];
            if a != b {
                self.move_all(a, b, out);
            }
        } else {
            // Drop a shift.
            let Some(c) = pick_active(rng) else {
                return;
            };
            for d in 0..days {
                let w = self.x[c * days + d];
                if w > 0 {
                    out.push((c, d, -(w as i32)));
                }
            }
        }
    }

    fn move_all(&self, from: usize, to: usize, out: &mut Vec<(usize, usize, i32)>) {
        for d in 0..self.days {
            let w = self.x[from * self.days + d];
            if w > 0 {
                out.push((from, d, -(w as i32)));
                out.push((to, d, w as i32));
            }
        }
    }
}

/// Solve `inst`: greedy construction, then annealing until the time limit
/// (or `max_iterations`). Never returns a design worse than the empty one.
pub fn solve(inst: &Instance, opts: &SolveOptions) -> SolveResult {
    let started = Instant::now();
    let mut st = State::new(inst);
    let empty_obj = st.objective();
    // Greedy twice: paying for each new distinct shift, and with new shifts
    // free (which escapes the empty design when one shift costs more than
    // one worker covers; annealing then merges); keep the better.
    st.greedy(true);
    st.merge_descent();
    let mut free = State::new(inst);
    free.greedy(false);
    free.merge_descent();
    if free.objective() < st.objective() {
        st = free;
    }
    let greedy_objective = st.objective();
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut cur = greedy_objective;
    let mut best_obj = cur;
    let mut best_x = st.x.clone();
    let unit = (st.wu.max(st.wo).max(1)) as f64;
    let mut iterations = 0u64;
    let mut cycles = 0u64;
    let mut moves = Vec::new();
    let max_it = opts.max_iterations.unwrap_or(u64::MAX);
    'outer: loop {
        if cycles > 0 {
            // Restart from the best design.
            restore(&mut st, &best_x);
            cur = st.objective();
        }
        cycles += 1;
        for i in 0..CYCLE_ITERS {
            if iterations >= max_it {
                break 'outer;
            }
            if iterations.is_multiple_of(1024) && started.elapsed() >= opts.time_limit {
                break 'outer;
            }
            iterations += 1;
            let frac = i as f64 / CYCLE_ITERS as f64;
            let temp = unit * T_START * (T_END / T_START).powf(frac);
            st.propose(&mut rng, &mut moves);
            if moves.is_empty() {
                continue;
            }
            for &(c, d, k) in &moves {
                st.change(c, d, k);
            }
            let new = st.objective();
            let delta = new - cur;
            if delta <= 0.0 || rng.gen::<f64>() < (-delta / temp).exp() {
                cur = new;
                if cur < best_obj - 1e-9 {
                    best_obj = cur;
                    best_x.copy_from_slice(&st.x);
                }
            } else {
                for &(c, d, k) in moves.iter().rev() {
                    st.change(c, d, -k);
                }
            }
        }
    }
    restore(&mut st, &best_x);
    let mut objective = st.objective();
    let mut design = st.design();
    if objective > empty_obj {
        design = Design::default();
        objective = empty_obj;
    }
    SolveResult {
        design,
        objective,
        greedy_objective,
        iterations,
        cycles,
        elapsed: started.elapsed(),
    }
}

fn restore(st: &mut State<'_>, x: &[u32]) {
    for c in 0..st.cand.len() {
        for d in 0..st.days {
            let i = c * st.days + d;
            let k = i64::from(x[i]) - i64::from(st.x[i]);
            if k != 0 {
                st.change(c, d, k as i32);
            }
        }
    }
}
