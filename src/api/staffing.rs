//! /api/v1/staffing/calculate: what-if staffing, nothing stored.

use super::body::Json;
use super::error::ApiError;
use super::queues::{default_interval, default_sl, default_within};
use crate::domain::{Channel, QueueSpec, ServiceGoal, StaffingOptions};
use crate::staffing::channel_requirements;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBody {
    volume: f64,
    aht_seconds: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalculateBody {
    #[serde(default = "voice")]
    channel: Channel,
    #[serde(default = "default_interval")]
    interval_minutes: u32,
    /// Consecutive intervals of load (deferred work spreads across them).
    intervals: Vec<LoadBody>,
    #[serde(default = "default_sl")]
    service_level_percent: f64,
    #[serde(default = "default_within")]
    answer_within_seconds: f64,
    max_asa_seconds: Option<f64>,
    max_abandon_percent: Option<f64>,
    #[serde(default)]
    shrinkage_percent: f64,
    #[serde(default = "default_occupancy")]
    max_occupancy_percent: f64,
    patience_seconds: Option<f64>,
    chat_concurrency: Option<u32>,
    deadline_seconds: Option<f64>,
}

fn voice() -> Channel {
    Channel::Voice
}
fn default_occupancy() -> f64 {
    100.0
}

/// Most intervals one request may carry (about four months of quarter-hours).
const MAX_INTERVALS: usize = 12_000;

pub async fn calculate(body: Json<CalculateBody>) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    if b.intervals.is_empty() || b.intervals.len() > MAX_INTERVALS {
        return Err(ApiError::Invalid(format!(
            "intervals: give 1 to {MAX_INTERVALS} intervals"
        )));
    }
    let goal = ServiceGoal::new(
        b.service_level_percent / 100.0,
        b.answer_within_seconds,
        b.max_asa_seconds,
        b.max_abandon_percent.map(|p| p / 100.0),
    )?;
    let spec = QueueSpec::new(
        "what-if",
        b.channel,
        b.interval_minutes,
        "UTC",
        goal,
        b.shrinkage_percent / 100.0,
        b.max_occupancy_percent / 100.0,
    )?
    .with_staffing(StaffingOptions {
        patience_seconds: b.patience_seconds,
        chat_concurrency: b.chat_concurrency,
        deadline_seconds: b.deadline_seconds,
    })?;
    let load: Vec<(f64, f64)> = b
        .intervals
        .iter()
        .map(|l| (l.volume, l.aht_seconds))
        .collect();
    let model = crate::staffing::ChannelModel::for_queue(&spec);
    let interval_seconds = f64::from(spec.interval_minutes) * 60.0;
    // Erlang A over thousands of intervals is CPU work: keep it off the async runtime.
    let reqs = web::block(move || {
        channel_requirements(
            &model,
            &load,
            interval_seconds,
            &spec.goal,
            spec.max_occupancy,
            spec.shrinkage,
        )
    })
    .await
    .map_err(|e| ApiError::Internal(format!("worker failed: {e}")))?
    .map_err(|e| ApiError::Invalid(e.to_string()))?;
    Ok(HttpResponse::Ok().json(json!({
        "model": model,
        "peak_agents": reqs.iter().map(|r| r.agents_with_shrinkage).max().unwrap_or(0),
        "agent_hours": reqs.iter().map(|r| f64::from(r.agents_with_shrinkage)).sum::<f64>()
            * interval_seconds / 3600.0,
        "intervals": reqs,
    })))
}
