//! /api/v1/queues/{id}/forecasts and /api/v1/forecasts/{id}: forecast runs
//! and the requirements derived from them, the planner's adjustments, and
//! accuracy (backtest promise beside realised scores).

use super::blocking;
use super::body::{Json, OptionalJson};
use super::error::ApiError;
use super::queues::parse_bound;
use crate::app::forecast::{
    add_adjustments as app_add_adjustments, adjustments as app_adjustments, create_forecast,
    delete_adjustment as app_delete_adjustment, forecast_view, requirements as load_requirements,
    ForecastRequest,
};
use crate::app::history::queue;
use crate::db::Database;
use crate::domain::{ForecastId, QueueId};
use crate::forecast::adjustments::{AdjustmentId, AdjustmentInput};
use crate::forecast::ForecastPoint;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

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

/// The run with every interval: volume with p10/p90 and handle time; with
/// adjustments, the adjusted values beside the statistical ones.
pub async fn get(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = ForecastId(id.into_inner());
    let db = db.into_inner();
    let view = blocking(move || forecast_view(&db, id)).await?;
    let total: f64 = view.points.iter().map(|p| p.volume).sum();
    let intervals: Vec<_> = view
        .points
        .iter()
        .enumerate()
        .map(|(n, p)| {
            let mut row = json!({
                "interval_start": p.start,
                "volume": p.volume,
                "volume_p10": p.volume_p10,
                "volume_p90": p.volume_p90,
                "aht_seconds": p.aht_seconds,
            });
            if let Some(a) = view.adjusted.as_ref().map(|a| a[n]) {
                row["adjusted_volume"] = json!(a.volume);
                row["adjusted_volume_p10"] = json!(a.volume_p10);
                row["adjusted_volume_p90"] = json!(a.volume_p90);
            }
            row
        })
        .collect();
    let mut out = json!({
        "forecast": view.run,
        "time_zone": view.time_zone.name(),
        "total_volume": total,
        "adjustments": view.adjustments,
        "intervals": intervals,
    });
    if let Some(adjusted) = &view.adjusted {
        out["adjusted_total_volume"] = json!(adjusted.iter().map(|p| p.volume).sum::<f64>());
        out["daily_totals"] = json!(daily_totals(&view.points, adjusted, view.time_zone));
    }
    Ok(HttpResponse::Ok().json(out))
}

/// Statistical and adjusted volume per local day, in date order.
fn daily_totals(
    points: &[ForecastPoint],
    adjusted: &[ForecastPoint],
    tz: chrono_tz::Tz,
) -> Vec<serde_json::Value> {
    let mut days: BTreeMap<NaiveDate, (f64, f64)> = BTreeMap::new();
    for (p, a) in points.iter().zip(adjusted) {
        let day = days
            .entry(p.start.with_timezone(&tz).date_naive())
            .or_default();
        day.0 += p.volume;
        day.1 += a.volume;
    }
    days.into_iter()
        .map(|(date, (volume, adjusted))| {
            json!({"date": date, "volume": volume, "adjusted_volume": adjusted})
        })
        .collect()
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
/// (WAPE, MASE, p10–p90 coverage per origin), the chosen model's promise,
/// and the realised scores once actuals of the window are imported.
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

pub async fn list_adjustments(
    db: web::Data<Database>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = ForecastId(id.into_inner());
    let db = db.into_inner();
    let list = blocking(move || app_adjustments(&db, id)).await?;
    Ok(HttpResponse::Ok().json(list))
}

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
