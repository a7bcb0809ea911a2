//! Forecast runs with their intervals and the requirements derived from them.

use super::schema::{forecast_intervals, forecast_runs, requirement_intervals};
use super::{to_naive, to_utc, with_conn, Database, DbError, WriteTransaction, BATCH_ROWS};
use crate::domain::{Channel, ForecastId, QueueId};
use crate::forecast::{ChoiceRecord, ModelSpec};
use crate::staffing::{ChannelModel, OfferedShare};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

/// The goal a run's requirements were computed for, as stored with it, so
/// that a later change to the queue does not rewrite what a run promised.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RequirementGoal {
    pub channel: Channel,
    pub service_level: f64,
    pub answer_within_seconds: f64,
    pub max_asa_seconds: Option<f64>,
    pub shrinkage: f64,
    pub max_occupancy: f64,
    /// Absent on runs stored before requirements followed the channel
    /// (they were all Erlang C).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staffing_model: Option<ChannelModel>,
    /// The share of the forecast the requirements staff, when not all of
    /// it (absent: all of it, as on runs stored before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered: Option<OfferedShare>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ForecastRun {
    pub id: ForecastId,
    pub queue_id: QueueId,
    pub created_at: DateTime<Utc>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub model: String,
    /// The fitted model and its params.
    pub params: ModelSpec,
    pub history_rows: i32,
    pub history_end: DateTime<Utc>,
    /// The service goal the requirements were computed for.
    pub goal: RequirementGoal,
    /// Backtest scores and the model choice, when the run made them.
    pub accuracy: Option<ChoiceRecord>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewForecastRun {
    pub queue_id: QueueId,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub model: String,
    pub params: ModelSpec,
    pub history_rows: i32,
    pub history_end: DateTime<Utc>,
    pub goal: RequirementGoal,
    pub accuracy: Option<ChoiceRecord>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ForecastInterval {
    pub start: DateTime<Utc>,
    pub volume: f64,
    pub volume_p10: f64,
    pub volume_p90: f64,
    pub aht_seconds: Option<f64>,
}

impl ForecastInterval {
    /// The stored interval as the forecast made it.
    pub fn point(&self) -> crate::forecast::ForecastPoint {
        crate::forecast::ForecastPoint {
            start: self.start,
            volume: self.volume,
            volume_p10: self.volume_p10,
            volume_p90: self.volume_p90,
            aht_seconds: self.aht_seconds,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RequirementInterval {
    pub start: DateTime<Utc>,
    pub workload_erlangs: f64,
    /// Fractional head count, for adding queues up before rounding.
    pub agents_raw: f64,
    pub agents_net: i32,
    pub agents_with_shrinkage: i32,
    pub service_level: f64,
    pub asa_seconds: f64,
    pub occupancy: f64,
    pub prob_abandon: f64,
    /// False when the queue was closed then (no agents are required, and
    /// service figures leave the interval out).
    pub open: bool,
    /// With an interval confidence: the most calls `agents_net` serve to
    /// the goal (the metrics above stay at the point forecast).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staffed_volume: Option<f64>,
    /// With an interval confidence: the service level the calls can expect
    /// at `agents_net`, over the forecast's uncertainty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_service_level: Option<f64>,
    /// With an interval confidence: the probability the goal holds at
    /// `agents_net`, over the forecast's uncertainty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_probability: Option<f64>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = forecast_runs)]
struct RunRow {
    id: i32,
    queue_id: i32,
    created_at: NaiveDateTime,
    window_from: NaiveDateTime,
    window_to: NaiveDateTime,
    model: String,
    params: String,
    history_rows: i32,
    history_end: NaiveDateTime,
    goal: String,
    accuracy: Option<String>,
}

impl RunRow {
    fn into_run(self) -> Result<ForecastRun, DbError> {
        let id = self.id;
        let corrupt = |what: &str, e: serde_json::Error| {
            DbError::Corrupt(format!("forecast {id} {what}: {e}"))
        };
        Ok(ForecastRun {
            id: ForecastId(self.id),
            queue_id: QueueId(self.queue_id),
            created_at: to_utc(self.created_at),
            from: to_utc(self.window_from),
            to: to_utc(self.window_to),
            model: self.model.clone(),
            params: serde_json::from_str(&self.params).map_err(|e| corrupt("params", e))?,
            history_rows: self.history_rows,
            history_end: to_utc(self.history_end),
            goal: serde_json::from_str(&self.goal).map_err(|e| corrupt("goal", e))?,
            accuracy: self
                .accuracy
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| corrupt("accuracy", e))?,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = forecast_intervals, treat_none_as_default_value = false)]
struct IntervalInsert {
    run_id: i32,
    interval_start: NaiveDateTime,
    volume: f64,
    volume_p10: f64,
    volume_p90: f64,
    aht_seconds: Option<f64>,
}

#[derive(Insertable)]
#[diesel(table_name = requirement_intervals)]
struct RequirementInsert {
    run_id: i32,
    interval_start: NaiveDateTime,
    workload_erlangs: f64,
    agents_raw: f64,
    agents_net: i32,
    agents_with_shrinkage: i32,
    service_level: f64,
    asa_seconds: f64,
    occupancy: f64,
    prob_abandon: f64,
    is_open: bool,
    staffed_volume: Option<f64>,
    expected_service_level: Option<f64>,
    goal_probability: Option<f64>,
}

impl Database {
    /// Stores a run, its intervals and its requirements in one transaction.
    pub fn insert_forecast(
        &self,
        run: &NewForecastRun,
        intervals: &[ForecastInterval],
        requirements: &[RequirementInterval],
    ) -> Result<ForecastId, DbError> {
        let corrupt =
            |what: &str, e: serde_json::Error| DbError::Corrupt(format!("forecast {what}: {e}"));
        let params = serde_json::to_string(&run.params).map_err(|e| corrupt("params", e))?;
        let goal = serde_json::to_string(&run.goal).map_err(|e| corrupt("goal", e))?;
        let accuracy = run
            .accuracy
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| corrupt("accuracy", e))?;
        let id = with_conn!(self, conn => conn.write_transaction::<i32, DbError, _>(|conn| {
            let id: i32 = diesel::insert_into(forecast_runs::table)
                .values((
                    forecast_runs::queue_id.eq(run.queue_id.0),
                    forecast_runs::created_at.eq(to_naive(Utc::now())),
                    forecast_runs::window_from.eq(to_naive(run.from)),
                    forecast_runs::window_to.eq(to_naive(run.to)),
                    forecast_runs::model.eq(&run.model),
                    forecast_runs::params.eq(&params),
                    forecast_runs::history_rows.eq(run.history_rows),
                    forecast_runs::history_end.eq(to_naive(run.history_end)),
                    forecast_runs::goal.eq(&goal),
                    forecast_runs::accuracy.eq(&accuracy),
                ))
                .returning(forecast_runs::id)
                .get_result(conn)?;
            let rows: Vec<IntervalInsert> = intervals
                .iter()
                .map(|p| IntervalInsert {
                    run_id: id,
                    interval_start: to_naive(p.start),
                    volume: p.volume,
                    volume_p10: p.volume_p10,
                    volume_p90: p.volume_p90,
                    aht_seconds: p.aht_seconds,
                })
                .collect();
            for chunk in rows.chunks(BATCH_ROWS) {
                diesel::insert_into(forecast_intervals::table).values(chunk).execute(conn)?;
            }
            let reqs: Vec<RequirementInsert> = requirements
                .iter()
                .map(|r| RequirementInsert {
                    run_id: id,
                    interval_start: to_naive(r.start),
                    workload_erlangs: r.workload_erlangs,
                    agents_raw: r.agents_raw,
                    agents_net: r.agents_net,
                    agents_with_shrinkage: r.agents_with_shrinkage,
                    service_level: r.service_level,
                    asa_seconds: r.asa_seconds,
                    occupancy: r.occupancy,
                    prob_abandon: r.prob_abandon,
                    is_open: r.open,
                    staffed_volume: r.staffed_volume,
                    expected_service_level: r.expected_service_level,
                    goal_probability: r.goal_probability,
                })
                .collect();
            for chunk in reqs.chunks(BATCH_ROWS) {
                diesel::insert_into(requirement_intervals::table).values(chunk).execute(conn)?;
            }
            Ok(id)
        })?);
        Ok(ForecastId(id))
    }

    pub fn forecast_run(&self, id: ForecastId) -> Result<Option<ForecastRun>, DbError> {
        let row: Option<RunRow> = with_conn!(self, conn => forecast_runs::table
            .find(id.0)
            .select(RunRow::as_select())
            .first(conn)
            .optional()?);
        row.map(RunRow::into_run).transpose()
    }

    pub fn forecast_runs(&self, queue: QueueId) -> Result<Vec<ForecastRun>, DbError> {
        let rows: Vec<RunRow> = with_conn!(self, conn => forecast_runs::table
            .filter(forecast_runs::queue_id.eq(queue.0))
            .order(forecast_runs::id)
            .select(RunRow::as_select())
            .load(conn)?);
        rows.into_iter().map(RunRow::into_run).collect()
    }

    pub fn forecast_intervals(&self, id: ForecastId) -> Result<Vec<ForecastInterval>, DbError> {
        type Row = (NaiveDateTime, f64, f64, f64, Option<f64>);
        let rows: Vec<Row> = with_conn!(self, conn => forecast_intervals::table
            .filter(forecast_intervals::run_id.eq(id.0))
            .order(forecast_intervals::interval_start)
            .select((
                forecast_intervals::interval_start,
                forecast_intervals::volume,
                forecast_intervals::volume_p10,
                forecast_intervals::volume_p90,
                forecast_intervals::aht_seconds,
            ))
            .load(conn)?);
        Ok(rows
            .into_iter()
            .map(
                |(start, volume, volume_p10, volume_p90, aht_seconds)| ForecastInterval {
                    start: to_utc(start),
                    volume,
                    volume_p10,
                    volume_p90,
                    aht_seconds,
                },
            )
            .collect())
    }

    pub fn requirement_intervals(
        &self,
        id: ForecastId,
    ) -> Result<Vec<RequirementInterval>, DbError> {
        let rows: Vec<RequirementRow> = with_conn!(self, conn => requirement_intervals::table
            .filter(requirement_intervals::run_id.eq(id.0))
            .order(requirement_intervals::interval_start)
            .select(RequirementRow::as_select())
            .load(conn)?);
        Ok(rows
            .into_iter()
            .map(|r| RequirementInterval {
                start: to_utc(r.interval_start),
                workload_erlangs: r.workload_erlangs,
                agents_raw: r.agents_raw,
                agents_net: r.agents_net,
                agents_with_shrinkage: r.agents_with_shrinkage,
                service_level: r.service_level,
                asa_seconds: r.asa_seconds,
                occupancy: r.occupancy,
                prob_abandon: r.prob_abandon,
                open: r.is_open,
                staffed_volume: r.staffed_volume,
                expected_service_level: r.expected_service_level,
                goal_probability: r.goal_probability,
            })
            .collect())
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = requirement_intervals)]
struct RequirementRow {
    interval_start: NaiveDateTime,
    workload_erlangs: f64,
    agents_raw: f64,
    agents_net: i32,
    agents_with_shrinkage: i32,
    service_level: f64,
    asa_seconds: f64,
    occupancy: f64,
    prob_abandon: f64,
    is_open: bool,
    staffed_volume: Option<f64>,
    expected_service_level: Option<f64>,
    goal_probability: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staffing::offered::OfferedSource;
    use crate::staffing::QueueModel;

    #[test]
    fn a_goal_reads_back_as_written() {
        let goal = RequirementGoal {
            channel: Channel::Chat,
            service_level: 0.8,
            answer_within_seconds: 30.0,
            max_asa_seconds: None,
            shrinkage: 0.3,
            max_occupancy: 0.85,
            staffing_model: Some(ChannelModel::Chat {
                concurrency: 3,
                handle_time_factor: 1.4,
                queue: QueueModel::ErlangA {
                    patience_seconds: 120.0,
                },
            }),
            offered: Some(OfferedShare {
                share: 0.938,
                source: OfferedSource::CallRecords {
                    calls: 6400,
                    counted: 6823.0,
                    intervals: 200,
                },
            }),
        };
        let stored = serde_json::to_string(&goal).unwrap();
        let back: RequirementGoal = serde_json::from_str(&stored).unwrap();
        assert_eq!(back, goal);
        assert_eq!(serde_json::to_string(&back).unwrap(), stored);
    }

    #[test]
    fn a_goal_stored_before_channel_models_still_reads() {
        // The shape written before requirements followed the channel.
        let old = r#"{"channel":"voice","service_level":0.8,"answer_within_seconds":20.0,
            "max_asa_seconds":null,"shrinkage":0.3,"max_occupancy":0.85,"model":"erlang_c"}"#;
        let goal: RequirementGoal = serde_json::from_str(old).unwrap();
        assert_eq!(goal.channel, Channel::Voice);
        assert_eq!(goal.staffing_model, None);
        assert_eq!(goal.offered, None, "old runs staff all of their forecast");
        let out = serde_json::to_value(goal).unwrap();
        assert!(out.get("staffing_model").is_none());
    }

    #[test]
    fn model_params_missing_newer_fields_read_with_their_defaults() {
        let spec: ModelSpec = serde_json::from_str(r#"{"model":"ensemble"}"#).unwrap();
        let ModelSpec::Ensemble(params) = spec else {
            panic!("not an ensemble: {spec:?}");
        };
        assert_eq!(params, crate::forecast::models::EnsembleParams::default());
    }
}
