//! Interval requirements summed into local Monday-to-Sunday weeks, and the
//! FTE a week needs on payroll once holidays, leave and shrinkage are
//! taken out of each FTE's hours.

use super::{CapacityError, NeedInterval};
use crate::domain::Grid;
use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;

/// Agent-hours needed on the phones in every full week of a forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklyLoad {
    /// Monday of the first full week (local).
    pub first_monday: NaiveDate,
    /// Σ agents_net × interval hours, per week.
    pub need_hours: Vec<f64>,
    /// The forecast's local first and last days, for messages.
    pub covers: (NaiveDate, NaiveDate),
    pub time_zone: Tz,
}

impl WeeklyLoad {
    pub fn monday(&self, week: usize) -> NaiveDate {
        self.first_monday + Duration::weeks(week as i64)
    }

    /// Index of the week holding `date` (negative before the first week).
    pub fn week_of(&self, date: NaiveDate) -> i64 {
        (monday_of(date) - self.first_monday).num_weeks()
    }
}

pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// Sums intervals into weeks. Only weeks the intervals cover from Monday
/// 00:00 to the next Monday 00:00 (local) count: a partial week at either
/// end would understate the need. Intervals missing inside a covered week
/// count as zero (a forecast stores closed hours as zero anyway).
pub fn weekly_load(
    intervals: &[NeedInterval],
    interval_minutes: u32,
    time_zone: Tz,
) -> Result<WeeklyLoad, CapacityError> {
    if interval_minutes == 0 {
        return Err(CapacityError::invalid(
            "interval_minutes",
            "must be above 0",
        ));
    }
    let grid = Grid::new(interval_minutes, time_zone);
    let (Some(first), Some(last)) = (
        intervals.iter().map(|i| i.start).min(),
        intervals.iter().map(|i| i.start).max(),
    ) else {
        return Err(CapacityError::NoRequirements);
    };
    let end = last + grid.step();
    let covers = (
        grid.local_date(first),
        grid.local_date(end - Duration::seconds(1)),
    );
    let mut first_monday = monday_of(grid.local_date(first));
    if grid.start_of_day(first_monday) < first {
        first_monday += Duration::weeks(1);
    }
    let mut weeks = 0usize;
    while grid.start_of_day(first_monday + Duration::weeks(weeks as i64 + 1)) <= end {
        weeks += 1;
    }
    if weeks == 0 {
        return Err(CapacityError::ForecastTooShort {
            field: "forecast".into(),
            message: format!(
                "it covers {} to {} ({}), which holds no full Monday-to-Sunday week",
                covers.0, covers.1, time_zone
            ),
        });
    }
    let hours_per_interval = f64::from(interval_minutes) / 60.0;
    let mut need_hours = vec![0.0; weeks];
    for i in intervals {
        if !(i.agents_net.is_finite() && i.agents_net >= 0.0) {
            return Err(CapacityError::invalid(
                "requirements",
                format!(
                    "interval {}: agents {} is not a count",
                    i.start, i.agents_net
                ),
            ));
        }
        let week = (monday_of(grid.local_date(i.start)) - first_monday).num_weeks();
        if (0..weeks as i64).contains(&week) {
            need_hours[week as usize] += i.agents_net * hours_per_interval;
        }
    }
    Ok(WeeklyLoad {
        first_monday,
        need_hours,
        covers,
        time_zone,
    })
}

/// Hours one FTE gives in a week, and the FTE the week needs on payroll.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeekHours {
    /// Contract hours less holidays: the hours an FTE is scheduled.
    pub scheduled: f64,
    /// Scheduled hours less leave and shrinkage: hours on the phones.
    pub productive: f64,
    pub required_fte: f64,
}

/// `required = need / productive + leave_hours / scheduled`: the FTE on
/// the phones, grossed up for what takes them off, plus the FTE away on
/// leave booked as hours.
pub fn week_hours(
    need_hours: f64,
    hours_per_fte: f64,
    days_per_week: u32,
    holidays: u32,
    leave: f64,
    shrinkage: f64,
    leave_hours: f64,
) -> WeekHours {
    let days = f64::from(days_per_week);
    let off = f64::from(holidays.min(days_per_week));
    let scheduled = hours_per_fte * (days - off) / days;
    let productive = scheduled * (1.0 - leave) * (1.0 - shrinkage);
    let on_phones = if need_hours > 0.0 {
        need_hours / productive
    } else {
        0.0
    };
    let away = if leave_hours > 0.0 {
        leave_hours / scheduled
    } else {
        0.0
    };
    WeekHours {
        scheduled,
        productive,
        required_fte: on_phones + away,
    }
}
