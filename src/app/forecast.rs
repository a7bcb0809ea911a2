//! Forecast a queue's window from its stored history and derive the
//! agents required per interval; both are stored as one run.

use super::history::queue;
use super::AppError;
use crate::db::forecasts::{ForecastInterval, ForecastRun, NewForecastRun, RequirementInterval};
use crate::db::Database;
use crate::domain::queue::{DEFAULT_CHAT_CONCURRENCY, DEFAULT_DEADLINE_SECONDS};
use crate::domain::Channel;
use crate::domain::{ForecastId, QueueId, QueueSpec};
use crate::forecast::{ForecastError, ForecastPoint, WeeklyAverageParams};
use crate::staffing::{channel_requirements, ChannelModel, QueueModel, StaffingError};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// What the planner asks for; missing bounds default to the week after the history.
#[derive(Debug, Clone, Default)]
pub struct ForecastRequest {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub weeks: Option<usize>,
}

pub const MODEL_NAME: &str = "weekly_average";

impl From<ForecastError> for AppError {
    fn from(e: ForecastError) -> Self {
        AppError::Unprocessable(e.to_string())
    }
}

impl From<StaffingError> for AppError {
    fn from(e: StaffingError) -> Self {
        AppError::Unprocessable(e.to_string())
    }
}

pub fn create_forecast(
    db: &Database,
    id: QueueId,
    request: &ForecastRequest,
) -> Result<ForecastRun, AppError> {
    let queue = queue(db, id)?;
    let grid = queue.spec.grid();
    let history = db.history(id, None, request.from)?;
    let last = history.last().ok_or_else(|| {
        AppError::Unprocessable(format!(
            "queue {id} has no history before the forecast window"
        ))
    })?;
    // Default window: the seven local days after the last history interval.
    let from = match request.from {
        Some(t) => t,
        None => next_local_midnight(&grid, last.start + grid.step()),
    };
    let to = match request.to {
        Some(t) => t,
        None => grid.start_of_day(grid.local_date(from) + Duration::days(7)),
    };
    if !grid.is_aligned(from) || !grid.is_aligned(to) {
        return Err(AppError::Unprocessable(format!(
            "from and to must be on the queue's {}-minute grid",
            grid.minutes
        )));
    }
    if to <= from || to - from > Duration::days(400) {
        return Err(AppError::Unprocessable(
            "the window must be after 'from' and at most 400 days".into(),
        ));
    }
    let params = WeeklyAverageParams {
        weeks: request
            .weeks
            .unwrap_or(WeeklyAverageParams::default().weeks),
    };
    let checked = params.check()?;
    let fitted = checked.fit(&history, &grid, from)?;
    let points = fitted.predict(from, to)?;
    let requirements = requirements_for(&queue.spec, &points)?;
    let run = NewForecastRun {
        queue_id: id,
        from,
        to,
        model: MODEL_NAME.into(),
        params: json!({"weeks": params.weeks}),
        history_rows: history.len() as i32,
        history_end: last.start + grid.step(),
        goal: goal_json(&queue.spec),
        accuracy: None,
    };
    let intervals: Vec<ForecastInterval> = points
        .iter()
        .map(|p| ForecastInterval {
            start: p.start,
            volume: p.volume,
            volume_p10: p.volume_p10,
            volume_p90: p.volume_p90,
            aht_seconds: p.aht_seconds,
        })
        .collect();
    let run_id = db.insert_forecast(&run, &intervals, &requirements)?;
    forecast_run(db, run_id)
}

/// The staffing model a queue's channel calls for.
pub fn channel_model(spec: &QueueSpec) -> ChannelModel {
    let voice = match spec.staffing.patience_seconds {
        Some(patience_seconds) => QueueModel::ErlangA { patience_seconds },
        None => QueueModel::ErlangC,
    };
    match spec.channel {
        Channel::Voice => ChannelModel::Voice(voice),
        // Chat handle time is taken as measured while agents hold several
        // chats, so no extra slowdown factor is applied.
        Channel::Chat => ChannelModel::Chat {
            concurrency: spec
                .staffing
                .chat_concurrency
                .unwrap_or(DEFAULT_CHAT_CONCURRENCY),
            handle_time_factor: 1.0,
            queue: QueueModel::ErlangC,
        },
        Channel::Email | Channel::Social => ChannelModel::Deferred {
            deadline_seconds: spec
                .staffing
                .deadline_seconds
                .unwrap_or(DEFAULT_DEADLINE_SECONDS),
        },
    }
}

/// Agents per interval for the queue's goal under its channel's model, with
/// shrinkage and the occupancy cap. Empty when the forecast has no handle time.
pub fn requirements_for(
    spec: &QueueSpec,
    points: &[ForecastPoint],
) -> Result<Vec<RequirementInterval>, AppError> {
    let load: Option<Vec<(f64, f64)>> = points
        .iter()
        .map(|p| p.aht_seconds.map(|aht| (p.volume, aht)))
        .collect();
    let Some(load) = load else {
        return Ok(Vec::new());
    };
    let reqs = channel_requirements(
        &channel_model(spec),
        &load,
        f64::from(spec.interval_minutes) * 60.0,
        &spec.goal,
        spec.max_occupancy,
        spec.shrinkage,
    )?;
    Ok(points
        .iter()
        .zip(reqs)
        .map(|(p, r)| RequirementInterval {
            start: p.start,
            workload_erlangs: r.workload_erlangs,
            agents_raw: r.agents_raw,
            agents_net: r.agents_net as i32,
            agents_with_shrinkage: r.agents_with_shrinkage as i32,
            service_level: r.metrics.service_level,
            asa_seconds: r.metrics.asa_seconds,
            occupancy: r.metrics.occupancy,
            prob_abandon: r.metrics.prob_abandon,
        })
        .collect())
}

/// `t` itself when it is a local midnight, else the next one.
fn next_local_midnight(grid: &crate::domain::Grid, t: DateTime<Utc>) -> DateTime<Utc> {
    let day = grid.local_date(t);
    let midnight = grid.start_of_day(day);
    if midnight == t {
        t
    } else {
        grid.start_of_day(day + Duration::days(1))
    }
}

fn goal_json(spec: &QueueSpec) -> serde_json::Value {
    json!({
        "channel": spec.channel,
        "service_level": spec.goal.service_level,
        "answer_within_seconds": spec.goal.answer_within_seconds,
        "max_asa_seconds": spec.goal.max_asa_seconds,
        "shrinkage": spec.shrinkage,
        "max_occupancy": spec.max_occupancy,
        "staffing_model": channel_model(spec),
    })
}

pub fn forecast_run(db: &Database, id: ForecastId) -> Result<ForecastRun, AppError> {
    db.forecast_run(id)?
        .ok_or_else(|| AppError::not_found("forecast", id))
}

/// The stored requirements of a run; an error when its forecast had no handle time.
pub fn requirements(
    db: &Database,
    id: ForecastId,
) -> Result<(ForecastRun, Vec<RequirementInterval>), AppError> {
    let run = forecast_run(db, id)?;
    let reqs = db.requirement_intervals(id)?;
    let intervals = db.forecast_intervals(id)?;
    if reqs.is_empty() && !intervals.is_empty() {
        return Err(AppError::Unprocessable(format!(
            "forecast {id} has no handle time (the history had no aht_seconds): import history with aht_seconds"
        )));
    }
    Ok((run, reqs))
}
