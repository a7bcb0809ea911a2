//! A roster under construction: who works what each day, agents on per
//! queue and interval, and the objective kept up to date move by move.

use super::catalog::Catalog;
use super::model::{Problem, MAX_BREAKS};
use super::sequence::{agent_soft_cost, check_agent, Assign, Rule, SoftCost};

pub(crate) struct State<'a> {
    pub cat: &'a Catalog,
    pub problem: &'a Problem,
    /// `agents × days`.
    pub days: Vec<Option<Assign>>,
    /// Agents on, `queues × row`.
    pub on: Vec<i32>,
    /// Hours per interval.
    hours: f64,
    pub cover_cost: f64,
    pub soft: Vec<SoftCost>,
    pub soft_total: f64,
}

impl<'a> State<'a> {
    pub fn new(cat: &'a Catalog, problem: &'a Problem) -> Self {
        let agents = cat.agents.len();
        let mut s = Self {
            cat,
            problem,
            days: vec![None; agents * cat.days()],
            on: vec![0; cat.queues.len() * cat.row],
            hours: f64::from(cat.grid_minutes) / 60.0,
            cover_cost: 0.0,
            soft: vec![SoftCost::default(); agents],
            soft_total: 0.0,
        };
        for a in 0..agents {
            s.soft[a] = s.compute_soft(a);
        }
        s.recompute();
        s
    }

    pub fn objective(&self) -> f64 {
        self.cover_cost + self.soft_total
    }

    /// Recomputes the objective from scratch (drops floating-point drift).
    pub fn recompute(&mut self) {
        let mut c = 0.0;
        for q in 0..self.cat.queues.len() {
            for i in 0..self.cat.n {
                c += self.cost_at(q * self.cat.row + i, self.on[q * self.cat.row + i]);
            }
        }
        self.cover_cost = c;
        self.soft_total = self.soft.iter().map(SoftCost::total).sum();
    }

    pub fn day(&self, a: usize, d: usize) -> Option<&Assign> {
        self.days[a * self.cat.days() + d].as_ref()
    }

    /// Cover cost of cell `k` (queue-major) with `on` agents.
    #[inline]
    fn cost_at(&self, k: usize, on: i32) -> f64 {
        let i = k % self.cat.row;
        if i >= self.cat.n {
            return 0.0;
        }
        let req = self.cat.req[k];
        let on = f64::from(on);
        let w = &self.problem.weights;
        self.hours * (w.under * (req - on).max(0.0) + w.over * (on - req).max(0.0))
    }

    /// Change in cover cost when cell `k` gains `by` (±1) agents.
    #[inline]
    pub fn delta_at(&self, k: usize, by: i32) -> f64 {
        let on = self.on[k];
        self.cost_at(k, on + by) - self.cost_at(k, on)
    }

    fn bump(&mut self, k: usize, by: i32) -> f64 {
        let d = self.delta_at(k, by);
        self.on[k] += by;
        self.cover_cost += d;
        d
    }

    /// Adds (`by` = 1) or removes (-1) an assignment's working intervals.
    fn apply_work(&mut self, a: &Assign, by: i32) -> f64 {
        let o = &self.cat.opts[a.opt as usize];
        let base = usize::from(a.queue) * self.cat.row + o.start as usize;
        let plan = &self.cat.plans[usize::from(o.plan)];
        let mut delta = 0.0;
        let mut next_break = 0;
        let mut i = 0usize;
        let len = usize::from(o.len);
        while i < len {
            if next_break < plan.len() && i == usize::from(a.breaks[next_break]) {
                i += usize::from(plan[next_break].len);
                next_break += 1;
                continue;
            }
            delta += self.bump(base + i, by);
            i += 1;
        }
        delta
    }

    fn compute_soft(&self, a: usize) -> SoftCost {
        let days = self.cat.days();
        let row = &self.days[a * days..(a + 1) * days];
        agent_soft_cost(self.cat, &self.cat.agents[a], &self.problem.weights, |d| {
            row[d].as_ref()
        })
    }

    /// Sets agent `a`'s day `d` and returns the change in objective.
    pub fn set(&mut self, a: usize, d: usize, new: Option<Assign>) -> f64 {
        let k = a * self.cat.days() + d;
        let old = self.days[k];
        if old == new {
            return 0.0;
        }
        let mut delta = 0.0;
        if let Some(o) = &old {
            delta += self.apply_work(o, -1);
        }
        if let Some(n) = &new {
            delta += self.apply_work(n, 1);
        }
        self.days[k] = new;
        let soft = self.compute_soft(a);
        delta += soft.total() - self.soft[a].total();
        self.soft_total += soft.total() - self.soft[a].total();
        self.soft[a] = soft;
        delta
    }

    /// Whether agent `a` keeps every day-spanning rule with `changes`
    /// (day, assignment) applied on top of its current days.
    pub fn feasible_with(&self, a: usize, changes: &[(usize, Option<Assign>)]) -> Result<(), Rule> {
        let days = self.cat.days();
        let row = &self.days[a * days..(a + 1) * days];
        check_agent(
            self.cat,
            &self.problem.agents[a].contract,
            &self.cat.agents[a],
            false,
            |d| match changes.iter().find(|(cd, _)| *cd == d) {
                Some((_, c)) => c.as_ref(),
                None => row[d].as_ref(),
            },
        )
    }

    /// Cover-cost change of adding option `opt` on queue `q` with breaks
    /// placed where they cost least, and those breaks. Coverage is left
    /// unchanged.
    pub fn price_option(&mut self, opt: u32, q: u8) -> (f64, [u16; MAX_BREAKS]) {
        let o = &self.cat.opts[opt as usize];
        let base = usize::from(q) * self.cat.row + o.start as usize;
        let len = usize::from(o.len);
        let plan = &self.cat.plans[usize::from(o.plan)];
        let mut delta = 0.0;
        for i in 0..len {
            delta += self.delta_at(base + i, 1);
        }
        let mut breaks = [0u16; MAX_BREAKS];
        if plan.is_empty() {
            return (delta, breaks);
        }
        // Place breaks one by one where the agent is missed least, with
        // the shift counted as on; apply each so the next sees it.
        for i in 0..len {
            self.on[base + i] += 1;
        }
        let mut free = 0usize;
        for (b, slot) in plan.iter().enumerate() {
            let lo = usize::from(slot.earliest).max(free);
            let hi = usize::from(slot.latest);
            let blen = usize::from(slot.len);
            let mid2 = lo + hi;
            let mut best = (f64::INFINITY, usize::MAX, lo);
            for p in lo..=hi {
                let mut c = 0.0;
                for i in p..p + blen {
                    c += self.delta_at(base + i, -1);
                }
                let dist = (2 * p).abs_diff(mid2);
                if c < best.0 - 1e-9 || (c <= best.0 + 1e-9 && dist < best.1) {
                    best = (c, dist, p);
                }
            }
            let p = best.2;
            breaks[b] = p as u16;
            delta += best.0;
            for i in p..p + blen {
                self.on[base + i] -= 1;
            }
            free = p + blen;
        }
        // Undo: remove the shift's working intervals again.
        let mut next = 0;
        let mut i = 0;
        while i < len {
            if next < plan.len() && i == usize::from(breaks[next]) {
                i += usize::from(plan[next].len);
                next += 1;
                continue;
            }
            self.on[base + i] -= 1;
            i += 1;
        }
        (delta, breaks)
    }

    /// Whether agent `a` may work day `d` at all as far as the pattern of
    /// days goes (consecutive days, days off, shifts per week, weekends);
    /// `probe` is any shift that day.
    pub fn pattern_ok(&self, a: usize, d: usize, probe: &Assign) -> Result<(), Rule> {
        let days = self.cat.days();
        let row = &self.days[a * days..(a + 1) * days];
        check_agent(
            self.cat,
            &self.problem.agents[a].contract,
            &self.cat.agents[a],
            true,
            |k| if k == d { Some(probe) } else { row[k].as_ref() },
        )
    }

    /// Agents on the phones in cell (queue `q`, interval `i`).
    pub fn on_at(&self, q: usize, i: usize) -> i32 {
        self.on[q * self.cat.row + i]
    }
}
