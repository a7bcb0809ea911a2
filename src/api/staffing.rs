//! /api/v1/staffing/calculate: what-if staffing, nothing stored.

use super::body::Json;
use super::error::ApiError;
use super::queues::{
    default_interval, default_occupancy, default_shrinkage, default_sl, default_within,
};
use super::until_disconnect;
use crate::app::staffing::{calculate as calculate_staffing, StaffingPlan};
use crate::domain::{Channel, InvalidValue, QueueSpec, ServiceGoal, StaffingOptions};
use crate::staffing::{ChannelModel, Requirement};
use actix_web::HttpResponse;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadBody {
    #[schema(minimum = 0, example = 120)]
    volume: f64,
    #[schema(exclusive_minimum = 0, example = 300)]
    aht_seconds: f64,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalculateBody {
    #[serde(default = "voice")]
    channel: Channel,
    #[serde(default = "default_interval")]
    #[schema(minimum = 15, maximum = 60, multiple_of = 15, example = 30)]
    interval_minutes: u32,
    /// Consecutive intervals of load (deferred work spreads across them).
    #[schema(min_items = 1, max_items = 12000)]
    intervals: Vec<LoadBody>,
    #[serde(default = "default_sl")]
    #[schema(exclusive_minimum = 0, exclusive_maximum = 100, example = 80)]
    service_level_percent: f64,
    #[serde(default = "default_within")]
    #[schema(minimum = 0, example = 20)]
    answer_within_seconds: f64,
    max_asa_seconds: Option<f64>,
    max_abandon_percent: Option<f64>,
    /// Default 30, like a queue's.
    #[serde(default = "default_shrinkage")]
    #[schema(minimum = 0, exclusive_maximum = 100, example = 30)]
    shrinkage_percent: f64,
    /// Default 85, like a queue's.
    #[serde(default = "default_occupancy")]
    #[schema(exclusive_minimum = 0, maximum = 100, example = 85)]
    max_occupancy_percent: f64,
    patience_seconds: Option<f64>,
    chat_concurrency: Option<u32>,
    deadline_seconds: Option<f64>,
}

fn voice() -> Channel {
    Channel::Voice
}

/// Most intervals one request may carry (about four months of quarter-hours).
const MAX_INTERVALS: usize = 12_000;

/// The requirement per interval, its peak and its paid hours.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CalculationView {
    model: ChannelModel,
    peak_agents: u32,
    agent_hours: f64,
    intervals: Vec<Requirement>,
}

impl From<StaffingPlan> for CalculationView {
    fn from(p: StaffingPlan) -> Self {
        CalculationView {
            model: p.model,
            peak_agents: p.peak_agents,
            agent_hours: p.agent_hours,
            intervals: p.intervals,
        }
    }
}

impl CalculateBody {
    /// The what-if queue and its load, checked.
    fn parse(self) -> Result<(QueueSpec, Vec<(f64, f64)>), ApiError> {
        if self.intervals.is_empty() || self.intervals.len() > MAX_INTERVALS {
            return Err(InvalidValue::new(
                "intervals",
                format!("give 1 to {MAX_INTERVALS} intervals"),
            )
            .into());
        }
        let goal = ServiceGoal::new(
            self.service_level_percent / 100.0,
            self.answer_within_seconds,
            self.max_asa_seconds,
            self.max_abandon_percent.map(|p| p / 100.0),
        )?;
        let spec = QueueSpec::new(
            "what-if",
            self.channel,
            self.interval_minutes,
            "UTC",
            goal,
            self.shrinkage_percent / 100.0,
            self.max_occupancy_percent / 100.0,
        )?
        .with_staffing(StaffingOptions {
            patience_seconds: self.patience_seconds,
            chat_concurrency: self.chat_concurrency,
            deadline_seconds: self.deadline_seconds,
        })?;
        let load = self
            .intervals
            .iter()
            .map(|l| (l.volume, l.aht_seconds))
            .collect();
        Ok((spec, load))
    }
}

#[utoipa::path(post, path = "/api/v1/staffing/calculate", tag = "staffing", request_body = CalculateBody, responses((status = 200, description = "Agents per interval for the goal", body = CalculationView)))]
pub async fn calculate(body: Json<CalculateBody>) -> Result<HttpResponse, ApiError> {
    let (spec, load) = body.into_inner().parse()?;
    let plan = until_disconnect(move |stop| calculate_staffing(&spec, &load, stop)).await?;
    Ok(HttpResponse::Ok().json(CalculationView::from(plan)))
}
