//! /api/v1/queues/{id}/forecasts and /api/v1/forecasts/{id}: forecast runs
//! and the requirements derived from them, the planner's adjustments, and
//! accuracy (backtest promise beside realised scores).

use super::body::{Json, OptionalJson};
use super::cache::{BodyCache, Encoded, Version};
use super::error::ApiError;
use super::{blocking, until_disconnect};
use crate::app::forecast::{
    add_adjustments as app_add_adjustments, adjustments as app_adjustments, create_forecast_from,
    delete_adjustment as app_delete_adjustment, forecast_runs, forecast_version, forecast_view,
    requirements_read, DailyTotal, ForecastInput,
};
use crate::db::forecast_adjustments::StoredAdjustment;
use crate::db::forecasts::{ForecastRun, RequirementGoal, RequirementInterval};
use crate::db::Database;
use crate::domain::{ForecastId, QueueId};
use crate::forecast::adjustments::{AdjustmentId, AdjustmentInput};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Default, utoipa::ToSchema)]
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
    /// lead and window; the ensemble unless another model beats it by more
    /// than chance over the backtest origins) or one of seasonal_naive,
    /// weekly_average, regression, top_down, long_horizon, ensemble.
    model: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/queues/{id}/forecasts", tag = "forecasts", params(("id" = i32, Path, description = "Queue id")), request_body(content = Option<ForecastBody>, description = "Optional: origin, window, model"), responses((status = 201, description = "The forecast run and its requirements summary", body = crate::app::forecast::CreatedForecast)))]
pub async fn create(
    db: web::Data<Database>,
    id: web::Path<i32>,
    body: OptionalJson<ForecastBody>,
) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let body = body.0.unwrap_or_default();
    let input = ForecastInput {
        origin: body.origin,
        from: body.from,
        to: body.to,
        weeks: body.weeks,
        model: body.model,
    };
    let db = db.into_inner();
    let run = until_disconnect(move |stop| create_forecast_from(&db, id, input, stop)).await?;
    tracing::info!(queue = id.0, forecast = run.run.id.0, "forecast stored");
    Ok(HttpResponse::Created().json(run))
}

#[utoipa::path(get, path = "/api/v1/queues/{id}/forecasts", tag = "forecasts", params(("id" = i32, Path, description = "Queue id")), responses((status = 200, description = "The queue's forecast runs", body = Vec<ForecastRun>)))]
pub async fn list(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let db = db.into_inner();
    let runs = blocking(move || forecast_runs(&db, id)).await?;
    Ok(HttpResponse::Ok().json(runs))
}

/// A run with every interval; with adjustments, the adjusted values beside
/// the statistical ones and the totals per day.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ForecastDetail {
    forecast: ForecastRun,
    time_zone: &'static str,
    total_volume: f64,
    adjustments: Vec<StoredAdjustment>,
    intervals: Vec<IntervalView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    adjusted_total_volume: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    daily_totals: Option<Vec<DailyTotal>>,
}

/// One interval; the `adjusted_*` values only when the run has adjustments.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IntervalView {
    interval_start: DateTime<Utc>,
    volume: f64,
    volume_p10: f64,
    volume_p90: f64,
    aht_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    adjusted_volume: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    adjusted_volume_p10: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    adjusted_volume_p90: Option<f64>,
}

/// The run with every interval: volume with p10/p90 and handle time; with
/// adjustments, the adjusted values beside the statistical ones.
#[utoipa::path(get, path = "/api/v1/forecasts/{id}", tag = "forecasts", params(("id" = i32, Path, description = "Forecast id")), responses((status = 200, description = "The run with every interval", body = ForecastDetail, headers(("ETag" = String, description = "Strong tag of these bytes"))), (status = 304, description = "Not modified: `If-None-Match` names the current ETag")))]
pub async fn get(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<BodyCache>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = ForecastId(id.into_inner());
    let db = db.into_inner();
    // One small read (or a remembered one) decides whether the body we hold is current.
    let resource = format!("forecast:{id}");
    let version = {
        let db = db.clone();
        cache
            .version_of(&resource, move || {
                Ok(Some(Version {
                    tag: forecast_version(&db, id)?,
                    modified: None,
                }))
            })
            .await?
    };
    let key = version.map(|v| format!("{resource}:{}", v.tag));
    if let Some(hit) = key.as_deref().and_then(|k| cache.get(k)) {
        return Ok(hit.respond(&req));
    }
    let view = blocking(move || forecast_view(&db, id)).await?;
    let intervals = view
        .points
        .iter()
        .enumerate()
        .map(|(n, p)| IntervalView {
            interval_start: p.start,
            volume: p.volume,
            volume_p10: p.volume_p10,
            volume_p90: p.volume_p90,
            aht_seconds: p.aht_seconds,
            adjusted_volume: view.adjusted.as_ref().map(|a| a[n].volume),
            adjusted_volume_p10: view.adjusted.as_ref().map(|a| a[n].volume_p10),
            adjusted_volume_p90: view.adjusted.as_ref().map(|a| a[n].volume_p90),
        })
        .collect();
    let detail = ForecastDetail {
        time_zone: view.time_zone.name(),
        total_volume: view.points.iter().map(|p| p.volume).sum(),
        adjusted_total_volume: view
            .adjusted
            .as_ref()
            .map(|a| a.iter().map(|p| p.volume).sum()),
        daily_totals: view.daily_totals(),
        intervals,
        forecast: view.run,
        adjustments: view.adjustments,
    };
    let encoded = Encoded::new(
        "application/json",
        serde_json::to_vec(&detail).map_err(|e| ApiError::WorkerFailed(e.to_string()))?,
    );
    if let Some(key) = key {
        cache.put(key, &encoded);
    }
    Ok(encoded.respond(&req))
}

/// A run's requirements per interval, with the goal they were computed for.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RequirementsView {
    forecast_id: ForecastId,
    queue_id: QueueId,
    time_zone: &'static str,
    goal: RequirementGoal,
    peak_agents: i32,
    intervals: Vec<RequirementInterval>,
}

#[utoipa::path(get, path = "/api/v1/forecasts/{id}/requirements", tag = "forecasts", params(("id" = i32, Path, description = "Forecast id")), responses((status = 200, description = "Agents required per interval", body = RequirementsView)))]
pub async fn requirements(
    db: web::Data<Database>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = ForecastId(id.into_inner());
    let db = db.into_inner();
    let read = blocking(move || requirements_read(&db, id)).await?;
    Ok(HttpResponse::Ok().json(RequirementsView {
        forecast_id: read.run.id,
        queue_id: read.run.queue_id,
        time_zone: read.time_zone.name(),
        goal: read.run.goal,
        peak_agents: read.peak_agents,
        intervals: read.intervals,
    }))
}

/// The model chosen for a run and every candidate's backtest scores
/// (WAPE, MASE, p10–p90 coverage per origin), the chosen model's promise,
/// and the realised scores once actuals of the window are imported.
#[utoipa::path(get, path = "/api/v1/forecasts/{id}/accuracy", tag = "forecasts", params(("id" = i32, Path, description = "Forecast id")), responses((status = 200, description = "Backtest scores per model and realised scores", body = crate::app::forecast::Accuracy)))]
pub async fn accuracy(
    db: web::Data<Database>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = ForecastId(id.into_inner());
    let db = db.into_inner();
    let accuracy = blocking(move || crate::app::forecast::accuracy(&db, id)).await?;
    Ok(HttpResponse::Ok().json(accuracy))
}

/// One adjustment object or an array of them; all are stored or none.
#[utoipa::path(post, path = "/api/v1/forecasts/{id}/adjustments", tag = "forecasts", params(("id" = i32, Path, description = "Forecast id")), request_body(content = AdjustmentsBody, description = "One adjustment or an array; all or none"), responses((status = 201, description = "The adjustments, stored", body = Vec<StoredAdjustment>)))]
pub async fn add_adjustments(
    db: web::Data<Database>,
    id: web::Path<i32>,
    body: Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let id = ForecastId(id.into_inner());
    let inputs = adjustment_inputs(body.into_inner())?;
    let db = db.into_inner();
    let stored = blocking(move || app_add_adjustments(&db, id, inputs)).await?;
    tracing::info!(
        forecast = id.0,
        adjustments = stored.len(),
        "forecast adjusted"
    );
    Ok(HttpResponse::Created().json(stored))
}

#[utoipa::path(get, path = "/api/v1/forecasts/{id}/adjustments", tag = "forecasts", params(("id" = i32, Path, description = "Forecast id")), responses((status = 200, description = "The forecast's adjustments", body = Vec<StoredAdjustment>)))]
pub async fn list_adjustments(
    db: web::Data<Database>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = ForecastId(id.into_inner());
    let db = db.into_inner();
    let list = blocking(move || app_adjustments(&db, id)).await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(delete, path = "/api/v1/forecasts/{id}/adjustments/{adjustment_id}", tag = "forecasts", params(("id" = i32, Path, description = "Forecast id"), ("adjustment_id" = i32, Path, description = "Adjustment id")), responses((status = 204, description = "Deleted")))]
pub async fn delete_adjustment(
    db: web::Data<Database>,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (id, adjustment) = path.into_inner();
    let db = db.into_inner();
    blocking(move || app_delete_adjustment(&db, ForecastId(id), AdjustmentId(adjustment))).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Reads each element on its own so an error names it: `adjustments[1].percent`.
fn adjustment_inputs(body: serde_json::Value) -> Result<Vec<AdjustmentInput>, ApiError> {
    let items = match body {
        serde_json::Value::Array(items) => items,
        one @ serde_json::Value::Object(_) => vec![one],
        _ => {
            return Err(ApiError::MalformedBody {
                field: None,
                message: "JSON body: expected an adjustment object or an array of them".into(),
            })
        }
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            serde_path_to_error::deserialize(item).map_err(|e| {
                let path = e.path().to_string();
                let at = if path == "." {
                    format!("adjustments[{i}]")
                } else {
                    format!("adjustments[{i}].{path}")
                };
                super::body::malformed(at, e.inner())
            })
        })
        .collect()
}

/// The shape `add_adjustments` reads (element by element, for errors that
/// name the element); declared for the OpenAPI document.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum AdjustmentsBody {
    One(AdjustmentInput),
    Many(Vec<AdjustmentInput>),
}
