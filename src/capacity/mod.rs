//! Long-range capacity plan for the peak: weekly FTE need against the pool,
//! attrition, hiring classes, overtime, temps and cost, with a recommended
//! hiring schedule and what-if variants. Pure: no HTTP, no SQL, no I/O.
//!
//! # Decisions (where the issue is silent)
//!
//! * **Weeks** run Monday to Sunday in the queue's zone. Only weeks the
//!   requirement intervals cover whole count (a partial week would
//!   understate the need); intervals missing inside a week count as zero.
//!   The plan runs from `start_week` (default: the first full week) for
//!   `weeks` (default: all full weeks); a forecast that does not cover them
//!   is refused, naming `plan.weeks` or `plan.start_week`.
//! * **Need**: Σ `agents_net` × interval hours per week: the hours on the
//!   phones the queue's staffing model (Erlang C/A, chat, deferred)
//!   already asked for, before shrinkage.
//! * **Required FTE** are payroll FTE: `need / productive + leave_hours /
//!   scheduled`, where `scheduled = hours_per_fte_week × (days − holidays)
//!   / days` (each holiday takes one paid working day off every FTE) and
//!   `productive = scheduled × (1 − leave%) × (1 − shrinkage%)`. So
//!   holidays, leave and shrinkage raise the need, and supply is simply
//!   people. Default contract: 37.5 h over 5 days (the European norm; send
//!   40 for US centres). Shrinkage defaults to the queue's.
//! * **Pool**: `current_fte` people in the first week, fully productive.
//!   Monthly attrition `a` becomes weekly survival `(1 − a)^(12/52)` and
//!   applies to the pool and to every class from its start (class sizes are
//!   head counts at the start). Attrition must be ≥ 0 and < 100 %.
//! * **Classes** train `training_weeks` at zero productivity, then follow
//!   their ramp (default 4 weeks, then 0.5, 0.75, 0.9), then 1.0; trainees
//!   are paid from day one. Planned classes may start before the plan (in
//!   training now) but not after the last peak week: such a class cannot
//!   help the peak and is refused, naming `hiring_classes[i].start_week`.
//! * **Peak**: the weeks whose required FTE is at least 95 % of the
//!   highest (`peak_threshold_percent`), or an explicit `peak` window.
//! * **Flex**, per week, cheapest first within caps: overtime (at most
//!   `max_percent` of the hours productive agents work; default 10 % at
//!   1.5 × the regular rate; the same shrinkage applies) and temps (whole
//!   people up to `max_headcount`, none before `lead_weeks`; paid only for
//!   scheduled hours and taking no leave; default 1.25 × the rate).
//! * **Scale-down**: when supply exceeds the need, temps end first (they
//!   are only ever used while short), then up to `voluntary_time_off.
//!   max_percent` (default 10 %) of productive hours are offered as unpaid
//!   time off, which saves their wage.
//! * **Cost** per week: everyone on payroll × contract hours × rate, plus
//!   overtime and temps, less voluntary time off.
//! * **Recommendation**: see [`recommend`]: an LP over class start weeks
//!   and weekly flex, merged into whole classes at least
//!   `min_weeks_between_classes` apart, repaired, trimmed; each class also
//!   reports the latest week it may start. Weeks that no class can reach in
//!   time and flex cannot fill stay short and are named in `notes` — a
//!   result, not an error.
//! * **Variants** are JSON merge patches (RFC 7386) on the base plan, run
//!   independently and compared side by side; their errors name
//!   `variants[i].plan.<field>`.

pub mod config;
mod lp;
pub mod pool;
pub mod recommend;
pub mod report;
pub mod scenario;
pub mod weekly_need;

#[cfg(test)]
mod tests;

pub use config::{CapacityRequest, HiringClass, PlanConfig, VariantSpec};
pub use report::{CapacityPlan, Comparison, RecommendedClass, ScenarioResult, WeekRow};
pub use weekly_need::{weekly_load, WeeklyLoad};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::Value;

/// Agents one interval needs on the phones (before shrinkage).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeedInterval {
    pub start: DateTime<Utc>,
    pub agents_net: f64,
}

/// Most what-if variants one request may carry.
pub const MAX_VARIANTS: usize = 10;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CapacityError {
    /// A value that breaks a rule, with its path in the request.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{field}: {start} starts after the last peak week ({last_peak}), so it cannot help the peak")]
    ClassAfterPeak {
        field: String,
        start: NaiveDate,
        last_peak: NaiveDate,
    },
    #[error("requirements: there are no requirement intervals to plan from")]
    NoRequirements,
    #[error("{field}: the forecast is too short: {message}")]
    ForecastTooShort { field: String, message: String },
    #[error("{0}")]
    Solver(String),
}

impl CapacityError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        CapacityError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The request field the error is about (`requirements` when the data
    /// is missing, `solver` for a solver failure).
    pub fn field(&self) -> &str {
        match self {
            CapacityError::Invalid { field, .. }
            | CapacityError::ClassAfterPeak { field, .. }
            | CapacityError::ForecastTooShort { field, .. } => field,
            CapacityError::NoRequirements => "requirements",
            CapacityError::Solver(_) => "solver",
        }
    }
}

/// Plans capacity for the base plan and each variant.
pub fn plan_capacity(
    intervals: &[NeedInterval],
    interval_minutes: u32,
    time_zone: Tz,
    request: &CapacityRequest,
) -> Result<CapacityPlan, CapacityError> {
    let load = weekly_load(intervals, interval_minutes, time_zone)?;
    plan_weeks(&load, request)
}

/// Plans from need already summed into weeks (what [`plan_capacity`] does
/// after [`weekly_load`]).
pub fn plan_weeks(
    load: &WeeklyLoad,
    request: &CapacityRequest,
) -> Result<CapacityPlan, CapacityError> {
    if request.variants.len() > MAX_VARIANTS {
        return Err(CapacityError::invalid(
            "variants",
            format!("at most {MAX_VARIANTS} variants"),
        ));
    }
    let mut names = vec!["base".to_string()];
    let mut configs = vec![("plan.".to_string(), request.plan.clone())];
    let base_json = serde_json::to_value(&request.plan)
        .map_err(|e| CapacityError::invalid("plan", e.to_string()))?;
    for (i, v) in request.variants.iter().enumerate() {
        let name = v.name.trim();
        if name.is_empty() || name.len() > 100 {
            return Err(CapacityError::invalid(
                format!("variants[{i}].name"),
                "must be 1 to 100 characters",
            ));
        }
        if names.iter().any(|n| n == name) {
            return Err(CapacityError::invalid(
                format!("variants[{i}].name"),
                format!("'{name}' is already used (the base plan is 'base')"),
            ));
        }
        names.push(name.to_string());
        let prefix = format!("variants[{i}].plan");
        let mut merged = base_json.clone();
        merge_patch(&mut merged, &Value::Object(v.plan.clone()));
        let config: PlanConfig = serde_path_to_error::deserialize(merged).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." {
                prefix.clone()
            } else {
                format!("{prefix}.{path}")
            };
            CapacityError::invalid(field, e.into_inner().to_string())
        })?;
        configs.push((format!("{prefix}."), config));
    }
    let mut results = Vec::with_capacity(configs.len());
    for (name, (prefix, config)) in names.iter().zip(&configs) {
        let scenario = scenario::resolve(name, config, load, prefix)?;
        let recommendation = recommend::recommend(&scenario)?;
        results.push(report::scenario_result(&scenario, &recommendation));
    }
    Ok(CapacityPlan {
        time_zone: load.time_zone.name().to_string(),
        forecast_first_week: load.first_monday,
        forecast_weeks: load.need_hours.len(),
        comparison: report::comparison(&results),
        scenarios: results,
    })
}

/// RFC 7386: objects merge key by key, `null` removes, anything else replaces.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let Value::Object(target) = target else {
        return;
    };
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}
