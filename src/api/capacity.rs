//! /api/v1/queues/{id}/capacity-plans and /api/v1/capacity-plans/{id}:
//! long-range capacity plans for the peak.

use super::blocking;
use super::body::Json;
use super::error::ApiError;
use crate::app::capacity::{capacity_plan, capacity_plans, create_capacity_plan};
use crate::capacity::{CapacityRequest, Comparison, PlanConfig, VariantSpec};
use crate::db::capacity_plans::StoredCapacityPlan;
use crate::db::Database;
use crate::domain::{CapacityPlanId, ForecastId, QueueId};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityBody {
    /// A forecast run of this queue; its stored requirements are the need.
    forecast_id: i32,
    plan: PlanConfig,
    /// Named what-ifs: each a partial plan merged over `plan`.
    #[serde(default)]
    variants: Vec<VariantSpec>,
}

#[utoipa::path(post, path = "/api/v1/queues/{id}/capacity-plans", tag = "capacity", params(("id" = i32, Path, description = "Queue id")), request_body = CapacityBody, responses((status = 201, description = "The plan with every scenario", body = StoredCapacityPlan)))]
pub async fn create(
    db: web::Data<Database>,
    id: web::Path<i32>,
    body: Json<CapacityBody>,
) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let body = body.into_inner();
    let db = db.into_inner();
    let request = CapacityRequest {
        plan: body.plan,
        variants: body.variants,
    };
    let forecast = ForecastId(body.forecast_id);
    let plan = blocking(move || create_capacity_plan(&db, id, forecast, request)).await?;
    tracing::info!(
        queue = id.0,
        capacity_plan = plan.id.0,
        "capacity plan stored"
    );
    Ok(HttpResponse::Created().json(plan))
}

/// The queue's plans, each summed up by its side-by-side comparison.
#[utoipa::path(get, path = "/api/v1/queues/{id}/capacity-plans", tag = "capacity", params(("id" = i32, Path, description = "Queue id")), responses((status = 200, description = "The queue's plans, summed up", body = Vec<PlanSummary>)))]
pub async fn list(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = QueueId(id.into_inner());
    let db = db.into_inner();
    let plans = blocking(move || capacity_plans(&db, id)).await?;
    Ok(HttpResponse::Ok().json(plans.into_iter().map(PlanSummary::new).collect::<Vec<_>>()))
}

#[utoipa::path(get, path = "/api/v1/capacity-plans/{id}", tag = "capacity", params(("id" = i32, Path, description = "Capacity plan id")), responses((status = 200, description = "The plan", body = StoredCapacityPlan)))]
pub async fn get(db: web::Data<Database>, id: web::Path<i32>) -> Result<HttpResponse, ApiError> {
    let id = CapacityPlanId(id.into_inner());
    let db = db.into_inner();
    let plan = blocking(move || capacity_plan(&db, id)).await?;
    Ok(HttpResponse::Ok().json(plan))
}

/// A plan in a list: when its base scenario starts, how long it runs, and
/// the comparison of its scenarios.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanSummary {
    id: CapacityPlanId,
    queue_id: QueueId,
    forecast_id: ForecastId,
    created_at: DateTime<Utc>,
    first_week: Option<NaiveDate>,
    weeks_count: Option<usize>,
    comparison: Vec<Comparison>,
}

impl PlanSummary {
    fn new(p: StoredCapacityPlan) -> Self {
        let base = p.result.scenarios.first();
        PlanSummary {
            id: p.id,
            queue_id: p.queue_id,
            forecast_id: p.forecast_id,
            created_at: p.created_at,
            first_week: base.map(|s| s.first_week),
            weeks_count: base.map(|s| s.weeks_count),
            comparison: p.result.comparison,
        }
    }
}
