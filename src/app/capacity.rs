//! Capacity plans: load a queue's forecast requirements, fill the plan's
//! queue defaults, run the capacity core and store request and result.

use super::error::Refusal;
use super::history::queue;
use super::AppError;
use crate::capacity::{plan_capacity, CapacityRequest, NeedInterval};
use crate::db::capacity_plans::StoredCapacityPlan;
use crate::db::Database;
use crate::domain::{CapacityPlanId, ForecastId, QueueId};

/// A plan's request as stored with it: the forecast and the plan as given.
#[derive(serde::Serialize)]
struct StoredRequest<'a> {
    forecast_id: ForecastId,
    plan: &'a crate::capacity::PlanConfig,
    variants: &'a [crate::capacity::VariantSpec],
}

/// Calendar kinds that give every FTE a paid day off.
const DAY_OFF_KINDS: [&str; 2] = ["holiday", "closed"];

/// Plans capacity for queue `id` from forecast `forecast_id` and stores it.
/// Defaults taken from the queue: shrinkage, and holidays (its calendar's
/// holiday and closed days) when the plan does not list any.
pub fn create_capacity_plan(
    db: &Database,
    id: QueueId,
    forecast_id: ForecastId,
    mut request: CapacityRequest,
) -> Result<StoredCapacityPlan, AppError> {
    let queue = queue(db, id)?;
    let run = db
        .forecast_run(forecast_id)?
        .ok_or_else(|| AppError::not_found("forecast", forecast_id))?;
    if run.queue_id != id {
        return Err(Refusal::ForecastOfOtherQueue {
            forecast: forecast_id,
            owner: run.queue_id,
            queue: id,
        }
        .into());
    }
    let requirements = db.requirement_intervals(forecast_id)?;
    if requirements.is_empty() {
        return Err(Refusal::NoRequirements {
            forecast: forecast_id,
        }
        .into());
    }
    let plan = &mut request.plan;
    plan.shrinkage_percent
        .get_or_insert(queue.spec.shrinkage * 100.0);
    if plan.holidays.is_none() {
        let days = db.special_days(id)?;
        plan.holidays = Some(
            days.into_iter()
                .filter(|d| DAY_OFF_KINDS.contains(&d.kind.as_str()))
                .map(|d| d.day)
                .collect(),
        );
    }
    let intervals: Vec<NeedInterval> = requirements
        .iter()
        .map(|r| NeedInterval {
            start: r.start,
            agents_net: f64::from(r.agents_net),
        })
        .collect();
    let result = plan_capacity(
        &intervals,
        queue.spec.interval_minutes,
        queue.spec.time_zone,
        &request,
    )?;
    let stored_request = serde_json::to_value(StoredRequest {
        forecast_id,
        plan: &request.plan,
        variants: &request.variants,
    })
    .map_err(|e| AppError::corrupt("capacity plan request", e))?;
    let plan_id = db.insert_capacity_plan(id, forecast_id, &stored_request, &result)?;
    capacity_plan(db, plan_id)
}

pub fn capacity_plan(db: &Database, id: CapacityPlanId) -> Result<StoredCapacityPlan, AppError> {
    db.capacity_plan(id)?
        .ok_or_else(|| AppError::not_found("capacity plan", id))
}

/// A queue's plans (404 for an unknown queue).
pub fn capacity_plans(db: &Database, id: QueueId) -> Result<Vec<StoredCapacityPlan>, AppError> {
    queue(db, id)?;
    Ok(db.capacity_plans(id)?)
}
