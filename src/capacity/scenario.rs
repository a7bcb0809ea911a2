//! A plan checked against the forecast and spelled out week by week: the
//! form every later step reads. All validation happens here, naming the
//! field with its path in the request (`plan.…` or `variants[i].plan.…`).

use super::config::{HiringClass, PlanConfig, DEFAULT_OVERTIME_PREMIUM, DEFAULT_TEMP_PREMIUM};
use super::pool::{weekly_survival, Cohort, Curve};
use super::weekly_need::{monday_of, week_hours, WeekHours, WeeklyLoad};
use super::CapacityError;
use chrono::{Duration, NaiveDate};
use std::collections::{BTreeSet, HashMap};

/// Longest plan accepted: ten years of weeks.
pub const MAX_WEEKS: u32 = 520;

#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    /// The plan as run, defaults filled in.
    pub config: PlanConfig,
    pub first_monday: NaiveDate,
    pub weeks: usize,
    pub need_hours: Vec<f64>,
    pub hours: Vec<WeekHours>,
    pub required: Vec<f64>,
    pub shrinkage: Vec<f64>,
    pub leave: Vec<f64>,
    pub holidays: Vec<u32>,
    pub current_fte: f64,
    /// Share of head count still there a week later.
    pub survival: f64,
    pub cost_per_hour: f64,
    /// Contract hours × cost per hour: what an FTE on payroll costs a week.
    pub wage_week: f64,
    pub overtime_share: f64,
    pub overtime_rate: f64,
    pub vto_share: f64,
    pub temp_max: u32,
    pub temp_rate: f64,
    pub temp_lead: usize,
    pub planned: Vec<Cohort>,
    pub new_curve: Curve,
    pub earliest_start: usize,
    pub min_weeks_between: usize,
    /// Peak week indices, ascending, never empty.
    pub peak: Vec<usize>,
}

impl Scenario {
    pub fn monday(&self, week: usize) -> NaiveDate {
        self.first_monday + Duration::weeks(week as i64)
    }

    pub fn monday_at(&self, week: i64) -> NaiveDate {
        self.first_monday + Duration::weeks(week)
    }

    /// Hours an FTE works in the week (scheduled, less leave): the base of
    /// the overtime and voluntary-time-off caps and of their hours.
    pub fn worked_hours_per_fte(&self, w: usize) -> f64 {
        self.hours[w].scheduled * (1.0 - self.leave[w])
    }

    /// Cost of one FTE's worth of productive overtime in week `w`.
    pub fn overtime_cost_per_fte(&self, w: usize) -> f64 {
        self.worked_hours_per_fte(w) * self.overtime_rate
    }

    /// Temps take no leave: one delivers `1 / (1 − leave)` FTE.
    pub fn temp_fte_per_head(&self, w: usize) -> f64 {
        1.0 / (1.0 - self.leave[w])
    }

    /// A temp is paid for the hours scheduled (holidays are unpaid).
    pub fn temp_cost_per_head(&self, w: usize) -> f64 {
        self.hours[w].scheduled * self.temp_rate
    }

    pub fn temp_cap(&self, w: usize) -> u32 {
        if w >= self.temp_lead {
            self.temp_max
        } else {
            0
        }
    }

    pub fn peak_first(&self) -> usize {
        self.peak[0]
    }

    pub fn peak_last(&self) -> usize {
        *self.peak.last().expect("peak is never empty")
    }
}

struct Checker<'a> {
    prefix: &'a str,
}

impl Checker<'_> {
    fn field(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn err(&self, name: &str, message: impl Into<String>) -> CapacityError {
        CapacityError::Invalid {
            field: self.field(name),
            message: message.into(),
        }
    }

    fn percent_below_100(&self, name: &str, value: f64) -> Result<f64, CapacityError> {
        if value.is_finite() && (0.0..100.0).contains(&value) {
            Ok(value / 100.0)
        } else {
            Err(self.err(
                name,
                format!("must be at least 0 and below 100 (got {value})"),
            ))
        }
    }

    fn percent_up_to_100(&self, name: &str, value: f64) -> Result<f64, CapacityError> {
        if value.is_finite() && (0.0..=100.0).contains(&value) {
            Ok(value / 100.0)
        } else {
            Err(self.err(name, format!("must be 0 to 100 (got {value})")))
        }
    }

    fn non_negative(&self, name: &str, value: f64) -> Result<f64, CapacityError> {
        if value.is_finite() && value >= 0.0 {
            Ok(value)
        } else {
            Err(self.err(name, format!("must be 0 or more (got {value})")))
        }
    }

    fn curve(&self, name: &str, training_weeks: u32, ramp: &[f64]) -> Result<Curve, CapacityError> {
        if training_weeks > 104 {
            return Err(self.err(
                &format!("{name}training_weeks"),
                format!("must be at most 104 (got {training_weeks})"),
            ));
        }
        if ramp.len() > 104 {
            return Err(self.err(&format!("{name}ramp"), "at most 104 weeks of ramp-up"));
        }
        for (i, &p) in ramp.iter().enumerate() {
            if !(p.is_finite() && (0.0..=1.0).contains(&p)) {
                return Err(self.err(
                    &format!("{name}ramp[{i}]"),
                    format!("productivity must be 0 to 1 (got {p})"),
                ));
            }
        }
        Ok(Curve {
            training_weeks,
            ramp: ramp.to_vec(),
        })
    }
}

/// Checks `config` against the forecast's weeks and spells it out.
/// `prefix` is the field path of the plan in the request, e.g. `plan.`.
pub fn resolve(
    name: &str,
    config: &PlanConfig,
    load: &WeeklyLoad,
    prefix: &str,
) -> Result<Scenario, CapacityError> {
    let c = Checker { prefix };
    let available = load.need_hours.len();
    let start = match config.start_week {
        None => 0,
        Some(date) => {
            let week = load.week_of(date);
            if week < 0 || week as usize >= available {
                return Err(CapacityError::ForecastTooShort {
                    field: c.field("start_week"),
                    message: format!(
                        "the week of {date} is not covered: the forecast's full weeks run from {} to {}",
                        load.first_monday,
                        load.monday(available - 1) + Duration::days(6)
                    ),
                });
            }
            week as usize
        }
    };
    let weeks = match config.weeks {
        Some(0) => return Err(c.err("weeks", "must be at least 1")),
        Some(n) if n > MAX_WEEKS => {
            return Err(c.err("weeks", format!("must be at most {MAX_WEEKS} (got {n})")))
        }
        Some(n) => n as usize,
        None => available - start,
    };
    if start + weeks > available {
        return Err(CapacityError::ForecastTooShort {
            field: c.field("weeks"),
            message: format!(
                "the plan needs {weeks} full weeks from {}, but the forecast covers only {} (its full weeks run from {} to {})",
                load.monday(start),
                available - start,
                load.first_monday,
                load.monday(available - 1) + Duration::days(6)
            ),
        });
    }
    let first_monday = load.monday(start);
    let week_index = |date: NaiveDate| (monday_of(date) - first_monday).num_weeks();
    let in_plan = |date: NaiveDate| (0..weeks as i64).contains(&week_index(date));
    let last_sunday = first_monday + Duration::weeks(weeks as i64) - Duration::days(1);
    let outside =
        |date: NaiveDate| format!("{date} is outside the plan ({first_monday} to {last_sunday})");

    let hours_per_fte = config.hours_per_fte_week;
    if !(hours_per_fte.is_finite() && hours_per_fte > 0.0 && hours_per_fte <= 80.0) {
        return Err(c.err(
            "hours_per_fte_week",
            format!("must be above 0 and at most 80 (got {hours_per_fte})"),
        ));
    }
    if !(1..=7).contains(&config.days_per_week) {
        return Err(c.err("days_per_week", "must be 1 to 7"));
    }
    let shrinkage = c.percent_below_100(
        "shrinkage_percent",
        config
            .shrinkage_percent
            .unwrap_or(super::config::DEFAULT_SHRINKAGE_PERCENT),
    )?;
    let leave = c.percent_below_100("leave_percent", config.leave_percent)?;
    let mut shrinkage_by_week = vec![shrinkage; weeks];
    let mut leave_by_week = vec![leave; weeks];
    let mut leave_hours = vec![0.0; weeks];
    let mut seen = HashMap::new();
    for (i, o) in config.week_overrides.iter().enumerate() {
        let at = |f: &str| format!("week_overrides[{i}].{f}");
        if !in_plan(o.week) {
            return Err(c.err(&at("week"), outside(o.week)));
        }
        let w = week_index(o.week) as usize;
        if let Some(j) = seen.insert(w, i) {
            return Err(c.err(
                &at("week"),
                format!(
                    "the week of {} is already overridden by week_overrides[{j}]",
                    o.week
                ),
            ));
        }
        if let Some(s) = o.shrinkage_percent {
            shrinkage_by_week[w] = c.percent_below_100(&at("shrinkage_percent"), s)?;
        }
        if let Some(l) = o.leave_percent {
            leave_by_week[w] = c.percent_below_100(&at("leave_percent"), l)?;
        }
        if let Some(h) = o.leave_hours {
            leave_hours[w] = c.non_negative(&at("leave_hours"), h)?;
        }
    }
    let mut holidays = vec![0u32; weeks];
    let distinct: BTreeSet<NaiveDate> = config.holidays.iter().flatten().copied().collect();
    for date in distinct {
        if in_plan(date) {
            holidays[week_index(date) as usize] += 1;
        }
    }
    let need_hours = load.need_hours[start..start + weeks].to_vec();
    let mut hours = Vec::with_capacity(weeks);
    for w in 0..weeks {
        let h = week_hours(
            need_hours[w],
            hours_per_fte,
            config.days_per_week,
            holidays[w],
            leave_by_week[w],
            shrinkage_by_week[w],
            leave_hours[w],
        );
        if h.scheduled <= 0.0 && (need_hours[w] > 0.0 || leave_hours[w] > 0.0) {
            return Err(c.err(
                "holidays",
                format!(
                    "the week of {} has {} holidays, no working day left, yet needs {:.1} agent-hours",
                    first_monday + Duration::weeks(w as i64),
                    holidays[w],
                    need_hours[w]
                ),
            ));
        }
        hours.push(h);
    }
    let required: Vec<f64> = hours.iter().map(|h| h.required_fte).collect();

    let current_fte = c.non_negative("current_fte", config.current_fte)?;
    let attrition = c.percent_below_100(
        "attrition_percent_per_month",
        config.attrition_percent_per_month,
    )?;
    let cost_per_hour = config.cost_per_hour;
    if !(cost_per_hour.is_finite() && cost_per_hour > 0.0) {
        return Err(c.err(
            "cost_per_hour",
            format!("must be above 0 (got {cost_per_hour})"),
        ));
    }
    let overtime_share =
        c.percent_up_to_100("overtime.max_percent", config.overtime.max_percent)?;
    let overtime_rate = c.non_negative(
        "overtime.cost_per_hour",
        config
            .overtime
            .cost_per_hour
            .unwrap_or(DEFAULT_OVERTIME_PREMIUM * cost_per_hour),
    )?;
    let temp_rate = c.non_negative(
        "temps.cost_per_hour",
        config
            .temps
            .cost_per_hour
            .unwrap_or(DEFAULT_TEMP_PREMIUM * cost_per_hour),
    )?;
    if config.temps.lead_weeks > MAX_WEEKS {
        return Err(c.err("temps.lead_weeks", format!("must be at most {MAX_WEEKS}")));
    }
    let vto_share = c.percent_up_to_100(
        "voluntary_time_off.max_percent",
        config.voluntary_time_off.max_percent,
    )?;
    let nh = &config.new_hires;
    let new_curve = c.curve("new_hires.", nh.training_weeks, &nh.ramp)?;
    let earliest_start = match nh.earliest_start_week {
        None => 0,
        Some(date) if in_plan(date) => week_index(date) as usize,
        Some(date) => return Err(c.err("new_hires.earliest_start_week", outside(date))),
    };

    // The peak: explicit, or the weeks near the highest requirement.
    let threshold = config.peak_threshold_percent;
    if !(threshold.is_finite() && threshold > 0.0 && threshold <= 100.0) {
        return Err(c.err(
            "peak_threshold_percent",
            format!("must be above 0 and at most 100 (got {threshold})"),
        ));
    }
    let peak: Vec<usize> = match config.peak {
        Some(p) => {
            for (f, d) in [("peak.from", p.from), ("peak.to", p.to)] {
                if !in_plan(d) {
                    return Err(c.err(f, outside(d)));
                }
            }
            if p.to < p.from {
                return Err(c.err("peak.to", "must not be before peak.from"));
            }
            (week_index(p.from) as usize..=week_index(p.to) as usize).collect()
        }
        None => {
            let max = required.iter().copied().fold(0.0, f64::max);
            (0..weeks)
                .filter(|&w| required[w] >= max * threshold / 100.0 - 1e-12)
                .collect()
        }
    };
    let last_peak = *peak.last().expect("at least one week reaches the maximum");

    let mut planned = Vec::with_capacity(config.hiring_classes.len());
    for (i, class) in config.hiring_classes.iter().enumerate() {
        planned.push(planned_class(
            &c,
            i,
            class,
            nh,
            week_index,
            last_peak,
            first_monday,
        )?);
    }

    Ok(Scenario {
        name: name.to_string(),
        config: config.clone(),
        first_monday,
        weeks,
        need_hours,
        hours,
        required,
        shrinkage: shrinkage_by_week,
        leave: leave_by_week,
        holidays,
        current_fte,
        survival: weekly_survival(attrition),
        cost_per_hour,
        wage_week: hours_per_fte * cost_per_hour,
        overtime_share,
        overtime_rate,
        vto_share,
        temp_max: config.temps.max_headcount,
        temp_rate,
        temp_lead: config.temps.lead_weeks as usize,
        planned,
        new_curve,
        earliest_start,
        min_weeks_between: nh.min_weeks_between_classes.max(1) as usize,
        peak,
    })
}

fn planned_class(
    c: &Checker,
    i: usize,
    class: &HiringClass,
    defaults: &super::config::NewHireConfig,
    week_index: impl Fn(NaiveDate) -> i64,
    last_peak: usize,
    first_monday: NaiveDate,
) -> Result<Cohort, CapacityError> {
    let at = format!("hiring_classes[{i}].");
    let size = c.non_negative(&format!("{at}size"), class.size)?;
    let start = week_index(class.start_week);
    if start > last_peak as i64 {
        return Err(CapacityError::ClassAfterPeak {
            field: c.field(&format!("{at}start_week")),
            start: class.start_week,
            last_peak: first_monday + Duration::weeks(last_peak as i64),
        });
    }
    if start < -(i64::from(MAX_WEEKS)) {
        return Err(c.err(
            &format!("{at}start_week"),
            "starts more than ten years before the plan",
        ));
    }
    let curve = c.curve(
        &at,
        class.training_weeks.unwrap_or(defaults.training_weeks),
        class.ramp.as_deref().unwrap_or(&defaults.ramp),
    )?;
    Ok(Cohort { start, size, curve })
}
