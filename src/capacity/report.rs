//! What a plan reports: per week required, available, gap and cost; the
//! recommended classes; the scale-down steps; totals; and the side-by-side
//! comparison of what-if variants.

use super::config::PlanConfig;
use super::pool::{Evaluation, EPS};
use super::recommend::Recommendation;
use super::scenario::Scenario;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CapacityPlan {
    pub time_zone: String,
    /// Monday of the forecast's first full week and how many full weeks it covers.
    pub forecast_first_week: NaiveDate,
    pub forecast_weeks: usize,
    /// The base plan first, then each variant in request order.
    pub scenarios: Vec<ScenarioResult>,
    pub comparison: Vec<Comparison>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScenarioResult {
    pub name: String,
    /// The plan as run: the base, or the base with the variant's changes.
    pub plan: PlanConfig,
    pub first_week: NaiveDate,
    pub weeks_count: usize,
    pub peak: Peak,
    pub weeks: Vec<WeekRow>,
    pub recommended_classes: Vec<RecommendedClass>,
    pub scale_down: Vec<ScaleDown>,
    pub totals: Totals,
    /// Plain-language remarks: weeks no option can cover, and why.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Peak {
    pub first_week: NaiveDate,
    pub last_week: NaiveDate,
    pub weeks: usize,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub max_required_fte: f64,
    pub max_week: NaiveDate,
}

/// One week. FTE are payroll FTE: `required_fte` already allows for
/// holidays, leave and shrinkage, so it compares directly with head count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WeekRow {
    pub week_start: NaiveDate,
    /// Σ agents (net of shrinkage) × interval hours: hours on the phones.
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub need_hours: f64,
    pub holidays: u32,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub shrinkage_percent: f64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub leave_percent: f64,
    /// Hours on the phones one FTE gives this week.
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub productive_hours_per_fte: f64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub required_fte: f64,
    /// The current pool after attrition.
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub pool_fte: f64,
    /// People of every class (planned and recommended) on payroll, trainees included.
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub class_fte: f64,
    /// Pool plus classes weighted by their productivity.
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub productive_fte: f64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub overtime_fte: f64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub overtime_hours: f64,
    pub temps: u32,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub temp_fte: f64,
    /// Productive plus overtime plus temps.
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub available_fte: f64,
    /// available − required: below 0 the week is short; above 0 over-staffed.
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub gap_fte: f64,
    /// Unpaid voluntary time off offered out of the surplus.
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub vto_hours: f64,
    /// Wages (pool and classes) + overtime + temps − voluntary time off.
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub cost: f64,
    /// Without the recommended classes (planned ones only, flex at its caps).
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub baseline_available_fte: f64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub baseline_gap_fte: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecommendedClass {
    /// Monday the class starts (least-cost choice).
    pub start_week: NaiveDate,
    /// The last Monday it may start at this size with no week losing cover.
    pub latest_start_week: NaiveDate,
    pub size: u32,
    pub training_weeks: u32,
    pub first_productive_week: NaiveDate,
    pub full_productivity_week: NaiveDate,
    /// Wages of the class from its start to the end of the plan.
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub cost: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ScaleDown {
    /// Temps are let go first when the need falls.
    EndTemps {
        week_start: NaiveDate,
        end: u32,
        remaining: u32,
    },
    /// Then surplus hours of staff are offered as unpaid time off.
    VoluntaryTimeOff {
        week_start: NaiveDate,
        #[serde(deserialize_with = "null_as_nan")]
        #[schema(value_type = Option<f64>)]
        hours: f64,
        #[serde(deserialize_with = "null_as_nan")]
        #[schema(value_type = Option<f64>)]
        fte: f64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Totals {
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub cost: f64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub regular_cost: f64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub overtime_cost: f64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub temp_cost: f64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub vto_savings: f64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub overtime_hours: f64,
    /// Σ temps over the weeks.
    pub temp_weeks: u64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub vto_hours: f64,
    /// Weeks still short with the recommendation and flex.
    pub short_weeks: usize,
    /// Weeks short with the current pool and planned classes, flex at its caps.
    pub baseline_short_weeks: usize,
    /// Weeks whose need exceeds the pool and planned classes before any flex.
    pub baseline_understaffed_weeks: usize,
    pub hires: u32,
    pub classes: usize,
    /// The smallest gap over the peak weeks.
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub peak_gap_fte: f64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub baseline_peak_gap_fte: f64,
    /// The LP relaxation's cost: no plan in whole people costs less.
    pub cost_lower_bound: Option<f64>,
}

/// One line per scenario, for reading variants side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Comparison {
    pub name: String,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub cost: f64,
    /// Cost minus the base plan's cost.
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub cost_vs_base: f64,
    pub short_weeks: usize,
    pub baseline_short_weeks: usize,
    pub hires: u32,
    pub classes: usize,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub peak_gap_fte: f64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub baseline_peak_gap_fte: f64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub max_required_fte: f64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub overtime_hours: f64,
    pub temp_weeks: u64,
    #[serde(deserialize_with = "null_as_nan")]
    #[schema(value_type = Option<f64>)]
    pub vto_hours: f64,
}

/// serde_json writes a non-finite number (an empty peak's gap is +∞) as
/// `null`; read back, it is NaN, which writes out as `null` again.
fn null_as_nan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

pub fn scenario_result(s: &Scenario, r: &Recommendation) -> ScenarioResult {
    let weeks: Vec<WeekRow> = (0..s.weeks).map(|w| week_row(s, w, r)).collect();
    let (max_week, max_required) = (0..s.weeks)
        .map(|w| (w, s.required[w]))
        .fold((0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
    let peak = Peak {
        first_week: s.monday(s.peak_first()),
        last_week: s.monday(s.peak_last()),
        weeks: s.peak.len(),
        max_required_fte: max_required,
        max_week: s.monday(max_week),
    };
    let min_gap = |gap: &dyn Fn(&WeekRow) -> f64| {
        s.peak
            .iter()
            .map(|&w| gap(&weeks[w]))
            .fold(f64::INFINITY, f64::min)
    };
    let short = |e: &Evaluation| e.weeks.iter().filter(|w| w.uncovered_fte > EPS).count();
    let plan = &r.plan;
    let sum = |f: fn(&super::pool::WeekSupply) -> f64| plan.weeks.iter().map(f).sum::<f64>();
    let totals = Totals {
        cost: plan.cost,
        regular_cost: sum(|w| w.regular_cost),
        overtime_cost: sum(|w| w.overtime_cost),
        temp_cost: sum(|w| w.temp_cost),
        vto_savings: sum(|w| w.vto_savings),
        overtime_hours: sum(|w| w.overtime_hours),
        temp_weeks: plan.weeks.iter().map(|w| u64::from(w.temps)).sum(),
        vto_hours: sum(|w| w.vto_hours),
        short_weeks: short(plan),
        baseline_short_weeks: short(&r.baseline),
        baseline_understaffed_weeks: (0..s.weeks)
            .filter(|&w| s.required[w] > r.baseline.weeks[w].productive_fte + EPS)
            .count(),
        hires: r.classes.iter().map(|c| c.size as u32).sum(),
        classes: r.classes.len(),
        peak_gap_fte: min_gap(&|w| w.gap_fte),
        baseline_peak_gap_fte: min_gap(&|w| w.baseline_gap_fte),
        cost_lower_bound: r.cost_lower_bound,
    };
    ScenarioResult {
        name: s.name.clone(),
        plan: s.config.clone(),
        first_week: s.first_monday,
        weeks_count: s.weeks,
        peak,
        recommended_classes: recommended(s, r),
        scale_down: scale_down(s, plan),
        notes: notes(s, plan),
        weeks,
        totals,
    }
}

fn week_row(s: &Scenario, w: usize, r: &Recommendation) -> WeekRow {
    let p = &r.plan.weeks[w];
    let b = &r.baseline.weeks[w];
    WeekRow {
        week_start: s.monday(w),
        need_hours: s.need_hours[w],
        holidays: s.holidays[w],
        shrinkage_percent: s.shrinkage[w] * 100.0,
        leave_percent: s.leave[w] * 100.0,
        productive_hours_per_fte: s.hours[w].productive,
        required_fte: s.required[w],
        pool_fte: p.pool_fte,
        class_fte: p.class_fte,
        productive_fte: p.productive_fte,
        overtime_fte: p.overtime_fte,
        overtime_hours: p.overtime_hours,
        temps: p.temps,
        temp_fte: p.temp_fte,
        available_fte: p.available_fte(),
        gap_fte: p.available_fte() - s.required[w],
        vto_hours: p.vto_hours,
        cost: p.cost(),
        baseline_available_fte: b.available_fte(),
        baseline_gap_fte: b.available_fte() - s.required[w],
    }
}

fn recommended(s: &Scenario, r: &Recommendation) -> Vec<RecommendedClass> {
    r.classes
        .iter()
        .zip(&r.latest_start)
        .map(|(c, &latest)| RecommendedClass {
            start_week: s.monday_at(c.start),
            latest_start_week: s.monday_at(latest),
            size: c.size as u32,
            training_weeks: c.curve.training_weeks,
            first_productive_week: s.monday_at(c.start + c.curve.first_productive()),
            full_productivity_week: s.monday_at(c.start + c.curve.full_after()),
            cost: (c.start.max(0) as usize..s.weeks)
                .map(|w| c.at(w, s.survival).0 * s.wage_week)
                .sum(),
        })
        .collect()
}

fn scale_down(s: &Scenario, plan: &Evaluation) -> Vec<ScaleDown> {
    let mut steps = Vec::new();
    for (w, week) in plan.weeks.iter().enumerate() {
        if w > 0 && week.temps < plan.weeks[w - 1].temps {
            steps.push(ScaleDown::EndTemps {
                week_start: s.monday(w),
                end: plan.weeks[w - 1].temps - week.temps,
                remaining: week.temps,
            });
        }
        if week.vto_hours > 1e-6 {
            steps.push(ScaleDown::VoluntaryTimeOff {
                week_start: s.monday(w),
                hours: week.vto_hours,
                fte: week.vto_fte,
            });
        }
    }
    steps
}

/// One note per run of consecutive weeks nothing can cover.
fn notes(s: &Scenario, plan: &Evaluation) -> Vec<String> {
    let mut notes = Vec::new();
    let mut w = 0;
    let first_productive = s.earliest_start as i64 + s.new_curve.first_productive();
    while w < s.weeks {
        if plan.weeks[w].uncovered_fte <= EPS {
            w += 1;
            continue;
        }
        let from = w;
        let mut worst: f64 = 0.0;
        while w < s.weeks && plan.weeks[w].uncovered_fte > EPS {
            worst = worst.max(plan.weeks[w].uncovered_fte);
            w += 1;
        }
        notes.push(format!(
            "weeks {} to {}: short by up to {:.1} FTE even with overtime and temps at their caps; \
             a class starting {} (the earliest allowed) is productive from {} at the soonest",
            s.monday(from),
            s.monday(w - 1) + Duration::days(6),
            worst,
            s.monday(s.earliest_start),
            s.monday_at(first_productive),
        ));
    }
    notes
}

pub fn comparison(results: &[ScenarioResult]) -> Vec<Comparison> {
    let base_cost = results.first().map_or(0.0, |r| r.totals.cost);
    results
        .iter()
        .map(|r| Comparison {
            name: r.name.clone(),
            cost: r.totals.cost,
            cost_vs_base: r.totals.cost - base_cost,
            short_weeks: r.totals.short_weeks,
            baseline_short_weeks: r.totals.baseline_short_weeks,
            hires: r.totals.hires,
            classes: r.totals.classes,
            peak_gap_fte: r.totals.peak_gap_fte,
            baseline_peak_gap_fte: r.totals.baseline_peak_gap_fte,
            max_required_fte: r.peak.max_required_fte,
            overtime_hours: r.totals.overtime_hours,
            temp_weeks: r.totals.temp_weeks,
            vto_hours: r.totals.vto_hours,
        })
        .collect()
}
