//! /api/v1/queues/{id}/forecasts and /api/v1/forecasts/{id}: forecast runs
//! and the requirements derived from them.

use super::blocking;
use super::body::OptionalJson;
use super::error::ApiError;
use super::queues::parse_bound;
use crate::app::forecast::{
    create_forecast, forecast_run, requirements as load_requirements, ForecastRequest,
};
use crate::app::history::queue;
use crate::db::Database;
use crate::domain::{ForecastId, QueueId};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ForecastBody {
    /// The end of the history used (offset or local time); the window may
    /// start weeks or months after it. Default: the end of the history.
    origin: Option<String>,
    /// Start of the window (offset or local time in the queue's zone); default: the day after the history.
    from: Option<String>,
    /// End of the window, exclusive; default: seven days after `from`.
    to: Option<String>,
    /// How many recent weeks the weekly-average model uses.
    weeks: Option<usize>,
    /// `auto` (default: the model with the lowest backtest error at this
    /// lead and window) or one of seasonal_naive, weekly_average,
    /// regression, top_down, long_horizon, ensemble.
    model: Option<String>,
}

pub async fn create(
    db: web::Data<Database>,
    id: web::Path<i32>,
    body: OptionalJson<ForecastBody>,
) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let body = body.0.unwrap_or_default();
    let db = db.into_inner();
    let run = blocking(move || {
        let tz = queue(&db, id)?.spec.time_zone;
        let request = ForecastRequest {
            origin: parse_bound(body.origin.as_deref(), "origin", tz)?,
            from: parse_bound(body.from.as_deref(), "from", tz)?,
            to: parse_bound(body.to.as_deref(), "to", tz)?,
            weeks: body.weeks,
            model: body.model,
        };
        create_forecast(&db, id, &request)
    })
    .await?;
    tracing::info!(queue = id.0, forecast = run.run.id.0, "forecast stored");
    Ok(HttpResponse::Created().json(run))
}

pub async fn list(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let db = db.into_inner();
    let runs = blocking(move || {
        queue(&db, id)?;
        Ok(db.forecast_runs(id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(runs))
}

/// The run with every interval: volume with p10/p90 and handle time.
pub async fn get(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = ForecastId(id.into_inner());
    let db = db.into_inner();
    let (run, tz, intervals) = blocking(move || {
        let run = forecast_run(&db, id)?;
        let tz = queue(&db, run.queue_id)?.spec.time_zone;
        let intervals = db.forecast_intervals(id)?;
        Ok((run, tz, intervals))
    })
    .await?;
    let total: f64 = intervals.iter().map(|i| i.volume).sum();
    Ok(HttpResponse::Ok().json(json!({
        "forecast": run,
        "time_zone": tz.name(),
        "total_volume": total,
        "intervals": intervals.iter().map(|i| json!({
            "interval_start": i.start,
            "volume": i.volume,
            "volume_p10": i.volume_p10,
            "volume_p90": i.volume_p90,
            "aht_seconds": i.aht_seconds,
        })).collect::<Vec<_>>(),
    })))
}

pub async fn requirements(
    db: web::Data<Database>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = ForecastId(id.into_inner());
    let db = db.into_inner();
    let (run, tz, reqs) = blocking(move || {
        let (run, reqs) = load_requirements(&db, id)?;
        let tz = queue(&db, run.queue_id)?.spec.time_zone;
        Ok((run, tz, reqs))
    })
    .await?;
    let peak = reqs
        .iter()
        .map(|r| r.agents_with_shrinkage)
        .max()
        .unwrap_or(0);
    Ok(HttpResponse::Ok().json(json!({
        "forecast_id": run.id,
        "queue_id": run.queue_id,
        "time_zone": tz.name(),
        "goal": run.goal,
        "peak_agents": peak,
        "intervals": reqs,
    })))
}

/// The model chosen for a run and every candidate's backtest scores
/// (WAPE, MASE, p10–p90 coverage per origin).
pub async fn accuracy(
    db: web::Data<Database>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = ForecastId(id.into_inner());
    let db = db.into_inner();
    let accuracy = blocking(move || crate::app::forecast::accuracy(&db, id)).await?;
    Ok(HttpResponse::Ok().json(accuracy))
}
