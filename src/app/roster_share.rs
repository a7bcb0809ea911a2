//! A queue's interval confidence met by the roster, not only by the
//! requirement.
//!
//! The requirement buys the share of open intervals the planner asked for
//! (see [`crate::staffing::share`]), and then the roster covers it with
//! shifts longer than the peaks, whose surplus lifts the share well above
//! it (bank, February 1999: 90 % asked, 93.5 % expected of the roster at
//! 18 % more hours than a roster from the actual volumes). So when a
//! roster's expected share passes the asked one by more than
//! [`SHARE_SLACK`], the engine runs once more on the requirement for the
//! share lowered by that excess, and the cheaper roster is kept if its own
//! expected share still reaches the asked one (within the slack).

use super::forecast::{hours_of, requirements_for, special_days_of};
use super::AppError;
use crate::db::queues::StoredQueue as Queue;
use crate::db::schedules::ScheduleRun;
use crate::db::Database;
use crate::forecast::ForecastPoint;
use crate::simulate::{service_of_roster_with, RosterService};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;

/// How far a roster's expected share may pass (or miss) the asked one
/// before it is re-rostered (or a re-roster is refused).
pub const SHARE_SLACK: f64 = 0.01;

/// The lowest share a requirement is bought for (the setting's minimum).
const LOWEST_SHARE: f64 = 0.5;

/// The service `on` (agents on the phones per interval start) gives over
/// the run's window against its forecast: Erlang per interval, closed
/// intervals left out, and what to expect under the forecast's uncertainty.
pub fn service_of_coverage(
    db: &Database,
    queue: &Queue,
    run: &ScheduleRun,
    on: impl Fn(DateTime<Utc>) -> u32,
) -> Result<RosterService, AppError> {
    let spec = &queue.spec;
    let grid = spec.grid();
    let forecast = window_points(db, queue, run)?;
    let load: Vec<(DateTime<Utc>, f64, f64)> = forecast
        .iter()
        .filter_map(|i| i.aht_seconds.map(|aht| (i.start, i.volume, aht)))
        .collect();
    let bands: HashMap<DateTime<Utc>, crate::staffing::VolumeBand> = forecast
        .iter()
        .map(|i| {
            let band = crate::staffing::VolumeBand {
                volume: i.volume,
                p10: i.volume_p10,
                p90: i.volume_p90,
            };
            (i.start, band)
        })
        .collect();
    let model = crate::staffing::ChannelModel::for_queue(spec).roster_check_model();
    let closed = super::schedule::closed_intervals(db, run.forecast_id)?;
    Ok(service_of_roster_with(
        model,
        &load,
        on,
        grid.seconds(),
        spec.goal.answer_within_seconds(),
        spec.shrinkage,
        spec.goal.service_level(),
    )
    .with_closed(|t| !closed.contains(&t), spec.goal.service_level())
    .under_uncertainty(model, grid.seconds(), &spec.goal, |t| {
        bands.get(&t).copied()
    }))
}

/// The forecast of the run's days.
fn window_points(
    db: &Database,
    queue: &Queue,
    run: &ScheduleRun,
) -> Result<Vec<ForecastPoint>, AppError> {
    let grid = queue.spec.grid();
    let end = grid.start_of_day(
        grid.local_date(run.week_start) + chrono::Duration::days(i64::from(run.days)),
    );
    Ok(db
        .forecast_intervals(run.forecast_id)?
        .into_iter()
        .filter(|i| i.start >= run.week_start && i.start < end)
        .map(|i| i.point())
        .collect())
}

/// The share to buy the requirement for when a roster of `asked` came out
/// at `expected`: `None` when it is close enough (or nothing was asked).
pub fn lowered_share(asked: Option<f64>, expected: Option<f64>) -> Option<f64> {
    let (asked, expected) = (asked?, expected?);
    (expected > asked + SHARE_SLACK).then(|| (asked - (expected - asked)).max(LOWEST_SHARE))
}

/// Paid agents per interval start over the run's days for the queue's goal
/// with the share `share` of open intervals expected to meet it.
pub fn requirement_for_share(
    db: &Database,
    queue: &Queue,
    run: &ScheduleRun,
    share: f64,
    stop: &AtomicBool,
) -> Result<Vec<(DateTime<Utc>, f64)>, AppError> {
    let mut spec = queue.spec.clone();
    spec.interval_confidence = Some(share);
    let hours = hours_of(&spec, &special_days_of(db, queue.id)?);
    let points = window_points(db, queue, run)?;
    Ok(requirements_for(&spec, &hours, &points, stop)?
        .into_iter()
        .map(|r| (r.start, f64::from(r.agents_with_shrinkage)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_clear_excess_is_re_rostered_and_never_below_the_lowest_share() {
        assert_eq!(lowered_share(None, Some(0.99)), None);
        assert_eq!(lowered_share(Some(0.9), None), None);
        assert_eq!(lowered_share(Some(0.9), Some(0.905)), None);
        let lowered = lowered_share(Some(0.9), Some(0.935)).unwrap();
        assert!((lowered - 0.865).abs() < 1e-12, "{lowered}");
        assert_eq!(lowered_share(Some(0.6), Some(0.99)), Some(LOWEST_SHARE));
    }
}
