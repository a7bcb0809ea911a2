//! The recommended hiring schedule.
//!
//! 1. **LP** (clarabel): one variable per possible class start week (hires,
//!    fractional), per week overtime, temps, voluntary time off and an
//!    "uncovered" slack priced far above any real option. Each week's
//!    supply must meet its requirement; overtime and VTO are capped by the
//!    productive FTE (which the hires raise), temps by their head count.
//!    A hire costs its wage from its start to the end of the plan (less
//!    attrition), so the LP weighs a lasting hire against weeks of
//!    overtime or temps, and an early start (more ramp-up done by the
//!    peak) against a late one (fewer paid weeks).
//! 2. **Classes**: LP hires starting within `min_weeks_between_classes` of
//!    each other merge into one class at the earliest of their weeks, its
//!    size rounded up to whole people.
//! 3. **Repair**: any week rounding left short gets the cheapest fix: a
//!    class that reaches it grows, or a new one starts.
//! 4. **Trim**: each class shrinks by one person, or starts a week later or
//!    earlier, while no week loses cover and the total cost falls.
//! 5. **Deadline**: each class's `latest_start` is the last week it can
//!    start at its size with no week losing cover.

use super::lp::Lp;
use super::pool::{evaluate, Cohort, Evaluation, EPS};
use super::scenario::Scenario;
use super::CapacityError;
use std::collections::BTreeSet;

#[derive(Debug, Clone)]
pub struct Recommendation {
    /// The extra classes, by start.
    pub classes: Vec<Cohort>,
    /// Per class: the last week it may start at its size without a week losing cover.
    pub latest_start: Vec<i64>,
    /// The planned classes plus the recommended ones.
    pub plan: Evaluation,
    /// The planned classes alone, flex at its caps.
    pub baseline: Evaluation,
    /// The LP's optimum: no whole-people plan can cost less. `None` when
    /// no LP was needed or some week cannot be covered.
    pub cost_lower_bound: Option<f64>,
}

pub fn recommend(s: &Scenario) -> Result<Recommendation, CapacityError> {
    let baseline = evaluate(s, &s.planned);
    let short = (0..s.weeks).any(|w| s.required[w] > baseline.weeks[w].productive_fte + EPS);
    let starts = candidate_starts(s);
    if !short || starts.is_empty() {
        return Ok(Recommendation {
            classes: Vec::new(),
            latest_start: Vec::new(),
            plan: baseline.clone(),
            baseline,
            cost_lower_bound: None,
        });
    }
    let (hires, lp_cost, lp_uncovered) = solve_lp(s, &baseline, &starts)?;
    let mut classes = merge_into_classes(s, &starts, &hires);
    repair(s, &mut classes);
    trim(s, &mut classes);
    classes.sort_by_key(|c| c.start);
    let plan = evaluate(s, &with_planned(s, &classes));
    let latest_start = (0..classes.len())
        .map(|i| latest_start(s, &classes, i, plan.uncovered))
        .collect();
    Ok(Recommendation {
        classes,
        latest_start,
        plan,
        baseline,
        cost_lower_bound: (lp_uncovered < 1e-6).then_some(lp_cost),
    })
}

/// Weeks a recommended class may start: from the earliest allowed to the
/// last one from which it is productive before the plan ends.
fn candidate_starts(s: &Scenario) -> Vec<usize> {
    let first = s.new_curve.first_productive() as usize;
    if first >= s.weeks {
        return Vec::new();
    }
    (s.earliest_start..s.weeks - first).collect()
}

fn new_class(s: &Scenario, start: i64, size: f64) -> Cohort {
    Cohort {
        start,
        size,
        curve: s.new_curve.clone(),
    }
}

/// Productive FTE one person of a class started in `start` gives in `week`.
fn yield_of(s: &Scenario, start: i64, week: usize) -> f64 {
    new_class(s, start, 1.0).at(week, s.survival).1
}

/// Wage of one person from `start` to the end of the plan.
fn hire_cost(s: &Scenario, start: i64) -> f64 {
    (start.max(0) as usize..s.weeks)
        .map(|w| s.survival.powi((w as i64 - start) as i32) * s.wage_week)
        .sum()
}

fn with_planned(s: &Scenario, recommended: &[Cohort]) -> Vec<Cohort> {
    s.planned.iter().chain(recommended).cloned().collect()
}

/// Returns the hires per candidate start, the LP optimum in money, and the
/// FTE-weeks it left uncovered.
fn solve_lp(
    s: &Scenario,
    baseline: &Evaluation,
    starts: &[usize],
) -> Result<(Vec<f64>, f64, f64), CapacityError> {
    // Costs in weeks of one FTE's wage keep the LP well scaled.
    let unit = s.wage_week;
    // Covering one FTE-week alone by the best single hire, the dearest way
    // the LP could need; the "uncovered" slack is priced well above it.
    let costs: Vec<f64> = starts
        .iter()
        .map(|&st| hire_cost(s, st as i64) / unit)
        .collect();
    let dearest_hire = (0..s.weeks)
        .filter_map(|w| {
            starts
                .iter()
                .zip(&costs)
                .filter(|&(&st, _)| st <= w)
                .map(|(&st, &c)| (c, yield_of(s, st as i64, w)))
                .filter(|&(_, y)| y > 1e-12)
                .map(|(c, y)| c / y)
                .reduce(f64::min)
        })
        .fold(0.0, f64::max);
    let dearest_flex = (0..s.weeks)
        .map(|w| {
            (s.overtime_cost_per_fte(w) / unit)
                .max(s.temp_cost_per_head(w) / s.temp_fte_per_head(w) / unit)
        })
        .fold(1.0, f64::max);
    let penalty = 10.0 * dearest_hire.max(dearest_flex) + 10.0;

    let mut lp = Lp::default();
    // h[start]: people hired in a class starting that week.
    let mut h: Vec<Option<usize>> = vec![None; s.weeks];
    for (&st, &cost) in starts.iter().zip(&costs) {
        h[st] = Some(lp.var(cost));
    }
    // Sparse form of Σ_s yield(s, w)·h_s: the ramping classes (started in
    // the last `full` weeks) term by term, plus `m[w]`, the fully productive
    // survivors of older classes, by the recursion
    // m[w] = survival·m[w−1] + survival^full·h[w−full].
    let full = s.new_curve.full_after() as usize;
    let mut m: Vec<usize> = Vec::with_capacity(s.weeks);
    let mut uncovered = Vec::with_capacity(s.weeks);
    for w in 0..s.weeks {
        let mw = lp.var(0.0);
        let mut def = vec![(mw, 1.0)];
        if w > 0 {
            def.push((m[w - 1], -s.survival));
        }
        if let Some(j) = w.checked_sub(full).and_then(|st| h[st]) {
            def.push((j, -s.survival.powi(full as i32)));
        }
        lp.eq(&def, 0.0);
        m.push(mw);
        let mut hired = vec![(mw, 1.0)];
        for k in 0..full.min(w + 1) {
            if let Some(j) = h[w - k] {
                let y = yield_of(s, (w - k) as i64, w);
                if y > 0.0 {
                    hired.push((j, y));
                }
            }
        }
        let productive = baseline.weeks[w].productive_fte;
        let u = lp.var(penalty);
        uncovered.push(u);
        // −hires − overtime − temps + vto − uncovered ≤ productive − required
        let mut cover: Vec<(usize, f64)> = hired.iter().map(|&(j, y)| (j, -y)).collect();
        cover.push((u, -1.0));
        if s.overtime_share > 0.0 {
            let o = lp.var(s.overtime_cost_per_fte(w) / unit);
            cover.push((o, -1.0));
            let mut cap: Vec<(usize, f64)> = hired
                .iter()
                .map(|&(j, y)| (j, -s.overtime_share * y))
                .collect();
            cap.push((o, 1.0));
            lp.le(&cap, s.overtime_share * productive);
        }
        if s.temp_cap(w) > 0 {
            let t = lp.var(s.temp_cost_per_head(w) / unit);
            cover.push((t, -s.temp_fte_per_head(w)));
            lp.le(&[(t, 1.0)], f64::from(s.temp_cap(w)));
        }
        if s.vto_share > 0.0 {
            let v = lp.var(-s.worked_hours_per_fte(w) * s.cost_per_hour / unit);
            cover.push((v, 1.0));
            let mut cap: Vec<(usize, f64)> =
                hired.iter().map(|&(j, y)| (j, -s.vto_share * y)).collect();
            cap.push((v, 1.0));
            lp.le(&cap, s.vto_share * productive);
        }
        lp.le(&cover, productive - s.required[w]);
    }
    let (x, objective) = lp.solve().map_err(|status| {
        CapacityError::Solver(format!("the hiring LP did not solve: {status}"))
    })?;
    let left: f64 = uncovered.iter().map(|&u| x[u].max(0.0)).sum();
    let fixed: f64 = baseline.weeks.iter().map(|w| w.regular_cost).sum();
    let hires = starts
        .iter()
        .map(|&st| h[st].map_or(0.0, |j| x[j].max(0.0)))
        .collect();
    Ok((hires, objective * unit + fixed, left))
}

/// LP hires starting within `min_weeks_between` of a class's first week
/// join it; sizes round up to whole people.
fn merge_into_classes(s: &Scenario, starts: &[usize], hires: &[f64]) -> Vec<Cohort> {
    let mut groups: Vec<(usize, f64)> = Vec::new();
    for (&st, &n) in starts.iter().zip(hires) {
        if n < 1e-4 {
            continue;
        }
        match groups.last_mut() {
            Some((first, total)) if st - *first < s.min_weeks_between => *total += n,
            _ => groups.push((st, n)),
        }
    }
    groups
        .into_iter()
        .map(|(st, n)| new_class(s, st as i64, (n - 1e-6).ceil().max(1.0)))
        .collect()
}

fn spaced(s: &Scenario, classes: &[Cohort], start: i64, skip: Option<usize>) -> bool {
    classes
        .iter()
        .enumerate()
        .filter(|&(i, _)| Some(i) != skip)
        .all(|(_, c)| (c.start - start).unsigned_abs() as usize >= s.min_weeks_between)
}

/// A fix for a short week: (cost, start, the class to grow or `None` for
/// a new class, people).
type Fix = (f64, i64, Option<usize>, f64);

/// Covers weeks rounding left short: grow a class that reaches the week or
/// start a new (spaced) one, whichever costs less; weeks no class can reach
/// in time stay short.
fn repair(s: &Scenario, classes: &mut Vec<Cohort>) {
    let mut given_up = BTreeSet::new();
    let last_start = candidate_starts(s).last().copied().unwrap_or(0) as i64;
    for _ in 0..(4 * s.weeks + 16) {
        let eval = evaluate(s, &with_planned(s, classes));
        let Some(w) =
            (0..s.weeks).find(|&w| eval.weeks[w].uncovered_fte > EPS && !given_up.contains(&w))
        else {
            return;
        };
        let short = eval.weeks[w].uncovered_fte;
        let mut best: Option<Fix> = None;
        let consider = |best: &mut Option<Fix>, cost, start, class, people| {
            let better = match *best {
                None => true,
                Some((c, st, ..)) => cost < c - 1e-9 || (cost <= c + 1e-9 && start > st),
            };
            if better {
                *best = Some((cost, start, class, people));
            }
        };
        for (i, c) in classes.iter().enumerate() {
            let y = yield_of(s, c.start, w);
            if y > 1e-9 {
                let people = (short / y - 1e-9).ceil().max(1.0);
                consider(
                    &mut best,
                    people * hire_cost(s, c.start),
                    c.start,
                    Some(i),
                    people,
                );
            }
        }
        let latest_reaching = (w as i64 - s.new_curve.first_productive()).min(last_start);
        // Spacing is a preference: break it only when nothing spaced reaches the week.
        for need_spacing in [true, false] {
            for start in s.earliest_start as i64..=latest_reaching {
                let y = yield_of(s, start, w);
                if y > 1e-9 && (!need_spacing || spaced(s, classes, start, None)) {
                    let people = (short / y - 1e-9).ceil().max(1.0);
                    consider(&mut best, people * hire_cost(s, start), start, None, people);
                }
            }
            if best.is_some() {
                break;
            }
        }
        match best {
            Some((_, _, Some(i), people)) => classes[i].size += people,
            Some((_, start, None, people)) => classes.push(new_class(s, start, people)),
            None => {
                given_up.insert(w);
            }
        }
    }
}

/// Local search: one person fewer, or a start one week later or earlier,
/// kept when no week loses cover and the plan costs less.
fn trim(s: &Scenario, classes: &mut Vec<Cohort>) {
    let last_start = candidate_starts(s).last().copied().unwrap_or(0) as i64;
    let score = |cs: &[Cohort]| {
        let e = evaluate(s, &with_planned(s, cs));
        (e.uncovered, e.cost)
    };
    let (mut uncovered, mut cost) = score(classes);
    for _pass in 0..8 {
        let mut changed = false;
        for i in 0..classes.len() {
            loop {
                let mut tries = Vec::new();
                if classes[i].size >= 1.0 {
                    let mut t = classes.clone();
                    t[i].size -= 1.0;
                    tries.push(t);
                }
                for step in [1, -1] {
                    let start = classes[i].start + step;
                    if (s.earliest_start as i64..=last_start).contains(&start)
                        && spaced(s, classes, start, Some(i))
                    {
                        let mut t = classes.clone();
                        t[i].start = start;
                        tries.push(t);
                    }
                }
                let mut improved = false;
                for t in tries {
                    let (u, c) = score(&t);
                    if u <= uncovered + 1e-9 && c < cost - 1e-6 * cost.abs().max(1.0) {
                        (*classes, uncovered, cost) = (t, u, c);
                        improved = true;
                        break;
                    }
                }
                if !improved {
                    break;
                }
                changed = true;
            }
        }
        classes.retain(|c| c.size >= 1.0);
        if !changed {
            break;
        }
    }
}

/// The last week class `i` may start at its size with no more uncovered
/// FTE-weeks than the plan has.
fn latest_start(s: &Scenario, classes: &[Cohort], i: usize, uncovered: f64) -> i64 {
    let last_start = candidate_starts(s).last().copied().unwrap_or(0) as i64;
    let mut latest = classes[i].start;
    let mut moved = classes.to_vec();
    for start in classes[i].start + 1..=last_start {
        moved[i].start = start;
        if evaluate(s, &with_planned(s, &moved)).uncovered > uncovered + 1e-9 {
            break;
        }
        latest = start;
    }
    latest
}
