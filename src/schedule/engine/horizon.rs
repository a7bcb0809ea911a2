//! The horizon of a problem: its intervals as uniform UTC steps and its
//! local days (DST-aware), and the grids that can be scheduled.

use super::ScheduleError;
use crate::domain::Grid;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Longest horizon a problem may have, in days.
pub const MAX_DAYS: u32 = 366;

/// The intervals and day boundaries of `days` local days from `start`
/// (which must be a local midnight of `grid.tz`).
pub(crate) fn horizon_of(
    grid: &Grid,
    start: DateTime<Utc>,
    days: u32,
) -> Result<Horizon, ScheduleError> {
    check_grid(grid)?;
    if days == 0 || days > MAX_DAYS {
        return Err(ScheduleError::InvalidHorizon {
            message: format!("days {} is not between 1 and {MAX_DAYS}", days),
        });
    }
    let first = grid.local_date(start);
    if grid.start_of_day(first) != start {
        return Err(ScheduleError::InvalidHorizon {
            message: format!(
                "start {} is not the start of a local day in {}",
                start.with_timezone(&grid.tz).to_rfc3339(),
                grid.tz
            ),
        });
    }
    let mut dates = Vec::with_capacity(days as usize + 1);
    let mut date = first;
    for _ in 0..=days {
        dates.push(date);
        date = date
            .succ_opt()
            .ok_or_else(|| ScheduleError::InvalidHorizon {
                message: "horizon runs past the last representable date".to_string(),
            })?;
    }
    let bounds: Vec<DateTime<Utc>> = dates.iter().map(|&d| grid.start_of_day(d)).collect();
    let end = bounds[days as usize];
    let intervals = grid.intervals(start, end);
    let step = grid.step();
    let day_start_idx = bounds
        .iter()
        .map(|&b| ((b - start).num_seconds() / step.num_seconds()) as usize)
        .collect();
    dates.truncate(days as usize);
    Ok(Horizon {
        start,
        end,
        step,
        intervals,
        day_start_idx,
        dates,
    })
}

pub(crate) fn check_grid(grid: &Grid) -> Result<(), ScheduleError> {
    if grid.minutes == 0 || !60u32.is_multiple_of(grid.minutes) {
        return Err(ScheduleError::InvalidGrid {
            minutes: grid.minutes,
        });
    }
    Ok(())
}

/// The horizon as uniform UTC steps from `start`, with local day boundaries.
#[derive(Debug, Clone)]
pub(crate) struct Horizon {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub step: Duration,
    pub intervals: Vec<DateTime<Utc>>,
    /// Index of the first interval of each local day, plus the end (len days + 1).
    pub day_start_idx: Vec<usize>,
    /// The local date of each day.
    pub dates: Vec<NaiveDate>,
}

impl Horizon {
    /// Index of the interval starting exactly at `t`.
    pub fn index_of(&self, t: DateTime<Utc>) -> Option<usize> {
        if t < self.start || t >= self.end {
            return None;
        }
        let secs = (t - self.start).num_seconds();
        let step = self.step.num_seconds();
        if secs % step != 0 || t.timestamp_subsec_nanos() != 0 {
            return None;
        }
        let i = (secs / step) as usize;
        (self.intervals.get(i) == Some(&t)).then_some(i)
    }

    /// The local day (0-based) holding interval `i`.
    pub fn day_of(&self, i: usize) -> usize {
        self.day_start_idx.partition_point(|&s| s <= i) - 1
    }

    /// The local day (0-based) of instant `t`, if inside the horizon.
    pub fn day_of_instant(&self, t: DateTime<Utc>, grid: &Grid) -> Option<usize> {
        let date = grid.local_date(t);
        self.dates.iter().position(|&d| d == date)
    }
}
