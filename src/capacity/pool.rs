//! Supply: the current pool and hiring classes shrinking by attrition, the
//! classes' productivity as they train and ramp up, and each week's flex
//! (overtime, temps, voluntary time off) chosen at least cost.

use super::scenario::Scenario;

/// Productivity by week since a class started: zero in training, then the
/// ramp, then 1.0.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub training_weeks: u32,
    pub ramp: Vec<f64>,
}

impl Curve {
    pub fn productivity(&self, weeks_since_start: i64) -> f64 {
        let training = i64::from(self.training_weeks);
        if weeks_since_start < training {
            return 0.0;
        }
        let into_ramp = (weeks_since_start - training) as usize;
        self.ramp.get(into_ramp).copied().unwrap_or(1.0)
    }

    /// Weeks from the start to the first week with any productivity.
    pub fn first_productive(&self) -> i64 {
        (0..)
            .find(|&k| self.productivity(k) > 0.0)
            .expect("the curve reaches 1.0 after its ramp")
    }

    /// Weeks from the start to the first week at full productivity.
    pub fn full_after(&self) -> i64 {
        i64::from(self.training_weeks) + self.ramp.len() as i64
    }
}

/// Weekly survival from a monthly attrition rate: `(1 − a)^(12/52)`, so
/// 52/12 weeks compound to exactly one month's loss.
pub fn weekly_survival(attrition_per_month: f64) -> f64 {
    (1.0 - attrition_per_month).powf(12.0 / 52.0)
}

/// A class: `size` people starting in plan week `start` (negative: before
/// the plan, already in training).
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    pub start: i64,
    pub size: f64,
    pub curve: Curve,
}

impl Cohort {
    /// (payroll head count, productive FTE) in plan week `week`.
    pub fn at(&self, week: usize, survival: f64) -> (f64, f64) {
        let k = week as i64 - self.start;
        if k < 0 {
            return (0.0, 0.0);
        }
        let heads = self.size * survival.powi(k as i32);
        (heads, heads * self.curve.productivity(k))
    }
}

/// One week of a plan: what is on payroll, what it delivers, what flex
/// fills in and what it all costs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WeekSupply {
    pub pool_fte: f64,
    pub class_fte: f64,
    pub productive_fte: f64,
    pub overtime_fte: f64,
    pub overtime_hours: f64,
    pub temps: u32,
    pub temp_fte: f64,
    pub vto_fte: f64,
    pub vto_hours: f64,
    /// Required FTE left uncovered after flex at its caps.
    pub uncovered_fte: f64,
    pub regular_cost: f64,
    pub overtime_cost: f64,
    pub temp_cost: f64,
    pub vto_savings: f64,
}

impl WeekSupply {
    pub fn available_fte(&self) -> f64 {
        self.productive_fte + self.overtime_fte + self.temp_fte
    }

    pub fn cost(&self) -> f64 {
        self.regular_cost + self.overtime_cost + self.temp_cost - self.vto_savings
    }
}

/// Every week of a plan with the given classes (planned and recommended).
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub weeks: Vec<WeekSupply>,
    pub cost: f64,
    pub uncovered: f64,
}

/// Tolerance for "covered": far below a person, above float noise.
pub const EPS: f64 = 1e-7;

pub fn evaluate(s: &Scenario, classes: &[Cohort]) -> Evaluation {
    let mut weeks = Vec::with_capacity(s.weeks);
    let (mut cost, mut uncovered) = (0.0, 0.0);
    for w in 0..s.weeks {
        let pool = s.current_fte * s.survival.powi(w as i32);
        let (mut heads, mut productive) = (0.0, pool);
        for c in classes {
            let (h, p) = c.at(w, s.survival);
            heads += h;
            productive += p;
        }
        let mut week = WeekSupply {
            pool_fte: pool,
            class_fte: heads,
            productive_fte: productive,
            regular_cost: (pool + heads) * s.wage_week,
            ..WeekSupply::default()
        };
        dispatch_flex(s, w, &mut week);
        cost += week.cost();
        uncovered += week.uncovered_fte;
        weeks.push(week);
    }
    Evaluation {
        weeks,
        cost,
        uncovered,
    }
}

/// Fills a short week with the cheapest mix of overtime and whole temps
/// within their caps (few integer temp counts can be optimal, so each is
/// tried); gives an over-staffed week voluntary time off up to its cap.
fn dispatch_flex(s: &Scenario, w: usize, week: &mut WeekSupply) {
    let gap = s.required[w] - week.productive_fte;
    let worked_hours = s.worked_hours_per_fte(w);
    if gap <= EPS {
        let vto = (-gap).min(s.vto_share * week.productive_fte).max(0.0);
        week.vto_fte = vto;
        week.vto_hours = vto * worked_hours;
        week.vto_savings = week.vto_hours * s.cost_per_hour;
        return;
    }
    let ot_cap = s.overtime_share * week.productive_fte;
    let temp_cap = s.temp_cap(w);
    let per_temp = s.temp_fte_per_head(w);
    let (ot_cost, temp_cost) = (s.overtime_cost_per_fte(w), s.temp_cost_per_head(w));
    let mut candidates = vec![0.0, f64::from(temp_cap)];
    for need in [gap, gap - ot_cap] {
        if need > 0.0 {
            candidates.push((need / per_temp).floor());
            candidates.push((need / per_temp).ceil());
        }
    }
    let mut best: Option<(f64, f64, u32, f64)> = None; // (uncovered, cost, temps, overtime)
    for t in candidates {
        let t = t.clamp(0.0, f64::from(temp_cap)) as u32;
        let rest = gap - f64::from(t) * per_temp;
        let ot = rest.clamp(0.0, ot_cap);
        let left = (rest - ot).max(0.0);
        let cost = f64::from(t) * temp_cost + ot * ot_cost;
        let better = match best {
            None => true,
            Some((u, c, ..)) => left < u - EPS || (left <= u + EPS && cost < c - 1e-9),
        };
        if better {
            best = Some((left, cost, t, ot));
        }
    }
    let (left, _, temps, ot) = best.expect("at least one candidate");
    week.overtime_fte = ot;
    week.overtime_hours = ot * worked_hours;
    week.overtime_cost = ot * ot_cost;
    week.temps = temps;
    week.temp_fte = f64::from(temps) * per_temp;
    week.temp_cost = f64::from(temps) * temp_cost;
    week.uncovered_fte = if left > EPS { left } else { 0.0 };
}
