//! Planner adjustments of a forecast run, stored apart from its intervals.

use super::schema::forecast_adjustments;
use super::{to_naive, to_utc, with_conn, Database, DbError, WriteTransaction};
use crate::domain::ForecastId;
use crate::forecast::adjustments::{Adjustment, AdjustmentId, Change, Scope};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

/// An adjustment with its id and forecast, served as
/// `{id, forecast_id, date|week, percent|absolute, reason, created_at}`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoredAdjustment {
    pub id: AdjustmentId,
    pub forecast_id: ForecastId,
    #[serde(flatten)]
    pub adjustment: Adjustment,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = forecast_adjustments)]
struct Row {
    id: i32,
    forecast_id: i32,
    scope_kind: String,
    scope_date: NaiveDate,
    kind: String,
    value: f64,
    reason: String,
    created_at: NaiveDateTime,
}

impl Row {
    fn into_stored(self) -> Result<StoredAdjustment, DbError> {
        let corrupt = |what: &str| {
            DbError::Corrupt(format!("forecast adjustment {}: unknown {what}", self.id))
        };
        let scope = Scope::from_parts(&self.scope_kind, self.scope_date)
            .ok_or_else(|| corrupt("scope_kind"))?;
        let change = Change::from_parts(&self.kind, self.value).ok_or_else(|| corrupt("kind"))?;
        Ok(StoredAdjustment {
            id: AdjustmentId(self.id),
            forecast_id: ForecastId(self.forecast_id),
            adjustment: Adjustment {
                scope,
                change,
                reason: self.reason,
                created_at: to_utc(self.created_at),
            },
        })
    }
}

impl Database {
    /// Stores every adjustment or none; returns them with their ids, in order.
    pub fn insert_forecast_adjustments(
        &self,
        forecast: ForecastId,
        adjustments: &[Adjustment],
    ) -> Result<Vec<StoredAdjustment>, DbError> {
        let ids: Vec<i32> = with_conn!(self, conn => conn.write_transaction::<_, DbError, _>(|conn| {
            let mut ids = Vec::with_capacity(adjustments.len());
            for a in adjustments {
                let id: i32 = diesel::insert_into(forecast_adjustments::table)
                    .values((
                        forecast_adjustments::forecast_id.eq(forecast.0),
                        forecast_adjustments::scope_kind.eq(a.scope.kind()),
                        forecast_adjustments::scope_date.eq(a.scope.date()),
                        forecast_adjustments::kind.eq(a.change.kind()),
                        forecast_adjustments::value.eq(a.change.value()),
                        forecast_adjustments::reason.eq(&a.reason),
                        forecast_adjustments::created_at.eq(to_naive(a.created_at)),
                    ))
                    .returning(forecast_adjustments::id)
                    .get_result(conn)?;
                ids.push(id);
            }
            Ok(ids)
        })?);
        Ok(ids
            .into_iter()
            .zip(adjustments)
            .map(|(id, a)| StoredAdjustment {
                id: AdjustmentId(id),
                forecast_id: forecast,
                adjustment: a.clone(),
            })
            .collect())
    }

    /// A run's adjustments, oldest first.
    pub fn forecast_adjustments(
        &self,
        forecast: ForecastId,
    ) -> Result<Vec<StoredAdjustment>, DbError> {
        let rows: Vec<Row> = with_conn!(self, conn => forecast_adjustments::table
            .filter(forecast_adjustments::forecast_id.eq(forecast.0))
            .order(forecast_adjustments::id)
            .select(Row::as_select())
            .load(conn)?);
        rows.into_iter().map(Row::into_stored).collect()
    }

    /// Removes one adjustment of the run; false when the run has no such one.
    pub fn delete_forecast_adjustment(
        &self,
        forecast: ForecastId,
        id: AdjustmentId,
    ) -> Result<bool, DbError> {
        let n = with_conn!(self, conn => diesel::delete(
            forecast_adjustments::table
                .filter(forecast_adjustments::forecast_id.eq(forecast.0))
                .filter(forecast_adjustments::id.eq(id.0)),
        )
        .execute(conn)?);
        Ok(n == 1)
    }
}
