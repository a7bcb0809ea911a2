//! The plan a planner sends: every field with its default. Percentages are
//! percent (0–100) as the API speaks; dates are local dates in the queue's
//! zone and name the Monday-to-Sunday week holding them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Paid contract hours of one FTE per week. 37.5 h (7.5 h × 5 days) is the
/// common European contact-centre contract; US centres send 40.
pub const DEFAULT_HOURS_PER_FTE_WEEK: f64 = 37.5;
pub const DEFAULT_DAYS_PER_WEEK: u32 = 5;
/// Used only when neither the plan nor the queue gives a shrinkage.
pub const DEFAULT_SHRINKAGE_PERCENT: f64 = 30.0;
pub const DEFAULT_TRAINING_WEEKS: u32 = 4;
/// Productivity in the weeks after training, then 1.0.
pub const DEFAULT_RAMP: [f64; 3] = [0.5, 0.75, 0.9];
pub const DEFAULT_MIN_WEEKS_BETWEEN_CLASSES: u32 = 4;
pub const DEFAULT_PEAK_THRESHOLD_PERCENT: f64 = 95.0;
/// Overtime is paid at time and a half unless told otherwise.
pub const DEFAULT_OVERTIME_PREMIUM: f64 = 1.5;
/// Agency temps cost more per hour than staff unless told otherwise.
pub const DEFAULT_TEMP_PREMIUM: f64 = 1.25;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanConfig {
    /// First week of the plan (any date in it); default: the first full
    /// week of the forecast.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_week: Option<NaiveDate>,
    /// Plan length in weeks; default: every full week the forecast covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weeks: Option<u32>,
    #[serde(default = "default_hours")]
    pub hours_per_fte_week: f64,
    /// Days an FTE works per week: a holiday removes one of them.
    #[serde(default = "default_days")]
    pub days_per_week: u32,
    /// Share of scheduled time off the phones (breaks, coaching, absence).
    /// Default: the queue's shrinkage (the CLI: 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shrinkage_percent: Option<f64>,
    /// Share of scheduled hours on planned leave (vacation), every week
    /// unless a week override says otherwise.
    #[serde(default)]
    pub leave_percent: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub week_overrides: Vec<WeekOverride>,
    /// Dates that remove one paid working day from every FTE. `None` lets
    /// the caller fill them (the API: the queue's holiday and closed days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holidays: Option<Vec<NaiveDate>>,
    /// FTE on payroll and fully productive at the start of the plan.
    pub current_fte: f64,
    #[serde(default)]
    pub attrition_percent_per_month: f64,
    /// Cost of a paid hour of a regular agent (trainees are paid too).
    pub cost_per_hour: f64,
    #[serde(default)]
    pub overtime: OvertimeConfig,
    #[serde(default)]
    pub temps: TempConfig,
    #[serde(default)]
    pub voluntary_time_off: VtoConfig,
    /// Training and ramp-up of the classes the plan recommends (and the
    /// default for planned classes that leave them out).
    #[serde(default)]
    pub new_hires: NewHireConfig,
    /// Classes already planned or in training.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hiring_classes: Vec<HiringClass>,
    /// The peak season; default: every week whose required FTE is at least
    /// `peak_threshold_percent` of the highest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak: Option<PeakWindow>,
    #[serde(default = "default_peak_threshold")]
    pub peak_threshold_percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekOverride {
    pub week: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shrinkage_percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leave_percent: Option<f64>,
    /// Leave booked as hours for the whole team (added to the need as FTE
    /// away), on top of `leave_percent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leave_hours: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OvertimeConfig {
    /// Overtime hours at most this share of the hours productive agents work.
    #[serde(default = "default_overtime_percent")]
    pub max_percent: f64,
    /// Default: 1.5 × the regular cost per hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_hour: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TempConfig {
    /// 0 (the default) means no temps.
    #[serde(default)]
    pub max_headcount: u32,
    /// Default: 1.25 × the regular cost per hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_hour: Option<f64>,
    /// Weeks from the plan's start before the agency can supply anyone.
    #[serde(default)]
    pub lead_weeks: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VtoConfig {
    /// Unpaid voluntary time off offered in over-staffed weeks, at most
    /// this share of productive agents' hours.
    #[serde(default = "default_vto_percent")]
    pub max_percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHireConfig {
    /// Weeks of classroom training at zero productivity (paid).
    #[serde(default = "default_training_weeks")]
    pub training_weeks: u32,
    /// Productivity (0–1) in each week after training; 1.0 afterwards.
    #[serde(default = "default_ramp")]
    pub ramp: Vec<f64>,
    /// No recommended class starts before this week (recruiting lead
    /// time); default the plan's first week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest_start_week: Option<NaiveDate>,
    /// Recommended classes start at least this many weeks apart (trainers,
    /// rooms); LP hires closer together are merged into one class.
    #[serde(default = "default_min_weeks_between")]
    pub min_weeks_between_classes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HiringClass {
    /// The week the class starts (any date in it); may be before the plan
    /// (a class already in training).
    pub start_week: NaiveDate,
    /// Head count at the class start (attrition applies from then on).
    pub size: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_weeks: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ramp: Option<Vec<f64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PeakWindow {
    pub from: NaiveDate,
    /// Inclusive: the week holding this date is the last peak week.
    pub to: NaiveDate,
}

fn default_hours() -> f64 {
    DEFAULT_HOURS_PER_FTE_WEEK
}
fn default_days() -> u32 {
    DEFAULT_DAYS_PER_WEEK
}
fn default_overtime_percent() -> f64 {
    10.0
}
fn default_vto_percent() -> f64 {
    10.0
}
fn default_training_weeks() -> u32 {
    DEFAULT_TRAINING_WEEKS
}
fn default_ramp() -> Vec<f64> {
    DEFAULT_RAMP.to_vec()
}
fn default_min_weeks_between() -> u32 {
    DEFAULT_MIN_WEEKS_BETWEEN_CLASSES
}
fn default_peak_threshold() -> f64 {
    DEFAULT_PEAK_THRESHOLD_PERCENT
}

impl Default for OvertimeConfig {
    fn default() -> Self {
        Self {
            max_percent: default_overtime_percent(),
            cost_per_hour: None,
        }
    }
}

impl Default for VtoConfig {
    fn default() -> Self {
        Self {
            max_percent: default_vto_percent(),
        }
    }
}

impl Default for NewHireConfig {
    fn default() -> Self {
        Self {
            training_weeks: default_training_weeks(),
            ramp: default_ramp(),
            earliest_start_week: None,
            min_weeks_between_classes: default_min_weeks_between(),
        }
    }
}

impl PlanConfig {
    /// A plan with every default: `current_fte` agents at `cost_per_hour`.
    pub fn new(current_fte: f64, cost_per_hour: f64) -> Self {
        Self {
            start_week: None,
            weeks: None,
            hours_per_fte_week: DEFAULT_HOURS_PER_FTE_WEEK,
            days_per_week: DEFAULT_DAYS_PER_WEEK,
            shrinkage_percent: None,
            leave_percent: 0.0,
            week_overrides: Vec::new(),
            holidays: None,
            current_fte,
            attrition_percent_per_month: 0.0,
            cost_per_hour,
            overtime: OvertimeConfig::default(),
            temps: TempConfig::default(),
            voluntary_time_off: VtoConfig::default(),
            new_hires: NewHireConfig::default(),
            hiring_classes: Vec::new(),
            peak: None,
            peak_threshold_percent: DEFAULT_PEAK_THRESHOLD_PERCENT,
        }
    }
}

/// A named what-if: fields of the base plan to change (a JSON merge patch,
/// RFC 7386: objects merge, arrays and values replace, `null` resets to the
/// default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantSpec {
    pub name: String,
    pub plan: serde_json::Map<String, serde_json::Value>,
}

/// The plan and its what-if variants, as the API body (less `forecast_id`)
/// and the CLI's plan file carry them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityRequest {
    pub plan: PlanConfig,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<VariantSpec>,
}
