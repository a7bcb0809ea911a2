//! Construction plus late-acceptance local search over the roster.
//!
//! * Construction: day by day, agents in a seeded order each take the
//!   shift (or day off) that lowers the objective most, given everyone
//!   placed so far ("best response").
//! * Local search: late-acceptance hill climbing (Burke & Bykov): a move
//!   is kept when it is no worse than the current roster or than the
//!   roster of a fixed number of moves ago (see `history_length`).
//!   Moves: best response of an agent on a day (random, or aimed at an
//!   under- or over-covered interval), a random shift or day off, nudging
//!   a shift's start or length, swapping two agents' days, moving a shift
//!   to another day of the same week, and ruin-and-recreate of one agent's
//!   week or of a few agents' day.
//! * Every move is checked against the hard rules first, so every roster
//!   the search holds is feasible; the best one is kept (anytime).
//!
//! Deterministic for a seed when stopped by `max_iterations` (the time
//! limit still caps such a run as a safety net, and then says so in the
//! stop reason); a time limit alone stops wherever the clock says.

use super::model::MAX_BREAKS;
use super::sequence::{contract_cost, request_cost, Assign};
use super::state::State;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Late-acceptance list length: long lists explore more but converge
/// slower, so big rosters (more agent-days per move) get shorter ones.
/// Tuned on the bank bench: 1,000 for 50 agents × 28 days, 100–200 for
/// 1,000 agents.
fn history_length(cells: usize) -> usize {
    (1_400_000 / cells.max(1)).clamp(100, 1000)
}
const EPS: f64 = 1e-9;

/// SplitMix64: small, fast, and stable across crate versions.
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 11) as u128 * n as u128) >> 53) as usize
    }
}

/// One change to the roster: agent, day, before, after.
type Change = (usize, usize, Option<Assign>, Option<Assign>);

pub(crate) struct Limits<'c> {
    pub started: Instant,
    pub time_limit: Duration,
    pub max_iterations: Option<u64>,
    pub cancel: Option<&'c AtomicBool>,
    pub lower_bound: Option<f64>,
    pub progress_interval: Duration,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    TimeLimit,
    Iterations,
    Cancelled,
    /// The roster reached the lower bound: it is optimal.
    Optimal,
}

pub(crate) struct SearchOutcome {
    pub best: Vec<Option<Assign>>,
    pub best_objective: f64,
    pub iterations: u64,
    pub first_roster: Duration,
    /// Objective of the constructed roster, before local search.
    pub first_objective: f64,
    pub stop: StopReason,
}

/// Improves the constructed roster in `state` until a limit is hit.
pub(crate) fn run(
    state: &mut State,
    rng: &mut Rng,
    limits: &Limits,
    first_roster: Duration,
    report: &mut dyn FnMut(f64, u64),
) -> SearchOutcome {
    state.recompute();
    let mut current = state.objective();
    let first_objective = current;
    let mut best = state.days.clone();
    let mut best_objective = current;
    let mut best_saved = true;
    let history = history_length(state.days.len());
    let mut hist = vec![current; history];
    let mut iterations = 0u64;
    let mut last_report = Instant::now();
    report(best_objective, 0);
    let stop = loop {
        if let Some(max) = limits.max_iterations {
            if iterations >= max {
                break StopReason::Iterations;
            }
        }
        if iterations.is_multiple_of(128) {
            if limits.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                break StopReason::Cancelled;
            }
            // With `max_iterations` the clock is only a safety net; a run it
            // stops reports `time_limit` (and is no longer reproducible).
            if limits.started.elapsed() >= limits.time_limit {
                break StopReason::TimeLimit;
            }
            if last_report.elapsed() >= limits.progress_interval {
                report(best_objective, iterations);
                last_report = Instant::now();
            }
            if limits
                .lower_bound
                .is_some_and(|lb| best_objective - lb <= 1e-6 * lb.abs().max(1.0))
            {
                break StopReason::Optimal;
            }
        }
        iterations += 1;
        let Some((changes, applied)) = propose(state, rng) else {
            continue;
        };
        let delta = match applied {
            Some(d) => d,
            None => apply(state, &changes),
        };
        let candidate = current + delta;
        let v = (iterations as usize) % history;
        if candidate <= current + EPS || candidate <= hist[v] + EPS {
            if candidate > current + EPS && !best_saved {
                // About to leave the best roster: save it first.
                revert(state, &changes);
                best.clone_from(&state.days);
                best_saved = true;
                apply(state, &changes);
            }
            current = candidate;
            if current < best_objective - EPS {
                best_objective = current;
                best_saved = false;
            }
        } else {
            revert(state, &changes);
        }
        if current < hist[v] {
            hist[v] = current;
        }
        if iterations.is_multiple_of(100_000) {
            // Keep incremental sums honest.
            state.recompute();
            current = state.objective();
        }
    };
    if !best_saved {
        best.clone_from(&state.days);
    }
    report(best_objective, iterations);
    SearchOutcome {
        best,
        best_objective,
        iterations,
        first_roster,
        first_objective,
        stop,
    }
}

fn apply(state: &mut State, changes: &[Change]) -> f64 {
    changes
        .iter()
        .map(|&(a, d, _, new)| state.set(a, d, new))
        .sum()
}

fn revert(state: &mut State, changes: &[Change]) {
    for &(a, d, old, _) in changes.iter().rev() {
        state.set(a, d, old);
    }
}

/// Day by day, each agent (seeded order) takes its best response when it
/// lowers the objective. Two passes.
pub(crate) fn construct(state: &mut State, rng: &mut Rng, cancel: Option<&AtomicBool>) {
    let agents = state.cat.agents.len();
    let days = state.cat.days();
    let mut order: Vec<usize> = (0..agents).collect();
    for _pass in 0..2 {
        for d in 0..days {
            shuffle(&mut order, rng);
            for &a in &order {
                take_if_better(state, a, d);
            }
            if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                return;
            }
        }
    }
}

/// Hands out the LP's shift mix (each fractional count rounded at
/// random) day by day: each shift goes to a free agent who may take it
/// without breaking a rule, preferring the agent furthest below their
/// weekly minimum; breaks are placed on the coverage so far. Then one
/// best-response pass over every (agent, day) fills what rounding missed.
pub(crate) fn construct_from_mix(
    state: &mut State,
    rng: &mut Rng,
    mix: &[(u32, u8, f64)],
    cancel: Option<&AtomicBool>,
) {
    let cat = state.cat;
    let days = cat.days();
    let agents = cat.agents.len();
    let mut per_day: Vec<Vec<(u32, u8)>> = vec![Vec::new(); days];
    for &(opt, q, y) in mix {
        let whole = y.floor();
        let extra = ((rng.next() >> 11) as f64 / (1u64 << 53) as f64) < y - whole;
        let count = whole as usize + usize::from(extra);
        let d = usize::from(cat.opts[opt as usize].day);
        per_day[d].extend(std::iter::repeat_n((opt, q), count));
    }
    let mut order: Vec<usize> = (0..agents).collect();
    for (d, targets) in per_day.iter_mut().enumerate() {
        shuffle(targets, rng);
        shuffle(&mut order, rng);
        let week = cat.day_week[d];
        for &(opt, q) in targets.iter() {
            let mut pick: Option<(i64, usize)> = None;
            let mut seen = 0;
            for &a in &order {
                let data = &cat.agents[a];
                if state.day(a, d).is_some()
                    || data.allowed[d].binary_search(&opt).is_err()
                    || !data.queues.contains(&q)
                {
                    continue;
                }
                let probe = Assign {
                    opt,
                    queue: q,
                    breaks: [0; MAX_BREAKS],
                };
                if state.feasible_with(a, &[(d, Some(probe))]).is_err() {
                    continue;
                }
                let worked: u32 = (0..days)
                    .filter(|&k| cat.day_week[k] == week)
                    .filter_map(|k| state.day(a, k))
                    .map(|s| cat.opts[s.opt as usize].paid_minutes)
                    .sum();
                let deficit = i64::from(data.min_week_minutes[week]) - i64::from(worked);
                if pick.is_none_or(|(best, _)| deficit > best) {
                    pick = Some((deficit, a));
                }
                seen += 1;
                if seen >= 16 {
                    break;
                }
            }
            if let Some((_, a)) = pick {
                let (_, breaks) = state.price_option(opt, q);
                state.set(
                    a,
                    d,
                    Some(Assign {
                        opt,
                        queue: q,
                        breaks,
                    }),
                );
            }
        }
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return;
        }
    }
    for d in 0..days {
        shuffle(&mut order, rng);
        for &a in &order {
            take_if_better(state, a, d);
        }
    }
}

/// Agent `a` takes its best response on day `d` when that lowers the objective.
fn take_if_better(state: &mut State, a: usize, d: usize) {
    let Some(new) = best_response(state, a, d) else {
        return;
    };
    let old = state.day(a, d).copied();
    if new != old {
        let before = state.objective();
        state.set(a, d, new);
        if state.objective() > before - EPS {
            state.set(a, d, old);
        }
    }
}

fn shuffle<T>(v: &mut [T], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        let j = rng.below(i + 1);
        v.swap(i, j);
    }
}

/// The best assignment for agent `a` on day `d` given everyone else
/// (the day off included), or `None` when no choice keeps the rules.
///
/// Fast path: the pattern rules (days on/off) are checked once for the
/// day; per option only rest against the neighbouring shifts and the
/// weekly maximum remain. Cover gain comes from prefix sums of the
/// marginal cost of one more agent: breaks go where that marginal cost is
/// highest (the agent is missed least), within their windows.
pub(crate) fn best_response(state: &mut State, a: usize, d: usize) -> Option<Option<Assign>> {
    let old = state.day(a, d).copied();
    state.set(a, d, None);
    let cat = state.cat;
    let data = &cat.agents[a];
    let mut best: Option<(f64, Option<Assign>)> = None;
    if state.feasible_with(a, &[]).is_ok() {
        best = Some((0.0, None));
    }
    let allowed = &data.allowed[d];
    let probe = allowed.first().map(|&opt| Assign {
        opt,
        queue: data.queues.first().copied().unwrap_or(0),
        breaks: [0; MAX_BREAKS],
    });
    if probe.is_some_and(|p| state.pattern_ok(a, d, &p).is_ok()) {
        let ctx = DayContext::new(state, a, d);
        let prefix: Vec<Vec<f64>> = data
            .queues
            .iter()
            .map(|&q| ctx.prefix(state, usize::from(q)))
            .collect();
        let contract = &state.problem.agents[a].contract;
        let weights = &state.problem.weights;
        let (req_off, _) = request_cost(&data.requests[d], None);
        let base_contract =
            contract_cost(weights, data, ctx.week, ctx.week_minutes, ctx.week_shifts);
        let g = i64::from(cat.grid_minutes);
        for &opt in allowed {
            let o = &cat.opts[opt as usize];
            let start = i64::from(o.start) * g;
            let end = start + i64::from(o.len) * g;
            if ctx
                .prev_end
                .is_some_and(|p| start - p < i64::from(contract.min_rest_minutes))
                || ctx
                    .next_start
                    .is_some_and(|n| n - end < i64::from(contract.min_rest_minutes))
                || ctx.week_minutes + o.paid_minutes > contract.max_week_minutes
            {
                continue;
            }
            let soft = contract_cost(
                weights,
                data,
                ctx.week,
                ctx.week_minutes + o.paid_minutes,
                ctx.week_shifts + 1,
            ) - base_contract
                + weights.paid_hour * f64::from(o.paid_minutes) / 60.0
                + request_cost(&data.requests[d], Some(o)).0
                - req_off;
            for (qi, &q) in data.queues.iter().enumerate() {
                let (cover, breaks) = ctx.price(cat, &prefix[qi], o);
                let total = cover + soft;
                if best.is_none_or(|(b, _)| total < b - EPS) {
                    best = Some((
                        total,
                        Some(Assign {
                            opt,
                            queue: q,
                            breaks,
                        }),
                    ));
                }
            }
        }
    }
    state.set(a, d, old);
    best.map(|(_, x)| x)
}

/// What an agent's other days fix for day `d`.
struct DayContext {
    week: usize,
    week_minutes: u32,
    week_shifts: u32,
    /// End of the previous shift / start of the next, minutes from the horizon start.
    prev_end: Option<i64>,
    next_start: Option<i64>,
    /// First interval the prefix sums cover.
    base: usize,
    len: usize,
}

impl DayContext {
    fn new(state: &State, a: usize, d: usize) -> Self {
        let cat = state.cat;
        let g = i64::from(cat.grid_minutes);
        let week = cat.day_week[d];
        let (mut week_minutes, mut week_shifts) = (0, 0);
        for k in 0..cat.days() {
            if k != d && cat.day_week[k] == week {
                if let Some(s) = state.day(a, k) {
                    week_minutes += cat.opts[s.opt as usize].paid_minutes;
                    week_shifts += 1;
                }
            }
        }
        let end_of = |s: &Assign| {
            let o = &cat.opts[s.opt as usize];
            (i64::from(o.start) + i64::from(o.len)) * g
        };
        let prev_end = (0..d)
            .rev()
            .find_map(|k| state.day(a, k).map(end_of))
            .or(cat.agents[a].last_end_min);
        let next_start = (d + 1..cat.days()).find_map(|k| {
            state
                .day(a, k)
                .map(|s| i64::from(cat.opts[s.opt as usize].start) * g)
        });
        let base = cat.horizon.day_start_idx[d];
        let max_len = cat.row - cat.n;
        let end = (cat.horizon.day_start_idx[d + 1] + max_len).min(cat.row);
        Self {
            week,
            week_minutes,
            week_shifts,
            prev_end,
            next_start,
            base,
            len: end - base,
        }
    }

    /// Prefix sums of the marginal cover cost of one more agent on queue `q`.
    fn prefix(&self, state: &State, q: usize) -> Vec<f64> {
        let row = q * state.cat.row + self.base;
        let mut p = Vec::with_capacity(self.len + 1);
        p.push(0.0);
        let mut acc = 0.0;
        for k in 0..self.len {
            acc += state.delta_at(row + k, 1);
            p.push(acc);
        }
        p
    }

    /// Cover change of option `o` and its breaks, from the prefix sums.
    fn price(
        &self,
        cat: &super::catalog::Catalog,
        p: &[f64],
        o: &super::catalog::Opt,
    ) -> (f64, [u16; MAX_BREAKS]) {
        let s = o.start as usize - self.base;
        let len = usize::from(o.len);
        let mut cover = p[s + len] - p[s];
        let mut breaks = [0u16; MAX_BREAKS];
        let mut free = 0usize;
        for (b, slot) in cat.plans[usize::from(o.plan)].iter().enumerate() {
            let lo = usize::from(slot.earliest).max(free);
            let hi = usize::from(slot.latest);
            let blen = usize::from(slot.len);
            let mid2 = lo + hi;
            // Best: the largest marginal cost taken back (ties: nearest the middle).
            let mut pick = (f64::NEG_INFINITY, usize::MAX, lo);
            for off in lo..=hi {
                let gain = p[s + off + blen] - p[s + off];
                let dist = (2 * off).abs_diff(mid2);
                if gain > pick.0 + 1e-9 || (gain >= pick.0 - 1e-9 && dist < pick.1) {
                    pick = (gain, dist, off);
                }
            }
            cover -= pick.0;
            breaks[b] = pick.2 as u16;
            free = pick.2 + blen;
        }
        (cover, breaks)
    }
}

/// A move: its changes, and the objective change when it is already
/// applied (ruin-and-recreate moves build on the state as they go).
type Proposal = (Vec<Change>, Option<f64>);

fn propose(state: &mut State, rng: &mut Rng) -> Option<Proposal> {
    let agents = state.cat.agents.len();
    let days = state.cat.days();
    let roll = rng.below(100);
    let unapplied = |c: Option<Vec<Change>>| c.map(|c| (c, None));
    match roll {
        0..25 => {
            let (a, d) = (rng.below(agents), rng.below(days));
            unapplied(best_response_change(state, a, d))
        }
        25..40 => unapplied(targeted(state, rng)),
        40..46 => unapplied(targeted_over(state, rng)),
        46..52 => unapplied(random_option(state, rng)),
        52..64 => unapplied(nudge(state, rng)),
        64..74 => unapplied(swap(state, rng)),
        74..82 => unapplied(move_day(state, rng)),
        82..91 => ruin_agent_week(state, rng),
        _ => ruin_day(state, rng),
    }
}

/// Clears `cells` (agent, day) and lets them take their best response
/// again in a random order. Applied; undone when an agent ends up
/// breaking a rule (a day off that had to stay a shift).
fn ruin_and_recreate(
    state: &mut State,
    rng: &mut Rng,
    mut cells: Vec<(usize, usize)>,
) -> Option<Proposal> {
    let mut changes: Vec<Change> = Vec::with_capacity(cells.len() * 2);
    let mut delta = 0.0;
    for &(a, d) in &cells {
        let old = state.day(a, d).copied();
        if old.is_some() {
            delta += state.set(a, d, None);
            changes.push((a, d, old, None));
        }
    }
    shuffle(&mut cells, rng);
    for &(a, d) in &cells {
        if let Some(new) = best_response(state, a, d) {
            if new.is_some() {
                delta += state.set(a, d, new);
                changes.push((a, d, None, new));
            }
        }
    }
    let broken = cells
        .iter()
        .any(|&(a, _)| state.feasible_with(a, &[]).is_err());
    if broken || changes.is_empty() {
        revert(state, &changes);
        return None;
    }
    Some((changes, Some(delta)))
}

/// One agent's week, rebuilt.
fn ruin_agent_week(state: &mut State, rng: &mut Rng) -> Option<Proposal> {
    let cat = state.cat;
    let a = rng.below(cat.agents.len());
    let week = cat.day_week[rng.below(cat.days())];
    let cells = (0..cat.days())
        .filter(|&d| cat.day_week[d] == week)
        .map(|d| (a, d))
        .collect();
    ruin_and_recreate(state, rng, cells)
}

/// A few agents' day, rebuilt (agents working it, and some who are not).
fn ruin_day(state: &mut State, rng: &mut Rng) -> Option<Proposal> {
    let cat = state.cat;
    let d = rng.below(cat.days());
    let k = 2 + rng.below(5);
    let mut cells = Vec::with_capacity(k);
    for _ in 0..k * 3 {
        if cells.len() >= k {
            break;
        }
        let a = rng.below(cat.agents.len());
        if !cells.contains(&(a, d)) {
            cells.push((a, d));
        }
    }
    ruin_and_recreate(state, rng, cells)
}

fn best_response_change(state: &mut State, a: usize, d: usize) -> Option<Vec<Change>> {
    let old = state.day(a, d).copied();
    let new = best_response(state, a, d)?;
    (new != old).then(|| vec![(a, d, old, new)])
}

/// Best response of a free agent on the day of an under-covered interval.
fn targeted(state: &mut State, rng: &mut Rng) -> Option<Vec<Change>> {
    let cat = state.cat;
    let queues = cat.queues.len();
    for _ in 0..30 {
        let q = rng.below(queues);
        let i = rng.below(cat.n);
        if f64::from(state.on_at(q, i)) + 0.5 > cat.req[q * cat.row + i] {
            continue;
        }
        let day = cat.horizon.day_of(i);
        let d = if day > 0 && rng.below(4) == 0 {
            day - 1
        } else {
            day
        };
        for _ in 0..10 {
            let a = rng.below(cat.agents.len());
            if state.day(a, d).is_none() && !cat.agents[a].allowed[d].is_empty() {
                if rng.below(2) == 0 {
                    return best_response_change(state, a, d);
                }
                // Or bring one of the agent's shifts that week over to `d`.
                let week = cat.day_week[d];
                let working: Vec<usize> = (0..cat.days())
                    .filter(|&k| cat.day_week[k] == week && state.day(a, k).is_some())
                    .collect();
                if working.is_empty() {
                    return best_response_change(state, a, d);
                }
                let from = working[rng.below(working.len())];
                return move_shift(state, a, from, d);
            }
        }
        return None;
    }
    None
}

/// Best response of an agent working an over-covered interval.
fn targeted_over(state: &mut State, rng: &mut Rng) -> Option<Vec<Change>> {
    let cat = state.cat;
    let queues = cat.queues.len();
    for _ in 0..30 {
        let q = rng.below(queues);
        let i = rng.below(cat.n);
        if f64::from(state.on_at(q, i)) < cat.req[q * cat.row + i] + 1.0 {
            continue;
        }
        let day = cat.horizon.day_of(i);
        for _ in 0..20 {
            let a = rng.below(cat.agents.len());
            for d in [day, day.saturating_sub(1)] {
                if let Some(s) = state.day(a, d) {
                    let o = &cat.opts[s.opt as usize];
                    if s.queue as usize == q
                        && (o.start as usize) <= i
                        && i < o.start as usize + usize::from(o.len)
                    {
                        return best_response_change(state, a, d);
                    }
                }
            }
        }
        return None;
    }
    None
}

/// A random allowed shift, or the day off.
fn random_option(state: &mut State, rng: &mut Rng) -> Option<Vec<Change>> {
    let cat = state.cat;
    let a = rng.below(cat.agents.len());
    let d = rng.below(cat.days());
    let old = state.day(a, d).copied();
    let allowed = &cat.agents[a].allowed[d];
    let new = if old.is_some() && (allowed.is_empty() || rng.below(3) == 0) {
        None
    } else {
        if allowed.is_empty() {
            return None;
        }
        let opt = allowed[rng.below(allowed.len())];
        let qs = &cat.agents[a].queues;
        let q = qs[rng.below(qs.len())];
        let (_, breaks) = state.price_option_without(a, d, opt, q);
        Some(Assign {
            opt,
            queue: q,
            breaks,
        })
    };
    if new == old || state.feasible_with(a, &[(d, new)]).is_err() {
        return None;
    }
    Some(vec![(a, d, old, new)])
}

/// Moves a shift's start or length a little (same template, same day).
fn nudge(state: &mut State, rng: &mut Rng) -> Option<Vec<Change>> {
    let cat = state.cat;
    let a = rng.below(cat.agents.len());
    let d = rng.below(cat.days());
    let old = state.day(a, d).copied()?;
    let cur = &cat.opts[old.opt as usize];
    let near: Vec<u32> = cat.agents[a].allowed[d]
        .iter()
        .copied()
        .filter(|&k| {
            let o = &cat.opts[k as usize];
            k != old.opt
                && o.template == cur.template
                && o.start.abs_diff(cur.start) <= 2
                && o.len.abs_diff(cur.len) <= 4
        })
        .collect();
    if near.is_empty() {
        return None;
    }
    let opt = near[rng.below(near.len())];
    let (_, breaks) = state.price_option_without(a, d, opt, old.queue);
    let new = Some(Assign {
        opt,
        queue: old.queue,
        breaks,
    });
    state.feasible_with(a, &[(d, new)]).ok()?;
    Some(vec![(a, d, Some(old), new)])
}

/// Two agents trade their day `d` (shift for shift, or shift for day off).
fn swap(state: &mut State, rng: &mut Rng) -> Option<Vec<Change>> {
    let cat = state.cat;
    let n = cat.agents.len();
    if n < 2 {
        return None;
    }
    let d = rng.below(cat.days());
    let a = rng.below(n);
    let b = (a + 1 + rng.below(n - 1)) % n;
    let (x, y) = (state.day(a, d).copied(), state.day(b, d).copied());
    if x == y {
        return None;
    }
    let fits = |who: usize, s: Option<Assign>| match s {
        None => true,
        Some(s) => {
            cat.agents[who].allowed[d].binary_search(&s.opt).is_ok()
                && cat.agents[who].queues.contains(&s.queue)
        }
    };
    if !fits(a, y) || !fits(b, x) {
        return None;
    }
    state.feasible_with(a, &[(d, y)]).ok()?;
    state.feasible_with(b, &[(d, x)]).ok()?;
    Some(vec![(a, d, x, y), (b, d, y, x)])
}

/// Moves an agent's shift to a day off in the same week, taking the best
/// shift there.
fn move_day(state: &mut State, rng: &mut Rng) -> Option<Vec<Change>> {
    let cat = state.cat;
    let a = rng.below(cat.agents.len());
    let d = rng.below(cat.days());
    state.day(a, d)?;
    let week = cat.day_week[d];
    let same_week: Vec<usize> = (0..cat.days())
        .filter(|&e| cat.day_week[e] == week && e != d && state.day(a, e).is_none())
        .collect();
    if same_week.is_empty() {
        return None;
    }
    let e = same_week[rng.below(same_week.len())];
    move_shift(state, a, d, e)
}

/// Agent `a` gives up its shift on day `d` and takes its best shift on day
/// `e` (a day off) instead.
fn move_shift(state: &mut State, a: usize, d: usize, e: usize) -> Option<Vec<Change>> {
    let old = state.day(a, d).copied()?;
    if state.day(a, e).is_some() {
        return None;
    }
    // Price the target day with `d` emptied.
    state.set(a, d, None);
    let target = best_response(state, a, e);
    state.set(a, d, Some(old));
    let new = target??;
    state.feasible_with(a, &[(d, None), (e, Some(new))]).ok()?;
    Some(vec![(a, d, Some(old), None), (a, e, None, Some(new))])
}

impl State<'_> {
    /// Best breaks for `opt` on queue `q` when it replaces agent `a`'s day `d`.
    pub fn price_option_without(
        &mut self,
        a: usize,
        d: usize,
        opt: u32,
        q: u8,
    ) -> (f64, [u16; super::model::MAX_BREAKS]) {
        let old = self.day(a, d).copied();
        self.set(a, d, None);
        let out = self.price_option(opt, q);
        self.set(a, d, old);
        out
    }
}
