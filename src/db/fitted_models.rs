//! Fitted forecasting models, keyed by a fingerprint of what they were fitted on.

use super::schema::fitted_models;
use super::{to_naive, with_conn, Database, DbError};
use crate::domain::QueueId;
use chrono::Utc;
use diesel::prelude::*;

/// A stored fit: the model choice (with its backtest scores) and the fitted
/// model itself, both as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFit {
    pub model: String,
    pub choice: String,
    pub fitted: String,
}

impl Database {
    pub fn fitted_model(
        &self,
        queue: QueueId,
        fingerprint: &str,
    ) -> Result<Option<StoredFit>, DbError> {
        let row: Option<(String, String, String)> = with_conn!(self, conn => fitted_models::table
            .filter(fitted_models::queue_id.eq(queue.0))
            .filter(fitted_models::fingerprint.eq(fingerprint))
            .select((fitted_models::model, fitted_models::choice, fitted_models::fitted))
            .first(conn)
            .optional()?);
        Ok(row.map(|(model, choice, fitted)| StoredFit {
            model,
            choice,
            fitted,
        }))
    }

    /// Stores a fit; an identical fingerprint stored meanwhile is kept.
    pub fn store_fitted_model(
        &self,
        queue: QueueId,
        fingerprint: &str,
        fit: &StoredFit,
    ) -> Result<(), DbError> {
        with_conn!(self, conn => diesel::insert_into(fitted_models::table)
            .values((
                fitted_models::queue_id.eq(queue.0),
                fitted_models::fingerprint.eq(fingerprint),
                fitted_models::model.eq(&fit.model),
                fitted_models::choice.eq(&fit.choice),
                fitted_models::fitted.eq(&fit.fitted),
                fitted_models::created_at.eq(to_naive(Utc::now())),
            ))
            .on_conflict((fitted_models::queue_id, fitted_models::fingerprint))
            .do_nothing()
            .execute(conn)?);
        Ok(())
    }

    /// How many fits a queue has stored (for tests and housekeeping).
    pub fn fitted_model_count(&self, queue: QueueId) -> Result<i64, DbError> {
        Ok(with_conn!(self, conn => fitted_models::table
            .filter(fitted_models::queue_id.eq(queue.0))
            .count()
            .get_result(conn)?))
    }
}
