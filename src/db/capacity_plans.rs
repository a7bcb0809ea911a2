//! Capacity plans: the request and the result, each a JSON document; the
//! result is read back as the core's typed [`CapacityPlan`].

use super::schema::capacity_plans;
use super::{to_naive, to_utc, with_conn, Database, DbError};
use crate::capacity::CapacityPlan;
use crate::domain::{CapacityPlanId, ForecastId, QueueId};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoredCapacityPlan {
    pub id: CapacityPlanId,
    pub queue_id: QueueId,
    pub forecast_id: ForecastId,
    pub created_at: DateTime<Utc>,
    pub request: serde_json::Value,
    pub result: CapacityPlan,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = capacity_plans)]
struct Row {
    id: i32,
    queue_id: i32,
    forecast_id: i32,
    created_at: NaiveDateTime,
    request: String,
    result: String,
}

impl Row {
    fn into_plan(self) -> Result<StoredCapacityPlan, DbError> {
        let corrupt =
            |e: serde_json::Error| DbError::Corrupt(format!("capacity plan {}: {e}", self.id));
        Ok(StoredCapacityPlan {
            id: CapacityPlanId(self.id),
            queue_id: QueueId(self.queue_id),
            forecast_id: ForecastId(self.forecast_id),
            created_at: to_utc(self.created_at),
            request: serde_json::from_str(&self.request).map_err(corrupt)?,
            result: serde_json::from_str(&self.result).map_err(corrupt)?,
        })
    }
}

impl Database {
    pub fn insert_capacity_plan(
        &self,
        queue: QueueId,
        forecast: ForecastId,
        request: &serde_json::Value,
        result: &CapacityPlan,
    ) -> Result<CapacityPlanId, DbError> {
        let result = serde_json::to_string(result)
            .map_err(|e| DbError::Corrupt(format!("capacity plan result: {e}")))?;
        let id: i32 = with_conn!(self, conn => diesel::insert_into(capacity_plans::table)
            .values((
                capacity_plans::queue_id.eq(queue.0),
                capacity_plans::forecast_id.eq(forecast.0),
                capacity_plans::created_at.eq(to_naive(Utc::now())),
                capacity_plans::request.eq(request.to_string()),
                capacity_plans::result.eq(result),
            ))
            .returning(capacity_plans::id)
            .get_result(conn)?);
        Ok(CapacityPlanId(id))
    }

    pub fn capacity_plan(&self, id: CapacityPlanId) -> Result<Option<StoredCapacityPlan>, DbError> {
        let row: Option<Row> = with_conn!(self, conn => capacity_plans::table
            .find(id.0)
            .select(Row::as_select())
            .first(conn)
            .optional()?);
        row.map(Row::into_plan).transpose()
    }

    /// A queue's plans, oldest first.
    pub fn capacity_plans(&self, queue: QueueId) -> Result<Vec<StoredCapacityPlan>, DbError> {
        let rows: Vec<Row> = with_conn!(self, conn => capacity_plans::table
            .filter(capacity_plans::queue_id.eq(queue.0))
            .order(capacity_plans::id)
            .select(Row::as_select())
            .load(conn)?);
        rows.into_iter().map(Row::into_plan).collect()
    }
}
